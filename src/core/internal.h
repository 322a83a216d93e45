// SPDX-License-Identifier: MIT
/*
 * libodoo - internal declarations of the core (src/core: the client, its
 * transports, the model helpers), shared by its sources and its white-box
 * tests. The core uses src/util (util.h), never src/sink's or src/aws's
 * internals. Nothing here is part of the public API or ABI. Internal names
 * use the odoo__ prefix.
 */
#ifndef ODOO_INTERNAL_H
#define ODOO_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#include "odoo.h"

#include "util.h"

/* ---- Odoo errors (errors.c) --------------------------------------------- */

/* Map an Odoo exception class, JSON-RPC error code and message to an
 * odoo_error_code. rpc_code is -1 when absent. */
int odoo__map_exception(const char *klass, int rpc_code, const char *message);

/* ---- answers (rpc.c) ---------------------------------------------------- */

/* Parse a JSON-RPC answer from /web/... or /jsonrpc.
 * status: the HTTP status; content_type: may be NULL; body/len: the bytes.
 * On success *result is a new reference (JSON null when the envelope has no
 * "result"). On failure err is filled and a negative code returned. */
int odoo__rpc_parse_response(odoo_error *err, long status, const char *content_type,
                             const char *body, size_t len, json_t **result);

/* Fill err from a parsed JSON-RPC "error" member. Returns the code. */
int odoo__rpc_error_from_json(odoo_error *err, long status, json_t *error);

/* A short plain-text summary of an HTML (or text) page: its <title>, its first
 * <p> (or the text itself for non-HTML), tags stripped, white space folded,
 * at most outsz-1 bytes, always NUL-terminated. */
void odoo__html_summary(const char *body, size_t len, char *out, size_t outsz);

/* Whether a Content-Type names JSON (application/json or application/json-rpc,
 * parameters ignored, case-insensitive). */
int odoo__content_type_is_json(const char *content_type);

/* Whether s is a valid model name ([A-Za-z0-9_.]+) / method name ([A-Za-z0-9_]+). */
int odoo__valid_model_name(const char *s);
int odoo__valid_method_name(const char *s);

/* Build "<base><path>" into a new string (base has no trailing '/'). */
char *odoo__url_join(const char *base, const char *path);
/* Normalise a base URL: checks http/https, no credentials, strips trailing '/'.
 * Returns ODOO_OK and a new string in *out, or ODOO_EINVAL with err set. */
int odoo__url_normalize(odoo_error *err, const char *url, char **out);
/* Whether url starts with http:// (case-insensitive). */
int odoo__url_is_plain_http(const char *url);
/* Whether a host name as libcurl gives it is loopback: "localhost" (a final
 * dot allowed), 127.0.0.0/8, [::1] or [::ffff:127.x.y.z]. */
int odoo__host_is_loopback(const char *host);
/* Whether url's host (read by libcurl's URL parser) is loopback; 0 when it
 * cannot be parsed. */
int odoo__url_host_is_loopback(const char *url);
/* The target of a redirect for a message, into out: scheme://host[:port]/path
 * of @p location, without user:password@, query or fragment (they may carry
 * tokens), control bytes replaced by '?', cut with "..." to fit outsz.
 * "(no Location)" for NULL or "". */
void odoo__redirect_target(const char *location, char *out, size_t outsz);

/* ---- the client (client.c, transport.c, http.c) --------------------------- */

struct odoo__transport_ops; /* transports/transport.h */

typedef struct odoo__http_response {
    long status;
    const char *content_type; /* borrowed from libcurl, valid until the next request */
    const char *location;     /* Location header of a redirect, or NULL */
    const char *body;         /* borrowed from the client's buffer */
    size_t len;
} odoo__http_response;

enum { ODOO__GET = 0, ODOO__POST = 1 };

/* Secrets the trace must never show, in the forms they travel in. */
#define ODOO__MAX_SECRETS 6

struct odoo_client {
    char *url;
    char *database;
    char *login;
    char *password; /* secret */
    char *api_key;  /* secret */
    char *proxy;    /* secret */
    char *ca_file;
    char *ca_path;
    char *client_cert;
    char *client_key;
    char *user_agent;
    char *cookie_file;
    long connect_timeout_ms;
    long timeout_ms;
    long low_speed_limit;
    long low_speed_time_s;
    int verify_peer;
    int verify_host;
    int auto_reauth;
    int max_retries;
    long retry_base_ms;
    long retry_max_ms;
    long retry_deadline_ms; /* 0: only max_retries counts */
    size_t max_response_bytes; /* the answer cap (0: none), see util/curl.c */
    odoo_trace_cb trace;
    void *trace_userdata;
    char *secrets[ODOO__MAX_SECRETS]; /* masked in traces */

    odoo_transport forced;    /* from the options */
    const struct odoo__transport_ops *ops; /* in use (transports/); NULL until chosen */

    CURL *curl;
    struct curl_slist *headers;       /* JSON-RPC */
    struct curl_slist *json2_headers; /* JSON-2: carries the bearer key (secret) */
    char curl_errbuf[CURL_ERROR_SIZE];
    odoo__buf request;
    int request_secret; /* c->request holds a secret: wipe it after sending */
    odoo__buf response;
    odoo__curl_body response_body; /* the write callback's view of response (util/curl.c) */
    int last_sent;      /* the last exchange's request may have reached the server */
    int last_refused;   /* the last exchange failed to connect (nothing listening) */
    long last_status;   /* HTTP status of the last answer */

    int logged_in;       /* a session (or uid) we believe valid */
    int maybe_session;   /* a login kept in cookie_file (a session cookie, or
                            cookie_file.info), not yet checked */
    int cookie_loaded;   /* cookie_file held a session cookie */
    json_t *saved_info;  /* the login information saved beside cookie_file
                            (cookie_file.info), of this database and login */
    int unverified;      /* a session resumed from saved_info without asking the
                            server: its first call proves it (or logs in again) */
    int uid;
    int server_major;
    json_t *session_info;
    json_t *user_context; /* borrowed from session_info */
    char *server_version;
    json_t *context;
    json_t *fields_cache; /* model -> fields_get result (type only) */

    unsigned long reauth_count;
    unsigned long login_count;
    unsigned long request_count;
    unsigned long retry_count;
    long next_id;
    unsigned int rng; /* back-off jitter */
    int global_ref;   /* holds a reference on the global state */
    int failed;       /* odoo_client_new() failed: only the error and free work */

    odoo_error err;
};

/* Set up / tear down the client's libcurl handle (http.c). */
int odoo__http_init(odoo_client *c);
/* Frees the curl handle; keep_jar: write cookie_file when it holds a session
 * cookie (a login worth resuming), else leave the file as it was. */
void odoo__http_dispose(odoo_client *c, int keep_jar);
/* Send c->request (POST) or nothing (GET) to c->url + path with the given
 * header list. On ODOO_OK an HTTP answer arrived (any status) and *resp
 * describes it; otherwise c->err holds a transport error (ENETWORK, ETIMEOUT,
 * ENOMEM, ERROR). c->last_sent tells whether the request may have reached
 * the server. */
int odoo__http_exchange(odoo_client *c, int method, const char *path,
                        struct curl_slist *headers, odoo__http_response *resp);
/* cookie_file.info: the login information kept beside the cookie jar (the
 * web session's uid, context and server version; /jsonrpc's uid and server
 * version), so a later client resumes without a request
 * (odoo__session_info_load at creation: NULL unless it names this client's
 * database and login; odoo__session_info_save when the client is freed
 * logged in, by a transport that can resume). */
json_t *odoo__session_info_load(const odoo_client *c);
void odoo__session_info_save(const odoo_client *c);
/* Copy the current session_id cookie value into out (NUL-terminated), or ""
 * when there is none. For tests and diagnostics only; never log it. */
int odoo__http_session_cookie(odoo_client *c, char *out, size_t outsz);
/* Forget all cookies. */
void odoo__http_clear_cookies(odoo_client *c);
/* Replace every secret of the client, every session_id=/"session_id" value
 * and the value of Cookie:, Set-Cookie: and Authorization: headers in text
 * by "***". Returns a new string (free()) or NULL on allocation failure. */
char *odoo__redact(const char *text, size_t len, char *const *secrets, size_t nsecrets,
                   size_t *outlen);

/* Parse a JSON-2 answer (bare JSON result, or {name, message, ...} with a 4xx/5xx). */
int odoo__json2_parse_response(odoo_error *err, long status, const char *content_type,
                               const char *body, size_t len, json_t **result);

/* Transports (transport.c). */
int odoo__login(odoo_client *c);
int odoo__ensure_session(odoo_client *c);
int odoo__execute(odoo_client *c, json_t **out, const char *model, const char *method,
                  json_t *args, json_t *kwargs);
/* Whether a method only reads (safe to send again after a failure). */
int odoo__method_is_read_only(const char *method);
void odoo__forget_session(odoo_client *c);
/* Remember a secret to mask in traces (also its JSON-escaped form). */
int odoo__add_secret(odoo_client *c, const char *secret);

/* Whether the global state was initialised (global.c). */
int odoo__global_acquire(void);
void odoo__global_release(void);

#endif /* ODOO_INTERNAL_H */
