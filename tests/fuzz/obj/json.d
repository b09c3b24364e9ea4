tests/fuzz/obj/json.o: lib/json.c include/plumb/json.h \
  include/plumb/log.h

include/plumb/json.h:

include/plumb/log.h:
