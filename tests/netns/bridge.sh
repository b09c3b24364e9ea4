# SPDX-License-Identifier: GPL-2.0-or-later
# plumb-bridge against the kernel, with iproute2, ping and the lease files as
# witnesses.
#
#   sandbox "host" netns (ip_forward, bridges, host veths)
#     plumb0  10.88.0.1/16 [fd00:88::1/64]     made by plumb-bridge add
#       |-- plXXXXXXXXXXXX ==veth== eth0  a   10.88.0.2/16 [fd00:88::2/64]
#       `-- plXXXXXXXXXXXX ==veth== eth0  b   10.88.0.3/16 [fd00:88::3/64]
#
#   link, route:   A eth0 10.1.0.2/24 == a0 R b0 == eth0 B 10.2.0.2/24
#                              10.1.0.1/24   10.2.0.1/24
#   -n h:          the sandbox host holds nothing; h holds plumb0, the host
#                  veths and ip_forward=1; a and b hang off h
#
# Leases live in /run/plumb/ipam/<network>/ (host-local's format plus
# plumb-index/), records in /run/plumb/attach/<network>/<id>:<ifname>.json.
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

IPAM=/run/plumb/ipam
RECORDS=/run/plumb/attach

# attach ARGS...: plumb-bridge -j add ARGS must succeed; what it printed is
# left in $J, the host veth it named in $VETH
attach() {
	J=$(plumb-bridge -j add "$@" 2> /tmp/.attach) || fail "add $*: $(cat /tmp/.attach)"
	VETH=$(jq -r .host_veth <<< "$J")
	[ -n "$VETH" ] && [ "$VETH" != null ] || fail "add $* printed no host veth: $J"
}

# --- witnesses ---------------------------------------------------------------

# leases NETWORK: the addresses leased in NETWORK's store, one a line, sorted
leases() {
	ls -A "$IPAM/$1" 2> /dev/null |
		grep -vE '^(lock|last_reserved_ip\.[0-9]+|plumb-index|plumb-boot)$' | sort
}

# index NETWORK: plumb's index entries of NETWORK, "<id>:<ifname>" a line
index() {
	ls -A "$IPAM/$1/plumb-index" 2> /dev/null | sort
}

# records NETWORK: the attachment records of NETWORK, "<id>:<ifname>.json"
records() {
	ls -A "$RECORDS/$1" 2> /dev/null | sort
}

# addrs NS IF: the global addresses of IF inside NS, ADDR/LEN a line, sorted
addrs() {
	ip -n "$1" -j addr show dev "$2" 2> /dev/null | jq -r '.[0].addr_info[] |
		select(.scope == "global") | "\(.local)/\(.prefixlen)"' | sort
}

has_link() {
	link_exists "$1" "$2" || fail "no $2 in ${1:-the sandbox host}"
}
no_link() {
	! link_exists "$1" "$2" || fail "$2 still in ${1:-the sandbox host}"
}

# hairpin IF: the hairpin flag of bridge port IF in the sandbox host
hairpin() {
	ip -d -j link show dev "$1" | jq -r '.[0].linkinfo.info_slave_data.hairpin'
}

# ifaces: the interfaces of the sandbox host, one a line, sorted
ifaces() {
	ip -j link show | jq -r '.[].ifname' | sort
}

# --- one bridge, two namespaces --------------------------------------------

test_two_namespaces_ping_each_other_and_the_gateway() {
	local ja jb j veth n
	eq "$(cat /proc/sys/net/ipv4/ip_forward)" 0 "ip_forward before add"
	ok ip netns add a
	ok ip netns add b
	ja=$(plumb-bridge -j add a) || fail "add a: $ja"
	jb=$(plumb-bridge -j add b) || fail "add b: $jb"

	# The bridge: made, up, with the gateway, and forwarding on.
	eq "$(ip -j addr show dev plumb0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | "\(.local)/\(.prefixlen)"')" 10.88.0.1/16 \
		"gateway on plumb0"
	eq "$(ip -j link show dev plumb0 | jq -r '.[0].flags | index("UP") != null')" \
		true "plumb0 up"
	eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "ip_forward after add"

	# What add printed is what the kernel has, on both sides.
	for n in a b; do
		[ $n = a ] && j=$ja || j=$jb
		veth=$(echo "$j" | jq -r .host_veth)
		eq "$(echo "$j" | jq -r '[.network, .id, .ifname, .bridge, .netns] | join(" ")')" \
			"plumb0 $n eth0 plumb0 /run/netns/$n" "identity printed for $n"
		eq "$(addrs $n eth0)" "$(echo "$j" | jq -r '.ips[].address')" \
			"address of $n"
		eq "$(ip -n $n -j route show default | jq -r '.[0].gateway + " " + .[0].dev')" \
			"$(echo "$j" | jq -r '.ips[0].gateway') eth0" "default route of $n"
		eq "$(ip -n $n -j link show dev eth0 | jq -r '.[0].address')" \
			"$(echo "$j" | jq -r .mac)" "MAC of eth0 in $n"
		eq "$(ip -n $n -j link show dev eth0 | jq -r '.[0].mtu')" \
			"$(echo "$j" | jq -r .mtu)" "MTU of eth0 in $n"
		eq "$(ip -j link show dev "$veth" | jq -r '.[0] | "\(.master) \(.mtu) \(.address)"')" \
			"$(echo "$j" | jq -r '"\(.bridge) \(.mtu) \(.host_mac)"')" \
			"master, MTU and MAC of $veth"
		eq "$(hairpin "$veth")" true "hairpin on $veth"
		eq "$(ip -n $n -j link show lo | jq -r '.[0].flags | index("UP") != null')" \
			true "lo up in $n"
	done
	eq "$(echo "$ja" | jq -r '.ips[0].address')" 10.88.0.2/16 "first address"
	eq "$(echo "$jb" | jq -r '.ips[0].address')" 10.88.0.3/16 "second address"

	ok ping1 a 10.88.0.3
	ok ping1 b 10.88.0.2
	ok ping1 a 10.88.0.1
	ok ping1 b 10.88.0.1
	# The lease files, in host-local's format.
	eq "$(leases plumb0 | tr '\n' ' ')" "10.88.0.2 10.88.0.3 " "lease files"
	eq "$(cat $IPAM/plumb0/10.88.0.2)" "$(printf 'a\r\neth0')" "lease of a"
	eq "$(cat $IPAM/plumb0/last_reserved_ip.0)" 10.88.0.3 "last reserved"
	eq "$(records plumb0 | tr '\n' ' ')" "a:eth0.json b:eth0.json " "records"
}

test_ipv6_address_route_and_ping_without_dad_wait() {
	local j
	ok ip netns add a
	ok ip netns add b
	j=$(plumb-bridge -j add a --subnet6 fd00:88::/64) || fail "add a: $j"
	# At once: no sleep between add and ping, no DAD to wait for.
	ok ip netns exec a ping -6 -c 1 -W 2 fd00:88::1
	ok plumb-bridge add b --subnet6 fd00:88::/64
	ok ip netns exec b ping -6 -c 1 -W 2 fd00:88::2

	eq "$(addrs a eth0 | tr '\n' ' ')" "10.88.0.2/16 fd00:88::2/64 " "addresses of a"
	eq "$(echo "$j" | jq -r '.ips[1] | .address + " " + .gateway')" \
		"fd00:88::2/64 fd00:88::1" "printed IPv6 address"
	eq "$(ip -n a -6 -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.local == "fd00:88::2") | .tentative // false')" false \
		"fd00:88::2 is not tentative"
	eq "$(ip -n a -6 -j route show default | jq -r '.[0].gateway + " " + .[0].dev')" \
		"fd00:88::1 eth0" "IPv6 default route"
	eq "$(ip -6 -j addr show dev plumb0 | jq -r '.[0].addr_info[] |
		select(.scope == "global") | "\(.local)/\(.prefixlen)"')" fd00:88::1/64 \
		"IPv6 gateway on plumb0"
	eq "$(cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 "IPv6 forwarding"
	[ -f "$IPAM/plumb0/fd00:88::2" ] || fail "no lease file fd00:88::2"
	eq "$(cat $IPAM/plumb0/last_reserved_ip.1)" fd00:88::3 "last reserved of set 1"
}

# --- static address, MAC, MTU ----------------------------------------------

test_static_ip_mac_and_mtu_are_applied_on_the_right_ends() {
	local j veth before
	ok ip netns add a
	ok ip netns add b
	j=$(plumb-bridge -j add a --ip 10.88.7.7 --mac 02:11:22:33:44:55 --mtu 1400) ||
		fail "add a: $j"
	veth=$(echo "$j" | jq -r .host_veth)
	eq "$(addrs a eth0)" 10.88.7.7/16 "static address in the kernel"
	eq "$(leases plumb0)" 10.88.7.7 "static address leased"
	eq "$(ip -n a -j link show dev eth0 | jq -r '.[0] | "\(.address) \(.mtu)"')" \
		"02:11:22:33:44:55 1400" "MAC and MTU inside"
	eq "$(ip -j link show dev "$veth" | jq -r '.[0].mtu')" 1400 "MTU of the host end"
	[ "$(ip -j link show dev "$veth" | jq -r '.[0].address')" != 02:11:22:33:44:55 ] ||
		fail "the MAC went to the host end"
	eq "$(echo "$j" | jq -r '"\(.mac) \(.mtu)"')" "02:11:22:33:44:55 1400" "printed"

	# Taken: refused naming the owner, and nothing changes.
	settle plumb0
	before=$(state)
	fails 1 'requested address 10.88.7.7 is already allocated to container a' \
		plumb-bridge add b --ip 10.88.7.7
	fails 1 'requested address 10.88.0.1 is a gateway' plumb-bridge add b --ip 10.88.0.1
	fails 1 'requested address 10.88.0.0 is outside' plumb-bridge add b --ip 10.88.0.0
	fails 1 'requested address 10.88.255.255 is outside' \
		plumb-bridge add b --ip 10.88.255.255
	eq "$(state)" "$before" "state after refused static addresses"
	eq "$(ip -n b -j link show | jq -r '[.[].ifname] | join(" ")')" lo "b untouched"
}

# --- scale and concurrency -------------------------------------------------

test_200_attaches_get_200_distinct_addresses_in_the_kernel() {
	local i out
	for i in $(seq 200); do
		ip netns add n$i || fail "ip netns add n$i"
		out=$(plumb-bridge add n$i 2>&1) || fail "add n$i: $out"
	done
	for i in $(seq 200); do
		ip -n n$i -j addr show dev eth0 |
			jq -r --arg n n$i '.[0].addr_info[] | select(.family == "inet") |
				"\(.local) \($n)"'
	done > /tmp/kernel
	eq "$(wc -l < /tmp/kernel)" 200 "addresses in the kernel"
	eq "$(cut -d ' ' -f 1 /tmp/kernel | sort -u | wc -l)" 200 "distinct addresses"
	! grep -q '^10\.88\.0\.1 ' /tmp/kernel || fail "the gateway was handed out"
	# Each lease file names the namespace that holds its address.
	while read -r addr ns; do
		eq "$(head -n 1 "$IPAM/plumb0/$addr" | tr -d '\r')" "$ns" "owner of $addr"
	done < /tmp/kernel
	eq "$(leases plumb0 | wc -l)" 200 "lease files"
	eq "$(ip -j link show master plumb0 | jq length)" 200 "ports of plumb0"
}

test_29_subnet_runs_out_after_5_and_leaves_nothing_half_made() {
	local n before links
	for n in a b c d e f; do ok ip netns add $n; done
	for n in a b c d e; do
		ok plumb-bridge add $n --bridge b29 --subnet 10.9.0.0/29
	done
	eq "$(leases b29 | tr '\n' ' ')" "10.9.0.2 10.9.0.3 10.9.0.4 10.9.0.5 10.9.0.6 " \
		"the five hosts of the /29"
	settle b29
	before=$(state)
	links=$(ifaces)
	fails 1 'no free address in 10\.9\.0\.0/29' \
		plumb-bridge add f --bridge b29 --subnet 10.9.0.0/29
	eq "$(ifaces)" "$links" "no extra veth"
	eq "$(leases b29 | wc -l)" 5 "no extra lease"
	eq "$(records b29 | wc -l)" 5 "no extra record"
	[ ! -e "$RECORDS/b29/f:eth0.json" ] || fail "record of f"
	no_link f eth0
	eq "$(state)" "$before" "state after running out"
}

test_32_concurrent_adds_all_succeed_with_distinct_addresses() {
	local i pids=() rc
	for i in $(seq 32); do ip netns add c$i || fail "ip netns add c$i"; done
	for i in $(seq 32); do
		plumb-bridge add c$i > /tmp/add.$i.out 2> /tmp/add.$i.err &
		pids[i]=$!
	done
	for i in $(seq 32); do
		wait "${pids[i]}"
		rc=$?
		[ $rc = 0 ] || fail "add c$i exited $rc: $(cat /tmp/add.$i.err)"
	done
	for i in $(seq 32); do
		addrs c$i eth0
	done > /tmp/kernel
	eq "$(wc -l < /tmp/kernel)" 32 "one address in each namespace"
	eq "$(sort -u /tmp/kernel | wc -l)" 32 "no address twice"
	eq "$(leases plumb0 | wc -l)" 32 "lease files"
	eq "$(index plumb0 | wc -l)" 32 "index entries"
	eq "$(records plumb0 | wc -l)" 32 "records"
	eq "$(ip -j link show type bridge | jq -r '[.[].ifname] | join(" ")')" plumb0 \
		"one bridge"
	eq "$(ip -j link show master plumb0 | jq length)" 32 "ports"
	eq "$(ip -j addr show dev plumb0 | jq -r '[.[0].addr_info[] |
		select(.family == "inet")] | length')" 1 "one gateway address"
	for i in 1 17 32; do ok ping1 c$i 10.88.0.1; done
}

# --- teardown ---------------------------------------------------------------

# gone NETWORK ID VETH: nothing of the attachment ID is left
gone() {
	eq "$(leases "$1")" "" "leases of $2"
	[ ! -e "$IPAM/$1/plumb-index/$2:eth0" ] || fail "index entry of $2 left"
	[ ! -e "$RECORDS/$1/$2:eth0.json" ] || fail "record of $2 left"
	no_link "" "$3"
}

test_del_twice_succeeds_and_releases_everything() {
	local veth
	ok ip netns add a
	attach a
	veth=$VETH
	has_link "" "$veth"
	[ -e "$IPAM/plumb0/plumb-index/a:eth0" ] || fail "no index entry"
	ok plumb-bridge del a
	gone plumb0 a "$veth"
	no_link a eth0
	ok plumb-bridge del a
	gone plumb0 a "$veth"
}

test_del_after_the_namespace_is_deleted_succeeds() {
	local veth
	ok ip netns add a
	attach a
	veth=$VETH
	[ -n "$(leases plumb0)" ] || fail "no lease"
	ok plumb-netns del a
	ok plumb-bridge del a
	gone plumb0 a "$veth"
	ok plumb-bridge del a
}

test_del_of_an_unknown_id_succeeds_and_changes_nothing() {
	local before
	ok ip netns add a
	ok plumb-bridge add a
	settle plumb0
	before=$(state)
	ok plumb-bridge del --id nope
	ok plumb-bridge del --id nope --network elsewhere
	eq "$(state)" "$before" "state after del of unknown ids"
}

test_adding_the_same_attachment_twice_fails_and_changes_nothing() {
	local before
	ok ip netns add a
	ok plumb-bridge add a
	settle plumb0
	before=$(state)
	fails 1 '^plumb-bridge: container a has eth0 in network plumb0 already' plumb-bridge add a
	fails 1 '^plumb-bridge: container a has eth0 in network plumb0 already' plumb-bridge add a --ip 10.88.0.9
	eq "$(state)" "$before" "state after the second add"
	ok ping1 a 10.88.0.1
}

# --- bad input --------------------------------------------------------------

test_bad_input_is_refused_precisely_and_changes_nothing() {
	local before
	ok ip netns add a
	touch /run/plumb-regular
	# A device that is not a bridge: a dummy where the kernel has it.
	ip link add d0 type dummy 2> /dev/null ||
		ok ip link add d0 type veth peer name d0p
	ok ip link add br9 type bridge
	ok ip addr add 10.88.0.5/16 dev br9
	before=$(state)

	fails 1 'invalid subnet "10\.88\.0\.1/16": host bits set' \
		plumb-bridge add a --subnet 10.88.0.1/16
	fails 1 'invalid interface name "eth0123456789abc": longer than 15 bytes' \
		plumb-bridge add a --ifname eth0123456789abc
	fails 1 "invalid interface name \"a/b\": contains '/'" \
		plumb-bridge add a --ifname a/b
	fails 1 'invalid MTU "70000": want 68 to 65535' plumb-bridge add a --mtu 70000
	fails 1 'invalid MTU "0": want 68 to 65535' plumb-bridge add a --mtu 0
	fails 1 'invalid MAC address "01:00:5e:00:00:01": multicast' \
		plumb-bridge add a --mac 01:00:5e:00:00:01
	fails 1 'invalid MAC address "02:00:5e:00:01": want six hex pairs' \
		plumb-bridge add a --mac 02:00:5e:00:01
	fails 1 '/run/plumb-regular is not a namespace' \
		plumb-bridge add /run/plumb-regular --id r
	fails 1 '/proc/self/ns/mnt is not a network namespace' \
		plumb-bridge add /proc/self/ns/mnt --id m
	fails 1 'd0 exists and is a (dummy|veth), not a bridge' \
		plumb-bridge add a --bridge d0
	fails 1 '^plumb-bridge: bridge br9 was not created by plumb, and using it takes the administrator.s leave' \
		plumb-bridge add a --bridge br9
	fails 1 'bridge br9 has address 10\.88\.0\.5/16, which conflicts with gateway 10\.88\.0\.1/16' \
		plumb-bridge add a --bridge br9 --foreign-bridge
	fails 1 'invalid --ip "10\.99\.0\.5": want auto or an address in 10\.88\.0\.0/16' \
		plumb-bridge add a --ip 10.99.0.5
	fails 1 'invalid --gateway "10\.99\.0\.1": want an address in 10\.88\.0\.0/16' \
		plumb-bridge add a --gateway 10.99.0.1
	fails 1 'invalid subnet "10\.244\.0\.1/16": host bits set' \
		plumb-bridge add a --masquerade --no-masquerade-to 10.244.0.1/16
	fails 1 'network namespace "nope" does not exist' plumb-bridge add nope
	fails 1 'missing container id' plumb-bridge add a --id ""
	fails 1 'missing network name' plumb-bridge add a --network ""
	fails 2 'unknown option or missing value "--frob"' plumb-bridge add a --frob
	fails 2 'usage: plumb-bridge del NETNS' plumb-bridge del
	fails 2 'unknown verb "frob"' plumb-bridge frob
	eq "$(state)" "$before" "state after bad input"
	eq "$(ip -j addr show dev br9 | jq -r '[.[0].addr_info[].local] | join(" ")')" \
		10.88.0.5 "br9 untouched"
}

# --- link, route, unlink ----------------------------------------------------

# --masquerade and --no-masquerade-to: the network's, as plumb-nat masq add
# --id NETWORK would make them; what the namespace sends to a spared
# destination keeps its address. A failure there undoes the attachment.
test_masquerade_and_no_masquerade_to_belong_to_the_network() {
	local out addr
	wan
	ok ip -n wan route add 10.244.1.0/24 via 192.0.2.1
	ok ip netns add a
	ok ip netns add b
	out=$(plumb-bridge -j add a --subnet 10.244.1.0/24 --network pods --masquerade \
		--no-masquerade-to 192.0.2.0/24) || fail "add a: $out"
	addr=$(jq -r '.ips[0].address | split("/")[0]' <<< "$out")
	eq "$(plumb-nat list)" "masquerade 10.244.1.0/24 owner network@pods
no-masquerade 10.244.1.0/24 to 192.0.2.0/24 owner network@pods" "plumb-nat list"
	ip netns exec wan socat TCP-LISTEN:7000,fork,reuseaddr \
		SYSTEM:'echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
	for _ in $(seq 50); do
		[ -n "$(ip netns exec wan ss -Hltn 'sport = :7000')" ] && break
		sleep 0.05
	done
	eq "$(ip netns exec a socat -T2 - TCP:192.0.2.2:7000 < /dev/null)" "$addr" \
		"what wan sees of a"
	ok plumb-bridge del a --network pods
	eq "$(plumb-nat list | wc -l)" 2 "the network's NAT after its last attachment"
	# Another network's subnet: refused, and b is not left half made.
	ok plumb-nat masq add 10.244.2.0/24 --id other --no-masquerade-to 10.0.0.0/8
	fails 1 'subnet 10\.244\.2\.0/24 is another network.s' \
		plumb-bridge add b --subnet 10.244.2.0/24 --bridge br2 \
		--no-masquerade-to 192.0.2.0/24
	! link_exists b eth0 || fail "eth0 left in b"
	eq "$(plumb-bridge -j list | jq length)" 0 "attachments"
	ok plumb-nat masq del 10.244.1.0/24
	eq "$(plumb-nat list | grep -c pods)" 0 "the network's NAT after masq del"
}

# With -n, the NAT is that namespace's: its table, and its records, which
# plumb-nat -n finds there and brings back, and plumb-nat here never sees.
test_masquerade_with_n_is_that_namespaces_own() {
	ok ip netns add node
	ok ip netns add pod
	ok plumb-bridge -n node add pod --subnet 10.244.1.0/24 --network pods --masquerade \
		--no-masquerade-to 10.244.0.0/16
	eq "$(plumb-nat -n node list)" "masquerade 10.244.1.0/24 owner network@pods
no-masquerade 10.244.1.0/24 to 10.244.0.0/16 owner network@pods" "plumb-nat -n node list"
	eq "$(plumb-nat list)" "" "plumb-nat list here"
	eq "$(find /run/plumb/nat -type f 2> /dev/null)" "" "records here"
	ok ip netns exec node nft flush ruleset
	eq "$(plumb-nat -j reconcile)" "{\"added\":0}" "reconcile here"
	eq "$(plumb-nat -n node reconcile)" "added 2 elements" "reconcile in node"
}

test_link_between_two_namespaces_carries_a_ping() {
	ok ip netns add x
	ok ip netns add y
	ok plumb-bridge link x:v0=10.3.0.1/30 y:v1=10.3.0.2/30 --mtu 1280
	eq "$(addrs x v0)" 10.3.0.1/30 "address of x:v0"
	eq "$(addrs y v1)" 10.3.0.2/30 "address of y:v1"
	eq "$(ip -n x -j link show dev v0 | jq -r '.[0].mtu')" 1280 "MTU of x:v0"
	eq "$(ip -n y -j link show dev v1 | jq -r '.[0].mtu')" 1280 "MTU of y:v1"
	ok ping1 x 10.3.0.2
	ok ping1 y 10.3.0.1
	eq "$(ifaces)" lo "nothing in the sandbox host"
	ok plumb-bridge unlink y:v1
	no_link x v0
	no_link y v1
	fails 1 'no interface v1 in y' plumb-bridge unlink y:v1
}

test_router_chain_with_routes_from_plumb() {
	ok ip netns add A
	ok ip netns add R
	ok ip netns add B
	ok plumb-bridge link A:eth0=10.1.0.2/24 R:a0=10.1.0.1/24 --forward
	ok plumb-bridge link R:b0=10.2.0.1/24 B:eth0=10.2.0.2/24 --forward
	eq "$(ip netns exec R cat /proc/sys/net/ipv4/ip_forward)" 1 "R forwards"
	# Without routes, A cannot reach B: the routes below are what works.
	! ping1 A 10.2.0.2 || fail "A reached B before any route"
	ok plumb-bridge route add A default via 10.1.0.1
	ok plumb-bridge route add B default via 10.2.0.1
	eq "$(ip -n A -j route show default | jq -r '.[0].gateway + " " + .[0].dev')" \
		"10.1.0.1 eth0" "default route of A"
	ok ping1 A 10.2.0.2
	ok ping1 B 10.1.0.2

	ok plumb-bridge route del A default via 10.1.0.1
	eq "$(ip -n A -j route show default)" "[]" "A's default route gone"
	! ping1 A 10.2.0.2 || fail "A reached B without its route"
	fails 1 'del route default via 10\.1\.0\.1 in A: A has no such route' \
		plumb-bridge route del A default via 10.1.0.1

	ok plumb-bridge unlink A:eth0
	no_link A eth0
	no_link R a0
	has_link R b0
}

# --- the host side in another namespace -------------------------------------

test_host_netns_option_puts_the_whole_host_side_inside_it() {
	local j veth
	ok ip netns add h
	ok ip netns add a
	ok ip netns add b
	j=$(plumb-bridge -n h -j add a) || fail "add a: $j"
	ok plumb-bridge -n h add b
	veth=$(echo "$j" | jq -r .host_veth)
	eq "$(echo "$j" | jq -r .host_netns)" /run/netns/h "host_netns printed"

	eq "$(ifaces)" lo "the sandbox host has no bridge and no veth"
	eq "$(cat /proc/sys/net/ipv4/ip_forward)" 0 "no forwarding in the sandbox host"
	eq "$(ip netns exec h cat /proc/sys/net/ipv4/ip_forward)" 1 "forwarding in h"
	eq "$(ip -n h -j addr show dev plumb0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | "\(.local)/\(.prefixlen)"')" 10.88.0.1/16 \
		"gateway on h's plumb0"
	eq "$(ip -n h -j link show dev "$veth" | jq -r '.[0].master')" plumb0 \
		"host veth in h, port of plumb0"
	ok ping1 a 10.88.0.3
	ok ping1 b 10.88.0.1
	ok plumb-bridge check a

	# del finds the host side from the record, without -n.
	ok plumb-bridge del a
	no_link h "$veth"
	ok plumb-bridge -n h del b
	eq "$(ip -n h -j link show master plumb0)" "[]" "no ports left in h"
	eq "$(leases plumb0)" "" "leases released"
	eq "$(ifaces)" lo "the sandbox host still holds nothing"

	# The host namespace itself goes: check says so (and does not look
	# for the veth in its own namespace), del still releases the lease.
	ok plumb-bridge -n h add a
	ok ip netns del h
	check_says a '^host namespace /run/netns/h is gone$'
	ok plumb-bridge del a
	eq "$(leases plumb0)" "" "lease released after h went"
	eq "$(records plumb0)" "" "record gone after h went"
}

# --- list and check ---------------------------------------------------------

test_list_shows_every_attachment_as_recorded() {
	local rec got
	ok ip netns add a
	ok ip netns add b
	ok plumb-bridge add a
	ok plumb-bridge add b --bridge br1 --subnet 10.77.0.0/24 --ifname net1
	eq "$(plumb-bridge -j list | jq -c 'sort_by(.id)')" \
		"$(cat $RECORDS/*/*.json | jq -s -c 'sort_by(.id)')" "-j list and records"
	eq "$(plumb-bridge -j list | jq -r '[.[] | "\(.network)/\(.id)/\(.ifname)"] |
		sort | join(" ")')" "br1/b/net1 plumb0/a/eth0" "attachments listed"
	for rec in $RECORDS/*/*.json; do
		got=$(plumb-bridge list | grep -c "^$(jq -r '"\(.network) \(.id) \(.ifname) \(.ips[0].address) .* veth \(.host_veth) netns \(.netns)"' "$rec")\$")
		eq "$got" 1 "text line of $rec"
	done
	eq "$(plumb-bridge list | wc -l)" 2 "lines of list"
	ok plumb-bridge del b --bridge br1 --ifname net1
	eq "$(plumb-bridge -j list | jq -r '[.[].id] | join(" ")')" a "list after del"
}

# check_says ID REGEX: check ID exits 1 and names the difference
check_says() {
	local out rc
	out=$(plumb-bridge check "$1")
	rc=$?
	eq "$rc" 1 "check $1 status (said '$out')"
	grep -qE -- "$2" <<< "$out" || fail "check $1 said '$out', want /$2/"
}

test_check_names_each_difference_with_the_kernel() {
	local veth out
	ok ip netns add a
	attach a
	veth=$VETH
	out=$(plumb-bridge check a) || fail "check of a healthy attachment: $out"
	eq "$out" "" "check of a healthy attachment"
	eq "$(plumb-bridge -j check a | jq -c .differences)" "[]" "-j check, healthy"

	ok ip -n a addr del 10.88.0.2/16 dev eth0
	check_says a '^eth0 lacks address 10\.88\.0\.2/16$'
	eq "$(plumb-bridge -j check a | jq -r '.differences | length')" 2 \
		"address and its default route missing"
	ok ip -n a addr add 10.88.0.2/16 dev eth0
	ok ip -n a route add default via 10.88.0.1
	ok plumb-bridge check a

	ok ip link set dev "$veth" down
	check_says a "^$veth on the host is down\$"
	ok ip link set dev "$veth" up
	ok plumb-bridge check a

	ok ip link set dev "$veth" type bridge_slave hairpin off
	eq "$(hairpin "$veth")" false "hairpin off"
	check_says a "^$veth is not in hairpin mode\$"
	ok ip link set dev "$veth" type bridge_slave hairpin on

	ok ip -n a link set dev eth0 mtu 1400
	check_says a '^eth0 in the container has MTU 1400, not 1500$'
	ok ip -n a link set dev eth0 mtu 1500
	ok plumb-bridge check a

	ok ip link del dev "$veth"
	check_says a "^$veth is missing on the host\$"
	check_says a '^eth0 is missing in the container$'
	ok plumb-netns del a
	check_says a '^namespace /run/netns/a is gone$'
	fails 1 'no attachment nope/eth0 in any network' plumb-bridge check nope
}

# --- bridges ---------------------------------------------------------------

test_del_bridge_refuses_ports_and_foreign_bridges() {
	local veth
	ok ip netns add a
	attach a
	veth=$VETH
	fails 1 "bridge plumb0 still has ports: $veth\$" plumb-bridge del-bridge plumb0
	has_link "" plumb0
	ok plumb-bridge del a
	ok plumb-bridge del-bridge plumb0
	no_link "" plumb0

	ok ip link add br7 type bridge
	fails 1 'bridge br7 was not created by plumb; not deleting it' \
		plumb-bridge del-bridge br7
	has_link "" br7
	fails 1 'no bridge nope' plumb-bridge del-bridge nope

	# add without NETNS makes the bridge alone; del-bridge takes it.
	ok plumb-bridge add --bridge br8 --subnet 10.8.0.0/24
	eq "$(ip -j addr show dev br8 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | "\(.local)/\(.prefixlen)"')" 10.8.0.1/24 \
		"gateway of br8"
	ok plumb-bridge del-bridge br8
	no_link "" br8
}

test_setup_failing_halfway_leaves_nothing() {
	local links
	ok ip netns add x
	ok ip netns add a
	# eth0 taken in the target: the veth cannot be made.
	ip -n x link add eth0 type dummy 2> /dev/null ||
		ok ip -n x link add eth0 type veth peer name other
	links=$(ifaces)
	fails 1 'namespace has an interface eth0 already' \
		plumb-bridge add x
	eq "$(ifaces)" "$links" "no host veth (and no bridge) left"
	eq "$(leases plumb0)" "" "lease released"
	eq "$(index plumb0)" "" "index entry released"
	eq "$(records plumb0)" "" "no record"
	# The address x held for a moment is free again.
	ok plumb-bridge add a --ip 10.88.0.2
	eq "$(addrs a eth0)" 10.88.0.2/16 "x's address, taken by a"
	# Again, now that the bridge exists and has a port.
	fails 1 'namespace has an interface eth0 already' \
		plumb-bridge add x
	eq "$(leases plumb0)" 10.88.0.2 "only a's lease"
	eq "$(ip -j link show master plumb0 | jq length)" 1 "only a's port"
	has_link "" plumb0

	# Later still: the veth is made, then the namespace's side fails (a
	# has a default route already, via eth0). The veth goes again.
	links=$(ifaces)
	fails 1 'add addresses and routes to eth1: File exists' \
		plumb-bridge add a --ifname eth1 --bridge plumb1 --subnet 10.89.0.0/16
	eq "$(ifaces)" "$links" "no host veth, no plumb1 left"
	no_link a eth1
	eq "$(leases plumb1)" "" "plumb1's lease released"
	eq "$(records plumb1)" "" "no record in plumb1"
	eq "$(addrs a eth0)" 10.88.0.2/16 "a's eth0 untouched"
}

test_host_veth_name_is_stable_and_short() {
	local v1 v2 v3 long
	ok ip netns add a
	attach a
	v1=$VETH
	ok plumb-bridge del a
	attach a
	v2=$VETH
	eq "$v2" "$v1" "host veth after del and add"
	[ ${#v1} -le 15 ] || fail "host veth $v1 is ${#v1} bytes"
	has_link "" "$v1"
	# Long ids and network names still give a short name, and distinct ones.
	long=$(printf 'c%.0s' $(seq 150))
	ok ip netns add b
	attach b --id "$long" --network "n$long" --ifname eth1 --bridge plumb1 \
		--subnet 10.89.0.0/16
	v3=$VETH
	[ ${#v3} -le 15 ] || fail "host veth $v3 of a long id is ${#v3} bytes"
	[ "$v3" != "$v1" ] || fail "two attachments share $v1"
	has_link "" "$v3"
	eq "$(ip -j link show dev "$v3" | jq -r '.[0].master')" plumb1 "$v3 on plumb1"
}

# --- other namespaces, other options ----------------------------------------

test_pid_namespace_without_default_route() {
	local pid
	unshare --net sleep 60 &
	pid=$!
	left $pid || fail "unshare --net did not start"
	fails 1 "pid:$pid has no name to use as container id; give --id" \
		plumb-bridge add pid:$pid
	ok plumb-bridge add pid:$pid --id p --no-default-route
	eq "$(nsenter -t $pid -n ip -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | "\(.local)/\(.prefixlen)"')" 10.88.0.2/16 \
		"address in the process's namespace"
	eq "$(nsenter -t $pid -n ip -j route show default)" "[]" "no default route"
	eq "$(jq -r '"\(.netns) \(.default_route)"' $RECORDS/plumb0/p:eth0.json)" \
		"/proc/$pid/ns/net false" "record"
	ok plumb-bridge check p
	ok nsenter -t $pid -n ping -c 1 -W 2 10.88.0.1
	ok plumb-bridge del --id p
	eq "$(nsenter -t $pid -n ip -j link show | jq -r '[.[].ifname] | join(" ")')" lo \
		"eth0 gone from the process's namespace"
	eq "$(leases plumb0)" "" "lease released"
	kill $pid
}

test_every_verb_has_help_and_usage_errors_exit_2() {
	local v
	for v in add del list check link unlink route del-bridge; do
		grep -q "^usage: plumb-bridge $v" <<< "$(plumb-bridge $v -h)" ||
			fail "$v -h prints no usage"
	done
	grep -q -- '--subnet6 CIDR' <<< "$(plumb-bridge add -h)" ||
		fail "add -h lists no options"
	ok plumb-bridge --help
	eq "$(plumb-bridge --version)" "plumb-bridge 0.1.0" "version"
	fails 2 'usage: plumb-bridge check ID' plumb-bridge check
	fails 2 'usage: plumb-bridge link NS1' plumb-bridge link a:x
	fails 2 'usage: plumb-bridge route add.del' plumb-bridge route add a 10.0.0.0/8
	fails 2 'usage: plumb-bridge del-bridge NAME' plumb-bridge del-bridge
	fails 2 'usage: plumb-bridge unlink NS:IF' plumb-bridge unlink
	fails 2 'usage: plumb-bridge list' plumb-bridge list extra
	fails 2 'unknown option "-x"' plumb-bridge -x list
}
