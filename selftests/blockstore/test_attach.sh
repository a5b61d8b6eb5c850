#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Detach and attach: the volume's disk goes away on detach while the volume
# and its replicas stay (a target that stops and comes back is resynced
# meanwhile), and comes back with the same data on attach; a detach is
# refused while the disk is open; a detached volume can be deleted.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 14
SIZE=$((8 << 20))
bs_step "two targets in their namespaces" bs_setup_targets 2 8M
bs_step "a 2-replica volume, quorum 1" bs_volume_create v12 2 size $SIZE quorum 1
t_check "the volume is in sync" bs_wait_state v12 ok 20
dev=$(bs_disk v12)
head -c 4M /dev/urandom > "$BS_DIR/data"
t_check "write 4 MiB" dd if="$BS_DIR/data" of="$dev" bs=64k oflag=direct conv=nocreat status=none

exec 3<"$dev"
t_check_fail "a detach is refused while the disk is open" "$KC_TOOL" volume detach v12
exec 3<&-
t_check "detach" "$KC_TOOL" volume detach v12
gone() { [ ! -b "$dev" ]; }
t_check "the disk is gone" kc_wait 5 gone
t_eq "the volume has no disk" "$(bs_field v12 'v.get("disk", "-")')" -
t_check_fail "a second detach is refused" "$KC_TOOL" volume detach v12

t_check "a target stops while detached: the volume stays" bs_target_stop 2
bs_target_start 2
t_check "and the replica comes back in sync" bs_wait_state v12 ok 30

t_check "attach" "$KC_TOOL" volume attach v12
back() { [ -b "$dev" ]; }
t_check "the same disk is back" kc_wait 5 back
readback() { dd if="$dev" bs=64k count=64 iflag=direct status=none | cmp - "$BS_DIR/data"; }
t_check "with the same data" readback
detach_delete() { "$KC_TOOL" volume detach v12 && "$KC_TOOL" volume delete v12; }
t_check "a detached volume can be deleted" detach_delete
t_done
