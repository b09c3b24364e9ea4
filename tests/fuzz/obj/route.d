tests/fuzz/obj/route.o: lib/route.c include/plumb/log.h \
  include/plumb/route.h include/plumb/inet.h include/plumb/nl.h

include/plumb/log.h:

include/plumb/route.h:

include/plumb/inet.h:

include/plumb/nl.h:
