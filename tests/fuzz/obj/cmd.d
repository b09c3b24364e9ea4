tests/fuzz/obj/cmd.o: lib/cmd.c include/plumb/cmd.h include/plumb/caps.h \
  include/plumb/log.h

include/plumb/cmd.h:

include/plumb/caps.h:

include/plumb/log.h:
