/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud_meter: the usage meter. Internal declarations shared by the
 * files of the module.
 */
#ifndef _KCLOUD_METER_H
#define _KCLOUD_METER_H

#define KCLOUD_METER_VERSION	"0.1.0"

int kcloud_meter_genl_init(void);
void kcloud_meter_genl_exit(void);

#endif /* _KCLOUD_METER_H */
