#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The block store's fault matrix: a fio verify run (crc32c) on a 3-replica
# volume while one target suffers a fault: it dies (its target deleted), is
# cut off (link down), loses packets (netem loss), is slow (netem delay) or
# sends and receives corrupted frames (netem corrupt, and the module's
# fault_flip hook that flips a bit in data frames past the TCP checksum);
# and the compute host's module is unloaded with writes in flight and
# loaded again, the volume rebuilt from its metadata file.
# The quorum holds throughout: fio must see no I/O error and no verify
# error (after the reload: no acknowledged write lost); after the fault the volume resyncs, every backing file is the same
# and the disk reads back as the backing files.
#
# Bounded (make check): each fault once, on a fixed target. With
# KCLOUD_FAULTS_CYCLES=N (make faults-long): N cycles of a random fault on a
# random target for a random time, from KCLOUD_FAULTS_SEED.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../blockstore/bs_lib.sh"
. "$(dirname "$0")/faults_lib.sh"

kc_require_root
command -v fio >/dev/null || t_skip_all "fio is not installed"
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
FLIP=/sys/module/kcloud_bs/parameters/fault_flip

# KCLOUD_FAULTS_KINDS: a subset of them, to run one case alone.
read -ra KINDS <<< "${KCLOUD_FAULTS_KINDS:-death partition loss delay corrupt reload}"
has_corrupt() { [[ " ${KINDS[*]} " == *" corrupt "* ]]; }
if f_long; then
	t_plan 6
	t_diag "seed $F_SEED, $F_CYCLES cycles"
else
	t_plan $((3 + ${#KINDS[@]} * 3 + $(has_corrupt && echo 1 || echo 0)))
fi

SIZE=$((8 << 20))
bs_step "three targets in their namespaces" bs_setup_targets 3 8M
META=$BS_DIR/vf.meta
VOL=(vf 3 size "$SIZE" region 256K meta "$META" timeout 1500)
bs_step "a 3-replica volume with a metadata file" bs_volume_create "${VOL[@]}"
t_check "the volume is in sync" bs_wait_state vf ok 30
dev=$(bs_disk vf)
[ -b "$dev" ] || { t_diag "no disk for the volume"; t_done; }
t_defer "echo 0 > $FLIP"
for i in 1 2 3; do
	t_defer "f_netem_clear kcbs$i-$$ -; ip link set kcbs$i-$$ up"
done

# fault_on KIND N / fault_off KIND N
fault_on() {
	local ns
	ns=$(bs_ns "$2")
	case "$1" in
	death) bs_target_stop "$2" ;;
	partition) ip link set "kcbs$2-$$" down ;;
	loss) f_netem_set "kcbs$2-$$" - loss 30% && f_netem_set eth0 "$ns" loss 30% ;;
	delay) f_netem_set "kcbs$2-$$" - delay 200ms 50ms && f_netem_set eth0 "$ns" delay 200ms ;;
	corrupt)
		f_netem_set "kcbs$2-$$" - corrupt 5% && f_netem_set eth0 "$ns" corrupt 5% &&
			echo 7 > "$FLIP" ;;
	esac
}
fault_off() {
	local ns
	ns=$(bs_ns "$2")
	case "$1" in
	death) bs_target_start "$2" ;;
	partition) ip link set "kcbs$2-$$" up ;;
	loss|delay|corrupt)
		echo 0 > "$FLIP"
		f_netem_clear "kcbs$2-$$" - && f_netem_clear eth0 "$ns" ;;
	esac
}

STUCK=0
crc_seen() {
	bs_field vf 'sum(r["stats"]["crc_errors"] + r["stats"]["retries"] for r in v["replicas"])'
}

# cycle KIND N SECONDS: fio for SECONDS + 3 with KIND on target N for
# SECONDS from its second second. Sets fio_rc, synced, same.
cycle() {
	local kind=$1 n=$2 secs=$3 fpid
	fio --name=f --filename="$dev" --direct=1 --ioengine=libaio --iodepth=8 \
		--rw=randwrite --bs=4k --size=$SIZE --time_based --runtime=$((secs + 3)) \
		--verify=crc32c --verify_fatal=1 --verify_backlog=64 --randrepeat=0 \
		--eta=never --output="$BS_DIR/fio.out" &
	fpid=$!
	sleep 1
	fault_on "$kind" "$n" || t_diag "$kind on target $n: could not apply"
	sleep "$secs"
	fault_off "$kind" "$n" || t_diag "$kind on target $n: could not clear"
	# I/O that never completes is a failure, shown, not a test timeout.
	if ! f_wait_gone $fpid 120; then
		t_diag "$kind of target $n: fio still running 120 s after the fault ended"
		f_stuck_diag $fpid
		kill -9 $fpid 2>/dev/null
		STUCK=1 fio_rc=124 synced=0 same=0
		return
	fi
	wait $fpid
	fio_rc=$?
	[ "$fio_rc" = 0 ] || t_diag "$(tail -n 15 "$BS_DIR/fio.out")"
	synced=0 same=0
	bs_wait_state vf ok 120 && synced=1 || f_kernel_diag
	[ $synced = 1 ] && bs_same 3 $SIZE && same=1
	# What the disk reads is what the replicas hold: no acknowledged
	# write lost, none half-applied.
	[ $same = 1 ] && { dd if="$dev" bs=1M count=$((SIZE >> 20)) iflag=direct status=none |
		cmp -s - <(head -c $SIZE "$BS_DIR/t1.img"); } || same=0
}

# A crash and reboot of the compute host, as far as the module goes: the
# volume deleted by force with writes in flight (its metadata file left as
# a crash leaves it), the module unloaded (the targets with it: their files
# stay) and loaded again, the targets back, the volume again from its
# metadata. Every write acknowledged before the crash must read back.
# Sets fio_rc (0: no acknowledged write lost), synced, same.
writer() {
	/usr/bin/python3 - "$dev" "$BS_DIR/src" "$BS_DIR/acked" <<'PY'
import mmap, os, random, sys
dev, src, log = sys.argv[1:4]
data = open(src, "rb").read()
fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
buf = mmap.mmap(-1, 65536)
out = open(log, "a")
while True:
    i = random.randrange(len(data) // 65536)
    buf[:] = data[i * 65536:(i + 1) * 65536]
    try:
        os.pwrite(fd, buf, i * 65536)
    except OSError:
        break
    out.write("%d\n" % i)
    out.flush()
PY
}
check_acked() {
	local i
	for i in $(sort -un "$BS_DIR/acked"); do
		cmp <(dd if="$dev" bs=64k skip="$i" count=1 iflag=direct status=none) \
		    <(dd if="$BS_DIR/src" bs=64k skip="$i" count=1 status=none) || return 1
	done
}
cycle_reload() {
	local secs=$1 wpid i
	fio_rc=1 synced=0 same=0
	head -c $SIZE /dev/urandom > "$BS_DIR/src"
	: > "$BS_DIR/acked"
	writer &
	wpid=$!
	# The crash comes once writes are being acknowledged (a slow kernel
	# can take seconds to start the writer).
	kc_wait 60 test -s "$BS_DIR/acked" || t_diag "reload: the writer had no write acknowledged after 60 s"
	sleep "$secs"
	"$KC_TOOL" volume delete vf force || t_diag "reload: the forced delete failed"
	if ! f_wait_gone $wpid 120; then
		t_diag "reload: the writer still runs 120 s after the forced delete"
		f_stuck_diag $wpid
		STUCK=1
		return
	fi
	wait $wpid
	[ -s "$BS_DIR/acked" ] || t_diag "reload: no write was acknowledged"
	kc_unload bs && kc_load bs || { t_diag "reload: the module did not reload"; return; }
	for i in 1 2 3; do bs_target_start $i || t_diag "reload: target $i did not start"; done
	"$KC_TOOL" volume create "${VOL[0]}" replica 10.77.1.2:$BS_PORT replica 10.77.2.2:$BS_PORT \
		replica 10.77.3.2:$BS_PORT "${VOL[@]:2}" > /dev/null || { t_diag "reload: no volume from the metadata"; return; }
	dev=$(bs_disk vf)
	bs_wait_state vf ok 120 && synced=1 || f_kernel_diag
	check_acked && fio_rc=0
	t_diag "reload: $(sort -un "$BS_DIR/acked" | wc -l) blocks acknowledged before the crash"
	[ $synced = 1 ] && bs_same 3 $SIZE && same=1
}

if ! f_long; then
	n=0
	for kind in "${KINDS[@]}"; do
		n=$((n % 3 + 1))
		before=$(crc_seen)
		if [ "$STUCK" = 1 ]; then
			for d in "during fio verify: no I/O or verify error" "in sync again" "replicas identical"; do
				t_skip "$kind: $d" "the volume's I/O hung in an earlier case"
			done
			continue
		fi
		if [ "$kind" = reload ]; then
			cycle_reload 3
			t_eq "module reload with writes in flight: no acknowledged write lost" "$fio_rc" 0
			t_eq "module reload: the volume is in sync again" "$synced" 1
			t_eq "module reload: replicas identical" "$same" 1
			continue
		fi
		# 3 s of fault, longer on a slow kernel (KCLOUD_TIMEOUT_SCALE), so
		# that the corrupted frames are enough to be seen.
		cycle "$kind" $n $((3 * ${KCLOUD_TIMEOUT_SCALE:-1}))
		t_eq "$kind of target $n during fio verify: no I/O or verify error" "$fio_rc" 0
		t_eq "$kind of target $n: the volume is in sync again" "$synced" 1
		t_eq "$kind of target $n: replicas identical, the disk reads them" "$same" 1
		[ "$kind" = corrupt ] && flips=$(($(crc_seen) - before))
	done
	if has_corrupt; then
		t_diag "corrupted frames: ${flips:-?} crc errors and retries counted"
		t_check "corrupted frames were caught (crc errors or retries counted)" test "${flips:-0}" -gt 0
	fi
else
	for ((c = 1; c <= F_CYCLES; c++)); do
		kind=${KINDS[$(f_rand ${#KINDS[@]})]}
		n=$(($(f_rand 3) + 1))
		secs=$(($(f_rand 6) + 1))
		t_diag "cycle $c: $kind of target $n for ${secs}s"
		if [ "$kind" = reload ]; then
			cycle_reload "$secs"
		else
			cycle "$kind" $n $secs
		fi
		what="cycle $c ($kind of target $n for ${secs}s)"
		[ "$fio_rc" = 0 ] || f_fail fio "$what"
		[ "$synced" = 1 ] || f_fail sync "$what"
		[ "$same" = 1 ] || f_fail same "$what"
		[ "$synced" = 1 ] || break
	done
	[ "$STUCK" = 1 ] && f_fail fio "I/O hung (see above)"
	f_report fio "$F_CYCLES random faults during fio verify: no I/O or verify error, no acknowledged write lost"
	f_report sync "after each fault the volume is in sync again"
	f_report same "after each fault the replicas are identical and the disk reads them"
fi
t_done
