#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The block store's fault matrix: a fio verify run (crc32c) on a 3-replica
# volume while one target suffers a fault: it dies (its target deleted), is
# cut off (link down), loses packets (netem loss), is slow (netem delay) or
# sends and receives corrupted frames (netem corrupt, and the module's
# fault_flip hook that flips a bit in data frames past the TCP checksum).
# The quorum holds throughout: fio must see no I/O error and no verify
# error; after the fault the volume resyncs, every backing file is the same
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

KINDS=(death partition loss delay corrupt)
if f_long; then
	t_plan 6
	t_diag "seed $F_SEED, $F_CYCLES cycles"
else
	t_plan $((3 + ${#KINDS[@]} * 3 + 1))
fi

SIZE=$((8 << 20))
bs_step "three targets in their namespaces" bs_setup_targets 3 8M
bs_step "a 3-replica volume" bs_volume_create vf 3 size $SIZE region 256K timeout 1500
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
	wait $fpid
	fio_rc=$?
	[ "$fio_rc" = 0 ] || t_diag "$(tail -n 15 "$BS_DIR/fio.out")"
	synced=0 same=0
	bs_wait_state vf ok 120 && synced=1
	[ $synced = 1 ] && bs_same 3 $SIZE && same=1
	# What the disk reads is what the replicas hold: no acknowledged
	# write lost, none half-applied.
	[ $same = 1 ] && { dd if="$dev" bs=1M count=$((SIZE >> 20)) iflag=direct status=none |
		cmp -s - <(head -c $SIZE "$BS_DIR/t1.img"); } || same=0
}

if ! f_long; then
	n=0
	for kind in "${KINDS[@]}"; do
		n=$((n % 3 + 1))
		before=$(crc_seen)
		cycle "$kind" $n 3
		t_eq "$kind of target $n during fio verify: no I/O or verify error" "$fio_rc" 0
		t_eq "$kind of target $n: the volume is in sync again" "$synced" 1
		t_eq "$kind of target $n: replicas identical, the disk reads them" "$same" 1
		[ "$kind" = corrupt ] && flips=$(($(crc_seen) - before))
	done
	t_diag "corrupted frames: $flips crc errors and retries counted"
	t_check "corrupted frames were caught (crc errors or retries counted)" test "${flips:-0}" -gt 0
else
	for ((c = 1; c <= F_CYCLES; c++)); do
		kind=${KINDS[$(f_rand ${#KINDS[@]})]}
		n=$(($(f_rand 3) + 1))
		secs=$(($(f_rand 6) + 1))
		t_diag "cycle $c: $kind of target $n for ${secs}s"
		cycle "$kind" $n $secs
		what="cycle $c ($kind of target $n for ${secs}s)"
		[ "$fio_rc" = 0 ] || f_fail fio "$what"
		[ "$synced" = 1 ] || f_fail sync "$what"
		[ "$same" = 1 ] || f_fail same "$what"
		[ "$synced" = 1 ] || break
	done
	f_report fio "$F_CYCLES random faults during fio verify: no I/O or verify error"
	f_report sync "after each fault the volume is in sync again"
	f_report same "after each fault the replicas are identical and the disk reads them"
fi
t_done
