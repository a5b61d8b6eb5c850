#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Online resize, as an EBS volume's modify-volume: `kcloud volume modify
# NAME size SIZE` grows a live volume while fio writes to it (no I/O error,
# verify right). Every target's store grows, /dev/kcbsN takes the new size,
# the old data stays and the new space reads as zeroes on every replica.
# A replica that misses writes to the new space is resynced there (the
# dirty bitmaps grew too), and the metadata file is laid out for the new
# size: after a crash the volume comes back from it at that size, and not
# at the old one.
# A block device target grows when its device does (losetup -c here), and
# its new range is zeroed, whatever the device held; until then the resize
# is refused. Writes held back by an IOPS limit do not hold a resize up.
# Shrinking, resizing a degraded volume and a size not a multiple of 4 KiB
# are refused with a reason, and change nothing.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
command -v fio >/dev/null || t_skip_all "fio is not installed"
command -v losetup >/dev/null || t_skip_all "no losetup"
modprobe loop 2>/dev/null

t_plan 38
M=$((1 << 20))
bs_step "three targets in their namespaces (16 MiB files)" bs_setup_targets 3 16M
META=$BS_DIR/rz.meta
bs_step "a 3-replica volume of 16 MiB with a metadata file" \
	bs_volume_create rz 3 size $((16 * M)) meta "$META"
t_check "the volume is in sync" bs_wait_state rz ok 20
dev=$(bs_disk rz)
"$KC_TOOL" -j volume events > "$BS_DIR/events" &
t_defer "kill $!"
kc_wait 10 kc_subscribed $! || t_diag "the event monitor did not subscribe in time"
head -c $((16 * M)) /dev/urandom > "$BS_DIR/data"
t_check "write 16 MiB" dd if="$BS_DIR/data" of="$dev" bs=1M oflag=direct conv=fsync \
	status=none

size_of() { bs_field "$1" 'v["size"]'; }
tsize() {
	kc_in "$(bs_ns "$1")" "$KC_TOOL" -j target show "t$1" | /usr/bin/python3 -c \
		'import json, sys; print(json.load(sys.stdin)[0]["size"])'
}

# Grow while fio writes (and verifies) the old 16 MiB.
fio --name=rz --filename="$dev" --direct=1 --ioengine=libaio --iodepth=8 \
	--rw=randwrite --bs=4k --size=$((16 * M)) --io_size=$((48 * M)) --eta=never \
	--verify=crc32c --verify_fatal=1 --randrepeat=0 --output="$BS_DIR/fio.out" &
fio_pid=$!
writing() { test "$(bs_field rz 'v["stats"]["writes"]')" -gt 400; }
kc_wait 30 writing
t_check "modify size 32M while fio writes" "$KC_TOOL" volume modify rz size 32M
w_at=$(bs_field rz 'v["stats"]["writes"]')
wait $fio_pid
fio_rc=$?
w_end=$(bs_field rz 'v["stats"]["writes"]')
t_check "fio went on writing after the resize ($w_at writes, then $w_end)" test "$w_end" -gt "$w_at"
t_eq "fio verify through the resize: no error" "$fio_rc" 0
[ "$fio_rc" = 0 ] || t_diag "$(cat "$BS_DIR/fio.out")"
t_eq "the volume says 32 MiB" "$(size_of rz)" $((32 * M))
t_eq "/dev/kcbsN has 32 MiB" "$(blockdev --getsize64 "$dev")" $((32 * M))
t_eq "every target holds 32 MiB" "$(tsize 1) $(tsize 2) $(tsize 3)" \
	"$((32 * M)) $((32 * M)) $((32 * M))"
t_eq "every backing file is 32 MiB" \
	"$(stat -c %s "$BS_DIR/t1.img" "$BS_DIR/t2.img" "$BS_DIR/t3.img" | xargs)" \
	"$((32 * M)) $((32 * M)) $((32 * M))"
t_eq "still in sync" "$(bs_field rz 'v["state"]')" ok
# zeroes DEV OFFSET: DEV reads as zeroes from OFFSET to its end.
zeroes() { cmp -i "$2":0 "$1" /dev/zero 2>&1 | grep -q "^cmp: EOF on $1"; }
t_check "the new space reads as zeroes" zeroes "$dev" $((16 * M))
t_check "an event says the volume was resized" grep -q '"event":"resized"' "$BS_DIR/events"

head -c $((16 * M)) /dev/urandom > "$BS_DIR/more"
t_check "write the new space" dd if="$BS_DIR/more" of="$dev" bs=1M seek=16 oflag=direct \
	conv=nocreat,fsync status=none
t_check "it reads back" cmp -n $((16 * M)) -i $((16 * M)):0 "$dev" "$BS_DIR/more"
t_check "the replicas are the same over 32 MiB" bs_same 3 $((32 * M))

t_check "shrinking is refused: 'can grow, not shrink'" \
	bs_refused "can grow, not shrink" "$KC_TOOL" volume modify rz size 16M
t_check "a size not a multiple of 4 KiB is refused" \
	bs_refused "not a multiple of 4096" "$KC_TOOL" volume modify rz size $((48 * M + 512))
t_check "a size past 2^24 regions is refused (no overflow near 2^64)" \
	bs_refused "too many regions" "$KC_TOOL" volume modify rz size 18446744073709547520

# Target 3 goes: a resize waits for it, and what it misses in the new space
# is copied to it when it returns.
bs_target_stop 3
head -c $M /dev/urandom > "$BS_DIR/late"
t_check "with target 3 gone, write 1 MiB at 24 MiB" dd if="$BS_DIR/late" of="$dev" bs=1M \
	seek=24 oflag=direct conv=nocreat,fsync status=none
t_eq "the volume is degraded" "$(bs_field rz 'v["state"]')" degraded
t_check "a degraded volume is not resized: 'every replica must be ... in sync'" \
	bs_refused "every replica must be connected and in sync" "$KC_TOOL" volume modify rz size 48M
t_eq "its size stays 32 MiB" "$(size_of rz)" $((32 * M))
t_check "replica 3 owes regions of the new space" \
	test "$(bs_field rz 'v["replicas"][2]["dirty"]')" -gt 0
# The metadata file as a crash of this host now would leave it.
cp "$META" "$BS_DIR/crash.meta"
bs_target_start 3
t_check "target 3 returns and is resynced" bs_wait_state rz ok 60
t_check "the replicas are the same again" bs_same 3 $((32 * M))

# The host crashes: the volume comes back from the metadata file as the
# crash left it (written by the resize, not by an orderly delete).
dd if="$dev" of="$BS_DIR/expect" bs=1M iflag=direct status=none
"$KC_TOOL" volume delete rz
cp "$BS_DIR/crash.meta" "$META"
reps=(replica 10.77.1.2:$BS_PORT replica 10.77.2.2:$BS_PORT replica 10.77.3.2:$BS_PORT)
t_check "after a crash the metadata file refuses the old size" bs_refused "another size" \
	"$KC_TOOL" volume create rz "${reps[@]}" size 16M meta "$META"
t_check "and takes the new one" "$KC_TOOL" volume create rz "${reps[@]}" size 32M meta "$META"
t_check "in sync from it" bs_wait_state rz ok 60
dev=$(bs_disk rz)
t_check "the 32 MiB read back as they were" cmp "$dev" "$BS_DIR/expect"

# Writes held by a low IOPS limit do not hold the resize: at 1 IOPS the 128
# queued would take two minutes to drain.
"$KC_TOOL" volume modify rz iops 1 >/dev/null
fio --name=held --filename="$dev" --direct=1 --ioengine=libaio --iodepth=128 \
	--rw=randwrite --bs=4k --size=$((32 * M)) --time_based --runtime=600 --eta=never \
	--output=/dev/null &
fio_pid=$!
t_defer "kill $fio_pid 2>/dev/null"
held() { test "$(bs_field rz 'v["stats"]["throttled"]')" -gt 0; }
kc_wait 30 held
sleep 2		# the rest of fio's 128 are queued behind the first held
t_check "with 128 writes held at 1 IOPS, modify size 40M is done within 20 s" \
	timeout $((20 * ${KCLOUD_TIMEOUT_SCALE:-1})) "$KC_TOOL" volume modify rz size 40M
# The limit off first: a killed fio waits for its 128 writes.
"$KC_TOOL" volume modify rz iops 0 >/dev/null
kill $fio_pid 2>/dev/null
wait $fio_pid 2>/dev/null
t_eq "the volume says 40 MiB" "$(size_of rz)" $((40 * M))

# A target on a block device: it grows only when the device does.
truncate -s 8M "$BS_DIR/loop.img"
L=$(losetup -f --show "$BS_DIR/loop.img") || t_skip_all "no loop device"
t_defer "losetup -d $L"
ip link set lo up
"$KC_TOOL" target add tl path "$L" port 7100 addr 127.0.0.1 || t_notok "a block device target"
t_defer "$KC_TOOL target del tl"
"$KC_TOOL" volume create rb replica 127.0.0.1:7100 size 8M quorum 1 >/dev/null ||
	t_notok "a volume on it"
t_defer "$KC_TOOL volume delete rb"
t_check "the volume on a block device target is in sync" bs_wait_state rb ok 20
t_check "grow past the device: 'cannot hold this size'" \
	bs_refused "cannot hold this size" "$KC_TOOL" volume modify rb size 16M
t_eq "it stays 8 MiB" "$(size_of rb)" $((8 * M))
# The device grows, its new half full of 0xff: the target must zero it.
head -c $((8 * M)) /dev/zero | tr '\0' '\377' >> "$BS_DIR/loop.img"
losetup -c "$L"
t_check "the device grew: modify size 16M" "$KC_TOOL" volume modify rb size 16M
t_check "the new space reads as zeroes, not what the device held" zeroes "$(bs_disk rb)" $((8 * M))
t_done
