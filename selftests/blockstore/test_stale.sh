#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A replica that missed writes is never read before its resync is done: with
# only it reachable, reads wait; once an in-sync replica is back they return
# the new data. And a target that has seen a newer epoch refuses an older
# volume (a stale writer after a failover).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 14
SIZE=$((8 << 20))
bs_step "two targets in their namespaces" bs_setup_targets 2 8M
# Quorum 1 and a slow resync (64 KiB/s: 16 s for 1 MiB).
bs_step "a 2-replica volume, quorum 1" \
	bs_volume_create v4 2 size $SIZE quorum 1 resync-rate 64 timeout 1500
t_check "the volume is in sync" bs_wait_state v4 ok 20
dev=$(bs_disk v4)
head -c 1M /dev/urandom > "$BS_DIR/old"
head -c 1M /dev/urandom > "$BS_DIR/new"
dd if="$BS_DIR/old" of="$dev" bs=64k oflag=direct conv=nocreat status=none

t_check "target 2 stops" bs_target_stop 2
t_check "a write with one replica" dd if="$BS_DIR/new" of="$dev" bs=64k oflag=direct conv=nocreat status=none
t_eq "replica 1 missed 16 regions" "$(bs_field v4 'v["replicas"][1]["dirty"]')" 16
t_check "target 2 comes back" bs_target_start 2
replica_is() { [ "$(bs_field "$1" "v[\"replicas\"][$2][\"state\"]")" = "$3" ]; }
t_check "replica 1 resyncs" kc_wait 30 replica_is v4 1 resyncing
t_check "target 1 stops" bs_target_stop 1
dd if="$dev" of="$BS_DIR/read" bs=64k count=16 iflag=direct status=none &
dd_pid=$!
sleep 3
t_check "a read waits rather than use the stale replica" kill -0 $dd_pid
t_check "target 1 comes back" bs_target_start 1
wait $dd_pid
t_check "the read returns the new data" cmp "$BS_DIR/read" "$BS_DIR/new"
t_check "the volume is in sync again" bs_wait_state v4 ok 60

# Epochs: the volume (epoch 1) is gone; a newer one (epoch 7) takes the
# targets; an older one (epoch 5) is refused.
"$KC_TOOL" volume delete v4
bs_volume_create v5 1 size 1M epoch 7 && bs_wait_state v5 ok 20 && "$KC_TOOL" volume delete v5
bs_volume_create v6 1 size 1M epoch 5
t_check "a volume with an older epoch is refused as stale" \
	kc_wait 10 replica_is v6 0 stale
t_done
