// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud bill: the meter's price table and bills. Amounts are nano-dollars
 * in the kernel; printed in USD with nine decimals, exactly.
 *
 *	kcloud bill [tenant TENANT]
 *	kcloud bill price set [vcpu-sec N] [gib-sec N] [net DIR CLASS N]...
 *		[volume-gb-month N] [io-million N]
 *	kcloud bill price show
 */
#include <stdio.h>
#include <linux/kcloud_meter.h>

#include "kcloud.h"

static const char * const kcb_dirs[] = { "in", "out" };
static const char * const kcb_classes[] = { "vpc", "private", "internet" };

static int kcb_lookup(const char *s, const char * const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static void kcb_usd(const char *key, const char *fmt, struct nlattr *a)
{
	if (a)
		kc_print_fixed(KC_ANY, key, fmt, (long long)nla_get_u64(a), 9);
}

/* The exact amount in JSON, an integer of nano-dollars. */
static void kcb_nano(const char *key, struct nlattr *a)
{
	if (a)
		kc_print_u64(KC_JSON, key, NULL, nla_get_u64(a));
}

static int kcb_bill_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_open_object(NULL);
	if (tb[KCLOUD_METER_A_INST_ID]) {
		kc_print_u64(KC_ANY, "id", "instance %llu", nla_get_u32(tb[KCLOUD_METER_A_INST_ID]));
		if (tb[KCLOUD_METER_A_INST_NAME])
			kc_print_str(KC_ANY, "name", " %s",
				     nla_get_string(tb[KCLOUD_METER_A_INST_NAME]));
		if (tb[KCLOUD_METER_A_INST_TENANT])
			kc_print_str(KC_ANY, "tenant", " tenant %s",
				     nla_get_string(tb[KCLOUD_METER_A_INST_TENANT]));
		if (tb[KCLOUD_METER_A_BILL_SECONDS])
			kc_print_u64(KC_ANY, "seconds", " seconds %llu",
				     nla_get_u64(tb[KCLOUD_METER_A_BILL_SECONDS]));
		kcb_usd("compute", " compute %s", tb[KCLOUD_METER_A_BILL_COMPUTE]);
		kcb_usd("memory", " memory %s", tb[KCLOUD_METER_A_BILL_MEMORY]);
		kcb_usd("net", " net %s", tb[KCLOUD_METER_A_BILL_NET]);
		kcb_usd("volume", " volume %s", tb[KCLOUD_METER_A_BILL_VOLUME]);
		kcb_usd("io", " io %s", tb[KCLOUD_METER_A_BILL_IO]);
		kcb_usd("total", " total %s", tb[KCLOUD_METER_A_BILL_TOTAL]);
		kc_print_nl();
		kcb_nano("compute_nano", tb[KCLOUD_METER_A_BILL_COMPUTE]);
		kcb_nano("memory_nano", tb[KCLOUD_METER_A_BILL_MEMORY]);
		kcb_nano("net_nano", tb[KCLOUD_METER_A_BILL_NET]);
		kcb_nano("volume_nano", tb[KCLOUD_METER_A_BILL_VOLUME]);
		kcb_nano("io_nano", tb[KCLOUD_METER_A_BILL_IO]);
		kc_print_u64(KC_JSON, "total_nano", NULL,
			     tb[KCLOUD_METER_A_BILL_TOTAL] ?
			     nla_get_u64(tb[KCLOUD_METER_A_BILL_TOTAL]) : 0);
	} else {
		if (tb[KCLOUD_METER_A_INST_TENANT])
			kc_print_str(KC_ANY, "tenant", "tenant \"%s\"",
				     nla_get_string(tb[KCLOUD_METER_A_INST_TENANT]));
		kcb_usd("closed", " closed %s", tb[KCLOUD_METER_A_BILL_CLOSED]);
		kcb_usd("total", " total %s", tb[KCLOUD_METER_A_BILL_TOTAL]);
		kc_print_nl();
		kc_print_u64(KC_JSON, "total_nano", NULL,
			     tb[KCLOUD_METER_A_BILL_TOTAL] ?
			     nla_get_u64(tb[KCLOUD_METER_A_BILL_TOTAL]) : 0);
		kc_print_u64(KC_JSON, "closed_nano", NULL,
			     tb[KCLOUD_METER_A_BILL_CLOSED] ?
			     nla_get_u64(tb[KCLOUD_METER_A_BILL_CLOSED]) : 0);
	}
	kc_close_object();
	return 0;
}

static int kcb_price_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct nlattr *a, *first, *last;
	int rem, r;

	kc_open_object(NULL);
	if (tb[KCLOUD_METER_A_PRICE_VCPU_SEC])
		kc_print_u64(KC_ANY, "vcpu_sec", "vcpu-sec %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_PRICE_VCPU_SEC]));
	if (tb[KCLOUD_METER_A_PRICE_GIB_SEC])
		kc_print_u64(KC_ANY, "gib_sec", " gib-sec %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_PRICE_GIB_SEC]));
	if (tb[KCLOUD_METER_A_PRICE_VOL_GB_MONTH])
		kc_print_u64(KC_ANY, "volume_gb_month", " volume-gb-month %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_PRICE_VOL_GB_MONTH]));
	if (tb[KCLOUD_METER_A_PRICE_MIO])
		kc_print_u64(KC_ANY, "io_million", " io-million %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_PRICE_MIO]));
	kc_print_nl();
	kc_open_array("net");
	/*
	 * tb[] keeps the last of the repeated PRICE_NET attributes; the kernel
	 * puts them all after GIB_SEC, so walk from there to the last one.
	 */
	first = tb[KCLOUD_METER_A_PRICE_GIB_SEC];
	last = tb[KCLOUD_METER_A_PRICE_NET];
	if (first && last && (char *)last > (char *)first) {
		rem = (char *)last + nla_total_size(nla_len(last)) - (char *)first;
		nla_for_each_attr(a, first, rem, r) {
			struct nlattr *nt[KCLOUD_METER_NET_A_MAX + 1];
			unsigned int d, c;

			if (nla_type(a) != KCLOUD_METER_A_PRICE_NET ||
			    kc_nl_nested(a, KCLOUD_METER_NET_A_MAX, nt) ||
			    !nt[KCLOUD_METER_NET_A_DIR] || !nt[KCLOUD_METER_NET_A_CLASS] ||
			    !nt[KCLOUD_METER_NET_A_PRICE])
				continue;
			d = nla_get_u8(nt[KCLOUD_METER_NET_A_DIR]);
			c = nla_get_u8(nt[KCLOUD_METER_NET_A_CLASS]);
			kc_open_object(NULL);
			kc_print_str(KC_ANY, "dir", "net %s", d < 2 ? kcb_dirs[d] : "?");
			kc_print_str(KC_ANY, "class", " %s", c < 3 ? kcb_classes[c] : "?");
			kc_print_u64(KC_ANY, "gb", " %llu",
				     nla_get_u64(nt[KCLOUD_METER_NET_A_PRICE]));
			kc_print_nl();
			kc_close_object();
		}
	}
	kc_close_array();
	kc_close_object();
	return 0;
}

static int kcb_usage(void)
{
	printf("Usage: kcloud bill [tenant TENANT]\n"
	       "       kcloud bill price set [vcpu-sec N] [gib-sec N] [net { in | out } { vpc | private | internet } N]...\n"
	       "                             [volume-gb-month N] [io-million N]\n"
	       "       kcloud bill price show\n"
	       "Prices are nano-dollars per vCPU-second, per GiB-second of the instance\n"
	       "type's memory, per GB (1e9 bytes) of traffic, per GB-month (1e9 bytes for\n"
	       "%d seconds) of provisioned volume size and per million I/Os. Instances\n"
	       "are billed per second, with a minimum of %d seconds per start for\n"
	       "compute and memory; volumes the seconds they are provisioned.\n",
	       KCLOUD_METER_MONTH_SEC, KCLOUD_METER_BILL_MIN_SEC);
	return KC_EXIT_OK;
}

static int kcb_price_set(int argc, char **argv)
{
	struct kc_nl *nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	struct nl_msg *msg;
	uint64_t v;
	int err;

	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_METER_CMD_PRICE_SET, 0);
	while (argc > 0) {
		const char *k = argv[0];

		NEXT_ARG();
		if (!strcmp(k, "vcpu-sec") || !strcmp(k, "gib-sec") ||
		    !strcmp(k, "volume-gb-month") || !strcmp(k, "io-million")) {
			if (kc_parse_u64(argv[0], &v))
				return kc_usage_err("bad price \"%s\"", argv[0]);
			nla_put_u64(msg, !strcmp(k, "vcpu-sec") ? KCLOUD_METER_A_PRICE_VCPU_SEC :
				    !strcmp(k, "gib-sec") ? KCLOUD_METER_A_PRICE_GIB_SEC :
				    !strcmp(k, "io-million") ? KCLOUD_METER_A_PRICE_MIO :
				    KCLOUD_METER_A_PRICE_VOL_GB_MONTH, v);
		} else if (!strcmp(k, "net")) {
			struct nlattr *nest;
			int d, c;

			if (argc < 3)
				return kc_usage_err("net needs a direction, a class and a price");
			d = kcb_lookup(argv[0], kcb_dirs, 2);
			c = kcb_lookup(argv[1], kcb_classes, 3);
			if (d < 0 || c < 0 || kc_parse_u64(argv[2], &v))
				return kc_usage_err("bad net price \"%s %s %s\"",
						    argv[0], argv[1], argv[2]);
			nest = nla_nest_start(msg, KCLOUD_METER_A_PRICE_NET);
			nla_put_u8(msg, KCLOUD_METER_NET_A_DIR, d);
			nla_put_u8(msg, KCLOUD_METER_NET_A_CLASS, c);
			nla_put_u64(msg, KCLOUD_METER_NET_A_PRICE, v);
			nla_nest_end(msg, nest);
			argc -= 2, argv += 2;
		} else {
			return kc_usage_err("unknown price \"%s\"", k);
		}
		argc--, argv++;
	}
	err = kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, NULL, NULL);
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int kcb_dump(uint8_t cmd, int flags, const char *tenant, kc_nl_cb cb)
{
	struct kc_nl *nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	struct nl_msg *msg;
	int err;

	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, cmd, flags);
	if (tenant)
		nla_put_string(msg, KCLOUD_METER_A_INST_TENANT, tenant);
	kc_out_start();
	kc_open_array(NULL);
	err = kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, cb, NULL);
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int do_bill(int argc, char **argv)
{
	const char *tenant = NULL;

	if (argc > 0 && kc_is_help(argv[0]))
		return kcb_usage();
	if (argc > 0 && !strcmp(argv[0], "price")) {
		if (argc > 1 && !strcmp(argv[1], "set"))
			return kcb_price_set(argc - 2, argv + 2);
		if (argc == 1 || (argc == 2 && kc_matches(argv[1], "show")))
			return kcb_dump(KCLOUD_METER_CMD_GET_PRICE, 0, NULL, kcb_price_cb);
		kcb_usage();
		return kc_usage_err("unknown price command");
	}
	while (argc > 0) {
		const char *k = argv[0];

		NEXT_ARG();
		if (!strcmp(k, "tenant") || !strcmp(k, "--tenant"))
			tenant = argv[0];
		else
			return kc_usage_err("unknown argument \"%s\"", k);
		argc--, argv++;
	}
	return kcb_dump(KCLOUD_METER_CMD_GET_BILL, NLM_F_DUMP, tenant, kcb_bill_cb);
}

KC_COMMAND(bill, do_bill, "bills and the price table of the usage meter")
