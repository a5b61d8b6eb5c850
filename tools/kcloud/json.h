/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcloud: output that is text or JSON from one set of calls, as iproute2
 * prints. In text mode the fmt string is printed with the value; in JSON mode
 * (kcloud -j) the key and the value are emitted and fmt is ignored.
 *
 *	kc_out_start();				   // once, before any output
 *	kc_open_array(NULL);			   // top-level list of objects
 *	kc_open_object(NULL);
 *	kc_print_str(KC_ANY, "name", "vpc %s ", name);
 *	kc_print_u64(KC_ANY, "vni", "vni %llu", vni);
 *	kc_print_nl();				   // newline in text mode only
 *	kc_close_object();
 *	kc_close_array();
 *	kc_out_end();
 */
#ifndef KCLOUD_JSON_H
#define KCLOUD_JSON_H

#include <stdbool.h>
#include <stdint.h>

enum kc_print {
	KC_TEXT,	/* text mode only */
	KC_JSON,	/* JSON mode only */
	KC_ANY,		/* both */
};

void kc_out_start(void);
void kc_out_end(void);
void kc_open_object(const char *key);
void kc_close_object(void);
void kc_open_array(const char *key);
void kc_close_array(void);
void kc_print_str(enum kc_print t, const char *key, const char *fmt, const char *v);
void kc_print_u64(enum kc_print t, const char *key, const char *fmt, unsigned long long v);
void kc_print_s64(enum kc_print t, const char *key, const char *fmt, long long v);
void kc_print_bool(enum kc_print t, const char *key, const char *fmt, bool v);
/*
 * A number with a fixed number of decimals (e.g. money): v / 10^dec (dec 0..18).
 * In text mode fmt receives the number as a string (%s).
 */
void kc_print_fixed(enum kc_print t, const char *key, const char *fmt,
		    long long v, int dec);
void kc_print_null(enum kc_print t, const char *key, const char *fmt);
void kc_print_nl(void);
/* Forget any object or array a failed command left open (batch mode). */
void kc_json_reset(void);
/* Text-mode only free text. */
void kc_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* KCLOUD_JSON_H */
