/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud_vpc: the VPC overlay switch. Internal declarations shared by the
 * files of the module.
 */
#ifndef _KCLOUD_VPC_H
#define _KCLOUD_VPC_H

#define KCLOUD_VPC_VERSION	"0.1.0"

int kcloud_vpc_genl_init(void);
void kcloud_vpc_genl_exit(void);

#endif /* _KCLOUD_VPC_H */
