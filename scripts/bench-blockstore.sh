#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Block store benchmark (not a test): a kcloud 2-replica volume against
# two DRBD 8.4 protocol C 2-node pairs (one as it comes, one that checks a
# crc32c of every block as kcloud does: drbd-crc) and the raw RAM disk, in
# one guest, each on brd RAM disks. Both have one copy on the compute host and one across the
# network: DRBD its local disk and its peer over loopback (DRBD's sockets
# live in the initial namespace only); kcloud a local replica (a target of
# this host, used without TCP) and a target in another namespace over a
# veth pair with loopback's MTU (KCLOUD_BENCH_LOCAL=0 puts both targets
# across the network; KCLOUD_BENCH_MTU sets another MTU). fio: 4k random
# write and read at queue depth 32 (IOPS, p99 latency) and 1 MiB
# sequential write (MB/s).
# Rounds are interleaved (raw, kcloud, drbd, raw, ...); each figure is the
# median of the rounds, with the spread (min..max), and the ratios.
#
# usage: selftests/vm/run-vm.sh --mem 4G --append tsc=reliable -- scripts/bench-blockstore.sh [ROUNDS [SECONDS]]
# (make bench BENCH=blockstore does that; scripts/bench.sh says why tsc=reliable)
set -u
ROUNDS=${1:-3}
SECS=${2:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
KC=$top/build/kcloud
out=${KCLOUD_SCRATCH:-/tmp}/bench-blockstore
mkdir -p "$out"
die() { echo "bench-blockstore: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (run it in the VM)"
grep -q '^kcloud_bs ' /proc/modules || insmod "$top/kmod/blockstore/kcloud_bs.ko" ||
	die "cannot load kcloud_bs"
modprobe brd rd_nr=7 rd_size=$((160 * 1024)) || die "no brd"
SIZE=$((128 << 20))

NS=kcbench
cleanup() {
	"$KC" volume delete bench >/dev/null 2>&1
	"$KC" target del b1 >/dev/null 2>&1
	ip netns exec $NS "$KC" target del b1 >/dev/null 2>&1
	ip netns exec $NS "$KC" target del b2 >/dev/null 2>&1
	ip netns del $NS >/dev/null 2>&1
	for r in r0 r1 r2 r3; do
		drbdsetup down $r >/dev/null 2>&1
	done
}
trap cleanup EXIT
ip link set lo up

# ---- kcloud: targets on ram1 (here) and ram2 (across a veth pair) ----------
mkdir -p /run/netns
ip netns add $NS || die "netns"
# DRBD's peer link is loopback (MTU 65536); the veth gets the largest MTU it
# takes, 65535, so that both move the same frames (KCLOUD_BENCH_MTU=1500 or
# 9001, a cloud network's, to see what the link's MTU costs).
MTU=${KCLOUD_BENCH_MTU:-65535}
ip link add kcb0 mtu "$MTU" type veth peer name eth0 mtu "$MTU" netns $NS || die "veth"
ip addr add 10.99.0.1/24 dev kcb0
ip link set kcb0 up
ip -n $NS addr add 10.99.0.2/24 dev eth0
ip -n $NS link set eth0 up
ip -n $NS link set lo up
if [ "${KCLOUD_BENCH_LOCAL:-1}" = 1 ]; then
	"$KC" target add b1 path /dev/ram1 port 7001 addr 127.0.0.1 || die "target b1"
	r1=127.0.0.1:7001
else
	ip netns exec $NS "$KC" target add b1 path /dev/ram1 port 7001 || die "target b1"
	r1=10.99.0.2:7001
fi
ip netns exec $NS "$KC" target add b2 path /dev/ram2 port 7002 || die "target b2"
"$KC" volume create bench size $SIZE quorum 2 \
	replica $r1 replica 10.99.0.2:7002 >/dev/null || die "volume"
for _ in $(seq 50); do
	"$KC" -j volume show bench | grep -q '"state":"ok"' && break
	sleep 0.2
done
kcdev=/dev/$("$KC" -j volume show bench | /usr/bin/python3 -c \
	'import json,sys; print(json.load(sys.stdin)[0]["disk"])')
echo "bench-blockstore: kcloud replicas local (no TCP): $("$KC" -j volume show bench |
	/usr/bin/python3 -c 'import json,sys; print([r.get("local") for r in json.load(sys.stdin)[0]["replicas"]])')"

# ---- DRBD 8.4 pairs ---------------------------------------------------------
# drbd_pair N DISK_A DISK_B PORT [NET OPTIONS]: minors N (primary, on
# 127.0.0.1) and N+1 (on 127.0.0.2) of resources rN and rN+1, protocol C;
# prints /dev/drbdN once it is connected and primary.
drbd_pair() {
	local m=$1 a=$2 b=$3 port=$4
	shift 4
	local r0=r$m r1=r$((m + 1))
	{
	yes yes | drbdmeta --force $m v08 "$a" internal create-md > /dev/null 2>&1 &&
	yes yes | drbdmeta --force $((m + 1)) v08 "$b" internal create-md > /dev/null 2>&1 &&
	drbdsetup new-resource $r0 && drbdsetup new-minor $r0 $m 0 &&
	drbdsetup new-resource $r1 && drbdsetup new-minor $r1 $((m + 1)) 0 &&
	drbdsetup attach $m "$a" "$a" internal &&
	drbdsetup attach $((m + 1)) "$b" "$b" internal &&
	drbdsetup connect $r0 ipv4:127.0.0.1:$port ipv4:127.0.0.2:$((port + 1)) --protocol=C "$@" &&
	drbdsetup connect $r1 ipv4:127.0.0.2:$((port + 1)) ipv4:127.0.0.1:$port --protocol=C "$@" ||
		return 1
	for _ in $(seq 100); do
		grep -q "^ *$m: cs:Connected" /proc/drbd && break
		sleep 0.2
	done
	drbdsetup new-current-uuid $m --clear-bitmap && drbdsetup primary $m || return 1
	} >&2
	[ -b /dev/drbd$m ] && echo /dev/drbd$m
}

# drbd: DRBD as it comes, which checks no data on the wire. drbd-crc: with
# data-integrity-alg crc32c, the check kcloud always makes (a crc32c of
# every block, made by the sender, checked by the receiver), with the same
# table-driven crc32c kcloud uses under TCG: the crypto API's default,
# crc32c-intel, runs the CPU's crc32 instruction, which TCG emulates at a
# sixth of the table's speed (kcloud_bs picks the faster when it loads).
drbd="" drbdcrc=""
if modprobe drbd 2>/dev/null && command -v drbdsetup >/dev/null; then
	ip addr add 127.0.0.2/8 dev lo 2>/dev/null
	mkdir -p /run/lock /var/lib/drbd
	drbd=$(drbd_pair 0 /dev/ram3 /dev/ram4 7788) || drbd=""
	drbdcrc=$(drbd_pair 2 /dev/ram5 /dev/ram6 7790 --data-integrity-alg=crc32c-generic) || drbdcrc=""
	if [ -z "$drbd" ] || [ -z "$drbdcrc" ]; then
		echo "bench-blockstore: a DRBD pair could not be set up (drbd: ${drbd:-none}, drbd-crc: ${drbdcrc:-none})" >&2
		cat /proc/drbd >&2
	fi
else
	echo "bench-blockstore: no drbd module or drbd-utils; no DRBD figures" >&2
fi

# fio JOB DEV: one figure, printed as "VALUE P99_US"
run_fio() {
	local job=$1 dev=$2 args
	case $job in
	randwrite|randread) args=(--rw=$job --bs=4k --iodepth=32) ;;
	seqwrite) args=(--rw=write --bs=1M --iodepth=8) ;;
	esac
	fio --name=b --filename="$dev" --direct=1 --ioengine=libaio --size=$SIZE \
		--runtime="$SECS" --time_based --randrepeat=0 --output-format=json \
		"${args[@]}" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]
op = "read" if sys.argv[1] == "randread" else "write"
r = j[op]
p99 = r.get("clat_ns", {}).get("percentile", {}).get("99.000000", 0) / 1000
val = r["bw_bytes"] / 1e6 if sys.argv[1] == "seqwrite" else r["iops"]
print("%.1f %.0f" % (val, p99))' "$job"
}

names=(raw kcloud)
devs=(/dev/ram0 "$kcdev")
if [ -n "$drbd" ]; then
	names+=(drbd)
	devs+=("$drbd")
fi
if [ -n "$drbdcrc" ]; then
	names+=(drbd-crc)
	devs+=("$drbdcrc")
fi
: > "$out/raw.txt"
for ((round = 1; round <= ROUNDS; round++)); do
	for job in randwrite randread seqwrite; do
		for i in "${!names[@]}"; do
			res=$(run_fio $job "${devs[$i]}")
			echo "${names[$i]} $job $res" >> "$out/raw.txt"
			echo "round $round: ${names[$i]} $job $res"
		done
	done
done

/usr/bin/python3 - "$out/raw.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
fig = {}
for name, job, val, p99 in rows:
    fig.setdefault((name, job), []).append((float(val), float(p99)))
units = {"randwrite": "IOPS", "randread": "IOPS", "seqwrite": "MB/s"}
print("\n%-10s %-8s %12s %18s %10s" % ("job", "device", "median", "spread", "p99 us"))
med = {}
for job in ("randwrite", "randread", "seqwrite"):
    for name in ("raw", "kcloud", "drbd", "drbd-crc"):
        v = fig.get((name, job))
        if not v:
            continue
        vals = [a for a, _ in v]
        m = statistics.median(vals)
        p = statistics.median([b for _, b in v])
        med[(name, job)] = (m, p)
        print("%-10s %-8s %10.1f %-4s %8.1f..%-8.1f %10.0f" %
              (job, name, m, units[job], min(vals), max(vals), p))
print()
for job in ("randwrite", "randread", "seqwrite"):
    k = med.get(("kcloud", job))
    for other in ("drbd", "drbd-crc", "raw"):
        o = med.get((other, job))
        if k and o and o[0]:
            print("%-10s kcloud/%-8s %6.2f   (p99 %s/%s: %.2f)" %
                  (job, other, k[0] / o[0], "kcloud", other, k[1] / o[1] if o[1] else 0))
PY
