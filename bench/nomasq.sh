# SPDX-License-Identifier: GPL-2.0-or-later
# bench/nomasq.sh: the cost of a new connection through plumb's masquerade
# with one network, and with 1,000 networks of 4 destinations each spared
# from masquerade (4,000 elements of nomasq4); and, for contrast, the same
# 4,000 exceptions written as a rule each. Run it in a sandbox:
#
#   make bench/connect && tests/netns/sandbox bench/nomasq.sh bench_nomasq
#
#   c 10.99.0.2 --- plumb0 10.99.0.1/24   (plumb-bridge add --masquerade)
#                   wan0 192.0.2.1 ====== eth0 192.0.2.2  wan: a TCP server
#
# c makes BENCH_COUNT connections to wan (5,000) per sample, closed with a
# reset, each a new conntrack entry whose first packet goes through plumb's
# postrouting chain, where "ip saddr . ip daddr @nomasq4" misses and the
# masquerade follows: the common way out. The populations take turns:
# A (one network), B (1,000 networks), C (B and 4,000 rules), B, A, for
# BENCH_ROUNDS rounds (3); the table shows the median and the range of the
# samples, in microseconds per connection. The 999 other networks are made
# from records, by one "plumb-nat reconcile".

# sample NAME: one measurement of population NAME, appended to /tmp/samples
sample() {
	local out
	out=$("$TOP/bench/connect" /run/netns/c /run/netns/wan 192.0.2.2 7000 \
		"${BENCH_COUNT:-5000}") || fail "connect: $out"
	echo "$1 ${out#ns_per_connection }" >> /tmp/samples
}

# others N: records of N more networks, 10.100.0.0/24 on, with 4
# destinations each, all different (172.16.0.0/24 on), then reconcile
others() {
	local i j d dir list
	for i in $(seq 1 "$1"); do
		dir=/run/plumb/nat/net$i
		mkdir -p "$dir"
		list=
		for j in 0 1 2 3; do
			d=$((i * 4 + j))
			list+="${list:+,}\"172.$((16 + d / 256)).$((d % 256)).0/24\""
		done
		printf '{"type":"nomasq","subnet":"10.%d.%d.0/24","to":[%s]}' \
			$((100 + i / 256)) $((i % 256)) "$list" > "$dir/nomasq-$i.json"
	done
	ok plumb-nat reconcile
}

# rules N: the exceptions of `others N` as a rule each, in a table of their own
rules() {
	local i j d
	{
		echo 'table inet bench_rules {'
		echo ' chain postrouting { type nat hook postrouting priority srcnat - 1;'
		for i in $(seq 1 "$1"); do
			for j in 0 1 2 3; do
				d=$((i * 4 + j))
				printf '  ip saddr 10.%d.%d.0/24 ip daddr 172.%d.%d.0/24 return\n' \
					$((100 + i / 256)) $((i % 256)) $((16 + d / 256)) $((d % 256))
			done
		done
		echo ' }'
		echo '}'
	} > /tmp/rules.nft
	ok nft -f /tmp/rules.nft
}

bench_nomasq() {
	local round rounds=${BENCH_ROUNDS:-3} n=999
	[ -x "$TOP/bench/connect" ] || fail "build first: make bench/connect"
	: > /tmp/samples
	ok plumb-netns add c
	wan
	ok plumb-bridge add c --subnet 10.99.0.0/24 --network c --masquerade \
		--no-masquerade-to 10.244.0.0/16 --no-masquerade-to 10.96.0.0/12
	for round in $(seq "$rounds"); do
		sample A
		others $n
		eq "$(plumb-nat -j list | jq '.no_masquerade | length')" $((n * 4 + 2)) \
			"elements of nomasq4"
		sample B
		rules $n
		sample C
		ok nft delete table inet bench_rules
		sample B
		rm -r /run/plumb/nat/net*
		ok plumb-nat flush
		ok plumb-nat reconcile
		sample A
	done
	echo "| population | elements of nomasq4 | rules | µs per connection, median (min–max) |"
	echo "|---|---|---|---|"
	for p in A B C; do
		sort -n -k2 /tmp/samples | awk -v p=$p -v n=$n '$1 == p { v[c++] = $2 }
			END {
				e = p == "A" ? 2 : n * 4 + 2
				r = p == "C" ? 18 + n * 4 : 18
				name = p == "A" ? "one network" : p == "B" ? \
					"1,000 networks" : "1,000 networks, a rule per exception"
				printf "| %s | %d | %d | %.1f (%.1f–%.1f) |\n", name, e, r,
					v[int(c / 2)] / 1000, v[0] / 1000, v[c - 1] / 1000
			}'
	done
}
