// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: resync. A replica that is connected but out of sync gets the
 * regions its dirty bitmap names copied from an in-sync replica, one region
 * at a time and throttled, then it is in sync again.
 *
 * A region is copied under the volume's gate held for writing, which keeps
 * new writes from being sent meanwhile: the read of the region from the
 * source is ORDERED, so the target starts it once every write already sent
 * there is done; the copy to the replica is ORDERED too, and is done before
 * any write sent after it (those wait for the gate).
 * A write that misses the replica sets the region's bit again when it ends
 * (after the in-sync replicas have it), so a copy that raced with it is
 * done once more. The replica receives every new write while it resyncs,
 * so its bitmap only shrinks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/sched/mm.h>

#include "bs.h"

#define KCBS_SYNC_TRIES		8
#define KCBS_RESYNC_RETRY	(HZ / 2)

/**
 * kcbs_resync_kick() - look for replicas to resync, soon
 * @vol: the volume
 */
void kcbs_resync_kick(struct kcbs_volume *vol)
{
	if (!READ_ONCE(vol->stopping))
		mod_delayed_work(vol->ctl_wq, &vol->resync_work, 0);
}

/* One request of the resync on replica @r's connection; waits for it. */
static int kcbs_sync_io(struct kcbs_volume *vol, struct kcbs_replica *r,
			enum kcbs_msg_type type, u64 off, u32 len, u64 *value)
{
	struct kcbs_sync_io *s = &vol->sync;
	struct kcbs_msg_req req = {
		.magic	= cpu_to_be32(KCBS_REQ_MAGIC),
		.type	= cpu_to_be16(type),
		.flags	= cpu_to_be16(KCBS_MSG_F_ORDERED),
		.offset	= cpu_to_be64(off),
		.length	= cpu_to_be32(len),
		.epoch	= cpu_to_be64(vol->epoch),
	};
	struct kcbs_conn *c;
	int err;

	if (type == KCBS_MSG_WRITE)
		req.data_crc = cpu_to_be32(kcbs_crc(~0, s->buf, len));

	/* Registered before the connection is looked up: a receiver that
	 * fails after the lookup then finds it and ends it.
	 */
	spin_lock(&vol->lock);
	s->handle = KCBS_HANDLE_SYNC | ++vol->sync_seq;
	s->replica = r->idx;
	s->type = type;
	s->status = -EINPROGRESS;
	s->len = len;
	reinit_completion(&s->done);
	spin_unlock(&vol->lock);
	req.handle = cpu_to_be64(s->handle);

	c = kcbs_replica_get_conn(r);
	if (!c) {
		err = -ENOTCONN;
		goto out;
	}
	err = kcbs_conn_send(c, &req, NULL, s->buf);
	kcbs_conn_put(c);
	if (err) {
		kcbs_replica_kill(r);
		wait_for_completion(&s->done);
		goto out;
	}
	if (!wait_for_completion_timeout(&s->done, msecs_to_jiffies(vol->timeout_ms))) {
		kcbs_stats_inc(&r->stats, KCBS_S_TIMEOUTS);
		kcbs_replica_kill(r);
		wait_for_completion(&s->done);
	}
	spin_lock(&vol->lock);
	err = s->status;
	spin_unlock(&vol->lock);
	if (value)
		*value = s->value;
out:
	spin_lock(&vol->lock);
	s->replica = -1;
	spin_unlock(&vol->lock);
	return err;
}

/**
 * kcbs_sync_size() - have a replica's target hold a volume's new size
 * @vol: the volume
 * @r: the replica, connected
 * @want: the size, in bytes
 * @size: the size its target holds then (maybe less than @want)
 *
 * Context: vol->gate held for writing: the resync's request slot is ours.
 * Return: 0 or a negative errno (no answer, the target failed).
 */
int kcbs_sync_size(struct kcbs_volume *vol, struct kcbs_replica *r, u64 want, u64 *size)
{
	return kcbs_sync_io(vol, r, KCBS_MSG_SIZE, want, 0, size);
}

/**
 * kcbs_sync_read() - read a range of a replica into vol->sync.buf
 * @vol: the volume
 * @r: the replica, connected
 * @off: where, in bytes
 * @len: how much, at most a region
 *
 * ORDERED: the target starts it once every request sent before is done.
 *
 * Context: vol->gate held for writing: the resync's request slot is ours.
 * Return: 0 or a negative errno (-EBADMSG: the data's crc32c did not match).
 */
int kcbs_sync_read(struct kcbs_volume *vol, struct kcbs_replica *r, u64 off, u32 len)
{
	return kcbs_sync_io(vol, r, KCBS_MSG_READ, off, len, NULL);
}

/**
 * kcbs_sync_io_reply() - a replica answered the resync's request
 * @r: the replica
 * @rep: the reply's header, checked
 * @sock: the connection, for the data that follows
 *
 * Context: @r's receiver.
 * Return: 0, or a negative errno to drop the connection.
 */
int kcbs_sync_io_reply(struct kcbs_replica *r, const struct kcbs_msg_rep *rep,
		       struct socket *sock)
{
	struct kcbs_volume *vol = r->vol;
	struct kcbs_sync_io *s = &vol->sync;
	u32 len = be32_to_cpu(rep->length);
	u16 st = be16_to_cpu(rep->status);
	bool match;
	int status;
	int err;

	spin_lock(&vol->lock);
	match = s->replica == r->idx && s->handle == be64_to_cpu(rep->handle) &&
		s->status == -EINPROGRESS && be16_to_cpu(rep->type) == s->type;
	spin_unlock(&vol->lock);
	if (!match)
		return -EPROTO;

	/* The resync waits for us: s->buf and s->len are ours until done. */
	if (st == KCBS_ST_OK && rep->type == cpu_to_be16(KCBS_MSG_READ)) {
		if (len != s->len)
			return -EPROTO;
		err = kcbs_sock_recv(sock, s->buf, len);
		if (err)
			return err;
		status = 0;
		if (kcbs_crc(~0, s->buf, len) != be32_to_cpu(rep->data_crc)) {
			kcbs_stats_inc(&r->stats, KCBS_S_CRC_ERRORS);
			kcbs_stats_inc(&vol->stats, KCBS_S_CRC_ERRORS);
			status = -EBADMSG;
		}
	} else {
		if (len)
			return -EPROTO;
		switch (st) {
		case KCBS_ST_OK:
			status = 0;
			break;
		case KCBS_ST_BADCRC:
			kcbs_stats_inc(&r->stats, KCBS_S_CRC_ERRORS);
			kcbs_stats_inc(&vol->stats, KCBS_S_CRC_ERRORS);
			status = -EBADMSG;
			break;
		case KCBS_ST_STALE:
			WRITE_ONCE(r->stale, true);
			status = -ESTALE;
			break;
		default:
			status = -EIO;
			break;
		}
	}
	spin_lock(&vol->lock);
	s->status = status;
	s->value = be64_to_cpu(rep->value);
	spin_unlock(&vol->lock);
	complete(&s->done);
	return status == -ESTALE ? -ESTALE : 0;
}

/**
 * kcbs_sync_io_fail() - a replica's connection is gone
 * @r: the replica
 *
 * Ends the resync's request on it, if there is one.
 */
void kcbs_sync_io_fail(struct kcbs_replica *r)
{
	struct kcbs_volume *vol = r->vol;
	struct kcbs_sync_io *s = &vol->sync;
	bool pending;

	spin_lock(&vol->lock);
	pending = s->replica == r->idx && s->status == -EINPROGRESS;
	if (pending)
		s->status = -ECONNRESET;
	spin_unlock(&vol->lock);
	if (pending)
		complete(&s->done);
}

/**
 * kcbs_sync_source() - a replica to copy from
 * @vol: the volume
 * @r: a replica not to take, or NULL
 *
 * Return: an in-sync, connected replica other than @r, or NULL.
 */
struct kcbs_replica *kcbs_sync_source(struct kcbs_volume *vol, struct kcbs_replica *r)
{
	struct kcbs_replica *src = NULL;
	int i;

	spin_lock(&vol->lock);
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *o = &vol->replicas[i];

		if (o != r && o->present && o->connected && o->uptodate && !o->stale) {
			src = o;
			break;
		}
	}
	spin_unlock(&vol->lock);
	return src;
}

static bool kcbs_resync_wanted(struct kcbs_volume *vol, struct kcbs_replica *r)
{
	bool wanted;

	spin_lock(&vol->lock);
	wanted = r->present && r->connected && !r->uptodate && !r->stale;
	spin_unlock(&vol->lock);
	/* A resize lays the bitmaps out anew: it kicks us when done. */
	return wanted && !READ_ONCE(vol->stopping) && !READ_ONCE(vol->resizing);
}

/* Copy region @bit from @src to @r. */
static int kcbs_resync_region(struct kcbs_volume *vol, struct kcbs_replica *src,
			      struct kcbs_replica *r, unsigned long bit)
{
	u64 off = (u64)bit << vol->region_shift;
	u32 len = min_t(u64, vol->region_size, vol->size - off);
	int tries, err;

	down_write(&vol->gate);
	/* No write is sent now; those on a local device may still be on
	 * their way: the copy starts once they are done (ORDERED on the wire
	 * does the same for the others).
	 */
	wait_var_event(&src->local_writes, !atomic_read(&src->local_writes));
	wait_var_event(&r->local_writes, !atomic_read(&r->local_writes));
	clear_bit(bit, r->dirty);
	for (tries = 0; tries < KCBS_SYNC_TRIES; tries++) {
		err = kcbs_sync_io(vol, src, KCBS_MSG_READ, off, len, NULL);
		if (!err)
			err = kcbs_sync_io(vol, r, KCBS_MSG_WRITE, off, len, NULL);
		if (err != -EBADMSG)
			break;
		kcbs_stats_inc(&vol->stats, KCBS_S_RETRIES);
	}
	if (err)
		set_bit(bit, r->dirty);
	up_write(&vol->gate);
	if (!err) {
		u32 rate = READ_ONCE(vol->resync_rate);	/* VOLUME_MODIFY changes it */

		kcbs_stats_resync(&vol->stats, len);
		kcbs_stats_resync(&r->stats, len);
		if (rate)
			msleep(DIV_ROUND_UP_ULL((u64)len * MSEC_PER_SEC, (u64)rate * 1024));
	}
	return err;
}

/* Resync one replica; 0 once it is in sync. */
static int kcbs_resync_replica(struct kcbs_volume *vol, struct kcbs_replica *r)
{
	struct kcbs_replica *src;
	unsigned long bit;
	bool done;
	int err;

	for (;;) {
		if (!kcbs_resync_wanted(vol, r))
			return 0;
		bit = find_first_bit(r->dirty, vol->nregions);
		if (bit >= vol->nregions) {
			/* Nothing left to copy: in sync once no write that
			 * skipped it is still in flight (it would set a bit).
			 */
			down_write(&vol->gate);
			done = !kcbs_writes_without(vol, r->idx) &&
			       find_first_bit(r->dirty, vol->nregions) >= vol->nregions;
			if (done) {
				spin_lock(&vol->lock);
				if (r->connected && r->present)
					r->uptodate = true;
				spin_unlock(&vol->lock);
			}
			up_write(&vol->gate);
			if (done) {
				kcbs_volume_update_state(vol);
				return 0;
			}
			usleep_range(2000, 5000);
			continue;
		}
		src = kcbs_sync_source(vol, r);
		if (!src)
			return -EAGAIN;
		err = kcbs_resync_region(vol, src, r, bit);
		if (err)
			return err;
		cond_resched();
	}
}

/**
 * kcbs_resync_work() - resync every replica that needs it
 * @work: the volume's resync_work
 */
void kcbs_resync_work(struct work_struct *work)
{
	struct kcbs_volume *vol = container_of(to_delayed_work(work), struct kcbs_volume,
					       resync_work);
	unsigned int noio = memalloc_noio_save();
	bool again = false;
	int i;

	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *r = &vol->replicas[i];

		if (!kcbs_resync_wanted(vol, r))
			continue;
		kcbs_volume_update_state(vol);
		if (kcbs_resync_replica(vol, r))
			again = true;
		kcbs_meta_write_bitmap(r);
	}
	memalloc_noio_restore(noio);
	if (again && !READ_ONCE(vol->stopping))
		queue_delayed_work(vol->ctl_wq, &vol->resync_work, KCBS_RESYNC_RETRY);
}
