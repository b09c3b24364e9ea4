tests/fuzz/obj/conntrack.o: lib/conntrack.c include/plumb/conntrack.h \
  include/plumb/inet.h include/plumb/nl.h include/plumb/log.h

include/plumb/conntrack.h:

include/plumb/inet.h:

include/plumb/nl.h:

include/plumb/log.h:
