#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench [BENCH=vpc|blockstore|meter]: boot the VM and run the benchmarks
# (scripts/bench-*.sh), each comparing kcloud with its anchors in one guest
# run and printing figures and ratios. Benchmarks are never tests.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
rc=0
for b in scripts/bench-*.sh; do
	name=${b#scripts/bench-}
	name=${name%.sh}
	[ -n "${1:-}" ] && [ "$1" != "$name" ] && continue
	echo "==> bench: $name"
	selftests/vm/run-vm.sh --mem 4G -- "$b" || rc=1
done
exit $rc
