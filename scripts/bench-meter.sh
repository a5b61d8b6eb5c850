#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark of the kcloud meter, in one guest:
#
#   throughput: iperf3 through a veth port with bpf/meter_tc.bpf.c attached
#               (ingress and egress, charging through the kfunc) against the
#               same port without it: TCP Gbit/s and 64-byte UDP frames per
#               second received. Each figure is the median of ROUNDS
#               interleaved runs (metered, bare, metered, bare...) with its
#               spread (min-max); the ratio is metered / bare (goal >= 0.98).
#   per packet: the programs' own run time per packet (kernel.bpf_stats_enabled:
#               run_time_ns / run_cnt, the kfunc included).
#   dump:       the time of a full `kcloud -j meter instance show` of N
#               instances (median of 3), and of `kcloud meter export`.
#
# usage (on the build machine):
#   selftests/vm/run-vm.sh -- scripts/bench-meter.sh [-t SECONDS] [-r ROUNDS] [-n N]
#   -t  seconds per iperf3 run (default 3)
#   -r  rounds (default 3)
#   -n  instances for the dump (default 10000)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib/lib.sh"
trap - EXIT
T=3 ROUNDS=3 N=10000
while getopts "t:r:n:" o; do
	case $o in
	t) T=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	n) N=$OPTARG ;;
	*) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench-meter: run it in the VM (selftests/vm/run-vm.sh)" >&2; exit 2; }
kc_load meter || { echo "bench-meter: cannot load kcloud_meter" >&2; exit 1; }

cleanup() {
	ip netns exec bmh "$KC_TOOL" meter detach dev vb >/dev/null 2>&1
	ip netns del bmg 2>/dev/null
	ip netns del bmh 2>/dev/null
	/usr/bin/python3 "$top/selftests/meter/scale.py" del 100 "$N" >/dev/null 2>&1
}
trap cleanup EXIT
for n in bmg bmh; do
	ip netns add $n
	ip -n $n link set lo up
done
ip -n bmh link add vb type veth peer name va netns bmg
ip -n bmh addr add 10.9.0.1/24 dev vb
ip -n bmg addr add 10.9.0.2/24 dev va
ip -n bmh link set vb up
ip -n bmg link set va up
kch() { ip netns exec bmh "$KC_TOOL" "$@"; }
kch meter instance add 1 name bench port vb

# median MIN MAX of numbers on stdin
stats() { sort -g | awk '{ v[NR] = $1 } END { printf "%s %s %s", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
run() {	# run tcp|udp: one figure
	ip netns exec bmg iperf3 -s -D -1 >/dev/null 2>&1
	sleep 0.3
	if [ "$1" = tcp ]; then
		ip netns exec bmh iperf3 -c 10.9.0.2 -t "$T" -J 2>/dev/null |
			jq '.end.sum_received.bits_per_second / 1e9'
	else
		ip netns exec bmh iperf3 -c 10.9.0.2 -u -l 22 -b 0 -t "$T" -J 2>/dev/null |
			jq '.end.sum.packets * (1 - .end.sum.lost_percent / 100) / .end.sum.seconds'
	fi
}
sysctl -qw kernel.bpf_stats_enabled=1
for kind in tcp udp; do
	: > /tmp/bm-on; : > /tmp/bm-off
	for ((r = 0; r < ROUNDS; r++)); do
		kch meter attach bench dev vb vpc 10.9.0.0/24
		run $kind >> /tmp/bm-on
		kch meter detach dev vb
		run $kind >> /tmp/bm-off
	done
	read -r on onmin onmax < <(stats < /tmp/bm-on)
	read -r off offmin offmax < <(stats < /tmp/bm-off)
	unit=$([ $kind = tcp ] && echo "Gbit/s" || echo "frames/s")
	printf "%s metered %.3f %s (%.3f-%.3f)  bare %.3f (%.3f-%.3f)  ratio %.3f\n" \
		"$kind" "$on" "$unit" "$onmin" "$onmax" "$off" "$offmin" "$offmax" \
		"$(echo "$on / $off" | bc -l)"
done

# The programs' own cost per packet.
kch meter attach bench dev vb vpc 10.9.0.0/24
run udp > /dev/null
bpftool -j prog show | jq -r '.[] | select(.name == "meter_ingress" or .name == "meter_egress")
	| select(.run_cnt > 0) | "\(.name): \(.run_time_ns / .run_cnt | floor) ns per packet over \(.run_cnt) packets"'
kch meter detach dev vb

# Full dump of N instances.
/usr/bin/python3 "$top/selftests/meter/scale.py" add 100 "$N" > /tmp/bm-add
echo "add $N instances: $(cat /tmp/bm-add) s"
sleep 2
for what in "-j meter instance show" "meter export"; do
	: > /tmp/bm-dump
	for r in 1 2 3; do
		s=$(date +%s%N)
		"$KC_TOOL" $what > /dev/null
		echo "$(( ($(date +%s%N) - s) / 1000000 ))" >> /tmp/bm-dump
	done
	read -r med min max < <(stats < /tmp/bm-dump)
	echo "kcloud $what of $N instances: $med ms ($min-$max)"
done
/usr/bin/python3 "$top/selftests/meter/scale.py" del 100 "$N" > /dev/null
