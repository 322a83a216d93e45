/*
 * libodoo - helpers over call_kw: field whitelists checked against a cached
 * fields_get, keyset pagination, incremental cursors, batches and upserts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NOMEM(c) odoo__error_set(&(c)->err, ODOO_ENOMEM, 0, "out of memory")

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
    if (!kwargs)
        return NOMEM(c);
    rc = odoo_call_kw(c, &res, model, "fields_get", NULL, kwargs, NULL);
    json_decref(kwargs);
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

static int check_one(odoo_client *c, const char *model, json_t *fields, const char *name)
{
    char head[256];
    size_t n = strcspn(name, ".");
    if (n == 0 || n >= sizeof(head))
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
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if (!odoo__valid_model_name(model))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "invalid model name");
    if ((rc = model_fields(c, model, &fields)) != ODOO_OK)
        return rc;
    for (; names && *names; names++)
        if ((rc = check_one(c, model, fields, *names)) != ODOO_OK)
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

/* The field names a domain's leaves use must exist too. */
static int check_domain(odoo_client *c, const char *model, json_t *domain)
{
    json_t *fields, *term;
    size_t i;
    int rc;
    if (!domain)
        return ODOO_OK;
    if (!json_is_array(domain))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "a domain must be a JSON array");
    if ((rc = model_fields(c, model, &fields)) != ODOO_OK)
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
        if ((rc = check_one(c, model, fields, json_string_value(json_array_get(term, 0))))
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
    if (!json_is_object(values))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "values must be a JSON object");
    if ((rc = model_fields(c, model, &fields)) != ODOO_OK)
        return rc;
    json_object_foreach(values, key, v) {
        if (strchr(key, '.'))
            return odoo__error_set(&c->err, ODOO_EINVAL, 0, "%s has no field '%s'", model, key);
        if ((rc = check_one(c, model, fields, key)) != ODOO_OK)
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
    if (out)
        *out = NULL;
    if (!c || !out)
        return ODOO_EINVAL;
    kwargs = json_object();
    if (!kwargs)
        return NOMEM(c);
    if (attributes && json_object_set_new(kwargs, "attributes", names_to_array(attributes))) {
        json_decref(kwargs);
        return NOMEM(c);
    }
    rc = odoo_call_kw(c, out, model, "fields_get", NULL, kwargs, context);
    json_decref(kwargs);
    return rc;
}

int odoo_search_read(odoo_client *c, json_t **out, const char *model, json_t *domain,
                     const char *const *fields, const char *order, long limit, long offset,
                     json_t *context)
{
    json_t *kwargs;
    int rc;
    if (out)
        *out = NULL;
    if (!c || !out)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if (limit < 0 || offset < 0)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "limit and offset must be >= 0");
    if ((rc = check_field_list(c, model, fields)) != ODOO_OK
        || (rc = check_domain(c, model, domain)) != ODOO_OK)
        return rc;
    kwargs = json_pack("{s:o, s:o}", "domain", domain ? json_incref(domain) : json_array(),
                       "fields", names_to_array(fields));
    if (!kwargs || set_paging(kwargs, order, limit, offset)) {
        json_decref(kwargs);
        return NOMEM(c);
    }
    rc = odoo_call_kw(c, out, model, "search_read", NULL, kwargs, context);
    json_decref(kwargs);
    return rc;
}

int odoo_read(odoo_client *c, json_t **out, const char *model, json_t *ids,
              const char *const *fields, json_t *context)
{
    json_t *args, *kwargs;
    int rc;
    if (out)
        *out = NULL;
    if (!c || !out)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if ((rc = check_ids(c, ids)) != ODOO_OK || (rc = check_field_list(c, model, fields)) != ODOO_OK)
        return rc;
    args = json_pack("[O]", ids);
    kwargs = json_pack("{s:o}", "fields", names_to_array(fields));
    if (!args || !kwargs)
        rc = NOMEM(c);
    else
        rc = odoo_call_kw(c, out, model, "read", args, kwargs, context);
    json_decref(args);
    json_decref(kwargs);
    return rc;
}

int odoo_search(odoo_client *c, json_t **out, const char *model, json_t *domain,
                const char *order, long limit, long offset, json_t *context)
{
    json_t *kwargs;
    int rc;
    if (out)
        *out = NULL;
    if (!c || !out)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if (limit < 0 || offset < 0)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "limit and offset must be >= 0");
    if ((rc = check_domain(c, model, domain)) != ODOO_OK)
        return rc;
    kwargs = json_object();
    if (!kwargs
        || json_object_set_new(kwargs, "domain", domain ? json_incref(domain) : json_array())
        || set_paging(kwargs, order, limit, offset)) {
        json_decref(kwargs);
        return NOMEM(c);
    }
    rc = odoo_call_kw(c, out, model, "search", NULL, kwargs, context);
    json_decref(kwargs);
    return rc;
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
    kwargs = json_object();
    if (!kwargs
        || json_object_set_new(kwargs, "domain", domain ? json_incref(domain) : json_array())) {
        json_decref(kwargs);
        return NOMEM(c);
    }
    rc = odoo_call_kw(c, &res, model, "search_count", NULL, kwargs, context);
    json_decref(kwargs);
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
    json_t *args, *res = NULL;
    int rc;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if ((rc = check_ids(c, ids)) != ODOO_OK || (rc = check_values(c, model, values)) != ODOO_OK)
        return rc;
    if (json_array_size(ids) == 0)
        return ODOO_OK;
    args = json_pack("[O, O]", ids, values);
    if (!args)
        return NOMEM(c);
    rc = odoo_call_kw(c, &res, model, "write", args, NULL, context);
    json_decref(args);
    json_decref(res);
    return rc;
}

int odoo_create(odoo_client *c, json_t **out_ids, const char *model, json_t *values,
                json_t *context)
{
    json_t *args, *res = NULL, *v;
    size_t i;
    int rc;
    if (out_ids)
        *out_ids = NULL;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
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
    if (!args)
        return NOMEM(c);
    rc = odoo_call_kw(c, &res, model, "create", args, NULL, context);
    json_decref(args);
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
    json_t *args, *res = NULL;
    int rc;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if ((rc = check_ids(c, ids)) != ODOO_OK)
        return rc;
    if (json_array_size(ids) == 0)
        return ODOO_OK;
    args = json_pack("[O]", ids);
    if (!args)
        return NOMEM(c);
    rc = odoo_call_kw(c, &res, model, "unlink", args, NULL, context);
    json_decref(args);
    json_decref(res);
    return rc;
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
    int rc = ODOO_OK;

    if (out_ids)
        *out_ids = NULL;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
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
    int rc = ODOO_OK;

    if (calls)
        *calls = 0;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
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

int odoo_upsert(odoo_client *c, json_t **out, const char *model, const char *key_field,
                json_t *records, size_t chunk, json_t *context)
{
    json_t *keys = NULL, *existing = NULL, *to_create = NULL, *updates = NULL;
    json_t *created = NULL, *updated = NULL, *r, *seen = NULL;
    const char *fields[3];
    size_t i;
    int rc;

    if (out)
        *out = NULL;
    if (!c || !key_field)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if (!json_is_array(records))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "records must be a JSON array");
    if (!chunk)
        chunk = ODOO_DEFAULT_BATCH_SIZE;
    fields[0] = "id";
    fields[1] = key_field;
    fields[2] = NULL;
    if ((rc = odoo_fields_check(c, model, fields)) != ODOO_OK)
        return rc;

    keys = json_array();
    existing = json_object(); /* key text -> id */
    seen = json_object();
    to_create = json_array();
    updates = json_array();
    updated = json_array();
    if (!keys || !existing || !seen || !to_create || !updates || !updated) {
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
    /* find the existing records, chunk keys per search_read */
    for (i = 0; i < json_array_size(keys); i += chunk) {
        json_t *part = slice(keys, i, chunk), *domain, *rows = NULL, *row;
        size_t j;
        domain = part ? json_pack("[[s, s, o]]", key_field, "in", part) : NULL;
        if (!domain) {
            rc = NOMEM(c);
            goto done;
        }
        rc = odoo_search_read(c, &rows, model, domain, fields, "id asc", 0, 0, context);
        json_decref(domain);
        if (rc != ODOO_OK)
            goto done;
        json_array_foreach(rows, j, row) {
            json_t *k = json_object_get(row, key_field);
            /* a record missed here would be created a second time */
            if (json_is_string(k) && !json_object_get(existing, json_string_value(k))
                && json_object_set(existing, json_string_value(k), json_object_get(row, "id"))
                       != 0) {
                json_decref(rows);
                rc = NOMEM(c);
                goto done;
            }
        }
        json_decref(rows);
    }
    json_array_foreach(records, i, r) {
        const char *k = json_string_value(json_object_get(r, key_field));
        json_t *id = json_object_get(existing, k);
        if (id) {
            /* the key already has this value: write the rest only, so records
             * needing the same changes share one write */
            json_t *vals = odoo__json_copy(r);
            int bad = !vals || json_object_del(vals, key_field) != 0;
            if (!bad && json_object_size(vals) > 0) {
                json_t *u = json_pack("{s:O, s:O}", "id", id, "values", vals);
                bad = !u || json_array_append_new(updates, u) != 0;
            }
            json_decref(vals);
            if (bad || json_array_append(updated, id) != 0) {
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
        *out = json_pack("{s:o, s:o}", "created", created ? json_incref(created) : json_array(),
                         "updated", rc == ODOO_OK ? json_incref(updated) : json_array());
        /* done, but the caller cannot learn what was created */
        if (!*out && rc == ODOO_OK)
            rc = odoo__error_set(&c->err, ODOO_EINDOUBT, 0,
                                 "the upsert was applied but its result could not be built: "
                                 "out of memory");
    }
    json_decref(keys);
    json_decref(existing);
    json_decref(seen);
    json_decref(to_create);
    json_decref(updates);
    json_decref(created);
    json_decref(updated);
    return rc;
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
    unsigned long long count;
    unsigned long pages;
    int checked;
};

static int iter_create(odoo_iter **out, odoo_client *c, const char *model, json_t *domain,
                       const char *const *fields, size_t page_size, int changed)
{
    odoo_iter *it;
    if (!out)
        return ODOO_EINVAL;
    *out = NULL;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if (!odoo__valid_model_name(model))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "invalid model name");
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

int odoo_iter_set_overlap(odoo_iter *it, unsigned int seconds)
{
    int y, mo, d, h, mi, sec, n = 0;
    long long t, yy;
    unsigned um, ud;
    char buf[64];
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
    if (sscanf(it->last_wd, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6
        || it->last_wd[n] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 60)
        return odoo__error_set(&it->client->err, ODOO_EINVAL, 0,
                               "the cursor's write_date is not \"YYYY-MM-DD HH:MM:SS\"");
    t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec
        - (long long)seconds;
    {
        long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
        int sod = (int)(t - days * 86400);
        civil_from_days(days, &yy, &um, &ud);
        if (yy < 1) /* further back than any record */
            yy = 1, um = 1, ud = 1, sod = 0;
        snprintf(buf, sizeof(buf), "%04d-%02u-%02u %02d:%02d:%02d", (int)yy, um % 100,
                 ud % 100, sod / 3600, (sod / 60) % 60, sod % 60);
    }
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

static int iter_fetch(odoo_iter *it)
{
    odoo_client *c = it->client;
    json_t *domain, *fields, *kwargs, *res = NULL;
    int rc;

    if (!it->checked) {
        const char **names;
        size_t i, n = json_array_size(it->fields);
        names = odoo__calloc(n + 1, sizeof(*names));
        if (!names)
            return NOMEM(c);
        for (i = 0; i < n; i++)
            names[i] = json_string_value(json_array_get(it->fields, i));
        rc = check_field_list(c, it->model, names);
        free(names);
        if (rc == ODOO_OK)
            rc = check_domain(c, it->model, it->domain);
        if (rc != ODOO_OK)
            return rc;
        it->checked = 1;
    }
    fields = odoo__json_copy(it->fields);
    domain = odoo__json_copy(it->domain);
    if (!fields || !domain)
        goto nomem;
    if (!has_field(fields, "id") && json_array_append_new(fields, json_string("id")))
        goto nomem;
    if (it->changed) {
        if (!has_field(fields, "write_date")
            && json_array_append_new(fields, json_string("write_date")))
            goto nomem;
        if (it->overlap_from && it->pages == 0) {
            /* the first page goes back: write_date >= cursor - overlap */
            if (json_array_append_new(domain, json_pack("[s, s, s]", "write_date", ">=",
                                                        it->overlap_from)))
                goto nomem;
        } else if (it->last_wd) {
            /* (write_date, id) > (last write_date, last id) */
            json_t *after = json_pack("[s, [s, s, s], s, [s, s, s], [s, s, I]]", "|",
                                      "write_date", ">", it->last_wd, "&", "write_date", "=",
                                      it->last_wd, "id", ">", (json_int_t)it->last_id);
            int bad = !after || json_array_extend(domain, after) != 0;
            json_decref(after);
            if (bad)
                goto nomem;
        }
    } else if (it->last_id
               && json_array_append_new(domain,
                                        json_pack("[s, s, I]", "id", ">", (json_int_t)it->last_id))) {
        goto nomem;
    }
    kwargs = json_pack("{s:o, s:o, s:I, s:s}", "domain", domain, "fields", fields, "limit",
                       (json_int_t)it->page_size, "order",
                       it->changed ? "write_date asc, id asc" : "id asc");
    domain = fields = NULL;
    if (!kwargs)
        return NOMEM(c);
    rc = odoo_call_kw(c, &res, it->model, "search_read", NULL, kwargs, NULL);
    json_decref(kwargs);
    if (rc != ODOO_OK)
        return rc;
    if (!json_is_array(res)) {
        json_decref(res);
        return odoo__error_set(&c->err, ODOO_EPROTOCOL, 200, "search_read did not answer a list");
    }
    json_decref(it->page);
    it->page = res;
    it->pos = 0;
    it->pages++;
    it->last_page = json_array_size(res) < it->page_size;
    return ODOO_OK;

nomem:
    json_decref(fields);
    json_decref(domain);
    return NOMEM(c);
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

/* Make sure the current page has a record to hand out. 1: yes, 0: end. */
static int iter_ready(odoo_iter *it)
{
    int rc;
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
    int rc;
    if (record)
        *record = NULL;
    if (!it)
        return ODOO_EINVAL;
    odoo__error_clear(&it->client->err);
    rc = iter_ready(it);
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
    int rc;
    if (page)
        *page = NULL;
    if (!it)
        return ODOO_EINVAL;
    odoo__error_clear(&it->client->err);
    rc = iter_ready(it);
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
