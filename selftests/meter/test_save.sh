#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nothing is lost or counted twice over a module reload: `kcloud meter
# save` before, `kcloud meter restore` after the instances are registered
# again. Billed seconds continue (the 60 s minimum is not charged again),
# a tenant's closed bills come back, network totals come back without
# showing up as traffic in the 1 s samples, and a second restore is refused.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"

t_plan 9
F=$(mktemp)
t_defer "rm -f $F"
t_defer "kc meter instance del 501; kc meter instance del 503; kc bill price set"

kc bill price set vcpu-sec 1000 net out internet 1000000000
kc meter instance add 501 name keep tenant s1
kc meter instance add 502 name gone tenant s1
sleep 2.2
kc meter instance del gone
secs_before=$(kc -j meter instance show 501 | jq '.[0].stats.seconds')
t_check "save" bash -c "$KC_TOOL meter save > $F"
t_eq "the saved tenant line" "$(grep '^tenant s1 ' "$F")" "tenant s1 closed 60000"

rmmod kcloud_meter && kc_load meter
kc bill price set vcpu-sec 1000 net out internet 1000000000
kc meter instance add 501 name keep tenant s1
kc meter instance add 503 name moved tenant s2
echo "instance 503 start 1 seconds 100 cpu-user 5 cpu-system 6 mem-peak 7 mem-byte-sec 8 net out internet 1000 3" >> "$F"
t_check "restore" kc meter restore "$F"
secs_after=$(kc -j meter instance show 501 | jq '.[0].stats.seconds')
t_check "billed seconds continue ($secs_before before, $secs_after after)" \
	test "$secs_after" -ge "$secs_before"
t_eq "the tenant's closed bill is back" \
	"$(kc -j bill | jq '.[] | select(.id == null and .tenant == "s1") | .closed_nano')" 60000
t_eq "network totals carried" \
	"$(kc -j meter instance show 503 | jq -c '.[0].stats | [(.net[] | select(.dir == "out" and .class == "internet") | .bytes, .packets), .cpu_user_us >= 5]')" \
	"[1000,3,true]"
t_eq "and billed: 100+ s of vCPU and 1000 bytes at 1 n\$ each" \
	"$(kc -j bill | jq '.[] | select(.id == 503) | .total_nano - .seconds * 1000')" 1000
sleep 2.2
t_eq "no 1 s sample shows the carried traffic" \
	"$(kc -j meter show 503 | jq '[.[].stats.net[] | .bytes] | add')" 0
t_check_fail "a second restore is refused (nothing twice)" kc meter restore "$F"
t_done
