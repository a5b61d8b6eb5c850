#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A replica replaced on a live volume: the new target takes the old one's
# index, counts as in sync only after a resync of every region (with writes
# going on meanwhile), then holds the same data; the old target gets no more
# writes. A replacement that would leave fewer in-sync replicas than the
# quorum, or that names a target of the volume, is refused.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 13
SIZE=$((8 << 20))
bs_step "four targets in their namespaces" bs_setup_targets 4 8M
bs_step "a 3-replica volume on targets 1..3, quorum 2" \
	bs_volume_create v10 3 size $SIZE region 256K quorum 2
t_check "the volume is in sync" bs_wait_state v10 ok 20
dev=$(bs_disk v10)
head -c 8M /dev/urandom > "$BS_DIR/data"
t_check "write 8 MiB" dd if="$BS_DIR/data" of="$dev" bs=256k oflag=direct conv=nocreat status=none

refuse_dup() { ! "$KC_TOOL" volume replica replace v10 2 10.77.1.2:$BS_PORT 2>/dev/null; }
t_check "replacing by a target of the volume is refused" refuse_dup
refuse_idx() { ! "$KC_TOOL" volume replica replace v10 4 10.77.4.2:$BS_PORT 2>/dev/null; }
t_check "replacing a replica that does not exist is refused" refuse_idx

cp "$BS_DIR/t3.img" "$BS_DIR/t3.before"
t_check "replace replica 2 (target 3) by target 4" \
	"$KC_TOOL" volume replica replace v10 2 10.77.4.2:$BS_PORT
t_eq "replica 2 is now target 4" "$(bs_field v10 'v["replicas"][2]["addr"]')" 10.77.4.2
# Writes during the resync; the new replica is not in sync before the end.
head -c 2M /dev/urandom > "$BS_DIR/more"
dd if="$BS_DIR/more" of="$dev" bs=256k seek=8 oflag=direct conv=nocreat status=none &
dd_pid=$!
t_check "the new replica is in sync after a full resync" bs_wait_state v10 ok 60
wait $dd_pid
t_eq "the writes meanwhile succeeded" $? 0
t_eq "it copied every region" "$(bs_field v10 'v["replicas"][2]["stats"]["resync_regions"]')" 32
t_check "targets 1, 2 and 4 hold the same data" \
	bash -c "cmp -n $SIZE $BS_DIR/t1.img $BS_DIR/t4.img && cmp -n $SIZE $BS_DIR/t2.img $BS_DIR/t4.img"
t_check "the old target got no more writes" cmp "$BS_DIR/t3.img" "$BS_DIR/t3.before"

# Quorum 2 of 2 in sync: no replica can be replaced.
"$KC_TOOL" volume replica remove v10 0 >/dev/null
refuse_quorum() { ! "$KC_TOOL" volume replica replace v10 1 10.77.1.2:$BS_PORT 2>/dev/null; }
t_check "a replacement below the quorum is refused" refuse_quorum
t_done
