#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-debug: the whole selftest suite on a debug kernel (KASAN,
# lockdep, kmemleak, UBSAN, KFENCE, list/object debugging, fault injection)
# built from Debian's linux-source-6.1 (scripts/debug-kernel.sh, cached in
# build/debug-kernel). The modules are built against it in a copy of the
# tree (build/debug-tree) so that the normal build stays as it is. Any splat
# fails the run; kmemleak is scanned after the suite and a leak through
# kcloud's modules fails it. Ends with "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
start=$SECONDS

scripts/debug-kernel.sh || exit 1
ksrc=$top/build/debug-kernel/src
kver=$(make -s -C "$ksrc" kernelrelease)
echo "# check-debug: kernel $kver (ready in $(( SECONDS - start )) s here; its build took" \
	"$(cat "$top/build/debug-kernel/build-seconds" 2>/dev/null || echo ?) s)"

tree=$top/build/debug-tree
mkdir -p "$tree"
# The working tree as it is (committed or not), without build outputs.
git ls-files -co --exclude-standard -z | grep -zv '^build/' |
	tar --null -T - -cf - | tar -xf - -C "$tree"
make -s -C "$tree" KDIR="$ksrc" KVER="$kver" modules bpf tools selftests \
	> "$top/build/debug-build.log" 2>&1 || {
	tail -n 30 "$top/build/debug-build.log"
	echo "not ok 1 build against the debug kernel"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
make -s guest > /dev/null || exit 1

cd "$tree" || exit 1
suite_start=$SECONDS
# KASAN, lockdep and kmemleak make every test several times slower (and
# an emulated CPU under them trips the 20 s soft lockup watchdog while
# booting: watchdog_thresh=60 makes it 120 s). Tearing down a network
# namespace with hundreds of devices holds RTNL for minutes on it (seen
# after vpc/test_scale: an RCU stall report in cleanup_net and a hung-task
# report for a worker waiting on RTNL, no kcloud frame in either): the RCU
# stall and hung-task limits go to 300 s and 900 s, as the time limits are
# scaled. KCLOUD_CHECK_TESTS picks tests as selftests/run.sh does.
export KCLOUD_TIMEOUT_SCALE=${KCLOUD_TIMEOUT_SCALE:-4}
# The scale tests make the same calls with fewer objects here: their point
# on this kernel is what KASAN, lockdep and kmemleak find, not the counts
# (make check asserts those). 4,096 netdevs alone took 20 minutes to make
# and tear down, most of it with RTNL held.
export KCLOUD_VPC_SCALE_MAPPINGS=${KCLOUD_VPC_SCALE_MAPPINGS:-20000}
export KCLOUD_VPC_SCALE_PORTS=${KCLOUD_VPC_SCALE_PORTS:-512}
export KCLOUD_METER_SCALE=${KCLOUD_METER_SCALE:-2000}
# The tree copy does not sit beside ../shared: point the schema checks
# (core/test_specs) at the genetlink schema the main tree sees.
for s in "${KCLOUD_GENL_SCHEMA:-}" "$top/../shared/netlink-schema/genetlink.yaml" \
	"$top/Documentation/netlink/genetlink.yaml"; do
	[ -n "$s" ] && [ -f "$s" ] && export KCLOUD_GENL_SCHEMA=$(realpath "$s") && break
done
KCLOUD_IMAGE_DIR=$top/build/guest selftests/vm/run-vm.sh \
	--kernel "$ksrc/arch/x86/boot/bzImage" --kver "$kver" --mem 4G \
	--timeout "${KCLOUD_VM_TIMEOUT:-5000}" --rwdir "$top/build/vm/check-debug" \
	--append "kmemleak=on kasan.fault=report watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300 sysctl.kernel.hung_task_timeout_secs=900" -- bash -c '
	# Everything is built in: tell modprobe so (kc_load resolves the
	# kernel modules that kcloud'"'"'s depend on with modprobe).
	m=/lib/modules/$(uname -r)
	mkdir -p "$m" && cp "$0"/modules.builtin "$0"/modules.builtin.modinfo "$0"/modules.order "$m"/ &&
		depmod -a "$(uname -r)"
	exec selftests/run.sh "$@"' "$ksrc" ${KCLOUD_CHECK_TESTS:-}
rc=$?
echo "# check-debug: the suite took $(( SECONDS - suite_start )) s, $(( SECONDS - start )) s in all; guest log: $top/build/vm/check-debug/console.log"
exit $rc
