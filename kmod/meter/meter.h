/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud_meter: the usage meter. Internal declarations shared by the
 * files of the module.
 */
#ifndef _KCLOUD_METER_H
#define _KCLOUD_METER_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <uapi/linux/kcloud_meter.h>

#define KCLOUD_METER_VERSION	"0.3.0"

#define KCM_NDIR	__KCLOUD_METER_DIR_MAX
#define KCM_NCLASS	__KCLOUD_METER_CLASS_MAX
#define KCM_SECTOR_SHIFT	9	/* volumes are billed by 512-byte sectors */

struct cgroup;
struct cgroup_subsys_state;
struct genl_info;
struct netlink_ext_ack;

/* Lock-free network counters, one copy per CPU. */
struct kcm_pcpu {
	u64_stats_t bytes[KCM_NDIR][KCM_NCLASS];
	u64_stats_t packets[KCM_NDIR][KCM_NCLASS];
	u64_stats_t blk_ops[2];		/* reads, writes */
	u64_stats_t blk_bytes[2];
	struct u64_stats_sync syncp;
};

/* One volume's lock-free counters, one copy per CPU. */
struct kcm_vol_pcpu {
	u64_stats_t ops[2];	/* reads, writes */
	u64_stats_t bytes[2];
	struct u64_stats_sync syncp;
};

/* The volume list of an instance, replaced as a whole (RCU). */
struct kcm_volumes {
	u32 n;
	struct rcu_head rcu;
	struct kcm_volume *v[];
};

/*
 * The usage of one sample (1 s or 60 s): 136 bytes, 30 to a 4 KiB page.
 * @seconds is 0 for a slot without data; memory.current over the sample is
 * @mem_byte_sec / @seconds.
 */
struct kcm_sample {
	u64 cpu_user_us;
	u64 cpu_system_us;
	u64 cpu_throttled_us;
	u64 mem_peak;
	u64 mem_byte_sec;
	u64 net_bytes[KCM_NDIR][KCM_NCLASS];
	u32 net_packets[KCM_NDIR][KCM_NCLASS];
	u32 seconds;
	u32 blk_ops[2];		/* reads, writes */
	u32 blk_kib[2];		/* KiB read, written */
	u32 nr_throttled;	/* periods throttled */
};

/*
 * One volume's I/O during a sample: 20 bytes, 204 to a 4 KiB page.
 * @seconds is 0 for a slot without data (the volume was not listed then).
 */
struct kcm_vsample {
	u32 ops[2];		/* reads, writes */
	u32 kib[2];		/* KiB read, written */
	u32 seconds;
};

/*
 * A ring of samples (struct kcm_sample or struct kcm_vsample) at one
 * resolution, allocated a page at a time as it fills: slot (t / res) % len
 * holds the sample that starts at second t. Each page holds @per samples of
 * @size bytes; the u32 at @seconds in a sample is 0 where it has no data.
 */
struct kcm_ring {
	void **chunks;
	u32 len;		/* samples */
	u32 res;		/* seconds per sample */
	u16 size;		/* bytes per sample */
	u16 seconds;		/* offset of its u32 seconds */
	u32 per;		/* samples per page */
	u64 newest;		/* index (t / res) of the newest slot, 0: none */
};

/*
 * A volume of an instance. The data path finds it in the instance's
 * kcm_volumes under RCU; the rest (its history included) is kcm_net::lock's.
 * Its history follows the instance's: a 1 s sample for every closed second
 * it was listed, and a 60 s one for every minute, closed with the
 * instance's.
 */
struct kcm_volume {
	char name[KCLOUD_METER_NAME_MAX];
	u32 dev;		/* major << 20 | minor, 0: none */
	u64 size;		/* bytes, a multiple of 512 */
	u64 sector_sec;		/* provisioned sectors x closed seconds */
	u64 carried_ops[2];	/* imported */
	u64 carried_bytes[2];
	u64 prev_ops[2];	/* counters at the last tick */
	u64 prev_bytes[2];
	struct kcm_vsample minute;	/* the instance's minute being filled */
	struct kcm_ring r1;
	struct kcm_ring r60;
	struct kcm_vol_pcpu __percpu *pcpu;
	struct rcu_head rcu;
};

/* A volume's part of an imported sample. */
struct kcm_vol_import {
	struct kcm_volume *v;
	struct kcm_vsample s;
};

/* Raw cumulative counters read at the end of the last second. */
struct kcm_snap {
	u64 cpu_rt_ns;		/* sum_exec_runtime */
	u64 cpu_user_ns;	/* adjusted as cpu.stat adjusts it */
	u64 cpu_system_ns;
	u64 throttled_us;	/* cpu.stat throttled_usec */
	u64 nr_throttled;	/* cpu.stat nr_throttled */
	u64 net_bytes[KCM_NDIR][KCM_NCLASS];
	u64 net_packets[KCM_NDIR][KCM_NCLASS];
	u64 blk_ops[2];
	u64 blk_bytes[2];
};

struct kcm_ledger {
	struct kcm_snap prev;	/* at the last tick */
	struct kcm_sample total;	/* since registration */
	struct kcm_sample minute;	/* the minute being filled */
	u64 minute_start;
	u64 mem_now;		/* memory.current at the last tick */
	u64 imp60_last;		/* newest 60 s sample imported, 0: none */
	struct kcm_ring r1;
	struct kcm_ring r60;
};

/*
 * Prices in nano-dollars: per vCPU-second, per GiB-second, per GB (1e9 B),
 * per GB-month of volume, per million I/Os.
 */
struct kcm_prices {
	u64 vcpu_sec;
	u64 gib_sec;
	u64 net_gb[KCM_NDIR][KCM_NCLASS];
	u64 vol_gb_month;
	u64 mio;
};

struct kcm_bill {
	u64 seconds;
	u64 compute;
	u64 memory;
	u64 net;
	u64 volume;
	u64 io;
	u64 total;
};

struct kcm_tenant {
	struct list_head node;
	char name[KCLOUD_METER_NAME_MAX];
	u64 closed;		/* billed to deleted instances */
	bool imported;
};

struct kcm_alarm {
	struct list_head node;
	u32 id;
	u32 inst_id;
	char name[KCLOUD_METER_NAME_MAX];
	u8 metric;
	u8 stat;
	u8 cmp;
	u8 missing;
	u8 state;		/* enum kcloud_meter_alarm_state */
	bool has_value;
	u32 period;
	u32 m;
	u32 n;
	u64 threshold;
	u32 breach;		/* bit i: the datapoint i periods ago breached */
	u32 present;		/* bit i: it had data */
	u64 value;		/* the last datapoint */
	time64_t changed;
};

/* Per-network-namespace state. */
struct kcm_net {
	struct net *net;
	struct mutex lock;		/* instances, ledger */
	struct xarray instances;	/* by id */
	DECLARE_HASHTABLE(names, 10);
	u32 count;
	struct kcm_prices prices;
	struct list_head tenants;
	struct list_head alarms;
	u32 nalarms;
	time64_t last_tick;
	struct delayed_work tick;
};

struct kcm_instance {
	struct kcm_net *kn;
	u32 id;
	u32 handle;
	char name[KCLOUD_METER_NAME_MAX];
	char tenant[KCLOUD_METER_NAME_MAX];
	struct kcm_tenant *tenant_ref;
	struct hlist_node name_node;

	struct cgroup *cgrp;
	struct cgroup_subsys_state *mem_css;
	char *cgroup_path;

	u32 vcpus;
	u64 memory;
	u32 nports;
	u32 ports[KCLOUD_METER_PORTS_MAX];
	struct kcm_volumes __rcu *vols;
	u64 vol_gone_sector_sec;	/* of volumes no longer listed */

	time64_t start;
	bool imported;
	struct kcm_snap carried;	/* net counters imported */
	struct kcm_pcpu __percpu *pcpu;
	atomic64_t net_refused;
	struct kcm_ledger ledger;
	struct rcu_head rcu;
};

/* main.c */
extern unsigned int kcm_net_id;

static inline struct kcm_net *kcm_net(const struct net *net)
{
	return net_generic(net, kcm_net_id);
}

/* instance.c */
struct kcm_instance *kcm_instance_alloc(struct kcm_net *kn, u32 id);
int kcm_instance_set_name(struct kcm_instance *inst, const char *name,
			  struct netlink_ext_ack *extack);
int kcm_instance_set_cgroup(struct kcm_instance *inst, const char *path, u64 cgid,
			    struct netlink_ext_ack *extack);
int kcm_instance_publish(struct kcm_instance *inst, struct netlink_ext_ack *extack);
void kcm_instance_destroy(struct kcm_instance *inst);
struct kcm_instance *kcm_instance_find(struct kcm_net *kn, u32 id);
struct kcm_instance *kcm_instance_find_name(struct kcm_net *kn, const char *name);
struct kcm_instance *kcm_instance_by_handle(u32 handle);
void kcm_instance_net_counters(struct kcm_instance *inst, struct kcm_snap *s);
void kcm_net_destroy_all(struct kcm_net *kn);
struct kcm_volumes *kcm_volumes_alloc(u32 n);
struct kcm_volume *kcm_volume_alloc(const char *name);
void kcm_volume_free(struct kcm_volume *v);
void kcm_volumes_free(struct kcm_volumes *vols);
struct kcm_volumes *kcm_instance_vols(struct kcm_instance *inst);
void kcm_instance_set_volumes(struct kcm_instance *inst, struct kcm_volumes *vols);
void kcm_volume_counters(struct kcm_volume *v, u64 ops[2], u64 bytes[2]);

/* ledger.c */
int kcm_ledger_init(struct kcm_instance *inst);
void kcm_ledger_rebase(struct kcm_instance *inst);
void kcm_ledger_free(struct kcm_instance *inst);
void kcm_volume_ledger_init(struct kcm_volume *v);
void kcm_volume_ledger_free(struct kcm_volume *v);
const struct kcm_vsample *kcm_volume_sample(struct kcm_volume *v, u32 res, u64 idx);
void kcm_ledger_start(struct kcm_net *kn);
void kcm_ledger_stop(struct kcm_net *kn);
const struct kcm_sample *kcm_ledger_sample(struct kcm_instance *inst, u32 res, u64 idx);
void kcm_ledger_totals(struct kcm_instance *inst, struct kcm_sample *s);
void kcm_ledger_import(struct kcm_instance *inst, const struct kcm_sample *tot,
		       const struct kcm_snap *net);
int kcm_ledger_import_sample(struct kcm_instance *inst, u32 res, u64 time,
			     const struct kcm_sample *s, const struct kcm_vol_import *vs,
			     u32 nvs, struct netlink_ext_ack *extack);

/* billing.c */
void kcm_bill_compute(struct kcm_instance *inst, struct kcm_bill *b);
struct kcm_tenant *kcm_tenant_get(struct kcm_net *kn, const char *name);
void kcm_bill_close(struct kcm_instance *inst);
u64 kcm_tenant_total(struct kcm_net *kn, struct kcm_tenant *t);
void kcm_tenants_free(struct kcm_net *kn);

/* alarm.c */
bool kcm_alarm_period_ok(u32 period);
struct kcm_alarm *kcm_alarm_find(struct kcm_net *kn, u32 id);
struct kcm_alarm *kcm_alarm_find_name(struct kcm_net *kn, const char *name);
void kcm_alarms_eval(struct kcm_net *kn, time64_t prev, time64_t now);
void kcm_alarms_free(struct kcm_net *kn);

/* kfunc.c: the kfuncs are global for BTF; programs find them by name. */
int kcm_kfunc_init(void);
int kcloud_meter_charge_net(u32 handle, u32 dir, u32 class, u32 bytes);
int kcloud_meter_charge_blk(u32 handle, u32 dev, u32 write, u32 bytes);

/* netlink.c */
void kcm_alarm_notify(struct kcm_net *kn, struct kcm_alarm *a);
int kcloud_meter_genl_init(void);
void kcloud_meter_genl_exit(void);

#endif /* _KCLOUD_METER_H */
