// SPDX-License-Identifier: GPL-2.0
/*
 * Each kcloud family resolves and answers GET_INFO; requests that carry
 * attributes the command does not take, attributes past the family's
 * maximum, or unknown commands are refused with an extack message.
 */
#include <errno.h>
#include <string.h>
#include <linux/kcloud_bs.h>
#include <linux/kcloud_meter.h>
#include <linux/kcloud_vpc.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "kselftest_harness.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct reply {
	int err;
	char extack[256];
	char version[64];
	unsigned long long features;
	int replies;
	int version_attr, features_attr, maxattr;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;
	struct nlattr *tb[64];

	r->replies++;
	if (r->maxattr >= 64 || genlmsg_parse(nlmsg_hdr(msg), 0, tb, r->maxattr, NULL))
		return NL_SKIP;
	if (tb[r->version_attr])
		snprintf(r->version, sizeof(r->version), "%s", nla_get_string(tb[r->version_attr]));
	if (tb[r->features_attr])
		r->features = nla_get_u64(tb[r->features_attr]);
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct reply *r = arg;
	size_t skip = sizeof(*e);
	char *start;
	int len;

	r->err = e->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			skip += e->msg.nlmsg_len - NLMSG_HDRLEN;
		start = (char *)e + NLMSG_ALIGN(skip);
		len = (int)nlh->nlmsg_len - (int)(start - (char *)nlh);
		if (len > 0 && !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)start, len, NULL) &&
		    tb[NLMSGERR_ATTR_MSG])
			snprintf(r->extack, sizeof(r->extack), "%s",
				 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	return NL_STOP;
}

FIXTURE(family) {
	struct nl_sock *sk;
	int id;
};

FIXTURE_VARIANT(family) {
	const char *name;
	int cmd_info;
	int version_attr;
	int features_attr;
	int maxattr;
	int cmd_max;
};

FIXTURE_VARIANT_ADD(family, vpc) {
	.name = KCLOUD_VPC_GENL_NAME, .cmd_info = KCLOUD_VPC_CMD_GET_INFO,
	.version_attr = KCLOUD_VPC_A_INFO_VERSION, .features_attr = KCLOUD_VPC_A_INFO_FEATURES,
	.maxattr = KCLOUD_VPC_A_MAX, .cmd_max = KCLOUD_VPC_CMD_MAX,
};

FIXTURE_VARIANT_ADD(family, bs) {
	.name = KCLOUD_BS_GENL_NAME, .cmd_info = KCLOUD_BS_CMD_GET_INFO,
	.version_attr = KCLOUD_BS_A_INFO_VERSION, .features_attr = KCLOUD_BS_A_INFO_FEATURES,
	.maxattr = KCLOUD_BS_A_MAX, .cmd_max = KCLOUD_BS_CMD_MAX,
};

FIXTURE_VARIANT_ADD(family, meter) {
	.name = KCLOUD_METER_GENL_NAME, .cmd_info = KCLOUD_METER_CMD_GET_INFO,
	.version_attr = KCLOUD_METER_A_INFO_VERSION,
	.features_attr = KCLOUD_METER_A_INFO_FEATURES,
	.maxattr = KCLOUD_METER_A_MAX, .cmd_max = KCLOUD_METER_CMD_MAX,
};

FIXTURE_SETUP(family)
{
	int one = 1;

	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
	setsockopt(nl_socket_get_fd(self->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(self->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	self->id = genl_ctrl_resolve(self->sk, variant->name);
	ASSERT_LT(0, self->id) TH_LOG("family %s does not resolve", variant->name);
}

FIXTURE_TEARDOWN(family)
{
	nl_socket_free(self->sk);
}

/* Send cmd with one u32 attribute of type attr (none when attr is 0). */
static void request(struct nl_sock *sk, int id, int cmd, int attr, struct reply *r)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, id, 0, 0, cmd, 1);
	if (attr)
		nla_put_u32(msg, attr, 1);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_send_auto(sk, msg);
	nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	nlmsg_free(msg);
}

TEST_F(family, get_info)
{
	struct reply r = {
		.version_attr = variant->version_attr,
		.features_attr = variant->features_attr,
		.maxattr = variant->maxattr,
	};
	unsigned int a, b, c;

	request(self->sk, self->id, variant->cmd_info, 0, &r);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(1, r.replies);
	ASSERT_EQ(3, sscanf(r.version, "%u.%u.%u", &a, &b, &c)) TH_LOG("version \"%s\"", r.version);
	ASSERT_EQ(1, (int)(r.features & 1)) TH_LOG("the info feature bit is not set");
}

TEST_F(family, attr_not_taken_is_refused)
{
	struct reply r = { .maxattr = variant->maxattr };

	/* GET_INFO takes no attributes: its reply attributes are refused in a request. */
	request(self->sk, self->id, variant->cmd_info, variant->version_attr, &r);
	ASSERT_EQ(-EINVAL, r.err);
	ASSERT_NE(0, r.extack[0]) TH_LOG("no extack message");
	ASSERT_EQ(0, r.replies);
}

TEST_F(family, attr_past_max_is_refused)
{
	struct reply r = { .maxattr = variant->maxattr };

	request(self->sk, self->id, variant->cmd_info, variant->maxattr + 1, &r);
	ASSERT_EQ(-EINVAL, r.err);
	ASSERT_NE(0, r.extack[0]) TH_LOG("no extack message");
}

TEST_F(family, unknown_command_is_refused)
{
	struct reply r = { .maxattr = variant->maxattr };

	request(self->sk, self->id, variant->cmd_max + 1, 0, &r);
	ASSERT_EQ(-EOPNOTSUPP, r.err);
}

TEST_HARNESS_MAIN
