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
    SYNC_EXIT_ODOO = 6     /* Odoo refused a call (access rights, bad domain, ...) */
};

typedef enum { SYNC_ORDERS = 0, SYNC_LINES = 1, SYNC_PARTNERS = 2 } sync_kind;

#define SYNC_MAX_SINKS 8

typedef struct {
    int all;
    long limit;
    size_t page_size;
    unsigned long max_pages; /* testing aid: stop after this many pages */
    const char *state_file;
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
    int exit_code;
    char error[1024];
} sync_run;

void sync_errorf(sync_run *run, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sync_exit_for_odoo(int rc);
int sync_state_load(const char *path, char **write_date, long long *id);
int sync_state_save(const char *path, const char *write_date, long long id);
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
