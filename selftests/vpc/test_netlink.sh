#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kcloud_vpc netlink API and the tool: objects added, shown (-j),
# changed and deleted; notifications of every change; a dump of 300
# mappings across several messages; bad input (missing, oversized,
# wrong-type, out-of-range attributes, unknown objects, duplicates,
# in-use objects) refused with an extack message (nl_input.py); the tool
# prints the kernel's message and exits 1, or 2 on bad usage.
. "$(dirname "$0")/vpc_lib.sh"
kc_require_root
kc_load vpc || t_skip_all "kcloud_vpc.ko not built"

H=${VP}n
vpc_host $H
bad=$(ip netns exec $H /usr/bin/python3 "$(dirname "$0")/nl_input.py" 2>&1)
nbad=$(grep -c '^\(PASS\|FAIL\)' <<< "$bad")
t_plan $((nbad + 22))
while read -r verdict desc; do
	case "$verdict" in
	PASS) t_ok "netlink: $desc" ;;
	FAIL) t_notok "netlink: $desc" ;;
	*) t_diag "$verdict $desc" ;;
	esac
done <<< "$bad"

ip netns exec $H "$KC_TOOL" vpc monitor > /tmp/$VP.events 2>&1 &
mon=$!
t_defer "kill $mon; rm -f /tmp/$VP.events"
kc_wait 10 kc_subscribed $mon || t_diag "the monitor did not subscribe in time"

t_check "vpc add" kch $H vpc add red vni 100 cidr 10.0.0.0/16
t_eq "vpc show -j" "$(kch $H -j vpc show red)" \
	'[{"id":1,"name":"red","vni":100,"addr":"10.0.0.0","prefixlen":16}]'
out=$(kch $H vpc add red vni 101 cidr 10.1.0.0/16 2>&1)
rc=$?
t_eq "the tool prints the kernel's extack and exits 1" "$rc $out" \
	"1 kcloud: kcloud_vpc: a VPC with this name exists"
kch $H vpc add 2>/dev/null
t_eq "bad usage exits 2" $? 2
t_check "vpc set name" kch $H vpc set red name crimson
t_check "subnet add" kch $H subnet add vpc crimson cidr 10.0.4.0/22 name big
t_eq "subnet show: gateway is the first address" \
	"$(kch $H -j subnet show vpc crimson | grep -o '"gateway":"[0-9.]*"')" \
	'"gateway":"10.0.4.1"'
t_check "host add" kch $H host add local 192.168.50.1 port 6090 mtu 9000
t_eq "host show: the guest MTU is the underlay's less 50" \
	"$(kch $H host show)" "host local 192.168.50.1 port 6090 mtu 9000 guest-mtu 8950"
t_check "host set" kch $H host set port 6091
t_check_fail "host add twice" kch $H host add local 192.168.50.1

# -batch: commands from a file, as ip -batch; the first failure stops it
# (and names its line) unless -force.
printf '%s\n' "# two subnets" "subnet add vpc crimson cidr 10.0.8.0/24 name \"b one\"" \
	"" "subnet add vpc crimson cidr 10.0.8.0/24" "subnet add vpc crimson cidr 10.0.9.0/24" \
	> /tmp/$VP.batch
t_defer "rm -f /tmp/$VP.batch"
out=$(kch $H -batch /tmp/$VP.batch 2>&1)
t_eq "kcloud -batch stops at a failing line, with its extack and line number, exit 1" "$? $out" \
	"1 kcloud: kcloud_vpc: subnet CIDR overlaps another subnet
kcloud: command failed /tmp/$VP.batch:4"
t_eq "kcloud -batch ran the lines before it, quoted words whole, not those after it" \
	"$(kch $H subnet show vpc crimson | grep -c '10.0.8.0/24.*b one') $(kch $H subnet show vpc crimson | grep -c 10.0.9.0)" "1 0"
kch $H subnet del vpc crimson cidr 10.0.8.0/24
out=$(kch $H -batch /tmp/$VP.batch -force 2>&1)
t_eq "kcloud -batch -force goes on after a failure and exits 1" "$?" 1
t_eq "kcloud -batch -force ran every line" "$(kch $H subnet show vpc crimson | grep -c '10.0.[89].0/24')" 2
kch $H subnet del vpc crimson cidr 10.0.8.0/24
kch $H subnet del vpc crimson cidr 10.0.9.0/24

# 300 mappings (added over one socket: 300 runs of the tool are slow
# under TCG): a dump spans several messages and loses none.
fails=$(ip netns exec $H /usr/bin/python3 "$(dirname "$0")/nl_bulk.py" add 1 300)
t_eq "300 mappings added" $fails 0
t_eq "a dump returns all 300" "$(kch $H mapping show | grep -c '^mapping')" 300
t_check "mapping set underlay" kch $H mapping set vpc crimson ip 10.0.4.10 underlay 192.168.50.9
t_eq "mapping show after set" "$(kch $H mapping show vpc crimson ip 10.0.4.10)" \
	"mapping vpc 1 subnet 1 ip 10.0.4.10 mac 02:00:00:01:00:0a underlay 192.168.50.9"
fails=$(ip netns exec $H /usr/bin/python3 "$(dirname "$0")/nl_bulk.py" del 1 300)
t_eq "300 mappings deleted" "$fails $(kch $H mapping show | grep -c '^mapping')" "0 0"

kch $H host del
kch $H subnet del vpc crimson cidr 10.0.4.0/22
kch $H vpc del crimson
kc_wait 10 grep -q '^vpc del vpc 1 name crimson' /tmp/$VP.events
ev=$(grep -c '^add mapping' /tmp/$VP.events)
t_eq "notifications: 300 mapping adds" "$ev" 300
t_check "notifications: VPC add, set, del; subnet; host" sh -c "
	grep -q '^vpc add vpc 1 name red vni 100' /tmp/$VP.events &&
	grep -q '^vpc set vpc 1 name crimson' /tmp/$VP.events &&
	grep -q '^vpc del vpc 1 name crimson' /tmp/$VP.events &&
	grep -q '^add subnet 1 vpc 1 cidr 10.0.4.0/22' /tmp/$VP.events &&
	grep -q '^del host' /tmp/$VP.events"
t_done
