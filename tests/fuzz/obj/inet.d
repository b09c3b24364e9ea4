tests/fuzz/obj/inet.o: lib/inet.c include/plumb/inet.h \
  include/plumb/log.h

include/plumb/inet.h:

include/plumb/log.h:
