#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages that building, testing and benchmarking
# kcloud need. Does nothing when all are present; needs root otherwise.
set -e

PKGS="make gcc libc6-dev linux-image-amd64 linux-headers-amd64 linux-source-6.1
qemu-system-x86 busybox-static clang llvm bpftool libbpf-dev
libnl-3-dev libnl-genl-3-dev dwarves sparse libelf-dev zlib1g-dev
pkg-config bc flex bison libssl-dev kmod cpio xz-utils zstd
iproute2 iputils-ping ethtool tcpdump procps util-linux e2fsprogs
iperf3 fio jq python3 python3-yaml python3-jsonschema python3-scapy
openvswitch-switch drbd-utils perl"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root to install packages (or install them by hand)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
