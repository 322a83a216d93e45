// SPDX-License-Identifier: MIT
/*
 * libodoo-aws - internal declarations of the AWS layer (src/aws): SigV4,
 * credentials, the AWS HTTP exchange, DynamoDB and its sink, Secrets
 * Manager. It uses src/util (util.h) and libodoo's public API, never the
 * core's or the sinks' internals. Nothing here is part of the public API or
 * ABI.
 */
#ifndef ODOO_AWS_INTERNAL_H
#define ODOO_AWS_INTERNAL_H

#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#include "odoo.h"
#include "odoo/aws.h"
#include "util.h"

/* libodoo's one-time global state (odoo_global_init()), taken by each AWS
 * handle for its life. */
static inline int odoo__global_acquire(void)
{
    int rc = odoo_global_init();
    return rc < 0 ? rc : ODOO_OK;
}
static inline void odoo__global_release(void)
{
    (void)odoo_global_cleanup();
}

/* ---- SHA-256, HMAC, SigV4 (aws_sigv4.c) --------------------------------------- */

void odoo__hex(const unsigned char *p, size_t n, char *out); /* out: 2n+1 bytes */
int odoo__sha256_hex(const void *p, size_t n, char out[65]);
/* The SigV4 signing key: HMAC chain over "AWS4"+secret, date8, region, service,
 * "aws4_request". */
int odoo__sigv4_signing_key(const char *secret, const char *date8, const char *region,
                            const char *service, unsigned char out[32]);

typedef struct odoo__sigv4_header {
    const char *name;  /* lower case */
    const char *value; /* leading/trailing spaces are trimmed, inner runs folded */
} odoo__sigv4_header;

typedef struct odoo__sigv4_request {
    const char *method;     /* "POST" */
    const char *path;       /* canonical URI, already encoded: "/" */
    const char *query;      /* canonical query string (sorted, encoded), or "" */
    const odoo__sigv4_header *headers; /* every header to sign (host, x-amz-date, ...) */
    size_t nheaders;
    const void *payload;
    size_t payload_len;
    const char *amz_date;   /* "YYYYMMDDTHHMMSSZ" */
    const char *region;
    const char *service;
    const char *access_key_id;
    const char *secret_access_key;
} odoo__sigv4_request;

/* Build the Authorization header value ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=..., Signature=...") into out (replacing its content). When
 * canonical is not NULL, the canonical request is stored there too (tests). */
int odoo__sigv4_authorization(const odoo__sigv4_request *r, odoo__buf *out,
                              odoo__buf *canonical);
/* "YYYYMMDDTHHMMSSZ" for a Unix time. */
void odoo__amz_date(long long unix_time, char out[17]);

/* ---- credentials (aws_credentials.c) --------------------------------------------- */

typedef struct odoo__aws_keys {
    char *access_key_id;
    char *secret_access_key; /* secret */
    char *session_token;     /* secret, may be NULL */
} odoo__aws_keys;

void odoo__aws_keys_dispose(odoo__aws_keys *k); /* wipes */
/* The current credentials (resolving/refreshing as needed), copied into *keys.
 * On failure err is filled (ODOO_EAUTH, ODOO_EINVAL, network codes). */
int odoo__aws_credentials_get(odoo_aws_credentials *c, odoo__aws_keys *keys, odoo_error *err);
/* Force the next get to fetch again (after an ExpiredToken answer). */
void odoo__aws_credentials_invalidate(odoo_aws_credentials *c);
/* Take one more reference. */
odoo_aws_credentials *odoo__aws_credentials_ref(odoo_aws_credentials *c);

/* Parse an AWS shared credentials/config file and return the members of one
 * profile as a JSON object of strings (keys lower-cased), or *out = NULL when
 * the file or the profile does not exist. config_style: sections are
 * "[default]" and "[profile NAME]" (the config file) rather than "[NAME]".
 * Values that are secrets are wiped when the object is released through
 * odoo__json_wipe_strings(). ODOO_ERROR when the file exists but cannot be
 * read. */
int odoo__aws_profile_load(odoo_error *err, const char *path, const char *profile,
                           int config_style, json_t **out);
/* The path of a shared file: explicit, else the environment variable, else
 * $HOME/.aws/<name>. New string or NULL (no home). */
char *odoo__aws_shared_file_path(const char *explicit_path, const char *env_name,
                                 const char *file_name);
/* The profile name: explicit, else AWS_PROFILE, else "default" (borrowed). */
const char *odoo__aws_profile_name(const char *explicit_profile);
/* The container credentials endpoint's URL from the environment
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI), or *url = NULL when
 * none is set. ODOO_EINVAL for a full URI that is not allowed. */
int odoo__aws_container_url(odoo_error *err, char **url);
/* ISO 8601 "2024-01-02T03:04:05Z" (fractions and offsets allowed) -> Unix time.
 * ODOO_EINVAL when it does not parse. */
int odoo__parse_iso8601(const char *s, long long *out);

/* ---- endpoints and requests (aws_http.c) ----------------------------------------- */

/* The resolved configuration of an AWS client, shared by the clients and the
 * DynamoDB sink (which keeps its own copy). */
typedef struct odoo__aws_config {
    char *service;        /* signing name: "dynamodb", "secretsmanager" */
    char *target_prefix;  /* "DynamoDB_20120810", "secretsmanager" */
    char *content_type;   /* "application/x-amz-json-1.0" / "-1.1" */
    char *endpoint;       /* "https://dynamodb.eu-west-1.amazonaws.com" (no '/') */
    char *host;           /* the Host header value: host[:port] */
    char *region;
    odoo_aws_credentials *creds; /* a reference of our own */
    long connect_timeout_ms;
    long timeout_ms;
    int verify_peer;
    int verify_host;
    char *ca_file;
    char *ca_path;
    char *proxy;          /* secret */
    char *user_agent;
    int max_retries;
    long retry_base_ms;
    long retry_max_ms;
} odoo__aws_config;

/* Resolve region, endpoint and credentials from opts and the environment.
 * env_service: the suffix of AWS_ENDPOINT_URL_<SERVICE>; host_prefix: the
 * public endpoint's first label ("dynamodb"). */
int odoo__aws_config_init(odoo__aws_config *cfg, odoo_error *err, const odoo_aws_options *opts,
                          const char *service, const char *env_service,
                          const char *host_prefix, const char *target_prefix,
                          const char *content_type);
int odoo__aws_config_copy(odoo__aws_config *dst, const odoo__aws_config *src);
void odoo__aws_config_dispose(odoo__aws_config *cfg);

/* Resolution steps, exposed for the unit tests. */
int odoo__aws_resolve_region(odoo_error *err, const char *explicit_region,
                             const char *profile, char **out);
int odoo__aws_resolve_endpoint(odoo_error *err, const char *explicit_endpoint,
                               const char *env_service, const char *host_prefix,
                               const char *region, char **endpoint, char **host);

/* One libcurl easy handle with its buffers: one request at a time. */
typedef struct odoo__aws_conn {
    CURL *curl;
    struct curl_slist *headers;
    odoo__buf body;    /* the request body: must live until the transfer ends */
    odoo__buf resp;
    odoo__curl_body resp_body; /* the write callback's view of resp (util/curl.c) */
    int body_secret;   /* wipe resp after use (it held a secret) */
    char errbuf[CURL_ERROR_SIZE];
    void *owner;       /* for the multi interface's users */
} odoo__aws_conn;

int odoo__aws_conn_init(odoo__aws_conn *k, const odoo__aws_config *cfg, odoo_error *err);
void odoo__aws_conn_dispose(odoo__aws_conn *k);
/* Sign k->body as a POST of <target_prefix>.<operation> and set the handle up
 * for it (the transfer itself is the caller's: easy or multi). */
int odoo__aws_conn_prepare(odoo__aws_conn *k, const odoo__aws_config *cfg,
                           const char *operation, odoo_error *err);
/* After the transfer (cc = its CURLcode): on ODOO_OK *out (may be NULL) is
 * the answer as JSON (new reference). Otherwise err holds the mapped error
 * (class = AWS error type, retryable flag set for throttling, 5xx, network). */
int odoo__aws_conn_result(odoo__aws_conn *k, CURLcode cc, odoo_error *err, json_t **out);
/* A whole call: serialise request into k->body, prepare, perform, map the
 * result; retryable failures are retried up to cfg->max_retries times. */
int odoo__aws_call(const odoo__aws_config *cfg, odoo__aws_conn *k, unsigned int *rng,
                   const char *operation, json_t *request, json_t **out, odoo_error *err);

/* An AWS error type ("...#ProvisionedThroughputExceededException" or the bare
 * name) and HTTP status -> odoo_error_code; *retryable set accordingly. */
int odoo__aws_map_error(const char *type, long status, int *retryable);
/* Whether a type is a throttling error. */
int odoo__aws_is_throttling(const char *type);

/* Whether a Content-Type or body looks like an AWS JSON error, and its parts:
 * fills type (e.g. "ValidationException") and message; both new strings. */
void odoo__aws_parse_error_body(const char *body, size_t len, char **type, char **message);

/* ---- a client of one AWS service (aws_http.c) ------------------------------------ */

/* What odoo_dynamodb and odoo_aws_secrets hold: the service's settings and
 * connection, the back-off's random generator, the last error. */
typedef struct odoo__aws_service {
    odoo__aws_config cfg;
    odoo__aws_conn conn;
    unsigned int rng;
    int global_ref;
    int ready; /* cfg and conn set up */
    odoo_error err;
} odoo__aws_service;

/* Set up @p s (zeroed memory; NULL: ODOO_ENOMEM) for one service: the
 * library's global state, then odoo__aws_config_init() with @p opts and the
 * names that follow it there, then the connection. A failure is in s->err
 * (@p name prefixes the global one); free with odoo__aws_service_dispose()
 * in any case. */
int odoo__aws_service_init(odoo__aws_service *s, const odoo_aws_options *opts, const char *name,
                           const char *service, const char *env_service,
                           const char *host_prefix, const char *target_prefix,
                           const char *content_type);
void odoo__aws_service_dispose(odoo__aws_service *s);

/* ---- DynamoDB (dynamodb.c) ----------------------------------------------------- */

struct odoo_dynamodb {
    odoo__aws_service s;
};

/* DynamoDB's item size of one attribute value (without its name). */
size_t odoo__dynamodb_value_size(const json_t *attr);
/* The canonical text of a key value: "S:<text>" / "N:<text>" (new string). */
char *odoo__dynamodb_key_text(const json_t *attr);
/* DynamoDB's size of a number given as text (about one byte per two digits). */
size_t odoo__dynamodb_number_size(const char *s);
/* Append s (n bytes) as a JSON string, escaped exactly as jansson's compact
 * dump does. ODOO_EINVAL when s is not valid UTF-8 (jansson refuses it too). */
int odoo__json_string_write(odoo__buf *b, const char *s, size_t n);
/* Append the DynamoDB attribute value of a plain JSON value as compact JSON
 * text, the text odoo_dynamodb_attr_from_json() + a compact dump would give,
 * without building the tree; *size grows by its DynamoDB size (as
 * odoo__dynamodb_value_size() counts it). ODOO_EINVAL: a number outside
 * DynamoDB's range, nesting too deep, or a string that is not UTF-8. */
int odoo__dynamodb_attr_write(odoo__buf *b, const json_t *v, size_t *size);
/* The decimal text of an integer; returns its length (out: 24 bytes). */
size_t odoo__int_text(json_int_t v, char out[24]);

#endif /* ODOO_AWS_INTERNAL_H */
