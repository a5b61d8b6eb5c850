#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Billing (runs about 70 s: EC2's rule needs a minute). Per-second billing
# with a 60 s minimum per instance start: an instance deleted after about
# 30 s is billed 60 s; one that ran 61 s is billed 61 s; amounts are exact
# integers (nano-dollars) from the price table; tenant totals are the sum of
# their instances' bills plus what deleted instances were billed. The 60 s
# ledger samples add up the 1 s ones.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"

t_plan 13
t_defer "kc meter instance del 301; kc meter instance del 303; kc bill price set"

t_check "price table set" kc bill price set vcpu-sec 1000 gib-sec 500 net out internet 90000000
t_eq "price table read back" \
	"$(kc -j bill price show | jq -c '.[0] | [.vcpu_sec, .gib_sec, (.net[] | select(.dir == "out" and .class == "internet") | .gb)]')" \
	"[1000,500,90000000]"
t_check_fail "a price above the maximum is refused" kc bill price set vcpu-sec 2000000000000

kc meter instance add 301 name a tenant t1 vcpus 2 memory 1G
kc meter instance add 302 name b tenant t1 vcpus 1 memory 512M
kc meter instance add 303 name c tenant t2 vcpus 4
sleep 30

bill() { kc -j bill; }
row() { bill | jq -c ".[] | select(.id == $1) | [.seconds, .total_nano]"; }
# b ran about 30 s: billed 60 s = 60 * 1 * 1000 + 60 * 0.5 GiB * 500.
t_eq "30 s run is billed 60 s" "$(row 302)" "[60,75000]"
kc meter instance del b
t_eq "its bill is closed into its tenant" \
	"$(bill | jq '.[] | select(.tenant == "t1" and .id == null) | .closed_nano')" 75000

# Past its 60th second, a is billed exactly the seconds it ran:
# seconds * (2 * 1000 + 1 GiB * 500 / GiB) = seconds * 2500.
r=""
for ((i = 0; i < 120; i++)); do
	r=$(row 301)
	s=$(jq '.[0]' <<< "$r")
	[ -n "$s" ] && [ "$s" -gt 60 ] && break
	sleep 0.2
done
s=$(jq '.[0]' <<< "$r")
t_eq "a run past 60 s is billed its seconds ($s), to the nano-dollar" "$r" "[$s,$((s * 2500))]"
t_check "and that is more than the minimum" test "$s" -ge 61
b=$(bill)
t1=$(jq '[.[] | select(.id != null and .tenant == "t1") | .total_nano] | add' <<< "$b")
t1c=$(jq '.[] | select(.id == null and .tenant == "t1") | .closed_nano' <<< "$b")
t1t=$(jq '.[] | select(.id == null and .tenant == "t1") | .total_nano' <<< "$b")
t_eq "tenant t1 total = its instances + closed" "$t1t" "$((t1 + t1c))"
t2=$(jq '[.[] | select(.id != null and .tenant == "t2") | .total_nano] | add' <<< "$b")
t2t=$(jq '.[] | select(.id == null and .tenant == "t2") | .total_nano' <<< "$b")
t_eq "tenant t2 total = its instance" "$t2t" "$t2"
t_eq "bill for one tenant only" "$(kc -j bill tenant t2 | jq -c '[.[] | .tenant] | unique')" '["t2"]'

# The minute that closed: its 60 s sample adds up its 1 s samples.
m=$(kc -j meter show 301 resolution 60 | jq -c '.[0] | [.time, .stats.seconds]')
t0=$(jq '.[0]' <<< "$m")
if [ -n "$t0" ] && [ "$t0" != null ]; then
	t_ok "a 60 s sample closed after a minute"
	s1=$(kc -j meter show 301 | jq "[.[] | select(.time >= $t0 and .time < $t0 + 60) | .stats.seconds] | add")
	t_eq "its seconds are the sum of its 1 s samples" "$(jq '.[1]' <<< "$m")" "$s1"
else
	t_notok "a 60 s sample closed after a minute"
	t_notok "its seconds are the sum of its 1 s samples"
fi
t_check "every 1 s sample of the last minute is there" bash -c \
	"[ \$($KC_TOOL -j meter show 301 since 60 | jq length) -ge 58 ]"
t_done
