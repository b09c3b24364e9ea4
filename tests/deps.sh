#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/deps.sh: install what plumb needs to build, test and demo on Debian 12,
# as root. Installs only what is missing, so running it again is quick.
set -eu
packages="build-essential pkg-config
	libmnl-dev libnftnl-dev libcap-dev libjansson-dev libcmocka-dev libyaml-dev
	iproute2 nftables jq libcap2-bin util-linux man-db
	iputils-ping socat conntrack containernetworking-plugins
	crun runc podman busybox-static clang libclang-rt-14-dev
	dpkg-dev debhelper lintian blhc bash-completion
	libsystemd-dev dbus firewalld strace
	mininet bridge-utils
	containerd python3-grpcio python3-grpc-tools curl iptables"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed$' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
export DEBIAN_FRONTEND=noninteractive
# firewalld's package starts its service at once and enables it at boot: on
# this machine's own network it would take over the firewall. The tests run
# a firewalld of their own inside a sandbox, so one installed here is held
# back from starting (policy-rc.d) and disabled again. So is containerd's:
# tests/netns/cri.sh starts one of its own in a sandbox.
case " $missing " in
*" firewalld "* | *" containerd "*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi ;;
esac
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
case " $missing " in
*" firewalld "*) deb-systemd-helper disable firewalld.service > /dev/null 2>&1 || : ;;
esac
case " $missing " in
*" containerd "*) deb-systemd-helper disable containerd.service > /dev/null 2>&1 || : ;;
esac
