tests/fuzz/obj/oci.o: lib/oci.c include/plumb/cni.h include/plumb/caps.h \
  include/plumb/json.h include/plumb/log.h include/plumb/oci.h

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/json.h:

include/plumb/log.h:

include/plumb/oci.h:
