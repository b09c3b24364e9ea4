# SPDX-License-Identifier: GPL-2.0-or-later
# plumb-nat against the kernel, with nft -j, conntrack, sysctl and socat as
# the witnesses.
#
#              c1 10.88.0.2           c2 10.88.0.3
#                 eth0                   eth0
#                   |                      |
#   sandbox "host" +-- plumb0 10.88.0.1/16 -+        (plumb-bridge add)
#                  |
#                  wan0 192.0.2.1/24
#                   |  veth
#              wan  eth0 192.0.2.2/24     the outside world: no route to
#                                         10.88.0.0/16, so it sees only
#                                         what the host's NAT shows it
#
# Addresses are read from plumb-bridge's output, not assumed. Servers are
# socat in the background (they die with the sandbox's PID namespace) and
# answer each client with "NAMESPACE SOURCE-THEY-SAW". No packet goes to an
# address outside the namespaces a test makes.
#
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

WAN_HOST=192.0.2.1
WAN_PEER=192.0.2.2

# setup: the topology above; sets C1, C2, GW (the bridge's address) and
# SUBNET. Nothing is masqueraded or published yet.
setup() {
	local out
	ok plumb-netns add c1
	ok plumb-netns add c2
	ok plumb-netns add wan
	out=$(plumb-bridge -j add c1) || fail "plumb-bridge add c1: $out"
	C1=$(echo "$out" | jq -r '.ips[0].address | split("/")[0]')
	GW=$(echo "$out" | jq -r '.ips[0].gateway')
	out=$(plumb-bridge -j add c2) || fail "plumb-bridge add c2: $out"
	C2=$(echo "$out" | jq -r '.ips[0].address | split("/")[0]')
	SUBNET=$(ip -j route show dev plumb0 proto kernel | jq -r '.[0].dst')
	[ "$C1" != "$C2" ] && [ -n "$GW" ] && [ "${SUBNET#*/}" != "$SUBNET" ] ||
		fail "addresses: c1 '$C1' c2 '$C2' gateway '$GW' subnet '$SUBNET'"
	ok ip link add wan0 type veth peer name eth0 netns wan
	ok ip addr add $WAN_HOST/24 dev wan0
	ok ip link set wan0 up
	ok ip -n wan addr add $WAN_PEER/24 dev eth0
	ok ip -n wan link set eth0 up
}

# in_ns NS CMD...: run CMD in namespace NS; "host" is the sandbox itself.
in_ns() {
	local ns=$1
	shift
	if [ "$ns" = host ]; then "$@"; else ip netns exec "$ns" "$@"; fi
}

# listening NS tcp|udp|tcp6|udp6 PORT: wait until a socket listens there.
listening() {
	local i
	for i in $(seq 50); do
		in_ns "$1" ss -Hln "--${2%6}" "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on $2 port $3 in $1"
}

# serve NS tcp|udp|tcp6|udp6 PORT: a server answering "NS SOURCE" to each
# client. TCP clients send nothing; the datagram of a UDP client is read
# before the answer, or socat could find the shell gone when it hands it
# over (EPIPE) and drop the answer. -t3: on a busy machine a shell can take
# more than socat's default half second to answer.
serve() {
	local ns=$1 proto=$2 port=$3 v=4 l sh=
	case $proto in *6) v=6 ;; esac
	case $proto in
	tcp*) l=TCP$v-LISTEN:$port,fork,reuseaddr ;;
	udp*) l=UDP$v-RECVFROM:$port,fork sh='read -r line; ' ;;
	esac
	in_ns "$ns" socat -t3 "$l" SYSTEM:"$sh echo $ns \$SOCAT_PEERADDR" 2> /dev/null &
	listening "$ns" "$proto" "$port"
}

# sink NS PORT FILE: a UDP server appending every datagram it gets to FILE.
sink() {
	: > "$3"
	in_ns "$1" socat -u UDP4-RECV:"$2" OPEN:"$3",append 2> /dev/null &
	listening "$1" udp "$2"
}

# ask NS tcp|udp ADDR PORT: what the server at ADDR:PORT answers, "" when
# nothing does within 3 s. The answer is taken as soon as it comes: a UDP
# client cannot tell that nothing more is coming. IPv6 addresses as they
# are, without brackets.
ask() {
	local ns=$1 proto=$2 addr=$3 port=$4 out=/tmp/ask.$BASHPID v=4 pid i
	case $addr in *:*) v=6 addr="[$addr]" ;; esac
	case $proto in
	tcp) in_ns "$ns" socat -T3 -u TCP$v:"$addr:$port",connect-timeout=3 - ;;
	udp) echo hi | in_ns "$ns" socat -T3 -t3 - UDP$v:"$addr:$port" ;;
	esac > "$out" 2> /dev/null &
	pid=$!
	for i in $(seq 60); do
		[ -s "$out" ] || ! kill -0 $pid 2> /dev/null && break
		sleep 0.05
	done
	kill $pid 2> /dev/null
	wait $pid 2> /dev/null
	head -n 1 "$out"
	rm -f "$out"
}

# reaches NS PROTO ADDR PORT WANT: the answer from ADDR:PORT is WANT.
reaches() {
	eq "$(ask "$1" "$2" "$3" "$4")" "$5" "$2 from $1 to $3:$4"
}

# refused NS PROTO ADDR PORT: nothing answers there.
refused() {
	local out
	out=$(ask "$@") && [ -n "$out" ] && fail "$2 from $1 to $3:$4 answered '$out'"
	return 0
}

# elems SET [NETNS]: the elements of a set of table inet plumb, sorted, one a
# line: "tcp . 8080 : 10.88.0.2 . 80 OWNER" ("" when there is no table).
elems() {
	in_ns "${2:-host}" nft -j list table inet plumb 2> /dev/null | jq -r --arg s "$1" '
		def v: if type == "object" and .concat then .concat | map(v) | join(" . ")
			elif type == "object" and .prefix then "\(.prefix.addr)/\(.prefix.len)"
			elif type == "object" and .elem then .elem.val | v
			else tostring end;
		def c: if type == "object" and .elem then .elem.comment // "" else "" end;
		.nftables[] | (.map // .set) | select(.name == $s) | .elem // [] | .[] |
		if type == "array" then "\(.[0] | v) : \(.[1] | v) \(.[0] | c)"
		else "\(v) \(c)" end' | sort
}

# n_elems SET: how many elements SET holds.
n_elems() {
	elems "$1" | grep -c .
}

# n_rules: how many rules table inet plumb holds.
n_rules() {
	nft -j list table inet plumb | jq '[.nftables[] | select(.rule)] | length'
}

# table: table inet plumb as nft -j prints it without the counters of the
# elements (-s: traffic moves them), and plumb-nat's records.
table() {
	nft -j -s list table inet plumb 2>&1
	find /run/plumb/nat -type f 2> /dev/null | sort
}

# --- masquerade ------------------------------------------------------------

test_masquerade_hides_containers_from_wan_but_not_from_each_other() {
	setup
	serve wan tcp 7000
	serve c2 tcp 7001
	# So that wan can answer an unmasqueraded container and say what it saw.
	ok ip -n wan route add "$SUBNET" via $WAN_HOST
	reaches c1 tcp $WAN_PEER 7000 "wan $C1"
	ok plumb-nat masq add "$SUBNET"
	eq "$(elems masq4)" "$SUBNET manual" "masq4"
	reaches c1 tcp $WAN_PEER 7000 "wan $WAN_HOST"
	reaches c2 tcp $WAN_PEER 7000 "wan $WAN_HOST"
	# Between two containers of the subnet, the source stays.
	reaches c1 tcp "$C2" 7001 "c2 $C1"
	ok plumb-nat masq del "$SUBNET"
	eq "$(elems masq4)" "" "masq4 after del"
	reaches c1 tcp $WAN_PEER 7000 "wan $C1"
	# Without the route, wan cannot answer what it does not see masqueraded.
	ok ip -n wan route del "$SUBNET"
	refused c1 tcp $WAN_PEER 7000
	ok plumb-nat masq add "$SUBNET" --id bridge/plumb0
	eq "$(elems masq4)" "$SUBNET bridge/plumb0" "masq4 with an owner"
	reaches c1 tcp $WAN_PEER 7000 "wan $WAN_HOST"
}

# Where one subnet ends, the next starts: the kernel's lookup of the end of
# the first finds the start of the second. Masquerade still knows its own.
test_masquerade_of_adjacent_subnets_is_added_again_and_deleted() {
	ok plumb-nat masq add 10.244.1.0/24 --id net1
	ok plumb-nat masq add 10.244.2.0/24 --id net2
	ok plumb-nat masq add 10.244.0.0/24 --id net0
	ok plumb-nat masq add 10.244.1.0/24 --id net1
	fails 1 '^plumb-nat: masquerade of 10\.244\.1\.0/24 is taken by net1$' \
		plumb-nat masq add 10.244.1.0/24 --id net2
	ok plumb-nat masq del 10.244.1.0/24
	eq "$(elems masq4)" "10.244.0.0/24 net0
10.244.2.0/24 net2" "masq4 after del"
	eq "$(find /run/plumb/nat -name 'masq-10.244.1.0_24.json')" "" "record of 10.244.1.0/24"
	ok plumb-nat masq del 10.244.0.0/24 --id net0
	eq "$(elems masq4)" "10.244.2.0/24 net2" "masq4 after del --id"
}

test_masquerade_of_another_owner_or_an_overlapping_subnet_is_refused() {
	local before
	ok plumb-nat masq add 10.88.0.0/16 --id alice
	before=$(table)
	ok plumb-nat masq add 10.88.0.0/16 --id alice
	fails 1 '^plumb-nat: masquerade of 10\.88\.0\.0/16 is taken by alice$' \
		plumb-nat masq add 10.88.0.0/16 --id bob
	fails 1 '^plumb-nat: 10\.88\.1\.0/24 overlaps 10\.88\.0\.0/16, which alice masquerades$' \
		plumb-nat masq add 10.88.1.0/24 --id bob
	fails 1 '^plumb-nat: 10\.88\.0\.0/24 overlaps 10\.88\.0\.0/16, which alice masquerades$' \
		plumb-nat masq add 10.88.0.0/24 --id bob
	fails 1 '^plumb-nat: 10\.0\.0\.0/8 overlaps 10\.88\.0\.0/16, which alice masquerades$' \
		plumb-nat masq add 10.0.0.0/8
	fails 1 '^plumb-nat: masquerade of 10\.88\.0\.0/16 belongs to alice, not to bob$' \
		plumb-nat masq del 10.88.0.0/16 --id bob
	eq "$(table)" "$before" "table and records after refused changes"
	# Subnets inside it, or around it, are not masqueraded themselves:
	# deleting them changes nothing.
	ok plumb-nat masq del 10.88.1.0/24
	ok plumb-nat masq del 10.88.0.0/24
	ok plumb-nat masq del 10.0.0.0/8
	eq "$(table)" "$before" "table and records after deleting other subnets"
	ok plumb-nat masq del 10.88.0.0/16
	eq "$(elems masq4)" "" "masq4 after del"
	eq "$(find /run/plumb/nat -type f)" "" "records after del"
	ok plumb-nat masq del 10.88.0.0/16
}

# --- destinations spared from masquerade ------------------------------------

# spared_setup: setup, and wan also holds 198.51.100.2, routed through it,
# and routes the containers' subnet back to the host: it sees a container's
# own address where the host does not masquerade it.
spared_setup() {
	setup
	ok ip -n wan addr add 198.51.100.2/24 dev eth0
	ok ip route add 198.51.100.0/24 via $WAN_PEER
	ok ip -n wan route add "$SUBNET" via $WAN_HOST
	serve wan tcp 7000
	serve c1 tcp 80
}

test_no_masquerade_to_spares_its_destinations_and_masquerades_the_rest() {
	spared_setup
	ok plumb-nat masq add "$SUBNET" --id net1 --no-masquerade-to 192.0.2.0/24 \
		--no-masquerade-to "$SUBNET" --no-masquerade-to 192.0.2.128/25
	eq "$(elems nomasq4)" "$SUBNET . $SUBNET net1
$SUBNET . 192.0.2.0/24 net1" "nomasq4 (192.0.2.128/25 lies in 192.0.2.0/24)"
	reaches c1 tcp $WAN_PEER 7000 "wan $C1"
	reaches c1 tcp 198.51.100.2 7000 "wan $WAN_HOST"
	# The hairpin is masqueraded all the same, even inside a spared subnet.
	ok plumb-nat publish 8080 "$C1:80" --id web
	reaches c2 tcp $WAN_HOST 8080 "c1 $GW"
	reaches c1 tcp $WAN_HOST 8080 "c1 $GW"
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	eq "$(plumb-nat list | grep no-masquerade)" "no-masquerade $SUBNET to $SUBNET owner net1
no-masquerade $SUBNET to 192.0.2.0/24 owner net1" "list"
	eq "$(plumb-nat -j list | jq -c '.no_masquerade[1]')" \
		"{\"subnet\":\"$SUBNET\",\"to\":\"192.0.2.0/24\",\"owner\":\"net1\"}" "list -j"

	# A firewall reload, then reconcile: all of it comes back.
	ok nft flush ruleset
	eq "$(plumb-nat reconcile)" "added 4 elements" "reconcile"
	eq "$(elems nomasq4)" "$SUBNET . $SUBNET net1
$SUBNET . 192.0.2.0/24 net1" "nomasq4 after reconcile"
	reaches c1 tcp $WAN_PEER 7000 "wan $C1"

	# Another list replaces it; an add without one leaves it.
	ok plumb-nat masq add "$SUBNET" --id net1 --no-masquerade-to 198.51.100.0/24
	eq "$(elems nomasq4)" "$SUBNET . 198.51.100.0/24 net1" "nomasq4 replaced"
	reaches c1 tcp $WAN_PEER 7000 "wan $WAN_HOST"
	reaches c1 tcp 198.51.100.2 7000 "wan $C1"
	ok plumb-nat masq add "$SUBNET" --id net1
	eq "$(elems nomasq4)" "$SUBNET . 198.51.100.0/24 net1" "nomasq4 after a plain add"

	# Stopping the masquerade ends the list, and the records go.
	ok plumb-nat masq del "$SUBNET"
	eq "$(elems masq4; elems nomasq4)" "" "masq4 and nomasq4 after del"
	eq "$(find /run/plumb/nat -name '*masq-*')" "" "records after del"
	reaches c1 tcp 198.51.100.2 7000 "wan $C1"
}

test_no_masquerade_to_is_one_networks_and_bad_input_changes_nothing() {
	local before i many=()
	ok plumb-nat masq add 10.244.1.0/24 --id net1 --no-masquerade-to 10.244.0.0/16
	ok plumb-nat masq add fd00:1::/64 --id net1 --no-masquerade-to fd00::/48 \
		--no-masquerade-to 10.0.0.0/8
	eq "$(elems nomasq6)" "fd00:1::/64 . fd00::/48 net1" "nomasq6"
	before=$(table)
	fails 1 '^plumb-nat: subnet 10.244.1.0/24 is another network.s: no masquerade from 10.244.1.0/24 to 10.244.0.0/16 belongs to net1$' \
		plumb-nat masq add 10.244.1.0/24 --id net2 --no-masquerade-to 10.96.0.0/12
	fails 1 'subnet 10.244.0.0/16 is another network.s: .* belongs to net1$' \
		plumb-nat masq add 10.244.0.0/16 --id net1 --no-masquerade-to 10.96.0.0/12
	fails 1 'subnet 10.244.1.128/25 is another network.s' \
		plumb-nat masq add 10.244.1.128/25 --id net2 --no-masquerade-to 10.96.0.0/12
	fails 1 'invalid subnet "10.244.0.1/16": host bits set' \
		plumb-nat masq add 10.244.2.0/24 --no-masquerade-to 10.244.0.1/16
	fails 1 'invalid subnet "cluster": want ADDRESS/LENGTH' \
		plumb-nat masq add 10.244.2.0/24 --no-masquerade-to cluster
	for i in $(seq 0 64); do many+=(--no-masquerade-to "10.$i.0.0/16"); done
	fails 1 'too many destinations spared from masquerade: at most 64' \
		plumb-nat masq add 10.244.2.0/24 "${many[@]}"
	fails 2 'usage' plumb-nat masq del 10.244.1.0/24 --no-masquerade-to 10.0.0.0/8
	eq "$(table)" "$before" "table and records after refused changes"
	ok plumb-nat masq add 10.244.2.0/24 --id net2 "${many[@]:2}"
	eq "$(n_elems nomasq4)" 65 "elements for 64 destinations and one"
}

# --- publish -----------------------------------------------------------------

test_publish_tcp_and_udp_reach_the_container_from_wan_host_and_containers() {
	local proto
	setup
	ok plumb-nat masq add "$SUBNET"
	serve c1 tcp 80
	serve c1 udp 53
	# Before: the host itself has nothing on these ports.
	refused wan tcp $WAN_HOST 8080
	ok plumb-nat publish 8080 "$C1:80"
	ok plumb-nat publish 8053/udp "$C1:53"
	eq "$(elems pub4)" "$(printf '%s\n' "tcp . 8080 : $C1 . 80 manual" \
		"udp . 8053 : $C1 . 53 manual")" "pub4"
	for proto in tcp udp; do
		local port=8080
		[ $proto = udp ] && port=8053
		# From outside, the source is not rewritten.
		reaches wan $proto $WAN_HOST $port "c1 $WAN_PEER"
		# From the host itself, through its own non-loopback addresses.
		reaches host $proto $WAN_HOST $port "c1 $WAN_HOST"
		reaches host $proto "$GW" $port "c1 $GW"
		# Hairpin: another container, and c1 itself, through the host's
		# address; the answer comes back through the host.
		reaches c2 $proto $WAN_HOST $port "c1 $GW"
		reaches c1 $proto $WAN_HOST $port "c1 $GW"
		reaches c2 $proto "$GW" $port "c1 $GW"
	done
	# tcp and udp are apart: udp 8080 is not published.
	refused wan udp $WAN_HOST 8080
}

test_publish_on_one_host_address_works_only_there() {
	setup
	ok plumb-nat masq add "$SUBNET"
	serve c1 tcp 80
	ok plumb-nat publish $WAN_HOST:8080 "$C1:80"
	eq "$(elems pubaddr4)" "$WAN_HOST . tcp . 8080 : $C1 . 80 manual" "pubaddr4"
	eq "$(elems pub4)" "" "pub4"
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	reaches host tcp $WAN_HOST 8080 "c1 $WAN_HOST"
	reaches c2 tcp $WAN_HOST 8080 "c1 $GW"
	# The bridge's address is the host's too, but not the one published on.
	refused host tcp "$GW" 8080
	refused c2 tcp "$GW" 8080
}

test_port_range_maps_port_to_port_and_to_another_range() {
	local want p
	setup
	serve c1 tcp 8003
	serve c1 tcp 9004
	ok plumb-nat publish 8000-8004 "$C1:8000-8004" --id web
	want=$(for p in 8000 8001 8002 8003 8004; do echo "tcp . $p : $C1 . $p web"; done)
	eq "$(elems pub4)" "$want" "pub4 port to port"
	reaches wan tcp $WAN_HOST 8003 "c1 $WAN_PEER"
	refused wan tcp $WAN_HOST 8005
	ok plumb-nat unpublish 8000-8004 --id web
	eq "$(elems pub4)" "" "pub4 after unpublish"
	ok plumb-nat publish 8000-8004 "$C1:9000-9004" --id web
	want=$(for p in 0 1 2 3 4; do echo "tcp . 800$p : $C1 . 900$p web"; done)
	eq "$(elems pub4)" "$want" "pub4 to another range"
	reaches wan tcp $WAN_HOST 8004 "c1 $WAN_PEER"
	refused wan tcp $WAN_HOST 8003
	eq "$(plumb-nat -j list | jq -c '[.published[] | select(.host_port == 8002) |
		.port]')" "[9002]" "list of a range"
	# A range goes as a whole: half of it would come back at reconcile.
	fails 1 '^plumb-nat: tcp ports 8000-8004 were published together by web: unpublish them together$' \
		plumb-nat unpublish 8002
	eq "$(n_elems pub4)" 5 "pub4 after a refused partial unpublish"
	# Two ranges unpublished at once, records and all.
	ok plumb-nat publish 8005-8009 "$C1:9005-9009" --id web
	ok plumb-nat unpublish 8000-8009
	eq "$(n_elems pub4)" 0 "pub4 after unpublishing both ranges"
	eq "$(find /run/plumb/nat -type f)" "" "records after unpublishing both ranges"
	eq "$(plumb-nat reconcile)" "" "reconcile after unpublish"
	eq "$(n_elems pub4)" 0 "pub4 after reconcile"
}

# --- unpublish and conntrack -------------------------------------------------

# udp_flow PORT: wan keeps sending datagrams to the host's PORT from one
# source port (one flow, one conntrack entry), ten a second.
udp_flow() {
	while sleep 0.1; do echo "ping $1"; done |
		ip netns exec wan socat -u - UDP4-SENDTO:$WAN_HOST:"$1",sourceport=40000 \
		2> /dev/null &
}

# grows FILE: FILE gets longer within 2 s.
grows() {
	local n i
	n=$(wc -l < "$1")
	for i in $(seq 20); do
		sleep 0.1
		[ "$(wc -l < "$1")" -gt "$n" ] && return 0
	done
	return 1
}

# flows PORT [CONNTRACK OPTIONS]: conntrack entries of UDP flows to host PORT.
flows() {
	local port=$1
	shift
	conntrack -L -p udp --orig-port-dst "$port" "$@" 2> /dev/null | grep -c .
}

test_unpublish_stops_an_active_udp_flow_at_once() {
	setup
	sink c1 5353 /tmp/c1.log
	ok plumb-nat publish 8053/udp "$C1:5353"
	udp_flow 8053
	grows /tmp/c1.log || fail "c1 receives nothing through the published port"
	eq "$(flows 8053 --reply-src "$C1")" 1 "conntrack entries of the flow to c1"
	ok plumb-nat unpublish 8053/udp
	eq "$(elems pub4)" "" "pub4 after unpublish"
	# The old entry, which still led to c1, is gone; the flow's next
	# datagrams make a new one that goes to the host itself.
	eq "$(flows 8053 --reply-src "$C1")" 0 "conntrack entries to c1 after unpublish"
	sleep 0.3
	grows /tmp/c1.log && fail "c1 still receives the flow after unpublish"
	# Unpublishing twice is fine.
	ok plumb-nat unpublish 8053/udp
}

test_publish_clears_a_stale_udp_flow_to_the_host_port() {
	setup
	sink c1 5353 /tmp/c1.log
	# Conntrack runs in a namespace once a NAT table is there: plumb's is.
	ok plumb-nat masq add "$SUBNET"
	# A flow to the host port before it is published: the host has nothing
	# there, yet the flow has its conntrack entry.
	udp_flow 8054
	local i
	for i in $(seq 20); do
		[ "$(flows 8054)" = 1 ] && break
		sleep 0.1
	done
	eq "$(flows 8054 --reply-src $WAN_HOST)" 1 "conntrack entry of the flow to the host"
	ok plumb-nat publish 8054/udp "$C1:5353"
	grows /tmp/c1.log || fail "the flow still goes to the host after publish"
	eq "$(flows 8054 --reply-src "$C1")" 1 "conntrack entry of the flow to c1"
}

# --- scale and concurrency -------------------------------------------------

test_rule_count_stays_the_same_after_5000_publishes() {
	local rules i base before after
	setup
	ok plumb-nat publish 20000 "$C1:80" --id single
	rules=$(n_rules)
	[ "$rules" -gt 0 ] || fail "no rules after one publish"
	eq "$(n_elems pub4)" 1 "pub4 after one publish"
	# Five owners, each with 500 tcp and 500 udp ports: 5,000 elements.
	for i in 1 2 3 4 5; do
		base=$((10000 + i * 1000))
		ok plumb-nat publish $base-$((base + 499)) "$C1:1-500" --id owner$i
		ok plumb-nat publish $base-$((base + 499))/udp "$C1:1-500" --id owner$i
	done
	eq "$(n_elems pub4)" 5001 "pub4 after 5,000 more"
	eq "$(n_rules)" "$rules" "rules after 5,000 more publishes"
	eq "$(elems pub4 | grep -c ' owner3$')" 1000 "owner3's elements"
	before=$(elems pub4)
	ok plumb-nat unpublish --id owner3
	after=$(elems pub4)
	eq "$after" "$(echo "$before" | grep -v ' owner3$')" "the others' elements"
	eq "$(echo "$after" | grep -c .)" 4001 "pub4 after unpublish --id owner3"
	eq "$(n_rules)" "$rules" "rules after unpublish"
	eq "$(ls /run/plumb/nat/owner3 2> /dev/null)" "" "owner3's records"
	eq "$(ls /run/plumb/nat/owner4)" "$(printf '%s\n' pub-tcp-any-14000.json \
		pub-udp-any-14000.json)" "owner4's records"
}

test_16_parallel_publishers_lose_nothing() {
	local i port want=""
	setup
	# The table does not exist yet: they also race to create it.
	for i in $(seq 0 15); do
		port=$((30000 + i * 20))
		{ plumb-nat publish $port-$((port + 19))/udp "$C1:$port-$((port + 19))" \
			--id p$i > /tmp/out.$i 2>&1; echo $? > /tmp/rc.$i; } &
	done
	wait
	for i in $(seq 0 15); do
		eq "$(cat /tmp/rc.$i) $(cat /tmp/out.$i)" "0 " "status and output of publisher $i"
		port=$((30000 + i * 20))
		want+=$(seq $port $((port + 19)) | sed "s/.*/udp . & : $C1 . & p$i/")$'\n'
	done
	eq "$(n_elems pub4)" 320 "pub4 elements"
	eq "$(elems pub4)" "$(printf '%s' "$want" | sort)" "every publisher's elements"
	eq "$(nft -j list tables | jq '[.nftables[] | select(.table.name == "plumb")] | length')" \
		1 "tables named plumb"
}

# --- owners ------------------------------------------------------------------

test_port_owned_by_another_is_refused_naming_the_owner() {
	local before
	setup
	serve c1 tcp 80
	serve c2 tcp 80
	ok plumb-nat publish 8080 "$C1:80" --id alice
	before=$(table)
	fails 1 '^plumb-nat: tcp port 8080 is taken by alice$' \
		plumb-nat publish 8080 "$C2:80" --id bob
	# All or nothing: a range that overlaps adds none of its ports.
	fails 1 '^plumb-nat: tcp port 8080 is taken by alice$' \
		plumb-nat publish 8079-8081 "$C2:79-81" --id bob
	fails 1 '^plumb-nat: tcp port 8080 is taken by alice$' plumb-nat publish 8080 "$C2:80"
	fails 1 '^plumb-nat: tcp port 8080 belongs to alice, not to bob$' \
		plumb-nat unpublish 8080 --id bob
	eq "$(table)" "$before" "table and records after refused changes"
	eq "$(elems pub4)" "tcp . 8080 : $C1 . 80 alice" "alice's element"
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	# Another protocol is another port.
	ok plumb-nat publish 8080/udp "$C2:80" --id bob
}

test_same_owner_publishing_twice_changes_nothing() {
	local before
	setup
	ok plumb-nat publish 8080 "$C1:80" --id alice
	before=$(nft -a -s list ruleset; table)
	ok plumb-nat publish 8080 "$C1:80" --id alice
	eq "$(nft -a -s list ruleset; table)" "$before" "ruleset after the same publish"
	# The same port to somewhere else is a change, which must be undone first.
	fails 1 'alice already has pub-tcp-any-8080, with other settings; undo it first' \
		plumb-nat publish 8080 "$C2:80" --id alice
	eq "$(nft -a -s list ruleset; table)" "$before" "ruleset after a refused change"
	ok plumb-nat unpublish 8080 --id alice
	eq "$(elems pub4)" "" "pub4 after unpublish"
	before=$(nft -a -s list ruleset; table)
	ok plumb-nat unpublish 8080 --id alice
	ok plumb-nat unpublish 8080 "$C1:80"
	ok plumb-nat unpublish --id alice
	eq "$(nft -a -s list ruleset; table)" "$before" "ruleset after unpublishing again"
}

test_port_on_every_address_and_on_one_address_clash_both_ways() {
	local before
	setup
	ok plumb-nat publish 8080 "$C1:80" --id alice
	ok plumb-nat publish $WAN_HOST:9090 "$C1:90" --id carol
	before=$(table)
	fails 1 '^plumb-nat: tcp port 8080 is taken on every host address by alice$' \
		plumb-nat publish $WAN_HOST:8080 "$C2:80" --id bob
	fails 1 '^plumb-nat: tcp port 9090 is taken on one host address by carol$' \
		plumb-nat publish 9090 "$C2:90" --id dave
	eq "$(table)" "$before" "table and records after the clashes"
	# Two host addresses are apart, and so are two protocols.
	ok plumb-nat publish "$GW:9090" "$C2:90" --id dave
	ok plumb-nat publish $WAN_HOST:8080/udp "$C2:80" --id bob
	eq "$(elems pubaddr4)" "$(printf '%s\n' "$GW . tcp . 9090 : $C2 . 90 dave" \
		"$WAN_HOST . tcp . 9090 : $C1 . 90 carol" \
		"$WAN_HOST . udp . 8080 : $C2 . 80 bob" | sort)" "pubaddr4"
}

# --- foreign tables, flush, reconcile --------------------------------------

# foreign: tables plumb did not make, the way a firewall would have them.
foreign() {
	nft -f - <<-'NFT' || fail "cannot make the foreign tables"
	table inet other {
		set blocked { type ipv4_addr; flags interval; elements = { 198.51.100.0/24 } }
		chain input {
			type filter hook input priority filter; policy accept;
			ip saddr @blocked drop
			tcp dport 22 accept comment "ssh"
		}
		chain postrouting {
			type nat hook postrouting priority srcnat + 10; policy accept;
			oifname "nothing0" masquerade
		}
	}
	table ip filtr {
		chain forward {
			type filter hook forward priority filter; policy accept;
			ip daddr 203.0.113.7 reject
		}
	}
	NFT
}

# foreign_state: the foreign tables as nft -j prints them.
foreign_state() {
	nft -j list table inet other
	nft -j list table ip filtr
}

test_foreign_tables_are_left_byte_for_byte() {
	local before
	setup
	foreign
	before=$(foreign_state)
	ok plumb-nat masq add "$SUBNET"
	ok plumb-nat publish 8080 "$C1:80"
	eq "$(foreign_state)" "$before" "foreign tables after publish"
	ok plumb-nat unpublish 8080
	eq "$(foreign_state)" "$before" "foreign tables after unpublish"
	ok plumb-nat publish 8080 "$C1:80" --localhost
	eq "$(foreign_state)" "$before" "foreign tables after publish --localhost"
	ok plumb-nat flush
	eq "$(foreign_state)" "$before" "foreign tables after flush"
	eq "$(nft -j list tables | jq -r '[.nftables[].table | select(.) |
		"\(.family) \(.name)"] | sort | join(",")')" "inet other,ip filtr" "tables after flush"
	ok plumb-nat reconcile
	eq "$(foreign_state)" "$before" "foreign tables after reconcile"
	eq "$(elems pub4)" "tcp . 8080 : $C1 . 80 manual" "pub4 after reconcile"
	eq "$(elems publocal4)" "tcp . 8080 : $C1 . 80 manual" "publocal4 after reconcile"
}

test_flush_deletes_only_plumbs_table_and_keeps_records() {
	local records
	setup
	foreign
	ok plumb-nat masq add "$SUBNET"
	ok plumb-nat publish 8080 "$C1:80" --id web
	records=$(find /run/plumb/nat | sort)
	eq "$(echo "$records" | grep -c json)" 2 "records"
	ok plumb-nat flush
	fails 1 'No such file or directory' nft list table inet plumb
	eq "$(nft -j list tables | jq -c '[.nftables[].table | select(.) | .name] | sort')" \
		'["filtr","other"]' "tables after flush"
	eq "$(find /run/plumb/nat | sort)" "$records" "records after flush"
	eq "$(plumb-nat list)" "" "list after flush"
	ok plumb-nat flush
	# What the records hold comes back.
	eq "$(plumb-nat reconcile)" "added 2 elements" "reconcile after flush"
	eq "$(elems pub4)" "tcp . 8080 : $C1 . 80 web" "pub4 after reconcile"
	eq "$(elems masq4)" "$SUBNET manual" "masq4 after reconcile"
}

test_reconcile_after_nft_flush_ruleset_restores_everything_once() {
	local before
	setup
	ok plumb-nat masq add "$SUBNET"
	ok plumb-nat publish 8080 "$C1:80" --id web
	ok plumb-nat publish 8053/udp "$C1:53" --id dns
	serve c1 tcp 80
	serve c1 udp 53
	serve wan tcp 7000
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	reaches c1 tcp $WAN_PEER 7000 "wan $WAN_HOST"
	before=$(elems pub4; elems masq4; n_rules)
	# A firewall reload.
	ok nft flush ruleset
	refused wan tcp $WAN_HOST 8080
	refused c1 tcp $WAN_PEER 7000
	nft monitor >> /tmp/monitor &
	sleep 0.2
	eq "$(plumb-nat -j reconcile)" '{"added":3}' "reconcile after flush ruleset"
	eq "$(elems pub4; elems masq4; n_rules)" "$before" "table after reconcile"
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	reaches wan udp $WAN_HOST 8053 "c1 $WAN_PEER"
	reaches c2 tcp $WAN_HOST 8080 "c1 $GW"
	reaches c1 tcp $WAN_PEER 7000 "wan $WAN_HOST"
	sleep 0.2
	grep -q '^create table inet plumb$' /tmp/monitor ||
		fail "nft monitor saw no reconcile: $(cat /tmp/monitor)"
	# Nothing missing: nothing printed, nothing sent to the kernel.
	: > /tmp/monitor
	before=$(nft -a -s list ruleset)
	eq "$(plumb-nat reconcile)" "" "second reconcile"
	eq "$(plumb-nat -j reconcile)" '{"added":0}' "second reconcile, JSON"
	sleep 0.2
	eq "$(cat /tmp/monitor)" "" "what nft monitor saw of a second reconcile"
	eq "$(nft -a -s list ruleset)" "$before" "ruleset after a second reconcile"
	# One element lost: that one comes back, and nothing else changes.
	ok nft delete element inet plumb pub4 '{ udp . 8053 }'
	refused wan udp $WAN_HOST 8053
	eq "$(plumb-nat reconcile)" "added 1 elements" "reconcile of one element"
	reaches wan udp $WAN_HOST 8053 "c1 $WAN_PEER"
	eq "$(nft -a -s list ruleset | grep -v 8053)" "$(echo "$before" | grep -v 8053)" \
		"rules and other elements after reconcile"
}

# old_table SUBNET C1: table inet plumb as plumb-nat made it before the
# destinations spared from masquerade and the forwarding policy (commit
# 90db1a2: no nomasq4 or nomasq6, no hairpin or policy sets, no forward
# chain, no layout in its comment), with SUBNET masqueraded for net1 and
# tcp port 8080 published to C1:80 for web. What was there goes.
old_table() {
	nft delete table inet plumb 2> /dev/null
	nft -f - << EOF || fail "nft -f of the old table"
table inet plumb {
	comment "made by plumb-nat; changed only through it"
	set masq4 { type ipv4_addr; flags interval; counter; elements = { $1 comment "net1" }; }
	set masq6 { type ipv6_addr; flags interval; counter; }
	map pub4 { type inet_proto . inet_service : ipv4_addr . inet_service; counter;
		elements = { tcp . 8080 comment "web" : $2 . 80 }; }
	map pub6 { type inet_proto . inet_service : ipv6_addr . inet_service; counter; }
	map pubaddr4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; counter; }
	map pubaddr6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; counter; }
	map publocal4 { type inet_proto . inet_service : ipv4_addr . inet_service; counter; }
	set localnet { type ifname; }
	chain published {
		dnat ip to ip daddr . meta l4proto . th dport map @pubaddr4
		dnat ip to meta l4proto . th dport map @pub4
		dnat ip6 to ip6 daddr . meta l4proto . th dport map @pubaddr6
		dnat ip6 to meta l4proto . th dport map @pub6
	}
	chain prerouting { type nat hook prerouting priority dstnat; fib daddr type local goto published; }
	chain output {
		type nat hook output priority -100
		ip daddr 127.0.0.0/8 dnat ip to meta l4proto . th dport map @publocal4
		ip daddr 127.0.0.0/8 return
		ip6 daddr ::1 return
		fib daddr type local goto published
	}
	chain postrouting {
		type nat hook postrouting priority srcnat
		ip saddr 127.0.0.0/8 ct status dnat masquerade
		ct status dnat ip saddr @masq4 masquerade
		ip daddr != @masq4 ip saddr @masq4 masquerade
		ct status dnat ip6 saddr @masq6 masquerade
		ip6 daddr != @masq6 ip6 saddr @masq6 masquerade
	}
	chain guard {
		type filter hook prerouting priority raw
		iifname @localnet ip saddr 127.0.0.0/8 drop
		iifname @localnet ip daddr 127.0.0.0/8 drop
	}
}
EOF
}

# layout: the comment of table inet plumb, its sets, chains and rules.
layout() {
	nft list table inet plumb | sed -n '2s/^\tcomment //p'
	nft -j list table inet plumb | jq -c '.nftables[] | (
		(.chain | select(.) | [.name, .hook]) // (.rule | select(.) | .expr) //
		((.set // .map) | select(.) | [.name, .type, .flags])) | select(.)'
}

test_an_earlier_plumbs_table_is_made_again_with_every_recorded_element() {
	local fresh want
	spared_setup
	ok plumb-nat masq add "$SUBNET" --id net1 --no-masquerade-to 198.51.100.0/24
	ok plumb-nat publish 8080 "$C1:80" --id web
	serve c2 tcp 80
	fresh=$(layout)
	want=$(elems masq4; elems nomasq4; elems pub4)
	echo "$fresh" | grep -q '^"made by plumb-nat; changed only through it; layout [0-9]*"$' ||
		fail "no layout in the comment: $fresh"

	# The old table with its two elements: the spared destination is not
	# spared there, as it has no nomasq4.
	old_table "$SUBNET" "$C1"
	reaches c1 tcp 198.51.100.2 7000 "wan $WAN_HOST"
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	# An ordinary add makes it again, in one transaction, and says so.
	nft monitor > /tmp/monitor &
	sleep 0.2
	plumb-nat publish 8081 "$C2:80" --id web2 2> /tmp/err || fail "publish: $(cat /tmp/err)"
	grep -q '^plumb-nat: notice: table inet plumb had the layout of another plumb-nat (1, this one.s is [0-9]*); made it again from plumb.s records, with 3 elements$' /tmp/err ||
		fail "notice of the publish: $(cat /tmp/err)"
	eq "$(layout)" "$fresh" "the table after an add to the old one"
	eq "$(elems masq4; elems nomasq4; elems pub4)" "$want
tcp . 8081 : $C2 . 80 web2" "elements after an add"
	sleep 0.2
	eq "$(grep -c '^delete table inet plumb$' /tmp/monitor) $(grep -c '^create table inet plumb$' /tmp/monitor)" \
		"1 1" "nft monitor: the old table deleted and the new one made ($(cat /tmp/monitor))"
	reaches c1 tcp 198.51.100.2 7000 "wan $C1"
	reaches c1 tcp $WAN_PEER 7000 "wan $WAN_HOST"
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	reaches wan tcp $WAN_HOST 8081 "c2 $WAN_PEER"
	# Then nothing more: a second add leaves the table be.
	plumb-nat publish 8082 "$C2:80" --id web3 2> /tmp/err || fail "publish: $(cat /tmp/err)"
	eq "$(cat /tmp/err)" "" "what a second publish says"
	ok plumb-nat unpublish 8081 --id web2
	ok plumb-nat unpublish 8082 --id web3

	# Reconcile does the same, from the records alone.
	old_table "$SUBNET" "$C1"
	eq "$(plumb-nat -j reconcile 2> /tmp/err)" '{"added":3}' "reconcile of the old table"
	grep -q 'had the layout of another plumb-nat (1,' /tmp/err ||
		fail "notice of reconcile: $(cat /tmp/err)"
	eq "$(layout)" "$fresh" "the table after reconcile"
	eq "$(elems masq4; elems nomasq4; elems pub4)" "$want" "elements after reconcile"
	reaches c1 tcp 198.51.100.2 7000 "wan $C1"
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	eq "$(plumb-nat -j reconcile 2>&1)" '{"added":0}' "a second reconcile"
}

test_reconcile_restores_the_rest_when_two_records_want_one_port() {
	local out want p
	# One owner's ranges that overlap (the same mapping twice)...
	ok plumb-nat publish 8000-8004 10.88.0.2:8000-8004 --id alice
	ok plumb-nat publish 8002 10.88.0.2:8002 --id alice
	ok plumb-nat publish 9090 10.88.0.2:90 --id carol
	# ...and a port published again by another while the table was gone.
	ok nft flush ruleset
	ok plumb-nat publish 9090 10.88.0.3:90 --id bob
	ok plumb-nat flush
	out=$(plumb-nat reconcile 2>&1) || fail "reconcile: $out"
	eq "$out" "$(printf '%s\n' \
		'plumb-nat: warning: bob and carol want one element of pub4; bob keeps it' \
		'added 6 elements')" "reconcile's output"
	want=$(for p in 0 1 2 3 4; do echo "tcp . 800$p : 10.88.0.2 . 800$p alice"; done)
	eq "$(elems pub4)" "$want"$'\n'"tcp . 9090 : 10.88.0.3 . 90 bob" "pub4 after reconcile"
}

# --- localhost ---------------------------------------------------------------

# route_localnet: the setting on each interface that matters, "all" and
# "default" included, as "name=value" words.
route_localnet() {
	local i
	for i in plumb0 wan0 lo all default; do
		printf '%s=%s ' $i "$(sysctl -n net.ipv4.conf.$i.route_localnet)"
	done
}

test_localhost_reaches_the_container_and_opens_route_localnet_on_its_bridge_only() {
	setup
	ok plumb-nat masq add "$SUBNET"
	serve c1 tcp 80
	eq "$(route_localnet)" "plumb0=0 wan0=0 lo=0 all=0 default=0 " "route_localnet before"
	ok plumb-nat publish 8080 "$C1:80" --localhost
	ok plumb-nat publish 8081 "$C1:80"
	eq "$(route_localnet)" "plumb0=1 wan0=0 lo=0 all=0 default=0 " "route_localnet after"
	eq "$(elems localnet)" "plumb0 plumb" "the guard's bridges"
	eq "$(elems publocal4)" "tcp . 8080 : $C1 . 80 manual" "publocal4"
	# 127.0.0.1 goes to c1, which sees the bridge's address.
	reaches host tcp 127.0.0.1 8080 "c1 $GW"
	reaches host tcp 127.0.0.2 8080 "c1 $GW"
	# The other ways still work; a port published without it is not there.
	reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	reaches host tcp $WAN_HOST 8081 "c1 $WAN_HOST"
	refused host tcp 127.0.0.1 8081
	eq "$(plumb-nat list | grep -c '(localhost)')" 1 "list marks the localhost element"
	# Unpublishing closes it on 127.0.0.1 too.
	ok plumb-nat unpublish 8080
	eq "$(elems publocal4)" "" "publocal4 after unpublish"
	refused host tcp 127.0.0.1 8080
	# By the owner's records as well.
	ok plumb-nat publish 8082 "$C1:80" --localhost --id web
	reaches host tcp 127.0.0.1 8082 "c1 $GW"
	ok plumb-nat unpublish --id web
	eq "$(elems publocal4)" "" "publocal4 after unpublish --id"
	refused host tcp 127.0.0.1 8082
	# The same port on two host addresses, one of them also on 127.0.0.1:
	# unpublishing the other leaves 127.0.0.1 alone.
	serve c2 tcp 80
	ok plumb-nat publish $WAN_HOST:9000 "$C1:80" --localhost --id alice
	ok plumb-nat publish "$GW:9000" "$C2:80" --id bob
	ok plumb-nat unpublish "$GW:9000" --id bob
	eq "$(elems publocal4)" "tcp . 9000 : $C1 . 80 alice" "publocal4 after bob's unpublish"
	reaches host tcp 127.0.0.1 9000 "c1 $GW"
	# route_localnet is never on without the guard: flush takes both away,
	# reconcile brings both back.
	ok plumb-nat flush
	eq "$(route_localnet)" "plumb0=0 wan0=0 lo=0 all=0 default=0 " "route_localnet after flush"
	# masq4, pub4 (8081), pubaddr4 and publocal4 (9000)
	eq "$(plumb-nat reconcile)" "added 4 elements" "reconcile after flush"
	eq "$(route_localnet)" "plumb0=1 wan0=0 lo=0 all=0 default=0 " \
		"route_localnet after reconcile"
	eq "$(elems localnet)" "plumb0 plumb" "the guard's bridges after reconcile"
	reaches host tcp 127.0.0.1 9000 "c1 $GW"
}

test_without_localhost_127_0_0_1_is_refused_and_route_localnet_stays_off() {
	setup
	ok plumb-nat masq add "$SUBNET"
	serve c1 tcp 80
	ok plumb-nat publish 8080 "$C1:80"
	reaches host tcp $WAN_HOST 8080 "c1 $WAN_HOST"
	refused host tcp 127.0.0.1 8080
	eq "$(route_localnet)" "plumb0=0 wan0=0 lo=0 all=0 default=0 " "route_localnet"
	eq "$(elems localnet)" "" "the guard's bridges"
	eq "$(elems publocal4)" "" "publocal4"
}

# from_c1 WHAT: c1 sends WHAT to a host service on a loopback address, and
# WHAT from a loopback address to one on the bridge's (see below).
from_c1() {
	echo "$1 to" | ip netns exec c1 socat -u - UDP4-SENDTO:127.1.2.3:7000
	echo "$1 from" | ip netns exec c1 socat -u - \
		UDP4-SENDTO:"$GW":7001,bind=127.9.9.9
	sleep 0.5
}

test_localhost_guard_drops_loopback_addresses_from_the_bridge() {
	setup
	ok plumb-nat masq add "$SUBNET"
	ok plumb-nat publish 8080 "$C1:80" --localhost
	# Host services that believe only the host can reach them: one on a
	# loopback address, one that trusts loopback sources.
	ok ip addr add 127.1.2.3/32 dev lo
	sink host 7000 /tmp/to.log
	sink host 7001 /tmp/from.log
	# c1 sends to 127.1.2.3 through its gateway: a route of its own, more
	# specific than its own 127.0.0.0/8 (in the local table, looked up
	# first). And it sends from 127.9.9.9, which its own kernel allows on
	# eth0 once route_localnet is on there: c1 is root in its namespace.
	ok ip -n c1 route add 127.1.2.3/32 via "$GW" dev eth0 table local
	ok ip netns exec c1 sysctl -qw net.ipv4.conf.eth0.route_localnet=1
	ok ip -n c1 addr add 127.9.9.9/32 dev eth0
	from_c1 guarded
	eq "$(cat /tmp/to.log)" "" "what the service on 127.1.2.3 got with the guard"
	eq "$(cat /tmp/from.log)" "" "what the service on $GW got from 127.9.9.9 with the guard"
	# Proof that the guard is what stops them: without the bridge in its
	# set, the same datagrams get through, as route_localnet lets them.
	ok nft delete element inet plumb localnet '{ "plumb0" }'
	from_c1 open
	eq "$(cat /tmp/to.log)" "open to" "what the service on 127.1.2.3 got without the guard"
	eq "$(cat /tmp/from.log)" "open from" "what the service on $GW got without the guard"
	# reconcile puts the guard back.
	ok plumb-nat reconcile
	eq "$(elems localnet)" "plumb0 plumb" "the guard's bridges after reconcile"
	from_c1 guarded-again
	eq "$(cat /tmp/to.log)" "open to" "what the service on 127.1.2.3 got with the guard back"
	eq "$(cat /tmp/from.log)" "open from" "what the service on $GW got with the guard back"
}

# --- list, -n ----------------------------------------------------------------

test_list_shows_owners_plain_and_json() {
	setup
	eq "$(plumb-nat list)" "" "list before anything"
	eq "$(plumb-nat -j list)" \
		'{"masquerade":[],"no_masquerade":[],"published":[],"networks":[]}' \
		"JSON list before anything"
	ok plumb-nat masq add "$SUBNET" --id bridge/plumb0
	# More subnets, next to each other, not on a /8 boundary, and IPv6.
	ok plumb-nat masq add 10.99.0.0/16 --id extra
	ok plumb-nat masq add 10.100.0.0/24 --id extra
	ok plumb-nat masq add 10.100.1.0/24 --id extra
	ok plumb-nat masq add 192.0.2.128/25 --id extra
	ok plumb-nat masq add 240.0.0.0/4 --id extra
	ok plumb-nat masq add fd00:99::/64 --id extra
	eq "$(plumb-nat list | grep ' owner extra$')" "$(printf 'masquerade %s owner extra\n' \
		10.99.0.0/16 10.100.0.0/24 10.100.1.0/24 192.0.2.128/25 240.0.0.0/4 \
		fd00:99::/64)" \
		"masqueraded subnets of extra"
	ok plumb-nat unpublish --id extra
	eq "$(plumb-nat list | grep -c ' owner extra$')" 0 "extra's subnets after unpublish --id"
	ok plumb-nat publish 8080 "$C1:80" --id web/1
	ok plumb-nat publish $WAN_HOST:53/udp "$C2:5353" --id dns
	ok plumb-nat publish 8443 "$C2:443" --localhost --id web/2
	eq "$(plumb-nat list | sort)" "$(printf '%s\n' \
		"masquerade $SUBNET owner bridge/plumb0" \
		"publish *:8080/tcp -> $C1:80 owner web/1" \
		"publish *:8443/tcp -> $C2:443 owner web/2" \
		"publish *:8443/tcp -> $C2:443 owner web/2 (localhost)" \
		"publish $WAN_HOST:53/udp -> $C2:5353 owner dns" | sort)" "plain list"
	eq "$(plumb-nat -j list | jq -c '.masquerade')" \
		"[{\"subnet\":\"$SUBNET\",\"owner\":\"bridge/plumb0\"}]" "JSON masquerade"
	eq "$(plumb-nat -j list | jq -c '.published | sort_by(.host_port, .localhost) | .[]')" \
		"$(printf '%s\n' \
		"{\"proto\":\"udp\",\"host_ip\":\"$WAN_HOST\",\"host_port\":53,\"addr\":\"$C2\",\"port\":5353,\"owner\":\"dns\",\"localhost\":false}" \
		"{\"proto\":\"tcp\",\"host_ip\":null,\"host_port\":8080,\"addr\":\"$C1\",\"port\":80,\"owner\":\"web/1\",\"localhost\":false}" \
		"{\"proto\":\"tcp\",\"host_ip\":null,\"host_port\":8443,\"addr\":\"$C2\",\"port\":443,\"owner\":\"web/2\",\"localhost\":false}" \
		"{\"proto\":\"tcp\",\"host_ip\":null,\"host_port\":8443,\"addr\":\"$C2\",\"port\":443,\"owner\":\"web/2\",\"localhost\":true}")" \
		"JSON published"
	# The owners are in nft's own listing too, as comments.
	eq "$(elems pub4)" "$(printf '%s\n' "tcp . 8080 : $C1 . 80 web/1" \
		"tcp . 8443 : $C2 . 443 web/2")" "pub4 comments"
	ok plumb-nat unpublish --id web/1
	eq "$(plumb-nat -j list | jq -r '[.published[].owner] | unique | join(" ")')" \
		"dns web/2" "owners after unpublish --id web/1"
}

test_list_s_counts_the_connections_of_each_element() {
	local i before
	setup
	ok plumb-nat masq add "$SUBNET" --id net
	ok plumb-nat publish 8080 "$C1:80" --id web/1
	ok plumb-nat publish 8081 "$C2:80" --id web/2
	serve c1 tcp 80
	serve wan tcp 9000
	# The containers' own chatter (IGMP, say) counts too: compare deltas.
	before=$(plumb-nat -j list -s) || fail "list -s"
	for i in 1 2 3; do
		reaches wan tcp $WAN_HOST 8080 "c1 $WAN_PEER"
	done
	for i in 1 2; do
		reaches c1 tcp $WAN_PEER 9000 "wan $WAN_HOST"
	done
	# Only a connection's first packet goes through NAT: one count each.
	# At least: a SYN whose connection the kernel dropped before confirming
	# it comes again as a new one.
	eq "$(plumb-nat -j list -s | jq -c --argjson b "$before" '
		def n($x; $k; $v): [$x[$k][] | select(.[$v[0]] == $v[1])][0].connections;
		[n(.; "masquerade"; ["subnet", $b.masquerade[0].subnet]) -
		 n($b; "masquerade"; ["subnet", $b.masquerade[0].subnet]) >= 2,
		 n(.; "published"; ["host_port", 8080]) - n($b; "published"; ["host_port", 8080]) >= 3,
		 n(.; "published"; ["host_port", 8081])]')" \
		"[true,true,0]" "counters"
	eq "$(plumb-nat list -s | grep -A1 '^publish \*:8081/tcp')" \
		"$(printf 'publish *:8081/tcp -> %s:80 owner web/2\n    connections 0' "$C2")" \
		"list -s"
	eq "$(plumb-nat -j list | jq -c '[.. | .connections? // empty]')" "[]" \
		"no counters without -s"
}

test_netns_option_works_in_another_namespace_only() {
	local ino
	ok plumb-netns add other
	ino=$(ns_ino /run/netns/other)
	ok plumb-nat -n other masq add 10.99.0.0/16
	ok plumb-nat -n other publish 8080 10.99.0.2:80 --id web
	eq "$(elems pub4 other)" "tcp . 8080 : 10.99.0.2 . 80 web" "pub4 in other"
	eq "$(plumb-nat -n other list | sort)" "$(printf '%s\n' \
		"masquerade 10.99.0.0/16 owner manual" \
		"publish *:8080/tcp -> 10.99.0.2:80 owner web")" "list in other"
	# The sandbox's own namespace has no table and no records of them.
	fails 1 'No such file or directory' nft list table inet plumb
	eq "$(plumb-nat list)" "" "list here"
	eq "$(find /run/plumb/nat 2> /dev/null)" "" "records here"
	eq "$(find /run/plumb/netns/$ino/nat -name '*.json' | sort)" "$(printf '%s\n' \
		/run/plumb/netns/$ino/nat/manual/masq-10.99.0.0_16.json \
		/run/plumb/netns/$ino/nat/web/pub-tcp-any-8080.json)" "records of other"
	ok plumb-nat reconcile
	fails 1 'No such file or directory' nft list table inet plumb
	# flush and reconcile there work on its table and its records.
	ok plumb-nat -n other flush
	fails 1 'No such file or directory' ip netns exec other nft list table inet plumb
	eq "$(plumb-nat -n other reconcile)" "added 2 elements" "reconcile in other"
	eq "$(elems pub4 other)" "tcp . 8080 : 10.99.0.2 . 80 web" "pub4 in other after reconcile"
	ok plumb-nat -n other unpublish --id web
	eq "$(elems pub4 other)" "" "pub4 in other after unpublish"
	fails 1 'nope' plumb-nat -n nope list
}

# --- bad input ---------------------------------------------------------------

test_bad_input_is_refused_precisely_and_changes_nothing() {
	local before long
	setup
	ok plumb-nat masq add "$SUBNET"
	ok plumb-nat publish 8080 "$C1:80"
	before=$(table)
	long=$(printf 'o%.0s' $(seq 200))
	fails 1 '^plumb-nat: invalid port 0: want 1 to 65535$' plumb-nat publish 0 "$C1:80"
	fails 1 '^plumb-nat: invalid port 65536: want 1 to 65535$' plumb-nat publish 65536 "$C1:80"
	fails 1 '^plumb-nat: invalid port 0: want 1 to 65535$' plumb-nat publish 8081 "$C1:0"
	fails 1 '^plumb-nat: invalid port 99999: want 1 to 65535$' plumb-nat publish 8081 "$C1:99999"
	fails 1 '^plumb-nat: invalid port "123456": want 1 to 65535$' plumb-nat publish 123456 "$C1:80"
	fails 1 '^plumb-nat: invalid port "80x": want 1 to 65535$' plumb-nat publish 80x "$C1:80"
	fails 1 '^plumb-nat: invalid port "": want 1 to 65535$' plumb-nat publish 8000- "$C1:80"
	fails 1 '^plumb-nat: invalid port range "8004-8000": it ends before it starts$' \
		plumb-nat publish 8004-8000 "$C1:8000-8004"
	fails 1 '^plumb-nat: invalid port range "90-80": it ends before it starts$' \
		plumb-nat publish 8000-8010 "$C1:90-80"
	fails 1 '^plumb-nat: unknown protocol "icmp": want tcp, udp or sctp$' \
		plumb-nat publish 8081/icmp "$C1:80"
	fails 1 '^plumb-nat: unknown protocol "TCP": want tcp, udp or sctp$' \
		plumb-nat publish 8081/TCP "$C1:80"
	fails 1 '^plumb-nat: host address 2001:db8::1 and container address 10.88.0.2 are of different families$' \
		plumb-nat publish '[2001:db8::1]:80' 10.88.0.2:80
	fails 1 '^plumb-nat: invalid host address "999.1.1.1"$' \
		plumb-nat publish 999.1.1.1:80 "$C1:80"
	fails 1 '^plumb-nat: invalid host address "localhost"$' \
		plumb-nat publish localhost:80 "$C1:80"
	fails 1 '^plumb-nat: invalid container address "c1"$' plumb-nat publish 8081 c1:80
	fails 1 '^plumb-nat: invalid target "10.88.0.2": want ADDRESS:PORT$' \
		plumb-nat publish 8081 10.88.0.2
	fails 1 'put an IPv6 address in brackets' plumb-nat publish 8081 2001:db8::2:80
	fails 1 'want \[IPV6\]:PORT' plumb-nat publish 8081 '[2001:db8::2'
	fails 1 '^plumb-nat: host ports 8000-8004 and container ports 9000-9002 are ranges of different sizes$' \
		plumb-nat publish 8000-8004 "$C1:9000-9002"
	fails 1 '^plumb-nat: 1025 ports in one publish: at most 1024$' \
		plumb-nat publish 10000-11024 "$C1:10000-11024"
	fails 1 '^plumb-nat: container address 0.0.0.0 cannot receive a published port$' \
		plumb-nat publish 8081 0.0.0.0:80
	fails 1 '^plumb-nat: container address 127.0.0.1 cannot receive a published port$' \
		plumb-nat publish 8081 127.0.0.1:80
	fails 1 '^plumb-nat: container address 224.0.0.1 cannot receive a published port$' \
		plumb-nat publish 8081 224.0.0.1:80
	fails 1 '^plumb-nat: publishing on localhost works for IPv4 only$' \
		plumb-nat publish 8081 '[2001:db8::2]:80' --localhost
	fails 1 "^plumb-nat: invalid owner \"a:b\": only letters, digits, '_', '.', '-' and '/' \\(not first\\)$" \
		plumb-nat publish 8081 "$C1:80" --id a:b
	fails 1 'invalid owner "/x"' plumb-nat publish 8081 "$C1:80" --id /x
	fails 1 "^plumb-nat: invalid owner \"o{32}\": want 1 to 127 bytes$" \
		plumb-nat publish 8081 "$C1:80" --id "$long"
	fails 1 'invalid owner "": want 1 to 127 bytes' plumb-nat publish 8081 "$C1:80" --id ''
	fails 1 "invalid owner \"a:b\"" plumb-nat unpublish --id a:b
	fails 1 '^plumb-nat: invalid port 0: want 1 to 65535$' plumb-nat unpublish 0
	fails 1 '^plumb-nat: invalid subnet "10.88.0.1/16": host bits set$' \
		plumb-nat masq add 10.88.0.1/16
	fails 1 '^plumb-nat: invalid subnet "10.88.0.0": want ADDRESS/LENGTH$' \
		plumb-nat masq add 10.88.0.0
	fails 1 'invalid subnet "garbage' plumb-nat masq add garbage/8
	fails 1 'invalid subnet "10.0.0.0/33' plumb-nat masq add 10.0.0.0/33
	fails 1 'invalid owner' plumb-nat masq add 10.99.0.0/16 --id 'a b'
	# Usage errors: exit 2, with the verb's usage.
	fails 2 '^usage: plumb-nat publish ' plumb-nat publish
	fails 2 '^usage: plumb-nat publish ' plumb-nat publish 8081
	fails 2 '^usage: plumb-nat publish ' plumb-nat publish 8081 "$C1:80" extra
	fails 2 '^usage: plumb-nat publish ' plumb-nat publish 8081 "$C1:80" --frob
	fails 2 '^usage: plumb-nat publish ' plumb-nat publish 8081 "$C1:80" --id
	fails 2 '^usage: plumb-nat unpublish ' plumb-nat unpublish
	fails 2 '^usage: plumb-nat unpublish ' plumb-nat unpublish 8080 --localhost
	fails 2 '^usage: plumb-nat masq ' plumb-nat masq
	fails 2 '^usage: plumb-nat masq ' plumb-nat masq add
	fails 2 '^usage: plumb-nat masq ' plumb-nat masq frob 10.99.0.0/16
	fails 2 '^usage: plumb-nat list' plumb-nat list extra
	fails 2 '^usage: plumb-nat list \[-s\]' plumb-nat list --counters
	fails 2 '^usage: plumb-nat flush' plumb-nat flush extra
	fails 2 '^usage: plumb-nat reconcile' plumb-nat reconcile extra
	fails 2 'unknown verb "frobnicate"' plumb-nat frobnicate
	fails 2 'usage' plumb-nat
	eq "$(table)" "$before" "table and records after bad input"
}

test_every_verb_has_help_and_a_missing_capability_is_named() {
	local v before
	for v in masq publish unpublish list flush reconcile; do
		plumb-nat $v -h | grep -q "^usage: plumb-nat $v" || fail "$v -h prints no usage"
	done
	plumb-nat publish -h | grep -q -- '--localhost' || fail "publish -h has no --localhost"
	ok plumb-nat --help
	eq "$(plumb-nat --version)" "plumb-nat 0.1.0" "version"
	command -v capsh > /dev/null || skip "needs capsh (libcap2-bin)"
	before=$(table)
	fails 1 'publish needs CAP_NET_ADMIN' \
		capsh --drop=cap_net_admin -- -c 'exec plumb-nat publish 8080 10.88.0.2:80'
	fails 1 'masq needs CAP_NET_ADMIN' \
		capsh --drop=cap_net_admin -- -c 'exec plumb-nat masq add 10.88.0.0/16'
	eq "$(table)" "$before" "table after refused verbs"
}

# --- IPv6 --------------------------------------------------------------------

# peer6 ADDR: an IPv6 address as socat's $SOCAT_PEERADDR has it.
peer6() {
	python3 -c 'import ipaddress, sys; print("[%s]" % ipaddress.ip_address(sys.argv[1]).exploded)' "$1"
}

test_ipv6_masquerade_and_published_ports() {
	local out c1 gw
	ok plumb-netns add c1
	ok plumb-netns add wan
	out=$(plumb-bridge -j add c1 --subnet6 fd00:88::/64) || fail "plumb-bridge: $out"
	c1=$(echo "$out" | jq -r '.ips[] | select(.address | contains(":")) |
		.address | split("/")[0]')
	gw=$(echo "$out" | jq -r '.ips[] | select(.address | contains(":")) | .gateway')
	ok ip link add wan0 type veth peer name eth0 netns wan
	ok ip addr add 2001:db8::1/64 dev wan0 nodad
	ok ip link set wan0 up
	ok ip -n wan addr add 2001:db8::2/64 dev eth0 nodad
	ok ip -n wan link set eth0 up
	serve wan tcp6 7000
	serve c1 tcp6 80
	serve c1 udp6 53
	ok plumb-nat masq add fd00:88::/64
	reaches c1 tcp 2001:db8::2 7000 "wan $(peer6 2001:db8::1)"
	ok plumb-nat publish 8080 "[$c1]:80" --id web
	ok plumb-nat publish '[2001:db8::1]:8053/udp' "[$c1]:53" --id dns
	eq "$(elems pub6)" "tcp . 8080 : $c1 . 80 web" "pub6"
	eq "$(elems pubaddr6)" "2001:db8::1 . udp . 8053 : $c1 . 53 dns" "pubaddr6"
	eq "$(elems pub4)" "" "pub4"
	reaches wan tcp 2001:db8::1 8080 "c1 $(peer6 2001:db8::2)"
	reaches wan udp 2001:db8::1 8053 "c1 $(peer6 2001:db8::2)"
	reaches host tcp "$gw" 8080 "c1 $(peer6 "$gw")"
	refused host udp "$gw" 8053
	# The host's ::1 is not published.
	refused host tcp ::1 8080
	eq "$(plumb-nat list | sort)" "$(printf '%s\n' \
		"masquerade fd00:88::/64 owner manual" \
		"publish *:8080/tcp -> [$c1]:80 owner web" \
		"publish [2001:db8::1]:8053/udp -> [$c1]:53 owner dns")" "plain list"
	ok plumb-nat unpublish 8080
	ok plumb-nat unpublish '[2001:db8::1]:8053/udp'
	eq "$(elems pub6; elems pubaddr6)" "" "pub6 and pubaddr6 after unpublish"
	refused wan tcp 2001:db8::1 8080
}
