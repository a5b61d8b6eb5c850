#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for kcloud's shell selftests: TAP output, checks, modules, network
# namespaces. Source it from a test:
#
#	. "$(dirname "$0")/../lib/lib.sh"
#	t_plan 3
#	t_check "the module answers" kc_cmd info
#	...
#	t_done
#
# Each test prints TAP (kselftest style): "ok N desc", "not ok N desc",
# "ok N desc # SKIP reason". t_done exits 1 if anything failed, 4 if all
# were skipped (kselftest's KSFT_SKIP), 0 otherwise.

KC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KC_BUILD=$KC_TOP/build
KC_TOOL=${KC_TOOL:-$KC_BUILD/kcloud}
t_n=0 t_pass=0 t_fail=0 t_skip=0
t_cleanups=()

t_plan() { echo "TAP version 13"; echo "1..$1"; }
t_ok() { t_n=$((t_n + 1)); t_pass=$((t_pass + 1)); echo "ok $t_n $*"; }
t_notok() { t_n=$((t_n + 1)); t_fail=$((t_fail + 1)); echo "not ok $t_n $*"; }
t_skip() { t_n=$((t_n + 1)); t_skip=$((t_skip + 1)); echo "ok $t_n $1 # SKIP $2"; }
t_diag() { sed 's/^/# /' <<< "$*"; }

# t_check DESC CMD...: ok if CMD succeeds; on failure its output is shown.
t_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_ok "$desc"
	else
		t_notok "$desc"
		t_diag "command: $*"
		t_diag "$out"
	fi
}

# t_check_fail DESC CMD...: ok if CMD fails.
t_check_fail() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_notok "$desc"
		t_diag "command succeeded but should have failed: $*"
		t_diag "$out"
	else
		t_ok "$desc"
	fi
}

# t_eq DESC GOT WANT
t_eq() {
	if [ "$2" = "$3" ]; then
		t_ok "$1"
	else
		t_notok "$1"
		t_diag "got '$2', want '$3'"
	fi
}

# Cleanups run at exit, last registered first.
t_defer() { t_cleanups+=("$*"); }
t_run_cleanups() {
	local i
	for ((i = ${#t_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${t_cleanups[i]}" >/dev/null 2>&1
	done
	t_cleanups=()
}
trap t_run_cleanups EXIT

t_done() {
	t_run_cleanups
	echo "# $t_pass passed, $t_fail failed, $t_skip skipped"
	[ "$t_fail" -gt 0 ] && exit 1
	[ "$t_pass" -eq 0 ] && [ "$t_skip" -gt 0 ] && exit 4
	exit 0
}

# Skip the whole test (before any result) with a reason naming what is absent.
t_skip_all() { echo "TAP version 13"; echo "1..0 # SKIP $*"; exit 4; }

# ---- modules --------------------------------------------------------------

# kc_ko NAME: the path of a built module (vpc, bs, meter).
kc_ko() {
	case "$1" in
	vpc) echo "$KC_TOP/kmod/vpc/kcloud_vpc.ko" ;;
	bs) echo "$KC_TOP/kmod/blockstore/kcloud_bs.ko" ;;
	meter) echo "$KC_TOP/kmod/meter/kcloud_meter.ko" ;;
	*) return 1 ;;
	esac
}

kc_loaded() { grep -q "^kcloud_$1 " /proc/modules; }

# kc_load NAME...: load modules from the build tree unless already loaded,
# with the kernel's modules they depend on (insmod does not resolve them).
kc_load() {
	local m ko dep
	for m in "$@"; do
		kc_loaded "$m" && continue
		ko=$(kc_ko "$m") || return 1
		for dep in $(modinfo -F depends "$ko" | tr , ' '); do
			case "$dep" in
			kcloud_*) kc_load "${dep#kcloud_}" || return 1 ;;
			*) modprobe -q "$dep" || return 1 ;;
			esac
		done
		insmod "$ko" || return 1
	done
}

kc_unload() {
	local m
	for m in "$@"; do
		kc_loaded "$m" && { rmmod "kcloud_$m" || return 1; }
	done
	return 0
}

# kc_require_vm: skip unless running where the modules may be loaded.
kc_require_root() { [ "$(id -u)" = 0 ] || t_skip_all "needs root (run in the VM: make check)"; }

# kc CMD...: the kcloud tool.
kc() { "$KC_TOOL" "$@"; }

# ---- network namespaces ----------------------------------------------------

# kc_netns NAME: make a namespace (removed at exit) with lo up.
kc_netns() {
	ip netns add "$1" || return 1
	t_defer "ip netns del $1"
	ip -n "$1" link set lo up
}

# kc_in NS CMD...: run CMD in namespace NS.
kc_in() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# kc_subscribed PID: a generic netlink socket of process PID has joined a
# multicast group, so a monitor started in the background hears what comes
# next. (/proc/net/netlink shows a socket's first 32 groups; a family's
# groups get low ids, so they are among them.)
kc_subscribed() {
	local ino
	ino=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' | xargs)
	[ -n "$ino" ] || return 1
	awk -v ino=" $ino " '$2 == 16 && $4 != "00000000" && index(ino, " " $10 " ") { f = 1 }
		END { exit !f }' "/proc/$1/net/netlink"
}

# kc_wait SECONDS CMD...: retry CMD every 0.1 s until it succeeds, for at most
# SECONDS times KCLOUD_TIMEOUT_SCALE (make check-debug: its kernel is slower).
kc_wait() {
	local end=$((SECONDS + $1 * ${KCLOUD_TIMEOUT_SCALE:-1}))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
