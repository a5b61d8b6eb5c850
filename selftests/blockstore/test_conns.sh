#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a peer can make a target hold is bounded: a target serves at most
# the module's max_conns connections at once; one more is closed at once
# and counted (target statistic `refused`); once they are gone a volume
# connects as before.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
PARAM=/sys/module/kcloud_bs/parameters/max_conns
[ -w "$PARAM" ] || t_skip_all "no max_conns parameter"

t_plan 8
old=$(cat "$PARAM")
t_defer "echo $old > $PARAM"
bs_step "a target in its namespace" bs_setup_targets 1 8M
echo 3 > "$PARAM"
stat() {
	kc_in "$(bs_ns 1)" "$KC_TOOL" -j -s target show t1 |
		/usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[0]['stats']['$1'])"
}
t_eq "nothing refused yet" "$(stat refused)" 0

# Six idle connections: three are served, three closed at once.
for fd in 10 11 12 13 14 15; do
	eval "exec $fd<>/dev/tcp/10.77.1.2/$BS_PORT"
done
refused() { [ "$(stat refused)" -ge "$1" ]; }
t_check "the ones over max_conns are closed and counted" kc_wait 10 refused 3
t_eq "exactly those" "$(stat refused)" 3
t_check "the last one is closed: it reads end of file" timeout 5 cat <&15
t_check_fail "the first one is served: it stays open" timeout 2 cat <&10
for fd in 10 11 12 13 14 15; do
	eval "exec $fd>&-"
done

echo "$old" > "$PARAM"
bs_step "a volume on the target" bs_volume_create vc 1 size 1M
t_check "connects once they are gone" bs_wait_state vc ok 20
t_done
