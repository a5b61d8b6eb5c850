// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: snapshots. A snapshot is a point-in-time, crash-consistent
 * copy of a volume, written to a file as a raw image of the volume (sparse
 * where the volume reads as zeroes), as EBS copies a snapshot to S3.
 *
 * Taking one is quick: with the volume's queue frozen for a moment, so that
 * every write begun before has completed, the snapshot is published on the
 * volume (vol->snap). From then on a copier reads the volume's regions, one
 * at a time and in order, from an in-sync replica and writes them into the
 * file. A write to a region not yet copied waits for it: the region is
 * asked for (snap->want) and copied next, before the write is sent (copy
 * before write). So each region in the file is the volume as it was when
 * the snapshot was taken, while the guest's I/O goes on; reads never wait.
 *
 * The copier reads under the volume's gate held for writing, as a resync
 * copies, which makes the resync's request slot its own for the read, and
 * marks the region copied (snap->done) under it once its data is in the
 * snapshot's buffer. A write tests the bit under the gate held for reading:
 * it finds the region copied and goes, or not copied and waits for the
 * copier to move on (vol->snap_seq, bumped under the gate, so no wakeup is
 * missed). The file is written after the gate is let go.
 *
 * The snapshot ends when every region is in the file and the file is
 * synced (completed), or when the file cannot be written, the snapshot is
 * deleted or its volume is (failed). Either way vol->snap is cleared under
 * the gate and the waiting writes go. A copy that finds no in-sync replica,
 * or whose read fails, tries again later, from whichever replica is in sync
 * then.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/blk-mq.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <net/netns/generic.h>

#include "bs.h"

#define KCBS_SNAP_TRIES		8	/* reads of a region whose crc failed */
#define KCBS_SNAP_BATCH		64	/* regions copied before the work yields */
#define KCBS_SNAP_RETRY		(HZ / 2)
#define KCBS_SNAP_DRAIN		(30 * HZ)	/* for the volume's I/O to settle */
#define KCBS_SNAP_WAIT		(5 * HZ)	/* a waiting write looks again */

/**
 * kcbs_snapshot_find() - look a snapshot up by name
 * @net: its namespace
 * @name: its name
 *
 * Context: kcbs_lock held.
 * Return: the snapshot or NULL.
 */
struct kcbs_snapshot *kcbs_snapshot_find(struct net *net, const char *name)
{
	struct kcbs_net *kn = net_generic(net, kcbs_net_id);
	struct kcbs_snapshot *snap;

	list_for_each_entry(snap, &kn->snapshots, node)
		if (!strcmp(snap->name, name))
			return snap;
	return NULL;
}

static void kcbs_snap_free_copy(struct kcbs_snapshot *snap)
{
	if (snap->file)
		fput(snap->file);
	snap->file = NULL;
	kvfree(snap->done);
	kvfree(snap->want);
	kvfree(snap->buf);
	snap->done = NULL;
	snap->want = NULL;
	snap->buf = NULL;
}

/*
 * The snapshot is over, with @err (0: completed). Its copier does not run
 * again: a run still queued finds @cancel and returns.
 */
static void kcbs_snap_end(struct kcbs_snapshot *snap, int err)
{
	struct kcbs_volume *vol = snap->vol;

	WRITE_ONCE(snap->cancel, true);
	down_write(&vol->gate);
	vol->snap = NULL;
	vol->snap_seq++;
	up_write(&vol->gate);
	wake_up_all(&vol->snap_wq);

	kcbs_snap_free_copy(snap);
	WRITE_ONCE(snap->error, -err);
	WRITE_ONCE(snap->state, err ? KCLOUD_BS_SNAPSHOT_FAILED : KCLOUD_BS_SNAPSHOT_COMPLETED);
	if (err)
		pr_info("%s: snapshot %s failed: %d\n", vol->name, snap->name, err);
	else
		pr_info("%s: snapshot %s completed: %llu bytes, %llu stored\n", vol->name,
			snap->name, atomic64_read(&snap->copied), atomic64_read(&snap->stored));
	kcbs_notify_snapshot(snap, KCLOUD_BS_EVENT_SNAPSHOT_STATE);
}

/* The next region to copy: one a write waits for, else the next in order. */
static unsigned long kcbs_snap_next(struct kcbs_snapshot *snap, bool *asked)
{
	unsigned long bit = find_first_bit(snap->want, snap->nregions);

	*asked = bit < snap->nregions;
	if (*asked)
		return bit;
	return find_next_zero_bit(snap->done, snap->nregions, snap->next);
}

/* Read region @bit into snap->buf and mark it copied; its length in @lenp. */
static int kcbs_snap_read(struct kcbs_snapshot *snap, unsigned long bit, u32 *lenp)
{
	struct kcbs_volume *vol = snap->vol;
	u64 off = (u64)bit << vol->region_shift;
	u32 len = min_t(u64, vol->region_size, snap->size - off);
	struct kcbs_replica *src;
	int tries, err;

	src = kcbs_sync_source(vol, NULL);
	if (!src)
		return -EAGAIN;
	down_write(&vol->gate);
	for (tries = 0; tries < KCBS_SNAP_TRIES; tries++) {
		err = kcbs_sync_read(vol, src, off, len);
		if (err != -EBADMSG)
			break;
		kcbs_stats_inc(&vol->stats, KCBS_S_RETRIES);
	}
	if (!err) {
		memcpy(snap->buf, vol->sync.buf, len);
		set_bit(bit, snap->done);
		clear_bit(bit, snap->want);
		vol->snap_seq++;
	}
	up_write(&vol->gate);
	if (err)
		return err;
	wake_up_all(&vol->snap_wq);
	*lenp = len;
	return 0;
}

/* Write what kcbs_snap_read() read of region @bit to the file. */
static int kcbs_snap_store(struct kcbs_snapshot *snap, unsigned long bit, u32 len)
{
	loff_t pos = (loff_t)bit << snap->vol->region_shift;
	ssize_t n;

	atomic64_add(len, &snap->copied);
	if (!memchr_inv(snap->buf, 0, len))
		return 0;		/* a hole in the file reads as zeroes */
	n = kernel_write(snap->file, snap->buf, len, &pos);
	if (n != len)
		return n < 0 ? n : -EIO;
	atomic64_add(len, &snap->stored);
	return 0;
}

static void kcbs_snap_work(struct work_struct *work)
{
	struct kcbs_snapshot *snap = container_of(to_delayed_work(work), struct kcbs_snapshot,
						  work);
	unsigned long delay = 0, bit;
	struct kcbs_volume *vol;
	unsigned int noio;
	int i, err = 0;
	bool asked;
	u32 len;

	if (READ_ONCE(snap->cancel))
		return;
	vol = snap->vol;
	noio = memalloc_noio_save();
	for (i = 0; i < KCBS_SNAP_BATCH; i++) {
		if (READ_ONCE(snap->cancel) || READ_ONCE(vol->stopping))
			goto out;	/* whoever stops it ends it */
		bit = kcbs_snap_next(snap, &asked);
		if (bit >= snap->nregions) {
			err = vfs_fsync(snap->file, 0);
			kcbs_snap_end(snap, err);
			goto out;
		}
		err = kcbs_snap_read(snap, bit, &len);
		if (err) {
			/* No replica to read from, or it failed: later. */
			delay = KCBS_SNAP_RETRY;
			break;
		}
		if (!asked)
			snap->next = bit + 1;
		else
			atomic64_inc(&snap->cow);
		err = kcbs_snap_store(snap, bit, len);
		if (err) {
			kcbs_snap_end(snap, err);
			goto out;
		}
		if (!asked && READ_ONCE(vol->resync_rate)) {
			u64 ms = div_u64((u64)len * MSEC_PER_SEC,
					 (u64)READ_ONCE(vol->resync_rate) * SZ_1K);

			delay = msecs_to_jiffies(ms);
			if (delay)
				break;
		}
		cond_resched();
	}
	queue_delayed_work(vol->ctl_wq, &snap->work, delay);
out:
	memalloc_noio_restore(noio);
}

/**
 * kcbs_snapshot_hold() - must a request wait for the snapshot's copy?
 * @vol: the volume
 * @rq: a request that changes data (write, discard, write zeroes)
 * @seq: where to keep what to wait on
 *
 * Asks the copier for the regions @rq changes that it has not copied yet.
 *
 * Context: vol->gate held for reading.
 * Return: true if @rq must wait: let go of the gate, kcbs_snapshot_wait(),
 * and look again.
 */
bool kcbs_snapshot_hold(struct kcbs_volume *vol, struct request *rq, u32 *seq)
{
	struct kcbs_snapshot *snap = vol->snap;
	u64 start = blk_rq_pos(rq) << SECTOR_SHIFT;
	unsigned long first, end, bit;
	bool hold = false;

	if (likely(!snap) || !blk_rq_bytes(rq))
		return false;
	first = start >> vol->region_shift;
	end = min_t(u64, snap->nregions,
		    ((start + blk_rq_bytes(rq) - 1) >> vol->region_shift) + 1);
	for (bit = find_next_zero_bit(snap->done, end, first); bit < end;
	     bit = find_next_zero_bit(snap->done, end, bit + 1)) {
		set_bit(bit, snap->want);
		hold = true;
	}
	if (hold) {
		*seq = READ_ONCE(vol->snap_seq);
		mod_delayed_work(vol->ctl_wq, &snap->work, 0);
	}
	return hold;
}

/**
 * kcbs_snapshot_wait() - wait for the snapshot's copier to move on
 * @vol: the volume
 * @seq: from kcbs_snapshot_hold()
 *
 * Wakes up now and then even so, so that a copy waiting for a replica is
 * not a hung task.
 */
void kcbs_snapshot_wait(struct kcbs_volume *vol, u32 seq)
{
	wait_event_timeout(vol->snap_wq, READ_ONCE(vol->snap_seq) != seq ||
			   READ_ONCE(vol->stopping), KCBS_SNAP_WAIT);
}

/* The filesystem that would hold @path is on @vol's own disk. */
static int kcbs_snap_on_volume(struct kcbs_volume *vol, const char *path, bool *on)
{
	char *dir = kstrdup(path, GFP_KERNEL);
	struct super_block *sb;
	struct path p;
	char *slash;
	int err;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	err = kern_path(dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	kfree(dir);
	if (err)
		return err;
	sb = p.dentry->d_sb;
	*on = vol->disk && sb->s_bdev && sb->s_bdev->bd_disk == vol->disk;
	path_put(&p);
	return 0;
}

/* Open the snapshot's file, new, at the volume's size. */
static int kcbs_snap_open(struct kcbs_snapshot *snap, struct kcbs_volume *vol,
			  struct netlink_ext_ack *extack)
{
	struct file *f;
	bool on = false;
	int err;

	if (snap->path[0] != '/') {
		NL_SET_ERR_MSG_MOD(extack, "the snapshot's path is not absolute");
		return -EINVAL;
	}
	err = kcbs_snap_on_volume(vol, snap->path, &on);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "the snapshot file's directory cannot be found");
		return err;
	}
	if (on) {
		NL_SET_ERR_MSG_MOD(extack, "the snapshot file cannot be on the volume itself");
		return -EINVAL;
	}
	f = filp_open(snap->path, O_RDWR | O_CREAT | O_EXCL | O_LARGEFILE, 0600);
	if (IS_ERR(f)) {
		if (PTR_ERR(f) == -EEXIST)
			NL_SET_ERR_MSG_MOD(extack, "the snapshot file exists");
		else
			NL_SET_ERR_MSG_MOD(extack, "cannot create the snapshot file");
		return PTR_ERR(f);
	}
	snap->file = f;
	err = vfs_truncate(&f->f_path, snap->size);
	if (err)
		NL_SET_ERR_MSG_MOD(extack, "cannot size the snapshot file");
	return err;
}

/*
 * Fix the moment: every write begun has completed, none starts, while
 * vol->snap is set. What the IOPS and throughput limits hold back goes at
 * once (as a resize does), or the freeze would wait for it.
 */
static int kcbs_snap_publish(struct kcbs_snapshot *snap, struct kcbs_volume *vol,
			     struct netlink_ext_ack *extack)
{
	struct request_queue *q = vol->disk ? vol->disk->queue : NULL;
	int err = 0;

	WRITE_ONCE(vol->draining, true);
	if (q) {
		blk_mq_run_hw_queues(q, true);
		blk_freeze_queue_start(q);
		if (!blk_mq_freeze_queue_wait_timeout(q, KCBS_SNAP_DRAIN)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "the volume's I/O did not drain (is it frozen?): try again");
			err = -EBUSY;
			goto out;
		}
	}
	snap->time = ktime_get_real_ns();
	down_write(&vol->gate);
	vol->snap = snap;
	up_write(&vol->gate);
out:
	if (q)
		blk_mq_unfreeze_queue(q);
	WRITE_ONCE(vol->draining, false);
	return err;
}

/**
 * kcbs_snapshot_create() - take a snapshot of a volume
 * @vol: the volume
 * @name: the snapshot's name
 * @path: the file to write it to, which must not exist
 * @extack: where to say why it failed
 *
 * Return: the snapshot, pending and listed, or an ERR_PTR(). On an error
 * after the file was made, the file is left (empty).
 *
 * Context: kcbs_lock held.
 */
struct kcbs_snapshot *kcbs_snapshot_create(struct kcbs_volume *vol, const char *name,
					   const char *path, struct netlink_ext_ack *extack)
{
	struct kcbs_net *kn = net_generic(vol->net, kcbs_net_id);
	struct kcbs_snapshot *snap;
	int err;

	if (kcbs_snapshot_find(vol->net, name)) {
		NL_SET_ERR_MSG_MOD(extack, "a snapshot with this name exists");
		return ERR_PTR(-EEXIST);
	}
	if (READ_ONCE(vol->snap)) {
		NL_SET_ERR_MSG_MOD(extack, "a snapshot of this volume is being taken");
		return ERR_PTR(-EBUSY);
	}
	/* Its I/O waits for the quorum: the freeze would wait for it too. */
	if (READ_ONCE(vol->state) == KCLOUD_BS_VOLUME_FROZEN) {
		NL_SET_ERR_MSG_MOD(extack, "the volume is frozen: below its quorum");
		return ERR_PTR(-EBUSY);
	}
	snap = kzalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return ERR_PTR(-ENOMEM);
	snap->net = vol->net;
	strscpy(snap->name, name, sizeof(snap->name));
	strscpy(snap->volume, vol->name, sizeof(snap->volume));
	strscpy(snap->path, path, sizeof(snap->path));
	snap->size = vol->size;
	/* The copier reads what the targets hold: an encrypted volume's
	 * ciphertext. Restoring it takes the key, which the check value
	 * tells right from wrong.
	 */
	if (vol->crypt) {
		snap->key_bits = kcbs_crypt_key_bits(vol->crypt);
		memcpy(snap->kcv, kcbs_crypt_kcv(vol->crypt), KCBS_KCV_LEN);
	}
	snap->nregions = vol->nregions;
	snap->vol = vol;
	snap->state = KCLOUD_BS_SNAPSHOT_PENDING;
	INIT_DELAYED_WORK(&snap->work, kcbs_snap_work);

	err = -ENOMEM;
	snap->done = kvcalloc(BITS_TO_LONGS(snap->nregions), sizeof(long), GFP_KERNEL);
	snap->want = kvcalloc(BITS_TO_LONGS(snap->nregions), sizeof(long), GFP_KERNEL);
	snap->buf = kvmalloc(vol->region_size, GFP_KERNEL);
	if (!snap->done || !snap->want || !snap->buf)
		goto err_free;
	err = kcbs_snap_open(snap, vol, extack);
	if (err)
		goto err_free;
	err = kcbs_snap_publish(snap, vol, extack);
	if (err)
		goto err_free;

	list_add_tail(&snap->node, &kn->snapshots);
	queue_delayed_work(vol->ctl_wq, &snap->work, 0);
	pr_info("%s: snapshot %s taken, to %s\n", vol->name, snap->name, snap->path);
	kcbs_notify_snapshot(snap, KCLOUD_BS_EVENT_SNAPSHOT_STATE);
	return snap;

err_free:
	kcbs_snap_free_copy(snap);
	kfree(snap);
	return ERR_PTR(err);
}

/**
 * kcbs_snapshot_abort() - stop the snapshot a volume is copying, if any
 * @vol: the volume
 *
 * The snapshot fails with -ECANCELED; writes waiting for it go.
 *
 * Context: kcbs_lock held.
 */
void kcbs_snapshot_abort(struct kcbs_volume *vol)
{
	struct kcbs_snapshot *snap = READ_ONCE(vol->snap);

	if (!snap)
		return;
	WRITE_ONCE(snap->cancel, true);
	cancel_delayed_work_sync(&snap->work);
	/* Unless its copier ended it meanwhile. */
	if (READ_ONCE(vol->snap) == snap)
		kcbs_snap_end(snap, -ECANCELED);
}

/**
 * kcbs_snapshot_destroy() - forget a snapshot
 * @snap: the snapshot; a pending one is stopped
 *
 * Its file stays.
 *
 * Context: kcbs_lock held.
 */
void kcbs_snapshot_destroy(struct kcbs_snapshot *snap)
{
	struct kcbs_volume *vol = kcbs_volume_find(snap->net, snap->volume);

	if (vol && READ_ONCE(vol->snap) == snap)
		kcbs_snapshot_abort(vol);
	/* A run queued before the copy ended must not find it freed. */
	cancel_delayed_work_sync(&snap->work);
	list_del(&snap->node);
	kcbs_notify_snapshot(snap, KCLOUD_BS_EVENT_SNAPSHOT_DELETED);
	kfree(snap);
}
