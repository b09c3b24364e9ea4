# SPDX-License-Identifier: GPL-2.0-or-later
# plumb-lab against the kernel, with iproute2, nft -j, ping and socat as
# witnesses. Each test writes the topology it needs; the three main ones:
#
#   routed (dual stack, two /30 links through a router):
#     h1 eth0 ====== eth1 r1 eth2 ====== eth0 h2
#        10.0.1.2/30  10.0.1.1/30  10.0.2.1/30  10.0.2.2/30
#        fd00:1::2/64 fd00:1::1/64 fd00:2::1/64 fd00:2::2/64
#
#   nested (a bridge inside a router, masqueraded, a port published):
#     wan eth0 192.0.2.2/24 ====== eth1 192.0.2.1/24  r1
#                                    lan 10.9.0.1/24 (bridge in r1)
#                                     |-- s1 eth0 10.9.0.2 (:80, published as r1:8080)
#                                     `-- s2 eth0 10.9.0.3
#
#   hostbr (a bridge in the sandbox host, masqueraded: the host's settings change):
#     sandbox host: <prefix>-lan 10.7.0.1/24 -- a eth0, b eth0
#
#   policy (four bridges in the sandbox host, which routes between them
#   itself; wan, lib.sh's, routes their subnets to it):
#     pol-red   10.41.0.1/24 -- a   isolate, direct-access: false; :8041 -> a:80
#     pol-blue  10.42.0.1/24 -- b   isolate
#     pol-green 10.43.0.1/24 -- c
#     pol-grey  10.44.0.1/24 -- d
#     wan eth0 192.0.2.2/24 ====== wan0 192.0.2.1/24 (sandbox host)
#
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

LABS=/run/plumb/lab

routed() {
	cat > /tmp/routed.yaml <<-'EOF'
	# two hosts routed through r1
	name: routed
	nodes:
	  h1: {}
	  r1: {forward: true}
	  h2: {}
	links:
	  - endpoints: ["h1:eth0=10.0.1.2/30,fd00:1::2/64", "r1:eth1=10.0.1.1/30,fd00:1::1/64"]
	  - endpoints: ["r1:eth2=10.0.2.1/30,fd00:2::1/64", "h2:eth0=10.0.2.2/30,fd00:2::2/64"]
	routes:
	  h1: ["default via 10.0.1.1", "default via fd00:1::1"]
	  h2: ["default via 10.0.2.1", "default via fd00:2::1"]
	EOF
}

nested() {
	cat > /tmp/nested.yaml <<-'EOF'
	name: nested
	nodes: {r1: {forward: true}, wan: {}, s1: {}, s2: {}}
	bridges:
	  lan:
	    in: r1
	    subnet: 10.9.0.0/24
	    masquerade: true
	    members: [s1, s2]
	links:
	  - endpoints: ["r1:eth1=192.0.2.1/24", "wan:eth0=192.0.2.2/24"]
	publish:
	  - {in: r1, port: 8080/tcp, to: "s1:80"}
	EOF
}

hostbr() {
	cat > /tmp/hostbr.yaml <<-'EOF'
	name: hostbr
	nodes: [a, b]
	bridges:
	  lan: {subnet: 10.7.0.0/24, subnet6: "fd00:7::/64", masquerade: true, members: [a, b]}
	EOF
}

# up FILE: plumb-lab up must succeed
up() {
	local out
	out=$(plumb-lab up "$1" 2>&1) || fail "up $1: $out"
}

policy() {
	cat > /tmp/policy.yaml <<-'EOF'
	name: pol
	nodes: [a, b, c, d]
	bridges:
	  red: {subnet: 10.41.0.0/24, isolate: true, direct-access: false, members: [a]}
	  blue: {subnet: 10.42.0.0/24, isolate: true, members: [b]}
	  green: {subnet: 10.43.0.0/24, members: [c]}
	  grey: {subnet: 10.44.0.0/24, isolate: false, direct-access: true, members: [d]}
	publish:
	  - {port: 8041/tcp, to: "a:80"}
	EOF
}

# ping1 is lib.sh's; ping6 NS ADDR: one IPv6 echo answered
ping6() {
	ip netns exec "$1" ping -6 -c 1 -W 2 "$2" > /dev/null 2>&1
}

# addrs NS IF: the global addresses of IF inside NS, ADDR/LEN a line, sorted
addrs() {
	ip -n "$1" -j addr show dev "$2" 2> /dev/null | jq -r '.[0].addr_info[] |
		select(.scope == "global") | "\(.local)/\(.prefixlen)"' | sort
}

# world: everything a lab could leave behind in the sandbox, to compare
world() {
	state
	find /etc/netns | sort
	cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding
}

# owners NS SET: the owners of the elements of SET in NS ("" the sandbox host)
owners() {
	{ if [ -n "$1" ]; then ip netns exec "$1" nft -j list table inet plumb
	  else nft -j list table inet plumb; fi; } 2> /dev/null |
		jq -r --arg s "$2" '.nftables[] | (.map // .set) | select(.name == $s) |
			.elem // [] | .[] | if type == "array" then .[0] else . end |
			.elem.comment // empty'
}

# elems SET: the keys of SET in the sandbox host's plumb table, sorted, on one line
elems() {
	nft -j list set inet plumb "$1" 2> /dev/null | jq -r '[.nftables[] | .set // empty |
		.elem // [] | .[] | .elem.val // . | if type == "object" then
		.concat | join(".") else . end] | sort | join(" ")'
}

# answer NS ADDR PORT: what a TCP server at ADDR:PORT says, "" if none within 3 s
answer() {
	ip netns exec "$1" socat -T3 -u TCP:"$2:$3",connect-timeout=3 - 2> /dev/null
}

# serve NS PORT: a TCP server in NS answering "NS SOURCE-IT-SAW"
serve() {
	local i
	ip netns exec "$1" socat TCP-LISTEN:"$2",fork,reuseaddr \
		SYSTEM:"echo $1 \$SOCAT_PEERADDR" 2> /dev/null &
	for i in $(seq 50); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on port $2 in $1"
}

# --- up, down ------------------------------------------------------------

test_routed_dual_stack_lab_routes_both_families_by_name() {
	routed
	up /tmp/routed.yaml
	eq "$(ip netns list | awk '{ print $1 }' | sort | tr '\n' ' ')" \
		"routed-h1 routed-h2 routed-r1 " "namespaces"
	eq "$(addrs routed-r1 eth2 | tr '\n' ' ')" "10.0.2.1/30 fd00:2::1/64 " "r1 eth2"
	eq "$(ip -n routed-h1 -j route show default | jq -r '.[0].gateway')" 10.0.1.1 \
		"h1 default route"
	eq "$(ip netns exec routed-r1 cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 \
		"r1 forwards IPv6"
	ping1 routed-h1 10.0.2.2 || fail "h1 does not reach h2 over IPv4"
	ping6 routed-h1 fd00:2::2 || fail "h1 does not reach h2 over IPv6"
	# Names: /etc/netns/<namespace>/hosts, bound over /etc/hosts.
	ip netns exec routed-h1 ping -c 1 -W 2 h2 > /dev/null 2>&1 ||
		fail "h1 does not reach h2 by name (ip netns exec)"
	eq "$(plumb-lab exec routed h2 -- getent ahostsv4 r1 | awk '{ print $1 }' | sort -u |
		tr '\n' ' ')" "10.0.1.1 10.0.2.1 " "r1's addresses by name (plumb-lab exec)"
	ping6 routed-h2 h1 || fail "h2 does not reach h1 by name over IPv6"
	ok plumb-lab check /tmp/routed.yaml
}

test_down_leaves_the_host_as_it_was_and_twice_is_fine() {
	local before
	hostbr
	nested
	before=$(world)
	up /tmp/hostbr.yaml
	up /tmp/nested.yaml
	eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "host ip_forward while up"
	eq "$(cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 "host IPv6 forwarding while up"
	eq "$(owners "" masq4)" lab@hostbr "the host's masquerade"
	ok plumb-lab down /tmp/nested.yaml
	ok plumb-lab down hostbr
	eq "$(world)" "$before" "the sandbox after down"
	[ ! -e $LABS ] || fail "lab state after down: $(find $LABS)"
	ok plumb-lab down hostbr
	ok plumb-lab down /tmp/nested.yaml
	eq "$(world)" "$before" "the sandbox after a second down"
}

test_down_after_a_namespace_went_by_hand_succeeds() {
	local before
	hostbr
	nested
	before=$(world)
	up /tmp/hostbr.yaml
	up /tmp/nested.yaml
	ok ip netns del hostbr-a
	ok ip netns del nested-r1 # the bridge, its NAT and its ports' host ends with it
	ok plumb-lab down hostbr
	ok plumb-lab down nested
	eq "$(world)" "$before" "the sandbox after down"
}

test_nested_bridge_masquerades_and_publishes_a_port() {
	nested
	up /tmp/nested.yaml
	eq "$(addrs nested-s1 eth0)" 10.9.0.2/24 "s1's leased address"
	eq "$(addrs nested-s2 eth0)" 10.9.0.3/24 "s2's leased address"
	eq "$(ip -n nested-r1 -j link show dev lan | jq -r '.[0].linkinfo.info_kind // empty')" "" \
		"-j without -d"
	eq "$(ip -n nested-r1 -d -j link show dev lan | jq -r '.[0].linkinfo.info_kind')" bridge \
		"lan is a bridge inside r1"
	eq "$(ip -n nested-r1 -j link show master lan | jq length)" 2 "ports of lan"
	# s1 -> wan leaves masqueraded as r1's address.
	serve nested-wan 9000
	eq "$(answer nested-s1 192.0.2.2 9000)" "nested-wan 192.0.2.1" "s1 -> wan, as wan sees it"
	# wan -> r1:8080 reaches s1:80, and s1 sees wan's own address.
	serve nested-s1 80
	eq "$(answer nested-wan 192.0.2.1 8080)" "nested-s1 192.0.2.2" "wan -> r1:8080"
	eq "$(owners nested-r1 pub4)" lab@nested "the published port's owner"
	# Between members, by name, nothing is masqueraded.
	eq "$(plumb-lab exec nested s2 -- socat -T3 -u TCP:s1:80 - 2> /dev/null)" \
		"nested-s1 10.9.0.3" "s2 -> s1 by name"
	ok plumb-lab check /tmp/nested.yaml
}

test_two_labs_with_the_same_node_names_live_side_by_side() {
	local f n=5 before
	before=$(world)
	# The same nodes, links and bridge; each lab masquerades its own subnet
	# in the sandbox host, which forwards while either is up.
	for f in one two; do
		cat > /tmp/$f.yaml <<-EOF
		name: $f
		nodes: [a, b]
		links:
		  - endpoints: ["a:eth0=10.0.0.1/24", "b:eth0=10.0.0.2/24"]
		bridges:
		  lan: {subnet: 10.$n.0.0/24, masquerade: true, members: [a, b]}
		EOF
		n=$((n + 1))
	done
	up /tmp/one.yaml
	up /tmp/two.yaml
	eq "$(ip netns list | awk '{ print $1 }' | sort | tr '\n' ' ')" \
		"one-a one-b two-a two-b " "namespaces"
	ping1 one-a 10.0.0.2 || fail "one's a does not reach its b"
	ping1 two-a 10.0.0.2 || fail "two's a does not reach its b"
	ping1 two-a 10.6.0.3 || fail "two's a does not reach b over two's bridge"
	eq "$(owners "" masq4 | sort | tr '\n' ' ')" "lab@one lab@two " "the host's masquerade"
	ok plumb-lab down one
	ping1 two-a 10.0.0.2 || fail "two's a lost its b when one went"
	ping1 two-b 10.6.0.2 || fail "two's bridge went with one"
	eq "$(owners "" masq4)" lab@two "the host's masquerade after one went"
	eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "the host forwards for two after one went"
	ok plumb-lab check /tmp/two.yaml
	eq "$(plumb-lab list -j | jq -r '.[].name')" two "labs after one went"
	ok plumb-lab down two
	eq "$(world)" "$before" "the sandbox after both went"
}

# snap [NS...]: lab namespaces (all by default) as the kernel has them:
# interfaces with their indexes (one made again gets a new one), addresses,
# routes, NAT, forwarding; and, for all, the lab's files
snap() {
	local ns
	for ns in ${*:-$(ip netns list | awk '{ print $1 }' | sort)}; do
		echo "== $ns"
		# Without the carrier, which the kernel reports up to a second late.
		ip -n "$ns" -j link | jq -c '[.[] | {ifindex, ifname, master, mtu,
			flags: (.flags - ["LOWER_UP", "NO-CARRIER", "M-DOWN"])}]'
		ip -n "$ns" -j addr | jq -c '[.[] | {ifname, a: [.addr_info[] |
			select(.scope == "global") | "\(.local)/\(.prefixlen)"]}]'
		ip -n "$ns" -j route | jq -c '[.[] | {dst, gateway, dev}]'
		ip -n "$ns" -6 -j route | jq -c '[.[] | {dst, gateway, dev}]'
		ip netns exec "$ns" nft -s list ruleset
		ip netns exec "$ns" sysctl -n net.ipv4.ip_forward
	done
	[ $# != 0 ] || find /run/plumb /etc/netns -type f -o -type l | sort | xargs cat
}

test_up_twice_changes_nothing() {
	local before out
	nested
	hostbr
	up /tmp/nested.yaml
	up /tmp/hostbr.yaml
	settle hostbr-lan
	before=$(world; ip -j link show | jq -c '[.[] | {ifindex, ifname, group, mtu}]'; snap)
	out=$(plumb-lab up /tmp/nested.yaml) || fail "second up: $out"
	eq "$out" "nested: up: 4 nodes, 1 bridge, 4 interfaces, as they were" "second up says"
	out=$(plumb-lab up /tmp/hostbr.yaml) || fail "second up: $out"
	eq "$out" "hostbr: up: 2 nodes, 1 bridge, 2 interfaces, as they were" "second up says"
	eq "$(world; ip -j link show | jq -c '[.[] | {ifindex, ifname, group, mtu}]'; snap)" \
		"$before" "the kernel after a second up"
}

# drift FILE LINE...: check lists exactly the LINEs (exit 1), up repairs as
# many, and check finds nothing more
drift() {
	local file=$1 out
	shift
	out=$(plumb-lab check "$file" 2> /tmp/err)
	eq "$?" 1 "check's status with drift ($(cat /tmp/err))"
	eq "$out" "$(printf '%s\n' "$@")" "check's list"
	out=$(plumb-lab up "$file") || fail "up: $out"
	eq "$(grep -c ': repaired: ' <<< "$out")" $# "repairs up reported: $out"
	ok plumb-lab check "$file"
}

test_check_finds_drift_and_up_repairs_it() {
	local before
	nested
	up /tmp/nested.yaml
	before=$(snap nested-wan nested-s1)
	ok ip -n nested-s1 link set eth0 down # and its default route goes
	ok ip -n nested-s2 link del eth0
	ok ip -n nested-wan addr del 192.0.2.2/24 dev eth0
	ok ip -n nested-wan addr add 192.0.2.99/24 dev eth0
	ok ip netns exec nested-r1 sysctl -qw net.ipv4.ip_forward=0
	ok ip netns exec nested-r1 nft flush map inet plumb pub4
	ok rm /etc/netns/nested-s2/hosts
	drift /tmp/nested.yaml \
		"nested: nested-s2: eth0 is missing" \
		"nested: nested-wan: eth0 has address 192.0.2.99/24, not in the file" \
		"nested: nested-wan: eth0 lacks address 192.0.2.2/24" \
		"nested: nested-s1: eth0 is down" \
		"nested: nested-s1: route default via 10.9.0.1 is missing" \
		"nested: nested-r1: net/ipv4/ip_forward is 0, not 1" \
		"nested: nested-r1: tcp port 8080 is not published" \
		"nested: nested-s2: /etc/netns/nested-s2/hosts is missing"
	# What was repaired in place is as it was: same interfaces, same indexes.
	eq "$(snap nested-wan nested-s1)" "$before" "wan and s1 after the repair"
	eq "$(addrs nested-s2 eth0)" 10.9.0.3/24 "s2, made again, keeps its lease"
	serve nested-s1 80
	eq "$(answer nested-wan 192.0.2.1 8080)" "nested-s1 192.0.2.2" "wan -> r1:8080 after repair"
	ping1 nested-s2 192.0.2.2 || fail "s2, made again, does not reach wan"
}

test_check_finds_drift_in_the_host_and_up_repairs_it() {
	local port
	hostbr
	up /tmp/hostbr.yaml
	ok ip link set hostbr-lan down # and its IPv6 address goes
	port=$(ip -j link show master hostbr-lan | jq -r '.[] | select(.link_netnsid != null) |
		.ifname' | head -1)
	ok ip link del "$port" # a's end of the pair: a's eth0 goes with it
	ok nft delete element inet plumb masq4 '{ 10.7.0.0/24 }'
	ok sysctl -qw net.ipv4.ip_forward=0
	drift /tmp/hostbr.yaml \
		"hostbr: the host: net/ipv4/ip_forward is 0, not 1" \
		"hostbr: hostbr-a: eth0 is missing" \
		"hostbr: the host: hostbr-lan is down" \
		"hostbr: the host: hostbr-lan lacks address fd00:7::1/64" \
		"hostbr: the host: 10.7.0.0/24 is not masqueraded"
	eq "$(owners "" masq4)" lab@hostbr "the host's masquerade after the repair"
	eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "the host's ip_forward after the repair"
	eq "$(addrs hostbr-a eth0)" "$(printf '10.7.0.2/24\nfd00:7::2/64')" \
		"a, made again, keeps its leases"
	ping1 hostbr-b 10.7.0.2 || fail "b does not reach a after the repair"
	ping6 hostbr-a fd00:7::3 || fail "a does not reach b over IPv6 after the repair"
}

# --- what up refuses -----------------------------------------------------

# bad TEXT WANT: a file holding TEXT is refused with WANT (a regex), exit 1,
# in one line of stderr (one fault, one message), and nothing is made
bad() {
	local before
	printf '%s\n' "$1" > /tmp/bad.yaml
	before=$(world)
	fails 1 "^plumb-lab: /tmp/bad.yaml:$2" plumb-lab up /tmp/bad.yaml
	eq "$(wc -l < /tmp/.stderr)" 1 "lines of stderr for one fault ($2): $(cat /tmp/.stderr)"
	eq "$(world)" "$before" "the sandbox after a refused file ($2)"
}

test_bad_files_are_refused_with_line_and_column_and_nothing_made() {
	local before
	bad 'name: x
nodes: [a, b
links: []' "3:6: did not find expected ',' or ']'"
	bad 'nodes: [a]' '1:1: no "name"'
	bad 'name: x
nodes: {a: {}, a: {}}' '2:16: node "a" is given twice'
	bad 'name: x
nodes:
  a: {forwrd: true}' '3:7: unknown key "forwrd" in node a: want forward or sysctl'
	bad 'name: x
nodes: [a]
bridges:
  lan: {members: [a, zz]}' '4:22: unknown node "zz"'
	bad 'name: x
nodes: [a]
bridges:
  lan: {isolate: maybe, members: [a]}' '4:18: isolate: want true or false, not "maybe"'
	# Each reader of a value, given what it cannot take: one message each.
	bad 'name: x
nodes:
  a: {forward: [yes]}' '3:16: forward: want true or false, not a list$'
	bad 'name: x
nodes:
  a: {forward: truetruetruetruetruetruetruetruetrue}' \
		'3:16: forward: want true or false, not "(true){8}\.\.\."$'
	bad 'name: x
nodes:
  a: {forward: "tr\0ue"}' '3:16: forward: a NUL byte in the value$'
	bad 'name: x
nodes: [a]
bridges:
  lan: {mtu: 67, members: [a]}' '4:14: mtu: want a number from 68 to 65535, not "67"$'
	bad 'name: x
nodes: [a]
bridges:
  lan: {mtu: {a: 1}, members: [a]}' '4:14: mtu: want a number from 68 to 65535, not a mapping$'
	bad 'name: x
nodes: [a, b]
links:
  - {endpoints: [a, b], mtu: 123456789012345678901234567890123456789}' \
		'4:30: mtu: want a number from 68 to 65535, not "1234567890123456789012345678901[2]\.\.\."$'
	bad 'name: [x]
nodes: [a]' '1:7: lab name: want a value, not a list$'
	bad 'name: x
nodes: [a]
bridges:
  lan: {name: a-bridge-name-too-long, members: [a]}' '4:15: invalid interface name .*longer than 15'
	bad 'name: x
nodes: [a, b]
links:
  - endpoints: [{node: a, ifname: [eth0]}, b]' '4:35: ifname: want a value, not a list$'
	bad 'name: x
nodes: ["a b"]' '2:9: invalid node name "a b"'
	bad 'name: x
nodes: [a]
bridges:
  lan: {direct_access: false, members: [a]}' '4:9: unknown key "direct_access" in bridge lan: want .*isolate, direct-access, mtu or members'
	bad 'name: x
nodes: [a, b]
links:
  - endpoints: ["a:eth0=10.0.0.1/33", "b"]' '4:17: invalid address "10.0.0.1/33"'
	bad 'name: x
nodes: [a, b]
links:
  - endpoints: ["a:this-name-is-too-long", "b"]' '4:17: invalid interface name .*longer than 15'
	bad 'name: x
nodes: [a]
bridges:
  lan: {subnet: 10.0.0.1/24, members: [a]}' '4:17: invalid subnet "10.0.0.1/24": host bits set'
	bad 'name: x
nodes: [a]
routes:
  a: ["default via 10.0.0.1 dev eth3"]' '4:7: route "default via 10.0.0.1 dev eth3": node a has no interface eth3'
	bad 'name: x
nodes: [a]
routes:
  a: ["10.1.0.0/16 via fd00::1"]' '4:7: route .*: the gateway is not of the destination'"'"'s family'
	bad 'name: x
nodes: {a: {sysctl: {kernel.pty.max: 1}}}' '2:22: sysctl "kernel/pty/max": want a setting of the network namespace'
	bad 'name: x
nodes: [a]
publish:
  - {in: a, port: 70000/tcp, to: "a:80"}' '4:19: invalid port 70000: want 1 to 65535'
	bad 'name: x
nodes: [a, b]
publish:
  - {port: 8080/tcp, to: "b:80"}' '4:5: node b has no IPv4 address to publish to'
	bad 'name: x
nodes: &n [a]
bridges: {lan: {members: *n}}' '3:17: this value is used a second time \(a YAML alias\)'
	bad 'name: a-name-longer-than-thirty-two-bytes
nodes: [a]' '1:7: lab name: "a-name-longer-than-thirty-two-by\.\.\." is longer than 32 bytes'
	bad 'name: x
nodes: [host]' '2:9: "host" is the namespace plumb-lab runs in'
	bad 'name: x
---
name: y' '2:1: a second document'
	printf '\xff\xfe' > /tmp/bad.yaml
	fails 1 '/tmp/bad.yaml' plumb-lab up /tmp/bad.yaml
	# A lab that is up stays as it was when its edited file is wrong.
	routed
	up /tmp/routed.yaml
	before=$(world; snap)
	sed -i 's|h2:eth0=10.0.2.2/30|h2:eth0=10.0.2.2/33|' /tmp/routed.yaml
	fails 1 '^plumb-lab: /tmp/routed.yaml:9:53: invalid address "10.0.2.2/33"' \
		plumb-lab up /tmp/routed.yaml
	eq "$(world; snap)" "$before" "the lab after a refused edit"
}

test_up_refuses_what_is_not_the_lab_s_naming_it() {
	local before
	routed
	ok ip netns add routed-h2
	ok ip link add routed-x type bridge # not in the way: another name
	before=$(world)
	fails 1 "network namespace routed-h2 exists and is not lab routed's; not touching it" \
		plumb-lab up /tmp/routed.yaml
	eq "$(world)" "$before" "the sandbox after a refused up"
	ok ip netns del routed-h2
	hostbr
	ok ip link add hostbr-lan type veth peer name hostbr-x
	before=$(world)
	fails 1 "veth hostbr-lan exists in the host and is not lab hostbr's" \
		plumb-lab up /tmp/hostbr.yaml
	eq "$(world)" "$before" "the sandbox after a refused up"
	ok ip link del hostbr-lan
	ok ip link add hostbr-lan type bridge
	fails 1 "bridge hostbr-lan exists in the host and is not lab hostbr's" \
		plumb-lab up /tmp/hostbr.yaml
	ok plumb-lab down hostbr
	link_exists "" hostbr-lan || fail "down deleted a bridge the lab did not make"
}

test_a_failing_up_names_what_the_kernel_refused_and_leaves_nothing() {
	local before
	cat > /tmp/fail.yaml <<-'EOF'
	name: fail
	nodes: [a, b]
	links:
	  - endpoints: ["a:eth0=10.0.0.1/24", "b:eth0=10.0.0.2/24"]
	routes:
	  b: ["10.5.0.0/16 via 10.0.0.1", "10.6.0.0/16 via 192.0.2.7"]
	EOF
	before=$(world)
	fails 1 "add route 10.6.0.0/16 via 192.0.2.7 in fail-b: Network is unreachable" \
		plumb-lab up /tmp/fail.yaml
	eq "$(world)" "$before" "the sandbox after a failed up"
}

test_a_killed_up_is_undone_by_down_and_redone_by_up() {
	local before step lab
	nested
	hostbr
	before=$(world)
	# hostbr's bridge and host ends are in the sandbox host: killed before
	# round 3 they have no alias yet, only the lab's hardware address.
	for lab in nested hostbr; do
		for step in lab-recorded lab-namespaces lab-veths lab-wired; do
			(PLUMB_FAULT=$step "$TOP/tests/fault/plumb-lab" up /tmp/$lab.yaml) \
				2> /dev/null && fail "PLUMB_FAULT=$step did not stop up"
			ok plumb-lab down $lab
			eq "$(world)" "$before" "the sandbox after up of $lab killed at $step, then down"
			(PLUMB_FAULT=$step "$TOP/tests/fault/plumb-lab" up /tmp/$lab.yaml) 2> /dev/null
			up /tmp/$lab.yaml
			ok plumb-lab check /tmp/$lab.yaml
			ok plumb-lab down $lab
		done
	done
}

# --- changes, views, exec ------------------------------------------------

test_up_after_an_edit_removes_what_the_file_no_longer_has() {
	nested
	up /tmp/nested.yaml
	sed -i -e 's/\[s1, s2\]/[s1]/' -e 's/wan: {}, s1: {}, s2: {}/wan: {}, s1: {}/' \
		-e '/publish/,$d' /tmp/nested.yaml
	out=$(plumb-lab up /tmp/nested.yaml) || fail "up after the edit: $out"
	eq "$(ip netns list | awk '{ print $1 }' | sort | tr '\n' ' ')" \
		"nested-r1 nested-s1 nested-wan " "namespaces after s2 went"
	eq "$(ip -n nested-r1 -j link show master lan | jq length)" 1 "ports of lan"
	eq "$(owners nested-r1 pub4)" "" "published ports after publish went"
	eq "$(grep -c . /run/plumb/lab/nested/hosts)" 6 "hosts lines (3 + r1 twice, s1)"
	ok plumb-lab check /tmp/nested.yaml
}

test_show_graph_list_and_exec_describe_the_lab() {
	local j
	nested
	up /tmp/nested.yaml
	j=$(plumb-lab show nested -j) || fail "show -j: $j"
	eq "$(jq -r '[.nodes[] | .name] | join(" ")' <<< "$j")" "r1 wan s1 s2" "nodes"
	eq "$(jq -r '.nodes[] | select(.name == "s2") | .interfaces[0] |
		"\(.name) \(.state) \(.addresses[0]) \(.to)"' <<< "$j")" \
		"eth0 up 10.9.0.3/24 bridge lan" "s2's interface"
	eq "$(jq -r '.publish[0] | "\(.in) \(.port) \(.to) \(.address)"' <<< "$j")" \
		"r1 8080/tcp s1:80 10.9.0.2:80" "published port"
	eq "$(jq -r '.bridges[0] | "\(.in) \(.ifname) \(.subnets[0]) \(.ports | join(","))"' <<< "$j")" \
		"r1 lan 10.9.0.0/24 s1:eth0,s2:eth0" "bridge"
	ok ip -n nested-s2 link set eth0 down
	eq "$(plumb-lab show nested | awk '$1 == "s2" { print $3, $4 }')" "eth0 down" \
		"the table says what the kernel has"
	plumb-lab graph nested > /tmp/g.dot || fail "graph"
	grep -qF '"wan" -- "r1" [taillabel="eth0\n192.0.2.2/24", headlabel="eth1\n192.0.2.1/24"];' \
		/tmp/g.dot || grep -qF '"r1" -- "wan" [taillabel="eth1\n192.0.2.1/24", headlabel="eth0\n192.0.2.2/24"];' \
		/tmp/g.dot || fail "graph has no r1 -- wan edge: $(cat /tmp/g.dot)"
	grep -qF '"s2" -- "bridge:lan"' /tmp/g.dot || fail "graph has no s2 port"
	eq "$(plumb-lab list)" "$(printf 'nested\t4 nodes\t/tmp/nested.yaml')" "list"
	eq "$(plumb-lab exec nested --all -- cat /proc/sys/net/ipv4/ip_forward)" \
		"$(printf '%s\n' 'r1: 1' 'wan: 0' 's1: 0' 's2: 0')" "exec --all"
	plumb-lab exec nested wan -- sh -c 'exit 7'
	eq $? 7 "exec's status"
	fails 1 "lab nested has no node s3" plumb-lab exec nested s3 -- true
	fails 1 "lab other is not up" plumb-lab show other
}

test_a_lab_without_prefix_names_namespaces_after_its_nodes() {
	cat > /tmp/bare.yaml <<-'EOF'
	name: bare
	prefix: ""
	nodes: [left, right]
	links: [["left:eth0=10.3.0.1/24", "right:eth0=10.3.0.2/24"]]
	EOF
	up /tmp/bare.yaml
	eq "$(ip netns list | awk '{ print $1 }' | sort | tr '\n' ' ')" "left right " "namespaces"
	ping1 left 10.3.0.2 || fail "left does not reach right"
	ok plumb-lab down /tmp/bare.yaml
	eq "$(ip netns list)" "" "namespaces after down"
}

test_down_with_a_process_inside_a_node_still_removes_the_host_side() {
	local pid before
	hostbr
	before=$(world)
	up /tmp/hostbr.yaml
	ip netns exec hostbr-a sleep 600 &
	pid=$!
	left "$pid" || fail "sleep did not enter hostbr-a"
	ok plumb-lab down hostbr
	eq "$(world)" "$before" "the sandbox after down, a process still in a node"
	[ -e /proc/$pid/ns/net ] || fail "the process inside was killed"
	kill $pid
}

test_every_example_comes_up_checks_clean_and_goes_down() {
	local f before
	before=$(world)
	for f in "$TOP"/examples/lab/*; do
		up "$f"
		ok plumb-lab check "$f"
	done
	plumb-lab exec lab1 h1 -- ping -c 1 -W 2 s2 > /dev/null || fail "lab1: h1 -> s2"
	plumb-lab exec routers a1 -- ping -c 1 -W 2 c1 > /dev/null || fail "routers: a1 -> c1"
	plumb-lab exec routers c1 -- ping -c 1 -W 2 b1 > /dev/null || fail "routers: c1 -> b1"
	plumb-lab exec star client -- ping -c 1 -W 2 db > /dev/null || fail "star: client -> db"
	plumb-lab exec tenants a1 -- ping -c 1 -W 2 a2 > /dev/null || fail "tenants: a1 -> a2"
	plumb-lab exec tenants mon -- ping -c 1 -W 2 10.30.0.2 > /dev/null ||
		fail "tenants: mon -> star's web (neither isolated)"
	plumb-lab exec tenants b1 -- ping -c 1 -W 2 a1 > /dev/null &&
		fail "tenants: b1 -> a1, both isolated"
	eq "$(addrs star-db eth0 | tr '\n' ' ')" "10.30.0.10/24 fd00:30::3/64 " "star: db's addresses (IPv6 the next free)"
	eq "$(ip -n pair-left -j link show dev eth0 | jq '.[0].mtu')" 9000 "pair: MTU"
	eq "$(ip netns exec pair-left sysctl -n net.ipv4.conf.all.rp_filter)" 0 "pair: rp_filter"
	for f in "$TOP"/examples/lab/*; do
		ok plumb-lab down "$f"
	done
	eq "$(world)" "$before" "the sandbox after every example went"
}

test_no_masquerade_to_spares_the_peers_and_masquerades_the_rest() {
	cat > /tmp/nomasq.yaml <<-'EOF2'
	# s1 behind r1 (masqueraded); peer, routed back to lan, sees s1 itself
	name: nm
	nodes: {r1: {forward: true}, s1: {}, peer: {}, far: {}}
	bridges:
	  lan: {in: r1, subnet: 10.9.0.0/24, masquerade: true,
	        no-masquerade-to: [192.0.2.0/24], members: [s1]}
	links:
	  - ["r1:eth1=192.0.2.1/24", "peer:eth0=192.0.2.2/24"]
	  - ["r1:eth2=198.51.100.1/24", "far:eth0=198.51.100.2/24"]
	routes:
	  peer: ["10.9.0.0/24 via 192.0.2.1"]
	EOF2
	up /tmp/nomasq.yaml
	serve nm-peer 9000
	serve nm-far 9000
	eq "$(answer nm-s1 192.0.2.2 9000)" "nm-peer 10.9.0.2" "s1 -> peer, not masqueraded"
	eq "$(answer nm-s1 198.51.100.2 9000)" "nm-far 198.51.100.1" "s1 -> far, masqueraded"
	ok plumb-lab check /tmp/nomasq.yaml
	# Without the list, peer sees r1 too.
	sed -i 's/ no-masquerade-to: \[192.0.2.0\/24\],//' /tmp/nomasq.yaml
	up /tmp/nomasq.yaml
	eq "$(answer nm-s1 192.0.2.2 9000)" "nm-peer 192.0.2.1" "s1 -> peer, list gone"
	ok plumb-lab check /tmp/nomasq.yaml
}

# --- forwarding policy -----------------------------------------------------

test_bridges_are_isolated_and_guarded_only_when_the_file_asks() {
	local before n
	wan
	for n in 1 2 3 4; do
		ok ip -n wan route add 10.4$n.0.0/24 via 192.0.2.1
	done
	ok sysctl -qw net.ipv4.ip_forward=1 # a router-less host routes itself
	policy
	before=$(world)
	up /tmp/policy.yaml
	eq "$(elems isolated)" "pol-blue pol-red" "isolated bridges"
	eq "$(elems guarded)" pol-red "guarded bridges"
	eq "$(owners "" isolated | sort -u)" lab@pol "the policy's owner"
	eq "$(ip -d -j link show dev pol-green | jq -r '.[0].group')" $((0x706c)) \
		"a lab bridge is in plumb's interface group"
	ping1 pol-c 10.44.0.2 || fail "green does not reach grey (neither isolated)"
	ping1 pol-d 10.43.0.2 || fail "grey does not reach green (neither isolated)"
	ping1 pol-a 10.42.0.2 && fail "red reaches blue, both isolated"
	ping1 pol-b 10.41.0.2 && fail "blue reaches red, both isolated"
	ping1 pol-c 10.42.0.2 && fail "green reaches blue, which is isolated"
	ping1 pol-b 10.44.0.2 && fail "blue reaches grey, blue being isolated"
	ping1 wan 10.44.0.2 || fail "wan does not reach grey directly"
	ping1 wan 10.42.0.2 || fail "wan does not reach blue, isolated but with direct access"
	ping1 wan 10.41.0.2 && fail "wan reaches red directly, which refuses direct access"
	# A published port passes the policy, from a neighbour and from wan.
	serve pol-a 80
	eq "$(answer pol-b 10.42.0.1 8041)" "pol-a 10.42.0.2" "blue -> the host's :8041"
	eq "$(answer wan 192.0.2.1 8041)" "pol-a 192.0.2.2" "wan -> the host's :8041"
	ok plumb-lab check /tmp/policy.yaml
	# Drift: found by check, repaired by up.
	ok nft delete element inet plumb isolated '{ pol-blue }'
	ok nft delete element inet plumb guarded '{ pol-red }'
	ok nft add element inet plumb isolated '{ pol-grey comment "lab@pol" }'
	drift /tmp/policy.yaml \
		"pol: the host: bridge pol-red allows direct access" \
		"pol: the host: bridge pol-blue is not isolated" \
		"pol: the host: bridge pol-grey is isolated, not in the file"
	eq "$(elems isolated) / $(elems guarded)" "pol-blue pol-red / pol-red" "policy after repair"
	ping1 wan 10.41.0.2 && fail "wan reaches red directly after the repair"
	# The file asks no more: red is reached; blue, gone from the file, takes
	# its policy with it.
	sed -i -e 's/ isolate: true, direct-access: false,//' -e '/blue/d' /tmp/policy.yaml
	up /tmp/policy.yaml
	eq "$(elems isolated) / $(elems guarded)" " / " "policy after the edit"
	[ -z "$(ls /run/plumb/nat/lab@pol | grep '^net-')" ] ||
		fail "policy records after the edit: $(ls /run/plumb/nat/lab@pol)"
	ping1 pol-c 10.41.0.2 || fail "green does not reach red, no longer isolated"
	ping1 wan 10.41.0.2 || fail "wan does not reach red, no longer guarded"
	ok plumb-lab check /tmp/policy.yaml
	policy
	up /tmp/policy.yaml
	ok plumb-lab down pol
	eq "$(world)" "$before" "the sandbox after down"
}

test_a_bridge_inside_a_node_is_isolated_there() {
	# r1 routes between three bridges of its own; one is isolated.
	cat > /tmp/inner.yaml <<-'EOF'
	name: inner
	nodes: {r1: {forward: true}, a: {}, b: {}, c: {}}
	bridges:
	  one: {in: r1, subnet: 10.51.0.0/24, isolate: true, members: [a]}
	  two: {in: r1, subnet: 10.52.0.0/24, members: [b]}
	  three: {in: r1, subnet: 10.53.0.0/24, members: [c]}
	EOF
	up /tmp/inner.yaml
	ping1 inner-b 10.53.0.2 || fail "two does not reach three inside r1"
	ping1 inner-a 10.52.0.2 && fail "one, isolated, reaches two inside r1"
	ping1 inner-c 10.51.0.2 && fail "three reaches one, isolated, inside r1"
	ok plumb-lab check /tmp/inner.yaml
	sed -i 's/ isolate: true,//' /tmp/inner.yaml
	up /tmp/inner.yaml
	ping1 inner-a 10.52.0.2 || fail "one does not reach two once not isolated"
	eq "$(ip netns exec inner-r1 nft -j list set inet plumb isolated |
		jq '[.nftables[] | .set // empty | .elem // [] | .[]] | length')" 0 \
		"isolated in r1 after the edit"
	ok plumb-lab down inner
}
