#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A file system on a replicated volume: mkfs.ext4, mount, write files,
# unmount, and fsck finds it clean; mounted again, the files read back the
# same, and every replica holds the same bytes.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
command -v mkfs.ext4 >/dev/null && command -v e2fsck >/dev/null ||
	t_skip_all "no e2fsprogs"

t_plan 9
SIZE=$((32 << 20))
bs_step "two targets in their namespaces" bs_setup_targets 2 32M
bs_step "a 2-replica volume" bs_volume_create v11 2 size $SIZE
t_check "the volume is in sync" bs_wait_state v11 ok 20
dev=$(bs_disk v11)
mnt=$BS_DIR/mnt
mkdir -p "$mnt"

t_check "mkfs.ext4" mkfs.ext4 -q -F "$dev"
t_check "mount" mount -t ext4 "$dev" "$mnt"
files() {
	local i
	for i in 1 2 3 4; do
		head -c $((i * 700))K /dev/urandom > "$BS_DIR/f$i" || return 1
		cp "$BS_DIR/f$i" "$mnt/f$i" || return 1
	done
	mkdir -p "$mnt/dir" && echo hello > "$mnt/dir/small" && sync
}
t_check "write files" files
t_check "unmount" umount "$mnt"
t_check "fsck finds it clean" e2fsck -f -n "$dev"
readback() {
	local i ok=0
	mount -t ext4 -o ro "$dev" "$mnt" || return 1
	for i in 1 2 3 4; do
		cmp "$BS_DIR/f$i" "$mnt/f$i" || ok=1
	done
	[ "$(cat "$mnt/dir/small")" = hello ] || ok=1
	umount "$mnt"
	return $ok
}
t_check "mounted again, the files read back the same" readback
t_check "the two backing files are the same" bs_same 2 $SIZE
t_done
