/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud: the volume cipher in userspace (cipher.c).
 */
#ifndef KCLOUD_CIPHER_H
#define KCLOUD_CIPHER_H

#include <stddef.h>
#include <stdint.h>

#define KC_KCV_LEN		32	/* HMAC-SHA256 */
#define KC_CIPHER_SECTOR	4096

struct kc_cipher {
	int tfm;	/* the keyed transform */
	int op;		/* its operation socket */
};

int kc_key_check(const unsigned char *key, size_t len, const char *volume,
		 unsigned char *kcv);
int kc_cipher_open(struct kc_cipher *c, const unsigned char *key, size_t len);
int kc_cipher_decrypt(struct kc_cipher *c, char *buf, size_t len, uint64_t off);
void kc_cipher_close(struct kc_cipher *c);

#endif /* KCLOUD_CIPHER_H */
