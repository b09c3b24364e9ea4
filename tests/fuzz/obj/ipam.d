tests/fuzz/obj/ipam.o: lib/ipam.c include/plumb/cni.h \
  include/plumb/caps.h include/plumb/ipam.h include/plumb/inet.h \
  include/plumb/link.h include/plumb/nl.h include/plumb/log.h \
  lib/ipam_store.h

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/ipam.h:

include/plumb/inet.h:

include/plumb/link.h:

include/plumb/nl.h:

include/plumb/log.h:

lib/ipam_store.h:
