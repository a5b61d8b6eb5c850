// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: the local path. When a replica's target is served by this
 * very kernel (the same network namespace, the replica's address local to
 * it, the target's port) from a block device, the volume reads, writes and
 * flushes that replica without TCP: the request's pages go to the target's
 * device in one bio, as DRBD does with its local disk. The rest (zeroing,
 * the identity and epoch checks of HELLO, resync, health) still goes
 * through the replica's connection, and the local path is used only while
 * that connection is up. A write checks the target's epoch first, as the
 * target does: a stale volume does not write locally either. A resync
 * waits for the local writes in flight on its two replicas before it copies
 * a region (what ORDERED does on the wire). An encrypted volume writes its
 * ciphertext (the write's bounce pages) to the device, and its reads are
 * decrypted in the volume's worker once the device has them.
 *
 * A target serving a block device publishes an export of it. A replica
 * binds the export when its connection is made (kcbs_export_get()) and
 * unbinds it when the connection goes; each local read holds the export's
 * percpu_ref, which the target kills and drains before it closes the
 * device. The export itself lives on until its last binding goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/percpu-refcount.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <net/route.h>

#include "bs.h"

static bool kcbs_local_read = true;
module_param_named(local_read, kcbs_local_read, bool, 0644);
MODULE_PARM_DESC(local_read,
		 "read and write replicas whose target this host serves from a block device without TCP (default on; taken at connect)");

struct kcbs_export {
	struct list_head node;		/* kcbs_exports, RCU */
	struct net *net;
	__be32 addr;			/* the target's, 0: any */
	u16 port;
	struct block_device *bdev;
	atomic64_t *epoch;		/* the target's */
	struct percpu_ref ios;		/* reads in flight, and the target's */
	struct completion drained;
	struct kref ref;		/* the target's, one per bound replica */
	struct rcu_head rcu;
};

/* A local read: the request's attempt it answers, and its bio. */
struct kcbs_local_io {
	struct kcbs_replica *r;
	struct kcbs_export *e;
	struct request *rq;
	u8 attempt;
	bool write;
	blk_status_t status;
	u64 start_ns;
	struct work_struct work;
	struct work_struct submit_work;
	struct bio bio;			/* last: the bio_set's front pad */
};

static LIST_HEAD(kcbs_exports);
static DEFINE_SPINLOCK(kcbs_exports_lock);
static struct bio_set kcbs_local_bs;

static void kcbs_export_drained(struct percpu_ref *ref)
{
	complete(&container_of(ref, struct kcbs_export, ios)->drained);
}

static void kcbs_export_release(struct kref *ref)
{
	struct kcbs_export *e = container_of(ref, struct kcbs_export, ref);

	percpu_ref_exit(&e->ios);
	kfree_rcu(e, rcu);
}

/**
 * kcbs_export_add() - publish a target's block device for local reads
 * @net: the target's namespace
 * @addr: the address it listens on (0: any)
 * @port: its port
 * @bdev: the block device it serves, open for as long as the export
 * @epoch: the target's epoch, there for as long as the export
 *
 * Return: the export, or NULL when out of memory (the target serves over
 * TCP only, as it would anyway).
 */
struct kcbs_export *kcbs_export_add(struct net *net, __be32 addr, u16 port,
				    struct block_device *bdev, atomic64_t *epoch)
{
	struct kcbs_export *e;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return NULL;
	if (percpu_ref_init(&e->ios, kcbs_export_drained, 0, GFP_KERNEL)) {
		kfree(e);
		return NULL;
	}
	e->net = net;
	e->addr = addr;
	e->port = port;
	e->bdev = bdev;
	e->epoch = epoch;
	init_completion(&e->drained);
	kref_init(&e->ref);
	spin_lock(&kcbs_exports_lock);
	list_add_tail_rcu(&e->node, &kcbs_exports);
	spin_unlock(&kcbs_exports_lock);
	return e;
}

/**
 * kcbs_export_del() - withdraw an export and wait for its reads
 * @e: the export, or NULL
 *
 * When this returns, no local read uses the target's device, and none
 * will: the target may close it.
 */
void kcbs_export_del(struct kcbs_export *e)
{
	if (!e)
		return;
	spin_lock(&kcbs_exports_lock);
	list_del_rcu(&e->node);
	spin_unlock(&kcbs_exports_lock);
	percpu_ref_kill(&e->ios);
	wait_for_completion(&e->drained);
	kref_put(&e->ref, kcbs_export_release);
}

/**
 * kcbs_export_get() - the export of the target a replica connects to
 * @r: the replica, just connected
 *
 * Return: the export, with a reference for the replica, or NULL when its
 * target is not served by this kernel from a block device (or local reads
 * are off).
 */
struct kcbs_export *kcbs_export_get(struct kcbs_replica *r)
{
	struct net *net = r->vol->net;
	struct kcbs_export *e, *found = NULL;

	if (!READ_ONCE(kcbs_local_read))
		return NULL;
	rcu_read_lock();
	list_for_each_entry_rcu(e, &kcbs_exports, node) {
		if (e->net != net || e->port != r->port)
			continue;
		if (e->addr != r->addr &&
		    (e->addr || inet_addr_type(net, r->addr) != RTN_LOCAL))
			continue;
		if (kref_get_unless_zero(&e->ref))
			found = e;
		break;
	}
	rcu_read_unlock();
	return found;
}

/**
 * kcbs_export_put() - a replica's binding goes
 * @e: the export, or NULL
 */
void kcbs_export_put(struct kcbs_export *e)
{
	if (e)
		kref_put(&e->ref, kcbs_export_release);
}

static void kcbs_local_finish(struct kcbs_local_io *io)
{
	struct kcbs_replica *r = io->r;
	struct kcbs_export *e = io->e;
	struct request *rq = io->rq;
	bool ok = io->status == BLK_STS_OK;
	u8 attempt = io->attempt;
	bool write = io->write;

	/* An encrypted volume's read: plaintext before the request ends. */
	if (ok && !write && r->vol->crypt &&
	    kcbs_crypt_read(rq, blk_mq_rq_to_pdu(rq)))
		ok = false;

	if (ok)
		kcbs_stats_local(&r->stats, write, blk_rq_bytes(rq), kcbs_since(io->start_ns));
	else
		kcbs_stats_inc(&r->stats, KCBS_S_ERRORS);
	bio_put(&io->bio);
	kcbs_local_done(r, rq, ok, attempt, write);
	percpu_ref_put(&e->ios);
}

static void kcbs_local_work(struct work_struct *work)
{
	kcbs_local_finish(container_of(work, struct kcbs_local_io, work));
}

static void kcbs_local_end_io(struct bio *bio)
{
	struct kcbs_local_io *io = container_of(bio, struct kcbs_local_io, bio);

	io->status = bio->bi_status;
	/* The request's state is under locks taken with interrupts on: a
	 * completion in interrupt context goes on in the volume's worker, as
	 * does an encrypted read, decrypted there (it may sleep).
	 */
	if (in_task() && !(io->r->vol->crypt && !io->write)) {
		kcbs_local_finish(io);
		return;
	}
	INIT_WORK(&io->work, kcbs_local_work);
	queue_work(io->r->vol->wq, &io->work);
}

static void kcbs_local_submit_work(struct work_struct *work)
{
	struct kcbs_local_io *io = container_of(work, struct kcbs_local_io, submit_work);

	submit_bio(&io->bio);
}

/**
 * kcbs_local_submit() - do a request on the replica's local device
 * @r: the replica
 * @rq: the READ, WRITE or FLUSH request
 * @attempt: the attempt of the request this is (READ)
 *
 * Return: 0 when the request went (it answers with kcbs_local_done()),
 * -EAGAIN when @r has no local device now: send it over TCP instead,
 * -ESTALE when the target has a newer epoch than the volume.
 */
int kcbs_local_submit(struct kcbs_replica *r, struct request *rq, u8 attempt)
{
	struct kcbs_volume *vol = r->vol;
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	unsigned short nr = blk_rq_nr_phys_segments(rq);
	struct kcbs_local_io *io;
	struct req_iterator iter;
	struct kcbs_export *e;
	struct blk_plug *plug;
	struct bio_vec bvec;
	struct bio *bio;
	blk_opf_t opf;

	switch (req_op(rq)) {
	case REQ_OP_READ:
		opf = REQ_OP_READ;
		break;
	case REQ_OP_WRITE:
		opf = REQ_OP_WRITE | REQ_SYNC | (rq->cmd_flags & REQ_FUA);
		if (cmd->nbounce)
			nr = cmd->nbounce;	/* the ciphertext goes */
		break;
	case REQ_OP_FLUSH:
		opf = REQ_OP_WRITE | REQ_PREFLUSH;
		nr = 0;
		break;
	default:
		return -EAGAIN;
	}

	spin_lock(&vol->lock);
	e = r->local;
	if (e && !percpu_ref_tryget_live(&e->ios))
		e = NULL;
	spin_unlock(&vol->lock);
	if (!e)
		return -EAGAIN;
	/* The target's own check: another volume took the store over. */
	if (op_is_write(opf) && vol->epoch < (u64)atomic64_read(e->epoch)) {
		percpu_ref_put(&e->ios);
		return -ESTALE;
	}

	/* From the mempool: a request that must go out does not wait for
	 * memory it would have to free.
	 */
	bio = bio_alloc_bioset(e->bdev, nr, opf, GFP_NOIO, &kcbs_local_bs);
	io = container_of(bio, struct kcbs_local_io, bio);
	io->r = r;
	io->e = e;
	io->rq = rq;
	io->attempt = attempt;
	io->write = req_op(rq) != REQ_OP_READ;
	io->start_ns = kcbs_now();
	bio->bi_iter.bi_sector = nr ? blk_rq_pos(rq) : 0;
	bio->bi_end_io = kcbs_local_end_io;
	if (opf & REQ_PREFLUSH) {
		/* No data. */
	} else if (cmd->nbounce) {
		int i;

		for (i = 0; i < cmd->nbounce; i++)
			__bio_add_page(bio, cmd->bounce[i], KCBS_CRYPT_SECTOR, 0);
	} else {
		rq_for_each_segment(bvec, rq, iter) {
			if (bio_add_page(bio, bvec.bv_page, bvec.bv_len, bvec.bv_offset) !=
			    bvec.bv_len) {
				bio_put(bio);
				percpu_ref_put(&e->ios);
				return -EAGAIN;
			}
		}
	}
	/*
	 * The bio must reach the device now: a resync holding the volume's
	 * gate waits for this write, and queue_rq, for a later request, may
	 * wait for that gate (or for a snapshot's copy, or bounce pages) in
	 * this very task.
	 *
	 * Called in a submit_bio() (queue_rq issued directly from
	 * blk_mq_submit_bio(), or a plug flushed there, or the rest of a bio
	 * split at the volume's limits), the bio would only be parked on
	 * current->bio_list until that submit_bio() returns, and then join
	 * the task's plug: a later request of the same plug blocking in
	 * queue_rq would hold it back for good (seen on the debug kernel,
	 * ext4 writeback against a resync). A worker submits it then.
	 */
	if (current->bio_list) {
		INIT_WORK(&io->submit_work, kcbs_local_submit_work);
		queue_work(vol->wq, &io->submit_work);
		return 0;
	}
	/*
	 * Else queue_rq runs from blk_finish_plug() (or kblockd): the bio
	 * must not join the plug being flushed either, whose list is being
	 * emptied (blk_add_rq_to_plug() would find a count and no request),
	 * nor wait in it.
	 */
	plug = current->plug;
	current->plug = NULL;
	submit_bio(bio);
	current->plug = plug;
	return 0;
}

/**
 * kcbs_local_init() - the bio_set of local reads
 *
 * Return: 0 or -ENOMEM.
 */
int kcbs_local_init(void)
{
	return bioset_init(&kcbs_local_bs, KCBS_QUEUE_DEPTH,
			   offsetof(struct kcbs_local_io, bio), BIOSET_NEED_BVECS);
}

/**
 * kcbs_local_exit() - free it; every export is gone
 */
void kcbs_local_exit(void)
{
	bioset_exit(&kcbs_local_bs);
}
