/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud_bs: the block store. Internal declarations shared by the
 * files of the module.
 */
#ifndef _KCLOUD_BS_H
#define _KCLOUD_BS_H

#define KCLOUD_BS_VERSION	"0.1.0"

int kcloud_bs_genl_init(void);
void kcloud_bs_genl_exit(void);

#endif /* _KCLOUD_BS_H */
