#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory pressure on the core cases: TCP (iperf3) through the VPC switch and
# a fio verify run on a 3-replica volume, first with the traffic generators
# in a small memory cgroup (memory.max), then with failslab (and
# fail_page_alloc) failing allocations made through kcloud's modules, where
# the kernel has fault injection (the debug kernel of make check-debug).
# Errors must be clean: commands fail with an error, I/O fails or not but
# never returns wrong data, nothing crashes (run.sh fails on any splat and,
# on the debug kernel, on kmemleak reports), and once the pressure is gone
# everything works again: the volume resyncs to identical replicas, the
# guests reach each other.
. "$(dirname "$0")/../vpc/vpc_lib.sh"
. "$(dirname "$0")/../blockstore/bs_lib.sh"
. "$(dirname "$0")/faults_lib.sh"
kc_require_root
command -v fio >/dev/null || t_skip_all "fio is not installed"
command -v iperf3 >/dev/null || t_skip_all "iperf3 is not installed"
kc_load vpc bs || t_skip_all "the modules do not load"
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs debugfs $DBG 2>/dev/null

t_plan 18
# ---- the two setups ---------------------------------------------------------
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
t_check "a VPC with two guests" vpc_setup
SIZE=$((16 << 20))
bs_step "a 3-replica volume over three targets" \
	eval 'bs_setup_targets 3 16M && bs_volume_create vm 3 size $SIZE region 256K timeout 1500'
bs_wait_state vm ok 30
dev=$(bs_disk vm)
[ -b "$dev" ] || { t_diag "no disk for the volume"; t_done; }

CG=$(f_cgroup "kcf-mem-$$" 24M)
t_defer "rmdir $CG"

# iperf_run SECONDS [CGROUP] [WRAPPER] [IPERF3 ARGS]: TCP from a to b;
# prints iperf3's exit code.
iperf_run() {
	local secs=$1
	local cg=${2:-} w=${3:-}
	shift 3 2>/dev/null || shift $#
	ip netns exec $B iperf3 -s -D -1 -p 5220 -I /tmp/kcf-is.$$ >/dev/null 2>&1
	kc_wait 5 ip netns exec $B ss -ltn 'sport = :5220'
	if [ -n "$cg" ]; then
		f_in_cgroup "$cg" ip netns exec $A timeout 60 iperf3 -c 10.0.1.11 -p 5220 -t "$secs" "$@" > /dev/null 2>&1
	else
		# shellcheck disable=SC2086
		ip netns exec $A $w timeout 60 iperf3 -c 10.0.1.11 -p 5220 -t "$secs" "$@" > /dev/null 2>&1
	fi
	echo $?
	[ -s /tmp/kcf-is.$$ ] && kill "$(cat /tmp/kcf-is.$$)" 2>/dev/null
	rm -f /tmp/kcf-is.$$
}

# fio_run SECONDS [CGROUP | "" failing]: a verify run, in CGROUP or with its
# allocations failing (from the tmpfs root); prints fio's exit code and
# keeps its output in $BS_DIR/fio.out.
fio_run() {
	local cg=${2:-} how=${3:-} job rc
	job=(fio --name=m --filename="$dev" --direct=1 --ioengine=libaio --iodepth=16
		--rw=randwrite --bs=16k --size="$SIZE" --time_based --runtime="$1"
		--verify=crc32c --verify_fatal=1 --verify_backlog=64 --randrepeat=0
		--eta=never)
	if [ -n "$cg" ]; then
		f_in_cgroup "$cg" "${job[@]}" --output="$BS_DIR/fio.out"
		rc=$?
	elif [ "$how" = failing ]; then
		rm -f "$FR/out/fio.out"
		f_failing "${job[@]}" --output=/out/fio.out
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

# ---- memory cgroup ----------------------------------------------------------
rc=$(iperf_run 4 "$CG")
t_diag "iperf3 in memory.max 24M: exit $rc, $(cat "$CG/memory.events" | tr '\n' ' ')"
t_eq "TCP through the switch from a 24M memory cgroup completes" "$rc" 0
rc=$(fio_run 6 "$CG")
t_diag "fio in memory.max 24M: exit $rc"
t_eq "fio verify from a 24M memory cgroup: no I/O or verify error" "$rc" 0
[ "$rc" = 0 ] || t_diag "$(tail -n 12 "$BS_DIR/fio.out")"
# A limit that bites: reclaim or the OOM killer in the cgroup, whatever the
# generators do then, the switch and the volume are unharmed.
echo 6M > "$CG/memory.max"
rc=$(iperf_run 3 "$CG" "" -w 2M -P 2)
rc2=$(fio_run 4 "$CG")
ev=$(tr '\n' ' ' < "$CG/memory.events")
t_diag "in memory.max 6M: iperf3 exit $rc, fio exit $rc2; $ev"
t_check "the 6M limit was hit (memory.events max or oom)" \
	awk '$1 == "max" && $2 > 0 { hit = 1 } $1 == "oom" && $2 > 0 { hit = 1 } END { exit !hit }' "$CG/memory.events"
t_check "fio in 6M: no verify error, whatever else" fio_clean
t_check "the guests still reach each other" vpc_ping $A 10.0.1.11
t_check "the volume is in sync, replicas identical" resynced

# ---- failslab on kcloud's allocations ---------------------------------------
# The failing tasks run in a root of their own on a tmpfs (f_failroot): on
# the 9p root of the test VMs a failed allocation in the 9p client would
# break every exec in the guest after it.
why=""
if [ ! -d $DBG/failslab ] || [ ! -e /proc/self/make-it-fail ]; then
	why="the kernel has no failslab (CONFIG_FAILSLAB, FAULT_INJECTION_DEBUG_FS; make check-debug has it)"
elif ! command -v chroot >/dev/null; then
	why="no chroot(1)"
fi
FR=/tmp/kcf-root.$$
if [ -z "$why" ] && ! f_failroot $FR "$KC_TOOL" timeout iperf3 fio; then
	why="cannot build the tmpfs root of the failing tasks"
fi
if [ -n "$why" ]; then
	for d in "failslab on the VPC's netlink: commands fail cleanly" \
		"failslab on the VPC's datapath under TCP: no crash" \
		"failslab off: the guests reach each other" \
		"failslab on the block store: fio never reads wrong data" \
		"failslab on the block store's netlink: commands fail cleanly" \
		"failslab off: the volume resyncs to identical replicas" \
		"failslab off: a new fio verify run works" \
		"failslab off: the VPC module unloads and loads again" \
		"failslab off: the switch works again after a reload" \
		"failslab: failures were injected"; do
		t_skip "$d" "$why"
	done
	t_done
fi
FAIL=(chroot $FR /kcf-fail)

# fail_on PERCENT: fail that share of the slab and page allocations, sleeping
# or not, of the tasks run by f_failing (x86_64 has no stack trace filter to
# narrow it to kcloud's code: the commands and the I/O submitted are what
# reach kcloud's allocations; softirq work is never failed).
fail_on() {
	local d
	for d in failslab fail_page_alloc; do
		[ -d "$DBG/$d" ] || continue
		echo 0 > "$DBG/$d/probability"
		echo Y > "$DBG/$d/task-filter"
		echo N > "$DBG/$d/ignore-gfp-wait"
		echo $FTIMES > "$DBG/$d/times"
		echo 1 > "$DBG/$d/interval"
		echo 0 > "$DBG/$d/space"
		echo 0 > "$DBG/$d/verbose"
		echo "$1" > "$DBG/$d/probability"
	done
	[ -e $DBG/fail_page_alloc/ignore-gfp-highmem ] && echo N > $DBG/fail_page_alloc/ignore-gfp-highmem
	return 0
}
# f_failing CMD...: CMD, from the tmpfs root, with its allocations subject
# to fail_on.
f_failing() { "${FAIL[@]}" "$@"; }
fail_off() {
	local d
	for d in failslab fail_page_alloc; do
		[ -d "$DBG/$d" ] && echo 0 > "$DBG/$d/probability"
	done
	injected
	return 0
}
t_defer fail_off
# times counts down as failures are injected.
FTIMES=1000000 INJECTED=0
injected() {
	local d left
	for d in failslab fail_page_alloc; do
		left=$(cat "$DBG/$d/times" 2>/dev/null) || continue
		INJECTED=$((INJECTED + FTIMES - left))
		echo $FTIMES > "$DBG/$d/times"
	done
}

# Netlink commands that allocate, half of their allocations failing.
nl_churn() {
	local i ok=0 bad=0 killed=0 out rc
	for ((i = 30; i < 50; i++)); do
		ip -n $H link add c$i type veth peer name d$i 2>/dev/null
		for cmd in "subnet add vpc red cidr 10.0.$i.0/24" \
			"port add dev c$i vpc red mac 02:00:00:00:01:$i ip 10.0.1.$i" \
			"port del dev c$i" "subnet del vpc red cidr 10.0.$i.0/24"; do
			# shellcheck disable=SC2086
			out=$(ip netns exec $H "${FAIL[@]}" "$KC_TOOL" $cmd 2>&1)
			rc=$?
			if [ $rc = 0 ]; then
				ok=$((ok + 1))
			elif [ -n "$out" ]; then
				bad=$((bad + 1))
			elif [ $rc -gt 128 ]; then
				# A failed page fault (fail_page_alloc) kills
				# the tool itself: the kernel's doing, not kcloud's.
				killed=$((killed + 1))
			else
				echo "silent failure: $cmd"
				return 1
			fi
		done
		ip -n $H link del c$i 2>/dev/null
	done
	echo "$ok succeeded, $bad failed with a message, $killed killed"
}
fail_on 10
out=$(nl_churn)
rc=$?
fail_off
for ((i = 30; i < 50; i++)); do
	kch $H port del dev c$i > /dev/null 2>&1
	kch $H subnet del vpc red cidr 10.0.$i.0/24 > /dev/null 2>&1
	ip -n $H link del c$i 2>/dev/null
done
t_diag "VPC netlink under failslab: $out"
t_eq "failslab on the VPC's netlink: commands fail cleanly" "$rc" 0
fail_on 5
rc=$(iperf_run 4 "" "${FAIL[*]}")
fail_off
t_diag "iperf3 under failslab on the VPC: exit $rc; drops: $(kch $H -s port show dev pa | grep -o '"drops":{[^}]*}')"
t_ok "failslab on the VPC's datapath under TCP: no crash"
t_check "failslab off: the guests reach each other" kc_wait 10 vpc_ping $A 10.0.1.11

fail_on 5
rc=$(fio_run 6 "" failing)
t_diag "fio under failslab on the block store: exit $rc"
t_check "failslab on the block store: fio never reads wrong data" fio_clean
[ "$rc" = 0 ] || t_diag "$(grep -m3 -i 'err' "$BS_DIR/fio.out")"
bs_nl() {
	local i ok=0 bad=0 killed=0 out rc
	for ((i = 0; i < 10; i++)); do
		out=$(f_failing "$KC_TOOL" volume create vx$i replica 10.77.1.2:$BS_PORT replica 10.77.2.2:$BS_PORT size 1M 2>&1)
		rc=$?
		if [ $rc = 0 ]; then
			ok=$((ok + 1))
			"$KC_TOOL" volume delete vx$i >/dev/null 2>&1 || "$KC_TOOL" volume delete vx$i force >/dev/null 2>&1
		elif [ -n "$out" ]; then
			bad=$((bad + 1))
		elif [ $rc -gt 128 ]; then
			killed=$((killed + 1))
		else
			echo "silent failure: volume create vx$i"
			return 1
		fi
	done
	echo "$ok succeeded, $bad failed with a message, $killed killed"
}
fail_on 10
out=$(bs_nl)
rc=$?
fail_off
t_diag "block store netlink under failslab: $out"
t_eq "failslab on the block store's netlink: commands fail cleanly" "$rc" 0
for ((i = 0; i < 10; i++)); do "$KC_TOOL" volume delete vx$i force >/dev/null 2>&1; done
t_check "failslab off: the volume resyncs to identical replicas" resynced
rc=$(fio_run 3)
t_eq "failslab off: a new fio verify run works" "$rc" 0
reload() {
	kch $H vpc del red >/dev/null 2>&1
	kc_unload vpc && kc_load vpc
}
t_diag "failslab and fail_page_alloc: $INJECTED allocations failed"
t_check "failslab: failures were injected" test "$INJECTED" -gt 0
t_check "failslab off: the VPC module unloads and loads again" reload
t_check "failslab off: the switch works again after a reload" \
	eval 'kch $H vpc add red vni 100 cidr 10.0.0.0/16 && kch $H subnet add vpc red cidr 10.0.1.0/24 &&
	kch $H port add dev pa vpc red mac $MA ip 10.0.1.10 && kch $H port add dev pb vpc red mac $MB ip 10.0.1.11 &&
	kc_wait 10 vpc_ping $A 10.0.1.11'
t_done
