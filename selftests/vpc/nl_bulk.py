#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Add or delete many kcloud_vpc mappings or ports quickly: requests are
sent in batches of up to 256 netlink messages per send() over one socket
(the tool would spawn a process for each). Prints the number of failures
(their extack messages on stderr) and, with -t, the time taken on stderr.

  nl_bulk.py [-t] add|del VPC_ID N
      mapping i (10 <= i < N + 10) is 10.0.4.0 + i, MAC 02:00:00:01:HH:LL,
      underlay 192.168.50.(2 + i % 3)
  nl_bulk.py [-t] add|del VPC_ID N BASE
      mapping i (0 <= i < N) is host 10 + i % 240 of the (i / 240)th /24
      from BASE (never a reserved address of a /16 to /24 subnet),
      MAC 02:01 + i (32 bits), underlay 192.168.50.(2 + i % 3)
  nl_bulk.py [-t] port-add|port-del VPC_ID N BASE IFPREFIX
      port i is netdev IFPREFIX<i> with address i as above from BASE,
      MAC 02:02 + i (32 bits); port-add first waits (2 minutes at most)
      for netdev IFPREFIX<N-1>, as they may be created meanwhile, in order
Several jobs, separated by "--", run one after the other in one process
(python starts slowly under TCG); the failures of all are added up.
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kcgenl as g  # noqa: E402

# enum kcloud_vpc_cmd / kcloud_vpc_attr (kcloud_vpc.h)
ADD_PORT, DEL_PORT, ADD_MAPPING, DEL_MAPPING = 10, 11, 14, 15
A_VPC_ID, A_ADDR, A_IFNAME, A_MAC, A_UNDERLAY = 4, 7, 12, 13, 15
BATCH = 256

argv = sys.argv[1:]
timed = bool(argv) and argv[0] == "-t"
if timed:
    argv = argv[1:]
jobs = [[]]
for a in argv:
    if a == "--":
        jobs.append([])
    else:
        jobs[-1].append(a)
verb = vpc = n = base = ifprefix = None


def job(args):
    global verb, vpc, n, base, ifprefix
    if len(args) < 3:
        sys.exit(__doc__)
    verb, vpc, n = args[0], int(args[1]), int(args[2])
    base = struct.unpack("!I", socket.inet_aton(args[3]))[0] if len(args) > 3 else None
    ifprefix = args[4] if len(args) > 4 else None
    if verb.startswith("port-") and (base is None or ifprefix is None):
        sys.exit(__doc__)


def addr(i):
    if base is None:
        i += 10
        return socket.inet_aton("10.0.%d.%d" % (4 + i // 256, i % 256))
    return struct.pack("!I", base + (i // 240) * 256 + 10 + i % 240)


def mac(kind, i):
    if base is None:
        i += 10
        return bytes([2, 0, 0, 1, i // 256 % 256, i % 256])
    return bytes([2, kind]) + struct.pack("!I", i)


def request(i):
    a = g.nla_u32(A_VPC_ID, vpc) + g.nla(A_ADDR, addr(i))
    if verb == "add":
        j = i if base is not None else i + 10
        return ADD_MAPPING, a + g.nla(A_MAC, mac(1, i)) + \
            g.nla(A_UNDERLAY, socket.inet_aton("192.168.50.%d" % (2 + j % 3)))
    if verb == "del":
        return DEL_MAPPING, a
    name = g.nla_str(A_IFNAME, "%s%d" % (ifprefix, i))
    if verb == "port-add":
        return ADD_PORT, a + name + g.nla(A_MAC, mac(2, i))
    if verb == "port-del":
        return DEL_PORT, name
    sys.exit(__doc__)


def error_of(body):
    """(errno, extack) of an NLMSG_ERROR body."""
    err = -struct.unpack_from("=i", body, 0)[0]
    extack = ""
    skip = (4 + 16 + 3) & ~3
    a = g.attr_dict(body[skip:])
    if g.NLMSGERR_ATTR_MSG in a:
        extack = g.cstr(a[g.NLMSGERR_ATTR_MSG])
    return err, extack


s = g.GenlSocket()
fam = s.family("kcloud_vpc")
# Replies and errors of a whole batch wait in the socket: room for them.
try:
    s.sock.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)  # SO_RCVBUFFORCE
except OSError:
    s.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)


def run():
    fails = 0
    if verb == "port-add":
        last = "/sys/class/net/%s%d" % (ifprefix, n - 1)
        end = time.monotonic() + 120
        while not os.path.exists(last) and time.monotonic() < end:
            time.sleep(0.2)
    t0 = time.monotonic()
    seq = s.seq
    for start in range(0, n, BATCH):
        buf = bytearray()
        last = min(start + BATCH, n) - 1
        for i in range(start, last + 1):
            seq += 1
            cmd, a = request(i)
            # Only the last message of a batch asks for an ack: errors come
            # back anyway, and the ack says the batch is done.
            flags = g.NLM_F_REQUEST | (g.NLM_F_ACK if i == last else 0)
            payload = struct.pack("=BBH", cmd, 1, 0) + a
            buf += struct.pack("=IHHII", 16 + len(payload), fam.id, flags, seq, 0) + payload
        s.sock.send(bytes(buf))
        done = False
        while not done:
            for mtype, _, mseq, body in s.recv_msgs():
                if mtype != g.NLMSG_ERROR:
                    continue
                err, extack = error_of(body)
                if err:
                    fails += 1
                    print("request %d: %s: %s" % (mseq - s.seq - 1, os.strerror(err), extack),
                          file=sys.stderr)
                if mseq == seq:
                    done = True
    s.seq = seq
    if timed:
        print("%s %d: %.1f s" % (verb, n, time.monotonic() - t0), file=sys.stderr)
    return fails


total = 0
for args in jobs:
    job(args)
    total += run()
print(total)
