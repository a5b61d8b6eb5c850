// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: Geneve between hosts. Each switch has one kernel UDP tunnel
 * socket; frames for a remote guest are sent in Geneve with the VPC's VNI,
 * with GSO and checksum offload kept through the encapsulation, and what
 * the socket receives is decapsulated and delivered to a local port.
 */
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/gro.h>
#include <net/ip_tunnels.h>
#include <net/netlink.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "vpc.h"

/*
 * RFC 8926: the Geneve header, as struct genevehdr of <net/geneve.h> (not
 * included: its flexible array of options upsets sparse).
 */
struct vpc_genevehdr {
#ifdef __LITTLE_ENDIAN_BITFIELD
	u8 opt_len:6;
	u8 ver:2;
	u8 rsvd1:6;
	u8 critical:1;
	u8 oam:1;
#else
	u8 ver:2;
	u8 opt_len:6;
	u8 oam:1;
	u8 critical:1;
	u8 rsvd1:6;
#endif
	__be16 proto_type;
	u8 vni[3];
	u8 rsvd2;
};

#define VPC_GENEVE_HLEN	(sizeof(struct udphdr) + sizeof(struct vpc_genevehdr))

static u32 vpc_geneve_vni(const struct vpc_genevehdr *gnvh)
{
	return (gnvh->vni[0] << 16) | (gnvh->vni[1] << 8) | gnvh->vni[2];
}

/* encap_rcv of the tunnel socket: skb->data at the UDP header. */
static int vpc_geneve_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct vpc_net *vn = rcu_dereference_sk_user_data(sk);
	enum kcloud_vpc_drop why = KCLOUD_VPC_DROP_GENEVE_INVALID;
	const struct vpc_genevehdr *gnvh;
	struct vpc *vpc;
	__be32 underlay;

	if (!vn) {
		kfree_skb(skb);
		return 0;
	}
	if (!pskb_may_pull(skb, VPC_GENEVE_HLEN))
		goto drop;
	gnvh = (const struct vpc_genevehdr *)(udp_hdr(skb) + 1);
	/* No option is understood here: a critical one cannot be ignored. */
	if (gnvh->ver != 0 || gnvh->oam || gnvh->critical ||
	    gnvh->proto_type != htons(ETH_P_TEB))
		goto drop;
	vpc = xa_load(&vn->vnis, vpc_geneve_vni(gnvh));
	if (!vpc) {
		why = KCLOUD_VPC_DROP_VNI_UNKNOWN;
		goto drop;
	}
	underlay = ip_hdr(skb)->saddr;
	if (iptunnel_pull_header(skb, VPC_GENEVE_HLEN + gnvh->opt_len * 4,
				 htons(ETH_P_TEB), false))
		goto drop;

	/* skb->data at the inner Ethernet header, which is in the head. */
	skb_reset_mac_header(skb);
	__skb_pull(skb, ETH_HLEN);
	skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
	skb_reset_network_header(skb);
	vpc_stats_tunnel(vn, false);
	vpc_tunnel_input(vn, vpc, underlay, skb);
	return 0;

drop:
	vpc_drop(vn, NULL, skb, why);
	return 0;
}

/*
 * GRO of the tunnel socket (udp_gro_receive() calls it, skb at the Geneve
 * header): the Geneve frames of one inner TCP flow are merged into one
 * large skb, then decapsulated once, so that a guest receives what the
 * remote guest sent in large GSO packets even when the underlay NIC cut
 * them to its MTU. Frames are held together only when their Geneve headers
 * (VNI, options) are equal; the inner frames go through Ethernet GRO.
 */
static struct sk_buff *vpc_geneve_gro_receive(struct sock *sk,
					      struct list_head *head,
					      struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb), hlen;
	const struct vpc_genevehdr *gnvh, *other;
	struct sk_buff *pp = NULL, *p;
	int flush = 1;

	gnvh = skb_gro_header(skb, off + sizeof(*gnvh), off);
	if (!gnvh)
		goto out;
	if (gnvh->ver != 0 || gnvh->oam || gnvh->critical ||
	    gnvh->proto_type != htons(ETH_P_TEB))
		goto out;
	hlen = sizeof(*gnvh) + gnvh->opt_len * 4;
	gnvh = skb_gro_header(skb, off + hlen, off);
	if (!gnvh)
		goto out;

	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		other = (const struct vpc_genevehdr *)(p->data + off);
		if (memcmp(gnvh, other, hlen))
			NAPI_GRO_CB(p)->same_flow = 0;
	}

	skb_gro_pull(skb, hlen);
	skb_gro_postpull_rcsum(skb, gnvh, hlen);
	pp = call_gro_receive(eth_gro_receive, head, skb);
	flush = 0;
out:
	skb_gro_flush_final(skb, pp, flush);
	return pp;
}

/* The end of GRO: @nhoff is the offset of the Geneve header. */
static int vpc_geneve_gro_complete(struct sock *sk, struct sk_buff *skb,
				   int nhoff)
{
	const struct vpc_genevehdr *gnvh = (void *)(skb->data + nhoff);
	int hlen = sizeof(*gnvh) + gnvh->opt_len * 4;

	skb_set_inner_mac_header(skb, nhoff + hlen);
	return eth_gro_complete(skb, nhoff + hlen);
}

/**
 * vpc_geneve_xmit() - send a frame to the host of a remote guest
 * @vn: the switch
 * @m: the mapping of the destination
 * @skb: the frame, addressed to the guest; skb->data at its IPv4 header
 */
void vpc_geneve_xmit(struct vpc_net *vn, struct vpc_mapping *m,
		     struct sk_buff *skb)
{
	enum kcloud_vpc_drop why = KCLOUD_VPC_DROP_UNDERLAY_ERROR;
	struct vpc_genevehdr *gnvh;
	struct socket *sock;
	struct flowi4 fl4;
	struct rtable *rt;
	__be16 sport;
	u32 vni;
	int err;

	sock = rcu_dereference(vn->sock);
	if (!sock) {
		vpc_drop(vn, NULL, skb, KCLOUD_VPC_DROP_NO_UNDERLAY);
		return;
	}

	memset(&fl4, 0, sizeof(fl4));
	fl4.flowi4_proto = IPPROTO_UDP;
	fl4.daddr = m->underlay;
	fl4.saddr = READ_ONCE(vn->host.addr);
	rt = ip_route_output_key(vn->net, &fl4);
	if (IS_ERR(rt))
		goto drop;

	skb_push(skb, ETH_HLEN);
	skb_postpush_rcsum(skb, skb->data, ETH_HLEN);
	skb_reset_mac_header(skb);
	skb_scrub_packet(skb, false);

	err = skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			   rt->dst.header_len + sizeof(struct iphdr) +
			   VPC_GENEVE_HLEN);
	if (err)
		goto drop_rt;
	/* Outer UDP checksum zero (RFC 8926 allows it over IPv4). */
	err = udp_tunnel_handle_offloads(skb, false);
	if (err)
		goto drop_rt;

	vni = m->ep.vpc->vni;
	gnvh = __skb_push(skb, sizeof(*gnvh));
	memset(gnvh, 0, sizeof(*gnvh));
	gnvh->proto_type = htons(ETH_P_TEB);
	gnvh->vni[0] = vni >> 16;
	gnvh->vni[1] = vni >> 8;
	gnvh->vni[2] = vni;
	skb_set_inner_protocol(skb, htons(ETH_P_TEB));

	sport = udp_flow_src_port(vn->net, skb, 1, USHRT_MAX, true);
	vpc_stats_tunnel(vn, true);
	udp_tunnel_xmit_skb(rt, sock->sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), htons(IP_DF), sport,
			    htons(READ_ONCE(vn->host.udp_port)), false, true);
	return;

drop_rt:
	ip_rt_put(rt);
drop:
	vpc_drop(vn, NULL, skb, why);
}

/**
 * vpc_geneve_open() - open (or reopen) the switch's tunnel socket
 * @vn: the switch (its lock held)
 * @udp_port: the UDP port to listen on
 * @extack: where to say why not
 *
 * Return: 0 or a negative errno; the old socket is kept on error.
 */
int vpc_geneve_open(struct vpc_net *vn, u16 udp_port,
		    struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data	= vn,
		.encap_type	= 1,
		.encap_rcv	= vpc_geneve_rcv,
		.gro_receive	= vpc_geneve_gro_receive,
		.gro_complete	= vpc_geneve_gro_complete,
	};
	struct udp_port_cfg conf = {
		.family		= AF_INET,
		.local_ip.s_addr = htonl(INADDR_ANY),
		.local_udp_port	= htons(udp_port),
	};
	struct socket *sock, *old;
	int err;

	lockdep_assert_held(&vn->lock);
	old = rcu_dereference_protected(vn->sock, lockdep_is_held(&vn->lock));
	if (old && READ_ONCE(vn->host.udp_port) == udp_port)
		return 0;

	err = udp_sock_create(vn->net, &conf, &sock);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot open the Geneve UDP socket (port in use?)");
		return err;
	}
	udp_allow_gso(sock->sk);
	setup_udp_tunnel_sock(vn->net, sock, &cfg);

	rcu_assign_pointer(vn->sock, sock);
	if (old)
		udp_tunnel_sock_release(old);
	return 0;
}

/**
 * vpc_geneve_close() - close the switch's tunnel socket
 * @vn: the switch
 */
void vpc_geneve_close(struct vpc_net *vn)
{
	struct socket *sock;

	mutex_lock(&vn->lock);
	sock = rcu_dereference_protected(vn->sock, lockdep_is_held(&vn->lock));
	RCU_INIT_POINTER(vn->sock, NULL);
	mutex_unlock(&vn->lock);
	/* Waits for readers of the socket and of its sk_user_data. */
	if (sock)
		udp_tunnel_sock_release(sock);
}
