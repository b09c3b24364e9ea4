tests/fuzz/obj/nat_sync.o: lib/nat_sync.c include/plumb/json.h \
  include/plumb/log.h include/plumb/nat.h include/plumb/inet.h \
  include/plumb/nft.h include/plumb/nl.h include/plumb/state.h

include/plumb/json.h:

include/plumb/log.h:

include/plumb/nat.h:

include/plumb/inet.h:

include/plumb/nft.h:

include/plumb/nl.h:

include/plumb/state.h:
