/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud_bs: the block store. Internal declarations shared by the
 * files of the module.
 */
#ifndef _KCLOUD_BS_H
#define _KCLOUD_BS_H

#include <linux/blk-mq.h>
#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sizes.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include <uapi/linux/kcloud_bs.h>

#include "proto.h"

#define KCLOUD_BS_VERSION	"0.2.0"

#define KCBS_DEFAULT_REGION	(64 * 1024)
#define KCBS_DEFAULT_TIMEOUT_MS	5000
#define KCBS_QUEUE_DEPTH	128
#define KCBS_MAX_IO		(1024 * 1024)
#define KCBS_READ_TRIES		16
#define KCBS_MAX_REGIONS	BIT(24)	/* 2 MiB of bitmap per replica */

/* Encryption (crypt.c): dm-crypt's aes-xts-plain64, sector_size:4096. */
#define KCBS_CRYPT_SECTOR	4096
#define KCBS_BOUNCE_PAGES	(KCBS_MAX_IO / KCBS_CRYPT_SECTOR)
#define KCBS_KCV_LEN		32	/* HMAC-SHA256 */
#define KCBS_CIPHER_NAME	"aes-xts-plain64"

/* Handles of a resync's own requests; block requests never set this bit. */
#define KCBS_HANDLE_SYNC	BIT_ULL(63)

extern unsigned int kcbs_fault_flip;

/*
 * The clock of the latency histograms: local_clock() (the TSC where there
 * is one) rather than ktime_get_ns(), which in a guest whose TSCs the
 * kernel does not trust reads an emulated HPET, several times per request.
 * A request that ends on another CPU than it began may find that CPU's
 * clock a little behind: kcbs_since() clamps at 0.
 */
static inline u64 kcbs_now(void)
{
	return local_clock();
}

static inline u64 kcbs_since(u64 start)
{
	u64 now = local_clock();

	return now > start ? now - start : 0;
}

/* crc.c: crc32c as the wire carries it */
u32 kcbs_crc(u32 crc, const void *p, size_t len);
void kcbs_crc_init(void);
void kcbs_crc_exit(void);

/* ---- statistics (stats.c) ------------------------------------------------ */

/* Counters of one object, per CPU, summed when read. */
struct kcbs_pcpu_stats {
	u64 reads, writes, flushes;
	u64 read_bytes, write_bytes;
	u64 errors, retries, crc_errors, timeouts, reconnects;
	u64 resync_regions, resync_bytes;
	u64 garbage, stale, foreign, refused, throttled;
	u64 local_reads, local_read_bytes, local_writes, local_write_bytes;
	u64 lat[KCLOUD_BS_LAT_BUCKETS];
	struct u64_stats_sync syncp;
};

struct kcbs_stats {
	struct kcbs_pcpu_stats __percpu *pcpu;
	atomic_t inflight;
};

enum kcbs_stat_field {
	KCBS_S_RETRIES,
	KCBS_S_CRC_ERRORS,
	KCBS_S_TIMEOUTS,
	KCBS_S_RECONNECTS,
	KCBS_S_GARBAGE,
	KCBS_S_STALE,
	KCBS_S_ERRORS,
	KCBS_S_FOREIGN,
	KCBS_S_REFUSED,
	KCBS_S_THROTTLED,
};

int kcbs_stats_init(struct kcbs_stats *s);
void kcbs_stats_free(struct kcbs_stats *s);
void kcbs_stats_io(struct kcbs_stats *s, enum kcbs_msg_type type, u32 bytes, u64 ns);
void kcbs_stats_inc(struct kcbs_stats *s, enum kcbs_stat_field f);
void kcbs_stats_resync(struct kcbs_stats *s, u32 bytes);
void kcbs_stats_local(struct kcbs_stats *s, bool write, u32 bytes, u64 ns);
int kcbs_stats_fill(struct sk_buff *skb, int attr, struct kcbs_stats *s, u64 dirty);

/* ---- per network namespace ------------------------------------------------ */

struct kcbs_net {
	struct list_head targets;
	struct list_head volumes;
	struct list_head snapshots;
};

extern unsigned int kcbs_net_id;
extern struct mutex kcbs_lock;	/* the object lists, create and delete */

/* ---- target (target.c) ---------------------------------------------------- */

struct kcbs_target {
	struct list_head node;		/* kcbs_net.targets, under kcbs_lock */
	struct net *net;
	char name[KCLOUD_BS_NAME_LEN];
	char path[KCLOUD_BS_PATH_LEN];
	__be32 addr;
	u16 port;
	struct file *file;
	struct file *dfile;		/* a block device, O_DIRECT; or NULL */
	loff_t size;			/* grows under meta_lock (SIZE) */
	atomic64_t epoch;
	struct file *meta;		/* its metadata file, or NULL */
	char meta_path[KCLOUD_BS_PATH_LEN];
	struct mutex meta_lock;		/* volume, raising epoch, the meta file, size */
	char volume[KCLOUD_BS_NAME_LEN];	/* the store's volume, or "" */
	struct socket *listen;
	struct workqueue_struct *wq;	/* accept */
	struct workqueue_struct *io_wq;	/* the requests' backing I/O */
	struct work_struct accept_work;
	struct mutex conns_lock;	/* conns, nconns, stopping */
	struct list_head conns;
	struct list_head dead;		/* gone, their workqueues to destroy */
	wait_queue_head_t conns_gone;	/* a connection left conns */
	unsigned int conns_gen;		/* bumped when one does */
	unsigned int nconns;
	bool stopping;
	struct kcbs_stats stats;
	struct kcbs_export *export;	/* its block device, read locally */
};

struct kcbs_target *kcbs_target_create(struct net *net, const char *name,
				       const char *path, __be32 addr, u16 port,
				       const char *meta, const char *volume,
				       struct netlink_ext_ack *extack);
void kcbs_target_destroy(struct kcbs_target *t);
struct kcbs_target *kcbs_target_find(struct net *net, const char *name);

/* ---- volume, replicas ---------------------------------------------------- */

/* One TCP connection to a target; the replica's receiver owns one reference. */
struct kcbs_conn {
	struct kref ref;
	struct socket *sock;
	struct mutex tx_lock;	/* one frame at a time */
};

struct kcbs_volume;
struct skcipher_request;

struct kcbs_replica {
	struct kcbs_volume *vol;
	u8 idx;
	bool present;
	bool connected;		/* under vol->lock */
	bool uptodate;		/* has every completed write; under vol->lock */
	bool stale;		/* the target saw a newer epoch: given up */
	bool foreign;		/* the target refused it: another volume's */
	u8 last_state;		/* last reported; under vol->lock */
	__be32 addr;
	u16 port;
	struct kcbs_conn *conn;	/* under vol->lock */
	struct kcbs_export *local;	/* its target's device; under vol->lock */
	atomic_t local_inflight;	/* local requests not finished */
	atomic_t local_writes;		/* of those, writes and flushes */
	struct workqueue_struct *recv_wq;	/* recv_work's alone */
	struct work_struct recv_work;
	struct delayed_work connect_work;
	unsigned int backoff_ms;
	unsigned long *dirty;	/* one bit per region it missed */
	u64 target_epoch;
	atomic_t inflight;
	struct kcbs_stats stats;
};

/* Per request state, the blk-mq pdu. */
struct kcbs_cmd {
	spinlock_t lock;	/* the fields below */
	u32 gen;		/* bumped at each dispatch; in the handle */
	u8 sent;		/* replicas this dispatch went to */
	u8 done;		/* of those, answered or failed */
	u8 acked;		/* of those, answered OK */
	u8 read_from;		/* READ: the replica asked */
	u8 tries;		/* READ: retries; WRITE: crc retries */
	u8 local;		/* replicas it went to locally (no TCP) */
	u8 dispatching;		/* senders still going through its replicas */
	bool ended;		/* this dispatch ended or was requeued */
	blk_status_t status;
	u32 data_crc;		/* WRITE: crc32c of the data */
	u64 start_ns;
	/* Encrypted volumes only (crypt.c): the rest of the pdu. */
	struct page **bounce;	/* WRITE: the ciphertext, one page per crypto sector */
	u16 nbounce;		/* pages held in @bounce */
	__le64 iv[2];
	struct skcipher_request *creq;
	struct work_struct crypt_work;	/* READ: decrypting off the receiver */
	struct kcbs_replica *crypt_r;	/* the replica that answered */
	u8 crypt_attempt;		/* the attempt it answered */
};

/* The one internal request of a resync, on a replica's connection. */
struct kcbs_sync_io {
	u64 handle;
	int replica;		/* -1: none pending */
	u16 type;		/* enum kcbs_msg_type */
	int status;		/* 0 or -errno */
	u64 value;		/* the reply's (SIZE: the target's size) */
	void *buf;
	u32 len;
	struct completion done;
};

/*
 * A volume's IOPS and throughput limits, as a generic cell rate algorithm
 * per limit: @ops_tat and @bytes_tat are the times (ktime_get_ns()) at
 * which what was let through so far would have been served at the limit's
 * rate; a request passes while that is at most KCBS_LIMIT_BURST_NS ahead
 * of now.
 */
struct kcbs_limit {
	spinlock_t lock;		/* the two times */
	u32 iops;			/* 0: none */
	u32 kbps;			/* KiB/s, 0: none */
	u64 ops_tat;
	u64 bytes_tat;
};

#define KCBS_LIMIT_BURST_NS	(50 * NSEC_PER_MSEC)
#define KCBS_LIMIT_IO_BYTES	SZ_256K		/* bytes an I/O counts for */

struct kcbs_snapshot;

struct kcbs_volume {
	struct list_head node;		/* kcbs_net.volumes, under kcbs_lock */
	struct net *net;
	char name[KCLOUD_BS_NAME_LEN];
	int index;			/* kcbsN */
	u64 size;
	u64 epoch;
	u32 region_size;
	unsigned int region_shift;
	unsigned long nregions;
	u8 quorum;
	u8 nreplicas;			/* present ones */
	u32 resync_rate;		/* KiB/s, 0: no limit */
	u32 timeout_ms;
	struct kcbs_limit limit;
	bool stopping;
	bool resizing;			/* no resync while the bitmaps grow */
	bool draining;			/* a resize freezes the queue: no limit */
	struct kref ref;		/* its own, and one per added disk */
	bool tags;			/* tag_set allocated */
	bool unclean;			/* loaded from a metadata file not closed cleanly */

	struct file *meta;		/* the metadata file, or NULL */
	struct mutex meta_lock;		/* writes to it */

	spinlock_t lock;		/* replica states and connections */
	u8 state;			/* enum kcloud_bs_volume_state */
	struct rw_semaphore gate;	/* writes dispatch (read), resync copy (write) */
	struct kcbs_replica replicas[KCLOUD_BS_MAX_REPLICAS];

	struct blk_mq_tag_set tag_set;	/* for the volume's life, across attaches */
	struct gendisk *disk;		/* NULL while detached; kcbs_lock and lock */
	/* WQ_MEM_RECLAIM both, each with its rescuer: the work that waits for
	 * I/O (resync, snapshot copies, connects: ctl_wq) never holds up the
	 * work that completes it (receivers, local bios: wq).
	 */
	struct workqueue_struct *wq;
	struct workqueue_struct *ctl_wq;

	struct delayed_work resync_work;
	struct kcbs_sync_io sync;	/* under lock */
	u64 sync_seq;

	/* The snapshot being copied, or NULL: set and cleared under the gate
	 * held for writing (and kcbs_lock), read under it held for reading.
	 */
	struct kcbs_snapshot *snap;
	u32 snap_seq;			/* bumped under the gate when it moves on */
	wait_queue_head_t snap_wq;	/* writes waiting for a region's copy */

	struct kcbs_stats stats;
	struct kcbs_crypt *crypt;	/* encrypted volumes: the key; or NULL */
};

/*
 * A snapshot: a point-in-time copy of a volume into a file. The fields
 * after @cow belong to the copier while it is pending (@vol set).
 */
struct kcbs_snapshot {
	struct list_head node;		/* kcbs_net.snapshots, under kcbs_lock */
	struct net *net;
	char name[KCLOUD_BS_NAME_LEN];
	char volume[KCLOUD_BS_NAME_LEN];
	char path[KCLOUD_BS_PATH_LEN];
	u64 size;
	u64 time;			/* when taken, ns since the epoch */
	u8 state;			/* enum kcloud_bs_snapshot_state */
	int error;			/* errno, once failed */
	atomic64_t copied;		/* bytes read from the volume */
	atomic64_t stored;		/* of those, bytes written to the file */
	atomic64_t cow;			/* regions taken first: a write waited */
	unsigned int key_bits;		/* of an encrypted volume, else 0 */
	u8 kcv[KCBS_KCV_LEN];		/* its key check value */

	struct kcbs_volume *vol;	/* while pending */
	struct file *file;
	unsigned long *done;		/* regions copied (set under the gate) */
	unsigned long *want;		/* regions a write waits for */
	unsigned long nregions;
	unsigned long next;		/* where the copy in order goes on */
	void *buf;			/* one region */
	bool cancel;
	struct delayed_work work;	/* on vol->wq */
};

/* volume.c */
int kcbs_blk_init(void);
void kcbs_blk_exit(void);
struct kcbs_volume *kcbs_volume_create(struct net *net, const char *name, u64 size,
				       u8 quorum, u32 region_size, u64 epoch,
				       u32 resync_rate, u32 timeout_ms,
				       const __be32 *addrs, const u16 *ports, int n,
				       const char *meta, const u8 *key, unsigned int key_len,
				       struct netlink_ext_ack *extack);
int kcbs_volume_destroy(struct kcbs_volume *vol, bool force);
int kcbs_volume_resize(struct kcbs_volume *vol, u64 size, struct netlink_ext_ack *extack);
void kcbs_volume_set_limits(struct kcbs_volume *vol, u32 iops, u32 kbps);
int kcbs_volume_attach(struct kcbs_volume *vol, struct netlink_ext_ack *extack);
int kcbs_volume_detach(struct kcbs_volume *vol, struct netlink_ext_ack *extack);
struct kcbs_volume *kcbs_volume_find(struct net *net, const char *name);
void kcbs_volume_update_state(struct kcbs_volume *vol);
void kcbs_cmd_reply(struct kcbs_replica *r, struct request *rq, struct kcbs_cmd *cmd,
		    const struct kcbs_msg_rep *rep, int data_err);
void kcbs_cmd_fail_replica(struct kcbs_replica *r);
void kcbs_cmd_decrypt(struct kcbs_replica *r, struct request *rq, struct kcbs_cmd *cmd);
bool kcbs_writes_without(struct kcbs_volume *vol, int idx);
int kcbs_replica_add(struct kcbs_volume *vol, __be32 addr, u16 port,
		     struct netlink_ext_ack *extack);
int kcbs_replica_remove(struct kcbs_volume *vol, int idx,
			struct netlink_ext_ack *extack);
int kcbs_replica_replace(struct kcbs_volume *vol, int idx, __be32 addr, u16 port,
			 struct netlink_ext_ack *extack);

/* replica.c */
int kcbs_replica_init(struct kcbs_replica *r, struct kcbs_volume *vol, int idx,
		      __be32 addr, u16 port);
void kcbs_replica_free(struct kcbs_replica *r);
void kcbs_replica_start(struct kcbs_replica *r);
void kcbs_replica_stop(struct kcbs_replica *r);
void kcbs_replica_kill(struct kcbs_replica *r);
struct kcbs_conn *kcbs_replica_get_conn(struct kcbs_replica *r);
void kcbs_conn_put(struct kcbs_conn *c);
int kcbs_conn_send(struct kcbs_conn *c, struct kcbs_msg_req *req,
		   struct request *rq, const void *buf);
int kcbs_sock_recv(struct socket *sock, void *buf, size_t len);
enum kcloud_bs_replica_state kcbs_replica_state(struct kcbs_replica *r);

void kcbs_local_done(struct kcbs_replica *r, struct request *rq, bool ok, u8 attempt,
		     bool write);

/* local.c */
struct kcbs_export;
int kcbs_local_init(void);
void kcbs_local_exit(void);
struct kcbs_export *kcbs_export_add(struct net *net, __be32 addr, u16 port,
				    struct block_device *bdev, atomic64_t *epoch);
void kcbs_export_del(struct kcbs_export *e);
struct kcbs_export *kcbs_export_get(struct kcbs_replica *r);
void kcbs_export_put(struct kcbs_export *e);
int kcbs_local_submit(struct kcbs_replica *r, struct request *rq, u8 attempt);

/*
 * crypt.c, built where the kernel has the skcipher API. Without it (a
 * kernel configured lean, such as make check-debug's), a volume cannot be
 * created with a key, and vol->crypt is always NULL, so that the functions
 * below are never reached with one.
 */
struct kcbs_crypt;
#if IS_ENABLED(CONFIG_CRYPTO_SKCIPHER)
#define KCBS_CRYPT_FEATURE	KCLOUD_BS_F_ENCRYPT
struct kcbs_crypt *kcbs_crypt_create(const u8 *key, unsigned int len, const char *name,
				     struct netlink_ext_ack *extack);
void kcbs_crypt_free(struct kcbs_crypt *c);
unsigned int kcbs_crypt_key_bits(const struct kcbs_crypt *c);
const char *kcbs_crypt_driver(const struct kcbs_crypt *c);
const u8 *kcbs_crypt_kcv(const struct kcbs_crypt *c);
size_t kcbs_crypt_pdu_size(const struct kcbs_crypt *c);
void kcbs_crypt_init_cmd(const struct kcbs_crypt *c, struct kcbs_cmd *cmd);
int kcbs_crypt_write(struct kcbs_crypt *c, struct request *rq, struct kcbs_cmd *cmd);
void kcbs_crypt_end(struct kcbs_crypt *c, struct kcbs_cmd *cmd);
int kcbs_crypt_read(struct request *rq, struct kcbs_cmd *cmd);
#else
#define KCBS_CRYPT_FEATURE	0
static inline struct kcbs_crypt *kcbs_crypt_create(const u8 *key, unsigned int len,
						   const char *name,
						   struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "this kernel has no skcipher API: no encrypted volumes");
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void kcbs_crypt_free(struct kcbs_crypt *c) { }

static inline unsigned int kcbs_crypt_key_bits(const struct kcbs_crypt *c)
{
	return 0;
}

static inline const char *kcbs_crypt_driver(const struct kcbs_crypt *c)
{
	return "";
}

static inline const u8 *kcbs_crypt_kcv(const struct kcbs_crypt *c)
{
	return NULL;
}

static inline size_t kcbs_crypt_pdu_size(const struct kcbs_crypt *c)
{
	return 0;
}

static inline void kcbs_crypt_init_cmd(const struct kcbs_crypt *c, struct kcbs_cmd *cmd) { }

static inline int kcbs_crypt_write(struct kcbs_crypt *c, struct request *rq,
				   struct kcbs_cmd *cmd)
{
	return -EOPNOTSUPP;
}

static inline void kcbs_crypt_end(struct kcbs_crypt *c, struct kcbs_cmd *cmd) { }

static inline int kcbs_crypt_read(struct request *rq, struct kcbs_cmd *cmd)
{
	return -EOPNOTSUPP;
}
#endif

/* bitmap.c */
bool kcbs_bitmap_mark(struct kcbs_replica *r, u64 offset, u32 len);
unsigned long kcbs_bitmap_weight(struct kcbs_replica *r);
void kcbs_bitmap_set_all(struct kcbs_replica *r);

/* meta.c */
int kcbs_meta_open(struct kcbs_volume *vol, const char *path,
		   struct netlink_ext_ack *extack);
void kcbs_meta_close(struct kcbs_volume *vol, bool clean);
int kcbs_meta_write_bitmap(struct kcbs_replica *r);
int kcbs_meta_update(struct kcbs_volume *vol);
void kcbs_meta_source(struct kcbs_replica *r);

/* resync.c */
void kcbs_resync_work(struct work_struct *work);
void kcbs_resync_kick(struct kcbs_volume *vol);
int kcbs_sync_io_reply(struct kcbs_replica *r, const struct kcbs_msg_rep *rep,
		       struct socket *sock);
int kcbs_sync_size(struct kcbs_volume *vol, struct kcbs_replica *r, u64 want, u64 *size);
int kcbs_sync_read(struct kcbs_volume *vol, struct kcbs_replica *r, u64 off, u32 len);
struct kcbs_replica *kcbs_sync_source(struct kcbs_volume *vol, struct kcbs_replica *r);
void kcbs_sync_io_fail(struct kcbs_replica *r);

/* snapshot.c */
struct kcbs_snapshot *kcbs_snapshot_create(struct kcbs_volume *vol, const char *name,
					   const char *path, struct netlink_ext_ack *extack);
void kcbs_snapshot_destroy(struct kcbs_snapshot *snap);
struct kcbs_snapshot *kcbs_snapshot_find(struct net *net, const char *name);
void kcbs_snapshot_abort(struct kcbs_volume *vol);
bool kcbs_snapshot_hold(struct kcbs_volume *vol, struct request *rq, u32 *seq);
void kcbs_snapshot_wait(struct kcbs_volume *vol, u32 seq);

/* netlink.c */
int kcbs_genl_init(void);
void kcbs_genl_exit(void);
void kcbs_notify_volume(struct kcbs_volume *vol, enum kcloud_bs_event ev);
void kcbs_notify_snapshot(struct kcbs_snapshot *snap, enum kcloud_bs_event ev);

#endif /* _KCLOUD_BS_H */
