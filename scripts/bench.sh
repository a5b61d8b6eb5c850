#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench [BENCH=vpc|blockstore|meter]: boot the VM and run the benchmarks
# (scripts/bench-*.sh), each comparing kcloud with its anchors in one guest
# run and printing figures and ratios. Benchmarks are never tests.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
rc=0
# An emulated guest's CPUs fail the kernel's TSC synchronisation check, and
# its clock then reads an emulated HPET (microseconds a read, under a lock
# shared by all CPUs). What is measured would be that device more than the
# code: give the benchmark guest the TSC clock a real host has. The anchors
# run in the same guest, with the same clock.
BENCH_APPEND=${KCLOUD_BENCH_APPEND-tsc=reliable}
for b in scripts/bench-*.sh; do
	name=${b#scripts/bench-}
	name=${name%.sh}
	[ -n "${1:-}" ] && [ "$1" != "$name" ] && continue
	echo "==> bench: $name"
	selftests/vm/run-vm.sh --mem 4G --append "$BENCH_APPEND" -- "$b" || rc=1
done
exit $rc
