tests/fuzz/obj/log.o: lib/log.c include/plumb/log.h

include/plumb/log.h:
