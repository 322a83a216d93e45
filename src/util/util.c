// SPDX-License-Identifier: MIT
/*
 * libodoo - memory helpers, JSON copies, the growable buffer, reals.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#ifdef ODOO_ALLOC_HOOKS
/* Test-only allocation-failure injection (tests/torture), compiled only with
 * -DODOO_ALLOC_HOOKS (the CMake option of the same name, never in release
 * builds). Not thread-safe: the torture programs are single-threaded. */
static long alloc_fail_at = 0; /* fail the n-th allocation from now; 0: never */
static long alloc_calls = 0;

void odoo__set_alloc_fail_after(long n)
{
    alloc_fail_at = n > 0 ? n : 0;
    alloc_calls = 0;
}

long odoo__alloc_calls(void)
{
    return alloc_calls;
}

int odoo__alloc_should_fail(void)
{
    alloc_calls++;
    return alloc_fail_at > 0 && alloc_calls == alloc_fail_at;
}
#  define ALLOC_FAILS() odoo__alloc_should_fail()
#else
#  define ALLOC_FAILS() 0
#endif

void *odoo__malloc(size_t n)
{
    if (ALLOC_FAILS())
        return NULL;
    return malloc(n ? n : 1);
}

void *odoo__calloc(size_t nmemb, size_t size)
{
    if (ALLOC_FAILS())
        return NULL;
    return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *odoo__realloc(void *p, size_t n)
{
    if (ALLOC_FAILS())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *odoo__strdup(const char *s)
{
    size_t n;
    char *d;
    if (!s)
        return NULL;
    n = strlen(s) + 1;
    d = odoo__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int odoo__strdup_opt(char **out, const char *s)
{
    *out = NULL;
    if (!s)
        return ODOO_OK;
    *out = odoo__strdup(s);
    return *out ? ODOO_OK : ODOO_ENOMEM;
}

void odoo__wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

void odoo__free_secret(char *s)
{
    if (!s)
        return;
    odoo__wipe(s, strlen(s));
    free(s);
}

/* ---- JSON copies ------------------------------------------------------------ */

/* jansson's json_copy() (and, depending on its version, json_deep_copy())
 * skips the members it cannot allocate and still returns the copy: out of
 * memory, a request could go out without its "domain" or "order". These
 * return NULL instead of a partial copy. json_equal() allocates nothing. */
json_t *odoo__json_copy(json_t *v)
{
    json_t *c = json_copy(v);
    if (c && !json_equal(c, v)) {
        json_decref(c);
        return NULL;
    }
    return c;
}

json_t *odoo__json_deep_copy(const json_t *v)
{
    json_t *c = json_deep_copy(v);
    if (c && !json_equal(c, v)) {
        json_decref(c);
        return NULL;
    }
    return c;
}

/* ---- buffer ---------------------------------------------------------------- */

int odoo__buf_reserve(odoo__buf *b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (extra > SIZE_MAX - b->len - 1)
        return ODOO_ENOMEM;
    need = b->len + extra + 1; /* room for a terminating NUL */
    if (need <= b->cap)
        return ODOO_OK;
    cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = odoo__realloc(b->data, cap);
    if (!p)
        return ODOO_ENOMEM;
    b->data = p;
    b->cap = cap;
    return ODOO_OK;
}

int odoo__buf_append(odoo__buf *b, const void *data, size_t n)
{
    if (odoo__buf_reserve(b, n) != ODOO_OK)
        return ODOO_ENOMEM;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return ODOO_OK;
}

void odoo__buf_clear_secret(odoo__buf *b)
{
    if (b->data)
        odoo__wipe(b->data, b->len);
    b->len = 0;
}

void odoo__buf_dispose(odoo__buf *b)
{
    if (b->data) {
        odoo__wipe(b->data, b->cap);
        free(b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- reals: the shortest text that reads back as the same double --------- */

/* Every JSON text the project writes prints its reals here: jansson prints
 * them with 17 significant digits ("615.84000000000003" where Odoo sent
 * "615.84"). snprintf()/strtod() follow LC_NUMERIC, but only digits and the
 * exponent are taken from their text, and both use the same locale, so the
 * result does not depend on it. */

/* The shortest p (1..17) for which v printed with p significant digits reads
 * back as v, and those digits. Rather than trying p = 1, 2, ... (up to 17
 * snprintf + strtod pairs), print 15 digits first: every decimal of at most
 * 15 significant digits is within half a unit of the 15th digit of the double
 * nearest to it, so when the shortest form has p <= 15 digits, the 15-digit
 * form is exactly it followed by zeros (which are cut below), and it reads
 * back. Only when it does not are 16, then 17 digits needed. Same result as
 * the loop (test_real_digits_same_as_plain_search; also checked on millions
 * of random doubles), in one or two conversions. */
void odoo__real_digits(double v, char digits[20], int *exp10)
{
    char buf[40] = "0e+00";
    int p, n = 0;
    const char *s;
    v = fabs(v);
    /* subnormals carry fewer digits than that: the plain search */
    for (p = v < DBL_MIN ? 1 : 15; p <= 17; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* buf is "d.ddde[+-]XX" (or "de[+-]XX" for one digit) */
    for (s = buf; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && n < 19)
            digits[n++] = *s;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = *s == 'e' ? atoi(s + 1) : 0;
}

static size_t put_chars(char *out, size_t outsz, size_t at, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++, at++)
        if (at + 1 < outsz)
            out[at] = s[i];
    if (outsz)
        out[at < outsz ? at : outsz - 1] = '\0';
    return at;
}

static size_t put_zeros(char *out, size_t outsz, size_t at, int n)
{
    for (; n > 0; n--)
        at = put_chars(out, outsz, at, "0", 1);
    return at;
}

/* The @p nd significant @p digits of exponent @p e without an exponent:
 * "123400", "12.34", "0.001234"; with @p point_zero a whole number ends in ".0". */
static size_t put_positional(char *out, size_t outsz, size_t at, const char *digits, int nd,
                             int e, int point_zero)
{
    if (e < 0) {
        at = put_chars(out, outsz, at, "0.", 2);
        at = put_zeros(out, outsz, at, -e - 1);
        return put_chars(out, outsz, at, digits, (size_t)nd);
    }
    if (nd <= e + 1) {
        at = put_chars(out, outsz, at, digits, (size_t)nd);
        at = put_zeros(out, outsz, at, e + 1 - nd);
        return point_zero ? put_chars(out, outsz, at, ".0", 2) : at;
    }
    at = put_chars(out, outsz, at, digits, (size_t)e + 1);
    at = put_chars(out, outsz, at, ".", 1);
    return put_chars(out, outsz, at, digits + e + 1, (size_t)(nd - e - 1));
}

void odoo__real_repr(double v, char *out, size_t outsz)
{
    char digits[20] = {0};
    int e, nd;
    size_t at = 0;
    if (!outsz)
        return;
    out[0] = '\0';
    if (v == 0.0) {
        put_chars(out, outsz, 0, signbit(v) ? "-0.0" : "0.0", signbit(v) ? 4 : 3);
        return;
    }
    odoo__real_digits(v, digits, &e);
    nd = (int)strlen(digits);
    if (v < 0)
        at = put_chars(out, outsz, at, "-", 1);
    if (e >= -4 && e < 16) {
        put_positional(out, outsz, at, digits, nd, e, 1);
    } else {
        char ebuf[16];
        at = put_chars(out, outsz, at, digits, 1);
        if (nd > 1) {
            at = put_chars(out, outsz, at, ".", 1);
            at = put_chars(out, outsz, at, digits + 1, (size_t)nd - 1);
        }
        snprintf(ebuf, sizeof(ebuf), "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        put_chars(out, outsz, at, ebuf, strlen(ebuf));
    }
}

int odoo__real_decimal(double v, char *out, size_t outsz)
{
    char digits[20] = {0};
    int e, nd;
    size_t at = 0;
    if (!outsz)
        return ODOO_EINVAL;
    out[0] = '\0';
    if (v == 0.0) {
        put_chars(out, outsz, 0, "0", 1);
        return ODOO_OK;
    }
    odoo__real_digits(v, digits, &e);
    /* DynamoDB: magnitudes from 1E-130 to 9.99...E+125 */
    if (e > 125 || e < -130)
        return ODOO_EINVAL;
    nd = (int)strlen(digits);
    if (v < 0)
        at = put_chars(out, outsz, at, "-", 1);
    put_positional(out, outsz, at, digits, nd, e, 0);
    return ODOO_OK;
}

/* jansson 2.14's writer does not check a failed write of an object's key:
 * with a writer callback that can fail (out of memory), json_dump_callback()
 * goes on and returns 0, leaving a text without that key (`{:"2.0",...}`;
 * found by tests/torture). json_dumpb() writes into a buffer given in
 * advance and never fails a write: it first tells the size, then fills an
 * exact buffer, so a text it returns is whole. */
int odoo__buf_set_json(odoo__buf *b, const json_t *json)
{
    return odoo__buf_set_json_flags(b, json, JSON_COMPACT);
}

/* A real of jansson's text (%.17g, so exact) back to its double, whatever
 * the locale's decimal point. 0 when the token is not a number. */
static int token_to_double(const char *tok, size_t n, double *out)
{
    char tmp[64], *end;
    const char *dp = localeconv()->decimal_point;
    size_t i, j = 0, dpl = dp && *dp ? strlen(dp) : 1;
    for (i = 0; i < n; i++) {
        if (tok[i] == '.') {
            if (j + dpl >= sizeof(tmp))
                return 0;
            memcpy(tmp + j, dp && *dp ? dp : ".", dpl);
            j += dpl;
        } else {
            if (j + 1 >= sizeof(tmp))
                return 0;
            tmp[j++] = tok[i];
        }
    }
    tmp[j] = '\0';
    *out = strtod(tmp, &end);
    return end == tmp + j;
}

/* Reprint every real of a JSON text in b (written by jansson) in its
 * shortest form, odoo__real_repr(). A number token is a real when it has a
 * '.' or an exponent: jansson prints integers as plain digits and always adds
 * ".0" to a real that would look like one. Strings are skipped, escapes
 * included. The text is copied only when it holds a real; the old buffer is
 * wiped (it may hold a password). */
static int shortest_reals(odoo__buf *b)
{
    odoo__buf out = {0};
    size_t i = 0, done = 0;
    int in_string = 0;
    while (i < b->len) {
        char ch = b->data[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = 0;
            i++;
        } else if (ch == '"') {
            in_string = 1;
            i++;
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t start = i;
            int real = 0;
            double v;
            char text[40];
            while (i < b->len && b->data[i] && strchr("0123456789+-.eE", b->data[i])) {
                real |= b->data[i] == '.' || b->data[i] == 'e' || b->data[i] == 'E';
                i++;
            }
            if (!real || !token_to_double(b->data + start, i - start, &v) || !isfinite(v))
                continue;
            odoo__real_repr(v, text, sizeof(text));
            if (odoo__buf_append(&out, b->data + done, start - done) != ODOO_OK
                || odoo__buf_append(&out, text, strlen(text)) != ODOO_OK) {
                odoo__buf_dispose(&out);
                odoo__buf_clear_secret(b);
                return ODOO_ENOMEM;
            }
            done = i;
        } else {
            i++;
        }
    }
    if (!out.data)
        return ODOO_OK; /* no real: the text stays as it is */
    if (odoo__buf_append(&out, b->data + done, b->len - done) != ODOO_OK) {
        odoo__buf_dispose(&out);
        odoo__buf_clear_secret(b);
        return ODOO_ENOMEM;
    }
    odoo__buf_dispose(b);
    *b = out;
    return ODOO_OK;
}

int odoo__buf_set_json_flags(odoo__buf *b, const json_t *json, size_t flags)
{
    size_t need, got;
    /* 17 digits, exact: shortest_reals() then prints the shortest form */
    flags &= ~(size_t)JSON_REAL_PRECISION(0x1F);
    flags |= JSON_ENCODE_ANY;
    b->len = 0;
    if (odoo__buf_reserve(b, 0) != ODOO_OK)
        return ODOO_ENOMEM;
    b->data[0] = '\0';
    need = json_dumpb(json, NULL, 0, flags);
    if (need == 0 || odoo__buf_reserve(b, need) != ODOO_OK)
        return ODOO_ENOMEM;
    got = json_dumpb(json, b->data, need, flags);
    if (got != need) {
        odoo__buf_clear_secret(b); /* what was written may hold a secret */
        return ODOO_ENOMEM;
    }
    b->len = need;
    b->data[need] = '\0';
    return shortest_reals(b);
}
