#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kcloud's selftests where the modules can be loaded: in the VM that
# `make check` boots, under virtme-ng, or on a KVM host with the headers
# installed. Loads the built modules if they are not loaded, runs every test
# (selftests/AREA/test_*.sh and build/selftests/AREA/test_*), each under a
# time limit (`timeout=N` in selftests/AREA/settings, default 900 s, times
# KCLOUD_TIMEOUT_SCALE: make check-debug's kernel is slower), prints
# one TAP stream in which every result line of every test is a line, checks
# the kernel log for splats (and, on a kernel with kmemleak, for leaks
# through kcloud's modules), repeats the fuzzers' report lines (what they
# tried, splats, leaks) together, and ends with "N passed, N failed, N
# skipped".
# An area whose settings say `slow=1` (real guests nested in the VM) runs
# only with KCLOUD_SLOW=1 (make check sets it; make check-fast does not); otherwise its tests are
# reported as skipped, with that reason. Exit status: 0 when nothing failed.
#
# usage: selftests/run.sh [-l] [PATTERN...]
#   -l        list the tests and exit
#   PATTERN   run only the tests whose AREA/NAME contains PATTERN
#   KCLOUD_QUEUE=1  take the tests (of those) one at a time from a dispatcher
#             on the host instead, through the VM's scratch folder
#             (make check-debug, which runs several guests at once)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib/lib.sh"
trap - EXIT

list=0
pats=()
for a in "$@"; do
	case "$a" in
	-l) list=1 ;;
	-h|--help) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) pats+=("$a") ;;
	esac
done

# Areas in dependency order, then any others.
areas=(core vpc blockstore meter)
for d in "$top"/selftests/*/; do
	a=$(basename "$d")
	case " ${areas[*]} lib vm " in *" $a "*) ;; *) areas+=("$a") ;; esac
done

tests=()
for a in "${areas[@]}"; do
	for t in "$top/selftests/$a"/test_*.sh "$top/build/selftests/$a"/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		case "$t" in *.c|*.o|*.d) continue ;; esac
		name="$a/$(basename "$t")"
		if [ ${#pats[@]} -gt 0 ]; then
			m=0
			for p in "${pats[@]}"; do [[ "$name" == *"$p"* ]] && m=1; done
			[ $m = 1 ] || continue
		fi
		tests+=("$t")
	done
done

if [ $list = 1 ]; then
	for t in "${tests[@]}"; do echo "$(basename "$(dirname "$t")")/$(basename "$t")"; done
	exit 0
fi

n=0 pass=0 fail=0 skip=0
reports=()
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
skipped() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }

echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the selftests need root in a VM or on a KVM host (make check)"
	echo "0 passed, 0 failed, 0 skipped"
	exit 4
fi

# What a bare VM (virtme-ng, the runner) may not have mounted.
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /run/netns /run/lock
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
ip link set lo up

marker="kcloud-selftests: start $$"
echo "$marker" > /dev/kmsg

if ! kc_load meter vpc bs; then
	notok "load the kcloud modules from $top/kmod"
	echo "1..$n"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi

# The next test in $t. With KCLOUD_QUEUE=1 it asks the host's dispatcher
# (scripts/check-debug.sh): it writes a sequence number N to want in the
# scratch folder and gets next.N, a test's AREA/NAME, or an empty file when
# none is left. So a guest that is done early takes more.
ti=0 qseq=0
next_test() {
	local q=${KCLOUD_SCRATCH:-} name c
	if [ "${KCLOUD_QUEUE:-0}" != 1 ]; then
		[ $ti -lt ${#tests[@]} ] || return 1
		t=${tests[$ti]}
		ti=$((ti + 1))
		return 0
	fi
	while :; do
		qseq=$((qseq + 1))
		echo $qseq > "$q/want.tmp" && mv "$q/want.tmp" "$q/want" || return 1
		while [ ! -f "$q/next.$qseq" ]; do sleep 1; done
		name=$(cat "$q/next.$qseq")
		rm -f "$q/next.$qseq"
		[ -n "$name" ] || return 1
		for c in "${tests[@]}"; do
			if [ "$(basename "$(dirname "$c")")/$(basename "$c")" = "$name" ]; then
				t=$c
				return 0
			fi
		done
		notok "$name: no such test here"
	done
}

while next_test; do
	area=$(basename "$(dirname "$t")")
	name="$area/$(basename "$t")"
	limit=900
	[ -f "$top/selftests/$area/settings" ] &&
		limit=$(sed -n 's/^timeout=\([0-9]\+\)$/\1/p' "$top/selftests/$area/settings" | tail -n1)
	[ -n "$limit" ] || limit=900
	limit=$((limit * ${KCLOUD_TIMEOUT_SCALE:-1}))
	if [ "${KCLOUD_SLOW:-0}" != 1 ] && [ -f "$top/selftests/$area/settings" ] &&
		grep -qx 'slow=1' "$top/selftests/$area/settings"; then
		skipped "$name" "slow (guests nested in the VM, minutes under TCG): KCLOUD_SLOW=1 or make check"
		continue
	fi
	echo "# selftests: $name"
	echo "kcloud-selftests: $name" > /dev/kmsg
	results=0 failed=0 whole_skip=""
	rc=
	while IFS= read -r line; do
		case "$line" in
		__KCLOUD_RC=*)
			rc=${line#__KCLOUD_RC=} ;;
		"not ok "*)
			results=$((results + 1)); failed=$((failed + 1))
			desc=$(sed -E 's/^not ok [0-9]+ ?-? ?//' <<< "$line")
			notok "$name: $desc" ;;
		"ok "*)
			results=$((results + 1))
			desc=$(sed -E 's/^ok [0-9]+ ?-? ?//' <<< "$line")
			if [[ "$desc" == *"# SKIP"* ]]; then
				skipped "$name: ${desc%%# SKIP*}" "${desc#*# SKIP }"
			else
				ok "$name: $desc"
			fi ;;
		"1..0 # SKIP"*)
			whole_skip=${line#1..0 # SKIP } ;;
		"TAP version"*|1..[0-9]*) ;;
		*"# FUZZ REPORT "*)
			reports+=("${line#*# FUZZ REPORT }")
			echo "#   $line" ;;
		*)
			echo "#   $line" ;;
		esac
	done < <(cd "$(dirname "$t")" && timeout -k 10 "$limit" "$t" 2>&1 < /dev/null; echo "__KCLOUD_RC=$?")
	case "$rc" in
	0) [ $results = 0 ] && notok "$name: printed no result" ;;
	4) [ $results = 0 ] && skipped "$name" "${whole_skip:-the test skipped itself}" ;;
	124|137) notok "$name: timed out after ${limit}s" ;;
	*) [ $failed = 0 ] && notok "$name: exited with status $rc" ;;
	esac
done

# Any splat while the tests ran fails the run.
if splat=$(dmesg | "$top/selftests/vm/splats.sh" - "$marker"); then
	ok "kernel log: no oops, BUG, WARNING, lockdep or hung task report"
else
	notok "kernel log: no oops, BUG, WARNING, lockdep or hung task report"
	sed 's/^/#   /' <<< "$splat"
fi

if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -A12 'unreferenced object' /sys/kernel/debug/kmemleak | grep -c 'kcloud_' || true)
	if [ "$leaks" = 0 ]; then
		ok "kmemleak: no leak from kcloud's modules"
	else
		notok "kmemleak: $leaks leak traces through kcloud's modules"
		grep -A14 'unreferenced object' /sys/kernel/debug/kmemleak | head -n 60 | sed 's/^/#   /'
	fi
fi

# The fuzzers' figures again, together, for the report.
for r in "${reports[@]}"; do
	echo "# fuzz report: $r"
done
echo "1..$n"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
