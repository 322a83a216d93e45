// SPDX-License-Identifier: MIT
/* The JSON-2 transport (Odoo 19+: POST /json/2/<model>/<method>, bearer API
 * key, named arguments) against a version-19 emulator. */
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

static const char *api_key(void)
{
    const char *k = getenv("ODOO_API_KEY");
    if (!k || !*k)
        fail_msg("ODOO_API_KEY is not set (run the emulator with --api-key)");
    return k;
}

static odoo_client *json2_client(const char *key)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, NULL, "");
    o.api_key = key;
    o.max_retries = 0;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    return c;
}

static void test_auto_selects_json2_on_19(void **state)
{
    odoo_client *c = json2_client(api_key());
    (void)state;
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    assert_int_equal(odoo_client_transport(c), ODOO_TRANSPORT_JSON2);
    assert_int_equal(odoo_client_server_major(c), 19);
    assert_int_equal(odoo_client_uid(c), 2);
    odoo_client_free(c);
}

static void test_same_json_as_session(void **state)
{
    static const char *const fields[] = {"name", "partner_id", "amount_total", "state",
                                         "date_order", NULL};
    odoo_client *j = json2_client(api_key());
    odoo_client *s = emu_client(NULL, NULL);
    json_t *a = NULL, *b = NULL;
    (void)state;
    EMU_ASSERT_RC(j, odoo_search_read(j, &a, "sale.order", NULL, fields, "id desc", 3, 0, NULL),
                  ODOO_OK);
    EMU_ASSERT_RC(s, odoo_search_read(s, &b, "sale.order", NULL, fields, "id desc", 3, 0, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(a), 3);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    odoo_client_free(j);
    odoo_client_free(s);
}

static void test_bad_key(void **state)
{
    odoo_client *c = json2_client("not-the-key");
    (void)state;
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EAUTH);
    assert_int_equal(odoo_error_http_status(odoo_client_last_error(c)), 401);
    assert_null(strstr(odoo_error_message(odoo_client_last_error(c)), "not-the-key"));
    odoo_client_free(c);
}

static void expect(odoo_client *c, const char *model, const char *method, const char *args,
                   const char *kwargs, int code, int status)
{
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, model, method, args, kwargs), code);
    assert_int_equal(odoo_error_http_status(odoo_client_last_error(c)), status);
}

static void test_errors_by_status(void **state)
{
    odoo_client *c = json2_client(api_key());
    (void)state;
    expect(c, "no.such.model", "search", "[[]]", NULL, ODOO_ENOTFOUND, 404);
    expect(c, "sale.order", "no_such_method", "[[1]]", NULL, ODOO_ENOTFOUND, 404);
    expect(c, "sale.order", "_compute_amounts", "[[1]]", NULL, ODOO_EACCESS, 403);
    expect(c, "res.partner", "write", "[[999999], {\"name\": \"x\"}]", NULL, ODOO_EMISSING, 404);
    expect(c, "sale.order", "create", "[{\"client_order_ref\": \"x\"}]", NULL, ODOO_EVALIDATION,
           422);
    expect(c, "sale.order", "search", "[[[\"nofield\", \"=\", 1]]]", NULL, ODOO_ESERVER, 500);
    expect(c, "res.partner", "search", NULL, "{\"domain\": [], \"bogus\": 1}", ODOO_EINVAL, 422);
    odoo_client_free(c);
}

static void test_crud_with_positional_args(void **state)
{
    odoo_client *c = json2_client(api_key());
    char *out = NULL, args[128];
    json_t *ids = NULL, *vals = json_pack("[{s:s}, {s:s}]", "name", "J2 One", "name", "J2 Two");
    long long id;
    (void)state;
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_OK);
    assert_int_equal(json_array_size(ids), 2);
    id = (long long)json_integer_value(json_array_get(ids, 0));
    snprintf(args, sizeof(args), "[[%lld], {\"name\": \"J2 Renamed\"}]", id);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, &out, "res.partner", "write", args, NULL), ODOO_OK);
    assert_string_equal(out, "true");
    odoo_free(out);
    snprintf(args, sizeof(args), "[[%lld], [\"name\"]]", id);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, &out, "res.partner", "read", args, NULL), ODOO_OK);
    assert_non_null(strstr(out, "J2 Renamed"));
    odoo_free(out);
    EMU_ASSERT_RC(c, odoo_unlink(c, "res.partner", ids, NULL), ODOO_OK);
    /* a method JSON-2 cannot name the positional arguments of */
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "sale.order", "action_confirm", "[[1], 2]", NULL),
                  ODOO_EINVAL);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
}

static void test_custom_recordset_method(void **state)
{
    odoo_client *c = json2_client(api_key());
    json_t *ids = NULL, *rows = NULL, *domain = json_pack("[[s, s, s]]", "state", "=", "draft");
    static const char *const fields[] = {"state", NULL};
    json_t *args;
    (void)state;
    EMU_ASSERT_RC(c, odoo_search(c, &ids, "sale.order", domain, "id asc", 1, 0, NULL), ODOO_OK);
    assert_int_equal(json_array_size(ids), 1);
    args = json_pack("[O]", ids);
    EMU_ASSERT_RC(c, odoo_call_kw(c, NULL, "sale.order", "action_confirm", args, NULL, NULL),
                  ODOO_OK);
    EMU_ASSERT_RC(c, odoo_read(c, &rows, "sale.order", ids, fields, NULL), ODOO_OK);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "state")),
                        "sale");
    json_decref(args);
    json_decref(rows);
    json_decref(ids);
    json_decref(domain);
    odoo_client_free(c);
}

/* Bug 7: a wrong X-Odoo-Database on 19 is Odoo's HTML 404 page ("No database
 * is selected ..."): said as "database not found", ODOO_EAUTH like a wrong
 * database on the other transports, never the page. With the transport
 * forced (no version probe) and with the automatic choice. */
static void test_wrong_database_is_named(void **state)
{
    int forced;
    (void)state;
    for (forced = 0; forced < 2; forced++) {
        odoo_client_options o;
        odoo_client *c = NULL;
        const char *msg;
        emu_options(&o, NULL, "");
        o.api_key = api_key();
        o.database = "no_such_db";
        o.max_retries = 0;
        if (forced)
            o.transport = ODOO_TRANSPORT_JSON2;
        assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
        EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_EAUTH);
        msg = odoo_error_message(odoo_client_last_error(c));
        assert_non_null(strstr(msg, "database \"no_such_db\" not found"));
        assert_null(strchr(msg, '<'));
        assert_int_equal(odoo_error_http_status(odoo_client_last_error(c)), 404);
        assert_false(odoo_error_retryable(odoo_client_last_error(c)));
        odoo_client_free(c);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_selects_json2_on_19),
        cmocka_unit_test(test_same_json_as_session),
        cmocka_unit_test(test_bad_key),
        cmocka_unit_test(test_errors_by_status),
        cmocka_unit_test(test_crud_with_positional_args),
        cmocka_unit_test(test_custom_recordset_method),
        cmocka_unit_test(test_wrong_database_is_named),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
