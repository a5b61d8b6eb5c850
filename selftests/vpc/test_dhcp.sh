#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DHCP answered by the switch: busybox udhcpc in a guest gets exactly its
# port's lease (address, mask, router = gateway, MTU = underlay less 50,
# DNS = VPC base + 2), configures itself with it and reaches another
# guest; a client behind a port with another MAC gets nothing.
. "$(dirname "$0")/vpc_lib.sh"
kc_require_root
kc_load vpc || t_skip_all "kcloud_vpc.ko not built"
busybox udhcpc --help >/dev/null 2>&1 || t_skip_all "busybox udhcpc not found"

t_plan 7
H=${VP}d
vpc_host $H
kch $H vpc add red vni 100 cidr 10.0.0.0/16
t_defer "kch $H vpc del red"
kch $H subnet add vpc red cidr 10.0.1.0/24
t_defer "kch $H subnet del vpc red cidr 10.0.1.0/24"
kch $H host add local 192.168.50.1 mtu 1400
t_defer "kch $H host del"

MA=02:00:00:00:01:2a MB=02:00:00:00:01:2b
vpc_guest $H ${VP}a pa $MA dhcp
vpc_guest $H ${VP}b pb $MB 10.0.1.21/24 10.0.1.1
kch $H port add dev pa vpc red mac $MA ip 10.0.1.20
kch $H port add dev pb vpc red mac $MB ip 10.0.1.21
t_defer "kch $H port del dev pa; kch $H port del dev pb"

# The script udhcpc runs: keep the lease, configure eth0 with it.
lease=/tmp/$VP.lease
script=/tmp/$VP.script
t_defer "rm -f $lease $script"
cat > $script <<EOS
#!/bin/sh
[ "\$1" = bound ] || exit 0
echo "ip=\$ip subnet=\$subnet router=\$router dns=\$dns mtu=\$mtu serverid=\$serverid" > $lease
ip addr add \$ip/\$mask dev \$interface
ip link set \$interface mtu \$mtu
ip route add default via \$router
EOS
chmod +x $script

t_check "udhcpc gets a lease" \
	ip netns exec ${VP}a busybox udhcpc -i eth0 -f -q -n -t 3 -T 2 -s $script
t_eq "the lease is the port's" "$(cat $lease 2>/dev/null)" \
	"ip=10.0.1.20 subnet=255.255.255.0 router=10.0.1.1 dns=10.0.0.2 mtu=1350 serverid=10.0.1.1"
t_eq "the guest configured itself" "$(ip -n ${VP}a -br addr show eth0 | awk '{print $3}')" \
	10.0.1.20/24
t_check "the guest reaches another guest" vpc_ping ${VP}a 10.0.1.21

# Asking for another address still gets the port's.
rm -f $lease
ip -n ${VP}a addr flush dev eth0
ip -n ${VP}a link set eth0 mtu 1450
ip netns exec ${VP}a busybox udhcpc -i eth0 -f -q -n -t 2 -T 1 -r 10.0.1.99 -s $script >/dev/null 2>&1
t_eq "asking for another address gets the port's" "$(cut -d' ' -f1 $lease 2>/dev/null)" ip=10.0.1.20
ip -n ${VP}a addr flush dev eth0

# A client with a MAC that is not the port's is not answered, and counted.
ip -n ${VP}a link set eth0 address 02:00:00:00:01:ee
d0=$(vpc_stat $H pa drops.spoof_mac)
t_check_fail "a client with another MAC gets no lease" \
	ip netns exec ${VP}a busybox udhcpc -i eth0 -f -q -n -t 2 -T 1 -s $script
t_ok_count=$(($(vpc_stat $H pa drops.spoof_mac) - d0))
t_eq "its requests counted as spoofed" "$([ $t_ok_count -ge 2 ] && echo yes)" yes
t_done
