// SPDX-License-Identifier: MIT
/* The (write_date, id) cursor over orders created 250 per transaction, as
 * after an import: 2,000 orders in 8 seconds of 250 (the emulator seeded with
 * --orders 2000 --seed-batch 250, write_date with microseconds as Odoo 16-18
 * store it). Each order once, and one query a page: a page cut inside a
 * second holds what it read of that second and asks only for the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu.h"

#define ORDERS 2000

static const char *const fields[] = {"name", NULL};

/* Iterate by pages from (wd, id) (NULL: the start); every id once, in
 * (second, id) order after the start; the number of records. */
static long long drain(odoo_client *c, size_t page_size, const char *wd, long long id,
                       unsigned char *seen, unsigned long *pages_out)
{
    odoo_iter *it = NULL;
    json_t *page = NULL, *r;
    char prev_wd[32] = "";
    long long prev_id = 0, n_all = 0;
    size_t i;
    int n;
    if (wd) {
        snprintf(prev_wd, sizeof(prev_wd), "%s", wd);
        prev_id = id;
    }
    assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, fields, page_size, wd,
                                             id),
                     ODOO_OK);
    while ((n = odoo_iter_next_page(it, &page)) > 0) {
        assert_true((size_t)n <= page_size);
        json_array_foreach(page, i, r) {
            const char *w = json_string_value(json_object_get(r, "write_date"));
            long long rid = (long long)json_integer_value(json_object_get(r, "id"));
            int cmp = strcmp(w, prev_wd);
            assert_true(rid > 0 && rid <= ORDERS);
            assert_true(cmp > 0 || (cmp == 0 && rid > prev_id));
            assert_int_equal(seen[rid], 0);
            seen[rid] = 1;
            snprintf(prev_wd, sizeof(prev_wd), "%s", w);
            prev_id = rid;
            n_all++;
        }
        json_decref(page);
    }
    EMU_ASSERT_RC(c, n, 0);
    if (pages_out)
        *pages_out = odoo_iter_pages(it);
    odoo_iter_free(it);
    return n_all;
}

/* A first run from the start in pages of 500: 2,000 orders, each once, in 5
 * queries like a plain read of 4 pages and its end (it took 9: each page cut
 * inside a second was followed by a query for the rest of that second, which
 * read its 250 orders a second time). */
static void test_first_run_one_query_a_page(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    unsigned char *seen = calloc(ORDERS + 1, 1);
    long long before = emu_calls("sale.order.search_read");
    unsigned long pages = 0;
    (void)state;
    assert_non_null(seen);
    assert_int_equal(drain(c, 500, NULL, 0, seen, &pages), ORDERS);
    assert_int_equal(emu_calls("sale.order.search_read") - before, 5);
    assert_int_equal(pages, 5);
    free(seen);
    odoo_client_free(c);
}

/* Stopped after any number of records, the cursor resumes with exactly the
 * rest: inside a second (by id) and at its end; pages of 300 cut the 250s
 * everywhere. */
static void test_resume_anywhere(void **state)
{
    static const long long stops[] = {1, 249, 250, 251, 600, 1999};
    odoo_client *c = emu_client(NULL, NULL);
    size_t k;
    (void)state;
    for (k = 0; k < sizeof(stops) / sizeof(stops[0]); k++) {
        unsigned char *seen = calloc(ORDERS + 1, 1);
        odoo_iter *it = NULL;
        json_t *r = NULL;
        const char *wd;
        char cur[32];
        long long id, i;
        assert_non_null(seen);
        assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, fields, 300, NULL, 0),
                         ODOO_OK);
        for (i = 0; i < stops[k]; i++) {
            EMU_ASSERT_RC(c, odoo_iter_next(it, &r), 1);
            seen[json_integer_value(json_object_get(r, "id"))] = 1;
            json_decref(r);
        }
        odoo_iter_cursor(it, &wd, &id);
        snprintf(cur, sizeof(cur), "%s", wd);
        odoo_iter_free(it);
        assert_int_equal(drain(c, 300, cur, id, seen, NULL), ORDERS - stops[k]);
        for (i = 1; i <= ORDERS; i++)
            assert_int_equal(seen[i], 1);
        free(seen);
    }
    odoo_client_free(c);
}

/* Pages smaller than a second (100 < 250): each second is read by id. */
static void test_seconds_larger_than_a_page(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    unsigned char *seen = calloc(ORDERS + 1, 1);
    unsigned long pages = 0;
    (void)state;
    assert_non_null(seen);
    assert_int_equal(drain(c, 100, NULL, 0, seen, &pages), ORDERS);
    /* per second: the query that found it filled by one second, then 3 by id */
    assert_true(pages <= 8 * 4 + 1);
    free(seen);
    odoo_client_free(c);
}

/* A strict run (no overlap) from the newest cursor finds nothing in one
 * query (it took two: the rest of the cursor's second, then the later ones). */
static void test_no_change_strict_is_one_query(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    unsigned char *seen = calloc(ORDERS + 1, 1);
    json_t *rows = NULL;
    const char *wdf[] = {"write_date", NULL};
    char wd[32];
    long long id, before;
    (void)state;
    assert_non_null(seen);
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, wdf,
                                      "write_date desc, id desc", 1, 0, NULL),
                  ODOO_OK);
    snprintf(wd, sizeof(wd), "%s",
             json_string_value(json_object_get(json_array_get(rows, 0), "write_date")));
    id = (long long)json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    before = emu_calls("sale.order.search_read");
    assert_int_equal(drain(c, 500, wd, id, seen, NULL), 0);
    assert_int_equal(emu_calls("sale.order.search_read") - before, 1);
    free(seen);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_run_one_query_a_page),
        cmocka_unit_test(test_resume_anywhere),
        cmocka_unit_test(test_seconds_larger_than_a_page),
        cmocka_unit_test(test_no_change_strict_is_one_query),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
