// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: volume encryption. A volume created with a key encrypts what
 * it writes before the data's crc32c is taken and it leaves the host (to a
 * target or to the local device), and decrypts what it reads once the crc32c
 * of what came has been checked, before the request ends. Targets, the
 * resync (it copies ciphertext between replicas at the same offsets) and
 * the wire format know nothing of it.
 *
 * The layout is dm-crypt's "aes-xts-plain64" with "sector_size:4096" (and
 * without "iv_large_sectors"): xts(aes) over 4096-byte crypto sectors, the
 * IV of each the little-endian number of its first 512-byte sector. The
 * disk's logical block size is 4096, so that no request splits a crypto
 * sector.
 *
 * A write's ciphertext goes to bounce pages, one per crypto sector, from
 * the volume's page mempool, as dm-crypt does it: every page is first taken
 * without waiting; if one is missing, they all go back, and the pages are
 * taken again one request at a time (alloc_lock) with GFP_NOIO, which may
 * wait for the pool. The pool holds the pages of one request of the largest
 * size, so that the one waiter always gets its pages once the requests in
 * flight end: the volume writes under memory pressure without deadlock.
 * Reads are decrypted in place, in the request's pages.
 *
 * The crypto state of a request (its skcipher_request, its IV, its bounce
 * page array) lives in its blk-mq pdu: nothing is allocated per request and
 * no lock is shared on the fast path; the transform is shared, read-only
 * once keyed. The work is synchronous (an asynchronous implementation is
 * waited for): a write is encrypted by queue_rq on the submitting CPU
 * (BLK_MQ_F_BLOCKING); a read is decrypted on the volume's unbound
 * workqueue, handed there by the replica's receiver (kcbs_cmd_decrypt())
 * or by the local device's completion, so that the reads of one replica
 * are decrypted on several CPUs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <crypto/algapi.h>
#include <linux/mempool.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "bs.h"

/* Pieces a crypto sector may be made of: the request's data is 512-aligned. */
#define KCBS_CRYPT_SG		(KCBS_CRYPT_SECTOR / SECTOR_SIZE)

static const char kcbs_kcv_label[] = "kcloud_bs volume key check v1:";

struct kcbs_crypt {
	struct crypto_skcipher *tfm;
	mempool_t *pool;		/* bounce pages */
	struct mutex alloc_lock;	/* the one request that may wait for the pool */
	unsigned int key_bits;
	u8 kcv[KCBS_KCV_LEN];
};

/* What a request's pdu holds after its struct kcbs_cmd. */
static size_t kcbs_crypt_pages_len(void)
{
	return KCBS_BOUNCE_PAGES * sizeof(struct page *);
}

/*
 * The key's check value: HMAC-SHA256 keyed with it, over a label and the
 * volume's name. It tells whether a key is the one a metadata file was made
 * with, and does not reveal it.
 */
static int kcbs_crypt_key_check(const u8 *key, unsigned int len, const char *name,
				u8 *kcv)
{
	struct crypto_shash *h;
	int err;

	h = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(h))
		return PTR_ERR(h);
	err = crypto_shash_setkey(h, key, len);
	if (!err) {
		SHASH_DESC_ON_STACK(desc, h);

		desc->tfm = h;
		err = crypto_shash_init(desc) ?:
		      crypto_shash_update(desc, kcbs_kcv_label, sizeof(kcbs_kcv_label) - 1) ?:
		      crypto_shash_update(desc, name, strlen(name)) ?:
		      crypto_shash_final(desc, kcv);
		shash_desc_zero(desc);
	}
	crypto_free_shash(h);
	return err;
}

/**
 * kcbs_crypt_create() - the encryption state of a new volume
 * @key: its key, 32 or 64 bytes (two AES-128 or AES-256 keys for XTS)
 * @len: the key's length
 * @name: the volume's name (in the key check value)
 * @extack: where to say why it failed
 *
 * Return: the state, or an ERR_PTR().
 */
struct kcbs_crypt *kcbs_crypt_create(const u8 *key, unsigned int len, const char *name,
				     struct netlink_ext_ack *extack)
{
	struct kcbs_crypt *c;
	int err;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	mutex_init(&c->alloc_lock);
	c->key_bits = len * 8;
	c->tfm = crypto_alloc_skcipher("xts(aes)", 0, 0);
	if (IS_ERR(c->tfm)) {
		err = PTR_ERR(c->tfm);
		c->tfm = NULL;
		NL_SET_ERR_MSG_MOD(extack, "xts(aes) is not available in this kernel");
		goto err_free;
	}
	/* XTS wants two different AES keys: refuse a key whose halves match. */
	crypto_skcipher_set_flags(c->tfm, CRYPTO_TFM_REQ_FORBID_WEAK_KEYS);
	err = crypto_skcipher_setkey(c->tfm, key, len);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "xts(aes) refused the key: its two halves must differ");
		goto err_free;
	}
	err = kcbs_crypt_key_check(key, len, name, c->kcv);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "hmac(sha256) is not available for the key check value");
		goto err_free;
	}
	c->pool = mempool_create_page_pool(KCBS_BOUNCE_PAGES, 0);
	err = -ENOMEM;
	if (!c->pool)
		goto err_free;
	return c;

err_free:
	kcbs_crypt_free(c);
	return ERR_PTR(err);
}

/**
 * kcbs_crypt_free() - free a volume's encryption state (and its key)
 * @c: the state, or NULL
 */
void kcbs_crypt_free(struct kcbs_crypt *c)
{
	if (!c)
		return;
	mempool_destroy(c->pool);
	if (c->tfm)
		crypto_free_skcipher(c->tfm);	/* wipes the key schedule */
	kfree_sensitive(c);
}

/**
 * kcbs_crypt_key_bits() - the key's bits
 * @c: the state
 *
 * Return: 256 or 512.
 */
unsigned int kcbs_crypt_key_bits(const struct kcbs_crypt *c)
{
	return c->key_bits;
}

/**
 * kcbs_crypt_driver() - the implementation of xts(aes) in use
 * @c: the state
 *
 * Return: its driver name, e.g. "xts-aes-aesni".
 */
const char *kcbs_crypt_driver(const struct kcbs_crypt *c)
{
	return crypto_tfm_alg_driver_name(crypto_skcipher_tfm(c->tfm));
}

/**
 * kcbs_crypt_kcv() - the key's check value
 * @c: the state
 *
 * Return: KCBS_KCV_LEN bytes.
 */
const u8 *kcbs_crypt_kcv(const struct kcbs_crypt *c)
{
	return c->kcv;
}

/**
 * kcbs_crypt_pdu_size() - what a request's pdu needs after its kcbs_cmd
 * @c: the state
 *
 * Return: bytes.
 */
size_t kcbs_crypt_pdu_size(const struct kcbs_crypt *c)
{
	return kcbs_crypt_pages_len() + CRYPTO_MINALIGN + sizeof(struct skcipher_request) +
	       crypto_skcipher_reqsize(c->tfm);
}

/**
 * kcbs_crypt_init_cmd() - lay out a request's crypto state in its pdu
 * @c: the state
 * @cmd: the request's pdu, kcbs_crypt_pdu_size() bytes after it
 */
void kcbs_crypt_init_cmd(const struct kcbs_crypt *c, struct kcbs_cmd *cmd)
{
	u8 *p = (u8 *)(cmd + 1);

	cmd->bounce = (struct page **)p;
	cmd->nbounce = 0;
	cmd->creq = PTR_ALIGN((void *)(p + kcbs_crypt_pages_len()), CRYPTO_MINALIGN);
	skcipher_request_set_tfm(cmd->creq, c->tfm);
}

static int kcbs_crypt_sector(struct kcbs_cmd *cmd, struct scatterlist *src,
			     struct scatterlist *dst, u64 sector, bool enc)
{
	struct skcipher_request *req = cmd->creq;
	DECLARE_CRYPTO_WAIT(wait);

	cmd->iv[0] = cpu_to_le64(sector);	/* plain64 */
	cmd->iv[1] = 0;
	skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG | CRYPTO_TFM_REQ_MAY_SLEEP,
				      crypto_req_done, &wait);
	skcipher_request_set_crypt(req, src, dst, KCBS_CRYPT_SECTOR, cmd->iv);
	return crypto_wait_req(enc ? crypto_skcipher_encrypt(req) : crypto_skcipher_decrypt(req),
			       &wait);
}

/*
 * Encrypt @rq's data into the bounce pages (@enc), or decrypt it in place.
 * A crypto sector may lie across segments: its pieces are gathered.
 */
static int kcbs_crypt_rq(struct request *rq, struct kcbs_cmd *cmd, bool enc)
{
	struct scatterlist src[KCBS_CRYPT_SG], dst;
	unsigned int n = 0, fill = 0, page = 0, noio;
	u64 sector = blk_rq_pos(rq);
	struct req_iterator iter;
	struct bio_vec bv;
	int err = 0;

	if ((blk_rq_bytes(rq) | (sector << SECTOR_SHIFT)) & (KCBS_CRYPT_SECTOR - 1))
		return -EIO;
	/* The crypto code may allocate: not from the I/O it serves. */
	noio = memalloc_noio_save();
	rq_for_each_segment(bv, rq, iter) {
		unsigned int off = bv.bv_offset, len = bv.bv_len;

		while (len) {
			unsigned int chunk = min(len, KCBS_CRYPT_SECTOR - fill);

			if (!n)
				sg_init_table(src, KCBS_CRYPT_SG);
			if (n == KCBS_CRYPT_SG) {
				err = -EIO;
				goto out;
			}
			sg_set_page(&src[n++], bv.bv_page, chunk, off);
			fill += chunk;
			off += chunk;
			len -= chunk;
			if (fill < KCBS_CRYPT_SECTOR)
				continue;
			sg_mark_end(&src[n - 1]);
			if (enc) {
				sg_init_table(&dst, 1);
				sg_set_page(&dst, cmd->bounce[page++], KCBS_CRYPT_SECTOR, 0);
			}
			err = kcbs_crypt_sector(cmd, src, enc ? &dst : src, sector, enc);
			if (err)
				goto out;
			sector += KCBS_CRYPT_SECTOR >> SECTOR_SHIFT;
			n = 0;
			fill = 0;
		}
	}
	if (fill)
		err = -EIO;
out:
	memalloc_noio_restore(noio);
	return err;
}

static void kcbs_bounce_put(struct kcbs_crypt *c, struct page **pages, unsigned int n)
{
	while (n)
		mempool_free(pages[--n], c->pool);
}

/* @n bounce pages; never fails, may wait for requests in flight to end. */
static void kcbs_bounce_get(struct kcbs_crypt *c, struct page **pages, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		pages[i] = mempool_alloc(c->pool, GFP_NOWAIT | __GFP_NOWARN);
		if (!pages[i])
			break;
	}
	if (i == n)
		return;
	/* Hold none while waiting, and wait one at a time: the pool has all
	 * the pages the waiter needs, out of the hands of requests that end.
	 */
	kcbs_bounce_put(c, pages, i);
	mutex_lock(&c->alloc_lock);
	for (i = 0; i < n; i++)
		pages[i] = mempool_alloc(c->pool, GFP_NOIO);
	mutex_unlock(&c->alloc_lock);
}

/**
 * kcbs_crypt_write() - encrypt a WRITE's data into bounce pages
 * @c: the volume's state
 * @rq: the WRITE
 * @cmd: its pdu: the pages go to @cmd->bounce, @cmd->nbounce of them
 *
 * Context: process context, may sleep (waiting for bounce pages).
 * Return: 0, or -EIO (@rq is not in whole crypto sectors, or the cipher
 * failed): no page is held then.
 */
int kcbs_crypt_write(struct kcbs_crypt *c, struct request *rq, struct kcbs_cmd *cmd)
{
	unsigned int n = blk_rq_bytes(rq) / KCBS_CRYPT_SECTOR;
	int err;

	BUILD_BUG_ON(PAGE_SIZE != KCBS_CRYPT_SECTOR);
	if (!n || n > KCBS_BOUNCE_PAGES)
		return -EIO;
	kcbs_bounce_get(c, cmd->bounce, n);
	cmd->nbounce = n;
	err = kcbs_crypt_rq(rq, cmd, true);
	if (err) {
		pr_err_ratelimited("cannot encrypt a write at sector %llu: %d\n",
				   (unsigned long long)blk_rq_pos(rq), err);
		kcbs_crypt_end(c, cmd);
	}
	return err;
}

/**
 * kcbs_crypt_end() - give back a request's bounce pages
 * @c: the volume's state
 * @cmd: the request's pdu; nothing reads its pages any more
 */
void kcbs_crypt_end(struct kcbs_crypt *c, struct kcbs_cmd *cmd)
{
	kcbs_bounce_put(c, cmd->bounce, cmd->nbounce);
	cmd->nbounce = 0;
}

/**
 * kcbs_crypt_read() - decrypt a READ's data in place
 * @rq: the READ, its data received and its crc32c checked
 * @cmd: its pdu
 *
 * Context: process context, may sleep.
 * Return: 0 or -EIO.
 */
int kcbs_crypt_read(struct request *rq, struct kcbs_cmd *cmd)
{
	int err = kcbs_crypt_rq(rq, cmd, false);

	if (err)
		pr_err_ratelimited("cannot decrypt a read at sector %llu: %d\n",
				   (unsigned long long)blk_rq_pos(rq), err);
	return err;
}
