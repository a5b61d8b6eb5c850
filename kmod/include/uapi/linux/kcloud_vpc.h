/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kcloud_vpc: the VPC overlay switch; generic netlink API.
 *
 * Family name: KCLOUD_VPC_GENL_NAME ("kcloud_vpc"), version
 * KCLOUD_VPC_GENL_VERSION. Every network namespace is its own switch: a
 * request acts on the switch of the namespace of the socket it came from.
 *
 * Commands that change state need CAP_NET_ADMIN in the user namespace that
 * owns the network namespace (GENL_UNS_ADMIN_PERM); they fail with -EPERM
 * otherwise. Every rejected request carries an extended ack message that
 * names the attribute at fault.
 *
 * KCLOUD_VPC_CMD_GET_INFO (do)
 *   Request: no attributes.
 *   Reply:
 *     KCLOUD_VPC_A_INFO_VERSION   NLA_NUL_STRING  module version, "X.Y.Z"
 *     KCLOUD_VPC_A_INFO_FEATURES  NLA_U64         KCLOUD_VPC_F_* bits that
 *                                                 this module implements
 */
#ifndef _UAPI_LINUX_KCLOUD_VPC_H
#define _UAPI_LINUX_KCLOUD_VPC_H

#define KCLOUD_VPC_GENL_NAME	"kcloud_vpc"
#define KCLOUD_VPC_GENL_VERSION	1

/* Features reported by KCLOUD_VPC_CMD_GET_INFO. */
enum kcloud_vpc_feature {
	KCLOUD_VPC_F_INFO = 1ULL << 0,	/* GET_INFO: always set */
};

enum kcloud_vpc_cmd {
	KCLOUD_VPC_CMD_UNSPEC,
	KCLOUD_VPC_CMD_GET_INFO,

	__KCLOUD_VPC_CMD_MAX,
	KCLOUD_VPC_CMD_MAX = __KCLOUD_VPC_CMD_MAX - 1
};

enum kcloud_vpc_attr {
	KCLOUD_VPC_A_UNSPEC,
	KCLOUD_VPC_A_INFO_VERSION,
	KCLOUD_VPC_A_INFO_FEATURES,
	KCLOUD_VPC_A_PAD,

	__KCLOUD_VPC_A_MAX,
	KCLOUD_VPC_A_MAX = __KCLOUD_VPC_A_MAX - 1
};

#endif /* _UAPI_LINUX_KCLOUD_VPC_H */
