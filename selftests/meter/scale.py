#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Add or delete many meter instances quickly: requests are sent in windows
of WINDOW before their acks are read. Prints the seconds it took.

usage: scale.py add|del FIRST COUNT"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kcgenl as g  # noqa: E402

INSTANCE_ADD, INSTANCE_DEL = 2, 3
A_INST_ID, A_INST_NAME, A_INST_TENANT = 4, 5, 6
WINDOW = 256


def main():
    verb, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    s = g.GenlSocket()
    s.sock.setsockopt(g.socket.SOL_SOCKET, g.socket.SO_RCVBUF, 1 << 22)
    fam = s.family("kcloud_meter")
    start = time.monotonic()
    errors = 0
    for base in range(first, first + count, WINDOW):
        ids = range(base, min(base + WINDOW, first + count))
        for i in ids:
            if verb == "add":
                attrs = (g.nla_u32(A_INST_ID, i) + g.nla_str(A_INST_NAME, "s%d" % i) +
                         g.nla_str(A_INST_TENANT, "t%d" % (i % 10)))
                s.send(fam.id, INSTANCE_ADD, attrs)
            else:
                s.send(fam.id, INSTANCE_DEL, g.nla_u32(A_INST_ID, i))
        acks = 0
        while acks < len(ids):
            for mtype, _, _, body in s.recv_msgs():
                if mtype == g.NLMSG_ERROR:
                    acks += 1
                    if g.struct.unpack_from("=i", body, 0)[0]:
                        errors += 1
    print("%.2f" % (time.monotonic() - start))
    if errors:
        print("%d requests failed" % errors, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
