// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud subnet: subnets of the VPCs of the current namespace's switch.
 *
 *	kcloud subnet add vpc VPC cidr A.B.C.D/P [name NAME]
 *	kcloud subnet del { ID | vpc VPC cidr A.B.C.D/P }
 *	kcloud subnet set ID name NAME
 *	kcloud subnet show [ID] [vpc VPC]
 */
#include <stdio.h>

#include "vpc.h"

int kcv_subnet_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_open_object(NULL);
	if (arg)
		kc_print_str(KC_ANY, "event", "%s ",
			     cmd == KCLOUD_VPC_CMD_ADD_SUBNET ? "add" :
			     cmd == KCLOUD_VPC_CMD_DEL_SUBNET ? "del" : "set");
	if (tb[KCLOUD_VPC_A_SUBNET_ID])
		kc_print_u64(KC_ANY, "id", "subnet %llu",
			     nla_get_u32(tb[KCLOUD_VPC_A_SUBNET_ID]));
	if (tb[KCLOUD_VPC_A_VPC_ID])
		kc_print_u64(KC_ANY, "vpc", " vpc %llu", nla_get_u32(tb[KCLOUD_VPC_A_VPC_ID]));
	kcv_print_addr(tb[KCLOUD_VPC_A_ADDR], "addr", " cidr %s");
	if (tb[KCLOUD_VPC_A_PREFIXLEN])
		kc_print_u64(KC_ANY, "prefixlen", "/%llu",
			     nla_get_u8(tb[KCLOUD_VPC_A_PREFIXLEN]));
	kcv_print_addr(tb[KCLOUD_VPC_A_GATEWAY], "gateway", " gateway %s");
	if (tb[KCLOUD_VPC_A_NAME] && nla_get_string(tb[KCLOUD_VPC_A_NAME])[0])
		kc_print_str(KC_ANY, "name", " name %s", nla_get_string(tb[KCLOUD_VPC_A_NAME]));
	kc_print_nl();
	kc_close_object();
	return 0;
}

static int kcv_subnet_usage(void)
{
	printf("Usage: kcloud subnet add vpc VPC cidr A.B.C.D/P [name NAME]\n"
	       "       kcloud subnet del { ID | vpc VPC cidr A.B.C.D/P }\n"
	       "       kcloud subnet set ID name NAME\n"
	       "       kcloud subnet show [ID] [vpc VPC]\n"
	       "  A subnet is /16 to /28 inside its VPC. Its first address is the\n"
	       "  gateway; the network address, +1, +2 (DNS), +3 and the broadcast\n"
	       "  address are reserved.\n");
	return KC_EXIT_OK;
}

/* Parse "[ID] [vpc VPC] [cidr A/P] [name NAME]" into @msg. */
static int kcv_subnet_args(struct kc_nl *nl, struct nl_msg *msg, int argc,
			   char **argv)
{
	struct in_addr addr;
	uint32_t id;
	uint8_t plen;

	for (; argc > 0; argc--, argv++) {
		if (kc_matches(*argv, "vpc")) {
			NEXT_ARG();
			if (kcv_put_vpc(nl, msg, *argv))
				return KC_EXIT_FAIL;
		} else if (kc_matches(*argv, "cidr")) {
			NEXT_ARG();
			if (kc_parse_cidr(*argv, &addr, &plen))
				return kc_usage_err("bad cidr \"%s\"", *argv);
			nla_put_u32(msg, KCLOUD_VPC_A_ADDR, addr.s_addr);
			nla_put_u8(msg, KCLOUD_VPC_A_PREFIXLEN, plen);
		} else if (kc_matches(*argv, "name")) {
			NEXT_ARG();
			if (nla_put_string(msg, KCLOUD_VPC_A_NAME, *argv))
				return kc_err("name too long");
		} else if (!kc_parse_u32(*argv, &id)) {
			nla_put_u32(msg, KCLOUD_VPC_A_SUBNET_ID, id);
		} else {
			return kc_usage_err("subnet: unknown \"%s\"", *argv);
		}
	}
	return -1;
}

static int do_subnet(int argc, char **argv)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	const char *verb;
	uint8_t cmd;
	int flags = 0, rc;

	if (argc < 1 || kc_is_help(argv[0]))
		return kcv_subnet_usage();
	verb = argv[0];
	argc--, argv++;
	if (kc_matches(verb, "add"))
		cmd = KCLOUD_VPC_CMD_ADD_SUBNET;
	else if (kc_matches(verb, "del") || kc_matches(verb, "delete"))
		cmd = KCLOUD_VPC_CMD_DEL_SUBNET;
	else if (kc_matches(verb, "set"))
		cmd = KCLOUD_VPC_CMD_SET_SUBNET;
	else if (kc_matches(verb, "show") || kc_matches(verb, "list"))
		cmd = KCLOUD_VPC_CMD_GET_SUBNET;
	else
		return kc_usage_err("subnet: unknown verb \"%s\", try \"kcloud subnet help\"", verb);

	/* show without an id dumps, filtered by "vpc VPC" if given. */
	if (cmd == KCLOUD_VPC_CMD_GET_SUBNET) {
		uint32_t id;
		int i;

		flags = NLM_F_DUMP;
		for (i = 0; i < argc; i++)
			if (!kc_parse_u32(argv[i], &id) &&
			    (i == 0 || !kc_matches(argv[i - 1], "vpc")))
				flags = 0;
	}

	nl = kcv_open();
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, cmd, flags);
	rc = kcv_subnet_args(nl, msg, argc, argv);
	if (rc >= 0) {
		nlmsg_free(msg);
		kc_nl_close(nl);
		return rc;
	}
	if (cmd == KCLOUD_VPC_CMD_GET_SUBNET)
		return kcv_show(nl, msg, kcv_subnet_cb);
	return kcv_change(nl, msg, cmd == KCLOUD_VPC_CMD_ADD_SUBNET ? kcv_subnet_cb : NULL);
}

KC_COMMAND(subnet, do_subnet, "subnets of VPCs: add, del, set, show")
