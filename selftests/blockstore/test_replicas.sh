#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Replicas added to and removed from a live volume: a new replica is filled
# by a resync of every region while I/O goes on, then is in sync and holds
# the same data; a replica removed stops getting writes; a removal that
# would leave fewer replicas than the quorum is refused.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 12
SIZE=$((8 << 20))
bs_step "three targets in their namespaces" bs_setup_targets 3 8M
bs_step "a 2-replica volume on targets 1 and 2" bs_volume_create v9 2 size $SIZE region 256K
t_check "the volume is in sync" bs_wait_state v9 ok 20
dev=$(bs_disk v9)
head -c 8M /dev/urandom > "$BS_DIR/data"
t_check "write 8 MiB" dd if="$BS_DIR/data" of="$dev" bs=256k oflag=direct conv=nocreat status=none

t_check "add target 3 as a replica" "$KC_TOOL" volume replica add v9 10.77.3.2:$BS_PORT
dd if="$BS_DIR/data" of="$dev" bs=256k count=8 oflag=direct conv=nocreat status=none &
t_check "the new replica is in sync after a full resync" bs_wait_state v9 ok 60
wait
t_eq "it copied every region" "$(bs_field v9 'v["replicas"][2]["stats"]["resync_regions"]')" 32
t_check "the three backing files are the same" bs_same 3 $SIZE

t_check "remove replica 0" "$KC_TOOL" volume replica remove v9 0
t_eq "two replicas left" "$(bs_field v9 'len(v["replicas"])')" 2
head -c 1M /dev/urandom > "$BS_DIR/more"
t_check "the volume still writes" \
	dd if="$BS_DIR/more" of="$dev" bs=64k oflag=direct conv=nocreat status=none
refuse() { ! "$KC_TOOL" volume replica remove v9 1 2>/dev/null; }
t_check "removing one more is refused (quorum 2)" refuse
t_done
