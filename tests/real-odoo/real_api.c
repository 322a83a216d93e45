/* SPDX-License-Identifier: MIT */
/*
 * The public C API against a real Odoo (16.0-19.0), on one transport.
 * Run by tests/real-odoo/test_c_api.py with the environment of realodoo.py
 * (ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD, ODOO_API_KEY_FILE,
 * ODOO_REAL_VERSION, ODOO_REAL_DATA_DIR) plus REAL_TRANSPORT: session,
 * jsonrpc-password, jsonrpc-apikey or json2. One case per run: argv[1].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <unistd.h>

#include "emu.h" /* EMU_ASSERT_RC */
#include "odoo.h"

static char api_key[256];

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        fail_msg("%s is not set (run through tests/real-odoo/run_suite.py)", name);
    return v;
}

static const char *transport(void)
{
    return env("REAL_TRANSPORT");
}

static int version(void)
{
    return atoi(env("ODOO_REAL_VERSION"));
}

static void load_api_key(void)
{
    FILE *f = fopen(env("ODOO_API_KEY_FILE"), "r");
    size_t n;
    assert_non_null(f);
    n = fread(api_key, 1, sizeof(api_key) - 1, f);
    fclose(f);
    while (n && (api_key[n - 1] == '\n' || api_key[n - 1] == '\r'))
        n--;
    api_key[n] = '\0';
}

/* Options for the transport under test, as @p login / @p password (NULL: admin). */
static void options(odoo_client_options *o, const char *login, const char *password)
{
    const char *t = transport();
    assert_int_equal(odoo_client_options_init(o, ODOO_CLIENT_OPTIONS_VERSION), ODOO_OK);
    o->url = env("ODOO_URL");
    o->database = env("ODOO_DB");
    o->login = login ? login : env("ODOO_USER");
    if (strcmp(t, "session") == 0) {
        o->transport = ODOO_TRANSPORT_SESSION;
        o->password = password ? password : env("ODOO_PASSWORD");
    } else if (strcmp(t, "jsonrpc-password") == 0) {
        o->transport = ODOO_TRANSPORT_JSONRPC;
        o->password = password ? password : env("ODOO_PASSWORD");
    } else if (strcmp(t, "jsonrpc-apikey") == 0) {
        o->transport = ODOO_TRANSPORT_JSONRPC;
        o->api_key = password ? password : api_key;
    } else {
        o->transport = ODOO_TRANSPORT_JSON2;
        o->api_key = password ? password : api_key;
    }
}

static odoo_client *client_as(const char *login, const char *password)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    options(&o, login, password);
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    return c;
}

static odoo_client *client(void)
{
    return client_as(NULL, NULL);
}

static long long count_of(odoo_client *c, const char *model, json_t *domain)
{
    long long n = -1;
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, model, domain, NULL), ODOO_OK);
    return n;
}

/* ---- login, server facts ------------------------------------------------------- */

static void test_login_and_server(void **state)
{
    odoo_client *c = client();
    const char *v;
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    assert_true(odoo_client_uid(c) > 0);
    assert_int_equal(odoo_client_server_major(c), version());
    v = odoo_client_server_version(c);
    assert_non_null(v);
    assert_int_equal(atoi(v), version());
    assert_true(odoo_client_login_count(c) >= 1);
    if (strcmp(transport(), "session") == 0) {
        assert_non_null(odoo_client_session_info(c));
        assert_non_null(odoo_client_user_context(c));
    }
    assert_string_equal(odoo_transport_name(odoo_client_transport(c)),
                        strcmp(transport(), "session") == 0   ? "session"
                        : strcmp(transport(), "json2") == 0 ? "json2"
                                                            : "jsonrpc");
    odoo_client_free(c);
}

static void test_wrong_credentials(void **state)
{
    odoo_client *c;
    odoo_client_options o;
    (void)state;
    c = client_as(NULL, strstr(transport(), "apikey") || strcmp(transport(), "json2") == 0
                            ? "0123456789abcdef0123456789abcdef01234567"
                            : "not-the-password");
    assert_int_equal(odoo_client_login(c), ODOO_EAUTH);
    assert_null(strstr(odoo_error_message(odoo_client_last_error(c)), "not-the-password"));
    odoo_client_free(c);
    /* a database that does not exist */
    options(&o, NULL, NULL);
    o.database = "libodoo_no_such_db";
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    {
        json_t *res = NULL, *args = json_pack("[[]]");
        int rc = odoo_call_kw(c, &res, "res.partner", "search_count", args, NULL, NULL);
        json_decref(args);
        assert_true(rc == ODOO_EAUTH || rc == ODOO_EHTTP || rc == ODOO_ESERVER
                    || rc == ODOO_ENOTFOUND);
        assert_null(res);
        /* the message says it is the database */
        assert_non_null(strstr(odoo_error_message(odoo_client_last_error(c)), "atabase"));
    }
    odoo_client_free(c);
}

/* ---- call_kw and the helpers ------------------------------------------------------ */

static const char *const order_fields[] = {"name", "partner_id", "amount_total", "state",
                                           "write_date", NULL};

static void test_helpers_read_side(void **state)
{
    odoo_client *c = client();
    json_t *rows = NULL, *ids = NULL, *fields = NULL, *again = NULL;
    char *text = NULL;
    long long n;
    (void)state;
    n = count_of(c, "sale.order", NULL);
    assert_true(n >= 2000);
    EMU_ASSERT_RC(c, odoo_search(c, &ids, "sale.order", NULL, "id asc", 0, 0, NULL), ODOO_OK);
    assert_int_equal((long long)json_array_size(ids), n);
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, order_fields, "id desc", 25, 5,
                                  NULL),
              ODOO_OK);
    assert_int_equal(json_array_size(rows), 25);
    {
        json_t *want = json_array();
        size_t i;
        for (i = 0; i < 25; i++)
            json_array_append(want, json_object_get(json_array_get(rows, i), "id"));
        EMU_ASSERT_RC(c, odoo_read(c, &again, "sale.order", want, order_fields, NULL), ODOO_OK);
        assert_int_equal(json_array_size(again), 25);
        for (i = 0; i < 25; i++) /* read keeps the order of the ids asked */
            assert_true(json_equal(json_array_get(again, i), json_array_get(rows, i)));
        json_decref(want);
    }
    EMU_ASSERT_RC(c, odoo_fields_get(c, &fields, "sale.order", (const char *const[]){"type", NULL},
                                 NULL),
              ODOO_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(fields, "write_date"),
                                                          "type")),
                        "datetime");
    EMU_ASSERT_RC(c, odoo_fields_check(c, "sale.order", order_fields), ODOO_OK);
    assert_int_equal(odoo_fields_check(c, "sale.order",
                                       (const char *const[]){"name", "no_such_field", NULL}),
                     ODOO_EINVAL);
    assert_non_null(strstr(odoo_error_message(odoo_client_last_error(c)), "no_such_field"));
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, &text, "res.partner", "search_count", "[[]]", "{}"),
              ODOO_OK);
    assert_true(atoi(text) > 0);
    odoo_free(text);
    json_decref(rows);
    json_decref(ids);
    json_decref(fields);
    json_decref(again);
    odoo_client_free(c);
}

static void test_helpers_write_side(void **state)
{
    odoo_client *c = client();
    json_t *ids = NULL, *rows = NULL, *records, *updates, *res = NULL, *one;
    char ref[64];
    unsigned long calls = 0;
    size_t i;
    (void)state;
    /* create one, write, read back, unlink, missing afterwards */
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner",
                             one = json_pack("{s:s, s:s}", "name", "libodoo C one", "ref",
                                             transport()),
                             NULL),
              ODOO_OK);
    json_decref(one);
    assert_int_equal(json_array_size(ids), 1);
    EMU_ASSERT_RC(c, odoo_write(c, "res.partner", ids, one = json_pack("{s:s}", "city", "Zürich"),
                            NULL),
              ODOO_OK);
    json_decref(one);
    EMU_ASSERT_RC(c, odoo_read(c, &rows, "res.partner", ids, (const char *const[]){"city", NULL},
                           NULL),
              ODOO_OK);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "city")),
                        "Zürich");
    json_decref(rows);
    EMU_ASSERT_RC(c, odoo_unlink(c, "res.partner", ids, NULL), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_read(c, &rows, "res.partner", ids, (const char *const[]){"city", NULL},
                           NULL),
              ODOO_OK);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    assert_int_equal(odoo_write(c, "res.partner", ids, one = json_pack("{s:s}", "city", "x"),
                                NULL),
                     ODOO_EMISSING);
    json_decref(one);
    json_decref(ids);

    /* a batch of 30 in chunks of 7, grouped writes, an upsert by ref */
    records = json_array();
    for (i = 0; i < 30; i++) {
        snprintf(ref, sizeof(ref), "LIBODOO-C-%s-%02zu-%d", transport(), i, (int)getpid());
        json_array_append_new(records, json_pack("{s:s, s:s}", "name", ref, "ref", ref));
    }
    EMU_ASSERT_RC(c, odoo_create_batch(c, &ids, "res.partner", records, 7, NULL), ODOO_OK);
    assert_int_equal(json_array_size(ids), 30);
    updates = json_array();
    for (i = 0; i < 30; i++)
        json_array_append_new(updates,
                              json_pack("{s:O, s:{s:s}}", "id", json_array_get(ids, i), "values",
                                        "city", i % 2 ? "Odd" : "Even"));
    EMU_ASSERT_RC(c, odoo_write_grouped(c, "res.partner", updates, 0, &calls, NULL), ODOO_OK);
    assert_int_equal(calls, 2);
    assert_int_equal(count_of(c, "res.partner",
                              one = json_pack("[[s, s, s], [s, s, O]]", "city", "=", "Odd", "id",
                                              "in", ids)),
                     15);
    json_decref(one);
    /* upsert: the 30 exist (updated), 2 new ones (created) */
    for (i = 0; i < 30; i++)
        json_object_set_new(json_array_get(records, i), "city", json_string("Upserted"));
    for (i = 30; i < 32; i++) {
        snprintf(ref, sizeof(ref), "LIBODOO-C-%s-%02zu-%d", transport(), i, (int)getpid());
        json_array_append_new(records, json_pack("{s:s, s:s}", "name", ref, "ref", ref));
    }
    EMU_ASSERT_RC(c, odoo_upsert(c, &res, "res.partner", "ref", records, 10, NULL), ODOO_OK);
    assert_int_equal(json_array_size(json_object_get(res, "created")), 2);
    assert_int_equal(json_array_size(json_object_get(res, "updated")), 30);
    json_array_extend(ids, json_object_get(res, "created")); /* unlinked at the end */
    json_decref(res);
    /* the same again, skipping what did not change: nothing written; then one
     * city changes and only that record is written (its write_date moves) */
    EMU_ASSERT_RC(c, odoo_upsert_ex(c, &res, "res.partner", "ref", records, 10,
                                    ODOO_UPSERT_SKIP_UNCHANGED, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(json_object_get(res, "created")), 0);
    assert_int_equal(json_array_size(json_object_get(res, "updated")), 0);
    assert_int_equal(json_array_size(json_object_get(res, "unchanged")), 32);
    json_decref(res);
    json_object_set_new(json_array_get(records, 5), "city", json_string("Changed"));
    EMU_ASSERT_RC(c, odoo_upsert_ex(c, &res, "res.partner", "ref", records, 10,
                                    ODOO_UPSERT_SKIP_UNCHANGED, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(json_object_get(res, "updated")), 1);
    assert_int_equal(json_array_size(json_object_get(res, "unchanged")), 31);
    assert_true(json_equal(json_array_get(json_object_get(res, "updated"), 0),
                           json_array_get(ids, 5)));
    json_decref(res);
    EMU_ASSERT_RC(c, odoo_unlink(c, "res.partner", ids, NULL), ODOO_OK);
    json_decref(ids);
    json_decref(records);
    json_decref(updates);
    odoo_client_free(c);
}

/* What the error accessors say of an error a real server gave: its code and
 * name, not retryable, the answer's HTTP status and JSON-RPC code as each
 * transport carries them, and the server's traceback where Odoo sends one. */
static void check_server_error(odoo_client *c, int rc, const char *name)
{
    const odoo_error *e = odoo_client_last_error(c);
    int json2 = strcmp(transport(), "json2") == 0;
    assert_int_equal(odoo_error_get_code(e), rc);
    assert_string_equal(odoo_error_name(rc), name);
    assert_true(*odoo_strerror(rc) != '\0');
    assert_true(*odoo_error_message(e) != '\0');
    assert_false(odoo_error_retryable(e));
    if (json2) {
        /* JSON-2 says it with the HTTP status (500 for an unexpected server
         * exception such as a ValueError); there is no JSON-RPC envelope */
        if (rc == ODOO_ESERVER)
            assert_int_equal(odoo_error_http_status(e), 500);
        else
            assert_true(odoo_error_http_status(e) >= 400 && odoo_error_http_status(e) < 500);
        assert_int_equal(odoo_error_rpc_code(e), -1);
    } else {
        /* JSON-RPC answers 200 with error.code: 200 (0 on 19), 404 for an
         * unknown route on the session */
        int code = odoo_error_rpc_code(e);
        assert_true(odoo_error_http_status(e) == 200 || odoo_error_http_status(e) == 404);
        assert_true(code == 200 || code == 404 || (version() >= 19 && code == 0));
    }
    if (*odoo_error_class(e))
        assert_non_null(strstr(odoo_error_debug(e), "Traceback"));
}

static void test_typed_errors(void **state)
{
    odoo_client *c = client();
    json_t *res = NULL, *args;
    (void)state;
    args = json_pack("[[]]");
    assert_int_equal(odoo_call_kw(c, &res, "no.such.model", "search_count", args, NULL, NULL),
                     ODOO_ENOTFOUND);
    check_server_error(c, ODOO_ENOTFOUND, "ODOO_ENOTFOUND");
    assert_int_equal(odoo_call_kw(c, &res, "res.partner", "no_such_method", args, NULL, NULL),
                     ODOO_ENOTFOUND);
    check_server_error(c, ODOO_ENOTFOUND, "ODOO_ENOTFOUND");
    json_decref(args);
    args = json_pack("[{s:s, s:s}]", "name", "bad", "type", "no-such-type");
    {
        int rc = odoo_call_kw(c, &res, "res.partner", "create", args, NULL, NULL);
        assert_true(rc == ODOO_EVALIDATION || rc == ODOO_ESERVER || rc == ODOO_EUSER);
        check_server_error(c, rc, odoo_error_name(rc));
        assert_string_not_equal(odoo_error_name(rc), "ODOO_UNKNOWN");
    }
    json_decref(args);
    /* a missing record */
    args = json_pack("[[I], {s:s}]", (json_int_t)999999999, "name", "gone");
    EMU_ASSERT_RC(c, odoo_call_kw(c, &res, "res.partner", "write", args, NULL, NULL),
                  ODOO_EMISSING);
    check_server_error(c, ODOO_EMISSING, "ODOO_EMISSING");
    assert_string_equal(odoo_error_class(odoo_client_last_error(c)),
                        "odoo.exceptions.MissingError");
    json_decref(args);
    /* after a failure the client stays usable: the next call succeeds */
    args = json_pack("[[]]");
    EMU_ASSERT_RC(c, odoo_call_kw(c, &res, "res.partner", "search_count", args, NULL, NULL),
                  ODOO_OK);
    assert_true(json_integer_value(res) > 0);
    assert_int_equal(odoo_error_get_code(odoo_client_last_error(c)), ODOO_OK);
    assert_true(odoo_client_last_http_status(c) == 200);
    json_decref(res);
    json_decref(args);
    odoo_client_free(c);

    /* the limited user: an access error (its password; it has no API key) */
    if (strcmp(transport(), "session") == 0 || strcmp(transport(), "jsonrpc-password") == 0) {
        c = client_as("limited", "limited");
        args = json_pack("[[]]");
        assert_int_equal(odoo_call_kw(c, &res, "sale.order", "search_count", args, NULL, NULL),
                         ODOO_EACCESS);
        assert_string_equal(odoo_error_class(odoo_client_last_error(c)),
                            "odoo.exceptions.AccessError");
        check_server_error(c, ODOO_EACCESS, "ODOO_EACCESS");
        json_decref(args);
        odoo_client_free(c);
    }
}

/* ---- iterators and the cursor ------------------------------------------------------ */

static void test_iter_every_order_once(void **state)
{
    odoo_client *c = client();
    odoo_iter *it = NULL;
    json_t *rec, *all = NULL;
    long long prev = 0, n = 0;
    int rc;
    (void)state;
    EMU_ASSERT_RC(c, odoo_search(c, &all, "sale.order", NULL, "id asc", 0, 0, NULL), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_iter_new(&it, c, "sale.order", NULL, order_fields, 300), ODOO_OK);
    while ((rc = odoo_iter_next(it, &rec)) == 1) {
        long long id = (long long)json_integer_value(json_object_get(rec, "id"));
        assert_true(id > prev);
        assert_int_equal(id, (long long)json_integer_value(json_array_get(all, (size_t)n)));
        prev = id;
        n++;
        json_decref(rec);
    }
    EMU_ASSERT_RC(c, rc, 0);
    assert_int_equal(n, (long long)json_array_size(all));
    assert_int_equal(odoo_iter_count(it), (unsigned long long)n);
    assert_true(odoo_iter_pages(it) >= (unsigned long)(n / 300));
    odoo_iter_free(it);
    json_decref(all);
    odoo_client_free(c);
}

/* Read every order changed since (wd, id) with pages of @p page; each id at
 * most once (fails otherwise), in (write_date, id) order. Returns the ids as a
 * JSON object {id: write_date}; *cursor_wd / *cursor_id get the cursor. */
/* search_read requests of the last read_changed() */
static unsigned long changed_queries;

static json_t *read_changed(odoo_client *c, size_t page, const char *wd, long long id,
                            int overlap, unsigned overlap_s, char **cursor_wd,
                            long long *cursor_id)
{
    odoo_iter *it = NULL;
    json_t *seen = json_object(), *p;
    char last_wd[32] = "", key[32];
    long long last_id = 0;
    int n;
    EMU_ASSERT_RC(c, odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, page, wd, id),
              ODOO_OK);
    if (overlap)
        EMU_ASSERT_RC(c, odoo_iter_set_overlap(it, overlap_s), ODOO_OK);
    while ((n = odoo_iter_next_page(it, &p)) > 0) {
        size_t i;
        json_t *r;
        assert_true((size_t)n <= page);
        json_array_foreach(p, i, r) {
            const char *rwd = json_string_value(json_object_get(r, "write_date"));
            long long rid = (long long)json_integer_value(json_object_get(r, "id"));
            assert_non_null(rwd);
            if (!overlap) /* (write_date, id) only grows */
                assert_true(strcmp(rwd, last_wd) > 0
                            || (strcmp(rwd, last_wd) == 0 && rid > last_id));
            snprintf(last_wd, sizeof(last_wd), "%s", rwd);
            last_id = rid;
            snprintf(key, sizeof(key), "%lld", rid);
            if (json_object_get(seen, key))
                fail_msg("order %lld handed out twice (page size %zu)", rid, page);
            json_object_set_new(seen, key, json_string(rwd));
        }
        json_decref(p);
    }
    EMU_ASSERT_RC(c, n, 0);
    {
        const char *cw;
        odoo_iter_cursor(it, &cw, cursor_id);
        *cursor_wd = cw ? strdup(cw) : NULL;
    }
    changed_queries = odoo_iter_pages(it);
    odoo_iter_free(it);
    return seen;
}

static void test_changed_since_exact(void **state)
{
    static const size_t pages[] = {7, 100, 250, 1000};
    odoo_client *c = client();
    long long total = count_of(c, "sale.order", NULL), cid = 0, cid2 = 0;
    char *cwd = NULL, *cwd2 = NULL;
    json_t *seen, *ids, *vals;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        /* /jsonrpc checks the password or API key on every call (a third of
         * a second on 18), and the page logic is the same on every transport:
         * all the sizes on the session, one on the others */
        if (pages[i] != 250 && strcmp(transport(), "session") != 0)
            continue;
        free(cwd);
        seen = read_changed(c, pages[i], NULL, 0, 0, 0, &cwd, &cid);
        assert_int_equal((long long)json_object_size(seen), total);
        json_decref(seen);
        /* seconds of at most 250 orders and pages of 1000: one query a page
         * and the end, no second read twice (it took a query more per page
         * that ended inside a second) */
        if (pages[i] == 1000)
            assert_true(changed_queries <= (unsigned long)(total / 1000) + 1);
    }
    /* nothing changed: nothing new, strictly */
    seen = read_changed(c, 100, cwd, cid, 0, 0, &cwd2, &cid2);
    assert_int_equal(json_object_size(seen), 0);
    assert_string_equal(cwd2, cwd); /* the cursor stays */
    assert_int_equal(cid2, cid);
    json_decref(seen);
    free(cwd2);
    /* one order changes: exactly that one */
    ids = json_pack("[i]", 17);
    vals = json_pack("{s:s}", "note", transport());
    EMU_ASSERT_RC(c, odoo_write(c, "sale.order", ids, vals, NULL), ODOO_OK);
    seen = read_changed(c, 100, cwd, cid, 0, 0, &cwd2, &cid2);
    assert_int_equal(json_object_size(seen), 1);
    assert_non_null(json_object_get(seen, "17"));
    json_decref(seen);
    /* the overlap re-reads the cursor's second (at least once), and the change */
    seen = read_changed(c, 100, cwd, cid, 1, 0, &cwd2, &cid2);
    assert_non_null(json_object_get(seen, "17"));
    {
        const char *k;
        json_t *v;
        json_object_foreach(seen, k, v) {
            if (strcmp(k, "17") != 0)
                assert_string_equal(json_string_value(v), cwd);
        }
    }
    json_decref(seen);
    free(cwd2);
    free(cwd);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
}

/* The session files deleted on the server between two pages: the client logs
 * in again and the iteration goes on, every record once. */
static void test_sessions_deleted_mid_iteration(void **state)
{
    odoo_client *c;
    odoo_iter *it = NULL;
    json_t *p;
    long long total, got = 0;
    unsigned long pages = 0;
    int n;
    (void)state;
    if (strcmp(transport(), "session") != 0) {
        skip();
        return;
    }
    c = client();
    total = count_of(c, "sale.order", NULL);
    EMU_ASSERT_RC(c, odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, 500, NULL, 0),
              ODOO_OK);
    while ((n = odoo_iter_next_page(it, &p)) > 0) {
        got += n;
        json_decref(p);
        if (++pages == 1) {
            char cmd[4096];
            snprintf(cmd, sizeof(cmd), "find '%s/sessions' -type f -delete",
                     env("ODOO_REAL_DATA_DIR"));
            assert_int_equal(system(cmd), 0);
        }
    }
    EMU_ASSERT_RC(c, n, 0);
    assert_int_equal(got, total);
    assert_true(odoo_client_reauth_count(c) >= 1);
    odoo_iter_free(it);
    odoo_client_free(c);
}

static void test_context_and_logout(void **state)
{
    odoo_client *c = client();
    json_t *ctx = json_pack("{s:s, s:s}", "lang", "en_US", "tz", "Europe/Brussels"), *rows = NULL;
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_set_context(c, ctx), ODOO_OK);
    assert_true(json_equal(odoo_client_context(c), ctx));
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "res.partner", NULL,
                                  (const char *const[]){"name", NULL}, NULL, 3, 0, NULL),
              ODOO_OK);
    assert_int_equal(json_array_size(rows), 3);
    json_decref(rows);
    if (strcmp(transport(), "session") == 0) {
        EMU_ASSERT_RC(c, odoo_client_logout(c), ODOO_OK);
        /* a call after logout logs in again */
        EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "res.partner", NULL,
                                      (const char *const[]){"name", NULL}, NULL, 3, 0, NULL),
                  ODOO_OK);
        json_decref(rows);
    }
    assert_true(odoo_client_request_count(c) >= 1);
    json_decref(ctx);
    odoo_client_free(c);
}


/* ---- the login kept between processes (cookie_file) ----------------------------- */

static odoo_client *kept_client(const char *path)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    options(&o, NULL, NULL);
    o.cookie_file = path;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    return c;
}

/* A later client with the same cookie_file does not log in: the web session
 * (cookie and cookie_file.info) or /jsonrpc's uid (cookie_file.info only) is
 * taken and proved by the first call. On /jsonrpc Odoo checks the uid with
 * the secret before it runs anything: a kept uid that is not the secret's
 * (here the limited user's) is refused by the first call, which logs in and
 * is sent once more, and a create made that way is made once. */
static void test_kept_login(void **state)
{
    char dir[] = "/tmp/libodoo-real-kept-XXXXXX", path[128], info[160];
    int jsonrpc = strncmp(transport(), "jsonrpc", 7) == 0;
    odoo_client *c;
    json_t *j, *ids = NULL, *dom, *v;
    long long uid_limited;
    (void)state;
    if (strcmp(transport(), "json2") == 0)
        skip(); /* JSON-2 checks its key on every call: no login to keep */
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/odoo.session", dir);
    snprintf(info, sizeof(info), "%s.info", path);

    c = kept_client(path);
    dom = json_pack("[[s, s, s]]", "login", "=", "limited");
    EMU_ASSERT_RC(c, odoo_search(c, &j, "res.users", dom, NULL, 1, 0, NULL), ODOO_OK);
    json_decref(dom);
    uid_limited = (long long)json_integer_value(json_array_get(j, 0));
    json_decref(j);
    assert_true(uid_limited > 0);
    assert_int_equal(odoo_client_login_count(c), 1);
    odoo_client_free(c);
    assert_int_equal(access(info, F_OK), 0);
    assert_int_equal(access(path, F_OK), jsonrpc ? -1 : 0); /* a jar only with a cookie */

    c = kept_client(path);
    assert_true(count_of(c, "res.partner", NULL) > 0);
    assert_int_equal(odoo_client_login_count(c), 0);
    assert_int_equal(odoo_client_server_major(c), version());
    odoo_client_free(c);

    if (jsonrpc) {
        j = json_load_file(info, 0, NULL);
        assert_non_null(j);
        json_object_set_new(j, "uid", json_integer(uid_limited));
        assert_int_equal(json_dump_file(j, info, 0), 0);
        json_decref(j);
        c = kept_client(path);
        v = json_pack("{s:s, s:s}", "name", "libodoo kept login", "ref", transport());
        EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", v, NULL), ODOO_OK);
        json_decref(v);
        assert_int_equal(odoo_client_login_count(c), 1);
        assert_true(odoo_client_uid(c) != uid_limited);
        dom = json_pack("[[s, s, s], [s, s, s]]", "name", "=", "libodoo kept login", "ref", "=",
                        transport());
        assert_int_equal(count_of(c, "res.partner", dom), 1);
        json_decref(dom);
        EMU_ASSERT_RC(c, odoo_unlink(c, "res.partner", ids, NULL), ODOO_OK);
        json_decref(ids);
        odoo_client_free(c);
    }
    c = kept_client(path);
    EMU_ASSERT_RC(c, odoo_client_logout(c), ODOO_OK);
    odoo_client_free(c);
    assert_int_equal(access(info, F_OK), -1);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(rmdir(dir), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_server),
        cmocka_unit_test(test_wrong_credentials),
        cmocka_unit_test(test_helpers_read_side),
        cmocka_unit_test(test_helpers_write_side),
        cmocka_unit_test(test_typed_errors),
        cmocka_unit_test(test_iter_every_order_once),
        cmocka_unit_test(test_changed_since_exact),
        cmocka_unit_test(test_sessions_deleted_mid_iteration),
        cmocka_unit_test(test_context_and_logout),
        cmocka_unit_test(test_kept_login),
    };
    int rc;
    odoo_global_init();
    load_api_key();
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    odoo_global_cleanup();
    return rc;
}
