tests/fuzz/obj/state.o: lib/state.c include/plumb/log.h \
  include/plumb/state.h

include/plumb/log.h:

include/plumb/state.h:
