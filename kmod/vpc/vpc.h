/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud_vpc: the VPC overlay switch. Internal declarations shared by the
 * files of the module.
 *
 * Locking: each network namespace has its own switch (struct vpc_net) with
 * a mutex that serialises configuration; port changes take the RTNL first.
 * The datapath only reads, under RCU: the endpoint table (rhashtable, key =
 * VPC id + IPv4 address) and the VNI table (xarray). Objects are freed after
 * an RCU grace period.
 */
#ifndef _KCLOUD_VPC_H
#define _KCLOUD_VPC_H

#include <linux/if_ether.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rhashtable.h>
#include <linux/u64_stats_sync.h>
#include <linux/xarray.h>

#include <uapi/linux/kcloud_vpc.h>

#define KCLOUD_VPC_VERSION	"0.2.0"

struct genl_info;
struct netlink_ext_ack;

struct vpc_pcpu_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t tunnel_rx_packets;
	u64_stats_t tunnel_tx_packets;
	u64_stats_t drops[__KCLOUD_VPC_DROP_MAX];
	struct u64_stats_sync syncp;
};

struct vpc_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 tunnel_rx_packets;
	u64 tunnel_tx_packets;
	u64 drops[__KCLOUD_VPC_DROP_MAX];
};

/* The underlay of a switch; fields read locklessly use READ_ONCE(). */
struct vpc_host {
	bool configured;
	__be32 addr;
	u16 udp_port;
	u32 mtu;
};

struct vpc_net {
	struct net *net;
	struct mutex lock;		/* configuration */
	struct xarray vpcs;		/* id -> struct vpc */
	struct rhashtable vpc_names;	/* name -> struct vpc */
	struct xarray vnis;		/* VNI -> struct vpc (RCU) */
	struct xarray subnets;		/* id -> struct vpc_subnet */
	struct xarray ports;		/* ifindex -> struct vpc_port */
	struct xarray mappings;		/* id -> struct vpc_mapping */
	struct rhashtable endpoints;	/* (VPC, IPv4) -> struct vpc_ep (RCU) */
	struct vpc_host host;
	struct socket __rcu *sock;	/* Geneve tunnel socket */
	struct vpc_pcpu_stats __percpu *stats;
};

struct vpc {
	u32 id;
	u32 vni;
	__be32 addr;
	u8 plen;
	char name[KCLOUD_VPC_NAME_LEN];	/* NUL-padded: the key of vpc_names */
	struct rhash_head name_node;
	u32 n_subnets;
	/*
	 * Host-order address -> struct vpc_subnet, one multi-index entry
	 * over each subnet's CIDR: the subnet of an address and overlaps in
	 * O(log 2^32), whatever the number of subnets.
	 */
	struct xarray subnet_map;
	struct rcu_head rcu;
};

struct vpc_subnet {
	u32 id;
	struct vpc *vpc;
	__be32 addr;
	__be32 mask;
	__be32 gateway;
	u8 plen;
	char name[KCLOUD_VPC_NAME_LEN];
	u32 users;			/* ports and mappings in it */
	struct rcu_head rcu;
};

/* The key of the endpoint table: no padding, hashed as 8 bytes. */
struct vpc_ep_key {
	u32 vpc_id;
	__be32 addr;
};

enum vpc_ep_kind {
	VPC_EP_PORT,
	VPC_EP_MAPPING,
};

/* What an address of a VPC is: a local port or a remote mapping. */
struct vpc_ep {
	struct rhash_head node;
	struct vpc_ep_key key;
	enum vpc_ep_kind kind;
	u8 mac[ETH_ALEN];
	struct vpc_subnet *subnet;
	struct vpc *vpc;
};

struct vpc_port {
	struct vpc_ep ep;		/* first: a port is an endpoint */
	struct vpc_net *vn;
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	bool check;			/* source/destination check */
	struct vpc_pcpu_stats __percpu *stats;
};

struct vpc_mapping {
	struct vpc_ep ep;		/* first */
	u32 id;
	__be32 underlay;
	struct rcu_head rcu;
};

extern const struct rhashtable_params vpc_ep_params;
extern unsigned int vpc_net_id;
extern const u8 vpc_gw_mac[ETH_ALEN];

/* netlink.c */
int vpc_genl_init(void);
void vpc_genl_exit(void);

/* switch.c */
int vpc_switch_init(void);
void vpc_switch_exit(void);
struct vpc_net *vpc_net(struct net *net);
struct vpc *vpc_find(struct vpc_net *vn, u32 id, const char *name);
int vpc_rename(struct vpc_net *vn, struct vpc *vpc, const char *name,
	       struct netlink_ext_ack *extack);
struct vpc *vpc_add(struct vpc_net *vn, const char *name, u32 vni, __be32 addr,
		    u8 plen, struct netlink_ext_ack *extack);
int vpc_del(struct vpc_net *vn, struct vpc *vpc, struct netlink_ext_ack *extack);
struct vpc_subnet *vpc_subnet_find(struct vpc_net *vn, struct vpc *vpc,
				   __be32 addr, u8 plen);
struct vpc_subnet *vpc_subnet_of(struct vpc_net *vn, struct vpc *vpc,
				 __be32 addr);
struct vpc_subnet *vpc_subnet_add(struct vpc_net *vn, struct vpc *vpc,
				  __be32 addr, u8 plen, const char *name,
				  struct netlink_ext_ack *extack);
int vpc_subnet_del(struct vpc_net *vn, struct vpc_subnet *sn,
		   struct netlink_ext_ack *extack);
struct vpc_subnet *vpc_subnet_for_host(struct vpc_net *vn, struct vpc *vpc,
				       __be32 addr, const struct nlattr *attr,
				       struct netlink_ext_ack *extack);
struct vpc_ep *vpc_ep_lookup(struct vpc_net *vn, u32 vpc_id, __be32 addr);
struct vpc_mapping *vpc_mapping_find(struct vpc_net *vn, struct vpc *vpc,
				     __be32 addr);
struct vpc_mapping *vpc_mapping_add(struct vpc_net *vn, struct vpc_subnet *sn,
				    __be32 addr, const u8 *mac, __be32 underlay,
				    struct netlink_ext_ack *extack);
void vpc_mapping_del(struct vpc_net *vn, struct vpc_mapping *m);
struct vpc_mapping *vpc_mapping_set(struct vpc_net *vn, struct vpc_mapping *m,
				    const u8 *mac, __be32 underlay);
u32 vpc_guest_mtu(const struct vpc_net *vn);

/* port.c */
int vpc_port_init(void);
void vpc_port_exit(void);
struct vpc_port *vpc_port_add(struct vpc_net *vn, struct net_device *dev,
			      struct vpc_subnet *sn, __be32 addr, const u8 *mac,
			      bool check, struct netlink_ext_ack *extack);
void vpc_port_del(struct vpc_port *port);
void vpc_port_flush(struct vpc_net *vn);

/* datapath.c */
rx_handler_result_t vpc_port_rx(struct sk_buff **pskb);
void vpc_port_deliver(struct vpc_port *port, struct sk_buff *skb);
void vpc_tunnel_input(struct vpc_net *vn, struct vpc *vpc, __be32 underlay,
		      struct sk_buff *skb);
int vpc_ip_validate(struct sk_buff *skb, enum kcloud_vpc_drop *why);

/* arp.c */
void vpc_arp_input(struct vpc_port *port, struct sk_buff *skb);

/* dhcp.c */
bool vpc_dhcp_match(struct sk_buff *skb);
void vpc_dhcp_input(struct vpc_port *port, struct sk_buff *skb);

/* icmp.c */
void vpc_icmp_reply(struct vpc_port *port, struct sk_buff *skb, u8 type,
		    u8 code, u32 info);

/* geneve.c */
int vpc_geneve_open(struct vpc_net *vn, u16 udp_port,
		    struct netlink_ext_ack *extack);
void vpc_geneve_close(struct vpc_net *vn);
void vpc_geneve_xmit(struct vpc_net *vn, struct vpc_mapping *m,
		     struct sk_buff *skb);

/* stats.c */
struct vpc_pcpu_stats __percpu *vpc_stats_alloc(void);
void vpc_stats_read(struct vpc_pcpu_stats __percpu *pcpu, struct vpc_stats *s);
int vpc_stats_fill(struct sk_buff *msg, const struct vpc_stats *s, bool tunnel);
void vpc_drop(struct vpc_net *vn, struct vpc_port *port, struct sk_buff *skb,
	      enum kcloud_vpc_drop why);
void vpc_stats_rx(struct vpc_net *vn, struct vpc_port *port, unsigned int len);
void vpc_stats_tx(struct vpc_net *vn, struct vpc_port *port, unsigned int len);
void vpc_stats_tunnel(struct vpc_net *vn, bool tx);

#endif /* _KCLOUD_VPC_H */
