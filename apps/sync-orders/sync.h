// SPDX-License-Identifier: MIT
/* odoo-sync-orders: shared declarations of the program's parts. */
#ifndef ODOO_SYNC_ORDERS_H
#define ODOO_SYNC_ORDERS_H

#include <odoo.h>
#include <odoo/aws.h> /* libodoo-aws: DynamoDB sink, Secrets Manager */

enum {
    SYNC_EXIT_OK = 0,
    SYNC_EXIT_DEAD_LETTERED = 1, /* all handled, some items went to a dead-letter file */
    SYNC_EXIT_USAGE = 2,
    SYNC_EXIT_AUTH = 3,
    SYNC_EXIT_NETWORK = 4, /* Odoo unreachable: network, HTTP, timeout, protocol */
    SYNC_EXIT_SINK = 5,
    SYNC_EXIT_ODOO = 6,    /* Odoo refused a call (access rights, bad domain, ...) */
    SYNC_EXIT_LEASE = 7    /* another run holds the cursor's lease, or took it over */
};

#define SYNC_MAX_SHARDS 64

typedef enum { SYNC_ORDERS = 0, SYNC_LINES = 1, SYNC_PARTNERS = 2 } sync_kind;

#define SYNC_MAX_SINKS 8

typedef struct {
    int all;
    long limit;
    size_t page_size;
    unsigned long max_pages; /* testing aid: stop after this many pages */
    const char *state;        /* --state file:PATH | dynamodb:TABLE[/KEY] (--state-file: file:) */
    char state_buf[4200];     /* "file:" + --state-file's PATH */
    long lease_seconds;       /* --lease-seconds (default 300) */
    long lease_wait_s;        /* --lease-wait (default 0: exit 7 at once) */
    int shard_k, shard_n;     /* --shard K/N; shard_n 0: not sharded */
    const char *session_file; /* --session-file; NULL: the default for the state */
    int no_session_file;      /* --no-session-file */
    int no_pipeline;          /* --no-pipeline: read a page only after the last is stored */
    size_t max_response_bytes; /* --max-response-bytes; 0: the library's default */
    int allow_insecure_http;  /* --allow-insecure-http */
    long overlap_s; /* --overlap: seconds re-read before the cursor; -1: none */
    const char *domain;
    const char *secret_id;
    const char *sinks[SYNC_MAX_SINKS];
    size_t n_sinks;
    const char *line_sinks[SYNC_MAX_SINKS];
    size_t n_line_sinks;
    const char *partner_sinks[SYNC_MAX_SINKS];
    size_t n_partner_sinks;
    const char *dead_letter_dir;
    const char *create_order;
    int create_table;
    int conditional;
    int quiet;
    int lambda;
    long timeout_ms;
    long retry_deadline_ms; /* --retry-deadline; set by main() to the library default */
    odoo_transport transport;
} sync_config;

typedef enum { SYNC_STATE_FILE, SYNC_STATE_DYNAMODB } sync_state_kind;

/* The cursor's home and lease (state.c). */
typedef struct {
    sync_state_kind kind;
    const char *spec;   /* borrowed from the config */
    char *base;         /* file: PATH; dynamodb: KEY */
    char *cursor_key;   /* file: the cursor file; dynamodb: the item's key */
    char *table;        /* dynamodb */
    odoo_dynamodb *db;  /* borrowed (the run's) */
    char owner[160];    /* host:pid:random */
    long long lease_ms, expires; /* dynamodb: lease length, our expiry (Unix ms) */
    int lock_fd;        /* file: the flock */
    int held;
} sync_state;

typedef struct {
    const char *spec;
    sync_kind kind;
    odoo_sink *sink;
} sync_sink;

/* The fields read from one model, checked against the server (fields_get):
 * the wanted ones the server's version has, in want's order. */
#define SYNC_MAX_FIELDS 16
typedef struct {
    const char *model;
    const char *const *want;     /* NULL-terminated; static */
    const char *const *required; /* NULL-terminated subset of want; static */
    const char *use[SYNC_MAX_FIELDS + 1]; /* NULL-terminated: what is read */
    int resolved;
} sync_fields;

typedef struct {
    const sync_config *cfg;
    odoo_client *client;
    sync_fields order_fields, line_fields, partner_fields;
    odoo_dynamodb *dynamodb;
    sync_sink order_sinks[SYNC_MAX_SINKS];
    size_t n_order_sinks;
    sync_sink line_sinks[SYNC_MAX_SINKS];
    size_t n_line_sinks;
    sync_sink partner_sinks[SYNC_MAX_SINKS];
    size_t n_partner_sinks;
    double started;
    long long total;
    unsigned long long read, written, skipped, retried, dead_lettered;
    unsigned long long lines_read, partners_read;
    unsigned long pages;
    int has_state;
    sync_state state;
    const char *lease;      /* "taken", "waited", "held-by-other", "lost"; NULL without state */
    char *since_wd;         /* the cursor the lease came with (state) */
    long long since_id;
    long long shard_lo, shard_hi; /* the shard's ids: lo <= id < hi (hi 0: no bound) */
    char session_path[4200];
    int exit_code;
    char error[1024];
} sync_run;

void sync_errorf(sync_run *run, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sync_exit_for_odoo(int rc);
/* state.c: the cursor's home and its lease. Each returns 0, or -1 with run's
 * error set (exit 7 when the lease is held by another run or was lost). */
int sync_state_parse(const char *spec, sync_state_kind *kind);
int sync_state_file_load(const char *path, char **write_date, long long *id);
int sync_state_file_save(const char *path, const char *write_date, long long id);
int sync_state_open(sync_run *run, sync_state *st, const char *spec);
/* Take the lease (waiting up to --lease-wait), then read the cursor
 * (*write_date NULL, *id 0: none yet; free *write_date). */
int sync_state_acquire(sync_run *run, sync_state *st, char **write_date, long long *id);
/* Move the cursor: only while this run holds the lease; renews it. */
int sync_state_save(sync_run *run, sync_state *st, const char *write_date, long long id);
/* Renew the lease when half of it is gone (before a page is stored). */
int sync_state_renew(sync_run *run, sync_state *st);
/* Release the lease; free everything. */
void sync_state_close(sync_run *run, sync_state *st);
/* The shard layout of n shards: the stored one (*found), or none yet. */
int sync_state_layout_get(sync_run *run, sync_state *st, int n, long long *bounds, int *found);
/* Store the layout split from max_id unless one exists; bounds = the one stored. */
int sync_state_layout_put(sync_run *run, sync_state *st, int n, long long max_id,
                          long long *bounds);
/* n equal id spans over 0..max_id: bounds[0] = 0 < bounds[1] < ... */
void sync_shard_split(long long max_id, int n, long long *bounds);
/* Where the web session is kept: --session-file, else beside a state file
 * (PATH.session), else nowhere (""). */
void sync_session_default(const sync_config *cfg, char *buf, size_t n);
/* "K/N": 0, or -1 unless 0 <= K < N <= SYNC_MAX_SHARDS. */
int sync_parse_shard(const char *s, int *k, int *n);
int sync_sink_open(sync_run *run, sync_sink *s, const char *spec, sync_kind kind);
int sync_sinks_close(sync_run *run, sync_sink *sinks, size_t n);
/* A failed run: end the sinks still open without committing them (whole-file
 * outputs keep their old content), keeping their counters in run. */
void sync_sinks_abort(sync_run *run, sync_sink *sinks, size_t n);
/* Options that cannot work together (checked before anything is touched):
 * 0, or -1 with run's error set (exit 2). */
int sync_check_config(sync_run *run);
json_t *sync_order_item(const json_t *order, int http_status, const char *now);
int sync_connect(sync_run *run);
/* $ODOO_CA_FILE: the PEM bundle of trusted CAs for Odoo and AWS, or NULL. */
const char *sync_ca_file(void);
/* odoo-sync-orders.c, shared with pages.c */
double sync_now_seconds(void);
void sync_iso_utc_now(char *buf, size_t n);
/* "WHAT: ODOO_E... [class]: message" of the client's last error, into buf. */
void sync_odoo_failure_text(char *buf, size_t n, odoo_client *client, const char *what, int rc);
void sync_odoo_failure(sync_run *run, const char *what, int rc);
void sync_fields_setup(sync_run *run);
int sync_fields_resolve(sync_run *run, sync_fields *f);
/* Put a page of items into every sink, then flush: stored when 0. */
int sync_sinks_store(sync_run *run, sync_sink *sinks, size_t n, json_t *items);
/* Take the cursor's lease and read the cursor (main.c calls it before any sink
 * is opened or Odoo is asked anything). */
int sync_take_state(sync_run *run);
int sync_run_orders(sync_run *run);
json_t *sync_summary(const sync_run *run);
void sync_run_dispose(sync_run *run);

/* One whole run as configured: connect, open the sinks, sync, close.
 * Fills run; returns the exit code. (main.c) */
int sync_execute(const sync_config *cfg, sync_run *run);

/* The AWS Lambda custom runtime loop (lambda.c). */
int sync_lambda_main(const sync_config *base);

/* --create-order (create_order.c). */
int sync_create_order(sync_run *run, const char *json_text);

#endif
