#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Snapshots, as EBS's: `kcloud snapshot create` fixes a point in time at
# once and copies the volume into a file in the background while the
# volume is written. The file is exactly the volume as it was at that
# point, though every region of it was overwritten during the copy (those
# writes waited for their region's copy: cow > 0), and sparse where the
# volume read as zeroes. A replica that dies during the copy does not stop
# it; a frozen volume's snapshot is refused. `kcloud volume create ...
# snapshot` makes a new volume holding a snapshot, over targets that held
# garbage, as does `... image FILE` from a snapshot's file kept after the
# snapshot was deleted. A snapshot taken under a mounted, busy ext4 is crash-consistent:
# e2fsck finds it clean after its journal replay, with the files synced
# before. Deleting the volume fails its pending snapshot; deleting a
# snapshot removes its file. Bad requests are refused with a reason.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
command -v mkfs.ext4 >/dev/null || t_skip_all "no mkfs.ext4"

t_plan 62
M=$((1 << 20))
bs_step "five targets in their namespaces (32 MiB files)" bs_setup_targets 5 32M
bs_step "a 3-replica volume of 32 MiB over targets 1-3, resync rate 2 MiB/s" \
	bs_volume_create sv 3 size $((32 * M)) resync-rate 2048
t_check "the volume is in sync" bs_wait_state sv ok 20
dev=$(bs_disk sv)
"$KC_TOOL" -j volume events > "$BS_DIR/events" &
t_defer "kill $!"
kc_wait 10 kc_subscribed $! || t_diag "the event monitor did not subscribe in time"

# sf NAME EXPR: a value from `kcloud -j snapshot show NAME`, EXPR in Python
# over s (the snapshot's object).
sf() {
	"$KC_TOOL" -j snapshot show "$1" | /usr/bin/python3 -c \
		"import json,sys; s=json.load(sys.stdin)[0]; print($2)"
}
write() { dd if="$1" of="$dev" bs=1M seek="${3:-0}" count="${2:-32}" oflag=direct \
	conv=fsync,notrunc status=none; }

head -c $((32 * M)) /dev/urandom > "$BS_DIR/A"
head -c $((32 * M)) /dev/urandom > "$BS_DIR/B"
t_check "write 32 MiB (A)" write "$BS_DIR/A"

# 1. Point in time, while every region is overwritten.
t_check "snapshot s1 of the volume" "$KC_TOOL" snapshot create s1 volume sv \
	path "$BS_DIR/s1.img"
# Snapshots outlive their test: every one this test leaves is deleted.
t_defer "$KC_TOOL snapshot delete s1 2> /dev/null"
t_eq "s1 is pending (the copy goes at 2 MiB/s)" "$(sf s1 's["state"]')" pending
t_check "overwrite all 32 MiB (B) while s1 is copied" write "$BS_DIR/B"
t_check "snapshot wait s1: completed" "$KC_TOOL" snapshot wait s1
t_check "s1's file is the volume before the overwrite (A)" cmp "$BS_DIR/A" "$BS_DIR/s1.img"
t_check "the volume holds B" cmp -n $((32 * M)) "$BS_DIR/B" "$dev"
cow=$(sf s1 's["cow_regions"]')
t_check "writes waited for their regions' copy (cow $cow)" test "$cow" -gt 0
t_eq "s1 copied and stored 32 MiB" "$(sf s1 '(s["copied"], s["stored"], s["size"])')" \
	"($((32 * M)), $((32 * M)), $((32 * M)))"
t_check "the replicas are identical" bs_same 3 $((32 * M))
t_check "a snapshot-state event said s1 completed" grep -q \
	'"event":"snapshot-state","name":"s1","volume":"sv","state":"completed"' "$BS_DIR/events"

# 2. Refusals.
t_check "a snapshot name taken is refused" bs_refused "a snapshot with this name exists" \
	"$KC_TOOL" snapshot create s1 volume sv path "$BS_DIR/other.img"
t_check "a file that exists is refused" bs_refused "the snapshot file exists" \
	"$KC_TOOL" snapshot create s9 volume sv path "$BS_DIR/s1.img"
t_check "an unknown volume is refused" bs_refused "no volume with this name" \
	"$KC_TOOL" snapshot create s9 volume nope path "$BS_DIR/s9.img"
t_check "a missing directory is refused" bs_refused "directory cannot be found" \
	"$KC_TOOL" snapshot create s9 volume sv path "$BS_DIR/no/s9.img"
t_check "an unknown snapshot cannot be shown" bs_refused "no snapshot with this name" \
	"$KC_TOOL" snapshot show s9

# 3. Sparse where the volume reads as zeroes; restore over garbage.
t_check "zero the second half (write zeroes)" blkdiscard -z -o $((16 * M)) -l $((16 * M)) "$dev"
t_check "resync rate 0 (no limit)" "$KC_TOOL" volume modify sv resync-rate 0
t_check "snapshot s2, waiting for it" "$KC_TOOL" snapshot create s2 volume sv \
	path "$BS_DIR/s2.img" wait
t_defer "$KC_TOOL snapshot delete s2 2> /dev/null"
t_eq "s2 stored 16 of 32 MiB" "$(sf s2 '(s["copied"], s["stored"])')" \
	"($((32 * M)), $((16 * M)))"
t_check "s2's file has holes: at most 17 MiB on disk ($(du -k "$BS_DIR/s2.img" | cut -f1) KiB)" \
	test "$(du -k "$BS_DIR/s2.img" | cut -f1)" -le $((17 * 1024))
t_check "s2 is B then zeroes" cmp -n $((32 * M)) "$BS_DIR/s2.img" \
	<(head -c $((16 * M)) "$BS_DIR/B"; head -c $((16 * M)) /dev/zero)
for i in 4 5; do
	tr '\0' '\377' < /dev/zero | head -c $((32 * M)) | \
		dd of="$BS_DIR/t$i.img" conv=notrunc status=none
done
t_check "volume rv from s2 over targets 4 and 5, which held 0xff" \
	"$KC_TOOL" volume create rv replica 10.77.4.2:$BS_PORT replica 10.77.5.2:$BS_PORT \
	snapshot s2
t_defer "$KC_TOOL volume delete rv"
t_eq "rv has the snapshot's size" "$(bs_field rv 'v["size"]')" $((32 * M))
t_check "rv reads as s2" cmp "$BS_DIR/s2.img" "$(bs_disk rv)"
t_check "both of rv's backing files hold s2" \
	bash -c "cmp $BS_DIR/s2.img $BS_DIR/t4.img && cmp $BS_DIR/s2.img $BS_DIR/t5.img"
t_check "a volume smaller than its snapshot is refused" bash -c \
	"! $KC_TOOL volume create rw replica 10.77.4.2:$BS_PORT size 16M snapshot s2"

# 4. A replica dies during the copy.
head -c $((32 * M)) /dev/urandom > "$BS_DIR/C"
t_check "write 32 MiB (C)" write "$BS_DIR/C"
t_check "resync rate 4 MiB/s" "$KC_TOOL" volume modify sv resync-rate 4096
t_check "snapshot s3" "$KC_TOOL" snapshot create s3 volume sv path "$BS_DIR/s3.img"
t_defer "$KC_TOOL snapshot delete s3 2> /dev/null"
sleep 1
t_check "target 1 stops during the copy" bs_target_stop 1
t_check "overwrite the first 8 MiB (B)" write "$BS_DIR/B" 8
t_check "snapshot wait s3: completed without target 1" "$KC_TOOL" snapshot wait s3
t_check "s3 is C" cmp "$BS_DIR/C" "$BS_DIR/s3.img"
t_check "snapshot delete s3 keep-file: the file stays" \
	bash -c "$KC_TOOL snapshot delete s3 keep-file && test -e $BS_DIR/s3.img"
t_check "delete volume rv" "$KC_TOOL" volume delete rv
t_check "volume rv again, from the image s3.img" "$KC_TOOL" volume create rv \
	replica 10.77.4.2:$BS_PORT replica 10.77.5.2:$BS_PORT image "$BS_DIR/s3.img"
t_check "rv reads as C" cmp "$BS_DIR/C" "$(bs_disk rv)"
t_check "target 1 back" bs_target_start 1
t_check "the volume resyncs" bs_wait_state sv ok 60
t_check "the replicas are identical" bs_same 3 $((32 * M))
t_check "targets 1 and 2 stop: the volume is frozen" \
	eval 'bs_target_stop 1 && bs_target_stop 2 && bs_wait_state sv frozen 20'
t_check "a snapshot of a frozen volume is refused" bs_refused "the volume is frozen" \
	"$KC_TOOL" snapshot create s9 volume sv path "$BS_DIR/s9.img"
t_check "targets 1 and 2 back: in sync again" \
	eval 'bs_target_start 1 && bs_target_start 2 && bs_wait_state sv ok 60'

# 5. Crash consistency under a busy ext4.
mnt=$BS_DIR/mnt
mkdir -p "$mnt"
t_check "mkfs.ext4 and mount" bash -c "mkfs.ext4 -q -F $dev && mount $dev $mnt"
t_defer "umount $mnt"
head -c $((4 * M)) /dev/urandom > "$BS_DIR/f1"
t_check "a file written and synced" bash -c "cp $BS_DIR/f1 $mnt/f1 && sync"
# Stopped by a flag, not a signal: a killed loop's last writer could
# still hold a file open when the file system is unmounted.
( i=0; while [ ! -e "$BS_DIR/stop" ]; do
	head -c 65536 /dev/urandom > "$mnt/busy.$((i++ % 50))"; done ) &
busy=$!
t_defer "touch $BS_DIR/stop"
sleep 1
t_check "snapshot s4 while files are being written" "$KC_TOOL" snapshot create s4 \
	volume sv path "$BS_DIR/s4.img" wait
t_defer "$KC_TOOL snapshot delete s4 2> /dev/null"
touch "$BS_DIR/stop"
wait $busy 2>/dev/null
t_check "unmount" umount "$mnt"
e2fsck -fy "$BS_DIR/s4.img" > "$BS_DIR/fsck1" 2>&1
rc=$?
t_check "s4: e2fsck replays its journal (exit $rc)" test $rc -le 1
t_check "s4: then clean (e2fsck -fn)" e2fsck -fn "$BS_DIR/s4.img"
t_check "s4 holds the synced file" bash -c \
	"debugfs -R 'dump /f1 $BS_DIR/f1.out' $BS_DIR/s4.img 2>/dev/null && cmp $BS_DIR/f1 $BS_DIR/f1.out"

# 6. Deleting: the volume fails its pending snapshot; a snapshot its file.
t_check "resync rate 256 KiB/s" "$KC_TOOL" volume modify sv resync-rate 256
t_check "snapshot s5 (pending for two minutes)" "$KC_TOOL" snapshot create s5 volume sv \
	path "$BS_DIR/s5.img"
t_defer "$KC_TOOL snapshot delete s5 2> /dev/null"
t_check "a second snapshot of the volume is refused while s5 is pending" \
	bs_refused "a snapshot of this volume is being taken" \
	"$KC_TOOL" snapshot create s6 volume sv path "$BS_DIR/s6.img"
t_check "a resize is refused while s5 is pending" bs_refused "a snapshot of the volume" \
	"$KC_TOOL" volume modify sv size 64M
t_check "delete the volume" "$KC_TOOL" volume delete sv
t_eq "s5 failed: cancelled" "$(sf s5 '(s["state"], s["error"])')" "('failed', 125)"
t_check "snapshot wait s5 says it failed (exit 1)" bash -c \
	"$KC_TOOL snapshot wait s5; test \$? = 1"
t_check "snapshot delete s1 removes its file" bash -c \
	"$KC_TOOL snapshot delete s1 && ! test -e $BS_DIR/s1.img"

t_done
