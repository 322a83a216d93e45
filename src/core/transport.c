/*
 * libodoo - the three transports behind one client API, their logins, the
 * automatic choice between them, safe retries and re-authentication.
 *
 *   session  POST /web/session/authenticate, then /web/dataset/call_kw with
 *            Odoo's session_id cookie (the only path Odoo Online allows)
 *   jsonrpc  POST /jsonrpc: common.authenticate, then object.execute_kw with
 *            the password or API key in every call; no cookie
 *   json2    POST /json/2/<model>/<method> (Odoo 19+) with a bearer API key
 *            and named arguments; the bare result, errors as HTTP 4xx/5xx
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* ---- retries ---------------------------------------------------------------- */

static const char *const read_only_methods[] = {
    "search", "search_read", "search_count", "read", "fields_get", "name_search",
    "name_get", "read_group", "web_search_read", "web_read", "web_read_group",
    "default_get", "check_access_rights", "check_access_rule", "has_access",
    "context_get", "get_views", "fields_view_get", "exists", "search_fetch",
    "formatted_read_group", "check_object_reference", "xmlid_to_res_id", NULL};

int odoo__method_is_read_only(const char *method)
{
    size_t i;
    for (i = 0; read_only_methods[i]; i++)
        if (strcmp(method, read_only_methods[i]) == 0)
            return 1;
    return 0;
}

/* The back-off before retry number `attempt` (0-based): base * 2^attempt,
 * capped, with "equal jitter": half fixed, half random, so clients spread out. */
static long backoff_delay(odoo_client *c, int attempt)
{
    long delay = c->retry_base_ms > 0 ? c->retry_base_ms : 1;
    int i;
    for (i = 0; i < attempt && delay < c->retry_max_ms; i++)
        delay *= 2;
    if (c->retry_max_ms > 0 && delay > c->retry_max_ms)
        delay = c->retry_max_ms;
    c->rng = c->rng * 1103515245u + 12345u;
    return delay / 2 + (long)((c->rng >> 8) % (unsigned int)(delay / 2 + 1));
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static long long now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether the failed exchange may be sent again. */
static int may_retry(odoo_client *c, int rc, int idempotent)
{
    if (!c->err.retryable && rc != ODOO_EHTTP)
        return 0;
    switch (rc) {
    case ODOO_ENETWORK:
    case ODOO_ETIMEOUT:
        /* nothing reached the server: safe for any method */
        return !c->last_sent || idempotent;
    case ODOO_EHTTP:
        if (c->err.http_status == 429)
            return 1; /* refused before it was processed */
        if (c->err.http_status == 502 || c->err.http_status == 503
            || c->err.http_status == 504)
            return idempotent;
        return 0;
    default:
        return 0;
    }
}

/* Odoo is not there right now (stopped, restarting, being deployed): nothing
 * listens, or the proxy in front of it says so. Retried until the deadline. */
static int unavailable(const odoo_client *c, int rc)
{
    if (rc == ODOO_ENETWORK)
        return c->last_refused;
    if (rc == ODOO_EHTTP)
        return c->err.http_status == 502 || c->err.http_status == 503
               || c->err.http_status == 504;
    return 0;
}

/* The retries of one call. */
typedef struct retry_state {
    int attempt;             /* retries made (the back-off's exponent) */
    int counted;             /* retries that count against max_retries */
    long long unavailable_since; /* monotonic ms of the first "unavailable", or 0 */
} retry_state;

#define RETRY_STATE_INIT {0, 0, 0}

/* After a failed attempt: whether to send it again. When so, waits the
 * back-off first. A failure that says Odoo is unavailable is retried until
 * retry_deadline_ms after the first one (when that is on), any other
 * retryable failure max_retries times; max_retries = 0 turns both off. */
static int retry_next(odoo_client *c, int rc, int idempotent, retry_state *st)
{
    long delay;
    const char *why;
    if (rc == ODOO_OK || c->max_retries <= 0 || !may_retry(c, rc, idempotent))
        return 0;
    delay = backoff_delay(c, st->attempt);
    if (c->retry_deadline_ms > 0 && unavailable(c, rc)) {
        long long now = now_ms(), left;
        if (!st->unavailable_since)
            st->unavailable_since = now;
        left = st->unavailable_since + c->retry_deadline_ms - now;
        if (left <= 0)
            return 0;
        if (delay > left)
            delay = (long)left; /* one last try at the deadline */
        why = "unavailable";
    } else {
        if (st->counted >= c->max_retries)
            return 0;
        st->counted++;
        why = "retryable";
    }
    if (c->trace) {
        char line[160];
        int n = snprintf(line, sizeof(line), "libodoo: %s failure (%s, HTTP %d), retry %d in %ld ms\n",
                         why, odoo_error_name(rc), c->err.http_status, st->attempt + 1, delay);
        if (n > 0)
            c->trace(ODOO_TRACE_INFO, line,
                     (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1, c->trace_userdata);
    }
    sleep_ms(delay);
    st->attempt++;
    c->retry_count++;
    return 1;
}

/* After the last attempt: a call that changes data and may have reached the
 * server is reported as "in doubt". */
static int maybe_in_doubt(odoo_client *c, int rc, int idempotent)
{
    int doubt = 0;
    if (idempotent)
        return rc;
    if ((rc == ODOO_ENETWORK || rc == ODOO_ETIMEOUT) && c->last_sent)
        doubt = 1;
    else if (rc == ODOO_EHTTP
             && (c->err.http_status == 502 || c->err.http_status == 503
                 || c->err.http_status == 504))
        doubt = 1;
    else if (rc == ODOO_EPROTOCOL)
        doubt = 1;
    else if (rc == ODOO_ENOMEM && c->last_sent)
        doubt = 1; /* sent, but the answer could not be received or read */
    if (!doubt)
        return rc;
    {
        char *msg = c->err.message;
        int status = c->err.http_status;
        c->err.message = NULL;
        odoo__error_set(&c->err, ODOO_EINDOUBT, status,
                        "the call may have been applied; it was not sent again (%s)",
                        msg ? msg : "");
        free(msg);
    }
    return ODOO_EINDOUBT;
}

typedef int (*parse_fn)(odoo_error *err, long status, const char *content_type,
                        const char *body, size_t len, json_t **result);

/* Send c->request (already built) and parse the answer, retrying what is
 * safe to retry. The request buffer is kept across attempts; a request that
 * carries a secret is wiped after each send, so rpc() rebuilds it for every
 * attempt and calls this with retries off. */
static int exchange(odoo_client *c, int method, const char *path, struct curl_slist *headers,
                    parse_fn parse, int idempotent, json_t **result)
{
    odoo__http_response resp;
    retry_state st = RETRY_STATE_INIT;
    int rc;

    *result = NULL;
    for (;;) {
        rc = odoo__http_exchange(c, method, path, headers, &resp);
        if (rc == ODOO_OK)
            rc = parse(&c->err, resp.status, resp.content_type, resp.body, resp.len, result);
        if (!retry_next(c, rc, idempotent, &st))
            break;
    }
    return maybe_in_doubt(c, rc, idempotent);
}

/* ---- request bodies ------------------------------------------------------------ */

static int set_request(odoo_client *c, json_t *body, int secret)
{
    int rc = odoo__buf_set_json(&c->request, body);
    c->request_secret = secret;
    if (rc != ODOO_OK) {
        odoo__buf_clear_secret(&c->request);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    return ODOO_OK;
}

/* Overwrite a JSON string's characters in place before it is released (the
 * copy of a password inside a request object). */
static void wipe_json_strings(json_t *j)
{
    if (json_is_string(j)) {
        /* jansson owns the bytes and frees them right after: writing zeros
         * over them first is safe. */
        odoo__wipe((void *)(uintptr_t)json_string_value(j), json_string_length(j));
    } else if (json_is_array(j)) {
        size_t i;
        for (i = 0; i < json_array_size(j); i++)
            wipe_json_strings(json_array_get(j, i));
    }
}

/* A JSON-RPC call: {"jsonrpc":"2.0","method":"call","params":params,"id":N}. */
static int rpc(odoo_client *c, const char *path, json_t *params, int secret, int idempotent,
               json_t **result)
{
    json_t *env;
    retry_state st = RETRY_STATE_INIT;
    int rc;

    env = json_pack("{s:s, s:s, s:O, s:I}", "jsonrpc", "2.0", "method", "call", "params",
                    params, "id", (json_int_t)c->next_id++);
    if (!env)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    if (!secret) {
        rc = set_request(c, env, 0);
        json_decref(env);
        if (rc != ODOO_OK)
            return rc;
        return exchange(c, ODOO__POST, path, c->headers, odoo__rpc_parse_response, idempotent,
                        result);
    }
    /* The serialised body holds a password: it is wiped right after each
     * send, so every attempt serialises it again. */
    for (;;) {
        int saved = c->max_retries;
        rc = set_request(c, env, 1);
        if (rc != ODOO_OK)
            break;
        c->max_retries = 0;
        rc = exchange(c, ODOO__POST, path, c->headers, odoo__rpc_parse_response, 1, result);
        c->max_retries = saved;
        if (!retry_next(c, rc, idempotent, &st))
            break;
    }
    json_decref(env);
    if (rc != ODOO_OK && !idempotent)
        rc = maybe_in_doubt(c, rc, idempotent);
    return rc;
}

/* ---- server version (for the automatic choice) ------------------------------- */

static int set_version(odoo_client *c, json_t *verinfo, json_t *version)
{
    if (json_is_array(verinfo) && json_is_integer(json_array_get(verinfo, 0)))
        c->server_major = (int)json_integer_value(json_array_get(verinfo, 0));
    if (json_is_string(version)) {
        free(c->server_version);
        c->server_version = odoo__strdup(json_string_value(version));
        if (!c->server_version)
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
        if (!c->server_major)
            c->server_major = atoi(c->server_version);
    }
    return ODOO_OK;
}

static int json_any_parse(odoo_error *err, long status, const char *ct, const char *body,
                          size_t len, json_t **result)
{
    return odoo__json2_parse_response(err, status, ct, body, len, result);
}

static int probe_version(odoo_client *c)
{
    json_t *res = NULL, *params;
    int rc;

    /* Odoo 19+: GET /web/version -> {"version_info": [...], "version": "19.0"} */
    c->request.len = 0;
    rc = exchange(c, ODOO__GET, "/web/version", c->headers, json_any_parse, 1, &res);
    if (rc == ODOO_OK && json_is_object(res)) {
        rc = set_version(c, json_object_get(res, "version_info"),
                         json_object_get(res, "version"));
        json_decref(res);
        if (rc == ODOO_OK && c->server_major > 0)
            return ODOO_OK;
    } else {
        json_decref(res);
        if (rc != ODOO_OK && rc != ODOO_EHTTP && rc != ODOO_ENOTFOUND && rc != ODOO_EPROTOCOL)
            return rc; /* the server is not reachable at all */
    }
    /* Older: the JSON-RPC route every version has. */
    params = json_object();
    if (!params)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    res = NULL;
    rc = rpc(c, "/web/webclient/version_info", params, 0, 1, &res);
    json_decref(params);
    if (rc == ODOO_OK) {
        rc = set_version(c, json_object_get(res, "server_version_info"),
                         json_object_get(res, "server_version"));
        if (rc == ODOO_OK && c->server_major <= 0)
            rc = odoo__error_set(&c->err, ODOO_EPROTOCOL, 200,
                                 "the server did not tell its version");
    }
    json_decref(res);
    return rc;
}

static int choose_transport(odoo_client *c)
{
    int rc;
    if (c->transport != ODOO_TRANSPORT_AUTO)
        return ODOO_OK;
    if (c->forced != ODOO_TRANSPORT_AUTO) {
        c->transport = c->forced;
        return ODOO_OK;
    }
    if (!c->api_key) {
        c->transport = ODOO_TRANSPORT_SESSION;
        return ODOO_OK;
    }
    rc = probe_version(c);
    if (rc != ODOO_OK)
        return rc;
    c->transport = c->server_major >= 19 ? ODOO_TRANSPORT_JSON2 : ODOO_TRANSPORT_JSONRPC;
    return ODOO_OK;
}

/* ---- logins -------------------------------------------------------------------------- */

void odoo__forget_session(odoo_client *c)
{
    c->logged_in = 0;
    c->maybe_session = 0;
    c->uid = 0;
    json_decref(c->session_info);
    c->session_info = NULL;
    c->user_context = NULL;
}

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
    rc = set_version(c, json_object_get(info, "server_version_info"),
                     json_object_get(info, "server_version"));
    if (rc != ODOO_OK)
        return rc;
    c->logged_in = 1;
    return ODOO_OK;
}

/* Every refusal of a login means the credentials or the database are wrong:
 * AccessDenied for the login/password, AccessError "Database not found." or
 * psycopg2's "database does not exist" for the database. */
static int login_refused(odoo_client *c, int rc)
{
    if (rc == ODOO_EACCESS || rc == ODOO_EAUTH
        || (rc == ODOO_ESERVER && strncmp(odoo_error_class(&c->err), "psycopg2.", 9) == 0)) {
        c->err.code = ODOO_EAUTH;
        c->err.retryable = 0;
        return ODOO_EAUTH;
    }
    return rc;
}

static const char *rpc_secret(const odoo_client *c)
{
    return c->api_key ? c->api_key : c->password;
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
    rc = rpc(c, "/web/session/authenticate", params, 1, 1, &info);
    wipe_json_strings(json_object_get(params, "password"));
    json_decref(params);
    if (rc == ODOO_OK) {
        rc = store_session_info(c, info);
        json_decref(info);
        return rc;
    }
    return login_refused(c, rc);
}

static int login_jsonrpc(odoo_client *c)
{
    json_t *params, *args, *uid = NULL, *ctx;
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
        wipe_json_strings(args);
        json_decref(args);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    rc = rpc(c, "/jsonrpc", params, 1, 1, &uid);
    wipe_json_strings(args);
    json_decref(args);
    json_decref(params);
    if (rc != ODOO_OK)
        return login_refused(c, rc);
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
        rc = rpc(c, "/jsonrpc", params, 0, 1, &ver);
        json_decref(params);
        if (rc == ODOO_OK)
            rc = set_version(c, json_object_get(ver, "server_version_info"),
                             json_object_get(ver, "server_version"));
        json_decref(ver);
        if (rc != ODOO_OK)
            return rc;
    }
    ctx = json_pack("{s:i}", "uid", c->uid);
    c->session_info = ctx ? json_pack("{s:i, s:s, s:O}", "uid", c->uid, "db", c->database,
                                      "user_context", ctx)
                          : NULL;
    json_decref(ctx);
    if (!c->session_info)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    c->user_context = json_object_get(c->session_info, "user_context");
    c->logged_in = 1;
    return ODOO_OK;
}

static int json2_headers(odoo_client *c)
{
    char *line;
    size_t n;
    struct curl_slist *list;

    if (c->json2_headers)
        return ODOO_OK;
    list = curl_slist_append(NULL, "Content-Type: application/json");
    if (list)
        list = curl_slist_append(list, "Accept: application/json");
    if (list)
        list = curl_slist_append(list, "Expect:");
    if (list && c->database) {
        n = strlen("X-Odoo-Database: ") + strlen(c->database) + 1;
        line = odoo__malloc(n);
        if (!line) {
            curl_slist_free_all(list);
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
        }
        snprintf(line, n, "X-Odoo-Database: %s", c->database);
        list = curl_slist_append(list, line);
        free(line);
    }
    if (list) {
        struct curl_slist *l2;
        n = strlen("Authorization: bearer ") + strlen(c->api_key) + 1;
        line = odoo__malloc(n);
        if (!line) {
            curl_slist_free_all(list);
            return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
        }
        snprintf(line, n, "Authorization: bearer %s", c->api_key);
        l2 = curl_slist_append(list, line);
        odoo__free_secret(line);
        if (!l2) {
            curl_slist_free_all(list);
            list = NULL;
        } else {
            list = l2;
        }
    }
    if (!list)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    c->json2_headers = list;
    return ODOO_OK;
}

static int call_json2(odoo_client *c, json_t **out, const char *model, const char *method,
                      json_t *body, int idempotent);

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
    rc = call_json2(c, &ctx, "res.users", "context_get", body, 1);
    json_decref(body);
    if (rc != ODOO_OK)
        return login_refused(c, rc);
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
        return probe_version(c);
    return ODOO_OK;
}

int odoo__login(odoo_client *c)
{
    int rc = choose_transport(c);
    if (rc != ODOO_OK)
        return rc;
    switch (c->transport) {
    case ODOO_TRANSPORT_JSONRPC:
        rc = login_jsonrpc(c);
        break;
    case ODOO_TRANSPORT_JSON2:
        rc = login_json2(c);
        break;
    default:
        rc = login_session(c);
        break;
    }
    if (rc == ODOO_OK)
        c->login_count++;
    return rc;
}

/* The session loaded from a cookie file: ask the server whether it is alive. */
static int check_session(odoo_client *c)
{
    json_t *params = json_object(), *info = NULL;
    int rc;
    if (!params)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    rc = rpc(c, "/web/session/get_session_info", params, 0, 1, &info);
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

int odoo__ensure_session(odoo_client *c)
{
    int rc;
    if (c->logged_in)
        return ODOO_OK;
    rc = choose_transport(c);
    if (rc != ODOO_OK)
        return rc;
    if (c->maybe_session && c->transport == ODOO_TRANSPORT_SESSION) {
        c->maybe_session = 0;
        rc = check_session(c);
        if (rc != ODOO_ESESSION)
            return rc;
    }
    return odoo__login(c);
}

/* ---- calls ------------------------------------------------------------------------- */

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

    rc = rpc(c, path, params, 0, idempotent, out);
    if (rc == ODOO_ESESSION && c->auto_reauth) {
        /* Odoo checks the session before it dispatches the call, so the call
         * did not run: log in again and send it once more. */
        rc = odoo__login(c);
        if (rc == ODOO_OK) {
            c->reauth_count++;
            rc = rpc(c, path, params, 0, idempotent, out);
        }
    }
    if (rc == ODOO_ESESSION)
        c->logged_in = 0;
    if (rc == ODOO_ENOTFOUND || rc == ODOO_ESERVER)
        rc = name_unknown_model(c, rc, model);
    free(path);
    json_decref(params);
    return rc;
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
        wipe_json_strings(json_array_get(a, 2));
        json_decref(a);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    rc = rpc(c, "/jsonrpc", params, 1, idempotent, out);
    wipe_json_strings(json_array_get(a, 2));
    json_decref(a);
    json_decref(params);
    if (rc == ODOO_EAUTH)
        c->logged_in = 0; /* the password or key changed: log in again next time */
    return rc;
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

static int call_json2(odoo_client *c, json_t **out, const char *model, const char *method,
                      json_t *body, int idempotent)
{
    char *path;
    size_t plen;
    int rc;

    rc = set_request(c, body, 0);
    if (rc != ODOO_OK)
        return rc;
    plen = strlen("/json/2/") + strlen(model) + 1 + strlen(method) + 1;
    path = odoo__malloc(plen);
    if (!path)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    snprintf(path, plen, "/json/2/%s/%s", model, method);
    rc = exchange(c, ODOO__POST, path, c->json2_headers, odoo__json2_parse_response,
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

int odoo__execute(odoo_client *c, json_t **out, const char *model, const char *method,
                  json_t *args, json_t *kwargs)
{
    int idempotent = odoo__method_is_read_only(method);
    int rc = odoo__ensure_session(c);
    json_t *body = NULL;

    *out = NULL;
    if (rc != ODOO_OK)
        return rc;
    switch (c->transport) {
    case ODOO_TRANSPORT_JSONRPC:
        return call_jsonrpc(c, out, model, method, args, kwargs, idempotent);
    case ODOO_TRANSPORT_JSON2:
        rc = json2_body(c, &body, method, args, kwargs);
        if (rc != ODOO_OK)
            return rc;
        rc = call_json2(c, out, model, method, body, idempotent);
        json_decref(body);
        if (rc == ODOO_EAUTH)
            c->logged_in = 0;
        return rc;
    default:
        return call_session(c, out, model, method, args, kwargs, idempotent);
    }
}
