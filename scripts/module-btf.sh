#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Give each module BTF against the kernel's vmlinux, then resolve its BTF ids
# (kfunc sets), as the kernel's own Makefile.modfinal does when vmlinux is
# around. Fails, rather than ship modules whose kfuncs would silently vanish.
# Usage: module-btf.sh BTFDIR KDIR X.ko...
set -e
BTF=$1
KDIR=$2
shift 2
die() { echo "module-btf: $*" >&2; exit 1; }
command -v pahole >/dev/null || die "pahole not found (install dwarves: make deps)"
command -v llvm-objcopy >/dev/null && export LLVM_OBJCOPY=llvm-objcopy
flags=""
[ -x "$KDIR/scripts/pahole-flags.sh" ] &&
	flags=$(cd "$KDIR" && PAHOLE=pahole srctree=. ./scripts/pahole-flags.sh 2>/dev/null) || true
for ko in "$@"; do
	# Already done (by us, or by kbuild where vmlinux is in KDIR).
	readelf -S "$ko" | grep -q ' \.BTF ' && continue
	# shellcheck disable=SC2086
	pahole -J $flags --btf_base "$BTF/vmlinux" "$ko" ||
		die "pahole could not add BTF to $ko"
	"$BTF/resolve_btfids" -b "$BTF/vmlinux" "$ko" ||
		die "resolve_btfids failed on $ko"
	readelf -S "$ko" | grep -q ' \.BTF ' || die "$ko has no .BTF section after pahole"
	echo "  BTF     $ko"
done
