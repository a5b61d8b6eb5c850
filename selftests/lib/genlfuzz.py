#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A policy-driven generic netlink fuzzer for kcloud's families.

It asks the kernel for each family's attribute policies (CTRL_CMD_GETPOLICY),
then sends random and mutated requests to every op: random subsets of the
op's attributes with values at, inside and past every bound (integer ranges,
string and binary lengths), wrong sizes, unknown attribute types, random
nesting, truncated and garbage payloads. Everything derives from one seed,
so a failure replays: genlfuzz.py --seed N --count M FAMILY...

It reports how many messages it sent and how the kernel answered; finding
splats and leaks is the caller's job (the kernel log, kmemleak)."""

import argparse
import errno
import random
import struct
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kcgenl as g  # noqa: E402

CTRL_CMD_GETPOLICY = 10
CTRL_ATTR_POLICY = 8
CTRL_ATTR_OP_POLICY = 9
CTRL_ATTR_OP = 10
CTRL_ATTR_POLICY_DO = 1
CTRL_ATTR_POLICY_DUMP = 2

PT_TYPE, PT_MIN_S, PT_MAX_S, PT_MIN_U, PT_MAX_U = 1, 2, 3, 4, 5
PT_MIN_LEN, PT_MAX_LEN, PT_IDX, PT_MAXTYPE = 6, 7, 8, 9

T_FLAG, T_U8, T_U16, T_U32, T_U64 = 1, 2, 3, 4, 5
T_S8, T_S16, T_S32, T_S64 = 6, 7, 8, 9
T_BINARY, T_STRING, T_NUL_STRING, T_NESTED, T_NESTED_ARRAY, T_BITFIELD32 = 10, 11, 12, 13, 14, 15

INT_FMT = {T_U8: "B", T_U16: "H", T_U32: "I", T_U64: "Q",
           T_S8: "b", T_S16: "h", T_S32: "i", T_S64: "q"}
INT_BITS = {T_U8: 8, T_U16: 16, T_U32: 32, T_U64: 64,
            T_S8: 8, T_S16: 16, T_S32: 32, T_S64: 64}


def sval(b):
    return struct.unpack("=q", b.ljust(8, b"\0")[:8])[0] if len(b) == 8 else \
        struct.unpack("=i", b[:4])[0]


def uval(b):
    return struct.unpack("=Q", b[:8])[0] if len(b) >= 8 else struct.unpack("=I", b[:4])[0]


def get_policies(sock, fam):
    """{policy_idx: {attr: props}}, {op: (do_idx, dump_idx)}"""
    seq = sock.send(g.GENL_ID_CTRL, CTRL_CMD_GETPOLICY,
                    g.nla_str(g.CTRL_ATTR_FAMILY_NAME, fam.name), g.NLM_F_DUMP)
    policies, ops = {}, {}
    done = False
    while not done:
        for mtype, mflags, mseq, body in sock.recv_msgs():
            if mseq != seq:
                continue
            if mtype in (g.NLMSG_DONE, g.NLMSG_ERROR):
                done = True
                break
            attrs = g.attr_dict(body[4:])
            if CTRL_ATTR_POLICY in attrs:
                for idx, pol in g.parse_attrs(attrs[CTRL_ATTR_POLICY]):
                    for atype, props in g.parse_attrs(pol):
                        p = {}
                        for k, v in g.parse_attrs(props):
                            if k == PT_TYPE or k in (PT_MIN_LEN, PT_MAX_LEN, PT_IDX, PT_MAXTYPE):
                                p[k] = g.u32(v)
                            elif k in (PT_MIN_S, PT_MAX_S):
                                p[k] = sval(v)
                            elif k in (PT_MIN_U, PT_MAX_U):
                                p[k] = uval(v)
                        policies.setdefault(idx, {})[atype] = p
            if CTRL_ATTR_OP_POLICY in attrs:
                for op, pol in g.parse_attrs(attrs[CTRL_ATTR_OP_POLICY]):
                    d = g.attr_dict(pol)
                    ops[op] = (g.u32(d[CTRL_ATTR_POLICY_DO]) if CTRL_ATTR_POLICY_DO in d else None,
                               g.u32(d[CTRL_ATTR_POLICY_DUMP]) if CTRL_ATTR_POLICY_DUMP in d else None)
    return policies, ops


class Fuzzer:
    def __init__(self, rng, policies):
        self.rng = rng
        self.policies = policies

    def int_value(self, t, p):
        r = self.rng
        bits = INT_BITS[t]
        signed = t in (T_S8, T_S16, T_S32, T_S64)
        lo = p.get(PT_MIN_S if signed else PT_MIN_U, -(1 << (bits - 1)) if signed else 0)
        hi = p.get(PT_MAX_S if signed else PT_MAX_U, (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1)
        choice = r.choice([lo, hi, lo - 1, hi + 1, 0, 1, (lo + hi) // 2,
                           r.randint(min(lo, hi), max(lo, hi)), r.getrandbits(bits)])
        if signed:
            choice = max(-(1 << (bits - 1)), min((1 << (bits - 1)) - 1, choice))
        else:
            choice &= (1 << bits) - 1
        return struct.pack("=" + INT_FMT[t], choice)

    def blob(self, n):
        r = self.rng
        kind = r.randrange(4)
        if kind == 0:
            return bytes(r.getrandbits(8) for _ in range(n))
        if kind == 1:
            return b"\0" * n
        if kind == 2:
            return b"\xff" * n
        return bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz0123456789/.-_:") for _ in range(n))

    def value(self, p, depth):
        r = self.rng
        t = p.get(PT_TYPE, T_BINARY)
        maxlen = p.get(PT_MAX_LEN, 64)
        minlen = p.get(PT_MIN_LEN, 0)
        if r.random() < 0.05:                      # any size at all
            return self.blob(r.choice([0, 1, 3, 5, 7, 9, 17, 300]))
        if t == T_FLAG:
            return b"" if r.random() < 0.9 else b"\1\0\0\0"
        if t in INT_FMT:
            v = self.int_value(t, p)
            if r.random() < 0.05:
                v = v[:max(0, len(v) - 1)] if r.random() < 0.5 else v + b"\0\0\0\0"
            return v
        if t in (T_STRING, T_NUL_STRING):
            n = r.choice([0, 1, maxlen - 1, maxlen, maxlen + 1, r.randint(0, max(1, maxlen))])
            n = max(0, n)
            s = self.blob(n).replace(b"\0", b"a")
            if t == T_NUL_STRING and r.random() < 0.9:
                s += b"\0"
            return s
        if t == T_BITFIELD32:
            return struct.pack("=II", r.getrandbits(32), r.getrandbits(32))
        if t in (T_NESTED, T_NESTED_ARRAY) and depth < 4:
            idx = p.get(PT_IDX)
            if t == T_NESTED_ARRAY:
                return b"".join(g.nla(i + 1, self.attrs(idx, depth + 1))
                                for i in range(r.randint(0, 4)))
            return self.attrs(idx, depth + 1)
        n = r.choice([0, minlen, maxlen, maxlen + 1, r.randint(0, 64)])
        return self.blob(max(0, n))

    def attrs(self, idx, depth=0):
        r = self.rng
        pol = self.policies.get(idx, {})
        types = list(pol)
        out = []
        if types:
            for atype in r.sample(types, r.randint(0, len(types))):
                nested = pol[atype].get(PT_TYPE) in (T_NESTED, T_NESTED_ARRAY)
                t = atype | (g.NLA_F_NESTED if nested and r.random() < 0.9 else 0)
                out.append(g.nla(t, self.value(pol[atype], depth)))
                if r.random() < 0.03:              # a duplicate
                    out.append(out[-1])
        if r.random() < 0.05:                      # unknown or zero type
            out.append(g.nla(r.choice([0, max(types or [0]) + 1, 0x3fff]), self.blob(r.randint(0, 16))))
        r.shuffle(out)
        data = b"".join(out)
        if r.random() < 0.02 and data:             # a broken nla_len
            data = struct.pack("=H", r.randint(0, 0xffff)) + data[2:]
        if r.random() < 0.02:
            data = data[:r.randint(0, len(data))]
        return data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000, help="messages per family")
    ap.add_argument("families", nargs="+")
    a = ap.parse_args()

    sock = g.GenlSocket()
    sock.sock.settimeout(20)
    total = 0
    for name in a.families:
        fam = sock.family(name)
        policies, opmap = get_policies(sock, fam)
        rng = random.Random("%d/%s" % (a.seed, name))
        fz = Fuzzer(rng, policies)
        answers = {}
        ops = sorted(fam.ops)
        for i in range(a.count):
            op = rng.choice(ops + [0, max(ops) + 1])
            flags = fam.ops.get(op, 0)
            do_idx, dump_idx = opmap.get(op, (None, None))
            dump = bool(flags & g.GENL_CMD_CAP_DUMP) and (not flags & g.GENL_CMD_CAP_DO or rng.random() < 0.5)
            idx = dump_idx if dump else do_idx
            if idx is None:
                idx = do_idx if do_idx is not None else dump_idx
            data = fz.attrs(idx) if idx is not None else fz.blob(rng.randint(0, 32))
            try:
                sock.request(fam.id, op, data, g.NLM_F_DUMP if dump else 0)
                key = "ok"
            except g.NetlinkError as e:
                key = errno.errorcode.get(e.errno, str(e.errno))
            answers[key] = answers.get(key, 0) + 1
            total += 1
        print("# %s: %d messages (seed %d): %s" % (name, a.count, a.seed,
              ", ".join("%s %d" % kv for kv in sorted(answers.items()))))
    print("# %d messages in all" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
