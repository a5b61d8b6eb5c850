// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: the target role. A TCP listener in the namespace the target
 * was added in, serving one backing file or block device. One receiver per
 * connection reads the requests and queues them to the target's I/O
 * workqueue, which does them on the backing store concurrently and answers
 * each as soon as it is done, in any order (the volume matches replies to
 * requests by their handle).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/types.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/net.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>

#include <net/netns/generic.h>

#include "bs.h"

/* Requests of one connection being served at once, at most. */
#define KCBS_TCONN_DEPTH	64
/* Their buffers (FUA writes), at most, unless it is the only one. */
#define KCBS_TCONN_BYTES	(16 << 20)

/*
 * Connections a target serves at once: with the receiver's own buffer and
 * KCBS_TCONN_BYTES, what an unauthenticated peer can make a target hold is
 * bounded (about 17 MiB a connection).
 */
static unsigned int kcbs_max_conns = 64;
module_param_named(max_conns, kcbs_max_conns, uint, 0644);
MODULE_PARM_DESC(max_conns, "connections a target serves at once; more are closed and counted (default 64)");

struct kcbs_tconn {
	struct list_head node;		/* kcbs_target.conns */
	struct kcbs_target *t;
	struct socket *sock;
	struct workqueue_struct *wq;	/* the receiver's alone */
	struct work_struct work;	/* the receiver */
	void *buf;			/* KCBS_MAX_PAYLOAD bytes, the receiver's */
	struct mutex tx_lock;		/* one reply at a time */
	atomic_t inflight;		/* requests queued to t->io_wq */
	atomic_t inflight_bytes;	/* their buffers */
	wait_queue_head_t wait;		/* for inflight to go down */
	bool hello;			/* and @volume: under t->conns_lock */
	bool corked;			/* the receiver's: replies held */
	char volume[KCBS_HELLO_LEN];	/* the volume it serves */
};

/* One request being served on the target's I/O workqueue. */
struct kcbs_treq {
	struct work_struct work;
	struct kcbs_tconn *c;
	struct kcbs_msg_req req;
	u64 start;
	void *buf;			/* READ, WRITE: @req.length bytes */
	u32 buf_len;
};

static atomic_t kcbs_fault_count = ATOMIC_INIT(0);

/* The fault hook: true for every kcbs_fault_flip-th data frame. */
static bool kcbs_fault_hit(void)
{
	unsigned int n = READ_ONCE(kcbs_fault_flip);

	return n && !((unsigned int)atomic_inc_return(&kcbs_fault_count) % n);
}

/**
 * kcbs_sock_recv() - receive exactly @len bytes
 * @sock: a connected TCP socket
 * @buf: where to put them
 * @len: how many
 *
 * Return: 0, or a negative errno when the connection failed or closed.
 */
int kcbs_sock_recv(struct socket *sock, void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_WAITALL | MSG_NOSIGNAL };
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	int ret;

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &vec, 1, len);
	while (msg_data_left(&msg)) {
		ret = sock_recvmsg(sock, &msg, msg.msg_flags);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
	}
	return 0;
}

static int kcbs_sock_send_kvec(struct socket *sock, struct kvec *vec, int n,
			       size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int ret;

	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, vec, n, len);
	while (msg_data_left(&msg)) {
		ret = sock_sendmsg(sock, &msg);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
	}
	return 0;
}

static bool kcbs_req_valid(const struct kcbs_msg_req *req)
{
	u16 type = be16_to_cpu(req->type);

	if (req->magic != cpu_to_be32(KCBS_REQ_MAGIC) || req->reserved ||
	    be32_to_cpu(req->hdr_crc) != kcbs_crc(~0, req, KCBS_REQ_CRC_LEN))
		return false;
	if (type < KCBS_MSG_HELLO || type > KCBS_MSG_SIZE)
		return false;
	if (be16_to_cpu(req->flags) & ~(KCBS_MSG_F_FUA | KCBS_MSG_F_ORDERED))
		return false;
	return be32_to_cpu(req->length) <= KCBS_MAX_PAYLOAD;
}

static int kcbs_tconn_reply(struct kcbs_tconn *c, const struct kcbs_msg_req *req,
			    u16 status, u64 value, void *data, u32 len)
{
	struct kcbs_msg_rep rep = {
		.magic	= cpu_to_be32(KCBS_REP_MAGIC),
		.type	= req->type,
		.status	= cpu_to_be16(status),
		.handle	= req->handle,
		.value	= cpu_to_be64(value),
		.length	= cpu_to_be32(len),
		.epoch	= cpu_to_be64(atomic64_read(&c->t->epoch)),
	};
	struct kvec vec[2] = {
		{ .iov_base = &rep, .iov_len = sizeof(rep) },
		{ .iov_base = data, .iov_len = len },
	};
	int err;

	if (len) {
		rep.data_crc = cpu_to_be32(kcbs_crc(~0, data, len));
		/* The fault hook damages the wire copy only: the volume must
		 * see the mismatch and ask again.
		 */
		if (kcbs_fault_hit())
			((u8 *)data)[len / 2] ^= 0x10;
	}
	rep.hdr_crc = cpu_to_be32(kcbs_crc(~0, &rep, KCBS_REP_CRC_LEN));
	mutex_lock(&c->tx_lock);
	err = kcbs_sock_send_kvec(c->sock, vec, len ? 2 : 1, sizeof(rep) + len);
	mutex_unlock(&c->tx_lock);
	return err;
}

/* Raise the target's epoch to @epoch; false if @epoch is older. */
static bool kcbs_target_epoch(struct kcbs_target *t, u64 epoch)
{
	s64 cur = atomic64_read(&t->epoch);

	while ((u64)cur < epoch) {
		s64 old = atomic64_cmpxchg(&t->epoch, cur, epoch);

		if (old == cur)
			return true;
		cur = old;
	}
	return epoch == (u64)cur;
}

static bool kcbs_in_range(struct kcbs_target *t, u64 off, u32 len)
{
	u64 size = READ_ONCE(t->size);	/* SIZE may grow it */

	return len && off < size && len <= size - off;
}

/*
 * Hold at least @want bytes, for a volume that grows (SIZE): a file is
 * extended, which reads back as zeroes, and the new size synced before the
 * volume hears of it; a block device grown underneath is taken up to @want
 * and its new range zeroed first, since it may hold anything. Never shrinks.
 * Return: 0 or a negative errno; @size is the size held then.
 */
static int kcbs_target_grow(struct kcbs_target *t, u64 want, u64 *size)
{
	struct block_device *bdev;
	u64 cur, to;
	int err = 0;

	mutex_lock(&t->meta_lock);
	cur = t->size;
	to = round_down(want, SECTOR_SIZE);
	if (to <= cur)
		goto out;
	if (t->dfile) {
		bdev = I_BDEV(t->dfile->f_mapping->host);
		to = min_t(u64, to, round_down(bdev_nr_bytes(bdev), SECTOR_SIZE));
		if (to > cur)
			err = blkdev_issue_zeroout(bdev, cur >> SECTOR_SHIFT,
						   (to - cur) >> SECTOR_SHIFT, GFP_KERNEL, 0);
	} else {
		err = vfs_truncate(&t->file->f_path, to);
		if (!err)
			err = vfs_fsync(t->file, 0);
	}
	if (!err && to > cur) {
		WRITE_ONCE(t->size, to);
		pr_info("target %s: grown from %llu to %llu bytes\n", t->name, cur, to);
	}
out:
	*size = t->size;
	mutex_unlock(&t->meta_lock);
	return err;
}

/*
 * Zero a range of the backing store: a block device's own zeroing (which
 * falls back to writing zeroes), a hole in a file, or zeroes written.
 */
static int kcbs_target_zero(struct kcbs_target *t, u64 off, u32 len)
{
	loff_t pos = off;
	void *zero;
	int err;

	err = vfs_fallocate(t->file, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len);
	if (err)
		err = vfs_fallocate(t->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    off, len);
	if (!err)
		return 0;
	zero = kvzalloc(len, GFP_KERNEL);
	if (!zero)
		return -ENOMEM;
	err = kernel_write(t->file, zero, len, &pos) == len ? 0 : -EIO;
	kvfree(zero);
	return err;
}

/*
 * Read or write the backing store. A block device is opened a second time
 * with O_DIRECT (as drbd and the loop driver do it): the data goes straight
 * between the buffer and the device, without a page cache copy and its
 * writeback. Return: 0 or a negative errno.
 */
static int kcbs_target_rw(struct kcbs_target *t, void *buf, u32 len, u64 off,
			  bool write)
{
	struct bio_vec stack[8], *bv = stack;
	unsigned int n, i, done = 0;
	struct iov_iter iter;
	loff_t pos = off;
	ssize_t ret;

	if (!t->dfile || !IS_ALIGNED(off | len, SECTOR_SIZE)) {
		ret = write ? kernel_write(t->file, buf, len, &pos) :
			      kernel_read(t->file, buf, len, &pos);
		return ret == len ? 0 : -EIO;
	}
	n = DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE);
	if (n > ARRAY_SIZE(stack)) {
		bv = kmalloc_array(n, sizeof(*bv), GFP_KERNEL);
		if (!bv)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		void *p = buf + done;
		unsigned int l = min_t(unsigned int, len - done,
				       PAGE_SIZE - offset_in_page(p));
		struct page *page = is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);

		bvec_set_page(&bv[i], page, l, offset_in_page(p));
		done += l;
	}
	iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, bv, n, len);
	ret = write ? vfs_iter_write(t->dfile, &iter, &pos, 0) :
		      vfs_iter_read(t->dfile, &iter, &pos, 0);
	if (bv != stack)
		kfree(bv);
	return ret == len ? 0 : -EIO;
}

/* Serve one request on the I/O workqueue; a negative return closes the
 * connection.
 */
static int kcbs_treq_serve(struct kcbs_treq *tr)
{
	struct kcbs_tconn *c = tr->c;
	struct kcbs_target *t = c->t;
	const struct kcbs_msg_req *req = &tr->req;
	u16 type = be16_to_cpu(req->type);
	u64 off = be64_to_cpu(req->offset);
	u32 len = be32_to_cpu(req->length);
	u64 epoch = be64_to_cpu(req->epoch);
	int err;

	if (epoch < (u64)atomic64_read(&t->epoch)) {
		kcbs_stats_inc(&t->stats, KCBS_S_STALE);
		return kcbs_tconn_reply(c, req, KCBS_ST_STALE, 0, NULL, 0);
	}

	switch (type) {
	case KCBS_MSG_READ:
		if (!kcbs_in_range(t, off, len))
			return kcbs_tconn_reply(c, req, KCBS_ST_RANGE, 0, NULL, 0);
		if (kcbs_target_rw(t, tr->buf, len, off, false)) {
			kcbs_stats_inc(&t->stats, KCBS_S_ERRORS);
			return kcbs_tconn_reply(c, req, KCBS_ST_EIO, 0, NULL, 0);
		}
		kcbs_stats_io(&t->stats, type, len, kcbs_since(tr->start));
		return kcbs_tconn_reply(c, req, KCBS_ST_OK, 0, tr->buf, len);
	case KCBS_MSG_WRITE:
		if (be32_to_cpu(req->data_crc) != kcbs_crc(~0, tr->buf, len)) {
			kcbs_stats_inc(&t->stats, KCBS_S_CRC_ERRORS);
			return kcbs_tconn_reply(c, req, KCBS_ST_BADCRC, 0, NULL, 0);
		}
		if (!kcbs_in_range(t, off, len))
			return kcbs_tconn_reply(c, req, KCBS_ST_RANGE, 0, NULL, 0);
		err = kcbs_target_rw(t, tr->buf, len, off, true);
		if (!err && (be16_to_cpu(req->flags) & KCBS_MSG_F_FUA))
			err = vfs_fsync_range(t->file, off, off + len - 1, 1);
		break;
	case KCBS_MSG_FLUSH:
		err = vfs_fsync(t->file, 0);
		break;
	case KCBS_MSG_ZERO:
		if (!kcbs_in_range(t, off, len))
			return kcbs_tconn_reply(c, req, KCBS_ST_RANGE, 0, NULL, 0);
		err = kcbs_target_zero(t, off, len);
		break;
	case KCBS_MSG_SIZE: {
		u64 size;

		if (kcbs_target_grow(t, off, &size)) {
			kcbs_stats_inc(&t->stats, KCBS_S_ERRORS);
			return kcbs_tconn_reply(c, req, KCBS_ST_EIO, size, NULL, 0);
		}
		return kcbs_tconn_reply(c, req, KCBS_ST_OK, size, NULL, 0);
	}
	default:
		return -EPROTO;
	}
	if (err) {
		kcbs_stats_inc(&t->stats, KCBS_S_ERRORS);
		return kcbs_tconn_reply(c, req, KCBS_ST_EIO, 0, NULL, 0);
	}
	kcbs_stats_io(&t->stats, type, len, kcbs_since(tr->start));
	return kcbs_tconn_reply(c, req, KCBS_ST_OK, 0, NULL, 0);
}

static void kcbs_treq_work(struct work_struct *work)
{
	struct kcbs_treq *tr = container_of(work, struct kcbs_treq, work);
	struct kcbs_tconn *c = tr->c;
	unsigned long flags;
	unsigned int noio;

	/* A volume may sit on this very host: do not recurse into it. */
	noio = memalloc_noio_save();
	if (kcbs_treq_serve(tr))
		kernel_sock_shutdown(c->sock, SHUT_RDWR);
	memalloc_noio_restore(noio);
	kvfree(tr->buf);
	atomic_sub(tr->buf_len, &c->inflight_bytes);
	kfree(tr);
	/* Under the wait queue's lock: the receiver may free @c as soon as
	 * it sees none in flight, and takes that lock before it does.
	 */
	spin_lock_irqsave(&c->wait.lock, flags);
	atomic_dec(&c->inflight);
	wake_up_locked(&c->wait);
	spin_unlock_irqrestore(&c->wait.lock, flags);
}

/*
 * The target's metadata file, little-endian, in its first 4 KiB: the
 * highest epoch seen and the volume the backing store belongs to.
 */
#define KCBS_TMETA_MAGIC	0x3154475453424b4bULL	/* "KKBSTGT1" */

struct kcbs_tmeta {
	__le64 magic;
	__le64 epoch;
	char volume[KCLOUD_BS_NAME_LEN];
	__le32 crc;
};

/* Write and sync the metadata file. Context: t->meta_lock held. */
static int kcbs_tmeta_save(struct kcbs_target *t)
{
	struct kcbs_tmeta m = {
		.magic	= cpu_to_le64(KCBS_TMETA_MAGIC),
		.epoch	= cpu_to_le64(atomic64_read(&t->epoch)),
	};
	loff_t pos = 0;
	ssize_t n;

	memcpy(m.volume, t->volume, sizeof(m.volume));
	m.crc = cpu_to_le32(kcbs_crc(~0, &m, offsetof(struct kcbs_tmeta, crc)));
	n = kernel_write(t->meta, &m, sizeof(m), &pos);
	if (n != sizeof(m))
		return n < 0 ? n : -EIO;
	return vfs_fsync(t->meta, 1);
}

/* Open (or create) the metadata file and load it; bind @volume if given. */
static int kcbs_tmeta_open(struct kcbs_target *t, const char *path, const char *volume,
			   struct netlink_ext_ack *extack)
{
	struct kcbs_tmeta m;
	loff_t pos = 0;
	ssize_t n;
	int err;

	t->meta = filp_open(path, O_RDWR | O_CREAT | O_LARGEFILE, 0600);
	if (IS_ERR(t->meta)) {
		err = PTR_ERR(t->meta);
		t->meta = NULL;
		NL_SET_ERR_MSG_MOD(extack, "cannot open or create the metadata file");
		return err;
	}
	strscpy(t->meta_path, path, sizeof(t->meta_path));
	n = kernel_read(t->meta, &m, sizeof(m), &pos);
	if (n == sizeof(m)) {
		if (m.magic != cpu_to_le64(KCBS_TMETA_MAGIC) ||
		    le32_to_cpu(m.crc) != kcbs_crc(~0, &m, offsetof(struct kcbs_tmeta, crc)) ||
		    m.volume[sizeof(m.volume) - 1]) {
			NL_SET_ERR_MSG_MOD(extack, "the metadata file is not a target's");
			return -EINVAL;
		}
		atomic64_set(&t->epoch, le64_to_cpu(m.epoch));
		memcpy(t->volume, m.volume, sizeof(t->volume));
	} else if (n) {
		NL_SET_ERR_MSG_MOD(extack, "the metadata file is damaged or not a target's");
		return n < 0 ? n : -EINVAL;
	}
	if (volume && t->volume[0] && strcmp(volume, t->volume)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the metadata file says the backing store belongs to another volume");
		pr_info("target %s: %s belongs to volume %s, not %s\n",
			t->name, path, t->volume, volume);
		return -EINVAL;
	}
	if (volume)
		strscpy(t->volume, volume, sizeof(t->volume));
	return kcbs_tmeta_save(t);
}

/* Another connection than @c of @volume is open. */
static bool kcbs_tconn_others(struct kcbs_tconn *c, const char *volume)
{
	struct kcbs_target *t = c->t;
	struct kcbs_tconn *o;
	bool found = false;

	mutex_lock(&t->conns_lock);
	list_for_each_entry(o, &t->conns, node) {
		if (o != c && o->hello && !strcmp(o->volume, volume)) {
			kernel_sock_shutdown(o->sock, SHUT_RDWR);
			found = true;
		}
	}
	mutex_unlock(&t->conns_lock);
	return found;
}

/*
 * A volume that connects again has given up on its other connections to
 * this target, but what it sent on them may still come: in the network
 * (a partition heals, a delayed packet), in their sockets, being served.
 * Landing after what the new connection brings (the resync of the regions
 * those writes missed), it would leave the replica stale while the volume
 * counts it in sync. So they are closed, and the new connection is
 * answered once their receivers are gone: every write they took is on the
 * store by then, and what still comes for them finds no socket.
 */
static void kcbs_tconn_fence(struct kcbs_tconn *c, const char *volume)
{
	struct kcbs_target *t = c->t;
	unsigned int gen;

	for (;;) {
		gen = READ_ONCE(t->conns_gen);
		if (!kcbs_tconn_others(c, volume))
			return;
		wait_event(t->conns_gone, READ_ONCE(t->conns_gen) != gen);
	}
}

/* The HELLO that opens a connection; a negative return closes it. */
static int kcbs_tconn_hello(struct kcbs_tconn *c, const struct kcbs_msg_req *req)
{
	struct kcbs_target *t = c->t;
	char name[KCBS_HELLO_LEN];
	u64 epoch = be64_to_cpu(req->epoch);
	bool changed = false;
	int err;

	if (be32_to_cpu(req->length) != KCBS_HELLO_LEN)
		return -EPROTO;
	err = kcbs_sock_recv(c->sock, name, sizeof(name));
	if (err)
		return err;
	if (be32_to_cpu(req->data_crc) != kcbs_crc(~0, name, sizeof(name)) ||
	    !name[0] || name[sizeof(name) - 1])
		return -EPROTO;
	if (be64_to_cpu(req->offset) != KCBS_PROTO_VERSION)
		return kcbs_tconn_reply(c, req, KCBS_ST_INVAL, 0, NULL, 0) ?: -EPROTO;

	mutex_lock(&t->meta_lock);
	if (t->volume[0] && strcmp(name, t->volume)) {
		mutex_unlock(&t->meta_lock);
		kcbs_stats_inc(&t->stats, KCBS_S_FOREIGN);
		pr_warn_ratelimited("target %s: refused volume %s: the backing store belongs to volume %s\n",
				    t->name, name, t->volume);
		kcbs_tconn_reply(c, req, KCBS_ST_FOREIGN, 0, NULL, 0);
		return -EACCES;
	}
	if (epoch > (u64)atomic64_read(&t->epoch))
		changed = true;
	if (!kcbs_target_epoch(t, epoch)) {
		mutex_unlock(&t->meta_lock);
		kcbs_stats_inc(&t->stats, KCBS_S_STALE);
		kcbs_tconn_reply(c, req, KCBS_ST_STALE, 0, NULL, 0);
		return -ESTALE;
	}
	if (t->meta && !t->volume[0]) {
		strscpy(t->volume, name, sizeof(t->volume));
		changed = true;
	}
	/* On stable storage before the volume hears that it is accepted. */
	err = changed && t->meta ? kcbs_tmeta_save(t) : 0;
	mutex_unlock(&t->meta_lock);
	if (err) {
		kcbs_stats_inc(&t->stats, KCBS_S_ERRORS);
		return kcbs_tconn_reply(c, req, KCBS_ST_EIO, 0, NULL, 0) ?: err;
	}
	kcbs_tconn_fence(c, name);
	mutex_lock(&t->conns_lock);
	strscpy(c->volume, name, sizeof(c->volume));
	c->hello = true;
	mutex_unlock(&t->conns_lock);
	return kcbs_tconn_reply(c, req, KCBS_ST_OK, READ_ONCE(t->size), NULL, 0);
}

/*
 * Replies are corked while more requests wait in the socket, as DRBD corks
 * its acks: the answers to a burst of requests leave together, in full
 * segments, rather than a segment each (the socket is TCP_NODELAY). Only
 * the receiver corks and uncorks, and it uncorks before it waits for
 * anything (the next request, or requests being served), so a reply is
 * held for no longer than it takes to serve the requests already queued.
 */
static void kcbs_tconn_cork(struct kcbs_tconn *c, bool on)
{
	if (c->corked == on)
		return;
	tcp_sock_set_cork(c->sock->sk, on);
	c->corked = on;
}

/* A whole request header waits in the socket (a hint: only the receiver reads it). */
static bool kcbs_tconn_more(struct kcbs_tconn *c)
{
	return tcp_inq(c->sock->sk) >= (int)sizeof(struct kcbs_msg_req);
}

/*
 * Receive one request after the HELLO and serve it; a negative return
 * closes the connection. A read or write is done at once, in the receiver,
 * with the connection's buffer: on a fast store a hand-off to a worker
 * costs more than the I/O, and the next requests wait in the socket anyway.
 * What syncs, zeroes or grows the store (FLUSH, FUA, ZERO, SIZE), which can
 * take long, is queued to the target's I/O workqueue and served
 * concurrently, at most KCBS_TCONN_DEPTH at once, each answered when done:
 * replies go out in any order. A request marked ORDERED starts once every earlier one has been
 * answered.
 */
static int kcbs_tconn_recv_req(struct kcbs_tconn *c, const struct kcbs_msg_req *req)
{
	struct kcbs_target *t = c->t;
	u16 type = be16_to_cpu(req->type);
	u32 len = be32_to_cpu(req->length);
	struct kcbs_treq *tr, now;
	bool async;
	int err;

	if (type == KCBS_MSG_HELLO || !c->hello)
		return -EPROTO;
	if (type == KCBS_MSG_WRITE && !len)
		return -EPROTO;
	if (type != KCBS_MSG_READ && type != KCBS_MSG_WRITE && type != KCBS_MSG_ZERO && len)
		return -EPROTO;
	async = type == KCBS_MSG_FLUSH || type == KCBS_MSG_ZERO || type == KCBS_MSG_SIZE ||
		(be16_to_cpu(req->flags) & KCBS_MSG_F_FUA);

	if ((be16_to_cpu(req->flags) & KCBS_MSG_F_ORDERED) || async)
		kcbs_tconn_cork(c, false);
	if (be16_to_cpu(req->flags) & KCBS_MSG_F_ORDERED)
		wait_event(c->wait, !atomic_read(&c->inflight));
	else if (async)
		wait_event(c->wait, atomic_read(&c->inflight) < KCBS_TCONN_DEPTH &&
			   (!atomic_read(&c->inflight) ||
			    atomic_read(&c->inflight_bytes) + len <= KCBS_TCONN_BYTES));

	if (async) {
		/* Under memalloc_noio: these cannot recurse into a volume here. */
		tr = kmalloc(sizeof(*tr), GFP_KERNEL);
		if (!tr)
			return -ENOMEM;
		tr->buf = NULL;
		tr->buf_len = 0;
		if (type == KCBS_MSG_READ || type == KCBS_MSG_WRITE) {
			tr->buf = kvmalloc(len, GFP_KERNEL);
			if (!tr->buf) {
				kfree(tr);
				return -ENOMEM;
			}
			tr->buf_len = len;
		}
	} else {
		tr = &now;
		tr->buf = c->buf;
	}
	if (type == KCBS_MSG_WRITE) {
		err = kcbs_sock_recv(c->sock, tr->buf, len);
		if (err) {
			if (async) {
				kvfree(tr->buf);
				kfree(tr);
			}
			return err;
		}
		if (kcbs_fault_hit())
			((u8 *)tr->buf)[len / 2] ^= 0x01;
	}
	tr->c = c;
	tr->req = *req;
	tr->start = kcbs_now();
	if (!async) {
		bool more = kcbs_tconn_more(c);

		if (more)
			kcbs_tconn_cork(c, true);
		err = kcbs_treq_serve(tr);
		if (!more)
			kcbs_tconn_cork(c, false);
		return err;
	}
	INIT_WORK(&tr->work, kcbs_treq_work);
	atomic_add(tr->buf_len, &c->inflight_bytes);
	atomic_inc(&c->inflight);
	queue_work(t->io_wq, &tr->work);
	return 0;
}

static void kcbs_tconn_work(struct work_struct *work)
{
	struct kcbs_tconn *c = container_of(work, struct kcbs_tconn, work);
	struct kcbs_target *t = c->t;
	struct kcbs_msg_req req;
	unsigned int noio;
	int err;

	/* A volume may sit on this very host: do not recurse into it. */
	noio = memalloc_noio_save();
	for (;;) {
		if (c->corked && !kcbs_tconn_more(c))
			kcbs_tconn_cork(c, false);
		err = kcbs_sock_recv(c->sock, &req, sizeof(req));
		if (err)
			break;
		if (!kcbs_req_valid(&req)) {
			kcbs_stats_inc(&t->stats, KCBS_S_GARBAGE);
			break;
		}
		if (req.type == cpu_to_be16(KCBS_MSG_HELLO) && !c->hello)
			err = kcbs_tconn_hello(c, &req);
		else
			err = kcbs_tconn_recv_req(c, &req);
		if (err == -EPROTO)
			kcbs_stats_inc(&t->stats, KCBS_S_GARBAGE);
		if (err)
			break;
	}
	memalloc_noio_restore(noio);

	/* The requests still being served reply on the socket: wait for them. */
	kernel_sock_shutdown(c->sock, SHUT_RDWR);
	wait_event(c->wait, !atomic_read(&c->inflight));
	spin_lock_irq(&c->wait.lock);	/* the last worker is out of it */
	spin_unlock_irq(&c->wait.lock);
	mutex_lock(&t->conns_lock);
	list_move(&c->node, &t->dead);
	WRITE_ONCE(t->nconns, t->nconns - 1);
	WRITE_ONCE(t->conns_gen, t->conns_gen + 1);
	mutex_unlock(&t->conns_lock);
	wake_up_all(&t->conns_gone);
	/* @c and its workqueue go in kcbs_tconn_reap(), once this returned. */
	sock_release(c->sock);
	kvfree(c->buf);
}

/* Free the connections that are gone, their receivers returned. */
static void kcbs_tconn_reap(struct kcbs_target *t)
{
	struct kcbs_tconn *c, *n;
	LIST_HEAD(dead);

	mutex_lock(&t->conns_lock);
	list_splice_init(&t->dead, &dead);
	mutex_unlock(&t->conns_lock);
	list_for_each_entry_safe(c, n, &dead, node) {
		destroy_workqueue(c->wq);	/* waits for the receiver's return */
		kfree(c);
	}
}

static void kcbs_accept_work(struct work_struct *work)
{
	struct kcbs_target *t = container_of(work, struct kcbs_target, accept_work);
	struct kcbs_tconn *c;
	struct socket *sock;

	while (!READ_ONCE(t->stopping)) {
		if (kernel_accept(t->listen, &sock, 0))
			break;
		kcbs_tconn_reap(t);
		if (READ_ONCE(t->nconns) >= READ_ONCE(kcbs_max_conns)) {
			kcbs_stats_inc(&t->stats, KCBS_S_REFUSED);
			pr_warn_ratelimited("target %s: %u connections already: one more closed (max_conns)\n",
					    t->name, READ_ONCE(t->nconns));
			sock_release(sock);
			continue;
		}
		/*
		 * A receiver runs as long as its connection: on a workqueue of
		 * its own, whose rescuer takes only it (a rescuer runs its
		 * workqueue's items one after the other).
		 */
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (c) {
			c->buf = kvmalloc(KCBS_MAX_PAYLOAD, GFP_KERNEL);
			c->wq = alloc_workqueue("kcbs-tc-%s", WQ_UNBOUND | WQ_MEM_RECLAIM, 1,
						t->name);
		}
		if (!c || !c->buf || !c->wq) {
			if (c) {
				if (c->wq)
					destroy_workqueue(c->wq);
				kvfree(c->buf);
			}
			kfree(c);
			sock_release(sock);
			continue;
		}
		sock->sk->sk_allocation = GFP_NOIO;
		tcp_sock_set_nodelay(sock->sk);
		c->t = t;
		c->sock = sock;
		mutex_init(&c->tx_lock);
		atomic_set(&c->inflight, 0);
		atomic_set(&c->inflight_bytes, 0);
		init_waitqueue_head(&c->wait);
		INIT_WORK(&c->work, kcbs_tconn_work);

		mutex_lock(&t->conns_lock);
		if (t->stopping) {
			mutex_unlock(&t->conns_lock);
			sock_release(sock);
			destroy_workqueue(c->wq);
			kvfree(c->buf);
			kfree(c);
			break;
		}
		list_add(&c->node, &t->conns);
		WRITE_ONCE(t->nconns, t->nconns + 1);
		queue_work(c->wq, &c->work);
		mutex_unlock(&t->conns_lock);
	}
}

static int kcbs_target_listen(struct kcbs_target *t, struct netlink_ext_ack *extack)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = t->addr,
		.sin_port = htons(t->port),
	};
	int err;

	err = sock_create_kern(t->net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &t->listen);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot create the listening socket");
		return err;
	}
	sock_set_reuseaddr(t->listen->sk);
	err = kernel_bind(t->listen, (struct sockaddr *)&sin, sizeof(sin));
	if (!err)
		err = kernel_listen(t->listen, 16);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot listen on that address and port");
		sock_release(t->listen);
		t->listen = NULL;
	}
	return err;
}

/**
 * kcbs_target_find() - a target by name
 * @net: its namespace
 * @name: its name
 *
 * Context: kcbs_lock held.
 * Return: the target or NULL.
 */
struct kcbs_target *kcbs_target_find(struct net *net, const char *name)
{
	struct kcbs_net *kn = net_generic(net, kcbs_net_id);
	struct kcbs_target *t;

	list_for_each_entry(t, &kn->targets, node)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/**
 * kcbs_target_create() - open a backing store and start serving it
 * @net: the namespace to listen in
 * @name: the target's name
 * @path: the backing file or block device
 * @addr: the address to listen on (0: any)
 * @port: the TCP port
 * @meta: the metadata file to load or create, or NULL
 * @volume: the volume the backing store belongs to, or NULL
 * @extack: where to say why it failed
 *
 * Context: kcbs_lock held.
 * Return: the target, listed in @net, or an ERR_PTR().
 */
struct kcbs_target *kcbs_target_create(struct net *net, const char *name,
				       const char *path, __be32 addr, u16 port,
				       const char *meta, const char *volume,
				       struct netlink_ext_ack *extack)
{
	struct kcbs_net *kn = net_generic(net, kcbs_net_id);
	struct kcbs_target *t;
	struct inode *inode;
	int err;

	if (kcbs_target_find(net, name)) {
		NL_SET_ERR_MSG_MOD(extack, "a target with this name exists");
		return ERR_PTR(-EEXIST);
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->net = net;
	strscpy(t->name, name, sizeof(t->name));
	strscpy(t->path, path, sizeof(t->path));
	t->addr = addr;
	t->port = port;
	mutex_init(&t->conns_lock);
	mutex_init(&t->meta_lock);
	INIT_LIST_HEAD(&t->conns);
	INIT_LIST_HEAD(&t->dead);
	init_waitqueue_head(&t->conns_gone);
	INIT_WORK(&t->accept_work, kcbs_accept_work);
	err = kcbs_stats_init(&t->stats);
	if (err)
		goto err_free;

	t->file = filp_open(path, O_RDWR | O_LARGEFILE, 0);
	if (IS_ERR(t->file)) {
		err = PTR_ERR(t->file);
		NL_SET_ERR_MSG_MOD(extack, "cannot open the backing store path");
		goto err_stats;
	}
	inode = file_inode(t->file);
	if (!S_ISREG(inode->i_mode) && !S_ISBLK(inode->i_mode)) {
		err = -EINVAL;
		NL_SET_ERR_MSG_MOD(extack, "the path is neither a file nor a block device");
		goto err_file;
	}
	t->size = i_size_read(t->file->f_mapping->host);
	if (S_ISBLK(inode->i_mode)) {
		t->dfile = filp_open(path, O_RDWR | O_LARGEFILE | O_DIRECT, 0);
		if (IS_ERR(t->dfile))
			t->dfile = NULL;
	}
	if (t->size < SZ_1M) {
		err = -EINVAL;
		NL_SET_ERR_MSG_MOD(extack, "the backing store is smaller than 1 MiB");
		goto err_file;
	}

	if (meta) {
		err = kcbs_tmeta_open(t, meta, volume, extack);
		if (err)
			goto err_file;
	} else if (volume) {
		strscpy(t->volume, volume, sizeof(t->volume));
	}

	t->wq = alloc_workqueue("kcbs-t-%s", WQ_UNBOUND | WQ_MEM_RECLAIM, 0, t->name);
	if (!t->wq) {
		err = -ENOMEM;
		goto err_file;
	}
	t->io_wq = alloc_workqueue("kcbs-tio-%s", WQ_UNBOUND | WQ_MEM_RECLAIM | WQ_HIGHPRI,
				   0, t->name);
	if (!t->io_wq) {
		err = -ENOMEM;
		goto err_wq;
	}
	err = kcbs_target_listen(t, extack);
	if (err)
		goto err_wq;
	queue_work(t->wq, &t->accept_work);
	if (t->dfile)
		t->export = kcbs_export_add(net, addr, port,
					    I_BDEV(t->dfile->f_mapping->host), &t->epoch);
	list_add_tail(&t->node, &kn->targets);
	return t;

err_wq:
	if (t->io_wq)
		destroy_workqueue(t->io_wq);
	destroy_workqueue(t->wq);
err_file:
	if (t->meta)
		filp_close(t->meta, NULL);
	if (t->dfile)
		filp_close(t->dfile, NULL);
	filp_close(t->file, NULL);
err_stats:
	kcbs_stats_free(&t->stats);
err_free:
	kfree(t);
	return ERR_PTR(err);
}

/**
 * kcbs_target_destroy() - stop serving, close every connection, free
 * @t: the target
 *
 * Context: kcbs_lock held; sleeps until every worker is gone.
 */
void kcbs_target_destroy(struct kcbs_target *t)
{
	struct kcbs_tconn *c;

	list_del(&t->node);
	/* No local read on the device after this. */
	kcbs_export_del(t->export);
	mutex_lock(&t->conns_lock);
	t->stopping = true;
	mutex_unlock(&t->conns_lock);
	kernel_sock_shutdown(t->listen, SHUT_RDWR);
	flush_work(&t->accept_work);

	/* No new connection now; a worker leaves once its socket is shut. */
	mutex_lock(&t->conns_lock);
	list_for_each_entry(c, &t->conns, node)
		kernel_sock_shutdown(c->sock, SHUT_RDWR);
	mutex_unlock(&t->conns_lock);
	wait_event(t->conns_gone, !READ_ONCE(t->nconns));
	kcbs_tconn_reap(t);
	destroy_workqueue(t->wq);
	destroy_workqueue(t->io_wq);
	sock_release(t->listen);
	if (t->meta)
		filp_close(t->meta, NULL);
	if (t->dfile)
		filp_close(t->dfile, NULL);
	filp_close(t->file, NULL);
	kcbs_stats_free(&t->stats);
	kfree(t);
}
