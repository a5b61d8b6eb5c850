// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: the command-line tool. Global options, then an object and a verb,
 * as ip(8): `kcloud [-j] [-s] [-d] OBJECT COMMAND [ARGS]`, or many commands
 * from a file with -batch, as `ip -batch`. Objects register themselves with
 * KC_COMMAND(); this file only dispatches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		"       kcloud [OPTIONS] -b[atch] FILE [-f[orce]]\n"
		"OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | -d[etails] | -V[ersion] | -h[elp] }\n"
		"OBJECT :=\n");
	for (c = kc_commands; c; c = c->next)
		fprintf(f, "    %-10s %s\n", c->name, c->summary);
}

static int kc_dispatch(int argc, char **argv)
{
	struct kc_command *c;

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

#define KC_BATCH_ARGS	256

/*
 * Split @line into words in place, as ip -batch does: blanks separate them,
 * double quotes keep blanks in one, '#' outside quotes starts a comment.
 * Return: the number of words, -1 when there are too many or a quote is
 * not closed.
 */
static int kc_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		char *w;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return argc;
		if (argc == max)
			return -1;
		if (*p == '"') {
			w = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
		} else {
			w = p;
			while (*p && !strchr(" \t\n\r", *p))
				p++;
		}
		argv[argc++] = w;
		if (!*p)
			return argc;
		*p++ = '\0';
	}
}

/*
 * Run the commands of @name ("-": standard input), a line each. Stop at
 * the first that fails unless @force. Return: 0 when all succeeded, else
 * the exit status of the last one that failed.
 */
static int kc_batch(const char *name, bool force)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	char *argv[KC_BATCH_ARGS];
	unsigned int lineno = 0;
	int ret = KC_EXIT_OK;
	size_t cap = 0;
	char *line = NULL;

	if (!f) {
		fprintf(stderr, "kcloud: cannot open %s: %s\n", name, strerror(errno));
		return KC_EXIT_USAGE;
	}
	while (getline(&line, &cap, f) >= 0) {
		int argc, rc;

		lineno++;
		argc = kc_split(line, argv, KC_BATCH_ARGS);
		if (!argc)
			continue;
		if (argc < 0) {
			fprintf(stderr, "kcloud: %s:%u: too many words or an open quote\n",
				name, lineno);
			rc = KC_EXIT_USAGE;
		} else {
			kc_json_reset();
			rc = kc_dispatch(argc, argv);
		}
		fflush(stdout);
		if (rc) {
			fprintf(stderr, "kcloud: command failed %s:%u\n", name, lineno);
			ret = rc;
			if (!force)
				break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	const char *batch = NULL;
	bool force = false;

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
		} else if (kc_matches(opt, "batch")) {
			if (argc < 2) {
				fprintf(stderr, "kcloud: -batch needs a file (- for standard input)\n");
				return KC_EXIT_USAGE;
			}
			batch = argv[1];
			argc--;
			argv++;
		} else if (kc_matches(opt, "force")) {
			force = true;
		} else {
			fprintf(stderr, "kcloud: option \"%s\" is unknown, try \"kcloud help\"\n", argv[0]);
			return KC_EXIT_USAGE;
		}
		argc--;
		argv++;
	}

	if (batch)
		return kc_batch(batch, force);
	if (argc == 0) {
		usage(stderr);
		return KC_EXIT_USAGE;
	}
	return kc_dispatch(argc, argv);
}
