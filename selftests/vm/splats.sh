#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the kernel splats (oops, BUG, WARNING, lockdep, KASAN, UBSAN, hung
# task, refcount, bad page, kmemleak, RCU stall, soft lockup) found in a
# kernel log after the last line that holds MARKER (default "kcloud-vm: command
# start"), or in all of it when there is no such line. Exit 1 when there is
# one, 0 when the log is clean.
# usage: splats.sh LOG [MARKER]   (LOG may be - for standard input)
log=${1:--}
marker=${2:-kcloud-vm: command start}
pat='Oops:|BUG:|WARNING:|\[ cut here \]|general protection fault|Kernel panic|'
pat+='possible recursive locking|possible circular locking|inconsistent lock state|'
pat+='suspicious RCU usage|lock held when returning|KASAN:|UBSAN:|KFENCE:|'
pat+='blocked for more than [0-9]+ seconds|refcount_t:|Bad page|bad page state|'
pat+='unreferenced object|list_add corruption|list_del corruption|'
pat+='rcu_sched self-detected stall|rcu: INFO|soft lockup|hard LOCKUP|'
pat+='leaked [0-9]+ |double free|use-after-free|stack-protector'
found=$(cat -- "$log" 2>/dev/null | tr -d '\r' |
	awk -v m="$marker" 'index($0, m) { buf = ""; on = 1 } index($0, "kcloud-vm: command end") { on = 0 }
		on || !seen { buf = buf $0 "\n" } index($0, m) { seen = 1 } END { printf "%s", buf }' |
	grep -E -A 25 "$pat")
[ -z "$found" ] && exit 0
printf '%s\n' "$found" | head -n 120
exit 1
