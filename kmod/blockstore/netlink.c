// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: the generic netlink family: targets, volumes, replicas, and
 * the "events" multicast group. See include/uapi/linux/kcloud_bs.h.
 */
#include <linux/log2.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <uapi/linux/kcloud_bs.h>

#include "bs.h"

static struct genl_family kcbs_family;

#define KCBS_FEATURES	(KCLOUD_BS_F_INFO | KCLOUD_BS_F_TARGET | KCLOUD_BS_F_VOLUME | \
			 KCLOUD_BS_F_REPLICA | KCLOUD_BS_F_RESYNC | KCLOUD_BS_F_EVENTS | \
			 KCLOUD_BS_F_DISCARD | KCLOUD_BS_F_REPLACE | KCLOUD_BS_F_IDENTITY | \
			 KCLOUD_BS_F_ATTACH | KCLOUD_BS_F_LIMITS | \
			 KCLOUD_BS_F_RESIZE | KCLOUD_BS_F_SNAPSHOT | KCBS_CRYPT_FEATURE)

static struct netlink_range_validation kcbs_size_range = {
	.min = SZ_1M, .max = U64_MAX,
};

static struct netlink_range_validation kcbs_region_range = {
	.min = SZ_4K, .max = KCBS_MAX_PAYLOAD,
};

static struct netlink_range_validation kcbs_timeout_range = {
	.min = 500, .max = 600000,
};

static const struct nla_policy kcbs_replica_policy[KCLOUD_BS_REPLICA_A_MAX + 1] = {
	[KCLOUD_BS_REPLICA_A_ADDR]	= { .type = NLA_BE32 },
	[KCLOUD_BS_REPLICA_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[KCLOUD_BS_REPLICA_A_INDEX]	= NLA_POLICY_MAX(NLA_U8, KCLOUD_BS_MAX_REPLICAS - 1),
	[KCLOUD_BS_REPLICA_A_STATE]	= { .type = NLA_REJECT },
	[KCLOUD_BS_REPLICA_A_DIRTY]	= { .type = NLA_REJECT },
	[KCLOUD_BS_REPLICA_A_EPOCH]	= { .type = NLA_REJECT },
	[KCLOUD_BS_REPLICA_A_STATS]	= { .type = NLA_REJECT },
	[KCLOUD_BS_REPLICA_A_PAD]	= { .type = NLA_REJECT },
	[KCLOUD_BS_REPLICA_A_LOCAL]	= { .type = NLA_REJECT },
};

/* A volume's key: exactly 32 or 64 bytes, and the extack says so. */
static int kcbs_validate_key(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == 32 || nla_len(attr) == 64)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "the key must be 32 bytes (AES-128-XTS) or 64 bytes (AES-256-XTS)");
	return -EINVAL;
}

static const struct nla_policy kcbs_policy[KCLOUD_BS_A_MAX + 1] = {
	[KCLOUD_BS_A_INFO_VERSION]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_INFO_FEATURES]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_PAD]		= { .type = NLA_REJECT },
	[KCLOUD_BS_A_TARGET_NAME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_BS_NAME_LEN - 1 },
	[KCLOUD_BS_A_TARGET_PATH]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_BS_PATH_LEN - 1 },
	[KCLOUD_BS_A_TARGET_ADDR]	= { .type = NLA_BE32 },
	[KCLOUD_BS_A_TARGET_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[KCLOUD_BS_A_TARGET_SIZE]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_TARGET_EPOCH]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_TARGET_CONNS]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_VOLUME_NAME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_BS_NAME_LEN - 1 },
	[KCLOUD_BS_A_VOLUME_SIZE]	= NLA_POLICY_FULL_RANGE(NLA_U64, &kcbs_size_range),
	[KCLOUD_BS_A_VOLUME_DISK]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_VOLUME_QUORUM]	= NLA_POLICY_RANGE(NLA_U8, 1, KCLOUD_BS_MAX_REPLICAS),
	[KCLOUD_BS_A_VOLUME_REGION_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &kcbs_region_range),
	[KCLOUD_BS_A_VOLUME_EPOCH]	= NLA_POLICY_MIN(NLA_U64, 1),
	[KCLOUD_BS_A_VOLUME_RESYNC_RATE] = { .type = NLA_U32 },
	[KCLOUD_BS_A_VOLUME_TIMEOUT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &kcbs_timeout_range),
	[KCLOUD_BS_A_VOLUME_STATE]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_VOLUME_REPLICAS]	= NLA_POLICY_NESTED_ARRAY(kcbs_replica_policy),
	[KCLOUD_BS_A_REPLICA]		= NLA_POLICY_NESTED(kcbs_replica_policy),
	[KCLOUD_BS_A_STATS]		= { .type = NLA_REJECT },
	[KCLOUD_BS_A_EVENT]		= { .type = NLA_REJECT },
	[KCLOUD_BS_A_VOLUME_META]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_BS_PATH_LEN - 1 },
	[KCLOUD_BS_A_VOLUME_FORCE]	= { .type = NLA_FLAG },
	[KCLOUD_BS_A_TARGET_META]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_BS_PATH_LEN - 1 },
	[KCLOUD_BS_A_TARGET_VOLUME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_BS_NAME_LEN - 1 },
	[KCLOUD_BS_A_VOLUME_IOPS]	= { .type = NLA_U32 },
	[KCLOUD_BS_A_VOLUME_THROUGHPUT]	= { .type = NLA_U32 },
	[KCLOUD_BS_A_SNAPSHOT_NAME]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_BS_NAME_LEN - 1 },
	[KCLOUD_BS_A_SNAPSHOT_PATH]	= { .type = NLA_NUL_STRING,
					    .len = KCLOUD_BS_PATH_LEN - 1 },
	[KCLOUD_BS_A_SNAPSHOT_SIZE]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_SNAPSHOT_STATE]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_SNAPSHOT_TIME]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_SNAPSHOT_COPIED]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_SNAPSHOT_STORED]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_SNAPSHOT_COW]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_SNAPSHOT_ERROR]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_SNAPSHOT_KCV]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_VOLUME_KEY]	= NLA_POLICY_VALIDATE_FN(NLA_BINARY, kcbs_validate_key),
	[KCLOUD_BS_A_VOLUME_CIPHER]	= { .type = NLA_REJECT },
	[KCLOUD_BS_A_VOLUME_KEY_BITS]	= { .type = NLA_REJECT },
};

static struct kcbs_net *kcbs_net(struct net *net)
{
	return net_generic(net, kcbs_net_id);
}

/* A required, non-empty name attribute, or NULL with the reason in extack. */
static const char *kcbs_get_name(struct genl_info *info, int attr)
{
	struct nlattr *a = info->attrs[attr];

	if (!a) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "missing");
		GENL_SET_ERR_MSG(info, "a name is required");
		return NULL;
	}
	if (!nla_len(a) || !*(char *)nla_data(a)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "the name is empty");
		return NULL;
	}
	return nla_data(a);
}

static int kcbs_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kcbs_family, 0, KCLOUD_BS_CMD_GET_INFO);
	if (!hdr)
		goto nla_put_failure;

	if (nla_put_string(msg, KCLOUD_BS_A_INFO_VERSION, KCLOUD_BS_VERSION) ||
	    nla_put_u64_64bit(msg, KCLOUD_BS_A_INFO_FEATURES, KCBS_FEATURES,
			      KCLOUD_BS_A_PAD))
		goto nla_put_failure;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- targets -------------------------------------------------------------- */

static int kcbs_fill_target(struct sk_buff *skb, struct kcbs_target *t, u32 portid,
			    u32 seq, int flags)
{
	char volume[KCLOUD_BS_NAME_LEN];
	unsigned int nconns;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kcbs_family, flags, KCLOUD_BS_CMD_GET_TARGET);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&t->conns_lock);
	nconns = t->nconns;
	mutex_unlock(&t->conns_lock);
	mutex_lock(&t->meta_lock);
	memcpy(volume, t->volume, sizeof(volume));
	mutex_unlock(&t->meta_lock);
	if (nla_put_string(skb, KCLOUD_BS_A_TARGET_NAME, t->name) ||
	    nla_put_string(skb, KCLOUD_BS_A_TARGET_PATH, t->path) ||
	    nla_put_be32(skb, KCLOUD_BS_A_TARGET_ADDR, t->addr) ||
	    nla_put_u16(skb, KCLOUD_BS_A_TARGET_PORT, t->port) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_TARGET_SIZE, READ_ONCE(t->size), KCLOUD_BS_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_TARGET_EPOCH, atomic64_read(&t->epoch),
			      KCLOUD_BS_A_PAD) ||
	    nla_put_u32(skb, KCLOUD_BS_A_TARGET_CONNS, nconns) ||
	    (t->meta && nla_put_string(skb, KCLOUD_BS_A_TARGET_META, t->meta_path)) ||
	    (volume[0] && nla_put_string(skb, KCLOUD_BS_A_TARGET_VOLUME, volume)) ||
	    kcbs_stats_fill(skb, KCLOUD_BS_A_STATS, &t->stats, 0)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int kcbs_target_add(struct sk_buff *skb, struct genl_info *info)
{
	const char *name, *path, *meta = NULL, *volume = NULL;
	struct net *net = genl_info_net(info);
	struct kcbs_target *t;
	__be32 addr = 0;
	u16 port;

	name = kcbs_get_name(info, KCLOUD_BS_A_TARGET_NAME);
	if (!name)
		return -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_BS_A_TARGET_PATH) ||
	    GENL_REQ_ATTR_CHECK(info, KCLOUD_BS_A_TARGET_PORT))
		return -EINVAL;
	path = nla_data(info->attrs[KCLOUD_BS_A_TARGET_PATH]);
	if (path[0] != '/') {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_TARGET_PATH],
				    "the path must be absolute");
		return -EINVAL;
	}
	port = nla_get_u16(info->attrs[KCLOUD_BS_A_TARGET_PORT]);
	if (info->attrs[KCLOUD_BS_A_TARGET_ADDR])
		addr = nla_get_be32(info->attrs[KCLOUD_BS_A_TARGET_ADDR]);
	if (info->attrs[KCLOUD_BS_A_TARGET_META]) {
		meta = nla_data(info->attrs[KCLOUD_BS_A_TARGET_META]);
		if (meta[0] != '/') {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_TARGET_META],
					    "the metadata path must be absolute");
			return -EINVAL;
		}
	}
	if (info->attrs[KCLOUD_BS_A_TARGET_VOLUME]) {
		volume = nla_data(info->attrs[KCLOUD_BS_A_TARGET_VOLUME]);
		if (!volume[0]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_TARGET_VOLUME],
					    "the volume name is empty");
			return -EINVAL;
		}
	}

	mutex_lock(&kcbs_lock);
	t = kcbs_target_create(net, name, path, addr, port, meta, volume, info->extack);
	mutex_unlock(&kcbs_lock);
	return PTR_ERR_OR_ZERO(t);
}

static int kcbs_target_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_target *t;
	const char *name;

	name = kcbs_get_name(info, KCLOUD_BS_A_TARGET_NAME);
	if (!name)
		return -EINVAL;
	mutex_lock(&kcbs_lock);
	t = kcbs_target_find(genl_info_net(info), name);
	if (t)
		kcbs_target_destroy(t);
	mutex_unlock(&kcbs_lock);
	if (!t) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_TARGET_NAME],
				    "no target with this name");
		return -ENOENT;
	}
	return 0;
}

static int kcbs_get_target_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_target *t;
	struct sk_buff *msg;
	const char *name;
	int err;

	name = kcbs_get_name(info, KCLOUD_BS_A_TARGET_NAME);
	if (!name)
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&kcbs_lock);
	t = kcbs_target_find(genl_info_net(info), name);
	err = t ? kcbs_fill_target(msg, t, info->snd_portid, info->snd_seq, 0) : -ENOENT;
	mutex_unlock(&kcbs_lock);
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_TARGET_NAME],
					    "no target with this name");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int kcbs_get_target_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcbs_net *kn = kcbs_net(sock_net(skb->sk));
	struct kcbs_target *t;
	long idx = 0, start = cb->args[0];

	mutex_lock(&kcbs_lock);
	list_for_each_entry(t, &kn->targets, node) {
		if (idx++ < start)
			continue;
		if (kcbs_fill_target(skb, t, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				     NLM_F_MULTI)) {
			idx--;
			break;
		}
	}
	mutex_unlock(&kcbs_lock);
	cb->args[0] = idx;
	return skb->len;
}

/* ---- volumes -------------------------------------------------------------- */

struct kcbs_replica_snap {
	__be32 addr;
	u16 port;
	u8 state;
	u8 local;
	u64 epoch;
};

static int kcbs_fill_replica(struct sk_buff *skb, struct kcbs_replica *r,
			     const struct kcbs_replica_snap *s, u64 dirty)
{
	struct nlattr *nest = nla_nest_start(skb, KCLOUD_BS_A_REPLICA);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_be32(skb, KCLOUD_BS_REPLICA_A_ADDR, s->addr) ||
	    nla_put_u16(skb, KCLOUD_BS_REPLICA_A_PORT, s->port) ||
	    nla_put_u8(skb, KCLOUD_BS_REPLICA_A_INDEX, r->idx) ||
	    nla_put_u8(skb, KCLOUD_BS_REPLICA_A_STATE, s->state) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_REPLICA_A_DIRTY, dirty, KCLOUD_BS_REPLICA_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_REPLICA_A_EPOCH, s->epoch,
			      KCLOUD_BS_REPLICA_A_PAD) ||
	    nla_put_u8(skb, KCLOUD_BS_REPLICA_A_LOCAL, s->local) ||
	    kcbs_stats_fill(skb, KCLOUD_BS_REPLICA_A_STATS, &r->stats, dirty)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int kcbs_fill_volume(struct sk_buff *skb, struct kcbs_volume *vol, u32 portid,
			    u32 seq, int flags, u8 event)
{
	struct kcbs_replica_snap snap[KCLOUD_BS_MAX_REPLICAS];
	bool present[KCLOUD_BS_MAX_REPLICAS];
	u64 dirty[KCLOUD_BS_MAX_REPLICAS];
	u64 total_dirty = 0;
	struct nlattr *nest;
	u8 state;
	void *hdr;
	int i;

	spin_lock(&vol->lock);
	state = vol->state;
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		struct kcbs_replica *r = &vol->replicas[i];

		present[i] = r->present;
		snap[i].addr = r->addr;
		snap[i].port = r->port;
		snap[i].state = kcbs_replica_state(r);
		snap[i].epoch = r->target_epoch;
		snap[i].local = !!r->local;
	}
	spin_unlock(&vol->lock);
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++) {
		dirty[i] = present[i] ? kcbs_bitmap_weight(&vol->replicas[i]) : 0;
		total_dirty += dirty[i];
	}

	hdr = genlmsg_put(skb, portid, seq, &kcbs_family, flags, KCLOUD_BS_CMD_GET_VOLUME);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, KCLOUD_BS_A_VOLUME_NAME, vol->name) ||
	    (vol->disk && nla_put_string(skb, KCLOUD_BS_A_VOLUME_DISK, vol->disk->disk_name)) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_VOLUME_SIZE, vol->size, KCLOUD_BS_A_PAD) ||
	    nla_put_u8(skb, KCLOUD_BS_A_VOLUME_QUORUM, vol->quorum) ||
	    nla_put_u32(skb, KCLOUD_BS_A_VOLUME_REGION_SIZE, vol->region_size) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_VOLUME_EPOCH, vol->epoch, KCLOUD_BS_A_PAD) ||
	    nla_put_u32(skb, KCLOUD_BS_A_VOLUME_RESYNC_RATE, READ_ONCE(vol->resync_rate)) ||
	    nla_put_u32(skb, KCLOUD_BS_A_VOLUME_TIMEOUT, vol->timeout_ms) ||
	    nla_put_u32(skb, KCLOUD_BS_A_VOLUME_IOPS, READ_ONCE(vol->limit.iops)) ||
	    nla_put_u32(skb, KCLOUD_BS_A_VOLUME_THROUGHPUT, READ_ONCE(vol->limit.kbps)) ||
	    nla_put_u8(skb, KCLOUD_BS_A_VOLUME_STATE, state) ||
	    (vol->crypt && (nla_put_string(skb, KCLOUD_BS_A_VOLUME_CIPHER, KCBS_CIPHER_NAME) ||
			    nla_put_u32(skb, KCLOUD_BS_A_VOLUME_KEY_BITS,
					kcbs_crypt_key_bits(vol->crypt)))) ||
	    (event && nla_put_u8(skb, KCLOUD_BS_A_EVENT, event)))
		goto cancel;
	nest = nla_nest_start(skb, KCLOUD_BS_A_VOLUME_REPLICAS);
	if (!nest)
		goto cancel;
	for (i = 0; i < KCLOUD_BS_MAX_REPLICAS; i++)
		if (present[i] &&
		    kcbs_fill_replica(skb, &vol->replicas[i], &snap[i], dirty[i]))
			goto cancel;
	nla_nest_end(skb, nest);
	if (kcbs_stats_fill(skb, KCLOUD_BS_A_STATS, &vol->stats, total_dirty))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/**
 * kcbs_notify_volume() - send a volume's state to the "events" group
 * @vol: the volume
 * @ev: what happened
 */
void kcbs_notify_volume(struct kcbs_volume *vol, enum kcloud_bs_event ev)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_NOIO);
	if (!skb)
		return;
	if (kcbs_fill_volume(skb, vol, 0, 0, 0, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&kcbs_family, vol->net, skb, 0, 0, GFP_NOIO);
}

static int kcbs_parse_replica(struct genl_info *info, struct nlattr *nest,
			      __be32 *addr, u16 *port)
{
	struct nlattr *tb[KCLOUD_BS_REPLICA_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KCLOUD_BS_REPLICA_A_MAX, nest, kcbs_replica_policy,
			       info->extack);
	if (err)
		return err;
	if (!tb[KCLOUD_BS_REPLICA_A_ADDR] || !tb[KCLOUD_BS_REPLICA_A_PORT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "a replica needs an address and a port");
		return -EINVAL;
	}
	*addr = nla_get_be32(tb[KCLOUD_BS_REPLICA_A_ADDR]);
	*port = nla_get_u16(tb[KCLOUD_BS_REPLICA_A_PORT]);
	if (!*addr) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KCLOUD_BS_REPLICA_A_ADDR],
				    "the address is 0.0.0.0");
		return -EINVAL;
	}
	return 0;
}

static int kcbs_volume_reply(struct genl_info *info, struct kcbs_volume *vol)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	int err;

	if (!msg)
		return -ENOMEM;
	err = kcbs_fill_volume(msg, vol, info->snd_portid, info->snd_seq, 0, 0);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static u32 kcbs_get_u32(const struct nlattr *a, u32 def)
{
	return a ? nla_get_u32(a) : def;
}

static int kcbs_volume_create_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 region = KCBS_DEFAULT_REGION, timeout = KCBS_DEFAULT_TIMEOUT_MS, rate = 0;
	__be32 addrs[KCLOUD_BS_MAX_REPLICAS];
	u16 ports[KCLOUD_BS_MAX_REPLICAS];
	struct nlattr **a = info->attrs;
	struct kcbs_volume *vol;
	struct nlattr *nest;
	const char *name, *meta = NULL;
	unsigned int key_len = 0;
	const u8 *key = NULL;
	int n = 0, rem, err;
	u64 size, epoch = 1;
	u8 quorum;

	name = kcbs_get_name(info, KCLOUD_BS_A_VOLUME_NAME);
	if (!name)
		return -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_BS_A_VOLUME_SIZE) ||
	    GENL_REQ_ATTR_CHECK(info, KCLOUD_BS_A_VOLUME_REPLICAS))
		return -EINVAL;
	size = nla_get_u64(a[KCLOUD_BS_A_VOLUME_SIZE]);
	if (size % SZ_4K) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCLOUD_BS_A_VOLUME_SIZE],
				    "the size is not a multiple of 4096");
		return -EINVAL;
	}
	nla_for_each_nested(nest, a[KCLOUD_BS_A_VOLUME_REPLICAS], rem) {
		if (nla_type(nest) != KCLOUD_BS_A_REPLICA) {
			NL_SET_ERR_MSG_ATTR(info->extack, nest, "expected a replica nest");
			return -EINVAL;
		}
		if (n == KCLOUD_BS_MAX_REPLICAS) {
			NL_SET_ERR_MSG_ATTR(info->extack, nest, "more than 5 replicas");
			return -EINVAL;
		}
		err = kcbs_parse_replica(info, nest, &addrs[n], &ports[n]);
		if (err)
			return err;
		n++;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCLOUD_BS_A_VOLUME_REPLICAS],
				    "no replica given");
		return -EINVAL;
	}
	quorum = n / 2 + 1;
	if (a[KCLOUD_BS_A_VOLUME_QUORUM]) {
		quorum = nla_get_u8(a[KCLOUD_BS_A_VOLUME_QUORUM]);
		if (quorum > n) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[KCLOUD_BS_A_VOLUME_QUORUM],
					    "the quorum is larger than the replicas");
			return -EINVAL;
		}
	}
	if (a[KCLOUD_BS_A_VOLUME_REGION_SIZE]) {
		region = nla_get_u32(a[KCLOUD_BS_A_VOLUME_REGION_SIZE]);
		if (!is_power_of_2(region)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[KCLOUD_BS_A_VOLUME_REGION_SIZE],
					    "the region size is not a power of two");
			return -EINVAL;
		}
	}
	if (size > (u64)KCBS_MAX_REGIONS * region) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCLOUD_BS_A_VOLUME_SIZE],
				    "too many regions for this size: raise the region size");
		return -EINVAL;
	}
	if (a[KCLOUD_BS_A_VOLUME_EPOCH])
		epoch = nla_get_u64(a[KCLOUD_BS_A_VOLUME_EPOCH]);
	if (a[KCLOUD_BS_A_VOLUME_RESYNC_RATE])
		rate = nla_get_u32(a[KCLOUD_BS_A_VOLUME_RESYNC_RATE]);
	if (a[KCLOUD_BS_A_VOLUME_TIMEOUT])
		timeout = nla_get_u32(a[KCLOUD_BS_A_VOLUME_TIMEOUT]);
	if (a[KCLOUD_BS_A_VOLUME_META]) {
		meta = nla_data(a[KCLOUD_BS_A_VOLUME_META]);
		if (meta[0] != '/') {
			NL_SET_ERR_MSG_ATTR(info->extack, a[KCLOUD_BS_A_VOLUME_META],
					    "the metadata path must be absolute");
			return -EINVAL;
		}
	}

	if (a[KCLOUD_BS_A_VOLUME_KEY]) {
		key = nla_data(a[KCLOUD_BS_A_VOLUME_KEY]);
		key_len = nla_len(a[KCLOUD_BS_A_VOLUME_KEY]);	/* checked: 32 or 64 */
	}

	mutex_lock(&kcbs_lock);
	vol = kcbs_volume_create(genl_info_net(info), name, size, quorum, region, epoch,
				 rate, timeout, addrs, ports, n, meta, key, key_len,
				 info->extack);
	if (!IS_ERR(vol))
		kcbs_volume_set_limits(vol, kcbs_get_u32(a[KCLOUD_BS_A_VOLUME_IOPS], 0),
				       kcbs_get_u32(a[KCLOUD_BS_A_VOLUME_THROUGHPUT], 0));
	err = IS_ERR(vol) ? PTR_ERR(vol) : kcbs_volume_reply(info, vol);
	mutex_unlock(&kcbs_lock);
	return err;
}

static int kcbs_volume_delete_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_volume *vol;
	const char *name;
	int err;

	name = kcbs_get_name(info, KCLOUD_BS_A_VOLUME_NAME);
	if (!name)
		return -EINVAL;
	mutex_lock(&kcbs_lock);
	vol = kcbs_volume_find(genl_info_net(info), name);
	err = vol ? kcbs_volume_destroy(vol, nla_get_flag(info->attrs[KCLOUD_BS_A_VOLUME_FORCE]))
		  : -ENOENT;
	mutex_unlock(&kcbs_lock);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_VOLUME_NAME],
				    "no volume with this name");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_VOLUME_NAME],
				    "the volume's disk is open");
	return err;
}

/* The volume named in the request, with kcbs_lock taken; NULL otherwise. */
static struct kcbs_volume *kcbs_lock_volume(struct genl_info *info)
{
	struct kcbs_volume *vol;
	const char *name;

	name = kcbs_get_name(info, KCLOUD_BS_A_VOLUME_NAME);
	if (!name)
		return NULL;
	mutex_lock(&kcbs_lock);
	vol = kcbs_volume_find(genl_info_net(info), name);
	if (!vol) {
		mutex_unlock(&kcbs_lock);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_VOLUME_NAME],
				    "no volume with this name");
	}
	return vol;
}

static int kcbs_get_volume_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_volume *vol = kcbs_lock_volume(info);
	int err;

	if (!vol)
		return info->attrs[KCLOUD_BS_A_VOLUME_NAME] ? -ENOENT : -EINVAL;
	err = kcbs_volume_reply(info, vol);
	mutex_unlock(&kcbs_lock);
	return err;
}

static int kcbs_get_volume_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcbs_net *kn = kcbs_net(sock_net(skb->sk));
	struct kcbs_volume *vol;
	long idx = 0, start = cb->args[0];

	mutex_lock(&kcbs_lock);
	list_for_each_entry(vol, &kn->volumes, node) {
		if (idx++ < start)
			continue;
		if (kcbs_fill_volume(skb, vol, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				     NLM_F_MULTI, 0)) {
			idx--;
			break;
		}
	}
	mutex_unlock(&kcbs_lock);
	cb->args[0] = idx;
	return skb->len;
}

static int kcbs_replica_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_volume *vol;
	__be32 addr;
	u16 port;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_BS_A_REPLICA))
		return -EINVAL;
	err = kcbs_parse_replica(info, info->attrs[KCLOUD_BS_A_REPLICA], &addr, &port);
	if (err)
		return err;
	vol = kcbs_lock_volume(info);
	if (!vol)
		return info->attrs[KCLOUD_BS_A_VOLUME_NAME] ? -ENOENT : -EINVAL;
	err = kcbs_replica_add(vol, addr, port, info->extack);
	if (err >= 0)
		err = kcbs_volume_reply(info, vol);
	mutex_unlock(&kcbs_lock);
	return err;
}

static int kcbs_replica_remove_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[KCLOUD_BS_REPLICA_A_MAX + 1];
	struct kcbs_volume *vol;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_BS_A_REPLICA))
		return -EINVAL;
	err = nla_parse_nested(tb, KCLOUD_BS_REPLICA_A_MAX, info->attrs[KCLOUD_BS_A_REPLICA],
			       kcbs_replica_policy, info->extack);
	if (err)
		return err;
	if (!tb[KCLOUD_BS_REPLICA_A_INDEX]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_REPLICA],
				    "the replica's index is required");
		return -EINVAL;
	}
	vol = kcbs_lock_volume(info);
	if (!vol)
		return info->attrs[KCLOUD_BS_A_VOLUME_NAME] ? -ENOENT : -EINVAL;
	err = kcbs_replica_remove(vol, nla_get_u8(tb[KCLOUD_BS_REPLICA_A_INDEX]),
				  info->extack);
	mutex_unlock(&kcbs_lock);
	return err;
}

static int kcbs_volume_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_volume *vol = kcbs_lock_volume(info);
	int err;

	if (!vol)
		return info->attrs[KCLOUD_BS_A_VOLUME_NAME] ? -ENOENT : -EINVAL;
	if (info->genlhdr->cmd == KCLOUD_BS_CMD_VOLUME_ATTACH)
		err = kcbs_volume_attach(vol, info->extack);
	else
		err = kcbs_volume_detach(vol, info->extack);
	if (!err)
		err = kcbs_volume_reply(info, vol);
	mutex_unlock(&kcbs_lock);
	return err;
}

static int kcbs_replica_replace_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[KCLOUD_BS_REPLICA_A_MAX + 1];
	struct kcbs_volume *vol;
	__be32 addr;
	u16 port;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_BS_A_REPLICA))
		return -EINVAL;
	err = kcbs_parse_replica(info, info->attrs[KCLOUD_BS_A_REPLICA], &addr, &port);
	if (err)
		return err;
	err = nla_parse_nested(tb, KCLOUD_BS_REPLICA_A_MAX, info->attrs[KCLOUD_BS_A_REPLICA],
			       kcbs_replica_policy, info->extack);
	if (err)
		return err;
	if (!tb[KCLOUD_BS_REPLICA_A_INDEX]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_REPLICA],
				    "the index of the replica to replace is required");
		return -EINVAL;
	}
	vol = kcbs_lock_volume(info);
	if (!vol)
		return info->attrs[KCLOUD_BS_A_VOLUME_NAME] ? -ENOENT : -EINVAL;
	err = kcbs_replica_replace(vol, nla_get_u8(tb[KCLOUD_BS_REPLICA_A_INDEX]),
				   addr, port, info->extack);
	if (!err)
		err = kcbs_volume_reply(info, vol);
	mutex_unlock(&kcbs_lock);
	return err;
}

/* What VOLUME_MODIFY cannot change on a live volume. */
static const int kcbs_fixed_attrs[] = {
	KCLOUD_BS_A_VOLUME_QUORUM, KCLOUD_BS_A_VOLUME_REGION_SIZE,
	KCLOUD_BS_A_VOLUME_EPOCH, KCLOUD_BS_A_VOLUME_TIMEOUT, KCLOUD_BS_A_VOLUME_REPLICAS,
	KCLOUD_BS_A_REPLICA, KCLOUD_BS_A_VOLUME_META, KCLOUD_BS_A_VOLUME_FORCE,
	KCLOUD_BS_A_VOLUME_KEY,
};

static int kcbs_volume_modify_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct kcbs_volume *vol;
	u32 iops, kbps;
	u64 size = 0;
	int i, err;

	for (i = 0; i < ARRAY_SIZE(kcbs_fixed_attrs); i++) {
		if (a[kcbs_fixed_attrs[i]]) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[kcbs_fixed_attrs[i]],
					    "this cannot be changed on a live volume");
			return -EINVAL;
		}
	}
	if (!a[KCLOUD_BS_A_VOLUME_IOPS] && !a[KCLOUD_BS_A_VOLUME_THROUGHPUT] &&
	    !a[KCLOUD_BS_A_VOLUME_RESYNC_RATE] && !a[KCLOUD_BS_A_VOLUME_SIZE]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give size, iops, throughput or resync rate");
		return -EINVAL;
	}
	if (a[KCLOUD_BS_A_VOLUME_SIZE]) {
		size = nla_get_u64(a[KCLOUD_BS_A_VOLUME_SIZE]);
		if (size % SZ_4K) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[KCLOUD_BS_A_VOLUME_SIZE],
					    "the size is not a multiple of 4096");
			return -EINVAL;
		}
	}
	vol = kcbs_lock_volume(info);
	if (!vol)
		return a[KCLOUD_BS_A_VOLUME_NAME] ? -ENOENT : -EINVAL;
	if (a[KCLOUD_BS_A_VOLUME_SIZE]) {
		if (size > (u64)KCBS_MAX_REGIONS * vol->region_size) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[KCLOUD_BS_A_VOLUME_SIZE],
					    "too many regions for this size with the volume's region size");
			err = -EINVAL;
		} else {
			err = kcbs_volume_resize(vol, size, info->extack);
		}
		if (err) {
			mutex_unlock(&kcbs_lock);
			return err;
		}
	}
	iops = kcbs_get_u32(a[KCLOUD_BS_A_VOLUME_IOPS], READ_ONCE(vol->limit.iops));
	kbps = kcbs_get_u32(a[KCLOUD_BS_A_VOLUME_THROUGHPUT], READ_ONCE(vol->limit.kbps));
	if (a[KCLOUD_BS_A_VOLUME_IOPS] || a[KCLOUD_BS_A_VOLUME_THROUGHPUT])
		kcbs_volume_set_limits(vol, iops, kbps);
	if (a[KCLOUD_BS_A_VOLUME_RESYNC_RATE])
		WRITE_ONCE(vol->resync_rate, nla_get_u32(a[KCLOUD_BS_A_VOLUME_RESYNC_RATE]));
	err = kcbs_volume_reply(info, vol);
	mutex_unlock(&kcbs_lock);
	return err;
}

/* ---- snapshots ------------------------------------------------------------ */

static int kcbs_fill_snapshot(struct sk_buff *skb, struct kcbs_snapshot *snap, u32 portid,
			      u32 seq, int flags, u8 event)
{
	u8 state = READ_ONCE(snap->state);
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kcbs_family, flags, KCLOUD_BS_CMD_GET_SNAPSHOT);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, KCLOUD_BS_A_SNAPSHOT_NAME, snap->name) ||
	    nla_put_string(skb, KCLOUD_BS_A_VOLUME_NAME, snap->volume) ||
	    nla_put_string(skb, KCLOUD_BS_A_SNAPSHOT_PATH, snap->path) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_SNAPSHOT_SIZE, snap->size, KCLOUD_BS_A_PAD) ||
	    nla_put_u8(skb, KCLOUD_BS_A_SNAPSHOT_STATE, state) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_SNAPSHOT_TIME, snap->time, KCLOUD_BS_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_SNAPSHOT_COPIED, atomic64_read(&snap->copied),
			      KCLOUD_BS_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_SNAPSHOT_STORED, atomic64_read(&snap->stored),
			      KCLOUD_BS_A_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_A_SNAPSHOT_COW, atomic64_read(&snap->cow),
			      KCLOUD_BS_A_PAD) ||
	    (state == KCLOUD_BS_SNAPSHOT_FAILED &&
	     nla_put_u32(skb, KCLOUD_BS_A_SNAPSHOT_ERROR, READ_ONCE(snap->error))) ||
	    (snap->key_bits &&
	     (nla_put(skb, KCLOUD_BS_A_SNAPSHOT_KCV, KCBS_KCV_LEN, snap->kcv) ||
	      nla_put_u32(skb, KCLOUD_BS_A_VOLUME_KEY_BITS, snap->key_bits))) ||
	    (event && nla_put_u8(skb, KCLOUD_BS_A_EVENT, event))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * kcbs_notify_snapshot() - send a snapshot's state to the "events" group
 * @snap: the snapshot
 * @ev: what happened
 */
void kcbs_notify_snapshot(struct kcbs_snapshot *snap, enum kcloud_bs_event ev)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_NOIO);
	if (!skb)
		return;
	if (kcbs_fill_snapshot(skb, snap, 0, 0, 0, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&kcbs_family, snap->net, skb, 0, 0, GFP_NOIO);
}

static int kcbs_snapshot_reply(struct genl_info *info, struct kcbs_snapshot *snap)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	int err;

	if (!msg)
		return -ENOMEM;
	err = kcbs_fill_snapshot(msg, snap, info->snd_portid, info->snd_seq, 0, 0);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int kcbs_snapshot_create_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_snapshot *snap;
	struct kcbs_volume *vol;
	const char *name;
	int err;

	name = kcbs_get_name(info, KCLOUD_BS_A_SNAPSHOT_NAME);
	if (!name)
		return -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, KCLOUD_BS_A_SNAPSHOT_PATH))
		return -EINVAL;
	vol = kcbs_lock_volume(info);
	if (!vol)
		return info->attrs[KCLOUD_BS_A_VOLUME_NAME] ? -ENOENT : -EINVAL;
	snap = kcbs_snapshot_create(vol, name,
				    nla_data(info->attrs[KCLOUD_BS_A_SNAPSHOT_PATH]), info->extack);
	err = IS_ERR(snap) ? PTR_ERR(snap) : kcbs_snapshot_reply(info, snap);
	mutex_unlock(&kcbs_lock);
	return err;
}

/* The snapshot named in the request, with kcbs_lock taken; NULL otherwise. */
static struct kcbs_snapshot *kcbs_lock_snapshot(struct genl_info *info)
{
	struct kcbs_snapshot *snap;
	const char *name;

	name = kcbs_get_name(info, KCLOUD_BS_A_SNAPSHOT_NAME);
	if (!name)
		return NULL;
	mutex_lock(&kcbs_lock);
	snap = kcbs_snapshot_find(genl_info_net(info), name);
	if (!snap) {
		mutex_unlock(&kcbs_lock);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KCLOUD_BS_A_SNAPSHOT_NAME],
				    "no snapshot with this name");
	}
	return snap;
}

static int kcbs_snapshot_delete_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_snapshot *snap = kcbs_lock_snapshot(info);

	if (!snap)
		return info->attrs[KCLOUD_BS_A_SNAPSHOT_NAME] ? -ENOENT : -EINVAL;
	kcbs_snapshot_destroy(snap);
	mutex_unlock(&kcbs_lock);
	return 0;
}

static int kcbs_get_snapshot_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcbs_snapshot *snap = kcbs_lock_snapshot(info);
	int err;

	if (!snap)
		return info->attrs[KCLOUD_BS_A_SNAPSHOT_NAME] ? -ENOENT : -EINVAL;
	err = kcbs_snapshot_reply(info, snap);
	mutex_unlock(&kcbs_lock);
	return err;
}

static int kcbs_get_snapshot_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kcbs_net *kn = kcbs_net(sock_net(skb->sk));
	struct kcbs_snapshot *snap;
	long idx = 0, start = cb->args[0];

	mutex_lock(&kcbs_lock);
	list_for_each_entry(snap, &kn->snapshots, node) {
		if (idx++ < start)
			continue;
		if (kcbs_fill_snapshot(skb, snap, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI, 0)) {
			idx--;
			break;
		}
	}
	mutex_unlock(&kcbs_lock);
	cb->args[0] = idx;
	return skb->len;
}

static const struct genl_small_ops kcbs_ops[] = {
	{
		.cmd	= KCLOUD_BS_CMD_GET_INFO,
		.doit	= kcbs_get_info,
	},
	{
		.cmd	= KCLOUD_BS_CMD_TARGET_ADD,
		.doit	= kcbs_target_add,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_TARGET_DEL,
		.doit	= kcbs_target_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_GET_TARGET,
		.doit	= kcbs_get_target_doit,
		.dumpit	= kcbs_get_target_dumpit,
	},
	{
		.cmd	= KCLOUD_BS_CMD_VOLUME_CREATE,
		.doit	= kcbs_volume_create_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_VOLUME_DELETE,
		.doit	= kcbs_volume_delete_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_GET_VOLUME,
		.doit	= kcbs_get_volume_doit,
		.dumpit	= kcbs_get_volume_dumpit,
	},
	{
		.cmd	= KCLOUD_BS_CMD_REPLICA_ADD,
		.doit	= kcbs_replica_add_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_REPLICA_REMOVE,
		.doit	= kcbs_replica_remove_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_REPLICA_REPLACE,
		.doit	= kcbs_replica_replace_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_VOLUME_ATTACH,
		.doit	= kcbs_volume_attach_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_VOLUME_DETACH,
		.doit	= kcbs_volume_attach_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_VOLUME_MODIFY,
		.doit	= kcbs_volume_modify_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_SNAPSHOT_CREATE,
		.doit	= kcbs_snapshot_create_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_SNAPSHOT_DELETE,
		.doit	= kcbs_snapshot_delete_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KCLOUD_BS_CMD_GET_SNAPSHOT,
		.doit	= kcbs_get_snapshot_doit,
		.dumpit	= kcbs_get_snapshot_dumpit,
	},
};

static const struct genl_multicast_group kcbs_mcgrps[] = {
	{ .name = KCLOUD_BS_MCGRP_EVENTS },
};

static struct genl_family kcbs_family __ro_after_init = {
	.name		= KCLOUD_BS_GENL_NAME,
	.version	= KCLOUD_BS_GENL_VERSION,
	.maxattr	= KCLOUD_BS_A_MAX,
	.policy		= kcbs_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= kcbs_ops,
	.n_small_ops	= ARRAY_SIZE(kcbs_ops),
	.resv_start_op	= __KCLOUD_BS_CMD_MAX,
	.mcgrps		= kcbs_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kcbs_mcgrps),
};

/**
 * kcbs_genl_init() - register the family
 *
 * Return: 0 or a negative errno.
 */
int __init kcbs_genl_init(void)
{
	return genl_register_family(&kcbs_family);
}

/**
 * kcbs_genl_exit() - unregister the family
 */
void kcbs_genl_exit(void)
{
	genl_unregister_family(&kcbs_family);
}
