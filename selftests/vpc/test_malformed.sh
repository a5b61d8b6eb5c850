#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed and unwanted packets from a guest (bad IPv4 headers, options,
# fragments, IPv6, garbage, broadcast, bad ARP and DHCP, spoofing) and from
# the underlay (truncated or unsupported Geneve, unknown VNI, bad inner
# packets, unmapped sources) are dropped and counted, each under its
# reason, exactly (malformed.py, with scapy). Then the module is unloaded
# while ports are attached and traffic flows: no splat, nothing left.
. "$(dirname "$0")/vpc_lib.sh"
kc_require_root
kc_load vpc || t_skip_all "kcloud_vpc.ko not built"
# (No python run for this check: it starts slowly under TCG.)
[ -f /usr/lib/python3/dist-packages/scapy/__init__.py ] || t_skip_all "python3-scapy not installed"

H1=${VP}h1 H2=${VP}h2
vpc_host $H1
vpc_host $H2
ip link add ul0 netns $H1 type veth peer name ul0 netns $H2
ip -n $H1 addr add 192.168.50.1/24 dev ul0
ip -n $H2 addr add 192.168.50.2/24 dev ul0
ip -n $H1 link set ul0 up
ip -n $H2 link set ul0 up
for h in $H1 $H2; do
	kch $h vpc add red vni 100 cidr 10.0.0.0/16
	kch $h subnet add vpc red cidr 10.0.1.0/24
done
kch $H1 host add local 192.168.50.1
vpc_guest $H1 ${VP}a pa 02:00:00:00:01:0a 10.0.1.10/24 10.0.1.1
vpc_guest $H1 ${VP}b pb 02:00:00:00:01:0b 10.0.1.11/24 10.0.1.1
kch $H1 port add dev pa vpc red mac 02:00:00:00:01:0a ip 10.0.1.10
kch $H1 port add dev pb vpc red mac 02:00:00:00:01:0b ip 10.0.1.11
kch $H1 mapping add vpc red ip 10.0.1.12 mac 02:00:00:00:01:0c underlay 192.168.50.2
# b's address, as seen from the underlay, for the Geneve cases.
kch $H1 mapping add vpc red ip 10.0.1.13 mac 02:00:00:00:01:0d underlay 192.168.50.2

# From the underlay (h2) the source is b's twin 10.0.1.13 (192.168.50.2).
out=$(/usr/bin/python3 "$(dirname "$0")/malformed.py" $H1 pa ${VP}a $H2 192.168.50.1 "$KC_TOOL" 2>&1)
n=$(grep -c '^\(PASS\|FAIL\)' <<< "$out")
t_plan $((n + 4))
while read -r verdict desc; do
	case "$verdict" in
	PASS) t_ok "$desc" ;;
	FAIL) t_notok "$desc" ;;
	*) [ -n "$verdict" ] && t_diag "$verdict $desc" ;;
	esac
done <<< "$out"

# Unload with live ports, a mapping, the tunnel socket and traffic.
ip netns exec ${VP}a ping -f -w 4 10.0.1.11 >/dev/null 2>&1 &
flood=$!
ip netns exec ${VP}a ping -i 0.01 -w 4 10.0.1.12 >/dev/null 2>&1 &
flood2=$!
sleep 1
t_check "unload with live ports and traffic" rmmod kcloud_vpc
wait $flood $flood2
ip -n $H1 link add brx type bridge
t_check "the ports' netdevs are free again (a bridge may take them)" \
	ip -n $H1 link set pa master brx
t_check "reload" kc_load vpc
t_eq "after reload the switch is empty" "$(kch $H1 port show)$(kch $H1 vpc show)" ""
t_done
