// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: argument matching, parsing and error reporting.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kcloud.h"

bool kc_matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && len <= strlen(word) && !strncmp(arg, word, len);
}

bool kc_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int kc_err(const char *fmt, ...)
{
	va_list ap;

	fputs("kcloud: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return KC_EXIT_FAIL;
}

int kc_usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("kcloud: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return KC_EXIT_USAGE;
}

int kc_missing_arg(const char *after)
{
	return kc_usage_err("argument expected after \"%s\"", after);
}

int kc_parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int kc_parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (kc_parse_u64(s, &x) || x > UINT32_MAX)
		return -1;
	*v = x;
	return 0;
}

int kc_parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGTP";
	unsigned long long x;
	const char *u;
	char *end;
	int shift;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (!*end) {
		*bytes = x;
		return 0;
	}
	u = strchr(units, toupper((unsigned char)*end));
	if (!u || !*u)
		return -1;
	end++;
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -1;
	shift = 10 * (int)(u - units + 1);
	if (x > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)x << shift;
	return 0;
}

int kc_parse_ipv4(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

int kc_parse_cidr(const char *s, struct in_addr *a, uint8_t *plen)
{
	char buf[INET_ADDRSTRLEN + 4];
	const char *slash = strchr(s, '/');
	uint32_t p;

	if (!slash || (size_t)(slash - s) >= INET_ADDRSTRLEN)
		return -1;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (kc_parse_ipv4(buf, a) || kc_parse_u32(slash + 1, &p) || p > 32)
		return -1;
	*plen = p;
	return 0;
}

int kc_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &tail) != 6 || strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

int kc_parse_bool(const char *s, bool *v)
{
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "1") || !strcmp(s, "true")) {
		*v = true;
		return 0;
	}
	if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "0") || !strcmp(s, "false")) {
		*v = false;
		return 0;
	}
	return -1;
}

const char *kc_fmt_ipv4(uint32_t be_addr)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int n;
	char *b = buf[n++ & 3];

	inet_ntop(AF_INET, &be_addr, b, INET_ADDRSTRLEN);
	return b;
}

const char *kc_fmt_mac(const uint8_t mac[6])
{
	static char buf[4][18];
	static int n;
	char *b = buf[n++ & 3];

	snprintf(b, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return b;
}
