tests/fuzz/obj/caps.o: lib/caps.c include/plumb/caps.h \
  include/plumb/log.h

include/plumb/caps.h:

include/plumb/log.h:
