// SPDX-License-Identifier: MIT
/*
 * libodoo - the web session transport: POST /web/session/authenticate, then
 * /web/dataset/call_kw/<model>/<method> with Odoo's session_id cookie (the
 * only path Odoo Online allows). The session can be resumed from a cookie
 * file and ended with /web/session/destroy.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transports/transport.h"

static int store_session_info(odoo_client *c, json_t *info)
{
    json_t *uid;
    int rc;
    if (!json_is_object(info))
        return odoo__error_set(&c->err, ODOO_EPROTOCOL, 200,
                               "login: the session information is not an object");
    uid = json_object_get(info, "uid");
    if (!json_is_integer(uid) || json_integer_value(uid) <= 0
        || json_integer_value(uid) > INT_MAX)
        return odoo__error_set(&c->err, ODOO_EAUTH, 200,
                               "login: the server returned no user id");
    odoo__forget_session(c);
    c->session_info = json_incref(info);
    c->uid = (int)json_integer_value(uid);
    c->user_context = json_object_get(info, "user_context");
    rc = odoo__set_version(c, json_object_get(info, "server_version_info"),
                           json_object_get(info, "server_version"));
    if (rc != ODOO_OK)
        return rc;
    c->logged_in = 1;
    return ODOO_OK;
}

static int login_session(odoo_client *c)
{
    json_t *params, *info = NULL;
    int rc;

    if (!c->database || !c->login || !c->password)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "login: the web session needs database, login and password");
    odoo__forget_session(c);
    params = json_pack("{s:s, s:s, s:s}", "db", c->database, "login", c->login, "password",
                       c->password);
    if (!params)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    rc = odoo__rpc(c, "/web/session/authenticate", params, 1, 1, &info);
    odoo__json_wipe_strings(json_object_get(params, "password"));
    json_decref(params);
    if (rc == ODOO_OK) {
        rc = store_session_info(c, info);
        json_decref(info);
        return rc;
    }
    return odoo__login_refused(c, rc);
}

/* The session loaded from a cookie file. With its information saved beside
 * it (cookie_file.info, of this database and login), take it without a
 * request: the first call proves it, and logs in again if Odoo ended it
 * (odoo__execute). Else ask the server whether it is alive. */
static int check_session(odoo_client *c)
{
    json_t *params, *info = NULL;
    int rc;
    if (!c->cookie_loaded) {
        /* only /jsonrpc's uid was kept: the web session logs in */
        json_decref(c->saved_info);
        c->saved_info = NULL;
        return ODOO_ESESSION;
    }
    if (c->saved_info) {
        json_t *saved = c->saved_info;
        c->saved_info = NULL;
        rc = store_session_info(c, saved);
        json_decref(saved);
        if (rc == ODOO_OK) {
            c->unverified = 1;
            return ODOO_OK;
        }
        odoo__error_clear(&c->err); /* not usable: ask the server */
    }
    params = json_object();
    if (!params)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    rc = odoo__rpc(c, "/web/session/get_session_info", params, 0, 1, &info);
    json_decref(params);
    if (rc == ODOO_OK) {
        /* the file holds the session of whoever saved it last: another
         * database's or user's is not ours (log in instead) */
        const char *db = json_string_value(json_object_get(info, "db"));
        const char *user = json_string_value(json_object_get(info, "username"));
        if ((db && c->database && strcmp(db, c->database) != 0)
            || (user && c->login && strcmp(user, c->login) != 0)) {
            json_decref(info);
            odoo__http_clear_cookies(c);
            return odoo__error_set(&c->err, ODOO_ESESSION, 200,
                                   "the saved session belongs to another user or database");
        }
        /* An anonymous session answers uid null: treat as expired. */
        rc = store_session_info(c, info);
        if (rc == ODOO_EAUTH)
            rc = ODOO_ESESSION;
    }
    json_decref(info);
    return rc;
}

/* call_kw of a model the database does not have: Odoo 16 and 17 answer
 * builtins.KeyError with the model name as its message (request.env[model]),
 * 18 and 19 a bare werkzeug NotFound, "404: Not Found" (registry[model] ->
 * NotFound): neither names the model. Say which model is unknown, as /jsonrpc
 * does ("Object x doesn't exist"), as ODOO_ENOTFOUND; the class is kept. */
static int name_unknown_model(odoo_client *c, int rc, const char *model)
{
    const char *klass = odoo_error_class(&c->err);
    const char *msg = c->err.message ? c->err.message : "";
    size_t ml = strlen(model);
    int unknown = 0;
    if (rc == ODOO_ENOTFOUND && strcmp(klass, "werkzeug.exceptions.NotFound") == 0)
        unknown = 1;
    else if (rc == ODOO_ESERVER && strcmp(klass, "builtins.KeyError") == 0) {
        /* the message is the key, maybe quoted: 'x.y' or x.y */
        if (strcmp(msg, model) == 0)
            unknown = 1;
        else if (strlen(msg) == ml + 2 && (msg[0] == '\'' || msg[0] == '"')
                 && msg[ml + 1] == msg[0] && strncmp(msg + 1, model, ml) == 0)
            unknown = 1;
    }
    if (!unknown)
        return rc;
    {
        char *old = c->err.message;
        char *klass_copy = c->err.klass;
        char *debug = c->err.debug;
        int status = c->err.http_status, rpc_code = c->err.rpc_code;
        c->err.message = NULL;
        c->err.klass = NULL;
        c->err.debug = NULL;
        odoo__error_set(&c->err, ODOO_ENOTFOUND, status,
                        "unknown model %s: the database has no model of that name "
                        "(Odoo answered %s)",
                        model, rc == ODOO_ENOTFOUND ? "404 Not Found" : "KeyError");
        free(old);
        if (klass_copy) {
            free(c->err.klass);
            c->err.klass = klass_copy;
        }
        if (debug) {
            free(c->err.debug);
            c->err.debug = debug;
        }
        c->err.rpc_code = rpc_code;
    }
    return ODOO_ENOTFOUND;
}

static int call_session(odoo_client *c, json_t **out, const char *model, const char *method,
                        json_t *args, json_t *kwargs, int idempotent)
{
    json_t *params;
    char *path;
    size_t plen;
    int rc;

    params = json_pack("{s:s, s:s, s:O, s:O}", "model", model, "method", method, "args", args,
                       "kwargs", kwargs);
    plen = strlen("/web/dataset/call_kw/") + strlen(model) + 1 + strlen(method) + 1;
    path = params ? odoo__malloc(plen) : NULL;
    if (!path) {
        json_decref(params);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    snprintf(path, plen, "/web/dataset/call_kw/%s/%s", model, method);

    rc = odoo__rpc(c, path, params, 0, idempotent, out);
    if (rc == ODOO_ENOTFOUND || rc == ODOO_ESERVER)
        rc = name_unknown_model(c, rc, model);
    free(path);
    json_decref(params);
    return rc;
}

/* End the session on the server (an expired one is ended too), then forget
 * it here. Not retried. */
static int logout_session(odoo_client *c)
{
    json_t *res = NULL;
    json_t *params = json_object(), *env;
    odoo__http_response resp;
    int rc;

    if (!params)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    env = json_pack("{s:s, s:s, s:o, s:I}", "jsonrpc", "2.0", "method", "call", "params", params,
                    "id", (json_int_t)c->next_id++);
    if (!env || odoo__buf_set_json(&c->request, env) != ODOO_OK) {
        json_decref(env);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    json_decref(env);
    rc = odoo__http_exchange(c, ODOO__POST, "/web/session/destroy", c->headers, &resp);
    if (rc == ODOO_OK)
        rc = odoo__rpc_parse_response(&c->err, resp.status, resp.content_type, resp.body,
                                      resp.len, &res);
    json_decref(res);
    /* An already expired session is logged out too. */
    if (rc == ODOO_ESESSION) {
        odoo__error_clear(&c->err);
        rc = ODOO_OK;
    }
    odoo__forget_session(c);
    odoo__http_clear_cookies(c);
    return rc;
}

const struct odoo__transport_ops odoo__transport_session = {
    .kind = ODOO_TRANSPORT_SESSION,
    .name = "session",
    .stale = ODOO_ESESSION,
    .login = login_session,
    .call = call_session,
    .resume = check_session,
    .logout = logout_session,
};
