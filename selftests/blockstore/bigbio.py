#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write a file to a block device in bios larger than its queue takes.

usage: bigbio.py DEVICE FILE [CHUNK_MIB]

O_DIRECT writes of CHUNK_MIB (default 4) from a buffer of transparent huge
pages: the kernel puts a 2 MiB page in one bio_vec, so one bio carries the
whole chunk, and blk-mq splits it at the device's max_sectors, resubmitting
the rest from inside the same submit_bio(). Prints how much of the buffer
was in huge pages (AnonHugePages of its mapping, in KiB).
"""
import ctypes
import mmap
import os
import sys

HUGE = 2 << 20


def huge_kib(addr):
    """AnonHugePages of the mapping that holds addr."""
    inside = False
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                lo, hi = (int(x, 16) for x in head.split("-"))
                inside = lo <= addr < hi
            elif inside and head == "AnonHugePages:":
                return int(line.split()[1])
    return 0


def main():
    dev, src = sys.argv[1], sys.argv[2]
    chunk = (int(sys.argv[3]) if len(sys.argv) > 3 else 4) << 20
    data = open(src, "rb").read()
    if len(data) % chunk:
        sys.exit("bigbio: %s is not a whole number of chunks" % src)
    m = mmap.mmap(-1, chunk + HUGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    m.madvise(mmap.MADV_HUGEPAGE)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
    off = (-addr) % HUGE
    buf = memoryview(m)[off:off + chunk]
    fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
    huge = 0
    for pos in range(0, len(data), chunk):
        buf[:] = data[pos:pos + chunk]
        if not huge:
            huge = huge_kib(addr + off)
        if os.pwrite(fd, buf, pos) != chunk:
            sys.exit("bigbio: short write at %d" % pos)
    os.fsync(fd)
    os.close(fd)
    buf.release()
    print(huge)


if __name__ == "__main__":
    main()
