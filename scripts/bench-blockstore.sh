#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Block store benchmark (not a test): a kcloud 2-replica volume against a
# DRBD 8.4 protocol C 2-node pair and the raw RAM disk, in one guest, each on
# brd RAM disks. Both have one copy on the compute host and one across the
# network: DRBD its local disk and its peer over loopback (DRBD's sockets
# live in the initial namespace only); kcloud a local replica (a target of
# this host, used without TCP) and a target in another namespace over a
# veth pair (set KCLOUD_BENCH_LOCAL=0 to put both targets across the
# network). fio: 4k random write and read at queue depth 32 (IOPS, p99
# latency) and 1 MiB sequential write (MB/s).
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
modprobe brd rd_nr=5 rd_size=$((160 * 1024)) || die "no brd"
SIZE=$((128 << 20))

NS=kcbench
cleanup() {
	"$KC" volume delete bench >/dev/null 2>&1
	"$KC" target del b1 >/dev/null 2>&1
	ip netns exec $NS "$KC" target del b1 >/dev/null 2>&1
	ip netns exec $NS "$KC" target del b2 >/dev/null 2>&1
	ip netns del $NS >/dev/null 2>&1
	drbdsetup down r0 >/dev/null 2>&1
	drbdsetup down r1 >/dev/null 2>&1
}
trap cleanup EXIT
ip link set lo up

# ---- kcloud: targets on ram1 (here) and ram2 (across a veth pair) ----------
mkdir -p /run/netns
ip netns add $NS || die "netns"
ip link add kcb0 type veth peer name eth0 netns $NS || die "veth"
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

# ---- DRBD 8.4: r0 (ram3, 127.0.0.1) primary, r1 (ram4, 127.0.0.2) -----
drbd=""
if modprobe drbd 2>/dev/null && command -v drbdsetup >/dev/null; then
	ip addr add 127.0.0.2/8 dev lo 2>/dev/null
	mkdir -p /run/lock /var/lib/drbd
	ok=1
	for m in 0 1; do
		yes yes | drbdmeta --force $m v08 /dev/ram$((m + 3)) internal create-md \
			>/dev/null 2>&1 || ok=0
	done
	drbdsetup new-resource r0 && drbdsetup new-minor r0 0 0 &&
	drbdsetup new-resource r1 && drbdsetup new-minor r1 1 0 &&
	drbdsetup attach 0 /dev/ram3 /dev/ram3 internal &&
	drbdsetup attach 1 /dev/ram4 /dev/ram4 internal &&
	drbdsetup connect r0 ipv4:127.0.0.1:7788 ipv4:127.0.0.2:7789 --protocol=C &&
	drbdsetup connect r1 ipv4:127.0.0.2:7789 ipv4:127.0.0.1:7788 --protocol=C || ok=0
	for _ in $(seq 100); do
		grep -q "cs:Connected" /proc/drbd && break
		sleep 0.2
	done
	drbdsetup new-current-uuid 0 --clear-bitmap || ok=0
	drbdsetup primary 0 || ok=0
	if [ $ok = 1 ] && [ -b /dev/drbd0 ]; then
		drbd=/dev/drbd0
	else
		echo "bench-blockstore: DRBD could not be set up; no DRBD figures" >&2
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
    for name in ("raw", "kcloud", "drbd"):
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
    for other in ("drbd", "raw"):
        o = med.get((other, job))
        if k and o and o[0]:
            print("%-10s kcloud/%-5s %6.2f   (p99 %s/%s: %.2f)" %
                  (job, other, k[0] / o[0], "kcloud", other, k[1] / o[1] if o[1] else 0))
PY
