#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the block store's tests (sourced after selftests/lib/lib.sh):
# targets in their own network namespaces joined to the test's namespace
# by veth, each serving a file on tmpfs.
#
#	bs_setup_targets 3 64M	# bs-tN in namespace bs-tN, 10.77.N.2:7000
#	bs_volume_create vol 3	# a 3-replica volume over them
#	bs_target_stop 2 / bs_target_start 2

BS_PORT=7000
BS_DIR=${BS_DIR:-/tmp/kcbs-test.$$}

# bs_ns N: the namespace of target N
bs_ns() { echo "kcbs-t$1-$$"; }

bs_target_start() {
	kc_in "$(bs_ns "$1")" "$KC_TOOL" target add "t$1" path "$BS_DIR/t$1.img" port $BS_PORT
}

bs_target_stop() {
	kc_in "$(bs_ns "$1")" "$KC_TOOL" target del "t$1"
}

# bs_setup_targets N SIZE: N namespaces, links and targets with SIZE files.
bs_setup_targets() {
	local n=$1 size=$2 i ns
	mkdir -p "$BS_DIR" || return 1
	t_defer "rm -rf $BS_DIR"
	for ((i = 1; i <= n; i++)); do
		ns=$(bs_ns "$i")
		kc_netns "$ns" || return 1
		ip link add "kcbs$i-$$" type veth peer name eth0 netns "$ns" || return 1
		t_defer "ip link del kcbs$i-$$"
		ip addr add "10.77.$i.1/24" dev "kcbs$i-$$"
		ip link set "kcbs$i-$$" up
		ip -n "$ns" addr add "10.77.$i.2/24" dev eth0
		ip -n "$ns" link set eth0 up
		truncate -s "$size" "$BS_DIR/t$i.img" || return 1
		bs_target_start "$i" || return 1
		t_defer "kc_in $ns $KC_TOOL target del t$i"
	done
}

# bs_local_target NAME PORT FILE SIZE: a target NAME on a loop device over
# FILE (SIZE), on 127.0.0.1:PORT in this namespace: a volume here writes and
# reads it without TCP (a local replica). The loop device is left in
# BS_LOOP. Run it with bs_step, so that its cleanups are kept.
bs_local_target() {
	truncate -s "$4" "$3" || return 1
	BS_LOOP=$(losetup -f --show "$3") || return 1
	t_defer "losetup -d $BS_LOOP"
	ip link set lo up
	"$KC_TOOL" target add "$1" path "$BS_LOOP" port "$2" addr 127.0.0.1 || return 1
	t_defer "$KC_TOOL target del $1"
}

# bs_volume_create NAME N [ARGS...]: a volume over targets 1..N.
bs_volume_create() {
	local name=$1 n=$2 i reps=()
	shift 2
	for ((i = 1; i <= n; i++)); do
		reps+=(replica "10.77.$i.2:$BS_PORT")
	done
	"$KC_TOOL" volume create "$name" "${reps[@]}" "$@" >/dev/null || return 1
	t_defer "$KC_TOOL volume delete $name"
}

# bs_disk NAME: /dev/kcbsN of a volume
bs_disk() {
	echo "/dev/$("$KC_TOOL" -j volume show "$1" | /usr/bin/python3 -c \
		'import json,sys; print(json.load(sys.stdin)[0]["disk"])')"
}

# bs_field NAME EXPR: a value from `kcloud -j -s volume show NAME`, EXPR in
# Python over v (the volume's object), e.g. 'v["state"]'.
bs_field() {
	"$KC_TOOL" -j -s volume show "$1" | /usr/bin/python3 -c \
		"import json,sys; v=json.load(sys.stdin)[0]; print($2)"
}

# bs_wait_state NAME STATE SECONDS: wait for the volume to be in STATE, for at
# most SECONDS times KCLOUD_TIMEOUT_SCALE.
bs_wait_state() {
	local end=$((SECONDS + $3 * ${KCLOUD_TIMEOUT_SCALE:-1}))
	while [ "$(bs_field "$1" 'v["state"]' 2>/dev/null)" != "$2" ]; do
		if [ $SECONDS -ge "$end" ]; then
			t_diag "$1 is not $2 after $3 s: $("$KC_TOOL" volume show "$1" 2>&1 | tr -s ' \n' ' ')"
			return 1
		fi
		sleep 0.2
	done
}

# bs_same N SIZE: the first SIZE bytes of every backing file are the same.
bs_same() {
	local n=$1 size=$2 i
	for ((i = 2; i <= n; i++)); do
		cmp -n "$size" "$BS_DIR/t1.img" "$BS_DIR/t$i.img" || return 1
	done
}

# bs_refused MESSAGE CMD...: CMD fails with exit code 1 (the kernel or the
# system refused) and says MESSAGE.
bs_refused() {
	local msg=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "exit $rc: $out"
	[ $rc = 1 ] && grep -qF "$msg" <<< "$out"
}

# bs_step DESC CMD...: as t_check, but CMD runs in this shell, so that the
# cleanups it registers with t_defer are kept.
bs_step() {
	local desc=$1
	shift
	if "$@"; then
		t_ok "$desc"
	else
		t_notok "$desc"
		t_diag "command: $*"
	fi
}
