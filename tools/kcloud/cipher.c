// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: the volume cipher in userspace, through the kernel's crypto API
 * (AF_ALG), so that the tool and kcloud_bs run the same code: a key's check
 * value, and decryption as kcloud_bs encrypts (dm-crypt's aes-xts-plain64
 * with sector_size:4096: xts(aes) over 4096-byte sectors, the IV of each the
 * little-endian number of its first 512-byte sector). `kcloud volume create
 * ... snapshot S` decrypts the snapshot of an encrypted volume with it.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_alg.h>

#include "kcloud.h"
#include "cipher.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define KC_KCV_LABEL	"kcloud_bs volume key check v1:"

/* An AF_ALG transform of @type and @name keyed with @key; -1 on error. */
static int kc_alg_open(const char *type, const char *name, const unsigned char *key,
		       size_t len)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int tfm;

	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", type);
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", name);
	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		return -1;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, len)) {
		int e = errno;

		close(tfm);
		errno = e;
		return -1;
	}
	return tfm;
}

/**
 * kc_key_check() - the check value kcloud_bs keeps of a volume's key
 * @key: the key
 * @len: its length
 * @volume: the volume's name
 * @kcv: KC_KCV_LEN bytes, filled in
 *
 * HMAC-SHA256 keyed with @key over a label and @volume, as the kernel
 * computes it.
 *
 * Return: 0, or an exit code (the reason printed).
 */
int kc_key_check(const unsigned char *key, size_t len, const char *volume,
		 unsigned char *kcv)
{
	int tfm, op, rc = KC_EXIT_FAIL;

	tfm = kc_alg_open("hash", "hmac(sha256)", key, len);
	if (tfm < 0)
		return kc_err("hmac(sha256) from the kernel (AF_ALG): %m");
	op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	if (op < 0) {
		kc_err("hmac(sha256) from the kernel (AF_ALG): %m");
		goto out;
	}
	if (send(op, KC_KCV_LABEL, strlen(KC_KCV_LABEL), MSG_MORE) < 0 ||
	    send(op, volume, strlen(volume), 0) < 0 ||
	    read(op, kcv, KC_KCV_LEN) != KC_KCV_LEN)
		kc_err("hmac(sha256) from the kernel (AF_ALG): %m");
	else
		rc = KC_EXIT_OK;
	close(op);
out:
	close(tfm);
	return rc;
}

/**
 * kc_cipher_open() - a volume key's decryptor
 * @c: filled in
 * @key: the key, 32 or 64 bytes
 * @len: its length
 *
 * Return: 0, or an exit code (the reason printed).
 */
int kc_cipher_open(struct kc_cipher *c, const unsigned char *key, size_t len)
{
	c->tfm = kc_alg_open("skcipher", "xts(aes)", key, len);
	if (c->tfm < 0)
		return kc_err("xts(aes) from the kernel (AF_ALG) with a %zu-byte key: %m", len);
	c->op = accept4(c->tfm, NULL, NULL, SOCK_CLOEXEC);
	if (c->op < 0) {
		kc_err("xts(aes) from the kernel (AF_ALG): %m");
		close(c->tfm);
		return KC_EXIT_FAIL;
	}
	return KC_EXIT_OK;
}

/**
 * kc_cipher_decrypt() - decrypt what a volume holds at @off
 * @c: the decryptor
 * @buf: @len bytes, decrypted in place
 * @len: a multiple of KC_CIPHER_SECTOR
 * @off: where @buf is on the volume, a multiple of KC_CIPHER_SECTOR
 *
 * Return: 0, or an exit code (the reason printed).
 */
int kc_cipher_decrypt(struct kc_cipher *c, char *buf, size_t len, uint64_t off)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
	struct msghdr msg = { .msg_control = cbuf, .msg_controllen = sizeof(cbuf),
			      .msg_iovlen = 1 };
	struct af_alg_iv *iv;
	struct cmsghdr *cm;
	struct iovec io;
	uint64_t sector;
	size_t done;
	int i;

	for (done = 0; done < len; done += KC_CIPHER_SECTOR) {
		memset(cbuf, 0, sizeof(cbuf));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_ALG;
		cm->cmsg_type = ALG_SET_OP;
		cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
		*(uint32_t *)CMSG_DATA(cm) = ALG_OP_DECRYPT;
		cm = CMSG_NXTHDR(&msg, cm);
		cm->cmsg_level = SOL_ALG;
		cm->cmsg_type = ALG_SET_IV;
		cm->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + 16);
		iv = (struct af_alg_iv *)CMSG_DATA(cm);
		iv->ivlen = 16;
		sector = (off + done) >> 9;	/* plain64: little-endian */
		for (i = 0; i < 8; i++)
			iv->iv[i] = sector >> (8 * i);
		io.iov_base = buf + done;
		io.iov_len = KC_CIPHER_SECTOR;
		msg.msg_iov = &io;
		if (sendmsg(c->op, &msg, 0) != KC_CIPHER_SECTOR ||
		    read(c->op, buf + done, KC_CIPHER_SECTOR) != KC_CIPHER_SECTOR)
			return kc_err("cannot decrypt at %llu (AF_ALG): %m",
				      (unsigned long long)(off + done));
	}
	return KC_EXIT_OK;
}

void kc_cipher_close(struct kc_cipher *c)
{
	close(c->op);
	close(c->tfm);
}
