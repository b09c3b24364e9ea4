tests/fuzz/fuzz_netlink: tests/fuzz/fuzz_netlink.c include/plumb/addr.h \
  include/plumb/inet.h include/plumb/nl.h include/plumb/conntrack.h \
  include/plumb/link.h include/plumb/log.h include/plumb/nat.h \
  include/plumb/nft.h include/plumb/netns.h include/plumb/route.h \
  tests/fuzz/fuzz.h tests/fuzz/netlink_input.h

include/plumb/addr.h:

include/plumb/inet.h:

include/plumb/nl.h:

include/plumb/conntrack.h:

include/plumb/link.h:

include/plumb/log.h:

include/plumb/nat.h:

include/plumb/nft.h:

include/plumb/netns.h:

include/plumb/route.h:

tests/fuzz/fuzz.h:

tests/fuzz/netlink_input.h:
