#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Alarms: CPU above a threshold for 2 of 3 one-second datapoints raises
# ALARM within a period or two of the load starting, and OK comes back once
# it stops; every change reaches `kcloud alarm watch`. An instance without a
# cgroup has no CPU data: INSUFFICIENT_DATA, or ALARM when missing data is
# treated as breaching. Bad rules are refused with a reason.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"

t_plan 12
CG=/sys/fs/cgroup/kcm-alarm-$$
mkdir "$CG" || t_skip_all "cannot make a cgroup"
t_defer "rmdir $CG"
t_defer "kc meter instance del 401; kc meter instance del 402; kc alarm del 1; kc alarm del 2; kc alarm del 3"
kc meter instance add 401 name busy cgroup "$CG"
kc meter instance add 402 name nocg

refused() {
	local msg=$1 out
	shift
	out=$("$@" 2>&1) && return 1
	grep -qF "$msg" <<< "$out" || { echo "$out"; return 1; }
}
state() { kc -j alarm show "$1" | jq -r '.[0].state'; }
is_state() { [ "$(state "$1")" = "$2" ]; }

W=$(mktemp)
t_defer "rm -f $W"
"$KC_TOOL" alarm watch > "$W" 2>&1 &
t_defer "kill $!"
sleep 1	# subscribed before the first alarm exists

t_check "alarm on CPU, 2 of 3 datapoints over 300 ms a second" \
	kc alarm add 1 name cpu-high instance busy metric cpu-us stat avg period 1 gt 300000 datapoints 2/3
t_check "alarm on an instance without a cgroup" \
	kc alarm add 2 name nodata instance nocg metric cpu-us stat max period 1 gt 0 datapoints 1/1
t_check "the same, missing data breaching" \
	kc alarm add 3 name nodata-b instance nocg metric cpu-us stat max period 1 gt 0 datapoints 1/1 missing breaching
t_check "a period of 7 s is refused" refused "period must be" \
	kc alarm add 4 name p7 instance busy metric cpu-us stat avg period 7 gt 1 datapoints 1/1
t_check "M above N is refused" refused "must not be more than N" \
	kc alarm add 4 name mn instance busy metric cpu-us stat avg period 1 gt 1 datapoints 3/2
t_check "an unknown instance is refused" refused "no instance with this id" \
	kc alarm add 4 name ghost instance 9999 metric cpu-us stat avg period 1 gt 1 datapoints 1/1

kc_wait 6 is_state 1 OK
t_eq "idle: OK" "$(state 1)" OK
t_eq "no data: INSUFFICIENT_DATA" "$(state 2)" INSUFFICIENT_DATA
t_eq "no data, missing is breaching: ALARM" "$(state 3)" ALARM

bash -c "echo \$\$ > $CG/cgroup.procs; end=\$((SECONDS + 6)); while [ \$SECONDS -lt \$end ]; do :; done" &
burner=$!
start=$SECONDS
# Seen by polling or by the watch: on a loaded host a poll can be slower
# than the burst and come after its return to OK.
raised() { is_state 1 ALARM || grep -q " name cpu-high ALARM " "$W"; }
kc_wait 8 raised
t_check "busy: ALARM within a few periods ($((SECONDS - start)) s)" raised
wait $burner
kc_wait 6 is_state 1 OK
t_eq "idle again: OK" "$(state 1)" OK
sleep 0.3
# (The first change, to OK, may come before the watch has subscribed.)
w=$(awk '$4 == "name" && $5 == "cpu-high" { printf "%s ", $6 }' "$W")
t_eq "watch saw ALARM then OK for cpu-high" "${w#OK }" "ALARM OK "
t_done
