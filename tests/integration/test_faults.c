// SPDX-License-Identifier: MIT
/* Failure paths of the transport: proxies answering 5xx HTML, Odoo's HTML
 * 404, truncated or garbled JSON, connections closed mid-body, timeouts,
 * nothing listening. Every one gives its typed error, and the client keeps
 * working afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "emu.h"
#include "internal.h"

/* A client that does not retry by itself: these tests look at how each
 * failure is reported (test_retries.c covers the retries). */
static odoo_client *no_retry_client(void)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, NULL, NULL);
    o.max_retries = 0;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    return c;
}

/* Log in, switch the fault on, expect rc from the next call, then expect
 * the client to work again. */
static odoo_client *fault_then_recover(const char *fault, int expected, int status)
{
    odoo_client *c = no_retry_client();
    const odoo_error *e;
    json_t *res = (json_t *)(uintptr_t)0x1, *all = json_pack("[[]]");
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    emu_fault(fault);
    EMU_ASSERT_RC(c, odoo_call_kw(c, &res, "res.partner", "search_count", all, NULL, NULL),
                  expected);
    assert_null(res);
    e = odoo_client_last_error(c);
    assert_int_equal(odoo_error_get_code(e), expected);
    assert_int_equal(odoo_error_http_status(e), status);
    assert_true(odoo_error_message(e)[0] != '\0');
    emu_fault("{\"reset\": true}");
    EMU_ASSERT_RC(c, odoo_call_kw(c, &res, "res.partner", "search_count", all, NULL, NULL),
                  ODOO_OK);
    assert_true(json_is_integer(res));
    json_decref(res);
    json_decref(all);
    return c;
}

static void test_proxy_502(void **state)
{
    odoo_client *c;
    (void)state;
    c = fault_then_recover("{\"status\": 502, \"status_count\": 1}", ODOO_EHTTP, 502);
    odoo_client_free(c);
}

static void test_proxy_503_message_and_retryable(void **state)
{
    odoo_client *c = no_retry_client();
    const odoo_error *e;
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    emu_fault("{\"status\": 503, \"status_count\": 2}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EHTTP);
    e = odoo_client_last_error(c);
    assert_true(odoo_error_retryable(e));
    assert_non_null(strstr(odoo_error_message(e), "503"));
    assert_string_equal(odoo_error_class(e), "");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EHTTP);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    odoo_client_free(c);
}

static void test_login_502(void **state)
{
    odoo_client *c = no_retry_client();
    (void)state;
    emu_fault("{\"status\": 502, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_EHTTP);
    assert_int_equal(odoo_client_uid(c), 0);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    odoo_client_free(c);
}

static void test_html_404(void **state)
{
    odoo_client *c;
    (void)state;
    c = fault_then_recover("{\"html404_count\": 1}", ODOO_EHTTP, 404);
    assert_false(odoo_error_retryable(odoo_client_last_error(c)));
    odoo_client_free(c);
}

static void test_truncated_json(void **state)
{
    odoo_client *c;
    (void)state;
    c = fault_then_recover("{\"truncate_count\": 1}", ODOO_EPROTOCOL, 200);
    odoo_client_free(c);
}

static void test_garbage_json(void **state)
{
    odoo_client *c;
    (void)state;
    c = fault_then_recover("{\"garbage_count\": 1}", ODOO_EPROTOCOL, 200);
    odoo_client_free(c);
}

static void test_closed_mid_body(void **state)
{
    odoo_client *c;
    (void)state;
    c = fault_then_recover("{\"close_mid_body_count\": 1}", ODOO_ENETWORK, 0);
    odoo_client_free(c);
}

static void test_timeout(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    struct timespec t0, t1;
    double secs;
    (void)state;
    emu_options(&o, NULL, NULL);
    o.timeout_ms = 500;
    o.max_retries = 0;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    emu_fault("{\"delay_ms\": 3000, \"delay_count\": 1}");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_ETIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs < 2.5); /* it gave up instead of waiting the 3 s out */
    assert_true(odoo_error_retryable(odoo_client_last_error(c)));
    assert_int_equal(odoo_error_http_status(odoo_client_last_error(c)), 0);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    odoo_client_free(c);
}

static void test_nothing_listening(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    (void)state;
    emu_options(&o, NULL, NULL);
    o.url = "http://127.0.0.1:1"; /* port 1: nothing listens there */
    o.max_retries = 0;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_ENETWORK);
    assert_true(odoo_error_retryable(odoo_client_last_error(c)));
    assert_int_equal(odoo_client_uid(c), 0);
    odoo_client_free(c);
}

static void test_wrong_path_prefix(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    char url[512];
    (void)state;
    /* an URL that points below the server root: Odoo's 404 page */
    emu_options(&o, NULL, NULL);
    snprintf(url, sizeof(url), "%s/not-odoo", emu_url());
    o.url = url;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_EHTTP);
    assert_int_equal(odoo_error_http_status(odoo_client_last_error(c)), 404);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proxy_502),
        cmocka_unit_test(test_proxy_503_message_and_retryable),
        cmocka_unit_test(test_login_502),
        cmocka_unit_test(test_html_404),
        cmocka_unit_test(test_truncated_json),
        cmocka_unit_test(test_garbage_json),
        cmocka_unit_test(test_closed_mid_body),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_nothing_listening),
        cmocka_unit_test(test_wrong_path_prefix),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
