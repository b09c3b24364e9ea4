tests/fuzz/obj/ipam_conf.o: lib/ipam_conf.c include/plumb/ipam.h \
  include/plumb/inet.h include/plumb/json.h include/plumb/log.h

include/plumb/ipam.h:

include/plumb/inet.h:

include/plumb/json.h:

include/plumb/log.h:
