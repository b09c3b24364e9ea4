tests/fuzz/obj/nft_rules.o: lib/nft_rules.c include/plumb/nft.h \
  include/plumb/nl.h lib/nft_buf.h

include/plumb/nft.h:

include/plumb/nl.h:

lib/nft_buf.h:
