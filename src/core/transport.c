// SPDX-License-Identifier: MIT
/*
 * libodoo - what the three transports share: the automatic choice between
 * them, safe retries with back-off, "in doubt" for writes, logins and
 * re-authentication, the calls. What is specific to one transport is in
 * transports/session.c, jsonrpc.c and json2.c, reached through its
 * operations table (transports/transport.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "transports/transport.h"

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
 * capped, with "equal jitter": half fixed, half random, so clients spread
 * out and a retry never comes right back (src/util/time.c). */
static long backoff_delay(odoo_client *c, int attempt)
{
    return odoo__backoff_ms(&c->rng, attempt, c->retry_base_ms, c->retry_max_ms,
                            ODOO__JITTER_EQUAL);
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
        long long now = odoo__now_ms(), left;
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
    odoo__sleep_ms(delay);
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

/* Send c->request (already built) and parse the answer, retrying what is
 * safe to retry. The request buffer is kept across attempts; a request that
 * carries a secret is wiped after each send, so odoo__rpc() rebuilds it for
 * every attempt and calls this with retries off. */
int odoo__exchange(odoo_client *c, int method, const char *path, struct curl_slist *headers,
                   odoo__parse_fn parse, int idempotent, json_t **result)
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

int odoo__set_request(odoo_client *c, json_t *body, int secret)
{
    int rc = odoo__buf_set_json(&c->request, body);
    c->request_secret = secret;
    if (rc != ODOO_OK) {
        odoo__buf_clear_secret(&c->request);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    }
    return ODOO_OK;
}

/* A JSON-RPC call: {"jsonrpc":"2.0","method":"call","params":params,"id":N}. */
int odoo__rpc(odoo_client *c, const char *path, json_t *params, int secret, int idempotent,
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
        rc = odoo__set_request(c, env, 0);
        json_decref(env);
        if (rc != ODOO_OK)
            return rc;
        return odoo__exchange(c, ODOO__POST, path, c->headers, odoo__rpc_parse_response,
                              idempotent, result);
    }
    /* The serialised body holds a password: it is wiped right after each
     * send, so every attempt serialises it again. */
    for (;;) {
        int saved = c->max_retries;
        rc = odoo__set_request(c, env, 1);
        if (rc != ODOO_OK)
            break;
        c->max_retries = 0;
        rc = odoo__exchange(c, ODOO__POST, path, c->headers, odoo__rpc_parse_response, 1,
                            result);
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

int odoo__set_version(odoo_client *c, json_t *verinfo, json_t *version)
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

int odoo__probe_version(odoo_client *c)
{
    json_t *res = NULL, *params;
    int rc;

    /* Odoo 19+: GET /web/version -> {"version_info": [...], "version": "19.0"} */
    c->request.len = 0;
    rc = odoo__exchange(c, ODOO__GET, "/web/version", c->headers, odoo__json2_parse_response, 1,
                        &res);
    if (rc == ODOO_OK && json_is_object(res)) {
        rc = odoo__set_version(c, json_object_get(res, "version_info"),
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
    rc = odoo__rpc(c, "/web/webclient/version_info", params, 0, 1, &res);
    json_decref(params);
    if (rc == ODOO_OK) {
        rc = odoo__set_version(c, json_object_get(res, "server_version_info"),
                               json_object_get(res, "server_version"));
        if (rc == ODOO_OK && c->server_major <= 0)
            rc = odoo__error_set(&c->err, ODOO_EPROTOCOL, 200,
                                 "the server did not tell its version");
    }
    json_decref(res);
    return rc;
}

const struct odoo__transport_ops *odoo__transport_find(int kind)
{
    static const struct odoo__transport_ops *const table[] = {
        NULL, &odoo__transport_session, &odoo__transport_jsonrpc, &odoo__transport_json2};
    if (kind < 0 || (size_t)kind >= sizeof(table) / sizeof(table[0]))
        return NULL;
    return table[kind];
}

/* The forced transport, else an API key on Odoo 19+ uses JSON-2, an API key
 * before 19 uses /jsonrpc, a password uses the web session. */
static int choose_transport(odoo_client *c)
{
    int rc;
    if (c->failed)
        return odoo__error_set(&c->err, ODOO_EINVAL, 0,
                               "client: odoo_client_new() failed; only free this client");
    if (c->ops)
        return ODOO_OK;
    if (c->forced != ODOO_TRANSPORT_AUTO) {
        /* odoo_client_new() checked it; NULL would be a bug, not a crash */
        c->ops = odoo__transport_find(c->forced);
        if (!c->ops)
            return odoo__error_set(&c->err, ODOO_EINVAL, 0, "options: unknown transport %d",
                                   (int)c->forced);
        return ODOO_OK;
    }
    if (!c->api_key) {
        c->ops = &odoo__transport_session;
        return ODOO_OK;
    }
    rc = odoo__probe_version(c);
    if (rc != ODOO_OK)
        return rc;
    c->ops = c->server_major >= 19 ? &odoo__transport_json2 : &odoo__transport_jsonrpc;
    return ODOO_OK;
}

/* ---- the login kept beside the cookie file (cookie_file.info) ------------------------- */

static char *info_path(const odoo_client *c)
{
    size_t n = strlen(c->cookie_file) + sizeof(".info");
    char *p = odoo__malloc(n);
    if (p)
        snprintf(p, n, "%s.info", c->cookie_file);
    return p;
}

json_t *odoo__session_info_load(const odoo_client *c)
{
    char *path = info_path(c);
    json_t *info = NULL;
    json_error_t jerr;
    const char *db, *user;
    if (!path)
        return NULL;
    info = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    free(path);
    db = json_string_value(json_object_get(info, "db"));
    user = json_string_value(json_object_get(info, "username"));
    if (!json_is_object(info) || !db || !user || !c->database || !c->login
        || strcmp(db, c->database) != 0 || strcmp(user, c->login) != 0) {
        json_decref(info); /* another database's or user's, or not ours at all */
        return NULL;
    }
    return info;
}

void odoo__session_info_save(const odoo_client *c)
{
    /* what a resumed client needs: who, and the server's version; never a
     * secret (the session id stays in the jar, a password or key nowhere) */
    static const char *const keys[] = {"uid", "db", "username", "server_version",
                                       "server_version_info", "user_context", NULL};
    json_t *info = json_object();
    char *path = info_path(c), *tmp = NULL;
    size_t i, n;
    int fd = -1;
    if (!info || !path || !c->database || !c->login)
        goto done;
    for (i = 0; keys[i]; i++) {
        json_t *v = json_object_get(c->session_info, keys[i]);
        if (v)
            json_object_set(info, keys[i], v);
    }
    /* /jsonrpc's session information has no version: the client's */
    if (!json_object_get(info, "server_version") && c->server_version)
        json_object_set_new(info, "server_version", json_string(c->server_version));
    if (!json_object_get(info, "server_version_info") && c->server_major > 0)
        json_object_set_new(info, "server_version_info", json_pack("[i]", c->server_major));
    json_object_set_new(info, "db", json_string(c->database));
    json_object_set_new(info, "username", json_string(c->login));
    n = strlen(path) + 8;
    tmp = odoo__malloc(n);
    if (!tmp)
        goto done;
    snprintf(tmp, n, "%s.XXXXXX", path);
    fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0)
        goto done;
    if (json_dumpfd(info, fd, JSON_COMPACT) != 0 || close(fd) != 0 || rename(tmp, path) != 0)
        unlink(tmp);
    fd = -1;
done:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    free(path);
    json_decref(info);
}

/* ---- logins -------------------------------------------------------------------------- */

void odoo__forget_session(odoo_client *c)
{
    c->logged_in = 0;
    c->maybe_session = 0;
    c->unverified = 0;
    c->uid = 0;
    json_decref(c->session_info);
    c->session_info = NULL;
    c->user_context = NULL;
}
/* Every refusal of a login means the credentials or the database are wrong:
 * AccessDenied for the login/password, AccessError "Database not found." or
 * psycopg2's "database does not exist" for the database. */
int odoo__login_refused(odoo_client *c, int rc)
{
    if (rc == ODOO_EACCESS || rc == ODOO_EAUTH
        || (rc == ODOO_ESERVER && strncmp(odoo_error_class(&c->err), "psycopg2.", 9) == 0)) {
        c->err.code = ODOO_EAUTH;
        c->err.retryable = 0;
        return ODOO_EAUTH;
    }
    return rc;
}

int odoo__login(odoo_client *c)
{
    int rc = choose_transport(c);
    if (rc != ODOO_OK)
        return rc;
    rc = c->ops->login(c);
    if (rc == ODOO_OK)
        c->login_count++;
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
    if (c->maybe_session && c->ops->resume) {
        c->maybe_session = 0;
        rc = c->ops->resume(c);
        if (rc != ODOO_ESESSION)
            return rc;
    }
    return odoo__login(c);
}

/* ---- calls ------------------------------------------------------------------------- */

/* The call reached Odoo's method with the login accepted: a result, or an
 * error the method (or the ORM under it) raised. A transport failure, a 5xx
 * page or a refused login proves nothing about a resumed login. */
static int answered_by_odoo(int rc)
{
    switch (rc) {
    case ODOO_OK:
    case ODOO_EACCESS:
    case ODOO_EVALIDATION:
    case ODOO_EMISSING:
    case ODOO_EUSER:
    case ODOO_ENOTFOUND:
    case ODOO_ESERVER:
        return 1;
    default:
        return 0;
    }
}

int odoo__execute(odoo_client *c, json_t **out, const char *model, const char *method,
                  json_t *args, json_t *kwargs)
{
    int idempotent = odoo__method_is_read_only(method);
    int rc = odoo__ensure_session(c);

    *out = NULL;
    if (rc != ODOO_OK)
        return rc;
    rc = c->ops->call(c, out, model, method, args, kwargs, idempotent);
    if (rc == c->ops->stale && (c->unverified || (rc == ODOO_ESESSION && c->auto_reauth))) {
        /* Odoo checks the session (or /jsonrpc's uid and secret) before it
         * dispatches the call, so the call did not run: log in again and
         * send it once more. A login resumed from a file unasked is logged in
         * anew whatever auto_reauth says: it is the login the client would
         * have made first. */
        int resumed = c->unverified;
        c->unverified = 0;
        rc = odoo__login(c);
        if (rc == ODOO_OK) {
            if (!resumed)
                c->reauth_count++;
            rc = c->ops->call(c, out, model, method, args, kwargs, idempotent);
        }
    }
    if (answered_by_odoo(rc))
        c->unverified = 0; /* the server took the login */
    if (rc == c->ops->stale)
        c->logged_in = 0; /* log in again before the next call */
    return rc;
}
