// SPDX-License-Identifier: MIT
/* Options, defaults and argument checks of the public API (no network). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static void test_option_defaults(void **state)
{
    odoo_client_options a = ODOO_CLIENT_OPTIONS_INIT, b;
    (void)state;
    memset(&b, 0xA5, sizeof(b));
    assert_int_equal(odoo_client_options_init(&b, ODOO_CLIENT_OPTIONS_VERSION), ODOO_OK);
    assert_int_equal(a.version, b.version);
    assert_int_equal(a.connect_timeout_ms, b.connect_timeout_ms);
    assert_int_equal(a.timeout_ms, b.timeout_ms);
    assert_int_equal(a.verify_peer, b.verify_peer);
    assert_int_equal(a.auto_reauth, b.auto_reauth);
    assert_null(b.database);
    assert_null(b.login);
    assert_null(b.ca_file);
    assert_null(b.ca_path);
    assert_null(b.user_agent);
    assert_int_equal(b.version, ODOO_CLIENT_OPTIONS_VERSION);
    assert_int_equal(b.connect_timeout_ms, 10000);
    assert_int_equal(b.timeout_ms, 120000);
    assert_int_equal(b.verify_peer, 1);
    assert_int_equal(b.verify_host, 1);
    assert_int_equal(b.auto_reauth, 1);
    assert_null(b.url);
    assert_null(b.password);
    assert_null(b.cookie_file);
    assert_null(b.proxy);
    assert_int_equal(odoo_client_options_init(NULL, ODOO_CLIENT_OPTIONS_VERSION), ODOO_EINVAL);
    assert_int_equal(odoo_client_options_init(&b, 999), ODOO_EINVAL);
}

/* Options version 2 (0.4.0) added retry_deadline_ms; a version 1 struct (the
 * 0.3 layout, which ends before it) is still accepted and never read or
 * written past its end. */
static void test_retry_deadline_option(void **state)
{
    odoo_client_options b;
    unsigned char raw[sizeof(odoo_client_options)];
    const size_t v1_size = offsetof(odoo_client_options, retry_deadline_ms);
    odoo_client *c = NULL;
    (void)state;
    assert_int_equal(ODOO_CLIENT_OPTIONS_VERSION, 3);
    assert_int_equal(odoo_client_options_init(&b, ODOO_CLIENT_OPTIONS_VERSION), ODOO_OK);
    assert_int_equal(b.retry_deadline_ms, ODOO_DEFAULT_RETRY_DEADLINE_MS);
    assert_int_equal(ODOO_DEFAULT_RETRY_DEADLINE_MS, 60000);
    {
        odoo_client_options s = ODOO_CLIENT_OPTIONS_INIT;
        assert_int_equal(s.retry_deadline_ms, 60000);
    }
    /* version 1: only the 0.3 fields are written */
    memset(raw, 0x5A, sizeof(raw));
    assert_int_equal(odoo_client_options_init((odoo_client_options *)(void *)raw, 1), ODOO_OK);
    for (size_t i = v1_size; i < sizeof(raw); i++)
        assert_int_equal(raw[i], 0x5A);
    memcpy(&b, raw, sizeof(b));
    assert_int_equal(b.version, 1);
    assert_int_equal(b.max_retries, ODOO_DEFAULT_MAX_RETRIES);
    /* ... and odoo_client_new() does not read retry_deadline_ms there (garbage) */
    b.url = "http://127.0.0.1:1";
    b.retry_deadline_ms = -12345;
    assert_int_equal(odoo_client_new(&c, &b), ODOO_OK);
    assert_int_equal(c->retry_deadline_ms, ODOO_DEFAULT_RETRY_DEADLINE_MS);
    odoo_client_free(c);
    c = NULL;
    /* version 2: read, checked */
    assert_int_equal(odoo_client_options_init(&b, 2), ODOO_OK);
    b.url = "http://127.0.0.1:1";
    b.retry_deadline_ms = -1;
    assert_int_equal(odoo_client_new(&c, &b), ODOO_EINVAL);
    odoo_client_free(c);
    c = NULL;
    b.retry_deadline_ms = 0;
    assert_int_equal(odoo_client_new(&c, &b), ODOO_OK);
    assert_int_equal(c->retry_deadline_ms, 0);
    odoo_client_free(c);
    c = NULL;
    b.retry_deadline_ms = 1500;
    assert_int_equal(odoo_client_new(&c, &b), ODOO_OK);
    assert_int_equal(c->retry_deadline_ms, 1500);
    odoo_client_free(c);
    assert_int_equal(odoo_client_options_init(&b, 0), ODOO_EINVAL);
    assert_int_equal(odoo_client_options_init(&b, 4), ODOO_EINVAL);
}

/* Options version 3 (0.4.0) added max_response_bytes and allow_insecure_http;
 * a version 2 struct (which ends before them) is still accepted, never read
 * or written past its end, and gets the defaults. */
static void test_version_3_options(void **state)
{
    odoo_client_options b;
    unsigned char raw[sizeof(odoo_client_options)];
    const size_t v2_size = offsetof(odoo_client_options, max_response_bytes);
    odoo_client *c = NULL;
    (void)state;
    assert_true(ODOO_DEFAULT_MAX_RESPONSE_BYTES == (size_t)268435456);
    assert_int_equal(odoo_client_options_init(&b, 3), ODOO_OK);
    assert_true(b.max_response_bytes == ODOO_DEFAULT_MAX_RESPONSE_BYTES);
    assert_int_equal(b.allow_insecure_http, 0);
    {
        odoo_client_options s = ODOO_CLIENT_OPTIONS_INIT;
        assert_true(s.max_response_bytes == ODOO_DEFAULT_MAX_RESPONSE_BYTES);
        assert_int_equal(s.allow_insecure_http, 0);
        assert_int_equal(s.version, 3);
    }
    /* version 2: only the fields up to retry_deadline_ms are written */
    memset(raw, 0x5A, sizeof(raw));
    assert_int_equal(odoo_client_options_init((odoo_client_options *)(void *)raw, 2), ODOO_OK);
    for (size_t i = v2_size; i < sizeof(raw); i++)
        assert_int_equal(raw[i], 0x5A);
    memcpy(&b, raw, sizeof(b));
    assert_int_equal(b.version, 2);
    assert_int_equal(b.retry_deadline_ms, ODOO_DEFAULT_RETRY_DEADLINE_MS);
    /* ... and odoo_client_new() does not read the version 3 fields there
     * (garbage: a 1-byte cap, insecure http allowed) */
    b.url = "http://192.0.2.1:8069";
    b.password = "pw";
    b.max_response_bytes = 1;
    b.allow_insecure_http = 1;
    assert_int_equal(odoo_client_new(&c, &b), ODOO_EINVAL); /* not allowed: default 0 */
    odoo_client_free(c);
    c = NULL;
    b.url = "http://127.0.0.1:1";
    assert_int_equal(odoo_client_new(&c, &b), ODOO_OK);
    assert_true(c->max_response_bytes == ODOO_DEFAULT_MAX_RESPONSE_BYTES);
    assert_true(c->response_body.cap == ODOO_DEFAULT_MAX_RESPONSE_BYTES);
    odoo_client_free(c);
    c = NULL;
    /* version 3: read */
    assert_int_equal(odoo_client_options_init(&b, 3), ODOO_OK);
    b.url = "http://127.0.0.1:1";
    b.max_response_bytes = 8u << 20;
    assert_int_equal(odoo_client_new(&c, &b), ODOO_OK);
    assert_true(c->response_body.cap == (size_t)8 << 20);
    odoo_client_free(c);
    c = NULL;
    b.max_response_bytes = 0; /* no cap */
    assert_int_equal(odoo_client_new(&c, &b), ODOO_OK);
    assert_true(c->response_body.cap == 0);
    odoo_client_free(c);
}

/* No password, API key or session cookie over plain http:// to a host that
 * is not loopback, unless allow_insecure_http says so; refused by
 * odoo_client_new(), before any connection. */
static void test_insecure_http(void **state)
{
    static const char *const loopback[] = {
        "http://127.0.0.1:8069", "http://127.3.4.5", "http://localhost:8069",
        "http://LOCALHOST", "http://localhost.:8069", "http://[::1]:8069",
        "http://[::ffff:127.0.0.1]:8069", "http://127.1:8069", "http://2130706433",
        "https://10.0.0.1", "https://odoo.example.com", "HTTPS://odoo.example.com",
    };
    static const char *const remote[] = {
        "http://10.200.0.1:8069", "http://192.0.2.1", "http://odoo.example.com",
        "HTTP://odoo.example.com", "http://[2001:db8::1]:8069", "http://128.0.0.1",
        "http://localhost.example.com", "http://127.0.0.1.example.com", "http://[::2]",
        "http://0.0.0.0:8069", "http://[::]:8069",
    };
    size_t i;
    int k;
    (void)state;
    for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
        odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
        odoo_client *c = NULL;
        o.url = loopback[i];
        o.password = "pw";
        o.api_key = "key";
        if (odoo_client_new(&c, &o) != ODOO_OK)
            fail_msg("%s refused: %s", loopback[i],
                     odoo_error_message(odoo_client_last_error(c)));
        odoo_client_free(c);
    }
    for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
        for (k = 0; k < 4; k++) {
            odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
            odoo_client *c = NULL;
            const char *what = k == 0 ? "password" : k == 1 ? "API key" : "session cookie";
            o.url = remote[i];
            if (k == 0)
                o.password = "pw";
            else if (k == 1)
                o.api_key = "key";
            else if (k == 2)
                o.cookie_file = "/nonexistent/libodoo-cookies";
            if (k == 3) {
                /* no credential at all: nothing secret to send */
                assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
                odoo_client_free(c);
                continue;
            }
            assert_int_equal(odoo_client_new(&c, &o), ODOO_EINVAL);
            {
                const char *m = odoo_error_message(odoo_client_last_error(c));
                if (!strstr(m, "allow_insecure_http") || !strstr(m, what)
                    || !strstr(m, "plain http://"))
                    fail_msg("%s: message '%s'", remote[i], m);
            }
            assert_int_equal(odoo_client_request_count(c), 0);
            odoo_client_free(c);
            c = NULL;
            o.allow_insecure_http = 1;
            assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
            odoo_client_free(c);
        }
    }
}

/* The redirect target named in a message: no user:password@, query or
 * fragment, no control bytes, bounded. */
static void test_redirect_target(void **state)
{
    static const char *const cases[][2] = {
        {"https://other.example.com:8443/odoo/web", "https://other.example.com:8443/odoo/web"},
        {"https://u:p@other/x?token=abc#f", "https://other/x?..."},
        {"https://other", "https://other"},
        {"/web/login", "/web/login"},
        {"/web/login?redirect=x", "/web/login?..."},
        {"http://a/\x01\x7f\xc3\xa9", "http://a/????"},
        {"", "(no Location)"},
    };
    char out[64], tiny[8];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        odoo__redirect_target(cases[i][0], out, sizeof(out));
        assert_string_equal(out, cases[i][1]);
    }
    odoo__redirect_target(NULL, out, sizeof(out));
    assert_string_equal(out, "(no Location)");
    odoo__redirect_target("https://a-very-long-host-name.example.com/and/a/long/path/too/"
                          "and/more/and/more/and/more",
                          out, sizeof(out));
    assert_int_equal(strlen(out), sizeof(out) - 1);
    assert_string_equal(out + sizeof(out) - 4, "...");
    odoo__redirect_target("https://abcdefghijkl", tiny, sizeof(tiny));
    assert_string_equal(tiny, "http...");
}

/* Bug 7: the address a browser shows (https://host/odoo, /odoo/action-...,
 * /web, /web#...) is cut to the server root, instead of Odoo's "HTTP 400
 * Session expired (invalid CSRF token)" on every call. */
static void test_browser_url_is_cut_to_the_root(void **state)
{
    static const char *const cases[][2] = {
        {"https://acme.example.com/odoo", "https://acme.example.com"},
        {"https://acme.example.com/odoo/", "https://acme.example.com"},
        {"https://acme.example.com/odoo/action-123", "https://acme.example.com"},
        {"https://acme.example.com/odoo/sales/5?debug=1", "https://acme.example.com"},
        {"https://acme.example.com/odoo?db=acme", "https://acme.example.com"},
        {"http://127.0.0.1:8069/web", "http://127.0.0.1:8069"},
        {"http://127.0.0.1:8069/web#action=12&model=sale.order", "http://127.0.0.1:8069"},
        {"http://127.0.0.1:8069/web/login?db=acme", "http://127.0.0.1:8069"},
        /* not a browser path: kept as it is */
        {"https://acme.example.com/", "https://acme.example.com"},
        {"https://acme.example.com/erp", "https://acme.example.com/erp"},
        {"https://acme.example.com/odoo-prod", "https://acme.example.com/odoo-prod"},
        {"https://acme.example.com/website", "https://acme.example.com/website"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
        odoo_client *c = NULL;
        o.url = cases[i][0];
        assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
        assert_string_equal(c->url, cases[i][1]);
        odoo_client_free(c);
    }
    {
        /* a query elsewhere is still refused */
        odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
        odoo_client *c = NULL;
        o.url = "https://acme.example.com/erp?x=1";
        assert_int_equal(odoo_client_new(&c, &o), ODOO_EINVAL);
        odoo_client_free(c);
    }
}

/* Like every constructor: a failed odoo_client_new() hands back a client that
 * holds the error (before 0.4.0 the URL's message was built and dropped). */
static void expect_refused(const odoo_client_options *o, const char *message_part)
{
    odoo_client *c = (odoo_client *)(uintptr_t)0x1;
    assert_int_equal(odoo_client_new(&c, o), ODOO_EINVAL);
    assert_non_null(c);
    assert_int_equal(odoo_error_get_code(odoo_client_last_error(c)), ODOO_EINVAL);
    if (!strstr(odoo_error_message(odoo_client_last_error(c)), message_part))
        fail_msg("message '%s' lacks '%s'", odoo_error_message(odoo_client_last_error(c)),
                 message_part);
    /* it can only be freed: calls refuse, they do not crash */
    assert_int_equal(odoo_client_login(c), ODOO_EINVAL);
    assert_int_equal(odoo_client_logout(c), ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, NULL, "res.partner", "search_count", NULL, NULL, NULL),
                     ODOO_EINVAL);
    odoo_client_free(c);
}

static void test_client_new_checks(void **state)
{
    odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *c = (odoo_client *)(uintptr_t)0x1;
    (void)state;
    assert_int_equal(odoo_client_new(NULL, &o), ODOO_EINVAL);
    expect_refused(NULL, "options: NULL");
    expect_refused(&o, "url is required"); /* no URL */
    o.url = "ftp://x";
    expect_refused(&o, "must start with http:// or https://");
    o.url = "https://user:pw@x";
    expect_refused(&o, "must not carry credentials");
    o.url = "http://127.0.0.1:1";
    o.timeout_ms = -1;
    expect_refused(&o, "negative");
    o.timeout_ms = 1000;
    o.transport = ODOO_TRANSPORT_JSON2;
    expect_refused(&o, "needs an API key");
    o.transport = ODOO_TRANSPORT_AUTO;
    o.version = 77;
    expect_refused(&o, "unknown version 77");
    (void)c;
}

static odoo_client *offline_client(void)
{
    odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *c = NULL;
    o.url = "http://127.0.0.1:1/";
    o.database = "acme";
    o.login = "admin";
    o.password = "pw";
    o.user_agent = "test-agent/1";
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    assert_non_null(c);
    return c;
}

static void test_client_copies_options(void **state)
{
    odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *c = NULL;
    char url[64], db[16];
    (void)state;
    strcpy(url, "http://127.0.0.1:1/");
    strcpy(db, "acme");
    o.url = url;
    o.database = db;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    memset(url, 'X', sizeof(url) - 1);
    memset(db, 'Y', sizeof(db) - 1);
    assert_string_equal(c->url, "http://127.0.0.1:1");
    assert_string_equal(c->database, "acme");
    assert_int_equal(odoo_client_uid(c), 0);
    assert_null(odoo_client_user_context(c));
    assert_null(odoo_client_session_info(c));
    assert_null(odoo_client_server_version(c));
    assert_int_equal(odoo_client_server_major(c), 0);
    assert_int_equal(odoo_client_reauth_count(c), 0);
    assert_int_equal(odoo_client_request_count(c), 0);
    assert_int_equal(odoo_error_get_code(odoo_client_last_error(c)), ODOO_OK);
    odoo_client_free(c);
}

static void test_call_kw_argument_checks(void **state)
{
    odoo_client *c = offline_client();
    json_t *arr = json_array(), *obj = json_object(), *out = (json_t *)(uintptr_t)0x1;
    json_t *badkw = json_pack("{s:i}", "context", 3);
    (void)state;
    /* All of these fail before any network I/O. */
    assert_int_equal(odoo_call_kw(NULL, &out, "res.partner", "read", NULL, NULL, NULL),
                     ODOO_EINVAL);
    assert_null(out);
    assert_int_equal(odoo_call_kw(c, &out, "", "read", NULL, NULL, NULL), ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, &out, NULL, "read", NULL, NULL, NULL), ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, &out, "res.partner/x", "read", NULL, NULL, NULL),
                     ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, &out, "res.partner", "re.ad", NULL, NULL, NULL),
                     ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, &out, "res.partner", "read", obj, NULL, NULL),
                     ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, &out, "res.partner", "read", NULL, arr, NULL),
                     ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, &out, "res.partner", "read", NULL, NULL, arr),
                     ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, &out, "res.partner", "read", NULL, badkw, NULL),
                     ODOO_EINVAL);
    assert_int_equal(odoo_error_get_code(odoo_client_last_error(c)), ODOO_EINVAL);
    assert_true(odoo_error_message(odoo_client_last_error(c))[0] != '\0');
    assert_int_equal(odoo_client_request_count(c), 0);
    assert_int_equal(odoo_call_kw_str(c, NULL, "res.partner", "read", "{", NULL),
                     ODOO_EINVAL);
    assert_int_equal(odoo_call_kw_str(c, NULL, "res.partner", "read", "{}", NULL),
                     ODOO_EINVAL);
    assert_int_equal(odoo_call_kw_str(c, NULL, "res.partner", "read", "[]", "[1]"),
                     ODOO_EINVAL);
    assert_int_equal(odoo_client_request_count(c), 0);
    json_decref(arr);
    json_decref(obj);
    json_decref(badkw);
    odoo_client_free(c);
}

static void test_login_needs_credentials(void **state)
{
    odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *c = NULL;
    (void)state;
    o.url = "http://127.0.0.1:1";
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    assert_int_equal(odoo_client_login(c), ODOO_EINVAL);
    assert_int_equal(odoo_call_kw(c, NULL, "res.partner", "search", NULL, NULL, NULL),
                     ODOO_EINVAL);
    assert_int_equal(odoo_client_request_count(c), 0);
    odoo_client_free(c);
}

static void test_set_context(void **state)
{
    odoo_client *c = offline_client();
    json_t *ctx = json_pack("{s:s, s:s}", "lang", "fr_FR", "tz", "Europe/Brussels");
    json_t *arr = json_array();
    (void)state;
    assert_int_equal(odoo_client_set_context(c, ctx), ODOO_OK);
    /* deep copy: the caller's later changes do not leak in */
    json_object_set_new(ctx, "lang", json_string("de_DE"));
    assert_string_equal(json_string_value(json_object_get(odoo_client_context(c), "lang")),
                        "fr_FR");
    assert_int_equal(odoo_client_set_context(c, arr), ODOO_EINVAL);
    assert_non_null(odoo_client_context(c));
    assert_int_equal(odoo_client_set_context(c, NULL), ODOO_OK);
    assert_null(odoo_client_context(c));
    json_decref(ctx);
    json_decref(arr);
    odoo_client_free(c);
}

static void test_null_handles(void **state)
{
    (void)state;
    odoo_client_free(NULL);
    odoo_free(NULL);
    assert_int_equal(odoo_client_login(NULL), ODOO_EINVAL);
    assert_int_equal(odoo_client_logout(NULL), ODOO_EINVAL);
    assert_null(odoo_client_last_error(NULL));
    assert_int_equal(odoo_client_uid(NULL), 0);
    assert_int_equal(odoo_client_set_context(NULL, NULL), ODOO_EINVAL);
}

static void test_global_refcount(void **state)
{
    (void)state;
    assert_int_equal(odoo_global_init(), 1);
    assert_int_equal(odoo_global_init(), 2);
    assert_int_equal(odoo_global_cleanup(), 1);
    assert_int_equal(odoo_global_cleanup(), 0);
    assert_int_equal(odoo_global_cleanup(), 0); /* unbalanced: harmless */
    assert_string_equal(odoo_version(), ODOO_VERSION);
    assert_int_equal(odoo_version_num(), ODOO_VERSION_NUM);
    assert_true(ODOO_AT_LEAST_VERSION(0, 1, 0));
    assert_false(ODOO_AT_LEAST_VERSION(99, 0, 0));
}

static void test_logout_without_session(void **state)
{
    odoo_client *c = offline_client();
    (void)state;
    assert_int_equal(odoo_client_logout(c), ODOO_OK);
    assert_int_equal(odoo_client_request_count(c), 0);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_option_defaults),
        cmocka_unit_test(test_client_new_checks),
        cmocka_unit_test(test_retry_deadline_option),
        cmocka_unit_test(test_version_3_options),
        cmocka_unit_test(test_insecure_http),
        cmocka_unit_test(test_redirect_target),
        cmocka_unit_test(test_browser_url_is_cut_to_the_root),
        cmocka_unit_test(test_client_copies_options),
        cmocka_unit_test(test_call_kw_argument_checks),
        cmocka_unit_test(test_login_needs_credentials),
        cmocka_unit_test(test_set_context),
        cmocka_unit_test(test_null_handles),
        cmocka_unit_test(test_global_refcount),
        cmocka_unit_test(test_logout_without_session),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
