// SPDX-License-Identifier: GPL-2.0
/*
 * kcloud: one set of print calls that gives text, or JSON with -j.
 */
#include <stdarg.h>
#include <stdio.h>

#include "kcloud.h"

#define KC_JSON_DEPTH	32

/* Whether the container at each depth already holds a member. */
static bool kc_jsep[KC_JSON_DEPTH];
static int kc_jdepth;

/* A batch starts each command at the top level, whatever the last left. */
void kc_json_reset(void)
{
	kc_jdepth = 0;
	kc_jsep[0] = false;
}

static bool kc_want(enum kc_print t)
{
	return t == KC_ANY || (t == KC_JSON) == !!kc_json;
}

static void kc_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (c < 0x20)
				printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

/* Separator and key before a JSON member. */
static void kc_json_member(const char *key)
{
	if (kc_jdepth > 0 && kc_jsep[kc_jdepth - 1])
		putchar(',');
	if (kc_jdepth > 0)
		kc_jsep[kc_jdepth - 1] = true;
	if (key) {
		kc_json_string(key);
		putchar(':');
	}
}

void kc_out_start(void)
{
	kc_jdepth = 0;
	kc_jsep[0] = false;
}

void kc_out_end(void)
{
	if (kc_json)
		putchar('\n');
	fflush(stdout);
}

static void kc_open(const char *key, char c)
{
	if (!kc_json)
		return;
	kc_json_member(key);
	putchar(c);
	if (kc_jdepth < KC_JSON_DEPTH)
		kc_jsep[kc_jdepth] = false;
	kc_jdepth++;
}

static void kc_close(char c)
{
	if (!kc_json)
		return;
	putchar(c);
	if (kc_jdepth > 0)
		kc_jdepth--;
}

void kc_open_object(const char *key)
{
	kc_open(key, '{');
}

void kc_close_object(void)
{
	kc_close('}');
}

void kc_open_array(const char *key)
{
	kc_open(key, '[');
}

void kc_close_array(void)
{
	kc_close(']');
}

void kc_print_str(enum kc_print t, const char *key, const char *fmt, const char *v)
{
	if (!kc_want(t))
		return;
	if (kc_json) {
		kc_json_member(key);
		kc_json_string(v ? v : "");
	} else {
		printf(fmt, v ? v : "");
	}
}

void kc_print_u64(enum kc_print t, const char *key, const char *fmt, unsigned long long v)
{
	if (!kc_want(t))
		return;
	if (kc_json) {
		kc_json_member(key);
		printf("%llu", v);
	} else {
		printf(fmt, v);
	}
}

void kc_print_s64(enum kc_print t, const char *key, const char *fmt, long long v)
{
	if (!kc_want(t))
		return;
	if (kc_json) {
		kc_json_member(key);
		printf("%lld", v);
	} else {
		printf(fmt, v);
	}
}

void kc_print_bool(enum kc_print t, const char *key, const char *fmt, bool v)
{
	if (!kc_want(t))
		return;
	if (kc_json) {
		kc_json_member(key);
		fputs(v ? "true" : "false", stdout);
	} else {
		printf(fmt, v ? "on" : "off");
	}
}

void kc_print_fixed(enum kc_print t, const char *key, const char *fmt, long long v, int dec)
{
	char buf[48];
	unsigned long long a = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
	unsigned long long p = 1;
	int i;

	if (!kc_want(t))
		return;
	if (dec < 0)
		dec = 0;
	if (dec > 18)
		dec = 18;
	for (i = 0; i < dec; i++)
		p *= 10;
	if (dec > 0)
		snprintf(buf, sizeof(buf), "%s%llu.%0*llu", v < 0 ? "-" : "", a / p, dec, a % p);
	else
		snprintf(buf, sizeof(buf), "%lld", v);
	if (kc_json) {
		kc_json_member(key);
		fputs(buf, stdout);
	} else {
		printf(fmt, buf);
	}
}

void kc_print_null(enum kc_print t, const char *key, const char *fmt)
{
	if (!kc_want(t))
		return;
	if (kc_json) {
		kc_json_member(key);
		fputs("null", stdout);
	} else {
		fputs(fmt, stdout);
	}
}

void kc_print_nl(void)
{
	if (!kc_json)
		putchar('\n');
}

void kc_printf(const char *fmt, ...)
{
	va_list ap;

	if (kc_json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
