#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Block I/O metering: `kcloud meter attach INSTANCE blk DEV` maps a volume's
# block device to the instance in bpf/meter_blk.bpf.c (tp_btf on
# block_rq_complete, charging through the meter's kfunc). Writing and then
# reading a known number of bytes with O_DIRECT shows exactly those bytes;
# another device's I/O is not charged; the last detach unpins the program
# and the module can go.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"
command -v losetup >/dev/null || t_skip_all "no losetup"
modprobe loop 2>/dev/null

img=$(mktemp -d)
t_defer "rm -rf $img"
truncate -s 16M "$img/a" "$img/b"
A=$(losetup -f --show "$img/a") || t_skip_all "no loop device"
t_defer "losetup -d $A"
B=$(losetup -f --show "$img/b") || t_skip_all "no second loop device"
t_defer "losetup -d $B"
t_plan 8
t_defer "kc meter instance del 601"
t_defer "kc meter detach blk $A"

kc meter instance add 601 name disk volume vol-a
t_check "attach the block program to the volume's device" kc meter attach disk blk "$A"
t_check "it is pinned" test -e /sys/fs/bpf/kcloud_meter_blk/link

dd if=/dev/zero of="$A" bs=64k count=48 oflag=direct status=none	# 3 MiB
dd if=/dev/zero of="$B" bs=64k count=16 oflag=direct status=none	# not charged
dd if="$A" of=/dev/null bs=64k count=16 iflag=direct status=none	# 1 MiB
blk() { kc -j meter instance show 601 | jq -c ".[0].stats | [.blk_$1_bytes, .blk_$1_ops > 0]"; }
t_eq "3 MiB written, exactly" "$(blk write)" "[3145728,true]"
t_eq "1 MiB read, exactly" "$(blk read)" "[1048576,true]"
t_check_fail "the module is held while the program is pinned" rmmod kcloud_meter
sleep 1.2
t_eq "the 1 s samples add up to the totals" \
	"$(kc -j meter show 601 | jq '[.[].stats.blk_write_bytes] | add')" 3145728
t_check "detach the last device" kc meter detach blk "$A"
t_check "the program is unpinned" test ! -e /sys/fs/bpf/kcloud_meter_blk/link
t_done
