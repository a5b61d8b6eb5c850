#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the fault-injection tests (sourced after selftests/lib/lib.sh).
#
# A run is bounded (make check: every fault once, in a fixed order) unless
# KCLOUD_FAULTS_CYCLES=N asks for N randomized cycles (make faults-long).
# The cycles draw from KCLOUD_FAULTS_SEED (default: the test's PID), printed
# first, so that a failing run replays with the same seed and cycle count.

F_CYCLES=${KCLOUD_FAULTS_CYCLES:-0}
F_SEED=${KCLOUD_FAULTS_SEED:-$$}
RANDOM=$F_SEED

# f_rand N: a number in 0..N-1 from the seeded sequence.
f_rand() { echo $((RANDOM % $1)); }

# f_long: true in a randomized (long) run.
f_long() { [ "$F_CYCLES" -gt 0 ]; }

# f_tally NAME BAD DESC: one TAP line for a check made on every cycle of a
# long run; BAD is how many cycles failed it, the first ones in f_bad_NAME.
declare -A f_bad_count f_bad_first
f_fail() {
	f_bad_count[$1]=$((${f_bad_count[$1]:-0} + 1))
	[ -n "${f_bad_first[$1]:-}" ] || f_bad_first[$1]=$2
}
f_report() {
	local name=$1 desc=$2
	if [ "${f_bad_count[$name]:-0}" = 0 ]; then
		t_ok "$desc"
	else
		t_notok "$desc"
		t_diag "${f_bad_count[$name]} of $F_CYCLES cycles failed; first: ${f_bad_first[$name]}"
		t_diag "replay: KCLOUD_FAULTS_SEED=$F_SEED KCLOUD_FAULTS_CYCLES=$F_CYCLES"
	fi
}

# f_netem_set DEV NS ARGS...: netem ARGS on DEV (in namespace NS, or here
# for NS "-"), replacing its root qdisc.
f_netem_set() {
	local dev=$1 ns=$2
	shift 2
	if [ "$ns" = - ]; then
		tc qdisc replace dev "$dev" root netem "$@"
	else
		ip netns exec "$ns" tc qdisc replace dev "$dev" root netem "$@"
	fi
}

f_netem_clear() {
	if [ "$2" = - ]; then
		tc qdisc del dev "$1" root 2>/dev/null
	else
		ip netns exec "$2" tc qdisc del dev "$1" root 2>/dev/null
	fi
	return 0
}

# f_cgroup NAME MAX: a child cgroup (removed at exit) with memory.max MAX
# and swap off; prints its path.
f_cgroup() {
	local cg=/sys/fs/cgroup/$1
	mkdir -p "$cg" || return 1
	echo "$2" > "$cg/memory.max" || return 1
	[ -e "$cg/memory.swap.max" ] && echo 0 > "$cg/memory.swap.max"
	echo "$cg"
}

# f_in_cgroup CG CMD...: run CMD inside cgroup CG.
f_in_cgroup() {
	local cg=$1
	shift
	bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

# f_wait_gone PID SECONDS: wait until process PID has ended.
f_wait_gone() {
	local end=$((SECONDS + $2 * ${KCLOUD_TIMEOUT_SCALE:-1}))
	while kill -0 "$1" 2>/dev/null; do
		[ $SECONDS -ge "$end" ] && return 1
		sleep 0.5
	done
}

# f_stuck_diag PID: what a hung process and the kernel are waiting for.
f_stuck_diag() {
	local t
	for t in /proc/"$1"/task/* $(pgrep -P "$1" | sed 's|^|/proc/|'); do
		t_diag "$t: $(cat "$t/wchan" 2>/dev/null) $(tr '\n' ' ' < "$t/stack" 2>/dev/null)"
	done
	f_kernel_diag
}

# f_kernel_diag: the volumes with their statistics, where the block store's
# workers are, and the blocked tasks (sysrq w: into the kernel log, not a
# splat).
f_kernel_diag() {
	local p comm
	t_diag "$("$KC_TOOL" -s volume show 2>&1 | head -c 4000)"
	for p in /proc/[0-9]*; do
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		[[ $comm == *kcbs* ]] &&
			t_diag "$p ($comm): $(tr '\n' ' ' < "$p/stack" 2>/dev/null)"
	done
	[ -w /proc/sysrq-trigger ] && echo w > /proc/sysrq-trigger
	t_diag "$(dmesg | tail -n 80)"
}

# f_failroot DIR CMD...: a root file system of its own, in a tmpfs mounted
# at DIR (unmounted at exit), for the tasks whose allocations failslab
# fails: the commands CMD (names or paths) and
# the libraries they link, /proc and /dev. On a 9p root (the test VMs,
# virtme-ng) an allocation that fails inside the 9p client leaves it failing
# every exec after it, in the whole guest; a task in this root touches no
# 9p file once it fails allocations. Start a command with chroot DIR CMD,
# then turn make-it-fail on for it with f_fail_pids (its exec is spared).
# Files the commands write go to DIR/out.
f_failroot() {
	local r=$1 c f l
	shift
	mkdir -p "$r" && mount -t tmpfs -o mode=0755 tmpfs "$r" || return 1
	t_defer "umount -l '$r'; rmdir '$r'"
	# The merged /usr's links (/lib -> usr/lib ...), with their targets.
	for l in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$l" ] || continue
		f=$(readlink "/$l")
		case "$f" in /*) mkdir -p "$r$f" ;; *) mkdir -p "$r/$f" ;; esac
		ln -s "$f" "$r/$l" || return 1
	done
	for c in "$@"; do
		c=$(command -v "$c") || { t_diag "f_failroot: no $c"; return 1; }
		# The binary and every library ldd names, at the paths the
		# dynamic loader asks for (links followed: the copies are files).
		for f in "$c" $(ldd "$c" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$r$f" ] && continue
			mkdir -p "$r$(dirname "$f")" && cp -L "$f" "$r$f" || return 1
		done
	done
	[ -e /etc/ld.so.cache ] && mkdir -p "$r/etc" && cp /etc/ld.so.cache "$r/etc/"
	mkdir -p "$r/proc" "$r/dev" "$r/out" || return 1
	mount --bind /proc "$r/proc" && mount --bind /dev "$r/dev" || return 1
}

# f_fail_pids NAME: make-it-fail on every thread of the processes called
# NAME that run from the tmpfs root $FR (f_failroot), never on one from the
# real root; prints how many processes.
f_fail_pids() {
	local p t n=0
	for p in $(pgrep -x "$1"); do
		[[ "$(readlink "/proc/$p/exe" 2>/dev/null)" == "$FR"/* ]] || continue
		for t in /proc/"$p"/task/*; do
			echo 1 > "$t/make-it-fail" 2>/dev/null
		done
		n=$((n + 1))
	done
	echo $n
}
