// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo-aws - odoo/aws/dynamodb.h: the DynamoDB client, the JSON <-> DynamoDB
 * attribute value mapping, and the DynamoDB sink (batch or conditional writes,
 * retries, dead letters).
 *
 * Part of libodoo-aws (link with `pkg-config --libs libodoo-aws` or CMake's
 * libodoo::odoo_aws); include <odoo/aws.h> for all of it. See docs/aws.md.
 */
#ifndef ODOO_AWS_DYNAMODB_H
#define ODOO_AWS_DYNAMODB_H

#include <stddef.h>

#include <jansson.h>

#include "../common.h"
#include "../errors.h"
#include "../sink.h"
#include "credentials.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== DynamoDB ======================================================================== */

/** A DynamoDB client: opaque; free with odoo_dynamodb_free(). @since 0.2.0 */
typedef struct odoo_dynamodb odoo_dynamodb;

/** Key attribute types (a DynamoDB key is a string or a number). @since 0.2.0 */
typedef enum odoo_dynamodb_type {
    ODOO_DYNAMODB_S = 'S', /**< string */
    ODOO_DYNAMODB_N = 'N'  /**< number */
} odoo_dynamodb_type;

/**
 * Create a DynamoDB client. Does no network I/O. Takes a reference on the
 * global state (odoo_global_init()).
 * @param[out] out on success, the new client (free with odoo_dynamodb_free()).
 *                 On failure, a client that holds the error detail
 *                 (odoo_dynamodb_last_error()) and can only be freed, or NULL
 *                 when that could not be allocated; free it either way.
 * @param opts     options (copied), or NULL for the defaults.
 * @return ODOO_OK; ODOO_EINVAL (no region could be found, a bad endpoint, an
 *         unknown options version); ODOO_ENOMEM; ODOO_ERROR (libcurl).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_new(odoo_dynamodb **out, const odoo_aws_options *opts)
    ODOO_WARN_UNUSED_RESULT;

/**
 * Free a DynamoDB client.
 * @param db the client to free (the caller's, from odoo_dynamodb_new()), or NULL.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_dynamodb_free(odoo_dynamodb *db);

/**
 * Detail of the last failure of a call on this client. The error class is the
 * AWS error type, e.g. "ResourceNotFoundException"; the HTTP status is the
 * answer's. Borrowed: valid until the next call on the client or its free.
 * @param db the client to read (borrowed), or NULL.
 * @return the error detail (borrowed, see above); NULL only for a NULL client.
 * @since 0.2.0
 */
ODOO_EXTERN(const odoo_error *) odoo_dynamodb_last_error(const odoo_dynamodb *db);

/**
 * The endpoint in use, e.g. "https://dynamodb.eu-west-1.amazonaws.com".
 * @param db the client to read (borrowed), or NULL.
 * @return the endpoint (borrowed, valid until odoo_dynamodb_free()), or NULL
 *         for NULL or a client whose odoo_dynamodb_new() failed.
 * @since 0.2.0
 */
ODOO_EXTERN(const char *) odoo_dynamodb_endpoint(const odoo_dynamodb *db);

/**
 * The region in use, e.g. "eu-west-1".
 * @param db the client to read (borrowed), or NULL.
 * @return the region (borrowed, valid until odoo_dynamodb_free()), or NULL
 *         for NULL or a client whose odoo_dynamodb_new() failed.
 * @since 0.2.0
 */
ODOO_EXTERN(const char *) odoo_dynamodb_region(const odoo_dynamodb *db);

/**
 * Call any DynamoDB operation (the JSON protocol, header
 * `X-Amz-Target: DynamoDB_20120810.OPERATION`), signed, with retries of throttling, 5xx and
 * network errors (max_retries).
 * @param db         the client (borrowed for the call).
 * @param[out] out   on success, the answer (new reference; json_decref()); may be NULL.
 * @param operation  e.g. "GetItem", "DeleteTable" ([A-Za-z]+).
 * @param request    the request object. Borrowed.
 * @return ODOO_OK, or: ODOO_EAUTH (UnrecognizedClientException,
 *         InvalidSignatureException, AccessDeniedException, ExpiredToken...,
 *         missing credentials); ODOO_ENOTFOUND (ResourceNotFoundException);
 *         ODOO_EINVAL (ValidationException, SerializationException);
 *         ODOO_EHTTP (throttling, 5xx, other HTTP errors; retryable flag set for
 *         throttling and 5xx); ODOO_ESERVER (other AWS errors, e.g.
 *         ConditionalCheckFailedException, ResourceInUseException);
 *         ODOO_ENETWORK; ODOO_ETIMEOUT; ODOO_EPROTOCOL (an answer that is not
 *         the expected JSON); ODOO_ETOOBIG (an answer past 64 MiB, stopped as
 *         it arrived, not retried; 0.4.0). The error class names the AWS
 *         error type.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_call(odoo_dynamodb *db, json_t **out, const char *operation,
                                    json_t *request);

/**
 * CreateTable with on-demand billing (PAY_PER_REQUEST) and the given key
 * schema, then wait until the table is ACTIVE.
 * @param db         the client (borrowed for the call).
 * @param table      the table's name.
 * @param partition_key  the partition key attribute.
 * @param partition_type its type (ODOO_DYNAMODB_S or ODOO_DYNAMODB_N).
 * @param sort_key   NULL for a table without a sort key (sort_type ignored).
 * @param sort_type  the sort key's type.
 * @param wait_ms    wait at most this long for ACTIVE (DescribeTable polls);
 *                   0 = do not wait.
 * @return ODOO_OK; ODOO_ESERVER with class ResourceInUseException when the
 *         table exists; ODOO_ETIMEOUT when it did not become ACTIVE in time; or
 *         as odoo_dynamodb_call().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_create_table(odoo_dynamodb *db, const char *table,
                                            const char *partition_key,
                                            odoo_dynamodb_type partition_type,
                                            const char *sort_key, odoo_dynamodb_type sort_type,
                                            long wait_ms);

/**
 * DescribeTable.
 * @param db      the client (borrowed for the call).
 * @param[out] out new reference: the "Table" object of the answer (free
 *                with json_decref()).
 * @param table   the table's name.
 * @return as odoo_dynamodb_call(); ODOO_ENOTFOUND for a missing table.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_describe_table(odoo_dynamodb *db, json_t **out,
                                              const char *table);

/**
 * Scan a whole table (every page, following LastEvaluatedKey).
 * @param db      the client (borrowed for the call).
 * @param[out] out new reference: a JSON array of the items, in DynamoDB's
 *                 typed form ({"id": {"N": "7"}, ...}) when @p plain is 0, or
 *                 converted to plain JSON (odoo_dynamodb_item_to_json()) when 1;
 *                 free with json_decref().
 * @param table    the table's name.
 * @param plain    0 for the typed form, 1 for plain JSON.
 * @return as odoo_dynamodb_call().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_scan(odoo_dynamodb *db, json_t **out, const char *table,
                                    int plain);

/* ---- the mapping ---------------------------------------------------------------------- */

/**
 * Map a JSON value onto a DynamoDB attribute value:
 * string -> {"S": s}; integer -> {"N": "123"} (exact); real -> {"N": "0.1"}
 * (its shortest exact decimal form, never an exponent); true/false ->
 * {"BOOL": b}; null -> {"NULL": true}; object -> {"M": {...}};
 * array -> {"L": [...]}. See docs/sinks.md.
 * @param[out] out new reference (free with json_decref()).
 * @param value    borrowed.
 * @return ODOO_OK; ODOO_EINVAL for NULL arguments or a real outside DynamoDB's
 *         number range (1e-130 to 1e126 in magnitude); ODOO_ENOMEM.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_attr_from_json(json_t **out, const json_t *value);

/**
 * The reverse: S -> string, N -> integer when it is one that fits json_int_t,
 * otherwise real; BOOL, NULL, M, L; SS/NS -> arrays of strings/numbers;
 * B/BS -> the base64 text(s).
 * @param[out] out new reference (free with json_decref()).
 * @param attr     borrowed.
 * @return ODOO_OK; ODOO_EINVAL for something that is not an attribute value;
 *         ODOO_ENOMEM.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_attr_to_json(json_t **out, const json_t *attr);

/**
 * Map a record (a JSON object) onto an item: each member becomes an attribute
 * mapped by odoo_dynamodb_attr_from_json().
 * @param[out] out new reference (a JSON object of attribute values; free
 *                with json_decref()).
 * @param record   borrowed.
 * @return as odoo_dynamodb_attr_from_json(); ODOO_EINVAL when record is not an object.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_item_from_json(json_t **out, const json_t *record);

/**
 * The reverse of odoo_dynamodb_item_from_json().
 * @param[out] out new reference (a plain JSON object; free with json_decref()).
 * @param item     borrowed.
 * @return as odoo_dynamodb_attr_to_json(); ODOO_EINVAL when item is not an object.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_item_to_json(json_t **out, const json_t *item);

/**
 * The size DynamoDB counts for an item (attribute names plus values, by
 * DynamoDB's rules), in bytes; items over 400 KB (409600 bytes) are refused.
 * @param item borrowed.
 * @return the size, or 0 for NULL / a malformed item.
 * @since 0.2.0
 */
ODOO_EXTERN(size_t) odoo_dynamodb_item_size(const json_t *item);

/** DynamoDB's item size limit in bytes (400 KB). */
#define ODOO_DYNAMODB_MAX_ITEM_SIZE 409600

/* ---- the DynamoDB sink -------------------------------------------------------------- */

/** How the DynamoDB sink writes. @since 0.2.0 */
typedef enum odoo_dynamodb_write_mode {
    /** BatchWriteItem, 25 items a request, several requests in flight;
     *  UnprocessedItems are re-sent. The last put of a key wins. */
    ODOO_DYNAMODB_BATCH = 0,
    /** PutItem with a condition on a version attribute (e.g. write_date): an
     *  item is written only when it is new or newer than the stored one, so an
     *  older version never overwrites a newer one and a replayed sync changes
     *  nothing. A refused older item counts as skipped. */
    ODOO_DYNAMODB_CONDITIONAL = 1
} odoo_dynamodb_write_mode;

/** The layout version of odoo_dynamodb_sink_options this header describes. */
#define ODOO_DYNAMODB_SINK_OPTIONS_VERSION 1
/** Default number of requests in flight at once (was 4; 16 writes faster, see
 *  docs/sinks.md "Performance"). */
#define ODOO_DYNAMODB_DEFAULT_CONCURRENCY 16
/** Default re-sends of an item after retryable failures before it is dead-lettered. */
#define ODOO_DYNAMODB_DEFAULT_MAX_RETRIES 10

/**
 * Options of the DynamoDB sink. Initialise with
 * ODOO_DYNAMODB_SINK_OPTIONS_INIT or odoo_dynamodb_sink_options_init().
 * Strings and lists are copied by odoo_dynamodb_sink_open().
 * @since 0.2.0
 */
typedef struct odoo_dynamodb_sink_options {
    unsigned int version;           /**< ODOO_DYNAMODB_SINK_OPTIONS_VERSION */
    const char *table;              /**< the table (required) */
    const char *partition_key;      /**< the partition key attribute (after the
                                         attribute mapping); NULL = ask DynamoDB
                                         (DescribeTable) at open */
    odoo_dynamodb_type partition_type; /**< its type; default ODOO_DYNAMODB_N
                                         (Odoo ids). A record value of the other
                                         scalar type is converted ("7" <-> 7). */
    const char *sort_key;           /**< the sort key attribute, or NULL for none */
    odoo_dynamodb_type sort_type;   /**< its type; default ODOO_DYNAMODB_S */
    const char *const *attributes;  /**< the attribute mapping: a NULL-terminated
                                         list of "field" or "field=Attribute"
                                         entries; only the listed record fields are
                                         stored, renamed where "=Attribute" is given.
                                         NULL (default) = every field, same name. */
    odoo_dynamodb_write_mode mode;  /**< default ODOO_DYNAMODB_BATCH */
    const char *version_attribute;  /**< ODOO_DYNAMODB_CONDITIONAL: the attribute that
                                         orders versions; default "write_date" (Odoo's
                                         "YYYY-MM-DD HH:MM:SS" compares as a string) */
    const char *dead_letter_path;   /**< JSON Lines file (appended, fsync'ed) that
                                         receives the items that cannot be written,
                                         with the reason; NULL = none (such items
                                         count as failed and flush returns an error) */
    int concurrency;                /**< requests in flight at once; default 16 (1..64) */
    int batch_size;                 /**< items per BatchWriteItem; default and
                                         maximum 25 */
    int max_retries;                /**< re-sends of an item after retryable failures
                                         before it is dead-lettered; default 10 */
    long retry_base_ms;             /**< back-off: a random delay up to
                                         min(retry_max_ms, retry_base_ms * 2^attempt)
                                         ("full jitter"); default 50 ms */
    long retry_max_ms;              /**< default 5000 ms */
    long max_pending;               /**< put() blocks while more records than this
                                         are queued or in flight; default 1000 */
} odoo_dynamodb_sink_options;

/** Static initialiser with the defaults. */
#define ODOO_DYNAMODB_SINK_OPTIONS_INIT                                           \
    { ODOO_DYNAMODB_SINK_OPTIONS_VERSION, NULL, NULL, ODOO_DYNAMODB_N, NULL,      \
      ODOO_DYNAMODB_S, NULL, ODOO_DYNAMODB_BATCH, "write_date", NULL,             \
      ODOO_DYNAMODB_DEFAULT_CONCURRENCY, 25, ODOO_DYNAMODB_DEFAULT_MAX_RETRIES,   \
      50L, 5000L, 1000L }

/**
 * Fill *opts with the defaults (the same as ODOO_DYNAMODB_SINK_OPTIONS_INIT).
 * @param opts    the caller's struct (caller-owned).
 * @param version ODOO_DYNAMODB_SINK_OPTIONS_VERSION.
 * @return ODOO_OK, or ODOO_EINVAL when opts is NULL or version unknown.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_sink_options_init(odoo_dynamodb_sink_options *opts,
                                                 unsigned int version);

/**
 * Open a DynamoDB sink (type "dynamodb") writing to a table through @p db's
 * endpoint, region and credentials. The sink copies what it needs: @p db is
 * borrowed for the duration of this call only and may be freed afterwards.
 *
 * put() maps the record (attribute mapping, then odoo_dynamodb_attr_from_json()),
 * checks its key and size, and queues it; full batches are sent at once,
 * concurrently, while the caller goes on putting. Records with the same key
 * are written in put order. Retryable failures (ProvisionedThroughputExceeded,
 * ThrottlingException, RequestLimitExceeded, 5xx, network errors, timeouts,
 * UnprocessedItems) are re-sent after a back-off; non-retryable ones
 * (ValidationException, access denied, ResourceNotFoundException, an item over
 * 400 KB, a record without its key) and items out of retries go to the
 * dead-letter file with the reason. See docs/sinks.md.
 *
 * @param[out] out on success, the new sink (free with odoo_sink_free()). On
 *                 failure, a closed sink holding the error detail, or NULL;
 *                 free it with odoo_sink_free() either way. The sink takes its
 *                 own reference on @p db's credentials: @p db may be freed
 *                 once this returns.
 * @param db       the DynamoDB client (borrowed for this call only).
 * @param opts     options (copied); table is required.
 * @return ODOO_OK; ODOO_EINVAL for bad options; the DescribeTable error when
 *         the key schema had to be looked up; ODOO_ENOMEM; ODOO_ERROR.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_sink_open(odoo_sink **out, odoo_dynamodb *db,
                                         const odoo_dynamodb_sink_options *opts)
    ODOO_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif
#endif /* ODOO_AWS_DYNAMODB_H */
