# SPDX-License-Identifier: GPL-2.0
"""A small generic netlink client for kcloud's selftests (standard library
only): resolve a family with its ops, flags and multicast groups, send
requests, read extack messages, build attributes."""

import errno
import os
import socket
import struct

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10

NLM_F_REQUEST = 0x01
NLM_F_MULTI = 0x02
NLM_F_ACK = 0x04
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_VERSION = 3
CTRL_ATTR_MAXATTR = 5
CTRL_ATTR_OPS = 6
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_OP_FLAGS = 2
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2

GENL_ADMIN_PERM = 0x01
GENL_CMD_CAP_DO = 0x02
GENL_CMD_CAP_DUMP = 0x04
GENL_CMD_CAP_HASPOL = 0x08
GENL_UNS_ADMIN_PERM = 0x10

NLA_F_NESTED = 0x8000


def nla(atype, payload):
    """One attribute, padded to 4 bytes."""
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    pad = (4 - len(payload) % 4) % 4
    return hdr + payload + b"\0" * pad


def nla_u8(t, v):
    return nla(t, struct.pack("=B", v))


def nla_u16(t, v):
    return nla(t, struct.pack("=H", v))


def nla_u32(t, v):
    return nla(t, struct.pack("=I", v))


def nla_u64(t, v):
    return nla(t, struct.pack("=Q", v))


def nla_str(t, s):
    return nla(t, s.encode() + b"\0")


def nla_nest(t, *attrs):
    return nla(t | NLA_F_NESTED, b"".join(attrs))


def parse_attrs(data):
    """Attributes as a list of (type, payload) in order."""
    out = []
    off = 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, off)
        if alen < 4 or off + alen > len(data):
            break
        out.append((atype & 0x3FFF, data[off + 4:off + alen]))
        off += (alen + 3) & ~3
    return out


def attr_dict(data):
    return {t: v for t, v in parse_attrs(data)}


def u32(b):
    return struct.unpack("=I", b[:4])[0]


def u16(b):
    return struct.unpack("=H", b[:2])[0]


def u64(b):
    return struct.unpack("=Q", b[:8])[0]


def cstr(b):
    return b.split(b"\0", 1)[0].decode()


class NetlinkError(Exception):
    def __init__(self, err, extack):
        self.errno = err
        self.extack = extack
        super().__init__("%s: %s" % (errno.errorcode.get(err, err), extack or os.strerror(err)))


class Family:
    def __init__(self, fid, name, version, maxattr, ops, groups):
        self.id = fid
        self.name = name
        self.version = version
        self.maxattr = maxattr
        self.ops = ops          # {cmd: flags}
        self.groups = groups    # {name: id}


class GenlSocket:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1

    def close(self):
        self.sock.close()

    def send(self, family_id, cmd, attrs=b"", flags=0, version=1):
        self.seq += 1
        payload = struct.pack("=BBH", cmd, version, 0) + attrs
        hdr = struct.pack("=IHHII", 16 + len(payload), family_id,
                          NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0)
        self.sock.send(hdr + payload)
        return self.seq

    def recv_msgs(self):
        data = self.sock.recv(1 << 20)
        off = 0
        while off + 16 <= len(data):
            mlen, mtype, mflags, mseq, mpid = struct.unpack_from("=IHHII", data, off)
            if mlen < 16:
                break
            yield mtype, mflags, mseq, data[off + 16:off + mlen]
            off += (mlen + 3) & ~3

    def request(self, family_id, cmd, attrs=b"", flags=0):
        """Send a request; return the replies' (cmd, attrs) list; raise
        NetlinkError with the extack message on an error."""
        seq = self.send(family_id, cmd, attrs, flags)
        replies = []
        while True:
            for mtype, mflags, mseq, body in self.recv_msgs():
                if mseq != seq:
                    continue
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", body, 0)[0]
                    extack = ""
                    if mflags & NLM_F_ACK_TLVS:
                        skip = 4 + 16
                        if not mflags & NLM_F_CAPPED:
                            skip = 4 + struct.unpack_from("=I", body, 4)[0]
                        skip = (skip + 3) & ~3
                        a = attr_dict(body[skip:])
                        if NLMSGERR_ATTR_MSG in a:
                            extack = cstr(a[NLMSGERR_ATTR_MSG])
                    if err:
                        raise NetlinkError(err, extack)
                    return replies
                if mtype == NLMSG_DONE:
                    return replies
                replies.append((body[0], parse_attrs(body[4:])))

    def family(self, name):
        replies = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                               nla_str(CTRL_ATTR_FAMILY_NAME, name))
        a = dict(replies[0][1])
        ops = {}
        for _, op in parse_attrs(a.get(CTRL_ATTR_OPS, b"")):
            o = attr_dict(op)
            ops[u32(o[CTRL_ATTR_OP_ID])] = u32(o.get(CTRL_ATTR_OP_FLAGS, b"\0\0\0\0"))
        groups = {}
        for _, g in parse_attrs(a.get(CTRL_ATTR_MCAST_GROUPS, b"")):
            gd = attr_dict(g)
            groups[cstr(gd[CTRL_ATTR_MCAST_GRP_NAME])] = u32(gd[CTRL_ATTR_MCAST_GRP_ID])
        return Family(u16(a[CTRL_ATTR_FAMILY_ID]), name, u32(a[CTRL_ATTR_VERSION]),
                      u32(a[CTRL_ATTR_MAXATTR]), ops, groups)
