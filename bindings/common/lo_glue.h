// SPDX-License-Identifier: MIT
/*
 * libodoo bindings - lo_glue.h: the language-independent layer under the
 * SWIG-generated Python and Lua modules.
 *
 * SWIG wraps these functions (see ../libodoo.i); each language adds only the
 * conversion of JSON values to and from its own values and the raising of
 * errors (../python/lo_python.c, ../lua/lo_lua.c).
 *
 * Errors: a function that fails records the failure as the calling thread's
 * pending error (lo_error_pending()) and returns NULL / 0. The wrapper checks
 * for it right after every call (libodoo.i's %exception), turns it into the
 * language's exception and clears it. JSON arguments are borrowed; JSON
 * results are new references, which the wrapper converts and releases.
 */
#ifndef LO_GLUE_H
#define LO_GLUE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <odoo.h>
#include <odoo/aws.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the pending error ----------------------------------------------------------- */

/** A copy of an error's detail, owned by whoever holds it. */
typedef struct lo_error {
    int code;          /**< odoo_error_code; ODOO_OK when there is no error */
    int http_status;   /**< 0 when no answer arrived */
    int rpc_code;      /**< -1 when absent */
    int retryable;
    char *message;     /**< never NULL while code != ODOO_OK */
    char *odoo_class;  /**< "" when the failure did not come from Odoo */
    char *debug;       /**< the server's traceback, or "" */
    json_t *created_ids; /**< create_batch: the ids created before the failure, or NULL */
} lo_error;

/** Whether the calling thread has a pending error. */
int lo_error_pending(void);

/**
 * Move the pending error into *out (which the caller releases with
 * lo_error_dispose()) and clear it. *out's code is ODOO_OK when none was pending.
 */
void lo_error_take(lo_error *out);

/** Release the strings and JSON of an lo_error taken with lo_error_take(). */
void lo_error_dispose(lo_error *err);

/** Record a pending error with a message built by the bindings. */
void lo_error_set(int code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Record a pending error from libodoo's detail (@p err may be NULL). */
void lo_error_set_from(int code, const odoo_error *err);

/** The class name the bindings use for a code, e.g. "AccessError" (static). */
const char *lo_error_kind(int code);

/* ---- sessions ------------------------------------------------------------------- */

/**
 * A session: an odoo_client shared by the session object and the iterators
 * made from it. close() frees the client at once; the holder itself goes when
 * the session object and every iterator of it are gone.
 */
typedef struct lo_session lo_session;

/**
 * Create a session from an options object: url, database (db), login (user),
 * password, api_key, transport ("auto", "session", "jsonrpc", "json2"),
 * connect_timeout_ms, timeout_ms, verify_peer, verify_host, ca_file, ca_path,
 * proxy, user_agent, cookie_file, auto_reauth, client_cert, client_key,
 * low_speed_limit, low_speed_time_s, max_retries, retry_base_ms,
 * retry_max_ms, retry_deadline_ms, max_response_bytes, allow_insecure_http,
 * context. With "env": true, url, database, login, password and
 * api_key not given are read from ODOO_URL, ODOO_DB, ODOO_USER (or
 * ODOO_EMAIL), ODOO_PASSWORD and ODOO_API_KEY.
 * Unknown keys and values of the wrong type are refused (ODOO_EINVAL).
 * The copies of secrets in @p options are wiped before returning.
 */
lo_session *new_lo_session(json_t *options);

/** Drop the caller's reference (the binding object's). */
void delete_lo_session(lo_session *s);

/** Free the client now (idempotent); later calls fail with "session is closed". */
void lo_session_close(lo_session *s);
bool lo_session_closed_get(lo_session *s);

void lo_session_login(lo_session *s);
void lo_session_logout(lo_session *s);

json_t *lo_session_call_kw(lo_session *s, const char *model, const char *method,
                           json_t *args, json_t *kwargs, json_t *context);
json_t *lo_session_search_read(lo_session *s, const char *model, json_t *domain,
                               json_t *fields, const char *order, long limit, long offset,
                               json_t *context);
json_t *lo_session_read(lo_session *s, const char *model, json_t *ids, json_t *fields,
                        json_t *context);
json_t *lo_session_search(lo_session *s, const char *model, json_t *domain,
                          const char *order, long limit, long offset, json_t *context);
long long lo_session_search_count(lo_session *s, const char *model, json_t *domain,
                                  json_t *context);
void lo_session_write(lo_session *s, const char *model, json_t *ids, json_t *values,
                      json_t *context);
json_t *lo_session_create(lo_session *s, const char *model, json_t *values, json_t *context);
void lo_session_unlink(lo_session *s, const char *model, json_t *ids, json_t *context);
json_t *lo_session_fields_get(lo_session *s, const char *model, json_t *attributes,
                              json_t *context);
void lo_session_fields_check(lo_session *s, const char *model, json_t *fields);
json_t *lo_session_create_batch(lo_session *s, const char *model, json_t *records,
                                long chunk, json_t *context);
unsigned long lo_session_write_grouped(lo_session *s, const char *model, json_t *updates,
                                       long chunk, json_t *context);
json_t *lo_session_upsert(lo_session *s, const char *model, const char *key_field,
                          json_t *records, long chunk, json_t *context, bool skip_unchanged);

void lo_session_context_set(lo_session *s, json_t *context);
json_t *lo_session_context_get(lo_session *s);
json_t *lo_session_user_context_get(lo_session *s);
json_t *lo_session_session_info_get(lo_session *s);
int lo_session_uid_get(lo_session *s);
const char *lo_session_server_version_get(lo_session *s);
int lo_session_server_major_get(lo_session *s);
const char *lo_session_transport_get(lo_session *s);
int lo_session_last_http_status_get(lo_session *s);
unsigned long lo_session_retry_count_get(lo_session *s);
unsigned long lo_session_reauth_count_get(lo_session *s);
unsigned long lo_session_login_count_get(lo_session *s);
unsigned long lo_session_request_count_get(lo_session *s);
const char *lo_session_url_get(lo_session *s);

/* ---- iterators ------------------------------------------------------------------ */

typedef struct lo_iter lo_iter;

/** Keyset iteration (odoo_iter_new()). */
lo_iter *lo_session_iterate(lo_session *s, const char *model, json_t *domain, json_t *fields,
                            long page_size);
/** Incremental iteration by (write_date, id) (odoo_iter_changed_since());
 * overlap >= 0: odoo_iter_set_overlap(overlap) (-1: the strict cursor). */
lo_iter *lo_session_changed_since(lo_session *s, const char *model, json_t *domain,
                                  json_t *fields, long page_size, const char *since_write_date,
                                  long long since_id, long overlap);
void delete_lo_iter(lo_iter *it);
/** Free the C iterator now (idempotent); next() then ends. */
void lo_iter_close(lo_iter *it);
/** The next record (new reference), or NULL at the end or on error (pending). */
json_t *lo_iter_next(lo_iter *it);
/** The next page (new reference, non-empty array), or NULL at the end or on error. */
json_t *lo_iter_next_page(lo_iter *it);
/** The cursor: *write_date borrowed (NULL before any record / for id iterators). */
void lo_iter_cursor(lo_iter *it, const char **write_date, long long *id);
unsigned long long lo_iter_count_get(lo_iter *it);
unsigned long lo_iter_pages_get(lo_iter *it);

/* ---- sinks ---------------------------------------------------------------------- */

typedef struct lo_sink lo_sink;

/**
 * Open a JSON file sink. Options: path (required), format ("jsonl"/"lines" or
 * "array"), append, sort_keys, flush_records, flush_bytes, fsync, file_mode.
 */
lo_sink *lo_json_sink_open(json_t *options);
/**
 * Open a DynamoDB sink. Options: table (required), region, endpoint, profile,
 * access_key_id, secret_access_key, session_token, partition_key,
 * partition_type ("N"/"S"), sort_key, sort_type, attributes (list of
 * "field" / "field=Attribute"), mode ("batch"/"conditional"),
 * version_attribute, dead_letter_path, concurrency, batch_size,
 * max_retries, retry_base_ms, retry_max_ms, max_pending, timeout_ms,
 * connect_timeout_ms.
 */
lo_sink *lo_dynamodb_sink_open(json_t *options);
void delete_lo_sink(lo_sink *k);
void lo_sink_put(lo_sink *k, json_t *record);
/** Put every record of an array; returns how many were put. */
unsigned long lo_sink_put_all(lo_sink *k, json_t *records);
void lo_sink_flush(lo_sink *k);
void lo_sink_close(lo_sink *k);
/** Free the sink without closing it (a whole-file output never appears). */
void lo_sink_abort(lo_sink *k);
bool lo_sink_closed_get(lo_sink *k);
const char *lo_sink_type_get(lo_sink *k);
json_t *lo_sink_stats(lo_sink *k);

/* ---- a DynamoDB client ----------------------------------------------------------- */

typedef struct lo_dynamodb lo_dynamodb;

/** A DynamoDB client: the AWS options of lo_dynamodb_sink_open() (region,
 * endpoint, profile, credentials, timeouts, TLS, proxy). */
lo_dynamodb *new_lo_dynamodb(json_t *options);
void delete_lo_dynamodb(lo_dynamodb *d);
/** Any operation ("GetItem", ...): the answer (new reference). */
json_t *lo_dynamodb_call(lo_dynamodb *d, const char *operation, json_t *request);
/** CreateTable (on-demand) and wait up to @p wait_ms for ACTIVE. Types "N" or "S". */
void lo_dynamodb_create_table(lo_dynamodb *d, const char *table, const char *partition_key,
                              const char *partition_type, const char *sort_key,
                              const char *sort_type, long wait_ms);
json_t *lo_dynamodb_describe_table(lo_dynamodb *d, const char *table);
/** Every item of a table, as plain JSON when @p plain. */
json_t *lo_dynamodb_scan(lo_dynamodb *d, const char *table, bool plain);
const char *lo_dynamodb_endpoint_get(lo_dynamodb *d);
const char *lo_dynamodb_region_get(lo_dynamodb *d);

/* ---- module level --------------------------------------------------------------- */

/** Record a pending error of @p code with @p message (tests of the error mapping). */
void lo_raise_error(int code, const char *message);

#ifdef __cplusplus
}
#endif
#endif /* LO_GLUE_H */
