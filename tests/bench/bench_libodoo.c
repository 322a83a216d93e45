// SPDX-License-Identifier: MIT
/* libodoo's side of the benchmarks (tests/bench/bench.py drives it). A
 * measurement, never a test: it prints JSON lines of figures, asserts nothing.
 *
 * Connection from the environment: ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD;
 * BENCH_TRANSPORT = session (default), jsonrpc (what OdooRPC's execute_kw uses) or json2.
 *
 *   bench_libodoo fetch N REPS       search_read of N sale.order records, 7 fields,
 *                                    one call; per rep: wall and CPU of that call
 *   bench_libodoo iter N PAGE        the keyset iterator over every order (N expected):
 *                                    wall, CPU, RSS before/after and its peak growth
 *   bench_libodoo loadall N          the same records in one search_read: RSS growth
 *   bench_libodoo conc T N PAGE      T threads, each its own session, iterating a
 *                                    disjoint id range of N/T orders: total records/s
 *   bench_libodoo decode FILE REPS   parse a saved search_read answer with jansson the
 *                                    way the client does (for callgrind: no network)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "odoo.h"
#include "internal.h" /* cmd_decode: the answer parser itself */

static const char *const FIELDS[] = {"name",      "partner_id", "amount_total", "state",
                                     "date_order", "write_date", "user_id",      NULL};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* current resident set in kB (VmRSS) */
static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0) {
            v = atol(line + 6);
            break;
        }
    fclose(f);
    return v;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static odoo_client *connect_client(void)
{
    odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *c = NULL;
    o.url = getenv("ODOO_URL");
    o.database = getenv("ODOO_DB");
    o.login = getenv("ODOO_USER");
    o.password = getenv("ODOO_PASSWORD");
    o.transport = ODOO_TRANSPORT_SESSION;
    if (getenv("BENCH_TRANSPORT") &&
        odoo_transport_from_name(getenv("BENCH_TRANSPORT"), &o.transport) != ODOO_OK)
        return NULL;
    o.timeout_ms = 600000;
    if (odoo_client_new(&c, &o) != ODOO_OK || odoo_client_login(c) != ODOO_OK) {
        fprintf(stderr, "bench_libodoo: login: %s\n",
                c ? odoo_error_message(odoo_client_last_error(c)) : "client_new failed");
        odoo_client_free(c);
        return NULL;
    }
    return c;
}

static int fail(odoo_client *c, const char *what)
{
    fprintf(stderr, "bench_libodoo: %s: %s\n", what,
            odoo_error_message(odoo_client_last_error(c)));
    odoo_client_free(c);
    return 1;
}

/* the measured call, alone in its own function for callgrind --toggle-collect */
__attribute__((noinline)) int bench_measured_search_read(odoo_client *c, json_t **rows, long n);
__attribute__((noinline)) int bench_measured_search_read(odoo_client *c, json_t **rows, long n)
{
    return odoo_search_read(c, rows, "sale.order", NULL, FIELDS, "id asc", n, 0, NULL);
}

static int cmd_fetch(long n, int reps)
{
    odoo_client *c = connect_client();
    json_t *rows = NULL;
    int r;
    if (!c)
        return 1;
    /* warm-up: fields_get (cached on the client) and the connection */
    if (odoo_search_read(c, &rows, "sale.order", NULL, FIELDS, "id asc", 1, 0, NULL) != ODOO_OK)
        return fail(c, "warm-up");
    json_decref(rows);
    for (r = 0; r < reps; r++) {
        double t0 = now_s(), c0 = cpu_s(), t1, c1;
        if (bench_measured_search_read(c, &rows, n) != ODOO_OK)
            return fail(c, "search_read");
        t1 = now_s();
        c1 = cpu_s();
        printf("{\"wall\": %.6f, \"cpu\": %.6f, \"n\": %zu}\n", t1 - t0, c1 - c0,
               json_array_size(rows));
        fflush(stdout);
        json_decref(rows);
    }
    odoo_client_free(c);
    return 0;
}

static int cmd_iter(long n, long page)
{
    odoo_client *c = connect_client();
    odoo_iter *it = NULL;
    json_t *rec, *rows = NULL;
    long count = 0, base, max_rss, cur;
    double t0, c0;
    int rc;
    if (!c)
        return 1;
    if (odoo_search_read(c, &rows, "sale.order", NULL, FIELDS, "id asc", 1, 0, NULL) != ODOO_OK)
        return fail(c, "warm-up");
    json_decref(rows);
    base = rss_kb();
    max_rss = base;
    t0 = now_s();
    c0 = cpu_s();
    if (odoo_iter_new(&it, c, "sale.order", NULL, FIELDS, (size_t)page) != ODOO_OK)
        return fail(c, "iter_new");
    while ((rc = odoo_iter_next(it, &rec)) == 1) {
        json_decref(rec);
        if (++count % 1000 == 0 && (cur = rss_kb()) > max_rss)
            max_rss = cur;
    }
    if (rc < 0) {
        odoo_iter_free(it);
        return fail(c, "iter_next");
    }
    printf("{\"wall\": %.6f, \"cpu\": %.6f, \"n\": %ld, \"expected\": %ld, \"pages\": %lu, "
           "\"rss_base_kb\": %ld, \"rss_max_kb\": %ld, \"rss_end_kb\": %ld, "
           "\"peak_rss_kb\": %ld}\n",
           now_s() - t0, cpu_s() - c0, count, n, odoo_iter_pages(it), base, max_rss, rss_kb(),
           peak_rss_kb());
    odoo_iter_free(it);
    odoo_client_free(c);
    return 0;
}

static int cmd_loadall(long n)
{
    odoo_client *c = connect_client();
    json_t *rows = NULL;
    long base;
    double t0, c0;
    if (!c)
        return 1;
    if (odoo_search_read(c, &rows, "sale.order", NULL, FIELDS, "id asc", 1, 0, NULL) != ODOO_OK)
        return fail(c, "warm-up");
    json_decref(rows);
    base = rss_kb();
    t0 = now_s();
    c0 = cpu_s();
    if (odoo_search_read(c, &rows, "sale.order", NULL, FIELDS, "id asc", 0, 0, NULL) != ODOO_OK)
        return fail(c, "search_read");
    printf("{\"wall\": %.6f, \"cpu\": %.6f, \"n\": %zu, \"expected\": %ld, "
           "\"rss_base_kb\": %ld, \"rss_loaded_kb\": %ld, \"peak_rss_kb\": %ld}\n",
           now_s() - t0, cpu_s() - c0, json_array_size(rows), n, base, rss_kb(), peak_rss_kb());
    json_decref(rows);
    odoo_client_free(c);
    return 0;
}

struct worker {
    long lo, hi, page, count;
    int rc;
    pthread_t th;
};

static void *conc_worker(void *arg)
{
    struct worker *w = arg;
    odoo_client *c = connect_client();
    odoo_iter *it = NULL;
    json_t *domain, *pg;
    long k;
    w->rc = 1;
    if (!c)
        return NULL;
    domain = json_pack("[[s,s,I],[s,s,I]]", "id", ">=", (json_int_t)w->lo, "id", "<=",
                       (json_int_t)w->hi);
    if (odoo_iter_new(&it, c, "sale.order", domain, FIELDS, (size_t)w->page) == ODOO_OK) {
        while ((k = odoo_iter_next_page(it, &pg)) > 0) {
            w->count += (long)json_array_size(pg);
            json_decref(pg);
        }
        w->rc = k < 0;
        if (k < 0)
            fprintf(stderr, "bench_libodoo: conc: %s\n",
                    odoo_error_message(odoo_client_last_error(c)));
    }
    json_decref(domain);
    odoo_iter_free(it);
    odoo_client_free(c);
    return NULL;
}

static int cmd_conc(int threads, long n, long page)
{
    struct worker *ws = calloc((size_t)threads, sizeof(*ws));
    long per = n / threads, total = 0;
    double t0, c0;
    int i, rc = 0;
    if (!ws)
        return 1;
    odoo_global_init();
    t0 = now_s();
    c0 = cpu_s();
    for (i = 0; i < threads; i++) {
        ws[i].lo = 1 + (long)i * per;
        ws[i].hi = i == threads - 1 ? n : (long)(i + 1) * per;
        ws[i].page = page;
        pthread_create(&ws[i].th, NULL, conc_worker, &ws[i]);
    }
    for (i = 0; i < threads; i++) {
        pthread_join(ws[i].th, NULL);
        total += ws[i].count;
        rc |= ws[i].rc;
    }
    printf("{\"wall\": %.6f, \"cpu\": %.6f, \"n\": %ld, \"threads\": %d}\n", now_s() - t0,
           cpu_s() - c0, total, threads);
    free(ws);
    return rc;
}

/* The client-side decode of a saved answer, without the network: with
 * "libodoo", the answer parser odoo_call_kw uses (odoo__rpc_parse_response:
 * the JSON decode and taking "result" out); with "jansson", jansson's
 * json_loadb of the same bytes (the decoder libodoo used before 0.3). */
static int cmd_decode(const char *path, int reps, const char *how)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;
    int r, with_jansson = how && strcmp(how, "jansson") == 0;
    size_t total = 0;
    if (!f)
        return 1;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(buf);
        return 1;
    }
    fclose(f);
    for (r = 0; r < reps; r++) {
        json_t *result;
        if (with_jansson) {
            json_error_t err;
            json_t *doc = json_loadb(buf, (size_t)len, 0, &err);
            if (!doc) {
                fprintf(stderr, "decode: %s\n", err.text);
                free(buf);
                return 1;
            }
            result = json_incref(json_object_get(doc, "result"));
            json_decref(doc);
        } else {
            odoo_error err;
            odoo__error_init(&err);
            if (odoo__rpc_parse_response(&err, 200, "application/json", buf, (size_t)len,
                                         &result)) {
                fprintf(stderr, "decode: %s\n", odoo_error_message(&err));
                odoo__error_clear(&err);
                free(buf);
                return 1;
            }
            odoo__error_clear(&err);
        }
        total += json_array_size(result);
        json_decref(result);
    }
    printf("{\"n\": %zu}\n", total / (size_t)(reps ? reps : 1));
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "fetch") == 0)
        return cmd_fetch(atol(argv[2]), atoi(argv[3]));
    if (argc >= 4 && strcmp(argv[1], "iter") == 0)
        return cmd_iter(atol(argv[2]), atol(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "loadall") == 0)
        return cmd_loadall(atol(argv[2]));
    if (argc >= 5 && strcmp(argv[1], "conc") == 0)
        return cmd_conc(atoi(argv[2]), atol(argv[3]), atol(argv[4]));
    if (argc >= 4 && strcmp(argv[1], "decode") == 0)
        return cmd_decode(argv[2], atoi(argv[3]), argc >= 5 ? argv[4] : "libodoo");
    fprintf(stderr, "usage: bench_libodoo fetch N REPS | iter N PAGE | loadall N | "
                    "conc THREADS N PAGE | decode FILE REPS [libodoo|jansson]\n");
    return 2;
}
