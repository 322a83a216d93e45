/*
 * libodoo - JSON text for the sinks: a compact encoder with sorted keys that
 * prints reals the way Odoo (Python) does, and the decimal forms of reals.
 *
 * Strings, integers, true/false/null are encoded by jansson itself
 * (json_dump_callback with JSON_ENCODE_ANY): UTF-8 is kept as it is, control
 * characters are escaped. Only reals are printed here, because jansson prints
 * them with 17 significant digits ("0.10000000000000001") where Odoo sent
 * "0.1".
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink_internal.h"

/* ---- reals ------------------------------------------------------------------ */

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
        if (e >= 0) {
            if (nd <= e + 1) {
                at = put_chars(out, outsz, at, digits, (size_t)nd);
                at = put_zeros(out, outsz, at, e + 1 - nd);
                put_chars(out, outsz, at, ".0", 2);
            } else {
                at = put_chars(out, outsz, at, digits, (size_t)e + 1);
                at = put_chars(out, outsz, at, ".", 1);
                put_chars(out, outsz, at, digits + e + 1, (size_t)(nd - e - 1));
            }
        } else {
            at = put_chars(out, outsz, at, "0.", 2);
            at = put_zeros(out, outsz, at, -e - 1);
            put_chars(out, outsz, at, digits, (size_t)nd);
        }
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
    if (e >= 0) {
        if (nd <= e + 1) {
            at = put_chars(out, outsz, at, digits, (size_t)nd);
            put_zeros(out, outsz, at, e + 1 - nd);
        } else {
            at = put_chars(out, outsz, at, digits, (size_t)e + 1);
            at = put_chars(out, outsz, at, ".", 1);
            put_chars(out, outsz, at, digits + e + 1, (size_t)(nd - e - 1));
        }
    } else {
        at = put_chars(out, outsz, at, "0.", 2);
        at = put_zeros(out, outsz, at, -e - 1);
        put_chars(out, outsz, at, digits, (size_t)nd);
    }
    return ODOO_OK;
}

/* ---- the encoder ------------------------------------------------------------ */

static int buf_cb(const char *buffer, size_t size, void *data)
{
    return odoo__buf_append(data, buffer, size) == ODOO_OK ? 0 : -1;
}

static int cmp_keys(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(*x, *y);
}

static int write_string(odoo__buf *b, const char *s, size_t len)
{
    json_t *tmp = json_stringn_nocheck(s, len);
    int rc;
    if (!tmp)
        return ODOO_ENOMEM;
    rc = json_dump_callback(tmp, buf_cb, b, JSON_ENCODE_ANY | JSON_COMPACT) == 0
             ? ODOO_OK
             : ODOO_ENOMEM;
    json_decref(tmp);
    return rc;
}

static int write_value(odoo__buf *b, const json_t *v, int sort_keys, int depth)
{
    if (depth > 2048)
        return ODOO_EINVAL;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        const char **keys;
        const char *key;
        json_t *member;
        int rc = ODOO_OK;
        if (n == 0)
            return odoo__buf_append(b, "{}", 2);
        keys = odoo__malloc(n * sizeof(*keys));
        if (!keys)
            return ODOO_ENOMEM;
        /* the const is jansson's: json_object_foreach takes a json_t * */
        json_object_foreach((json_t *)(uintptr_t)v, key, member) {
            (void)member;
            keys[i++] = key;
        }
        if (sort_keys)
            qsort(keys, n, sizeof(*keys), cmp_keys);
        rc = odoo__buf_append(b, "{", 1);
        for (i = 0; rc == ODOO_OK && i < n; i++) {
            if (i)
                rc = odoo__buf_append(b, ",", 1);
            if (rc == ODOO_OK)
                rc = write_string(b, keys[i], strlen(keys[i]));
            if (rc == ODOO_OK)
                rc = odoo__buf_append(b, ":", 1);
            if (rc == ODOO_OK)
                rc = write_value(b, json_object_get(v, keys[i]), sort_keys, depth + 1);
        }
        if (rc == ODOO_OK)
            rc = odoo__buf_append(b, "}", 1);
        free(keys);
        return rc;
    }
    case JSON_ARRAY: {
        size_t i, n = json_array_size(v);
        int rc = odoo__buf_append(b, "[", 1);
        for (i = 0; rc == ODOO_OK && i < n; i++) {
            if (i)
                rc = odoo__buf_append(b, ",", 1);
            if (rc == ODOO_OK)
                rc = write_value(b, json_array_get(v, i), sort_keys, depth + 1);
        }
        return rc == ODOO_OK ? odoo__buf_append(b, "]", 1) : rc;
    }
    case JSON_REAL: {
        char tmp[64];
        odoo__real_repr(json_real_value(v), tmp, sizeof(tmp));
        return odoo__buf_append(b, tmp, strlen(tmp));
    }
    default:
        return json_dump_callback(v, buf_cb, b, JSON_ENCODE_ANY | JSON_COMPACT) == 0
                   ? ODOO_OK
                   : ODOO_ENOMEM;
    }
}

int odoo__json_write(odoo__buf *b, const json_t *v, int sort_keys)
{
    if (!v)
        return ODOO_EINVAL;
    return write_value(b, v, sort_keys, 0);
}

void odoo__json_wipe_strings(json_t *v)
{
    const char *key;
    json_t *member;
    size_t i;
    if (!v)
        return;
    switch (json_typeof(v)) {
    case JSON_STRING:
        /* jansson keeps the string in a buffer of its own; overwrite it in place
         * (the value is about to be released) */
        odoo__wipe((char *)(uintptr_t)json_string_value(v), json_string_length(v));
        break;
    case JSON_OBJECT:
        json_object_foreach(v, key, member)
            odoo__json_wipe_strings(member);
        break;
    case JSON_ARRAY:
        for (i = 0; i < json_array_size(v); i++)
            odoo__json_wipe_strings(json_array_get(v, i));
        break;
    default:
        break;
    }
}
