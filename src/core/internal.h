/*
 * libodoo - internal declarations shared by the library's sources and its
 * unit tests. Nothing here is part of the public API or ABI. Internal
 * names use the odoo__ prefix.
 */
#ifndef ODOO_INTERNAL_H
#define ODOO_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#include "odoo.h"

#if defined(__GNUC__) || defined(__clang__)
#  define ODOO__PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define ODOO__PRINTF(fmt, args)
#endif

/* ---- memory (util.c) ---------------------------------------------------- */

void *odoo__malloc(size_t n);
void *odoo__calloc(size_t nmemb, size_t size);
void *odoo__realloc(void *p, size_t n);
char *odoo__strdup(const char *s);
/* Duplicate s, or set *out to NULL for a NULL s. ODOO_ENOMEM on failure. */
int odoo__strdup_opt(char **out, const char *s);
#ifdef ODOO_ALLOC_HOOKS
/* Test-only (tests/torture; built only with the CMake option ODOO_ALLOC_HOOKS):
 * make the n-th allocation from now fail (one failure; n <= 0: none), count
 * the allocations since the last call, and count one allocation, telling
 * whether it must fail (for the torture's own jansson allocator). */
void odoo__set_alloc_fail_after(long n);
long odoo__alloc_calls(void);
int odoo__alloc_should_fail(void);
#endif
/* Overwrite the string's bytes with zeros, then free it. Accepts NULL. */
void odoo__free_secret(char *s);
/* Overwrite n bytes with zeros in a way the compiler cannot drop. */
void odoo__wipe(void *p, size_t n);

/* json_copy() / json_deep_copy() that give NULL, never a partial copy, when
 * an allocation fails (util.c). */
json_t *odoo__json_copy(json_t *v);
json_t *odoo__json_deep_copy(const json_t *v);

/* ---- growable byte buffer (util.c) -------------------------------------- */

typedef struct odoo__buf {
    char *data;
    size_t len;
    size_t cap;
} odoo__buf;

int odoo__buf_reserve(odoo__buf *b, size_t extra);
int odoo__buf_append(odoo__buf *b, const void *data, size_t n);
/* Reset the length to 0 and wipe the old content (the buffer may have held a
 * password). The capacity is kept for reuse. */
void odoo__buf_clear_secret(odoo__buf *b);
void odoo__buf_dispose(odoo__buf *b);
/* Serialise json compactly into b (replacing its content), NUL-terminated. */
int odoo__buf_set_json(odoo__buf *b, const json_t *json);
/* The same with jansson's dump flags (JSON_ENCODE_ANY is always added), e.g.
 * JSON_COMPACT | JSON_SORT_KEYS for a canonical text. */
int odoo__buf_set_json_flags(odoo__buf *b, const json_t *json, size_t flags);

/* Every JSON text above prints its reals with odoo__real_repr(): the
 * shortest text that reads back as the same double (jansson alone prints 17
 * digits). odoo_json_dumps() (public) is the same for the tools and bindings. */

/* ---- reals (util.c) ------------------------------------------------------ */

/* The shortest decimal digits that read back as |v|: digits (no leading or
 * trailing zeros, at most 17, NUL-terminated) and the decimal exponent of the
 * first digit (v = d.ddd x 10^exp10). v must be finite and non-zero. */
void odoo__real_digits(double v, char digits[20], int *exp10);
/* Python's repr(float): "0.1", "100.0", "1e+16", "1.5e-05", "-0.0". */
void odoo__real_repr(double v, char *out, size_t outsz);
/* A plain decimal without exponent ("0.1", "100", "0.000015", "0"), exact for
 * the shortest round-trip digits. Returns ODOO_EINVAL when |v| is outside
 * DynamoDB's number range (1e-130 .. < 1e126), ODOO_OK otherwise. */
int odoo__real_decimal(double v, char *out, size_t outsz);

/* ---- errors (errors.c) -------------------------------------------------- */

struct odoo_error {
    int code;
    int http_status;
    int rpc_code;
    int retryable;
    char *klass;
    char *message;
    char *debug;
};

void odoo__error_init(odoo_error *err);
void odoo__error_clear(odoo_error *err);
#define odoo__error_dispose odoo__error_clear
/* Set code and a printf-formatted message; class/debug become "". Returns code. */
int odoo__error_set(odoo_error *err, int code, int http_status, const char *fmt, ...)
    ODOO__PRINTF(4, 5);
int odoo__error_setv(odoo_error *err, int code, int http_status, const char *fmt,
                     va_list ap) ODOO__PRINTF(4, 0);
/* Move src into dst (dst's old content is freed; src is left empty). */
void odoo__error_move(odoo_error *dst, odoo_error *src);

/* Map an Odoo exception class, JSON-RPC error code and message to an
 * odoo_error_code. rpc_code is -1 when absent. */
int odoo__map_exception(const char *klass, int rpc_code, const char *message);
/* Whether an HTTP status means "try again later". */
int odoo__http_status_retryable(int status);

/* ---- JSON decoding (json_parse.c) ---------------------------------------- */

/* What went wrong in odoo__json_parse: a message and the byte offset. */
typedef struct odoo__json_error {
    size_t position;
    char text[96];
} odoo__json_error;

enum { ODOO__JSON_SYNTAX = 1, ODOO__JSON_NOMEM = 2 };

/* Decode the JSON text buf[0, len) (need not be NUL-terminated) into jansson
 * values, with json_loadb's semantics (flags 0, or JSON_DECODE_ANY when any is
 * non-zero: any value at the top level instead of an object or array).
 * Returns 0 and a new reference in *out; ODOO__JSON_SYNTAX (malformed input)
 * or ODOO__JSON_NOMEM (an allocation failed) with err filled (may be NULL). */
int odoo__json_parse(const char *buf, size_t len, int any, json_t **out, odoo__json_error *err);

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

/* ---- the client (client.c, transport.c, http.c) --------------------------- */

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
    odoo_trace_cb trace;
    void *trace_userdata;
    char *secrets[ODOO__MAX_SECRETS]; /* masked in traces */

    odoo_transport forced;    /* from the options */
    odoo_transport transport; /* in use; AUTO until chosen */

    CURL *curl;
    struct curl_slist *headers;       /* JSON-RPC */
    struct curl_slist *json2_headers; /* JSON-2: carries the bearer key (secret) */
    char curl_errbuf[CURL_ERROR_SIZE];
    odoo__buf request;
    int request_secret; /* c->request holds a secret: wipe it after sending */
    odoo__buf response;
    int last_sent;      /* the last exchange's request may have reached the server */
    int last_refused;   /* the last exchange failed to connect (nothing listening) */
    long last_status;   /* HTTP status of the last answer */

    int logged_in;       /* a session (or uid) we believe valid */
    int maybe_session;   /* a cookie loaded from cookie_file, not yet checked */
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

    odoo_error err;
};

/* Set up / tear down the client's libcurl handle (http.c). */
int odoo__http_init(odoo_client *c);
void odoo__http_dispose(odoo_client *c);
/* Send c->request (POST) or nothing (GET) to c->url + path with the given
 * header list. On ODOO_OK an HTTP answer arrived (any status) and *resp
 * describes it; otherwise c->err holds a transport error (ENETWORK, ETIMEOUT,
 * ENOMEM, ERROR). c->last_sent tells whether the request may have reached
 * the server. */
int odoo__http_exchange(odoo_client *c, int method, const char *path,
                        struct curl_slist *headers, odoo__http_response *resp);
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
