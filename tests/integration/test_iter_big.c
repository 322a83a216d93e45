// SPDX-License-Identifier: MIT
/* 100,000 records paged by 1,000 while the session expires every 7 calls:
 * every id exactly once, in order, and memory stays flat. */
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

/* Peak resident set size of this process, in kB (VmHWM). */
static long peak_rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static void test_hundred_thousand_with_expiry(void **state)
{
    static const char *const fields[] = {"name", "partner_id", "amount_total", "state",
                                         "date_order", NULL};
    odoo_client *c = emu_client(NULL, NULL);
    odoo_iter *it = NULL;
    json_t *rec = NULL;
    long long expect = 1, total = 0;
    long before, after;
    int rc;
    (void)state;
    /* warm up: login and fields_get, so they do not count as growth */
    EMU_ASSERT_RC(c, odoo_fields_check(c, "sale.order", fields), ODOO_OK);
    before = peak_rss_kb();
    assert_int_equal(odoo_iter_new(&it, c, "sale.order", NULL, fields, 1000), ODOO_OK);
    while ((rc = odoo_iter_next(it, &rec)) == 1) {
        long long id = (long long)json_integer_value(json_object_get(rec, "id"));
        if (id != expect)
            fail_msg("expected id %lld, got %lld", expect, id);
        expect++;
        total++;
        json_decref(rec);
    }
    EMU_ASSERT_RC(c, rc, 0);
    after = peak_rss_kb();
    assert_int_equal(total, 100000);
    assert_int_equal(odoo_iter_pages(it), 101); /* 100 full pages and the empty last */
    printf("iterated %lld records in %lu pages, %lu re-authentications, %lu retries; "
           "peak RSS %ld kB -> %ld kB (growth %ld kB)\n",
           total, odoo_iter_pages(it), odoo_client_reauth_count(c), odoo_client_retry_count(c),
           before, after, after - before);
    assert_true(odoo_client_reauth_count(c) >= 10);
    if (getenv("ODOO_TEST_INSTRUMENTED"))
        printf("(instrumented build: the RSS bound is not checked)\n");
    else
        assert_true(after - before < 20 * 1024);
    odoo_iter_free(it);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hundred_thousand_with_expiry),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
