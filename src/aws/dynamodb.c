// SPDX-License-Identifier: MIT
/*
 * libodoo - the DynamoDB client (any operation, CreateTable, DescribeTable,
 * Scan) and the JSON <-> DynamoDB attribute value mapping.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_internal.h"

/* ---- the mapping ------------------------------------------------------------------ */

#define ODOO__MAX_DEPTH 256

static int from_json(json_t **out, const json_t *v, int depth)
{
    json_t *inner = NULL;
    const char *tag;
    *out = NULL;
    if (depth > ODOO__MAX_DEPTH)
        return ODOO_EINVAL;
    switch (json_typeof(v)) {
    case JSON_STRING:
        tag = "S";
        inner = json_stringn_nocheck(json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER: {
        char buf[32];
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        tag = "N";
        inner = json_string(buf);
        break;
    }
    case JSON_REAL: {
        char buf[200];
        if (odoo__real_decimal(json_real_value(v), buf, sizeof(buf)) != ODOO_OK)
            return ODOO_EINVAL;
        tag = "N";
        inner = json_string(buf);
        break;
    }
    case JSON_TRUE:
    case JSON_FALSE:
        tag = "BOOL";
        inner = json_boolean(json_is_true(v));
        break;
    case JSON_NULL:
        tag = "NULL";
        inner = json_true();
        break;
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        tag = "M";
        inner = json_object();
        if (!inner)
            return ODOO_ENOMEM;
        json_object_foreach((json_t *)(uintptr_t)v, key, member) {
            json_t *a;
            int rc = from_json(&a, member, depth + 1);
            if (rc != ODOO_OK || json_object_set_new(inner, key, a) != 0) {
                json_decref(inner);
                return rc != ODOO_OK ? rc : ODOO_ENOMEM;
            }
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        tag = "L";
        inner = json_array();
        if (!inner)
            return ODOO_ENOMEM;
        for (i = 0; i < json_array_size(v); i++) {
            json_t *a;
            int rc = from_json(&a, json_array_get(v, i), depth + 1);
            if (rc != ODOO_OK || json_array_append_new(inner, a) != 0) {
                json_decref(inner);
                return rc != ODOO_OK ? rc : ODOO_ENOMEM;
            }
        }
        break;
    }
    default:
        return ODOO_EINVAL;
    }
    if (!inner)
        return ODOO_ENOMEM;
    *out = json_object();
    if (!*out || json_object_set_new(*out, tag, inner) != 0) {
        json_decref(*out);
        *out = NULL;
        return ODOO_ENOMEM;
    }
    return ODOO_OK;
}

typedef int (*convert_fn)(json_t **out, const json_t *v, int depth);
static int convert_api(json_t **out, const json_t *v, convert_fn convert, int members);

int odoo_dynamodb_attr_from_json(json_t **out, const json_t *value)
{
    return convert_api(out, value, from_json, 0);
}

/* ---- the mapping straight to text ---------------------------------------------------- */

size_t odoo__int_text(json_int_t v, char out[24])
{
    char tmp[24];
    unsigned long long u;
    size_t n = 0, i = 0;
    if (v < 0) {
        out[i++] = '-';
        u = 0ULL - (unsigned long long)v;
    } else {
        u = (unsigned long long)v;
    }
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        out[i++] = tmp[--n];
    out[i] = '\0';
    return i;
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when invalid: the
 * checks of jansson's utf8_check_full (no overlong forms, no surrogates,
 * nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned int c = p[0], cp;
    size_t len, i;
    if (c < 0xC2 || c > 0xF4)
        return 0; /* continuation byte, overlong 2-byte lead, or beyond U+10FFFF */
    len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n < len)
        return 0;
    cp = c & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF
        || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int odoo__json_string_write(odoo__buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *run;
    /* worst case 6 bytes a byte, but reserve as we go for long strings */
    if (odoo__buf_reserve(b, n + 2) != ODOO_OK)
        return ODOO_ENOMEM;
    b->data[b->len++] = '"';
    while (p < end) {
        run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        if (p > run && odoo__buf_append(b, run, (size_t)(p - run)) != ODOO_OK)
            return ODOO_ENOMEM;
        if (p == end)
            break;
        if (*p >= 0x80) {
            size_t l = utf8_len(p, (size_t)(end - p));
            if (!l)
                return ODOO_EINVAL;
            if (odoo__buf_append(b, p, l) != ODOO_OK)
                return ODOO_ENOMEM;
            p += l;
            continue;
        }
        {
            char esc[6] = {'\\', 0, 0, 0, 0, 0};
            size_t el = 2;
            switch (*p) {
            case '"': esc[1] = '"'; break;
            case '\\': esc[1] = '\\'; break;
            case '\b': esc[1] = 'b'; break;
            case '\f': esc[1] = 'f'; break;
            case '\n': esc[1] = 'n'; break;
            case '\r': esc[1] = 'r'; break;
            case '\t': esc[1] = 't'; break;
            default:
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = hex[*p >> 4];
                esc[5] = hex[*p & 15];
                el = 6;
            }
            if (odoo__buf_append(b, esc, el) != ODOO_OK)
                return ODOO_ENOMEM;
            p++;
        }
    }
    return odoo__buf_append(b, "\"", 1);
}

#define PUT_LIT(b, lit)                                                       \
    do {                                                                      \
        if (odoo__buf_append((b), (lit), sizeof(lit) - 1) != ODOO_OK)         \
            return ODOO_ENOMEM;                                               \
    } while (0)

static int write_attr(odoo__buf *b, const json_t *v, size_t *size, int depth)
{
    int rc;
    if (depth > ODOO__MAX_DEPTH)
        return ODOO_EINVAL;
    switch (json_typeof(v)) {
    case JSON_STRING:
        PUT_LIT(b, "{\"S\":");
        rc = odoo__json_string_write(b, json_string_value(v), json_string_length(v));
        if (rc != ODOO_OK)
            return rc;
        *size += json_string_length(v);
        return odoo__buf_append(b, "}", 1);
    case JSON_INTEGER: {
        char t[24];
        size_t n = odoo__int_text(json_integer_value(v), t);
        PUT_LIT(b, "{\"N\":\"");
        if (odoo__buf_append(b, t, n) != ODOO_OK)
            return ODOO_ENOMEM;
        *size += odoo__dynamodb_number_size(t);
        return odoo__buf_append(b, "\"}", 2);
    }
    case JSON_REAL: {
        char t[200];
        if (odoo__real_decimal(json_real_value(v), t, sizeof(t)) != ODOO_OK)
            return ODOO_EINVAL;
        PUT_LIT(b, "{\"N\":\"");
        if (odoo__buf_append(b, t, strlen(t)) != ODOO_OK)
            return ODOO_ENOMEM;
        *size += odoo__dynamodb_number_size(t);
        return odoo__buf_append(b, "\"}", 2);
    }
    case JSON_TRUE:
        PUT_LIT(b, "{\"BOOL\":true}");
        *size += 1;
        return ODOO_OK;
    case JSON_FALSE:
        PUT_LIT(b, "{\"BOOL\":false}");
        *size += 1;
        return ODOO_OK;
    case JSON_NULL:
        PUT_LIT(b, "{\"NULL\":true}");
        *size += 1;
        return ODOO_OK;
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        int first = 1;
        PUT_LIT(b, "{\"M\":{");
        *size += 3;
        json_object_foreach((json_t *)(uintptr_t)v, key, member) {
            size_t kl = strlen(key);
            if (!first && odoo__buf_append(b, ",", 1) != ODOO_OK)
                return ODOO_ENOMEM;
            first = 0;
            if ((rc = odoo__json_string_write(b, key, kl)) != ODOO_OK
                || (rc = odoo__buf_append(b, ":", 1)) != ODOO_OK
                || (rc = write_attr(b, member, size, depth + 1)) != ODOO_OK)
                return rc;
            *size += 1 + kl;
        }
        PUT_LIT(b, "}}");
        return ODOO_OK;
    }
    case JSON_ARRAY: {
        size_t i, n = json_array_size(v);
        PUT_LIT(b, "{\"L\":[");
        *size += 3;
        for (i = 0; i < n; i++) {
            if (i && odoo__buf_append(b, ",", 1) != ODOO_OK)
                return ODOO_ENOMEM;
            rc = write_attr(b, json_array_get(v, i), size, depth + 1);
            if (rc != ODOO_OK)
                return rc;
            *size += 1;
        }
        PUT_LIT(b, "]}");
        return ODOO_OK;
    }
    default:
        return ODOO_EINVAL;
    }
}

int odoo__dynamodb_attr_write(odoo__buf *b, const json_t *v, size_t *size)
{
    if (!v)
        return ODOO_EINVAL;
    return write_attr(b, v, size, 0);
}

static json_t *number_from_text(const char *s)
{
    const char *p = s;
    char *end;
    if (*p == '-' || *p == '+')
        p++;
    if (*p && strspn(p, "0123456789") == strlen(p)) {
        long long n;
        errno = 0;
        n = strtoll(s, &end, 10);
        if (errno == 0 && *end == '\0')
            return json_integer((json_int_t)n);
    }
    {
        double d;
        errno = 0;
        d = strtod(s, &end);
        if (end == s || *end != '\0')
            return NULL;
        return json_real(d);
    }
}

static int to_json(json_t **out, const json_t *attr, int depth)
{
    const char *tag;
    json_t *inner;
    *out = NULL;
    if (depth > ODOO__MAX_DEPTH || !json_is_object(attr) || json_object_size(attr) != 1)
        return ODOO_EINVAL;
    {
        void *it = json_object_iter((json_t *)(uintptr_t)attr);
        tag = json_object_iter_key(it);
        inner = json_object_iter_value(it);
    }
    if (strcmp(tag, "S") == 0 || strcmp(tag, "B") == 0) {
        if (!json_is_string(inner))
            return ODOO_EINVAL;
        *out = json_stringn_nocheck(json_string_value(inner), json_string_length(inner));
    } else if (strcmp(tag, "N") == 0) {
        if (!json_is_string(inner))
            return ODOO_EINVAL;
        *out = number_from_text(json_string_value(inner));
        if (!*out)
            return ODOO_EINVAL;
    } else if (strcmp(tag, "BOOL") == 0) {
        if (!json_is_boolean(inner))
            return ODOO_EINVAL;
        *out = json_boolean(json_is_true(inner));
    } else if (strcmp(tag, "NULL") == 0) {
        *out = json_null();
    } else if (strcmp(tag, "M") == 0) {
        const char *key;
        json_t *member;
        if (!json_is_object(inner))
            return ODOO_EINVAL;
        *out = json_object();
        if (!*out)
            return ODOO_ENOMEM;
        json_object_foreach(inner, key, member) {
            json_t *v;
            int rc = to_json(&v, member, depth + 1);
            if (rc != ODOO_OK || json_object_set_new(*out, key, v) != 0) {
                json_decref(*out);
                *out = NULL;
                return rc != ODOO_OK ? rc : ODOO_ENOMEM;
            }
        }
    } else if (strcmp(tag, "L") == 0) {
        size_t i;
        if (!json_is_array(inner))
            return ODOO_EINVAL;
        *out = json_array();
        if (!*out)
            return ODOO_ENOMEM;
        for (i = 0; i < json_array_size(inner); i++) {
            json_t *v;
            int rc = to_json(&v, json_array_get(inner, i), depth + 1);
            if (rc != ODOO_OK || json_array_append_new(*out, v) != 0) {
                json_decref(*out);
                *out = NULL;
                return rc != ODOO_OK ? rc : ODOO_ENOMEM;
            }
        }
    } else if (strcmp(tag, "SS") == 0 || strcmp(tag, "NS") == 0 || strcmp(tag, "BS") == 0) {
        size_t i;
        int numbers = tag[0] == 'N';
        if (!json_is_array(inner))
            return ODOO_EINVAL;
        *out = json_array();
        if (!*out)
            return ODOO_ENOMEM;
        for (i = 0; i < json_array_size(inner); i++) {
            json_t *e = json_array_get(inner, i), *v;
            if (!json_is_string(e)) {
                json_decref(*out);
                *out = NULL;
                return ODOO_EINVAL;
            }
            v = numbers ? number_from_text(json_string_value(e))
                        : json_string(json_string_value(e));
            if (!v || json_array_append_new(*out, v) != 0) {
                json_decref(*out);
                *out = NULL;
                return ODOO_EINVAL;
            }
        }
    } else {
        return ODOO_EINVAL;
    }
    return *out ? ODOO_OK : ODOO_ENOMEM;
}

int odoo_dynamodb_attr_to_json(json_t **out, const json_t *attr)
{
    return convert_api(out, attr, to_json, 0);
}

/* The public conversions: @p v converted by @p convert (from_json or to_json)
 * into a new *out; with @p members, the object @p v member by member (at
 * depth 1) into a new object. */
static int convert_api(json_t **out, const json_t *v, convert_fn convert, int members)
{
    const char *key;
    json_t *member;
    if (!out)
        return ODOO_EINVAL;
    *out = NULL;
    if (!v || (members && !json_is_object(v)))
        return ODOO_EINVAL;
    if (!members)
        return convert(out, v, 0);
    *out = json_object();
    if (!*out)
        return ODOO_ENOMEM;
    json_object_foreach((json_t *)(uintptr_t)v, key, member) {
        json_t *conv;
        int rc = convert(&conv, member, 1);
        if (rc != ODOO_OK || json_object_set_new(*out, key, conv) != 0) {
            json_decref(*out);
            *out = NULL;
            return rc != ODOO_OK ? rc : ODOO_ENOMEM;
        }
    }
    return ODOO_OK;
}

int odoo_dynamodb_item_from_json(json_t **out, const json_t *record)
{
    return convert_api(out, record, from_json, 1);
}

int odoo_dynamodb_item_to_json(json_t **out, const json_t *item)
{
    return convert_api(out, item, to_json, 1);
}

/* The size of a number: about one byte per two significant digits, plus one. */
#define number_size odoo__dynamodb_number_size
size_t odoo__dynamodb_number_size(const char *s)
{
    size_t digits = 0, lead = 1, trailing_zeros = 0;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (lead && *s == '0')
            continue;
        lead = 0;
        digits++;
        trailing_zeros = *s == '0' ? trailing_zeros + 1 : 0;
    }
    digits -= trailing_zeros;
    return (digits + 1) / 2 + 1;
}

size_t odoo__dynamodb_value_size(const json_t *attr)
{
    const char *tag;
    json_t *inner;
    void *it;
    if (!json_is_object(attr) || json_object_size(attr) != 1)
        return 0;
    it = json_object_iter((json_t *)(uintptr_t)attr);
    tag = json_object_iter_key(it);
    inner = json_object_iter_value(it);
    if (strcmp(tag, "S") == 0)
        return json_string_length(inner);
    if (strcmp(tag, "N") == 0)
        return json_is_string(inner) ? number_size(json_string_value(inner)) : 0;
    if (strcmp(tag, "B") == 0)
        return json_string_length(inner) * 3 / 4;
    if (strcmp(tag, "BOOL") == 0 || strcmp(tag, "NULL") == 0)
        return 1;
    if (strcmp(tag, "M") == 0) {
        const char *key;
        json_t *member;
        size_t n = 3;
        json_object_foreach(inner, key, member)
            n += 1 + strlen(key) + odoo__dynamodb_value_size(member);
        return n;
    }
    if (strcmp(tag, "L") == 0) {
        size_t i, n = 3;
        for (i = 0; i < json_array_size(inner); i++)
            n += 1 + odoo__dynamodb_value_size(json_array_get(inner, i));
        return n;
    }
    if (strcmp(tag, "SS") == 0 || strcmp(tag, "NS") == 0 || strcmp(tag, "BS") == 0) {
        size_t i, n = 0;
        for (i = 0; i < json_array_size(inner); i++) {
            const char *s = json_string_value(json_array_get(inner, i));
            if (!s)
                continue;
            n += tag[0] == 'S'   ? strlen(s)
                 : tag[0] == 'N' ? number_size(s)
                                 : strlen(s) * 3 / 4;
        }
        return n;
    }
    return 0;
}

size_t odoo_dynamodb_item_size(const json_t *item)
{
    const char *key;
    json_t *member;
    size_t n = 0;
    if (!item || !json_is_object(item))
        return 0;
    json_object_foreach((json_t *)(uintptr_t)item, key, member)
        n += strlen(key) + odoo__dynamodb_value_size(member);
    return n;
}

char *odoo__dynamodb_key_text(const json_t *attr)
{
    const char *s;
    char *out;
    size_t n;
    json_t *v;
    char tag;
    if (!json_is_object(attr) || json_object_size(attr) != 1)
        return NULL;
    if ((v = json_object_get(attr, "S")) != NULL)
        tag = 'S';
    else if ((v = json_object_get(attr, "N")) != NULL)
        tag = 'N';
    else if ((v = json_object_get(attr, "B")) != NULL)
        tag = 'B';
    else
        return NULL;
    s = json_string_value(v);
    if (!s)
        return NULL;
    n = json_string_length(v);
    out = odoo__malloc(n + 3);
    if (!out)
        return NULL;
    out[0] = tag;
    out[1] = ':';
    memcpy(out + 2, s, n);
    out[n + 2] = '\0';
    return out;
}

/* ---- the client ----------------------------------------------------------------------- */

int odoo_dynamodb_new(odoo_dynamodb **out, const odoo_aws_options *opts)
{
    odoo_dynamodb *db;
    if (!out)
        return ODOO_EINVAL;
    *out = db = odoo__calloc(1, sizeof(*db));
    return odoo__aws_service_init(db ? &db->s : NULL, opts, "dynamodb", "dynamodb", "DYNAMODB",
                                  "dynamodb", "DynamoDB_20120810", "application/x-amz-json-1.0");
}

void odoo_dynamodb_free(odoo_dynamodb *db)
{
    if (!db)
        return;
    odoo__aws_service_dispose(&db->s);
    free(db);
}

const odoo_error *odoo_dynamodb_last_error(const odoo_dynamodb *db)
{
    return db ? &db->s.err : NULL;
}

const char *odoo_dynamodb_endpoint(const odoo_dynamodb *db)
{
    return db && db->s.ready ? db->s.cfg.endpoint : NULL;
}

const char *odoo_dynamodb_region(const odoo_dynamodb *db)
{
    return db && db->s.ready ? db->s.cfg.region : NULL;
}

static int valid_operation(const char *op)
{
    if (!op || !*op || strlen(op) > 64)
        return 0;
    for (; *op; op++)
        if (!((*op >= 'A' && *op <= 'Z') || (*op >= 'a' && *op <= 'z')))
            return 0;
    return 1;
}

static int check_client(odoo_dynamodb *db)
{
    if (!db->s.ready)
        return odoo__error_set(&db->s.err, ODOO_EINVAL, 0,
                               "dynamodb: the client could not be created");
    return ODOO_OK;
}

int odoo_dynamodb_call(odoo_dynamodb *db, json_t **out, const char *operation, json_t *request)
{
    int rc;
    if (out)
        *out = NULL;
    if (!db)
        return ODOO_EINVAL;
    odoo__error_clear(&db->s.err);
    if ((rc = check_client(db)) != ODOO_OK)
        return rc;
    if (!valid_operation(operation))
        return odoo__error_set(&db->s.err, ODOO_EINVAL, 0, "dynamodb: invalid operation name");
    if (!request || !json_is_object(request))
        return odoo__error_set(&db->s.err, ODOO_EINVAL, 0,
                               "dynamodb: the request must be a JSON object");
    rc = odoo__aws_call(&db->s.cfg, &db->s.conn, &db->s.rng, operation, request, out, &db->s.err);
    if (rc != ODOO_OK && db->s.err.message) {
        /* prefix the operation: "dynamodb CreateTable: aws: ..." */
        char *m = db->s.err.message;
        size_t n = strlen(m) + strlen(operation) + 16;
        char *p = odoo__malloc(n);
        if (p) {
            snprintf(p, n, "dynamodb %s: %s", operation, m);
            free(m);
            db->s.err.message = p;
        }
    }
    return rc;
}

static const char *type_name(odoo_dynamodb_type t)
{
    return t == ODOO_DYNAMODB_S ? "S" : "N";
}

int odoo_dynamodb_describe_table(odoo_dynamodb *db, json_t **out, const char *table)
{
    json_t *req, *ans = NULL;
    int rc;
    if (out)
        *out = NULL;
    if (!db || !out)
        return ODOO_EINVAL;
    if (!table || !*table)
        return odoo__error_set(&db->s.err, ODOO_EINVAL, 0, "dynamodb: table name is required");
    req = json_pack("{s:s}", "TableName", table);
    if (!req)
        return odoo__error_set(&db->s.err, ODOO_ENOMEM, 0, "out of memory");
    rc = odoo_dynamodb_call(db, &ans, "DescribeTable", req);
    json_decref(req);
    if (rc != ODOO_OK)
        return rc;
    if (!json_is_object(json_object_get(ans, "Table"))) {
        json_decref(ans);
        return odoo__error_set(&db->s.err, ODOO_EPROTOCOL, 200,
                               "dynamodb DescribeTable: the answer has no Table");
    }
    *out = json_incref(json_object_get(ans, "Table"));
    json_decref(ans);
    return ODOO_OK;
}

int odoo_dynamodb_create_table(odoo_dynamodb *db, const char *table, const char *partition_key,
                               odoo_dynamodb_type partition_type, const char *sort_key,
                               odoo_dynamodb_type sort_type, long wait_ms)
{
    json_t *req;
    long long deadline;
    int rc;
    if (!db)
        return ODOO_EINVAL;
    if (!table || !*table || !partition_key || !*partition_key
        || (partition_type != ODOO_DYNAMODB_S && partition_type != ODOO_DYNAMODB_N)
        || (sort_key && (!*sort_key || (sort_type != ODOO_DYNAMODB_S && sort_type != ODOO_DYNAMODB_N)))
        || wait_ms < 0)
        return odoo__error_set(&db->s.err, ODOO_EINVAL, 0,
                               "dynamodb CreateTable: table, partition key and key types are "
                               "required");
    if (sort_key)
        req = json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:[{s:s, s:s}, {s:s, s:s}]}",
                        "TableName", table, "BillingMode", "PAY_PER_REQUEST",
                        "AttributeDefinitions", "AttributeName", partition_key, "AttributeType",
                        type_name(partition_type), "AttributeName", sort_key, "AttributeType",
                        type_name(sort_type), "KeySchema", "AttributeName", partition_key,
                        "KeyType", "HASH", "AttributeName", sort_key, "KeyType", "RANGE");
    else
        req = json_pack("{s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s}]}", "TableName", table,
                        "BillingMode", "PAY_PER_REQUEST", "AttributeDefinitions",
                        "AttributeName", partition_key, "AttributeType",
                        type_name(partition_type), "KeySchema", "AttributeName", partition_key,
                        "KeyType", "HASH");
    if (!req)
        return odoo__error_set(&db->s.err, ODOO_ENOMEM, 0, "out of memory");
    rc = odoo_dynamodb_call(db, NULL, "CreateTable", req);
    json_decref(req);
    if (rc != ODOO_OK || wait_ms == 0)
        return rc;
    deadline = odoo__now_ms() + wait_ms;
    for (;;) {
        json_t *t = NULL;
        const char *status;
        rc = odoo_dynamodb_describe_table(db, &t, table);
        if (rc != ODOO_OK)
            return rc;
        status = json_string_value(json_object_get(t, "TableStatus"));
        if (status && strcmp(status, "ACTIVE") == 0) {
            json_decref(t);
            return ODOO_OK;
        }
        json_decref(t);
        if (odoo__now_ms() >= deadline)
            return odoo__error_set(&db->s.err, ODOO_ETIMEOUT, 0,
                                   "dynamodb CreateTable: %s is not ACTIVE after %ld ms", table,
                                   wait_ms);
        odoo__sleep_ms(250);
    }
}

int odoo_dynamodb_scan(odoo_dynamodb *db, json_t **out, const char *table, int plain)
{
    json_t *items, *start = NULL;
    int rc = ODOO_OK;
    if (out)
        *out = NULL;
    if (!db || !out)
        return ODOO_EINVAL;
    if (!table || !*table)
        return odoo__error_set(&db->s.err, ODOO_EINVAL, 0, "dynamodb: table name is required");
    items = json_array();
    if (!items)
        return odoo__error_set(&db->s.err, ODOO_ENOMEM, 0, "out of memory");
    for (;;) {
        json_t *req = json_pack("{s:s}", "TableName", table), *ans = NULL, *page, *last;
        size_t i;
        if (!req || (start && json_object_set_new(req, "ExclusiveStartKey", start) != 0)) {
            json_decref(req);
            rc = odoo__error_set(&db->s.err, ODOO_ENOMEM, 0, "out of memory");
            break;
        }
        start = NULL;
        rc = odoo_dynamodb_call(db, &ans, "Scan", req);
        json_decref(req);
        if (rc != ODOO_OK)
            break;
        page = json_object_get(ans, "Items");
        if (!json_is_array(page)) {
            json_decref(ans);
            rc = odoo__error_set(&db->s.err, ODOO_EPROTOCOL, 200,
                                 "dynamodb Scan: the answer has no Items");
            break;
        }
        for (i = 0; i < json_array_size(page) && rc == ODOO_OK; i++) {
            json_t *it = json_array_get(page, i), *v = NULL;
            if (plain) {
                if (odoo_dynamodb_item_to_json(&v, it) != ODOO_OK)
                    rc = odoo__error_set(&db->s.err, ODOO_EPROTOCOL, 200,
                                         "dynamodb Scan: an item is not a DynamoDB item");
            } else {
                v = json_incref(it);
            }
            if (rc == ODOO_OK && json_array_append_new(items, v) != 0)
                rc = odoo__error_set(&db->s.err, ODOO_ENOMEM, 0, "out of memory");
        }
        last = json_object_get(ans, "LastEvaluatedKey");
        if (rc == ODOO_OK && json_is_object(last) && json_object_size(last) > 0)
            start = json_incref(last);
        json_decref(ans);
        if (rc != ODOO_OK || !start)
            break;
    }
    json_decref(start);
    if (rc != ODOO_OK) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ODOO_OK;
}
