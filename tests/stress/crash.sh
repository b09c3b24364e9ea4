# SPDX-License-Identifier: GPL-2.0-or-later
# Crash injection: setups and teardowns killed with SIGKILL at every step
# that has a name (tests/fault: PLUMB_FAULT=<step>) and at random moments,
# then cleaned by the next DEL or GC. Nothing may remain, and the lease store
# must still be whole: afterwards every address of the small pool can be
# taken again, so none was lost for good.
#
#   sandbox "host": bridge plumb0 10.63.0.0/28 (13 addresses), bridge cni0
#   10.64.0.0/28, table inet plumb
#     +-- k  the namespace every killed setup wires
#
# The short run is part of make check; make stress sets STRESS_KILLS=500.

KILLS=${STRESS_KILLS:-24}
FAULT=$TOP/tests/fault
CLI_STEPS="lease-written index-tmp-written ipam-claimed record-tmp-written record-written veth-born veth-created attached nat-recorded nft-committed"
CNI_STEPS="lease-written index-tmp-written ipam-claimed record-tmp-written record-written veth-born veth-created attached"
DEL_STEPS="veth-deleted ipam-released nft-deleted"

cni_conf='{"cniVersion":"1.1.0","name":"knet","type":"plumb-bridge","bridge":"cni0",
 "isGateway":true,"ipam":{"type":"plumb-ipam","ranges":[[{"subnet":"10.64.0.0/28"}]],
 "dataDir":"/run/plumb/cni-leases"}}'

cni() {	# COMMAND BINARY [CONFIG]
	echo "${3:-$cni_conf}" | CNI_COMMAND=$1 CNI_CONTAINERID=k CNI_NETNS=/run/netns/k \
		CNI_IFNAME=eth0 CNI_PATH="$TOP/bridge" "$2" > /dev/null 2>> /tmp/stderr
}

# The tools as installed, or as built under tests/fault with fault points.
bin() {	# normal|fault TOOL
	if [ "$1" = fault ]; then echo "$FAULT/$2"; else echo "$TOP/${2#plumb-}/$2"; fi
}

cli_add() {	# normal|fault: plumb-bridge add and plumb-nat publish
	"$(bin $1 plumb-bridge)" add k --subnet 10.63.0.0/28 > /dev/null 2>> /tmp/stderr &&
		"$(bin $1 plumb-nat)" publish 8080/tcp 10.63.0.2:80 --id k 2>> /tmp/stderr
}

cli_del() {	# normal|fault
	"$(bin $1 plumb-nat)" unpublish --id k 2>> /tmp/stderr &&
		"$(bin $1 plumb-bridge)" del k 2>> /tmp/stderr
}

# Nothing of attachment k may remain, in the kernel or on disk.
nothing_left() {	# WHAT
	local left
	left=$({
		ip -j link show type veth | jq -r '.[].ifname'
		ip -n k -j link show eth0 2> /dev/null | jq -r '.[].ifname'
		find /run/plumb/ipam /run/plumb/cni-leases -type f ! -name lock \
			! -name 'last_reserved_ip.*' ! -name plumb-boot 2> /dev/null
		find /run/plumb/attach /run/plumb/nat -type f 2> /dev/null
		nft -j list table inet plumb 2> /dev/null | jq -r '.nftables[].set? |
			select(. and .name != "localnet") | .elem[]? | tostring'
	})
	[ -z "$left" ] || fail "after $1: $left"
}

# Every address of a /28 can be taken again: none was lost.
pool_whole() {
	local i
	for i in $(seq 1 13); do
		ip netns add p$i
		plumb-bridge add p$i --subnet 10.63.0.0/28 > /dev/null ||
			fail "address $i of 13 could not be taken again: $(tail -1 /tmp/stderr)"
	done
	for i in $(seq 1 13); do plumb-bridge del p$i; ip netns del p$i; done
}

kill_at() {	# STEP COMMAND...: run with the fault, which must kill it
	local rc
	# Braces around a subshell: bash's "Killed" notice goes where they say.
	{ (PLUMB_FAULT=$1 "${@:2}"); } 2> /dev/null
	rc=$?
	[ $rc != 0 ] || fail "PLUMB_FAULT=$1 did not stop ${*:2}"
	echo kill >> /tmp/kills
}

test_setups_killed_at_each_step_are_cleaned_by_del() {
	local step n=0
	ip netns add k
	: > /tmp/kills
	while [ $n -lt $KILLS ]; do
		for step in $CLI_STEPS; do
			kill_at $step cli_add fault
			cli_del normal || fail "del after a kill at $step: $(tail -3 /tmp/stderr)"
			nothing_left "a command line add killed at $step"
		done
		for step in $CNI_STEPS; do
			kill_at $step cni ADD "$FAULT/plumb-bridge"
			cni DEL "$TOP/bridge/plumb-bridge" || fail "CNI DEL after a kill at $step"
			nothing_left "a CNI ADD killed at $step"
		done
		n=$((n + $(echo $CLI_STEPS $CNI_STEPS | wc -w)))
	done
	echo "$(wc -l < /tmp/kills) kills"
	pool_whole
}

# A bridge is made in two requests, as the kernel ignores an alias at
# creation: one killed in between has no alias, and is still plumb's by its
# hardware address. The next setup takes it up (and marks it again); a
# teardown of the killed setup leaves nothing; del-bridge deletes it.
test_bridges_killed_before_their_alias_are_still_plumbs() {
	local n=0 br
	ip netns add k
	: > /tmp/kills
	while [ $n -lt $KILLS ]; do
		kill_at bridge-born cli_add fault
		eq "$(ip -j link show dev plumb0 | jq -r '.[0].ifalias')" null "alias of plumb0"
		cli_del normal || fail "del after a kill at bridge-born: $(tail -3 /tmp/stderr)"
		nothing_left "a command line add killed at bridge-born"
		plumb-bridge del-bridge plumb0 2>> /tmp/stderr ||
			fail "del-bridge of a bridge killed before its alias: $(tail -1 /tmp/stderr)"
		kill_at bridge-born cni ADD "$FAULT/plumb-bridge"
		cni DEL "$TOP/bridge/plumb-bridge" || fail "CNI DEL after a kill at bridge-born"
		nothing_left "a CNI ADD killed at bridge-born"
		cni ADD "$TOP/bridge/plumb-bridge" || fail "CNI ADD on a bridge killed before its alias"
		eq "$(ip -j link show dev cni0 | jq -r '.[0].ifalias')" plumb "alias of cni0 taken up"
		cni DEL "$TOP/bridge/plumb-bridge" || fail "CNI DEL"
		for br in plumb0 cni0; do
			link_exists "" $br && { plumb-bridge del-bridge $br 2>> /tmp/stderr || fail "del-bridge $br"; }
		done
		n=$((n + 2))
	done
	echo "$(wc -l < /tmp/kills) kills"
	pool_whole
}

test_teardowns_killed_at_each_step_are_finished_by_the_next_one() {
	local step n=0
	ip netns add k
	: > /tmp/kills
	while [ $n -lt $KILLS ]; do
		for step in $DEL_STEPS; do
			cli_add normal || fail "add"
			(PLUMB_FAULT=$step cli_del fault) 2> /dev/null
			echo kill >> /tmp/kills
			cli_del normal || fail "del after a kill at $step: $(tail -3 /tmp/stderr)"
			nothing_left "a command line del killed at $step"
			cni ADD "$TOP/bridge/plumb-bridge" || fail "CNI ADD"
			# CNI DEL of plumb-bridge without ipMasq has no nftables step.
			[ $step = nft-deleted ] && cni DEL "$TOP/bridge/plumb-bridge" && continue
			kill_at $step cni DEL "$FAULT/plumb-bridge"
			cni DEL "$TOP/bridge/plumb-bridge" || fail "CNI DEL after a kill at $step"
			nothing_left "a CNI DEL killed at $step"
		done
		n=$((n + 6))
	done
	echo "$(wc -l < /tmp/kills) kills"
	pool_whole
}

test_netns_add_killed_before_its_mount_is_cleaned_by_del() {
	kill_at netns-file-created "$FAULT/plumb-netns" add k
	[ -f /run/netns/k ] || fail "the killed add left no file to clean"
	plumb-netns del k || fail "del after a killed add"
	[ ! -e /run/netns/k ] || fail "/run/netns/k left by del"
	plumb-netns add k || fail "add again after del"
	plumb-netns del k || fail "del of the new namespace"
	# Anything else under the name is not a stillborn namespace: kept.
	echo data > /run/netns/k
	fails 1 "/run/netns/k is not a network namespace mount; not deleting it" plumb-netns del k
	eq "$(cat /run/netns/k)" data "the file del refused"
}

test_setups_killed_at_random_moments_are_cleaned_by_del_or_gc() {
	local i pid
	ip netns add k
	echo "$cni_conf" > /tmp/cni.json
	for i in $(seq 1 $KILLS); do
		# The process itself in the background, not a shell around it: the
		# kill must reach the plugin.
		if [ $((i % 2)) = 0 ]; then
			"$(bin normal plumb-bridge)" add k --subnet 10.63.0.0/28 \
				> /dev/null 2>> /tmp/stderr &
		else
			CNI_COMMAND=ADD CNI_CONTAINERID=k CNI_NETNS=/run/netns/k CNI_IFNAME=eth0 \
				CNI_PATH="$TOP/bridge" "$TOP/bridge/plumb-bridge" < /tmp/cni.json \
				> /dev/null 2>> /tmp/stderr &
		fi
		pid=$!
		sleep "0.00$((RANDOM % 10))"
		kill -9 $pid 2> /dev/null
		wait $pid 2> /dev/null
		if [ $((i % 4)) = 1 ]; then
			# GC with no attachment left valid does what DEL would.
			cni GC "$TOP/bridge/plumb-bridge" \
				"$(echo "$cni_conf" | jq -c '. + {"cni.dev/valid-attachments": []}')" ||
				fail "GC after a random kill"
		fi
		cni DEL "$TOP/bridge/plumb-bridge" || fail "CNI DEL after a random kill"
		cli_del normal || fail "del after a random kill"
		nothing_left "a setup killed at random ($i)"
	done
	echo "$KILLS kills"
	pool_whole
}
