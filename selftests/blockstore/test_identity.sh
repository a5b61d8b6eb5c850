#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A target's identity and epoch, kept in its metadata file: the backing
# store belongs to the first volume that connects, and another volume is
# refused (counted, logged, reported as a foreign replica); after the
# target restarts from the same file it still knows its volume and epoch,
# so an older incarnation of the volume is still refused as stale; and the
# target cannot be added again for another volume.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 15
bs_step "one target in its namespace" bs_setup_targets 1 8M
ns=$(bs_ns 1)
tadd() {
	kc_in "$ns" "$KC_TOOL" target add t1 path "$BS_DIR/t1.img" port $BS_PORT \
		meta "$BS_DIR/t1.meta" "$@"
}
tfield() {
	kc_in "$ns" "$KC_TOOL" -j -s target show t1 |
		/usr/bin/python3 -c "import json,sys; t=json.load(sys.stdin)[0]; print($1)"
}
replica_is() { [ "$(bs_field "$1" "v[\"replicas\"][$2][\"state\"]")" = "$3" ]; }

bs_target_stop 1
t_check "target 1 with a metadata file" tadd
bs_step "volume va, epoch 3" bs_volume_create va 1 size 1M epoch 3
t_check "va is served" bs_wait_state va ok 20
t_eq "the target now belongs to va" "$(tfield 't.get("volume")')" va
"$KC_TOOL" volume delete va

bs_step "volume vb on the same target" bs_volume_create vb 1 size 1M epoch 5
t_check "vb's replica is refused as foreign" kc_wait 10 replica_is vb 0 foreign
counted() { [ "$(tfield 't["stats"]["foreign"]')" -ge 1 ]; }
t_check "the target counts the refusal" counted
logged() { dmesg | grep -q "refused volume vb: the backing store belongs to volume va"; }
t_check "the kernel log says why" logged
t_eq "vb did not move the target's epoch" "$(tfield 't["epoch"]')" 3
"$KC_TOOL" volume delete vb

restart() { bs_target_stop 1 && tadd; }
t_check "the target restarts from its metadata file" restart
t_eq "it keeps its epoch" "$(tfield 't["epoch"]')" 3
t_eq "and its volume" "$(tfield 't.get("volume")')" va
bs_step "va again, with the older epoch 2" bs_volume_create va 1 size 1M epoch 2
t_check "it is refused as stale" kc_wait 10 replica_is va 0 stale
"$KC_TOOL" volume delete va

other() { bs_target_stop 1; ! tadd volume other 2>/dev/null; }
t_check "the target cannot be added again for another volume" other
t_check "but can for its own" tadd volume va
t_done
