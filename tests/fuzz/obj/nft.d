tests/fuzz/obj/nft.o: lib/nft.c include/plumb/log.h include/plumb/nft.h \
  include/plumb/nl.h lib/nft_buf.h

include/plumb/log.h:

include/plumb/nft.h:

include/plumb/nl.h:

lib/nft_buf.h:
