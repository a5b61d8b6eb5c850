// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud volume: replicated block devices (kcloud_bs).
 *
 *   kcloud volume create NAME size SIZE replica ADDR:PORT [ replica ADDR:PORT ]...
 *          [ quorum N ] [ region SIZE ] [ epoch N ] [ resync-rate KIB/S ]
 *          [ timeout MS ] [ meta PATH ] [ iops N ] [ throughput SIZE ]
 *          [ snapshot SNAPSHOT | image FILE ]
 *          [ key-file FILE ]
 *   kcloud volume modify NAME [ size SIZE ] [ iops N ] [ throughput SIZE ]
 *          [ resync-rate KIB/S ]
 *   kcloud volume delete NAME [ force ]
 *   kcloud [-s] [-j] volume show [ NAME ]
 *   kcloud volume attach|detach NAME
 *   kcloud volume replica add NAME ADDR:PORT
 *   kcloud volume replica remove NAME INDEX
 *   kcloud volume replica replace NAME INDEX ADDR:PORT
 *   kcloud [-j] volume events
 */
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <linux/kcloud_bs.h>

#include "instance.h"
#include "kcloud.h"
#include "snapshot.h"

void kc_bs_print_stats(struct nlattr *nest);	/* volume_stats.c */

static const char * const kc_vol_states[] = {
	[KCLOUD_BS_VOLUME_OK] = "ok",
	[KCLOUD_BS_VOLUME_DEGRADED] = "degraded",
	[KCLOUD_BS_VOLUME_FROZEN] = "frozen",
};

static const char * const kc_rep_states[] = {
	[KCLOUD_BS_REPLICA_CONNECTING] = "connecting",
	[KCLOUD_BS_REPLICA_IN_SYNC] = "in-sync",
	[KCLOUD_BS_REPLICA_OUT_OF_SYNC] = "out-of-sync",
	[KCLOUD_BS_REPLICA_RESYNCING] = "resyncing",
	[KCLOUD_BS_REPLICA_STALE] = "stale",
	[KCLOUD_BS_REPLICA_FOREIGN] = "foreign",
};

static const char * const kc_events[] = {
	[KCLOUD_BS_EVENT_NONE] = "none",
	[KCLOUD_BS_EVENT_VOLUME_CREATED] = "created",
	[KCLOUD_BS_EVENT_VOLUME_DELETED] = "deleted",
	[KCLOUD_BS_EVENT_REPLICA_STATE] = "replica-state",
	[KCLOUD_BS_EVENT_VOLUME_STATE] = "volume-state",
	[KCLOUD_BS_EVENT_VOLUME_ATTACHED] = "attached",
	[KCLOUD_BS_EVENT_VOLUME_DETACHED] = "detached",
	[KCLOUD_BS_EVENT_VOLUME_RESIZED] = "resized",
};

#define KC_NAME(tbl, v) ((v) < sizeof(tbl) / sizeof(tbl[0]) && tbl[v] ? tbl[v] : "unknown")

static int kc_volume_usage(void)
{
	fprintf(stderr,
		"Usage: kcloud volume create NAME size SIZE replica ADDR:PORT [ replica ADDR:PORT ]...\n"
		"              [ quorum N ] [ region SIZE ] [ epoch N ] [ resync-rate KIB/S ]\n"
		"              [ timeout MS ] [ meta PATH ] [ iops N ] [ throughput SIZE ]\n"
		"              [ snapshot SNAPSHOT | image FILE ] [ source-key-file FILE ]\n"
		"              [ key-file FILE ]\n"
		"       kcloud volume modify NAME [ size SIZE ] [ iops N ] [ throughput SIZE ]\n"
		"              [ resync-rate KIB/S ]\n"
		"       kcloud volume delete NAME [ force ]\n"
		"       kcloud [-s] [-j] volume show [ NAME ]\n"
		"       kcloud volume attach|detach NAME\n"
		"       kcloud volume replica add NAME ADDR:PORT\n"
		"       kcloud volume replica remove NAME INDEX\n"
		"       kcloud volume replica replace NAME INDEX ADDR:PORT\n"
		"       kcloud [-j] volume events\n"
		"A volume is the block device /dev/kcbsN, its data on 1 to 5 replica\n"
		"targets (kcloud target add). quorum: in-sync replicas a write needs\n"
		"(default: a majority); region: bytes per dirty-bitmap bit (64K).\n"
		"iops: I/Os a second (one per 256K or part of it); throughput: bytes\n"
		"a second, a multiple of 1K (125M = 125 MiB/s); 0 or absent: no limit.\n"
		"modify changes them on the live volume; size grows it online (every\n"
		"replica in sync; each target's store grows, the new space reads as\n"
		"zeroes; the guest's filesystem is grown by the guest, e.g. resize2fs).\n"
		"snapshot: the new volume holds a completed snapshot's data (size:\n"
		"the snapshot's by default; kcloud snapshot help); image: a raw disk\n"
		"image's, such as a snapshot's file kept after its snapshot was deleted\n"
		"or the module unloaded.\n"
		"A replica whose target this host serves from a block device is read\n"
		"and written on it without TCP (\"local\"; kcloud_bs.local_read=0: off).\n"
		"key-file: encrypt the volume (aes-xts-plain64, 4096-byte sectors) with\n"
		"the raw key in FILE, 32 bytes (AES-128) or 64 (AES-256): data is\n"
		"encrypted on the wire and on every replica; the key is never shown nor\n"
		"stored. With meta, the same key is needed to create the volume again.\n"
		"The snapshot of an encrypted volume holds its ciphertext: a volume made\n"
		"from it needs key-file, and source-key-file if the snapshot's key is\n"
		"another (checked against the snapshot's key check value); it reads\n"
		"what the snapshot's volume read. An image from such a snapshot's file\n"
		"takes source-key-file the same way.\n"
		"A replica's store reads with dm-crypt: dmsetup create NAME --table\n"
		"\"0 SECTORS crypt aes-xts-plain64 HEXKEY 0 DEV 0 1 sector_size:4096\".\n");
	return KC_EXIT_USAGE;
}

static int kc_parse_target(const char *s, struct in_addr *addr, uint32_t *port)
{
	char buf[64], *colon;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (kc_parse_ipv4(buf, addr) || kc_parse_u32(colon + 1, port) || !*port ||
	    *port > 65535)
		return -1;
	return 0;
}

static void kc_put_replica(struct nl_msg *msg, struct in_addr addr, uint32_t port)
{
	struct nlattr *nest = nla_nest_start(msg, KCLOUD_BS_A_REPLICA);

	nla_put_u32(msg, KCLOUD_BS_REPLICA_A_ADDR, addr.s_addr);
	nla_put_u16(msg, KCLOUD_BS_REPLICA_A_PORT, port);
	nla_nest_end(msg, nest);
}

static void kc_volume_print_replica(struct nlattr *nest)
{
	struct nlattr *tb[KCLOUD_BS_REPLICA_A_MAX + 1];

	if (kc_nl_nested(nest, KCLOUD_BS_REPLICA_A_MAX, tb))
		return;
	kc_open_object(NULL);
	kc_printf("\n  ");
	if (tb[KCLOUD_BS_REPLICA_A_INDEX])
		kc_print_u64(KC_ANY, "index", "replica %llu ",
			     nla_get_u8(tb[KCLOUD_BS_REPLICA_A_INDEX]));
	if (tb[KCLOUD_BS_REPLICA_A_ADDR])
		kc_print_str(KC_ANY, "addr", "%s",
			     kc_fmt_ipv4(nla_get_u32(tb[KCLOUD_BS_REPLICA_A_ADDR])));
	if (tb[KCLOUD_BS_REPLICA_A_PORT])
		kc_print_u64(KC_ANY, "port", ":%llu ",
			     nla_get_u16(tb[KCLOUD_BS_REPLICA_A_PORT]));
	if (tb[KCLOUD_BS_REPLICA_A_STATE])
		kc_print_str(KC_ANY, "state", "%s ",
			     KC_NAME(kc_rep_states, nla_get_u8(tb[KCLOUD_BS_REPLICA_A_STATE])));
	if (tb[KCLOUD_BS_REPLICA_A_DIRTY])
		kc_print_u64(KC_ANY, "dirty", "dirty %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_REPLICA_A_DIRTY]));
	if (tb[KCLOUD_BS_REPLICA_A_EPOCH])
		kc_print_u64(KC_ANY, "target_epoch", "target-epoch %llu",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_REPLICA_A_EPOCH]));
	if (tb[KCLOUD_BS_REPLICA_A_LOCAL]) {
		kc_print_bool(KC_JSON, "local", NULL, nla_get_u8(tb[KCLOUD_BS_REPLICA_A_LOCAL]));
		if (!kc_json && nla_get_u8(tb[KCLOUD_BS_REPLICA_A_LOCAL]))
			kc_printf(" local");
	}
	if (kc_stats)
		kc_bs_print_stats(tb[KCLOUD_BS_REPLICA_A_STATS]);
	kc_close_object();
}

static int kc_volume_show_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct nlattr *nest;
	int rem;

	kc_open_object(NULL);
	if (tb[KCLOUD_BS_A_EVENT])
		kc_print_str(KC_ANY, "event", "[%s] ",
			     KC_NAME(kc_events, nla_get_u8(tb[KCLOUD_BS_A_EVENT])));
	if (tb[KCLOUD_BS_A_VOLUME_NAME])
		kc_print_str(KC_ANY, "name", "volume %s ",
			     nla_get_string(tb[KCLOUD_BS_A_VOLUME_NAME]));
	if (tb[KCLOUD_BS_A_VOLUME_DISK])
		kc_print_str(KC_ANY, "disk", "disk %s ",
			     nla_get_string(tb[KCLOUD_BS_A_VOLUME_DISK]));
	if (tb[KCLOUD_BS_A_VOLUME_STATE])
		kc_print_str(KC_ANY, "state", "%s ",
			     KC_NAME(kc_vol_states, nla_get_u8(tb[KCLOUD_BS_A_VOLUME_STATE])));
	if (tb[KCLOUD_BS_A_VOLUME_SIZE])
		kc_print_u64(KC_ANY, "size", "size %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_A_VOLUME_SIZE]));
	if (tb[KCLOUD_BS_A_VOLUME_QUORUM])
		kc_print_u64(KC_ANY, "quorum", "quorum %llu ",
			     nla_get_u8(tb[KCLOUD_BS_A_VOLUME_QUORUM]));
	if (tb[KCLOUD_BS_A_VOLUME_REGION_SIZE])
		kc_print_u64(KC_ANY, "region_size", "region %llu ",
			     nla_get_u32(tb[KCLOUD_BS_A_VOLUME_REGION_SIZE]));
	if (tb[KCLOUD_BS_A_VOLUME_EPOCH])
		kc_print_u64(KC_ANY, "epoch", "epoch %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_A_VOLUME_EPOCH]));
	if (tb[KCLOUD_BS_A_VOLUME_RESYNC_RATE])
		kc_print_u64(KC_ANY, "resync_rate", "resync-rate %llu ",
			     nla_get_u32(tb[KCLOUD_BS_A_VOLUME_RESYNC_RATE]));
	if (tb[KCLOUD_BS_A_VOLUME_TIMEOUT])
		kc_print_u64(KC_ANY, "timeout_ms", "timeout %llu",
			     nla_get_u32(tb[KCLOUD_BS_A_VOLUME_TIMEOUT]));
	if (tb[KCLOUD_BS_A_VOLUME_IOPS])
		kc_print_u64(KC_ANY, "iops", " iops %llu",
			     nla_get_u32(tb[KCLOUD_BS_A_VOLUME_IOPS]));
	if (tb[KCLOUD_BS_A_VOLUME_THROUGHPUT])
		kc_print_u64(KC_ANY, "throughput_kib", " throughput %lluK",
			     nla_get_u32(tb[KCLOUD_BS_A_VOLUME_THROUGHPUT]));
	kc_print_bool(KC_JSON, "encrypted", NULL, tb[KCLOUD_BS_A_VOLUME_CIPHER] != NULL);
	if (tb[KCLOUD_BS_A_VOLUME_CIPHER])
		kc_print_str(KC_ANY, "cipher", " encrypted %s",
			     nla_get_string(tb[KCLOUD_BS_A_VOLUME_CIPHER]));
	if (tb[KCLOUD_BS_A_VOLUME_KEY_BITS])
		kc_print_u64(KC_ANY, "key_bits", " key-bits %llu",
			     nla_get_u32(tb[KCLOUD_BS_A_VOLUME_KEY_BITS]));
	if (kc_stats)
		kc_bs_print_stats(tb[KCLOUD_BS_A_STATS]);
	kc_open_array("replicas");
	if (tb[KCLOUD_BS_A_VOLUME_REPLICAS])
		nla_for_each_nested(nest, tb[KCLOUD_BS_A_VOLUME_REPLICAS], rem)
			kc_volume_print_replica(nest);
	kc_close_array();
	kc_print_nl();
	kc_close_object();
	return 0;
}

/* A volume's IOPS and throughput limits, as given on the command line. */
struct kc_limits {
	uint32_t iops, kbps;
	int has_iops, has_kbps;
};

/* iops N, throughput SIZE (bytes a second, whole KiB): 1 if @argv is one. */
static int kc_parse_limit(char ***argv, int *argc, struct kc_limits *l)
{
	uint64_t v;

	if (kc_matches(**argv, "iops")) {
		if (*argc < 2 || kc_parse_u32((*argv)[1], &l->iops))
			return -1;
		l->has_iops = 1;
	} else if (kc_matches(**argv, "throughput")) {
		if (*argc < 2 || kc_parse_size((*argv)[1], &v) || v % 1024 ||
		    v / 1024 > UINT32_MAX)
			return -1;
		l->kbps = v / 1024;
		l->has_kbps = 1;
	} else {
		return 0;
	}
	(*argv)++;
	(*argc)--;
	return 1;
}

static void kc_put_limits(struct nl_msg *msg, const struct kc_limits *l)
{
	if (l->has_iops)
		nla_put_u32(msg, KCLOUD_BS_A_VOLUME_IOPS, l->iops);
	if (l->has_kbps)
		nla_put_u32(msg, KCLOUD_BS_A_VOLUME_THROUGHPUT, l->kbps);
}

/* Send @msg, print the volume it answers with, close @nl. */
static int kc_volume_request(struct kc_nl *nl, struct nl_msg *msg)
{
	int err;

	kc_out_start();
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, kc_volume_show_cb, NULL);
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

/* The reply to VOLUME_CREATE: printed, and its disk's name kept. */
static int kc_volume_created_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	char *disk = arg;

	if (tb[KCLOUD_BS_A_VOLUME_DISK])
		snprintf(disk, 32, "%s", nla_get_string(tb[KCLOUD_BS_A_VOLUME_DISK]));
	return kc_volume_show_cb(cmd, tb, NULL);
}

/*
 * Fill the new volume @name (its disk @disk) from @si, decrypted with @dec
 * if not NULL; deleted on failure.
 */
static int kc_volume_restore(const char *name, const char *disk,
			     const struct kc_snapshot_info *si, struct kc_cipher *dec)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	int rc;

	rc = *disk ? kc_snapshot_restore(si, disk, dec) : kc_err("the new volume has no disk");
	if (!rc)
		return KC_EXIT_OK;
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (nl) {
		msg = kc_nl_msg(nl, KCLOUD_BS_CMD_VOLUME_DELETE, 0);
		nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, name);
		kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, NULL, NULL);
		kc_nl_close(nl);
	}
	return kc_err("volume %s not filled from %s: deleted", name, si->path);
}

/* The raw key in @path; at most @max bytes (the kernel judges the length). */
static int kc_read_key(const char *path, unsigned char *key, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return kc_err("cannot open the key file \"%s\": %m", path);
	*len = fread(key, 1, max, f);
	if (ferror(f)) {
		fclose(f);
		return kc_err("cannot read the key file \"%s\"", path);
	}
	if (*len == max && fgetc(f) != EOF) {
		fclose(f);
		return kc_err("the key file \"%s\" is too large for a key", path);
	}
	fclose(f);
	if (!*len)
		return kc_err("the key file \"%s\" is empty", path);
	return 0;
}

/*
 * The decryptor of @si, the snapshot (or image, @snapshot NULL) of an
 * encrypted volume, with the key in @src_file (else @key_file, the new
 * volume's), after the snapshot's key check value says it is its key.
 */
static int kc_source_cipher(const struct kc_snapshot_info *si, const char *snapshot,
			    const char *key_file, const char *src_file, struct kc_cipher *dec)
{
	unsigned char key[256], kcv[KC_KCV_LEN];
	const char *path = src_file ? src_file : key_file;
	size_t len;
	int rc;

	if (!key_file)
		return kc_err("%s %s holds an encrypted volume's ciphertext: the new volume"
			      " is encrypted too (key-file)", snapshot ? "snapshot" : "image",
			      snapshot ? snapshot : si->path);
	if (kc_read_key(path, key, sizeof(key), &len))
		return KC_EXIT_FAIL;
	rc = KC_EXIT_OK;
	if (snapshot && len * 8 != si->key_bits)
		rc = kc_err("the key in \"%s\" is not snapshot %s's: %zu bits, not %u", path,
			    snapshot, len * 8, si->key_bits);
	else if (snapshot && !(rc = kc_key_check(key, len, si->volume, kcv)) &&
		 memcmp(kcv, si->kcv, KC_KCV_LEN))
		rc = kc_err("the key in \"%s\" is not snapshot %s's (its check value differs)%s",
			    path, snapshot, src_file ? "" : ": give source-key-file");
	if (!rc)
		rc = kc_cipher_open(dec, key, len);
	explicit_bzero(key, sizeof(key));
	return rc;
}

static int kc_volume_create(int argc, char **argv)
{
	const char *snapshot = NULL, *image = NULL, *src_key_file = NULL;
	struct kc_cipher dec, *decp = NULL;
	struct kc_snapshot_info si = { 0 };
	char disk[32] = "";
	unsigned char key[256];
	const char *key_file = NULL;
	size_t key_len = 0;
	uint64_t size = 0, region = 0, epoch = 0;
	uint32_t quorum = 0, rate = 0, timeout = 0;
	struct kc_limits lim = { 0 };
	const char *meta = NULL;
	struct in_addr addrs[KCLOUD_BS_MAX_REPLICAS];
	uint32_t ports[KCLOUD_BS_MAX_REPLICAS];
	int n = 0, i, has_rate = 0, l;
	const char *name = NULL;
	struct nlattr *nest;
	struct nl_msg *msg;
	struct kc_nl *nl;

	for (; argc > 0; argc--, argv++) {
		l = kc_parse_limit(&argv, &argc, &lim);
		if (l < 0)
			return kc_usage_err("invalid %s \"%s\"", *argv, argc > 1 ? argv[1] : "");
		if (l)
			continue;
		if (kc_matches(*argv, "size")) {
			NEXT_ARG();
			if (kc_parse_size(*argv, &size))
				return kc_usage_err("invalid size \"%s\"", *argv);
		} else if (kc_matches(*argv, "replica")) {
			NEXT_ARG();
			if (n == KCLOUD_BS_MAX_REPLICAS)
				return kc_usage_err("at most %d replicas", KCLOUD_BS_MAX_REPLICAS);
			if (kc_parse_target(*argv, &addrs[n], &ports[n]))
				return kc_usage_err("invalid replica \"%s\" (ADDR:PORT)", *argv);
			n++;
		} else if (kc_matches(*argv, "quorum")) {
			NEXT_ARG();
			if (kc_parse_u32(*argv, &quorum) || !quorum || quorum > 255)
				return kc_usage_err("invalid quorum \"%s\"", *argv);
		} else if (kc_matches(*argv, "region")) {
			NEXT_ARG();
			if (kc_parse_size(*argv, &region) || region > UINT32_MAX)
				return kc_usage_err("invalid region size \"%s\"", *argv);
		} else if (kc_matches(*argv, "epoch")) {
			NEXT_ARG();
			if (kc_parse_u64(*argv, &epoch))
				return kc_usage_err("invalid epoch \"%s\"", *argv);
		} else if (kc_matches(*argv, "resync-rate")) {
			NEXT_ARG();
			if (kc_parse_u32(*argv, &rate))
				return kc_usage_err("invalid resync rate \"%s\"", *argv);
			has_rate = 1;
		} else if (kc_matches(*argv, "timeout")) {
			NEXT_ARG();
			if (kc_parse_u32(*argv, &timeout))
				return kc_usage_err("invalid timeout \"%s\"", *argv);
		} else if (kc_matches(*argv, "meta")) {
			NEXT_ARG();
			meta = *argv;
		} else if (kc_matches(*argv, "snapshot")) {
			NEXT_ARG();
			snapshot = *argv;
		} else if (kc_matches(*argv, "image")) {
			NEXT_ARG();
			image = *argv;
		} else if (kc_matches(*argv, "key-file")) {
			NEXT_ARG();
			key_file = *argv;
		} else if (!strcmp(*argv, "source-key-file")) {
			NEXT_ARG();
			src_key_file = *argv;
		} else if (kc_is_help(*argv)) {
			return kc_volume_usage();
		} else if (!name) {
			name = *argv;
		} else {
			return kc_usage_err("unexpected \"%s\"", *argv);
		}
	}
	if (snapshot && image)
		return kc_usage_err("give snapshot or image, not both");
	if (src_key_file && !snapshot && !image)
		return kc_usage_err("source-key-file goes with snapshot or image");
	if (snapshot || image) {
		int rc = snapshot ? kc_snapshot_get(snapshot, &si) : kc_image_info(image, &si);

		if (rc)
			return rc;
		if (si.state != KCLOUD_BS_SNAPSHOT_COMPLETED)
			return kc_err("snapshot %s is not completed", snapshot);
		if (!size)
			size = si.size;
		if (size < si.size)
			return kc_usage_err("size %llu is smaller than %s (%llu bytes)",
					    (unsigned long long)size, si.path,
					    (unsigned long long)si.size);
	}
	if (!name || !size || !n)
		return kc_usage_err("volume create needs NAME, size and a replica");
	if (snapshot && !si.key_bits && src_key_file)
		return kc_usage_err("snapshot %s is not of an encrypted volume: no source-key-file",
				    snapshot);
	if (si.key_bits || (image && src_key_file)) {
		if (kc_source_cipher(&si, snapshot, key_file, src_key_file, &dec))
			return KC_EXIT_FAIL;
		decp = &dec;
	}
	if (key_file && kc_read_key(key_file, key, sizeof(key), &key_len))
		goto fail;

	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		goto fail;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_VOLUME_CREATE, 0);
	nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, name);
	nla_put_u64(msg, KCLOUD_BS_A_VOLUME_SIZE, size);
	nest = nla_nest_start(msg, KCLOUD_BS_A_VOLUME_REPLICAS);
	for (i = 0; i < n; i++)
		kc_put_replica(msg, addrs[i], ports[i]);
	nla_nest_end(msg, nest);
	if (quorum)
		nla_put_u8(msg, KCLOUD_BS_A_VOLUME_QUORUM, quorum);
	if (region)
		nla_put_u32(msg, KCLOUD_BS_A_VOLUME_REGION_SIZE, region);
	if (epoch)
		nla_put_u64(msg, KCLOUD_BS_A_VOLUME_EPOCH, epoch);
	if (has_rate)
		nla_put_u32(msg, KCLOUD_BS_A_VOLUME_RESYNC_RATE, rate);
	if (timeout)
		nla_put_u32(msg, KCLOUD_BS_A_VOLUME_TIMEOUT, timeout);
	if (meta)
		nla_put_string(msg, KCLOUD_BS_A_VOLUME_META, meta);
	if (key_file) {
		nla_put(msg, KCLOUD_BS_A_VOLUME_KEY, key_len, key);
		explicit_bzero(key, sizeof(key));
	}
	kc_put_limits(msg, &lim);
	if (!snapshot && !image)
		return kc_volume_request(nl, msg);
	kc_out_start();
	i = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, kc_volume_created_cb, disk);
	kc_out_end();
	kc_nl_close(nl);
	if (!i)
		i = kc_volume_restore(name, disk, &si, decp);
	else
		i = KC_EXIT_FAIL;
	if (decp)
		kc_cipher_close(decp);
	return i;
fail:
	if (decp)
		kc_cipher_close(decp);
	return KC_EXIT_FAIL;
}

/* kcloud volume modify NAME [ size SIZE ] [ iops N ] [ throughput SIZE ] [ resync-rate KIB/S ] */
static int kc_volume_modify(int argc, char **argv)
{
	struct kc_limits lim = { 0 };
	int has_rate = 0, l;
	const char *name = NULL;
	struct nl_msg *msg;
	uint64_t size = 0;
	uint32_t rate = 0;
	struct kc_nl *nl;
	int rc;

	for (; argc > 0; argc--, argv++) {
		l = kc_parse_limit(&argv, &argc, &lim);
		if (l < 0)
			return kc_usage_err("invalid %s \"%s\"", *argv, argc > 1 ? argv[1] : "");
		if (l)
			continue;
		if (kc_matches(*argv, "resync-rate")) {
			NEXT_ARG();
			if (kc_parse_u32(*argv, &rate))
				return kc_usage_err("invalid resync rate \"%s\"", *argv);
			has_rate = 1;
		} else if (kc_matches(*argv, "size")) {
			NEXT_ARG();
			if (kc_parse_size(*argv, &size) || !size)
				return kc_usage_err("invalid size \"%s\"", *argv);
		} else if (kc_is_help(*argv)) {
			return kc_volume_usage();
		} else if (!name) {
			name = *argv;
		} else {
			return kc_usage_err("unexpected \"%s\"", *argv);
		}
	}
	if (!name || !(lim.has_iops || lim.has_kbps || has_rate || size))
		return kc_usage_err("volume modify needs NAME and what to change");

	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_VOLUME_MODIFY, 0);
	nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, name);
	if (size)
		nla_put_u64(msg, KCLOUD_BS_A_VOLUME_SIZE, size);
	kc_put_limits(msg, &lim);
	if (has_rate)
		nla_put_u32(msg, KCLOUD_BS_A_VOLUME_RESYNC_RATE, rate);
	rc = kc_volume_request(nl, msg);
	/* The instance using it sees the new size, as with EBS. */
	if (!rc && size)
		rc = kc_inst_volume_resized(name, size);
	return rc;
}

static int kc_volume_delete(int argc, char **argv)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	int force = 0;
	int err;

	if (argc == 2 && kc_matches(argv[1], "force"))
		force = 1;
	else if (argc != 1 || kc_is_help(*argv))
		return kc_volume_usage();
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_VOLUME_DELETE, 0);
	nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, *argv);
	if (force)
		nla_put_flag(msg, KCLOUD_BS_A_VOLUME_FORCE);
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, NULL, NULL);
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

/* kcloud volume attach|detach NAME */
static int kc_volume_attach(int argc, char **argv, int cmd)
{
	struct nl_msg *msg;
	struct kc_nl *nl;

	if (argc != 1 || kc_is_help(*argv))
		return kc_volume_usage();
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, cmd, 0);
	nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, *argv);
	return kc_volume_request(nl, msg);
}

static int kc_volume_show(int argc, char **argv)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	int err;

	if (argc > 1 || (argc == 1 && kc_is_help(*argv)))
		return kc_volume_usage();
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_GET_VOLUME, argc ? 0 : NLM_F_DUMP);
	if (argc)
		nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, *argv);
	kc_out_start();
	kc_open_array(NULL);
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, kc_volume_show_cb, NULL);
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int kc_volume_replica(int argc, char **argv)
{
	struct in_addr addr;
	struct nl_msg *msg;
	struct nlattr *nest;
	struct kc_nl *nl;
	uint32_t v, idx = 0;
	int op, err;

	if (argc < 3)
		return kc_volume_usage();
	if (kc_matches(argv[0], "add"))
		op = KCLOUD_BS_CMD_REPLICA_ADD;
	else if (kc_matches(argv[0], "remove") || kc_matches(argv[0], "del"))
		op = KCLOUD_BS_CMD_REPLICA_REMOVE;
	else if (kc_matches(argv[0], "replace"))
		op = KCLOUD_BS_CMD_REPLICA_REPLACE;
	else
		return kc_usage_err("volume replica: unknown command \"%s\"", argv[0]);
	if (argc != (op == KCLOUD_BS_CMD_REPLICA_REPLACE ? 4 : 3))
		return kc_volume_usage();
	if (op == KCLOUD_BS_CMD_REPLICA_REPLACE) {
		if (kc_parse_u32(argv[2], &idx) || idx > 255)
			return kc_usage_err("invalid replica index \"%s\"", argv[2]);
		if (kc_parse_target(argv[3], &addr, &v))
			return kc_usage_err("invalid replica \"%s\" (ADDR:PORT)", argv[3]);
	} else if (op == KCLOUD_BS_CMD_REPLICA_ADD ? kc_parse_target(argv[2], &addr, &v) :
		   (kc_parse_u32(argv[2], &v) || v > 255)) {
		return kc_usage_err("invalid replica \"%s\"", argv[2]);
	}

	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, op, 0);
	nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, argv[1]);
	if (op == KCLOUD_BS_CMD_REPLICA_ADD) {
		kc_put_replica(msg, addr, v);
	} else {
		nest = nla_nest_start(msg, KCLOUD_BS_A_REPLICA);
		if (op == KCLOUD_BS_CMD_REPLICA_REPLACE) {
			nla_put_u8(msg, KCLOUD_BS_REPLICA_A_INDEX, idx);
			nla_put_u32(msg, KCLOUD_BS_REPLICA_A_ADDR, addr.s_addr);
			nla_put_u16(msg, KCLOUD_BS_REPLICA_A_PORT, v);
		} else {
			nla_put_u8(msg, KCLOUD_BS_REPLICA_A_INDEX, v);
		}
		nla_nest_end(msg, nest);
	}
	kc_out_start();
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX,
			    op != KCLOUD_BS_CMD_REPLICA_REMOVE ? kc_volume_show_cb : NULL, NULL);
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int kc_volume_event_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	kc_out_start();
	if (cmd == KCLOUD_BS_CMD_GET_SNAPSHOT)
		kc_snapshot_show_cb(cmd, tb, arg);
	else
		kc_volume_show_cb(cmd, tb, arg);
	kc_out_end();
	return 0;
}

static int kc_volume_events(int argc, char **argv)
{
	struct kc_nl *nl;
	int err;

	if (argc)
		return kc_volume_usage();
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	err = kc_nl_subscribe(nl, KCLOUD_BS_MCGRP_EVENTS);
	if (!err) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		err = kc_nl_listen(nl, KCLOUD_BS_A_MAX, kc_volume_event_cb, NULL);
	}
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static int do_volume(int argc, char **argv)
{
	if (argc < 1)
		return kc_volume_show(0, NULL);
	if (kc_is_help(*argv))
		return kc_volume_usage(), KC_EXIT_OK;
	if (kc_matches(*argv, "create") || !strcmp(*argv, "add"))
		return kc_volume_create(argc - 1, argv + 1);
	if (kc_matches(*argv, "delete") || !strcmp(*argv, "del"))
		return kc_volume_delete(argc - 1, argv + 1);
	if (kc_matches(*argv, "modify") || !strcmp(*argv, "set"))
		return kc_volume_modify(argc - 1, argv + 1);
	if (kc_matches(*argv, "show") || kc_matches(*argv, "list"))
		return kc_volume_show(argc - 1, argv + 1);
	if (kc_matches(*argv, "replica"))
		return kc_volume_replica(argc - 1, argv + 1);
	if (kc_matches(*argv, "attach"))
		return kc_volume_attach(argc - 1, argv + 1, KCLOUD_BS_CMD_VOLUME_ATTACH);
	if (kc_matches(*argv, "detach"))
		return kc_volume_attach(argc - 1, argv + 1, KCLOUD_BS_CMD_VOLUME_DETACH);
	if (kc_matches(*argv, "events") || kc_matches(*argv, "monitor"))
		return kc_volume_events(argc - 1, argv + 1);
	return kc_usage_err("volume: unknown command \"%s\", try \"kcloud volume help\"", *argv);
}

KC_COMMAND(volume, do_volume,
	   "replicated block volumes: create, modify, delete, show, attach, detach, replica, events");
