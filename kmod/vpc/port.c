// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: ports, netdevs of the switch's namespace (veth ends, taps)
 * whose receive handler is the switch.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "vpc.h"

/**
 * vpc_port_add() - attach a netdev to the switch
 * @vn: the switch (RTNL and its lock held)
 * @dev: the netdev, in the switch's namespace
 * @sn: the subnet of @addr (from vpc_subnet_for_host())
 * @addr: the guest's IPv4 address
 * @mac: the guest's MAC
 * @check: the source/destination check
 * @extack: where to say why not
 *
 * Return: the port or an ERR_PTR().
 */
struct vpc_port *vpc_port_add(struct vpc_net *vn, struct net_device *dev,
			      struct vpc_subnet *sn, __be32 addr, const u8 *mac,
			      bool check, struct netlink_ext_ack *extack)
{
	struct vpc_port *port;
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&vn->lock);

	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN ||
	    (dev->flags & IFF_LOOPBACK)) {
		NL_SET_ERR_MSG_MOD(extack, "netdev is not an Ethernet device");
		return ERR_PTR(-EINVAL);
	}
	if (netdev_is_rx_handler_busy(dev)) {
		NL_SET_ERR_MSG_MOD(extack, "netdev has a receive handler (a port, a bridge...)");
		return ERR_PTR(-EBUSY);
	}

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->stats = vpc_stats_alloc();
	if (!port->stats) {
		err = -ENOMEM;
		goto err_free;
	}
	port->ep.kind = VPC_EP_PORT;
	port->ep.key.vpc_id = sn->vpc->id;
	port->ep.key.addr = addr;
	port->ep.subnet = sn;
	port->ep.vpc = sn->vpc;
	ether_addr_copy(port->ep.mac, mac);
	port->vn = vn;
	port->dev = dev;
	port->check = check;

	err = xa_insert(&vn->ports, dev->ifindex, port, GFP_KERNEL);
	if (err)
		goto err_stats;
	err = netdev_rx_handler_register(dev, vpc_port_rx, port);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register the receive handler");
		goto err_erase;
	}
	err = rhashtable_insert_fast(&vn->endpoints, &port->ep.node, vpc_ep_params);
	if (err)
		goto err_unregister;

	netdev_hold(dev, &port->dev_tracker, GFP_KERNEL);
	sn->users++;
	return port;

err_unregister:
	netdev_rx_handler_unregister(dev);
err_erase:
	xa_erase(&vn->ports, dev->ifindex);
err_stats:
	free_percpu(port->stats);
err_free:
	kfree(port);
	return ERR_PTR(err);
}

/**
 * vpc_port_del() - detach a port; its traffic stops at once
 * @port: the port (RTNL and its switch's lock held)
 */
void vpc_port_del(struct vpc_port *port)
{
	struct vpc_net *vn = port->vn;

	ASSERT_RTNL();
	lockdep_assert_held(&vn->lock);

	rhashtable_remove_fast(&vn->endpoints, &port->ep.node, vpc_ep_params);
	xa_erase(&vn->ports, port->dev->ifindex);
	/* Waits for every reader: none can see the port after this. */
	netdev_rx_handler_unregister(port->dev);
	port->ep.subnet->users--;
	netdev_put(port->dev, &port->dev_tracker);
	free_percpu(port->stats);
	kfree(port);
}

/**
 * vpc_port_flush() - detach every port of a switch
 * @vn: the switch (RTNL and its lock held)
 */
void vpc_port_flush(struct vpc_net *vn)
{
	struct vpc_port *port;
	unsigned long idx;

	xa_for_each(&vn->ports, idx, port)
		vpc_port_del(port);
}

static int vpc_port_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vpc_net *vn;
	struct vpc_port *port;

	if (event != NETDEV_UNREGISTER ||
	    rcu_access_pointer(dev->rx_handler) != vpc_port_rx)
		return NOTIFY_DONE;

	vn = vpc_net(dev_net(dev));
	mutex_lock(&vn->lock);
	port = xa_load(&vn->ports, dev->ifindex);
	if (port && port->dev == dev)
		vpc_port_del(port);
	mutex_unlock(&vn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block vpc_port_notifier = {
	.notifier_call = vpc_port_event,
};

/**
 * vpc_port_init() - remove ports whose netdev goes away
 *
 * Return: 0 or a negative errno.
 */
int __init vpc_port_init(void)
{
	return register_netdevice_notifier(&vpc_port_notifier);
}

/**
 * vpc_port_exit() - stop watching netdevs
 */
void vpc_port_exit(void)
{
	unregister_netdevice_notifier(&vpc_port_notifier);
}
