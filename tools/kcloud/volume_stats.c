// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: the block store's statistics nest (KCLOUD_BS_A_STATS), printed
 * for targets, volumes and replicas alike.
 */
#include <stdio.h>
#include <linux/kcloud_bs.h>

#include "kcloud.h"

void kc_bs_print_stats(struct nlattr *nest);

static const struct {
	int attr;
	const char *key;
} kc_bs_stat_names[] = {
	{ KCLOUD_BS_STAT_READS, "reads" },
	{ KCLOUD_BS_STAT_WRITES, "writes" },
	{ KCLOUD_BS_STAT_FLUSHES, "flushes" },
	{ KCLOUD_BS_STAT_READ_BYTES, "read_bytes" },
	{ KCLOUD_BS_STAT_WRITE_BYTES, "write_bytes" },
	{ KCLOUD_BS_STAT_ERRORS, "errors" },
	{ KCLOUD_BS_STAT_INFLIGHT, "inflight" },
	{ KCLOUD_BS_STAT_RETRIES, "retries" },
	{ KCLOUD_BS_STAT_CRC_ERRORS, "crc_errors" },
	{ KCLOUD_BS_STAT_TIMEOUTS, "timeouts" },
	{ KCLOUD_BS_STAT_RECONNECTS, "reconnects" },
	{ KCLOUD_BS_STAT_RESYNC_REGIONS, "resync_regions" },
	{ KCLOUD_BS_STAT_RESYNC_BYTES, "resync_bytes" },
	{ KCLOUD_BS_STAT_DIRTY_REGIONS, "dirty_regions" },
	{ KCLOUD_BS_STAT_GARBAGE, "garbage" },
	{ KCLOUD_BS_STAT_STALE, "stale" },
	{ KCLOUD_BS_STAT_FOREIGN, "foreign" },
	{ KCLOUD_BS_STAT_LOCAL_READS, "local_reads" },
	{ KCLOUD_BS_STAT_LOCAL_READ_BYTES, "local_read_bytes" },
	{ KCLOUD_BS_STAT_LOCAL_WRITES, "local_writes" },
	{ KCLOUD_BS_STAT_LOCAL_WRITE_BYTES, "local_write_bytes" },
	{ KCLOUD_BS_STAT_REFUSED, "refused" },
	{ KCLOUD_BS_STAT_THROTTLED, "throttled" },
};

/* Print a KCLOUD_BS_A_STATS nest as a "stats" object. */
void kc_bs_print_stats(struct nlattr *nest)
{
	struct nlattr *tb[KCLOUD_BS_STAT_MAX + 1];
	unsigned int i;
	char fmt[64];

	if (!nest || kc_nl_nested(nest, KCLOUD_BS_STAT_MAX, tb))
		return;
	kc_open_object("stats");
	kc_printf("\n    ");
	for (i = 0; i < sizeof(kc_bs_stat_names) / sizeof(kc_bs_stat_names[0]); i++) {
		struct nlattr *a = tb[kc_bs_stat_names[i].attr];

		if (!a)
			continue;
		snprintf(fmt, sizeof(fmt), "%s %%llu ", kc_bs_stat_names[i].key);
		kc_print_u64(KC_ANY, kc_bs_stat_names[i].key, fmt,
			     (unsigned long long)nla_get_u64(a));
	}
	if (tb[KCLOUD_BS_STAT_LAT_HIST] &&
	    nla_len(tb[KCLOUD_BS_STAT_LAT_HIST]) == KCLOUD_BS_LAT_BUCKETS * 8) {
		uint64_t h[KCLOUD_BS_LAT_BUCKETS];

		memcpy(h, nla_data(tb[KCLOUD_BS_STAT_LAT_HIST]), sizeof(h));
		kc_printf("\n    latency_us");
		kc_open_array("latency_hist_us");
		for (i = 0; i < KCLOUD_BS_LAT_BUCKETS; i++) {
			if (!kc_json && !h[i])
				continue;
			snprintf(fmt, sizeof(fmt), " <%u:%%llu", 2U << i);
			kc_print_u64(KC_ANY, NULL, fmt, (unsigned long long)h[i]);
		}
		kc_close_array();
	}
	kc_close_object();
}
