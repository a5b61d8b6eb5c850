#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzing of the VPC switch (pktfuzz.py): mutated Ethernet, ARP,
# IPv4, UDP, TCP, ICMP and DHCP frames from a guest into its (veth) port,
# mutated Geneve datagrams into the underlay socket, then frames with
# virtio-net headers (checksum offload, GSO; valid and mutated) written to
# a tap port as a guest's driver writes them, all from a seed. Every
# frame must be accounted for in the switch's counters (dropped under a
# reason, forwarded, or answered); afterwards the switch still switches,
# routes and tunnels; no splat, no leak (kmemleak, on a debug kernel).
#
# KCLOUD_FUZZ_SEED replays a run; KCLOUD_FUZZ_PKTS sets the frames per
# phase; KCLOUD_FUZZ_LONG=1 (make fuzz-long) runs seeds for
# KCLOUD_FUZZ_SECONDS (default 600).
. "$(dirname "$0")/../vpc/vpc_lib.sh"
. "$(dirname "$0")/fuzz_lib.sh"
kc_require_root
kc_load vpc || t_skip_all "kcloud_vpc.ko not built"

seed=${KCLOUD_FUZZ_SEED:-1}
pkts=${KCLOUD_FUZZ_PKTS:-3000}
secs=${KCLOUD_FUZZ_SECONDS:-600}
[ "$FZ_LONG" = 1 ] && pkts=${KCLOUD_FUZZ_PKTS:-20000}
# The tap phase: /dev/net/tun (a bare VM's /dev may lack it until tun loads).
modprobe -q tun 2>/dev/null
[ -e /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; } 2>/dev/null
tap=$((pkts / 2))
[ -c /dev/net/tun ] || tap=0

H1=${VP}h1 H2=${VP}h2 A=${VP}a B=${VP}b C=${VP}c D=${VP}d
MA=02:00:00:00:01:0a MB=02:00:00:00:01:0b MC=02:00:00:00:02:0c MD=02:00:00:00:01:0d

setup() {
	vpc_host $H1 && vpc_host $H2 || return 1
	ip link add ul0 netns $H1 type veth peer name ul0 netns $H2 || return 1
	ip -n $H1 addr add 192.168.50.1/24 dev ul0
	ip -n $H2 addr add 192.168.50.2/24 dev ul0
	ip -n $H2 addr add 192.168.50.3/24 dev ul0
	ip -n $H1 link set ul0 up
	ip -n $H2 link set ul0 up
	for h in $H1 $H2; do
		kch $h vpc add red vni 100 cidr 10.0.0.0/16 &&
		kch $h subnet add vpc red cidr 10.0.1.0/24 &&
		kch $h subnet add vpc red cidr 10.0.2.0/24 || return 1
	done
	kch $H1 vpc add blue vni 200 cidr 10.1.0.0/16 &&
	kch $H1 subnet add vpc blue cidr 10.1.1.0/24 &&
	kch $H1 host add local 192.168.50.1 &&
	kch $H2 host add local 192.168.50.2 || return 1
	# The guests have no address while fuzzed, so that they stay silent:
	# only the fuzzer's frames move the counters.
	vpc_guest $H1 $A pa $MA dhcp && vpc_guest $H1 $B pb $MB dhcp &&
	vpc_guest $H1 $C pc $MC dhcp && vpc_guest $H2 $D pd $MD dhcp || return 1
	# Frames past the guest MTU (1450) reach the switch: too_big.
	ip -n $A link set eth0 mtu 1500
	kch $H1 port add dev pa vpc red mac $MA ip 10.0.1.10 &&
	kch $H1 port add dev pb vpc red mac $MB ip 10.0.1.11 &&
	kch $H1 port add dev pc vpc red mac $MC ip 10.0.2.12 &&
	kch $H1 mapping add vpc red ip 10.0.1.13 mac $MD underlay 192.168.50.2 &&
	kch $H2 port add dev pd vpc red mac $MD ip 10.0.1.13 &&
	kch $H2 mapping add vpc red ip 10.0.1.10 mac $MA underlay 192.168.50.1 &&
	kch $H2 mapping add vpc red ip 10.0.1.11 mac $MB underlay 192.168.50.1
}

# forwards: the switch still switches, routes and tunnels, both ways.
forwards() {
	ip -n $A link set eth0 mtu 1450
	ip -n $A addr add 10.0.1.10/24 dev eth0 && ip -n $A route add default via 10.0.1.1 &&
	ip -n $B addr add 10.0.1.11/24 dev eth0 && ip -n $B route add default via 10.0.1.1 &&
	ip -n $C addr add 10.0.2.12/24 dev eth0 && ip -n $C route add default via 10.0.2.1 &&
	ip -n $D addr add 10.0.1.13/24 dev eth0 && ip -n $D route add default via 10.0.1.1 ||
		return 1
	vpc_ping $A 10.0.1.11 && vpc_ping $A 10.0.2.12 && vpc_ping $A 10.0.1.13 &&
		vpc_ping $D 10.0.1.11
}

if ! setup > /tmp/fz-setup.$$ 2>&1; then
	t_plan 1
	t_notok "set up two hosts, four guests"
	t_diag "$(cat /tmp/fz-setup.$$)"
	rm -f /tmp/fz-setup.$$
	t_done
fi
rm -f /tmp/fz-setup.$$

topo="ma=$MA,mb=$MB,mc=$MC,md=$MD,a=10.0.1.10,b=10.0.1.11,c=10.0.2.12,d=10.0.1.13"
topo+=",gw1=10.0.1.1,gw2=10.0.2.1,vni=100,vni2=200,src2=192.168.50.3"

setup_s=$SECONDS
fz_start
echo "TAP version 13"
[ $tap = 0 ] && t_skip "frames through a tap port" "no /dev/net/tun"
total=0 drops=0 runs=0 end=$((SECONDS + secs))
while :; do
	out=$(/usr/bin/python3 "$(dirname "$0")/pktfuzz.py" --seed "$seed" --frames "$pkts" \
		--geneve "$pkts" --tap $tap --host $H1 --port pa --guest $A --peer $H2 \
		--target 192.168.50.1 --kcloud "$KC_TOOL" --topo "$topo" 2>&1)
	rc=$?
	runs=$((runs + 1))
	while read -r verdict desc; do
		case "$verdict" in
		PASS) t_ok "seed $seed $desc" ;;
		FAIL) t_notok "seed $seed $desc"
			t_diag "replay: KCLOUD_FUZZ_SEED=$seed KCLOUD_FUZZ_PKTS=$pkts selftests/run.sh fuzz/test_vpc_packets" ;;
		REPORT) t_diag "seed $seed: $desc"
			set -- $desc
			total=$((total + $2)); drops=$((drops + ${10})) ;;
		*) [ -n "$verdict" ] && t_diag "$verdict $desc" ;;
		esac
	done <<< "$out"
	if [ $rc != 0 ] && ! grep -q '^FAIL' <<< "$out"; then
		t_notok "seed $seed: the fuzzer failed (exit $rc)"
		t_diag "$out"
	fi
	[ "$FZ_LONG" = 1 ] && [ $SECONDS -lt $end ] || break
	seed=$((seed + 1))
done

fuzz_s=$((SECONDS - setup_s))
t_check "the switch still switches, routes and tunnels" forwards
t_diag "set up in ${setup_s}s, fuzzed in ${fuzz_s}s"
fz_report "vpc packets" "runs $runs tried $total drops $drops"
echo "1..$t_n"
t_done
