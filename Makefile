# SPDX-License-Identifier: GPL-2.0-or-later
# plumb: one non-recursive Makefile for the library, the tools and the tests.
#
#   make                  build lib/libplumb.a and the tools
#   make check            unit tests, then the network namespace tests (root)
#   make bench            plumb against the CNI reference plugins (root)
#   make SANITIZE=1 check the same with ASan and UBSan
#   make valgrind         unit tests and a sample of the tools under valgrind
#   make install          PREFIX=/usr/local DESTDIR=
#   make install-cni      CNI_BIN_DIR=/opt/cni/bin (install-cni-links: symlinks)
#   make install-completion install-systemd install-examples
#   make V=1 WERROR=1     full command lines, warnings as errors
#   make fuzz             libFuzzer harnesses (clang), FUZZ_SECONDS=10 each
#   make lint             what the compiler does not check: lib/ is a one-way
#                         stack, only tests mute the log (part of make check)

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
CNI_BIN_DIR ?= /opt/cni/bin
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
EXAMPLESDIR ?= $(PREFIX)/share/doc/plumb/examples
PKG_CONFIG ?= pkg-config
VERSION := 0.1.0

# libnftnl, libcap and jansson are linked in from the archives their -dev
# packages ship: a CNI ADD starts three of plumb's processes, and each then
# takes 0.1 ms less CPU and 230 KiB less memory to start. libmnl has no
# archive. STATIC_PKGS= links everything dynamically. (yaml-0.1, libyaml, is
# plumb-lab's alone.)
STATIC_PKGS ?= libnftnl libcap jansson yaml-0.1
PKGS := libmnl libnftnl libcap jansson
DYNAMIC_PKGS := $(filter-out $(STATIC_PKGS),$(PKGS))
# libsystemd (sd-bus, to talk to firewalld) is not linked: lib/firewalld.c
# loads it with dlopen on hosts with a system bus only, as linking it would
# add its seven libraries to every start of every tool.
DLOPEN_PKGS := libsystemd

CFLAGS ?= -O2 -g
WARNINGS := -std=c11 -Wall -Wextra -Wshadow -Wformat=2 -Wvla \
	    -Wmissing-prototypes -Wstrict-prototypes
CFLAGS += $(WARNINGS)
# Each pkg-config runs once: CPPFLAGS and LDLIBS may be recursive variables
# (from the environment, as in a package build), expanded at every compile.
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(DLOPEN_PKGS))
CPPFLAGS += -D_GNU_SOURCE -DPLUMB_VERSION='"$(VERSION)"' -Iinclude $(PKG_CFLAGS)
PKG_LIBS :=
ifneq ($(STATIC_PKGS),)
PKG_LIBS += -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs $(STATIC_PKGS)) -Wl,-Bdynamic
endif
PKG_LIBS += $(shell $(PKG_CONFIG) --libs $(DYNAMIC_PKGS))
LDLIBS += $(PKG_LIBS)

# Hardened as Debian builds packages with hardening=+all: the tools run as
# root on input from runtimes and users.
CFLAGS += -fstack-protector-strong -fstack-clash-protection -fcf-protection
LDFLAGS += -Wl,-z,relro,-z,now

# plumb-lab alone reads YAML (libyaml), linked as STATIC_PKGS says.
LAB_PKGS := yaml-0.1
ifneq ($(filter $(LAB_PKGS),$(STATIC_PKGS)),)
LAB_LDLIBS := -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs $(LAB_PKGS)) -Wl,-Bdynamic
else
LAB_LDLIBS := $(shell $(PKG_CONFIG) --libs $(LAB_PKGS))
endif
LAB_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LAB_PKGS))
CPPFLAGS += $(LAB_CFLAGS)
# LAB_TIMING=1: plumb-lab says on stderr where its time goes (lab/timing.h).
ifeq ($(LAB_TIMING),1)
CPPFLAGS += -DLAB_TIMING
endif

ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(findstring _FORTIFY_SOURCE,$(CPPFLAGS)),)
# Unless the caller chose a level (dpkg-buildflags does): twice is a warning.
CPPFLAGS += -D_FORTIFY_SOURCE=2
endif

ifneq ($(V),1)
Q := @
quiet = @printf '  %-6s %s\n' $(1) $(2);
endif

LIB := lib/libplumb.a
LIB_OBJS := $(patsubst %.c,%.o,$(wildcard lib/*.c))
TOOLS := netns/plumb-netns bridge/plumb-bridge nat/plumb-nat lab/plumb-lab
TOOLS := $(foreach t,$(TOOLS),$(if $(wildcard $(dir $(t))main.c),$(t)))
UNIT_TESTS := $(patsubst %.c,%,$(wildcard tests/unit/test_*.c))
BENCH_BINS := bench/cnibench bench/floor bench/connect
MANS := $(wildcard docs/*.8)

# plumb-ipam, the CNI IPAM plugin, is plumb-bridge under another name.
LINKS := $(if $(filter bridge/plumb-bridge,$(TOOLS)),bridge/plumb-ipam)
# The tools that are CNI plugins too: those with a CNI front end.
CNI_PLUGINS := $(foreach t,$(TOOLS),$(if $(wildcard $(dir $(t))cni.c),$(t)))

all: $(LIB) $(TOOLS) $(LINKS)

bridge/plumb-ipam: bridge/plumb-bridge
	$(call quiet,LN,$@)ln -f $< $@

# Objects depend on the flags they were built with, so that switching
# SANITIZE or WERROR rebuilds everything instead of mixing objects.
.flags: FORCE
	@echo '$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)' | cmp -s - $@ || \
		echo '$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)' > $@

%.o: %.c .flags
	$(call quiet,CC,$@)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	$(call quiet,AR,$@)rm -f $@ && $(AR) rcs $@ $^

define tool_rule
$(1): $(patsubst %.c,%.o,$(wildcard $(dir $(1))*.c)) $(LIB)
	$$(call quiet,LD,$$@)$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))
lab/plumb-lab tests/fault/plumb-lab: LDLIBS += $(LAB_LDLIBS)

tests/unit/test_%: tests/unit/test_%.o $(LIB)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ \
		$(LDLIBS) $(CMOCKA_LIBS)

CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
tests/unit/%.o: CPPFLAGS += $(CMOCKA_CFLAGS)

# The driver needs only jansson; the floor links what the tools link, so that
# its process start is theirs.
JANSSON_LIBS := $(shell $(PKG_CONFIG) --libs jansson)
bench/cnibench: bench/cnibench.o
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ \
		$(JANSSON_LIBS)

bench/floor: bench/floor.o
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench/connect: bench/connect.o
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# The tools again, with tests/fault/fault.c's fault_point() (PLUMB_FAULT=step
# kills or stops them there), for the crash tests only; never installed.
FAULT_TOOLS := $(patsubst %,tests/fault/%,$(notdir $(TOOLS)))

define fault_rule
tests/fault/$(notdir $(1)): $(patsubst %.c,%.o,$(wildcard $(dir $(1))*.c)) tests/fault/fault.o $(LIB)
	$$(call quiet,LD,$$@)$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call fault_rule,$(t))))

tests/fault/plumb-ipam: tests/fault/plumb-bridge
	$(call quiet,LN,$@)ln -f $< $@

fault: $(FAULT_TOOLS) tests/fault/plumb-ipam

check: all $(UNIT_TESTS) fault
	$(Q)tests/run $(UNIT_TESTS) $(wildcard tests/netns/*.sh) $(wildcard tests/stress/*.sh)

# Rules of the code the compiler does not check (tests/lint says which).
lint: $(LIB)
	$(Q)tests/lint

check: lint

# The long torture and crash runs; each test prints its counts.
stress: all fault
	$(Q)VERBOSE=1 STRESS_WORKERS=64 STRESS_ROUNDS=20 STRESS_KILLS=500 \
		tests/run $(wildcard tests/stress/*.sh)

unit: $(UNIT_TESTS)
	$(Q)tests/run $(UNIT_TESTS)

valgrind: all $(UNIT_TESTS)
	$(Q)tests/valgrind/run $(UNIT_TESTS)

bench: all $(BENCH_BINS)
	$(Q)bench/run

demo: all
	$(Q)examples/demo.sh

# libFuzzer harnesses: lib rebuilt with clang, the fuzzer's coverage and ASan
# and UBSan into tests/fuzz/obj/, apart from the objects of "make", so the two
# builds never mix. "make fuzz" runs each harness FUZZ_SECONDS from its seed
# corpus (tests/fuzz/corpus/NAME/) and fails on any crash, leak or timeout.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 10
FUZZ_CFLAGS := -O1 -g $(WARNINGS) $(if $(filter 1,$(WERROR)),-Werror) \
	       -fno-omit-frame-pointer \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB := tests/fuzz/obj/libplumb.a
FUZZ_OBJS := $(patsubst lib/%.c,tests/fuzz/obj/%.o,$(wildcard lib/*.c))
FUZZERS := $(patsubst %.c,%,$(wildcard tests/fuzz/fuzz_*.c))

tests/fuzz/obj/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(LDLIBS)' | cmp -s - $@ || \
		echo '$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(LDLIBS)' > $@

tests/fuzz/obj/%.o: lib/%.c tests/fuzz/obj/.flags
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	$(call quiet,AR,$@)rm -f $@ && $(AR) rcs $@ $^

tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(call quiet,FUZZLD,$@)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) \
		-MMD -MP -MF tests/fuzz/obj/fuzz_$*.d -o $@ $< $(FUZZ_EXTRA) $(FUZZ_LIB) \
		$(LDLIBS) $(FUZZ_EXTRA_LIBS)

# plumb-lab's topology reader is not in lib/: fuzz_lab takes its objects.
FUZZ_LAB_OBJS := $(patsubst lab/%.c,tests/fuzz/obj/lab_%.o,$(wildcard lab/topo*.c))

tests/fuzz/obj/lab_%.o: lab/%.c tests/fuzz/obj/.flags
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

tests/fuzz/fuzz_lab: $(FUZZ_LAB_OBJS)
tests/fuzz/fuzz_lab: FUZZ_EXTRA = $(FUZZ_LAB_OBJS)
tests/fuzz/fuzz_lab: FUZZ_EXTRA_LIBS = $(LAB_LDLIBS)

fuzzers: $(FUZZERS)

# Records the kernel's answers for fuzz_netlink's seeds; tests/fuzz/capture.sh
# runs it in a sandbox, never on the machine's own network.
tests/fuzz/capture: tests/fuzz/capture.c $(LIB)
	$(call quiet,LD,$@)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) \
		-Wl,--wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom

capture: all tests/fuzz/capture
	$(Q)tests/fuzz/capture.sh

fuzz: $(FUZZERS)
	$(Q)tests/fuzz/run $(FUZZ_SECONDS) $(FUZZERS)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(TOOLS) $(DESTDIR)$(SBINDIR)
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man8

# The CNI plugins, named by their types, where runtimes look for them.
install-cni: all
	install -d $(DESTDIR)$(CNI_BIN_DIR)
	install -m 0755 $(CNI_PLUGINS) $(DESTDIR)$(CNI_BIN_DIR)
	ln -f $(DESTDIR)$(CNI_BIN_DIR)/plumb-bridge $(DESTDIR)$(CNI_BIN_DIR)/plumb-ipam

# The same names as symlinks to the tools of "make install": one copy of each
# binary on the machine (the Debian package plumb-cni is made so).
install-cni-links:
	install -d $(DESTDIR)$(CNI_BIN_DIR)
	for t in $(notdir $(CNI_PLUGINS)); do \
		ln -sf $(SBINDIR)/$$t $(DESTDIR)$(CNI_BIN_DIR)/$$t || exit; \
	done
	$(if $(LINKS),ln -sf $(SBINDIR)/plumb-bridge $(DESTDIR)$(CNI_BIN_DIR)/plumb-ipam)

# completion/plumb completes every tool; bash-completion loads a command's
# completion from the file of its name, so each tool gets a link to it.
install-completion:
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 completion/plumb $(DESTDIR)$(BASHCOMPDIR)/$(notdir $(firstword $(TOOLS)))
	for t in $(notdir $(wordlist 2,$(words $(TOOLS)),$(TOOLS))); do \
		ln -sf $(notdir $(firstword $(TOOLS))) $(DESTDIR)$(BASHCOMPDIR)/$$t || exit; \
	done

# Units and examples name the tools where "make install" puts them.
SBIN_SED := sed 's|/usr/local/sbin/|$(SBINDIR)/|g'

# The units are installed, never enabled: see examples/systemd.
install-systemd:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in $(wildcard examples/systemd/*.service examples/systemd/*.timer \
			    examples/systemd/*.path); do \
		$(SBIN_SED) $$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit; \
	done

# Every file in a directory of examples/; demo.sh runs from the source tree.
install-examples:
	for f in $$(find examples -mindepth 2 -type f | sort); do \
		d=$(DESTDIR)$(EXAMPLESDIR)/$${f#examples/}; \
		install -d $${d%/*} && $(SBIN_SED) $$f > $$d && chmod 0644 $$d || exit; \
	done

clean:
	rm -f .flags $(LIB) $(TOOLS) $(LINKS) $(UNIT_TESTS) $(FAULT_TOOLS) tests/fault/plumb-ipam \
		$(BENCH_BINS) \
		$(foreach d,lib netns bridge nat lab tests/unit tests/fault bench,$(d)/*.o $(d)/*.d)
	rm -rf tests/fuzz/obj $(FUZZERS) tests/fuzz/capture

FORCE:
.PHONY: all check unit valgrind fault stress bench fuzzers fuzz capture demo install \
	install-cni clean FORCE
.PHONY: lint
.PHONY: install-cni-links install-completion install-systemd install-examples
.SECONDARY:

-include $(wildcard lib/*.d netns/*.d bridge/*.d nat/*.d lab/*.d tests/unit/*.d tests/fault/*.d \
		    bench/*.d tests/fuzz/obj/*.d)
