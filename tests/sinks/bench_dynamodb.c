// SPDX-License-Identifier: MIT
/* A measurement, not a test: how many items a second the DynamoDB sink writes
 * to the endpoint of the environment (AWS_ENDPOINT_URL_DYNAMODB, e.g. DynamoDB
 * Local started by run_with_aws.py --dynamodb).
 *
 *   bench_dynamodb [ITEMS [CONCURRENCY]]
 *
 * Prints one line: "libodoo dynamodb sink: N items in S s = R items/s ...". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "odoo.h"
#include "odoo/aws.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000, i;
    int conc = argc > 2 ? atoi(argv[2]) : ODOO_DYNAMODB_DEFAULT_CONCURRENCY;
    odoo_dynamodb *db = NULL;
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink_stats st = ODOO_SINK_STATS_INIT;
    odoo_sink *s = NULL;
    char table[64];
    double t0, t1;
    int rc;

    if (odoo_dynamodb_new(&db, NULL) != ODOO_OK) {
        fprintf(stderr, "bench: %s\n", odoo_error_message(odoo_dynamodb_last_error(db)));
        odoo_dynamodb_free(db);
        return 1;
    }
    snprintf(table, sizeof(table), "bench-libodoo-%ld", (long)getpid());
    if (odoo_dynamodb_create_table(db, table, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S,
                                   30000) != ODOO_OK) {
        fprintf(stderr, "bench: %s\n", odoo_error_message(odoo_dynamodb_last_error(db)));
        odoo_dynamodb_free(db);
        return 1;
    }
    o.table = table;
    o.partition_key = "id";
    o.concurrency = conc;
    if (odoo_dynamodb_sink_open(&s, db, &o) != ODOO_OK) {
        fprintf(stderr, "bench: %s\n", odoo_error_message(odoo_sink_last_error(s)));
        odoo_sink_free(s);
        odoo_dynamodb_free(db);
        return 1;
    }
    t0 = now_s();
    for (i = 1; i <= n; i++) {
        char name[32];
        json_t *r;
        snprintf(name, sizeof(name), "SO%06ld", i);
        /* the same item as bench_boto3.py */
        r = json_pack("{s:I, s:s, s:f, s:b, s:s, s:[I,s], s:s}", "id", (json_int_t)i, "name",
                      name, "amount_total", (double)i * 1.25, "active", (int)(i % 2 == 0),
                      "state", "sale", "partner_id", (json_int_t)(i % 50), "Deco Addict",
                      "write_date", "2024-05-06 12:00:00");
        rc = odoo_sink_put(s, r);
        json_decref(r);
        if (rc != ODOO_OK)
            break;
    }
    rc = odoo_sink_close(s);
    t1 = now_s();
    odoo_sink_get_stats(s, &st);
    printf("libodoo dynamodb sink: %ld items in %.2f s = %.0f items/s (concurrency %d, "
           "requests %llu, retried %llu, written %llu)\n",
           n, t1 - t0, (double)n / (t1 - t0), conc, st.requests, st.retried, st.written);
    if (rc != ODOO_OK || st.written != (unsigned long long)n)
        fprintf(stderr, "bench: %s\n", odoo_error_message(odoo_sink_last_error(s)));
    odoo_sink_free(s);
    odoo_dynamodb_free(db);
    return rc == ODOO_OK && st.written == (unsigned long long)n ? 0 : 1;
}
