// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: the generic netlink family.
 */
#include <net/genetlink.h>
#include <uapi/linux/kcloud_bs.h>

#include "bs.h"

static struct genl_family kcloud_bs_family;

static const struct nla_policy kcloud_bs_policy[KCLOUD_BS_A_MAX + 1] = {
	[KCLOUD_BS_A_INFO_VERSION]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_INFO_FEATURES]	= { .type = NLA_REJECT },
};

static int kcloud_bs_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kcloud_bs_family, 0, KCLOUD_BS_CMD_GET_INFO);
	if (!hdr)
		goto nla_put_failure;

	if (nla_put_string(msg, KCLOUD_BS_A_INFO_VERSION, KCLOUD_BS_VERSION) ||
	    nla_put_u64_64bit(msg, KCLOUD_BS_A_INFO_FEATURES, KCLOUD_BS_F_INFO,
			      KCLOUD_BS_A_PAD))
		goto nla_put_failure;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_small_ops kcloud_bs_ops[] = {
	{
		.cmd	= KCLOUD_BS_CMD_GET_INFO,
		.doit	= kcloud_bs_get_info,
	},
};

static struct genl_family kcloud_bs_family __ro_after_init = {
	.name		= KCLOUD_BS_GENL_NAME,
	.version	= KCLOUD_BS_GENL_VERSION,
	.maxattr	= KCLOUD_BS_A_MAX,
	.policy		= kcloud_bs_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= kcloud_bs_ops,
	.n_small_ops	= ARRAY_SIZE(kcloud_bs_ops),
	.resv_start_op	= __KCLOUD_BS_CMD_MAX,
};

int __init kcloud_bs_genl_init(void)
{
	return genl_register_family(&kcloud_bs_family);
}

void kcloud_bs_genl_exit(void)
{
	genl_unregister_family(&kcloud_bs_family);
}
