#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A 3-replica volume over three targets, each in its own namespace behind
# veth: fio writes and verifies (crc32c), every backing file ends the same;
# then ext4 on the volume: mkfs, mount, files, umount, fsck clean.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
command -v fio >/dev/null || t_skip_all "fio is not installed"
command -v mkfs.ext4 >/dev/null || t_skip_all "mkfs.ext4 (e2fsprogs) is not installed"
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 12
SIZE=$((32 << 20))
bs_step "three targets in their namespaces" bs_setup_targets 3 64M
bs_step "a 3-replica volume" bs_volume_create v0 3 size $SIZE
t_check "the volume is in sync" bs_wait_state v0 ok 20
dev=$(bs_disk v0)
t_check "its disk $dev exists" test -b "$dev"
t_check "fio randwrite --verify=crc32c" \
	fio --name=v --filename="$dev" --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=randwrite --bs=4k --bsrange=4k-64k --size=$SIZE --io_size=8M \
	--verify=crc32c --verify_fatal=1 --randrepeat=0 --eta=never --output=/dev/null
seq_verify() {
	local job=(--name=s --filename="$dev" --direct=1 --ioengine=libaio --iodepth=8
		   --rw=write --bs=64k --size=4M --verify=crc32c --verify_fatal=1
		   --output=/dev/null)
	fio "${job[@]}" && fio "${job[@]}" --verify_only
}
t_check "fio sequential write, then verify alone" seq_verify
zeroes() {
	command -v blkdiscard >/dev/null || return 0
	blkdiscard -o 1M -l 1M "$dev" && blkdiscard -z -o 3M -l 512K "$dev" || return 1
	cmp -n 1M <(dd if="$dev" bs=1M skip=1 count=1 iflag=direct status=none) /dev/zero &&
	cmp -n 512K <(dd if="$dev" bs=512K skip=6 count=1 iflag=direct status=none) /dev/zero
}
t_check "discard and write zeroes read back as zeroes" zeroes
t_check "every backing file is the same" bs_same 3 $SIZE
t_eq "no I/O error counted" "$(bs_field v0 'v["stats"]["errors"]')" 0

mnt=$BS_DIR/mnt
mkdir -p "$mnt"
t_check "mkfs.ext4" mkfs.ext4 -q -F "$dev"
fs_files() {
	mount "$dev" "$mnt" || return 1
	for i in $(seq 1 20); do
		head -c $((i * 37000)) /dev/urandom > "$mnt/f$i" || return 1
	done
	sync
	(cd "$mnt" && sha256sum f* > "$BS_DIR/sums")
	umount "$mnt" && mount -o ro "$dev" "$mnt" || return 1
	(cd "$mnt" && sha256sum -c --quiet "$BS_DIR/sums")
	local rc=$?
	umount "$mnt"
	return $rc
}
t_check "mount, write files, read them back" fs_files
t_check "fsck clean" fsck.ext4 -n -f "$dev"
t_done
