#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch.pl --strict over every kernel C file and header of
# kcloud, then sparse (C=2) and W=1 over the modules. Any warning fails.
# usage: lint.sh KDIR KERNEL_TOOLS_DIR
set -u
KDIR=$1
KT=$2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
rc=0

cp=$KT/src/scripts/checkpatch.pl
[ -x "$cp" ] || { echo "lint: $cp not found (make kernel-tools)" >&2; exit 1; }
files=$(find kmod -name '*.[ch]' ! -name '*.mod.c' | sort)
# Out-of-tree: no kernel tree for checkpatch to consult; the types below
# only make sense for patches to the kernel itself.
out=$("$cp" --strict --no-tree --terse --show-types --quiet \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE \
	-f $files 2>&1)
out=$(grep -E ": (WARNING|ERROR|CHECK):" <<< "$out")
if [ -n "$out" ]; then
	echo "$out"
	echo "lint: checkpatch --strict: $(grep -c ': \(WARNING\|ERROR\|CHECK\):' <<< "$out") problems" >&2
	rc=1
else
	echo "lint: checkpatch --strict: $(wc -w <<< "$files") files clean"
fi

command -v sparse >/dev/null || { echo "lint: sparse not found (make deps)" >&2; exit 1; }
out=$(make -s -C "$KDIR" M="$top" C=2 W=1 modules 2>&1 | grep -E 'warning:|error:')
if [ -n "$out" ]; then
	echo "$out"
	echo "lint: sparse/W=1: $(wc -l <<< "$out") warnings" >&2
	rc=1
else
	echo "lint: sparse (C=2) and W=1: clean"
fi
exit $rc
