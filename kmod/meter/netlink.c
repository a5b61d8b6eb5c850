// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_meter: the generic netlink family. Requests are parsed and checked
 * here; the objects live in instance.c and the ledger in ledger.c.
 */
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/sock.h>
#include <net/genetlink.h>
#include <uapi/linux/kcloud_meter.h>

#include "meter.h"

static struct genl_family kcloud_meter_family;

enum kcm_mcgrp {
	KCM_MCGRP_MONITOR,
};

static const struct genl_multicast_group kcm_mcgrps[] = {
	[KCM_MCGRP_MONITOR] = { .name = KCLOUD_METER_MCGRP_MONITOR },
};

static struct netlink_range_validation kcm_id_range = {
	.min = 1,
	.max = INT_MAX,
};

static struct netlink_range_validation kcm_since_range = {
	.min = 1,
	.max = (u64)KCLOUD_METER_RING_60S * 60,
};

static struct netlink_range_validation kcm_memory_range = {
	.min = 0,
	.max = 1ULL << 50,
};

/* Inside KCLOUD_METER_A_INST_PORTS and _VOLUMES. */
static const struct nla_policy kcm_list_policy[KCLOUD_METER_A_MAX + 1] = {
	[KCLOUD_METER_A_INST_PORT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kcm_id_range),
	[KCLOUD_METER_A_INST_VOLUME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_METER_NAME_MAX - 1 },
};

static const struct nla_policy kcloud_meter_policy[KCLOUD_METER_A_MAX + 1] = {
	[KCLOUD_METER_A_INFO_VERSION]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INFO_FEATURES]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kcm_id_range),
	[KCLOUD_METER_A_INST_NAME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_METER_NAME_MAX - 1 },
	[KCLOUD_METER_A_INST_TENANT]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_METER_NAME_MAX - 1 },
	[KCLOUD_METER_A_INST_CGROUP_PATH] = { .type = NLA_NUL_STRING,
					      .len = KCLOUD_METER_PATH_MAX - 1 },
	[KCLOUD_METER_A_INST_CGROUP_ID]	= NLA_POLICY_MIN(NLA_U64, 1),
	[KCLOUD_METER_A_INST_VCPUS]	= NLA_POLICY_RANGE(NLA_U32, 1, KCLOUD_METER_VCPUS_MAX),
	[KCLOUD_METER_A_INST_MEMORY]	= NLA_POLICY_FULL_RANGE(NLA_U64, &kcm_memory_range),
	[KCLOUD_METER_A_INST_PORT]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_VOLUME]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_PORTS]	= NLA_POLICY_NESTED(kcm_list_policy),
	[KCLOUD_METER_A_INST_VOLUMES]	= NLA_POLICY_NESTED(kcm_list_policy),
	[KCLOUD_METER_A_INST_HANDLE]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_START]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_INST_STATS]	= { .type = NLA_REJECT },
	[KCLOUD_METER_A_USAGE_RES]	= NLA_POLICY_RANGE(NLA_U32, 1, 60),
	[KCLOUD_METER_A_USAGE_SINCE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kcm_since_range),
	[KCLOUD_METER_A_USAGE_TIME]	= { .type = NLA_REJECT },
};

static int kcm_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kcloud_meter_family, 0, KCLOUD_METER_CMD_GET_INFO);
	if (!hdr)
		goto nla_put_failure;

	if (nla_put_string(msg, KCLOUD_METER_A_INFO_VERSION, KCLOUD_METER_VERSION) ||
	    nla_put_u64_64bit(msg, KCLOUD_METER_A_INFO_FEATURES,
			      KCLOUD_METER_F_INFO | KCLOUD_METER_F_INSTANCE |
			      KCLOUD_METER_F_NET_KFUNC | KCLOUD_METER_F_LEDGER,
			      KCLOUD_METER_A_PAD))
		goto nla_put_failure;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- replies ------------------------------------------------------------ */

static int kcm_put_stats(struct sk_buff *skb, const struct kcm_sample *s,
			 const struct kcm_snap *net, u64 refused, bool total)
{
	struct nlattr *nest, *n;
	int d, c;

	nest = nla_nest_start(skb, KCLOUD_METER_A_INST_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_CPU_USAGE_US,
			      s->cpu_user_us + s->cpu_system_us, KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_CPU_USER_US, s->cpu_user_us,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_CPU_SYSTEM_US, s->cpu_system_us,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_MEM_CURRENT, s->mem_current,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_MEM_PEAK, s->mem_peak,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_MEM_BYTE_SEC, s->mem_byte_sec,
			      KCLOUD_METER_STAT_A_PAD) ||
	    nla_put_u32(skb, KCLOUD_METER_STAT_A_SECONDS, s->seconds))
		goto cancel;
	if (total && nla_put_u64_64bit(skb, KCLOUD_METER_STAT_A_NET_REFUSED, refused,
				       KCLOUD_METER_STAT_A_PAD))
		goto cancel;
	for (d = 0; d < KCM_NDIR; d++) {
		for (c = 0; c < KCM_NCLASS; c++) {
			n = nla_nest_start(skb, KCLOUD_METER_STAT_A_NET);
			if (!n ||
			    nla_put_u8(skb, KCLOUD_METER_NET_A_DIR, d) ||
			    nla_put_u8(skb, KCLOUD_METER_NET_A_CLASS, c) ||
			    nla_put_u64_64bit(skb, KCLOUD_METER_NET_A_BYTES,
					      net ? net->net_bytes[d][c] : s->net_bytes[d][c],
					      KCLOUD_METER_NET_A_PAD) ||
			    nla_put_u64_64bit(skb, KCLOUD_METER_NET_A_PACKETS,
					      net ? net->net_packets[d][c] : s->net_packets[d][c],
					      KCLOUD_METER_NET_A_PAD))
				goto cancel;
			nla_nest_end(skb, n);
		}
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int kcm_fill_instance(struct sk_buff *skb, struct kcm_instance *inst,
			     u32 portid, u32 seq, int flags, u8 cmd, bool stats)
{
	struct kcm_sample total;
	struct nlattr *list;
	struct kcm_snap net;
	void *hdr;
	u32 i;

	hdr = genlmsg_put(skb, portid, seq, &kcloud_meter_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KCLOUD_METER_A_INST_ID, inst->id) ||
	    nla_put_string(skb, KCLOUD_METER_A_INST_NAME, inst->name))
		goto cancel;
	if (cmd == KCLOUD_METER_CMD_INSTANCE_DEL)
		goto done;
	if (nla_put_string(skb, KCLOUD_METER_A_INST_TENANT, inst->tenant) ||
	    nla_put_u32(skb, KCLOUD_METER_A_INST_VCPUS, inst->vcpus) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_INST_MEMORY, inst->memory,
			      KCLOUD_METER_A_PAD) ||
	    nla_put_u32(skb, KCLOUD_METER_A_INST_HANDLE, inst->handle) ||
	    nla_put_u64_64bit(skb, KCLOUD_METER_A_INST_START, inst->start,
			      KCLOUD_METER_A_PAD))
		goto cancel;
	if (inst->cgrp &&
	    (nla_put_u64_64bit(skb, KCLOUD_METER_A_INST_CGROUP_ID, cgroup_id(inst->cgrp),
			       KCLOUD_METER_A_PAD) ||
	     nla_put_string(skb, KCLOUD_METER_A_INST_CGROUP_PATH, inst->cgroup_path)))
		goto cancel;
	list = nla_nest_start(skb, KCLOUD_METER_A_INST_PORTS);
	if (!list)
		goto cancel;
	for (i = 0; i < inst->nports; i++)
		if (nla_put_u32(skb, KCLOUD_METER_A_INST_PORT, inst->ports[i]))
			goto cancel;
	nla_nest_end(skb, list);
	list = nla_nest_start(skb, KCLOUD_METER_A_INST_VOLUMES);
	if (!list)
		goto cancel;
	for (i = 0; i < inst->nvolumes; i++)
		if (nla_put_string(skb, KCLOUD_METER_A_INST_VOLUME, inst->volumes[i]))
			goto cancel;
	nla_nest_end(skb, list);
	if (stats) {
		kcm_ledger_totals(inst, &total);
		kcm_instance_net_counters(inst, &net);
		if (kcm_put_stats(skb, &total, &net, atomic64_read(&inst->net_refused), true))
			goto cancel;
	}
done:
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static void kcm_notify(struct kcm_instance *inst, u8 cmd)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (kcm_fill_instance(msg, inst, 0, 0, 0, cmd, false)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&kcloud_meter_family, inst->kn->net, msg, 0,
				KCM_MCGRP_MONITOR, GFP_KERNEL);
}

/* ---- requests ----------------------------------------------------------- */

/* What an ADD or SET request asks for, checked before anything changes. */
struct kcm_req {
	u32 nports;
	u32 ports[KCLOUD_METER_PORTS_MAX];
	u32 nvolumes;
	char (*volumes)[KCLOUD_METER_NAME_MAX];
	bool has_ports;
	bool has_volumes;
};

static int kcm_parse_ports(struct net *net, struct nlattr *list,
			   struct netlink_ext_ack *extack, struct kcm_req *req)
{
	struct nlattr *nla;
	u32 i, ifindex;
	int rem;

	nla_for_each_nested(nla, list, rem) {
		if (nla_type(nla) != KCLOUD_METER_A_INST_PORT) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "only ports in the port list");
			return -EINVAL;
		}
		if (req->nports == KCLOUD_METER_PORTS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many ports");
			return -E2BIG;
		}
		ifindex = nla_get_u32(nla);
		for (i = 0; i < req->nports; i++) {
			if (req->ports[i] == ifindex) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "port given twice");
				return -EINVAL;
			}
		}
		rcu_read_lock();
		if (!dev_get_by_index_rcu(net, ifindex)) {
			rcu_read_unlock();
			NL_SET_ERR_MSG_ATTR(extack, nla, "no device with this ifindex");
			return -ENOENT;
		}
		rcu_read_unlock();
		req->ports[req->nports++] = ifindex;
	}
	req->has_ports = true;
	return 0;
}

static int kcm_parse_volumes(struct nlattr *list, struct netlink_ext_ack *extack,
			     struct kcm_req *req)
{
	struct nlattr *nla;
	int rem;
	u32 i;

	req->volumes = kcalloc(KCLOUD_METER_VOLUMES_MAX, sizeof(*req->volumes), GFP_KERNEL);
	if (!req->volumes)
		return -ENOMEM;
	nla_for_each_nested(nla, list, rem) {
		if (nla_type(nla) != KCLOUD_METER_A_INST_VOLUME) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "only volumes in the volume list");
			return -EINVAL;
		}
		if (req->nvolumes == KCLOUD_METER_VOLUMES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many volumes");
			return -E2BIG;
		}
		if (!((char *)nla_data(nla))[0]) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "empty volume name");
			return -EINVAL;
		}
		for (i = 0; i < req->nvolumes; i++) {
			if (!strcmp(req->volumes[i], nla_data(nla))) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "volume given twice");
				return -EINVAL;
			}
		}
		nla_strscpy(req->volumes[req->nvolumes++], nla, KCLOUD_METER_NAME_MAX);
	}
	req->has_volumes = true;
	return 0;
}

static int kcm_parse_lists(struct net *net, struct genl_info *info, struct kcm_req *req)
{
	int err = 0;

	memset(req, 0, sizeof(*req));
	if (info->attrs[KCLOUD_METER_A_INST_PORTS])
		err = kcm_parse_ports(net, info->attrs[KCLOUD_METER_A_INST_PORTS],
				      info->extack, req);
	if (!err && info->attrs[KCLOUD_METER_A_INST_VOLUMES])
		err = kcm_parse_volumes(info->attrs[KCLOUD_METER_A_INST_VOLUMES],
					info->extack, req);
	return err;
}

static int kcm_check_cgroup_attrs(struct genl_info *info)
{
	if (info->attrs[KCLOUD_METER_A_INST_CGROUP_PATH] &&
	    info->attrs[KCLOUD_METER_A_INST_CGROUP_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_METER_A_INST_CGROUP_ID],
				    "give a cgroup path or a cgroup id, not both");
		return -EINVAL;
	}
	return 0;
}

static int kcm_check_name(struct genl_info *info, struct nlattr *attr)
{
	if (attr && !((char *)nla_data(attr))[0]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "empty name");
		return -EINVAL;
	}
	return 0;
}

/* Apply a checked request to an instance (new or existing). */
static int kcm_apply(struct kcm_instance *inst, struct genl_info *info, struct kcm_req *req)
{
	struct nlattr **attrs = info->attrs;
	int err;

	if (attrs[KCLOUD_METER_A_INST_NAME]) {
		struct kcm_instance *other;

		other = kcm_instance_find_name(inst->kn,
					       nla_data(attrs[KCLOUD_METER_A_INST_NAME]));
		if (other && other != inst) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KCLOUD_METER_A_INST_NAME],
					    "an instance with this name exists");
			return -EEXIST;
		}
	}
	/* The cgroup is the last thing that can fail: resolve it first. */
	if (attrs[KCLOUD_METER_A_INST_CGROUP_PATH] || attrs[KCLOUD_METER_A_INST_CGROUP_ID]) {
		struct nlattr *a = attrs[KCLOUD_METER_A_INST_CGROUP_PATH];

		struct nlattr *b = attrs[KCLOUD_METER_A_INST_CGROUP_ID];

		err = kcm_instance_set_cgroup(inst, a ? nla_data(a) : NULL,
					      a ? 0 : nla_get_u64(b), info->extack);
		if (err) {
			NL_SET_BAD_ATTR(info->extack, a ? a : b);
			return err;
		}
	}
	if (attrs[KCLOUD_METER_A_INST_NAME])
		kcm_instance_set_name(inst, nla_data(attrs[KCLOUD_METER_A_INST_NAME]),
				      info->extack);
	if (attrs[KCLOUD_METER_A_INST_TENANT])
		nla_strscpy(inst->tenant, attrs[KCLOUD_METER_A_INST_TENANT],
			    sizeof(inst->tenant));
	if (attrs[KCLOUD_METER_A_INST_VCPUS])
		inst->vcpus = nla_get_u32(attrs[KCLOUD_METER_A_INST_VCPUS]);
	if (attrs[KCLOUD_METER_A_INST_MEMORY])
		inst->memory = nla_get_u64(attrs[KCLOUD_METER_A_INST_MEMORY]);
	if (req->has_ports) {
		memcpy(inst->ports, req->ports, sizeof(inst->ports));
		inst->nports = req->nports;
	}
	if (req->has_volumes) {
		kfree(inst->volumes);
		inst->volumes = req->volumes;
		inst->nvolumes = req->nvolumes;
		req->volumes = NULL;
	}
	return 0;
}

static int kcm_instance_add(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct kcm_net *kn = kcm_net(net);
	struct kcm_instance *inst;
	struct kcm_req req;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_INST_ID) ||
	    GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_INST_NAME))
		return -EINVAL;
	err = kcm_check_name(info, info->attrs[KCLOUD_METER_A_INST_NAME]);
	if (!err)
		err = kcm_check_cgroup_attrs(info);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	err = kcm_parse_lists(net, info, &req);
	if (err)
		goto out;
	if (kcm_instance_find(kn, nla_get_u32(info->attrs[KCLOUD_METER_A_INST_ID]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_METER_A_INST_ID],
				    "an instance with this id exists");
		err = -EEXIST;
		goto out;
	}
	inst = kcm_instance_alloc(kn, nla_get_u32(info->attrs[KCLOUD_METER_A_INST_ID]));
	if (!inst) {
		err = -ENOMEM;
		goto out;
	}
	err = kcm_apply(inst, info, &req);
	if (!err)
		err = kcm_instance_publish(inst, info->extack);
	if (err) {
		kcm_instance_destroy(inst);
		goto out;
	}
	kcm_notify(inst, KCLOUD_METER_CMD_INSTANCE_ADD);
out:
	mutex_unlock(&kn->lock);
	kfree(req.volumes);
	return err;
}

/* The instance named by ID or NAME in a request; kcm_net::lock held. */
static struct kcm_instance *kcm_lookup(struct kcm_net *kn, struct genl_info *info)
{
	struct nlattr *id = info->attrs[KCLOUD_METER_A_INST_ID];
	struct nlattr *name = info->attrs[KCLOUD_METER_A_INST_NAME];
	struct kcm_instance *inst;

	if (id) {
		inst = kcm_instance_find(kn, nla_get_u32(id));
		if (!inst)
			NL_SET_ERR_MSG_ATTR(info->extack, id, "no instance with this id");
	} else if (name) {
		inst = kcm_instance_find_name(kn, nla_data(name));
		if (!inst)
			NL_SET_ERR_MSG_ATTR(info->extack, name, "no instance with this name");
	} else {
		NL_SET_ERR_MSG_MOD(info->extack, "instance id or name required");
		return ERR_PTR(-EINVAL);
	}
	return inst ? inst : ERR_PTR(-ENOENT);
}

static int kcm_instance_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct kcm_instance *inst;
	int err = 0;

	mutex_lock(&kn->lock);
	inst = kcm_lookup(kn, info);
	if (IS_ERR(inst)) {
		err = PTR_ERR(inst);
	} else {
		kcm_notify(inst, KCLOUD_METER_CMD_INSTANCE_DEL);
		kcm_instance_destroy(inst);
	}
	mutex_unlock(&kn->lock);
	return err;
}

static int kcm_instance_set(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct kcm_net *kn = kcm_net(net);
	struct kcm_instance *inst;
	struct kcm_req req = {};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_METER_A_INST_ID))
		return -EINVAL;
	err = kcm_check_name(info, info->attrs[KCLOUD_METER_A_INST_NAME]);
	if (!err)
		err = kcm_check_cgroup_attrs(info);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	inst = kcm_instance_find(kn, nla_get_u32(info->attrs[KCLOUD_METER_A_INST_ID]));
	if (!inst) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_METER_A_INST_ID],
				    "no instance with this id");
		err = -ENOENT;
		goto out;
	}
	err = kcm_parse_lists(net, info, &req);
	if (!err)
		err = kcm_apply(inst, info, &req);
	if (!err)
		kcm_notify(inst, KCLOUD_METER_CMD_INSTANCE_SET);
out:
	mutex_unlock(&kn->lock);
	kfree(req.volumes);
	return err;
}

static int kcm_get_instance_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcm_net *kn = kcm_net(genl_info_net(info));
	struct kcm_instance *inst;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&kn->lock);
	inst = kcm_lookup(kn, info);
	if (IS_ERR(inst))
		err = PTR_ERR(inst);
	else
		err = kcm_fill_instance(msg, inst, info->snd_portid, info->snd_seq, 0,
					KCLOUD_METER_CMD_GET_INSTANCE, true);
	mutex_unlock(&kn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int kcm_get_instance_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcm_net *kn = kcm_net(sock_net(skb->sk));
	struct kcm_instance *inst;
	unsigned long id;
	int err = 0;

	mutex_lock(&kn->lock);
	xa_for_each_start(&kn->instances, id, inst, cb->args[0]) {
		err = kcm_fill_instance(skb, inst, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					KCLOUD_METER_CMD_GET_INSTANCE, true);
		if (err)
			break;
		cb->args[0] = id + 1;
	}
	mutex_unlock(&kn->lock);
	if (err && !skb->len)
		return err;
	return skb->len;
}

/*
 * GET_USAGE dump state: args[0] the next instance id, args[1] the next
 * sample index in it (0: start from the oldest wanted).
 */
static int kcm_get_usage_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct kcm_net *kn = kcm_net(sock_net(skb->sk));
	struct nlattr **attrs = di->attrs;
	u32 res = 1, len, since, only = 0;
	time64_t now = ktime_get_real_seconds();
	struct kcm_instance *inst;
	unsigned long id;
	int err = 0;

	if (attrs[KCLOUD_METER_A_USAGE_RES]) {
		res = nla_get_u32(attrs[KCLOUD_METER_A_USAGE_RES]);
		if (res != 1 && res != 60) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[KCLOUD_METER_A_USAGE_RES],
					    "resolution must be 1 or 60 seconds");
			return -EINVAL;
		}
	}
	len = res == 60 ? KCLOUD_METER_RING_60S : KCLOUD_METER_RING_1S;
	since = len * res;
	if (attrs[KCLOUD_METER_A_USAGE_SINCE])
		since = min(since, nla_get_u32(attrs[KCLOUD_METER_A_USAGE_SINCE]));
	if (attrs[KCLOUD_METER_A_INST_ID])
		only = nla_get_u32(attrs[KCLOUD_METER_A_INST_ID]);

	mutex_lock(&kn->lock);
	if (only && !cb->args[0] && !kcm_instance_find(kn, only)) {
		mutex_unlock(&kn->lock);
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[KCLOUD_METER_A_INST_ID],
				    "no instance with this id");
		return -ENOENT;
	}
	xa_for_each_start(&kn->instances, id, inst, max_t(unsigned long, cb->args[0], only)) {
		u64 first = div_u64(now - since, res), last = div_u64(now, res), idx;

		if (only && id != only)
			break;
		idx = max_t(u64, first, cb->args[1]);
		for (; idx <= last; idx++) {
			const struct kcm_sample *s = kcm_ledger_sample(inst, res, idx);
			void *hdr;

			if (!s)
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
					  &kcloud_meter_family, NLM_F_MULTI,
					  KCLOUD_METER_CMD_GET_USAGE);
			if (!hdr ||
			    nla_put_u32(skb, KCLOUD_METER_A_INST_ID, inst->id) ||
			    nla_put_string(skb, KCLOUD_METER_A_INST_NAME, inst->name) ||
			    nla_put_u32(skb, KCLOUD_METER_A_USAGE_RES, res) ||
			    nla_put_u64_64bit(skb, KCLOUD_METER_A_USAGE_TIME, idx * res,
					      KCLOUD_METER_A_PAD) ||
			    kcm_put_stats(skb, s, NULL, 0, false)) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				err = -EMSGSIZE;
				break;
			}
			genlmsg_end(skb, hdr);
		}
		if (err) {
			cb->args[0] = id;
			cb->args[1] = idx;
			break;
		}
		cb->args[0] = id + 1;
		cb->args[1] = 0;
	}
	mutex_unlock(&kn->lock);
	if (err && !skb->len)
		return err;
	return skb->len;
}

static const struct genl_small_ops kcloud_meter_ops[] = {
	{
		.cmd	= KCLOUD_METER_CMD_GET_INFO,
		.doit	= kcm_get_info,
	},
	{
		.cmd	= KCLOUD_METER_CMD_INSTANCE_ADD,
		.doit	= kcm_instance_add,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_INSTANCE_DEL,
		.doit	= kcm_instance_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_INSTANCE_SET,
		.doit	= kcm_instance_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_METER_CMD_GET_INSTANCE,
		.doit	= kcm_get_instance_doit,
		.dumpit	= kcm_get_instance_dumpit,
	},
	{
		.cmd	= KCLOUD_METER_CMD_GET_USAGE,
		.dumpit	= kcm_get_usage_dumpit,
	},
};

static struct genl_family kcloud_meter_family __ro_after_init = {
	.name		= KCLOUD_METER_GENL_NAME,
	.version	= KCLOUD_METER_GENL_VERSION,
	.maxattr	= KCLOUD_METER_A_MAX,
	.policy		= kcloud_meter_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= kcloud_meter_ops,
	.n_small_ops	= ARRAY_SIZE(kcloud_meter_ops),
	.resv_start_op	= __KCLOUD_METER_CMD_MAX,
	.mcgrps		= kcm_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kcm_mcgrps),
};

int __init kcloud_meter_genl_init(void)
{
	return genl_register_family(&kcloud_meter_family);
}

void kcloud_meter_genl_exit(void)
{
	genl_unregister_family(&kcloud_meter_family);
}
