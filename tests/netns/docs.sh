# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages render, and say what the tools say.

test_man_pages_render_without_warnings() {
	local page warnings
	command -v man > /dev/null || skip "needs man-db"
	for page in "$TOP"/docs/*.8; do
		warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null)
		[ -z "$warnings" ] || fail "$page: $warnings"
		# Rendered whole first: "man | grep -q" races with pipefail.
		grep -q '^NAME' <<< "$(MANWIDTH=80 man -l "$page" 2> /dev/null)" ||
			fail "$page renders no NAME section"
	done
}

test_man_pages_list_every_verb() {
	local tool verb page
	for tool in "$TOP"/netns/plumb-netns "$TOP"/bridge/plumb-bridge "$TOP"/nat/plumb-nat \
		"$TOP"/lab/plumb-lab; do
		[ -x "$tool" ] || continue
		page=$(MANWIDTH=200 man -l "$TOP/docs/${tool##*/}.8" 2> /dev/null)
		for verb in $("$tool" --help | awk '/^verbs:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }'); do
			grep -qE "^ +(.*, )?$verb([ ,]|$)" <<< "$page" ||
				fail "${tool##*/}.8 does not document $verb"
		done
	done
}
