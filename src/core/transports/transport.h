// SPDX-License-Identifier: MIT
/*
 * libodoo - the transports (src/core/transports): one operations table per
 * way of talking to Odoo, and the shared machinery (transport.c) they call.
 *
 *   session.c  POST /web/session/authenticate, then /web/dataset/call_kw
 *              with Odoo's session_id cookie
 *   jsonrpc.c  POST /jsonrpc: common.authenticate, then object.execute_kw
 *              with the password or API key in every call; no cookie
 *   json2.c    POST /json/2/<model>/<method> (Odoo 19+) with a bearer API
 *              key and named arguments
 *
 * What all three share stays in transport.c: the automatic choice, the
 * retries and back-off, "in doubt" for writes, re-authentication, the
 * read-only method list. Nothing outside odoo__transport_find() looks at
 * the kind of transport: the rest goes through the table.
 */
#ifndef ODOO_TRANSPORTS_TRANSPORT_H
#define ODOO_TRANSPORTS_TRANSPORT_H

#include "internal.h"

struct odoo__transport_ops {
    odoo_transport kind;
    const char *name; /* odoo_transport_name() */
    int api_key_only; /* odoo_client_new() refuses it without an API key */
    /* The code of a call refused because the login no longer holds; the
     * client logs in again before the next call. ODOO_ESESSION (an expired
     * session: Odoo refused the call before running it) also makes the call
     * log in again and send it once more at once, with auto_reauth. */
    int stale;
    /* Log in: set c->uid, c->session_info, c->user_context, c->logged_in. */
    int (*login)(odoo_client *c);
    /* Call model.method(*args, **kwargs); *out gets a new reference.
     * idempotent: the call may be sent again after a failure. */
    int (*call)(odoo_client *c, json_t **out, const char *model, const char *method,
                json_t *args, json_t *kwargs, int idempotent);
    /* NULL, or take the login kept in the cookie file (its session cookie,
     * cookie_file.info): ODOO_OK when logged in (c->unverified when no
     * request proved it: the first call does, and a refusal there of the
     * kind `stale` logs in and sends the call once more), ODOO_ESESSION
     * when a login is needed. A transport with resume has its login saved
     * in cookie_file.info when the client is freed. */
    int (*resume)(odoo_client *c);
    /* NULL, or end the server's session and forget it locally (what
     * odoo_client_logout() does when there is one). */
    int (*logout)(odoo_client *c);
};

extern const struct odoo__transport_ops odoo__transport_session;
extern const struct odoo__transport_ops odoo__transport_jsonrpc;
extern const struct odoo__transport_ops odoo__transport_json2;

/* The table of a transport kind; NULL for ODOO_TRANSPORT_AUTO or an
 * unknown value. The one place that maps the enum to a table. */
const struct odoo__transport_ops *odoo__transport_find(int kind);

/* ---- shared by the transports (transport.c) ------------------------------ */

typedef int (*odoo__parse_fn)(odoo_error *err, long status, const char *content_type,
                              const char *body, size_t len, json_t **result);

/* Serialise body into c->request; secret: wipe it after each send. */
int odoo__set_request(odoo_client *c, json_t *body, int secret);
/* Send c->request (already built) to path and parse the answer with parse,
 * retrying what is safe to retry; a write that may have been applied ends
 * as ODOO_EINDOUBT. *result gets a new reference. */
int odoo__exchange(odoo_client *c, int method, const char *path, struct curl_slist *headers,
                   odoo__parse_fn parse, int idempotent, json_t **result);
/* A JSON-RPC call {"jsonrpc":"2.0","method":"call","params":params,"id":N}
 * to path with the same retries; secret: params hold a password or key. */
int odoo__rpc(odoo_client *c, const char *path, json_t *params, int secret, int idempotent,
              json_t **result);
/* Store the server's version from version_info ([major, ...]) and version. */
int odoo__set_version(odoo_client *c, json_t *verinfo, json_t *version);
/* Ask the server its version (/web/version, else version_info). */
int odoo__probe_version(odoo_client *c);
/* A refused login (access denied, unknown database) becomes ODOO_EAUTH. */
int odoo__login_refused(odoo_client *c, int rc);

#endif /* ODOO_TRANSPORTS_TRANSPORT_H */
