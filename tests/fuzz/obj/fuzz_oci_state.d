tests/fuzz/fuzz_oci_state: tests/fuzz/fuzz_oci_state.c \
  include/plumb/cni.h include/plumb/caps.h include/plumb/log.h \
  include/plumb/oci.h tests/fuzz/fuzz.h

include/plumb/cni.h:

include/plumb/caps.h:

include/plumb/log.h:

include/plumb/oci.h:

tests/fuzz/fuzz.h:
