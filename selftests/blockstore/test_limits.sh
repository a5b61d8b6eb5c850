#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IOPS and throughput limits, as provisioned IOPS and throughput: a volume
# created with a limit serves no more than it allows (the count of requests
# over a run is bounded by the limit times the run's time plus its 50 ms
# burst: an upper bound, which a slow machine cannot break), nothing fails
# and the data is right (fio verify); `volume modify` changes the limit on
# the live volume, and lifting it lets requests held by it go at once;
# with no limit nothing is throttled. Bad requests are refused with a reason.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
command -v fio >/dev/null || t_skip_all "fio is not installed"

t_plan 20
SIZE=$((16 << 20))
bs_step "two targets in their namespaces" bs_setup_targets 2 16M
bs_step "a 2-replica volume with iops 50" bs_volume_create vl 2 size $SIZE iops 50
t_check "the volume is in sync" bs_wait_state vl ok 20
dev=$(bs_disk vl)
t_eq "show: iops 50, no throughput limit" "$(bs_field vl '(v["iops"], v["throughput_kib"])')" "(50, 0)"

stat() { bs_field vl "v[\"stats\"][\"$1\"]"; }
t_ok_if() { if eval "$2"; then t_ok "$1"; else t_notok "$1"; fi; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# run_fio SECONDS BS RW: a time-based fio run on the volume (verify for
# writes); prints "REQUESTS BYTES MILLISECONDS" from the volume's counters.
run_fio() {
	local r0 w0 rb0 wb0 t0 t1 rc
	r0=$(stat reads) w0=$(stat writes) rb0=$(stat read_bytes) wb0=$(stat write_bytes)
	t0=$(now_ms)
	fio --name=l --filename="$dev" --direct=1 --ioengine=libaio --iodepth=8 \
		--rw="$3" --bs="$2" --size=$SIZE --time_based --runtime="$1" \
		--verify=crc32c --verify_fatal=1 --verify_backlog=16 --eta=never \
		--output="$BS_DIR/fio.out"
	rc=$?
	t1=$(now_ms)
	echo "$(($(stat reads) + $(stat writes) - r0 - w0))" \
		"$(($(stat read_bytes) + $(stat write_bytes) - rb0 - wb0))" "$((t1 - t0))"
	return $rc
}

# 50 I/Os a second: at most 50 * (t + 0.05 s) + 1 requests in t.
out=$(run_fio 3 4k randwrite)
t_eq "fio under the IOPS limit: no error" "$?" 0
read -r n bytes ms <<< "$out"
t_diag "iops 50: $n requests in $ms ms"
t_ok_if "no more than 50 I/Os a second ($n in $ms ms)" "[ $((n * 1000)) -le $((50 * (ms + 50) + 1000)) ]"
t_check "fio read back what it wrote" \
	bash -c "! grep -qE 'verify: bad|bad magic|verify failed' '$BS_DIR/fio.out'"
# Held, however slow the machine: at 2 IOPS any two requests less than
# 450 ms apart wait, and fio sends 8 at once.
held() {
	local t0
	t0=$(stat throttled)
	"$KC_TOOL" volume modify vl iops 2 > /dev/null &&
	fio --name=h --filename="$dev" --direct=1 --ioengine=libaio --iodepth=8 \
		--rw=randwrite --bs=4k --size=$SIZE --number_ios=8 --eta=never > /dev/null &&
	[ "$(stat throttled)" -gt "$t0" ]
}
t_check "requests sent at once over the limit are held" held

# A 256 KiB request is one I/O, a 512 KiB one two (iops 20: t * 20 I/Os).
t_check "modify: iops 20" "$KC_TOOL" volume modify vl iops 20
out=$(run_fio 3 512k write)
t_eq "fio with 512 KiB requests: no error" "$?" 0
read -r n bytes ms <<< "$out"
t_diag "iops 20, 512 KiB: $n requests, $bytes bytes in $ms ms"
t_ok_if "512 KiB requests count two I/Os each ($((bytes / 262144)) I/Os in $ms ms)" \
	"[ $((bytes / 262144 * 1000)) -le $((20 * (ms + 50) + 2000)) ]"

# 1 MiB a second, no IOPS limit.
t_check "modify: throughput 1M, iops 0" "$KC_TOOL" volume modify vl iops 0 throughput 1M
t_eq "show: no iops limit, 1024 KiB/s" "$(bs_field vl '(v["iops"], v["throughput_kib"])')" "(0, 1024)"
out=$(run_fio 3 64k randrw)
t_eq "fio under the throughput limit: no error" "$?" 0
read -r n bytes ms <<< "$out"
t_diag "throughput 1M: $bytes bytes in $ms ms"
t_ok_if "no more than 1 MiB a second ($bytes bytes in $ms ms)" \
	"[ $((bytes * 1000)) -le $((1048576 * (ms + 50) + 65536 * 1000)) ]"

# Lifting a limit lets the requests it holds go at once: 200 writes at one a
# second would take minutes.
"$KC_TOOL" volume modify vl throughput 0 iops 1 > /dev/null
dd if=/dev/zero of="$dev" bs=4k count=200 oflag=direct status=none &
dd_pid=$!
sleep 1
t_check "modify: iops 0 while 200 writes wait for iops 1" "$KC_TOOL" volume modify vl iops 0
done_dd() { ! kill -0 $dd_pid 2>/dev/null; }
t_check "the held writes go at once" kc_wait 20 done_dd
wait $dd_pid
thr=$(stat throttled)
dd if=/dev/zero of="$dev" bs=64k count=128 oflag=direct status=none
t_eq "with no limit nothing is throttled" "$(stat throttled)" "$thr"

# Refused: what cannot change on a live volume, and a modify of nothing.
# bad WHAT MESSAGE: a VOLUME_MODIFY of the quorum (WHAT=quorum) or of nothing
# is refused with EINVAL and MESSAGE.
LIBDIR=$(cd "$(dirname "$0")/../lib" && pwd)
bad() {
	/usr/bin/python3 - "$LIBDIR" "$@" <<'EOF'
import os, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(sys.argv[1], "..", "core"))
import kcgenl
from specs import header_enums, TOP
e = header_enums(os.path.join(TOP, "kmod", "include", "uapi", "linux", "kcloud_bs.h"))
s = kcgenl.GenlSocket()
fam = s.family("kcloud_bs")
attrs = kcgenl.nla_str(e["KCLOUD_BS_A_VOLUME_NAME"], "vl")
if sys.argv[2] == "quorum":
    attrs += kcgenl.nla_u8(e["KCLOUD_BS_A_VOLUME_QUORUM"], 1)
try:
    s.request(fam.id, e["KCLOUD_BS_CMD_VOLUME_MODIFY"], attrs)
except kcgenl.NetlinkError as err:
    print(err)
    sys.exit(0 if err.errno == 22 and sys.argv[3] in err.extack else 1)
print("accepted")
sys.exit(1)
EOF
}
t_check "modify refuses a new quorum: 'cannot be changed on a live volume'" \
	bad quorum "cannot be changed on a live volume"
t_check "modify refuses nothing to change, with the reason" bad none "nothing to change"
t_done
