// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: a volume's metadata file, so that its dirty-region bitmaps
 * outlive the compute host. Layout, little-endian:
 *
 *   0                      struct kcbs_meta_hdr, in a 4 KiB block
 *   4096 + i * bitmap_len  replica i's bitmap, as __le32 words
 *
 * A replica's bitmap is written and synced whenever one of its bits goes
 * from 0 to 1, before the write that set it completes; cleared bits are
 * written lazily (after a resync). The CLEAN flag is set only by a volume
 * deleted in an orderly way: a volume loaded from a file without it may have
 * died with writes in flight, which may have reached some replicas and not
 * others, so the first in-sync replica to connect becomes the source and
 * every other one is resynced from it in full.
 *
 * An encrypted volume's header has the ENCRYPTED flag and, after the first
 * crc, its key's check value and bits under a second crc (files of older
 * versions have zeroes there and no such flag: they load as unencrypted).
 * The key itself is never written: a volume created again from the file
 * must be given the key whose check value it records.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "bs.h"

#define KCBS_META_MAGIC		0x3154454d5342434bULL	/* "KCBSMET1" */
#define KCBS_META_F_CLEAN	0x1
#define KCBS_META_F_ENCRYPTED	0x2	/* kcv, key_bits and crc2 are set */
#define KCBS_META_HDR_LEN	4096

struct kcbs_meta_replica {
	__be32 addr;
	__le16 port;
	u8 present;
	u8 pad;
};

struct kcbs_meta_hdr {
	__le64 magic;
	__le32 flags;
	__le32 region_size;
	__le64 size;
	__le64 epoch;
	__le64 bitmap_len;
	struct kcbs_meta_replica rep[KCLOUD_BS_MAX_REPLICAS];
	__le32 crc;
	/* Encrypted volumes (KCBS_META_F_ENCRYPTED); zeroes otherwise. */
	u8 kcv[KCBS_KCV_LEN];
	__le32 key_bits;
	__le32 crc2;			/* of all the above */
};

static u64 kcbs_meta_bitmap_len(struct kcbs_volume *vol)
{
	return round_up(BITS_TO_U32(vol->nregions) * sizeof(u32), 4096);
}

static int kcbs_meta_write_hdr(struct kcbs_volume *vol, u32 flags)
{
	struct kcbs_meta_hdr *h;
	loff_t pos = 0;
	ssize_t n;
	int i;

	h = kzalloc(sizeof(*h), GFP_NOIO);
	if (!h)
		return -ENOMEM;
	h->magic = cpu_to_le64(KCBS_META_MAGIC);
	h->flags = cpu_to_le32(flags);
	h->region_size = cpu_to_le32(vol->region_size);
	h->size = cpu_to_le64(vol->size);
	h->epoch = cpu_to_le64(vol->epoch);
	h->bitmap_len = cpu_to_le64(kcbs_meta_bitmap_len(vol));
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		h->rep[i].addr = vol->replicas[i].addr;
		h->rep[i].port = cpu_to_le16(vol->replicas[i].port);
		h->rep[i].present = vol->replicas[i].present;
	}
	if (vol->crypt) {
		flags |= KCBS_META_F_ENCRYPTED;
		h->flags = cpu_to_le32(flags);
		memcpy(h->kcv, kcbs_crypt_kcv(vol->crypt), KCBS_KCV_LEN);
		h->key_bits = cpu_to_le32(kcbs_crypt_key_bits(vol->crypt));
	}
	h->crc = cpu_to_le32(kcbs_crc(~0, h, offsetof(struct kcbs_meta_hdr, crc)));
	if (vol->crypt)
		h->crc2 = cpu_to_le32(kcbs_crc(~0, h, offsetof(struct kcbs_meta_hdr, crc2)));
	n = kernel_write(vol->meta, h, sizeof(*h), &pos);
	kfree(h);
	if (n != sizeof(*h))
		return n < 0 ? n : -EIO;
	return vfs_fsync_range(vol->meta, 0, KCBS_META_HDR_LEN - 1, 1);
}

/**
 * kcbs_meta_write_bitmap() - write a replica's bitmap and sync it
 * @r: the replica
 *
 * Return: 0 or a negative errno.
 */
int kcbs_meta_write_bitmap(struct kcbs_replica *r)
{
	struct kcbs_volume *vol = r->vol;
	u64 len = kcbs_meta_bitmap_len(vol);
	loff_t pos = KCBS_META_HDR_LEN + r->idx * len;
	unsigned int i, words = BITS_TO_U32(vol->nregions);
	ssize_t n;
	u32 *buf;
	int err;

	if (!vol->meta)
		return 0;
	buf = kvzalloc(len, GFP_NOIO);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&vol->meta_lock);
	bitmap_to_arr32(buf, r->dirty, vol->nregions);
	for (i = 0; i < words; i++)
		buf[i] = (__force u32)cpu_to_le32(buf[i]);
	n = kernel_write(vol->meta, buf, len, &pos);
	err = n == len ? 0 : n < 0 ? n : -EIO;
	if (!err)
		err = vfs_fsync_range(vol->meta, pos - len, pos - 1, 1);
	mutex_unlock(&vol->meta_lock);
	kvfree(buf);
	if (err)
		pr_err_ratelimited("%s: cannot write the bitmap of replica %u: %d\n",
				   vol->name, r->idx, err);
	return err;
}

static int kcbs_meta_read_bitmap(struct kcbs_replica *r)
{
	struct kcbs_volume *vol = r->vol;
	u64 len = kcbs_meta_bitmap_len(vol);
	loff_t pos = KCBS_META_HDR_LEN + r->idx * len;
	unsigned int i, words = BITS_TO_U32(vol->nregions);
	ssize_t n;
	u32 *buf;

	buf = kvzalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	n = kernel_read(vol->meta, buf, len, &pos);
	if (n == len) {
		for (i = 0; i < words; i++)
			buf[i] = le32_to_cpu((__force __le32)buf[i]);
		bitmap_from_arr32(r->dirty, buf, vol->nregions);
	}
	kvfree(buf);
	return n == len ? 0 : -EIO;
}

/* The key given at create against the one the file was made with. */
static int kcbs_meta_check_key(struct kcbs_volume *vol, const struct kcbs_meta_hdr *h,
			       struct netlink_ext_ack *extack)
{
	bool enc = le32_to_cpu(h->flags) & KCBS_META_F_ENCRYPTED;

	if (!enc && !vol->crypt)
		return 0;
	if (!enc) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the metadata file is of an unencrypted volume: it cannot take a key");
		return -EINVAL;
	}
	if (le32_to_cpu(h->crc2) != kcbs_crc(~0, h, offsetof(struct kcbs_meta_hdr, crc2))) {
		NL_SET_ERR_MSG_MOD(extack, "the metadata file is damaged (key check value)");
		return -EINVAL;
	}
	if (!vol->crypt) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the metadata file is of an encrypted volume: its key is needed");
		return -ENOKEY;
	}
	if (le32_to_cpu(h->key_bits) != kcbs_crypt_key_bits(vol->crypt) ||
	    crypto_memneq(h->kcv, kcbs_crypt_kcv(vol->crypt), KCBS_KCV_LEN)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "wrong key: it does not match the metadata file's key check value");
		return -EKEYREJECTED;
	}
	return 0;
}

/**
 * kcbs_meta_open() - open or create a volume's metadata file
 * @vol: the volume, its replicas set up
 * @path: the file
 * @extack: where to say why it failed
 *
 * A file holding a volume's state must describe the same volume (size,
 * region size, replicas, and for an encrypted volume the key, by its check
 * value); its bitmaps are loaded and the volume's epoch is raised above the
 * one it records.
 *
 * Return: 0 or a negative errno.
 */
int kcbs_meta_open(struct kcbs_volume *vol, const char *path,
		   struct netlink_ext_ack *extack)
{
	struct kcbs_meta_hdr *h;
	loff_t pos = 0;
	bool load;
	ssize_t n;
	int i, err;

	vol->meta = filp_open(path, O_RDWR | O_CREAT | O_LARGEFILE, 0600);
	if (IS_ERR(vol->meta)) {
		err = PTR_ERR(vol->meta);
		vol->meta = NULL;
		NL_SET_ERR_MSG_MOD(extack, "cannot open the metadata file");
		return err;
	}
	if (!S_ISREG(file_inode(vol->meta)->i_mode)) {
		NL_SET_ERR_MSG_MOD(extack, "the metadata path is not a regular file");
		return -EINVAL;
	}
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	n = kernel_read(vol->meta, h, sizeof(*h), &pos);
	load = n == sizeof(*h) && h->magic == cpu_to_le64(KCBS_META_MAGIC);
	err = 0;
	if (load && le32_to_cpu(h->crc) != kcbs_crc(~0, h, offsetof(struct kcbs_meta_hdr, crc))) {
		NL_SET_ERR_MSG_MOD(extack, "the metadata file is damaged");
		err = -EINVAL;
	} else if (load && (le64_to_cpu(h->size) != vol->size ||
			    le32_to_cpu(h->region_size) != vol->region_size)) {
		NL_SET_ERR_MSG_MOD(extack, "the metadata file has another size or region size");
		err = -EINVAL;
	}
	for (i = 0; load && !err && i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *r = &vol->replicas[i];

		if (h->rep[i].present != r->present ||
		    (r->present && (h->rep[i].addr != r->addr ||
				    le16_to_cpu(h->rep[i].port) != r->port))) {
			NL_SET_ERR_MSG_MOD(extack, "the metadata file has other replicas");
			err = -EINVAL;
		}
	}
	if (load && !err)
		err = kcbs_meta_check_key(vol, h, extack);
	if (load && !err) {
		vol->epoch = max(vol->epoch, le64_to_cpu(h->epoch) + 1);
		vol->unclean = !(le32_to_cpu(h->flags) & KCBS_META_F_CLEAN);
		for (i = 0; !err && i < KCLOUD_BS_MAX_REPLICAS; i++) {
			struct kcbs_replica *r = &vol->replicas[i];

			if (!r->present)
				continue;
			err = kcbs_meta_read_bitmap(r);
			r->uptodate = bitmap_empty(r->dirty, vol->nregions);
			r->last_state = r->uptodate ? KCLOUD_BS_REPLICA_CONNECTING :
				KCLOUD_BS_REPLICA_OUT_OF_SYNC;
		}
		if (err)
			NL_SET_ERR_MSG_MOD(extack, "cannot read the bitmaps of the metadata file");
	}
	kfree(h);
	if (err)
		return err;
	if (vol->unclean)
		pr_info("%s: the volume did not stop cleanly: full resync from the first in-sync replica\n",
			vol->name);

	/* In use from now on: not clean until an orderly delete. */
	err = kcbs_meta_write_hdr(vol, 0);
	for (i = 0; !err && i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (vol->replicas[i].present)
			err = kcbs_meta_write_bitmap(&vol->replicas[i]);
	if (err)
		NL_SET_ERR_MSG_MOD(extack, "cannot write the metadata file");
	return err;
}

/**
 * kcbs_meta_update() - write every bitmap, then the header
 * @vol: the volume, its replicas or its size changed
 *
 * The bitmaps go first, at the places the new header gives them, and the
 * header last: a crash in between leaves the old header, whose replicas
 * and size still hold. A new replica's bitmap (every bit set) is on disk
 * before a header names it. After a resize the old header may find bits
 * of the new layout where it looks for its own: the bitmaps are all clear
 * then (every replica was in sync), and a stale set bit only costs a copy.
 *
 * Return: 0 or a negative errno.
 */
int kcbs_meta_update(struct kcbs_volume *vol)
{
	int i, err = 0;

	if (!vol->meta)
		return 0;
	for (i = 0; !err && i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (vol->replicas[i].present)
			err = kcbs_meta_write_bitmap(&vol->replicas[i]);
	if (err)
		return err;
	mutex_lock(&vol->meta_lock);
	err = kcbs_meta_write_hdr(vol, 0);
	mutex_unlock(&vol->meta_lock);
	return err;
}

/**
 * kcbs_meta_close() - write the final state and close the metadata file
 * @vol: the volume, stopped
 * @clean: no write was left in flight
 */
void kcbs_meta_close(struct kcbs_volume *vol, bool clean)
{
	int i;

	if (!vol->meta)
		return;
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (vol->replicas[i].present)
			kcbs_meta_write_bitmap(&vol->replicas[i]);
	if (clean) {
		mutex_lock(&vol->meta_lock);
		kcbs_meta_write_hdr(vol, KCBS_META_F_CLEAN);
		mutex_unlock(&vol->meta_lock);
	}
	filp_close(vol->meta, NULL);
	vol->meta = NULL;
}

/**
 * kcbs_meta_source() - a replica connected after an unclean stop
 * @r: the replica
 *
 * If the volume did not stop cleanly and @r is in sync, @r becomes the
 * source: every other replica is marked dirty in full, to be resynced.
 */
void kcbs_meta_source(struct kcbs_replica *r)
{
	struct kcbs_volume *vol = r->vol;
	bool take;
	int i;

	spin_lock(&vol->lock);
	take = vol->unclean && r->uptodate;
	if (take) {
		vol->unclean = false;
		for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
			if (i != r->idx && vol->replicas[i].present)
				vol->replicas[i].uptodate = false;
	}
	spin_unlock(&vol->lock);
	if (!take)
		return;
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *o = &vol->replicas[i];

		if (i == r->idx || !o->present)
			continue;
		kcbs_bitmap_set_all(o);
		kcbs_meta_write_bitmap(o);
	}
}
