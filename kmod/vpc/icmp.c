// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: ICMP errors from a subnet's gateway to a local guest (time
 * exceeded, fragmentation needed). The switch has no route or socket of its
 * own in the VPC, so it builds them itself.
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "vpc.h"

/**
 * vpc_icmp_reply() - send an ICMP error about @skb back to its sender
 * @port: the port @skb came from
 * @skb: the offending packet (not consumed); skb->data at its IPv4 header
 * @type: ICMP type
 * @code: ICMP code
 * @info: the next-hop MTU for ICMP_FRAG_NEEDED
 */
void vpc_icmp_reply(struct vpc_port *port, struct sk_buff *skb, u8 type,
		    u8 code, u32 info)
{
	const struct iphdr *oiph = ip_hdr(skb);
	unsigned int quote, len;
	struct icmphdr *icmph;
	struct sk_buff *nskb;
	struct ethhdr *eth;
	struct iphdr *iph;

	/* RFC 792: the IPv4 header and the first 8 bytes of its payload. */
	quote = min_t(unsigned int, skb->len, oiph->ihl * 4 + 8);
	len = sizeof(*iph) + sizeof(*icmph) + quote;
	nskb = alloc_skb(LL_RESERVED_SPACE(port->dev) + len, GFP_ATOMIC);
	if (!nskb)
		return;
	skb_reserve(nskb, LL_RESERVED_SPACE(port->dev));
	skb_reset_network_header(nskb);
	iph = skb_put(nskb, sizeof(*iph));
	icmph = skb_put(nskb, sizeof(*icmph));
	if (skb_copy_bits(skb, 0, skb_put(nskb, quote), quote)) {
		kfree_skb(nskb);
		return;
	}

	icmph->type = type;
	icmph->code = code;
	icmph->checksum = 0;
	icmph->un.gateway = 0;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		icmph->un.frag.mtu = htons(info);
	icmph->checksum = csum_fold(csum_partial(icmph, sizeof(*icmph) + quote, 0));

	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->tot_len = htons(len);
	iph->id = 0;
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = port->ep.subnet->gateway;
	iph->daddr = oiph->saddr;
	ip_send_check(iph);

	eth = skb_push(nskb, ETH_HLEN);
	skb_reset_mac_header(nskb);
	ether_addr_copy(eth->h_dest, port->ep.mac);
	ether_addr_copy(eth->h_source, vpc_gw_mac);
	eth->h_proto = htons(ETH_P_IP);
	skb_pull(nskb, ETH_HLEN);
	nskb->protocol = htons(ETH_P_IP);
	vpc_port_deliver(port, nskb);
}
