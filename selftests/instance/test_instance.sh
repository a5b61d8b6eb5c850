#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Instances end to end (slow: real guests, nested under TCG): two instances
# in two subnets of one VPC get their DHCP leases from the switch and ping
# each other; a third in another VPC with the same addresses reaches
# neither; one writes to its replicated volume; the meter knows them; stop
# and start keep the disk; terminate leaves nothing behind; bad requests
# fail with a reason and leave nothing behind either.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
export KCLOUD_STATE_DIR=/tmp/kcloud-test-instances
rm -rf "$KCLOUD_STATE_DIR"
BOOT=${KCLOUD_BOOT_TIMEOUT:-900}
t_plan 22

t_defer "rm -rf $KCLOUD_STATE_DIR /tmp/kcinst"
cleanup() {
	local i
	for i in a1 a2 b1 c1; do kc instance terminate "$i"; done
	kc volume delete vol-a1
	kc target del ta1
	kc target del ta2
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
	local name=$1 line=$2 end=$((SECONDS + BOOT))
	while [ $SECONDS -lt $end ]; do
		grep -q "$line" "$KCLOUD_STATE_DIR/instances/$name/console.log" 2>/dev/null && return 0
		sleep 2
	done
	return 1
}
console() { cat "$KCLOUD_STATE_DIR/instances/$1/console.log" 2>/dev/null; }

mkdir -p /tmp/kcinst
kc vpc add vpc-a vni 1001 cidr 10.10.0.0/16 >/dev/null
kc subnet add vpc vpc-a cidr 10.10.1.0/24 >/dev/null
kc subnet add vpc vpc-a cidr 10.10.2.0/24 >/dev/null
kc vpc add vpc-b vni 1002 cidr 10.10.0.0/16 >/dev/null
kc subnet add vpc vpc-b cidr 10.10.1.0/24 >/dev/null

# A volume on two replica targets (files), formatted for the guest.
truncate -s 64M /tmp/kcinst/r1.img /tmp/kcinst/r2.img
kc target add ta1 path /tmp/kcinst/r1.img port 7101 addr 127.0.0.1 >/dev/null
kc target add ta2 path /tmp/kcinst/r2.img port 7102 addr 127.0.0.1 >/dev/null
kc volume create vol-a1 size 64M replica 127.0.0.1:7101 replica 127.0.0.1:7102 >/dev/null
kc_wait 30 test -b /dev/kcbs0
t_check "a two-replica volume formatted ext4" mkfs.ext4 -q -F "/dev/$(kc -j volume show vol-a1 | grep -o '"disk":"[^"]*"' | cut -d'"' -f4)"

cat > /tmp/kcinst/a1.sh <<'UD'
#!/bin/sh
echo "written by a1" > /data/hello && sync && echo "a1: wrote /data/hello"
UD
cat > /tmp/kcinst/ping.sh <<'UD'
#!/bin/sh
# Ping the peer until it answers (it may still be booting).
for i in $(seq 1 120); do
	if ping -c 1 -W 2 "$PEER" >/dev/null 2>&1; then echo "ping $PEER ok"; exit 0; fi
	sleep 2
done
echo "ping $PEER failed"
UD
sed 's/\$PEER/10.10.2.4/g' /tmp/kcinst/ping.sh > /tmp/kcinst/a1-ping.sh
cat /tmp/kcinst/a1.sh /tmp/kcinst/a1-ping.sh | grep -v '^#!' | sed '1i #!/bin/sh' > /tmp/kcinst/a1-all.sh
sed 's/\$PEER/10.10.1.4/g' /tmp/kcinst/ping.sh > /tmp/kcinst/a2-ping.sh
# c1 has a1's address in vpc-b and tries a2's address: nothing must answer.
cat > /tmp/kcinst/c1.sh <<'UD'
#!/bin/sh
if ping -c 3 -W 2 10.10.2.4 >/dev/null 2>&1; then echo "c1 reached 10.10.2.4"; else echo "c1 isolated"; fi
UD

t_check "run a1 (t.nano, subnet 1, with the volume)" \
	kc instance run a1 type t.nano vpc vpc-a subnet 10.10.1.0/24 volume vol-a1 user-data /tmp/kcinst/a1-all.sh
t_check "run a2 (t.nano, subnet 2)" \
	kc instance run --name a2 --type t.nano --vpc vpc-a --subnet 10.10.2.0/24 --user-data /tmp/kcinst/a2-ping.sh
t_check "run c1 in vpc-b with a1's address" \
	kc instance run c1 type t.nano vpc vpc-b subnet 10.10.1.0/24 user-data /tmp/kcinst/c1.sh

# Bad input: a clear error, and nothing left behind.
before=$(ip -o link | wc -l)
t_check_fail "unknown type refused" kc instance run x1 type t.huge vpc vpc-a subnet 10.10.1.0/24
t_check_fail "unknown VPC refused" kc instance run x1 type t.nano vpc nope subnet 10.10.1.0/24
t_check_fail "unknown subnet refused" kc instance run x1 type t.nano vpc vpc-a subnet 10.10.9.0/24
t_check_fail "unknown volume refused" kc instance run x1 type t.nano vpc vpc-a subnet 10.10.1.0/24 volume nope
t_check_fail "duplicate name refused" kc instance run a1 type t.nano vpc vpc-a subnet 10.10.1.0/24
t_check_fail "a volume in use refused" kc instance run x1 type t.nano vpc vpc-a subnet 10.10.2.0/24 volume vol-a1
t_check_fail "an address in use refused" kc instance run x1 type t.nano vpc vpc-a subnet 10.10.1.0/24 addr 10.10.1.4
t_eq "refused runs left no instance, tap or cgroup" \
	"$(ls "$KCLOUD_STATE_DIR/instances" | tr '\n' ' ')$(ip -o link | wc -l)$(ls -d /sys/fs/cgroup/kcloud/x1 2>/dev/null)" \
	"a1 a2 c1 $before"

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

# Stop keeps the disk; start boots again from it.
kc instance stop a1 >/dev/null
t_check "a1's file is on the volume after stop" bash -c \
	"d=/dev/\$('$KC_TOOL' -j volume show vol-a1 | grep -o '\"disk\":\"[^\"]*\"' | cut -d'\"' -f4); mkdir -p /tmp/kcinst/m && mount -o ro \$d /tmp/kcinst/m && grep -q 'written by a1' /tmp/kcinst/m/hello; rc=\$?; umount /tmp/kcinst/m; exit \$rc"

for i in a1 a2 c1; do kc instance terminate "$i" >/dev/null; done
t_eq "terminate left no tap, cgroup, port, meter instance or state" \
	"$(ip -o link | grep -c ' kct'; ls /sys/fs/cgroup/kcloud 2>/dev/null | grep -c -E '^(a1|a2|c1)$'; kc -j port show | grep -c kct; kc -j meter instance show | grep -c '"name"'; ls "$KCLOUD_STATE_DIR/instances" | wc -l)" \
	"$(printf '0\n0\n0\n0\n0')"
t_done
