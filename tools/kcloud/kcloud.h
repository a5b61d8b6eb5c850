/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud: the command-line tool. Shared declarations.
 *
 * Each object (vpc, subnet, volume, meter, ...) lives in its own file and
 * registers its top-level command with KC_COMMAND(); main.c only dispatches.
 *
 * Exit codes: 0 success, 1 the kernel or the system refused (the kernel's
 * extack message is printed), 2 bad usage.
 */
#ifndef KCLOUD_H
#define KCLOUD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "json.h"
#include "nl.h"

#define KCLOUD_TOOL_VERSION	"0.1.0"

#define KC_EXIT_OK	0
#define KC_EXIT_FAIL	1
#define KC_EXIT_USAGE	2

struct kc_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;	/* one line for `kcloud help` */
	struct kc_command *next;
};

void kc_register(struct kc_command *cmd);
/* Run the top-level command @name (exact name) with @argc/@argv after it. */
int kc_run_command(const char *name, int argc, char **argv);

/* Register a top-level command: KC_COMMAND(vpc, do_vpc, "VPCs: add, del, show, set"); */
#define KC_COMMAND(_name, _fn, _summary)					\
	static struct kc_command kc_cmd_##_name = {				\
		.name = #_name, .fn = _fn, .summary = _summary,			\
	};									\
	static void __attribute__((constructor)) kc_cmd_reg_##_name(void)	\
	{									\
		kc_register(&kc_cmd_##_name);					\
	}

/* Global options, set by main.c. */
extern int kc_json;	/* -j: JSON output */
extern int kc_stats;	/* -s: statistics */
extern int kc_details;	/* -d: details */

/* argv walking, iproute2 style. */
#define NEXT_ARG() do { argv++; if (--argc <= 0) return kc_missing_arg(*(argv - 1)); } while (0)

/* True when @arg is a prefix (at least one char) of @word, as iproute2 matches. */
bool kc_matches(const char *arg, const char *word);
bool kc_is_help(const char *arg);

/* Error reporting: print "kcloud: ..." to stderr, return the exit code. */
int kc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kc_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kc_missing_arg(const char *after);

/* Parsers: 0 on success, -1 on bad input (nothing printed). */
int kc_parse_u32(const char *s, uint32_t *v);
int kc_parse_u64(const char *s, uint64_t *v);
int kc_parse_size(const char *s, uint64_t *bytes);	/* 10G, 512M, 4096 */
int kc_parse_ipv4(const char *s, struct in_addr *a);
int kc_parse_cidr(const char *s, struct in_addr *a, uint8_t *plen);
int kc_parse_mac(const char *s, uint8_t mac[6]);
int kc_parse_bool(const char *s, bool *v);		/* on/off, yes/no, 1/0 */

/* Formatters into static buffers (one call per argument list at a time). */
const char *kc_fmt_ipv4(uint32_t be_addr);
const char *kc_fmt_mac(const uint8_t mac[6]);

#endif /* KCLOUD_H */
