/* Safe retries: reads are retried on 5xx/timeouts with back-off; calls that
 * change data are never replayed once their request may have reached the
 * server, and say so (ODOO_EINDOUBT). */
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

static odoo_client *retry_client(int max_retries, long timeout_ms)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, NULL, NULL);
    o.max_retries = max_retries;
    o.retry_base_ms = 20;
    o.retry_max_ms = 200;
    if (timeout_ms)
        o.timeout_ms = timeout_ms;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    return c;
}

static long long requests(void)
{
    json_t *s = emu_stats();
    long long n = (long long)json_integer_value(json_object_get(s, "requests"));
    json_decref(s);
    return n;
}

static void test_write_502_not_replayed(void **state)
{
    odoo_client *c = retry_client(3, 0);
    json_t *ids = json_pack("[i]", 5), *vals = json_pack("{s:s}", "client_order_ref", "R");
    long long before = requests();
    const odoo_error *e;
    (void)state;
    /* fields_get (for the whitelist check) first, so the fault hits the write */
    EMU_ASSERT_RC(c, odoo_fields_check(c, "sale.order", NULL), ODOO_OK);
    before = requests();
    emu_fault("{\"status\": 502, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_write(c, "sale.order", ids, vals, NULL), ODOO_EINDOUBT);
    e = odoo_client_last_error(c);
    assert_int_equal(odoo_error_http_status(e), 502);
    assert_non_null(strstr(odoo_error_message(e), "may have been applied"));
    assert_int_equal(requests(), before + 1); /* sent once, never again */
    assert_int_equal(odoo_client_retry_count(c), 0);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
}

static void test_search_read_503_twice_then_ok(void **state)
{
    static const char *const fields[] = {"name", NULL};
    odoo_client *c = retry_client(3, 0);
    json_t *rows = NULL;
    (void)state;
    emu_fault("{\"status\": 503, \"status_count\": 2}");
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, fields, "id asc", 2, 0, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "name")),
                        "S00001");
    assert_int_equal(odoo_client_retry_count(c), 2);
    json_decref(rows);
    odoo_client_free(c);
}

static void test_retries_run_out(void **state)
{
    odoo_client *c = retry_client(2, 0);
    (void)state;
    emu_fault("{\"status\": 503, \"status_count\": 10}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EHTTP);
    assert_int_equal(odoo_client_retry_count(c), 2);
    odoo_client_free(c);
}

static void test_read_timeout_retried_write_timeout_in_doubt(void **state)
{
    odoo_client *c = retry_client(2, 400);
    json_t *vals = json_pack("{s:s}", "name", "timeout-partner"), *ids = NULL;
    long long n = 0, created;
    json_t *domain = json_pack("[[s, s, s]]", "name", "=", "timeout-partner");
    (void)state;
    emu_fault("{\"delay_ms\": 1500, \"delay_count\": 1}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_retry_count(c), 1);
    EMU_ASSERT_RC(c, odoo_fields_check(c, "res.partner", NULL), ODOO_OK);
    /* the emulator runs the create, then answers too late */
    emu_fault("{\"delay_ms\": 1500, \"delay_count\": 1}");
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_EINDOUBT);
    assert_null(ids);
    assert_int_equal(odoo_client_retry_count(c), 1);
    created = emu_calls("res.partner.create");
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", domain, NULL), ODOO_OK);
    assert_int_equal(n, created); /* run at most once: no duplicate */
    assert_true(n <= 1);
    json_decref(vals);
    json_decref(domain);
    odoo_client_free(c);
}

static void test_connection_refused_is_retried_for_writes(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    json_t *vals = json_pack("{s:s}", "name", "x"), *ids = NULL;
    (void)state;
    emu_options(&o, NULL, NULL);
    o.url = "http://127.0.0.1:1";
    o.max_retries = 2;
    o.retry_base_ms = 10;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    /* nothing was ever sent: safe to retry even a create; the final error is
     * the network one, not "in doubt" */
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_ENETWORK);
    assert_int_equal(odoo_client_retry_count(c), 2);
    json_decref(vals);
    odoo_client_free(c);
}

static void test_429_retried_for_writes(void **state)
{
    odoo_client *c = retry_client(3, 0);
    json_t *vals = json_pack("{s:s}", "name", "throttled"), *ids = NULL;
    (void)state;
    emu_fault("{\"status\": 429, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_OK);
    assert_int_equal(json_array_size(ids), 1);
    assert_int_equal(odoo_client_retry_count(c), 1);
    assert_int_equal(emu_calls("res.partner.create"), 1);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
}

static void test_closed_mid_body(void **state)
{
    odoo_client *c = retry_client(2, 0);
    json_t *vals = json_pack("{s:s}", "name", "mid-body"), *ids = NULL;
    (void)state;
    emu_fault("{\"close_mid_body_count\": 1}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    EMU_ASSERT_RC(c, odoo_fields_check(c, "res.partner", NULL), ODOO_OK);
    emu_fault("{\"close_mid_body_count\": 1}");
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_EINDOUBT);
    assert_int_equal(emu_calls("res.partner.create"), 1); /* it did run, once */
    json_decref(vals);
    odoo_client_free(c);
}

static void test_no_retries_when_off(void **state)
{
    odoo_client *c = retry_client(0, 0);
    (void)state;
    emu_fault("{\"status\": 503, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EHTTP);
    assert_int_equal(odoo_client_retry_count(c), 0);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_502_not_replayed),
        cmocka_unit_test(test_search_read_503_twice_then_ok),
        cmocka_unit_test(test_retries_run_out),
        cmocka_unit_test(test_read_timeout_retried_write_timeout_in_doubt),
        cmocka_unit_test(test_connection_refused_is_retried_for_writes),
        cmocka_unit_test(test_429_retried_for_writes),
        cmocka_unit_test(test_closed_mid_body),
        cmocka_unit_test(test_no_retries_when_off),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
