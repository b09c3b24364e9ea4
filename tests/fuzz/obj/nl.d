tests/fuzz/obj/nl.o: lib/nl.c include/plumb/log.h include/plumb/netns.h \
  include/plumb/nl.h

include/plumb/log.h:

include/plumb/netns.h:

include/plumb/nl.h:
