tests/fuzz/obj/exec.o: lib/exec.c include/plumb/exec.h \
  include/plumb/log.h

include/plumb/exec.h:

include/plumb/log.h:
