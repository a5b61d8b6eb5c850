/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud: the configuration of meter_tc.bpf.c, shared by the program and the
 * tool that loads it (tools/kcloud/meter_attach.c). Addresses and masks are
 * in network byte order.
 */
#ifndef KCLOUD_BPF_METER_TC_H
#define KCLOUD_BPF_METER_TC_H

#define KCM_TC_PRIVATE_MAX	8

struct kcm_tc_range {
	__u32 addr;
	__u32 mask;
};

/* The single entry of the "kcm_config" map. */
struct kcm_tc_config {
	__u32 handle;		/* the instance's meter handle */
	__u32 nprivate;		/* ranges in private[] */
	struct kcm_tc_range vpc;	/* the instance's VPC (mask 0: none) */
	struct kcm_tc_range private[KCM_TC_PRIVATE_MAX];
};

/* Slots of the per-CPU "kcm_stats" map. */
enum kcm_tc_stat {
	KCM_TC_CHARGED,		/* packets charged to the instance */
	KCM_TC_REFUSED,		/* packets the kfunc refused (unknown handle) */
	KCM_TC_NOCONFIG,	/* packets seen before the config was set */
	KCM_TC_NSTATS
};

/* tc filter handle and priority of the two programs on a port. */
#define KCM_TC_HANDLE		0x6b63
#define KCM_TC_PRIO		1

#endif /* KCLOUD_BPF_METER_TC_H */
