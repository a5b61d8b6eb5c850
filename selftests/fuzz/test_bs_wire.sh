#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Wire-protocol fuzzing of a block store target (bsfuzz.py): connections
# with a valid HELLO then mutated requests (magic, type, flags, lengths,
# offsets, epochs, header and data crc32c, frames cut or extended), and pure
# garbage, sent to a target that serves a volume. Every reply must be
# what the protocol says, the target's counters (garbage, crc_errors, stale,
# reads, writes, flushes) must move by what the fuzzer sent, and afterwards
# the volume's data is intact and the volume still reads and writes. No
# splat, no leak (kmemleak, on a debug kernel).
#
# The fuzzer speaks as the volume (its name, the target's epoch), so each of
# its HELLOs fences the volume's connection, and each reconnect of the volume
# would fence the fuzzer's connection in flight: the target would not read
# what the fuzzer sent on it, and its counters could not be checked exactly.
# So the volume is cut off from the target (its link down) while the fuzzer
# runs, from inside the target's namespace; then it connects again.
#
# KCLOUD_FUZZ_SEED replays a run; KCLOUD_FUZZ_CONNS sets the connections;
# KCLOUD_FUZZ_LONG=1 (make fuzz-long) runs seeds for KCLOUD_FUZZ_SECONDS.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../blockstore/bs_lib.sh"
. "$(dirname "$0")/fuzz_lib.sh"
kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"

seed=${KCLOUD_FUZZ_SEED:-1}
conns=${KCLOUD_FUZZ_CONNS:-200}
secs=${KCLOUD_FUZZ_SECONDS:-600}
[ "$FZ_LONG" = 1 ] && conns=${KCLOUD_FUZZ_CONNS:-2000}
SIZE=$((16 << 20))
DATA=$((8 << 20))	# the volume's data the fuzzer must not touch

echo "TAP version 13"
bs_step "a target in its namespace" bs_setup_targets 1 16M
bs_step "a volume on it" bs_volume_create fz 1 size $SIZE
t_check "the volume is in sync" bs_wait_state fz ok 20
dev=$(bs_disk fz)
head -c $DATA /dev/urandom > "$BS_DIR/data"
t_check "write 8 MiB to the volume" dd if="$BS_DIR/data" of="$dev" bs=1M oflag=direct \
	conv=nocreat,fsync status=none

tstats() {
	kc_in "$(bs_ns 1)" "$KC_TOOL" -j -s target show t1 | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stats"]
print(" ".join("%s=%d" % (k, s.get(k, 0)) for k in
      ("crc_errors", "errors", "flushes", "foreign", "garbage", "reads", "stale", "writes")))'
}

fz_start
ip link set "kcbs1-$$" down
t_defer "ip link set kcbs1-$$ up"
total=0 garbage=0 crc=0 stale=0 runs=0 end=$((SECONDS + secs))
while :; do
	before=$(tstats)
	out=$(kc_in "$(bs_ns 1)" timeout 900 /usr/bin/python3 "$(dirname "$0")/bsfuzz.py" --seed "$seed" \
		--conns "$conns" --addr 10.77.1.2 --port $BS_PORT --protect $DATA \
		--proto "$KC_TOP/kmod/blockstore/proto.h" 2>&1)
	rc=$?
	sleep 0.5
	after=$(tstats)
	runs=$((runs + 1))
	while read -r verdict desc; do
		case "$verdict" in
		PASS) t_ok "seed $seed: $desc" ;;
		FAIL) t_notok "seed $seed: $desc"
			t_diag "replay: KCLOUD_FUZZ_SEED=$seed KCLOUD_FUZZ_CONNS=$conns selftests/run.sh fuzz/test_bs_wire" ;;
		COUNTERS) want=$desc ;;
		REPORT) t_diag "seed $seed: $desc"
			set -- $desc
			total=$((total + $4)) garbage=$((garbage + $8))
			crc=$((crc + ${10})) stale=$((stale + ${12})) ;;
		*) [ -n "$verdict" ] && t_diag "$verdict $desc" ;;
		esac
	done <<< "$out"
	if [ $rc != 0 ] && ! grep -q '^FAIL' <<< "$out"; then
		t_notok "seed $seed: the fuzzer failed (exit $rc)"
		t_diag "$out"
	fi
	got=$(/usr/bin/python3 -c '
import sys
b = dict(x.split("=") for x in sys.argv[1].split())
a = dict(x.split("=") for x in sys.argv[2].split())
print(" ".join("%s=%d" % (k, int(a[k]) - int(b[k])) for k in sorted(a)))' "$before" "$after")
	t_eq "seed $seed: the target counted what it was sent" "$got" "${want:-none}"
	[ "$FZ_LONG" = 1 ] && [ $SECONDS -lt $end ] || break
	seed=$((seed + 1))
done
ip link set "kcbs1-$$" up
t_check "the volume connects to the target again" bs_wait_state fz ok 60

echo 3 > /proc/sys/vm/drop_caches
t_check "the volume's data is intact" cmp -n $DATA "$BS_DIR/data" "$dev"
t_check "and so is the target's copy" cmp -n $DATA "$BS_DIR/data" "$BS_DIR/t1.img"
t_eq "the volume is still in sync" "$(bs_field fz 'v["state"]')" ok
head -c $((1 << 20)) /dev/urandom > "$BS_DIR/more"
rw() {
	dd if="$BS_DIR/more" of="$dev" bs=1M seek=2 oflag=direct conv=nocreat,fsync status=none &&
		cmp -n $((1 << 20)) -i 0:$((2 << 20)) "$BS_DIR/more" "$dev"
}
t_check "the volume still writes and reads" rw
fz_report "bs wire" "runs $runs tried $total garbage $garbage crc_errors $crc stale $stale"
echo "1..$t_n"
t_done
