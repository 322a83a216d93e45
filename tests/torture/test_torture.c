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
 * hook of src/util.c (built with -DODOO_ALLOC_HOOKS); jansson's through
 * json_set_alloc_funcs() below, on the same counter, except inside its
 * parser (see __wrap_json_loadb). libcurl's and OpenSSL's own allocations
 * are not failed.
 *
 * Paths: login (odoo_client_new + odoo_client_login), call_kw (search_read),
 * both over the web session (torture), /jsonrpc (torture_jsonrpc) and JSON-2
 * (torture_json2, against the Odoo 19 emulator),
 * the keyset iterator (3 pages, then resumed after the failure: every
 * record exactly once) and the JSON file sink (array and JSON Lines append).
 *
 * Environment: ODOO_TORTURE_K=<k> runs a single failure point (to debug one),
 * ODOO_TORTURE_MAX_POINTS (default 3000) bounds the points of one path.
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
#include "internal.h"

#ifndef ODOO_ALLOC_HOOKS
#  error "the torture needs the library built with ODOO_ALLOC_HOOKS"
#endif

/* jansson 2.14's parser does not survive a failed allocation: lex_save()
 * drops the failure and the lexer then reads past its buffer (a crash inside
 * json_loadb; upstream akheron/jansson#362, fix proposed in PR #747). So the
 * parser's own allocations are not failed: json_loadb/json_loads are wrapped
 * (-Wl,--wrap, see CMakeLists.txt) and a failure point that falls on a parse
 * makes the whole parse fail the way jansson reports it ("out of memory"). */
static int in_parser;

json_t *__real_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__real_json_loads(const char *input, size_t flags, json_error_t *error);
json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error);

static json_t *parse_failed(json_error_t *error)
{
    if (error) {
        memset(error, 0, sizeof(*error));
        error->line = error->column = -1;
        snprintf(error->text, sizeof(error->text), "%s", "out of memory");
    }
    return NULL;
}

json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error)
{
    json_t *v;
    if (!in_parser && odoo__alloc_should_fail())
        return parse_failed(error);
    in_parser++;
    v = __real_json_loadb(buffer, buflen, flags, error);
    in_parser--;
    return v;
}

json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error)
{
    json_t *v;
    if (!in_parser && odoo__alloc_should_fail())
        return parse_failed(error);
    in_parser++;
    v = __real_json_loads(input, flags, error);
    in_parser--;
    return v;
}

static void *chaos_malloc(size_t n)
{
    if (!in_parser && odoo__alloc_should_fail())
        return NULL;
    return malloc(n);
}

static void arm(long k)
{
    odoo__set_alloc_fail_after(k);
}

static long disarm(void)
{
    long n = odoo__alloc_calls();
    odoo__set_alloc_fail_after(0);
    return n;
}

/* A run's outcome must be ODOO_OK or an error code with its message. */
static void check_rc(const char *what, long k, int rc, const odoo_error *err)
{
    if (rc == ODOO_OK)
        return;
    if (rc >= 0 || rc < -100)
        fail_msg("%s: k=%ld: unexpected return %d", what, k, rc);
    if (err && odoo_error_get_code(err) != rc)
        fail_msg("%s: k=%ld: returned %s but the error says %s", what, k, odoo_error_name(rc),
                 odoo_error_name(odoo_error_get_code(err)));
    if (err && !odoo_error_message(err))
        fail_msg("%s: k=%ld: no message", what, k);
}

typedef struct stats {
    long points, ok, failed, enomem;
    long by_code[64]; /* by -rc */
} stats;

static void count(stats *st, int rc)
{
    st->points++;
    if (rc == ODOO_OK)
        st->ok++;
    else
        st->failed++;
    if (rc == ODOO_ENOMEM)
        st->enomem++;
    if (rc < 0 && -rc < 64)
        st->by_code[-rc]++;
}

typedef int (*scenario)(long k, long *allocs);

static void torture(const char *name, scenario fn)
{
    const char *one = getenv("ODOO_TORTURE_K");
    const char *mp = getenv("ODOO_TORTURE_MAX_POINTS");
    long total = 0, n, k, step, dense, max_points = mp ? atol(mp) : 3000;
    stats st;
    int rc;

    memset(&st, 0, sizeof(st));
    if (one) {
        k = atol(one);
        (void)fn(0, &n); /* as in a full run: caches warm */
        rc = fn(k, &n);
        printf("%s: k=%ld: %s (%ld allocations)\n", name, k, odoo_error_name(rc), n);
        return;
    }
    rc = fn(0, &total);
    if (rc != ODOO_OK)
        fail_msg("%s: the run without failures gave %s", name, odoo_error_name(rc));
    if (max_points < 100)
        max_points = 100;
    /* every k while there are few; otherwise every k up to `dense`, then a
     * stride that keeps the number of points near max_points */
    dense = total <= max_points ? total : max_points / 2;
    step = total <= max_points ? 1 : (total - dense) / (max_points - dense) + 1;
    for (k = 1; k <= total; k += k < dense ? 1 : step) {
        if (getenv("ODOO_TORTURE_VERBOSE"))
            fprintf(stderr, "%s: k=%ld\n", name, k);
        rc = fn(k, &n);
        count(&st, rc);
    }
    /* and the last allocation of the path */
    rc = fn(total, &n);
    count(&st, rc);
    printf("%s: %ld allocations; %ld failure points: %ld runs succeeded anyway (retried or "
           "not needed), %ld failed cleanly:",
           name, total, st.points, st.ok, st.failed);
    for (k = 1; k < 64; k++)
        if (st.by_code[k])
            printf(" %s %ld", odoo_error_name((int)-k), st.by_code[k]);
    printf("\n");
}

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
    rc = odoo_client_new(&c, &o);
    if (rc == ODOO_OK)
        rc = odoo_client_login(c);
    *allocs = disarm();
    check_rc("login", k, rc, c ? odoo_client_last_error(c) : NULL);
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
        cmocka_unit_test(test_torture_json_sink),
    };
    /* before any JSON value exists: jansson's allocations share the counter */
    json_set_alloc_funcs(chaos_malloc, free);
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
