#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Throttled CPU time: an instance's cgroup with a small cpu.max (20 ms per
# 100 ms) burns CPU for 2 s. The meter reads the same counters cpu.stat
# prints (nr_throttled, throttled_usec), so once the burner is gone its
# totals equal the cgroup's cpu.stat exactly; the 1 s samples add up to the
# totals; `kcloud meter show` (table and -j) and `kcloud meter export` show
# them. An alarm on throttled time goes to ALARM while it is throttled.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"
R=/sys/fs/cgroup
grep -qw cpu "$R/cgroup.controllers" 2>/dev/null || t_skip_all "no cpu controller in cgroup v2"
grep -qw cpu "$R/cgroup.subtree_control" || echo +cpu > "$R/cgroup.subtree_control" ||
	t_skip_all "cannot enable the cpu controller"

t_plan 10
CG=$R/kcm-thr-$$
mkdir "$CG" || t_skip_all "cannot make a cgroup"
t_defer "rmdir $CG"
t_defer "kc meter instance del 701; kc alarm del 71"
echo "20000 100000" > "$CG/cpu.max"
kc meter instance add 701 name thr cgroup "$CG"
t_check "an alarm on throttled time" kc alarm add 71 name thr-alarm instance thr \
	metric cpu-throttled-us stat sum period 1 gt 0 datapoints 1/1
W=$(mktemp)
t_defer "rm -f $W"
"$KC_TOOL" alarm watch > "$W" 2>&1 &
t_defer "kill $!"
sleep 1	# subscribed

bash -c "echo \$\$ > $CG/cgroup.procs; end=\$((SECONDS + 2)); while [ \$SECONDS -lt \$end ]; do :; done"

stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$CG/cpu.stat"; }
meter() { kc -j meter instance show 701 | jq -c '.[0].stats | [.cpu_throttled_us, .cpu_nr_throttled]'; }
want() { echo "[$(stat_of throttled_usec),$(stat_of nr_throttled)]"; }
same() { [ "$(meter)" = "$(want)" ]; }
# The last unthrottle lands within a period of the burner's end; the meter
# has it once the next second closed.
kc_wait 5 same
got=$(meter)
t_check "throttled: cpu.stat says so ($(want))" test "$(stat_of throttled_usec)" -gt 0
t_eq "the meter's throttled time and periods are cpu.stat's, exactly" "$got" "$(want)"
t_check "and it was throttled in many periods" test "$(stat_of nr_throttled)" -ge 5
t_eq "the 1 s samples add up to the totals" \
	"$(kc -j meter show 701 | jq -c '[([.[].stats.cpu_throttled_us] | add), ([.[].stats.cpu_nr_throttled] | add)]')" \
	"$got"
us=$(jq '.[0]' <<< "$got")
t_check "the table of meter show has it" bash -c \
	"$KC_TOOL meter show 701 | grep -q ' throttled_us [1-9]'"
t_check "meter instance show -s has it" bash -c \
	"$KC_TOOL -s meter instance show 701 | grep -q ' throttled_us $us nr_throttled '"
t_check "export has the exact counter" bash -c "$KC_TOOL meter export |
	grep -qx 'kcloud_cpu_throttled_microseconds_total{id=\"701\",instance=\"thr\",tenant=\"\"} $us'"
# Usage is throttled to about 20%: 2 s of wall time is about 0.4 s of CPU.
use=$(kc -j meter instance show 701 | jq '.[0].stats.cpu_usage_us')
t_check "the alarm went to ALARM while throttled" grep -q "name thr-alarm ALARM" "$W"
t_check "and CPU usage was held to cpu.max ($use us in 2 s)" test "$use" -lt 1000000
t_done
