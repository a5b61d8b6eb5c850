// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: the generic netlink family. Requests are parsed and checked
 * here; the objects live in instance.c and the ledger in ledger.c.
 */
#include <linux/math64.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/sock.h>
#include <net/genetlink.h>
#include <uapi/linux/kcloud_meter.h>

#include "meter.h"

static struct genl_family kcloud_meter_family;

enum kcm_mcgrp {
	KCM_MCGRP_MONITOR,
	KCM_MCGRP_ALARMS,
};

static const struct genl_multicast_group kcm_mcgrps[] = {
	[KCM_MCGRP_MONITOR] = { .name = KCLOUD_METER_MCGRP_MONITOR },
	[KCM_MCGRP_ALARMS] = { .name = KCLOUD_METER_MCGRP_ALARMS },
};

static struct netlink_range_validation kcm_id_range = {
	.min = 1,
	.max = INT_MAX,
};

static struct netlink_range_validation kcm_since_range = {
	.min = 1,
	.max = (u64)KCLOUD_METER_RING_60S * 60,
};

static struct netlink_range_validation kcm_memory_range = {
	.min = 0,
	.max = 1ULL << 50,
};

static struct netlink_range_validation kcm_vol_size_range = {
	.min = 0,
	.max = KCLOUD_METER_VOL_SIZE_MAX,
};

/* A volume: KCLOUD_METER_A_INST_VOL, and KCLOUD_METER_STAT_A_VOL to import. */
static const struct nla_policy kcm_vol_policy[KCLOUD_METER_VOL_A_MAX + 1] = {
	[KCLOUD_METER_VOL_A_NAME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_METER_NAME_MAX - 1 },
	[KCLOUD_METER_VOL_A_DEV]	= { .type = NLA_U32 },
	[KCLOUD_METER_VOL_A_SIZE]	= NLA_POLICY_FULL_RANGE(NLA_U64, &kcm_vol_size_range),
	[KCLOUD_METER_VOL_A_READ_OPS]	= { .type = NLA_U64 },
	[KCLOUD_METER_VOL_A_WRITE_OPS]	= { .type = NLA_U64 },
	[KCLOUD_METER_VOL_A_READ_BYTES]	= { .type = NLA_U64 },
	[KCLOUD_METER_VOL_A_WRITE_BYTES] = { .type = NLA_U64 },
	[KCLOUD_METER_VOL_A_SECTOR_SEC]	= { .type = NLA_U64 },
};

/* Inside KCLOUD_METER_A_INST_PORTS and _VOLUMES. */
static const struct nla_policy kcm_list_policy[KCLOUD_METER_A_MAX + 1] = {
	[KCLOUD_METER_A_INST_PORT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kcm_id_range),
	[KCLOUD_METER_A_INST_VOLUME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_METER_NAME_MAX - 1 },
	[KCLOUD_METER_A_INST_VOL]	= NLA_POLICY_NESTED(kcm_vol_policy),
};

static struct netlink_range_validation kcm_price_range = {
	.min = 0,
	.max = KCLOUD_METER_PRICE_MAX,
};

static const struct nla_policy kcm_net_price_policy[KCLOUD_METER_NET_A_MAX + 1] = {
	[KCLOUD_METER_NET_A_DIR]	= NLA_POLICY_MAX(NLA_U8, KCM_NDIR - 1),
	[KCLOUD_METER_NET_A_CLASS]	= NLA_POLICY_MAX(NLA_U8, KCM_NCLASS - 1),
	[KCLOUD_METER_NET_A_PRICE]	= NLA_POLICY_FULL_RANGE(NLA_U64, &kcm_price_range),
};

static const struct nla_policy kcm_net_import_policy[KCLOUD_METER_NET_A_MAX + 1] = {
	[KCLOUD_METER_NET_A_DIR]	= NLA_POLICY_MAX(NLA_U8, KCM_NDIR - 1),
	[KCLOUD_METER_NET_A_CLASS]	= NLA_POLICY_MAX(NLA_U8, KCM_NCLASS - 1),
	[KCLOUD_METER_NET_A_BYTES]	= { .type = NLA_U64 },
	[KCLOUD_METER_NET_A_PACKETS]	= { .type = NLA_U64 },
};

/* LEDGER_IMPORT's totals: what GET_INSTANCE gave (usage and current ignored). */
static const struct nla_policy kcm_stats_policy[KCLOUD_METER_STAT_A_MAX + 1] = {
	[KCLOUD_METER_STAT_A_CPU_USAGE_US]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_CPU_USER_US]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_CPU_SYSTEM_US]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_MEM_CURRENT]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_MEM_PEAK]		= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_MEM_BYTE_SEC]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_NET]		= NLA_POLICY_NESTED(kcm_net_import_policy),
	[KCLOUD_METER_STAT_A_SECONDS]		= { .type = NLA_U32 },
	[KCLOUD_METER_STAT_A_NET_REFUSED]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_BLK_READ_OPS]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_BLK_WRITE_OPS]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_BLK_READ_BYTES]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_BLK_WRITE_BYTES]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_CPU_THROTTLED_US]	= { .type = NLA_U64 },
	[KCLOUD_METER_STAT_A_CPU_NR_THROTTLED]	= { .type = NLA_U32 },
	[KCLOUD_METER_STAT_A_VOL]		= NLA_POLICY_NESTED(kcm_vol_policy),
	[KCLOUD_METER_STAT_A_VOL_GONE_SECTOR_SEC] = { .type = NLA_U64 },
};

static const struct nla_policy kcloud_meter_policy[KCLOUD_METER_A_MAX + 1] = {
	[KCLOUD_METER_A_INFO_VERSION]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INFO_FEATURES]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kcm_id_range),
	[KCLOUD_METER_A_INST_NAME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_METER_NAME_MAX - 1 },
	[KCLOUD_METER_A_INST_TENANT]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_METER_NAME_MAX - 1 },
	[KCLOUD_METER_A_INST_CGROUP_PATH] = { .type = NLA_NUL_STRING,
					      .len = KCLOUD_METER_PATH_MAX - 1 },
	[KCLOUD_METER_A_INST_CGROUP_ID]	= NLA_POLICY_MIN(NLA_U64, 1),
	[KCLOUD_METER_A_INST_VCPUS]	= NLA_POLICY_RANGE(NLA_U32, 1, KCLOUD_METER_VCPUS_MAX),
	[KCLOUD_METER_A_INST_MEMORY]	= NLA_POLICY_FULL_RANGE(NLA_U64, &kcm_memory_range),
	[KCLOUD_METER_A_INST_PORT]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_VOLUME]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_PORTS]	= NLA_POLICY_NESTED(kcm_list_policy),
	[KCLOUD_METER_A_INST_VOLUMES]	= NLA_POLICY_NESTED(kcm_list_policy),
	[KCLOUD_METER_A_INST_HANDLE]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_START]	= { .type = NLA_U64 },
	[KCLOUD_METER_A_INST_STATS]	= NLA_POLICY_NESTED(kcm_stats_policy),
	[KCLOUD_METER_A_USAGE_RES]	= NLA_POLICY_RANGE(NLA_U32, 1, 60),
	[KCLOUD_METER_A_USAGE_SINCE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kcm_since_range),
	[KCLOUD_METER_A_USAGE_TIME]	= { .type = NLA_U64 },
	[KCLOUD_METER_A_PRICE_VCPU_SEC]	= NLA_POLICY_FULL_RANGE(NLA_U64, &kcm_price_range),
	[KCLOUD_METER_A_PRICE_GIB_SEC]	= NLA_POLICY_FULL_RANGE(NLA_U64, &kcm_price_range),
	[KCLOUD_METER_A_PRICE_NET]	= NLA_POLICY_NESTED(kcm_net_price_policy),
	[KCLOUD_METER_A_BILL_SECONDS]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_BILL_COMPUTE]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_BILL_MEMORY]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_BILL_NET]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_BILL_TOTAL]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_BILL_CLOSED]	= { .type = NLA_U64 },
	[KCLOUD_METER_A_ALARM_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kcm_id_range),
	[KCLOUD_METER_A_ALARM_NAME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_METER_NAME_MAX - 1 },
	[KCLOUD_METER_A_ALARM_METRIC]	= NLA_POLICY_MAX(NLA_U8, __KCLOUD_METER_METRIC_MAX - 1),
	[KCLOUD_METER_A_ALARM_STAT]	= NLA_POLICY_MAX(NLA_U8, __KCLOUD_METER_STAT_MAX - 1),
	[KCLOUD_METER_A_ALARM_PERIOD]	= NLA_POLICY_RANGE(NLA_U32, 1, 3600),
	[KCLOUD_METER_A_ALARM_CMP]	= NLA_POLICY_MAX(NLA_U8, __KCLOUD_METER_CMP_MAX - 1),
	[KCLOUD_METER_A_ALARM_THRESHOLD] = { .type = NLA_U64 },
	[KCLOUD_METER_A_ALARM_M]	= NLA_POLICY_RANGE(NLA_U32, 1, KCLOUD_METER_ALARM_N_MAX),
	[KCLOUD_METER_A_ALARM_N]	= NLA_POLICY_RANGE(NLA_U32, 1, KCLOUD_METER_ALARM_N_MAX),
	[KCLOUD_METER_A_ALARM_MISSING]	= NLA_POLICY_MAX(NLA_U8, __KCLOUD_METER_MISSING_MAX - 1),
	[KCLOUD_METER_A_ALARM_STATE]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_ALARM_VALUE]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_ALARM_CHANGED]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_VOL]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_PRICE_VOL_GB_MONTH] = NLA_POLICY_FULL_RANGE(NLA_U64, &kcm_price_range),
	[KCLOUD_METER_A_PRICE_MIO]	= NLA_POLICY_FULL_RANGE(NLA_U64, &kcm_price_range),
	[KCLOUD_METER_A_BILL_VOLUME]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_BILL_IO]	= { .type = NLA_REJECT },
};

static int kcm_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kcloud_meter_family, 0, KCLOUD_METER_CMD_GET_INFO);
	if (!hdr)
		goto nla_put_failure;

	if (nla_put_string(msg, KCLOUD_METER_A_INFO_VERSION, KCLOUD_METER_VERSION) ||
	    nla_put_u64_64bit(msg, KCLOUD_METER_A_INFO_FEATURES,
			      KCLOUD_METER_F_INFO | KCLOUD_METER_F_INSTANCE |
			      KCLOUD_METER_F_NET_KFUNC | KCLOUD_METER_F_LEDGER |
			      KCLOUD_METER_F_BILLING | KCLOUD_METER_F_ALARM |
			      KCLOUD_METER_F_IMPORT | KCLOUD_METER_F_VOLUME |
			      KCLOUD_METER_F_THROTTLE | KCLOUD_METER_F_HISTORY |
			      KCLOUD_METER_F_VOLUME_HISTORY,
			      KCLOUD_METER_A_PAD))
		goto nla_put_failure;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- replies ------------------------------------------------------------ */

/* The volumes of an instance, with their counters (totals only). */
static int kcm_put_volumes(struct sk_buff *skb, struct kcm_instance *inst)
{
	struct kcm_volumes *vols = kcm_instance_vols(inst);
	u64 ops[2], bytes[2];
	struct nlattr *n;
	u32 i;

	if (nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_VOL_GONE_SECTOR_SEC,
			      inst->vol_gone_sector_sec, KCLOUD_METER_STAT_A_PAD))
		return -EMSGSIZE;
	for (i = 0; vols && i < vols->n; i++) {
		struct kcm_volume *v = vols->v[i];

		kcm_volume_counters(v, ops, bytes);
		n = nla_nest_start(skb, KCLOUD_METER_STAT_A_VOL);
		if (!n ||
		    nla_put_string(skb, KCLOUD_METER_VOL_A_NAME, v->name) ||
		    nla_put_u32(skb, KCLOUD_METER_VOL_A_DEV, v->dev) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_SIZE, v->size,
				      KCLOUD_METER_VOL_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_READ_OPS, ops[0],
				      KCLOUD_METER_VOL_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_WRITE_OPS, ops[1],
				      KCLOUD_METER_VOL_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_READ_BYTES, bytes[0],
				      KCLOUD_METER_VOL_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_WRITE_BYTES, bytes[1],
				      KCLOUD_METER_VOL_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_SECTOR_SEC, v->sector_sec,
				      KCLOUD_METER_VOL_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, n);
	}
	return 0;
}

/* The volumes of an instance with a sample at @idx, and their I/O in it. */
static int kcm_put_volume_samples(struct sk_buff *skb, struct kcm_instance *inst,
				  u32 res, u64 idx)
{
	struct kcm_volumes *vols = kcm_instance_vols(inst);
	const struct kcm_vsample *vs;
	struct nlattr *n;
	u32 i;

	for (i = 0; vols && i < vols->n; i++) {
		vs = kcm_volume_sample(vols->v[i], res, idx);
		if (!vs)
			continue;
		n = nla_nest_start(skb, KCLOUD_METER_STAT_A_VOL);
		if (!n ||
		    nla_put_string(skb, KCLOUD_METER_VOL_A_NAME, vols->v[i]->name) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_READ_OPS, vs->ops[0],
				      KCLOUD_METER_VOL_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_WRITE_OPS, vs->ops[1],
				      KCLOUD_METER_VOL_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_READ_BYTES, (u64)vs->kib[0] << 10,
				      KCLOUD_METER_VOL_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_VOL_A_WRITE_BYTES, (u64)vs->kib[1] << 10,
				      KCLOUD_METER_VOL_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, n);
	}
	return 0;
}

/*
 * A KCLOUD_METER_A_INST_STATS nest: an instance's totals (@net its
 * counters), or its sample @s at (@res, @idx) (@net NULL).
 */
static int kcm_put_stats(struct sk_buff *skb, const struct kcm_sample *s,
			 const struct kcm_snap *net, u64 refused, u64 mem_current,
			 struct kcm_instance *inst, u32 res, u64 idx)
{
	bool total = net;
	struct nlattr *nest, *n;
	int d, c;

	nest = nla_nest_start(skb, KCLOUD_METER_A_INST_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_CPU_USAGE_US,
			      s->cpu_user_us + s->cpu_system_us, KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_CPU_USER_US, s->cpu_user_us,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_CPU_SYSTEM_US, s->cpu_system_us,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_CPU_THROTTLED_US, s->cpu_throttled_us,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u32(skb, KCLOUD_METER_STAT_A_CPU_NR_THROTTLED, s->nr_throttled) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_MEM_CURRENT, mem_current,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_BLK_READ_OPS,
			      net ? net->blk_ops[0] : s->blk_ops[0], KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_BLK_WRITE_OPS,
			      net ? net->blk_ops[1] : s->blk_ops[1], KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_BLK_READ_BYTES,
			      net ? net->blk_bytes[0] : (u64)s->blk_kib[0] << 10,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_BLK_WRITE_BYTES,
			      net ? net->blk_bytes[1] : (u64)s->blk_kib[1] << 10,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_MEM_PEAK, s->mem_peak,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_MEM_BYTE_SEC, s->mem_byte_sec,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u32(skb, KCLOUD_METER_STAT_A_SECONDS, s->seconds))
		goto cancel;
	if (total && (nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_NET_REFUSED, refused,
					KCLOUD_METER_STAT_A_PAD) ||
		      kcm_put_volumes(skb, inst)))
		goto cancel;
	if (!total && kcm_put_volume_samples(skb, inst, res, idx))
		goto cancel;
	for (d = 0; d < KCM_NDIR; d++) {
		for (c = 0; c < KCM_NCLASS; c++) {
			n = nla_nest_start(skb, KCLOUD_METER_STAT_A_NET);
			if (!n ||
			    nla_put_u8(skb, KCLOUD_METER_NET_A_DIR, d) ||
			    nla_put_u8(skb, KCLOUD_METER_NET_A_CLASS, c) ||
			    nla_put_u64_64bit(skb, KCLOUD_METER_NET_A_BYTES,
					      net ? net->net_bytes[d][c] : s->net_bytes[d][c],
					      KCLOUD_METER_NET_A_PAD) ||
			    nla_put_u64_64bit(skb, KCLOUD_METER_NET_A_PACKETS,
					      net ? net->net_packets[d][c] : s->net_packets[d][c],
					      KCLOUD_METER_NET_A_PAD))
				goto cancel;
			nla_nest_end(skb, n);
		}
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int kcm_fill_instance(struct sk_buff *skb, struct kcm_instance *inst,
			     u32 portid, u32 seq, int flags, u8 cmd, bool stats)
{
	struct kcm_volumes *vols = kcm_instance_vols(inst);
	struct kcm_sample total;
	struct nlattr *list;
	struct kcm_snap net;
	void *hdr;
	u32 i;

	hdr = genlmsg_put(skb, portid, seq, &kcloud_meter_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KCLOUD_METER_A_INST_ID, inst->id) ||
	    nla_put_string(skb, KCLOUD_METER_A_INST_NAME, inst->name))
		goto cancel;
	if (cmd == KCLOUD_METER_CMD_INSTANCE_DEL)
		goto done;
	if (nla_put_string(skb, KCLOUD_METER_A_INST_TENANT, inst->tenant) ||
	    nla_put_u32(skb, KCLOUD_METER_A_INST_VCPUS, inst->vcpus) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_INST_MEMORY, inst->memory,
			      KCLOUD_METER_A_PAD) ||
	    nla_put_u32(skb, KCLOUD_METER_A_INST_HANDLE, inst->handle) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_INST_START, inst->start,
			      KCLOUD_METER_A_PAD))
		goto cancel;
	if (inst->cgrp &&
	    (nla_put_u64_64bit(skb, KCLOUD_METER_A_INST_CGROUP_ID, cgroup_id(inst->cgrp),
			       KCLOUD_METER_A_PAD) ||
	     nla_put_string(skb, KCLOUD_METER_A_INST_CGROUP_PATH, inst->cgroup_path)))
		goto cancel;
	list = nla_nest_start(skb, KCLOUD_METER_A_INST_PORTS);
	if (!list)
		goto cancel;
	for (i = 0; i < inst->nports; i++)
		if (nla_put_u32(skb, KCLOUD_METER_A_INST_PORT, inst->ports[i]))
			goto cancel;
	nla_nest_end(skb, list);
	list = nla_nest_start(skb, KCLOUD_METER_A_INST_VOLUMES);
	if (!list)
		goto cancel;
	for (i = 0; vols && i < vols->n; i++)
		if (nla_put_string(skb, KCLOUD_METER_A_INST_VOLUME, vols->v[i]->name))
			goto cancel;
	nla_nest_end(skb, list);
	if (stats) {
		kcm_ledger_totals(inst, &total);
		kcm_instance_net_counters(inst, &net);
		if (kcm_put_stats(skb, &total, &net, atomic64_read(&inst->net_refused),
				  inst->ledger.mem_now, inst, 0, 0))
			goto cancel;
	}
done:
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static void kcm_notify(struct kcm_instance *inst, u8 cmd)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (kcm_fill_instance(msg, inst, 0, 0, 0, cmd, false)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&kcloud_meter_family, inst->kn->net, msg, 0,
				KCM_MCGRP_MONITOR, GFP_KERNEL);
}

/* ---- requests ----------------------------------------------------------- */

/* What an ADD or SET request asks for, checked before anything changes. */
struct kcm_req {
	u32 nports;
	u32 ports[KCLOUD_METER_PORTS_MAX];
	struct kcm_volumes *vols;	/* new volumes, not yet published */
	bool has_ports;
	bool has_volumes;
};

static int kcm_parse_ports(struct net *net, struct nlattr *list,
			   struct netlink_ext_ack *extack, struct kcm_req *req)
{
	struct nlattr *nla;
	u32 i, ifindex;
	int rem;

	nla_for_each_nested(nla, list, rem) {
		if (nla_type(nla) != KCLOUD_METER_A_INST_PORT) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "only ports in the port list");
			return -EINVAL;
		}
		if (req->nports == KCLOUD_METER_PORTS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many ports");
			return -E2BIG;
		}
		ifindex = nla_get_u32(nla);
		for (i = 0; i < req->nports; i++) {
			if (req->ports[i] == ifindex) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "port given twice");
				return -EINVAL;
			}
		}
		rcu_read_lock();
		if (!dev_get_by_index_rcu(net, ifindex)) {
			rcu_read_unlock();
			NL_SET_ERR_MSG_ATTR(extack, nla, "no device with this ifindex");
			return -ENOENT;
		}
		rcu_read_unlock();
		req->ports[req->nports++] = ifindex;
	}
	req->has_ports = true;
	return 0;
}

/* One entry of the volume list: its name, device and size. */
static int kcm_parse_volume(struct nlattr *nla, struct netlink_ext_ack *extack,
			    const char **name, u32 *dev, u64 *size)
{
	struct nlattr *tb[KCLOUD_METER_VOL_A_MAX + 1];
	int err;

	*dev = 0;
	*size = 0;
	if (nla_type(nla) == KCLOUD_METER_A_INST_VOLUME) {
		*name = nla_data(nla);
		return 0;
	}
	if (nla_type(nla) != KCLOUD_METER_A_INST_VOL) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "only volumes in the volume list");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, KCLOUD_METER_VOL_A_MAX, nla, kcm_vol_policy, extack);
	if (err)
		return err;
	if (!tb[KCLOUD_METER_VOL_A_NAME]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "a volume needs a name");
		return -EINVAL;
	}
	*name = nla_data(tb[KCLOUD_METER_VOL_A_NAME]);
	if (tb[KCLOUD_METER_VOL_A_DEV])
		*dev = nla_get_u32(tb[KCLOUD_METER_VOL_A_DEV]);
	if (tb[KCLOUD_METER_VOL_A_SIZE]) {
		*size = nla_get_u64(tb[KCLOUD_METER_VOL_A_SIZE]);
		if (*size & ((1 << KCM_SECTOR_SHIFT) - 1)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KCLOUD_METER_VOL_A_SIZE],
					    "volume size must be a multiple of 512");
			return -EINVAL;
		}
	}
	return 0;
}

static int kcm_parse_volumes(struct nlattr *list, struct netlink_ext_ack *extack,
			     struct kcm_req *req)
{
	struct kcm_volumes *vols;
	struct nlattr *nla;
	const char *name;
	int rem, err;
	u64 size;
	u32 i, dev;

	vols = kcm_volumes_alloc(KCLOUD_METER_VOLUMES_MAX);
	if (!vols)
		return -ENOMEM;
	req->vols = vols;
	nla_for_each_nested(nla, list, rem) {
		err = kcm_parse_volume(nla, extack, &name, &dev, &size);
		if (err)
			return err;
		if (vols->n == KCLOUD_METER_VOLUMES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many volumes");
			return -E2BIG;
		}
		if (!name[0]) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "empty volume name");
			return -EINVAL;
		}
		for (i = 0; i < vols->n; i++) {
			if (!strcmp(vols->v[i]->name, name)) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "volume given twice");
				return -EINVAL;
			}
			if (dev && vols->v[i]->dev == dev) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "two volumes on one device");
				return -EINVAL;
			}
		}
		vols->v[vols->n] = kcm_volume_alloc(name);
		if (!vols->v[vols->n])
			return -ENOMEM;
		vols->v[vols->n]->dev = dev;
		vols->v[vols->n]->size = size;
		vols->n++;
	}
	req->has_volumes = true;
	return 0;
}

static int kcm_parse_lists(struct net *net, struct genl_info *info, struct kcm_req *req)
{
	int err = 0;

	memset(req, 0, sizeof(*req));
	if (info->attrs[KCLOUD_METER_A_INST_PORTS])
		err = kcm_parse_ports(net, info->attrs[KCLOUD_METER_A_INST_PORTS],
				      info->extack, req);
	if (!err && info->attrs[KCLOUD_METER_A_INST_VOLUMES])
		err = kcm_parse_volumes(info->attrs[KCLOUD_METER_A_INST_VOLUMES],
					info->extack, req);
	return err;
}

static int kcm_check_cgroup_attrs(struct genl_info *info)
{
	struct nlattr *a = info->attrs[KCLOUD_METER_A_INST_STATS];

	if (!a)
		a = info->attrs[KCLOUD_METER_A_INST_START];
	if (a) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "start and stats are for ledger-import");
		return -EINVAL;
	}
	if (info->attrs[KCLOUD_METER_A_INST_CGROUP_PATH] &&
	    info->attrs[KCLOUD_METER_A_INST_CGROUP_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_METER_A_INST_CGROUP_ID],
				    "give a cgroup path or a cgroup id, not both");
		return -EINVAL;
	}
	return 0;
}

static int kcm_check_name(struct genl_info *info, struct nlattr *attr)
{
	if (attr && !((char *)nla_data(attr))[0]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "empty name");
		return -EINVAL;
	}
	return 0;
}

/* Apply a checked request to an instance (new or existing). */
static int kcm_apply(struct kcm_instance *inst, struct genl_info *info, struct kcm_req *req)
{
	struct nlattr **attrs = info->attrs;
	int err;

	if (attrs[KCLOUD_METER_A_INST_NAME]) {
		struct kcm_instance *other;

		other = kcm_instance_find_name(inst->kn,
					       nla_data(attrs[KCLOUD_METER_A_INST_NAME]));
		if (other && other != inst) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_INST_NAME],
					    "an instance with this name exists");
			return -EEXIST;
		}
	}
	if (attrs[KCLOUD_METER_A_INST_TENANT] || !inst->tenant_ref) {
		struct nlattr *a = attrs[KCLOUD_METER_A_INST_TENANT];
		struct kcm_tenant *t = kcm_tenant_get(inst->kn, a ? nla_data(a) : "");

		if (!t)
			return -ENOMEM;
		inst->tenant_ref = t;
		strscpy(inst->tenant, t->name, sizeof(inst->tenant));
	}
	/* The cgroup is the last thing that can fail: resolve it first. */
	if (attrs[KCLOUD_METER_A_INST_CGROUP_PATH] || attrs[KCLOUD_METER_A_INST_CGROUP_ID]) {
		struct nlattr *a = attrs[KCLOUD_METER_A_INST_CGROUP_PATH];

		struct nlattr *b = attrs[KCLOUD_METER_A_INST_CGROUP_ID];

		err = kcm_instance_set_cgroup(inst, a ? nla_data(a) : NULL,
					      a ? 0 : nla_get_u64(b), info->extack);
		if (err) {
			NL_SET_BAD_ATTR(info->extack, a ? a : b);
			return err;
		}
	}
	if (attrs[KCLOUD_METER_A_INST_NAME])
		kcm_instance_set_name(inst, nla_data(attrs[KCLOUD_METER_A_INST_NAME]),
				      info->extack);
	if (attrs[KCLOUD_METER_A_INST_VCPUS])
		inst->vcpus = nla_get_u32(attrs[KCLOUD_METER_A_INST_VCPUS]);
	if (attrs[KCLOUD_METER_A_INST_MEMORY])
		inst->memory = nla_get_u64(attrs[KCLOUD_METER_A_INST_MEMORY]);
	if (req->has_ports) {
		memcpy(inst->ports, req->ports, sizeof(inst->ports));
		inst->nports = req->nports;
	}
	if (req->has_volumes) {
		struct kcm_volumes *old = kcm_instance_vols(inst), *vols = req->vols;
		u32 i, j;

		/* A volume that stays (by name) keeps its counters. */
		for (i = 0; old && i < vols->n; i++) {
			for (j = 0; j < old->n; j++) {
				if (strcmp(old->v[j]->name, vols->v[i]->name))
					continue;
				WRITE_ONCE(old->v[j]->dev, vols->v[i]->dev);
				old->v[j]->size = vols->v[i]->size;
				kcm_volume_free(vols->v[i]);
				vols->v[i] = old->v[j];
				break;
			}
		}
		kcm_instance_set_volumes(inst, vols);
		req->vols = NULL;
	}
	return 0;
}

static int kcm_instance_add(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct kcm_net *kn = kcm_net(net);
	struct kcm_instance *inst;
	struct kcm_req req;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_INST_ID) ||
	    GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_INST_NAME))
		return -EINVAL;
	err = kcm_check_name(info, info->attrs[KCLOUD_METER_A_INST_NAME]);
	if (!err)
		err = kcm_check_cgroup_attrs(info);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	err = kcm_parse_lists(net, info, &req);
	if (err)
		goto out;
	if (kcm_instance_find(kn, nla_get_u32(info->attrs[KCLOUD_METER_A_INST_ID]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_METER_A_INST_ID],
				    "an instance with this id exists");
		err = -EEXIST;
		goto out;
	}
	inst = kcm_instance_alloc(kn, nla_get_u32(info->attrs[KCLOUD_METER_A_INST_ID]));
	if (!inst) {
		err = -ENOMEM;
		goto out;
	}
	err = kcm_apply(inst, info, &req);
	if (!err)
		err = kcm_instance_publish(inst, info->extack);
	if (err) {
		kcm_instance_destroy(inst);
		goto out;
	}
	kcm_notify(inst, KCLOUD_METER_CMD_INSTANCE_ADD);
out:
	mutex_unlock(&kn->lock);
	kcm_volumes_free(req.vols);
	return err;
}

/* The instance named by ID or NAME in a request; kcm_net::lock held. */
static struct kcm_instance *kcm_lookup(struct kcm_net *kn, struct genl_info *info)
{
	struct nlattr *id = info->attrs[KCLOUD_METER_A_INST_ID];
	struct nlattr *name = info->attrs[KCLOUD_METER_A_INST_NAME];
	struct kcm_instance *inst;

	if (id) {
		inst = kcm_instance_find(kn, nla_get_u32(id));
		if (!inst)
			NL_SET_ERR_MSG_ATTR(info->extack, id, "no instance with this id");
	} else if (name) {
		inst = kcm_instance_find_name(kn, nla_data(name));
		if (!inst)
			NL_SET_ERR_MSG_ATTR(info->extack, name, "no instance with this name");
	} else {
		NL_SET_ERR_MSG_MOD(info->extack, "instance id or name required");
		return ERR_PTR(-EINVAL);
	}
	return inst ? inst : ERR_PTR(-ENOENT);
}

static int kcm_instance_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct kcm_instance *inst;
	int err = 0;

	mutex_lock(&kn->lock);
	inst = kcm_lookup(kn, info);
	if (IS_ERR(inst)) {
		err = PTR_ERR(inst);
	} else {
		kcm_notify(inst, KCLOUD_METER_CMD_INSTANCE_DEL);
		kcm_bill_close(inst);
		kcm_instance_destroy(inst);
	}
	mutex_unlock(&kn->lock);
	return err;
}

static int kcm_instance_set(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct kcm_net *kn = kcm_net(net);
	struct kcm_instance *inst;
	struct kcm_req req = {};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_INST_ID))
		return -EINVAL;
	err = kcm_check_name(info, info->attrs[KCLOUD_METER_A_INST_NAME]);
	if (!err)
		err = kcm_check_cgroup_attrs(info);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	inst = kcm_instance_find(kn, nla_get_u32(info->attrs[KCLOUD_METER_A_INST_ID]));
	if (!inst) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_METER_A_INST_ID],
				    "no instance with this id");
		err = -ENOENT;
		goto out;
	}
	err = kcm_parse_lists(net, info, &req);
	if (!err)
		err = kcm_apply(inst, info, &req);
	if (!err)
		kcm_notify(inst, KCLOUD_METER_CMD_INSTANCE_SET);
out:
	mutex_unlock(&kn->lock);
	kcm_volumes_free(req.vols);
	return err;
}

static int kcm_get_instance_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct kcm_instance *inst;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&kn->lock);
	inst = kcm_lookup(kn, info);
	if (IS_ERR(inst))
		err = PTR_ERR(inst);
	else
		err = kcm_fill_instance(msg, inst, info->snd_portid, info->snd_seq, 0,
					KCLOUD_METER_CMD_GET_INSTANCE, true);
	mutex_unlock(&kn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int kcm_get_instance_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcm_net *kn = kcm_net(sock_net(skb->sk));
	struct kcm_instance *inst;
	unsigned long id;
	int err = 0;

	mutex_lock(&kn->lock);
	xa_for_each_start(&kn->instances, id, inst, cb->args[0]) {
		err = kcm_fill_instance(skb, inst, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					KCLOUD_METER_CMD_GET_INSTANCE, true);
		if (err)
			break;
		cb->args[0] = id + 1;
	}
	mutex_unlock(&kn->lock);
	if (err && !skb->len)
		return err;
	return skb->len;
}

/*
 * GET_USAGE dump state: args[0] the next instance id, args[1] the next
 * sample index in it (0: start from the oldest wanted), args[2] the time
 * the dump started.
 */
static int kcm_get_usage_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct kcm_net *kn = kcm_net(sock_net(skb->sk));
	struct nlattr **attrs = di->attrs;
	u32 res = 1, len, since, only = 0;
	time64_t now;
	struct kcm_instance *inst;
	unsigned long id;
	int err = 0;

	if (attrs[KCLOUD_METER_A_USAGE_RES]) {
		res = nla_get_u32(attrs[KCLOUD_METER_A_USAGE_RES]);
		if (res != 1 && res != 60) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[KCLOUD_METER_A_USAGE_RES],
					    "resolution must be 1 or 60 seconds");
			return -EINVAL;
		}
	}
	len = res == 60 ? KCLOUD_METER_RING_60S : KCLOUD_METER_RING_1S;
	since = len * res;
	if (attrs[KCLOUD_METER_A_USAGE_SINCE])
		since = min(since, nla_get_u32(attrs[KCLOUD_METER_A_USAGE_SINCE]));
	if (attrs[KCLOUD_METER_A_INST_ID])
		only = nla_get_u32(attrs[KCLOUD_METER_A_INST_ID]);
	/* One window for the whole dump, however long it takes. */
	if (!cb->args[2])
		cb->args[2] = ktime_get_real_seconds();
	now = cb->args[2];

	mutex_lock(&kn->lock);
	if (only && !cb->args[0] && !kcm_instance_find(kn, only)) {
		mutex_unlock(&kn->lock);
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[KCLOUD_METER_A_INST_ID],
				    "no instance with this id");
		return -ENOENT;
	}
	xa_for_each_start(&kn->instances, id, inst, max_t(unsigned long, cb->args[0], only)) {
		u64 first = div_u64(now - since, res), last = div_u64(now, res), idx;

		if (only && id != only)
			break;
		idx = max_t(u64, first, cb->args[1]);
		for (; idx <= last; idx++) {
			const struct kcm_sample *s = kcm_ledger_sample(inst, res, idx);
			void *hdr;

			if (!s)
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
					  &kcloud_meter_family, NLM_F_MULTI,
					  KCLOUD_METER_CMD_GET_USAGE);
			if (!hdr ||
			    nla_put_u32(skb, KCLOUD_METER_A_INST_ID, inst->id) ||
			    nla_put_string(skb, KCLOUD_METER_A_INST_NAME, inst->name) ||
			    nla_put_u32(skb, KCLOUD_METER_A_USAGE_RES, res) ||
			    nla_put_u64_64bit(skb, KCLOUD_METER_A_USAGE_TIME, idx * res,
					      KCLOUD_METER_A_PAD) ||
			    kcm_put_stats(skb, s, NULL, 0,
					  div_u64(s->mem_byte_sec, max(s->seconds, 1U)),
					  inst, res, idx)) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				err = -EMSGSIZE;
				break;
			}
			genlmsg_end(skb, hdr);
		}
		if (err) {
			cb->args[0] = id;
			cb->args[1] = idx;
			break;
		}
		cb->args[0] = id + 1;
		cb->args[1] = 0;
	}
	mutex_unlock(&kn->lock);
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* ---- billing ------------------------------------------------------------ */

static int kcm_price_set(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct kcm_prices p = {};
	bool seen[KCM_NDIR][KCM_NCLASS] = {};
	struct nlattr *nla;
	int rem;

	if (attrs[KCLOUD_METER_A_PRICE_VCPU_SEC])
		p.vcpu_sec = nla_get_u64(attrs[KCLOUD_METER_A_PRICE_VCPU_SEC]);
	if (attrs[KCLOUD_METER_A_PRICE_GIB_SEC])
		p.gib_sec = nla_get_u64(attrs[KCLOUD_METER_A_PRICE_GIB_SEC]);
	if (attrs[KCLOUD_METER_A_PRICE_VOL_GB_MONTH])
		p.vol_gb_month = nla_get_u64(attrs[KCLOUD_METER_A_PRICE_VOL_GB_MONTH]);
	if (attrs[KCLOUD_METER_A_PRICE_MIO])
		p.mio = nla_get_u64(attrs[KCLOUD_METER_A_PRICE_MIO]);
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		struct nlattr *tb[KCLOUD_METER_NET_A_MAX + 1];
		u8 d, c;
		int err;

		if (nla_type(nla) != KCLOUD_METER_A_PRICE_NET)
			continue;
		err = nla_parse_nested(tb, KCLOUD_METER_NET_A_MAX, nla, kcm_net_price_policy,
				       info->extack);
		if (err)
			return err;
		if (!tb[KCLOUD_METER_NET_A_DIR] || !tb[KCLOUD_METER_NET_A_CLASS] ||
		    !tb[KCLOUD_METER_NET_A_PRICE]) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "a network price needs dir, class and price");
			return -EINVAL;
		}
		d = nla_get_u8(tb[KCLOUD_METER_NET_A_DIR]);
		c = nla_get_u8(tb[KCLOUD_METER_NET_A_CLASS]);
		if (seen[d][c]) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "this direction and class priced twice");
			return -EINVAL;
		}
		seen[d][c] = true;
		p.net_gb[d][c] = nla_get_u64(tb[KCLOUD_METER_NET_A_PRICE]);
	}
	mutex_lock(&kn->lock);
	kn->prices = p;
	mutex_unlock(&kn->lock);
	return 0;
}

static int kcm_get_price(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct kcm_prices p;
	struct sk_buff *msg;
	struct nlattr *n;
	void *hdr;
	int d, c;

	mutex_lock(&kn->lock);
	p = kn->prices;
	mutex_unlock(&kn->lock);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kcloud_meter_family, 0, KCLOUD_METER_CMD_GET_PRICE);
	if (!hdr ||
	    nla_put_u64_64bit(msg, KCLOUD_METER_A_PRICE_VCPU_SEC, p.vcpu_sec, KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(msg, KCLOUD_METER_A_PRICE_GIB_SEC, p.gib_sec, KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(msg, KCLOUD_METER_A_PRICE_VOL_GB_MONTH, p.vol_gb_month,
			      KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(msg, KCLOUD_METER_A_PRICE_MIO, p.mio, KCLOUD_METER_A_PAD))
		goto nla_put_failure;
	for (d = 0; d < KCM_NDIR; d++) {
		for (c = 0; c < KCM_NCLASS; c++) {
			n = nla_nest_start(msg, KCLOUD_METER_A_PRICE_NET);
			if (!n ||
			    nla_put_u8(msg, KCLOUD_METER_NET_A_DIR, d) ||
			    nla_put_u8(msg, KCLOUD_METER_NET_A_CLASS, c) ||
			    nla_put_u64_64bit(msg, KCLOUD_METER_NET_A_PRICE, p.net_gb[d][c],
					      KCLOUD_METER_NET_A_PAD))
				goto nla_put_failure;
			nla_nest_end(msg, n);
		}
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int kcm_put_bill(struct sk_buff *skb, const struct kcm_bill *b)
{
	if (nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_SECONDS, b->seconds, KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_COMPUTE, b->compute, KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_MEMORY, b->memory, KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_NET, b->net, KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_VOLUME, b->volume, KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_IO, b->io, KCLOUD_METER_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_TOTAL, b->total, KCLOUD_METER_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * GET_BILL dump state: args[0] 0 while listing instances, 1 for tenants;
 * args[1] the next instance id, or the number of tenants already sent.
 */
static int kcm_get_bill_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct nlattr *only = di->attrs[KCLOUD_METER_A_INST_TENANT];
	struct kcm_net *kn = kcm_net(sock_net(skb->sk));
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct kcm_instance *inst;
	struct kcm_tenant *t;
	struct kcm_bill b;
	unsigned long id;
	long i = 0;
	void *hdr;
	int err = 0;

	mutex_lock(&kn->lock);
	if (cb->args[0] == 0) {
		xa_for_each_start(&kn->instances, id, inst, cb->args[1]) {
			if (only && strcmp(inst->tenant, nla_data(only)))
				continue;
			kcm_bill_compute(inst, &b);
			hdr = genlmsg_put(skb, portid, cb->nlh->nlmsg_seq, &kcloud_meter_family,
					  NLM_F_MULTI, KCLOUD_METER_CMD_GET_BILL);
			if (!hdr)
				goto full;
			if (nla_put_u32(skb, KCLOUD_METER_A_INST_ID, inst->id) ||
			    nla_put_string(skb, KCLOUD_METER_A_INST_NAME, inst->name) ||
			    nla_put_string(skb, KCLOUD_METER_A_INST_TENANT, inst->tenant) ||
			    kcm_put_bill(skb, &b)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
			cb->args[1] = id + 1;
		}
		cb->args[0] = 1;
		cb->args[1] = 0;
	}
	list_for_each_entry(t, &kn->tenants, node) {
		if (i++ < cb->args[1])
			continue;
		if (only && strcmp(t->name, nla_data(only)))
			goto next;
		hdr = genlmsg_put(skb, portid, cb->nlh->nlmsg_seq, &kcloud_meter_family,
				  NLM_F_MULTI, KCLOUD_METER_CMD_GET_BILL);
		if (!hdr)
			goto full;
		if (nla_put_string(skb, KCLOUD_METER_A_INST_TENANT, t->name) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_CLOSED, t->closed,
				      KCLOUD_METER_A_PAD) ||
		    nla_put_u64_64bit(skb, KCLOUD_METER_A_BILL_TOTAL, kcm_tenant_total(kn, t),
				      KCLOUD_METER_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			goto full;
		}
		genlmsg_end(skb, hdr);
next:
		cb->args[1] = i;
	}
	mutex_unlock(&kn->lock);
	return skb->len;

full:
	mutex_unlock(&kn->lock);
	if (!skb->len)
		err = -EMSGSIZE;
	return err ? err : skb->len;
}

/* ---- import ------------------------------------------------------------- */

/*
 * A KCLOUD_METER_A_INST_STATS nest to import: the sample part into @tot
 * (blk_kib from the bytes), the cumulative counters into @net.
 */
static int kcm_parse_stats(struct nlattr *stats, struct netlink_ext_ack *extack,
			   struct kcm_sample *tot, struct kcm_snap *net)
{
	struct nlattr *tb[KCLOUD_METER_STAT_A_MAX + 1], *nla;
	int rem, err, d, c;

	err = nla_parse_nested(tb, KCLOUD_METER_STAT_A_MAX, stats, kcm_stats_policy, extack);
	if (err)
		return err;
	if (tb[KCLOUD_METER_STAT_A_CPU_USER_US])
		tot->cpu_user_us = nla_get_u64(tb[KCLOUD_METER_STAT_A_CPU_USER_US]);
	if (tb[KCLOUD_METER_STAT_A_CPU_SYSTEM_US])
		tot->cpu_system_us = nla_get_u64(tb[KCLOUD_METER_STAT_A_CPU_SYSTEM_US]);
	if (tb[KCLOUD_METER_STAT_A_CPU_THROTTLED_US])
		tot->cpu_throttled_us = nla_get_u64(tb[KCLOUD_METER_STAT_A_CPU_THROTTLED_US]);
	if (tb[KCLOUD_METER_STAT_A_CPU_NR_THROTTLED])
		tot->nr_throttled = nla_get_u32(tb[KCLOUD_METER_STAT_A_CPU_NR_THROTTLED]);
	if (tb[KCLOUD_METER_STAT_A_MEM_PEAK])
		tot->mem_peak = nla_get_u64(tb[KCLOUD_METER_STAT_A_MEM_PEAK]);
	if (tb[KCLOUD_METER_STAT_A_MEM_BYTE_SEC])
		tot->mem_byte_sec = nla_get_u64(tb[KCLOUD_METER_STAT_A_MEM_BYTE_SEC]);
	if (tb[KCLOUD_METER_STAT_A_SECONDS])
		tot->seconds = nla_get_u32(tb[KCLOUD_METER_STAT_A_SECONDS]);
	if (tb[KCLOUD_METER_STAT_A_BLK_READ_OPS])
		net->blk_ops[0] = nla_get_u64(tb[KCLOUD_METER_STAT_A_BLK_READ_OPS]);
	if (tb[KCLOUD_METER_STAT_A_BLK_WRITE_OPS])
		net->blk_ops[1] = nla_get_u64(tb[KCLOUD_METER_STAT_A_BLK_WRITE_OPS]);
	if (tb[KCLOUD_METER_STAT_A_BLK_READ_BYTES])
		net->blk_bytes[0] = nla_get_u64(tb[KCLOUD_METER_STAT_A_BLK_READ_BYTES]);
	if (tb[KCLOUD_METER_STAT_A_BLK_WRITE_BYTES])
		net->blk_bytes[1] = nla_get_u64(tb[KCLOUD_METER_STAT_A_BLK_WRITE_BYTES]);
	nla_for_each_nested(nla, stats, rem) {
		struct nlattr *nt[KCLOUD_METER_NET_A_MAX + 1];

		if (nla_type(nla) != KCLOUD_METER_STAT_A_NET)
			continue;
		err = nla_parse_nested(nt, KCLOUD_METER_NET_A_MAX, nla, kcm_net_import_policy,
				       extack);
		if (err)
			return err;
		if (!nt[KCLOUD_METER_NET_A_DIR] || !nt[KCLOUD_METER_NET_A_CLASS]) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "net totals need dir and class");
			return -EINVAL;
		}
		d = nla_get_u8(nt[KCLOUD_METER_NET_A_DIR]);
		c = nla_get_u8(nt[KCLOUD_METER_NET_A_CLASS]);
		if (nt[KCLOUD_METER_NET_A_BYTES])
			net->net_bytes[d][c] = nla_get_u64(nt[KCLOUD_METER_NET_A_BYTES]);
		if (nt[KCLOUD_METER_NET_A_PACKETS])
			net->net_packets[d][c] = nla_get_u64(nt[KCLOUD_METER_NET_A_PACKETS]);
	}
	for (d = 0; d < KCM_NDIR; d++) {
		for (c = 0; c < KCM_NCLASS; c++) {
			tot->net_bytes[d][c] = net->net_bytes[d][c];
			tot->net_packets[d][c] = net->net_packets[d][c];
		}
	}
	for (d = 0; d < 2; d++) {
		tot->blk_ops[d] = net->blk_ops[d];
		tot->blk_kib[d] = net->blk_bytes[d] >> 10;
	}
	return 0;
}

/*
 * One KCLOUD_METER_STAT_A_VOL nest of an import, parsed into @tb, and the
 * instance's volume of its name in @v (NULL: the instance lists none).
 */
static int kcm_import_vol_parse(struct kcm_instance *inst, struct nlattr *nla,
				struct nlattr **tb, struct kcm_volume **v,
				struct netlink_ext_ack *extack)
{
	struct kcm_volumes *vols = kcm_instance_vols(inst);
	int err;
	u32 j;

	err = nla_parse_nested(tb, KCLOUD_METER_VOL_A_MAX, nla, kcm_vol_policy, extack);
	if (err)
		return err;
	if (!tb[KCLOUD_METER_VOL_A_NAME]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "a volume's totals or sample need its name");
		return -EINVAL;
	}
	*v = NULL;
	for (j = 0; vols && j < vols->n; j++)
		if (!nla_strcmp(tb[KCLOUD_METER_VOL_A_NAME], vols->v[j]->name))
			*v = vols->v[j];
	return 0;
}

/* The per-volume totals of an instance's import, checked before any is added. */
static int kcm_import_volumes(struct kcm_instance *inst, struct nlattr *stats,
			      struct netlink_ext_ack *extack, bool apply)
{
	struct nlattr *tb[KCLOUD_METER_VOL_A_MAX + 1], *nla;
	struct kcm_volume *v;
	int rem, err, i;

	nla_for_each_nested(nla, stats, rem) {
		if (nla_type(nla) != KCLOUD_METER_STAT_A_VOL)
			continue;
		err = kcm_import_vol_parse(inst, nla, tb, &v, extack);
		if (err)
			return err;
		if (!apply)
			continue;
		if (!v) {
			/* Not listed any more: only its storage bill stays. */
			if (tb[KCLOUD_METER_VOL_A_SECTOR_SEC])
				inst->vol_gone_sector_sec +=
					nla_get_u64(tb[KCLOUD_METER_VOL_A_SECTOR_SEC]);
			continue;
		}
		for (i = 0; i < 2; i++) {
			struct nlattr *o = tb[i ? KCLOUD_METER_VOL_A_WRITE_OPS :
					      KCLOUD_METER_VOL_A_READ_OPS];
			struct nlattr *b = tb[i ? KCLOUD_METER_VOL_A_WRITE_BYTES :
					      KCLOUD_METER_VOL_A_READ_BYTES];

			/* The last reading moves too: no sample sees them. */
			if (o) {
				v->carried_ops[i] += nla_get_u64(o);
				v->prev_ops[i] += nla_get_u64(o);
			}
			if (b) {
				v->carried_bytes[i] += nla_get_u64(b);
				v->prev_bytes[i] += nla_get_u64(b);
			}
		}
		if (tb[KCLOUD_METER_VOL_A_SECTOR_SEC])
			v->sector_sec += nla_get_u64(tb[KCLOUD_METER_VOL_A_SECTOR_SEC]);
	}
	return 0;
}

/*
 * The volumes' parts of an imported sample, by name: a volume the instance
 * does not list any more is left out (its history went with it).
 */
static int kcm_import_vol_samples(struct kcm_instance *inst, struct nlattr *stats,
				  u32 seconds, struct kcm_vol_import *vs, u32 *nvs,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KCLOUD_METER_VOL_A_MAX + 1], *nla;
	static const int attr[2][2] = {
		{ KCLOUD_METER_VOL_A_READ_OPS, KCLOUD_METER_VOL_A_WRITE_OPS },
		{ KCLOUD_METER_VOL_A_READ_BYTES, KCLOUD_METER_VOL_A_WRITE_BYTES },
	};
	struct kcm_volume *v;
	int rem, err, d;
	u32 i;

	*nvs = 0;
	nla_for_each_nested(nla, stats, rem) {
		if (nla_type(nla) != KCLOUD_METER_STAT_A_VOL)
			continue;
		err = kcm_import_vol_parse(inst, nla, tb, &v, extack);
		if (err)
			return err;
		if (!v)
			continue;
		for (i = 0; i < *nvs; i++) {
			if (vs[i].v == v) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "a volume's sample given twice");
				return -EINVAL;
			}
		}
		vs[*nvs].v = v;
		memset(&vs[*nvs].s, 0, sizeof(vs[*nvs].s));
		for (d = 0; d < 2; d++) {
			u64 ops = tb[attr[0][d]] ? nla_get_u64(tb[attr[0][d]]) : 0;
			u64 kib = tb[attr[1][d]] ? nla_get_u64(tb[attr[1][d]]) >> 10 : 0;

			if (ops > U32_MAX || kib > U32_MAX) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "a volume's sample is too large");
				return -ERANGE;
			}
			vs[*nvs].s.ops[d] = ops;
			vs[*nvs].s.kib[d] = kib;
		}
		vs[*nvs].s.seconds = seconds;
		(*nvs)++;
	}
	return 0;
}

static int kcm_import_instance(struct kcm_net *kn, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct kcm_sample tot = {};
	struct kcm_instance *inst;
	struct kcm_snap net = {};
	struct nlattr *tb[KCLOUD_METER_STAT_A_MAX + 1], *nla;
	struct kcm_vol_import *vs;
	u32 nvs;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_INST_STATS))
		return -EINVAL;
	err = kcm_parse_stats(attrs[KCLOUD_METER_A_INST_STATS], info->extack, &tot, &net);
	if (err)
		return err;
	inst = kcm_instance_find(kn, nla_get_u32(attrs[KCLOUD_METER_A_INST_ID]));
	if (!inst) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_INST_ID],
				    "no instance with this id (register it first)");
		return -ENOENT;
	}

	/* One sample of the history. */
	if (attrs[KCLOUD_METER_A_USAGE_TIME]) {
		struct nlattr *time = attrs[KCLOUD_METER_A_USAGE_TIME];
		u32 res = 1;

		if (attrs[KCLOUD_METER_A_USAGE_RES])
			res = nla_get_u32(attrs[KCLOUD_METER_A_USAGE_RES]);
		if (res != 1 && res != 60) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_USAGE_RES],
					    "resolution must be 1 or 60 seconds");
			return -EINVAL;
		}
		if (!tot.seconds) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_INST_STATS],
					    "a sample needs its seconds");
			return -EINVAL;
		}
		vs = kcalloc(KCLOUD_METER_VOLUMES_MAX, sizeof(*vs), GFP_KERNEL);
		if (!vs)
			return -ENOMEM;
		err = kcm_import_vol_samples(inst, attrs[KCLOUD_METER_A_INST_STATS],
					     tot.seconds, vs, &nvs, info->extack);
		if (!err)
			err = kcm_ledger_import_sample(inst, res, nla_get_u64(time),
						       &tot, vs, nvs, info->extack);
		kfree(vs);
		return err;
	}

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_INST_START))
		return -EINVAL;
	if (inst->imported) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_INST_ID],
				    "this instance's ledger was imported already");
		return -EALREADY;
	}
	err = kcm_import_volumes(inst, attrs[KCLOUD_METER_A_INST_STATS], info->extack, false);
	if (err)
		return err;
	nla_parse_nested(tb, KCLOUD_METER_STAT_A_MAX, attrs[KCLOUD_METER_A_INST_STATS],
			 kcm_stats_policy, NULL);
	inst->imported = true;
	inst->start = min_t(time64_t, inst->start,
			    nla_get_u64(attrs[KCLOUD_METER_A_INST_START]));
	kcm_ledger_import(inst, &tot, &net);
	kcm_import_volumes(inst, attrs[KCLOUD_METER_A_INST_STATS], NULL, true);
	nla = tb[KCLOUD_METER_STAT_A_VOL_GONE_SECTOR_SEC];
	if (nla)
		inst->vol_gone_sector_sec += nla_get_u64(nla);
	return 0;
}

static int kcm_import_tenant(struct kcm_net *kn, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct kcm_tenant *t;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_BILL_CLOSED))
		return -EINVAL;
	t = kcm_tenant_get(kn, nla_data(attrs[KCLOUD_METER_A_INST_TENANT]));
	if (!t)
		return -ENOMEM;
	if (t->imported) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_INST_TENANT],
				    "this tenant's bill was imported already");
		return -EALREADY;
	}
	t->imported = true;
	t->closed += nla_get_u64(attrs[KCLOUD_METER_A_BILL_CLOSED]);
	return 0;
}

static int kcm_ledger_import_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	int err;

	if (!info->attrs[KCLOUD_METER_A_INST_ID] == !info->attrs[KCLOUD_METER_A_INST_TENANT]) {
		NL_SET_ERR_MSG_MOD(info->extack, "import one instance (id) or one tenant");
		return -EINVAL;
	}
	mutex_lock(&kn->lock);
	if (info->attrs[KCLOUD_METER_A_INST_ID])
		err = kcm_import_instance(kn, info);
	else
		err = kcm_import_tenant(kn, info);
	mutex_unlock(&kn->lock);
	return err;
}

/* ---- alarms ------------------------------------------------------------- */

static int kcm_fill_alarm(struct sk_buff *skb, const struct kcm_alarm *a, u32 portid,
			  u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kcloud_meter_family, flags,
			  KCLOUD_METER_CMD_GET_ALARM);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KCLOUD_METER_A_ALARM_ID, a->id) ||
	    nla_put_string(skb, KCLOUD_METER_A_ALARM_NAME, a->name) ||
	    nla_put_u32(skb, KCLOUD_METER_A_INST_ID, a->inst_id) ||
	    nla_put_u8(skb, KCLOUD_METER_A_ALARM_METRIC, a->metric) ||
	    nla_put_u8(skb, KCLOUD_METER_A_ALARM_STAT, a->stat) ||
	    nla_put_u32(skb, KCLOUD_METER_A_ALARM_PERIOD, a->period) ||
	    nla_put_u8(skb, KCLOUD_METER_A_ALARM_CMP, a->cmp) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_ALARM_THRESHOLD, a->threshold,
			      KCLOUD_METER_A_PAD) ||
	    nla_put_u32(skb, KCLOUD_METER_A_ALARM_M, a->m) ||
	    nla_put_u32(skb, KCLOUD_METER_A_ALARM_N, a->n) ||
	    nla_put_u8(skb, KCLOUD_METER_A_ALARM_MISSING, a->missing) ||
	    nla_put_u8(skb, KCLOUD_METER_A_ALARM_STATE, a->state) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_ALARM_CHANGED, a->changed,
			      KCLOUD_METER_A_PAD) ||
	    (a->has_value &&
	     nla_put_u64_64bit(skb, KCLOUD_METER_A_ALARM_VALUE, a->value, KCLOUD_METER_A_PAD))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * kcm_alarm_notify() - tell the "alarms" group that an alarm changed state
 * @kn: the namespace's meter state
 * @a: the alarm
 *
 * Context: kcm_net::lock held, process context.
 */
void kcm_alarm_notify(struct kcm_net *kn, struct kcm_alarm *a)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (kcm_fill_alarm(msg, a, 0, 0, 0)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&kcloud_meter_family, kn->net, msg, 0, KCM_MCGRP_ALARMS,
				GFP_KERNEL);
}

static int kcm_alarm_add(struct sk_buff *skb, struct genl_info *info)
{
	static const int required[] = {
		KCLOUD_METER_A_ALARM_ID, KCLOUD_METER_A_ALARM_NAME, KCLOUD_METER_A_INST_ID,
		KCLOUD_METER_A_ALARM_METRIC, KCLOUD_METER_A_ALARM_STAT,
		KCLOUD_METER_A_ALARM_PERIOD, KCLOUD_METER_A_ALARM_CMP,
		KCLOUD_METER_A_ALARM_THRESHOLD, KCLOUD_METER_A_ALARM_M,
		KCLOUD_METER_A_ALARM_N,
	};
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct kcm_alarm *a;
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (GENL_REQ_ATTR_CHECK(info, required[i]))
			return -EINVAL;
	if (!kcm_alarm_period_ok(nla_get_u32(attrs[KCLOUD_METER_A_ALARM_PERIOD]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_ALARM_PERIOD],
				    "period must be 1, 5, 10, 30 or a multiple of 60 up to 3600");
		return -EINVAL;
	}
	if (nla_get_u32(attrs[KCLOUD_METER_A_ALARM_M]) >
	    nla_get_u32(attrs[KCLOUD_METER_A_ALARM_N])) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_ALARM_M],
				    "M datapoints must not be more than N");
		return -EINVAL;
	}
	if (kcm_check_name(info, attrs[KCLOUD_METER_A_ALARM_NAME]))
		return -EINVAL;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->id = nla_get_u32(attrs[KCLOUD_METER_A_ALARM_ID]);
	nla_strscpy(a->name, attrs[KCLOUD_METER_A_ALARM_NAME], sizeof(a->name));
	a->inst_id = nla_get_u32(attrs[KCLOUD_METER_A_INST_ID]);
	a->metric = nla_get_u8(attrs[KCLOUD_METER_A_ALARM_METRIC]);
	a->stat = nla_get_u8(attrs[KCLOUD_METER_A_ALARM_STAT]);
	a->period = nla_get_u32(attrs[KCLOUD_METER_A_ALARM_PERIOD]);
	a->cmp = nla_get_u8(attrs[KCLOUD_METER_A_ALARM_CMP]);
	a->threshold = nla_get_u64(attrs[KCLOUD_METER_A_ALARM_THRESHOLD]);
	a->m = nla_get_u32(attrs[KCLOUD_METER_A_ALARM_M]);
	a->n = nla_get_u32(attrs[KCLOUD_METER_A_ALARM_N]);
	if (attrs[KCLOUD_METER_A_ALARM_MISSING])
		a->missing = nla_get_u8(attrs[KCLOUD_METER_A_ALARM_MISSING]);
	a->state = KCLOUD_METER_ALARM_INSUFFICIENT_DATA;
	a->changed = ktime_get_real_seconds();

	mutex_lock(&kn->lock);
	if (kcm_alarm_find(kn, a->id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_ALARM_ID],
				    "an alarm with this id exists");
		err = -EEXIST;
	} else if (kcm_alarm_find_name(kn, a->name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_ALARM_NAME],
				    "an alarm with this name exists");
		err = -EEXIST;
	} else if (!kcm_instance_find(kn, a->inst_id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_INST_ID],
				    "no instance with this id");
		err = -ENOENT;
	} else if (kn->nalarms >= KCLOUD_METER_ALARMS_MAX) {
		NL_SET_ERR_MSG_MOD(info->extack, "too many alarms in this namespace");
		err = -ENOSPC;
	} else {
		list_add_tail(&a->node, &kn->alarms);
		kn->nalarms++;
	}
	mutex_unlock(&kn->lock);
	if (err)
		kfree(a);
	return err;
}

static int kcm_alarm_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct kcm_alarm *a;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_ALARM_ID))
		return -EINVAL;
	mutex_lock(&kn->lock);
	a = kcm_alarm_find(kn, nla_get_u32(info->attrs[KCLOUD_METER_A_ALARM_ID]));
	if (a) {
		list_del(&a->node);
		kn->nalarms--;
	}
	mutex_unlock(&kn->lock);
	if (!a) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_METER_A_ALARM_ID],
				    "no alarm with this id");
		return -ENOENT;
	}
	kfree(a);
	return 0;
}

static int kcm_get_alarm_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct kcm_alarm *a;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_ALARM_ID))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&kn->lock);
	a = kcm_alarm_find(kn, nla_get_u32(info->attrs[KCLOUD_METER_A_ALARM_ID]));
	if (a) {
		err = kcm_fill_alarm(msg, a, info->snd_portid, info->snd_seq, 0);
	} else {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_METER_A_ALARM_ID],
				    "no alarm with this id");
		err = -ENOENT;
	}
	mutex_unlock(&kn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* GET_ALARM dump state: args[0] the number of alarms already sent. */
static int kcm_get_alarm_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcm_net *kn = kcm_net(sock_net(skb->sk));
	struct kcm_alarm *a;
	long i = 0;

	mutex_lock(&kn->lock);
	list_for_each_entry(a, &kn->alarms, node) {
		if (i++ < cb->args[0])
			continue;
		if (kcm_fill_alarm(skb, a, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				   NLM_F_MULTI))
			break;
		cb->args[0] = i;
	}
	mutex_unlock(&kn->lock);
	return skb->len;
}

static const struct genl_small_ops kcloud_meter_ops[] = {
	{
		.cmd	= KCLOUD_METER_CMD_GET_INFO,
		.doit	= kcm_get_info,
	},
	{
		.cmd	= KCLOUD_METER_CMD_INSTANCE_ADD,
		.doit	= kcm_instance_add,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_INSTANCE_DEL,
		.doit	= kcm_instance_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_INSTANCE_SET,
		.doit	= kcm_instance_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_GET_INSTANCE,
		.doit	= kcm_get_instance_doit,
		.dumpit	= kcm_get_instance_dumpit,
	},
	{
		.cmd	= KCLOUD_METER_CMD_GET_USAGE,
		.dumpit	= kcm_get_usage_dumpit,
	},
	{
		.cmd	= KCLOUD_METER_CMD_PRICE_SET,
		.doit	= kcm_price_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_GET_PRICE,
		.doit	= kcm_get_price,
	},
	{
		.cmd	= KCLOUD_METER_CMD_GET_BILL,
		.dumpit	= kcm_get_bill_dumpit,
	},
	{
		.cmd	= KCLOUD_METER_CMD_ALARM_ADD,
		.doit	= kcm_alarm_add,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_ALARM_DEL,
		.doit	= kcm_alarm_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_GET_ALARM,
		.doit	= kcm_get_alarm_doit,
		.dumpit	= kcm_get_alarm_dumpit,
	},
	{
		.cmd	= KCLOUD_METER_CMD_LEDGER_IMPORT,
		.doit	= kcm_ledger_import_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family kcloud_meter_family __ro_after_init = {
	.name		= KCLOUD_METER_GENL_NAME,
	.version	= KCLOUD_METER_GENL_VERSION,
	.maxattr	= KCLOUD_METER_A_MAX,
	.policy		= kcloud_meter_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= kcloud_meter_ops,
	.n_small_ops	= ARRAY_SIZE(kcloud_meter_ops),
	.resv_start_op	= __KCLOUD_METER_CMD_MAX,
	.mcgrps		= kcm_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kcm_mcgrps),
};

int __init kcloud_meter_genl_init(void)
{
	return genl_register_family(&kcloud_meter_family);
}

void kcloud_meter_genl_exit(void)
{
	genl_unregister_family(&kcloud_meter_family);
}
