#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two targets of three cut off (their links down): writes wait instead of
# failing while the volume is below its quorum; one link back: the writes
# complete and nothing written is lost; the last one back: all the same.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 10
SIZE=$((16 << 20))
bs_step "three targets in their namespaces" bs_setup_targets 3 16M
bs_step "a 3-replica volume" bs_volume_create v2 3 size $SIZE timeout 1500
t_check "the volume is in sync" bs_wait_state v2 ok 20
dev=$(bs_disk v2)

head -c 4M /dev/urandom > "$BS_DIR/a"
head -c 4M /dev/urandom > "$BS_DIR/b"
t_check "write 4 MiB" dd if="$BS_DIR/a" of="$dev" bs=64k oflag=direct conv=nocreat status=none

ip link set "kcbs2-$$" down
ip link set "kcbs3-$$" down
dd if="$BS_DIR/b" of="$dev" bs=64k seek=64 oflag=direct conv=nocreat status=none &
dd_pid=$!
t_check "below quorum the volume is frozen" bs_wait_state v2 frozen 20
sleep 2
t_check "and the write waits" kill -0 $dd_pid

ip link set "kcbs2-$$" up
wait $dd_pid
t_eq "one target back: the write completes without error" $? 0
check_data() {
	dd if="$dev" bs=64k count=64 iflag=direct status=none | cmp - "$BS_DIR/a" &&
	dd if="$dev" bs=64k skip=64 count=64 iflag=direct status=none | cmp - "$BS_DIR/b"
}
t_check "both writes read back" check_data
ip link set "kcbs3-$$" up
t_check "all back: the volume is in sync" bs_wait_state v2 ok 30
t_check "every backing file is the same" bs_same 3 $SIZE
t_done
