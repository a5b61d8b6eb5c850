// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud meter attach|detach: load bpf/meter_tc.bpf.c for one port, give it
 * the instance's handle and the address classes, and attach it to the
 * port's clsact ingress and egress. The tc filters keep the program (and the
 * kcloud_meter module, whose kfunc it calls) after the tool exits.
 *
 *	kcloud meter attach INSTANCE dev DEV [vpc CIDR] [private CIDR]...
 *	kcloud meter detach dev DEV
 *	kcloud meter attach INSTANCE blk BLOCKDEV
 *	kcloud meter detach blk BLOCKDEV
 *
 * Volumes: bpf/meter_blk.bpf.c (tp_btf/block_rq_complete) is loaded once
 * and pinned under /sys/fs/bpf/kcloud_meter_blk; attach and detach add and
 * remove a device in its map, and the last detach unpins it.
 *
 * Without "private", the RFC 1918 ranges and 100.64.0.0/10 are the other
 * private ranges.
 */
#include <errno.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/kcloud_meter.h>

#include "kcloud.h"
#include "meter.h"
#include "../../bpf/meter_tc.h"
#include "meter_tc.skel.h"
#include "meter_blk.skel.h"

/* bpf/meter_blk.bpf.c serves every instance: one program, pinned here. */
#define KCM_BLK_DIR	"/sys/fs/bpf/kcloud_meter_blk"
#define KCM_BLK_LINK	KCM_BLK_DIR "/link"
#define KCM_BLK_MAP	KCM_BLK_DIR "/devs"

static const char * const kcm_default_private[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
};

static int kcm_range(const char *s, struct kcm_tc_range *r)
{
	struct in_addr a;
	uint8_t plen;

	if (kc_parse_cidr(s, &a, &plen))
		return -1;
	r->mask = plen ? htonl(~0U << (32 - plen)) : 0;
	r->addr = a.s_addr & r->mask;
	return 0;
}

static int kcm_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int kcm_tc_attach_one(struct bpf_tc_hook *hook, enum bpf_tc_attach_point where,
			     int prog_fd, const char *dev)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = KCM_TC_HANDLE, .priority = KCM_TC_PRIO,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int err;

	hook->attach_point = where;
	err = bpf_tc_attach(hook, &opts);
	if (err)
		kc_err("cannot attach to %s %s: %s", dev,
		       where == BPF_TC_INGRESS ? "ingress" : "egress", strerror(-err));
	return err;
}

/* The kernel's dev_t of a block device node. */
static int kcm_blk_dev(const char *path, uint32_t *dev)
{
	struct stat st;

	if (stat(path, &st) || !S_ISBLK(st.st_mode))
		return -1;
	*dev = (major(st.st_rdev) << 20) | minor(st.st_rdev);
	return 0;
}

static int kcm_blk_attach(const char *ref, const char *path)
{
	struct meter_blk_bpf *skel = NULL;
	struct bpf_link *link;
	uint32_t dev, handle = 0;
	struct kc_nl *nl;
	int map_fd, err;

	if (kcm_blk_dev(path, &dev))
		return kc_usage_err("%s is not a block device", path);
	nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	if (!kcm_resolve(nl, ref, &handle)) {
		kc_nl_close(nl);
		return KC_EXIT_FAIL;
	}
	kc_nl_close(nl);

	map_fd = bpf_obj_get(KCM_BLK_MAP);
	if (map_fd < 0) {
		libbpf_set_print(kcm_libbpf_print);
		skel = meter_blk_bpf__open_and_load();
		if (!skel)
			return kc_err("cannot load the meter's block program (is kcloud_meter loaded, with BTF?): %s",
				      strerror(errno));
		link = bpf_program__attach(skel->progs.meter_blk);
		err = libbpf_get_error(link);
		if (!err) {
			mkdir(KCM_BLK_DIR, 0700);
			err = bpf_link__pin(link, KCM_BLK_LINK);
			if (!err)
				err = bpf_map__pin(skel->maps.kcm_blk_devs, KCM_BLK_MAP);
			if (err)
				unlink(KCM_BLK_LINK);
		}
		if (err) {
			meter_blk_bpf__destroy(skel);
			return kc_err("cannot attach or pin the block program: %s", strerror(-err));
		}
		map_fd = dup(bpf_map__fd(skel->maps.kcm_blk_devs));
	}
	err = bpf_map_update_elem(map_fd, &dev, &handle, BPF_ANY);
	if (err)
		kc_err("cannot add %s: %s", path, strerror(errno));
	close(map_fd);
	if (skel)
		meter_blk_bpf__destroy(skel);	/* the pins keep it */
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int kcm_blk_detach(const char *path)
{
	uint32_t dev, key;
	int map_fd, err;

	if (kcm_blk_dev(path, &dev))
		return kc_usage_err("%s is not a block device", path);
	map_fd = bpf_obj_get(KCM_BLK_MAP);
	if (map_fd < 0)
		return kc_err("no volume is metered (%s)", KCM_BLK_MAP);
	err = bpf_map_delete_elem(map_fd, &dev);
	if (err) {
		close(map_fd);
		return kc_err("%s is not metered", path);
	}
	/* The last one: unpin the program, it lets the module go. */
	if (bpf_map_get_next_key(map_fd, NULL, &key)) {
		unlink(KCM_BLK_LINK);
		unlink(KCM_BLK_MAP);
		rmdir(KCM_BLK_DIR);
	}
	close(map_fd);
	return KC_EXIT_OK;
}

int kcm_attach(int argc, char **argv)
{
	struct kcm_tc_config cfg = {};
	struct meter_tc_bpf *skel;
	const char *ref, *dev = NULL;
	uint32_t ifindex = 0, key = 0, i;
	struct kc_nl *nl;
	bool have_private = false;
	int err;

	if (argc < 1 || kc_is_help(argv[0])) {
		fprintf(stderr, "Usage: kcloud meter attach INSTANCE dev DEV [vpc CIDR] [private CIDR]...\n"
			"       kcloud meter attach INSTANCE blk BLOCKDEV\n");
		return KC_EXIT_USAGE;
	}
	ref = argv[0];
	argc--, argv++;
	if (argc == 2 && !strcmp(argv[0], "blk"))
		return kcm_blk_attach(ref, argv[1]);
	while (argc > 0) {
		const char *k = argv[0];

		NEXT_ARG();
		if (!strcmp(k, "dev")) {
			dev = argv[0];
			ifindex = if_nametoindex(dev);
			if (!ifindex)
				return kc_usage_err("no device \"%s\"", dev);
		} else if (!strcmp(k, "vpc")) {
			if (kcm_range(argv[0], &cfg.vpc))
				return kc_usage_err("bad vpc CIDR \"%s\"", argv[0]);
		} else if (!strcmp(k, "private")) {
			if (cfg.nprivate == KCM_TC_PRIVATE_MAX)
				return kc_usage_err("at most %d private ranges", KCM_TC_PRIVATE_MAX);
			if (kcm_range(argv[0], &cfg.private[cfg.nprivate]))
				return kc_usage_err("bad private CIDR \"%s\"", argv[0]);
			cfg.nprivate++;
			have_private = true;
		} else {
			return kc_usage_err("unknown argument \"%s\"", k);
		}
		argc--, argv++;
	}
	if (!dev)
		return kc_usage_err("attach needs dev DEV");
	if (!have_private) {
		for (i = 0; i < sizeof(kcm_default_private) / sizeof(kcm_default_private[0]); i++)
			kcm_range(kcm_default_private[i], &cfg.private[cfg.nprivate++]);
	}

	nl = kc_nl_open(KCLOUD_METER_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	if (!kcm_resolve(nl, ref, &cfg.handle)) {
		kc_nl_close(nl);
		return KC_EXIT_FAIL;
	}
	kc_nl_close(nl);

	libbpf_set_print(kcm_libbpf_print);
	skel = meter_tc_bpf__open_and_load();
	if (!skel)
		return kc_err("cannot load the meter's tc program (is kcloud_meter loaded, with BTF?): %s",
			      strerror(errno));
	err = bpf_map_update_elem(bpf_map__fd(skel->maps.kcm_config), &key, &cfg, BPF_ANY);
	if (err) {
		meter_tc_bpf__destroy(skel);
		return kc_err("cannot configure the program: %s", strerror(errno));
	}

	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	/* An existing clsact is fine: do not let libbpf print the kernel's EEXIST. */
	libbpf_set_print(NULL);
	err = bpf_tc_hook_create(&hook);
	libbpf_set_print(kcm_libbpf_print);
	if (err && err != -EEXIST) {
		meter_tc_bpf__destroy(skel);
		return kc_err("cannot add clsact to %s: %s", dev, strerror(-err));
	}
	err = kcm_tc_attach_one(&hook, BPF_TC_INGRESS,
				bpf_program__fd(skel->progs.meter_ingress), dev);
	if (!err)
		err = kcm_tc_attach_one(&hook, BPF_TC_EGRESS,
					bpf_program__fd(skel->progs.meter_egress), dev);
	meter_tc_bpf__destroy(skel);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

int kcm_detach(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_tc_hook, hook);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = KCM_TC_HANDLE, .priority = KCM_TC_PRIO);
	uint32_t ifindex;
	int e1, e2;

	if (argc == 2 && !strcmp(argv[0], "blk"))
		return kcm_blk_detach(argv[1]);
	if (argc != 2 || strcmp(argv[0], "dev"))
		return kc_usage_err("usage: kcloud meter detach { dev DEV | blk BLOCKDEV }");
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex)
		return kc_usage_err("no device \"%s\"", argv[1]);
	hook.ifindex = ifindex;
	hook.attach_point = BPF_TC_INGRESS;
	e1 = bpf_tc_detach(&hook, &opts);
	hook.attach_point = BPF_TC_EGRESS;
	e2 = bpf_tc_detach(&hook, &opts);
	if (e1 && e2)
		return kc_err("no meter attached to %s: %s", argv[1], strerror(-e1));
	return KC_EXIT_OK;
}
