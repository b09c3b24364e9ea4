# SPDX-License-Identifier: GPL-2.0-or-later
# bench/forward.sh: the cost of a new connection through plumb's forwarding
# policy (chain forward of table inet plumb: isolation and the direct-access
# guard) with one network, and with 1,000 isolated and guarded networks; and,
# for contrast, the same policy written as rules per network, as Docker's
# DOCKER-ISOLATION chains are. Run it in a sandbox:
#
#   make bench/connect && tests/netns/sandbox bench/forward.sh bench_forward
#
#   c 10.99.0.2 --- plumb0 10.99.0.1/24   (plumb-bridge add --masquerade
#                                           --isolate --no-direct-access)
#                   wan0 192.0.2.1 ====== eth0 192.0.2.2  wan: a TCP server
#
# c makes BENCH_COUNT connections to wan (5,000) per sample, closed with a
# reset, each a new conntrack entry whose first packet goes through every
# rule of chain forward: the same-bridge lookup misses, the packet is
# neither DNATed nor an answer, c's bridge is isolated but wan0 is not one
# of plumb's, the peers' lookup misses, wan0 is not guarded: the way out,
# past every lookup. The populations take turns: A (one network), B (1,000
# networks), C (B and the 999 others' policy as 3 rules each), B, A, for
# BENCH_ROUNDS rounds (3); the table shows the median and the range of the
# samples, in microseconds per connection. The 999 other networks are made
# from records (bridges br1 to br999, which need not exist), by one
# "plumb-nat reconcile".

# sample NAME: one measurement of population NAME, appended to /tmp/samples
sample() {
	local out
	out=$("$TOP/bench/connect" /run/netns/c /run/netns/wan 192.0.2.2 7000 \
		"${BENCH_COUNT:-5000}") || fail "connect: $out"
	echo "$1 ${out#ns_per_connection }" >> /tmp/samples
}

# others N: the records of N more isolated and guarded networks, then reconcile
others() {
	local i dir
	for i in $(seq 1 "$1"); do
		dir=/run/plumb/nat/network@net$i
		mkdir -p "$dir"
		printf '{"type":"net","bridge":"br%d","made_by":"cli","isolate":true,"direct_access":false}' \
			"$i" > "$dir/net-br$i.json"
	done
	ok plumb-nat reconcile
}

# rules N: the policy of `others N` as rules, 3 a network, in a table of
# their own, as a firewall that writes a rule per network would
rules() {
	local i
	{
		echo 'table inet bench_rules {'
		echo ' chain forward { type filter hook forward priority filter - 1;'
		for i in $(seq 1 "$1"); do
			printf '  iifname "br%d" oifname != "br%d" oifgroup 0x706c drop\n' $i $i
			printf '  oifname "br%d" iifname != "br%d" iifgroup 0x706c drop\n' $i $i
			printf '  oifname "br%d" iifname != "br%d" ct status != dnat ct direction original drop\n' \
				$i $i
		done
		echo ' }'
		echo '}'
	} > /tmp/rules.nft
	ok nft -f /tmp/rules.nft
}

bench_forward() {
	local round rounds=${BENCH_ROUNDS:-3} n=999
	[ -x "$TOP/bench/connect" ] || fail "build first: make bench/connect"
	: > /tmp/samples
	ok plumb-netns add c
	wan
	ok plumb-bridge add c --subnet 10.99.0.0/24 --network c --masquerade \
		--isolate --no-direct-access
	for round in $(seq "$rounds"); do
		sample A
		others $n
		eq "$(plumb-nat -j list | jq '.networks | length')" $((n + 1)) "networks"
		sample B
		rules $n
		sample C
		ok nft delete table inet bench_rules
		sample B
		rm -r /run/plumb/nat/network@net*
		ok plumb-nat flush
		ok plumb-nat reconcile
		eq "$(plumb-nat -j list | jq '.networks | length')" 1 "networks"
		sample A
	done
	echo "| population | networks with a policy | rules | µs per connection, median (min–max) |"
	echo "|---|---|---|---|"
	for p in A B C; do
		sort -n -k2 /tmp/samples | awk -v p=$p -v n=$n '$1 == p { v[c++] = $2 }
			END {
				r = p == "C" ? 28 + n * 3 : 28
				name = p == "A" ? "one network" : p == "B" ? \
					"1,000 networks" : "1,000 networks, 3 rules a network"
				printf "| %s | %d | %d | %.1f (%.1f–%.1f) |\n", name,
					p == "A" ? 1 : n + 1, r,
					v[int(c / 2)] / 1000, v[0] / 1000, v[c - 1] / 1000
			}'
	done
}
