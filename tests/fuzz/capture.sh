#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/capture.sh: make the seeds of fuzz_netlink, fuzz_records and
# fuzz_oci_state from the real kernel, the real tools and a real runtime
# (crun), inside a sandbox: new network and mount namespaces with tmpfs over
# /run and /tmp, so nothing outside is touched. As root; "make capture"
# builds what it needs first.
#
#   tests/fuzz/capture.sh     rewrites tests/fuzz/corpus/{netlink,records}
#                             and tests/fuzz/corpus/oci_state/crun-*
#
# The network it builds:
#
#   eth0 (veth, index 2, peer eth1)  10.88.0.1/16 fd00:88::1/64, default route via 10.88.255.254
#   br0 (bridge)  10.77.0.1/24; veth0 in it in hairpin mode, its peer veth1
#   web (netns)   attached by plumb-bridge add (record in /run/plumb)
#   table inet plumb  ports 8080/tcp, 192.0.2.1:5353/udp, 8443/tcp to fd00:88::2,
#                     masquerade 10.88.0.0/16, 10.89.0.0/16, fd00:88::/64
#   conntrack     udp flows to 8080 and 8085
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$top/tests/fuzz/corpus

if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" = 0 ] || { echo "capture.sh: needs root" >&2; exit 1; }
	CAPTURE_HOST_NETNS=$(stat -L -c %i /proc/self/ns/net) \
		exec unshare --net --mount --propagation private -- "$0" --inside
fi

# Inside the sandbox only: refuse the network namespace we were started in.
[ -n "${CAPTURE_HOST_NETNS:-}" ] &&
	[ "$(stat -L -c %i /proc/self/ns/net)" != "$CAPTURE_HOST_NETNS" ] ||
	{ echo "capture.sh: not in a sandbox" >&2; exit 3; }
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/netns /run/plumb
export PATH="$top/netns:$top/bridge:$top/nat:$PATH"

ip link set lo up
ip link add eth1 type veth peer name eth0 # the peer comes first: index 2
ip link set eth0 up
ip link set eth1 up
ip addr add 10.88.0.1/16 dev eth0
ip addr add fd00:88::1/64 dev eth0 nodad
ip route add default via 10.88.255.254
ip -6 route add fd00:99::/64 via fd00:88::ff
ip link add br0 type bridge
ip link set br0 up
ip addr add 10.77.0.1/24 dev br0
ip link add veth0 type veth peer name veth1
ip link set veth0 master br0 up
ip link set veth0 type bridge_slave hairpin on
ip link set veth1 alias "peer of veth0"

plumb-netns add web
plumb-bridge add web --bridge plumb0 --subnet 10.99.0.0/24 --subnet6 fd00:99:1::/64 \
	--mtu 1400 > /dev/null
plumb-nat masq add 10.88.0.0/16 --id capture
plumb-nat masq add 10.89.0.0/16 --id capture
plumb-nat masq add fd00:88::/64 --id capture
plumb-nat publish 8080/tcp 10.88.0.2:80 --id capture/web/eth0
plumb-nat publish 192.0.2.1:5353/udp 10.88.0.3:53 --id capture
plumb-nat publish 8443-8444/tcp '[fd00:88::2]:443-444' --id capture
conntrack -I -p udp -s 10.0.0.1 -d 10.88.0.1 --sport 4000 --dport 8080 -t 60 2> /dev/null
conntrack -I -p udp -s 10.0.0.1 -d 10.88.0.1 --sport 4001 --dport 8085 -t 60 2> /dev/null

rm -f "$corpus"/netlink/*
mkdir -p "$corpus/netlink"
"$top/tests/fuzz/capture" "$corpus/netlink"

# Records, as the tools wrote them.
find /run/plumb -type f -path '*/attach/*' -o -type f -path '*/nat/*' |
	while read -r f; do
		name=$(basename "$(dirname "$f")")-$(basename "$f")
		cp "$f" "$corpus/records/tool-${name//:/_}"
	done

# The state runtimes give their hooks at createRuntime and poststop. The
# container need not start (no cgroups here): the hooks run all the same.
b=/tmp/bundle
mkdir -p $b/rootfs
(cd $b && crun spec)
jq '.root = {path: "/", readonly: true} | del(.linux.resources) |
	.mounts |= map(select(.type != "cgroup")) |
	.process.args = ["true"] | .process.terminal = false |
	.annotations = {"plumb.network": "red", "plumb.publish": "8080:80/tcp"} |
	.hooks = {
		createRuntime: [{path: "/bin/sh",
			args: ["sh", "-c", "cat > /tmp/state-create"]}],
		poststop: [{path: "/bin/sh",
			args: ["sh", "-c", "cat > /tmp/state-poststop"]}]}' \
	$b/config.json > $b/config.new && mv $b/config.new $b/config.json
for rt in crun runc; do
	command -v $rt > /dev/null || continue
	rm -f /tmp/state-*
	$rt --root /run/$rt run --bundle $b capture-$rt > /dev/null 2>&1 || true
	for s in create poststop; do
		[ -s /tmp/state-$s ] && cp /tmp/state-$s "$corpus/oci_state/$rt-captured-$s"
	done
done
chmod 0644 "$corpus"/*/*
ls "$corpus/netlink" | wc -l
