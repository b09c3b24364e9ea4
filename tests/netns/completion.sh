# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion (completion/plumb): each tool's verbs and options, as
# its --help and "VERB -h" say them, and the names it reads from /run/netns
# and from plumb's records, which the tools themselves make here.
#
#   sandbox (the "host")  -- bridges plumb0 and lab0
#     red, rose, blue     -- named namespaces (plumb-netns add)
#     other               -- a namespace with a NAT table of its own (-n)
#     d-left, d-right     -- the nodes of lab duo (plumb-lab up)
#
# The completion is sourced in this non-interactive bash, after
# bash-completion; comp() sets COMP_WORDS, COMP_CWORD, COMP_LINE and
# COMP_POINT as readline would and calls the function "complete -p" names.

comp_load() {
	[ -r /usr/share/bash-completion/bash_completion ] || skip "needs bash-completion"
	# shellcheck disable=SC1091
	. /usr/share/bash-completion/bash_completion
	# shellcheck disable=SC1091
	. "$TOP/completion/plumb"
}

# comp LINE: what <Tab> offers at the end of LINE, sorted, one line.
comp() {
	local line=$1 rest c tok="" brk="" spec fn
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMP_WORDS=()
	# Words as readline splits them: blanks separate; a run of ':' or '='
	# (of COMP_WORDBREAKS) is a word of its own.
	rest=$line
	while [ -n "$rest" ]; do
		c=${rest:0:1} rest=${rest:1}
		case $c in
		' ') [ -z "$tok" ] || COMP_WORDS+=("$tok"); tok="" brk="" ;;
		: | =)
			[ -n "$brk" ] || { [ -z "$tok" ] || COMP_WORDS+=("$tok"); tok=; }
			tok+=$c brk=1 ;;
		*)
			[ -z "$brk" ] || { COMP_WORDS+=("$tok"); tok=; }
			tok+=$c brk= ;;
		esac
	done
	COMP_WORDS+=("$tok")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	spec=$(complete -p "${COMP_WORDS[0]}") || fail "no completion for ${COMP_WORDS[0]}"
	fn=${spec#*-F }
	fn=${fn%% *}
	COMPREPLY=()
	"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# comp_eq LINE WANT: <Tab> at the end of LINE offers exactly WANT.
comp_eq() {
	eq "$(comp "$1")" "$2" "completion of '$1'"
}

# The tools, as the Makefile finds them: a directory with a main.c.
tools() {
	local m
	for m in "$TOP"/*/main.c; do
		m=${m%/main.c}
		echo "plumb-${m##*/}"
	done
}

tool_bin() {
	echo "$TOP/${1#plumb-}/$1"
}

# The long options in a help text, with those given: sorted, one line.
long_options() {
	{ grep -oE -- '--[a-z][a-z0-9-]*' || true; printf '%s\n' "${@:2}"; } <<< "$1" |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}

test_completion_offers_every_verb_of_every_tool() {
	local t verbs
	comp_load
	for t in $(tools); do
		[ -x "$(tool_bin "$t")" ] || fail "$t is not built"
		complete -p "$t" > /dev/null 2>&1 || fail "completion/plumb does not complete $t"
		verbs=$("$(tool_bin "$t")" --help |
			awk '/^verbs:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }' |
			sort | tr '\n' ' ' | sed 's/ $//')
		[ -n "$verbs" ] || fail "$t --help lists no verbs"
		comp_eq "$t " "$verbs"
	done
	comp_eq "plumb-bridge d" "del del-bridge"
	comp_eq "plumb-nat -j re" "reconcile"
}

test_completion_offers_the_options_each_verb_takes() {
	local t v help
	comp_load
	for t in $(tools); do
		help=$("$(tool_bin "$t")" --help)
		# Before the verb: those of --help, and the -h and -V of every tool.
		eq "$(comp "$t -" | tr ' ' '\n' | grep -- '^--' | tr '\n' ' ' | sed 's/ $//')" \
			"$(long_options "$(sed -n '/^options/,/^$/p' <<< "$help")" --help --version)" \
			"options of $t"
		for v in $(awk '/^verbs:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }' \
			<<< "$help"); do
			eq "$(comp "$t $v -" | tr ' ' '\n' | grep -- '^--' | tr '\n' ' ' |
			      sed 's/ $//')" \
				"$(long_options "$("$(tool_bin "$t")" "$v" -h)" --help)" \
				"options of $t $v"
		done
	done
	comp_eq "plumb-nat list -" "--help --stats -s"
	comp_eq "plumb-bridge -" "--help --json --netns --version -V -h -j -n"
	comp_eq "plumb-netns -" "--help --json --version -V -h -j"
	comp_eq "plumb-bridge add red --no-" \
		"--no-default-route --no-direct-access --no-isolate --no-masquerade-to"
}

test_completion_offers_the_values_of_verbs_and_options() {
	comp_load
	comp_eq "plumb-bridge add red --ip " "auto"
	comp_eq "plumb-bridge add red --ip6=" "auto"
	comp_eq "plumb-bridge add red --subnet " ""
	comp_eq "plumb-bridge add red --mtu 1400 --ip a" "auto"
	comp_eq "plumb-bridge route " "add del"
	comp_eq "plumb-bridge route add red default " "via"
	comp_eq "plumb-bridge route del red 10.1.0.0/16 via 10.88.0.2 " "dev"
	comp_eq "plumb-bridge route del red 10.1.0.0/16 via " ""
	comp_eq "plumb-bridge oci-hook " "create delete"
	comp_eq "plumb-nat masq " "add del"
	comp_eq "plumb-nat oci-hook --publish 80:80 " "create delete"
	comp_eq "plumb-nat oci-hook --publish " ""
	comp_eq "plumb-netns oci-hook --name x " "create delete"
	comp_eq "plumb-netns list " ""
}

# pids LINE: what LINE offers holds this shell's PID, and only PIDs.
pids() {
	local got
	got=$(comp "$1")
	[[ " $got " == *" $$ "* ]] || fail "'$1' offers '$got', not this shell's PID $$"
	[[ $got =~ ^[0-9]+( [0-9]+)*$ ]] || fail "'$1' offers '$got', not only PIDs"
}

test_completion_names_the_namespaces_of_run_netns() {
	comp_load
	ok plumb-netns add red
	ok plumb-netns add rose
	ok plumb-netns add blue
	comp_eq "plumb-netns del " "blue red rose"
	comp_eq "plumb-netns del red r" "red rose"
	comp_eq "plumb-netns path b" "blue"
	comp_eq "plumb-netns exec r" "red rose"
	comp_eq "plumb-bridge add " "blue red rose"
	comp_eq "plumb-bridge -n " "blue red rose"
	comp_eq "plumb-nat --netns b" "blue"
	comp_eq "plumb-bridge route add r" "red rose"
	comp_eq "plumb-bridge link " "blue: red: rose:"
	comp_eq "plumb-bridge link red:eth1 b" "blue:"
	comp_eq "plumb-bridge link red:" ""
	comp_eq "plumb-bridge unlink ro" "rose:"
	# pid:PID: after the ':' only the PID is replaced. The shell's own PID
	# is asked for: other processes come and go.
	pids "plumb-bridge add pid:"
	pids "plumb-bridge add pid:$$"
	pids "plumb-netns attach x $$"
	pids "plumb-netns path $$"
	comp_eq "plumb-bridge add pid:x" ""
	ok plumb-netns del rose
	comp_eq "plumb-netns del r" "red"
	ok plumb-netns del red blue
	comp_eq "plumb-netns del " ""
}

test_completion_of_exec_hands_over_to_the_command() {
	comp_load
	ok plumb-netns add red
	comp_eq "plumb-netns exec red plumb-nat l" "list"
	comp_eq "plumb-netns exec red -- plumb-nat l" "list"
	comp_eq "plumb-netns exec red -- plumb-bridge -n r" "red"
	comp_eq "plumb-netns exec red --" ""
}

test_completion_names_networks_ids_and_interfaces_from_records() {
	comp_load
	# /sys/class/net shows the namespace of whoever mounted sysfs: this one's.
	mount -t sysfs sysfs /sys || fail "mount sysfs"
	ok plumb-netns add red
	ok plumb-netns add blue
	ok plumb-bridge add red
	ok plumb-bridge add blue --bridge lab0 --subnet 10.89.0.0/16 --ifname net1
	ok plumb-bridge add --bridge idle0 --subnet 10.90.0.0/16
	comp_eq "plumb-bridge check " "blue red"
	comp_eq "plumb-bridge check --network lab0 " "blue"
	comp_eq "plumb-bridge check --network=plumb0 " "red"
	comp_eq "plumb-bridge check b" "blue"
	comp_eq "plumb-bridge check --network p* " ""
	comp_eq "plumb-bridge check red --network " "lab0 plumb0"
	comp_eq "plumb-bridge del --network lab0 --id " "blue"
	comp_eq "plumb-bridge del --id blue --ifname " "net1"
	comp_eq "plumb-bridge del --id red --ifname " "eth0"
	comp_eq "plumb-bridge del --bridge " "idle0 lab0 plumb0"
	comp_eq "plumb-bridge del-bridge i" "idle0"
	comp_eq "plumb-nat oci-hook create --network l" "lab0"
	ok plumb-bridge del red
	comp_eq "plumb-bridge check " "blue"
	comp_eq "plumb-bridge check --network " "lab0 plumb0"
}

test_completion_names_nat_owners_subnets_and_ports_from_records() {
	comp_load
	ok plumb-netns add other
	ok plumb-nat masq add 10.88.0.0/16 --id lab
	ok plumb-nat masq add fd00:88::/64 --id lab
	ok plumb-nat masq add 10.89.0.0/16 --id web/one
	ok plumb-nat publish 8080/tcp 10.88.0.2:80 --id web/two
	ok plumb-nat -n other masq add 10.99.0.0/16 --id inner
	comp_eq "plumb-nat unpublish --id " "lab web/one web/two"
	# The owners hooks and plugins make are not for --id.
	mkdir /run/plumb/nat/container@web || fail "mkdir"
	comp_eq "plumb-nat unpublish --id " "lab web/one web/two"
	comp_eq "plumb-nat unpublish --id w" "web/one web/two"
	comp_eq "plumb-nat publish 80 10.88.0.3:80 --id=web/o" "web/one"
	comp_eq "plumb-nat masq del " "10.88.0.0/16 10.89.0.0/16 fd00:88::/64"
	comp_eq "plumb-nat masq del --id lab " "10.88.0.0/16 fd00:88::/64"
	comp_eq "plumb-nat masq del --id web/one 10." "10.89.0.0/16"
	comp_eq "plumb-nat masq del --id web/* " ""
	# After a ':' only the rest of the word is replaced.
	comp_eq "plumb-nat masq del fd00:" "88::/64"
	comp_eq "plumb-nat masq add " ""
	comp_eq "plumb-nat -n other unpublish --id " "inner"
	comp_eq "plumb-nat -n other masq del " "10.99.0.0/16"
	ok plumb-nat publish 192.0.2.1:5353-5354/udp 10.88.0.3:53-54 --id web/one
	ok plumb-nat publish '[fd00:88::1]:443' '[fd00:88::3]:443' --id web/one
	comp_eq "plumb-nat unpublish " "192.0.2.1:5353-5354/udp 8080/tcp [fd00:88::1]:443/tcp"
	comp_eq "plumb-nat unpublish --id web/one " "192.0.2.1:5353-5354/udp [fd00:88::1]:443/tcp"
	comp_eq "plumb-nat unpublish 8" "8080/tcp"
	comp_eq "plumb-nat unpublish 192.0.2.1:" "5353-5354/udp"
	ok plumb-nat unpublish 192.0.2.1:5353-5354/udp
	ok plumb-nat unpublish '[fd00:88::1]:443/tcp'
	ok plumb-nat unpublish --id web/two
	comp_eq "plumb-nat unpublish " ""
	comp_eq "plumb-nat unpublish --id " "lab web/one"
}

test_completion_names_labs_and_their_nodes_from_records() {
	command -v plumb-lab > /dev/null || skip "no plumb-lab in this tree"
	comp_load
	mkdir -p /tmp/labs && cd /tmp/labs || fail "cd /tmp/labs"
	cat > duo.yaml <<- 'END'
	name: duo
	prefix: d
	nodes: [left, right]
	links:
	  - endpoints: [left:eth0=192.168.77.1/24, right:eth0=192.168.77.2/24]
	END
	echo '{"name": "other"}' > other.json
	touch notes.txt
	comp_eq "plumb-lab up " "duo.yaml other.json"
	ok plumb-lab up duo.yaml
	comp_eq "plumb-lab show " "duo"
	comp_eq "plumb-lab graph d" "duo"
	comp_eq "plumb-lab down " "duo duo.yaml other.json"
	comp_eq "plumb-lab show -" "--help -j"
	comp_eq "plumb-lab exec " "duo"
	comp_eq "plumb-lab exec duo " "left right"
	comp_eq "plumb-lab exec duo r" "right"
	comp_eq "plumb-lab exec duo -" "--all --help"
	comp_eq "plumb-lab exec duo left plumb-nat l" "list"
	comp_eq "plumb-lab exec duo --all -- plumb-nat l" "list"
	comp_eq "plumb-lab exec --all duo plumb-bridge del-b" "del-bridge"
	comp_eq "plumb-lab exec duo left --" ""
	comp_eq "plumb-netns del d-" "d-left d-right"
	ok plumb-lab down duo
	comp_eq "plumb-lab show " ""
	comp_eq "plumb-lab exec duo " ""
}
