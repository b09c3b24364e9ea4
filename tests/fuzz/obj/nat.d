tests/fuzz/obj/nat.o: lib/nat.c include/plumb/conntrack.h \
  include/plumb/inet.h include/plumb/nl.h include/plumb/fault.h \
  include/plumb/json.h include/plumb/link.h include/plumb/log.h \
  include/plumb/nat.h include/plumb/nft.h include/plumb/route.h \
  include/plumb/state.h include/plumb/sysctl.h

include/plumb/conntrack.h:

include/plumb/inet.h:

include/plumb/nl.h:

include/plumb/fault.h:

include/plumb/json.h:

include/plumb/link.h:

include/plumb/log.h:

include/plumb/nat.h:

include/plumb/nft.h:

include/plumb/route.h:

include/plumb/state.h:

include/plumb/sysctl.h:
