# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile input: each front end of each tool (command line, OCI hook, CNI
# plugin), given what a broken runtime, a wrong config or another user could
# give it, says precisely what is wrong, exits non-zero (CNI: 1, with the
# right code in the one error object on stdout) and changes nothing. What
# plumb did not make, it never deletes; its state files are private and a
# symlink planted in their place is never followed.
#
#   sandbox "host" netns: lo, plus what a test plants there (a foreign veth
#   under a name plumb derives, a foreign bridge, foreign nft tables)
#     a, b       named namespaces, the containers
#   /etc/passwd  a private copy bound over the real one where a test plants
#                a symlink to it, so that nothing else could be harmed
#
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

IPAM=/run/plumb/ipam
RECORDS=/run/plumb/attach
CNI_NETWORKS=/var/lib/cni/networks

# Configurations of each plugin, good but for what a test changes.
BR='{"cniVersion":"1.1.0","name":"net1","type":"plumb-bridge","bridge":"cni0",
"isGateway":true,"ipam":{"type":"plumb-ipam","subnet":"10.22.0.0/24"}}'
IPAM_CONF='{"cniVersion":"1.1.0","name":"net1","type":"plumb-bridge",
"ipam":{"type":"plumb-ipam","subnet":"10.22.0.0/24"}}'
NAT='{"cniVersion":"1.1.0","name":"net1","type":"plumb-nat"}'
LO='{"cniVersion":"1.1.0","name":"lo","type":"plumb-netns"}'

# conf_of PLUGIN: a good configuration for PLUGIN
conf_of() {
	case $1 in
	plumb-bridge) echo "$BR" ;;
	plumb-ipam) echo "$IPAM_CONF" ;;
	plumb-nat) echo "$NAT" ;;
	plumb-netns) echo "$LO" ;;
	esac
}

# cni PLUGIN COMMAND NETNS ID IFNAME CONF: run PLUGIN as a CNI plugin (at
# most 10 s: a hang is a failure, not a stuck test), CNI_PATH being
# $CNI_PATH_TEST or the reference plugins'; stdout as it printed it
cni() {
	printf '%s' "$6" | CNI_COMMAND=$2 CNI_NETNS=$3 CNI_CONTAINERID=$4 CNI_IFNAME=$5 \
		CNI_PATH=${CNI_PATH_TEST:-/usr/lib/cni} timeout 10 "$1"
}

# cni_ok PLUGIN COMMAND NETNS ID IFNAME CONF: it succeeds; its output in $OUT
cni_ok() {
	OUT=$(cni "$@" 2> /tmp/.stderr) ||
		fail "$1 $2 (CNI_NETNS=$3 CNI_IFNAME=$5) failed: $OUT $(cat /tmp/.stderr)"
}

# cni_fails CODE REGEX PLUGIN COMMAND NETNS ID IFNAME CONF: it exits 1 and
# prints one error object on stdout, with CODE and a msg matching REGEX
cni_fails() {
	local code=$1 re=$2 out rc msg
	shift 2
	out=$(cni "$@" 2> /tmp/.stderr)
	rc=$?
	[ "$rc" = 1 ] || fail "$1 $2 (CNI_NETNS=$3 CNI_CONTAINERID=$4 CNI_IFNAME=$5)" \
		"exited $rc, want 1: $out $(cat /tmp/.stderr)"
	eq "$(jq -s length <<< "$out")" 1 "JSON values printed by $1 $2 ($out)"
	eq "$(jq -c .code <<< "$out")" "$code" "code of $1 $2 ($out)"
	msg=$(jq -r .msg <<< "$out")
	grep -qE -- "$re" <<< "$msg" || fail "$1 $2 said '$msg', want /$re/"
}

# n_leases DIR: how many lease files (named after IPv4 addresses) DIR holds
n_leases() {
	find "$1" -maxdepth 1 -name '[0-9]*.[0-9]*.[0-9]*.[0-9]*' | wc -l
}

# oci_state ID PID: the state a runtime gives a hook
oci_state() {
	printf '{"ociVersion":"1.0.2","id":"%s","status":"creating","pid":%s,"bundle":"/tmp"}' \
		"$1" "$2"
}

# hook_fails REGEX STATE TOOL ARGS...: TOOL oci-hook ARGS, STATE on stdin,
# exits 1 saying REGEX and nothing on stdout
hook_fails() {
	local re=$1 state=$2
	shift 2
	fails 1 "$re" hook_run "$state" "$@"
}
hook_run() {
	local state=$1
	shift
	printf '%s' "$state" | timeout 10 "$@"
}

# now: state (lib.sh) but for what the kernel changes by itself a moment
# after a port comes or goes (carrier flags, reported up to a second late by
# linkwatch; IPv6 link-local addresses), so that what plumb changed, or did
# not, can be compared at once after a bridge's ports changed
now() {
	ip -j link show | jq -c '[.[] | {ifname, master,
		flags: (.flags - ["LOWER_UP", "NO-CARRIER", "M-DOWN"])}] | sort_by(.ifname)'
	ip -j addr show | jq -c '[.[] | {ifname,
		a: [.addr_info[] | select(.scope != "link") | .local]}] | sort_by(.ifname)'
	ls -A /run/netns
	find /run/plumb /var/lib/cni 2> /dev/null | sort
	nft -s list ruleset 2> /dev/null
}

# inside NS: the interfaces of NS, their hardware and global addresses
inside() {
	ip -n "$1" -j addr show | jq -c '[.[] | {ifname, address,
		a: [.addr_info[] | select(.scope != "link") | .local]}]'
}

# up NS IF: IF is up inside NS ("" for the sandbox host)
up() {
	ip ${1:+-n "$1"} -j link show dev "$2" |
		jq -e '.[0].flags | index("UP") != null' > /dev/null
}

# private_passwd: bind a copy over /etc/passwd (this mount namespace only),
# so that a symlink planted to it points at nothing anyone else reads
private_passwd() {
	cp /etc/passwd /tmp/passwd && mount --bind /tmp/passwd /etc/passwd ||
		fail "cannot bind a private /etc/passwd"
	cp /etc/passwd /tmp/passwd.orig
}

passwd_untouched() {
	cmp -s /etc/passwd /tmp/passwd.orig || fail "/etc/passwd was written through"
}

# --- CNI_NETNS and NETNS -----------------------------------------------------

test_cni_netns_that_is_no_container_namespace_is_refused() {
	local p before
	ok ip netns add a
	touch /tmp/regular
	mkfifo /tmp/fifo
	ln -s /tmp/fifo /tmp/fifo-link
	ln -s /proc/self/ns/net /tmp/self-link
	before=$(state)
	for p in plumb-netns plumb-bridge plumb-ipam plumb-nat; do
		cni_fails 4 '^CNI_NETNS: /tmp/regular is not a namespace$' \
			$p ADD /tmp/regular c1 eth0 "$(conf_of $p)"
		# Not opened for real: a FIFO would block the plugin for good.
		cni_fails 4 '^CNI_NETNS: /tmp/fifo is not a namespace$' \
			$p ADD /tmp/fifo c1 eth0 "$(conf_of $p)"
		cni_fails 4 '^CNI_NETNS: /tmp/fifo-link is not a namespace$' \
			$p ADD /tmp/fifo-link c1 eth0 "$(conf_of $p)"
		cni_fails 4 '^CNI_NETNS: /dev/null is not a namespace$' \
			$p ADD /dev/null c1 eth0 "$(conf_of $p)"
		cni_fails 4 '^CNI_NETNS: /run/netns is not a namespace$' \
			$p ADD /run/netns c1 eth0 "$(conf_of $p)"
		cni_fails 4 '^CNI_NETNS: /proc/self/ns/mnt is not a network namespace$' \
			$p ADD /proc/self/ns/mnt c1 eth0 "$(conf_of $p)"
		cni_fails 4 "^CNI_NETNS=/proc/self/ns/net is the plugin's own network namespace\$" \
			$p ADD /proc/self/ns/net c1 eth0 "$(conf_of $p)"
		cni_fails 4 "^CNI_NETNS=/tmp/self-link is the plugin's own network namespace\$" \
			$p ADD /tmp/self-link c1 eth0 "$(conf_of $p)"
		cni_fails 4 '^CNI_NETNS: open network namespace /nope: No such file or directory$' \
			$p ADD /nope c1 eth0 "$(conf_of $p)"
	done
	# The sandbox's pid 1 lives in the plugin's namespace. (plumb-ipam and
	# plumb-nat, which keep no CAP_SYS_PTRACE, cannot open its file to see
	# that, and need not: they never work in the namespace.)
	for p in plumb-netns plumb-bridge; do
		cni_fails 4 "^CNI_NETNS=/proc/1/ns/net is the plugin's own network namespace\$" \
			$p ADD /proc/1/ns/net c1 eth0 "$(conf_of $p)"
	done
	eq "$(state)" "$before" "state after bad CNI_NETNS"
	eq "$(ip -n a -j link show | jq -r '[.[].ifname] | join(" ")')" lo "a untouched"
}

# CNI_NETNS as the spec's example gives it, /proc/PID/ns/net, of a process
# holding capabilities the plugin dropped: opening it takes CAP_SYS_PTRACE,
# which the plugins that enter the namespace keep; the others (plumb-ipam,
# plumb-nat) check it as far as they can open it, and need no more.
test_cni_netns_of_a_process_with_more_capabilities_is_used() {
	local pid prev
	unshare --net sleep 60 &
	pid=$!
	left $pid || fail "sleep $pid did not get a namespace of its own"
	cni_ok plumb-netns ADD /proc/$pid/ns/net c1 lo "$LO"
	cni_ok plumb-bridge ADD /proc/$pid/ns/net c1 eth0 "$BR"
	eq "$(nsenter -t $pid -n ip -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')" 10.22.0.2 "address in sleep's namespace"
	prev=$(jq -c '{cniVersion, interfaces, ips}' <<< "$OUT")
	cni_ok plumb-nat ADD /proc/$pid/ns/net c1 eth0 "$(jq -c --argjson p "$prev" \
		'.prevResult = $p | .runtimeConfig.portMappings =
		[{hostPort: 8080, containerPort: 80, protocol: "tcp"}]' <<< "$NAT")"
	grep -q 'tcp \. 8080 .*comment "cni@net1/c1/eth0" : 10\.22\.0\.2 \. 80' <<< "$(nft list ruleset)" ||
		fail "port 8080 not published: $(nft list ruleset)"
	cni_ok plumb-ipam ADD /proc/$pid/ns/net c2 eth0 "$IPAM_CONF"
	cni_ok plumb-ipam DEL /proc/$pid/ns/net c2 eth0 "$IPAM_CONF"
	cni_ok plumb-nat DEL /proc/$pid/ns/net c1 eth0 "$NAT"
	cni_ok plumb-bridge DEL /proc/$pid/ns/net c1 eth0 "$BR"
	eq "$(nsenter -t $pid -n ip -j link show | jq -r '[.[].ifname] | join(" ")')" lo \
		"eth0 gone"
	kill $pid
}

# A symlink to a network namespace is followed as any path is: what it leads
# to must be a network namespace and not the plugin's own, checked on the
# very file opened, so there is no window between check and use. The record
# keeps CNI_NETNS as given; DEL needs neither it nor the namespace (it deletes
# the host end of the veth, by name and alias), so a symlink repointed at
# another container later makes DEL touch nothing of that container, and
# CHECK only looks.
test_cni_netns_symlink_leads_to_a_checked_namespace() {
	local b_links
	ok ip netns add a
	ok ip netns add b
	ln -s /run/netns/a /tmp/planted
	cni_ok plumb-bridge ADD /tmp/planted c1 eth0 "$BR"
	eq "$(jq -r '.interfaces[2] | "\(.name) \(.sandbox)"' <<< "$OUT")" \
		"eth0 /tmp/planted" "interface in the result"
	eq "$(ip -n a -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')" 10.22.0.2 "address in a"
	eq "$(jq -r .netns $RECORDS/net1/c1:eth0.json)" /tmp/planted "netns recorded"

	# Repointed at b: CHECK looks in b, DEL leaves b alone.
	ln -sfn /run/netns/b /tmp/planted
	b_links=$(ip -n b -j link show | jq -c '[.[] | {ifname, flags}]')
	cni_fails 999 '^container c1: eth0 is missing in the container' \
		plumb-bridge CHECK /tmp/planted c1 eth0 "$BR"
	cni_ok plumb-bridge DEL /tmp/planted c1 eth0 "$BR"
	eq "$(ip -n b -j link show | jq -c '[.[] | {ifname, flags}]')" "$b_links" \
		"b untouched by DEL"
	eq "$(ip -n a -j link show | jq -r '[.[].ifname] | join(" ")')" lo \
		"eth0 of a gone with its host end"
	eq "$(n_leases $CNI_NETWORKS/net1)" 0 "lease released"

	# A symlink in /run/netns, as some runtimes make, works the same.
	ln -s /run/netns/b /run/netns/alias
	ok ip -n b link set lo down
	cni_ok plumb-netns ADD /run/netns/alias c2 lo "$LO"
	up b lo || fail "lo of b not brought up through the symlink"
	ln -s /proc/self/ns/net /run/netns/self
	cni_fails 4 "^CNI_NETNS=/run/netns/self is the plugin's own network namespace\$" \
		plumb-bridge ADD /run/netns/self c3 eth0 "$BR"
}

test_host_namespace_is_no_container_for_the_command_line_or_hooks() {
	local before pid
	ok ip netns add h
	mkfifo /tmp/fifo
	setpriv --reuid 65534 --regid 65534 --clear-groups sleep 60 &
	pid=$!
	before=$(state)
	fails 1 "^plumb-bridge: /proc/self/ns/net is the host side's network namespace, not a container's\$" \
		plumb-bridge add /proc/self/ns/net --id self
	fails 1 "^plumb-bridge: /proc/1/ns/net is the host side's network namespace" \
		plumb-bridge add pid:1 --id p1
	fails 1 "^plumb-bridge: /run/netns/h is the host side's network namespace" \
		plumb-bridge -n h add h
	# The hook given a host process (pid 1, or another user's in the host
	# namespace) instead of the container's.
	hook_fails "^plumb-bridge: /proc/1/ns/net is the host side's network namespace" \
		"$(oci_state c1 1)" plumb-bridge oci-hook create
	hook_fails "^plumb-bridge: /proc/$pid/ns/net is the host side's network namespace" \
		"$(oci_state c1 $pid)" plumb-bridge oci-hook create
	# Paths that are no namespace, opened without blocking.
	fails 1 '^plumb-bridge: /tmp/fifo is not a namespace$' \
		timeout 10 plumb-bridge add /tmp/fifo --id f
	fails 1 '^plumb-bridge: /dev/null is not a namespace$' \
		timeout 10 plumb-bridge add /dev/null --id f
	fails 1 '^plumb-bridge: /tmp/fifo is not a namespace$' \
		timeout 10 plumb-bridge -n /tmp/fifo add --bridge br1
	fails 1 '^plumb-nat: /tmp/fifo is not a namespace$' timeout 10 plumb-nat -n /tmp/fifo list
	fails 1 '^plumb-netns: /tmp/fifo is not a namespace$' timeout 10 plumb-netns path /tmp/fifo
	eq "$(state)" "$before" "state after the host's namespace as a container's"
	kill $pid
}

# --- names -----------------------------------------------------------------

test_bad_container_ids_and_interface_names_are_refused_everywhere() {
	local p v long before
	ok ip netns add a
	long=$(printf 'c%.0s' $(seq 300))
	before=$(state)
	for p in plumb-netns plumb-bridge plumb-ipam plumb-nat; do
		for v in ADD DEL; do
			cni_fails 4 "^CNI_CONTAINERID: invalid container id \"\\.\\./x\": only letters" \
				$p $v /run/netns/a ../x eth0 "$(conf_of $p)"
			cni_fails 4 '^CNI_CONTAINERID: invalid container id: longer than 200 bytes$' \
				$p $v /run/netns/a "$long" eth0 "$(conf_of $p)"
			cni_fails 4 '^CNI_CONTAINERID: invalid container id "c\?": only letters' \
				$p $v /run/netns/a $'c\xff' eth0 "$(conf_of $p)"
			cni_fails 4 '^CNI_IFNAME: invalid interface name "\.\."$' \
				$p $v /run/netns/a c1 .. "$(conf_of $p)"
			cni_fails 4 "^CNI_IFNAME: invalid interface name \"eth0/x\": contains '/'\$" \
				$p $v /run/netns/a c1 eth0/x "$(conf_of $p)"
			cni_fails 4 '^CNI_IFNAME: invalid interface name "eth0123456789abc": longer than 15 bytes$' \
				$p $v /run/netns/a c1 eth0123456789abc "$(conf_of $p)"
			cni_fails 4 '^CNI_IFNAME: invalid interface name "e\?": not UTF-8$' \
				$p $v /run/netns/a c1 $'e\xff' "$(conf_of $p)"
		done
	done

	fails 1 'invalid container id "\.\./x": only letters' plumb-bridge add a --id ../x
	fails 1 'invalid container id: longer than 200 bytes' plumb-bridge add a --id "$long"
	fails 1 'invalid interface name "\.\."$' plumb-bridge add a --ifname ..
	fails 1 "invalid interface name \"eth0/x\": contains '/'" \
		plumb-bridge add a --ifname eth0/x
	fails 1 'invalid interface name "eth0123456789abc": longer than 15 bytes' \
		plumb-bridge add a --ifname eth0123456789abc
	fails 1 'invalid container id "\.\./x": only letters' plumb-bridge del --id ../x
	fails 1 'invalid interface name "\.\."$' plumb-bridge del a --ifname ..
	fails 1 'invalid network name "\.\./n": only letters' plumb-bridge add a --network ../n
	fails 1 'invalid owner "\.\./x"' plumb-nat publish 8080 10.88.0.2:80 --id ../x
	hook_fails 'invalid container id "\.\./x": only letters' \
		"$(oci_state ../x $$)" plumb-bridge oci-hook create
	hook_fails 'invalid container id: longer than 200 bytes' \
		"$(oci_state "$long" 0)" plumb-bridge oci-hook delete
	hook_fails 'invalid container id "\.\./x": only letters' \
		"$(oci_state ../x 0)" plumb-nat oci-hook delete
	hook_fails 'invalid container id "\.\./x": only letters' \
		"$(oci_state ../x $$)" plumb-netns oci-hook create
	hook_fails 'invalid interface name "\.\."$' \
		"$(oci_state c1 0)" plumb-bridge oci-hook delete --ifname ..
	eq "$(state)" "$before" "state after bad names"
}

# --- JSON ------------------------------------------------------------------

test_hostile_json_is_refused_as_undecodable() {
	local p deep before
	ok ip netns add a
	deep=$(head -c 100000 /dev/zero | tr '\0' '[')
	before=$(state)
	for p in plumb-netns plumb-bridge plumb-ipam plumb-nat; do
		cni_fails 6 "^decode network configuration: duplicate object key near '\"name\"'" \
			$p ADD /run/netns/a c1 eth0 '{"cniVersion":"1.1.0","name":"n","name":"m"}'
		cni_fails 6 '^decode network configuration: maximum parsing depth reached' \
			$p ADD /run/netns/a c1 eth0 "$deep"
		cni_fails 6 '^decode network configuration: maximum parsing depth reached' \
			$p ADD /run/netns/a c1 eth0 "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"x\":$deep"
		cni_fails 6 "^decode network configuration: real number overflow near '1e400'" \
			$p ADD /run/netns/a c1 eth0 '{"cniVersion":"1.1.0","name":"n","mtu":1e400}'
		cni_fails 6 "^decode network configuration: too big integer near '18446744073709551616'" \
			$p ADD /run/netns/a c1 eth0 \
			'{"cniVersion":"1.1.0","name":"n","mtu":18446744073709551616}'
		cni_fails 6 '^decode network configuration: unable to decode byte 0xff' \
			$p ADD /run/netns/a c1 eth0 $'{"cniVersion":"1.1.0","name":"n\xff"}'
		cni_fails 6 '^decode network configuration: unable to decode byte 0xc0' \
			$p ADD /run/netns/a c1 eth0 $'{"cniVersion":"1.1.0","name":"n","x":"\xc0\xaf"}'
		# The error object names the newest version when none could be read.
		eq "$(cni $p ADD /run/netns/a c1 eth0 "$deep" 2> /dev/null | jq -r .cniVersion)" \
			1.1.0 "cniVersion of the error object"
	done
	# Well formed, out of range: the key is named.
	cni_fails 7 '^invalid "mtu": want an integer from 0 to 65535$' \
		plumb-bridge ADD /run/netns/a c1 eth0 \
		'{"cniVersion":"1.1.0","name":"n","type":"plumb-bridge","mtu":65536}'
	cni_fails 7 '^invalid "mtu": want an integer from 0 to 65535$' \
		plumb-bridge ADD /run/netns/a c1 eth0 \
		'{"cniVersion":"1.1.0","name":"n","type":"plumb-bridge","mtu":1500.5}'

	for p in plumb-netns plumb-bridge plumb-nat; do
		hook_fails "read OCI state from stdin: duplicate object key near '\"id\"'" \
			'{"ociVersion":"1.0.2","id":"x","id":"y","pid":1}' $p oci-hook create
		hook_fails 'read OCI state from stdin: maximum parsing depth reached' \
			"{\"id\":\"x\",\"annotations\":$deep" $p oci-hook create
		hook_fails "read OCI state from stdin: real number overflow near '1e400'" \
			'{"ociVersion":"1.0.2","id":"x","pid":1e400}' $p oci-hook create
		hook_fails "read OCI state from stdin: too big integer near '18446744073709551616'" \
			'{"ociVersion":"1.0.2","id":"x","pid":18446744073709551616}' \
			$p oci-hook create
		hook_fails 'read OCI state from stdin: unable to decode byte 0xff' \
			$'{"ociVersion":"1.0.2","id":"x\xff","pid":1}' $p oci-hook create
		hook_fails 'invalid "pid": want an integer from 0 to 4194304' \
			'{"ociVersion":"1.0.2","id":"x","pid":-1}' $p oci-hook create
	done
	eq "$(state)" "$before" "state after hostile JSON"
}

# --- data directories --------------------------------------------------------

test_data_dir_planted_or_open_to_others_is_refused() {
	local before files d conf
	ok ip netns add a
	mkdir /tmp/real
	# Planted by another user in /tmp: a symlink, a directory of theirs.
	ln -s /tmp/real /tmp/link
	chown -h 65534:65534 /tmp/link
	mkdir /tmp/theirs
	chown 65534:65534 /tmp/theirs
	mkdir /tmp/open
	chmod 0777 /tmp/open
	# A directory of ours, with a network's directory planted in it.
	mkdir -m 0700 /tmp/good
	ln -s /tmp/real /tmp/good/plumb0
	ln -s /tmp/real /tmp/good/net1
	before=$(state)
	files=$(find /tmp/real /tmp/theirs /tmp/open /tmp/good | sort)

	fails 1 '^plumb-bridge: /tmp/link is a symlink; refusing it$' \
		plumb-bridge add a --data-dir /tmp/link
	fails 1 '^plumb-bridge: /tmp/theirs belongs to user 65534, not to us; refusing it$' \
		plumb-bridge add a --data-dir /tmp/theirs
	fails 1 '^plumb-bridge: /tmp/open is writable by others; refusing it$' \
		plumb-bridge add a --data-dir /tmp/open
	fails 1 '^plumb-bridge: /tmp/good/plumb0 is a symlink; refusing it$' \
		plumb-bridge add a --data-dir /tmp/good
	fails 1 '^plumb-bridge: /tmp/good/plumb0 is a symlink; refusing it$' \
		plumb-bridge del a --data-dir /tmp/good

	for d in /tmp/link /tmp/theirs /tmp/open /tmp/good/net1; do
		conf=$(jq -c --arg d "${d%/net1}" '.ipam.dataDir = $d' <<< "$BR")
		cni_fails 7 "^invalid \"ipam.dataDir\": $d (is a symlink|belongs to user 65534|is writable by others)" \
			plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
		cni_fails 7 "^invalid \"ipam.dataDir\": $d " \
			plumb-ipam ADD /run/netns/a c1 eth0 "$conf"
	done
	conf=$(jq -c '.ipam.dataDir = "/tmp/good"' <<< "$BR")
	cni_fails 7 '^invalid "ipam.dataDir": /tmp/good/net1 is a symlink' \
		plumb-bridge DEL /run/netns/a c1 eth0 "$conf"
	cni_fails 7 '^invalid "ipam.dataDir": /tmp/good/net1 is a symlink' \
		plumb-ipam DEL /run/netns/a c1 eth0 "$conf"
	eq "$(state)" "$before" "state after refused data directories"
	eq "$(find /tmp/real /tmp/theirs /tmp/open /tmp/good | sort)" "$files" \
		"nothing made in the planted directories"

	# The store made unsafe under an attachment: del says so and keeps the
	# record, so that a del once it is safe again releases the lease.
	ok plumb-bridge add a
	chmod 0777 $IPAM
	fails 1 "^plumb-bridge: $IPAM is writable by others; refusing it\$" plumb-bridge del a
	[ -e $RECORDS/plumb0/a:eth0.json ] || fail "record deleted with the lease kept"
	[ -e $IPAM/plumb0/10.88.0.2 ] || fail "lease gone from a refused store"
	chmod 0700 $IPAM
	ok plumb-bridge del a
	eq "$(ls -A $RECORDS/plumb0) $(n_leases $IPAM/plumb0)" " 0" \
		"record and lease after the second del"
}

# --- what plumb did not make -------------------------------------------------

test_del_never_deletes_a_foreign_device_under_a_derived_name() {
	local v before
	ok ip netns add a
	# The host veth's name is derived from (network, id, ifname): learn it.
	v=$(plumb-bridge -j add a --network net1 --id c1 --bridge cni0 \
		--subnet 10.22.0.0/24 | jq -r .host_veth)
	[ -n "$v" ] && [ "$v" != null ] || fail "add printed no host veth"
	ok plumb-bridge del --network net1 --id c1
	eq "$(ip -d -j link show | jq -r --arg v "$v" '.[] | select(.ifname == $v) | .ifname')" \
		"" "plumb's veth deleted"

	# Someone else's veth under that name.
	ok ip link add "$v" type veth peer name foreign0
	before=$(now)
	fails 1 "^plumb-bridge: $v is a veth that plumb did not create; not deleting it\$" \
		plumb-bridge del --network net1 --id c1
	cni_fails 999 "^$v is a veth that plumb did not create; not deleting it\$" \
		plumb-bridge DEL /run/netns/a c1 eth0 "$BR"
	eq "$(now)" "$before" "state after del of a foreign veth"

	# Another kind of device under that name.
	ok ip link del "$v"
	ip link add "$v" type dummy 2> /dev/null || ok ip link add "$v" type bridge
	before=$(now)
	fails 1 "^plumb-bridge: $v is a (dummy|bridge), not plumb's veth; not deleting it\$" \
		plumb-bridge del --network net1 --id c1
	eq "$(now)" "$before" "state after del of a foreign device"
}

test_del_leaves_interfaces_plumb_did_not_make() {
	local before lo_a
	ok ip netns add a
	# A store and a record directory exist, so states compare.
	cni_ok plumb-bridge ADD /run/netns/a c0 eth0 "$BR"
	cni_ok plumb-bridge DEL /run/netns/a c0 eth0 "$BR"
	before=$(now)
	lo_a=$(ip -n a -j addr show dev lo | jq -c '[.[0].flags, [.[0].addr_info[].local]]')
	# DEL of an attachment that never existed, named after a's lo.
	cni_ok plumb-bridge DEL /run/netns/a c1 lo "$BR"
	cni_ok plumb-netns DEL /run/netns/a c1 lo "$LO"
	cni_ok plumb-ipam DEL /run/netns/a c1 lo "$IPAM_CONF"
	cni_ok plumb-nat DEL /run/netns/a c1 lo "$NAT"
	ok plumb-bridge del a --ifname lo
	# ADD over a's lo is refused, and takes nothing.
	cni_fails 999 "^the container's namespace has an interface lo already\$" \
		plumb-bridge ADD /run/netns/a c1 lo "$BR"
	eq "$(ip -n a -j addr show dev lo | jq -c '[.[0].flags, [.[0].addr_info[].local]]')" \
		"$lo_a" "lo of a"
	up "" lo || fail "the host's lo went down"
	eq "$(now)" "$before" "state after DEL and ADD of lo"

	# A bridge plumb made, with a port it did not make; one it did not make.
	ok ip link add fport type veth peer name fpeer
	ok ip link set fport master cni0
	ok ip link add br7 type bridge
	before=$(now)
	fails 1 '^plumb-bridge: bridge cni0 still has ports: fport$' plumb-bridge del-bridge cni0
	fails 1 '^plumb-bridge: bridge br7 was not created by plumb; not deleting it$' \
		plumb-bridge del-bridge br7
	fails 1 '^plumb-bridge: fpeer is not a bridge; not deleting it$' \
		plumb-bridge del-bridge fpeer
	eq "$(now)" "$before" "state after refused del-bridge"
}

# A second ADD of a live attachment is refused before anything runs, and
# the first stays whole: its veth on the bridge, the container's eth0 and
# address, its record, its lease, its published port. (Undoing the failed
# second ADD used to undo the first.)
test_duplicate_add_is_refused_and_the_first_attachment_stays_whole() {
	local conf v first prev
	ok ip netns add a
	ok ip netns add b
	# Without IPAM, as the issue found it; then with plumb-ipam.
	conf=$(jq -c 'del(.ipam)' <<< "$BR")
	cni_ok plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
	v=$(jq -r .host_veth $RECORDS/net1/c1:eth0.json)
	cni_ok plumb-bridge ADD /run/netns/b c2 eth0 "$BR"
	prev=$(jq -c '{cniVersion, interfaces, ips}' <<< "$OUT")
	cni_ok plumb-nat ADD /run/netns/b c2 eth0 "$(jq -c --argjson p "$prev" \
		'.prevResult = $p | .runtimeConfig.portMappings =
		[{hostPort: 8080, containerPort: 80, protocol: "tcp"}]' <<< "$NAT")"
	ok plumb-nat publish 22 10.22.0.99:22 --id admin
	first=$(now; inside a; inside b)
	cni_fails 999 "^container c1 has eth0 in network net1 already \(bridge cni0, veth $v\); delete it first\$" \
		plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
	cni_fails 999 '^container c2 has eth0 in network net1 already \(bridge cni0, veth pl[0-9a-f]{12}\); delete it first$' \
		plumb-bridge ADD /run/netns/b c2 eth0 "$BR"
	# The second plumb-nat ADD asks for a port another owner holds.
	cni_fails 999 '^container c2 has eth0 in network net1 already, with its ports; delete it first$' \
		plumb-nat ADD /run/netns/b c2 eth0 "$(jq -c --argjson p "$prev" \
		'.prevResult = $p | .runtimeConfig.portMappings =
		[{hostPort: 22, containerPort: 22, protocol: "tcp"}]' <<< "$NAT")"
	eq "$(now; inside a; inside b)" "$first" \
		"the first attachments after duplicate ADDs"
	eq "$(ip -j link show master cni0 | jq -r '.[].ifname' | grep -c "^$v\$")" 1 \
		"the first veth on cni0"
	grep -q 'tcp \. 8080 .*comment "cni@net1/c2/eth0"' <<< "$(nft list ruleset)" ||
		fail "the first ADD's port is gone: $(nft list ruleset)"
	eq "$(n_leases $CNI_NETWORKS/net1)" 1 "leases"
	# The command line and the hook refuse it too, changing nothing.
	ok plumb-bridge add a --id c3 --ifname eth1
	first=$(now; inside a; inside b)
	fails 1 '^plumb-bridge: container c3 has eth1 in network plumb0 already \(bridge plumb0, veth pl[0-9a-f]{12}\); delete it first$' \
		plumb-bridge add b --id c3 --ifname eth1
	unshare --net sleep 60 &
	left $! || fail "sleep $! did not get a namespace of its own"
	hook_fails '^plumb-bridge: container c3 has eth1 in network plumb0 already' \
		"$(oci_state c3 $!)" plumb-bridge oci-hook create --ifname eth1
	eq "$(now; inside a; inside b)" "$first" "after duplicate adds by hand and hook"
}

# ADD killed at any point leaves what DEL finishes. The veth's alias follows
# its creation in a second request (the kernel ignores an alias at
# creation): a kill between the two left a veth that DEL refused as not
# plumb's, so DEL failed and the lease leaked. The veth's hardware address,
# set at creation and named in the record, marks it as plumb's now. Here the
# alias is taken off a finished veth, which leaves that very state.
test_del_finishes_an_add_killed_before_the_veths_alias() {
	local v
	ok ip netns add a
	ok ip netns add b
	cni_ok plumb-bridge ADD /run/netns/a c1 eth0 "$BR"
	v=$(jq -r .host_veth $RECORDS/net1/c1:eth0.json)
	ok ip link set dev "$v" alias ""
	cni_ok plumb-bridge DEL /run/netns/a c1 eth0 "$BR"
	link_exists "" "$v" && fail "DEL left $v"
	eq "$(n_leases $CNI_NETWORKS/net1) $(ls -A $RECORDS/net1)" "0 " "lease and record after DEL"
	# The same by hand; and a bridge that lost its alias is still plumb's.
	v=$(plumb-bridge -j add b | jq -r .host_veth)
	ok ip link set dev "$v" alias ""
	ok ip link set dev plumb0 alias ""
	ok plumb-bridge del b
	link_exists "" "$v" && fail "del left $v"
	ok plumb-bridge del-bridge plumb0
	link_exists "" plumb0 && fail "del-bridge left plumb0"
	# A killed run's bridge is taken up by the next add, which marks it again.
	ok plumb-bridge add b
	ok ip link set dev plumb0 alias ""
	ok plumb-bridge add a
	eq "$(ip -j link show dev plumb0 | jq -r '.[0].ifalias')" plumb "alias of plumb0"
}

# A container's creator chooses its id. Under the unkeyed hash of earlier
# versions, the id huUft2Ld8 gave the host veth name of the container VICTIM
# below (pl0db5439afc18: network plumb0, eth0), a second preimage found in
# minutes, and its teardown took the victim's veth and eth0 with it. Names
# and marks are now keyed with the host's secret key: huUft2Ld8 maps to a
# name of its own, and tearing down an id that has nothing, by any front
# end, deletes nothing.
test_a_chosen_container_id_never_reaches_another_containers_veth() {
	local victim=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	local v w before
	ok ip netns add a
	ok ip netns add b
	v=$(plumb-bridge -j add a --id $victim | jq -r .host_veth)
	[ -n "$v" ] && [ "$v" != null ] || fail "add printed no host veth"
	[ "$v" != pl0db5439afc18 ] || fail "the victim's veth has the name anyone computes"
	before=$(now)
	ok plumb-bridge del --id huUft2Ld8
	ok hook_run "$(oci_state huUft2Ld8 0)" plumb-bridge oci-hook delete --network plumb0
	eq "$(now)" "$before" "state after the teardown of an id that has nothing"
	link_exists "" "$v" && link_exists a eth0 || fail "the victim lost $v or its eth0"
	# The attacker's own container: a name of its own, and its teardown
	# takes only that.
	w=$(plumb-bridge -j add b --id huUft2Ld8 | jq -r .host_veth)
	[ "$w" != "$v" ] || fail "huUft2Ld8 got the victim's name $v"
	ok plumb-bridge del --id huUft2Ld8
	link_exists "" "$w" && fail "del left the attacker's own $w"
	link_exists "" "$v" && link_exists a eth0 || fail "the victim lost $v or its eth0"
	eq "$(ip -j link show dev "$v" | jq -r '.[0].master')" plumb0 "the victim's port"
	# The key: 16 bytes of root's alone. Another key, other names.
	eq "$(stat -c '%a %s %U' /run/plumb/key)" "600 16 root" "the key file"
	ok plumb-bridge del --id $victim
	link_exists "" "$v" && fail "del left $v"
	rm /run/plumb/key
	w=$(plumb-bridge -j add a --id $victim | jq -r .host_veth)
	[ "$w" != "$v" ] || fail "a new key gave the same name $v"
	ok plumb-bridge del --id $victim
}

# The host's key is a state file: planted, another's or open to others, it
# is refused, and nothing is made under it.
test_the_hosts_key_planted_or_open_to_others_is_refused() {
	local before
	private_passwd
	ok ip netns add a
	mkdir -p -m 0700 /run/plumb
	ln -s /etc/passwd /run/plumb/key
	before=$(now)
	fails 1 '^plumb-bridge: /run/plumb/key is a symlink; refusing it$' plumb-bridge add a
	eq "$(now)" "$before" "state after a symlinked key"
	rm /run/plumb/key
	head -c 16 /dev/urandom > /run/plumb/key
	chmod 0644 /run/plumb/key
	fails 1 '^plumb-bridge: /run/plumb/key is open to others; refusing it$' \
		plumb-bridge add a
	chmod 0600 /run/plumb/key
	chown 65534 /run/plumb/key
	fails 1 '^plumb-bridge: /run/plumb/key belongs to user 65534, not to us; refusing it$' \
		plumb-bridge add a
	chown 0 /run/plumb/key
	head -c 8 /dev/urandom > /run/plumb/key
	fails 1 '^plumb-bridge: /run/plumb/key is damaged: 8 bytes, not 16$' plumb-bridge add a
	rm /run/plumb/key
	mkfifo -m 0600 /run/plumb/key
	fails 1 '^plumb-bridge: /run/plumb/key is not a regular file; refusing it$' \
		timeout 10 plumb-bridge add a
	rm /run/plumb/key
	ok plumb-bridge add a
	ok plumb-bridge del a
	passwd_untouched
}

# A failed ADD leaves a bridge that existed as it was: the promiscuous mode
# it set goes again. (The rules that let plumb's bridges through other
# firewalls are the host's, made once for every network: they stay.)
test_failed_add_leaves_an_existing_bridge_as_it_was() {
	local before
	ok ip netns add a
	ok ip netns add b
	cni_ok plumb-bridge ADD /run/netns/a c1 eth0 "$BR"
	ok ip -n b link add eth0 type veth peer name other
	before=$(now)
	cni_fails 999 'namespace has an interface eth0 already' \
		plumb-bridge ADD /run/netns/b c2 eth0 "$(jq -c '.promiscMode = true' <<< "$BR")"
	eq "$(ip -d -j link show dev cni0 | jq -r '.[0].promiscuity')" 0 "cni0's promiscuity"
	eq "$(now)" "$before" "state after the failed ADD"
	# The same ADD that succeeds sets it.
	ok ip -n b link del eth0
	cni_ok plumb-bridge ADD /run/netns/b c2 eth0 "$(jq -c '.promiscMode = true' <<< "$BR")"
	eq "$(ip -d -j link show dev cni0 | jq -r '.[0].promiscuity')" 1 "cni0's promiscuity"
}

# br0_addrs: the addresses on bridge br0, sorted
br0_addrs() {
	ip -j addr show dev br0 | jq -c '[.[0].addr_info[] | select(.scope != "link") |
		"\(.local)/\(.prefixlen)"] | sort'
}

# A failed ADD on a bridge that existed takes off the gateway it put there,
# and nothing else: the bridge's own address stays, and so does a gateway
# it found there (another container's).
test_failed_add_takes_off_only_the_gateway_it_added() {
	local conf before
	conf=$(jq -c '.bridge = "br0" | .foreignBridge = true' <<< "$BR")
	ok ip link add br0 type bridge
	ok ip addr add 192.0.2.1/24 dev br0
	ok ip link set br0 up
	ok ip netns add a
	ok ip netns add b
	ok ip -n b link add eth0 type veth peer name other
	before=$(now)
	cni_fails 999 'namespace has an interface eth0 already' \
		plumb-bridge ADD /run/netns/b c2 eth0 "$conf"
	eq "$(br0_addrs)" '["192.0.2.1/24"]' "br0's addresses after the failed ADD"
	# (The first ADD leaves the host's key, lease store and table: not links.)
	eq "$(now | head -2)" "$(head -2 <<< "$before")" "links and addresses after it"
	# With the gateway there already, another container's, it stays.
	cni_ok plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
	eq "$(br0_addrs)" '["10.22.0.1/24","192.0.2.1/24"]' "br0's addresses with c1"
	before=$(now)
	cni_fails 999 'namespace has an interface eth0 already' \
		plumb-bridge ADD /run/netns/b c2 eth0 "$conf"
	eq "$(br0_addrs)" '["10.22.0.1/24","192.0.2.1/24"]' "br0's addresses after c2 failed"
	eq "$(now)" "$before" "state after c2's failed ADD"
	ok ping -c 1 -W 5 "$(jq -r '.ips[0].address | sub("/.*"; "")' <<< "$OUT")"
}

# A gateway a failed ADD put on a bridge that existed stays when another
# container, wired meanwhile, found it there: that container relies on it.
test_failed_add_leaves_a_gateway_another_container_found() {
	local conf pid fault=$TOP/tests/fault/plumb-bridge
	[ -x "$fault" ] || skip "needs $fault (make fault)"
	conf=$(jq -c '.bridge = "br0" | .foreignBridge = true' <<< "$BR")
	ok ip link add br0 type bridge
	ok ip link set br0 up
	ok ip netns add a
	ok ip netns add b
	ok ip -n b link add eth0 type veth peer name other
	# c2 puts the gateway on br0 and stops, its record written.
	printf '%s' "$conf" | CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/run/netns/b \
		CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni PLUMB_FAULT=record-written:stop \
		"$fault" > /tmp/out 2> /tmp/err &
	pid=$!
	stopped $pid
	eq "$(br0_addrs)" '["10.22.0.1/24"]' "br0's addresses with c2 stopped"
	cni_ok plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
	kill -CONT $pid
	wait $pid && fail "c2's ADD succeeded with eth0 taken in b: $(cat /tmp/out)"
	grep -q 'namespace has an interface eth0 already' /tmp/out ||
		fail "c2's ADD failed for another reason: $(cat /tmp/out /tmp/err)"
	eq "$(br0_addrs)" '["10.22.0.1/24"]' "br0's addresses after c2 failed"
	ok ping -c 1 -W 5 "$(jq -r '.ips[0].address | sub("/.*"; "")' <<< "$OUT")"
}

# nat_owners: "SET OWNER" for every element of plumb's table, sorted
nat_owners() {
	nft -j list table inet plumb 2> /dev/null | jq -r '.nftables[] |
		(.set // .map // empty) | .name as $n | (.elem // [])[] |
		(if type == "array" then .[0] else . end) | "\($n) \(.elem.comment)"' | sort
}

# What a network owns, what a container owns (by its OCI id, or as a CNI
# attachment) and what a person owns at the command line are apart: a
# container named after a network, after a person's --id, or after the
# hashed owner of a CNI attachment tears down only its own.
test_container_ids_never_reach_what_networks_people_or_cni_own() {
	local pid cni_owner before
	ok ip netns add a
	ok ip netns add b
	unshare --net sleep 60 &
	pid=$!
	left $pid || fail "sleep $pid did not get a namespace of its own"
	# Network plumb0's masquerade, made by a container's hooks.
	ok hook_run "$(oci_state c1 $pid)" plumb-bridge oci-hook create
	ok hook_run "$(oci_state c1 $pid)" plumb-nat oci-hook create --masquerade
	# A person's port, under --id web.
	ok plumb-nat publish 8080 10.88.0.99:80 --id web
	# A CNI attachment whose owner is a hash (its id is too long to spell out).
	long=$(printf 'c%.0s' $(seq 150))
	cni_ok plumb-bridge ADD /run/netns/b "$long" eth0 "$BR"
	cni_ok plumb-nat ADD /run/netns/b "$long" eth0 "$(jq -c --argjson p \
		"$(jq -c '{cniVersion, interfaces, ips}' <<< "$OUT")" \
		'.prevResult = $p | .runtimeConfig.portMappings =
		[{hostPort: 9090, containerPort: 90, protocol: "tcp"}]' <<< "$NAT")"
	cni_owner=$(nat_owners | awk '$1 == "pub4" && $2 != "web" { print $2 }')
	[ -n "$cni_owner" ] || fail "no owner of the CNI attachment's port: $(nat_owners)"
	before=$(nat_owners)
	# Poststop hooks of containers named like each of them.
	ok hook_run "$(oci_state plumb0 0)" plumb-nat oci-hook delete
	ok hook_run "$(oci_state web 0)" plumb-nat oci-hook delete
	if name_check "${cni_owner/@/-}"; then
		ok hook_run "$(oci_state "${cni_owner/@/-}" 0)" plumb-nat oci-hook delete
	fi
	eq "$(nat_owners)" "$before" "elements after other containers' poststop"
	# Conflicts name the owner in its user's terms.
	fails 1 '^plumb-nat: tcp port 8080 is taken by web$' \
		plumb-nat publish 8080 10.88.0.5:80 --id alice
	fails 1 '^plumb-nat: tcp port 9090 is taken by CNI attachment [0-9a-f]{16}$' \
		plumb-nat publish 9090 10.88.0.5:80 --id alice
	fails 1 '^plumb-nat: masquerade of 10\.88\.0\.0/16 belongs to network plumb0, not to plumb0$' \
		plumb-nat masq del 10.88.0.0/16 --id plumb0
	# A person cannot name a container's, a network's or an attachment's.
	fails 1 '^plumb-nat: invalid owner "network@plumb0": only letters' \
		plumb-nat unpublish --id network@plumb0
	ok hook_run "$(oci_state c1 0)" plumb-nat oci-hook delete
	eq "$(nat_owners)" "$before" "elements after c1's poststop (the network keeps its masquerade)"
	kill $pid
}

# name_check ID: ID is a container id as runtimes and plumb take it
name_check() {
	[[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]
}

# A running host keeps what an earlier version made, owned by bare names:
# a container's ports under its id, a network's masquerade under its name,
# a CNI attachment's ports under "net/id/if". After an upgrade they still go
# away with their container, and the network's is still its own; a person's
# port under the same name as the container, to another address, stays.
# A long id's owner is a hash of it. Earlier versions wrote it
# "container@<16 hex>", which is also the plain owner of the container whose
# id is those 16 hex digits: that container's poststop released the long
# id's ports. The hashed form now has an '=' no id holds.
test_a_container_named_by_a_long_ids_hash_never_releases_its_ports() {
	local long pid hash
	long=long$(printf '%.0s0123456789' $(seq 13))
	ok ip netns add a
	unshare --net sleep 60 &
	pid=$!
	left $pid || fail "sleep $pid did not get a namespace of its own"
	ok hook_run "$(oci_state $long $pid)" plumb-bridge oci-hook create
	ok hook_run "$(oci_state $long $pid)" plumb-nat oci-hook create --publish 8080:80
	hash=$(nat_owners | sed -n 's/^pub4 container@=//p')
	[[ $hash =~ ^[0-9a-f]{16}$ ]] || fail "the long id's owner: $(nat_owners)"
	# The container named by the hash: its teardown takes nothing of the
	# long id's.
	ok hook_run "$(oci_state $hash 0)" plumb-nat oci-hook delete
	ok hook_run "$(oci_state $hash 0)" plumb-bridge oci-hook delete
	eq "$(nat_owners | grep -v network@ | tr '\n' ' ')" "pub4 container@=$hash " \
		"the long id's port after the other's teardown"
	ok hook_run "$(oci_state $long 0)" plumb-nat oci-hook delete
	ok hook_run "$(oci_state $long 0)" plumb-bridge oci-hook delete
	eq "$(nat_owners | grep -v network@)" "" "elements after the long id's teardown"
	kill $pid
}

test_elements_of_the_earlier_owner_format_are_still_torn_down() {
	local pid
	ok ip netns add a
	unshare --net sleep 60 &
	pid=$!
	left $pid || fail "sleep $pid did not get a namespace of its own"
	ok hook_run "$(oci_state web $pid)" plumb-bridge oci-hook create
	# As the earlier hooks left them (the records have the same format as
	# a person's, which is how they are made here).
	ok plumb-nat publish 8080 10.88.0.2:80 --id web
	ok plumb-nat publish 8081 10.88.0.99:80 --id web
	ok plumb-nat masq add 10.88.0.0/16 --id plumb0
	ok plumb-nat publish 9090 10.22.0.2:90 --id net1/c1/eth0
	mkdir -p /run/plumb/cni-nat/net1
	echo '{"owner":"net1/c1/eth0","id":"c1","ifname":"eth0"}' > /run/plumb/cni-nat/net1/c1:eth0.json
	# A new container on the network: its masquerade is the network's already.
	ok hook_run "$(oci_state web $pid)" plumb-nat oci-hook create --masquerade \
		--publish 8082:80
	# The network's policy (a hook's network: isolated, no direct access)
	# stays with its container's attachment.
	eq "$(nat_owners | grep -v network@plumb0 | tr '\n' ' ')" \
		"masq4 plumb0 pub4 container@web pub4 net1/c1/eth0 pub4 web pub4 web " \
		"elements before teardown"
	ok hook_run "$(oci_state web 0)" plumb-nat oci-hook delete
	cni_ok plumb-nat DEL /run/netns/a c1 eth0 "$NAT"
	eq "$(nat_owners | grep -v network@plumb0 | tr '\n' ' ')" "masq4 plumb0 pub4 web " \
		"elements after teardown"
	grep -q 'tcp \. 8081 .*comment "web" : 10\.88\.0\.99 \. 80' <<< "$(nft list map inet plumb pub4)" ||
		fail "the person's port is gone: $(nft list map inet plumb pub4)"
	kill $pid
}

test_nat_flush_touches_no_other_table() {
	local before
	# Foreign tables, one of them named as plumb's in another family.
	ok nft add table ip nat
	ok nft add chain ip nat post '{ type nat hook postrouting priority 100; }'
	ok nft add rule ip nat post oifname "eth9" masquerade
	ok nft add table inet filter
	ok nft add chain inet filter input '{ type filter hook input priority 0; }'
	ok nft add rule inet filter input tcp dport 22 accept
	ok nft add table ip plumb
	ok nft add table inet plumbx
	before=$(nft list ruleset)
	ok plumb-nat publish 8080 10.88.0.2:80 --id x
	ok plumb-nat masq add 10.88.0.0/16 --id x
	[ "$(nft list ruleset)" != "$before" ] || fail "publish changed nothing"
	ok plumb-nat flush
	eq "$(nft list ruleset)" "$before" "foreign tables after flush"
	nft list table inet plumb > /dev/null 2>&1 && fail "plumb's table survived flush"
	ok plumb-nat flush
	eq "$(nft list ruleset)" "$before" "foreign tables after a second flush"
}

# The OCI state's pid is another user's process in a user namespace of its
# own, as a user-namespaced container is: its namespace is wired like any
# container's (root in the initial user namespace may), the host side holds
# only plumb's veth, and delete takes exactly that.
test_oci_pid_of_another_users_process_in_its_own_user_namespace() {
	local pid before veth
	setpriv --reuid 65534 --regid 65534 --clear-groups \
		unshare --user --map-root-user --net sleep 60 2> /tmp/.unshare &
	pid=$!
	left $pid || skip "cannot make a user namespace as user 65534: $(cat /tmp/.unshare)"
	[ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ] ||
		skip "sleep $pid is not in a user namespace of its own"
	eq "$(stat -c %u /proc/$pid)" 65534 "owner of the process"
	before=$(state)
	ok hook_run "$(oci_state u1 $pid)" plumb-bridge oci-hook create
	eq "$(nsenter -t $pid -n ip -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')" 10.88.0.2 "address in the user's namespace"
	veth=$(jq -r .host_veth $RECORDS/plumb0/u1:eth0.json)
	eq "$(ip -j link show master plumb0 | jq -r '[.[].ifname] | join(" ")')" "$veth" \
		"the host holds only plumb's veth"
	ok hook_run "$(oci_state u1 0)" plumb-bridge oci-hook delete
	eq "$(nsenter -t $pid -n ip -j link show | jq -r '[.[].ifname] | join(" ")')" lo \
		"eth0 gone from the user's namespace"
	eq "$(ls -A $RECORDS/plumb0) $(n_leases $IPAM/plumb0)" " 0" \
		"record and lease after delete"
	ok plumb-bridge del-bridge plumb0
	# The network's policy made plumb's table; it went with the container.
	eq "$(nft -j list table inet plumb | jq '[.nftables[] | (.set // .map) |
		.elem? // empty | .[]] | length')" 0 "elements of table inet plumb"
	ok plumb-nat flush
	eq "$(state | grep -v -e '^/run/plumb' -e '^/var/lib/cni')" \
		"$(grep -v -e '^/run/plumb' -e '^/var/lib/cni' <<< "$before")" \
		"kernel state after create and delete"
	kill $pid
}

# --- state files -------------------------------------------------------------

test_state_files_are_private_whatever_the_umask() {
	local bad
	ok ip netns add a
	ok ip netns add b
	umask 000
	rm -rf /run/plumb $CNI_NETWORKS
	ok plumb-bridge add a
	ok plumb-nat publish 8080 10.88.0.2:80 --id plumb0/a/eth0
	cni_ok plumb-bridge ADD /run/netns/b c1 eth0 "$(jq -c '.ipMasq = true' <<< "$BR")"
	[ -e $RECORDS/plumb0/a:eth0.json ] && [ -e $IPAM/plumb0/plumb-index/a:eth0 ] &&
		[ -e $CNI_NETWORKS/net1/10.22.0.2 ] && [ -d /run/plumb/nat ] ||
		fail "state missing: $(find /run/plumb $CNI_NETWORKS)"
	bad=$(find /run/plumb $CNI_NETWORKS -type d ! -perm 0700)
	[ -z "$bad" ] || fail "directories not 0700: $(stat -c '%a %n' $bad)"
	bad=$(find /run/plumb $CNI_NETWORKS -type f ! -perm 0600)
	[ -z "$bad" ] || fail "files not 0600: $(stat -c '%a %n' $bad)"
	bad=$(find /run/plumb $CNI_NETWORKS ! -type d ! -type f)
	[ -z "$bad" ] || fail "neither file nor directory: $bad"
	bad=$(find /run/plumb $CNI_NETWORKS ! -user 0)
	[ -z "$bad" ] || fail "not root's: $bad"
}

test_planted_symlinks_and_fifos_are_never_followed() {
	local before out
	private_passwd
	ok ip netns add a
	ok ip netns add b

	# A record.
	(umask 077 && mkdir -p $RECORDS/plumb0)
	ln -s /etc/passwd $RECORDS/plumb0/a:eth0.json
	before=$(state)
	fails 1 '^plumb-bridge: record a:eth0.json is a symlink; refusing it$' plumb-bridge add a
	fails 1 '^plumb-bridge: record a:eth0.json is a symlink; refusing it$' plumb-bridge del a
	fails 1 '^plumb-bridge: record a:eth0.json is a symlink; refusing it$' \
		plumb-bridge check a
	out=$(plumb-bridge list 2> /tmp/.stderr) || fail "list failed: $(cat /tmp/.stderr)"
	eq "$out" "" "list of symlinked records"
	grep -q 'record a:eth0.json is a symlink; refusing it' /tmp/.stderr ||
		fail "list said '$(cat /tmp/.stderr)'"
	eq "$(state)" "$before" "state after a symlinked record"
	[ -L $RECORDS/plumb0/a:eth0.json ] || fail "the planted symlink was replaced"
	rm $RECORDS/plumb0/a:eth0.json
	mkfifo $RECORDS/plumb0/a:eth0.json
	fails 1 '^plumb-bridge: record a:eth0.json is not a regular file; refusing it$' \
		timeout 10 plumb-bridge check a
	fails 1 'record a:eth0.json is not a regular file' timeout 10 plumb-bridge add a
	rm $RECORDS/plumb0/a:eth0.json

	# A record of plumb-nat.
	(umask 077 && mkdir -p /run/plumb/nat/x)
	ln -s /etc/passwd /run/plumb/nat/x/pub-tcp-any-8080.json
	before=$(state)
	fails 1 '^plumb-nat: record pub-tcp-any-8080.json is a symlink; refusing it$' \
		plumb-nat publish 8080 10.88.0.2:80 --id x
	eq "$(state)" "$before" "state after a symlinked NAT record"

	# The lease store: made by one add and del, then planted.
	ok plumb-bridge add b
	ok plumb-bridge del b
	ln -s /etc/passwd $IPAM/plumb0/10.88.0.3
	ok plumb-bridge add b
	eq "$(ip -n b -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')" 10.88.0.4 "the planted lease skipped"
	ok plumb-bridge del b
	[ -L $IPAM/plumb0/10.88.0.3 ] || fail "the planted lease was removed or replaced"
	ln -s /etc/passwd $IPAM/plumb0/plumb-index/b:eth0
	ok plumb-bridge add b
	ok plumb-bridge del b
	rm $IPAM/plumb0/last_reserved_ip.0
	ln -s /etc/passwd $IPAM/plumb0/last_reserved_ip.0
	before=$(now)
	fails 1 '^plumb-bridge: write last_reserved_ip.0: not a regular file$' \
		plumb-bridge add b
	rm $IPAM/plumb0/last_reserved_ip.0
	mkfifo $IPAM/plumb0/last_reserved_ip.0
	fails 1 '^plumb-bridge: write last_reserved_ip.0: not a regular file$' \
		timeout 10 plumb-bridge add b
	eq "$(now)" "$before" "state after planted last_reserved_ip.0"
	rm $IPAM/plumb0/last_reserved_ip.0
	mv $IPAM/plumb0/lock /tmp/lock
	ln -s /etc/passwd $IPAM/plumb0/lock
	fails 1 "^plumb-bridge: open $IPAM/plumb0/lock: Too many levels of symbolic links\$" \
		plumb-bridge add b
	rm $IPAM/plumb0/lock
	passwd_untouched
}

# --- delegated plugins -------------------------------------------------------

# plugin NAME LINE...: an IPAM plugin /tmp/cni/NAME, a shell script of LINEs
plugin() {
	local name=$1
	shift
	mkdir -p /tmp/cni
	printf '#!/bin/sh\n' > /tmp/cni/$name
	printf '%s\n' "$@" >> /tmp/cni/$name
	chmod 0755 /tmp/cni/$name
}

# A CNI "type" names a plugin on CNI_PATH, never a path: one holding '/',
# or "." or "..", is refused with code 7 before anything runs, for every
# verb and every plugin (libcni refuses the same: CVE-2021-20206).
test_cni_type_that_is_a_path_is_refused_and_never_run() {
	local t re v p conf before
	ok ip netns add a
	plugin evil.sh 'touch /tmp/ran' \
		'echo "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.22.0.9/24\"}]}"'
	mkdir -p /tmp/cni/sub
	before=$(state)
	for t in /tmp/cni/evil.sh ../../../tmp/cni/evil.sh cni/evil.sh sub/../evil.sh . ..; do
		re=$(sed 's/[.]/\\./g' <<< "$t")
		conf=$(jq -c --arg t "$t" '.ipam.type = $t' <<< "$BR")
		for v in ADD CHECK DEL GC STATUS; do
			(cd / && CNI_PATH_TEST=/tmp/cni/sub cni_fails 7 \
				"^invalid \"ipam.type\" \"$re\": want the name of a plugin on CNI_PATH, not a path\$" \
				plumb-bridge $v /run/netns/a c1 eth0 "$conf") || exit 1
		done
		(cd /tmp && CNI_PATH_TEST=/tmp/cni/sub cni_fails 7 "^invalid \"ipam.type\" \"$re\"" \
			plumb-ipam ADD /run/netns/a c1 eth0 "$(jq -c --arg t "$t" \
			'.ipam.type = $t' <<< "$IPAM_CONF")") || exit 1
		for p in plumb-netns plumb-bridge plumb-ipam plumb-nat; do
			conf=$(jq -c --arg t "$t" '.type = $t' <<< "$(conf_of $p)")
			cni_fails 7 "^invalid \"type\" \"$re\": want the name of a plugin" \
				$p ADD /run/netns/a c1 eth0 "$conf"
		done
	done
	[ ! -e /tmp/ran ] || fail "a plugin named by a path was run"
	eq "$(state)" "$before" "state after plugin types that are paths"
}

# A delegated IPAM plugin runs with SIGPIPE at its default while plumb
# ignores it, both pipes served by one poll(): one that answers without
# reading its input, or writes more than a pipe holds before reading it,
# is served as one that behaves.
test_delegated_ipam_plugin_that_reads_late_or_never_is_served() {
	local conf before
	ok ip netns add a
	ok ip netns add b
	head -c 300000 /dev/zero | tr '\0' x > /tmp/pad
	plugin unread 'echo "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.22.0.9/24\"}]}"'
	plugin late 'head -c 200000 /dev/zero | tr "\0" " "' 'cat > /tmp/late.in' \
		'echo "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.22.0.10/24\"}]}"'
	export CNI_PATH_TEST=/tmp/cni
	conf=$(jq -c --rawfile pad /tmp/pad '.ipam = {type: "unread", pad: $pad}' <<< "$BR")
	cni_ok plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
	eq "$(ip -n a -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')" 10.22.0.9 "address from a plugin that read nothing"
	conf=$(jq -c --rawfile pad /tmp/pad '.ipam = {type: "late", pad: $pad}' <<< "$BR")
	cni_ok plumb-bridge ADD /run/netns/b c2 eth0 "$conf"
	eq "$(ip -n b -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')" 10.22.0.10 "address from a plugin that read late"
	eq "$(jq -r .ipam.pad /tmp/late.in | wc -c)" 300001 "configuration the late reader got"
	cni_ok plumb-bridge DEL /run/netns/a c1 eth0 "$conf"
	cni_ok plumb-bridge DEL /run/netns/b c2 eth0 "$conf"
	eq "$(ip -j link show master cni0 | jq length)" 0 "ports left on cni0"
}

# One that hangs, floods, crashes or exits without a word is killed (with
# all it started) or reaped, and ADD fails with one error object naming it;
# nothing is left behind.
test_delegated_ipam_plugin_that_misbehaves_is_an_error_naming_it() {
	local conf before
	ok ip netns add a
	plugin hang 'exec sleep 1000'
	plugin forks 'sleep 1000 &' \
		'echo "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.22.0.9/24\"}]}"'
	plugin flood 'exec head -c 3000000 /dev/zero'
	plugin crash 'kill -SEGV $$'
	plugin mute 'exit 3'
	plugin silent 'exit 0'
	export CNI_PATH_TEST=/tmp/cni
	# A store and a record directory exist, so states compare.
	cni_ok plumb-bridge ADD /run/netns/a c0 eth0 "$BR"
	cni_ok plumb-bridge DEL /run/netns/a c0 eth0 "$BR"
	before=$(now)
	conf=$(jq -c '.ipamTimeout = 1 | .ipam.type = "hang"' <<< "$BR")
	cni_fails 11 '^IPAM plugin hang: no answer within 1 s \("ipamTimeout"\); killed it$' \
		plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
	conf=$(jq -c '.ipamTimeout = 1 | .ipam.type = "forks"' <<< "$BR")
	cni_fails 11 '^IPAM plugin forks: no answer within 1 s' \
		plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
	eq "$(pgrep -x sleep)" "" "processes of the plugins left running"
	cni_fails 999 '^IPAM plugin flood: printed more than 1024 KiB; killed it$' \
		plumb-bridge ADD /run/netns/a c1 eth0 "$(jq -c '.ipam.type = "flood"' <<< "$BR")"
	cni_fails 999 '^IPAM plugin crash: killed by signal 11 \(Segmentation fault\)$' \
		plumb-bridge ADD /run/netns/a c1 eth0 "$(jq -c '.ipam.type = "crash"' <<< "$BR")"
	cni_fails 999 '^IPAM plugin mute: exited with status 3 without an error object$' \
		plumb-bridge ADD /run/netns/a c1 eth0 "$(jq -c '.ipam.type = "mute"' <<< "$BR")"
	cni_fails 6 '^IPAM plugin silent printed no result object$' \
		plumb-bridge ADD /run/netns/a c1 eth0 "$(jq -c '.ipam.type = "silent"' <<< "$BR")"
	cni_fails 999 '^IPAM plugin crash: killed by signal 11' \
		plumb-bridge DEL /run/netns/a c1 eth0 "$(jq -c '.ipam.type = "crash"' <<< "$BR")"
	cni_fails 7 '^invalid "ipamTimeout": want an integer from 1 to 3600$' \
		plumb-bridge ADD /run/netns/a c1 eth0 "$(jq -c '.ipamTimeout = 0 |
		.ipam.type = "hang"' <<< "$BR")"
	eq "$(now)" "$before" "state after misbehaving plugins"
	eq "$(ip -n a -j link show | jq -r '[.[].ifname] | join(" ")')" lo "a untouched"
}

# plumb-ipam is the plugin an ipam.type named: like host-local, it serves the
# "ipam" section itself whatever its "type" says, and runs nothing. A plugin
# of plumb's that is no IPAM plugin, run as one (by its name, or by a link of
# another), refuses: plumb-bridge whose ipam.type named plumb-bridge ran
# itself without end, thousands of processes in seconds.
test_ipam_type_that_loops_back_to_plumb_runs_nothing() {
	local t conf before
	ok ip netns add a
	plugin evil 'touch /tmp/ran' \
		'echo "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.22.0.9/24\"}]}"'
	ln -s "$TOP/bridge/plumb-bridge" /tmp/cni/loop
	export CNI_PATH_TEST="/tmp/cni:$TOP/bridge:$TOP/nat:$TOP/netns"
	for t in evil plumb-bridge loop host-local; do
		conf=$(jq -c --arg t $t '.ipam.type = $t' <<< "$IPAM_CONF")
		cni_ok plumb-ipam ADD /run/netns/a c1 eth0 "$conf"
		grep -qE '^10\.22\.0\.[0-9]+/24$' <<< "$(jq -r '.ips[0].address' <<< "$OUT")" ||
			fail "plumb-ipam with ipam.type $t answered $OUT"
		eq "$(n_leases $CNI_NETWORKS/net1)" 1 "leases with ipam.type $t"
		cni_ok plumb-ipam DEL /run/netns/a c1 eth0 "$conf"
		eq "$(n_leases $CNI_NETWORKS/net1)" 0 "leases after DEL with ipam.type $t"
	done
	[ ! -e /tmp/ran ] || fail "plumb-ipam ran the plugin its ipam.type names"
	before=$(state)
	for t in plumb-bridge loop plumb-nat plumb-netns; do
		conf=$(jq -c --arg t $t '.ipam.type = $t' <<< "$BR")
		cni_fails 7 "^IPAM plugin $t: ipam\.type \"$t\" of network net1 names plumb-[a-z]+, which is not an IPAM plugin \(plumb-bridge ran it as one\)\$" \
			plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
		cni_fails 7 "^IPAM plugin $t: ipam\.type \"$t\"" \
			plumb-bridge STATUS "" "" "" "$conf"
		# Having handed out nothing, it releases nothing: DEL finishes.
		cni_ok plumb-bridge DEL /run/netns/a c1 eth0 "$conf"
		cni_ok plumb-bridge GC "" "" "" "$(jq -c '."cni.dev/valid-attachments" = []' <<< "$conf")"
	done
	eq "$(state)" "$before" "state after ipam.types that loop back"
	eq "$(pgrep -c -f 'plumb-|/tmp/cni/')" 0 "plugin processes left"
	[ ! -e /tmp/ran ] || fail "a plugin was run"
}

# --- what annotations may choose: the administrator's policy ------------------

# uplink: the sandbox host's way out, as on a real host: eth0 192.168.1.50/24
# and a default route via 192.168.1.1, in namespace "upstream"
uplink() {
	ok ip netns add upstream
	ok ip link add eth0 type veth peer name eth0 netns upstream
	ok ip addr add 192.168.1.50/24 dev eth0
	ok ip link set eth0 up
	ok ip -n upstream addr add 192.168.1.1/24 dev eth0
	ok ip -n upstream link set eth0 up
	ok ip route add default via 192.168.1.1
}

# container: a process in a network namespace of its own, as a container's
# first process is; its pid in $PID
container() {
	unshare --net sleep 60 &
	PID=$!
	left $PID || fail "sleep $PID did not get a namespace of its own"
}

# annotated ID PID KEY=VALUE...: the state a runtime gives a hook, with
# the container's annotations
annotated() {
	local id=$1 pid=$2 kv ann='{}'
	shift 2
	for kv in "$@"; do
		ann=$(jq -c --arg k "${kv%%=*}" --arg v "${kv#*=}" '.[$k] = $v' <<< "$ann")
	done
	jq -nc --arg id "$id" --argjson pid "$pid" --argjson ann "$ann" \
		'{ociVersion: "1.0.2", id: $id, status: "creating", pid: $pid,
		  bundle: "/tmp", annotations: $ann}'
}

# route_to ADDR: how the host reaches ADDR ("dev via")
route_to() {
	ip -j route get "$1" | jq -r '.[0] | "\(.dev) \(.gateway // "")"'
}

# Annotations choose only among the networks the administrator declared,
# never a network, bridge or subnet of their own: a container that asks for
# 8.8.8.0/24, a piece of the host's own LAN or half the Internet gets
# nothing, and the host's routes stay as they were.
test_annotations_never_make_a_network_or_subnet_of_their_own() {
	local before sub
	uplink
	container
	before=$(now)
	for sub in 8.8.8.0/24 192.168.1.0/28 128.0.0.0/1; do
		hook_fails "^plumb-bridge: annotation plumb\\.network: no network \"evil0\": containers may join only the networks the administrator declared \(plumb0\)\$" \
			"$(annotated c1 $PID plumb.network=evil0 plumb.subnet=$sub \
			plumb.ip=${sub%.0/*}.8)" plumb-bridge oci-hook create --subnet 10.88.0.0/16
		hook_fails "^plumb-bridge: annotation plumb\\.subnet: \"${sub//./\\.}\" is not network plumb0.s subnet 10\.88\.0\.0/16, and annotations choose no subnet of their own\$" \
			"$(annotated c1 $PID plumb.network=plumb0 plumb.subnet=$sub)" \
			plumb-bridge oci-hook create --subnet 10.88.0.0/16
		hook_fails "^plumb-nat: annotation plumb\\.network: no network \"evil0\": containers may join only" \
			"$(annotated c1 $PID plumb.network=evil0 plumb.subnet=$sub)" \
			plumb-nat oci-hook create --masquerade
	done
	eq "$(now)" "$before" "state after annotations outside the policy"
	eq "$(route_to 8.8.8.8)" "eth0 192.168.1.1" "route to 8.8.8.8"
	eq "$(route_to 192.168.1.3)" "eth0 " "route to the LAN"
	eq "$(route_to 200.1.2.3)" "eth0 192.168.1.1" "route to the other half of the Internet"
	# The network the hook declares is there for the asking.
	ok hook_run "$(annotated c1 $PID plumb.network=plumb0 plumb.subnet=10.88.0.0/16)" \
		plumb-bridge oci-hook create --subnet 10.88.0.0/16
	eq "$(route_to 10.88.0.2)" "plumb0 " "route to the container"
	kill $PID
}

# A network's bridge is the administrator's to name: an annotation cannot
# reach br0, which holds the uplink, nor cni0, a CNI network's bridge; and
# no front end uses a bridge plumb did not create without being told to.
test_no_bridge_plumb_did_not_create_without_the_administrators_leave() {
	local before br0 conf
	ok ip netns add upstream
	ok ip link add br0 type bridge
	ok ip link add eth0 type veth peer name eth0 netns upstream
	ok ip link set eth0 master br0
	ok ip addr add 192.168.1.50/24 dev br0
	ok ip link set eth0 up
	ok ip link set br0 up
	ok ip netns add a
	cni_ok plumb-bridge ADD /run/netns/a c0 eth0 "$BR"
	container
	before=$(now)
	br0=$(ip -j addr show dev br0 | jq -c '[.[0].addr_info[].local]')
	hook_fails '^plumb-bridge: annotation plumb\.network: no network "br0": containers may join only the networks the administrator declared \(plumb0\)$' \
		"$(annotated c1 $PID plumb.network=br0)" plumb-bridge oci-hook create
	hook_fails '^plumb-bridge: annotation plumb\.network: no network "cni0": containers may join only' \
		"$(annotated c1 $PID plumb.network=cni0)" plumb-bridge oci-hook create
	# Declared, but a bridge plumb did not create: not without the leave.
	echo '{"networks": {"lan": {"bridge": "br0", "subnets": ["10.77.0.0/24"]}}}' \
		> /tmp/policy.json
	hook_fails "^plumb-bridge: bridge br0 was not created by plumb, and using it takes the administrator's leave" \
		"$(annotated c1 $PID plumb.network=lan)" plumb-bridge oci-hook create \
		--policy /tmp/policy.json
	hook_fails "^plumb-bridge: bridge br0 was not created by plumb" \
		"$(oci_state c1 $PID)" plumb-bridge oci-hook create --bridge br0
	fails 1 "^plumb-bridge: bridge br0 was not created by plumb" plumb-bridge add a --bridge br0
	fails 1 "^plumb-bridge: bridge br0 was not created by plumb" plumb-bridge add --bridge br0
	cni_fails 999 "^bridge br0 was not created by plumb" plumb-bridge ADD /run/netns/a c1 eth1 \
		"$(jq -c '.bridge = "br0"' <<< "$BR")"
	eq "$(now)" "$before" "state after refused foreign bridges"
	eq "$(ip -j link show master br0 | jq -r '[.[].ifname] | join(" ")')" eth0 "ports of br0"
	eq "$(ip -j addr show dev br0 | jq -c '[.[0].addr_info[].local]')" "$br0" "addresses of br0"
	# With the administrator's leave, it is used, and never deleted.
	conf=$(jq -c '.bridge = "br0" | .foreignBridge = true | .isGateway = false' <<< "$BR")
	cni_ok plumb-bridge ADD /run/netns/a c1 eth1 "$conf"
	eq "$(ip -j link show master br0 | jq -r 'length')" 2 "ports of br0 with foreignBridge"
	cni_ok plumb-bridge DEL /run/netns/a c1 eth1 "$conf"
	fails 1 '^plumb-bridge: bridge br0 was not created by plumb; not deleting it$' \
		plumb-bridge del-bridge br0
	kill $PID
}

# Host ports are the administrator's: by default an annotation publishes
# none below 1024 (22 stays sshd's, on every address and 127.0.0.1) and at
# most 32; the policy may say otherwise, network by network.
test_annotations_publish_only_the_ports_the_policy_allows() {
	local before c1
	container
	c1=$PID
	ok hook_run "$(oci_state c1 $c1)" plumb-bridge oci-hook create
	container
	before=$(now)
	# plumb-bridge's hook, which runs first, refuses what plumb-nat's would.
	hook_fails '^plumb-bridge: annotation plumb\.publish: host port 22 is outside the ports network plumb0 lets containers publish \(1024-65535\)$' \
		"$(annotated c2 $PID plumb.publish=22:22/tcp)" plumb-bridge oci-hook create
	PID=$c1
	hook_fails '^plumb-nat: annotation plumb\.publish: host port 22 is outside' \
		"$(annotated c1 $PID plumb.publish=8080:80,22:22/tcp)" plumb-nat oci-hook create \
		--localhost
	hook_fails '^plumb-nat: annotation plumb\.publish: more than the 32 host ports network plumb0 lets a container publish$' \
		"$(annotated c1 $PID plumb.publish=1024-2047:1024-2047/tcp,2048-3070:2048-3070/tcp)" \
		plumb-nat oci-hook create
	hook_fails '^plumb-nat: annotation plumb\.publish: more than the 32 host ports' \
		"$(annotated c1 $PID plumb.publish=$(seq -s, -f '%g:80' 2000 2032))" \
		plumb-nat oci-hook create
	eq "$(now)" "$before" "state after publishing outside the policy"
	# Only the network's forwarding policy is in plumb's table.
	eq "$(nat_owners | grep -Ev '^(samebr|isolated|guarded) ')" "" "published elements"
	# The administrator lets network plumb0 publish 22, and one port only.
	echo '{"networks": {"plumb0": {"subnets": ["10.88.0.0/16"],
		"annotations": {"plumb.publish": {"ports": ["22", "8000-8999"], "max": 1}}}}}' \
		> /tmp/policy.json
	hook_fails '^plumb-nat: annotation plumb\.publish: more than the 1 host ports' \
		"$(annotated c1 $PID plumb.publish=22:22,8080:80)" plumb-nat oci-hook create \
		--policy /tmp/policy.json
	ok hook_run "$(annotated c1 $PID plumb.publish=22:22)" plumb-nat oci-hook create \
		--policy /tmp/policy.json
	grep -q 'tcp \. 22 .*comment "container@c1" : 10\.88\.0\.2 \. 22' \
		<<< "$(nft list map inet plumb pub4)" || fail "22 not published: $(nft list ruleset)"
	kill $PID
}

# Masquerade is a network's: an annotation cannot make a network of its own
# to masquerade 10.0.0.0/8 (which then overlapped every later container's
# masquerade on plumb0), nor turn it on where the policy does not allow it.
test_annotations_cannot_masquerade_what_the_policy_does_not_allow() {
	local before
	container
	before=$(now)
	hook_fails '^plumb-bridge: annotation plumb\.network: no network "evilnet": containers may join only' \
		"$(annotated e1 $PID plumb.network=evilnet plumb.subnet=10.0.0.0/8 \
		plumb.masquerade=true)" plumb-bridge oci-hook create
	hook_fails '^plumb-nat: annotation plumb\.network: no network "evilnet": containers may join only' \
		"$(annotated e1 $PID plumb.network=evilnet plumb.masquerade=true)" \
		plumb-nat oci-hook create
	hook_fails '^plumb-bridge: annotation plumb\.masquerade: network plumb0 does not let containers turn masquerade on$' \
		"$(annotated e1 $PID plumb.masquerade=true)" plumb-bridge oci-hook create
	eq "$(now)" "$before" "state after masquerade outside the policy"
	# Later containers masquerade plumb0 as the hooks' options say.
	ok hook_run "$(oci_state c1 $PID)" plumb-bridge oci-hook create
	ok hook_run "$(annotated c1 $PID plumb.masquerade=false)" plumb-nat oci-hook create \
		--masquerade
	eq "$(nat_owners | grep '^masq4 ')" "" "masquerade=false"
	ok hook_run "$(oci_state c1 $PID)" plumb-nat oci-hook delete
	ok hook_run "$(oci_state c1 $PID)" plumb-nat oci-hook create --masquerade
	eq "$(nat_owners | grep -Ev '^(samebr|isolated|guarded) ')" "masq4 network@plumb0" \
		"elements"
	kill $PID
}

# The policy file is the administrator's: a bad one, or one another user
# could write, fails every create hook with a sentence naming it.
test_policy_file_that_is_bad_or_not_the_administrators_is_refused() {
	local before
	container
	before=$(now)
	echo '{"networks": {"web": {"subnets": ["10.90.0.0/24"], "isolated": true}}}' > /tmp/p1
	hook_fails '^plumb-bridge: policy /tmp/p1: networks\.web: unknown key "isolated"$' \
		"$(oci_state c1 $PID)" plumb-bridge oci-hook create --policy /tmp/p1
	echo '{"networks": {"web": {"subnets": ["10.90.0.1/24"]}}}' > /tmp/p2
	hook_fails '^plumb-nat: policy /tmp/p2: networks\.web: invalid subnet "10\.90\.0\.1/24"' \
		"$(oci_state c1 $PID)" plumb-nat oci-hook create --policy /tmp/p2
	echo '{"networks": {"web": {"subnets": ["10.90.0.0/24"],
		"annotations": {"plumb.ip": "yes"}}}}' > /tmp/p3
	hook_fails '^plumb-bridge: policy /tmp/p3: networks\.web: "plumb\.ip": want true or false$' \
		"$(oci_state c1 $PID)" plumb-bridge oci-hook create --policy /tmp/p3
	echo '{"networks": {}}' > /tmp/p4
	chmod 0666 /tmp/p4
	hook_fails '^plumb-bridge: policy /tmp/p4 is writable by others; refusing it$' \
		"$(oci_state c1 $PID)" plumb-bridge oci-hook create --policy /tmp/p4
	chmod 0644 /tmp/p4
	chown 65534 /tmp/p4
	hook_fails '^plumb-bridge: policy /tmp/p4 belongs to user 65534, not to root; refusing it$' \
		"$(oci_state c1 $PID)" plumb-bridge oci-hook create --policy /tmp/p4
	mkfifo /tmp/p5
	hook_fails '^plumb-bridge: policy /tmp/p5 is not a regular file; refusing it$' \
		"$(oci_state c1 $PID)" plumb-bridge oci-hook create --policy /tmp/p5
	hook_fails '^plumb-bridge: open policy /tmp/p6: No such file or directory$' \
		"$(oci_state c1 $PID)" plumb-bridge oci-hook create --policy /tmp/p6
	eq "$(now)" "$before" "state after bad policies"
	kill $PID
}

# The example policy reads, and says what its comments say it says.
test_example_policy_declares_what_it_says() {
	local ok_web bad
	container
	ok_web=$(annotated c1 $PID plumb.network=web plumb.ip=10.90.0.9 plumb.publish=443:443)
	ok hook_run "$ok_web" plumb-bridge oci-hook create --policy "$TOP/examples/oci/policy.json"
	eq "$(nsenter -t $PID -n ip -j addr show dev eth0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')" 10.90.0.9 "address on web"
	eq "$(ip -j link show master web0 | jq length)" 1 "ports of web0"
	bad=$(annotated c2 $PID plumb.network=web plumb.publish=9090:80)
	hook_fails '^plumb-bridge: annotation plumb\.publish: host port 9090 is outside the ports network web lets containers publish \(80, 443, 8000-8999\)$' \
		"$bad" plumb-bridge oci-hook create --policy "$TOP/examples/oci/policy.json"
	hook_fails '^plumb-bridge: annotation plumb\.publish: network lab does not let containers publish ports$' \
		"$(annotated c2 $PID plumb.network=lab plumb.publish=8080:80)" \
		plumb-bridge oci-hook create --policy "$TOP/examples/oci/policy.json"
	kill $PID
}

# --- what every front end refuses --------------------------------------------

# One attachment never lowers the MTU of a shared bridge (the kernel takes
# the smallest of its ports'): below the bridge's it is refused, from an
# annotation the policy allows, the command line or a CNI configuration; the
# other containers keep their large packets and the bridge its IPv6 gateway.
test_one_attachment_never_lowers_a_shared_bridges_mtu() {
	local before conf
	ok ip netns add a
	ok ip netns add b
	ok plumb-bridge add a --subnet6 fd00:88::/64
	container
	echo '{"networks": {"plumb0": {"subnets": ["10.88.0.0/16", "fd00:88::/64"],
		"annotations": {"plumb.mtu": true}}}}' > /tmp/policy.json
	settle plumb0
	before=$(now)
	hook_fails '^plumb-bridge: annotation plumb\.mtu: network plumb0 does not let containers choose their MTU$' \
		"$(annotated c1 $PID plumb.mtu=68)" plumb-bridge oci-hook create
	hook_fails "^plumb-bridge: annotation plumb\\.mtu: MTU 1400 is below bridge plumb0's 1500, which it would lower for every container on it\$" \
		"$(annotated c1 $PID plumb.mtu=1400)" plumb-bridge oci-hook create \
		--policy /tmp/policy.json
	fails 1 "^plumb-bridge: MTU 1400 is below bridge plumb0's 1500" plumb-bridge add b --mtu 1400
	conf=$(jq -c '.name = "plumb0" | .bridge = "plumb0" | .mtu = 576 | .ipam.subnet = "10.88.0.0/16" |
		.ipam.dataDir = "/run/plumb/ipam"' <<< "$BR")
	cni_fails 999 "^MTU 576 is below bridge plumb0's 1500" \
		plumb-bridge ADD /run/netns/b c2 eth0 "$conf"
	eq "$(now)" "$before" "state after MTUs below the bridge's"
	eq "$(ip -j link show dev plumb0 | jq '.[0].mtu')" 1500 "MTU of plumb0"
	eq "$(ip -j addr show dev plumb0 | jq -r '[.[0].addr_info[] |
		select(.scope == "global") | .local] | join(" ")')" "10.88.0.1 fd00:88::1" \
		"gateways of plumb0"
	ok ip netns exec a ping -c 1 -W 2 -s 1400 10.88.0.1
	# At or above it is fine; a bridge made for an attachment takes its MTU.
	ok hook_run "$(annotated c1 $PID plumb.mtu=9000)" plumb-bridge oci-hook create \
		--policy /tmp/policy.json
	ok plumb-bridge add b --bridge small0 --subnet 10.66.0.0/24 --mtu 1400
	eq "$(ip -j link show dev small0 | jq '.[0].mtu')" 1400 "MTU of small0"
	kill $PID
}

# A new network's subnet may not overlap an address or a route already on
# the host, other than its own bridge's (podman refuses the same): not the
# LAN of the uplink, not a route to a VPN's 10.0.0.0/8, not another network.
test_a_new_subnet_overlapping_the_hosts_addresses_or_routes_is_refused() {
	local before conf
	uplink
	ok ip netns add a
	# A store and a record directory exist, so states compare.
	cni_ok plumb-bridge ADD /run/netns/a c0 eth0 "$BR"
	cni_ok plumb-bridge DEL /run/netns/a c0 eth0 "$BR"
	ok ip route add 10.0.0.0/8 via 192.168.1.1
	ok plumb-bridge add --bridge lab0 --subnet 172.20.0.0/16
	settle lab0
	before=$(now)
	fails 1 '^plumb-bridge: subnet 192\.168\.1\.0/28 of bridge br1 overlaps the host.s address 192\.168\.1\.50/24 on eth0$' \
		plumb-bridge add a --bridge br1 --subnet 192.168.1.0/28
	fails 1 '^plumb-bridge: subnet 192\.168\.0\.0/16 of bridge br1 overlaps the host.s address 192\.168\.1\.50/24 on eth0$' \
		plumb-bridge add --bridge br1 --subnet 192.168.0.0/16
	fails 1 '^plumb-bridge: subnet 10\.88\.0\.0/16 of bridge plumb0 overlaps the host.s route to 10\.0\.0\.0/8 \(dev eth0\)$' \
		plumb-bridge add a
	fails 1 '^plumb-bridge: subnet 172\.20\.5\.0/24 of bridge br2 overlaps the host.s address 172\.20\.0\.1/16 on lab0$' \
		plumb-bridge add a --bridge br2 --subnet 172.20.5.0/24
	conf=$(jq -c '.bridge = "cni1" | .ipam.subnet = "10.23.0.0/24"' <<< "$BR")
	cni_fails 999 '^subnet 10\.23\.0\.0/24 of bridge cni1 overlaps the host.s route to 10\.0\.0\.0/8 \(dev eth0\)$' \
		plumb-bridge ADD /run/netns/a c1 eth0 "$conf"
	eq "$(now)" "$before" "state after overlapping subnets"
	# Its own bridge's subnet is no overlap; a subnet clear of all is fine.
	ok plumb-bridge add a --bridge lab0 --subnet 172.20.0.0/16
	ok plumb-bridge add --bridge br3 --subnet 172.21.0.0/16
	eq "$(route_to 172.21.0.9)" "br3 " "route to the new subnet"
	eq "$(route_to 8.8.8.8)" "eth0 192.168.1.1" "default route"
}
