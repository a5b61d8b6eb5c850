#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build everything, lint, boot the VM and run every selftest in
# it. Prints one TAP stream (the build, lint and the VM run are results too)
# and the closing line "N passed, N failed, N skipped"; exits non-zero on any
# failure, a kernel splat in the guest included.
#
# Environment: KCLOUD_CHECK_TESTS="pattern ..." runs only matching tests;
# KCLOUD_VM_TIMEOUT (seconds, default 4500) bounds the VM run. The slow
# tests (nested guests) run unless KCLOUD_SLOW=0 (make check-fast).
set -u
export KCLOUD_SLOW=${KCLOUD_SLOW:-1}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
logs=$top/build/check
mkdir -p "$logs"
n=0 pass=0 fail=0 skip=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
finish() {
	echo "1..$n"
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
	exit
}

# The guest's TAP, numbered on from the host's results, as it comes.
renumber() {
	local line k=$n
	while IFS= read -r line; do
		case "$line" in
		"ok "[0-9]*|"not ok "[0-9]*)
			k=$((k + 1))
			sed -E "s/^(not )?ok [0-9]+/\\1ok $k/" <<< "$line" ;;
		[0-9]*" passed, "*|"TAP version"*) ;;
		1..[0-9]*) [[ "$line" == *SKIP* ]] && echo "# $line" ;;
		*) echo "$line" ;;
		esac
	done
}

echo "TAP version 13"
echo "# kcloud make check: $(date -u '+%F %T') UTC, kernel $(scripts/kver.sh 2>/dev/null)"

# Lint first: its sparse pass relinks the modules, which the build then
# gives their BTF again.
if make -s lint > "$logs/lint.log" 2>&1; then
	ok "lint: checkpatch --strict, sparse (C=2), W=1"
else
	notok "lint: checkpatch --strict, sparse (C=2), W=1"
	grep -v '^make' "$logs/lint.log" | head -n 40 | sed 's/^/# /'
fi

if make -s all > "$logs/build.log" 2>&1; then
	ok "build: modules with BTF, BPF objects, the kcloud tool, selftests"
else
	notok "build: modules with BTF, BPF objects, the kcloud tool, selftests"
	tail -n 40 "$logs/build.log" | sed 's/^/# /'
	finish
fi
# The build itself is W=1: any compiler warning is a failure.
if grep -E 'warning:' "$logs/build.log" > "$logs/build-warnings.log"; then
	notok "build: no compiler warnings"
	head -n 20 "$logs/build-warnings.log" | sed 's/^/# /'
else
	ok "build: no compiler warnings"
fi

vmdir=$top/build/vm/check
rm -rf "$vmdir"
# shellcheck disable=SC2086
selftests/vm/run-vm.sh --rwdir "$vmdir" --timeout "${KCLOUD_VM_TIMEOUT:-4500}" -- \
	selftests/run.sh ${KCLOUD_CHECK_TESTS:-} 2>"$logs/vm.err" | tee "$logs/guest.tap" |
	renumber
vmrc=${PIPESTATUS[0]}
cat "$logs/vm.err" >&2

counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/guest.tap" | tail -n1)
if [ -n "$counts" ]; then
	read -r gp _ gf _ gs _ <<< "${counts//,/}"
	pass=$((pass + gp)) fail=$((fail + gf)) skip=$((skip + ${gs:-0}))
	n=$((n + gp + gf + ${gs:-0}))
fi
if [ "$vmrc" = 0 ]; then
	ok "vm: the guest ran the suite to its end with a clean kernel log"
else
	notok "vm: the guest ran the suite to its end with a clean kernel log (exit $vmrc)"
	"$top/selftests/vm/splats.sh" "$vmdir/console.log" | head -n 60 | sed 's/^/# /'
	echo "# guest console: $vmdir/console.log"
fi
finish
