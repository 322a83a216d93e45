// SPDX-License-Identifier: MIT
/* Automatic re-authentication: a session that expires is renewed without
 * the caller noticing; no call is lost and none runs twice. */
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

static void test_expire_every_2_twenty_calls(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    int i;
    (void)state;
    emu_fault("{\"expire_sessions_every\": 2}");
    for (i = 0; i < 20; i++) {
        json_t *res = NULL, *args = json_pack("[[]]");
        int rc = odoo_call_kw(c, &res, "sale.order", "search_count", args, NULL, NULL);
        json_decref(args);
        EMU_ASSERT_RC(c, rc, ODOO_OK);
        assert_int_equal(json_integer_value(res), 250);
        json_decref(res);
    }
    assert_true(odoo_client_reauth_count(c) >= 9);
    assert_int_equal(odoo_client_login_count(c), 1 + odoo_client_reauth_count(c));
    assert_int_equal(emu_calls("sale.order.search_count"), 20);
    odoo_client_free(c);
}

/* A loop of creates while the session expires every third call: each
 * create runs exactly once. */
static void test_no_call_lost_or_repeated(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *count = NULL, *domain;
    char name[64];
    int i;
    (void)state;
    emu_fault("{\"expire_sessions_every\": 3}");
    for (i = 0; i < 30; i++) {
        json_t *args, *id = NULL;
        snprintf(name, sizeof(name), "reauth-partner-%02d", i);
        args = json_pack("[{s:s}]", "name", name);
        EMU_ASSERT_RC(c, odoo_call_kw(c, &id, "res.partner", "create", args, NULL, NULL),
                      ODOO_OK);
        assert_true(json_is_integer(id));
        json_decref(id);
        json_decref(args);
    }
    emu_fault("{\"reset\": true}");
    domain = json_pack("[[[s,s,s]]]", "name", "=like", "reauth-partner-%");
    EMU_ASSERT_RC(c, odoo_call_kw(c, &count, "res.partner", "search_count", domain, NULL, NULL),
                  ODOO_OK);
    assert_int_equal(json_integer_value(count), 30);
    assert_int_equal(emu_calls("res.partner.create"), 30);
    assert_true(odoo_client_reauth_count(c) >= 9);
    json_decref(count);
    json_decref(domain);
    odoo_client_free(c);
}

/* Expired again right after the new login: returned, not looped on. */
static void test_second_expiry_in_a_row_is_returned(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    const odoo_error *e;
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    emu_fault("{\"expire_sessions_every\": 1}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_ESESSION);
    e = odoo_client_last_error(c);
    assert_string_equal(odoo_error_class(e), "odoo.http.SessionExpiredException");
    assert_int_equal(odoo_error_rpc_code(e), 100);
    assert_true(odoo_error_retryable(e));
    assert_int_equal(odoo_client_reauth_count(c), 1);
    assert_int_equal(odoo_client_login_count(c), 2);
    assert_int_equal(emu_calls("res.partner.search_count"), 0);
    /* once the server behaves, the same client works again */
    emu_fault("{\"reset\": true}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    odoo_client_free(c);
}

static void test_reauth_disabled(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    (void)state;
    emu_options(&o, NULL, NULL);
    o.auto_reauth = 0;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    emu_fault("{\"expire_all\": true}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_ESESSION);
    assert_int_equal(odoo_client_reauth_count(c), 0);
    /* the caller decides: the next call logs in (the session is known dead) */
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_login_count(c), 2);
    odoo_client_free(c);
}

/* The re-login itself fails: its error is returned. The session comes from
 * a cookie file, so the client with the wrong password can work until the
 * session expires. */
static void test_failed_relogin_is_returned(void **state)
{
    char path[] = "/tmp/libodoo-reauth-XXXXXX";
    odoo_client_options o;
    odoo_client *c = NULL;
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    close(fd);

    emu_options(&o, NULL, NULL);
    o.cookie_file = path;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    odoo_client_free(c);

    o.password = "changed-meanwhile";
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    emu_fault("{\"expire_all\": true}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EAUTH);
    assert_string_equal(odoo_error_class(odoo_client_last_error(c)),
                        "odoo.exceptions.AccessDenied");
    assert_int_equal(odoo_client_reauth_count(c), 0);
    odoo_client_free(c);
    unlink(path);
}

/* The relogin hits a proxy error: that error is returned, retryable. */
static void test_relogin_transport_error(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    (void)state;
    emu_options(&o, NULL, NULL);
    o.max_retries = 0; /* the login would be retried otherwise */
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    /* the call answers "expired" (request 1), the login after it gets a 503
     * from the proxy (request 2) */
    emu_fault("{\"expire_all\": true, \"status\": 503, \"status_count\": 1, \"skip\": 1}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EHTTP);
    assert_int_equal(odoo_error_http_status(odoo_client_last_error(c)), 503);
    assert_true(odoo_error_retryable(odoo_client_last_error(c)));
    assert_int_equal(odoo_client_reauth_count(c), 0);
    assert_int_equal(emu_calls("res.partner.search_count"), 0);
    emu_fault("{\"reset\": true}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(emu_calls("res.partner.search_count"), 1);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expire_every_2_twenty_calls),
        cmocka_unit_test(test_no_call_lost_or_repeated),
        cmocka_unit_test(test_second_expiry_in_a_row_is_returned),
        cmocka_unit_test(test_reauth_disabled),
        cmocka_unit_test(test_failed_relogin_is_returned),
        cmocka_unit_test(test_relogin_transport_error),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
