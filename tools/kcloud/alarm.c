// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud alarm: CloudWatch-style alarms on an instance's metrics.
 *
 *	kcloud alarm add ID name NAME instance INSTANCE metric METRIC stat STAT
 *		period SECONDS { gt | ge | lt | le } THRESHOLD datapoints M/N
 *		[missing { missing | ignore | breaching | not-breaching }]
 *	kcloud alarm del ID
 *	kcloud alarm show [ID]
 *	kcloud alarm watch
 */
#include <stdio.h>
#include <stdlib.h>
#include <linux/kcloud_meter.h>

#include "kcloud.h"
#include "meter.h"

static const char * const kca_metrics[] = {
	"cpu-us", "mem-bytes", "net-in-bytes", "net-out-bytes", "net-in-packets",
	"net-out-packets", "cpu-throttled-us", "blk-read-bytes", "blk-write-bytes", "blk-ops",
};
static const char * const kca_stats[] = { "avg", "sum", "min", "max" };
static const char * const kca_cmps[] = { "gt", "ge", "lt", "le" };
static const char * const kca_missing[] = { "missing", "ignore", "breaching", "not-breaching" };
static const char * const kca_states[] = { "INSUFFICIENT_DATA", "OK", "ALARM" };

#define KCA_N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int kca_index(const char *s, const char * const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static const char *kca_name(struct nlattr *a, const char * const *names, int n)
{
	unsigned int v = a ? nla_get_u8(a) : 255;

	return v < (unsigned int)n ? names[v] : "?";
}

static int kca_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_open_object(NULL);
	if (arg && tb[KCLOUD_METER_A_ALARM_CHANGED])
		kc_print_u64(KC_ANY, "changed", "%llu ",
			     nla_get_u64(tb[KCLOUD_METER_A_ALARM_CHANGED]));
	if (tb[KCLOUD_METER_A_ALARM_ID])
		kc_print_u64(KC_ANY, "id", "alarm %llu", nla_get_u32(tb[KCLOUD_METER_A_ALARM_ID]));
	if (tb[KCLOUD_METER_A_ALARM_NAME])
		kc_print_str(KC_ANY, "name", " name %s",
			     nla_get_string(tb[KCLOUD_METER_A_ALARM_NAME]));
	kc_print_str(KC_ANY, "state", " %s",
		     tb[KCLOUD_METER_A_ALARM_STATE] ?
		     kca_name(tb[KCLOUD_METER_A_ALARM_STATE], kca_states, KCA_N(kca_states)) : "?");
	if (tb[KCLOUD_METER_A_INST_ID])
		kc_print_u64(KC_ANY, "instance", " instance %llu",
			     nla_get_u32(tb[KCLOUD_METER_A_INST_ID]));
	kc_print_str(KC_ANY, "metric", " metric %s",
		     kca_name(tb[KCLOUD_METER_A_ALARM_METRIC], kca_metrics, KCA_N(kca_metrics)));
	kc_print_str(KC_ANY, "stat", " stat %s",
		     kca_name(tb[KCLOUD_METER_A_ALARM_STAT], kca_stats, KCA_N(kca_stats)));
	if (tb[KCLOUD_METER_A_ALARM_PERIOD])
		kc_print_u64(KC_ANY, "period", " period %llu",
			     nla_get_u32(tb[KCLOUD_METER_A_ALARM_PERIOD]));
	kc_print_str(KC_ANY, "cmp", " %s",
		     kca_name(tb[KCLOUD_METER_A_ALARM_CMP], kca_cmps, KCA_N(kca_cmps)));
	if (tb[KCLOUD_METER_A_ALARM_THRESHOLD])
		kc_print_u64(KC_ANY, "threshold", " %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_ALARM_THRESHOLD]));
	if (tb[KCLOUD_METER_A_ALARM_M])
		kc_print_u64(KC_ANY, "m", " datapoints %llu",
			     nla_get_u32(tb[KCLOUD_METER_A_ALARM_M]));
	if (tb[KCLOUD_METER_A_ALARM_N])
		kc_print_u64(KC_ANY, "n", "/%llu", nla_get_u32(tb[KCLOUD_METER_A_ALARM_N]));
	kc_print_str(KC_ANY, "missing", " missing %s",
		     kca_name(tb[KCLOUD_METER_A_ALARM_MISSING], kca_missing, KCA_N(kca_missing)));
	if (tb[KCLOUD_METER_A_ALARM_VALUE])
		kc_print_u64(KC_ANY, "value", " value %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_ALARM_VALUE]));
	else
		kc_print_null(KC_ANY, "value", " value none");
	kc_print_nl();
	kc_close_object();
	fflush(stdout);
	return 0;
}

static int kca_usage(void)
{
	printf("Usage: kcloud alarm add ID name NAME instance INSTANCE metric METRIC stat STAT\n"
	       "                 period SECONDS { gt | ge | lt | le } THRESHOLD datapoints M/N\n"
	       "                 [missing { missing | ignore | breaching | not-breaching }]\n"
	       "       kcloud alarm del ID\n"
	       "       kcloud alarm show [ID]\n"
	       "       kcloud alarm watch\n"
	       "METRIC: cpu-us mem-bytes net-in-bytes net-out-bytes net-in-packets net-out-packets\n"
	       "        cpu-throttled-us blk-read-bytes blk-write-bytes blk-ops\n"
	       "STAT: avg sum min max (of the 1 s values in the period)\n"
	       "SECONDS: 1, 5, 10, 30 or a multiple of 60 up to 3600\n");
	return KC_EXIT_OK;
}

static int kca_add(struct kc_nl *nl, int argc, char **argv)
{
	struct nl_msg *msg = kc_nl_msg(nl, KCLOUD_METER_CMD_ALARM_ADD, 0);
	uint32_t v, id, m, n;
	uint64_t v64;
	int i;

	if (argc < 1 || kc_parse_u32(argv[0], &id))
		return kc_usage_err("alarm add needs an id");
	nla_put_u32(msg, KCLOUD_METER_A_ALARM_ID, id);
	argc--, argv++;
	while (argc > 0) {
		const char *k = argv[0];

		NEXT_ARG();
		if (!strcmp(k, "name")) {
			nla_put_string(msg, KCLOUD_METER_A_ALARM_NAME, argv[0]);
		} else if (!strcmp(k, "instance")) {
			v = kcm_resolve(nl, argv[0], NULL);
			if (!v)
				return KC_EXIT_FAIL;
			nla_put_u32(msg, KCLOUD_METER_A_INST_ID, v);
		} else if (!strcmp(k, "metric")) {
			i = kca_index(argv[0], kca_metrics, KCA_N(kca_metrics));
			if (i < 0)
				return kc_usage_err("unknown metric \"%s\"", argv[0]);
			nla_put_u8(msg, KCLOUD_METER_A_ALARM_METRIC, i);
		} else if (!strcmp(k, "stat")) {
			i = kca_index(argv[0], kca_stats, KCA_N(kca_stats));
			if (i < 0)
				return kc_usage_err("unknown statistic \"%s\"", argv[0]);
			nla_put_u8(msg, KCLOUD_METER_A_ALARM_STAT, i);
		} else if (!strcmp(k, "period")) {
			if (kc_parse_u32(argv[0], &v))
				return kc_usage_err("bad period \"%s\"", argv[0]);
			nla_put_u32(msg, KCLOUD_METER_A_ALARM_PERIOD, v);
		} else if (kca_index(k, kca_cmps, KCA_N(kca_cmps)) >= 0) {
			if (kc_parse_u64(argv[0], &v64))
				return kc_usage_err("bad threshold \"%s\"", argv[0]);
			nla_put_u8(msg, KCLOUD_METER_A_ALARM_CMP, kca_index(k, kca_cmps, 4));
			nla_put_u64(msg, KCLOUD_METER_A_ALARM_THRESHOLD, v64);
		} else if (!strcmp(k, "datapoints")) {
			if (sscanf(argv[0], "%u/%u", &m, &n) != 2)
				return kc_usage_err("datapoints is M/N");
			nla_put_u32(msg, KCLOUD_METER_A_ALARM_M, m);
			nla_put_u32(msg, KCLOUD_METER_A_ALARM_N, n);
		} else if (!strcmp(k, "missing")) {
			i = kca_index(argv[0], kca_missing, KCA_N(kca_missing));
			if (i < 0)
				return kc_usage_err("unknown missing-data treatment \"%s\"", argv[0]);
			nla_put_u8(msg, KCLOUD_METER_A_ALARM_MISSING, i);
		} else {
			return kc_usage_err("unknown argument \"%s\"", k);
		}
		argc--, argv++;
	}
	return kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, NULL, NULL) ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int do_alarm(int argc, char **argv)
{
	const char *verb = argc > 0 ? argv[0] : "show";
	struct nl_msg *msg;
	struct kc_nl *nl;
	uint32_t id = 0;
	int rc;

	if (kc_is_help(verb))
		return kca_usage();
	if (argc > 0)
		argc--, argv++;
	nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	if (!strcmp(verb, "add")) {
		rc = kca_add(nl, argc, argv);
	} else if (!strcmp(verb, "del") || !strcmp(verb, "delete")) {
		if (argc != 1 || kc_parse_u32(argv[0], &id)) {
			rc = kc_usage_err("alarm del needs an alarm id");
		} else {
			msg = kc_nl_msg(nl, KCLOUD_METER_CMD_ALARM_DEL, 0);
			nla_put_u32(msg, KCLOUD_METER_A_ALARM_ID, id);
			rc = kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, NULL, NULL) ?
			     KC_EXIT_FAIL : KC_EXIT_OK;
		}
	} else if (kc_matches(verb, "show") || kc_matches(verb, "list")) {
		if (argc > 1 || (argc == 1 && kc_parse_u32(argv[0], &id))) {
			rc = kc_usage_err("alarm show takes at most one alarm id");
		} else {
			msg = kc_nl_msg(nl, KCLOUD_METER_CMD_GET_ALARM, id ? 0 : NLM_F_DUMP);
			if (id)
				nla_put_u32(msg, KCLOUD_METER_A_ALARM_ID, id);
			kc_out_start();
			kc_open_array(NULL);
			rc = kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, kca_cb, NULL) ?
			     KC_EXIT_FAIL : KC_EXIT_OK;
			kc_close_array();
			kc_out_end();
		}
	} else if (kc_matches(verb, "watch")) {
		if (kc_nl_subscribe(nl, KCLOUD_METER_MCGRP_ALARMS)) {
			rc = KC_EXIT_FAIL;
		} else {
			kc_out_start();
			kc_open_array(NULL);
			rc = kc_nl_listen(nl, KCLOUD_METER_A_MAX, kca_cb, (void *)1) ?
			     KC_EXIT_FAIL : KC_EXIT_OK;
			kc_close_array();
			kc_out_end();
		}
	} else {
		kca_usage();
		rc = kc_usage_err("unknown alarm command \"%s\"", verb);
	}
	kc_nl_close(nl);
	return rc;
}

KC_COMMAND(alarm, do_alarm, "CloudWatch-style alarms on instance metrics")
