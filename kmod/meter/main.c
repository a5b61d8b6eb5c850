// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: module init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include <uapi/linux/kcloud_meter.h>

#include "meter.h"

static int __init kcloud_meter_init(void)
{
	int err;

	err = kcloud_meter_genl_init();
	if (err)
		return err;

	pr_info("version %s loaded\n", KCLOUD_METER_VERSION);
	return 0;
}

static void __exit kcloud_meter_exit(void)
{
	kcloud_meter_genl_exit();
}

module_init(kcloud_meter_init);
module_exit(kcloud_meter_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kcloud usage meter");
MODULE_VERSION(KCLOUD_METER_VERSION);
MODULE_ALIAS_GENL_FAMILY(KCLOUD_METER_GENL_NAME);
