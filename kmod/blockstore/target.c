// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: the target role. A TCP listener in the namespace the target
 * was added in, serving one backing file or block device; one worker per
 * connection reads a request, does it on the backing store and answers.
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

struct kcbs_tconn {
	struct list_head node;		/* kcbs_target.conns */
	struct kcbs_target *t;
	struct socket *sock;
	struct work_struct work;
	void *buf;			/* KCBS_MAX_PAYLOAD bytes */
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
	if (type < KCBS_MSG_HELLO || type > KCBS_MSG_ZERO)
		return false;
	if (be16_to_cpu(req->flags) & ~KCBS_MSG_F_FUA)
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

	if (len) {
		rep.data_crc = cpu_to_be32(kcbs_crc(~0, data, len));
		/* The fault hook damages the wire copy only: the volume must
		 * see the mismatch and ask again.
		 */
		if (kcbs_fault_hit())
			((u8 *)data)[len / 2] ^= 0x10;
	}
	rep.hdr_crc = cpu_to_be32(kcbs_crc(~0, &rep, KCBS_REP_CRC_LEN));
	return kcbs_sock_send_kvec(c->sock, vec, len ? 2 : 1, sizeof(rep) + len);
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
	return len && off < t->size && len <= t->size - off;
}

/*
 * Zero a range of the backing store: a block device's own zeroing (which
 * falls back to writing zeroes), a hole in a file, or zeroes written.
 */
static int kcbs_target_zero(struct kcbs_tconn *c, u64 off, u32 len)
{
	struct kcbs_target *t = c->t;
	loff_t pos = off;
	int err;

	err = vfs_fallocate(t->file, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len);
	if (err)
		err = vfs_fallocate(t->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    off, len);
	if (!err)
		return 0;
	memset(c->buf, 0, len);
	return kernel_write(t->file, c->buf, len, &pos) == len ? 0 : -EIO;
}

/* Serve one request; a negative return closes the connection. */
static int kcbs_tconn_serve(struct kcbs_tconn *c, const struct kcbs_msg_req *req,
			    bool *hello)
{
	struct kcbs_target *t = c->t;
	u16 type = be16_to_cpu(req->type);
	u64 off = be64_to_cpu(req->offset);
	u32 len = be32_to_cpu(req->length);
	u64 epoch = be64_to_cpu(req->epoch);
	u64 start = ktime_get_ns();
	loff_t pos = off;
	ssize_t done;
	int err;

	if (type == KCBS_MSG_WRITE) {
		if (!len)
			return -EPROTO;
		err = kcbs_sock_recv(c->sock, c->buf, len);
		if (err)
			return err;
		if (kcbs_fault_hit())
			((u8 *)c->buf)[len / 2] ^= 0x01;
	} else if (type != KCBS_MSG_READ && type != KCBS_MSG_ZERO && len) {
		return -EPROTO;
	}

	if (type == KCBS_MSG_HELLO) {
		if (off != KCBS_PROTO_VERSION)
			return kcbs_tconn_reply(c, req, KCBS_ST_INVAL, 0, NULL, 0) ?: -EPROTO;
		if (!kcbs_target_epoch(t, epoch)) {
			kcbs_stats_inc(&t->stats, KCBS_S_STALE);
			kcbs_tconn_reply(c, req, KCBS_ST_STALE, 0, NULL, 0);
			return -ESTALE;
		}
		*hello = true;
		return kcbs_tconn_reply(c, req, KCBS_ST_OK, t->size, NULL, 0);
	}
	if (!*hello)
		return -EPROTO;
	if (epoch < (u64)atomic64_read(&t->epoch)) {
		kcbs_stats_inc(&t->stats, KCBS_S_STALE);
		return kcbs_tconn_reply(c, req, KCBS_ST_STALE, 0, NULL, 0);
	}

	switch (type) {
	case KCBS_MSG_READ:
		if (!kcbs_in_range(t, off, len))
			return kcbs_tconn_reply(c, req, KCBS_ST_RANGE, 0, NULL, 0);
		done = kernel_read(t->file, c->buf, len, &pos);
		if (done != len) {
			kcbs_stats_inc(&t->stats, KCBS_S_ERRORS);
			return kcbs_tconn_reply(c, req, KCBS_ST_EIO, 0, NULL, 0);
		}
		kcbs_stats_io(&t->stats, type, len, ktime_get_ns() - start);
		return kcbs_tconn_reply(c, req, KCBS_ST_OK, 0, c->buf, len);
	case KCBS_MSG_WRITE:
		if (be32_to_cpu(req->data_crc) != kcbs_crc(~0, c->buf, len)) {
			kcbs_stats_inc(&t->stats, KCBS_S_CRC_ERRORS);
			return kcbs_tconn_reply(c, req, KCBS_ST_BADCRC, 0, NULL, 0);
		}
		if (!kcbs_in_range(t, off, len))
			return kcbs_tconn_reply(c, req, KCBS_ST_RANGE, 0, NULL, 0);
		done = kernel_write(t->file, c->buf, len, &pos);
		err = done == len ? 0 : -EIO;
		if (!err && (be16_to_cpu(req->flags) & KCBS_MSG_F_FUA))
			err = vfs_fsync_range(t->file, off, off + len - 1, 1);
		break;
	case KCBS_MSG_FLUSH:
		err = vfs_fsync(t->file, 0);
		break;
	case KCBS_MSG_ZERO:
		if (!kcbs_in_range(t, off, len))
			return kcbs_tconn_reply(c, req, KCBS_ST_RANGE, 0, NULL, 0);
		err = kcbs_target_zero(c, off, len);
		break;
	default:
		return -EPROTO;
	}
	if (err) {
		kcbs_stats_inc(&t->stats, KCBS_S_ERRORS);
		return kcbs_tconn_reply(c, req, KCBS_ST_EIO, 0, NULL, 0);
	}
	kcbs_stats_io(&t->stats, type, len, ktime_get_ns() - start);
	return kcbs_tconn_reply(c, req, KCBS_ST_OK, 0, NULL, 0);
}

static void kcbs_tconn_work(struct work_struct *work)
{
	struct kcbs_tconn *c = container_of(work, struct kcbs_tconn, work);
	struct kcbs_target *t = c->t;
	struct kcbs_msg_req req;
	unsigned int noio;
	bool hello = false;
	int err;

	/* A volume may sit on this very host: do not recurse into it. */
	noio = memalloc_noio_save();
	for (;;) {
		err = kcbs_sock_recv(c->sock, &req, sizeof(req));
		if (err)
			break;
		if (!kcbs_req_valid(&req)) {
			kcbs_stats_inc(&t->stats, KCBS_S_GARBAGE);
			break;
		}
		err = kcbs_tconn_serve(c, &req, &hello);
		if (err == -EPROTO)
			kcbs_stats_inc(&t->stats, KCBS_S_GARBAGE);
		if (err)
			break;
	}
	memalloc_noio_restore(noio);

	mutex_lock(&t->conns_lock);
	list_del(&c->node);
	t->nconns--;
	mutex_unlock(&t->conns_lock);
	kernel_sock_shutdown(c->sock, SHUT_RDWR);
	sock_release(c->sock);
	kvfree(c->buf);
	kfree(c);
}

static void kcbs_accept_work(struct work_struct *work)
{
	struct kcbs_target *t = container_of(work, struct kcbs_target, accept_work);
	struct kcbs_tconn *c;
	struct socket *sock;

	while (!READ_ONCE(t->stopping)) {
		if (kernel_accept(t->listen, &sock, 0))
			break;
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (c)
			c->buf = kvmalloc(KCBS_MAX_PAYLOAD, GFP_KERNEL);
		if (!c || !c->buf) {
			kfree(c);
			sock_release(sock);
			continue;
		}
		sock->sk->sk_allocation = GFP_NOIO;
		tcp_sock_set_nodelay(sock->sk);
		c->t = t;
		c->sock = sock;
		INIT_WORK(&c->work, kcbs_tconn_work);

		mutex_lock(&t->conns_lock);
		if (t->stopping) {
			mutex_unlock(&t->conns_lock);
			sock_release(sock);
			kvfree(c->buf);
			kfree(c);
			break;
		}
		list_add(&c->node, &t->conns);
		t->nconns++;
		queue_work(t->wq, &c->work);
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
 * @extack: where to say why it failed
 *
 * Context: kcbs_lock held.
 * Return: the target, listed in @net, or an ERR_PTR().
 */
struct kcbs_target *kcbs_target_create(struct net *net, const char *name,
				       const char *path, __be32 addr, u16 port,
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
	INIT_LIST_HEAD(&t->conns);
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
	if (t->size < SZ_1M) {
		err = -EINVAL;
		NL_SET_ERR_MSG_MOD(extack, "the backing store is smaller than 1 MiB");
		goto err_file;
	}

	t->wq = alloc_workqueue("kcbs-t-%s", WQ_UNBOUND | WQ_MEM_RECLAIM, 0, t->name);
	if (!t->wq) {
		err = -ENOMEM;
		goto err_file;
	}
	err = kcbs_target_listen(t, extack);
	if (err)
		goto err_wq;
	queue_work(t->wq, &t->accept_work);
	list_add_tail(&t->node, &kn->targets);
	return t;

err_wq:
	destroy_workqueue(t->wq);
err_file:
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
	destroy_workqueue(t->wq);
	sock_release(t->listen);
	filp_close(t->file, NULL);
	kcbs_stats_free(&t->stats);
	kfree(t);
}
