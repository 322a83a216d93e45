// SPDX-License-Identifier: MIT
/*
 * libodoo - the utility layer (src/util): memory, the growable buffer,
 * errors, JSON text in and out, reals, clocks and back-off. Used by every
 * other layer (core, sink, aws); uses none of them. Nothing here is part of
 * the public API or ABI. Internal names use the odoo__ prefix.
 *
 * Both libraries (libodoo and libodoo-aws) link these sources with hidden
 * visibility, so none of them is exported.
 */
#ifndef ODOO_UTIL_H
#define ODOO_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#include "odoo/common.h"
#include "odoo/errors.h"

#if defined(__GNUC__) || defined(__clang__)
#  define ODOO__PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define ODOO__PRINTF(fmt, args)
#endif

/* ---- memory (util.c) ---------------------------------------------------- */

void *odoo__malloc(size_t n);
void *odoo__calloc(size_t nmemb, size_t size);
void *odoo__realloc(void *p, size_t n);
char *odoo__strdup(const char *s);
/* Duplicate s, or set *out to NULL for a NULL s. ODOO_ENOMEM on failure. */
int odoo__strdup_opt(char **out, const char *s);
#ifdef ODOO_ALLOC_HOOKS
/* Test-only (tests/torture; built only with the CMake option ODOO_ALLOC_HOOKS):
 * make the n-th allocation from now fail (one failure; n <= 0: none), count
 * the allocations since the last call, and count one allocation, telling
 * whether it must fail (for the torture's own jansson allocator). */
void odoo__set_alloc_fail_after(long n);
long odoo__alloc_calls(void);
int odoo__alloc_should_fail(void);
#endif
/* Overwrite the string's bytes with zeros, then free it. Accepts NULL. */
void odoo__free_secret(char *s);
/* Overwrite n bytes with zeros in a way the compiler cannot drop. */
void odoo__wipe(void *p, size_t n);

/* json_copy() / json_deep_copy() that give NULL, never a partial copy, when
 * an allocation fails (util.c). */
json_t *odoo__json_copy(json_t *v);
json_t *odoo__json_deep_copy(const json_t *v);

/* ---- growable byte buffer (util.c) -------------------------------------- */

typedef struct odoo__buf {
    char *data;
    size_t len;
    size_t cap;
} odoo__buf;

int odoo__buf_reserve(odoo__buf *b, size_t extra);
int odoo__buf_append(odoo__buf *b, const void *data, size_t n);
/* Reset the length to 0 and wipe the old content (the buffer may have held a
 * password). The capacity is kept for reuse. */
void odoo__buf_clear_secret(odoo__buf *b);
void odoo__buf_dispose(odoo__buf *b);
/* Serialise json compactly into b (replacing its content), NUL-terminated. */
int odoo__buf_set_json(odoo__buf *b, const json_t *json);
/* The same with jansson's dump flags (JSON_ENCODE_ANY is always added), e.g.
 * JSON_COMPACT | JSON_SORT_KEYS for a canonical text. */
int odoo__buf_set_json_flags(odoo__buf *b, const json_t *json, size_t flags);

/* Every JSON text above prints its reals with odoo__real_repr(): the
 * shortest text that reads back as the same double (jansson alone prints 17
 * digits). odoo_json_dumps() (public) is the same for the tools and bindings. */

/* ---- reals (util.c) ------------------------------------------------------ */

/* The shortest decimal digits that read back as |v|: digits (no leading or
 * trailing zeros, at most 17, NUL-terminated) and the decimal exponent of the
 * first digit (v = d.ddd x 10^exp10). v must be finite and non-zero. */
void odoo__real_digits(double v, char digits[20], int *exp10);
/* Python's repr(float): "0.1", "100.0", "1e+16", "1.5e-05", "-0.0". */
void odoo__real_repr(double v, char *out, size_t outsz);
/* A plain decimal without exponent ("0.1", "100", "0.000015", "0"), exact for
 * the shortest round-trip digits. Returns ODOO_EINVAL when |v| is outside
 * DynamoDB's number range (1e-130 .. < 1e126), ODOO_OK otherwise. */
int odoo__real_decimal(double v, char *out, size_t outsz);

/* ---- errors (error.c) --------------------------------------------------- */

struct odoo_error {
    int code;
    int http_status;
    int rpc_code;
    int retryable;
    char *klass;
    char *message;
    char *debug;
};

void odoo__error_init(odoo_error *err);
void odoo__error_clear(odoo_error *err);
#define odoo__error_dispose odoo__error_clear
/* Set code and a printf-formatted message; class/debug become "". Returns code. */
int odoo__error_set(odoo_error *err, int code, int http_status, const char *fmt, ...)
    ODOO__PRINTF(4, 5);
int odoo__error_setv(odoo_error *err, int code, int http_status, const char *fmt,
                     va_list ap) ODOO__PRINTF(4, 0);
/* Move src into dst (dst's old content is freed; src is left empty). */
void odoo__error_move(odoo_error *dst, odoo_error *src);
/* Copy code, HTTP status, RPC code, retryable, message and class of src into
 * dst (dst's old content is freed; debug is not copied). */
void odoo__error_copy(odoo_error *dst, const odoo_error *src);
/* Whether an HTTP status means "try again later" (429, 502, 503, 504). */
int odoo__http_status_retryable(int status);

/* ---- JSON decoding (json_parse.c) ---------------------------------------- */

/* What went wrong in odoo__json_parse: a message and the byte offset. */
typedef struct odoo__json_error {
    size_t position;
    char text[96];
} odoo__json_error;

enum { ODOO__JSON_SYNTAX = 1, ODOO__JSON_NOMEM = 2 };

/* Flags of odoo__json_parse(): any value at the top level instead of an object
 * or array (jansson's JSON_DECODE_ANY); refuse an object that repeats a key
 * (JSON_REJECT_DUPLICATES), for texts where an ambiguity matters (secrets). */
enum { ODOO__JSON_ANY = 1, ODOO__JSON_REJECT_DUPLICATES = 2 };

/* The one JSON decoder of network input (Odoo's answers, AWS's answers, the
 * secrets they hold): decode the JSON text buf[0, len) (need not be
 * NUL-terminated) into jansson values, with json_loadb's semantics for the
 * same flags (0 or ODOO__JSON_ANY, | ODOO__JSON_REJECT_DUPLICATES).
 * Returns 0 and a new reference in *out; ODOO__JSON_SYNTAX (malformed input)
 * or ODOO__JSON_NOMEM (an allocation failed) with err filled (may be NULL). */
int odoo__json_parse(const char *buf, size_t len, int flags, json_t **out, odoo__json_error *err);

/* ---- JSON text (json_write.c) ------------------------------------------- */

/* Append v as compact JSON to b: object keys in byte order when sort_keys,
 * strings and integers encoded by jansson, reals in Python's repr form. */
int odoo__json_write(odoo__buf *b, const json_t *v, int sort_keys);

/* odoo__real_digits(), odoo__real_repr(), odoo__real_decimal(): internal.h */

/* Overwrite every string value in v (recursively) with zeros, for JSON that
 * held secrets, before it is released. Keys are left alone. */
void odoo__json_wipe_strings(json_t *v);

/* ---- clocks and back-off (time.c) ------------------------------------------ */

/* Exponential back-off with jitter: the ceiling is min(cap, base*2^attempt);
 * ODOO__JITTER_FULL gives a random delay in [0, ceiling] (AWS's advice for
 * throttling), ODOO__JITTER_EQUAL half the ceiling plus a random part of the
 * other half (a retry never comes right back, e.g. to an Odoo restarting). */
enum { ODOO__JITTER_FULL = 0, ODOO__JITTER_EQUAL = 1 };
long odoo__backoff_ms(unsigned int *rng, int attempt, long base_ms, long cap_ms, int jitter);
unsigned int odoo__rng_next(unsigned int *state);
unsigned int odoo__rng_seed(const void *salt);
long long odoo__now_ms(void);   /* monotonic */
long long odoo__unix_now(void); /* wall clock, seconds */
void odoo__sleep_ms(long ms);

/* ---- libcurl answers (curl.c) ---------------------------------------------- */

/* Where a libcurl transfer's answer goes: the one write callback of the
 * libraries appends it to buf, and stops the transfer (CURLE_WRITE_ERROR)
 * when it would grow past cap bytes or an allocation fails. */
typedef struct odoo__curl_body {
    odoo__buf *buf;  /* borrowed: the answer's bytes */
    size_t cap;      /* the most bytes kept; 0: no cap */
    size_t received; /* bytes libcurl handed over in this transfer, also past the cap */
    int over_cap;    /* the cap stopped the transfer */
    int nomem;       /* an allocation failure stopped the transfer */
} odoo__curl_body;

/* Set h's write callback to the one collector, writing into body (which must
 * outlive the transfers); resets body's counters and flags. */
CURLcode odoo__curl_collect(CURL *h, odoo__curl_body *body);
/* The write callback itself (libcurl's CURLOPT_WRITEFUNCTION signature), for
 * the fuzz target that drives it without a network. */
size_t odoo__curl_write(char *ptr, size_t size, size_t nmemb, void *userdata);
/* Reset the counters and flags before a transfer (the buffer is the caller's). */
void odoo__curl_body_reset(odoo__curl_body *body);

#endif /* ODOO_UTIL_H */
