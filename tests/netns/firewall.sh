# SPDX-License-Identifier: GPL-2.0-or-later
# Forwarding policy: plumb's networks next to the firewalls hosts really run
# (a distribution's nftables.conf, iptables-nft as Docker and ufw leave it),
# with nft, iptables-save, socat and ping as the witnesses.
#
#   wan  eth0 192.0.2.2/24, routes 10.0.0.0/8 via the host
#          |  veth
#   host wan0 192.0.2.1/24
#     fw1 10.41.0.1/24  network net1 (plumb-bridge + plumb-nat, through CNI)
#       |-- a  10.41.0.2   port 80 published on the host's 8080
#       `-- a2 10.41.0.3
#     fw2 10.42.0.1/24  network net2
#       `-- b  10.42.0.2
#
# Both networks are masqueraded. Every server answers each connection with
# the address it came from, so a check says who reached whom and as whom.
# Every function test_* runs in a sandbox of its own (tests/netns/sandbox).

EX=$TOP/examples/cni
HOST=192.0.2.1
WAN=192.0.2.2
A=10.41.0.2
A2=10.41.0.3
B=10.42.0.2
PORT80='{"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}'

# --- the host ------------------------------------------------------------------

# conflist FILE NAME BRIDGE SUBNET: examples/cni/plumb.conflist for one network
conflist() {
	jq --arg n "$2" --arg br "$3" --arg s "$4" '.name = $n |
		.plugins[0].bridge = $br | .plugins[0].ipam.ranges = [[{subnet: $s}]]' \
		"$EX/plumb.conflist" > "$1" || fail "conflist $*"
}

# cni ARGS...: tests/netns/cni-run ARGS must succeed
cni() {
	"$TOP/tests/netns/cni-run" "$@" > /tmp/.cni 2>&1 || fail "cni-run $*: $(cat /tmp/.cni)"
}

# containers: net1 and net2 with a, a2 and b, through the CNI front end
containers() {
	conflist /tmp/net1.conflist net1 fw1 10.41.0.0/24
	conflist /tmp/net2.conflist net2 fw2 10.42.0.0/24
	ok ip netns add a
	ok ip netns add a2
	ok ip netns add b
	cni ADD /tmp/net1.conflist ctr-a /run/netns/a eth0 "$PORT80"
	cni ADD /tmp/net1.conflist ctr-a2 /run/netns/a2 eth0
	cni ADD /tmp/net2.conflist ctr-b /run/netns/b eth0
	eq "$(ip -n a -j addr show dev eth0 | jq -r '.[0].addr_info[0].local')" $A "a's address"
	eq "$(ip -n b -j addr show dev eth0 | jq -r '.[0].addr_info[0].local')" $B "b's address"
	serve a 80
	serve a 81
	serve a2 80
	serve wan 7000
}

# host: the wan side (routing 10.0.0.0/8 to the host), then the containers
host() {
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	containers
}

# serve NS PORT: a TCP server in NS on PORT answering with the client's address
serve() {
	local i
	ip netns exec "$1" socat TCP-LISTEN:"$2",fork,reuseaddr \
		SYSTEM:'echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
	for i in $(seq 50); do
		[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ] && return 0
		sleep 0.05
	done
	fail "no server on port $2 in $1"
}

# peer NS ADDR PORT: what the server at ADDR:PORT says to NS ("" if nothing
# answers within 3 s)
peer() {
	ip netns exec "$1" timeout 4 socat -T 3 - TCP:"$2":"$3",connect-timeout=3 \
		< /dev/null 2> /dev/null
}

# reaches NS ADDR PORT SEEN: NS reaches ADDR:PORT and is seen there as SEEN
reaches() {
	eq "$(peer "$1" "$2" "$3")" "$4" "$1 to $2:$3, as seen there"
}

# refused NS ADDR PORT: nothing answers NS at ADDR:PORT
refused() {
	local got
	got=$(peer "$1" "$2" "$3")
	[ -z "$got" ] || fail "$1 reached $2:$3 (seen as $got)"
}

# works: what every container host needs, whatever else filters forwarding:
# egress (masqueraded), the published port from outside, two containers of
# one bridge, and hairpin (a container to its own published port)
works() {
	reaches a $WAN 7000 $HOST
	reaches b $WAN 7000 $HOST
	reaches wan $HOST 8080 $WAN
	reaches a2 $A 80 $A2
	reaches a $HOST 8080 10.41.0.1
}

# foreign: the ruleset without plumb's own table, as nft -s lists it
foreign() {
	nft -s list ruleset | awk '/^table inet plumb \{/ { skip = 1 }
		!skip { print } skip && /^\}/ { skip = 0 }'
}

# tagged: how many rules of the ruleset carry plumb's tag
tagged() {
	nft -j list ruleset | jq '[.nftables[] | select(.rule) | .rule |
		select(.comment? // "" | startswith("plumb: "))] | length'
}

# --- a distribution's nftables.conf -------------------------------------------

# nftables_conf: what Debian's /etc/nftables.conf becomes when a host drops
# what it does not forward on purpose (nftables.service loads it with
# "flush ruleset" first)
nftables_conf() {
	nft -f - <<- 'EOF' || fail "nft -f"
	flush ruleset
	table inet filter {
		chain input {
			type filter hook input priority filter; policy accept;
		}
		chain forward {
			type filter hook forward priority filter; policy drop;
			ct state established,related accept
		}
		chain output {
			type filter hook output priority filter; policy accept;
		}
	}
	EOF
}

test_nftables_conf_forward_drop_first_then_containers() {
	local before
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	nftables_conf
	before=$(foreign)
	containers
	works
	eq "$(nft -j list chain inet filter forward | jq -c '[.nftables[] | select(.rule) |
		.rule | [(.expr[0].match.left.meta.key), .expr[0].match.right,
		(.expr[-1] | keys[0]), .comment]] | .[:2]')" \
		'[["iifgroup",28780,"accept","plumb: lets plumb bridges through; plumb-nat flush removes it"],["oifgroup",28780,"accept","plumb: lets plumb bridges through; plumb-nat flush removes it"]]' \
		"plumb's two rules at the head of inet filter forward"
	eq "$(tagged)" 2 "tagged rules"
	ok plumb-nat flush
	eq "$(nft -s list ruleset)" "$before" "the ruleset after plumb-nat flush"
	ok plumb-nat flush
	eq "$(nft -s list ruleset)" "$before" "the ruleset after a second flush"
}

test_containers_first_then_nftables_conf_then_reconcile() {
	host
	works
	nftables_conf
	refused a $WAN 7000
	refused wan $HOST 8080
	ok plumb-nat reconcile
	works
	eq "$(tagged)" 2 "tagged rules"
	# A second reconcile finds everything there and changes nothing.
	local before
	before=$(nft -s list ruleset)
	ok plumb-nat reconcile
	eq "$(nft -s list ruleset)" "$before" "the ruleset after a second reconcile"
}

test_notice_names_the_chain_once() {
	local err
	wan
	nftables_conf
	conflist /tmp/net1.conflist net1 fw1 10.41.0.0/24
	ok ip netns add a
	ok ip netns add a2
	"$TOP/tests/netns/cni-run" ADD /tmp/net1.conflist ctr-a /run/netns/a eth0 \
		> /dev/null 2> /tmp/.err || fail "ADD: $(cat /tmp/.err)"
	grep -q "notice: nftables chain inet filter forward drops what it does not accept" \
		/tmp/.err || fail "no notice naming the chain: $(cat /tmp/.err)"
	"$TOP/tests/netns/cni-run" ADD /tmp/net1.conflist ctr-a2 /run/netns/a2 eth0 \
		> /dev/null 2> /tmp/.err || fail "ADD: $(cat /tmp/.err)"
	err=$(cat /tmp/.err)
	eq "$err" "" "what the second ADD said, with the rules there"
	eq "$(tagged)" 2 "tagged rules"
}

# --- iptables-nft: Docker's and ufw's FORWARD policy drop -------------------------

# docker_like: the filter table as dockerd (--iptables) leaves it, without
# dockerd: FORWARD policy drop, the jump to DOCKER-USER first
docker_like() {
	ok iptables-nft -P FORWARD DROP
	ok iptables-nft -N DOCKER-USER
	ok iptables-nft -A DOCKER-USER -j RETURN
	ok iptables-nft -N DOCKER-ISOLATION-STAGE-1
	ok iptables-nft -A DOCKER-ISOLATION-STAGE-1 -j RETURN
	ok iptables-nft -A FORWARD -j DOCKER-USER
	ok iptables-nft -A FORWARD -j DOCKER-ISOLATION-STAGE-1
	ok iptables-nft -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	ok iptables-nft -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
}

# ufw_like: the chains of ufw's default policy "deny (routed)"
ufw_like() {
	local c
	ok iptables-nft -P FORWARD DROP
	ok ip6tables-nft -P FORWARD DROP
	for c in ufw-before-forward ufw-after-forward ufw-reject-forward ufw-track-forward; do
		ok iptables-nft -N $c
		ok iptables-nft -A FORWARD -j $c
		ok ip6tables-nft -N $c
		ok ip6tables-nft -A FORWARD -j $c
	done
	ok iptables-nft -A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
}

# saved: iptables-save without its comments and the counters traffic moves
saved() {
	iptables-nft-save | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//'
}

# readable: iptables-save reads every table, in both families
readable() {
	local out
	for t in iptables-nft-save ip6tables-nft-save; do
		out=$($t 2>&1) || fail "$t failed: $out"
		! grep -qi "incompatible\|unsupported" <<< "$out" || fail "$t: $out"
	done
}

test_iptables_nft_docker_user_gets_the_rules_first_then_containers() {
	local before
	wan
	ok ip -n wan route add 10.0.0.0/8 via $HOST
	docker_like
	before=$(saved)
	containers
	works
	readable
	eq "$(iptables-nft -S DOCKER-USER)" "-N DOCKER-USER
-A DOCKER-USER -m devgroup --src-group 0x706c -m comment --comment \"plumb: lets plumb bridges through; plumb-nat flush removes it\" -j ACCEPT
-A DOCKER-USER -m devgroup --dst-group 0x706c -m comment --comment \"plumb: lets plumb bridges through; plumb-nat flush removes it\" -j ACCEPT
-A DOCKER-USER -j RETURN" "DOCKER-USER"
	eq "$(iptables-nft -S FORWARD | head -n 3)" "-P FORWARD DROP
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1" "FORWARD, as Docker left it"
	ok plumb-nat flush
	eq "$(saved)" "$before" "iptables-save after plumb-nat flush"
}

test_containers_first_then_ufw_like_then_reconcile() {
	local before
	host
	ufw_like
	before=$(saved)
	refused a $WAN 7000
	ok plumb-nat reconcile
	works
	readable
	eq "$(iptables-nft -S FORWARD | head -n 3 | cut -d' ' -f1-8)" "-P FORWARD DROP
-A FORWARD -m devgroup --src-group 0x706c -m comment
-A FORWARD -m devgroup --dst-group 0x706c -m comment" "the head of FORWARD"
	eq "$(ip6tables-nft -S FORWARD | grep -c 'plumb: ')" 2 "ip6tables FORWARD"
	ok plumb-nat flush
	eq "$(saved)" "$before" "iptables-save after plumb-nat flush"
}
