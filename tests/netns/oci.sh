# SPDX-License-Identifier: GPL-2.0-or-later
# The OCI hook front end of the three tools, run by real OCI runtimes (crun,
# runc) on busybox-static containers, with iproute2, nft, ping and socat as
# witnesses; and podman, with the hooks.d examples and with plumb's CNI
# plugins as its network backend.
#
#   wan netns                           sandbox "host" (runtimes, hooks, bridge)
#     eth0 192.0.2.2/24 ==veth== wan0 192.0.2.1/24  (lib.sh's wan)
#                                 oci0  10.89.0.1/24   made by plumb-bridge's hook
#                                  |-- plXXXXXXXXXXXX ==veth== eth0  c1  10.89.0.50/24
#                                  |        (plumb.ip, plumb.mtu, plumb.mac,
#                                  |         plumb.netns-name, plumb.publish
#                                  |         8080:80/tcp, httpd on :80)
#                                  `-- plXXXXXXXXXXXX ==veth== eth0  c2  10.89.0.2/24
#                                           (from the pool, httpd on :80)
#
# Every container runs the hooks of its bundle, as createRuntime (or
# prestart):
#   plumb-netns oci-hook create, plumb-bridge oci-hook create --subnet ...,
#   plumb-nat oci-hook create --masquerade
# and as poststop the same in reverse with "delete". The annotation
# plumb.network=oci0 names the bridge and the network. The runtimes keep
# their state in /run/crun and /run/runc, on the sandbox's tmpfs. crun runs
# with --cgroup-manager=disabled (and /sys/fs/cgroup/unified unmounted in the
# sandbox's mount namespace: crun 1.8 refuses hybrid cgroups), so it never
# touches the machine's cgroup tree; runc makes a cgroup per container and
# removes it at delete, and an EXIT trap deletes whatever a failed test left.
# podman keeps its storage and state under /tmp/podman and runs crun without
# cgroups; its conmon and containers die with the sandbox's PID namespace.
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

NET=oci0
SUBNET=10.89.0.0/24
GW=10.89.0.1
IPAM=/run/plumb/ipam
RECORDS=/run/plumb/attach
ROOTFS=/tmp/rootfs
BUNDLES=/tmp/bundles
STAGE=createRuntime	# where bundle() puts the create hooks: or prestart
POLICY=/tmp/policy.json	# the administrator's, which bundle()'s hooks name

# --- runtimes, rootfs, bundles ---------------------------------------------

# rt RUNTIME ARGS...: run RUNTIME, crun without a cgroup manager
rt() {
	local r=$1
	shift
	if [ "$r" = crun ]; then
		crun --cgroup-manager=disabled "$@"
	else
		runc "$@"
	fi
}

# need_runtime RUNTIME: RUNTIME can run containers here, or the test skips
need_runtime() {
	command -v "$1" > /dev/null || skip "needs $1 (apt-get install $1)"
	# crun 1.8: "cgroups in hybrid mode not supported"; this mount
	# namespace is the sandbox's own, so the machine keeps its mount.
	if [ "$1" = crun ] && mountpoint -q /sys/fs/cgroup/unified; then
		umount /sys/fs/cgroup/unified || fail "umount /sys/fs/cgroup/unified"
	fi
	trap containers_gone EXIT
	[ -d "$ROOTFS" ] || rootfs_make
}

# first_runtime: the first of crun, runc that is installed, or skip
first_runtime() {
	local r
	for r in crun runc; do
		command -v $r > /dev/null && { echo $r; return; }
	done
	skip "needs crun or runc (apt-get install crun runc)"
}

# containers_gone: on exit, whatever the test left running is deleted, so
# that runc leaves no cgroup behind on the machine
containers_gone() {
	local r id
	for r in crun runc; do
		command -v $r > /dev/null || continue
		for id in $(rt $r list -q 2> /dev/null); do
			rt $r delete -f "$id" > /dev/null 2>&1
		done
	done
}

# rootfs_make: a read-only root shared by every container: busybox-static
# and its applet links. Not "busybox --install -s": outside a chroot it
# links where the host's busybox lives.
rootfs_make() {
	local bb p
	bb=$(command -v busybox) || skip "needs busybox-static (apt-get install busybox-static)"
	ldd "$bb" > /dev/null 2>&1 && skip "$bb is not static: needs busybox-static"
	mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/tmp"
	cp "$bb" "$ROOTFS/bin/busybox"
	for p in $("$bb" --list-full); do
		[ "$p" = bin/busybox ] && continue
		mkdir -p "$ROOTFS/${p%/*}"
		ln -s /bin/busybox "$ROOTFS/$p"
	done
}

# policy_write: the administrator's policy the hooks of bundle() name: the
# networks oci0 (the hooks' own) and oci1, where containers may choose
# their address, hardware address and MTU, and turn masquerade on
policy_write() {
	jq -n --arg subnet "$SUBNET" '{networks: {
		oci0: {subnets: [$subnet], annotations: {"plumb.ip": true,
			"plumb.mac": true, "plumb.mtu": true, "plumb.masquerade": true}},
		oci1: {subnets: ["10.90.0.0/24"]}}}' > "$POLICY" || fail "policy"
}

# bundle ID [KEY=VALUE]...: $BUNDLES/ID/config.json, a container serving its
# id over HTTP on port 80, with the hooks (the create ones at $STAGE) and
# the annotations KEY=VALUE (plumb.network=oci0 unless given). crun writes
# what the hooks say on stderr to $BUNDLES/ID/hooks.err (its annotation
# run.oci.hooks.stderr; without it, that is lost); runc puts it in its own
# error. CAP_NET_RAW is for busybox's ping.
bundle() {
	local id=$1 dir=$BUNDLES/$1 ann kv caps
	shift
	ann=$(jq -nc --arg net "$NET" --arg err "$dir/hooks.err" \
		'{"plumb.network": $net, "run.oci.hooks.stderr": $err}')
	for kv in "$@"; do
		ann=$(jq -c --arg k "${kv%%=*}" --arg v "${kv#*=}" '.[$k] = $v' <<< "$ann")
	done
	caps='["CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_KILL"]'
	mkdir -p "$dir"
	[ -e "$POLICY" ] || policy_write
	jq -n --arg id "$id" --arg root "$ROOTFS" --arg top "$TOP" --arg subnet "$SUBNET" \
		--arg policy "$POLICY" \
		--arg stage "$STAGE" --argjson ann "$ann" --argjson caps "$caps" '
	def hook($tool; $dir; $args): {path: "\($top)/\($dir)/\($tool)", args: ([$tool] + $args)};
	{
		ociVersion: "1.0.2",
		process: {
			terminal: false, user: {uid: 0, gid: 0}, cwd: "/",
			args: ["sh", "-c", "mkdir /tmp/www && echo \($id) > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www"],
			env: ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"],
			capabilities: {bounding: $caps, effective: $caps, permitted: $caps},
			noNewPrivileges: true
		},
		root: {path: $root, readonly: true},
		hostname: $id,
		mounts: [
			{destination: "/proc", type: "proc", source: "proc"},
			{destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755"]},
			{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"]}
		],
		annotations: $ann,
		hooks: {
			($stage): [
				hook("plumb-netns"; "netns"; ["oci-hook", "create"]),
				hook("plumb-bridge"; "bridge"; ["oci-hook", "create", "--subnet", $subnet, "--mtu", "1500",
					"--policy", $policy]),
				hook("plumb-nat"; "nat"; ["oci-hook", "create", "--masquerade", "--policy", $policy])
			],
			poststop: [
				hook("plumb-nat"; "nat"; ["oci-hook", "delete"]),
				hook("plumb-bridge"; "bridge"; ["oci-hook", "delete"]),
				hook("plumb-netns"; "netns"; ["oci-hook", "delete"])
			]
		},
		linux: {
			namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"},
				     {type: "uts"}, {type: "mount"}],
			maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list"],
			readonlyPaths: ["/proc/sys", "/proc/sysrq-trigger"]
		}
	}' > "$dir/config.json" || fail "config.json of $id"
}

# config_edit ID FILTER [JQ OPTIONS...]: apply FILTER to ID's config.json
config_edit() {
	local cfg=$BUNDLES/$1/config.json filter=$2
	shift 2
	jq "$@" "$filter" "$cfg" > "$cfg.new" || fail "config.json of $1: $filter"
	mv "$cfg.new" "$cfg"
}

# start RUNTIME ID: "RUNTIME run -d" of bundle ID succeeds. The container's
# stdio is a file: a pipe would stay open as long as the container runs.
start() {
	rt "$1" run -d -b "$BUNDLES/$2" "$2" > "$BUNDLES/$2/run.log" 2>&1 < /dev/null ||
		fail "$1 run $2: $(cat "$BUNDLES/$2/run.log" "$BUNDLES/$2/hooks.err" 2> /dev/null)"
}

# stop RUNTIME ID: kill the container, wait until it is stopped, delete it
# (the poststop hooks run then)
stop() {
	local i
	ok rt "$1" kill "$2" KILL
	for i in $(seq 50); do
		[ "$(rt "$1" state "$2" 2> /dev/null | jq -r .status)" = stopped ] && break
		sleep 0.05
	done
	ok rt "$1" delete "$2"
}

# pid_of RUNTIME ID: the pid of the container's process
pid_of() {
	rt "$1" state "$2" | jq -r .pid
}

# eth0 PID: the IPv4 address/prefix, MTU and MAC of eth0 in the process's
# network namespace
eth0() {
	nsenter -t "$1" -n ip -j addr show dev eth0 | jq -r '.[0] | "\([.addr_info[] |
		select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(" ")) \(.mtu) \(.address)"'
}

# get ADDR PORT: what the HTTP server at ADDR:PORT says (the last line),
# asked once from the wan namespace
get() {
	ip netns exec wan socat -T 2 - "TCP:$1:$2,connect-timeout=1" \
		<<< $'GET / HTTP/1.0\r\n\r\n' 2> /dev/null | tail -n 1
}

# fetch ADDR PORT: the same, tried for up to 3 s while httpd starts
fetch() {
	local i got
	for i in $(seq 30); do
		got=$(get "$1" "$2")
		[ -n "$got" ] && { echo "$got"; return 0; }
		sleep 0.1
	done
	return 1
}

# --- witnesses ---------------------------------------------------------------

# leases: the addresses leased in the network's store, one a line, sorted
leases() {
	ls -A "$IPAM/$NET" 2> /dev/null |
		grep -vE '^(lock|last_reserved_ip\.[0-9]+|plumb-index|plumb-boot)$' | sort
}

# nat_elems: the elements of plumb's nftables sets and maps as "SET OWNER",
# the owner being the element's comment, one a line, sorted
nat_elems() {
	nft -j list table inet plumb 2> /dev/null | jq -r '.nftables[] |
		(.set // .map // empty) | .name as $n | (.elem // [])[] |
		(if type == "array" then .[0] else . end) | "\($n) \(.elem.comment)"' | sort
}

# state_but_kinds: state, but for the directory of name records that
# plumb-netns's hook makes the first time (it stays, as /run/plumb/attach)
state_but_kinds() {
	state | grep -vx /run/plumb/netns
}

# ifaces: the interfaces of the sandbox host, one a line, sorted
ifaces() {
	ip -j link show | jq -r '.[].ifname' | sort
}

# nothing_left [ELEMENTS]: no container's veth, lease, NAT element, record
# or netns name is left; what the network shares stays (bridge oci0, the
# masquerade of its subnet, or the nat_elems ELEMENTS on one line)
nothing_left() {
	eq "$(ifaces | grep -vx wan0 | tr '\n' ' ')" "lo $NET " "interfaces"
	eq "$(leases)" "" "leases"
	eq "$(ls -A "$IPAM/$NET/plumb-index" 2> /dev/null)" "" "lease index"
	eq "$(ls -A "$RECORDS/$NET" 2> /dev/null)" "" "attachment records"
	eq "$(nat_elems | tr '\n' ' ')" "${1:-masq4 network@$NET }" "nftables elements"
	# No directory either: one a container would pile up forever.
	eq "$(cd /run/plumb && find nat -mindepth 1 | sort | tr '\n' ' ')" \
		"nat/network@$NET nat/network@$NET/masq-${SUBNET/\//_}.json " "NAT records"
	eq "$(ls -A /run/netns | grep -vx wan)" "" "names in /run/netns"
	eq "$(ls -A /run/plumb/netns 2> /dev/null)" "" "records of names"
}

# --- one runtime, two containers, all the way round --------------------------

# round_trip RUNTIME STAGE: two containers of RUNTIME with the create hooks
# at STAGE get their addresses, reach the gateway, each other and the world,
# are reached through their published port, and leave nothing when deleted
round_trip() {
	local r=$1 p1 p2
	STAGE=$2
	need_runtime "$r"
	wan
	bundle c1 plumb.ip=10.89.0.50 plumb.mtu=9000 plumb.mac=02:00:00:89:00:50 \
		plumb.netns-name=c1-net plumb.publish=8080:80/tcp
	bundle c2
	start "$r" c2
	start "$r" c1
	p1=$(pid_of "$r" c1)
	p2=$(pid_of "$r" c2)

	# The address of plumb.ip (the annotation's MTU winning over the
	# hook's --mtu 1500), and the first of the pool.
	eq "$(eth0 "$p1")" "10.89.0.50/24 9000 02:00:00:89:00:50" "eth0 of c1"
	eq "$(eth0 "$p2" | cut -d' ' -f1,2)" "10.89.0.2/24 1500" "eth0 of c2"
	eq "$(nsenter -t "$p2" -n ip -j route show default | jq -r '.[0].gateway')" \
		"$GW" "default route of c2"
	eq "$(leases | tr '\n' ' ')" "10.89.0.2 10.89.0.50 " "leases"
	eq "$(cat "$IPAM/$NET/10.89.0.50")" "$(printf 'c1\r\neth0')" "lease of c1"

	# plumb.netns-name names the container's namespace.
	eq "$(ns_ino /run/netns/c1-net)" "$(ns_ino /proc/"$p1"/ns/net)" "netns of c1-net"
	eq "$(ip netns list | grep -c '^c1-net')" 1 "ip netns sees c1-net"

	# From inside the containers: busybox ping, with CAP_NET_RAW.
	ok rt "$r" exec c1 ping -c 1 -W 2 "$GW"
	ok rt "$r" exec c1 ping -c 1 -W 2 10.89.0.2
	ok rt "$r" exec c2 ping -c 1 -W 2 10.89.0.50
	# The world has no route to 10.89.0.0/24: only masquerade gets an
	# answer back.
	ok rt "$r" exec c2 ping -c 1 -W 2 192.0.2.2

	# plumb.publish: 192.0.2.1:8080 is c1's port 80, from the wan.
	eq "$(fetch 192.0.2.1 8080)" c1 "published port 8080 from the wan"
	# The network's policy too (isolated, no direct access), while it has
	# containers.
	eq "$(nat_elems | tr '\n' ' ')" "guarded network@$NET isolated network@$NET masq4 network@$NET pub4 container@c1 samebr network@$NET " \
		"nftables elements"

	stop "$r" c1
	stop "$r" c2
	eq "$(rt "$r" list -q)" "" "$r list after delete"
	nothing_left
	eq "$(get 192.0.2.1 8080)" "" "port 8080 after delete"
}

test_crun_containers_get_addresses_ping_publish_and_clean_up() {
	round_trip crun createRuntime
}

test_runc_containers_get_addresses_ping_publish_and_clean_up() {
	round_trip runc createRuntime
}

test_runc_prestart_hooks_work_as_createruntime_ones() {
	round_trip runc prestart
}

# --- annotations win ----------------------------------------------------------

test_annotations_win_over_the_hooks_options() {
	local r
	r=$(first_runtime)
	need_runtime "$r"
	wan
	# oci1, declared by the policy: its bridge and subnet, not the hooks'.
	bundle c1 plumb.network=oci1 plumb.subnet=10.90.0.0/24 plumb.masquerade=false \
		plumb.publish=8080:80/tcp,8081:80/tcp
	# The hooks ask for a port the annotation replaces; --masquerade
	# loses to plumb.masquerade=false.
	config_edit c1 '.hooks.createRuntime[2].args += ["--publish", "9090:80/tcp"]'
	start "$r" c1
	eq "$(eth0 "$(pid_of "$r" c1)" | cut -d' ' -f1)" 10.90.0.2/24 "address from oci1"
	eq "$(ip -j addr show dev oci1 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | "\(.local)/\(.prefixlen)"')" 10.90.0.1/24 "gateway"
	eq "$(nat_elems | tr '\n' ' ')" \
		"guarded network@oci1 isolated network@oci1 pub4 container@c1 pub4 container@c1 samebr network@oci1 " \
		"two ports, no masquerade"
	eq "$(fetch 192.0.2.1 8081)" c1 "published port 8081 from the wan"
	eq "$(get 192.0.2.1 9090)" "" "port 9090 of the hook's options"
	stop "$r" c1
	eq "$(nat_elems)" "" "nftables elements after delete"

	bundle c2 plumb.masquerade=yes
	! rt "$r" run -d -b "$BUNDLES/c2" c2 > "$BUNDLES/c2/run.log" 2>&1 < /dev/null ||
		fail "$r started c2 with plumb.masquerade=yes"
	runtime_said "$r" c2 \
		'plumb-(bridge|nat): annotation plumb\.masquerade: invalid value \\?"yes\\?": want true or false'
}

# --- bad state on stdin -------------------------------------------------------

test_hooks_refuse_empty_non_json_and_dead_pid_state() {
	local tool dead before
	ok ip netns add x
	ok plumb-bridge add x --bridge "$NET" --subnet "$SUBNET"
	settle "$NET"
	sleep 0 &
	dead=$!
	wait $dead
	before=$(state)
	for tool in plumb-netns plumb-bridge plumb-nat; do
		fails 1 "^$tool: read OCI state from stdin: it is empty\$" \
			$tool oci-hook create < /dev/null
		fails 1 "^$tool: read OCI state from stdin: .* at line 1 column" \
			$tool oci-hook create <<< 'id: c1'
		fails 1 "^$tool: read OCI state from stdin: want a JSON object" \
			$tool oci-hook create <<< '["c1"]'
		fails 1 "^$tool: process $dead of container c1 is not alive\$" \
			$tool oci-hook create <<< "{\"id\": \"c1\", \"pid\": $dead}"
		fails 1 "^$tool: OCI state of c1 has no \"pid\"" \
			$tool oci-hook create <<< '{"id": "c1", "status": "created"}'
		fails 1 "^$tool: OCI state has no \"id\"" \
			$tool oci-hook create <<< "{\"pid\": $$}"
		fails 1 "^$tool: read OCI state from stdin: it is empty\$" \
			$tool oci-hook delete < /dev/null
		fails 2 "unknown hook stage \"start\"" $tool oci-hook start < /dev/null
	done
	eq "$(state)" "$before" "state after bad input"
}

# hook_stdin_fails RUNTIME ID INPUT: a bundle whose bridge hook gets INPUT on
# stdin instead of the state fails to start
hook_stdin_fails() {
	bundle "$2"
	config_edit "$2" '.hooks.createRuntime[1] = {path: "/bin/sh",
		args: ["sh", "-c", "printf %s \"$1\" | exec \"$0\" oci-hook create",
		       "\($top)/bridge/plumb-bridge", $in]}' --arg top "$TOP" --arg in "$3"
	! rt "$1" run -d -b "$BUNDLES/$2" "$2" > "$BUNDLES/$2/run.log" 2>&1 < /dev/null ||
		fail "$1 started $2 with a failing hook"
}

# runtime_said RUNTIME ID REGEX: what RUNTIME (and the hooks, for crun) said
# when container ID failed to start matches REGEX
runtime_said() {
	local said
	said=$(cat "$BUNDLES/$2/run.log" "$BUNDLES/$2/hooks.err" 2> /dev/null)
	grep -qE -- "$3" <<< "$said" || fail "$1 run $2 said '$said', want /$3/"
}

# runtime_refuses RUNTIME: RUNTIME starts no container whose hook fails, and
# says why in the hook's words
runtime_refuses() {
	local r=$1 before
	need_runtime "$r"
	ok ip netns add x
	ok plumb-bridge add x --bridge "$NET" --subnet "$SUBNET"
	settle "$NET"
	before=$(state_but_kinds)

	# plumb-netns's hook names the namespace, then plumb-bridge's fails.
	bundle bad plumb.subnet=10.0.0.1/8 plumb.netns-name=bad-net
	! rt "$r" run -d -b "$BUNDLES/bad" bad > "$BUNDLES/bad/run.log" 2>&1 < /dev/null ||
		fail "$r started a container with plumb.subnet=10.0.0.1/8"
	runtime_said "$r" bad 'plumb-bridge: annotation plumb\.subnet: \\?"10\.0\.0\.1/8\\?" is not network oci0.s subnet 10\.89\.0\.0/24, and annotations choose no subnet of their own'
	[ "$r" = runc ] || runtime_said "$r" bad 'error executing hook .*/plumb-bridge'
	# runc runs the poststop hooks after a failed create, as the runtime
	# spec asks; crun 1.8 runs none, so the name stays until the delete
	# hooks are run by hand (examples/oci/README.md).
	[ "$r" = crun ] || eq "$(state_but_kinds)" "$before" "state after runc's poststop hooks"
	delete_hooks '{"id": "bad", "annotations": {"plumb.network": "oci0",
		"plumb.netns-name": "bad-net"}}'
	eq "$(state_but_kinds)" "$before" "state after the delete hooks"

	hook_stdin_fails "$r" empty ''
	runtime_said "$r" empty 'plumb-bridge: read OCI state from stdin: it is empty'
	hook_stdin_fails "$r" notjson 'not json'
	runtime_said "$r" notjson 'plumb-bridge: read OCI state from stdin: .* at line 1'
	hook_stdin_fails "$r" deadpid '{"id": "deadpid", "pid": 4194304}'
	runtime_said "$r" deadpid 'plumb-bridge: process 4194304 of container deadpid is not alive'

	eq "$(rt "$r" list -q)" "" "$r list after the failures"
	eq "$(state_but_kinds)" "$before" "state after the failures"
}

# hook_answer PID ADDR PORT: what the server at ADDR:PORT says to a client
# in the namespace of process PID
hook_answer() {
	nsenter -t "$1" -n timeout 3 socat -T 2 - TCP:"$2":"$3" < /dev/null 2> /dev/null
}

# The hooks run by hand for a process in a namespace of its own, as a
# runtime runs them: plumb-nat's --no-masquerade-to (the administrator's
# hook argument) spares 192.0.2.0/24, and the wan, which routes the subnet
# to the host through 192.0.2.2, reaches the container directly; the rest
# is masqueraded, and the list is the network's, as the masquerade is.
test_nat_hook_no_masquerade_to_spares_its_destinations() {
	local pid st addr before
	wan
	ok ip -n wan addr add 198.51.100.2/24 dev eth0
	ok ip route add 198.51.100.0/24 via 192.0.2.2
	ok ip -n wan route add "$SUBNET" via 192.0.2.1
	ip netns exec wan socat TCP-LISTEN:7000,fork,reuseaddr \
		SYSTEM:'echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
	unshare -n sleep 600 &
	pid=$!
	st="{\"ociVersion\": \"1.0.2\", \"id\": \"c1\", \"pid\": $pid, \"status\": \"created\", \"bundle\": \"/tmp\"}"
	policy_write
	ok plumb-bridge oci-hook create --network $NET --subnet $SUBNET --policy $POLICY <<< "$st"
	addr=$(nsenter -t $pid -n ip -j -4 addr show eth0 | jq -r '.[0].addr_info[0].local')
	before=$(nft -j list ruleset; find /run/plumb/nat 2> /dev/null | sort)
	fails 1 'invalid subnet "10\.0\.0\.1/8": host bits set' plumb-nat oci-hook create \
		--masquerade --no-masquerade-to 10.0.0.1/8 --policy $POLICY <<< "$st"
	fails 2 usage plumb-nat oci-hook create --no-masquerade-to <<< "$st"
	eq "$(nft -j list ruleset; find /run/plumb/nat 2> /dev/null | sort)" "$before" \
		"ruleset and records after bad hook arguments"
	ok plumb-nat oci-hook create --masquerade --no-masquerade-to 192.0.2.0/24 \
		--no-masquerade-to fd00::/8 --policy $POLICY <<< "$st"
	eq "$(nft -j list set inet plumb nomasq4 | jq -r '.nftables[].set.elem? // empty |
		.[].elem | "\(.val.concat | map("\(.prefix.addr)/\(.prefix.len)") |
		join(" . ")) \(.comment)"')" "$SUBNET . 192.0.2.0/24 network@$NET" "nomasq4"
	for i in $(seq 50); do
		[ -n "$(ip netns exec wan ss -Hltn 'sport = :7000')" ] && break
		sleep 0.05
	done
	eq "$(hook_answer $pid 192.0.2.2 7000)" "$addr" "the container to the wan, spared"
	eq "$(hook_answer $pid 198.51.100.2 7000)" 192.0.2.1 "the container elsewhere, masqueraded"
	# The network's peer reaches the container despite the guard.
	nsenter -t $pid -n socat TCP-LISTEN:81,fork,reuseaddr SYSTEM:'echo c1' > /dev/null 2>&1 &
	for i in $(seq 50); do
		[ -n "$(nsenter -t $pid -n ss -Hltn 'sport = :81')" ] && break
		sleep 0.05
	done
	eq "$(ip netns exec wan timeout 3 socat -T 2 - TCP:"$addr":81 < /dev/null 2> /dev/null)" \
		c1 "the wan, a peer, to the container directly"
	# delete takes the container's; the network keeps what is its own.
	ok plumb-nat oci-hook delete <<< "$st"
	ok plumb-nat oci-hook delete <<< "$st"
	eq "$(nat_elems | grep -c nomasq4)" 1 "nomasq4 after delete"
	ok plumb-bridge oci-hook delete <<< "$st"
}

test_crun_fails_a_container_whose_hook_fails_with_its_message() {
	runtime_refuses crun
}

test_runc_fails_a_container_whose_hook_fails_with_its_message() {
	runtime_refuses runc
}

# --- delete -------------------------------------------------------------------

# delete_hooks STATE: the poststop hooks of the bundles, in their order,
# given STATE on stdin, all succeed
delete_hooks() {
	ok plumb-nat oci-hook delete <<< "$1"
	ok plumb-bridge oci-hook delete <<< "$1"
	ok plumb-netns oci-hook delete <<< "$1"
}

test_delete_hooks_twice_succeed_with_pid_0_and_without_pid() {
	local r after crun_state runc_state
	r=$(first_runtime)
	need_runtime "$r"
	bundle c1 plumb.netns-name=c1-net plumb.publish=8080:80/tcp
	start "$r" c1
	eq "$(ls -A /run/netns)" c1-net "netns name while c1 runs"
	stop "$r" c1
	nothing_left
	settle "$NET"
	after=$(state)

	# What crun and runc send at poststop: "pid": 0, and no pid at all.
	crun_state='{"ociVersion": "1.0.0", "id": "c1", "pid": 0, "status": "stopped",
		"bundle": "/tmp/bundles/c1", "annotations": {"plumb.network": "oci0",
		"plumb.netns-name": "c1-net", "plumb.publish": "8080:80/tcp"}}'
	runc_state=$(jq -c 'del(.pid)' <<< "$crun_state")
	delete_hooks "$crun_state"
	delete_hooks "$runc_state"
	delete_hooks '{"id": "never-was", "annotations": {"plumb.network": "oci0"}}'
	eq "$(state)" "$after" "state after deleting again"
	nothing_left
}

# --- a name asked for twice ----------------------------------------------------

test_netns_name_of_a_running_container_survives_a_second_asking_for_it() {
	local r p1 ran=0
	for r in crun runc; do
		command -v $r > /dev/null || continue
		ran=1
		need_runtime $r
		bundle a-$r plumb.netns-name=shared
		bundle b-$r plumb.netns-name=shared
		start $r a-$r
		p1=$(pid_of $r a-$r)
		! rt $r run -d -b "$BUNDLES/b-$r" b-$r > "$BUNDLES/b-$r/run.log" 2>&1 \
			< /dev/null || fail "$r started b-$r with the name of a-$r"
		runtime_said $r b-$r 'plumb-netns: network namespace \\?"shared\\?" already exists'
		# runc ran b's poststop hooks; crun runs none after a failed
		# createRuntime hook, so run them as an operator cleaning up would.
		delete_hooks '{"id": "b-'$r'", "annotations": {"plumb.network": "oci0",
			"plumb.netns-name": "shared"}}'
		eq "$(ns_ino /run/netns/shared)" "$(ns_ino /proc/"$p1"/ns/net)" \
			"/run/netns/shared after b-$r failed"
		stop $r a-$r
		eq "$(ls -A /run/netns)" "" "names after a-$r is deleted"
	done
	[ $ran = 1 ] || skip "needs crun or runc (apt-get install crun runc)"
}

# --- a port asked for twice ----------------------------------------------------

test_published_port_in_use_fails_the_second_container_and_stays_the_firsts() {
	local r
	r=$(first_runtime)
	need_runtime "$r"
	wan
	bundle c1 plumb.publish=8080:80/tcp
	bundle c2 plumb.publish=8080:80/tcp
	start "$r" c1
	! rt "$r" run -d -b "$BUNDLES/c2" c2 > "$BUNDLES/c2/run.log" 2>&1 < /dev/null ||
		fail "$r started c2 with the port of c1"
	runtime_said "$r" c2 'plumb-nat: tcp port 8080 is taken by container c1'
	# crun runs no poststop hook after a failed createRuntime hook: the
	# delete hooks by hand (runc has run them already).
	delete_hooks '{"id": "c2", "annotations": {"plumb.network": "oci0",
		"plumb.publish": "8080:80/tcp"}}'
	eq "$(leases)" 10.89.0.2 "leases: c1's only"
	eq "$(ls -A "$RECORDS/$NET")" c1:eth0.json "attachment records"
	eq "$(ip -j link show master "$NET" | jq length)" 1 "bridge ports"
	# The network's policy too (isolated, no direct access), while it has
	# containers.
	eq "$(nat_elems | tr '\n' ' ')" "guarded network@$NET isolated network@$NET masq4 network@$NET pub4 container@c1 samebr network@$NET " \
		"nftables elements"
	eq "$(fetch 192.0.2.1 8080)" c1 "port 8080 from the wan"
	stop "$r" c1
	nothing_left
}

# --- the examples ------------------------------------------------------------

# HERE: a jq function taking a hook entry of examples/oci (the tools
# installed in /usr/local/sbin) to the tools built in $TOP
HERE='def here: .path |= (ltrimstr("/usr/local/sbin/") as $t |
	"\($top)/\($t | ltrimstr("plumb-"))/\($t)");'

test_hooks_d_examples_run_in_file_name_order_and_give_a_network() {
	local r f hooks
	NET=plumb0 SUBNET=10.88.0.0/16 GW=10.88.0.1
	r=$(first_runtime)
	need_runtime "$r"
	for f in "$TOP"/examples/oci/hooks.d/*.json; do
		eq "$(jq -r '.version' "$f")" 1.0.0 "version of ${f##*/}"
		# The keys and values of "when" are POSIX EREs (oci-hooks(5)).
		eq "$(jq -r '.when.annotations | to_entries | map(. as $e |
			("plumb.network" | test($e.key)) and
			([("xplumb.network", "plumb.networks", "plumb_network") |
			  test($e.key) | not] | all) and
			("plumb0" | test($e.value))) | all' "$f")" true "when of ${f##*/}"
	done
	# What podman and CRI-O do: the hooks of the files that match, each
	# stage in the order of the file names, lower-cased.
	hooks=$(cd "$TOP/examples/oci/hooks.d" &&
		printf '%s\n' *.json | awk '{ print tolower($0) "\t" $0 }' |
		LC_ALL=C sort | cut -f 2 | xargs jq -s --arg top "$TOP" "$HERE"'reduce .[] as $h ({};
			reduce $h.stages[] as $s (.; .[$s] += [$h.hook | here]))') ||
		fail "hooks of examples/oci/hooks.d"
	eq "$(jq -r '[.createRuntime[].args[0]] | join(" ")' <<< "$hooks")" \
		"plumb-netns plumb-bridge plumb-nat" "createRuntime order"
	eq "$(jq -r '[.poststop[].args[0]] | join(" ")' <<< "$hooks")" \
		"plumb-nat plumb-bridge plumb-netns" "poststop order"

	bundle c1
	config_edit c1 '.hooks = $h' --argjson h "$hooks"
	start "$r" c1
	eq "$(eth0 "$(pid_of "$r" c1)" | cut -d' ' -f1)" 10.88.0.2/16 "eth0 of c1"
	ok rt "$r" exec c1 ping -c 1 -W 2 "$GW"
	eq "$(nat_elems | tr '\n' ' ')" \
		"guarded network@plumb0 isolated network@plumb0 masq4 network@plumb0 samebr network@plumb0 " \
		"nftables elements"
	stop "$r" c1
	nothing_left
	# What the network shares goes as examples/oci/README.md says.
	ok plumb-bridge del-bridge plumb0
	ok plumb-nat masq del 10.88.0.0/16
	eq "$(ifaces | tr '\n' ' ')" "lo " "interfaces after del-bridge"
	eq "$(nat_elems)" "" "nftables elements after masq del"
}

test_config_fragment_example_gives_a_runtime_spec_container_a_network() {
	local r
	NET=plumb0 SUBNET=10.88.0.0/16
	r=$(first_runtime)
	need_runtime "$r"
	wan
	mkdir -p "$BUNDLES/web"
	(cd "$BUNDLES/web" && rt "$r" spec) || fail "$r spec"
	# The runtime's own default config, the fragment merged in ("jq -s
	# '.[0] * .[1]'", as examples/oci/README.md says), and a root and a
	# process of ours.
	config_edit web "$HERE"'. * ($frag[0] | .hooks |= map_values(map(here))) |
		.root = {path: $root, readonly: true} |
		.process.terminal = false |
		.process.args = ["sh", "-c", "mkdir /tmp/www && echo web > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www"] |
		.mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs"}]' \
		--arg top "$TOP" --arg root "$ROOTFS" \
		--slurpfile frag "$TOP/examples/oci/config-hooks.json"
	start "$r" web
	eq "$(eth0 "$(pid_of "$r" web)" | cut -d' ' -f1)" 10.88.0.2/16 "eth0 of web"
	eq "$(ns_ino /run/netns/web)" "$(ns_ino /proc/"$(pid_of "$r" web)"/ns/net)" \
		"/run/netns/web"
	eq "$(fetch 192.0.2.1 8080)" web "published port 8080 from the wan"
	stop "$r" web
	nothing_left
}

# --- many at once ---------------------------------------------------------------

test_16_containers_in_parallel_get_distinct_addresses_and_clean_up() {
	local r i pids=() rc addr
	r=$(first_runtime)
	need_runtime "$r"
	wan
	for i in $(seq 16); do
		bundle p$i plumb.publish=$((8000 + i)):80/tcp
	done
	for i in $(seq 16); do
		rt "$r" run -d -b "$BUNDLES/p$i" p$i > "$BUNDLES/p$i/run.log" 2>&1 < /dev/null &
		pids[i]=$!
	done
	for i in $(seq 16); do
		wait "${pids[i]}"
		rc=$?
		[ $rc = 0 ] || fail "$r run p$i exited $rc: $(cat "$BUNDLES/p$i/run.log" \
			"$BUNDLES/p$i/hooks.err" 2> /dev/null)"
	done
	for i in $(seq 16); do
		eth0 "$(pid_of "$r" p$i)" | cut -d' ' -f1
	done > /tmp/addrs
	eq "$(grep -c '^10\.89\.0\.[0-9]*/24$' /tmp/addrs)" 16 "an address in each container"
	eq "$(sort -u /tmp/addrs | wc -l)" 16 "no address twice"
	eq "$(leases | wc -l)" 16 "leases"
	eq "$(ls -A "$RECORDS/$NET" | wc -l)" 16 "records"
	eq "$(ip -j link show master "$NET" | jq length)" 16 "bridge ports"
	eq "$(nat_elems | grep -c '^pub4 container@p')" 16 "published ports"
	for i in $(seq 16); do
		addr=$(sed -n "${i}p" /tmp/addrs)
		ok ping -c 1 -W 2 "${addr%/*}"
		eq "$(fetch 192.0.2.1 $((8000 + i)))" p$i "published port $((8000 + i))"
	done

	for i in $(seq 16); do
		rt "$r" kill p$i KILL || fail "$r kill p$i"
	done
	for i in $(seq 16); do
		for rc in $(seq 50); do
			[ "$(rt "$r" state p$i 2> /dev/null | jq -r .status)" = stopped ] && break
			sleep 0.05
		done
		rt "$r" delete p$i > "$BUNDLES/p$i/delete.log" 2>&1 &
		pids[i]=$!
	done
	for i in $(seq 16); do
		wait "${pids[i]}" || fail "$r delete p$i: $(cat "$BUNDLES/p$i/delete.log")"
	done
	eq "$(rt "$r" list -q)" "" "$r list after delete"
	nothing_left
}

# --- podman: its hooks.d and its CNI backend --------------------------------------

PODMAN=/tmp/podman

# need_podman: podman and crun here, with everything podman keeps in the
# sandbox: storage (vfs; the containers run from $ROOTFS, read-only) and
# run state under $PODMAN, no cgroups, hooks from $PODMAN/hooks.d (the
# examples, pointing at the tools built here), CNI networks from
# $PODMAN/net.d served by plumb's plugins
need_podman() {
	local f
	command -v podman > /dev/null || skip "needs podman (apt-get install podman)"
	need_runtime crun
	mkdir -p "$PODMAN/hooks.d" "$PODMAN/net.d"
	for f in "$TOP"/examples/oci/hooks.d/*.json; do
		jq --arg top "$TOP" "$HERE"'.hook |= here' "$f" > "$PODMAN/hooks.d/${f##*/}" ||
			fail "hooks.d/${f##*/}"
	done
	cat > "$PODMAN/containers.conf" <<- EOC
		[containers]
		cgroups = "disabled"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		runtime = "crun"
		[network]
		network_backend = "cni"
		cni_plugin_dirs = ["$TOP/netns", "$TOP/bridge", "$TOP/nat"]
		network_config_dir = "$PODMAN/net.d"
	EOC
	export CONTAINERS_CONF=$PODMAN/containers.conf
}

pm() {
	podman --root "$PODMAN/root" --runroot "$PODMAN/run" --storage-driver vfs \
		--hooks-dir "$PODMAN/hooks.d" "$@"
}

# pm_run ID PODMAN-RUN-OPTIONS...: a container serving its id over HTTP on
# port 80, started in the background
pm_run() {
	local id=$1
	shift
	pm run -d --name "$id" --read-only --cap-add NET_RAW "$@" --rootfs "$ROOTFS" \
		sh -c "mkdir /tmp/www && echo $id > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www"
}

# pm_pid ID: the pid of podman's container ID
pm_pid() {
	pm inspect -f '{{.State.Pid}}' "$1"
}

# oci0_conflist: network oci0 for podman's CNI backend, plumb's plugins
# with the capabilities podman passes (--ip, --mac-address, -p), a default
# route through the bridge, leases where $IPAM says
oci0_conflist() {
	jq -n --arg net "$NET" --arg subnet "$SUBNET" --arg ipam "$IPAM" '{
		cniVersion: "1.0.0", name: $net,
		plugins: [
			{type: "plumb-bridge", bridge: $net, isDefaultGateway: true, ipMasq: true,
			 capabilities: {ips: true, mac: true},
			 ipam: {type: "plumb-ipam", ranges: [[{subnet: $subnet}]], dataDir: $ipam}},
			{type: "plumb-nat", capabilities: {portMappings: true}}
		]}' > "$PODMAN/net.d/$NET.conflist" || fail "$NET.conflist"
}

test_podman_runs_containers_on_plumbs_cni_plugins() {
	local p1 p2
	need_podman
	wan
	oci0_conflist
	eq "$(pm network ls --format '{{.Name}} {{.Driver}}' | grep "^$NET ")" \
		"$NET plumb-bridge" "podman network ls"
	ok pm_run c2 --network "$NET"
	ok pm_run c1 --network "$NET" --ip 10.89.0.50 --mac-address 02:00:00:89:00:50 \
		-p 8080:80
	p1=$(pm_pid c1)
	p2=$(pm_pid c2)
	eq "$(eth0 "$p1")" "10.89.0.50/24 1500 02:00:00:89:00:50" "eth0 of c1"
	eq "$(eth0 "$p2" | cut -d' ' -f1)" 10.89.0.2/24 "eth0 of c2"
	# podman read plumb's result.
	eq "$(pm inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" c2)" \
		10.89.0.2 "podman inspect c2"
	eq "$(leases | tr '\n' ' ')" "10.89.0.2 10.89.0.50 " "leases"

	eq "$(fetch 192.0.2.1 8080)" c1 "published port 8080 from the wan"
	# busybox 1.35's static wget crashes with -T: its timeout bounds it.
	eq "$(pm exec c2 timeout 5 wget -q -O - http://10.89.0.50/)" c1 "c1 from c2"
	ok pm exec c1 ping -c 1 -W 2 "$GW"
	ok pm exec c2 ping -c 1 -W 2 192.0.2.2
	eq "$(nat_elems | cut -d' ' -f1 | tr '\n' ' ')" \
		"guarded isolated localnet masq4 pub4 publocal4 samebr " "nftables elements"

	ok pm rm -f -t 0 c1 c2
	eq "$(pm ps -aq)" "" "podman ps after rm"
	# A CNI network publishes on 127.0.0.1 too, as portmap does: the
	# bridge joins plumb's localnet set for good.
	nothing_left "localnet plumb masq4 network@$NET "
	eq "$(get 192.0.2.1 8080)" "" "port 8080 after rm"
}

test_podman_fails_a_container_whose_port_is_taken_and_keeps_the_first() {
	need_podman
	wan
	oci0_conflist
	ok pm_run c1 --network "$NET" -p 8080:80
	! pm_run c2 --network "$NET" -p 8080:80 > /tmp/c2.out 2>&1 ||
		fail "podman started c2 on c1's port"
	grep -q "plumb-nat.*8080.* by CNI attachment $NET/$(pm inspect -f '{{.Id}}' c1)/eth0" /tmp/c2.out ||
		fail "podman said: $(cat /tmp/c2.out)"
	# Nothing of c2: one lease, one port on the bridge, c1 still served.
	eq "$(leases)" 10.89.0.2 "leases"
	eq "$(ip -j link show master "$NET" | jq length)" 1 "bridge ports"
	eq "$(fetch 192.0.2.1 8080)" c1 "published port 8080 from the wan"
	ok pm rm -f -t 0 c1 c2
	nothing_left "localnet plumb masq4 network@$NET "
}

test_podman_runs_the_hooks_d_examples() {
	NET=plumb0 SUBNET=10.88.0.0/16 GW=10.88.0.1
	need_podman
	wan
	# No network of podman's: the hooks wire the namespace crun made.
	ok pm_run c1 --network none --annotation plumb.network=plumb0 \
		--annotation plumb.publish=8080:80/tcp
	eq "$(eth0 "$(pm_pid c1)" | cut -d' ' -f1)" 10.88.0.2/16 "eth0 of c1"
	ok pm exec c1 ping -c 1 -W 2 192.0.2.2
	eq "$(fetch 192.0.2.1 8080)" c1 "published port 8080 from the wan"
	ok pm rm -f -t 0 c1
	nothing_left
}
