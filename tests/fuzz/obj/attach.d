tests/fuzz/obj/attach.o: lib/attach.c include/plumb/attach.h \
  include/plumb/bridge.h include/plumb/inet.h include/plumb/link.h \
  include/plumb/nl.h include/plumb/route.h include/plumb/ipam.h \
  include/plumb/cni.h include/plumb/caps.h include/plumb/fault.h \
  include/plumb/json.h include/plumb/log.h include/plumb/netns.h \
  include/plumb/state.h

include/plumb/attach.h:

include/plumb/bridge.h:

include/plumb/inet.h:

include/plumb/link.h:

include/plumb/nl.h:

include/plumb/route.h:

include/plumb/ipam.h:

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/fault.h:

include/plumb/json.h:

include/plumb/log.h:

include/plumb/netns.h:

include/plumb/state.h:
