// SPDX-License-Identifier: MIT
/*
 * Allocation-failure torture (in the spirit of jansson's test_chaos and
 * curl's torture tests): along each path below, the k-th allocation fails,
 * for every k from 1 to the number of allocations the path makes (sampled
 * beyond ODOO_TORTURE_MAX_POINTS). Every run must return ODOO_OK or a
 * negative error code with a message, never crash, and leak nothing (the
 * torture runs under AddressSanitizer/LeakSanitizer in
 * `tests/run-tests.sh --sanitize`). After a failed run the same object is
 * used again without failures and must work: no state is left half-done.
 *
 * libodoo's allocations (odoo__malloc & co.) fail through the test-only
 * hook of src/util/util.c (built with -DODOO_ALLOC_HOOKS); jansson's through
 * json_set_alloc_funcs(), on the same counter, except inside its parser
 * json_loadb (see torture.c: the harness, shared with test_torture_aws.c).
 * libodoo's own decoder of Odoo's answers (src/util/json_parse.c) is failed like
 * the rest. libcurl's and OpenSSL's own allocations are not failed.
 *
 * Paths, over the web session (program torture), /jsonrpc (torture_jsonrpc)
 * and JSON-2 (torture_json2, against the Odoo 19 emulator):
 *  - login (odoo_client_new + odoo_client_login), call_kw (search_read);
 *  - the keyset iterator (3 pages, then resumed after the failure: every
 *    record exactly once);
 *  - re-authentication (web session only): the session expires on the
 *    server right before a call_kw, which logs in again and replays it
 *    inside the armed run; a search_read, and a write that must run once at
 *    most (exactly once on ODOO_OK);
 *  - batches: odoo_create_batch (10 partners, 3 calls), odoo_write_grouped
 *    (8 orders, 3 value sets, 5 calls), odoo_upsert (3 existing and 4 new
 *    products, chunks of 3). Records the server created or calls it applied
 *    but the caller was not told about must come with ODOO_EINDOUBT; an
 *    upsert run again completes the job without duplicates;
 *  - odoo_iter_changed_since from a saved cursor, records one by one then
 *    pages: after a failure the cursor (odoo_iter_cursor) is the last record
 *    handed out, and both a new iterator from it and the same iterator
 *    resumed give exactly the rest;
 *  - the JSON file sink (array and JSON Lines append; this program only).
 * On the paths that only read or change data, the only failures allowed are
 * ODOO_ENOMEM and ODOO_EINDOUBT: an Odoo error would mean a request went out
 * that should not have. The /jsonrpc and JSON-2 programs sample the batch
 * and cursor paths (300 points): the logic is the same, the transport not.
 *
 * Environment: ODOO_TORTURE_K=<k> runs a single failure point (to debug one),
 * ODOO_TORTURE_MAX_POINTS bounds the points of every path (default 3000, or
 * the path's own bound), ODOO_TORTURE_VERBOSE=1 prints each k and its outcome.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu.h"
#include "torture.h"

/* ---- login ------------------------------------------------------------------------------ */

static void options(odoo_client_options *o)
{
    emu_options(o, NULL, NULL);
    o->retry_base_ms = 1;
    o->retry_max_ms = 2;
#ifdef TORTURE_TRANSPORT
    /* the /jsonrpc and JSON-2 variants (torture_jsonrpc, torture_json2) */
    o->transport = TORTURE_TRANSPORT;
    o->api_key = getenv("ODOO_API_KEY");
    if (!o->api_key || !*o->api_key)
        fail_msg("ODOO_API_KEY is not set (run the emulator with --api-key)");
    if (TORTURE_TRANSPORT == ODOO_TRANSPORT_JSON2)
        o->password = "";
#endif
}

static int run_login(long k, long *allocs)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    int rc;
    options(&o);
    arm(k);
    int created;
    rc = odoo_client_new(&c, &o);
    created = rc == ODOO_OK;
    if (created)
        rc = odoo_client_login(c);
    *allocs = disarm();
    check_rc("login", k, rc, c ? odoo_client_last_error(c) : NULL);
    if (!created) {
        /* odoo_client_new() itself failed: that client can only be freed */
        odoo_client_free(c);
        c = NULL;
    }
    if (c) {
        /* the same client logs in without failures */
        int again = odoo_client_login(c);
        if (again != ODOO_OK)
            fail_msg("login: k=%ld: then a login without failures gave %s: %s", k,
                     odoo_error_name(again), odoo_error_message(odoo_client_last_error(c)));
        if (odoo_client_uid(c) <= 0)
            fail_msg("login: k=%ld: no uid after the login", k);
    } else if (rc == ODOO_OK) {
        fail_msg("login: k=%ld: ODOO_OK without a client", k);
    }
    odoo_client_free(c);
    return rc;
}

static void test_torture_login(void **state)
{
    (void)state;
    torture("login", run_login);
}

/* ---- call_kw ---------------------------------------------------------------------------- */

static odoo_client *shared_client;

static odoo_client *logged_in_client(void)
{
    odoo_client_options o;
    if (!shared_client) {
        options(&o);
        assert_int_equal(odoo_client_new(&shared_client, &o), ODOO_OK);
        EMU_ASSERT_RC(shared_client, odoo_client_login(shared_client), ODOO_OK);
    }
    return shared_client;
}

/* The call's arguments are built before the failures are armed. */
static json_t *kw_kwargs, *kw_domain;

static int search_read(odoo_client *c, json_t **rows)
{
    if (!kw_kwargs) {
        kw_kwargs = json_pack("{s:[s,s,s], s:i, s:s, s:{s:s}}", "fields", "name", "partner_id",
                              "amount_total", "limit", 5, "order", "id asc", "context", "lang",
                              "en_US");
        kw_domain = json_pack("[[[s,s,i]]]", "id", ">", 0);
    }
    return odoo_call_kw(c, rows, "sale.order", "search_read", kw_domain, kw_kwargs, NULL);
}

static int run_call_kw(long k, long *allocs)
{
    odoo_client *c = logged_in_client();
    json_t *rows = NULL;
    int rc, again;
    arm(k);
    rc = search_read(c, &rows);
    *allocs = disarm();
    check_rc("call_kw", k, rc, odoo_client_last_error(c));
    if (rc == ODOO_OK) {
        if (!json_is_array(rows) || json_array_size(rows) != 5)
            fail_msg("call_kw: k=%ld: ODOO_OK but not the 5 rows", k);
    } else if (rows) {
        fail_msg("call_kw: k=%ld: an error and a result", k);
    }
    json_decref(rows);
    rows = NULL;
    /* the client still works */
    again = search_read(c, &rows);
    if (again != ODOO_OK || json_array_size(rows) != 5)
        fail_msg("call_kw: k=%ld: then a call without failures gave %s: %s", k,
                 odoo_error_name(again), odoo_error_message(odoo_client_last_error(c)));
    json_decref(rows);
    return rc;
}

static void test_torture_call_kw(void **state)
{
    (void)state;
    torture("call_kw", run_call_kw);
    json_decref(kw_kwargs);
    json_decref(kw_domain);
    kw_kwargs = kw_domain = NULL;
    odoo_client_free(shared_client);
    shared_client = NULL;
}

/* ---- the iterator ----------------------------------------------------------------------- */

static const char *const iter_fields[] = {"name", "amount_total", NULL};
#define ITER_LAST 120

static int run_iter(long k, long *allocs)
{
    odoo_client *c = logged_in_client();
    odoo_iter *it = NULL;
    json_t *rec = NULL, *domain = json_pack("[[s, s, i]]", "id", "<=", ITER_LAST);
    long long expect = 1;
    int rc, first_rc = ODOO_OK;

    assert_non_null(domain);
    arm(k);
    rc = odoo_iter_new(&it, c, "sale.order", domain, iter_fields, 50);
    if (rc == ODOO_OK) {
        while ((rc = odoo_iter_next(it, &rec)) == 1) {
            if (json_integer_value(json_object_get(rec, "id")) != expect)
                fail_msg("iter: k=%ld: got id %lld, expected %lld", k,
                         (long long)json_integer_value(json_object_get(rec, "id")), expect);
            expect++;
            json_decref(rec);
            rec = NULL;
        }
    }
    *allocs = disarm();
    check_rc("iter", k, rc, odoo_client_last_error(c));
    if (rc < 0 && rec)
        fail_msg("iter: k=%ld: an error and a record", k);
    first_rc = rc;
    if (it) {
        /* resume: every record exactly once, in order */
        while ((rc = odoo_iter_next(it, &rec)) == 1) {
            if (json_integer_value(json_object_get(rec, "id")) != expect)
                fail_msg("iter: k=%ld: after resuming got id %lld, expected %lld", k,
                         (long long)json_integer_value(json_object_get(rec, "id")), expect);
            expect++;
            json_decref(rec);
            rec = NULL;
        }
        if (rc != 0)
            fail_msg("iter: k=%ld: resuming gave %s: %s", k, odoo_error_name(rc),
                     odoo_error_message(odoo_client_last_error(c)));
        if (expect != ITER_LAST + 1)
            fail_msg("iter: k=%ld: %lld records instead of %d", k, expect - 1, ITER_LAST);
        odoo_iter_free(it);
    } else if (first_rc == ODOO_OK) {
        fail_msg("iter: k=%ld: ODOO_OK without an iterator", k);
    }
    json_decref(domain);
    return first_rc < 0 ? first_rc : ODOO_OK;
}

static void test_torture_iter(void **state)
{
    (void)state;
    torture("iter", run_iter);
    odoo_client_free(shared_client);
    shared_client = NULL;
}

/* ---- re-authentication -------------------------------------------------------------------- */

/* Along these paths the server is never asked anything wrong: a failure is
 * an allocation that failed, before (ODOO_ENOMEM) or after the call left
 * (ODOO_EINDOUBT when it changes data). Anything else, e.g. an Odoo error,
 * means a request was sent that should not have been. */
static void check_cause(const char *what, long k, int rc, odoo_client *c)
{
    if (rc != ODOO_OK && rc != ODOO_ENOMEM && rc != ODOO_EINDOUBT)
        fail_msg("%s: k=%ld: an allocation failure ended as %s: %s", what, k,
                 odoo_error_name(rc), odoo_error_message(odoo_client_last_error(c)));
}

/* The session expires on the server (expire_all) just before the call: the
 * call_kw gets "session expired", logs in again and replays the call, all
 * inside the armed run. Only the web session has sessions (the variants skip). */
static int run_reauth(long k, long *allocs)
{
    odoo_client *c = logged_in_client();
    unsigned long reauths = odoo_client_reauth_count(c);
    json_t *rows = NULL;
    int rc, again;
    emu_fault("{\"expire_all\": true}");
    arm(k);
    rc = search_read(c, &rows);
    *allocs = disarm();
    check_rc("reauth", k, rc, odoo_client_last_error(c));
    check_cause("reauth", k, rc, c);
    if (rc == ODOO_OK) {
        if (!json_is_array(rows) || json_array_size(rows) != 5)
            fail_msg("reauth: k=%ld: ODOO_OK but not the 5 rows", k);
        if (odoo_client_reauth_count(c) != reauths + 1)
            fail_msg("reauth: k=%ld: ODOO_OK without one re-login (%lu)", k,
                     odoo_client_reauth_count(c) - reauths);
    } else if (rows) {
        fail_msg("reauth: k=%ld: an error and a result", k);
    }
    json_decref(rows);
    rows = NULL;
    /* the client still works (logging in again first when the failed run did not) */
    again = search_read(c, &rows);
    if (again != ODOO_OK || json_array_size(rows) != 5)
        fail_msg("reauth: k=%ld: then a call without failures gave %s: %s", k,
                 odoo_error_name(again), odoo_error_message(odoo_client_last_error(c)));
    json_decref(rows);
    return rc;
}

/* A failed run of a call that changes data must not hide that the server
 * applied it: that is what ODOO_EINDOUBT is for (docs/retries.md); any other
 * code tells the caller that nothing happened. */
static void check_applied(const char *what, long k, int rc, long long unreported)
{
    if (unreported > 0 && rc != ODOO_EINDOUBT)
        fail_msg("%s: k=%ld: returned %s, but the server applied %lld call(s) the caller was "
                 "not told about (expected ODOO_EINDOUBT)",
                 what, k, odoo_error_name(rc), unreported);
}

/* The same with a write: replayed once after the re-login, never twice. */
static json_t *rw_args;

static int run_reauth_write(long k, long *allocs)
{
    odoo_client *c = logged_in_client();
    json_t *res = NULL;
    long long before, applied;
    int rc, again;
    if (!rw_args)
        rw_args = json_pack("[[i, i], {s:s}]", 1, 2, "client_order_ref", "REAUTH");
    before = emu_calls("sale.order.write");
    emu_fault("{\"expire_all\": true}");
    arm(k);
    rc = odoo_call_kw(c, &res, "sale.order", "write", rw_args, NULL, NULL);
    *allocs = disarm();
    check_rc("reauth write", k, rc, odoo_client_last_error(c));
    check_cause("reauth write", k, rc, c);
    applied = emu_calls("sale.order.write") - before;
    if (applied > 1)
        fail_msg("reauth write: k=%ld: the write ran %lld times", k, applied);
    if (rc == ODOO_OK && (applied != 1 || !json_is_true(res)))
        fail_msg("reauth write: k=%ld: ODOO_OK but the write ran %lld times", k, applied);
    if (rc != ODOO_OK) {
        if (res)
            fail_msg("reauth write: k=%ld: an error and a result", k);
        check_applied("reauth write", k, rc, applied);
    }
    json_decref(res);
    res = NULL;
    again = odoo_call_kw(c, &res, "sale.order", "write", rw_args, NULL, NULL);
    if (again != ODOO_OK || !json_is_true(res))
        fail_msg("reauth write: k=%ld: then a write without failures gave %s: %s", k,
                 odoo_error_name(again), odoo_error_message(odoo_client_last_error(c)));
    json_decref(res);
    return rc;
}

static void test_torture_reauth(void **state)
{
    (void)state;
#ifdef TORTURE_TRANSPORT
    skip(); /* /jsonrpc and JSON-2 have no session to expire */
#endif
    torture("reauth (search_read)", run_reauth);
    torture("reauth (write)", run_reauth_write);
    json_decref(rw_args);
    rw_args = NULL;
    json_decref(kw_kwargs);
    json_decref(kw_domain);
    kw_kwargs = kw_domain = NULL;
    odoo_client_free(shared_client);
    shared_client = NULL;
}

/* ---- batches: create_batch, write_grouped, upsert ------------------------------------------ */

/* The batches and the cursor are the same code over every transport: the
 * /jsonrpc and JSON-2 programs sample their points (time), the web session
 * program runs them all. */
#ifdef TORTURE_TRANSPORT
#  define MODEL_POINTS 300
#else
#  define MODEL_POINTS 0 /* the default: every point */
#endif

static long run_serial; /* makes the names of each run unique */

/* Is every id of a (NULL: none) in b? */
static int ids_subset(json_t *a, json_t *b)
{
    size_t i, j;
    for (i = 0; i < json_array_size(a); i++) {
        json_int_t id = json_integer_value(json_array_get(a, i));
        for (j = 0; j < json_array_size(b); j++)
            if (json_integer_value(json_array_get(b, j)) == id)
                break;
        if (j == json_array_size(b))
            return 0;
    }
    return 1;
}

static int ids_same(json_t *a, json_t *b)
{
    return json_array_size(a) == json_array_size(b) && ids_subset(a, b) && ids_subset(b, a);
}

/* The ids of the records whose field is one of values (no failures armed). */
static json_t *ids_where_in(odoo_client *c, const char *model, const char *field, json_t *values)
{
    json_t *domain = json_pack("[[s, s, O]]", field, "in", values), *ids = NULL;
    assert_non_null(domain);
    EMU_ASSERT_RC(c, odoo_search(c, &ids, model, domain, "id asc", 0, 0, NULL), ODOO_OK);
    json_decref(domain);
    return ids;
}

#define CB_RECORDS 10
#define CB_CHUNK 4 /* 3 create calls; the ids outgrow a fresh JSON array (8) */

/* CB_RECORDS new partners with names unique to this run (listed in *names). */
static json_t *partner_records(json_t **names)
{
    json_t *recs = json_array();
    long run = ++run_serial;
    char name[64];
    int i;
    *names = json_array();
    for (i = 1; i <= CB_RECORDS; i++) {
        snprintf(name, sizeof(name), "torture-cb-%ld-%d", run, i);
        json_array_append_new(recs, json_pack("{s:s, s:s}", "name", name, "ref", "torture"));
        json_array_append_new(*names, json_string(name));
    }
    return recs;
}

static int run_create_batch(long k, long *allocs)
{
    odoo_client *c = logged_in_client();
    json_t *names, *recs = partner_records(&names), *ids = NULL, *server;
    int rc, again;
    arm(k);
    rc = odoo_create_batch(c, &ids, "res.partner", recs, CB_CHUNK, NULL);
    *allocs = disarm();
    check_rc("create_batch", k, rc, odoo_client_last_error(c));
    check_cause("create_batch", k, rc, c);
    server = ids_where_in(c, "res.partner", "name", names);
    if (rc == ODOO_OK) {
        if (json_array_size(ids) != CB_RECORDS || !ids_same(ids, server))
            fail_msg("create_batch: k=%ld: ODOO_OK but %zu ids for %zu records created", k,
                     json_array_size(ids), json_array_size(server));
    } else {
        long long unreported = (long long)json_array_size(server) - (long long)json_array_size(ids);
        if (ids && !json_is_array(ids))
            fail_msg("create_batch: k=%ld: the ids are not an array", k);
        if (!ids_subset(ids, server))
            fail_msg("create_batch: k=%ld: ids reported that were not created", k);
        /* "set also on failure, holding the ids of the chunks that were created" */
        if (rc == ODOO_EINDOUBT ? unreported > CB_CHUNK : unreported != 0)
            check_applied("create_batch", k, rc, unreported);
    }
    json_decref(ids);
    json_decref(server);
    json_decref(recs);
    json_decref(names);
    /* the client still works: a batch without failures */
    ids = NULL;
    recs = partner_records(&names);
    again = odoo_create_batch(c, &ids, "res.partner", recs, CB_CHUNK, NULL);
    if (again != ODOO_OK || json_array_size(ids) != CB_RECORDS)
        fail_msg("create_batch: k=%ld: then a batch without failures gave %s: %s", k,
                 odoo_error_name(again), odoo_error_message(odoo_client_last_error(c)));
    json_decref(ids);
    json_decref(recs);
    json_decref(names);
    return rc;
}

#define WG_ORDERS 8
#define WG_CHUNK 2
#define WG_CALLS 5 /* groups of 2, 3 and 3 orders, 2 per write */
static const char *const wg_fields[] = {"client_order_ref", NULL};

/* Orders 1..WG_ORDERS get one of 3 references unique to this run. */
static json_t *order_updates(json_t **ids, json_t **refs)
{
    json_t *updates = json_array();
    long run = ++run_serial;
    char ref[64];
    int i;
    *ids = json_array();
    *refs = json_array();
    for (i = 1; i <= WG_ORDERS; i++) {
        snprintf(ref, sizeof(ref), "W%ld-%d", run, i % 3);
        json_array_append_new(updates,
                              json_pack("{s:i, s:{s:s}}", "id", i, "values", "client_order_ref", ref));
        json_array_append_new(*ids, json_integer(i));
        json_array_append_new(*refs, json_string(ref));
    }
    return updates;
}

/* Do the orders have the references (no failures armed)? */
static int orders_have(odoo_client *c, json_t *ids, json_t *refs)
{
    json_t *rows = NULL;
    size_t i;
    int same = 1;
    EMU_ASSERT_RC(c, odoo_read(c, &rows, "sale.order", ids, wg_fields, NULL), ODOO_OK);
    if (json_array_size(rows) != json_array_size(ids))
        same = 0;
    for (i = 0; same && i < json_array_size(rows); i++)
        same = json_equal(json_object_get(json_array_get(rows, i), "client_order_ref"),
                          json_array_get(refs, i));
    json_decref(rows);
    return same;
}

static int run_write_grouped(long k, long *allocs)
{
    odoo_client *c = logged_in_client();
    json_t *ids, *refs, *updates = order_updates(&ids, &refs);
    unsigned long calls = 0;
    long long before = emu_calls("sale.order.write"), applied;
    int rc, again;
    arm(k);
    rc = odoo_write_grouped(c, "sale.order", updates, WG_CHUNK, &calls, NULL);
    *allocs = disarm();
    check_rc("write_grouped", k, rc, odoo_client_last_error(c));
    check_cause("write_grouped", k, rc, c);
    applied = emu_calls("sale.order.write") - before;
    if (rc == ODOO_OK) {
        if (calls != WG_CALLS || applied != WG_CALLS || !orders_have(c, ids, refs))
            fail_msg("write_grouped: k=%ld: ODOO_OK but %lu calls reported, %lld made, "
                     "values %s",
                     k, calls, applied, orders_have(c, ids, refs) ? "written" : "not written");
    } else {
        if ((long long)calls > applied || applied > (long long)calls + 1)
            fail_msg("write_grouped: k=%ld: %lu calls reported, %lld made", k, calls, applied);
        check_applied("write_grouped", k, rc, applied - (long long)calls);
    }
    /* the client still works: the same updates without failures */
    again = odoo_write_grouped(c, "sale.order", updates, WG_CHUNK, &calls, NULL);
    if (again != ODOO_OK || calls != WG_CALLS || !orders_have(c, ids, refs))
        fail_msg("write_grouped: k=%ld: then the same updates without failures gave %s: %s", k,
                 odoo_error_name(again), odoo_error_message(odoo_client_last_error(c)));
    json_decref(updates);
    json_decref(ids);
    json_decref(refs);
    return rc;
}

#define UP_EXISTING 3 /* P-0001.. exist in the emulator */
#define UP_NEW 4
#define UP_CHUNK 3 /* 3 search_read, 2 create, 1 write */
static const char *const up_fields[] = {"default_code", "list_price", NULL};

/* UP_EXISTING existing products and UP_NEW new ones (codes unique to the
 * run), all with a price unique to the run. */
static json_t *product_records(json_t **codes, json_t **new_codes, double *price)
{
    json_t *recs = json_array();
    long run = ++run_serial;
    char code[64];
    int i;
    *codes = json_array();
    *new_codes = json_array();
    *price = 1.0 + (double)run;
    for (i = 1; i <= UP_EXISTING + UP_NEW; i++) {
        if (i <= UP_EXISTING) {
            snprintf(code, sizeof(code), "P-%04d", i);
            /* with a name: a product missed by the search would be created again */
            json_array_append_new(recs, json_pack("{s:s, s:s, s:f}", "default_code", code,
                                                  "name", code, "list_price", *price));
        } else {
            snprintf(code, sizeof(code), "UT-%ld-%d", run, i);
            json_array_append_new(recs, json_pack("{s:s, s:s, s:f}", "default_code", code,
                                                  "name", code, "list_price", *price));
            json_array_append_new(*new_codes, json_string(code));
        }
        json_array_append_new(*codes, json_string(code));
    }
    return recs;
}

static int run_upsert(long k, long *allocs)
{
    odoo_client *c = logged_in_client();
    json_t *codes, *new_codes, *recs, *out = NULL, *existing, *again_out = NULL, *rows = NULL;
    json_t *domain, *row;
    double price;
    size_t i;
    int rc, again;

    recs = product_records(&codes, &new_codes, &price);
    arm(k);
    rc = odoo_upsert(c, &out, "product.product", "default_code", recs, UP_CHUNK, NULL);
    *allocs = disarm();
    check_rc("upsert", k, rc, odoo_client_last_error(c));
    check_cause("upsert", k, rc, c);
    existing = ids_where_in(c, "product.product", "default_code", new_codes);
    if (rc == ODOO_OK) {
        if (!out || !ids_same(json_object_get(out, "created"), existing)
            || json_array_size(json_object_get(out, "created")) != UP_NEW
            || json_array_size(json_object_get(out, "updated")) != UP_EXISTING)
            fail_msg("upsert: k=%ld: ODOO_OK but not the result %s", k,
                     out ? "expected" : "(none)");
    } else if (out) {
        json_t *created = json_object_get(out, "created");
        if (!ids_subset(created, existing))
            fail_msg("upsert: k=%ld: ids reported as created that were not", k);
        if (rc == ODOO_EINDOUBT ? json_array_size(existing) > json_array_size(created) + UP_CHUNK
                                : json_array_size(existing) != json_array_size(created))
            check_applied("upsert", k, rc,
                          (long long)json_array_size(existing)
                              - (long long)json_array_size(created));
    }
    /* Running it again without failures completes the job, never duplicates */
    again = odoo_upsert(c, &again_out, "product.product", "default_code", recs, UP_CHUNK, NULL);
    if (again != ODOO_OK
        || json_array_size(json_object_get(again_out, "created"))
               != UP_NEW - json_array_size(existing)
        || json_array_size(json_object_get(again_out, "updated"))
               != UP_EXISTING + json_array_size(existing))
        fail_msg("upsert: k=%ld: then the same upsert without failures gave %s: %s", k,
                 odoo_error_name(again), odoo_error_message(odoo_client_last_error(c)));
    domain = json_pack("[[s, s, O]]", "default_code", "in", codes);
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "product.product", domain, up_fields, NULL, 0, 0,
                                      NULL),
                  ODOO_OK);
    if (json_array_size(rows) != UP_EXISTING + UP_NEW)
        fail_msg("upsert: k=%ld: %zu products for %d codes", k, json_array_size(rows),
                 UP_EXISTING + UP_NEW);
    json_array_foreach(rows, i, row) {
        if (json_real_value(json_object_get(row, "list_price")) != price)
            fail_msg("upsert: k=%ld: %s has not the new price", k,
                     json_string_value(json_object_get(row, "default_code")));
    }
    json_decref(rows);
    json_decref(domain);
    json_decref(again_out);
    json_decref(existing);
    json_decref(out);
    json_decref(recs);
    json_decref(codes);
    json_decref(new_codes);
    return rc;
}

static void test_torture_batches(void **state)
{
    (void)state;
    torture_max("create_batch", run_create_batch, MODEL_POINTS);
    torture_max("write_grouped", run_write_grouped, MODEL_POINTS);
    torture_max("upsert", run_upsert, MODEL_POINTS);
    odoo_client_free(shared_client);
    shared_client = NULL;
}

/* ---- the incremental (write_date, id) cursor ---------------------------------------------- */

#define CS_LAST 80 /* orders 1..80 */
#define CS_FROM 10  /* the armed run starts from the cursor of the 10th */
#define CS_NEXT 15  /* records taken one by one, then pages of 30 */
static const char *const cs_fields[] = {"name", "client_order_ref", NULL};
static json_t *cs_expected; /* [[write_date, id], ...] in (write_date, id) order */
static json_t *cs_domain;

static void cs_load(odoo_client *c)
{
    odoo_iter *it = NULL;
    json_t *rec;
    int rc;
    cs_domain = json_pack("[[s, s, i]]", "id", "<=", CS_LAST);
    cs_expected = json_array();
    EMU_ASSERT_RC(c, odoo_iter_changed_since(&it, c, "sale.order", cs_domain, cs_fields, 0, NULL, 0),
                  ODOO_OK);
    while ((rc = odoo_iter_next(it, &rec)) == 1) {
        json_array_append_new(cs_expected,
                              json_pack("[O, O]", json_object_get(rec, "write_date"),
                                        json_object_get(rec, "id")));
        json_decref(rec);
    }
    EMU_ASSERT_RC(c, rc, 0);
    odoo_iter_free(it);
    assert_int_equal(json_array_size(cs_expected), CS_LAST);
}

static const char *cs_wd(size_t pos)
{
    return json_string_value(json_array_get(json_array_get(cs_expected, pos), 0));
}

static long long cs_id(size_t pos)
{
    return (long long)json_integer_value(json_array_get(json_array_get(cs_expected, pos), 1));
}

/* The record is the pos-th expected one. */
static void cs_match(const char *what, long k, json_t *rec, size_t pos)
{
    const char *wd = json_string_value(json_object_get(rec, "write_date"));
    long long id = (long long)json_integer_value(json_object_get(rec, "id"));
    if (pos >= json_array_size(cs_expected))
        fail_msg("%s: k=%ld: a record after the last one (id %lld)", what, k, id);
    if (id != cs_id(pos) || !wd || strcmp(wd, cs_wd(pos)) != 0)
        fail_msg("%s: k=%ld: got (%s, %lld), expected (%s, %lld)", what, k, wd ? wd : "-", id,
                 cs_wd(pos), cs_id(pos));
}

/* The rest of the records, each once, in order, from pos. */
static void cs_drain(const char *what, long k, odoo_iter *it, size_t pos)
{
    odoo_client *c = logged_in_client();
    json_t *rec = NULL;
    int rc;
    while ((rc = odoo_iter_next(it, &rec)) == 1) {
        cs_match(what, k, rec, pos++);
        json_decref(rec);
    }
    if (rc != 0)
        fail_msg("%s: k=%ld: gave %s: %s", what, k, odoo_error_name(rc),
                 odoo_error_message(odoo_client_last_error(c)));
    if (pos != json_array_size(cs_expected))
        fail_msg("%s: k=%ld: ended after %zu records of %zu", what, k, pos,
                 json_array_size(cs_expected));
}

static int run_changed_since(long k, long *allocs)
{
    odoo_client *c = logged_in_client();
    odoo_iter *it = NULL, *again = NULL;
    json_t *rec = NULL, *page = NULL;
    size_t pos = CS_FROM, i;
    const char *wd;
    char *saved_wd;
    long long id;
    int rc;

    if (!cs_expected)
        cs_load(c);
    arm(k);
    rc = odoo_iter_changed_since(&it, c, "sale.order", cs_domain, cs_fields, 30,
                                 cs_wd(CS_FROM - 1), cs_id(CS_FROM - 1));
    while (rc == ODOO_OK && pos < CS_FROM + CS_NEXT && (rc = odoo_iter_next(it, &rec)) == 1) {
        cs_match("changed_since", k, rec, pos++);
        json_decref(rec);
        rec = NULL;
        rc = ODOO_OK;
    }
    while (rc == ODOO_OK && (rc = odoo_iter_next_page(it, &page)) > 0) {
        json_array_foreach(page, i, rec) {
            cs_match("changed_since", k, rec, pos++);
        }
        json_decref(page);
        page = NULL;
        rec = NULL;
        rc = ODOO_OK;
    }
    *allocs = disarm();
    check_rc("changed_since", k, rc, odoo_client_last_error(c));
    check_cause("changed_since", k, rc, c);
    if (rc < 0 && (rec || page))
        fail_msg("changed_since: k=%ld: an error and a record", k);
    if (!it) {
        if (rc == ODOO_OK)
            fail_msg("changed_since: k=%ld: ODOO_OK without an iterator", k);
        return rc;
    }
    if (rc == ODOO_OK && pos != CS_LAST)
        fail_msg("changed_since: k=%ld: the end after %zu records", k, pos);
    /* the cursor is the last record handed out (or where it started) */
    odoo_iter_cursor(it, &wd, &id);
    if (!wd || strcmp(wd, cs_wd(pos - 1)) != 0 || id != cs_id(pos - 1))
        fail_msg("changed_since: k=%ld: %s after %zu records: the cursor is (%s, %lld), the last "
                 "record handed out (%s, %lld)",
                 k, odoo_error_name(rc), pos - CS_FROM, wd ? wd : "-", id, cs_wd(pos - 1),
                 cs_id(pos - 1));
    saved_wd = strdup(wd);
    /* a new iterator from the saved cursor (a sync after a crash) ... */
    EMU_ASSERT_RC(c, odoo_iter_changed_since(&again, c, "sale.order", cs_domain, cs_fields, 30,
                                             saved_wd, id),
                  ODOO_OK);
    cs_drain("changed_since: from the saved cursor", k, again, pos);
    odoo_iter_free(again);
    /* ... and the same iterator resumed */
    cs_drain("changed_since: resumed", k, it, pos);
    odoo_iter_free(it);
    free(saved_wd);
    return rc;
}

static void test_torture_changed_since(void **state)
{
    (void)state;
    torture_max("changed_since + cursor", run_changed_since, MODEL_POINTS);
    json_decref(cs_expected);
    json_decref(cs_domain);
    cs_expected = cs_domain = NULL;
    odoo_client_free(shared_client);
    shared_client = NULL;
}

/* ---- the JSON file sink ------------------------------------------------------------------- */

#define SINK_RECORDS 40
static json_t *sink_records;

static json_t *records(void)
{
    if (!sink_records) {
        int i;
        sink_records = json_array();
        for (i = 1; i <= SINK_RECORDS; i++)
            json_array_append_new(
                sink_records,
                json_pack("{s:i, s:s, s:f, s:[i,s], s:b, s:n, s:{s:s}}", "id", i, "name",
                          "S0001\xc3\xa9", "amount_total", 0.1 * i, "partner_id", i,
                          "Azure \"Interior\"", "paid", i % 2, "note", "lines", "x", "y"));
    }
    return sink_records;
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

static int run_sink(long k, long *allocs, odoo_json_format format, int append)
{
    char dir[] = "/tmp/odoo-torture-XXXXXX", path[512];
    odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
    odoo_sink *s = NULL;
    json_t *recs = records(), *back;
    size_t i;
    int rc;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/out.json", dir);
    o.path = path;
    o.format = format;
    o.append = append;
    o.fsync = 0;
    o.flush_records = 16;
    arm(k);
    rc = odoo_json_sink_open(&s, &o);
    for (i = 0; rc == ODOO_OK && i < json_array_size(recs); i++)
        rc = odoo_sink_put(s, json_array_get(recs, i));
    if (rc == ODOO_OK)
        rc = odoo_sink_close(s);
    *allocs = disarm();
    check_rc("json sink", k, rc, s ? odoo_sink_last_error(s) : NULL);
    odoo_sink_free(s);
    if (rc == ODOO_OK) {
        json_error_t jerr;
        if (format == ODOO_JSON_ARRAY) {
            back = json_load_file(path, 0, &jerr);
            if (!json_is_array(back) || json_array_size(back) != SINK_RECORDS)
                fail_msg("json sink: k=%ld: ODOO_OK but the file is not the %d records", k,
                         SINK_RECORDS);
            json_decref(back);
        }
        if (dir_entries(dir) != 1)
            fail_msg("json sink: k=%ld: files left next to the target", k);
    } else if (!append) {
        /* whole-file output: nothing appears, no temporary file stays */
        if (dir_entries(dir) != 0)
            fail_msg("json sink: k=%ld: a failed whole-file sink left files", k);
    }
    rm_dir(dir);
    return rc;
}

static int run_sink_array(long k, long *allocs)
{
    return run_sink(k, allocs, ODOO_JSON_ARRAY, 0);
}

static int run_sink_lines_append(long k, long *allocs)
{
    return run_sink(k, allocs, ODOO_JSON_LINES, 1);
}

static void test_torture_json_sink(void **state)
{
    (void)state;
#ifdef TORTURE_TRANSPORT
    skip(); /* no transport in it: the main torture program runs it */
#endif
    torture("json sink (array, whole file)", run_sink_array);
    torture("json sink (JSON Lines, append)", run_sink_lines_append);
    json_decref(sink_records);
    sink_records = NULL;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torture_login),
        cmocka_unit_test(test_torture_call_kw),
        cmocka_unit_test(test_torture_iter),
        cmocka_unit_test(test_torture_reauth),
        cmocka_unit_test(test_torture_batches),
        cmocka_unit_test(test_torture_changed_since),
        cmocka_unit_test(test_torture_json_sink),
    };
    /* before any JSON value exists: jansson's allocations share the counter */
    torture_init();
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
