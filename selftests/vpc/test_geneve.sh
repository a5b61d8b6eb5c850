#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Three hosts (namespaces h1 h2 h3) on one underlay (a bridge in ul), each
# its own switch with a Geneve socket. VPC red (VNI 100, 10.0.0.0/16):
# a on h1 (10.0.1.10), b on h2 (10.0.1.11), c on h3 (10.0.2.12). VPC blue
# (VNI 200, the same CIDR): x on h1 (10.0.1.10), y on h2 (10.0.1.11).
# Checks: ping and TCP (iperf3) across hosts inside a subnet and across
# subnets; full-MTU packets; VPC isolation with the same addresses; TCP
# stays in large GSO packets through the encapsulation, and when the
# underlay cuts them to its MTU (as a NIC does) the receiving host's GRO
# merges them back with correct checksums; a deleted mapping stops its
# traffic at once; traffic from a host that is not the mapping's is
# dropped and counted.
. "$(dirname "$0")/vpc_lib.sh"
kc_require_root
kc_load vpc || t_skip_all "kcloud_vpc.ko not built"

t_plan 16
UL=${VP}ul
kc_netns $UL
ip -n $UL link add br0 type bridge
ip -n $UL link set br0 up
for i in 1 2 3; do
	h=${VP}h$i
	vpc_host $h
	ip link add ul0 netns $h type veth peer name h$i netns $UL
	ip -n $UL link set h$i master br0 up
	ip -n $h addr add 192.168.50.$i/24 dev ul0
	ip -n $h link set ul0 up
	kch $h host add local 192.168.50.$i
	kch $h vpc add red vni 100 cidr 10.0.0.0/16
	kch $h vpc add blue vni 200 cidr 10.0.0.0/16
	kch $h subnet add vpc red cidr 10.0.1.0/24
	kch $h subnet add vpc red cidr 10.0.2.0/24
	kch $h subnet add vpc blue cidr 10.0.1.0/24
done

# guest HOST# NAME VPC MAC IP/PLEN GW
guests=()
guest() {
	local h=${VP}h$1 g=${VP}$2 ip=${5%/*}
	vpc_guest $h $g p$2 $4 $5 $6
	kch $h port add dev p$2 vpc $3 mac $4 ip $ip
	guests+=("$1 $3 $4 $ip")
}
guest 1 a red 02:00:00:00:01:0a 10.0.1.10/24 10.0.1.1
guest 2 b red 02:00:00:00:01:0b 10.0.1.11/24 10.0.1.1
guest 3 c red 02:00:00:00:02:0c 10.0.2.12/24 10.0.2.1
guest 1 x blue 02:00:00:00:01:1a 10.0.1.10/24 10.0.1.1
guest 2 y blue 02:00:00:00:01:1b 10.0.1.11/24 10.0.1.1
# Every host maps every guest of the others.
for i in 1 2 3; do
	for gd in "${guests[@]}"; do
		set -- $gd
		[ "$1" = $i ] || kch ${VP}h$i mapping add vpc $2 ip $4 mac $3 underlay 192.168.50.$1
	done
done
# Ports first, then VPCs (namespace deletion would also do it).
for i in 1 2 3; do
	t_defer "ip netns exec ${VP}h$i $KC_TOOL host del"
done

t_check "ping across hosts inside a subnet" vpc_ping ${VP}a 10.0.1.11
t_check "ping across hosts and subnets (routed)" vpc_ping ${VP}a 10.0.2.12
t_check "ping between the two other hosts" vpc_ping ${VP}c 10.0.1.11
t_check "a full guest-MTU packet with DF crosses" vpc_ping ${VP}a 10.0.1.11 -M do -s 1422
t_check "blue reaches blue at the same addresses" vpc_ping ${VP}x 10.0.1.11
t0=$(vpc_stat ${VP}h2 pb tx_packets)
ip netns exec ${VP}x ping -c 5 -i 0.1 -W 1 10.0.1.11 >/dev/null
t_eq "blue traffic never reaches red's guest at that address" $(($(vpc_stat ${VP}h2 pb tx_packets) - t0)) 0
t_check "blue does not reach red's other subnet" vpc_noping ${VP}x 10.0.2.12

ip netns exec ${VP}b iperf3 -s -D -1 -p 5201 >/dev/null 2>&1
ip netns exec ${VP}c iperf3 -s -D -1 -p 5203 >/dev/null 2>&1
sleep 0.5
t_check "TCP (iperf3) across hosts and subnets (routed)" \
	ip netns exec ${VP}a iperf3 -c 10.0.2.12 -p 5203 -t 1
n0=$(vpc_host_stat ${VP}h1 tunnel_tx_packets)
b0=$(vpc_stat ${VP}h1 pa rx_bytes)
t_check "TCP (iperf3) across hosts" ip netns exec ${VP}a iperf3 -c 10.0.1.11 -p 5201 -t 2
n=$(($(vpc_host_stat ${VP}h1 tunnel_tx_packets) - n0))
b=$(($(vpc_stat ${VP}h1 pa rx_bytes) - b0))
# Without GSO through the tunnel every segment (at most 1464 bytes with its
# Ethernet header) would be one send; with it, TCP sends at least two
# segments per packet even when slow (tcp_tso_autosize()).
t_eq "TCP kept in GSO packets through Geneve ($b bytes in $n sends)" \
	"$([ $n -gt 0 ] && [ $((b / n)) -gt 2000 ] && echo yes)" yes

# Now the underlay towards h2 has no offloads (the bridge's port h2 segments
# and checksums in software: MTU-sized frames, as on a wire) and h2's ul0
# does GRO (NAPI). Without GRO of the tunnel socket b's port would carry
# only frames of at most 1464 bytes; with it, merged TCP segments.
ip netns exec $UL ethtool -K h2 tx off tso off gso off >/dev/null 2>&1
ip netns exec ${VP}h2 ethtool -K ul0 gro on >/dev/null
ip netns exec ${VP}b iperf3 -s -D -1 -p 5202 >/dev/null 2>&1
sleep 0.5
p0=$(vpc_stat ${VP}h2 pb tx_packets)
b0=$(vpc_stat ${VP}h2 pb tx_bytes)
c0=$(vpc_tcp_csum_errors ${VP}b)
t_check "TCP (iperf3) across hosts over an underlay without offloads" \
	ip netns exec ${VP}a iperf3 -c 10.0.1.11 -p 5202 -t 2
n=$(($(vpc_stat ${VP}h2 pb tx_packets) - p0))
b=$(($(vpc_stat ${VP}h2 pb tx_bytes) - b0))
t_eq "received Geneve merged by GRO ($b bytes in $n frames to b's port)" \
	"$([ $n -gt 0 ] && [ $((b / n)) -gt 2000 ] && echo yes)" yes
t_eq "no TCP checksum error in b" $(($(vpc_tcp_csum_errors ${VP}b) - c0)) 0

kch ${VP}h1 mapping del vpc red ip 10.0.1.11
t_check "a deleted mapping stops the traffic at once" vpc_noping ${VP}a 10.0.1.11
kch ${VP}h1 mapping add vpc red ip 10.0.1.11 mac 02:00:00:00:01:0b underlay 192.168.50.2
t_check "... and a new one restores it" vpc_ping ${VP}a 10.0.1.11

# h2 believes a lives on h3: what comes from h1 as a is dropped there.
kch ${VP}h2 mapping set vpc red ip 10.0.1.10 underlay 192.168.50.3
d0=$(vpc_host_stat ${VP}h2 drops.remote_spoof)
ip netns exec ${VP}a ping -c 3 -i 0.2 -W 1 10.0.1.11 >/dev/null
t_eq "inner source from the wrong host dropped and counted" \
	$(($(vpc_host_stat ${VP}h2 drops.remote_spoof) - d0)) 3
t_done
