// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: the datapath. Frames a guest sends arrive in the receive
 * handler of its port; IPv4 packets are switched or routed to a local port
 * or to a remote host. Packets from remote hosts, decapsulated, are
 * delivered to their port. Everything runs under RCU, without a lock.
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <net/ip.h>

#include "vpc.h"

/**
 * vpc_ip_validate() - check the IPv4 header at skb->data
 * @skb: the packet; trimmed to the IPv4 total length
 * @why: the drop reason when it fails
 *
 * The header is made linear, its transport header set.
 *
 * Return: 0 or -EINVAL.
 */
int vpc_ip_validate(struct sk_buff *skb, enum kcloud_vpc_drop *why)
{
	const struct iphdr *iph;
	unsigned int len;

	*why = KCLOUD_VPC_DROP_MALFORMED;
	if (!pskb_may_pull(skb, sizeof(*iph)))
		return -EINVAL;
	iph = ip_hdr(skb);
	if (iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	if (!pskb_may_pull(skb, iph->ihl * 4))
		return -EINVAL;
	iph = ip_hdr(skb);
	if (unlikely(ip_fast_csum((u8 *)iph, iph->ihl)))
		return -EINVAL;
	len = ntohs(iph->tot_len);
	if (len < iph->ihl * 4 || skb->len < len)
		return -EINVAL;
	if (pskb_trim_rcsum(skb, len))
		return -EINVAL;
	if (iph->ihl > 5) {
		*why = KCLOUD_VPC_DROP_IP_OPTIONS;
		return -EINVAL;
	}
	if (ip_is_fragment(iph)) {
		*why = KCLOUD_VPC_DROP_FRAGMENT;
		return -EINVAL;
	}
	skb_set_transport_header(skb, iph->ihl * 4);
	return 0;
}

/**
 * vpc_port_deliver() - give a frame to a port's guest
 * @port: the port
 * @skb: the frame; skb->data at the network header, the MAC header set
 */
void vpc_port_deliver(struct vpc_port *port, struct sk_buff *skb)
{
	unsigned int len;

	skb_push(skb, ETH_HLEN);
	skb_postpush_rcsum(skb, skb->data, ETH_HLEN);
	skb_reset_mac_header(skb);
	skb->dev = port->dev;
	skb->pkt_type = PACKET_OUTGOING;
	len = skb->len;
	vpc_stats_tx(port->vn, port, len);
	dev_queue_xmit(skb);
}

static bool vpc_too_big(struct sk_buff *skb, u32 mtu)
{
	if (skb->len <= mtu)
		return false;
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return true;
}

/* Forward an IPv4 packet from @port to the endpoint of its destination. */
static void vpc_ip_forward(struct vpc_port *port, struct sk_buff *skb)
{
	struct vpc_net *vn = port->vn;
	enum kcloud_vpc_drop why;
	struct ethhdr *eth;
	struct vpc_ep *ep;
	struct iphdr *iph;
	bool routed;
	u32 mtu;

	if (vpc_ip_validate(skb, &why))
		goto drop;
	iph = ip_hdr(skb);
	eth = eth_hdr(skb);

	if (READ_ONCE(port->check) && iph->saddr != port->ep.key.addr) {
		why = KCLOUD_VPC_DROP_SPOOF_IP;
		goto drop;
	}
	if (is_multicast_ether_addr(eth->h_dest) ||
	    ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr)) {
		why = KCLOUD_VPC_DROP_BROADCAST;
		goto drop;
	}

	ep = vpc_ep_lookup(vn, port->ep.key.vpc_id, iph->daddr);
	if (!ep || ep == &port->ep) {
		why = KCLOUD_VPC_DROP_NO_ROUTE;
		goto drop;
	}
	if (ether_addr_equal(eth->h_dest, vpc_gw_mac)) {
		routed = true;
	} else if (ep->subnet == port->ep.subnet &&
		   ether_addr_equal(eth->h_dest, ep->mac)) {
		routed = false;
	} else {
		why = KCLOUD_VPC_DROP_BAD_DMAC;
		goto drop;
	}

	mtu = vpc_guest_mtu(vn);
	if (vpc_too_big(skb, mtu)) {
		if (iph->frag_off & htons(IP_DF))
			vpc_icmp_reply(port, skb, ICMP_DEST_UNREACH,
				       ICMP_FRAG_NEEDED, mtu);
		why = KCLOUD_VPC_DROP_TOO_BIG;
		goto drop;
	}

	if (routed) {
		if (iph->ttl <= 1) {
			vpc_icmp_reply(port, skb, ICMP_TIME_EXCEEDED,
				       ICMP_EXC_TTL, 0);
			why = KCLOUD_VPC_DROP_TTL;
			goto drop;
		}
		if (skb_cow_head(skb, 0)) {
			why = KCLOUD_VPC_DROP_NOMEM;
			goto drop;
		}
		iph = ip_hdr(skb);
		eth = eth_hdr(skb);
		ip_decrease_ttl(iph);
		ether_addr_copy(eth->h_source, vpc_gw_mac);
		ether_addr_copy(eth->h_dest, ep->mac);
	}

	if (ep->kind == VPC_EP_PORT)
		vpc_port_deliver(container_of(ep, struct vpc_port, ep), skb);
	else
		vpc_geneve_xmit(vn, container_of(ep, struct vpc_mapping, ep), skb);
	return;

drop:
	vpc_drop(vn, port, skb, why);
}

/**
 * vpc_port_rx() - the receive handler of a port: all it receives
 * @pskb: the frame
 *
 * Return: RX_HANDLER_CONSUMED; nothing reaches the host's stack.
 */
rx_handler_result_t vpc_port_rx(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct vpc_port *port = rcu_dereference(skb->dev->rx_handler_data);
	struct vpc_net *vn = port->vn;
	const struct ethhdr *eth;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb) {
		vpc_drop(vn, port, NULL, KCLOUD_VPC_DROP_NOMEM);
		return RX_HANDLER_CONSUMED;
	}
	vpc_stats_rx(vn, port, skb->len + ETH_HLEN);

	eth = eth_hdr(skb);
	if (READ_ONCE(port->check) &&
	    !ether_addr_equal(eth->h_source, port->ep.mac)) {
		vpc_drop(vn, port, skb, KCLOUD_VPC_DROP_SPOOF_MAC);
		return RX_HANDLER_CONSUMED;
	}
	if (skb_vlan_tag_present(skb)) {
		vpc_drop(vn, port, skb, KCLOUD_VPC_DROP_ETHERTYPE);
		return RX_HANDLER_CONSUMED;
	}

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		if (vpc_dhcp_match(skb))
			vpc_dhcp_input(port, skb);
		else
			vpc_ip_forward(port, skb);
		break;
	case htons(ETH_P_ARP):
		vpc_arp_input(port, skb);
		break;
	default:
		vpc_drop(vn, port, skb, KCLOUD_VPC_DROP_ETHERTYPE);
		break;
	}
	return RX_HANDLER_CONSUMED;
}

/**
 * vpc_tunnel_input() - deliver a packet decapsulated from Geneve
 * @vn: the switch
 * @vpc: the VPC of its VNI
 * @underlay: the underlay address of the host that sent it
 * @skb: the inner frame; skb->data at the inner network header
 */
void vpc_tunnel_input(struct vpc_net *vn, struct vpc *vpc, __be32 underlay,
		      struct sk_buff *skb)
{
	enum kcloud_vpc_drop why;
	struct vpc_port *port;
	struct vpc_ep *ep;
	struct iphdr *iph;

	if (skb->protocol != htons(ETH_P_IP)) {
		why = KCLOUD_VPC_DROP_ETHERTYPE;
		goto drop;
	}
	if (vpc_ip_validate(skb, &why))
		goto drop;
	iph = ip_hdr(skb);

	ep = vpc_ep_lookup(vn, vpc->id, iph->saddr);
	if (!ep || ep->kind != VPC_EP_MAPPING ||
	    container_of(ep, struct vpc_mapping, ep)->underlay != underlay) {
		why = KCLOUD_VPC_DROP_REMOTE_SPOOF;
		goto drop;
	}
	ep = vpc_ep_lookup(vn, vpc->id, iph->daddr);
	if (!ep || ep->kind != VPC_EP_PORT) {
		why = KCLOUD_VPC_DROP_NO_ROUTE;
		goto drop;
	}
	port = container_of(ep, struct vpc_port, ep);
	if (!ether_addr_equal(eth_hdr(skb)->h_dest, port->ep.mac)) {
		vpc_drop(vn, port, skb, KCLOUD_VPC_DROP_BAD_DMAC);
		return;
	}
	vpc_port_deliver(port, skb);
	return;

drop:
	vpc_drop(vn, NULL, skb, why);
}
