#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Add or delete many kcloud_vpc mappings quickly over one netlink socket
(the tool would spawn a process for each): nl_bulk.py add|del VPC_ID N.
Mapping i (0 <= i < N) is 10.0.4.0 + 10 + i, MAC 02:00:00:01:HH:LL,
underlay 192.168.50.(2 + i % 3). Prints the number of failures."""

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kcgenl as g  # noqa: E402

# enum kcloud_vpc_cmd / kcloud_vpc_attr (kcloud_vpc.h)
ADD_MAPPING, DEL_MAPPING = 14, 15
A_VPC_ID, A_ADDR, A_MAC, A_UNDERLAY = 4, 7, 13, 15

verb, vpc, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = g.GenlSocket()
fam = s.family("kcloud_vpc")
fails = 0
for i in range(10, 10 + n):
    a = g.nla_u32(A_VPC_ID, vpc) + g.nla(A_ADDR, socket.inet_aton("10.0.%d.%d" % (4 + i // 256, i % 256)))
    if verb == "add":
        a += g.nla(A_MAC, bytes([2, 0, 0, 1, i // 256, i % 256]))
        a += g.nla(A_UNDERLAY, socket.inet_aton("192.168.50.%d" % (2 + i % 3)))
    try:
        s.request(fam.id, ADD_MAPPING if verb == "add" else DEL_MAPPING, a)
    except g.NetlinkError as e:
        fails += 1
        print("mapping %d: %s" % (i, e), file=sys.stderr)
print(fails)
