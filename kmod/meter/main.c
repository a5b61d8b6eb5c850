// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: module init and exit, and the per-namespace state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include <uapi/linux/kcloud_meter.h>

#include "meter.h"

unsigned int kcm_net_id __read_mostly;

static int __net_init kcm_net_init(struct net *net)
{
	struct kcm_net *kn = kcm_net(net);

	kn->net = net;
	mutex_init(&kn->lock);
	xa_init(&kn->instances);
	hash_init(kn->names);
	INIT_LIST_HEAD(&kn->tenants);
	INIT_LIST_HEAD(&kn->alarms);
	kcm_ledger_start(kn);
	return 0;
}

static void __net_exit kcm_net_exit(struct net *net)
{
	struct kcm_net *kn = kcm_net(net);

	kcm_ledger_stop(kn);
	kcm_net_destroy_all(kn);
	kcm_tenants_free(kn);
	kcm_alarms_free(kn);
	xa_destroy(&kn->instances);
}

static struct pernet_operations kcm_net_ops = {
	.init	= kcm_net_init,
	.exit	= kcm_net_exit,
	.id	= &kcm_net_id,
	.size	= sizeof(struct kcm_net),
};

static int __init kcloud_meter_init(void)
{
	int err;

	err = kcm_kfunc_init();
	if (err) {
		pr_err("cannot register the BPF kfuncs (%d): refusing to load\n", err);
		return err;
	}
	err = register_pernet_subsys(&kcm_net_ops);
	if (err)
		return err;
	err = kcloud_meter_genl_init();
	if (err) {
		unregister_pernet_subsys(&kcm_net_ops);
		return err;
	}

	pr_info("version %s loaded\n", KCLOUD_METER_VERSION);
	return 0;
}

static void __exit kcloud_meter_exit(void)
{
	kcloud_meter_genl_exit();
	unregister_pernet_subsys(&kcm_net_ops);
	/* Instances are freed in RCU callbacks. */
	rcu_barrier();
}

module_init(kcloud_meter_init);
module_exit(kcloud_meter_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kcloud usage meter");
MODULE_VERSION(KCLOUD_METER_VERSION);
MODULE_ALIAS_GENL_FAMILY(KCLOUD_METER_GENL_NAME);
