#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale: one host with 100,000 remote mappings and 4,096 local ports (4,095
# dummy netdevs and the veth of guest a), added and deleted in netlink
# batches (nl_bulk.py). A full dump returns every one of them; guest a
# reaches guest b on another host through the mapping added last, and b
# reaches a; deleting everything leaves empty dumps, stops the traffic at
# once, and frees the subnets. The time of each phase is printed (never
# asserted): with lookups linear in the number of objects, adding 100,000
# mappings would take minutes.
. "$(dirname "$0")/vpc_lib.sh"
kc_require_root
kc_load vpc || t_skip_all "kcloud_vpc.ko not built"

# make check-debug asks for fewer (KCLOUD_VPC_SCALE_MAPPINGS, _PORTS): the
# same code paths, without an hour of netdev churn under KASAN and lockdep.
NMAP=${KCLOUD_VPC_SCALE_MAPPINGS:-100000} NPORT=${KCLOUD_VPC_SCALE_PORTS:-4096}
H=${VP}s H2=${VP}t
BULK="/usr/bin/python3 $(dirname "$0")/nl_bulk.py -t"

t_plan 12
t0=$SECONDS
vpc_host $H
vpc_host $H2
ip link add ul0 netns $H type veth peer name ul0 netns $H2
ip -n $H addr add 192.168.50.1/24 dev ul0
ip -n $H2 addr add 192.168.50.2/24 dev ul0
ip -n $H link set ul0 up
ip -n $H2 link set ul0 up
for h in $H $H2; do
	kch $h vpc add big vni 300 cidr 10.0.0.0/8
	kch $h subnet add vpc big cidr 10.0.0.0/16
	kch $h subnet add vpc big cidr 10.1.0.0/16
	kch $h subnet add vpc big cidr 10.2.0.0/16
done
kch $H host add local 192.168.50.1
kch $H2 host add local 192.168.50.2
t_defer "ip netns exec $H $KC_TOOL host del"
t_defer "ip netns exec $H2 $KC_TOOL host del"

# a on H (10.2.100.10), b on H2 (10.1.200.10): outside the bulk ranges
# (mappings from 10.0.0.10 to 10.1.160.x, ports from 10.2.0.10 to 10.2.17.x).
vpc_guest $H ${VP}a pa 02:00:00:00:02:0a 10.2.100.10/16 10.2.0.1
vpc_guest $H2 ${VP}b pb 02:00:00:00:01:0b 10.1.200.10/16 10.1.0.1
kch $H2 port add dev pb vpc big mac 02:00:00:00:01:0b ip 10.1.200.10
kch $H2 mapping add vpc big ip 10.2.100.10 mac 02:00:00:00:02:0a underlay 192.168.50.1

phase() {
	local s=$SECONDS
	"$@"
	t_diag "$* took $((SECONDS - s)) s"
}

# The dummies are created while the mappings are added (the RTNL and the
# switch's lock are not the same): nl_bulk.py waits for the last one.
s=$SECONDS
for i in $(seq 0 $((NPORT - 2))); do
	echo "link add d$i type dummy"
done > /tmp/$VP.batch
phase ip -n $H -batch /tmp/$VP.batch &
dummies=$!
fails=$(ip netns exec $H $BULK add 1 $((NMAP - 1)) 10.0.0.0 -- \
	port-add 1 $((NPORT - 1)) 10.2.0.0 d 2>/tmp/$VP.err)
wait $dummies
rm -f /tmp/$VP.batch
t_diag "$(cat /tmp/$VP.err)"
t_eq "$((NMAP - 1)) mappings and $((NPORT - 1)) ports added in batches" "$fails" 0
t_check "the last port (guest a)" kch $H port add dev pa vpc big mac 02:00:00:00:02:0a ip 10.2.100.10
t_check "the last mapping (guest b)" \
	kch $H mapping add vpc big ip 10.1.200.10 mac 02:00:00:00:01:0b underlay 192.168.50.2
t_diag "creating $((NPORT - 1)) dummies, adding $NMAP mappings and $NPORT ports took $((SECONDS - s)) s"

s=$SECONDS
t_eq "a dump returns all $NMAP mappings" "$(kch $H mapping show | grep -c '^mapping')" $NMAP
t_eq "a dump returns all $NPORT ports" "$(kch $H port show | grep -c '^port')" $NPORT
t_diag "the two dumps took $((SECONDS - s)) s"
t_check "a duplicate address (guest b's) is refused" \
	sh -c "! ip netns exec $H $KC_TOOL mapping add vpc big ip 10.1.200.10 mac 02:00:00:00:09:09 underlay 192.168.50.3 2>/dev/null"

t_check "a reaches b through the mapping added last" vpc_ping ${VP}a 10.1.200.10
t_check "b reaches a, the port added last" vpc_ping ${VP}b 10.2.100.10

s=$SECONDS
fails=$(ip netns exec $H $BULK del 1 $((NMAP - 1)) 10.0.0.0 -- \
	port-del 1 $((NPORT - 1)) 10.2.0.0 d 2>/tmp/$VP.err)
t_diag "$(cat /tmp/$VP.err)"
rm -f /tmp/$VP.err
t_eq "$((NMAP - 1)) mappings and $((NPORT - 1)) ports deleted" "$fails" 0
t_diag "deleting took $((SECONDS - s)) s"
kch $H mapping del vpc big ip 10.1.200.10
t_check "the last mapping deleted: traffic stops at once" vpc_noping ${VP}a 10.1.200.10
kch $H port del dev pa
t_eq "dumps are empty" "$(kch $H mapping show | grep -c '^mapping') $(kch $H port show | grep -c '^port')" "0 0"
t_check "nothing holds the subnets and the VPC any more" sh -c "
	ip netns exec $H $KC_TOOL subnet del vpc big cidr 10.0.0.0/16 &&
	ip netns exec $H $KC_TOOL subnet del vpc big cidr 10.1.0.0/16 &&
	ip netns exec $H $KC_TOOL subnet del vpc big cidr 10.2.0.0/16 &&
	ip netns exec $H $KC_TOOL vpc del big"
t_diag "the test took $((SECONDS - t0)) s before its cleanup"
t_done
