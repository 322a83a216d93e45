/* Keyset pagination and the incremental (write_date, id) cursor. */
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

static const char *const order_fields[] = {"name", "amount_total", NULL};

static void test_every_id_once_in_order(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    odoo_iter *it = NULL;
    json_t *rec = NULL;
    long long expect = 1;
    int rc;
    (void)state;
    assert_int_equal(odoo_iter_new(&it, c, "sale.order", NULL, order_fields, 100), ODOO_OK);
    while ((rc = odoo_iter_next(it, &rec)) == 1) {
        assert_int_equal(json_integer_value(json_object_get(rec, "id")), expect);
        assert_non_null(json_object_get(rec, "name"));
        assert_int_equal(json_object_size(rec), 3);
        expect++;
        json_decref(rec);
    }
    EMU_ASSERT_RC(c, rc, 0);
    assert_null(rec);
    assert_int_equal(expect, 251);
    assert_int_equal(odoo_iter_count(it), 250);
    assert_int_equal(odoo_iter_pages(it), 3);
    /* keyset, not offset: no request carried an offset */
    assert_int_equal(emu_calls("sale.order.search_read"), 3);
    assert_int_equal(odoo_iter_next(it, &rec), 0); /* stays at the end */
    odoo_iter_free(it);
    odoo_client_free(c);
}

static void test_pages_and_domain(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    odoo_iter *it = NULL;
    json_t *page = NULL, *rec = NULL, *domain = json_pack("[[s, s, i]]", "id", "<=", 120);
    int n, total = 0;
    long long last = 0;
    (void)state;
    assert_int_equal(odoo_iter_new(&it, c, "sale.order", domain, order_fields, 50), ODOO_OK);
    json_decref(domain); /* copied by the iterator */
    /* one record, then the rest of its page, then whole pages */
    assert_int_equal(odoo_iter_next(it, &rec), 1);
    assert_int_equal(json_integer_value(json_object_get(rec, "id")), 1);
    json_decref(rec);
    while ((n = odoo_iter_next_page(it, &page)) > 0) {
        size_t i;
        for (i = 0; i < json_array_size(page); i++) {
            long long id = (long long)json_integer_value(json_object_get(json_array_get(page, i), "id"));
            assert_true(id > last);
            last = id;
        }
        total += n;
        json_decref(page);
    }
    EMU_ASSERT_RC(c, n, 0);
    assert_int_equal(total, 119);
    assert_int_equal(last, 120);
    assert_int_equal(odoo_iter_count(it), 120);
    odoo_iter_free(it);
    odoo_client_free(c);
}

static void test_iter_errors_and_resume(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    odoo_iter *it = NULL;
    json_t *page = NULL;
    static const char *const bad[] = {"name", "nope", NULL};
    (void)state;
    emu_options(&o, NULL, NULL);
    o.max_retries = 0;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    assert_int_equal(odoo_iter_new(&it, c, "sale.order", NULL, bad, 10), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_iter_next_page(it, &page), ODOO_EINVAL);
    odoo_iter_free(it);

    assert_int_equal(odoo_iter_new(&it, c, "sale.order", NULL, order_fields, 100), ODOO_OK);
    assert_int_equal(odoo_iter_next_page(it, &page), 100);
    json_decref(page);
    emu_fault("{\"status\": 502, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_iter_next_page(it, &page), ODOO_EHTTP);
    assert_null(page);
    /* called again, it resumes after the last record it handed out */
    assert_int_equal(odoo_iter_next_page(it, &page), 100);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(page, 0), "id")), 101);
    json_decref(page);
    odoo_iter_free(it);
    odoo_client_free(c);
}

/* Read by (write_date, id) pages, stop after page 2 and keep the cursor,
 * change 10 records (5 already seen, 5 not yet), resume from the cursor:
 * exactly the changed and the unseen records come, each once. */
static void test_cursor_resume_after_changes(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    odoo_iter *it = NULL;
    json_t *page = NULL, *seen = json_object(), *got = json_object(), *rec;
    const char *wd;
    char *cursor_wd, key[32];
    long long cursor_id, id;
    int n, i, expected = 0;
    (void)state;
    assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, 50,
                                             NULL, 0),
                     ODOO_OK);
    for (i = 0; i < 2; i++) {
        size_t j;
        assert_int_equal(odoo_iter_next_page(it, &page), 50);
        json_array_foreach(page, j, rec) {
            snprintf(key, sizeof(key), "%lld",
                     (long long)json_integer_value(json_object_get(rec, "id")));
            json_object_set_new(seen, key, json_true());
            assert_non_null(json_object_get(rec, "write_date"));
        }
        json_decref(page);
    }
    odoo_iter_cursor(it, &wd, &cursor_id);
    assert_non_null(wd);
    cursor_wd = strdup(wd); /* what a sync would persist */
    odoo_iter_free(it);
    assert_int_equal(json_object_size(seen), 100);

    /* change 5 seen and 5 unseen orders */
    {
        json_t *ids = json_array(), *vals = json_pack("{s:s}", "client_order_ref", "CHANGED");
        int changed_seen = 0, changed_unseen = 0;
        for (id = 1; id <= 250 && (changed_seen < 5 || changed_unseen < 5); id++) {
            snprintf(key, sizeof(key), "%lld", id);
            if (json_object_get(seen, key) ? changed_seen++ < 5 : changed_unseen++ < 5)
                json_array_append_new(ids, json_integer(id));
        }
        assert_int_equal(json_array_size(ids), 10);
        EMU_ASSERT_RC(c, odoo_write(c, "sale.order", ids, vals, NULL), ODOO_OK);
        json_decref(ids);
        json_decref(vals);
    }

    assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, 50,
                                             cursor_wd, cursor_id),
                     ODOO_OK);
    while ((n = odoo_iter_next(it, &rec)) == 1) {
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(json_object_get(rec, "id")));
        assert_null(json_object_get(got, key)); /* never twice */
        json_object_set_new(got, key, json_true());
        json_decref(rec);
    }
    EMU_ASSERT_RC(c, n, 0);
    /* expected: the 150 unseen ones and the 5 seen ones that changed */
    for (id = 1; id <= 250; id++) {
        snprintf(key, sizeof(key), "%lld", id);
        if (!json_object_get(seen, key))
            expected++;
    }
    assert_int_equal(expected, 150);
    assert_int_equal(json_object_size(got), 155);
    odoo_iter_free(it);
    free(cursor_wd);
    json_decref(seen);
    json_decref(got);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_id_once_in_order),
        cmocka_unit_test(test_pages_and_domain),
        cmocka_unit_test(test_iter_errors_and_resume),
        cmocka_unit_test(test_cursor_resume_after_changes),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
