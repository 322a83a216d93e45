// SPDX-License-Identifier: MIT
/*
 * libodoo.i - the SWIG interface shared by the Python and Lua bindings.
 *
 * What is generated from the public headers (include/odoo/*.h): the error
 * codes, transports, sink counters, JSON formats and the other constants
 * (ODOO_EACCESS becomes libodoo.EACCESS), and the static helpers version(),
 * version_num(), strerror(), error_name(), transport_name().
 *
 * The objects - Session, Iterator, Sink, DynamoDB - are %extend'ed onto the
 * small language-independent glue of common/lo_glue.h, whose functions follow
 * SWIG's naming (new_lo_session, lo_session_call_kw, lo_session_uid_get, ...),
 * so no logic lives in this file. JSON crosses the boundary as native values
 * through the json_t typemaps below (python/lo_python.c, lua/lo_lua.c); no
 * json_t or jansson pointer is ever visible. A failing call leaves a pending
 * error (per thread) that %exception turns into the language's exception
 * right after it.
 *
 * The Python build sets the module name to "core" (libodoo/core.py +
 * libodoo/_core*.so, under the hand-written package libodoo/__init__.py) and
 * runs SWIG with -threads: calls release the GIL, the glue serialises the
 * calls of one session with the session's lock. The Lua build keeps the name
 * "libodoo" (require "libodoo") and runs SWIG with -nomoduleglobal.
 *
 * Both libraries are wrapped here, libodoo and libodoo-aws (DynamoDB, the
 * DynamoDB sink, the AWS constants); the languages split them into two
 * modules above this one: python/libodoo/aws.py (libodoo.aws) and, in Lua,
 * lo_lua_split_aws() + luaopen_libodoo_aws (require "libodoo.aws").
 */
%module libodoo

%{
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <odoo.h>
#include <odoo/aws.h>
#include "lo_glue.h"
#if defined(SWIGPYTHON)
#include "lo_python.h"
#elif defined(SWIGLUA)
#include "lo_lua.h"
#endif
/* An argument Lua passes to a metamethod that the method does not need. */
typedef int lo_ignored;
/* An argument that only tells whether it was given (not nil). */
typedef int lo_given;
%}

/* ==== typemaps (before the declarations they apply to) ============================== */

#if defined(SWIGPYTHON)

%feature("kwargs");

/* JSON in: Python values (None = the argument's default). */
%typemap(in) json_t * %{
    $1 = lo_py_arg($input);
    if (!$1 && PyErr_Occurred())
        SWIG_fail;
%}
%typemap(freearg) json_t * %{ json_decref($1); %}
/* JSON out: a new reference, converted and released. */
%typemap(out) json_t * %{
    $result = lo_py_result($1);
    json_decref($1);
    if (!$result)
        SWIG_fail;
%}
/* Iterator.cursor(): (write_date or None, id). */
%typemap(in, numinputs=0) (const char **OUT_WRITE_DATE, long long *OUT_ID)
    (const char *wd = NULL, long long id = 0) %{ $1 = ($1_ltype)&wd; $2 = &id; %}
%typemap(argout) (const char **OUT_WRITE_DATE, long long *OUT_ID) %{
    Py_XDECREF($result);
    $result = Py_BuildValue("(zL)", *$1, *$2);
    if (!$result)
        SWIG_fail;
%}
%exception %{
    $action
    if (lo_error_pending()) {
        lo_py_raise_pending();
        SWIG_fail;
    }
%}

#elif defined(SWIGLUA)

/* JSON in: Lua values (nil = the argument's default), held in a box on the
 * Lua stack so that an error raised later in the call cannot leak them. */
%typemap(in) json_t * (lo_lua_box *box = NULL) %{ $1 = lo_lua_arg(L, $input, &box); %}
%typemap(freearg) json_t * %{ lo_lua_box_release(box$argnum); %}
%typemap(out) json_t * %{
    lo_lua_push(L, $1);
    json_decref($1);
    SWIG_arg++;
%}
%typemap(in, numinputs=0) (const char **OUT_WRITE_DATE, long long *OUT_ID)
    (const char *wd = NULL, long long id = 0) %{ $1 = ($1_ltype)&wd; $2 = &id; %}
%typemap(argout) (const char **OUT_WRITE_DATE, long long *OUT_ID) %{
    lua_pushstring(L, *$1);
    lua_pushinteger(L, (lua_Integer)*$2);
    SWIG_arg += 2;
%}
/* Lua 5.4 has integers: counts, ids and codes are integers, not floats. */
%typemap(out) int, long, long long, unsigned int, unsigned long, unsigned long long
    %{ lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++; %}
%typemap(in, checkfn="lua_isnumber") int, long, long long
    %{ $1 = ($1_ltype)luaL_checkinteger(L, $input); %}
%typemap(newfree) char * %{ free($1); %}
%typemap(in) lo_ignored %{ $1 = 0; %}
%typemap(in) lo_given %{ $1 = !lua_isnoneornil(L, $input); %}
%exception %{
    $action
    if (lo_error_pending()) {
        lo_lua_push_pending(L);
        SWIG_fail;
    }
%}

#else
#error "libodoo.i: only Python and Lua are supported"
#endif

/* ==== constants and helpers straight from the public headers ======================= */

%rename("%(strip:[ODOO_])s", %$isenumitem) "";
%rename("%(strip:[ODOO_])s", %$isconstant) "";
%rename("$ignore", %$isfunction, %$not %$ismember) "";
%rename("$ignore", %$isclass) "";
%rename("$ignore", %$isconstant, regexmatch$name="_OPTIONS_VERSION$|_STATS_VERSION$|_OPS_VERSION$") "";
%rename("$ignore", %$isenumitem, regexmatch$name="^ODOO_TRACE_") "";
%rename(version) odoo_version;
%rename(version_num) odoo_version_num;
%rename(strerror) odoo_strerror;
%rename(error_name) odoo_error_name;
%rename(transport_name) odoo_transport_name;

#if defined(SWIGPYTHON)
/* Docstrings (help(), IDEs) of the helpers generated from the headers; the
 * typed signatures are in python/libodoo/__init__.pyi. */
%feature("docstring") odoo_version "version() -> str: the version of the libodoo library that is loaded, e.g. '0.4.0' (libodoo.VERSION is the one the module was built against).";
%feature("docstring") odoo_version_num "version_num() -> int: the loaded library's version as (major << 16) | (minor << 8) | patch.";
%feature("docstring") odoo_strerror "strerror(code) -> str: a short English description of an error code (libodoo.EACCESS, ...).";
%feature("docstring") odoo_error_name "error_name(code) -> str: the C name of an error code, e.g. 'ODOO_EACCESS'.";
%feature("docstring") odoo_transport_name "transport_name(transport) -> str: the name of a transport constant (libodoo.TRANSPORT_JSON2 -> 'json2').";
#endif

%include "odoo/common.h"
%include "odoo/errors.h"
%include "odoo/client.h"
%include "odoo/model.h"
%include "odoo/sink.h"
%include "odoo/aws/credentials.h"
%include "odoo/aws/dynamodb.h"
%include "odoo/aws/secrets.h"

%rename("%s", %$isfunction, %$not %$ismember) "";
%rename("%s", %$isclass) "";

/* ==== the objects ===================================================================== */

%rename(Session) lo_session;
%rename(Iterator) lo_iter;
%rename(Sink) lo_sink;
%rename(DynamoDB) lo_dynamodb;
%nodefaultctor lo_iter;
%nodefaultctor lo_sink;

%newobject lo_session::iterate;
%newobject lo_session::__tostring;
%newobject lo_iter::__tostring;
%newobject lo_sink::__tostring;
%newobject lo_session::changed_since;
%newobject lo_connect;

#if defined(SWIGPYTHON)
%feature("docstring") lo_session "A connection to one Odoo database as one user.

Session(url, database, login, password, **options) or Session(env=True) to read
ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD, ODOO_API_KEY. Options: api_key,
transport ('auto', 'session', 'jsonrpc', 'json2'), connect_timeout_ms, timeout_ms,
verify_peer, verify_host, ca_file, ca_path, proxy, user_agent, cookie_file,
auto_reauth, client_cert, client_key, low_speed_limit, low_speed_time_s,
max_retries, retry_base_ms, retry_max_ms, retry_deadline_ms, max_response_bytes,
allow_insecure_http, context.

No network I/O until the first call (or login()). A context manager: the
client is freed on exit, and on garbage collection otherwise.";
%feature("shadow") lo_session::lo_session %{
def __init__(self, url=None, database=None, login=None, password=None, **options):
    if isinstance(url, dict):
        opts = dict(url)
        opts.update(options)
    else:
        opts = dict(options)
        for key, value in (("url", url), ("database", database), ("login", login),
                           ("password", password)):
            if value is not None:
                opts[key] = value
    _core.Session_swiginit(self, $action(opts))
%}
#endif

#if defined(SWIGPYTHON)
%feature("docstring") lo_session::login "Log in now (raises AuthError, NetworkError, ...). Calls log in by themselves when needed.";
%feature("docstring") lo_session::logout "End the session on the server; the next call logs in again.";
%feature("docstring") lo_session::close "Free the client now (idempotent). Later calls raise InvalidArgument.";
%feature("docstring") lo_session::call_kw "call_kw(model, method, args=None, kwargs=None, context=None) -> the result of any model method.";
%feature("docstring") lo_session::search_read "search_read(model, domain=None, fields, order=None, limit=0, offset=0, context=None) -> list of dicts.\n\nfields is a whitelist: only those fields travel (and id); an unknown name raises InvalidArgument before any data moves.";
%feature("docstring") lo_session::read "read(model, ids, fields, context=None) -> list of dicts (missing ids are dropped). ids: an int or a list.";
%feature("docstring") lo_session::search "search(model, domain=None, order=None, limit=0, offset=0, context=None) -> list of ids.";
%feature("docstring") lo_session::search_count "search_count(model, domain=None, context=None) -> int.";
%feature("docstring") lo_session::write "write(model, ids, values, context=None): the same values on one or many records.";
%feature("docstring") lo_session::create "create(model, values, context=None) -> list of new ids (values: a dict, or a list of dicts in one call).";
%feature("docstring") lo_session::unlink "unlink(model, ids, context=None).";
%feature("docstring") lo_session::fields_get "fields_get(model, attributes=None, context=None) -> {field: {attribute: value}}.";
%feature("docstring") lo_session::fields_check "fields_check(model, fields): raise InvalidArgument naming the first unknown field.";
%feature("docstring") lo_session::create_batch "create_batch(model, records, chunk=0, context=None) -> ids, chunk (default 500) records a call.\n\nOn failure the exception's created_ids lists what was created before it.";
%feature("docstring") lo_session::write_grouped "write_grouped(model, updates, chunk=0, context=None) -> number of write calls.\n\nupdates: [{'id': N, 'values': {...}}]; records with identical values share one write.";
%feature("docstring") lo_session::upsert "upsert(model, key_field, records, chunk=0, context=None, skip_unchanged=False) -> {'created': [ids], 'updated': [ids], 'unchanged': [ids], 'archived': [ids]}. Archived records with the key are matched (and stay archived); skip_unchanged writes only what differs.";
%feature("docstring") lo_session::iterate "iterate(model, domain=None, fields, page_size=0) -> Iterator over every matching record (keyset pagination by id, one page in memory).";
%feature("docstring") lo_session::changed_since "changed_since(model, domain=None, fields, page_size=0, since_write_date=None, since_id=0, overlap=-1) -> Iterator by (write_date, id); see Iterator.cursor(). overlap >= 0: the first page also reads what changed that many seconds before the cursor, its second included (at-least-once; records Odoo stamped behind the cursor are not missed); -1: the strict cursor.";
%feature("docstring") lo_iter::next "The next record, or None at the end.";
%feature("docstring") lo_iter::next_page "The next page (a list), or None at the end.";
%feature("docstring") lo_iter::close "Free the iterator now; it then ends.";
%feature("docstring") lo_iter::cursor "cursor() -> (write_date or None, id): the position after the last record handed out.";
%feature("docstring") lo_sink::put "put(record): store one record (a dict).";
%feature("docstring") lo_sink::flush "Make every record put so far durable.";
%feature("docstring") lo_sink::close "The final flush; a whole-file output appears now (atomically).";
%feature("docstring") lo_sink::abort "Drop the sink without closing it: a whole-file output never appears.";
%feature("docstring") lo_sink::stats "The counters: records, written, skipped, retried, dead_lettered, failed, requests, throttled, unprocessed, bytes, flushes.";
%feature("docstring") lo_dynamodb::call "call(operation, request=None) -> the answer of any DynamoDB operation ('GetItem', ...).";
%feature("docstring") lo_dynamodb::create_table "create_table(table, partition_key, partition_type='N', sort_key=None, sort_type='S', wait_ms=10000): on-demand billing; waits for ACTIVE.";
%feature("docstring") lo_dynamodb::describe_table "describe_table(table) -> the Table object.";
%feature("docstring") lo_dynamodb::scan "scan(table, plain=True) -> every item (plain values, or DynamoDB's typed form).";
%feature("docstring") lo_connect "connect(options) -> a logged-in Session (libodoo.connect() takes keyword arguments).";
/* The classes' docstrings go before their declarations (below), or they do not apply. */
%feature("docstring") lo_iter "An iterator over the records of a model, from Session.iterate() or
Session.changed_since(): one page in memory at a time.

for record in iterator: ... (dicts); next(), next_page() and iter_pages() for
pages; cursor() after a changed_since() run. A context manager: closed on exit.
Not created directly.";
%feature("docstring") lo_sink "Where records go: libodoo.json_sink(path, ...) or
libodoo.aws.dynamodb_sink(table, ...). Not created directly.

put(record), put_all(records), flush(), then close(); stats() counts. A context
manager: closed when the block ends normally, aborted when it raises.";
%feature("docstring") lo_dynamodb "A DynamoDB client (tables and items; the sink has its own).

DynamoDB(region=None, endpoint=None, profile=None, access_key_id=None,
secret_access_key=None, session_token=None, connect_timeout_ms=..., timeout_ms=...,
verify_peer=True, verify_host=True, ca_file=None, ca_path=None, proxy=None,
user_agent=None, max_retries=3). Without keys, the AWS SDKs' default chain.";
%feature("docstring") lo_session::context "The context (a dict) sent with every call; assign a dict to change it.";
%feature("docstring") lo_session::closed "True once close() was called.";
%feature("docstring") lo_session::url "The Odoo URL the session talks to.";
%feature("docstring") lo_session::uid "The user id after login (0 before).";
%feature("docstring") lo_session::server_version "Odoo's version string from the last login, e.g. '18.0' (None before one).";
%feature("docstring") lo_session::server_major "Odoo's major version from the last login, e.g. 18 (0 before one).";
%feature("docstring") lo_session::transport "The transport in use: 'session', 'jsonrpc' or 'json2' ('auto' until the first login or call chose one; None once closed).";
%feature("docstring") lo_session::user_context "The user's context from the last login (a dict; None before one).";
%feature("docstring") lo_session::session_info "The session information of the last login (a dict; None before one).";
%feature("docstring") lo_session::last_http_status "The HTTP status of the last answer (0 when none arrived).";
%feature("docstring") lo_session::retry_count "How many times an exchange was sent again after a retryable failure.";
%feature("docstring") lo_session::reauth_count "How many times the session logged in again after it expired.";
%feature("docstring") lo_session::login_count "How many logins were made.";
%feature("docstring") lo_session::request_count "How many HTTP requests were sent (logins included).";
%feature("docstring") lo_iter::count "How many records were handed out so far.";
%feature("docstring") lo_iter::pages "How many pages were fetched so far.";
%feature("docstring") lo_sink::closed "True once the sink was closed or aborted.";
%feature("docstring") lo_sink::type "The sink's type: 'json' or 'dynamodb' (None after abort()).";
%feature("docstring") lo_dynamodb::endpoint "The endpoint URL in use.";
%feature("docstring") lo_dynamodb::region "The AWS region in use.";
#endif

typedef struct lo_session {} lo_session;
typedef struct lo_iter {} lo_iter;
typedef struct lo_sink {} lo_sink;
typedef struct lo_dynamodb {} lo_dynamodb;

%extend lo_session {
    lo_session(json_t *options = NULL);
    ~lo_session();

    void login();
    void logout();
    void close();

    json_t *call_kw(const char *model, const char *method, json_t *args = NULL,
                    json_t *kwargs = NULL, json_t *context = NULL);
    json_t *search_read(const char *model, json_t *domain = NULL, json_t *fields = NULL,
                        const char *order = NULL, long limit = 0, long offset = 0,
                        json_t *context = NULL);
    json_t *read(const char *model, json_t *ids, json_t *fields = NULL, json_t *context = NULL);
    json_t *search(const char *model, json_t *domain = NULL, const char *order = NULL,
                   long limit = 0, long offset = 0, json_t *context = NULL);
    long long search_count(const char *model, json_t *domain = NULL, json_t *context = NULL);
    void write(const char *model, json_t *ids, json_t *values, json_t *context = NULL);
    json_t *create(const char *model, json_t *values, json_t *context = NULL);
    void unlink(const char *model, json_t *ids, json_t *context = NULL);
    json_t *fields_get(const char *model, json_t *attributes = NULL, json_t *context = NULL);
    void fields_check(const char *model, json_t *fields);

    json_t *create_batch(const char *model, json_t *records, long chunk = 0,
                         json_t *context = NULL);
    unsigned long write_grouped(const char *model, json_t *updates, long chunk = 0,
                                json_t *context = NULL);
    json_t *upsert(const char *model, const char *key_field, json_t *records, long chunk = 0,
                   json_t *context = NULL, bool skip_unchanged = false);

    lo_iter *iterate(const char *model, json_t *domain = NULL, json_t *fields = NULL,
                     long page_size = 0);
    lo_iter *changed_since(const char *model, json_t *domain = NULL, json_t *fields = NULL,
                           long page_size = 0, const char *since_write_date = NULL,
                           long long since_id = 0, long overlap = -1);

    json_t *context;            /* read/write: the context sent with every call */
    %immutable;
    bool closed;
    const char *url;
    int uid;
    const char *server_version;
    int server_major;
    const char *transport;
    json_t *user_context;
    json_t *session_info;
    int last_http_status;
    unsigned long retry_count;
    unsigned long reauth_count;
    unsigned long login_count;
    unsigned long request_count;
    %mutable;

#if defined(SWIGPYTHON)
    %pythoncode %{
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def __repr__(self):
        state = "closed" if self.closed else "transport=%s uid=%d" % (self.transport, self.uid)
        return "<libodoo.Session %s %s>" % (self.url, state)
    %}
#elif defined(SWIGLUA)
    void __close(lo_ignored err = 0);
    char *__tostring();
#endif
}

%extend lo_iter {
    ~lo_iter();
    json_t *next();
    json_t *next_page();
    void close();
    void cursor(const char **OUT_WRITE_DATE, long long *OUT_ID);
    %immutable;
    unsigned long long count;
    unsigned long pages;
    %mutable;

#if defined(SWIGPYTHON)
    %pythoncode %{
    def __iter__(self):
        return self

    def __next__(self):
        record = self.next()
        if record is None:
            raise StopIteration
        return record

    def iter_pages(self):
        """Yield the records page by page (lists), as next_page() hands them out."""
        while True:
            page = self.next_page()
            if page is None:
                return
            yield page

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def __repr__(self):
        return "<libodoo.Iterator count=%d pages=%d>" % (self.count, self.pages)
    %}
#elif defined(SWIGLUA)
    /* for record in iterator do ... end */
    json_t *__call(lo_ignored state = 0, lo_ignored control = 0);
    void __close(lo_ignored err = 0);
    char *__tostring();
#endif
}

#if defined(SWIGPYTHON)
%feature("shadow") lo_sink::put_all %{
def put_all(self, records):
    """Put every record of a list, or of any iterable (an Iterator, a generator)
    one at a time. Returns how many were put."""
    if isinstance(records, (list, tuple)):
        return $action(self, records)
    count = 0
    for record in records:
        self.put(record)
        count += 1
    return count
%}
#endif

%extend lo_sink {
    ~lo_sink();
    void put(json_t *record);
    unsigned long put_all(json_t *records);
    void flush();
    void close();
    void abort();
    json_t *stats();
    %immutable;
    bool closed;
    const char *type;
    %mutable;

#if defined(SWIGPYTHON)
    %pythoncode %{
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def __repr__(self):
        return "<libodoo.Sink %s %s>" % (self.type or "aborted", "closed" if self.closed else "open")
    %}
#elif defined(SWIGLUA)
    /* local sink <close> = ...: closed at the end of the scope, aborted on error */
    void __close(lo_given err = 0);
    char *__tostring();
#endif
}

#if defined(SWIGPYTHON)
%feature("shadow") lo_dynamodb::lo_dynamodb %{
def __init__(self, **options):
    _core.DynamoDB_swiginit(self, $action(options))
%}
#endif

%extend lo_dynamodb {
    lo_dynamodb(json_t *options = NULL);
    ~lo_dynamodb();
    json_t *call(const char *operation, json_t *request = NULL);
    void create_table(const char *table, const char *partition_key,
                      const char *partition_type = "N", const char *sort_key = NULL,
                      const char *sort_type = "S", long wait_ms = 10000);
    json_t *describe_table(const char *table);
    json_t *scan(const char *table, bool plain = true);
    %immutable;
    const char *endpoint;
    const char *region;
    %mutable;
}

%{
/* The Lua metamethods, and the module functions' C names. */
#if defined(SWIGLUA)
static void lo_session___close(lo_session *s, lo_ignored err)
{
    (void)err;
    lo_session_close(s);
}

static json_t *lo_iter___call(lo_iter *it, lo_ignored state, lo_ignored control)
{
    (void)state;
    (void)control;
    return lo_iter_next(it);
}

static void lo_iter___close(lo_iter *it, lo_ignored err)
{
    (void)err;
    lo_iter_close(it);
}

/* __tostring: a new string, freed by the wrapper (%newobject). */
static char *lo_lua_text(const char *fmt, ...)
{
    char *text = malloc(512);
    va_list ap;

    if (text) {
        va_start(ap, fmt);
        vsnprintf(text, 512, fmt, ap);
        va_end(ap);
    }
    return text;
}

static char *lo_session___tostring(lo_session *s)
{
    if (lo_session_closed_get(s))
        return lo_lua_text("libodoo.Session(%s, closed)", lo_session_url_get(s));
    return lo_lua_text("libodoo.Session(%s, transport=%s, uid=%d)", lo_session_url_get(s),
                       lo_session_transport_get(s), lo_session_uid_get(s));
}

static char *lo_iter___tostring(lo_iter *it)
{
    return lo_lua_text("libodoo.Iterator(count=%llu, pages=%lu)", lo_iter_count_get(it),
                       lo_iter_pages_get(it));
}

static char *lo_sink___tostring(lo_sink *k)
{
    const char *type = lo_sink_type_get(k);

    return lo_lua_text("libodoo.Sink(%s, %s)", type ? type : "aborted",
                       lo_sink_closed_get(k) ? "closed" : "open");
}

static void lo_sink___close(lo_sink *k, lo_given err)
{
    if (err)
        lo_sink_abort(k);
    else if (!lo_sink_closed_get(k))
        lo_sink_close(k);
}
#endif

static lo_session *lo_connect(json_t *options)
{
    lo_session *s = new_lo_session(options);

    if (s) {
        lo_session_login(s);
        if (lo_error_pending()) {
            delete_lo_session(s);
            return NULL;
        }
    }
    return s;
}
%}

/* ==== module functions ================================================================ */

%rename(connect) lo_connect;
%rename(json_sink) lo_json_sink_open;
%rename(dynamodb_sink) lo_dynamodb_sink_open;
%rename(error_kind) lo_error_kind;
%rename(_raise_error) lo_raise_error;
%newobject lo_json_sink_open;
%newobject lo_dynamodb_sink_open;
#if defined(SWIGPYTHON)
%feature("docstring") lo_json_sink_open "json_sink(options) -> Sink: a JSON file sink (libodoo.json_sink(path, **options) takes keyword arguments).";
%feature("docstring") lo_dynamodb_sink_open "dynamodb_sink(options) -> Sink: a DynamoDB sink (libodoo.aws.dynamodb_sink(table, **options) takes keyword arguments).";
%feature("docstring") lo_error_kind "error_kind(code) -> str: the name of the exception class of an error code, e.g. 'SessionExpired'.";
%feature("docstring") lo_raise_error "_raise_error(code, message): raise the exception of an error code (tests of the error mapping).";
#endif

/* A new session, logged in (raises the login's error). */
lo_session *lo_connect(json_t *options = NULL);
/* A JSON file sink: path, format ("jsonl" or "array"), append, sort_keys,
 * flush_records, flush_bytes, fsync, file_mode. */
lo_sink *lo_json_sink_open(json_t *options);
/* A DynamoDB sink: table, region, endpoint, credentials, key schema, mode, ... */
lo_sink *lo_dynamodb_sink_open(json_t *options);
/* The class name of an error code, e.g. "AccessError". */
const char *lo_error_kind(int code);
/* Raise the error of a code (for tests of the error mapping). */
void lo_raise_error(int code, const char *message);

#if defined(SWIGLUA)
%init %{
    lo_lua_init(L, lua_gettop(L));
    /* require "libodoo.aws" gets DynamoDB, dynamodb_sink and the AWS constants
     * (lo_lua.c); libodoo keeps them as deprecated aliases. */
    lo_lua_split_aws(L, lua_gettop(L));
    /* SWIG's runtime put swig_type and swig_equals into the global table; a
     * Lua 5.4 module leaves the globals alone (only ours are removed). */
    {
        static const char *const names[] = {"swig_type", "swig_equals"};
        lua_CFunction fns[2];
        int i;

        fns[0] = SWIG_Lua_type;
        fns[1] = SWIG_Lua_class_equal;
        for (i = 0; i < 2; i++) {
            if (lua_getglobal(L, names[i]) == LUA_TFUNCTION && lua_tocfunction(L, -1) == fns[i]) {
                lua_pushnil(L);
                lua_setglobal(L, names[i]);
            }
            lua_pop(L, 1);
        }
    }
%}
#elif defined(SWIGPYTHON)
%init %{
    if (lo_py_init(m) < 0)
        return NULL;
%}
/* The exception classes live in the extension module; the proxy module names them too. */
%pythoncode %{
from ._core import (Error, AuthError, AccessError, ValidationError, MissingError, UserError,
                    NotFoundError, SessionExpired, ServerError, HTTPError, TimeoutError,
                    NetworkError, ProtocolError, InvalidArgument, OutOfMemory, InDoubt,
                    TooBig)
%}
#endif
