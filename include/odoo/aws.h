/*
 * libodoo - aws.h: Amazon Web Services for the sinks and for configuration.
 *
 *  - AWS credentials: static keys, or the AWS SDKs' default chain
 *    (environment, shared credentials/config files with profiles, the
 *    container/Lambda credentials endpoint), refreshed before they expire.
 *  - A DynamoDB client (any operation, CreateTable, DescribeTable, Scan), the
 *    JSON <-> DynamoDB attribute value mapping, and the DynamoDB sink
 *    (batch or conditional writes, retries, dead letters).
 *  - Secrets Manager: GetSecretValue, and a secret holding ODOO_URL, ODOO_DB,
 *    ODOO_EMAIL/ODOO_USER, ODOO_PASSWORD/ODOO_API_KEY read into session
 *    options that fill an odoo_client_options.
 *
 * Requests are signed with AWS Signature Version 4 (HMAC-SHA256, OpenSSL).
 * Endpoints and regions follow the AWS SDKs' standard settings
 * (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, ...), so a local
 * server needs no code change. See docs/aws.md and docs/sinks.md.
 *
 * Secrets (secret access keys, session tokens, Odoo passwords and API keys)
 * are wiped from memory when freed and never appear in an error message.
 *
 * Threading: every handle is used by one thread at a time, except an
 * odoo_aws_credentials, which may be shared by handles used from several
 * threads (it locks itself).
 */
#ifndef ODOO_AWS_H
#define ODOO_AWS_H

#include <stddef.h>

#include <jansson.h>

#include "client.h"
#include "common.h"
#include "errors.h"
#include "sink.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== credentials ==================================================================== */

/**
 * A source of AWS credentials: opaque, thread-safe, reference-counted
 * internally. Free your reference with odoo_aws_credentials_free(); clients
 * and sinks created with it keep their own.
 * @since 0.2.0
 */
typedef struct odoo_aws_credentials odoo_aws_credentials;

/** The layout version of odoo_aws_credentials_options this header describes. */
#define ODOO_AWS_CREDENTIALS_OPTIONS_VERSION 1
/** Default: refresh expiring credentials this many seconds before they expire. */
#define ODOO_AWS_DEFAULT_REFRESH_MARGIN_S 300L

/**
 * Options of a credentials source. Initialise with
 * ODOO_AWS_CREDENTIALS_OPTIONS_INIT or odoo_aws_credentials_options_init().
 * Strings are copied by odoo_aws_credentials_new().
 * @since 0.2.0
 */
typedef struct odoo_aws_credentials_options {
    unsigned int version;              /**< ODOO_AWS_CREDENTIALS_OPTIONS_VERSION */
    const char *access_key_id;         /**< static credentials: when set (with
                                            secret_access_key), no chain is used */
    const char *secret_access_key;     /**< static secret key (secret) */
    const char *session_token;         /**< static session token (secret), or NULL */
    const char *profile;               /**< profile of the shared files; NULL =
                                            AWS_PROFILE, then "default". Naming a
                                            profile here skips the environment
                                            step of the chain, as the SDKs do. */
    const char *shared_credentials_file; /**< NULL = AWS_SHARED_CREDENTIALS_FILE,
                                            then ~/.aws/credentials */
    const char *config_file;           /**< NULL = AWS_CONFIG_FILE, then ~/.aws/config */
    int use_environment;               /**< chain step 1 (AWS_ACCESS_KEY_ID, ...); default 1 */
    int use_shared_files;              /**< chain step 2 (profiles); default 1 */
    int use_container;                 /**< chain step 3 (AWS_CONTAINER_CREDENTIALS_*
                                            endpoint); default 1 */
    long connect_timeout_ms;           /**< container endpoint; default 1000 ms */
    long timeout_ms;                   /**< container endpoint; default 5000 ms */
    long refresh_margin_s;             /**< refresh credentials that expire within
                                            this many seconds; default 300 */
} odoo_aws_credentials_options;

/** Static initialiser with the defaults. */
#define ODOO_AWS_CREDENTIALS_OPTIONS_INIT                                       \
    { ODOO_AWS_CREDENTIALS_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, \
      1, 1, 1, 1000L, 5000L, ODOO_AWS_DEFAULT_REFRESH_MARGIN_S }

/**
 * Fill *opts with the defaults (the same as ODOO_AWS_CREDENTIALS_OPTIONS_INIT).
 * @return ODOO_OK, or ODOO_EINVAL when opts is NULL or version unknown.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_options_init(odoo_aws_credentials_options *opts,
                                                   unsigned int version);

/**
 * Create a credentials source. Does no I/O: the chain is walked on the first
 * use (odoo_aws_credentials_resolve() or a request).
 * @param[out] out on success, the new source (free with odoo_aws_credentials_free()).
 * @param opts     options (copied), or NULL for the default chain.
 * @return ODOO_OK; ODOO_EINVAL (unknown version, an access key without its
 *         secret or the reverse); ODOO_ENOMEM.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_new(odoo_aws_credentials **out,
                                          const odoo_aws_credentials_options *opts)
    ODOO_WARN_UNUSED_RESULT;

/**
 * Release the caller's reference; the secrets are wiped when the last holder
 * lets go. Accepts NULL.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_aws_credentials_free(odoo_aws_credentials *creds);

/**
 * Resolve the credentials now (walk the chain) when they were never resolved
 * or expire within the refresh margin; otherwise do nothing. A failed refresh
 * of credentials that have not expired yet keeps them and returns ODOO_OK.
 * @return ODOO_OK; ODOO_EAUTH when no step of the chain has credentials, or the
 *         container endpoint refused; ODOO_EINVAL for a broken configuration
 *         (partial keys, a named profile that does not exist, a container
 *         endpoint that is not allowed); ODOO_ENETWORK / ODOO_ETIMEOUT /
 *         ODOO_EPROTOCOL from the container endpoint. Detail:
 *         odoo_aws_credentials_last_error().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_resolve(odoo_aws_credentials *creds);

/**
 * Where the current credentials came from: "static", "environment",
 * "profile:<name>" (shared credentials or config file), "container"; "" before
 * they were resolved. Copied into @p buf (NUL-terminated, cut to bufsz - 1).
 * @return ODOO_OK, or ODOO_EINVAL for NULL arguments.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_source(odoo_aws_credentials *creds, char *buf,
                                             size_t bufsz);

/**
 * The access key id in use (not a secret; "" before resolution). Copied into
 * @p buf, cut to bufsz - 1.
 * @return ODOO_OK, or ODOO_EINVAL for NULL arguments.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_access_key_id(odoo_aws_credentials *creds, char *buf,
                                                    size_t bufsz);

/** When the current credentials expire (Unix time), or 0 when they do not. @since 0.2.0 */
ODOO_EXTERN(long long) odoo_aws_credentials_expiration(odoo_aws_credentials *creds);

/** How many times the credentials were fetched (first resolution and refreshes). @since 0.2.0 */
ODOO_EXTERN(unsigned long) odoo_aws_credentials_fetch_count(odoo_aws_credentials *creds);

/**
 * Detail of the last failure of odoo_aws_credentials_resolve(): the message
 * is copied into @p buf (NUL-terminated, cut to bufsz - 1; @p buf may be NULL).
 * Failures while a client resolves the credentials for a request are reported
 * on that client (its last error) as well.
 * @return the last failure's code (ODOO_OK when the last resolve succeeded).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_last_error(odoo_aws_credentials *creds, char *buf,
                                                 size_t bufsz);

/* ==== client options shared by the AWS clients ======================================= */

/** The layout version of odoo_aws_options this header describes. */
#define ODOO_AWS_OPTIONS_VERSION 1
/** Default connect timeout of AWS requests (milliseconds). */
#define ODOO_AWS_DEFAULT_CONNECT_TIMEOUT_MS 5000L
/** Default timeout of one AWS request (milliseconds). */
#define ODOO_AWS_DEFAULT_TIMEOUT_MS 30000L
/** Default number of retries of one AWS call (throttling, 5xx, network). */
#define ODOO_AWS_DEFAULT_MAX_RETRIES 3

/**
 * Options of an AWS client (odoo_dynamodb_new(), odoo_aws_secrets_new()).
 * Initialise with ODOO_AWS_OPTIONS_INIT or odoo_aws_options_init(). Strings
 * are copied.
 *
 * Region: @p region, else AWS_REGION, else AWS_DEFAULT_REGION, else the
 * profile's "region" in the config file. Endpoint: @p endpoint, else
 * AWS_ENDPOINT_URL_<SERVICE> (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SECRETS_MANAGER), else AWS_ENDPOINT_URL, else the
 * service's public endpoint for the region
 * (https://dynamodb.<region>.amazonaws.com). AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
 * makes the client ignore the two environment variables.
 * @since 0.2.0
 */
typedef struct odoo_aws_options {
    unsigned int version;         /**< ODOO_AWS_OPTIONS_VERSION */
    const char *region;           /**< e.g. "eu-west-1"; NULL = from the environment */
    const char *endpoint;         /**< e.g. "http://127.0.0.1:8000"; NULL = from the
                                       environment or the region. No path, query or
                                       user:password@ part. */
    odoo_aws_credentials *credentials; /**< NULL = a default chain of the client's
                                       own (with @p profile); otherwise the client
                                       takes a reference */
    const char *profile;          /**< profile for the region lookup and the default
                                       chain; NULL = AWS_PROFILE, then "default" */
    long connect_timeout_ms;      /**< default 5 s */
    long timeout_ms;              /**< one request; default 30 s; 0 = none */
    int verify_peer;              /**< verify the TLS certificate; default 1 */
    int verify_host;              /**< verify the certificate's host name; default 1 */
    const char *ca_file;          /**< PEM bundle of trusted CAs; NULL = system default */
    const char *ca_path;          /**< directory of trusted CAs; NULL = system default */
    const char *proxy;            /**< proxy URL (secret: may carry credentials);
                                       NULL = libcurl's default (the environment);
                                       "" = none */
    const char *user_agent;       /**< NULL = "libodoo/<version>" */
    int max_retries;              /**< retries of a single call (throttling, 5xx,
                                       network); default 3 */
    long retry_base_ms;           /**< first back-off delay; default 50 ms */
    long retry_max_ms;            /**< back-off cap; default 5 s */
} odoo_aws_options;

/** Static initialiser with the defaults. */
#define ODOO_AWS_OPTIONS_INIT                                                       \
    { ODOO_AWS_OPTIONS_VERSION, NULL, NULL, NULL, NULL,                             \
      ODOO_AWS_DEFAULT_CONNECT_TIMEOUT_MS, ODOO_AWS_DEFAULT_TIMEOUT_MS, 1, 1,       \
      NULL, NULL, NULL, NULL, ODOO_AWS_DEFAULT_MAX_RETRIES, 50L, 5000L }

/**
 * Fill *opts with the defaults (the same as ODOO_AWS_OPTIONS_INIT).
 * @return ODOO_OK, or ODOO_EINVAL when opts is NULL or version unknown.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_options_init(odoo_aws_options *opts, unsigned int version);

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

/** Free a client (accepts NULL). @since 0.2.0 */
ODOO_EXTERN(void) odoo_dynamodb_free(odoo_dynamodb *db);

/**
 * Detail of the last failure of a call on this client. The error class is the
 * AWS error type, e.g. "ResourceNotFoundException"; the HTTP status is the
 * answer's. Borrowed: valid until the next call on the client or its free.
 * @since 0.2.0
 */
ODOO_EXTERN(const odoo_error *) odoo_dynamodb_last_error(const odoo_dynamodb *db);

/** The endpoint in use (borrowed, valid until odoo_dynamodb_free()). @since 0.2.0 */
ODOO_EXTERN(const char *) odoo_dynamodb_endpoint(const odoo_dynamodb *db);

/** The region in use (borrowed, valid until odoo_dynamodb_free()). @since 0.2.0 */
ODOO_EXTERN(const char *) odoo_dynamodb_region(const odoo_dynamodb *db);

/**
 * Call any DynamoDB operation (the JSON protocol, X-Amz-Target
 * DynamoDB_20120810.<operation>), signed, with retries of throttling, 5xx and
 * network errors (max_retries).
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
 *         the expected JSON). The error class names the AWS error type.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_call(odoo_dynamodb *db, json_t **out, const char *operation,
                                    json_t *request);

/**
 * CreateTable with on-demand billing (PAY_PER_REQUEST) and the given key
 * schema, then wait until the table is ACTIVE.
 * @param sort_key   NULL for a table without a sort key (sort_type ignored).
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
 * @param[out] out new reference: the "Table" object of the answer.
 * @return as odoo_dynamodb_call(); ODOO_ENOTFOUND for a missing table.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_describe_table(odoo_dynamodb *db, json_t **out,
                                              const char *table);

/**
 * Scan a whole table (every page, following LastEvaluatedKey).
 * @param[out] out new reference: a JSON array of the items, in DynamoDB's
 *                 typed form ({"id": {"N": "7"}, ...}) when @p plain is 0, or
 *                 converted to plain JSON (odoo_dynamodb_item_to_json()) when 1.
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
 * @param[out] out new reference.
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
 * @param[out] out new reference.
 * @return ODOO_OK; ODOO_EINVAL for something that is not an attribute value;
 *         ODOO_ENOMEM.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_attr_to_json(json_t **out, const json_t *attr);

/**
 * Map a record (a JSON object) onto an item: each member becomes an attribute
 * mapped by odoo_dynamodb_attr_from_json().
 * @param[out] out new reference (a JSON object of attribute values).
 * @return as odoo_dynamodb_attr_from_json(); ODOO_EINVAL when record is not an object.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_item_from_json(json_t **out, const json_t *record);

/** The reverse of odoo_dynamodb_item_from_json(). @since 0.2.0 */
ODOO_EXTERN(int) odoo_dynamodb_item_to_json(json_t **out, const json_t *item);

/**
 * The size DynamoDB counts for an item (attribute names plus values, by
 * DynamoDB's rules), in bytes; items over 400 KB (409600 bytes) are refused.
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
 *                 free it with odoo_sink_free() either way.
 * @return ODOO_OK; ODOO_EINVAL for bad options; the DescribeTable error when
 *         the key schema had to be looked up; ODOO_ENOMEM; ODOO_ERROR.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_dynamodb_sink_open(odoo_sink **out, odoo_dynamodb *db,
                                         const odoo_dynamodb_sink_options *opts)
    ODOO_WARN_UNUSED_RESULT;

/* ==== Secrets Manager and session options ================================================ */

/**
 * Odoo connection settings read from a secret: owns its strings (the password
 * and API key are wiped on free). Opaque; free with odoo_session_options_free().
 * @since 0.2.0
 */
typedef struct odoo_session_options odoo_session_options;

/**
 * Create empty session options.
 * @param[out] out the new object (free with odoo_session_options_free()).
 * @return ODOO_OK, ODOO_EINVAL (NULL out), ODOO_ENOMEM.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_session_options_new(odoo_session_options **out) ODOO_WARN_UNUSED_RESULT;

/** Free session options, wiping the secrets (accepts NULL). @since 0.2.0 */
ODOO_EXTERN(void) odoo_session_options_free(odoo_session_options *so);

/**
 * Read the settings from a secret's JSON text:
 * {"ODOO_URL": "...", "ODOO_DB": "...", "ODOO_EMAIL": "..." (or "ODOO_USER"),
 *  "ODOO_PASSWORD": "..." and/or "ODOO_API_KEY": "..."}. Every value is a
 * non-empty string; other members are ignored. On failure the object is left
 * as it was.
 * @param json the text (borrowed; may hold secrets: error messages never
 *             quote it, they name the key and the position only).
 * @return ODOO_OK; ODOO_EINVAL (not JSON, not an object, a missing required key,
 *         a value that is not a non-empty string); ODOO_ENOMEM. Detail:
 *         odoo_session_options_last_error().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_session_options_set_json(odoo_session_options *so, const char *json);

/**
 * Point an odoo_client_options' url, database, login, password and api_key at
 * the strings held by @p so (the other members are left alone). The pointers
 * are borrowed: valid until odoo_session_options_free() or the next set_json;
 * odoo_client_new() copies them, so the usual sequence is fill, client_new,
 * session_options_free.
 * @return ODOO_OK; ODOO_EINVAL for NULL arguments or empty session options.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_session_options_fill(const odoo_session_options *so,
                                           odoo_client_options *opts);

/** ODOO_URL, or NULL before set_json (borrowed). @since 0.2.0 */
ODOO_EXTERN(const char *) odoo_session_options_url(const odoo_session_options *so);
/** ODOO_DB, or NULL (borrowed). @since 0.2.0 */
ODOO_EXTERN(const char *) odoo_session_options_database(const odoo_session_options *so);
/** ODOO_EMAIL or ODOO_USER, or NULL (borrowed). @since 0.2.0 */
ODOO_EXTERN(const char *) odoo_session_options_login(const odoo_session_options *so);
/** Whether the secret had an ODOO_PASSWORD. @since 0.2.0 */
ODOO_EXTERN(int) odoo_session_options_has_password(const odoo_session_options *so);
/** Whether the secret had an ODOO_API_KEY. @since 0.2.0 */
ODOO_EXTERN(int) odoo_session_options_has_api_key(const odoo_session_options *so);

/**
 * Detail of the last failure of set_json. Borrowed, valid until the next call
 * on @p so or its free. Never NULL for a non-NULL @p so.
 * @since 0.2.0
 */
ODOO_EXTERN(const odoo_error *) odoo_session_options_last_error(const odoo_session_options *so);

/** A Secrets Manager client: opaque; free with odoo_aws_secrets_free(). @since 0.2.0 */
typedef struct odoo_aws_secrets odoo_aws_secrets;

/**
 * Create a Secrets Manager client (endpoint variable
 * AWS_ENDPOINT_URL_SECRETS_MANAGER). Does no network I/O.
 * @param[out] out as odoo_dynamodb_new().
 * @return as odoo_dynamodb_new().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_secrets_new(odoo_aws_secrets **out, const odoo_aws_options *opts)
    ODOO_WARN_UNUSED_RESULT;

/** Free a client (accepts NULL). @since 0.2.0 */
ODOO_EXTERN(void) odoo_aws_secrets_free(odoo_aws_secrets *sm);

/** Detail of the last failure (as odoo_dynamodb_last_error()). @since 0.2.0 */
ODOO_EXTERN(const odoo_error *) odoo_aws_secrets_last_error(const odoo_aws_secrets *sm);

/** The endpoint in use (borrowed). @since 0.2.0 */
ODOO_EXTERN(const char *) odoo_aws_secrets_endpoint(const odoo_aws_secrets *sm);

/**
 * GetSecretValue: the secret's SecretString (AWSCURRENT).
 * @param[out] out    on success, the string (a secret: free it with
 *                    odoo_aws_free_secret(), which wipes it).
 * @param secret_id   the secret's name or ARN.
 * @return ODOO_OK; ODOO_ENOTFOUND (ResourceNotFoundException); ODOO_EAUTH;
 *         ODOO_EPROTOCOL when the secret has no SecretString (binary); or as
 *         odoo_dynamodb_call().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_secrets_get_string(odoo_aws_secrets *sm, char **out,
                                             const char *secret_id);

/**
 * GetSecretValue, then odoo_session_options_set_json() on the SecretString.
 * @return as odoo_aws_secrets_get_string() and odoo_session_options_set_json();
 *         the detail of either is in odoo_aws_secrets_last_error().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_secrets_get_session(odoo_aws_secrets *sm, odoo_session_options *so,
                                              const char *secret_id);

/** Wipe and free a secret string returned by libodoo (accepts NULL). @since 0.2.0 */
ODOO_EXTERN(void) odoo_aws_free_secret(char *secret);

#ifdef __cplusplus
}
#endif
#endif /* ODOO_AWS_H */
