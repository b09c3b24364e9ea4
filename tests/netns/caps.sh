# SPDX-License-Identifier: GPL-2.0-or-later
# Least privilege, checked: a tool built by "make fault" stops itself halfway
# through its work (PLUMB_FAULT=<step>:stop, SIGSTOP at that fault point);
# /proc/PID/status of every one of its threads then shows that its effective
# and permitted sets hold exactly what the verb needs (the "need" and "keep"
# of the verb tables in */main.c and of the CNI plugin structs), and nothing
# inheritable or ambient; continued, it finishes its work.
#
#   sandbox "host" netns (plumb0 or cni0 with the host veths)
#     a     the container's namespace
#
# The test itself runs with every capability; the tools drop theirs.
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

FAULT=$TOP/tests/fault
CAP_NET_ADMIN=12
CAP_SYS_PTRACE=19
CAP_SYS_ADMIN=21

BR='{"cniVersion":"1.1.0","name":"net1","type":"plumb-bridge","bridge":"cni0",
"isGateway":true,"ipam":{"type":"plumb-ipam","subnet":"10.22.0.0/24"}}'

# mask CAP...: the capabilities' set, as /proc/PID/status prints it
mask() {
	local m=0 c
	for c; do m=$((m | 1 << c)); done
	printf '%016x' $m
}

# caps_are PID MASK WHAT: every thread of the stopped PID holds exactly MASK,
# effective and permitted, and nothing inheritable or ambient
caps_are() {
	local pid=$1 want=$2 set got
	for set in CapEff CapPrm; do
		got=$(awk -v k="$set:" '$1 == k { print $2 }' /proc/"$pid"/task/*/status | sort -u)
		[ "$got" = "$want" ] || fail "$3: $set is $got ($(capsh --decode="$got" 2>&1))," \
			"want $want ($(capsh --decode="$want" 2>&1))"
	done
	for set in CapInh CapAmb; do
		got=$(awk -v k="$set:" '$1 == k { print $2 }' /proc/"$pid"/task/*/status | sort -u)
		eq "$got" 0000000000000000 "$3: $set"
	done
}

# finish PID WHAT: continue the stopped PID; it must end well
finish() {
	kill -CONT "$1"
	wait "$1" || fail "$2 failed after it was continued: $(cat /tmp/out /tmp/err)"
}

need_fault_build() {
	[ -x "$FAULT/$1" ] || skip "needs $FAULT/$1 (make fault)"
	command -v capsh > /dev/null || skip "needs capsh (libcap2-bin)"
	# What is kept when held must be held: the test has it to hand on.
	local have all
	have=$((0x$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)))
	all=$((0x$(mask $CAP_NET_ADMIN $CAP_SYS_ADMIN $CAP_SYS_PTRACE)))
	[ $((have & all)) = $all ] || skip "runs without CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_SYS_PTRACE"
}

test_bridge_add_keeps_net_admin_sys_admin_and_sys_ptrace() {
	local pid
	need_fault_build plumb-bridge
	ok ip netns add a
	PLUMB_FAULT=veth-created:stop "$FAULT/plumb-bridge" add a > /tmp/out 2> /tmp/err &
	pid=$!
	stopped $pid
	caps_are $pid "$(mask $CAP_NET_ADMIN $CAP_SYS_ADMIN $CAP_SYS_PTRACE)" "plumb-bridge add"
	finish $pid "plumb-bridge add"
	eq "$(ip -n a -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')" 10.88.0.2 "address after add"
}

test_bridge_oci_hook_keeps_what_add_keeps() {
	local pid ns
	need_fault_build plumb-bridge
	unshare --net sleep 60 &
	ns=$!
	left $ns || fail "sleep $ns did not get a namespace of its own"
	printf '{"ociVersion":"1.0.2","id":"c1","status":"creating","pid":%d}' $ns > /tmp/state
	PLUMB_FAULT=veth-created:stop "$FAULT/plumb-bridge" oci-hook create < /tmp/state \
		> /tmp/out 2> /tmp/err &
	pid=$!
	stopped $pid
	caps_are $pid "$(mask $CAP_NET_ADMIN $CAP_SYS_ADMIN $CAP_SYS_PTRACE)" \
		"plumb-bridge oci-hook create"
	finish $pid "plumb-bridge oci-hook create"
	ok nsenter -t $ns -n ip link show dev eth0
	kill $ns
}

test_bridge_cni_add_and_del_keep_net_admin_sys_admin_and_sys_ptrace() {
	local pid
	need_fault_build plumb-bridge
	ok ip netns add a
	echo "$BR" > /tmp/conf
	CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 \
		CNI_PATH=/usr/lib/cni PLUMB_FAULT=veth-created:stop \
		"$FAULT/plumb-bridge" < /tmp/conf > /tmp/out 2> /tmp/err &
	pid=$!
	stopped $pid
	caps_are $pid "$(mask $CAP_NET_ADMIN $CAP_SYS_ADMIN $CAP_SYS_PTRACE)" \
		"CNI ADD of plumb-bridge"
	finish $pid "CNI ADD of plumb-bridge"
	eq "$(jq -r '.ips[0].address' /tmp/out)" 10.22.0.2/24 "result of ADD"

	CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 \
		CNI_PATH=/usr/lib/cni PLUMB_FAULT=veth-deleted:stop \
		"$FAULT/plumb-bridge" < /tmp/conf > /tmp/out 2> /tmp/err &
	pid=$!
	stopped $pid
	caps_are $pid "$(mask $CAP_NET_ADMIN $CAP_SYS_ADMIN $CAP_SYS_PTRACE)" \
		"CNI DEL of plumb-bridge"
	finish $pid "CNI DEL of plumb-bridge"
	eq "$(ip -n a -j link show | jq -r '[.[].ifname] | join(" ")')" lo "a after DEL"
}

# plumb-ipam only writes its lease store, which is root's: it keeps nothing.
test_ipam_cni_add_keeps_no_capability() {
	local pid
	need_fault_build plumb-ipam
	ok ip netns add a
	echo "$BR" > /tmp/conf
	CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/a CNI_IFNAME=eth0 \
		CNI_PATH=/usr/lib/cni PLUMB_FAULT=ipam-claimed:stop \
		"$FAULT/plumb-ipam" < /tmp/conf > /tmp/out 2> /tmp/err &
	pid=$!
	stopped $pid
	caps_are $pid 0000000000000000 "CNI ADD of plumb-ipam"
	finish $pid "CNI ADD of plumb-ipam"
	eq "$(jq -r '.ips[0].address' /tmp/out)" 10.22.0.2/24 "result of ADD"
}

test_nat_publish_keeps_net_admin_and_sys_admin() {
	local pid
	need_fault_build plumb-nat
	PLUMB_FAULT=nat-recorded:stop "$FAULT/plumb-nat" publish 8080 10.88.0.2:80 --id x \
		> /tmp/out 2> /tmp/err &
	pid=$!
	stopped $pid
	caps_are $pid "$(mask $CAP_NET_ADMIN $CAP_SYS_ADMIN)" "plumb-nat publish"
	finish $pid "plumb-nat publish"
	grep -q 'tcp \. 8080 .*comment "x" : 10\.88\.0\.2 \. 80' <<< "$(nft list ruleset)" ||
		fail "8080 not published: $(nft list ruleset)"
}

test_netns_add_keeps_sys_admin_and_net_admin() {
	local pid
	need_fault_build plumb-netns
	PLUMB_FAULT=netns-file-created:stop "$FAULT/plumb-netns" add a > /tmp/out 2> /tmp/err &
	pid=$!
	stopped $pid
	caps_are $pid "$(mask $CAP_NET_ADMIN $CAP_SYS_ADMIN)" "plumb-netns add"
	finish $pid "plumb-netns add"
	eq "$(ip -n a -j link show lo | jq -r '.[0].operstate')" UNKNOWN "lo of a, up"
}
