tests/fuzz/obj/cni_ipam.o: lib/cni_ipam.c include/plumb/cni_ipam.h \
  include/plumb/cni.h include/plumb/caps.h include/plumb/exec.h \
  include/plumb/ipam.h include/plumb/inet.h include/plumb/fault.h \
  include/plumb/json.h include/plumb/log.h

include/plumb/cni_ipam.h:

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/exec.h:

include/plumb/ipam.h:

include/plumb/inet.h:

include/plumb/fault.h:

include/plumb/json.h:

include/plumb/log.h:
