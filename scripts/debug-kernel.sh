#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel of `make check-debug` from Debian's linux-source-6.1:
# allnoconfig + kvm_guest.config + scripts/debug-kernel.config (KASAN,
# lockdep, kmemleak, UBSAN, KFENCE, list/object debugging, fault injection,
# BTF; 9p, virtio and everything the tests use built in, nothing else).
#
# The tree in OUT/src (default build/debug-kernel) is kept: a build that was
# stopped resumes where it was (an incremental make), a changed fragment
# only reconfigures it, and a finished build is reused as it is while the
# source package and the fragment are unchanged. Only a different source
# package unpacks it again. The seconds spent building are added up in
# OUT/build-seconds (all the runs it took) and the log is OUT/build.log.
#
# usage: debug-kernel.sh [OUT]
#   KCLOUD_KJOBS=N   make -jN (default: the number of CPUs)
#   KCLOUD_KNICE=N   nice level of the build (default 5)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/debug-kernel}
tarball=/usr/src/linux-source-6.1.tar.xz
frag=$top/scripts/debug-kernel.config
jobs=${KCLOUD_KJOBS:-$(nproc)}
nicelvl=${KCLOUD_KNICE:-5}
die() { echo "debug-kernel: $*" >&2; exit 1; }
[ -r "$tarball" ] || die "$tarball not found (make deps)"
command -v pahole > /dev/null || die "pahole not found (apt install dwarves)"

# One build at a time in OUT: a second one waits, then finds it done.
mkdir -p "$out"
exec 9> "$out/lock"
flock -n 9 || { echo "debug-kernel: waiting for the build already running in $out"; flock 9; }

# The configuration is the fragment and this recipe (allnoconfig, then
# kvm_guest.config, then the fragment): bump RECIPE when the recipe changes.
RECIPE=1
srcstamp="$(stat -c '%s %Y' "$tarball")"
cfgstamp="$( (echo "recipe $RECIPE"; cat "$frag") | sha256sum | cut -c1-16)"
image=$out/src/arch/x86/boot/bzImage
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$srcstamp $cfgstamp" ] && [ -f "$image" ]; then
	echo "debug-kernel: cached $image ($(cat "$out/kernelrelease" 2>/dev/null))"
	exit 0
fi

# ---- the source tree: unpacked once per source package --------------------
if [ "$(cat "$out/src/.kcloud-source" 2>/dev/null)" != "$srcstamp" ]; then
	rm -rf "$out/src"
	rm -f "$out/build.log" "$out/build-seconds"
	mkdir -p "$out/src"
	echo "debug-kernel: unpacking $tarball"
	tar -xf "$tarball" -C "$out/src" --strip-components=1
	echo "$srcstamp" > "$out/src/.kcloud-source"
else
	echo "debug-kernel: resuming the tree in $out/src"
fi
rm -f "$out/stamp"
cd "$out/src"

# ---- the configuration: redone when the fragment changed ------------------
if [ "$(cat .kcloud-config 2>/dev/null)" != "$cfgstamp" ] || [ ! -f .config ]; then
	echo "debug-kernel: configuring (allnoconfig + kvm_guest.config + $(basename "$frag"))"
	# Generated aside: .config is replaced only if it changes, so that
	# an unchanged configuration rebuilds nothing.
	cfgdir=$(mktemp -d)
	KCONFIG_CONFIG=$cfgdir/config make -s allnoconfig > /dev/null
	KCONFIG_CONFIG=$cfgdir/config scripts/kconfig/merge_config.sh -m "$cfgdir/config" \
		kernel/configs/kvm_guest.config "$frag" > /dev/null
	KCONFIG_CONFIG=$cfgdir/config make -s olddefconfig > /dev/null
	cmp -s "$cfgdir/config" .config || cp "$cfgdir/config" .config
	rm -rf "$cfgdir"
	echo "$cfgstamp" > .kcloud-config
fi
# Every line of the fragment must have survived olddefconfig.
missing=""
while IFS= read -r line; do
	case "$line" in CONFIG_*=n) opt=${line%=n}; grep -q "^$opt=" .config && missing="$missing $opt=n" ;;
	CONFIG_*) grep -qx "$line" .config || missing="$missing $line" ;; esac
done < <(grep '^CONFIG_' "$frag")
[ -z "$missing" ] || echo "debug-kernel: note: not as asked (dependencies):$missing" >&2

# ---- the build: incremental, measured -------------------------------------
done_objs=$(find . -name '*.o' 2>/dev/null | wc -l)
echo "debug-kernel: building with nice -n $nicelvl make -j$jobs ($done_objs objects already there;" \
	"hours from scratch on 2 shared cores); log: $out/build.log"
start=$SECONDS
# The seconds are counted even when the build is stopped (and resumed later).
count() {
	spent=$((SECONDS - start))
	total=$(( $(cat "$out/build-seconds" 2>/dev/null || echo 0) + spent ))
	echo "$total" > "$out/build-seconds"
}
{ echo "=== $(date -u '+%F %T') make -j$jobs bzImage modules"; } >> "$out/build.log"
rc=0
# Its own process group, so that stopping this script stops all of it.
setsid nice -n "$nicelvl" make -j"$jobs" bzImage modules >> "$out/build.log" 2>&1 &
mpid=$!
trap 'kill -TERM -- -$mpid 2>/dev/null; wait $mpid; count; exit 143' TERM INT
wait $mpid || rc=$?
trap - TERM INT
count
if [ "$rc" != 0 ]; then
	grep -E 'error|Error' "$out/build.log" | tail -n 20 >&2
	die "kernel build failed after $spent s (run it again to resume), see $out/build.log"
fi
make -s kernelrelease > "$out/kernelrelease"
echo "$srcstamp $cfgstamp" > "$out/stamp"
echo "debug-kernel: built $(cat "$out/kernelrelease") in $spent s ($total s over all the runs it took)"
