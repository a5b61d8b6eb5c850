#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VPC switch changed under traffic: two hosts joined by Geneve, TCP
# (iperf3) from guest a on host 1 to guest b on host 2, while host 1's
# ports, mappings and subnets are added, changed and deleted, the live
# mapping of b included (deleted and added back at once). Every command
# succeeds, the TCP stream completes, and the guests still reach each
# other. Then the module is unloaded under traffic and loaded again: the
# unload either succeeds or is refused cleanly; configured again, the
# switch carries the traffic.
#
# Bounded (make check): 8 rounds of churn. KCLOUD_FAULTS_CYCLES=N (make
# faults-long): N rounds of random operations from KCLOUD_FAULTS_SEED, and
# N unloads under traffic.
. "$(dirname "$0")/../vpc/vpc_lib.sh"
. "$(dirname "$0")/faults_lib.sh"
kc_require_root
command -v iperf3 >/dev/null || t_skip_all "iperf3 is not installed"
kc_load vpc || t_skip_all "kcloud_vpc.ko not built"
t_defer "kc_load vpc"

t_plan 7
f_long && t_diag "seed $F_SEED, $F_CYCLES cycles"
ROUNDS=8
f_long && ROUNDS=$F_CYCLES
H1=${VP}h1 H2=${VP}h2 A=${VP}a B=${VP}b
MA=02:00:00:00:01:0a MB=02:00:00:00:01:0b

setup_switch() {
	local i h
	for i in 1 2; do
		h=${VP}h$i
		kch $h host add local 192.168.60.$i || return 1
		kch $h vpc add red vni 100 cidr 10.0.0.0/16 || return 1
		kch $h subnet add vpc red cidr 10.0.1.0/24 || return 1
	done
	kch $H1 port add dev pa vpc red mac $MA ip 10.0.1.10 &&
	kch $H2 port add dev pb vpc red mac $MB ip 10.0.1.11 &&
	kch $H1 mapping add vpc red ip 10.0.1.11 mac $MB underlay 192.168.60.2 &&
	kch $H2 mapping add vpc red ip 10.0.1.10 mac $MA underlay 192.168.60.1
}

setup() {
	vpc_host $H1 && vpc_host $H2 || return 1
	ip link add ul0 netns $H1 type veth peer name ul0 netns $H2 || return 1
	ip -n $H1 addr add 192.168.60.1/24 dev ul0 && ip -n $H1 link set ul0 up
	ip -n $H2 addr add 192.168.60.2/24 dev ul0 && ip -n $H2 link set ul0 up
	vpc_guest $H1 $A pa $MA 10.0.1.10/24 10.0.1.1 &&
	vpc_guest $H2 $B pb $MB 10.0.1.11/24 10.0.1.1 || return 1
	t_defer "kch $H1 host del; kch $H2 host del"
	setup_switch
}
t_check "two hosts over Geneve, a guest on each" setup

# One operation of the churn; OPS counts them, BAD lists the failed ones.
OPS=0 BAD=""
op() {
	OPS=$((OPS + 1))
	"$@" > /dev/null 2>&1 || BAD="$BAD; $*"
}
churn() {
	local r=$1 kinds=6 what k
	k=$((r % 40 + 20))
	what=$r
	f_long && what=$(f_rand $kinds)
	# A port of a guest that comes and goes (a veth end in host 1).
	op ip -n $H1 link add c$k type veth peer name d$k
	op ip -n $H1 link set c$k up
	op kch $H1 port add dev c$k vpc red mac 02:00:00:00:01:$k ip 10.0.1.$k
	# A remote guest that comes and goes.
	op kch $H1 mapping add vpc red ip 10.0.1.$((k + 100)) mac 02:00:00:00:02:$k underlay 192.168.60.2
	op kch $H1 subnet add vpc red cidr 10.0.$k.0/24
	case $((what % kinds)) in
	0) op kch $H1 mapping set vpc red ip 10.0.1.11 underlay 192.168.60.2 ;;
	1) op kch $H1 mapping del vpc red ip 10.0.1.11
	   op kch $H1 mapping add vpc red ip 10.0.1.11 mac $MB underlay 192.168.60.2 ;;
	2) op kch $H1 port set dev pa check off
	   op kch $H1 port set dev pa check on ;;
	3) op kch $H1 mapping set vpc red ip 10.0.1.$((k + 100)) mac 02:00:00:00:03:$k ;;
	4) op kch $H1 port show
	   op kch $H1 -s host show ;;
	5) op kch $H2 mapping del vpc red ip 10.0.1.10
	   op kch $H2 mapping add vpc red ip 10.0.1.10 mac $MA underlay 192.168.60.1 ;;
	esac
	op kch $H1 subnet del vpc red cidr 10.0.$k.0/24
	op kch $H1 mapping del vpc red ip 10.0.1.$((k + 100))
	op kch $H1 port del dev c$k
	op ip -n $H1 link del c$k
}

ip netns exec $B iperf3 -s -D -1 -p 5210 >/dev/null 2>&1
kc_wait 5 ip netns exec $B ss -ltn 'sport = :5210'
secs=$((ROUNDS + 4))
ip netns exec $A iperf3 -c 10.0.1.11 -p 5210 -t $secs -J > /tmp/kcf-iperf.$$ 2>&1 &
ipid=$!
sleep 1
for ((r = 1; r <= ROUNDS; r++)); do
	churn $r
	f_long || sleep 0.5
done
wait $ipid
irc=$?
t_eq "$OPS changes of ports, mappings and subnets under traffic succeed" "${BAD#; }" ""
t_eq "TCP (iperf3) through the churn completes" "$irc" 0
[ "$irc" = 0 ] || t_diag "$(tail -n 5 /tmp/kcf-iperf.$$)"
bytes=$(grep -o '"bytes":[[:space:]]*[0-9]*' /tmp/kcf-iperf.$$ | tail -1 | grep -o '[0-9]*$')
rm -f /tmp/kcf-iperf.$$
t_diag "iperf3: ${bytes:-0} bytes in ${secs}s through $OPS changes"
t_check "the guests still reach each other" vpc_ping $A 10.0.1.11
t_eq "the churned ports are gone" "$(kch $H1 port show | grep -c '^port')" 1

# Unload under traffic: allowed or refused, never a crash; then it works.
UNLOADS=1
f_long && UNLOADS=$F_CYCLES
unl=0 refused=0 back=0
for ((u = 1; u <= UNLOADS; u++)); do
	ip netns exec $B iperf3 -s -D -1 -p 5211 -I /tmp/kcf-iperf-s.$$ >/dev/null 2>&1
	kc_wait 5 ip netns exec $B ss -ltn 'sport = :5211'
	ip netns exec $A timeout 20 iperf3 -c 10.0.1.11 -p 5211 -t 4 >/dev/null 2>&1 &
	ipid=$!
	sleep $((1 + $(f_rand 2)))
	if rmmod kcloud_vpc 2>/dev/null; then
		unl=$((unl + 1))
	else
		refused=$((refused + 1))
	fi
	wait $ipid
	[ -s /tmp/kcf-iperf-s.$$ ] && kill "$(cat /tmp/kcf-iperf-s.$$)" 2>/dev/null
	rm -f /tmp/kcf-iperf-s.$$
	kc_load vpc || break
	kch $H1 port show dev pa > /dev/null 2>&1 || setup_switch > /dev/null 2>&1
	kc_wait 10 vpc_ping $A 10.0.1.11 && back=$((back + 1))
done
t_diag "unloads under traffic: $unl done, $refused refused"
t_check "the module is loaded again" kc_loaded vpc
t_eq "after each unload the switch carries the traffic again" "$back" "$UNLOADS"
t_done
