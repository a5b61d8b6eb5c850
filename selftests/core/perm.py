#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Privilege checks on every kcloud family, from what the kernel registers:

  perm.py unpriv       (as root) drop to uid/gid 65534 with no capabilities:
                       every admin op is refused with EPERM, get ops answer
  perm.py userns-init  run under `unshare -U -r`: root of a child user
                       namespace, in the initial network namespace: every
                       admin op is refused with EPERM
  perm.py userns-own   run under `unshare -U -r -n`: root of a user namespace
                       that owns its network namespace: admin ops are not
                       refused with EPERM (GENL_UNS_ADMIN_PERM), host-only
                       ones (GENL_ADMIN_PERM: volumes) are

Prints TAP result lines (numbered from 1; test_perm.sh renumbers)."""

import errno
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kcgenl  # noqa: E402

FAMILIES = ["kcloud_vpc", "kcloud_bs", "kcloud_meter"]
ADMIN = kcgenl.GENL_UNS_ADMIN_PERM | kcgenl.GENL_ADMIN_PERM


def try_op(sock, fam, cmd, flags):
    dump = kcgenl.NLM_F_DUMP if (flags & kcgenl.GENL_CMD_CAP_DUMP and
                                 not flags & kcgenl.GENL_CMD_CAP_DO) else 0
    try:
        sock.request(fam.id, cmd, b"", dump)
        return 0
    except kcgenl.NetlinkError as e:
        return e.errno


def main(mode):
    # Resolve while still privileged: the ctrl family answers anyone anyway.
    sock = kcgenl.GenlSocket()
    fams = [sock.family(f) for f in FAMILIES]
    if mode == "unpriv":
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    n = 0
    bad_total = 0
    for fam in fams:
        admin = [c for c, f in fam.ops.items() if f & ADMIN]
        reads = [c for c, f in fam.ops.items() if not f & ADMIN]
        bad = []
        for cmd in admin:
            err = try_op(sock, fam, cmd, fam.ops[cmd])
            if mode in ("unpriv", "userns-init") and err != errno.EPERM:
                bad.append("admin op %d: got %s, want EPERM" % (cmd, errno.errorcode.get(err, err)))
            # GENL_ADMIN_PERM ops (the block store's volumes: block devices
            # of the host) need CAP_NET_ADMIN in the initial user namespace.
            host_only = not fam.ops[cmd] & kcgenl.GENL_UNS_ADMIN_PERM
            if mode == "userns-own" and host_only and err != errno.EPERM:
                bad.append("host-only op %d: got %s, want EPERM" % (cmd, errno.errorcode.get(err, err)))
            if mode == "userns-own" and not host_only and err == errno.EPERM:
                bad.append("admin op %d refused to the owner of the netns" % cmd)
        if mode == "unpriv":
            for cmd in reads:
                err = try_op(sock, fam, cmd, fam.ops[cmd])
                if err == errno.EPERM:
                    bad.append("read op %d refused to an unprivileged user" % cmd)
        n += 1
        bad_total += len(bad)
        print("%s %d %s: %s: %d admin ops, %d read ops checked" %
              ("not ok" if bad else "ok", n, mode, fam.name, len(admin),
               len(reads) if mode == "unpriv" else 0))
        for b in bad:
            print("# " + b)
    return 1 if bad_total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
