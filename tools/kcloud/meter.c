// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud meter: instances registered with the meter, their usage, the
 * monitor. Attaching the tc program to a port is in meter_attach.c.
 *
 *	kcloud meter instance add ID name NAME [tenant T] [cgroup PATH | cgroup-id N]
 *		[vcpus N] [memory SIZE] [port DEV]...
 *		[volume NAME [blk BLOCKDEV] [size SIZE]]...
 *	kcloud meter instance set INSTANCE [name NAME] ... [port DEV]... [noports]
 *	kcloud meter instance del INSTANCE
 *	kcloud meter instance show [INSTANCE]
 *	kcloud meter show [INSTANCE] [since SECONDS] [resolution 1|60]
 *	kcloud meter watch [INSTANCE] [count N]
 *	kcloud meter export
 *	kcloud meter save > FILE; kcloud meter restore FILE
 *	kcloud meter monitor
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>
#include <linux/kcloud_meter.h>

#include "kcloud.h"
#include "meter.h"

static const char * const kcm_dir_names[] = { "in", "out" };
static const char * const kcm_class_names[] = { "vpc", "private", "internet" };

/* Put ID when @ref is a number, NAME otherwise. */
static int kcm_put_ref(struct nl_msg *msg, const char *ref)
{
	uint32_t id;

	if (!kc_parse_u32(ref, &id))
		return nla_put_u32(msg, KCLOUD_METER_A_INST_ID, id);
	return nla_put_string(msg, KCLOUD_METER_A_INST_NAME, ref);
}

static int kcm_ifindex(const char *dev, uint32_t *ifindex)
{
	*ifindex = if_nametoindex(dev);
	if (*ifindex)
		return 0;
	return kc_parse_u32(dev, ifindex);
}

/* The per-volume totals in a KCLOUD_METER_A_INST_STATS nest. */
static void kcm_print_volumes(struct nlattr *nest)
{
	struct nlattr *a;
	int rem;

	kc_open_array("volumes");
	nla_for_each_nested(a, nest, rem) {
		struct nlattr *vt[KCLOUD_METER_VOL_A_MAX + 1];
		uint32_t dev;

		if (nla_type(a) != KCLOUD_METER_STAT_A_VOL ||
		    kc_nl_nested(a, KCLOUD_METER_VOL_A_MAX, vt) || !vt[KCLOUD_METER_VOL_A_NAME])
			continue;
		kc_open_object(NULL);
		kc_print_str(KC_ANY, "name", "    volume %s",
			     nla_get_string(vt[KCLOUD_METER_VOL_A_NAME]));
		dev = vt[KCLOUD_METER_VOL_A_DEV] ? nla_get_u32(vt[KCLOUD_METER_VOL_A_DEV]) : 0;
		kc_print_u64(KC_JSON, "dev", NULL, dev);
		if (!kc_json && dev)
			kc_printf(" dev %u:%u", dev >> 20, dev & 0xfffff);
#define KCM_VOL(attr, key, fmt)								\
	do {										\
		if (vt[attr])								\
			kc_print_u64(KC_ANY, key, fmt, nla_get_u64(vt[attr]));		\
	} while (0)
		KCM_VOL(KCLOUD_METER_VOL_A_SIZE, "size", " size %llu");
		KCM_VOL(KCLOUD_METER_VOL_A_READ_OPS, "read_ops", " read_ops %llu");
		KCM_VOL(KCLOUD_METER_VOL_A_READ_BYTES, "read_bytes", " bytes %llu");
		KCM_VOL(KCLOUD_METER_VOL_A_WRITE_OPS, "write_ops", " write_ops %llu");
		KCM_VOL(KCLOUD_METER_VOL_A_WRITE_BYTES, "write_bytes", " bytes %llu");
		KCM_VOL(KCLOUD_METER_VOL_A_SECTOR_SEC, "sector_sec", " sector_sec %llu");
#undef KCM_VOL
		kc_print_nl();
		kc_close_object();
	}
	kc_close_array();
}

static void kcm_print_stats(struct nlattr *nest)
{
	struct nlattr *tb[KCLOUD_METER_STAT_A_MAX + 1];
	struct nlattr *a;
	int rem;

	if (kc_nl_nested(nest, KCLOUD_METER_STAT_A_MAX, tb))
		return;
	kc_open_object("stats");
#define KCM_U64(attr, key, fmt)								\
	do {										\
		if (tb[attr])								\
			kc_print_u64(KC_ANY, key, fmt, nla_get_u64(tb[attr]));		\
	} while (0)
	if (tb[KCLOUD_METER_STAT_A_SECONDS])
		kc_print_u64(KC_ANY, "seconds", "    seconds %llu",
			     nla_get_u32(tb[KCLOUD_METER_STAT_A_SECONDS]));
	KCM_U64(KCLOUD_METER_STAT_A_CPU_USAGE_US, "cpu_usage_us", " cpu_usage_us %llu");
	KCM_U64(KCLOUD_METER_STAT_A_CPU_USER_US, "cpu_user_us", " user %llu");
	KCM_U64(KCLOUD_METER_STAT_A_CPU_SYSTEM_US, "cpu_system_us", " system %llu");
	KCM_U64(KCLOUD_METER_STAT_A_CPU_THROTTLED_US, "cpu_throttled_us", " throttled_us %llu");
	if (tb[KCLOUD_METER_STAT_A_CPU_NR_THROTTLED])
		kc_print_u64(KC_ANY, "cpu_nr_throttled", " nr_throttled %llu",
			     nla_get_u32(tb[KCLOUD_METER_STAT_A_CPU_NR_THROTTLED]));
	KCM_U64(KCLOUD_METER_STAT_A_MEM_CURRENT, "mem_current", " mem_current %llu");
	KCM_U64(KCLOUD_METER_STAT_A_MEM_PEAK, "mem_peak", " peak %llu");
	KCM_U64(KCLOUD_METER_STAT_A_MEM_BYTE_SEC, "mem_byte_sec", " byte_sec %llu");
	KCM_U64(KCLOUD_METER_STAT_A_NET_REFUSED, "net_refused", " net_refused %llu");
	KCM_U64(KCLOUD_METER_STAT_A_BLK_READ_OPS, "blk_read_ops", " blk_read_ops %llu");
	KCM_U64(KCLOUD_METER_STAT_A_BLK_READ_BYTES, "blk_read_bytes", " bytes %llu");
	KCM_U64(KCLOUD_METER_STAT_A_BLK_WRITE_OPS, "blk_write_ops", " blk_write_ops %llu");
	KCM_U64(KCLOUD_METER_STAT_A_BLK_WRITE_BYTES, "blk_write_bytes", " bytes %llu");
	KCM_U64(KCLOUD_METER_STAT_A_VOL_GONE_SECTOR_SEC, "vol_gone_sector_sec",
		" gone_sector_sec %llu");
#undef KCM_U64
	kc_print_nl();
	if (tb[KCLOUD_METER_STAT_A_VOL])
		kcm_print_volumes(nest);
	kc_open_array("net");
	nla_for_each_nested(a, nest, rem) {
		struct nlattr *nt[KCLOUD_METER_NET_A_MAX + 1];
		unsigned int d, c;

		if (nla_type(a) != KCLOUD_METER_STAT_A_NET ||
		    kc_nl_nested(a, KCLOUD_METER_NET_A_MAX, nt) ||
		    !nt[KCLOUD_METER_NET_A_DIR] || !nt[KCLOUD_METER_NET_A_CLASS])
			continue;
		d = nla_get_u8(nt[KCLOUD_METER_NET_A_DIR]);
		c = nla_get_u8(nt[KCLOUD_METER_NET_A_CLASS]);
		kc_open_object(NULL);
		kc_print_str(KC_ANY, "dir", "    %-3s", d < 2 ? kcm_dir_names[d] : "?");
		kc_print_str(KC_ANY, "class", " %-8s", c < 3 ? kcm_class_names[c] : "?");
		kc_print_u64(KC_ANY, "bytes", " bytes %llu",
			     nt[KCLOUD_METER_NET_A_BYTES] ?
			     nla_get_u64(nt[KCLOUD_METER_NET_A_BYTES]) : 0);
		kc_print_u64(KC_ANY, "packets", " packets %llu",
			     nt[KCLOUD_METER_NET_A_PACKETS] ?
			     nla_get_u64(nt[KCLOUD_METER_NET_A_PACKETS]) : 0);
		kc_print_nl();
		kc_close_object();
	}
	kc_close_array();
	kc_close_object();
}

/* One instance: GET_INSTANCE replies and monitor events. */
static int kcm_instance_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct nlattr *attrs = tb[0];
	bool event = arg != NULL;

	(void)attrs;
	kc_open_object(NULL);
	if (event) {
		const char *what = cmd == KCLOUD_METER_CMD_INSTANCE_ADD ? "add" :
				   cmd == KCLOUD_METER_CMD_INSTANCE_DEL ? "del" :
				   cmd == KCLOUD_METER_CMD_INSTANCE_SET ? "set" : "?";

		kc_print_str(KC_ANY, "event", "%s ", what);
	}
	if (tb[KCLOUD_METER_A_INST_ID])
		kc_print_u64(KC_ANY, "id", "instance %llu",
			     nla_get_u32(tb[KCLOUD_METER_A_INST_ID]));
	if (tb[KCLOUD_METER_A_INST_NAME])
		kc_print_str(KC_ANY, "name", " name %s",
			     nla_get_string(tb[KCLOUD_METER_A_INST_NAME]));
	if (tb[KCLOUD_METER_A_INST_TENANT])
		kc_print_str(KC_ANY, "tenant", " tenant %s",
			     nla_get_string(tb[KCLOUD_METER_A_INST_TENANT]));
	if (tb[KCLOUD_METER_A_INST_VCPUS])
		kc_print_u64(KC_ANY, "vcpus", " vcpus %llu",
			     nla_get_u32(tb[KCLOUD_METER_A_INST_VCPUS]));
	if (tb[KCLOUD_METER_A_INST_MEMORY])
		kc_print_u64(KC_ANY, "memory", " memory %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_INST_MEMORY]));
	if (tb[KCLOUD_METER_A_INST_CGROUP_PATH])
		kc_print_str(KC_ANY, "cgroup", " cgroup %s",
			     nla_get_string(tb[KCLOUD_METER_A_INST_CGROUP_PATH]));
	if (tb[KCLOUD_METER_A_INST_CGROUP_ID])
		kc_print_u64(KC_ANY, "cgroup_id", " cgroup-id %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_INST_CGROUP_ID]));
	if (tb[KCLOUD_METER_A_INST_HANDLE])
		kc_print_u64(KC_ANY, "handle", " handle %llu",
			     nla_get_u32(tb[KCLOUD_METER_A_INST_HANDLE]));
	if (tb[KCLOUD_METER_A_INST_START])
		kc_print_u64(KC_ANY, "start", " start %llu",
			     nla_get_u64(tb[KCLOUD_METER_A_INST_START]));
	if (tb[KCLOUD_METER_A_INST_PORTS]) {
		struct nlattr *a;
		int rem;

		kc_open_array("ports");
		kc_printf(" ports");
		nla_for_each_nested(a, tb[KCLOUD_METER_A_INST_PORTS], rem) {
			char name[IF_NAMESIZE];
			uint32_t ifindex = nla_get_u32(a);

			if (kc_json || !if_indextoname(ifindex, name))
				kc_print_u64(KC_ANY, NULL, " %llu", ifindex);
			else
				kc_printf(" %s", name);
		}
		kc_close_array();
	}
	if (tb[KCLOUD_METER_A_INST_VOLUMES]) {
		struct nlattr *a;
		int rem;

		kc_open_array("volumes");
		kc_printf(" volumes");
		nla_for_each_nested(a, tb[KCLOUD_METER_A_INST_VOLUMES], rem)
			kc_print_str(KC_ANY, NULL, " %s", nla_get_string(a));
		kc_close_array();
	}
	kc_print_nl();
	if (!event && tb[KCLOUD_METER_A_INST_STATS] && (kc_json || kc_stats))
		kcm_print_stats(tb[KCLOUD_METER_A_INST_STATS]);
	kc_close_object();
	fflush(stdout);
	return 0;
}

static int kcm_show_instances(const char *ref)
{
	struct kc_nl *nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	struct nl_msg *msg;
	int err;

	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_METER_CMD_GET_INSTANCE, ref ? 0 : NLM_F_DUMP);
	if (ref && kcm_put_ref(msg, ref)) {
		kc_nl_close(nl);
		return kc_err("message too long");
	}
	kc_out_start();
	kc_open_array(NULL);
	err = kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, kcm_instance_cb, NULL);
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int kcm_instance_usage(void)
{
	fprintf(stderr,
		"Usage: kcloud meter instance add ID name NAME [tenant TENANT]\n"
		"                [cgroup PATH | cgroup-id ID] [vcpus N] [memory SIZE]\n"
		"                [port DEV]... [volume NAME [blk BLOCKDEV] [size SIZE]]...\n"
		"       kcloud meter instance set INSTANCE [name NAME] [tenant TENANT]\n"
		"                [cgroup PATH | cgroup-id ID] [vcpus N] [memory SIZE]\n"
		"                [port DEV]... [noports]\n"
		"                [volume NAME [blk BLOCKDEV] [size SIZE]]... [novolumes]\n"
		"       kcloud meter instance del INSTANCE\n"
		"       kcloud meter instance show [INSTANCE]   (-s: usage totals)\n"
		"INSTANCE is an id or a name; DEV a device name or ifindex. A volume's\n"
		"blk (a block device, or MAJOR:MINOR) has its I/O counted on the volume;\n"
		"its size (billed per GB-month) defaults to the block device's.\n");
	return KC_EXIT_USAGE;
}

struct kcm_vol_arg {
	const char *name;
	uint32_t dev;
	uint64_t size;
	bool has_size;
	bool has_dev;
};

/* A volume's block device: a path or MAJOR:MINOR; its size when a path. */
static int kcm_vol_blk(const char *s, struct kcm_vol_arg *v)
{
	unsigned int ma, mi;
	struct stat st;
	uint64_t size;
	char end;
	int fd;

	if (sscanf(s, "%u:%u%c", &ma, &mi, &end) == 2) {
		v->dev = (ma << 20) | mi;
		v->has_dev = true;
		return 0;
	}
	if (stat(s, &st) || !S_ISBLK(st.st_mode))
		return -1;
	v->dev = (major(st.st_rdev) << 20) | minor(st.st_rdev);
	v->has_dev = true;
	fd = open(s, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !ioctl(fd, BLKGETSIZE64, &size) && !v->has_size)
		v->size = size;
	if (fd >= 0)
		close(fd);
	return 0;
}

/* The attributes shared by add and set. */
static int kcm_parse_instance_args(int argc, char **argv, struct nl_msg *msg)
{
	uint32_t ports[KCLOUD_METER_PORTS_MAX + 1];
	struct kcm_vol_arg volumes[KCLOUD_METER_VOLUMES_MAX + 1] = {};
	int nports = -1, nvolumes = -1, i;
	struct nlattr *nest;

	while (argc > 0) {
		const char *key = argv[0];
		uint64_t v64;
		uint32_t v;

		if (!strcmp(key, "noports") || !strcmp(key, "novolumes")) {
			if (key[2] == 'p')
				nports = nports < 0 ? 0 : nports;
			else
				nvolumes = nvolumes < 0 ? 0 : nvolumes;
			argc--, argv++;
			continue;
		}
		NEXT_ARG();
		if (!strcmp(key, "name")) {
			nla_put_string(msg, KCLOUD_METER_A_INST_NAME, argv[0]);
		} else if (!strcmp(key, "tenant")) {
			nla_put_string(msg, KCLOUD_METER_A_INST_TENANT, argv[0]);
		} else if (!strcmp(key, "cgroup")) {
			const char *p = argv[0];

			/* Accept /sys/fs/cgroup/X as well as /X. */
			if (!strncmp(p, "/sys/fs/cgroup", 14) && (!p[14] || p[14] == '/'))
				p = p[14] ? p + 14 : "/";
			nla_put_string(msg, KCLOUD_METER_A_INST_CGROUP_PATH, p);
		} else if (!strcmp(key, "cgroup-id")) {
			if (kc_parse_u64(argv[0], &v64))
				return kc_usage_err("bad cgroup-id \"%s\"", argv[0]);
			nla_put_u64(msg, KCLOUD_METER_A_INST_CGROUP_ID, v64);
		} else if (!strcmp(key, "vcpus")) {
			if (kc_parse_u32(argv[0], &v))
				return kc_usage_err("bad vcpus \"%s\"", argv[0]);
			nla_put_u32(msg, KCLOUD_METER_A_INST_VCPUS, v);
		} else if (!strcmp(key, "memory")) {
			if (kc_parse_size(argv[0], &v64))
				return kc_usage_err("bad memory size \"%s\"", argv[0]);
			nla_put_u64(msg, KCLOUD_METER_A_INST_MEMORY, v64);
		} else if (!strcmp(key, "port")) {
			if (kcm_ifindex(argv[0], &v))
				return kc_usage_err("no device \"%s\"", argv[0]);
			nports = nports < 0 ? 0 : nports;
			if (nports > KCLOUD_METER_PORTS_MAX)
				return kc_usage_err("too many ports");
			ports[nports++] = v;
		} else if (!strcmp(key, "volume")) {
			nvolumes = nvolumes < 0 ? 0 : nvolumes;
			if (nvolumes > KCLOUD_METER_VOLUMES_MAX)
				return kc_usage_err("too many volumes");
			volumes[nvolumes++].name = argv[0];
		} else if (!strcmp(key, "blk") || !strcmp(key, "size")) {
			struct kcm_vol_arg *v;

			if (nvolumes <= 0)
				return kc_usage_err("%s is about a volume: put it after volume NAME",
						    key);
			v = &volumes[nvolumes - 1];
			if (key[0] == 's') {
				if (kc_parse_size(argv[0], &v->size))
					return kc_usage_err("bad volume size \"%s\"", argv[0]);
				v->has_size = true;
			} else if (kcm_vol_blk(argv[0], v)) {
				return kc_usage_err("%s is not a block device (or MAJOR:MINOR)",
						    argv[0]);
			}
		} else {
			return kc_usage_err("unknown argument \"%s\"", key);
		}
		argc--, argv++;
	}
	if (nports >= 0) {
		nest = nla_nest_start(msg, KCLOUD_METER_A_INST_PORTS);
		for (i = 0; i < nports; i++)
			nla_put_u32(msg, KCLOUD_METER_A_INST_PORT, ports[i]);
		nla_nest_end(msg, nest);
	}
	if (nvolumes >= 0) {
		nest = nla_nest_start(msg, KCLOUD_METER_A_INST_VOLUMES);
		for (i = 0; i < nvolumes; i++) {
			struct nlattr *vn = nla_nest_start(msg, KCLOUD_METER_A_INST_VOL);

			nla_put_string(msg, KCLOUD_METER_VOL_A_NAME, volumes[i].name);
			if (volumes[i].has_dev)
				nla_put_u32(msg, KCLOUD_METER_VOL_A_DEV, volumes[i].dev);
			if (volumes[i].size)
				nla_put_u64(msg, KCLOUD_METER_VOL_A_SIZE, volumes[i].size);
			nla_nest_end(msg, vn);
		}
		nla_nest_end(msg, nest);
	}
	return 0;
}

static int kcm_simple_request(struct nl_msg *msg, struct kc_nl *nl)
{
	int err = kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, NULL, NULL);

	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int do_meter_instance(int argc, char **argv)
{
	const char *verb = argc > 0 ? argv[0] : "show";
	struct nl_msg *msg;
	struct kc_nl *nl;
	uint32_t id;
	int err;

	if (kc_is_help(verb))
		return kcm_instance_usage(), KC_EXIT_OK;
	if (argc > 0)
		argc--, argv++;
	if (kc_matches(verb, "show") || kc_matches(verb, "list")) {
		if (argc > 1)
			return kc_usage_err("instance show takes at most one instance");
		return kcm_show_instances(argc ? argv[0] : NULL);
	}
	if (!strcmp(verb, "add")) {
		if (argc < 1 || kc_parse_u32(argv[0], &id) || !id)
			return kc_usage_err("instance add needs an id (a number > 0)");
		nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
		if (!nl)
			return KC_EXIT_FAIL;
		msg = kc_nl_msg(nl, KCLOUD_METER_CMD_INSTANCE_ADD, 0);
		nla_put_u32(msg, KCLOUD_METER_A_INST_ID, id);
		err = kcm_parse_instance_args(argc - 1, argv + 1, msg);
		if (err) {
			nlmsg_free(msg);
			kc_nl_close(nl);
			return err;
		}
		return kcm_simple_request(msg, nl);
	}
	if (!strcmp(verb, "set")) {
		if (argc < 1 || kc_parse_u32(argv[0], &id))
			return kc_usage_err("instance set needs an instance id");
		nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
		if (!nl)
			return KC_EXIT_FAIL;
		msg = kc_nl_msg(nl, KCLOUD_METER_CMD_INSTANCE_SET, 0);
		nla_put_u32(msg, KCLOUD_METER_A_INST_ID, id);
		err = kcm_parse_instance_args(argc - 1, argv + 1, msg);
		if (err) {
			nlmsg_free(msg);
			kc_nl_close(nl);
			return err;
		}
		return kcm_simple_request(msg, nl);
	}
	if (!strcmp(verb, "del") || !strcmp(verb, "delete")) {
		if (argc != 1)
			return kc_usage_err("instance del needs one instance");
		nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
		if (!nl)
			return KC_EXIT_FAIL;
		msg = kc_nl_msg(nl, KCLOUD_METER_CMD_INSTANCE_DEL, 0);
		kcm_put_ref(msg, argv[0]);
		return kcm_simple_request(msg, nl);
	}
	kcm_instance_usage();
	return kc_usage_err("unknown instance command \"%s\"", verb);
}

/* ---- usage samples ------------------------------------------------------ */

static int kcm_sample_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_open_object(NULL);
	if (tb[KCLOUD_METER_A_USAGE_TIME])
		kc_print_u64(KC_ANY, "time", "%llu",
			     nla_get_u64(tb[KCLOUD_METER_A_USAGE_TIME]));
	if (tb[KCLOUD_METER_A_USAGE_RES])
		kc_print_u64(KC_ANY, "resolution", " res %llu",
			     nla_get_u32(tb[KCLOUD_METER_A_USAGE_RES]));
	if (tb[KCLOUD_METER_A_INST_ID])
		kc_print_u64(KC_ANY, "id", " instance %llu",
			     nla_get_u32(tb[KCLOUD_METER_A_INST_ID]));
	if (tb[KCLOUD_METER_A_INST_NAME])
		kc_print_str(KC_ANY, "name", " %s", nla_get_string(tb[KCLOUD_METER_A_INST_NAME]));
	kc_print_nl();
	if (tb[KCLOUD_METER_A_INST_STATS])
		kcm_print_stats(tb[KCLOUD_METER_A_INST_STATS]);
	kc_close_object();
	return 0;
}

struct kcm_ids {
	uint32_t id;
	uint32_t handle;
};

static int kcm_ids_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kcm_ids *ids = arg;

	if (tb[KCLOUD_METER_A_INST_ID])
		ids->id = nla_get_u32(tb[KCLOUD_METER_A_INST_ID]);
	if (tb[KCLOUD_METER_A_INST_HANDLE])
		ids->handle = nla_get_u32(tb[KCLOUD_METER_A_INST_HANDLE]);
	return 0;
}

/**
 * kcm_resolve() - the id (and handle) of an instance
 * @nl: an open kcloud_meter socket
 * @ref: an id or a name
 * @handle: where to put its data path handle, or NULL
 *
 * Return: the id, or 0 after the kernel's reason was printed.
 */
uint32_t kcm_resolve(struct kc_nl *nl, const char *ref, uint32_t *handle)
{
	struct nl_msg *msg = kc_nl_msg(nl, KCLOUD_METER_CMD_GET_INSTANCE, 0);
	struct kcm_ids ids = {};

	kcm_put_ref(msg, ref);
	if (kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, kcm_ids_cb, &ids))
		return 0;
	if (handle)
		*handle = ids.handle;
	return ids.id;
}

static int do_meter_show(int argc, char **argv)
{
	uint32_t id = 0, since = 0, res = 1;
	struct nl_msg *msg;
	struct kc_nl *nl;
	int err;

	nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	while (argc > 0) {
		const char *key = argv[0];

		if (!strcmp(key, "since") || !strcmp(key, "--since")) {
			NEXT_ARG();
			if (kc_parse_u32(argv[0], &since) || !since)
				return kc_usage_err("bad since \"%s\" (seconds)", argv[0]);
		} else if (!strcmp(key, "resolution") || !strcmp(key, "--resolution")) {
			NEXT_ARG();
			if (!strcmp(argv[0], "1") || !strcmp(argv[0], "1s"))
				res = 1;
			else if (!strcmp(argv[0], "60") || !strcmp(argv[0], "60s"))
				res = 60;
			else
				return kc_usage_err("resolution is 1s or 60s");
		} else if (!id) {
			id = kcm_resolve(nl, key, NULL);
			if (!id) {
				kc_nl_close(nl);
				return KC_EXIT_FAIL;
			}
		} else {
			return kc_usage_err("unknown argument \"%s\"", key);
		}
		argc--, argv++;
	}
	msg = kc_nl_msg(nl, KCLOUD_METER_CMD_GET_USAGE, NLM_F_DUMP);
	if (id)
		nla_put_u32(msg, KCLOUD_METER_A_INST_ID, id);
	if (since)
		nla_put_u32(msg, KCLOUD_METER_A_USAGE_SINCE, since);
	nla_put_u32(msg, KCLOUD_METER_A_USAGE_RES, res);
	kc_out_start();
	kc_open_array(NULL);
	err = kc_nl_request(nl, msg, KCLOUD_METER_A_MAX, kcm_sample_cb, NULL);
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int do_meter_monitor(int argc, char **argv)
{
	struct kc_nl *nl;
	int err;

	if (argc)
		return kc_usage_err("monitor takes no arguments");
	nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	if (kc_nl_subscribe(nl, KCLOUD_METER_MCGRP_MONITOR)) {
		kc_nl_close(nl);
		return KC_EXIT_FAIL;
	}
	kc_out_start();
	kc_open_array(NULL);
	err = kc_nl_listen(nl, KCLOUD_METER_A_MAX, kcm_instance_cb, (void *)1);
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int kcm_usage(void)
{
	printf("Usage: kcloud meter instance { add | set | del | show } ...\n"
	       "       kcloud meter show [INSTANCE] [since SECONDS] [resolution 1s|60s]\n"
	       "       kcloud meter attach INSTANCE dev DEV [vpc CIDR] [private CIDR]...\n"
	       "       kcloud meter attach INSTANCE blk BLOCKDEV\n"
	       "       kcloud meter detach { dev DEV | blk BLOCKDEV }\n"
	       "       kcloud meter watch [INSTANCE] [count N]\n"
	       "       kcloud meter export          (Prometheus / OpenMetrics text)\n"
	       "       kcloud meter save > FILE; kcloud meter restore FILE  (over a reload)\n"
	       "       kcloud meter monitor\n"
	       "Each sample of meter show has its volumes' I/O (.stats.volumes[] in -j).\n");
	return KC_EXIT_OK;
}

static int do_meter(int argc, char **argv)
{
	const char *verb;

	if (argc < 1)
		return do_meter_show(0, argv);
	verb = argv[0];
	argc--, argv++;
	if (kc_is_help(verb))
		return kcm_usage();
	if (!strcmp(verb, "instance"))
		return do_meter_instance(argc, argv);
	if (kc_matches(verb, "show"))
		return do_meter_show(argc, argv);
	if (!strcmp(verb, "attach"))
		return kcm_attach(argc, argv);
	if (!strcmp(verb, "detach"))
		return kcm_detach(argc, argv);
	if (kc_matches(verb, "monitor"))
		return do_meter_monitor(argc, argv);
	if (!strcmp(verb, "export") || !strcmp(verb, "watch"))
		return kcm_export_cmd(verb, argc, argv);
	if (!strcmp(verb, "save") || !strcmp(verb, "restore"))
		return kcm_save_cmd(verb, argc, argv);
	kcm_usage();
	return kc_usage_err("unknown meter command \"%s\"", verb);
}

KC_COMMAND(meter, do_meter, "usage meter: instances, usage, attach to ports")
