// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: generic netlink requests, dumps and events on libnl-genl-3, with
 * the kernel's extended ack message as the error text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "kcloud.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct kc_nl {
	struct nl_sock *sk;
	int family_id;
	char family[GENL_NAMSIZ];
	char extack[256];
};

struct kc_nl_req {
	struct kc_nl *nl;
	kc_nl_cb cb;
	void *arg;
	int maxattr;
	int err;
	bool done;
};

static struct kc_nl *kc_nl_do_open(const char *family, bool quiet)
{
	struct kc_nl *nl;
	int one = 1, err;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		kc_err("out of memory");
		return NULL;
	}
	snprintf(nl->family, sizeof(nl->family), "%s", family);
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		kc_err("out of memory");
		goto err_free;
	}
	err = genl_connect(nl->sk);
	if (err) {
		kc_err("cannot open a generic netlink socket: %s", nl_geterror(err));
		goto err_sock;
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_set_msg_buf_size(nl->sk, 65536);
	nl_socket_enable_msg_peek(nl->sk);
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 1 << 20);

	nl->family_id = genl_ctrl_resolve(nl->sk, family);
	if (nl->family_id < 0) {
		if (!quiet)
			kc_err("the kernel has no generic netlink family \"%s\" (is %s.ko loaded?)",
		       family, family);
		goto err_sock;
	}
	return nl;

err_sock:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	return NULL;
}

struct kc_nl *kc_nl_open(const char *family)
{
	return kc_nl_do_open(family, false);
}

struct kc_nl *kc_nl_open_quiet(const char *family)
{
	return kc_nl_do_open(family, true);
}

void kc_nl_close(struct kc_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

int kc_nl_family_id(struct kc_nl *nl)
{
	return nl->family_id;
}

struct nl_sock *kc_nl_sock(struct kc_nl *nl)
{
	return nl->sk;
}

const char *kc_nl_extack(struct kc_nl *nl)
{
	return nl->extack;
}

struct nl_msg *kc_nl_msg(struct kc_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(65536);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family_id, 0, flags, cmd, 1)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int kc_nl_nested(struct nlattr *nest, int maxattr, struct nlattr **tb)
{
	return nla_parse_nested(tb, maxattr, nest, NULL) ? -EINVAL : 0;
}

static int kc_nl_valid(struct nl_msg *msg, void *arg)
{
	struct kc_nl_req *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *tb[req->maxattr + 1];
	int err;

	if (!req->cb)
		return NL_OK;
	if (genlmsg_parse(nlh, 0, tb, req->maxattr, NULL)) {
		req->err = -EBADMSG;
		return NL_STOP;
	}
	err = req->cb(gnlh->cmd, tb, req->arg);
	if (err < 0) {
		req->err = err;
		return NL_STOP;
	}
	if (err > 0) {
		req->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

/* Pick the extack message out of an NLMSG_ERROR, if the kernel sent one. */
static void kc_nl_parse_extack(struct kc_nl *nl, struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t skip = sizeof(*e);
	char *start;
	int len;

	nl->extack[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		skip += e->msg.nlmsg_len - NLMSG_HDRLEN;
	start = (char *)e + NLMSG_ALIGN(skip);
	len = (int)nlh->nlmsg_len - (int)(start - (char *)nlh);
	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)start, len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->extack, sizeof(nl->extack), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int kc_nl_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct kc_nl_req *req = arg;

	kc_nl_parse_extack(req->nl, e);
	req->err = e->error;
	req->done = true;
	return NL_STOP;
}

static int kc_nl_finish(struct nl_msg *msg, void *arg)
{
	struct kc_nl_req *req = arg;

	req->done = true;
	return NL_STOP;
}

static int kc_nl_run(struct kc_nl *nl, struct nl_msg *msg, int maxattr,
		     kc_nl_cb cb, void *arg, bool quiet)
{
	struct kc_nl_req req = {
		.nl = nl, .cb = cb, .arg = arg, .maxattr = maxattr,
	};
	struct nl_cb *nlcb;
	int err;

	nl->extack[0] = '\0';
	if (!msg) {
		if (!quiet)
			kc_err("out of memory");
		return -ENOMEM;
	}

	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, kc_nl_valid, &req);
	nl_cb_set(nlcb, NL_CB_FINISH, NL_CB_CUSTOM, kc_nl_finish, &req);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, kc_nl_finish, &req);
	nl_cb_err(nlcb, NL_CB_CUSTOM, kc_nl_error, &req);

	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		req.err = -EIO;
		goto out;
	}
	while (!req.done && !req.err) {
		err = nl_recvmsgs(nl->sk, nlcb);
		if (err < 0 && !req.err)
			req.err = -EIO;
	}
out:
	nl_cb_put(nlcb);
	if (req.err && !quiet) {
		if (nl->extack[0])
			kc_err("%s", nl->extack);
		else
			kc_err("%s", strerror(-req.err));
	}
	return req.err;
}

int kc_nl_request(struct kc_nl *nl, struct nl_msg *msg, int maxattr, kc_nl_cb cb, void *arg)
{
	return kc_nl_run(nl, msg, maxattr, cb, arg, false);
}

int kc_nl_request_quiet(struct kc_nl *nl, struct nl_msg *msg, int maxattr,
			kc_nl_cb cb, void *arg)
{
	return kc_nl_run(nl, msg, maxattr, cb, arg, true);
}

int kc_nl_subscribe(struct kc_nl *nl, const char *group)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, nl->family, group);

	if (grp < 0) {
		kc_err("family %s has no multicast group \"%s\"", nl->family, group);
		return -ENOENT;
	}
	nl_socket_disable_seq_check(nl->sk);
	return nl_socket_add_membership(nl->sk, grp) ? -EIO : 0;
}

static int kc_nl_no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

int kc_nl_listen(struct kc_nl *nl, int maxattr, kc_nl_cb cb, void *arg)
{
	struct kc_nl_req req = {
		.nl = nl, .cb = cb, .arg = arg, .maxattr = maxattr,
	};
	struct nl_cb *nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	int err = 0;

	if (!nlcb)
		return -ENOMEM;
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, kc_nl_valid, &req);
	/* Events carry sequence number 0: a fresh nl_cb would check it. */
	nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, kc_nl_no_seq_check, NULL);
	while (!req.err) {
		err = nl_recvmsgs(nl->sk, nlcb);
		if (err < 0 && err != -NLE_INTR) {
			req.err = -EIO;
			break;
		}
		/* A callback that returned > 0 asked to stop. */
		if (err == 0 && req.err == 0 && req.done)
			break;
	}
	nl_cb_put(nlcb);
	return req.err;
}
