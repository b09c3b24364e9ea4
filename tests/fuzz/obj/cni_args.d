tests/fuzz/obj/cni_args.o: lib/cni_args.c include/plumb/cni.h \
  include/plumb/caps.h include/plumb/log.h

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/log.h:
