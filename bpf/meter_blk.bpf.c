// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: meter instances' volumes. On every completed block request
 * (tp_btf/block_rq_complete), a device found in kcm_blk_devs (its dev_t, as
 * the kernel encodes it, to the instance's meter handle) has the request's
 * bytes charged to the instance, as a read or a write, through the
 * kcloud_meter kfunc, which also counts them on the instance's volume on
 * that device. Other devices cost one hash lookup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define REQ_OP_MASK	0xff
#define KCM_REQ_READ	0
#define KCM_REQ_WRITE	1

extern int kcloud_meter_charge_blk(__u32 handle, __u32 dev, __u32 write, __u32 bytes) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);	/* dev_t: major << 20 | minor */
	__type(value, __u32);	/* the instance's handle */
} kcm_blk_devs SEC(".maps");

SEC("tp_btf/block_rq_complete")
int BPF_PROG(meter_blk, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct block_device *part = rq->part;
	__u32 dev, op, *handle;

	if (!part || error)
		return 0;
	dev = part->bd_dev;
	handle = bpf_map_lookup_elem(&kcm_blk_devs, &dev);
	if (!handle)
		return 0;
	op = rq->cmd_flags & REQ_OP_MASK;
	if (op != KCM_REQ_READ && op != KCM_REQ_WRITE)
		return 0;
	kcloud_meter_charge_blk(*handle, dev, op, nr_bytes);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
