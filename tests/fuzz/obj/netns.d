tests/fuzz/obj/netns.o: lib/netns.c include/plumb/fault.h \
  include/plumb/log.h include/plumb/netns.h include/plumb/nl.h

include/plumb/fault.h:

include/plumb/log.h:

include/plumb/netns.h:

include/plumb/nl.h:
