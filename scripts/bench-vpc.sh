#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark of the kcloud VPC switch against its anchors, in one guest:
#
#   local:  two guests on one host: kcloud ports vs a Linux bridge
#   remote: two guests on two hosts joined by a veth underlay:
#           kcloud (Geneve) vs bridge + VXLAN, bridge + Geneve, and the
#           OVS kernel datapath with a Geneve port (one ovsdb-server and
#           ovs-vswitchd per host namespace)
#
# Figures: TCP throughput (iperf3, Gbit/s) and 64-byte UDP frames per
# second received (iperf3 -u -l 22 -b 0). Each figure is the median of
# ROUNDS interleaved runs (kcloud, anchor, kcloud, anchor...), printed with
# its spread (min-max); the ratio is kcloud / anchor. Every guest has MTU
# 1450 (what a 1500-byte underlay leaves after Geneve or VXLAN).
# By default the veth underlay carries GSO packets whole; with -w it acts as
# a wire: its ends segment and checksum in software (1500-byte frames) and
# receive through NAPI with GRO, so that the receiving host's GRO (kcloud's
# tunnel socket, the VXLAN/Geneve devices, OVS's vport) is what merges.
#
# usage (on the build machine):
#   selftests/vm/run-vm.sh -- scripts/bench-vpc.sh [-t SECONDS] [-r ROUNDS] [-n] [-w]
#   -t  seconds per iperf3 run (default 3)
#   -r  rounds (default 3)
#   -n  no OVS
#   -w  the underlay is a wire: MTU-sized frames, GRO at the receiver
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib/lib.sh"
trap - EXIT
T=3 ROUNDS=3 OVS=1 WIRE=0
while getopts "t:r:nw" o; do
	case $o in
	t) T=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	n) OVS=0 ;;
	w) WIRE=1 ;;
	*) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench-vpc: run it in the VM (selftests/vm/run-vm.sh)" >&2; exit 2; }
kc_load vpc || { echo "bench-vpc: cannot load kcloud_vpc" >&2; exit 1; }

P=bv
nsl=()
cleanup() {
	local n
	for n in "${nsl[@]}"; do
		[ -d "/tmp/$P-ovs-$n" ] && for p in /tmp/$P-ovs-$n/*.pid; do
			kill "$(cat "$p")" 2>/dev/null
		done
	done
	sleep 0.5
	for n in "${nsl[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf /tmp/$P-ovs-*
}
trap cleanup EXIT
ns() {
	ip netns add "$1" && nsl+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}
kch() { local h=$1; shift; ip netns exec "$h" "$KC_TOOL" "$@"; }

# guest HOST GUEST HOSTDEV MAC IP: eth0 in GUEST, its peer HOSTDEV in HOST.
guest() {
	ns "$2"
	ip link add "$3" netns "$1" type veth peer name eth0 netns "$2"
	ip -n "$2" link set eth0 address "$4" mtu 1450 up
	ip -n "$2" addr add "$5/24" dev eth0
	ip -n "$1" link set "$3" up
}

# underlay H1 H2: a veth between two hosts, 192.168.60.1 and .2.
underlay() {
	ip link add ul0 netns "$1" type veth peer name ul0 netns "$2"
	ip -n "$1" addr add 192.168.60.1/24 dev ul0
	ip -n "$2" addr add 192.168.60.2/24 dev ul0
	ip -n "$1" link set ul0 up
	ip -n "$2" link set ul0 up
	[ $WIRE = 1 ] || return 0
	ip netns exec "$1" ethtool -K ul0 tx off tso off gso off gro on >/dev/null 2>&1
	ip netns exec "$2" ethtool -K ul0 tx off tso off gso off gro on >/dev/null 2>&1
}

M1=02:00:00:00:00:01 M2=02:00:00:00:00:02
G1=10.0.1.10 G2=10.0.1.11

# ---- kcloud, one host -----------------------------------------------------
setup_kc_local() {
	ns ${P}kl
	kch ${P}kl vpc add red vni 100 cidr 10.0.0.0/16
	kch ${P}kl subnet add vpc red cidr 10.0.1.0/24
	guest ${P}kl ${P}kl1 p1 $M1 $G1
	guest ${P}kl ${P}kl2 p2 $M2 $G2
	kch ${P}kl port add dev p1 vpc red mac $M1 ip $G1
	kch ${P}kl port add dev p2 vpc red mac $M2 ip $G2
}

# ---- Linux bridge, one host -------------------------------------------------
setup_br_local() {
	ns ${P}bl
	ip -n ${P}bl link add br0 type bridge
	ip -n ${P}bl link set br0 up
	guest ${P}bl ${P}bl1 p1 $M1 $G1
	guest ${P}bl ${P}bl2 p2 $M2 $G2
	ip -n ${P}bl link set p1 master br0
	ip -n ${P}bl link set p2 master br0
}

# ---- kcloud, two hosts --------------------------------------------------------
setup_kc_remote() {
	local i
	ns ${P}kr1
	ns ${P}kr2
	underlay ${P}kr1 ${P}kr2
	for i in 1 2; do
		kch ${P}kr$i host add local 192.168.60.$i
		kch ${P}kr$i vpc add red vni 100 cidr 10.0.0.0/16
		kch ${P}kr$i subnet add vpc red cidr 10.0.1.0/24
	done
	guest ${P}kr1 ${P}krg1 p1 $M1 $G1
	guest ${P}kr2 ${P}krg2 p2 $M2 $G2
	kch ${P}kr1 port add dev p1 vpc red mac $M1 ip $G1
	kch ${P}kr2 port add dev p2 vpc red mac $M2 ip $G2
	kch ${P}kr1 mapping add vpc red ip $G2 mac $M2 underlay 192.168.60.2
	kch ${P}kr2 mapping add vpc red ip $G1 mac $M1 underlay 192.168.60.1
}

# ---- bridge + VXLAN or Geneve device, two hosts ---------------------------------
setup_br_tunnel() {	# NAME TYPE
	local n=$1 type=$2 i peer
	ns ${P}${n}1
	ns ${P}${n}2
	underlay ${P}${n}1 ${P}${n}2
	for i in 1 2; do
		peer=192.168.60.$((3 - i))
		if [ "$type" = vxlan ]; then
			ip -n ${P}${n}$i link add tun0 type vxlan id 100 remote $peer \
				local 192.168.60.$i dstport 4789
		else
			ip -n ${P}${n}$i link add tun0 type geneve id 100 remote $peer
		fi
		ip -n ${P}${n}$i link add br0 type bridge
		ip -n ${P}${n}$i link set tun0 master br0 up
		ip -n ${P}${n}$i link set br0 up
		guest ${P}${n}$i ${P}${n}g$i p$i 02:00:00:00:00:0$i 10.0.1.1$((i - 1))
		ip -n ${P}${n}$i link set p$i master br0
	done
}

# ---- OVS kernel datapath + Geneve, two hosts --------------------------------------
ovs_start() {	# HOST
	local h=$1 d=/tmp/$P-ovs-$1
	mkdir -p $d
	ovsdb-tool create $d/conf.db /usr/share/openvswitch/vswitch.ovsschema || return 1
	ip netns exec $h env OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d \
		ovsdb-server $d/conf.db --remote=punix:$d/db.sock --pidfile=$d/ovsdb.pid \
		--detach --log-file=$d/ovsdb.log >/dev/null 2>&1 || return 1
	ip netns exec $h env OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d \
		ovs-vsctl --db=unix:$d/db.sock --no-wait init >/dev/null 2>&1 || return 1
	ip netns exec $h env OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d \
		ovs-vswitchd unix:$d/db.sock --pidfile=$d/vswitchd.pid --detach \
		--log-file=$d/vswitchd.log >/dev/null 2>&1 || return 1
}
ovs_vsctl() {	# HOST ARGS...
	local h=$1 d=/tmp/$P-ovs-$1
	shift
	ip netns exec $h env OVS_RUNDIR=$d ovs-vsctl --db=unix:$d/db.sock --timeout=20 "$@"
}
setup_ovs() {
	local i
	modprobe -q openvswitch || return 1
	ns ${P}ov1
	ns ${P}ov2
	underlay ${P}ov1 ${P}ov2
	for i in 1 2; do
		ovs_start ${P}ov$i || return 1
		guest ${P}ov$i ${P}ovg$i p$i 02:00:00:00:00:0$i 10.0.1.1$((i - 1))
		ovs_vsctl ${P}ov$i add-br br0 -- add-port br0 p$i -- \
			add-port br0 gnv0 -- set interface gnv0 type=geneve \
			options:remote_ip=192.168.60.$((3 - i)) options:key=100 || return 1
		ip -n ${P}ov$i link set br0 up
	done
}

# ---- measuring -------------------------------------------------------------------
# tcp CLIENT_NS SERVER_NS SERVER_IP: Gbit/s; udp ...: frames/s received.
iperf_json() {	# CLIENT SERVER IP ARGS...
	local c=$1 s=$2 ip=$3
	shift 3
	ip netns exec $s iperf3 -s -1 -D -p 5299 >/dev/null 2>&1
	sleep 0.3
	ip netns exec $c timeout $((T + 15)) iperf3 -c $ip -p 5299 -t $T -J "$@" 2>/dev/null
}
tcp() {
	iperf_json "$@" | /usr/bin/python3 -c '
import json, sys
try:
    print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("nan")'
}
udp() {
	iperf_json "$@" -u -b 0 -l 22 | /usr/bin/python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)["end"]["sum"]
    print("%.0f" % ((s["packets"] - s["lost_packets"]) / s["seconds"]))
except Exception:
    print("nan")'
}
stats() {	# VALUES...: "median (min-max)"
	/usr/bin/python3 -c '
import statistics, sys
v = [float(x) for x in sys.argv[1:] if x != "nan"]
if not v:
    print("nan nan nan")
else:
    print(statistics.median(v), min(v), max(v))' "$@"
}

# compare LABEL KIND KC_CLIENT KC_SERVER ANCHOR_NAME A_CLIENT A_SERVER
compare() {
	local label=$1 kind=$2 kc=$3 ks=$4 an=$5 ac=$6 as=$7 r a=() k=()
	for ((r = 0; r < ROUNDS; r++)); do
		k+=("$($kind $kc $ks $G2)")
		a+=("$($kind $ac $as $G2)")
	done
	read -r km kmin kmax <<< "$(stats "${k[@]}")"
	read -r am amin amax <<< "$(stats "${a[@]}")"
	local unit=Gbit/s
	[ $kind = udp ] && unit=frames/s
	/usr/bin/python3 -c '
import sys
label, unit, km, kmin, kmax, an, am, amin, amax = sys.argv[1:]
f = (lambda x: "%.0f" % float(x)) if unit == "frames/s" else (lambda x: "%.2f" % float(x))
ratio = float(km) / float(am) if float(am) > 0 else float("nan")
print("%-30s kcloud %9s %s (%s-%s)  %-14s %9s (%s-%s)  ratio %.2f" %
      (label, f(km), unit, f(kmin), f(kmax), an, f(am), f(amin), f(amax), ratio))' \
		"$label" "$unit" "$km" "$kmin" "$kmax" "$an" "$am" "$amin" "$amax"
	echo "  runs: kcloud ${k[*]} / $an ${a[*]}" >&2
}

echo "# bench-vpc: $ROUNDS interleaved rounds of $T s per figure, median (min-max)$(
	[ $WIRE = 1 ] && echo ", wire-like underlay (-w)")"
setup_kc_local
setup_br_local
setup_kc_remote
setup_br_tunnel vx vxlan
setup_br_tunnel gn geneve
have_ovs=0
if [ $OVS = 1 ]; then
	if setup_ovs; then
		have_ovs=1
	else
		echo "# OVS: setup failed, skipped" >&2
	fi
fi
# Warm up every path (ARP, OVS flow setup).
for p in "${P}kl1 $G2" "${P}bl1 $G2" "${P}krg1 $G2" "${P}vxg1 $G2" "${P}gng1 $G2" \
	 "${P}ovg1 $G2"; do
	set -- $p
	[ -e /run/netns/$1 ] && ip netns exec $1 ping -c 2 -i 0.2 -W 2 $2 >/dev/null 2>&1
done

compare "local TCP" tcp ${P}kl1 ${P}kl2 bridge ${P}bl1 ${P}bl2
compare "local UDP 64B" udp ${P}kl1 ${P}kl2 bridge ${P}bl1 ${P}bl2
compare "remote TCP" tcp ${P}krg1 ${P}krg2 bridge+vxlan ${P}vxg1 ${P}vxg2
compare "remote TCP" tcp ${P}krg1 ${P}krg2 bridge+geneve ${P}gng1 ${P}gng2
compare "remote UDP 64B" udp ${P}krg1 ${P}krg2 bridge+vxlan ${P}vxg1 ${P}vxg2
compare "remote UDP 64B" udp ${P}krg1 ${P}krg2 bridge+geneve ${P}gng1 ${P}gng2
if [ $have_ovs = 1 ]; then
	compare "remote TCP" tcp ${P}krg1 ${P}krg2 ovs+geneve ${P}ovg1 ${P}ovg2
	compare "remote UDP 64B" udp ${P}krg1 ${P}krg2 ovs+geneve ${P}ovg1 ${P}ovg2
fi
