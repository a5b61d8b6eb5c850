// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: the ledger. Once a second a work item closes the second that
 * just ended for every instance of the namespace: it reads the cumulative
 * counters (network: the kfunc's per-CPU counters; CPU and memory: the
 * instance's cgroup), stores the difference with the previous reading as a
 * 1 s sample, and folds it into the current minute's 60 s sample.
 *
 * CPU: 6.1 does not export cgroup_rstat_flush(), but the per-CPU base stats
 * that cpu.stat is made of (struct cgroup_rstat_cpu in <linux/cgroup-defs.h>)
 * are cumulative and only ever added to by the scheduler, so their sum over
 * the cgroup and its live descendants is the cgroup's usage without a flush.
 * user/system are split the way cpu.stat splits them (cputime_adjust()).
 * Throttling: struct task_group is private to the scheduler, so the CFS
 * bandwidth counters are read the way cpu.stat reads them: the cpu
 * controller's css_extra_stat_show() prints them into a small buffer.
 * Memory: the memory controller's page counter (memory.current).
 * Volumes: each closed second adds their provisioned sectors to their
 * sector-seconds, which their storage is billed by, and closes a 1 s sample
 * of their I/O (and a 60 s one with the instance's minute).
 */
#include <linux/cgroup.h>
#include <linux/math64.h>
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/netlink.h>

#include "meter.h"

static void kcm_ring_init(struct kcm_ring *r, u32 len, u32 res, u16 size, u16 seconds)
{
	r->len = len;
	r->res = res;
	r->size = size;
	r->seconds = seconds;
	r->per = PAGE_SIZE / size;
	r->newest = 0;
	r->chunks = NULL;
}

#define KCM_RING_INIT(r, len, res, type)					\
	kcm_ring_init(r, len, res, sizeof(type), offsetof(type, seconds))

static void kcm_ring_free(struct kcm_ring *r)
{
	u32 i, n = DIV_ROUND_UP(r->len, r->per);

	if (!r->chunks)
		return;
	for (i = 0; i < n; i++)
		free_page((unsigned long)r->chunks[i]);
	kfree(r->chunks);
	r->chunks = NULL;
}

static u32 *kcm_ring_seconds(const struct kcm_ring *r, void *slot)
{
	return slot + r->seconds;
}

static void *kcm_ring_slot(struct kcm_ring *r, u64 idx, bool alloc)
{
	u32 slot, chunk;

	div_u64_rem(idx, r->len, &slot);
	chunk = slot / r->per;
	if (!r->chunks) {
		if (!alloc)
			return NULL;
		r->chunks = kcalloc(DIV_ROUND_UP(r->len, r->per), sizeof(*r->chunks),
				    GFP_KERNEL_ACCOUNT);
		if (!r->chunks)
			return NULL;
	}
	if (!r->chunks[chunk]) {
		if (!alloc)
			return NULL;
		r->chunks[chunk] = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!r->chunks[chunk])
			return NULL;
	}
	return r->chunks[chunk] + (slot % r->per) * r->size;
}

static void kcm_ring_put(struct kcm_ring *r, u64 idx, const void *s)
{
	void *slot;
	u64 i;

	/* Slots skipped since the newest one hold no data. */
	if (r->newest && idx > r->newest) {
		for (i = r->newest + 1; i < idx && i <= r->newest + r->len; i++) {
			slot = kcm_ring_slot(r, i, false);
			if (slot)
				*kcm_ring_seconds(r, slot) = 0;
		}
	}
	slot = kcm_ring_slot(r, idx, true);
	if (!slot)
		return;	/* no memory: the sample reads as missing */
	memcpy(slot, s, r->size);
	if (idx > r->newest)
		r->newest = idx;
}

static void *kcm_ring_get(struct kcm_ring *r, u64 idx)
{
	void *s;

	if (!r->newest || idx > r->newest || idx + r->len <= r->newest)
		return NULL;
	s = kcm_ring_slot(r, idx, false);
	return s && *kcm_ring_seconds(r, s) ? s : NULL;
}

/* The cgroup's cumulative CPU time, split as cputime_adjust() splits it. */
static void kcm_read_cpu(struct kcm_instance *inst, struct kcm_snap *s,
			 const struct kcm_snap *prev)
{
	struct cgroup_subsys_state *pos;
	u64 rt = 0, ut = 0, st = 0, user, sys;
	int cpu;

	rcu_read_lock();
	css_for_each_descendant_pre(pos, &inst->cgrp->self) {
		struct cgroup *c = pos->cgroup;

		for_each_possible_cpu(cpu) {
			struct cgroup_rstat_cpu *rc = per_cpu_ptr(c->rstat_cpu, cpu);
			struct task_cputime t;
			unsigned int seq;

			do {
				seq = u64_stats_fetch_begin(&rc->bsync);
				t = rc->bstat.cputime;
			} while (u64_stats_fetch_retry(&rc->bsync, seq));
			rt += t.sum_exec_runtime;
			ut += t.utime;
			st += t.stime;
		}
	}
	rcu_read_unlock();

	/* A removed child cgroup takes its time with it: never go back. */
	if (prev && rt < prev->cpu_rt_ns) {
		s->cpu_rt_ns = prev->cpu_rt_ns;
		s->cpu_user_ns = prev->cpu_user_ns;
		s->cpu_system_ns = prev->cpu_system_ns;
		return;
	}
	s->cpu_rt_ns = rt;
	if (prev && prev->cpu_user_ns + prev->cpu_system_ns >= rt) {
		s->cpu_user_ns = prev->cpu_user_ns;
		s->cpu_system_ns = prev->cpu_system_ns;
		return;
	}
	if (!st)
		sys = 0;
	else if (!ut)
		sys = rt;
	else
		sys = mul_u64_u64_div_u64(st, rt, st + ut);
	if (prev && sys < prev->cpu_system_ns)
		sys = prev->cpu_system_ns;
	user = rt - sys;
	if (prev && user < prev->cpu_user_ns) {
		user = prev->cpu_user_ns;
		sys = rt - user;
	}
	s->cpu_user_ns = user;
	s->cpu_system_ns = sys;
}

/* cpu.stat's nr_throttled and throttled_usec, 0 without a cpu controller. */
static void kcm_read_throttle(struct kcm_instance *inst, struct kcm_snap *s)
{
#if IS_ENABLED(CONFIG_CGROUP_SCHED)
	struct cgroup_subsys_state *css;
	char buf[192];
	struct seq_file m = { .buf = buf, .size = sizeof(buf) };
	unsigned long long v;
	const char *p;

	rcu_read_lock();
	css = rcu_dereference(inst->cgrp->subsys[cpu_cgrp_id]);
	if (css && css->ss->css_extra_stat_show && css_tryget(css)) {
		css->ss->css_extra_stat_show(&m, css);
		css_put(css);
	}
	rcu_read_unlock();
	if (!m.count || m.count >= m.size)
		return;
	buf[m.count] = '\0';
	p = strstr(buf, "nr_throttled ");
	if (p && sscanf(p, "nr_throttled %llu", &v) == 1)
		s->nr_throttled = v;
	p = strstr(buf, "throttled_usec ");
	if (p && sscanf(p, "throttled_usec %llu", &v) == 1)
		s->throttled_us = v;
#endif
}

static u64 kcm_read_mem(struct kcm_instance *inst)
{
	struct mem_cgroup *memcg;

	if (!inst->mem_css)
		return 0;
	memcg = mem_cgroup_from_css(inst->mem_css);
	return (u64)page_counter_read(&memcg->memory) * PAGE_SIZE;
}

static void kcm_read(struct kcm_instance *inst, struct kcm_snap *s,
		     const struct kcm_snap *prev)
{
	kcm_instance_net_counters(inst, s);
	s->throttled_us = 0;
	s->nr_throttled = 0;
	if (inst->cgrp) {
		kcm_read_cpu(inst, s, prev);
		kcm_read_throttle(inst, s);
	} else {
		s->cpu_rt_ns = 0;
		s->cpu_user_ns = 0;
		s->cpu_system_ns = 0;
	}
}

/**
 * kcm_ledger_init() - set up the ledger of a new instance
 * @inst: the instance
 *
 * The rings take memory only as they fill.
 *
 * Return: 0.
 */
int kcm_ledger_init(struct kcm_instance *inst)
{
	struct kcm_ledger *l = &inst->ledger;

	KCM_RING_INIT(&l->r1, KCLOUD_METER_RING_1S, 1, struct kcm_sample);
	KCM_RING_INIT(&l->r60, KCLOUD_METER_RING_60S, 60, struct kcm_sample);
	return 0;
}

/**
 * kcm_ledger_rebase() - restart the cumulative readings (new cgroup)
 * @inst: the instance
 *
 * Context: kcm_net::lock held.
 */
void kcm_ledger_rebase(struct kcm_instance *inst)
{
	struct kcm_ledger *l = &inst->ledger;

	kcm_read(inst, &l->prev, NULL);
}

/**
 * kcm_ledger_free() - free the rings
 * @inst: the instance
 */
void kcm_ledger_free(struct kcm_instance *inst)
{
	kcm_ring_free(&inst->ledger.r1);
	kcm_ring_free(&inst->ledger.r60);
}

/**
 * kcm_volume_ledger_init() - set up the history of a new volume
 * @v: the volume
 *
 * The rings take memory only as they fill.
 */
void kcm_volume_ledger_init(struct kcm_volume *v)
{
	KCM_RING_INIT(&v->r1, KCLOUD_METER_RING_1S, 1, struct kcm_vsample);
	KCM_RING_INIT(&v->r60, KCLOUD_METER_RING_60S, 60, struct kcm_vsample);
}

/**
 * kcm_volume_ledger_free() - free a volume's rings
 * @v: the volume, which no one else can see
 */
void kcm_volume_ledger_free(struct kcm_volume *v)
{
	kcm_ring_free(&v->r1);
	kcm_ring_free(&v->r60);
}

/**
 * kcm_volume_sample() - one closed sample of a volume
 * @v: the volume
 * @res: 1 or 60
 * @idx: the sample's first second divided by @res
 *
 * Context: kcm_net::lock held.
 * Return: the sample, or NULL where there is no data.
 */
const struct kcm_vsample *kcm_volume_sample(struct kcm_volume *v, u32 res, u64 idx)
{
	return kcm_ring_get(res == 60 ? &v->r60 : &v->r1, idx);
}

static void kcm_vsample_add(struct kcm_vsample *sum, const struct kcm_vsample *s)
{
	int d;

	for (d = 0; d < 2; d++) {
		sum->ops[d] += s->ops[d];
		sum->kib[d] += s->kib[d];
	}
	sum->seconds += s->seconds;
}

/* Close a volume's second @t: as the instance's, @rollover its minute @mi. */
static void kcm_volume_close(struct kcm_volume *v, u64 t, u32 secs, bool rollover, u64 mi)
{
	struct kcm_vsample s = { .seconds = secs };
	u64 ops[2], bytes[2];
	int d;

	kcm_volume_counters(v, ops, bytes);
	for (d = 0; d < 2; d++) {
		s.ops[d] = ops[d] - v->prev_ops[d];
		s.kib[d] = (bytes[d] >> 10) - (v->prev_bytes[d] >> 10);
		v->prev_ops[d] = ops[d];
		v->prev_bytes[d] = bytes[d];
	}
	v->sector_sec += (v->size >> KCM_SECTOR_SHIFT) * secs;
	kcm_ring_put(&v->r1, t, &s);
	if (rollover) {
		if (v->minute.seconds)
			kcm_ring_put(&v->r60, mi, &v->minute);
		memset(&v->minute, 0, sizeof(v->minute));
	}
	kcm_vsample_add(&v->minute, &s);
}

static void kcm_sample_add(struct kcm_sample *sum, const struct kcm_sample *s)
{
	int d, c;

	sum->cpu_user_us += s->cpu_user_us;
	sum->cpu_system_us += s->cpu_system_us;
	sum->cpu_throttled_us += s->cpu_throttled_us;
	sum->nr_throttled += s->nr_throttled;
	sum->mem_peak = max(sum->mem_peak, s->mem_peak);
	sum->mem_byte_sec += s->mem_byte_sec;
	for (d = 0; d < KCM_NDIR; d++) {
		for (c = 0; c < KCM_NCLASS; c++) {
			sum->net_bytes[d][c] += s->net_bytes[d][c];
			sum->net_packets[d][c] += s->net_packets[d][c];
		}
	}
	for (d = 0; d < 2; d++) {
		sum->blk_ops[d] += s->blk_ops[d];
		sum->blk_kib[d] += s->blk_kib[d];
	}
	sum->seconds += s->seconds;
}

/* Close the sample that ends at second @now and covers @secs seconds. */
static void kcm_ledger_close(struct kcm_instance *inst, time64_t now, u32 secs)
{
	struct kcm_ledger *l = &inst->ledger;
	struct kcm_volumes *vols;
	struct kcm_sample s = {};
	struct kcm_snap cur;
	u64 t = now - 1, mi;
	bool rollover;
	int d, c;
	u32 i;

	kcm_read(inst, &cur, &l->prev);
	s.cpu_user_us = div_u64(cur.cpu_user_ns, NSEC_PER_USEC) -
			div_u64(l->prev.cpu_user_ns, NSEC_PER_USEC);
	s.cpu_system_us = div_u64(cur.cpu_system_ns, NSEC_PER_USEC) -
			  div_u64(l->prev.cpu_system_ns, NSEC_PER_USEC);
	/* A new cpu css (controller turned off and on) starts again from 0. */
	if (cur.throttled_us >= l->prev.throttled_us &&
	    cur.nr_throttled >= l->prev.nr_throttled) {
		s.cpu_throttled_us = cur.throttled_us - l->prev.throttled_us;
		s.nr_throttled = cur.nr_throttled - l->prev.nr_throttled;
	}
	l->mem_now = kcm_read_mem(inst);
	s.mem_peak = l->mem_now;
	s.mem_byte_sec = l->mem_now * secs;
	for (d = 0; d < KCM_NDIR; d++) {
		for (c = 0; c < KCM_NCLASS; c++) {
			s.net_bytes[d][c] = cur.net_bytes[d][c] - l->prev.net_bytes[d][c];
			s.net_packets[d][c] = cur.net_packets[d][c] - l->prev.net_packets[d][c];
		}
	}
	for (d = 0; d < 2; d++) {
		s.blk_ops[d] = cur.blk_ops[d] - l->prev.blk_ops[d];
		/* KiB closed so far minus KiB closed before: no rounding drift. */
		s.blk_kib[d] = (cur.blk_bytes[d] >> 10) - (l->prev.blk_bytes[d] >> 10);
	}
	s.seconds = secs;
	l->prev = cur;

	rollover = l->minute.seconds && div_u64(t, 60) != div_u64(l->minute_start, 60);
	mi = div_u64(l->minute_start, 60);
	vols = kcm_instance_vols(inst);
	for (i = 0; vols && i < vols->n; i++)
		kcm_volume_close(vols->v[i], t, secs, rollover, mi);

	kcm_ring_put(&l->r1, t, &s);
	if (rollover) {
		kcm_ring_put(&l->r60, mi, &l->minute);
		memset(&l->minute, 0, sizeof(l->minute));
	}
	if (!l->minute.seconds)
		l->minute_start = t;
	kcm_sample_add(&l->minute, &s);
	kcm_sample_add(&l->total, &s);
}

/**
 * kcm_ledger_import() - add usage carried from before a reload
 * @inst: the instance
 * @tot: the totals it had (CPU, memory byte-seconds and peak, seconds)
 * @net: the network counters it had
 *
 * The network counters are carried beside the per-CPU ones (and the last
 * reading moves with them, so that no 1 s sample sees them as traffic).
 *
 * Context: kcm_net::lock held.
 */
void kcm_ledger_import(struct kcm_instance *inst, const struct kcm_sample *tot,
		       const struct kcm_snap *net)
{
	struct kcm_ledger *l = &inst->ledger;
	int d, c;

	l->total.cpu_user_us += tot->cpu_user_us;
	l->total.cpu_system_us += tot->cpu_system_us;
	l->total.cpu_throttled_us += tot->cpu_throttled_us;
	l->total.nr_throttled += tot->nr_throttled;
	l->total.mem_byte_sec += tot->mem_byte_sec;
	l->total.mem_peak = max(l->total.mem_peak, tot->mem_peak);
	l->total.seconds += tot->seconds;
	for (d = 0; d < KCM_NDIR; d++) {
		for (c = 0; c < KCM_NCLASS; c++) {
			inst->carried.net_bytes[d][c] += net->net_bytes[d][c];
			inst->carried.net_packets[d][c] += net->net_packets[d][c];
			l->prev.net_bytes[d][c] += net->net_bytes[d][c];
			l->prev.net_packets[d][c] += net->net_packets[d][c];
		}
	}
	for (d = 0; d < 2; d++) {
		inst->carried.blk_ops[d] += net->blk_ops[d];
		inst->carried.blk_bytes[d] += net->blk_bytes[d];
		l->prev.blk_ops[d] += net->blk_ops[d];
		l->prev.blk_bytes[d] += net->blk_bytes[d];
	}
}

static struct kcm_ring *kcm_vring(struct kcm_volume *v, u32 res)
{
	return res == 60 ? &v->r60 : &v->r1;
}

/* Put or add a volume's imported 1 s sample to the closed minute @m. */
static int kcm_volume_import_minute(struct kcm_volume *v, u64 m, const struct kcm_vsample *s)
{
	struct kcm_vsample *slot = kcm_ring_get(&v->r60, m);

	if (slot) {
		kcm_vsample_add(slot, s);
		return 0;
	}
	kcm_ring_put(&v->r60, m, s);
	return kcm_ring_get(&v->r60, m) ? 0 : -ENOMEM;
}

/**
 * kcm_ledger_import_sample() - put back one sample of the history
 * @inst: the instance
 * @res: 1 or 60
 * @time: the sample's first second
 * @s: the sample (@s->seconds > 0)
 * @vs: its volumes' parts (volumes of @inst), @vs[i].s.seconds set
 * @nvs: how many
 * @extack: where to say why not
 *
 * The totals are not touched (they are imported on their own). A 1 s
 * sample of a minute that no imported 60 s sample covers is added to that
 * minute's 60 s sample too: the part of a minute before a reload and the
 * part after it make one minute. The volumes' samples go with it.
 *
 * Context: kcm_net::lock held.
 * Return: 0, -EINVAL (not a sample time), -ERANGE (not closed, or older
 * than the ring keeps), -EEXIST (the slot has a sample), -ENOMEM.
 */
int kcm_ledger_import_sample(struct kcm_instance *inst, u32 res, u64 time,
			     const struct kcm_sample *s, const struct kcm_vol_import *vs,
			     u32 nvs, struct netlink_ext_ack *extack)
{
	struct kcm_ledger *l = &inst->ledger;
	struct kcm_ring *r = res == 60 ? &l->r60 : &l->r1;
	u64 now = div_u64(ktime_get_real_seconds(), res), idx, m;
	struct kcm_volumes *vols;
	struct kcm_sample *slot;
	u32 rem, i;
	int err;

	idx = div_u64_rem(time, res, &rem);
	if (rem) {
		NL_SET_ERR_MSG_MOD(extack, "sample time is not a multiple of its resolution");
		return -EINVAL;
	}
	if (idx >= now) {
		NL_SET_ERR_MSG_MOD(extack, "sample not closed yet");
		return -ERANGE;
	}
	if (idx + r->len <= now || (r->newest && idx + r->len <= r->newest)) {
		NL_SET_ERR_MSG_MOD(extack, "sample older than the ledger keeps");
		return -ERANGE;
	}
	if (kcm_ring_get(r, idx)) {
		NL_SET_ERR_MSG_MOD(extack, "the ledger has a sample for this time");
		return -EEXIST;
	}
	for (i = 0; i < nvs; i++) {
		if (!kcm_ring_get(kcm_vring(vs[i].v, res), idx))
			continue;
		NL_SET_ERR_MSG_MOD(extack, "the ledger has a volume's sample for this time");
		return -EEXIST;
	}
	if (res == 1) {
		m = div_u64(idx, 60);
		if (l->imp60_last && m <= l->imp60_last) {
			/* Its minute came whole. */
		} else if (l->minute.seconds && m == div_u64(l->minute_start, 60)) {
			kcm_sample_add(&l->minute, s);
			for (i = 0; i < nvs; i++)
				kcm_vsample_add(&vs[i].v->minute, &vs[i].s);
		} else if (m < div_u64(now, 60)) {
			slot = kcm_ring_get(&l->r60, m);
			if (slot) {
				kcm_sample_add(slot, s);
			} else {
				kcm_ring_put(&l->r60, m, s);
				if (!kcm_ring_get(&l->r60, m))
					return -ENOMEM;
			}
			for (i = 0; i < nvs; i++) {
				err = kcm_volume_import_minute(vs[i].v, m, &vs[i].s);
				if (err)
					return err;
			}
		} else {
			/* The minute being filled, before its first tick here. */
			vols = kcm_instance_vols(inst);
			for (i = 0; vols && i < vols->n; i++) {
				struct kcm_volume *v = vols->v[i];

				if (l->minute.seconds && v->minute.seconds)
					kcm_ring_put(&v->r60, div_u64(l->minute_start, 60),
						     &v->minute);
				memset(&v->minute, 0, sizeof(v->minute));
			}
			if (l->minute.seconds)
				kcm_ring_put(&l->r60, div_u64(l->minute_start, 60), &l->minute);
			l->minute = *s;
			l->minute_start = idx;
			for (i = 0; i < nvs; i++)
				vs[i].v->minute = vs[i].s;
		}
	}
	kcm_ring_put(r, idx, s);
	if (!kcm_ring_get(r, idx))
		return -ENOMEM;
	for (i = 0; i < nvs; i++) {
		kcm_ring_put(kcm_vring(vs[i].v, res), idx, &vs[i].s);
		if (!kcm_ring_get(kcm_vring(vs[i].v, res), idx))
			return -ENOMEM;
	}
	if (res == 60)
		l->imp60_last = max(l->imp60_last, idx);
	return 0;
}

/**
 * kcm_ledger_sample() - one closed sample
 * @inst: the instance
 * @res: 1 or 60
 * @idx: the sample's first second divided by @res
 *
 * Context: kcm_net::lock held.
 * Return: the sample, or NULL where there is no data.
 */
const struct kcm_sample *kcm_ledger_sample(struct kcm_instance *inst, u32 res, u64 idx)
{
	return kcm_ring_get(res == 60 ? &inst->ledger.r60 : &inst->ledger.r1, idx);
}

/**
 * kcm_ledger_totals() - the usage since registration, closed seconds only
 * @inst: the instance
 * @s: where to put it
 *
 * Context: kcm_net::lock held.
 */
void kcm_ledger_totals(struct kcm_instance *inst, struct kcm_sample *s)
{
	*s = inst->ledger.total;
}

static unsigned long kcm_delay_to_next_second(void)
{
	struct timespec64 ts;

	ktime_get_real_ts64(&ts);
	/* A few ms past the boundary, so that the second has really ended. */
	return nsecs_to_jiffies(NSEC_PER_SEC - ts.tv_nsec) + msecs_to_jiffies(5);
}

static void kcm_tick(struct work_struct *work)
{
	struct kcm_net *kn = container_of(to_delayed_work(work), struct kcm_net, tick);
	time64_t now = ktime_get_real_seconds();
	struct kcm_instance *inst;
	unsigned long id;
	u32 secs;

	mutex_lock(&kn->lock);
	if (now > kn->last_tick) {
		secs = min_t(time64_t, now - kn->last_tick, U32_MAX);
		xa_for_each(&kn->instances, id, inst) {
			kcm_ledger_close(inst, now,
					 clamp_t(time64_t, now - inst->start, 1, secs));
			cond_resched();
		}
		kcm_alarms_eval(kn, kn->last_tick, now);
		kn->last_tick = now;
	}
	mutex_unlock(&kn->lock);
	queue_delayed_work(system_unbound_wq, &kn->tick, kcm_delay_to_next_second());
}

/**
 * kcm_ledger_start() - start a namespace's per-second work
 * @kn: the namespace's meter state
 */
void kcm_ledger_start(struct kcm_net *kn)
{
	kn->last_tick = ktime_get_real_seconds();
	INIT_DELAYED_WORK(&kn->tick, kcm_tick);
	queue_delayed_work(system_unbound_wq, &kn->tick, kcm_delay_to_next_second());
}

/**
 * kcm_ledger_stop() - stop a namespace's per-second work, and wait for it
 * @kn: the namespace's meter state
 */
void kcm_ledger_stop(struct kcm_net *kn)
{
	cancel_delayed_work_sync(&kn->tick);
}
