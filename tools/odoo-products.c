// SPDX-License-Identifier: MIT
/*
 * odoo-products: a product catalogue in and out of Odoo through a field
 * mapping file.
 *
 *   odoo-products import products.csv --mapping mapping.json   upsert by default_code
 *   odoo-products export -o products.json --mapping mapping.json
 *   odoo-products test-connection
 *   odoo-products stats                                          the sync history
 *
 * An import is one search for the existing codes (archived products too),
 * one create for the new products and one write per distinct set of changed
 * values; products already holding the values are not written:
 * odoo_upsert_ex(ODOO_UPSERT_SKIP_UNCHANGED) does it.
 * Every import and export appends one line to a JSON Lines history. The
 * mapping file format is in docs/odoo-products.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tool_common.h"

enum { EXIT_REJECTED = 5 }; /* input records that the mapping refused */

#define MAX_TRANSFORMS 8
#define MAX_LISTED_ERRORS 20 /* errors kept in a history entry */

typedef enum { MAP_DIRECT, MAP_TRANSFORM, MAP_CONSTANT, MAP_LOOKUP } map_type;
static const char *const type_names[] = {"direct", "transform", "constant", "lookup", NULL};

typedef enum { TR_UPPER, TR_LOWER, TR_TRIM, TR_NUMBER, TR_BOOLEAN } transform;
static const char *const transform_names[] = {"upper", "lower", "trim", "number", "boolean",
                                              NULL};

/* One line of the mapping: an input column -> an Odoo field. */
typedef struct map_entry {
    const char *source;      /* input column / key (NULL for a constant) */
    const char *target;      /* Odoo field */
    map_type type;
    transform transforms[MAX_TRANSFORMS];
    size_t ntransforms;
    json_t *value;           /* constant */
    const char *table_name;  /* lookup */
    json_t *table;           /* lookup: {"input value": Odoo value} */
    json_t *def;             /* used when the input has no value */
    int required;
} map_entry;

typedef struct mapping {
    json_t *root;            /* the parsed file; every string above points into it */
    const char *path;
    const char *model;       /* product.product or product.template */
    const char *key;         /* the upsert key, default_code by default */
    map_entry *entries;
    size_t n;
    const char **targets;    /* every target: the import's field whitelist */
    const char **exported;   /* targets that have a source: the export's whitelist */
} mapping;

/* ---- the mapping file ---------------------------------------------------------- */

static int str_eq(json_t *v, const char *s)
{
    return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

static int name_index(const char *const *names, const char *s)
{
    int i;
    for (i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* An Odoo field name: [a-z_][a-z0-9_]*, at most 63 bytes. */
static int field_name_ok(const char *s)
{
    size_t i, n = strlen(s);
    if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (i = 0; i < n; i++)
        if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

static void mapping_free(mapping *m)
{
    free(m->entries);
    free((void *)m->targets);
    free((void *)m->exported);
    json_decref(m->root);
}

/* Check one entry of "fields" (where = "fields[3]"); 0 or -1 (printed). */
static int parse_entry(mapping *m, size_t i, json_t *obj, map_entry *e)
{
    static const char *const allowed[] = {"source", "target", "type", "transform", "value",
                                          "table", "default", "required", "comment", NULL};
    json_t *v, *tr;
    const char *key;
    char where[96];
    size_t j;
    int t;

    snprintf(where, sizeof(where), "%s: fields[%zu]", m->path, i);
    if (!json_is_object(obj)) {
        tool_error("%s: not an object", where);
        return -1;
    }
    v = json_object_get(obj, "target");
    if (!json_is_string(v) || !field_name_ok(json_string_value(v))) {
        tool_error("%s: \"target\" must be an Odoo field name ([a-z_][a-z0-9_]*)", where);
        return -1;
    }
    e->target = json_string_value(v);
    snprintf(where, sizeof(where), "%s: fields[%zu] (target '%s')", m->path, i, e->target);
    json_object_foreach(obj, key, v) {
        if (name_index(allowed, key) < 0) {
            tool_error("%s: unknown key '%s' (source, target, type, transform, value, table, "
                       "default, required, comment)", where, key);
            return -1;
        }
    }
    if (strcmp(e->target, "id") == 0) {
        tool_error("%s: the id cannot be mapped", where);
        return -1;
    }
    for (j = 0; j < i; j++)
        if (strcmp(m->entries[j].target, e->target) == 0) {
            tool_error("%s: fields[%zu] has the same target", where, j);
            return -1;
        }
    v = json_object_get(obj, "type");
    if (!json_is_string(v) || (t = name_index(type_names, json_string_value(v))) < 0) {
        tool_error("%s: \"type\" must be direct, transform, constant or lookup", where);
        return -1;
    }
    e->type = (map_type)t;

    v = json_object_get(obj, "source");
    if (e->type == MAP_CONSTANT) {
        if (v || json_object_get(obj, "default") || json_object_get(obj, "required")
            || json_object_get(obj, "transform") || json_object_get(obj, "table")) {
            tool_error("%s: a constant has only \"target\", \"type\" and \"value\"", where);
            return -1;
        }
        if (!(e->value = json_object_get(obj, "value"))) {
            tool_error("%s: a constant needs a \"value\"", where);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        tool_error("%s: \"source\" must name an input column", where);
        return -1;
    }
    e->source = json_string_value(v);
    if (json_object_get(obj, "value")) {
        tool_error("%s: \"value\" is for constants only", where);
        return -1;
    }
    v = json_object_get(obj, "required");
    if (v && !json_is_boolean(v)) {
        tool_error("%s: \"required\" must be true or false", where);
        return -1;
    }
    e->required = json_is_true(v);
    e->def = json_object_get(obj, "default");
    if (e->def && !(json_is_string(e->def) || json_is_number(e->def) || json_is_boolean(e->def))) {
        tool_error("%s: \"default\" must be a text, a number or a boolean", where);
        return -1;
    }

    tr = json_object_get(obj, "transform");
    if (e->type == MAP_DIRECT && tr) {
        tool_error("%s: a direct mapping has no \"transform\" (use type \"transform\")", where);
        return -1;
    }
    if (e->type == MAP_TRANSFORM && !tr) {
        tool_error("%s: \"transform\" is missing (upper, lower, trim, number, boolean)", where);
        return -1;
    }
    if (tr) { /* one name, or a list applied in order */
        size_t k, n = json_is_array(tr) ? json_array_size(tr) : 1;
        if ((!json_is_string(tr) && !json_is_array(tr)) || n == 0 || n > MAX_TRANSFORMS) {
            tool_error("%s: \"transform\" must be a name or a list of 1 to %d names", where,
                       MAX_TRANSFORMS);
            return -1;
        }
        for (k = 0; k < n; k++) {
            json_t *name = json_is_array(tr) ? json_array_get(tr, k) : tr;
            if (!json_is_string(name)
                || (t = name_index(transform_names, json_string_value(name))) < 0) {
                tool_error("%s: unknown transform%s%s%s (upper, lower, trim, number, boolean)",
                           where, json_is_string(name) ? " '" : "",
                           json_is_string(name) ? json_string_value(name) : "",
                           json_is_string(name) ? "'" : "");
                return -1;
            }
            e->transforms[e->ntransforms++] = (transform)t;
        }
    }

    v = json_object_get(obj, "table");
    if (e->type != MAP_LOOKUP) {
        if (v) {
            tool_error("%s: \"table\" is for lookups only", where);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        tool_error("%s: a lookup needs a \"table\" (a name in \"lookups\")", where);
        return -1;
    }
    e->table_name = json_string_value(v);
    e->table = json_object_get(json_object_get(m->root, "lookups"), e->table_name);
    if (!e->table) {
        tool_error("%s: no table '%s' in \"lookups\"", where, e->table_name);
        return -1;
    }
    return 0;
}

/* Read and check the mapping file. 0, or -1 after printing where and why. */
static int parse_mapping(const char *path, mapping *m)
{
    json_t *fields, *lookups, *v, *table;
    const char *key, *k2;
    size_t i, nt = 0, ne = 0;

    memset(m, 0, sizeof(*m));
    m->path = path;
    if (!(m->root = tool_load_json(path)))
        return -1;
    if (!json_is_object(m->root)) {
        tool_error("%s: the mapping must be a JSON object", path);
        return -1;
    }
    json_object_foreach(m->root, key, v) {
        if (strcmp(key, "model") && strcmp(key, "key") && strcmp(key, "fields")
            && strcmp(key, "lookups") && strcmp(key, "comment")) {
            tool_error("%s: unknown key '%s' (model, key, fields, lookups, comment)", path, key);
            return -1;
        }
    }
    v = json_object_get(m->root, "model");
    m->model = v ? json_string_value(v) : "product.product";
    if (!m->model || (strcmp(m->model, "product.product") && strcmp(m->model, "product.template"))) {
        tool_error("%s: \"model\" must be \"product.product\" or \"product.template\"", path);
        return -1;
    }
    v = json_object_get(m->root, "key");
    m->key = v ? json_string_value(v) : "default_code";
    if (!m->key || !field_name_ok(m->key)) {
        tool_error("%s: \"key\" must be an Odoo field name", path);
        return -1;
    }
    lookups = json_object_get(m->root, "lookups");
    if (lookups && !json_is_object(lookups)) {
        tool_error("%s: \"lookups\" must be an object of tables", path);
        return -1;
    }
    json_object_foreach(lookups, key, table) {
        if (!json_is_object(table)) {
            tool_error("%s: lookups.%s must be an object {\"input value\": Odoo value}", path, key);
            return -1;
        }
        json_object_foreach(table, k2, v) {
            if (json_is_null(v) || json_is_object(v)) {
                tool_error("%s: lookups.%s.%s: a value must be an id, a list of ids, a text, "
                           "a number or a boolean", path, key, k2);
                return -1;
            }
        }
    }
    fields = json_object_get(m->root, "fields");
    if (!json_is_array(fields) || json_array_size(fields) == 0) {
        tool_error("%s: \"fields\" must be a non-empty list", path);
        return -1;
    }
    m->n = json_array_size(fields);
    m->entries = calloc(m->n, sizeof(*m->entries));
    m->targets = calloc(m->n + 1, sizeof(*m->targets));
    m->exported = calloc(m->n + 1, sizeof(*m->exported));
    if (!m->entries || !m->targets || !m->exported) {
        tool_error("out of memory");
        return -1;
    }
    json_array_foreach(fields, i, v) {
        if (parse_entry(m, i, v, &m->entries[i]) != 0)
            return -1;
        m->targets[nt++] = m->entries[i].target;
        if (m->entries[i].source)
            m->exported[ne++] = m->entries[i].target;
    }
    for (i = 0; i < m->n; i++)
        if (strcmp(m->entries[i].target, m->key) == 0)
            break;
    if (i == m->n || m->entries[i].type == MAP_CONSTANT) {
        tool_error("%s: the key '%s' must be the target of a non-constant entry", path, m->key);
        return -1;
    }
    return 0;
}

/* ---- one record through the mapping ------------------------------------------------- */

/* A short, one-line rendering of an input value for messages (size >= 16). */
static void show(json_t *v, char *buf, size_t size)
{
    char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    const char *s = text ? text : json_string_value(v);
    size_t i = 0, n = 0, max = size - 8;
    int quote = json_is_string(v);
    if (!s)
        s = "?";
    if (quote)
        buf[n++] = '\'';
    for (; s[i] && n < max; i++)
        buf[n++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    if (s[i]) { /* cut, but not inside a UTF-8 character */
        for (; i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80; i--)
            n--;
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    if (quote)
        buf[n++] = '\'';
    buf[n] = '\0';
    free(text);
}

/* A strict number: [+-]digits[.digits][e[+-]digits], spaces around allowed. */
static json_t *parse_number(const char *s)
{
    const char *p = s, *start;
    char *end;
    int digits = 0, real = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    start = p;
    if (*p == '+' || *p == '-')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        digits++;
    if (*p == '.')
        for (real = 1, p++; *p >= '0' && *p <= '9'; p++)
            digits++;
    if (!digits)
        return NULL;
    if (*p == 'e' || *p == 'E') {
        real = 1;
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p)
        return NULL;
    errno = 0;
    if (!real) {
        long long ll = strtoll(start, &end, 10);
        if (errno == 0)
            return json_integer((json_int_t)ll);
    }
    {
        double d = strtod(start, &end);
        return errno == ERANGE ? NULL : json_real(d);
    }
}

static json_t *parse_boolean(json_t *v)
{
    static const char *const yes[] = {"true", "yes", "y", "1", "on", NULL};
    static const char *const no[] = {"false", "no", "n", "0", "off", NULL};
    char word[8];
    const char *s;
    size_t n;
    int i;
    if (json_is_boolean(v))
        return json_incref(v);
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
        return json_boolean(json_integer_value(v));
    if (!json_is_string(v))
        return NULL;
    for (s = json_string_value(v); *s == ' ' || *s == '\t';)
        s++;
    for (n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t');)
        n--;
    if (n == 0 || n >= sizeof(word))
        return NULL;
    memcpy(word, s, n);
    word[n] = '\0';
    for (i = 0; yes[i]; i++) {
        if (strcasecmp(word, yes[i]) == 0)
            return json_true();
        if (strcasecmp(word, no[i]) == 0)
            return json_false();
    }
    return NULL;
}

/* Apply one transform; a new reference, or NULL with *why set. */
static json_t *apply(transform t, json_t *v, const char **why)
{
    const char *s;
    char *copy;
    size_t n, i;
    json_t *out;

    switch (t) {
    case TR_NUMBER:
        out = json_is_number(v) ? json_incref(v)
              : json_is_string(v) ? parse_number(json_string_value(v)) : NULL;
        *why = "is not a number";
        return out;
    case TR_BOOLEAN:
        *why = "is not a boolean (true/false, yes/no, 1/0, on/off)";
        return parse_boolean(v);
    default:
        break;
    }
    if (!json_is_string(v)) {
        *why = t == TR_TRIM ? "cannot be trimmed: not a text" : "cannot change case: not a text";
        return NULL;
    }
    s = json_string_value(v);
    n = json_string_length(v);
    if (t == TR_TRIM) {
        while (n > 0 && strchr(" \t\r\n", *s))
            s++, n--;
        while (n > 0 && strchr(" \t\r\n", s[n - 1]))
            n--;
        return json_stringn(s, n);
    }
    if (!(copy = malloc(n + 1)))
        return NULL;
    for (i = 0; i < n; i++) /* ASCII letters only; other bytes (UTF-8) unchanged */
        copy[i] = t == TR_UPPER ? (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i])
                                : (s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out = json_stringn(copy, n);
    free(copy);
    return out;
}

/*
 * Map one input record. *out: a new object of Odoo values, or NULL with the
 * reason in err ("field 'price': 'abc' is not a number").
 */
static void map_record(const mapping *m, json_t *in, json_t **out, char *err, size_t errlen)
{
    json_t *rec = json_object(), *key;
    char shown[64];
    size_t i, k;

    *out = NULL;
    for (i = 0; rec && i < m->n; i++) {
        const map_entry *e = &m->entries[i];
        json_t *v, *next;
        const char *why = NULL;

        if (e->type == MAP_CONSTANT) {
            json_object_set(rec, e->target, e->value);
            continue;
        }
        v = json_object_get(in, e->source);
        if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
            v = e->def;
        if (!v) {
            if (!e->required)
                continue; /* not sent: what Odoo has stays */
            snprintf(err, errlen, "field '%s' is required", e->source);
            goto fail;
        }
        json_incref(v);
        for (k = 0; k < e->ntransforms; k++) {
            next = apply(e->transforms[k], v, &why);
            if (!next) {
                show(v, shown, sizeof(shown));
                snprintf(err, errlen, "field '%s': %s %s", e->source, shown, why);
                json_decref(v);
                goto fail;
            }
            json_decref(v);
            v = next;
        }
        if (e->type == MAP_LOOKUP) {
            char text[32];
            const char *ktext = json_string_value(v);
            if (json_is_integer(v)) {
                snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
                ktext = text;
            }
            next = ktext ? json_object_get(e->table, ktext) : NULL;
            if (!next) {
                show(v, shown, sizeof(shown));
                snprintf(err, errlen, "field '%s': %s is not in lookups.%s", e->source, shown,
                         e->table_name);
                json_decref(v);
                goto fail;
            }
            json_decref(v);
            v = json_incref(next);
        }
        json_object_set_new(rec, e->target, v);
    }
    key = rec ? json_object_get(rec, m->key) : NULL;
    if (!rec) {
        snprintf(err, errlen, "out of memory");
    } else if (!key) {
        snprintf(err, errlen, "no %s: the key is required", m->key);
    } else if (!json_is_string(key) || json_string_length(key) == 0) {
        snprintf(err, errlen, "the key %s must be a non-empty text", m->key);
    } else {
        *out = rec;
        return;
    }
fail:
    json_decref(rec);
}

/* ---- input files: CSV and JSON ------------------------------------------------------- */

typedef struct strbuf {
    char *p;
    size_t n, cap;
} strbuf;

static int sb_put(strbuf *b, char c)
{
    if (b->n + 1 >= b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    b->p[b->n++] = c;
    return 0;
}

/*
 * CSV (RFC 4180): a header row naming the columns, comma-separated fields,
 * double quotes around fields holding commas, quotes or line breaks ("" for a
 * quote), LF or CRLF line ends, UTF-8 (a BOM is skipped). Blank lines are
 * skipped. *records: [{column: text}], *lines: the line each record starts on.
 */
static int parse_csv(const char *path, const char *text, size_t len, json_t **records,
                     json_t **lines)
{
    json_t *header = NULL, *row = NULL;
    strbuf field = {NULL, 0, 0};
    size_t i = 0;
    unsigned line = 1, row_line, open_line;
    const char *why = NULL;

    *records = json_array();
    *lines = json_array();
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && !why) {
        int blank = 1;
        row_line = line;
        json_decref(row);
        row = json_array();
        for (;;) { /* one field */
            field.n = 0;
            if (i < len && text[i] == '"') {
                open_line = line;
                blank = 0;
                for (i++;;) {
                    if (i >= len) {
                        line = open_line;
                        why = "a quoted field is not closed";
                        break;
                    }
                    if (text[i] == '"' && !(i + 1 < len && text[i + 1] == '"')) {
                        i++;
                        break;
                    }
                    if (text[i] == '"')
                        i++;
                    else if (text[i] == '\n')
                        line++;
                    if (text[i] == '\0' || sb_put(&field, text[i]) != 0) {
                        why = text[i] ? "out of memory" : "a NUL byte";
                        break;
                    }
                    i++;
                }
                if (!why && i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    why = "text after a closing quote (a quote inside a field is written \"\")";
            } else {
                for (; i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r'; i++) {
                    if (text[i] == '"' || text[i] == '\0' || sb_put(&field, text[i]) != 0) {
                        why = text[i] == '"' ? "a quote inside an unquoted field (quote the field)"
                              : text[i] ? "out of memory" : "a NUL byte";
                        break;
                    }
                }
            }
            if (why)
                break;
            if (i < len && text[i] == '\r' && !(i + 1 < len && text[i + 1] == '\n')) {
                why = "a carriage return that does not end a line";
                break;
            }
            {
                json_t *s = json_stringn(field.p ? field.p : "", field.n);
                if (!s) {
                    why = "not valid UTF-8";
                    break;
                }
                json_array_append_new(row, s);
            }
            if (field.n)
                blank = 0;
            if (i < len && text[i] == ',') {
                i++;
                blank = 0;
                continue;
            }
            if (i < len && text[i] == '\r')
                i++;
            if (i < len && text[i] == '\n') {
                i++;
                line++;
            }
            break;
        }
        if (why || blank)
            continue;
        if (!header) { /* the column names: non-empty, each once */
            size_t a, b;
            header = json_incref(row);
            for (a = 0; a < json_array_size(row) && !why; a++) {
                if (json_string_length(json_array_get(row, a)) == 0)
                    why = "a column of the header has no name";
                for (b = 0; b < a && !why; b++)
                    if (json_equal(json_array_get(row, a), json_array_get(row, b)))
                        why = "a column name appears twice in the header";
            }
            if (why)
                line = row_line;
        } else if (json_array_size(row) != json_array_size(header)) {
            tool_error("%s:%u: %zu fields, the header has %zu", path, row_line,
                       json_array_size(row), json_array_size(header));
            why = "";
        } else {
            json_t *rec = json_object(), *name;
            size_t a;
            json_array_foreach(header, a, name)
                json_object_set(rec, json_string_value(name), json_array_get(row, a));
            json_array_append_new(*records, rec);
            json_array_append_new(*lines, json_integer(row_line));
        }
    }
    if (!why && !header)
        why = "no header row";
    if (why && *why)
        tool_error("%s:%u: %s", path, line, why);
    free(field.p);
    json_decref(row);
    json_decref(header);
    return why ? -1 : 0;
}

/* Read the input: CSV or a JSON list of objects. *lines is NULL for JSON. */
static int read_input(const char *path, const char *format, json_t **records, json_t **lines)
{
    size_t n = strlen(path), len, i;
    char *text;
    json_t *r;
    int rc;

    *records = *lines = NULL;
    if (!format)
        format = n > 4 && strcasecmp(path + n - 4, ".csv") == 0    ? "csv"
                 : n > 5 && strcasecmp(path + n - 5, ".json") == 0 ? "json"
                                                                   : NULL;
    if (!format) {
        tool_error("%s: cannot tell the format from the name: use --format csv or json", path);
        return -1;
    }
    if (strcmp(format, "json") == 0) {
        if (!(*records = tool_load_json(path)))
            return -1;
        if (!json_is_array(*records)) {
            tool_error("%s: expected a JSON list of product objects", path);
            return -1;
        }
        json_array_foreach(*records, i, r) {
            if (!json_is_object(r)) {
                tool_error("%s: record %zu is not an object", path, i + 1);
                return -1;
            }
        }
        return 0;
    }
    if (tool_read_file(path, &text, &len) != 0)
        return -1;
    rc = parse_csv(path, text, len, records, lines);
    free(text);
    return rc;
}

/* ---- the sync history ------------------------------------------------------------- */

typedef struct run {
    const char *command;  /* "import" or "export" */
    char started[32];
    long long t0;
    const char *model, *file;
    int dry_run;
    long long read, rejected, created, updated, unchanged, archived, exported;
    json_t *errors;       /* the first MAX_LISTED_ERRORS messages */
    long long nerrors;
} run;

static run *current_run;

static void record_error(const char *message)
{
    if (current_run->nerrors++ < MAX_LISTED_ERRORS)
        json_array_append_new(current_run->errors, json_string(message));
}

static void run_start(run *r, const char *command, const char *file)
{
    memset(r, 0, sizeof(*r));
    r->command = command;
    r->file = file;
    tool_utc_now(r->started, sizeof(r->started));
    r->t0 = tool_monotonic_ms();
    r->errors = json_array();
    current_run = r;
    tool_error_hook = record_error; /* every message of the run goes to the history too */
}

/* Append one JSON line to the history (one write(), O_APPEND: concurrent runs
 * do not interleave). A failure is a warning only. */
static void run_finish(run *r, const char *history, int status)
{
    char finished[32], *line;
    json_t *e;
    int fd;

    tool_error_hook = NULL;
    current_run = NULL;
    tool_utc_now(finished, sizeof(finished));
    e = json_pack("{s:s, s:s, s:s, s:I, s:s, s:i, s:s?, s:s?, s:b, "
                  "s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:O, s:I}",
                  "run", r->command, "started", r->started, "finished", finished,
                  "duration_ms", (json_int_t)(tool_monotonic_ms() - r->t0), "status",
                  status == TOOL_EXIT_OK ? "success"
                  : status == EXIT_REJECTED && (r->created || r->updated) ? "partial"
                                                                          : "failed",
                  "exit", status, "model", r->model, "file", r->file, "dry_run", r->dry_run,
                  "counts", "read", (json_int_t)r->read, "rejected", (json_int_t)r->rejected,
                  "created", (json_int_t)r->created, "updated", (json_int_t)r->updated,
                  "unchanged", (json_int_t)r->unchanged, "archived", (json_int_t)r->archived,
                  "exported", (json_int_t)r->exported, "errors", r->errors, "errors_total",
                  (json_int_t)r->nerrors);
    json_decref(r->errors);
    line = e ? odoo_json_dumps(e, JSON_COMPACT) : NULL;
    json_decref(e);
    if (!history || !line) {
        odoo_free(line);
        return;
    }
    fd = open(history, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line)
        || write(fd, "\n", 1) != 1 || fsync(fd) != 0)
        tool_error("warning: cannot append to the history %s: %s", history, strerror(errno));
    if (fd >= 0)
        close(fd);
    odoo_free(line);
}

/* ---- commands ------------------------------------------------------------------ */

static int cmd_import(odoo_client *c, const mapping *m, const char *path, const char *format,
                      int dry_run, int skip_invalid, size_t batch, int pretty, run *r)
{
    json_t *input = NULL, *lines = NULL, *good = NULL, *seen = NULL, *res = NULL, *in, *out;
    char err[256], place[32];
    size_t i;
    int rc, status = TOOL_EXIT_OK;

    r->model = m->model;
    r->dry_run = dry_run;
    /* the mapping against the model before any data moves (one fields_get) */
    if ((rc = odoo_fields_check(c, m->model, m->targets)) != ODOO_OK)
        return tool_odoo_error(c, rc);
    if (read_input(path, format, &input, &lines) != 0) {
        status = TOOL_EXIT_USAGE;
        goto done;
    }
    good = json_array();
    seen = json_object(); /* key -> where it was seen first */
    json_array_foreach(input, i, in) {
        json_t *first;
        if (lines)
            snprintf(place, sizeof(place), "line %lld",
                     (long long)json_integer_value(json_array_get(lines, i)));
        else
            snprintf(place, sizeof(place), "record %zu", i + 1);
        r->read++;
        map_record(m, in, &out, err, sizeof(err));
        if (out && (first = json_object_get(seen, json_string_value(json_object_get(out, m->key))))) {
            snprintf(err, sizeof(err), "%s '%s' is already on %s", m->key,
                     json_string_value(json_object_get(out, m->key)), json_string_value(first));
            json_decref(out);
            out = NULL;
        }
        if (!out) {
            r->rejected++;
            tool_error("%s, %s: %s", path, place, err);
            continue;
        }
        json_object_set_new(seen, json_string_value(json_object_get(out, m->key)),
                            json_string(place));
        json_array_append_new(good, out);
    }
    if (r->rejected && !skip_invalid) {
        tool_error("%lld of %lld records rejected: nothing sent (--skip-invalid sends the others)",
                   r->rejected, r->read);
        status = EXIT_REJECTED;
        goto done;
    }
    if (dry_run) {
        out = json_pack("{s:s, s:s, s:I, s:I, s:O}", "model", m->model, "key", m->key, "read",
                        (json_int_t)r->read, "rejected", (json_int_t)r->rejected, "records", good);
    } else {
        /* one search_read per chunk of keys (archived products included),
         * one create, grouped writes of what differs only: a product whose
         * values are already those is not written, its write_date stays */
        rc = odoo_upsert_ex(c, &res, m->model, m->key, good, batch, ODOO_UPSERT_SKIP_UNCHANGED,
                            NULL);
        r->created = (long long)json_array_size(json_object_get(res, "created"));
        r->updated = (long long)json_array_size(json_object_get(res, "updated"));
        r->unchanged = (long long)json_array_size(json_object_get(res, "unchanged"));
        r->archived = (long long)json_array_size(json_object_get(res, "archived"));
        if (rc != ODOO_OK) {
            status = tool_odoo_error(c, rc);
            if (r->created)
                tool_error("%lld products had been created before the failure; running the "
                           "import again updates them", r->created);
            goto done;
        }
        /* archived: matched products that are archived (updated or unchanged,
         * left archived unless the mapping sets "active") */
        out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "model", m->model, "file",
                        path, "read", (json_int_t)r->read, "rejected", (json_int_t)r->rejected,
                        "created", (json_int_t)r->created, "updated", (json_int_t)r->updated,
                        "unchanged", (json_int_t)r->unchanged, "archived",
                        (json_int_t)r->archived);
    }
    if (!out || tool_print_json(out, pretty) != 0)
        status = TOOL_EXIT_TRANSPORT;
    else if (r->rejected)
        status = EXIT_REJECTED;
    json_decref(out);
done:
    json_decref(input);
    json_decref(lines);
    json_decref(good);
    json_decref(seen);
    json_decref(res);
    return status;
}

static int same_ids(json_t *a, json_t *b)
{
    size_t i, j;
    json_t *v, *w;
    if (!json_is_array(a) || !json_is_array(b) || json_array_size(a) != json_array_size(b))
        return json_equal(a, b);
    json_array_foreach(a, i, v) {
        int found = 0;
        json_array_foreach(b, j, w)
            found |= json_equal(v, w);
        if (!found)
            return 0;
    }
    return 1;
}

/* An Odoo value back into the input's terms: the mapping reversed. */
static json_t *unmap(const map_entry *e, json_t *v, const char *type)
{
    json_t *tv;
    const char *key;
    if (json_is_false(v) && strcmp(type, "boolean") != 0)
        return json_null(); /* Odoo's "empty" */
    if (strcmp(type, "many2one") == 0 && json_is_array(v))
        v = json_array_get(v, 0); /* [id, "name"] -> id */
    if (e->type == MAP_LOOKUP)
        json_object_foreach(e->table, key, tv)
            if (same_ids(tv, v))
                return json_string(key);
    return json_incref(v); /* not in the table: the Odoo value itself */
}

static int cmd_export(odoo_client *c, const mapping *m, const char *out_path, json_t *domain,
                      size_t batch, int pretty, run *r)
{
    static const char *const type_attr[] = {"type", NULL};
    json_t *types = NULL, *list = NULL, *rec, *item;
    odoo_iter *it = NULL;
    size_t i;
    int rc, status = TOOL_EXIT_OK;

    r->model = m->model;
    if ((rc = odoo_fields_check(c, m->model, m->targets)) != ODOO_OK
        || (rc = odoo_fields_get(c, &types, m->model, type_attr, NULL)) != ODOO_OK
        || (rc = odoo_iter_new(&it, c, m->model, domain, m->exported, batch)) != ODOO_OK)
        return tool_odoo_error(c, rc);
    list = json_array();
    /* keyset pages by id: memory stays one page plus the output */
    while ((rc = odoo_iter_next(it, &rec)) == 1) {
        item = json_object();
        for (i = 0; i < m->n; i++) {
            const map_entry *e = &m->entries[i];
            json_t *ftype = json_object_get(json_object_get(types, e->target), "type");
            if (!e->source || json_object_get(item, e->source))
                continue; /* constants do not come back; one column once */
            json_object_set_new(item, e->source,
                                unmap(e, json_object_get(rec, e->target),
                                      json_is_string(ftype) ? json_string_value(ftype) : ""));
        }
        json_array_append_new(list, item);
        json_decref(rec);
    }
    if (rc < 0)
        status = tool_odoo_error(c, rc);
    else if (out_path && tool_write_json(out_path, list) != 0)
        status = TOOL_EXIT_TRANSPORT;
    else {
        json_t *out = out_path ? json_pack("{s:s, s:s, s:I}", "model", m->model, "file", out_path,
                                           "exported", (json_int_t)json_array_size(list))
                               : json_incref(list);
        r->exported = (long long)json_array_size(list);
        if (!out || tool_print_json(out, pretty) != 0)
            status = TOOL_EXIT_TRANSPORT;
        json_decref(out);
    }
    odoo_iter_free(it);
    json_decref(list);
    json_decref(types);
    return status;
}

static int cmd_test_connection(odoo_client *c, int pretty)
{
    const json_t *info;
    json_t *out, *db;
    int rc = odoo_client_login(c), status;
    if (rc != ODOO_OK)
        return tool_odoo_error(c, rc);
    info = odoo_client_session_info(c);
    db = json_object_get(info, "db");
    out = json_pack("{s:b, s:s?, s:i, s:O, s:s}", "success", 1, "server_version",
                    odoo_client_server_version(c), "uid", odoo_client_uid(c), "database",
                    db ? db : json_null(), "transport",
                    odoo_transport_name(odoo_client_transport(c)));
    status = out && tool_print_json(out, pretty) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
    json_decref(out);
    return status;
}

/* Summarise the history: runs, success rate, durations, totals. */
static int cmd_stats(const char *history, int pretty)
{
    static const char *const counts[] = {"read",      "rejected", "created", "updated",
                                         "unchanged", "archived", "exported", NULL};
    json_t *totals = json_object(), *by_run = json_object(), *e, *out;
    long long runs = 0, ok = 0, partial = 0, failed = 0, unreadable = 0, duration = 0;
    char *line = NULL, first[32] = "", last[32] = "", *last_error = NULL;
    size_t cap = 0;
    FILE *f;
    int i, status;

    if (!history) {
        tool_error("no history: --no-history was given or HOME is not set");
        return TOOL_EXIT_USAGE;
    }
    for (i = 0; counts[i]; i++)
        json_object_set_new(totals, counts[i], json_integer(0));
    f = fopen(history, "r");
    if (!f && errno != ENOENT) {
        tool_error("%s: %s", history, strerror(errno));
        json_decref(totals);
        json_decref(by_run);
        return TOOL_EXIT_USAGE;
    }
    while (f && getline(&line, &cap, f) > 0) {
        json_t *st, *c, *errs;
        const char *s;
        e = json_loads(line, 0, NULL);
        st = json_object_get(e, "status");
        s = json_string_value(json_object_get(e, "started"));
        if (!json_is_string(st) || !s || strlen(s) >= sizeof(first)) {
            unreadable++; /* e.g. a line cut by a full disk */
            json_decref(e);
            continue;
        }
        runs++;
        ok += str_eq(st, "success");
        partial += str_eq(st, "partial");
        failed += str_eq(st, "failed");
        duration += json_integer_value(json_object_get(e, "duration_ms"));
        if (!first[0] || strcmp(s, first) < 0)
            strcpy(first, s);
        if (strcmp(s, last) >= 0)
            strcpy(last, s);
        if (!str_eq(st, "success") && json_array_size(errs = json_object_get(e, "errors"))) {
            free(last_error);
            last_error = strdup(json_string_value(json_array_get(errs, 0)));
        }
        c = json_object_get(e, "counts");
        for (i = 0; counts[i]; i++)
            json_object_set_new(totals, counts[i],
                                json_integer(json_integer_value(json_object_get(totals, counts[i]))
                                             + json_integer_value(json_object_get(c, counts[i]))));
        s = json_string_value(json_object_get(e, "run"));
        if (s)
            json_object_set_new(by_run, s,
                                json_integer(json_integer_value(json_object_get(by_run, s)) + 1));
        json_decref(e);
    }
    free(line);
    if (f)
        fclose(f);
    out = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:s?, s:s?, s:s?, s:o, s:o, s:I}",
                    "history", history, "runs", (json_int_t)runs, "successful", (json_int_t)ok,
                    "partial", (json_int_t)partial, "failed", (json_int_t)failed, "success_rate",
                    runs ? json_real((double)((ok * 10000 + runs / 2) / runs) / 100.0) : json_null(),
                    "avg_duration_ms", runs ? json_integer(duration / runs) : json_null(),
                    "first_run_at", first[0] ? first : NULL, "last_run_at",
                    last[0] ? last : NULL, "last_error", last_error, "by_command", by_run,
                    "totals", totals, "unreadable_lines", (json_int_t)unreadable);
    free(last_error);
    status = out && tool_print_json(out, pretty) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
    json_decref(out);
    return status;
}

/* ---- command line --------------------------------------------------------------- */

static void usage(FILE *f)
{
    fputs("Usage: odoo-products [OPTIONS] COMMAND [ARGS]\n"
          "\n"
          "Imports and exports products through a field mapping file, and keeps a\n"
          "history of the runs.\n"
          "\n"
          "Commands:\n"
          "  import FILE --mapping MAP   upsert the products of FILE (CSV with a header\n"
          "                              row, or a JSON list of objects) by their key\n"
          "                              (default_code unless the mapping says otherwise)\n"
          "  export --mapping MAP [-o FILE]\n"
          "                              the products as a JSON list, the mapping reversed\n"
          "  test-connection             log in; print server version, uid and database\n"
          "  stats                       summarise the history of imports and exports\n"
          "\n"
          "Options:\n"
          "  -m, --mapping MAP   the mapping file (see docs/odoo-products.md)\n"
          "  --format F          import: csv or json (default: from FILE's extension)\n"
          "  --dry-run           import: map and check everything, print the records,\n"
          "                      send nothing\n"
          "  --skip-invalid      import: send the valid records even when others are\n"
          "                      rejected (exit status 5 all the same)\n"
          "  --domain JSON       export: which products (default: those with a key)\n"
          "  --batch N           records per call (default 500)\n"
          "  -o, --output FILE   export: write FILE atomically instead of stdout\n"
          "  --history FILE      the JSON Lines history (default $ODOO_PRODUCTS_HISTORY,\n"
          "                      else ~/.odoo-products-history.jsonl)\n"
          "  --no-history        do not record this run\n"
          "  --pretty            indent the JSON printed on stdout\n"
          "  --help, --version\n"
          "\n",
          f);
    fputs(tool_connection_help, f);
    fputs("\n"
          "Errors go to stderr as one line: odoo-products: <ERROR_NAME> [<Odoo class>]: <message>\n"
          "\n"
          "Exit status:\n"
          "  0  success\n"
          "  1  Odoo refused a call (access, validation, user error, ...)\n"
          "  2  usage error: bad arguments, bad mapping (or a field Odoo does not have),\n"
          "     bad input file, missing or unsafe credentials\n"
          "  3  authentication failed\n"
          "  4  network, HTTP, timeout, protocol or in-doubt error; a file not written\n"
          "  5  input records rejected by the mapping (nothing sent, unless --skip-invalid)\n",
          f);
}

int main(int argc, char **argv)
{
    tool_conn tc;
    odoo_client *client = NULL;
    mapping map;
    run r;
    const char *pos[3] = {NULL, NULL, NULL}, *map_path = NULL, *format = NULL, *out_path = NULL;
    const char *history = NULL, *cmd, *env_history, *home;
    char *home_history = NULL;
    json_t *domain = NULL;
    int npos = 0, pretty = 0, dry_run = 0, skip_invalid = 0, no_history = 0, i, status;
    long batch = 0;

    signal(SIGPIPE, SIG_IGN); /* a dropped TLS connection must not kill us */
    tool_prog = "odoo-products";
    tool_conn_init(&tc);
    memset(&map, 0, sizeof(map));

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int c = tool_conn_option(&tc, argc, argv, &i);
        if (c < 0)
            goto usage_error;
        if (c > 0)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            json_decref(domain);
            return TOOL_EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("odoo-products (libodoo %s)\n", odoo_version());
            json_decref(domain);
            return TOOL_EXIT_OK;
        } else if (strcmp(a, "--pretty") == 0) {
            pretty = 1;
        } else if (strcmp(a, "--dry-run") == 0) {
            dry_run = 1;
        } else if (strcmp(a, "--skip-invalid") == 0) {
            skip_invalid = 1;
        } else if (strcmp(a, "--no-history") == 0) {
            no_history = 1;
        } else if ((strcmp(a, "-m") == 0 || strcmp(a, "--mapping") == 0) && i + 1 < argc) {
            map_path = argv[++i];
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(a, "--history") == 0 && i + 1 < argc) {
            history = argv[++i];
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            format = argv[++i];
            if (strcmp(format, "csv") && strcmp(format, "json")) {
                tool_error("--format is csv or json");
                goto usage_error;
            }
        } else if (strcmp(a, "--batch") == 0 && i + 1 < argc) {
            char *end;
            batch = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || batch <= 0 || batch > 100000) {
                tool_error("--batch wants a number of records from 1 to 100000");
                goto usage_error;
            }
        } else if (strcmp(a, "--domain") == 0 && i + 1 < argc) {
            json_error_t jerr;
            json_decref(domain);
            domain = json_loads(argv[++i], 0, &jerr);
            if (!json_is_array(domain)) {
                tool_error("--domain must be a JSON array%s%s", domain ? "" : ": ",
                           domain ? "" : jerr.text);
                goto usage_error;
            }
        } else if (a[0] == '-' && a[1]) {
            tool_error("unknown option %s, or a missing value (see --help)", a);
            goto usage_error;
        } else if (npos < 3) {
            pos[npos++] = a;
        } else {
            npos = 3;
        }
    }
    cmd = npos ? pos[0] : "";
    if (!((strcmp(cmd, "import") == 0 && npos == 2 && map_path)
          || (strcmp(cmd, "export") == 0 && npos == 1 && map_path)
          || (strcmp(cmd, "test-connection") == 0 && npos == 1 && !map_path)
          || (strcmp(cmd, "stats") == 0 && npos == 1 && !map_path))
        || ((format || dry_run || skip_invalid) && strcmp(cmd, "import"))
        || ((domain || out_path) && strcmp(cmd, "export")))
        goto usage_error;

    env_history = getenv("ODOO_PRODUCTS_HISTORY");
    home = getenv("HOME");
    if (!history && env_history && *env_history)
        history = env_history;
    else if (!history && home && *home
             && (home_history = malloc(strlen(home) + 32)) != NULL) {
        sprintf(home_history, "%s/.odoo-products-history.jsonl", home);
        history = home_history;
    }
    if (no_history)
        history = NULL;

    if (strcmp(cmd, "stats") == 0) {
        status = cmd_stats(history, pretty);
    } else if (strcmp(cmd, "test-connection") == 0) {
        status = tool_connect(&tc, &client);
        if (status == TOOL_EXIT_OK)
            status = cmd_test_connection(client, pretty);
    } else {
        /* import / export: a run of the history from here on */
        run_start(&r, cmd, strcmp(cmd, "import") == 0 ? pos[1] : out_path);
        status = parse_mapping(map_path, &map) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
        if (status == TOOL_EXIT_OK && !domain && strcmp(cmd, "export") == 0)
            domain = json_pack("[[s, s, b]]", map.key, "!=", 0); /* re-importable ones */
        if (status == TOOL_EXIT_OK)
            status = tool_connect(&tc, &client);
        if (status == TOOL_EXIT_OK && strcmp(cmd, "import") == 0)
            status = cmd_import(client, &map, pos[1], format, dry_run, skip_invalid,
                                (size_t)batch, pretty, &r);
        else if (status == TOOL_EXIT_OK)
            status = cmd_export(client, &map, out_path, domain, (size_t)batch, pretty, &r);
        run_finish(&r, history, status);
        mapping_free(&map);
    }
    json_decref(domain);
    free(home_history);
    odoo_client_free(client);
    return status;

usage_error:
    json_decref(domain);
    usage(stderr);
    return TOOL_EXIT_USAGE;
}
