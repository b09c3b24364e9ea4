tests/fuzz/obj/sysctl.o: lib/sysctl.c include/plumb/log.h \
  include/plumb/netns.h include/plumb/sysctl.h

include/plumb/log.h:

include/plumb/netns.h:

include/plumb/sysctl.h:
