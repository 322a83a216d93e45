// SPDX-License-Identifier: MIT
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The reals themselves are printed by odoo__real_repr() (src/util/util.c), the
 * formatter of every JSON text the project writes. */

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
