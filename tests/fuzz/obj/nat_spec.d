tests/fuzz/obj/nat_spec.o: lib/nat_spec.c include/plumb/json.h \
  include/plumb/log.h include/plumb/nat.h include/plumb/inet.h \
  include/plumb/nft.h include/plumb/nl.h

include/plumb/json.h:

include/plumb/log.h:

include/plumb/nat.h:

include/plumb/inet.h:

include/plumb/nft.h:

include/plumb/nl.h:
