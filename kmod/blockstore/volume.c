// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: the volume role: the blk-mq disk /dev/kcbsN and what happens
 * to each of its requests: a write goes to every connected replica and ends
 * once the write quorum of in-sync replicas has it, a read goes to one
 * in-sync replica and moves to another on error, crc mismatch or timeout.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/slab.h>

#include <net/netns/generic.h>

#include "bs.h"

static int kcbs_major;
static DEFINE_IDA(kcbs_ida);

#define KCBS_MINORS	16

static u64 kcbs_handle(struct request *rq, struct kcbs_cmd *cmd)
{
	return (u64)(cmd->gen & 0x7fffffff) << 32 | blk_mq_unique_tag(rq);
}

static enum kcbs_msg_type kcbs_rq_type(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
		return KCBS_MSG_READ;
	case REQ_OP_WRITE:
		return KCBS_MSG_WRITE;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		return KCBS_MSG_ZERO;
	default:
		return KCBS_MSG_FLUSH;
	}
}

/* Requests that change data: the replicas that miss one are out of sync. */
static bool kcbs_rq_changes(struct request *rq)
{
	return kcbs_rq_type(rq) == KCBS_MSG_WRITE || kcbs_rq_type(rq) == KCBS_MSG_ZERO;
}

/* Replicas that are connected, present and not stale. Context: vol->lock. */
static u8 kcbs_connected_mask(struct kcbs_volume *vol)
{
	u8 mask = 0;
	int i;

	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *r = &vol->replicas[i];

		if (r->present && r->connected && !r->stale)
			mask |= BIT(i);
	}
	return mask;
}

/* Of @mask, those in sync. Context: vol->lock. */
static u8 kcbs_uptodate_mask(struct kcbs_volume *vol, u8 mask)
{
	int i;

	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (!vol->replicas[i].uptodate || !vol->replicas[i].present)
			mask &= ~BIT(i);
	return mask;
}

/*
 * The in-sync replica to read, not in @avoid if another will do: one read
 * locally (without TCP) if there is one, else the one with the fewest
 * requests in flight.
 */
static int kcbs_pick_reader(struct kcbs_volume *vol, u8 avoid)
{
	int i, best = -1, best_load = INT_MAX;
	u8 mask, local = 0;

	spin_lock(&vol->lock);
	mask = kcbs_uptodate_mask(vol, kcbs_connected_mask(vol));
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (vol->replicas[i].local)
			local |= BIT(i);
	spin_unlock(&vol->lock);
	if (mask & ~avoid)
		mask &= ~avoid;
	if (mask & local)
		mask &= local;
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		int load = atomic_read(&vol->replicas[i].inflight);

		if ((mask & BIT(i)) && load < best_load) {
			best = i;
			best_load = load;
		}
	}
	return best;
}

static void kcbs_local_put(struct kcbs_replica *r, bool write)
{
	if (write && atomic_dec_and_test(&r->local_writes))
		wake_up_var(&r->local_writes);
	if (atomic_dec_and_test(&r->local_inflight))
		wake_up_var(&r->local_inflight);
}

/*
 * Do the current dispatch of @rq (attempt @attempt) on replica @r's local
 * device. Return: 0 when it went, -EAGAIN when @r has none now, -ESTALE.
 */
static int kcbs_cmd_local(struct kcbs_replica *r, struct request *rq,
			  struct kcbs_cmd *cmd, u8 attempt)
{
	bool write = req_op(rq) != REQ_OP_READ;	/* WRITE or FLUSH: as kcbs_local_submit() */
	int err;

	atomic_inc(&r->local_inflight);
	if (write)
		atomic_inc(&r->local_writes);
	spin_lock(&cmd->lock);
	cmd->local |= BIT(r->idx);
	spin_unlock(&cmd->lock);
	err = kcbs_local_submit(r, rq, attempt);
	if (!err)
		return 0;	/* @rq may have ended already */
	spin_lock(&cmd->lock);
	cmd->local &= ~BIT(r->idx);
	spin_unlock(&cmd->lock);
	kcbs_local_put(r, write);
	return err;
}

/* Send the current dispatch of @rq to replica @r. */
static int kcbs_cmd_send(struct kcbs_volume *vol, struct kcbs_replica *r,
			 struct request *rq, struct kcbs_cmd *cmd)
{
	enum kcbs_msg_type type = kcbs_rq_type(rq);
	struct kcbs_msg_req req = {
		.magic	= cpu_to_be32(KCBS_REQ_MAGIC),
		.type	= cpu_to_be16(type),
		.epoch	= cpu_to_be64(vol->epoch),
	};
	struct kcbs_conn *c;
	u8 attempt;
	int err;

	spin_lock(&cmd->lock);
	if (cmd->done & BIT(r->idx)) {
		/* Failed over before it was sent: its connection went. */
		spin_unlock(&cmd->lock);
		return 0;
	}
	req.handle = cpu_to_be64(kcbs_handle(rq, cmd));
	attempt = cmd->tries;
	spin_unlock(&cmd->lock);
	if (type != KCBS_MSG_ZERO && READ_ONCE(r->local)) {
		err = kcbs_cmd_local(r, rq, cmd, attempt);
		if (err != -EAGAIN) {
			if (err == -ESTALE) {
				pr_warn_ratelimited("%s: replica %u: the target has a newer epoch: stale\n",
						    vol->name, r->idx);
				WRITE_ONCE(r->stale, true);
				kcbs_stats_inc(&r->stats, KCBS_S_STALE);
				kcbs_replica_kill(r);
			}
			return err;
		}
	}
	if (type != KCBS_MSG_FLUSH) {
		req.offset = cpu_to_be64(blk_rq_pos(rq) << SECTOR_SHIFT);
		req.length = cpu_to_be32(blk_rq_bytes(rq));
	}
	if (type == KCBS_MSG_WRITE) {
		req.data_crc = cpu_to_be32(cmd->data_crc);
		if (rq->cmd_flags & REQ_FUA)
			req.flags = cpu_to_be16(KCBS_MSG_F_FUA);
	}

	c = kcbs_replica_get_conn(r);
	if (!c)
		return -ENOTCONN;
	err = kcbs_conn_send(c, &req, type == KCBS_MSG_WRITE ? rq : NULL, NULL);
	kcbs_conn_put(c);
	if (err)
		kcbs_replica_kill(r);
	return err;
}

static u32 kcbs_rq_crc(struct request *rq)
{
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct req_iterator iter;
	struct bio_vec bvec;
	u32 crc = ~0;
	int i;

	/* Encrypted: the ciphertext is what goes out. */
	for (i = 0; i < cmd->nbounce; i++) {
		void *p = kmap_local_page(cmd->bounce[i]);

		crc = kcbs_crc(crc, p, KCBS_CRYPT_SECTOR);
		kunmap_local(p);
	}
	if (cmd->nbounce)
		return crc;
	rq_for_each_segment(bvec, rq, iter) {
		void *p = kmap_local_page(bvec.bv_page);

		crc = kcbs_crc(crc, p + bvec.bv_offset, bvec.bv_len);
		kunmap_local(p);
	}
	return crc;
}

static void kcbs_cmd_end(struct kcbs_volume *vol, struct request *rq,
			 struct kcbs_cmd *cmd)
{
	if (cmd->status == BLK_STS_OK)
		kcbs_stats_io(&vol->stats, kcbs_rq_type(rq), blk_rq_bytes(rq),
			      kcbs_since(cmd->start_ns));
	else
		kcbs_stats_inc(&vol->stats, KCBS_S_ERRORS);
	atomic_dec(&vol->stats.inflight);
	if (cmd->nbounce)
		kcbs_crypt_end(vol->crypt, cmd);
	/* Ended here, not through blk_mq_complete_request(): that would move
	 * the completion to the BLOCK softirq (one hardware queue), which
	 * from the task contexts a request ends in (the receiver, the local
	 * device's completion, queue_rq itself) means waking ksoftirqd, or
	 * to an IPI, for every request.
	 */
	blk_mq_end_request(rq, cmd->status);
}

/*
 * A write has the quorum of in-sync replicas in @acked: the others are out
 * of sync from now on. Done in the same critical section of vol->lock as
 * the quorum count, so that two writes ending at once, each missing another
 * replica, cannot both count a replica that the other takes out of sync:
 * the in-sync replicas always hold every acknowledged write, and at least
 * a quorum of them stays in sync (a crash then finds one with an empty
 * bitmap to resync the others from). Context: vol->lock.
 *
 * Return: true if a replica went out of sync.
 */
static bool kcbs_write_missed_locked(struct kcbs_volume *vol, u8 acked)
{
	bool changed = false;
	int i;

	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *r = &vol->replicas[i];

		if (r->present && !(acked & BIT(i)) && r->uptodate) {
			r->uptodate = false;
			changed = true;
		}
	}
	return changed;
}

/* Record in the bitmaps what the replicas out of sync missed of @rq. */
static void kcbs_write_missed(struct kcbs_volume *vol, struct request *rq, u8 acked,
			      bool changed)
{
	int i;

	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *r = &vol->replicas[i];

		if (!r->present || (acked & BIT(i)))
			continue;
		/* The bit goes before the request ends, and after the in-sync
		 * replicas have the data: a resync that cleared it and read
		 * the region before finds it set again.
		 */
		if (kcbs_bitmap_mark(r, blk_rq_pos(rq) << SECTOR_SHIFT, blk_rq_bytes(rq)))
			kcbs_meta_write_bitmap(r);
	}
	if (changed) {
		kcbs_volume_update_state(vol);
		kcbs_resync_kick(vol);
	}
}

static void kcbs_read_retry(struct kcbs_volume *vol, struct request *rq,
			    struct kcbs_cmd *cmd);

/*
 * Decide what the current dispatch of @rq does now that an answer came or
 * a sender is done: end, retry (a READ) or requeue it once every replica it
 * went to has answered, and no sender is still going through its replicas
 * (a replica that fails before it is sent to is answered for by
 * kcbs_cmd_fail_replica(); the request must not end under the sender).
 */
static void kcbs_cmd_settle(struct kcbs_volume *vol, struct request *rq,
			    struct kcbs_cmd *cmd)
	__releases(&cmd->lock)
{
	enum { WAIT, END, END_WRITE, RETRY, REQUEUE } action = WAIT;
	bool changed = false;
	u8 acked = 0;

	if (cmd->ended || cmd->dispatching) {
		spin_unlock(&cmd->lock);
		return;
	}
	if (req_op(rq) == REQ_OP_READ) {
		if (cmd->acked & BIT(cmd->read_from)) {
			cmd->ended = true;
			cmd->status = BLK_STS_OK;
			action = END;
		} else if (cmd->done & BIT(cmd->read_from)) {
			action = RETRY;
		}
	} else if (cmd->done == cmd->sent) {
		u8 insync;

		spin_lock(&vol->lock);
		insync = kcbs_uptodate_mask(vol, cmd->acked);
		if (hweight8(insync) >= vol->quorum) {
			cmd->ended = true;
			cmd->status = BLK_STS_OK;
			acked = cmd->acked;
			action = END;
			if (kcbs_rq_changes(rq)) {
				action = END_WRITE;
				changed = kcbs_write_missed_locked(vol, acked);
			}
		}
		spin_unlock(&vol->lock);
		if (action == WAIT) {
			/* Below quorum: send it again when enough are back. */
			cmd->ended = true;
			action = REQUEUE;
			if (READ_ONCE(vol->stopping)) {
				cmd->status = BLK_STS_IOERR;
				action = END;
			}
		}
	}
	spin_unlock(&cmd->lock);

	switch (action) {
	case WAIT:
		break;
	case END_WRITE:
		kcbs_write_missed(vol, rq, acked, changed);
		fallthrough;
	case END:
		kcbs_cmd_end(vol, rq, cmd);
		break;
	case RETRY:
		kcbs_read_retry(vol, rq, cmd);
		break;
	case REQUEUE:
		atomic_dec(&vol->stats.inflight);
		if (cmd->nbounce)
			kcbs_crypt_end(vol->crypt, cmd);
		blk_mq_requeue_request(rq, true);
		break;
	}
}

/*
 * Record the answer of replica @idx to the current dispatch of @rq: @ok if
 * it has done it. @attempt is the READ attempt it answers.
 */
static void kcbs_cmd_resolve(struct kcbs_volume *vol, struct request *rq,
			     struct kcbs_cmd *cmd, int idx, bool ok, u8 attempt)
{
	spin_lock(&cmd->lock);
	if (cmd->ended || !(cmd->sent & BIT(idx)) || (cmd->done & BIT(idx)) ||
	    (req_op(rq) == REQ_OP_READ && attempt != cmd->tries)) {
		spin_unlock(&cmd->lock);
		return;
	}
	cmd->done |= BIT(idx);
	if (ok)
		cmd->acked |= BIT(idx);
	atomic_dec(&vol->replicas[idx].inflight);
	atomic_dec(&vol->replicas[idx].stats.inflight);
	kcbs_cmd_settle(vol, rq, cmd);
}

/* A sender (queue_rq, a retry) is done with @rq: the last touch of it. */
static void kcbs_cmd_dispatched(struct kcbs_volume *vol, struct request *rq,
				struct kcbs_cmd *cmd)
{
	spin_lock(&cmd->lock);
	cmd->dispatching--;
	kcbs_cmd_settle(vol, rq, cmd);
}

/* Send a READ to another in-sync replica, or requeue it if there is none. */
static void kcbs_read_retry(struct kcbs_volume *vol, struct request *rq,
			    struct kcbs_cmd *cmd)
{
	u8 attempt;
	int idx;

	spin_lock(&cmd->lock);
	if (++cmd->tries > KCBS_READ_TRIES || READ_ONCE(vol->stopping)) {
		cmd->ended = true;
		cmd->status = BLK_STS_IOERR;
		spin_unlock(&cmd->lock);
		kcbs_cmd_end(vol, rq, cmd);
		return;
	}
	idx = kcbs_pick_reader(vol, BIT(cmd->read_from));
	if (idx < 0) {
		cmd->ended = true;
		spin_unlock(&cmd->lock);
		atomic_dec(&vol->stats.inflight);
		blk_mq_requeue_request(rq, true);
		return;
	}
	cmd->sent = BIT(idx);
	cmd->done = 0;
	cmd->acked = 0;
	cmd->local = 0;
	cmd->read_from = idx;
	cmd->dispatching++;
	attempt = cmd->tries;
	atomic_inc(&vol->replicas[idx].inflight);
	atomic_inc(&vol->replicas[idx].stats.inflight);
	spin_unlock(&cmd->lock);

	kcbs_stats_inc(&vol->stats, KCBS_S_RETRIES);
	kcbs_stats_inc(&vol->replicas[idx].stats, KCBS_S_RETRIES);
	/* On failure: whoever resolves this attempt first moves it on. */
	if (kcbs_cmd_send(vol, &vol->replicas[idx], rq, cmd))
		kcbs_cmd_resolve(vol, rq, cmd, idx, false, attempt);
	kcbs_cmd_dispatched(vol, rq, cmd);
}

/**
 * kcbs_local_done() - a request on a replica's local device ended
 * @r: the replica
 * @rq: the request
 * @ok: it was done
 * @attempt: the attempt it was (READ)
 * @write: it was a WRITE or a FLUSH
 *
 * Context: process context.
 */
void kcbs_local_done(struct kcbs_replica *r, struct request *rq, bool ok, u8 attempt,
		     bool write)
{
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	kcbs_cmd_resolve(r->vol, rq, cmd, r->idx, ok, attempt);
	/* Last: a replica being removed, or a resync, waits for this. */
	kcbs_local_put(r, write);
}

/**
 * kcbs_cmd_reply() - a replica answered a block request
 * @r: the replica
 * @rq: the request
 * @cmd: its state
 * @rep: the reply's header, checked
 * @data_err: -EBADMSG if the READ data that came did not match its crc32c
 *
 * Context: @r's receiver.
 */
void kcbs_cmd_reply(struct kcbs_replica *r, struct request *rq, struct kcbs_cmd *cmd,
		    const struct kcbs_msg_rep *rep, int data_err)
{
	struct kcbs_volume *vol = r->vol;
	u16 st = be16_to_cpu(rep->status);
	u8 attempt;

	spin_lock(&cmd->lock);
	attempt = cmd->tries;
	spin_unlock(&cmd->lock);

	if (st == KCBS_ST_STALE) {
		/* Another volume took over: the receiver drops this replica,
		 * and its failure path moves the request on.
		 */
		WRITE_ONCE(r->stale, true);
		kcbs_stats_inc(&r->stats, KCBS_S_STALE);
		return;
	}
	if (data_err || st == KCBS_ST_BADCRC) {
		kcbs_stats_inc(&vol->stats, KCBS_S_CRC_ERRORS);
		kcbs_stats_inc(&r->stats, KCBS_S_CRC_ERRORS);
	}
	if (st == KCBS_ST_BADCRC && req_op(rq) == REQ_OP_WRITE) {
		bool again;

		spin_lock(&cmd->lock);
		again = ++cmd->tries <= KCBS_READ_TRIES;
		if (again)
			cmd->dispatching++;
		spin_unlock(&cmd->lock);
		if (again) {
			kcbs_stats_inc(&vol->stats, KCBS_S_RETRIES);
			kcbs_stats_inc(&r->stats, KCBS_S_RETRIES);
			if (kcbs_cmd_send(vol, r, rq, cmd))
				kcbs_cmd_resolve(vol, rq, cmd, r->idx, false, 0);
			kcbs_cmd_dispatched(vol, rq, cmd);
			return;
		}
		kcbs_cmd_resolve(vol, rq, cmd, r->idx, false, 0);
		return;
	}
	if (st != KCBS_ST_OK)
		kcbs_stats_inc(&r->stats, KCBS_S_ERRORS);
	kcbs_cmd_resolve(vol, rq, cmd, r->idx, st == KCBS_ST_OK && !data_err, attempt);
}

static void kcbs_decrypt_work(struct work_struct *work)
{
	struct kcbs_cmd *cmd = container_of(work, struct kcbs_cmd, crypt_work);
	struct request *rq = blk_mq_rq_from_pdu(cmd);
	struct kcbs_replica *r = cmd->crypt_r;
	bool ok = !kcbs_crypt_read(rq, cmd);

	if (!ok)
		kcbs_stats_inc(&r->stats, KCBS_S_ERRORS);
	kcbs_local_done(r, rq, ok, cmd->crypt_attempt, false);
}

/**
 * kcbs_cmd_decrypt() - decrypt a READ's data, then answer for the replica
 * @r: the replica whose receiver has the data, its crc32c checked
 * @rq: the READ
 * @cmd: its state
 *
 * The receiver goes on with the next reply while the volume's (unbound)
 * workqueue decrypts this one, so that the reads of one replica are
 * decrypted on several CPUs. From here the answer is off the connection,
 * as a local read's is: the connection's failure or a timeout does not
 * answer for it (its data is all here), and a replica stopping waits for
 * it (local_inflight).
 *
 * Context: @r's receiver.
 */
void kcbs_cmd_decrypt(struct kcbs_replica *r, struct request *rq, struct kcbs_cmd *cmd)
{
	atomic_inc(&r->local_inflight);
	spin_lock(&cmd->lock);
	cmd->local |= BIT(r->idx);
	cmd->crypt_attempt = cmd->tries;
	spin_unlock(&cmd->lock);
	cmd->crypt_r = r;
	INIT_WORK(&cmd->crypt_work, kcbs_decrypt_work);
	queue_work(r->vol->wq, &cmd->crypt_work);
}

static bool kcbs_fail_iter(struct request *rq, void *data)
{
	struct kcbs_replica *r = data;
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	bool pending;
	u8 attempt;

	/* A local read is not on the connection: it ends on its own. */
	spin_lock(&cmd->lock);
	pending = !cmd->ended && (cmd->sent & BIT(r->idx)) && !(cmd->done & BIT(r->idx)) &&
		  !(cmd->local & BIT(r->idx));
	attempt = cmd->tries;
	spin_unlock(&cmd->lock);
	if (pending)
		kcbs_cmd_resolve(r->vol, rq, cmd, r->idx, false, attempt);
	return true;
}

/**
 * kcbs_cmd_fail_replica() - a replica's connection is gone
 * @r: the replica, no longer connected
 *
 * Every request waiting for it moves on: a READ to another replica, a write
 * ends without it (it is then out of sync) or waits for the quorum.
 */
void kcbs_cmd_fail_replica(struct kcbs_replica *r)
{
	blk_mq_tagset_busy_iter(&r->vol->tag_set, kcbs_fail_iter, r);
}

struct kcbs_missing {
	u8 bit;
	bool found;
};

static bool kcbs_missing_iter(struct request *rq, void *data)
{
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct kcbs_missing *m = data;

	if (!kcbs_rq_changes(rq))
		return true;
	spin_lock(&cmd->lock);
	if (!cmd->ended && !(cmd->sent & m->bit))
		m->found = true;
	spin_unlock(&cmd->lock);
	return !m->found;
}

/**
 * kcbs_writes_without() - is a write in flight that was not sent to a replica
 * @vol: the volume
 * @idx: the replica
 *
 * Context: vol->gate held for writing, so that no write is being sent.
 * Return: true if one is; it will mark @idx dirty when it ends.
 */
bool kcbs_writes_without(struct kcbs_volume *vol, int idx)
{
	struct kcbs_missing m = { .bit = BIT(idx) };

	blk_mq_tagset_busy_iter(&vol->tag_set, kcbs_missing_iter, &m);
	return m.found;
}

static enum blk_eh_timer_return kcbs_timeout(struct request *rq)
{
	struct kcbs_volume *vol = rq->q->queuedata;
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	u8 pending;
	int i;

	/* A slow local read is the device's: the connection stays, the
	 * read waits for the device as it would on a local disk.
	 */
	spin_lock(&cmd->lock);
	pending = cmd->ended ? 0 : cmd->sent & ~cmd->done & ~cmd->local;
	spin_unlock(&cmd->lock);
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		if (!(pending & BIT(i)))
			continue;
		kcbs_stats_inc(&vol->stats, KCBS_S_TIMEOUTS);
		kcbs_stats_inc(&vol->replicas[i].stats, KCBS_S_TIMEOUTS);
		kcbs_replica_kill(&vol->replicas[i]);
	}
	return BLK_EH_RESET_TIMER;
}

static void kcbs_cmd_start(struct kcbs_volume *vol, struct request *rq,
			   struct kcbs_cmd *cmd, u8 sent, u32 crc)
{
	int i;

	blk_mq_start_request(rq);
	atomic_inc(&vol->stats.inflight);
	spin_lock(&cmd->lock);
	cmd->gen++;
	cmd->sent = sent;
	cmd->done = 0;
	cmd->acked = 0;
	cmd->tries = 0;
	cmd->local = 0;
	cmd->read_from = sent ? __ffs(sent) : 0;
	cmd->ended = false;
	cmd->dispatching = 1;	/* until queue_rq is done with it */
	cmd->status = BLK_STS_OK;
	cmd->data_crc = crc;
	cmd->start_ns = kcbs_now();
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		if (sent & BIT(i)) {
			atomic_inc(&vol->replicas[i].inflight);
			atomic_inc(&vol->replicas[i].stats.inflight);
		}
	}
	spin_unlock(&cmd->lock);
}

/*
 * Charge @rq to the volume's limits. Return: 0 if it may go now, else the
 * nanoseconds until it may (nothing is charged then).
 */
static u64 kcbs_limit_charge(struct kcbs_limit *l, struct request *rq)
{
	u32 iops = READ_ONCE(l->iops), kbps = READ_ONCE(l->kbps);
	u64 now, wait = 0, ops_cost = 0, bytes_cost = 0, bytes = 0;

	if (!iops && !kbps)
		return 0;
	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		bytes = blk_rq_bytes(rq);
		break;
	case REQ_OP_FLUSH:
		return 0;
	default:		/* discard, write zeroes: one I/O, no data moved */
		break;
	}
	if (iops)
		ops_cost = max_t(u64, 1, DIV_ROUND_UP_ULL(bytes, KCBS_LIMIT_IO_BYTES)) *
			   div_u64(NSEC_PER_SEC, iops);
	if (kbps)
		bytes_cost = div64_u64(bytes * NSEC_PER_SEC, (u64)kbps * SZ_1K);

	now = ktime_get_ns();
	spin_lock(&l->lock);
	if (iops && l->ops_tat > now + KCBS_LIMIT_BURST_NS)
		wait = l->ops_tat - now - KCBS_LIMIT_BURST_NS;
	if (kbps && l->bytes_tat > now + KCBS_LIMIT_BURST_NS)
		wait = max(wait, l->bytes_tat - now - KCBS_LIMIT_BURST_NS);
	if (!wait) {
		l->ops_tat = max(l->ops_tat, now) + ops_cost;
		l->bytes_tat = max(l->bytes_tat, now) + bytes_cost;
	}
	spin_unlock(&l->lock);
	return wait;
}

/**
 * kcbs_volume_set_limits() - set a volume's IOPS and throughput limits
 * @vol: the volume
 * @iops: I/Os a second, 0 for none
 * @kbps: KiB a second, 0 for none
 *
 * Taken at once: what a lower limit holds back waits from now on, and a
 * request waiting for a limit lifted goes at once.
 *
 * Context: kcbs_lock held (the disk stays).
 */
void kcbs_volume_set_limits(struct kcbs_volume *vol, u32 iops, u32 kbps)
{
	struct kcbs_limit *l = &vol->limit;
	u64 now = ktime_get_ns();

	spin_lock(&l->lock);
	WRITE_ONCE(l->iops, iops);
	WRITE_ONCE(l->kbps, kbps);
	/* No debt from a former limit, no credit beyond the burst. */
	l->ops_tat = now;
	l->bytes_tat = now;
	spin_unlock(&l->lock);
	if (vol->disk)
		blk_mq_run_hw_queues(vol->disk->queue, true);
}

/* Every present replica is connected and in sync. Context: vol->lock held. */
static bool kcbs_all_in_sync(struct kcbs_volume *vol)
{
	u8 present = 0;
	int i;

	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (vol->replicas[i].present)
			present |= BIT(i);
	return kcbs_uptodate_mask(vol, kcbs_connected_mask(vol)) == present;
}

static bool kcbs_in_sync_now(struct kcbs_volume *vol)
{
	bool ok;

	spin_lock(&vol->lock);
	ok = kcbs_all_in_sync(vol);
	spin_unlock(&vol->lock);
	return ok;
}

/*
 * Swap each present replica's bitmap with @bm[i] (sized for @nregions,
 * the old bits copied in) and take @size: @bm then holds the old ones.
 */
static void kcbs_resize_swap(struct kcbs_volume *vol, unsigned long **bm, u64 size,
			     unsigned long nregions)
{
	int i;

	spin_lock(&vol->lock);
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *r = &vol->replicas[i];

		if (!r->present)
			continue;
		bitmap_copy(bm[i], r->dirty, min(nregions, vol->nregions));
		swap(r->dirty, bm[i]);
	}
	vol->size = size;
	vol->nregions = nregions;
	spin_unlock(&vol->lock);
}

/**
 * kcbs_volume_resize() - grow a live volume
 * @vol: the volume
 * @size: its new size in bytes, a multiple of 4 KiB
 * @extack: where to say why it failed
 *
 * Every replica must be in sync, so that each target can be asked to grow
 * and nothing is owed to one that is away. The targets grow first (SIZE:
 * the new range reads back as zeroes on each, so the replicas stay the
 * same), under the gate held for writing, which also keeps the resync's
 * request slot ours. Then, with the queue frozen (what the IOPS and
 * throughput limits held back goes at once, as a burst, rather than keep
 * the freeze and kcbs_lock waiting) and the resync kept off
 * (it walks the bitmaps), the bitmaps are laid out anew, the metadata file
 * after them, and the disk takes the new capacity (a RESIZE uevent). A
 * failure leaves the volume at its old size; a target that grew stays so,
 * which is harmless, and a new attempt finds it grown.
 *
 * Context: kcbs_lock held (no replica change, attach or detach meanwhile).
 * Return: 0 or a negative errno.
 */
int kcbs_volume_resize(struct kcbs_volume *vol, u64 size, struct netlink_ext_ack *extack)
{
	unsigned long nregions = DIV_ROUND_UP_ULL(size, vol->region_size);
	unsigned long *bm[KCLOUD_BS_MAX_REPLICAS] = {};
	u64 old_size = vol->size, held;
	struct request_queue *q = vol->disk ? vol->disk->queue : NULL;
	int i, err = 0;

	if (size == vol->size)
		return 0;
	if (size < vol->size) {
		NL_SET_ERR_MSG_MOD(extack, "a volume can grow, not shrink");
		return -EINVAL;
	}
	if (!kcbs_in_sync_now(vol)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "every replica must be connected and in sync to resize the volume");
		return -EBUSY;
	}
	if (READ_ONCE(vol->snap)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a snapshot of the volume is being taken: resize once it is done");
		return -EBUSY;
	}
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		if (!vol->replicas[i].present)
			continue;
		bm[i] = kvcalloc(BITS_TO_LONGS(nregions), sizeof(long), GFP_KERNEL);
		if (!bm[i]) {
			err = -ENOMEM;
			goto out_free;
		}
	}

	WRITE_ONCE(vol->resizing, true);
	cancel_delayed_work_sync(&vol->resync_work);

	down_write(&vol->gate);
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS && !err; i++) {
		struct kcbs_replica *r = &vol->replicas[i];

		if (!r->present)
			continue;
		err = kcbs_sync_size(vol, r, size, &held);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a replica's target did not grow: it failed or did not answer");
		} else if (held < size) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a replica's target cannot hold this size: its block device is smaller");
			err = -ENOSPC;
		}
		if (err == -ENOSPC)
			pr_info("%s: replica %d: its target holds %llu bytes, not %llu\n",
				vol->name, i, held, size);
		else if (err)
			pr_info("%s: replica %d: its target did not grow to %llu bytes: %d\n",
				vol->name, i, size, err);
	}
	up_write(&vol->gate);
	if (err)
		goto out;

	/* What the limits hold back goes now, or the freeze would wait for
	 * it (minutes at a low limit) with kcbs_lock held.
	 */
	WRITE_ONCE(vol->draining, true);
	if (q) {
		blk_mq_run_hw_queues(q, true);
		blk_mq_freeze_queue(q);
	}
	/* A replica may have left meanwhile: it would be owed what it missed. */
	if (!kcbs_in_sync_now(vol)) {
		NL_SET_ERR_MSG_MOD(extack, "a replica left sync during the resize: try again");
		err = -EBUSY;
		goto out_unfreeze;
	}
	kcbs_resize_swap(vol, bm, size, nregions);
	err = kcbs_meta_update(vol);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot write the metadata file");
		kcbs_resize_swap(vol, bm, old_size, DIV_ROUND_UP_ULL(old_size, vol->region_size));
		kcbs_meta_update(vol);
		goto out_unfreeze;
	}
	if (vol->disk)
		set_capacity_and_notify(vol->disk, size >> SECTOR_SHIFT);
out_unfreeze:
	if (q)
		blk_mq_unfreeze_queue(q);
	WRITE_ONCE(vol->draining, false);
out:
	WRITE_ONCE(vol->resizing, false);
	kcbs_resync_kick(vol);
out_free:
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		kvfree(bm[i]);
	if (err)
		return err;
	pr_info("%s: grown from %llu to %llu bytes\n", vol->name, old_size, size);
	kcbs_notify_volume(vol, KCLOUD_BS_EVENT_VOLUME_RESIZED);
	return 0;
}

static blk_status_t kcbs_queue_rq(struct blk_mq_hw_ctx *hctx,
				  const struct blk_mq_queue_data *bd)
{
	struct request *rq = bd->rq;
	struct kcbs_volume *vol = rq->q->queuedata;
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	u8 targets, insync, local = 0;
	u32 crc = 0;
	int i, pass;
	u64 wait;

	if (READ_ONCE(vol->stopping))
		return BLK_STS_IOERR;

	/* Over a limit: back to the queue, run again when it may go (or
	 * sooner, when a request ends).
	 */
	wait = READ_ONCE(vol->draining) ? 0 : kcbs_limit_charge(&vol->limit, rq);
	if (wait) {
		unsigned long ms = max_t(u64, 1, DIV_ROUND_UP_ULL(wait, NSEC_PER_MSEC));

		kcbs_stats_inc(&vol->stats, KCBS_S_THROTTLED);
		blk_mq_delay_run_hw_queue(hctx, ms);
		return BLK_STS_DEV_RESOURCE;
	}

	switch (req_op(rq)) {
	case REQ_OP_READ:
		i = kcbs_pick_reader(vol, 0);
		if (i < 0)
			return BLK_STS_RESOURCE;	/* frozen: wait */
		kcbs_cmd_start(vol, rq, cmd, BIT(i), 0);
		if (kcbs_cmd_send(vol, &vol->replicas[i], rq, cmd))
			kcbs_cmd_resolve(vol, rq, cmd, i, false, 0);
		kcbs_cmd_dispatched(vol, rq, cmd);
		return BLK_STS_OK;
	case REQ_OP_WRITE:
		if (vol->crypt && kcbs_crypt_write(vol->crypt, rq, cmd))
			return BLK_STS_IOERR;
		crc = kcbs_rq_crc(rq);
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		/* Zeroed ciphertext would read back as garbage. */
		if (vol->crypt)
			return BLK_STS_NOTSUPP;
		break;
	case REQ_OP_FLUSH:
		break;
	default:
		return BLK_STS_NOTSUPP;
	}

	/* Writes are sent under the gate: a resync copying a region holds it
	 * so that no write to the region overtakes the copy on the replica,
	 * and a snapshot's copier so that none changes a region before it
	 * has copied it.
	 */
	for (;;) {
		u32 seq;

		down_read(&vol->gate);
		if (!kcbs_rq_changes(rq) || !kcbs_snapshot_hold(vol, rq, &seq))
			break;
		up_read(&vol->gate);
		kcbs_snapshot_wait(vol, seq);
		if (READ_ONCE(vol->stopping)) {
			if (cmd->nbounce)
				kcbs_crypt_end(vol->crypt, cmd);
			return BLK_STS_IOERR;
		}
	}
	spin_lock(&vol->lock);
	targets = kcbs_connected_mask(vol);
	insync = kcbs_uptodate_mask(vol, targets);
	spin_unlock(&vol->lock);
	if (hweight8(insync) < vol->quorum) {
		up_read(&vol->gate);
		if (cmd->nbounce)
			kcbs_crypt_end(vol->crypt, cmd);
		return BLK_STS_RESOURCE;		/* frozen: wait */
	}
	kcbs_cmd_start(vol, rq, cmd, targets, crc);
	/* Over the network first, so that its round trip overlaps the local
	 * write, which a RAM or NVMe device may do before it returns. Each
	 * replica is sent to once: the order is taken before the first send.
	 */
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if ((targets & BIT(i)) && READ_ONCE(vol->replicas[i].local))
			local |= BIT(i);
	for (pass = 0; pass < 2; pass++) {
		u8 now = pass ? targets & local : targets & ~local;

		for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
			if (!(now & BIT(i)))
				continue;
			if (kcbs_cmd_send(vol, &vol->replicas[i], rq, cmd))
				kcbs_cmd_resolve(vol, rq, cmd, i, false, 0);
		}
	}
	up_read(&vol->gate);
	kcbs_cmd_dispatched(vol, rq, cmd);
	return BLK_STS_OK;
}

static int kcbs_init_request(struct blk_mq_tag_set *set, struct request *rq,
			     unsigned int hctx_idx, unsigned int numa_node)
{
	struct kcbs_volume *vol = set->driver_data;
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	spin_lock_init(&cmd->lock);
	cmd->ended = true;
	cmd->nbounce = 0;
	if (vol->crypt)
		kcbs_crypt_init_cmd(vol->crypt, cmd);
	return 0;
}

static const struct blk_mq_ops kcbs_mq_ops = {
	.queue_rq	= kcbs_queue_rq,
	.init_request	= kcbs_init_request,
	.timeout	= kcbs_timeout,
};

static void kcbs_volume_free(struct kcbs_volume *vol);

static void kcbs_volume_release(struct kref *ref)
{
	kcbs_volume_free(container_of(ref, struct kcbs_volume, ref));
}

/* The last reference to a disk is gone (it may outlive a forced delete or
 * a detach): the volume may go now.
 */
static void kcbs_free_disk(struct gendisk *disk)
{
	struct kcbs_volume *vol = disk->private_data;

	kref_put(&vol->ref, kcbs_volume_release);
}

static const struct block_device_operations kcbs_fops = {
	.owner		= THIS_MODULE,
	.free_disk	= kcbs_free_disk,
};

/**
 * kcbs_volume_update_state() - recompute and announce the states
 * @vol: the volume
 *
 * Sends an event for each kind of change, and lets waiting I/O go once the
 * volume is no longer frozen.
 */
void kcbs_volume_update_state(struct kcbs_volume *vol)
{
	bool rep_changed = false, vol_changed = false;
	u8 present = 0, insync;
	u8 state;
	int i;

	spin_lock(&vol->lock);
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *r = &vol->replicas[i];
		u8 s;

		if (!r->present)
			continue;
		present |= BIT(i);
		s = kcbs_replica_state(r);
		if (s != r->last_state) {
			r->last_state = s;
			rep_changed = true;
		}
	}
	insync = kcbs_uptodate_mask(vol, kcbs_connected_mask(vol));
	if (hweight8(insync) < vol->quorum)
		state = KCLOUD_BS_VOLUME_FROZEN;
	else if (insync == present)
		state = KCLOUD_BS_VOLUME_OK;
	else
		state = KCLOUD_BS_VOLUME_DEGRADED;
	if (state != vol->state) {
		vol->state = state;
		vol_changed = true;
	}
	spin_unlock(&vol->lock);

	if (rep_changed)
		kcbs_notify_volume(vol, KCLOUD_BS_EVENT_REPLICA_STATE);
	if (vol_changed)
		kcbs_notify_volume(vol, KCLOUD_BS_EVENT_VOLUME_STATE);
	spin_lock(&vol->lock);	/* vol->disk stays while it is held */
	if (state != KCLOUD_BS_VOLUME_FROZEN && vol->disk && !READ_ONCE(vol->stopping))
		blk_mq_run_hw_queues(vol->disk->queue, true);
	spin_unlock(&vol->lock);
}

/**
 * kcbs_volume_find() - a volume by name
 * @net: its namespace
 * @name: its name
 *
 * Context: kcbs_lock held.
 * Return: the volume or NULL.
 */
struct kcbs_volume *kcbs_volume_find(struct net *net, const char *name)
{
	struct kcbs_net *kn = net_generic(net, kcbs_net_id);
	struct kcbs_volume *vol;

	list_for_each_entry(vol, &kn->volumes, node)
		if (!strcmp(vol->name, name))
			return vol;
	return NULL;
}

static bool kcbs_replica_exists(struct kcbs_volume *vol, __be32 addr, u16 port)
{
	int i;

	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (vol->replicas[i].present && vol->replicas[i].addr == addr &&
		    vol->replicas[i].port == port)
			return true;
	return false;
}

static void kcbs_volume_free(struct kcbs_volume *vol)
{
	int i;

	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (vol->replicas[i].dirty)
			kcbs_replica_free(&vol->replicas[i]);
	if (vol->meta)
		filp_close(vol->meta, NULL);
	kvfree(vol->sync.buf);
	kcbs_stats_free(&vol->stats);
	kcbs_crypt_free(vol->crypt);
	if (vol->ctl_wq)
		destroy_workqueue(vol->ctl_wq);
	if (vol->wq)
		destroy_workqueue(vol->wq);
	if (vol->index >= 0)
		ida_free(&kcbs_ida, vol->index);
	if (vol->tags)
		blk_mq_free_tag_set(&vol->tag_set);
	kfree(vol);
}

static int kcbs_volume_tags(struct kcbs_volume *vol)
{
	struct blk_mq_tag_set *set = &vol->tag_set;
	int err;

	set->ops = &kcbs_mq_ops;
	set->nr_hw_queues = 1;
	set->queue_depth = KCBS_QUEUE_DEPTH;
	set->numa_node = NUMA_NO_NODE;
	set->cmd_size = sizeof(struct kcbs_cmd);
	if (vol->crypt)
		set->cmd_size += kcbs_crypt_pdu_size(vol->crypt);
	/* Like loop: no I/O scheduler by default, so that requests are
	 * issued from the submitter's context rather than from kblockd.
	 */
	set->flags = BLK_MQ_F_SHOULD_MERGE | BLK_MQ_F_BLOCKING | BLK_MQ_F_NO_SCHED_BY_DEFAULT;
	set->driver_data = vol;
	set->timeout = msecs_to_jiffies(vol->timeout_ms);
	err = blk_mq_alloc_tag_set(set);
	if (!err)
		vol->tags = true;
	return err;
}

/* A new disk /dev/kcbsN for the volume. Context: kcbs_lock held. */
static int kcbs_volume_disk(struct kcbs_volume *vol)
{
	struct gendisk *disk;
	int err;

	disk = blk_mq_alloc_disk(&vol->tag_set, vol);
	if (IS_ERR(disk))
		return PTR_ERR(disk);
	disk->major = kcbs_major;
	disk->first_minor = vol->index * KCBS_MINORS;
	disk->minors = KCBS_MINORS;
	disk->fops = &kcbs_fops;
	disk->private_data = vol;
	snprintf(disk->disk_name, DISK_NAME_LEN, "kcbs%d", vol->index);
	set_capacity(disk, vol->size >> SECTOR_SHIFT);
	/* No partition scan at add_disk(): it would wait for the quorum. */
	set_bit(GD_SUPPRESS_PART_SCAN, &disk->state);

	/* Encrypted: no request splits a crypto sector. */
	blk_queue_logical_block_size(disk->queue, vol->crypt ? KCBS_CRYPT_SECTOR : SECTOR_SIZE);
	blk_queue_physical_block_size(disk->queue, 4096);
	blk_queue_io_min(disk->queue, 4096);
	blk_queue_max_hw_sectors(disk->queue, KCBS_MAX_IO >> SECTOR_SHIFT);
	blk_queue_max_segments(disk->queue, KCBS_MAX_IO >> PAGE_SHIFT);
	blk_queue_write_cache(disk->queue, true, true);
	/* Encrypted: a zeroed range would decrypt to garbage, so neither. */
	if (!vol->crypt) {
		disk->queue->limits.discard_granularity = 4096;
		blk_queue_max_discard_sectors(disk->queue, KCBS_MAX_IO >> SECTOR_SHIFT);
		blk_queue_max_write_zeroes_sectors(disk->queue, KCBS_MAX_IO >> SECTOR_SHIFT);
	}
	blk_queue_flag_set(QUEUE_FLAG_NONROT, disk->queue);
	/* The data's crc32c is taken before it is sent, and pages are sent
	 * without a copy: nobody may change them while a write is in flight.
	 */
	blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, disk->queue);

	err = add_disk(disk);
	if (err) {
		put_disk(disk);
		return err;
	}
	kref_get(&vol->ref);		/* the disk's, put by kcbs_free_disk() */
	spin_lock(&vol->lock);
	vol->disk = disk;
	spin_unlock(&vol->lock);
	return 0;
}

/* Remove the volume's disk. Context: kcbs_lock held, vol->disk set. */
static void kcbs_volume_del_disk(struct kcbs_volume *vol)
{
	struct gendisk *disk = vol->disk;

	/* Requests still queued fail in kcbs_queue_rq() if it is stopping. */
	blk_mq_run_hw_queues(disk->queue, false);
	spin_lock(&vol->lock);
	vol->disk = NULL;
	spin_unlock(&vol->lock);
	del_gendisk(disk);
	put_disk(disk);			/* may drop the volume's last reference */
}

/**
 * kcbs_volume_create() - a new volume, its disk and its replicas' connections
 * @net: the namespace its connections are made from
 * @name: its name
 * @size: bytes
 * @quorum: in-sync acknowledgements a write needs
 * @region_size: bytes per dirty bit, a power of two
 * @epoch: its epoch
 * @resync_rate: KiB/s, 0 for no limit
 * @timeout_ms: request timeout
 * @addrs: the targets' addresses
 * @ports: their ports
 * @n: how many, 1..KCLOUD_BS_MAX_REPLICAS
 * @meta: the metadata file to load or create, or NULL
 * @key: the data key of an encrypted volume, or NULL
 * @key_len: its length, 32 or 64
 * @extack: where to say why it failed
 *
 * Context: kcbs_lock held.
 * Return: the volume, listed in @net, or an ERR_PTR().
 */
struct kcbs_volume *kcbs_volume_create(struct net *net, const char *name, u64 size,
				       u8 quorum, u32 region_size, u64 epoch,
				       u32 resync_rate, u32 timeout_ms,
				       const __be32 *addrs, const u16 *ports, int n,
				       const char *meta, const u8 *key, unsigned int key_len,
				       struct netlink_ext_ack *extack)
{
	struct kcbs_net *kn = net_generic(net, kcbs_net_id);
	struct kcbs_volume *vol;
	int i, err;

	if (kcbs_volume_find(net, name)) {
		NL_SET_ERR_MSG_MOD(extack, "a volume with this name exists");
		return ERR_PTR(-EEXIST);
	}
	vol = kzalloc(sizeof(*vol), GFP_KERNEL);
	if (!vol)
		return ERR_PTR(-ENOMEM);
	vol->index = -1;
	vol->net = net;
	strscpy(vol->name, name, sizeof(vol->name));
	vol->size = size;
	vol->quorum = quorum;
	vol->region_size = region_size;
	vol->region_shift = ilog2(region_size);
	vol->nregions = DIV_ROUND_UP_ULL(size, region_size);
	vol->epoch = epoch;
	vol->resync_rate = resync_rate;
	vol->timeout_ms = timeout_ms;
	vol->state = KCLOUD_BS_VOLUME_FROZEN;
	kref_init(&vol->ref);
	spin_lock_init(&vol->lock);
	spin_lock_init(&vol->limit.lock);
	init_rwsem(&vol->gate);
	mutex_init(&vol->meta_lock);
	INIT_DELAYED_WORK(&vol->resync_work, kcbs_resync_work);
	init_waitqueue_head(&vol->snap_wq);
	init_completion(&vol->sync.done);
	vol->sync.replica = -1;

	err = kcbs_stats_init(&vol->stats);
	if (err)
		goto err_free;
	if (key) {
		vol->crypt = kcbs_crypt_create(key, key_len, name, extack);
		if (IS_ERR(vol->crypt)) {
			err = PTR_ERR(vol->crypt);
			vol->crypt = NULL;
			goto err_free;
		}
	}
	vol->sync.buf = kvmalloc(region_size, GFP_KERNEL);
	err = -ENOMEM;
	if (!vol->sync.buf)
		goto err_free;
	for (i = 0; i < n; i++) {
		if (kcbs_replica_exists(vol, addrs[i], ports[i])) {
			NL_SET_ERR_MSG_MOD(extack, "the same target is given twice");
			err = -EINVAL;
			goto err_free;
		}
		err = kcbs_replica_init(&vol->replicas[i], vol, i, addrs[i], ports[i]);
		if (err)
			goto err_free;
		vol->replicas[i].present = true;
	}
	vol->nreplicas = n;
	if (meta) {
		err = kcbs_meta_open(vol, meta, extack);
		if (err)
			goto err_free;
	}

	err = ida_alloc_max(&kcbs_ida, (MINORMASK + 1) / KCBS_MINORS - 1, GFP_KERNEL);
	if (err < 0)
		goto err_free;
	vol->index = err;
	vol->wq = alloc_workqueue("kcbs%d", WQ_MEM_RECLAIM | WQ_UNBOUND | WQ_HIGHPRI,
				  0, vol->index);
	vol->ctl_wq = alloc_workqueue("kcbs%d-ctl", WQ_MEM_RECLAIM | WQ_UNBOUND, 0, vol->index);
	err = -ENOMEM;
	if (!vol->wq || !vol->ctl_wq)
		goto err_free;

	err = kcbs_volume_tags(vol);
	if (err)
		goto err_free;
	err = kcbs_volume_disk(vol);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot add the block device");
		goto err_free;
	}
	list_add_tail(&vol->node, &kn->volumes);
	if (vol->crypt)
		pr_info("%s: encrypted: %s, %u-bit key\n", vol->name,
			kcbs_crypt_driver(vol->crypt), kcbs_crypt_key_bits(vol->crypt));
	for (i = 0; i < n; i++)
		kcbs_replica_start(&vol->replicas[i]);
	kcbs_notify_volume(vol, KCLOUD_BS_EVENT_VOLUME_CREATED);
	return vol;

err_free:
	kcbs_volume_free(vol);
	return ERR_PTR(err);
}

/**
 * kcbs_volume_destroy() - remove a volume's disk, connections and state
 * @vol: the volume
 * @force: even if its disk is open: what is in flight fails, and the
 *	metadata file is left as after a crash
 *
 * The volume is freed when the last reference to its disk (if any) goes.
 *
 * Context: kcbs_lock held.
 * Return: 0, or -EBUSY if the disk is open and !@force.
 */
int kcbs_volume_destroy(struct kcbs_volume *vol, bool force)
{
	bool open = vol->disk && disk_openers(vol->disk);
	int i;

	if (!force && open)
		return -EBUSY;
	kcbs_notify_volume(vol, KCLOUD_BS_EVENT_VOLUME_DELETED);
	list_del(&vol->node);
	WRITE_ONCE(vol->stopping, true);
	kcbs_snapshot_abort(vol);
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (vol->replicas[i].present)
			kcbs_replica_stop(&vol->replicas[i]);
	cancel_delayed_work_sync(&vol->resync_work);
	/* Clean if nothing could have been in flight. */
	kcbs_meta_close(vol, !(vol->disk && disk_openers(vol->disk)));
	if (vol->disk)
		kcbs_volume_del_disk(vol);
	kref_put(&vol->ref, kcbs_volume_release);	/* may free vol */
	return 0;
}

/**
 * kcbs_volume_attach() - give a detached volume its disk /dev/kcbsN again
 * @vol: the volume
 * @extack: where to say why it failed
 *
 * Context: kcbs_lock held.
 * Return: 0 or a negative errno.
 */
int kcbs_volume_attach(struct kcbs_volume *vol, struct netlink_ext_ack *extack)
{
	int err;

	if (vol->disk) {
		NL_SET_ERR_MSG_MOD(extack, "the volume is attached already");
		return -EEXIST;
	}
	err = kcbs_volume_disk(vol);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot add the block device");
		return err;
	}
	kcbs_notify_volume(vol, KCLOUD_BS_EVENT_VOLUME_ATTACHED);
	kcbs_volume_update_state(vol);
	return 0;
}

/**
 * kcbs_volume_detach() - remove a volume's disk, keeping the volume
 * @vol: the volume
 * @extack: where to say why it failed
 *
 * The replicas stay connected (a resync goes on); the disk comes back with
 * kcbs_volume_attach().
 *
 * Context: kcbs_lock held.
 * Return: 0, -EBUSY if the disk is open, -ENOENT if it is detached already.
 */
int kcbs_volume_detach(struct kcbs_volume *vol, struct netlink_ext_ack *extack)
{
	if (!vol->disk) {
		NL_SET_ERR_MSG_MOD(extack, "the volume is not attached");
		return -ENOENT;
	}
	if (disk_openers(vol->disk)) {
		NL_SET_ERR_MSG_MOD(extack, "the volume's disk is open");
		return -EBUSY;
	}
	kcbs_volume_del_disk(vol);
	kcbs_notify_volume(vol, KCLOUD_BS_EVENT_VOLUME_DETACHED);
	return 0;
}

/**
 * kcbs_replica_add() - add a replica to a live volume
 * @vol: the volume
 * @addr: the target's address
 * @port: its port
 * @extack: where to say why it failed
 *
 * The new replica is out of sync with every region dirty, and is filled by
 * a resync.
 *
 * Context: kcbs_lock held.
 * Return: its index or a negative errno.
 */
int kcbs_replica_add(struct kcbs_volume *vol, __be32 addr, u16 port,
		     struct netlink_ext_ack *extack)
{
	struct kcbs_replica *r;
	int i, err;

	if (kcbs_replica_exists(vol, addr, port)) {
		NL_SET_ERR_MSG_MOD(extack, "the volume already has this target");
		return -EEXIST;
	}
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (!vol->replicas[i].present)
			break;
	if (i == KCLOUD_BS_MAX_REPLICAS) {
		NL_SET_ERR_MSG_MOD(extack, "the volume has the most replicas it can have");
		return -ENOSPC;
	}
	r = &vol->replicas[i];
	if (r->dirty)
		kcbs_replica_free(r);
	err = kcbs_replica_init(r, vol, i, addr, port);
	if (err)
		return err;
	kcbs_bitmap_set_all(r);
	r->uptodate = false;
	r->last_state = KCLOUD_BS_REPLICA_OUT_OF_SYNC;
	/* Writes see it from now on: under the gate, so none is half sent. */
	down_write(&vol->gate);
	spin_lock(&vol->lock);
	r->present = true;
	vol->nreplicas++;
	spin_unlock(&vol->lock);
	up_write(&vol->gate);
	kcbs_meta_update(vol);
	kcbs_replica_start(r);
	kcbs_volume_update_state(vol);
	return i;
}

/**
 * kcbs_replica_remove() - take a replica out of a live volume
 * @vol: the volume
 * @idx: the replica's index
 * @extack: where to say why it failed
 *
 * Context: kcbs_lock held.
 * Return: 0 or a negative errno.
 */
int kcbs_replica_remove(struct kcbs_volume *vol, int idx,
			struct netlink_ext_ack *extack)
{
	struct kcbs_replica *r = &vol->replicas[idx];
	u8 insync;

	if (!r->present) {
		NL_SET_ERR_MSG_MOD(extack, "no replica with this index");
		return -ENOENT;
	}
	spin_lock(&vol->lock);
	insync = kcbs_uptodate_mask(vol, kcbs_connected_mask(vol)) & ~BIT(idx);
	spin_unlock(&vol->lock);
	if (hweight8(insync) < vol->quorum || vol->nreplicas <= vol->quorum) {
		NL_SET_ERR_MSG_MOD(extack, "the replicas left would be fewer than the quorum");
		return -EBUSY;
	}
	down_write(&vol->gate);
	spin_lock(&vol->lock);
	r->present = false;
	vol->nreplicas--;
	spin_unlock(&vol->lock);
	up_write(&vol->gate);
	kcbs_replica_stop(r);
	kcbs_meta_update(vol);
	/* The resync may be copying to it: let it notice. */
	cancel_delayed_work_sync(&vol->resync_work);
	kcbs_resync_kick(vol);
	kcbs_volume_update_state(vol);
	return 0;
}

/**
 * kcbs_replica_replace() - put a new target in place of a replica
 * @vol: the volume
 * @idx: the replica's index, kept by the new one
 * @addr: the new target's address
 * @port: its port
 * @extack: where to say why it failed
 *
 * The old replica's connection is closed; the new one starts out of sync
 * with every region dirty and counts as in sync only once a resync has
 * copied all of them to it. Refused while the other in-sync replicas are
 * fewer than the quorum.
 *
 * Context: kcbs_lock held.
 * Return: 0 or a negative errno.
 */
int kcbs_replica_replace(struct kcbs_volume *vol, int idx, __be32 addr, u16 port,
			 struct netlink_ext_ack *extack)
{
	struct kcbs_replica *r = &vol->replicas[idx];
	u8 insync;
	int err;

	if (!r->present) {
		NL_SET_ERR_MSG_MOD(extack, "no replica with this index");
		return -ENOENT;
	}
	if (kcbs_replica_exists(vol, addr, port)) {
		NL_SET_ERR_MSG_MOD(extack, "the volume already has this target");
		return -EEXIST;
	}
	spin_lock(&vol->lock);
	insync = kcbs_uptodate_mask(vol, kcbs_connected_mask(vol)) & ~BIT(idx);
	spin_unlock(&vol->lock);
	if (hweight8(insync) < vol->quorum) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the other in-sync replicas are fewer than the quorum");
		return -EBUSY;
	}

	/* Out with the old one: what was in flight on it is failed over. */
	down_write(&vol->gate);
	spin_lock(&vol->lock);
	r->present = false;
	vol->nreplicas--;
	spin_unlock(&vol->lock);
	up_write(&vol->gate);
	kcbs_replica_stop(r);
	cancel_delayed_work_sync(&vol->resync_work);

	kcbs_replica_free(r);
	err = kcbs_replica_init(r, vol, idx, addr, port);
	if (err) {
		/* The slot stays empty, as after a remove. */
		kcbs_meta_update(vol);
		kcbs_resync_kick(vol);
		kcbs_volume_update_state(vol);
		NL_SET_ERR_MSG_MOD(extack, "out of memory: the replica was removed");
		return err;
	}
	kcbs_bitmap_set_all(r);
	r->uptodate = false;
	r->last_state = KCLOUD_BS_REPLICA_OUT_OF_SYNC;
	down_write(&vol->gate);
	spin_lock(&vol->lock);
	r->present = true;
	vol->nreplicas++;
	spin_unlock(&vol->lock);
	up_write(&vol->gate);
	kcbs_meta_update(vol);
	kcbs_replica_start(r);
	kcbs_volume_update_state(vol);
	return 0;
}

/**
 * kcbs_blk_init() - register the kcbs block major
 *
 * Return: 0 or a negative errno.
 */
int kcbs_blk_init(void)
{
	kcbs_major = register_blkdev(0, "kcbs");
	return kcbs_major < 0 ? kcbs_major : 0;
}

/**
 * kcbs_blk_exit() - unregister the kcbs block major
 */
void kcbs_blk_exit(void)
{
	unregister_blkdev(kcbs_major, "kcbs");
	ida_destroy(&kcbs_ida);
}
