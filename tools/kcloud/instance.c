// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud instance: KVM guests wired to the VPC switch, the block store and
 * the meter. An instance is a qemu process in its own cgroup v2 (sized by
 * its instance type), a tap port in a VPC subnet, volumes as virtio-blk
 * disks, and a meter instance charged from its first second. Its state is
 * kept under $KCLOUD_STATE_DIR (default /var/lib/kcloud) so that list, stop
 * and terminate work across runs of the tool; a qemu that died behind the
 * tool's back is noticed and cleaned up.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/kcloud_bs.h>
#include <linux/kcloud_meter.h>
#include <linux/kcloud_vpc.h>

#include "instance.h"
#include "kcloud.h"

#define KC_CGROUP_ROOT	"/sys/fs/cgroup"
#define KC_CGROUP_DIR	"kcloud"
#define KC_MAX_VOLUMES	8
/* As EC2: user data up to 16 KiB. */
#define KC_USER_DATA_MAX	(16 * 1024)

static const struct kc_itype kc_builtin_types[] = {
	{ "t.nano",	1,   256 },
	{ "t.micro",	1,   512 },
	{ "t.small",	1,  1024 },
	{ "t.medium",	2,  2048 },
	{ "t.large",	2,  4096 },
	{ "m.large",	2,  8192 },
	{ "m.xlarge",	4, 16384 },
	{ "c.large",	2,  2048 },
	{ "c.xlarge",	4,  4096 },
};

struct kc_inst {
	char name[KC_INST_NAME_MAX];
	char type[32];
	unsigned int vcpus;
	unsigned long long mem_mib;
	unsigned int id;
	char tenant[64];
	char vpc[64];
	char vpc_cidr[20];
	char subnet[64];
	char addr[INET_ADDRSTRLEN];
	char mac[18];
	char tap[IFNAMSIZ];
	char volumes[KC_MAX_VOLUMES][64];
	char disks[KC_MAX_VOLUMES][32];
	int nvol;
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char state[16];		/* running, stopped */
	char accel[8];
	long pid;
	long long launched;	/* time(NULL) of the last start */
	/* What the meter billed for the runs that have ended (stop, terminate). */
	unsigned long long billed_sec;
	unsigned long long billed_nano;
	unsigned int runs;
};

/* What `run` has done so far, so that a failure undoes exactly that. */
enum {
	KC_DONE_DIR	= 1 << 0,
	KC_DONE_CGROUP	= 1 << 1,
	KC_DONE_TAP	= 1 << 2,
	KC_DONE_PORT	= 1 << 3,
	KC_DONE_METER	= 1 << 4,
	KC_DONE_QEMU	= 1 << 5,
};

/* ---- paths and small helpers ------------------------------------------- */

static const char *kc_state_dir(void)
{
	const char *d = getenv("KCLOUD_STATE_DIR");

	return d && *d ? d : "/var/lib/kcloud";
}

/* Sockets live in the runtime directory: they cannot be on every file system. */
static void kc_inst_sock(char *buf, size_t len, const char *name, const char *what)
{
	const char *d = getenv("KCLOUD_RUN_DIR");

	snprintf(buf, len, "%s/%s.%s.sock", d && *d ? d : "/run/kcloud", name, what);
}

static void kc_inst_path(char *buf, size_t len, const char *name, const char *file)
{
	snprintf(buf, len, "%s/instances/%s%s%s", kc_state_dir(), name, file ? "/" : "",
		 file ? file : "");
}

static int kc_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int kc_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : (n < 0 ? -errno : -EIO);
}

static bool kc_valid_name(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len >= 24)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] == '-' && i > 0)))
			return false;
	return true;
}

/* Run another kcloud command with its normal output hidden; errors still show. */
static int kc_quiet_command(const char *cmd, int argc, char **argv)
{
	int saved, null, rc;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		dup2(null, STDOUT_FILENO);
	rc = kc_run_command(cmd, argc, argv);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	if (null >= 0)
		close(null);
	return rc;
}

#define KC_RUN(cmd, ...) ({							\
	char *__argv[] = { __VA_ARGS__, NULL };					\
	kc_quiet_command(cmd, (int)(sizeof(__argv) / sizeof(__argv[0])) - 1, __argv); \
})

/* ---- instance types -------------------------------------------------------- */

/*
 * Types come from the built-in table, then from $KCLOUD_TYPES_FILE (default
 * /etc/kcloud/instance-types): lines "NAME VCPUS MEMORY" (memory with a
 * K/M/G suffix or in MiB), '#' comments; a line may redefine a built-in.
 */
int kc_itype_lookup(const char *name, struct kc_itype *out)
{
	const char *file = getenv("KCLOUD_TYPES_FILE");
	bool found = false;
	char line[256];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(kc_builtin_types) / sizeof(kc_builtin_types[0]); i++) {
		if (!strcmp(kc_builtin_types[i].name, name)) {
			*out = kc_builtin_types[i];
			found = true;
		}
	}
	f = fopen(file && *file ? file : "/etc/kcloud/instance-types", "re");
	if (!f)
		return found ? 0 : -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char tname[32], mem[32];
		unsigned int vcpus;
		uint64_t bytes;

		if (line[0] == '#' || sscanf(line, "%31s %u %31s", tname, &vcpus, mem) != 3)
			continue;
		if (strcmp(tname, name) || !vcpus)
			continue;
		if (kc_parse_size(mem, &bytes))
			continue;
		/* A bare number is MiB. */
		if (strspn(mem, "0123456789") == strlen(mem))
			bytes <<= 20;
		snprintf(out->name, sizeof(out->name), "%s", tname);
		out->vcpus = vcpus;
		out->mem_mib = bytes >> 20;
		found = out->mem_mib > 0;
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

static void kc_itype_list(FILE *f)
{
	size_t i;

	for (i = 0; i < sizeof(kc_builtin_types) / sizeof(kc_builtin_types[0]); i++)
		fprintf(f, "    %-10s %u vCPU, %llu MiB\n", kc_builtin_types[i].name,
			kc_builtin_types[i].vcpus, kc_builtin_types[i].mem_mib);
}

/* ---- state files ----------------------------------------------------------- */

static int kc_inst_save(const struct kc_inst *in)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;
	int i;

	kc_inst_path(path, sizeof(path), in->name, "instance.conf");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "name=%s\ntype=%s\nvcpus=%u\nmem_mib=%llu\nid=%u\ntenant=%s\n",
		in->name, in->type, in->vcpus, in->mem_mib, in->id, in->tenant);
	fprintf(f, "vpc=%s\nvpc_cidr=%s\nsubnet=%s\naddr=%s\nmac=%s\ntap=%s\n",
		in->vpc, in->vpc_cidr, in->subnet, in->addr, in->mac, in->tap);
	for (i = 0; i < in->nvol; i++)
		fprintf(f, "volume=%s %s\n", in->volumes[i], in->disks[i]);
	fprintf(f, "kernel=%s\ninitrd=%s\nstate=%s\naccel=%s\npid=%ld\nlaunched=%lld\n",
		in->kernel, in->initrd, in->state, in->accel, in->pid, in->launched);
	fprintf(f, "billed_sec=%llu\nbilled_nano=%llu\nruns=%u\n",
		in->billed_sec, in->billed_nano, in->runs);
	if (fclose(f))
		return -errno;
	return rename(tmp, path) ? -errno : 0;
}

static int kc_inst_load(const char *name, struct kc_inst *in)
{
	char path[PATH_MAX], line[PATH_MAX + 32];
	FILE *f;

	memset(in, 0, sizeof(*in));
	kc_inst_path(path, sizeof(path), name, "instance.conf");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, '=');

		if (!v)
			continue;
		*v++ = '\0';
		v[strcspn(v, "\n")] = '\0';
#define S(k) else if (!strcmp(line, #k)) snprintf(in->k, sizeof(in->k), "%s", v)
		if (0)
			;
		S(name); S(type); S(tenant); S(vpc); S(vpc_cidr); S(subnet); S(addr);
		S(mac); S(tap); S(kernel); S(initrd); S(state); S(accel);
#undef S
		else if (!strcmp(line, "vcpus"))
			in->vcpus = strtoul(v, NULL, 10);
		else if (!strcmp(line, "mem_mib"))
			in->mem_mib = strtoull(v, NULL, 10);
		else if (!strcmp(line, "id"))
			in->id = strtoul(v, NULL, 10);
		else if (!strcmp(line, "pid"))
			in->pid = strtol(v, NULL, 10);
		else if (!strcmp(line, "launched"))
			in->launched = strtoll(v, NULL, 10);
		else if (!strcmp(line, "billed_sec"))
			in->billed_sec = strtoull(v, NULL, 10);
		else if (!strcmp(line, "billed_nano"))
			in->billed_nano = strtoull(v, NULL, 10);
		else if (!strcmp(line, "runs"))
			in->runs = strtoul(v, NULL, 10);
		else if (!strcmp(line, "volume") && in->nvol < KC_MAX_VOLUMES) {
			if (sscanf(v, "%63s %31s", in->volumes[in->nvol], in->disks[in->nvol]) == 2)
				in->nvol++;
		}
	}
	fclose(f);
	return in->name[0] ? 0 : -EINVAL;
}

/* Serialise the tool's changes to instances (ids, names) with a lock file. */
static int kc_state_lock(void)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/instances", kc_state_dir());
	if (kc_mkdir_p(path))
		return -1;
	snprintf(path, sizeof(path), "%s/lock", kc_state_dir());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Calls @fn for each instance in the state directory, in name order. */
static int kc_inst_foreach(int (*fn)(struct kc_inst *in, void *arg), void *arg)
{
	char path[PATH_MAX];
	struct dirent **names;
	int n, i, rc = 0;

	snprintf(path, sizeof(path), "%s/instances", kc_state_dir());
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct kc_inst in;

		if (names[i]->d_name[0] != '.' && !rc && !kc_inst_load(names[i]->d_name, &in))
			rc = fn(&in, arg);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ---- liveness of qemu ------------------------------------------------------ */

static bool kc_qemu_alive(const struct kc_inst *in)
{
	char path[64], cmd[256] = "";
	ssize_t n;
	int fd;

	if (in->pid <= 0 || kill(in->pid, 0))
		return false;
	/* The pid may have been reused: it must still be our qemu. */
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", in->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return false;
	cmd[n] = '\0';
	return strstr(cmd, "qemu-system") != NULL;
}

/* ---- the pieces an instance is made of -------------------------------------- */

static int kc_cgroup_create(const struct kc_inst *in)
{
	char path[PATH_MAX], val[64];
	int err;

	/* Make the controllers available to kcloud/ and to each instance. */
	kc_write_file(KC_CGROUP_ROOT "/cgroup.subtree_control", "+cpu +memory +io +pids");
	snprintf(path, sizeof(path), "%s/%s", KC_CGROUP_ROOT, KC_CGROUP_DIR);
	if (mkdir(path, 0755) && errno != EEXIST)
		return kc_err("cannot make cgroup %s: %s", path, strerror(errno)), -1;
	snprintf(path, sizeof(path), "%s/%s/cgroup.subtree_control", KC_CGROUP_ROOT, KC_CGROUP_DIR);
	kc_write_file(path, "+cpu +memory +io +pids");

	snprintf(path, sizeof(path), "%s/%s/%s", KC_CGROUP_ROOT, KC_CGROUP_DIR, in->name);
	if (mkdir(path, 0755))
		return kc_err("cannot make cgroup %s: %s", path, strerror(errno)), -1;

	/* vCPUs as CPU bandwidth; memory plus qemu's own overhead. */
	snprintf(path, sizeof(path), "%s/%s/%s/cpu.max", KC_CGROUP_ROOT, KC_CGROUP_DIR, in->name);
	snprintf(val, sizeof(val), "%u 100000", in->vcpus * 100000);
	err = kc_write_file(path, val);
	if (err)
		return kc_err("cannot set %s: %s", path, strerror(-err)), -1;
	snprintf(path, sizeof(path), "%s/%s/%s/memory.max", KC_CGROUP_ROOT, KC_CGROUP_DIR, in->name);
	snprintf(val, sizeof(val), "%llu", (in->mem_mib + KC_QEMU_OVERHEAD_MIB) << 20);
	err = kc_write_file(path, val);
	if (err)
		return kc_err("cannot set %s: %s", path, strerror(-err)), -1;
	return 0;
}

static void kc_cgroup_remove(const struct kc_inst *in)
{
	char path[PATH_MAX];
	int i;

	snprintf(path, sizeof(path), "%s/%s/%s", KC_CGROUP_ROOT, KC_CGROUP_DIR, in->name);
	/* The last qemu thread may take a moment to leave. */
	for (i = 0; i < 50 && rmdir(path) && errno == EBUSY; i++)
		usleep(100000);
}

static int kc_tap(const char *name, bool create)
{
	struct ifreq ifr = { 0 };
	int fd, sk, err = 0;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		/* No udev to have loaded tun on demand: load it. */
		if (system("modprobe -q tun") == 0)
			fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETPERSIST, create ? 1 : 0))
		err = -errno;
	close(fd);
	if (err || !create)
		return err;

	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0)
		return -errno;
	if (ioctl(sk, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(sk, SIOCSIFFLAGS, &ifr))
			err = -errno;
	}
	close(sk);
	return err;
}

/* ---- VPC look-ups: the VPC, the subnet, a free address ----------------------- */

struct kc_vpc_scan {
	/* in */
	uint32_t vpc_id;
	const char *subnet_arg;
	/* out */
	uint32_t vpc_addr, sub_addr;
	uint8_t vpc_plen, sub_plen;
	bool sub_found;
	uint32_t *used;
	int nused, maxused;
};

static int kc_vpc_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kc_vpc_scan *s = arg;

	if (tb[KCLOUD_VPC_A_VPC_ID])
		s->vpc_id = nla_get_u32(tb[KCLOUD_VPC_A_VPC_ID]);
	if (tb[KCLOUD_VPC_A_ADDR])
		s->vpc_addr = nla_get_u32(tb[KCLOUD_VPC_A_ADDR]);
	if (tb[KCLOUD_VPC_A_PREFIXLEN])
		s->vpc_plen = nla_get_u8(tb[KCLOUD_VPC_A_PREFIXLEN]);
	return 0;
}

static int kc_subnet_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kc_vpc_scan *s = arg;
	char cidr[32], id[16];
	uint32_t addr;
	uint8_t plen;

	if (!tb[KCLOUD_VPC_A_VPC_ID] || nla_get_u32(tb[KCLOUD_VPC_A_VPC_ID]) != s->vpc_id ||
	    !tb[KCLOUD_VPC_A_ADDR] || !tb[KCLOUD_VPC_A_PREFIXLEN] || s->sub_found)
		return 0;
	addr = nla_get_u32(tb[KCLOUD_VPC_A_ADDR]);
	plen = nla_get_u8(tb[KCLOUD_VPC_A_PREFIXLEN]);
	snprintf(cidr, sizeof(cidr), "%s/%u", kc_fmt_ipv4(addr), plen);
	snprintf(id, sizeof(id), "%u",
		 tb[KCLOUD_VPC_A_SUBNET_ID] ? nla_get_u32(tb[KCLOUD_VPC_A_SUBNET_ID]) : 0);
	if (strcmp(cidr, s->subnet_arg) && strcmp(id, s->subnet_arg) &&
	    !(tb[KCLOUD_VPC_A_NAME] && !strcmp(nla_get_string(tb[KCLOUD_VPC_A_NAME]), s->subnet_arg)))
		return 0;
	s->sub_addr = addr;
	s->sub_plen = plen;
	s->sub_found = true;
	return 0;
}

static int kc_used_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kc_vpc_scan *s = arg;

	if (!tb[KCLOUD_VPC_A_VPC_ID] || nla_get_u32(tb[KCLOUD_VPC_A_VPC_ID]) != s->vpc_id ||
	    !tb[KCLOUD_VPC_A_ADDR])
		return 0;
	if (s->nused == s->maxused) {
		uint32_t *n = realloc(s->used, (s->maxused * 2 + 64) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->used = n;
		s->maxused = s->maxused * 2 + 64;
	}
	s->used[s->nused++] = nla_get_u32(tb[KCLOUD_VPC_A_ADDR]);
	return 0;
}

/* Resolve the VPC and subnet of @in and give it an address (lowest free). */
static int kc_vpc_place(struct kc_inst *in, const char *want_addr)
{
	struct kc_vpc_scan s = { .subnet_arg = in->subnet };
	uint32_t net, first, last, a;
	struct nl_msg *msg;
	struct kc_nl *nl;
	int err, i;

	nl = kc_nl_open(KCLOUD_VPC_GENL_NAME);
	if (!nl)
		return -1;
	msg = kc_nl_msg(nl, KCLOUD_VPC_CMD_GET_VPC, 0);
	if (msg)
		nla_put_string(msg, KCLOUD_VPC_A_NAME, in->vpc);
	if (kc_nl_request_quiet(nl, msg, KCLOUD_VPC_A_MAX, kc_vpc_cb, &s) || !s.vpc_id) {
		kc_err("VPC \"%s\" not found", in->vpc);
		goto err;
	}
	snprintf(in->vpc_cidr, sizeof(in->vpc_cidr), "%s/%u", kc_fmt_ipv4(s.vpc_addr), s.vpc_plen);

	err = kc_nl_request(nl, kc_nl_msg(nl, KCLOUD_VPC_CMD_GET_SUBNET, NLM_F_DUMP),
			    KCLOUD_VPC_A_MAX, kc_subnet_cb, &s);
	if (err)
		goto err;
	if (!s.sub_found) {
		kc_err("subnet \"%s\" not found in VPC %s", in->subnet, in->vpc);
		goto err;
	}
	if (kc_nl_request(nl, kc_nl_msg(nl, KCLOUD_VPC_CMD_GET_PORT, NLM_F_DUMP),
			  KCLOUD_VPC_A_MAX, kc_used_cb, &s) ||
	    kc_nl_request(nl, kc_nl_msg(nl, KCLOUD_VPC_CMD_GET_MAPPING, NLM_F_DUMP),
			  KCLOUD_VPC_A_MAX, kc_used_cb, &s))
		goto err;

	net = ntohl(s.sub_addr);
	/* As AWS: network, +1 gateway, +2 DNS, +3 reserved, and broadcast. */
	first = net + 4;
	last = net + (s.sub_plen == 32 ? 0 : (uint32_t)((1ULL << (32 - s.sub_plen)) - 2));
	if (want_addr) {
		struct in_addr w;

		if (kc_parse_ipv4(want_addr, &w) || ntohl(w.s_addr) < first ||
		    ntohl(w.s_addr) > last) {
			kc_err("address %s is not a usable address of subnet %s/%u", want_addr,
			       kc_fmt_ipv4(s.sub_addr), s.sub_plen);
			goto err;
		}
		first = last = ntohl(w.s_addr);
	}
	for (a = first; a <= last && a >= first; a++) {
		for (i = 0; i < s.nused; i++)
			if (ntohl(s.used[i]) == a)
				break;
		if (i == s.nused)
			break;
	}
	if (a > last || a < first) {
		if (want_addr)
			kc_err("address %s is in use", want_addr);
		else
			kc_err("subnet %s/%u has no free address", kc_fmt_ipv4(s.sub_addr), s.sub_plen);
		goto err;
	}
	snprintf(in->addr, sizeof(in->addr), "%s", kc_fmt_ipv4(htonl(a)));
	free(s.used);
	kc_nl_close(nl);
	return 0;
err:
	free(s.used);
	kc_nl_close(nl);
	return -1;
}

/* ---- volumes ------------------------------------------------------------------ */

struct kc_disk_reply {
	char disk[32];
};

static int kc_disk_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kc_disk_reply *r = arg;

	if (tb[KCLOUD_BS_A_VOLUME_DISK])
		snprintf(r->disk, sizeof(r->disk), "%s", nla_get_string(tb[KCLOUD_BS_A_VOLUME_DISK]));
	return 0;
}

static int kc_volume_disk(const char *volume, char *disk, size_t len)
{
	struct kc_disk_reply r = { "" };
	struct nl_msg *msg;
	struct kc_nl *nl;
	int err;

	nl = kc_nl_open(KCLOUD_BS_GENL_NAME);
	if (!nl)
		return -1;
	msg = kc_nl_msg(nl, KCLOUD_BS_CMD_GET_VOLUME, 0);
	if (msg)
		nla_put_string(msg, KCLOUD_BS_A_VOLUME_NAME, volume);
	err = kc_nl_request_quiet(nl, msg, KCLOUD_BS_A_MAX, kc_disk_cb, &r);
	kc_nl_close(nl);
	if (err || !r.disk[0])
		return kc_err("volume \"%s\" not found", volume), -1;
	snprintf(disk, len, "/dev/%s", r.disk);
	if (access(disk, R_OK | W_OK))
		return kc_err("volume %s: %s: %s", volume, disk, strerror(errno)), -1;
	return 0;
}

/* A volume may be attached to one instance at a time. */
struct kc_vol_owner {
	const char *volume;
	const char *self;
	char owner[KC_INST_NAME_MAX];
};

static int kc_vol_owner_cb(struct kc_inst *in, void *arg)
{
	struct kc_vol_owner *o = arg;
	int i;

	if (!strcmp(in->name, o->self))
		return 0;
	for (i = 0; i < in->nvol; i++) {
		if (!strcmp(in->volumes[i], o->volume)) {
			snprintf(o->owner, sizeof(o->owner), "%s", in->name);
			return 1;
		}
	}
	return 0;
}

/* ---- qemu ------------------------------------------------------------------------ */

static bool kc_kvm_usable(void)
{
	char line[4096];
	bool flags = false;
	FILE *f;
	int fd;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return false;
	while (!flags && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && (strstr(line, " vmx") || strstr(line, " svm")))
			flags = true;
	fclose(f);
	return flags;
}

/* One newc (SVR4, no CRC) cpio entry: header, name, data, each 4-aligned. */
static int kc_cpio_entry(FILE *f, const char *name, unsigned int mode,
			 const void *data, size_t size)
{
	static const char zero[4];
	size_t nlen = strlen(name) + 1;

	if (fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		    mode ? 1 : 0, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, nlen, 0) != 110 ||
	    fwrite(name, 1, nlen, f) != nlen ||
	    fwrite(zero, 1, (4 - (110 + nlen) % 4) % 4, f) != (4 - (110 + nlen) % 4) % 4 ||
	    (size && fwrite(data, 1, size, f) != size) ||
	    fwrite(zero, 1, (4 - size % 4) % 4, f) != (4 - size % 4) % 4)
		return -EIO;
	return 0;
}

/*
 * The instance's initrd: the image's initramfs with the user data appended
 * as a second (uncompressed) cpio archive holding /user-data. The kernel
 * unpacks concatenated archives, so the guest finds its user data whatever
 * its firmware tables (fw_cfg is found through ACPI, which the guest lacks
 * under TCG).
 */
static int kc_initrd_with_user_data(const char *base, const char *udata, const char *out)
{
	char tmp[PATH_MAX], buf[65536];
	FILE *in = NULL, *ud = NULL, *f = NULL;
	size_t n, total = 0, usize = 0;
	char *data = NULL;
	int rc = -EIO;

	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	in = fopen(base, "re");
	ud = fopen(udata, "re");
	f = fopen(tmp, "we");
	if (!in || !ud || !f)
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, n, f) != n)
			goto out;
		total += n;
	}
	/* The next archive starts 4-aligned; the kernel skips zeros. */
	memset(buf, 0, 4);
	if (fwrite(buf, 1, (4 - total % 4) % 4, f) != (4 - total % 4) % 4)
		goto out;
	data = malloc(KC_USER_DATA_MAX);
	if (!data)
		goto out;
	usize = fread(data, 1, KC_USER_DATA_MAX, ud);
	if (kc_cpio_entry(f, "user-data", 0100755, data, usize) ||
	    kc_cpio_entry(f, "TRAILER!!!", 0, NULL, 0))
		goto out;
	rc = 0;
out:
	free(data);
	if (in)
		fclose(in);
	if (ud)
		fclose(ud);
	if (f && fclose(f))
		rc = -EIO;
	if (!rc && rename(tmp, out))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

static int kc_qemu_start(struct kc_inst *in)
{
	char dir[PATH_MAX], pidfile[PATH_MAX], chardev[PATH_MAX + 64], serial[PATH_MAX + 16];
	char qmp[PATH_MAX + 32], netdev[64], nic[96], append[256], smp[16], mem[24];
	char drives[KC_MAX_VOLUMES][PATH_MAX + 64], devs[KC_MAX_VOLUMES][64];
	char udata[PATH_MAX], fwcfg[PATH_MAX + 64], procs[PATH_MAX], pidbuf[32];
	char initrd[PATH_MAX + 16];
	int initrd_arg;
	char sock[PATH_MAX];
	const char *argv[96];
	int argc = 0, i, status;
	pid_t child;
	FILE *f;

	kc_inst_path(dir, sizeof(dir), in->name, NULL);
	kc_inst_sock(sock, sizeof(sock), in->name, "");
	*strrchr(sock, '/') = '\0';
	if (kc_mkdir_p(sock))
		return kc_err("cannot make %s: %s", sock, strerror(errno)), -1;
	snprintf(pidfile, sizeof(pidfile), "%s/qemu.pid", dir);
	unlink(pidfile);
	/* The serial console (kernel and boot messages) always goes to a file;
	 * an interactive shell is on a virtio console behind a unix socket. */
	snprintf(serial, sizeof(serial), "file:%s/console.log", dir);
	{
		char log[PATH_MAX], prev[PATH_MAX];

		/* qemu truncates the file: keep the previous boot's log. */
		snprintf(log, sizeof(log), "%s/console.log", dir);
		snprintf(prev, sizeof(prev), "%s/console.log.prev", dir);
		rename(log, prev);
	}
	kc_inst_sock(sock, sizeof(sock), in->name, "console");
	snprintf(chardev, sizeof(chardev), "socket,id=sh,path=%s,server=on,wait=off", sock);
	kc_inst_sock(sock, sizeof(sock), in->name, "qmp");
	snprintf(qmp, sizeof(qmp), "unix:%s,server=on,wait=off", sock);
	snprintf(netdev, sizeof(netdev), "tap,id=n0,ifname=%s,script=no,downscript=no", in->tap);
	snprintf(nic, sizeof(nic), "virtio-net-pci,netdev=n0,mac=%s", in->mac);
	snprintf(append, sizeof(append), "console=ttyS0 quiet kcloud.name=%s panic=-1 mitigations=off cryptomgr.notests tsc=reliable no_timer_check",
		 in->name);
	snprintf(smp, sizeof(smp), "%u", in->vcpus);
	snprintf(mem, sizeof(mem), "%lluM", in->mem_mib);

	argv[argc++] = "qemu-system-x86_64";
	argv[argc++] = "-name";
	argv[argc++] = in->name;
	if (kc_kvm_usable()) {
		snprintf(in->accel, sizeof(in->accel), "kvm");
		argv[argc++] = "-accel";
		argv[argc++] = "kvm";
		argv[argc++] = "-cpu";
		argv[argc++] = "host";
	} else {
		/*
		 * Under TCG (nested in another emulator, as in the tests) the
		 * evaluation of the firmware's ACPI tables alone takes minutes;
		 * the guest finds its PCI devices without them (and its
		 * user data in its initrd, see kc_initrd_with_user_data()).
		 */
		strncat(append, " acpi=off", sizeof(append) - strlen(append) - 1);
		snprintf(in->accel, sizeof(in->accel), "tcg");
		argv[argc++] = "-accel";
		argv[argc++] = "tcg";
		argv[argc++] = "-cpu";
		argv[argc++] = "max";
	}
	argv[argc++] = "-smp";
	argv[argc++] = smp;
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "-nodefaults";
	argv[argc++] = "-no-user-config";
	argv[argc++] = "-display";
	argv[argc++] = "none";
	argv[argc++] = "-kernel";
	argv[argc++] = in->kernel;
	argv[argc++] = "-initrd";
	initrd_arg = argc;
	argv[argc++] = in->initrd;
	argv[argc++] = "-append";
	argv[argc++] = append;
	argv[argc++] = "-netdev";
	argv[argc++] = netdev;
	argv[argc++] = "-device";
	argv[argc++] = nic;
	for (i = 0; i < in->nvol; i++) {
		snprintf(drives[i], sizeof(drives[i]), "file=%s,if=none,id=d%d,format=raw,cache=none",
			 in->disks[i], i);
		snprintf(devs[i], sizeof(devs[i]), "virtio-blk-pci,drive=d%d", i);
		argv[argc++] = "-drive";
		argv[argc++] = drives[i];
		argv[argc++] = "-device";
		argv[argc++] = devs[i];
	}
	snprintf(udata, sizeof(udata), "%s/user-data", dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd.img", dir);
	if (!access(udata, R_OK)) {
		if (kc_initrd_with_user_data(in->initrd, udata, initrd))
			return kc_err("cannot make %s", initrd), -1;
		argv[initrd_arg] = initrd;
		snprintf(fwcfg, sizeof(fwcfg), "name=opt/kcloud/user-data,file=%s", udata);
		argv[argc++] = "-fw_cfg";
		argv[argc++] = fwcfg;
	}
	argv[argc++] = "-device";
	argv[argc++] = "virtio-rng-pci";
	argv[argc++] = "-serial";
	argv[argc++] = serial;
	argv[argc++] = "-device";
	argv[argc++] = "virtio-serial-pci";
	argv[argc++] = "-chardev";
	argv[argc++] = chardev;
	argv[argc++] = "-device";
	argv[argc++] = "virtconsole,chardev=sh";
	argv[argc++] = "-qmp";
	argv[argc++] = qmp;
	argv[argc++] = "-pidfile";
	argv[argc++] = pidfile;
	argv[argc++] = "-daemonize";
	argv[argc] = NULL;

	snprintf(procs, sizeof(procs), "%s/%s/%s/cgroup.procs", KC_CGROUP_ROOT, KC_CGROUP_DIR,
		 in->name);
	child = fork();
	if (child < 0)
		return kc_err("fork: %s", strerror(errno)), -1;
	if (child == 0) {
		int null = open("/dev/null", O_RDWR);

		/* Into the instance's cgroup first: qemu and all its threads stay there. */
		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		if (kc_write_file(procs, pidbuf))
			_exit(126);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
			return kc_err("cannot move qemu into %s", procs), -1;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			return kc_err("qemu-system-x86_64 not found"), -1;
		return kc_err("qemu failed to start (exit %d)",
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1), -1;
	}
	f = fopen(pidfile, "re");
	if (!f || fscanf(f, "%ld", &in->pid) != 1) {
		if (f)
			fclose(f);
		return kc_err("qemu started but left no pid file"), -1;
	}
	fclose(f);
	in->launched = time(NULL);
	snprintf(in->state, sizeof(in->state), "running");
	return 0;
}

static void kc_qemu_stop(struct kc_inst *in)
{
	int i;

	if (kc_qemu_alive(in)) {
		kill(in->pid, SIGTERM);
		for (i = 0; i < 100 && kc_qemu_alive(in); i++)
			usleep(100000);
		if (kc_qemu_alive(in))
			kill(in->pid, SIGKILL);
		for (i = 0; i < 50 && kc_qemu_alive(in); i++)
			usleep(100000);
	}
	in->pid = 0;
	snprintf(in->state, sizeof(in->state), "stopped");
}

/* ---- the meter ------------------------------------------------------------------------- */

static int kc_meter_register(const struct kc_inst *in)
{
	char id[16], vcpus[16], mem[32], cgroup[PATH_MAX], blk[KC_MAX_VOLUMES][48];
	char *argv[32 + 4 * KC_MAX_VOLUMES];
	int argc = 0, i, rc;

	snprintf(id, sizeof(id), "%u", in->id);
	snprintf(vcpus, sizeof(vcpus), "%u", in->vcpus);
	snprintf(mem, sizeof(mem), "%lluM", in->mem_mib);
	snprintf(cgroup, sizeof(cgroup), "/%s/%s", KC_CGROUP_DIR, in->name);
	argv[argc++] = "instance";
	argv[argc++] = "add";
	argv[argc++] = id;
	argv[argc++] = "name";
	argv[argc++] = (char *)in->name;
	if (in->tenant[0]) {
		argv[argc++] = "tenant";
		argv[argc++] = (char *)in->tenant;
	}
	argv[argc++] = "cgroup";
	argv[argc++] = cgroup;
	argv[argc++] = "vcpus";
	argv[argc++] = vcpus;
	argv[argc++] = "memory";
	argv[argc++] = mem;
	argv[argc++] = "port";
	argv[argc++] = (char *)in->tap;
	/* Each volume with its disk: I/O counted per volume, size billed per GB-month. */
	for (i = 0; i < in->nvol; i++) {
		snprintf(blk[i], sizeof(blk[i]), "%s", in->disks[i]);
		argv[argc++] = "volume";
		argv[argc++] = (char *)in->volumes[i];
		argv[argc++] = "blk";
		argv[argc++] = blk[i];
	}
	argv[argc] = NULL;
	rc = kc_quiet_command("meter", argc, argv);
	if (rc)
		return -1;
	/* Count the port's traffic by destination class (the VPC's CIDR is "inside"). */
	rc = KC_RUN("meter", "attach", (char *)in->name, "dev", (char *)in->tap,
		    "vpc", (char *)in->vpc_cidr);
	for (i = 0; !rc && i < in->nvol; i++) {
		rc = KC_RUN("meter", "attach", (char *)in->name, "blk", blk[i]);
		if (rc)
			while (i-- > 0)
				KC_RUN("meter", "detach", "blk", blk[i]);
	}
	if (rc) {
		KC_RUN("meter", "detach", "dev", (char *)in->tap);
		KC_RUN("meter", "instance", "del", (char *)in->name);
		return -1;
	}
	return 0;
}

struct kc_bill_one {
	unsigned int id;
	bool found;
	unsigned long long sec, nano;
};

static int kc_bill_one_cb(uint8_t cmd, struct nlattr **tb, void *arg)
{
	struct kc_bill_one *b = arg;

	if (!tb[KCLOUD_METER_A_INST_ID] || nla_get_u32(tb[KCLOUD_METER_A_INST_ID]) != b->id)
		return 0;
	b->found = true;
	if (tb[KCLOUD_METER_A_BILL_SECONDS])
		b->sec = nla_get_u64(tb[KCLOUD_METER_A_BILL_SECONDS]);
	if (tb[KCLOUD_METER_A_BILL_TOTAL])
		b->nano = nla_get_u64(tb[KCLOUD_METER_A_BILL_TOTAL]);
	return 0;
}

/* The meter's bill of the run that is ending, read before the meter forgets it. */
static int kc_meter_bill(const struct kc_inst *in, struct kc_bill_one *b)
{
	struct kc_nl *nl = kc_nl_open_quiet(KCLOUD_METER_GENL_NAME);
	struct nl_msg *msg;
	int rc;

	memset(b, 0, sizeof(*b));
	b->id = in->id;
	if (!nl)
		return -ENOENT;
	msg = kc_nl_msg(nl, KCLOUD_METER_CMD_GET_BILL, NLM_F_DUMP);
	rc = msg ? kc_nl_request_quiet(nl, msg, KCLOUD_METER_A_MAX, kc_bill_one_cb, b) : -ENOMEM;
	kc_nl_close(nl);
	return rc ? rc : b->found ? 0 : -ENOENT;
}

static void kc_meter_unregister(struct kc_inst *in)
{
	struct kc_bill_one b;
	char blk[48];
	int i;

	if (!kc_meter_bill(in, &b)) {
		in->billed_sec += b.sec;
		in->billed_nano += b.nano;
		in->runs++;
	}
	for (i = 0; i < in->nvol; i++) {
		snprintf(blk, sizeof(blk), "%s", in->disks[i]);
		KC_RUN("meter", "detach", "blk", blk);
	}
	KC_RUN("meter", "detach", "dev", (char *)in->tap);
	KC_RUN("meter", "instance", "del", (char *)in->name);
}

/* ---- undoing ------------------------------------------------------------------------------ */

static void kc_inst_undo(struct kc_inst *in, unsigned int done)
{
	char path[PATH_MAX];
	const char *files[] = { "instance.conf", "qemu.pid", "console.log", "user-data", "initrd.img",
				"instance.conf.tmp", "console.log.prev", NULL };
	int i;

	if (done & KC_DONE_QEMU)
		kc_qemu_stop(in);
	if (done & KC_DONE_METER)
		kc_meter_unregister(in);
	if (done & KC_DONE_PORT)
		KC_RUN("port", "del", "dev", in->tap);
	if (done & KC_DONE_TAP)
		kc_tap(in->tap, false);
	if (done & KC_DONE_CGROUP)
		kc_cgroup_remove(in);
	if (done & KC_DONE_QEMU) {
		kc_inst_sock(path, sizeof(path), in->name, "console");
		unlink(path);
		kc_inst_sock(path, sizeof(path), in->name, "qmp");
		unlink(path);
	}
	if (done & KC_DONE_DIR) {
		for (i = 0; files[i]; i++) {
			kc_inst_path(path, sizeof(path), in->name, files[i]);
			unlink(path);
		}
		kc_inst_path(path, sizeof(path), in->name, NULL);
		rmdir(path);
	}
}

/* A qemu that died without the tool: release what only a running instance holds. */
static void kc_inst_reap(struct kc_inst *in)
{
	if (strcmp(in->state, "running") || kc_qemu_alive(in))
		return;
	kc_meter_unregister(in);
	kc_cgroup_remove(in);
	in->pid = 0;
	snprintf(in->state, sizeof(in->state), "stopped");
	kc_inst_save(in);
}

/* ---- commands ------------------------------------------------------------------------------ */

static int kc_inst_usage(FILE *f)
{
	fprintf(f,
		"Usage: kcloud instance run NAME type TYPE vpc VPC subnet SUBNET\n"
		"                [volume VOL]... [addr A.B.C.D] [tenant T] [user-data FILE]\n"
		"                [image DIR | kernel FILE initrd FILE]\n"
		"       kcloud instance { list | show [NAME] }\n"
		"       kcloud instance { stop | start | reboot } NAME\n"
		"       kcloud instance terminate NAME [delete-volumes]\n"
		"       kcloud instance console NAME [log]\n"
		"       kcloud instance types\n"
		"  Options may also be written --name N, --type T, ... as in other clouds.\n"
		"  user-data (at most 16 KiB) runs in the guest at boot. stop ends the\n"
		"  run's billing, start begins a new one (60 s minimum); reboot resets the\n"
		"  guest in place (QMP system_reset), same billing period. show -j gives\n"
		"  billed_runs, billed_seconds, billed_nano of the ended runs.\n"
		"  SUBNET is the subnet's CIDR, id or name. The address is the lowest\n"
		"  free one of the subnet unless addr is given. VOL is a block store\n"
		"  volume (kcloud volume create). The image defaults to the project's\n"
		"  guest image (build/guest: make guest). State: $KCLOUD_STATE_DIR\n"
		"  (default /var/lib/kcloud). Types: built in, and lines \"NAME VCPUS MEMORY\"\n"
		"  in $KCLOUD_TYPES_FILE (default /etc/kcloud/instance-types):\n");
	kc_itype_list(f);
	return f == stdout ? KC_EXIT_OK : KC_EXIT_USAGE;
}

static const char *kc_default_image_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (getenv("KCLOUD_IMAGE_DIR"))
		return getenv("KCLOUD_IMAGE_DIR");
	/* The tool lives in build/; the guest image in build/guest. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "/usr/share/kcloud/guest";
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(dir, sizeof(dir), "%s/guest", exe);
	return dir;
}

static int kc_inst_print(struct kc_inst *in, void *arg)
{
	int i;

	kc_inst_reap(in);
	kc_open_object(NULL);
	kc_print_str(KC_ANY, "name", "%-12s ", in->name);
	kc_print_str(KC_ANY, "state", "%-8s ", in->state);
	kc_print_str(KC_ANY, "type", "%-9s ", in->type);
	kc_print_u64(KC_ANY, "vcpus", "%llu vCPU ", in->vcpus);
	kc_print_u64(KC_ANY, "memory_mib", "%4llu MiB  ", in->mem_mib);
	kc_print_str(KC_ANY, "vpc", "vpc %s ", in->vpc);
	kc_print_str(KC_ANY, "subnet", "subnet %s ", in->subnet);
	kc_print_str(KC_ANY, "addr", "addr %s ", in->addr);
	kc_print_str(KC_ANY, "mac", "mac %s ", in->mac);
	kc_print_str(KC_ANY, "port", "port %s", in->tap);
	kc_print_u64(KC_JSON, "meter_id", NULL, in->id);
	if (in->tenant[0])
		kc_print_str(KC_ANY, "tenant", " tenant %s", in->tenant);
	kc_open_array("volumes");
	for (i = 0; i < in->nvol; i++) {
		kc_open_object(NULL);
		kc_print_str(KC_ANY, "volume", " volume %s", in->volumes[i]);
		kc_print_str(KC_ANY, "disk", " (%s)", in->disks[i]);
		kc_close_object();
	}
	kc_close_array();
	if (!strcmp(in->state, "running")) {
		kc_print_s64(KC_ANY, "pid", " pid %lld", in->pid);
		kc_print_str(KC_ANY, "accel", " %s", in->accel);
		kc_print_s64(KC_ANY, "uptime", " up %llds", (long long)time(NULL) - in->launched);
	}
	/* Runs that have ended; the running one is in `kcloud bill`. */
	if (in->runs || kc_json) {
		kc_print_u64(KC_ANY, "billed_runs", " billed: %llu runs", in->runs);
		kc_print_u64(KC_ANY, "billed_seconds", " %llu s", in->billed_sec);
		kc_print_fixed(KC_ANY, "billed_usd", " USD %s", (long long)in->billed_nano, 9);
		kc_print_u64(KC_JSON, "billed_nano", NULL, in->billed_nano);
	}
	kc_print_nl();
	kc_close_object();
	return 0;
}

static int kc_inst_run(int argc, char **argv)
{
	struct stat st;
	const char *want_addr = NULL, *user_data = NULL, *image = NULL;
	const char *kernel = NULL, *initrd = NULL;
	unsigned int done = 0;
	struct kc_itype t;
	struct kc_inst in;
	char path[PATH_MAX];
	int lock, i, rc, err;

	memset(&in, 0, sizeof(in));
	while (argc > 0) {
		const char *k = argv[0];

		while (*k == '-')
			k++;
		if (argc < 2)
			return kc_missing_arg(argv[0]);
		if (!strcmp(k, "name"))
			snprintf(in.name, sizeof(in.name), "%s", argv[1]);
		else if (!strcmp(k, "type"))
			snprintf(in.type, sizeof(in.type), "%s", argv[1]);
		else if (!strcmp(k, "vpc"))
			snprintf(in.vpc, sizeof(in.vpc), "%s", argv[1]);
		else if (!strcmp(k, "subnet"))
			snprintf(in.subnet, sizeof(in.subnet), "%s", argv[1]);
		else if (!strcmp(k, "tenant"))
			snprintf(in.tenant, sizeof(in.tenant), "%s", argv[1]);
		else if (!strcmp(k, "addr") || !strcmp(k, "ip"))
			want_addr = argv[1];
		else if (!strcmp(k, "user-data"))
			user_data = argv[1];
		else if (!strcmp(k, "image"))
			image = argv[1];
		else if (!strcmp(k, "kernel"))
			kernel = argv[1];
		else if (!strcmp(k, "initrd"))
			initrd = argv[1];
		else if (!strcmp(k, "volume")) {
			if (in.nvol == KC_MAX_VOLUMES)
				return kc_usage_err("at most %d volumes", KC_MAX_VOLUMES);
			snprintf(in.volumes[in.nvol++], sizeof(in.volumes[0]), "%s", argv[1]);
		} else if (in.name[0] == '\0' && argv[0][0] != '-' && !strchr(argv[0], '=')) {
			/* `run NAME ...` */
			snprintf(in.name, sizeof(in.name), "%s", argv[0]);
			argc--, argv++;
			continue;
		} else {
			return kc_usage_err("instance run: unknown argument \"%s\"", argv[0]);
		}
		argc -= 2, argv += 2;
	}
	if (!in.name[0] || !in.type[0] || !in.vpc[0] || !in.subnet[0])
		return kc_usage_err("instance run needs a name, type, vpc and subnet (kcloud instance help)");
	if (!kc_valid_name(in.name))
		return kc_usage_err("bad instance name \"%s\": 1-23 of a-z, 0-9 and -", in.name);
	if (kc_itype_lookup(in.type, &t))
		return kc_usage_err("unknown instance type \"%s\" (kcloud instance types)", in.type);
	in.vcpus = t.vcpus;
	in.mem_mib = t.mem_mib;
	if (!image)
		image = kc_default_image_dir();
	snprintf(in.kernel, sizeof(in.kernel), "%s", kernel ? kernel : "");
	snprintf(in.initrd, sizeof(in.initrd), "%s", initrd ? initrd : "");
	if (!kernel) {
		/* The uncompressed ELF boots through PVH: no decompression. */
		snprintf(in.kernel, sizeof(in.kernel), "%s/vmlinux", image);
		if (access(in.kernel, R_OK))
			snprintf(in.kernel, sizeof(in.kernel), "%s/vmlinuz", image);
	}
	if (!initrd)
		snprintf(in.initrd, sizeof(in.initrd), "%s/initramfs.cpio.gz", image);
	if (access(in.kernel, R_OK) || access(in.initrd, R_OK))
		return kc_err("guest image not found: %s, %s (make guest)", in.kernel, in.initrd);
	if (user_data && access(user_data, R_OK))
		return kc_err("user data %s: %s", user_data, strerror(errno));

	lock = kc_state_lock();
	if (lock < 0)
		return kc_err("cannot lock the state directory %s", kc_state_dir());

	rc = KC_EXIT_FAIL;
	kc_inst_path(path, sizeof(path), in.name, NULL);
	if (!access(path, F_OK)) {
		kc_err("an instance named \"%s\" exists", in.name);
		goto out;
	}
	for (i = 0; i < in.nvol; i++) {
		struct kc_vol_owner o = { .volume = in.volumes[i], .self = in.name };

		if (kc_inst_foreach(kc_vol_owner_cb, &o)) {
			kc_err("volume %s is attached to instance %s", in.volumes[i], o.owner);
			goto out;
		}
		if (kc_volume_disk(in.volumes[i], in.disks[i], sizeof(in.disks[i])))
			goto out;
	}
	if (kc_vpc_place(&in, want_addr))
		goto out;

	/* An id unique among the instances here: the meter's and the tap's. */
	{
		char dir[PATH_MAX];
		struct dirent *de;
		unsigned int max = 0;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/instances", kc_state_dir());
		d = opendir(dir);
		while (d && (de = readdir(d))) {
			struct kc_inst o;

			if (de->d_name[0] != '.' && !kc_inst_load(de->d_name, &o) && o.id > max)
				max = o.id;
		}
		if (d)
			closedir(d);
		in.id = max + 1;
	}
	snprintf(in.tap, sizeof(in.tap), "kct%u", in.id);
	snprintf(in.mac, sizeof(in.mac), "02:4b:43:%02x:%02x:%02x",
		 (in.id >> 16) & 0xff, (in.id >> 8) & 0xff, in.id & 0xff);

	if (kc_mkdir_p(path)) {
		kc_err("cannot make %s: %s", path, strerror(errno));
		goto out;
	}
	done |= KC_DONE_DIR;
	if (user_data) {
		char dst[PATH_MAX], cmd[PATH_MAX * 2 + 16];
		FILE *src, *out;
		size_t n;

		kc_inst_path(dst, sizeof(dst), in.name, "user-data");
		if (stat(user_data, &st)) {
			kc_err("user data %s: %s", user_data, strerror(errno));
			goto undo;
		}
		if (st.st_size > KC_USER_DATA_MAX) {
			kc_err("user data %s: larger than 16 KiB", user_data);
			goto undo;
		}
		src = fopen(user_data, "re");
		out = fopen(dst, "we");
		while (src && out && (n = fread(cmd, 1, sizeof(cmd), src)) > 0)
			fwrite(cmd, 1, n, out);
		if (src)
			fclose(src);
		if (!out || fclose(out)) {
			kc_err("cannot copy the user data");
			goto undo;
		}
	}
	snprintf(in.state, sizeof(in.state), "stopped");
	if (kc_inst_save(&in)) {
		kc_err("cannot write the state of %s", in.name);
		goto undo;
	}
	if (kc_cgroup_create(&in))
		goto undo;
	done |= KC_DONE_CGROUP;
	err = kc_tap(in.tap, true);
	if (err) {
		kc_err("cannot make tap %s: %s", in.tap, strerror(-err));
		goto undo;
	}
	done |= KC_DONE_TAP;
	if (KC_RUN("port", "add", "dev", in.tap, "vpc", in.vpc, "mac", in.mac, "ip", in.addr))
		goto undo;
	done |= KC_DONE_PORT;
	if (kc_meter_register(&in))
		goto undo;
	done |= KC_DONE_METER;
	if (kc_qemu_start(&in))
		goto undo;
	done |= KC_DONE_QEMU;
	if (kc_inst_save(&in)) {
		kc_err("cannot write the state of %s", in.name);
		goto undo;
	}
	kc_out_start();
	kc_inst_print(&in, NULL);
	kc_out_end();
	rc = KC_EXIT_OK;
	goto out;
undo:
	kc_inst_undo(&in, done);
out:
	close(lock);
	return rc;
}

static int kc_inst_find(const char *name, struct kc_inst *in)
{
	if (kc_inst_load(name, in)) {
		kc_err("no instance named \"%s\"", name);
		return -1;
	}
	kc_inst_reap(in);
	return 0;
}

static int kc_inst_stop(const char *name)
{
	struct kc_inst in;

	if (kc_inst_find(name, &in))
		return KC_EXIT_FAIL;
	if (strcmp(in.state, "running"))
		return kc_err("instance %s is not running", name);
	kc_qemu_stop(&in);
	/* Billing ends at stop: the meter forgets the instance until it starts again. */
	kc_meter_unregister(&in);
	kc_cgroup_remove(&in);
	if (kc_inst_save(&in))
		return kc_err("cannot write the state of %s", name);
	kc_printf("instance %s stopped\n", name);
	return KC_EXIT_OK;
}

static int kc_inst_start(const char *name)
{
	struct kc_inst in;
	unsigned int done = 0;

	if (kc_inst_find(name, &in))
		return KC_EXIT_FAIL;
	if (!strcmp(in.state, "running"))
		return kc_err("instance %s is running", name);
	if (kc_cgroup_create(&in))
		return KC_EXIT_FAIL;
	done |= KC_DONE_CGROUP;
	if (kc_meter_register(&in))
		goto undo;
	done |= KC_DONE_METER;
	if (kc_qemu_start(&in))
		goto undo;
	if (kc_inst_save(&in)) {
		kc_qemu_stop(&in);
		goto undo;
	}
	kc_printf("instance %s started (pid %ld, %s)\n", name, in.pid, in.accel);
	return KC_EXIT_OK;
undo:
	kc_inst_undo(&in, done);
	return KC_EXIT_FAIL;
}

static int kc_inst_terminate(const char *name, bool delete_volumes)
{
	struct kc_inst in;
	int i, rc = KC_EXIT_OK;

	if (kc_inst_find(name, &in))
		return KC_EXIT_FAIL;
	kc_inst_undo(&in, KC_DONE_QEMU | KC_DONE_METER | KC_DONE_PORT | KC_DONE_TAP |
			  KC_DONE_CGROUP | KC_DONE_DIR);
	for (i = 0; delete_volumes && i < in.nvol; i++)
		if (KC_RUN("volume", "delete", in.volumes[i]))
			rc = KC_EXIT_FAIL;
	kc_printf("instance %s terminated (billed %llu s in %u runs, USD %llu.%09llu)\n", name,
		  in.billed_sec, in.runs, in.billed_nano / 1000000000ULL,
		  in.billed_nano % 1000000000ULL);
	return rc;
}

/* Read from a QMP socket until a line holding @want (or an error) arrives. */
static int kc_qmp_wait(FILE *f, const char *want)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "\"error\""))
			return -EIO;
		if (strstr(line, want))
			return 0;
	}
	return -EPIPE;
}

/* Run one QMP command, with @args (a JSON object) or none, on the instance's control socket. */
static int kc_qmp_args(const struct kc_inst *in, const char *cmd, const char *args)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 30 };
	int sk, rc;
	FILE *f;

	kc_inst_sock(sun.sun_path, sizeof(sun.sun_path), in->name, "qmp");
	sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sk < 0)
		return -errno;
	setsockopt(sk, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(sk, (struct sockaddr *)&sun, sizeof(sun))) {
		rc = -errno;
		close(sk);
		return rc;
	}
	f = fdopen(sk, "r+");
	if (!f) {
		close(sk);
		return -ENOMEM;
	}
	rc = kc_qmp_wait(f, "\"QMP\"");
	if (!rc) {
		fprintf(f, "{\"execute\":\"qmp_capabilities\"}\n");
		fflush(f);
		rc = kc_qmp_wait(f, "\"return\"");
	}
	if (!rc) {
		if (args)
			fprintf(f, "{\"execute\":\"%s\",\"arguments\":%s}\n", cmd, args);
		else
			fprintf(f, "{\"execute\":\"%s\"}\n", cmd);
		fflush(f);
		rc = kc_qmp_wait(f, "\"return\"");
	}
	fclose(f);
	return rc;
}

static int kc_qmp(const struct kc_inst *in, const char *cmd)
{
	return kc_qmp_args(in, cmd, NULL);
}

struct kc_vol_resize {
	const char *volume;
	unsigned long long size;
	int rc;
};

static int kc_vol_resize_cb(struct kc_inst *in, void *arg)
{
	struct kc_vol_resize *v = arg;
	char args[96];
	int i, rc;

	kc_inst_reap(in);
	for (i = 0; i < in->nvol; i++) {
		if (strcmp(in->volumes[i], v->volume) || strcmp(in->state, "running"))
			continue;
		/* The drive's id is its index (kc_qemu_argv: id=dN). */
		snprintf(args, sizeof(args), "{\"device\":\"d%d\",\"size\":%llu}", i, v->size);
		rc = kc_qmp_args(in, "block_resize", args);
		if (rc)
			v->rc = kc_err("volume %s grew, but instance %s's disk did not: %s: %s",
				       v->volume, in->name, "QMP block_resize", strerror(-rc));
	}
	return 0;
}

/**
 * kc_inst_volume_resized() - tell the running instance of a volume it grew
 * @volume: the volume's name
 * @size: its new size in bytes
 *
 * As EBS's modify-volume shows the new size in the instance: qemu's drive
 * takes it (block_resize) and the guest's virtio-blk sees the capacity
 * change; the guest grows its filesystem.
 *
 * Return: 0, or KC_EXIT_FAIL with the error printed.
 */
int kc_inst_volume_resized(const char *volume, unsigned long long size)
{
	struct kc_vol_resize v = { .volume = volume, .size = size };

	kc_inst_foreach(kc_vol_resize_cb, &v);
	return v.rc;
}

/*
 * A reboot resets the guest in place, as EC2 reboots: same qemu, same
 * cgroup, port and disks, and the same billing period.
 */
static int kc_inst_reboot(const char *name)
{
	struct kc_inst in;
	int rc;

	if (kc_inst_find(name, &in))
		return KC_EXIT_FAIL;
	kc_inst_reap(&in);
	if (strcmp(in.state, "running"))
		return kc_err("instance %s is not running", name);
	rc = kc_qmp(&in, "system_reset");
	if (rc)
		return kc_err("cannot reset %s through QMP: %s", name, strerror(-rc));
	kc_printf("instance %s rebooted\n", name);
	return KC_EXIT_OK;
}

/* Relay the terminal to the serial console until ^] (or EOF on input). */
static int kc_inst_console(const char *name, bool log)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[PATH_MAX], buf[4096];
	struct kc_inst in;
	int sk, fd;
	ssize_t n;

	if (kc_inst_find(name, &in))
		return KC_EXIT_FAIL;
	if (log) {
		kc_inst_path(path, sizeof(path), name, "console.log");
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return kc_err("%s: %s", path, strerror(errno));
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		close(fd);
		return KC_EXIT_OK;
	}
	if (strcmp(in.state, "running"))
		return kc_err("instance %s is not running", name);
	kc_inst_sock(path, sizeof(path), name, "console");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sk < 0 || connect(sk, (struct sockaddr *)&sun, sizeof(sun)))
		return kc_err("cannot connect to %s: %s", path, strerror(errno));
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "Connected to %s's console; ^] to leave.\n", name);
	for (;;) {
		fd_set rd;

		FD_ZERO(&rd);
		FD_SET(STDIN_FILENO, &rd);
		FD_SET(sk, &rd);
		if (select(sk + 1, &rd, NULL, NULL, NULL) < 0)
			break;
		if (FD_ISSET(sk, &rd)) {
			n = read(sk, buf, sizeof(buf));
			if (n <= 0 || write(STDOUT_FILENO, buf, n) != n)
				break;
		}
		if (FD_ISSET(STDIN_FILENO, &rd)) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0 || memchr(buf, 0x1d, n))
				break;
			if (write(sk, buf, n) != n)
				break;
		}
	}
	close(sk);
	return KC_EXIT_OK;
}

static int do_instance(int argc, char **argv)
{
	const char *verb;

	if (argc < 1)
		return kc_inst_usage(stderr);
	verb = argv[0];
	argc--, argv++;
	if (kc_is_help(verb))
		return kc_inst_usage(stdout);
	if (!strcmp(verb, "run"))
		return kc_inst_run(argc, argv);
	if (!strcmp(verb, "types")) {
		kc_itype_list(stdout);
		return KC_EXIT_OK;
	}
	if (kc_matches(verb, "list") || kc_matches(verb, "show")) {
		int rc = KC_EXIT_OK;

		kc_out_start();
		kc_open_array(NULL);
		if (argc > 0) {
			struct kc_inst in;

			if (kc_inst_find(argv[0], &in))
				rc = KC_EXIT_FAIL;
			else
				kc_inst_print(&in, NULL);
		} else {
			kc_inst_foreach(kc_inst_print, NULL);
		}
		kc_close_array();
		kc_out_end();
		return rc;
	}
	if (argc < 1)
		return kc_usage_err("instance %s needs an instance name", verb);
	if (!strcmp(verb, "stop"))
		return kc_inst_stop(argv[0]);
	if (!strcmp(verb, "start"))
		return kc_inst_start(argv[0]);
	if (!strcmp(verb, "reboot"))
		return kc_inst_reboot(argv[0]);
	if (!strcmp(verb, "terminate"))
		return kc_inst_terminate(argv[0], argc > 1 && !strcmp(argv[1], "delete-volumes"));
	if (!strcmp(verb, "console"))
		return kc_inst_console(argv[0], argc > 1 && !strcmp(argv[1], "log"));
	return kc_usage_err("instance: unknown command \"%s\" (kcloud instance help)", verb);
}

KC_COMMAND(instance, do_instance, "KVM guests in a VPC with volumes, metered: run, list, stop, ...")
