# SPDX-License-Identifier: GPL-2.0-or-later
# plumb's CNI plugins run as a runtime runs them (tests/netns/cni-run, which
# does what libcni does), with ip -j, nft -j, ping, socat, the lease files and
# Debian's reference plugins (/usr/lib/cni, containernetworking-plugins
# 1.1.1, spec up to 1.0.0) as witnesses.
#
#   sandbox "host" netns                                     wan netns
#     plumb-cni0 10.89.0.1/16         wan0 192.0.2.1/24 ==veth== eth0 192.0.2.2/24
#       |-- plXXXXXXXXXXXX ==veth== eth0  a  10.89.0.2        (no route to 10.89/16)
#       `-- plXXXXXXXXXXXX ==veth== eth0  b  10.89.0.3
#     plumb-hl0  10.90.0.1/16   plumb-bridge + host-local (+ portmap), or + twin-ipam
#                               (plumb-ipam run as a delegated plugin)
#     plumb-st0  10.71.0.1/24   plumb-bridge + the reference static IPAM
#     cni-ref0   10.91.0.1/16   reference bridge + plumb-ipam (+ plumb-nat)
#     other0     10.93.0.1/16   a second plumb network, which GC leaves alone
#     small0     10.94.0.1/30   a pool of one address
#
# examples/cni/plumb.conflist is the plumb chain: plumb-bridge (plumb-ipam)
# then plumb-nat (portMappings, ipMasq). Leases are in host-local's place,
# /var/lib/cni/networks/<network>/; records in /run/plumb/{attach,cni-nat,nat}.
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

EX=$TOP/examples/cni
PLUMB=$EX/plumb.conflist
NET=plumb-cni
BR=plumb-cni0
LEASES=/var/lib/cni/networks
CACHE=/var/lib/cni/results
PLUGIN_PATH="$TOP/netns:$TOP/bridge:$TOP/nat:/usr/lib/cni"
PORT80='{"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}'

# --- running plugins ----------------------------------------------------------

# cni ARGS...: cni-run ARGS must succeed; its stdout is left in $R
cni() {
	R=$("$TOP/tests/netns/cni-run" "$@" 2> /tmp/.cni) ||
		fail "cni-run $* exited $?: $R $(cat /tmp/.cni)"
}

# cni_fails CODE REGEX ARGS...: cni-run ARGS exits 1 and prints the error
# object of a plugin, with CODE and a msg matching REGEX; it is left in $E
cni_fails() {
	local code=$1 re=$2 rc
	shift 2
	E=$("$TOP/tests/netns/cni-run" "$@" 2> /tmp/.cni)
	rc=$?
	[ $rc = 1 ] || fail "cni-run $* exited $rc, want 1: $E $(cat /tmp/.cni)"
	eq "$(jq -r .code <<< "$E")" "$code" "code of cni-run $* ($E)"
	grep -qE -- "$re" <<< "$(jq -r .msg <<< "$E")" ||
		fail "cni-run $* said $E, want msg /$re/"
}

# conflist FILE VERSION [JQ]: the plumb chain at cniVersion VERSION, changed
# by the jq program JQ, written to FILE
conflist() {
	jq --arg v "$2" ".cniVersion = \$v | del(.cniVersions) | ${3:-.}" "$PLUMB" > "$1" ||
		fail "conflist $*"
}

# plugin TYPE VERB STDIN [VAR=VALUE | -VAR]...: run one plugin as a runtime
# would, with CNI_CONTAINERID=c, CNI_NETNS=/run/netns/c, CNI_IFNAME=eth0 and
# CNI_PATH, then the given variables set (or, with "-", unset). Leaves the
# exit status in $RC, stdout in /tmp/.out and $OUT, stderr in $ERR.
plugin() {
	local type=$1 verb=$2 in=$3 bin d v w var unset=() set=() keep
	shift 3
	for d in ${PLUGIN_PATH//:/ }; do
		[ -x "$d/$type" ] && { bin=$d/$type; break; }
	done
	[ -n "${bin:-}" ] || fail "no plugin $type"
	for v in CNI_COMMAND="$verb" CNI_CONTAINERID=c CNI_NETNS=/run/netns/c \
		 CNI_IFNAME=eth0 CNI_PATH="$PLUGIN_PATH" "$@"; do
		var=${v#-}
		var=${var%%=*}
		keep=()
		for w in "${set[@]}"; do
			[ "${w%%=*}" = "$var" ] || keep+=("$w")
		done
		set=("${keep[@]}")
		case $v in
		-*) unset+=(-u "$var") ;;
		*) set+=("$v") ;;
		esac
	done
	env "${unset[@]}" "${set[@]}" "$bin" <<< "$in" > /tmp/.out 2> /tmp/.err
	RC=$?
	OUT=$(cat /tmp/.out)
	ERR=$(cat /tmp/.err)
}

# cni_error CODE REGEX: the last plugin() failed as the spec says: exit
# status 1, stdout one JSON object and nothing else, with "code" CODE and a
# "msg" matching REGEX, and the message logged on stderr
cni_error() {
	local got msg
	[ "$RC" = 1 ] || fail "exited $RC, want 1 (stdout '$OUT', stderr '$ERR')"
	got=$(jq -rs 'if length == 1 and (.[0] | type) == "object" then
			"\(.[0].code) \(.[0].msg)" else "not one JSON object" end' \
		/tmp/.out 2>&1)
	[ "${got%% *}" = "$1" ] || fail "got '$OUT' ($got), want code $1"
	msg=${got#* }
	grep -qE -- "$2" <<< "$msg" || fail "msg of $OUT, want /$2/"
	grep -qF -- "$msg" <<< "$ERR" || fail "the message is not logged on stderr: '$ERR'"
}

# reference: skip unless Debian's reference plugins are installed
reference() {
	[ -x /usr/lib/cni/host-local ] ||
		skip "needs the reference plugins in /usr/lib/cni (containernetworking-plugins)"
}

# --- witnesses ----------------------------------------------------------------

# addrs NS IF: the global addresses of IF inside NS, ADDR/LEN a line, sorted
addrs() {
	ip -n "$1" -j addr show dev "$2" 2> /dev/null | jq -r '.[0].addr_info[] |
		select(.scope == "global") | "\(.local)/\(.prefixlen)"' | sort
}

# leases NETWORK: "<address> <owner>" a line, for every lease file
leases() {
	local f
	for f in "$LEASES/$1"/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in lock | last_reserved_ip.* | plumb-boot) continue ;; esac
		printf '%s %s\n' "${f##*/}" "$(tr '\r' / < "$f" | tr -d '\n')"
	done | sort
}

# owned NETWORK ID IF: the NAT elements of attachment NETWORK/ID/IF, without
# their counters (nft -s), which traffic moves
owned() {
	{ nft -j -s list table inet plumb 2> /dev/null || echo '{}'; } |
		jq -c --arg o "cni@$1/$2/$3" '[.. | objects | select(.comment? == $o)]'
}

# ports: "proto port" of every published host port in plumb's maps
ports() {
	nft -j list table inet plumb 2> /dev/null | jq -r '.nftables[] |
		select(.map.name == "pub4") | .map.elem[]? | .[0].elem.val.concat |
		"\(.[0]) \(.[1])"' | sort
}

# gone NETWORK ID IF [VETH]: nothing of the attachment is left: no lease,
# index entry, record, NAT element, cached result, or host veth
gone() {
	local n=$1 id=$2 if=$3
	! grep -qs "^$id$(printf '\r')\$" "$LEASES/$n"/* || fail "a lease of $id is left"
	[ ! -e "$LEASES/$n/plumb-index/$id:$if" ] || fail "index entry of $id left"
	[ ! -e "/run/plumb/attach/$n/$id:$if.json" ] || fail "attach record of $id left"
	[ ! -e "/run/plumb/cni-nat/$n/$id:$if.json" ] || fail "cni-nat record of $id left"
	eq "$(find "/run/plumb/nat/$n:$id:$if" -type f 2> /dev/null)" "" "NAT records of $id"
	eq "$(owned "$n" "$id" "$if")" "[]" "NAT elements of $id"
	[ ! -e "$CACHE/$n-$id-$if" ] || fail "cached result of $id left"
	[ -z "${4:-}" ] || ! link_exists "" "$4" || fail "host veth $4 of $id left"
}

# serve NS PORT: a TCP server in NS on PORT that answers each connection
# with the address it came from
serve() {
	ip netns exec "$1" socat TCP-LISTEN:"$2",fork,reuseaddr \
		SYSTEM:'echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
	local i
	for i in $(seq 50); do
		[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ] && return 0
		sleep 0.05
	done
	fail "no server on port $2 in $1"
}

# peer NS ADDR PORT: what the server at ADDR:PORT says, connecting from NS
# ("" for the sandbox host)
peer() {
	if [ -n "$1" ]; then
		ip netns exec "$1" timeout 3 socat -T 2 - TCP:"$2":"$3" < /dev/null 2> /dev/null
	else
		timeout 3 socat -T 2 - TCP:"$2":"$3" < /dev/null 2> /dev/null
	fi
}

# --- the plumb chain, version by version --------------------------------------

# flat: a JSON value as "path value" lines, sorted: what eq can compare and
# show field by field
flat() {
	jq -r 'paths(type != "object" and type != "array" or length == 0) as $p |
		"\($p | map(tostring) | join(".")) \(getpath($p) | tojson)"' | sort
}

# result_check JSON VERSION NS [ADDRESS]: an ADD result of the plumb chain at VERSION
# for eth0 in NS, field by field against what the kernel holds: the bridge
# (with the gateway), the host veth that is eth0's peer and a port of the
# bridge, eth0 (with sandbox), its address (with "version" only before
# 1.0.0, ADDRESS: 10.89.0.2/16 by default), its default route
result_check() {
	local r=$1 v=$2 ns=$3 addr=${4:-10.89.0.2/16}
	eq "$(flat <<< "$r")" "$(jq -n --arg v "$v" --arg ns "$ns" --arg br $BR \
		--argjson host "$(ip -j addr show)" \
		--argjson eth0 "$(ip -n "$ns" -j addr show dev eth0)" \
		--argjson route "$(ip -n "$ns" -j route show default)" '
		($host[] | select(.ifname == $br)) as $bridge |
		($bridge.addr_info[] | select(.family == "inet")) as $gw |
		$eth0[0] as $c |
		($host[] | select(.ifindex == $c.link_index and .master == $br)) as $veth |
		{cniVersion: $v,
		 interfaces: [{name: $br, mac: $bridge.address},
			      {name: $veth.ifname, mac: $veth.address},
			      {name: "eth0", mac: $c.address, sandbox: "/run/netns/\($ns)"}],
		 ips: [$c.addr_info[] | select(.scope == "global") |
		       {interface: 2, address: "\(.local)/\(.prefixlen)", gateway: $gw.local} +
		       if $v | startswith("0.") then {version: "4"} else {} end],
		 routes: [$route[] | select(.dev == "eth0") |
			  {dst: (if .dst == "default" then "0.0.0.0/0" else .dst end),
			   gw: .gateway}],
		 dns: {}}' | flat)" "the result at $v against the kernel"
	eq "$(jq -c '[.ips[0].address, .ips[0].gateway, .routes]' <<< "$r")" \
		"[\"$addr\",\"10.89.0.1\",[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.89.0.1\"}]]" \
		"address, gateway and routes"
}

# round_trip VERSION: ADD, CHECK (from 0.4.0 on), DEL and DEL again of the
# plumb chain at VERSION, with a published port
round_trip() {
	local v=$1 list=/tmp/plumb.conflist veth r
	conflist $list "$v"
	ok ip netns add a
	cni ADD $list ctr-a /run/netns/a eth0 "$PORT80"
	r=$R
	result_check "$r" "$v" a
	veth=$(jq -r '.interfaces[1].name' <<< "$r")
	eq "$(ports)" "tcp 8080" "published ports"
	eq "$(owned $NET ctr-a eth0 | jq length)" 2 "elements of ctr-a (pub4, publocal4)"
	eq "$(leases $NET)" "$(jq -r '.ips[0].address | split("/")[0]' <<< "$r") ctr-a/eth0" \
		"lease file"
	eq "$(jq -c .result $CACHE/$NET-ctr-a-eth0)" "$(jq -c . <<< "$r")" "cached result"
	case $v in
	0.3.*)
		r=$("$TOP/tests/netns/cni-run" CHECK $list ctr-a /run/netns/a eth0 2>&1)
		eq "$?" 1 "status of CHECK at $v"
		grep -q "\"$v\" does not support the CHECK command" <<< "$r" ||
			fail "CHECK at $v: $r" ;;
	*)
		cni CHECK $list ctr-a /run/netns/a eth0
		eq "$R" "" "CHECK prints nothing" ;;
	esac
	cni DEL $list ctr-a /run/netns/a eth0
	eq "$R" "" "DEL prints nothing"
	gone $NET ctr-a eth0 "$veth"
	! link_exists a eth0 || fail "eth0 left in a"
	eq "$(ports)" "" "published ports after DEL"
	cni DEL $list ctr-a /run/netns/a eth0
	gone $NET ctr-a eth0 "$veth"
}

test_plumb_chain_add_del_at_0_3_0() {
	round_trip 0.3.0
	# CHECK is not in 0.3.x: the driver refuses it as libcni does, and
	# every plugin refuses it too.
	ok ip netns add c
	CNI_RUN_FORCE=1 cni_fails 1 'CHECK needs cniVersion 0.4.0' \
		CHECK /tmp/plumb.conflist ctr-a /run/netns/c eth0
}

test_plumb_chain_add_del_at_0_3_1() {
	round_trip 0.3.1
}

test_plumb_chain_add_check_del_at_0_4_0() {
	round_trip 0.4.0
}

test_plumb_chain_add_check_del_at_1_0_0() {
	round_trip 1.0.0
}

test_plumb_chain_add_check_del_at_1_1_0() {
	round_trip 1.1.0
	# The example itself: its cniVersions make it 1.1.0.
	ok ip netns add b
	cni ADD "$PLUMB" ctr-b /run/netns/b eth0
	eq "$(jq -r .cniVersion <<< "$R")" 1.1.0 "cniVersion negotiated from cniVersions"
	result_check "$R" 1.1.0 b 10.89.0.3/16
	cni DEL "$PLUMB" ctr-b /run/netns/b eth0
	gone $NET ctr-b eth0
}

# --- the loopback -------------------------------------------------------------

test_loopback_plugin_answers_as_the_reference_one() {
	local mine ref
	reference
	ok ip netns add a
	ok ip netns add b
	ok ip -n a link set lo down
	cni ADD "$EX/loopback.conflist" ctr-a /run/netns/a eth0
	mine=$R
	eq "$(ip -n a -j link show lo | jq -r '.[0].flags | index("UP") != null')" true \
		"lo up in a"
	cni CHECK "$EX/loopback.conflist" ctr-a /run/netns/a eth0
	# The reference plugin speaks up to 1.0.0: same list, at 1.0.0.
	jq '.cniVersion = "1.0.0" | del(.cniVersions) | .plugins[0].type = "loopback"' \
		"$EX/loopback.conflist" > /tmp/ref.conflist
	cni ADD /tmp/ref.conflist ctr-b /run/netns/b eth0
	ref=$R
	# The same but for the version and the namespace's name.
	eq "$(jq -cS '.cniVersion = "x" | .ips |= sort_by(.address) |
		.interfaces[0].sandbox |= sub("/a$"; "/X")' <<< "$mine")" \
		"$(jq -cS '.cniVersion = "x" | .ips |= sort_by(.address) |
		.interfaces[0].sandbox |= sub("/b$"; "/X")' <<< "$ref")" \
		"plumb-netns's result against loopback's"
	eq "$(jq -r .cniVersion <<< "$mine")" 1.1.0 "cniVersion of plumb-netns's result"
	ok ip -n a link set lo down
	cni_fails 999 '^lo in /run/netns/a is down$' \
		CHECK "$EX/loopback.conflist" ctr-a /run/netns/a eth0
	cni DEL "$EX/loopback.conflist" ctr-a /run/netns/a eth0
	cni DEL "$EX/loopback.conflist" ctr-a "" eth0
}

# --- interoperability with the reference plugins ------------------------------

test_plumb_bridge_with_reference_static_ipam() {
	local list=/tmp/static.conflist veth
	reference
	wan
	# The reference "static" IPAM plugin: the address, gateway and route
	# the config names, no state of its own.
	jq -n '{cniVersion: "1.0.0", name: "plumb-st", plugins: [
		{type: "plumb-bridge", bridge: "plumb-st0", isGateway: true, ipMasq: true,
		 ipam: {type: "static",
			addresses: [{address: "10.71.0.5/24", gateway: "10.71.0.1"}],
			routes: [{dst: "0.0.0.0/0", gw: "10.71.0.1"}]}}]}' > $list
	ok ip netns add a
	cni ADD $list ctr-a /run/netns/a eth0
	veth=$(jq -r '.interfaces[1].name' <<< "$R")
	eq "$(jq -c '.ips' <<< "$R")" \
		'[{"interface":2,"address":"10.71.0.5/24","gateway":"10.71.0.1"}]' "result's ips"
	eq "$(addrs a eth0)" 10.71.0.5/24 "address in a"
	eq "$(ip -j addr show dev plumb-st0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | "\(.local)/\(.prefixlen)"')" 10.71.0.1/24 \
		"gateway on the bridge"
	eq "$(ip -n a -j route show default | jq -r '.[0].gateway')" 10.71.0.1 "default route"
	ok ip netns exec a ping -c 1 -W 2 10.71.0.1
	# Masqueraded by plumb's nat core: the world answers without a route back.
	ok ip netns exec a ping -c 1 -W 2 192.0.2.2
	cni CHECK $list ctr-a /run/netns/a eth0
	cni DEL $list ctr-a /run/netns/a eth0
	gone plumb-st ctr-a eth0 "$veth"
	cni DEL $list ctr-a /run/netns/a eth0
}

test_plumb_bridge_with_reference_host_local_and_portmap() {
	local list=$EX/plumb-host-local-portmap.conflist veth
	reference
	wan
	# A failed ADD gives host-local's address back (IPAM DEL).
	ok ip netns add x
	ok ip -n x link add eth0 type veth peer name other
	cni_fails 999 'namespace has an interface eth0 already' \
		ADD $list ctr-x /run/netns/x eth0
	eq "$(leases plumb-hl)" "" "host-local's leases after a failed ADD"
	eq "$(ip -j link show | jq -c '[.[].ifname]')" '["lo","wan0"]' "links"

	ok ip netns add a
	cni ADD $list ctr-a /run/netns/a eth0 \
		'{"portMappings": [{"hostPort": 8081, "containerPort": 80, "protocol": "tcp"}]}'
	veth=$(jq -r '.interfaces[1].name' <<< "$R")
	eq "$(jq -c '[.cniVersion, .ips]' <<< "$R")" \
		'["1.0.0",[{"interface":2,"address":"10.90.0.3/16","gateway":"10.90.0.1"}]]' \
		"portmap's result: host-local's address, on plumb-bridge's interface 2"
	eq "$(addrs a eth0)" 10.90.0.3/16 "address in a"
	eq "$(leases plumb-hl)" "10.90.0.3 ctr-a/eth0" "host-local's lease"
	[ ! -e $LEASES/plumb-hl/plumb-index ] || fail "plumb indexed host-local's lease"
	iptables -t nat -S | grep -q -- '-j DNAT --to-destination 10.90.0.3:80' ||
		fail "no DNAT rule of portmap: $(iptables -t nat -S)"

	# The published port, from the outside world, to a's server.
	serve a 80
	eq "$(peer wan 192.0.2.1 8081)" 192.0.2.2 "wan reaches a through portmap"

	# CHECK: plumb-bridge asks host-local. (portmap 1.1.1's CHECK fails
	# for a container without IPv6, a known bug: it is left out.)
	jq 'del(.plugins[1])' $list > /tmp/no-portmap.conflist
	cni CHECK /tmp/no-portmap.conflist ctr-a /run/netns/a eth0

	cni DEL $list ctr-a /run/netns/a eth0 \
		'{"portMappings": [{"hostPort": 8081, "containerPort": 80, "protocol": "tcp"}]}'
	eq "$(leases plumb-hl)" "" "host-local's lease released through plumb-bridge"
	! iptables -t nat -S | grep -q 'CNI-DN' || fail "portmap's chain left"
	gone plumb-hl ctr-a eth0 "$veth"
	! peer wan 192.0.2.1 8081 > /dev/null || fail "port 8081 still published"
}

test_reference_bridge_with_plumb_ipam_writes_host_local_leases() {
	local list=$EX/bridge-plumb-ipam.conflist f
	reference
	ok ip netns add a
	ok ip netns add b
	cni ADD $list ctr-a /run/netns/a eth0
	eq "$(jq -c '[.cniVersion, .ips, .routes]' <<< "$R")" \
		'["1.0.0",[{"interface":2,"address":"10.91.0.2/16","gateway":"10.91.0.1"}],[{"dst":"0.0.0.0/0","gw":"10.91.0.1"}]]' \
		"bridge's result with plumb-ipam's address"
	eq "$(addrs a eth0)" 10.91.0.2/16 "address in a"
	ok ping1 a 10.91.0.1

	# host-local, given the same ipam section under another name, writes
	# the same files, byte for byte.
	plugin host-local ADD "$(jq -c '.plugins[0] + {name: "twin", cniVersion: "1.0.0"} |
		.ipam.type = "host-local"' $list)" CNI_CONTAINERID=ctr-a CNI_NETNS=/run/netns/a
	eq "$RC" 0 "host-local ADD ($OUT $ERR)"
	eq "$(jq -c .ips <<< "$OUT")" '[{"address":"10.91.0.2/16","gateway":"10.91.0.1"}]' \
		"host-local's address"
	eq "$(ls -A $LEASES/ref-bridge | grep -v '^plumb-' | tr '\n' ' ')" \
		"$(ls -A $LEASES/twin | tr '\n' ' ')" "the files of plumb-ipam and host-local"
	for f in 10.91.0.2 last_reserved_ip.0; do
		cmp $LEASES/ref-bridge/$f $LEASES/twin/$f ||
			fail "$f differs: $(od -c $LEASES/ref-bridge/$f) vs $(od -c $LEASES/twin/$f)"
	done
	eq "$(od -An -c $LEASES/ref-bridge/10.91.0.2 | tr -s ' ')" " c t r - a \r \n e t h 0" \
		"lease file content"

	cni ADD $list ctr-b /run/netns/b eth0
	eq "$(addrs b eth0)" 10.91.0.3/16 "address in b"
	ok ping1 a 10.91.0.3
	cni CHECK $list ctr-a /run/netns/a eth0
	cni DEL $list ctr-a /run/netns/a eth0
	eq "$(leases ref-bridge)" "10.91.0.3 ctr-b/eth0" "leases after DEL of a"
	[ ! -e $LEASES/ref-bridge/plumb-index/ctr-a:eth0 ] || fail "index entry of a left"
	cni DEL $list ctr-a /run/netns/a eth0
	cni DEL $list ctr-b /run/netns/b eth0
	eq "$(leases ref-bridge)" "" "leases after DEL of b"
}

test_plumb_nat_publishes_behind_the_reference_bridge() {
	local list=/tmp/bridge-nat.conflist
	reference
	jq '.plugins += [{type: "plumb-nat", capabilities: {portMappings: true}}]' \
		$EX/bridge-plumb-ipam.conflist > $list
	wan
	ok ip netns add a
	cni ADD $list ctr-a /run/netns/a eth0 "$PORT80"
	eq "$(jq -r '.interfaces[1].name' <<< "$R")" "$(ip -j link show master cni-ref0 |
		jq -r '.[0].ifname')" "the reference bridge's veth, passed on"
	serve a 80
	eq "$(peer wan 192.0.2.1 8080)" 192.0.2.2 "wan to a, through plumb-nat"
	eq "$(owned ref-bridge ctr-a eth0 | jq -c '[.[].val.concat[1]] | unique')" '[8080]' \
		"a's elements"
	cni DEL $list ctr-a /run/netns/a eth0
	gone ref-bridge ctr-a eth0
	eq "$(ports)" "" "published ports after DEL"
}

test_plumb_ipam_and_host_local_allocate_concurrently_without_clashes() {
	local i t conf pids=() n=0
	reference
	ok ip netns add c
	for t in plumb-ipam host-local; do
		conf=$(jq -nc --arg t $t '{cniVersion: "1.0.0", name: "shared",
			ipam: {type: $t, dataDir: "/var/lib/cni/networks",
			       ranges: [[{subnet: "10.92.0.0/24"}]]}}')
		for i in $(seq 16); do
			CNI_COMMAND=ADD CNI_CONTAINERID=$t-$i CNI_NETNS=/run/netns/c \
				CNI_IFNAME=eth0 CNI_PATH=$PLUGIN_PATH \
				"$(PATH=${PLUGIN_PATH}:$PATH command -v $t)" <<< "$conf" \
				> /tmp/$t-$i.out 2> /tmp/$t-$i.err &
			pids[n++]=$!
		done
	done
	for i in "${pids[@]}"; do wait "$i" || fail "an ADD failed: $(cat /tmp/*.err)"; done
	for t in plumb-ipam host-local; do
		for i in $(seq 16); do
			jq -r --arg o "$t-$i/eth0" '.ips[0].address | split("/")[0] + " " + $o' \
				/tmp/$t-$i.out || fail "result of $t-$i: $(cat /tmp/$t-$i.out)"
		done
	done | sort > /tmp/results
	eq "$(wc -l < /tmp/results)" 32 "results"
	eq "$(cut -d ' ' -f 1 /tmp/results | sort -u | wc -l)" 32 "distinct addresses"
	! grep -q '^10\.92\.0\.1 ' /tmp/results || fail "the gateway was handed out"
	eq "$(leases shared)" "$(cat /tmp/results)" "lease files against results"
	eq "$(ls $LEASES/shared/plumb-index | wc -l)" 16 "plumb's index entries"
}

test_plumb_ipam_takes_over_a_store_host_local_wrote() {
	local hl=/tmp/hl.conflist pi=/tmp/pi.conflist va vb
	reference
	jq 'del(.plugins[1])' "$EX/plumb-host-local-portmap.conflist" > $hl
	jq '.plugins[0].ipam.type = "plumb-ipam"' $hl > $pi
	ok ip netns add a
	ok ip netns add b
	ok ip netns add c
	cni ADD $hl ctr-a /run/netns/a eth0
	va=$(jq -r '.interfaces[1].name' <<< "$R")
	cni ADD $hl ctr-b /run/netns/b eth0
	vb=$(jq -r '.interfaces[1].name' <<< "$R")
	eq "$(leases plumb-hl | tr '\n' ' ')" "10.90.0.2 ctr-a/eth0 10.90.0.3 ctr-b/eth0 " \
		"host-local's leases"

	# Swap the type: the leases stay, the next address follows them.
	cni ADD $pi ctr-c /run/netns/c eth0
	eq "$(addrs c eth0)" 10.90.0.4/16 "plumb-ipam's first address"
	eq "$(leases plumb-hl | tr '\n' ' ')" \
		"10.90.0.2 ctr-a/eth0 10.90.0.3 ctr-b/eth0 10.90.0.4 ctr-c/eth0 " \
		"leases after plumb-ipam's ADD"
	eq "$(cat $LEASES/plumb-hl/last_reserved_ip.0)" 10.90.0.4 "last_reserved_ip.0"
	cni CHECK $pi ctr-a /run/netns/a eth0

	# DEL of an attachment host-local made releases its lease.
	cni DEL $pi ctr-a /run/netns/a eth0
	gone plumb-hl ctr-a eth0 "$va"
	eq "$(leases plumb-hl | tr '\n' ' ')" "10.90.0.3 ctr-b/eth0 10.90.0.4 ctr-c/eth0 " \
		"leases after DEL of a"
	# And host-local, back again, releases plumb-ipam's.
	cni DEL $hl ctr-c /run/netns/c eth0
	cni DEL $pi ctr-b /run/netns/b eth0
	gone plumb-hl ctr-b eth0 "$vb"
	eq "$(leases plumb-hl)" "" "no lease left"
}

test_plumb_ipam_reclaims_its_leases_of_an_earlier_boot() {
	local c
	reference
	ok ip netns add c
	c=$(conf plumb-ipam)
	plugin plumb-ipam ADD "$c" CNI_CONTAINERID=old
	eq "$RC" 0 "ADD of old: $OUT $ERR"
	plugin host-local ADD "$c" CNI_CONTAINERID=hl
	eq "$RC" 0 "ADD of hl: $OUT $ERR"
	eq "$(leases n | tr '\n' ' ')" "10.89.0.2 old/eth0 10.89.0.3 hl/eth0 " "leases"
	# Act out a reboot: the store and the index entry name another boot.
	ok sed -i 's/^boot .*/boot 00000000-0000-4000-8000-000000000001/' \
		$LEASES/n/plumb-index/old:eth0
	echo 00000000-0000-4000-8000-000000000001 > $LEASES/n/plumb-boot
	plugin plumb-ipam ADD "$c" CNI_CONTAINERID=new
	eq "$RC" 0 "ADD of new: $OUT $ERR"
	eq "$(leases n | tr '\n' ' ')" "10.89.0.3 hl/eth0 10.89.0.4 new/eth0 " \
		"leases after the first ADD of this boot: host-local's kept"
	eq "$(ls $LEASES/n/plumb-index)" new:eth0 "index"
	eq "$(cat $LEASES/n/plumb-boot)" "$(cat /proc/sys/kernel/random/boot_id)" "plumb-boot"
}

# --- connectivity through the plumb chain -------------------------------------

test_chain_connects_containers_publishes_masquerades_and_hairpins() {
	local va
	wan
	ok ip netns add a
	ok ip netns add b
	cni ADD "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	va=$(jq -r '.interfaces[1].name' <<< "$R")
	cni ADD "$PLUMB" ctr-b /run/netns/b eth0
	eq "$(addrs a eth0) $(addrs b eth0)" "10.89.0.2/16 10.89.0.3/16" "addresses"
	ok ping1 a 10.89.0.3
	ok ping1 b 10.89.0.2
	eq "$(ip -d -j link show dev "$va" | jq -r '.[0].linkinfo.info_slave_data.hairpin')" \
		true "hairpin on $va"

	serve a 80
	serve wan 7000
	# Published: wan reaches a, and a sees wan's own address.
	eq "$(peer wan 192.0.2.1 8080)" 192.0.2.2 "wan to the published port"
	# Masquerade: wan sees the host, and has no route back to 10.89/16.
	eq "$(peer a 192.0.2.2 7000)" 192.0.2.1 "a to wan, as wan sees it"
	eq "$(peer b 192.0.2.2 7000)" 192.0.2.1 "b to wan, as wan sees it"
	# Hairpin: a reaches its own published port through the host's address,
	# and so does b; the replies come back through the host.
	eq "$(peer a 192.0.2.1 8080)" 10.89.0.1 "a to its own published port"
	eq "$(peer b 192.0.2.1 8080)" 10.89.0.1 "b to a's published port"
	# snat (true by default): the host reaches it on 127.0.0.1 too.
	eq "$(peer "" 127.0.0.1 8080)" 10.89.0.1 "the host through 127.0.0.1"
	eq "$(sysctl -n net.ipv4.conf.$BR.route_localnet)" 1 "route_localnet on $BR"
	eq "$(nft -j list set inet plumb masq4 | jq -c '[.nftables[].set.elem? // empty | .[] |
		.elem.val.prefix | "\(.addr)/\(.len)"]')" '["10.89.0.0/16"]' "masqueraded subnets"

	cni DEL "$PLUMB" ctr-a /run/netns/a eth0
	gone $NET ctr-a eth0 "$va"
	! peer wan 192.0.2.1 8080 > /dev/null || fail "8080 still published after DEL"
	ok ping1 b 10.89.0.1
	eq "$(peer b 192.0.2.2 7000)" 192.0.2.1 "b to wan after a left"
}

# containerd 1.6 writes port mappings with Go's field names ("HostPort"),
# which Go's decoder, and so every reference plugin, matches whatever the case.
test_chain_publishes_port_mappings_in_containerd_1_6_spelling() {
	wan
	ok ip netns add a
	cni ADD "$PLUMB" ctr-a /run/netns/a eth0 '{"portMappings":
		[{"HostPort":18080,"ContainerPort":8080,"Protocol":"tcp","HostIP":""}]}'
	eq "$(ports)" "tcp 18080" "published ports"
	serve a 8080
	eq "$(peer wan 192.0.2.1 18080)" 192.0.2.2 "wan to the published port"
	cni DEL "$PLUMB" ctr-a /run/netns/a eth0
	gone $NET ctr-a eth0
	eq "$(ports)" "" "published ports after DEL"
}

# nonMasqueradeCIDRs, on plumb-nat (which masquerades in examples/cni) or on
# plumb-bridge (with ipMasq): wan's 192.0.2.0/24 is spared, 198.51.100.2
# (wan's too, routed through it) is not.
test_non_masquerade_cidrs_spare_their_destinations_on_either_plugin() {
	local list=/tmp/spare.conflist where addr
	wan
	ok ip -n wan addr add 198.51.100.2/24 dev eth0
	ok ip route add 198.51.100.0/24 via 192.0.2.2
	ok ip -n wan route add 10.89.0.0/16 via 192.0.2.1
	ok ip netns add a
	serve wan 7000
	for where in 1 0; do
		conflist $list 1.0.0 ".plugins[$where].nonMasqueradeCIDRs = [\"192.0.2.0/24\",
			\"fd00::/8\"] | .plugins[0].ipMasq = true | .plugins[1].ipMasq = false"
		cni ADD $list ctr-a /run/netns/a eth0
		addr=$(jq -r '.ips[0].address | split("/")[0]' <<< "$R")
		eq "$(nft -j list set inet plumb nomasq4 | jq -r '.nftables[].set.elem? // empty |
			.[].elem | "\(.val.concat | map("\(.prefix.addr)/\(.prefix.len)") |
			join(" . ")) \(.comment)"')" "10.89.0.0/16 . 192.0.2.0/24 network@$NET" \
			"nomasq4 from plugin $where"
		eq "$(peer a 192.0.2.2 7000)" "$addr" "a to wan, spared, from plugin $where"
		eq "$(peer a 198.51.100.2 7000)" 192.0.2.1 "a elsewhere, masqueraded"
		# Either plugin's CHECK sees the spared destinations as they are.
		cni CHECK $list ctr-a /run/netns/a eth0
		ok nft delete element inet plumb nomasq4 '{ 10.89.0.0/16 . 192.0.2.0/24 }'
		cni_fails 999 "^no masquerade from 10\.89\.0\.0/16 to 192\.0\.2\.0/24 is missing$" \
			CHECK $list ctr-a /run/netns/a eth0
		ok nft add element inet plumb nomasq4 \
			'{ 10.89.0.0/16 . 192.0.2.0/24 comment "network@other" }'
		cni_fails 999 "^no masquerade from 10\.89\.0\.0/16 to 192\.0\.2\.0/24 is held by .*other.*, not by network@$NET$" \
			CHECK $list ctr-a /run/netns/a eth0
		ok nft delete element inet plumb nomasq4 '{ 10.89.0.0/16 . 192.0.2.0/24 }'
		eq "$(plumb-nat reconcile)" "added 1 elements" "reconcile of the element"
		cni CHECK $list ctr-a /run/netns/a eth0
		# plumb-bridge's (ipMasq here) sees the masquerade too.
		if [ $where = 0 ]; then
			ok nft delete element inet plumb masq4 '{ 10.89.0.0/16 }'
			cni_fails 999 "^masquerade of 10\.89\.0\.0/16 is missing$" \
				CHECK $list ctr-a /run/netns/a eth0
			eq "$(plumb-nat reconcile)" "added 1 elements" "reconcile of the masquerade"
			cni CHECK $list ctr-a /run/netns/a eth0
		fi
		cni DEL $list ctr-a /run/netns/a eth0
		gone $NET ctr-a eth0
		# The network's, as its masquerade: it stays; an empty list clears it.
		eq "$(plumb-nat list | grep -c no-masquerade)" 1 "list after DEL"
		conflist $list 1.0.0 ".plugins[$where].nonMasqueradeCIDRs = []"
		cni ADD $list ctr-a /run/netns/a eth0
		eq "$(plumb-nat list | grep -c no-masquerade)" 0 "list after []"
		cni DEL $list ctr-a /run/netns/a eth0
	done
}

# --- DEL ----------------------------------------------------------------------

test_del_without_netns_or_with_a_deleted_one_leaves_nothing() {
	local va vb
	ok ip netns add a
	ok ip netns add b
	cni ADD "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	va=$(jq -r '.interfaces[1].name' <<< "$R")
	cni ADD "$PLUMB" ctr-b /run/netns/b eth0 \
		'{"portMappings": [{"hostPort": 8081, "containerPort": 80, "protocol": "udp"}]}'
	vb=$(jq -r '.interfaces[1].name' <<< "$R")
	cni DEL "$PLUMB" ctr-a "" eth0
	gone $NET ctr-a eth0 "$va"
	! link_exists a eth0 || fail "eth0 left in a"
	ok ip netns del b
	cni DEL "$PLUMB" ctr-b /run/netns/b eth0
	gone $NET ctr-b eth0 "$vb"
	eq "$(ports)" "" "published ports"
	cni DEL "$PLUMB" ctr-b /run/netns/b eth0
	cni DEL "$PLUMB" ctr-b "" eth0
	# A namespace unmounted, its file left behind (a runtime that crashed
	# between umount and unlink): gone all the same.
	ok ip netns add c
	cni ADD "$PLUMB" ctr-c /run/netns/c eth0 "$PORT80"
	vb=$(jq -r '.interfaces[1].name' <<< "$R")
	ok umount /run/netns/c
	cni DEL "$PLUMB" ctr-c /run/netns/c eth0
	gone $NET ctr-c eth0 "$vb"
	eq "$(leases $NET)" "" "leases"
	eq "$(find /run/plumb/attach /run/plumb/cni-nat -type f)" "" "records"
}

test_del_without_prev_result_or_port_mappings_still_unpublishes() {
	local v list=/tmp/plumb.conflist
	for v in 0.3.1 1.1.0; do
		conflist $list $v
		ok ip netns add a$v
		cni ADD $list ctr-a /run/netns/a$v eth0 "$PORT80"
		eq "$(owned $NET ctr-a eth0 | jq length)" 2 "elements of ctr-a at $v"
		# The runtime lost its cache, and sends no port mappings.
		rm $CACHE/$NET-ctr-a-eth0
		CNI_RUN_TRACE=/tmp/trace.$v cni DEL $list ctr-a /run/netns/a$v eth0
		eq "$(jq -c '[has("prevResult"), has("runtimeConfig")]' \
			/tmp/trace.$v/DEL.1.plumb-nat.in)" "[false,false]" \
			"what plumb-nat's DEL was given at $v"
		gone $NET ctr-a eth0
		eq "$(ports)" "" "published ports at $v"
	done
}

# --- GC and STATUS ------------------------------------------------------------

test_gc_removes_only_attachments_not_listed() {
	local vb vc other a_before t
	ok ip netns add a
	ok ip netns add b
	ok ip netns add c
	ok ip netns add d
	cni ADD "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	VA=$(jq -r '.interfaces[1].name' <<< "$R")
	cni ADD "$PLUMB" ctr-b /run/netns/b eth0 \
		'{"portMappings": [{"hostPort": 8081, "containerPort": 80, "protocol": "tcp"}]}'
	vb=$(jq -r '.interfaces[1].name' <<< "$R")
	cni ADD "$PLUMB" ctr-c /run/netns/c eth0 \
		'{"portMappings": [{"hostPort": 8082, "containerPort": 80, "protocol": "tcp"}]}'
	vc=$(jq -r '.interfaces[1].name' <<< "$R")
	# Another network, which GC of this one must not touch.
	other=/tmp/other.conflist
	jq '.name = "other" | .plugins[0].bridge = "other0" |
	    .plugins[0].ipam.ranges = [[{subnet: "10.93.0.0/16"}]]' "$PLUMB" > $other
	cni ADD $other ctr-b /run/netns/d eth0 \
		'{"portMappings": [{"hostPort": 9090, "containerPort": 80, "protocol": "tcp"}]}'
	settle $BR
	settle other0
	a_before=$(kept)

	# cni.dev/valid-attachments alone: b goes.
	CNI_RUN_GC_KEYS=valid cni GC "$PLUMB" \
		'[{"containerID": "ctr-a", "ifname": "eth0"}, {"containerID": "ctr-c", "ifname": "eth0"}]'
	eq "$R" "" "GC prints nothing"
	gone $NET ctr-b eth0 "$vb"
	link_exists "" "$vc" || fail "GC removed c's veth"
	eq "$(ports | tr '\n' ' ')" "tcp 8080 tcp 8082 tcp 9090 " "ports after the first GC"
	# cni.dev/attachments alone (libcni before 1.2.3): c goes.
	CNI_RUN_GC_KEYS=old cni GC "$PLUMB" '[{"containerID": "ctr-a", "ifname": "eth0"}]'
	gone $NET ctr-c eth0 "$vc"
	eq "$(ports | tr '\n' ' ')" "tcp 8080 tcp 9090 " "ports after the second GC"
	# Both keys, listing what is there: nothing changes.
	cni GC "$PLUMB" '[{"containerID": "ctr-a", "ifname": "eth0"}]'
	eq "$(kept)" "$a_before" "a's attachment and the other network"
	# No list at all is no licence to remove everything.
	for t in plumb-bridge plumb-ipam plumb-nat; do
		plugin $t GC "$(jq -c --arg t $t '.plugins[0] + {name: "plumb-cni",
			cniVersion: "1.1.0", type: $t}' "$PLUMB")" \
			CNI_CONTAINERID= CNI_NETNS= CNI_IFNAME=
		cni_error 7 '^GC needs "cni\.dev/valid-attachments"$'
	done
	eq "$(kept)" "$a_before" "a's attachment after GCs without a list"
	ok ping1 a 10.89.0.1
	ok ping1 d 10.93.0.1
	cni CHECK "$PLUMB" ctr-a /run/netns/a eth0
	cni CHECK $other ctr-b /run/netns/d eth0
}

# kept: what must outlive a GC that lists only ctr-a: a's links, lease,
# index entry, records and elements, and everything of network "other"
kept() {
	ip -n a -j addr show | jq -c '[.[] | {ifname, address, a: [.addr_info[].local]}]'
	ip -n d -j addr show | jq -c '[.[] | {ifname, address, a: [.addr_info[].local]}]'
	ip -j link show dev "$VA" | jq -c '[.[] | {ifname, master, operstate, address}]'
	ip -j link show master other0 | jq -c '[.[].ifname]'
	leases $NET | grep ctr-a/
	leases other
	ls $LEASES/$NET/plumb-index | grep ctr-a
	ls $LEASES/other/plumb-index
	find /run/plumb -type f | grep -E 'ctr-a|other' | sort | xargs cat
	owned $NET ctr-a eth0
	owned other ctr-b eth0
}

test_gc_and_status_need_1_1_0() {
	local list=/tmp/plumb.conflist
	conflist $list 1.0.0
	ok ip netns add a
	cni ADD $list ctr-a /run/netns/a eth0 "$PORT80"
	# As libcni: nothing is run before 1.1.0.
	cni GC $list '[]'
	cni STATUS $list
	eq "$(leases $NET)" "10.89.0.2 ctr-a/eth0" "lease after a GC at 1.0.0"
	# Run all the same, each plugin refuses.
	CNI_RUN_FORCE=1 cni_fails 1 '^GC needs cniVersion 1\.1\.0' GC $list '[]'
	CNI_RUN_FORCE=1 cni_fails 1 '^STATUS needs cniVersion 1\.1\.0' STATUS $list
	for t in plumb-bridge plumb-ipam plumb-nat plumb-netns; do
		plugin $t GC "$(jq -c '.plugins[0] + {name: "n", cniVersion: "1.0.0"}' $list)" \
			CNI_CONTAINERID= CNI_NETNS= CNI_IFNAME=
		cni_error 1 '^GC needs cniVersion 1\.1\.0 or later, the configuration has 1\.0\.0$'
		plugin $t STATUS "$(jq -c '.plugins[0] + {name: "n", cniVersion: "0.4.0"}' $list)" \
			CNI_CONTAINERID= CNI_NETNS= CNI_IFNAME=
		cni_error 1 '^STATUS needs cniVersion 1\.1\.0'
	done
	eq "$(leases $NET)" "10.89.0.2 ctr-a/eth0" "lease after refused GCs"
	eq "$(ports)" "tcp 8080" "ports after refused GCs"
}

test_status_is_quiet_when_ready_and_50_when_the_pool_is_exhausted() {
	local small=/tmp/small.conflist links
	cni STATUS "$PLUMB"
	eq "$R" "" "STATUS of a fresh network"
	jq '.name = "small" | .plugins[0].bridge = "small0" |
	    .plugins[0].ipam.ranges = [[{subnet: "10.94.0.0/30"}]]' "$PLUMB" > $small
	cni STATUS $small
	ok ip netns add x
	ok ip netns add y
	cni ADD $small ctr-x /run/netns/x eth0 "$PORT80"
	eq "$(addrs x eth0)" 10.94.0.2/30 "the one address of a /30"
	cni_fails 50 'no free address in range set 0 of network small' STATUS $small
	for t in plumb-bridge plumb-ipam; do
		plugin $t STATUS "$(jq -c '.plugins[0] + {name: "small", cniVersion: "1.1.0"}' \
			$small)" CNI_CONTAINERID= CNI_NETNS= CNI_IFNAME=
		cni_error 50 'no free address in range set 0 of network small'
	done

	# An ADD now fails, and leaves nothing behind.
	settle small0
	links=$(ip -j link show | jq -c '[.[].ifname]')
	cni_fails 999 'no free address in 10\.94\.0\.0/30' ADD $small ctr-y /run/netns/y eth0 \
		'{"portMappings": [{"hostPort": 8081, "containerPort": 80, "protocol": "tcp"}]}'
	gone small ctr-y eth0
	eq "$(ip -j link show | jq -c '[.[].ifname]')" "$links" "links after a failed ADD"
	eq "$(ip -n y -j link show | jq -c '[.[].ifname]')" '["lo"]' "links in y"
	eq "$(leases small)" "10.94.0.2 ctr-x/eth0" "leases after a failed ADD"
	# The runtime's DEL after the failed ADD, then x goes: ready again.
	cni DEL $small ctr-y /run/netns/y eth0
	cni DEL $small ctr-x /run/netns/x eth0
	cni STATUS $small
	eq "$R" "" "STATUS after DEL"
}

# --- GC and STATUS through a delegated IPAM plugin ----------------------------

# hl_list FILE VERSION TYPE [JQ]: plumb-bridge alone on network plumb-hl
# (plumb-hl0, 10.90.0.0/16) at VERSION, delegating to IPAM plugin TYPE,
# changed by the jq program JQ
hl_list() {
	jq --arg v "$2" --arg t "$3" ".cniVersion = \$v | del(.cniVersions) |
		.plugins |= [.[0] | .ipam.type = \$t] | ${4:-.}" \
		"$EX/plumb-host-local-portmap.conflist" > "$1" || fail "hl_list $*"
}

# stale LIST TYPE: ctr-a and ctr-b attached through LIST (host veths in $VA
# and $VB), and a lease IPAM plugin TYPE holds for ctr-z, which plumb-bridge
# never attached: only TYPE's own GC can find it
stale() {
	ok ip netns add a
	ok ip netns add b
	cni ADD "$1" ctr-a /run/netns/a eth0
	VA=$(jq -r '.interfaces[1].name' <<< "$R")
	cni ADD "$1" ctr-b /run/netns/b eth0
	VB=$(jq -r '.interfaces[1].name' <<< "$R")
	PLUGIN_PATH="${CNI_RUN_PATH:+$CNI_RUN_PATH:}$PLUGIN_PATH" plugin "$2" ADD \
		"$(jq -c '.plugins[0] + {name, cniVersion}' "$1")" \
		CNI_CONTAINERID=ctr-z CNI_NETNS=/run/netns/a
	eq "$RC" 0 "$2 ADD of ctr-z ($OUT $ERR)"
	eq "$(leases plumb-hl | tr '\n' ' ')" \
		"10.90.0.2 ctr-a/eth0 10.90.0.3 ctr-b/eth0 10.90.0.4 ctr-z/eth0 " "leases"
}

# gc_removed_b: a GC that listed only ctr-a removed ctr-b's attachment from
# the kernel and /run/plumb, and left ctr-a's whole
gc_removed_b() {
	gone plumb-hl ctr-b eth0 "$VB"
	! link_exists b eth0 || fail "eth0 left in b"
	eq "$(ip -j link show master plumb-hl0 | jq -r '[.[].ifname] | join(" ")')" "$VA" \
		"ports of plumb-hl0"
	eq "$(ls /run/plumb/attach/plumb-hl)" "ctr-a:eth0.json" "attachment records"
	eq "$(addrs a eth0)" 10.90.0.2/16 "a's address"
	ok ping1 a 10.90.0.1
}

# Debian's host-local (1.1.1) speaks CNI up to 1.0.0, and answers GC and
# STATUS with code 3, "missing containerID". A network it served at 1.0.0,
# moved to 1.1.0 (as libcni moves to the newest of "cniVersions"): GC
# removes the stale attachment, its lease released by a DEL in 1.0.0, which
# host-local takes, and skips host-local's own GC, which it cannot do: the
# lease of ctr-z stays. STATUS says ADD would fail at 1.1.0, and it does.
test_gc_and_status_with_host_local_that_speaks_up_to_1_0_0() {
	local l10=/tmp/hl10.conflist l11=/tmp/hl11.conflist
	reference
	hl_list $l10 1.0.0 host-local
	hl_list $l11 1.1.0 host-local
	stale $l10 host-local
	cni GC $l11 '[{"containerID": "ctr-a", "ifname": "eth0"}]'
	eq "$R" "" "GC prints nothing"
	eq "$(cat /tmp/.cni)" \
		"plumb-bridge: warning: IPAM plugin host-local does not speak CNI 1.1.0; its GC is skipped" \
		"stderr of GC"
	gc_removed_b
	eq "$(leases plumb-hl | tr '\n' ' ')" "10.90.0.2 ctr-a/eth0 10.90.0.4 ctr-z/eth0 " \
		"leases after GC"
	cni_fails 1 "^IPAM plugin host-local does not speak CNI 1\.1\.0, the network's version: it would refuse ADD\$" \
		STATUS $l11
	ok ip netns add c
	cni_fails 1 '^IPAM plugin host-local: incompatible CNI versions$' \
		ADD $l11 ctr-c /run/netns/c eth0
	cni CHECK $l10 ctr-a /run/netns/a eth0
	cni DEL $l10 ctr-a /run/netns/a eth0
	gone plumb-hl ctr-a eth0 "$VA"
}

# plumb-ipam speaks 1.1.0. Run as a delegated plugin (twin-ipam: under its
# own name, plumb-bridge would run it in its own process), it is asked
# VERSION, then given GC, which releases the lease of ctr-z too, and STATUS,
# whose answer is handed on.
test_gc_and_status_reach_a_delegated_ipam_plugin_that_speaks_1_1_0() {
	local list=/tmp/twin.conflist
	mkdir -p /tmp/twin
	printf '#!/bin/bash\njq -c %s | exec -a plumb-ipam %s\n' \
		"'.ipam.type = \"plumb-ipam\"'" "$TOP/bridge/plumb-bridge" > /tmp/twin/twin-ipam
	chmod +x /tmp/twin/twin-ipam
	export CNI_RUN_PATH=/tmp/twin
	hl_list $list 1.1.0 twin-ipam
	stale $list twin-ipam
	cni GC $list '[{"containerID": "ctr-a", "ifname": "eth0"}]'
	eq "$R" "" "GC prints nothing"
	eq "$(cat /tmp/.cni)" "" "stderr of GC"
	gc_removed_b
	eq "$(leases plumb-hl)" "10.90.0.2 ctr-a/eth0" "leases after GC"
	cni STATUS $list
	eq "$R$(cat /tmp/.cni)" "" "STATUS prints nothing"
	hl_list /tmp/full.conflist 1.1.0 twin-ipam '.plugins[0].ipam.ranges =
		[[{subnet: "10.90.0.0/16", rangeStart: "10.90.0.2", rangeEnd: "10.90.0.2"}]]'
	cni_fails 50 '^IPAM plugin twin-ipam: no free address in range set 0 of network plumb-hl$' \
		STATUS /tmp/full.conflist
	cni CHECK $list ctr-a /run/netns/a eth0
	cni DEL $list ctr-a /run/netns/a eth0
	gone plumb-hl ctr-a eth0 "$VA"
}

# --- CHECK --------------------------------------------------------------------

test_check_notices_what_changed_since_add() {
	ok ip netns add a
	cni ADD "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	cni CHECK "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"

	ok ip -n a addr del 10.89.0.2/16 dev eth0
	cni_fails 999 '^container ctr-a: eth0 lacks address 10\.89\.0\.2/16' \
		CHECK "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	ok ip -n a addr add 10.89.0.2/16 dev eth0
	ok ip -n a route add default via 10.89.0.1
	cni CHECK "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"

	ok nft delete element inet plumb pub4 '{ tcp . 8080 }'
	cni_fails 999 '^tcp port 8080 is not published$' \
		CHECK "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	ok nft add element inet plumb pub4 '{ tcp . 8080 comment "someone" : 10.89.0.9 . 80 }'
	cni_fails 999 '^tcp port 8080 is published otherwise, by someone$' \
		CHECK "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	ok nft delete element inet plumb pub4 '{ tcp . 8080 }'
	ok nft add element inet plumb pub4 \
		'{ tcp . 8080 comment "cni@plumb-cni/ctr-a/eth0" : 10.89.0.2 . 80 }'
	cni CHECK "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"

	ok rm $LEASES/$NET/10.89.0.2
	cni_fails 999 'container ctr-a \(eth0\) holds 0 of its 1 addresses' \
		CHECK "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	cni DEL "$PLUMB" ctr-a /run/netns/a eth0
	gone $NET ctr-a eth0
}

# --- the driver itself --------------------------------------------------------

test_driver_gives_each_plugin_what_libcni_gives_it() {
	local list=/tmp/plumb.conflist t=/tmp/trace r f
	conflist $list 1.1.0 '.plugins[0] += {name: "wrong", cniVersion: "0.1.0"} |
		.plugins[0].capabilities.bandwidth = false'
	ok ip netns add a
	CNI_RUN_TRACE=$t cni ADD $list ctr-a /run/netns/a eth0 \
		'{"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}],
		  "mac": "02:89:00:00:00:01", "bandwidth": {"ingressRate": 1}, "ips": []}'
	r=$R
	eq "$(jq -c '[.name, .cniVersion, has("prevResult"), .runtimeConfig]' \
		$t/ADD.0.plumb-bridge.in)" '["plumb-cni","1.1.0",false,{"mac":"02:89:00:00:00:01","ips":[]}]' \
		"plumb-bridge's stdin: list's name and version, declared capabilities only"
	eq "$(jq -c '.capabilities' $t/ADD.0.plumb-bridge.in)" \
		'{"ips":true,"mac":true,"bandwidth":false}' "capabilities are left in (as libcni)"
	eq "$(jq -c '[.name, .cniVersion, .runtimeConfig]' $t/ADD.1.plumb-nat.in)" \
		'["plumb-cni","1.1.0",{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}]' \
		"plumb-nat's stdin"
	eq "$(jq -cS .prevResult $t/ADD.1.plumb-nat.in)" "$(jq -cS . $t/ADD.0.plumb-bridge.out)" \
		"plumb-nat's prevResult is plumb-bridge's result"
	eq "$(jq -cS . <<< "$R")" "$(jq -cS . $t/ADD.0.plumb-bridge.out)" \
		"plumb-nat passes the result on unchanged"
	eq "$(jq -cS .result $CACHE/$NET-ctr-a-eth0)" "$(jq -cS . <<< "$R")" "cached result"

	CNI_RUN_TRACE=$t cni CHECK $list ctr-a /run/netns/a eth0
	CNI_RUN_TRACE=$t cni DEL $list ctr-a /run/netns/a eth0
	eq "$(tr '\n' ',' < $t/order)" \
		"ADD 0 plumb-bridge,ADD 1 plumb-nat,CHECK 0 plumb-bridge,CHECK 1 plumb-nat,DEL 1 plumb-nat,DEL 0 plumb-bridge," \
		"order of the calls"
	for f in CHECK.0.plumb-bridge CHECK.1.plumb-nat DEL.0.plumb-bridge DEL.1.plumb-nat; do
		eq "$(jq -cS .prevResult $t/$f.in)" "$(jq -cS . <<< "$r")" "prevResult of $f"
	done
	[ ! -e $CACHE/$NET-ctr-a-eth0 ] || fail "cache left after DEL"

	CNI_RUN_TRACE=$t cni STATUS $list
	CNI_RUN_TRACE=$t cni GC $list '[{"containerID": "x", "ifname": "eth0"}]'
	eq "$(jq -c 'keys - (.plugins // {} | keys)' $t/STATUS.1.plumb-nat.in)" \
		'["capabilities","cniVersion","ipMasq","name","type"]' "STATUS stdin"
	eq "$(jq -c '[.["cni.dev/valid-attachments"], .["cni.dev/attachments"],
		has("runtimeConfig"), has("prevResult")]' $t/GC.0.plumb-bridge.in)" \
		'[[{"containerID":"x","ifname":"eth0"}],[{"containerID":"x","ifname":"eth0"}],false,false]' \
		"GC stdin"
}

# fake NAME SCRIPT: a plugin NAME in /tmp/fake that runs the shell SCRIPT
fake() {
	mkdir -p /tmp/fake
	printf '#!/bin/sh\ncat > /dev/null\n%s\n' "$2" > /tmp/fake/"$1"
	chmod +x /tmp/fake/"$1"
}

test_driver_fails_a_plugin_whose_stdout_is_not_only_json() {
	local list=/tmp/fake.conflist out script
	jq -n '{cniVersion: "1.0.0", name: "fake", plugins: [{type: "fake"}]}' > $list
	ok ip netns add a
	for script in \
		'echo "adding eth0"; echo "{\"cniVersion\": \"1.0.0\"}"' \
		'echo "{\"cniVersion\": \"1.0.0\"} {}"' \
		'echo "{\"cniVersion\": \"0.4.0\"}"' \
		'echo "oops" >&2; exit 1' \
		'echo "{\"msg\": \"no code\"}"; exit 1'; do
		fake fake "$script"
		out=$(CNI_RUN_PATH=/tmp/fake "$TOP/tests/netns/cni-run" ADD $list a /run/netns/a eth0 2>&1)
		eq "$?" 99 "status of cni-run with a plugin that does '$script' ($out)"
	done
	fake fake 'echo "{}"'
	out=$(CNI_RUN_PATH=/tmp/fake "$TOP/tests/netns/cni-run" DEL $list a /run/netns/a eth0 2>&1)
	eq "$?" 99 "status of cni-run with a DEL that prints ($out)"
	fake fake 'echo "{\"cniVersion\": \"1.0.0\", \"ips\": []}"'
	CNI_RUN_PATH=/tmp/fake cni ADD $list a /run/netns/a eth0
	eq "$R" '{"cniVersion": "1.0.0", "ips": []}' "the result of a plugin that keeps the rules"
}

# --- addresses and MAC asked for ----------------------------------------------

test_static_addresses_and_mac_from_every_source_are_honoured() {
	local n args=/tmp/args.conflist before
	for n in a b c d e; do ok ip netns add $n; done
	CNI_RUN_ARGS="IgnoreUnknown=1;K8S_POD_NAME=a;IP=10.89.0.50;MAC=02:89:00:00:00:50" \
		cni ADD "$PLUMB" ctr-a /run/netns/a eth0
	eq "$(jq -r '.ips[0].address' <<< "$R") $(addrs a eth0)" "10.89.0.50/16 10.89.0.50/16" \
		"CNI_ARGS IP="
	eq "$(jq -r '.interfaces[2].mac' <<< "$R") $(ip -n a -j link show eth0 | jq -r '.[0].address')" \
		"02:89:00:00:00:50 02:89:00:00:00:50" "CNI_ARGS MAC="

	cni ADD "$PLUMB" ctr-b /run/netns/b eth0 '{"ips": ["10.89.0.51/16"], "mac": "02:89:00:00:00:51"}'
	eq "$(jq -r '.ips[0].address' <<< "$R") $(addrs b eth0)" "10.89.0.51/16 10.89.0.51/16" \
		"runtimeConfig.ips"
	eq "$(jq -r '.interfaces[2].mac' <<< "$R") $(ip -n b -j link show eth0 | jq -r '.[0].address')" \
		"02:89:00:00:00:51 02:89:00:00:00:51" "runtimeConfig.mac"

	jq '.plugins[0].args = {cni: {ips: ["10.89.0.52"], mac: "02:89:00:00:00:52"}}' "$PLUMB" > $args
	cni ADD $args ctr-c /run/netns/c eth0
	eq "$(jq -r '.ips[0].address' <<< "$R") $(addrs c eth0)" "10.89.0.52/16 10.89.0.52/16" \
		"args.cni.ips"
	eq "$(ip -n c -j link show eth0 | jq -r '.[0].address')" 02:89:00:00:00:52 "args.cni.mac"

	# MAC: runtimeConfig over args.cni over CNI_ARGS, as the reference bridge.
	jq '.plugins[0].args = {cni: {mac: "02:89:00:00:00:52"}}' "$PLUMB" > $args
	CNI_RUN_ARGS="MAC=02:89:00:00:00:03" cni ADD $args ctr-d /run/netns/d eth1 \
		'{"ips": ["10.89.0.53"], "mac": "02:89:00:00:00:53"}'
	eq "$(ip -n d -j link show eth1 | jq -r '.[0].address')" 02:89:00:00:00:53 \
		"MAC of three sources"

	eq "$(leases $NET | tr '\n' ' ')" \
		"10.89.0.50 ctr-a/eth0 10.89.0.51 ctr-b/eth0 10.89.0.52 ctr-c/eth0 10.89.0.53 ctr-d/eth1 " \
		"leases"
	ok ping1 a 10.89.0.51
	ok ping1 c 10.89.0.50

	# Taken: refused naming the holder; nothing of e is left.
	settle $BR
	before=$(state)
	cni_fails 999 'requested address 10\.89\.0\.50 is already allocated to container ctr-a' \
		ADD "$PLUMB" ctr-e /run/netns/e eth0 '{"ips": ["10.89.0.50"]}'
	CNI_RUN_ARGS="IP=10.99.0.5" cni_fails 7 'requested IP 10\.99\.0\.5 is in none of the ranges' \
		ADD "$PLUMB" ctr-e /run/netns/e eth0
	cni_fails 7 'invalid MAC address' \
		ADD "$PLUMB" ctr-e /run/netns/e eth0 '{"mac": "01:00:5e:00:00:01"}'
	# Two for one range set: host-local refuses that too.
	CNI_RUN_ARGS="IP=10.89.0.60" cni_fails 7 \
		'requested IP 10\.89\.0\.61: its range set has a requested IP already' \
		ADD "$PLUMB" ctr-e /run/netns/e eth0 '{"ips": ["10.89.0.61"]}'
	eq "$(state)" "$before" "state after refused addresses"
}

# --- a failed ADD -------------------------------------------------------------

test_failed_add_leaves_nothing_behind() {
	local links va
	ok ip netns add a
	ok ip netns add b
	ok ip netns add x
	# The interface name is taken in the namespace.
	ok ip -n x link add eth0 type veth peer name other
	cni_fails 999 'namespace has an interface eth0 already' ADD "$PLUMB" ctr-x /run/netns/x eth0 "$PORT80"
	gone $NET ctr-x eth0
	eq "$(ip -j link show | jq -c '[.[].ifname]')" '["lo"]' "links in the sandbox host"
	eq "$(ip -n x -j link show | jq -c '[.[].ifname]')" '["lo","other","eth0"]' \
		"x's own eth0 is untouched"
	eq "$(leases $NET)" "" "leases"

	# A host port someone holds: plumb-nat fails and undoes its part ...
	cni ADD "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	va=$(jq -r '.interfaces[1].name' <<< "$R")
	# (An ADD again, without DEL, is refused and harms nothing.)
	cni_fails 999 'container ctr-a has eth0 in network plumb-cni already \(bridge plumb-cni0, veth pl[0-9a-f]{12}\); delete it first' \
		ADD "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	cni CHECK "$PLUMB" ctr-a /run/netns/a eth0 "$PORT80"
	cni_fails 999 'tcp port 8080 is taken by CNI attachment plumb-cni/ctr-a/eth0' ADD "$PLUMB" ctr-b /run/netns/b eth0 \
		'{"portMappings": [{"hostPort": 8081, "containerPort": 81, "protocol": "tcp"},
				  {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}'
	eq "$(owned $NET ctr-b eth0)" "[]" "elements of b"
	[ ! -e /run/plumb/cni-nat/$NET/ctr-b:eth0.json ] || fail "plumb-nat's record of b"
	eq "$(find /run/plumb/nat/$NET:ctr-b:eth0 -type f 2> /dev/null)" "" "NAT records of b"
	eq "$(ports)" "tcp 8080" "published ports"
	eq "$(owned $NET ctr-a eth0 | jq length)" 2 "elements of a"
	# ... and the runtime's DEL removes the rest (libcni leaves it to the
	# runtime to DEL after a failed ADD: CNI SPEC, "Lifecycle").
	cni DEL "$PLUMB" ctr-b /run/netns/b eth0
	gone $NET ctr-b eth0
	eq "$(ip -n b -j link show | jq -c '[.[].ifname]')" '["lo"]' "links in b"
	link_exists "" "$va" || fail "a's veth went"
	eq "$(leases $NET | cut -d ' ' -f 2)" "ctr-a/eth0" "leases"
}

# --- error codes (CNI SPEC "Error"): one JSON object on stdout, exit status 1 ---

# conf TYPE [JQ]: a configuration for plugin TYPE at 1.0.0 on network n,
# changed by the jq program JQ
conf() {
	jq -c --arg t "$1" '.plugins[0] + {name: "n", cniVersion: "1.0.0", type: $t} |
		'"${2:-.}" "$PLUMB"
}

test_versions_plumb_does_not_speak_are_code_1() {
	local t before
	ok ip netns add c
	before=$(state)
	for t in plumb-bridge plumb-ipam plumb-nat plumb-netns; do
		plugin $t ADD "$(conf $t '.cniVersion = "0.2.0"')"
		cni_error 1 '^incompatible CNI version "0\.2\.0": plumb speaks 0\.3\.0, 0\.3\.1, 0\.4\.0, 1\.0\.0 and 1\.1\.0$'
		plugin $t ADD "$(conf $t '.cniVersion = "1.2.0"')"
		cni_error 1 'incompatible CNI version "1\.2\.0"'
		plugin $t ADD "$(conf $t 'del(.cniVersion)')"
		cni_error 1 'has no "cniVersion"'
		plugin $t CHECK "$(conf $t '.cniVersion = "0.3.1"')"
		cni_error 1 '^CHECK needs cniVersion 0\.4\.0 or later, the configuration has 0\.3\.1$'
		eq "$(jq -r .cniVersion <<< "$OUT")" 0.3.1 "cniVersion of the error object"
	done
	eq "$(state)" "$before" "state after refused versions"
	# What each speaks, whatever it is given.
	for t in plumb-bridge plumb-ipam plumb-nat plumb-netns; do
		plugin $t VERSION '{"cniVersion": "0.1.0"}' -CNI_CONTAINERID -CNI_NETNS \
			-CNI_IFNAME -CNI_PATH
		eq "$RC $(jq -sc . /tmp/.out)" \
			'0 [{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}]' \
			"VERSION of $t"
	done
}

test_reference_bridge_keys_plumb_lacks_are_code_2_naming_the_key() {
	local k before
	ok ip netns add c
	before=$(state)
	for k in '"vlan": 10' '"vlanTrunk": [{"id": 5}]' '"macspoofchk": true' \
		 '"disableContainerInterface": true' '"portIsolation": true'; do
		plugin plumb-bridge ADD "$(conf plumb-bridge ". + {$k}")"
		cni_error 2 "^\"$(cut -d '"' -f 2 <<< "$k")\" is not supported by plumb-bridge\$"
	done
	# The same through the chain; a value that asks for nothing is fine.
	jq '.plugins[0].vlan = 10' "$PLUMB" > /tmp/vlan.conflist
	cni_fails 2 '"vlan"' ADD /tmp/vlan.conflist ctr-c /run/netns/c eth0
	eq "$(state)" "$before" "state after refused keys"
	jq '.plugins[0] += {vlan: 0, macspoofchk: false}' "$PLUMB" > /tmp/vlan0.conflist
	cni ADD /tmp/vlan0.conflist ctr-c /run/netns/c eth0
}

test_check_of_an_unknown_container_is_code_3() {
	ok ip netns add c
	plugin plumb-bridge CHECK "$(conf plumb-bridge)"
	cni_error 3 '^no attachment of container c \(eth0\) in network n$'
	cni_fails 3 'no attachment of container ctr-c \(eth0\) in network plumb-cni' \
		CHECK "$PLUMB" ctr-c /run/netns/c eth0
	cni ADD "$PLUMB" ctr-c /run/netns/c eth0
	cni CHECK "$PLUMB" ctr-c /run/netns/c eth0
	cni DEL "$PLUMB" ctr-c /run/netns/c eth0
	cni_fails 3 'no attachment of container ctr-c' CHECK "$PLUMB" ctr-c /run/netns/c eth0
}

test_bad_environment_is_code_4_naming_the_variable() {
	local t c before
	ok ip netns add c
	touch /tmp/regular
	before=$(state)
	for t in plumb-bridge plumb-ipam plumb-nat plumb-netns; do
		c=$(conf $t)
		plugin $t ADD "$c" -CNI_CONTAINERID
		cni_error 4 '^required environment variable CNI_CONTAINERID missing$'
		eq "$(wc -l <<< "$ERR")" 1 "lines on stderr"
		plugin $t ADD "$c" CNI_CONTAINERID=
		cni_error 4 'CNI_CONTAINERID missing'
		plugin $t DEL "$c" CNI_CONTAINERID=-c
		cni_error 4 '^CNI_CONTAINERID: invalid container id "-c"'
		plugin $t ADD "$c" -CNI_NETNS
		cni_error 4 '^required environment variable CNI_NETNS missing$'
		plugin $t ADD "$c" CNI_NETNS=/tmp/regular
		cni_error 4 '^CNI_NETNS: /tmp/regular is not a namespace$'
		eq "$(wc -l <<< "$ERR")" 1 "lines on stderr"
		plugin $t CHECK "$c" CNI_NETNS=/proc/self/ns/net
		cni_error 4 "^CNI_NETNS=/proc/self/ns/net is the plugin's own network namespace\$"
		plugin $t ADD "$c" CNI_IFNAME=eth0123456789abc
		cni_error 4 '^CNI_IFNAME: invalid interface name "eth0123456789abc": longer than 15 bytes$'
		eq "$(wc -l <<< "$ERR")" 1 "lines on stderr"
		plugin $t DEL "$c" CNI_IFNAME=a/b
		cni_error 4 "^CNI_IFNAME: invalid interface name \"a/b\": contains '/'\$"
		plugin $t ADD "$c" -CNI_PATH
		cni_error 4 '^required environment variable CNI_PATH missing$'
		plugin $t FROB "$c"
		cni_error 4 '^unknown CNI_COMMAND "FROB"$'
	done
	for t in plumb-bridge plumb-ipam; do
		c=$(conf $t)
		plugin $t ADD "$c" CNI_ARGS=FOO
		cni_error 4 '^CNI_ARGS: invalid pair "FOO": want KEY=VALUE$'
		plugin $t ADD "$c" CNI_ARGS='IgnoreUnknown=1;FOO=a=b'
		cni_error 4 '^CNI_ARGS: invalid pair "FOO=a=b"'
		plugin $t ADD "$c" CNI_ARGS='K8S_POD_NAME=x;K8S_POD_NAMESPACE=y'
		cni_error 4 '^CNI_ARGS: unknown key K8S_POD_NAME \(add IgnoreUnknown=1'
	done
	eq "$(state)" "$before" "state after bad environments"
	# What runtimes send: IgnoreUnknown=1 first, and keys for others.
	CNI_RUN_ARGS="IgnoreUnknown=1;K8S_POD_NAME=x;K8S_POD_NAMESPACE=y" \
		cni ADD "$PLUMB" ctr-c /run/netns/c eth0
}

test_io_failure_is_code_5() {
	local t
	ok ip netns add c
	ok mkdir /tmp/ro
	ok mount -t tmpfs -o ro tmpfs /tmp/ro
	for t in plumb-bridge plumb-ipam; do
		plugin $t ADD "$(conf $t '.ipam.dataDir = "/tmp/ro/networks"')"
		cni_error 5 'networks: Read-only file system$'
	done
	eq "$(ip -j link show | jq -c '[.[].ifname]')" '["lo"]' "links after the failed ADDs"
	eq "$(find /run/plumb -type f)" "" "records after the failed ADDs"
}

test_undecodable_input_is_code_6_with_line_and_column() {
	local t before
	ok ip netns add c
	before=$(state)
	for t in plumb-bridge plumb-ipam plumb-nat plumb-netns; do
		plugin $t ADD "$(printf '{"cniVersion": "1.0.0",\n  "name": }')"
		cni_error 6 "^decode network configuration: unexpected token near '}' at line 2 column 11\$"
		plugin $t ADD ''
		cni_error 6 'near end of file at line [0-9]+ column [0-9]+$'
		plugin $t ADD '[{"cniVersion": "1.0.0"}]'
		cni_error 6 'want a JSON object$'
		plugin $t ADD '{"cniVersion": "1.0.0", "cniVersion": "1.1.0"}'
		cni_error 6 'duplicate object key'
		plugin $t ADD "$(conf $t '.prevResult = [1]')"
		cni_error 6 '^invalid "prevResult": want an object$'
	done
	eq "$(state)" "$before" "state after undecodable input"
}

test_invalid_configuration_is_code_7_naming_the_key() {
	local t before
	ok ip netns add c
	before=$(state)
	for t in plumb-bridge plumb-ipam plumb-nat plumb-netns; do
		plugin $t ADD "$(conf $t 'del(.name)')"
		cni_error 7 '^missing network name$'
		plugin $t ADD "$(conf $t '.name = "a/b"')"
		cni_error 7 '^invalid network name "a/b"'
	done
	for t in plumb-bridge plumb-ipam; do
		plugin $t ADD "$(conf $t '.ipam.ranges[0][0].subnet = "10.89.0.1/16"')"
		cni_error 7 '^invalid "ipam\.ranges\[0\]\[0\]\.subnet": "10\.89\.0\.1/16" is not a subnet'
		plugin $t ADD "$(conf $t)" CNI_ARGS=IP=10.99.0.5
		cni_error 7 '^requested IP 10\.99\.0\.5 is in none of the ranges$'
	done
	plugin plumb-bridge ADD "$(conf plumb-bridge '.mtu = 70000')"
	cni_error 7 '"mtu"'
	plugin plumb-bridge ADD "$(conf plumb-bridge '.isGateway = "yes"')"
	cni_error 7 '"isGateway"'
	plugin plumb-bridge ADD "$(conf plumb-bridge '.nonMasqueradeCIDRs = ["10.0.0.1/8"]')"
	cni_error 7 '^invalid "nonMasqueradeCIDRs\[0\]": want a subnet such as 10\.244\.0\.0/16'
	plugin plumb-nat ADD "$(conf plumb-nat '.nonMasqueradeCIDRs = "10.0.0.0/8"')"
	cni_error 7 '^invalid "nonMasqueradeCIDRs": want an array of at most 64 subnets$'
	plugin plumb-nat ADD "$(conf plumb-nat)"
	cni_error 7 '^plumb-nat is a chained plugin: it needs a prevResult$'
	plugin plumb-nat ADD "$(conf plumb-nat '.prevResult = {ips: [{address: "10.89.0.9/16"}]} |
		.runtimeConfig.portMappings = [{hostPort: 0, containerPort: 80}]')"
	cni_error 7 'runtimeConfig\.portMappings\[0\]'
	eq "$(state)" "$before" "state after invalid configurations"
	# Not the configuration's fault: the address is the gateway.
	plugin plumb-ipam ADD "$(conf plumb-ipam '.runtimeConfig.ips = ["10.89.0.1"]')"
	cni_error 999 '^requested address 10\.89\.0\.1 is a gateway$'
}

# Opt in (PLUMB_SLOW_TESTS=1): plumb waits 30 s for a busy lease store
# lock before it gives up, and nothing shortens that from outside.
test_lease_store_lock_held_too_long_is_code_11() {
	local c
	[ -n "${PLUMB_SLOW_TESTS:-}" ] ||
		skip "takes 30 s (the lease store's lock timeout); PLUMB_SLOW_TESTS=1 runs it"
	ok ip netns add c
	ok mkdir -p $LEASES/n
	# This shell holds the lock, as host-local would in the middle of an ADD.
	exec 9>> $LEASES/n/lock
	ok flock -n 9
	c=$(conf plumb-ipam)
	plugin plumb-ipam ADD "$c"
	cni_error 11 '^lease store lock busy for [0-9]+ ms \(held by another plumb or host-local\); giving up$'
	eq "$(leases n)" "" "leases"
	exec 9>&-
	plugin plumb-ipam ADD "$c"
	eq "$RC" 0 "ADD once the lock is free: $OUT $ERR"
}
