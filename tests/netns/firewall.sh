# SPDX-License-Identifier: GPL-2.0-or-later
# Forwarding policy: plumb's networks next to the firewalls hosts really run
# (a distribution's nftables.conf, iptables-nft as Docker and ufw leave it),
# with nft, iptables-save, socat and ping as the witnesses.
#
#   wan  eth0 192.0.2.2/24, routes 10.0.0.0/8 via the host
#          |  veth
#   host wan0 192.0.2.1/24
#     fw1 10.41.0.1/24  network net1 (plumb-bridge + plumb-nat, through CNI)
#       |-- a  10.41.0.2   port 80 published on the host's 8080
#       `-- a2 10.41.0.3
#     fw2 10.42.0.1/24  network net2
#       `-- b  10.42.0.2
#
# Both networks are masqueraded. Every server answers each connection with
# the address it came from, so a check says who reached whom and as whom.
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

EX=$TOP/examples/cni
HOST=192.0.2.1
WAN=192.0.2.2
A=10.41.0.2
A2=10.41.0.3
B=10.42.0.2
PORT80='{"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}'

# --- the host ------------------------------------------------------------------

# conflist FILE NAME BRIDGE SUBNET: examples/cni/plumb.conflist for one network
conflist() {
	jq --arg n "$2" --arg br "$3" --arg s "$4" '.name = $n |
		.plugins[0].bridge = $br | .plugins[0].ipam.ranges = [[{subnet: $s}]]' \
		"$EX/plumb.conflist" > "$1" || fail "conflist $*"
}

# cni ARGS...: tests/netns/cni-run ARGS must succeed
cni() {
	"$TOP/tests/netns/cni-run" "$@" > /tmp/.cni 2>&1 || fail "cni-run $*: $(cat /tmp/.cni)"
}

# containers: net1 and net2 with a, a2 and b, through the CNI front end
containers() {
	conflist /tmp/net1.conflist net1 fw1 10.41.0.0/24
	conflist /tmp/net2.conflist net2 fw2 10.42.0.0/24
	ok ip netns add a
	ok ip netns add a2
	ok ip netns add b
	cni ADD /tmp/net1.conflist ctr-a /run/netns/a eth0 "$PORT80"
	cni ADD /tmp/net1.conflist ctr-a2 /run/netns/a2 eth0
	cni ADD /tmp/net2.conflist ctr-b /run/netns/b eth0
	eq "$(ip -n a -j addr show dev eth0 | jq -r '.[0].addr_info[0].local')" $A "a's address"
	eq "$(ip -n b -j addr show dev eth0 | jq -r '.[0].addr_info[0].local')" $B "b's address"
	serve a 80
	serve a 81
	serve a2 80
	serve wan 7000
}

# host: the wan side (routing 10.0.0.0/8 to the host), then the containers
host() {
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	containers
}

# serve NS PORT: a TCP server in NS on PORT answering with the client's address
serve() {
	local i
	ip netns exec "$1" socat TCP-LISTEN:"$2",fork,reuseaddr \
		SYSTEM:'echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
	for i in $(seq 50); do
		[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ] && return 0
		sleep 0.05
	done
	fail "no server on port $2 in $1"
}

# peer NS ADDR PORT: what the server at ADDR:PORT says to NS ("" if nothing
# answers within 3 s)
peer() {
	ip netns exec "$1" timeout 4 socat -T 3 - TCP:"$2":"$3",connect-timeout=3 \
		< /dev/null 2> /dev/null
}

# reaches NS ADDR PORT SEEN: NS reaches ADDR:PORT and is seen there as SEEN
reaches() {
	eq "$(peer "$1" "$2" "$3")" "$4" "$1 to $2:$3, as seen there"
}

# refused NS ADDR PORT: nothing answers NS at ADDR:PORT
refused() {
	local got
	got=$(peer "$1" "$2" "$3")
	[ -z "$got" ] || fail "$1 reached $2:$3 (seen as $got)"
}

# works: what every container host needs, whatever else filters forwarding:
# egress (masqueraded), the published port from outside, two containers of
# one bridge, and hairpin (a container to its own published port)
works() {
	reaches a $WAN 7000 $HOST
	reaches b $WAN 7000 $HOST
	reaches wan $HOST 8080 $WAN
	reaches a2 $A 80 $A2
	reaches a $HOST 8080 10.41.0.1
}

# foreign: the ruleset without plumb's own table, as nft -s lists it
foreign() {
	nft -s list ruleset | awk '/^table inet plumb \{/ { skip = 1 }
		!skip { print } skip && /^\}/ { skip = 0 }'
}

# tagged: how many rules of the ruleset carry plumb's tag
tagged() {
	nft -j list ruleset | jq '[.nftables[] | select(.rule) | .rule |
		select(.comment? // "" | startswith("plumb: "))] | length'
}

# --- a distribution's nftables.conf -------------------------------------------

# nftables_conf: what Debian's /etc/nftables.conf becomes when a host drops
# what it does not forward on purpose (nftables.service loads it with
# "flush ruleset" first)
nftables_conf() {
	nft -f - <<- 'EOF' || fail "nft -f"
	flush ruleset
	table inet filter {
		chain input {
			type filter hook input priority filter; policy accept;
		}
		chain forward {
			type filter hook forward priority filter; policy drop;
			ct state established,related accept
		}
		chain output {
			type filter hook output priority filter; policy accept;
		}
	}
	EOF
}

test_nftables_conf_forward_drop_first_then_containers() {
	local before
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	nftables_conf
	before=$(foreign)
	containers
	works
	eq "$(nft -j list chain inet filter forward | jq -c '[.nftables[] | select(.rule) |
		.rule | [(.expr[0].match.left.meta.key), .expr[0].match.right,
		(.expr[-1] | keys[0]), .comment]] | .[:2]')" \
		'[["iifgroup",28780,"accept","plumb: lets plumb bridges through; plumb-nat flush removes it"],["oifgroup",28780,"accept","plumb: lets plumb bridges through; plumb-nat flush removes it"]]' \
		"plumb's two rules at the head of inet filter forward"
	eq "$(tagged)" 2 "tagged rules"
	ok plumb-nat flush
	eq "$(nft -s list ruleset)" "$before" "the ruleset after plumb-nat flush"
	ok plumb-nat flush
	eq "$(nft -s list ruleset)" "$before" "the ruleset after a second flush"
}

test_containers_first_then_nftables_conf_then_reconcile() {
	local before conf
	host
	works
	nftables_conf
	# Its "flush ruleset" took plumb's table too: this is the host's alone.
	conf=$(nft -s list ruleset)
	refused a $WAN 7000
	refused wan $HOST 8080
	ok plumb-nat reconcile
	works
	eq "$(tagged)" 2 "tagged rules"
	# A second reconcile finds everything there and changes nothing.
	before=$(nft -s list ruleset)
	ok plumb-nat reconcile
	eq "$(nft -s list ruleset)" "$before" "the ruleset after a second reconcile"
	ok plumb-nat flush
	eq "$(nft -s list ruleset)" "$conf" "the ruleset after plumb-nat flush"
}

test_notice_names_the_chain_once() {
	local err
	wan
	nftables_conf
	conflist /tmp/net1.conflist net1 fw1 10.41.0.0/24
	ok ip netns add a
	ok ip netns add a2
	"$TOP/tests/netns/cni-run" ADD /tmp/net1.conflist ctr-a /run/netns/a eth0 \
		> /dev/null 2> /tmp/.err || fail "ADD: $(cat /tmp/.err)"
	grep -q "notice: nftables chain inet filter forward drops what it does not accept" \
		/tmp/.err || fail "no notice naming the chain: $(cat /tmp/.err)"
	"$TOP/tests/netns/cni-run" ADD /tmp/net1.conflist ctr-a2 /run/netns/a2 eth0 \
		> /dev/null 2> /tmp/.err || fail "ADD: $(cat /tmp/.err)"
	err=$(cat /tmp/.err)
	eq "$err" "" "what the second ADD said, with the rules there"
	eq "$(tagged)" 2 "tagged rules"
}

# owned_table: a table "owned" with a forward chain of policy drop that only
# the process that made it may change (nftables' "flags owner", as
# firewalld and systemd make theirs): an nft -i kept running holds it
owned_table() {
	mkfifo /tmp/owner.in || fail "mkfifo"
	nft -i < /tmp/owner.in > /tmp/owner.out 2>&1 &
	OWNER_PID=$!
	exec 7> /tmp/owner.in
	echo 'add table inet owned { flags owner; }' >&7
	echo 'add chain inet owned fwd_drop { type filter hook forward priority 10; policy drop; }' >&7
	while ! nft list chain inet owned fwd_drop > /dev/null 2>&1; do
		kill -0 $OWNER_PID 2> /dev/null || fail "nft -i: $(cat /tmp/owner.out)"
		sleep 0.1
	done
	nft add rule inet owned fwd_drop accept 2> /dev/null &&
		fail "another process could write the owned table"
}

test_an_owned_table_is_skipped_and_the_others_get_the_rules() {
	local before
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	nftables_conf
	owned_table
	before=$(nft -s list table inet owned)
	conflist /tmp/net1.conflist net1 fw1 10.41.0.0/24
	ok ip netns add a
	"$TOP/tests/netns/cni-run" ADD /tmp/net1.conflist ctr-a /run/netns/a eth0 \
		> /dev/null 2> /tmp/.err || fail "ADD: $(cat /tmp/.err)"
	grep -q "warning: nftables chain inet owned fwd_drop drops what it does not accept, but another process owns table owned" \
		/tmp/.err || fail "no warning naming the owned chain: $(cat /tmp/.err)"
	grep -q "notice: nftables chain inet filter forward drops" /tmp/.err ||
		fail "no notice for inet filter forward: $(cat /tmp/.err)"
	eq "$(nft -s list table inet owned)" "$before" "the owned table"
	eq "$(tagged)" 2 "tagged rules, all in inet filter"
	# When its owner goes, so does the table (the kernel deletes it).
	exec 7>&-
	wait $OWNER_PID
	nft list table inet owned > /dev/null 2>&1 && fail "the owned table outlived its owner"
	ok plumb-nat reconcile
	eq "$(tagged)" 2 "tagged rules after reconcile"
	ok plumb-nat flush
	eq "$(tagged)" 0 "tagged rules after plumb-nat flush"
}

# --- iptables-nft: Docker's and ufw's FORWARD policy drop -------------------------

# docker_like: the filter table as dockerd (--iptables) leaves it, without
# dockerd: FORWARD policy drop, the jump to DOCKER-USER first
docker_like() {
	ok iptables-nft -P FORWARD DROP
	ok iptables-nft -N DOCKER-USER
	ok iptables-nft -A DOCKER-USER -j RETURN
	ok iptables-nft -N DOCKER-ISOLATION-STAGE-1
	ok iptables-nft -A DOCKER-ISOLATION-STAGE-1 -j RETURN
	ok iptables-nft -A FORWARD -j DOCKER-USER
	ok iptables-nft -A FORWARD -j DOCKER-ISOLATION-STAGE-1
	ok iptables-nft -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	ok iptables-nft -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
}

# ufw_like: the chains of ufw's default policy "deny (routed)"
ufw_like() {
	local c
	ok iptables-nft -P FORWARD DROP
	ok ip6tables-nft -P FORWARD DROP
	for c in ufw-before-forward ufw-after-forward ufw-reject-forward ufw-track-forward; do
		ok iptables-nft -N $c
		ok iptables-nft -A FORWARD -j $c
		ok ip6tables-nft -N $c
		ok ip6tables-nft -A FORWARD -j $c
	done
	ok iptables-nft -A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
}

# saved: iptables-save and ip6tables-save without their comments and the
# counters traffic moves
saved() {
	{ iptables-nft-save; ip6tables-nft-save; } | grep -v '^#' |
		sed 's/ \[[0-9]*:[0-9]*\]$//'
}

# readable: iptables-save reads every table, in both families
readable() {
	local out
	for t in iptables-nft-save ip6tables-nft-save; do
		out=$($t 2>&1) || fail "$t failed: $out"
		! grep -qi "incompatible\|unsupported" <<< "$out" || fail "$t: $out"
	done
}

test_iptables_nft_docker_user_gets_the_rules_first_then_containers() {
	local before
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	docker_like
	before=$(saved)
	containers
	works
	readable
	eq "$(iptables-nft -S DOCKER-USER)" "-N DOCKER-USER
-A DOCKER-USER -m devgroup --src-group 0x706c -m comment --comment \"plumb: lets plumb bridges through; plumb-nat flush removes it\" -j ACCEPT
-A DOCKER-USER -m devgroup --dst-group 0x706c -m comment --comment \"plumb: lets plumb bridges through; plumb-nat flush removes it\" -j ACCEPT
-A DOCKER-USER -j RETURN" "DOCKER-USER"
	eq "$(iptables-nft -S FORWARD | head -n 3)" "-P FORWARD DROP
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1" "FORWARD, as Docker left it"
	ok plumb-nat flush
	eq "$(saved)" "$before" "iptables-save after plumb-nat flush"
}

test_containers_first_then_ufw_like_then_reconcile() {
	local before
	host
	ufw_like
	before=$(saved)
	refused a $WAN 7000
	ok plumb-nat reconcile
	works
	readable
	eq "$(iptables-nft -S FORWARD | head -n 3 | cut -d' ' -f1-8)" "-P FORWARD DROP
-A FORWARD -m devgroup --src-group 0x706c -m comment
-A FORWARD -m devgroup --dst-group 0x706c -m comment" "the head of FORWARD"
	eq "$(ip6tables-nft -S FORWARD | grep -c 'plumb: ')" 2 "ip6tables FORWARD"
	ok plumb-nat flush
	eq "$(saved)" "$before" "iptables-save after plumb-nat flush"
}

# --- iptables-legacy (x_tables) ------------------------------------------------------

# legacy_saved [6]: iptables-legacy-save (or ip6tables-legacy-save) without
# its comments and counters
legacy_saved() {
	ip${1:-}tables-legacy-save | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//'
}

# docker_like_legacy: docker_like, with iptables-legacy; and an INPUT rule
# that counts what wan sends the host
docker_like_legacy() {
	ok iptables-legacy -P FORWARD DROP
	ok iptables-legacy -N DOCKER-USER
	ok iptables-legacy -A DOCKER-USER -j RETURN
	ok iptables-legacy -A FORWARD -j DOCKER-USER
	ok iptables-legacy -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	ok iptables-legacy -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
	ok iptables-legacy -A INPUT -i wan0 -p icmp -j ACCEPT
	ok ip6tables-legacy -P FORWARD DROP
}

# icmp_counted: the packets the INPUT rule of docker_like_legacy counted
icmp_counted() {
	iptables-legacy -L INPUT -v -x -n | awk '$3 == "ACCEPT" && $4 == "1" { print $1 }'
}

test_iptables_legacy_forward_drop_first_then_containers() {
	local before before6 n
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	docker_like_legacy
	ok ip netns exec wan ping -c 3 -i 0.2 -W 2 $HOST
	n=$(icmp_counted)
	[ "$n" -ge 3 ] || fail "the INPUT rule counted $n packets"
	before=$(legacy_saved)
	before6=$(legacy_saved 6)
	containers
	works
	eq "$(iptables-legacy -S DOCKER-USER)" "-N DOCKER-USER
-A DOCKER-USER -m devgroup --src-group 0x706c -m comment --comment \"plumb: lets plumb bridges through; plumb-nat flush removes it\" -j ACCEPT
-A DOCKER-USER -m devgroup --dst-group 0x706c -m comment --comment \"plumb: lets plumb bridges through; plumb-nat flush removes it\" -j ACCEPT
-A DOCKER-USER -j RETURN" "DOCKER-USER"
	eq "$(ip6tables-legacy -S FORWARD | grep -c 'plumb: ')" 2 "ip6tables-legacy FORWARD"
	# Replacing the table kept the counters of the rules already there.
	[ "$(icmp_counted)" -ge "$n" ] || fail "the INPUT rule's count went from $n to $(icmp_counted)"
	ok plumb-nat flush
	eq "$(legacy_saved)" "$before" "iptables-legacy-save after plumb-nat flush"
	eq "$(legacy_saved 6)" "$before6" "ip6tables-legacy-save after plumb-nat flush"
	[ "$(icmp_counted)" -ge "$n" ] || fail "the INPUT rule's count went from $n to $(icmp_counted)"
}

test_containers_first_then_iptables_legacy_then_reconcile() {
	local before before6
	host
	docker_like_legacy
	before=$(legacy_saved)
	before6=$(legacy_saved 6)
	refused a $WAN 7000
	refused wan $HOST 8080
	ok plumb-nat reconcile
	works
	# Once is enough: a second reconcile finds the rules there.
	ok plumb-nat reconcile
	eq "$(iptables-legacy -S DOCKER-USER | grep -c 'plumb: ')" 2 "plumb's rules"
	ok plumb-nat flush
	eq "$(legacy_saved)" "$before" "iptables-legacy-save after plumb-nat flush"
	eq "$(legacy_saved 6)" "$before6" "ip6tables-legacy-save after plumb-nat flush"
	refused a $WAN 7000
}

# xt_lock_hold: a process (XT_HOLDER) holds iptables' lock, as an iptables
# that hangs does (the sandbox's /run is its own)
xt_lock_hold() {
	(
		exec 8> /run/xtables.lock
		flock 8 && exec sleep 600
	) &
	XT_HOLDER=$!
	while flock -n /run/xtables.lock true; do sleep 0.1; done
}

test_an_iptables_that_holds_its_lock_fails_the_add_after_a_bound() {
	wan
	docker_like_legacy
	conflist /tmp/net1.conflist net1 fw1 10.41.0.0/24
	ok ip netns add a
	xt_lock_hold
	! "$TOP/tests/netns/cni-run" ADD /tmp/net1.conflist ctr-a /run/netns/a eth0 \
		> /tmp/.cni 2>&1 || fail "ADD succeeded without the lock: $(cat /tmp/.cni)"
	grep -q "take /run/xtables.lock: another program has held it for 5 s" /tmp/.cni ||
		fail "the error does not name the lock: $(cat /tmp/.cni)"
	eq "$(legacy_saved | grep -c "plumb: ")" 0 "plumb's rules without the lock"
	kill $XT_HOLDER
	wait $XT_HOLDER
	cni ADD /tmp/net1.conflist ctr-a /run/netns/a eth0
	eq "$(iptables-legacy -S DOCKER-USER | grep -c 'plumb: ')" 2 "plumb's rules once it is free"
}

# --- the forwarding policy: isolation and the direct-access guard -----------------

# policy BRIDGE: the bridge's policy as plumb-nat lists it, "" for none
policy() {
	plumb-nat -j list | jq -r --arg b "$1" '.networks[] | select(.bridge == $b) |
		"isolate=\(.isolate) direct_access=\(.direct_access) owner=\(.owner)"'
}

test_networks_made_through_cni_are_isolated_but_published_ports_reach_across() {
	host
	eq "$(policy fw1)" "isolate=true direct_access=false owner=network@net1" "net1's policy"
	eq "$(policy fw2)" "isolate=true direct_access=false owner=network@net2" "net2's policy"
	serve b 80
	refused b $A 80
	refused b $A 81
	refused a $B 80
	refused a2 $B 80
	# Through the host's address, a published port is reachable from
	# another network, as from anywhere (b masqueraded towards a's bridge).
	reaches b $HOST 8080 10.41.0.1
	reaches b 10.42.0.1 8080 10.41.0.1
	# Within a network, and out of it, nothing changes.
	reaches a2 $A 81 $A2
	reaches a $WAN 7000 $HOST
	# The host itself reaches every container: that is not forwarding.
	eq "$(timeout 4 socat -T 3 - TCP:$A:81,connect-timeout=3 < /dev/null 2> /dev/null)" \
		10.41.0.1 "the host to a:81"
}

test_direct_access_from_outside_is_refused_published_or_not() {
	host
	# wan routes 10.0.0.0/8 to the host, but reaches neither a port a
	# publishes (80, published as 8080) nor one it does not (81)...
	refused wan $A 80
	refused wan $A 81
	# ...only the published port, through the host's address.
	reaches wan $HOST 8080 $WAN
	works
}

test_isolate_false_and_direct_access_true_open_a_network_up() {
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	conflist /tmp/net1.conflist net1 fw1 10.41.0.0/24
	conflist /tmp/net2.conflist net2 fw2 10.42.0.0/24
	for n in net1 net2; do
		jq '.plugins[0] += {isolate: false, directAccess: true}' /tmp/$n.conflist \
			> /tmp/open.conflist && mv /tmp/open.conflist /tmp/$n.conflist
	done
	ok ip netns add a
	ok ip netns add b
	cni ADD /tmp/net1.conflist ctr-a /run/netns/a eth0 "$PORT80"
	cni ADD /tmp/net2.conflist ctr-b /run/netns/b eth0
	serve a 81
	eq "$(policy fw1)" "" "net1's policy"
	eq "$(nft -j list set inet plumb samebr | jq '.nftables[1].set.elem // [] | length')" 0 \
		"samebr"
	reaches wan $A 81 $WAN
	reaches b $A 81 $B
}

test_a_changed_policy_takes_back_what_it_no_longer_asks() {
	host
	jq '.plugins[0] += {directAccess: true}' /tmp/net1.conflist > /tmp/net1b.conflist
	ok ip netns add a3
	cni ADD /tmp/net1b.conflist ctr-a3 /run/netns/a3 eth0
	eq "$(policy fw1)" "isolate=true direct_access=true owner=network@net1" "net1's policy"
	reaches wan $A 81 $WAN
	refused b $A 81
	jq '.plugins[0] += {isolate: false, directAccess: true}' /tmp/net1.conflist \
		> /tmp/net1c.conflist
	ok ip netns add a4
	cni ADD /tmp/net1c.conflist ctr-a4 /run/netns/a4 eth0
	eq "$(policy fw1)" "" "net1's policy"
	# b's own network is still isolated: b still reaches nothing of net1.
	refused b $A 81
}

test_the_policy_survives_a_flushed_ruleset_through_reconcile() {
	local before
	host
	before=$(nft -s list table inet plumb)
	ok nft flush ruleset
	reaches wan $A 81 $WAN
	ok plumb-nat reconcile
	eq "$(nft -s list table inet plumb)" "$before" "table inet plumb after reconcile"
	refused wan $A 81
	refused b $A 81
	works
}

test_peers_in_non_masquerade_cidrs_reach_the_network_directly() {
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	ok ip -n wan addr add 192.0.2.3/24 dev eth0
	conflist /tmp/net1.conflist net1 fw1 10.41.0.0/24
	jq '.plugins[0] += {ipMasq: true, nonMasqueradeCIDRs: ["192.0.2.2/32"]}' \
		/tmp/net1.conflist > /tmp/peers.conflist
	ok ip netns add a
	cni ADD /tmp/peers.conflist ctr-a /run/netns/a eth0
	serve a 81
	eq "$(policy fw1)" "isolate=true direct_access=false owner=network@net1" "net1's policy"
	# 192.0.2.2, a peer, reaches a directly and is seen as itself...
	reaches wan $A 81 $WAN
	# ...192.0.2.3 is not a peer.
	eq "$(ip netns exec wan timeout 4 socat -T 3 - \
		TCP:$A:81,connect-timeout=3,bind=192.0.2.3 < /dev/null 2> /dev/null)" "" \
		"192.0.2.3 to a:81"
}

# --- by hand and through the OCI hooks --------------------------------------------

test_command_line_networks_route_unless_asked_otherwise() {
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	ok ip netns add c
	ok ip netns add d
	ok plumb-bridge add c --bridge br1 --subnet 10.41.0.0/24
	ok plumb-bridge add d --bridge br2 --subnet 10.42.0.0/24
	serve c 81
	eq "$(nft list tables)" "" "tables"
	reaches wan 10.41.0.2 81 $WAN
	reaches d 10.41.0.2 81 10.42.0.2
	ok plumb-bridge add --bridge br1 --subnet 10.41.0.0/24 --isolate --no-direct-access
	eq "$(policy br1)" "isolate=true direct_access=false owner=network@br1" "br1's policy"
	refused wan 10.41.0.2 81
	refused d 10.41.0.2 81
	ok plumb-bridge add --bridge br1 --subnet 10.41.0.0/24 --no-isolate --direct-access
	eq "$(policy br1)" "" "br1's policy after --no-isolate --direct-access"
	reaches d 10.41.0.2 81 10.42.0.2
	# The bridge's policy goes with it.
	ok plumb-bridge add --bridge br1 --subnet 10.41.0.0/24 --isolate
	ok plumb-bridge del c --network br1
	ok plumb-bridge del-bridge br1
	eq "$(policy br1)" "" "br1's policy after del-bridge"
	eq "$(find /run/plumb/nat -name 'net-*')" "" "policy records after del-bridge"
}

test_oci_hook_networks_are_isolated_unless_the_hook_says_otherwise() {
	local state
	ok ip netns add c
	ip netns exec c sleep 600 &
	state=$(jq -nc --argjson pid $! '{ociVersion: "1.0.2", id: "ctr-c",
		status: "creating", pid: $pid, bundle: "/tmp", annotations: {}}')
	ok plumb-bridge oci-hook create --bridge br1 --subnet 10.41.0.0/24 <<< "$state"
	eq "$(policy br1)" "isolate=true direct_access=false owner=network@br1" "br1's policy"
	eq "$(jq -c '{made_by, isolate, direct_access}' /run/plumb/nat/network@br1/net-br1.json)" \
		'{"made_by":"oci","isolate":true,"direct_access":false}' "the policy's record"
	ok plumb-bridge oci-hook delete --bridge br1 <<< "$state"
	ok plumb-bridge oci-hook create --bridge br1 --subnet 10.41.0.0/24 \
		--no-isolate --direct-access <<< "$state"
	eq "$(policy br1)" "" "br1's policy with --no-isolate --direct-access"
	ok plumb-bridge oci-hook delete --bridge br1 <<< "$state"
	# The administrator's policy file may say it network by network; no
	# annotation can.
	echo '{"networks": {"br1": {"subnets": ["10.41.0.0/24"], "directAccess": true}}}' \
		> /tmp/policy.json
	ok plumb-bridge oci-hook create --bridge br1 --subnet 10.41.0.0/24 \
		--policy /tmp/policy.json <<< "$state"
	eq "$(policy br1)" "isolate=true direct_access=true owner=network@br1" \
		"br1's policy as the policy file declares it"
}

# --- plumb-nat behind the reference bridge plugin ---------------------------------

# ref_net NAME [START END]: the reference bridge and plumb-nat, network NAME
# on bridge cni-ref0, subnet 10.41.0.0/24 (of which NAME hands out START to
# END), in /tmp/NAME.conflist
ref_net() {
	jq --arg n "$1" --arg s "${2:-}" --arg e "${3:-}" '.name = $n |
		.plugins[0].bridge = "cni-ref0" |
		.plugins[0].ipam.ranges = [[{subnet: "10.41.0.0/24"} +
			if $s != "" then {rangeStart: $s, rangeEnd: $e} else {} end]] |
		.plugins += [{type: "plumb-nat", capabilities: {portMappings: true}}]' \
		"$EX/bridge-plumb-ipam.conflist" > /tmp/$1.conflist || fail "ref_net $*"
}

# ref_host: wan (routing 10.0.0.0/8 to the host), Docker's FORWARD drop, and
# network ref with a (its port 80 published on 8080) and a2
ref_host() {
	[ -x /usr/lib/cni/bridge ] || skip "needs the reference plugins in /usr/lib/cni"
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	docker_like
	ref_net ref
	ok ip netns add a
	ok ip netns add a2
	cni ADD /tmp/ref.conflist ctr-a /run/netns/a eth0 "$PORT80"
	cni ADD /tmp/ref.conflist ctr-a2 /run/netns/a2 eth0
}

test_reference_bridge_with_plumb_nat_hairpins_isolates_and_passes_forward_drop() {
	local list=/tmp/ref.conflist
	ref_host
	serve a 80
	serve a 81
	serve wan 7000
	eq "$(ip -j -d link show dev cni-ref0 | jq -r '.[0].group')" 28780 "cni-ref0's group (0x706c)"
	eq "$(policy cni-ref0)" "isolate=true direct_access=false owner=network@ref" "the policy"
	# The reference plugin masquerades nothing (no ipMasq): wan answers
	# through its route to 10.0.0.0/8.
	reaches a $WAN 7000 $A
	reaches wan $HOST 8080 $WAN
	reaches a2 $A 80 $A2
	# Hairpin, to its own published port, and a neighbour's.
	reaches a $HOST 8080 10.41.0.1
	reaches a2 $HOST 8080 10.41.0.1
	refused wan $A 81
	readable
}

# group DEV: DEV's interface group as ip prints it (0 is "default")
group() {
	ip -j -d link show dev "$1" | jq -r '.[0].group'
}

# hairpin NS: the hairpin mode of the host end of NS's eth0
hairpin() {
	local peer
	peer=$(ip -n "$1" -j link show dev eth0 | jq -r '.[0].link_index')
	ip -j -d link show | jq -r --argjson i "$peer" \
		'.[] | select(.ifindex == $i) | .linkinfo.info_slave_data.hairpin'
}

test_reference_bridge_leaves_plumbs_group_with_its_last_container() {
	local list=/tmp/ref.conflist
	ref_host
	eq "$(group cni-ref0)" 28780 "cni-ref0's group with two containers"
	eq "$(hairpin a)" true "a's port's hairpin mode"
	cni DEL $list ctr-a /run/netns/a eth0
	eq "$(group cni-ref0)" 28780 "cni-ref0's group with a2 left"
	cni DEL $list ctr-a2 /run/netns/a2 eth0
	eq "$(group cni-ref0)" default "cni-ref0's group without plumb's containers"
	eq "$(policy cni-ref0)" "" "the policy without plumb's containers"

	# A chain without plumb-nat puts c on the bridge: Docker's FORWARD
	# drop applies to it again, as to any bridge plumb does not serve.
	jq 'del(.plugins[1])' $list > /tmp/bare.conflist
	ok ip netns add c
	cni ADD /tmp/bare.conflist ctr-c /run/netns/c eth0
	serve c 80
	refused wan "$(ip -n c -j addr show dev eth0 | jq -r '.[0].addr_info[0].local')" 80
}

test_reference_bridge_is_given_back_when_plumb_nat_fails() {
	local list=/tmp/ref.conflist
	[ -x /usr/lib/cni/bridge ] || skip "needs the reference plugins in /usr/lib/cni"
	wan
	docker_like_legacy
	ref_net ref
	ok ip netns add a
	# plumb-nat fails at its last step: iptables' lock is held.
	xt_lock_hold
	! "$TOP/tests/netns/cni-run" ADD $list ctr-a /run/netns/a eth0 "$PORT80" \
		> /tmp/.cni 2>&1 || fail "ADD succeeded without the lock: $(cat /tmp/.cni)"
	grep -q "take /run/xtables.lock" /tmp/.cni || fail "ADD failed otherwise: $(cat /tmp/.cni)"
	kill $XT_HOLDER
	eq "$(group cni-ref0)" default "cni-ref0's group after the failed ADD"
	eq "$(hairpin a)" false "a's port's hairpin mode after the failed ADD"
	eq "$(policy cni-ref0)" "" "the policy after the failed ADD"
	eq "$(ls -A /run/plumb/cni-nat/ref 2> /dev/null)" "" "plumb-nat's records"
}

# plumb-nat flush gives the bridges plumb adopted their group back, and the
# ports their hairpin mode; reconcile makes them plumb's again. A record of
# a plumb-nat that did not keep the group (network old, on cni-old0) leaves
# its bridge in plumb's group.
test_reference_bridge_is_given_back_by_flush_and_taken_again_by_reconcile() {
	local rec=/run/plumb/cni-nat/old/ctr-c:eth0.json
	ref_host
	serve a 80
	jq '.name = "old" | .plugins[0].bridge = "cni-old0" |
		.plugins[0].ipam.ranges = [[{subnet: "10.43.0.0/24"}]]' /tmp/ref.conflist \
		> /tmp/old.conflist
	ok ip netns add c
	cni ADD /tmp/old.conflist ctr-c /run/netns/c eth0
	[ -f $rec ] || fail "no record $rec: $(find /run/plumb/cni-nat)"
	jq -c 'del(.bridge)' $rec > /tmp/rec && ok cp /tmp/rec $rec
	eq "$(group cni-ref0) $(hairpin a) $(hairpin a2)" "28780 true false" "adopted"
	ok plumb-nat flush
	eq "$(group cni-ref0) $(hairpin a) $(hairpin a2)" "default false false" \
		"cni-ref0 and its ports after flush"
	eq "$(group cni-old0)" 28780 "cni-old0, of a record without its group, after flush"
	eq "$(iptables-nft-save | grep -c 'plumb: ')" 0 "plumb's rules after flush"
	ok plumb-nat flush
	eq "$(group cni-ref0) $(hairpin a)" "default false" "after a second flush"
	ok plumb-nat reconcile
	eq "$(group cni-ref0) $(hairpin a) $(hairpin a2)" "28780 true false" "after reconcile"
	reaches wan $HOST 8080 $WAN
	reaches a $HOST 8080 10.41.0.1
	cni DEL /tmp/ref.conflist ctr-a /run/netns/a eth0
	cni DEL /tmp/ref.conflist ctr-a2 /run/netns/a2 eth0
	eq "$(group cni-ref0)" default "cni-ref0's group after the last DEL"
}

# stopped_at STEP WHAT ARGS...: cni-run ARGS with the fault tools, which stop
# each time they pass STEP; at each stop, cni-ref0 must be isolated and
# guarded still (WHAT says when)
stopped_at() {
	local step=$1 what=$2 pid p stops=0
	shift 2
	CNI_RUN_PATH=$TOP/tests/fault PLUMB_FAULT=$step:stop \
		"$TOP/tests/netns/cni-run" "$@" > /tmp/.cni 2>&1 &
	pid=$!
	while kill -0 $pid 2> /dev/null; do
		for p in $(ps -eo pid=,stat= | awk '$2 ~ /^T/ { print $1 }'); do
			eq "$(policy cni-ref0 | cut -d' ' -f1-2)" \
				"isolate=true direct_access=false" "cni-ref0's policy at $step ($what)"
			stops=$((stops + 1))
			kill -CONT $p
		done
		sleep 0.05
	done
	wait $pid || fail "cni-run $*: $(cat /tmp/.cni)"
	[ $stops -gt 0 ] || fail "never stopped at $step ($what)"
}

test_a_network_leaving_a_shared_bridge_never_unguards_the_other() {
	local step
	[ -x /usr/lib/cni/bridge ] || skip "needs the reference plugins in /usr/lib/cni"
	[ -x "$TOP/tests/fault/plumb-nat" ] || skip "needs the fault tools (make fault)"
	ref_net r1 10.41.0.10 10.41.0.99
	ref_net r2 10.41.0.100 10.41.0.199
	ok ip netns add a
	ok ip netns add b
	# r1 comes first, so its owner holds the bridge's policy; r2 asks the
	# same. r1's DEL is stopped at every step it passes: r2's bridge keeps
	# its policy throughout, then holds it alone.
	for step in nft-deleted nft-handed-over; do
		cni ADD /tmp/r1.conflist ctr-a /run/netns/a eth0 "$PORT80"
		cni ADD /tmp/r2.conflist ctr-b /run/netns/b eth0
		eq "$(policy cni-ref0)" "isolate=true direct_access=false owner=network@r1" \
			"the policy with both networks"
		stopped_at $step "r1's DEL" DEL /tmp/r1.conflist ctr-a /run/netns/a eth0
		eq "$(policy cni-ref0)" "isolate=true direct_access=false owner=network@r2" \
			"the policy, r2's alone"
		cni DEL /tmp/r2.conflist ctr-b /run/netns/b eth0
		eq "$(policy cni-ref0)" "" "the policy without containers"
	done
	# Killed once it handed over: what is left is r2's, and a DEL again
	# finishes (the record r1 kept).
	cni ADD /tmp/r1.conflist ctr-a /run/netns/a eth0
	cni ADD /tmp/r2.conflist ctr-b /run/netns/b eth0
	CNI_RUN_PATH=$TOP/tests/fault PLUMB_FAULT=nft-handed-over \
		"$TOP/tests/netns/cni-run" DEL /tmp/r1.conflist ctr-a /run/netns/a eth0 \
		> /tmp/.cni 2>&1 && fail "r1's DEL was not killed"
	eq "$(policy cni-ref0)" "isolate=true direct_access=false owner=network@r2" \
		"the policy after r1's DEL was killed"
	cni DEL /tmp/r1.conflist ctr-a /run/netns/a eth0
	eq "$(policy cni-ref0)" "isolate=true direct_access=false owner=network@r2" \
		"the policy after r1's DEL ran again"
}

# --- real dockerd ---------------------------------------------------------------

DOCKER=/tmp/docker

# docker ARGS...: Debian's docker client, talking to the sandbox's dockerd
docker() {
	/usr/bin/docker -H unix://$DOCKER/docker.sock "$@"
}

# dockerd_start [POLICY]: Debian's dockerd in the sandbox, as at boot:
# iptables on (it sets FORWARD's policy to drop, or leaves POLICY), every
# state on the sandbox's tmpfs, its containers run by crun without cgroups
# (so nothing is left in the machine's cgroup tree, whatever becomes of the
# test), an image imported from busybox-static, and a container "web"
# answering on port 80, published on the host's 9090
dockerd_start() {
	local i bb=/bin/busybox a
	command -v dockerd > /dev/null && [ -x /usr/bin/docker ] ||
		skip "needs docker.io (apt-get install docker.io)"
	command -v crun > /dev/null || skip "needs crun (apt-get install crun)"
	ldd $bb > /dev/null 2>&1 && skip "needs busybox-static"
	mkdir -p $DOCKER/rootfs/bin
	# crun 1.8 refuses hybrid cgroups; this mount namespace is the sandbox's.
	! mountpoint -q /sys/fs/cgroup/unified || umount /sys/fs/cgroup/unified ||
		fail "umount /sys/fs/cgroup/unified"
	jq -n '{runtimes: {nocg: {path: "/usr/bin/crun",
				  runtimeArgs: ["--cgroup-manager=disabled"]}},
		"default-runtime": "nocg", "default-cgroupns-mode": "host"}' \
		> $DOCKER/daemon.json
	dockerd --config-file $DOCKER/daemon.json --storage-driver vfs \
		--data-root $DOCKER/data --exec-root $DOCKER/exec --pidfile $DOCKER/pid \
		-H unix://$DOCKER/docker.sock --iptables=true --userland-proxy=false \
		> $DOCKER/log 2>&1 &
	for i in $(seq 300); do
		docker info > /dev/null 2>&1 && break
		sleep 0.1
	done
	docker info > /dev/null 2>&1 || fail "dockerd did not start: $(tail -5 $DOCKER/log)"
	cp $bb $DOCKER/rootfs/bin/busybox
	for a in sh nc echo; do ln -sf busybox $DOCKER/rootfs/bin/$a; done
	tar -C $DOCKER/rootfs -c . | docker import - plumb-test/busybox > /dev/null ||
		fail "docker import"
	docker run -d --name web -p 9090:80 plumb-test/busybox \
		sh -c 'while true; do echo docker-web | nc -l -p 80; done' > /dev/null ||
		fail "docker run: $(tail -5 $DOCKER/log)"
	eq "$(iptables-nft -S FORWARD | head -n 1)" "-P FORWARD ${1:-DROP}" "FORWARD's policy"
}

# dockerd_restart: dockerd stops (its rules stay, as when it is killed) and
# starts again, with its container
dockerd_restart() {
	local i
	kill "$(cat $DOCKER/pid)"
	for i in $(seq 300); do
		[ -e $DOCKER/pid ] || break
		sleep 0.1
	done
	dockerd --config-file $DOCKER/daemon.json --storage-driver vfs \
		--data-root $DOCKER/data --exec-root $DOCKER/exec --pidfile $DOCKER/pid \
		-H unix://$DOCKER/docker.sock --iptables=true --userland-proxy=false \
		>> $DOCKER/log 2>&1 &
	for i in $(seq 300); do
		docker info > /dev/null 2>&1 && break
		sleep 0.1
	done
	docker start web > /dev/null || fail "docker start web: $(tail -5 $DOCKER/log)"
}

# docker_works: Docker's own container is reachable through its published
# port, and reaches the outside
docker_works() {
	local i out
	for i in $(seq 50); do
		out=$(peer wan $HOST 9090)
		[ -n "$out" ] && break
	done
	eq "$out" docker-web "wan to Docker's published port"
	eq "$(docker exec web sh -c 'nc 192.0.2.2 7000 < /dev/null')" $HOST \
		"Docker's container to wan (masqueraded)"
}

test_real_dockerd_first_then_containers_both_work() {
	local before
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	dockerd_start
	before=$(saved)
	containers
	works
	docker_works
	readable
	eq "$(iptables-nft -S DOCKER-USER | grep -c 'plumb: ')" 2 "plumb's rules in DOCKER-USER"
	# What Docker's chain now accepts, plumb's own chain still decides.
	refused b $A 81
	refused wan $A 81
	# Docker restarts: its jump to DOCKER-USER is first again, and
	# DOCKER-USER keeps plumb's rules.
	dockerd_restart
	works
	docker_works
	ok plumb-nat flush
	eq "$(saved)" "$before" "iptables-save after plumb-nat flush"
	docker_works
}

test_containers_first_then_real_dockerd_both_work() {
	local before
	host
	works
	# Docker 20.10 sets FORWARD's policy to drop only when it is the one
	# that turns forwarding on; plumb's bridges did already.
	dockerd_start ACCEPT
	before=$(saved)
	works
	docker_works
	# FORWARD accepts: reconcile (the unit runs it after docker.service)
	# has nothing to add, and flush takes plumb's table and nothing else.
	ok plumb-nat reconcile
	eq "$(saved)" "$before" "iptables-save after reconcile"
	works
	docker_works
	readable
	ok plumb-nat flush
	eq "$(saved)" "$before" "iptables-save after plumb-nat flush"
	docker_works
}

test_dockers_rules_reloaded_and_dockerd_restarted_then_reconcile() {
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	dockerd_start
	containers
	works
	# A firewall reload (iptables-restore of a saved ruleset) empties
	# DOCKER-USER, and Docker restarts: plumb's traffic is dropped...
	ok iptables-nft -F DOCKER-USER
	dockerd_restart
	refused a $WAN 7000
	refused wan $HOST 8080
	docker_works
	# ...until plumb-nat reconcile, as its systemd unit runs it after
	# docker.service.
	ok plumb-nat reconcile
	works
	docker_works
	readable
}
