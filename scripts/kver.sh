#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the kernel release to build against: the newest one that has both
# headers (/lib/modules/<ver>/build) and a bootable image (/boot/vmlinuz-<ver>).
for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r); do
	ver=$(basename "$(dirname "$d")")
	if [ -r "/boot/vmlinuz-$ver" ]; then
		echo "$ver"
		exit 0
	fi
done
echo "kver.sh: no kernel with headers in /lib/modules/*/build and an image in /boot (run 'make deps')" >&2
exit 1
