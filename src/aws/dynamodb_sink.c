// SPDX-License-Identifier: MIT
/*
 * libodoo - the DynamoDB sink.
 *
 * put() maps a record onto an item and queues it. Items are grouped into
 * requests (BatchWriteItem of up to 25 items, or one conditional PutItem) and
 * sent over a pool of libcurl easy handles driven by one multi handle, so
 * several requests are in flight while the caller keeps putting. Each answer
 * is sorted out item by item: written, skipped (condition failed), re-sent
 * later (throttling, 5xx, network, UnprocessedItems: exponential back-off
 * with full jitter) or dead-lettered (validation, access, missing table,
 * item too large, out of retries).
 *
 * Only one item per key is queued or in flight at a time; later records with
 * the same key wait behind it (its "follow" chain), so records of one key
 * are written in put order and a BatchWriteItem never holds a key twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_internal.h"

#define DDB_MAX_BATCH 25

/* One record, mapped once at put() into the compact JSON text of its typed
 * item, which goes into every request body as it is (no tree is kept, and
 * nothing is serialised again for a retry). text, key and version live in
 * the same allocation as the entry. */
typedef struct ddb_entry {
    char *text;               /* the typed item: {"id":{"N":"7"},...} */
    size_t len;
    char *key;                /* canonical key text */
    char *version;            /* conditional mode: the typed version value's text, else NULL */
    size_t vlen;
    int attempts;             /* re-sends so far */
    struct ddb_entry *next;   /* the forming list */
    struct ddb_entry *follow; /* the next record of the same key, waiting */
    struct ddb_entry *hnext;  /* the key map's chain */
} ddb_entry;

typedef struct ddb_req {
    ddb_entry *e[DDB_MAX_BATCH];
    int n;
    int attempt;
    long long not_before; /* monotonic ms */
    struct ddb_req *next;
} ddb_req;

typedef struct ddb_slot {
    odoo__aws_conn conn;
    ddb_req *req; /* in flight, or NULL */
} ddb_slot;

typedef struct keymap {
    ddb_entry **b;
    size_t nb;
    size_t n;
} keymap;

typedef struct ddb {
    odoo__aws_config cfg;
    char *table;
    char *pk;
    char *sk;
    odoo_dynamodb_type pk_type;
    odoo_dynamodb_type sk_type;
    char **map_field;
    char **map_attr;
    int *map_later;   /* index of the next mapping entry with the same attribute, or -1 */
    size_t nmap;
    int mapped;
    int conditional;
    char *version_attr;
    char *dead_path;
    odoo_sink *dead;
    int concurrency;
    int batch_size;
    int max_retries;
    long retry_base_ms;
    long retry_max_ms;
    long max_pending;

    char *body_head;  /* the request body up to the first item */
    size_t body_head_len;
    char *body_mid;   /* conditional: between the item and the version value */
    size_t body_mid_len;
    odoo__buf scratch; /* put(): the item being mapped */
    odoo__buf junk;    /* put(): a shadowed mapping entry, converted for its errors only */
    odoo__buf pkbuf;   /* put(): the key texts */
    odoo__buf skbuf;
    long long last_perform_us; /* when pump() last let libcurl work */
    int unsent;                /* a request was started since */

    CURLM *multi;
    ddb_slot *slots;
    ddb_entry *form_head;
    ddb_entry *form_tail;
    size_t nform;
    ddb_req *wait_head;
    ddb_req *wait_tail;
    size_t inflight;
    keymap keys;
    size_t unfinished; /* records accepted and not yet finished (incl. waiting follows) */
    unsigned int rng;
    odoo_error window_err; /* the first lost record's error since the last flush */
    int global_ref;
} ddb;

enum { OUT_WRITTEN, OUT_SKIPPED, OUT_DEAD };

/* ---- the key map ---------------------------------------------------------------- */

static size_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

static ddb_entry *map_get(keymap *m, const char *key)
{
    ddb_entry *e;
    if (!m->nb)
        return NULL;
    for (e = m->b[hash_text(key) & (m->nb - 1)]; e; e = e->hnext)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static int map_put(keymap *m, ddb_entry *e)
{
    size_t i;
    if (m->n + 1 > m->nb) {
        size_t nb = m->nb ? m->nb * 2 : 256;
        ddb_entry **b = odoo__calloc(nb, sizeof(*b));
        if (!b)
            return ODOO_ENOMEM;
        for (i = 0; i < m->nb; i++) {
            ddb_entry *x = m->b[i], *next;
            for (; x; x = next) {
                size_t h = hash_text(x->key) & (nb - 1);
                next = x->hnext;
                x->hnext = b[h];
                b[h] = x;
            }
        }
        free(m->b);
        m->b = b;
        m->nb = nb;
    }
    i = hash_text(e->key) & (m->nb - 1);
    e->hnext = m->b[i];
    m->b[i] = e;
    m->n++;
    return ODOO_OK;
}

static void map_del(keymap *m, ddb_entry *e)
{
    ddb_entry **p;
    if (!m->nb)
        return;
    for (p = &m->b[hash_text(e->key) & (m->nb - 1)]; *p; p = &(*p)->hnext) {
        if (*p == e) {
            *p = e->hnext;
            e->hnext = NULL;
            m->n--;
            return;
        }
    }
}

static void entry_free(ddb_entry *e)
{
    free(e);
}

/* The typed item of an entry as JSON (for a dead letter), new reference or NULL. */
static json_t *entry_item(const ddb_entry *e)
{
    return json_loadb(e->text, e->len, JSON_ALLOW_NUL, NULL);
}

/* ---- errors ------------------------------------------------------------------------ */

static void err_set_class(odoo_error *err, const char *klass)
{
    free(err->klass);
    err->klass = klass ? odoo__strdup(klass) : NULL;
}

static int is_expired_token(const odoo_error *err)
{
    return err->klass
           && (strcmp(err->klass, "ExpiredToken") == 0
               || strcmp(err->klass, "ExpiredTokenException") == 0);
}

/* Hand the sink's error to the caller (it keeps class and status). */
static int report(odoo_sink *s, const odoo_error *err)
{
    (void)odoo_sink_set_error_from(s, err);
    return err->code;
}

/* ---- dead letters ---------------------------------------------------------------- */

static int open_dead(odoo_sink *s, ddb *d)
{
    odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
    int rc;
    o.path = d->dead_path;
    o.format = ODOO_JSON_LINES;
    o.append = 1;
    o.flush_records = 0;
    rc = odoo_json_sink_open(&d->dead, &o);
    if (rc != ODOO_OK) {
        odoo_error e;
        odoo__error_init(&e);
        odoo__error_set(&e, rc, 0, "dynamodb sink: dead-letter file: %s",
                        odoo_error_message(odoo_sink_last_error(d->dead)));
        if (d->window_err.code == ODOO_OK)
            odoo__error_copy(&d->window_err, &e);
        odoo__error_clear(&e);
        odoo_sink_free(d->dead);
        d->dead = NULL;
    }
    (void)s;
    return rc;
}

/* Write one dead letter: the item (or, when it could not even be mapped, the
 * record) with the reason. Counts DEAD_LETTERED, or FAILED when there is no
 * dead-letter file or writing it failed. */
static void dead_letter(odoo_sink *s, ddb *d, const odoo_error *why, json_t *item,
                        json_t *record, int attempts)
{
    json_t *line;
    int rc;
    if (d->dead_path && (d->dead || open_dead(s, d) == ODOO_OK)) {
        line = json_pack("{s:s, s:{s:s, s:s, s:i, s:s}, s:i}", "table", d->table, "error",
                         "code", odoo_error_name(why->code), "type",
                         why->klass ? why->klass : "", "http_status", why->http_status,
                         "message", why->message ? why->message : "", "attempts", attempts);
        if (line
            && ((item && json_object_set(line, "item", item) != 0)
                || (record && json_object_set(line, "record", record) != 0))) {
            json_decref(line); /* never a dead letter without what it is about */
            line = NULL;
        }
        rc = line ? odoo_sink_put(d->dead, line) : ODOO_ENOMEM;
        json_decref(line);
        if (rc == ODOO_OK) {
            odoo_sink_count(s, ODOO_SINK_DEAD_LETTERED, 1);
            return;
        }
        if (d->window_err.code == ODOO_OK) {
            odoo_error e;
            odoo__error_init(&e);
            odoo__error_set(&e, rc, 0, "dynamodb sink: cannot write the dead-letter file: %s",
                            odoo_error_message(odoo_sink_last_error(d->dead)));
            odoo__error_copy(&d->window_err, &e);
            odoo__error_clear(&e);
        }
    } else if (d->window_err.code == ODOO_OK) {
        odoo__error_copy(&d->window_err, why);
    }
    odoo_sink_count(s, ODOO_SINK_FAILED, 1);
}

/* ---- entries and requests ---------------------------------------------------------- */

/* Append @p node to the queue @p head ... @p tail, linked by ->next. */
#define QUEUE_APPEND(head, tail, node)                                                  \
    do {                                                                                \
        (node)->next = NULL;                                                            \
        if (tail)                                                                       \
            (tail)->next = (node);                                                      \
        else                                                                            \
            (head) = (node);                                                            \
        (tail) = (node);                                                                \
    } while (0)

static void form_append(ddb *d, ddb_entry *e)
{
    QUEUE_APPEND(d->form_head, d->form_tail, e);
    d->nform++;
}

static void wait_append(ddb *d, ddb_req *r)
{
    QUEUE_APPEND(d->wait_head, d->wait_tail, r);
}

/* An entry is done: count it, free it, let the next record of its key go. */
static void finish(odoo_sink *s, ddb *d, ddb_entry *e, int outcome, const odoo_error *why)
{
    ddb_entry *f = e->follow;
    if (outcome == OUT_WRITTEN) {
        odoo_sink_count(s, ODOO_SINK_WRITTEN, 1);
    } else if (outcome == OUT_SKIPPED) {
        odoo_sink_count(s, ODOO_SINK_SKIPPED, 1);
    } else if (d->dead_path) {
        /* the dead letter holds the item as sent: rebuilt from its text */
        json_t *item = entry_item(e);
        if (item) {
            dead_letter(s, d, why, item, NULL, e->attempts + 1);
            json_decref(item);
        } else {
            if (d->window_err.code == ODOO_OK)
                odoo__error_set(&d->window_err, ODOO_ENOMEM, 0,
                                "dynamodb sink: out of memory writing a dead letter");
            odoo_sink_count(s, ODOO_SINK_FAILED, 1);
        }
    } else {
        dead_letter(s, d, why, NULL, NULL, e->attempts + 1);
    }
    map_del(&d->keys, e);
    if (f) {
        /* the same key: f takes its place in the map (it cannot fail: the map
         * just lost an entry) */
        (void)map_put(&d->keys, f);
        form_append(d, f);
    }
    d->unfinished--;
    entry_free(e);
}

static ddb_req *req_new(void)
{
    return odoo__calloc(1, sizeof(ddb_req));
}

/* Items to send again after a retryable failure, after a back-off. */
static void retry_entries(odoo_sink *s, ddb *d, ddb_entry **es, int n, const odoo_error *why)
{
    ddb_req *r = NULL;
    int i, attempt = 0;
    for (i = 0; i < n; i++) {
        ddb_entry *e = es[i];
        e->attempts++;
        if (e->attempts > d->max_retries) {
            odoo_error ex;
            odoo__error_init(&ex);
            odoo__error_set(&ex, why->code, why->http_status,
                            "dynamodb sink: out of retries after %d attempts: %s",
                            e->attempts, why->message ? why->message : "");
            err_set_class(&ex, why->klass);
            e->attempts--; /* dead_letter reports attempts + 1 */
            odoo_sink_count(s, ODOO_SINK_GAVE_UP, 1); /* a later try may store it */
            finish(s, d, e, OUT_DEAD, &ex);
            odoo__error_clear(&ex);
            continue;
        }
        if (!r && !(r = req_new())) {
            odoo_error ex;
            odoo__error_init(&ex);
            odoo__error_set(&ex, ODOO_ENOMEM, 0, "out of memory");
            finish(s, d, e, OUT_DEAD, &ex);
            odoo__error_clear(&ex);
            continue;
        }
        odoo_sink_count(s, ODOO_SINK_RETRIED, 1);
        r->e[r->n++] = e;
        if (e->attempts > attempt)
            attempt = e->attempts;
    }
    if (r) {
        r->attempt = attempt;
        r->not_before = odoo__now_ms()
                        + odoo__backoff_ms(&d->rng, attempt - 1, d->retry_base_ms, d->retry_max_ms,
                                           ODOO__JITTER_FULL);
        wait_append(d, r);
    }
}

/* Group queued entries into requests: full batches, or everything when partial. */
static void form_requests(ddb *d, int partial)
{
    int per = d->conditional ? 1 : d->batch_size;
    while (d->nform >= (size_t)per || (partial && d->nform > 0)) {
        ddb_req *r = req_new();
        if (!r)
            return; /* try again later */
        while (r->n < per && d->form_head) {
            ddb_entry *e = d->form_head;
            d->form_head = e->next;
            if (!d->form_head)
                d->form_tail = NULL;
            d->nform--;
            e->next = NULL;
            r->e[r->n++] = e;
        }
        wait_append(d, r);
    }
}

/* The request body, straight from the entries' texts:
 * {"RequestItems":{"<table>":[{"PutRequest":{"Item":<item>}},...]}} or, for a
 * conditional PutItem, {"TableName":..,"Item":<item>,...,":v":<version>}}}. */
static int build_body(ddb *d, ddb_req *r, odoo__buf *b)
{
    /* every byte written below is counted here: head, per item the text, its
     * version (conditional) and at most 25 bytes of wrapping
     * (,{"PutRequest":{"Item": ... }}), then the tail (at most "}}"/"]}}") */
    size_t need = d->body_head_len + d->body_mid_len + 3;
    int i;
    for (i = 0; i < r->n; i++)
        need += r->e[i]->len + r->e[i]->vlen + 25;
    b->len = 0;
    if (odoo__buf_reserve(b, need) != ODOO_OK)
        return ODOO_ENOMEM;
    /* reserved above: plain copies from here on */
#define BODY_PUT(p, n)                         \
    do {                                       \
        memcpy(b->data + b->len, (p), (n));    \
        b->len += (n);                         \
    } while (0)
    BODY_PUT(d->body_head, d->body_head_len);
    if (d->conditional) {
        BODY_PUT(r->e[0]->text, r->e[0]->len);
        BODY_PUT(d->body_mid, d->body_mid_len);
        BODY_PUT(r->e[0]->version, r->e[0]->vlen);
        BODY_PUT("}}", 2);
    } else {
        for (i = 0; i < r->n; i++) {
            if (i)
                BODY_PUT(",", 1);
            BODY_PUT("{\"PutRequest\":{\"Item\":", 22);
            BODY_PUT(r->e[i]->text, r->e[i]->len);
            BODY_PUT("}}", 2);
        }
        BODY_PUT("]}}", 3);
    }
#undef BODY_PUT
    b->data[b->len] = '\0';
    return ODOO_OK;
}

static void handle_result(odoo_sink *s, ddb *d, ddb_req *r, int rc, odoo_error *err,
                          json_t *doc);

/* Start waiting requests whose back-off is over on idle slots. */
static void start_ready(odoo_sink *s, ddb *d)
{
    int i;
    long long now = odoo__now_ms();
    for (i = 0; i < d->concurrency && d->wait_head; i++) {
        ddb_slot *slot = &d->slots[i];
        ddb_req *r, *prev = NULL;
        odoo_error err;
        int rc;
        if (slot->req)
            continue;
        for (r = d->wait_head; r && r->not_before > now; prev = r, r = r->next)
            ;
        if (!r)
            return;
        if (prev)
            prev->next = r->next;
        else
            d->wait_head = r->next;
        if (d->wait_tail == r)
            d->wait_tail = prev;
        r->next = NULL;

        odoo__error_init(&err);
        if (build_body(d, r, &slot->conn.body) != ODOO_OK)
            rc = odoo__error_set(&err, ODOO_ENOMEM, 0, "out of memory");
        else
            rc = odoo__aws_conn_prepare(&slot->conn, &d->cfg, d->conditional ? "PutItem"
                                                                             : "BatchWriteItem",
                                        &err);
        if (rc == ODOO_OK && curl_multi_add_handle(d->multi, slot->conn.curl) != CURLM_OK)
            rc = odoo__error_set(&err, ODOO_ERROR, 0, "curl_multi_add_handle failed");
        if (rc != ODOO_OK) {
            /* never sent: sort it out like an answer */
            handle_result(s, d, r, rc, &err, NULL);
            odoo__error_clear(&err);
            free(r);
            continue;
        }
        slot->req = r;
        d->inflight++;
        d->unsent = 1;
        odoo_sink_count(s, ODOO_SINK_REQUESTS, 1);
        odoo_sink_count(s, ODOO_SINK_BYTES, slot->conn.body.len);
    }
}

static char *item_key(ddb *d, json_t *item)
{
    char *a, *b, *out;
    size_t n;
    a = odoo__dynamodb_key_text(json_object_get(item, d->pk));
    if (!a || !d->sk)
        return a;
    b = odoo__dynamodb_key_text(json_object_get(item, d->sk));
    if (!b) {
        free(a);
        return NULL;
    }
    n = strlen(a) + strlen(b) + 2;
    out = odoo__malloc(n);
    if (out)
        snprintf(out, n, "%s\x1f%s", a, b);
    free(a);
    free(b);
    return out;
}

static void handle_result(odoo_sink *s, ddb *d, ddb_req *r, int rc, odoo_error *err, json_t *doc)
{
    int i;
    if (rc == ODOO_OK) {
        if (d->conditional) {
            finish(s, d, r->e[0], OUT_WRITTEN, NULL);
        } else {
            json_t *un = json_object_get(json_object_get(doc, "UnprocessedItems"), d->table);
            char mark[DDB_MAX_BATCH];
            ddb_entry *again[DDB_MAX_BATCH];
            int nagain = 0;
            size_t k;
            memset(mark, 0, sizeof(mark));
            for (k = 0; json_is_array(un) && k < json_array_size(un); k++) {
                json_t *item = json_object_get(json_object_get(json_array_get(un, k),
                                                               "PutRequest"),
                                               "Item");
                char *key = item ? item_key(d, item) : NULL;
                if (item && !key) {
                    /* out of memory: which item it was is unknown, so every
                     * item of the request goes again (a put is idempotent) */
                    memset(mark, 1, sizeof(mark));
                    break;
                }
                for (i = 0; key && i < r->n; i++) {
                    if (!mark[i] && strcmp(r->e[i]->key, key) == 0) {
                        mark[i] = 1;
                        break;
                    }
                }
                free(key);
            }
            for (i = 0; i < r->n; i++) {
                if (mark[i])
                    again[nagain++] = r->e[i];
                else
                    finish(s, d, r->e[i], OUT_WRITTEN, NULL);
            }
            if (nagain) {
                odoo_error why;
                odoo__error_init(&why);
                odoo__error_set(&why, ODOO_EHTTP, 200,
                                "BatchWriteItem returned the item as unprocessed");
                err_set_class(&why, "UnprocessedItems");
                odoo_sink_count(s, ODOO_SINK_UNPROCESSED, (unsigned long long)nagain);
                retry_entries(s, d, again, nagain, &why);
                odoo__error_clear(&why);
            }
        }
        json_decref(doc);
        return;
    }
    json_decref(doc);
    if (d->conditional && err->klass
        && strcmp(err->klass, "ConditionalCheckFailedException") == 0) {
        finish(s, d, r->e[0], OUT_SKIPPED, NULL);
        return;
    }
    if (err->klass && odoo__aws_is_throttling(err->klass))
        odoo_sink_count(s, ODOO_SINK_THROTTLED, 1);
    if (rc == ODOO_EAUTH && is_expired_token(err)) {
        odoo__aws_credentials_invalidate(d->cfg.creds);
        err->retryable = 1;
    }
    if (rc == ODOO_EPROTOCOL)
        err->retryable = 1; /* puts are idempotent: sending again is safe */
    if (err->retryable) {
        retry_entries(s, d, r->e, r->n, err);
        return;
    }
    if (rc == ODOO_EINVAL && r->n > 1) {
        /* one bad item refuses the whole batch: send each alone to find it */
        for (i = 0; i < r->n; i++) {
            ddb_req *one = req_new();
            if (!one) {
                finish(s, d, r->e[i], OUT_DEAD, err);
                continue;
            }
            one->e[0] = r->e[i];
            one->n = 1;
            one->attempt = r->attempt;
            wait_append(d, one);
        }
        return;
    }
    for (i = 0; i < r->n; i++)
        finish(s, d, r->e[i], OUT_DEAD, err);
}

static void process_done(odoo_sink *s, ddb *d)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(d->multi, &left)) != NULL) {
        odoo__aws_conn *conn = NULL;
        ddb_slot *slot;
        ddb_req *r;
        odoo_error err;
        json_t *doc = NULL;
        int rc;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&conn);
        curl_multi_remove_handle(d->multi, msg->easy_handle);
        if (!conn)
            continue;
        slot = conn->owner;
        r = slot->req;
        slot->req = NULL;
        d->inflight--;
        odoo__error_init(&err);
        rc = odoo__aws_conn_result(conn, msg->data.result, &err, &doc);
        if (r)
            handle_result(s, d, r, rc, &err, doc);
        else
            json_decref(doc);
        odoo__error_clear(&err);
        free(r);
    }
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One step without blocking: form full batches, start, let libcurl work.
 * libcurl is asked (a poll() of the connections: a system call or more) when
 * a request was just started or 100 us went by since it was last asked, not
 * at every put: a fast caller puts a record every microsecond or two, and an
 * answer noticed 0.1 ms later costs nothing next to a request's time. */
#define PUMP_INTERVAL_US 100
static void pump(odoo_sink *s, ddb *d)
{
    int running = 0;
    long long now;
    form_requests(d, 0);
    start_ready(s, d);
    if (!d->inflight)
        return;
    now = now_us();
    if (!d->unsent && now - d->last_perform_us < PUMP_INTERVAL_US)
        return;
    d->last_perform_us = now;
    d->unsent = 0;
    curl_multi_perform(d->multi, &running);
    process_done(s, d);
    form_requests(d, 0);
    start_ready(s, d);
}

/* Block until at most target records are unfinished (0 = all). Partial
 * batches go out only for a flush, or when nothing else is moving.
 * ODOO_ENOMEM when records are left that no request could be made for (they
 * stay queued: a later flush sends them). */
static int drive(odoo_sink *s, ddb *d, size_t target)
{
    while (d->unfinished > target) {
        int running = 0;
        form_requests(d, target == 0 || (!d->inflight && !d->wait_head));
        start_ready(s, d);
        if (!d->inflight) {
            long long now = odoo__now_ms(), next = -1;
            ddb_req *r;
            for (r = d->wait_head; r; r = r->next)
                if (next < 0 || r->not_before < next)
                    next = r->not_before;
            if (next < 0) /* nothing queued: the records left wait for a request */
                return d->nform ? ODOO_ENOMEM : ODOO_OK;
            if (next > now)
                odoo__sleep_ms((long)(next - now));
            continue;
        }
        {
            long timeout = 1000;
            ddb_req *r;
            long long now = odoo__now_ms();
            int idle = 0, i;
            for (i = 0; i < d->concurrency; i++)
                idle += d->slots[i].req == NULL;
            if (idle) {
                for (r = d->wait_head; r; r = r->next) {
                    long wait = r->not_before > now ? (long)(r->not_before - now) : 0;
                    if (wait < timeout)
                        timeout = wait;
                }
            }
            curl_multi_poll(d->multi, NULL, 0, (int)timeout, NULL);
        }
        curl_multi_perform(d->multi, &running);
        process_done(s, d);
    }
    return ODOO_OK;
}

/* ---- mapping a record ---------------------------------------------------------------- */

static int is_number_text(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

/* A key attribute while an item is mapped. */
typedef struct keyval {
    int seen; /* the attribute is in the item */
    int bad;  /* ... but not of a type that makes a key */
} keyval;

/* Write a key attribute's value as the declared type ("7" <-> 7) and its
 * canonical text ("N:7") into kb. Another type is written as it is and marked
 * bad (the error is reported after every member was converted, as before). */
static int write_key(odoo__buf *b, const json_t *v, odoo_dynamodb_type type, keyval *kv,
                     odoo__buf *kb, size_t *size)
{
    char t[200];
    const char *text = NULL;
    size_t n = 0;
    int is_s = 0;
    kv->seen = 1;
    kv->bad = 0;
    kb->len = 0;
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (type == ODOO_DYNAMODB_S) {
            text = json_string_value(v);
            n = json_string_length(v);
            is_s = 1;
        } else if (is_number_text(json_string_value(v))) {
            text = json_string_value(v);
            n = strlen(text);
        } else {
            kv->bad = 1;
        }
        break;
    case JSON_INTEGER:
        n = odoo__int_text(json_integer_value(v), t);
        text = t;
        is_s = type == ODOO_DYNAMODB_S;
        break;
    case JSON_REAL:
        if (odoo__real_decimal(json_real_value(v), t, sizeof(t)) != ODOO_OK)
            return ODOO_EINVAL;
        text = t;
        n = strlen(t);
        is_s = type == ODOO_DYNAMODB_S;
        break;
    default:
        kv->bad = 1;
    }
    if (kv->bad)
        return odoo__dynamodb_attr_write(b, v, size);
    if (odoo__buf_append(kb, is_s ? "S:" : "N:", 2) != ODOO_OK
        || odoo__buf_append(kb, text, n) != ODOO_OK
        || odoo__buf_append(b, is_s ? "{\"S\":" : "{\"N\":", 5) != ODOO_OK)
        return ODOO_ENOMEM;
    if (is_s) {
        int rc = odoo__json_string_write(b, text, n);
        if (rc != ODOO_OK)
            return rc;
        *size += n;
    } else {
        /* number text: digits, '-', '.', 'e', '+' only */
        if (odoo__buf_append(b, "\"", 1) != ODOO_OK || odoo__buf_append(b, text, n) != ODOO_OK
            || odoo__buf_append(b, "\"", 1) != ODOO_OK)
            return ODOO_ENOMEM;
        *size += odoo__dynamodb_number_size(text);
    }
    return odoo__buf_append(b, "}", 1);
}

/* Map one member (attr <- value) onto the item text in b. */
static int map_member(ddb *d, odoo__buf *b, const char *attr, const char *field,
                      const json_t *value, int first, keyval *pk, keyval *sk, size_t *vpos,
                      size_t *size, odoo_error *err)
{
    size_t start;
    int rc;
    if ((!first && odoo__buf_append(b, ",", 1) != ODOO_OK)
        || odoo__json_string_write(b, attr, strlen(attr)) != ODOO_OK
        || odoo__buf_append(b, ":", 1) != ODOO_OK)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    start = b->len;
    if (strcmp(attr, d->pk) == 0)
        rc = write_key(b, value, d->pk_type, pk, &d->pkbuf, size);
    else if (d->sk && strcmp(attr, d->sk) == 0)
        rc = write_key(b, value, d->sk_type, sk, &d->skbuf, size);
    else
        rc = odoo__dynamodb_attr_write(b, value, size);
    if (rc != ODOO_OK)
        return odoo__error_set(err, rc, 0,
                               rc == ODOO_EINVAL
                                   ? "dynamodb sink: field \"%s\": a number outside DynamoDB's "
                                     "range, nesting too deep or a string that is not UTF-8"
                                   : "dynamodb sink: field \"%s\": out of memory",
                               field);
    *size += strlen(attr);
    if (d->conditional && strcmp(attr, d->version_attr) == 0) {
        /* a string or a number (after a key's conversion) */
        int key = strcmp(attr, d->pk) == 0 || (d->sk && strcmp(attr, d->sk) == 0);
        if (key ? !(strcmp(attr, d->pk) == 0 ? pk : sk)->bad
                : json_is_string(value) || json_is_number(value)) {
            vpos[0] = start;
            vpos[1] = b->len;
        } else {
            vpos[0] = vpos[1] = 0;
        }
    }
    return ODOO_OK;
}

static int key_error(const char *name, odoo_dynamodb_type type, const keyval *kv,
                     odoo_error *err)
{
    if (!kv->seen)
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "dynamodb sink: the record has no key attribute \"%s\"", name);
    return odoo__error_set(err, ODOO_EINVAL, 0,
                           "dynamodb sink: the key attribute \"%s\" must be a %s", name,
                           type == ODOO_DYNAMODB_S ? "string or number" : "number");
}

/* Map a record onto a new entry: the typed item's text, its key, its size
 * checked; the same checks and messages as the mapping through jansson. */
static int convert(ddb *d, json_t *record, ddb_entry **out, odoo_error *err)
{
    odoo__buf *b = &d->scratch;
    keyval pk = {0, 0}, sk = {0, 0};
    size_t vpos[2] = {0, 0}, size = 0, i, klen, vlen;
    int rc = ODOO_OK, first = 1;
    ddb_entry *e;
    char *p;

    *out = NULL;
    b->len = 0;
    if (odoo__buf_append(b, "{", 1) != ODOO_OK)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    if (d->mapped) {
        for (i = 0; i < d->nmap && rc == ODOO_OK; i++) {
            json_t *v = json_object_get(record, d->map_field[i]);
            int j, shadowed = 0;
            if (!v)
                continue;
            /* "a=X" then "b=X": the later field present wins the attribute */
            for (j = d->map_later[i]; j >= 0 && !shadowed; j = d->map_later[j])
                shadowed = json_object_get(record, d->map_field[j]) != NULL;
            if (shadowed) {
                keyval kp = {0, 0}, ks = {0, 0};
                size_t vp[2], sz = 0;
                d->junk.len = 0;
                rc = map_member(d, &d->junk, d->map_attr[i], d->map_field[i], v, 1, &kp, &ks,
                                vp, &sz, err);
                continue;
            }
            rc = map_member(d, b, d->map_attr[i], d->map_field[i], v, first, &pk, &sk, vpos,
                            &size, err);
            first = 0;
        }
    } else {
        const char *key;
        json_t *v;
        json_object_foreach(record, key, v) {
            rc = map_member(d, b, key, key, v, first, &pk, &sk, vpos, &size, err);
            first = 0;
            if (rc != ODOO_OK)
                break;
        }
    }
    if (rc != ODOO_OK)
        return rc;
    if (odoo__buf_append(b, "}", 1) != ODOO_OK)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    if (!pk.seen || pk.bad)
        return key_error(d->pk, d->pk_type, &pk, err);
    if (d->sk && (!sk.seen || sk.bad))
        return key_error(d->sk, d->sk_type, &sk, err);
    if (d->conditional && vpos[1] == 0)
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "dynamodb sink: the record has no version attribute \"%s\" "
                               "(a string or number) for a conditional write",
                               d->version_attr);
    if (size > ODOO_DYNAMODB_MAX_ITEM_SIZE) {
        rc = odoo__error_set(err, ODOO_EINVAL, 0,
                             "dynamodb sink: Item size has exceeded the maximum allowed size "
                             "(%zu bytes > %d)",
                             size, ODOO_DYNAMODB_MAX_ITEM_SIZE);
        err_set_class(err, "ValidationException");
        return rc;
    }
    klen = d->pkbuf.len + (d->sk ? 1 + d->skbuf.len : 0);
    vlen = vpos[1] - vpos[0];
    e = odoo__malloc(sizeof(*e) + b->len + 1 + klen + 1 + (vlen ? vlen + 1 : 0));
    if (!e)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    memset(e, 0, sizeof(*e));
    p = (char *)(e + 1);
    e->text = p;
    e->len = b->len;
    memcpy(p, b->data, b->len);
    p[b->len] = '\0';
    p += b->len + 1;
    e->key = p;
    memcpy(p, d->pkbuf.data, d->pkbuf.len);
    p += d->pkbuf.len;
    if (d->sk) {
        *p++ = '\x1f';
        memcpy(p, d->skbuf.data, d->skbuf.len);
        p += d->skbuf.len;
    }
    *p++ = '\0';
    if (vlen) {
        e->version = p;
        e->vlen = vlen;
        memcpy(p, b->data + vpos[0], vlen);
        p[vlen] = '\0';
    }
    *out = e;
    return ODOO_OK;
}

/* ---- the sink's functions -------------------------------------------------------------- */

static int ddb_put(odoo_sink *s, void *impl, json_t *record)
{
    ddb *d = impl;
    ddb_entry *e, *active;
    odoo_error err;
    int rc;

    odoo__error_init(&err);
    rc = convert(d, record, &e, &err);
    if (rc != ODOO_OK) {
        if (rc == ODOO_ENOMEM) {
            odoo_sink_count(s, ODOO_SINK_FAILED, 1);
            rc = report(s, &err);
            odoo__error_clear(&err);
            return rc;
        }
        if (d->dead_path) {
            dead_letter(s, d, &err, NULL, record, 0);
            odoo__error_clear(&err);
            return ODOO_OK;
        }
        odoo_sink_count(s, ODOO_SINK_FAILED, 1);
        rc = report(s, &err);
        odoo__error_clear(&err);
        return rc;
    }
    active = map_get(&d->keys, e->key);
    if (active) {
        /* wait behind the record of the same key */
        while (active->follow)
            active = active->follow;
        active->follow = e;
    } else {
        if (map_put(&d->keys, e) != ODOO_OK) {
            entry_free(e);
            odoo_sink_count(s, ODOO_SINK_FAILED, 1);
            return odoo_sink_set_error(s, ODOO_ENOMEM, "out of memory");
        }
        form_append(d, e);
    }
    d->unfinished++;
    pump(s, d);
    if (d->unfinished > (size_t)d->max_pending)
        (void)drive(s, d, (size_t)d->max_pending / 2); /* the flush reports what is left */
    return ODOO_OK;
}

static int ddb_flush(odoo_sink *s, void *impl)
{
    ddb *d = impl;
    int rc = ODOO_OK;
    if (drive(s, d, 0) != ODOO_OK && d->window_err.code == ODOO_OK) {
        /* never "flushed" while records are still queued */
        odoo_error e;
        odoo__error_init(&e);
        odoo__error_set(&e, ODOO_ENOMEM, 0, "dynamodb sink: out of memory: %zu records not sent",
                        d->unfinished);
        odoo__error_copy(&d->window_err, &e);
        odoo__error_clear(&e);
    }
    if (d->dead) {
        int drc = odoo_sink_flush(d->dead);
        if (drc != ODOO_OK && d->window_err.code == ODOO_OK) {
            odoo_error e;
            odoo__error_init(&e);
            odoo__error_set(&e, drc, 0, "dynamodb sink: dead-letter file: %s",
                            odoo_error_message(odoo_sink_last_error(d->dead)));
            odoo__error_copy(&d->window_err, &e);
            odoo__error_clear(&e);
        }
    }
    if (d->window_err.code != ODOO_OK) {
        rc = report(s, &d->window_err);
        odoo__error_clear(&d->window_err);
    }
    return rc;
}

static void release_connections(ddb *d)
{
    int i;
    if (d->slots) {
        for (i = 0; i < d->concurrency; i++) {
            if (d->slots[i].req && d->multi && d->slots[i].conn.curl)
                curl_multi_remove_handle(d->multi, d->slots[i].conn.curl);
            free(d->slots[i].req);
            odoo__aws_conn_dispose(&d->slots[i].conn);
        }
        free(d->slots);
        d->slots = NULL;
    }
    if (d->multi) {
        curl_multi_cleanup(d->multi);
        d->multi = NULL;
    }
}

static int ddb_close(odoo_sink *s, void *impl)
{
    ddb *d = impl;
    int rc = ddb_flush(s, impl);
    if (!d->inflight)
        release_connections(d);
    if (d->dead) {
        int drc = odoo_sink_close(d->dead);
        if (drc != ODOO_OK && rc == ODOO_OK)
            rc = odoo_sink_set_error(s, drc, "dynamodb sink: dead-letter file: %s",
                                     odoo_error_message(odoo_sink_last_error(d->dead)));
    }
    return rc;
}

static void free_chain(ddb_entry *e)
{
    while (e) {
        ddb_entry *f = e->follow;
        entry_free(e);
        e = f;
    }
}

static void ddb_free(void *impl)
{
    ddb *d = impl;
    size_t i;
    if (!d)
        return;
    release_connections(d);
    while (d->wait_head) {
        ddb_req *r = d->wait_head;
        d->wait_head = r->next;
        free(r);
    }
    /* every queued or in-flight record is in the key map; the rest wait behind them */
    for (i = 0; i < d->keys.nb; i++) {
        ddb_entry *e = d->keys.b[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            free_chain(e);
        }
    }
    free(d->keys.b);
    odoo_sink_free(d->dead);
    for (i = 0; i < d->nmap; i++) {
        free(d->map_field[i]);
        free(d->map_attr[i]);
    }
    free(d->map_field);
    free(d->map_attr);
    free(d->map_later);
    free(d->body_head);
    free(d->body_mid);
    odoo__buf_dispose(&d->scratch);
    odoo__buf_dispose(&d->junk);
    odoo__buf_dispose(&d->pkbuf);
    odoo__buf_dispose(&d->skbuf);
    free(d->table);
    free(d->pk);
    free(d->sk);
    free(d->version_attr);
    free(d->dead_path);
    odoo__aws_config_dispose(&d->cfg);
    odoo__error_clear(&d->window_err);
    if (d->global_ref)
        odoo__global_release();
    free(d);
}

static const odoo_sink_ops ddb_ops = {
    ODOO_SINK_OPS_VERSION, "dynamodb", NULL, ddb_put, ddb_flush, ddb_close, ddb_free,
};

/* ---- opening ------------------------------------------------------------------------- */

int odoo_dynamodb_sink_options_init(odoo_dynamodb_sink_options *opts, unsigned int version)
{
    static const odoo_dynamodb_sink_options defaults = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    if (!opts || version != ODOO_DYNAMODB_SINK_OPTIONS_VERSION)
        return ODOO_EINVAL;
    *opts = defaults;
    return ODOO_OK;
}

static int parse_mapping(ddb *d, const char *const *attributes, odoo_error *err)
{
    size_t n = 0, i;
    if (!attributes)
        return ODOO_OK;
    while (attributes[n])
        n++;
    if (n == 0)
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "dynamodb sink: the attribute mapping is empty");
    d->map_field = odoo__calloc(n, sizeof(char *));
    d->map_attr = odoo__calloc(n, sizeof(char *));
    if (!d->map_field || !d->map_attr)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    d->mapped = 1;
    for (i = 0; i < n; i++) {
        const char *a = attributes[i], *eq = strchr(a, '=');
        size_t fl = eq ? (size_t)(eq - a) : strlen(a);
        if (fl == 0 || (eq && !eq[1]))
            return odoo__error_set(err, ODOO_EINVAL, 0,
                                   "dynamodb sink: attribute mapping entry %zu is not "
                                   "\"field\" or \"field=Attribute\"",
                                   i);
        d->map_field[i] = odoo__malloc(fl + 1);
        d->map_attr[i] = odoo__strdup(eq ? eq + 1 : a);
        d->nmap = i + 1;
        if (!d->map_field[i] || !d->map_attr[i])
            return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        memcpy(d->map_field[i], a, fl);
        d->map_field[i][fl] = '\0';
    }
    d->map_later = odoo__calloc(n, sizeof(int));
    if (!d->map_later)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    for (i = 0; i < n; i++) {
        size_t j;
        d->map_later[i] = -1;
        for (j = i + 1; j < n; j++) {
            if (strcmp(d->map_attr[i], d->map_attr[j]) == 0) {
                d->map_later[i] = (int)j;
                break;
            }
        }
    }
    return ODOO_OK;
}

/* The fixed parts of every request body (see build_body). */
static int lit(odoo__buf *b, const char *text, int rc)
{
    if (rc != ODOO_OK)
        return rc;
    return odoo__buf_append(b, text, strlen(text));
}

static int jstr(odoo__buf *b, const char *text, int rc)
{
    if (rc != ODOO_OK)
        return rc;
    return odoo__json_string_write(b, text, strlen(text));
}

static int make_body_parts(ddb *d, odoo_error *err)
{
    odoo__buf h = {0}, m = {0};
    int rc = ODOO_OK;
    if (d->conditional) {
        rc = lit(&h, "{\"TableName\":", rc);
        rc = jstr(&h, d->table, rc);
        rc = lit(&h, ",\"Item\":", rc);
        rc = lit(&m,
                 ",\"ConditionExpression\":\"attribute_not_exists(#pk) OR "
                 "attribute_not_exists(#v) OR #v < :v\",\"ExpressionAttributeNames\":{\"#pk\":",
                 rc);
        rc = jstr(&m, d->pk, rc);
        rc = lit(&m, ",\"#v\":", rc);
        rc = jstr(&m, d->version_attr, rc);
        rc = lit(&m, "},\"ExpressionAttributeValues\":{\":v\":", rc);
    } else {
        rc = lit(&h, "{\"RequestItems\":{", rc);
        rc = jstr(&h, d->table, rc);
        rc = lit(&h, ":[", rc);
    }
    if (rc != ODOO_OK) {
        odoo__buf_dispose(&h);
        odoo__buf_dispose(&m);
        return rc == ODOO_ENOMEM
                   ? odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory")
                   : odoo__error_set(err, rc, 0,
                                     "dynamodb sink: the table and attribute names must be UTF-8");
    }
    d->body_head = h.data;
    d->body_head_len = h.len;
    d->body_mid = m.data;
    d->body_mid_len = m.len;
    return ODOO_OK;
}

/* Learn the key schema with DescribeTable. */
static int discover_keys(ddb *d, odoo_dynamodb *db, odoo_error *err)
{
    json_t *t = NULL, *ks, *defs;
    size_t i, j;
    int nomem = 0;
    int rc = odoo_dynamodb_describe_table(db, &t, d->table);
    if (rc != ODOO_OK) {
        odoo__error_copy(err, odoo_dynamodb_last_error(db));
        return rc;
    }
    ks = json_object_get(t, "KeySchema");
    defs = json_object_get(t, "AttributeDefinitions");
    for (i = 0; i < json_array_size(ks); i++) {
        json_t *k = json_array_get(ks, i);
        const char *name = json_string_value(json_object_get(k, "AttributeName"));
        const char *kt = json_string_value(json_object_get(k, "KeyType"));
        odoo_dynamodb_type type = ODOO_DYNAMODB_S;
        if (!name || !kt)
            continue;
        for (j = 0; j < json_array_size(defs); j++) {
            json_t *def = json_array_get(defs, j);
            const char *dn = json_string_value(json_object_get(def, "AttributeName"));
            const char *at = json_string_value(json_object_get(def, "AttributeType"));
            if (dn && at && strcmp(dn, name) == 0)
                type = strcmp(at, "N") == 0 ? ODOO_DYNAMODB_N : ODOO_DYNAMODB_S;
        }
        if (strcmp(kt, "HASH") == 0 && !d->pk) {
            d->pk = odoo__strdup(name);
            d->pk_type = type;
            nomem |= !d->pk;
        } else if (strcmp(kt, "RANGE") == 0 && !d->sk) {
            d->sk = odoo__strdup(name);
            d->sk_type = type;
            nomem |= !d->sk;
        }
    }
    json_decref(t);
    if (nomem) /* not "no partition key": a copy of its name failed */
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    if (!d->pk)
        return odoo__error_set(err, ODOO_EPROTOCOL, 200,
                               "dynamodb sink: DescribeTable gave no partition key");
    return ODOO_OK;
}

static int valid_type(odoo_dynamodb_type t)
{
    return t == ODOO_DYNAMODB_S || t == ODOO_DYNAMODB_N;
}

/* The constructors' failure path: a closed sink that holds err (what
 * odoo_sink_last_error() shows), built on libodoo's public sink API: its open
 * fails with err, so odoo_sink_open() hands back a closed sink. NULL when even
 * that cannot be allocated. */
static int failed_open(odoo_sink *sink, void *impl)
{
    return odoo_sink_set_error_from(sink, (const odoo_error *)impl);
}

static int failed_put(odoo_sink *sink, void *impl, json_t *record)
{
    (void)impl;
    (void)record;
    return odoo_sink_set_error(sink, ODOO_EINVAL, "dynamodb sink: not open");
}

static odoo_sink *failed_sink(const odoo_error *err)
{
    static const odoo_sink_ops failed_ops = {ODOO_SINK_OPS_VERSION, "dynamodb", failed_open,
                                             failed_put, NULL, NULL, NULL};
    odoo_sink *s = NULL;
    if (odoo_sink_open(&s, &failed_ops, (void *)(uintptr_t)err) == ODOO_OK) {
        odoo_sink_free(s); /* cannot happen: failed_open always fails */
        s = NULL;
    }
    return s;
}

int odoo_dynamodb_sink_open(odoo_sink **out, odoo_dynamodb *db,
                            const odoo_dynamodb_sink_options *opts)
{
    ddb *d = NULL;
    odoo_error err;
    int rc, i;

    if (!out)
        return ODOO_EINVAL;
    *out = NULL;
    odoo__error_init(&err);
    if (!db || !opts) {
        rc = odoo__error_set(&err, ODOO_EINVAL, 0, "dynamodb sink: db and opts are required");
        goto fail;
    }
    if (!db->s.ready) {
        rc = odoo__error_set(&err, ODOO_EINVAL, 0,
                             "dynamodb sink: the DynamoDB client could not be created");
        goto fail;
    }
    if (opts->version != ODOO_DYNAMODB_SINK_OPTIONS_VERSION) {
        rc = odoo__error_set(&err, ODOO_EINVAL, 0, "dynamodb sink: unknown options version %u",
                             opts->version);
        goto fail;
    }
    if (!opts->table || !*opts->table || (opts->partition_key && !*opts->partition_key)
        || (opts->sort_key && !*opts->sort_key) || !valid_type(opts->partition_type)
        || (opts->sort_key && !valid_type(opts->sort_type))) {
        rc = odoo__error_set(&err, ODOO_EINVAL, 0,
                             "dynamodb sink: a table name and valid key attributes are required");
        goto fail;
    }
    if (opts->mode != ODOO_DYNAMODB_BATCH && opts->mode != ODOO_DYNAMODB_CONDITIONAL) {
        rc = odoo__error_set(&err, ODOO_EINVAL, 0, "dynamodb sink: unknown write mode");
        goto fail;
    }
    if (opts->mode == ODOO_DYNAMODB_CONDITIONAL
        && (!opts->version_attribute || !*opts->version_attribute)) {
        rc = odoo__error_set(&err, ODOO_EINVAL, 0,
                             "dynamodb sink: conditional mode needs a version attribute");
        goto fail;
    }
    if (opts->concurrency < 1 || opts->concurrency > 64 || opts->batch_size < 1
        || opts->batch_size > DDB_MAX_BATCH || opts->max_retries < 0 || opts->retry_base_ms < 0
        || opts->retry_max_ms < 0 || opts->max_pending < 1) {
        rc = odoo__error_set(&err, ODOO_EINVAL, 0,
                             "dynamodb sink: concurrency (1..64), batch_size (1..25), "
                             "max_retries, retry delays and max_pending must be valid");
        goto fail;
    }
    d = odoo__calloc(1, sizeof(*d));
    if (!d) {
        rc = odoo__error_set(&err, ODOO_ENOMEM, 0, "out of memory");
        goto fail;
    }
    odoo__error_init(&d->window_err);
    rc = odoo__global_acquire();
    if (rc != ODOO_OK) {
        odoo__error_set(&err, rc, 0, "dynamodb sink: global initialisation failed");
        goto fail;
    }
    d->global_ref = 1;
    d->conditional = opts->mode == ODOO_DYNAMODB_CONDITIONAL;
    d->concurrency = opts->concurrency;
    d->batch_size = opts->batch_size;
    d->max_retries = opts->max_retries;
    d->retry_base_ms = opts->retry_base_ms;
    d->retry_max_ms = opts->retry_max_ms;
    d->max_pending = opts->max_pending;
    d->pk_type = opts->partition_type;
    d->sk_type = opts->sort_type;
    d->rng = odoo__rng_seed(d);
    if (odoo__aws_config_copy(&d->cfg, &db->s.cfg) != ODOO_OK
        || !(d->table = odoo__strdup(opts->table))
        || odoo__strdup_opt(&d->pk, opts->partition_key) != ODOO_OK
        || odoo__strdup_opt(&d->sk, opts->partition_key ? opts->sort_key : NULL) != ODOO_OK
        || odoo__strdup_opt(&d->version_attr,
                            d->conditional ? opts->version_attribute : NULL) != ODOO_OK
        || odoo__strdup_opt(&d->dead_path, opts->dead_letter_path) != ODOO_OK) {
        rc = odoo__error_set(&err, ODOO_ENOMEM, 0, "out of memory");
        goto fail;
    }
    rc = parse_mapping(d, opts->attributes, &err);
    if (rc != ODOO_OK)
        goto fail;
    if (!d->pk) {
        rc = discover_keys(d, db, &err);
        if (rc != ODOO_OK)
            goto fail;
    }
    rc = make_body_parts(d, &err);
    if (rc != ODOO_OK)
        goto fail;
    d->multi = curl_multi_init();
    d->slots = odoo__calloc((size_t)d->concurrency, sizeof(ddb_slot));
    if (!d->multi || !d->slots) {
        rc = odoo__error_set(&err, ODOO_ENOMEM, 0, "out of memory");
        goto fail;
    }
    /* keep a connection for every slot: libcurl's default cache is 4 per easy
     * handle added at the moment, and handles come and go with the requests,
     * so idle connections were closed and opened again (a TLS handshake each
     * against AWS) */
    curl_multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, (long)d->concurrency + 1);
    for (i = 0; i < d->concurrency; i++) {
        rc = odoo__aws_conn_init(&d->slots[i].conn, &d->cfg, &err);
        d->slots[i].conn.owner = &d->slots[i];
        if (rc != ODOO_OK)
            goto fail;
    }
    rc = odoo_sink_open(out, &ddb_ops, d);
    if (rc != ODOO_OK) {
        odoo_sink_free(*out);
        *out = NULL;
        odoo__error_set(&err, rc, 0, "dynamodb sink: %s", odoo_strerror(rc));
        goto fail;
    }
    return ODOO_OK;

fail:
    ddb_free(d);
    *out = failed_sink(&err);
    odoo__error_clear(&err);
    return rc;
}
