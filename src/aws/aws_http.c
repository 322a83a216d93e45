// SPDX-License-Identifier: MIT
/*
 * libodoo - AWS requests: region and endpoint resolution as the AWS SDKs do
 * it, signed POSTs of the JSON protocol (DynamoDB, Secrets Manager) over a
 * libcurl easy handle, the mapping of AWS errors onto odoo_error_code.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "aws_internal.h"

/* ---- errors ---------------------------------------------------------------------------- */

static const char *bare_type(const char *type, char *buf, size_t bufsz)
{
    const char *hash, *colon;
    size_t n;
    if (!type)
        return "";
    hash = strrchr(type, '#');
    if (hash)
        type = hash + 1;
    colon = strchr(type, ':');
    n = colon ? (size_t)(colon - type) : strlen(type);
    if (n >= bufsz)
        n = bufsz - 1;
    memcpy(buf, type, n);
    buf[n] = '\0';
    return buf;
}

static int in_list(const char *type, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(type, *list) == 0)
            return 1;
    return 0;
}

static const char *const throttling_types[] = {
    "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling",
    "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "RequestLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
    "BandwidthLimitExceeded", "PriorRequestNotComplete", NULL};

int odoo__aws_is_throttling(const char *type)
{
    char b[128];
    return in_list(bare_type(type, b, sizeof(b)), throttling_types);
}

int odoo__aws_map_error(const char *type_in, long status, int *retryable)
{
    static const char *const transient[] = {"RequestTimeout", "RequestTimeoutException",
                                            "InternalServerError", "InternalFailure",
                                            "InternalServerErrorException",
                                            "ServiceUnavailable", "TransactionInProgressException",
                                            NULL};
    static const char *const auth[] = {"UnrecognizedClientException", "InvalidSignatureException",
                                       "SignatureDoesNotMatch", "InvalidClientTokenId",
                                       "IncompleteSignature", "IncompleteSignatureException",
                                       "MissingAuthenticationToken",
                                       "MissingAuthenticationTokenException",
                                       "AccessDeniedException", "AccessDenied", "ExpiredToken",
                                       "ExpiredTokenException", "AuthFailure", "NotAuthorized",
                                       "InvalidAccessKeyId", "UnauthorizedOperation", NULL};
    static const char *const invalid[] = {"ValidationException", "SerializationException",
                                          "InvalidParameterException", "InvalidParameterValue",
                                          "InvalidParameterValueException",
                                          "InvalidRequestException", "MissingParameter",
                                          "MalformedQueryString", NULL};
    char b[128];
    const char *type = bare_type(type_in, b, sizeof(b));
    *retryable = 0;
    if (*type) {
        if (in_list(type, throttling_types) || in_list(type, transient)) {
            *retryable = 1;
            return ODOO_EHTTP;
        }
        if (in_list(type, auth))
            return ODOO_EAUTH;
        if (strcmp(type, "ResourceNotFoundException") == 0)
            return ODOO_ENOTFOUND;
        if (in_list(type, invalid))
            return ODOO_EINVAL;
        if (status >= 500) {
            *retryable = 1;
            return ODOO_EHTTP;
        }
        return ODOO_ESERVER;
    }
    if (status >= 500 || status == 429) {
        *retryable = 1;
        return ODOO_EHTTP;
    }
    if (status == 401 || status == 403)
        return ODOO_EAUTH;
    if (status == 413)
        return ODOO_EINVAL;
    return ODOO_EHTTP;
}

/* The text between <tag> and </tag> in an XML error answer, new string or NULL. */
static char *xml_text(const char *body, size_t len, const char *tag)
{
    char open[64], close[64];
    const char *end = body + len, *p, *q;
    size_t ol, cl;
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    ol = strlen(open);
    cl = strlen(close);
    for (p = body; p + ol <= end; p++) {
        if (memcmp(p, open, ol) != 0)
            continue;
        p += ol;
        for (q = p; q + cl <= end; q++) {
            if (memcmp(q, close, cl) == 0) {
                char *s = odoo__malloc((size_t)(q - p) + 1);
                if (s) {
                    memcpy(s, p, (size_t)(q - p));
                    s[q - p] = '\0';
                }
                return s;
            }
        }
        return NULL;
    }
    return NULL;
}

void odoo__aws_parse_error_body(const char *body, size_t len, char **type, char **message)
{
    json_t *doc;
    *type = *message = NULL;
    if (!body || !len)
        return;
    if (odoo__json_parse(body, len, 0, &doc, NULL) != 0)
        doc = NULL;
    if (doc && json_is_object(doc)) {
        const char *t = json_string_value(json_object_get(doc, "__type"));
        const char *m = json_string_value(json_object_get(doc, "message"));
        if (!t)
            t = json_string_value(json_object_get(doc, "code"));
        if (!m)
            m = json_string_value(json_object_get(doc, "Message"));
        if (t)
            *type = odoo__strdup(t);
        if (m)
            *message = odoo__strdup(m);
    } else {
        *type = xml_text(body, len, "Code");
        *message = xml_text(body, len, "Message");
    }
    json_decref(doc);
}

/* AWS's signature errors may quote the canonical request, which holds the
 * session token: keep only what comes before. Also one line, bounded. */
static void clean_message(char *m)
{
    static const char *const cuts[] = {"The Canonical String", "The String-to-Sign",
                                       "Canonical String", NULL};
    size_t i;
    char *p;
    if (!m)
        return;
    for (i = 0; cuts[i]; i++)
        if ((p = strstr(m, cuts[i])) != NULL)
            *p = '\0';
    for (p = m; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (strlen(m) > 512)
        m[512] = '\0';
    for (p = m + strlen(m); p > m && p[-1] == ' '; p--)
        p[-1] = '\0';
}

/* ---- region and endpoint ---------------------------------------------------------- */

static int valid_region(const char *r)
{
    if (!r || !*r || strlen(r) > 64)
        return 0;
    for (; *r; r++)
        if (!(islower((unsigned char)*r) || isdigit((unsigned char)*r) || *r == '-'))
            return 0;
    return 1;
}

int odoo__aws_resolve_region(odoo_error *err, const char *explicit_region, const char *profile,
                             char **out)
{
    const char *r = explicit_region;
    json_t *p = NULL;
    char *conf;
    int rc, found;
    *out = NULL;
    if (!r || !*r)
        r = getenv("AWS_REGION");
    if (!r || !*r)
        r = getenv("AWS_DEFAULT_REGION");
    if (r && *r) {
        if (!valid_region(r))
            return odoo__error_set(err, ODOO_EINVAL, 0, "aws: invalid region name");
        *out = odoo__strdup(r);
        return *out ? ODOO_OK : odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    }
    conf = odoo__aws_shared_file_path(NULL, "AWS_CONFIG_FILE", "config");
    if (conf) {
        rc = odoo__aws_profile_load(err, conf, odoo__aws_profile_name(profile), 1, &p);
        free(conf);
        if (rc != ODOO_OK)
            return rc;
        r = p ? json_string_value(json_object_get(p, "region")) : NULL;
        found = r && *r;
        if (found) {
            rc = valid_region(r) ? ODOO_OK : ODOO_EINVAL;
            if (rc == ODOO_OK)
                *out = odoo__strdup(r);
        }
        /* the profile may hold keys too */
        odoo__json_wipe_strings(p);
        json_decref(p);
        if (rc != ODOO_OK)
            return odoo__error_set(err, ODOO_EINVAL, 0, "aws: invalid region name");
        if (found)
            return *out ? ODOO_OK : odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    }
    return odoo__error_set(err, ODOO_EINVAL, 0,
                           "aws: no region: set options.region, AWS_REGION or "
                           "AWS_DEFAULT_REGION, or region in the profile");
}

static int env_true(const char *name)
{
    const char *v = getenv(name);
    return v && strcasecmp(v, "true") == 0;
}

int odoo__aws_resolve_endpoint(odoo_error *err, const char *explicit_endpoint,
                               const char *env_service, const char *host_prefix,
                               const char *region, char **endpoint, char **host)
{
    const char *e = explicit_endpoint;
    char name[96], fallback[256];
    CURLU *u;
    char *scheme = NULL, *h = NULL, *port = NULL, *user = NULL, *path = NULL, *query = NULL,
         *frag = NULL;
    int rc = ODOO_OK;

    *endpoint = *host = NULL;
    if (!region || !env_service || !host_prefix)
        return odoo__error_set(err, ODOO_EINVAL, 0, "aws: no region");
    if ((!e || !*e) && !env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
        snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", env_service);
        e = getenv(name);
        if (!e || !*e)
            e = getenv("AWS_ENDPOINT_URL");
    }
    if (!e || !*e) {
        snprintf(fallback, sizeof(fallback), "https://%s.%s.amazonaws.com%s", host_prefix, region,
                 strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
        e = fallback;
    }
    u = curl_url();
    if (!u)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, e, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK) {
        rc = odoo__error_set(err, ODOO_EINVAL, 0, "aws: the endpoint is not a URL");
        goto done;
    }
    (void)curl_url_get(u, CURLUPART_PORT, &port, 0);
    (void)curl_url_get(u, CURLUPART_USER, &user, 0);
    (void)curl_url_get(u, CURLUPART_PATH, &path, 0);
    (void)curl_url_get(u, CURLUPART_QUERY, &query, 0);
    (void)curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        rc = odoo__error_set(err, ODOO_EINVAL, 0, "aws: the endpoint must use http or https");
    } else if (user) {
        rc = odoo__error_set(err, ODOO_EINVAL, 0,
                             "aws: the endpoint must not carry credentials (user:password@)");
    } else if ((path && strcmp(path, "/") != 0 && *path) || query || frag) {
        rc = odoo__error_set(err, ODOO_EINVAL, 0,
                             "aws: the endpoint must have no path, query or fragment");
    } else {
        size_t n = strlen(scheme) + strlen(h) + (port ? strlen(port) : 0) + 8;
        *endpoint = odoo__malloc(n);
        *host = odoo__malloc(n);
        if (!*endpoint || !*host) {
            free(*endpoint);
            free(*host);
            *endpoint = *host = NULL;
            rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        } else {
            char *q;
            for (q = scheme; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            snprintf(*endpoint, n, "%s://%s%s%s", scheme, h, port ? ":" : "", port ? port : "");
            snprintf(*host, n, "%s%s%s", h, port ? ":" : "", port ? port : "");
        }
    }
done:
    curl_free(scheme);
    curl_free(h);
    curl_free(port);
    curl_free(user);
    curl_free(path);
    curl_free(query);
    curl_free(frag);
    curl_url_cleanup(u);
    return rc;
}

/* ---- configuration ------------------------------------------------------------------ */

int odoo_aws_options_init(odoo_aws_options *opts, unsigned int version)
{
    static const odoo_aws_options defaults = ODOO_AWS_OPTIONS_INIT;
    if (!opts || version != ODOO_AWS_OPTIONS_VERSION)
        return ODOO_EINVAL;
    *opts = defaults;
    return ODOO_OK;
}

void odoo__aws_config_dispose(odoo__aws_config *cfg)
{
    free(cfg->service);
    free(cfg->target_prefix);
    free(cfg->content_type);
    free(cfg->endpoint);
    free(cfg->host);
    free(cfg->region);
    odoo_aws_credentials_free(cfg->creds);
    free(cfg->ca_file);
    free(cfg->ca_path);
    odoo__free_secret(cfg->proxy);
    free(cfg->user_agent);
    memset(cfg, 0, sizeof(*cfg));
}

int odoo__aws_config_init(odoo__aws_config *cfg, odoo_error *err, const odoo_aws_options *opts,
                          const char *service, const char *env_service,
                          const char *host_prefix, const char *target_prefix,
                          const char *content_type)
{
    static const odoo_aws_options defaults = ODOO_AWS_OPTIONS_INIT;
    int rc;
    memset(cfg, 0, sizeof(*cfg));
    if (!opts)
        opts = &defaults;
    if (opts->version != ODOO_AWS_OPTIONS_VERSION)
        return odoo__error_set(err, ODOO_EINVAL, 0, "aws: unknown options version %u",
                               opts->version);
    if (opts->connect_timeout_ms < 0 || opts->timeout_ms < 0 || opts->max_retries < 0
        || opts->retry_base_ms < 0 || opts->retry_max_ms < 0)
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "aws: timeouts and retry settings must not be negative");
    cfg->connect_timeout_ms = opts->connect_timeout_ms;
    cfg->timeout_ms = opts->timeout_ms;
    cfg->verify_peer = opts->verify_peer;
    cfg->verify_host = opts->verify_host;
    cfg->max_retries = opts->max_retries;
    cfg->retry_base_ms = opts->retry_base_ms;
    cfg->retry_max_ms = opts->retry_max_ms;
    cfg->service = odoo__strdup(service);
    cfg->target_prefix = odoo__strdup(target_prefix);
    cfg->content_type = odoo__strdup(content_type);
    if (!cfg->service || !cfg->target_prefix || !cfg->content_type
        || odoo__strdup_opt(&cfg->ca_file, opts->ca_file) != ODOO_OK
        || odoo__strdup_opt(&cfg->ca_path, opts->ca_path) != ODOO_OK
        || odoo__strdup_opt(&cfg->proxy, opts->proxy) != ODOO_OK
        || odoo__strdup_opt(&cfg->user_agent, opts->user_agent) != ODOO_OK) {
        rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        goto fail;
    }
    rc = odoo__aws_resolve_region(err, opts->region, opts->profile, &cfg->region);
    if (rc != ODOO_OK)
        goto fail;
    rc = odoo__aws_resolve_endpoint(err, opts->endpoint, env_service, host_prefix, cfg->region,
                                    &cfg->endpoint, &cfg->host);
    if (rc != ODOO_OK)
        goto fail;
    if (opts->credentials) {
        cfg->creds = odoo__aws_credentials_ref(opts->credentials);
    } else {
        odoo_aws_credentials_options co = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
        co.profile = opts->profile;
        rc = odoo_aws_credentials_new(&cfg->creds, &co);
        if (rc != ODOO_OK) {
            odoo__error_set(err, rc, 0, "aws: cannot create the credentials chain");
            goto fail;
        }
    }
    return ODOO_OK;
fail:
    odoo__aws_config_dispose(cfg);
    return rc;
}

static int dup_into(char **dst, const char *src)
{
    return odoo__strdup_opt(dst, src);
}

int odoo__aws_config_copy(odoo__aws_config *dst, const odoo__aws_config *src)
{
    *dst = *src;
    dst->service = dst->target_prefix = dst->content_type = dst->endpoint = dst->host =
        dst->region = dst->ca_file = dst->ca_path = dst->proxy = dst->user_agent = NULL;
    dst->creds = NULL;
    if (dup_into(&dst->service, src->service) || dup_into(&dst->target_prefix, src->target_prefix)
        || dup_into(&dst->content_type, src->content_type)
        || dup_into(&dst->endpoint, src->endpoint) || dup_into(&dst->host, src->host)
        || dup_into(&dst->region, src->region) || dup_into(&dst->ca_file, src->ca_file)
        || dup_into(&dst->ca_path, src->ca_path) || dup_into(&dst->proxy, src->proxy)
        || dup_into(&dst->user_agent, src->user_agent)) {
        odoo__aws_config_dispose(dst);
        return ODOO_ENOMEM;
    }
    dst->creds = odoo__aws_credentials_ref(src->creds);
    return ODOO_OK;
}

/* ---- connections --------------------------------------------------------------------- */

/* DynamoDB answers are at most a few MB (a Scan or Query page is 1 MB of
 * data, a BatchGetItem 16 MB): 64 MiB is far above any real answer and far
 * from a Lambda's memory. Secrets Manager sets its own, smaller cap
 * (secrets.c). Past the cap: ODOO_ETOOBIG, not retried. */
#define AWS_ANSWER_CAP (64u * 1024 * 1024)

#define KSETOPT(opt, val)                                                             \
    do {                                                                              \
        if (curl_easy_setopt(k->curl, opt, val) != CURLE_OK)                          \
            return odoo__error_set(err, ODOO_ERROR, 0, "libcurl refused option " #opt); \
    } while (0)

int odoo__aws_service_init(odoo__aws_service *s, const odoo_aws_options *opts, const char *name,
                           const char *service, const char *env_service,
                           const char *host_prefix, const char *target_prefix,
                           const char *content_type)
{
    int rc;
    if (!s)
        return ODOO_ENOMEM;
    odoo__error_init(&s->err);
    rc = odoo__global_acquire();
    if (rc != ODOO_OK)
        return odoo__error_set(&s->err, rc, 0, "%s: global initialisation failed", name);
    s->global_ref = 1;
    rc = odoo__aws_config_init(&s->cfg, &s->err, opts, service, env_service, host_prefix,
                               target_prefix, content_type);
    if (rc != ODOO_OK)
        return rc;
    rc = odoo__aws_conn_init(&s->conn, &s->cfg, &s->err);
    if (rc != ODOO_OK)
        return rc;
    s->rng = odoo__rng_seed(s);
    s->ready = 1;
    return ODOO_OK;
}

void odoo__aws_service_dispose(odoo__aws_service *s)
{
    odoo__aws_conn_dispose(&s->conn);
    odoo__aws_config_dispose(&s->cfg);
    odoo__error_clear(&s->err);
    if (s->global_ref)
        odoo__global_release();
}

int odoo__aws_conn_init(odoo__aws_conn *k, const odoo__aws_config *cfg, odoo_error *err)
{
    char ua[64];
    memset(k, 0, sizeof(*k));
    k->curl = curl_easy_init();
    if (!k->curl)
        return odoo__error_set(err, ODOO_ERROR, 0, "curl_easy_init failed");
    snprintf(ua, sizeof(ua), "libodoo/%s", ODOO_VERSION);
    KSETOPT(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    KSETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    KSETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    KSETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    KSETOPT(CURLOPT_USERAGENT, cfg->user_agent ? cfg->user_agent : ua);
    k->resp_body.buf = &k->resp;
    k->resp_body.cap = AWS_ANSWER_CAP;
    if (odoo__curl_collect(k->curl, &k->resp_body) != CURLE_OK)
        return odoo__error_set(err, ODOO_ERROR, 0, "libcurl refused the write callback");
    KSETOPT(CURLOPT_ERRORBUFFER, k->errbuf);
    KSETOPT(CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    KSETOPT(CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    KSETOPT(CURLOPT_SSL_VERIFYPEER, cfg->verify_peer ? 1L : 0L);
    KSETOPT(CURLOPT_SSL_VERIFYHOST, cfg->verify_host ? 2L : 0L);
    KSETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    if (cfg->ca_file)
        KSETOPT(CURLOPT_CAINFO, cfg->ca_file);
    if (cfg->ca_path)
        KSETOPT(CURLOPT_CAPATH, cfg->ca_path);
    if (cfg->proxy)
        KSETOPT(CURLOPT_PROXY, cfg->proxy);
    KSETOPT(CURLOPT_PRIVATE, (void *)k);
    return ODOO_OK;
}

/* Header lists can hold the session token: wipe them before freeing. */
static void free_headers(struct curl_slist *h)
{
    struct curl_slist *p;
    for (p = h; p; p = p->next)
        if (p->data)
            odoo__wipe(p->data, strlen(p->data));
    curl_slist_free_all(h);
}

void odoo__aws_conn_dispose(odoo__aws_conn *k)
{
    if (k->curl)
        curl_easy_cleanup(k->curl);
    free_headers(k->headers);
    odoo__buf_dispose(&k->body);
    odoo__buf_dispose(&k->resp);
    memset(k, 0, sizeof(*k));
}

static struct curl_slist *add_header(struct curl_slist *list, int *ok, const char *name,
                                     const char *value)
{
    size_t n;
    char *line;
    struct curl_slist *next;
    if (!*ok)
        return list;
    n = strlen(name) + strlen(value) + 3;
    line = odoo__malloc(n);
    if (!line) {
        *ok = 0;
        return list;
    }
    snprintf(line, n, "%s: %s", name, value);
    next = curl_slist_append(list, line);
    odoo__wipe(line, n);
    free(line);
    if (!next) {
        *ok = 0;
        return list;
    }
    return next;
}

int odoo__aws_conn_prepare(odoo__aws_conn *k, const odoo__aws_config *cfg,
                           const char *operation, odoo_error *err)
{
    odoo__aws_keys keys = {NULL, NULL, NULL};
    odoo__sigv4_header h[5];
    odoo__sigv4_request r;
    odoo__buf auth = {0};
    char amz_date[17], target[128], url[1024];
    struct curl_slist *list = NULL;
    int rc, ok = 1;
    size_t nh = 0;

    rc = odoo__aws_credentials_get(cfg->creds, &keys, err);
    if (rc != ODOO_OK)
        return rc;
    if (odoo__buf_reserve(&k->body, 0) != ODOO_OK) {
        odoo__aws_keys_dispose(&keys);
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    }
    k->body.data[k->body.len] = '\0';
    odoo__amz_date(odoo__unix_now(), amz_date);
    snprintf(target, sizeof(target), "%s.%s", cfg->target_prefix, operation);

    h[nh].name = "content-type";
    h[nh++].value = cfg->content_type;
    h[nh].name = "host";
    h[nh++].value = cfg->host;
    h[nh].name = "x-amz-date";
    h[nh++].value = amz_date;
    h[nh].name = "x-amz-target";
    h[nh++].value = target;
    if (keys.session_token) {
        h[nh].name = "x-amz-security-token";
        h[nh++].value = keys.session_token;
    }
    memset(&r, 0, sizeof(r));
    r.method = "POST";
    r.path = "/";
    r.query = "";
    r.headers = h;
    r.nheaders = nh;
    r.payload = k->body.data;
    r.payload_len = k->body.len;
    r.amz_date = amz_date;
    r.region = cfg->region;
    r.service = cfg->service;
    r.access_key_id = keys.access_key_id;
    r.secret_access_key = keys.secret_access_key;
    rc = odoo__sigv4_authorization(&r, &auth, NULL);
    if (rc != ODOO_OK) {
        odoo__aws_keys_dispose(&keys);
        odoo__buf_dispose(&auth);
        return odoo__error_set(err, rc, 0, "aws: cannot sign the request");
    }
    list = add_header(list, &ok, "Content-Type", cfg->content_type);
    list = add_header(list, &ok, "Host", cfg->host);
    list = add_header(list, &ok, "X-Amz-Date", amz_date);
    list = add_header(list, &ok, "X-Amz-Target", target);
    if (keys.session_token)
        list = add_header(list, &ok, "X-Amz-Security-Token", keys.session_token);
    list = add_header(list, &ok, "Authorization", auth.data);
    if (ok) {
        /* no 100-continue round trip; the signature does not cover it */
        struct curl_slist *next = curl_slist_append(list, "Expect:");
        if (next)
            list = next;
        else
            ok = 0;
    }
    odoo__aws_keys_dispose(&keys);
    odoo__buf_dispose(&auth);
    if (!ok) {
        free_headers(list);
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    }
    free_headers(k->headers);
    k->headers = list;
    snprintf(url, sizeof(url), "%s/", cfg->endpoint);
    k->resp.len = 0;
    odoo__curl_body_reset(&k->resp_body);
    k->errbuf[0] = '\0';
    KSETOPT(CURLOPT_URL, url);
    KSETOPT(CURLOPT_HTTPHEADER, k->headers);
    KSETOPT(CURLOPT_POSTFIELDS, k->body.data);
    KSETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)k->body.len);
    return ODOO_OK;
}

int odoo__aws_conn_result(odoo__aws_conn *k, CURLcode cc, odoo_error *err, json_t **out)
{
    long status = 0;
    int rc;
    if (out)
        *out = NULL;
    if (cc != CURLE_OK) {
        const char *why = k->errbuf[0] ? k->errbuf : curl_easy_strerror(cc);
        if (cc == CURLE_WRITE_ERROR && k->resp_body.over_cap)
            rc = odoo__error_set(err, ODOO_ETOOBIG, 0,
                                 "aws: answer larger than %zu bytes: stopped after %zu bytes",
                                 k->resp_body.cap, k->resp_body.received);
        else if (cc == CURLE_WRITE_ERROR && k->resp_body.nomem)
            rc = odoo__error_set(err, ODOO_ENOMEM, 0, "aws: out of memory");
        else if (cc == CURLE_OPERATION_TIMEDOUT)
            rc = odoo__error_set(err, ODOO_ETIMEOUT, 0, "aws: timeout: %s", why);
        else if (cc == CURLE_OUT_OF_MEMORY)
            rc = odoo__error_set(err, ODOO_ENOMEM, 0, "aws: out of memory");
        else
            rc = odoo__error_set(err, ODOO_ENETWORK, 0, "aws: %s", why);
        odoo__buf_clear_secret(&k->resp);
        return rc;
    }
    curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) {
        odoo__json_error jerr;
        json_t *doc = NULL;
        int prc = odoo__json_parse(k->resp.data ? k->resp.data : "", k->resp.len, 0, &doc, &jerr);
        odoo__buf_clear_secret(&k->resp);
        if (prc == ODOO__JSON_NOMEM)
            return odoo__error_set(err, ODOO_ENOMEM, 200, "out of memory reading the answer");
        if (prc != 0 || !json_is_object(doc)) {
            json_decref(doc);
            return odoo__error_set(err, ODOO_EPROTOCOL, 200,
                                   "aws: the answer is not a JSON object (%s at byte %zu)",
                                   prc ? jerr.text : "another value", prc ? jerr.position : 0);
        }
        if (out)
            *out = doc;
        else
            json_decref(doc);
        return ODOO_OK;
    } else {
        char *type = NULL, *message = NULL, tb[128];
        int retryable = 0;
        odoo__aws_parse_error_body(k->resp.data, k->resp.len, &type, &message);
        odoo__buf_clear_secret(&k->resp);
        clean_message(message);
        rc = odoo__aws_map_error(type, status, &retryable);
        if (type)
            odoo__error_set(err, rc, (int)status, "aws: %s: %s", bare_type(type, tb, sizeof(tb)),
                            message && *message ? message : "(no message)");
        else
            odoo__error_set(err, rc, (int)status, "aws: HTTP %ld%s%s", status,
                            message ? ": " : "", message ? message : "");
        err->retryable = retryable;
        if (type) {
            free(err->klass);
            err->klass = odoo__strdup(bare_type(type, tb, sizeof(tb)));
        }
        free(type);
        free(message);
        return rc;
    }
}

static int is_expired_token(const odoo_error *err)
{
    return err->klass
           && (strcmp(err->klass, "ExpiredToken") == 0
               || strcmp(err->klass, "ExpiredTokenException") == 0);
}

int odoo__aws_call(const odoo__aws_config *cfg, odoo__aws_conn *k, unsigned int *rng,
                   const char *operation, json_t *request, json_t **out, odoo_error *err)
{
    int attempt, rc, refreshed = 0;
    if (out)
        *out = NULL;
    if (odoo__buf_set_json(&k->body, request) != ODOO_OK)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    for (attempt = 0;; attempt++) {
        CURLcode cc;
        rc = odoo__aws_conn_prepare(k, cfg, operation, err);
        if (rc != ODOO_OK)
            return rc;
        cc = curl_easy_perform(k->curl);
        rc = odoo__aws_conn_result(k, cc, err, out);
        if (rc == ODOO_OK)
            return ODOO_OK;
        if (rc == ODOO_EAUTH && is_expired_token(err) && !refreshed) {
            /* refreshed credentials may do: once, without counting it */
            refreshed = 1;
            odoo__aws_credentials_invalidate(cfg->creds);
            attempt--;
            continue;
        }
        if (!err->retryable || attempt >= cfg->max_retries)
            return rc;
        odoo__sleep_ms(odoo__backoff_ms(rng, attempt, cfg->retry_base_ms, cfg->retry_max_ms,
                                         ODOO__JITTER_FULL));
    }
}
