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
# Built against another build of the kernel (its BTF above all, which the
# modules' BTF is split against): build the tree afresh.
kstamp=$(cat "$top/build/debug-kernel/stamp" 2> /dev/null)
[ "$(cat "$tree/.kernel-stamp" 2> /dev/null)" = "$kstamp" ] || rm -rf "$tree"
mkdir -p "$tree"
echo "$kstamp" > "$tree/.kernel-stamp"
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
# The whole suite: the instance tests too (real guests nested in the VM).
export KCLOUD_SLOW=${KCLOUD_SLOW:-1}
# The scale tests make the same calls with fewer objects here: their point
# on this kernel is what KASAN, lockdep and kmemleak find, not the counts
# (make check asserts those). 4,096 netdevs alone took 20 minutes to make
# and tear down, most of it with RTNL held.
export KCLOUD_VPC_SCALE_MAPPINGS=${KCLOUD_VPC_SCALE_MAPPINGS:-10000}
export KCLOUD_VPC_SCALE_PORTS=${KCLOUD_VPC_SCALE_PORTS:-256}
export KCLOUD_METER_SCALE=${KCLOUD_METER_SCALE:-1000}
# The tree copy does not sit beside ../shared: point the schema checks
# (core/test_specs) at the genetlink schema the main tree sees.
for s in "${KCLOUD_GENL_SCHEMA:-}" "$top/../shared/netlink-schema/genetlink.yaml" \
	"$top/Documentation/netlink/genetlink.yaml"; do
	[ -n "$s" ] && [ -f "$s" ] && export KCLOUD_GENL_SCHEMA=$(realpath "$s") && break
done
# The suite runs on KCLOUD_DEBUG_VMS guests (default 2) at once, each its
# own kernel with its own splat and kmemleak checks: a test here waits on
# one CPU for much of its time (a tool's exec, a timeout), so two guests
# keep both of the host's CPUs busy. A dispatcher here hands the tests out
# one at a time (selftests/run.sh's KCLOUD_QUEUE, through each guest's
# scratch folder), longest first, by what each took in the last run here
# that ran it (build/debug-kernel/test-seconds), else by the figures of
# scripts/debug-test-seconds (a test in neither counts as the median): a
# guest that is done early takes the next. The results are printed as one TAP stream.
vms=${KCLOUD_DEBUG_VMS:-2}
times=$top/build/debug-kernel/test-seconds
mapfile -t tests < <(selftests/run.sh -l ${KCLOUD_CHECK_TESTS:-})
[ ${#tests[@]} -gt 0 ] || { echo "not ok 1 no test matches: ${KCLOUD_CHECK_TESTS:-}"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
[ "$vms" -ge 1 ] 2> /dev/null || vms=1
[ "$vms" -le ${#tests[@]} ] || vms=${#tests[@]}
# What this machine measured wins over the committed figures, test by test
# (a run of a few tests measured only those).
mapfile -t queue < <(printf '%s\n' "${tests[@]}" | /usr/bin/python3 -c '
import statistics, sys
times = {}
for path in sys.argv[1:]:
    try:
        for line in open(path):
            f = line.split()
            if len(f) == 2 and not f[0].startswith("#"):
                times[f[0]] = float(f[1])
    except OSError:
        pass
tests = [t.strip() for t in sys.stdin if t.strip()]
dflt = statistics.median(times.values()) if times else 1.0
for t in sorted(tests, key=lambda t: -times.get(t, dflt)):   # stable: suite order
    print(t)
' "$top/scripts/debug-test-seconds" "$times")
weights=$top/scripts/debug-test-seconds
[ -s "$times" ] && weights="$times, then $weights"
echo "# check-debug: ${#tests[@]} tests on $vms guests, longest first by $weights"

run_guest() {
	local k=$1
	shift
	# Every test is a candidate there; the dispatcher says which runs.
	KCLOUD_QUEUE=1 KCLOUD_IMAGE_DIR=$top/build/guest selftests/vm/run-vm.sh \
		--kernel "$ksrc/arch/x86/boot/bzImage" --kver "$kver" --mem 4G \
		--timeout "${KCLOUD_VM_TIMEOUT:-7200}" --rwdir "$top/build/vm/check-debug$k" \
		--append "kmemleak=on kasan.fault=report watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300 sysctl.kernel.hung_task_timeout_secs=900" -- bash -c '
	# Everything is built in: tell modprobe so (kc_load resolves the
	# kernel modules that kcloud'"'"'s depend on with modprobe).
	m=/lib/modules/$(uname -r)
	mkdir -p "$m" && cp "$0"/modules.builtin "$0"/modules.builtin.modinfo "$0"/modules.order "$m"/ &&
		depmod -a "$(uname -r)"
	exec selftests/run.sh "$@"' "$ksrc" "$@"
}
pids=()
for ((k = 0; k < vms; k++)); do
	mkdir -p "$top/build/vm/check-debug$k"
	rm -f "$top/build/vm/check-debug$k"/want* "$top/build/vm/check-debug$k"/next.*
	# An exact name: selftests/run.sh matches patterns as substrings.
	run_guest "$k" "${tests[@]}" > "$top/build/vm/check-debug$k.tap" 2>&1 &
	pids+=($!)
done

# The dispatcher: a guest asks with want (a number N), gets next.N.
qi=0
while :; do
	alive=0
	for k in "${!pids[@]}"; do
		kill -0 "${pids[$k]}" 2> /dev/null || continue
		alive=1
		w=$top/build/vm/check-debug$k/want
		[ -f "$w" ] || continue
		seq=$(cat "$w")
		rm -f "$w"
		name=""
		if [ $qi -lt ${#queue[@]} ]; then
			name=${queue[$qi]}
			qi=$((qi + 1))
			echo "# check-debug: guest $k: $name ($(( SECONDS - suite_start )) s)"
		fi
		printf '%s' "$name" > "$w.next"
		mv "$w.next" "$top/build/vm/check-debug$k/next.$seq"
	done
	[ $alive = 1 ] || break
	sleep 1
done
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done

# One TAP stream: each guest's results renumbered, its own plan and total
# dropped, one total at the end.
n=0 pass=0 fail=0 skip=0
for ((k = 0; k < vms; k++)); do
	echo "# guest $k (console: $top/build/vm/check-debug$k/console.log)"
	got=0
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			n=$((n + 1)); fail=$((fail + 1)); got=1
			echo "not ok $n $(sed -E 's/^not ok [0-9]+ //' <<< "$line")" ;;
		"ok "*)
			n=$((n + 1)); got=1
			if [[ "$line" == *"# SKIP"* ]]; then skip=$((skip + 1)); else pass=$((pass + 1)); fi
			echo "ok $n $(sed -E 's/^ok [0-9]+ //' <<< "$line")" ;;
		"TAP version"*|1..[0-9]*|*" passed, "*" failed, "*" skipped") ;;
		*) echo "$line" ;;
		esac
	done < "$top/build/vm/check-debug$k.tap"
	if [ $got = 0 ]; then
		n=$((n + 1)); fail=$((fail + 1))
		echo "not ok $n guest $k printed no result (its console log says why)"
	fi
done
echo "1..$n"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] || rc=1

# What each test took here (from the marks selftests/run.sh leaves in the
# kernel log): the weights of the next run's split.
for ((k = 0; k < vms; k++)); do
	tr -d '\r' < "$top/build/vm/check-debug$k/console.log" 2> /dev/null |
		grep -a "kcloud-selftests: \|kcloud-vm: command end" |
		sed -E 's/^\[ *([0-9.]+)\].*(kcloud-selftests: |kcloud-vm: command )/\1 /' |
		awk '$2 != "start" { if (prev != "") printf "%s %.0f\n", prev, $1 - t; prev = $2; t = $1 }'
done > "$times.new"
if [ -s "$times.new" ]; then
	# Keep the tests this run did not reach or run.
	[ -f "$times" ] && awk 'NR == FNR { seen[$1] = 1; next } !($1 in seen)' \
		"$times.new" "$times" > "$times.old"
	cat "$times.old" >> "$times.new" 2> /dev/null
	mv "$times.new" "$times"
	rm -f "$times.old"
else
	rm -f "$times.new"
fi
echo "# check-debug: the suite took $(( SECONDS - suite_start )) s, $(( SECONDS - start )) s in all; guest logs: $top/build/vm/check-debug*/console.log"
exit $rc
