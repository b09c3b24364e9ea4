tests/fuzz/obj/attach_check.o: lib/attach_check.c include/plumb/addr.h \
  include/plumb/inet.h include/plumb/nl.h include/plumb/attach.h \
  include/plumb/bridge.h include/plumb/link.h include/plumb/route.h \
  include/plumb/ipam.h include/plumb/log.h include/plumb/netns.h

include/plumb/addr.h:

include/plumb/inet.h:

include/plumb/nl.h:

include/plumb/attach.h:

include/plumb/bridge.h:

include/plumb/link.h:

include/plumb/route.h:

include/plumb/ipam.h:

include/plumb/log.h:

include/plumb/netns.h:
