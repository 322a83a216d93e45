// SPDX-License-Identifier: MIT
/* The external JSON-RPC transport (/jsonrpc, common + object services)
 * against an Odoo 18 emulator that has an API key for admin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu.h"
#include "internal.h"

static odoo_client *client_kept(odoo_transport t, const char *login, const char *password,
                                const char *api_key, const char *cookie_file)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, login, password);
    o.transport = t;
    o.api_key = api_key;
    o.max_retries = 0;
    o.cookie_file = cookie_file;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    return c;
}

static odoo_client *client_with(odoo_transport t, const char *login, const char *password,
                                const char *api_key)
{
    return client_kept(t, login, password, api_key, NULL);
}

static const char *api_key(void)
{
    const char *k = getenv("ODOO_API_KEY");
    if (!k || !*k)
        fail_msg("ODOO_API_KEY is not set (run the emulator with --api-key)");
    return k;
}

static json_t *newest_three(odoo_client *c)
{
    static const char *const fields[] = {"name", "partner_id", "amount_total", "state",
                                         "date_order", NULL};
    json_t *rows = NULL;
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, fields, "id desc", 3, 0, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(rows), 3);
    return rows;
}

static void test_password_over_jsonrpc(void **state)
{
    odoo_client *c = client_with(ODOO_TRANSPORT_JSONRPC, NULL, NULL, NULL);
    char cookie[128];
    json_t *rows;
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    assert_int_equal(odoo_client_transport(c), ODOO_TRANSPORT_JSONRPC);
    assert_int_equal(odoo_client_uid(c), 2);
    assert_int_equal(odoo_client_server_major(c), 18);
    rows = newest_three(c);
    json_decref(rows);
    /* /jsonrpc never sets a cookie */
    odoo__http_session_cookie(c, cookie, sizeof(cookie));
    assert_string_equal(cookie, "");
    odoo_client_free(c);
}

static void test_api_key_auto_selects_jsonrpc_on_18(void **state)
{
    odoo_client *c = client_with(ODOO_TRANSPORT_AUTO, NULL, "", api_key());
    (void)state;
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_transport(c), ODOO_TRANSPORT_JSONRPC);
    assert_int_equal(odoo_client_server_major(c), 18);
    assert_string_equal(odoo_client_server_version(c), "18.0");
    odoo_client_free(c);
}

static void test_same_json_as_session(void **state)
{
    odoo_client *s = client_with(ODOO_TRANSPORT_SESSION, NULL, NULL, NULL);
    odoo_client *j = client_with(ODOO_TRANSPORT_JSONRPC, NULL, NULL, api_key());
    json_t *a, *b;
    (void)state;
    a = newest_three(s);
    b = newest_three(j);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    odoo_client_free(s);
    odoo_client_free(j);
}

static void test_api_key_refused_by_web_session(void **state)
{
    odoo_client *c = client_with(ODOO_TRANSPORT_SESSION, NULL, api_key(), NULL);
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_EAUTH);
    assert_string_equal(odoo_error_class(odoo_client_last_error(c)),
                        "odoo.exceptions.AccessDenied");
    odoo_client_free(c);
}

static void test_wrong_password_jsonrpc(void **state)
{
    odoo_client *c = client_with(ODOO_TRANSPORT_JSONRPC, NULL, "wrong-password", NULL);
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_EAUTH);
    assert_int_equal(odoo_client_uid(c), 0);
    assert_null(strstr(odoo_error_message(odoo_client_last_error(c)), "wrong-password"));
    odoo_client_free(c);
}

static void test_errors_jsonrpc(void **state)
{
    odoo_client *c = client_with(ODOO_TRANSPORT_JSONRPC, NULL, NULL, NULL);
    odoo_client *l = client_with(ODOO_TRANSPORT_JSONRPC, "limited", "limited", NULL);
    (void)state;
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "no.such.model", "search", "[[]]", NULL),
                  ODOO_ENOTFOUND);
    assert_string_equal(odoo_error_class(odoo_client_last_error(c)), "odoo.exceptions.UserError");
    EMU_ASSERT_RC(c,
                  odoo_call_kw_str(c, NULL, "sale.order", "write",
                                   "[[999999], {\"client_order_ref\": \"x\"}]", NULL),
                  ODOO_EMISSING);
    EMU_ASSERT_RC(l, odoo_call_kw_str(l, NULL, "sale.order", "search", "[[]]", NULL),
                  ODOO_EACCESS);
    odoo_client_free(c);
    odoo_client_free(l);
}


/* ---- the login kept between processes (cookie_file.info) ------------------------------ */

static odoo_client *kept_client(const char *path, const char *login, const char *password,
                                const char *key)
{
    return client_kept(ODOO_TRANSPORT_JSONRPC, login, password, key, path);
}

static long long emu_requests(void)
{
    json_t *stats = emu_stats();
    long long n = json_integer_value(json_object_get(stats, "requests"));
    json_decref(stats);
    return n;
}

/* A cookie_file name that does not exist yet (mkstemp's, removed again), and
 * the name of the login kept beside it. */
static void fresh_kept_paths(char *path, char *info, size_t n)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    snprintf(info, n, "%s.info", path);
}

/* Plant another user's uid (limited's, 8) in the kept login: admin's
 * password with it is refused by Odoo. */
static void plant_limited_uid(const char *info)
{
    json_t *j = json_load_file(info, 0, NULL);
    assert_non_null(j);
    json_object_set_new(j, "uid", json_integer(8));
    assert_int_equal(json_dump_file(j, info, 0), 0);
    json_decref(j);
}

/* /jsonrpc has no session, but its login (common.authenticate, a password
 * hash on the server) is kept too: a later client with the same file sends
 * only its call, with the password and with an API key. */
static void test_kept_login_skips_authenticate(void **state)
{
    const char *keys[] = {NULL, "key"};
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        char path[] = "/tmp/libodoo-kept-XXXXXX", info[64];
        const char *key = keys[k] ? api_key() : NULL;
        odoo_client *c;
        struct stat st;
        long long before;
        fresh_kept_paths(path, info, sizeof(info));

        c = kept_client(path, NULL, key ? "" : NULL, key);
        EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                      ODOO_OK);
        assert_int_equal(odoo_client_login_count(c), 1);
        odoo_client_free(c);
        assert_int_equal(stat(info, &st), 0);
        assert_int_equal(st.st_mode & 077, 0);
        assert_int_equal(access(path, F_OK), -1); /* no cookie, no jar */

        before = emu_requests();
        c = kept_client(path, NULL, key ? "" : NULL, key);
        EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                      ODOO_OK);
        assert_int_equal(emu_requests() - before, 1);
        assert_int_equal(odoo_client_login_count(c), 0);
        assert_int_equal(odoo_client_uid(c), 2);
        assert_int_equal(odoo_client_server_major(c), 18);
        assert_string_equal(odoo_client_server_version(c), "18.0");
        /* a logout removes what was kept */
        EMU_ASSERT_RC(c, odoo_client_logout(c), ODOO_OK);
        odoo_client_free(c);
        assert_int_equal(access(info, F_OK), -1);
    }
}

/* How many partners the tests below made (one search_count). */
static long long kept_count(odoo_client *c)
{
    long long n = -1;
    json_t *dom = json_pack("[[s, s, s]]", "name", "=", "libodoo kept login");
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", dom, NULL), ODOO_OK);
    json_decref(dom);
    return n;
}

static void kept_create(odoo_client *c)
{
    json_t *ids = NULL, *v = json_pack("{s:s}", "name", "libodoo kept login");
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", v, NULL), ODOO_OK);
    json_decref(v);
    json_decref(ids);
}

/* A login kept by admin in a fresh cookie_file, then limited's uid planted in
 * it: the kept uid admin's password will be refused with. */
static void kept_login_of_limited_uid(char *path, char *info, size_t n)
{
    odoo_client *c;
    fresh_kept_paths(path, info, n);
    c = kept_client(path, NULL, NULL, NULL);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    odoo_client_free(c);
    plant_limited_uid(info);
}

/* A kept uid the server refuses (the file edited, the user's key revoked and
 * a new one made): the call was refused before it ran, so the client logs in
 * once and sends it again; a write is not made twice. */
static void test_kept_login_refused_logs_in_once(void **state)
{
    char path[] = "/tmp/libodoo-kept-XXXXXX", info[64];
    odoo_client *c;
    long long n0, n1;
    (void)state;
    kept_login_of_limited_uid(path, info, sizeof(info));

    c = kept_client(path, NULL, NULL, NULL);
    n0 = kept_count(c);
    kept_create(c);
    odoo_client_free(c);
    /* the refused uid was the first call's: one login, then both calls */
    c = kept_client(path, NULL, NULL, NULL);
    n1 = kept_count(c);
    assert_int_equal(n1, n0 + 1);
    assert_int_equal(odoo_client_login_count(c), 0); /* the corrected uid was kept */
    assert_int_equal(odoo_client_uid(c), 2);
    odoo_client_free(c);

    /* the same refused uid on a write as the first call: created once */
    plant_limited_uid(info);
    c = kept_client(path, NULL, NULL, NULL);
    kept_create(c);
    assert_int_equal(odoo_client_login_count(c), 1);
    assert_int_equal(odoo_client_reauth_count(c), 0);
    assert_int_equal(kept_count(c), n0 + 2);
    odoo_client_free(c);

    /* a wrong password with a kept uid: refused, one login attempt, no loop */
    c = kept_client(path, NULL, "Wr0ng-pw", NULL);
    assert_int_equal(odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                     ODOO_EAUTH);
    odoo_client_free(c);
    /* another login's client does not take admin's uid: it logs in */
    c = kept_client(path, "limited", "limited", NULL);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_uid(c), 8);
    assert_int_equal(odoo_client_login_count(c), 1);
    odoo_client_free(c);
    unlink(info);
    unlink(path);
}


/* A first call that gets no answer from Odoo (a 503, not retried here) proves
 * nothing: the kept uid stays unproved, and when the next call is refused for
 * it the client still logs in and sends that call again (it returned
 * ODOO_EAUTH: the 503 had counted as the server taking the login). */
static void test_kept_login_unproved_after_a_failed_first_call(void **state)
{
    char path[] = "/tmp/libodoo-kept-XXXXXX", info[64];
    odoo_client_options o;
    odoo_client *c;
    json_t *j;
    long long n = -1;
    (void)state;
    kept_login_of_limited_uid(path, info, sizeof(info));

    emu_options(&o, NULL, NULL);
    o.transport = ODOO_TRANSPORT_JSONRPC;
    o.max_retries = 0;
    o.retry_deadline_ms = 0;
    o.cookie_file = path;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    emu_fault("{\"status\": 503, \"status_count\": 1}");
    j = json_pack("[]");
    assert_int_equal(odoo_search_count(c, &n, "res.partner", j, NULL), ODOO_EHTTP);
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", j, NULL), ODOO_OK);
    json_decref(j);
    assert_true(n > 0);
    assert_int_equal(odoo_client_login_count(c), 1);
    assert_int_equal(odoo_client_uid(c), 2);
    odoo_client_free(c);
    unlink(info);
    unlink(path);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_over_jsonrpc),
        cmocka_unit_test(test_api_key_auto_selects_jsonrpc_on_18),
        cmocka_unit_test(test_same_json_as_session),
        cmocka_unit_test(test_api_key_refused_by_web_session),
        cmocka_unit_test(test_wrong_password_jsonrpc),
        cmocka_unit_test(test_errors_jsonrpc),
        cmocka_unit_test(test_kept_login_skips_authenticate),
        cmocka_unit_test(test_kept_login_refused_logs_in_once),
        cmocka_unit_test(test_kept_login_unproved_after_a_failed_first_call),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
