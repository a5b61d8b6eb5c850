/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kcloud_meter: per-instance usage ledger, billing and alarms; generic netlink API.
 *
 * Family name: KCLOUD_METER_GENL_NAME ("kcloud_meter"), version
 * KCLOUD_METER_GENL_VERSION. Every network namespace has its own objects: a
 * request acts on the objects of the namespace of the socket it came from.
 *
 * Commands that change state need CAP_NET_ADMIN in the user namespace that
 * owns the network namespace (GENL_UNS_ADMIN_PERM); they fail with -EPERM
 * otherwise. Every rejected request carries an extended ack message that
 * names the attribute at fault.
 *
 * An instance is a guest: the cgroup v2 that holds its qemu process and
 * threads, the ports (network devices, by ifindex) and volumes (by name) that
 * belong to it, and an instance type (vCPUs, memory) used for pricing. Its
 * usage is collected without polling from userspace:
 *  - network: a BPF tc program on each port calls the kfunc
 *    kcloud_meter_charge_net(handle, dir, class, bytes) (see below);
 *  - CPU and memory: once a second the module reads the cgroup's own
 *    statistics (the per-CPU rstat counters behind cpu.stat, and the memory
 *    controller's page counter behind memory.current and memory.peak).
 * A per-second timer closes each second's bucket into the instance's ledger:
 * the last 3600 seconds at 1 s resolution and the last 21600 minutes (15
 * days) at 60 s resolution.
 *
 * KCLOUD_METER_CMD_GET_INFO (do)
 *   Request: no attributes.
 *   Reply:
 *     KCLOUD_METER_A_INFO_VERSION   NLA_NUL_STRING  module version, "X.Y.Z"
 *     KCLOUD_METER_A_INFO_FEATURES  NLA_U64         KCLOUD_METER_F_* bits that
 *                                                   this module implements
 *
 * KCLOUD_METER_CMD_INSTANCE_ADD (do, admin)
 *   Registers an instance. The ledger starts at the next second.
 *     KCLOUD_METER_A_INST_ID           NLA_U32 (required) 1..2^31-1, unique
 *                                      in the namespace
 *     KCLOUD_METER_A_INST_NAME         NLA_NUL_STRING (required) at most
 *                                      KCLOUD_METER_NAME_MAX - 1 bytes,
 *                                      unique in the namespace
 *     KCLOUD_METER_A_INST_TENANT       NLA_NUL_STRING, at most
 *                                      KCLOUD_METER_NAME_MAX - 1 bytes;
 *                                      "" (the default) for none
 *     KCLOUD_METER_A_INST_CGROUP_PATH  NLA_NUL_STRING, a cgroup v2 path
 *                                      relative to the root of the cgroup
 *                                      hierarchy ("/kcloud/i-1")
 *     KCLOUD_METER_A_INST_CGROUP_ID    NLA_U64, a cgroup v2 id (the inode
 *                                      number of its directory). At most one
 *                                      of PATH and ID; the module holds a
 *                                      reference on the cgroup while the
 *                                      instance uses it. Without a cgroup,
 *                                      CPU and memory read 0.
 *     KCLOUD_METER_A_INST_VCPUS        NLA_U32 1..KCLOUD_METER_VCPUS_MAX
 *                                      (default 1)
 *     KCLOUD_METER_A_INST_MEMORY       NLA_U64 bytes, 0..2^50 (default 0)
 *     KCLOUD_METER_A_INST_PORTS        nest of KCLOUD_METER_A_INST_PORT
 *                                      (NLA_U32, the ifindex of a device of
 *                                      this namespace), at most
 *                                      KCLOUD_METER_PORTS_MAX, no duplicates
 *     KCLOUD_METER_A_INST_VOLUMES      nest of KCLOUD_METER_A_INST_VOLUME
 *                                      (NLA_NUL_STRING, a volume name), at
 *                                      most KCLOUD_METER_VOLUMES_MAX
 *   Errors: EEXIST (id or name taken), ENOENT (cgroup or port not found),
 *   EINVAL (bad or conflicting attributes), ENOSPC (too many instances,
 *   KCLOUD_METER_INSTANCES_MAX per namespace).
 *   Event: KCLOUD_METER_CMD_INSTANCE_ADD with the instance's attributes to
 *   the "monitor" multicast group.
 *
 * KCLOUD_METER_CMD_INSTANCE_DEL (do, admin)
 *     KCLOUD_METER_A_INST_ID or KCLOUD_METER_A_INST_NAME (one of them)
 *   Forgets the instance and its ledger; the cgroup reference is dropped.
 *   BPF programs still charging its handle have their charges refused
 *   (kcloud_meter_charge_net() returns -ENOENT).
 *   Event: KCLOUD_METER_CMD_INSTANCE_DEL with ID and NAME.
 *
 * KCLOUD_METER_CMD_INSTANCE_SET (do, admin)
 *     KCLOUD_METER_A_INST_ID (required), then any of NAME, TENANT,
 *     CGROUP_PATH or CGROUP_ID, VCPUS, MEMORY. PORTS and VOLUMES, when
 *     present, replace the whole list (an empty nest empties it). Nothing
 *     changes when the request is refused.
 *   Event: KCLOUD_METER_CMD_INSTANCE_SET with the new attributes.
 *
 * KCLOUD_METER_CMD_GET_INSTANCE (do, dump)
 *   Request (do): KCLOUD_METER_A_INST_ID or KCLOUD_METER_A_INST_NAME.
 *   Request (dump): no attributes; every instance of the namespace, by id.
 *   Reply, one message per instance:
 *     ID, NAME, TENANT, CGROUP_ID (when set), CGROUP_PATH (when set), VCPUS,
 *     MEMORY, PORTS, VOLUMES,
 *     KCLOUD_METER_A_INST_HANDLE  NLA_U32 the global handle that BPF
 *                                 programs pass to the kfuncs
 *     KCLOUD_METER_A_INST_START   NLA_U64 registration time, seconds since
 *                                 the epoch (CLOCK_REALTIME)
 *     KCLOUD_METER_A_INST_STATS   nest of KCLOUD_METER_STAT_A_*: the
 *                                 cumulative usage since registration
 *
 * KCLOUD_METER_CMD_GET_USAGE (dump)
 *   The ledger, oldest sample first.
 *     KCLOUD_METER_A_INST_ID         NLA_U32 optional: one instance only
 *     KCLOUD_METER_A_USAGE_RES       NLA_U32 1 or 60 (seconds; default 1)
 *     KCLOUD_METER_A_USAGE_SINCE     NLA_U32 only samples that closed in
 *                                    the last SINCE seconds (default and
 *                                    maximum: the ring's span, 3600 s at
 *                                    1 s, 1296000 s at 60 s)
 *   Reply, one message per sample:
 *     KCLOUD_METER_A_INST_ID, KCLOUD_METER_A_INST_NAME,
 *     KCLOUD_METER_A_USAGE_RES,
 *     KCLOUD_METER_A_USAGE_TIME      NLA_U64 the sample's first second
 *                                    (seconds since the epoch)
 *     KCLOUD_METER_A_INST_STATS      the usage during the sample
 *
 * Usage statistics, nested in KCLOUD_METER_A_INST_STATS (NLA_U64 unless
 * noted):
 *   KCLOUD_METER_STAT_A_CPU_USAGE_US   CPU time of the cgroup's tasks, usec
 *   KCLOUD_METER_STAT_A_CPU_USER_US    user part of it (split as cpu.stat
 *                                      splits it: scaled tick samples)
 *   KCLOUD_METER_STAT_A_CPU_SYSTEM_US  system part of it
 *   KCLOUD_METER_STAT_A_MEM_CURRENT    bytes, at the end of the sample
 *                                      (memory.current)
 *   KCLOUD_METER_STAT_A_MEM_PEAK       bytes, the largest memory.current
 *                                      seen at a sample's end
 *   KCLOUD_METER_STAT_A_MEM_BYTE_SEC   sum over the seconds of memory.current
 *                                      (bytes x seconds, for billing)
 *   KCLOUD_METER_STAT_A_NET            nest, repeated, one per direction and
 *                                      destination class with traffic:
 *     KCLOUD_METER_NET_A_DIR           NLA_U8 enum kcloud_meter_dir
 *     KCLOUD_METER_NET_A_CLASS         NLA_U8 enum kcloud_meter_class
 *     KCLOUD_METER_NET_A_BYTES         NLA_U64 bytes (L2 frame length)
 *     KCLOUD_METER_NET_A_PACKETS       NLA_U64 packets
 *   KCLOUD_METER_STAT_A_SECONDS        NLA_U32 seconds the sample covers
 *                                      (samples only) or seconds since
 *                                      registration (instance totals)
 *   KCLOUD_METER_STAT_A_NET_REFUSED    charges refused by the kfunc for a
 *                                      bad direction or class (totals only)
 *
 * Multicast group "monitor": INSTANCE_ADD, INSTANCE_DEL and INSTANCE_SET
 * events as described above.
 *
 * BPF kfuncs (module BTF; tc (BPF_PROG_TYPE_SCHED_CLS) programs):
 *
 *   int kcloud_meter_charge_net(u32 handle, u32 dir, u32 class, u32 bytes);
 *
 *     Charges one packet of @bytes to the instance whose handle is @handle,
 *     in direction @dir (enum kcloud_meter_dir) and destination class @class
 *     (enum kcloud_meter_class). Lock-free (per-CPU counters). Returns 0,
 *     -ENOENT when no instance has this handle, -EINVAL for a bad @dir or
 *     @class (counted in NET_REFUSED).
 *
 * The module refuses to load (and says why in the kernel log) when its BTF
 * or its kfunc set is missing, rather than count nothing.
 */
#ifndef _UAPI_LINUX_KCLOUD_METER_H
#define _UAPI_LINUX_KCLOUD_METER_H

#define KCLOUD_METER_GENL_NAME		"kcloud_meter"
#define KCLOUD_METER_GENL_VERSION	1
#define KCLOUD_METER_MCGRP_MONITOR	"monitor"

#define KCLOUD_METER_NAME_MAX		32	/* with the NUL */
#define KCLOUD_METER_PATH_MAX		4096	/* with the NUL */
#define KCLOUD_METER_VCPUS_MAX		4096
#define KCLOUD_METER_PORTS_MAX		16
#define KCLOUD_METER_VOLUMES_MAX	16
#define KCLOUD_METER_INSTANCES_MAX	65536
#define KCLOUD_METER_RING_1S		3600	/* samples at 1 s */
#define KCLOUD_METER_RING_60S		21600	/* samples at 60 s */

/* Features reported by KCLOUD_METER_CMD_GET_INFO. */
enum kcloud_meter_feature {
	KCLOUD_METER_F_INFO = 1ULL << 0,	/* GET_INFO: always set */
	KCLOUD_METER_F_INSTANCE = 1ULL << 1,	/* instances, monitor group */
	KCLOUD_METER_F_NET_KFUNC = 1ULL << 2,	/* kcloud_meter_charge_net() */
	KCLOUD_METER_F_LEDGER = 1ULL << 3,	/* GET_USAGE, CPU, memory */
};

/* Direction, seen from the instance. */
enum kcloud_meter_dir {
	KCLOUD_METER_DIR_IN,		/* received by the instance */
	KCLOUD_METER_DIR_OUT,		/* sent by the instance */
	__KCLOUD_METER_DIR_MAX
};

/* Class of the remote address of a packet. */
enum kcloud_meter_class {
	KCLOUD_METER_CLASS_VPC,		/* inside the instance's VPC */
	KCLOUD_METER_CLASS_PRIVATE,	/* another private range (another VPC) */
	KCLOUD_METER_CLASS_INTERNET,	/* anything else */
	__KCLOUD_METER_CLASS_MAX
};

enum kcloud_meter_cmd {
	KCLOUD_METER_CMD_UNSPEC,
	KCLOUD_METER_CMD_GET_INFO,
	KCLOUD_METER_CMD_INSTANCE_ADD,
	KCLOUD_METER_CMD_INSTANCE_DEL,
	KCLOUD_METER_CMD_INSTANCE_SET,
	KCLOUD_METER_CMD_GET_INSTANCE,
	KCLOUD_METER_CMD_GET_USAGE,

	__KCLOUD_METER_CMD_MAX,
	KCLOUD_METER_CMD_MAX = __KCLOUD_METER_CMD_MAX - 1
};

enum kcloud_meter_attr {
	KCLOUD_METER_A_UNSPEC,
	KCLOUD_METER_A_INFO_VERSION,
	KCLOUD_METER_A_INFO_FEATURES,
	KCLOUD_METER_A_PAD,
	KCLOUD_METER_A_INST_ID,
	KCLOUD_METER_A_INST_NAME,
	KCLOUD_METER_A_INST_TENANT,
	KCLOUD_METER_A_INST_CGROUP_PATH,
	KCLOUD_METER_A_INST_CGROUP_ID,
	KCLOUD_METER_A_INST_VCPUS,
	KCLOUD_METER_A_INST_MEMORY,
	KCLOUD_METER_A_INST_PORT,
	KCLOUD_METER_A_INST_VOLUME,
	KCLOUD_METER_A_INST_PORTS,
	KCLOUD_METER_A_INST_VOLUMES,
	KCLOUD_METER_A_INST_HANDLE,
	KCLOUD_METER_A_INST_START,
	KCLOUD_METER_A_INST_STATS,
	KCLOUD_METER_A_USAGE_RES,
	KCLOUD_METER_A_USAGE_SINCE,
	KCLOUD_METER_A_USAGE_TIME,

	__KCLOUD_METER_A_MAX,
	KCLOUD_METER_A_MAX = __KCLOUD_METER_A_MAX - 1
};

enum kcloud_meter_stat_attr {
	KCLOUD_METER_STAT_A_UNSPEC,
	KCLOUD_METER_STAT_A_PAD,
	KCLOUD_METER_STAT_A_CPU_USAGE_US,
	KCLOUD_METER_STAT_A_CPU_USER_US,
	KCLOUD_METER_STAT_A_CPU_SYSTEM_US,
	KCLOUD_METER_STAT_A_MEM_CURRENT,
	KCLOUD_METER_STAT_A_MEM_PEAK,
	KCLOUD_METER_STAT_A_MEM_BYTE_SEC,
	KCLOUD_METER_STAT_A_NET,
	KCLOUD_METER_STAT_A_SECONDS,
	KCLOUD_METER_STAT_A_NET_REFUSED,

	__KCLOUD_METER_STAT_A_MAX,
	KCLOUD_METER_STAT_A_MAX = __KCLOUD_METER_STAT_A_MAX - 1
};

enum kcloud_meter_net_attr {
	KCLOUD_METER_NET_A_UNSPEC,
	KCLOUD_METER_NET_A_PAD,
	KCLOUD_METER_NET_A_DIR,
	KCLOUD_METER_NET_A_CLASS,
	KCLOUD_METER_NET_A_BYTES,
	KCLOUD_METER_NET_A_PACKETS,

	__KCLOUD_METER_NET_A_MAX,
	KCLOUD_METER_NET_A_MAX = __KCLOUD_METER_NET_A_MAX - 1
};

#endif /* _UAPI_LINUX_KCLOUD_METER_H */
