/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud snapshot: what `kcloud volume` uses of it.
 */
#ifndef KCLOUD_SNAPSHOT_H
#define KCLOUD_SNAPSHOT_H

#include <stdint.h>
#include <netlink/attr.h>

#include "cipher.h"

struct kc_snapshot_info {
	char path[4096];
	uint64_t size;
	int state;		/* enum kcloud_bs_snapshot_state */
	int error;		/* errno, once failed */
	char volume[64];	/* the volume it is of */
	unsigned int key_bits;	/* of an encrypted volume: its key's, else 0 */
	unsigned char kcv[KC_KCV_LEN];	/* and its key check value */
};

int kc_snapshot_get(const char *name, struct kc_snapshot_info *si);
int kc_image_info(const char *path, struct kc_snapshot_info *si);
int kc_snapshot_restore(const struct kc_snapshot_info *si, const char *disk,
			struct kc_cipher *dec);
int kc_snapshot_show_cb(uint8_t cmd, struct nlattr **tb, void *arg);

#endif /* KCLOUD_SNAPSHOT_H */
