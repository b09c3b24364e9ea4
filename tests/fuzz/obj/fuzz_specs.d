tests/fuzz/fuzz_specs: tests/fuzz/fuzz_specs.c include/plumb/cmd.h \
  include/plumb/caps.h include/plumb/cni.h include/plumb/inet.h \
  include/plumb/ipam.h include/plumb/json.h include/plumb/link.h \
  include/plumb/nl.h include/plumb/log.h include/plumb/nat.h \
  include/plumb/nft.h include/plumb/netns.h tests/fuzz/fuzz.h

include/plumb/cmd.h:

include/plumb/caps.h:

include/plumb/cni.h:

include/plumb/inet.h:

include/plumb/ipam.h:

include/plumb/json.h:

include/plumb/link.h:

include/plumb/nl.h:

include/plumb/log.h:

include/plumb/nat.h:

include/plumb/nft.h:

include/plumb/netns.h:

tests/fuzz/fuzz.h:
