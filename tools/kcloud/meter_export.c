// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud meter export: every instance's usage totals in the Prometheus /
 * OpenMetrics text format. kcloud meter watch: one line per instance per
 * closed second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/kcloud_meter.h>

#include "kcloud.h"
#include "meter.h"

static const char * const kce_dirs[] = { "in", "out" };
static const char * const kce_classes[] = { "vpc", "private", "internet" };

struct kce_vol {
	char name[KCLOUD_METER_NAME_MAX];
	uint64_t size, ops[2], bytes[2], sector_sec;
};

struct kce_inst {
	uint32_t id;
	char name[KCLOUD_METER_NAME_MAX];
	char tenant[KCLOUD_METER_NAME_MAX];
	uint64_t cpu_usage, cpu_user, cpu_system, mem_current, mem_peak, mem_byte_sec;
	uint64_t cpu_throttled, cpu_nr_throttled;
	uint64_t net_bytes[2][3], net_packets[2][3];
	uint64_t blk_ops[2], blk_bytes[2];
	unsigned int nvols;
	struct kce_vol vols[KCLOUD_METER_VOLUMES_MAX];
};

struct kce_list {
	struct kce_inst *v;
	size_t n, cap;
};

static uint64_t kce_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

/* Fill the usage of @st (a KCLOUD_METER_A_INST_STATS nest) into @in. */
static void kce_stats(struct nlattr *st, struct kce_inst *in)
{
	struct nlattr *tb[KCLOUD_METER_STAT_A_MAX + 1], *a;
	int rem;

	if (!st || kc_nl_nested(st, KCLOUD_METER_STAT_A_MAX, tb))
		return;
	in->cpu_usage = kce_u64(tb[KCLOUD_METER_STAT_A_CPU_USAGE_US]);
	in->cpu_user = kce_u64(tb[KCLOUD_METER_STAT_A_CPU_USER_US]);
	in->cpu_system = kce_u64(tb[KCLOUD_METER_STAT_A_CPU_SYSTEM_US]);
	in->cpu_throttled = kce_u64(tb[KCLOUD_METER_STAT_A_CPU_THROTTLED_US]);
	in->cpu_nr_throttled = tb[KCLOUD_METER_STAT_A_CPU_NR_THROTTLED] ?
			       nla_get_u32(tb[KCLOUD_METER_STAT_A_CPU_NR_THROTTLED]) : 0;
	in->mem_current = kce_u64(tb[KCLOUD_METER_STAT_A_MEM_CURRENT]);
	in->mem_peak = kce_u64(tb[KCLOUD_METER_STAT_A_MEM_PEAK]);
	in->mem_byte_sec = kce_u64(tb[KCLOUD_METER_STAT_A_MEM_BYTE_SEC]);
	in->blk_ops[0] = kce_u64(tb[KCLOUD_METER_STAT_A_BLK_READ_OPS]);
	in->blk_ops[1] = kce_u64(tb[KCLOUD_METER_STAT_A_BLK_WRITE_OPS]);
	in->blk_bytes[0] = kce_u64(tb[KCLOUD_METER_STAT_A_BLK_READ_BYTES]);
	in->blk_bytes[1] = kce_u64(tb[KCLOUD_METER_STAT_A_BLK_WRITE_BYTES]);
	nla_for_each_nested(a, st, rem) {
		struct nlattr *nt[KCLOUD_METER_NET_A_MAX + 1];
		unsigned int d, c;

		if (nla_type(a) == KCLOUD_METER_STAT_A_VOL && in->nvols < KCLOUD_METER_VOLUMES_MAX) {
			struct nlattr *vt[KCLOUD_METER_VOL_A_MAX + 1];
			struct kce_vol *v = &in->vols[in->nvols];

			if (kc_nl_nested(a, KCLOUD_METER_VOL_A_MAX, vt) || !vt[KCLOUD_METER_VOL_A_NAME])
				continue;
			snprintf(v->name, sizeof(v->name), "%s",
				 nla_get_string(vt[KCLOUD_METER_VOL_A_NAME]));
			v->size = kce_u64(vt[KCLOUD_METER_VOL_A_SIZE]);
			v->ops[0] = kce_u64(vt[KCLOUD_METER_VOL_A_READ_OPS]);
			v->ops[1] = kce_u64(vt[KCLOUD_METER_VOL_A_WRITE_OPS]);
			v->bytes[0] = kce_u64(vt[KCLOUD_METER_VOL_A_READ_BYTES]);
			v->bytes[1] = kce_u64(vt[KCLOUD_METER_VOL_A_WRITE_BYTES]);
			v->sector_sec = kce_u64(vt[KCLOUD_METER_VOL_A_SECTOR_SEC]);
			in->nvols++;
			continue;
		}
		if (nla_type(a) != KCLOUD_METER_STAT_A_NET ||
		    kc_nl_nested(a, KCLOUD_METER_NET_A_MAX, nt) ||
		    !nt[KCLOUD_METER_NET_A_DIR] || !nt[KCLOUD_METER_NET_A_CLASS])
			continue;
		d = nla_get_u8(nt[KCLOUD_METER_NET_A_DIR]);
		c = nla_get_u8(nt[KCLOUD_METER_NET_A_CLASS]);
		if (d >= 2 || c >= 3)
			continue;
		in->net_bytes[d][c] = kce_u64(nt[KCLOUD_METER_NET_A_BYTES]);
		in->net_packets[d][c] = kce_u64(nt[KCLOUD_METER_NET_A_PACKETS]);
	}
}

static int kce_collect(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kce_list *l = arg;
	struct kce_inst *in;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct kce_inst *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	in = &l->v[l->n++];
	memset(in, 0, sizeof(*in));
	if (tb[KCLOUD_METER_A_INST_ID])
		in->id = nla_get_u32(tb[KCLOUD_METER_A_INST_ID]);
	if (tb[KCLOUD_METER_A_INST_NAME])
		snprintf(in->name, sizeof(in->name), "%s",
			 nla_get_string(tb[KCLOUD_METER_A_INST_NAME]));
	if (tb[KCLOUD_METER_A_INST_TENANT])
		snprintf(in->tenant, sizeof(in->tenant), "%s",
			 nla_get_string(tb[KCLOUD_METER_A_INST_TENANT]));
	kce_stats(tb[KCLOUD_METER_A_INST_STATS], in);
	return 0;
}

#define KCE_FAMILY(_l, _name, _type, _help, _field)					\
	do {										\
		size_t i;								\
		printf("# TYPE %s %s\n# HELP %s %s\n", _name, _type, _name, _help);	\
		for (i = 0; i < (_l)->n; i++) {						\
			struct kce_inst *in = &(_l)->v[i];				\
			printf("%s%s{id=\"%u\",instance=\"%s\",tenant=\"%s\"} %llu\n",	\
			       _name, !strcmp(_type, "counter") ? "_total" : "",	\
			       in->id, in->name, in->tenant,				\
			       (unsigned long long)(_field));				\
		}									\
	} while (0)

static void kce_net_family(struct kce_list *l, const char *name, const char *help, bool bytes)
{
	size_t i;
	int d, c;

	printf("# TYPE %s counter\n# HELP %s %s\n", name, name, help);
	for (i = 0; i < l->n; i++) {
		struct kce_inst *in = &l->v[i];

		for (d = 0; d < 2; d++)
			for (c = 0; c < 3; c++)
				printf("%s_total{id=\"%u\",instance=\"%s\",tenant=\"%s\",dir=\"%s\",class=\"%s\"} %llu\n",
				       name, in->id, in->name, in->tenant, kce_dirs[d],
				       kce_classes[c], (unsigned long long)(bytes ?
				       in->net_bytes[d][c] : in->net_packets[d][c]));
	}
}

/* One family of per-volume values: @what picks the value of a volume. */
static void kce_vol_family(struct kce_list *l, const char *name, const char *type,
			   const char *help, int what)
{
	size_t i;
	unsigned int j;

	printf("# TYPE %s %s\n# HELP %s %s\n", name, type, name, help);
	for (i = 0; i < l->n; i++) {
		struct kce_inst *in = &l->v[i];

		for (j = 0; j < in->nvols; j++) {
			struct kce_vol *v = &in->vols[j];
			uint64_t val = what == 0 ? v->size : what < 3 ? v->ops[what - 1] :
				       v->bytes[what - 3];

			printf("%s%s{id=\"%u\",instance=\"%s\",tenant=\"%s\",volume=\"%s\"} %llu\n",
			       name, !strcmp(type, "counter") ? "_total" : "", in->id, in->name,
			       in->tenant, v->name, (unsigned long long)val);
		}
	}
}

static int kcm_export(int argc, char **argv)
{
	struct kce_list l = {};
	struct kc_nl *nl;
	int err;

	if (argc)
		return kc_usage_err("export takes no arguments");
	nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	err = kc_nl_request(nl, kc_nl_msg(nl, KCLOUD_METER_CMD_GET_INSTANCE, NLM_F_DUMP),
			    KCLOUD_METER_A_MAX, kce_collect, &l);
	kc_nl_close(nl);
	if (err) {
		free(l.v);
		return KC_EXIT_FAIL;
	}
	/* Names and tenants are checked by the kernel: no quote to escape. */
	KCE_FAMILY(&l, "kcloud_cpu_usage_microseconds", "counter",
		   "CPU time of the instance's cgroup since registration.", in->cpu_usage);
	KCE_FAMILY(&l, "kcloud_cpu_user_microseconds", "counter",
		   "User part of the CPU time.", in->cpu_user);
	KCE_FAMILY(&l, "kcloud_cpu_system_microseconds", "counter",
		   "System part of the CPU time.", in->cpu_system);
	KCE_FAMILY(&l, "kcloud_cpu_throttled_microseconds", "counter",
		   "Time the instance's tasks were throttled by its cpu.max.", in->cpu_throttled);
	KCE_FAMILY(&l, "kcloud_cpu_throttled_periods", "counter",
		   "CFS bandwidth periods in which the instance was throttled.",
		   in->cpu_nr_throttled);
	KCE_FAMILY(&l, "kcloud_memory_bytes", "gauge",
		   "memory.current at the last closed second.", in->mem_current);
	KCE_FAMILY(&l, "kcloud_memory_peak_bytes", "gauge",
		   "Largest memory.current seen at a second's end.", in->mem_peak);
	KCE_FAMILY(&l, "kcloud_memory_byte_seconds", "counter",
		   "Sum over seconds of memory.current.", in->mem_byte_sec);
	KCE_FAMILY(&l, "kcloud_block_read_ops", "counter",
		   "Block requests read on the instance's volumes.", in->blk_ops[0]);
	KCE_FAMILY(&l, "kcloud_block_write_ops", "counter",
		   "Block requests written on the instance's volumes.", in->blk_ops[1]);
	KCE_FAMILY(&l, "kcloud_block_read_bytes", "counter",
		   "Bytes read from the instance's volumes.", in->blk_bytes[0]);
	KCE_FAMILY(&l, "kcloud_block_write_bytes", "counter",
		   "Bytes written to the instance's volumes.", in->blk_bytes[1]);
	kce_vol_family(&l, "kcloud_volume_size_bytes", "gauge",
		       "Provisioned size of the volume.", 0);
	kce_vol_family(&l, "kcloud_volume_read_ops", "counter",
		       "Block requests read on the volume.", 1);
	kce_vol_family(&l, "kcloud_volume_write_ops", "counter",
		       "Block requests written on the volume.", 2);
	kce_vol_family(&l, "kcloud_volume_read_bytes", "counter",
		       "Bytes read from the volume.", 3);
	kce_vol_family(&l, "kcloud_volume_write_bytes", "counter",
		       "Bytes written to the volume.", 4);
	kce_net_family(&l, "kcloud_network_bytes", "Bytes through the instance's ports.", true);
	kce_net_family(&l, "kcloud_network_packets", "Packets through the instance's ports.",
		       false);
	printf("# EOF\n");
	free(l.v);
	return KC_EXIT_OK;
}

struct kce_watch {
	uint64_t last;		/* newest sample time printed */
	uint64_t newest;
};

static int kce_watch_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kce_watch *w = arg;
	struct kce_inst in = {};
	uint64_t t = kce_u64(tb[KCLOUD_METER_A_USAGE_TIME]), in_b = 0, out_b = 0;
	int c;

	if (t <= w->last)
		return 0;
	if (t > w->newest)
		w->newest = t;
	kce_stats(tb[KCLOUD_METER_A_INST_STATS], &in);
	for (c = 0; c < 3; c++) {
		in_b += in.net_bytes[0][c];
		out_b += in.net_bytes[1][c];
	}
	kc_open_object(NULL);
	kc_print_u64(KC_ANY, "time", "%llu", t);
	kc_print_u64(KC_ANY, "id", " instance %llu",
		     tb[KCLOUD_METER_A_INST_ID] ? nla_get_u32(tb[KCLOUD_METER_A_INST_ID]) : 0);
	kc_print_str(KC_ANY, "name", " %s",
		     tb[KCLOUD_METER_A_INST_NAME] ? nla_get_string(tb[KCLOUD_METER_A_INST_NAME]) : "");
	kc_print_u64(KC_ANY, "cpu_us", " cpu_us %llu", in.cpu_usage);
	kc_print_u64(KC_ANY, "mem", " mem %llu", in.mem_current);
	kc_print_u64(KC_ANY, "in_bytes", " in %llu", in_b);
	kc_print_u64(KC_ANY, "out_bytes", " out %llu", out_b);
	kc_print_nl();
	kc_close_object();
	fflush(stdout);
	return 0;
}

static int kcm_watch(int argc, char **argv)
{
	struct kce_watch w = {};
	uint32_t id = 0, count = 0, i;
	struct kc_nl *nl;

	nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	while (argc > 0) {
		if (!strcmp(argv[0], "count")) {
			NEXT_ARG();
			if (kc_parse_u32(argv[0], &count))
				return kc_usage_err("bad count \"%s\"", argv[0]);
		} else if (!id) {
			id = kcm_resolve(nl, argv[0], NULL);
			if (!id) {
				kc_nl_close(nl);
				return KC_EXIT_FAIL;
			}
		} else {
			return kc_usage_err("unknown argument \"%s\"", argv[0]);
		}
		argc--, argv++;
	}
	w.last = time(NULL) - 2;
	kc_out_start();
	kc_open_array(NULL);
	for (i = 0; !count || i < count; i++) {
		struct nl_msg *msg = kc_nl_msg(nl, KCLOUD_METER_CMD_GET_USAGE, NLM_F_DUMP);
		struct timespec ts;

		if (id)
			nla_put_u32(msg, KCLOUD_METER_A_INST_ID, id);
		nla_put_u32(msg, KCLOUD_METER_A_USAGE_SINCE, 3);
		w.newest = w.last;
		if (kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, kce_watch_cb, &w))
			break;
		w.last = w.newest;
		/* Just after the next second closes. */
		clock_gettime(CLOCK_REALTIME, &ts);
		usleep((1000000000L - ts.tv_nsec) / 1000 + 20000);
	}
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return KC_EXIT_OK;
}

/**
 * kcm_export_cmd() - kcloud meter export|watch
 * @verb: "export" or "watch"
 * @argc: arguments after the verb
 * @argv: the arguments
 *
 * Return: the exit code.
 */
int kcm_export_cmd(const char *verb, int argc, char **argv)
{
	if (!strcmp(verb, "export"))
		return kcm_export(argc, argv);
	return kcm_watch(argc, argv);
}
