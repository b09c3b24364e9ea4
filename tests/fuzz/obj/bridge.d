tests/fuzz/obj/bridge.o: lib/bridge.c include/plumb/addr.h \
  include/plumb/inet.h include/plumb/nl.h include/plumb/bridge.h \
  include/plumb/link.h include/plumb/route.h include/plumb/fault.h \
  include/plumb/log.h include/plumb/sysctl.h

include/plumb/addr.h:

include/plumb/inet.h:

include/plumb/nl.h:

include/plumb/bridge.h:

include/plumb/link.h:

include/plumb/route.h:

include/plumb/fault.h:

include/plumb/log.h:

include/plumb/sysctl.h:
