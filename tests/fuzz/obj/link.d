tests/fuzz/obj/link.o: lib/link.c include/plumb/json.h \
  include/plumb/link.h include/plumb/nl.h include/plumb/log.h

include/plumb/json.h:

include/plumb/link.h:

include/plumb/nl.h:

include/plumb/log.h:
