#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kcloud demo, run where the modules load (the VM of `make demo`, or a
# KVM host with `make demo DEMO_ARGS=--host`). Each step says what it does,
# then does it with the kcloud tool; the run ends with a summary.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib/lib.sh"
kc=$KC_TOOL
steps=0 failed=0

step() { steps=$((steps + 1)); printf '\n==> [%d] %s\n' "$steps" "$*"; }
run() {
	printf '    $ %s\n' "$*"
	"$@" 2>&1 | sed 's/^/      /'
	local rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || { failed=$((failed + 1)); printf '    !! failed (exit %d)\n' "$rc"; }
	return "$rc"
}

step "Load the kcloud modules: the VPC switch, the block store and the meter"
for m in meter vpc bs; do
	kc_loaded "$m" || run insmod "$(kc_ko "$m")"
done
run "$kc" info

printf '\n==> summary: %d steps, %d failed\n' "$steps" "$failed"
[ "$failed" = 0 ]
