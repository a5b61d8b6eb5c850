#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the fuzz tests (sourced after selftests/lib/lib.sh): a mark in
# the kernel log at the start, the splats and kmemleak reports logged since,
# and the closing report line every fuzz test prints.
#
#	fz_start			# mark the kernel log
#	...
#	fz_report "vpc packets" "tried 20000 drops 15000 ..."

# KCLOUD_FUZZ_LONG=1 (make fuzz-long): larger runs, more seeds.
FZ_LONG=${KCLOUD_FUZZ_LONG:-0}
FZ_MARK=

fz_start() {
	FZ_MARK="kcloud-fuzz: $(basename "$0") $$ $(date +%s%N)"
	echo "$FZ_MARK" > /dev/kmsg
}

# fz_splats: the number of splats in the kernel log since fz_start.
fz_splats() {
	dmesg | "$KC_TOP/selftests/vm/splats.sh" - "$FZ_MARK" |
		grep -cE 'Oops:|BUG:|WARNING:|general protection|KASAN:|UBSAN:|KFENCE:|refcount_t:|locking|lock state|RCU usage|double free|use-after-free|corruption|stall|lockup'
}

# fz_leaks: leak reports through kcloud's modules after a kmemleak scan,
# or "n/a" where the kernel has no kmemleak (Debian's has none).
fz_leaks() {
	local kml=/sys/kernel/debug/kmemleak
	if [ ! -w $kml ]; then
		echo n/a
		return
	fi
	echo scan > $kml
	sleep 1
	echo scan > $kml
	grep -A12 'unreferenced object' $kml | grep -c 'kcloud_' || true
}

# fz_report WHAT FIGURES: the closing report line, and a result: no splat
# and no leak since fz_start.
fz_report() {
	local what=$1 figures=$2 splats leaks
	splats=$(fz_splats)
	leaks=$(fz_leaks)
	echo "# FUZZ REPORT $what: $figures splats $splats leaks $leaks (test ran ${SECONDS}s)"
	if [ "$splats" = 0 ] && { [ "$leaks" = 0 ] || [ "$leaks" = n/a ]; }; then
		t_ok "$what: no splat, no leak (kmemleak: $leaks)"
	else
		t_notok "$what: $splats splats, $leaks leaks since the start of the test"
		t_diag "$(dmesg | "$KC_TOP/selftests/vm/splats.sh" - "$FZ_MARK" | head -n 60)"
	fi
}
