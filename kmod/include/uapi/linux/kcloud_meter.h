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
 *  - block I/O: a BPF tp_btf program on block_rq_complete calls the kfunc
 *    kcloud_meter_charge_blk(handle, dev, write, bytes) for the devices
 *    mapped to the instance; the instance's volumes whose device (dev_t) is
 *    registered are also counted one by one;
 *  - CPU and memory: once a second the module reads the cgroup's own
 *    statistics (the per-CPU rstat counters behind cpu.stat, the CFS
 *    bandwidth counters behind cpu.stat's nr_throttled and throttled_usec
 *    (read as cpu.stat prints them), and the memory controller's page
 *    counter behind memory.current and memory.peak).
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
 *     KCLOUD_METER_A_INST_VOLUMES      nest of volumes, at most
 *                                      KCLOUD_METER_VOLUMES_MAX, each either
 *                                      KCLOUD_METER_A_INST_VOLUME
 *                                      (NLA_NUL_STRING, a volume name: no
 *                                      device, size 0) or
 *                                      KCLOUD_METER_A_INST_VOL, a nest of:
 *       KCLOUD_METER_VOL_A_NAME  NLA_NUL_STRING (required) unique in the list
 *       KCLOUD_METER_VOL_A_DEV   NLA_U32 its block device, as the kernel
 *                                encodes a dev_t (major << 20 | minor); 0
 *                                (the default) for none. The block I/O
 *                                charged to the instance on this device is
 *                                counted on this volume too.
 *       KCLOUD_METER_VOL_A_SIZE  NLA_U64 provisioned size in bytes, a
 *                                multiple of 512, at most 2^50 (default 0),
 *                                billed per GB-month
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
 *     present, replace the whole list (an empty nest empties it); a volume
 *     that keeps its name keeps its counters (its device and size may
 *     change); a volume that goes keeps what it was billed (its provisioned
 *     sector-seconds stay in the instance's bill). Nothing changes when the
 *     request is refused.
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
 *   KCLOUD_METER_STAT_A_BLK_READ_OPS, _WRITE_OPS    block requests completed
 *                                      on the instance's volumes
 *   KCLOUD_METER_STAT_A_BLK_READ_BYTES, _WRITE_BYTES  their bytes (exact in
 *                                      totals; samples keep whole KiB)
 *   KCLOUD_METER_STAT_A_CPU_THROTTLED_US  time the cgroup's tasks were
 *                                      throttled by its cpu.max, usec (the
 *                                      growth of cpu.stat's throttled_usec)
 *   KCLOUD_METER_STAT_A_CPU_NR_THROTTLED  NLA_U32 periods in which it was
 *                                      throttled (cpu.stat's nr_throttled);
 *                                      both 0 where the cgroup has no cpu
 *                                      controller
 *   KCLOUD_METER_STAT_A_VOL            nest, repeated, one per volume of the
 *                                      instance:
 *     KCLOUD_METER_VOL_A_NAME, _DEV, _SIZE as registered (NAME only in
 *                                    samples),
 *     KCLOUD_METER_VOL_A_READ_OPS, _WRITE_OPS    NLA_U64 requests completed
 *     KCLOUD_METER_VOL_A_READ_BYTES, _WRITE_BYTES  NLA_U64 their bytes, exact
 *                                    in totals, whole KiB in samples
 *     KCLOUD_METER_VOL_A_SECTOR_SEC  NLA_U64 provisioned 512-byte sectors
 *                                    times the closed seconds it had them
 *                                    (totals only)
 *                                      A sample has one per volume listed
 *                                      now that was listed during the sample
 *                                      (a volume's history is kept with it:
 *                                      taken off the list, it is gone; its
 *                                      1 s and 60 s samples close with the
 *                                      instance's)
 *   KCLOUD_METER_STAT_A_VOL_GONE_SECTOR_SEC  the SECTOR_SEC of volumes no
 *                                      longer in the list (totals only)
 *   (MEM_CURRENT of a sample is its average: MEM_BYTE_SEC / SECONDS.)
 *
 * KCLOUD_METER_CMD_PRICE_SET (do, admin)
 *   Sets prices of the namespace (all in nano-dollars, 1e-9 USD; 0 when not
 *   given: the table is replaced as a whole):
 *     KCLOUD_METER_A_PRICE_VCPU_SEC  NLA_U64 per vCPU-second of the instance
 *                                    type
 *     KCLOUD_METER_A_PRICE_GIB_SEC   NLA_U64 per GiB-second of the instance
 *                                    type's memory
 *     KCLOUD_METER_A_PRICE_NET       nest, repeated: NET_A_DIR, NET_A_CLASS,
 *                                    NET_A_PRICE (NLA_U64, per GB = 1e9
 *                                    bytes) for one direction and class
 *     KCLOUD_METER_A_PRICE_VOL_GB_MONTH  NLA_U64 per GB-month of provisioned
 *                                    volume size: 1e9 bytes for a month of
 *                                    KCLOUD_METER_MONTH_SEC (30 days)
 *     KCLOUD_METER_A_PRICE_MIO       NLA_U64 per million I/Os (block
 *                                    requests completed, read or write)
 *   Each price is at most KCLOUD_METER_PRICE_MAX.
 *
 * KCLOUD_METER_CMD_GET_PRICE (do)
 *   Reply: the attributes of PRICE_SET, every direction and class.
 *
 * KCLOUD_METER_CMD_GET_BILL (dump)
 *   Request: KCLOUD_METER_A_INST_TENANT optional: one tenant only.
 *   Billing follows EC2's per-second rule: an instance is billed for the
 *   seconds since its registration (closed seconds of its ledger), at least
 *   60 (the minimum per start). Amounts are exact integers: each product is
 *   computed in 128 bits and truncated once to whole nano-dollars (an amount
 *   that would not fit in 64 bits reads U64_MAX, it never wraps):
 *     compute = billed_seconds * vcpus * PRICE_VCPU_SEC
 *     memory  = billed_seconds * memory_bytes * PRICE_GIB_SEC / 2^30
 *     net     = sum over dir, class of bytes * PRICE_NET / 1e9
 *     volume  = sector_sec * PRICE_VOL_GB_MONTH / 5062500000000
 *               (sector_sec: the sum of the volumes' VOL_A_SECTOR_SEC and
 *               VOL_GONE_SECTOR_SEC; 5062500000000 = 1e9 / 512 *
 *               KCLOUD_METER_MONTH_SEC: a GB-month in sector-seconds).
 *               Volumes are billed the seconds they were provisioned,
 *               without the 60 s minimum.
 *     io      = (BLK_READ_OPS + BLK_WRITE_OPS) * PRICE_MIO / 1e6
 *   Replies: one message per instance, by id:
 *     INST_ID, INST_NAME, INST_TENANT,
 *     KCLOUD_METER_A_BILL_SECONDS  NLA_U64 billed seconds
 *     KCLOUD_METER_A_BILL_COMPUTE, _MEMORY, _NET, _VOLUME, _IO, _TOTAL
 *                                  NLA_U64 nano-dollars
 *   then one message per tenant (no INST_ID):
 *     INST_TENANT,
 *     KCLOUD_METER_A_BILL_CLOSED  NLA_U64 what its deleted instances were
 *                                 billed (kept until the module unloads)
 *     KCLOUD_METER_A_BILL_TOTAL   the sum of its instances' totals and CLOSED
 *   A deleted instance's bill is final: it is added to its tenant's CLOSED
 *   once, when it is deleted.
 *
 * KCLOUD_METER_CMD_LEDGER_IMPORT (do, admin)
 *   Carries usage over a module reload (or a host move): what the tool saved
 *   from GET_INSTANCE and GET_BILL before is added back, once.
 *   Either, for an instance registered again with the same id:
 *     KCLOUD_METER_A_INST_ID
 *     KCLOUD_METER_A_INST_START   NLA_U64 its original registration time
 *     KCLOUD_METER_A_INST_STATS   the totals it had: CPU_USER_US,
 *                                 CPU_SYSTEM_US, CPU_THROTTLED_US,
 *                                 CPU_NR_THROTTLED, MEM_PEAK, MEM_BYTE_SEC,
 *                                 SECONDS, NET (bytes and packets by
 *                                 direction and class), BLK_* and
 *                                 VOL_GONE_SECTOR_SEC are added to its
 *                                 totals (so billed seconds continue: the
 *                                 60 s minimum is not charged twice); each
 *                                 VOL (by name) is added to the volume of
 *                                 that name, or, when it has none, its
 *                                 SECTOR_SEC to VOL_GONE_SECTOR_SEC
 *   or, for one sample of an instance's history (after its totals):
 *     KCLOUD_METER_A_INST_ID
 *     KCLOUD_METER_A_USAGE_RES    NLA_U32 1 or 60
 *     KCLOUD_METER_A_USAGE_TIME   NLA_U64 the sample's first second, a
 *                                 multiple of RES, closed, within the
 *                                 ring's span
 *     KCLOUD_METER_A_INST_STATS   the sample as GET_USAGE gave it
 *                                 (SECONDS 1.. required), with its VOL
 *                                 nests (by NAME; a volume the instance
 *                                 does not list is left out; a name twice
 *                                 is EINVAL; ops and KiB up to U32_MAX)
 *     The sample goes to its empty slot (EEXIST when the slot has one:
 *     nothing twice); it is not added to the totals (they come with the
 *     instance's import). A 1 s sample of a minute that no imported 60 s
 *     sample covers is also added to that minute's 60 s sample (the one
 *     being filled, or the closed one), so that a minute cut by the reload
 *     adds up: import the 60 s samples before the 1 s ones.
 *   or, for a tenant:
 *     KCLOUD_METER_A_INST_TENANT, KCLOUD_METER_A_BILL_CLOSED  added to what
 *                                 the tenant's deleted instances were billed
 *   Each instance's totals and each tenant accept one import (EALREADY
 *   after that): nothing is counted twice.
 *
 * KCLOUD_METER_CMD_ALARM_ADD (do, admin)
 *   An alarm on one metric of one instance, evaluated as CloudWatch does:
 *   at the end of every period, the statistic of the metric's 1 s samples
 *   over the period is one datapoint; it breaches when it compares to the
 *   threshold as asked; the alarm is in ALARM when at least M of the last N
 *   datapoints breach, OK otherwise, INSUFFICIENT_DATA when none of the last
 *   N datapoints has data (with the "missing" treatment).
 *     KCLOUD_METER_A_ALARM_ID         NLA_U32 (required) 1..2^31-1
 *     KCLOUD_METER_A_ALARM_NAME       NLA_NUL_STRING (required), unique
 *     KCLOUD_METER_A_INST_ID          NLA_U32 (required) the instance; a
 *                                     deleted instance has no data
 *     KCLOUD_METER_A_ALARM_METRIC     NLA_U8 enum kcloud_meter_metric
 *     KCLOUD_METER_A_ALARM_STAT       NLA_U8 enum kcloud_meter_stat
 *     KCLOUD_METER_A_ALARM_PERIOD     NLA_U32 seconds: 1, 5, 10, 30 or a
 *                                     multiple of 60 up to 3600
 *     KCLOUD_METER_A_ALARM_CMP        NLA_U8 enum kcloud_meter_cmp
 *     KCLOUD_METER_A_ALARM_THRESHOLD  NLA_U64 in the metric's unit
 *     KCLOUD_METER_A_ALARM_M          NLA_U32 datapoints to alarm, 1..N
 *     KCLOUD_METER_A_ALARM_N          NLA_U32 datapoints evaluated,
 *                                     1..KCLOUD_METER_ALARM_N_MAX
 *     KCLOUD_METER_A_ALARM_MISSING    NLA_U8 enum kcloud_meter_missing
 *                                     (default MISSING)
 *   At most KCLOUD_METER_ALARMS_MAX alarms per namespace. A new alarm is in
 *   INSUFFICIENT_DATA until its first datapoint.
 *
 * KCLOUD_METER_CMD_ALARM_DEL (do, admin)
 *     KCLOUD_METER_A_ALARM_ID
 *
 * KCLOUD_METER_CMD_GET_ALARM (do, dump)
 *   Request (do): KCLOUD_METER_A_ALARM_ID.
 *   Reply: the attributes of ALARM_ADD and
 *     KCLOUD_METER_A_ALARM_STATE      NLA_U8 enum kcloud_meter_alarm_state
 *     KCLOUD_METER_A_ALARM_VALUE      NLA_U64 the last datapoint (absent
 *                                     when it had no data)
 *     KCLOUD_METER_A_ALARM_CHANGED    NLA_U64 when the state last changed
 *                                     (seconds since the epoch)
 *   Every state change is sent as a GET_ALARM message to the "alarms"
 *   multicast group.
 *
 * Multicast group "monitor": INSTANCE_ADD, INSTANCE_DEL and INSTANCE_SET
 * events as described above.
 *
 * BPF kfuncs (module BTF; tc (BPF_PROG_TYPE_SCHED_CLS) and tracing
 * programs):
 *
 *   int kcloud_meter_charge_net(u32 handle, u32 dir, u32 class, u32 bytes);
 *
 *     Charges one packet of @bytes to the instance whose handle is @handle,
 *     in direction @dir (enum kcloud_meter_dir) and destination class @class
 *     (enum kcloud_meter_class). Lock-free (per-CPU counters). Returns 0,
 *     -ENOENT when no instance has this handle, -EINVAL for a bad @dir or
 *     @class (counted in NET_REFUSED).
 *
 *   int kcloud_meter_charge_blk(u32 handle, u32 dev, u32 write, u32 bytes);
 *
 *     Charges one completed block request of @bytes on device @dev (major
 *     << 20 | minor) to the instance, as a read (@write 0) or a write (1),
 *     and to its volume on @dev if it has one. Lock-free. Returns 0,
 *     -ENOENT for an unknown handle, -EINVAL for a bad @write.
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
#define KCLOUD_METER_PRICE_MAX		1000000000000ULL	/* 1000 USD */
#define KCLOUD_METER_BILL_MIN_SEC	60
#define KCLOUD_METER_MONTH_SEC		2592000	/* a GB-month's month: 30 days */
#define KCLOUD_METER_VOL_SIZE_MAX	0x4000000000000ULL	/* 2^50 bytes */
#define KCLOUD_METER_ALARMS_MAX		4096
#define KCLOUD_METER_ALARM_N_MAX	32
#define KCLOUD_METER_MCGRP_ALARMS	"alarms"

/* Features reported by KCLOUD_METER_CMD_GET_INFO. */
enum kcloud_meter_feature {
	KCLOUD_METER_F_INFO = 1ULL << 0,	/* GET_INFO: always set */
	KCLOUD_METER_F_INSTANCE = 1ULL << 1,	/* instances, monitor group */
	KCLOUD_METER_F_NET_KFUNC = 1ULL << 2,	/* kcloud_meter_charge_net() */
	KCLOUD_METER_F_LEDGER = 1ULL << 3,	/* GET_USAGE, CPU, memory */
	KCLOUD_METER_F_BILLING = 1ULL << 4,	/* PRICE_SET, GET_PRICE, GET_BILL */
	KCLOUD_METER_F_ALARM = 1ULL << 5,	/* ALARM_*, alarms group */
	KCLOUD_METER_F_IMPORT = 1ULL << 6,	/* LEDGER_IMPORT */
	KCLOUD_METER_F_VOLUME = 1ULL << 7,	/* INST_VOL, per-volume I/O, prices */
	KCLOUD_METER_F_THROTTLE = 1ULL << 8,	/* CPU_THROTTLED_US, _NR_THROTTLED */
	KCLOUD_METER_F_HISTORY = 1ULL << 9,	/* LEDGER_IMPORT of samples */
	KCLOUD_METER_F_VOLUME_HISTORY = 1ULL << 10,	/* STAT_A_VOL in samples */
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

/* What an alarm watches: the per-second value of... */
enum kcloud_meter_metric {
	KCLOUD_METER_METRIC_CPU_US,		/* CPU time, usec (needs a cgroup) */
	KCLOUD_METER_METRIC_MEM_BYTES,		/* memory.current (needs a cgroup) */
	KCLOUD_METER_METRIC_NET_IN_BYTES,	/* bytes received, all classes */
	KCLOUD_METER_METRIC_NET_OUT_BYTES,	/* bytes sent, all classes */
	KCLOUD_METER_METRIC_NET_IN_PACKETS,
	KCLOUD_METER_METRIC_NET_OUT_PACKETS,
	KCLOUD_METER_METRIC_CPU_THROTTLED_US,	/* throttled time, usec */
	KCLOUD_METER_METRIC_BLK_READ_BYTES,	/* bytes read, all volumes */
	KCLOUD_METER_METRIC_BLK_WRITE_BYTES,	/* bytes written, all volumes */
	KCLOUD_METER_METRIC_BLK_OPS,		/* block requests, read or write */
	__KCLOUD_METER_METRIC_MAX
};

enum kcloud_meter_stat {
	KCLOUD_METER_STAT_AVG,		/* integer average, truncated */
	KCLOUD_METER_STAT_SUM,
	KCLOUD_METER_STAT_MIN,
	KCLOUD_METER_STAT_MAX,
	__KCLOUD_METER_STAT_MAX
};

enum kcloud_meter_cmp {
	KCLOUD_METER_CMP_GT,		/* datapoint > threshold breaches */
	KCLOUD_METER_CMP_GE,
	KCLOUD_METER_CMP_LT,
	KCLOUD_METER_CMP_LE,
	__KCLOUD_METER_CMP_MAX
};

/* How a datapoint without data counts. */
enum kcloud_meter_missing {
	KCLOUD_METER_MISSING_MISSING,	/* not at all; none of N: INSUFFICIENT */
	KCLOUD_METER_MISSING_IGNORE,	/* the state stays as it is */
	KCLOUD_METER_MISSING_BREACHING,
	KCLOUD_METER_MISSING_NOT_BREACHING,
	__KCLOUD_METER_MISSING_MAX
};

enum kcloud_meter_alarm_state {
	KCLOUD_METER_ALARM_INSUFFICIENT_DATA,
	KCLOUD_METER_ALARM_OK,
	KCLOUD_METER_ALARM_ALARM,
};

enum kcloud_meter_cmd {
	KCLOUD_METER_CMD_UNSPEC,
	KCLOUD_METER_CMD_GET_INFO,
	KCLOUD_METER_CMD_INSTANCE_ADD,
	KCLOUD_METER_CMD_INSTANCE_DEL,
	KCLOUD_METER_CMD_INSTANCE_SET,
	KCLOUD_METER_CMD_GET_INSTANCE,
	KCLOUD_METER_CMD_GET_USAGE,
	KCLOUD_METER_CMD_PRICE_SET,
	KCLOUD_METER_CMD_GET_PRICE,
	KCLOUD_METER_CMD_GET_BILL,
	KCLOUD_METER_CMD_ALARM_ADD,
	KCLOUD_METER_CMD_ALARM_DEL,
	KCLOUD_METER_CMD_GET_ALARM,
	KCLOUD_METER_CMD_LEDGER_IMPORT,

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
	KCLOUD_METER_A_PRICE_VCPU_SEC,
	KCLOUD_METER_A_PRICE_GIB_SEC,
	KCLOUD_METER_A_PRICE_NET,
	KCLOUD_METER_A_BILL_SECONDS,
	KCLOUD_METER_A_BILL_COMPUTE,
	KCLOUD_METER_A_BILL_MEMORY,
	KCLOUD_METER_A_BILL_NET,
	KCLOUD_METER_A_BILL_TOTAL,
	KCLOUD_METER_A_BILL_CLOSED,
	KCLOUD_METER_A_ALARM_ID,
	KCLOUD_METER_A_ALARM_NAME,
	KCLOUD_METER_A_ALARM_METRIC,
	KCLOUD_METER_A_ALARM_STAT,
	KCLOUD_METER_A_ALARM_PERIOD,
	KCLOUD_METER_A_ALARM_CMP,
	KCLOUD_METER_A_ALARM_THRESHOLD,
	KCLOUD_METER_A_ALARM_M,
	KCLOUD_METER_A_ALARM_N,
	KCLOUD_METER_A_ALARM_MISSING,
	KCLOUD_METER_A_ALARM_STATE,
	KCLOUD_METER_A_ALARM_VALUE,
	KCLOUD_METER_A_ALARM_CHANGED,
	KCLOUD_METER_A_INST_VOL,
	KCLOUD_METER_A_PRICE_VOL_GB_MONTH,
	KCLOUD_METER_A_PRICE_MIO,
	KCLOUD_METER_A_BILL_VOLUME,
	KCLOUD_METER_A_BILL_IO,

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
	KCLOUD_METER_STAT_A_BLK_READ_OPS,
	KCLOUD_METER_STAT_A_BLK_WRITE_OPS,
	KCLOUD_METER_STAT_A_BLK_READ_BYTES,
	KCLOUD_METER_STAT_A_BLK_WRITE_BYTES,
	KCLOUD_METER_STAT_A_CPU_THROTTLED_US,
	KCLOUD_METER_STAT_A_CPU_NR_THROTTLED,
	KCLOUD_METER_STAT_A_VOL,
	KCLOUD_METER_STAT_A_VOL_GONE_SECTOR_SEC,

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
	KCLOUD_METER_NET_A_PRICE,

	__KCLOUD_METER_NET_A_MAX,
	KCLOUD_METER_NET_A_MAX = __KCLOUD_METER_NET_A_MAX - 1
};

/* One volume: in KCLOUD_METER_A_INST_VOL and KCLOUD_METER_STAT_A_VOL. */
enum kcloud_meter_vol_attr {
	KCLOUD_METER_VOL_A_UNSPEC,
	KCLOUD_METER_VOL_A_PAD,
	KCLOUD_METER_VOL_A_NAME,
	KCLOUD_METER_VOL_A_DEV,
	KCLOUD_METER_VOL_A_SIZE,
	KCLOUD_METER_VOL_A_READ_OPS,
	KCLOUD_METER_VOL_A_WRITE_OPS,
	KCLOUD_METER_VOL_A_READ_BYTES,
	KCLOUD_METER_VOL_A_WRITE_BYTES,
	KCLOUD_METER_VOL_A_SECTOR_SEC,

	__KCLOUD_METER_VOL_A_MAX,
	KCLOUD_METER_VOL_A_MAX = __KCLOUD_METER_VOL_A_MAX - 1
};

#endif /* _UAPI_LINUX_KCLOUD_METER_H */
