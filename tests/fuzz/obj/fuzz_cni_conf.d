tests/fuzz/fuzz_cni_conf: tests/fuzz/fuzz_cni_conf.c include/plumb/cni.h \
  include/plumb/caps.h include/plumb/ipam.h include/plumb/inet.h \
  include/plumb/log.h tests/fuzz/fuzz.h

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/ipam.h:

include/plumb/inet.h:

include/plumb/log.h:

tests/fuzz/fuzz.h:
