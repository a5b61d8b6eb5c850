#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make faults-long: the fault-injection tests of selftests/faults in their
# long form, in one VM: 100 (FAULTS_CYCLES) randomized cycles each of block
# store faults during fio verify, VPC churn and module unloads under
# traffic, and the memory pressure cases, from one seed (FAULTS_SEED,
# default the time) that is printed first: a failure replays with
#	make faults-long FAULTS_SEED=S FAULTS_CYCLES=N
# Ends with "N passed, N failed, N skipped"; any splat in the guest fails it.
# usage: faults-long.sh [CYCLES [SEED]]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
cycles=${1:-${FAULTS_CYCLES:-100}}
seed=${2:-${FAULTS_SEED:-$(date +%s)}}
[ -n "$cycles" ] || cycles=100
[ -n "$seed" ] || seed=$(date +%s)
echo "# faults-long: $cycles cycles, seed $seed (replay: make faults-long FAULTS_SEED=$seed FAULTS_CYCLES=$cycles)"
start=$SECONDS
# shellcheck disable=SC2016
KCLOUD_FAULTS_CYCLES=$cycles KCLOUD_FAULTS_SEED=$seed \
selftests/vm/run-vm.sh --timeout "${KCLOUD_VM_TIMEOUT:-14400}" -- bash -c '
. selftests/lib/lib.sh
trap - EXIT
pass=0 fail=0 skip=0
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /run/netns
ip link set lo up
for t in selftests/faults/test_*.sh; do
	echo "# $t"
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"not ok "*) fail=$((fail + 1)) ;;
		"ok "*"# SKIP"*) skip=$((skip + 1)) ;;
		"ok "*) pass=$((pass + 1)) ;;
		esac
	done < <(cd selftests/faults && "./$(basename "$t")" 2>&1 < /dev/null)
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]'
rc=$?
echo "# faults-long: $((SECONDS - start)) s, seed $seed"
exit $rc
