// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud snapshot: point-in-time copies of volumes (kcloud_bs).
 *
 *   kcloud snapshot create NAME volume VOLUME path FILE [ wait ]
 *   kcloud snapshot wait NAME
 *   kcloud snapshot delete NAME [ keep-file ]
 *   kcloud [-j] snapshot show [ NAME ]
 *
 * A new volume is made from a completed snapshot with
 * `kcloud volume create NAME ... snapshot SNAPSHOT` (kc_snapshot_restore()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/kcloud_bs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kcloud.h"
#include "snapshot.h"

static const char * const kc_snap_states[] = {
	[KCLOUD_BS_SNAPSHOT_PENDING] = "pending",
	[KCLOUD_BS_SNAPSHOT_COMPLETED] = "completed",
	[KCLOUD_BS_SNAPSHOT_FAILED] = "failed",
};

static const char * const kc_snap_events[] = {
	[KCLOUD_BS_EVENT_SNAPSHOT_STATE] = "snapshot-state",
	[KCLOUD_BS_EVENT_SNAPSHOT_DELETED] = "snapshot-deleted",
};

#define KC_NAME(tbl, v) ((v) < sizeof(tbl) / sizeof(tbl[0]) && tbl[v] ? tbl[v] : "unknown")

#define KC_RESTORE_CHUNK	(1024 * 1024)

static int kc_snapshot_usage(void)
{
	fprintf(stderr,
		"Usage: kcloud snapshot create NAME volume VOLUME path FILE [ wait ]\n"
		"       kcloud snapshot wait NAME\n"
		"       kcloud snapshot delete NAME [ keep-file ]\n"
		"       kcloud [-j] snapshot show [ NAME ]\n"
		"A snapshot is a point-in-time, crash-consistent copy of a volume,\n"
		"taken at once and copied in the background into FILE (new, a raw\n"
		"image, sparse where the volume reads zeroes) while I/O goes on: a\n"
		"write to a region not copied yet waits for its copy. The copy runs\n"
		"at the volume's resync rate. wait: until it is completed (exit 0) or\n"
		"failed (exit 1). delete removes FILE too, unless keep-file.\n"
		"kcloud volume create NAME ... snapshot SNAPSHOT makes a volume from\n"
		"a completed snapshot (its size by default). The snapshot of an\n"
		"encrypted volume holds its ciphertext: a volume made from it is\n"
		"encrypted too (key-file, and source-key-file if the snapshot's key\n"
		"is another).\n");
	return KC_EXIT_USAGE;
}

int kc_snapshot_show_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	char when[64] = "";

	kc_open_object(NULL);
	if (tb[KCLOUD_BS_A_EVENT])
		kc_print_str(KC_ANY, "event", "[%s] ",
			     KC_NAME(kc_snap_events, nla_get_u8(tb[KCLOUD_BS_A_EVENT])));
	if (tb[KCLOUD_BS_A_SNAPSHOT_NAME])
		kc_print_str(KC_ANY, "name", "snapshot %s ",
			     nla_get_string(tb[KCLOUD_BS_A_SNAPSHOT_NAME]));
	if (tb[KCLOUD_BS_A_VOLUME_NAME])
		kc_print_str(KC_ANY, "volume", "volume %s ",
			     nla_get_string(tb[KCLOUD_BS_A_VOLUME_NAME]));
	if (tb[KCLOUD_BS_A_SNAPSHOT_STATE])
		kc_print_str(KC_ANY, "state", "%s ",
			     KC_NAME(kc_snap_states, nla_get_u8(tb[KCLOUD_BS_A_SNAPSHOT_STATE])));
	if (tb[KCLOUD_BS_A_SNAPSHOT_SIZE])
		kc_print_u64(KC_ANY, "size", "size %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_A_SNAPSHOT_SIZE]));
	if (tb[KCLOUD_BS_A_SNAPSHOT_COPIED])
		kc_print_u64(KC_ANY, "copied", "copied %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_A_SNAPSHOT_COPIED]));
	if (tb[KCLOUD_BS_A_SNAPSHOT_STORED])
		kc_print_u64(KC_ANY, "stored", "stored %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_A_SNAPSHOT_STORED]));
	if (tb[KCLOUD_BS_A_SNAPSHOT_COW])
		kc_print_u64(KC_ANY, "cow_regions", "cow %llu ",
			     (unsigned long long)nla_get_u64(tb[KCLOUD_BS_A_SNAPSHOT_COW]));
	if (tb[KCLOUD_BS_A_SNAPSHOT_ERROR]) {
		int e = nla_get_u32(tb[KCLOUD_BS_A_SNAPSHOT_ERROR]);

		kc_print_u64(KC_JSON, "error", NULL, e);
		kc_print_str(KC_TEXT, NULL, "error \"%s\" ", strerror(e));
	}
	if (tb[KCLOUD_BS_A_SNAPSHOT_TIME]) {
		uint64_t ns = nla_get_u64(tb[KCLOUD_BS_A_SNAPSHOT_TIME]);
		time_t t = ns / 1000000000ULL;
		struct tm tm;

		if (ns && gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		kc_print_u64(KC_JSON, "time_ns", NULL, ns);
		if (*when)
			kc_print_str(KC_ANY, "time", "time %s ", when);
	}
	if (tb[KCLOUD_BS_A_VOLUME_KEY_BITS])
		kc_print_u64(KC_ANY, "key_bits", "encrypted key-bits %llu ",
			     nla_get_u32(tb[KCLOUD_BS_A_VOLUME_KEY_BITS]));
	if (tb[KCLOUD_BS_A_SNAPSHOT_PATH])
		kc_print_str(KC_ANY, "path", "path %s",
			     nla_get_string(tb[KCLOUD_BS_A_SNAPSHOT_PATH]));
	kc_print_nl();
	kc_close_object();
	return 0;
}

static int kc_snapshot_info_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kc_snapshot_info *si = arg;

	if (tb[KCLOUD_BS_A_SNAPSHOT_PATH])
		snprintf(si->path, sizeof(si->path), "%s",
			 nla_get_string(tb[KCLOUD_BS_A_SNAPSHOT_PATH]));
	if (tb[KCLOUD_BS_A_SNAPSHOT_SIZE])
		si->size = nla_get_u64(tb[KCLOUD_BS_A_SNAPSHOT_SIZE]);
	if (tb[KCLOUD_BS_A_SNAPSHOT_STATE])
		si->state = nla_get_u8(tb[KCLOUD_BS_A_SNAPSHOT_STATE]);
	if (tb[KCLOUD_BS_A_SNAPSHOT_ERROR])
		si->error = nla_get_u32(tb[KCLOUD_BS_A_SNAPSHOT_ERROR]);
	if (tb[KCLOUD_BS_A_VOLUME_NAME])
		snprintf(si->volume, sizeof(si->volume), "%s",
			 nla_get_string(tb[KCLOUD_BS_A_VOLUME_NAME]));
	if (tb[KCLOUD_BS_A_SNAPSHOT_KCV] && tb[KCLOUD_BS_A_VOLUME_KEY_BITS] &&
	    nla_len(tb[KCLOUD_BS_A_SNAPSHOT_KCV]) == KC_KCV_LEN) {
		si->key_bits = nla_get_u32(tb[KCLOUD_BS_A_VOLUME_KEY_BITS]);
		memcpy(si->kcv, nla_data(tb[KCLOUD_BS_A_SNAPSHOT_KCV]), KC_KCV_LEN);
	}
	return 0;
}

/**
 * kc_snapshot_get() - what the kernel knows of a snapshot
 * @name: the snapshot
 * @si: filled in
 *
 * Return: 0, or an exit code (the kernel's message printed).
 */
int kc_snapshot_get(const char *name, struct kc_snapshot_info *si)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	int err;

	memset(si, 0, sizeof(*si));
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_GET_SNAPSHOT, 0);
	nla_put_string(msg, KCLOUD_BS_A_SNAPSHOT_NAME, name);
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, kc_snapshot_info_cb, si);
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

/**
 * kc_image_info() - a raw disk image to fill a volume from, as a snapshot
 * @path: the image file
 * @si: filled in (completed, the file's size)
 *
 * Return: 0, or an exit code (the reason printed).
 */
int kc_image_info(const char *path, struct kc_snapshot_info *si)
{
	struct stat st;

	memset(si, 0, sizeof(*si));
	if (stat(path, &st))
		return kc_err("cannot use the image %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || !st.st_size || st.st_size % 4096)
		return kc_err("the image %s is not a file of a multiple of 4096 bytes", path);
	snprintf(si->path, sizeof(si->path), "%s", path);
	si->size = st.st_size;
	si->state = KCLOUD_BS_SNAPSHOT_COMPLETED;
	return KC_EXIT_OK;
}

/* Until @name is no longer pending: 0 if completed, else an exit code. */
static int kc_snapshot_wait_for(const char *name)
{
	struct kc_snapshot_info si;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int rc;

	for (;;) {
		rc = kc_snapshot_get(name, &si);
		if (rc)
			return rc;
		if (si.state != KCLOUD_BS_SNAPSHOT_PENDING)
			break;
		nanosleep(&ts, NULL);
	}
	if (si.state == KCLOUD_BS_SNAPSHOT_COMPLETED)
		return KC_EXIT_OK;
	return kc_err("snapshot %s failed: %s", name, strerror(si.error));
}

static int kc_snapshot_create(int argc, char **argv)
{
	const char *name = NULL, *volume = NULL, *path = NULL;
	struct nl_msg *msg;
	struct kc_nl *nl;
	int wait = 0, err;
	char *abs = NULL;

	for (; argc > 0; argc--, argv++) {
		if (kc_matches(*argv, "volume")) {
			NEXT_ARG();
			volume = *argv;
		} else if (kc_matches(*argv, "path")) {
			NEXT_ARG();
			path = *argv;
		} else if (kc_matches(*argv, "wait")) {
			wait = 1;
		} else if (kc_is_help(*argv)) {
			return kc_snapshot_usage();
		} else if (!name) {
			name = *argv;
		} else {
			return kc_usage_err("unexpected \"%s\"", *argv);
		}
	}
	if (!name || !volume || !path)
		return kc_usage_err("snapshot create needs NAME, volume and path");
	/* The kernel wants an absolute path: make one of a relative one. */
	if (*path != '/') {
		char cwd[4096];

		if (!getcwd(cwd, sizeof(cwd)) || asprintf(&abs, "%s/%s", cwd, path) < 0)
			return kc_err("cannot make \"%s\" absolute: %s", path, strerror(errno));
		path = abs;
	}

	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl) {
		free(abs);
		return KC_EXIT_FAIL;
	}
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_SNAPSHOT_CREATE, 0);
	nla_put_string(msg, KCLOUD_BS_A_SNAPSHOT_NAME, name);
	nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, volume);
	nla_put_string(msg, KCLOUD_BS_A_SNAPSHOT_PATH, path);
	free(abs);
	kc_out_start();
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, wait ? NULL : kc_snapshot_show_cb, NULL);
	kc_out_end();
	kc_nl_close(nl);
	if (err)
		return KC_EXIT_FAIL;
	if (!wait)
		return KC_EXIT_OK;
	err = kc_snapshot_wait_for(name);
	if (err)
		return err;
	return kc_run_command("snapshot", 2, (char *[]){ "show", (char *)name, NULL });
}

static int kc_snapshot_delete(int argc, char **argv)
{
	struct kc_snapshot_info si;
	struct nl_msg *msg;
	struct kc_nl *nl;
	int keep = 0, err;

	if (argc == 2 && kc_matches(argv[1], "keep-file"))
		keep = 1;
	else if (argc != 1 || kc_is_help(*argv))
		return kc_snapshot_usage();
	err = kc_snapshot_get(argv[0], &si);
	if (err)
		return err;
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_SNAPSHOT_DELETE, 0);
	nla_put_string(msg, KCLOUD_BS_A_SNAPSHOT_NAME, argv[0]);
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, NULL, NULL);
	kc_nl_close(nl);
	if (err)
		return KC_EXIT_FAIL;
	if (!keep && *si.path && unlink(si.path) && errno != ENOENT)
		return kc_err("snapshot %s deleted, but not its file %s: %s", argv[0], si.path,
			      strerror(errno));
	return KC_EXIT_OK;
}

static int kc_snapshot_show(int argc, char **argv)
{
	struct nl_msg *msg;
	struct kc_nl *nl;
	int err;

	if (argc > 1 || (argc == 1 && kc_is_help(*argv)))
		return kc_snapshot_usage();
	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return KC_EXIT_FAIL;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_GET_SNAPSHOT, argc ? 0 : NLM_F_DUMP);
	if (argc)
		nla_put_string(msg, KCLOUD_BS_A_SNAPSHOT_NAME, *argv);
	kc_out_start();
	kc_open_array(NULL);
	err = kc_nl_request(nl, msg, KCLOUD_BS_A_MAX, kc_snapshot_show_cb, NULL);
	kc_close_array();
	kc_out_end();
	kc_nl_close(nl);
	return err ? KC_EXIT_FAIL : KC_EXIT_OK;
}

static bool kc_all_zero(const char *p, size_t n)
{
	return !*p && !memcmp(p, p + 1, n - 1);
}

/**
 * kc_snapshot_restore() - write a completed snapshot into a new volume
 * @si: the snapshot (kc_snapshot_get())
 * @disk: the new volume's disk, "kcbsN"
 * @dec: the decryptor of the snapshot of an encrypted volume (its file
 *	holds the ciphertext), or NULL
 *
 * Every range of the volume is written: the snapshot's data, and zeroes
 * (BLKZEROOUT, no data on the wire) where the snapshot reads as zeroes, so
 * that targets that held anything before end the same. With @dec, every
 * range is decrypted and written: the new volume reads what the snapshot's
 * volume read, zeroed ranges included, under its own key.
 *
 * Return: 0 or an exit code (the reason printed).
 */
int kc_snapshot_restore(const struct kc_snapshot_info *si, const char *disk,
			struct kc_cipher *dec)
{
	char dev[64];
	uint64_t off;
	int in, out, rc = KC_EXIT_FAIL;
	char *buf;

	snprintf(dev, sizeof(dev), "/dev/%s", disk);
	in = open(si->path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return kc_err("cannot open the snapshot file %s: %s", si->path, strerror(errno));
	out = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (out < 0) {
		close(in);
		return kc_err("cannot open %s: %s", dev, strerror(errno));
	}
	if (posix_memalign((void **)&buf, 4096, KC_RESTORE_CHUNK)) {
		kc_err("out of memory");
		goto out;
	}
	for (off = 0; off < si->size; off += KC_RESTORE_CHUNK) {
		size_t len = si->size - off < KC_RESTORE_CHUNK ? si->size - off : KC_RESTORE_CHUNK;
		ssize_t n = pread(in, buf, len, off);

		if (n != (ssize_t)len) {
			kc_err("cannot read %s at %llu: %s", si->path, (unsigned long long)off,
			       n < 0 ? strerror(errno) : "the file is short");
			goto out_free;
		}
		if (dec && kc_cipher_decrypt(dec, buf, len, off))
			goto out_free;
		if (!dec && kc_all_zero(buf, len)) {
			uint64_t range[2] = { off, len };

			if (!ioctl(out, BLKZEROOUT, range))
				continue;
		}
		if (pwrite(out, buf, len, off) != (ssize_t)len) {
			kc_err("cannot write %s at %llu: %s", dev, (unsigned long long)off,
			       strerror(errno));
			goto out_free;
		}
	}
	if (fsync(out)) {
		kc_err("cannot flush %s: %s", dev, strerror(errno));
		goto out_free;
	}
	rc = KC_EXIT_OK;
out_free:
	free(buf);
out:
	close(out);
	close(in);
	return rc;
}

static int do_snapshot(int argc, char **argv)
{
	if (argc < 1)
		return kc_snapshot_show(0, NULL);
	if (kc_is_help(*argv))
		return kc_snapshot_usage(), KC_EXIT_OK;
	if (kc_matches(*argv, "create") || !strcmp(*argv, "add"))
		return kc_snapshot_create(argc - 1, argv + 1);
	if (kc_matches(*argv, "delete") || !strcmp(*argv, "del"))
		return kc_snapshot_delete(argc - 1, argv + 1);
	if (kc_matches(*argv, "show") || kc_matches(*argv, "list"))
		return kc_snapshot_show(argc - 1, argv + 1);
	if (kc_matches(*argv, "wait")) {
		if (argc != 2)
			return kc_snapshot_usage();
		return kc_snapshot_wait_for(argv[1]);
	}
	return kc_usage_err("snapshot: unknown command \"%s\", try \"kcloud snapshot help\"",
			    *argv);
}

KC_COMMAND(snapshot, do_snapshot, "point-in-time copies of volumes: create, wait, delete, show");
