#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/lib.sh: the sandbox's inside, and the helpers every test uses.
#
# Run by tests/netns/sandbox as "lib.sh --run FILE TEST" inside fresh
# namespaces. Run any other way, or in the machine's own network namespace,
# it refuses: a test never runs outside a sandbox it made.

# --- the guard -------------------------------------------------------------
sandbox_guard() {
	local self
	self=$(stat -L -c %i /proc/self/ns/net) || exit 3
	if [ -z "${PLUMB_HOST_NETNS:-}" ] || [ "$self" = "$PLUMB_HOST_NETNS" ] ||
	   { [ "$$" != 1 ] && [ "$self" = "$(stat -L -c %i /proc/1/ns/net)" ]; }; then
		echo "lib.sh: refusing to run outside a sandbox (this is the machine's" \
		     "own network namespace); use tests/netns/sandbox" >&2
		exit 3
	fi
}

sandbox_setup() {
	local d hidden=
	# A tree checked out under a directory the sandbox covers (CI may use
	# /tmp) is kept in sight: bound aside first, then back in place.
	for d in /run /tmp /var/lib/cni; do
		case $PLUMB_TOP/ in "$d"/*) hidden=1 ;; esac
	done
	[ -z "$hidden" ] || mount --bind "$PLUMB_TOP" /mnt || exit 1
	for d in /run /tmp /var/lib/cni; do
		mount -t tmpfs -o mode=0755 tmpfs "$d" || exit 1
	done
	# plumb-lab writes /etc/netns/<namespace>/hosts: the sandbox's own.
	{ [ -d /etc/netns ] || mkdir /etc/netns; } &&
		mount -t tmpfs -o mode=0755 tmpfs /etc/netns || exit 1
	chmod 1777 /tmp
	if [ -n "$hidden" ]; then
		mkdir -p "$PLUMB_TOP" && mount --bind /mnt "$PLUMB_TOP" || exit 1
	fi
	mkdir -p /run/netns /run/plumb
	ip link set lo up
	export PATH="$PLUMB_TOP/netns:$PLUMB_TOP/bridge:$PLUMB_TOP/nat:$PLUMB_TOP/lab:$PATH"
	export TOP=$PLUMB_TOP
	cd /tmp || exit 1
}

# --- assertions: each prints what it saw and fails the test ----------------
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "$*"
	exit 77
}

# ok CMD...: CMD must succeed.
ok() {
	local out
	out=$("$@" 2>&1) || fail "'$*' failed: $out"
}

# eq GOT WANT WHAT
eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# fails RC REGEX CMD...: CMD must exit with RC and say something matching
# REGEX on stderr, and print nothing on stdout.
fails() {
	local rc=$1 re=$2 got out err
	shift 2
	out=$("$@" 2> /tmp/.stderr)
	got=$?
	err=$(cat /tmp/.stderr)
	[ "$got" = "$rc" ] || fail "'$*' exited $got, want $rc (stderr: $err)"
	# Not "echo | grep -q": grep may quit at the first match while echo
	# (line-buffered) is still writing, and pipefail takes the SIGPIPE.
	grep -qE -- "$re" <<< "$err" || fail "'$*' said '$err', want /$re/"
	[ -z "$out" ] || fail "'$*' printed '$out' on stdout"
}

# state: what the kernel and the file system hold, to show nothing changed.
# nft -s: without the counters of the elements, which traffic moves.
state() {
	{
		ip -j link show | jq -c '[.[] | {ifname, flags, master}] | sort_by(.ifname)'
		ip -j addr show | jq -c '[.[] | {ifname, a: [.addr_info[].local]}] | sort_by(.ifname)'
		ls -A /run/netns
		find /run/plumb /var/lib/cni 2>/dev/null | sort
		nft -s list ruleset 2>/dev/null
	}
}

# ns_ino PATH: the inode of a namespace file
ns_ino() {
	stat -L -c %i "$1"
}

# left PID: wait until PID (just started with "unshare --net") has left the
# sandbox's network namespace, so that its /proc/PID/ns/net is its own
left() {
	local _
	for _ in $(seq 250); do
		[ "$(readlink /proc/"$1"/ns/net 2> /dev/null)" != "$(readlink /proc/self/ns/net)" ] &&
			return 0
		kill -0 "$1" 2> /dev/null || return 1
		sleep 0.02
	done
	return 1
}

# link_exists NS IF: IF exists inside NS, "" being the sandbox host
link_exists() {
	if [ -n "$1" ]; then
		ip -n "$1" link show dev "$2" > /dev/null 2>&1
	else
		ip link show dev "$2" > /dev/null 2>&1
	fi
}

# wan: the outside world, namespace "wan" joined to the sandbox host by a
# veth (wan0 here, eth0 there) with TEST-NET-1 addresses, 192.0.2.1 and
# 192.0.2.2, and no route to the containers: it sees only what NAT shows it
wan() {
	ok ip netns add wan
	ok ip link add wan0 type veth peer name eth0 netns wan
	ok ip addr add 192.0.2.1/24 dev wan0
	ok ip link set wan0 up
	ok ip -n wan addr add 192.0.2.2/24 dev eth0
	ok ip -n wan link set eth0 up
	ok ip -n wan link set lo up
}

# ping1 NS ADDR: one echo from NS to ADDR is answered
ping1() {
	ip netns exec "$1" ping -c 1 -W 2 "$2" > /dev/null 2>&1
}

# settle BRIDGE: wait until the kernel has finished reporting on BRIDGE and
# its ports, so that two looks at the kernel differ only by what plumb did.
# A bridge's carrier, and with it its IPv6 link-local address, comes on up to
# a second after its first port (linkwatch batches non-urgent events,
# net/core/link_watch.c), and goes with its last port.
settle() {
	local i
	for i in $(seq 40); do
		ip -j addr show | jq -e --arg br "$1" '
			if any(.[]; .master == $br) then
				[.[] | select(.ifname == $br or .master == $br) |
				 select((.flags | index("LOWER_UP") | not) or
					([.addr_info[] | select(.scope == "link")] |
					 length == 0))] | length == 0
			else
				all(.[]; .ifname != $br or (.flags | index("NO-CARRIER")))
			end' > /dev/null && return 0
		sleep 0.1
	done
	fail "$1 did not settle: $(ip -br addr)"
}

# stopped PID: wait until PID has stopped itself at its fault point
stopped() {
	local state
	for _ in $(seq 200); do
		state=$(awk '$1 == "State:" { print $2 }' "/proc/$1/status" 2> /dev/null)
		[ "$state" = T ] && return 0
		[ -n "$state" ] && [ "$state" != Z ] ||
			fail "process $1 ended before its fault point: $(cat /tmp/out /tmp/err)"
		sleep 0.05
	done
	fail "process $1 never stopped at its fault point"
}

# --- main ------------------------------------------------------------------
if [ "${1:-}" = --run ]; then
	sandbox_guard
	sandbox_setup
	set -o pipefail
	# shellcheck disable=SC1090
	. "$2"
	"$3"
	exit $?
fi
sandbox_guard
