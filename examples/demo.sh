#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# examples/demo.sh: plumb's main job, in a sandbox of its own.
#
# It makes a new network namespace that plays the host, inside it two
# "containers" (network namespaces) named with plumb-netns, shows them to
# iproute2, runs a command in each, names the namespace of a running process,
# and tears everything down. Nothing outside the sandbox is touched.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${PLUMB_DEMO_SANDBOX:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: run as root" >&2; exit 1; }
	[ -x "$top/netns/plumb-netns" ] || make -C "$top" -s
	PLUMB_DEMO_SANDBOX=1 exec unshare --net --mount --pid --fork --mount-proc \
		--propagation private -- "$0" "$@"
fi
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /run/plumb
ip link set lo up
export PATH="$top/netns:$top/bridge:$top/nat:$PATH"

step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "two containers, made by plumb-netns, seen by ip netns"
show plumb-netns add red
show plumb-netns add blue
show ip netns list
show plumb-netns -j list

step "a command inside each: its own loopback, its own /sys"
show plumb-netns exec red -- ip -br addr show
show plumb-netns exec blue -- ls /sys/class/net

step "name the namespace of a running process (a container by any runtime)"
unshare --net sleep 30 &
pid=$!
sleep 0.1
show plumb-netns attach green $pid
show plumb-netns path green
echo "inode of /proc/$pid/ns/net: $(stat -L -c %i /proc/$pid/ns/net)," \
	"of /run/netns/green: $(stat -L -c %i /run/netns/green)"
kill $pid

step "tear down"
show plumb-netns del red blue green
show ip netns list
echo "demo: done"
