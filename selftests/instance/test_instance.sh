#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Instances end to end (real guests, nested in the VM): two instances in two
# subnets of one VPC get their DHCP leases from the switch and ping each
# other; a third in another VPC with the same addresses reaches neither.
# One keeps writing checksummed files to its 3-replica volume while a
# replica target dies: no write fails, the files are right afterwards and
# the replica resyncs; the volume then grows online and the running guest's
# disk grows with it. Stop and start keep the disk; the bill follows the
# per-second rule with its 60 s minimum; terminate leaves nothing behind;
# bad requests fail with a reason and leave nothing behind either.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../blockstore/bs_lib.sh"
kc_require_root
command -v qemu-system-x86_64 >/dev/null || t_skip_all "qemu-system-x86_64 is not installed"
kc_load bs vpc meter || t_skip_all "the kcloud modules do not load"
# In the scratch folder where there is one: the consoles stay for a look.
export KCLOUD_STATE_DIR=${KCLOUD_SCRATCH:-/tmp}/kcloud-test-instances
rm -rf "$KCLOUD_STATE_DIR"
BOOT=${KCLOUD_BOOT_TIMEOUT:-900}
W=/tmp/kcinst
VSIZE=$((64 << 20))
t_plan 45

t_defer "rm -rf $KCLOUD_STATE_DIR $W"
cleanup() {
	local i
	for i in a1 a2 b1 c1 x1; do kc instance terminate "$i"; done
	for v in vpc-a vpc-b; do
		for s in $(kc -j subnet show vpc "$v" 2>/dev/null | grep -o '"id":[0-9]*' | cut -d: -f2); do
			kc subnet del "$s"
		done
		kc vpc del "$v"
	done
}
t_defer cleanup

# Wait until LINE shows on instance NAME's console (or the time is up).
wait_console() {
	local name=$1 line=$2 end=$((SECONDS + ${3:-BOOT}))
	while [ $SECONDS -lt $end ]; do
		grep -q "$line" "$KCLOUD_STATE_DIR/instances/$name/console.log" 2>/dev/null && return 0
		sleep 2
	done
	return 1
}
console() { cat "$KCLOUD_STATE_DIR/instances/$1/console.log" 2>/dev/null; }
count() { grep -c "$2" "$KCLOUD_STATE_DIR/instances/$1/console.log" 2>/dev/null; }
inst_field() {
	kc -j instance show "$1" | /usr/bin/python3 -c \
		"import json,sys; v=json.load(sys.stdin); v=v[0] if isinstance(v,list) else v; print(v['$2'])"
}

mkdir -p $W
kc vpc add vpc-a vni 1001 cidr 10.10.0.0/16 >/dev/null
kc subnet add vpc vpc-a cidr 10.10.1.0/24 >/dev/null
kc subnet add vpc vpc-a cidr 10.10.2.0/24 >/dev/null
kc vpc add vpc-b vni 1002 cidr 10.10.0.0/16 >/dev/null
kc subnet add vpc vpc-b cidr 10.10.1.0/24 >/dev/null

# a1's disk: a volume on three replica targets, each in its own namespace.
bs_step "three replica targets in their namespaces" bs_setup_targets 3 96M
bs_step "a 3-replica volume" bs_volume_create vol-a1 3 size $VSIZE
# Instances go first, then the volume and targets (cleanups run last first).
t_defer "for i in a1 a2 b1 c1 x1; do '$KC_TOOL' instance terminate \$i; done"
fmt() { bs_wait_state vol-a1 ok 30 && mkfs.ext4 -q -F "$(bs_disk vol-a1)"; }
t_check "it is in sync and formatted ext4" fmt

# a1: on its first boot it writes hello; on every boot it says what it found;
# then it pings a2 and writes checksummed 256 KiB files, one every 2 s.
cat > $W/a1.sh <<'UD'
#!/bin/sh
if [ -f /data/hello ]; then
	echo "a1: found '$(cat /data/hello)'"
else
	echo "written by a1" > /data/hello && sync && echo "a1: wrote /data/hello"
fi
for i in $(seq 1 120); do
	ping -c 1 -W 2 10.10.2.4 >/dev/null 2>&1 && { echo "ping 10.10.2.4 ok"; break; }
	sleep 2
done
[ $i = 120 ] && echo "ping 10.10.2.4 failed"
mkdir -p /data/w
n=0
while [ $n -lt 400 ]; do
	n=$((n + 1))
	if dd if=/dev/urandom of=/data/w/f$n bs=64k count=4 2>/dev/null &&
		(cd /data/w && md5sum f$n >> /data/w/sums) && sync; then
		echo "a1: disk write $n ok, $(cat /sys/block/vda/size) sectors"
	else
		echo "a1: disk write $n FAILED"
	fi
	sleep 2
done &
UD
cat > $W/a2.sh <<'UD'
#!/bin/sh
for i in $(seq 1 120); do
	ping -c 1 -W 2 10.10.1.4 >/dev/null 2>&1 && { echo "ping 10.10.1.4 ok"; exit 0; }
	sleep 2
done
echo "ping 10.10.1.4 failed"
UD
# c1 has a1's address in vpc-b and tries a2's address: nothing must answer.
cat > $W/c1.sh <<'UD'
#!/bin/sh
if ping -c 3 -W 2 10.10.2.4 >/dev/null 2>&1; then echo "c1 reached 10.10.2.4"; else echo "c1 isolated"; fi
UD

t_a1=$SECONDS
t_check "run a1 (t.nano, subnet 1, with the volume)" \
	kc instance run a1 type t.nano vpc vpc-a subnet 10.10.1.0/24 volume vol-a1 user-data $W/a1.sh
t_a1r=$SECONDS
t_check "run a2 (t.nano, subnet 2)" \
	kc instance run --name a2 --type t.nano --vpc vpc-a --subnet 10.10.2.0/24 --user-data $W/a2.sh
t_check "run c1 in vpc-b with a1's address" \
	kc instance run c1 type t.nano vpc vpc-b subnet 10.10.1.0/24 user-data $W/c1.sh

# Bad input: a clear error, and nothing left behind.
before=$(ip -o link | wc -l)
t_check_fail "unknown type refused" kc instance run x1 type t.huge vpc vpc-a subnet 10.10.1.0/24
t_check_fail "unknown VPC refused" kc instance run x1 type t.nano vpc nope subnet 10.10.1.0/24
t_check_fail "unknown subnet refused" kc instance run x1 type t.nano vpc vpc-a subnet 10.10.9.0/24
t_check_fail "unknown volume refused" kc instance run x1 type t.nano vpc vpc-a subnet 10.10.1.0/24 volume nope
t_check_fail "duplicate name refused" kc instance run a1 type t.nano vpc vpc-a subnet 10.10.1.0/24
t_check_fail "a volume in use refused" kc instance run x1 type t.nano vpc vpc-a subnet 10.10.2.0/24 volume vol-a1
t_check_fail "an address in use refused" kc instance run x1 type t.nano vpc vpc-a subnet 10.10.1.0/24 addr 10.10.1.4
# A /28 (the smallest subnet, as in AWS) has 11 addresses once AWS's 5 are
# reserved: with 11 ports in it, the next run finds it full.
kc subnet add vpc vpc-b cidr 10.10.8.0/28 >/dev/null
for i in $(seq 4 14); do
	ip link add "kcfill$i" type dummy
	kc port add dev "kcfill$i" vpc vpc-b mac "$(printf '02:00:00:00:08:%02x' "$i")" ip "10.10.8.$i" >/dev/null
done
t_check_fail "an exhausted subnet refused" kc instance run x1 type t.nano vpc vpc-b subnet 10.10.8.0/28
for i in $(seq 4 14); do kc port del dev "kcfill$i" >/dev/null; ip link del "kcfill$i"; done
t_eq "refused runs left no instance, tap or cgroup" \
	"$(ls "$KCLOUD_STATE_DIR/instances" | tr '\n' ' ')$(ip -o link | wc -l)$(ls -d /sys/fs/cgroup/kcloud/x1 2>/dev/null)" \
	"a1 a2 c1 $before"

# A reboot resets the guest in place (same qemu, same billing period); a
# short run is billed the 60 s minimum.
t_b1=$SECONDS
kc instance run b1 type t.nano vpc vpc-a subnet 10.10.2.0/24 >/dev/null
t_b1r=$SECONDS
pid=$(inst_field b1 pid)
sleep 3
t_check "reboot b1 through QMP" kc instance reboot b1
t_eq "b1 after reboot: same qemu, still running, still metered" \
	"$(inst_field b1 pid) $(inst_field b1 state) $(kc meter instance show b1 >/dev/null 2>&1 && echo metered)" \
	"$pid running metered"
t_b1s=$SECONDS
kc instance stop b1 >/dev/null
# billed_in BILLED LO HI: the meter bills per second the time between
# registering and forgetting the instance, which lies within [LO, HI]
# seconds of wall time (the tool's own steps, slow on a loaded machine, make
# the span), and never less than 60 s.
billed_in() {
	local lo=$2 hi=$3
	[ "$lo" -lt 60 ] && lo=60
	[ "$hi" -lt 60 ] && hi=60
	[ "$1" -ge $((lo - 1)) ] && [ "$1" -le $((hi + 1)) ]
}
b1_wall=$((SECONDS - t_b1))
t_diag "b1 ran within $b1_wall s and was billed $(inst_field b1 billed_seconds) s"
t_check "b1's short run is billed the 60 s minimum (per second beyond it)" \
	billed_in "$(inst_field b1 billed_seconds)" $((t_b1s - t_b1r)) $b1_wall
t_eq "one billed run" "$(inst_field b1 billed_runs)" 1

if wait_console a1 "ping 10.10.2.4" && wait_console a2 "ping 10.10.1.4" && wait_console c1 "c1 "; then
	t_ok "the three guests booted and ran their user data"
else
	t_notok "the three guests booted and ran their user data"
	for i in a1 a2 c1; do t_diag "$i: $(console $i | tail -n 8)"; done
fi
t_check "a1 got 10.10.1.4/24 by DHCP" grep -q "kcloud-guest: dhcp eth0 10.10.1.4/24 router 10.10.1.1" "$KCLOUD_STATE_DIR/instances/a1/console.log"
t_check "c1 got the same address in the other VPC" grep -q "kcloud-guest: dhcp eth0 10.10.1.4/24" "$KCLOUD_STATE_DIR/instances/c1/console.log"
t_check "a1 pings a2 across subnets" grep -q "ping 10.10.2.4 ok" "$KCLOUD_STATE_DIR/instances/a1/console.log"
t_check "a2 pings a1 across subnets" grep -q "ping 10.10.1.4 ok" "$KCLOUD_STATE_DIR/instances/a2/console.log"
t_check "c1 in vpc-b reaches nothing in vpc-a" grep -q "c1 isolated" "$KCLOUD_STATE_DIR/instances/c1/console.log"
t_check "a1 wrote to its volume" grep -q "a1: wrote /data/hello" "$KCLOUD_STATE_DIR/instances/a1/console.log"
t_check "the meter has the instances" bash -c "'$KC_TOOL' meter instance show a1 && '$KC_TOOL' meter instance show a2"
# A qemu that dies behind the tool's back: the next look notices and cleans.
kill -9 "$(inst_field a2 pid)"
sleep 1
t_eq "a crashed a2 shows as stopped, its cgroup and meter entry released" \
	"$(inst_field a2 state) $(ls -d /sys/fs/cgroup/kcloud/a2 2>/dev/null | wc -l) $(kc meter instance show a2 >/dev/null 2>&1 && echo metered)" \
	"stopped 0 "
for i in c1 a2; do kc instance terminate "$i" >/dev/null; done

# A replica target dies while a1 writes: not one write fails.
wait_console a1 "a1: disk write 3 ok" 300
n0=$(count a1 "disk write .* ok")
t_check "replica target 2 stops while a1 writes" bs_target_stop 2
wait_console a1 "a1: disk write $((n0 + 5)) ok" 300
t_check "a1 kept writing with the replica gone" wait_console a1 "a1: disk write $((n0 + 5)) ok" 1
t_eq "replica 2 is out of sync" "$(bs_field vol-a1 'v["replicas"][1]["state"]')" out-of-sync
t_check "target 2 comes back" bs_target_start 2
t_check "the volume is in sync again" bs_wait_state vol-a1 ok 300
t_eq "no write failed in a1" "$(count a1 'FAILED')" 0

# The volume grows while a1 runs: a1's disk grows with it, as with EBS.
t_check "vol-a1 grows online to $((2 * VSIZE >> 20)) MiB" kc volume modify vol-a1 size $((2 * VSIZE))
t_check "a1's disk grows with it (qemu block_resize)" \
	wait_console a1 "ok, $((2 * VSIZE / 512)) sectors" 120
t_eq "still no write failed in a1" "$(count a1 'FAILED')" 0

# The meter counts what a1 wrote on its volume (the blk program, per volume).
vol_written() {
	kc -j -s meter instance show a1 | /usr/bin/python3 -c "import json,sys
v=json.load(sys.stdin); v=v[0] if isinstance(v,list) else v
print(sum(x.get('write_bytes',0) for x in v['stats'].get('volumes',[]) if x['name']=='vol-a1'))"
}
files=$(count a1 'disk write .* ok')
written=$(vol_written)
t_diag "the meter counted $written bytes written on vol-a1 ($files files of 256 KiB)"
t_check "the meter counted a1's disk writes on its volume" test "${written:-0}" -ge $((files * 262144))

# Stop keeps the disk: every file a1 wrote is there, as it was written.
t_stop0=$SECONDS
kc instance stop a1 >/dev/null
t_stop=$SECONDS
files_right() {
	local rc
	mkdir -p $W/m && mount -o ro "$(bs_disk vol-a1)" $W/m || return 1
	grep -q 'written by a1' $W/m/hello && [ "$(wc -l < $W/m/w/sums)" -ge $((n0 + 5)) ] &&
		(cd $W/m/w && md5sum -c --quiet sums)
	rc=$?
	umount $W/m
	return $rc
}
t_check "a1's files are on the volume after stop, checksums right" files_right
t_check "the three replicas are identical" bs_same 3 $VSIZE
billed=$(inst_field a1 billed_seconds)
ran=$((t_stop - t_a1))
t_diag "a1 ran about $ran s and was billed $billed s"
t_check "a1's bill is its run time, per second" billed_in "$billed" $((t_stop0 - t_a1r)) $ran

# Start boots again from the same disk.
t_check "a1 starts again" kc instance start a1
t_check "a1 found its file on the second boot" wait_console a1 "a1: found 'written by a1'"
t_eq "the meter counts a1's second run" "$(kc meter instance show a1 >/dev/null 2>&1 && echo yes)" yes

for i in a1 b1; do kc instance terminate "$i" >/dev/null; done
t_eq "terminate left no tap, cgroup, port, meter instance or state" \
	"$(ip -o link | grep -c ' kct'; ls /sys/fs/cgroup/kcloud 2>/dev/null | grep -c -E '^(a1|a2|b1|c1)$'; kc -j port show | grep -c kct; kc -j meter instance show | grep -c '"name"'; ls "$KCLOUD_STATE_DIR/instances" | wc -l)" \
	"$(printf '0\n0\n0\n0\n0')"
t_done
