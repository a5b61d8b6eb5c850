#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the installed Debian kernel in qemu with the host's root shared
# read-only (9p, under a tmpfs overlay) and a scratch folder shared
# read-write, load the freshly built kcloud modules, run one command in the
# guest (in the current directory), print its output and return its exit
# code. The guest's kernel log is kept as console.log in the scratch folder;
# a kernel splat logged while the command ran fails the run.
#
# KVM is used only where /dev/kvm opens and the CPU has vmx or svm; TCG
# otherwise.
#
# usage: run-vm.sh [options] -- CMD [ARGS...]
#   --kver VER     kernel release to boot (default: scripts/kver.sh)
#   --kernel IMG   kernel image to boot (default: /boot/vmlinuz-VER)
#   --mem SIZE     guest memory (default 3G)
#   --cpus N       guest CPUs (default: 2)
#   --rwdir DIR    scratch folder (default: a new build/vm/run.XXXXXX)
#   --timeout SEC  power the guest off after SEC seconds (default 3000)
#   --no-load      do not load the kcloud modules before CMD
#   --append STR   more kernel command line
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kver="" kernel="" mem=3G cpus=2 rwdir="" timeout=3000 load=1 append=""
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--rwdir) rwdir=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--no-load) load=0; shift ;;
	--append) append="$append $2"; shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "run-vm: no command given (run-vm.sh -- CMD)" >&2; exit 2; }
die() { echo "run-vm: $*" >&2; exit 125; }

[ -n "$kver" ] || kver=$("$top/scripts/kver.sh") || exit 125
[ -n "$kernel" ] || kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "kernel image $kernel not readable"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (make deps)"
bb=/bin/busybox
[ -x "$bb" ] && file -L "$bb" 2>/dev/null | grep -q dynamic && bb=""
for c in /usr/bin/busybox /bin/busybox; do
	[ -x "$c" ] && ! ldd "$c" >/dev/null 2>&1 && { bb=$c; break; }
done
[ -n "$bb" ] || die "no static busybox (install busybox-static)"

# ---- the initramfs: busybox and the modules for a 9p/overlay root ---------
vmdir=$top/build/vm
mkdir -p "$vmdir"
initrd=$vmdir/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$0" -nt "$initrd" ] || [ "$top/selftests/vm/initramfs-init" -nt "$initrd" ]; then
	stage=$(mktemp -d "$vmdir/initramfs.XXXXXX")
	mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules}
	cp "$bb" "$stage/bin/busybox"
	cp "$top/selftests/vm/initramfs-init" "$stage/init"
	: > "$stage/modules.list"
	# A kernel without /lib/modules (built here) has all this built in.
	mods=""
	if [ -d "/lib/modules/$kver" ]; then
		mods=$(modprobe -S "$kver" --show-depends -a virtio_pci 9pnet_virtio 9p overlay 2>&1) ||
			die "cannot resolve the modules for the VM root: $mods"
	fi
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue
		name=$(basename "$path")
		name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
		grep -qx "$name" "$stage/modules.list" && continue
		case "$path" in
		*.xz) xz -dc "$path" > "$stage/lib/modules/$name" ;;
		*.zst) zstd -qdc "$path" > "$stage/lib/modules/$name" ;;
		*.gz) gzip -dc "$path" > "$stage/lib/modules/$name" ;;
		*) cp "$path" "$stage/lib/modules/$name" ;;
		esac
		echo "$name" >> "$stage/modules.list"
	done <<< "$mods"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp" &&
		mv "$initrd.tmp" "$initrd"
	rm -rf "$stage"
fi

# ---- the scratch folder ----------------------------------------------------
[ -n "$rwdir" ] || rwdir=$(mktemp -d "$vmdir/run.XXXXXX")
mkdir -p "$rwdir" || die "cannot make $rwdir"
rwdir=$(cd "$rwdir" && pwd)
rm -f "$rwdir"/{rc,dmesg.txt,console.log,cmd.sh,env.sh,guest-init.sh}
cp "$top/selftests/vm/guest-init.sh" "$rwdir/"
{
	printf '#!/bin/bash\n'
	printf '%q ' "$@"
	printf '\n'
} > "$rwdir/cmd.sh"
modules=""
for ko in "$top"/kmod/meter/kcloud_meter.ko "$top"/kmod/vpc/kcloud_vpc.ko "$top"/kmod/blockstore/kcloud_bs.ko; do
	[ -f "$ko" ] && modules="$modules $ko"
done
{
	printf 'KCLOUD_CWD=%q\n' "$PWD"
	printf 'KCLOUD_LOAD=%q\n' "$load"
	printf 'KCLOUD_MODULES=%q\n' "$modules"
	printf 'KCLOUD_VM=1\nexport KCLOUD_VM\n'
	printf 'KCLOUD_TOP=%q\nexport KCLOUD_TOP\n' "$top"
	printf 'KCLOUD_SCRATCH=%q\nexport KCLOUD_SCRATCH\n' "$rwdir"
	env | grep -E '^KCLOUD_[A-Z_]+=' | grep -vE '^KCLOUD_(CWD|LOAD|MODULES|VM|TOP|SCRATCH)=' |
		sed 's/^\([^=]*\)=\(.*\)$/export \1="\2"/'
} > "$rwdir/env.sh"

# ---- accelerator -----------------------------------------------------------
accel="-accel tcg,thread=multi -cpu max"
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel="-accel kvm -cpu host"
fi

cmdline="console=ttyS0 loglevel=7 panic=-1 net.ifnames=0 mitigations=off"
cmdline="$cmdline rdinit=/init kcloud.scratch=$rwdir$append"

# shellcheck disable=SC2086
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 \
	$accel -smp "$cpus" -m "$mem" -nodefaults -no-reboot -display none \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
	-fsdev local,id=scratch,path="$rwdir",security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=scratch,mount_tag=scratch \
	-device virtio-rng-pci \
	-serial file:"$rwdir/console.log" \
	-chardev stdio,id=out,signal=off -serial chardev:out < /dev/null
qrc=$?
[ $qrc = 124 ] && echo "run-vm: guest timed out after ${timeout}s" >&2

rc=125
[ -s "$rwdir/rc" ] && rc=$(cat "$rwdir/rc")
[ "$rc" = 125 ] && [ ! -s "$rwdir/rc" ] &&
	echo "run-vm: the guest did not finish the command (see $rwdir/console.log)" >&2

# A splat while the command ran fails the run, whatever the command said.
if ! "$top/selftests/vm/splats.sh" "$rwdir/console.log"; then
	echo "run-vm: kernel splat in the guest's log ($rwdir/console.log)" >&2
	[ "$rc" = 0 ] && rc=1
fi
[ "$rc" = 0 ] || echo "run-vm: exit code $rc; logs in $rwdir" >&2
exit "$rc"
