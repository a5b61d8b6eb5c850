#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build kcloud's default guest image from the machine's own Debian packages:
# the installed kernel and a busybox initramfs (tools/guest/init) with the
# virtio, ext4 and fw_cfg modules. Nothing is downloaded.
# With VMLINUX (the kernel's uncompressed ELF, as scripts/kernel-tools.sh
# extracts it) the image also gets OUTDIR/vmlinux, which qemu boots through
# its PVH entry: no decompression, which under TCG saves minutes per boot.
# usage: guest-image.sh KVER OUTDIR [VMLINUX]
#   -> OUTDIR/vmlinuz, OUTDIR/initramfs.cpio.gz [, OUTDIR/vmlinux]
set -eu
kver=$1
out=$2
vmlinux=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "guest-image: $*" >&2; exit 1; }
bb=""
for c in /bin/busybox /usr/bin/busybox; do
	[ -x "$c" ] && ! ldd "$c" >/dev/null 2>&1 && { bb=$c; break; }
done
[ -n "$bb" ] || die "no static busybox (install busybox-static)"
[ -r "/boot/vmlinuz-$kver" ] || die "/boot/vmlinuz-$kver not found"

mkdir -p "$out"
if [ -n "$vmlinux" ] && [ -r "$vmlinux" ] && [ ! "$out/vmlinux" -nt "$vmlinux" ]; then
	# No symbol table: the loader does not need it.
	objcopy --strip-all \
		"$vmlinux" "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
fi
img=$out/initramfs.cpio.gz
if [ -s "$img" ] && [ "$img" -nt "$top/tools/guest/init" ] &&
	[ "$img" -nt "$top/tools/guest/udhcpc.script" ] && [ "$img" -nt "$0" ]; then
	exit 0
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,etc,dev,proc,sys,lib/modules}
cp "$bb" "$stage/bin/busybox"
cp "$top/tools/guest/init" "$stage/init"
cp "$top/tools/guest/udhcpc.script" "$stage/etc/udhcpc.script"
chmod +x "$stage/init" "$stage/etc/udhcpc.script"
echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
: > "$stage/modules.list"
mods=$(modprobe -S "$kver" --show-depends -a virtio_pci virtio_net virtio_blk \
	virtio_console ext4 qemu_fw_cfg 2>&1) || die "cannot resolve modules: $mods"
while read -r kind path _; do
	[ "$kind" = insmod ] || continue
	name=$(basename "$path")
	name=${name%.xz}; name=${name%.zst}
	grep -qx "$name" "$stage/modules.list" && continue
	case "$path" in
	*.xz) xz -dc "$path" > "$stage/lib/modules/$name" ;;
	*.zst) zstd -qdc "$path" > "$stage/lib/modules/$name" ;;
	*) cp "$path" "$stage/lib/modules/$name" ;;
	esac
	echo "$name" >> "$stage/modules.list"
done <<< "$mods"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$img.tmp"
mv "$img.tmp" "$img"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "guest-image: $out/vmlinuz, $img"
