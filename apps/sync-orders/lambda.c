// SPDX-License-Identifier: MIT
/* odoo-sync-orders as an AWS Lambda custom runtime (provided.al2023): the
 * Runtime API loop. `bootstrap` execs `odoo-sync-orders --lambda`.
 *
 *   GET  http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next
 *   POST .../runtime/invocation/<request id>/response   the run's summary
 *   POST .../runtime/invocation/<request id>/error      when the run failed
 *
 * Configuration: the environment (ODOO_SECRET_ID: the Secrets Manager secret
 * with the Odoo credentials; SYNC_SINKS: comma-separated sink specs, default
 * dynamodb:$DYNAMODB_TABLE; SYNC_CONDITIONAL=1; SYNC_STATE: the cursor, e.g.
 * dynamodb:SyncState/orders, which makes every invocation incremental;
 * SYNC_SHARD: K/N), overridden per invocation by the event: {"all": true,
 * "limit": 100, "domain": [...], "sinks": [...], "state": "...", "shard": "K/N"}.
 * The web session is kept in /tmp across warm invocations (never in DynamoDB). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "sync.h"

/* The largest event /next may hand us, checked as the bytes arrive: Lambda
 * refuses invocation payloads above 6 MB (6,291,456 bytes, synchronous; the
 * asynchronous limit is lower), so a real event is never larger. 6 MiB + 1 MiB
 * of headroom; anything longer means a broken or hostile Runtime API endpoint,
 * and reading it whole would take the function's memory: the invocation is
 * reported failed (OdooSyncEventTooLarge) and the runtime exits 4. The answers
 * to /response and /error are a few bytes: 64 KiB at most are kept. */
#define LAMBDA_EVENT_CAP ((size_t)7 * 1024 * 1024)
#define LAMBDA_ANSWER_CAP ((size_t)64 * 1024)

typedef struct {
    char *data;
    size_t len;
    size_t alloc;    /* bytes allocated at data (len + 1 at least, once data is set) */
    size_t cap;      /* the most bytes kept, checked as they arrive */
    size_t received; /* bytes libcurl handed over, kept or not */
    int over_cap;    /* the cap stopped the transfer */
} buffer;

static size_t on_body(char *p, size_t s, size_t n, void *ud)
{
    buffer *b = ud;
    char *d;
    n *= s;
    b->received += n;
    if (n > b->cap - b->len) { /* b->len <= b->cap always */
        b->over_cap = 1;
        return 0; /* libcurl stops the transfer: CURLE_WRITE_ERROR */
    }
    if (b->len + n + 1 > b->alloc) {
        /* grow geometrically, up to the cap: a few reallocs for the largest event */
        size_t want = b->alloc ? b->alloc : 4096;
        while (want < b->len + n + 1)
            want *= 2;
        if (want > b->cap + 1)
            want = b->cap + 1;
        d = realloc(b->data, want);
        if (!d)
            return 0;
        b->data = d;
        b->alloc = want;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static size_t on_header(char *p, size_t s, size_t n, void *ud)
{
    char *id = ud;
    size_t len = s * n;
    static const char name[] = "Lambda-Runtime-Aws-Request-Id:";
    if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
        size_t k = sizeof(name) - 1, j = 0;
        while (k < len && (p[k] == ' ' || p[k] == '\t'))
            k++;
        while (k < len && p[k] != '\r' && p[k] != '\n' && j < 127)
            id[j++] = p[k++];
        id[j] = '\0';
    }
    return len;
}

static long http(const char *url, const char *body, const char *extra_header, buffer *out,
                 char *request_id)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hd = NULL;
    long status = 0;
    CURLcode cc;
    if (!h)
        return -1;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (request_id) {
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, request_id);
    }
    if (body) {
        hd = curl_slist_append(hd, "Content-Type: application/json");
        if (extra_header)
            hd = curl_slist_append(hd, extra_header);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    }
    /* /next blocks until an event comes: no timeout there */
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    return cc == CURLE_OK ? status : -1;
}

/* Split "a,b,c" into cfg->sinks (pointing into a copy kept by the caller). */
static void set_sinks(sync_config *cfg, char *list)
{
    char *save = NULL, *tok;
    cfg->n_sinks = 0;
    for (tok = strtok_r(list, ",", &save); tok && cfg->n_sinks < SYNC_MAX_SINKS;
         tok = strtok_r(NULL, ",", &save))
        if (*tok)
            cfg->sinks[cfg->n_sinks++] = tok;
}

static json_t *invoke(const sync_config *base, json_t *event, int *code)
{
    sync_config cfg = *base;
    sync_run run;
    char *sink_list = NULL, *domain_text = NULL, deflt[512];
    const char *env_sinks = getenv("SYNC_SINKS"), *table = getenv("DYNAMODB_TABLE");
    const char *shard_error = NULL;
    json_t *v, *summary;

    if (!cfg.secret_id)
        cfg.secret_id = getenv("ODOO_SECRET_ID");
    if (getenv("SYNC_CONDITIONAL") && !strcmp(getenv("SYNC_CONDITIONAL"), "1"))
        cfg.conditional = 1;
    cfg.quiet = 1;
    if (json_is_array(v = json_object_get(event, "sinks"))) {
        size_t i;
        json_t *s;
        cfg.n_sinks = 0;
        json_array_foreach(v, i, s) {
            if (json_is_string(s) && cfg.n_sinks < SYNC_MAX_SINKS)
                cfg.sinks[cfg.n_sinks++] = json_string_value(s);
        }
    } else if (cfg.n_sinks == 0) {
        if (env_sinks && *env_sinks)
            sink_list = strdup(env_sinks);
        else if (table && *table) {
            snprintf(deflt, sizeof(deflt), "dynamodb:%s", table);
            sink_list = strdup(deflt);
        }
        if (sink_list)
            set_sinks(&cfg, sink_list);
    }
    if (!cfg.state && getenv("SYNC_STATE") && *getenv("SYNC_STATE"))
        cfg.state = getenv("SYNC_STATE");
    if (json_is_string(v = json_object_get(event, "state")))
        cfg.state = json_string_value(v);
    if (!cfg.shard_n && getenv("SYNC_SHARD") && *getenv("SYNC_SHARD")
        && sync_parse_shard(getenv("SYNC_SHARD"), &cfg.shard_k, &cfg.shard_n) != 0)
        shard_error = getenv("SYNC_SHARD");
    if (json_is_string(v = json_object_get(event, "shard"))
        && sync_parse_shard(json_string_value(v), &cfg.shard_k, &cfg.shard_n) != 0)
        shard_error = json_string_value(v);
    if (!cfg.session_file && !cfg.no_session_file)
        cfg.session_file = "/tmp/odoo-sync-orders.session";
    if (json_is_true(json_object_get(event, "all")))
        cfg.all = 1;
    if (json_is_integer(v = json_object_get(event, "limit")) && json_integer_value(v) > 0)
        cfg.limit = (long)json_integer_value(v);
    if (json_is_array(v = json_object_get(event, "domain"))) {
        domain_text = json_dumps(v, JSON_COMPACT);
        cfg.domain = domain_text;
    }
    if (cfg.state && cfg.all)
        cfg.all = 0; /* the cursor covers everything already */
    if (cfg.n_sinks == 0 || shard_error) {
        memset(&run, 0, sizeof(run));
        if (shard_error)
            sync_errorf(&run, SYNC_EXIT_USAGE, "shard %s: expected K/N with 0 <= K < N <= %d",
                        shard_error, SYNC_MAX_SHARDS);
        else
            sync_errorf(&run, SYNC_EXIT_USAGE, "no sink: set SYNC_SINKS or DYNAMODB_TABLE");
        *code = run.exit_code;
    } else {
        *code = sync_execute(&cfg, &run);
    }
    summary = sync_summary(&run);
    sync_run_dispose(&run);
    free(sink_list);
    free(domain_text);
    return summary;
}

int sync_lambda_main(const sync_config *base)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    const char *max_env = getenv("ODOO_SYNC_LAMBDA_MAX_INVOCATIONS"); /* testing aid */
    long max = max_env ? atol(max_env) : 0, done = 0;
    char url[512];

    if (!api || !*api) {
        fprintf(stderr, "odoo-sync-orders: --lambda needs AWS_LAMBDA_RUNTIME_API\n");
        return SYNC_EXIT_USAGE;
    }
    odoo_global_init();
    for (;;) {
        buffer ev = {NULL, 0, 0, LAMBDA_EVENT_CAP, 0, 0};
        buffer ignored = {NULL, 0, 0, LAMBDA_ANSWER_CAP, 0, 0};
        char request_id[128] = "";
        json_t *event, *summary;
        char *text;
        long status;
        int code;

        snprintf(url, sizeof(url), "http://%s/2018-06-01/runtime/invocation/next", api);
        status = http(url, NULL, NULL, &ev, request_id);
        if (ev.over_cap) {
            /* stopped at the cap: the invocation fails (if the Runtime API named it),
             * and the runtime exits, as the endpoint is not to be trusted further */
            char msg[256];
            snprintf(msg, sizeof(msg),
                     "the Lambda event is larger than %zu bytes (LAMBDA_EVENT_CAP): stopped "
                     "after %zu bytes",
                     (size_t)LAMBDA_EVENT_CAP, ev.received);
            fprintf(stderr, "odoo-sync-orders: %s\n", msg);
            free(ev.data);
            if (request_id[0]) {
                json_t *err = json_pack("{s:s, s:s}", "errorType", "OdooSyncEventTooLarge",
                                        "errorMessage", msg);
                char *etext = err ? json_dumps(err, JSON_COMPACT) : NULL;
                snprintf(url, sizeof(url), "http://%s/2018-06-01/runtime/invocation/%s/error",
                         api, request_id);
                http(url, etext ? etext : "{}",
                     "Lambda-Runtime-Function-Error-Type: OdooSyncEventTooLarge", &ignored, NULL);
                free(ignored.data);
                free(etext);
                json_decref(err);
            }
            odoo_global_cleanup();
            return SYNC_EXIT_NETWORK;
        }
        if (status != 200 || !request_id[0]) {
            free(ev.data);
            fprintf(stderr, "odoo-sync-orders: the Lambda Runtime API answered %ld\n", status);
            odoo_global_cleanup();
            return SYNC_EXIT_NETWORK;
        }
        event = json_loads(ev.data ? ev.data : "{}", 0, NULL);
        free(ev.data);
        summary = invoke(base, event, &code);
        json_decref(event);
        text = json_dumps(summary, JSON_COMPACT);
        if (code >= SYNC_EXIT_USAGE) {
            /* the invocation failed: report it as a function error */
            json_t *err = json_pack("{s:s, s:s, s:O}", "errorType", "OdooSyncError",
                                    "errorMessage",
                                    json_string_value(json_object_get(summary, "error"))
                                        ? json_string_value(json_object_get(summary, "error"))
                                        : "failed",
                                    "summary", summary);
            char *etext = json_dumps(err, JSON_COMPACT);
            snprintf(url, sizeof(url), "http://%s/2018-06-01/runtime/invocation/%s/error", api,
                     request_id);
            http(url, etext ? etext : "{}", "Lambda-Runtime-Function-Error-Type: OdooSyncError",
                 &ignored, NULL);
            free(etext);
            json_decref(err);
        } else {
            snprintf(url, sizeof(url), "http://%s/2018-06-01/runtime/invocation/%s/response",
                     api, request_id);
            http(url, text ? text : "{}", NULL, &ignored, NULL);
        }
        free(ignored.data);
        free(text);
        json_decref(summary);
        if (max > 0 && ++done >= max)
            break;
    }
    odoo_global_cleanup();
    return 0;
}
