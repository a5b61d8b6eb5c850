#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One host, two VPCs with overlapping CIDRs. VPC red 10.0.0.0/16 has subnets
# 10.0.1.0/24 (guests a, b) and 10.0.2.0/24 (guest c); VPC blue 10.0.0.0/16
# has 10.0.1.0/24 with guest x at a's address. Checks: ARP answered by the
# switch for known addresses only; ping and TCP inside a subnet and across
# subnets; nothing crosses between VPCs; spoofed MAC and IP dropped and
# counted; counters equal the traffic sent; TTL expiry and DF oversize get
# ICMP from the gateway; deleting a port stops its traffic at once.
. "$(dirname "$0")/vpc_lib.sh"
kc_require_root
kc_load vpc || t_skip_all "kcloud_vpc.ko not built"

t_plan 21
H=${VP}h
vpc_host $H
kch $H vpc add red vni 100 cidr 10.0.0.0/16
kch $H vpc add blue vni 200 cidr 10.0.0.0/16
t_defer "kch $H vpc del blue; kch $H vpc del red"
kch $H subnet add vpc red cidr 10.0.1.0/24 name red1
kch $H subnet add vpc red cidr 10.0.2.0/24 name red2
kch $H subnet add vpc blue cidr 10.0.1.0/24
t_defer "kch $H subnet del vpc red cidr 10.0.1.0/24; kch $H subnet del vpc red cidr 10.0.2.0/24; kch $H subnet del vpc blue cidr 10.0.1.0/24"

MA=02:00:00:00:01:0a MB=02:00:00:00:01:0b MC=02:00:00:00:02:0c MX=02:00:00:00:01:1a
vpc_guest $H ${VP}a pa $MA 10.0.1.10/24 10.0.1.1
vpc_guest $H ${VP}b pb $MB 10.0.1.11/24 10.0.1.1
vpc_guest $H ${VP}c pc $MC 10.0.2.12/24 10.0.2.1
vpc_guest $H ${VP}x px $MX 10.0.1.10/24 10.0.1.1
kch $H port add dev pa vpc red mac $MA ip 10.0.1.10
kch $H port add dev pb vpc red mac $MB ip 10.0.1.11
kch $H port add dev pc vpc red mac $MC ip 10.0.2.12
kch $H port add dev px vpc blue mac $MX ip 10.0.1.10
t_defer "kch $H port del dev pa; kch $H port del dev pb; kch $H port del dev pc; kch $H port del dev px"

t_eq "four ports attached" "$(kch $H port show | grep -c '^port')" 4

# ARP: the gateway and a known address are answered, unknown ones are not.
t_check "ARP for the gateway answered with the gateway MAC" \
	sh -c "ip netns exec ${VP}a busybox arping -c 1 -w 2 -I eth0 10.0.1.1 | grep -qi '02:6b:63:00:00:01'"
t_check "ARP for a guest of the subnet answered with its MAC" \
	sh -c "ip netns exec ${VP}a busybox arping -c 1 -w 2 -I eth0 10.0.1.11 | grep -qi '$MB'"
before=$(vpc_stat $H pa drops.arp_unknown)
t_check_fail "ARP for an unknown address not answered" \
	ip netns exec ${VP}a busybox arping -c 2 -w 2 -I eth0 10.0.1.99
t_eq "ARP for an unknown address counted" "$(vpc_stat $H pa drops.arp_unknown)" $((before + 2))

t_check "ping inside a subnet" vpc_ping ${VP}a 10.0.1.11
t_check "ping across subnets (routed)" vpc_ping ${VP}a 10.0.2.12
t_check "ping across subnets, the other way" vpc_ping ${VP}c 10.0.1.11
t_check "TTL decremented once when routed" \
	sh -c "ip netns exec ${VP}a ping -c 1 -W 2 10.0.2.12 | grep -q 'ttl=63'"
t_check "the same address in VPC blue is its own" vpc_noping ${VP}x 10.0.1.11
t_check "nothing crosses from blue to red" vpc_noping ${VP}x 10.0.2.12

# TCP inside a subnet and across subnets (short runs: TCG is slow).
ip netns exec ${VP}c iperf3 -s -D -1 -p 5202 >/dev/null 2>&1
ip netns exec ${VP}b iperf3 -s -D -1 -p 5203 >/dev/null 2>&1
sleep 0.5
t_check "TCP (iperf3) across subnets" ip netns exec ${VP}a iperf3 -c 10.0.2.12 -p 5202 -t 2
t_check "TCP (iperf3) inside a subnet" ip netns exec ${VP}a iperf3 -c 10.0.1.11 -p 5203 -t 1

# Counters equal the traffic: 10 pings from b to a. Static neighbours: no
# ARP may go through the ports meanwhile.
ip -n ${VP}b neigh replace 10.0.1.10 lladdr $MA dev eth0 nud permanent
ip -n ${VP}a neigh replace 10.0.1.11 lladdr $MB dev eth0 nud permanent
rx0=$(vpc_stat $H pb rx_packets) tx0=$(vpc_stat $H pa tx_packets)
ip netns exec ${VP}b ping -c 10 -i 0.1 -W 2 10.0.1.10 >/dev/null
t_eq "port b received 10 echo requests" $(($(vpc_stat $H pb rx_packets) - rx0)) 10
t_eq "port a was given 10 echo requests" $(($(vpc_stat $H pa tx_packets) - tx0)) 10

# Spoofing: b sends as a's address, then with another MAC.
d0=$(vpc_stat $H pb drops.spoof_ip)
ip -n ${VP}b addr add 10.0.1.10/32 dev eth0
ip netns exec ${VP}b ping -c 5 -i 0.1 -W 1 -I 10.0.1.10 10.0.2.12 >/dev/null
ip -n ${VP}b addr del 10.0.1.10/32 dev eth0
t_eq "spoofed source IP dropped and counted" $(($(vpc_stat $H pb drops.spoof_ip) - d0)) 5
d0=$(vpc_stat $H pb drops.spoof_mac)
ip -n ${VP}b link set eth0 address 02:00:00:00:01:ee
# A new MAC flushes the ARP cache: keep a's entry so that exactly 4 go out.
ip -n ${VP}b neigh replace 10.0.1.10 lladdr $MA dev eth0 nud permanent
ip netns exec ${VP}b ping -c 4 -i 0.1 -W 1 10.0.1.10 >/dev/null
ip -n ${VP}b link set eth0 address $MB
t_eq "spoofed source MAC dropped and counted" $(($(vpc_stat $H pb drops.spoof_mac) - d0)) 4
kch $H port set dev pb check off
ip -n ${VP}b addr add 10.0.1.50/32 dev eth0
d0=$(vpc_stat $H pb drops.spoof_ip) e0=$(vpc_icmp_echos ${VP}c)
ip netns exec ${VP}b ping -c 3 -i 0.1 -W 1 -I 10.0.1.50 10.0.2.12 >/dev/null
t_eq "with the check off another source passes" \
	"$(vpc_stat $H pb drops.spoof_ip) $(($(vpc_icmp_echos ${VP}c) - e0))" "$d0 3"
ip -n ${VP}b addr del 10.0.1.50/32 dev eth0
kch $H port set dev pb check on

# TTL expiry and DF oversize: ICMP from the gateway.
t_check "TTL 1 across subnets: time exceeded from the gateway" \
	sh -c "ip netns exec ${VP}a ping -c 1 -W 2 -t 1 10.0.2.12 | grep -q 'From 10.0.1.1.*Time to live exceeded'"
ip -n ${VP}a link set eth0 mtu 1500
t_check "DF oversize: fragmentation needed with the guest MTU" \
	sh -c "ip netns exec ${VP}a ping -c 1 -W 2 -M do -s 1472 10.0.1.11 | grep -q 'mtu = 1450'"
ip -n ${VP}a link set eth0 mtu 1450

# Deleting a port stops its traffic at once.
kch $H port del dev pb
t_check "deleted port: no traffic" vpc_noping ${VP}a 10.0.1.11
t_done
