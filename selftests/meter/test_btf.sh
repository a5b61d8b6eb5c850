#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The meter's kfuncs need the module's BTF and its resolved kfunc id set.
# Without either, the module must refuse to load and say why in the kernel
# log, rather than load and count nothing. The real module exports
# kcloud_meter_charge_net and kcloud_meter_charge_blk in its BTF.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
ko=$(kc_ko meter)
[ -r "$ko" ] || t_skip_all "kcloud_meter.ko not built"
OBJCOPY=$(command -v llvm-objcopy || command -v objcopy) || t_skip_all "no objcopy"

t_plan 6
t_defer kc_load meter
kc_unload meter || t_skip_all "kcloud_meter is in use"

tmp=$(mktemp -d)
t_defer "rm -rf $tmp"

# refuses KO MSG: insmod KO fails and the kernel log says MSG.
refuses() {
	dmesg -C
	if insmod "$1" 2>/dev/null; then
		rmmod kcloud_meter
		echo "loaded"
		return 1
	fi
	dmesg | grep -qF "$2" || { dmesg | tail -5; return 1; }
}

"$OBJCOPY" --remove-section .BTF "$ko" "$tmp/nobtf.ko"
t_check "without .BTF the module refuses to load, loudly" \
	refuses "$tmp/nobtf.ko" "module has no BTF"

# The kfunc set as if resolve_btfids had not run: all zeros.
hex=$(readelf -SW "$ko" | awk '$2 == ".BTF_ids" { print $6 }')
if [ -n "$hex" ]; then
	size=$((16#$hex))
	head -c "$size" /dev/zero > "$tmp/zeros"
	"$OBJCOPY" --update-section .BTF_ids="$tmp/zeros" "$ko" "$tmp/noids.ko"
	t_check "with an unresolved kfunc set the module refuses to load, loudly" \
		refuses "$tmp/noids.ko" "kfunc id set not resolved"
else
	t_skip "with an unresolved kfunc set the module refuses to load" "no .BTF_ids section"
fi

t_check "the real module loads" insmod "$ko"
t_check "its BTF is registered" test -e /sys/kernel/btf/kcloud_meter
t_check "the kfunc is in its BTF" bash -c \
	"bpftool btf dump file /sys/kernel/btf/kcloud_meter | grep -q \"FUNC 'kcloud_meter_charge_net'\""
# kcloud_meter_charge_blk(handle, dev, write, bytes): its prototype's arguments.
blk_args() {
	local btf
	btf=$(bpftool btf dump file /sys/kernel/btf/kcloud_meter) || return
	awk -v want="$(awk '$2 == "FUNC" && $3 == "'"'"'kcloud_meter_charge_blk'"'"'" {
			split($4, a, "="); print "[" a[2] "]" }' <<< "$btf")" '
		$1 == want && $2 == "FUNC_PROTO" { on = 1; next }
		on && /^\t/ { gsub("'"'"'", "", $1); printf "%s ", $1; next }
		on { exit }' <<< "$btf"
}
t_eq "and the block kfunc, with the device it charges" "$(blk_args)" "handle dev write bytes "
t_done
