/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud vpc, subnet, port, mapping, host: helpers shared by the files of
 * the VPC switch's commands (vpc*.c).
 */
#ifndef KCLOUD_VPC_TOOL_H
#define KCLOUD_VPC_TOOL_H

#include <linux/kcloud_vpc.h>

#include "kcloud.h"

/* Open the kcloud_vpc family; NULL (and a message) on failure. */
struct kc_nl *kcv_open(void);
/* Put KCLOUD_VPC_A_VPC_ID for @ref, a VPC id or name; -1 if unknown. */
int kcv_put_vpc(struct kc_nl *nl, struct nl_msg *msg, const char *ref);
/* The id of the VPC @ref (an id or a name); -1 if unknown. */
int kcv_vpc_id(struct kc_nl *nl, const char *ref, uint32_t *id);
/* Print KCLOUD_VPC_A_STATS (text: one line per group, after the object). */
void kcv_print_stats(struct nlattr *nest);
/* Send @msg (a dump or a get) and print each reply with @cb as a list. */
int kcv_show(struct kc_nl *nl, struct nl_msg *msg, kc_nl_cb cb);
/* Send a request that changes state; print the reply with @cb if any. */
int kcv_change(struct kc_nl *nl, struct nl_msg *msg, kc_nl_cb cb);
/* Print an address attribute as "KEY A.B.C.D". */
void kcv_print_addr(struct nlattr *a, const char *key, const char *fmt);

/* The printers of each object, for show and for monitor. */
int kcv_vpc_cb(uint8_t cmd, struct nlattr **tb, void *arg);
int kcv_subnet_cb(uint8_t cmd, struct nlattr **tb, void *arg);
int kcv_port_cb(uint8_t cmd, struct nlattr **tb, void *arg);
int kcv_mapping_cb(uint8_t cmd, struct nlattr **tb, void *arg);
int kcv_host_cb(uint8_t cmd, struct nlattr **tb, void *arg);

#endif /* KCLOUD_VPC_TOOL_H */
