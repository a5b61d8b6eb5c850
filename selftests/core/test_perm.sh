#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every state-changing command of every family is refused without
# CAP_NET_ADMIN in the user namespace that owns the network namespace, and
# allowed to the owner (selftests/core/perm.py).
#
# Then one namespace's admin against another's objects: namespace A (made
# by root) holds a VPC with a subnet, a port and a mapping, the switch's
# underlay, a target and a volume, a meter instance, an alarm and prices.
# The admin of namespace B (root of a user namespace of uid 65534 that owns
# B) sees none of them in any dump, cannot change or delete any of them by
# name or id, cannot serve A's backing file, and its monitor hears none of
# A's changes; what B makes under the same names and ids is its own, and A's
# objects are unchanged afterwards.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
py=$(dirname "$0")/perm.py

A=kcpermA-$$
W=/tmp/kcperm.$$
U=65534

# As B's admin: the script on standard input, in a new user namespace that
# owns a new network namespace. Prints TAP lines.
as_b() {
	setpriv --reuid=$U --regid=$U --clear-groups unshare -U -r -n bash -s -- "$@"
}

# setup_a: A's objects, made by root.
setup_a() {
	kc_netns $A || return 1
	t_defer "rm -rf $W"
	mkdir -p $W && chmod 1777 $W || return 1
	truncate -s 4M $W/a.img && chmod 600 $W/a.img || return 1
	kc_in $A ip link add pA type veth peer name pAg || return 1
	kc_in $A ip link set pA up
	kc_in $A "$KC_TOOL" vpc add permA vni 4242 cidr 10.42.0.0/16 &&
	kc_in $A "$KC_TOOL" subnet add vpc permA cidr 10.42.1.0/24 name snA &&
	kc_in $A "$KC_TOOL" port add dev pA vpc permA mac 02:42:00:00:00:0a ip 10.42.1.10 &&
	kc_in $A "$KC_TOOL" mapping add vpc permA ip 10.42.1.11 mac 02:42:00:00:00:0b \
		underlay 192.0.2.42 &&
	kc_in $A "$KC_TOOL" host add local 127.0.0.1 port 6420 &&
	kc_in $A "$KC_TOOL" target add tpermA path $W/a.img port 7420 &&
	kc_in $A "$KC_TOOL" volume create vpermA size 1M replica 127.0.0.1:7420 >/dev/null &&
	kc_in $A "$KC_TOOL" meter instance add 4242 name ipermA tenant tenA &&
	kc_in $A "$KC_TOOL" alarm add 4242 name apermA instance 4242 metric cpu-us stat avg \
		period 60 gt 1 datapoints 1/1 &&
	kc_in $A "$KC_TOOL" bill price set vcpu-sec 777777 || return 1
	t_defer "kc_in $A $KC_TOOL volume delete vpermA force"
	t_defer "kc_in $A $KC_TOOL target del tpermA"
}

# a_state: what A holds, for a before/after comparison (without counters,
# states and times, which move by themselves).
a_state() {
	local o
	for o in "vpc show" "subnet show" "port show" "mapping show" "host show" \
		"target show" "volume show" "meter instance show" "alarm show" "bill price show"; do
		# shellcheck disable=SC2086
		kc_in $A "$KC_TOOL" -j $o 2>&1 | /usr/bin/python3 -c '
import json, sys
text = sys.stdin.read()
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items()
                if k not in ("stats", "state", "since", "last_change", "inflight", "seconds")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
try:
    print(json.dumps(strip(json.loads(text)), sort_keys=True))
except ValueError:
    print(text)'
	done
}

# The checks made as B's admin.
b_script='
KC=$1 W=$2
n=0
res() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n cross-netns: $2"; else echo "not ok $n cross-netns: $2"; fi; }
ip link set lo up
# dumps: none of A'"'"'s names, ids, addresses or ports
leak=
for o in "vpc show" "subnet show" "port show" "mapping show" "host show" "target show" \
	"volume show" "meter instance show" "alarm show" "bill price show" "-s host show"; do
	out=$("$KC" -j $o 2>&1)
	if grep -qE "permA|4242|10\.42\.|snA|tenA|7420|6420|777777|192\.0\.2\.42" <<< "$out"; then
		leak="$leak [$o: $out]"
	fi
done
res "$([ -z "$leak" ]; echo $?)" "B sees none of A objects in any dump"
[ -z "$leak" ] || echo "# $leak"
# set and del on A names and ids: refused as not found, not as EPERM
bad=
try() {
	local out
	if out=$("$KC" "$@" 2>&1); then
		bad="$bad [$*: succeeded]"
	elif grep -qi "not permitted" <<< "$out"; then
		bad="$bad [$*: EPERM, so B is no admin and this proves nothing: $out]"
	fi
}
try vpc set permA name x
try vpc del permA
try subnet del vpc permA cidr 10.42.1.0/24
try port set dev pA check off
try port del dev pA
try mapping set vpc permA ip 10.42.1.11 underlay 192.0.2.43
try mapping del vpc permA ip 10.42.1.11
try host set port 6421
try host del
try target del tpermA
try meter instance set 4242 name x
try meter instance del ipermA
try meter instance del 4242
try alarm del 4242
res "$([ -z "$bad" ]; echo $?)" "B cannot change or delete A objects by name or id"
[ -z "$bad" ] || echo "# $bad"
# A backing file (root, 0600) cannot be served from B
if "$KC" target add steal path "$W/a.img" port 7421 >/dev/null 2>&1; then
	res 1 "B cannot serve A backing file"; "$KC" target del steal
else
	res 0 "B cannot serve A backing file"
fi
# B is the admin of its own switch, meter and targets: same names and ids
"$KC" vpc monitor > "$W/mon" 2>&1 &
mon=$!
sleep 1
: > "$W/b-ready"
for i in $(seq 100); do [ -e "$W/a-done" ] && break; sleep 0.1; done
own=0
"$KC" vpc add permA vni 4242 cidr 10.42.0.0/16 || own=1
"$KC" subnet add vpc permA cidr 10.42.9.0/24 || own=1
"$KC" meter instance add 4242 name ipermA || own=1
"$KC" bill price set vcpu-sec 1 || own=1
truncate -s 2M "$W/b.img" && "$KC" target add tpermA path "$W/b.img" port 7420 || own=1
res $own "B makes its own VPC, instance, prices and target under A names and ids"
sleep 1
kill $mon
wait $mon 2>/dev/null
res "$(grep -q "10.42.9.0" "$W/mon" && ! grep -q "10.42.7.0" "$W/mon"; echo $?)" \
	"B monitor hears B changes, not A changes"
grep -q "10.42.7.0" "$W/mon" && sed "s/^/# monitor: /" "$W/mon"
# Volumes are block devices of the host: only the host admin makes or
# changes them (GENL_ADMIN_PERM), never the root of a user namespace.
vperm=0
for c in "volume create vb size 1M replica 127.0.0.1:7420" "volume delete vpermA" \
	"volume replica remove vpermA 0" "volume detach vpermA"; do
	# shellcheck disable=SC2086
	if out=$("$KC" $c 2>&1) || ! grep -qi "not permitted" <<< "$out"; then
		vperm=1
		echo "# B: $c: ${out:-succeeded}"
	fi
done
"$KC" volume delete vb force >/dev/null 2>&1
res $vperm "B may not create, delete or change volumes (host block devices)"
exit 0
'

# cross_netns: B against A; TAP lines.
cross_netns() {
	local before after out n
	# (Not in a subshell: its cleanups must be kept.)
	if ! setup_a > /tmp/kcperm-setup.$$ 2>&1; then
		echo "not ok 1 cross-netns: set up namespace A's objects"
		t_diag "$(cat /tmp/kcperm-setup.$$)"
		rm -f /tmp/kcperm-setup.$$
		return 1
	fi
	rm -f /tmp/kcperm-setup.$$
	before=$(a_state)
	if ! setpriv --reuid=$U --regid=$U --clear-groups unshare -U -r -n true 2>/dev/null; then
		echo "ok 1 cross-netns # SKIP user namespaces are not available to uid $U"
		return 0
	fi
	as_b "$KC_TOOL" $W <<< "$b_script" > $W/b.out 2>&1 &
	local b=$!
	for n in $(seq 100); do [ -e $W/b-ready ] && break; sleep 0.1; done
	# A's changes while B's monitor listens.
	kc_in $A "$KC_TOOL" subnet add vpc permA cidr 10.42.7.0/24
	kc_in $A "$KC_TOOL" subnet del vpc permA cidr 10.42.7.0/24
	: > $W/a-done
	wait $b
	grep -E '^(not )?ok |^#' $W/b.out
	grep -vE '^(not )?ok |^#' $W/b.out | sed 's/^/# B: /'
	after=$(a_state)
	if [ "$before" = "$after" ]; then
		echo "ok 1 cross-netns: A's objects are unchanged"
	else
		echo "not ok 1 cross-netns: A's objects are unchanged"
		diff <(echo "$before") <(echo "$after") | sed 's/^/# /'
	fi
}

echo "TAP version 13"
{
	rc=0
	/usr/bin/python3 "$py" unpriv || rc=1
	unshare -U -r /usr/bin/python3 "$py" userns-init || rc=1
	unshare -U -r -n /usr/bin/python3 "$py" userns-own || rc=1
	cross_netns || rc=1
	t_run_cleanups
	exit $rc
} | awk '/^(not )?ok [0-9]+/ { n++; sub(/ok [0-9]+/, "ok " n); if ($1 == "not") bad = 1 }
	{ print } END { print "1.." n; exit bad }'
st=("${PIPESTATUS[@]}")
[ "${st[0]}" = 0 ] && [ "${st[1]}" = 0 ]
