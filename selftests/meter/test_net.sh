#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Network metering: `kcloud meter attach` puts bpf/meter_tc.bpf.c on an
# instance's port (clsact ingress and egress); known UDP datagrams are sent
# both ways through a veth pair, and the meter must show exactly their bytes
# and packets, in the right direction and destination class (the instance's
# VPC, another private range, the internet). The port carries nothing else:
# no IPv6, static neighbours. While the program is attached the module
# cannot be unloaded; once detached it can.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"
[ -r "$KC_BUILD/kcloud" ] || t_skip_all "build/kcloud not built"

t_plan 15

PY=/usr/bin/python3
G=kcmg-$$
P=kcmp$$
kc_netns "$G"
ip link add "$P" type veth peer name eth0 netns "$G" || t_skip_all "no veth"
t_defer "ip link del $P"
t_defer "kc meter instance del 201"
sysctl -qw "net.ipv6.conf.$P.disable_ipv6=1"
kc_in "$G" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
ip addr add 10.77.0.1/24 dev "$P"
ip addr add 172.16.5.1/32 dev "$P"
ip addr add 198.51.100.1/32 dev "$P"
kc_in "$G" ip addr add 10.77.0.2/24 dev eth0
hmac=$(cat /sys/class/net/"$P"/address)
gmac=$(kc_in "$G" cat /sys/class/net/eth0/address)
ip neigh replace 10.77.0.2 lladdr "$gmac" dev "$P" nud permanent
kc_in "$G" ip neigh replace 10.77.0.1 lladdr "$hmac" dev eth0 nud permanent
ip link set "$P" up
kc_in "$G" ip link set eth0 up
kc_in "$G" ip route add default via 10.77.0.1

# UDP sinks on both sides, so that nothing answers with ICMP.
sink='import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",9000))
open(sys.argv[1],"w").close()
while True: s.recv(65535)'
rdy=$(mktemp -d)
t_defer "rm -rf $rdy"
$PY -c "$sink" "$rdy/host" & t_defer "kill $!"
ip netns exec "$G" $PY -c "$sink" "$rdy/guest" & t_defer "kill $!"
kc_wait 5 test -e "$rdy/host" -a -e "$rdy/guest"

# send NS SRC DST COUNT PAYLOAD
send() {
	kc_in "$1" $PY -c 'import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind((sys.argv[1],0))
for i in range(int(sys.argv[3])): s.sendto(b"k"*int(sys.argv[4]),(sys.argv[2],9000))' "$2" "$3" "$4" "$5"
}
sendh() { $PY -c 'import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind((sys.argv[1],0))
for i in range(int(sys.argv[3])): s.sendto(b"k"*int(sys.argv[4]),(sys.argv[2],9000))' "$@"; }

t_check "instance with the port" kc meter instance add 201 name net1 port "$P"
t_check "attach the tc program (it calls the kfunc, so the kfunc exists)" \
	kc meter attach net1 dev "$P" vpc 10.77.0.0/24
t_check "both hooks hold it" bash -c "tc filter show dev $P ingress | grep -q meter_ingress &&
	tc filter show dev $P egress | grep -q meter_egress"

# Out of the instance (guest -> host): 42 bytes of headers per frame.
send "$G" 10.77.0.2 10.77.0.1 5 100
send "$G" 10.77.0.2 172.16.5.1 3 200
send "$G" 10.77.0.2 198.51.100.1 2 300
# Into the instance (host -> guest), from each class of address.
sendh 10.77.0.1 10.77.0.2 4 150
sendh 172.16.5.1 10.77.0.2 2 250
sendh 198.51.100.1 10.77.0.2 1 50
sleep 0.3

net() { kc -j meter instance show 201 |
	jq -r ".[0].stats.net[] | select(.dir == \"$1\" and .class == \"$2\") | \"\(.bytes)/\(.packets)\""; }
t_eq "out vpc: 5 x 142 bytes" "$(net out vpc)" "710/5"
t_eq "out private: 3 x 242 bytes" "$(net out private)" "726/3"
t_eq "out internet: 2 x 342 bytes" "$(net out internet)" "684/2"
t_eq "in vpc: 4 x 192 bytes" "$(net in vpc)" "768/4"
t_eq "in private: 2 x 292 bytes" "$(net in private)" "584/2"
t_eq "in internet: 1 x 92 bytes" "$(net in internet)" "92/1"

t_check "Prometheus export has the exact counter" bash -c "$KC_TOOL meter export |
	grep -qx 'kcloud_network_bytes_total{id=\"201\",instance=\"net1\",tenant=\"\",dir=\"out\",class=\"vpc\"} 710'"
t_check "watch prints a line a second" bash -c \
	"[ \$($KC_TOOL meter watch net1 count 2 | grep -c ' instance 201 net1 ') -ge 1 ]"

# 1 and 2 nano-dollars a byte: the bill's network part is exact.
kc bill price set net out vpc 1000000000 net in internet 2000000000
t_defer "kc bill price set"
t_eq "network billed to the nano-dollar (710 * 1 + 92 * 2)" \
	"$(kc -j bill | jq '.[] | select(.id == 201) | .total_nano')" 894

# Live traffic while unloading: the attached program holds the module.
kc_in "$G" ping -q -i 0.01 -c 300 10.77.0.1 >/dev/null 2>&1 &
pinger=$!
sleep 0.3
t_check_fail "the module cannot go while a program calls its kfunc" rmmod kcloud_meter
t_check "detach" kc meter detach dev "$P"
wait $pinger
if rmmod kcloud_meter && kc_load meter; then
	t_ok "after detach the module unloads (with an instance and traffic seen) and reloads"
else
	t_notok "after detach the module unloads (with an instance and traffic seen) and reloads"
	kc_load meter
fi
t_done
