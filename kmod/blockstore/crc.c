// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: crc32c of the data on the wire. Through the crypto API, so
 * that the CPU's crc32 instruction is used where there is one (the
 * module is loaded with insmod, which does not load libcrc32c for us);
 * the library's table-driven __crc32c_le() otherwise. Both give the same
 * values.
 */
#include <crypto/hash.h>
#include <linux/crc32.h>

#include "bs.h"

static struct crypto_shash *kcbs_crc_tfm;

/**
 * kcbs_crc() - crc32c, continued from @crc, without the final inversion
 * @crc: the crc so far (~0 to start)
 * @p: the data
 * @len: its length
 *
 * Return: the new crc.
 */
u32 kcbs_crc(u32 crc, const void *p, size_t len)
{
	SHASH_DESC_ON_STACK(desc, kcbs_crc_tfm);
	u32 *ctx = (u32 *)shash_desc_ctx(desc);

	if (!kcbs_crc_tfm)
		return __crc32c_le(crc, p, len);
	desc->tfm = kcbs_crc_tfm;
	*ctx = crc;
	crypto_shash_update(desc, p, len);
	crc = *ctx;
	barrier_data(ctx);
	return crc;
}

/**
 * kcbs_crc_init() - find the fastest crc32c
 */
void kcbs_crc_init(void)
{
	struct crypto_shash *tfm = crypto_alloc_shash("crc32c", 0, 0);

	if (IS_ERR(tfm))
		return;
	if (crypto_shash_descsize(tfm) != sizeof(u32)) {
		crypto_free_shash(tfm);
		return;
	}
	kcbs_crc_tfm = tfm;
}

/**
 * kcbs_crc_exit() - let go of the crc32c transform
 */
void kcbs_crc_exit(void)
{
	crypto_free_shash(kcbs_crc_tfm);
	kcbs_crc_tfm = NULL;
}
