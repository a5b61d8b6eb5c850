// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud meter save|restore: carry the ledger's totals and the tenants'
 * closed bills over a module reload. `save` prints one line per instance
 * and per tenant; `restore FILE` (after the instances are registered again
 * with the same ids) sends them back with LEDGER_IMPORT, which takes each
 * instance and tenant once.
 *
 *	instance ID start S seconds N cpu-user U cpu-system S mem-peak P
 *		mem-byte-sec B blk-read-ops N blk-write-ops N blk-read-bytes N
 *		blk-write-bytes N net DIR CLASS BYTES PACKETS ...
 *	tenant NAME closed NANO		(NAME "-" is the empty tenant)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/kcloud_meter.h>

#include "kcloud.h"
#include "meter.h"

static const char * const kcs_dirs[] = { "in", "out" };
static const char * const kcs_classes[] = { "vpc", "private", "internet" };

static uint64_t kcs_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int kcs_instance_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct nlattr *st[KCLOUD_METER_STAT_A_MAX + 1], *a;
	int rem;

	if (!tb[KCLOUD_METER_A_INST_ID] || !tb[KCLOUD_METER_A_INST_STATS] ||
	    kc_nl_nested(tb[KCLOUD_METER_A_INST_STATS], KCLOUD_METER_STAT_A_MAX, st))
		return 0;
	printf("instance %u start %llu seconds %u cpu-user %llu cpu-system %llu mem-peak %llu mem-byte-sec %llu",
	       nla_get_u32(tb[KCLOUD_METER_A_INST_ID]),
	       (unsigned long long)kcs_u64(tb[KCLOUD_METER_A_INST_START]),
	       st[KCLOUD_METER_STAT_A_SECONDS] ? nla_get_u32(st[KCLOUD_METER_STAT_A_SECONDS]) : 0,
	       (unsigned long long)kcs_u64(st[KCLOUD_METER_STAT_A_CPU_USER_US]),
	       (unsigned long long)kcs_u64(st[KCLOUD_METER_STAT_A_CPU_SYSTEM_US]),
	       (unsigned long long)kcs_u64(st[KCLOUD_METER_STAT_A_MEM_PEAK]),
	       (unsigned long long)kcs_u64(st[KCLOUD_METER_STAT_A_MEM_BYTE_SEC]));
	printf(" blk-read-ops %llu blk-write-ops %llu blk-read-bytes %llu blk-write-bytes %llu",
	       (unsigned long long)kcs_u64(st[KCLOUD_METER_STAT_A_BLK_READ_OPS]),
	       (unsigned long long)kcs_u64(st[KCLOUD_METER_STAT_A_BLK_WRITE_OPS]),
	       (unsigned long long)kcs_u64(st[KCLOUD_METER_STAT_A_BLK_READ_BYTES]),
	       (unsigned long long)kcs_u64(st[KCLOUD_METER_STAT_A_BLK_WRITE_BYTES]));
	nla_for_each_nested(a, tb[KCLOUD_METER_A_INST_STATS], rem) {
		struct nlattr *nt[KCLOUD_METER_NET_A_MAX + 1];
		unsigned int d, c;

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
	if (kc_nl_request(nl, kc_nl_msg(nl, KCLOUD_METER_CMD_GET_INSTANCE, NLM_F_DUMP),
			  KCLOUD_METER_A_MAX, kcs_instance_cb, NULL) ||
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

/* One saved line, split into words, as a LEDGER_IMPORT request. */
static int kcs_line(struct nl_msg *msg, char **w, int n)
{
	struct nlattr *stats, *nest;
	unsigned long long v;
	int i, d, c;

	if (n == 4 && !strcmp(w[0], "tenant") && !strcmp(w[2], "closed")) {
		if (kc_parse_u64(w[3], (uint64_t *)&v))
			return -1;
		nla_put_string(msg, KCLOUD_METER_A_INST_TENANT, strcmp(w[1], "-") ? w[1] : "");
		nla_put_u64(msg, KCLOUD_METER_A_BILL_CLOSED, v);
		return 0;
	}
	if (n < 2 || strcmp(w[0], "instance"))
		return -1;
	nla_put_u32(msg, KCLOUD_METER_A_INST_ID, strtoul(w[1], NULL, 10));
	stats = nla_nest_start(msg, KCLOUD_METER_A_INST_STATS);
	for (i = 2; i + 1 < n; i += 2) {
		if (!strcmp(w[i], "net")) {
			if (i + 4 >= n)
				return -1;
			d = kcs_index(w[i + 1], kcs_dirs, 2);
			c = kcs_index(w[i + 2], kcs_classes, 3);
			if (d < 0 || c < 0)
				return -1;
			nest = nla_nest_start(msg, KCLOUD_METER_STAT_A_NET);
			nla_put_u8(msg, KCLOUD_METER_NET_A_DIR, d);
			nla_put_u8(msg, KCLOUD_METER_NET_A_CLASS, c);
			nla_put_u64(msg, KCLOUD_METER_NET_A_BYTES, strtoull(w[i + 3], NULL, 10));
			nla_put_u64(msg, KCLOUD_METER_NET_A_PACKETS, strtoull(w[i + 4], NULL, 10));
			nla_nest_end(msg, nest);
			i += 3;
			continue;
		}
		v = strtoull(w[i + 1], NULL, 10);
		if (!strcmp(w[i], "seconds"))
			nla_put_u32(msg, KCLOUD_METER_STAT_A_SECONDS, v);
		else if (!strcmp(w[i], "cpu-user"))
			nla_put_u64(msg, KCLOUD_METER_STAT_A_CPU_USER_US, v);
		else if (!strcmp(w[i], "cpu-system"))
			nla_put_u64(msg, KCLOUD_METER_STAT_A_CPU_SYSTEM_US, v);
		else if (!strcmp(w[i], "mem-peak"))
			nla_put_u64(msg, KCLOUD_METER_STAT_A_MEM_PEAK, v);
		else if (!strcmp(w[i], "mem-byte-sec"))
			nla_put_u64(msg, KCLOUD_METER_STAT_A_MEM_BYTE_SEC, v);
		else if (!strcmp(w[i], "blk-read-ops"))
			nla_put_u64(msg, KCLOUD_METER_STAT_A_BLK_READ_OPS, v);
		else if (!strcmp(w[i], "blk-write-ops"))
			nla_put_u64(msg, KCLOUD_METER_STAT_A_BLK_WRITE_OPS, v);
		else if (!strcmp(w[i], "blk-read-bytes"))
			nla_put_u64(msg, KCLOUD_METER_STAT_A_BLK_READ_BYTES, v);
		else if (!strcmp(w[i], "blk-write-bytes"))
			nla_put_u64(msg, KCLOUD_METER_STAT_A_BLK_WRITE_BYTES, v);
		else if (strcmp(w[i], "start"))
			return -1;
	}
	nla_nest_end(msg, stats);
	for (i = 2; i + 1 < n; i++)
		if (!strcmp(w[i], "start"))
			nla_put_u64(msg, KCLOUD_METER_A_INST_START, strtoull(w[i + 1], NULL, 10));
	return 0;
}

static int kcs_restore(struct kc_nl *nl, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[4096];
	int rc = KC_EXIT_OK, lineno = 0;

	if (!f)
		return kc_err("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *w[64], *save = NULL, *tok;
		struct nl_msg *msg;
		int n = 0;

		lineno++;
		for (tok = strtok_r(line, " \t\n", &save); tok && n < 64;
		     tok = strtok_r(NULL, " \t\n", &save))
			w[n++] = tok;
		if (!n)
			continue;
		msg = kc_nl_msg(nl, KCLOUD_METER_CMD_LEDGER_IMPORT, 0);
		if (kcs_line(msg, w, n)) {
			nlmsg_free(msg);
			rc = kc_err("%s:%d: not a saved ledger line", path, lineno);
			continue;
		}
		if (kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, NULL, NULL))
			rc = KC_EXIT_FAIL;
	}
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
