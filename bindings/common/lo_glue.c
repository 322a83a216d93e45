// SPDX-License-Identifier: MIT
/*
 * libodoo bindings - lo_glue.c: sessions, iterators and sinks for the SWIG
 * modules, independent of the target language. See lo_glue.h.
 */
#include "lo_glue.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LO_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* ==== the pending error ============================================================ */

/*
 * The calling thread's pending error lives in thread-specific data rather
 * than a _Thread_local variable: the module is loaded with dlopen(), and
 * dynamic TLS in a dlopen()ed object trips up LeakSanitizer (and costs a
 * lookup per access anyway). No destructor: a module may be unloaded (Lua
 * closes its C libraries in lua_close) before the threads that used it end;
 * the slot is empty between calls, so a thread that ends leaves one empty
 * lo_error behind at most.
 */
static pthread_key_t lo_key;
static pthread_once_t lo_key_once = PTHREAD_ONCE_INIT;
static int lo_key_ok;
/* When even the slot cannot be allocated: an out-of-memory error, shared. */
static lo_error lo_oom_slot = {ODOO_ENOMEM, 0, -1, 0, NULL, NULL, NULL, NULL};

static void lo_key_make(void)
{
    lo_key_ok = pthread_key_create(&lo_key, NULL) == 0;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((destructor)) static void lo_key_unload(void)
{
    lo_error *e;

    if (!lo_key_ok)
        return;
    e = pthread_getspecific(lo_key);
    if (e && e != &lo_oom_slot)
        free(e);
    pthread_key_delete(lo_key);
    lo_key_ok = 0;
}
#endif

/* The calling thread's slot, created on first use. */
static lo_error *lo_slot(int create)
{
    lo_error *e;

    pthread_once(&lo_key_once, lo_key_make);
    if (!lo_key_ok)
        return create ? &lo_oom_slot : NULL;
    e = pthread_getspecific(lo_key);
    if (!e && create) {
        e = calloc(1, sizeof(*e));
        if (!e || pthread_setspecific(lo_key, e) != 0) {
            free(e);
            return &lo_oom_slot;
        }
    }
    return e;
}

static char *lo_strdup(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *p = malloc(n + 1);

    if (p) {
        memcpy(p, s ? s : "", n);
        p[n] = '\0';
    }
    return p;
}

int lo_error_pending(void)
{
    lo_error *e = lo_slot(0);

    return (e && e->code != ODOO_OK) || lo_oom_slot.message != NULL;
}

void lo_error_dispose(lo_error *err)
{
    if (!err)
        return;
    free(err->message);
    free(err->odoo_class);
    free(err->debug);
    json_decref(err->created_ids);
    memset(err, 0, sizeof(*err));
}

void lo_error_take(lo_error *out)
{
    lo_error *e = lo_slot(0);

    memset(out, 0, sizeof(*out));
    if (lo_oom_slot.message) {
        /* the fallback was used: report it (its message is a static marker) */
        out->code = ODOO_ENOMEM;
        lo_oom_slot.message = NULL;
    } else if (e) {
        *out = *e;
        memset(e, 0, sizeof(*e));
    }
    if (out->code == ODOO_OK)
        return;
    /* An allocation that failed while recording leaves NULL: never hand it out. */
    if (!out->message)
        out->message = lo_strdup(odoo_strerror(out->code));
    if (!out->odoo_class)
        out->odoo_class = lo_strdup("");
    if (!out->debug)
        out->debug = lo_strdup("");
}

/* The slot to record a new error in, emptied; NULL when out of memory (the
 * shared out-of-memory marker is set instead). */
static lo_error *lo_error_reset(int code)
{
    static char oom_marker[] = "out of memory";
    lo_error *e = lo_slot(1);

    if (e == &lo_oom_slot) {
        lo_oom_slot.message = oom_marker;
        return NULL;
    }
    lo_error_dispose(e);
    e->code = code == ODOO_OK ? ODOO_ERROR : code;
    e->rpc_code = -1;
    return e;
}

void lo_error_set(int code, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    lo_error *e;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    e = lo_error_reset(code);
    if (e)
        e->message = lo_strdup(buf);
}

void lo_error_set_from(int code, const odoo_error *err)
{
    lo_error *e = lo_error_reset(code);

    if (!e)
        return;
    if (err && odoo_error_get_code(err) == code) {
        e->message = lo_strdup(odoo_error_message(err));
        e->odoo_class = lo_strdup(odoo_error_class(err));
        e->debug = lo_strdup(odoo_error_debug(err));
        e->http_status = odoo_error_http_status(err);
        e->rpc_code = odoo_error_rpc_code(err);
        e->retryable = odoo_error_retryable(err) != 0;
        if (e->message && !e->message[0]) {
            free(e->message);
            e->message = lo_strdup(odoo_strerror(code));
        }
    } else {
        e->message = lo_strdup(odoo_strerror(code));
    }
}

/* Attach the ids a failed create_batch made to the pending error (steals @p ids). */
static void lo_error_set_created(json_t *ids)
{
    lo_error *e = lo_slot(0);

    if (e && e->code != ODOO_OK && e != &lo_oom_slot) {
        json_decref(e->created_ids);
        e->created_ids = ids;
    } else {
        json_decref(ids);
    }
}

const char *lo_error_kind(int code)
{
    switch (code) {
    case ODOO_EAUTH: return "AuthError";
    case ODOO_EACCESS: return "AccessError";
    case ODOO_EVALIDATION: return "ValidationError";
    case ODOO_EMISSING: return "MissingError";
    case ODOO_EUSER: return "UserError";
    case ODOO_ENOTFOUND: return "NotFoundError";
    case ODOO_ESESSION: return "SessionExpired";
    case ODOO_ESERVER: return "ServerError";
    case ODOO_EHTTP: return "HTTPError";
    case ODOO_ETIMEOUT: return "TimeoutError";
    case ODOO_ENETWORK: return "NetworkError";
    case ODOO_EPROTOCOL: return "ProtocolError";
    case ODOO_EINVAL: return "InvalidArgument";
    case ODOO_ENOMEM: return "OutOfMemory";
    case ODOO_EINDOUBT: return "InDoubt";
    case ODOO_ETOOBIG: return "TooBig";
    default: return "Error";
    }
}

void lo_raise_error(int code, const char *message)
{
    lo_error_set(code, "%s", message ? message : "");
}

/* ==== JSON argument helpers ======================================================== */

/* Messages speak the binding's language (issue 14): the glue is compiled
 * once per module with LO_LANGUAGE_python or LO_LANGUAGE_lua. */
#if defined(LO_LANGUAGE_lua)
#  define LO_A_DICT "a table"
#  define LO_A_LIST "an array (a table)"
#else
#  define LO_A_DICT "a dict"
#  define LO_A_LIST "a list"
#endif

static const char *lo_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
#if defined(LO_LANGUAGE_lua)
    case JSON_OBJECT: return "a table with keys";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a float";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "libodoo.null";
#else
    case JSON_OBJECT: return "a dict";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a str";
    case JSON_INTEGER: return "an int";
    case JSON_REAL: return "a float";
    case JSON_TRUE:
    case JSON_FALSE: return "a bool";
    default: return "None";
#endif
    }
}

/* An optional object argument: NULL stays NULL, an empty list (an empty Lua
 * table) is an empty object. Returns 0 and records EINVAL otherwise. The
 * result is borrowed or a new empty object stored in *tmp (release it). */
static int lo_want_object(json_t **v, json_t **tmp, const char *what)
{
    *tmp = NULL;
    if (!*v || json_is_object(*v))
        return 1;
    if (json_is_array(*v) && json_array_size(*v) == 0) {
        *tmp = json_object();
        *v = *tmp;
        if (!*tmp) {
            lo_error_set(ODOO_ENOMEM, "%s: out of memory", what);
            return 0;
        }
        return 1;
    }
    lo_error_set(ODOO_EINVAL, "%s must be " LO_A_DICT ", not %s", what, lo_json_type_name(*v));
    return 0;
}

static int lo_want_array(json_t *v, const char *what)
{
    if (!v || json_is_array(v))
        return 1;
    lo_error_set(ODOO_EINVAL, "%s must be " LO_A_LIST ", not %s", what, lo_json_type_name(v));
    return 0;
}

/* Record ids: a list of integers, or one integer (made a one-element list in
 * *tmp). */
static int lo_want_ids(json_t **v, json_t **tmp)
{
    *tmp = NULL;
    if (*v && json_is_integer(*v)) {
        *tmp = json_pack("[O]", *v);
        if (!*tmp) {
            lo_error_set(ODOO_ENOMEM, "ids: out of memory");
            return 0;
        }
        *v = *tmp;
        return 1;
    }
    if (!*v) {
        lo_error_set(ODOO_EINVAL, "ids are required");
        return 0;
    }
    return lo_want_array(*v, "ids");
}

/* A field list: a list of strings, copied into a NULL-terminated array of
 * borrowed pointers (valid while @p v lives). Free *out with free(). An absent
 * list is NULL when @p optional, an error otherwise. */
static int lo_field_list(json_t *v, const char ***out, const char *what, int optional)
{
    size_t i, n;
    const char **list;

    *out = NULL;
    if (!v) {
        if (optional)
            return 1;
        lo_error_set(ODOO_EINVAL, "%s: " LO_A_LIST " of field names is required", what);
        return 0;
    }
    if (!lo_want_array(v, what))
        return 0;
    n = json_array_size(v);
    if (n == 0 && !optional && strcmp(what, "fields") == 0) {
        /* said here: the C library's message speaks of its NULL-terminated arrays */
        lo_error_set(ODOO_EINVAL,
                     "fields: name the fields to read (" LO_A_LIST " of at least one name)");
        return 0;
    }
    list = calloc(n + 1, sizeof(*list));
    if (!list) {
        lo_error_set(ODOO_ENOMEM, "%s: out of memory", what);
        return 0;
    }
    for (i = 0; i < n; i++) {
        json_t *name = json_array_get(v, i);

        if (!json_is_string(name)) {
            free(list);
            lo_error_set(ODOO_EINVAL, "%s[%zu] must be a string, not %s", what, i,
                         lo_json_type_name(name));
            return 0;
        }
        list[i] = json_string_value(name);
    }
    *out = list;
    return 1;
}

static int lo_want_size(long v, size_t *out, const char *what)
{
    if (v < 0) {
        lo_error_set(ODOO_EINVAL, "%s must not be negative", what);
        return 0;
    }
    *out = (size_t)v;
    return 1;
}

/* A private copy of an optional options object, or NULL with the error pending. */
static json_t *lo_options_copy(json_t *options, const char *what)
{
    json_t *tmp = NULL, *opts;

    if (!lo_want_object(&options, &tmp, what))
        return NULL;
    opts = options ? json_deep_copy(options) : json_object();
    json_decref(tmp);
    if (!opts)
        lo_error_set(ODOO_ENOMEM, "%s: out of memory", what);
    return opts;
}

/* Overwrite a string value of a JSON object we own (our conversion of the
 * caller's options) before it is released. */
static void lo_wipe_member(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (json_is_string(v) && json_string_length(v) > 0)
        memset((char *)(uintptr_t)json_string_value(v), 0, json_string_length(v));
}

/* ==== sessions ===================================================================== */

struct lo_session {
    pthread_mutex_t lock; /* held by every call (see "the public functions") */
    odoo_client *client;  /* NULL once closed */
    unsigned refs;        /* the session object + each iterator */
    char *url;
};

static void lo_lock(lo_session *s)
{
    if (s)
        pthread_mutex_lock(&s->lock);
}

static void lo_unlock(lo_session *s)
{
    if (s)
        pthread_mutex_unlock(&s->lock);
}

/* Under the lock. */
static void lo_session_ref(lo_session *s)
{
    s->refs++;
}

/* Free the client, the lock and the holder. */
static void lo_session_free(lo_session *s)
{
    odoo_client_free(s->client);
    pthread_mutex_destroy(&s->lock);
    free(s->url);
    free(s);
}

static void lo_session_unref(lo_session *s)
{
    unsigned left;

    if (!s)
        return;
    lo_lock(s);
    left = --s->refs;
    lo_unlock(s);
    if (left == 0)
        lo_session_free(s);
}

void delete_lo_session(lo_session *s)
{
    lo_session_unref(s);
}

/* Free the client now (lo_session_close()); under the lock. */
static void lo_session_end(lo_session *s)
{
    if (s && s->client) {
        odoo_client_free(s->client);
        s->client = NULL;
    }
}

/* The client of an open session, or NULL with EINVAL pending. */
static odoo_client *lo_client(lo_session *s)
{
    if (!s || !s->client) {
        lo_error_set(ODOO_EINVAL, "the session is closed");
        return NULL;
    }
    return s->client;
}

/* After a call that returned @p rc: 1 when it is ODOO_OK, else 0 with the
 * client's error pending. */
static int lo_check(lo_session *s, int rc)
{
    if (rc == ODOO_OK)
        return 1;
    lo_error_set_from(rc, s && s->client ? odoo_client_last_error(s->client) : NULL);
    return 0;
}

/* ---- options --------------------------------------------------------------------- */

typedef enum { LO_STR, LO_LONG, LO_INT, LO_BOOL, LO_TRANSPORT, LO_SIZE } lo_opt_type;

typedef struct lo_opt {
    const char *key;
    const char *alias;
    lo_opt_type type;
    size_t offset;
    int secret;
} lo_opt;

#define LO_OPT(key, alias, type, member, secret) \
    { key, alias, type, offsetof(odoo_client_options, member), secret }

static const lo_opt lo_client_opts[] = {
    LO_OPT("url", NULL, LO_STR, url, 0),
    LO_OPT("database", "db", LO_STR, database, 0),
    LO_OPT("login", "user", LO_STR, login, 0),
    LO_OPT("password", NULL, LO_STR, password, 1),
    LO_OPT("api_key", NULL, LO_STR, api_key, 1),
    LO_OPT("transport", NULL, LO_TRANSPORT, transport, 0),
    LO_OPT("connect_timeout_ms", NULL, LO_LONG, connect_timeout_ms, 0),
    LO_OPT("timeout_ms", NULL, LO_LONG, timeout_ms, 0),
    LO_OPT("verify_peer", NULL, LO_BOOL, verify_peer, 0),
    LO_OPT("verify_host", NULL, LO_BOOL, verify_host, 0),
    LO_OPT("ca_file", NULL, LO_STR, ca_file, 0),
    LO_OPT("ca_path", NULL, LO_STR, ca_path, 0),
    LO_OPT("proxy", NULL, LO_STR, proxy, 1),
    LO_OPT("user_agent", NULL, LO_STR, user_agent, 0),
    LO_OPT("cookie_file", NULL, LO_STR, cookie_file, 0),
    LO_OPT("auto_reauth", NULL, LO_BOOL, auto_reauth, 0),
    LO_OPT("client_cert", NULL, LO_STR, client_cert, 0),
    LO_OPT("client_key", NULL, LO_STR, client_key, 0),
    LO_OPT("low_speed_limit", NULL, LO_LONG, low_speed_limit, 0),
    LO_OPT("low_speed_time_s", NULL, LO_LONG, low_speed_time_s, 0),
    LO_OPT("max_retries", NULL, LO_INT, max_retries, 0),
    LO_OPT("retry_base_ms", NULL, LO_LONG, retry_base_ms, 0),
    LO_OPT("retry_max_ms", NULL, LO_LONG, retry_max_ms, 0),
    LO_OPT("retry_deadline_ms", NULL, LO_LONG, retry_deadline_ms, 0),
    LO_OPT("max_response_bytes", NULL, LO_SIZE, max_response_bytes, 0),
    LO_OPT("allow_insecure_http", NULL, LO_BOOL, allow_insecure_http, 0),
};

/* Store one option value into the struct at base + opt->offset. */
static int lo_opt_store(void *base, const lo_opt *opt, json_t *v, const char *what)
{
    char *field = (char *)base + opt->offset;

    switch (opt->type) {
    case LO_STR:
        if (json_is_null(v) || json_is_false(v)) {
            *(const char **)(void *)field = NULL;
            return 1;
        }
        if (!json_is_string(v))
            break;
        *(const char **)(void *)field = json_string_value(v);
        return 1;
    case LO_LONG:
    case LO_INT:
        if (!json_is_integer(v))
            break;
        if (opt->type == LO_INT) {
            json_int_t n = json_integer_value(v);

            if (n < INT_MIN || n > INT_MAX) {
                lo_error_set(ODOO_EINVAL, "%s option '%s' is out of range", what, opt->key);
                return 0;
            }
            *(int *)(void *)field = (int)n;
        } else {
            json_int_t n = json_integer_value(v);

            if (n < LONG_MIN || n > LONG_MAX) {
                lo_error_set(ODOO_EINVAL, "%s option '%s' is out of range", what, opt->key);
                return 0;
            }
            *(long *)(void *)field = (long)n;
        }
        return 1;
    case LO_SIZE:
        if (!json_is_integer(v))
            break;
        if (json_integer_value(v) < 0
            || (unsigned long long)json_integer_value(v) > (unsigned long long)SIZE_MAX) {
            lo_error_set(ODOO_EINVAL, "%s option '%s' is out of range", what, opt->key);
            return 0;
        }
        *(size_t *)(void *)field = (size_t)json_integer_value(v);
        return 1;
    case LO_BOOL:
        if (json_is_boolean(v))
            *(int *)(void *)field = json_is_true(v);
        else if (json_is_integer(v))
            *(int *)(void *)field = json_integer_value(v) != 0;
        else
            break;
        return 1;
    case LO_TRANSPORT:
        if (json_is_string(v)) {
            odoo_transport t;

            if (odoo_transport_from_name(json_string_value(v), &t) != ODOO_OK) {
                lo_error_set(ODOO_EINVAL,
                             "%s option 'transport' must be \"auto\", \"session\", \"jsonrpc\" "
                             "or \"json2\", not \"%s\"", what, json_string_value(v));
                return 0;
            }
            *(odoo_transport *)(void *)field = t;
            return 1;
        }
        if (json_is_integer(v) && json_integer_value(v) >= ODOO_TRANSPORT_AUTO &&
            json_integer_value(v) <= ODOO_TRANSPORT_JSON2) {
            *(odoo_transport *)(void *)field = (odoo_transport)json_integer_value(v);
            return 1;
        }
        break;
    }
    lo_error_set(ODOO_EINVAL, "%s option '%s' must be %s, not %s", what, opt->key,
                 opt->type == LO_STR ? "a string" :
                 opt->type == LO_BOOL ? "a boolean" :
                 opt->type == LO_TRANSPORT ? "a transport name" : "an integer",
                 lo_json_type_name(v));
    return 0;
}

static const lo_opt *lo_opt_find(const lo_opt *opts, size_t n, const char *key)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(opts[i].key, key) == 0 || (opts[i].alias && strcmp(opts[i].alias, key) == 0))
            return &opts[i];
    }
    return NULL;
}

/* Store option @p key of the table @p opts into @p base: 0 with EINVAL pending
 * on a bad value or an unknown key ("unknown <what> option"). */
static int lo_opt_set(void *base, const lo_opt *opts, size_t n, const char *key, json_t *v,
                      const char *what)
{
    const lo_opt *opt = lo_opt_find(opts, n, key);

    if (!opt) {
        lo_error_set(ODOO_EINVAL, "unknown %s option '%s'", what, key);
        return 0;
    }
    return lo_opt_store(base, opt, v, what);
}

/* Wipe the secret options of a table (and their aliases) in our copy of the options. */
static void lo_wipe_secrets(json_t *obj, const lo_opt *opts, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (opts[i].secret) {
            lo_wipe_member(obj, opts[i].key);
            if (opts[i].alias)
                lo_wipe_member(obj, opts[i].alias);
        }
    }
}

/* Put ODOO_* environment variables into @p o for the keys it lacks. */
static int lo_options_from_env(json_t *o)
{
    static const char *const map[][3] = {
        {"url", "ODOO_URL", NULL},
        {"database", "ODOO_DB", "ODOO_DATABASE"},
        {"login", "ODOO_USER", "ODOO_EMAIL"},
        {"password", "ODOO_PASSWORD", NULL},
        {"api_key", "ODOO_API_KEY", NULL},
    };
    size_t i;

    for (i = 0; i < LO_COUNT(map); i++) {
        const lo_opt *opt = lo_opt_find(lo_client_opts, LO_COUNT(lo_client_opts), map[i][0]);
        const char *val = getenv(map[i][1]);

        if (json_object_get(o, opt->key) || (opt->alias && json_object_get(o, opt->alias)))
            continue;
        if ((!val || !*val) && map[i][2])
            val = getenv(map[i][2]);
        if (val && *val && json_object_set_new(o, map[i][0], json_string(val)) != 0) {
            lo_error_set(ODOO_ENOMEM, "session options: out of memory");
            return 0;
        }
    }
    return 1;
}

lo_session *new_lo_session(json_t *options)
{
    odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
    const size_t nopts = LO_COUNT(lo_client_opts);
    json_t *opts = NULL, *context = NULL, *env;
    const char *key;
    json_t *v;
    lo_session *s = NULL;
    int rc, ok = 0;

    /* A private copy: secrets are wiped from it, the env step adds to it. */
    opts = lo_options_copy(options, "session options");
    if (!opts)
        return NULL;
    env = json_object_get(opts, "env");
    if (env && !json_is_boolean(env)) {
        lo_error_set(ODOO_EINVAL, "session option 'env' must be a boolean, not %s",
                     lo_json_type_name(env));
        goto out;
    }
    if (json_is_true(env) && !lo_options_from_env(opts))
        goto out;
    json_object_foreach(opts, key, v) {
        if (strcmp(key, "env") == 0)
            continue;
        if (strcmp(key, "context") == 0) {
            if (!json_is_null(v) && !json_is_object(v) &&
                !(json_is_array(v) && json_array_size(v) == 0)) {
                lo_error_set(ODOO_EINVAL, "session option 'context' must be " LO_A_DICT ", not %s",
                             lo_json_type_name(v));
                goto out;
            }
            context = json_is_object(v) ? v : NULL;
            continue;
        }
        if (!lo_opt_set(&o, lo_client_opts, nopts, key, v, "session"))
            goto out;
    }
    if (!o.url) {
        lo_error_set(ODOO_EINVAL, "session option 'url' is required");
        goto out;
    }
    s = calloc(1, sizeof(*s));
    if (s && pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        s = NULL;
    }
    if (!s || !(s->url = lo_strdup(o.url))) {
        lo_error_set(ODOO_ENOMEM, "session: out of memory");
        goto out;
    }
    rc = odoo_client_new(&s->client, &o);
    if (rc != ODOO_OK) {
        lo_error_set(rc, "cannot create the session: %s",
                     s->client ? odoo_error_message(odoo_client_last_error(s->client))
                               : odoo_strerror(rc));
        odoo_client_free(s->client);
        s->client = NULL;
        goto out;
    }
    s->refs = 1;
    if (context && json_object_size(context) > 0 &&
        !lo_check(s, odoo_client_set_context(s->client, context)))
        goto out;
    ok = 1;
out:
    lo_wipe_secrets(opts, lo_client_opts, nopts);
    json_decref(opts);
    if (!ok && s) {
        lo_session_free(s);
        s = NULL;
    }
    return s;
}

/* Run an operation without arguments on the open client (login, logout). */
static void lo_session_run(lo_session *s, int (*op)(odoo_client *))
{
    odoo_client *c = lo_client(s);

    if (c)
        lo_check(s, op(c));
}

static json_t *lo__session_call_kw(lo_session *s, const char *model, const char *method,
                                   json_t *args, json_t *kwargs, json_t *context)
{
    odoo_client *c = lo_client(s);
    json_t *out = NULL, *tk = NULL, *tc = NULL;
    int rc;

    if (!c || !lo_want_array(args, "args") || !lo_want_object(&kwargs, &tk, "kwargs"))
        return NULL;
    if (!lo_want_object(&context, &tc, "context")) {
        json_decref(tk);
        return NULL;
    }
    rc = odoo_call_kw(c, &out, model, method, args, kwargs, context);
    json_decref(tk);
    json_decref(tc);
    return lo_check(s, rc) ? out : NULL;
}

static json_t *lo__session_search_read(lo_session *s, const char *model, json_t *domain,
                                       json_t *fields, const char *order, long limit, long offset,
                                       json_t *context)
{
    odoo_client *c = lo_client(s);
    const char **names = NULL;
    json_t *out = NULL, *tc = NULL;
    int rc;

    if (!c || !lo_want_array(domain, "domain") || !lo_field_list(fields, &names, "fields", 0))
        return NULL;
    if (!lo_want_object(&context, &tc, "context")) {
        free(names);
        return NULL;
    }
    rc = odoo_search_read(c, &out, model, domain, names, order, limit, offset, context);
    free(names);
    json_decref(tc);
    return lo_check(s, rc) ? out : NULL;
}

static json_t *lo__session_read(lo_session *s, const char *model, json_t *ids, json_t *fields,
                                json_t *context)
{
    odoo_client *c = lo_client(s);
    const char **names = NULL;
    json_t *out = NULL, *ti = NULL, *tc = NULL;
    int rc;

    if (!c || !lo_want_ids(&ids, &ti))
        return NULL;
    if (!lo_field_list(fields, &names, "fields", 0) || !lo_want_object(&context, &tc, "context")) {
        free(names);
        json_decref(ti);
        return NULL;
    }
    rc = odoo_read(c, &out, model, ids, names, context);
    free(names);
    json_decref(ti);
    json_decref(tc);
    return lo_check(s, rc) ? out : NULL;
}

static json_t *lo__session_search(lo_session *s, const char *model, json_t *domain,
                                  const char *order, long limit, long offset, json_t *context)
{
    odoo_client *c = lo_client(s);
    json_t *out = NULL, *tc = NULL;
    int rc;

    if (!c || !lo_want_array(domain, "domain") || !lo_want_object(&context, &tc, "context"))
        return NULL;
    rc = odoo_search(c, &out, model, domain, order, limit, offset, context);
    json_decref(tc);
    return lo_check(s, rc) ? out : NULL;
}

static long long lo__session_search_count(lo_session *s, const char *model, json_t *domain,
                                          json_t *context)
{
    odoo_client *c = lo_client(s);
    json_t *tc = NULL;
    long long n = 0;
    int rc;

    if (!c || !lo_want_array(domain, "domain") || !lo_want_object(&context, &tc, "context"))
        return 0;
    rc = odoo_search_count(c, &n, model, domain, context);
    json_decref(tc);
    return lo_check(s, rc) ? n : 0;
}

static void lo__session_write(lo_session *s, const char *model, json_t *ids, json_t *values,
                              json_t *context)
{
    odoo_client *c = lo_client(s);
    json_t *ti = NULL, *tv = NULL, *tc = NULL;

    if (!c || !lo_want_ids(&ids, &ti))
        return;
    if (!values) {
        lo_error_set(ODOO_EINVAL, "values are required");
    } else if (lo_want_object(&values, &tv, "values") &&
               lo_want_object(&context, &tc, "context")) {
        lo_check(s, odoo_write(c, model, ids, values, context));
    }
    json_decref(ti);
    json_decref(tv);
    json_decref(tc);
}

static json_t *lo__session_create(lo_session *s, const char *model, json_t *values, json_t *context)
{
    odoo_client *c = lo_client(s);
    json_t *out = NULL, *tc = NULL;
    int rc;

    if (!c)
        return NULL;
    if (!values || (!json_is_object(values) && !json_is_array(values))) {
        lo_error_set(ODOO_EINVAL, "values must be " LO_A_DICT " or " LO_A_LIST " of them");
        return NULL;
    }
    if (!lo_want_object(&context, &tc, "context"))
        return NULL;
    rc = odoo_create(c, &out, model, values, context);
    json_decref(tc);
    return lo_check(s, rc) ? out : NULL;
}

static void lo__session_unlink(lo_session *s, const char *model, json_t *ids, json_t *context)
{
    odoo_client *c = lo_client(s);
    json_t *ti = NULL, *tc = NULL;

    if (!c || !lo_want_ids(&ids, &ti))
        return;
    if (lo_want_object(&context, &tc, "context"))
        lo_check(s, odoo_unlink(c, model, ids, context));
    json_decref(ti);
    json_decref(tc);
}

static json_t *lo__session_fields_get(lo_session *s, const char *model, json_t *attributes,
                                      json_t *context)
{
    odoo_client *c = lo_client(s);
    const char **attrs = NULL;
    json_t *out = NULL, *tc = NULL;
    int rc;

    if (!c || !lo_field_list(attributes, &attrs, "attributes", 1))
        return NULL;
    if (!lo_want_object(&context, &tc, "context")) {
        free(attrs);
        return NULL;
    }
    rc = odoo_fields_get(c, &out, model, attrs, context);
    free(attrs);
    json_decref(tc);
    return lo_check(s, rc) ? out : NULL;
}

static void lo__session_fields_check(lo_session *s, const char *model, json_t *fields)
{
    odoo_client *c = lo_client(s);
    const char **names = NULL;
    int rc;

    /* an empty list is fine here: nothing to check (only the model) */
    if (!c || (!(json_is_array(fields) && json_array_size(fields) == 0)
               && !lo_field_list(fields, &names, "fields", 0)))
        return;
    rc = odoo_fields_check(c, model, names);
    free(names);
    lo_check(s, rc);
}

/* The arguments of the batch calls: the open client, @p chunk as a size in *n,
 * @p list (named @p what) a list, @p context an optional object (*tc: release
 * it). NULL with the error pending. */
static odoo_client *lo_batch_args(lo_session *s, long chunk, size_t *n, json_t *list,
                                  const char *what, json_t **context, json_t **tc)
{
    odoo_client *c = lo_client(s);

    if (!c || !lo_want_size(chunk, n, "chunk"))
        return NULL;
    if (!list) {
        lo_error_set(ODOO_EINVAL, "%s are required", what);
        return NULL;
    }
    if (!lo_want_array(list, what) || !lo_want_object(context, tc, "context"))
        return NULL;
    return c;
}

static json_t *lo__session_create_batch(lo_session *s, const char *model, json_t *records,
                                        long chunk, json_t *context)
{
    json_t *ids = NULL, *tc = NULL;
    odoo_client *c;
    size_t n;
    int rc;

    if (!(c = lo_batch_args(s, chunk, &n, records, "records", &context, &tc)))
        return NULL;
    rc = odoo_create_batch(c, &ids, model, records, n, context);
    json_decref(tc);
    if (!lo_check(s, rc)) {
        lo_error_set_created(ids ? ids : json_array());
        return NULL;
    }
    return ids;
}

static unsigned long lo__session_write_grouped(lo_session *s, const char *model, json_t *updates,
                                               long chunk, json_t *context)
{
    json_t *tc = NULL;
    unsigned long calls = 0;
    odoo_client *c;
    size_t n;
    int rc;

    if (!(c = lo_batch_args(s, chunk, &n, updates, "updates", &context, &tc)))
        return 0;
    rc = odoo_write_grouped(c, model, updates, n, &calls, context);
    json_decref(tc);
    return lo_check(s, rc) ? calls : 0;
}

static json_t *lo__session_upsert(lo_session *s, const char *model, const char *key_field,
                                  json_t *records, long chunk, json_t *context,
                                  bool skip_unchanged)
{
    json_t *out = NULL, *tc = NULL;
    odoo_client *c;
    size_t n;
    int rc;

    if (!(c = lo_batch_args(s, chunk, &n, records, "records", &context, &tc)))
        return NULL;
    rc = odoo_upsert_ex(c, &out, model, key_field, records, n,
                        skip_unchanged ? ODOO_UPSERT_SKIP_UNCHANGED : 0u, context);
    json_decref(tc);
    return lo_check(s, rc) ? out : NULL;
}

static void lo__session_context_set(lo_session *s, json_t *context)
{
    odoo_client *c = lo_client(s);
    json_t *tc = NULL;
    int rc;

    if (!c || !lo_want_object(&context, &tc, "context"))
        return;
    rc = odoo_client_set_context(c, context && json_object_size(context) ? context : NULL);
    json_decref(tc);
    lo_check(s, rc);
}

/* A new reference to a value the open client lends (NULL stays NULL). */
static json_t *lo_client_copy(lo_session *s, const json_t *(*get)(const odoo_client *))
{
    odoo_client *c = lo_client(s);
    const json_t *v = c ? get(c) : NULL;
    json_t *copy;

    if (!v)
        return NULL;
    copy = json_deep_copy(v);
    if (!copy)
        lo_error_set(ODOO_ENOMEM, "out of memory");
    return copy;
}

/* ==== iterators ==================================================================== */

struct lo_iter {
    lo_session *session; /* a reference: the client outlives the iterator */
    odoo_iter *it;       /* NULL once closed or exhausted */
};

static lo_iter *lo_iter_make(lo_session *s, const char *model, json_t *domain, json_t *fields,
                             long page_size, int changed, const char *since_wd,
                             long long since_id, long overlap)
{
    odoo_client *c = lo_client(s);
    const char **names = NULL;
    lo_iter *it;
    size_t n;
    int rc;

    if (!c || !lo_want_size(page_size, &n, "page_size") || !lo_want_array(domain, "domain") ||
        !lo_field_list(fields, &names, "fields", 0))
        return NULL;
    it = calloc(1, sizeof(*it));
    if (!it) {
        free(names);
        lo_error_set(ODOO_ENOMEM, "iterator: out of memory");
        return NULL;
    }
    if (changed)
        rc = odoo_iter_changed_since(&it->it, c, model, domain, names, n, since_wd, since_id);
    else
        rc = odoo_iter_new(&it->it, c, model, domain, names, n);
    free(names);
    /* overlap >= 0: read again what changed that many seconds before the cursor */
    if (rc == ODOO_OK && changed && overlap >= 0)
        rc = overlap > 31L * 86400 ? ODOO_EINVAL
                                   : odoo_iter_set_overlap(it->it, (unsigned int)overlap);
    if (!lo_check(s, rc)) {
        odoo_iter_free(it->it);
        free(it);
        return NULL;
    }
    it->session = s;
    lo_session_ref(s);
    return it;
}

/* Under the session's lock. */
static void lo_iter_end(lo_iter *it)
{
    if (it && it->it) {
        odoo_iter_free(it->it);
        it->it = NULL;
    }
}

/* The C iterator, or NULL: at the end (nothing pending) or when its session
 * was closed under it (EINVAL pending). */
static odoo_iter *lo_iter_live(lo_iter *it)
{
    if (!it || !it->it)
        return NULL;
    if (!it->session->client) {
        lo_iter_end(it);
        lo_error_set(ODOO_EINVAL, "the session of this iterator is closed");
        return NULL;
    }
    return it->it;
}

/* One step (odoo_iter_next, odoo_iter_next_page): what it hands out, or NULL
 * at the end or on error (pending). */
static json_t *lo_iter_step(lo_iter *it, int (*step)(odoo_iter *, json_t **))
{
    odoo_iter *i = lo_iter_live(it);
    json_t *out = NULL;
    int rc;

    if (!i)
        return NULL;
    rc = step(i, &out);
    if (rc < 0) {
        lo_check(it->session, rc);
        return NULL;
    }
    return rc > 0 ? out : NULL;
}

static void lo__iter_cursor(lo_iter *it, const char **write_date, long long *id)
{
    *write_date = NULL;
    *id = 0;
    if (it && it->it)
        odoo_iter_cursor(it->it, write_date, id);
}

void delete_lo_iter(lo_iter *it)
{
    if (!it)
        return;
    lo_iter_close(it);
    lo_session_unref(it->session);
    free(it);
}

/* ==== the public functions: one thread at a time per session ========================= */
/*
 * Each call holds its session's lock, so that a binding may run it without its
 * interpreter's lock (Python threads) and sessions shared between threads stay
 * consistent: calls on one session are serialised, calls on different sessions
 * run in parallel.
 *
 * LO_LOCKED(type, name, session, params, call) defines the function
 * `type name params` that evaluates @p call under the lock of @p session (no
 * lock for a NULL session) and returns its value; LO_LOCKED_VOID is the same
 * without a value. The errors are the call's own (pending, see lo_check()).
 */
#define LO_LOCKED(type, name, session, params, call) \
    type name params                                 \
    {                                                \
        lo_session *lo_held = (session);             \
        type lo_value;                               \
                                                     \
        lo_lock(lo_held);                            \
        lo_value = (call);                           \
        lo_unlock(lo_held);                          \
        return lo_value;                             \
    }
#define LO_LOCKED_VOID(name, session, params, call) \
    void name params                                \
    {                                               \
        lo_session *lo_held = (session);            \
                                                    \
        lo_lock(lo_held);                           \
        call;                                       \
        lo_unlock(lo_held);                         \
    }
/* The session an iterator locks. */
#define LO_ITER_SESSION(it) ((it) ? (it)->session : NULL)
/* An attribute of the client: a closed session answers 0 / NULL rather than
 * failing, so that printing a closed session works. */
#define LO_ATTR(s, expr) ((s) && (s)->client ? (expr) : 0)

/* ---- sessions ---- */
LO_LOCKED_VOID(lo_session_close, s, (lo_session *s), lo_session_end(s))
LO_LOCKED_VOID(lo_session_login, s, (lo_session *s), lo_session_run(s, odoo_client_login))
LO_LOCKED_VOID(lo_session_logout, s, (lo_session *s), lo_session_run(s, odoo_client_logout))
LO_LOCKED(json_t *, lo_session_call_kw, s,
          (lo_session *s, const char *model, const char *method, json_t *args, json_t *kwargs,
           json_t *context),
          lo__session_call_kw(s, model, method, args, kwargs, context))
LO_LOCKED(json_t *, lo_session_search_read, s,
          (lo_session *s, const char *model, json_t *domain, json_t *fields, const char *order,
           long limit, long offset, json_t *context),
          lo__session_search_read(s, model, domain, fields, order, limit, offset, context))
LO_LOCKED(json_t *, lo_session_read, s,
          (lo_session *s, const char *model, json_t *ids, json_t *fields, json_t *context),
          lo__session_read(s, model, ids, fields, context))
LO_LOCKED(json_t *, lo_session_search, s,
          (lo_session *s, const char *model, json_t *domain, const char *order, long limit,
           long offset, json_t *context),
          lo__session_search(s, model, domain, order, limit, offset, context))
LO_LOCKED(long long, lo_session_search_count, s,
          (lo_session *s, const char *model, json_t *domain, json_t *context),
          lo__session_search_count(s, model, domain, context))
LO_LOCKED_VOID(lo_session_write, s,
               (lo_session *s, const char *model, json_t *ids, json_t *values, json_t *context),
               lo__session_write(s, model, ids, values, context))
LO_LOCKED(json_t *, lo_session_create, s,
          (lo_session *s, const char *model, json_t *values, json_t *context),
          lo__session_create(s, model, values, context))
LO_LOCKED_VOID(lo_session_unlink, s,
               (lo_session *s, const char *model, json_t *ids, json_t *context),
               lo__session_unlink(s, model, ids, context))
LO_LOCKED(json_t *, lo_session_fields_get, s,
          (lo_session *s, const char *model, json_t *attributes, json_t *context),
          lo__session_fields_get(s, model, attributes, context))
LO_LOCKED_VOID(lo_session_fields_check, s, (lo_session *s, const char *model, json_t *fields),
               lo__session_fields_check(s, model, fields))
LO_LOCKED(json_t *, lo_session_create_batch, s,
          (lo_session *s, const char *model, json_t *records, long chunk, json_t *context),
          lo__session_create_batch(s, model, records, chunk, context))
LO_LOCKED(unsigned long, lo_session_write_grouped, s,
          (lo_session *s, const char *model, json_t *updates, long chunk, json_t *context),
          lo__session_write_grouped(s, model, updates, chunk, context))
LO_LOCKED(json_t *, lo_session_upsert, s,
          (lo_session *s, const char *model, const char *key_field, json_t *records, long chunk,
           json_t *context, bool skip_unchanged),
          lo__session_upsert(s, model, key_field, records, chunk, context, skip_unchanged))
LO_LOCKED(lo_iter *, lo_session_iterate, s,
          (lo_session *s, const char *model, json_t *domain, json_t *fields, long page_size),
          lo_iter_make(s, model, domain, fields, page_size, 0, NULL, 0, -1))
LO_LOCKED(lo_iter *, lo_session_changed_since, s,
          (lo_session *s, const char *model, json_t *domain, json_t *fields, long page_size,
           const char *since_write_date, long long since_id, long overlap),
          lo_iter_make(s, model, domain, fields, page_size, 1, since_write_date, since_id,
                       overlap))

/* ---- session attributes ---- */
LO_LOCKED_VOID(lo_session_context_set, s, (lo_session *s, json_t *context),
               lo__session_context_set(s, context))
LO_LOCKED(json_t *, lo_session_context_get, s, (lo_session *s),
          lo_client_copy(s, odoo_client_context))
LO_LOCKED(json_t *, lo_session_user_context_get, s, (lo_session *s),
          lo_client_copy(s, odoo_client_user_context))
LO_LOCKED(json_t *, lo_session_session_info_get, s, (lo_session *s),
          lo_client_copy(s, odoo_client_session_info))
LO_LOCKED(bool, lo_session_closed_get, s, (lo_session *s), !s || !s->client)
LO_LOCKED(int, lo_session_uid_get, s, (lo_session *s), LO_ATTR(s, odoo_client_uid(s->client)))
LO_LOCKED(const char *, lo_session_server_version_get, s, (lo_session *s),
          LO_ATTR(s, odoo_client_server_version(s->client)))
LO_LOCKED(int, lo_session_server_major_get, s, (lo_session *s),
          LO_ATTR(s, odoo_client_server_major(s->client)))
LO_LOCKED(const char *, lo_session_transport_get, s, (lo_session *s),
          LO_ATTR(s, odoo_transport_name(odoo_client_transport(s->client))))
LO_LOCKED(int, lo_session_last_http_status_get, s, (lo_session *s),
          LO_ATTR(s, odoo_client_last_http_status(s->client)))
LO_LOCKED(unsigned long, lo_session_retry_count_get, s, (lo_session *s),
          LO_ATTR(s, odoo_client_retry_count(s->client)))
LO_LOCKED(unsigned long, lo_session_reauth_count_get, s, (lo_session *s),
          LO_ATTR(s, odoo_client_reauth_count(s->client)))
LO_LOCKED(unsigned long, lo_session_login_count_get, s, (lo_session *s),
          LO_ATTR(s, odoo_client_login_count(s->client)))
LO_LOCKED(unsigned long, lo_session_request_count_get, s, (lo_session *s),
          LO_ATTR(s, odoo_client_request_count(s->client)))

const char *lo_session_url_get(lo_session *s)
{
    return s ? s->url : NULL; /* set once at creation: no lock */
}

/* ---- iterators ---- */
LO_LOCKED(json_t *, lo_iter_next, LO_ITER_SESSION(it), (lo_iter *it),
          lo_iter_step(it, odoo_iter_next))
LO_LOCKED(json_t *, lo_iter_next_page, LO_ITER_SESSION(it), (lo_iter *it),
          lo_iter_step(it, odoo_iter_next_page))
LO_LOCKED_VOID(lo_iter_close, LO_ITER_SESSION(it), (lo_iter *it), lo_iter_end(it))
LO_LOCKED_VOID(lo_iter_cursor, LO_ITER_SESSION(it),
               (lo_iter *it, const char **write_date, long long *id),
               lo__iter_cursor(it, write_date, id))
LO_LOCKED(unsigned long long, lo_iter_count_get, LO_ITER_SESSION(it), (lo_iter *it),
          it && it->it ? odoo_iter_count(it->it) : 0)
LO_LOCKED(unsigned long, lo_iter_pages_get, LO_ITER_SESSION(it), (lo_iter *it),
          it && it->it ? odoo_iter_pages(it->it) : 0)

/* ==== sinks ======================================================================== */

struct lo_sink {
    odoo_sink *sink; /* NULL once aborted */
};

/* As lo_check(), with the sink's error. */
static int lo_sink_check(lo_sink *k, int rc)
{
    if (rc == ODOO_OK)
        return 1;
    lo_error_set_from(rc, k && k->sink ? odoo_sink_last_error(k->sink) : NULL);
    return 0;
}

static odoo_sink *lo_sink_live(lo_sink *k)
{
    if (!k || !k->sink) {
        lo_error_set(ODOO_EINVAL, "the sink was aborted");
        return NULL;
    }
    return k->sink;
}

/* Wrap a freshly opened sink: on failure record its error and free it. */
static lo_sink *lo_sink_wrap(int rc, odoo_sink *sink)
{
    lo_sink *k;

    if (rc != ODOO_OK) {
        lo_error_set_from(rc, sink ? odoo_sink_last_error(sink) : NULL);
        odoo_sink_free(sink);
        return NULL;
    }
    k = calloc(1, sizeof(*k));
    if (!k) {
        odoo_sink_free(sink);
        lo_error_set(ODOO_ENOMEM, "sink: out of memory");
        return NULL;
    }
    k->sink = sink;
    return k;
}

#define LO_JOPT(key, type, member) \
    { key, NULL, type, offsetof(odoo_json_sink_options, member), 0 }

static const lo_opt lo_json_sink_opts[] = {
    LO_JOPT("path", LO_STR, path),
    LO_JOPT("append", LO_BOOL, append),
    LO_JOPT("sort_keys", LO_BOOL, sort_keys),
    LO_JOPT("flush_records", LO_LONG, flush_records),
    LO_JOPT("flush_bytes", LO_LONG, flush_bytes),
    LO_JOPT("fsync", LO_BOOL, fsync),
};

lo_sink *lo_json_sink_open(json_t *options)
{
    odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
    const size_t nopts = LO_COUNT(lo_json_sink_opts);
    json_t *tmp = NULL, *v;
    odoo_sink *sink = NULL;
    const char *key;
    lo_sink *k = NULL;
    int rc;

    if (!lo_want_object(&options, &tmp, "sink options"))
        return NULL;
    json_object_foreach(options, key, v) {
        if (strcmp(key, "format") == 0) {
            const char *f = json_string_value(v);

            if (f && (strcmp(f, "jsonl") == 0 || strcmp(f, "lines") == 0))
                o.format = ODOO_JSON_LINES;
            else if (f && strcmp(f, "array") == 0)
                o.format = ODOO_JSON_ARRAY;
            else if (json_is_integer(v) && (json_integer_value(v) == ODOO_JSON_LINES ||
                                            json_integer_value(v) == ODOO_JSON_ARRAY))
                o.format = (odoo_json_format)json_integer_value(v);
            else {
                lo_error_set(ODOO_EINVAL,
                             "json sink option 'format' must be \"jsonl\" or \"array\"");
                goto out;
            }
            continue;
        }
        if (strcmp(key, "file_mode") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > 07777) {
                lo_error_set(ODOO_EINVAL,
                             "json sink option 'file_mode' must be a mode such as 0600 (384)");
                goto out;
            }
            o.file_mode = (unsigned int)json_integer_value(v);
            continue;
        }
        if (!lo_opt_set(&o, lo_json_sink_opts, nopts, key, v, "json sink"))
            goto out;
    }
    if (!o.path) {
        lo_error_set(ODOO_EINVAL, "json sink option 'path' is required");
        goto out;
    }
    rc = odoo_json_sink_open(&sink, &o);
    k = lo_sink_wrap(rc, sink);
out:
    json_decref(tmp);
    return k;
}

/* ---- DynamoDB --------------------------------------------------------------------- */

#define LO_AOPT(key, type, member, secret) \
    { key, NULL, type, offsetof(odoo_aws_options, member), secret }
#define LO_COPT(key, type, member, secret) \
    { key, NULL, type, offsetof(odoo_aws_credentials_options, member), secret }
#define LO_DOPT(key, type, member) \
    { key, NULL, type, offsetof(odoo_dynamodb_sink_options, member), 0 }

static const lo_opt lo_aws_opts[] = {
    LO_AOPT("region", LO_STR, region, 0),
    LO_AOPT("endpoint", LO_STR, endpoint, 0),
    LO_AOPT("profile", LO_STR, profile, 0),
    LO_AOPT("connect_timeout_ms", LO_LONG, connect_timeout_ms, 0),
    LO_AOPT("timeout_ms", LO_LONG, timeout_ms, 0),
    LO_AOPT("verify_peer", LO_BOOL, verify_peer, 0),
    LO_AOPT("verify_host", LO_BOOL, verify_host, 0),
    LO_AOPT("ca_file", LO_STR, ca_file, 0),
    LO_AOPT("ca_path", LO_STR, ca_path, 0),
    LO_AOPT("proxy", LO_STR, proxy, 1),
    LO_AOPT("user_agent", LO_STR, user_agent, 0),
    { "aws_max_retries", "max_retries", LO_INT, offsetof(odoo_aws_options, max_retries), 0 },
};

static const lo_opt lo_creds_opts[] = {
    LO_COPT("access_key_id", LO_STR, access_key_id, 0),
    LO_COPT("secret_access_key", LO_STR, secret_access_key, 1),
    LO_COPT("session_token", LO_STR, session_token, 1),
};

static const lo_opt lo_ddb_sink_opts[] = {
    LO_DOPT("table", LO_STR, table),
    LO_DOPT("partition_key", LO_STR, partition_key),
    LO_DOPT("sort_key", LO_STR, sort_key),
    LO_DOPT("version_attribute", LO_STR, version_attribute),
    LO_DOPT("dead_letter_path", LO_STR, dead_letter_path),
    LO_DOPT("concurrency", LO_INT, concurrency),
    LO_DOPT("batch_size", LO_INT, batch_size),
    LO_DOPT("max_retries", LO_INT, max_retries),
    LO_DOPT("retry_base_ms", LO_LONG, retry_base_ms),
    LO_DOPT("retry_max_ms", LO_LONG, retry_max_ms),
    LO_DOPT("max_pending", LO_LONG, max_pending),
};

static int lo_ddb_type(json_t *v, odoo_dynamodb_type *out, const char *key)
{
    const char *t = json_string_value(v);

    if (t && strcmp(t, "N") == 0)
        *out = ODOO_DYNAMODB_N;
    else if (t && strcmp(t, "S") == 0)
        *out = ODOO_DYNAMODB_S;
    else {
        lo_error_set(ODOO_EINVAL, "dynamodb option '%s' must be \"N\" or \"S\"", key);
        return 0;
    }
    return 1;
}

/* Store an AWS client option of an options object: 1 when stored, 0 with
 * EINVAL pending on a bad value or when @p key is none ("unknown <owner> option"). */
static int lo_aws_option(odoo_aws_options *ao, odoo_aws_credentials_options *co,
                         const char *key, json_t *v, const char *owner)
{
    const lo_opt *opt;

    if ((opt = lo_opt_find(lo_aws_opts, LO_COUNT(lo_aws_opts), key)))
        return lo_opt_store(ao, opt, v, "dynamodb");
    if ((opt = lo_opt_find(lo_creds_opts, LO_COUNT(lo_creds_opts), key)))
        return lo_opt_store(co, opt, v, "dynamodb");
    lo_error_set(ODOO_EINVAL, "unknown %s option '%s'", owner, key);
    return 0;
}

/* Wipe the secrets of our copy of the options, then release it. */
static void lo_aws_options_done(json_t *opts)
{
    lo_wipe_secrets(opts, lo_creds_opts, LO_COUNT(lo_creds_opts));
    lo_wipe_secrets(opts, lo_aws_opts, LO_COUNT(lo_aws_opts)); /* the proxy */
    json_decref(opts);
}

/* A DynamoDB client from parsed options: static credentials when given, the
 * default chain otherwise. NULL with the error pending. */
static odoo_dynamodb *lo_dynamodb_client(odoo_aws_options *ao, odoo_aws_credentials_options *co)
{
    odoo_aws_credentials *creds = NULL;
    odoo_dynamodb *db = NULL;
    int rc;

    if (co->access_key_id || co->secret_access_key) {
        co->profile = ao->profile;
        rc = odoo_aws_credentials_new(&creds, co);
        if (rc != ODOO_OK) {
            lo_error_set(rc, "dynamodb: bad credentials: %s%s", odoo_strerror(rc),
                         rc == ODOO_EINVAL ? " (access_key_id and secret_access_key go together)"
                                           : "");
            return NULL;
        }
        ao->credentials = creds;
    }
    rc = odoo_dynamodb_new(&db, ao);
    odoo_aws_credentials_free(creds); /* the client holds its own reference */
    ao->credentials = NULL;
    if (rc != ODOO_OK) {
        lo_error_set_from(rc, db ? odoo_dynamodb_last_error(db) : NULL);
        odoo_dynamodb_free(db);
        return NULL;
    }
    return db;
}

lo_sink *lo_dynamodb_sink_open(json_t *options)
{
    odoo_aws_options ao = ODOO_AWS_OPTIONS_INIT;
    odoo_aws_credentials_options co = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_dynamodb_sink_options so = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_dynamodb *db = NULL;
    odoo_sink *sink = NULL;
    const char **attrs = NULL;
    json_t *opts, *v;
    const char *key;
    lo_sink *k = NULL;
    int rc;

    opts = lo_options_copy(options, "dynamodb sink options");
    if (!opts)
        return NULL;
    json_object_foreach(opts, key, v) {
        const lo_opt *opt;

        if (strcmp(key, "partition_type") == 0) {
            if (!lo_ddb_type(v, &so.partition_type, key))
                goto out;
        } else if (strcmp(key, "sort_type") == 0) {
            if (!lo_ddb_type(v, &so.sort_type, key))
                goto out;
        } else if (strcmp(key, "mode") == 0) {
            const char *m = json_string_value(v);

            if (m && strcmp(m, "batch") == 0)
                so.mode = ODOO_DYNAMODB_BATCH;
            else if (m && strcmp(m, "conditional") == 0)
                so.mode = ODOO_DYNAMODB_CONDITIONAL;
            else {
                lo_error_set(ODOO_EINVAL,
                             "dynamodb sink option 'mode' must be \"batch\" or \"conditional\"");
                goto out;
            }
        } else if (strcmp(key, "attributes") == 0) {
            if (!json_is_null(v) && !lo_field_list(v, &attrs, "attributes", 0))
                goto out;
        } else if ((opt = lo_opt_find(lo_ddb_sink_opts, LO_COUNT(lo_ddb_sink_opts), key))) {
            if (!lo_opt_store(&so, opt, v, "dynamodb sink"))
                goto out;
        } else if (!lo_aws_option(&ao, &co, key, v, "dynamodb sink")) {
            goto out;
        }
    }
    so.attributes = attrs;
    if (!so.table) {
        lo_error_set(ODOO_EINVAL, "dynamodb sink option 'table' is required");
        goto out;
    }
    db = lo_dynamodb_client(&ao, &co);
    if (!db)
        goto out;
    rc = odoo_dynamodb_sink_open(&sink, db, &so);
    k = lo_sink_wrap(rc, sink);
out:
    odoo_dynamodb_free(db); /* borrowed by the open only */
    free(attrs);
    lo_aws_options_done(opts);
    return k;
}

/* ---- a DynamoDB client (tables and items; the sink has its own) ------------------------ */

struct lo_dynamodb {
    odoo_dynamodb *db;
};

lo_dynamodb *new_lo_dynamodb(json_t *options)
{
    odoo_aws_options ao = ODOO_AWS_OPTIONS_INIT;
    odoo_aws_credentials_options co = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    json_t *opts, *v;
    const char *key;
    lo_dynamodb *d = NULL;
    odoo_dynamodb *db;

    opts = lo_options_copy(options, "dynamodb options");
    if (!opts)
        return NULL;
    json_object_foreach(opts, key, v) {
        if (!lo_aws_option(&ao, &co, key, v, "dynamodb"))
            goto out;
    }
    db = lo_dynamodb_client(&ao, &co);
    if (!db)
        goto out;
    d = calloc(1, sizeof(*d));
    if (!d) {
        odoo_dynamodb_free(db);
        lo_error_set(ODOO_ENOMEM, "dynamodb: out of memory");
        goto out;
    }
    d->db = db;
out:
    lo_aws_options_done(opts);
    return d;
}

void delete_lo_dynamodb(lo_dynamodb *d)
{
    if (d) {
        odoo_dynamodb_free(d->db);
        free(d);
    }
}

/* As lo_check(), with the DynamoDB client's error. */
static int lo_ddb_check(lo_dynamodb *d, int rc)
{
    if (rc == ODOO_OK)
        return 1;
    lo_error_set_from(rc, odoo_dynamodb_last_error(d->db));
    return 0;
}

json_t *lo_dynamodb_call(lo_dynamodb *d, const char *operation, json_t *request)
{
    json_t *out = NULL, *tmp = NULL;
    int rc;

    if (!lo_want_object(&request, &tmp, "request"))
        return NULL;
    if (!request)
        request = tmp = json_object();
    rc = odoo_dynamodb_call(d->db, &out, operation, request);
    json_decref(tmp);
    return lo_ddb_check(d, rc) ? out : NULL;
}

void lo_dynamodb_create_table(lo_dynamodb *d, const char *table, const char *partition_key,
                              const char *partition_type, const char *sort_key,
                              const char *sort_type, long wait_ms)
{
    odoo_dynamodb_type pt = ODOO_DYNAMODB_N, st = ODOO_DYNAMODB_S;
    json_t *t;
    int ok, rc;

    t = json_string(partition_type ? partition_type : "N");
    ok = t && lo_ddb_type(t, &pt, "partition_type");
    json_decref(t);
    if (!ok)
        return;
    t = json_string(sort_type ? sort_type : "S");
    ok = t && lo_ddb_type(t, &st, "sort_type");
    json_decref(t);
    if (!ok)
        return;
    rc = odoo_dynamodb_create_table(d->db, table, partition_key, pt, sort_key, st, wait_ms);
    lo_ddb_check(d, rc);
}

json_t *lo_dynamodb_describe_table(lo_dynamodb *d, const char *table)
{
    json_t *out = NULL;
    int rc = odoo_dynamodb_describe_table(d->db, &out, table);

    return lo_ddb_check(d, rc) ? out : NULL;
}

json_t *lo_dynamodb_scan(lo_dynamodb *d, const char *table, bool plain)
{
    json_t *out = NULL;
    int rc = odoo_dynamodb_scan(d->db, &out, table, plain ? 1 : 0);

    return lo_ddb_check(d, rc) ? out : NULL;
}

const char *lo_dynamodb_endpoint_get(lo_dynamodb *d)
{
    return odoo_dynamodb_endpoint(d->db);
}

const char *lo_dynamodb_region_get(lo_dynamodb *d)
{
    return odoo_dynamodb_region(d->db);
}

/* ---- using a sink ------------------------------------------------------------------ */

void delete_lo_sink(lo_sink *k)
{
    if (!k)
        return;
    odoo_sink_free(k->sink);
    free(k);
}

void lo_sink_put(lo_sink *k, json_t *record)
{
    odoo_sink *s = lo_sink_live(k);

    if (!s)
        return;
    if (!json_is_object(record)) {
        lo_error_set(ODOO_EINVAL, "a record must be " LO_A_DICT ", not %s",
                     record ? lo_json_type_name(record) : "nothing");
        return;
    }
    lo_sink_check(k, odoo_sink_put(s, record));
}

unsigned long lo_sink_put_all(lo_sink *k, json_t *records)
{
    odoo_sink *s = lo_sink_live(k);
    unsigned long n = 0;
    size_t i;

    if (!s)
        return 0;
    if (!records || !json_is_array(records)) {
        lo_error_set(ODOO_EINVAL, "records must be " LO_A_LIST);
        return 0;
    }
    for (i = 0; i < json_array_size(records); i++) {
        json_t *rec = json_array_get(records, i);

        if (!json_is_object(rec)) {
            lo_error_set(ODOO_EINVAL, "records[%zu] must be " LO_A_DICT ", not %s", i,
                         lo_json_type_name(rec));
            return 0;
        }
        if (!lo_sink_check(k, odoo_sink_put(s, rec)))
            return 0;
        n++;
    }
    return n;
}

void lo_sink_flush(lo_sink *k)
{
    odoo_sink *s = lo_sink_live(k);

    if (s)
        lo_sink_check(k, odoo_sink_flush(s));
}

void lo_sink_close(lo_sink *k)
{
    odoo_sink *s = lo_sink_live(k);

    if (s)
        lo_sink_check(k, odoo_sink_close(s));
}

void lo_sink_abort(lo_sink *k)
{
    if (k && k->sink) {
        odoo_sink_free(k->sink);
        k->sink = NULL;
    }
}

bool lo_sink_closed_get(lo_sink *k)
{
    return !k || !k->sink || odoo_sink_is_closed(k->sink);
}

const char *lo_sink_type_get(lo_sink *k)
{
    return k && k->sink ? odoo_sink_type(k->sink) : NULL;
}

json_t *lo_sink_stats(lo_sink *k)
{
    odoo_sink_stats st = ODOO_SINK_STATS_INIT;
    odoo_sink *s = lo_sink_live(k);
    json_t *out;

    if (!s)
        return NULL;
    if (odoo_sink_get_stats(s, &st) != ODOO_OK) {
        lo_error_set(ODOO_ERROR, "sink: cannot read the counters");
        return NULL;
    }
    out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                    "records", (json_int_t)st.records, "written", (json_int_t)st.written,
                    "skipped", (json_int_t)st.skipped, "retried", (json_int_t)st.retried,
                    "dead_lettered", (json_int_t)st.dead_lettered,
                    "failed", (json_int_t)st.failed, "requests", (json_int_t)st.requests,
                    "throttled", (json_int_t)st.throttled,
                    "unprocessed", (json_int_t)st.unprocessed, "bytes", (json_int_t)st.bytes,
                    "flushes", (json_int_t)st.flushes, "gave_up", (json_int_t)st.gave_up);
    if (!out)
        lo_error_set(ODOO_ENOMEM, "sink stats: out of memory");
    return out;
}
