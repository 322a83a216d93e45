// SPDX-License-Identifier: MIT
/* odoo-sync-orders: command line. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync.h"
#include "tool_common.h" /* tool_parse_bytes */

static void usage(FILE *f)
{
    fputs(
        "Usage: odoo-sync-orders [OPTIONS] --sink SPEC [--sink SPEC ...]\n"
        "\n"
        "Copies Odoo sale orders into DynamoDB tables and/or JSON files: one item per\n"
        "order with order_name, order_id, customer_id, customer_name, amount_total,\n"
        "state, date_order, response_status, last_updated_at and odoo_write_date.\n"
        "\n"
        "What to read (default: the newest 100 orders, newest first):\n"
        "  --limit N           how many of the newest orders (default 100)\n"
        "  --all               every order, paged by id (keyset pagination)\n"
        "  --page-size N       records per page with --all/--state-file (default 500)\n"
        "  --state SPEC        incremental: only orders changed since the (write_date, id)\n"
        "                      cursor kept in SPEC: file:PATH, or dynamodb:TABLE[/KEY] (one\n"
        "                      item, partition key \"key\" (S), KEY default \"orders\"); the\n"
        "                      cursor moves only after every sink stored the page, so a\n"
        "                      killed run resumes with nothing lost\n"
        "  --state-file PATH   the same as --state file:PATH\n"
        "  --lease-seconds N   with --state: a run holds the cursor's lease; two runs never\n"
        "                      work one cursor. A killed run's lease expires after N seconds\n"
        "                      (default 300; renewed as pages go; a file's lock is released\n"
        "                      at once)\n"
        "  --lease-wait SECONDS  wait that long for a lease another run holds (default 0:\n"
        "                      exit 7 at once)\n"
        "  --shard K/N         only shard K of N (0 <= K < N <= 64): disjoint order-id ranges\n"
        "                      fixed at the first sharded run (kept in the state), each with\n"
        "                      its own cursor and lease; new orders go to the last shard\n"
        "  --overlap SECONDS   with --state-file: read again the orders changed within SECONDS\n"
        "                      before the cursor, its own second included (default 0: that\n"
        "                      second only), so orders Odoo stamped behind the cursor (same\n"
        "                      second, smaller id; long transactions) are not missed;\n"
        "                      re-read orders are written again (puts are idempotent)\n"
        "  --no-overlap        the strict cursor: never re-read (may miss such orders)\n"
        "  --domain JSON       an extra Odoo domain, e.g. '[[\"state\",\"=\",\"sale\"]]'\n"
        "\n"
        "Where to write (repeatable):\n"
        "  --sink dynamodb:TABLE   partition key order_name (S), sort key order_id (S)\n"
        "  --sink json:PATH        one JSON array, replaced atomically at the end of a\n"
        "                          complete run (not with --state-file)\n"
        "  --sink jsonl:PATH       JSON Lines, replaced atomically at the end of a complete\n"
        "                          run; with --state-file appended page by page\n"
        "                          A failed run leaves the files as they were.\n"
        "  --with-lines SPEC       also sync sale.order.line (dynamodb: key order_id/line_id)\n"
        "  --with-partners SPEC    also sync the customers (dynamodb: key customer_id N)\n"
        "  --create-table          create missing DynamoDB tables (on-demand billing)\n"
        "  --conditional           DynamoDB: conditional PutItem on odoo_write_date, so an\n"
        "                          older version never overwrites a newer one (replay-safe);\n"
        "                          default: BatchWriteItem\n"
        "  --dead-letter-dir DIR   where items DynamoDB refuses go (TABLE.dead-letter.jsonl);\n"
        "                          default: the current directory\n"
        "\n"
        "Other:\n"
        "  --create-order JSON     create an order (and its customer, found by e-mail or\n"
        "                          created) instead of syncing; JSON: {\"customer\": {\"name\",\n"
        "                          \"email\"}, \"lines\": [{\"product_code\", \"quantity\",\n"
        "                          \"price_unit\"}], \"client_order_ref\"}\n"
        "  --secret-id ID          read the Odoo credentials from AWS Secrets Manager\n"
        "  --transport T           session (default with a password), jsonrpc, json2, auto\n"
        "  --session-file PATH     keep the login here between runs (the web session, or\n"
        "                          /jsonrpc's uid; mode 0600), so a run whose login still\n"
        "                          holds does not log in; default:\n"
        "                          PATH.session beside --state file:PATH, /tmp in Lambda\n"
        "  --no-session-file       log in every run\n"
        "  --no-pipeline           read the next page only after the last one is stored\n"
        "  --timeout SECONDS       per Odoo request (default 120)\n"
        "  --max-response-bytes N  stop an Odoo answer larger than N bytes (k, M, G allowed;\n"
        "                          default 256M), exit 4\n"
        "  --allow-insecure-http   send the password over plain http:// to a host that is\n"
        "                          not loopback (a trusted internal network only)\n"
        "  --retry-deadline SECONDS  keep retrying reads while Odoo is unavailable (refused,\n"
        "                          HTTP 502/503/504), e.g. restarting (default 60; 0 = 3 retries)\n"
        "  --lambda                run as an AWS Lambda custom runtime (AWS_LAMBDA_RUNTIME_API)\n"
        "  --quiet                 no progress on stderr\n"
        "  --help, --version\n"
        "\n"
        "Credentials (never on the command line): --secret-id with a secret holding JSON\n"
        "{\"ODOO_URL\", \"ODOO_DB\", \"ODOO_EMAIL\", \"ODOO_PASSWORD\"[, \"ODOO_API_KEY\"]}, or the\n"
        "same names in the environment (ODOO_USER is accepted for ODOO_EMAIL). AWS region,\n"
        "endpoint and credentials come from the standard AWS environment (AWS_REGION,\n"
        "AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ACCESS_KEY_ID, ...,\n"
        "shared config files, the container/Lambda credentials endpoint). ODOO_CA_FILE: a PEM\n"
        "file of trusted CAs for Odoo and AWS (default: the system's).\n"
        "\n"
        "Progress: a bar on stderr when it is a terminal, one JSON line per page otherwise.\n"
        "Summary: one JSON object on stdout (read, written, skipped, retried, dead_lettered,\n"
        "reauths, seconds, ...).\n"
        "\n"
        "Exit status: 0 all written; 1 some items dead-lettered; 2 usage; 3 authentication\n"
        "(Odoo or AWS); 4 Odoo unreachable (network, HTTP, timeout, protocol); 5 sink failure;\n"
        "6 Odoo refused a call; 7 the cursor's lease is held by another run (or was taken\n"
        "over: this run stopped without moving the cursor).\n",
        f);
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int add(const char **list, size_t *n, const char *v)
{
    if (*n >= SYNC_MAX_SINKS)
        return -1;
    list[(*n)++] = v;
    return 0;
}

int sync_execute(const sync_config *cfg, sync_run *run)
{
    struct timespec ts;
    size_t i;
    int failed = 0;

    memset(run, 0, sizeof(*run));
    run->cfg = cfg;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    run->started = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;

    sync_session_default(cfg, run->session_path, sizeof(run->session_path));
    /* the lease first: a run that may not sync asks Odoo nothing */
    /* the client first (it asks Odoo nothing yet), then the lease: a run that
     * may not sync logs in nowhere */
    if (sync_check_config(run) != 0 || sync_connect(run) != 0
        || (!cfg->create_order && sync_take_state(run) != 0))
        return run->exit_code;
    if (cfg->create_order) {
        sync_create_order(run, cfg->create_order);
        return run->exit_code;
    }
    for (i = 0; i < cfg->n_sinks && !failed; i++, run->n_order_sinks++)
        failed = sync_sink_open(run, &run->order_sinks[i], cfg->sinks[i], SYNC_ORDERS) != ODOO_OK;
    for (i = 0; i < cfg->n_line_sinks && !failed; i++, run->n_line_sinks++)
        failed = sync_sink_open(run, &run->line_sinks[i], cfg->line_sinks[i], SYNC_LINES)
                 != ODOO_OK;
    for (i = 0; i < cfg->n_partner_sinks && !failed; i++, run->n_partner_sinks++)
        failed = sync_sink_open(run, &run->partner_sinks[i], cfg->partner_sinks[i],
                                SYNC_PARTNERS)
                 != ODOO_OK;
    if (failed)
        return run->exit_code;
    if (sync_run_orders(run) == 0) {
        /* a complete run: whole-file sinks are committed now */
        sync_sinks_close(run, run->order_sinks, run->n_order_sinks);
        sync_sinks_close(run, run->line_sinks, run->n_line_sinks);
        sync_sinks_close(run, run->partner_sinks, run->n_partner_sinks);
    }
    if (run->exit_code == SYNC_EXIT_OK && run->dead_lettered > 0)
        run->exit_code = SYNC_EXIT_DEAD_LETTERED;
    return run->exit_code;
}

int main(int argc, char **argv)
{
    sync_config cfg;
    sync_run run;
    json_t *summary;
    int i, code;
    long v;

    signal(SIGPIPE, SIG_IGN);
    memset(&cfg, 0, sizeof(cfg));
    cfg.limit = 100;
    cfg.page_size = 500;
    cfg.timeout_ms = 120000;
    cfg.retry_deadline_ms = ODOO_DEFAULT_RETRY_DEADLINE_MS;
    cfg.overlap_s = 0;
    cfg.lease_seconds = 300;
    cfg.dead_letter_dir = ".";
    cfg.transport = ODOO_TRANSPORT_AUTO;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("odoo-sync-orders (libodoo %s)\n", odoo_version());
            return 0;
        } else if (!strcmp(a, "--all")) {
            cfg.all = 1;
            takes = 0;
        } else if (!strcmp(a, "--create-table")) {
            cfg.create_table = 1;
            takes = 0;
        } else if (!strcmp(a, "--conditional")) {
            cfg.conditional = 1;
            takes = 0;
        } else if (!strcmp(a, "--quiet")) {
            cfg.quiet = 1;
            takes = 0;
        } else if (!strcmp(a, "--lambda")) {
            cfg.lambda = 1;
            takes = 0;
        } else if (!strcmp(a, "--no-session-file")) {
            cfg.no_session_file = 1;
            takes = 0;
        } else if (!strcmp(a, "--allow-insecure-http")) {
            cfg.allow_insecure_http = 1;
            takes = 0;
        } else if (!strcmp(a, "--no-pipeline")) {
            cfg.no_pipeline = 1;
            takes = 0;
        } else if (!strcmp(a, "--no-overlap")) {
            cfg.overlap_s = -1;
            takes = 0;
        } else if (!val) {
            fprintf(stderr, "odoo-sync-orders: %s needs a value (see --help)\n", a);
            return SYNC_EXIT_USAGE;
        } else if (!strcmp(a, "--limit")) {
            if (parse_long(val, 1, 1000000000L, &cfg.limit) != 0)
                goto bad;
        } else if (!strcmp(a, "--page-size")) {
            if (parse_long(val, 1, 100000, &v) != 0)
                goto bad;
            cfg.page_size = (size_t)v;
        } else if (!strcmp(a, "--max-pages")) {
            if (parse_long(val, 1, 1000000000L, &v) != 0)
                goto bad;
            cfg.max_pages = (unsigned long)v;
        } else if (!strcmp(a, "--timeout")) {
            if (parse_long(val, 1, 86400, &v) != 0)
                goto bad;
            cfg.timeout_ms = v * 1000;
        } else if (!strcmp(a, "--retry-deadline")) {
            if (parse_long(val, 0, 86400, &v) != 0)
                goto bad;
            cfg.retry_deadline_ms = v * 1000;
        } else if ((!strcmp(a, "--state-file") || !strcmp(a, "--state")) && cfg.state) {
            fprintf(stderr, "odoo-sync-orders: one cursor per run: give --state (or "
                            "--state-file) once\n");
            return SYNC_EXIT_USAGE;
        } else if (!strcmp(a, "--state-file")) {
            snprintf(cfg.state_buf, sizeof(cfg.state_buf), "file:%s", val);
            cfg.state = cfg.state_buf;
        } else if (!strcmp(a, "--state")) {
            cfg.state = val;
        } else if (!strcmp(a, "--max-response-bytes")) {
            if (tool_parse_bytes(val, &cfg.max_response_bytes) != 0)
                goto bad;
        } else if (!strcmp(a, "--session-file")) {
            cfg.session_file = val;
        } else if (!strcmp(a, "--lease-seconds")) {
            if (parse_long(val, 1, 86400, &cfg.lease_seconds) != 0)
                goto bad;
        } else if (!strcmp(a, "--lease-wait")) {
            if (parse_long(val, 0, 86400, &cfg.lease_wait_s) != 0)
                goto bad;
        } else if (!strcmp(a, "--shard")) {
            if (sync_parse_shard(val, &cfg.shard_k, &cfg.shard_n) != 0) {
                fprintf(stderr, "odoo-sync-orders: --shard %s: expected K/N with 0 <= K < N "
                                "<= %d\n", val, SYNC_MAX_SHARDS);
                return SYNC_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--overlap")) {
            if (parse_long(val, 0, 31L * 86400, &cfg.overlap_s) != 0)
                goto bad;
        } else if (!strcmp(a, "--domain")) {
            cfg.domain = val;
        } else if (!strcmp(a, "--secret-id")) {
            cfg.secret_id = val;
        } else if (!strcmp(a, "--sink")) {
            if (add(cfg.sinks, &cfg.n_sinks, val) != 0)
                goto bad;
        } else if (!strcmp(a, "--with-lines")) {
            if (add(cfg.line_sinks, &cfg.n_line_sinks, val) != 0)
                goto bad;
        } else if (!strcmp(a, "--with-partners")) {
            if (add(cfg.partner_sinks, &cfg.n_partner_sinks, val) != 0)
                goto bad;
        } else if (!strcmp(a, "--dead-letter-dir")) {
            cfg.dead_letter_dir = val;
        } else if (!strcmp(a, "--create-order")) {
            cfg.create_order = val;
        } else if (!strcmp(a, "--transport")) {
            if (odoo_transport_from_name(val, &cfg.transport) != ODOO_OK)
                goto bad;
        } else {
            fprintf(stderr, "odoo-sync-orders: unknown option %s (see --help)\n", a);
            return SYNC_EXIT_USAGE;
        }
        i += takes;
        continue;
    bad:
        fprintf(stderr, "odoo-sync-orders: bad value for %s (see --help)\n", a);
        return SYNC_EXIT_USAGE;
    }

    if (cfg.lambda || (getenv("AWS_LAMBDA_RUNTIME_API") && cfg.n_sinks == 0 && !cfg.create_order))
        return sync_lambda_main(&cfg);
    if (cfg.n_sinks == 0 && !cfg.create_order) {
        fprintf(stderr, "odoo-sync-orders: give at least one --sink (see --help)\n");
        return SYNC_EXIT_USAGE;
    }
    if (cfg.state && cfg.all)
        cfg.all = 0; /* the cursor covers everything already */

    code = sync_execute(&cfg, &run);
    if (!cfg.create_order) {
        summary = sync_summary(&run);
        if (summary) {
            json_dumpf(summary, stdout, JSON_COMPACT);
            fputc('\n', stdout);
            json_decref(summary);
        }
    }
    if (run.error[0])
        fprintf(stderr, "odoo-sync-orders: %s\n", run.error);
    sync_run_dispose(&run);
    return code;
}
