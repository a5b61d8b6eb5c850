#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Integrity: with the fault hook flipping bits in frames on the wire, every
# damaged frame is caught by its crc32c and sent again, and the data stays
# right; garbage sent to a target's port is counted and dropped; bad netlink
# requests are refused with a message that says why.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
command -v fio >/dev/null || t_skip_all "fio is not installed"
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
FAULT=/sys/module/kcloud_bs/parameters/fault_flip
[ -w $FAULT ] || t_skip_all "no $FAULT"

t_plan 18
SIZE=$((16 << 20))
bs_step "two targets in their namespaces" bs_setup_targets 2 16M
bs_step "a 2-replica volume" bs_volume_create v3 2 size $SIZE
t_check "the volume is in sync" bs_wait_state v3 ok 20
dev=$(bs_disk v3)

echo 5 > $FAULT
t_defer "echo 0 > $FAULT"
t_check "fio verify with every 5th frame damaged" \
	fio --name=i --filename="$dev" --direct=1 --ioengine=libaio --iodepth=8 \
	--rw=randwrite --bs=4k --bsrange=4k-32k --size=$SIZE --io_size=2M \
	--verify=crc32c --verify_fatal=1 --eta=never --output=/dev/null
echo 0 > $FAULT
crc=$(bs_field v3 'v["stats"]["crc_errors"]')
t_diag "crc errors $crc, retries $(bs_field v3 'v["stats"]["retries"]')"
t_check "damaged frames were counted" test "$crc" -gt 0
t_check "and sent again" test "$(bs_field v3 'v["stats"]["retries"]')" -ge "$crc"
t_eq "no I/O error" "$(bs_field v3 'v["stats"]["errors"]')" 0
t_check "the backing files are the same" bs_same 2 $SIZE

garbage() {
	head -c 3000 /dev/urandom > /dev/tcp/10.77.1.2/$BS_PORT
	sleep 1
	local g
	g=$(kc_in "$(bs_ns 1)" "$KC_TOOL" -j -s target show t1 |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats"]["garbage"])')
	[ "$g" -ge 1 ]
}
t_check "garbage on a target's port is counted" garbage
t_check "the volume still works" dd if=/dev/zero of="$dev" bs=64k count=16 oflag=direct conv=nocreat status=none

# Bad requests: refused, and the kernel's message says why.
refused() {
	local want=$1 out
	shift
	out=$("$KC_TOOL" "$@" 2>&1) && return 1
	grep -qi -- "$want" <<< "$out" || { echo "message: $out"; return 1; }
}
r="replica 10.77.1.2:$BS_PORT"
t_check "size not a multiple of 4096" refused "multiple of 4096" volume create x size 1048577 $r
t_check "size below 1 MiB" refused "range" volume create x size 4096 $r
t_check "region not a power of two" refused "power of two" volume create x size 1M region 5000 $r
t_check "quorum above the replicas" refused "quorum" volume create x size 1M quorum 2 $r
t_check "the same target twice" refused "twice" volume create x size 1M $r $r
t_check "an existing name" refused "exists" volume create v3 size 1M $r
t_check "a relative target path" refused "absolute" target add x path rel/ative port 7100
t_check "an unknown volume" refused "no volume" volume delete nosuch
t_done
