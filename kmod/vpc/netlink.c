// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: the generic netlink family.
 */
#include <net/genetlink.h>
#include <uapi/linux/kcloud_vpc.h>

#include "vpc.h"

static struct genl_family kcloud_vpc_family;

static const struct nla_policy kcloud_vpc_policy[KCLOUD_VPC_A_MAX + 1] = {
	[KCLOUD_VPC_A_INFO_VERSION]	= { .type = NLA_REJECT },
	[KCLOUD_VPC_A_INFO_FEATURES]	= { .type = NLA_REJECT },
};

static int kcloud_vpc_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kcloud_vpc_family, 0, KCLOUD_VPC_CMD_GET_INFO);
	if (!hdr)
		goto nla_put_failure;

	if (nla_put_string(msg, KCLOUD_VPC_A_INFO_VERSION, KCLOUD_VPC_VERSION) ||
	    nla_put_u64_64bit(msg, KCLOUD_VPC_A_INFO_FEATURES, KCLOUD_VPC_F_INFO,
			      KCLOUD_VPC_A_PAD))
		goto nla_put_failure;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_small_ops kcloud_vpc_ops[] = {
	{
		.cmd	= KCLOUD_VPC_CMD_GET_INFO,
		.doit	= kcloud_vpc_get_info,
	},
};

static struct genl_family kcloud_vpc_family __ro_after_init = {
	.name		= KCLOUD_VPC_GENL_NAME,
	.version	= KCLOUD_VPC_GENL_VERSION,
	.maxattr	= KCLOUD_VPC_A_MAX,
	.policy		= kcloud_vpc_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= kcloud_vpc_ops,
	.n_small_ops	= ARRAY_SIZE(kcloud_vpc_ops),
	.resv_start_op	= __KCLOUD_VPC_CMD_MAX,
};

int __init kcloud_vpc_genl_init(void)
{
	return genl_register_family(&kcloud_vpc_family);
}

void kcloud_vpc_genl_exit(void)
{
	genl_unregister_family(&kcloud_vpc_family);
}
