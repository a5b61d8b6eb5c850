#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The local path: a replica whose target this host serves from a block
# device, in the volume's namespace, is read and written without TCP (as
# DRBD uses its local disk); a replica on another host (here: another
# namespace) is not. Reads and writes are right and counted as local; when
# the local target goes in the middle of reads, they go on from the other
# replica without an error; the returning replica is resynced before it is
# read again; a newer volume that takes the target over fences the old one
# out of the device (its local writes are refused as stale, as the target
# refuses them on the wire); with the module's local_read=0 nothing is local.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
command -v losetup > /dev/null || t_skip_all "no losetup"
modprobe loop 2> /dev/null
PARAM=/sys/module/kcloud_bs/parameters/local_read
[ -w "$PARAM" ] || t_skip_all "no local_read parameter"

t_plan 25
SIZE=$((8 << 20))
bs_step "a target in its namespace" bs_setup_targets 1 8M
bs_step "a target on a block device of this host" \
	bs_local_target tl 7100 "$BS_DIR/local.img" 8M
L=$BS_LOOP
local_start() { "$KC_TOOL" target add tl path "$L" port 7100 addr 127.0.0.1; }
t_defer "echo 1 > $PARAM"
create() {
	"$KC_TOOL" volume create vl replica 127.0.0.1:7100 replica 10.77.1.2:$BS_PORT \
		size $SIZE quorum 1 "$@" > /dev/null
}
bs_step "a volume on it and on the other target" create
t_defer "$KC_TOOL volume delete vl"
t_check "in sync" bs_wait_state vl ok 20
local_flags() { bs_field vl '[r.get("local") for r in v["replicas"]]'; }
t_eq "replica 0 is read locally, replica 1 (another host) is not" "$(local_flags)" \
	"[True, False]"

dev=$(bs_disk vl)
head -c 4M /dev/urandom > "$BS_DIR/data"
lw() { bs_field vl "v['replicas'][$1]['stats']['local_writes']"; }
t_check "write 4 MiB" dd if="$BS_DIR/data" of="$dev" bs=64k oflag=direct status=none
t_check "on the local device without TCP ($(lw 0) writes)" test "$(lw 0)" -ge 64
t_eq "and on the other replica over TCP" "$(lw 1)" 0
lr() { bs_field vl "v['replicas'][$1]['stats']['local_reads']"; }
tcp_reads() { bs_field vl 'v["stats"]["reads"] - v["replicas"][0]["stats"]["local_reads"]'; }
before=$(lr 0)
tcp_before=$(tcp_reads)
readback() { dd if="$dev" bs=64k count=64 iflag=direct status=none | cmp - "$BS_DIR/data"; }
t_check "it reads back right" readback
t_check "from the local device ($(lr 0) reads)" test "$(lr 0)" -gt "$before"
t_eq "none over TCP: the volume's new reads are all local" "$(tcp_reads)" "$tcp_before"
# The device is read with O_DIRECT: local writes do not go through its
# page cache.
stores() {
	dd if="$L" bs=64k count=64 iflag=direct status=none | cmp - "$BS_DIR/data" &&
		cmp -n 4M "$BS_DIR/t1.img" "$BS_DIR/data"
}
t_check "both backing stores have the data" stores

# A flush goes to the local device too (and is counted with the writes,
# which a resync waits for: the one below would hang on a miscount).
lw0=$(lw 0)
t_check "a write and a flush (fsync)" \
	dd if="$BS_DIR/data" of="$dev" bs=64k count=1 oflag=direct conv=fsync status=none
t_check "both on the local device" test "$(lw 0)" -ge $((lw0 + 2))

# The local target goes while the disk is being read.
reader() {
	local i
	for ((i = 0; i < 40; i++)); do
		readback || return 1
	done
}
reader &
pid=$!
sleep 0.3
"$KC_TOOL" target del tl
wait $pid
t_eq "the local target goes during reads: they go on from the other, no error" $? 0
t_eq "it is not read locally any more" "$(local_flags)" "[False, False]"
head -c 1M /dev/urandom | dd of="$BS_DIR/data" bs=64k seek=16 conv=notrunc status=none
t_check "a write while it is away" \
	dd if="$BS_DIR/data" of="$dev" bs=64k count=16 skip=16 seek=16 oflag=direct status=none
t_check "the target comes back" local_start
t_check "it is resynced, in sync" bs_wait_state vl ok 30
t_eq "then read locally again" "$(local_flags)" "[True, False]"
both() { readback && stores; }
t_check "with the new data, on both stores" both

# A newer volume takes the local target over (epoch 9 > 1): the old one's
# writes do not reach the device any more.
newer() {
	"$KC_TOOL" volume create vn replica 127.0.0.1:7100 size $SIZE epoch 9 > /dev/null &&
		bs_wait_state vn ok 20 && "$KC_TOOL" volume delete vn
}
t_check "a newer volume takes the local target" newer
head -c 64k /dev/urandom > "$BS_DIR/late"
dd if="$BS_DIR/late" of="$dev" bs=64k count=1 oflag=direct status=none
stale_state() { bs_field vl 'v["replicas"][0]["state"]'; }
t_eq "the old volume's local replica is stale" "$(stale_state)" stale
not_on_device() {
	! dd if="$L" bs=64k count=1 iflag=direct status=none | cmp -s - "$BS_DIR/late"
}
t_check "and its write is not on the device" not_on_device

"$KC_TOOL" volume delete vl
echo 0 > "$PARAM"
create epoch 10
bs_wait_state vl ok 30
dev=$(bs_disk vl)
dd if="$BS_DIR/data" of="$dev" bs=64k oflag=direct status=none
readback
t_eq "local_read=0: nothing is local" \
	"$(local_flags) $(lr 0) $(lw 0)" "[False, False] 0 0"
t_done
