// SPDX-License-Identifier: MIT
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
    for (i = 0; json_object_size(seen) < 100; i++) {
        size_t j;
        /* pages end at whole seconds, so they may hold fewer than asked */
        n = odoo_iter_next_page(it, &page);
        assert_true(n > 0 && n <= 50);
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
    assert_true(json_object_size(seen) >= 100 && json_object_size(seen) < 150);

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
    assert_int_equal(json_object_size(got), expected + 5);
    odoo_iter_free(it);
    free(cursor_wd);
    json_decref(seen);
    json_decref(got);
    odoo_client_free(c);
}

/* A trace callback appending every request body sent (as long as there is room). */
static void keep_requests(odoo_trace_kind kind, const char *text, size_t len, void *ud)
{
    char *buf = ud;
    size_t have = strlen(buf);
    if (kind != ODOO_TRACE_DATA_OUT || have + len + 2 > 16384)
        return;
    memcpy(buf + have, text, len);
    buf[have + len] = '\n';
    buf[have + len + 1] = '\0';
}

static json_t *read_ids(odoo_client *c, const char *wd, long long id, int overlap, long overlap_s)
{
    odoo_iter *it = NULL;
    json_t *ids = json_array(), *rec;
    int n;
    assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, 50, wd, id),
                     ODOO_OK);
    if (overlap)
        EMU_ASSERT_RC(c, odoo_iter_set_overlap(it, (unsigned)overlap_s), ODOO_OK);
    while ((n = odoo_iter_next(it, &rec)) == 1) {
        json_array_append_new(ids, json_incref(json_object_get(rec, "id")));
        json_decref(rec);
    }
    EMU_ASSERT_RC(c, n, 0);
    odoo_iter_free(it);
    return ids;
}

static int has_id(json_t *ids, long long id)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) if (json_integer_value(v) == id) return 1;
    return 0;
}

/* Odoo's write_date has whole seconds: an order written in the cursor's second
 * with a smaller id is behind the (write_date, id) cursor. Without an overlap
 * it is missed; with odoo_iter_set_overlap() it is read, and the cursor does
 * not move backwards. */
static void test_overlap_reads_writes_behind_the_cursor(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    json_t *vals = json_pack("{s:s}", "client_order_ref", "SAME-SECOND"), *ids, *rows = NULL;
    const char *fields[] = {"write_date", NULL};
    char wd200[32] = "", wd10[32] = "";
    int attempt;
    (void)state;
    for (attempt = 0; attempt < 5; attempt++) {
        json_t *one = json_pack("[i]", 200), *ten = json_pack("[i]", 10);
        EMU_ASSERT_RC(c, odoo_write(c, "sale.order", one, vals, NULL), ODOO_OK);
        EMU_ASSERT_RC(c, odoo_write(c, "sale.order", ten, vals, NULL), ODOO_OK);
        EMU_ASSERT_RC(c, odoo_read(c, &rows, "sale.order", one, fields, NULL), ODOO_OK);
        snprintf(wd200, sizeof(wd200), "%s",
                 json_string_value(json_object_get(json_array_get(rows, 0), "write_date")));
        json_decref(rows);
        EMU_ASSERT_RC(c, odoo_read(c, &rows, "sale.order", ten, fields, NULL), ODOO_OK);
        snprintf(wd10, sizeof(wd10), "%s",
                 json_string_value(json_object_get(json_array_get(rows, 0), "write_date")));
        json_decref(rows);
        json_decref(one);
        json_decref(ten);
        if (strcmp(wd200, wd10) == 0)
            break; /* both in one second (else the second turned: again) */
    }
    assert_string_equal(wd200, wd10);
    /* a run that read up to order 200 saved (wd, 200); order 10 was written in
     * the same second, after that run read it */
    ids = read_ids(c, wd200, 200, 0, 0);
    assert_false(has_id(ids, 10)); /* the limitation the overlap is for */
    json_decref(ids);
    ids = read_ids(c, wd200, 200, 1, 0); /* overlap 0: the cursor's second again */
    assert_true(has_id(ids, 10));
    assert_true(has_id(ids, 200)); /* at least once */
    json_decref(ids);
    {
        /* the cursor does not go back to order 10 */
        odoo_iter *it = NULL;
        json_t *rec;
        const char *cwd;
        long long cid;
        int n;
        assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, 50,
                                                 wd200, 200),
                         ODOO_OK);
        EMU_ASSERT_RC(c, odoo_iter_set_overlap(it, 0), ODOO_OK);
        while ((n = odoo_iter_next(it, &rec)) == 1)
            json_decref(rec);
        EMU_ASSERT_RC(c, n, 0);
        odoo_iter_cursor(it, &cwd, &cid);
        assert_string_equal(cwd, wd200);
        assert_true(cid >= 200);
        /* too late now, and only for changed_since iterators */
        assert_int_equal(odoo_iter_set_overlap(it, 5), ODOO_EINVAL);
        odoo_iter_free(it);
        assert_int_equal(odoo_iter_new(&it, c, "sale.order", NULL, order_fields, 50), ODOO_OK);
        assert_int_equal(odoo_iter_set_overlap(it, 5), ODOO_EINVAL);
        odoo_iter_free(it);
        assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, 50,
                                                 "yesterday", 3),
                         ODOO_OK);
        assert_int_equal(odoo_iter_set_overlap(it, 5), ODOO_EINVAL);
        odoo_iter_free(it);
    }
    json_decref(vals);
    odoo_client_free(c);
}

/* The overlap's date arithmetic, seen in the request: across a year. */
static void test_overlap_window_in_request(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    odoo_iter *it = NULL;
    json_t *page = NULL;
    static char req[16384];
    (void)state;
    req[0] = '\0';
    emu_options(&o, NULL, NULL);
    o.trace = keep_requests;
    o.trace_userdata = req;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, 50,
                                             "2025-01-01 00:00:10", 7),
                     ODOO_OK);
    EMU_ASSERT_RC(c, odoo_iter_set_overlap(it, 86400 + 20), ODOO_OK);
    assert_true(odoo_iter_next_page(it, &page) >= 0);
    assert_non_null(strstr(req, "\"write_date\", \">=\", \"2024-12-30 23:59:50\"")
                    ? req : strstr(req, "\"write_date\",\">=\",\"2024-12-30 23:59:50\""));
    assert_null(strstr(req, "2025-01-01 00:00:10")); /* not the strict cursor */
    json_decref(page);
    odoo_iter_free(it);
    odoo_client_free(c);
}

/* A scheduled run that finds nothing new: resuming at the newest cursor with
 * the default overlap (its own second) reads that second and finds the end in
 * one search_read (it took two: the second, then what comes after it). */
static void test_no_change_resume_is_one_query(void **state)
{
    odoo_client *c = emu_client(NULL, NULL);
    odoo_iter *it = NULL;
    json_t *rows = NULL, *page = NULL;
    const char *fields[] = {"write_date", NULL};
    char wd[32];
    long long id, before;
    int n, pages = 0;
    (void)state;
    /* the newest (write_date, id) */
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, fields, "write_date desc, id desc",
                                      1, 0, NULL),
                  ODOO_OK);
    snprintf(wd, sizeof(wd), "%s",
             json_string_value(json_object_get(json_array_get(rows, 0), "write_date")));
    id = (long long)json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    before = emu_calls("sale.order.search_read");
    assert_int_equal(odoo_iter_changed_since(&it, c, "sale.order", NULL, order_fields, 500, wd, id),
                     ODOO_OK);
    EMU_ASSERT_RC(c, odoo_iter_set_overlap(it, 0), ODOO_OK);
    while ((n = odoo_iter_next_page(it, &page)) > 0) {
        pages++;
        json_decref(page);
    }
    EMU_ASSERT_RC(c, n, 0);
    assert_true(pages <= 1); /* the cursor's own second, read again */
    assert_int_equal(emu_calls("sale.order.search_read") - before, 1);
    odoo_iter_free(it);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_id_once_in_order),
        cmocka_unit_test(test_pages_and_domain),
        cmocka_unit_test(test_iter_errors_and_resume),
        cmocka_unit_test(test_cursor_resume_after_changes),
        cmocka_unit_test(test_overlap_reads_writes_behind_the_cursor),
        cmocka_unit_test(test_overlap_window_in_request),
        cmocka_unit_test(test_no_change_resume_is_one_query),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
