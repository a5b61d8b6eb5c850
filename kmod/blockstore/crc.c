// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: crc32c of the data on the wire. Two implementations give the
 * same values: the crypto API's (the CPU's crc32 instruction where there is
 * one; the module is loaded with insmod, which does not load libcrc32c for
 * us) and the library's table-driven __crc32c_le(). As the RAID6 and xor
 * code do, the module times both when it loads and keeps the faster: the
 * instruction wins on real CPUs, the tables win where the instruction is
 * emulated (an emulated guest, as the tests run).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/crc32.h>
#include <linux/ktime.h>
#include <linux/slab.h>

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

/* MB/s of one implementation over a 16 KiB buffer, for about 2 ms. */
static unsigned long kcbs_crc_speed(const void *buf, bool tables)
{
	u64 start = ktime_get_ns(), ns;
	unsigned long bytes = 0;
	u32 crc = ~0;

	do {
		crc = tables ? __crc32c_le(crc, buf, SZ_16K) : kcbs_crc(crc, buf, SZ_16K);
		bytes += SZ_16K;
		ns = ktime_get_ns() - start;
	} while (ns < 2 * NSEC_PER_MSEC);
	barrier_data(&crc);
	return div64_u64((u64)bytes * 1000, ns);
}

/**
 * kcbs_crc_init() - find the fastest crc32c
 */
void kcbs_crc_init(void)
{
	struct crypto_shash *tfm = crypto_alloc_shash("crc32c", 0, 0);
	unsigned long api, tables;
	void *buf;

	if (IS_ERR(tfm))
		return;
	if (crypto_shash_descsize(tfm) != sizeof(u32)) {
		crypto_free_shash(tfm);
		return;
	}
	kcbs_crc_tfm = tfm;
	buf = kmalloc(SZ_16K, GFP_KERNEL);
	if (!buf)
		return;
	memset(buf, 0x5a, SZ_16K);
	api = kcbs_crc_speed(buf, false);
	tables = kcbs_crc_speed(buf, true);
	kfree(buf);
	pr_info("crc32c: %s %lu MB/s, tables %lu MB/s: using %s\n",
		crypto_shash_driver_name(tfm), api, tables, api >= tables ? "the first" : "tables");
	if (api < tables) {
		kcbs_crc_tfm = NULL;
		crypto_free_shash(tfm);
	}
}

void kcbs_crc_exit(void)
{
	crypto_free_shash(kcbs_crc_tfm);
	kcbs_crc_tfm = NULL;
}
