// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: instances, their cgroup, and the global handles that BPF
 * programs charge.
 *
 * Instances are found by id (an xarray) and by name (a hash table) in their
 * namespace, under kcm_net::lock. The data path finds them by handle in a
 * global xarray under RCU only; an instance is freed after a grace period.
 */
#include <linux/cgroup.h>
#include <linux/jhash.h>
#include <linux/memcontrol.h>
#include <linux/nsproxy.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/netlink.h>

#include "meter.h"

static DEFINE_XARRAY_ALLOC1(kcm_handles);

static u32 kcm_name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

/**
 * kcm_instance_alloc() - allocate an instance that is not yet visible
 * @kn: the namespace's meter state
 * @id: the instance id
 *
 * Return: the instance, or NULL on allocation failure.
 */
struct kcm_instance *kcm_instance_alloc(struct kcm_net *kn, u32 id)
{
	struct kcm_instance *inst;
	int cpu;

	inst = kzalloc(sizeof(*inst), GFP_KERNEL_ACCOUNT);
	if (!inst)
		return NULL;
	inst->pcpu = alloc_percpu_gfp(struct kcm_pcpu, GFP_KERNEL_ACCOUNT);
	if (!inst->pcpu) {
		kfree(inst);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(inst->pcpu, cpu)->syncp);
	inst->kn = kn;
	inst->id = id;
	inst->vcpus = 1;
	inst->start = ktime_get_real_seconds();
	INIT_HLIST_NODE(&inst->name_node);
	if (kcm_ledger_init(inst)) {
		free_percpu(inst->pcpu);
		kfree(inst);
		return NULL;
	}
	return inst;
}

/**
 * kcm_instance_set_name() - name or rename an instance
 * @inst: the instance
 * @name: its new name, NUL-terminated and short enough (checked by policy)
 * @extack: where to say why not
 *
 * Context: kcm_net::lock held.
 * Return: 0, or -EEXIST when another instance has the name.
 */
int kcm_instance_set_name(struct kcm_instance *inst, const char *name,
			  struct netlink_ext_ack *extack)
{
	struct kcm_instance *other = kcm_instance_find_name(inst->kn, name);

	if (other == inst)
		return 0;
	if (other) {
		NL_SET_ERR_MSG_MOD(extack, "an instance with this name exists");
		return -EEXIST;
	}
	if (!hlist_unhashed(&inst->name_node))
		hash_del(&inst->name_node);
	strscpy(inst->name, name, sizeof(inst->name));
	hash_add(inst->kn->names, &inst->name_node, kcm_name_hash(inst->name));
	return 0;
}

static void kcm_instance_put_cgroup(struct kcm_instance *inst)
{
	if (inst->mem_css)
		css_put(inst->mem_css);
	if (inst->cgrp)
		cgroup_put(inst->cgrp);
	kfree(inst->cgroup_path);
	inst->mem_css = NULL;
	inst->cgrp = NULL;
	inst->cgroup_path = NULL;
}

/**
 * kcm_instance_set_cgroup() - bind an instance to a cgroup v2
 * @inst: the instance
 * @path: a path from the root of the hierarchy, or NULL
 * @cgid: a cgroup id, used when @path is NULL
 * @extack: where to say why not
 *
 * Takes a reference on the cgroup (and on its memory controller state when
 * the controller is enabled for it) and drops the old ones.
 *
 * Context: kcm_net::lock held, process context.
 * Return: 0 or a negative errno.
 */
int kcm_instance_set_cgroup(struct kcm_instance *inst, const char *path, u64 cgid,
			    struct netlink_ext_ack *extack)
{
	struct cgroup_subsys_state *css;
	struct cgroup *cgrp;
	char *buf;
	int len;

	cgrp = path ? cgroup_get_from_path(path) : cgroup_get_from_id(cgid);
	if (IS_ERR(cgrp)) {
		if (path)
			NL_SET_ERR_MSG_MOD(extack, "no cgroup v2 at this path");
		else
			NL_SET_ERR_MSG_MOD(extack, "no cgroup v2 with this id");
		return PTR_ERR(cgrp);
	}

	buf = kmalloc(KCLOUD_METER_PATH_MAX, GFP_KERNEL);
	if (!buf) {
		cgroup_put(cgrp);
		return -ENOMEM;
	}
	/* As cgroup_get_from_path(), relative to the caller's cgroup namespace. */
	len = cgroup_path_ns(cgrp, buf, KCLOUD_METER_PATH_MAX, current->nsproxy->cgroup_ns);
	if (len < 0 || len >= KCLOUD_METER_PATH_MAX) {
		kfree(buf);
		cgroup_put(cgrp);
		NL_SET_ERR_MSG_MOD(extack, "cgroup path too long");
		return -ENAMETOOLONG;
	}

	/* Memory is read only where the controller is enabled for the cgroup. */
	css = cgroup_get_e_css(cgrp, &memory_cgrp_subsys);
	if (css && css->cgroup != cgrp) {
		css_put(css);
		css = NULL;
	}

	kcm_instance_put_cgroup(inst);
	inst->cgrp = cgrp;
	inst->mem_css = css;
	inst->cgroup_path = buf;
	kcm_ledger_rebase(inst);
	return 0;
}

/**
 * kcm_instance_publish() - make a new instance visible
 * @inst: an instance from kcm_instance_alloc(), named
 * @extack: where to say why not
 *
 * Context: kcm_net::lock held.
 * Return: 0, or a negative errno (the caller then destroys @inst).
 */
int kcm_instance_publish(struct kcm_instance *inst, struct netlink_ext_ack *extack)
{
	struct kcm_net *kn = inst->kn;
	int err;

	if (kn->count >= KCLOUD_METER_INSTANCES_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "too many instances in this namespace");
		return -ENOSPC;
	}
	err = xa_insert(&kn->instances, inst->id, inst, GFP_KERNEL_ACCOUNT);
	if (err) {
		if (err == -EBUSY) {
			NL_SET_ERR_MSG_MOD(extack, "an instance with this id exists");
			err = -EEXIST;
		}
		return err;
	}
	err = xa_alloc(&kcm_handles, &inst->handle, inst, xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (err) {
		xa_erase(&kn->instances, inst->id);
		NL_SET_ERR_MSG_MOD(extack, "no free data path handle");
		return err;
	}
	kn->count++;
	return 0;
}

/**
 * kcm_volume_alloc() - a new volume, not yet in any list
 * @name: its name
 *
 * Return: the volume, or NULL when out of memory.
 */
struct kcm_volume *kcm_volume_alloc(const char *name)
{
	struct kcm_volume *v;
	int cpu;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return NULL;
	v->pcpu = alloc_percpu_gfp(struct kcm_vol_pcpu, GFP_KERNEL_ACCOUNT);
	if (!v->pcpu) {
		kfree(v);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(v->pcpu, cpu)->syncp);
	strscpy(v->name, name, sizeof(v->name));
	kcm_volume_ledger_init(v);
	return v;
}

/**
 * kcm_volume_free() - free a volume no reader can see
 * @v: the volume
 */
void kcm_volume_free(struct kcm_volume *v)
{
	kcm_volume_ledger_free(v);
	free_percpu(v->pcpu);
	kfree(v);
}

static void kcm_volume_free_rcu(struct rcu_head *head)
{
	kcm_volume_free(container_of(head, struct kcm_volume, rcu));
}

/**
 * kcm_volumes_alloc() - an empty volume list with room for @n volumes
 * @n: at most KCLOUD_METER_VOLUMES_MAX
 *
 * Return: the list (n 0), or NULL when out of memory.
 */
struct kcm_volumes *kcm_volumes_alloc(u32 n)
{
	return kzalloc(struct_size_t(struct kcm_volumes, v, n), GFP_KERNEL_ACCOUNT);
}

/**
 * kcm_volumes_free() - free a list and its volumes now
 * @vols: a list no reader can see (never published, or after a grace
 *	  period), or NULL
 */
void kcm_volumes_free(struct kcm_volumes *vols)
{
	u32 i;

	if (!vols)
		return;
	for (i = 0; i < vols->n; i++)
		kcm_volume_free(vols->v[i]);
	kfree(vols);
}

/**
 * kcm_instance_vols() - an instance's volume list
 * @inst: the instance
 *
 * Context: kcm_net::lock held.
 * Return: the list, or NULL when it has none.
 */
struct kcm_volumes *kcm_instance_vols(struct kcm_instance *inst)
{
	return rcu_dereference_protected(inst->vols, lockdep_is_held(&inst->kn->lock));
}

/**
 * kcm_instance_set_volumes() - replace an instance's volume list
 * @inst: the instance
 * @vols: the new list (it may hold volumes of the old one), or NULL
 *
 * Volumes of the old list that are not in the new one go after a grace
 * period; what they were billed for stays with the instance.
 *
 * Context: kcm_net::lock held.
 */
void kcm_instance_set_volumes(struct kcm_instance *inst, struct kcm_volumes *vols)
{
	struct kcm_volumes *old = kcm_instance_vols(inst);
	u32 i, j;

	rcu_assign_pointer(inst->vols, vols);
	if (!old)
		return;
	for (i = 0; i < old->n; i++) {
		struct kcm_volume *v = old->v[i];

		for (j = 0; vols && j < vols->n; j++)
			if (vols->v[j] == v)
				break;
		if (vols && j < vols->n)
			continue;
		inst->vol_gone_sector_sec += v->sector_sec;
		call_rcu(&v->rcu, kcm_volume_free_rcu);
	}
	kfree_rcu(old, rcu);
}

/**
 * kcm_volume_counters() - a volume's block counters, imported ones included
 * @v: the volume
 * @ops: requests read and written
 * @bytes: bytes read and written
 */
void kcm_volume_counters(struct kcm_volume *v, u64 ops[2], u64 bytes[2])
{
	int cpu, i;

	for (i = 0; i < 2; i++) {
		ops[i] = v->carried_ops[i];
		bytes[i] = v->carried_bytes[i];
	}
	for_each_possible_cpu(cpu) {
		struct kcm_vol_pcpu *p = per_cpu_ptr(v->pcpu, cpu);
		u64 o[2], b[2];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < 2; i++) {
				o[i] = u64_stats_read(&p->ops[i]);
				b[i] = u64_stats_read(&p->bytes[i]);
			}
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < 2; i++) {
			ops[i] += o[i];
			bytes[i] += b[i];
		}
	}
}

static void kcm_instance_free_rcu(struct rcu_head *head)
{
	struct kcm_instance *inst = container_of(head, struct kcm_instance, rcu);

	kcm_volumes_free(rcu_dereference_protected(inst->vols, 1));
	free_percpu(inst->pcpu);
	kfree(inst);
}

/**
 * kcm_instance_destroy() - unlink an instance and free it after a grace period
 * @inst: the instance, published or not
 *
 * Context: kcm_net::lock held.
 */
void kcm_instance_destroy(struct kcm_instance *inst)
{
	struct kcm_net *kn = inst->kn;

	if (inst->handle) {
		xa_erase(&kcm_handles, inst->handle);
		xa_erase(&kn->instances, inst->id);
		kn->count--;
	}
	if (!hlist_unhashed(&inst->name_node))
		hash_del(&inst->name_node);
	kcm_instance_put_cgroup(inst);
	kcm_ledger_free(inst);
	/* BPF programs may still be charging it: they run under RCU. */
	call_rcu(&inst->rcu, kcm_instance_free_rcu);
}

/**
 * kcm_instance_find() - find an instance by id
 * @kn: the namespace's meter state
 * @id: the id
 *
 * Context: kcm_net::lock held.
 * Return: the instance or NULL.
 */
struct kcm_instance *kcm_instance_find(struct kcm_net *kn, u32 id)
{
	return xa_load(&kn->instances, id);
}

/**
 * kcm_instance_find_name() - find an instance by name
 * @kn: the namespace's meter state
 * @name: the name
 *
 * Context: kcm_net::lock held.
 * Return: the instance or NULL.
 */
struct kcm_instance *kcm_instance_find_name(struct kcm_net *kn, const char *name)
{
	struct kcm_instance *inst;

	hash_for_each_possible(kn->names, inst, name_node, kcm_name_hash(name))
		if (!strcmp(inst->name, name))
			return inst;
	return NULL;
}

/**
 * kcm_instance_by_handle() - the data path's lookup
 * @handle: a handle from KCLOUD_METER_A_INST_HANDLE
 *
 * Context: RCU read side (BPF programs run in one).
 * Return: the instance or NULL.
 */
struct kcm_instance *kcm_instance_by_handle(u32 handle)
{
	return xa_load(&kcm_handles, handle);
}

/**
 * kcm_instance_net_counters() - sum the per-CPU network and block counters
 * @inst: the instance
 * @s: where to put them (net_* and blk_*), imported ones included
 */
void kcm_instance_net_counters(struct kcm_instance *inst, struct kcm_snap *s)
{
	int cpu, d, c, i;

	memcpy(s->net_bytes, inst->carried.net_bytes, sizeof(s->net_bytes));
	memcpy(s->net_packets, inst->carried.net_packets, sizeof(s->net_packets));
	memcpy(s->blk_ops, inst->carried.blk_ops, sizeof(s->blk_ops));
	memcpy(s->blk_bytes, inst->carried.blk_bytes, sizeof(s->blk_bytes));
	for_each_possible_cpu(cpu) {
		struct kcm_pcpu *p = per_cpu_ptr(inst->pcpu, cpu);
		u64 bytes[KCM_NDIR][KCM_NCLASS], packets[KCM_NDIR][KCM_NCLASS];
		u64 bops[2], bbytes[2];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (d = 0; d < KCM_NDIR; d++) {
				for (c = 0; c < KCM_NCLASS; c++) {
					bytes[d][c] = u64_stats_read(&p->bytes[d][c]);
					packets[d][c] = u64_stats_read(&p->packets[d][c]);
				}
			}
			for (i = 0; i < 2; i++) {
				bops[i] = u64_stats_read(&p->blk_ops[i]);
				bbytes[i] = u64_stats_read(&p->blk_bytes[i]);
			}
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (d = 0; d < KCM_NDIR; d++) {
			for (c = 0; c < KCM_NCLASS; c++) {
				s->net_bytes[d][c] += bytes[d][c];
				s->net_packets[d][c] += packets[d][c];
			}
		}
		for (i = 0; i < 2; i++) {
			s->blk_ops[i] += bops[i];
			s->blk_bytes[i] += bbytes[i];
		}
	}
}

/**
 * kcm_net_destroy_all() - forget every instance of a namespace
 * @kn: the namespace's meter state
 */
void kcm_net_destroy_all(struct kcm_net *kn)
{
	struct kcm_instance *inst;
	unsigned long id;

	mutex_lock(&kn->lock);
	xa_for_each(&kn->instances, id, inst)
		kcm_instance_destroy(inst);
	mutex_unlock(&kn->lock);
}
