// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_vpc: per-CPU counters of ports and switches, drop reasons.
 */
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <net/netlink.h>

#include "vpc.h"

/**
 * vpc_stats_alloc() - per-CPU counters, zeroed
 *
 * Return: the counters or NULL.
 */
struct vpc_pcpu_stats __percpu *vpc_stats_alloc(void)
{
	struct vpc_pcpu_stats __percpu *s;
	int cpu;

	s = alloc_percpu(struct vpc_pcpu_stats);
	if (!s)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s, cpu)->syncp);
	return s;
}

/**
 * vpc_stats_read() - sum per-CPU counters
 * @pcpu: the counters
 * @s: the sums
 */
void vpc_stats_read(struct vpc_pcpu_stats __percpu *pcpu, struct vpc_stats *s)
{
	int cpu, i;

	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		const struct vpc_pcpu_stats *p = per_cpu_ptr(pcpu, cpu);
		struct vpc_stats t;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			t.rx_packets = u64_stats_read(&p->rx_packets);
			t.rx_bytes = u64_stats_read(&p->rx_bytes);
			t.tx_packets = u64_stats_read(&p->tx_packets);
			t.tx_bytes = u64_stats_read(&p->tx_bytes);
			t.tunnel_rx_packets = u64_stats_read(&p->tunnel_rx_packets);
			t.tunnel_tx_packets = u64_stats_read(&p->tunnel_tx_packets);
			for (i = 0; i < __KCLOUD_VPC_DROP_MAX; i++)
				t.drops[i] = u64_stats_read(&p->drops[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));

		s->rx_packets += t.rx_packets;
		s->rx_bytes += t.rx_bytes;
		s->tx_packets += t.tx_packets;
		s->tx_bytes += t.tx_bytes;
		s->tunnel_rx_packets += t.tunnel_rx_packets;
		s->tunnel_tx_packets += t.tunnel_tx_packets;
		for (i = 0; i < __KCLOUD_VPC_DROP_MAX; i++)
			s->drops[i] += t.drops[i];
	}
}

/**
 * vpc_stats_fill() - put counters in a message as KCLOUD_VPC_A_STATS
 * @msg: the message
 * @s: the counters
 * @tunnel: also the tunnel counters (a switch's)
 *
 * Return: 0 or -EMSGSIZE.
 */
int vpc_stats_fill(struct sk_buff *msg, const struct vpc_stats *s, bool tunnel)
{
	struct nlattr *nest, *drops;
	int i;

	nest = nla_nest_start(msg, KCLOUD_VPC_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, KCLOUD_VPC_STATS_A_RX_PACKETS, s->rx_packets,
			      KCLOUD_VPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KCLOUD_VPC_STATS_A_RX_BYTES, s->rx_bytes,
			      KCLOUD_VPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KCLOUD_VPC_STATS_A_TX_PACKETS, s->tx_packets,
			      KCLOUD_VPC_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, KCLOUD_VPC_STATS_A_TX_BYTES, s->tx_bytes,
			      KCLOUD_VPC_STATS_A_PAD))
		goto cancel;
	if (tunnel &&
	    (nla_put_u64_64bit(msg, KCLOUD_VPC_STATS_A_TUNNEL_RX_PACKETS,
			       s->tunnel_rx_packets, KCLOUD_VPC_STATS_A_PAD) ||
	     nla_put_u64_64bit(msg, KCLOUD_VPC_STATS_A_TUNNEL_TX_PACKETS,
			       s->tunnel_tx_packets, KCLOUD_VPC_STATS_A_PAD)))
		goto cancel;

	drops = nla_nest_start(msg, KCLOUD_VPC_STATS_A_DROPS);
	if (!drops)
		goto cancel;
	for (i = 1; i < __KCLOUD_VPC_DROP_MAX; i++) {
		if (!s->drops[i])
			continue;
		if (nla_put_u64_64bit(msg, i, s->drops[i], KCLOUD_VPC_DROP_UNSPEC))
			goto cancel;
	}
	nla_nest_end(msg, drops);
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static void vpc_stats_drop(struct vpc_pcpu_stats __percpu *pcpu,
			   enum kcloud_vpc_drop why)
{
	struct vpc_pcpu_stats *s = get_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[why]);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(pcpu);
}

/**
 * vpc_drop() - free a packet and count why, on its port and its switch
 * @vn: the switch
 * @port: the port it came from or went to, or NULL
 * @skb: the packet
 * @why: the reason
 */
void vpc_drop(struct vpc_net *vn, struct vpc_port *port, struct sk_buff *skb,
	      enum kcloud_vpc_drop why)
{
	if (port)
		vpc_stats_drop(port->stats, why);
	vpc_stats_drop(vn->stats, why);
	kfree_skb(skb);
}

static void vpc_stats_add(struct vpc_pcpu_stats __percpu *pcpu, bool tx,
			  unsigned int len)
{
	struct vpc_pcpu_stats *s = get_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	if (tx) {
		u64_stats_inc(&s->tx_packets);
		u64_stats_add(&s->tx_bytes, len);
	} else {
		u64_stats_inc(&s->rx_packets);
		u64_stats_add(&s->rx_bytes, len);
	}
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(pcpu);
}

/**
 * vpc_stats_rx() - count a frame received from a port
 * @vn: the switch
 * @port: the port
 * @len: its length, Ethernet header included
 */
void vpc_stats_rx(struct vpc_net *vn, struct vpc_port *port, unsigned int len)
{
	vpc_stats_add(port->stats, false, len);
	vpc_stats_add(vn->stats, false, len);
}

/**
 * vpc_stats_tx() - count a frame given to a port
 * @vn: the switch
 * @port: the port
 * @len: its length, Ethernet header included
 */
void vpc_stats_tx(struct vpc_net *vn, struct vpc_port *port, unsigned int len)
{
	vpc_stats_add(port->stats, true, len);
	vpc_stats_add(vn->stats, true, len);
}

/**
 * vpc_stats_tunnel() - count a Geneve packet sent or decapsulated
 * @vn: the switch
 * @tx: sent
 */
void vpc_stats_tunnel(struct vpc_net *vn, bool tx)
{
	struct vpc_pcpu_stats *s = get_cpu_ptr(vn->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(tx ? &s->tunnel_tx_packets : &s->tunnel_rx_packets);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(vn->stats);
}
