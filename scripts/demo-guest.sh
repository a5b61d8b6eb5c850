#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kcloud demo, run where the modules load (the VM of `make demo`, or a
# KVM host with `make demo DEMO_ARGS=--host`). Each step says what it does,
# then does it with the kcloud tool; the run ends with a summary.
#
# A VPC with two subnets; three storage hosts (network namespaces joined to
# this one by veth) serving two 3-replica volumes; two instances (real
# guests) on those volumes, one per subnet, which get their addresses by
# DHCP from the switch and ping each other; one writes to its disk while a
# storage host is cut off; the meter's usage and the bill.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib/lib.sh"
trap - EXIT
export KCLOUD_STATE_DIR=${KCLOUD_STATE_DIR:-/tmp/kcloud-demo}
BOOT=${KCLOUD_BOOT_TIMEOUT:-900}
work=/tmp/kcloud-demo-data
steps=0 failed=0
declare -a summary

step() { steps=$((steps + 1)); printf '\n==> [%d] %s\n' "$steps" "$*"; }
note() { printf '    %s\n' "$*"; }
run() {
	printf '    $ kcloud %s\n' "$*"
	kc "$@" 2>&1 | sed 's/^/      /'
	local rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || { failed=$((failed + 1)); printf '    !! failed (exit %d)\n' "$rc"; }
	return "$rc"
}
check() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		summary+=("ok      $what")
	else
		summary+=("FAILED  $what")
		failed=$((failed + 1))
	fi
}
console() { cat "$KCLOUD_STATE_DIR/instances/$1/console.log" 2>/dev/null; }
wait_console() {
	local end=$((SECONDS + BOOT))
	until console "$1" | grep -q "$2"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 2
	done
}
disk_of() { kc -j volume show "$1" | grep -o '"disk":"[^"]*"' | cut -d'"' -f4; }

cleanup() {
	for i in web db; do kc instance terminate "$i" >/dev/null 2>&1; done
	for v in vol-web vol-db; do kc volume delete "$v" >/dev/null 2>&1; done
	for h in 1 2 3; do ip netns del "st$h" 2>/dev/null; done
	for s in $(kc -j subnet show vpc demo 2>/dev/null | grep -o '"id":[0-9]*' | cut -d: -f2); do
		kc subnet del "$s" >/dev/null 2>&1
	done
	kc vpc del demo >/dev/null 2>&1
	rm -rf "$KCLOUD_STATE_DIR" "$work"
}
[ "${KCLOUD_DEMO_KEEP:-0}" = 1 ] || trap cleanup EXIT

step "Load the kcloud modules: the VPC switch, the block store and the meter"
kc_load meter vpc bs || { echo "cannot load the modules"; exit 1; }
run info

step "Create a VPC (10.0.0.0/16, VNI 100) with two subnets"
run vpc add demo vni 100 cidr 10.0.0.0/16
run subnet add vpc demo cidr 10.0.1.0/24 name web-tier
run subnet add vpc demo cidr 10.0.2.0/24 name db-tier
run subnet show vpc demo

step "Start three storage hosts (network namespaces st1..st3 over veth), two replica targets each"
mkdir -p "$work"
for h in 1 2 3; do
	ip netns add "st$h"
	ip link add "kcst$h" type veth peer name eth0 netns "st$h"
	ip addr add "10.99.$h.1/24" dev "kcst$h"
	ip link set "kcst$h" up
	ip -n "st$h" addr add "10.99.$h.2/24" dev eth0
	ip -n "st$h" link set eth0 up
	ip -n "st$h" link set lo up
	for v in web db; do
		truncate -s 128M "$work/st$h-$v.img"
		printf '    $ ip netns exec st%s kcloud target add %s-%s ...\n' "$h" "$v" "$h"
		ip netns exec "st$h" "$KC_TOOL" target add "$v-$h" path "$work/st$h-$v.img" \
			port $((7000 + h * 10 + ${#v})) addr "10.99.$h.2" | sed 's/^/      /'
	done
done

step "Create two volumes, each replicated synchronously to the three storage hosts"
for v in web db; do
	run volume create "vol-$v" size 128M replica "10.99.1.2:$((7010 + ${#v}))" \
		replica "10.99.2.2:$((7020 + ${#v}))" replica "10.99.3.2:$((7030 + ${#v}))"
done
for v in web db; do
	kc_wait 60 test -b "/dev/$(disk_of "vol-$v")"
	note "mkfs.ext4 /dev/$(disk_of "vol-$v")"
	mkfs.ext4 -q -F "/dev/$(disk_of "vol-$v")"
done
run volume show

step "Launch two instances, one per subnet, each on its volume (real guests: $(grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && echo KVM || echo 'TCG, no KVM here: booting takes minutes'))"
cat > "$work/web.sh" <<'EOF'
#!/bin/sh
for i in $(seq 1 120); do ping -c 1 -W 2 10.0.2.4 >/dev/null 2>&1 && { echo "web: ping db (10.0.2.4) ok"; break; }; sleep 2; done
echo "hello from web, $(date)" > /data/hello.txt && sync && echo "web: wrote /data/hello.txt"
# Checksummed 256 KiB files, one every 2 s, for the storage failure below.
mkdir -p /data/w
n=0
while [ $n -lt 300 ]; do
	n=$((n + 1))
	if dd if=/dev/urandom of=/data/w/f$n bs=64k count=4 2>/dev/null &&
		(cd /data/w && md5sum f$n >> sums) && sync; then
		echo "web: disk write $n ok"
	else
		echo "web: disk write $n FAILED"
	fi
	sleep 2
done &
EOF
cat > "$work/db.sh" <<'EOF'
#!/bin/sh
for i in $(seq 1 120); do ping -c 1 -W 2 10.0.1.4 >/dev/null 2>&1 && { echo "db: ping web (10.0.1.4) ok"; break; }; sleep 2; done
EOF
run instance run web type t.nano vpc demo subnet web-tier volume vol-web user-data "$work/web.sh"
run instance run db type t.nano vpc demo subnet db-tier volume vol-db user-data "$work/db.sh"
run instance list

step "Wait for the guests: DHCP from the switch, then a ping across subnets"
for i in web db; do
	if wait_console "$i" "kcloud-guest: dhcp eth0"; then
		console "$i" | grep "kcloud-guest: dhcp" | sed "s/^/    $i: /"
	else
		note "$i did not get an address in time"
	fi
done
check "web got 10.0.1.4 from the switch's DHCP" wait_console web "dhcp eth0 10.0.1.4/24"
check "db got 10.0.2.4 from the switch's DHCP" wait_console db "dhcp eth0 10.0.2.4/24"
check "web pings db across subnets" wait_console web "web: ping db (10.0.2.4) ok"
check "db pings web across subnets" wait_console db "db: ping web (10.0.1.4) ok"
check "web wrote a file on its volume" wait_console web "web: wrote /data/hello.txt"
for i in web db; do console "$i" | grep -E "^(web|db): " | head -n 3 | sed "s/^/    $i: /"; done
run -s port show

step "Cut storage host st2 off the network while web keeps writing to its disk"
wait_console web "web: disk write 2 ok"
before=$(console web | grep -c "disk write .* ok")
note "checksummed files written so far: $before"
ip link set kcst2 down
note "ip link set kcst2 down (st2 unreachable)"
wait_console web "web: disk write $((before + 5)) ok"
after=$(console web | grep -c "disk write .* ok")
note "files written now: $after, failed writes: $(console web | grep -c 'FAILED')"
run volume show vol-web
check "web's disk kept working with a replica gone" test "$after" -ge $((before + 5))
check "no failed write in web" bash -c "! grep -q FAILED '$KCLOUD_STATE_DIR/instances/web/console.log'"
check "st2's replica of vol-web is out of sync" bash -c \
	"'$KC_TOOL' volume show vol-web | grep -q '10.99.2.2:[0-9]* out-of-sync'"

step "Bring st2 back: only the regions it missed are resynced"
ip link set kcst2 up
note "ip link set kcst2 up"
end=$((SECONDS + 300))
until kc volume show vol-web | grep -q '10.99.2.2:[0-9]* in-sync' || [ $SECONDS -ge $end ]; do
	sleep 2
done
run -s volume show vol-web
check "st2's replica is in sync again" bash -c \
	"'$KC_TOOL' volume show vol-web | grep -q '10.99.2.2:[0-9]* in-sync'"

step "The meter: per-instance usage and the bill (per second, 60 s minimum)"
run bill price set vcpu-sec 11 gib-sec 1 net out internet 90000000 volume-gb-month 80000000 io-million 50000000
run meter instance show
run -s meter instance show
run meter show web since 10
run bill

printf '\n==> summary: %d steps\n' "$steps"
printf '    %s\n' "${summary[@]}"
printf '    %d failed\n' "$failed"
[ "$failed" = 0 ]
