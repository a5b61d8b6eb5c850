// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud mapping: guests of a VPC on other hosts: (VPC, address) -> their
 * MAC and the underlay address of their host.
 *
 *	kcloud mapping add vpc VPC ip A.B.C.D mac MAC underlay U.U.U.U
 *	kcloud mapping del vpc VPC ip A.B.C.D
 *	kcloud mapping set vpc VPC ip A.B.C.D [mac MAC] [underlay U.U.U.U]
 *	kcloud mapping show [vpc VPC [ip A.B.C.D]]
 */
#include <stdio.h>

#include "vpc.h"

int kcv_mapping_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_open_object(NULL);
	if (arg)
		kc_print_str(KC_ANY, "event", "%s ",
			     cmd == KCLOUD_VPC_CMD_ADD_MAPPING ? "add" :
			     cmd == KCLOUD_VPC_CMD_DEL_MAPPING ? "del" : "set");
	kc_printf("mapping");
	if (tb[KCLOUD_VPC_A_VPC_ID])
		kc_print_u64(KC_ANY, "vpc", " vpc %llu", nla_get_u32(tb[KCLOUD_VPC_A_VPC_ID]));
	if (tb[KCLOUD_VPC_A_SUBNET_ID])
		kc_print_u64(KC_ANY, "subnet", " subnet %llu",
			     nla_get_u32(tb[KCLOUD_VPC_A_SUBNET_ID]));
	kcv_print_addr(tb[KCLOUD_VPC_A_ADDR], "ip", " ip %s");
	if (tb[KCLOUD_VPC_A_MAC] && nla_len(tb[KCLOUD_VPC_A_MAC]) == 6)
		kc_print_str(KC_ANY, "mac", " mac %s", kc_fmt_mac(nla_data(tb[KCLOUD_VPC_A_MAC])));
	kcv_print_addr(tb[KCLOUD_VPC_A_UNDERLAY], "underlay", " underlay %s");
	kc_print_nl();
	kc_close_object();
	return 0;
}

static int kcv_mapping_usage(void)
{
	printf("Usage: kcloud mapping add vpc VPC ip A.B.C.D mac MAC underlay U.U.U.U\n"
	       "       kcloud mapping del vpc VPC ip A.B.C.D\n"
	       "       kcloud mapping set vpc VPC ip A.B.C.D [mac MAC] [underlay U.U.U.U]\n"
	       "       kcloud mapping show [vpc VPC [ip A.B.C.D]]\n"
	       "  A mapping is a guest of the VPC on another host: its MAC and the\n"
	       "  underlay address of that host (see kcloud host).\n");
	return KC_EXIT_OK;
}

static int do_mapping(int argc, char **argv)
{
	bool have_ip = false;
	struct nl_msg *msg;
	struct kc_nl *nl;
	struct in_addr a;
	const char *verb;
	uint8_t mac[6];
	uint8_t cmd;

	if (argc < 1 || kc_is_help(argv[0]))
		return kcv_mapping_usage();
	verb = argv[0];
	argc--, argv++;
	if (kc_matches(verb, "add"))
		cmd = KCLOUD_VPC_CMD_ADD_MAPPING;
	else if (kc_matches(verb, "del") || kc_matches(verb, "delete"))
		cmd = KCLOUD_VPC_CMD_DEL_MAPPING;
	else if (kc_matches(verb, "set"))
		cmd = KCLOUD_VPC_CMD_SET_MAPPING;
	else if (kc_matches(verb, "show") || kc_matches(verb, "list"))
		cmd = KCLOUD_VPC_CMD_GET_MAPPING;
	else
		return kc_usage_err("mapping: unknown verb \"%s\", try \"kcloud mapping help\"", verb);

	nl = kcv_open();
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, cmd, 0);
	for (; argc > 0; argc--, argv++) {
		if (argc < 2)
			goto missing;
		if (kc_matches(argv[0], "vpc")) {
			if (kcv_put_vpc(nl, msg, argv[1]))
				goto fail;
		} else if (kc_matches(argv[0], "ip")) {
			if (kc_parse_ipv4(argv[1], &a))
				goto bad;
			nla_put_u32(msg, KCLOUD_VPC_A_ADDR, a.s_addr);
			have_ip = true;
		} else if (kc_matches(argv[0], "mac")) {
			if (kc_parse_mac(argv[1], mac))
				goto bad;
			nla_put(msg, KCLOUD_VPC_A_MAC, 6, mac);
		} else if (kc_matches(argv[0], "underlay")) {
			if (kc_parse_ipv4(argv[1], &a))
				goto bad;
			nla_put_u32(msg, KCLOUD_VPC_A_UNDERLAY, a.s_addr);
		} else {
			goto bad;
		}
		argc--, argv++;
	}
	if (cmd == KCLOUD_VPC_CMD_GET_MAPPING) {
		if (!have_ip)
			nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_DUMP;
		return kcv_show(nl, msg, kcv_mapping_cb);
	}
	return kcv_change(nl, msg, NULL);

missing:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return kc_missing_arg(*argv);
bad:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return kc_usage_err("mapping %s: bad argument \"%s\", try \"kcloud mapping help\"",
			    verb, *argv);
fail:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return KC_EXIT_FAIL;
}

KC_COMMAND(mapping, do_mapping, "remote guests of VPCs: add, del, set, show")
