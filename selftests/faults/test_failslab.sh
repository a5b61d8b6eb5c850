#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# failslab (and fail_page_alloc) on the allocations made through kcloud's
# modules, where the kernel has fault injection (the debug kernel of make
# check-debug): netlink commands of the VPC and the block store, TCP
# through the switch and a fio verify run on a 3-replica volume, with a
# share of their tasks' allocations failing. Errors must be clean: a
# command fails with a message, I/O fails or not but never returns wrong
# data, nothing crashes (run.sh fails on any splat and, on the debug
# kernel, on kmemleak reports), and once failslab is off everything works
# again: the volume resyncs to identical replicas, the guests reach each
# other, the VPC module unloads and loads.
. "$(dirname "$0")/../vpc/vpc_lib.sh"
. "$(dirname "$0")/../blockstore/bs_lib.sh"
. "$(dirname "$0")/faults_lib.sh"
. "$(dirname "$0")/mem_lib.sh"
mem_require
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs debugfs $DBG 2>/dev/null

# The failing tasks run in a root of their own on a tmpfs (f_failroot): on
# the 9p root of the test VMs a failed allocation in the 9p client would
# break every exec in the guest after it.
[ -d $DBG/failslab ] && [ -e /proc/self/make-it-fail ] ||
	t_skip_all "the kernel has no failslab (CONFIG_FAILSLAB, FAULT_INJECTION_DEBUG_FS; make check-debug has it)"
command -v chroot >/dev/null || t_skip_all "no chroot(1)"
FR=/tmp/kcf-root.$$
f_failroot $FR "$KC_TOOL" timeout iperf3 fio ||
	t_skip_all "cannot build the tmpfs root of the failing tasks"
t_plan 12
mem_setup

# ---- failslab on kcloud's allocations ---------------------------------------
# fail_on PERCENT [slab]: fail that share of the slab and page allocations (or
# only the slab ones), sleeping
# or not, of the tasks marked make-it-fail (x86_64 has no stack trace filter to
# narrow it to kcloud's code: the commands and the I/O submitted are what
# reach kcloud's allocations; softirq work is never failed).
fail_on() {
	local d
	for d in failslab fail_page_alloc; do
		[ -d "$DBG/$d" ] || continue
		[ "${2:-}" = slab ] && [ $d = fail_page_alloc ] && continue
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

# nl_failing NS FILE: the kcloud commands of FILE (a line each) in one
# `kcloud -batch - -force` from the tmpfs root, in namespace NS (- here),
# with make-it-fail turned on for it once it waits for them: its own start
# is spared, the allocations its commands make in the kernel are not.
# Prints what came of them; fails on a command that failed without a
# message (the extack, or the errno, must reach the user).
nl_failing() {
	local ns=$1 file=$2 pid i rc n failed silent nomem
	local err=$FR/out/nl.err fifo=$FR/out/cmds
	rm -f "$fifo" && mkfifo "$fifo" || return 1
	if [ "$ns" = - ]; then
		chroot "$FR" "$KC_TOOL" -batch /out/cmds -force > /dev/null 2> "$err" &
	else
		ip netns exec "$ns" chroot "$FR" "$KC_TOOL" -batch /out/cmds -force > /dev/null 2> "$err" &
	fi
	pid=$!
	# Until it is kcloud, blocked opening the FIFO (or 5 s after it is).
	for ((i = 0; i < 300; i++)); do
		if [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */kcloud ]]; then
			grep -q wait_for_partner "/proc/$pid/wchan" 2>/dev/null && break
			n=${n:-$i}
			[ $((i - n)) -ge 50 ] && break
		fi
		sleep 0.1
	done
	echo 1 > "/proc/$pid/make-it-fail"
	cat "$file" > "$fifo"
	wait $pid
	rc=$?
	n=$(grep -c . "$file")
	failed=$(grep -c '^kcloud: command failed' "$err")
	# A failure is silent when no message came before its "command failed".
	silent=$(awk 'BEGIN { last = 1 } /^kcloud: command failed/ { s += last; last = 1; next }
		{ last = 0 } END { print s + 0 }' "$err")
	nomem=$(grep -v '^kcloud: command failed' "$err" | grep -ciE 'memory|buffer space')
	echo "$n commands: $failed failed with a message, $nomem of them out of memory," \
		"$silent silent; the tool exited $rc"
	[ "$silent" = 0 ] || { grep -B2 -m3 '^kcloud: command failed' "$err"; return 1; }
	# Killed (a failed page allocation in the tool itself) is the kernel's
	# doing, not kcloud's; any other status is kcloud's: 0, 1 or 2.
	[ "$rc" -le 2 ] || [ "$rc" -gt 128 ]
}

# The VPC: subnets and ports of 20 veth pairs made beforehand, 3 % of the
# tool's slab allocations failing (enough that most commands fail somewhere,
# few enough that some get far and must undo what they did) (page allocations spared: a failed page
# fault would kill the tool rather than fail a command).
cmds=$BS_DIR/vpc.cmds
: > "$cmds"
for ((i = 30; i < 50; i++)); do
	ip -n $H link add c$i type veth peer name d$i 2>/dev/null
	echo "subnet add vpc red cidr 10.0.$i.0/24" >> "$cmds"
	echo "port add dev c$i vpc red mac 02:00:00:00:01:$i ip 10.0.1.$i" >> "$cmds"
	echo "port del dev c$i" >> "$cmds"
	echo "subnet del vpc red cidr 10.0.$i.0/24" >> "$cmds"
done
fail_on 3 slab
out=$(nl_failing $H "$cmds")
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
rc=$(iperf_run 6 "" failing)
fail_off
t_diag "iperf3 under failslab on the VPC: exit $rc; drops: $(kch $H -s port show dev pa | grep -o '"drops":{[^}]*}')"
t_ok "failslab on the VPC's datapath under TCP: no crash"
t_check "failslab off: the guests reach each other" kc_wait 10 vpc_ping $A 10.0.1.11

fail_on 5
rc=$(fio_run 8 "" failing)
t_diag "fio under failslab on the block store: exit $rc"
t_check "failslab on the block store: fio never reads wrong data" fio_clean
[ "$rc" = 0 ] || t_diag "$(grep -m3 -i 'err' "$BS_DIR/fio.out")"
# The block store: volumes created (connecting to the test's targets) and
# deleted, snapshots of the test's volume taken and deleted, 3 % of the
# tool's slab allocations failing.
cmds=$BS_DIR/bs.cmds
: > "$cmds"
for ((i = 0; i < 10; i++)); do
	echo "volume create vx$i replica 10.77.1.2:$BS_PORT replica 10.77.2.2:$BS_PORT size 1M" >> "$cmds"
	echo "volume delete vx$i force" >> "$cmds"
	echo "snapshot create sx$i volume vm path $BS_DIR/sx$i.img" >> "$cmds"
	echo "snapshot delete sx$i" >> "$cmds"
done
fail_on 3 slab
out=$(nl_failing - "$cmds")
rc=$?
fail_off
t_diag "block store netlink under failslab: $out"
t_eq "failslab on the block store's netlink: commands fail cleanly" "$rc" 0
for ((i = 0; i < 10; i++)); do
	"$KC_TOOL" volume delete vx$i force >/dev/null 2>&1
	"$KC_TOOL" snapshot delete sx$i >/dev/null 2>&1
	rm -f "$BS_DIR/sx$i.img"
done
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
