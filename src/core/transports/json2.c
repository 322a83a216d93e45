// SPDX-License-Identifier: MIT
/*
 * libodoo - the JSON-2 transport (Odoo 19+): POST /json/2/<model>/<method>
 * with a bearer API key and named arguments; the answer is the bare result,
 * errors come as HTTP 4xx/5xx.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transports/transport.h"

/* Append the header "<name><value>" to list. On failure the list is freed
 * and NULL returned. The line is wiped after the copy (it may be the key). */
static struct curl_slist *append_header(struct curl_slist *list, const char *name,
                                        const char *value)
{
    size_t n = strlen(name) + strlen(value) + 1;
    char *line = odoo__malloc(n);
    struct curl_slist *l2 = NULL;

    if (line) {
        snprintf(line, n, "%s%s", name, value);
        l2 = curl_slist_append(list, line);
        odoo__free_secret(line);
    }
    if (!l2)
        curl_slist_free_all(list);
    return l2;
}

/* The headers of every JSON-2 request; the last one carries the API key. */
static int json2_headers(odoo_client *c)
{
    struct curl_slist *list;

    if (c->json2_headers)
        return ODOO_OK;
    list = curl_slist_append(NULL, "Content-Type: application/json");
    if (list)
        list = curl_slist_append(list, "Accept: application/json");
    if (list)
        list = curl_slist_append(list, "Expect:");
    if (list && c->database)
        list = append_header(list, "X-Odoo-Database: ", c->database);
    if (list)
        list = append_header(list, "Authorization: bearer ", c->api_key);
    if (!list)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    c->json2_headers = list;
    return ODOO_OK;
}

/* A JSON-2 route exists on every Odoo 19 database: a non-JSON 404 page for
 * it is Odoo's "No database is selected and the requested URL was not found
 * in the server-wide controllers": the X-Odoo-Database names no database of
 * this server. Said so, as ODOO_EAUTH like a wrong database on the other
 * transports, instead of the raw page. (Before 19 there is no JSON-2 at all:
 * the same 404 says that.) */
static int json2_database_not_found(odoo_client *c, int rc)
{
    const char *body = c->response.data ? c->response.data : "";
    int no_db = strstr(body, "No database is selected") != NULL;
    if (c->server_major > 0 && c->server_major < 19)
        return odoo__error_set(&c->err, ODOO_EHTTP, 404,
                               "HTTP 404: Odoo %d has no JSON-2 (/json/2 is Odoo 19+): use "
                               "the jsonrpc or session transport",
                               c->server_major);
    if (!no_db && c->server_major < 19)
        return rc; /* some other 404 page (a proxy's?): as it came */
    odoo__error_set(&c->err, ODOO_EAUTH, 404,
                    "database \"%s\" not found: the server has no database of that name "
                    "(X-Odoo-Database; HTTP 404)",
                    c->database);
    c->err.retryable = 0;
    return ODOO_EAUTH;
}

/* POST body to /json/2/<model>/<method>. */
static int post_json2(odoo_client *c, json_t **out, const char *model, const char *method,
                      json_t *body, int idempotent)
{
    char *path;
    size_t plen;
    int rc;

    rc = odoo__set_request(c, body, 0);
    if (rc != ODOO_OK)
        return rc;
    plen = strlen("/json/2/") + strlen(model) + 1 + strlen(method) + 1;
    path = odoo__malloc(plen);
    if (!path)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    snprintf(path, plen, "/json/2/%s/%s", model, method);
    rc = odoo__exchange(c, ODOO__POST, path, c->json2_headers, odoo__json2_parse_response,
                        idempotent, out);
    free(path);
    if (rc == ODOO_EHTTP && c->err.http_status == 404 && c->database)
        rc = json2_database_not_found(c, rc);
    return rc;
}

/* JSON-2 takes named arguments only: positional ones of the common methods
 * are given their names; for any other method args[0] is the record ids. */
static const struct {
    const char *method;
    int has_ids;
    const char *names[7];
} json2_signatures[] = {
    {"search_read", 0, {"domain", "fields", "offset", "limit", "order", NULL}},
    {"search", 0, {"domain", "offset", "limit", "order", NULL}},
    {"search_count", 0, {"domain", "limit", NULL}},
    {"search_fetch", 0, {"domain", "field_names", "offset", "limit", "order", NULL}},
    {"read", 1, {"fields", "load", NULL}},
    {"write", 1, {"vals", NULL}},
    {"create", 0, {"vals_list", NULL}},
    {"unlink", 1, {NULL}},
    {"fields_get", 0, {"allfields", "attributes", NULL}},
    {"name_search", 0, {"name", "domain", "operator", "limit", NULL}},
    {"read_group", 0, {"domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"}},
    {"web_search_read", 0, {"domain", "specification", "offset", "limit", "order",
                            "count_limit", NULL}},
    {"default_get", 0, {"fields_list", NULL}},
    {"context_get", 0, {NULL}},
};

static int json2_body(odoo_client *c, json_t **out, const char *method, json_t *args,
                      json_t *kwargs)
{
    json_t *body = odoo__json_copy(kwargs);
    size_t i, n = json_array_size(args), first = 0, sig;
    const char *const *names = NULL;
    int has_ids = 1;

    *out = NULL;
    if (!body)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    for (sig = 0; sig < sizeof(json2_signatures) / sizeof(json2_signatures[0]); sig++) {
        if (strcmp(method, json2_signatures[sig].method) == 0) {
            names = json2_signatures[sig].names;
            has_ids = json2_signatures[sig].has_ids;
            break;
        }
    }
    if (has_ids && n > 0) {
        if (json_object_set(body, "ids", json_array_get(args, 0)) != 0)
            goto nomem;
        first = 1;
    }
    for (i = first; i < n; i++) {
        size_t k = i - first;
        const char *name = names && k < 7 ? names[k] : NULL;
        if (!name) {
            json_decref(body);
            return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                                   "JSON-2 takes named arguments: pass the arguments of %s "
                                   "after the record ids in kwargs",
                                   method);
        }
        if (json_object_get(body, name))
            continue; /* kwargs win */
        if (json_object_set(body, name, json_array_get(args, i)) != 0)
            goto nomem;
    }
    *out = body;
    return ODOO_OK;
nomem:
    json_decref(body);
    return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
}

static int call_json2(odoo_client *c, json_t **out, const char *model, const char *method,
                      json_t *args, json_t *kwargs, int idempotent)
{
    json_t *body = NULL;
    int rc = json2_body(c, &body, method, args, kwargs);
    if (rc != ODOO_OK)
        return rc;
    rc = post_json2(c, out, model, method, body, idempotent);
    json_decref(body);
    return rc;
}

static int login_json2(odoo_client *c)
{
    json_t *body, *ctx = NULL, *uid;
    int rc;
    if (!c->api_key)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "login: JSON-2 needs an API key");
    odoo__forget_session(c);
    if ((rc = json2_headers(c)) != ODOO_OK)
        return rc;
    body = json_object();
    if (!body)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    /* The cheapest authenticated call: the user's context, with the uid. */
    rc = post_json2(c, &ctx, "res.users", "context_get", body, 1);
    json_decref(body);
    if (rc != ODOO_OK)
        return odoo__login_refused(c, rc);
    uid = json_object_get(ctx, "uid");
    if (!json_is_integer(uid) || json_integer_value(uid) <= 0
        || json_integer_value(uid) > INT_MAX) {
        json_decref(ctx);
        return odoo__error_set(&c->err, ODOO_EPROTOCOL, 200,
                               "login: res.users.context_get returned no uid");
    }
    c->uid = (int)json_integer_value(uid);
    c->session_info = json_pack("{s:i, s:O}", "uid", c->uid, "user_context", ctx);
    json_decref(ctx);
    if (!c->session_info)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    if (c->database)
        json_object_set_new(c->session_info, "db", json_string(c->database));
    c->user_context = json_object_get(c->session_info, "user_context");
    c->logged_in = 1;
    if (!c->server_version)
        return odoo__probe_version(c);
    return ODOO_OK;
}

/* ODOO_EAUTH on a call: the key was revoked or the database is unknown. */
const struct odoo__transport_ops odoo__transport_json2 = {
    .kind = ODOO_TRANSPORT_JSON2,
    .name = "json2",
    .api_key_only = 1,
    .stale = ODOO_EAUTH,
    .login = login_json2,
    .call = call_json2,
};
