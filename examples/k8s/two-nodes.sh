#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# examples/k8s/two-nodes.sh: two Kubernetes-style nodes whose pod CIDRs route
# to each other over an underlay ("host-gw", as flannel's backend of that
# name does), built with plumb's command line in a sandbox of its own.
#
#                    wan 192.0.2.2          the world outside the cluster
#                     | veth
#   this sandbox      192.0.2.1  -- the underlay's router: it knows nothing
#                     | underlay0 192.168.50.1/24     of the pods
#           +---------+---------+
#   node1 eth0 192.168.50.11   node2 eth0 192.168.50.12
#     cni0 10.244.1.1/24         cni0 10.244.2.1/24
#     pod1 10.244.1.2            pod2 10.244.2.2
#   route 10.244.2.0/24         route 10.244.1.0/24
#     via 192.168.50.12           via 192.168.50.11
#
# Each node masquerades what leaves its pod CIDR, but for the cluster's
# CIDR and service CIDR (--no-masquerade-to): pod1 reaches pod2 with its
# own address, as Kubernetes' network model requires, and reaches wan as
# its node. The same nodes made by containerd and plumb's CNI plugins take
# node1.conflist and node2.conflist (see README.md). The sandbox is a new
# network, mount and PID namespace: nothing outside it is touched.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${PLUMB_DEMO_SANDBOX:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "two-nodes: run as root" >&2; exit 1; }
	make -C "$top" -s
	PLUMB_DEMO_SANDBOX=1 exec unshare --net --mount --pid --fork --mount-proc \
		--propagation private -- "$0" "$@"
fi
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /run/plumb
ip link set lo up
export PATH="$top/netns:$top/bridge:$top/nat:$PATH"

CLUSTER=10.244.0.0/16
SERVICES=10.96.0.0/12
step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }
# see WHO ADDR: what a server at ADDR:7000 saw of WHO's connection
see() { plumb-netns exec "$1" -- socat -T 2 - TCP:"$2":7000 < /dev/null; }
expect() { [ "$1" = "$2" ] || { echo "two-nodes: $3: got '$1', want '$2'" >&2; exit 1; }; }

step "the underlay: two nodes on a segment whose router leads to wan"
show plumb-netns add wan
show plumb-bridge link wan:eth0=192.0.2.2/24 /proc/self/ns/net:wan0=192.0.2.1/24
show plumb-bridge route add wan 192.168.50.0/24 via 192.0.2.1
for n in 1 2; do
	show plumb-netns add node$n
	show plumb-bridge add node$n --bridge underlay0 --network underlay \
		--subnet 192.168.50.0/24 --ip 192.168.50.1$n
done

step "each node: its pod bridge, masquerade but for the cluster, a pod"
for n in 1 2; do
	show plumb-netns add pod$n
	show plumb-bridge -n node$n add pod$n --bridge cni0 --network pods \
		--subnet 10.244.$n.0/24 --data-dir /run/plumb/ipam-node$n \
		--masquerade --no-masquerade-to $CLUSTER --no-masquerade-to $SERVICES
	show plumb-nat -n node$n list
done

step "host-gw: each node routes the other's pod CIDR to it over the underlay"
show plumb-bridge route add node1 10.244.2.0/24 via 192.168.50.12
show plumb-bridge route add node2 10.244.1.0/24 via 192.168.50.11

step "pod1 to pod2 keeps its address; pod1 to wan is its node"
servers=()
for ns in pod2 wan; do
	plumb-netns exec $ns -- socat TCP-LISTEN:7000,fork,reuseaddr \
		SYSTEM:'echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
	servers+=($!)
done
sleep 0.3
expect "$(see pod1 10.244.2.2)" 10.244.1.2 "pod2 sees pod1 as"
echo "pod2 sees pod1 as 10.244.1.2"
expect "$(see pod1 192.0.2.2)" 192.168.50.11 "wan sees pod1 as"
echo "wan sees pod1 as 192.168.50.11 (node1)"
expect "$(see pod2 192.0.2.2)" 192.168.50.12 "wan sees pod2 as"
echo "wan sees pod2 as 192.168.50.12 (node2)"

step "tear down: pods, nodes' NAT, routes; nothing is left"
kill "${servers[@]}"
wait "${servers[@]}" 2> /dev/null || true
for n in 1 2; do
	show plumb-bridge -n node$n del pod$n --network pods
	show plumb-nat -n node$n masq del 10.244.$n.0/24
	show plumb-bridge del node$n --network underlay
done
show plumb-bridge del-bridge underlay0
show plumb-bridge unlink wan:eth0
show plumb-netns del pod1 pod2 node1 node2 wan
# The lease stores keep their lock files, as host-local's do, and the host
# keeps the key its veth names are made with (/run/plumb/key) while /run lasts.
left=$(find /run/plumb -type f ! -name lock ! -name plumb-boot ! -name 'last_reserved_ip.*' \
	! -path /run/plumb/key)
expect "$left" "" "records and leases left"
