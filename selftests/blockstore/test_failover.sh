#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One target of three dies in the middle of a fio verify run: the run ends
# without an I/O error; the replica is out of sync with the regions it
# missed marked; when it comes back only those regions are copied, and the
# backing files end the same.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
command -v fio >/dev/null || t_skip_all "fio is not installed"
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 12
SIZE=$((32 << 20))
REGION=$((64 << 10))
bs_step "three targets in their namespaces" bs_setup_targets 3 64M
bs_step "a 3-replica volume" bs_volume_create v1 3 size $SIZE region $REGION timeout 2000
t_check "the volume is in sync" bs_wait_state v1 ok 20
dev=$(bs_disk v1)
"$KC_TOOL" -j volume events > "$BS_DIR/events" &
t_defer "kill $!"
kc_wait 10 kc_subscribed $! || t_diag "the event monitor did not subscribe in time"

# Writes over the first quarter only, so that a region count of "all" shows;
# enough of them (48 MiB, the quarter over and over) that fio is still
# writing when the target stops, however fast the machine.
fio --name=f --filename="$dev" --direct=1 --ioengine=libaio --iodepth=8 \
	--rw=randwrite --bs=4k --size=$((SIZE / 4)) --io_size=48M --eta=never \
	--verify=crc32c --verify_fatal=1 --randrepeat=0 --output="$BS_DIR/fio.out" &
fio_pid=$!
sleep 3
t_check "target 2 stops while fio runs" bs_target_stop 2
wait $fio_pid
fio_rc=$?
t_eq "fio verify run completes without error" "$fio_rc" 0
[ "$fio_rc" = 0 ] || t_diag "$(cat "$BS_DIR/fio.out")"
t_eq "replica 1 is out of sync" "$(bs_field v1 'v["replicas"][1]["state"]')" out-of-sync
dirty=$(bs_field v1 'v["replicas"][1]["dirty"]')
t_diag "replica 1 missed $dirty of $((SIZE / REGION)) regions"
t_check "it has dirty regions, fewer than the volume has" \
	test "$dirty" -gt 0 -a "$dirty" -le $((SIZE / REGION / 4))
t_check "target 2 comes back" bs_target_start 2
t_check "the volume is in sync again" bs_wait_state v1 ok 60
t_eq "the resync copied exactly the dirty regions" \
	"$(bs_field v1 'v["replicas"][1]["stats"]["resync_regions"]')" "$dirty"
t_check "every backing file is the same" bs_same 3 $SIZE
events() {
	local e=$BS_DIR/events
	grep '"event":"replica-state"' "$e" | grep -q '"index":1,[^}]*"state":"out-of-sync"' &&
	grep '"event":"volume-state"' "$e" | grep -q '"state":"degraded"' &&
	grep '"event":"replica-state"' "$e" | tail -1 | grep -q '"index":1,[^}]*"state":"in-sync"'
}
t_check "events: replica out of sync, volume degraded, in sync again" events
t_done
