#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_mem_pressure.sh on an encrypted volume: its writes take bounce pages
# from the volume's mempool (GFP_NOIO, one waiter at a time) while fio runs
# in a memory cgroup that fits and then in one that bites. No verify error,
# no hang, and the replicas are identical after.
KEY=$(mktemp /tmp/kcbs-mem-key.XXXXXX) || exit 1
trap 'rm -f "$KEY"' EXIT
head -c 64 /dev/urandom > "$KEY"
MEM_BS_ARGS="key-file $KEY" "$(dirname "$0")/test_mem_pressure.sh"
