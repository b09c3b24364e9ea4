# SPDX-License-Identifier: GPL-2.0-or-later
# containerd's CRI runs plumb's CNI plugins as a kubelet makes it: Debian's
# containerd 1.6, started inside the sandbox, driven through its CRI API
# (runtime.v1) by tests/netns/cri/cri.py, a client of our own over gRPC.
#
#   wan 192.0.2.2 ==veth== wan0 192.0.2.1   the outside world
#                           |
#   sandbox "host" = node1: containerd (root, state, socket, CNI conf and bin
#     dirs on the sandbox's tmpfs), cni0 10.244.1.1/24, pods in cni-* netns
#                           | ul0 192.168.50.11 (the two-node test only)
#                           | veth
#   node2 eth0 192.168.50.12: cni0 10.244.2.1/24, pod n2 (its own netns and
#     mount namespace: its own /run/plumb and /var/lib/cni)
#
# The CNI bin dir holds this worktree's plumb plugins (and "loopback", which
# containerd runs itself for every pod: plumb-netns); the conf dir holds
# examples/k8s/node1.conflist. The pods' image is busybox-static, made by
# tests/netns/cri/image.py and imported with "ctr images import"; it is the
# sandbox ("pause") image too. The gRPC stubs are generated from
# tests/netns/cri/runtime.proto at test time, into the sandbox's tmpfs
# (/run/cri/stubs).
#
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox);
# containerd and everything it starts die with it.

CRI=/run/cri
SOCK=$CRI/containerd.sock
IMAGE=docker.io/plumb/busybox:1
PY=/usr/bin/python3
NET=k8s-pod-network

# --- containerd -------------------------------------------------------------

# needs: skip unless containerd, runc, busybox-static and the Python gRPC
# packages are installed
needs() {
	local c
	for c in containerd ctr containerd-shim-runc-v2 runc; do
		command -v $c > /dev/null || skip "needs $c (containerd, runc)"
	done
	[ -x /bin/busybox ] || skip "needs busybox-static"
	$PY -c 'import grpc, grpc_tools' 2> /dev/null ||
		skip "needs python3-grpcio and python3-grpc-tools"
}

# cgroups_gone: remove the test's cgroups (the pods' are under them) in
# every hierarchy, deepest first, after killing what a failed test left in
# them
cgroups_gone() {
	local d i
	for i in $(seq 20); do
		d=$(find /sys/fs/cgroup -type d -name "plumb-cri.$CGID" 2> /dev/null)
		[ -n "$d" ] || return 0
		# shellcheck disable=SC2086
		cat $(find $d -name cgroup.procs) 2> /dev/null | xargs -r kill -9 2> /dev/null
		# shellcheck disable=SC2086
		find $d -depth -type d -exec rmdir {} + 2> /dev/null
		sleep 0.1
	done
}

# cri_start [CONFLIST]: containerd with plumb's plugins and CONFLIST
# (examples/k8s/node1.conflist), the image imported, the stubs generated
cri_start() {
	local conflist=${1:-$TOP/examples/k8s/node1.conflist} p i
	needs
	mkdir -p $CRI/bin $CRI/net.d $CRI/stubs $CRI/log
	for p in netns/plumb-netns bridge/plumb-bridge bridge/plumb-ipam nat/plumb-nat; do
		[ -x "$TOP/$p" ] || fail "build first: $p"
		ln -s "$TOP/$p" $CRI/bin/
	done
	ln -s "$TOP/netns/plumb-netns" $CRI/bin/loopback
	cp "$conflist" $CRI/net.d/10-plumb.conflist
	# The pods' cgroups, under one of the test's own, removed at the end.
	CGID=$$
	trap 'cri_stop; cgroups_gone' EXIT
	cat > $CRI/config.toml <<-EOF
	version = 2
	root = "$CRI/root"
	state = "$CRI/state"
	disabled_plugins = ["io.containerd.internal.v1.tracing",
	  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
	  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
	[grpc]
	  address = "$SOCK"
	[ttrpc]
	  address = "$SOCK.ttrpc"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$CRI/opt"
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "$IMAGE"
	  # A pod's oom_score_adj may not go under containerd's own: lowering it
	  # takes CAP_SYS_RESOURCE, which the sandbox may lack.
	  restrict_oom_score_adj = true
	  [plugins."io.containerd.grpc.v1.cri".containerd]
	    snapshotter = "native"
	    default_runtime_name = "runc"
	    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
	      runtime_type = "io.containerd.runc.v2"
	  [plugins."io.containerd.grpc.v1.cri".cni]
	    bin_dir = "$CRI/bin"
	    conf_dir = "$CRI/net.d"
	EOF
	containerd --config $CRI/config.toml > $CRI/log/containerd.log 2>&1 &
	CONTAINERD=$!
	for i in $(seq 300); do
		[ -S $SOCK ] && ctr -a $SOCK version > /dev/null 2>&1 && break
		kill -0 $CONTAINERD 2> /dev/null || fail "containerd died: $(tail $CRI/log/containerd.log)"
		sleep 0.1
	done
	ctr -a $SOCK version > /dev/null 2>&1 || fail "containerd does not answer on $SOCK"
	$PY -m grpc_tools.protoc -I "$TOP/tests/netns/cri" --python_out=$CRI/stubs \
		--grpc_python_out=$CRI/stubs runtime.proto || fail "protoc failed"
	$PY "$TOP/tests/netns/cri/image.py" $CRI/image.tar $IMAGE || fail "image.py failed"
	ctr -a $SOCK -n k8s.io images import --snapshotter native $CRI/image.tar \
		> /dev/null 2>&1 || fail "ctr images import: $(ctr -a $SOCK -n k8s.io images \
		import --snapshotter native $CRI/image.tar 2>&1)"
	[ -n "$(cri image $IMAGE)" ] || fail "the CRI does not see $IMAGE"
}

cri_stop() {
	[ -n "${CONTAINERD:-}" ] || return 0
	kill "$CONTAINERD" 2> /dev/null
	wait "$CONTAINERD" 2> /dev/null
	CONTAINERD=
}

# cri ARGS...: tests/netns/cri/cri.py against our containerd
cri() {
	CRI_STUBS=$CRI/stubs PYTHONDONTWRITEBYTECODE=1 $PY "$TOP/tests/netns/cri/cri.py" \
		$SOCK "$@"
}

# ok_cri ARGS...: cri ARGS must succeed; its stdout is left in $R
ok_cri() {
	R=$(cri "$@" 2> /tmp/.cri) || fail "cri $1 failed: $(cat /tmp/.cri)
containerd: $(tail -20 $CRI/log/containerd.log)"
}

# --- pods -------------------------------------------------------------------

# pod_config NAME [HOSTPORT]: a pod's sandbox config, as a kubelet sends it
# (with the pod's cgroups under the test's own), publishing HOSTPORT to the
# pod's port 8080
pod_config() {
	jq -nc --arg n "$1" --arg cg "/plumb-cri.$CGID/$1" --arg hp "${2:-}" '{
		metadata: {name: $n, uid: "uid-\($n)", namespace: "default"},
		hostname: $n, log_directory: "/run/cri/log/\($n)",
		port_mappings: (if $hp == "" then [] else
			[{protocol: "TCP", container_port: 8080, host_port: ($hp | tonumber)}] end),
		linux: {cgroup_parent: $cg}}'
}

# pod NAME [HOSTPORT]: RunPodSandbox, then a container serving /www on port
# 8080 with busybox httpd; sets POD[NAME], CTR[NAME], IP[NAME], NS[NAME]
declare -A POD CTR IP NS
pod() {
	local config n
	config=$(pod_config "$@")
	ok_cri runp "$config"
	POD[$1]=$R
	ok_cri podstatus "${POD[$1]}"
	eq "$(jq -r .state <<< "$R")" SANDBOX_READY "state of pod $1"
	IP[$1]=$(jq -r .ip <<< "$R")
	mkdir -p "/run/cri/log/$1"
	ok_cri create "${POD[$1]}" "$(jq -nc --arg i $IMAGE '{metadata: {name: "httpd"},
		image: {image: $i}, command: ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"],
		log_path: "httpd.log"}')" "$config"
	CTR[$1]=$R
	ok_cri start "${CTR[$1]}"
	# The pod's network namespace: the one whose eth0 holds its address.
	for n in $(ip netns list 2> /dev/null | awk '/^cni-/ { print $1 }'); do
		ip -n "$n" -j addr show dev eth0 2> /dev/null |
			jq -e --arg a "${IP[$1]}" '.[0].addr_info | any(.local == $a)' \
			> /dev/null && NS[$1]=$n
	done
	[ -n "${NS[$1]:-}" ] || fail "no namespace holds ${IP[$1]}, the address of pod $1"
}

# in_pod NAME CMD...: run CMD in the pod's container (ExecSync); stdout in $R
in_pod() {
	local name=$1
	shift
	R=$(cri exec "${CTR[$name]}" 10 "$@" 2> /tmp/.cri) ||
		fail "exec in $name: $* exited $?: $R $(cat /tmp/.cri)"
}

# http_from_pod NAME ADDR PORT: the body busybox's nc gets from ADDR:PORT
# inside pod NAME (busybox's wget crashes on this machine)
http_from_pod() {
	in_pod "$1" sh -c "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 $2 $3"
	R=$(tail -n 1 <<< "$R")
}

# peer_server NS PORT: a TCP server in NS answering with the address it saw
peer_server() {
	ip netns exec "$1" socat TCP-LISTEN:"$2",fork,reuseaddr \
		SYSTEM:'echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
	for _ in $(seq 50); do
		[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ] && return 0
		sleep 0.05
	done
	fail "no server on port $2 in $1"
}

# stop_and_remove NAME: as a kubelet does, and as containerd's CNI sees it:
# StopPodSandbox twice (the second DEL comes without a netns), then
# RemovePodSandbox twice (one more DEL, then nothing)
stop_and_remove() {
	ok_cri stop "${CTR[$1]}"
	ok_cri rm "${CTR[$1]}"
	ok_cri stopp "${POD[$1]}"
	ok_cri stopp "${POD[$1]}"
	ok_cri rmp "${POD[$1]}"
	ok_cri rmp "${POD[$1]}"
}

# nothing_left NETWORK: no pod namespace, host veth, lease, cached result or
# record of an attachment is left, nor a published port; what stays is the
# network's own (its bridge, its masquerade)
nothing_left() {
	eq "$(ip netns list 2> /dev/null | grep -c '^cni-')" 0 "pod namespaces left"
	eq "$(ip -j link show master cni0 2> /dev/null | jq length)" 0 "veths left on cni0"
	eq "$(find "/var/lib/cni/networks/$1" -type f ! -name lock \
		! -name 'last_reserved_ip.*' ! -name plumb-boot 2> /dev/null)" "" "leases left"
	eq "$(find /var/lib/cni/results -type f 2> /dev/null)" "" "cached results left"
	eq "$(find /run/plumb/attach /run/plumb/cni-nat -type f 2> /dev/null)" "" \
		"attachment records left"
	eq "$(find /run/plumb/nat -type f 2> /dev/null | grep -v "/nat/network@$1/")" "" \
		"NAT records of the pods left"
	eq "$({ nft -j list table inet plumb 2> /dev/null || echo '{"nftables": []}'; } |
		jq -r '[.nftables[] | .map? |
		select(.) | .elem? // [] | .[]] | length')" 0 "published ports left"
	eq "$(iptables-save -t nat 2> /dev/null | grep -c -e '^:CNI-DN-' -e '^-A CNI-HOSTPORT-DNAT ')" 0 \
		"the reference portmap's rules left"
}

# pods_scenario NETWORK: two pods with host ports, as a kubelet runs them,
# checked from outside and inside, then stopped and removed
pods_scenario() {
	local net=$1
	wan
	peer_server wan 7000
	pod web1 18080
	pod web2 18081
	case ${IP[web1]} in 10.244.1.*) ;; *) fail "pod web1 got ${IP[web1]}" ;; esac
	[ "${IP[web1]}" != "${IP[web2]}" ] || fail "two pods got ${IP[web1]}"
	# ExecSync: the command's output and its exit status.
	in_pod web1 hostname
	eq "$R" web1 "hostname in web1"
	cri exec "${CTR[web1]}" 10 sh -c 'exit 3' > /dev/null 2>&1
	eq "$?" 3 "exit status of an ExecSync"
	# The published ports, from outside, from the host and from a pod.
	eq "$(ip netns exec wan curl -s -m 3 http://192.0.2.1:18080/)" "hello from a pod" \
		"wan to web1's host port"
	eq "$(curl -s -m 3 http://192.0.2.1:18081/)" "hello from a pod" \
		"the node to web2's host port"
	http_from_pod web2 192.0.2.1 18080
	eq "$R" "hello from a pod" "web2 to web1's host port"
	http_from_pod web1 192.0.2.1 18080
	eq "$R" "hello from a pod" "web1 to its own host port (hairpin)"
	# Pod to pod keeps its address; to the world it is its node.
	peer_server "${NS[web2]}" 7001
	in_pod web1 nc -w 3 "${IP[web2]}" 7001
	eq "$R" "${IP[web1]}" "web2 sees web1 as"
	in_pod web1 nc -w 3 192.0.2.2 7000
	eq "$R" 192.0.2.1 "wan sees web1 as"
	stop_and_remove web1
	stop_and_remove web2
	nothing_left "$net"
	[ -z "$(curl -s -m 2 http://192.0.2.1:18080/)" ] || fail "18080 still answers"
}

test_containerd_runs_plumb_pods_with_host_ports_and_leaves_nothing() {
	cri_start
	pods_scenario $NET
	# Only the network's masquerade is left, which the next pod shares.
	eq "$(plumb-nat list)" "masquerade 10.244.1.0/24 owner network@$NET
no-masquerade 10.244.1.0/24 to 10.96.0.0/12 owner network@$NET
no-masquerade 10.244.1.0/24 to 10.244.0.0/16 owner network@$NET" "plumb-nat list"
}

# The witness: the reference chain (containerd's own loopback, bridge,
# host-local, portmap) passes the same checks.
test_containerd_runs_the_reference_chain_the_same_way() {
	local p
	[ -x /usr/lib/cni/portmap ] || skip "needs containernetworking-plugins"
	jq '.plugins = [
		{type: "bridge", bridge: "cni0", isGateway: true, isDefaultGateway: true,
		 ipMasq: true, hairpinMode: true,
		 ipam: {type: "host-local", ranges: [[{subnet: "10.244.1.0/24"}]]}},
		{type: "portmap", snat: true, capabilities: {portMappings: true}}]' \
		"$TOP/examples/k8s/node1.conflist" > /tmp/reference.conflist
	cri_start /tmp/reference.conflist
	rm $CRI/bin/*
	for p in loopback bridge host-local portmap; do
		ln -s /usr/lib/cni/$p $CRI/bin/$p
	done
	pods_scenario $NET
}

# --- two nodes ----------------------------------------------------------------

# node2_make: a second node: network namespace node2, and a mount namespace
# of its own with its own /run/plumb and /var/lib/cni, as another machine
# has its own records, leases and CNI cache; a process keeps it (NODE2_PID)
node2_make() {
	local i
	ok ip netns add node2
	unshare --mount --propagation private sh -c \
		'mount -t tmpfs -o mode=0755 tmpfs /run/plumb &&
		 mount -t tmpfs -o mode=0755 tmpfs /var/lib/cni &&
		 touch /run/node2.ready && exec sleep 1d' &
	NODE2_PID=$!
	for i in $(seq 50); do
		[ -e /run/node2.ready ] && return 0
		kill -0 $NODE2_PID 2> /dev/null || break
		sleep 0.05
	done
	fail "node2's mount namespace"
}

# on_node2 CMD...: run CMD on node2
on_node2() {
	nsenter --mount=/proc/$NODE2_PID/ns/mnt --net=/run/netns/node2 -- "$@"
}

# Two nodes, host-gw: their pod CIDRs route to each other over an underlay
# link. node1 is the sandbox, with containerd and examples/k8s/node1.conflist;
# node2 runs examples/k8s/node2.conflist through tests/netns/cni-run, as its
# own runtime would. Pods keep their addresses between nodes; what leaves
# the cluster is masqueraded by the pod's node.
#
#   wan 192.0.2.2 -- 192.0.2.1 node1 (sandbox) 192.168.50.11 -- 192.168.50.12 node2
#                     cni0 10.244.1.1: web1          cni0 10.244.2.1: n2
test_two_nodes_route_pods_to_each_other_without_nat() {
	local n2
	cri_start
	wan
	ok ip netns exec wan ip route add 192.168.50.0/24 via 192.0.2.1
	node2_make
	ok plumb-bridge link /proc/self/ns/net:ul0=192.168.50.11/24 \
		node2:eth0=192.168.50.12/24 --forward
	ok plumb-bridge route add /proc/self/ns/net 10.244.2.0/24 via 192.168.50.12
	ok plumb-bridge route add node2 10.244.1.0/24 via 192.168.50.11
	ok plumb-bridge route add node2 default via 192.168.50.11

	pod web1
	ok on_node2 ip netns add n2
	R=$(on_node2 "$TOP/tests/netns/cni-run" ADD "$TOP/examples/k8s/node2.conflist" \
		pod-n2 /run/netns/n2 eth0 2>&1) || fail "ADD on node2: $R"
	n2=$(jq -r '.ips[0].address | split("/")[0]' <<< "$R")
	case $n2 in 10.244.2.*) ;; *) fail "pod n2 got $n2" ;; esac

	peer_server wan 7000
	peer_server "${NS[web1]}" 7001
	on_node2 ip netns exec n2 socat TCP-LISTEN:7002,fork,reuseaddr \
		SYSTEM:'echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
	for _ in $(seq 50); do
		[ -n "$(on_node2 ip netns exec n2 ss -Hltn 'sport = :7002')" ] && break
		sleep 0.05
	done
	# Between nodes, a pod's own address.
	in_pod web1 nc -w 3 "$n2" 7002
	eq "$R" "${IP[web1]}" "n2 (node2) sees web1 (node1) as"
	eq "$(on_node2 ip netns exec n2 socat -T 3 - TCP:"${IP[web1]}":7001 < /dev/null)" \
		"$n2" "web1 (node1) sees n2 (node2) as"
	# Out of the cluster, its node's.
	in_pod web1 nc -w 3 192.0.2.2 7000
	eq "$R" 192.0.2.1 "wan sees web1 as"
	eq "$(on_node2 ip netns exec n2 socat -T 3 - TCP:192.0.2.2:7000 < /dev/null)" \
		192.168.50.12 "wan sees n2 as"

	stop_and_remove web1
	nothing_left $NET
	on_node2 "$TOP/tests/netns/cni-run" DEL "$TOP/examples/k8s/node2.conflist" \
		pod-n2 /run/netns/n2 eth0 > /dev/null 2>&1 || fail "DEL on node2"
	eq "$(on_node2 find /run/plumb/attach /var/lib/cni/results -type f)" "" \
		"node2's records"
}
