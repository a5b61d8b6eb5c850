/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud: a small generic netlink layer on libnl-genl-3.
 *
 *	struct kc_nl *nl = kc_nl_open(KCLOUD_VPC_GENL_NAME);
 *	struct nl_msg *msg = kc_nl_msg(nl, KCLOUD_VPC_CMD_GET_INFO, 0);
 *	err = kc_nl_request(nl, msg, KCLOUD_VPC_A_MAX, info_cb, &data);
 *
 * kc_nl_request() sends the request (it takes the message), receives every
 * reply (all parts of a dump when NLM_F_DUMP is set), calls @cb for each
 * with its attributes parsed into tb[0..maxattr], and returns 0 or a
 * negative errno. On an error the kernel's extack message, when it sent one,
 * is in kc_nl_extack(nl) and has been printed as "kcloud: MESSAGE".
 */
#ifndef KCLOUD_NL_H
#define KCLOUD_NL_H

#include <stdint.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

struct kc_nl;

/* Callback for each reply or event: @cmd is the genl command. */
typedef int (*kc_nl_cb)(uint8_t cmd, struct nlattr **tb, void *arg);

/* Open a socket and resolve @family; prints why and returns NULL on failure. */
struct kc_nl *kc_nl_open(const char *family);
/* As kc_nl_open() but silent when the family is absent. */
struct kc_nl *kc_nl_open_quiet(const char *family);
void kc_nl_close(struct kc_nl *nl);

/* A new request for @cmd; @flags are NLM_F_* (NLM_F_DUMP for a dump). */
struct nl_msg *kc_nl_msg(struct kc_nl *nl, uint8_t cmd, int flags);

int kc_nl_request(struct kc_nl *nl, struct nl_msg *msg, int maxattr,
		  kc_nl_cb cb, void *arg);
/* As kc_nl_request() but prints nothing on error. */
int kc_nl_request_quiet(struct kc_nl *nl, struct nl_msg *msg, int maxattr,
			kc_nl_cb cb, void *arg);

/* The extack message of the last failed request, or "". */
const char *kc_nl_extack(struct kc_nl *nl);

/* Join the family's multicast group @group. */
int kc_nl_subscribe(struct kc_nl *nl, const char *group);
/* Receive events until @cb returns non-zero or an error occurs. */
int kc_nl_listen(struct kc_nl *nl, int maxattr, kc_nl_cb cb, void *arg);

/* Parse a nested attribute into tb[0..maxattr]. */
int kc_nl_nested(struct nlattr *nest, int maxattr, struct nlattr **tb);

int kc_nl_family_id(struct kc_nl *nl);
struct nl_sock *kc_nl_sock(struct kc_nl *nl);

#endif /* KCLOUD_NL_H */
