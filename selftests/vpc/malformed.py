#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed and unwanted packets, each sent 3 times, must be dropped and
counted under the expected drop reason, exactly.

  malformed.py HOSTNS PORTDEV GUESTNS PEERNS ADDR KCLOUD

Frames are sent on eth0 of GUESTNS (a guest behind port PORTDEV of the
switch of HOSTNS), then Geneve datagrams from PEERNS (another host) to
ADDR:6081 (HOSTNS's underlay address); the drop counters of the port,
then of the whole switch, are read over a netlink socket opened in HOSTNS
(the KCLOUD tool, run twice per case, was the slowest part under TCG).
The drop reasons are named as the tool names them: the names of enum
kcloud_vpc_drop in lower case.

Prints one line per case: "PASS desc" or "FAIL desc: why"."""

import re
import socket
import struct
import sys
import time

import ctypes
import logging
import os
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
# The layers only: scapy.all takes far longer to import under TCG.
from scapy.layers.dhcp import BOOTP, DHCP  # noqa: E402
from scapy.layers.inet import ICMP, IP, UDP, IPOption_RR  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kcgenl as g  # noqa: E402

host, port, guest_ns, peer_ns, target, KC = sys.argv[1:7]
mode = "guest"
N = 3
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def enter(netns):
    """Move this process to a named network namespace (os.setns is 3.12+)."""
    fd = os.open("/run/netns/" + netns, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + netns)
    os.close(fd)

MA, MB, GW = "02:00:00:00:01:0a", "02:00:00:00:01:0b", "02:6b:63:00:00:01"
A, B = "10.0.1.10", "10.0.1.11"


def drop_names():
    """enum kcloud_vpc_drop of the uapi header: value -> lower-case name."""
    h = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "kmod",
                     "include", "uapi", "linux", "kcloud_vpc.h")
    body = re.search(r"enum kcloud_vpc_drop \{(.*?)\};", open(h).read(), re.S).group(1)
    names = re.findall(r"^\s*KCLOUD_VPC_DROP_(\w+),", body, re.M)
    return {i: n.lower() for i, n in enumerate(names)}


# enum kcloud_vpc_cmd, kcloud_vpc_attr, kcloud_vpc_stats_attr (kcloud_vpc.h)
GET_PORT, GET_HOST = 13, 21
A_IFNAME, A_STATS, STATS_A_DROPS = 12, 19, 8
DROPS = drop_names()
nl = fam = None


def counters():
    if mode == "guest":
        r = nl.request(fam.id, GET_PORT, g.nla_str(A_IFNAME, port))
    else:
        r = nl.request(fam.id, GET_HOST)
    st = g.attr_dict(dict(r[0][1])[A_STATS])
    drops = {DROPS[t]: g.u64(v) for t, v in g.parse_attrs(st.get(STATS_A_DROPS, b"")) if t}
    return drops, st


def case(desc, reason, send):
    before, _ = counters()
    for _ in range(N):
        send()
    time.sleep(0.1)
    after, _ = counters()
    got = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
    got = {k: v for k, v in got.items() if v}
    if got == {reason: N}:
        print("PASS %s: %d %s" % (desc, N, reason))
    else:
        print("FAIL %s: drops %s, want {%r: %d}" % (desc, got, reason, N))


_raw = None


def frame(pkt):
    """Send on eth0 through one AF_PACKET socket (scapy's sendp opens one
    per call, which is slow under TCG)."""
    global _raw
    if _raw is None:
        _raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        _raw.bind(("eth0", 0))
    data = bytes(pkt)
    return lambda: _raw.send(data)


def raw_ip(data):
    return Ether(src=MA, dst=MB, type=0x0800) / Raw(data)


def dhcp(opts, magic=b"c\x82Sc"):
    return (Ether(src=MA, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") /
            UDP(sport=68, dport=67) / BOOTP(chaddr=bytes.fromhex(MA.replace(":", "")), xid=7,
                                            options=magic) / DHCP(options=opts))


def guest_cases():
    case("IPv4 options", "ip_options",
         frame(Ether(src=MA, dst=MB) / IP(src=A, dst=B, options=[IPOption_RR()]) / ICMP()))
    case("IPv4 first fragment", "fragment",
         frame(Ether(src=MA, dst=MB) / IP(src=A, dst=B, flags="MF") / ICMP() / Raw(b"x" * 64)))
    case("IPv4 later fragment", "fragment",
         frame(Ether(src=MA, dst=MB) / IP(src=A, dst=B, frag=100, proto=1) / Raw(b"x" * 64)))
    case("IPv4 bad header checksum", "malformed",
         frame(Ether(src=MA, dst=MB) / IP(src=A, dst=B, chksum=0x1234) / ICMP()))
    case("IPv4 truncated header", "malformed", frame(raw_ip(b"\x45\x00\x00")))
    case("IPv4 total length past the frame", "malformed",
         frame(Ether(src=MA, dst=MB) / IP(src=A, dst=B, len=1000) / ICMP()))
    case("IPv4 header length 4", "malformed",
         frame(raw_ip(bytes(IP(src=A, dst=B, ihl=4) / ICMP()))))
    case("version 6 in an IPv4 ethertype", "malformed",
         frame(raw_ip(b"\x65" + bytes(IP(src=A, dst=B) / ICMP())[1:])))
    case("IPv6", "ethertype", frame(Ether(src=MA, dst=MB) / IPv6() / ICMP()))
    case("unknown ethertype (garbage)", "ethertype",
         frame(Ether(src=MA, dst=MB, type=0x1234) / Raw(b"\xde\xad" * 30)))
    case("IPv4 broadcast", "broadcast",
         frame(Ether(src=MA, dst="ff:ff:ff:ff:ff:ff") / IP(src=A, dst="10.0.1.255") / ICMP()))
    case("multicast MAC to a unicast address", "broadcast",
         frame(Ether(src=MA, dst="01:00:5e:00:00:01") / IP(src=A, dst=B) / ICMP()))
    case("IPv4 multicast", "broadcast",
         frame(Ether(src=MA, dst="01:00:5e:00:00:01") / IP(src=A, dst="224.0.0.1") / ICMP()))
    case("unknown destination", "no_route",
         frame(Ether(src=MA, dst=GW) / IP(src=A, dst="10.0.9.9") / ICMP()))
    case("destination MAC neither the target's nor the gateway's", "bad_dmac",
         frame(Ether(src=MA, dst="02:00:00:00:99:99") / IP(src=A, dst=B) / ICMP()))
    case("ARP reply", "arp_invalid",
         frame(Ether(src=MA, dst="ff:ff:ff:ff:ff:ff") / ARP(op=2, hwsrc=MA, psrc=A, pdst=B)))
    case("ARP with 8-byte hardware addresses", "arp_invalid",
         frame(Ether(src=MA, dst="ff:ff:ff:ff:ff:ff", type=0x0806) /
               Raw(struct.pack("!HHBBH", 1, 0x0800, 8, 4, 1) + b"\0" * 24)))
    case("ARP truncated", "arp_invalid",
         frame(Ether(src=MA, dst="ff:ff:ff:ff:ff:ff", type=0x0806) / Raw(b"\x00\x01\x08\x00")))
    case("ARP for an unknown address", "arp_unknown",
         frame(Ether(src=MA, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=MA, psrc=A, pdst="10.0.1.77")))
    case("DHCP with a bad magic cookie", "dhcp_invalid",
         frame(dhcp([("message-type", "discover"), "end"], magic=b"\x00\x00\x00\x00")))
    case("DHCP truncated", "dhcp_invalid",
         frame(Ether(src=MA, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") /
               UDP(sport=68, dport=67) / Raw(b"\x01\x01\x06\x00")))
    case("DHCP option past the end", "dhcp_invalid",
         frame(Ether(src=MA, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") /
               UDP(sport=68, dport=67) /
               Raw(bytes(BOOTP(chaddr=bytes.fromhex(MA.replace(":", "")), options=b"c\x82Sc")) +
                   b"\x35\x40\x01")))
    case("DHCP RELEASE", "dhcp_invalid", frame(dhcp([("message-type", "release"), "end"])))
    case("spoofed source MAC", "spoof_mac",
         frame(Ether(src="02:00:00:00:01:ee", dst=MB) / IP(src=A, dst=B) / ICMP()))
    case("spoofed source IPv4", "spoof_ip",
         frame(Ether(src=MA, dst=MB) / IP(src="10.0.1.99", dst=B) / ICMP()))


def underlay_cases():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def dgram(data):
        return lambda: s.sendto(data, (target, 6081))

    def geneve(vni, inner, ver=0, flags=0, proto=0x6558, opt_len=0):
        return struct.pack("!BBH", (ver << 6) | opt_len, flags, proto) + \
            struct.pack("!I", vni << 8) + inner

    inner = bytes(Ether(src=MB, dst=MA) / IP(src=B, dst=A) / ICMP())
    case("Geneve truncated", "geneve_invalid", dgram(b"\x00\x00\x65"))
    case("Geneve version 1", "geneve_invalid", dgram(geneve(100, inner, ver=1)))
    case("Geneve critical option", "geneve_invalid",
         dgram(geneve(100, b"\x01\x02\x80\x01" + inner, flags=0x40, opt_len=1)))
    case("Geneve carrying IPv4, not Ethernet", "geneve_invalid",
         dgram(geneve(100, inner[14:], proto=0x0800)))
    case("Geneve options longer than the packet", "geneve_invalid",
         dgram(geneve(100, b"\x00" * 8, opt_len=63)))
    case("Geneve unknown VNI", "vni_unknown", dgram(geneve(999, inner)))
    case("Geneve inner frame truncated", "geneve_invalid", dgram(geneve(100, b"\x02\x00")))
    case("Geneve inner IPv4 garbage", "malformed",
         dgram(geneve(100, inner[:14] + b"\x45\x00\x00\x10garbage!")))
    case("Geneve inner source not mapped", "remote_spoof",
         dgram(geneve(100, bytes(Ether(src=MB, dst=MA) / IP(src="10.0.1.50", dst=A) / ICMP()))))
    case("Geneve inner destination not local", "no_route",
         dgram(geneve(100, bytes(Ether(src=MB, dst=MA) / IP(src="10.0.1.13", dst="10.0.1.12") / ICMP()))))


enter(host)
nl = g.GenlSocket()
fam = nl.family("kcloud_vpc")
enter(guest_ns)
guest_cases()
enter(peer_ns)
mode = "underlay"
underlay_cases()
