# SPDX-License-Identifier: GPL-2.0-or-later
# A sample of every tool's invocations, as the netns tests make them, each
# under valgrind: every verb of the command lines, the OCI hooks, every CNI
# command of every plugin, successes and refusals alike. Each must exit as it
# should, and valgrind must find no error and no leak (definite or indirect).
# Run by tests/valgrind/run ("make valgrind"), in sandboxes as the netns tests.
#
#   sandbox "host" netns: plumb0, cni0, host veths, plumb's nft table
#     a, b, x, y, h   named namespaces; a process in a namespace of its own
#
# The tools' threads that open sockets in other namespaces (netns_run) run
# under valgrind like any thread.
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

VALGRIND=${PLUMB_VALGRIND:-valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect}

BR='{"cniVersion":"1.1.0","name":"net1","type":"plumb-bridge","bridge":"cni0",
"isGateway":true,"isDefaultGateway":true,"ipMasq":true,
"ipam":{"type":"plumb-ipam","subnet":"10.22.0.0/24","routes":[{"dst":"10.99.0.0/16"}]},
"cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"}]}'
LO='{"cniVersion":"1.1.0","name":"lo","type":"plumb-netns"}'

# vg RC [VAR=VALUE...] CMD...: CMD, with VARs in its environment and the
# caller's stdin, exits RC under valgrind, which finds no error and no leak;
# what it printed is left in $OUT
vg() {
	local want=$1 rc log vars=()
	shift
	while [[ $1 == [A-Z]*=* ]]; do
		vars+=("$1")
		shift
	done
	log=$(mktemp /tmp/vg.XXXXXX)
	# shellcheck disable=SC2086
	OUT=$(env "${vars[@]}" $VALGRIND --child-silent-after-fork=yes --log-file="$log" \
		"$@" 2> /tmp/.vgerr)
	rc=$?
	grep -q 'ERROR SUMMARY: 0 errors from 0 contexts' "$log" ||
		fail "valgrind on '$*': $(cat "$log")"
	[ "$rc" = "$want" ] || fail "'$*' exited $rc under valgrind, want $want:" \
		"$OUT $(cat /tmp/.vgerr)"
}

# cni RC PLUGIN COMMAND NETNS ID CONF: a CNI invocation under vg, interface eth0
cni() {
	printf '%s' "$6" > /tmp/conf
	vg "$1" CNI_COMMAND="$3" CNI_NETNS="$4" CNI_CONTAINERID="$5" CNI_IFNAME=eth0 \
		CNI_PATH=/usr/lib/cni "$2" < /tmp/conf
}

# hook RC PID TOOL ARGS...: TOOL oci-hook ARGS under vg, the state of
# container c1 (process PID) on stdin
hook() {
	local rc=$1
	printf '{"ociVersion":"1.0.2","id":"c1","status":"creating","pid":%d,"bundle":"/tmp"}' \
		"$2" > /tmp/state
	shift 2
	vg "$rc" "$@" < /tmp/state
}

need_valgrind() {
	command -v valgrind > /dev/null || skip "needs valgrind"
}

test_plumb_netns_under_valgrind() {
	local pid
	need_valgrind
	vg 0 plumb-netns add a
	vg 1 plumb-netns add a
	vg 1 plumb-netns add ../a
	vg 0 plumb-netns list
	vg 0 plumb-netns -j list
	vg 0 plumb-netns path a
	vg 1 plumb-netns exec nope -- true
	vg 127 plumb-netns exec a -- no-such-command
	unshare --net sleep 60 &
	pid=$!
	left $pid || fail "sleep $pid did not get a namespace of its own"
	vg 0 plumb-netns attach c1 $pid
	hook 0 $pid plumb-netns oci-hook create --name c2
	hook 0 0 plumb-netns oci-hook delete --name c2
	vg 0 plumb-netns del c1
	cni 0 plumb-netns ADD /run/netns/a c1 "$LO"
	cni 0 plumb-netns CHECK /run/netns/a c1 "$LO"
	cni 0 plumb-netns DEL /run/netns/a c1 "$LO"
	cni 0 plumb-netns GC "" "" "$LO"
	cni 0 plumb-netns STATUS "" "" "$LO"
	cni 0 plumb-netns VERSION "" "" ""
	cni 1 plumb-netns ADD /tmp/nope c1 "$LO"
	cni 1 plumb-netns ADD /run/netns/a c1 '{"cniVersion":"1.1.0","name":"lo",'
	vg 0 plumb-netns del a
	vg 2 plumb-netns frob
	kill $pid
}

test_plumb_bridge_command_line_under_valgrind() {
	need_valgrind
	ok ip netns add a
	ok ip netns add b
	ok ip netns add h
	vg 0 plumb-bridge add a --subnet6 fd00:88::/64
	vg 0 plumb-bridge -j add b --ip 10.88.0.9 --mac 02:11:22:33:44:55 --mtu 1400
	vg 1 plumb-bridge add a
	vg 1 plumb-bridge add b --subnet 10.88.0.1/16
	vg 1 plumb-bridge add /proc/self/ns/net --id self
	vg 0 plumb-bridge list
	vg 0 plumb-bridge -j list
	vg 0 plumb-bridge check a
	ok ip -n a link set eth0 mtu 1400
	vg 1 plumb-bridge -j check a
	vg 1 plumb-bridge del-bridge plumb0
	vg 0 plumb-bridge del b
	vg 0 plumb-bridge del b
	vg 0 plumb-bridge -n h add b --bridge br1 --subnet 10.77.0.0/24
	vg 0 plumb-bridge check b --network br1
	vg 0 plumb-bridge del b --network br1
	vg 0 plumb-bridge -n h del-bridge br1
	vg 0 plumb-bridge del a
	vg 0 plumb-bridge del-bridge plumb0
	vg 0 plumb-bridge link a:v0=10.3.0.1/30 b:v1=10.3.0.2/30 --forward
	vg 0 plumb-bridge route add a 10.4.0.0/16 via 10.3.0.2
	vg 0 plumb-bridge route del a 10.4.0.0/16 via 10.3.0.2
	vg 1 plumb-bridge route del a 10.4.0.0/16 via 10.3.0.2
	vg 0 plumb-bridge unlink a:v0
	vg 1 plumb-bridge unlink a:v0
	vg 2 plumb-bridge add a --frob
}

test_plumb_bridge_and_ipam_cni_and_hooks_under_valgrind() {
	local pid
	need_valgrind
	ok ip netns add a
	ok ip netns add b
	cni 0 plumb-bridge ADD /run/netns/a c1 "$BR"
	cni 0 plumb-bridge CHECK /run/netns/a c1 "$BR"
	cni 1 plumb-bridge ADD /run/netns/a c1 "$BR"
	cni 0 plumb-bridge ADD /run/netns/b c2 "$(jq -c '.args.cni.ips = ["10.22.0.50"]' <<< "$BR")"
	cni 0 plumb-bridge GC "" "" "$BR"
	cni 0 plumb-bridge STATUS "" "" "$BR"
	cni 0 plumb-bridge DEL /run/netns/a c1 "$BR"
	cni 0 plumb-bridge DEL /run/netns/a c1 "$BR"
	cni 0 plumb-bridge VERSION "" "" ""
	cni 1 plumb-bridge ADD /run/netns/a c1 '{"cniVersion":"1.1.0","name":"n","name":"m"}'
	cni 1 plumb-bridge ADD /run/netns/a c1 "$(jq -c '.vlan = 5' <<< "$BR")"
	cni 1 plumb-bridge ADD /proc/self/ns/net c1 "$BR"
	cni 0 plumb-ipam ADD /run/netns/a c3 "$BR"
	cni 0 plumb-ipam CHECK /run/netns/a c3 "$BR"
	cni 1 plumb-ipam CHECK /run/netns/a c4 "$BR"
	cni 0 plumb-ipam GC "" "" "$BR"
	cni 0 plumb-ipam STATUS "" "" "$BR"
	cni 0 plumb-ipam DEL /run/netns/a c3 "$BR"
	cni 0 plumb-ipam VERSION "" "" ""
	cni 1 plumb-ipam ADD /run/netns/a c3 "$(jq -c '.ipam.dataDir = "/tmp"' <<< "$BR")"
	unshare --net sleep 60 &
	pid=$!
	left $pid || fail "sleep $pid did not get a namespace of its own"
	hook 0 $pid plumb-bridge oci-hook create --subnet 10.55.0.0/24 --bridge br5
	hook 1 $pid plumb-bridge oci-hook create --bridge br5
	hook 0 0 plumb-bridge oci-hook delete --bridge br5
	hook 1 0 plumb-bridge oci-hook create
	kill $pid
}

test_plumb_nat_under_valgrind() {
	local pid prev
	need_valgrind
	vg 0 plumb-nat publish 8080 10.88.0.2:80 --id x
	vg 0 plumb-nat publish 8080 10.88.0.2:80 --id x
	vg 1 plumb-nat publish 8080 10.88.0.3:80 --id y
	vg 0 plumb-nat publish 127.0.0.1:9000-9001/udp 10.88.0.2:90-91 --id y
	vg 0 plumb-nat masq add 10.88.0.0/16 --id x
	vg 0 plumb-nat list
	vg 0 plumb-nat -j list
	vg 0 plumb-nat list -s
	vg 0 plumb-nat -j list -s
	ok nft flush ruleset
	vg 0 plumb-nat reconcile
	vg 0 plumb-nat unpublish 8080 --id x
	vg 0 plumb-nat unpublish --id y
	vg 0 plumb-nat masq del 10.88.0.0/16 --id x
	vg 0 plumb-nat flush
	vg 1 plumb-nat publish 0 10.88.0.2:80
	vg 1 plumb-nat publish 8080 10.88.0.2:80 --id ../x

	unshare --net sleep 60 &
	pid=$!
	left $pid || fail "sleep $pid did not get a namespace of its own"
	hook 0 $pid plumb-bridge oci-hook create
	hook 0 $pid plumb-nat oci-hook create --publish 8081:80 --masquerade
	hook 0 0 plumb-nat oci-hook delete
	hook 0 0 plumb-bridge oci-hook delete
	kill $pid

	ok ip netns add a
	ok plumb-bridge add a --network net1 --id c1 --bridge cni0 --subnet 10.22.0.0/24
	prev='{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","sandbox":"/run/netns/a"}],
		"ips":[{"address":"10.22.0.2/24","interface":0}]}'
	conf=$(jq -c --argjson p "$prev" '.type = "plumb-nat" | .prevResult = $p |
		.runtimeConfig.portMappings = [{hostPort: 8082, containerPort: 80}]' <<< "$BR")
	cni 0 plumb-nat ADD /run/netns/a c1 "$conf"
	cni 0 plumb-nat CHECK /run/netns/a c1 "$conf"
	cni 0 plumb-nat GC "" "" "$conf"
	cni 0 plumb-nat STATUS "" "" "$conf"
	cni 0 plumb-nat DEL /run/netns/a c1 "$conf"
	cni 0 plumb-nat VERSION "" "" ""
	cni 1 plumb-nat ADD /run/netns/a c1 "$(jq -c 'del(.prevResult)' <<< "$conf")"
}
