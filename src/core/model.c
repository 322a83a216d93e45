// SPDX-License-Identifier: MIT
/*
 * libodoo - helpers over call_kw: field whitelists checked against a cached
 * fields_get, keyset pagination, incremental cursors, batches and upserts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NOMEM(c) odoo__error_set(&(c)->err, ODOO_ENOMEM, 0, "out of memory")

/* ---- calls ---------------------------------------------------------------------- */

/* The start of a public helper: *out cleared first (NULL on every failure), the
 * client and, when @p out_required, @p out required, the last error cleared. */
static int begin(odoo_client *c, json_t **out, int out_required)
{
    if (out)
        *out = NULL;
    if (!c || (out_required && !out))
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    return ODOO_OK;
}

/* @p method on @p model with @p args and @p kwargs (both stolen: released here;
 * NULL: not sent). @p built false: they could not be built, out of memory and
 * nothing is sent. @p out NULL: the answer is dropped. */
static int call_built(odoo_client *c, json_t **out, const char *model, const char *method,
                      int built, json_t *args, json_t *kwargs, json_t *context)
{
    json_t *res = NULL;
    int rc = built ? odoo_call_kw(c, out ? out : &res, model, method, args, kwargs, context)
                   : NOMEM(c);
    json_decref(args);
    json_decref(kwargs);
    json_decref(res);
    return rc;
}

/* ---- field whitelists ---------------------------------------------------------- */

static json_t *names_to_array(const char *const *names)
{
    json_t *a = json_array();
    for (; a && names && *names; names++)
        if (json_array_append_new(a, json_string(*names)) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* The model's fields, from the cache or one fields_get call (borrowed). */
static int model_fields(odoo_client *c, const char *model, json_t **fields)
{
    json_t *res = NULL, *kwargs;
    int rc;

    *fields = c->fields_cache ? json_object_get(c->fields_cache, model) : NULL;
    if (*fields)
        return ODOO_OK;
    if (!c->fields_cache && !(c->fields_cache = json_object()))
        return NOMEM(c);
    kwargs = json_pack("{s:[s]}", "attributes", "type");
    rc = call_built(c, &res, model, "fields_get", kwargs != NULL, NULL, kwargs, NULL);
    if (rc != ODOO_OK)
        return rc;
    if (!json_is_object(res)) {
        json_decref(res);
        return odoo__error_set(&c->err, ODOO_EPROTOCOL, 200,
                               "fields_get on %s did not answer an object", model);
    }
    if (json_object_set_new(c->fields_cache, model, res) != 0)
        return NOMEM(c);
    *fields = res;
    return ODOO_OK;
}

static int check_model(odoo_client *c, const char *model)
{
    if (!odoo__valid_model_name(model))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "invalid model name");
    return ODOO_OK;
}

/* @p name is a field of @p model (@p fields: its fields_get); with @p path,
 * "field.subfield" names the first field's. */
static int check_one(odoo_client *c, const char *model, json_t *fields, const char *name,
                     int path)
{
    char head[256];
    size_t n = strcspn(name, ".");
    if (n == 0 || n >= sizeof(head) || (!path && name[n]))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "%s has no field '%s'", model, name);
    memcpy(head, name, n);
    head[n] = '\0';
    if (strcmp(head, "id") == 0 || json_object_get(fields, head))
        return ODOO_OK;
    return odoo__error_set(&c->err, ODOO_EINVAL, 0, "%s has no field '%s'", model, head);
}

int odoo_fields_check(odoo_client *c, const char *model, const char *const *names)
{
    json_t *fields;
    int rc;
    if ((rc = begin(c, NULL, 0)) != ODOO_OK || (rc = check_model(c, model)) != ODOO_OK
        || (rc = model_fields(c, model, &fields)) != ODOO_OK)
        return rc;
    for (; names && *names; names++)
        if ((rc = check_one(c, model, fields, *names, 1)) != ODOO_OK)
            return rc;
    return ODOO_OK;
}

static int check_field_list(odoo_client *c, const char *model, const char *const *names)
{
    if (!names || !*names)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "a field whitelist is required (a NULL-terminated list)");
    return odoo_fields_check(c, model, names);
}

/* The model's fields (borrowed) to check a value against; @p valid false: the
 * value has the wrong type, EINVAL with @p invalid_msg. */
static int fields_for(odoo_client *c, const char *model, int valid, const char *invalid_msg,
                      json_t **fields)
{
    if (!valid)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "%s", invalid_msg);
    return model_fields(c, model, fields);
}

/* The field names a domain's leaves use must exist too. */
static int check_domain(odoo_client *c, const char *model, json_t *domain)
{
    json_t *fields, *term;
    size_t i;
    int rc;
    if (!domain)
        return ODOO_OK;
    if ((rc = fields_for(c, model, json_is_array(domain), "a domain must be a JSON array",
                         &fields)) != ODOO_OK)
        return rc;
    json_array_foreach(domain, i, term) {
        if (json_is_string(term)) {
            const char *op = json_string_value(term);
            if (strcmp(op, "&") && strcmp(op, "|") && strcmp(op, "!"))
                return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                                       "domain: unknown operator '%s'", op);
            continue;
        }
        if (!json_is_array(term) || json_array_size(term) != 3
            || !json_is_string(json_array_get(term, 0)))
            return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                                   "domain: term %zu is not [field, operator, value]", i);
        if ((rc = check_one(c, model, fields, json_string_value(json_array_get(term, 0)), 1))
            != ODOO_OK)
            return rc;
    }
    return ODOO_OK;
}

static int check_values(odoo_client *c, const char *model, json_t *values)
{
    json_t *fields, *v;
    const char *key;
    int rc;
    if ((rc = fields_for(c, model, json_is_object(values), "values must be a JSON object",
                         &fields)) != ODOO_OK)
        return rc;
    json_object_foreach(values, key, v) {
        if ((rc = check_one(c, model, fields, key, 0)) != ODOO_OK)
            return rc;
    }
    return ODOO_OK;
}

static int check_ids(odoo_client *c, json_t *ids)
{
    json_t *v;
    size_t i;
    if (!json_is_array(ids))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "ids must be a JSON array of integers");
    json_array_foreach(ids, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                                   "ids must be a JSON array of positive integers");
    }
    return ODOO_OK;
}

/* ---- simple helpers ------------------------------------------------------------ */

static int check_paging(odoo_client *c, long limit, long offset)
{
    if (limit < 0 || offset < 0)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "limit and offset must be >= 0");
    return ODOO_OK;
}

/* {"domain": domain or []}, or NULL when out of memory. */
static json_t *domain_kwargs(json_t *domain)
{
    return json_pack("{s:o}", "domain", domain ? json_incref(domain) : json_array());
}

/* limit, offset and order of search/search_read (0 / NULL: not sent). */
static int set_paging(json_t *kwargs, const char *order, long limit, long offset)
{
    return (limit && json_object_set_new(kwargs, "limit", json_integer(limit)))
           || (offset && json_object_set_new(kwargs, "offset", json_integer(offset)))
           || (order && json_object_set_new(kwargs, "order", json_string(order)));
}

int odoo_fields_get(odoo_client *c, json_t **out, const char *model,
                    const char *const *attributes, json_t *context)
{
    json_t *kwargs;
    int rc;
    if ((rc = begin(c, out, 1)) != ODOO_OK)
        return rc;
    kwargs = json_object();
    return call_built(c, out, model, "fields_get",
                      kwargs && !(attributes && json_object_set_new(kwargs, "attributes",
                                                                    names_to_array(attributes))),
                      NULL, kwargs, context);
}

int odoo_search_read(odoo_client *c, json_t **out, const char *model, json_t *domain,
                     const char *const *fields, const char *order, long limit, long offset,
                     json_t *context)
{
    json_t *kwargs;
    int rc;
    if ((rc = begin(c, out, 1)) != ODOO_OK || (rc = check_paging(c, limit, offset)) != ODOO_OK
        || (rc = check_field_list(c, model, fields)) != ODOO_OK
        || (rc = check_domain(c, model, domain)) != ODOO_OK)
        return rc;
    kwargs = json_pack("{s:o, s:o}", "domain", domain ? json_incref(domain) : json_array(),
                       "fields", names_to_array(fields));
    return call_built(c, out, model, "search_read",
                      kwargs && !set_paging(kwargs, order, limit, offset), NULL, kwargs, context);
}

int odoo_read(odoo_client *c, json_t **out, const char *model, json_t *ids,
              const char *const *fields, json_t *context)
{
    json_t *args, *kwargs;
    int rc;
    if ((rc = begin(c, out, 1)) != ODOO_OK || (rc = check_ids(c, ids)) != ODOO_OK
        || (rc = check_field_list(c, model, fields)) != ODOO_OK)
        return rc;
    args = json_pack("[O]", ids);
    kwargs = json_pack("{s:o}", "fields", names_to_array(fields));
    return call_built(c, out, model, "read", args && kwargs, args, kwargs, context);
}

int odoo_search(odoo_client *c, json_t **out, const char *model, json_t *domain,
                const char *order, long limit, long offset, json_t *context)
{
    json_t *kwargs;
    int rc;
    if ((rc = begin(c, out, 1)) != ODOO_OK || (rc = check_paging(c, limit, offset)) != ODOO_OK
        || (rc = check_domain(c, model, domain)) != ODOO_OK)
        return rc;
    kwargs = domain_kwargs(domain);
    return call_built(c, out, model, "search",
                      kwargs && !set_paging(kwargs, order, limit, offset), NULL, kwargs, context);
}

int odoo_search_count(odoo_client *c, long long *out, const char *model, json_t *domain,
                      json_t *context)
{
    json_t *kwargs, *res = NULL;
    int rc;
    if (!c || !out)
        return ODOO_EINVAL;
    *out = 0;
    odoo__error_clear(&c->err);
    if ((rc = check_domain(c, model, domain)) != ODOO_OK)
        return rc;
    kwargs = domain_kwargs(domain);
    rc = call_built(c, &res, model, "search_count", kwargs != NULL, NULL, kwargs, context);
    if (rc == ODOO_OK) {
        if (!json_is_integer(res))
            rc = odoo__error_set(&c->err, ODOO_EPROTOCOL, 200,
                                 "search_count did not answer an integer");
        else
            *out = (long long)json_integer_value(res);
    }
    json_decref(res);
    return rc;
}

int odoo_write(odoo_client *c, const char *model, json_t *ids, json_t *values,
               json_t *context)
{
    json_t *args;
    int rc;
    if ((rc = begin(c, NULL, 0)) != ODOO_OK || (rc = check_ids(c, ids)) != ODOO_OK
        || (rc = check_values(c, model, values)) != ODOO_OK)
        return rc;
    if (json_array_size(ids) == 0)
        return ODOO_OK;
    args = json_pack("[O, O]", ids, values);
    return call_built(c, NULL, model, "write", args != NULL, args, NULL, context);
}

int odoo_create(odoo_client *c, json_t **out_ids, const char *model, json_t *values,
                json_t *context)
{
    json_t *args, *res = NULL, *v;
    size_t i;
    int rc;
    if ((rc = begin(c, out_ids, 0)) != ODOO_OK)
        return rc;
    if (json_is_array(values)) {
        json_array_foreach(values, i, v) {
            if ((rc = check_values(c, model, v)) != ODOO_OK)
                return rc;
        }
        if (json_array_size(values) == 0) {
            if (out_ids && !(*out_ids = json_array()))
                return NOMEM(c);
            return ODOO_OK;
        }
    } else if ((rc = check_values(c, model, values)) != ODOO_OK) {
        return rc;
    }
    args = json_pack("[O]", values);
    rc = call_built(c, &res, model, "create", args != NULL, args, NULL, context);
    if (rc != ODOO_OK)
        return rc;
    /* create(dict) answers an int, create([dict, ...]) a list of ints */
    if (json_is_integer(res)) {
        json_t *a = json_array();
        if (!a || json_array_append_new(a, res) != 0) {
            json_decref(a);
            return NOMEM(c);
        }
        res = a;
    }
    if (!json_is_array(res)
        || json_array_size(res) != (json_is_array(values) ? json_array_size(values) : 1)) {
        json_decref(res);
        return odoo__error_set(&c->err, ODOO_EPROTOCOL, 200,
                               "create did not answer one id per record");
    }
    if (out_ids)
        *out_ids = res;
    else
        json_decref(res);
    return ODOO_OK;
}

int odoo_unlink(odoo_client *c, const char *model, json_t *ids, json_t *context)
{
    json_t *args;
    int rc;
    if ((rc = begin(c, NULL, 0)) != ODOO_OK || (rc = check_ids(c, ids)) != ODOO_OK)
        return rc;
    if (json_array_size(ids) == 0)
        return ODOO_OK;
    args = json_pack("[O]", ids);
    return call_built(c, NULL, model, "unlink", args != NULL, args, NULL, context);
}

/* ---- batches ------------------------------------------------------------------- */

static json_t *slice(json_t *array, size_t from, size_t n)
{
    json_t *s = json_array();
    size_t i;
    for (i = from; s && i < from + n && i < json_array_size(array); i++)
        if (json_array_append(s, json_array_get(array, i)) != 0) {
            json_decref(s);
            return NULL;
        }
    return s;
}

int odoo_create_batch(odoo_client *c, json_t **out_ids, const char *model, json_t *records,
                      size_t chunk, json_t *context)
{
    json_t *all, *part, *ids = NULL, *v;
    size_t i, n;
    int rc;

    if ((rc = begin(c, out_ids, 0)) != ODOO_OK)
        return rc;
    if (!json_is_array(records))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "records must be a JSON array");
    if (!chunk)
        chunk = ODOO_DEFAULT_BATCH_SIZE;
    /* check every record before the first one is created */
    json_array_foreach(records, i, v) {
        if ((rc = check_values(c, model, v)) != ODOO_OK)
            return rc;
    }
    all = json_array();
    if (!all)
        return NOMEM(c);
    n = json_array_size(records);
    for (i = 0; i < n && rc == ODOO_OK; i += chunk) {
        part = slice(records, i, chunk);
        if (!part) {
            rc = NOMEM(c);
            break;
        }
        rc = odoo_create(c, &ids, model, part, context);
        json_decref(part);
        if (rc == ODOO_OK) {
            /* the records exist: a caller told only "out of memory" would
             * think nothing happened to them */
            if (json_array_extend(all, ids) != 0)
                rc = odoo__error_set(&c->err, ODOO_EINDOUBT, 0,
                                     "%zu records were created but their ids could not be "
                                     "recorded: out of memory",
                                     json_array_size(ids));
            json_decref(ids);
        }
    }
    if (out_ids)
        *out_ids = all;
    else
        json_decref(all);
    return rc;
}

/* The canonical text of a value set (sorted keys), or NULL. Not json_dumps():
 * jansson 2.14 can return a text without a key it failed to write, and two
 * different value sets would share a group (see odoo__buf_set_json). */
static char *canon_text(json_t *values)
{
    odoo__buf b = {0};
    if (odoo__buf_set_json_flags(&b, values, JSON_COMPACT | JSON_SORT_KEYS) != ODOO_OK) {
        odoo__buf_dispose(&b);
        return NULL;
    }
    return b.data;
}

int odoo_write_grouped(odoo_client *c, const char *model, json_t *updates, size_t chunk,
                       unsigned long *calls, json_t *context)
{
    json_t *groups, *u, *group;
    const char *key;
    size_t i;
    int rc;

    if (calls)
        *calls = 0;
    if ((rc = begin(c, NULL, 0)) != ODOO_OK)
        return rc;
    if (!json_is_array(updates))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "updates must be a JSON array of {\"id\", \"values\"}");
    if (!chunk)
        chunk = ODOO_DEFAULT_BATCH_SIZE;
    groups = json_object(); /* canonical values text -> {"values", "ids"} */
    if (!groups)
        return NOMEM(c);
    json_array_foreach(updates, i, u) {
        json_t *id = json_object_get(u, "id"), *values = json_object_get(u, "values");
        char *canon;
        if (!json_is_integer(id) || json_integer_value(id) <= 0 || !json_is_object(values)) {
            rc = odoo__error_set(&c->err, ODOO_EINVAL, 0,
                                 "update %zu is not {\"id\": N, \"values\": {...}}", i);
            break;
        }
        if ((rc = check_values(c, model, values)) != ODOO_OK)
            break;
        canon = canon_text(values);
        if (!canon) {
            rc = NOMEM(c);
            break;
        }
        group = json_object_get(groups, canon);
        if (!group) {
            group = json_pack("{s:O, s:[]}", "values", values, "ids");
            if (!group || json_object_set_new(groups, canon, group) != 0) {
                free(canon);
                rc = NOMEM(c);
                break;
            }
        }
        free(canon);
        if (json_array_append(json_object_get(group, "ids"), id) != 0) {
            rc = NOMEM(c);
            break;
        }
    }
    if (rc == ODOO_OK) {
        json_object_foreach(groups, key, group) {
            json_t *ids = json_object_get(group, "ids");
            size_t n = json_array_size(ids);
            for (i = 0; i < n && rc == ODOO_OK; i += chunk) {
                json_t *part = slice(ids, i, chunk);
                if (!part) {
                    rc = NOMEM(c);
                    break;
                }
                rc = odoo_write(c, model, part, json_object_get(group, "values"), context);
                json_decref(part);
                if (rc == ODOO_OK && calls)
                    (*calls)++;
            }
            if (rc != ODOO_OK)
                break;
        }
    }
    json_decref(groups);
    return rc;
}

/* ---- upsert helpers (odoo_upsert_ex) ---- */

/* Odoo's "empty": false, and what an input means by it (null, "", false). */
static int upsert_empty(json_t *v)
{
    return !v || json_is_null(v) || json_is_false(v)
           || (json_is_string(v) && json_string_length(v) == 0);
}

/* A list of ids as Odoo reads an x2many back, from what a write gives: a
 * plain list of ids or [[6, 0, ids]]. NULL when it is something else (other
 * commands): then the values are taken as different. Borrowed. */
static json_t *upsert_x2many_ids(json_t *v)
{
    json_t *cmd = json_array_get(v, 0);
    if (json_is_array(v) && json_array_size(v) == 1 && json_is_array(cmd)
        && json_array_size(cmd) == 3 && json_integer_value(json_array_get(cmd, 0)) == 6)
        v = json_array_get(cmd, 2);
    if (!json_is_array(v))
        return NULL;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_integer(json_array_get(v, i)))
            return NULL;
    return v;
}

static int upsert_same_ids(json_t *a, json_t *b)
{
    size_t i, j;
    if (json_array_size(a) != json_array_size(b))
        return 0;
    for (i = 0; i < json_array_size(a); i++) {
        int found = 0;
        for (j = 0; j < json_array_size(b) && !found; j++)
            found = json_integer_value(json_array_get(a, i))
                    == json_integer_value(json_array_get(b, j));
        if (!found)
            return 0;
    }
    return 1;
}

/* Would writing @p want change the stored @p have? Compared the way Odoo
 * normalises a written value, by field type (@p info: fields_get's "type"
 * and "digits"). When in doubt, different: a needless write is harmless, a
 * skipped one loses data. */
static int upsert_same_value(json_t *info, json_t *want, json_t *have)
{
    const char *type = json_string_value(json_object_get(info, "type"));
    if (!type)
        return json_equal(want, have);
    if (strcmp(type, "boolean") == 0)
        return (json_is_boolean(want) || json_is_null(want))
               && json_is_true(want) == json_is_true(have);
    if (upsert_empty(want) || json_is_false(have))
        return upsert_empty(want) && (json_is_false(have) || json_is_null(have));
    if (strcmp(type, "integer") == 0 || strcmp(type, "float") == 0
        || strcmp(type, "monetary") == 0) {
        json_t *digits = json_object_get(info, "digits");
        double a, b;
        if (!json_is_number(want) || !json_is_number(have))
            return 0;
        a = json_number_value(want);
        b = json_number_value(have);
        /* Odoo rounds a float field with digits (precision, scale) to scale */
        if (json_is_array(digits) && json_is_integer(json_array_get(digits, 1))) {
            json_int_t scale = json_integer_value(json_array_get(digits, 1));
            double f = 1.0;
            for (json_int_t k = 0; k < scale && k < 15; k++)
                f *= 10.0;
            a *= f;
            b *= f;
            if (fabs(a) > 9e15 || fabs(b) > 9e15)
                return a == b;
            /* half away from zero, as Odoo's float_round (no libm: casts) */
            return (long long)(a + (a < 0 ? -0.5 : 0.5)) == (long long)(b + (b < 0 ? -0.5 : 0.5));
        }
        return a == b;
    }
    if (strcmp(type, "many2one") == 0) {
        if (json_is_array(want))
            want = json_array_get(want, 0);
        if (json_is_array(have))
            have = json_array_get(have, 0);
        return json_is_integer(want) && json_is_integer(have)
               && json_integer_value(want) == json_integer_value(have);
    }
    if (strcmp(type, "many2many") == 0 || strcmp(type, "one2many") == 0) {
        json_t *ids;
        /* an empty list is no command at all: a write leaves the value as is */
        if (json_is_array(want) && json_array_size(want) == 0)
            return 1;
        ids = upsert_x2many_ids(want);
        return ids && json_is_array(have) && upsert_same_ids(ids, have);
    }
    if (strcmp(type, "html") == 0 && json_is_string(want) && json_is_string(have)) {
        /* Odoo stores "Fragile" as "<p>Fragile</p>" */
        const char *w = json_string_value(want), *h = json_string_value(have);
        size_t wl = strlen(w), hl = strlen(h);
        return strcmp(w, h) == 0
               || (w[0] != '<' && hl == wl + 7 && strncmp(h, "<p>", 3) == 0
                   && strncmp(h + 3, w, wl) == 0 && strcmp(h + 3 + wl, "</p>") == 0);
    }
    /* char, text, selection, date, datetime, ...: the same JSON value */
    return json_equal(want, have);
}

/* The fields to read of the existing records: id, the key, active (when the
 * model has it) and, to compare, every field the input writes. A new
 * NULL-terminated array of borrowed names (free() it), NULL when out of memory. */
static const char **upsert_read_fields(json_t *records, const char *key_field, int has_active,
                                       int compare, json_t *names)
{
    const char **list;
    const char *key;
    json_t *r, *v;
    size_t i, n = 0;
    if (json_object_set_new(names, "id", json_true()) != 0
        || json_object_set_new(names, key_field, json_true()) != 0
        || (has_active && json_object_set_new(names, "active", json_true()) != 0))
        return NULL;
    if (compare)
        json_array_foreach(records, i, r)
            json_object_foreach(r, key, v)
                if (json_object_set_new(names, key, json_true()) != 0)
                    return NULL;
    list = odoo__calloc(json_object_size(names) + 1, sizeof(*list));
    if (!list)
        return NULL;
    json_object_foreach(names, key, v)
        list[n++] = key;
    return list;
}

int odoo_upsert_ex(odoo_client *c, json_t **out, const char *model, const char *key_field,
                   json_t *records, size_t chunk, unsigned int flags, json_t *context)
{
    json_t *keys = NULL, *existing = NULL, *to_create = NULL, *updates = NULL;
    json_t *created = NULL, *updated = NULL, *unchanged = NULL, *archived = NULL, *r;
    json_t *seen = NULL, *model_info, *types = NULL, *names = NULL, *search_ctx = NULL;
    const char **fields = NULL;
    const char *check[3];
    int compare = (flags & ODOO_UPSERT_SKIP_UNCHANGED) != 0, has_active;
    size_t i;
    int rc;

    /* no key field: as no client, EINVAL and the last error left as it is */
    if ((rc = begin(key_field ? c : NULL, out, 0)) != ODOO_OK)
        return rc;
    if (!json_is_array(records))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "records must be a JSON array");
    if (context && !json_is_object(context))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "context must be a JSON object");
    if (!chunk)
        chunk = ODOO_DEFAULT_BATCH_SIZE;
    check[0] = "id";
    check[1] = key_field;
    check[2] = NULL;
    if ((rc = odoo_fields_check(c, model, check)) != ODOO_OK
        || (rc = model_fields(c, model, &model_info)) != ODOO_OK)
        return rc;
    has_active = json_object_get(model_info, "active") != NULL;

    keys = json_array();
    existing = json_object(); /* key text -> the existing record read */
    seen = json_object();
    to_create = json_array();
    updates = json_array();
    updated = json_array();
    unchanged = json_array();
    archived = json_array();
    names = json_object();
    /* archived records are matched too (else a second record with the same
     * key would be created): active_test false, for the search only */
    search_ctx = context ? json_deep_copy(context) : json_object();
    if (!keys || !existing || !seen || !to_create || !updates || !updated || !unchanged
        || !archived || !names || !search_ctx
        || json_object_set_new(search_ctx, "active_test", json_false()) != 0) {
        rc = NOMEM(c);
        goto done;
    }
    json_array_foreach(records, i, r) {
        json_t *k = json_object_get(r, key_field);
        if (!json_is_object(r) || !json_is_string(k) || !*json_string_value(k)) {
            rc = odoo__error_set(&c->err, ODOO_EINVAL, 0,
                                 "record %zu has no string '%s'", i, key_field);
            goto done;
        }
        if ((rc = check_values(c, model, r)) != ODOO_OK)
            goto done;
        if (json_object_get(seen, json_string_value(k))) {
            rc = odoo__error_set(&c->err, ODOO_EINVAL, 0, "duplicate %s '%s' in the input",
                                 key_field, json_string_value(k));
            goto done;
        }
        if (json_object_set_new(seen, json_string_value(k), json_true()) != 0
            || json_array_append(keys, k) != 0) {
            rc = NOMEM(c);
            goto done;
        }
    }
    if (!(fields = upsert_read_fields(records, key_field, has_active, compare, names))) {
        rc = NOMEM(c);
        goto done;
    }
    if (compare) {
        /* the types and digits of the fields compared (one fields_get) */
        static const char *const attrs[] = {"type", "digits", NULL};
        if ((rc = odoo_fields_get(c, &types, model, attrs, NULL)) != ODOO_OK)
            goto done;
    }
    /* find the existing records, chunk keys per search_read */
    for (i = 0; i < json_array_size(keys); i += chunk) {
        json_t *part = slice(keys, i, chunk), *domain, *rows = NULL, *row;
        size_t j;
        domain = part ? json_pack("[[s, s, o]]", key_field, "in", part) : NULL;
        if (!domain) {
            rc = NOMEM(c);
            goto done;
        }
        rc = odoo_search_read(c, &rows, model, domain, fields, "id asc", 0, 0, search_ctx);
        json_decref(domain);
        if (rc != ODOO_OK)
            goto done;
        json_array_foreach(rows, j, row) {
            json_t *k = json_object_get(row, key_field), *prev;
            if (!json_is_string(k))
                continue;
            /* a record missed here would be created a second time; of several
             * with one key, the first active one, else the first archived one */
            prev = json_object_get(existing, json_string_value(k));
            if ((!prev || (json_is_false(json_object_get(prev, "active"))
                           && !json_is_false(json_object_get(row, "active"))))
                && json_object_set(existing, json_string_value(k), row) != 0) {
                json_decref(rows);
                rc = NOMEM(c);
                goto done;
            }
        }
        json_decref(rows);
    }
    json_array_foreach(records, i, r) {
        const char *k = json_string_value(json_object_get(r, key_field));
        json_t *row = json_object_get(existing, k), *id = json_object_get(row, "id");
        if (row) {
            /* the key already has this value: write the rest only (what
             * differs, when comparing), so records needing the same changes
             * share one write */
            json_t *vals = json_object(), *v;
            const char *f;
            int bad = !vals;
            json_object_foreach(r, f, v) {
                if (bad || strcmp(f, key_field) == 0)
                    continue;
                if (compare && upsert_same_value(json_object_get(types, f), v,
                                                 json_object_get(row, f)))
                    continue;
                bad = json_object_set(vals, f, v) != 0;
            }
            if (!bad && json_object_size(vals) > 0) {
                json_t *u = json_pack("{s:O, s:O}", "id", id, "values", vals);
                bad = !u || json_array_append_new(updates, u) != 0
                      || json_array_append(updated, id) != 0;
            } else if (!bad) {
                bad = json_array_append(compare ? unchanged : updated, id) != 0;
            }
            if (!bad && json_is_false(json_object_get(row, "active")))
                bad = json_array_append(archived, id) != 0;
            json_decref(vals);
            if (bad) {
                rc = NOMEM(c);
                goto done;
            }
        } else if (json_array_append(to_create, r) != 0) {
            rc = NOMEM(c);
            goto done;
        }
    }
    rc = odoo_create_batch(c, &created, model, to_create, chunk, context);
    if (rc != ODOO_OK)
        goto done;
    rc = odoo_write_grouped(c, model, updates, chunk, NULL, context);
done:
    if (out && (rc == ODOO_OK || created)) {
        /* "o" steals: the fresh empty arrays do not leak */
        *out = json_pack("{s:o, s:o, s:o, s:o}", "created",
                         created ? json_incref(created) : json_array(), "updated",
                         rc == ODOO_OK ? json_incref(updated) : json_array(), "unchanged",
                         rc == ODOO_OK ? json_incref(unchanged) : json_array(), "archived",
                         rc == ODOO_OK ? json_incref(archived) : json_array());
        /* done, but the caller cannot learn what was created */
        if (!*out && rc == ODOO_OK)
            rc = odoo__error_set(&c->err, ODOO_EINDOUBT, 0,
                                 "the upsert was applied but its result could not be built: "
                                 "out of memory");
    }
    free((void *)fields);
    json_decref(names);
    json_decref(types);
    json_decref(search_ctx);
    json_decref(keys);
    json_decref(existing);
    json_decref(seen);
    json_decref(to_create);
    json_decref(updates);
    json_decref(created);
    json_decref(updated);
    json_decref(unchanged);
    json_decref(archived);
    return rc;
}

int odoo_upsert(odoo_client *c, json_t **out, const char *model, const char *key_field,
                json_t *records, size_t chunk, json_t *context)
{
    return odoo_upsert_ex(c, out, model, key_field, records, chunk, 0, context);
}

/* ---- iterators ------------------------------------------------------------------ */

struct odoo_iter {
    odoo_client *client;
    char *model;
    json_t *domain;
    json_t *fields;
    size_t page_size;
    int changed;    /* (write_date, id) cursor instead of id keyset */
    json_t *page;   /* current page */
    size_t pos;     /* next record of the page */
    int last_page;  /* the current page was the last one */
    long long last_id; /* keyset position: the last record handed out */
    char *last_wd;
    long long cur_id;  /* the cursor: the greatest (write_date, id) handed out or given */
    char *cur_wd;
    char *overlap_from; /* first page: write_date >= this (odoo_iter_set_overlap) */
    /* where the next changed-since query starts (moved only by a successful
     * fetch), by q_mode (iter_fetch_changed): the rest of second q_wd (ids
     * above q_id, not held) and the later seconds; the seconds after q_wd
     * (from the start when q_wd is NULL); or, for a second larger than a
     * page, a keyset by id inside it after q_id */
    char *q_wd;
    long long q_id;
    int q_mode;
    int q_started;
    int q_done;    /* the last query came back short: nothing after ready */
    json_t *held;  /* records of second q_wd read before a page was cut inside it */
    json_t *ready; /* complete records past a page's size, handed out next */
    unsigned long long count;
    unsigned long pages;
    int checked;
};

static int iter_create(odoo_iter **out, odoo_client *c, const char *model, json_t *domain,
                       const char *const *fields, size_t page_size, int changed)
{
    odoo_iter *it;
    int rc;
    if (!out)
        return ODOO_EINVAL;
    *out = NULL;
    if ((rc = begin(c, NULL, 0)) != ODOO_OK || (rc = check_model(c, model)) != ODOO_OK)
        return rc;
    if (!fields || !*fields)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "a field whitelist is required");
    if (domain && !json_is_array(domain))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "a domain must be a JSON array");
    if (page_size > 1000000)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "page size too large");
    it = odoo__calloc(1, sizeof(*it));
    if (!it)
        return NOMEM(c);
    it->client = c;
    it->changed = changed;
    it->page_size = page_size ? page_size : ODOO_DEFAULT_BATCH_SIZE;
    it->model = odoo__strdup(model);
    it->domain = domain ? odoo__json_deep_copy(domain) : json_array();
    it->fields = names_to_array(fields);
    if (!it->model || !it->domain || !it->fields) {
        odoo_iter_free(it);
        return NOMEM(c);
    }
    *out = it;
    return ODOO_OK;
}

int odoo_iter_new(odoo_iter **out, odoo_client *c, const char *model, json_t *domain,
                  const char *const *fields, size_t page_size)
{
    return iter_create(out, c, model, domain, fields, page_size, 0);
}

int odoo_iter_changed_since(odoo_iter **out, odoo_client *c, const char *model,
                            json_t *domain, const char *const *fields, size_t page_size,
                            const char *since_write_date, long long since_id)
{
    int rc = iter_create(out, c, model, domain, fields, page_size, 1);
    if (rc != ODOO_OK)
        return rc;
    if (since_write_date && *since_write_date) {
        (*out)->last_wd = odoo__strdup(since_write_date);
        (*out)->cur_wd = odoo__strdup(since_write_date);
        (*out)->last_id = (*out)->cur_id = since_id;
        if (!(*out)->last_wd || !(*out)->cur_wd) {
            odoo_iter_free(*out);
            *out = NULL;
            return NOMEM(c);
        }
    }
    return ODOO_OK;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), and back. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    long long era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    long long era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long long)yoe + era * 400 + (*m <= 2);
}

static int wd_add(const char *wd, long long delta, char out[32]);

int odoo_iter_set_overlap(odoo_iter *it, unsigned int seconds)
{
    char buf[32];
    if (!it)
        return ODOO_EINVAL;
    odoo__error_clear(&it->client->err);
    if (!it->changed)
        return odoo__error_set(&it->client->err, ODOO_EINVAL, 0,
                               "an overlap needs an iterator from odoo_iter_changed_since()");
    if (it->pages || it->count)
        return odoo__error_set(&it->client->err, ODOO_EINVAL, 0,
                               "the overlap must be set before the first record");
    if (!it->last_wd)
        return ODOO_OK; /* from the start: everything is read anyway */
    if (wd_add(it->last_wd, -(long long)seconds, buf) != 0)
        return odoo__error_set(&it->client->err, ODOO_EINVAL, 0,
                               "the cursor's write_date is not \"YYYY-MM-DD HH:MM:SS\"");
    free(it->overlap_from);
    it->overlap_from = odoo__strdup(buf);
    return it->overlap_from ? ODOO_OK : NOMEM(it->client);
}

void odoo_iter_free(odoo_iter *it)
{
    if (!it)
        return;
    free(it->cur_wd);
    free(it->overlap_from);
    free(it->q_wd);
    json_decref(it->held);
    json_decref(it->ready);
    free(it->model);
    json_decref(it->domain);
    json_decref(it->fields);
    json_decref(it->page);
    free(it->last_wd);
    free(it);
}

static int has_field(json_t *fields, const char *name)
{
    json_t *v;
    size_t i;
    json_array_foreach(fields, i, v) {
        if (strcmp(json_string_value(v), name) == 0)
            return 1;
    }
    return 0;
}

/* Check the field list and the domain once, before the first query. */
static int iter_check(odoo_iter *it)
{
    odoo_client *c = it->client;
    const char **names;
    size_t i, n = json_array_size(it->fields);
    int rc;
    if (it->checked)
        return ODOO_OK;
    names = odoo__calloc(n + 1, sizeof(*names));
    if (!names)
        return NOMEM(c);
    for (i = 0; i < n; i++)
        names[i] = json_string_value(json_array_get(it->fields, i));
    rc = check_field_list(c, it->model, names);
    free(names);
    if (rc == ODOO_OK)
        rc = check_domain(c, it->model, it->domain);
    if (rc == ODOO_OK)
        it->checked = 1;
    return rc;
}

/* One search_read of the iterator's model: its domain plus @p extra (stolen),
 * its fields plus id (and write_date), @p order, the page size. */
static int iter_query(odoo_iter *it, json_t **out, json_t *extra, const char *order)
{
    odoo_client *c = it->client;
    json_t *domain, *fields, *kwargs, *res = NULL;
    int rc;

    *out = NULL;
    fields = odoo__json_copy(it->fields);
    domain = odoo__json_copy(it->domain);
    if (!fields || !domain || (extra && json_array_extend(domain, extra) != 0))
        goto nomem;
    json_decref(extra);
    extra = NULL;
    if (!has_field(fields, "id") && json_array_append_new(fields, json_string("id")))
        goto nomem;
    if (it->changed && !has_field(fields, "write_date")
        && json_array_append_new(fields, json_string("write_date")))
        goto nomem;
    kwargs = json_pack("{s:o, s:o, s:I, s:s}", "domain", domain, "fields", fields, "limit",
                       (json_int_t)it->page_size, "order", order);
    domain = fields = NULL;
    rc = call_built(c, &res, it->model, "search_read", kwargs != NULL, NULL, kwargs, NULL);
    if (rc != ODOO_OK)
        return rc;
    if (!json_is_array(res)) {
        json_decref(res);
        return odoo__error_set(&c->err, ODOO_EPROTOCOL, 200, "search_read did not answer a list");
    }
    it->pages++;
    *out = res;
    return ODOO_OK;

nomem:
    json_decref(extra);
    json_decref(fields);
    json_decref(domain);
    return NOMEM(c);
}

static void iter_set_page(odoo_iter *it, json_t *page, int last)
{
    json_decref(it->page);
    it->page = page;
    it->pos = 0;
    it->last_page = last;
}

/* The id keyset: pages ordered by id, each after the last id handed out. */
static int iter_fetch_ids(odoo_iter *it)
{
    json_t *extra = NULL, *res;
    int rc;
    if (it->last_id) {
        extra = json_pack("[[s, s, I]]", "id", ">", (json_int_t)it->last_id);
        if (!extra)
            return NOMEM(it->client);
    }
    rc = iter_query(it, &res, extra, "id asc");
    if (rc != ODOO_OK)
        return rc;
    iter_set_page(it, res, json_array_size(res) < it->page_size);
    return ODOO_OK;
}

/* "YYYY-MM-DD HH:MM:SS" plus @p delta seconds into @p out (32 bytes).
 * -1 when @p wd is not such a text. */
static int wd_add(const char *wd, long long delta, char out[32])
{
    int y, mo, d, h, mi, sec, n = 0;
    long long t, yy, days;
    unsigned um, ud;
    int sod;
    if (!wd || sscanf(wd, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6
        || wd[n] != '\0' || n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23
        || mi > 59 || sec > 60)
        return -1;
    t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec + delta;
    days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    sod = (int)(t - days * 86400);
    civil_from_days(days, &yy, &um, &ud);
    if (yy < 1) /* further back than any record */
        yy = 1, um = 1, ud = 1, sod = 0;
    if (yy > 9999)
        yy = 9999, um = 12, ud = 31, sod = 86399;
    snprintf(out, 32, "%04d-%02u-%02u %02d:%02d:%02d", (int)yy, um % 100, ud % 100,
             (sod / 3600) % 24, (sod / 60) % 60, sod % 60);
    return 0;
}

/* The whole second a record's write_date shows ("YYYY-MM-DD HH:MM:SS"). */
static const char *record_second(json_t *record)
{
    const char *wd = json_string_value(json_object_get(record, "write_date"));
    return wd && strlen(wd) == 19 ? wd : NULL;
}

static int by_second_then_id(const void *a, const void *b)
{
    json_t *ra = *(json_t *const *)a, *rb = *(json_t *const *)b;
    int c = strcmp(record_second(ra), record_second(rb));
    json_int_t ia, ib;
    if (c)
        return c;
    ia = json_integer_value(json_object_get(ra, "id"));
    ib = json_integer_value(json_object_get(rb, "id"));
    return (ia > ib) - (ia < ib);
}

/* Every record of @p res has an integer id and a whole-second write_date. */
static int check_records(odoo_iter *it, json_t *res)
{
    json_t *r;
    size_t i;
    json_array_foreach(res, i, r) {
        if (!json_is_integer(json_object_get(r, "id")))
            return odoo__error_set(&it->client->err, ODOO_EPROTOCOL, 200,
                                   "a record came without an integer id");
        if (!record_second(r))
            return odoo__error_set(&it->client->err, ODOO_EPROTOCOL, 200,
                                   "a record came without write_date \"YYYY-MM-DD HH:MM:SS\"");
    }
    return ODOO_OK;
}

/* iter_query, then check_records: a page of records with ids and seconds. */
static int query_records(odoo_iter *it, json_t **res, json_t *extra, const char *order)
{
    int rc = iter_query(it, res, extra, order);
    if (rc == ODOO_OK && (rc = check_records(it, *res)) != ODOO_OK) {
        json_decref(*res);
        *res = NULL;
    }
    return rc;
}

/*
 * The changed-since cursor, exact on every Odoo version. Odoo shows write_date
 * in whole seconds; 16.0-18.0 keep microseconds underneath (one value per
 * transaction) and compare domains against them, 19.0 compares whole seconds.
 * So the position is (shown second, id) and every query names whole-second
 * bounds, which select the same records on all of them. One query a page,
 * ordered by write_date, id (by the stored value: a second's records all come
 * before any later second's):
 *   - Q_REST: the rest of second S (write_date >= S, < S+1, id > I, and not
 *     one of the records held from S) or any later second (write_date >=
 *     S+1). Its records of S come first; when later ones follow (or the page
 *     is short), S is complete: the held records and these.
 *   - Q_NEXT: the seconds after S (write_date >= S+1; everything when S is
 *     unknown): the first page of a run, and after a second read by id.
 * The seconds of a page before its last one are complete and handed out
 * ordered by (second, id). The last second of a full page may go on: its
 * records are held (not handed out) and the next query asks for the rest of
 * it, so no record is read twice. A second with more records than a page
 * holds (it filled a query alone) is read by id instead (Q_KEYSET: write_date
 * in S, id > I, id asc).
 * A page may hold up to twice page_size records (the held ones and a full
 * query): those past page_size wait in `ready`, handed out without a query.
 */
enum { Q_KEYSET = 0, Q_NEXT = 1, Q_REST = 2 };

/* A page of at most page_size records of @p sorted (owned), the rest into
 * it->ready; the last page when the queries are done and nothing waits. */
static int iter_hand_out(odoo_iter *it, json_t *sorted)
{
    size_t n = json_array_size(sorted);
    json_t *page = sorted;
    json_decref(it->ready);
    it->ready = NULL;
    if (n > it->page_size) {
        page = slice(sorted, 0, it->page_size);
        it->ready = slice(sorted, it->page_size, n - it->page_size);
        json_decref(sorted);
        if (!page || !it->ready) {
            json_decref(page);
            json_decref(it->ready);
            it->ready = NULL;
            return NOMEM(it->client);
        }
    }
    iter_set_page(it, page, it->q_done && !it->ready);
    return ODOO_OK;
}

/* The query of the rest of q_wd's second and the later ones (Q_REST) or of
 * the later ones (Q_NEXT). */
static json_t *changed_extra(odoo_iter *it, const char *next)
{
    json_t *extra, *ids, *r;
    size_t i;
    if (it->q_mode == Q_NEXT)
        return it->q_wd ? json_pack("[[s, s, s]]", "write_date", ">=", next) : json_array();
    ids = json_array();
    json_array_foreach(it->held, i, r)
        if (!ids || json_array_append(ids, json_object_get(r, "id")) != 0)
            break;
    if (!ids || i < json_array_size(it->held)) {
        json_decref(ids);
        return NULL;
    }
    extra = json_pack("[s, s, s, s, [s, s, s], [s, s, s], [s, s, I], [s, s, o], [s, s, s]]",
                      "|", "&", "&", "&", "write_date", ">=", it->q_wd, "write_date", "<", next,
                      "id", ">", (json_int_t)it->q_id, "id", "not in", ids, "write_date", ">=",
                      next);
    return extra;
}

static int iter_fetch_changed(odoo_iter *it)
{
    odoo_client *c = it->client;
    char next[32];
    int rc;

    if (!it->q_started) {
        free(it->q_wd);
        it->q_wd = NULL;
        it->q_id = 0;
        it->q_mode = Q_NEXT;
        if (it->overlap_from) {
            /* the first page goes back: the whole seconds from cursor - overlap,
             * read like the seconds after a position (write_date >= its first
             * second): one query when nothing changed since */
            char before[32];
            if (wd_add(it->overlap_from, -1, before) != 0)
                return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                                       "the cursor's write_date is not \"YYYY-MM-DD HH:MM:SS\"");
            it->q_wd = odoo__strdup(before);
        } else if (it->last_wd) {
            /* the rest of the cursor's second after its id, and the later ones:
             * one query when nothing changed since */
            it->q_wd = odoo__strdup(it->last_wd);
            it->q_id = it->last_id;
            it->q_mode = Q_REST;
        }
        if ((it->overlap_from || it->last_wd) && !it->q_wd)
            return NOMEM(c);
        it->q_started = 1;
    }
    if (it->ready) {
        json_t *ready = it->ready;
        it->ready = NULL;
        return iter_hand_out(it, ready);
    }
    for (;;) {
        json_t *extra, *res, *all, **v;
        size_t n, n_s = 0, keep, i, nh;
        char *last = NULL;
        if (it->q_wd && wd_add(it->q_wd, it->q_mode == Q_KEYSET ? 0 : 1, next) != 0)
            return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                                   "the cursor's write_date is not \"YYYY-MM-DD HH:MM:SS\"");
        if (it->q_mode == Q_KEYSET) {
            char end[32];
            (void)wd_add(it->q_wd, 1, end);
            extra = json_pack("[[s, s, s], [s, s, s], [s, s, I]]", "write_date", ">=", next,
                              "write_date", "<", end, "id", ">", (json_int_t)it->q_id);
            if (!extra)
                return NOMEM(c);
            if ((rc = query_records(it, &res, extra, "id asc")) != ODOO_OK)
                return rc;
            n = json_array_size(res);
            if (n == it->page_size)
                it->q_id = (long long)json_integer_value(
                    json_object_get(json_array_get(res, n - 1), "id"));
            else
                it->q_mode = Q_NEXT; /* the second is done */
            if (n) {
                iter_set_page(it, res, 0);
                return ODOO_OK;
            }
            json_decref(res);
            continue;
        }
        extra = changed_extra(it, next);
        if (!extra)
            return NOMEM(c);
        if ((rc = query_records(it, &res, extra, "write_date asc, id asc")) != ODOO_OK)
            return rc;
        n = json_array_size(res);
        if (it->q_mode == Q_REST)
            while (n_s < n && strcmp(record_second(json_array_get(res, n_s)), it->q_wd) == 0)
                n_s++;
        if (it->q_mode == Q_REST && n == it->page_size && n_s == n) {
            /* second S alone fills a page: read it by id from the position */
            json_decref(res);
            json_decref(it->held);
            it->held = NULL;
            it->q_mode = Q_KEYSET;
            continue;
        }
        /* complete: what is held of S, its rest, and the later seconds but the
         * last one of a full page, which may go on */
        keep = n;
        if (n == it->page_size) {
            const char *ls = record_second(json_array_get(res, n - 1));
            while (keep > n_s && strcmp(record_second(json_array_get(res, keep - 1)), ls) == 0)
                keep--;
            last = odoo__strdup(ls);
            if (!last) {
                json_decref(res);
                return NOMEM(c);
            }
        }
        nh = json_array_size(it->held);
        v = nh + keep ? odoo__calloc(nh + keep, sizeof(*v)) : NULL;
        all = json_array();
        if ((nh + keep && !v) || !all) {
            free(v);
            free(last);
            json_decref(all);
            json_decref(res);
            return NOMEM(c);
        }
        for (i = 0; i < nh; i++)
            v[i] = json_array_get(it->held, i);
        for (i = 0; i < keep; i++)
            v[nh + i] = json_array_get(res, i);
        if (nh + keep)
            qsort(v, nh + keep, sizeof(*v), by_second_then_id);
        for (i = 0; i < nh + keep; i++) {
            if (json_array_append(all, v[i]) != 0) {
                free(v);
                free(last);
                json_decref(all);
                json_decref(res);
                return NOMEM(c);
            }
        }
        free(v);
        json_decref(it->held);
        it->held = NULL;
        if (last && keep == 0 && n_s == 0) {
            /* the last second filled the whole query: larger than a page, read
             * it by id from its start */
            free(it->q_wd);
            it->q_wd = last;
            it->q_id = 0;
            it->q_mode = Q_KEYSET;
        } else if (last) {
            /* the last second may go on: hold what came of it */
            it->held = slice(res, keep, n - keep);
            if (!it->held) {
                free(last);
                json_decref(all);
                json_decref(res);
                return NOMEM(c);
            }
            free(it->q_wd);
            it->q_wd = last;
            it->q_id = 0;
            it->q_mode = Q_REST;
        } else {
            it->q_done = 1;
        }
        json_decref(res);
        if (json_array_size(all) || it->q_done)
            return iter_hand_out(it, all);
        json_decref(all);
    }
}

static int iter_fetch(odoo_iter *it)
{
    int rc = iter_check(it);
    if (rc != ODOO_OK)
        return rc;
    return it->changed ? iter_fetch_changed(it) : iter_fetch_ids(it);
}

static int iter_advance(odoo_iter *it, json_t *record)
{
    json_t *id = json_object_get(record, "id");
    if (!json_is_integer(id))
        return odoo__error_set(&it->client->err, ODOO_EPROTOCOL, 200,
                               "a record came without an integer id");
    if (it->changed) {
        /* the positions move as a whole or not at all; the cursor only
         * forwards (an overlap hands out records from before it again) */
        const char *wd = json_string_value(json_object_get(record, "write_date"));
        long long rid = (long long)json_integer_value(id);
        int forward;
        char *copy, *cur = NULL;
        if (!wd)
            return odoo__error_set(&it->client->err, ODOO_EPROTOCOL, 200,
                                   "a record came without write_date");
        forward = !it->cur_wd || strcmp(wd, it->cur_wd) > 0
                  || (strcmp(wd, it->cur_wd) == 0 && rid > it->cur_id);
        copy = odoo__strdup(wd);
        if (!copy)
            return NOMEM(it->client);
        if (forward) {
            cur = odoo__strdup(wd);
            if (!cur) {
                free(copy);
                return NOMEM(it->client);
            }
        }
        free(it->last_wd);
        it->last_wd = copy;
        if (forward) {
            free(it->cur_wd);
            it->cur_wd = cur;
            it->cur_id = rid;
        }
    }
    it->last_id = (long long)json_integer_value(id);
    it->count++;
    return ODOO_OK;
}

/* The start of odoo_iter_next(_page): *out cleared, the last error cleared,
 * a record to hand out on the current page. 1: yes, 0: the end, < 0: an error. */
static int iter_ready(odoo_iter *it, json_t **out)
{
    int rc;
    if (out)
        *out = NULL;
    if (!it)
        return ODOO_EINVAL;
    odoo__error_clear(&it->client->err);
    if (it->page && it->pos < json_array_size(it->page))
        return 1;
    if (it->page && it->last_page)
        return 0;
    rc = iter_fetch(it);
    if (rc != ODOO_OK)
        return rc;
    return json_array_size(it->page) > 0;
}

int odoo_iter_next(odoo_iter *it, json_t **record)
{
    json_t *r;
    int rc = iter_ready(it, record);
    if (rc <= 0)
        return rc;
    r = json_array_get(it->page, it->pos);
    if ((rc = iter_advance(it, r)) != ODOO_OK)
        return rc;
    it->pos++;
    if (record)
        *record = json_incref(r);
    return 1;
}

int odoo_iter_next_page(odoo_iter *it, json_t **page)
{
    json_t *out;
    size_t n;
    int rc = iter_ready(it, page);
    if (rc <= 0)
        return rc;
    n = json_array_size(it->page);
    out = it->pos == 0 ? json_incref(it->page) : slice(it->page, it->pos, n - it->pos);
    if (!out)
        return NOMEM(it->client);
    if ((rc = iter_advance(it, json_array_get(it->page, n - 1))) != ODOO_OK) {
        json_decref(out);
        return rc;
    }
    it->count += (n - it->pos) - 1; /* iter_advance counted one */
    it->pos = n;
    rc = (int)json_array_size(out);
    if (page)
        *page = out;
    else
        json_decref(out);
    return rc;
}

void odoo_iter_cursor(const odoo_iter *it, const char **write_date, long long *id)
{
    if (write_date)
        *write_date = it && it->changed ? it->cur_wd : NULL;
    if (id)
        *id = !it ? 0 : it->changed ? it->cur_id : it->last_id;
}

unsigned long long odoo_iter_count(const odoo_iter *it)
{
    return it ? it->count : 0;
}

unsigned long odoo_iter_pages(const odoo_iter *it)
{
    return it ? it->pages : 0;
}
