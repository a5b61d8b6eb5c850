// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: meter an instance's port. Attached to the port's clsact ingress
 * (what the instance sends) and egress (what it receives); every packet is
 * charged to the instance with its length and the class of its remote
 * address through the kcloud_meter kfunc. The programs never change a
 * packet's fate (TC_ACT_UNSPEC: the next filter, if any, decides).
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <linux/kcloud_meter.h>

#include "meter_tc.h"

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define TC_ACT_UNSPEC	(-1)

extern int kcloud_meter_charge_net(__u32 handle, __u32 dir, __u32 class,
				   __u32 bytes) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kcm_tc_config);
} kcm_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KCM_TC_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} kcm_stats SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&kcm_stats, &slot);

	if (v)
		*v += 1;
}

static __always_inline __u32 classify4(const struct kcm_tc_config *cfg, __u32 addr)
{
	__u32 i;

	if (cfg->vpc.mask && (addr & cfg->vpc.mask) == cfg->vpc.addr)
		return KCLOUD_METER_CLASS_VPC;
	for (i = 0; i < KCM_TC_PRIVATE_MAX; i++) {
		if (i >= cfg->nprivate)
			break;
		if ((addr & cfg->private[i].mask) == cfg->private[i].addr)
			return KCLOUD_METER_CLASS_PRIVATE;
	}
	return KCLOUD_METER_CLASS_INTERNET;
}

static __always_inline __u32 classify6(const struct in6_addr *a)
{
	__u8 b0 = a->in6_u.u6_addr8[0], b1 = a->in6_u.u6_addr8[1];

	if (b0 == 0xfe && (b1 & 0xc0) == 0x80)	/* fe80::/10, on the link */
		return KCLOUD_METER_CLASS_VPC;
	if ((b0 & 0xfe) == 0xfc)		/* fc00::/7, unique local */
		return KCLOUD_METER_CLASS_PRIVATE;
	return KCLOUD_METER_CLASS_INTERNET;
}

static __always_inline int meter(struct __sk_buff *skb, __u32 dir)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct kcm_tc_config *cfg;
	__u32 key = 0, class = KCLOUD_METER_CLASS_VPC;

	cfg = bpf_map_lookup_elem(&kcm_config, &key);
	if (!cfg || !cfg->handle) {
		count(KCM_TC_NOCONFIG);
		return TC_ACT_UNSPEC;
	}
	if ((void *)(eth + 1) <= data_end) {
		if (eth->h_proto == bpf_htons(ETH_P_IP)) {
			struct iphdr *ip = (void *)(eth + 1);

			if ((void *)(ip + 1) <= data_end)
				class = classify4(cfg, dir == KCLOUD_METER_DIR_OUT ?
						  ip->daddr : ip->saddr);
		} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
			struct ipv6hdr *ip6 = (void *)(eth + 1);

			if ((void *)(ip6 + 1) <= data_end)
				class = classify6(dir == KCLOUD_METER_DIR_OUT ?
						  &ip6->daddr : &ip6->saddr);
		}
	}
	/* Other frames (ARP, ...) stay on the link: the VPC class. */
	if (kcloud_meter_charge_net(cfg->handle, dir, class, skb->len))
		count(KCM_TC_REFUSED);
	else
		count(KCM_TC_CHARGED);
	return TC_ACT_UNSPEC;
}

/* The port's ingress: what the instance sends. */
SEC("tc")
int meter_ingress(struct __sk_buff *skb)
{
	return meter(skb, KCLOUD_METER_DIR_OUT);
}

/* The port's egress: what the instance receives. */
SEC("tc")
int meter_egress(struct __sk_buff *skb)
{
	return meter(skb, KCLOUD_METER_DIR_IN);
}

char LICENSE[] SEC("license") = "GPL";
