// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud meter save|restore: carry the ledger over a module reload: every
 * instance's totals (per volume too), its 1 s and 60 s history, and the
 * tenants' closed bills. `save` prints one line per instance, per sample
 * and per tenant; `restore FILE` (after the instances are registered again
 * with the same ids and volumes) sends them back with LEDGER_IMPORT, which
 * takes each instance's totals and each tenant once, and each sample only
 * into an empty slot: nothing is counted twice.
 *
 *	instance ID start S STATS... [gone-sector-sec N]
 *		[vol NAME READ-OPS WRITE-OPS READ-BYTES WRITE-BYTES SECTOR-SEC]...
 *	sample ID RES TIME STATS...	(60 s samples first, then 1 s)
 *	tenant NAME closed NANO		(NAME "-" is the empty tenant)
 *
 * STATS: seconds N cpu-user U cpu-system S cpu-throttled T nr-throttled N
 *	mem-peak P mem-byte-sec B blk-read-ops N blk-write-ops N
 *	blk-read-bytes N blk-write-bytes N [net DIR CLASS BYTES PACKETS]...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/kcloud_meter.h>

#include "kcloud.h"
#include "meter.h"

#define KCS_WORDS	256
#define KCS_LINE	16384

static const char * const kcs_dirs[] = { "in", "out" };
static const char * const kcs_classes[] = { "vpc", "private", "internet" };

/* The plain numbers of a stats nest: key, attribute, 32 bits or 64. */
static const struct {
	const char *key;
	int attr;
	bool u32;
} kcs_keys[] = {
	{ "seconds", KCLOUD_METER_STAT_A_SECONDS, true },
	{ "cpu-user", KCLOUD_METER_STAT_A_CPU_USER_US, false },
	{ "cpu-system", KCLOUD_METER_STAT_A_CPU_SYSTEM_US, false },
	{ "cpu-throttled", KCLOUD_METER_STAT_A_CPU_THROTTLED_US, false },
	{ "nr-throttled", KCLOUD_METER_STAT_A_CPU_NR_THROTTLED, true },
	{ "mem-peak", KCLOUD_METER_STAT_A_MEM_PEAK, false },
	{ "mem-byte-sec", KCLOUD_METER_STAT_A_MEM_BYTE_SEC, false },
	{ "blk-read-ops", KCLOUD_METER_STAT_A_BLK_READ_OPS, false },
	{ "blk-write-ops", KCLOUD_METER_STAT_A_BLK_WRITE_OPS, false },
	{ "blk-read-bytes", KCLOUD_METER_STAT_A_BLK_READ_BYTES, false },
	{ "blk-write-bytes", KCLOUD_METER_STAT_A_BLK_WRITE_BYTES, false },
	{ "gone-sector-sec", KCLOUD_METER_STAT_A_VOL_GONE_SECTOR_SEC, false },
};

static const int kcs_vol_attrs[] = {
	KCLOUD_METER_VOL_A_READ_OPS, KCLOUD_METER_VOL_A_WRITE_OPS,
	KCLOUD_METER_VOL_A_READ_BYTES, KCLOUD_METER_VOL_A_WRITE_BYTES,
	KCLOUD_METER_VOL_A_SECTOR_SEC,
};

#define KCS_N(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t kcs_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

/* A stats nest as "key value" words, then its net and vol entries. */
static void kcs_print_stats(struct nlattr *nest)
{
	struct nlattr *st[KCLOUD_METER_STAT_A_MAX + 1], *a;
	unsigned int i;
	int rem;

	if (kc_nl_nested(nest, KCLOUD_METER_STAT_A_MAX, st))
		return;
	for (i = 0; i < KCS_N(kcs_keys); i++) {
		a = st[kcs_keys[i].attr];
		if (a)
			printf(" %s %llu", kcs_keys[i].key,
			       kcs_keys[i].u32 ? nla_get_u32(a) : (unsigned long long)nla_get_u64(a));
	}
	nla_for_each_nested(a, nest, rem) {
		struct nlattr *nt[KCLOUD_METER_VOL_A_MAX + KCLOUD_METER_NET_A_MAX + 1];
		unsigned int d, c;

		if (nla_type(a) == KCLOUD_METER_STAT_A_VOL) {
			if (kc_nl_nested(a, KCLOUD_METER_VOL_A_MAX, nt) ||
			    !nt[KCLOUD_METER_VOL_A_NAME])
				continue;
			printf(" vol %s", nla_get_string(nt[KCLOUD_METER_VOL_A_NAME]));
			for (i = 0; i < KCS_N(kcs_vol_attrs); i++)
				printf(" %llu", (unsigned long long)kcs_u64(nt[kcs_vol_attrs[i]]));
			continue;
		}
		if (nla_type(a) != KCLOUD_METER_STAT_A_NET ||
		    kc_nl_nested(a, KCLOUD_METER_NET_A_MAX, nt) ||
		    !nt[KCLOUD_METER_NET_A_DIR] || !nt[KCLOUD_METER_NET_A_CLASS])
			continue;
		d = nla_get_u8(nt[KCLOUD_METER_NET_A_DIR]);
		c = nla_get_u8(nt[KCLOUD_METER_NET_A_CLASS]);
		if (d < 2 && c < 3)
			printf(" net %s %s %llu %llu", kcs_dirs[d], kcs_classes[c],
			       (unsigned long long)kcs_u64(nt[KCLOUD_METER_NET_A_BYTES]),
			       (unsigned long long)kcs_u64(nt[KCLOUD_METER_NET_A_PACKETS]));
	}
	printf("\n");
}

static int kcs_instance_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	if (!tb[KCLOUD_METER_A_INST_ID] || !tb[KCLOUD_METER_A_INST_STATS])
		return 0;
	printf("instance %u start %llu", nla_get_u32(tb[KCLOUD_METER_A_INST_ID]),
	       (unsigned long long)kcs_u64(tb[KCLOUD_METER_A_INST_START]));
	kcs_print_stats(tb[KCLOUD_METER_A_INST_STATS]);
	return 0;
}

static int kcs_sample_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	if (!tb[KCLOUD_METER_A_INST_ID] || !tb[KCLOUD_METER_A_USAGE_RES] ||
	    !tb[KCLOUD_METER_A_USAGE_TIME] || !tb[KCLOUD_METER_A_INST_STATS])
		return 0;
	printf("sample %u %u %llu", nla_get_u32(tb[KCLOUD_METER_A_INST_ID]),
	       nla_get_u32(tb[KCLOUD_METER_A_USAGE_RES]),
	       (unsigned long long)nla_get_u64(tb[KCLOUD_METER_A_USAGE_TIME]));
	kcs_print_stats(tb[KCLOUD_METER_A_INST_STATS]);
	return 0;
}

static int kcs_tenant_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	const char *name;

	if (tb[KCLOUD_METER_A_INST_ID] || !tb[KCLOUD_METER_A_INST_TENANT])
		return 0;
	name = nla_get_string(tb[KCLOUD_METER_A_INST_TENANT]);
	printf("tenant %s closed %llu\n", name[0] ? name : "-",
	       (unsigned long long)kcs_u64(tb[KCLOUD_METER_A_BILL_CLOSED]));
	return 0;
}

static int kcs_save(struct kc_nl *nl)
{
	struct nl_msg *m60, *m1;

	if (kc_nl_request(nl, kc_nl_msg(nl, KCLOUD_METER_CMD_GET_INSTANCE, NLM_F_DUMP),
			  KCLOUD_METER_A_MAX, kcs_instance_cb, NULL))
		return KC_EXIT_FAIL;
	/* The minutes first: restore needs them before the seconds. */
	m60 = kc_nl_msg(nl, KCLOUD_METER_CMD_GET_USAGE, NLM_F_DUMP);
	nla_put_u32(m60, KCLOUD_METER_A_USAGE_RES, 60);
	m1 = kc_nl_msg(nl, KCLOUD_METER_CMD_GET_USAGE, NLM_F_DUMP);
	nla_put_u32(m1, KCLOUD_METER_A_USAGE_RES, 1);
	if (kc_nl_request(nl, m60, KCLOUD_METER_A_MAX, kcs_sample_cb, NULL) ||
	    kc_nl_request(nl, m1, KCLOUD_METER_A_MAX, kcs_sample_cb, NULL) ||
	    kc_nl_request(nl, kc_nl_msg(nl, KCLOUD_METER_CMD_GET_BILL, NLM_F_DUMP),
			  KCLOUD_METER_A_MAX, kcs_tenant_cb, NULL))
		return KC_EXIT_FAIL;
	return KC_EXIT_OK;
}

static int kcs_index(const char *s, const char * const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int kcs_num(const char *s, uint64_t *v)
{
	return kc_parse_u64(s, v);
}

/* w[0..n): STATS words as a KCLOUD_METER_A_INST_STATS nest. */
static int kcs_stats(struct nl_msg *msg, char **w, int n)
{
	struct nlattr *stats, *nest;
	unsigned int k;
	uint64_t v, b, p;
	int i, d, c;

	stats = nla_nest_start(msg, KCLOUD_METER_A_INST_STATS);
	for (i = 0; i < n; i += 2) {
		if (!strcmp(w[i], "net")) {
			if (i + 4 >= n)
				return -1;
			d = kcs_index(w[i + 1], kcs_dirs, 2);
			c = kcs_index(w[i + 2], kcs_classes, 3);
			if (d < 0 || c < 0 || kcs_num(w[i + 3], &b) || kcs_num(w[i + 4], &p))
				return -1;
			nest = nla_nest_start(msg, KCLOUD_METER_STAT_A_NET);
			nla_put_u8(msg, KCLOUD_METER_NET_A_DIR, d);
			nla_put_u8(msg, KCLOUD_METER_NET_A_CLASS, c);
			nla_put_u64(msg, KCLOUD_METER_NET_A_BYTES, b);
			nla_put_u64(msg, KCLOUD_METER_NET_A_PACKETS, p);
			nla_nest_end(msg, nest);
			i += 3;
			continue;
		}
		if (!strcmp(w[i], "vol")) {
			if (i + 1 + (int)KCS_N(kcs_vol_attrs) >= n)
				return -1;
			nest = nla_nest_start(msg, KCLOUD_METER_STAT_A_VOL);
			nla_put_string(msg, KCLOUD_METER_VOL_A_NAME, w[i + 1]);
			for (k = 0; k < KCS_N(kcs_vol_attrs); k++) {
				if (kcs_num(w[i + 2 + k], &v))
					return -1;
				nla_put_u64(msg, kcs_vol_attrs[k], v);
			}
			nla_nest_end(msg, nest);
			i += KCS_N(kcs_vol_attrs);
			continue;
		}
		if (i + 1 >= n || kcs_num(w[i + 1], &v))
			return -1;
		for (k = 0; k < KCS_N(kcs_keys); k++)
			if (!strcmp(w[i], kcs_keys[k].key))
				break;
		if (k == KCS_N(kcs_keys))
			return -1;
		if (kcs_keys[k].u32)
			nla_put_u32(msg, kcs_keys[k].attr, v);
		else
			nla_put_u64(msg, kcs_keys[k].attr, v);
	}
	nla_nest_end(msg, stats);
	return 0;
}

/* One saved line, split into words, as a LEDGER_IMPORT request. */
static int kcs_line(struct nl_msg *msg, char **w, int n)
{
	uint64_t v, t;

	if (n == 4 && !strcmp(w[0], "tenant") && !strcmp(w[2], "closed")) {
		if (kcs_num(w[3], &v))
			return -1;
		nla_put_string(msg, KCLOUD_METER_A_INST_TENANT, strcmp(w[1], "-") ? w[1] : "");
		nla_put_u64(msg, KCLOUD_METER_A_BILL_CLOSED, v);
		return 0;
	}
	if (n >= 4 && !strcmp(w[0], "instance") && !strcmp(w[2], "start")) {
		if (kcs_num(w[1], &v) || kcs_num(w[3], &t))
			return -1;
		nla_put_u32(msg, KCLOUD_METER_A_INST_ID, v);
		nla_put_u64(msg, KCLOUD_METER_A_INST_START, t);
		return kcs_stats(msg, w + 4, n - 4);
	}
	if (n >= 4 && !strcmp(w[0], "sample")) {
		if (kcs_num(w[1], &v) || kcs_num(w[3], &t))
			return -1;
		nla_put_u32(msg, KCLOUD_METER_A_INST_ID, v);
		if (kcs_num(w[2], &v))
			return -1;
		nla_put_u32(msg, KCLOUD_METER_A_USAGE_RES, v);
		nla_put_u64(msg, KCLOUD_METER_A_USAGE_TIME, t);
		return kcs_stats(msg, w + 4, n - 4);
	}
	return -1;
}

static int kcs_restore(struct kc_nl *nl, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int rc = KC_EXIT_OK, lineno = 0, refused = 0, first = 0;
	char *line;

	if (!f)
		return kc_err("cannot open %s: %s", path, strerror(errno));
	line = malloc(KCS_LINE);
	if (!line) {
		if (f != stdin)
			fclose(f);
		return kc_err("out of memory");
	}
	while (fgets(line, KCS_LINE, f)) {
		char *w[KCS_WORDS], *save = NULL, *tok;
		struct nl_msg *msg;
		int n = 0, err;

		lineno++;
		for (tok = strtok_r(line, " \t\n", &save); tok && n < KCS_WORDS;
		     tok = strtok_r(NULL, " \t\n", &save))
			w[n++] = tok;
		if (!n)
			continue;
		msg = kc_nl_msg(nl, KCLOUD_METER_CMD_LEDGER_IMPORT, 0);
		if (tok || kcs_line(msg, w, n)) {
			nlmsg_free(msg);
			rc = kc_err("%s:%d: not a saved ledger line", path, lineno);
			continue;
		}
		if (strcmp(w[0], "sample")) {
			if (kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, NULL, NULL))
				rc = KC_EXIT_FAIL;
			continue;
		}
		/* Samples: say once, not for each of thousands. */
		err = kc_nl_request_quiet(nl, msg, KCLOUD_METER_A_MAX, NULL, NULL);
		if (err) {
			if (!refused++)
				first = lineno;
			rc = KC_EXIT_FAIL;
		}
	}
	if (refused)
		kc_err("%s: %d samples refused (the first at line %d): already there, or out of the ledger's span",
		       path, refused, first);
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/**
 * kcm_save_cmd() - kcloud meter save|restore
 * @verb: "save" or "restore"
 * @argc: arguments after the verb
 * @argv: the arguments
 *
 * Return: the exit code.
 */
int kcm_save_cmd(const char *verb, int argc, char **argv)
{
	struct kc_nl *nl;
	int rc;

	if (!strcmp(verb, "save") ? argc != 0 : argc != 1)
		return kc_usage_err("usage: kcloud meter save > FILE; kcloud meter restore FILE");
	nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	rc = !strcmp(verb, "save") ? kcs_save(nl) : kcs_restore(nl, argv[0]);
	kc_nl_close(nl);
	return rc;
}
