// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: module init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include <uapi/linux/kcloud_bs.h>

#include "bs.h"

static int __init kcloud_bs_init(void)
{
	int err;

	err = kcloud_bs_genl_init();
	if (err)
		return err;

	pr_info("version %s loaded\n", KCLOUD_BS_VERSION);
	return 0;
}

static void __exit kcloud_bs_exit(void)
{
	kcloud_bs_genl_exit();
}

module_init(kcloud_bs_init);
module_exit(kcloud_bs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kcloud block store");
MODULE_VERSION(KCLOUD_BS_VERSION);
MODULE_ALIAS_GENL_FAMILY(KCLOUD_BS_GENL_NAME);
