// SPDX-License-Identifier: MIT
/*
 * odoo-sync-orders: the pages of a run.
 *
 * Reading and storing are two sides: a reader (all the Odoo calls of a page:
 * the orders, their lines, their customers, and the items made of them) and
 * a writer (the sinks, then the cursor). With --all or a cursor they run
 * pipelined: a reader thread reads page n+1 while this thread stores page n.
 * The writer still takes the pages in order and moves the cursor only after
 * every sink confirmed a page, so what a saved cursor passed is stored, as
 * without the pipeline. The client belongs to the reader while it runs, the
 * sinks and the state to the writer.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync.h"

/* One page, read and made into items, ready to be stored. */
typedef struct {
    json_t *order_items, *line_items, *partner_items; /* NULL: no sink of that kind */
    size_t records;
    unsigned long long lines, partners;
    char *write_date; /* the cursor after this page (a cursor run) */
    long long id;
    unsigned long reauths;
    int end;    /* no more pages: carries nothing */
    int failed; /* the read failed: exit_code, error */
    int exit_code;
    char error[1024];
} page_t;

static void page_free(page_t *pg)
{
    if (!pg)
        return;
    json_decref(pg->order_items);
    json_decref(pg->line_items);
    json_decref(pg->partner_items);
    free(pg->write_date);
    free(pg);
}

static void page_fail(page_t *pg, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void page_fail(page_t *pg, int exit_code, const char *fmt, ...)
{
    va_list ap;
    pg->failed = 1;
    pg->exit_code = exit_code;
    va_start(ap, fmt);
    vsnprintf(pg->error, sizeof(pg->error), fmt, ap);
    va_end(ap);
}

/* The reader thread's own buffer, the main thread's format. */
static void page_odoo_fail(page_t *pg, odoo_client *client, const char *what, int rc)
{
    pg->failed = 1;
    pg->exit_code = sync_exit_for_odoo(rc);
    sync_odoo_failure_text(pg->error, sizeof(pg->error), client, what, rc);
}

/* ---- the reader: Odoo -> items ------------------------------------------------------------ */

static int read_lines(sync_run *run, page_t *pg, json_t *orders)
{
    json_t *ids = json_array(), *domain, *rows = NULL, *row, *o;
    size_t i;
    int rc;
    pg->line_items = json_array();
    if (!ids || !pg->line_items) {
        json_decref(ids);
        return page_fail(pg, SYNC_EXIT_SINK, "out of memory"), -1;
    }
    json_array_foreach(orders, i, o) {
        json_array_append(ids, json_object_get(o, "id"));
    }
    domain = json_pack("[[s, s, o]]", "order_id", "in", ids);
    rc = odoo_search_read(run->client, &rows, "sale.order.line", domain, run->line_fields.use,
                          "id asc", 0, 0, NULL);
    json_decref(domain);
    if (rc != ODOO_OK)
        return page_odoo_fail(pg, run->client, "sale.order.line", rc), -1;
    json_array_foreach(rows, i, row) {
        json_t *order = json_object_get(row, "order_id"), *product = json_object_get(row, "product_id");
        char oid[32], lid[32];
        snprintf(oid, sizeof(oid), "%lld", (long long)json_integer_value(json_array_get(order, 0)));
        snprintf(lid, sizeof(lid), "%lld", (long long)json_integer_value(json_object_get(row, "id")));
        json_array_append_new(pg->line_items, json_pack(
            "{s:s, s:s, s:o, s:o, s:O?, s:O?, s:O?, s:O?}", "order_id", oid, "line_id", lid,
            "product_id", json_is_array(product) ? json_incref(json_array_get(product, 0)) : json_null(),
            "product_name", json_is_array(product) ? json_incref(json_array_get(product, 1)) : json_null(),
            "description", json_object_get(row, "name"),
            "quantity", json_object_get(row, "product_uom_qty"),
            "price_unit", json_object_get(row, "price_unit"),
            "subtotal", json_object_get(row, "price_subtotal")));
    }
    pg->lines = json_array_size(rows);
    json_decref(rows);
    return 0;
}

static int read_partners(sync_run *run, page_t *pg, json_t *orders)
{
    json_t *ids = json_array(), *seen = json_object(), *rows = NULL, *o, *row;
    size_t i;
    int rc;
    pg->partner_items = json_array();
    if (!ids || !seen || !pg->partner_items) {
        json_decref(ids);
        json_decref(seen);
        return page_fail(pg, SYNC_EXIT_SINK, "out of memory"), -1;
    }
    json_array_foreach(orders, i, o) {
        json_t *p = json_object_get(o, "partner_id");
        char key[32];
        if (!json_is_array(p))
            continue;
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(json_array_get(p, 0)));
        if (!json_object_get(seen, key)) {
            json_object_set_new(seen, key, json_true());
            json_array_append(ids, json_array_get(p, 0));
        }
    }
    json_decref(seen);
    rc = json_array_size(ids)
             ? odoo_read(run->client, &rows, "res.partner", ids, run->partner_fields.use, NULL)
             : ODOO_OK;
    json_decref(ids);
    if (rc != ODOO_OK)
        return page_odoo_fail(pg, run->client, "res.partner", rc), -1;
    json_array_foreach(rows, i, row) {
        json_array_append_new(pg->partner_items, json_pack(
            "{s:O, s:O?, s:O?, s:O?, s:O?, s:O?}", "customer_id", json_object_get(row, "id"),
            "name", json_object_get(row, "name"), "email", json_object_get(row, "email"),
            "phone", json_object_get(row, "phone"), "is_company", json_object_get(row, "is_company"),
            "odoo_write_date", json_object_get(row, "write_date")));
    }
    pg->partners = json_array_size(rows);
    json_decref(rows);
    return 0;
}

/* The items of one page of orders (borrowed), with lines and customers when
 * they have sinks. 0, or -1 with pg failed. */
static int make_page(sync_run *run, page_t *pg, json_t *orders)
{
    char now[40];
    json_t *o;
    size_t i;
    int status = odoo_client_last_http_status(run->client);
    sync_iso_utc_now(now, sizeof(now));
    pg->records = json_array_size(orders);
    pg->order_items = json_array();
    if (!pg->order_items)
        return page_fail(pg, SYNC_EXIT_SINK, "out of memory"), -1;
    json_array_foreach(orders, i, o) {
        json_t *item = sync_order_item(o, status, now);
        if (!item || json_array_append_new(pg->order_items, item) != 0)
            return page_fail(pg, SYNC_EXIT_SINK, "out of memory"), -1;
    }
    if (run->n_line_sinks && read_lines(run, pg, orders) != 0)
        return -1;
    if (run->n_partner_sinks && read_partners(run, pg, orders) != 0)
        return -1;
    pg->reauths = odoo_client_reauth_count(run->client);
    return 0;
}

/* The next page of the iterator, as items: a page, an end, or a failure;
 * NULL only when out of memory. */
static page_t *read_next(sync_run *run, odoo_iter *it, int with_cursor)
{
    page_t *pg = calloc(1, sizeof(*pg));
    json_t *orders = NULL;
    int n;
    if (!pg)
        return NULL;
    n = odoo_iter_next_page(it, &orders);
    if (n < 0) {
        page_odoo_fail(pg, run->client, "sale.order", n);
        return pg;
    }
    if (n == 0) {
        pg->end = 1;
        return pg;
    }
    {
        /* The iterator keeps its page until its next fetch, in this thread,
         * while the items travel to the writer: the items must share no value
         * with that page, so they are made of a copy */
        json_t *own = json_deep_copy(orders);
        json_decref(orders);
        orders = own;
        if (!orders) {
            page_fail(pg, SYNC_EXIT_SINK, "out of memory");
            return pg;
        }
    }
    if (make_page(run, pg, orders) == 0 && with_cursor) {
        const char *wd;
        odoo_iter_cursor(it, &wd, &pg->id);
        pg->write_date = wd ? strdup(wd) : NULL;
        if (!pg->write_date)
            page_fail(pg, SYNC_EXIT_SINK, "out of memory");
    }
    json_decref(orders);
    return pg;
}

/* ---- the writer: items -> sinks -> cursor ------------------------------------------------- */

static void progress(sync_run *run, size_t page_records, unsigned long reauths)
{
    double secs = sync_now_seconds() - run->started;
    if (run->cfg->quiet)
        return;
    if (isatty(STDERR_FILENO)) {
        int width = 30, filled = 0;
        if (run->total > 0) {
            filled = (int)((double)run->read / (double)run->total * width);
            if (filled > width)
                filled = width;
        }
        fprintf(stderr, "\r[%.*s%*s] %llu%s%lld orders, %.1f s", filled,
                "##############################", width - filled, "", run->read,
                run->total > 0 ? "/" : "", run->total > 0 ? run->total : 0LL, secs);
        if (run->total <= 0)
            fprintf(stderr, "   ");
        fflush(stderr);
    } else {
        fprintf(stderr,
                "{\"event\": \"page\", \"page\": %lu, \"records\": %zu, \"read\": %llu, "
                "\"reauths\": %lu, \"seconds\": %.3f}\n",
                run->pages, page_records, run->read, reauths, secs);
    }
}

/* Store a page in every sink, then move the cursor. 0, or -1 with run's error. */
static int store_page(sync_run *run, page_t *pg)
{
    if (pg->failed) {
        sync_errorf(run, pg->exit_code, "%s", pg->error);
        return -1;
    }
    /* a page is stored only by the lease's holder */
    if (run->has_state && sync_state_renew(run, &run->state) != 0)
        return -1;
    if (sync_sinks_store(run, run->order_sinks, run->n_order_sinks, pg->order_items) != 0)
        return -1;
    if (pg->line_items
        && sync_sinks_store(run, run->line_sinks, run->n_line_sinks, pg->line_items) != 0)
        return -1;
    if (pg->partner_items
        && sync_sinks_store(run, run->partner_sinks, run->n_partner_sinks, pg->partner_items)
               != 0)
        return -1;
    run->read += pg->records;
    run->lines_read += pg->lines;
    run->partners_read += pg->partners;
    run->pages++;
    /* the sinks confirmed the page: only now does the cursor move */
    if (run->has_state && pg->write_date
        && sync_state_save(run, &run->state, pg->write_date, pg->id) != 0)
        return -1;
    progress(run, pg->records, pg->reauths);
    return 0;
}

/* ---- the pipeline ------------------------------------------------------------------------- */

typedef struct {
    sync_run *run;
    odoo_iter *it;
    int with_cursor;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    page_t *slot; /* the next page, handed from the reader to the writer */
    int stop;     /* the writer wants no more pages */
} pipe_t;

static void *reader_main(void *arg)
{
    pipe_t *p = arg;
    unsigned long pages = 0;
    for (;;) {
        page_t *pg;
        int last;
        pthread_mutex_lock(&p->mu);
        last = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (last)
            break;
        if (p->run->cfg->max_pages && pages >= p->run->cfg->max_pages) {
            pg = calloc(1, sizeof(*pg));
            if (pg)
                pg->end = 1;
        } else {
            pg = read_next(p->run, p->it, p->with_cursor);
        }
        if (!pg) {
            /* no memory for a page: hand over a static-free failure marker */
            pg = calloc(1, sizeof(*pg));
            if (!pg)
                abort(); /* nothing can be reported without memory */
            page_fail(pg, SYNC_EXIT_SINK, "out of memory");
        }
        last = pg->end || pg->failed;
        pages++;
        pthread_mutex_lock(&p->mu);
        while (p->slot && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            page_free(pg);
            break;
        }
        p->slot = pg;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (last)
            break;
    }
    return NULL;
}

static int run_pipelined(sync_run *run, odoo_iter *it, int with_cursor)
{
    pipe_t p;
    pthread_t reader;
    int rc = 0;

    memset(&p, 0, sizeof(p));
    p.run = run;
    p.it = it;
    p.with_cursor = with_cursor;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    if (pthread_create(&reader, NULL, reader_main, &p) != 0) {
        pthread_mutex_destroy(&p.mu);
        pthread_cond_destroy(&p.cv);
        sync_errorf(run, SYNC_EXIT_SINK, "cannot start the reader thread");
        return -1;
    }
    for (;;) {
        page_t *pg;
        pthread_mutex_lock(&p.mu);
        while (!p.slot)
            pthread_cond_wait(&p.cv, &p.mu);
        pg = p.slot;
        p.slot = NULL;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
        if (pg->end) {
            page_free(pg);
            break;
        }
        rc = store_page(run, pg);
        page_free(pg);
        if (rc != 0)
            break;
    }
    pthread_mutex_lock(&p.mu);
    p.stop = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    pthread_join(reader, NULL); /* it ends its current request first */
    page_free(p.slot);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    return rc;
}

static int run_sequential(sync_run *run, odoo_iter *it, int with_cursor)
{
    for (;;) {
        page_t *pg;
        int rc;
        if (run->cfg->max_pages && run->pages >= run->cfg->max_pages)
            return 0;
        pg = read_next(run, it, with_cursor);
        if (!pg)
            return sync_errorf(run, SYNC_EXIT_SINK, "out of memory"), -1;
        if (pg->end) {
            page_free(pg);
            return 0;
        }
        rc = store_page(run, pg);
        page_free(pg);
        if (rc != 0)
            return -1;
    }
}

/* ---- the kinds of run ----------------------------------------------------------------------- */

static json_t *user_domain(sync_run *run)
{
    json_error_t jerr;
    json_t *d;
    if (!run->cfg->domain)
        return json_array();
    d = json_loads(run->cfg->domain, 0, &jerr);
    if (!json_is_array(d)) {
        json_decref(d);
        sync_errorf(run, SYNC_EXIT_USAGE, "--domain is not a JSON array: %s",
                    d ? "not an array" : jerr.text);
        return NULL;
    }
    return d;
}

/* The newest orders: one search_read. */
static int sync_newest(sync_run *run, json_t *domain)
{
    json_t *rows = NULL;
    page_t *pg;
    int rc = odoo_search_read(run->client, &rows, "sale.order", domain, run->order_fields.use,
                              "id desc", run->cfg->limit, 0, NULL);
    if (rc != ODOO_OK) {
        sync_odoo_failure(run, "sale.order", rc);
        return -1;
    }
    pg = calloc(1, sizeof(*pg));
    if (!pg) {
        json_decref(rows);
        return sync_errorf(run, SYNC_EXIT_SINK, "out of memory"), -1;
    }
    make_page(run, pg, rows);
    json_decref(rows);
    rc = store_page(run, pg);
    page_free(pg);
    return rc;
}

static int sync_paged(sync_run *run, json_t *domain)
{
    odoo_iter *it = NULL;
    int rc;

    if (run->has_state) {
        rc = odoo_iter_changed_since(&it, run->client, "sale.order", domain,
                                     run->order_fields.use, run->cfg->page_size,
                                     run->since_wd, run->since_id);
        /* orders Odoo stamped behind the saved cursor are read again */
        if (rc == ODOO_OK && run->cfg->overlap_s >= 0)
            rc = odoo_iter_set_overlap(it, (unsigned int)run->cfg->overlap_s);
    } else {
        long long total = 0;
        if (!run->cfg->quiet && isatty(STDERR_FILENO)
            && odoo_search_count(run->client, &total, "sale.order", domain, NULL) == ODOO_OK)
            run->total = total;
        rc = odoo_iter_new(&it, run->client, "sale.order", domain, run->order_fields.use,
                           run->cfg->page_size);
    }
    if (rc != ODOO_OK) {
        sync_odoo_failure(run, "sale.order", rc);
        odoo_iter_free(it);
        return -1;
    }
    rc = run->cfg->no_pipeline ? run_sequential(run, it, run->has_state)
                               : run_pipelined(run, it, run->has_state);
    odoo_iter_free(it);
    return rc;
}

/* The highest order id, for a new shard layout. */
static int max_order_id(sync_run *run, long long *max_id)
{
    json_t *ids = NULL, *all = json_array();
    int rc = all ? odoo_search(run->client, &ids, "sale.order", all, "id desc", 1, 0, NULL)
                 : ODOO_ENOMEM;
    json_decref(all);
    if (rc != ODOO_OK) {
        sync_odoo_failure(run, "sale.order", rc);
        return -1;
    }
    *max_id = json_array_size(ids) ? (long long)json_integer_value(json_array_get(ids, 0)) : 0;
    json_decref(ids);
    return 0;
}

/* --shard K/N: the shard's id range, from the stored layout (or a new one),
 * appended to the domain. */
static int shard_domain(sync_run *run, json_t *domain)
{
    const sync_config *cfg = run->cfg;
    long long bounds[SYNC_MAX_SHARDS], max_id = 0;
    int found = 0;
    if (run->has_state
        && sync_state_layout_get(run, &run->state, cfg->shard_n, bounds, &found) != 0)
        return -1;
    if (!found) {
        if (max_order_id(run, &max_id) != 0)
            return -1;
        if (run->has_state) {
            if (sync_state_layout_put(run, &run->state, cfg->shard_n, max_id, bounds) != 0)
                return -1;
        } else {
            sync_shard_split(max_id, cfg->shard_n, bounds);
        }
    }
    run->shard_lo = bounds[cfg->shard_k];
    run->shard_hi = cfg->shard_k + 1 < cfg->shard_n ? bounds[cfg->shard_k + 1] : 0;
    if (json_array_append_new(domain, json_pack("[s, s, I]", "id", ">=",
                                                (json_int_t)run->shard_lo))
        != 0)
        return sync_errorf(run, SYNC_EXIT_SINK, "out of memory"), -1;
    if (run->shard_hi
        && json_array_append_new(domain, json_pack("[s, s, I]", "id", "<",
                                                   (json_int_t)run->shard_hi))
               != 0)
        return sync_errorf(run, SYNC_EXIT_SINK, "out of memory"), -1;
    return 0;
}

/* Whether PATH (the cookie jar) or PATH.info (the login kept beside it, see
 * odoo_client_options.cookie_file) holds something. */
static int kept_login(const char *path)
{
    char info[sizeof(((sync_run *)0)->session_path) + 8];
    struct stat sb;
    if (!path[0])
        return 0;
    if (stat(path, &sb) == 0 && sb.st_size > 0)
        return 1;
    snprintf(info, sizeof(info), "%s.info", path);
    return stat(info, &sb) == 0 && sb.st_size > 0;
}

int sync_run_orders(sync_run *run)
{
    json_t *domain = user_domain(run);
    int rc;
    if (!domain)
        return -1;
    /* A kept login (the session cookie, or /jsonrpc's uid in PATH.info) is
     * resumed by the first call (no login while it holds); without one, log
     * in first so a refusal is reported as such. */
    if (!kept_login(run->session_path)) {
        rc = odoo_client_login(run->client);
        if (rc != ODOO_OK) {
            sync_odoo_failure(run, "login", rc);
            json_decref(domain);
            return -1;
        }
    }
    sync_fields_setup(run);
    if (sync_fields_resolve(run, &run->order_fields) != 0
        || (run->n_line_sinks && sync_fields_resolve(run, &run->line_fields) != 0)
        || (run->n_partner_sinks && sync_fields_resolve(run, &run->partner_fields) != 0)
        || (run->cfg->shard_n && shard_domain(run, domain) != 0)) {
        json_decref(domain);
        return -1;
    }
    if (run->cfg->all || run->has_state)
        rc = sync_paged(run, domain);
    else
        rc = sync_newest(run, domain);
    json_decref(domain);
    if (!run->cfg->quiet && isatty(STDERR_FILENO))
        fputc('\n', stderr);
    return rc;
}
