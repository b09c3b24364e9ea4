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
