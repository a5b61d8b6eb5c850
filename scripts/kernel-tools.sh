#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prepare what module BTF, lint and the selftests need from the kernel, which
# Debian's headers do not ship:
#   $OUT/vmlinux         the target kernel's ELF with .BTF, from /boot/vmlinuz-$KVER
#   $OUT/resolve_btfids  built from tools/bpf/resolve_btfids of linux-source-6.1
#   $OUT/src             tools/, scripts/ (checkpatch) of linux-source-6.1
# A kernel built here (KDIR holds its vmlinux and resolve_btfids, as the debug
# kernel of `make check-debug` does) gives both itself.
# Usage: kernel-tools.sh KVER OUT [KDIR]
set -e
KVER=$1
OUT=$2
KDIR=${3:-}
die() { echo "kernel-tools: $*" >&2; exit 1; }
[ -n "$KVER" ] && [ -n "$OUT" ] || die "usage: kernel-tools.sh KVER OUT"
mkdir -p "$OUT"

if [ -n "$KDIR" ] && [ -f "$KDIR/vmlinux" ]; then
	ln -sf "$(realpath "$KDIR/vmlinux")" "$OUT/vmlinux"
	[ -x "$KDIR/tools/bpf/resolve_btfids/resolve_btfids" ] &&
		ln -sf "$(realpath "$KDIR/tools/bpf/resolve_btfids/resolve_btfids")" "$OUT/resolve_btfids"
	# Its tools/ (the kselftest harness) and scripts/ (checkpatch) too.
	[ -e "$OUT/src" ] || [ ! -d "$KDIR/tools/testing/selftests" ] ||
		ln -sfn "$(realpath "$KDIR")" "$OUT/src"
elif [ ! -s "$OUT/vmlinux" ] || [ "/boot/vmlinuz-$KVER" -nt "$OUT/vmlinux" ]; then
	img=/boot/vmlinuz-$KVER
	[ -r "$img" ] || die "$img not found"
	# The compressed kernel is an xz stream inside the bzImage.
	off=$(LC_ALL=C grep -abo "$(printf '\3757zXZ')" "$img" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || die "no xz stream in $img (not an xz-compressed bzImage?)"
	tail -c +$((off + 1)) "$img" | xz -dc --single-stream > "$OUT/vmlinux.tmp" 2>/dev/null ||
		die "could not decompress the kernel in $img"
	readelf -S "$OUT/vmlinux.tmp" 2>/dev/null | grep -q '\.BTF' ||
		die "$img has no .BTF section: this kernel was built without CONFIG_DEBUG_INFO_BTF"
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
fi

if [ ! -x "$OUT/resolve_btfids" ]; then
	src=/usr/src/linux-source-6.1.tar.xz
	[ -r "$src" ] || die "$src not found (install linux-source-6.1: make deps)"
	tree=$OUT/src
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xf "$src" -C "$tree" --strip-components=1 \
		linux-source-6.1/tools linux-source-6.1/scripts linux-source-6.1/include/uapi \
		linux-source-6.1/include/linux/btf_ids.h linux-source-6.1/Makefile ||
		die "could not unpack $src"
	mkdir -p "$OUT/rbtf"
	make -s -C "$tree/tools/bpf/resolve_btfids" O="$(realpath "$OUT")/rbtf" \
		>"$OUT/resolve_btfids.log" 2>&1 ||
		die "building resolve_btfids failed, see $OUT/resolve_btfids.log"
	cp "$OUT/rbtf/resolve_btfids" "$OUT/resolve_btfids"
fi
