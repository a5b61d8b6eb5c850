#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_mem_pressure.sh on an encrypted volume: its writes take bounce pages
# from the volume's mempool (GFP_NOIO, one waiter at a time) while fio runs
# in a memory cgroup that fits and then in one that bites. No verify error,
# no hang, and the replicas are identical after.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
[[ "$("$KC_TOOL" -j info 2> /dev/null)" == *encrypt* ]] ||
	t_skip_all "kcloud_bs has no encryption on this kernel (no skcipher API)"
KEY=$(mktemp /tmp/kcbs-mem-key.XXXXXX) || exit 1
trap 'rm -f "$KEY"' EXIT
head -c 64 /dev/urandom > "$KEY"
MEM_BS_ARGS="key-file $KEY" "$(dirname "$0")/test_mem_pressure.sh"
