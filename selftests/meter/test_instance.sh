#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Meter instances over netlink: add (cgroup by path and by id, ports,
# volumes), dump, get by name, set, del; what is refused and why (extack);
# monitor events; one namespace does not see another's instances; the CPU
# time the meter charges to an instance agrees with its cgroup's cpu.stat.
. "$(dirname "$0")/../lib/lib.sh"
kc_require_root
kc_load meter || t_skip_all "kcloud_meter.ko not loadable"
[ -e /sys/fs/cgroup/cgroup.controllers ] || t_skip_all "no cgroup v2 at /sys/fs/cgroup"

t_plan 21

CG=/sys/fs/cgroup/kcm-test-$$
mkdir "$CG" "$CG.b" || t_skip_all "cannot make cgroups"
t_defer "rmdir $CG $CG.b"
t_defer "kc meter instance del 101; kc meter instance del 102; kc meter instance del 103"

# field ID KEY: one field of an instance, from the JSON dump.
field() { kc -j meter instance show | jq -r ".[] | select(.id == $1) | .$2"; }
# refused MSG CMD...: CMD fails and the kernel's extack contains MSG.
refused() {
	local msg=$1 out
	shift
	out=$("$@" 2>&1) && return 1
	grep -qF "$msg" <<< "$out" || { echo "$out"; return 1; }
}

MON=$(mktemp)
"$KC_TOOL" meter monitor > "$MON" 2>&1 &
mon=$!
t_defer "kill $mon; rm -f $MON"
# Subscribed once it sees a probe instance come and go.
for ((i = 0; i < 50; i++)); do
	kc meter instance add 199 name probe-$$ && kc meter instance del 199
	kc_wait 2 grep -q "^del instance 199 " "$MON" && break
	sleep 0.2
done
sleep 0.2
seen=$(wc -l < "$MON")

t_check "add with cgroup path, ports, volumes" \
	kc meter instance add 101 name web tenant acme cgroup "$CG" vcpus 2 memory 1G port lo volume v1 volume v2
cgid=$(stat -c %i "$CG.b")
t_check "add with cgroup id" kc meter instance add 102 name db cgroup-id "$cgid"
t_eq "cgroup path shown" "$(field 101 cgroup)" "/$(basename "$CG")"
t_eq "cgroup id resolved to the same cgroup" "$(field 102 cgroup_id)" "$cgid"
t_eq "ports and volumes shown" "$(kc -j meter instance show web | jq -c '.[0] | [.ports, .volumes]')" \
	"[[1],[\"v1\",\"v2\"]]"
t_eq "instance type shown" "$(kc -j meter instance show 101 | jq -c '.[0] | [.vcpus, .memory, .tenant]')" \
	'[2,1073741824,"acme"]'
t_check "duplicate id refused with a reason" refused "id exists" kc meter instance add 101 name other
t_check "duplicate name refused with a reason" refused "name exists" kc meter instance add 103 name web
t_check "missing cgroup refused" refused "no cgroup v2 at this path" \
	kc meter instance add 103 name x cgroup /kcm-nonexistent
t_check "unknown port refused" refused "no device with this ifindex" \
	kc meter instance add 103 name x port 99999
t_check "path and id together refused" refused "not both" \
	kc meter instance add 103 name x cgroup "$CG" cgroup-id "$cgid"
t_check "too long a name refused by policy" refused "kcloud" \
	kc meter instance add 103 name "$(printf 'n%.0s' {1..40})"
t_check "id 0 refused" refused "kcloud" kc meter instance add 0 name zero
t_eq "nothing half-made by refused requests" "$(kc -j meter instance show | jq length)" 2

t_check "set renames, resizes, replaces ports" kc meter instance set 102 name db2 vcpus 4 port lo
t_eq "set applied" "$(kc -j meter instance show db2 | jq -c '.[0] | [.id, .vcpus, .ports]')" '[102,4,[1]]'
t_check "set to a taken name refused, nothing changed" refused "name exists" \
	kc meter instance set 102 name web vcpus 8
t_eq "refused set changed nothing" "$(field 102 vcpus)" 4

ip netns add kcm-other-$$ && t_defer "ip netns del kcm-other-$$"
t_eq "another namespace sees none of them" \
	"$(ip netns exec kcm-other-$$ "$KC_TOOL" -j meter instance show | jq length)" 0

# CPU: burn in the cgroup, then compare with cpu.stat once the second closed.
bash -c "echo \$\$ > $CG/cgroup.procs; end=\$((SECONDS + 2)); while [ \$SECONDS -lt \$end ]; do :; done"
sleep 2.2
want=$(awk '$1 == "usage_usec" { print $2 }' "$CG/cpu.stat")
got=$(kc -j meter instance show 101 | jq '.[0].stats.cpu_usage_us')
if [ -n "$got" ] && [ "$want" -gt 500000 ] &&
   [ $(( (got > want ? got - want : want - got) * 100 )) -le "$want" ]; then
	t_ok "CPU time within 1% of cpu.stat (meter $got us, cpu.stat $want us)"
else
	t_notok "CPU time within 1% of cpu.stat (meter $got us, cpu.stat $want us)"
fi

kc meter instance del web
kc meter instance del 102
sleep 0.3
t_eq "monitor saw add, add, set, del, del" \
	"$(tail -n +$((seen + 1)) "$MON" | awk '$2 == "instance" { printf "%s ", $1 }')" \
	"add add set del del "
t_done
