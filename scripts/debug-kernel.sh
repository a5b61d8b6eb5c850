#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel of `make check-debug` from Debian's linux-source-6.1:
# x86_64 defconfig + kvm_guest.config + scripts/debug-kernel.config (KASAN,
# lockdep, kmemleak, UBSAN, KFENCE, list/object debugging, fault injection,
# BTF; 9p, virtio and everything the tests use built in). The result is kept
# in OUT (default build/debug-kernel) and reused while the source package and
# the config fragment are unchanged.
# usage: debug-kernel.sh [OUT]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/debug-kernel}
tarball=/usr/src/linux-source-6.1.tar.xz
frag=$top/scripts/debug-kernel.config
die() { echo "debug-kernel: $*" >&2; exit 1; }
[ -r "$tarball" ] || die "$tarball not found (make deps)"

stamp="$(stat -c '%s %Y' "$tarball") $(sha256sum < "$frag" | cut -c1-16)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/src/arch/x86/boot/bzImage" ]; then
	echo "debug-kernel: cached $out/src/arch/x86/boot/bzImage"
	exit 0
fi

start=$SECONDS
rm -rf "$out"
mkdir -p "$out/src"
echo "debug-kernel: unpacking $tarball"
tar -xf "$tarball" -C "$out/src" --strip-components=1
cd "$out/src"
make -s x86_64_defconfig
scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config "$frag" >/dev/null
make -s olddefconfig
# Every line of the fragment must have survived olddefconfig.
missing=""
while IFS= read -r line; do
	case "$line" in CONFIG_*=n) opt=${line%=n}; grep -q "^$opt=" .config && missing="$missing $opt=n" ;;
	CONFIG_*) grep -qx "$line" .config || missing="$missing $line" ;; esac
done < <(grep '^CONFIG_' "$frag")
[ -z "$missing" ] || echo "debug-kernel: note: not as asked (dependencies):$missing" >&2
jobs=$(($(nproc) + 1))
echo "debug-kernel: building with -j$jobs (about 20-40 minutes on 2 cores)"
make -s -j"$jobs" bzImage modules > "$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	die "kernel build failed, see $out/build.log"
}
echo "$stamp" > "$out/stamp"
echo "debug-kernel: built $(make -s kernelrelease) in $((SECONDS - start)) s"
