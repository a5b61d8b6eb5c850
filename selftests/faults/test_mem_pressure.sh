#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory pressure on the core cases: TCP (iperf3) through the VPC switch and
# a fio verify run on a 3-replica volume, with the traffic generators in a
# small memory cgroup (memory.max), first one they fit in, then one that
# bites (reclaim, the OOM killer). Whatever the generators suffer, the
# switch and the volume are unharmed: no verify error ever, the guests
# reach each other after, the replicas are identical. test_failslab.sh
# fails kcloud's own allocations.
. "$(dirname "$0")/../vpc/vpc_lib.sh"
. "$(dirname "$0")/../blockstore/bs_lib.sh"
. "$(dirname "$0")/faults_lib.sh"
. "$(dirname "$0")/mem_lib.sh"
mem_require

t_plan 8
mem_setup
CG=$(f_cgroup "kcf-mem-$$" 24M)
t_defer "rmdir $CG"

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
t_done
