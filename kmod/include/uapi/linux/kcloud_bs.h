/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kcloud_bs: replicated network block devices and their targets; generic netlink API.
 *
 * Family name: KCLOUD_BS_GENL_NAME ("kcloud_bs"), version
 * KCLOUD_BS_GENL_VERSION. Every network namespace has its own objects: a
 * request acts on the objects of the namespace of the socket it came from,
 * and the sockets a target listens on or a volume connects from live in
 * that namespace.
 *
 * Commands that change targets need CAP_NET_ADMIN in the user namespace that
 * owns the network namespace (GENL_UNS_ADMIN_PERM). Commands that create,
 * change or delete volumes (VOLUME_*, REPLICA_*, SNAPSHOT_*) make and remove block
 * devices of the host or write files, so they need CAP_NET_ADMIN in the initial user
 * namespace (GENL_ADMIN_PERM), as loop and nbd need the host's
 * CAP_SYS_ADMIN. They fail with -EPERM otherwise. Every rejected request
 * carries an extended ack message that names the attribute at fault.
 *
 * Two roles live in the module:
 *
 * A target serves one backing file or block device over TCP, in the kernel.
 * It listens on KCLOUD_BS_A_TARGET_ADDR:KCLOUD_BS_A_TARGET_PORT and serves
 * each connection with one worker. A write is acknowledged once it is in the
 * backing store; a FLUSH request and a write with FUA are acknowledged once
 * the backing store has been synced (vfs_fsync). Every data frame carries a
 * crc32c that is checked on receipt: a mismatch is answered with an error so
 * that the volume retries, and is never written. A target keeps the highest
 * epoch it has seen from a volume; a volume that connects or writes with an
 * older epoch is refused (it is stale: another volume took over).
 * A connection that sends anything else than a well-formed frame is closed
 * and counted (KCLOUD_BS_STAT_GARBAGE).
 *
 * A volume is a block device /dev/kcbsN (blk-mq) whose data is kept on 1 to
 * 5 replicas, each a target reached over TCP. A write is sent to every
 * connected replica and completes once it is acknowledged by every replica
 * it was sent to that is still connected, and by at least
 * KCLOUD_BS_A_VOLUME_QUORUM replicas that are in sync. A read is served by
 * one in-sync replica (one read locally if there is one, else the least
 * loaded) and fails over to another on error, timeout or crc32c mismatch.
 * A replica is read, written and flushed locally (without TCP, on its
 * target's device, as DRBD uses its local disk) when its target is served
 * by this host, in the volume's namespace, from a block device, and the
 * module's local_read parameter is on (the default) when it connects:
 * KCLOUD_BS_REPLICA_A_LOCAL. A local write checks the target's epoch as
 * the target would. Zeroing goes through the connection.
 *
 * A replica that fails is marked out of sync; a dirty-region bitmap (one
 * bit per KCLOUD_BS_A_VOLUME_REGION_SIZE bytes) records the writes it
 * missed. When it is reachable again, only the dirty
 * regions are copied to it from an in-sync replica (throttled to
 * KCLOUD_BS_A_VOLUME_RESYNC_RATE KiB/s), then it is in sync again. An out of
 * sync replica is never read from. While fewer than the quorum of replicas
 * are in sync, I/O waits (the volume is frozen) instead of failing.
 *
 * KCLOUD_BS_CMD_GET_INFO (do)
 *   Request: no attributes.
 *   Reply:
 *     KCLOUD_BS_A_INFO_VERSION   NLA_NUL_STRING  module version, "X.Y.Z"
 *     KCLOUD_BS_A_INFO_FEATURES  NLA_U64         KCLOUD_BS_F_* bits that
 *                                                 this module implements
 *
 * KCLOUD_BS_CMD_TARGET_ADD (do, admin)
 *   Request:
 *     KCLOUD_BS_A_TARGET_NAME   NLA_NUL_STRING  required, 1..31 bytes,
 *                                                unique in the namespace
 *     KCLOUD_BS_A_TARGET_PATH   NLA_NUL_STRING  required, absolute path of a
 *                                                regular file or a block
 *                                                device, opened read-write
 *     KCLOUD_BS_A_TARGET_PORT   NLA_U16         required, TCP port, 1..65535
 *     KCLOUD_BS_A_TARGET_ADDR   NLA_BE32        IPv4 address to listen on
 *                                                (default: any)
 *     KCLOUD_BS_A_TARGET_META   NLA_NUL_STRING  absolute path of the
 *                                                target's metadata file
 *                                                (created if missing): it
 *                                                keeps the highest epoch seen
 *                                                and the name of the volume
 *                                                the backing store belongs
 *                                                to, synced before the HELLO
 *                                                that changed them is
 *                                                answered, and loaded when
 *                                                the target is added again
 *     KCLOUD_BS_A_TARGET_VOLUME NLA_NUL_STRING  the volume the backing
 *                                                store belongs to
 *   A target with a volume name (given, or from its metadata file) refuses
 *   every other volume's connection (KCLOUD_BS_STAT_FOREIGN counts them,
 *   the kernel log says which volume was refused and whose the store is,
 *   and the volume reports the replica as KCLOUD_BS_REPLICA_FOREIGN). A
 *   target with a metadata file but no volume name yet belongs to the
 *   first volume that connects. Without either, any volume is served.
 *   Errors: EEXIST (name taken), EADDRINUSE, ENOENT/EACCES (path), EINVAL
 *   (also: a metadata file that is damaged, or that names another volume
 *   than KCLOUD_BS_A_TARGET_VOLUME).
 *
 * KCLOUD_BS_CMD_TARGET_DEL (do, admin)
 *   Request: KCLOUD_BS_A_TARGET_NAME. Closes the listener and every
 *   connection (their volumes see the replica fail) and the backing store.
 *
 * KCLOUD_BS_CMD_GET_TARGET (do with KCLOUD_BS_A_TARGET_NAME, or dump)
 *   Reply, one message per target:
 *     KCLOUD_BS_A_TARGET_NAME, _PATH, _PORT, _ADDR
 *     KCLOUD_BS_A_TARGET_SIZE   NLA_U64   bytes in the backing store
 *     KCLOUD_BS_A_TARGET_EPOCH  NLA_U64   highest volume epoch seen
 *     KCLOUD_BS_A_TARGET_META   if it has one
 *     KCLOUD_BS_A_TARGET_VOLUME if it belongs to a volume
 *     KCLOUD_BS_A_TARGET_CONNS  NLA_U32   connections being served
 *     KCLOUD_BS_A_STATS         nested KCLOUD_BS_STAT_*
 *
 * KCLOUD_BS_CMD_VOLUME_CREATE (do, admin)
 *   Request:
 *     KCLOUD_BS_A_VOLUME_NAME   NLA_NUL_STRING  required, 1..31 bytes
 *     KCLOUD_BS_A_VOLUME_SIZE   NLA_U64         required, bytes, a multiple
 *                                                of 4096, at least 1 MiB; each
 *                                                target must be at least as
 *                                                large (checked on connect);
 *                                                at most 2^24 regions
 *     KCLOUD_BS_A_VOLUME_REPLICAS  nested      required, 1..5 nests of type
 *                                                KCLOUD_BS_A_REPLICA, each with
 *                                                KCLOUD_BS_REPLICA_A_ADDR and
 *                                                KCLOUD_BS_REPLICA_A_PORT
 *     KCLOUD_BS_A_VOLUME_QUORUM NLA_U8          in-sync acknowledgements a
 *                                                write needs (default: a
 *                                                majority of the replicas)
 *     KCLOUD_BS_A_VOLUME_REGION_SIZE NLA_U32    bytes per dirty bit, a power
 *                                                of two, 4 KiB..1 MiB
 *                                                (default 64 KiB)
 *     KCLOUD_BS_A_VOLUME_EPOCH  NLA_U64         the volume's epoch, >= 1
 *                                                (default 1); targets refuse
 *                                                a volume whose epoch is
 *                                                older than one they have seen
 *     KCLOUD_BS_A_VOLUME_RESYNC_RATE NLA_U32    resync throttle in KiB/s
 *                                                (0 or absent: unthrottled)
 *     KCLOUD_BS_A_VOLUME_TIMEOUT NLA_U32        request timeout in ms,
 *                                                500..600000 (default 5000):
 *                                                a replica that does not
 *                                                answer in time is
 *                                                disconnected and failed over
 *     KCLOUD_BS_A_VOLUME_IOPS   NLA_U32         the most I/Os a second the
 *                                                disk serves (0 or absent:
 *                                                no limit), as provisioned
 *                                                IOPS: a read or write counts
 *                                                one I/O per 256 KiB or part
 *                                                of it, a discard or write
 *                                                zeroes one, a flush none
 *     KCLOUD_BS_A_VOLUME_THROUGHPUT NLA_U32     the most KiB a second it
 *                                                reads and writes (0 or
 *                                                absent: no limit)
 *                                                A request over a limit
 *                                                waits in the queue (never
 *                                                fails); bursts of up to
 *                                                50 ms of either limit pass
 *                                                at once. Resyncs are not
 *                                                counted.
 *     KCLOUD_BS_A_VOLUME_META   NLA_NUL_STRING  absolute path of a metadata
 *                                                file (created if missing)
 *                                                that keeps the dirty bitmaps
 *                                                across a crash of this host:
 *                                                a bit is on stable storage
 *                                                before the write that set it
 *                                                completes. A file left by the
 *                                                same volume (same size,
 *                                                region size and replicas) is
 *                                                loaded, and the epoch raised
 *                                                above the one it records; if
 *                                                that volume did not stop
 *                                                cleanly, the first in-sync
 *                                                replica to connect is copied
 *                                                in full to the others.
 *     KCLOUD_BS_A_VOLUME_KEY    NLA_BINARY      the volume's data key:
 *                                                exactly 32 bytes (AES-128
 *                                                in XTS) or 64 (AES-256); the
 *                                                volume is then encrypted (see
 *                                                "Encryption" below). Never
 *                                                sent back, never written to
 *                                                disk.
 *   The replicas given at create are taken to hold the same data (as a new,
 *   zeroed set does). The volume's disk, /dev/kcbsN, is created at once;
 *   its name is in the reply's KCLOUD_BS_A_VOLUME_DISK.
 *   Errors: EEXIST, EINVAL (with the attribute at fault), ENOMEM.
 *
 * Encryption: a volume created with KCLOUD_BS_A_VOLUME_KEY encrypts its
 * data in the kernel before it leaves the host (on the wire and on every
 * replica's backing store, local path included) and decrypts it after a
 * read's crc32c is checked; targets store the ciphertext and know nothing
 * of it. The cipher is xts(aes) with 4096-byte crypto sectors, each
 * sector's IV the plain64 of its first 512-byte sector number (the byte
 * offset / 512, little-endian, zero-padded to 16 bytes). A replica's
 * backing store is then readable with dm-crypt:
 *   dmsetup create NAME --table "0 SECTORS crypt aes-xts-plain64 HEXKEY 0
 *                                DEV 0 1 sector_size:4096"
 * (without iv_large_sectors). The disk's logical block size is 4096, and
 * it offers no discard or write zeroes (a zeroed range would read back as
 * garbage). With a metadata file, the file records a check value of the
 * key (HMAC-SHA256 keyed with it, over a fixed label; it does not reveal
 * the key): a volume created again from that file must give the same key
 * (EKEYREJECTED otherwise; ENOKEY without one), and an unencrypted
 * volume's file cannot be reused with a key (EINVAL).
 *
 * KCLOUD_BS_CMD_VOLUME_DELETE (do, admin)
 *   Request: KCLOUD_BS_A_VOLUME_NAME. Removes the disk and closes the
 *   connections; the metadata file is marked clean. EBUSY if the disk is
 *   open, unless KCLOUD_BS_A_VOLUME_FORCE (NLA_FLAG) is given: then the I/O
 *   in flight fails and the metadata file is left as after a crash.
 *
 * KCLOUD_BS_CMD_GET_VOLUME (do with KCLOUD_BS_A_VOLUME_NAME, or dump)
 *   Reply, one message per volume:
 *     KCLOUD_BS_A_VOLUME_NAME, _SIZE, _QUORUM, _REGION_SIZE, _EPOCH,
 *     _RESYNC_RATE, _TIMEOUT, _IOPS, _THROUGHPUT
 *     KCLOUD_BS_A_VOLUME_DISK   NLA_NUL_STRING  "kcbsN"; absent while the
 *                                                volume is detached
 *     KCLOUD_BS_A_VOLUME_STATE  NLA_U8          enum kcloud_bs_volume_state
 *     KCLOUD_BS_A_VOLUME_CIPHER NLA_NUL_STRING  "aes-xts-plain64", only if the
 *                                                volume is encrypted
 *     KCLOUD_BS_A_VOLUME_KEY_BITS NLA_U32       its key's bits, 256 or 512
 *                                                (XTS: two AES keys), only
 *                                                if it is encrypted
 *     KCLOUD_BS_A_VOLUME_REPLICAS  nested       one KCLOUD_BS_A_REPLICA nest
 *                                                per replica with every
 *                                                KCLOUD_BS_REPLICA_A_*
 *     KCLOUD_BS_A_STATS         nested KCLOUD_BS_STAT_*
 *
 * KCLOUD_BS_CMD_REPLICA_ADD (do, admin)
 *   Request: KCLOUD_BS_A_VOLUME_NAME and one KCLOUD_BS_A_REPLICA nest
 *   (ADDR, PORT). The new replica starts out of sync with every region
 *   dirty: it is filled by a resync, then in sync. Its index is in the
 *   reply's KCLOUD_BS_REPLICA_A_INDEX (inside KCLOUD_BS_A_REPLICA).
 *   Errors: ENOSPC (5 replicas already), EEXIST (same address and port).
 *
 * KCLOUD_BS_CMD_REPLICA_REMOVE (do, admin)
 *   Request: KCLOUD_BS_A_VOLUME_NAME and KCLOUD_BS_A_REPLICA with
 *   KCLOUD_BS_REPLICA_A_INDEX. Refused with EBUSY when the replicas left in
 *   sync would be fewer than the quorum.
 *
 * KCLOUD_BS_CMD_VOLUME_DETACH (do, admin)
 *   Request: KCLOUD_BS_A_VOLUME_NAME. Removes the volume's disk /dev/kcbsN;
 *   the volume, its replicas and their connections stay (a resync goes
 *   on). EBUSY while the disk is open, ENOENT if it is detached already.
 *
 * KCLOUD_BS_CMD_VOLUME_ATTACH (do, admin)
 *   Request: KCLOUD_BS_A_VOLUME_NAME. Adds the disk of a detached volume
 *   again, with the same name kcbsN. EEXIST if it is attached. A volume is
 *   attached when created. Both reply with the volume, as GET_VOLUME.
 *
 * KCLOUD_BS_CMD_REPLICA_REPLACE (do, admin)
 *   Request: KCLOUD_BS_A_VOLUME_NAME and one KCLOUD_BS_A_REPLICA nest with
 *   KCLOUD_BS_REPLICA_A_INDEX (the replica to replace) and the new target's
 *   KCLOUD_BS_REPLICA_A_ADDR and _PORT. The old replica's connection is
 *   closed; the new one takes its index, starts out of sync with every
 *   region dirty and is in sync only once a resync has copied them all.
 *   The reply is the volume, as GET_VOLUME. Errors: ENOENT (no such index),
 *   EEXIST (the target is already one of the volume's), EBUSY (the other
 *   in-sync replicas are fewer than the quorum).
 *
 * KCLOUD_BS_CMD_VOLUME_MODIFY (do, admin)
 *   Request: KCLOUD_BS_A_VOLUME_NAME and at least one of
 *   KCLOUD_BS_A_VOLUME_IOPS, _THROUGHPUT, _RESYNC_RATE: the new value,
 *   taken at once on the live volume (0 lifts a limit); and _SIZE: the
 *   volume grows to it, online. A resize needs every replica connected and
 *   in sync (EBUSY otherwise); each target grows its backing store first
 *   (a file is extended, a block device grown underneath is taken up), the
 *   new range reads back as zeroes, then /dev/kcbsN takes the new capacity
 *   with a RESIZE uevent and a KCLOUD_BS_EVENT_VOLUME_RESIZED event is
 *   sent. A smaller size is refused (EINVAL), as is one a target cannot
 *   hold (ENOSPC). The other volume attributes (_QUORUM, _REGION_SIZE,
 *   _EPOCH, _TIMEOUT, _REPLICAS, _META, _KEY, ...) are refused with EINVAL and an
 *   extack: they cannot change on a live volume. None of the four: EINVAL
 *   ("nothing to change"). The reply is the volume, as GET_VOLUME.
 *
 * KCLOUD_BS_CMD_SNAPSHOT_CREATE (do, admin)
 *   Request:
 *     KCLOUD_BS_A_SNAPSHOT_NAME NLA_NUL_STRING  required, 1..31 bytes,
 *                                                unique in the namespace
 *     KCLOUD_BS_A_VOLUME_NAME                   required, the volume
 *     KCLOUD_BS_A_SNAPSHOT_PATH NLA_NUL_STRING  required, absolute path of
 *                                                the file to write, which
 *                                                must not exist (it is
 *                                                created, mode 0600), on a
 *                                                filesystem other than the
 *                                                volume's own
 *   Takes a point-in-time, crash-consistent copy of the volume, as an EBS
 *   snapshot: with the volume's queue frozen for a moment (every write
 *   begun before has completed), the moment is fixed; the reply comes then,
 *   with the snapshot KCLOUD_BS_SNAPSHOT_PENDING. The data is then copied
 *   in the background from an in-sync replica into the file, a raw image
 *   of the volume, KCLOUD_BS_A_SNAPSHOT_SIZE bytes long, sparse where the
 *   volume reads as zeroes. I/O goes on meanwhile: a write to a region not
 *   yet copied waits until the copier has taken that region (it is taken
 *   next; KCLOUD_BS_A_SNAPSHOT_COW counts those), reads never wait. The
 *   background copy is throttled by the volume's KCLOUD_BS_A_VOLUME_RESYNC_RATE.
 *   Once the file is complete and synced, the snapshot is
 *   KCLOUD_BS_SNAPSHOT_COMPLETED; a failure (the file could not be written,
 *   the volume was deleted) makes it KCLOUD_BS_SNAPSHOT_FAILED with
 *   KCLOUD_BS_A_SNAPSHOT_ERROR. Each change sends a
 *   KCLOUD_BS_EVENT_SNAPSHOT_STATE event. One snapshot of a volume is
 *   pending at a time; a volume does not resize while one is.
 *   Errors: EEXIST (the name, or the file), EBUSY (a snapshot of the volume
 *   is pending; the volume is frozen; its I/O did not drain within 30 s),
 *   EINVAL, ENOENT.
 *   The snapshot of an encrypted volume holds what its replicas hold, the
 *   ciphertext, as EBS's snapshots of encrypted volumes are encrypted: the
 *   key never leaves the volume. Its replies carry the volume's key check
 *   value (KCLOUD_BS_A_SNAPSHOT_KCV) and key size (_VOLUME_KEY_BITS), so
 *   that a tool that restores it (decrypting with the key, then writing
 *   through a new encrypted volume, under that key or another) can tell a
 *   wrong key.
 *
 * KCLOUD_BS_CMD_SNAPSHOT_DELETE (do, admin)
 *   Request: KCLOUD_BS_A_SNAPSHOT_NAME. Forgets the snapshot; a pending one
 *   is stopped first. The file is left in place (kcloud snapshot delete
 *   removes it).
 *
 * KCLOUD_BS_CMD_GET_SNAPSHOT (do with KCLOUD_BS_A_SNAPSHOT_NAME, or dump)
 *   Reply, one message per snapshot:
 *     KCLOUD_BS_A_SNAPSHOT_NAME, _PATH, KCLOUD_BS_A_VOLUME_NAME (its volume)
 *     KCLOUD_BS_A_SNAPSHOT_SIZE    NLA_U64  the volume's size when taken
 *     KCLOUD_BS_A_SNAPSHOT_STATE   NLA_U8   enum kcloud_bs_snapshot_state
 *     KCLOUD_BS_A_SNAPSHOT_TIME    NLA_U64  when taken, ns since the epoch
 *     KCLOUD_BS_A_SNAPSHOT_COPIED  NLA_U64  bytes copied so far
 *     KCLOUD_BS_A_SNAPSHOT_STORED  NLA_U64  of those, bytes written to the
 *                                           file (the others read as zeroes)
 *     KCLOUD_BS_A_SNAPSHOT_COW     NLA_U64  regions copied ahead of their
 *                                           turn because a write waited
 *     KCLOUD_BS_A_SNAPSHOT_ERROR   NLA_U32  the errno of a failed snapshot
 *     KCLOUD_BS_A_SNAPSHOT_KCV     NLA_BINARY  of an encrypted volume only:
 *                                  its key check value, HMAC-SHA256 keyed
 *                                  with the key over "kcloud_bs volume key
 *                                  check v1:" and the volume's name
 *     KCLOUD_BS_A_VOLUME_KEY_BITS  NLA_U32  of an encrypted volume only
 *   A snapshot is kept until deleted or the module is unloaded; its file
 *   outlives both. `kcloud volume create ... snapshot NAME` makes a new
 *   volume from a completed one.
 *
 * Multicast group KCLOUD_BS_MCGRP_EVENTS ("events"): on every change of a
 * volume's or a replica's state the module sends a KCLOUD_BS_CMD_GET_VOLUME
 * message, as a GET_VOLUME reply, with KCLOUD_BS_A_EVENT set to the
 * enum kcloud_bs_event that caused it; a snapshot's change of state is a
 * KCLOUD_BS_CMD_GET_SNAPSHOT message, as a GET_SNAPSHOT reply, with
 * KCLOUD_BS_A_EVENT.
 *
 * Statistics, KCLOUD_BS_A_STATS (all NLA_U64 unless said):
 *   READS, WRITES, FLUSHES        requests completed
 *   READ_BYTES, WRITE_BYTES       bytes of those requests
 *   ERRORS                        requests completed with an error
 *   INFLIGHT                      requests in flight now
 *   RETRIES                       frames sent again (crc32c mismatch, error,
 *                                 failover of a read)
 *   CRC_ERRORS                    frames whose crc32c did not match
 *   TIMEOUTS                      requests a replica did not answer in time
 *   RESYNC_REGIONS, RESYNC_BYTES  regions and bytes copied by resyncs
 *   DIRTY_REGIONS                 regions still to copy (all replicas)
 *   GARBAGE                       (target) connections closed on a bad frame
 *   STALE                         (target) requests refused for a stale epoch
 *   FOREIGN                       (target) connections refused: another
 *                                 volume's than the backing store's
 *   LOCAL_READS, LOCAL_READ_BYTES (replica) reads done on the target's
 *                                 device without TCP
 *   LOCAL_WRITES, LOCAL_WRITE_BYTES (replica) writes and flushes done there
 *   REFUSED                       (target) connections closed at once: it
 *                                 served the module's max_conns already
 *   THROTTLED                     (volume) requests that waited for its
 *                                 IOPS or throughput limit
 *   LAT_HIST (NLA_BINARY)         KCLOUD_BS_LAT_BUCKETS __u64 counters:
 *                                 bucket i counts requests that took
 *                                 [2^i, 2^(i+1)) microseconds (bucket 0 from
 *                                 0, the last one to infinity)
 */
#ifndef _UAPI_LINUX_KCLOUD_BS_H
#define _UAPI_LINUX_KCLOUD_BS_H

#define KCLOUD_BS_GENL_NAME	"kcloud_bs"
#define KCLOUD_BS_GENL_VERSION	1
#define KCLOUD_BS_MCGRP_EVENTS	"events"

#define KCLOUD_BS_NAME_LEN	32	/* with the NUL */
#define KCLOUD_BS_PATH_LEN	256	/* with the NUL */
#define KCLOUD_BS_MAX_REPLICAS	5
#define KCLOUD_BS_LAT_BUCKETS	24

/* Features reported by KCLOUD_BS_CMD_GET_INFO. */
enum kcloud_bs_feature {
	KCLOUD_BS_F_INFO	= 1ULL << 0,	/* GET_INFO: always set */
	KCLOUD_BS_F_TARGET	= 1ULL << 1,	/* TARGET_ADD/DEL, GET_TARGET */
	KCLOUD_BS_F_VOLUME	= 1ULL << 2,	/* VOLUME_*, GET_VOLUME */
	KCLOUD_BS_F_REPLICA	= 1ULL << 3,	/* REPLICA_ADD/REMOVE */
	KCLOUD_BS_F_RESYNC	= 1ULL << 4,	/* dirty-region resync */
	KCLOUD_BS_F_EVENTS	= 1ULL << 5,	/* the "events" group */
	KCLOUD_BS_F_DISCARD	= 1ULL << 6,	/* discard and write zeroes */
	KCLOUD_BS_F_REPLACE	= 1ULL << 7,	/* REPLICA_REPLACE */
	KCLOUD_BS_F_IDENTITY	= 1ULL << 8,	/* TARGET_META, TARGET_VOLUME */
	KCLOUD_BS_F_ATTACH	= 1ULL << 9,	/* VOLUME_ATTACH, VOLUME_DETACH */
	KCLOUD_BS_F_LIMITS	= 1ULL << 10,	/* VOLUME_IOPS, _THROUGHPUT, VOLUME_MODIFY */
	KCLOUD_BS_F_RESIZE	= 1ULL << 11,	/* VOLUME_MODIFY with VOLUME_SIZE */
	KCLOUD_BS_F_SNAPSHOT	= 1ULL << 12,	/* SNAPSHOT_*, GET_SNAPSHOT */
	KCLOUD_BS_F_ENCRYPT	= 1ULL << 13,	/* VOLUME_KEY (kernels with the skcipher API) */
};

enum kcloud_bs_volume_state {
	KCLOUD_BS_VOLUME_OK,		/* every replica in sync */
	KCLOUD_BS_VOLUME_DEGRADED,	/* quorum in sync, not all */
	KCLOUD_BS_VOLUME_FROZEN,	/* below quorum: I/O waits */
};

enum kcloud_bs_replica_state {
	KCLOUD_BS_REPLICA_CONNECTING,	/* not connected, in sync */
	KCLOUD_BS_REPLICA_IN_SYNC,	/* connected, in sync */
	KCLOUD_BS_REPLICA_OUT_OF_SYNC,	/* not connected, missed writes */
	KCLOUD_BS_REPLICA_RESYNCING,	/* connected, copying dirty regions */
	KCLOUD_BS_REPLICA_STALE,	/* refused: the target saw a newer epoch */
	KCLOUD_BS_REPLICA_FOREIGN,	/* refused: the target is another volume's */
};

enum kcloud_bs_snapshot_state {
	KCLOUD_BS_SNAPSHOT_PENDING,	/* taken; its data is being copied */
	KCLOUD_BS_SNAPSHOT_COMPLETED,	/* the file holds it all, synced */
	KCLOUD_BS_SNAPSHOT_FAILED,	/* KCLOUD_BS_A_SNAPSHOT_ERROR says why */
};

enum kcloud_bs_event {
	KCLOUD_BS_EVENT_NONE,
	KCLOUD_BS_EVENT_VOLUME_CREATED,
	KCLOUD_BS_EVENT_VOLUME_DELETED,
	KCLOUD_BS_EVENT_REPLICA_STATE,	/* a replica changed state */
	KCLOUD_BS_EVENT_VOLUME_STATE,	/* the volume changed state */
	KCLOUD_BS_EVENT_VOLUME_ATTACHED,	/* its disk /dev/kcbsN was added */
	KCLOUD_BS_EVENT_VOLUME_DETACHED,	/* its disk was removed */
	KCLOUD_BS_EVENT_VOLUME_RESIZED,	/* it grew (VOLUME_MODIFY) */
	KCLOUD_BS_EVENT_SNAPSHOT_STATE,	/* a snapshot was taken, completed or failed */
	KCLOUD_BS_EVENT_SNAPSHOT_DELETED,	/* a snapshot was deleted */
};

enum kcloud_bs_cmd {
	KCLOUD_BS_CMD_UNSPEC,
	KCLOUD_BS_CMD_GET_INFO,
	KCLOUD_BS_CMD_TARGET_ADD,
	KCLOUD_BS_CMD_TARGET_DEL,
	KCLOUD_BS_CMD_GET_TARGET,
	KCLOUD_BS_CMD_VOLUME_CREATE,
	KCLOUD_BS_CMD_VOLUME_DELETE,
	KCLOUD_BS_CMD_GET_VOLUME,
	KCLOUD_BS_CMD_REPLICA_ADD,
	KCLOUD_BS_CMD_REPLICA_REMOVE,
	KCLOUD_BS_CMD_REPLICA_REPLACE,
	KCLOUD_BS_CMD_VOLUME_ATTACH,
	KCLOUD_BS_CMD_VOLUME_DETACH,
	KCLOUD_BS_CMD_VOLUME_MODIFY,
	KCLOUD_BS_CMD_SNAPSHOT_CREATE,
	KCLOUD_BS_CMD_SNAPSHOT_DELETE,
	KCLOUD_BS_CMD_GET_SNAPSHOT,

	__KCLOUD_BS_CMD_MAX,
	KCLOUD_BS_CMD_MAX = __KCLOUD_BS_CMD_MAX - 1
};

enum kcloud_bs_attr {
	KCLOUD_BS_A_UNSPEC,
	KCLOUD_BS_A_INFO_VERSION,
	KCLOUD_BS_A_INFO_FEATURES,
	KCLOUD_BS_A_PAD,
	KCLOUD_BS_A_TARGET_NAME,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_TARGET_PATH,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_TARGET_ADDR,	/* NLA_BE32 */
	KCLOUD_BS_A_TARGET_PORT,	/* NLA_U16 */
	KCLOUD_BS_A_TARGET_SIZE,	/* NLA_U64 */
	KCLOUD_BS_A_TARGET_EPOCH,	/* NLA_U64 */
	KCLOUD_BS_A_TARGET_CONNS,	/* NLA_U32 */
	KCLOUD_BS_A_VOLUME_NAME,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_VOLUME_SIZE,	/* NLA_U64 */
	KCLOUD_BS_A_VOLUME_DISK,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_VOLUME_QUORUM,	/* NLA_U8 */
	KCLOUD_BS_A_VOLUME_REGION_SIZE,	/* NLA_U32 */
	KCLOUD_BS_A_VOLUME_EPOCH,	/* NLA_U64 */
	KCLOUD_BS_A_VOLUME_RESYNC_RATE,	/* NLA_U32 */
	KCLOUD_BS_A_VOLUME_TIMEOUT,	/* NLA_U32 */
	KCLOUD_BS_A_VOLUME_STATE,	/* NLA_U8 */
	KCLOUD_BS_A_VOLUME_REPLICAS,	/* nested: KCLOUD_BS_A_REPLICA... */
	KCLOUD_BS_A_REPLICA,		/* nested: KCLOUD_BS_REPLICA_A_* */
	KCLOUD_BS_A_STATS,		/* nested: KCLOUD_BS_STAT_* */
	KCLOUD_BS_A_EVENT,		/* NLA_U8 */
	KCLOUD_BS_A_VOLUME_META,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_VOLUME_FORCE,	/* NLA_FLAG */
	KCLOUD_BS_A_TARGET_META,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_TARGET_VOLUME,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_VOLUME_IOPS,	/* NLA_U32 */
	KCLOUD_BS_A_VOLUME_THROUGHPUT,	/* NLA_U32: KiB/s */
	KCLOUD_BS_A_SNAPSHOT_NAME,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_SNAPSHOT_PATH,	/* NLA_NUL_STRING */
	KCLOUD_BS_A_SNAPSHOT_SIZE,	/* NLA_U64 */
	KCLOUD_BS_A_SNAPSHOT_STATE,	/* NLA_U8: enum kcloud_bs_snapshot_state */
	KCLOUD_BS_A_SNAPSHOT_TIME,	/* NLA_U64: ns since the epoch */
	KCLOUD_BS_A_SNAPSHOT_COPIED,	/* NLA_U64: bytes */
	KCLOUD_BS_A_SNAPSHOT_STORED,	/* NLA_U64: bytes */
	KCLOUD_BS_A_SNAPSHOT_COW,	/* NLA_U64: regions */
	KCLOUD_BS_A_SNAPSHOT_ERROR,	/* NLA_U32: errno */
	KCLOUD_BS_A_VOLUME_KEY,		/* NLA_BINARY: 32 or 64 bytes, create only */
	KCLOUD_BS_A_VOLUME_CIPHER,	/* NLA_NUL_STRING: reply only */
	KCLOUD_BS_A_VOLUME_KEY_BITS,	/* NLA_U32: reply only */
	KCLOUD_BS_A_SNAPSHOT_KCV,	/* NLA_BINARY: 32 bytes, reply only */

	__KCLOUD_BS_A_MAX,
	KCLOUD_BS_A_MAX = __KCLOUD_BS_A_MAX - 1
};

enum kcloud_bs_replica_attr {
	KCLOUD_BS_REPLICA_A_UNSPEC,
	KCLOUD_BS_REPLICA_A_ADDR,	/* NLA_BE32: the target's IPv4 address */
	KCLOUD_BS_REPLICA_A_PORT,	/* NLA_U16: the target's TCP port */
	KCLOUD_BS_REPLICA_A_INDEX,	/* NLA_U8: 0..4 */
	KCLOUD_BS_REPLICA_A_STATE,	/* NLA_U8: enum kcloud_bs_replica_state */
	KCLOUD_BS_REPLICA_A_DIRTY,	/* NLA_U64: dirty regions */
	KCLOUD_BS_REPLICA_A_EPOCH,	/* NLA_U64: the target's epoch */
	KCLOUD_BS_REPLICA_A_STATS,	/* nested: KCLOUD_BS_STAT_* */
	KCLOUD_BS_REPLICA_A_PAD,
	KCLOUD_BS_REPLICA_A_LOCAL,	/* NLA_U8: 1 while read without TCP
					 * (its target is served by this host
					 * from a block device)
					 */

	__KCLOUD_BS_REPLICA_A_MAX,
	KCLOUD_BS_REPLICA_A_MAX = __KCLOUD_BS_REPLICA_A_MAX - 1
};

enum kcloud_bs_stat {
	KCLOUD_BS_STAT_UNSPEC,
	KCLOUD_BS_STAT_READS,
	KCLOUD_BS_STAT_WRITES,
	KCLOUD_BS_STAT_FLUSHES,
	KCLOUD_BS_STAT_READ_BYTES,
	KCLOUD_BS_STAT_WRITE_BYTES,
	KCLOUD_BS_STAT_ERRORS,
	KCLOUD_BS_STAT_INFLIGHT,
	KCLOUD_BS_STAT_RETRIES,
	KCLOUD_BS_STAT_CRC_ERRORS,
	KCLOUD_BS_STAT_TIMEOUTS,
	KCLOUD_BS_STAT_RECONNECTS,
	KCLOUD_BS_STAT_RESYNC_REGIONS,
	KCLOUD_BS_STAT_RESYNC_BYTES,
	KCLOUD_BS_STAT_DIRTY_REGIONS,
	KCLOUD_BS_STAT_GARBAGE,
	KCLOUD_BS_STAT_STALE,
	KCLOUD_BS_STAT_LAT_HIST,	/* NLA_BINARY: __u64[KCLOUD_BS_LAT_BUCKETS] */
	KCLOUD_BS_STAT_PAD,
	KCLOUD_BS_STAT_FOREIGN,
	KCLOUD_BS_STAT_LOCAL_READS,	/* replicas: reads done without TCP */
	KCLOUD_BS_STAT_LOCAL_READ_BYTES,
	KCLOUD_BS_STAT_LOCAL_WRITES,	/* replicas: writes and flushes */
	KCLOUD_BS_STAT_LOCAL_WRITE_BYTES,
	KCLOUD_BS_STAT_REFUSED,		/* targets: connections over max_conns */
	KCLOUD_BS_STAT_THROTTLED,	/* volumes: requests held by a limit */

	__KCLOUD_BS_STAT_MAX,
	KCLOUD_BS_STAT_MAX = __KCLOUD_BS_STAT_MAX - 1
};

#endif /* _UAPI_LINUX_KCLOUD_BS_H */
