#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Block I/O metering, per instance and per volume: the instance has two
# volumes on two loop devices (registered by device; their size taken from
# the device), and `kcloud meter attach INSTANCE blk DEV` maps each device to
# the instance in bpf/meter_blk.bpf.c (tp_btf on block_rq_complete,
# charging through the meter's kfunc, which finds the volume by dev_t).
# Bytes written and read with O_DIRECT on one volume show exactly on that
# volume and not on the other; a third device's I/O is not charged; the
# instance's totals are the sum; each volume's 1 s samples add up to its
# I/O; show -s, -j and export have them; the last
# detach unpins the program and the module can go.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"
command -v losetup >/dev/null || t_skip_all "no losetup"
modprobe loop 2>/dev/null

img=$(mktemp -d)
t_defer "rm -rf $img"
truncate -s 16M "$img/a" "$img/b" "$img/c"
A=$(losetup -f --show "$img/a") || t_skip_all "no loop device"
t_defer "losetup -d $A"
B=$(losetup -f --show "$img/b") || t_skip_all "no second loop device"
t_defer "losetup -d $B"
C=$(losetup -f --show "$img/c") || t_skip_all "no third loop device"
t_defer "losetup -d $C"
t_plan 17
t_defer "kc meter instance del 601"
t_defer "kc meter detach blk $A; kc meter detach blk $B"

t_check "instance with two volumes on two devices" \
	kc meter instance add 601 name disk volume vol-a blk "$A" volume vol-b blk "$B"
t_eq "their devices and sizes are registered" \
	"$(kc -j meter instance show 601 | jq -c '[.[0].stats.volumes[] | [.name, .dev, .size]]')" \
	"$(printf '[["vol-a",%d,16777216],["vol-b",%d,16777216]]' \
		$(( (0x$(stat -c %t "$A") << 20) | 0x$(stat -c %T "$A") )) \
		$(( (0x$(stat -c %t "$B") << 20) | 0x$(stat -c %T "$B") )))"
t_check "attach the block program to the first device" kc meter attach disk blk "$A"
t_check "and to the second" kc meter attach disk blk "$B"
t_check "it is pinned" test -e /sys/fs/bpf/kcloud_meter_blk/link
sleep 0.5	# udev's probe of the devices is over
base=$(kc -j meter instance show 601 | jq -c '[.[0].stats.volumes[] | .read_bytes]')

dd if=/dev/zero of="$A" bs=64k count=48 oflag=direct status=none	# 3 MiB
dd if=/dev/zero of="$C" bs=64k count=16 oflag=direct status=none	# not charged
dd if="$A" of=/dev/null bs=64k count=16 iflag=direct status=none	# 1 MiB
vol() { kc -j meter instance show 601 |
	jq -c ".[0].stats.volumes[] | select(.name == \"$1\") | [.write_bytes, .read_bytes - $2, .write_ops > 0]"; }
ra=$(jq '.[0]' <<< "$base")
rb=$(jq '.[1]' <<< "$base")
t_eq "vol-a: 3 MiB written, 1 MiB read, exactly" "$(vol vol-a "$ra")" "[3145728,1048576,true]"
t_eq "vol-b: nothing" "$(vol vol-b "$rb")" "[0,0,false]"
dd if=/dev/zero of="$B" bs=4k count=5 oflag=direct status=none	# 20 KiB
t_eq "vol-b: 20 KiB written, on vol-b only" "$(vol vol-b "$rb")" "[20480,0,true]"
t_eq "vol-a unchanged" "$(vol vol-a "$ra")" "[3145728,1048576,true]"
t_eq "the instance's writes are the sum" \
	"$(kc -j meter instance show 601 | jq '.[0].stats.blk_write_bytes')" $((3145728 + 20480))
t_check "export has the volume's counter" bash -c "$KC_TOOL meter export |
	grep -qx 'kcloud_volume_write_bytes_total{id=\"601\",instance=\"disk\",tenant=\"\",volume=\"vol-a\"} 3145728'"
t_check "show -s has it" bash -c \
	"$KC_TOOL -s meter instance show 601 | grep -q 'volume vol-b dev .* write_ops [1-9][0-9]* bytes 20480 '"
t_check_fail "the module is held while the program is pinned" rmmod kcloud_meter
sleep 1.2
t_eq "the 1 s samples add up to the totals" \
	"$(kc -j meter show 601 | jq '[.[].stats.blk_write_bytes] | add')" $((3145728 + 20480))
vsum() { kc -j meter show 601 resolution "$1" |
	jq -c "[.[].stats.volumes[]? | select(.name == \"$2\") | $3] | add"; }
t_eq "each volume's 1 s samples add up to its writes" \
	"[$(vsum 1 vol-a .write_bytes),$(vsum 1 vol-b .write_bytes),$(vsum 1 vol-b .write_ops)]" \
	"[3145728,20480,5]"
t_check "and vol-a's to its reads (1 MiB and the probes)" test "$(vsum 1 vol-a .read_bytes)" -ge 1048576
kc meter detach blk "$B"
t_check "detach the last device: the program is unpinned" bash -c \
	"$KC_TOOL meter detach blk $A && test ! -e /sys/fs/bpf/kcloud_meter_blk/link"
t_done
