/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud meter: declarations shared by the meter's command files.
 */
#ifndef KCLOUD_METER_TOOL_H
#define KCLOUD_METER_TOOL_H

#include <stdint.h>

#include "nl.h"

uint32_t kcm_resolve(struct kc_nl *nl, const char *ref, uint32_t *handle);
int kcm_attach(int argc, char **argv);
int kcm_detach(int argc, char **argv);
int kcm_export_cmd(const char *verb, int argc, char **argv);
int kcm_save_cmd(const char *verb, int argc, char **argv);

#endif /* KCLOUD_METER_TOOL_H */
