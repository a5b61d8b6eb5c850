#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Wire-protocol fuzzer of a kcloud_bs target (kmod/blockstore/proto.h).

  bsfuzz.py --seed S --conns N --addr A --port P --protect BYTES

Opens N TCP connections to the target at A:P, one after the other. Most
start with a valid HELLO (the target's epoch is learnt first) and go on
with requests, valid or mutated (magic, type, flags, lengths, offsets,
epochs, header and data crc32c, truncated or extended frames); some are
pure garbage. A model of the target (the rules of target.c) runs over the
same bytes and predicts every reply and every counter; the replies read
back are compared with it, and the counters the target reports (kcloud -j
-s target show) are compared by the caller with the sums printed at the
end:

  COUNTERS garbage=G stale=S crc_errors=C reads=R writes=W flushes=F errors=E

Frames the model says would change what the target keeps (a HELLO with a
newer epoch, a write or zeroing of the first BYTES of the store, which
hold a volume's data, a SIZE that would grow the store) are not sent. Everything is generated from the seed
(Python's random), so a run replays with the same arguments.

Prints "PASS desc" / "FAIL desc: why", "#" comments and a REPORT line."""

import argparse
import random
import select
import socket
import struct
import sys
import time

REQ = struct.Struct("!IHHQQIIQII")
REP = struct.Struct("!IHHQQIIQII")
REQ_MAGIC, REP_MAGIC = 0x4b434251, 0x4b434252
HELLO, READ, WRITE, FLUSH, ZERO, SIZE = 1, 2, 3, 4, 5, 6
ST_OK, ST_EIO, ST_BADCRC, ST_STALE, ST_RANGE, ST_INVAL = range(6)
MAX_PAYLOAD = 1 << 20
VERSION = 1
FLAGS = 0x0001
HELLO_LEN = 0           # bytes of volume name after a HELLO (0: none)
NAME = b""              # the volume's name, NUL padded to HELLO_LEN
ST_FOREIGN = 6


def read_proto(path):
    """The protocol version and the valid request flags, from proto.h."""
    global VERSION, FLAGS, HELLO_LEN
    flags = 0
    for line in open(path):
        w = line.split()
        if len(w) >= 3 and w[0] == "#define":
            if w[1] == "KCBS_PROTO_VERSION":
                VERSION = int(w[2], 0)
            elif w[1] == "KCBS_HELLO_LEN":
                HELLO_LEN = int(w[2], 0)
            elif w[1].startswith("KCBS_MSG_F_"):
                flags |= int(w[2], 0)
    FLAGS = flags or FLAGS

# crc32c (Castagnoli), reflected, started at ~0 and not inverted at the end:
# kcbs_crc(~0, p, len).
_T = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _T.append(_c)
_crc_cache = {}


def crc32c(data):
    v = _crc_cache.get(data)
    if v is not None:
        return v
    c = 0xffffffff
    t = _T
    for b in data:
        c = t[(c ^ b) & 0xff] ^ (c >> 8)
    if len(_crc_cache) < 4096:
        _crc_cache[data] = c
    return c


def req(rtype, off=0, length=0, epoch=0, handle=0, flags=0, data_crc=0,
        magic=REQ_MAGIC, reserved=0, hdr_crc=None):
    h = REQ.pack(magic, rtype, flags, handle, off, length, data_crc, epoch, 0, reserved)
    if hdr_crc is None:
        hdr_crc = crc32c(h[:40])
    return h[:40] + struct.pack("!II", hdr_crc, reserved)


def hello_bytes(version, epoch, handle):
    """A valid HELLO, with the volume's name where the protocol has one."""
    if HELLO_LEN:
        return req(HELLO, version, HELLO_LEN, epoch, handle, 0, crc32c(NAME)) + NAME
    return req(HELLO, version, 0, epoch, handle)


def reseal(h):
    """The header with its hdr_crc made right again."""
    return h[:40] + struct.pack("!I", crc32c(h[:40])) + h[44:48]


class Unsafe(Exception):
    pass


class Model:
    """What the target does with the bytes of one connection (target.c)."""

    def __init__(self, epoch, size, protect):
        self.epoch, self.size, self.protect = epoch, size, protect

    def in_range(self, off, length):
        return length and off < self.size and length <= self.size - off

    def run(self, s):
        """Return (replies, counters, end, consumed, mark): replies as
        (type, status, handle, length); end is "closed" when the target
        closes the connection itself, "eof" when it waits for more bytes;
        mark is (bytes, replies) up to the last request before the one
        that closes the connection or the incomplete one at the end.

        From protocol version 2 the target serves the requests after the
        HELLO concurrently, replies in any order, and takes a HELLO after
        the first as a bad frame."""
        r = self._run(s)
        return r[0], r[1], r[2], r[3], self.mark

    def _run(self, s):
        cnt = dict(garbage=0, stale=0, crc_errors=0, reads=0, writes=0, flushes=0, errors=0,
                   foreign=0)
        reps = []
        pos = 0
        hello = False
        while True:
            self.mark = (pos, len(reps))
            if len(s) - pos < 48:
                return reps, cnt, "eof", pos
            h = s[pos:pos + 48]
            pos += 48
            magic, rtype, flags, handle, off, length, dcrc, epoch, hcrc, rsvd = REQ.unpack(h)
            if magic != REQ_MAGIC or rsvd or hcrc != crc32c(h[:40]) or \
                    not HELLO <= rtype <= SIZE or flags & ~FLAGS or length > MAX_PAYLOAD:
                cnt["garbage"] += 1
                return reps, cnt, "closed", pos
            if rtype == HELLO and hello and VERSION >= 2:
                cnt["garbage"] += 1
                return reps, cnt, "closed", pos
            data = b""
            if rtype == WRITE and not hello and VERSION >= 2:
                cnt["garbage"] += 1
                return reps, cnt, "closed", pos
            if rtype == HELLO and HELLO_LEN:
                # The first HELLO carries the volume's name (crc in data_crc).
                if length != HELLO_LEN:
                    cnt["garbage"] += 1
                    return reps, cnt, "closed", pos
                if len(s) - pos < length:
                    return reps, cnt, "eof", pos - 48
                name = s[pos:pos + length]
                pos += length
                if dcrc != crc32c(name) or not name[0] or name[-1]:
                    cnt["garbage"] += 1
                    return reps, cnt, "closed", pos
                if off != VERSION:
                    reps.append((rtype, ST_INVAL, handle, 0))
                    cnt["garbage"] += 1
                    return reps, cnt, "closed", pos
                if name != NAME:
                    raise Unsafe("HELLO with another volume's name")
                if epoch < self.epoch:
                    cnt["stale"] += 1
                    reps.append((rtype, ST_STALE, handle, 0))
                    return reps, cnt, "closed", pos
                if epoch > self.epoch:
                    raise Unsafe("HELLO with a newer epoch")
                hello = True
                reps.append((rtype, ST_OK, handle, 0))
                continue
            if rtype == WRITE:
                if not length:
                    cnt["garbage"] += 1
                    return reps, cnt, "closed", pos
                if len(s) - pos < length:
                    return reps, cnt, "eof", pos - 48
                data = s[pos:pos + length]
                pos += length
            elif rtype not in (READ, ZERO) and length:
                cnt["garbage"] += 1
                return reps, cnt, "closed", pos
            if rtype == HELLO:
                if off != VERSION:
                    reps.append((rtype, ST_INVAL, handle, 0))
                    cnt["garbage"] += 1
                    return reps, cnt, "closed", pos
                if epoch < self.epoch:
                    cnt["stale"] += 1
                    reps.append((rtype, ST_STALE, handle, 0))
                    return reps, cnt, "closed", pos
                if epoch > self.epoch:
                    raise Unsafe("HELLO with a newer epoch")
                hello = True
                reps.append((rtype, ST_OK, handle, 0))
                continue
            if not hello:
                cnt["garbage"] += 1
                return reps, cnt, "closed", pos
            if epoch < self.epoch:
                cnt["stale"] += 1
                reps.append((rtype, ST_STALE, handle, 0))
                continue
            if rtype == SIZE:
                # A size the store holds already is only asked for.
                if off & ~511 > self.size:
                    raise Unsafe("SIZE that would grow the store")
                reps.append((rtype, ST_OK, handle, 0))
                continue
            if rtype == READ:
                if not self.in_range(off, length):
                    reps.append((rtype, ST_RANGE, handle, 0))
                    continue
                cnt["reads"] += 1
                reps.append((rtype, ST_OK, handle, length))
                continue
            if rtype == WRITE and dcrc != crc32c(data):
                cnt["crc_errors"] += 1
                reps.append((rtype, ST_BADCRC, handle, 0))
                continue
            if rtype in (WRITE, ZERO):
                if not self.in_range(off, length):
                    reps.append((rtype, ST_RANGE, handle, 0))
                    continue
                if off < self.protect:
                    raise Unsafe("write into the protected range")
                cnt["writes"] += 1
            else:
                cnt["flushes"] += 1
            reps.append((rtype, ST_OK, handle, 0))


class Gen:
    def __init__(self, rng, model):
        self.rng, self.m = rng, model
        self.handle = 0

    def offset(self):
        r, m = self.rng, self.m
        return r.choice([m.protect, m.protect + 4096 * r.randrange(64), m.size - 4096,
                         m.size - 1, m.size, m.size + 4096, 0, 4096 * r.randrange(256),
                         (1 << 64) - 1, (1 << 63), r.randrange(1 << 64)])

    def length(self, rtype):
        r = self.rng
        if rtype == WRITE:
            return r.choice([512, 4096, 4096, 1, 8192] * 10 + [65536])
        if r.random() < 0.05:
            return r.choice([MAX_PAYLOAD + 1, 0xffffffff, r.randrange(1 << 32)])
        return r.choice([0, 1, 512, 4096, 4096, 65536, MAX_PAYLOAD])

    def frame(self, rtype=None):
        """One request, valid or not, as bytes."""
        r, m = self.rng, self.m
        self.handle += 1
        if rtype is None:
            rtype = r.choice([READ, READ, READ, WRITE, WRITE, WRITE, FLUSH, ZERO, ZERO, HELLO,
                              SIZE])
        off = self.offset()
        if rtype == SIZE and r.random() < 0.8:
            off = r.choice([0, 1, m.size - 4096, m.size - 1, m.size, m.size + 511])
        length = self.length(rtype)
        if rtype in (FLUSH, SIZE):
            length = 0 if r.random() < 0.9 else length
        epoch = m.epoch if r.random() < 0.9 else r.choice([0, m.epoch - 1, m.epoch + 1,
                                                           (1 << 64) - 1]) % (1 << 64)
        flags = r.choice([0] * 14 + [1, 1, 2, 3, r.choice([4, 0x8000, 0xffff])])
        if rtype == HELLO:
            off = VERSION if r.random() < 0.8 else r.choice([0, VERSION + 1, 0xffffffff])
            length = (HELLO_LEN if HELLO_LEN else 0) if r.random() < 0.9 else length
        data = b""
        if rtype == HELLO and HELLO_LEN:
            data = r.choice([NAME] * 8 + [bytes(HELLO_LEN), NAME[:-1] + b"x"])
            if length != HELLO_LEN and r.random() < 0.5:
                data = b""
        if rtype == WRITE:
            n = min(length, 65536)
            data = bytes([r.randrange(256)]) * n if r.random() < 0.5 else \
                r.randbytes(n)
        dcrc = crc32c(data) if r.random() < 0.85 else r.randrange(1 << 32)
        h = req(rtype, off, length, epoch, self.handle, flags, dcrc)
        k = r.random()
        if k < 0.15:            # a field or a byte of the header, crc made right
            h = bytearray(h)
            if r.random() < 0.5:
                i = r.randrange(40)
                h[i] = r.choice([0, 1, 0x7f, 0x80, 0xff, h[i] ^ (1 << r.randrange(8))])
            else:
                f = r.choice([(0, 4), (4, 2), (6, 2), (24, 4), (28, 4), (32, 8), (44, 4)])
                h[f[0]:f[0] + f[1]] = r.randbytes(f[1])
            h = reseal(bytes(h)) if r.random() < 0.8 else bytes(h)
        elif k < 0.19:          # a bit of the header, crc left: garbage
            h = bytearray(h)
            i = r.randrange(48)
            h[i] ^= 1 << r.randrange(8)
            h = bytes(h)
        elif k < 0.23:          # the data's length disagrees with the header's
            data = data[:r.randrange(len(data) + 1)] if r.random() < 0.5 else \
                data + bytes(r.randrange(1, 100))
        elif k < 0.28 and data:  # a bit of the data
            d = bytearray(data)
            d[r.randrange(len(d))] ^= 1 << r.randrange(8)
            data = bytes(d)
        elif k < 0.30:          # a truncated frame
            h = h[:r.randrange(48)]
        return h + data

    def hello(self, epoch=None):
        self.handle += 1
        return hello_bytes(VERSION, self.m.epoch if epoch is None else epoch, self.handle)

    def connection(self, maxreq):
        """The bytes of one connection and the model's verdict on them."""
        r = self.rng
        if r.random() < 0.1:
            s = r.randbytes(r.choice([1, 47, 48, 49, 200, 4096]))
            if r.random() < 0.3:
                s = struct.pack("!I", REQ_MAGIC) + s
            try:
                return s, self.m.run(s)
            except Unsafe:
                return b"", self.m.run(b"")
        k = r.random()
        s = self.hello() if k < 0.95 else b""
        if k >= 0.85 and k < 0.95:     # a mutated HELLO first
            cand = self.frame(HELLO)
            try:
                self.m.run(cand)
                s = cand
            except Unsafe:
                pass
        verdict = self.m.run(s)
        for _ in range(r.randint(1, maxreq)):
            for _try in range(8):
                cand = s + self.frame()
                try:
                    v = self.m.run(cand)
                except Unsafe:
                    continue
                s, verdict = cand, v
                break
            if verdict[2] == "closed":
                break
        # Nothing past the point where the target closes: it would reset
        # the connection, and replies in flight could be lost.
        return s[:verdict[3]] if verdict[2] == "closed" else s, verdict


def count_replies(buf):
    n = pos = 0
    while pos + 48 <= len(buf):
        pos += 48 + REP.unpack(buf[pos:pos + 48])[5]
        if pos > len(buf):
            break
        n += 1
    return n


def exchange(addr, port, data, mark=None, timeout=20.0):
    """Send @data, the first mark[0] bytes first, and wait for their
    mark[1] replies: the target answers requests in any order and drops
    the answers still due when the connection ends. Then send the rest,
    shut our side and read until the target closes; return what it sent."""
    s = socket.create_connection((addr, port), timeout=timeout)
    s.setblocking(False)
    got = bytearray()
    first, want = mark if mark else (len(data), 0)
    sent = 0
    shut = False
    end = time.time() + timeout
    while time.time() < end:
        waiting = sent >= first and count_replies(got) < want
        w = [s] if not shut and not waiting else []
        rd, wr, _ = select.select([s], w, [], 0.5)
        if wr:
            lim = first if sent < first else len(data)
            if sent < lim:
                try:
                    sent += s.send(data[sent:min(lim, sent + 262144)])
                except (BrokenPipeError, ConnectionResetError):
                    shut = True
            elif sent >= len(data):
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                shut = True
        if rd:
            try:
                chunk = s.recv(1 << 20)
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += chunk
    else:
        s.close()
        raise TimeoutError("no end after %.0f s (%d of %d bytes sent, %d replies)" %
                           (timeout, sent, len(data), count_replies(got)))
    s.close()
    return bytes(got)


def parse_replies(buf):
    """(type, status, handle, length) of each reply; errors found in them."""
    out, errs, pos = [], [], 0
    while pos + 48 <= len(buf):
        h = buf[pos:pos + 48]
        magic, rtype, status, handle, value, length, dcrc, epoch, hcrc, rsvd = REP.unpack(h)
        if magic != REP_MAGIC or hcrc != crc32c(h[:40]):
            errs.append("reply %d: bad magic or header crc" % len(out))
            break
        pos += 48
        if length:
            data = buf[pos:pos + length]
            pos += length
            # (crc32c in Python is slow: large reads are checked for length.)
            if len(data) != length or (length <= 65536 and crc32c(data) != dcrc):
                errs.append("reply %d: READ data short or crc wrong" % len(out))
        out.append((rtype, status, handle, length))
    if pos != len(buf):
        errs.append("%d bytes after the last whole reply" % (len(buf) - pos))
    return out, errs


def learn(addr, port):
    """The protocol version, the target's epoch and size. A HELLO with
    another version is refused (INVAL, counted as garbage): the version of
    proto.h is tried first, then 1 to 4, in case the module was built from
    another proto.h. A HELLO with epoch 0 is answered with the target's
    epoch (STALE, counted, unless it is 0), then one with that epoch is
    accepted, with the size. Return (epoch, size, status, counters)."""
    global VERSION
    cnt = dict(garbage=0, stale=0)
    st = epoch = None
    for v in [VERSION] + [x for x in range(1, 5) if x != VERSION]:
        raw = exchange(addr, port, hello_bytes(v, 0, 1))
        if len(raw) < 48:
            raise RuntimeError("the target closed the connection on a HELLO of version %d "
                               "(its protocol is not the one in proto.h?)" % v)
        st, epoch = REP.unpack(raw[:48])[2], REP.unpack(raw[:48])[7]
        if st != ST_INVAL:
            VERSION = v
            break
        cnt["garbage"] += 1
    if st == ST_STALE:
        cnt["stale"] += 1
    raw = exchange(addr, port, hello_bytes(VERSION, epoch, 2))
    st, size = REP.unpack(raw[:48])[2], REP.unpack(raw[:48])[4]
    return epoch, size, st, cnt


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--conns", type=int, default=200)
    p.add_argument("--maxreq", type=int, default=12)
    p.add_argument("--addr", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--protect", type=int, required=True)
    p.add_argument("--proto", help="kmod/blockstore/proto.h: version and flags")
    p.add_argument("--volume", default="fz", help="the name of the target's volume")
    a = p.parse_args()
    if a.proto:
        read_proto(a.proto)
    global NAME
    NAME = a.volume.encode().ljust(HELLO_LEN, b"\0")[:HELLO_LEN] if HELLO_LEN else b""
    print("# seed %d: replay with bsfuzz.py %s" % (a.seed, " ".join(sys.argv[1:])))
    epoch, size, st, cnt0 = learn(a.addr, a.port)
    print("# protocol version %d, flags 0x%x, HELLO name %d bytes; target epoch %d, size %d (HELLO status %d)" %
          (VERSION, FLAGS, HELLO_LEN, epoch, size, st))
    ok = st == ST_OK
    if not ok:
        print("FAIL a HELLO with the target's epoch is accepted: status %d" % st)
    model = Model(epoch, size, a.protect)
    gen = Gen(random.Random(a.seed), model)
    total = dict(garbage=cnt0["garbage"], stale=cnt0["stale"], crc_errors=0, reads=0, writes=0,
                 flushes=0, errors=0, foreign=0)
    frames = nbytes = mism = 0
    t0 = time.time()
    for i in range(a.conns):
        data, (want, cnt, _end, _pos, mark) = gen.connection(a.maxreq)
        for k, v in cnt.items():
            total[k] += v
        nbytes += len(data)
        frames += max(1, len(want) + (1 if cnt["garbage"] else 0))
        try:
            got, errs = parse_replies(exchange(a.addr, a.port, data, mark))
        except (OSError, TimeoutError) as e:
            got, errs = [], ["connection: %s" % e]
        if sorted(got) != sorted(want) or errs:
            mism += 1
            if mism <= 5:
                print("# connection %d: replies %s, model %s %s" % (i, got[:8], want[:8], errs))
    secs = time.time() - t0
    ok &= mism == 0
    print(("PASS every reply is what the protocol says (%d connections)" % a.conns)
          if not mism else
          ("FAIL every reply is what the protocol says: %d of %d connections differ"
           % (mism, a.conns)))
    print("# %d connections, %d bytes, %d requests in %.1f s" % (a.conns, nbytes, frames, secs))
    print("COUNTERS " + " ".join("%s=%d" % kv for kv in sorted(total.items())))
    print("REPORT connections %d frames %d bytes %d garbage %d crc_errors %d stale %d" %
          (a.conns, frames, nbytes, total["garbage"], total["crc_errors"], total["stale"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
