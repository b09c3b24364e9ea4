tests/fuzz/obj/fault.o: lib/fault.c include/plumb/fault.h

include/plumb/fault.h:
