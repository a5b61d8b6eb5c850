// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: module init and exit, and the per-namespace state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include <uapi/linux/kcloud_bs.h>

#include "bs.h"

unsigned int kcbs_net_id __read_mostly;
/* Guards the per-namespace lists and object creation and removal. */
DEFINE_MUTEX(kcbs_lock);

unsigned int kcbs_fault_flip;
module_param_named(fault_flip, kcbs_fault_flip, uint, 0644);
MODULE_PARM_DESC(fault_flip,
		 "test hook: targets flip a bit in every Nth data frame on the wire (0: off)");

static int __net_init kcbs_net_init(struct net *net)
{
	struct kcbs_net *kn = net_generic(net, kcbs_net_id);

	INIT_LIST_HEAD(&kn->targets);
	INIT_LIST_HEAD(&kn->volumes);
	INIT_LIST_HEAD(&kn->snapshots);
	return 0;
}

static void __net_exit kcbs_net_exit(struct net *net)
{
	struct kcbs_net *kn = net_generic(net, kcbs_net_id);
	struct kcbs_volume *vol, *vtmp;
	struct kcbs_snapshot *snap, *stmp;
	struct kcbs_target *t, *ttmp;

	mutex_lock(&kcbs_lock);
	/* The namespace is going: even a volume whose disk is open goes. */
	list_for_each_entry_safe(vol, vtmp, &kn->volumes, node)
		kcbs_volume_destroy(vol, true);
	list_for_each_entry_safe(snap, stmp, &kn->snapshots, node)
		kcbs_snapshot_destroy(snap);
	list_for_each_entry_safe(t, ttmp, &kn->targets, node)
		kcbs_target_destroy(t);
	mutex_unlock(&kcbs_lock);
}

static struct pernet_operations kcbs_net_ops = {
	.init	= kcbs_net_init,
	.exit	= kcbs_net_exit,
	.id	= &kcbs_net_id,
	.size	= sizeof(struct kcbs_net),
};

static int __init kcloud_bs_init(void)
{
	int err;

	kcbs_crc_init();
	err = kcbs_local_init();
	if (err)
		goto err_crc;
	err = kcbs_blk_init();
	if (err)
		goto err_local;
	err = register_pernet_subsys(&kcbs_net_ops);
	if (err)
		goto err_blk;
	err = kcbs_genl_init();
	if (err)
		goto err_net;

	pr_info("version %s loaded\n", KCLOUD_BS_VERSION);
	return 0;

err_net:
	unregister_pernet_subsys(&kcbs_net_ops);
err_blk:
	kcbs_blk_exit();
err_local:
	kcbs_local_exit();
err_crc:
	kcbs_crc_exit();
	return err;
}

static void __exit kcloud_bs_exit(void)
{
	kcbs_genl_exit();
	unregister_pernet_subsys(&kcbs_net_ops);
	kcbs_blk_exit();
	kcbs_local_exit();
	kcbs_crc_exit();
}

module_init(kcloud_bs_init);
module_exit(kcloud_bs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kcloud block store: replicated network block devices and targets");
MODULE_VERSION(KCLOUD_BS_VERSION);
MODULE_ALIAS_GENL_FAMILY(KCLOUD_BS_GENL_NAME);
