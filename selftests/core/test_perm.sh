#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every state-changing command of every family is refused without
# CAP_NET_ADMIN in the user namespace that owns the network namespace, and
# allowed to the owner (selftests/core/perm.py).
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
py=$(dirname "$0")/perm.py
echo "TAP version 13"
{
	rc=0
	/usr/bin/python3 "$py" unpriv || rc=1
	unshare -U -r /usr/bin/python3 "$py" userns-init || rc=1
	unshare -U -r -n /usr/bin/python3 "$py" userns-own || rc=1
	exit $rc
} | awk '/^(not )?ok [0-9]+/ { n++; sub(/ok [0-9]+/, "ok " n) } { print } END { print "1.." n }'
exit "${PIPESTATUS[0]}"
