# SPDX-License-Identifier: GPL-2.0-or-later
# examples/k8s/two-nodes.sh, in a sandbox of its own: two nodes whose pod
# CIDRs route to each other over an underlay (host-gw), each masquerading
# but for the cluster. The example checks what the servers see itself (pod2
# sees pod1's own address; wan sees each pod as its node) and that no record
# is left; here the kernel is asked too.

test_two_nodes_example_routes_pods_without_nat_and_leaves_nothing() {
	local out
	out=$(PLUMB_DEMO_SANDBOX=1 "$TOP/examples/k8s/two-nodes.sh" 2>&1) ||
		fail "two-nodes.sh failed: $out"
	grep -qx 'pod2 sees pod1 as 10.244.1.2' <<< "$out" || fail "no pod-to-pod line: $out"
	grep -qx 'wan sees pod1 as 192.168.50.11 (node1)' <<< "$out" ||
		fail "no egress line: $out"
	eq "$(ip -j link show | jq -r '[.[].ifname] | sort | join(" ")')" "lo" \
		"links left in the sandbox"
	eq "$(ls /run/netns)" "" "namespaces left"
	eq "$(nft list ruleset)" "" "ruleset left"
}
