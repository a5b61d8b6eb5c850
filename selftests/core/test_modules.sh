#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Each module loads and unloads 20 times in a row, its generic netlink family
# appearing and disappearing with it, and answers GET_INFO with the version
# the module declares.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root

ROUNDS=${KCLOUD_LOAD_ROUNDS:-20}
mods=(meter vpc bs)
t_plan $((${#mods[@]} * 3))

# The other tests expect the modules loaded: leave them so.
t_defer kc_load meter vpc bs

family_present() { kc -j info | grep -q "\"family\":\"kcloud_$1\",\"loaded\":true"; }

for m in "${mods[@]}"; do
	kc_unload "$m"
	bad=""
	for ((i = 1; i <= ROUNDS; i++)); do
		if ! insmod "$(kc_ko "$m")"; then
			bad="insmod failed in round $i"
			break
		fi
		if ! family_present "$m"; then
			bad="family kcloud_$m not registered after load in round $i"
			break
		fi
		if ! rmmod "kcloud_$m"; then
			bad="rmmod failed in round $i"
			break
		fi
		if family_present "$m"; then
			bad="family kcloud_$m still registered after unload in round $i"
			break
		fi
	done
	if [ -z "$bad" ]; then
		t_ok "kcloud_$m: $ROUNDS load/unload rounds"
	else
		t_notok "kcloud_$m: $ROUNDS load/unload rounds"
		t_diag "$bad"
	fi

	kc_load "$m"
	want=$(cat "/sys/module/kcloud_$m/version")
	got=$(kc -j info | grep -o "\"family\":\"kcloud_$m\",\"loaded\":true,\"version\":\"[^\"]*\"" |
		sed 's/.*"version":"//; s/"$//')
	t_eq "kcloud_$m: GET_INFO reports the module's version" "$got" "$want"
	if kc info | grep -q "^kcloud_$m .*features.* info"; then
		t_ok "kcloud_$m: GET_INFO reports the info feature"
	else
		t_notok "kcloud_$m: GET_INFO reports the info feature"
	fi
done
t_done
