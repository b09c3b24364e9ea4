# SPDX-License-Identifier: GPL-2.0-or-later
# plumb-netns against the kernel, with iproute2 as the witness.
#
#   sandbox "host" netns, /run/netns on tmpfs
#     +-- a, b ...   named by plumb-netns or ip netns; each test makes its own
#
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

test_add_list_exec_del_round_trip() {
	ok plumb-netns add a
	eq "$(ip netns list)" "a" "ip netns list after add"
	eq "$(plumb-netns list)" "a" "plumb-netns list after add"
	eq "$(ip -n a -j link show lo | jq -r '.[0].flags | index("UP") != null')" \
		true "lo up in the new namespace"
	eq "$(plumb-netns exec a -- readlink /proc/self/ns/net)" \
		"net:[$(ns_ino /run/netns/a)]" "exec runs inside the namespace"
	ok plumb-netns del a
	eq "$(ip netns list)" "" "ip netns list after del"
	eq "$(ls -A /run/netns)" "" "/run/netns after del"
}

test_list_agrees_with_ip_netns() {
	local n
	for n in one two three; do ok plumb-netns add $n; done
	ok ip netns add four
	ok ip netns set two 7
	eq "$(plumb-netns list)" "$(ip netns list | cut -d' ' -f1)" "plain list: names, in order"
	eq "$(plumb-netns -j list | jq -r '[.[].name] | join(" ")')" \
		"$(ip -j netns list | jq -r '[.[].name] | join(" ")')" "JSON names"
	eq "$(plumb-netns -j list | jq -c '.[] | select(.name == "two") | .nsid')" 7 \
		"nsid in JSON"
	eq "$(plumb-netns -j list | jq -c '.[] | select(.name == "one") | .nsid')" null \
		"no nsid assigned"
	eq "$(plumb-netns -j list | jq '.[] | select(.name == "four") | .inode')" \
		"$(ns_ino /run/netns/four)" "inode in JSON"
}

test_ip_netns_and_plumb_share_namespaces() {
	ok ip netns add made-by-ip
	eq "$(plumb-netns exec made-by-ip -- readlink /proc/self/ns/net)" \
		"net:[$(ns_ino /run/netns/made-by-ip)]" "plumb enters ip's namespace"
	ok plumb-netns del made-by-ip
	ok plumb-netns add made-by-plumb
	ok ip netns exec made-by-plumb true
	ok ip netns del made-by-plumb
	eq "$(ls -A /run/netns)" "" "nothing left"
}

test_list_shows_processes_inside() {
	ok plumb-netns add a
	ip netns exec a sleep 60 &
	local pid=$!
	sleep 0.2
	eq "$(plumb-netns -j list | jq -c ".[0].pids | index($pid) != null")" true \
		"sleep $pid listed in a"
	kill $pid
}

test_attach_names_the_namespace_of_a_process() {
	unshare --net sleep 60 &
	local pid=$!
	sleep 0.2
	ok plumb-netns attach c1 $pid
	eq "$(ns_ino /run/netns/c1)" "$(ns_ino /proc/$pid/ns/net)" "same namespace"
	eq "$(ip netns list)" "c1" "ip netns sees the name"
	eq "$(plumb-netns path c1)" /run/netns/c1 "path of a name"
	eq "$(plumb-netns path $pid)" /proc/$pid/ns/net "path of a process"
	kill $pid
	wait $pid 2> /dev/null
	# The name keeps the namespace alive after its last process.
	ok ip netns exec c1 true
	ok plumb-netns del c1
}

test_add_existing_name_fails_and_changes_nothing() {
	ok plumb-netns add a
	local before ino
	before=$(state)
	ino=$(ns_ino /run/netns/a)
	fails 1 'network namespace "a" already exists' plumb-netns add a
	eq "$(state)" "$before" "state after a failed add"
	eq "$(ns_ino /run/netns/a)" "$ino" "the namespace is still the first one"
}

test_bad_names_are_refused() {
	local before long
	before=$(state)
	long=$(printf 'n%.0s' $(seq 256))
	fails 1 "contains '/'" plumb-netns add a/b
	fails 1 'invalid network namespace name "\.\."' plumb-netns add ..
	fails 1 'invalid network namespace name "\."' plumb-netns add .
	fails 1 'empty' plumb-netns add ""
	fails 1 'longer than 255 bytes' plumb-netns add "$long"
	fails 1 "contains '/'" plumb-netns del ../etc
	fails 1 "contains '/'" plumb-netns attach x/y $$
	eq "$(state)" "$before" "state after bad names"
}

test_del_of_missing_name_fails() {
	ok plumb-netns add a
	fails 1 'network namespace "nope" does not exist' plumb-netns del nope
	# Like ip netns del, the names that exist are deleted all the same.
	fails 1 'network namespace "nope" does not exist' plumb-netns del nope a
	eq "$(ls -A /run/netns)" "" "a deleted"
}

test_del_refuses_what_is_not_a_namespace() {
	touch /run/netns/plain
	fails 1 'not a network namespace mount; not deleting it' plumb-netns del plain
	[ -e /run/netns/plain ] || fail "plain file was removed"
}

test_attach_of_dead_process_fails_and_changes_nothing() {
	local before pid
	sleep 0 &
	pid=$!
	wait $pid
	before=$(state)
	fails 1 "no process $pid" plumb-netns attach gone $pid
	fails 2 'invalid process id "12x"' plumb-netns attach gone 12x
	fails 2 'invalid process id "0"' plumb-netns attach gone 0
	fails 1 "no process $pid" plumb-netns path $pid
	eq "$(state)" "$before" "state after failed attach"
}

test_exec_runs_the_command_itself() {
	ok plumb-netns add a
	# No shell in between: the command's own status comes back.
	plumb-netns exec a -- false
	eq $? 1 "status of false"
	plumb-netns exec a sh -c 'exit 42'
	eq $? 42 "status without --"
	fails 127 'run no-such-command: No such file or directory' \
		plumb-netns exec a -- no-such-command
	# Arguments after the command are the command's, -h included.
	eq "$(plumb-netns exec a -- echo -h)" "-h" "-h passed to the command"
	# /sys shows the namespace's own devices, as with ip netns exec.
	eq "$(plumb-netns exec a -- ls /sys/class/net)" "lo" "/sys of the namespace"
	fails 1 'network namespace "nope" does not exist' plumb-netns exec nope -- true
}

test_exec_binds_etc_netns_files() {
	ok plumb-netns add a
	# A private copy of /etc, so that /etc/netns exists in this sandbox only.
	mkdir /tmp/etc && cp -a /etc/. /tmp/etc/ && mount --bind /tmp/etc /etc ||
		fail "cannot make a private /etc"
	mkdir -p /etc/netns/a
	echo "192.0.2.1 inside" > /etc/netns/a/hosts
	eq "$(plumb-netns exec a -- cat /etc/hosts)" "192.0.2.1 inside" \
		"hosts of the namespace"
	[ "$(cat /etc/hosts)" != "192.0.2.1 inside" ] || fail "the bind leaked out of exec"
}

test_missing_capability_is_named() {
	local before
	command -v capsh > /dev/null || skip "needs capsh (libcap2-bin)"
	before=$(state)
	fails 1 'add needs CAP_SYS_ADMIN, which this process does not have' \
		capsh --drop=cap_sys_admin -- -c 'exec plumb-netns add a'
	fails 1 'del needs CAP_SYS_ADMIN' \
		capsh --drop=cap_sys_admin -- -c 'exec plumb-netns del a'
	fails 1 'add needs CAP_SYS_ADMIN and CAP_NET_ADMIN' \
		capsh --drop=cap_sys_admin,cap_net_admin -- -c 'exec plumb-netns add a'
	eq "$(state)" "$before" "state after refused verbs"
	# list needs nothing.
	ok capsh --drop=cap_sys_admin,cap_net_admin -- -c 'exec plumb-netns list'
}

test_every_verb_has_help_and_usage_errors_exit_2() {
	local v
	for v in add del list show exec attach path; do
		plumb-netns $v -h | grep -q "^usage: plumb-netns $v" ||
			fail "$v -h prints no usage"
	done
	ok plumb-netns --help
	eq "$(plumb-netns --version)" "plumb-netns 0.1.0" "version"
	fails 2 'unknown verb "frobnicate"' plumb-netns frobnicate
	fails 2 'usage' plumb-netns
	fails 2 'usage: plumb-netns add NAME' plumb-netns add
	fails 2 'usage: plumb-netns attach NAME PID' plumb-netns attach a
	fails 2 'unknown option "-x"' plumb-netns -x list
}

# --- the CNI loopback plugin ---------------------------------------------

cni() {	# cni COMMAND NETNS CONFIG: run plumb-netns as a CNI plugin
	echo "$3" | CNI_COMMAND=$1 CNI_CONTAINERID=c1 CNI_NETNS=$2 CNI_IFNAME=lo \
		CNI_PATH=/usr/lib/cni plumb-netns
}

test_cni_loopback_add_check_del() {
	local v conf out
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		ip netns add n
		conf="{\"cniVersion\":\"$v\",\"name\":\"lo\",\"type\":\"plumb-netns\"}"
		out=$(cni ADD /run/netns/n "$conf") || fail "ADD $v: $out"
		eq "$(echo "$out" | jq -r .cniVersion)" "$v" "cniVersion of the result"
		eq "$(echo "$out" | jq -c '[.ips[].address]')" '["127.0.0.1/8","::1/128"]' \
			"addresses in $v"
		eq "$(echo "$out" | jq -c '.interfaces[0]')" \
			'{"name":"lo","mac":"00:00:00:00:00:00","sandbox":"/run/netns/n"}' \
			"interface in $v"
		case $v in
		0.*) eq "$(echo "$out" | jq -c '[.ips[].version]')" '["4","6"]' "ips version in $v" ;;
		*) eq "$(echo "$out" | jq -c '[.ips[].version]')" '[null,null]' "no ips version in $v" ;;
		esac
		eq "$(ip -n n -j link show lo | jq -r '.[0].flags | index("UP") != null')" \
			true "lo up after ADD $v"
		case $v in 0.3.*) ;; *) ok cni CHECK /run/netns/n "$conf" ;; esac
		ok cni DEL /run/netns/n "$conf"
		ip netns del n
		# DEL after the namespace is gone, and with no namespace at all.
		out=$(cni DEL /run/netns/n "$conf") || fail "DEL of gone netns: $out"
		out=$(cni DEL "" "$conf") || fail "DEL without netns: $out"
		[ -z "$out" ] || fail "DEL printed '$out'"
	done
}

test_cni_loopback_check_sees_lo_down() {
	ip netns add n
	ip -n n link set lo down
	local out
	out=$(cni CHECK /run/netns/n '{"cniVersion":"1.0.0","name":"lo","type":"x"}')
	eq $? 1 "CHECK status"
	eq "$(echo "$out" | jq -r .msg)" "lo in /run/netns/n is down" "CHECK message"
}

test_cni_loopback_matches_the_reference_plugin() {
	[ -x /usr/lib/cni/loopback ] || skip "needs containernetworking-plugins"
	local conf='{"cniVersion":"1.0.0","name":"lo","type":"loopback"}' ours ref
	ip netns add n
	ip netns add r
	ours=$(cni ADD /run/netns/n "$conf")
	ref=$(echo "$conf" | CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/r \
		CNI_IFNAME=lo CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback)
	eq "$(echo "$ours" | jq -S -c '{ips, interfaces: [.interfaces[] | del(.sandbox)]}')" \
		"$(echo "$ref" | jq -S -c '{ips, interfaces: [.interfaces[] | del(.sandbox)]}')" \
		"plumb and reference results"
	eq "$(ip -n n -j addr show lo | jq -c '[.[0].addr_info[].local]')" \
		"$(ip -n r -j addr show lo | jq -c '[.[0].addr_info[].local]')" \
		"the kernel's view"
}

test_cni_errors_are_json_on_stdout() {
	local out
	ip netns add n
	# code 1: a version plumb does not speak, and CHECK before 0.4.0
	out=$(cni ADD /run/netns/n '{"cniVersion":"0.2.0","name":"lo"}')
	eq "$(echo "$out" | jq -c '[.code, .cniVersion]')" '[1,"1.1.0"]' "code 1"
	out=$(cni CHECK /run/netns/n '{"cniVersion":"0.3.1","name":"lo"}')
	eq "$(echo "$out" | jq .code)" 1 "CHECK on 0.3.1"
	# code 4: missing or bad environment, naming the variable
	out=$(echo '{}' | CNI_COMMAND=ADD plumb-netns)
	eq "$(echo "$out" | jq -r '[.code, .msg] | @tsv')" \
		"$(printf '4\trequired environment variable CNI_CONTAINERID missing')" "code 4"
	out=$(cni ADD /etc/hostname '{"cniVersion":"1.0.0","name":"lo"}')
	eq "$(echo "$out" | jq -r '[.code, .msg] | @tsv')" \
		"$(printf '4\tCNI_NETNS: /etc/hostname is not a namespace')" "regular file"
	out=$(cni ADD /proc/self/ns/mnt '{"cniVersion":"1.0.0","name":"lo"}')
	eq "$(echo "$out" | jq -r .code)" 4 "mount namespace"
	out=$(cni ADD /proc/self/ns/net '{"cniVersion":"1.0.0","name":"lo"}')
	eq "$(echo "$out" | jq -r .msg)" \
		"CNI_NETNS=/proc/self/ns/net is the plugin's own network namespace" "own netns"
	out=$(echo '{"cniVersion":"1.0.0","name":"lo"}' | CNI_COMMAND=ADD \
		CNI_CONTAINERID=../x CNI_NETNS=/run/netns/n CNI_IFNAME=lo CNI_PATH=/x plumb-netns)
	eq "$(echo "$out" | jq .code)" 4 "bad container id"
	out=$(echo '{"cniVersion":"1.0.0","name":"lo"}' | CNI_COMMAND=FROB plumb-netns)
	eq "$(echo "$out" | jq -r .msg)" 'unknown CNI_COMMAND "FROB"' "unknown command"
	# code 6: not JSON, with line and column
	out=$(cni ADD /run/netns/n '{"cniVersion": "1.0.0",')
	eq "$(echo "$out" | jq .code)" 6 "code 6"
	echo "$out" | jq -r .msg | grep -q 'at line 2 column 0' || fail "no position: $out"
	# code 7: no network name
	out=$(cni ADD /run/netns/n '{"cniVersion":"1.0.0"}')
	eq "$(echo "$out" | jq -r '[.code, .msg] | @tsv')" \
		"$(printf '7\tmissing network name')" "code 7"
	# Nothing happened to lo.
	eq "$(ip -n n -j link show lo | jq -r '.[0].flags | index("UP") != null')" \
		false "lo untouched by failed calls"
}

test_cni_version() {
	local out
	out=$(CNI_COMMAND=VERSION plumb-netns < /dev/null)
	eq "$(echo "$out" | jq -c .supportedVersions)" \
		'["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]' "supported versions"
}
