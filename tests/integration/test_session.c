// SPDX-License-Identifier: MIT
/* The web-session transport against the emulator: login, call_kw, the
 * typed errors Odoo answers with, context, cookies. */
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

static void test_login_ok(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    const json_t *uctx;
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    assert_int_equal(odoo_client_uid(c), 2);
    assert_string_equal(odoo_client_server_version(c), "18.0");
    assert_int_equal(odoo_client_server_major(c), 18);
    uctx = odoo_client_user_context(c);
    assert_non_null(uctx);
    assert_string_equal(json_string_value(json_object_get(uctx, "lang")), "en_US");
    assert_non_null(json_object_get(odoo_client_session_info(c), "db"));
    assert_int_equal(odoo_client_login_count(c), 1);
    assert_int_equal(odoo_client_request_count(c), 1);
    assert_int_equal(odoo_error_get_code(odoo_client_last_error(c)), ODOO_OK);
    odoo_client_free(c);
}

static void expect_login_refused(const char *db, const char *login, const char *password,
                                 const char *klass, const char *message)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    const odoo_error *e;
    char cookie[256];
    emu_options(&o, login, password);
    if (db)
        o.database = db;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_EAUTH);
    e = odoo_client_last_error(c);
    assert_int_equal(odoo_error_get_code(e), ODOO_EAUTH);
    assert_string_equal(odoo_error_class(e), klass);
    assert_string_equal(odoo_error_message(e), message);
    assert_int_equal(odoo_error_http_status(e), 200);
    assert_false(odoo_error_retryable(e));
    assert_null(strstr(odoo_error_message(e), password));
    assert_int_equal(odoo_client_uid(c), 0);
    /* a failed login leaves no session cookie */
    odoo__http_session_cookie(c, cookie, sizeof(cookie));
    assert_string_equal(cookie, "");
    /* and a call on that client fails the same way, without running */
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EAUTH);
    odoo_client_free(c);
}

static void test_login_wrong_password(void **state)
{
    (void)state;
    expect_login_refused(NULL, "admin", "not-the-password", "odoo.exceptions.AccessDenied",
                         "Access Denied");
}

static void test_login_wrong_login(void **state)
{
    (void)state;
    expect_login_refused(NULL, "nobody@example.com", "admin", "odoo.exceptions.AccessDenied",
                         "Access Denied");
}

static void test_login_wrong_database(void **state)
{
    (void)state;
    expect_login_refused("nope", "admin", "admin", "odoo.exceptions.AccessError",
                         "Database not found.");
}

/* Call and expect success; takes ownership of args and kwargs. */
static json_t *must_call(odoo_client *c, const char *model, const char *method, json_t *args,
                         json_t *kwargs)
{
    json_t *res = NULL;
    int rc = odoo_call_kw(c, &res, model, method, args, kwargs, NULL);
    json_decref(args);
    json_decref(kwargs);
    EMU_ASSERT_RC(c, rc, ODOO_OK);
    assert_non_null(res);
    return res;
}

static void test_search_read_whitelist(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *args = json_pack("[[]]");
    json_t *kw = json_pack("{s:[s,s], s:i, s:s}", "fields", "name", "partner_id", "limit", 3,
                           "order", "id desc");
    json_t *res;
    size_t i;
    (void)state;
    /* no explicit login: the first call logs in */
    res = must_call(c, "sale.order", "search_read", args, kw);
    assert_true(json_is_array(res));
    assert_int_equal(json_array_size(res), 3);
    for (i = 0; i < 3; i++) {
        json_t *r = json_array_get(res, i);
        assert_int_equal(json_object_size(r), 3);
        assert_true(json_is_integer(json_object_get(r, "id")));
        assert_int_equal(json_integer_value(json_object_get(r, "id")), 250 - (json_int_t)i);
        assert_true(json_is_string(json_object_get(r, "name")));
        assert_true(json_is_array(json_object_get(r, "partner_id")));
    }
    assert_int_equal(odoo_client_login_count(c), 1);
    assert_int_equal(odoo_client_request_count(c), 2);
    json_decref(res);
    odoo_client_free(c);
}

static void test_call_kw_str(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    char *out = NULL;
    (void)state;
    EMU_ASSERT_RC(c,
                  odoo_call_kw_str(c, &out, "sale.order", "search_count", "[[[\"id\",\"<=\",10]]]",
                                   NULL),
                  ODOO_OK);
    assert_string_equal(out, "10");
    odoo_free(out);
    EMU_ASSERT_RC(c,
                  odoo_call_kw_str(c, &out, "sale.order", "read", "[[1]]",
                                   "{\"fields\":[\"name\"]}"),
                  ODOO_OK);
    assert_string_equal(out, "[{\"id\":1,\"name\":\"S00001\"}]");
    odoo_free(out);
    odoo_client_free(c);
}

static void expect_call_error(odoo_client *c, const char *model, const char *method,
                              const char *args_json, const char *kwargs_json, int code,
                              const char *klass)
{
    char *out = (char *)(uintptr_t)0x1;
    const odoo_error *e;
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, &out, model, method, args_json, kwargs_json), code);
    assert_null(out);
    e = odoo_client_last_error(c);
    assert_int_equal(odoo_error_get_code(e), code);
    assert_string_equal(odoo_error_class(e), klass);
    assert_true(odoo_error_message(e)[0] != '\0');
    assert_int_equal(odoo_error_http_status(e), 200);
    assert_false(odoo_error_retryable(e));
}

static void test_unknown_model(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    (void)state;
    expect_call_error(c, "no.such.model", "search_read", "[[]]", NULL, ODOO_ENOTFOUND,
                      "werkzeug.exceptions.NotFound");
    assert_int_equal(odoo_error_rpc_code(odoo_client_last_error(c)), 404);
    /* bug 7: the message names the model (Odoo's own says only "404: Not Found") */
    assert_non_null(strstr(odoo_error_message(odoo_client_last_error(c)),
                           "unknown model no.such.model"));
    odoo_client_free(c);
}

static void test_unknown_method(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    (void)state;
    expect_call_error(c, "sale.order", "no_such_method", "[]", NULL, ODOO_ENOTFOUND,
                      "builtins.AttributeError");
    odoo_client_free(c);
}

static void test_private_method(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    (void)state;
    expect_call_error(c, "sale.order", "_compute_amounts", "[[1]]", NULL, ODOO_EACCESS,
                      "odoo.exceptions.AccessError");
    odoo_client_free(c);
}

static void test_access_error_limited_user(void **state)
{
    odoo_client *c = emu_client("limited", "limited");
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    assert_int_equal(odoo_client_uid(c), 8);
    expect_call_error(c, "sale.order", "search_read", "[[]]", "{\"limit\":1}", ODOO_EACCESS,
                      "odoo.exceptions.AccessError");
    assert_non_null(strstr(odoo_error_message(odoo_client_last_error(c)), "sale.order"));
    /* the session is still good for what the user may read */
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    odoo_client_free(c);
}

static void test_validation_error(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    (void)state;
    /* a sale order needs a customer */
    expect_call_error(c, "sale.order", "create", "[{\"client_order_ref\":\"x\"}]", NULL,
                      ODOO_EVALIDATION, "odoo.exceptions.ValidationError");
    odoo_client_free(c);
}

static void test_missing_record(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    (void)state;
    expect_call_error(c, "sale.order", "write", "[[999999], {\"client_order_ref\":\"x\"}]",
                      NULL, ODOO_EMISSING, "odoo.exceptions.MissingError");
    odoo_client_free(c);
}

static void test_user_error(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *ids;
    char args[64];
    (void)state;
    ids = must_call(c, "sale.order", "search", json_pack("[[[s,s,s]]]", "state", "=", "sale"),
                    json_pack("{s:i}", "limit", 1));
    assert_int_equal(json_array_size(ids), 1);
    snprintf(args, sizeof(args), "[[%lld]]", (long long)json_integer_value(json_array_get(ids, 0)));
    expect_call_error(c, "sale.order", "unlink", args, NULL, ODOO_EUSER,
                      "odoo.exceptions.UserError");
    json_decref(ids);
    odoo_client_free(c);
}

static void test_bad_domain(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    (void)state;
    expect_call_error(c, "sale.order", "search_read", "[[[\"no_such_field\",\"=\",1]]]", NULL,
                      ODOO_ESERVER, "builtins.ValueError");
    assert_non_null(strstr(odoo_error_debug(odoo_client_last_error(c)), "Traceback"));
    odoo_client_free(c);
}

static void test_read_drops_missing_ids(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    char *out = NULL;
    (void)state;
    EMU_ASSERT_RC(c,
                  odoo_call_kw_str(c, &out, "sale.order", "read", "[[999999, 2]]",
                                   "{\"fields\":[\"name\"]}"),
                  ODOO_OK);
    assert_string_equal(out, "[{\"id\":2,\"name\":\"S00002\"}]");
    odoo_free(out);
    odoo_client_free(c);
}

static void test_create_write_unicode(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *vals = json_pack("[{s:s, s:s}, {s:s}]", "name", "Zo\xc3\xab Caf\xc3\xa9 \xe2\x82\xac",
                             "email", "zoe@example.com", "name", "Second");
    json_t *ids, *rows, *args;
    json_int_t id1;
    (void)state;
    /* create with a list returns a list of ids */
    args = json_pack("[O]", vals);
    ids = must_call(c, "res.partner", "create", args, NULL);
    assert_true(json_is_array(ids));
    assert_int_equal(json_array_size(ids), 2);
    id1 = json_integer_value(json_array_get(ids, 0));
    rows = must_call(c, "res.partner", "read", json_pack("[[I]]", id1),
                     json_pack("{s:[s]}", "fields", "name"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "name")),
                        "Zo\xc3\xab Caf\xc3\xa9 \xe2\x82\xac");
    json_decref(rows);
    /* write returns true */
    rows = must_call(c, "res.partner", "write",
                     json_pack("[[I], {s:s}]", id1, "name", "\xc3\x9c" "ber"), NULL);
    assert_true(json_is_true(rows));
    json_decref(rows);
    /* create with one dict returns an int */
    rows = must_call(c, "res.partner", "create", json_pack("[{s:s}]", "name", "Third"), NULL);
    assert_true(json_is_integer(rows));
    json_decref(rows);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
}

static void test_context_travels(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *good = json_pack("{s:[i]}", "allowed_company_ids", 1);
    json_t *bad = json_pack("{s:[i]}", "allowed_company_ids", 999);
    json_t *lang = json_pack("{s:s, s:s}", "lang", "fr_FR", "tz", "Europe/Brussels");
    json_t *all = json_pack("[[]]");
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_set_context(c, lang), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_call_kw(c, NULL, "res.partner", "search_count", all, NULL, good),
                  ODOO_OK);
    /* the per-call context reaches the server: an unknown company is refused */
    EMU_ASSERT_RC(c, odoo_call_kw(c, NULL, "res.partner", "search_count", all, NULL, bad),
                  ODOO_EACCESS);
    assert_string_equal(odoo_error_message(odoo_client_last_error(c)),
                        "Access to unauthorized or invalid companies.");
    /* and so does the client's */
    EMU_ASSERT_RC(c, odoo_client_set_context(c, bad), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EACCESS);
    /* the per-call one wins over the client's */
    EMU_ASSERT_RC(c, odoo_call_kw(c, NULL, "res.partner", "search_count", all, NULL, good),
                  ODOO_OK);
    json_decref(good);
    json_decref(bad);
    json_decref(lang);
    json_decref(all);
    odoo_client_free(c);
}

static void test_cookie_rotation(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    char first[256], second[256], line[512];
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    odoo__http_session_cookie(c, first, sizeof(first));
    assert_int_equal(strlen(first), 84);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    odoo__http_session_cookie(c, second, sizeof(second));
    assert_int_equal(strlen(second), 84);
    assert_string_not_equal(first, second); /* rotated: the newest one is kept */
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_reauth_count(c), 0);

    /* put the old, now invalid, id back: the server says the session expired,
     * the client logs in again by itself */
    /* Netscape format, same domain and path: replaces the current cookie */
    snprintf(line, sizeof(line), "127.0.0.1\tFALSE\t/\tFALSE\t0\tsession_id\t%s", first);
    assert_int_equal(curl_easy_setopt(c->curl, CURLOPT_COOKIELIST, line), CURLE_OK);
    odoo__http_session_cookie(c, second, sizeof(second));
    assert_string_equal(second, first);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_reauth_count(c), 1);
    odoo__http_session_cookie(c, second, sizeof(second));
    assert_string_not_equal(second, first);
    odoo_client_free(c);
}

static void test_logout(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_logout(c), ODOO_OK);
    assert_int_equal(odoo_client_uid(c), 0);
    /* the next call logs in again; that is not a re-authentication */
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_login_count(c), 2);
    assert_int_equal(odoo_client_reauth_count(c), 0);
    odoo_client_free(c);
}

static void test_cookie_file_reuses_session(void **state)
{
    char path[] = "/tmp/libodoo-cookies-XXXXXX";
    odoo_client_options o;
    odoo_client *c = NULL;
    struct stat st;
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    unlink(path);

    emu_options(&o, NULL, NULL);
    o.cookie_file = path;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    odoo_client_free(c); /* saves the cookie */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* a secret: owner only */
    /* also when someone made the file readable to others */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    odoo_client_free(c);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);

    /* a second process (client) reuses the session: no login, and no request
     * but the call (the session information was saved beside the cookie) */
    {
        json_t *stats = emu_stats();
        long long before = json_integer_value(json_object_get(stats, "requests"));
        json_decref(stats);
        assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
        EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                      ODOO_OK);
        stats = emu_stats();
        assert_int_equal(json_integer_value(json_object_get(stats, "requests")) - before, 1);
        json_decref(stats);
    }
    assert_int_equal(odoo_client_login_count(c), 0);
    assert_int_equal(odoo_client_uid(c), 2);
    assert_string_equal(odoo_client_server_version(c), "18.0");
    odoo_client_free(c);

    /* a stale session in the file: one login, no error, not counted as a
     * re-authentication, also without auto_reauth */
    emu_fault("{\"expire_all\": true}");
    o.auto_reauth = 0;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_login_count(c), 1);
    assert_int_equal(odoo_client_reauth_count(c), 0);
    odoo_client_free(c);
    o.auto_reauth = 1;
    unlink(path);
}

/* A name for a file that does not exist yet (mkstemp's, removed again). */
static void unused_path(char *path)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
}

/* A failed login leaves no cookie file behind, and a logout removes it: the
 * file exists only while it holds a session worth resuming. */
static void test_cookie_file_only_with_a_session(void **state)
{
    char path[] = "/tmp/libodoo-cookies-XXXXXX";
    odoo_client_options o;
    odoo_client *c = NULL;
    (void)state;
    unused_path(path);

    emu_options(&o, NULL, "Wr0ng-pw");
    o.cookie_file = path;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    assert_int_equal(odoo_client_login(c), ODOO_EAUTH);
    odoo_client_free(c);
    assert_int_equal(access(path, F_OK), -1);

    emu_options(&o, NULL, NULL);
    o.cookie_file = path;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    odoo_client_free(c);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_logout(c), ODOO_OK);
    odoo_client_free(c);
    assert_int_equal(access(path, F_OK), -1);
}

/* A cookie file holds the session of whoever wrote it last: a client of
 * another login (or database) does not act as that user; it logs in. */
static void test_cookie_file_of_another_user(void **state)
{
    char path[] = "/tmp/libodoo-cookies-XXXXXX";
    odoo_client_options o;
    odoo_client *c = NULL;
    (void)state;
    unused_path(path);

    emu_options(&o, NULL, NULL); /* admin */
    o.cookie_file = path;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    assert_int_equal(odoo_client_uid(c), 2);
    odoo_client_free(c);

    emu_options(&o, "limited", "limited");
    o.cookie_file = path;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    expect_call_error(c, "sale.order", "search_read", "[[]]", "{\"limit\":1}", ODOO_EACCESS,
                      "odoo.exceptions.AccessError");
    assert_int_equal(odoo_client_uid(c), 8);
    assert_int_equal(odoo_client_login_count(c), 1);
    odoo_client_free(c);
    unlink(path);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_ok),
        cmocka_unit_test(test_login_wrong_password),
        cmocka_unit_test(test_login_wrong_login),
        cmocka_unit_test(test_login_wrong_database),
        cmocka_unit_test(test_search_read_whitelist),
        cmocka_unit_test(test_call_kw_str),
        cmocka_unit_test(test_unknown_model),
        cmocka_unit_test(test_unknown_method),
        cmocka_unit_test(test_private_method),
        cmocka_unit_test(test_access_error_limited_user),
        cmocka_unit_test(test_validation_error),
        cmocka_unit_test(test_missing_record),
        cmocka_unit_test(test_user_error),
        cmocka_unit_test(test_bad_domain),
        cmocka_unit_test(test_read_drops_missing_ids),
        cmocka_unit_test(test_create_write_unicode),
        cmocka_unit_test(test_context_travels),
        cmocka_unit_test(test_cookie_rotation),
        cmocka_unit_test(test_logout),
        cmocka_unit_test(test_cookie_file_reuses_session),
        cmocka_unit_test(test_cookie_file_of_another_user),
        cmocka_unit_test(test_cookie_file_only_with_a_session),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
