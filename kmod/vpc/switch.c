// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: the switch of a network namespace and its object tables:
 * VPCs, subnets, mappings and the endpoint table the datapath looks
 * addresses up in.
 */
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netlink.h>

#include "vpc.h"

unsigned int vpc_net_id __read_mostly;

const u8 vpc_gw_mac[ETH_ALEN] = KCLOUD_VPC_GW_MAC;

const struct rhashtable_params vpc_ep_params = {
	.key_len		= sizeof(struct vpc_ep_key),
	.key_offset		= offsetof(struct vpc_ep, key),
	.head_offset		= offsetof(struct vpc_ep, node),
	.automatic_shrinking	= true,
};

/* VPCs by name: the key is the whole NUL-padded name. */
static const struct rhashtable_params vpc_name_params = {
	.key_len		= KCLOUD_VPC_NAME_LEN,
	.key_offset		= offsetof(struct vpc, name),
	.head_offset		= offsetof(struct vpc, name_node),
	.automatic_shrinking	= true,
};

#ifndef CONFIG_XARRAY_MULTI
#error "kcloud_vpc needs CONFIG_XARRAY_MULTI (the subnets of a VPC)"
#endif

/**
 * vpc_net() - the switch of a network namespace
 * @net: the namespace
 *
 * Return: its switch, which lives as long as @net.
 */
struct vpc_net *vpc_net(struct net *net)
{
	return net_generic(net, vpc_net_id);
}

/**
 * vpc_guest_mtu() - the MTU of guests: the underlay MTU less the overhead
 * @vn: the switch
 *
 * Return: the largest IPv4 packet a port may send.
 */
u32 vpc_guest_mtu(const struct vpc_net *vn)
{
	return READ_ONCE(vn->host.mtu) - KCLOUD_VPC_OVERHEAD;
}

static __be32 vpc_mask(u8 plen)
{
	return plen ? htonl(~0U << (32 - plen)) : 0;
}

/**
 * vpc_find() - find a VPC by id, or by name when @id is 0
 * @vn: the switch (its lock held)
 * @id: the VPC's id, or 0
 * @name: its name, when @id is 0
 *
 * Return: the VPC or NULL.
 */
struct vpc *vpc_find(struct vpc_net *vn, u32 id, const char *name)
{
	char key[KCLOUD_VPC_NAME_LEN];

	lockdep_assert_held(&vn->lock);
	if (id)
		return xa_load(&vn->vpcs, id);
	if (!name)
		return NULL;
	strscpy_pad(key, name, sizeof(key));
	return rhashtable_lookup_fast(&vn->vpc_names, key, vpc_name_params);
}

/**
 * vpc_rename() - give a VPC another name, unique
 * @vn: the switch (its lock held)
 * @vpc: the VPC
 * @name: its new name
 * @extack: where to say why not
 *
 * Return: 0 or a negative errno (the old name is kept).
 */
int vpc_rename(struct vpc_net *vn, struct vpc *vpc, const char *name,
	       struct netlink_ext_ack *extack)
{
	char old[KCLOUD_VPC_NAME_LEN];
	struct vpc *other;
	int err;

	lockdep_assert_held(&vn->lock);
	other = vpc_find(vn, 0, name);
	if (other == vpc)
		return 0;
	if (other) {
		NL_SET_ERR_MSG_MOD(extack, "a VPC with this name exists");
		return -EEXIST;
	}
	memcpy(old, vpc->name, sizeof(old));
	rhashtable_remove_fast(&vn->vpc_names, &vpc->name_node, vpc_name_params);
	strscpy_pad(vpc->name, name, sizeof(vpc->name));
	err = rhashtable_insert_fast(&vn->vpc_names, &vpc->name_node,
				     vpc_name_params);
	if (err) {
		/* The slot just freed takes the old name back. */
		memcpy(vpc->name, old, sizeof(old));
		rhashtable_insert_fast(&vn->vpc_names, &vpc->name_node,
				       vpc_name_params);
	}
	return err;
}

/**
 * vpc_add() - create a VPC
 * @vn: the switch (its lock held)
 * @name: its name, unique
 * @vni: its Geneve VNI, unique
 * @addr: the base of its CIDR
 * @plen: the prefix length of its CIDR
 * @extack: where to say why not
 *
 * Return: the new VPC or an ERR_PTR().
 */
struct vpc *vpc_add(struct vpc_net *vn, const char *name, u32 vni, __be32 addr,
		    u8 plen, struct netlink_ext_ack *extack)
{
	struct vpc *vpc;
	int err;

	lockdep_assert_held(&vn->lock);
	if (addr & ~vpc_mask(plen)) {
		NL_SET_ERR_MSG_MOD(extack, "VPC CIDR has host bits set");
		return ERR_PTR(-EINVAL);
	}
	if (vpc_find(vn, 0, name ?: "")) {
		NL_SET_ERR_MSG_MOD(extack, "a VPC with this name exists");
		return ERR_PTR(-EEXIST);
	}
	if (xa_load(&vn->vnis, vni)) {
		NL_SET_ERR_MSG_MOD(extack, "a VPC with this VNI exists");
		return ERR_PTR(-EEXIST);
	}

	vpc = kzalloc(sizeof(*vpc), GFP_KERNEL);
	if (!vpc)
		return ERR_PTR(-ENOMEM);
	strscpy_pad(vpc->name, name ?: "", sizeof(vpc->name));
	vpc->vni = vni;
	vpc->addr = addr;
	vpc->plen = plen;
	xa_init(&vpc->subnet_map);

	err = xa_alloc(&vn->vpcs, &vpc->id, vpc, xa_limit_31b, GFP_KERNEL);
	if (err)
		goto err_free;
	err = rhashtable_insert_fast(&vn->vpc_names, &vpc->name_node,
				     vpc_name_params);
	if (err)
		goto err_erase;
	err = xa_err(xa_store(&vn->vnis, vni, vpc, GFP_KERNEL));
	if (err)
		goto err_unname;
	return vpc;

err_unname:
	rhashtable_remove_fast(&vn->vpc_names, &vpc->name_node, vpc_name_params);
err_erase:
	xa_erase(&vn->vpcs, vpc->id);
err_free:
	kfree(vpc);
	return ERR_PTR(err);
}

/**
 * vpc_del() - delete a VPC that has no subnet left
 * @vn: the switch (its lock held)
 * @vpc: the VPC
 * @extack: where to say why not
 *
 * Return: 0 or -EBUSY.
 */
int vpc_del(struct vpc_net *vn, struct vpc *vpc, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&vn->lock);
	if (vpc->n_subnets) {
		NL_SET_ERR_MSG_MOD(extack, "VPC has subnets");
		return -EBUSY;
	}
	xa_erase(&vn->vnis, vpc->vni);
	rhashtable_remove_fast(&vn->vpc_names, &vpc->name_node, vpc_name_params);
	xa_erase(&vn->vpcs, vpc->id);
	xa_destroy(&vpc->subnet_map);
	kfree_rcu(vpc, rcu);
	return 0;
}

/**
 * vpc_subnet_find() - find the subnet of @vpc with this exact CIDR
 * @vn: the switch (its lock held)
 * @vpc: the VPC
 * @addr: the CIDR's base
 * @plen: the CIDR's prefix length
 *
 * Return: the subnet or NULL.
 */
struct vpc_subnet *vpc_subnet_find(struct vpc_net *vn, struct vpc *vpc,
				   __be32 addr, u8 plen)
{
	struct vpc_subnet *sn;

	lockdep_assert_held(&vn->lock);
	sn = xa_load(&vpc->subnet_map, ntohl(addr));
	if (sn && sn->addr == addr && sn->plen == plen)
		return sn;
	return NULL;
}

/**
 * vpc_subnet_of() - find the subnet of @vpc that holds @addr
 * @vn: the switch (its lock held)
 * @vpc: the VPC
 * @addr: an IPv4 address
 *
 * Return: the subnet or NULL.
 */
struct vpc_subnet *vpc_subnet_of(struct vpc_net *vn, struct vpc *vpc,
				 __be32 addr)
{
	lockdep_assert_held(&vn->lock);
	return xa_load(&vpc->subnet_map, ntohl(addr));
}

/* The first and last host-order addresses of a CIDR. */
static unsigned long vpc_first(__be32 addr)
{
	return ntohl(addr);
}

static unsigned long vpc_last(__be32 addr, __be32 mask)
{
	return ntohl(addr | ~mask);
}

/**
 * vpc_subnet_add() - create a subnet in a VPC
 * @vn: the switch (its lock held)
 * @vpc: the VPC
 * @addr: the CIDR's base
 * @plen: the CIDR's prefix length
 * @name: a name, or NULL
 * @extack: where to say why not
 *
 * Return: the new subnet or an ERR_PTR().
 */
struct vpc_subnet *vpc_subnet_add(struct vpc_net *vn, struct vpc *vpc,
				  __be32 addr, u8 plen, const char *name,
				  struct netlink_ext_ack *extack)
{
	__be32 mask = vpc_mask(plen);
	unsigned long idx = vpc_first(addr);
	struct vpc_subnet *sn;
	int err;

	lockdep_assert_held(&vn->lock);
	if (addr & ~mask) {
		NL_SET_ERR_MSG_MOD(extack, "subnet CIDR has host bits set");
		return ERR_PTR(-EINVAL);
	}
	if (plen < vpc->plen || (addr & vpc_mask(vpc->plen)) != vpc->addr) {
		NL_SET_ERR_MSG_MOD(extack, "subnet CIDR is not inside the VPC CIDR");
		return ERR_PTR(-EINVAL);
	}
	/* A subnet holding the new one, or one inside it. */
	if (xa_load(&vpc->subnet_map, idx) ||
	    xa_find(&vpc->subnet_map, &idx, vpc_last(addr, mask), XA_PRESENT)) {
		NL_SET_ERR_MSG_MOD(extack, "subnet CIDR overlaps another subnet");
		return ERR_PTR(-EEXIST);
	}

	sn = kzalloc(sizeof(*sn), GFP_KERNEL);
	if (!sn)
		return ERR_PTR(-ENOMEM);
	sn->vpc = vpc;
	sn->addr = addr;
	sn->plen = plen;
	sn->mask = mask;
	sn->gateway = htonl(ntohl(addr) + 1);
	if (name)
		strscpy(sn->name, name, sizeof(sn->name));
	err = xa_alloc(&vn->subnets, &sn->id, sn, xa_limit_31b, GFP_KERNEL);
	if (err)
		goto err_free;
	err = xa_err(xa_store_range(&vpc->subnet_map, vpc_first(addr),
				    vpc_last(addr, mask), sn, GFP_KERNEL));
	if (err)
		goto err_erase;
	vpc->n_subnets++;
	return sn;

err_erase:
	/* Storing NULL allocates nothing: it cannot fail. */
	xa_store_range(&vpc->subnet_map, vpc_first(addr), vpc_last(addr, mask),
		       NULL, GFP_KERNEL);
	xa_erase(&vn->subnets, sn->id);
err_free:
	kfree(sn);
	return ERR_PTR(err);
}

/**
 * vpc_subnet_del() - delete a subnet that has no port and no mapping
 * @vn: the switch (its lock held)
 * @sn: the subnet
 * @extack: where to say why not
 *
 * Return: 0 or -EBUSY.
 */
int vpc_subnet_del(struct vpc_net *vn, struct vpc_subnet *sn,
		   struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&vn->lock);
	if (sn->users) {
		NL_SET_ERR_MSG_MOD(extack, "subnet has ports or mappings");
		return -EBUSY;
	}
	xa_store_range(&sn->vpc->subnet_map, vpc_first(sn->addr),
		       vpc_last(sn->addr, sn->mask), NULL, GFP_KERNEL);
	xa_erase(&vn->subnets, sn->id);
	sn->vpc->n_subnets--;
	kfree_rcu(sn, rcu);
	return 0;
}

/**
 * vpc_subnet_for_host() - the subnet where @addr may be given to a guest
 * @vn: the switch (its lock held)
 * @vpc: the VPC
 * @addr: the guest's address
 * @attr: the attribute that carried @addr, for the extack
 * @extack: where to say why not
 *
 * The address must be in a subnet, not reserved, and not in use.
 *
 * Return: the subnet or an ERR_PTR().
 */
struct vpc_subnet *vpc_subnet_for_host(struct vpc_net *vn, struct vpc *vpc,
				       __be32 addr, const struct nlattr *attr,
				       struct netlink_ext_ack *extack)
{
	struct vpc_subnet *sn;
	u32 host;

	sn = vpc_subnet_of(vn, vpc, addr);
	if (!sn) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "address is in no subnet of the VPC");
		return ERR_PTR(-ENOENT);
	}
	host = ntohl(addr & ~sn->mask);
	if (host <= 3 || host == ntohl(~sn->mask)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "address is reserved in its subnet");
		return ERR_PTR(-EINVAL);
	}
	if (vpc_ep_lookup(vn, vpc->id, addr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "address is in use in the VPC");
		return ERR_PTR(-EEXIST);
	}
	return sn;
}

/**
 * vpc_ep_lookup() - what an address of a VPC is
 * @vn: the switch
 * @vpc_id: the VPC's id
 * @addr: the IPv4 address
 *
 * Called under RCU (the datapath) or with the switch's lock held.
 *
 * Return: the endpoint (a port or a mapping) or NULL.
 */
struct vpc_ep *vpc_ep_lookup(struct vpc_net *vn, u32 vpc_id, __be32 addr)
{
	struct vpc_ep_key key = { .vpc_id = vpc_id, .addr = addr };

	return rhashtable_lookup_fast(&vn->endpoints, &key, vpc_ep_params);
}

/**
 * vpc_mapping_find() - the mapping of a VPC's address
 * @vn: the switch (its lock held)
 * @vpc: the VPC
 * @addr: the address
 *
 * Return: the mapping or NULL (also when the address is a local port's).
 */
struct vpc_mapping *vpc_mapping_find(struct vpc_net *vn, struct vpc *vpc,
				     __be32 addr)
{
	struct vpc_ep *ep = vpc_ep_lookup(vn, vpc->id, addr);

	if (!ep || ep->kind != VPC_EP_MAPPING)
		return NULL;
	return container_of(ep, struct vpc_mapping, ep);
}

/**
 * vpc_mapping_add() - add a remote address
 * @vn: the switch (its lock held)
 * @sn: its subnet (from vpc_subnet_for_host())
 * @addr: the address
 * @mac: the guest's MAC
 * @underlay: the underlay address of the host that has it
 * @extack: where to say why not
 *
 * Return: the mapping or an ERR_PTR().
 */
struct vpc_mapping *vpc_mapping_add(struct vpc_net *vn, struct vpc_subnet *sn,
				    __be32 addr, const u8 *mac, __be32 underlay,
				    struct netlink_ext_ack *extack)
{
	struct vpc_mapping *m;
	int err;

	lockdep_assert_held(&vn->lock);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->ep.kind = VPC_EP_MAPPING;
	m->ep.key.vpc_id = sn->vpc->id;
	m->ep.key.addr = addr;
	m->ep.subnet = sn;
	m->ep.vpc = sn->vpc;
	ether_addr_copy(m->ep.mac, mac);
	m->underlay = underlay;

	err = xa_alloc(&vn->mappings, &m->id, m, xa_limit_31b, GFP_KERNEL);
	if (err)
		goto err_free;
	err = rhashtable_insert_fast(&vn->endpoints, &m->ep.node, vpc_ep_params);
	if (err)
		goto err_erase;
	sn->users++;
	return m;

err_erase:
	xa_erase(&vn->mappings, m->id);
err_free:
	kfree(m);
	return ERR_PTR(err);
}

/**
 * vpc_mapping_del() - remove a remote address; its traffic stops at once
 * @vn: the switch (its lock held)
 * @m: the mapping
 */
void vpc_mapping_del(struct vpc_net *vn, struct vpc_mapping *m)
{
	lockdep_assert_held(&vn->lock);
	rhashtable_remove_fast(&vn->endpoints, &m->ep.node, vpc_ep_params);
	xa_erase(&vn->mappings, m->id);
	m->ep.subnet->users--;
	kfree_rcu(m, rcu);
}

/**
 * vpc_mapping_set() - change a mapping's MAC or underlay address
 * @vn: the switch (its lock held)
 * @m: the mapping
 * @mac: the new MAC, or NULL
 * @underlay: the new underlay address, or 0 to keep it
 *
 * The datapath sees either the old or the new mapping, never a mix.
 *
 * Return: the new mapping (@m is gone) or an ERR_PTR() (@m is kept).
 */
struct vpc_mapping *vpc_mapping_set(struct vpc_net *vn, struct vpc_mapping *m,
				    const u8 *mac, __be32 underlay)
{
	struct vpc_mapping *n;
	int err;

	lockdep_assert_held(&vn->lock);
	n = kmemdup(m, sizeof(*m), GFP_KERNEL);
	if (!n)
		return ERR_PTR(-ENOMEM);
	if (mac)
		ether_addr_copy(n->ep.mac, mac);
	if (underlay)
		n->underlay = underlay;
	err = rhashtable_replace_fast(&vn->endpoints, &m->ep.node, &n->ep.node,
				      vpc_ep_params);
	if (err) {
		kfree(n);
		return ERR_PTR(err);
	}
	xa_store(&vn->mappings, n->id, n, GFP_KERNEL);
	kfree_rcu(m, rcu);
	return n;
}

static int __net_init vpc_net_init(struct net *net)
{
	struct vpc_net *vn = vpc_net(net);
	int err;

	vn->net = net;
	mutex_init(&vn->lock);
	xa_init_flags(&vn->vpcs, XA_FLAGS_ALLOC1);
	xa_init(&vn->vnis);
	xa_init_flags(&vn->subnets, XA_FLAGS_ALLOC1);
	xa_init(&vn->ports);
	xa_init_flags(&vn->mappings, XA_FLAGS_ALLOC1);
	vn->host.udp_port = KCLOUD_VPC_GENEVE_PORT;
	vn->host.mtu = ETH_DATA_LEN;

	vn->stats = vpc_stats_alloc();
	if (!vn->stats)
		return -ENOMEM;
	err = rhashtable_init(&vn->endpoints, &vpc_ep_params);
	if (err)
		goto err_stats;
	err = rhashtable_init(&vn->vpc_names, &vpc_name_params);
	if (err)
		goto err_endpoints;
	return 0;

err_endpoints:
	rhashtable_destroy(&vn->endpoints);
err_stats:
	free_percpu(vn->stats);
	return err;
}

static void __net_exit vpc_net_exit(struct net *net)
{
	struct vpc_net *vn = vpc_net(net);
	struct vpc_mapping *m;
	struct vpc_subnet *sn;
	unsigned long idx;
	struct vpc *vpc;

	/* Ports first: they hold the RTNL and a reference on their netdev. */
	rtnl_lock();
	mutex_lock(&vn->lock);
	vpc_port_flush(vn);
	mutex_unlock(&vn->lock);
	rtnl_unlock();

	vpc_geneve_close(vn);

	mutex_lock(&vn->lock);
	xa_for_each(&vn->mappings, idx, m)
		vpc_mapping_del(vn, m);
	xa_for_each(&vn->subnets, idx, sn)
		vpc_subnet_del(vn, sn, NULL);
	xa_for_each(&vn->vpcs, idx, vpc)
		vpc_del(vn, vpc, NULL);
	mutex_unlock(&vn->lock);

	rhashtable_destroy(&vn->endpoints);
	rhashtable_destroy(&vn->vpc_names);
	xa_destroy(&vn->vpcs);
	xa_destroy(&vn->vnis);
	xa_destroy(&vn->subnets);
	xa_destroy(&vn->ports);
	xa_destroy(&vn->mappings);
	free_percpu(vn->stats);
}

static struct pernet_operations vpc_net_ops = {
	.init	= vpc_net_init,
	.exit	= vpc_net_exit,
	.id	= &vpc_net_id,
	.size	= sizeof(struct vpc_net),
};

/**
 * vpc_switch_init() - give every network namespace a switch
 *
 * Return: 0 or a negative errno.
 */
int __init vpc_switch_init(void)
{
	return register_pernet_device(&vpc_net_ops);
}

/**
 * vpc_switch_exit() - remove every switch and what it holds
 */
void vpc_switch_exit(void)
{
	unregister_pernet_device(&vpc_net_ops);
	/* kfree_rcu() of objects of this module must be done before unload. */
	rcu_barrier();
}
