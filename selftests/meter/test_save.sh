#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nothing is lost or counted twice over a module reload: `kcloud meter
# save` before, `kcloud meter restore` after the instances are registered
# again. The 1 s history comes back identical; billed seconds continue (the
# 60 s minimum is not charged again) and the bill after the reload is what
# the saved totals plus the seconds since give, to the nano-dollar (compute
# and a volume's storage); a tenant's closed bills come back; network
# totals come back without showing up as traffic in the 1 s samples; a
# second restore is refused, samples included. Saved 60 s samples come back
# as they were, and 1 s samples of a minute without one make it up; the
# volumes' parts of the samples come back with them.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"

t_plan 21
F=$(mktemp)
H=$(mktemp)
t_defer "rm -f $F $H"
t_defer "kc meter instance del 501; kc meter instance del 503; kc bill price set"

PRICES="vcpu-sec 1000 volume-gb-month 2592000 net out internet 1000000000"
kc bill price set $PRICES
kc meter instance add 501 name keep tenant s1 volume v1 size 1G
kc meter instance add 502 name gone tenant s1
sleep 3.2
kc meter instance del gone
kc -j meter show 501 > "$H"
t_check "save" bash -c "$KC_TOOL meter save > $F"
# What was saved of 501: its seconds and its volume's sector-seconds.
read -r s0 ss0 < <(awk '$1 == "instance" && $2 == 501 {
	for (i = 3; i < NF; i++) { if ($i == "seconds") s = $(i + 1); if ($i == "vol") ss = $(i + 6) }
	print s, ss }' "$F")
last=$(jq '.[-1].time' "$H")
t_eq "the saved tenant line" "$(grep '^tenant s1 ' "$F")" "tenant s1 closed 60000"
t_check "the saved history has the 1 s samples" \
	test "$(grep -c '^sample 501 1 ' "$F")" -ge "$(jq length "$H")" -a "$(jq length "$H")" -ge 2

rmmod kcloud_meter && kc_load meter
kc bill price set $PRICES
# The volume grew: its sector-seconds now grow twice as fast.
kc meter instance add 501 name keep tenant s1 volume v1 size 2G
kc meter instance add 503 name moved tenant s2 volume d1 size 1G
# A past instance's ledger, by hand: totals; the minute M0 as a 60 s sample
# and two of its seconds (covered: not added again); two seconds of the
# minute M1, which has no 60 s sample (they make one up).
now=$(date +%s)
m0=$(( (now / 60 - 3) * 60 ))
m1=$((m0 + 60))
cat >> "$F" <<EOT
instance 503 start 1 seconds 100 cpu-user 5 cpu-system 6 mem-peak 7 mem-byte-sec 8 net out internet 1000 3
sample 503 60 $m0 seconds 60 cpu-user 600 cpu-system 60 mem-peak 4096 mem-byte-sec 245760 blk-write-ops 6 blk-write-bytes 6144 vol d1 0 6 0 6144 0 vol gone 1 1 1024 1024 0 net in vpc 6000 60
sample 503 1 $((m0 + 5)) seconds 1 cpu-user 10 cpu-system 1 mem-peak 4096 mem-byte-sec 4096 blk-write-ops 1 blk-write-bytes 1024 vol d1 0 1 0 1024 0 net in vpc 100 1
sample 503 1 $((m0 + 6)) seconds 1 cpu-user 10 cpu-system 1 mem-peak 4096 mem-byte-sec 4096 blk-write-ops 1 blk-write-bytes 1024 vol d1 0 1 0 1024 0 net in vpc 100 1
sample 503 1 $((m1 + 1)) seconds 1 cpu-user 7 cpu-system 2 mem-peak 8192 mem-byte-sec 8192 blk-read-ops 2 blk-read-bytes 2048 vol d1 2 0 2048 0 0 net in vpc 50 1
sample 503 1 $((m1 + 2)) seconds 1 cpu-user 3 cpu-system 1 mem-peak 4096 mem-byte-sec 4096 blk-read-ops 1 blk-read-bytes 1024 vol d1 1 0 1024 0 0 net in vpc 50 1
EOT
t_check "restore" kc meter restore "$F"

t_eq "the 1 s history before the reload is back, identical" \
	"$(kc -j meter show 501 | jq -c "[.[] | select(.time <= $last)]")" "$(jq -c . "$H")"
t_check "one sample a second, none twice" bash -c \
	"$KC_TOOL -j meter show 501 | jq -e '[.[].time] | length == (unique | length)'"
after=$(kc -j meter instance show 501 | jq -c '.[0].stats | [.seconds, .volumes[0].sector_sec]')
b=$(kc -j bill | jq -c '.[] | select(.id == 501) | [.seconds, .compute_nano, .volume_nano]')
s1=$(jq '.[0]' <<< "$after")
t_check "billed seconds continue ($s0 saved, $s1 after)" test "$s1" -ge "$s0"
# 1 GiB is 2097152 sectors, 2 GiB 4194304; 2592000 n$ per GB-month is 1 n$ per
# GB-second. Saved ones counted twice would not fit.
t_eq "the volume's sector-seconds: saved + since at its new size" "$(jq '.[1]' <<< "$after")" \
	"$((ss0 + 4194304 * (s1 - s0)))"
# The bill was read a moment later: a second or two may have closed since.
bill_at() { local s=$1 ss=$((ss0 + 4194304 * ($1 - s0))) m=$(( $1 > 60 ? $1 : 60 ));
	echo "[$m,$((m * 1000)),$((ss * 2592000 / 5062500000000))]"; }
want=""
for s in $s1 $((s1 + 1)) $((s1 + 2)) $((s1 + 3)); do
	[ "$(bill_at "$s")" = "$b" ] && want=$b
done
t_eq "the bill: 60 s minimum, seconds, storage, to the nano-dollar" "$b" "${want:-$(bill_at "$s1")}"
t_eq "the tenant's closed bill is back" \
	"$(kc -j bill | jq '.[] | select(.id == null and .tenant == "s1") | .closed_nano')" 60000
t_eq "network totals carried" \
	"$(kc -j meter instance show 503 | jq -c '.[0].stats | [(.net[] | select(.dir == "out" and .class == "internet") | .bytes, .packets), .cpu_user_us >= 5]')" \
	"[1000,3,true]"
t_eq "and billed: 100+ s of vCPU and 1000 bytes at 1 n\$ each (besides its volume)" \
	"$(kc -j bill | jq '.[] | select(.id == 503) | .total_nano - .seconds * 1000 - .volume_nano')" 1000
sample() { kc -j meter show 503 resolution "$1" |
	jq -c ".[] | select(.time == $2) | .stats | [.seconds, .cpu_user_us, .blk_write_bytes, (.net[] | select(.dir == \"in\" and .class == \"vpc\") | .bytes)]"; }
t_eq "a saved 60 s sample comes back as it was" "$(sample 60 "$m0")" "[60,600,6144,6000]"
t_eq "its seconds are back too" "$(sample 1 $((m0 + 5)))" "[1,10,1024,100]"
t_eq "seconds of a minute without a 60 s sample make one up" "$(sample 60 "$m1")" "[2,10,0,100]"
vsample() { kc -j meter show 503 resolution "$1" |
	jq -c ".[] | select(.time == $2) | [.stats.volumes[] | [.name, .read_ops, .write_ops, .read_bytes, .write_bytes]]"; }
t_eq "a saved 60 s sample's volume comes back; a volume not listed is left out" \
	"$(vsample 60 "$m0")" '[["d1",0,6,0,6144]]'
t_eq "so do its seconds'" "$(vsample 1 $((m0 + 5)))" '[["d1",0,1,0,1024]]'
t_eq "and its seconds make up its part of the minute" "$(vsample 60 "$m1")" '[["d1",3,0,3072,0]]'
sleep 2.2
t_eq "no 1 s sample since shows the carried traffic" \
	"$(kc -j meter show 503 since 3 | jq '[.[].stats.net[] | .bytes] | add')" 0
echo "sample 503 1 $((m1 + 3)) seconds 1 cpu-user 1 vol d1 0 1 0 1024 0 vol d1 0 1 0 1024 0" > "$H"
out=$(kc meter restore "$H" 2>&1)
rc=$?
t_diag "restore: $out"
t_eq "a sample with a volume twice is refused: nothing of it is imported" \
	"$([ "$rc" -ne 0 ] && echo refused) $(kc -j meter show 503 | jq "[.[] | select(.time == $((m1 + 3)))] | length")" \
	"refused 0"
t_check_fail "a second restore is refused (nothing twice)" kc meter restore "$F"
t_eq "and changed nothing" "$(sample 60 "$m0")" "[60,600,6144,6000]"
t_done
