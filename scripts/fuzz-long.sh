#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make fuzz-long: the fuzzers in their long form, in one VM: rounds of the
# netlink fuzzer (core/test_fuzz_genl), the VPC packet fuzzer and the block
# store wire fuzzer (selftests/fuzz) until FUZZ_MINUTES (default 60) have
# passed, each round from a new seed. The first seed (FUZZ_SEED, default the
# time) is printed first; a failing round prints its own seed and how to
# replay it. Ends with the fuzzers' totals (messages and packets tried,
# drops counted, splats, leaks) and "N passed, N failed, N skipped"; any
# splat in the guest fails the run.
# usage: fuzz-long.sh [MINUTES [SEED]]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
minutes=${1:-${FUZZ_MINUTES:-60}}
seed=${2:-${FUZZ_SEED:-$(date +%s)}}
[ -n "$minutes" ] || minutes=60
[ -n "$seed" ] || seed=$(date +%s)
seed=$((seed % 1000000000))
echo "# fuzz-long: $minutes minutes from seed $seed (replay: make fuzz-long FUZZ_SEED=$seed FUZZ_MINUTES=$minutes)"
start=$SECONDS
log=$(mktemp)
# Each test fuzzes for at most 300 s a round (the fuzz area's time limit is
# 600 s); the seed of round R is SEED + 1000 R.
# shellcheck disable=SC2016
KCLOUD_FUZZ_LONG=1 KCLOUD_FUZZ_SECONDS=${KCLOUD_FUZZ_SECONDS:-300} KCLOUD_FUZZ_BASE=$seed KCLOUD_FUZZ_MINUTES=$minutes \
selftests/vm/run-vm.sh --timeout $((minutes * 60 + 1800)) -- bash -c '
pass=0 fail=0 skip=0 round=0
end=$((SECONDS + KCLOUD_FUZZ_MINUTES * 60))
while :; do
	export KCLOUD_FUZZ_SEED=$((KCLOUD_FUZZ_BASE + 1000 * round))
	echo "# round $round: seed $KCLOUD_FUZZ_SEED"
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"not ok "*) fail=$((fail + 1)) ;;
		"ok "*"# SKIP"*) skip=$((skip + 1)) ;;
		"ok "*) pass=$((pass + 1)) ;;
		esac
	done < <(selftests/run.sh core/test_fuzz_genl fuzz/ 2>&1 < /dev/null)
	round=$((round + 1))
	[ $SECONDS -lt $end ] || break
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]' | tee "$log"
rc=${PIPESTATUS[0]}
echo "# fuzz-long: $((SECONDS - start)) s from seed $seed"
# The totals of the report lines: "FUZZ REPORT WHAT: KEY N KEY N ...".
awk '/FUZZ REPORT/ {
	sub(/.*FUZZ REPORT /, ""); what = $0; sub(/:.*/, "", what); sub(/^[^:]*: /, "")
	for (i = 1; i < NF; i += 2) if ($(i + 1) ~ /^[0-9]+$/) sum[what " " $i] += $(i + 1)
	else if ($(i + 1) == "n/a") na[what " " $i] = 1
} END {
	for (k in sum) printf "# total %s %d\n", k, sum[k]
	for (k in na) if (!(k in sum)) printf "# total %s n/a\n", k
}' "$log" | sort
rm -f "$log"
exit "$rc"
