// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: the kfuncs that BPF programs call to charge usage.
 *
 * Module kfuncs need the module's BTF and a kfunc id set resolved against
 * it at build time (resolve_btfids). Without them registration "succeeds"
 * with a warning and programs calling the kfunc fail to load, so the meter
 * would count nothing in silence: kcm_kfunc_init() refuses that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/module.h>
#include <linux/percpu.h>

#include "meter.h"

/**
 * kcloud_meter_charge_net() - charge one packet to an instance
 * @handle: the instance's handle (KCLOUD_METER_A_INST_HANDLE)
 * @dir: enum kcloud_meter_dir
 * @class: enum kcloud_meter_class
 * @bytes: the packet's length
 *
 * Context: a BPF program, under RCU, migration disabled.
 * Return: 0, -ENOENT for an unknown handle, -EINVAL for a bad @dir or @class.
 */
int kcloud_meter_charge_net(u32 handle, u32 dir, u32 class, u32 bytes)
{
	struct kcm_instance *inst;
	struct kcm_pcpu *p;

	inst = kcm_instance_by_handle(handle);
	if (!inst)
		return -ENOENT;
	if (dir >= KCM_NDIR || class >= KCM_NCLASS) {
		atomic64_inc(&inst->net_refused);
		return -EINVAL;
	}
	p = get_cpu_ptr(inst->pcpu);
	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->bytes[dir][class], bytes);
	u64_stats_inc(&p->packets[dir][class]);
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(inst->pcpu);
	return 0;
}

/**
 * kcloud_meter_charge_blk() - charge one completed block request
 * @handle: the instance's handle (KCLOUD_METER_A_INST_HANDLE)
 * @dev: the request's device, major << 20 | minor
 * @write: 0 for a read, 1 for a write
 * @bytes: the bytes it transferred
 *
 * Charged to the instance, and to its volume on @dev when it has one (a
 * short walk of at most KCLOUD_METER_VOLUMES_MAX entries).
 *
 * Context: a BPF program (tp_btf/block_rq_complete), under RCU, migration
 * disabled.
 * Return: 0, -ENOENT for an unknown handle, -EINVAL for a bad @write.
 */
int kcloud_meter_charge_blk(u32 handle, u32 dev, u32 write, u32 bytes)
{
	struct kcm_instance *inst;
	struct kcm_volumes *vols;
	struct kcm_vol_pcpu *vp;
	struct kcm_pcpu *p;
	u32 i;

	inst = kcm_instance_by_handle(handle);
	if (!inst)
		return -ENOENT;
	if (write > 1)
		return -EINVAL;
	p = get_cpu_ptr(inst->pcpu);
	u64_stats_update_begin(&p->syncp);
	u64_stats_inc(&p->blk_ops[write]);
	u64_stats_add(&p->blk_bytes[write], bytes);
	u64_stats_update_end(&p->syncp);
	vols = rcu_dereference(inst->vols);
	for (i = 0; dev && vols && i < vols->n; i++) {
		if (READ_ONCE(vols->v[i]->dev) != dev)
			continue;
		vp = this_cpu_ptr(vols->v[i]->pcpu);
		u64_stats_update_begin(&vp->syncp);
		u64_stats_inc(&vp->ops[write]);
		u64_stats_add(&vp->bytes[write], bytes);
		u64_stats_update_end(&vp->syncp);
		break;
	}
	put_cpu_ptr(inst->pcpu);
	return 0;
}

BTF_SET8_START(kcm_kfunc_ids)
BTF_ID_FLAGS(func, kcloud_meter_charge_blk)
BTF_ID_FLAGS(func, kcloud_meter_charge_net)
BTF_SET8_END(kcm_kfunc_ids)

static const struct btf_kfunc_id_set kcm_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &kcm_kfunc_ids,
};

/**
 * kcm_kfunc_init() - check the module's BTF and register the kfuncs
 *
 * Return: 0, or -ENOENT (with a log line saying what is missing) when the
 * kfuncs could not work.
 */
int kcm_kfunc_init(void)
{
	int err;
	u32 i;

	if (!IS_ENABLED(CONFIG_DEBUG_INFO_BTF_MODULES) || !THIS_MODULE->btf_data_size) {
		pr_err("module has no BTF (.BTF section): its kfuncs would not exist; rebuild with scripts/module-btf.sh\n");
		return -ENOENT;
	}
	if (!kcm_kfunc_ids.cnt) {
		pr_err("kfunc id set not resolved (resolve_btfids did not run on the module)\n");
		return -ENOENT;
	}
	for (i = 0; i < kcm_kfunc_ids.cnt; i++) {
		if (!kcm_kfunc_ids.pairs[i].id) {
			pr_err("kfunc %u has no BTF id (resolve_btfids did not find it)\n", i);
			return -ENOENT;
		}
	}
	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_SCHED_CLS, &kcm_kfunc_set);
	if (!err)
		err = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &kcm_kfunc_set);
	return err;
}
