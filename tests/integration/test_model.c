// SPDX-License-Identifier: MIT
/* Field-whitelisted helpers, batches and upserts against the emulator. */
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

static long long requests(void)
{
    json_t *s = emu_stats();
    long long n = (long long)json_integer_value(json_object_get(s, "requests"));
    json_decref(s);
    return n;
}

static void test_unknown_field_fails_before_data_moves(void **state)
{
    static const char *const bad[] = {"name", "no_such_field", NULL};
    static const char *const good[] = {"name", NULL};
    odoo_client *c = emu_client(NULL, NULL);
    json_t *rows = (json_t *)(uintptr_t)0x1, *domain;
    (void)state;
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, bad, NULL, 5, 0, NULL),
                  ODOO_EINVAL);
    assert_null(rows);
    assert_non_null(strstr(odoo_error_message(odoo_client_last_error(c)), "no_such_field"));
    assert_int_equal(emu_calls("sale.order.search_read"), 0);
    assert_int_equal(emu_calls("sale.order.fields_get"), 1);
    /* the field list is cached: the next checks cost no request */
    {
        long long before = requests();
        EMU_ASSERT_RC(c, odoo_fields_check(c, "sale.order", bad), ODOO_EINVAL);
        assert_int_equal(requests(), before + 0);
    }
    /* values of write/create and domains are checked the same way */
    {
        json_t *ids = json_pack("[i]", 1), *vals = json_pack("{s:s}", "nope", "x");
        EMU_ASSERT_RC(c, odoo_write(c, "sale.order", ids, vals, NULL), ODOO_EINVAL);
        json_decref(ids);
        json_decref(vals);
    }
    domain = json_pack("[[s, s, i]]", "bogus", "=", 1);
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", domain, good, NULL, 1, 0, NULL),
                  ODOO_EINVAL);
    json_decref(domain);
    assert_int_equal(emu_calls("sale.order.write"), 0);
    assert_int_equal(emu_calls("sale.order.search_read"), 0);
    /* an empty whitelist is refused: never "all fields" by accident */
    {
        static const char *const none[] = {NULL};
        EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, none, NULL, 1, 0, NULL),
                      ODOO_EINVAL);
    }
    odoo_client_free(c);
}

static void test_helpers_roundtrip(void **state)
{
    static const char *const fields[] = {"name", "email", NULL};
    odoo_client *c = emu_client(NULL, NULL);
    json_t *ids = NULL, *rows = NULL, *found = NULL, *domain, *vals;
    long long n = 0, before = 0;
    (void)state;
    domain = json_pack("[[s, s, s]]", "email", "=like", "helper-%@example.com");
    EMU_ASSERT_RC(c, odoo_search_count(c, &before, "res.partner", domain, NULL), ODOO_OK);
    vals = json_pack("[{s:s, s:s}, {s:s, s:s}]", "name", "Helper A", "email",
                     "helper-a@example.com", "name", "Helper B", "email", "helper-b@example.com");
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_OK);
    json_decref(vals);
    assert_int_equal(json_array_size(ids), 2);
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", domain, NULL), ODOO_OK);
    assert_int_equal(n, before + 2);
    EMU_ASSERT_RC(c, odoo_search(c, &found, "res.partner", domain, "id asc", 0, 0, NULL), ODOO_OK);
    assert_true(json_equal(found, ids));
    vals = json_pack("{s:s}", "name", "Helper Renamed");
    EMU_ASSERT_RC(c, odoo_write(c, "res.partner", ids, vals, NULL), ODOO_OK);
    json_decref(vals);
    EMU_ASSERT_RC(c, odoo_read(c, &rows, "res.partner", ids, fields, NULL), ODOO_OK);
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "name")),
                        "Helper Renamed");
    assert_int_equal(json_object_size(json_array_get(rows, 0)), 3); /* id, name, email */
    json_decref(rows);
    /* a single record: create answers [id] too */
    vals = json_pack("{s:s}", "name", "Helper C");
    json_decref(found);
    EMU_ASSERT_RC(c, odoo_create(c, &found, "res.partner", vals, NULL), ODOO_OK);
    assert_int_equal(json_array_size(found), 1);
    json_decref(vals);
    EMU_ASSERT_RC(c, odoo_unlink(c, "res.partner", ids, NULL), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", domain, NULL), ODOO_OK);
    assert_int_equal(n, before);
    json_decref(found);
    json_decref(ids);
    json_decref(domain);
    odoo_client_free(c);
}

static void test_context_per_call(void **state)
{
    static const char *const fields[] = {"name", NULL};
    odoo_client *c = emu_client(NULL, NULL);
    json_t *rows = NULL, *bad = json_pack("{s:[i]}", "allowed_company_ids", 4242);
    (void)state;
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "res.partner", NULL, fields, NULL, 1, 0, bad),
                  ODOO_EACCESS);
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "res.partner", NULL, fields, NULL, 1, 0, NULL),
                  ODOO_OK);
    json_decref(rows);
    json_decref(bad);
    odoo_client_free(c);
}

static void test_create_batch_chunks(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *recs = json_array(), *ids = NULL;
    char name[64];
    int i;
    (void)state;
    for (i = 0; i < 1200; i++) {
        snprintf(name, sizeof(name), "batch-%04d", i);
        json_array_append_new(recs, json_pack("{s:s}", "name", name));
    }
    EMU_ASSERT_RC(c, odoo_create_batch(c, &ids, "res.partner", recs, 500, NULL), ODOO_OK);
    assert_int_equal(json_array_size(ids), 1200);
    assert_int_equal(emu_calls("res.partner.create"), 3); /* 500 + 500 + 200 */
    for (i = 1; i < 1200; i++)
        assert_true(json_integer_value(json_array_get(ids, (size_t)i))
                    > json_integer_value(json_array_get(ids, (size_t)i - 1)));
    json_decref(ids);
    /* an invalid record anywhere: nothing is created */
    json_array_append_new(recs, json_pack("{s:s}", "bogus_field", "x"));
    EMU_ASSERT_RC(c, odoo_create_batch(c, &ids, "res.partner", recs, 500, NULL), ODOO_EINVAL);
    assert_int_equal(emu_calls("res.partner.create"), 3);
    json_decref(ids);
    json_decref(recs);
    odoo_client_free(c);
}

static void test_write_grouped_by_values(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *updates = json_array(), *rows = NULL, *ids = json_array();
    static const char *const fields[] = {"client_order_ref", NULL};
    unsigned long calls = 0;
    int i;
    (void)state;
    /* 90 orders, 3 distinct value sets (keys in different orders: same set) */
    for (i = 1; i <= 90; i++) {
        json_t *v;
        if (i % 3 == 0)
            v = json_pack("{s:s, s:s}", "client_order_ref", "A", "state", "sent");
        else if (i % 3 == 1)
            v = json_pack("{s:s, s:s}", "state", "sent", "client_order_ref", "A");
        else
            v = json_pack("{s:s}", "client_order_ref", i % 2 ? "B" : "C");
        json_array_append_new(updates, json_pack("{s:i, s:o}", "id", i, "values", v));
        json_array_append_new(ids, json_integer(i));
    }
    EMU_ASSERT_RC(c, odoo_write_grouped(c, "sale.order", updates, 500, &calls, NULL), ODOO_OK);
    assert_int_equal(calls, 3);
    assert_int_equal(emu_calls("sale.order.write"), 3);
    EMU_ASSERT_RC(c, odoo_read(c, &rows, "sale.order", ids, fields, NULL), ODOO_OK);
    for (i = 1; i <= 90; i++) {
        const char *ref = json_string_value(
            json_object_get(json_array_get(rows, (size_t)i - 1), "client_order_ref"));
        assert_string_equal(ref, i % 3 != 2 ? "A" : (i % 2 ? "B" : "C"));
    }
    json_decref(rows);
    json_decref(ids);
    json_decref(updates);
    odoo_client_free(c);
}

static void test_upsert_by_reference(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *recs = json_array(), *res = NULL, *ids = NULL;
    static const char *const fields[] = {"default_code", "list_price", NULL};
    char code[32];
    int i;
    (void)state;
    /* P-0001..P-0005 exist (seeded); UP-0001..UP-0005 are new */
    for (i = 1; i <= 5; i++) {
        snprintf(code, sizeof(code), "P-%04d", i);
        json_array_append_new(recs, json_pack("{s:s, s:f}", "default_code", code, "list_price",
                                              99.5));
        snprintf(code, sizeof(code), "UP-%04d", i);
        json_array_append_new(recs, json_pack("{s:s, s:s, s:f}", "default_code", code, "name",
                                              code, "list_price", 10.0 * i));
    }
    EMU_ASSERT_RC(c, odoo_upsert(c, &res, "product.product", "default_code", recs, 500, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(json_object_get(res, "created")), 5);
    assert_int_equal(json_array_size(json_object_get(res, "updated")), 5);
    assert_int_equal(emu_calls("product.product.create"), 1);
    assert_int_equal(emu_calls("product.product.write"), 1); /* 5 records, same values */
    assert_int_equal(emu_calls("product.product.search_read"), 1);
    EMU_ASSERT_RC(c, odoo_read(c, &ids, "product.product", json_object_get(res, "updated"),
                               fields, NULL),
                  ODOO_OK);
    assert_true(json_real_value(json_object_get(json_array_get(ids, 0), "list_price")) == 99.5);
    json_decref(ids);
    json_decref(res);
    /* the same input again: nothing new */
    EMU_ASSERT_RC(c, odoo_upsert(c, &res, "product.product", "default_code", recs, 500, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(json_object_get(res, "created")), 0);
    assert_int_equal(json_array_size(json_object_get(res, "updated")), 10);
    json_decref(res);
    /* a record without the key is refused before anything moves */
    json_array_append_new(recs, json_pack("{s:s}", "name", "no code"));
    EMU_ASSERT_RC(c, odoo_upsert(c, &res, "product.product", "default_code", recs, 500, NULL),
                  ODOO_EINVAL);
    assert_null(res);
    json_decref(recs);
    odoo_client_free(c);
}

/* A refused create after the search: the error comes back, and the partial
 * result tells what was done (nothing) without leaking (ASan/valgrind). */
static void test_upsert_refused_create(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *recs = json_pack("[{s:s}]", "default_code", "NONAME-1"), *res = NULL;
    (void)state;
    EMU_ASSERT_RC(c, odoo_upsert(c, &res, "product.product", "default_code", recs, 500, NULL),
                  ODOO_EVALIDATION);
    json_decref(res);
    json_decref(recs);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_field_fails_before_data_moves),
        cmocka_unit_test(test_helpers_roundtrip),
        cmocka_unit_test(test_context_per_call),
        cmocka_unit_test(test_create_batch_chunks),
        cmocka_unit_test(test_write_grouped_by_values),
        cmocka_unit_test(test_upsert_by_reference),
        cmocka_unit_test(test_upsert_refused_create),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
