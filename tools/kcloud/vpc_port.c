// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud port: netdevs (veth ends, taps) attached to the current
 * namespace's switch as the ports of guests.
 *
 *	kcloud port add dev DEV vpc VPC mac MAC ip A.B.C.D [check on|off]
 *	kcloud port del dev DEV
 *	kcloud port set dev DEV check on|off
 *	kcloud [-s] port show [dev DEV] [vpc VPC]
 */
#include <stdio.h>

#include "vpc.h"

int kcv_port_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_open_object(NULL);
	if (arg)
		kc_print_str(KC_ANY, "event", "%s ",
			     cmd == KCLOUD_VPC_CMD_ADD_PORT ? "add" :
			     cmd == KCLOUD_VPC_CMD_DEL_PORT ? "del" : "set");
	if (tb[KCLOUD_VPC_A_IFNAME])
		kc_print_str(KC_ANY, "dev", "port %s", nla_get_string(tb[KCLOUD_VPC_A_IFNAME]));
	if (tb[KCLOUD_VPC_A_IFINDEX])
		kc_print_u64(KC_JSON, "ifindex", NULL, nla_get_u32(tb[KCLOUD_VPC_A_IFINDEX]));
	if (tb[KCLOUD_VPC_A_VPC_ID])
		kc_print_u64(KC_ANY, "vpc", " vpc %llu", nla_get_u32(tb[KCLOUD_VPC_A_VPC_ID]));
	if (tb[KCLOUD_VPC_A_SUBNET_ID])
		kc_print_u64(KC_ANY, "subnet", " subnet %llu",
			     nla_get_u32(tb[KCLOUD_VPC_A_SUBNET_ID]));
	if (tb[KCLOUD_VPC_A_MAC] && nla_len(tb[KCLOUD_VPC_A_MAC]) == 6)
		kc_print_str(KC_ANY, "mac", " mac %s", kc_fmt_mac(nla_data(tb[KCLOUD_VPC_A_MAC])));
	kcv_print_addr(tb[KCLOUD_VPC_A_ADDR], "ip", " ip %s");
	if (tb[KCLOUD_VPC_A_SRC_DST_CHECK])
		kc_print_bool(KC_ANY, "check", " check %s",
			      nla_get_u8(tb[KCLOUD_VPC_A_SRC_DST_CHECK]));
	kc_print_nl();
	kcv_print_stats(tb[KCLOUD_VPC_A_STATS]);
	kc_close_object();
	return 0;
}

static int kcv_port_usage(void)
{
	printf("Usage: kcloud port add dev DEV vpc VPC mac MAC ip A.B.C.D [check on|off]\n"
	       "       kcloud port del dev DEV\n"
	       "       kcloud port set dev DEV check on|off\n"
	       "       kcloud [-s] port show [dev DEV] [vpc VPC]\n"
	       "  DEV is a netdev of this namespace (a veth end or a tap): the switch\n"
	       "  takes all it receives. The guest behind it has MAC and address A.B.C.D\n"
	       "  (its subnet is the VPC's subnet that holds it). check is the\n"
	       "  source/destination check (default on).\n");
	return KC_EXIT_OK;
}

static int do_port(int argc, char **argv)
{
	bool check, have_dev = false, have_vpc_filter = false;
	struct nl_msg *msg;
	struct kc_nl *nl;
	struct in_addr a;
	const char *verb;
	uint8_t mac[6];
	uint8_t cmd;

	if (argc < 1 || kc_is_help(argv[0]))
		return kcv_port_usage();
	verb = argv[0];
	argc--, argv++;
	if (kc_matches(verb, "add"))
		cmd = KCLOUD_VPC_CMD_ADD_PORT;
	else if (kc_matches(verb, "del") || kc_matches(verb, "delete"))
		cmd = KCLOUD_VPC_CMD_DEL_PORT;
	else if (kc_matches(verb, "set"))
		cmd = KCLOUD_VPC_CMD_SET_PORT;
	else if (kc_matches(verb, "show") || kc_matches(verb, "list"))
		cmd = KCLOUD_VPC_CMD_GET_PORT;
	else
		return kc_usage_err("port: unknown verb \"%s\", try \"kcloud port help\"", verb);

	nl = kcv_open();
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, cmd, 0);
	for (; argc > 0; argc--, argv++) {
		if (kc_matches(*argv, "dev")) {
			if (argc < 2)
				goto missing;
			argc--, argv++;
			if (nla_put_string(msg, KCLOUD_VPC_A_IFNAME, *argv))
				goto bad;
			have_dev = true;
		} else if (kc_matches(*argv, "vpc")) {
			if (argc < 2)
				goto missing;
			argc--, argv++;
			if (kcv_put_vpc(nl, msg, *argv))
				goto fail;
			have_vpc_filter = true;
		} else if (kc_matches(*argv, "mac")) {
			if (argc < 2)
				goto missing;
			argc--, argv++;
			if (kc_parse_mac(*argv, mac))
				goto bad;
			nla_put(msg, KCLOUD_VPC_A_MAC, 6, mac);
		} else if (kc_matches(*argv, "ip")) {
			if (argc < 2)
				goto missing;
			argc--, argv++;
			if (kc_parse_ipv4(*argv, &a))
				goto bad;
			nla_put_u32(msg, KCLOUD_VPC_A_ADDR, a.s_addr);
		} else if (kc_matches(*argv, "check")) {
			if (argc < 2)
				goto missing;
			argc--, argv++;
			if (kc_parse_bool(*argv, &check))
				goto bad;
			nla_put_u8(msg, KCLOUD_VPC_A_SRC_DST_CHECK, check);
		} else {
			goto bad;
		}
	}
	if (cmd == KCLOUD_VPC_CMD_GET_PORT) {
		if (!have_dev) {
			/* A dump: the same attributes, as a filter. */
			nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_DUMP;
		}
		(void)have_vpc_filter;
		return kcv_show(nl, msg, kcv_port_cb);
	}
	return kcv_change(nl, msg, cmd == KCLOUD_VPC_CMD_ADD_PORT ? kcv_port_cb : NULL);

missing:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return kc_missing_arg(*argv);
bad:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return kc_usage_err("port %s: bad argument \"%s\", try \"kcloud port help\"", verb, *argv);
fail:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return KC_EXIT_FAIL;
}

KC_COMMAND(port, do_port, "ports of the switch: add, del, set, show")
