#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module unloads with live targets and volumes (connected, in sync)
# and loads again; while a volume's disk is open it cannot be unloaded.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
t_defer "kc_load bs"

t_plan 7
bs_step "two targets in their namespaces" bs_setup_targets 2 8M
bs_step "a 2-replica volume" bs_volume_create v8 2 size 8M
t_check "the volume is in sync" bs_wait_state v8 ok 20
dev=$(bs_disk v8)
exec 7<"$dev"
t_check_fail "no unload while the disk is open" rmmod kcloud_bs
exec 7<&-
t_check "unload with live targets and volume" rmmod kcloud_bs
t_check "the disk is gone" test ! -e "$dev"
t_check "load again" kc_load bs
t_done
