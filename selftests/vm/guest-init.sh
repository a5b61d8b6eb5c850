#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kcloud VM runner, second stage (PID 1 in the guest): set up the usual
# mounts, load the freshly built modules, run $scratch/cmd.sh with its output
# on the second serial port, keep its exit code and the kernel log in the
# scratch folder, and power off.
scratch=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
out=/dev/ttyS1

mkdir -p /run/lock /run/netns /dev/pts /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname kcloud-vm
ip link set lo up
# Let the command's process tree use every controller.
echo "+cpu +memory +io +pids" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
stty -F "$out" raw -echo 2>/dev/null

. "$scratch/env.sh"
rc=0
# Splats from here on fail the run: loading the modules included.
echo "kcloud-vm: command start" > /dev/kmsg
if [ "$KCLOUD_LOAD" = 1 ]; then
	for ko in $KCLOUD_MODULES; do
		# The kernel's own modules it uses: insmod does not resolve them.
		for dep in $(modinfo -F depends "$ko" | tr , ' '); do
			case "$dep" in kcloud_*) ;; *) modprobe -q "$dep" ;; esac
		done
		insmod "$ko" || { echo "guest-init: insmod $ko failed" > "$out"; rc=125; }
	done
fi
if [ "$rc" = 0 ]; then
	setsid bash -c "cd '$KCLOUD_CWD' && exec bash '$scratch/cmd.sh'" < /dev/null > "$out" 2>&1
	rc=$?
fi
echo "kcloud-vm: command end rc=$rc" > /dev/kmsg
dmesg > "$scratch/dmesg.txt"
echo "$rc" > "$scratch/rc"
sync
echo o > /proc/sysrq-trigger || poweroff -f
# PID 1 must not exit (that panics): wait for the power-off however long it takes.
while true; do sleep 60; done
