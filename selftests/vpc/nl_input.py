#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Bad netlink input to kcloud_vpc, straight on the socket (what the tool
cannot send): each request must be refused with the expected errno and an
extack message. Run in a fresh network namespace (its own switch). Prints
one line per case: "PASS desc" or "FAIL desc: why"."""

import errno
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kcgenl as g  # noqa: E402

HDR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "kmod", "include", "uapi", "linux", "kcloud_vpc.h")


def enums():
    import re
    text = re.sub(r"/\*.*?\*/", "", open(HDR).read(), flags=re.S)
    vals = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\}", text, flags=re.S):
        v = 0
        for item in body.split(","):
            item = item.strip()
            m = re.match(r"(\w+)\s*(?:=\s*(.+))?$", item)
            if not m:
                continue
            if m.group(2):
                try:
                    v = int(eval(m.group(2).replace("ULL", ""), {}, dict(vals)))
                except Exception:
                    v = 0
            vals[m.group(1)] = v
            v += 1
    return vals


E = enums()
C = {k[len("KCLOUD_VPC_CMD_"):]: v for k, v in E.items() if k.startswith("KCLOUD_VPC_CMD_")}
A = {k[len("KCLOUD_VPC_A_"):]: v for k, v in E.items() if k.startswith("KCLOUD_VPC_A_")}

s = g.GenlSocket()
fam = s.family("kcloud_vpc")


def ip(a):
    return socket.inet_aton(a)


def addr(t, a):
    return g.nla(t, ip(a))


def req(cmd, *attrs):
    return s.request(fam.id, C[cmd], b"".join(attrs))


def expect(desc, err, cmd, *attrs):
    try:
        req(cmd, *attrs)
    except g.NetlinkError as e:
        if os.environ.get("NL_DEBUG"):
            print("# %s: %r" % (desc, e.__dict__))
        if e.errno != err:
            print("FAIL %s: errno %s (%s), want %s" % (desc, errno.errorcode.get(e.errno, e.errno),
                                                       e.extack, errno.errorcode[err]))
        elif not e.extack:
            print("FAIL %s: refused (%s) without an extack message" % (desc, errno.errorcode[err]))
        else:
            print("PASS %s (%s: %s)" % (desc, errno.errorcode[err], e.extack))
        return
    print("FAIL %s: accepted" % desc)


def ok(desc, cmd, *attrs):
    try:
        r = req(cmd, *attrs)
        print("PASS %s" % desc)
        return r
    except g.NetlinkError as e:
        print("FAIL %s: %s" % (desc, e))
        return None


vpc = [g.nla_str(A["NAME"], "nlred"), g.nla_u32(A["VNI"], 77), addr(A["ADDR"], "10.9.0.0"),
       g.nla_u8(A["PREFIXLEN"], 16)]
r = ok("add a VPC", "ADD_VPC", *vpc)
vid = g.u32(dict(r[0][1])[A["VPC_ID"]]) if r else 1
VID = g.nla_u32(A["VPC_ID"], vid)

expect("missing attribute (VNI)", errno.EINVAL, "ADD_VPC", *(vpc[:1] + vpc[2:]))
expect("string too long (NAME of 40)", errno.EINVAL, "ADD_VPC",
       g.nla_str(A["NAME"], "x" * 40), *vpc[1:])
expect("wrong type (VNI as u16)", errno.EINVAL, "ADD_VPC", vpc[0], g.nla_u16(A["VNI"], 78),
       *vpc[2:])
expect("out of range (VNI 2^24)", errno.ERANGE, "ADD_VPC", g.nla_str(A["NAME"], "a"),
       g.nla_u32(A["VNI"], 1 << 24), *vpc[2:])
expect("out of range (VNI 0)", errno.ERANGE, "ADD_VPC", g.nla_str(A["NAME"], "a"),
       g.nla_u32(A["VNI"], 0), *vpc[2:])
expect("out of range (PREFIXLEN 30)", errno.ERANGE, "ADD_VPC", g.nla_str(A["NAME"], "a"),
       g.nla_u32(A["VNI"], 79), addr(A["ADDR"], "10.8.0.0"), g.nla_u8(A["PREFIXLEN"], 30))
expect("host bits in a CIDR", errno.EINVAL, "ADD_VPC", g.nla_str(A["NAME"], "a"),
       g.nla_u32(A["VNI"], 79), addr(A["ADDR"], "10.8.0.1"), g.nla_u8(A["PREFIXLEN"], 16))
expect("reply-only attribute (GATEWAY) in a request", errno.EINVAL, "ADD_VPC",
       addr(A["GATEWAY"], "10.8.0.1"), *vpc)
expect("attribute past the maximum", errno.EINVAL, "GET_VPC", g.nla_u32(len(A) + 5, 1))
expect("duplicate VPC name", errno.EEXIST, "ADD_VPC", *vpc)
expect("duplicate VNI", errno.EEXIST, "ADD_VPC", g.nla_str(A["NAME"], "other"), *vpc[1:])
expect("unknown VPC id", errno.ENOENT, "GET_VPC", g.nla_u32(A["VPC_ID"], 4242))
expect("unknown VPC name", errno.ENOENT, "DEL_VPC", g.nla_str(A["NAME"], "nosuch"))

sn = [VID, addr(A["ADDR"], "10.9.1.0"), g.nla_u8(A["PREFIXLEN"], 24)]
ok("add a subnet", "ADD_SUBNET", *sn)
expect("subnet outside its VPC", errno.EINVAL, "ADD_SUBNET", VID, addr(A["ADDR"], "10.7.1.0"),
       g.nla_u8(A["PREFIXLEN"], 24))
expect("overlapping subnet", errno.EEXIST, "ADD_SUBNET", VID, addr(A["ADDR"], "10.9.1.128"),
       g.nla_u8(A["PREFIXLEN"], 25))
expect("subnet holding another", errno.EEXIST, "ADD_SUBNET", VID, addr(A["ADDR"], "10.9.0.0"),
       g.nla_u8(A["PREFIXLEN"], 20))
nb = [VID, addr(A["ADDR"], "10.9.0.0"), g.nla_u8(A["PREFIXLEN"], 24)]
ok("add a subnet next to another", "ADD_SUBNET", *nb)
ok("delete it", "DEL_SUBNET", *nb)
expect("subnet larger than /16", errno.EINVAL, "ADD_SUBNET", VID, addr(A["ADDR"], "10.9.0.0"),
       g.nla_u8(A["PREFIXLEN"], 12))
expect("unknown subnet id", errno.ENOENT, "DEL_SUBNET", g.nla_u32(A["SUBNET_ID"], 4242))

MAC = g.nla(A["MAC"], bytes([2, 0, 0, 0, 9, 1]))
UL = addr(A["UNDERLAY"], "192.168.50.2")
for res in ("10.9.1.0", "10.9.1.1", "10.9.1.2", "10.9.1.3", "10.9.1.255"):
    expect("reserved address %s for a mapping" % res, errno.EINVAL, "ADD_MAPPING", VID,
           addr(A["ADDR"], res), MAC, UL)
expect("address in no subnet", errno.ENOENT, "ADD_MAPPING", VID, addr(A["ADDR"], "10.9.2.5"),
       MAC, UL)
expect("MAC of 5 bytes", errno.ERANGE, "ADD_MAPPING", VID, addr(A["ADDR"], "10.9.1.5"),
       g.nla(A["MAC"], bytes(5)), UL)
expect("multicast MAC", errno.EINVAL, "ADD_MAPPING", VID, addr(A["ADDR"], "10.9.1.5"),
       g.nla(A["MAC"], bytes([1, 0, 0x5e, 0, 0, 1])), UL)
expect("the gateway MAC", errno.EINVAL, "ADD_MAPPING", VID, addr(A["ADDR"], "10.9.1.5"),
       g.nla(A["MAC"], bytes([2, 0x6b, 0x63, 0, 0, 1])), UL)
expect("multicast underlay", errno.EINVAL, "ADD_MAPPING", VID, addr(A["ADDR"], "10.9.1.5"),
       MAC, addr(A["UNDERLAY"], "224.0.0.1"))
ok("add a mapping", "ADD_MAPPING", VID, addr(A["ADDR"], "10.9.1.5"), MAC, UL)
expect("duplicate mapping", errno.EEXIST, "ADD_MAPPING", VID, addr(A["ADDR"], "10.9.1.5"), MAC, UL)
expect("set a mapping with nothing to set", errno.EINVAL, "SET_MAPPING", VID,
       addr(A["ADDR"], "10.9.1.5"))
expect("unknown mapping", errno.ENOENT, "DEL_MAPPING", VID, addr(A["ADDR"], "10.9.1.6"))
expect("port on a netdev that does not exist", errno.ENOENT, "ADD_PORT",
       g.nla_str(A["IFNAME"], "nosuchdev0"), VID, addr(A["ADDR"], "10.9.1.7"), MAC)
expect("port on loopback", errno.EINVAL, "ADD_PORT", g.nla_str(A["IFNAME"], "lo"), VID,
       addr(A["ADDR"], "10.9.1.7"), g.nla(A["MAC"], bytes([2, 0, 0, 0, 9, 2])))
expect("port at a mapped address", errno.EEXIST, "ADD_PORT", g.nla_str(A["IFNAME"], "lo"), VID,
       addr(A["ADDR"], "10.9.1.5"), g.nla(A["MAC"], bytes([2, 0, 0, 0, 9, 2])))
expect("SRC_DST_CHECK 2", errno.ERANGE, "SET_PORT", g.nla_str(A["IFNAME"], "lo"),
       g.nla_u8(A["SRC_DST_CHECK"], 2))
expect("a netdev that is not a port", errno.ENOENT, "DEL_PORT", g.nla_str(A["IFNAME"], "lo"))
expect("delete a subnet in use", errno.EBUSY, "DEL_SUBNET", *sn)
expect("delete a VPC in use", errno.EBUSY, "DEL_VPC", VID)
expect("multicast host address", errno.EINVAL, "ADD_HOST", addr(A["ADDR"], "239.1.1.1"))
expect("underlay MTU 100", errno.ERANGE, "ADD_HOST", addr(A["ADDR"], "192.168.50.1"),
       g.nla_u32(A["MTU"], 100))
expect("set a host not set up", errno.ENOENT, "SET_HOST", g.nla_u32(A["MTU"], 1500))
expect("delete a host not set up", errno.ENOENT, "DEL_HOST")

ok("delete the mapping", "DEL_MAPPING", VID, addr(A["ADDR"], "10.9.1.5"))
ok("delete the subnet", "DEL_SUBNET", *sn)
ok("delete the VPC", "DEL_VPC", VID)
