// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo - client.h: a connection to one Odoo database as one user.
 *
 * A client reaches Odoo through one of three transports (see
 * docs/transports.md), chosen by odoo_client_options.transport or
 * automatically:
 *  - the web session: POST /web/session/authenticate, Odoo's session_id
 *    cookie in libcurl's in-memory cookie engine, calls through
 *    `POST /web/dataset/call_kw/<model>/<method>`; when Odoo answers that the
 *    session expired, the client logs in again with the credentials it was
 *    given and replays that one call, once;
 *  - external JSON-RPC: POST /jsonrpc, common.authenticate then
 *    object.execute_kw with the password or API key on every call;
 *  - JSON-2 (Odoo 19+): `POST /json/2/<model>/<method>` with a bearer API key.
 * The same functions work on all three; where one differs, its documentation
 * says so.
 *
 * Threading: a client is used by one thread at a time; different clients
 * may be used from different threads concurrently. See docs/threading.md.
 */
#ifndef ODOO_CLIENT_H
#define ODOO_CLIENT_H

#include <jansson.h>

#include "common.h"
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The layout version of odoo_client_options this header describes: 3 since
 *  0.4.0 (version 2 added retry_deadline_ms, version 3 max_response_bytes and
 *  allow_insecure_http). Older structs are still accepted: a version 1 struct
 *  gets ODOO_DEFAULT_RETRY_DEADLINE_MS, versions 1 and 2 get
 *  ODOO_DEFAULT_MAX_RESPONSE_BYTES and allow_insecure_http = 0. */
#define ODOO_CLIENT_OPTIONS_VERSION 3

/** Default connect timeout (milliseconds). */
#define ODOO_DEFAULT_CONNECT_TIMEOUT_MS 10000L
/** Default timeout of one whole HTTP exchange (milliseconds). */
#define ODOO_DEFAULT_TIMEOUT_MS 120000L
/** Default number of automatic retries of a failed exchange (see docs/retries.md). */
#define ODOO_DEFAULT_MAX_RETRIES 3
/** Default first back-off delay before a retry (milliseconds); doubles each time. */
#define ODOO_DEFAULT_RETRY_BASE_MS 250L
/** Default cap of the back-off delay (milliseconds). */
#define ODOO_DEFAULT_RETRY_MAX_MS 8000L
/** Default time a read keeps being retried while Odoo is unavailable (connection
 *  refused, HTTP 502/503/504), in milliseconds: 60 s. @since 0.4.0 */
#define ODOO_DEFAULT_RETRY_DEADLINE_MS 60000L
/** Default cap on the size of one answer (bytes): 256 MiB. A search_read of
 *  hundreds of thousands of records is tens of MB on the wire, and the decoded
 *  tree takes several times its bytes, so the cap leaves room for the largest
 *  sane answer while staying far from the memory of a machine or a Lambda
 *  function: an answer that never ends (a wrong URL pointing at a download, a
 *  misbehaving proxy, a hostile server) is stopped instead of eating all
 *  memory. See docs/transports.md. @since 0.4.0 */
#define ODOO_DEFAULT_MAX_RESPONSE_BYTES ((size_t)256 * 1024 * 1024)

/**
 * How the client talks to Odoo. See docs/transports.md.
 * @since 0.2.0
 */
typedef enum odoo_transport {
    /** Choose: an API key on Odoo 19+ uses JSON-2, an API key before 19 uses
     *  /jsonrpc, a password uses the web session. */
    ODOO_TRANSPORT_AUTO = 0,
    /** Web session: /web/session/authenticate + /web/dataset/call_kw with a
     *  cookie. Password only (the one path Odoo Online allows). */
    ODOO_TRANSPORT_SESSION = 1,
    /** External JSON-RPC: /jsonrpc, service "object", execute_kw; password or
     *  API key; no cookie, no session to expire. */
    ODOO_TRANSPORT_JSONRPC = 2,
    /** Odoo 19+ JSON-2: `POST /json/2/<model>/<method>` with a bearer API key
     *  and named arguments. */
    ODOO_TRANSPORT_JSON2 = 3
} odoo_transport;

/** Kinds of trace lines (see odoo_trace_cb). @since 0.2.0 */
typedef enum odoo_trace_kind {
    ODOO_TRACE_INFO = 0,      /**< a note from libcurl or libodoo */
    ODOO_TRACE_HEADER_OUT = 1,/**< request headers sent */
    ODOO_TRACE_HEADER_IN = 2, /**< response headers received */
    ODOO_TRACE_DATA_OUT = 3,  /**< request body sent */
    ODOO_TRACE_DATA_IN = 4    /**< response body received */
} odoo_trace_kind;

/**
 * Trace callback: receives what goes over the wire, with every password, API
 * key, session id, Cookie, Set-Cookie and Authorization value replaced by
 * "***". @p text is not NUL-terminated; it is valid only during the call.
 * @since 0.2.0
 */
typedef void (*odoo_trace_cb)(odoo_trace_kind kind, const char *text, size_t len,
                              void *userdata);

/**
 * Options of a client. Initialise with ODOO_CLIENT_OPTIONS_INIT or
 * odoo_client_options_init(), then set what you need. All strings are
 * borrowed for the duration of odoo_client_new(), which copies them; the
 * caller may free or reuse its buffers as soon as it returns. Secrets
 * (password, api_key, proxy) are wiped from the client's memory when it is
 * freed.
 */
typedef struct odoo_client_options {
    unsigned int version;     /**< ODOO_CLIENT_OPTIONS_VERSION */

    const char *url;          /**< base URL, e.g. "https://acme.odoo.com" (required;
                                   http or https, no user:password@ part). The
                                   address a browser shows is accepted: a path
                                   starting with /odoo or /web (/odoo/action-12,
                                   `/web#action=5`, /web/login) is cut off (0.4.0). */
    const char *database;     /**< database name (required for the session and
                                   /jsonrpc; sent as X-Odoo-Database on JSON-2) */
    const char *login;        /**< user login, often an e-mail (session, /jsonrpc) */
    const char *password;     /**< the user's password (secret) */

    long connect_timeout_ms;  /**< connect timeout; default 10 s; 0 = libcurl's default */
    long timeout_ms;          /**< whole-exchange timeout; default 120 s; 0 = none */

    int verify_peer;          /**< verify the server's TLS certificate; default 1.
                                   Turning it off allows man-in-the-middle attacks. */
    int verify_host;          /**< verify the certificate's host name; default 1 */
    const char *ca_file;      /**< PEM bundle of trusted CAs; NULL = system default */
    const char *ca_path;      /**< directory of trusted CAs; NULL = system default */

    const char *proxy;        /**< proxy URL, e.g. "http://proxy:3128" (secret: may
                                   carry credentials); NULL = libcurl's default, which
                                   honours the http_proxy/https_proxy/no_proxy
                                   environment variables; "" = no proxy at all */
    const char *user_agent;   /**< NULL = "libodoo/<version>" */
    const char *cookie_file;  /**< NULL (default) = cookies live in memory only.
                                   Otherwise a file the session cookie is loaded from
                                   and saved to (mode 0600) when the client is freed,
                                   so a later process can reuse the session; its
                                   information (uid, version, context) is kept in
                                   cookie_file.info, so the resumed session's first
                                   call is the only request (0.4.0). /jsonrpc has no
                                   cookie: its uid and the server version are kept in
                                   cookie_file.info alone, so a later process sends no
                                   common.authenticate; a uid Odoo refuses with the
                                   secret logs in and repeats that call once
                                   (unreleased). JSON-2 keeps nothing. Neither file
                                   ever holds a password or API key. A logout
                                   removes both. */
    int auto_reauth;          /**< log in again and replay the call once when the
                                   session expired; default 1 */

    /* @since 0.2.0 */
    const char *api_key;      /**< an Odoo API key (secret): used instead of the
                                   password by /jsonrpc and as the bearer of JSON-2 */
    odoo_transport transport; /**< default ODOO_TRANSPORT_AUTO */
    const char *client_cert;  /**< PEM client certificate file for mutual TLS, or NULL */
    const char *client_key;   /**< PEM private key file of client_cert, or NULL */
    long low_speed_limit;     /**< abort an exchange slower than this many bytes/s ... */
    long low_speed_time_s;    /**< ... for this many seconds; 0 (default) = off */
    int max_retries;          /**< automatic retries of a failed exchange when safe
                                   (see docs/retries.md); default 3; 0 = none */
    long retry_base_ms;       /**< first back-off delay; default 250 ms */
    long retry_max_ms;        /**< back-off cap; default 8 s */
    odoo_trace_cb trace;      /**< optional wire trace (secrets masked), or NULL */
    void *trace_userdata;     /**< passed to trace */

    /* @since 0.4.0 (options version 2) */
    long retry_deadline_ms;   /**< while Odoo is unavailable (connection refused, or
                                   HTTP 502/503/504 answering a read), keep retrying
                                   with back-off until this long after the first
                                   failure, beyond max_retries, so that a restart or a
                                   deployment passes unnoticed; default 60 s; 0 = only
                                   max_retries counts (the 0.3 behaviour). Calls that
                                   change data are never sent again once they may have
                                   reached Odoo (ODOO_EINDOUBT, docs/retries.md).
                                   max_retries = 0 turns every retry off. */

    /* @since 0.4.0 (options version 3) */
    size_t max_response_bytes; /**< the most bytes one answer may have, counted as
                                   they arrive (after decompression: libodoo asks
                                   for compressed answers and the cap applies to
                                   the decoded bytes); past it the transfer is
                                   stopped and the call fails with ODOO_ETOOBIG,
                                   never retried. Default
                                   ODOO_DEFAULT_MAX_RESPONSE_BYTES (256 MiB);
                                   0 = no cap (not recommended). */
    int allow_insecure_http;  /**< 0 (default): a client with a password, an API key
                                   or a cookie_file refuses a plain http:// URL
                                   whose host is not loopback (127.0.0.0/8, ::1,
                                   "localhost"): odoo_client_new() fails with
                                   ODOO_EINVAL before any connection, since those
                                   credentials would cross the network in clear
                                   text. 1 allows it, for a trusted internal
                                   network only. */
} odoo_client_options;

/** Static initialiser with the defaults. */
#define ODOO_CLIENT_OPTIONS_INIT                                           \
    { ODOO_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL,                 \
      ODOO_DEFAULT_CONNECT_TIMEOUT_MS, ODOO_DEFAULT_TIMEOUT_MS, 1, 1,      \
      NULL, NULL, NULL, NULL, NULL, 1,                                     \
      NULL, ODOO_TRANSPORT_AUTO, NULL, NULL, 0, 0,                         \
      ODOO_DEFAULT_MAX_RETRIES, ODOO_DEFAULT_RETRY_BASE_MS,                \
      ODOO_DEFAULT_RETRY_MAX_MS, NULL, NULL,                               \
      ODOO_DEFAULT_RETRY_DEADLINE_MS, ODOO_DEFAULT_MAX_RESPONSE_BYTES, 0 }

/**
 * Fill *opts with the defaults (the same as ODOO_CLIENT_OPTIONS_INIT).
 * @param opts     the caller's struct (caller-owned).
 * @param version  ODOO_CLIENT_OPTIONS_VERSION (3), or 1 (the 0.3 layout) or 2
 *                 (the layout before max_response_bytes) for an older struct:
 *                 only its fields are written.
 * @return ODOO_OK, or ODOO_EINVAL when opts is NULL or version unknown.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_client_options_init(odoo_client_options *opts, unsigned int version);

/** A client: opaque; create with odoo_client_new(), free with odoo_client_free(). */
typedef struct odoo_client odoo_client;

/**
 * Create a client. Does no network I/O: the first call logs in (or call
 * odoo_client_login() to log in explicitly and see authentication errors
 * early). Takes a reference on the global state (odoo_global_init()).
 *
 * Failure is reported as by every constructor of the library: the code, and
 * a client that holds the error detail.
 *
 * @param[out] out  on success, the new client (owned by the caller: free with
 *                  odoo_client_free()). On failure, a client that holds the
 *                  error (odoo_client_last_error(): what was wrong, e.g. "url
 *                  must start with http:// or https://") and can only be read
 *                  and freed, or NULL when even that could not be allocated;
 *                  free it with odoo_client_free() either way (0.4.0; before,
 *                  *out was left untouched).
 * @param opts      options; copied, see odoo_client_options.
 * @return ODOO_OK; ODOO_EINVAL for NULL out or opts, a NULL/invalid URL, an
 *         unknown options version, a negative timeout, a URL with credentials
 *         in it, JSON-2 without an API key, or credentials over plain http:// to
 *         a host that is not loopback (see allow_insecure_http); ODOO_ENOMEM;
 *         ODOO_ERROR when libcurl cannot be initialised.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_client_new(odoo_client **out, const odoo_client_options *opts)
    ODOO_WARN_UNUSED_RESULT;

/**
 * Free a client: wipes its secrets, saves the cookie file if one was set,
 * releases its global-state reference. Does not log out (the server-side
 * session expires on its own; call odoo_client_logout() to end it now).
 * Accepts NULL.
 * @param client the client to free (the caller's, from odoo_client_new()), or
 *               NULL. It must not be used afterwards.
 * @since 0.1.0
 */
ODOO_EXTERN(void) odoo_client_free(odoo_client *client);

/**
 * Log in now: POST /web/session/authenticate on the web session (replaces
 * any previous session: Odoo rotates the session id on every successful
 * login); common.authenticate on /jsonrpc (learns the uid); on JSON-2 a
 * res.users.context_get with the key (learns the uid and context). Calls log
 * in by themselves when needed: this is for checking credentials early.
 * @param client the client (borrowed for the call).
 * @return ODOO_OK; ODOO_EAUTH for a wrong login, password or database; or
 *         any transport error (ODOO_ENETWORK, ODOO_ETIMEOUT, ODOO_EHTTP,
 *         ODOO_EPROTOCOL, ...). Detail: odoo_client_last_error().
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_client_login(odoo_client *client);

/**
 * End the session on the server (POST /web/session/destroy, web session
 * only) and forget the cookie; on /jsonrpc and JSON-2, which keep no session,
 * only forget the uid. The next call logs in again. ODOO_OK when there was no
 * session.
 * @param client the client (borrowed for the call).
 * @return ODOO_OK (also when there was no session); ODOO_EINVAL for a NULL
 *         client or one whose odoo_client_new() failed; or the error of
 *         /web/session/destroy (detail: odoo_client_last_error()).
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_client_logout(odoo_client *client);

/**
 * Call a model method (any method, as Odoo's call_kw does): on the web
 * session `POST /web/dataset/call_kw/<model>/<method>` with params {model,
 * method, args, kwargs}; on /jsonrpc object.execute_kw(db, uid, secret,
 * model, method, args, kwargs); on JSON-2 `POST /json/2/<model>/<method>` with
 * the positional arguments of the common methods given their names
 * (docs/transports.md). Logs in first when needed.
 *
 * The context sent in kwargs.context is the client's context
 * (odoo_client_set_context()), overridden by kwargs' own "context" object,
 * overridden by @p context, key by key.
 *
 * On the web session, when the server answers that the session expired, the
 * client logs in again and sends the call once more (Odoo rejects an expired
 * session before it dispatches the method, so the call never ran);
 * odoo_client_reauth_count() counts it. A second expiry in a row, or a failed
 * re-login, is returned. On every transport, reads (and calls that cannot
 * have reached Odoo) are retried on network errors and HTTP 502/503/504 with
 * back-off (odoo_client_options max_retries, retry_deadline_ms;
 * docs/retries.md).
 *
 * @param client    the client (borrowed for the call).
 * @param[out] out  on success, the call's result as a new reference (free
 *                  with json_decref()); JSON null when Odoo sent no result.
 *                  May be NULL when the result is not wanted.
 * @param model     e.g. "sale.order" ([A-Za-z0-9_.]+).
 * @param method    e.g. "search_read" ([A-Za-z0-9_]+).
 * @param args      JSON array of positional arguments, or NULL for []. Borrowed.
 * @param kwargs    JSON object of keyword arguments, or NULL for {}. Borrowed.
 * @param context   JSON object merged into kwargs.context, or NULL. Borrowed.
 * @return ODOO_OK or a negative odoo_error_code; detail in
 *         odoo_client_last_error().
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_call_kw(odoo_client *client, json_t **out, const char *model,
                              const char *method, json_t *args, json_t *kwargs,
                              json_t *context);

/**
 * odoo_call_kw() with JSON text in and out (for bindings and tools).
 * @param client     the client (borrowed for the call).
 * @param[out] out   on success, the result serialised as compact JSON text
 *                   (free with odoo_free()); may be NULL.
 * @param model      e.g. "sale.order" (as odoo_call_kw()).
 * @param method     e.g. "search_read" (as odoo_call_kw()).
 * @param args_json   JSON array text, or NULL/"" for [].
 * @param kwargs_json JSON object text, or NULL/"" for {}.
 * @return as odoo_call_kw(); ODOO_EINVAL when the texts do not parse as an
 *         array/object (the message says where).
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_call_kw_str(odoo_client *client, char **out, const char *model,
                                  const char *method, const char *args_json,
                                  const char *kwargs_json);

/**
 * Set the context sent with every call (lang, tz, allowed_company_ids, ...).
 * @param client  the client (borrowed for the call).
 * @param context a JSON object (deep-copied; the caller keeps its reference),
 *                or NULL to clear.
 * @return ODOO_OK, ODOO_EINVAL when context is not an object, ODOO_ENOMEM.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_client_set_context(odoo_client *client, json_t *context);

/**
 * The context set with odoo_client_set_context(), or NULL. Borrowed: valid
 * until the next odoo_client_set_context() or odoo_client_free().
 * @param client the client to read (borrowed), or NULL.
 * @return the context (borrowed, see above), or NULL when none is set.
 * @since 0.1.0
 */
ODOO_EXTERN(const json_t *) odoo_client_context(const odoo_client *client);

/**
 * Detail of the last failure of a call on this client. Borrowed: valid until
 * the next call on the client that can fail, or odoo_client_free(). Never
 * NULL for a non-NULL client.
 * @param client the client to read (borrowed), or NULL.
 * @return the error detail (borrowed, see above); NULL only for a NULL client.
 * @since 0.1.0
 */
ODOO_EXTERN(const odoo_error *) odoo_client_last_error(const odoo_client *client);

/**
 * The logged-in user's id, or 0 before a successful login.
 * @param client the client to read (borrowed), or NULL.
 * @return the uid, or 0.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_client_uid(const odoo_client *client);

/**
 * The user context from the last login ({"lang", "tz", "uid", ...}), or NULL
 * before one. Borrowed: valid until the next login or odoo_client_free().
 * @param client the client to read (borrowed), or NULL.
 * @return the user context (borrowed, see above), or NULL.
 * @since 0.1.0
 */
ODOO_EXTERN(const json_t *) odoo_client_user_context(const odoo_client *client);

/**
 * The whole session information from the last login (the result of
 * /web/session/authenticate on the web session; on /jsonrpc and JSON-2 an
 * object {uid, db, user_context} the client builds), or NULL before one.
 * Borrowed, like odoo_client_user_context().
 * @param client the client to read (borrowed), or NULL.
 * @return the session information (borrowed, see above), or NULL.
 * @since 0.1.0
 */
ODOO_EXTERN(const json_t *) odoo_client_session_info(const odoo_client *client);

/**
 * The server version string from the last login ("18.0"), or NULL before
 * one. Borrowed, like odoo_client_user_context().
 * @param client the client to read (borrowed), or NULL.
 * @return the version string (borrowed, see above), or NULL.
 * @since 0.1.0
 */
ODOO_EXTERN(const char *) odoo_client_server_version(const odoo_client *client);

/**
 * The server's major version (18), or 0 when not known yet.
 * @param client the client to read (borrowed), or NULL.
 * @return the major version, or 0.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_client_server_major(const odoo_client *client);

/**
 * The transport in use: the forced one, or the one auto-selection chose
 * (ODOO_TRANSPORT_AUTO until the first login or call decided).
 * @param client the client to read (borrowed), or NULL.
 * @return the transport (ODOO_TRANSPORT_AUTO for a NULL client).
 * @since 0.2.0
 */
ODOO_EXTERN(odoo_transport) odoo_client_transport(const odoo_client *client);

/**
 * "auto", "session", "jsonrpc", "json2" (static; "unknown" otherwise).
 * @param transport an odoo_transport value (any int is accepted).
 * @return a static string (never free it).
 * @since 0.2.0
 */
ODOO_EXTERN(const char *) odoo_transport_name(int transport);

/**
 * Parse a transport name as odoo_transport_name() prints it.
 * @param name      "auto", "session", "jsonrpc" or "json2".
 * @param[out] out the transport (the caller's variable; set on success only).
 * @return ODOO_OK, or ODOO_EINVAL for an unknown name.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_transport_from_name(const char *name, odoo_transport *out);

/**
 * The HTTP status of the last answer the client received (200 for a
 * successful call), or 0 when none arrived yet.
 * @param client the client to read (borrowed), or NULL.
 * @return the status, or 0.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_client_last_http_status(const odoo_client *client);

/**
 * How many times an exchange was sent again after a retryable failure.
 * @param client the client to read (borrowed), or NULL.
 * @return the count (0 for a NULL client).
 * @since 0.2.0
 */
ODOO_EXTERN(unsigned long) odoo_client_retry_count(const odoo_client *client);

/**
 * How many times the client logged in again after a session expired.
 * @param client the client to read (borrowed), or NULL.
 * @return the count (0 for a NULL client).
 * @since 0.1.0
 */
ODOO_EXTERN(unsigned long) odoo_client_reauth_count(const odoo_client *client);

/**
 * How many successful logins the client made (first login and re-logins).
 * @param client the client to read (borrowed), or NULL.
 * @return the count (0 for a NULL client).
 * @since 0.1.0
 */
ODOO_EXTERN(unsigned long) odoo_client_login_count(const odoo_client *client);

/**
 * How many HTTP requests the client sent (including logins).
 * @param client the client to read (borrowed), or NULL.
 * @return the count (0 for a NULL client).
 * @since 0.1.0
 */
ODOO_EXTERN(unsigned long) odoo_client_request_count(const odoo_client *client);

/**
 * JSON text of @p json as jansson's json_dumps() writes it with @p flags
 * (JSON_INDENT(n), JSON_COMPACT, JSON_SORT_KEYS, ...; JSON_ENCODE_ANY is
 * always added, JSON_REAL_PRECISION is ignored), except that every real is
 * printed in its shortest form that reads back as the same double, the way
 * Python (and so Odoo) prints it: "615.84", not jansson's
 * "615.84000000000003"; "1e+21", "5e-324", "-0.0", "100.0". The text does not
 * depend on the locale. The library, its tools and sinks print JSON this way.
 * @param json  the value to print (borrowed: only read).
 * @param flags jansson's json_dumps() flags (see above).
 * @return a new NUL-terminated string owned by the caller (free it with
 *         odoo_free()), or NULL when @p json is NULL or memory runs out.
 * @since 0.4.0
 */
ODOO_EXTERN(char *) odoo_json_dumps(const json_t *json, size_t flags);

#ifdef __cplusplus
}
#endif
#endif /* ODOO_CLIENT_H */
