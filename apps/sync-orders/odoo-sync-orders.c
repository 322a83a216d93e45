// SPDX-License-Identifier: MIT
/*
 * odoo-sync-orders: copy Odoo sale orders into DynamoDB and/or JSON files.
 *
 * The C replacement of the "Lambda -> Odoo Online -> DynamoDB" integration:
 * credentials from AWS Secrets Manager (or the environment), the web-session
 * login Odoo Online allows, sale.order read with a field whitelist, one item
 * per order written to every sink, an incremental (write_date, id) cursor
 * saved only after the sinks confirmed a page. Also runs as an AWS Lambda
 * custom runtime (--lambda, see lambda.c).
 *
 * Everything that is not specific to this program lives in the library:
 * transports, retries, re-authentication, keyset paging, the cursor, the
 * sinks, SigV4, Secrets Manager.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <odoo.h>

#include "sync.h"

/* What is read from each model. Every name exists on Odoo 16.0 to 19.0; each
 * run checks them against the server (fields_get, cached by the client) and
 * reads only those it has: an item's attribute whose field the server lacks is
 * null. A missing required field stops the run (exit 2). */
static const char *const order_want[] = {"id", "name", "partner_id", "amount_total", "state",
                                         "date_order", "write_date", NULL};
static const char *const order_required[] = {"id", "name", "write_date", NULL};
static const char *const line_want[] = {"order_id", "product_id", "name", "product_uom_qty",
                                        "price_unit", "price_subtotal", NULL};
static const char *const line_required[] = {"order_id", NULL};
static const char *const partner_want[] = {"name", "email", "phone", "is_company", "write_date",
                                           NULL};
static const char *const partner_required[] = {NULL};

/* ---- small helpers -------------------------------------------------------------------- */

double sync_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sync_iso_utc_now(char *buf, size_t n)
{
    struct timespec ts;
    struct tm tm;
    char base[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%03dZ", base, (int)(ts.tv_nsec / 1000000L));
}

void sync_errorf(sync_run *run, int exit_code, const char *fmt, ...)
{
    va_list ap;
    if (run->exit_code == SYNC_EXIT_OK || run->exit_code == SYNC_EXIT_DEAD_LETTERED)
        run->exit_code = exit_code;
    va_start(ap, fmt);
    vsnprintf(run->error, sizeof(run->error), fmt, ap);
    va_end(ap);
    /* one line: Odoo messages may span several */
    for (char *p = run->error; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

int sync_exit_for_odoo(int rc)
{
    switch (rc) {
    case ODOO_EAUTH:
        return SYNC_EXIT_AUTH;
    case ODOO_EINVAL:
        return SYNC_EXIT_USAGE;
    case ODOO_EACCESS:
    case ODOO_EVALIDATION:
    case ODOO_EMISSING:
    case ODOO_EUSER:
    case ODOO_ENOTFOUND:
    case ODOO_ESERVER:
        return SYNC_EXIT_ODOO;
    default: /* network, timeout, HTTP, protocol, session, in doubt */
        return SYNC_EXIT_NETWORK;
    }
}

void sync_odoo_failure_text(char *buf, size_t n, odoo_client *client, const char *what, int rc)
{
    const odoo_error *e = odoo_client_last_error(client);
    snprintf(buf, n, "%s: %s%s%s%s: %s", what, odoo_error_name(rc),
             odoo_error_class(e)[0] ? " [" : "", odoo_error_class(e),
             odoo_error_class(e)[0] ? "]" : "", odoo_error_message(e));
}

void sync_odoo_failure(sync_run *run, const char *what, int rc)
{
    char text[sizeof(run->error)];
    sync_odoo_failure_text(text, sizeof(text), run->client, what, rc);
    sync_errorf(run, sync_exit_for_odoo(rc), "%s", text);
}

/* ---- field lists that follow the server's version --------------------------------------- */

static void fields_init(sync_fields *f, const char *model, const char *const *want,
                        const char *const *required)
{
    memset(f, 0, sizeof(*f));
    f->model = model;
    f->want = want;
    f->required = required;
}

/* The field lists of the three models, resolved against the server later. */
void sync_fields_setup(sync_run *run)
{
    fields_init(&run->order_fields, "sale.order", order_want, order_required);
    fields_init(&run->line_fields, "sale.order.line", line_want, line_required);
    fields_init(&run->partner_fields, "res.partner", partner_want, partner_required);
}

static int is_required(const sync_fields *f, const char *name)
{
    const char *const *r;
    for (r = f->required; *r; r++)
        if (!strcmp(*r, name))
            return 1;
    return 0;
}

/* Keep the wanted fields the server has (odoo_fields_check: one cached
 * fields_get per model and client). 0, or -1 with the run's error set. */
int sync_fields_resolve(sync_run *run, sync_fields *f)
{
    size_t i, n = 0;
    if (f->resolved)
        return 0;
    for (i = 0; f->want[i] && n < SYNC_MAX_FIELDS; i++) {
        const char *one[2];
        int rc;
        one[0] = f->want[i];
        one[1] = NULL;
        rc = !strcmp(f->want[i], "id") ? ODOO_OK : odoo_fields_check(run->client, f->model, one);
        if (rc == ODOO_OK) {
            f->use[n++] = f->want[i];
        } else if (rc == ODOO_EINVAL && !is_required(f, f->want[i])) {
            continue; /* this version has no such field: the attribute is null */
        } else {
            sync_odoo_failure(run, f->model, rc);
            return -1;
        }
    }
    f->use[n] = NULL;
    f->resolved = 1;
    return 0;
}

/* ---- sinks ------------------------------------------------------------------------------ */

static int open_dynamodb(sync_run *run, sync_sink *s, const char *table, const char *pk,
                         odoo_dynamodb_type pkt, const char *sk, odoo_dynamodb_type skt)
{
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    char dlq[4200];
    int rc;

    if (!run->dynamodb) {
        odoo_aws_options ao = ODOO_AWS_OPTIONS_INIT;
        ao.ca_file = sync_ca_file();
        rc = odoo_dynamodb_new(&run->dynamodb, &ao);
        if (rc != ODOO_OK) {
            sync_errorf(run, SYNC_EXIT_SINK, "dynamodb: %s: %s", odoo_error_name(rc),
                        odoo_error_message(odoo_dynamodb_last_error(run->dynamodb)));
            return rc;
        }
    }
    if (!run->cfg->create_table) {
        /* fail before reading Odoo when the table is not there */
        json_t *desc = NULL;
        rc = odoo_dynamodb_describe_table(run->dynamodb, &desc, table);
        json_decref(desc);
        if (rc != ODOO_OK) {
            sync_errorf(run, rc == ODOO_EAUTH ? SYNC_EXIT_AUTH : SYNC_EXIT_SINK,
                        "dynamodb: table %s: %s: %s%s", table, odoo_error_name(rc),
                        odoo_error_message(odoo_dynamodb_last_error(run->dynamodb)),
                        rc == ODOO_ENOTFOUND ? " (--create-table creates it)" : "");
            return rc;
        }
    } else {
        rc = odoo_dynamodb_create_table(run->dynamodb, table, pk, pkt, sk, skt, 60000);
        if (rc != ODOO_OK
            && strcmp(odoo_error_class(odoo_dynamodb_last_error(run->dynamodb)),
                      "ResourceInUseException") != 0) {
            sync_errorf(run, SYNC_EXIT_SINK, "dynamodb: CreateTable %s: %s: %s", table,
                        odoo_error_name(rc),
                        odoo_error_message(odoo_dynamodb_last_error(run->dynamodb)));
            return rc;
        }
    }
    o.table = table;
    o.partition_key = pk;
    o.partition_type = pkt;
    o.sort_key = sk;
    o.sort_type = skt;
    o.mode = run->cfg->conditional ? ODOO_DYNAMODB_CONDITIONAL : ODOO_DYNAMODB_BATCH;
    o.version_attribute = "odoo_write_date";
    if (run->cfg->dead_letter_dir) {
        snprintf(dlq, sizeof(dlq), "%s/%s.dead-letter.jsonl", run->cfg->dead_letter_dir, table);
        o.dead_letter_path = dlq;
    }
    rc = odoo_dynamodb_sink_open(&s->sink, run->dynamodb, &o);
    if (rc != ODOO_OK) {
        sync_errorf(run, SYNC_EXIT_SINK, "dynamodb:%s: %s: %s", table, odoo_error_name(rc),
                    odoo_error_message(odoo_sink_last_error(s->sink)));
        odoo_sink_free(s->sink);
        s->sink = NULL;
    }
    return rc;
}

static int open_json(sync_run *run, sync_sink *s, const char *path, odoo_json_format fmt)
{
    odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
    int rc;
    o.path = path;
    o.format = fmt;
    o.flush_records = 0; /* we flush per page */
    /* with a cursor, JSON Lines grow: each run appends what it read, so what a
     * saved cursor has passed stays in the file (a run that fails keeps the
     * pages it stored, the ones its saved cursor passed) */
    o.append = fmt == ODOO_JSON_LINES && run->cfg->state;
    if (o.append)
        o.flush_bytes = 0; /* appended only per page: whole pages or nothing */
    rc = odoo_json_sink_open(&s->sink, &o);
    if (rc != ODOO_OK) {
        sync_errorf(run, SYNC_EXIT_SINK, "%s: %s: %s", path, odoo_error_name(rc),
                    odoo_error_message(odoo_sink_last_error(s->sink)));
        odoo_sink_free(s->sink);
        s->sink = NULL;
    }
    return rc;
}

/* "dynamodb:TABLE", "json:PATH", "jsonl:PATH" with the key schema of the
 * record kind (orders, lines, partners). */
int sync_sink_open(sync_run *run, sync_sink *s, const char *spec, sync_kind kind)
{
    const char *colon = strchr(spec, ':');
    static const struct {
        const char *pk;
        odoo_dynamodb_type pkt;
        const char *sk;
        odoo_dynamodb_type skt;
    } keys[] = {
        {"order_name", ODOO_DYNAMODB_S, "order_id", ODOO_DYNAMODB_S}, /* as the original table */
        {"order_id", ODOO_DYNAMODB_S, "line_id", ODOO_DYNAMODB_S},
        {"customer_id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S},
    };
    s->spec = spec;
    s->kind = kind;
    if (!colon || !colon[1]) {
        sync_errorf(run, SYNC_EXIT_USAGE, "--sink %s: expected dynamodb:TABLE, json:PATH or "
                                          "jsonl:PATH", spec);
        return ODOO_EINVAL;
    }
    if (strncmp(spec, "dynamodb:", 9) == 0)
        return open_dynamodb(run, s, colon + 1, keys[kind].pk, keys[kind].pkt, keys[kind].sk,
                             keys[kind].skt);
    if (strncmp(spec, "json:", 5) == 0)
        return open_json(run, s, colon + 1, ODOO_JSON_ARRAY);
    if (strncmp(spec, "jsonl:", 6) == 0)
        return open_json(run, s, colon + 1, ODOO_JSON_LINES);
    sync_errorf(run, SYNC_EXIT_USAGE, "--sink %s: unknown kind (dynamodb, json, jsonl)", spec);
    return ODOO_EINVAL;
}

/* Put a page of items, then flush: the page is stored when this returns 0. */
int sync_sinks_store(sync_run *run, sync_sink *sinks, size_t n, json_t *items)
{
    size_t i, j;
    json_t *item;
    for (i = 0; i < n; i++) {
        unsigned long long gave_up = odoo_sink_stat(sinks[i].sink, ODOO_SINK_GAVE_UP);
        json_array_foreach(items, j, item) {
            int rc = odoo_sink_put(sinks[i].sink, item);
            if (rc != ODOO_OK) {
                sync_errorf(run, SYNC_EXIT_SINK, "%s: %s: %s", sinks[i].spec,
                            odoo_error_name(rc),
                            odoo_error_message(odoo_sink_last_error(sinks[i].sink)));
                return -1;
            }
        }
        if (odoo_sink_flush(sinks[i].sink) != ODOO_OK) {
            /* dead-lettered items are not an error of the flush as long as
             * they were written to the dead-letter file */
            sync_errorf(run, SYNC_EXIT_SINK, "%s: flush: %s", sinks[i].spec,
                        odoo_error_message(odoo_sink_last_error(sinks[i].sink)));
            return -1;
        }
        gave_up = odoo_sink_stat(sinks[i].sink, ODOO_SINK_GAVE_UP) - gave_up;
        if (gave_up > 0) {
            /* throttling (or 5xx, network) outlasted the retries: the page is
             * not stored, so the cursor must not pass it; the next run sends
             * it again (the dead-letter file keeps a copy) */
            sync_errorf(run, SYNC_EXIT_DEAD_LETTERED,
                        "%s: %llu items not stored after a temporary failure outlasted the "
                        "retries (in the dead-letter file); stopped before saving the "
                        "cursor past them, so the next run sends them again",
                        sinks[i].spec, gave_up);
            return -1;
        }
    }
    return 0;
}

/* Count a finished (closed or aborted) sink's items into the run, then free it. */
static void sink_release(sync_run *run, sync_sink *s)
{
    run->written += odoo_sink_stat(s->sink, ODOO_SINK_WRITTEN);
    run->retried += odoo_sink_stat(s->sink, ODOO_SINK_RETRIED);
    run->dead_lettered += odoo_sink_stat(s->sink, ODOO_SINK_DEAD_LETTERED);
    run->skipped += odoo_sink_stat(s->sink, ODOO_SINK_SKIPPED);
    odoo_sink_free(s->sink);
    s->sink = NULL;
}

int sync_sinks_close(sync_run *run, sync_sink *sinks, size_t n)
{
    size_t i;
    int failed = 0;
    for (i = 0; i < n; i++) {
        if (!sinks[i].sink)
            continue;
        if (odoo_sink_close(sinks[i].sink) != ODOO_OK) {
            sync_errorf(run, SYNC_EXIT_SINK, "%s: close: %s", sinks[i].spec,
                        odoo_error_message(odoo_sink_last_error(sinks[i].sink)));
            failed = 1;
        }
        sink_release(run, &sinks[i]);
    }
    return failed ? -1 : 0;
}

void sync_sinks_abort(sync_run *run, sync_sink *sinks, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (!sinks[i].sink)
            continue;
        /* nothing more is written: a whole-file output keeps its old content;
         * JSON Lines appended with a cursor keep the pages the cursor passed */
        (void)odoo_sink_abort(sinks[i].sink);
        sink_release(run, &sinks[i]);
    }
}

int sync_check_config(sync_run *run)
{
    const sync_config *cfg = run->cfg;
    const char *const *lists[3];
    size_t counts[3], i, k;
    static const char *const opt[3] = {"--sink", "--with-lines", "--with-partners"};
    lists[0] = cfg->sinks;
    lists[1] = cfg->line_sinks;
    lists[2] = cfg->partner_sinks;
    counts[0] = cfg->n_sinks;
    counts[1] = cfg->n_line_sinks;
    counts[2] = cfg->n_partner_sinks;
    if (cfg->state) {
        sync_state_kind kind;
        if (sync_state_parse(cfg->state, &kind) != 0) {
            sync_errorf(run, SYNC_EXIT_USAGE,
                        "--state %s: expected file:PATH or dynamodb:TABLE[/KEY]", cfg->state);
            return -1;
        }
    }
    if (!cfg->state)
        return 0;
    for (k = 0; k < 3; k++) {
        for (i = 0; i < counts[k]; i++) {
            if (strncmp(lists[k][i], "json:", 5) == 0) {
                sync_errorf(run, SYNC_EXIT_USAGE,
                            "%s %s: a JSON array cannot be used with a cursor (--state, --state-file): each run "
                            "reads only what changed, and one JSON document cannot grow "
                            "across runs (replacing it would drop what earlier runs wrote); "
                            "use jsonl:%s, which is appended to",
                            opt[k], lists[k][i], lists[k][i] + 5);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- records -> items ------------------------------------------------------------------ */

/* One DynamoDB item per order, the attributes of the original table. */
json_t *sync_order_item(const json_t *order, int http_status, const char *now)
{
    json_t *partner = json_object_get(order, "partner_id");
    json_t *id = json_object_get(order, "id");
    json_t *wd = json_object_get(order, "write_date");
    char idbuf[32];
    snprintf(idbuf, sizeof(idbuf), "%lld", (long long)json_integer_value(id));
    return json_pack("{s:O, s:s, s:o, s:o, s:O?, s:O?, s:O?, s:i, s:s, s:O}",
                     "order_name", json_object_get(order, "name"),
                     "order_id", idbuf,
                     "customer_id", json_is_array(partner)
                                        ? json_incref(json_array_get(partner, 0)) : json_null(),
                     "customer_name", json_is_array(partner)
                                          ? json_incref(json_array_get(partner, 1)) : json_null(),
                     "amount_total", json_object_get(order, "amount_total"),
                     "state", json_object_get(order, "state"),
                     "date_order", json_object_get(order, "date_order"),
                     "response_status", http_status,
                     "last_updated_at", now,
                     "odoo_write_date", wd ? wd : json_null());
}

/* The counters of the order sinks still open (a failed run keeps them open:
 * whole-file sinks must not be committed), added to those of closed ones. */
static unsigned long long open_stat(const sync_run *run, odoo_sink_counter which)
{
    unsigned long long n = 0;
    size_t i;
    for (i = 0; i < run->n_order_sinks; i++)
        if (run->order_sinks[i].sink)
            n += odoo_sink_stat(run->order_sinks[i].sink, which);
    return n;
}

json_t *sync_summary(const sync_run *run)
{
    char shard[32];
    json_t *sum;
    snprintf(shard, sizeof(shard), "%d/%d", run->cfg ? run->cfg->shard_k : 0,
             run->cfg ? run->cfg->shard_n : 0);
    sum = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:i, s:s?}",
                    "read", (json_int_t)run->read,
                    "written", (json_int_t)(run->written + open_stat(run, ODOO_SINK_WRITTEN)),
                    "skipped", (json_int_t)(run->skipped + open_stat(run, ODOO_SINK_SKIPPED)),
                    "retried", (json_int_t)(run->retried + open_stat(run, ODOO_SINK_RETRIED)),
                    "dead_lettered",
                    (json_int_t)(run->dead_lettered + open_stat(run, ODOO_SINK_DEAD_LETTERED)),
                    "lines",
                    (json_int_t)run->lines_read, "partners", (json_int_t)run->partners_read,
                    "pages", (json_int_t)run->pages, "reauths",
                    (json_int_t)(run->client ? odoo_client_reauth_count(run->client) : 0),
                    "logins",
                    (json_int_t)(run->client ? odoo_client_login_count(run->client) : 0),
                    "odoo_retries",
                    (json_int_t)(run->client ? odoo_client_retry_count(run->client) : 0),
                    "seconds", sync_now_seconds() - run->started, "exit_code", run->exit_code,
                    "error", run->error[0] ? run->error : NULL);
    if (sum) {
        json_object_set_new(sum, "state", run->cfg && run->cfg->state
                                              ? json_string(run->cfg->state) : json_null());
        json_object_set_new(sum, "lease", run->lease ? json_string(run->lease) : json_null());
        json_object_set_new(sum, "shard", run->cfg && run->cfg->shard_n ? json_string(shard)
                                                                        : json_null());
    }
    return sum;
}

/* ---- credentials ------------------------------------------------------------------------ */

static const char *env(const char *a, const char *b)
{
    const char *v = getenv(a);
    if ((!v || !*v) && b)
        v = getenv(b);
    return v && *v ? v : NULL;
}

const char *sync_ca_file(void)
{
    /* the trusted CAs for Odoo and AWS alike (Lambda's bootstrap sets it to
     * Amazon Linux's bundle: the bundled libcurl looks where Debian keeps it) */
    return env("ODOO_CA_FILE", NULL);
}

int sync_connect(sync_run *run)
{
    odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
    odoo_session_options *so = NULL;
    int rc;

    if (run->cfg->secret_id) {
        odoo_aws_options ao = ODOO_AWS_OPTIONS_INIT;
        ao.ca_file = sync_ca_file();
        odoo_aws_secrets *sm = NULL;
        if ((rc = odoo_session_options_new(&so)) != ODOO_OK)
            return sync_errorf(run, SYNC_EXIT_USAGE, "out of memory"), -1;
        rc = odoo_aws_secrets_new(&sm, &ao);
        if (rc == ODOO_OK)
            rc = odoo_aws_secrets_get_session(sm, so, run->cfg->secret_id);
        if (rc != ODOO_OK) {
            sync_errorf(run, rc == ODOO_EAUTH ? SYNC_EXIT_AUTH : SYNC_EXIT_NETWORK,
                        "secret %s: %s: %s", run->cfg->secret_id, odoo_error_name(rc),
                        odoo_error_message(odoo_aws_secrets_last_error(sm)));
            odoo_aws_secrets_free(sm);
            odoo_session_options_free(so);
            return -1;
        }
        odoo_aws_secrets_free(sm);
        odoo_session_options_fill(so, &o);
    } else {
        o.url = env("ODOO_URL", NULL);
        o.database = env("ODOO_DB", NULL);
        o.login = env("ODOO_EMAIL", "ODOO_USER");
        o.password = env("ODOO_PASSWORD", NULL);
        o.api_key = env("ODOO_API_KEY", NULL);
        if (!o.url || !o.database || !o.login || (!o.password && !o.api_key)) {
            sync_errorf(run, SYNC_EXIT_USAGE,
                        "no Odoo credentials: give --secret-id, or set ODOO_URL, ODOO_DB, "
                        "ODOO_EMAIL (or ODOO_USER) and ODOO_PASSWORD in the environment");
            return -1;
        }
    }
    /* The web session: the one path Odoo Online allows for password users. */
    o.transport = run->cfg->transport;
    if (o.transport == ODOO_TRANSPORT_AUTO && o.password)
        o.transport = ODOO_TRANSPORT_SESSION;
    o.timeout_ms = run->cfg->timeout_ms;
    o.retry_deadline_ms = run->cfg->retry_deadline_ms;
    o.ca_file = sync_ca_file();
    if (run->cfg->max_response_bytes)
        o.max_response_bytes = run->cfg->max_response_bytes;
    o.allow_insecure_http = run->cfg->allow_insecure_http;
    /* the login kept between runs: a run whose web session (or /jsonrpc
     * uid) still holds does not log in; JSON-2 keeps nothing (its key is
     * checked on every call, there is no login to save) */
    if (run->session_path[0])
        o.cookie_file = run->session_path;
    rc = odoo_client_new(&run->client, &o);
    odoo_session_options_free(so);
    if (rc != ODOO_OK) {
        sync_errorf(run, SYNC_EXIT_USAGE, "cannot create the Odoo client (%s): %s",
                    odoo_error_name(rc),
                    run->client ? odoo_error_message(odoo_client_last_error(run->client))
                                : odoo_strerror(rc));
        odoo_client_free(run->client);
        run->client = NULL;
        return -1;
    }
    return 0;
}

void sync_run_dispose(sync_run *run)
{
    if (run->has_state)
        sync_state_close(run, &run->state);
    run->has_state = 0;
    free(run->since_wd);
    run->since_wd = NULL;
    /* sinks still open here belong to a run that failed: sync_execute()
     * closes (commits) them only after a complete run */
    sync_sinks_abort(run, run->order_sinks, run->n_order_sinks);
    sync_sinks_abort(run, run->line_sinks, run->n_line_sinks);
    sync_sinks_abort(run, run->partner_sinks, run->n_partner_sinks);
    odoo_dynamodb_free(run->dynamodb);
    run->dynamodb = NULL;
    odoo_client_free(run->client);
    run->client = NULL;
}
