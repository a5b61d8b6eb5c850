#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Volume storage per GB-month and I/Os per million in the bill, exact
# integers, hand-computed: a 2 GB volume at 7776000 n$ per GB-month
# (2592000 s) costs exactly 6 n$ a second; a 1 GiB one (2097152 sectors)
# costs 2097152 * 7776000 / 5062500000000 n$ a second, truncated once over
# the whole; 10 writes at 7000000 n$ per million cost 70 n$. Compute keeps
# its 60 s minimum, volumes do not have one. The tenant's total is the sum.
# Bad volumes and prices are refused with a reason.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"
command -v losetup >/dev/null || t_skip_all "no losetup"
modprobe loop 2>/dev/null

img=$(mktemp -d)
t_defer "rm -rf $img"
truncate -s 4M "$img/a"
A=$(losetup -f --show "$img/a") || t_skip_all "no loop device"
t_defer "losetup -d $A"
t_plan 15
t_defer "kc meter instance del 801; kc meter instance del 802; kc bill price set"
t_defer "kc meter detach blk $A"

refused() {
	local msg=$1 out
	shift
	out=$("$@" 2>&1) && return 1
	grep -qF "$msg" <<< "$out" || { echo "$out"; return 1; }
}

t_check "prices per GB-month and per million I/Os" \
	kc bill price set vcpu-sec 1000 volume-gb-month 7776000 io-million 7000000
t_eq "read back" "$(kc -j bill price show | jq -c '.[0] | [.vcpu_sec, .volume_gb_month, .io_million]')" \
	"[1000,7776000,7000000]"
t_check "a price above the maximum is refused" refused "kcloud" \
	kc bill price set volume-gb-month 2000000000000
t_check "a size not a multiple of 512 is refused" refused "multiple of 512" \
	kc meter instance add 809 name bad volume x size 1000
t_check "two volumes on one device are refused" refused "two volumes on one device" \
	kc meter instance add 809 name bad volume x blk 7:0 volume y blk 7:0

kc meter instance add 801 name p tenant pt volume data blk "$A" size 2000000000
kc meter instance add 802 name q tenant pt volume scratch size 1G
kc meter attach p blk "$A"
sleep 0.5
dd if=/dev/zero of="$A" bs=4k count=10 oflag=direct status=none
sleep 2.2

# The bill is read between two readings of the instances' seconds, and
# each amount is checked against the seconds it was computed from, which
# lie between the two (a slow kernel can take seconds for the three reads).
s1=$(kc -j meter instance show)
b=$(kc -j bill)
s2=$(kc -j meter instance show)
st() { jq ".[] | select(.id == $1) | .stats.$2" <<< "$s1"; }
st2() { jq ".[] | select(.id == $1) | .stats.$2" <<< "$s2"; }
bl() { jq ".[] | select(.id == $1) | .$2" <<< "$b"; }
wops=$(st 801 'volumes[0].write_ops')
rops=$(st 801 'volumes[0].read_ops')
t_eq "10 writes of 4 KiB are 10 I/Os" "$wops" 10
t_eq "the 2 GB volume was provisioned the instance's $(st 801 seconds) seconds" \
	"$(st 801 'volumes[0].sector_sec')" $((3906250 * $(st 801 seconds)))
# 6 n$ a second: the bill's storage amount gives the seconds it billed.
vp=$(bl 801 volume_nano)
sp=$((vp / 6))
t_check "its storage: 6 n\$ a second ($vp n\$ = $sp s, read between $(st 801 seconds) and $(st2 801 seconds) s)" \
	test $((vp % 6)) = 0 -a "$sp" -ge "$(st 801 seconds)" -a "$sp" -le "$(st2 801 seconds)"
t_eq "its I/Os: 7 n\$ each (reads too: $rops)" "$(bl 801 io_nano)" $((7 * (wops + rops)))
# (A loaded host can make the few seconds of this test more than 60.)
cp=$(( (sp > 60 ? sp : 60) * 1000 ))
t_eq "compute keeps its 60 s minimum ($sp s run)" "$(bl 801 compute_nano)" "$cp"
t_eq "total = compute + storage + I/O" "$(bl 801 total_nano)" $((cp + vp + 7 * (wops + rops)))
# The 1 GiB volume: the seconds between the two readings that give the
# bill's amount, truncated once over the whole.
vq=$(bl 802 volume_nano)
sq=""
for ((s = $(st 802 seconds); s <= $(st2 802 seconds); s++)); do
	[ $((2097152 * s * 7776000 / 5062500000000)) = "$vq" ] && sq=$s && break
done
t_check "the 1 GiB volume: $vq n\$ is 2097152 * seconds * 7776000 / 5062500000000, truncated once (${sq:-no} s)" \
	test -n "$sq"
cq=$(( (${sq:-0} > 60 ? ${sq:-0} : 60) * 1000 ))
t_eq "and no I/O" "$(bl 802 io_nano)" 0
t_eq "the tenant's total is the sum of its instances" \
	"$(jq '.[] | select(.id == null and .tenant == "pt") | .total_nano' <<< "$b")" \
	$((cp + 6 * sp + 7 * (wops + rops) + cq + vq))
t_check "the table shows volume and io" bash -c "$KC_TOOL bill | grep -q 'instance 801 p .* volume 0\.[0-9]\{9\} io 0\.[0-9]\{9\} total'"
t_done
