# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lab.sh: plumb-lab's rows of "make bench", sourced by bench/run (its
# "lab" stage runs in a sandbox of its own, as every stage does).
#
# Row 7: one bridge with LAB_N members (250), made and taken down three ways,
# taking turns, each sample from an empty sandbox:
#   - plumb-lab up, then down, of bench/out/.../lab-star.yaml (namespaces
#     h1..hN, bridge s1 in the sandbox host with a /16, every member leasing
#     an address and a default route through the bridge);
#   - mininet, "mn --topo single,N --switch lxbr --controller none --test
#     none": the same kernel objects (its hosts' addresses, no routes),
#     made and taken down by one python process running ip, brctl and
#     ifconfig;
#   - the floor: iproute2's batch mode, the fewest processes that make the
#     same objects as plumb-lab: "ip -batch" for the namespaces, the bridge
#     and the veths, one "ip -n hI -batch" per namespace (lo and eth0 up,
#     address, default route: ip cannot switch namespaces inside a batch),
#     and "ip -batch" (netns del) to take them down, then waiting, as
#     plumb-lab's down does, until the kernel has taken the host ends down.
# Row 8: a chain of LAB_CHAIN routers (1000) joined by /30 links (each router
# forwards and has two routes): plumb-lab up and down, and its peak RSS.
#
# mininet in a sandbox: it makes its interfaces in the namespace it runs in,
# its hosts are namespaces held by its own processes (the sandbox's PID
# namespace ends them), it keeps files in /tmp (the sandbox's tmpfs) and
# writes sysctls: /proc/sys is made read-only but for /proc/sys/net (the
# sandbox's own), so that it cannot change the machine's kernel.pty.max or
# fs.file-max; it says so and goes on.

if [ "${QUICK:-0}" = 1 ]; then
	LAB_N=${BENCH_LAB_N:-50} LAB_CHAIN=${BENCH_LAB_CHAIN:-100}
	LAB_SAMPLES=${BENCH_LAB_SAMPLES:-1}
else
	LAB_N=${BENCH_LAB_N:-250} LAB_CHAIN=${BENCH_LAB_CHAIN:-1000}
	LAB_SAMPLES=${BENCH_LAB_SAMPLES:-3}
fi

# lab_files: the topology files and the floor's batches, in /tmp
lab_files() {
	local i
	{
		echo "name: star"
		echo "prefix: \"\""
		echo "nodes: [$(seq -s ', ' -f 'h%g' 1 "$LAB_N")]"
		echo "bridges:"
		echo "  s1:"
		echo "    name: s1"
		echo "    subnet: 10.20.0.0/16"
		echo "    members: [$(seq -s ', ' -f 'h%g' 1 "$LAB_N")]"
	} > /tmp/lab-star.yaml
	{
		for ((i = 1; i <= LAB_N; i++)); do echo "netns add h$i"; done
		echo "link add s1 type bridge"
		echo "addr add 10.20.0.1/16 dev s1"
		echo "link set s1 up"
		for ((i = 1; i <= LAB_N; i++)); do
			echo "link add v$i master s1 up type veth peer name eth0 netns h$i"
		done
	} > /tmp/fl-host
	FLOOR_UP=(ip -batch /tmp/fl-host)
	for ((i = 1; i <= LAB_N; i++)); do
		printf '%s\n' "link set lo up" "link set eth0 up" \
			"addr add 10.20.$(((i + 1) / 256)).$(((i + 1) % 256))/16 dev eth0" \
			"route add default via 10.20.0.1" > /tmp/fl-ns-$i
		FLOOR_UP+=(:: ip -n "h$i" -batch /tmp/fl-ns-$i)
	done
	{
		echo "link del s1"
		for ((i = 1; i <= LAB_N; i++)); do echo "netns del h$i"; done
	} > /tmp/fl-down
	mkfifo /tmp/fl-fifo
	# Waits without a process per look: bash's builtins only.
	cat > /tmp/fl-wait <<-'EOF'
	exec 9<> /tmp/fl-fifo
	while compgen -G '/sys/class/net/v[0-9]*' > /dev/null; do read -rt 0.002 -u 9; done
	exit 0
	EOF
	awk -v n="$LAB_CHAIN" 'BEGIN {
		print "name: chain"
		print "nodes:"
		for (i = 1; i <= n; i++) printf "  r%d: {forward: true}\n", i
		print "links:"
		for (i = 1; i < n; i++)
			printf "  - [\"r%d:eth1=%s/30\", \"r%d:eth0=%s/30\"]\n", i, a(i, 1), i + 1, a(i, 2)
		print "routes:"
		for (i = 1; i <= n; i++) {
			printf "  r%d: [", i
			s = ""
			if (i < n - 1) { printf "\"%s/30 via %s\"", a(n - 1, 0), a(i, 2); s = ", " }
			if (i > 2) printf "%s\"%s/30 via %s\"", s, a(1, 0), a(i - 1, 1)
			print "]"
		}
	}
	# the address k (0: the subnet) of link i, in 10.0.0.0/8
	function a(i, k) {
		return sprintf("10.%d.%d.%d", int(i / 16384), int(i / 64) % 256, (i % 64) * 4 + k)
	}' > /tmp/lab-chain.yaml
}

# lab_clean WHAT: the sandbox holds nothing but lo, and no named namespace
lab_clean() {
	[ "$(ip -o link | wc -l)" = 1 ] && [ -z "$(ls -A /run/netns)" ] ||
		{ say "after $1 the sandbox is not empty: $(ip -br link | head -3)"; exit 1; }
}

stage_lab() {
	local s mn=1
	mount -t sysfs sysfs /sys || exit 1
	mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys &&
		mount --bind /proc/sys/net /proc/sys/net &&
		mount -o remount,bind,rw /proc/sys/net || exit 1
	command -v mn > /dev/null && command -v brctl > /dev/null ||
		{ mn=0; say "mininet or brctl missing: no mininet row (apt-get install mininet bridge-utils)"; }
	lab_files
	printf 'LAB_N=%s\nLAB_CHAIN=%s\n' "$LAB_N" "$LAB_CHAIN" > "$O/lab-params"
	LAB=$top/lab/plumb-lab
	# Not samples: the first of each makes the kernel's caches warm.
	"$CB" exec "${FLOOR_UP[@]}" > /dev/null && "$CB" exec ip -batch /tmp/fl-down :: \
		bash /tmp/fl-wait > /dev/null || exit 1
	lab_clean floor
	"$CB" exec "$LAB" up /tmp/lab-star.yaml :: "$LAB" down star > /dev/null || exit 1
	lab_clean plumb-lab
	for ((s = 0; s < LAB_SAMPLES; s++)); do
		say "lab row 7: sample $((s + 1)) of $LAB_SAMPLES"
		"$CB" exec "${FLOOR_UP[@]}" >> "$O/row7-floor-up" &&
		"$CB" exec ip -batch /tmp/fl-down :: bash /tmp/fl-wait >> "$O/row7-floor-down" ||
			exit 1
		lab_clean floor
		"$CB" exec "$LAB" up /tmp/lab-star.yaml >> "$O/row7-lab-up" &&
		"$CB" exec "$LAB" down star >> "$O/row7-lab-down" || exit 1
		lab_clean plumb-lab
		[ $mn = 1 ] || continue
		"$CB" exec mn --topo "single,$LAB_N" --switch lxbr --controller none \
			--test none >> "$O/row7-mininet" 2> "$O/row7-mininet.log" || exit 1
		lab_clean mininet
	done
	say "lab row 8: a chain of $LAB_CHAIN routers"
	"$CB" exec "$LAB" up /tmp/lab-chain.yaml >> "$O/row8-up" &&
	"$CB" exec "$LAB" down chain >> "$O/row8-down" || exit 1
	lab_clean "the chain"
	cp /tmp/lab-star.yaml /tmp/lab-chain.yaml "$O/"
}

# sum of two stats lines (medians, mins, maxes added)
lab_add() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y)
		printf "%.3f %.3f %.3f %d\n", x[1] + y[1], x[2] + y[2], x[3] + y[3], x[4] }'
}

lab_report() {
	local D=$1 fu fd lu ld m f l cu cd rss
	[ -f "$D/row7-lab-up" ] || return 0
	# shellcheck disable=SC1091
	. "$D/lab-params"
	fu=$(col "$D/row7-floor-up" '$1=="exec"' 3 | st)
	fd=$(col "$D/row7-floor-down" '$1=="exec"' 3 | st)
	lu=$(col "$D/row7-lab-up" '$1=="exec"' 3 | st)
	ld=$(col "$D/row7-lab-down" '$1=="exec"' 3 | st)
	f=$(lab_add "$fu" "$fd")
	l=$(lab_add "$lu" "$ld")
	echo
	echo "## plumb-lab (rows 7 and 8)"
	echo
	echo "One bridge with $LAB_N members: see bench/lab.sh for what each side makes."
	echo
	echo "| row | measurement | left | plumb-lab | ratio |"
	echo "|---|---|---|---|---|"
	line 7 "up: floor (ip -batch, $((LAB_N + 1)) ip processes) / plumb-lab up" "$fu" "$lu"
	line 7 "down: floor (ip -batch, then the kernel's teardown) / plumb-lab down" "$fd" "$ld"
	line 7 "**up + down: floor / plumb-lab**" "$f" "$l"
	if [ -s "$D/row7-mininet" ]; then
		m=$(col "$D/row7-mininet" '$1=="exec"' 3 | st)
		line 7 "**up + down: mininet single,$LAB_N lxbr / plumb-lab**" "$m" "$l"
	fi
	cu=$(col "$D/row8-up" '$1=="exec"' 3 | st)
	cd=$(col "$D/row8-down" '$1=="exec"' 3 | st)
	rss=$(col "$D/row8-up" '$1=="exec"' 4 | sort -g | tail -1)
	line 8 "chain of $LAB_CHAIN routers: plumb-lab up / down" "$cu" "$cd" -
	echo "| 8 | chain of $LAB_CHAIN routers: peak RSS of plumb-lab up (MiB) | |" \
		"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') | |"
	echo
	echo "Targets (issue 14):"
	echo
	check "up + down: floor / plumb-lab ($(med "$f") ms / $(med "$l") ms)" \
		"$(awk -v a="$(med "$f")" -v b="$(med "$l")" 'BEGIN { printf "%.2f", a / b }')" \
		">=" 0.67
	[ -s "$D/row7-mininet" ] &&
		check "up + down: mininet / plumb-lab ($(med "$m") ms / $(med "$l") ms)" \
			"$(awk -v a="$(med "$m")" -v b="$(med "$l")" 'BEGIN { printf "%.2f", a / b }')" \
			">=" 8
	return 0
}
