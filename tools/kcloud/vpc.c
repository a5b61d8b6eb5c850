// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud vpc: VPCs of the switch of the current network namespace, and the
 * helpers the other VPC objects' commands share.
 *
 *	kcloud vpc add NAME vni N cidr A.B.C.D/P
 *	kcloud vpc del VPC
 *	kcloud vpc set VPC name NEW
 *	kcloud vpc show [VPC]
 *	kcloud vpc monitor
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vpc.h"

static const char * const kcv_drop_names[__KCLOUD_VPC_DROP_MAX] = {
	[KCLOUD_VPC_DROP_SPOOF_MAC]	= "spoof_mac",
	[KCLOUD_VPC_DROP_SPOOF_IP]	= "spoof_ip",
	[KCLOUD_VPC_DROP_BROADCAST]	= "broadcast",
	[KCLOUD_VPC_DROP_ETHERTYPE]	= "ethertype",
	[KCLOUD_VPC_DROP_MALFORMED]	= "malformed",
	[KCLOUD_VPC_DROP_IP_OPTIONS]	= "ip_options",
	[KCLOUD_VPC_DROP_FRAGMENT]	= "fragment",
	[KCLOUD_VPC_DROP_NO_ROUTE]	= "no_route",
	[KCLOUD_VPC_DROP_BAD_DMAC]	= "bad_dmac",
	[KCLOUD_VPC_DROP_TTL]		= "ttl",
	[KCLOUD_VPC_DROP_TOO_BIG]	= "too_big",
	[KCLOUD_VPC_DROP_ARP_UNKNOWN]	= "arp_unknown",
	[KCLOUD_VPC_DROP_ARP_INVALID]	= "arp_invalid",
	[KCLOUD_VPC_DROP_DHCP_INVALID]	= "dhcp_invalid",
	[KCLOUD_VPC_DROP_NO_UNDERLAY]	= "no_underlay",
	[KCLOUD_VPC_DROP_UNDERLAY_ERROR] = "underlay_error",
	[KCLOUD_VPC_DROP_GENEVE_INVALID] = "geneve_invalid",
	[KCLOUD_VPC_DROP_VNI_UNKNOWN]	= "vni_unknown",
	[KCLOUD_VPC_DROP_REMOTE_SPOOF]	= "remote_spoof",
	[KCLOUD_VPC_DROP_NOMEM]		= "nomem",
};

struct kc_nl *kcv_open(void)
{
	return kc_nl_open(KCLOUD_VPC_GENL_NAME);
}

static int kcv_id_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	if (tb[KCLOUD_VPC_A_VPC_ID])
		*(uint32_t *)arg = nla_get_u32(tb[KCLOUD_VPC_A_VPC_ID]);
	return 0;
}

int kcv_vpc_id(struct kc_nl *nl, const char *ref, uint32_t *id)
{
	struct nl_msg *msg;

	if (!kc_parse_u32(ref, id) && *id)
		return 0;
	*id = 0;
	msg = kc_nl_msg(nl, KCLOUD_VPC_CMD_GET_VPC, 0);
	if (!msg || nla_put_string(msg, KCLOUD_VPC_A_NAME, ref)) {
		nlmsg_free(msg);
		return -1;
	}
	if (kc_nl_request(nl, msg, KCLOUD_VPC_A_MAX, kcv_id_cb, id) || !*id)
		return -1;
	return 0;
}

int kcv_put_vpc(struct kc_nl *nl, struct nl_msg *msg, const char *ref)
{
	uint32_t id;

	if (kcv_vpc_id(nl, ref, &id))
		return -1;
	return nla_put_u32(msg, KCLOUD_VPC_A_VPC_ID, id) ? -1 : 0;
}

void kcv_print_addr(struct nlattr *a, const char *key, const char *fmt)
{
	if (a)
		kc_print_str(KC_ANY, key, fmt, kc_fmt_ipv4(nla_get_u32(a)));
}

void kcv_print_stats(struct nlattr *nest)
{
	struct nlattr *tb[KCLOUD_VPC_STATS_A_MAX + 1];
	struct nlattr *a;
	int rem;

	if (!kc_stats || !nest || kc_nl_nested(nest, KCLOUD_VPC_STATS_A_MAX, tb))
		return;
	kc_open_object("stats");
#define KCV_U64(attr, key, fmt)							\
	do {									\
		if (tb[attr])							\
			kc_print_u64(KC_ANY, key, fmt, nla_get_u64(tb[attr]));	\
	} while (0)
	kc_printf("    ");
	KCV_U64(KCLOUD_VPC_STATS_A_RX_PACKETS, "rx_packets", "rx %llu packets");
	KCV_U64(KCLOUD_VPC_STATS_A_RX_BYTES, "rx_bytes", " %llu bytes");
	KCV_U64(KCLOUD_VPC_STATS_A_TX_PACKETS, "tx_packets", "  tx %llu packets");
	KCV_U64(KCLOUD_VPC_STATS_A_TX_BYTES, "tx_bytes", " %llu bytes");
	KCV_U64(KCLOUD_VPC_STATS_A_TUNNEL_RX_PACKETS, "tunnel_rx_packets",
		"  tunnel rx %llu");
	KCV_U64(KCLOUD_VPC_STATS_A_TUNNEL_TX_PACKETS, "tunnel_tx_packets",
		" tx %llu");
#undef KCV_U64
	kc_print_nl();
	kc_open_object("drops");
	kc_printf("    drops");
	if (tb[KCLOUD_VPC_STATS_A_DROPS]) {
		nla_for_each_nested(a, tb[KCLOUD_VPC_STATS_A_DROPS], rem) {
			int t = nla_type(a);
			char fmt[48];

			if (t <= 0 || t >= __KCLOUD_VPC_DROP_MAX || !kcv_drop_names[t])
				continue;
			snprintf(fmt, sizeof(fmt), " %s %%llu", kcv_drop_names[t]);
			kc_print_u64(KC_ANY, kcv_drop_names[t], fmt, nla_get_u64(a));
		}
	}
	kc_print_nl();
	kc_close_object();
	kc_close_object();
}

int kcv_show(struct kc_nl *nl, struct nl_msg *msg, kc_nl_cb cb)
{
	int err;

	kc_out_start();
	kc_open_array(NULL);
	err = kc_nl_request(nl, msg, KCLOUD_VPC_A_MAX, cb, NULL);
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

int kcv_change(struct kc_nl *nl, struct nl_msg *msg, kc_nl_cb cb)
{
	int err;

	if (!cb || !kc_json) {
		err = kc_nl_request(nl, msg, KCLOUD_VPC_A_MAX, NULL, NULL);
		kc_nl_close(nl);
		return err ? KC_EXIT_FAIL : KC_EXIT_OK;
	}
	return kcv_show(nl, msg, cb);
}

/* An event's verb, or NULL for a reply to a request. */
static const char *kcv_event(uint8_t cmd, void *arg)
{
	if (!arg)
		return NULL;
	switch (cmd) {
	case KCLOUD_VPC_CMD_ADD_VPC: case KCLOUD_VPC_CMD_ADD_SUBNET:
	case KCLOUD_VPC_CMD_ADD_PORT: case KCLOUD_VPC_CMD_ADD_MAPPING:
	case KCLOUD_VPC_CMD_ADD_HOST:
		return "add";
	case KCLOUD_VPC_CMD_DEL_VPC: case KCLOUD_VPC_CMD_DEL_SUBNET:
	case KCLOUD_VPC_CMD_DEL_PORT: case KCLOUD_VPC_CMD_DEL_MAPPING:
	case KCLOUD_VPC_CMD_DEL_HOST:
		return "del";
	default:
		return "set";
	}
}

int kcv_vpc_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	const char *ev = kcv_event(cmd, arg);

	kc_open_object(NULL);
	if (ev)
		kc_print_str(KC_ANY, "event", "%s ", ev);
	if (tb[KCLOUD_VPC_A_VPC_ID])
		kc_print_u64(KC_ANY, "id", "vpc %llu", nla_get_u32(tb[KCLOUD_VPC_A_VPC_ID]));
	if (tb[KCLOUD_VPC_A_NAME])
		kc_print_str(KC_ANY, "name", " name %s", nla_get_string(tb[KCLOUD_VPC_A_NAME]));
	if (tb[KCLOUD_VPC_A_VNI])
		kc_print_u64(KC_ANY, "vni", " vni %llu", nla_get_u32(tb[KCLOUD_VPC_A_VNI]));
	kcv_print_addr(tb[KCLOUD_VPC_A_ADDR], "addr", " cidr %s");
	if (tb[KCLOUD_VPC_A_PREFIXLEN])
		kc_print_u64(KC_ANY, "prefixlen", "/%llu",
			     nla_get_u8(tb[KCLOUD_VPC_A_PREFIXLEN]));
	kc_print_nl();
	kc_close_object();
	return 0;
}

static int kcv_monitor_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	switch (cmd) {
	case KCLOUD_VPC_CMD_ADD_VPC: case KCLOUD_VPC_CMD_DEL_VPC:
	case KCLOUD_VPC_CMD_SET_VPC:
		kc_printf("vpc ");
		return kcv_vpc_cb(cmd, tb, arg);
	case KCLOUD_VPC_CMD_ADD_SUBNET: case KCLOUD_VPC_CMD_DEL_SUBNET:
	case KCLOUD_VPC_CMD_SET_SUBNET:
		return kcv_subnet_cb(cmd, tb, arg);
	case KCLOUD_VPC_CMD_ADD_PORT: case KCLOUD_VPC_CMD_DEL_PORT:
	case KCLOUD_VPC_CMD_SET_PORT:
		return kcv_port_cb(cmd, tb, arg);
	case KCLOUD_VPC_CMD_ADD_MAPPING: case KCLOUD_VPC_CMD_DEL_MAPPING:
	case KCLOUD_VPC_CMD_SET_MAPPING:
		return kcv_mapping_cb(cmd, tb, arg);
	default:
		return kcv_host_cb(cmd, tb, arg);
	}
}

static int kcv_vpc_usage(void)
{
	printf("Usage: kcloud vpc add NAME vni N cidr A.B.C.D/P\n"
	       "       kcloud vpc del VPC\n"
	       "       kcloud vpc set VPC name NEW\n"
	       "       kcloud vpc show [VPC]\n"
	       "       kcloud vpc monitor\n"
	       "  VPC is an id or a name. monitor prints every change of the switch\n"
	       "  (VPCs, subnets, ports, mappings, host) as it happens.\n");
	return KC_EXIT_OK;
}

static int kcv_vpc_add(struct kc_nl *nl, struct nl_msg *msg, int argc, char **argv)
{
	bool have_vni = false, have_cidr = false;
	struct in_addr addr;
	uint8_t plen;
	uint32_t vni;

	if (argc < 1)
		return kc_usage_err("vpc add: missing NAME");
	if (nla_put_string(msg, KCLOUD_VPC_A_NAME, argv[0]))
		return kc_err("name too long");
	argc--, argv++;
	for (; argc > 0; argc--, argv++) {
		if (kc_matches(*argv, "vni")) {
			NEXT_ARG();
			if (kc_parse_u32(*argv, &vni))
				return kc_usage_err("bad vni \"%s\"", *argv);
			nla_put_u32(msg, KCLOUD_VPC_A_VNI, vni);
			have_vni = true;
		} else if (kc_matches(*argv, "cidr")) {
			NEXT_ARG();
			if (kc_parse_cidr(*argv, &addr, &plen))
				return kc_usage_err("bad cidr \"%s\"", *argv);
			nla_put_u32(msg, KCLOUD_VPC_A_ADDR, addr.s_addr);
			nla_put_u8(msg, KCLOUD_VPC_A_PREFIXLEN, plen);
			have_cidr = true;
		} else {
			return kc_usage_err("vpc add: unknown \"%s\"", *argv);
		}
	}
	if (!have_vni || !have_cidr)
		return kc_usage_err("vpc add: needs vni and cidr");
	return -1;
}

static int do_vpc(int argc, char **argv)
{
	const char *verb;
	struct nl_msg *msg;
	struct kc_nl *nl;
	int rc;

	if (argc < 1 || kc_is_help(argv[0]))
		return kcv_vpc_usage();
	verb = argv[0];
	argc--, argv++;

	if (kc_matches(verb, "monitor")) {
		nl = kcv_open();
		if (!nl)
			return KC_EXIT_FAIL;
		if (kc_nl_subscribe(nl, KCLOUD_VPC_MCGRP_CONFIG)) {
			kc_nl_close(nl);
			return kc_err("cannot join the multicast group");
		}
		setvbuf(stdout, NULL, _IOLBF, 0);
		kc_nl_listen(nl, KCLOUD_VPC_A_MAX, kcv_monitor_cb, nl);
		kc_nl_close(nl);
		return KC_EXIT_FAIL;
	}

	nl = kcv_open();
	if (!nl)
		return KC_EXIT_FAIL;
	if (kc_matches(verb, "add")) {
		msg = kc_nl_msg(nl, KCLOUD_VPC_CMD_ADD_VPC, 0);
		rc = kcv_vpc_add(nl, msg, argc, argv);
		if (rc >= 0) {
			nlmsg_free(msg);
			kc_nl_close(nl);
			return rc;
		}
		return kcv_change(nl, msg, kcv_vpc_cb);
	}
	if (kc_matches(verb, "show") || kc_matches(verb, "list")) {
		if (argc > 1)
			goto usage;
		msg = kc_nl_msg(nl, KCLOUD_VPC_CMD_GET_VPC, argc ? 0 : NLM_F_DUMP);
		if (argc && kcv_put_vpc(nl, msg, argv[0]))
			goto fail;
		return kcv_show(nl, msg, kcv_vpc_cb);
	}
	if (kc_matches(verb, "del") || kc_matches(verb, "delete")) {
		if (argc != 1)
			goto usage;
		msg = kc_nl_msg(nl, KCLOUD_VPC_CMD_DEL_VPC, 0);
		if (kcv_put_vpc(nl, msg, argv[0]))
			goto fail;
		return kcv_change(nl, msg, NULL);
	}
	if (kc_matches(verb, "set")) {
		if (argc != 3 || !kc_matches(argv[1], "name"))
			goto usage;
		msg = kc_nl_msg(nl, KCLOUD_VPC_CMD_SET_VPC, 0);
		if (kcv_put_vpc(nl, msg, argv[0]))
			goto fail;
		nla_put_string(msg, KCLOUD_VPC_A_NAME, argv[2]);
		return kcv_change(nl, msg, NULL);
	}
	kc_nl_close(nl);
	return kc_usage_err("vpc: unknown verb \"%s\", try \"kcloud vpc help\"", verb);

usage:
	kc_nl_close(nl);
	return kc_usage_err("vpc %s: bad arguments, try \"kcloud vpc help\"", verb);
fail:
	nlmsg_free(msg);
	kc_nl_close(nl);
	return KC_EXIT_FAIL;
}

KC_COMMAND(vpc, do_vpc, "VPCs: add, del, set, show, monitor")
