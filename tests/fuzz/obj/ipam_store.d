tests/fuzz/obj/ipam_store.o: lib/ipam_store.c include/plumb/cni.h \
  include/plumb/caps.h include/plumb/fault.h include/plumb/log.h \
  include/plumb/state.h lib/ipam_store.h include/plumb/inet.h \
  include/plumb/ipam.h

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/fault.h:

include/plumb/log.h:

include/plumb/state.h:

lib/ipam_store.h:

include/plumb/inet.h:

include/plumb/ipam.h:
