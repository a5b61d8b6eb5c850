// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: ARP, answered by the switch for the addresses it knows.
 * Requests are never flooded.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <net/arp.h>

#include "vpc.h"

/* The Ethernet/IPv4 body of an ARP packet, after struct arphdr. */
struct vpc_arp_eth_ipv4 {
	u8 sha[ETH_ALEN];
	__be32 sip;
	u8 tha[ETH_ALEN];
	__be32 tip;
} __packed;

/**
 * vpc_arp_input() - answer an ARP request from a port's guest
 * @port: the port
 * @skb: the ARP packet; skb->data at the ARP header
 */
void vpc_arp_input(struct vpc_port *port, struct sk_buff *skb)
{
	struct vpc_subnet *sn = port->ep.subnet;
	struct vpc_net *vn = port->vn;
	const struct vpc_arp_eth_ipv4 *body;
	const struct arphdr *arp;
	const u8 *mac;
	struct sk_buff *reply;
	struct vpc_ep *ep;
	__be32 sip, tip;
	u8 sha[ETH_ALEN];

	if (!pskb_may_pull(skb, sizeof(*arp) + sizeof(*body)))
		goto invalid;
	arp = arp_hdr(skb);
	if (arp->ar_hrd != htons(ARPHRD_ETHER) || arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4 ||
	    arp->ar_op != htons(ARPOP_REQUEST))
		goto invalid;
	body = (const struct vpc_arp_eth_ipv4 *)(arp + 1);
	ether_addr_copy(sha, body->sha);
	sip = body->sip;
	tip = body->tip;

	if (READ_ONCE(port->check)) {
		if (!ether_addr_equal(sha, port->ep.mac)) {
			vpc_drop(vn, port, skb, KCLOUD_VPC_DROP_SPOOF_MAC);
			return;
		}
		/* 0.0.0.0 is an address probe (RFC 5227). */
		if (sip && sip != port->ep.key.addr) {
			vpc_drop(vn, port, skb, KCLOUD_VPC_DROP_SPOOF_IP);
			return;
		}
	}
	if (!is_valid_ether_addr(sha))
		goto invalid;

	if (tip == sn->gateway) {
		mac = vpc_gw_mac;
	} else {
		ep = vpc_ep_lookup(vn, port->ep.key.vpc_id, tip);
		if (!ep || ep == &port->ep) {
			vpc_drop(vn, port, skb, KCLOUD_VPC_DROP_ARP_UNKNOWN);
			return;
		}
		/* Another subnet is behind the gateway: proxy for it. */
		mac = ep->subnet == sn ? ep->mac : vpc_gw_mac;
	}

	reply = arp_create(ARPOP_REPLY, ETH_P_ARP, sip, port->dev, tip, sha,
			   mac, sha);
	consume_skb(skb);
	if (!reply) {
		vpc_drop(vn, port, NULL, KCLOUD_VPC_DROP_NOMEM);
		return;
	}
	/* arp_create() leaves skb->data at the Ethernet header. */
	skb_pull(reply, ETH_HLEN);
	vpc_port_deliver(port, reply);
	return;

invalid:
	vpc_drop(vn, port, skb, KCLOUD_VPC_DROP_ARP_INVALID);
}
