// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: alarms, evaluated as CloudWatch evaluates them: one
 * datapoint per period (a statistic of the instance's 1 s samples), M of
 * the last N datapoints breaching puts the alarm in ALARM, and a treatment
 * for datapoints without data. Evaluated by the ledger's per-second work,
 * right after it closed the second.
 */
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "meter.h"

/**
 * kcm_alarm_period_ok() - whether @period is one an alarm may have
 * @period: seconds
 *
 * Return: true for 1, 5, 10, 30 and multiples of 60 up to 3600.
 */
bool kcm_alarm_period_ok(u32 period)
{
	return period == 1 || period == 5 || period == 10 || period == 30 ||
	       (period && period <= 3600 && !(period % 60));
}

/**
 * kcm_alarm_find() - an alarm by id
 * @kn: the namespace's meter state
 * @id: the alarm's id
 *
 * Context: kcm_net::lock held.
 * Return: the alarm or NULL.
 */
struct kcm_alarm *kcm_alarm_find(struct kcm_net *kn, u32 id)
{
	struct kcm_alarm *a;

	list_for_each_entry(a, &kn->alarms, node)
		if (a->id == id)
			return a;
	return NULL;
}

/**
 * kcm_alarm_find_name() - an alarm by name
 * @kn: the namespace's meter state
 * @name: the alarm's name
 *
 * Context: kcm_net::lock held.
 * Return: the alarm or NULL.
 */
struct kcm_alarm *kcm_alarm_find_name(struct kcm_net *kn, const char *name)
{
	struct kcm_alarm *a;

	list_for_each_entry(a, &kn->alarms, node)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

static bool kcm_metric_value(const struct kcm_instance *inst, const struct kcm_sample *s,
			     u8 metric, u64 *v)
{
	int c;

	*v = 0;
	switch (metric) {
	case KCLOUD_METER_METRIC_CPU_US:
		if (!inst->cgrp)
			return false;
		*v = s->cpu_user_us + s->cpu_system_us;
		return true;
	case KCLOUD_METER_METRIC_MEM_BYTES:
		if (!inst->mem_css)
			return false;
		*v = div_u64(s->mem_byte_sec, s->seconds);
		return true;
	case KCLOUD_METER_METRIC_NET_IN_BYTES:
		for (c = 0; c < KCM_NCLASS; c++)
			*v += s->net_bytes[KCLOUD_METER_DIR_IN][c];
		return true;
	case KCLOUD_METER_METRIC_NET_OUT_BYTES:
		for (c = 0; c < KCM_NCLASS; c++)
			*v += s->net_bytes[KCLOUD_METER_DIR_OUT][c];
		return true;
	case KCLOUD_METER_METRIC_NET_IN_PACKETS:
		for (c = 0; c < KCM_NCLASS; c++)
			*v += s->net_packets[KCLOUD_METER_DIR_IN][c];
		return true;
	case KCLOUD_METER_METRIC_NET_OUT_PACKETS:
		for (c = 0; c < KCM_NCLASS; c++)
			*v += s->net_packets[KCLOUD_METER_DIR_OUT][c];
		return true;
	case KCLOUD_METER_METRIC_CPU_THROTTLED_US:
		if (!inst->cgrp)
			return false;
		*v = s->cpu_throttled_us;
		return true;
	case KCLOUD_METER_METRIC_BLK_READ_BYTES:
		*v = (u64)s->blk_kib[0] << 10;
		return true;
	case KCLOUD_METER_METRIC_BLK_WRITE_BYTES:
		*v = (u64)s->blk_kib[1] << 10;
		return true;
	case KCLOUD_METER_METRIC_BLK_OPS:
		*v = (u64)s->blk_ops[0] + s->blk_ops[1];
		return true;
	}
	return false;
}

/* The datapoint of the period [first, first + period): false without data. */
static bool kcm_alarm_datapoint(struct kcm_net *kn, struct kcm_alarm *a, u64 first, u64 *out)
{
	struct kcm_instance *inst = kcm_instance_find(kn, a->inst_id);
	u64 t, v, sum = 0, min = U64_MAX, max = 0, n = 0;

	if (!inst)
		return false;
	for (t = first; t < first + a->period; t++) {
		const struct kcm_sample *s = kcm_ledger_sample(inst, 1, t);

		if (!s || !kcm_metric_value(inst, s, a->metric, &v))
			continue;
		sum += v;
		min = min(min, v);
		max = max(max, v);
		n++;
	}
	if (!n)
		return false;
	switch (a->stat) {
	case KCLOUD_METER_STAT_AVG:
		*out = div64_u64(sum, n);
		break;
	case KCLOUD_METER_STAT_SUM:
		*out = sum;
		break;
	case KCLOUD_METER_STAT_MIN:
		*out = min;
		break;
	default:
		*out = max;
		break;
	}
	return true;
}

static bool kcm_alarm_breaches(const struct kcm_alarm *a, u64 v)
{
	switch (a->cmp) {
	case KCLOUD_METER_CMP_GT:
		return v > a->threshold;
	case KCLOUD_METER_CMP_GE:
		return v >= a->threshold;
	case KCLOUD_METER_CMP_LT:
		return v < a->threshold;
	default:
		return v <= a->threshold;
	}
}

static u8 kcm_alarm_state(const struct kcm_alarm *a, bool has_data)
{
	u32 window = a->n == 32 ? U32_MAX : (1U << a->n) - 1;
	u32 present = a->present & window, breach = a->breach & window;

	switch (a->missing) {
	case KCLOUD_METER_MISSING_BREACHING:
		breach |= ~present & window;
		present = window;
		break;
	case KCLOUD_METER_MISSING_NOT_BREACHING:
		present = window;
		break;
	case KCLOUD_METER_MISSING_IGNORE:
		if (!has_data)
			return a->state;
		break;
	}
	if (!present)
		return KCLOUD_METER_ALARM_INSUFFICIENT_DATA;
	if (hweight32(breach) >= a->m)
		return KCLOUD_METER_ALARM_ALARM;
	return KCLOUD_METER_ALARM_OK;
}

/**
 * kcm_alarms_eval() - evaluate the alarms whose period just ended
 * @kn: the namespace's meter state
 * @prev: the second that started at the previous evaluation
 * @now: the second that starts now (every second before it is closed)
 *
 * Context: kcm_net::lock held, from the ledger's work.
 */
void kcm_alarms_eval(struct kcm_net *kn, time64_t prev, time64_t now)
{
	struct kcm_alarm *a;
	bool has_data;
	u64 v, end;
	u32 rem;
	u8 state;

	list_for_each_entry(a, &kn->alarms, node) {
		/* The periods are aligned on the epoch, as CloudWatch's are. */
		div_u64_rem(now, a->period, &rem);
		end = now - rem;
		if (prev >= end || end < a->period)
			continue;
		has_data = kcm_alarm_datapoint(kn, a, end - a->period, &v);
		a->breach <<= 1;
		a->present <<= 1;
		if (has_data) {
			a->present |= 1;
			a->breach |= kcm_alarm_breaches(a, v);
			a->value = v;
		}
		a->has_value = has_data;
		state = kcm_alarm_state(a, has_data);
		if (state != a->state) {
			a->state = state;
			a->changed = now;
			kcm_alarm_notify(kn, a);
		}
	}
}

/**
 * kcm_alarms_free() - forget every alarm of a namespace
 * @kn: the namespace's meter state
 */
void kcm_alarms_free(struct kcm_net *kn)
{
	struct kcm_alarm *a, *tmp;

	list_for_each_entry_safe(a, tmp, &kn->alarms, node) {
		list_del(&a->node);
		kfree(a);
	}
	kn->nalarms = 0;
}
