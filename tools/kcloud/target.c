// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud target: the block store's replica targets (kcloud_bs).
 *
 *   kcloud target add NAME path PATH port PORT [ addr ADDR ] [ meta PATH ]
 *                     [ volume VOLUME ]
 *   kcloud target del NAME
 *   kcloud [-s] [-j] target show [ NAME ]
 */
#include <stdio.h>
#include <arpa/inet.h>
#include <linux/kcloud_bs.h>

#include "kcloud.h"

void kc_bs_print_stats(struct nlattr *nest);	/* volume_stats.c */

static int kc_target_usage(void)
{
	fprintf(stderr,
		"Usage: kcloud target add NAME path PATH port PORT [ addr ADDR ] [ meta PATH ]\n"
		"                         [ volume VOLUME ]\n"
		"       kcloud target del NAME\n"
		"       kcloud [-s] [-j] target show [ NAME ]\n"
		"PATH is a file or block device to serve; ADDR the IPv4 address to\n"
		"listen on (default: any) in the current network namespace. meta: a\n"
		"file that keeps the target's epoch and the volume its store belongs\n"
		"to (the first to connect, or VOLUME) across restarts; a target that\n"
		"belongs to a volume refuses every other one.\n");
	return KC_EXIT_USAGE;
}

static int kc_target_add(int argc, char **argv)
{
	const char *name = NULL, *path = NULL, *meta = NULL, *volume = NULL;
	struct in_addr addr = { 0 };
	struct nl_msg *msg;
	struct kc_nl *nl;
	uint32_t port = 0;
	int err;

	for (; argc > 0; argc--, argv++) {
		if (kc_matches(*argv, "path")) {
			NEXT_ARG();
			path = *argv;
		} else if (kc_matches(*argv, "port")) {
			NEXT_ARG();
			if (kc_parse_u32(*argv, &port) || !port || port > 65535)
				return kc_usage_err("invalid port \"%s\"", *argv);
		} else if (kc_matches(*argv, "addr")) {
			NEXT_ARG();
			if (kc_parse_ipv4(*argv, &addr))
				return kc_usage_err("invalid address \"%s\"", *argv);
		} else if (kc_matches(*argv, "meta")) {
			NEXT_ARG();
			meta = *argv;
		} else if (kc_matches(*argv, "volume")) {
			NEXT_ARG();
			volume = *argv;
		} else if (kc_is_help(*argv)) {
			return kc_target_usage();
		} else if (!name) {
			name = *argv;
		} else {
			return kc_usage_err("unexpected \"%s\"", *argv);
		}
	}
	if (!name || !path || !port)
		return kc_usage_err("target add needs NAME, path and port");

	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_TARGET_ADD, 0);
	nla_put_string(msg, KCLOUD_BS_A_TARGET_NAME, name);
	nla_put_string(msg, KCLOUD_BS_A_TARGET_PATH, path);
	nla_put_u16(msg, KCLOUD_BS_A_TARGET_PORT, port);
	if (addr.s_addr)
		nla_put_u32(msg, KCLOUD_BS_A_TARGET_ADDR, addr.s_addr);
	if (meta)
		nla_put_string(msg, KCLOUD_BS_A_TARGET_META, meta);
	if (volume)
		nla_put_string(msg, KCLOUD_BS_A_TARGET_VOLUME, volume);
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, NULL, NULL);
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int kc_target_del(int argc, char **argv)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	int err;

	if (argc != 1 || kc_is_help(*argv))
		return kc_target_usage();
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_TARGET_DEL, 0);
	nla_put_string(msg, KCLOUD_BS_A_TARGET_NAME, *argv);
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, NULL, NULL);
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int kc_target_show_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_open_object(NULL);
	if (tb[KCLOUD_BS_A_TARGET_NAME])
		kc_print_str(KC_ANY, "name", "target %s ",
			     nla_get_string(tb[KCLOUD_BS_A_TARGET_NAME]));
	if (tb[KCLOUD_BS_A_TARGET_PATH])
		kc_print_str(KC_ANY, "path", "path %s ",
			     nla_get_string(tb[KCLOUD_BS_A_TARGET_PATH]));
	if (tb[KCLOUD_BS_A_TARGET_ADDR])
		kc_print_str(KC_ANY, "addr", "addr %s ",
			     kc_fmt_ipv4(nla_get_u32(tb[KCLOUD_BS_A_TARGET_ADDR])));
	if (tb[KCLOUD_BS_A_TARGET_PORT])
		kc_print_u64(KC_ANY, "port", "port %llu ",
			     nla_get_u16(tb[KCLOUD_BS_A_TARGET_PORT]));
	if (tb[KCLOUD_BS_A_TARGET_SIZE])
		kc_print_u64(KC_ANY, "size", "size %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_A_TARGET_SIZE]));
	if (tb[KCLOUD_BS_A_TARGET_EPOCH])
		kc_print_u64(KC_ANY, "epoch", "epoch %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_A_TARGET_EPOCH]));
	if (tb[KCLOUD_BS_A_TARGET_VOLUME])
		kc_print_str(KC_ANY, "volume", "volume %s ",
			     nla_get_string(tb[KCLOUD_BS_A_TARGET_VOLUME]));
	if (tb[KCLOUD_BS_A_TARGET_META])
		kc_print_str(KC_ANY, "meta", "meta %s ",
			     nla_get_string(tb[KCLOUD_BS_A_TARGET_META]));
	if (tb[KCLOUD_BS_A_TARGET_CONNS])
		kc_print_u64(KC_ANY, "conns", "conns %llu",
			     nla_get_u32(tb[KCLOUD_BS_A_TARGET_CONNS]));
	if (kc_stats)
		kc_bs_print_stats(tb[KCLOUD_BS_A_STATS]);
	kc_print_nl();
	kc_close_object();
	return 0;
}

static int kc_target_show(int argc, char **argv)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	int err;

	if (argc > 1 || (argc == 1 && kc_is_help(*argv)))
		return kc_target_usage();
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_GET_TARGET, argc ? 0 : NLM_F_DUMP);
	if (argc)
		nla_put_string(msg, KCLOUD_BS_A_TARGET_NAME, *argv);
	kc_out_start();
	kc_open_array(NULL);
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, kc_target_show_cb, NULL);
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int do_target(int argc, char **argv)
{
	if (argc < 1)
		return kc_target_show(0, NULL);
	if (kc_is_help(*argv))
		return kc_target_usage(), KC_EXIT_OK;
	if (kc_matches(*argv, "add"))
		return kc_target_add(argc - 1, argv + 1);
	if (kc_matches(*argv, "del") || kc_matches(*argv, "delete"))
		return kc_target_del(argc - 1, argv + 1);
	if (kc_matches(*argv, "show") || kc_matches(*argv, "list"))
		return kc_target_show(argc - 1, argv + 1);
	return kc_usage_err("target: unknown command \"%s\", try \"kcloud target help\"", *argv);
}

KC_COMMAND(target, do_target, "block store replica targets: add, del, show");
