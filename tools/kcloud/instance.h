/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud instance: instance types and the limits an instance is run with.
 */
#ifndef KCLOUD_INSTANCE_H
#define KCLOUD_INSTANCE_H

#define KC_INST_NAME_MAX	24
/* qemu's own memory on top of the guest's, in the instance's memory.max. */
#define KC_QEMU_OVERHEAD_MIB	256

struct kc_itype {
	char name[32];
	unsigned int vcpus;
	unsigned long long mem_mib;
};

/* Look a type up: built in, or from $KCLOUD_TYPES_FILE. 0 or -ENOENT. */
int kc_itype_lookup(const char *name, struct kc_itype *out);

/* A volume grew: its running instance's disk takes the new size (QMP). */
int kc_inst_volume_resized(const char *volume, unsigned long long size);

#endif /* KCLOUD_INSTANCE_H */
