#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The setup the memory pressure tests share (sourced after vpc_lib.sh,
# bs_lib.sh and faults_lib.sh): a VPC with two guests a and b on one host,
# a 3-replica volume over three targets, and the traffic: iperf_run (TCP
# from a to b) and fio_run (a verify run on the volume), each in a memory
# cgroup or with its allocations failing (f_fail_pids, test_failslab.sh).
#
#	mem_require		# root, fio, iperf3, the modules; or skip
#	mem_setup		# two t_check results; the volume's disk in $dev
#
# MEM_BS_ARGS: more arguments for the volume's create (e.g. key-file FILE).
mem_require() {
	kc_require_root
	command -v fio >/dev/null || t_skip_all "fio is not installed"
	command -v iperf3 >/dev/null || t_skip_all "iperf3 is not installed"
	kc_load vpc bs || t_skip_all "the modules do not load"
}

H=${VP}h A=${VP}a B=${VP}b
MA=02:00:00:00:01:0a MB=02:00:00:00:01:0b
vpc_setup() {
	vpc_host $H || return 1
	kch $H vpc add red vni 100 cidr 10.0.0.0/16 &&
	kch $H subnet add vpc red cidr 10.0.1.0/24 || return 1
	t_defer "kch $H vpc del red"
	vpc_guest $H $A pa $MA 10.0.1.10/24 &&
	vpc_guest $H $B pb $MB 10.0.1.11/24 || return 1
	kch $H port add dev pa vpc red mac $MA ip 10.0.1.10 &&
	kch $H port add dev pb vpc red mac $MB ip 10.0.1.11
}
SIZE=$((16 << 20))
dev=""
mem_setup() {
	t_check "a VPC with two guests" vpc_setup
	bs_step "a 3-replica volume over three targets" \
		eval 'bs_setup_targets 3 16M && bs_volume_create vm 3 size $SIZE region 256K timeout 1500 ${MEM_BS_ARGS:-}'
	bs_wait_state vm ok 30
	dev=$(bs_disk vm)
	[ -b "$dev" ] || { t_diag "no disk for the volume"; t_done; }
}

# grown SECONDS MIN CMD...: wait (at most SECONDS, scaled by
# KCLOUD_TIMEOUT_SCALE) until the number CMD prints is MIN more than it was.
grown() {
	local end=$((SECONDS + $1 * ${KCLOUD_TIMEOUT_SCALE:-1})) min=$2 v0 v
	shift 2
	v0=$("$@")
	# By the clock: on a slow kernel one reading can take seconds.
	while [ $SECONDS -lt $end ]; do
		v=$("$@")
		[ $(( ${v:-0} - ${v0:-0} )) -ge "$min" ] && return 0
		sleep 0.1
	done
	return 1
}
# The bytes guest b received; the sectors written to the volume's disk.
b_rx_bytes() {
	ip netns exec $B awk -F'[: ]+' 'NR > 2 && $2 != "lo" { s += $3 } END { print s + 0 }' /proc/net/dev
}
disk_written() { awk -v d="${dev##*/}" '$3 == d { print $10 }' /proc/diskstats; }

# iperf_run SECONDS [CGROUP | "" failing] [IPERF3 ARGS]: TCP from a to b, in
# CGROUP or with its allocations failing once its data flows (from the tmpfs
# root $FR, f_fail_pids: its setup is spared); prints iperf3's exit code.
iperf_run() {
	local secs=$1
	local cg=${2:-} w=${3:-}
	shift 3 2>/dev/null || shift $#
	ip netns exec $B iperf3 -s -D -1 -p 5220 -I /tmp/kcf-is.$$ >/dev/null 2>&1
	kc_wait 5 ip netns exec $B ss -ltn 'sport = :5220'
	local rc pid
	if [ -n "$cg" ]; then
		f_in_cgroup "$cg" ip netns exec $A timeout 60 iperf3 -c 10.0.1.11 -p 5220 -t "$secs" "$@" > /dev/null 2>&1
		rc=$?
	elif [ "$w" = failing ]; then
		ip netns exec $A chroot "$FR" timeout 60 iperf3 -c 10.0.1.11 -p 5220 -t "$secs" "$@" > /dev/null 2>&1 &
		pid=$!
		grown 10 1000000 b_rx_bytes
		f_fail_pids iperf3 > /dev/null
		wait $pid
		rc=$?
	else
		ip netns exec $A timeout 60 iperf3 -c 10.0.1.11 -p 5220 -t "$secs" "$@" > /dev/null 2>&1
		rc=$?
	fi
	echo $rc
	[ -s /tmp/kcf-is.$$ ] && kill "$(cat /tmp/kcf-is.$$)" 2>/dev/null
	rm -f /tmp/kcf-is.$$
}

# fio_run SECONDS [CGROUP | "" failing]: a verify run, in CGROUP or with its
# allocations failing once it writes (from the tmpfs root $FR, f_fail_pids:
# its setup is spared);
# prints fio's exit code and keeps its output in $BS_DIR/fio.out.
fio_run() {
	local cg=${2:-} how=${3:-} job rc pid
	job=(fio --name=m --filename="$dev" --direct=1 --ioengine=libaio --iodepth=16
		--rw=randwrite --bs=16k --size="$SIZE" --time_based --runtime="$1"
		--verify=crc32c --verify_fatal=1 --verify_backlog=64 --randrepeat=0
		--eta=never)
	if [ -n "$cg" ]; then
		f_in_cgroup "$cg" "${job[@]}" --output="$BS_DIR/fio.out"
		rc=$?
	elif [ "$how" = failing ]; then
		rm -f "$FR/out/fio.out"
		chroot "$FR" "${job[@]}" --output=/out/fio.out &
		pid=$!
		grown 10 2048 disk_written
		f_fail_pids fio > /dev/null
		wait $pid
		rc=$?
		cp "$FR/out/fio.out" "$BS_DIR/fio.out" 2>/dev/null || : > "$BS_DIR/fio.out"
	else
		"${job[@]}" --output="$BS_DIR/fio.out"
		rc=$?
	fi
	echo $rc
}

# Only an I/O error is a clean failure: a verify error is lost data.
fio_clean() { ! grep -qE 'verify: bad|bad magic|crc32c: verify failed|verify failed' "$BS_DIR/fio.out"; }

resynced() { bs_wait_state vm ok 120 && bs_same 3 $SIZE; }
