// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud host: the underlay of the current namespace's switch: its local
 * address, the Geneve UDP port and the underlay MTU; the switch's counters.
 *
 *	kcloud host add local A.B.C.D [port P] [mtu M]
 *	kcloud host set [local A.B.C.D] [port P] [mtu M]
 *	kcloud host del
 *	kcloud [-s] host show
 */
#include <stdio.h>

#include "vpc.h"

int kcv_host_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_open_object(NULL);
	if (arg)
		kc_print_str(KC_ANY, "event", "%s ",
			     cmd == KCLOUD_VPC_CMD_ADD_HOST ? "add" :
			     cmd == KCLOUD_VPC_CMD_DEL_HOST ? "del" : "set");
	kc_printf("host");
	if (tb[KCLOUD_VPC_A_ADDR]) {
		kcv_print_addr(tb[KCLOUD_VPC_A_ADDR], "local", " local %s");
		if (tb[KCLOUD_VPC_A_UDP_PORT])
			kc_print_u64(KC_ANY, "port", " port %llu",
				     nla_get_u16(tb[KCLOUD_VPC_A_UDP_PORT]));
		if (tb[KCLOUD_VPC_A_MTU])
			kc_print_u64(KC_ANY, "mtu", " mtu %llu", nla_get_u32(tb[KCLOUD_VPC_A_MTU]));
		if (tb[KCLOUD_VPC_A_GUEST_MTU])
			kc_print_u64(KC_ANY, "guest_mtu", " guest-mtu %llu",
				     nla_get_u32(tb[KCLOUD_VPC_A_GUEST_MTU]));
	} else {
		kc_print_null(KC_ANY, "local", " not set up");
	}
	kc_print_nl();
	kcv_print_stats(tb[KCLOUD_VPC_A_STATS]);
	kc_close_object();
	return 0;
}

static int kcv_host_usage(void)
{
	printf("Usage: kcloud host add local A.B.C.D [port P] [mtu M]\n"
	       "       kcloud host set [local A.B.C.D] [port P] [mtu M]\n"
	       "       kcloud host del\n"
	       "       kcloud [-s] host show\n"
	       "  The underlay of this namespace's switch: Geneve to other hosts from\n"
	       "  local A.B.C.D, UDP port P (default 6081); the guest MTU is the\n"
	       "  underlay MTU M (default 1500) less 50.\n");
	return KC_EXIT_OK;
}

static int do_host(int argc, char **argv)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	struct in_addr a;
	const char *verb;
	uint32_t v;
	uint8_t cmd;

	if (argc < 1 || kc_is_help(argv[0]))
		return kcv_host_usage();
	verb = argv[0];
	argc--, argv++;
	if (kc_matches(verb, "add"))
		cmd = KCLOUD_VPC_CMD_ADD_HOST;
	else if (kc_matches(verb, "del") || kc_matches(verb, "delete"))
		cmd = KCLOUD_VPC_CMD_DEL_HOST;
	else if (kc_matches(verb, "set"))
		cmd = KCLOUD_VPC_CMD_SET_HOST;
	else if (kc_matches(verb, "show") || kc_matches(verb, "list"))
		cmd = KCLOUD_VPC_CMD_GET_HOST;
	else
		return kc_usage_err("host: unknown verb \"%s\", try \"kcloud host help\"", verb);

	nl = kcv_open();
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, cmd, 0);
	for (; argc > 0; argc--, argv++) {
		if (argc < 2)
			goto missing;
		if (kc_matches(argv[0], "local")) {
			if (kc_parse_ipv4(argv[1], &a))
				goto bad;
			nla_put_u32(msg, KCLOUD_VPC_A_ADDR, a.s_addr);
		} else if (kc_matches(argv[0], "port")) {
			if (kc_parse_u32(argv[1], &v) || v > 65535)
				goto bad;
			nla_put_u16(msg, KCLOUD_VPC_A_UDP_PORT, v);
		} else if (kc_matches(argv[0], "mtu")) {
			if (kc_parse_u32(argv[1], &v))
				goto bad;
			nla_put_u32(msg, KCLOUD_VPC_A_MTU, v);
		} else {
			goto bad;
		}
		argc--, argv++;
	}
	if (cmd == KCLOUD_VPC_CMD_GET_HOST)
		return kcv_show(nl, msg, kcv_host_cb);
	return kcv_change(nl, msg, NULL);

missing:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return kc_missing_arg(*argv);
bad:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return kc_usage_err("host %s: bad argument \"%s\", try \"kcloud host help\"", verb, *argv);
}

KC_COMMAND(host, do_host, "the switch's underlay (Geneve) and counters: add, del, set, show")
