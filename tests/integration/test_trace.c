// SPDX-License-Identifier: MIT
/* The wire trace shows requests and answers but never a password, API key,
 * session id or cookie. */
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

typedef struct {
    char *text;
    size_t len;
    int kinds[5];
} trace_log;

static void collect(odoo_trace_kind kind, const char *text, size_t len, void *ud)
{
    trace_log *t = ud;
    char *p = realloc(t->text, t->len + len + 1);
    assert_non_null(p);
    memcpy(p + t->len, text, len);
    t->len += len;
    p[t->len] = '\0';
    t->text = p;
    t->kinds[kind]++;
}

static void run_traced(odoo_transport transport, const char *password, const char *api_key,
                       trace_log *t, char *session_out, size_t session_size)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, NULL, password);
    o.transport = transport;
    o.api_key = api_key;
    o.trace = collect;
    o.trace_userdata = t;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "sale.order", "search_read", "[[]]",
                                      "{\"fields\": [\"name\"], \"limit\": 2}"),
                  ODOO_OK);
    /* a second call carries the cookie */
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    if (session_out)
        odoo__http_session_cookie(c, session_out, session_size);
    odoo_client_free(c);
}

static void test_session_trace_masks_cookie_and_password(void **state)
{
    trace_log t = {NULL, 0, {0}};
    char sid[128] = "";
    (void)state;
    run_traced(ODOO_TRANSPORT_SESSION, NULL, NULL, &t, sid, sizeof(sid));
    assert_int_equal(strlen(sid), 84);
    assert_non_null(t.text);
    assert_true(t.kinds[ODOO_TRACE_HEADER_OUT] > 0);
    assert_true(t.kinds[ODOO_TRACE_DATA_IN] > 0);
    assert_non_null(strstr(t.text, "/web/session/authenticate"));
    assert_non_null(strstr(t.text, "\"name\": \"S0")); /* the data is there */
    assert_null(strstr(t.text, sid));          /* the session id is not */
    assert_non_null(strstr(t.text, "Cookie: ***"));
    assert_non_null(strstr(t.text, "Set-Cookie: ***"));
    assert_null(strstr(t.text, "\"password\":\"admin\""));
    assert_non_null(strstr(t.text, "\"password\":\"***\""));
    free(t.text);
}

static void test_jsonrpc_trace_masks_api_key(void **state)
{
    trace_log t = {NULL, 0, {0}};
    const char *key = getenv("ODOO_API_KEY");
    (void)state;
    assert_non_null(key);
    run_traced(ODOO_TRANSPORT_JSONRPC, "", key, &t, NULL, 0);
    assert_non_null(strstr(t.text, "execute_kw"));
    assert_null(strstr(t.text, key));
    free(t.text);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_trace_masks_cookie_and_password),
        cmocka_unit_test(test_jsonrpc_trace_masks_api_key),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
