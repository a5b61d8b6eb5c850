/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kcloud_bs: replicated network block devices and their targets; generic netlink API.
 *
 * Family name: KCLOUD_BS_GENL_NAME ("kcloud_bs"), version
 * KCLOUD_BS_GENL_VERSION. Every network namespace has its own objects: a
 * request acts on the objects of the namespace of the socket it came from.
 *
 * Commands that change state need CAP_NET_ADMIN in the user namespace that
 * owns the network namespace (GENL_UNS_ADMIN_PERM); they fail with -EPERM
 * otherwise. Every rejected request carries an extended ack message that
 * names the attribute at fault.
 *
 * KCLOUD_BS_CMD_GET_INFO (do)
 *   Request: no attributes.
 *   Reply:
 *     KCLOUD_BS_A_INFO_VERSION   NLA_NUL_STRING  module version, "X.Y.Z"
 *     KCLOUD_BS_A_INFO_FEATURES  NLA_U64         KCLOUD_BS_F_* bits that
 *                                                 this module implements
 */
#ifndef _UAPI_LINUX_KCLOUD_BS_H
#define _UAPI_LINUX_KCLOUD_BS_H

#define KCLOUD_BS_GENL_NAME	"kcloud_bs"
#define KCLOUD_BS_GENL_VERSION	1

/* Features reported by KCLOUD_BS_CMD_GET_INFO. */
enum kcloud_bs_feature {
	KCLOUD_BS_F_INFO = 1ULL << 0,	/* GET_INFO: always set */
};

enum kcloud_bs_cmd {
	KCLOUD_BS_CMD_UNSPEC,
	KCLOUD_BS_CMD_GET_INFO,

	__KCLOUD_BS_CMD_MAX,
	KCLOUD_BS_CMD_MAX = __KCLOUD_BS_CMD_MAX - 1
};

enum kcloud_bs_attr {
	KCLOUD_BS_A_UNSPEC,
	KCLOUD_BS_A_INFO_VERSION,
	KCLOUD_BS_A_INFO_FEATURES,
	KCLOUD_BS_A_PAD,

	__KCLOUD_BS_A_MAX,
	KCLOUD_BS_A_MAX = __KCLOUD_BS_A_MAX - 1
};

#endif /* _UAPI_LINUX_KCLOUD_BS_H */
