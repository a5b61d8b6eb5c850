#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A local replica's bio is never left waiting in the task that issued its
# request: issued inside a submit_bio(), it would only be parked on
# current->bio_list until that submit_bio() returns, then join the task's
# plug, while queue_rq, for a later request of that plug, may wait for the
# volume's gate, which a resync holds while it waits for that very write.
# Two ways to be issued so:
# - a plug flushed inside submit_bio(): dm-striped with 4 KiB chunks over
#   the volume turns a 4 MiB write into 1,024 clones, and every 32 requests
#   of them are flushed from the submit_bio() of the next;
# - bios larger than the volume's 1 MiB, split by blk-mq, the rest
#   resubmitted from the same submit_bio(): O_DIRECT from huge pages
#   (bigbio.py), where one bio_vec holds 2 MiB.
# Under a pending snapshot (whose copy writes wait for) and under resyncs,
# such writes all complete (the resync rounds hung before), the data is
# right, the snapshots are the volume as it was, and the replicas end
# identical.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
command -v losetup > /dev/null || t_skip_all "no losetup"
command -v dmsetup > /dev/null || t_skip_all "no dmsetup"
modprobe loop 2> /dev/null
modprobe dm_mod 2> /dev/null
[ -e /dev/mapper/control ] || t_skip_all "no device-mapper"

t_plan 22
M=$((1 << 20))
SIZE=$((32 * M))
bs_step "a target in its namespace" bs_setup_targets 1 32M
bs_step "a target on a block device of this host" \
	bs_local_target tl 7100 "$BS_DIR/local.img" $SIZE
create() {
	"$KC_TOOL" volume create vn replica 127.0.0.1:7100 replica 10.77.1.2:$BS_PORT \
		size $SIZE quorum 1 resync-rate 2048 > /dev/null
}
bs_step "a volume on it (local) and on the other target" create
t_defer "$KC_TOOL volume delete vn"
t_check "in sync" bs_wait_state vn ok 20
dev=$(bs_disk vn)

# Two stripes over the volume's halves, 8 sectors a chunk.
half=$((SIZE / 512 / 2))
dm=kcbs-nested-$$
stack() { dmsetup create "$dm" --table "0 $((2 * half)) striped 2 8 $dev 0 $dev $half"; }
bs_step "dm-striped over the volume, 4 KiB chunks" stack
t_defer "dmsetup remove $dm"
DM=/dev/mapper/$dm
[ -b "$DM" ] || udevadm settle 2> /dev/null
[ -b "$DM" ] || { dmsetup mknodes "$dm" 2> /dev/null; }

# write FILE: FILE through the stacked device, in 4 MiB direct writes.
write() { dd if="$1" of="$DM" bs=4M oflag=direct conv=fsync status=none; }
# bigwrite FILE: FILE to the volume in 4 MiB bios.
THP=/sys/kernel/mm/transparent_hugepage/enabled
if grep -q '\[never\]' $THP 2> /dev/null; then
	echo madvise > $THP
	t_defer "echo never > $THP"
fi
bigwrite() { /usr/bin/python3 "$(dirname "$0")/bigbio.py" "$dev" "$1" 4 > "$BS_DIR/huge"; }
bs_snap() {
	"$KC_TOOL" -j snapshot show "$1" | /usr/bin/python3 -c \
		"import json,sys; s=json.load(sys.stdin)[0]; print($2)"
}
stores() { cmp -n $SIZE "$BS_DIR/local.img" "$BS_DIR/t1.img"; }

# 1. A pending snapshot holds the regions it has not copied yet.
head -c $SIZE /dev/urandom > "$BS_DIR/A"
head -c $SIZE /dev/urandom > "$BS_DIR/B"
t_check "write 32 MiB (A) through the stacked device" write "$BS_DIR/A"
dd if="$dev" of="$BS_DIR/before" bs=1M iflag=direct status=none
t_check "snapshot s1 (copied at 2 MiB/s)" "$KC_TOOL" snapshot create s1 volume vn \
	path "$BS_DIR/s1.img"
t_defer "$KC_TOOL snapshot delete s1"
t_check "overwrite it (B) while s1 is copied" write "$BS_DIR/B"
cow=$(bs_snap s1 's["cow_regions"]')
t_check "writes waited for their regions' copy (cow $cow)" test "$cow" -gt 0
t_check "snapshot wait s1: completed" "$KC_TOOL" snapshot wait s1
t_check "s1 is the volume before the overwrite" cmp "$BS_DIR/before" "$BS_DIR/s1.img"
t_check "the stacked device reads B" cmp "$BS_DIR/B" "$DM"

# The same with bios split at 1 MiB.
dd if="$dev" of="$BS_DIR/before" bs=1M iflag=direct status=none
t_check "snapshot s2" "$KC_TOOL" snapshot create s2 volume vn path "$BS_DIR/s2.img"
t_defer "$KC_TOOL snapshot delete s2"
t_check "overwrite the volume (A) in 4 MiB bios while s2 is copied" bigwrite "$BS_DIR/A"
huge=$(cat "$BS_DIR/huge")
t_check "the buffer was in huge pages ($huge KiB): bios over 1 MiB" test "$huge" -ge 2048
t_check "snapshot wait s2: completed" "$KC_TOOL" snapshot wait s2
t_check "s2 is the volume before the overwrite" cmp "$BS_DIR/before" "$BS_DIR/s2.img"
t_check "the volume reads A" cmp "$BS_DIR/A" "$dev"

# 2. Resyncs (the gate held over each region's copy, which waits for the
# local replica's writes in flight) under both kinds of writes, 3 times.
"$KC_TOOL" volume modify vn resync-rate 0
rounds() {
	local i
	for i in 1 2 3; do
		bs_target_stop 1 || return 1
		write "$BS_DIR/A" || return 1
		bs_target_start 1 || return 1
		# The replica is back: its resync starts while these go.
		bigwrite "$BS_DIR/B" && write "$BS_DIR/A" || return 1
		bs_wait_state vn ok 60 || return 1
	done
}
t_check "three resyncs under such writes: all done, nothing hung" rounds
t_check "the stacked device reads A" cmp "$BS_DIR/A" "$DM"
t_check "both stores are identical" stores
t_eq "no I/O error" "$(bs_field vn 'v["stats"]["errors"]')" 0
t_done
