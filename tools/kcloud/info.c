// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud info: which kcloud modules are loaded, their versions and features.
 */
#include <stdio.h>
#include <linux/kcloud_bs.h>
#include <linux/kcloud_meter.h>
#include <linux/kcloud_vpc.h>

#include "kcloud.h"

struct kc_feature {
	const char *name;
	unsigned long long bit;
};

#include "kcloud_features.h"

struct kc_family_info {
	const char *family;
	uint8_t cmd;
	int attr_version;
	int attr_features;
	int maxattr;
	const struct kc_feature *features;
};

static const struct kc_family_info kc_families[] = {
	{ KCLOUD_VPC_GENL_NAME, KCLOUD_VPC_CMD_GET_INFO, KCLOUD_VPC_A_INFO_VERSION,
	  KCLOUD_VPC_A_INFO_FEATURES, KCLOUD_VPC_A_MAX, kc_vpc_features },
	{ KCLOUD_BS_GENL_NAME, KCLOUD_BS_CMD_GET_INFO, KCLOUD_BS_A_INFO_VERSION,
	  KCLOUD_BS_A_INFO_FEATURES, KCLOUD_BS_A_MAX, kc_bs_features },
	{ KCLOUD_METER_GENL_NAME, KCLOUD_METER_CMD_GET_INFO, KCLOUD_METER_A_INFO_VERSION,
	  KCLOUD_METER_A_INFO_FEATURES, KCLOUD_METER_A_MAX, kc_meter_features },
};

struct kc_info_reply {
	const struct kc_family_info *fi;
	char version[32];
	uint64_t features;
};

static int kc_info_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kc_info_reply *r = arg;

	if (tb[r->fi->attr_version])
		snprintf(r->version, sizeof(r->version), "%s",
			 nla_get_string(tb[r->fi->attr_version]));
	if (tb[r->fi->attr_features])
		r->features = nla_get_u64(tb[r->fi->attr_features]);
	return 0;
}

static void kc_info_print(const struct kc_info_reply *r, bool loaded)
{
	const struct kc_family_info *fi = r->fi;
	uint64_t unknown = r->features;
	const struct kc_feature *f;

	kc_open_object(NULL);
	kc_print_str(KC_ANY, "family", "%-14s", fi->family);
	kc_print_bool(KC_JSON, "loaded", NULL, loaded);
	if (!loaded) {
		kc_printf("not loaded");
		kc_print_nl();
		kc_close_object();
		return;
	}
	kc_print_str(KC_ANY, "version", "version %s", r->version);
	kc_open_array("features");
	kc_printf(" features");
	for (f = fi->features; f->name; f++) {
		if (!(r->features & f->bit))
			continue;
		unknown &= ~f->bit;
		kc_print_str(KC_ANY, NULL, " %s", f->name);
	}
	kc_close_array();
	if (unknown)
		kc_print_u64(KC_ANY, "unknown_features", " unknown 0x%llx", unknown);
	kc_print_nl();
	kc_close_object();
}

static int do_info(int argc, char **argv)
{
	int i, rc = KC_EXIT_OK;

	if (argc > 0) {
		if (kc_is_help(argv[0])) {
			printf("Usage: kcloud info\n"
			       "  Show the loaded kcloud modules, their versions and features.\n");
			return KC_EXIT_OK;
		}
		return kc_usage_err("info takes no arguments");
	}

	kc_out_start();
	kc_open_array(NULL);
	for (i = 0; i < (int)(sizeof(kc_families) / sizeof(kc_families[0])); i++) {
		struct kc_info_reply r = { .fi = &kc_families[i] };
		struct kc_nl *nl;
		int err;

		nl = kc_nl_open_quiet(r.fi->family);
		if (!nl) {
			kc_info_print(&r, false);
			continue;
		}
		err = kc_nl_request(nl, kc_nl_msg(nl, r.fi->cmd, 0), r.fi->maxattr,
				    kc_info_cb, &r);
		kc_nl_close(nl);
		if (err) {
			rc = KC_EXIT_FAIL;
			continue;
		}
		kc_info_print(&r, true);
	}
	kc_close_array();
	kc_out_end();
	return rc;
}

KC_COMMAND(info, do_info, "loaded modules, versions and features")
