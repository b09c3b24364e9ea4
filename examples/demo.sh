#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# examples/demo.sh: plumb's main job, in a sandbox of its own.
#
#        wan (192.0.2.2)                      the "outside world"
#         | veth
#        host (192.0.2.1)  -- this sandbox's own network namespace
#         | plumb0 10.88.0.1/16, table inet plumb
#     +---+---+
#    c1       c2                              two "containers"
#
# Two containers get addresses on a bridge and reach each other, c1's web
# server is published on the host's port 8080 and reached from wan, then
# everything is torn down. The sandbox is a new network, mount and PID
# namespace: nothing outside it is touched.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${PLUMB_DEMO_SANDBOX:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: run as root" >&2; exit 1; }
	make -C "$top" -s
	PLUMB_DEMO_SANDBOX=1 exec unshare --net --mount --pid --fork --mount-proc \
		--propagation private -- "$0" "$@"
fi
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /run/plumb
ip link set lo up
export PATH="$top/netns:$top/bridge:$top/nat:$PATH"

step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "three namespaces: two containers and an outside world"
show plumb-netns add c1
show plumb-netns add c2
show plumb-netns add wan
show plumb-bridge link wan:eth0=192.0.2.2/24 /proc/self/ns/net:wan0=192.0.2.1/24

step "wire both containers to the bridge plumb0 (made on first use)"
show plumb-bridge add c1
show plumb-bridge add c2
show plumb-netns exec c1 -- ip -br addr show eth0
show plumb-netns exec c1 -- ping -c 2 -W 1 10.88.0.3

step "masquerade the containers, publish c1's port 80 on the host's port 8080"
plumb-netns exec c1 -- socat TCP-LISTEN:80,fork,reuseaddr \
	SYSTEM:'echo HTTP/1.0 200 OK; echo; echo hello from c1' &
show plumb-nat masq add 10.88.0.0/16 --id demo
show plumb-nat publish 8080/tcp 10.88.0.2:80 --id c1
sleep 0.2
show plumb-netns exec wan -- socat -T 2 - TCP:192.0.2.1:8080
show plumb-nat list -s
echo "rules in table inet plumb: $(nft -j list table inet plumb | jq '[.nftables[] | select(.rule)] | length')"

step "tear down: ports, containers, bridge; nothing is left"
show plumb-nat unpublish --id c1
show plumb-nat masq del 10.88.0.0/16 --id demo
show plumb-bridge del c1
show plumb-bridge del c2
show plumb-bridge del-bridge plumb0
show plumb-bridge unlink wan:eth0
show plumb-netns del c1 c2 wan
show plumb-bridge list
show ip -br link
echo "demo: done"
