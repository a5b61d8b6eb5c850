// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: one replica of a volume: its TCP connection to a target, the
 * HELLO that opens it, sending frames, the receiver that dispatches the
 * replies, and reconnecting with backoff when the connection fails.
 *
 * Socket I/O is done as drivers/block/nbd.c does it: the sockets allocate
 * with GFP_NOIO and without the task's page frag, sends run under
 * memalloc_noreclaim_save(), and the receivers and connects run on the
 * volume's WQ_MEM_RECLAIM workqueue, so that writing back pages to the
 * volume never waits for memory that needs that same writeback.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/in.h>
#include <linux/net.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "bs.h"

#define KCBS_BACKOFF_MIN_MS	100
#define KCBS_BACKOFF_MAX_MS	3000
#define KCBS_HELLO_TIMEOUT	(5 * HZ)

static void kcbs_conn_release(struct kref *ref)
{
	struct kcbs_conn *c = container_of(ref, struct kcbs_conn, ref);

	sock_release(c->sock);
	kfree(c);
}

/**
 * kcbs_conn_put() - drop a reference to a connection
 * @c: the connection
 */
void kcbs_conn_put(struct kcbs_conn *c)
{
	kref_put(&c->ref, kcbs_conn_release);
}

/**
 * kcbs_replica_get_conn() - the replica's connection, referenced
 * @r: the replica
 *
 * Return: the connection (put it with kcbs_conn_put()) or NULL.
 */
struct kcbs_conn *kcbs_replica_get_conn(struct kcbs_replica *r)
{
	struct kcbs_conn *c;

	spin_lock(&r->vol->lock);
	c = r->conn;
	if (c)
		kref_get(&c->ref);
	spin_unlock(&r->vol->lock);
	return c;
}

/**
 * kcbs_replica_kill() - break the replica's connection
 * @r: the replica
 *
 * Its receiver then fails what was in flight on it over to the others and
 * reconnects. Used on timeouts and send errors.
 */
void kcbs_replica_kill(struct kcbs_replica *r)
{
	struct kcbs_conn *c = kcbs_replica_get_conn(r);

	if (c) {
		kernel_sock_shutdown(c->sock, SHUT_RDWR);
		kcbs_conn_put(c);
	}
}

static int kcbs_send_iter(struct socket *sock, struct msghdr *msg)
{
	int ret;

	while (msg_data_left(msg)) {
		ret = sock_sendmsg(sock, msg);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
	}
	return 0;
}

/*
 * Send one page of a request without copying it, as DRBD sends its data:
 * the socket holds a reference to the page until the peer has acked it. A
 * block request's pages stay as they are until it ends (the queue asks for
 * stable writes), and it ends only once the target has the data.
 */
static int kcbs_send_page(struct socket *sock, const struct bio_vec *bv, bool more)
{
	int flags = MSG_NOSIGNAL | (more ? MSG_MORE | MSG_SENDPAGE_NOTLAST : 0);
	unsigned int off = bv->bv_offset, len = bv->bv_len;
	int ret;

	while (len) {
		ret = kernel_sendpage(sock, bv->bv_page, off, len, flags);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
		off += ret;
		len -= ret;
	}
	return 0;
}

static bool kcbs_rq_bounced(struct request *rq)
{
	struct kcbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	return cmd->nbounce;
}

/*
 * Send an encrypted write's ciphertext. Copied, not sent by reference: its
 * bounce pages go back to the volume's pool, and to another write, when the
 * request ends, which a connection that failed may not have let go of.
 */
static int kcbs_send_bounce(struct socket *sock, struct msghdr *msg, struct kcbs_cmd *cmd)
{
	struct bio_vec bv = { .bv_len = KCBS_CRYPT_SECTOR };
	int i, err = 0;

	for (i = 0; i < cmd->nbounce && !err; i++) {
		bv.bv_page = cmd->bounce[i];
		if (i == cmd->nbounce - 1)
			msg->msg_flags &= ~MSG_MORE;
		iov_iter_bvec(&msg->msg_iter, ITER_SOURCE, &bv, 1, bv.bv_len);
		err = kcbs_send_iter(sock, msg);
	}
	return err;
}

/**
 * kcbs_conn_send() - send one request frame
 * @c: the connection
 * @req: the header, filled but for @hdr_crc
 * @rq: for a WRITE of a block request, the request whose data follows
 * @buf: for any other WRITE and a HELLO, the data that follows
 *	(@req->length bytes)
 *
 * Return: 0 or a negative errno; on error the connection is unusable.
 */
int kcbs_conn_send(struct kcbs_conn *c, struct kcbs_msg_req *req,
		   struct request *rq, const void *buf)
{
	u32 len = be32_to_cpu(req->length);
	bool data = len && (req->type == cpu_to_be16(KCBS_MSG_WRITE) ||
			    req->type == cpu_to_be16(KCBS_MSG_HELLO));
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	struct kvec vec = { .iov_base = req, .iov_len = sizeof(*req) };
	unsigned int noreclaim;
	int err;

	req->hdr_crc = cpu_to_be32(kcbs_crc(~0, req, KCBS_REQ_CRC_LEN));

	noreclaim = memalloc_noreclaim_save();
	mutex_lock(&c->tx_lock);
	if (data)
		msg.msg_flags |= MSG_MORE;
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &vec, 1, sizeof(*req));
	err = kcbs_send_iter(c->sock, &msg);
	if (!err && data && rq && kcbs_rq_bounced(rq)) {
		err = kcbs_send_bounce(c->sock, &msg, blk_mq_rq_to_pdu(rq));
	} else if (!err && data && rq) {
		struct req_iterator iter;
		struct bio_vec bvec;

		rq_for_each_segment(bvec, rq, iter) {
			bool last = rq_iter_last(bvec, iter);

			if (sendpage_ok(bvec.bv_page)) {
				err = kcbs_send_page(c->sock, &bvec, !last);
			} else {
				iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, bvec.bv_len);
				if (last)
					msg.msg_flags &= ~MSG_MORE;
				err = kcbs_send_iter(c->sock, &msg);
			}
			if (err)
				break;
		}
	} else if (!err && data) {
		vec.iov_base = (void *)buf;
		vec.iov_len = len;
		msg.msg_flags &= ~MSG_MORE;
		iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &vec, 1, len);
		err = kcbs_send_iter(c->sock, &msg);
	}
	mutex_unlock(&c->tx_lock);
	memalloc_noreclaim_restore(noreclaim);
	return err;
}

/**
 * kcbs_replica_state() - the state a replica reports
 * @r: the replica
 *
 * Context: r->vol->lock held.
 * Return: its enum kcloud_bs_replica_state.
 */
enum kcloud_bs_replica_state kcbs_replica_state(struct kcbs_replica *r)
{
	if (r->stale)
		return KCLOUD_BS_REPLICA_STALE;
	if (r->foreign && !r->connected)
		return KCLOUD_BS_REPLICA_FOREIGN;
	if (r->connected)
		return r->uptodate ? KCLOUD_BS_REPLICA_IN_SYNC : KCLOUD_BS_REPLICA_RESYNCING;
	return r->uptodate ? KCLOUD_BS_REPLICA_CONNECTING : KCLOUD_BS_REPLICA_OUT_OF_SYNC;
}

static bool kcbs_rep_valid(const struct kcbs_msg_rep *rep)
{
	return rep->magic == cpu_to_be32(KCBS_REP_MAGIC) && !rep->reserved &&
	       be32_to_cpu(rep->hdr_crc) == kcbs_crc(~0, rep, KCBS_REP_CRC_LEN) &&
	       be32_to_cpu(rep->length) <= KCBS_MAX_PAYLOAD;
}

/* Receive a READ reply's data into the request's pages and check its crc. */
static int kcbs_recv_rq(struct socket *sock, struct request *rq, u32 want_crc,
			bool *crc_ok)
{
	struct msghdr msg = { .msg_flags = MSG_WAITALL | MSG_NOSIGNAL };
	struct req_iterator iter;
	struct bio_vec bvec;
	u32 crc = ~0;
	int ret;

	rq_for_each_segment(bvec, rq, iter) {
		void *p;

		iov_iter_bvec(&msg.msg_iter, ITER_DEST, &bvec, 1, bvec.bv_len);
		while (msg_data_left(&msg)) {
			ret = sock_recvmsg(sock, &msg, msg.msg_flags);
			if (ret <= 0)
				return ret ? ret : -ECONNRESET;
		}
		p = kmap_local_page(bvec.bv_page);
		crc = kcbs_crc(crc, p + bvec.bv_offset, bvec.bv_len);
		kunmap_local(p);
	}
	*crc_ok = crc == want_crc;
	return 0;
}

/* One reply for a block request; a negative return drops the connection. */
static int kcbs_recv_one(struct kcbs_replica *r, struct socket *sock,
			 const struct kcbs_msg_rep *rep)
{
	struct kcbs_volume *vol = r->vol;
	u64 handle = be64_to_cpu(rep->handle);
	u32 tag = lower_32_bits(handle);
	u32 len = be32_to_cpu(rep->length);
	u16 hwq = blk_mq_unique_tag_to_hwq(tag);
	u16 idx = blk_mq_unique_tag_to_tag(tag);
	struct kcbs_cmd *cmd;
	struct request *rq;
	bool crc_ok = true;
	bool match;
	int err;

	if (hwq >= vol->tag_set.nr_hw_queues || idx >= vol->tag_set.queue_depth)
		return -EPROTO;
	rq = blk_mq_tag_to_rq(vol->tag_set.tags[hwq], idx);
	if (!rq || !blk_mq_request_started(rq))
		return -EPROTO;
	cmd = blk_mq_rq_to_pdu(rq);

	/* Only this receiver resolves this replica's part of the request, so
	 * what is checked here holds until kcbs_cmd_reply() below.
	 */
	spin_lock(&cmd->lock);
	match = !cmd->ended && cmd->gen == upper_32_bits(handle) &&
		(cmd->sent & BIT(r->idx)) && !(cmd->done & BIT(r->idx));
	spin_unlock(&cmd->lock);
	if (!match)
		return -EPROTO;

	if (rep->status == cpu_to_be16(KCBS_ST_OK) && req_op(rq) == REQ_OP_READ) {
		if (len != blk_rq_bytes(rq))
			return -EPROTO;
		err = kcbs_recv_rq(sock, rq, be32_to_cpu(rep->data_crc), &crc_ok);
		if (err)
			return err;
		/* Checked: decrypted on another CPU, which answers it. */
		if (crc_ok && vol->crypt) {
			kcbs_cmd_decrypt(r, rq, cmd);
			return 0;
		}
	} else if (len) {
		return -EPROTO;
	}
	kcbs_cmd_reply(r, rq, cmd, rep, crc_ok ? 0 : -EBADMSG);
	return READ_ONCE(r->stale) ? -ESTALE : 0;
}

static void kcbs_schedule_connect(struct kcbs_replica *r, bool now)
{
	struct kcbs_volume *vol = r->vol;
	unsigned long delay = 0;

	if (READ_ONCE(vol->stopping) || READ_ONCE(r->stale) || !r->present)
		return;
	if (!now) {
		delay = msecs_to_jiffies(r->backoff_ms);
		r->backoff_ms = min(r->backoff_ms * 2, KCBS_BACKOFF_MAX_MS);
	}
	queue_delayed_work(vol->ctl_wq, &r->connect_work, delay);
}

static void kcbs_recv_work(struct work_struct *work)
{
	struct kcbs_replica *r = container_of(work, struct kcbs_replica, recv_work);
	struct kcbs_volume *vol = r->vol;
	struct kcbs_msg_rep rep;
	struct kcbs_export *e;
	unsigned int noreclaim;
	struct kcbs_conn *c;
	int err;

	c = kcbs_replica_get_conn(r);
	if (!c)
		return;

	noreclaim = memalloc_noreclaim_save();
	for (;;) {
		err = kcbs_sock_recv(c->sock, &rep, sizeof(rep));
		if (err)
			break;
		if (!kcbs_rep_valid(&rep)) {
			err = -EPROTO;
			break;
		}
		if (be64_to_cpu(rep.handle) & KCBS_HANDLE_SYNC)
			err = kcbs_sync_io_reply(r, &rep, c->sock);
		else
			err = kcbs_recv_one(r, c->sock, &rep);
		if (err)
			break;
	}
	memalloc_noreclaim_restore(noreclaim);
	if (err == -EPROTO)
		kcbs_stats_inc(&r->stats, KCBS_S_GARBAGE);

	/* From here on nobody can send on this connection: what was in flight
	 * on it is failed over, and the replica reconnects.
	 */
	spin_lock(&vol->lock);
	r->conn = NULL;
	r->connected = false;
	e = r->local;
	r->local = NULL;
	spin_unlock(&vol->lock);
	kcbs_export_put(e);
	kernel_sock_shutdown(c->sock, SHUT_RDWR);
	kcbs_conn_put(c);		/* the receiver's */
	kcbs_conn_put(c);		/* r->conn's */

	kcbs_cmd_fail_replica(r);
	kcbs_sync_io_fail(r);
	kcbs_volume_update_state(vol);
	if (!READ_ONCE(vol->stopping) && !READ_ONCE(r->stale)) {
		kcbs_stats_inc(&r->stats, KCBS_S_RECONNECTS);
		kcbs_schedule_connect(r, false);
	}
}

static int kcbs_hello(struct kcbs_replica *r, struct socket *sock, u64 *size)
{
	struct kcbs_volume *vol = r->vol;
	struct kcbs_msg_req req = {
		.magic	= cpu_to_be32(KCBS_REQ_MAGIC),
		.type	= cpu_to_be16(KCBS_MSG_HELLO),
		.offset	= cpu_to_be64(KCBS_PROTO_VERSION),
		.length	= cpu_to_be32(KCBS_HELLO_LEN),
		.epoch	= cpu_to_be64(vol->epoch),
	};
	struct kcbs_conn tmp = { .sock = sock };
	char name[KCBS_HELLO_LEN] = {};
	struct kcbs_msg_rep rep;
	int err;

	BUILD_BUG_ON(KCBS_HELLO_LEN != KCLOUD_BS_NAME_LEN);
	strscpy(name, vol->name, sizeof(name));
	req.data_crc = cpu_to_be32(kcbs_crc(~0, name, sizeof(name)));
	mutex_init(&tmp.tx_lock);
	err = kcbs_conn_send(&tmp, &req, NULL, name);
	if (!err)
		err = kcbs_sock_recv(sock, &rep, sizeof(rep));
	mutex_destroy(&tmp.tx_lock);
	if (err)
		return err;
	if (!kcbs_rep_valid(&rep) || rep.type != req.type || rep.handle || rep.length)
		return -EPROTO;
	r->target_epoch = be64_to_cpu(rep.epoch);
	switch (be16_to_cpu(rep.status)) {
	case KCBS_ST_OK:
		*size = be64_to_cpu(rep.value);
		return 0;
	case KCBS_ST_STALE:
		return -ESTALE;
	case KCBS_ST_FOREIGN:
		return -EACCES;
	default:
		return -EPROTO;
	}
}

static void kcbs_connect_work(struct work_struct *work)
{
	struct kcbs_replica *r = container_of(to_delayed_work(work), struct kcbs_replica,
					      connect_work);
	struct kcbs_volume *vol = r->vol;
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = r->addr,
		.sin_port = htons(r->port),
	};
	struct kcbs_export *e;
	struct kcbs_conn *c;
	struct socket *sock;
	u64 size = 0;
	int err;

	if (READ_ONCE(vol->stopping) || READ_ONCE(r->stale) || !r->present)
		return;
	err = sock_create_kern(vol->net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err)
		goto retry;
	sock->sk->sk_allocation = GFP_NOIO;
	sock->sk->sk_use_task_frag = false;
	sock->sk->sk_sndtimeo = KCBS_HELLO_TIMEOUT;
	sock->sk->sk_rcvtimeo = KCBS_HELLO_TIMEOUT;
	tcp_sock_set_nodelay(sock->sk);
	sock_set_keepalive(sock->sk);
	tcp_sock_set_keepidle(sock->sk, 2);
	tcp_sock_set_keepintvl(sock->sk, 1);
	tcp_sock_set_keepcnt(sock->sk, 3);

	err = kernel_connect(sock, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (!err)
		err = kcbs_hello(r, sock, &size);
	if (err == -ESTALE) {
		pr_warn("%s: replica %u: the target has a newer epoch (%llu > %llu): stale\n",
			vol->name, r->idx, r->target_epoch, vol->epoch);
		WRITE_ONCE(r->stale, true);
		sock_release(sock);
		kcbs_volume_update_state(vol);
		return;
	}
	if (err == -EACCES) {
		pr_warn_ratelimited("%s: replica %u: the target refused it: its backing store belongs to another volume\n",
				    vol->name, r->idx);
		if (!READ_ONCE(r->foreign)) {
			spin_lock(&vol->lock);
			r->foreign = true;
			spin_unlock(&vol->lock);
			kcbs_volume_update_state(vol);
		}
	}
	if (!err && size < vol->size) {
		pr_warn_ratelimited("%s: replica %u: target too small (%llu < %llu)\n",
				    vol->name, r->idx, size, vol->size);
		err = -ENOSPC;
	}
	if (err)
		goto err_sock;
	sock->sk->sk_sndtimeo = MAX_SCHEDULE_TIMEOUT;
	sock->sk->sk_rcvtimeo = MAX_SCHEDULE_TIMEOUT;

	c = kzalloc(sizeof(*c), GFP_NOIO);
	if (!c) {
		err = -ENOMEM;
		goto err_sock;
	}
	kref_init(&c->ref);		/* r->conn's; the receiver takes its own */
	mutex_init(&c->tx_lock);
	c->sock = sock;

	/* After an unclean stop the first in-sync replica is the source. */
	kcbs_meta_source(r);
	/* Its target may be served right here: then it is read locally. */
	e = kcbs_export_get(r);

	spin_lock(&vol->lock);
	if (READ_ONCE(vol->stopping)) {
		spin_unlock(&vol->lock);
		kcbs_export_put(e);
		kcbs_conn_put(c);
		return;
	}
	r->local = e;
	r->conn = c;
	r->connected = true;
	r->foreign = false;
	r->backoff_ms = KCBS_BACKOFF_MIN_MS;
	spin_unlock(&vol->lock);

	queue_work(r->recv_wq, &r->recv_work);
	kcbs_volume_update_state(vol);
	kcbs_resync_kick(vol);
	return;

err_sock:
	sock_release(sock);
retry:
	kcbs_schedule_connect(r, false);
}

/**
 * kcbs_replica_init() - set up a replica slot
 * @r: the slot
 * @vol: its volume
 * @idx: its index
 * @addr: the target's address
 * @port: the target's port
 *
 * Return: 0 or -ENOMEM.
 */
int kcbs_replica_init(struct kcbs_replica *r, struct kcbs_volume *vol, int idx,
		      __be32 addr, u16 port)
{
	memset(r, 0, sizeof(*r));
	r->dirty = kvcalloc(BITS_TO_LONGS(vol->nregions), sizeof(long), GFP_KERNEL);
	if (!r->dirty)
		return -ENOMEM;
	/*
	 * The receiver runs as long as its connection: a workqueue of its
	 * own, whose rescuer (under memory pressure, or while no worker can
	 * be created) takes only it. A rescuer runs the work items of its
	 * workqueue one after the other: behind a receiver on a shared one,
	 * the others would wait for ever.
	 */
	r->recv_wq = alloc_workqueue("kcbs-%s.%d", WQ_MEM_RECLAIM | WQ_UNBOUND | WQ_HIGHPRI,
				     1, vol->name, idx);
	if (!r->recv_wq || kcbs_stats_init(&r->stats)) {
		if (r->recv_wq)
			destroy_workqueue(r->recv_wq);
		r->recv_wq = NULL;
		kvfree(r->dirty);
		r->dirty = NULL;
		return -ENOMEM;
	}
	r->vol = vol;
	r->idx = idx;
	r->addr = addr;
	r->port = port;
	r->uptodate = true;
	r->backoff_ms = KCBS_BACKOFF_MIN_MS;
	r->last_state = KCLOUD_BS_REPLICA_CONNECTING;
	INIT_WORK(&r->recv_work, kcbs_recv_work);
	INIT_DELAYED_WORK(&r->connect_work, kcbs_connect_work);
	return 0;
}

/**
 * kcbs_replica_free() - free what kcbs_replica_init() allocated
 * @r: the slot, stopped
 */
void kcbs_replica_free(struct kcbs_replica *r)
{
	kcbs_stats_free(&r->stats);
	destroy_workqueue(r->recv_wq);
	r->recv_wq = NULL;
	kvfree(r->dirty);
	r->dirty = NULL;
}

/**
 * kcbs_replica_start() - start connecting
 * @r: the replica, present
 */
void kcbs_replica_start(struct kcbs_replica *r)
{
	kcbs_schedule_connect(r, true);
}

/**
 * kcbs_replica_stop() - close the replica's connection for good
 * @r: the replica; its volume is stopping or @r is no longer present
 *
 * What was in flight on it has been failed over when this returns.
 */
void kcbs_replica_stop(struct kcbs_replica *r)
{
	cancel_delayed_work_sync(&r->connect_work);
	kcbs_replica_kill(r);
	flush_work(&r->recv_work);
	cancel_delayed_work_sync(&r->connect_work);
	/* Local reads are not on the connection: they end on their own. */
	wait_var_event(&r->local_inflight, !atomic_read(&r->local_inflight));
}
