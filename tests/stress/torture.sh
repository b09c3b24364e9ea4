# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrency torture: many workers looping ADD, CHECK and DEL on one network
# at once, half through the CNI plugins, half through the command line, each
# with a published port.
#
#   sandbox "host": bridge cni0 (CNI workers) and plumb0 (CLI workers), one
#   table inet plumb
#     +-- w0 .. wN-1  one namespace per worker, made and deleted each round
#
# An address is live from its ADD to its DEL; while live, a marker file named
# after it exists, made with O_EXCL: a second holder cannot make it. Every
# address a worker got is also checked in the kernel, inside its namespace.
# After the last round nothing may remain: no veth, lease, index entry, NAT
# element or record. The short run is part of make check; make stress sets
# STRESS_WORKERS=64 STRESS_ROUNDS=20.

WORKERS=${STRESS_WORKERS:-16}
ROUNDS=${STRESS_ROUNDS:-3}
CNI_PATH_ALL="$TOP/netns:$TOP/bridge:$TOP/nat"

cni_conf() {	# the plugin objects of the chain, with name and cniVersion
	cat <<-EOF2
	{"cniVersion":"1.1.0","name":"tnet","type":"plumb-bridge","bridge":"cni0",
	 "isGateway":true,"isDefaultGateway":true,"hairpinMode":true,
	 "ipam":{"type":"plumb-ipam","ranges":[[{"subnet":"10.61.0.0/16"}]],
		 "dataDir":"/run/plumb/cni-leases"}}
	EOF2
}

nat_conf() {	# PORT PREVRESULT
	jq -cn --argjson port "$1" --argjson prev "$2" \
		'{cniVersion:"1.1.0", name:"tnet", type:"plumb-nat",
		  runtimeConfig:{portMappings:[{hostPort:$port, containerPort:80, protocol:"tcp"}]},
		  prevResult:$prev}'
}

plugin() {	# COMMAND ID NETNS BINARY < config
	CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=$3 CNI_IFNAME=eth0 \
		CNI_PATH=$CNI_PATH_ALL "$4"
}

# live ADDR: take the marker of a live address; a second holder fails
live() {
	( set -C; : > "/tmp/live/$1" ) 2> /dev/null ||
		echo "address $1 given twice" >> /tmp/errors
}

kernel_has() {	# NETNS ADDR
	ip -n "$1" -j addr show eth0 | jq -e --arg a "$2" \
		'[.[0].addr_info[].local] | index($a) != null' > /dev/null ||
		echo "$2 not in the kernel of $1" >> /tmp/errors
}

round_cni() {	# WORKER ROUND
	local ns=w$1 id=c$1r$2 port=$((20000 + $1)) res addr
	ip netns add $ns || { echo "netns $ns" >> /tmp/errors; return; }
	res=$(cni_conf | plugin ADD $id /run/netns/$ns "$TOP/bridge/plumb-bridge") ||
		{ echo "ADD $id: $res" >> /tmp/errors; ip netns del $ns; return; }
	addr=$(echo "$res" | jq -r '.ips[0].address | split("/")[0]')
	live "$addr"
	kernel_has $ns "$addr"
	nat_conf $port "$res" | plugin ADD $id /run/netns/$ns "$TOP/nat/plumb-nat" > /dev/null ||
		echo "nat ADD $id" >> /tmp/errors
	cni_conf | plugin CHECK $id /run/netns/$ns "$TOP/bridge/plumb-bridge" ||
		echo "CHECK $id" >> /tmp/errors
	rm -f "/tmp/live/$addr"
	nat_conf $port '{}' | jq -c 'del(.runtimeConfig, .prevResult)' |
		plugin DEL $id /run/netns/$ns "$TOP/nat/plumb-nat" || echo "nat DEL $id" >> /tmp/errors
	cni_conf | plugin DEL $id /run/netns/$ns "$TOP/bridge/plumb-bridge" ||
		echo "DEL $id" >> /tmp/errors
	ip netns del $ns
}

round_cli() {	# WORKER ROUND
	local ns=w$1 port=$((20000 + $1)) res addr
	plumb-netns add $ns || { echo "netns $ns" >> /tmp/errors; return; }
	res=$(plumb-bridge -j add $ns --subnet 10.62.0.0/16) ||
		{ echo "add $ns: $res" >> /tmp/errors; plumb-netns del $ns; return; }
	addr=$(echo "$res" | jq -r '.ips[0].address | split("/")[0]')
	live "$addr"
	kernel_has $ns "$addr"
	plumb-nat publish $port/tcp "$addr:80" --id $ns || echo "publish $ns" >> /tmp/errors
	plumb-bridge check $ns > /dev/null || echo "check $ns" >> /tmp/errors
	rm -f "/tmp/live/$addr"
	plumb-nat unpublish --id $ns || echo "unpublish $ns" >> /tmp/errors
	plumb-bridge del $ns || echo "del $ns" >> /tmp/errors
	plumb-netns del $ns
}

worker() {	# WORKER
	local r
	for r in $(seq 1 $ROUNDS); do
		if [ $(($1 % 2)) = 0 ]; then round_cni $1 $r; else round_cli $1 $r; fi
		echo "$1 $r" >> /tmp/rounds
	done
}

test_torture_add_check_del_leaves_nothing_and_never_gives_an_address_twice() {
	local w rules_before
	mkdir -p /tmp/live
	: > /tmp/errors
	: > /tmp/rounds
	for w in $(seq 0 $((WORKERS - 1))); do worker $w & done
	wait
	echo "$(wc -l < /tmp/rounds) rounds by $WORKERS workers," \
		"$(wc -l < /tmp/errors) errors"
	[ ! -s /tmp/errors ] || fail "$(sort /tmp/errors | uniq -c | head -20)"
	eq "$(wc -l < /tmp/rounds)" $((WORKERS * ROUNDS)) "rounds done"
	eq "$(ls /tmp/live)" "" "live markers"
	# Nothing left: veths, leases, index entries, elements, records.
	eq "$(ip -j link show type veth | jq length)" 0 "veths left"
	eq "$(find /run/plumb/cni-leases /run/plumb/ipam -type f \
		! -name lock ! -name 'last_reserved_ip.*' ! -name plumb-boot | wc -l)" 0 \
		"leases and index entries left"
	# The guard of a bridge with route_localnet stays while the setting does.
	eq "$(nft -j list table inet plumb | jq '[.nftables[].set? | select(. and .name != "localnet") |
		.elem // [] | length] | add')" 0 "NAT elements left"
	eq "$(find /run/plumb/attach /run/plumb/nat /run/plumb/cni-nat -type f 2> /dev/null |
		wc -l)" 0 "records left"
}
