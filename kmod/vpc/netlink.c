// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: the generic netlink family: requests to objects and back,
 * and notifications of every change to the "config" multicast group.
 */
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/kcloud_vpc.h>

#include "vpc.h"

static struct genl_family vpc_genl_family;

static struct netlink_range_validation vpc_vni_range __ro_after_init = {
	.min = 1,
	.max = 0xffffff,
};

static const struct nla_policy vpc_policy[KCLOUD_VPC_A_MAX + 1] = {
	[KCLOUD_VPC_A_INFO_VERSION]	= { .type = NLA_REJECT },
	[KCLOUD_VPC_A_INFO_FEATURES]	= { .type = NLA_REJECT },
	[KCLOUD_VPC_A_VPC_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[KCLOUD_VPC_A_NAME]		= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_VPC_NAME_LEN - 1 },
	[KCLOUD_VPC_A_VNI]		= NLA_POLICY_FULL_RANGE(NLA_U32, &vpc_vni_range),
	[KCLOUD_VPC_A_ADDR]		= { .type = NLA_U32 },
	[KCLOUD_VPC_A_PREFIXLEN]	= NLA_POLICY_RANGE(NLA_U8, 8, 28),
	[KCLOUD_VPC_A_SUBNET_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[KCLOUD_VPC_A_GATEWAY]		= { .type = NLA_REJECT },
	[KCLOUD_VPC_A_IFINDEX]		= NLA_POLICY_MIN(NLA_U32, 1),
	[KCLOUD_VPC_A_IFNAME]		= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[KCLOUD_VPC_A_MAC]		= NLA_POLICY_ETH_ADDR,
	[KCLOUD_VPC_A_SRC_DST_CHECK]	= NLA_POLICY_MAX(NLA_U8, 1),
	[KCLOUD_VPC_A_UNDERLAY]		= { .type = NLA_U32 },
	[KCLOUD_VPC_A_UDP_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[KCLOUD_VPC_A_MTU]		= NLA_POLICY_RANGE(NLA_U32, 576, 9216),
	[KCLOUD_VPC_A_GUEST_MTU]	= { .type = NLA_REJECT },
	[KCLOUD_VPC_A_STATS]		= { .type = NLA_REJECT },
};

enum vpc_mcgrp {
	VPC_MCGRP_CONFIG,
};

static const struct genl_multicast_group vpc_mcgrps[] = {
	[VPC_MCGRP_CONFIG] = { .name = KCLOUD_VPC_MCGRP_CONFIG },
};

/* Why a request fails for want of an attribute: the extack message. */
static const char * const vpc_missing_msg[KCLOUD_VPC_A_MAX + 1] = {
	[KCLOUD_VPC_A_VPC_ID]	= KBUILD_MODNAME ": missing attribute VPC_ID",
	[KCLOUD_VPC_A_NAME]	= KBUILD_MODNAME ": missing attribute NAME",
	[KCLOUD_VPC_A_VNI]	= KBUILD_MODNAME ": missing attribute VNI",
	[KCLOUD_VPC_A_ADDR]	= KBUILD_MODNAME ": missing attribute ADDR",
	[KCLOUD_VPC_A_PREFIXLEN]	= KBUILD_MODNAME ": missing attribute PREFIXLEN",
	[KCLOUD_VPC_A_SUBNET_ID]	= KBUILD_MODNAME ": missing attribute SUBNET_ID",
	[KCLOUD_VPC_A_MAC]	= KBUILD_MODNAME ": missing attribute MAC",
	[KCLOUD_VPC_A_SRC_DST_CHECK]	= KBUILD_MODNAME ": missing attribute SRC_DST_CHECK",
	[KCLOUD_VPC_A_UNDERLAY]	= KBUILD_MODNAME ": missing attribute UNDERLAY",
};

/* True (and the extack set) when @type is absent from the request. */
static bool vpc_nl_missing(struct genl_info *info, int type)
{
	if (info->attrs[type])
		return false;
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
	if (info->extack)
		info->extack->_msg = vpc_missing_msg[type] ?: KBUILD_MODNAME ": missing attribute";
	return true;
}

/* ---- messages ------------------------------------------------------------ */

typedef int (*vpc_fill_t)(struct sk_buff *msg, const void *obj);

static struct sk_buff *vpc_nl_build(u8 cmd, vpc_fill_t fill, const void *obj,
				    u32 portid, u32 seq)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	hdr = genlmsg_put(msg, portid, seq, &vpc_genl_family, 0, cmd);
	if (!hdr || fill(msg, obj)) {
		nlmsg_free(msg);
		return ERR_PTR(-EMSGSIZE);
	}
	genlmsg_end(msg, hdr);
	return msg;
}

static int vpc_nl_reply(struct genl_info *info, u8 cmd, vpc_fill_t fill,
			const void *obj)
{
	struct sk_buff *msg;

	msg = vpc_nl_build(cmd, fill, obj, info->snd_portid, info->snd_seq);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

/*
 * Build a notification now (before the object may go), send it later;
 * nothing to build when nobody listens (bulk configuration).
 */
static struct sk_buff *vpc_nl_event(struct genl_info *info, u8 cmd,
				    vpc_fill_t fill, const void *obj)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&vpc_genl_family, genl_info_net(info),
				VPC_MCGRP_CONFIG))
		return NULL;
	msg = vpc_nl_build(cmd, fill, obj, 0, 0);

	return IS_ERR(msg) ? NULL : msg;
}

static void vpc_nl_send_event(struct genl_info *info, struct sk_buff *msg)
{
	if (msg)
		genlmsg_multicast_netns(&vpc_genl_family, genl_info_net(info),
					msg, 0, VPC_MCGRP_CONFIG, GFP_KERNEL);
}

static void vpc_nl_notify(struct genl_info *info, u8 cmd, vpc_fill_t fill,
			  const void *obj)
{
	vpc_nl_send_event(info, vpc_nl_event(info, cmd, fill, obj));
}

static int vpc_fill_vpc(struct sk_buff *msg, const void *obj)
{
	const struct vpc *vpc = obj;

	if (nla_put_u32(msg, KCLOUD_VPC_A_VPC_ID, vpc->id) ||
	    nla_put_string(msg, KCLOUD_VPC_A_NAME, vpc->name) ||
	    nla_put_u32(msg, KCLOUD_VPC_A_VNI, vpc->vni) ||
	    nla_put_in_addr(msg, KCLOUD_VPC_A_ADDR, vpc->addr) ||
	    nla_put_u8(msg, KCLOUD_VPC_A_PREFIXLEN, vpc->plen))
		return -EMSGSIZE;
	return 0;
}

static int vpc_fill_subnet(struct sk_buff *msg, const void *obj)
{
	const struct vpc_subnet *sn = obj;

	if (nla_put_u32(msg, KCLOUD_VPC_A_SUBNET_ID, sn->id) ||
	    nla_put_u32(msg, KCLOUD_VPC_A_VPC_ID, sn->vpc->id) ||
	    nla_put_string(msg, KCLOUD_VPC_A_NAME, sn->name) ||
	    nla_put_in_addr(msg, KCLOUD_VPC_A_ADDR, sn->addr) ||
	    nla_put_u8(msg, KCLOUD_VPC_A_PREFIXLEN, sn->plen) ||
	    nla_put_in_addr(msg, KCLOUD_VPC_A_GATEWAY, sn->gateway))
		return -EMSGSIZE;
	return 0;
}

static int vpc_fill_port(struct sk_buff *msg, const void *obj)
{
	const struct vpc_port *port = obj;
	struct vpc_stats stats;

	if (nla_put_u32(msg, KCLOUD_VPC_A_IFINDEX, port->dev->ifindex) ||
	    nla_put_string(msg, KCLOUD_VPC_A_IFNAME, port->dev->name) ||
	    nla_put_u32(msg, KCLOUD_VPC_A_VPC_ID, port->ep.key.vpc_id) ||
	    nla_put_u32(msg, KCLOUD_VPC_A_SUBNET_ID, port->ep.subnet->id) ||
	    nla_put(msg, KCLOUD_VPC_A_MAC, ETH_ALEN, port->ep.mac) ||
	    nla_put_in_addr(msg, KCLOUD_VPC_A_ADDR, port->ep.key.addr) ||
	    nla_put_u8(msg, KCLOUD_VPC_A_SRC_DST_CHECK, READ_ONCE(port->check)))
		return -EMSGSIZE;
	vpc_stats_read(port->stats, &stats);
	return vpc_stats_fill(msg, &stats, false);
}

static int vpc_fill_mapping(struct sk_buff *msg, const void *obj)
{
	const struct vpc_mapping *m = obj;

	if (nla_put_u32(msg, KCLOUD_VPC_A_VPC_ID, m->ep.key.vpc_id) ||
	    nla_put_u32(msg, KCLOUD_VPC_A_SUBNET_ID, m->ep.subnet->id) ||
	    nla_put_in_addr(msg, KCLOUD_VPC_A_ADDR, m->ep.key.addr) ||
	    nla_put(msg, KCLOUD_VPC_A_MAC, ETH_ALEN, m->ep.mac) ||
	    nla_put_in_addr(msg, KCLOUD_VPC_A_UNDERLAY, m->underlay))
		return -EMSGSIZE;
	return 0;
}

static int vpc_fill_host(struct sk_buff *msg, const void *obj)
{
	const struct vpc_net *vn = obj;
	struct vpc_stats stats;

	if (vn->host.configured &&
	    (nla_put_in_addr(msg, KCLOUD_VPC_A_ADDR, vn->host.addr) ||
	     nla_put_u16(msg, KCLOUD_VPC_A_UDP_PORT, vn->host.udp_port) ||
	     nla_put_u32(msg, KCLOUD_VPC_A_MTU, vn->host.mtu) ||
	     nla_put_u32(msg, KCLOUD_VPC_A_GUEST_MTU, vpc_guest_mtu(vn))))
		return -EMSGSIZE;
	vpc_stats_read(vn->stats, &stats);
	return vpc_stats_fill(msg, &stats, true);
}

/* Walk an xarray from cb->args[0]; @match filters on cb->args[1] (a VPC id). */
static int vpc_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
		       struct xarray *xa, u8 cmd, vpc_fill_t fill,
		       u32 (*vpc_of)(const void *obj))
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlattr *filter = info->attrs[KCLOUD_VPC_A_VPC_ID];
	struct vpc_net *vn = vpc_net(sock_net(skb->sk));
	unsigned long idx;
	void *obj, *hdr;

	mutex_lock(&vn->lock);
	xa_for_each_start(xa, idx, obj, cb->args[0]) {
		if (filter && vpc_of && vpc_of(obj) != nla_get_u32(filter))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vpc_genl_family,
				  NLM_F_MULTI, cmd);
		if (!hdr)
			goto full;
		if (fill(skb, obj)) {
			genlmsg_cancel(skb, hdr);
			goto full;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = ULONG_MAX;
	mutex_unlock(&vn->lock);
	return skb->len;

full:
	cb->args[0] = idx;
	mutex_unlock(&vn->lock);
	return skb->len;
}

/* ---- lookups from attributes ---------------------------------------------- */

static struct vpc *vpc_nl_vpc(struct vpc_net *vn, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct vpc *vpc;

	if (attrs[KCLOUD_VPC_A_VPC_ID]) {
		vpc = vpc_find(vn, nla_get_u32(attrs[KCLOUD_VPC_A_VPC_ID]), NULL);
		if (!vpc)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_VPC_A_VPC_ID],
					    "no VPC with this id");
		return vpc;
	}
	if (attrs[KCLOUD_VPC_A_NAME]) {
		vpc = vpc_find(vn, 0, nla_data(attrs[KCLOUD_VPC_A_NAME]));
		if (!vpc)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_VPC_A_NAME],
					    "no VPC with this name");
		return vpc;
	}
	NL_SET_ERR_MSG_MOD(info->extack, "missing VPC (VPC_ID or NAME)");
	return NULL;
}

static struct vpc_subnet *vpc_nl_subnet(struct vpc_net *vn,
					struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct vpc_subnet *sn;
	struct vpc *vpc;

	if (attrs[KCLOUD_VPC_A_SUBNET_ID]) {
		sn = xa_load(&vn->subnets, nla_get_u32(attrs[KCLOUD_VPC_A_SUBNET_ID]));
		if (!sn)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_VPC_A_SUBNET_ID],
					    "no subnet with this id");
		return sn;
	}
	if (vpc_nl_missing(info, KCLOUD_VPC_A_ADDR) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_PREFIXLEN))
		return NULL;
	/* The name names the VPC here, unless VPC_ID does. */
	vpc = vpc_nl_vpc(vn, info);
	if (!vpc)
		return NULL;
	sn = vpc_subnet_find(vn, vpc, nla_get_in_addr(attrs[KCLOUD_VPC_A_ADDR]),
			     nla_get_u8(attrs[KCLOUD_VPC_A_PREFIXLEN]));
	if (!sn)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_VPC_A_ADDR],
				    "no subnet with this CIDR in the VPC");
	return sn;
}

static struct net_device *vpc_nl_dev(struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct net *net = genl_info_net(info);
	struct net_device *dev;

	ASSERT_RTNL();
	if (attrs[KCLOUD_VPC_A_IFINDEX]) {
		dev = __dev_get_by_index(net, nla_get_u32(attrs[KCLOUD_VPC_A_IFINDEX]));
		if (!dev)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_VPC_A_IFINDEX],
					    "no netdev with this index in the namespace");
		return dev;
	}
	if (attrs[KCLOUD_VPC_A_IFNAME]) {
		dev = __dev_get_by_name(net, nla_data(attrs[KCLOUD_VPC_A_IFNAME]));
		if (!dev)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_VPC_A_IFNAME],
					    "no netdev with this name in the namespace");
		return dev;
	}
	NL_SET_ERR_MSG_MOD(info->extack, "missing netdev (IFINDEX or IFNAME)");
	return NULL;
}

static struct vpc_port *vpc_nl_port(struct vpc_net *vn, struct genl_info *info)
{
	struct net_device *dev = vpc_nl_dev(info);
	struct vpc_port *port;

	if (!dev)
		return NULL;
	port = xa_load(&vn->ports, dev->ifindex);
	if (!port)
		NL_SET_ERR_MSG_MOD(info->extack, "netdev is not a port");
	return port;
}

static struct vpc_mapping *vpc_nl_mapping(struct vpc_net *vn,
					  struct genl_info *info)
{
	struct nlattr *addr = info->attrs[KCLOUD_VPC_A_ADDR];
	struct vpc_mapping *m;
	struct vpc *vpc;

	if (vpc_nl_missing(info, KCLOUD_VPC_A_ADDR))
		return NULL;
	vpc = vpc_nl_vpc(vn, info);
	if (!vpc)
		return NULL;
	m = vpc_mapping_find(vn, vpc, nla_get_in_addr(addr));
	if (!m)
		NL_SET_ERR_MSG_ATTR(info->extack, addr, "no mapping of this address in the VPC");
	return m;
}

static int vpc_nl_check_mac(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KCLOUD_VPC_A_MAC];

	if (!is_valid_ether_addr(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "MAC is not a unicast address");
		return -EINVAL;
	}
	if (ether_addr_equal(nla_data(attr), vpc_gw_mac)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "MAC is the gateway's");
		return -EINVAL;
	}
	return 0;
}

/* ---- info ------------------------------------------------------------------ */

static int vpc_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &vpc_genl_family, 0, KCLOUD_VPC_CMD_GET_INFO);
	if (!hdr)
		goto nla_put_failure;

	if (nla_put_string(msg, KCLOUD_VPC_A_INFO_VERSION, KCLOUD_VPC_VERSION) ||
	    nla_put_u64_64bit(msg, KCLOUD_VPC_A_INFO_FEATURES,
			      KCLOUD_VPC_F_INFO | KCLOUD_VPC_F_OBJECTS |
			      KCLOUD_VPC_F_DATAPATH | KCLOUD_VPC_F_DHCP |
			      KCLOUD_VPC_F_GENEVE,
			      KCLOUD_VPC_A_PAD))
		goto nla_put_failure;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- VPCs ------------------------------------------------------------------ */

static int vpc_nl_add_vpc(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct vpc *vpc;
	int err;

	if (vpc_nl_missing(info, KCLOUD_VPC_A_NAME) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_VNI) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_ADDR) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_PREFIXLEN))
		return -EINVAL;
	if (attrs[KCLOUD_VPC_A_VPC_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_VPC_A_VPC_ID],
				    "the kernel chooses VPC ids");
		return -EINVAL;
	}

	mutex_lock(&vn->lock);
	vpc = vpc_add(vn, nla_data(attrs[KCLOUD_VPC_A_NAME]),
		      nla_get_u32(attrs[KCLOUD_VPC_A_VNI]),
		      nla_get_in_addr(attrs[KCLOUD_VPC_A_ADDR]),
		      nla_get_u8(attrs[KCLOUD_VPC_A_PREFIXLEN]), info->extack);
	if (IS_ERR(vpc)) {
		err = PTR_ERR(vpc);
		goto out;
	}
	vpc_nl_notify(info, KCLOUD_VPC_CMD_ADD_VPC, vpc_fill_vpc, vpc);
	err = vpc_nl_reply(info, KCLOUD_VPC_CMD_ADD_VPC, vpc_fill_vpc, vpc);
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_del_vpc(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct sk_buff *event;
	struct vpc *vpc;
	int err = -ENOENT;

	mutex_lock(&vn->lock);
	vpc = vpc_nl_vpc(vn, info);
	if (!vpc)
		goto out;
	event = vpc_nl_event(info, KCLOUD_VPC_CMD_DEL_VPC, vpc_fill_vpc, vpc);
	err = vpc_del(vn, vpc, info->extack);
	if (err)
		nlmsg_free(event);
	else
		vpc_nl_send_event(info, event);
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_set_vpc(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct nlattr *name = info->attrs[KCLOUD_VPC_A_NAME];
	struct vpc *vpc, *other;
	int err = -ENOENT;

	if (vpc_nl_missing(info, KCLOUD_VPC_A_VPC_ID))
		return -EINVAL;
	mutex_lock(&vn->lock);
	vpc = vpc_nl_vpc(vn, info);
	if (!vpc)
		goto out;
	if (name) {
		other = vpc_find(vn, 0, nla_data(name));
		if (other && other != vpc) {
			NL_SET_ERR_MSG_ATTR(info->extack, name, "a VPC with this name exists");
			err = -EEXIST;
			goto out;
		}
		err = vpc_rename(vn, vpc, nla_data(name), info->extack);
		if (err)
			goto out;
	}
	vpc_nl_notify(info, KCLOUD_VPC_CMD_SET_VPC, vpc_fill_vpc, vpc);
	err = 0;
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_get_vpc(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc *vpc;
	int err = -ENOENT;

	mutex_lock(&vn->lock);
	vpc = vpc_nl_vpc(vn, info);
	if (vpc)
		err = vpc_nl_reply(info, KCLOUD_VPC_CMD_GET_VPC, vpc_fill_vpc, vpc);
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_dump_vpc(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpc_net *vn = vpc_net(sock_net(skb->sk));

	return vpc_nl_dump(skb, cb, &vn->vpcs, KCLOUD_VPC_CMD_GET_VPC,
			   vpc_fill_vpc, NULL);
}

/* ---- subnets --------------------------------------------------------------- */

static u32 vpc_subnet_vpc(const void *obj)
{
	return ((const struct vpc_subnet *)obj)->vpc->id;
}

static int vpc_nl_add_subnet(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct vpc_subnet *sn;
	struct vpc *vpc;
	int err = -ENOENT;

	if (vpc_nl_missing(info, KCLOUD_VPC_A_VPC_ID) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_ADDR) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_PREFIXLEN))
		return -EINVAL;
	if (nla_get_u8(attrs[KCLOUD_VPC_A_PREFIXLEN]) < 16) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_VPC_A_PREFIXLEN],
				    "a subnet is /16 to /28");
		return -EINVAL;
	}

	mutex_lock(&vn->lock);
	vpc = vpc_nl_vpc(vn, info);
	if (!vpc)
		goto out;
	sn = vpc_subnet_add(vn, vpc, nla_get_in_addr(attrs[KCLOUD_VPC_A_ADDR]),
			    nla_get_u8(attrs[KCLOUD_VPC_A_PREFIXLEN]),
			    attrs[KCLOUD_VPC_A_NAME] ?
			    nla_data(attrs[KCLOUD_VPC_A_NAME]) : NULL,
			    info->extack);
	if (IS_ERR(sn)) {
		err = PTR_ERR(sn);
		goto out;
	}
	vpc_nl_notify(info, KCLOUD_VPC_CMD_ADD_SUBNET, vpc_fill_subnet, sn);
	err = vpc_nl_reply(info, KCLOUD_VPC_CMD_ADD_SUBNET, vpc_fill_subnet, sn);
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_del_subnet(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc_subnet *sn;
	struct sk_buff *event;
	int err = -ENOENT;

	mutex_lock(&vn->lock);
	sn = vpc_nl_subnet(vn, info);
	if (!sn)
		goto out;
	event = vpc_nl_event(info, KCLOUD_VPC_CMD_DEL_SUBNET, vpc_fill_subnet, sn);
	err = vpc_subnet_del(vn, sn, info->extack);
	if (err)
		nlmsg_free(event);
	else
		vpc_nl_send_event(info, event);
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_set_subnet(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc_subnet *sn;
	int err = -ENOENT;

	if (vpc_nl_missing(info, KCLOUD_VPC_A_SUBNET_ID) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_NAME))
		return -EINVAL;
	mutex_lock(&vn->lock);
	sn = vpc_nl_subnet(vn, info);
	if (!sn)
		goto out;
	strscpy(sn->name, nla_data(info->attrs[KCLOUD_VPC_A_NAME]), sizeof(sn->name));
	vpc_nl_notify(info, KCLOUD_VPC_CMD_SET_SUBNET, vpc_fill_subnet, sn);
	err = 0;
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_get_subnet(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc_subnet *sn;
	int err = -ENOENT;

	mutex_lock(&vn->lock);
	sn = vpc_nl_subnet(vn, info);
	if (sn)
		err = vpc_nl_reply(info, KCLOUD_VPC_CMD_GET_SUBNET, vpc_fill_subnet, sn);
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_dump_subnet(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpc_net *vn = vpc_net(sock_net(skb->sk));

	return vpc_nl_dump(skb, cb, &vn->subnets, KCLOUD_VPC_CMD_GET_SUBNET,
			   vpc_fill_subnet, vpc_subnet_vpc);
}

/* ---- ports ----------------------------------------------------------------- */

static u32 vpc_port_vpc(const void *obj)
{
	return ((const struct vpc_port *)obj)->ep.key.vpc_id;
}

static int vpc_nl_add_port(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct net_device *dev;
	struct vpc_subnet *sn;
	struct vpc_port *port;
	struct vpc *vpc;
	bool check = true;
	int err = -ENOENT;

	if (vpc_nl_missing(info, KCLOUD_VPC_A_MAC) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_ADDR))
		return -EINVAL;
	err = vpc_nl_check_mac(info);
	if (err)
		return err;
	if (attrs[KCLOUD_VPC_A_SRC_DST_CHECK])
		check = nla_get_u8(attrs[KCLOUD_VPC_A_SRC_DST_CHECK]);

	rtnl_lock();
	mutex_lock(&vn->lock);
	err = -ENOENT;
	dev = vpc_nl_dev(info);
	if (!dev)
		goto out;
	vpc = vpc_nl_vpc(vn, info);
	if (!vpc)
		goto out;
	sn = vpc_subnet_for_host(vn, vpc, nla_get_in_addr(attrs[KCLOUD_VPC_A_ADDR]),
				 attrs[KCLOUD_VPC_A_ADDR], info->extack);
	if (IS_ERR(sn)) {
		err = PTR_ERR(sn);
		goto out;
	}
	port = vpc_port_add(vn, dev, sn, nla_get_in_addr(attrs[KCLOUD_VPC_A_ADDR]),
			    nla_data(attrs[KCLOUD_VPC_A_MAC]), check, info->extack);
	if (IS_ERR(port)) {
		err = PTR_ERR(port);
		goto out;
	}
	vpc_nl_notify(info, KCLOUD_VPC_CMD_ADD_PORT, vpc_fill_port, port);
	err = vpc_nl_reply(info, KCLOUD_VPC_CMD_ADD_PORT, vpc_fill_port, port);
out:
	mutex_unlock(&vn->lock);
	rtnl_unlock();
	return err;
}

static int vpc_nl_del_port(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc_port *port;
	struct sk_buff *event;
	int err = -ENOENT;

	rtnl_lock();
	mutex_lock(&vn->lock);
	port = vpc_nl_port(vn, info);
	if (port) {
		event = vpc_nl_event(info, KCLOUD_VPC_CMD_DEL_PORT, vpc_fill_port, port);
		vpc_port_del(port);
		vpc_nl_send_event(info, event);
		err = 0;
	}
	mutex_unlock(&vn->lock);
	rtnl_unlock();
	return err;
}

static int vpc_nl_set_port(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc_port *port;
	int err = -ENOENT;

	if (vpc_nl_missing(info, KCLOUD_VPC_A_SRC_DST_CHECK))
		return -EINVAL;
	rtnl_lock();
	mutex_lock(&vn->lock);
	port = vpc_nl_port(vn, info);
	if (port) {
		WRITE_ONCE(port->check,
			   nla_get_u8(info->attrs[KCLOUD_VPC_A_SRC_DST_CHECK]));
		vpc_nl_notify(info, KCLOUD_VPC_CMD_SET_PORT, vpc_fill_port, port);
		err = 0;
	}
	mutex_unlock(&vn->lock);
	rtnl_unlock();
	return err;
}

static int vpc_nl_get_port(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc_port *port;
	int err = -ENOENT;

	rtnl_lock();
	mutex_lock(&vn->lock);
	port = vpc_nl_port(vn, info);
	if (port)
		err = vpc_nl_reply(info, KCLOUD_VPC_CMD_GET_PORT, vpc_fill_port, port);
	mutex_unlock(&vn->lock);
	rtnl_unlock();
	return err;
}

static int vpc_nl_dump_port(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpc_net *vn = vpc_net(sock_net(skb->sk));

	return vpc_nl_dump(skb, cb, &vn->ports, KCLOUD_VPC_CMD_GET_PORT,
			   vpc_fill_port, vpc_port_vpc);
}

/* ---- mappings -------------------------------------------------------------- */

static u32 vpc_mapping_vpc(const void *obj)
{
	return ((const struct vpc_mapping *)obj)->ep.key.vpc_id;
}

static int vpc_nl_check_underlay(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KCLOUD_VPC_A_UNDERLAY];
	__be32 addr = nla_get_in_addr(attr);

	if (ipv4_is_zeronet(addr) || ipv4_is_multicast(addr) ||
	    ipv4_is_lbcast(addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "underlay address is not unicast");
		return -EINVAL;
	}
	return 0;
}

static int vpc_nl_add_mapping(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct vpc_mapping *m;
	struct vpc_subnet *sn;
	struct vpc *vpc;
	int err;

	if (vpc_nl_missing(info, KCLOUD_VPC_A_ADDR) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_MAC) ||
	    vpc_nl_missing(info, KCLOUD_VPC_A_UNDERLAY))
		return -EINVAL;
	err = vpc_nl_check_mac(info);
	if (!err)
		err = vpc_nl_check_underlay(info);
	if (err)
		return err;

	mutex_lock(&vn->lock);
	err = -ENOENT;
	vpc = vpc_nl_vpc(vn, info);
	if (!vpc)
		goto out;
	sn = vpc_subnet_for_host(vn, vpc, nla_get_in_addr(attrs[KCLOUD_VPC_A_ADDR]),
				 attrs[KCLOUD_VPC_A_ADDR], info->extack);
	if (IS_ERR(sn)) {
		err = PTR_ERR(sn);
		goto out;
	}
	m = vpc_mapping_add(vn, sn, nla_get_in_addr(attrs[KCLOUD_VPC_A_ADDR]),
			    nla_data(attrs[KCLOUD_VPC_A_MAC]),
			    nla_get_in_addr(attrs[KCLOUD_VPC_A_UNDERLAY]),
			    info->extack);
	if (IS_ERR(m)) {
		err = PTR_ERR(m);
		goto out;
	}
	vpc_nl_notify(info, KCLOUD_VPC_CMD_ADD_MAPPING, vpc_fill_mapping, m);
	err = 0;
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_del_mapping(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc_mapping *m;
	struct sk_buff *event;
	int err = -ENOENT;

	mutex_lock(&vn->lock);
	m = vpc_nl_mapping(vn, info);
	if (m) {
		event = vpc_nl_event(info, KCLOUD_VPC_CMD_DEL_MAPPING, vpc_fill_mapping, m);
		vpc_mapping_del(vn, m);
		vpc_nl_send_event(info, event);
		err = 0;
	}
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_set_mapping(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	__be32 underlay = 0;
	struct vpc_mapping *m;
	const u8 *mac = NULL;
	int err;

	if (!attrs[KCLOUD_VPC_A_MAC] && !attrs[KCLOUD_VPC_A_UNDERLAY]) {
		NL_SET_ERR_MSG_MOD(info->extack, "nothing to set (MAC, UNDERLAY)");
		return -EINVAL;
	}
	if (attrs[KCLOUD_VPC_A_MAC]) {
		err = vpc_nl_check_mac(info);
		if (err)
			return err;
		mac = nla_data(attrs[KCLOUD_VPC_A_MAC]);
	}
	if (attrs[KCLOUD_VPC_A_UNDERLAY]) {
		err = vpc_nl_check_underlay(info);
		if (err)
			return err;
		underlay = nla_get_in_addr(attrs[KCLOUD_VPC_A_UNDERLAY]);
	}

	mutex_lock(&vn->lock);
	err = -ENOENT;
	m = vpc_nl_mapping(vn, info);
	if (!m)
		goto out;
	m = vpc_mapping_set(vn, m, mac, underlay);
	if (IS_ERR(m)) {
		err = PTR_ERR(m);
		goto out;
	}
	vpc_nl_notify(info, KCLOUD_VPC_CMD_SET_MAPPING, vpc_fill_mapping, m);
	err = 0;
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_get_mapping(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct vpc_mapping *m;
	int err = -ENOENT;

	mutex_lock(&vn->lock);
	m = vpc_nl_mapping(vn, info);
	if (m)
		err = vpc_nl_reply(info, KCLOUD_VPC_CMD_GET_MAPPING, vpc_fill_mapping, m);
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_dump_mapping(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpc_net *vn = vpc_net(sock_net(skb->sk));

	return vpc_nl_dump(skb, cb, &vn->mappings, KCLOUD_VPC_CMD_GET_MAPPING,
			   vpc_fill_mapping, vpc_mapping_vpc);
}

/* ---- host ------------------------------------------------------------------ */

static int vpc_nl_host(struct sk_buff *skb, struct genl_info *info, bool add)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct nlattr *addr = attrs[KCLOUD_VPC_A_ADDR];
	u16 udp_port;
	int err;

	if (add && vpc_nl_missing(info, KCLOUD_VPC_A_ADDR))
		return -EINVAL;
	if (addr && (ipv4_is_zeronet(nla_get_in_addr(addr)) ||
		     ipv4_is_multicast(nla_get_in_addr(addr)) ||
		     ipv4_is_lbcast(nla_get_in_addr(addr)))) {
		NL_SET_ERR_MSG_ATTR(info->extack, addr, "underlay address is not unicast");
		return -EINVAL;
	}

	mutex_lock(&vn->lock);
	err = 0;
	if (add && vn->host.configured) {
		NL_SET_ERR_MSG_MOD(info->extack, "the host is set up already (use set)");
		err = -EEXIST;
	} else if (!add && !vn->host.configured) {
		NL_SET_ERR_MSG_MOD(info->extack, "the host is not set up (use add)");
		err = -ENOENT;
	}
	if (err)
		goto out;

	udp_port = attrs[KCLOUD_VPC_A_UDP_PORT] ?
		   nla_get_u16(attrs[KCLOUD_VPC_A_UDP_PORT]) :
		   (add ? KCLOUD_VPC_GENEVE_PORT : vn->host.udp_port);
	err = vpc_geneve_open(vn, udp_port, info->extack);
	if (err)
		goto out;
	WRITE_ONCE(vn->host.udp_port, udp_port);
	if (addr)
		WRITE_ONCE(vn->host.addr, nla_get_in_addr(addr));
	if (attrs[KCLOUD_VPC_A_MTU])
		WRITE_ONCE(vn->host.mtu, nla_get_u32(attrs[KCLOUD_VPC_A_MTU]));
	else if (add)
		WRITE_ONCE(vn->host.mtu, ETH_DATA_LEN);
	vn->host.configured = true;
	vpc_nl_notify(info, add ? KCLOUD_VPC_CMD_ADD_HOST : KCLOUD_VPC_CMD_SET_HOST,
		      vpc_fill_host, vn);
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vpc_nl_add_host(struct sk_buff *skb, struct genl_info *info)
{
	return vpc_nl_host(skb, info, true);
}

static int vpc_nl_set_host(struct sk_buff *skb, struct genl_info *info)
{
	return vpc_nl_host(skb, info, false);
}

static int vpc_nl_del_host(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	struct sk_buff *event;

	mutex_lock(&vn->lock);
	if (!vn->host.configured) {
		mutex_unlock(&vn->lock);
		NL_SET_ERR_MSG_MOD(info->extack, "the host is not set up");
		return -ENOENT;
	}
	event = vpc_nl_event(info, KCLOUD_VPC_CMD_DEL_HOST, vpc_fill_host, vn);
	vn->host.configured = false;
	WRITE_ONCE(vn->host.addr, 0);
	WRITE_ONCE(vn->host.mtu, ETH_DATA_LEN);
	mutex_unlock(&vn->lock);

	vpc_geneve_close(vn);
	vpc_nl_send_event(info, event);
	return 0;
}

static int vpc_nl_get_host(struct sk_buff *skb, struct genl_info *info)
{
	struct vpc_net *vn = vpc_net(genl_info_net(info));
	int err;

	mutex_lock(&vn->lock);
	err = vpc_nl_reply(info, KCLOUD_VPC_CMD_GET_HOST, vpc_fill_host, vn);
	mutex_unlock(&vn->lock);
	return err;
}

/* ---- the family ------------------------------------------------------------ */

#define VPC_OP(_cmd, _doit)						\
	{ .cmd = KCLOUD_VPC_CMD_##_cmd, .doit = _doit,			\
	  .flags = GENL_UNS_ADMIN_PERM }
#define VPC_GET_OP(_cmd, _doit, _dumpit)				\
	{ .cmd = KCLOUD_VPC_CMD_##_cmd, .doit = _doit, .dumpit = _dumpit }

static const struct genl_small_ops vpc_genl_ops[] = {
	VPC_GET_OP(GET_INFO, vpc_nl_get_info, NULL),
	VPC_OP(ADD_VPC, vpc_nl_add_vpc),
	VPC_OP(DEL_VPC, vpc_nl_del_vpc),
	VPC_OP(SET_VPC, vpc_nl_set_vpc),
	VPC_GET_OP(GET_VPC, vpc_nl_get_vpc, vpc_nl_dump_vpc),
	VPC_OP(ADD_SUBNET, vpc_nl_add_subnet),
	VPC_OP(DEL_SUBNET, vpc_nl_del_subnet),
	VPC_OP(SET_SUBNET, vpc_nl_set_subnet),
	VPC_GET_OP(GET_SUBNET, vpc_nl_get_subnet, vpc_nl_dump_subnet),
	VPC_OP(ADD_PORT, vpc_nl_add_port),
	VPC_OP(DEL_PORT, vpc_nl_del_port),
	VPC_OP(SET_PORT, vpc_nl_set_port),
	VPC_GET_OP(GET_PORT, vpc_nl_get_port, vpc_nl_dump_port),
	VPC_OP(ADD_MAPPING, vpc_nl_add_mapping),
	VPC_OP(DEL_MAPPING, vpc_nl_del_mapping),
	VPC_OP(SET_MAPPING, vpc_nl_set_mapping),
	VPC_GET_OP(GET_MAPPING, vpc_nl_get_mapping, vpc_nl_dump_mapping),
	VPC_OP(ADD_HOST, vpc_nl_add_host),
	VPC_OP(DEL_HOST, vpc_nl_del_host),
	VPC_OP(SET_HOST, vpc_nl_set_host),
	VPC_GET_OP(GET_HOST, vpc_nl_get_host, NULL),
};

static struct genl_family vpc_genl_family __ro_after_init = {
	.name		= KCLOUD_VPC_GENL_NAME,
	.version	= KCLOUD_VPC_GENL_VERSION,
	.maxattr	= KCLOUD_VPC_A_MAX,
	.policy		= vpc_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= vpc_genl_ops,
	.n_small_ops	= ARRAY_SIZE(vpc_genl_ops),
	.resv_start_op	= __KCLOUD_VPC_CMD_MAX,
	.mcgrps		= vpc_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vpc_mcgrps),
};

/**
 * vpc_genl_init() - register the kcloud_vpc family
 *
 * Return: 0 or a negative errno.
 */
int __init vpc_genl_init(void)
{
	return genl_register_family(&vpc_genl_family);
}

/**
 * vpc_genl_exit() - unregister the family
 */
void vpc_genl_exit(void)
{
	genl_unregister_family(&vpc_genl_family);
}
