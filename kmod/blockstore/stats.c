// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud_bs: per-CPU statistics of targets, volumes and replicas, and their
 * netlink encoding.
 */
#include <linux/log2.h>
#include <linux/percpu.h>
#include <net/netlink.h>

#include "bs.h"

/**
 * kcbs_stats_init() - allocate the per-CPU counters
 * @s: the statistics
 *
 * Return: 0 or -ENOMEM.
 */
int kcbs_stats_init(struct kcbs_stats *s)
{
	int cpu;

	s->pcpu = alloc_percpu(struct kcbs_pcpu_stats);
	if (!s->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->pcpu, cpu)->syncp);
	atomic_set(&s->inflight, 0);
	return 0;
}

/**
 * kcbs_stats_free() - free the per-CPU counters
 * @s: the statistics
 */
void kcbs_stats_free(struct kcbs_stats *s)
{
	free_percpu(s->pcpu);
	s->pcpu = NULL;
}

static unsigned int kcbs_lat_bucket(u64 ns)
{
	u64 us = ns / NSEC_PER_USEC;

	if (!us)
		return 0;
	return min_t(unsigned int, ilog2(us), KCLOUD_BS_LAT_BUCKETS - 1);
}

/**
 * kcbs_stats_io() - count one completed request
 * @s: the statistics
 * @type: KCBS_MSG_READ, _WRITE or _FLUSH
 * @bytes: its size
 * @ns: how long it took
 */
void kcbs_stats_io(struct kcbs_stats *s, enum kcbs_msg_type type, u32 bytes, u64 ns)
{
	struct kcbs_pcpu_stats *p = get_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	switch (type) {
	case KCBS_MSG_READ:
		p->reads++;
		p->read_bytes += bytes;
		break;
	case KCBS_MSG_WRITE:
	case KCBS_MSG_ZERO:
		p->writes++;
		p->write_bytes += bytes;
		break;
	default:
		p->flushes++;
		break;
	}
	p->lat[kcbs_lat_bucket(ns)]++;
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(s->pcpu);
}

/**
 * kcbs_stats_local() - count one request a replica did without TCP
 * @s: the replica's statistics
 * @write: a write or a flush
 * @bytes: its size
 * @ns: how long it took
 */
void kcbs_stats_local(struct kcbs_stats *s, bool write, u32 bytes, u64 ns)
{
	struct kcbs_pcpu_stats *p = get_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	if (write) {
		p->local_writes++;
		p->local_write_bytes += bytes;
	} else {
		p->local_reads++;
		p->local_read_bytes += bytes;
	}
	p->lat[kcbs_lat_bucket(ns)]++;
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(s->pcpu);
}

/**
 * kcbs_stats_inc() - count one event
 * @s: the statistics
 * @f: which
 */
void kcbs_stats_inc(struct kcbs_stats *s, enum kcbs_stat_field f)
{
	struct kcbs_pcpu_stats *p = get_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	switch (f) {
	case KCBS_S_RETRIES:
		p->retries++;
		break;
	case KCBS_S_CRC_ERRORS:
		p->crc_errors++;
		break;
	case KCBS_S_TIMEOUTS:
		p->timeouts++;
		break;
	case KCBS_S_RECONNECTS:
		p->reconnects++;
		break;
	case KCBS_S_GARBAGE:
		p->garbage++;
		break;
	case KCBS_S_STALE:
		p->stale++;
		break;
	case KCBS_S_ERRORS:
		p->errors++;
		break;
	case KCBS_S_FOREIGN:
		p->foreign++;
		break;
	case KCBS_S_REFUSED:
		p->refused++;
		break;
	case KCBS_S_THROTTLED:
		p->throttled++;
		break;
	}
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(s->pcpu);
}

/**
 * kcbs_stats_resync() - count one region copied by a resync
 * @s: the statistics
 * @bytes: its size
 */
void kcbs_stats_resync(struct kcbs_stats *s, u32 bytes)
{
	struct kcbs_pcpu_stats *p = get_cpu_ptr(s->pcpu);

	u64_stats_update_begin(&p->syncp);
	p->resync_regions++;
	p->resync_bytes += bytes;
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(s->pcpu);
}

static void kcbs_stats_sum(struct kcbs_stats *s, struct kcbs_pcpu_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct kcbs_pcpu_stats *p = per_cpu_ptr(s->pcpu, cpu);
		struct kcbs_pcpu_stats v;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			memcpy(&v, p, offsetof(struct kcbs_pcpu_stats, syncp));
		} while (u64_stats_fetch_retry(&p->syncp, start));

		sum->reads += v.reads;
		sum->writes += v.writes;
		sum->flushes += v.flushes;
		sum->read_bytes += v.read_bytes;
		sum->write_bytes += v.write_bytes;
		sum->errors += v.errors;
		sum->retries += v.retries;
		sum->crc_errors += v.crc_errors;
		sum->timeouts += v.timeouts;
		sum->reconnects += v.reconnects;
		sum->resync_regions += v.resync_regions;
		sum->resync_bytes += v.resync_bytes;
		sum->garbage += v.garbage;
		sum->stale += v.stale;
		sum->foreign += v.foreign;
		sum->refused += v.refused;
		sum->throttled += v.throttled;
		sum->local_reads += v.local_reads;
		sum->local_read_bytes += v.local_read_bytes;
		sum->local_writes += v.local_writes;
		sum->local_write_bytes += v.local_write_bytes;
		for (i = 0; i < KCLOUD_BS_LAT_BUCKETS; i++)
			sum->lat[i] += v.lat[i];
	}
}

/**
 * kcbs_stats_fill() - put the statistics in a nest
 * @skb: the message
 * @attr: the nest's type
 * @s: the statistics
 * @dirty: the dirty regions to report
 *
 * Return: 0 or -EMSGSIZE.
 */
int kcbs_stats_fill(struct sk_buff *skb, int attr, struct kcbs_stats *s, u64 dirty)
{
	struct kcbs_pcpu_stats sum;
	struct nlattr *nest;

	kcbs_stats_sum(s, &sum);
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KCLOUD_BS_STAT_READS, sum.reads, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_WRITES, sum.writes, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_FLUSHES, sum.flushes, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_READ_BYTES, sum.read_bytes,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_WRITE_BYTES, sum.write_bytes,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_ERRORS, sum.errors, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_INFLIGHT, atomic_read(&s->inflight),
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_RETRIES, sum.retries, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_CRC_ERRORS, sum.crc_errors,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_TIMEOUTS, sum.timeouts, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_RECONNECTS, sum.reconnects,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_RESYNC_REGIONS, sum.resync_regions,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_RESYNC_BYTES, sum.resync_bytes,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_DIRTY_REGIONS, dirty, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_GARBAGE, sum.garbage, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_STALE, sum.stale, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_FOREIGN, sum.foreign, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_LOCAL_READS, sum.local_reads,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_LOCAL_READ_BYTES, sum.local_read_bytes,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_LOCAL_WRITES, sum.local_writes,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_LOCAL_WRITE_BYTES, sum.local_write_bytes,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_REFUSED, sum.refused, KCLOUD_BS_STAT_PAD) ||
	    nla_put_u64_64bit(skb, KCLOUD_BS_STAT_THROTTLED, sum.throttled,
			      KCLOUD_BS_STAT_PAD) ||
	    nla_put(skb, KCLOUD_BS_STAT_LAT_HIST, sizeof(sum.lat), sum.lat)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
