# SPDX-License-Identifier: GPL-2.0-or-later
# The tools as a new user builds a topology with them by hand (issue 14's
# "topology friction"): teardown that finds what add made wherever it was
# made, refusals that point to the right verb, one owner on both families,
# links with several addresses, options after the verb, output a shell can
# loop over, errors that name what is in the way, and the host by name.
#
#   sandbox host -- bridges plumb0 (10.88.0.0/16), other (10.77.0.0/24)
#     c1, c2      -- namespaces wired to them
#     a == b      -- namespaces joined by "plumb-bridge link"
#
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

# oci_state PID ID: the OCI state a runtime gives its hooks for a container
oci_state() {
	printf '{"ociVersion": "1.0.2", "id": "%s", "status": "creating", "pid": %s, "bundle": "/tmp"}' \
		"$2" "$1"
}

test_del_and_check_find_an_attachment_in_its_network() {
	ok plumb-netns add c1
	ok plumb-bridge add c1 --bridge other --subnet 10.77.0.0/24
	ok plumb-bridge check c1
	ok plumb-bridge del c1
	[ -z "$(ls -A /run/plumb/attach/other 2> /dev/null)" ] ||
		fail "the record stays: $(ls /run/plumb/attach/other)"
	[ -z "$(ls /run/plumb/ipam/other | grep '^10\.')" ] || fail "the lease stays"
	! link_exists c1 eth0 || fail "c1's eth0 stays"
	ok plumb-bridge del c1 # twice is fine
}

test_del_of_an_id_in_two_networks_names_both_and_changes_nothing() {
	ok plumb-netns add c1
	ok plumb-netns add c2
	ok plumb-bridge add c1 --id web --bridge b1 --subnet 10.71.0.0/24
	ok plumb-bridge add c2 --id web --bridge b2 --subnet 10.72.0.0/24
	fails 1 "web/eth0 is in two networks, b1 and b2: say which with --network" \
		plumb-bridge del --id web
	fails 1 "web/eth0 is in two networks, b1 and b2" plumb-bridge check web
	link_exists c1 eth0 && link_exists c2 eth0 || fail "del took an interface"
	ok plumb-bridge del --id web --network b2
	ok plumb-bridge del --id web
	! link_exists c1 eth0 || fail "c1's eth0 stays"
}

test_oci_hooks_find_what_bridge_s_create_made_in_its_network() {
	local pid
	unshare --net sleep 600 &
	pid=$!
	left "$pid" || fail "sleep did not leave the sandbox's namespace"
	oci_state $pid c9 | plumb-bridge oci-hook create --bridge lab0 --subnet 10.66.0.0/24 ||
		fail "bridge's create"
	oci_state $pid c9 | plumb-nat oci-hook create --masquerade --publish 8080:80 ||
		fail "nat's create did not find c9's attachment in lab0"
	nft -j list map inet plumb pub4 | grep -q 10.66.0.2 || fail "the port is not published"
	oci_state $pid c9 | plumb-nat oci-hook delete || fail "nat's delete"
	oci_state $pid c9 | plumb-bridge oci-hook delete || fail "bridge's delete"
	[ -z "$(ls -A /run/plumb/attach/lab0 2> /dev/null)" ] || fail "c9's record stays"
	kill $pid
}

test_unlink_refuses_an_attachment_s_interface_and_points_to_del() {
	ok plumb-netns add c1
	ok plumb-bridge add c1
	fails 1 "c1:eth0 is attachment plumb0/c1/eth0's: plumb-bridge del c1 removes it" \
		plumb-bridge unlink c1:eth0
	link_exists c1 eth0 || fail "unlink deleted it all the same"
}

test_one_owner_publishes_a_port_on_ipv4_and_ipv6() {
	ok plumb-nat publish 8080/tcp 10.88.0.2:80 --id alice
	ok plumb-nat publish 8080/tcp '[fd00::2]:80' --id alice
	eq "$(plumb-nat list | grep -c 8080)" 2 "alice's two mappings"
	ok plumb-nat publish 8081/tcp 10.88.0.3:80 --id bob
	ok plumb-nat publish 8081/tcp '[fd00::3]:80' --id carol
	# carol takes away her own, and only hers.
	ok plumb-nat unpublish 8081/tcp --id carol
	eq "$(plumb-nat list | grep 8081)" "publish *:8081/tcp -> 10.88.0.3:80 owner bob" \
		"8081 after carol's unpublish"
	fails 1 "tcp port 8081 belongs to bob, not to carol" plumb-nat unpublish 8081/tcp --id carol
	ok plumb-nat unpublish 8080/tcp --id alice
	eq "$(plumb-nat list | grep -c 8080)" 0 "alice's mappings after unpublish"
}

test_link_takes_addresses_of_both_families_and_forwards_per_end() {
	ok plumb-netns add a
	ok plumb-netns add b
	ok plumb-bridge link a:eth0=10.1.0.1/24,fd00:1::1/64 b:eth0=10.1.0.2/24,fd00:1::2/64 \
		--forward=a
	eq "$(ip -n a -j addr show dev eth0 | jq -r '[.[0].addr_info[] |
		select(.scope == "global") | .local] | join(" ")')" "10.1.0.1 fd00:1::1" "a's addresses"
	eq "$(ip netns exec a cat /proc/sys/net/ipv4/ip_forward)" 1 "a forwards"
	eq "$(ip netns exec b cat /proc/sys/net/ipv4/ip_forward)" 0 "b does not"
	ip netns exec a ping -6 -c 1 -W 2 fd00:1::2 > /dev/null || fail "a does not reach b (IPv6)"
}

test_a_second_subnet_on_an_existing_bridge_is_refused() {
	local before
	ok plumb-netns add c1
	ok plumb-netns add c2
	ok plumb-bridge add c1
	before=$(ip -j addr show dev plumb0 | jq -c '[.[0].addr_info[].local]')
	fails 1 "bridge plumb0 serves 10.88.0.0/16: give another --bridge for 10.99.0.0/16" \
		plumb-bridge add c2 --subnet 10.99.0.0/16
	eq "$(ip -j addr show dev plumb0 | jq -c '[.[0].addr_info[].local]')" "$before" \
		"plumb0's addresses"
	! link_exists c2 eth0 || fail "c2 was wired all the same"
}

test_json_and_netns_options_come_after_the_verb_too() {
	ok plumb-netns add c1
	ok plumb-netns add h
	ok plumb-bridge add c1 -n h
	link_exists h plumb0 || fail "-n after the verb: the bridge is not in h"
	eq "$(plumb-bridge list -j | jq -r '.[0].id')" c1 "plumb-bridge list -j"
	eq "$(plumb-netns list -j | jq -r '[.[].name] | sort | join(" ")')" "c1 h" \
		"plumb-netns list -j"
	eq "$(plumb-nat -n h list -j)" "$(plumb-nat list -j -n h)" "plumb-nat list -j -n h"
	ok plumb-bridge del c1 -n h
	! link_exists c1 eth0 || fail "del -n h left c1's eth0"
}

test_netns_list_prints_names_a_shell_can_loop_over() {
	ok plumb-netns add b
	ok plumb-netns add c
	ok ip netns set b 7
	eq "$(plumb-netns list | sort | tr '\n' ' ')" "b c " "plumb-netns list"
	eq "$(plumb-netns list -j | jq -r '.[] | select(.name == "b") | .nsid')" 7 "b's id in -j"
}

test_errors_name_what_is_in_the_way() {
	ok plumb-netns add a
	ok plumb-netns add b
	ok plumb-bridge link a:eth0=10.1.0.1/24 b:eth0=10.1.0.2/24
	fails 1 "network namespace a has an interface eth0 already" \
		plumb-bridge link a:eth0=10.1.0.1/24 b:eth1=10.1.0.2/24
	ok plumb-bridge route add b 10.5.0.0/16 via 10.1.0.1
	fails 1 "add route 10.5.0.0/16 via 10.1.0.1 in b: b has a route to 10.5.0.0/16 already" \
		plumb-bridge route add b 10.5.0.0/16 via 10.1.0.1
	ok plumb-nat masq add 10.88.0.0/16 --id x
	fails 1 "10.88.0.0/15 overlaps 10.88.0.0/16, which x masquerades" \
		plumb-nat masq add 10.88.0.0/15 --id y
}

test_link_names_the_host() {
	ok plumb-netns add c1
	ok plumb-bridge link host:v0=10.2.0.1/30 c1:eth0=10.2.0.2/30
	link_exists "" v0 || fail "no v0 in the sandbox host"
	ping1 c1 10.2.0.1 || fail "c1 does not reach the host"
	ok plumb-bridge unlink host:v0
	! link_exists "" v0 || fail "v0 stays"
}
