tests/fuzz/obj/cni.o: lib/cni.c include/plumb/cni.h include/plumb/caps.h \
  include/plumb/json.h include/plumb/link.h include/plumb/nl.h \
  include/plumb/log.h include/plumb/netns.h

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/json.h:

include/plumb/link.h:

include/plumb/nl.h:

include/plumb/log.h:

include/plumb/netns.h:
