// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: the DHCP server of the switch. A guest that asks gets its
 * port's address, the subnet mask, the gateway as router, the guest MTU and
 * the VPC's DNS server (its base + 2); nothing else is ever leased.
 */
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/ip.h>

#include "vpc.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define DHCP_MAGIC		0x63825363
#define DHCP_LEASE_SECONDS	3600
#define DHCP_BROADCAST_FLAG	0x8000

enum {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_MASK = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_MTU = 26,
	DHCP_OPT_BROADCAST = 28,
	DHCP_OPT_REQ_ADDR = 50,
	DHCP_OPT_LEASE = 51,
	DHCP_OPT_MSG_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_END = 255,
};

enum {
	DHCPDISCOVER = 1,
	DHCPOFFER = 2,
	DHCPREQUEST = 3,
	DHCPACK = 5,
	DHCPNAK = 6,
};

/* RFC 2131: the fixed part of a BOOTP/DHCP message, then the cookie. */
struct vpc_dhcp {
	u8 op;
	u8 htype;
	u8 hlen;
	u8 hops;
	__be32 xid;
	__be16 secs;
	__be16 flags;
	__be32 ciaddr;
	__be32 yiaddr;
	__be32 siaddr;
	__be32 giaddr;
	u8 chaddr[16];
	u8 sname[64];
	u8 file[128];
	__be32 magic;
	u8 options[];
} __packed;

/* The options of a reply: at most this many bytes. */
#define DHCP_REPLY_OPTS		64

/**
 * vpc_dhcp_match() - whether an IPv4 packet is for the DHCP server
 * @skb: the packet; skb->data at its IPv4 header
 *
 * Return: true for UDP from port 68 to port 67.
 */
bool vpc_dhcp_match(struct sk_buff *skb)
{
	const struct iphdr *iph;
	const struct udphdr *uh;
	unsigned int ihl;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return false;
	iph = ip_hdr(skb);
	ihl = iph->ihl * 4;
	if (iph->protocol != IPPROTO_UDP || ihl < sizeof(*iph) ||
	    !pskb_may_pull(skb, ihl + sizeof(*uh)))
		return false;
	uh = (const struct udphdr *)(skb->data + ihl);
	return uh->source == htons(DHCP_CLIENT_PORT) &&
	       uh->dest == htons(DHCP_SERVER_PORT);
}

static u8 *vpc_dhcp_opt(u8 *p, u8 code, u8 len, const void *val)
{
	*p++ = code;
	*p++ = len;
	memcpy(p, val, len);
	return p + len;
}

static int vpc_dhcp_reply(struct vpc_port *port, const struct vpc_dhcp *req,
			  u8 type)
{
	struct vpc_subnet *sn = port->ep.subnet;
	struct vpc_net *vn = port->vn;
	__be32 dns = htonl(ntohl(sn->vpc->addr) + 2);
	__be32 bcast = sn->addr | ~sn->mask;
	__be32 lease = htonl(DHCP_LEASE_SECONDS);
	__be16 mtu = htons(vpc_guest_mtu(vn));
	unsigned int len, opts_len;
	struct vpc_dhcp *dh;
	struct sk_buff *skb;
	struct ethhdr *eth;
	struct udphdr *uh;
	struct iphdr *iph;
	u8 *p;

	len = sizeof(*iph) + sizeof(*uh) + sizeof(*dh) + DHCP_REPLY_OPTS;
	skb = alloc_skb(LL_RESERVED_SPACE(port->dev) + len, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, LL_RESERVED_SPACE(port->dev));
	skb_reset_network_header(skb);
	iph = skb_put(skb, sizeof(*iph));
	skb_set_transport_header(skb, sizeof(*iph));
	uh = skb_put(skb, sizeof(*uh));
	dh = skb_put_zero(skb, sizeof(*dh) + DHCP_REPLY_OPTS);

	dh->op = 2;	/* BOOTREPLY */
	dh->htype = 1;
	dh->hlen = ETH_ALEN;
	dh->xid = req->xid;
	dh->flags = req->flags;
	dh->giaddr = req->giaddr;
	if (type != DHCPNAK) {
		dh->yiaddr = port->ep.key.addr;
		dh->siaddr = sn->gateway;
	}
	memcpy(dh->chaddr, req->chaddr, sizeof(dh->chaddr));
	dh->magic = htonl(DHCP_MAGIC);

	p = dh->options;
	p = vpc_dhcp_opt(p, DHCP_OPT_MSG_TYPE, 1, &type);
	p = vpc_dhcp_opt(p, DHCP_OPT_SERVER_ID, 4, &sn->gateway);
	if (type != DHCPNAK) {
		p = vpc_dhcp_opt(p, DHCP_OPT_LEASE, 4, &lease);
		p = vpc_dhcp_opt(p, DHCP_OPT_MASK, 4, &sn->mask);
		p = vpc_dhcp_opt(p, DHCP_OPT_ROUTER, 4, &sn->gateway);
		p = vpc_dhcp_opt(p, DHCP_OPT_DNS, 4, &dns);
		p = vpc_dhcp_opt(p, DHCP_OPT_BROADCAST, 4, &bcast);
		p = vpc_dhcp_opt(p, DHCP_OPT_MTU, 2, &mtu);
	}
	*p++ = DHCP_OPT_END;
	opts_len = p - dh->options;
	skb_trim(skb, len - DHCP_REPLY_OPTS + opts_len);
	len = skb->len;

	uh->source = htons(DHCP_SERVER_PORT);
	uh->dest = htons(DHCP_CLIENT_PORT);
	uh->len = htons(len - sizeof(*iph));
	uh->check = 0;

	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->tot_len = htons(len);
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = sn->gateway;
	/* RFC 2131 4.1: broadcast if the client asks or has no address. */
	if (type == DHCPNAK || (req->flags & htons(DHCP_BROADCAST_FLAG)))
		iph->daddr = htonl(INADDR_BROADCAST);
	else
		iph->daddr = port->ep.key.addr;
	ip_send_check(iph);
	uh->check = csum_tcpudp_magic(iph->saddr, iph->daddr, len - sizeof(*iph),
				      IPPROTO_UDP,
				      csum_partial(uh, len - sizeof(*iph), 0));
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;

	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	ether_addr_copy(eth->h_dest, port->ep.mac);
	ether_addr_copy(eth->h_source, vpc_gw_mac);
	eth->h_proto = htons(ETH_P_IP);
	skb_pull(skb, ETH_HLEN);
	skb->protocol = htons(ETH_P_IP);
	vpc_port_deliver(port, skb);
	return 0;
}

/**
 * vpc_dhcp_input() - answer a DHCP message from a port's guest
 * @port: the port
 * @skb: the packet (consumed); skb->data at its IPv4 header
 */
void vpc_dhcp_input(struct vpc_port *port, struct sk_buff *skb)
{
	struct vpc_net *vn = port->vn;
	enum kcloud_vpc_drop why;
	const struct vpc_dhcp *dh;
	const u8 *p, *end;
	__be32 req_addr = 0;
	u8 type = 0;
	int err;

	if (vpc_ip_validate(skb, &why))
		goto drop;
	why = KCLOUD_VPC_DROP_DHCP_INVALID;
	if (skb_linearize(skb))
		goto drop;
	if (skb->len < ip_hdrlen(skb) + sizeof(struct udphdr) + sizeof(*dh))
		goto drop;
	dh = (const struct vpc_dhcp *)(skb_transport_header(skb) +
				       sizeof(struct udphdr));
	if (dh->op != 1 || dh->htype != 1 || dh->hlen != ETH_ALEN ||
	    dh->magic != htonl(DHCP_MAGIC))
		goto drop;
	if (READ_ONCE(port->check) && !ether_addr_equal(dh->chaddr, port->ep.mac)) {
		why = KCLOUD_VPC_DROP_SPOOF_MAC;
		goto drop;
	}

	p = dh->options;
	end = skb_tail_pointer(skb);
	while (p < end && *p != DHCP_OPT_END) {
		u8 code = *p++, len;

		if (code == DHCP_OPT_PAD)
			continue;
		if (p >= end || p + 1 + *p > end)
			goto drop;
		len = *p++;
		if (code == DHCP_OPT_MSG_TYPE && len == 1)
			type = *p;
		else if (code == DHCP_OPT_REQ_ADDR && len == 4)
			memcpy(&req_addr, p, 4);
		p += len;
	}

	switch (type) {
	case DHCPDISCOVER:
		err = vpc_dhcp_reply(port, dh, DHCPOFFER);
		break;
	case DHCPREQUEST:
		if (!req_addr)
			req_addr = dh->ciaddr;
		err = vpc_dhcp_reply(port, dh, req_addr == port->ep.key.addr ?
				     DHCPACK : DHCPNAK);
		break;
	default:
		/* RELEASE, DECLINE, INFORM: there is nothing to do. */
		goto drop;
	}
	if (err) {
		/* No memory for the answer: the request is counted, not lost. */
		why = KCLOUD_VPC_DROP_NOMEM;
		goto drop;
	}
	consume_skb(skb);
	return;

drop:
	vpc_drop(vn, port, skb, why);
}
