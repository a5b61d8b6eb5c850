// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: the dirty-region bitmaps. Each replica has one bit per region
 * of the volume; a set bit means that the replica missed a write to that
 * region and must have it copied before it is in sync again.
 */
#include <linux/bitmap.h>

#include "bs.h"

/**
 * kcbs_bitmap_mark() - record that a replica missed a write
 * @r: the replica
 * @offset: the write's first byte
 * @len: its length, > 0
 *
 * Context: any; the bits are set atomically.
 * Return: true if a bit was clear (the metadata file must be written).
 */
bool kcbs_bitmap_mark(struct kcbs_replica *r, u64 offset, u32 len)
{
	struct kcbs_volume *vol = r->vol;
	unsigned long first = offset >> vol->region_shift;
	unsigned long last = (offset + len - 1) >> vol->region_shift;
	bool new = false;

	for (; first <= last && first < vol->nregions; first++)
		if (!test_bit(first, r->dirty) && !test_and_set_bit(first, r->dirty))
			new = true;
	return new;
}

/**
 * kcbs_bitmap_set_all() - mark every region of a replica dirty
 * @r: the replica (a new one, to be filled by a resync)
 */
void kcbs_bitmap_set_all(struct kcbs_replica *r)
{
	unsigned long i;

	for (i = 0; i < r->vol->nregions; i++)
		set_bit(i, r->dirty);
}

/**
 * kcbs_bitmap_weight() - how many regions a replica still has to get
 * @r: the replica
 *
 * Return: the number of dirty regions.
 */
unsigned long kcbs_bitmap_weight(struct kcbs_replica *r)
{
	return bitmap_weight(r->dirty, r->vol->nregions);
}
