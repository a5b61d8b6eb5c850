#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A bounded run of the policy-driven netlink fuzzer (selftests/lib/genlfuzz.py)
# against every family, as root in a network namespace of its own and as an
# unprivileged user; then the namespace is deleted with whatever the fuzzer
# made in it. The suite's kernel log check catches splats; kmemleak (debug
# kernel) catches leaks. KCLOUD_FUZZ_SEED and KCLOUD_FUZZ_COUNT replay or
# lengthen a run (KCLOUD_FUZZ_LONG=1, make fuzz-long: 5000 per family).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../fuzz/fuzz_lib.sh"
kc_require_root
seed=${KCLOUD_FUZZ_SEED:-1}
count=${KCLOUD_FUZZ_COUNT:-1500}
[ "$FZ_LONG" = 1 ] && count=${KCLOUD_FUZZ_COUNT:-5000}
fuzz=$(dirname "$0")/../lib/genlfuzz.py
fams=(kcloud_vpc kcloud_bs kcloud_meter)
t_plan 5
fz_start

kc_netns kcfuzz
out=$(ip netns exec kcfuzz timeout 600 /usr/bin/python3 "$fuzz" --seed "$seed" --count "$count" "${fams[@]}" 2>&1)
rc=$?
t_diag "$out"
msgs=$(sed -n 's/^# \([0-9]*\) messages in all$/\1/p' <<< "$out")
if [ $rc = 0 ]; then t_ok "fuzz as root in a namespace (seed $seed, $count per family)"; else t_notok "fuzz as root in a namespace (seed $seed, exit $rc)"; fi

# Whatever the fuzzer made goes with its namespace.
t_check "delete the fuzzed namespace" ip netns del kcfuzz
t_check "the modules still answer" kc info

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups timeout 300 \
	/usr/bin/python3 "$fuzz" --seed "$((seed + 1))" --count $((count / 3)) "${fams[@]}" 2>&1)
rc=$?
t_diag "$out"
m2=$(sed -n 's/^# \([0-9]*\) messages in all$/\1/p' <<< "$out")
msgs=$((${msgs:-0} + ${m2:-0}))
if [ $rc = 0 ]; then t_ok "fuzz as an unprivileged user"; else t_notok "fuzz as an unprivileged user (exit $rc)"; fi
fz_report "genl" "tried $msgs"
t_done
