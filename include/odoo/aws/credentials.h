// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo-aws - odoo/aws/credentials.h: AWS credentials (static keys or the AWS SDKs'
 * default chain, refreshed before they expire) and the options every AWS
 * client takes (region, endpoint, timeouts, retries).
 *
 * Part of libodoo-aws (link with `pkg-config --libs libodoo-aws` or CMake's
 * libodoo::odoo_aws); include <odoo/aws.h> for all of it. See docs/aws.md.
 */
#ifndef ODOO_AWS_CREDENTIALS_H
#define ODOO_AWS_CREDENTIALS_H

#include <stddef.h>

#include <jansson.h>

#include "../common.h"
#include "../errors.h"

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
                                            AWS_PROFILE, then AWS_DEFAULT_PROFILE,
                                            then "default". Naming a
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
 * @param opts    the caller's struct (caller-owned).
 * @param version ODOO_AWS_CREDENTIALS_OPTIONS_VERSION.
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
 *         secret or the reverse, a negative timeout or refresh margin);
 *         ODOO_ENOMEM; ODOO_ERROR (a mutex could not be set up). On failure
 *         @p out is left untouched.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_new(odoo_aws_credentials **out,
                                          const odoo_aws_credentials_options *opts)
    ODOO_WARN_UNUSED_RESULT;

/**
 * Release the caller's reference; the secrets are wiped when the last holder
 * lets go. Accepts NULL.
 * @param creds the caller's reference (from odoo_aws_credentials_new()), or
 *              NULL. It must not be used afterwards.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_aws_credentials_free(odoo_aws_credentials *creds);

/**
 * Resolve the credentials now (walk the chain) when they were never resolved
 * or expire within the refresh margin; otherwise do nothing. A failed refresh
 * of credentials that have not expired yet keeps them and returns ODOO_OK.
 * @param creds the credentials source (borrowed for the call).
 * @return ODOO_OK; ODOO_EAUTH when no step of the chain has credentials, or the
 *         container endpoint refused; ODOO_EINVAL for a broken configuration
 *         (partial keys, a named profile that does not exist, a container
 *         endpoint that is not allowed); ODOO_ENETWORK / ODOO_ETIMEOUT /
 *         ODOO_EPROTOCOL from the container endpoint, ODOO_ETOOBIG when its
 *         answer passes 64 KiB (0.4.0). Detail:
 *         odoo_aws_credentials_last_error().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_resolve(odoo_aws_credentials *creds);

/**
 * Where the current credentials came from: "static", "environment",
 * "profile:<name>" (shared credentials or config file), "container"; "" before
 * they were resolved. Copied into @p buf (NUL-terminated, cut to bufsz - 1).
 * @param creds the credentials source (borrowed for the call).
 * @param buf   the caller's buffer.
 * @param bufsz its size in bytes.
 * @return ODOO_OK, or ODOO_EINVAL for NULL arguments.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_source(odoo_aws_credentials *creds, char *buf,
                                             size_t bufsz);

/**
 * The access key id in use (not a secret; "" before resolution). Copied into
 * @p buf, cut to bufsz - 1.
 * @param creds the credentials source (borrowed for the call).
 * @param buf   the caller's buffer.
 * @param bufsz its size in bytes.
 * @return ODOO_OK, or ODOO_EINVAL for NULL arguments.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_credentials_access_key_id(odoo_aws_credentials *creds, char *buf,
                                                    size_t bufsz);

/**
 * When the current credentials expire.
 * @param creds the credentials source (borrowed for the call), or NULL.
 * @return the expiry as Unix time, or 0 when they do not expire, were not
 *         resolved yet, or @p creds is NULL.
 * @since 0.2.0
 */
ODOO_EXTERN(long long) odoo_aws_credentials_expiration(odoo_aws_credentials *creds);

/**
 * How many times the credentials were fetched (first resolution and refreshes).
 * @param creds the credentials source (borrowed for the call), or NULL.
 * @return the count (0 for NULL).
 * @since 0.2.0
 */
ODOO_EXTERN(unsigned long) odoo_aws_credentials_fetch_count(odoo_aws_credentials *creds);

/**
 * Detail of the last failure of odoo_aws_credentials_resolve(): the message
 * is copied into @p buf (NUL-terminated, cut to bufsz - 1; @p buf may be NULL).
 * Failures while a client resolves the credentials for a request are reported
 * on that client (its last error) as well.
 * @param creds the credentials source (borrowed for the call).
 * @param buf   the caller's buffer for the message, or NULL.
 * @param bufsz its size in bytes.
 * @return the last failure's code (ODOO_OK when the last resolve succeeded);
 *         ODOO_EINVAL for a NULL @p creds.
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
 * (`https://dynamodb.<region>.amazonaws.com`). AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
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
                                       chain; NULL = AWS_PROFILE, then
                                       AWS_DEFAULT_PROFILE, then "default" */
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
 * @param opts    the caller's struct (caller-owned).
 * @param version ODOO_AWS_OPTIONS_VERSION.
 * @return ODOO_OK, or ODOO_EINVAL when opts is NULL or version unknown.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_options_init(odoo_aws_options *opts, unsigned int version);

#ifdef __cplusplus
}
#endif
#endif /* ODOO_AWS_CREDENTIALS_H */
