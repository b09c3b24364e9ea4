tests/fuzz/obj/addr.o: lib/addr.c include/plumb/addr.h \
  include/plumb/inet.h include/plumb/nl.h include/plumb/log.h

include/plumb/addr.h:

include/plumb/inet.h:

include/plumb/nl.h:

include/plumb/log.h:
