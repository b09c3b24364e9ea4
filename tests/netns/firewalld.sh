# SPDX-License-Identifier: GPL-2.0-or-later
# plumb's networks on a host that runs firewalld: Debian's firewalld 1.3,
# started inside the sandbox on a private D-Bus system bus, with
# firewall-cmd, socat and strace as witnesses.
#
#   wan netns                            sandbox "host"
#     eth0 192.0.2.2/24 ==veth== wan0 192.0.2.1/24        (zone: public, the default)
#     10.0.0.0/8 via 192.0.2.1    fwbr1 10.41.0.1/24   net1, through the CNI plugins
#                                   |-- veth == eth0  a   10.41.0.2  port 80 on 8080
#                                   `-- veth == eth0  a2  10.41.0.3
#                                 fwbr2 10.42.0.1/24   net2
#                                   `-- veth == eth0  b   10.42.0.2
#     dbus-daemon --system: /run/dbus (the sandbox's tmpfs)
#     firewalld --nofork:   /etc/firewalld a copy on the sandbox's tmpfs;
#                           its table inet firewalld in the sandbox's netns
#     plumb's records of what it added to firewalld: /var/lib/plumb (tmpfs)
#
# Without plumb, firewalld rejects what the containers send out and, as
# bridge netfilter is on, what they send each other; published ports pass
# (firewalld accepts what was DNATed). plumb puts its bridges in the
# trusted zone, in the runtime and the permanent configuration.
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

# shellcheck source=tests/netns/cni.sh
. "$TOP/tests/netns/cni.sh"

FWD_RECORDS=/var/lib/plumb/firewalld/trusted

# --- firewalld in the sandbox -------------------------------------------------

# fwd_need: firewalld, dbus-daemon and bridge netfilter are here, or skip
fwd_need() {
	command -v firewalld > /dev/null || skip "needs firewalld (apt-get install firewalld)"
	command -v dbus-daemon > /dev/null || skip "needs dbus-daemon (apt-get install dbus)"
	[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] ||
		skip "needs bridge netfilter (br_netfilter)"
}

# fwd_private: the system bus, firewalld's configuration and plumb's records
# of what it added there live on the sandbox's tmpfs. The machine's own
# /etc/firewalld and /var/lib/plumb are never written: the mounts are in
# the sandbox's mount namespace (at most an empty /var/lib/plumb is made
# to mount on, as the sandbox does for /var/lib/cni).
fwd_private() {
	mkdir -p /run/dbus /tmp/firewalld-etc /var/lib/plumb || fail "mkdir"
	cp -a /etc/firewalld/. /tmp/firewalld-etc/ || fail "copy /etc/firewalld"
	ok mount --bind /tmp/firewalld-etc /etc/firewalld
	ok mount -t tmpfs -o mode=0755 tmpfs /var/lib/plumb
	ok dbus-daemon --system --fork --nopidfile
}

# fwd_start: start firewalld and wait until it answers (it takes seconds)
fwd_start() {
	local i
	firewalld --nofork --nopid --log-target console >> /tmp/firewalld.log 2>&1 &
	FWD_PID=$!
	for i in $(seq 300); do
		[ "$(firewall-cmd --state 2> /dev/null)" = running ] && return 0
		kill -0 $FWD_PID 2> /dev/null || break
		sleep 0.2
	done
	fail "firewalld did not start: $(tail -n 20 /tmp/firewalld.log)"
}

# fwd_stop: stop firewalld as systemd does (SIGTERM), and wait for it
fwd_stop() {
	kill $FWD_PID || fail "firewalld is gone"
	wait $FWD_PID
}

# fwd_config: firewalld's zones and policies, runtime and permanent, as
# firewall-cmd lists them
fwd_config() {
	local p
	for p in "" --permanent; do
		echo "== $p"
		firewall-cmd $p --list-all-zones || echo "list-all-zones failed"
		firewall-cmd $p --list-all-policies || echo "list-all-policies failed"
	done
}

# trusted [--permanent]: the interfaces of the trusted zone
trusted() {
	firewall-cmd "$@" --zone=trusted --list-interfaces | tr ' ' '\n' | sort | xargs
}

# --- the host -----------------------------------------------------------------

# net N SUBNET: the plumb chain for network netN on bridge fwbrN
net() {
	conflist /tmp/net$1.conflist 1.0.0 ".name = \"net$1\" |
		.plugins[0].bridge = \"fwbr$1\" |
		.plugins[0].ipam.ranges = [[{subnet: \"$2\"}]]"
}

# host: the host above, its containers made through the CNI front end, and
# a server in wan, a and a2 that answers with the address it was reached from
host() {
	wan
	ok ip -n wan route add 10.0.0.0/8 via 192.0.2.1
	net 1 10.41.0.0/24
	net 2 10.42.0.0/24
	ok ip netns add a
	ok ip netns add a2
	ok ip netns add b
	cni ADD /tmp/net1.conflist ctr-a /run/netns/a eth0 "$PORT80"
	eq "$(jq -r '.ips[0].address' <<< "$R")" 10.41.0.2/24 "a's address"
	cni ADD /tmp/net1.conflist ctr-a2 /run/netns/a2 eth0
	eq "$(jq -r '.ips[0].address' <<< "$R")" 10.41.0.3/24 "a2's address"
	cni ADD /tmp/net2.conflist ctr-b /run/netns/b eth0
	eq "$(jq -r '.ips[0].address' <<< "$R")" 10.42.0.2/24 "b's address"
	serve wan 7000
	serve a 80
	serve a2 7000
}

# works WHEN: egress, same-bridge traffic, the published port and hairpin
works() {
	eq "$(peer a 192.0.2.2 7000)" 192.0.2.1 "a to wan, masqueraded ($1)"
	eq "$(peer b 192.0.2.2 7000)" 192.0.2.1 "b to wan, masqueraded ($1)"
	eq "$(peer a 10.41.0.3 7000)" 10.41.0.2 "a to a2 on their bridge ($1)"
	eq "$(peer wan 192.0.2.1 8080)" 192.0.2.2 "wan to a's published port ($1)"
	eq "$(peer a 192.0.2.1 8080)" 10.41.0.1 "a to its own published port, hairpin ($1)"
	eq "$(peer a2 192.0.2.1 8080)" 10.41.0.1 "a2 to a's published port ($1)"
	# The trusted zone lets the bridges' traffic out; plumb's own policy
	# still keeps the networks apart and the containers out of direct reach.
	eq "$(peer b 192.0.2.1 8080)" 10.41.0.1 "b to a's published port ($1)"
	eq "$(peer b 10.41.0.2 80)" "" "b to a directly, across networks ($1)"
	eq "$(peer wan 10.41.0.2 80)" "" "wan to a directly ($1)"
}

# blocked WHEN: what firewalld rejects from bridges in no zone
blocked() {
	eq "$(peer a 192.0.2.2 7000)" "" "a to wan ($1)"
	eq "$(peer a 10.41.0.3 7000)" "" "a to a2 on their bridge ($1)"
}

# --- tests ----------------------------------------------------------------------

test_firewalld_first_then_containers_work_across_reload_and_restart() {
	local before before_nft
	fwd_need
	fwd_private
	fwd_start
	before=$(fwd_config)
	before_nft=$(nft -s list ruleset)
	host
	works "firewalld first"
	eq "$(trusted)" "fwbr1 fwbr2" "runtime trusted zone"
	eq "$(trusted --permanent)" "fwbr1 fwbr2" "permanent trusted zone"
	eq "$(ls $FWD_RECORDS | xargs)" "fwbr1.json fwbr2.json" "plumb's records"
	eq "$(jq -c . $FWD_RECORDS/fwbr1.json)" \
		'{"interface":"fwbr1","runtime":true,"permanent":true}' "fwbr1's record"

	ok firewall-cmd --reload
	eq "$(trusted)" "fwbr1 fwbr2" "runtime trusted zone after --reload"
	works "after firewall-cmd --reload"

	fwd_stop
	fwd_start
	eq "$(trusted)" "fwbr1 fwbr2" "runtime trusted zone after a restart"
	works "after a restart of firewalld"

	# The bridges stay when their containers go, and so do their zones.
	cni DEL /tmp/net1.conflist ctr-a /run/netns/a eth0
	cni DEL /tmp/net1.conflist ctr-a2 /run/netns/a2 eth0
	cni DEL /tmp/net2.conflist ctr-b /run/netns/b eth0
	eq "$(trusted)" "fwbr1 fwbr2" "runtime trusted zone without containers"
	# A bridge plumb deletes leaves the zone; one that went otherwise (as at
	# a reboot) leaves it when the next network is made.
	ok plumb-bridge del-bridge fwbr2
	eq "$(trusted) / $(trusted --permanent)" "fwbr1 / fwbr1" "trusted zone after del-bridge"
	ok ip link del fwbr1
	net 3 10.43.0.0/24
	ok ip netns add c
	cni ADD /tmp/net3.conflist ctr-c /run/netns/c eth0
	eq "$(trusted) / $(trusted --permanent)" "fwbr3 / fwbr3" \
		"trusted zone after fwbr1 went and fwbr3 came"
	eq "$(ls $FWD_RECORDS | xargs)" fwbr3.json "plumb's records"

	ok plumb-nat flush
	eq "$(fwd_config)" "$before" "firewalld's configuration after plumb-nat flush"
	eq "$(ls -A $FWD_RECORDS)" "" "plumb's records after flush"
	ok plumb-nat flush
	eq "$(fwd_config)" "$before" "firewalld's configuration after a second flush"
	# firewalld keeps the chains of a zone it once used (trusted's) in its
	# table until it reloads; then its table is as before plumb, and there
	# is no other.
	ok firewall-cmd --reload
	eq "$(nft -s list ruleset)" "$before_nft" "the ruleset after flush and firewall-cmd --reload"
}

test_containers_first_then_firewalld_then_reconcile() {
	local before
	fwd_need
	fwd_private
	host
	works "without firewalld"
	[ ! -e $FWD_RECORDS ] || fail "records made without firewalld: $(ls -A $FWD_RECORDS)"

	fwd_start
	blocked "firewalld started after the containers"
	# The administrator's choices, which plumb must leave as they are:
	# fwbr2 in the trusted zone already, fwbr3 in the internal zone.
	ok firewall-cmd --zone=trusted --add-interface=fwbr2
	ok firewall-cmd --permanent --zone=trusted --add-interface=fwbr2
	ok firewall-cmd --zone=internal --add-interface=fwbr3
	ok firewall-cmd --permanent --zone=internal --add-interface=fwbr3
	before=$(fwd_config)

	ok plumb-nat reconcile
	eq "$(trusted)" "fwbr1 fwbr2" "runtime trusted zone after reconcile"
	eq "$(trusted --permanent)" "fwbr1 fwbr2" "permanent trusted zone after reconcile"
	eq "$(ls $FWD_RECORDS | xargs)" fwbr1.json "plumb's records: not the admin's fwbr2"
	works "after plumb-nat reconcile"
	ok plumb-nat reconcile
	eq "$(ls $FWD_RECORDS | xargs)" fwbr1.json "plumb's records after a second reconcile"

	ok firewall-cmd --reload
	works "after firewall-cmd --reload"

	# A network made on the bridge the administrator put in another zone.
	net 3 10.43.0.0/24
	ok ip netns add c
	cni ADD /tmp/net3.conflist ctr-c /run/netns/c eth0
	grep -q "bridge fwbr3 is in firewalld's zone internal; leaving it there" /tmp/.cni ||
		fail "no notice for fwbr3: $(cat /tmp/.cni)"
	eq "$(firewall-cmd --get-zone-of-interface=fwbr3)" internal "fwbr3's runtime zone"
	eq "$(firewall-cmd --permanent --get-zone-of-interface=fwbr3)" internal \
		"fwbr3's permanent zone"

	ok plumb-nat flush
	eq "$(fwd_config)" "$before" "firewalld's configuration after plumb-nat flush"
	eq "$(ls -A $FWD_RECORDS)" "" "plumb's records after flush"

	# Locked down, firewalld refuses plumb (but firewall-cmd): the ADD of a
	# new network fails, saying why, and leaves nothing behind.
	ok firewall-cmd --add-lockdown-whitelist-command='/usr/bin/python3 /usr/bin/firewall-cmd*'
	ok firewall-cmd --remove-lockdown-whitelist-uid=0
	ok firewall-cmd --lockdown-on
	net 4 10.44.0.0/24
	ok ip netns add d
	cni_fails 5 "put bridge fwbr4 in firewalld's runtime zone trusted: ACCESS_DENIED" \
		ADD /tmp/net4.conflist ctr-d /run/netns/d eth0
	! link_exists "" fwbr4 || fail "bridge fwbr4 left"
	gone net4 ctr-d eth0
	eq "$(ls -A $FWD_RECORDS)" "" "plumb's records after a refused ADD"
	eq "$(trusted) / $(trusted --permanent)" "fwbr2 / fwbr2" "the trusted zone"
}

test_without_firewalld_an_add_loads_nothing_and_asks_the_bus_once() {
	fwd_need
	command -v strace > /dev/null || skip "needs strace"
	mkdir -p /var/lib/plumb || fail "mkdir"
	ok mount -t tmpfs -o mode=0755 tmpfs /var/lib/plumb
	net 1 10.41.0.0/24
	net 2 10.42.0.0/24
	ok ip netns add a
	ok ip netns add b
	# LeakSanitizer cannot work under ptrace (make SANITIZE=1).
	export ASAN_OPTIONS=detect_leaks=0
	# No system bus: no library is loaded, no socket connected.
	R=$(strace -f -qq -e trace=openat,connect -o /tmp/strace.a \
		"$TOP/tests/netns/cni-run" ADD /tmp/net1.conflist ctr-a /run/netns/a eth0) ||
		fail "ADD under strace: $R"
	eq "$(jq -r '.ips[0].address' <<< "$R")" 10.41.0.2/24 "a's address"
	eq "$(grep -E 'libsystemd|system_bus_socket' /tmp/strace.a)" "" \
		"what an ADD without a system bus did of D-Bus"
	# A system bus without firewalld: one connection, to ask it; no record.
	mkdir -p /run/dbus || fail "mkdir"
	ok dbus-daemon --system --fork --nopidfile
	R=$(strace -f -qq -e trace=connect -o /tmp/strace.b \
		"$TOP/tests/netns/cni-run" ADD /tmp/net2.conflist ctr-b /run/netns/b eth0) ||
		fail "ADD under strace: $R"
	eq "$(jq -r '.ips[0].address' <<< "$R")" 10.42.0.2/24 "b's address"
	eq "$(grep -c 'system_bus_socket' /tmp/strace.b)" 1 "connections to the bus"
	[ ! -e /var/lib/plumb/firewalld ] || fail "records made without firewalld"
}

test_a_firewalld_that_does_not_answer_fails_the_add_naming_the_call() {
	fwd_need
	fwd_private
	fwd_start
	net 1 10.41.0.0/24
	ok ip netns add a
	# firewalld stopped keeps its name on the bus, and answers nothing:
	# each call gives up after plumb's own limit, not sd-bus's 25 s.
	kill -STOP $FWD_PID || fail "stop firewalld"
	cni_fails 11 "firewalld did not answer [a-zA-Z]+ within 3 s" \
		ADD /tmp/net1.conflist ctr-a /run/netns/a eth0
	grep -qE "in firewalld's runtime zone trusted|zone of fwbr1" <<< "$(jq -r .msg <<< "$E")" ||
		fail "the error does not say what was asked: $E"
	kill -CONT $FWD_PID || fail "continue firewalld"
	! link_exists "" fwbr1 || fail "bridge fwbr1 left"
	gone net1 ctr-a eth0
	cni ADD /tmp/net1.conflist ctr-a /run/netns/a eth0
	eq "$(trusted)" fwbr1 "runtime trusted zone once firewalld answers"
}
