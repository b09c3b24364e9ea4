#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/deps.sh: install what plumb needs to build, test and demo on Debian 12,
# as root. Installs only what is missing, so running it again is quick.
set -eu
packages="build-essential pkg-config
	libmnl-dev libnftnl-dev libcap-dev libjansson-dev libcmocka-dev
	iproute2 nftables jq libcap2-bin util-linux man-db
	iputils-ping socat conntrack containernetworking-plugins
	crun runc podman busybox-static clang libclang-rt-14-dev
	dpkg-dev debhelper lintian blhc bash-completion"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed$' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
