// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: billing. Prices per namespace, per-second billing with a
 * minimum of KCLOUD_METER_BILL_MIN_SEC per instance start (EC2's rule for
 * Linux instances), exact integer amounts in nano-dollars, and per-tenant
 * totals that keep what deleted instances were billed.
 */
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "meter.h"

#define KCM_GIB		BIT_ULL(30)
#define KCM_GB		1000000000ULL
#define KCM_MIO		1000000ULL
/* A GB-month in sector-seconds: 1e9 / 512 * 2592000, an exact integer. */
#define KCM_GB_MONTH_SECTOR_SEC	(KCM_GB * KCLOUD_METER_MONTH_SEC >> KCM_SECTOR_SHIFT)

/*
 * a * b / d, truncated, in 128 bits; saturates at U64_MAX rather than wrap
 * (or fault: x86's divq traps when the quotient does not fit).
 */
static u64 kcm_muldiv(u64 a, u64 b, u64 d)
{
	if (mul_u64_u64_shr(a, b, 64) >= d)
		return U64_MAX;
	return mul_u64_u64_div_u64(a, b, d);
}

static u64 kcm_mul(u64 a, u64 b)
{
	u64 r;

	return check_mul_overflow(a, b, &r) ? U64_MAX : r;
}

static u64 kcm_add(u64 a, u64 b)
{
	u64 r;

	return check_add_overflow(a, b, &r) ? U64_MAX : r;
}

/**
 * kcm_bill_compute() - what an instance owes so far
 * @inst: the instance
 * @b: the bill
 *
 * Each product is computed in 128 bits and truncated once to whole
 * nano-dollars, so the same usage always gives the same amount. Compute and
 * memory are billed at least KCLOUD_METER_BILL_MIN_SEC; volumes the
 * seconds they were provisioned; I/Os by the million.
 *
 * Context: kcm_net::lock held.
 */
void kcm_bill_compute(struct kcm_instance *inst, struct kcm_bill *b)
{
	const struct kcm_prices *p = &inst->kn->prices;
	struct kcm_volumes *vols = kcm_instance_vols(inst);
	u64 sector_sec = inst->vol_gone_sector_sec;
	struct kcm_snap net;
	int d, c;
	u32 i;

	b->seconds = max_t(u64, inst->ledger.total.seconds, KCLOUD_METER_BILL_MIN_SEC);
	b->compute = kcm_mul(kcm_mul(b->seconds, inst->vcpus), p->vcpu_sec);
	b->memory = kcm_muldiv(inst->memory, kcm_mul(b->seconds, p->gib_sec), KCM_GIB);
	kcm_instance_net_counters(inst, &net);
	b->net = 0;
	for (d = 0; d < KCM_NDIR; d++)
		for (c = 0; c < KCM_NCLASS; c++)
			b->net = kcm_add(b->net, kcm_muldiv(net.net_bytes[d][c],
							    p->net_gb[d][c], KCM_GB));
	for (i = 0; vols && i < vols->n; i++)
		sector_sec = kcm_add(sector_sec, vols->v[i]->sector_sec);
	b->volume = kcm_muldiv(sector_sec, p->vol_gb_month, KCM_GB_MONTH_SECTOR_SEC);
	b->io = kcm_muldiv(kcm_add(net.blk_ops[0], net.blk_ops[1]), p->mio, KCM_MIO);
	b->total = kcm_add(kcm_add(kcm_add(b->compute, b->memory), b->net),
			   kcm_add(b->volume, b->io));
}

/**
 * kcm_tenant_get() - find a tenant, making it if needed
 * @kn: the namespace's meter state
 * @name: the tenant's name ("" is a tenant too)
 *
 * Tenants are made when an instance is given one, so that deleting the
 * instance later cannot fail for want of memory.
 *
 * Context: kcm_net::lock held.
 * Return: the tenant, or NULL when out of memory.
 */
struct kcm_tenant *kcm_tenant_get(struct kcm_net *kn, const char *name)
{
	struct kcm_tenant *t;

	list_for_each_entry(t, &kn->tenants, node)
		if (!strcmp(t->name, name))
			return t;
	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return NULL;
	strscpy(t->name, name, sizeof(t->name));
	list_add_tail(&t->node, &kn->tenants);
	return t;
}

/**
 * kcm_bill_close() - an instance goes: its bill is final
 * @inst: the instance
 *
 * Adds the instance's bill to its tenant's closed amount.
 *
 * Context: kcm_net::lock held.
 */
void kcm_bill_close(struct kcm_instance *inst)
{
	struct kcm_bill b;

	if (!inst->tenant_ref)
		return;
	kcm_bill_compute(inst, &b);
	inst->tenant_ref->closed = kcm_add(inst->tenant_ref->closed, b.total);
}

/**
 * kcm_tenant_total() - what a tenant owes: its live instances and closed
 * @kn: the namespace's meter state
 * @t: the tenant
 *
 * Context: kcm_net::lock held.
 * Return: nano-dollars.
 */
u64 kcm_tenant_total(struct kcm_net *kn, struct kcm_tenant *t)
{
	struct kcm_instance *inst;
	struct kcm_bill b;
	unsigned long id;
	u64 total = t->closed;

	xa_for_each(&kn->instances, id, inst) {
		if (inst->tenant_ref != t)
			continue;
		kcm_bill_compute(inst, &b);
		total = kcm_add(total, b.total);
	}
	return total;
}

/**
 * kcm_tenants_free() - forget every tenant of a namespace
 * @kn: the namespace's meter state
 */
void kcm_tenants_free(struct kcm_net *kn)
{
	struct kcm_tenant *t, *tmp;

	list_for_each_entry_safe(t, tmp, &kn->tenants, node) {
		list_del(&t->node);
		kfree(t);
	}
}
