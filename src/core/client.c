// SPDX-License-Identifier: MIT
/*
 * libodoo - the client: options, life cycle, call_kw, context, accessors.
 * The logins and retries are in transport.c, each transport's own code in
 * transports/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "transports/transport.h"

int odoo_client_options_init(odoo_client_options *opts, unsigned int version)
{
    static const odoo_client_options defaults = ODOO_CLIENT_OPTIONS_INIT;
    if (!opts || version < 1 || version > ODOO_CLIENT_OPTIONS_VERSION)
        return ODOO_EINVAL;
    if (version == 1) {
        /* the caller's struct ends before retry_deadline_ms */
        memcpy(opts, &defaults, offsetof(odoo_client_options, retry_deadline_ms));
        opts->version = 1;
        return ODOO_OK;
    }
    if (version == 2) {
        /* the caller's struct ends before max_response_bytes */
        memcpy(opts, &defaults, offsetof(odoo_client_options, max_response_bytes));
        opts->version = 2;
        return ODOO_OK;
    }
    *opts = defaults;
    return ODOO_OK;
}

void odoo_client_free(odoo_client *c)
{
    size_t i;
    if (!c)
        return;
    int keep = c->cookie_file && c->logged_in && c->ops && c->ops->resume;
    if (keep)
        odoo__session_info_save(c); /* beside the jar the dispose below writes */
    odoo__http_dispose(c, keep);
    odoo__forget_session(c);
    json_decref(c->saved_info);
    free(c->server_version);
    json_decref(c->context);
    json_decref(c->fields_cache);
    odoo__buf_dispose(&c->request);
    odoo__buf_dispose(&c->response);
    free(c->url);
    free(c->database);
    free(c->login);
    odoo__free_secret(c->password);
    odoo__free_secret(c->api_key);
    odoo__free_secret(c->proxy);
    for (i = 0; i < ODOO__MAX_SECRETS; i++)
        odoo__free_secret(c->secrets[i]);
    free(c->ca_file);
    free(c->ca_path);
    free(c->client_cert);
    free(c->client_key);
    free(c->user_agent);
    free(c->cookie_file);
    odoo__error_clear(&c->err);
    if (c->global_ref)
        odoo__global_release();
    odoo__wipe(c, sizeof(*c));
    free(c);
}

static int file_has_session_cookie(const char *path)
{
    char line[1024];
    int found = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, "\tsession_id\t") != NULL;
    odoo__wipe(line, sizeof(line));
    fclose(f);
    return found;
}

int odoo__add_secret(odoo_client *c, const char *secret)
{
    size_t i, slot = 0;
    char *forms[2] = {NULL, NULL};
    json_t *js;

    if (!secret || !*secret)
        return ODOO_OK;
    forms[0] = odoo__strdup(secret);
    /* and as it appears inside a JSON string */
    js = json_string(secret);
    if (js) {
        char *dumped = json_dumps(js, JSON_ENCODE_ANY);
        json_decref(js);
        if (dumped) {
            size_t n = strlen(dumped);
            if (n >= 2 && strncmp(dumped + 1, secret, n - 2) != 0) {
                dumped[n - 1] = '\0';
                forms[1] = odoo__strdup(dumped + 1);
            }
            odoo__free_secret(dumped);
        }
    }
    if (!forms[0]) {
        odoo__free_secret(forms[1]);
        return ODOO_ENOMEM;
    }
    for (i = 0; i < 2; i++) {
        if (!forms[i])
            continue;
        while (slot < ODOO__MAX_SECRETS && c->secrets[slot])
            slot++;
        if (slot == ODOO__MAX_SECRETS) {
            odoo__free_secret(forms[i]);
            continue;
        }
        c->secrets[slot] = forms[i];
    }
    return ODOO_OK;
}

/* The address a browser shows (https://host/odoo, /odoo/action-12, /web,
 * /web#action=..., /web/login?db=x) is not the server's base URL: its routes
 * would be appended to that path, and Odoo answers them with "HTTP 400 Session
 * expired (invalid CSRF token)" or a 404 page. Such a first path segment
 * ("odoo" or "web") and everything after it are cut off: a copy in *out, or
 * NULL when the URL has no such path. ODOO_ENOMEM on failure. */
static int strip_browser_path(const char *url, char **out)
{
    const char *p, *seg;
    size_t n;
    static const char *const browser[] = {"odoo", "web"};
    size_t i;

    *out = NULL;
    if (!url)
        return ODOO_OK;
    p = strstr(url, "://");
    if (!p)
        return ODOO_OK;
    p += 3;
    p += strcspn(p, "/?#");
    if (*p != '/')
        return ODOO_OK;
    seg = p + 1;
    for (i = 0; i < sizeof(browser) / sizeof(browser[0]); i++) {
        n = strlen(browser[i]);
        if (strncmp(seg, browser[i], n) == 0
            && (seg[n] == '\0' || seg[n] == '/' || seg[n] == '?' || seg[n] == '#')) {
            n = (size_t)(p - url);
            *out = odoo__malloc(n + 1);
            if (!*out)
                return ODOO_ENOMEM;
            memcpy(*out, url, n);
            (*out)[n] = '\0';
            return ODOO_OK;
        }
    }
    return ODOO_OK;
}

/* Check the options and fill c from them; on failure c->err says why. */
static int client_setup(odoo_client *c, const odoo_client_options *opts)
{
    long deadline_ms;
    size_t max_response;
    int rc, allow_insecure;

    if (!opts)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "options: NULL");
    if (opts->version < 1 || opts->version > ODOO_CLIENT_OPTIONS_VERSION)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "options: unknown version %u (this library knows 1 to %d)",
                               opts->version, ODOO_CLIENT_OPTIONS_VERSION);
    /* version 1 structs end before retry_deadline_ms, version 2 ones before
     * max_response_bytes: never read past their end */
    deadline_ms = opts->version >= 2 ? opts->retry_deadline_ms : ODOO_DEFAULT_RETRY_DEADLINE_MS;
    max_response = opts->version >= 3 ? opts->max_response_bytes
                                      : ODOO_DEFAULT_MAX_RESPONSE_BYTES;
    allow_insecure = opts->version >= 3 ? opts->allow_insecure_http : 0;
    if (deadline_ms < 0 || opts->connect_timeout_ms < 0 || opts->timeout_ms < 0
        || opts->max_retries < 0 || opts->retry_base_ms < 0 || opts->retry_max_ms < 0
        || opts->low_speed_limit < 0 || opts->low_speed_time_s < 0)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "options: a timeout, retry count or delay is negative");
    if (opts->transport != ODOO_TRANSPORT_AUTO && !odoo__transport_find(opts->transport))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "options: unknown transport %d",
                               (int)opts->transport);
    rc = odoo__global_acquire();
    if (rc != ODOO_OK)
        return odoo__error_set(&c->err, rc, 0, "libcurl's global initialisation failed");
    c->global_ref = 1;
    {
        char *root = NULL;
        rc = strip_browser_path(opts->url, &root);
        if (rc == ODOO_OK)
            rc = odoo__url_normalize(&c->err, root ? root : opts->url, &c->url);
        else
            odoo__error_set(&c->err, rc, 0, "out of memory");
        free(root);
    }
    if (rc != ODOO_OK)
        return rc;

    if ((rc = odoo__strdup_opt(&c->database, opts->database)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->login, opts->login)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->password, opts->password)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->api_key, opts->api_key)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->proxy, opts->proxy)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->ca_file, opts->ca_file)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->ca_path, opts->ca_path)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->client_cert, opts->client_cert)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->client_key, opts->client_key)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->user_agent, opts->user_agent)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->cookie_file, opts->cookie_file)) != ODOO_OK
        || (rc = odoo__add_secret(c, opts->password)) != ODOO_OK
        || (rc = odoo__add_secret(c, opts->api_key)) != ODOO_OK
        || (rc = odoo__add_secret(c, opts->proxy)) != ODOO_OK)
        return odoo__error_set(&c->err, rc, 0, "out of memory");
    if (c->api_key && !*c->api_key) {
        free(c->api_key);
        c->api_key = NULL;
    }
    c->connect_timeout_ms = opts->connect_timeout_ms;
    c->timeout_ms = opts->timeout_ms;
    c->verify_peer = opts->verify_peer;
    c->verify_host = opts->verify_host;
    c->auto_reauth = opts->auto_reauth;
    c->low_speed_limit = opts->low_speed_limit;
    c->low_speed_time_s = opts->low_speed_time_s;
    c->max_retries = opts->max_retries;
    c->retry_base_ms = opts->retry_base_ms;
    c->retry_max_ms = opts->retry_max_ms;
    c->retry_deadline_ms = deadline_ms;
    c->max_response_bytes = max_response;
    c->trace = opts->trace;
    c->trace_userdata = opts->trace_userdata;
    c->forced = opts->transport;
    c->ops = NULL; /* chosen at the first login or call */
    c->next_id = 1;
    c->rng = odoo__rng_seed(c);

    if (c->forced != ODOO_TRANSPORT_AUTO && odoo__transport_find(c->forced)->api_key_only
        && !c->api_key) /* JSON-2 authenticates with an API key only */
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "options: the %s transport needs an API key",
                               odoo__transport_find(c->forced)->name);

    /* Before any connection: no password, API key or session cookie in clear
     * text over the network (docs/transports.md, "Bounds"). */
    if (!allow_insecure && (c->password || c->api_key || c->cookie_file)
        && odoo__url_is_plain_http(c->url) && !odoo__url_host_is_loopback(c->url))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "options: refusing to send the %s over plain http:// to a host "
                               "that is not loopback (it would cross the network in clear "
                               "text): use https://, or set allow_insecure_http for a trusted "
                               "internal network",
                               c->password ? "password" : c->api_key ? "API key"
                                                                      : "session cookie");

    rc = odoo__http_init(c);
    if (rc != ODOO_OK)
        return rc; /* c->err set */
    if (c->cookie_file) {
        c->cookie_loaded = file_has_session_cookie(c->cookie_file);
        c->saved_info = odoo__session_info_load(c);
        c->maybe_session = c->cookie_loaded || c->saved_info;
    }
    return ODOO_OK;
}

int odoo_client_new(odoo_client **out, const odoo_client_options *opts)
{
    odoo_client *c;
    int rc;

    if (!out)
        return ODOO_EINVAL;
    *out = NULL;
    c = odoo__calloc(1, sizeof(*c));
    if (!c)
        return ODOO_ENOMEM;
    odoo__error_init(&c->err);
    rc = client_setup(c, opts);
    if (rc != ODOO_OK) {
        /* like every constructor: a client that holds the error, which can
         * only be read (odoo_client_last_error()) and freed */
        c->failed = 1;
        if (c->err.code == ODOO_OK)
            odoo__error_set(&c->err, rc, 0, "%s", odoo_strerror(rc));
        *out = c;
        return rc;
    }
    odoo__error_clear(&c->err);
    *out = c;
    return ODOO_OK;
}

int odoo_client_login(odoo_client *c)
{
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    return odoo__login(c);
}

int odoo_client_logout(odoo_client *c)
{
    if (!c)
        return ODOO_EINVAL;
    if (c->failed)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "client: odoo_client_new() failed; only free this client");
    odoo__error_clear(&c->err);
    if (c->cookie_file) {
        /* the saved session ends with this one */
        size_t n = strlen(c->cookie_file) + sizeof(".info");
        char *info = odoo__malloc(n);
        unlink(c->cookie_file);
        if (info) {
            snprintf(info, n, "%s.info", c->cookie_file);
            unlink(info);
            free(info);
        }
    }
    if (c->ops && c->ops->logout && (c->logged_in || c->cookie_loaded))
        return c->ops->logout(c);
    odoo__forget_session(c);
    odoo__http_clear_cookies(c);
    return ODOO_OK;
}

/* ---- call_kw ------------------------------------------------------------- */

static int merge_into(json_t *dst, json_t *src)
{
    return src ? json_object_update(dst, src) : 0;
}

/* kwargs with the merged context: client < kwargs.context < context. */
static int build_kwargs(odoo_client *c, json_t **out, json_t *kwargs, json_t *context)
{
    json_t *kw, *ctx;

    *out = NULL;
    kw = kwargs ? odoo__json_copy(kwargs) : json_object();
    if (!kw)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    if (c->context || context) {
        ctx = json_object();
        if (!ctx || merge_into(ctx, c->context) != 0
            || merge_into(ctx, json_object_get(kw, "context")) != 0
            || merge_into(ctx, context) != 0) {
            json_decref(ctx);
            json_decref(kw);
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
        }
        if (json_object_set_new(kw, "context", ctx) != 0) {
            json_decref(kw);
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
        }
    }
    *out = kw;
    return ODOO_OK;
}

int odoo_call_kw(odoo_client *c, json_t **out, const char *model, const char *method,
                 json_t *args, json_t *kwargs, json_t *context)
{
    json_t *kw = NULL, *a, *res = NULL;
    int rc;

    if (out)
        *out = NULL;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if (!odoo__valid_model_name(model))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "call_kw: invalid model name (expected [A-Za-z0-9_.]+)");
    if (!odoo__valid_method_name(method))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "call_kw: invalid method name (expected [A-Za-z0-9_]+)");
    if (args && !json_is_array(args))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "call_kw: args must be a JSON array");
    if (kwargs && !json_is_object(kwargs))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "call_kw: kwargs must be a JSON object");
    if (context && !json_is_object(context))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "call_kw: context must be a JSON object");
    if (kwargs && json_object_get(kwargs, "context")
        && !json_is_object(json_object_get(kwargs, "context")))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "call_kw: kwargs.context must be a JSON object");
    rc = build_kwargs(c, &kw, kwargs, context);
    if (rc != ODOO_OK)
        return rc;
    a = args ? json_incref(args) : json_array();
    if (!a) {
        json_decref(kw);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    rc = odoo__execute(c, &res, model, method, a, kw);
    json_decref(a);
    json_decref(kw);
    if (rc != ODOO_OK)
        return rc;
    if (out)
        *out = res;
    else
        json_decref(res);
    return ODOO_OK;
}

static int parse_arg(odoo_client *c, json_t **out, const char *text, const char *what,
                     int want_array)
{
    json_error_t jerr;
    *out = NULL;
    if (!text || !*text)
        return ODOO_OK;
    *out = json_loads(text, 0, &jerr);
    if (!*out)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "call_kw: %s is not valid JSON: %s at %d",
                               what, jerr.text, jerr.position);
    if (want_array ? !json_is_array(*out) : !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "call_kw: %s must be a JSON %s", what,
                               want_array ? "array" : "object");
    }
    return ODOO_OK;
}

int odoo_call_kw_str(odoo_client *c, char **out, const char *model, const char *method,
                     const char *args_json, const char *kwargs_json)
{
    json_t *args = NULL, *kwargs = NULL, *res = NULL;
    int rc;

    if (out)
        *out = NULL;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if ((rc = parse_arg(c, &args, args_json, "args", 1)) != ODOO_OK)
        return rc;
    if ((rc = parse_arg(c, &kwargs, kwargs_json, "kwargs", 0)) != ODOO_OK) {
        json_decref(args);
        return rc;
    }
    rc = odoo_call_kw(c, out ? &res : NULL, model, method, args, kwargs, NULL);
    json_decref(args);
    json_decref(kwargs);
    if (rc == ODOO_OK && out) {
        /* not json_dumps(): out of memory, jansson 2.14 can return a text
         * that lacks an object key (see odoo__buf_set_json) */
        odoo__buf text = {NULL, 0, 0};
        rc = odoo__buf_set_json(&text, res);
        json_decref(res);
        if (rc != ODOO_OK) {
            odoo__buf_dispose(&text);
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
        }
        *out = text.data; /* NUL-terminated; the caller frees it with odoo_free() */
    }
    return rc;
}

/* ---- accessors ------------------------------------------------------------- */

int odoo_client_set_context(odoo_client *c, json_t *context)
{
    json_t *copy = NULL;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if (context) {
        if (!json_is_object(context))
            return odoo__error_set(&c->err, ODOO_EINVAL, 0, "context must be a JSON object");
        copy = odoo__json_deep_copy(context);
        if (!copy)
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    json_decref(c->context);
    c->context = copy;
    return ODOO_OK;
}

const json_t *odoo_client_context(const odoo_client *c)
{
    return c ? c->context : NULL;
}

const odoo_error *odoo_client_last_error(const odoo_client *c)
{
    return c ? &c->err : NULL;
}

int odoo_client_uid(const odoo_client *c)
{
    return c ? c->uid : 0;
}

const json_t *odoo_client_user_context(const odoo_client *c)
{
    return c ? c->user_context : NULL;
}

const json_t *odoo_client_session_info(const odoo_client *c)
{
    return c ? c->session_info : NULL;
}

const char *odoo_client_server_version(const odoo_client *c)
{
    return c ? c->server_version : NULL;
}

int odoo_client_server_major(const odoo_client *c)
{
    return c ? c->server_major : 0;
}

odoo_transport odoo_client_transport(const odoo_client *c)
{
    return c && c->ops ? c->ops->kind : ODOO_TRANSPORT_AUTO;
}

const char *odoo_transport_name(int t)
{
    const struct odoo__transport_ops *ops = odoo__transport_find(t);
    if (ops)
        return ops->name;
    return t == ODOO_TRANSPORT_AUTO ? "auto" : "unknown";
}

int odoo_transport_from_name(const char *name, odoo_transport *out)
{
    int t;
    if (!name || !out)
        return ODOO_EINVAL;
    for (t = ODOO_TRANSPORT_AUTO; t == ODOO_TRANSPORT_AUTO || odoo__transport_find(t); t++) {
        if (strcmp(name, odoo_transport_name(t)) == 0) {
            *out = (odoo_transport)t;
            return ODOO_OK;
        }
    }
    return ODOO_EINVAL;
}

unsigned long odoo_client_reauth_count(const odoo_client *c)
{
    return c ? c->reauth_count : 0;
}

unsigned long odoo_client_login_count(const odoo_client *c)
{
    return c ? c->login_count : 0;
}

unsigned long odoo_client_request_count(const odoo_client *c)
{
    return c ? c->request_count : 0;
}

int odoo_client_last_http_status(const odoo_client *c)
{
    return c ? (int)c->last_status : 0;
}

unsigned long odoo_client_retry_count(const odoo_client *c)
{
    return c ? c->retry_count : 0;
}
