// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: module init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include <uapi/linux/kcloud_vpc.h>

#include "vpc.h"

static int __init kcloud_vpc_init(void)
{
	int err;

	err = vpc_switch_init();
	if (err)
		return err;
	err = vpc_port_init();
	if (err)
		goto err_switch;
	err = vpc_genl_init();
	if (err)
		goto err_port;

	pr_info("version %s loaded\n", KCLOUD_VPC_VERSION);
	return 0;

err_port:
	vpc_port_exit();
err_switch:
	vpc_switch_exit();
	return err;
}

static void __exit kcloud_vpc_exit(void)
{
	vpc_genl_exit();
	vpc_port_exit();
	vpc_switch_exit();
}

module_init(kcloud_vpc_init);
module_exit(kcloud_vpc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kcloud VPC overlay switch");
MODULE_VERSION(KCLOUD_VPC_VERSION);
MODULE_ALIAS_GENL_FAMILY(KCLOUD_VPC_GENL_NAME);
