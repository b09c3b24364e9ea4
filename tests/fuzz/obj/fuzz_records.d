tests/fuzz/fuzz_records: tests/fuzz/fuzz_records.c include/plumb/attach.h \
  include/plumb/bridge.h include/plumb/inet.h include/plumb/link.h \
  include/plumb/nl.h include/plumb/route.h include/plumb/ipam.h \
  include/plumb/log.h include/plumb/nat.h include/plumb/nft.h \
  tests/fuzz/fuzz.h

include/plumb/attach.h:

include/plumb/bridge.h:

include/plumb/inet.h:

include/plumb/link.h:

include/plumb/nl.h:

include/plumb/route.h:

include/plumb/ipam.h:

include/plumb/log.h:

include/plumb/nat.h:

include/plumb/nft.h:

tests/fuzz/fuzz.h:
