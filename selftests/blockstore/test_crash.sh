#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A crash of the compute host, simulated: the volume is deleted by force
# with writes in flight (its metadata file is left as after a crash), then
# created again from the same metadata file. No acknowledged write is lost,
# the replica that was down gets what it missed, and after the resync every
# replica is the same.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

t_plan 11
SIZE=$((8 << 20))
META=$BS_DIR/v7.meta
bs_step "three targets in their namespaces" bs_setup_targets 3 8M
bs_step "a 3-replica volume with a metadata file" \
	bs_volume_create v7 3 size $SIZE region 256K meta "$META" timeout 1500
t_check "the volume is in sync" bs_wait_state v7 ok 20
dev=$(bs_disk v7)
head -c 8M /dev/urandom > "$BS_DIR/src"
t_check "target 3 stops" bs_target_stop 3

# One process keeps the disk open and writes 64 KiB blocks with O_DIRECT,
# logging each once its write is acknowledged.
writer() {
	/usr/bin/python3 - "$dev" "$BS_DIR/src" "$BS_DIR/acked" <<'PY'
import mmap, os, sys
dev, src, log = sys.argv[1:4]
data = open(src, "rb").read()
fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
buf = mmap.mmap(-1, 65536)
out = open(log, "a")
i = 0
while True:
    buf[:] = data[i * 65536:(i + 1) * 65536]
    try:
        os.pwrite(fd, buf, i * 65536)
    except OSError:
        break
    out.write("%d\n" % i)
    out.flush()
    i = (i + 1) % 128
PY
}
: > "$BS_DIR/acked"
writer &
wpid=$!
# Writes in flight: once the writer has some acknowledged (its start can
# take seconds on a slow guest), half a second more of them.
kc_wait 120 test -s "$BS_DIR/acked"
sleep 0.5
t_check "delete by force with writes in flight" "$KC_TOOL" volume delete v7 force
wait $wpid
t_diag "$(wc -l < "$BS_DIR/acked") writes acknowledged"
t_check "writes were acknowledged" test -s "$BS_DIR/acked"

t_check "target 3 comes back" bs_target_start 3
bs_step "the volume again from its metadata file" \
	bs_volume_create v7 3 size $SIZE region 256K meta "$META" timeout 1500
dev=$(bs_disk v7)
t_check "the volume is in sync after the resync" bs_wait_state v7 ok 90
check_acked() {
	local i
	for i in $(sort -un "$BS_DIR/acked"); do
		cmp <(dd if="$dev" bs=64k skip="$i" count=1 iflag=direct status=none) \
		    <(dd if="$BS_DIR/src" bs=64k skip="$i" count=1 status=none) || return 1
	done
}
t_check "every acknowledged write is there" check_acked
t_check "every backing file is the same" bs_same 3 $SIZE
t_done
