#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Packet fuzzer of the VPC switch: mutated Ethernet/ARP/IPv4/UDP/TCP/ICMP/
DHCP frames into a port, mutated Geneve datagrams into the underlay socket,
every frame accounted for in the switch's counters.

  pktfuzz.py --seed S --frames N --geneve M --host H --port DEV --guest G
             --peer P --target ADDR --kcloud KC --topo K=V,...

Phase 1 sends N frames on eth0 of namespace G (a silent guest behind port
DEV of the switch of namespace H) through an AF_PACKET socket, and captures
what the switch answers on the same eth0. Phase 2 sends M datagrams from
namespace P to ADDR:6081. Everything is generated from the seed (Python's
random), so a run replays exactly with the same arguments.

Accounting (the other guests are silent, so only these frames move the
counters), with d() the change of a counter over the phase:
  phase 1:  d(port rx) = d(switch rx) = frames sent - frames the kernel lost
            before the switch (veth drops, shown when not 0)
            d(switch rx) = d(drops, all reasons) + d(switch tx)
                           + d(tunnel tx) - ICMP errors sent back
            (an ICMP error accompanies a counted drop), and every frame the
            port transmitted reached the guest's capture socket.
  phase 2:  datagrams sent = d(drops) + d(switch tx)
            d(tunnel rx) = sent - d(geneve_invalid) - d(vni_unknown)
Prints "PASS desc" / "FAIL desc: why" lines, "#" comments and one
"REPORT ..." line with the figures."""

import argparse
import copy
import ctypes
import errno
import fcntl
import json
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

T0 = time.time()
CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6
PACKET_OUTGOING = 4
GW_MAC = bytes.fromhex("026b63000001")
libc = ctypes.CDLL(None, use_errno=True)


def enter(netns):
    """Move this process to a named network namespace (os.setns is 3.12+)."""
    fd = os.open("/run/netns/" + netns, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + netns)
    os.close(fd)


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def ip4(s):
    return socket.inet_aton(s)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


# ---- frame builders -------------------------------------------------------

def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ttl=64, df=True, ident=0, options=b"", tos=0):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", (4 << 4) | ihl, tos, ihl * 4 + len(payload),
                      ident, 0x4000 if df else 0, ttl, proto, 0, src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def fix_ip_csum(frame, off=14):
    """Recompute the IPv4 header checksum of a (mutated) frame in place."""
    if len(frame) < off + 20:
        return frame
    ihl = (frame[off] & 0xf) * 4
    if ihl < 20 or len(frame) < off + ihl:
        return frame
    hdr = bytearray(frame[off:off + ihl])
    hdr[10:12] = b"\0\0"
    hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
    return frame[:off] + bytes(hdr) + frame[off + ihl:]


def l4_csum(src, dst, proto, seg):
    return csum(src + dst + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def udp(src, dst, sport, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = l4_csum(src, dst, 17, seg) or 0xffff
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp(src, dst, sport, dport, flags, payload, options=b""):
    off = (20 + len(options)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, off << 4, flags, 65535, 0, 0) + \
        options + payload
    c = l4_csum(src, dst, 6, seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def icmp(itype, code, rest, payload):
    msg = struct.pack("!BBH", itype, code, 0) + rest + payload
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def arp(op, sha, spa, tha, tpa, hrd=1, pro=0x0800, hln=6, pln=4):
    return struct.pack("!HHBBH", hrd, pro, hln, pln, op) + sha + spa + tha + tpa


def dhcp_msg(chaddr, options, op=1, htype=1, hlen=6, xid=0, flags=0,
             ciaddr=b"\0" * 4, magic=b"\x63\x82\x53\x63"):
    bootp = struct.pack("!BBBBIHH4s4s4s4s", op, htype, hlen, 0, xid, 0, flags,
                        ciaddr, b"\0" * 4, b"\0" * 4, b"\0" * 4)
    bootp += chaddr.ljust(16, b"\0") + b"\0" * 64 + b"\0" * 128
    return bootp + magic + options


def dhcp_opts(rng, mtype, req=None):
    o = b""
    if mtype is not None:
        o += bytes([53, 1, mtype])
    if req is not None:
        o += bytes([50, 4]) + req
    for _ in range(rng.randrange(4)):
        code = rng.choice([12, 55, 61, 57, 51, 54, 0, 52, 255, rng.randrange(256)])
        if code == 0:
            o += b"\0" * rng.randrange(1, 8)
            continue
        n = rng.choice([0, 1, 2, 4, 16, 255, rng.randrange(64)])
        o += bytes([code, n]) + rng.randbytes(min(n, 40))
    if rng.random() < 0.8:
        o += b"\xff"
    return o


# ---- mutations ------------------------------------------------------------

INTERESTING8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x40, 0x45, 0x46, 0x4f]
INTERESTING16 = [0, 1, 19, 20, 21, 28, 0x5dc, 0x5de, 0x600, 0x7fff, 0x8000, 0xffff]


def mutate(rng, data, hdr_off=14):
    """Apply 1 to 4 random mutations; half the time fix the IPv4 header
    checksum after, so that the switch looks past it."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        m = rng.randrange(9)
        if m == 0 and b:                      # flip a bit
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif m == 1 and b:                    # an interesting byte
            b[rng.randrange(len(b))] = rng.choice(INTERESTING8)
        elif m == 2 and len(b) > 1:           # an interesting 16-bit value
            i = rng.randrange(len(b) - 1)
            b[i:i + 2] = struct.pack("!H", rng.choice(INTERESTING16))
        elif m == 3:                          # truncate
            del b[rng.randrange(len(b) + 1):]
        elif m == 4:                          # append
            b += rng.randbytes(rng.choice([1, 4, 8, 64, 300]))
        elif m == 5 and len(b) >= hdr_off + 20:   # IPv4 header fields
            f = rng.randrange(7)
            if f == 0:
                b[hdr_off] = (b[hdr_off] & 0xf0) | rng.randrange(16)       # ihl
            elif f == 1:
                b[hdr_off] = (rng.randrange(16) << 4) | (b[hdr_off] & 0xf)  # version
            elif f == 2:
                b[hdr_off + 2:hdr_off + 4] = struct.pack("!H", rng.choice(
                    INTERESTING16 + [len(b) - hdr_off + rng.randint(-2, 2)]))
            elif f == 3:
                b[hdr_off + 6:hdr_off + 8] = struct.pack("!H", rng.choice(
                    [0x2000, 0x2001, 0x0001, 0x4000, 0x8000, 0x1fff, rng.randrange(65536)]))
            elif f == 4:
                b[hdr_off + 8] = rng.choice([0, 1, 2, 255])                # ttl
            elif f == 5:
                b[hdr_off + 9] = rng.choice([1, 6, 17, 0, 4, 41, 47, 255])  # proto
            else:
                b[hdr_off + 12:hdr_off + 20] = rng.randbytes(8)
        elif m == 6 and len(b) >= 14:         # the ethertype
            b[12:14] = struct.pack("!H", rng.choice(
                [0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x0000, 0x05dc, 0x0600,
                 0x88cc, rng.randrange(65536)]))
        elif m == 7 and len(b) > 8:           # a random run
            i = rng.randrange(len(b))
            n = rng.randrange(1, 16)
            b[i:i + n] = rng.randbytes(n)
        elif m == 8 and len(b) > 4:           # duplicate a slice
            i = rng.randrange(len(b))
            j = rng.randrange(i, min(len(b), i + 64) + 1)
            k = rng.randrange(len(b) + 1)
            b[k:k] = b[i:j]
    out = bytes(b)
    if rng.random() < 0.5:
        out = fix_ip_csum(out, hdr_off)
    return out


class Topo:
    """Addresses of the test's topology (--topo K=V,...)."""

    def __init__(self, spec):
        kv = dict(x.split("=", 1) for x in spec.split(","))
        self.ma, self.mb, self.mc, self.md = (mac(kv[k]) for k in ("ma", "mb", "mc", "md"))
        self.a, self.b, self.c, self.d = (ip4(kv[k]) for k in ("a", "b", "c", "d"))
        self.gw1, self.gw2 = ip4(kv["gw1"]), ip4(kv["gw2"])
        self.vni, self.vni2 = int(kv["vni"]), int(kv["vni2"])
        self.src2 = kv.get("src2")


def rand_mac(rng):
    return bytes([rng.randrange(256) & 0xfe | rng.choice([0, 1])]) + \
        rng.randbytes(5)


OTHER_IPS = [ip4(x) for x in ("10.0.1.77", "10.0.1.255", "255.255.255.255", "224.0.0.1",
                               "0.0.0.0", "8.8.8.8")]


def rand_ip(rng, t):
    k = rng.randrange(13)
    if k < 6:
        return (t.a, t.b, t.c, t.d, t.gw1, t.gw2)[k]
    return OTHER_IPS[k - 6] if k < 12 else rng.randbytes(4)


def l4(rng, src, dst):
    """An IPv4 payload: (proto, bytes)."""
    k = rng.randrange(4)
    data = rng.randbytes(rng.choice([0, 1, 8, 32, 100]))
    if k == 0:
        return 17, udp(src, dst, rng.randrange(65536), rng.choice([53, 67, 68, 80, 6081, 9]), data)
    if k == 1:
        opts = rng.choice([b"", b"\x02\x04\x05\xb4", b"\x01\x01\x04\x02", b"\x08\x0a" + b"\0" * 8])
        return 6, tcp(src, dst, rng.randrange(65536), rng.choice([22, 80, 443]),
                      rng.choice([0x02, 0x10, 0x12, 0x04, 0x11, 0x3f, 0]), data, opts)
    if k == 2:
        return 1, icmp(rng.choice([8, 0, 3, 11, 5, 13]), rng.randrange(4),
                       struct.pack("!HH", 1, 1), data)
    return rng.choice([0, 2, 47, 50, 132, 255]), data


def guest_frame(rng, t, big=False):
    """A frame a guest might send, valid or not before mutation."""
    k = rng.randrange(10)
    src_mac = t.ma if rng.random() < 0.9 else rand_mac(rng)
    src = t.a if rng.random() < 0.9 else rand_ip(rng, t)
    if k <= 3:       # IPv4 to a local, a routed or a remote guest, or anywhere
        dst, dmac = rng.choice([(t.b, t.mb), (t.c, GW_MAC), (t.d, t.md), (t.b, GW_MAC),
                                (t.d, GW_MAC), (rand_ip(rng, t), GW_MAC),
                                (t.b, rand_mac(rng)), (t.a, t.ma)])
        proto, payload = l4(rng, src, dst)
        if big:
            payload += bytes(1400 + rng.randrange(100))
        opts = b"" if rng.random() < 0.9 else rng.choice([b"\x01" * 4, b"\x07\x07\x04" + b"\0" * 5,
                                                          b"\x94\x04\0\0"])
        pkt = ipv4(src, dst, proto, payload, ttl=rng.choice([64, 64, 1, 0, 2]),
                   df=rng.random() < 0.7, ident=rng.randrange(65536), options=opts)
        return eth(dmac, src_mac, 0x0800, pkt)
    if k <= 5:       # ARP
        tpa = rng.choice([t.b, t.c, t.d, t.gw1, t.gw2, t.a, rand_ip(rng, t)])
        op = 1 if rng.random() < 0.85 else rng.choice([2, 0, 3, 0xffff])
        spa = t.a if rng.random() < 0.85 else rng.choice([b"\0" * 4, rand_ip(rng, t)])
        sha = src_mac if rng.random() < 0.9 else rand_mac(rng)
        body = arp(op, sha, spa, b"\0" * 6, tpa)
        dmac = b"\xff" * 6 if rng.random() < 0.8 else GW_MAC
        return eth(dmac, src_mac, 0x0806, body)
    if k <= 8:       # DHCP
        mtype = rng.choice([1, 3, 3, 7, 4, 8, 2, 5, 0, None, rng.randrange(256)])
        req = rng.choice([None, t.a, t.b, b"\0" * 4])
        chaddr = src_mac if rng.random() < 0.9 else rand_mac(rng)
        msg = dhcp_msg(chaddr, dhcp_opts(rng, mtype, req), xid=rng.randrange(1 << 32),
                       flags=rng.choice([0, 0x8000]),
                       ciaddr=rng.choice([b"\0" * 4, t.a]))
        src_ip = rng.choice([b"\0" * 4, t.a])
        pkt = ipv4(src_ip, b"\xff" * 4, 17, udp(src_ip, b"\xff" * 4, 68, 67, msg), df=False)
        return eth(b"\xff" * 6, src_mac, 0x0800, pkt)
    # anything else: IPv6, VLAN, LLDP, 802.3, garbage
    etype = rng.choice([0x86dd, 0x8100, 0x88a8, 0x88cc, 0x0060, 0x9000, rng.randrange(65536)])
    return eth(rng.choice([t.mb, GW_MAC, b"\xff" * 6, rand_mac(rng)]), src_mac, etype,
               rng.randbytes(rng.choice([6, 20, 46, 200])))


def geneve_dgram(rng, t):
    """A Geneve datagram for the underlay, valid or not before mutation."""
    if rng.random() < 0.05:     # garbage
        return rng.randbytes(rng.choice([1, 7, 8, 9, 30, 200]))
    src, smac = rng.choice([(t.d, t.md)] * 4 + [(t.b, t.mb), (rand_ip(rng, t), rand_mac(rng))])
    dst, dmac = rng.choice([(t.a, t.ma), (t.b, t.mb), (t.c, t.mc), (t.a, t.mb), (t.d, t.md),
                            (rand_ip(rng, t), rand_mac(rng))])
    proto, payload = l4(rng, src, dst)
    inner = eth(dmac, smac, 0x0800, ipv4(src, dst, proto, payload, ttl=rng.choice([64, 1, 0])))
    if rng.random() < 0.05:
        inner = eth(dmac, smac, 0x0806, arp(1, smac, src, b"\0" * 6, dst))
    opts = b""
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        n = rng.randrange(4)
        opts += struct.pack("!HBB", rng.choice([0x0102, 0xffff, 0]),
                            rng.choice([0x01, 0x80, 0x7f]), n) + bytes(4 * n)
    vni = rng.choice([t.vni] * 8 + [t.vni2, 0, 0xffffff, rng.randrange(1 << 24)])
    flags = 0 if rng.random() < 0.9 else rng.choice([0x40, 0x80, 0x3f])
    ver = 0 if rng.random() < 0.95 else rng.randrange(4)
    hdr = struct.pack("!BBHI", (ver << 6) | (len(opts) // 4), flags,
                      0x6558 if rng.random() < 0.95 else rng.choice([0x0800, 0x86dd, 0]),
                      vni << 8)
    data = hdr + opts + inner
    if rng.random() < 0.6:
        off = 8 + len(opts) + 14
        data = mutate(rng, data, off) if rng.random() < 0.5 else \
            data[:8 + len(opts)] + mutate(rng, inner)
    return data or b"\0"


# ---- counters -------------------------------------------------------------

def counters(a, what):
    cmd = ["ip", "netns", "exec", a.host, a.kcloud, "-j", "-s"]
    cmd += ["port", "show", "dev", a.port] if what == "port" else ["host", "show"]
    st = json.loads(subprocess.check_output(cmd))[0]["stats"]
    flat = {k: v for k, v in st.items() if isinstance(v, int)}
    flat["drops"] = dict(st.get("drops", {}))
    return flat


def link_stat(netns, dev, name):
    out = subprocess.check_output(["ip", "netns", "exec", netns, "cat",
                                   "/sys/class/net/%s/statistics/%s" % (dev, name)])
    return int(out)


def delta(before, after):
    d = {k: after.get(k, 0) - before.get(k, 0) for k in after if k != "drops"}
    dr = {k: after["drops"].get(k, 0) - before["drops"].get(k, 0)
          for k in set(after["drops"]) | set(before["drops"])}
    d["drops"] = {k: v for k, v in dr.items() if v}
    return d


def snapshot(a):
    return counters(a, "port"), counters(a, "host")


# ---- phases ---------------------------------------------------------------

class Capture:
    """What the switch sends back to the fuzzing guest, by kind."""

    def __init__(self):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.s.bind(("eth0", ETH_P_ALL))
        self.s.setblocking(False)
        self.kinds = {}
        self.lost = 0
        self.stats()

    def stats(self):
        raw = self.s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
        _, drops = struct.unpack("II", raw)
        self.lost += drops

    def drain(self, wait=0.0):
        end = time.time() + wait
        while True:
            try:
                data, addr = self.s.recvfrom(65535)
            except BlockingIOError:
                if time.time() >= end:
                    break
                select.select([self.s], [], [], max(0.0, end - time.time()))
                continue
            if addr[2] == PACKET_OUTGOING:
                continue
            self.kinds[classify(data)] = self.kinds.get(classify(data), 0) + 1
        self.stats()

    def total(self):
        return sum(self.kinds.values())


def classify(f):
    if len(f) >= 14 and f[12:14] == b"\x08\x06":
        return "arp"
    if len(f) >= 34 and f[12:14] == b"\x08\x00":
        ihl = (f[14] & 0xf) * 4
        if f[23] == 1 and f[6:12] == GW_MAC and len(f) > 14 + ihl and f[14 + ihl] in (3, 11):
            return "icmp_error"
        if f[23] == 17 and len(f) >= 14 + ihl + 4 and f[14 + ihl:16 + ihl] == b"\x00\x43":
            return "dhcp"
    return "other"


def send_all(sock_send, frames, cap=None):
    sent = refused = 0
    for i, f in enumerate(frames):
        try:
            sock_send(f)
            sent += 1
        except OSError as e:
            if e.errno not in (errno.EMSGSIZE, errno.EINVAL):
                raise
            refused += 1
        if cap and i % 16 == 15:
            cap.drain()
    return sent, refused


def check(ok, desc, why=""):
    print(("PASS %s" % desc) if ok else ("FAIL %s: %s" % (desc, why)))
    sys.stdout.flush()
    return ok


def phase_guest(a, t, rng):
    frames = []
    for _ in range(a.frames):
        f = guest_frame(rng, t, big=rng.random() < 0.03)
        if rng.random() < 0.7:
            f = mutate(rng, f)
        # What the kernel would take from a VLAN header before the switch
        # sees it is not the switch's to count: keep such frames whole.
        if len(f) >= 14 and f[12:14] in (b"\x81\x00", b"\x88\xa8") and len(f) < 22:
            f = f.ljust(22, b"\0")
        frames.append(f[:1514])

    print("# phase 1: %d frames made in %.1f s" % (len(frames), time.time() - T0))
    enter(a.guest)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("eth0", 0))
    cap = Capture()
    lost0 = link_stat(a.host, a.port, "rx_dropped") + link_stat(a.guest, "eth0", "tx_dropped")
    p0, h0 = snapshot(a)
    t0 = time.time()
    sent, refused = send_all(s.send, frames, cap)
    secs = time.time() - t0
    cap.drain(0.5)
    p1, h1 = snapshot(a)
    lost = link_stat(a.host, a.port, "rx_dropped") + link_stat(a.guest, "eth0", "tx_dropped") - lost0
    dp, dh = delta(p0, p1), delta(h0, h1)
    drops = sum(dh["drops"].values())
    icmp_err = cap.kinds.get("icmp_error", 0)
    print("# phase 1: %d frames sent in %.1f s (%d refused by the sender), lost before the "
          "switch %d" % (sent, secs, refused, lost))
    print("# port %s: rx %d tx %d drops %s" % (a.port, dp.get("rx_packets", 0),
                                              dp.get("tx_packets", 0), dp["drops"]))
    print("# switch: rx %d tx %d tunnel_tx %d drops %s" % (
        dh.get("rx_packets", 0), dh.get("tx_packets", 0), dh.get("tunnel_tx_packets", 0),
        dh["drops"]))
    print("# answered to the guest: %s (capture lost %d)" % (cap.kinds, cap.lost))
    ok = True
    ok &= check(dp.get("rx_packets", 0) == sent - lost and dh.get("rx_packets", 0) == sent - lost,
                "phase 1: every frame sent is received by the port (%d)" % (sent - lost),
                "port rx %d, switch rx %d, sent %d, lost before the switch %d" %
                (dp.get("rx_packets", 0), dh.get("rx_packets", 0), sent, lost))
    acc = drops + dh.get("tx_packets", 0) + dh.get("tunnel_tx_packets", 0) - icmp_err
    ok &= check(acc == dh.get("rx_packets", 0),
                "phase 1: every frame received is dropped under a reason, forwarded or answered",
                "drops %d + tx %d + tunnel tx %d - icmp errors %d = %d, rx %d" %
                (drops, dh.get("tx_packets", 0), dh.get("tunnel_tx_packets", 0), icmp_err, acc,
                 dh.get("rx_packets", 0)))
    ok &= check(cap.total() == dp.get("tx_packets", 0) and not cap.lost,
                "phase 1: every answer of the switch reached the guest",
                "port tx %d, captured %d, capture lost %d" %
                (dp.get("tx_packets", 0), cap.total(), cap.lost))
    return ok, sent, drops, dh["drops"]


def phase_underlay(a, t, rng):
    dgrams = [geneve_dgram(rng, t)[:1400] for _ in range(a.geneve)]
    srcs = [a.src2 if a.src2 and rng.random() < 0.1 else None for _ in dgrams]
    enter(a.peer)
    socks = {None: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)}
    if a.src2:
        socks[a.src2] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        socks[a.src2].bind((a.src2, 0))
    _, h0 = snapshot(a)
    t0 = time.time()
    sent = 0
    for d, src in zip(dgrams, srcs):
        socks[src].sendto(d, (a.target, 6081))
        sent += 1
        if sent % 64 == 0:
            time.sleep(0.001)   # the veth backlog is 1000 packets
    secs = time.time() - t0
    time.sleep(0.5)
    _, h1 = snapshot(a)
    dh = delta(h0, h1)
    drops = sum(dh["drops"].values())
    print("# phase 2: %d Geneve datagrams sent in %.1f s" % (sent, secs))
    print("# switch: tunnel_rx %d tx %d drops %s" % (dh.get("tunnel_rx_packets", 0),
                                                     dh.get("tx_packets", 0), dh["drops"]))
    ok = check(drops + dh.get("tx_packets", 0) == sent,
               "phase 2: every datagram is dropped under a reason or delivered",
               "drops %d + delivered %d != sent %d" % (drops, dh.get("tx_packets", 0), sent))
    outer = dh["drops"].get("geneve_invalid", 0) + dh["drops"].get("vni_unknown", 0)
    ok &= check(dh.get("tunnel_rx_packets", 0) == sent - outer,
                "phase 2: every valid Geneve header is decapsulated",
                "tunnel rx %d, sent %d, outer drops %d" %
                (dh.get("tunnel_rx_packets", 0), sent, outer))
    return ok, sent, drops, dh["drops"]


TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x0002, 0x1000, 0x4000
VNET = struct.Struct("<BBHHHH")     # struct virtio_net_hdr, little-endian


def vnet_hdr(rng, frame):
    """A virtio-net header for @frame as a guest's driver would write it
    (checksum offload, TCP or UDP segmentation) or a mutated one."""
    ihl = (frame[14] & 0xf) * 4 if len(frame) > 14 else 20
    proto = frame[23] if len(frame) > 23 else 0
    big = len(frame) > 1514
    if proto == 6:
        h = [1, 1 if big else 0, 14 + ihl + 20, rng.choice([1400, 1448, 536]) if big else 0,
             14 + ihl, 16]
    elif proto == 17:
        h = [1, 5 if big else 0, 14 + ihl + 8, rng.choice([1400, 1472, 512]) if big else 0,
             14 + ihl, 6]
    else:
        h = [0, 0, 0, 0, 0, 0]
    if rng.random() < 0.2:
        h = [0, 0, 0, 0, 0, 0]
    if rng.random() < 0.35:
        i = rng.randrange(6)
        h[i] = rng.choice({0: [0, 1, 2, 3, 0xff],
                           1: [0, 1, 3, 4, 5, 0x81, 0x80, 0xff],
                           }.get(i, [0, 1, 14, 34, 54, 1400, 0x7fff, 0xffff,
                                     rng.randrange(65536)]))
    return VNET.pack(*h)


def gso_frame(rng, t):
    """A TCP or UDP packet larger than the MTU, to be segmented (GSO)."""
    dst, dmac = rng.choice([(t.b, t.mb), (t.c, GW_MAC), (t.d, t.md)])
    data = bytes(rng.choice([1500, 3000, 8000, 20000]))
    if rng.random() < 0.6:
        seg = tcp(t.a, dst, rng.randrange(1024, 65536), 80, 0x18, data)
        proto = 6
    else:
        seg = udp(t.a, dst, rng.randrange(1024, 65536), 9, data)
        proto = 17
    return eth(dmac, t.ma, 0x0800, ipv4(t.a, dst, proto, seg, df=rng.random() < 0.8,
                                        ident=rng.randrange(65536)))


def phase_tap(a, t, rng):
    """Frames from a guest's virtio-net driver through a tap port: with
    virtio-net headers (checksum offload, GSO), valid and mutated."""
    tt = copy.copy(t)
    tt.ma, tt.a = mac(a.tap_mac), ip4(a.tap_ip)
    items = []
    for _ in range(a.tap):
        f = gso_frame(rng, tt) if rng.random() < 0.15 else guest_frame(rng, tt)
        if rng.random() < 0.5:
            f = mutate(rng, f)
        if len(f) >= 14 and f[12:14] in (b"\x81\x00", b"\x88\xa8") and len(f) < 22:
            f = f.ljust(22, b"\0")
        items.append(vnet_hdr(rng, f) + f)

    enter(a.host)
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", a.tap_dev.encode(),
                                           IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
    subprocess.check_call(["ip", "link", "set", a.tap_dev, "up"])
    subprocess.check_call([a.kcloud, "port", "add", "dev", a.tap_dev, "vpc", a.vpc,
                           "mac", a.tap_mac, "ip", a.tap_ip])
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
    kinds = {}

    def drain(wait=0.0):
        end = time.time() + wait
        while True:
            try:
                data = os.read(fd, 70000)
            except BlockingIOError:
                if time.time() >= end:
                    return
                select.select([fd], [], [], max(0.0, end - time.time()))
                continue
            k = classify(data[VNET.size:])
            kinds[k] = kinds.get(k, 0) + 1

    def stat(name):
        """A counter of the tap from /proc/net/dev, which is this
        namespace's (/sys shows the namespace it was mounted in)."""
        with open("/proc/self/net/dev") as f:
            for line in f:
                dev, _, rest = line.partition(":")
                if dev.strip() == a.tap_dev:
                    v = [int(x) for x in rest.split()]
                    return v[3] if name == "rx_dropped" else v[11]
        return 0

    port = a.port
    a.port = a.tap_dev
    p0, h0 = snapshot(a)
    t0 = time.time()
    sent = refused = 0
    for i, it in enumerate(items):
        try:
            os.write(fd, it)
            sent += 1
        except OSError as e:
            if e.errno not in (errno.EINVAL, errno.EMSGSIZE, errno.EFAULT):
                raise
            refused += 1
        if i % 16 == 15:
            drain()
    secs = time.time() - t0
    drain(0.5)
    p1, h1 = snapshot(a)
    dp, dh = delta(p0, p1), delta(h0, h1)
    lost = stat("rx_dropped")
    tx_lost = stat("tx_dropped")
    drops = sum(dh["drops"].values())
    icmp_err = kinds.get("icmp_error", 0)
    print("# phase 3: %d frames written to tap %s in %.1f s (%d refused by tun), lost before "
          "the switch %d" % (sent, a.tap_dev, secs, refused, lost))
    print("# port %s: rx %d tx %d drops %s" % (a.tap_dev, dp.get("rx_packets", 0),
                                              dp.get("tx_packets", 0), dp["drops"]))
    print("# switch: rx %d tx %d tunnel_tx %d drops %s" % (
        dh.get("rx_packets", 0), dh.get("tx_packets", 0), dh.get("tunnel_tx_packets", 0),
        dh["drops"]))
    print("# answered to the guest: %s (tap tx dropped %d)" % (kinds, tx_lost))
    ok = check(dp.get("rx_packets", 0) == sent - lost and dh.get("rx_packets", 0) == sent - lost,
               "phase 3: every frame written to the tap is received by its port (%d)" %
               (sent - lost), "port rx %d, switch rx %d, sent %d, lost before the switch %d" %
               (dp.get("rx_packets", 0), dh.get("rx_packets", 0), sent, lost))
    acc = drops + dh.get("tx_packets", 0) + dh.get("tunnel_tx_packets", 0) - icmp_err
    ok &= check(acc == dh.get("rx_packets", 0),
                "phase 3: every frame received is dropped under a reason, forwarded or answered",
                "drops %d + tx %d + tunnel tx %d - icmp errors %d = %d, rx %d" %
                (drops, dh.get("tx_packets", 0), dh.get("tunnel_tx_packets", 0), icmp_err, acc,
                 dh.get("rx_packets", 0)))
    # (The tap's own tx_dropped counts what the host's stack sent it too.)
    ok &= check(sum(kinds.values()) == dp.get("tx_packets", 0),
                "phase 3: every answer of the switch reached the guest",
                "port tx %d, read %d, tap tx dropped %d" %
                (dp.get("tx_packets", 0), sum(kinds.values()), tx_lost))
    # Closing the tap unregisters it: the switch lets its port go.
    os.close(fd)
    a.port = port
    out = subprocess.run([a.kcloud, "port", "show", "dev", a.tap_dev], capture_output=True)
    ok &= check(out.returncode != 0 or not out.stdout.strip(),
                "phase 3: the port went with its tap", out.stdout.decode())
    return ok, sent, drops, dh["drops"]


def main():
    p = argparse.ArgumentParser()
    for o in ("host", "port", "guest", "peer", "target", "kcloud", "topo"):
        p.add_argument("--" + o, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--frames", type=int, default=1000)
    p.add_argument("--geneve", type=int, default=1000)
    p.add_argument("--tap", type=int, default=0, help="frames through a tap port")
    p.add_argument("--tap-dev", default="tapfz")
    p.add_argument("--tap-mac", default="02:00:00:00:01:0e")
    p.add_argument("--tap-ip", default="10.0.1.14")
    p.add_argument("--vpc", default="red")
    a = p.parse_args()
    t = Topo(a.topo)
    a.src2 = t.src2
    rng = random.Random(a.seed)
    print("# seed %d: replay with pktfuzz.py %s" % (a.seed, " ".join(sys.argv[1:])))
    ok1, n1, d1, r1 = phase_guest(a, t, rng)
    ok2, n2, d2, r2 = phase_underlay(a, t, rng)
    ok3, n3, d3, r3 = phase_tap(a, t, rng) if a.tap else (True, 0, 0, {})
    reasons = dict(r1)
    for r in (r2, r3):
        for k, v in r.items():
            reasons[k] = reasons.get(k, 0) + v
    print("REPORT packets %d (frames %d, geneve %d, tap %d) drops %d reasons %d %s" %
          (n1 + n2 + n3, n1, n2, n3, d1 + d2 + d3, len(reasons),
           ",".join("%s=%d" % kv for kv in sorted(reasons.items()))))
    return 0 if ok1 and ok2 and ok3 else 1


if __name__ == "__main__":
    sys.exit(main())
