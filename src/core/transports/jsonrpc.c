// SPDX-License-Identifier: MIT
/*
 * libodoo - the external JSON-RPC transport: POST /jsonrpc,
 * common.authenticate, then object.execute_kw with the password or API key
 * in every call; no cookie, no session to expire.
 */
#include <limits.h>
#include <stdlib.h>

#include "transports/transport.h"

static const char *rpc_secret(const odoo_client *c)
{
    return c->api_key ? c->api_key : c->password;
}

/* The session information /jsonrpc has: the uid, the database and a context
 * naming the uid; logged in. */
static int set_logged_in(odoo_client *c)
{
    json_t *ctx = json_pack("{s:i}", "uid", c->uid);
    c->session_info = ctx ? json_pack("{s:i, s:s, s:o}", "uid", c->uid, "db", c->database,
                                      "user_context", ctx)
                          : NULL;
    if (!c->session_info)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    c->user_context = json_object_get(c->session_info, "user_context");
    c->logged_in = 1;
    return ODOO_OK;
}

static int login_jsonrpc(odoo_client *c)
{
    json_t *params, *args, *uid = NULL;
    int rc;

    if (!c->database || !c->login || !rpc_secret(c))
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "login: /jsonrpc needs database, login and a password or API key");
    odoo__forget_session(c);
    args = json_pack("[s, s, s, {}]", c->database, c->login, rpc_secret(c));
    params = args ? json_pack("{s:s, s:s, s:O}", "service", "common", "method", "authenticate",
                              "args", args)
                  : NULL;
    if (!params) {
        odoo__json_wipe_strings(args);
        json_decref(args);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    rc = odoo__rpc(c, "/jsonrpc", params, 1, 1, &uid);
    odoo__json_wipe_strings(args);
    json_decref(args);
    json_decref(params);
    if (rc != ODOO_OK)
        return odoo__login_refused(c, rc);
    if (!json_is_integer(uid) || json_integer_value(uid) <= 0
        || json_integer_value(uid) > INT_MAX) {
        json_decref(uid);
        /* common.authenticate answers false for a wrong login or password */
        return odoo__error_set(&c->err, ODOO_EAUTH, 200,
                               "Access Denied: wrong login, password or API key");
    }
    c->uid = (int)json_integer_value(uid);
    json_decref(uid);
    if (!c->server_version) {
        json_t *ver = NULL;
        params = json_pack("{s:s, s:s, s:[]}", "service", "common", "method", "version", "args");
        if (!params)
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
        rc = odoo__rpc(c, "/jsonrpc", params, 0, 1, &ver);
        json_decref(params);
        if (rc == ODOO_OK)
            rc = odoo__set_version(c, json_object_get(ver, "server_version_info"),
                                   json_object_get(ver, "server_version"));
        json_decref(ver);
        if (rc != ODOO_OK)
            return rc;
    }
    return set_logged_in(c);
}

static int call_jsonrpc(odoo_client *c, json_t **out, const char *model, const char *method,
                        json_t *args, json_t *kwargs, int idempotent)
{
    json_t *params, *a;
    int rc;
    a = json_pack("[s, i, s, s, s, O, O]", c->database, c->uid, rpc_secret(c), model, method,
                  args, kwargs);
    params = a ? json_pack("{s:s, s:s, s:O}", "service", "object", "method", "execute_kw",
                           "args", a)
               : NULL;
    if (!params) {
        /* only the secret: args and kwargs are the caller's (shared references) */
        odoo__json_wipe_strings(json_array_get(a, 2));
        json_decref(a);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    rc = odoo__rpc(c, "/jsonrpc", params, 1, idempotent, out);
    odoo__json_wipe_strings(json_array_get(a, 2));
    json_decref(a);
    json_decref(params);
    return rc;
}

/* The uid kept in cookie_file.info (of this database and login): no
 * common.authenticate, which hashes the secret on the server. Every
 * execute_kw sends the uid with the secret and Odoo checks the two together
 * before it runs anything, so a uid that no longer holds is refused by the
 * first call, which then logs in and is sent again (odoo__execute). */
static int resume_jsonrpc(odoo_client *c)
{
    json_t *saved = c->saved_info, *uid;
    int rc;
    c->saved_info = NULL;
    uid = json_object_get(saved, "uid");
    if (!json_is_integer(uid) || json_integer_value(uid) <= 0
        || json_integer_value(uid) > INT_MAX) {
        json_decref(saved);
        return ODOO_ESESSION;
    }
    odoo__forget_session(c);
    c->uid = (int)json_integer_value(uid);
    rc = odoo__set_version(c, json_object_get(saved, "server_version_info"),
                           json_object_get(saved, "server_version"));
    json_decref(saved);
    if (rc != ODOO_OK || c->server_major <= 0) {
        odoo__forget_session(c);
        odoo__error_clear(&c->err);
        return ODOO_ESESSION;
    }
    if ((rc = set_logged_in(c)) != ODOO_OK)
        return rc;
    c->unverified = 1;
    return ODOO_OK;
}

/* ODOO_EAUTH on a call: the password or key changed; log in again next time. */
const struct odoo__transport_ops odoo__transport_jsonrpc = {
    .kind = ODOO_TRANSPORT_JSONRPC,
    .name = "jsonrpc",
    .stale = ODOO_EAUTH,
    .login = login_jsonrpc,
    .call = call_jsonrpc,
    .resume = resume_jsonrpc,
};
