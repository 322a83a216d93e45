/*
 * libodoo - the client: options, login, call_kw and automatic
 * re-authentication.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int odoo_client_options_init(odoo_client_options *opts, unsigned int version)
{
    static const odoo_client_options defaults = ODOO_CLIENT_OPTIONS_INIT;
    if (!opts || version != ODOO_CLIENT_OPTIONS_VERSION)
        return ODOO_EINVAL;
    *opts = defaults;
    return ODOO_OK;
}

static void client_forget_session(odoo_client *c)
{
    c->logged_in = 0;
    c->maybe_session = 0;
    c->uid = 0;
    c->server_major = 0;
    json_decref(c->session_info);
    c->session_info = NULL;
    c->user_context = NULL;
    free(c->server_version);
    c->server_version = NULL;
}

void odoo_client_free(odoo_client *c)
{
    if (!c)
        return;
    odoo__http_dispose(c);
    client_forget_session(c);
    json_decref(c->context);
    odoo__buf_dispose(&c->request);
    odoo__buf_dispose(&c->response);
    free(c->url);
    free(c->database);
    free(c->login);
    odoo__free_secret(c->password);
    odoo__free_secret(c->proxy);
    free(c->ca_file);
    free(c->ca_path);
    free(c->user_agent);
    free(c->cookie_file);
    odoo__error_clear(&c->err);
    odoo__wipe(c, sizeof(*c));
    free(c);
    odoo__global_release();
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

int odoo_client_new(odoo_client **out, const odoo_client_options *opts)
{
    odoo_client *c;
    odoo_error err;
    int rc;

    if (!out || !opts)
        return ODOO_EINVAL;
    if (opts->version != ODOO_CLIENT_OPTIONS_VERSION)
        return ODOO_EINVAL;
    if (opts->connect_timeout_ms < 0 || opts->timeout_ms < 0)
        return ODOO_EINVAL;

    odoo__error_init(&err);
    c = odoo__calloc(1, sizeof(*c));
    if (!c)
        return ODOO_ENOMEM;
    odoo__error_init(&c->err);
    rc = odoo__global_acquire();
    if (rc != ODOO_OK) {
        free(c);
        return rc;
    }
    rc = odoo__url_normalize(&err, opts->url, &c->url);
    odoo__error_clear(&err);
    if (rc != ODOO_OK)
        goto fail;

    if ((rc = odoo__strdup_opt(&c->database, opts->database)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->login, opts->login)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->password, opts->password)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->proxy, opts->proxy)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->ca_file, opts->ca_file)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->ca_path, opts->ca_path)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->user_agent, opts->user_agent)) != ODOO_OK
        || (rc = odoo__strdup_opt(&c->cookie_file, opts->cookie_file)) != ODOO_OK)
        goto fail;
    c->connect_timeout_ms = opts->connect_timeout_ms;
    c->timeout_ms = opts->timeout_ms;
    c->verify_peer = opts->verify_peer;
    c->verify_host = opts->verify_host;
    c->auto_reauth = opts->auto_reauth;
    c->next_id = 1;

    rc = odoo__http_init(c);
    if (rc != ODOO_OK)
        goto fail;
    if (c->cookie_file && file_has_session_cookie(c->cookie_file))
        c->maybe_session = 1;
    odoo__error_clear(&c->err);
    *out = c;
    return ODOO_OK;

fail:
    odoo_client_free(c);
    return rc;
}

/* ---- one JSON-RPC exchange ------------------------------------------------ */

/* POST {"jsonrpc":"2.0","method":"call","params":params,"id":N} to path and
 * read the answer. *result: new reference on success. secret: the request
 * carries a password; its serialised form is wiped after sending. */
static int rpc_call(odoo_client *c, const char *path, json_t *params, json_t **result,
                    long *http_status, int secret)
{
    odoo__http_response resp;
    json_t *env;
    int rc;

    *result = NULL;
    env = json_pack("{s:s, s:s, s:O, s:I}", "jsonrpc", "2.0", "method", "call", "params",
                    params, "id", (json_int_t)c->next_id++);
    if (!env)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    rc = odoo__buf_set_json(&c->request, env);
    json_decref(env);
    if (rc != ODOO_OK) {
        odoo__buf_clear_secret(&c->request);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    rc = odoo__http_post_json(c, path, &resp);
    if (secret)
        odoo__buf_clear_secret(&c->request);
    if (rc != ODOO_OK)
        return rc;
    if (http_status)
        *http_status = resp.status;
    return odoo__rpc_parse_response(&c->err, resp.status, resp.content_type, resp.body,
                                    resp.len, result);
}

/* Overwrite a JSON string's characters in place before it is released (the
 * password copy inside a request object). */
static void wipe_json_string(json_t *s)
{
    if (json_is_string(s))
        /* jansson owns the bytes and frees them right after: writing zeros
         * over them first is safe. */
        odoo__wipe((void *)(uintptr_t)json_string_value(s), json_string_length(s));
}

static int store_session_info(odoo_client *c, json_t *info)
{
    json_t *uid, *ver, *verinfo;
    if (!json_is_object(info))
        return odoo__error_set(&c->err, ODOO_EPROTOCOL, 200,
                               "login: the session information is not an object");
    uid = json_object_get(info, "uid");
    if (!json_is_integer(uid) || json_integer_value(uid) <= 0
        || json_integer_value(uid) > INT_MAX)
        return odoo__error_set(&c->err, ODOO_EAUTH, 200,
                               "login: the server returned no user id");
    client_forget_session(c);
    c->session_info = json_incref(info);
    c->uid = (int)json_integer_value(uid);
    c->user_context = json_object_get(info, "user_context");
    ver = json_object_get(info, "server_version");
    if (json_is_string(ver)) {
        c->server_version = odoo__strdup(json_string_value(ver));
        if (!c->server_version)
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    verinfo = json_object_get(info, "server_version_info");
    if (json_is_array(verinfo) && json_is_integer(json_array_get(verinfo, 0)))
        c->server_major = (int)json_integer_value(json_array_get(verinfo, 0));
    else if (c->server_version)
        c->server_major = atoi(c->server_version);
    c->logged_in = 1;
    return ODOO_OK;
}

static int do_login(odoo_client *c)
{
    json_t *params, *info = NULL;
    long status = 0;
    int rc;

    if (!c->database || !c->login || !c->password)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "login: database, login and password are required");
    client_forget_session(c);
    params = json_pack("{s:s, s:s, s:s}", "db", c->database, "login", c->login, "password",
                       c->password);
    if (!params)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    rc = rpc_call(c, "/web/session/authenticate", params, &info, &status, 1);
    wipe_json_string(json_object_get(params, "password"));
    json_decref(params);
    if (rc == ODOO_OK) {
        rc = store_session_info(c, info);
        json_decref(info);
        if (rc == ODOO_OK)
            c->login_count++;
        return rc;
    }
    /* Every refusal of authenticate means the credentials or the database
     * are wrong: AccessDenied for the login/password, AccessError
     * "Database not found." for the database. */
    if (rc == ODOO_EACCESS || rc == ODOO_EAUTH) {
        c->err.code = ODOO_EAUTH;
        rc = ODOO_EAUTH;
    }
    return rc;
}

/* The session loaded from a cookie file: ask the server whether it is alive. */
static int check_session(odoo_client *c)
{
    json_t *params = json_object(), *info = NULL;
    int rc;
    if (!params)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    rc = rpc_call(c, "/web/session/get_session_info", params, &info, NULL, 0);
    json_decref(params);
    if (rc == ODOO_OK) {
        /* An anonymous session answers uid null: treat as expired. */
        rc = store_session_info(c, info);
        if (rc == ODOO_EAUTH)
            rc = ODOO_ESESSION;
    }
    json_decref(info);
    return rc;
}

static int ensure_session(odoo_client *c)
{
    int rc;
    if (c->logged_in)
        return ODOO_OK;
    if (c->maybe_session) {
        c->maybe_session = 0;
        rc = check_session(c);
        if (rc != ODOO_ESESSION)
            return rc;
    }
    return do_login(c);
}

int odoo_client_login(odoo_client *c)
{
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    return do_login(c);
}

int odoo_client_logout(odoo_client *c)
{
    json_t *params, *res = NULL;
    int rc;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_clear(&c->err);
    if (!c->logged_in && !c->maybe_session) {
        odoo__http_clear_cookies(c);
        return ODOO_OK;
    }
    params = json_object();
    if (!params)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    rc = rpc_call(c, "/web/session/destroy", params, &res, NULL, 0);
    json_decref(params);
    json_decref(res);
    client_forget_session(c);
    odoo__http_clear_cookies(c);
    /* An already expired session is logged out too. */
    if (rc == ODOO_ESESSION) {
        odoo__error_clear(&c->err);
        rc = ODOO_OK;
    }
    return rc;
}

/* ---- call_kw ------------------------------------------------------------- */

/* Merge src's keys into dst (dst owned by us). */
static int merge_into(json_t *dst, json_t *src)
{
    if (!src)
        return 0;
    return json_object_update(dst, src);
}

static int build_call_params(odoo_client *c, json_t **out, const char *model,
                             const char *method, json_t *args, json_t *kwargs,
                             json_t *context)
{
    json_t *kw, *ctx;

    *out = NULL;
    kw = kwargs ? json_copy(kwargs) : json_object();
    if (!kw)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    if (c->context || context) {
        /* client context < kwargs.context < context argument, key by key */
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
    /* "o" steals the references, also when json_pack fails. */
    *out = json_pack("{s:s, s:s, s:o, s:o}", "model", model, "method", method, "args",
                     args ? json_incref(args) : json_array(), "kwargs", kw);
    if (!*out)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    return ODOO_OK;
}

static int call_kw_checked(odoo_client *c, json_t **out, const char *model, const char *method,
                           json_t *args, json_t *kwargs, json_t *context)
{
    json_t *params = NULL, *res = NULL;
    char *path;
    size_t plen;
    int rc;

    rc = ensure_session(c);
    if (rc != ODOO_OK)
        return rc;

    rc = build_call_params(c, &params, model, method, args, kwargs, context);
    if (rc != ODOO_OK)
        return rc;
    plen = strlen("/web/dataset/call_kw/") + strlen(model) + 1 + strlen(method) + 1;
    path = odoo__malloc(plen);
    if (!path) {
        json_decref(params);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    snprintf(path, plen, "/web/dataset/call_kw/%s/%s", model, method);

    rc = rpc_call(c, path, params, &res, NULL, 0);
    if (rc == ODOO_ESESSION && c->auto_reauth) {
        /* Odoo checks the session before it dispatches the call, so the call
         * did not run: log in again and send it once more. */
        rc = do_login(c);
        if (rc == ODOO_OK) {
            c->reauth_count++;
            rc = rpc_call(c, path, params, &res, NULL, 0);
            if (rc == ODOO_ESESSION)
                c->logged_in = 0;
        }
    } else if (rc == ODOO_ESESSION) {
        c->logged_in = 0;
    }
    free(path);
    json_decref(params);
    if (rc != ODOO_OK)
        return rc;
    if (out)
        *out = res;
    else
        json_decref(res);
    return ODOO_OK;
}

int odoo_call_kw(odoo_client *c, json_t **out, const char *model, const char *method,
                 json_t *args, json_t *kwargs, json_t *context)
{
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
    return call_kw_checked(c, out, model, method, args, kwargs, context);
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
        *out = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(res);
        if (!*out)
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
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
        copy = json_deep_copy(context);
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
