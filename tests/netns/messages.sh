# SPDX-License-Identifier: GPL-2.0-or-later
# Every failure prints exactly one message: the failure paths of each tool,
# in each of its front ends (command line, OCI hook, CNI plugin), counted
# line by line on stderr. An error is logged once, where it is decided
# (lib/log.c); a caller that only tries does not log (the *_try() forms).
#
#   sandbox "host" netns
#     plumb0 10.88.0.1/16 (made by the tests that need it)
#       `-- plXXXXXXXXXXXX ==veth== eth0  a  10.88.0.2
#     c  an empty named namespace, the CNI tests' CNI_NETNS
#     pid  a process in a namespace of its own, the hooks' container
#
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

PLUGINS="$TOP/netns:$TOP/bridge:$TOP/nat:/usr/lib/cni"

# one RC REGEX CMD...: CMD exits RC, prints nothing on stdout and exactly one
# line on stderr, "TOOL: " and a message matching REGEX
one() {
	local rc=$1 re=$2 got out n
	shift 2
	out=$("$@" 2> /tmp/.stderr)
	got=$?
	[ "$got" = "$rc" ] || fail "'$*' exited $got, want $rc (stderr: $(cat /tmp/.stderr))"
	[ -z "$out" ] || fail "'$*' printed '$out' on stdout"
	n=$(wc -l < /tmp/.stderr)
	[ "$n" = 1 ] || fail "'$*' printed $n lines on stderr, want 1: $(cat /tmp/.stderr)"
	grep -qE -- "^plumb-[a-z]+: .*($re)" /tmp/.stderr ||
		fail "'$*' said '$(cat /tmp/.stderr)', want /$re/"
}

# hook STATE CMD...: CMD with the OCI state STATE on stdin
hook() {
	local state=$1
	shift
	printf '%s' "$state" | timeout 10 "$@"
}

# oci_state ID PID [ANNOTATIONS]: the state a runtime gives a hook
oci_state() {
	printf '{"ociVersion":"1.0.2","id":"%s","status":"creating","pid":%s,"bundle":"/tmp","annotations":%s}' \
		"$1" "$2" "${3:-{\}}"
}

# container: a process in a network namespace of its own, in $PID
container() {
	unshare --net sleep 1000 &
	PID=$!
	left $PID || fail "unshare did not leave the sandbox's namespace"
	trap 'kill $PID 2> /dev/null' EXIT
}

# dead: the id of a process that has exited, in $DEAD
dead() {
	sh -c 'exit 0' &
	DEAD=$!
	wait $DEAD
}

# cni_one CODE REGEX PLUGIN VERB CONF [VAR=VALUE]...: PLUGIN run as a
# runtime runs it (CNI_CONTAINERID=c, CNI_NETNS=/run/netns/c,
# CNI_IFNAME=eth0, CNI_PATH plumb's then the reference plugins', then the
# VARs) exits 1, prints one error object with CODE on stdout, and exactly
# one line on stderr: that object's msg
cni_one() {
	local code=$1 re=$2 plugin=$3 verb=$4 conf=$5 out rc n msg
	shift 5
	out=$(printf '%s' "$conf" | env CNI_COMMAND="$verb" CNI_CONTAINERID=c \
		CNI_NETNS=/run/netns/c CNI_IFNAME=eth0 CNI_PATH="$PLUGINS" "$@" \
		timeout 10 "$TOP/$plugin" 2> /tmp/.stderr)
	rc=$?
	[ "$rc" = 1 ] || fail "$plugin $verb exited $rc, want 1: $out $(cat /tmp/.stderr)"
	eq "$(jq -s length <<< "$out")" 1 "JSON values printed by $plugin $verb ($out)"
	eq "$(jq -c .code <<< "$out")" "$code" "code of $plugin $verb ($out)"
	msg=$(jq -r .msg <<< "$out")
	grep -qE -- "$re" <<< "$msg" || fail "$plugin $verb said '$msg', want /$re/"
	n=$(wc -l < /tmp/.stderr)
	[ "$n" = 1 ] || fail "$plugin $verb printed $n lines on stderr, want 1: $(cat /tmp/.stderr)"
	eq "$(cat /tmp/.stderr)" "${plugin##*/}: $msg" "stderr of $plugin $verb"
}

# conf TYPE [JQ]: a network configuration for plugin TYPE, changed by JQ
conf() {
	jq -nc --arg t "$1" "{cniVersion: \"1.0.0\", name: \"net\", type: \$t} | ${2:-.}"
}

# --- plumb-netns ----------------------------------------------------------------

test_netns_command_line_failures_print_one_message() {
	dead
	ok plumb-netns add a
	: > /tmp/file
	: > /run/netns/plain
	one 1 'network namespace "a" already exists$' plumb-netns add a
	one 1 "invalid network namespace name \"a/b\": contains '/'$" plumb-netns add a/b
	one 1 'network namespace "nope" does not exist$' plumb-netns del nope
	one 1 'not a network namespace mount; not deleting it$' plumb-netns del plain
	one 1 "no process $DEAD\$" plumb-netns attach b "$DEAD"
	one 1 "no process $DEAD\$" plumb-netns path "pid:$DEAD"
	one 1 '/tmp/file is not a namespace$' plumb-netns path /tmp/file
	one 1 'network namespace "nope" does not exist$' plumb-netns exec nope -- true
	one 2 'unknown verb "frob"' plumb-netns frob
}

test_netns_oci_hook_failures_print_one_message() {
	container
	dead
	one 1 'read OCI state' hook '{"id":' plumb-netns oci-hook create
	one 1 'OCI state has no "id"$' hook '{"pid":1}' plumb-netns oci-hook create
	one 1 'invalid container id "\.\./x"' hook "$(oci_state ../x $PID)" \
		plumb-netns oci-hook create
	one 1 "process $DEAD of container c1 is not alive\$" hook "$(oci_state c1 "$DEAD")" \
		plumb-netns oci-hook create
	one 1 "annotation plumb.netns-name: invalid network namespace name \"a/b\": contains '/'\$" \
		hook "$(oci_state c1 $PID '{"plumb.netns-name":"a/b"}')" \
		plumb-netns oci-hook create
	ok plumb-netns add taken
	one 1 'network namespace "taken" already exists$' \
		hook "$(oci_state c1 $PID '{"plumb.netns-name":"taken"}')" \
		plumb-netns oci-hook create
}

test_netns_cni_failures_print_one_message() {
	ok ip netns add c
	: > /tmp/file
	cni_one 6 'decode network configuration' netns/plumb-netns ADD '{"cniVersion":'
	cni_one 1 'incompatible CNI version "9\.9\.9"' netns/plumb-netns ADD \
		"$(conf plumb-netns '.cniVersion = "9.9.9"')"
	cni_one 4 '^CNI_CONTAINERID: invalid container id "-c"' netns/plumb-netns ADD \
		"$(conf plumb-netns)" CNI_CONTAINERID=-c
	cni_one 4 '^CNI_IFNAME: invalid interface name' netns/plumb-netns ADD \
		"$(conf plumb-netns)" CNI_IFNAME=eth0123456789abcdef
	cni_one 4 '^CNI_NETNS: /tmp/file is not a namespace$' netns/plumb-netns ADD \
		"$(conf plumb-netns)" CNI_NETNS=/tmp/file
	cni_one 4 '^CNI_NETNS: open network namespace /run/netns/nope' netns/plumb-netns \
		ADD "$(conf plumb-netns)" CNI_NETNS=/run/netns/nope
	cni_one 7 'missing network name|invalid network name' netns/plumb-netns ADD \
		"$(conf plumb-netns '.name = "-x"')"
}

# --- plumb-bridge and plumb-ipam ------------------------------------------------

test_bridge_command_line_failures_print_one_message() {
	ok ip netns add a
	ok ip netns add b
	ok ip netns add full
	ok ip -n full link add eth0 type veth peer name eth1
	ok plumb-bridge add a
	: > /tmp/file
	one 1 'container a has eth0 in network plumb0 already \(bridge plumb0, veth pl[0-9a-f]{12}\); delete it first$' plumb-bridge add a
	one 1 'requested address 10\.88\.0\.2 is already allocated to container a$' \
		plumb-bridge add b --ip 10.88.0.2
	one 1 'invalid subnet "10\.88\.0\.1/16": host bits set$' \
		plumb-bridge add b --bridge br1 --subnet 10.88.0.1/16
	one 1 'invalid MTU "70000": want 68 to 65535$' plumb-bridge add b --mtu 70000
	one 1 'invalid MAC address "01:00:5e:00:00:01": multicast$' \
		plumb-bridge add b --mac 01:00:5e:00:00:01
	one 1 'network namespace "nope" does not exist$' plumb-bridge add nope
	one 1 '/tmp/file is not a namespace$' plumb-bridge add /tmp/file --id f
	one 1 'namespace has an interface eth0 already' plumb-bridge add full
	one 1 'no attachment nope/eth0 in any network$' plumb-bridge check nope
	one 1 'no bridge nope$' plumb-bridge del-bridge nope
	one 1 'bridge plumb0 still has ports' plumb-bridge del-bridge plumb0
	one 1 'no interface v1 in b$' plumb-bridge unlink b:v1
	one 1 'del route default via 10\.1\.0\.1 in b: b has no such route$' \
		plumb-bridge route del b default via 10.1.0.1
	one 1 'network namespace "nope" does not exist$' plumb-bridge -n nope add a --id x
}

test_bridge_oci_hook_failures_print_one_message() {
	container
	dead
	one 1 'read OCI state' hook '{"id":' plumb-bridge oci-hook create
	one 1 "process $DEAD of container c1 is not alive\$" hook "$(oci_state c1 "$DEAD")" \
		plumb-bridge oci-hook create
	one 1 'annotation plumb\.ip: network plumb0 does not let containers choose their address$' \
		hook "$(oci_state c1 $PID '{"plumb.ip":"10.99.0.5"}')" plumb-bridge oci-hook create
	# Where the policy lets them choose, what they choose is checked.
	echo '{"networks": {"plumb0": {"subnets": ["10.88.0.0/16"], "annotations":
		{"plumb.ip": true, "plumb.mac": true, "plumb.mtu": true,
		 "plumb.publish": {"max": 1000}}}}}' > /tmp/policy.json
	one 1 'annotation plumb\.ip: invalid address "10\.99\.0\.5": want auto or an IPv4 address in 10\.88\.0\.0/16$' hook "$(oci_state c1 $PID '{"plumb.ip":"10.99.0.5"}')" \
		plumb-bridge oci-hook create --policy /tmp/policy.json
	one 1 'annotation plumb\.mtu: invalid MTU "70000": want 68 to 65535$' hook "$(oci_state c1 $PID '{"plumb.mtu":"70000"}')" \
		plumb-bridge oci-hook create --policy /tmp/policy.json
	one 1 'annotation plumb\.mac: invalid MAC address "x": want six hex pairs' hook "$(oci_state c1 $PID '{"plumb.mac":"x"}')" \
		plumb-bridge oci-hook create --policy /tmp/policy.json
	one 1 'annotation plumb\.ip: invalid address "999\.1\.1\.1": want auto or an IPv4 address in 10\.88\.0\.0/16$' \
		hook "$(oci_state c1 $PID '{"plumb.ip":"999.1.1.1"}')" \
		plumb-bridge oci-hook create --policy /tmp/policy.json
	one 1 'annotation plumb\.ip: invalid address "fd00::5": want auto or an IPv4 address in 10\.88\.0\.0/16$' \
		hook "$(oci_state c1 $PID '{"plumb.ip":"fd00::5"}')" \
		plumb-bridge oci-hook create --policy /tmp/policy.json
	one 1 'annotation plumb\.mac: invalid MAC address "01:00:5e:00:00:01": multicast$' \
		hook "$(oci_state c1 $PID '{"plumb.mac":"01:00:5e:00:00:01"}')" \
		plumb-bridge oci-hook create --policy /tmp/policy.json
	echo '{"networks": {"v6": {"subnets": ["10.87.0.0/16", "fd00:87::/64"],
		"annotations": {"plumb.mtu": true}}}}' > /tmp/policy6.json
	one 1 'annotation plumb\.mtu: invalid MTU 1000: network v6 has IPv6, which needs 1280 or more$' \
		hook "$(oci_state c1 $PID '{"plumb.network":"v6","plumb.mtu":"1000"}')" \
		plumb-bridge oci-hook create --policy /tmp/policy6.json
	# What plumb-nat's hook would refuse, plumb-bridge's (which runs first)
	# refuses already, before any veth is made.
	one 1 'annotation plumb\.masquerade: invalid value "maybe": want true or false$' \
		hook "$(oci_state c1 $PID '{"plumb.masquerade":"maybe"}')" plumb-bridge oci-hook create
	one 1 'annotation plumb\.publish: invalid publish "8080": want \[HOSTIP:\]HOSTPORT:PORT\[/PROTO\]$' \
		hook "$(oci_state c1 $PID '{"plumb.publish":"8080"}')" plumb-bridge oci-hook create
	one 1 'annotation plumb\.publish: more than 64 specifications$' \
		hook "$(oci_state c1 $PID "{\"plumb.publish\":\"$(seq -s, -f '%g:80' 2000 2064)\"}")" \
		plumb-bridge oci-hook create --policy /tmp/policy.json
	one 1 'annotation plumb\.publish: too long: at most 1023 bytes$' \
		hook "$(oci_state c1 $PID "{\"plumb.publish\":\"$(printf '8080:80,%.0s' {1..150})\"}")" \
		plumb-bridge oci-hook create
	one 1 'annotation plumb\.network: no network "v6": containers may join only the networks the administrator declared \(plumb0\)$' \
		hook "$(oci_state c1 $PID '{"plumb.network":"v6"}')" plumb-bridge oci-hook create
	one 1 'annotation plumb\.subnet: "10\.0\.0\.0/8" is not network plumb0.s subnet 10\.88\.0\.0/16, and annotations choose no subnet of their own$' \
		hook "$(oci_state c1 $PID '{"plumb.subnet":"10.0.0.0/8"}')" plumb-bridge oci-hook create
	one 1 'annotation plumb\.network: invalid network name "a/b": only letters' \
		hook "$(oci_state c1 $PID '{"plumb.network":"a/b"}')" plumb-bridge oci-hook delete
	one 1 'policy /tmp/nope: No such file or directory$' hook "$(oci_state c1 $PID)" \
		plumb-bridge oci-hook create --policy /tmp/nope
	# Nothing was made: the container can still have its interface.
	hook "$(oci_state c1 $PID)" plumb-bridge oci-hook create 2> /tmp/.stderr ||
		fail "create: $(cat /tmp/.stderr)"
	one 1 'container c1 has eth0 in network plumb0 already \(bridge plumb0, veth pl[0-9a-f]{12}\); delete it first$' hook "$(oci_state c1 $PID)" \
		plumb-bridge oci-hook create
}

test_bridge_cni_failures_print_one_message() {
	local ipam='.ipam = {type: "plumb-ipam", ranges: [[{subnet: "10.89.0.0/16"}]]}'
	ok ip netns add c
	: > /tmp/file
	cni_one 6 'decode network configuration' bridge/plumb-bridge ADD '{"cniVersion":'
	cni_one 4 '^CNI_NETNS: /tmp/file is not a namespace$' bridge/plumb-bridge ADD \
		"$(conf plumb-bridge "$ipam")" CNI_NETNS=/tmp/file
	cni_one 7 'invalid "mtu"' bridge/plumb-bridge ADD \
		"$(conf plumb-bridge "$ipam | .mtu = 70000")"
	cni_one 7 'invalid MAC address "01:00:5e:00:00:01": multicast$' bridge/plumb-bridge \
		ADD "$(conf plumb-bridge "$ipam | .runtimeConfig.mac = \"01:00:5e:00:00:01\"")"
	cni_one 7 'host bits' bridge/plumb-bridge ADD \
		"$(conf plumb-bridge '.ipam = {type: "plumb-ipam", ranges: [[{subnet: "10.89.0.1/16"}]]}')"
	cni_one 7 'invalid interface name|bridge' bridge/plumb-bridge ADD \
		"$(conf plumb-bridge "$ipam | .bridge = \"a/b\"")"
}

test_ipam_cni_failures_print_one_message() {
	local one='.ipam = {type: "plumb-ipam", ranges: [[{subnet: "10.94.0.0/30"}]]}'
	ok ip netns add c
	cni_one 7 'host bits' bridge/plumb-ipam ADD \
		"$(conf plumb-ipam '.ipam = {type: "plumb-ipam", ranges: [[{subnet: "10.89.0.1/16"}]]} | .type = "plumb-ipam"')"
	cni_one 4 '^CNI_CONTAINERID: invalid container id' bridge/plumb-ipam ADD \
		"$(conf plumb-ipam "$one")" CNI_CONTAINERID=../x
	printf '%s' "$(conf plumb-ipam "$one")" | CNI_COMMAND=ADD CNI_CONTAINERID=c \
		CNI_NETNS=/run/netns/c CNI_IFNAME=eth0 CNI_PATH="$PLUGINS" \
		"$TOP/bridge/plumb-ipam" > /dev/null 2> /tmp/.stderr ||
		fail "first ADD: $(cat /tmp/.stderr)"
	cni_one 999 'no free address in 10\.94\.0\.0/30$' bridge/plumb-ipam ADD "$(conf plumb-ipam "$one")" \
		CNI_CONTAINERID=d
	cni_one 7 'IP' bridge/plumb-ipam ADD "$(conf plumb-ipam "$one")" CNI_CONTAINERID=e \
		CNI_ARGS='IP=10.99.0.7'
}

# --- plumb-nat ------------------------------------------------------------------

test_nat_command_line_failures_print_one_message() {
	ok plumb-nat publish --id alice 8080 10.88.0.2:80
	ok plumb-nat masq add --id alice 10.0.0.0/16
	one 1 'invalid port 0: want 1 to 65535$' plumb-nat publish 0 10.88.0.2:80
	one 1 'unknown protocol "icmp": want tcp, udp or sctp$' \
		plumb-nat publish 8081/icmp 10.88.0.2:80
	one 1 'tcp port 8080 is taken by alice$' plumb-nat publish --id bob 8080 10.88.0.3:80
	one 1 'tcp port 8080 belongs to alice, not to bob$' \
		plumb-nat unpublish --id bob 8080
	one 1 'invalid subnet "10\.0\.0\.1/16": host bits set$' plumb-nat masq add 10.0.0.1/16
	one 1 '10\.0\.0\.0/8 overlaps 10\.0\.0\.0/16, which alice masquerades$' \
		plumb-nat masq add --id bob 10.0.0.0/8
	one 1 'network namespace "nope" does not exist$' plumb-nat -n nope list
}

test_nat_oci_hook_failures_print_one_message() {
	container
	one 1 'read OCI state' hook '{"id":' plumb-nat oci-hook create
	one 1 'find the address of container c1 in any network' \
		hook "$(oci_state c1 $PID)" plumb-nat oci-hook create --masquerade
	one 1 'annotation plumb\.masquerade: invalid value "maybe": want true or false$' \
		hook "$(oci_state c1 $PID '{"plumb.masquerade":"maybe"}')" \
		plumb-nat oci-hook create
	hook "$(oci_state c1 $PID)" plumb-bridge oci-hook create 2> /tmp/.stderr ||
		fail "plumb-bridge oci-hook create: $(cat /tmp/.stderr)"
	one 1 'annotation plumb\.publish: invalid port 0: want 1 to 65535$' hook "$(oci_state c1 $PID '{"plumb.publish":"0:80"}')" \
		plumb-nat oci-hook create
	one 1 'annotation plumb\.publish: host address 2001:db8::1 and container address 10\.88\.0\.2 are of different families$' \
		hook "$(oci_state c1 $PID '{"plumb.publish":"[2001:db8::1]:8080:80"}')" \
		plumb-nat oci-hook create
	one 1 'annotation plumb\.network: no network "evil0": containers may join only the networks the administrator declared \(plumb0\)$' \
		hook "$(oci_state c1 $PID '{"plumb.network":"evil0"}')" plumb-nat oci-hook create
	one 1 'annotation plumb\.network: invalid network name "a/b": only letters' \
		hook "$(oci_state c1 $PID '{"plumb.network":"a/b"}')" plumb-nat oci-hook delete
	ok plumb-nat publish --id alice 8080 10.88.0.9:80
	one 1 'tcp port 8080 is taken by alice$' \
		hook "$(oci_state c1 $PID '{"plumb.publish":"8080:80"}')" plumb-nat oci-hook create
}

test_nat_cni_failures_print_one_message() {
	local prev='.prevResult = {cniVersion: "1.0.0", interfaces: [{name: "eth0", sandbox: "/run/netns/c"}], ips: [{address: "10.89.0.2/16", interface: 0}]}'
	ok ip netns add c
	cni_one 6 'decode network configuration' nat/plumb-nat ADD '{"cniVersion":'
	cni_one 7 'invalid "runtimeConfig\.portMappings\[0\]"' nat/plumb-nat ADD \
		"$(conf plumb-nat "$prev | .runtimeConfig.portMappings = [{hostPort: 0, containerPort: 80}]")"
	cni_one 7 'invalid "runtimeConfig\.portMappings\[0\]"' nat/plumb-nat ADD \
		"$(conf plumb-nat "$prev | .runtimeConfig.portMappings = [{hostPort: 70000, containerPort: 80}]")"
	cni_one 7 'invalid "runtimeConfig\.portMappings\[0\]\.hostIP"' nat/plumb-nat ADD \
		"$(conf plumb-nat "$prev | .runtimeConfig.portMappings = [{hostPort: 8080, containerPort: 80, hostIP: \"x\"}]")"
	cni_one 7 'ipMasq' nat/plumb-nat ADD "$(conf plumb-nat "$prev | .ipMasq = \"yes\"")"
	cni_one 6 'prevResult' nat/plumb-nat ADD \
		"$(conf plumb-nat '.prevResult = {cniVersion: "1.0.0", ips: [{address: "x"}]}')"
	ok plumb-nat publish --id alice 8080 10.88.0.9:80
	cni_one 999 'tcp port 8080 is taken by alice' nat/plumb-nat ADD \
		"$(conf plumb-nat "$prev | .runtimeConfig.portMappings = [{hostPort: 8080, containerPort: 80}]")"
}

# A delegated IPAM plugin older than spec 1.1.0 is asked VERSION first: GC
# skips it with one warning and no error, STATUS fails with one message (it
# would refuse ADD at 1.1.0). old-ipam predates even VERSION (spec 0.2.0:
# code 4, unknown CNI_COMMAND); Debian's host-local speaks up to 1.0.0.
test_bridge_cni_gc_and_status_with_an_old_ipam_plugin_say_it_once() {
	local ipam conf
	mkdir -p /tmp/old
	printf '#!/bin/sh\necho "{\\"code\\": 4, \\"msg\\": \\"unknown CNI_COMMAND: $CNI_COMMAND\\"}"\nexit 1\n' \
		> /tmp/old/old-ipam
	chmod +x /tmp/old/old-ipam
	for ipam in old-ipam host-local; do
		conf=$(jq -nc --arg t $ipam '{cniVersion: "1.1.0", name: "old", type: "plumb-bridge",
			bridge: "old0", "cni.dev/valid-attachments": [], ipam: {type: $t}}')
		printf '%s' "$conf" | CNI_COMMAND=GC CNI_PATH="/tmp/old:$PLUGINS" \
			timeout 10 "$TOP/bridge/plumb-bridge" > /tmp/.out 2> /tmp/.stderr ||
			fail "GC exited $?: $(cat /tmp/.out /tmp/.stderr)"
		eq "$(cat /tmp/.out)" "" "stdout of GC"
		eq "$(cat /tmp/.stderr)" \
			"plumb-bridge: warning: IPAM plugin $ipam does not speak CNI 1.1.0; its GC is skipped" \
			"stderr of GC"
		cni_one 1 "^IPAM plugin $ipam does not speak CNI 1\.1\.0, the network's version: it would refuse ADD\$" \
			bridge/plumb-bridge STATUS "$conf" CNI_PATH="/tmp/old:$PLUGINS"
	done
}
