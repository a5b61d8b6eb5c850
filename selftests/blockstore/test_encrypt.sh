#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Encrypted volumes (key-file): a 3-replica volume, one replica local (its
# target on a block device of this host, written without TCP) and two over
# TCP. fio's crc32c verify passes through it; a known plaintext written to
# it is in no backing store, the local one included, nor is the key; a
# dm-crypt mapping (aes-xts-plain64, sector_size:4096) of a backing store
# with the key reads back exactly the plaintext; after a target is killed
# and comes back, its resync leaves the stores identical; the volume
# created again from its metadata file is refused with a wrong key or
# none and gives the data back with the right one; a snapshot holds the
# ciphertext, and volumes made from it (its key checked, under that key or
# another, from the snapshot or its file) read what the volume read; ext4
# on it is clean
# for fsck; an unencrypted volume's metadata file is refused with a key;
# no discard is offered; a bad key is refused with the kernel's reason.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/bs_lib.sh"

kc_require_root
kc_load bs || t_skip_all "kcloud_bs.ko does not load"
command -v losetup > /dev/null || t_skip_all "no losetup"
command -v fio > /dev/null || t_skip_all "fio is not installed"
command -v mkfs.ext4 > /dev/null && command -v e2fsck > /dev/null ||
	t_skip_all "no mkfs.ext4 or e2fsck"
modprobe loop 2> /dev/null
feat=$("$KC_TOOL" -j info 2> /dev/null)
[[ "$feat" == *encrypt* ]] || t_skip_all "kcloud_bs has no encryption (features: $feat)"

t_plan 48
SIZE=$((16 << 20))
MB=$((SIZE >> 20))
bs_step "two targets in their namespaces" bs_setup_targets 2 ${MB}M
bs_step "a third target on a block device of this host" \
	bs_local_target tl 7100 "$BS_DIR/local.img" ${MB}M
STORES="$BS_DIR/t1.img $BS_DIR/t2.img $BS_DIR/local.img"
META=$BS_DIR/ve.meta
KEY=$BS_DIR/key
head -c 64 /dev/urandom > "$KEY"
HEX=$(od -An -tx1 -v "$KEY" | tr -d ' \n')

create() {
	"$KC_TOOL" volume create ve replica 127.0.0.1:7100 replica 10.77.1.2:$BS_PORT \
		replica 10.77.2.2:$BS_PORT size $SIZE region 256K meta "$META" "$@"
}
created() { create "$@" > /dev/null; }

# A bad key: the kernel says why.
head -c 31 /dev/urandom > "$BS_DIR/short"
out=$(create key-file "$BS_DIR/short" 2>&1)
t_check "a 31-byte key is refused with the kernel's reason ($out)" \
	grep -q "the key must be 32 bytes (AES-128-XTS) or 64 bytes" <<< "$out"
head -c 32 /dev/urandom > "$BS_DIR/half"
cat "$BS_DIR/half" "$BS_DIR/half" > "$BS_DIR/same"
out=$(create key-file "$BS_DIR/same" 2>&1)
t_check "a key whose XTS halves are the same is refused ($out)" \
	grep -q "two halves must differ" <<< "$out"
rm -f "$META"

bs_step "an encrypted 3-replica volume (AES-256-XTS)" created key-file "$KEY"
t_defer "$KC_TOOL volume delete ve force 2> /dev/null"
t_check "in sync" bs_wait_state ve ok 30
t_eq "show reports the cipher and key size" \
	"$(bs_field ve '(v["encrypted"], v["cipher"], v["key_bits"])')" \
	"(True, 'aes-xts-plain64', 512)"
t_eq "replica 0 is local" "$(bs_field ve '[r["local"] for r in v["replicas"]]')" \
	"[True, False, False]"
keyless() {
	! { "$KC_TOOL" -j -s volume show; "$KC_TOOL" volume show ve; } | grep -qi "$HEX"
}
t_check "the key is not in show or dumps" keyless
dev=$(bs_disk ve)
sysq=/sys/block/${dev#/dev/}/queue
t_eq "no discard offered" "$(cat $sysq/discard_max_bytes)" 0
t_eq "no write zeroes offered" "$(cat $sysq/write_zeroes_max_bytes)" 0
t_eq "4096-byte logical blocks (the crypto sector)" "$(cat $sysq/logical_block_size)" 4096
discard() { ! blkdiscard -o 0 -l 1M "$dev" 2> /dev/null; }
t_check "blkdiscard fails" discard

# A known plaintext: 4 MiB of a marker line.
MARK="kcloud-plaintext-marker-0123456789abcdef"
yes "$MARK" | head -c 4M > "$BS_DIR/plain"
t_check "write 4 MiB of plaintext (a marker)" \
	dd if="$BS_DIR/plain" of="$dev" bs=64k oflag=direct conv=fsync status=none
readback() { dd if="$dev" bs=64k count=64 iflag=direct status=none | cmp - "$BS_DIR/plain"; }
t_check "it reads back (over TCP and from the local replica)" readback
t_check "the local replica was written without TCP" \
	test "$(bs_field ve 'v["replicas"][0]["stats"]["local_writes"]')" -ge 64
no_plaintext() {
	local f
	for f in $STORES; do
		if grep -q -a -F "$MARK" "$f"; then
			t_diag "the marker is in $f"
			return 1
		fi
	done
}
t_check "no backing store holds the plaintext (the local one included)" no_plaintext
no_key() {
	/usr/bin/python3 - "$KEY" "$META" $STORES <<- 'EOF'
		import sys
		key = open(sys.argv[1], "rb").read()
		bad = [f for f in sys.argv[2:] if key[:32] in open(f, "rb").read()
		       or key[32:] in open(f, "rb").read()]
		print("\n".join(bad))
		sys.exit(1 if bad else 0)
	EOF
}
t_check "the key is in no file (metadata, stores)" no_key

# dm-crypt reads a store with the key: the format is aes-xts-plain64 with
# 4096-byte sectors, the IV the 512-byte sector number.
dmcrypt_read() {
	local store=$1 name=kcbs-enc-$$ loop ok=1
	loop=$(losetup -r -f --show "$store") || return 1
	if dmsetup create "$name" --noudevsync --readonly --table \
		"0 $((SIZE >> 9)) crypt aes-xts-plain64 $HEX 0 $loop 0 1 sector_size:4096"; then
		dmsetup mknodes "$name" 2> /dev/null
		dd if=/dev/mapper/$name bs=64k count=64 iflag=direct status=none |
			cmp - "$BS_DIR/plain" && ok=0
		dmsetup remove --noudevsync "$name"
	fi
	losetup -d "$loop"
	return $ok
}
if modprobe dm-crypt 2> /dev/null && command -v dmsetup > /dev/null; then
	t_check "dm-crypt of a TCP replica's store reads the plaintext" \
		dmcrypt_read "$BS_DIR/t1.img"
	t_check "dm-crypt of the local replica's store reads the plaintext" \
		dmcrypt_read "$BS_DIR/local.img"
else
	t_skip "dm-crypt of a TCP replica's store" "no dm-crypt or dmsetup in the guest"
	t_skip "dm-crypt of the local replica's store" "no dm-crypt or dmsetup in the guest"
fi

t_check "fio verify=crc32c on the encrypted volume" \
	fio --name=enc --filename="$dev" --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=randwrite --bsrange=4k-256k --offset=4M --size=12M --verify=crc32c \
	--verify_fatal=1 --do_verify=1 --randrepeat=0 --output=/dev/null

# A target dies; writes go on; it comes back and is resynced (ciphertext).
bs_target_stop 2
head -c 2M /dev/urandom > "$BS_DIR/more"
t_check "write 2 MiB while a target is away" \
	dd if="$BS_DIR/more" of="$dev" bs=64k seek=64 oflag=direct conv=fsync status=none
bs_target_start 2
t_check "it comes back and is resynced" bs_wait_state ve ok 60
t_check "the resync copied regions to it" \
	test "$(bs_field ve 'v["replicas"][2]["stats"]["resync_regions"]')" -gt 0
same_stores() {
	cmp -n $SIZE "$BS_DIR/t1.img" "$BS_DIR/t2.img" &&
		cmp -n $SIZE "$BS_DIR/t1.img" "$BS_DIR/local.img"
}
t_check "the three backing stores are identical" same_stores
cat "$BS_DIR/plain" "$BS_DIR/more" > "$BS_DIR/expect"
expect() { dd if="$dev" bs=64k count=96 iflag=direct status=none | cmp - "$BS_DIR/expect"; }
t_check "the volume reads what was written" expect

# A snapshot holds the ciphertext, as the replicas do; a volume made from it
# decrypts with the snapshot's key (checked) and encrypts with its own, and
# reads what the encrypted volume read, never-written ranges included.
head -c 64 /dev/urandom > "$BS_DIR/wrong"
t_check "snapshot es of the encrypted volume" \
	"$KC_TOOL" snapshot create es volume ve path "$BS_DIR/es.img" wait
t_defer "$KC_TOOL snapshot delete es 2> /dev/null"
es_bits() {
	"$KC_TOOL" -j snapshot show es | /usr/bin/python3 -c \
		'import json,sys; print(json.load(sys.stdin)[0].get("key_bits"))'
}
t_eq "it is of an encrypted volume, 512-bit key" "$(es_bits)" 512
t_check "its file is the replicas' ciphertext" cmp -n $SIZE "$BS_DIR/es.img" "$BS_DIR/t1.img"
rtargets() {
	local i
	for i in 1 2 3; do
		bs_local_target tr$i $((7100 + i)) "$BS_DIR/r$i.img" ${MB}M || return 1
	done
}
bs_step "three more targets on block devices of this host" rtargets
# rvol NAME N ARGS...: a 1-replica volume on target trN
rvol() {
	"$KC_TOOL" volume create "$1" replica 127.0.0.1:$((7100 + $2)) size $SIZE "${@:3}" > /dev/null
}
out=$(rvol er1 1 snapshot es 2>&1)
t_check "a volume from it without a key: refused ($out)" \
	grep -q "holds an encrypted volume's ciphertext: the new volume is encrypted too" <<< "$out"
out=$(rvol er1 1 snapshot es key-file "$BS_DIR/wrong" 2>&1)
t_check "with another key and no source-key-file: refused ($out)" \
	grep -q "is not snapshot es's (its check value differs): give source-key-file" <<< "$out"
whole() { dd if="$1" bs=1M count=$MB iflag=direct status=none; }
same_as_ve() { cmp <(whole "$(bs_disk "$1")") <(whole "$dev"); }
bs_step "volume er1 from it, with its key" rvol er1 1 snapshot es key-file "$KEY"
t_defer "$KC_TOOL volume delete er1 2> /dev/null"
t_check "er1 reads all that ve reads" same_as_ve er1
t_check "its store holds the same ciphertext (the same key)" \
	cmp -n $SIZE "$BS_DIR/r1.img" "$BS_DIR/t1.img"
bs_step "volume er2 from it under another key (source-key-file)" \
	rvol er2 2 snapshot es key-file "$BS_DIR/wrong" source-key-file "$KEY"
t_defer "$KC_TOOL volume delete er2 2> /dev/null"
t_check "er2 reads all that ve reads" same_as_ve er2
differs() { ! cmp -s -n $SIZE "$BS_DIR/r2.img" "$BS_DIR/t1.img"; }
t_check "its store holds another ciphertext" differs
bs_step "volume er3 from the snapshot's file (image, source-key-file)" \
	rvol er3 3 image "$BS_DIR/es.img" key-file "$KEY" source-key-file "$KEY"
t_defer "$KC_TOOL volume delete er3 2> /dev/null"
t_check "er3 reads all that ve reads" same_as_ve er3

# Created again from its metadata file: only with the same key.
t_check "delete the volume" "$KC_TOOL" volume delete ve
out=$(create key-file "$BS_DIR/wrong" 2>&1)
t_check "again with a wrong key: refused ($out)" \
	grep -q "wrong key: it does not match the metadata file's key check value" <<< "$out"
out=$(create 2>&1)
t_check "again without a key: refused ($out)" \
	grep -q "the metadata file is of an encrypted volume: its key is needed" <<< "$out"
t_check "again with the right key" created key-file "$KEY"
bs_wait_state ve ok 30
dev=$(bs_disk ve)
t_check "the data is there" expect

mnt=$BS_DIR/mnt
mkdir -p "$mnt"
ext4() {
	mkfs.ext4 -q -F "$dev" && mount "$dev" "$mnt" &&
		cp "$BS_DIR/expect" "$mnt/f" && umount "$mnt" &&
		e2fsck -f -n "$dev" > /dev/null &&
		mount "$dev" "$mnt" && cmp "$mnt/f" "$BS_DIR/expect"
	local rc=$?
	umount "$mnt" 2> /dev/null
	return $rc
}
t_check "ext4 on it: fsck finds it clean, the file reads back" ext4

# An unencrypted volume's metadata file cannot be reused with a key: its
# stores hold plaintext.
"$KC_TOOL" volume delete ve
META=$BS_DIR/vp.meta
plain_volume() { created && "$KC_TOOL" volume delete ve; }
t_check "an unencrypted volume with a metadata file" plain_volume
out=$(create key-file "$KEY" 2>&1)
t_check "its metadata file with a key: refused ($out)" \
	grep -q "the metadata file is of an unencrypted volume: it cannot take a key" <<< "$out"
t_done
