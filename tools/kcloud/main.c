// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: the command-line tool. Global options, then an object and a verb,
 * as ip(8): `kcloud [-j] [-s] [-d] OBJECT COMMAND [ARGS]`. Objects register
 * themselves with KC_COMMAND(); this file only dispatches.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kcloud.h"

int kc_json;
int kc_stats;
int kc_details;

static struct kc_command *kc_commands;

void kc_register(struct kc_command *cmd)
{
	struct kc_command **p = &kc_commands;

	/* Keep the list sorted so that `help` reads well. */
	while (*p && strcmp((*p)->name, cmd->name) < 0)
		p = &(*p)->next;
	cmd->next = *p;
	*p = cmd;
}

int kc_run_command(const char *name, int argc, char **argv)
{
	struct kc_command *c;

	for (c = kc_commands; c; c = c->next)
		if (!strcmp(name, c->name))
			return c->fn(argc, argv);
	return kc_err("this kcloud has no \"%s\" command", name);
}

static void usage(FILE *f)
{
	struct kc_command *c;

	fprintf(f,
		"Usage: kcloud [OPTIONS] OBJECT { COMMAND | help }\n"
		"OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | -d[etails] | -V[ersion] | -h[elp] }\n"
		"OBJECT :=\n");
	for (c = kc_commands; c; c = c->next)
		fprintf(f, "    %-10s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
	struct kc_command *c;

	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-' && argv[0][1]) {
		const char *opt = argv[0] + 1;

		if (opt[0] == '-')
			opt++;
		if (kc_matches(opt, "json")) {
			kc_json = 1;
		} else if (kc_matches(opt, "pretty")) {
			/* JSON output is always one object per line; accepted for ip(8) habits. */
		} else if (kc_matches(opt, "statistics")) {
			kc_stats++;
		} else if (kc_matches(opt, "details")) {
			kc_details++;
		} else if (kc_matches(opt, "Version")) {
			printf("kcloud %s\n", KCLOUD_TOOL_VERSION);
			return KC_EXIT_OK;
		} else if (kc_matches(opt, "help")) {
			usage(stdout);
			return KC_EXIT_OK;
		} else {
			fprintf(stderr, "kcloud: option \"%s\" is unknown, try \"kcloud help\"\n", argv[0]);
			return KC_EXIT_USAGE;
		}
		argc--;
		argv++;
	}

	if (argc == 0) {
		usage(stderr);
		return KC_EXIT_USAGE;
	}
	if (kc_is_help(argv[0])) {
		usage(stdout);
		return KC_EXIT_OK;
	}
	for (c = kc_commands; c; c = c->next)
		if (kc_matches(argv[0], c->name))
			return c->fn(argc - 1, argv + 1);

	fprintf(stderr, "kcloud: object \"%s\" is unknown, try \"kcloud help\"\n", argv[0]);
	return KC_EXIT_USAGE;
}
