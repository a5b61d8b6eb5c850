#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the VPC switch's selftests, on top of selftests/lib/lib.sh.
# A "host" is a network namespace: its own switch. A "guest" is a namespace
# with eth0, the peer of a veth end in its host that is a port of the switch.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/lib.sh"

# Names are prefixed with the test's PID so that tests never collide.
VP=v$$

# kch HOST ARGS...: the kcloud tool in a host.
kch() { local h=$1; shift; ip netns exec "$h" "$KC_TOOL" "$@"; }

# vpc_host NAME: a host namespace (removed at exit).
vpc_host() {
	kc_netns "$1" || return 1
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

# vpc_guest HOST GUEST PORTDEV MAC IP/PLEN [GW]: a guest behind a port of
# HOST's switch, configured statically unless IP/PLEN is "dhcp". The port
# is added to the switch by the caller (vpc_port).
vpc_guest() {
	local h=$1 g=$2 dev=$3 mac=$4 ip=$5 gw=${6:-}

	kc_netns "$g" || return 1
	ip netns exec "$g" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip link add "$dev" netns "$h" type veth peer name eth0 netns "$g" || return 1
	ip -n "$g" link set eth0 address "$mac" mtu 1450 up
	ip -n "$h" link set "$dev" up
	[ "$ip" = dhcp ] && return 0
	ip -n "$g" addr add "$ip" dev eth0
	[ -z "$gw" ] || ip -n "$g" route add default via "$gw"
}

# vpc_stat HOST DEV KEY: a counter of a port (rx_packets, tx_packets, ...)
# or, with KEY drops.REASON, a drop counter; 0 when absent. (No python:
# it starts slowly under TCG; the keys are unique in the JSON.)
vpc_stat() {
	local v
	v=$(kch "$1" -j -s port show dev "$2" | grep -o "\"${3#drops.}\":[0-9]*" | cut -d: -f2)
	echo "${v:-0}"
}

# vpc_host_stat HOST KEY: a counter of the whole switch, as vpc_stat.
vpc_host_stat() {
	local v
	v=$(kch "$1" -j -s host show | grep -o "\"${2#drops.}\":[0-9]*" | cut -d: -f2)
	echo "${v:-0}"
}

# vpc_icmp_echos NS: echo requests NS's stack has received.
vpc_icmp_echos() {
	ip netns exec "$1" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++)
		if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp
}

# vpc_tcp_csum_errors NS: TCP segments with a bad checksum NS has received.
vpc_tcp_csum_errors() {
	ip netns exec "$1" awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++)
		if ($i == "InCsumErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
}

# vpc_ping GUEST DST [ARGS]: 3 quick pings that must all be answered.
vpc_ping() {
	local g=$1 dst=$2
	shift 2
	ip netns exec "$g" ping -c 3 -i 0.2 -W 2 "$@" "$dst"
}

# vpc_noping GUEST DST: no answer at all.
vpc_noping() { ! ip netns exec "$1" ping -c 1 -W 1 "$2"; }
