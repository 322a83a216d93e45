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

#include <cmocka.h>

#include "emu.h"
#include "internal.h"

static odoo_client *client_with(odoo_transport t, const char *login, const char *password,
                                const char *api_key)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, login, password);
    o.transport = t;
    o.api_key = api_key;
    o.max_retries = 0;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    return c;
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

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_over_jsonrpc),
        cmocka_unit_test(test_api_key_auto_selects_jsonrpc_on_18),
        cmocka_unit_test(test_same_json_as_session),
        cmocka_unit_test(test_api_key_refused_by_web_session),
        cmocka_unit_test(test_wrong_password_jsonrpc),
        cmocka_unit_test(test_errors_jsonrpc),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
