// SPDX-License-Identifier: MIT
/* Unit tests of the internal helpers: URLs, names, HTML summaries, buffers,
 * content types, the error tables and the exception mapping. */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static void expect_url(const char *in, const char *want)
{
    odoo_error err;
    char *out = NULL;
    odoo__error_init(&err);
    if (want) {
        assert_int_equal(odoo__url_normalize(&err, in, &out), ODOO_OK);
        assert_string_equal(out, want);
    } else {
        assert_int_equal(odoo__url_normalize(&err, in, &out), ODOO_EINVAL);
        assert_null(out);
        assert_true(odoo_error_message(&err)[0] != '\0');
    }
    free(out);
    odoo__error_clear(&err);
}

static void test_url_normalize(void **state)
{
    (void)state;
    expect_url("http://127.0.0.1:8069", "http://127.0.0.1:8069");
    expect_url("https://acme.odoo.com/", "https://acme.odoo.com");
    expect_url("HTTPS://acme.odoo.com///", "HTTPS://acme.odoo.com");
    expect_url("https://example.com/odoo/", "https://example.com/odoo");
    expect_url(NULL, NULL);
    expect_url("", NULL);
    expect_url("ftp://example.com", NULL);
    expect_url("acme.odoo.com", NULL);
    expect_url("http://", NULL);
    expect_url("https://admin:secret@acme.odoo.com", NULL);
    expect_url("https://acme.odoo.com/?db=x", NULL);
    expect_url("https://acme.odoo.com/#x", NULL);
    expect_url("https://acme .odoo.com", NULL);
    /* read by libcurl's URL parser, the one that sends the requests */
    expect_url("http://[::1]:8069/", "http://[::1]:8069");
    expect_url("http://acme.odoo.com:99999", NULL);
    expect_url("http://acme.odoo.com:port", NULL);
    expect_url("http:///web", NULL);
}

static void test_url_join(void **state)
{
    char *s;
    (void)state;
    s = odoo__url_join("http://h:1", "/web/dataset/call_kw/sale.order/read");
    assert_string_equal(s, "http://h:1/web/dataset/call_kw/sale.order/read");
    free(s);
}

static void test_url_credentials_not_echoed(void **state)
{
    odoo_error err;
    char *out = NULL;
    (void)state;
    odoo__error_init(&err);
    assert_int_equal(odoo__url_normalize(&err, "https://u:TopSecret@h", &out), ODOO_EINVAL);
    assert_null(strstr(odoo_error_message(&err), "TopSecret"));
    odoo__error_clear(&err);
}

static void test_names(void **state)
{
    (void)state;
    assert_true(odoo__valid_model_name("sale.order"));
    assert_true(odoo__valid_model_name("x_custom_model.line2"));
    assert_false(odoo__valid_model_name(""));
    assert_false(odoo__valid_model_name(NULL));
    assert_false(odoo__valid_model_name("sale/order"));
    assert_false(odoo__valid_model_name("sale.order?x=1"));
    assert_false(odoo__valid_model_name("sale order"));
    assert_true(odoo__valid_method_name("search_read"));
    assert_false(odoo__valid_method_name("search.read"));
    assert_false(odoo__valid_method_name("../x"));
}

static void test_content_type(void **state)
{
    (void)state;
    assert_true(odoo__content_type_is_json("application/json; charset=utf-8"));
    assert_true(odoo__content_type_is_json("application/json"));
    assert_true(odoo__content_type_is_json("Application/JSON;charset=UTF-8"));
    assert_true(odoo__content_type_is_json("application/json-rpc"));
    assert_false(odoo__content_type_is_json("text/html; charset=utf-8"));
    assert_false(odoo__content_type_is_json("text/html;charset=utf-8"));
    assert_false(odoo__content_type_is_json("application/jsonx"));
    assert_false(odoo__content_type_is_json(NULL));
    assert_false(odoo__content_type_is_json(""));
}

static void summary_is(const char *html, const char *want)
{
    char out[256];
    odoo__html_summary(html, strlen(html), out, sizeof(out));
    assert_string_equal(out, want);
}

static void test_html_summary(void **state)
{
    char small[8];
    (void)state;
    summary_is("<html><head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
               "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
               "</body>\r\n</html>\r\n",
               "502 Bad Gateway");
    summary_is("<!doctype html>\n<title>Redirecting...</title>\n<p>Go to <a href=\"/odoo\">"
               "/odoo</a>. If not, click the link.\n",
               "Redirecting...: Go to /odoo . If not, click the link.");
    summary_is("Invalid JSON data", "Invalid JSON data");
    summary_is("  many\n\n  spaces\t here ", "many spaces here");
    summary_is("<p>a &amp; b &lt;c&gt; &#39;d&#39; &quot;e&quot;</p>",
               "a & b <c> 'd' \"e\"");
    summary_is("", "");
    /* cut at a character boundary, never in the middle of UTF-8 */
    odoo__html_summary("ab\xc3\xa9\xc3\xa9\xc3\xa9", 8, small, sizeof(small));
    assert_string_equal(small, "ab\xc3\xa9\xc3\xa9");
    odoo__html_summary("abc\xc3\xa9zzzz", 9, small, 5);
    assert_string_equal(small, "abc");
    /* control characters are folded */
    summary_is("a\x01\x02" "b", "a b");
    /* an unterminated tag stops the text, nothing is read past the end */
    summary_is("<p>text <b", "text");
}

static void test_buffer(void **state)
{
    odoo__buf b = {0};
    json_t *j;
    size_t i;
    (void)state;
    for (i = 0; i < 10000; i++)
        assert_int_equal(odoo__buf_append(&b, "0123456789", 10), ODOO_OK);
    assert_int_equal(b.len, 100000);
    assert_int_equal(b.data[b.len], '\0');
    odoo__buf_clear_secret(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.data[0], '\0');
    j = json_pack("{s:s, s:[i, f, b, n]}", "name", "Zo\xc3\xab", "v", 1, 10.0, 1);
    assert_int_equal(odoo__buf_set_json(&b, j), ODOO_OK);
    assert_string_equal(b.data, "{\"name\":\"Zo\xc3\xab\",\"v\":[1,10.0,true,null]}");
    json_decref(j);
    odoo__buf_dispose(&b);
    assert_null(b.data);
    /* overflow is refused, not wrapped */
    b.len = SIZE_MAX - 4;
    assert_int_equal(odoo__buf_reserve(&b, 16), ODOO_ENOMEM);
}

static void test_error_tables(void **state)
{
    int code;
    (void)state;
    for (code = ODOO_OK; code >= ODOO_ETOOBIG; code--) {
        assert_string_not_equal(odoo_strerror(code), "unknown error");
        assert_string_not_equal(odoo_error_name(code), "ODOO_UNKNOWN");
        assert_int_equal(strncmp(odoo_error_name(code), "ODOO_", 5), 0);
    }
    assert_string_equal(odoo_strerror(ODOO_ETOOBIG - 1), "unknown error");
    assert_string_equal(odoo_error_name(ODOO_ETOOBIG), "ODOO_ETOOBIG");
    assert_string_equal(odoo_strerror(1), "unknown error");
    assert_string_equal(odoo_error_name(ODOO_EACCESS), "ODOO_EACCESS");
    /* NULL error detail is harmless */
    assert_int_equal(odoo_error_get_code(NULL), ODOO_OK);
    assert_string_equal(odoo_error_message(NULL), "");
    assert_string_equal(odoo_error_class(NULL), "");
    assert_string_equal(odoo_error_debug(NULL), "");
    assert_int_equal(odoo_error_http_status(NULL), 0);
    assert_int_equal(odoo_error_rpc_code(NULL), -1);
    assert_int_equal(odoo_error_retryable(NULL), 0);
}

static void test_exception_mapping(void **state)
{
    (void)state;
    assert_int_equal(odoo__map_exception("odoo.exceptions.AccessDenied", 200, "x"), ODOO_EAUTH);
    assert_int_equal(odoo__map_exception("odoo.exceptions.AccessDenied", 0, "x"), ODOO_EAUTH);
    assert_int_equal(odoo__map_exception("odoo.exceptions.AccessError", 200, "x"),
                     ODOO_EACCESS);
    assert_int_equal(odoo__map_exception("odoo.exceptions.ValidationError", 200, "x"),
                     ODOO_EVALIDATION);
    assert_int_equal(odoo__map_exception("odoo.exceptions.MissingError", 200, "x"),
                     ODOO_EMISSING);
    assert_int_equal(odoo__map_exception("odoo.exceptions.UserError", 200, "x"), ODOO_EUSER);
    assert_int_equal(odoo__map_exception("odoo.exceptions.UserError", 200,
                                         "Object no.such.model doesn't exist"),
                     ODOO_ENOTFOUND);
    assert_int_equal(odoo__map_exception("odoo.http.SessionExpiredException", 100, "x"),
                     ODOO_ESESSION);
    /* the code alone decides for 100 and 404 */
    assert_int_equal(odoo__map_exception(NULL, 100, NULL), ODOO_ESESSION);
    assert_int_equal(odoo__map_exception("werkzeug.exceptions.NotFound", 404, "x"),
                     ODOO_ENOTFOUND);
    assert_int_equal(odoo__map_exception("builtins.AttributeError", 200,
                                         "The method 'nope' does not exist on the model 'x'"),
                     ODOO_ENOTFOUND);
    /* Odoo 19's words, with its code 0 */
    assert_int_equal(odoo__map_exception("builtins.AttributeError", 0,
                                         "The method 'res.partner.nope' does not exist"),
                     ODOO_ENOTFOUND);
    assert_int_equal(odoo__map_exception("builtins.AttributeError", 200, "other"),
                     ODOO_ESERVER);
    assert_int_equal(odoo__map_exception("builtins.ValueError", 200, "x"), ODOO_ESERVER);
    assert_int_equal(odoo__map_exception("", 200, ""), ODOO_ESERVER);
}

static void test_error_set_retryable(void **state)
{
    odoo_error e;
    (void)state;
    odoo__error_init(&e);
    odoo__error_set(&e, ODOO_EHTTP, 503, "HTTP %d", 503);
    assert_true(odoo_error_retryable(&e));
    assert_string_equal(odoo_error_message(&e), "HTTP 503");
    odoo__error_set(&e, ODOO_EHTTP, 404, "HTTP %d", 404);
    assert_false(odoo_error_retryable(&e));
    odoo__error_set(&e, ODOO_ETIMEOUT, 0, "t");
    assert_true(odoo_error_retryable(&e));
    odoo__error_set(&e, ODOO_EACCESS, 200, "a");
    assert_false(odoo_error_retryable(&e));
    odoo__error_clear(&e);
    assert_int_equal(odoo_error_get_code(&e), ODOO_OK);
}

/* The parser on answers that never came from Odoo. */
static void expect_parse(long status, const char *ct, const char *body, int want)
{
    odoo_error e;
    json_t *r = NULL;
    odoo__error_init(&e);
    assert_int_equal(odoo__rpc_parse_response(&e, status, ct, body, strlen(body), &r), want);
    if (want == ODOO_OK)
        assert_non_null(r);
    else
        assert_null(r);
    json_decref(r);
    odoo__error_clear(&e);
}

static void test_parse_bad_answers(void **state)
{
    const char *ct = "application/json; charset=utf-8";
    (void)state;
    expect_parse(200, ct, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": [1, 2]}", ODOO_OK);
    expect_parse(200, ct, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"res", ODOO_EPROTOCOL);
    expect_parse(200, ct, "", ODOO_EPROTOCOL);
    expect_parse(200, ct, "[1, 2]", ODOO_EPROTOCOL);
    expect_parse(200, ct, "{\"result\": 1}", ODOO_EPROTOCOL);
    expect_parse(200, ct, "{\"jsonrpc\": \"1.0\", \"result\": 1}", ODOO_EPROTOCOL);
    expect_parse(200, ct, "{\"jsonrpc\": \"2.0\", \"error\": \"boom\"}", ODOO_EPROTOCOL);
    expect_parse(200, ct, "{\"jsonrpc\": \"2.0\", \"error\": {}}", ODOO_ESERVER);
    expect_parse(200, ct, "{\"jsonrpc\": \"2.0\", \"result\": 1} trailing", ODOO_EPROTOCOL);
    expect_parse(200, NULL, "{\"jsonrpc\": \"2.0\", \"result\": 1}", ODOO_EHTTP);
    expect_parse(200, "text/html", "<html>login</html>", ODOO_EHTTP);
    expect_parse(502, "text/html", "<html><title>502 Bad Gateway</title></html>", ODOO_EHTTP);
    expect_parse(500, ct, "{\"message\": \"Internal server error\"}", ODOO_EHTTP);
    expect_parse(503, ct, "not json", ODOO_EHTTP);
}

static void test_redact(void **state)
{
    char *secrets[3] = {"pa\"ss\\w0rd", "pa\\\"ss\\\\w0rd", "KEY123"};
    const char *in =
        "> POST /web/session/authenticate HTTP/1.1\r\n"
        "Cookie: session_id=AbC-123_xyz; frontend_lang=en_US\r\n"
        "Authorization: bearer KEY123\r\n"
        "\r\n"
        "{\"login\":\"me\",\"password\":\"pa\\\"ss\\\\w0rd\",\"k\":\"xKEY123y\"}\n"
        "< Set-Cookie: session_id=QQQ; Path=/\n"
        "Set-Cookie: session_id=RRR_rr-9; HttpOnly\n"
        "* Added cookie session_id=\"SSS-ss\" for domain 127.0.0.1\n";
    size_t n = 0;
    char *out;
    (void)state;
    out = odoo__redact(in, strlen(in), secrets, 3, &n);
    assert_non_null(out);
    assert_int_equal(n, strlen(out));
    assert_null(strstr(out, "AbC-123_xyz"));
    assert_null(strstr(out, "KEY123"));
    assert_null(strstr(out, "w0rd"));
    assert_null(strstr(out, "RRR_rr-9"));
    assert_null(strstr(out, "SSS-ss"));
    assert_non_null(strstr(out, "Cookie: ***\r\n"));
    assert_non_null(strstr(out, "Authorization: ***\r\n"));
    assert_non_null(strstr(out, "Set-Cookie: ***\n"));
    assert_non_null(strstr(out, "\"password\":\"***\""));
    assert_non_null(strstr(out, "\"k\":\"x***y\""));
    assert_non_null(strstr(out, "session_id=\"***\""));
    assert_non_null(strstr(out, "POST /web/session/authenticate"));
    free(out);
    /* nothing to hide: unchanged */
    out = odoo__redact("plain text", 10, NULL, 0, &n);
    assert_string_equal(out, "plain text");
    free(out);
}

static void test_read_only_methods(void **state)
{
    (void)state;
    assert_true(odoo__method_is_read_only("search_read"));
    assert_true(odoo__method_is_read_only("read"));
    assert_true(odoo__method_is_read_only("fields_get"));
    assert_false(odoo__method_is_read_only("write"));
    assert_false(odoo__method_is_read_only("create"));
    assert_false(odoo__method_is_read_only("unlink"));
    assert_false(odoo__method_is_read_only("action_confirm"));
}

static void test_json2_parse(void **state)
{
    odoo_error e;
    json_t *r = NULL;
    const char *ct = "application/json; charset=utf-8";
    const char *err401 = "{\"name\": \"werkzeug.exceptions.Unauthorized\", \"message\": "
                         "\"Invalid apikey\", \"arguments\": [], \"context\": {}, \"debug\": \"\"}";
    (void)state;
    odoo__error_init(&e);
    assert_int_equal(odoo__json2_parse_response(&e, 200, ct, "42", 2, &r), ODOO_OK);
    assert_int_equal(json_integer_value(r), 42);
    json_decref(r);
    assert_int_equal(odoo__json2_parse_response(&e, 200, ct, "[{\"id\": 1}]", 11, &r), ODOO_OK);
    json_decref(r);
    assert_int_equal(odoo__json2_parse_response(&e, 401, ct, err401, strlen(err401), &r),
                     ODOO_EAUTH);
    assert_null(r);
    assert_string_equal(odoo_error_class(&e), "werkzeug.exceptions.Unauthorized");
    assert_string_equal(odoo_error_message(&e), "Invalid apikey");
    assert_int_equal(odoo_error_http_status(&e), 401);
    assert_int_equal(odoo__json2_parse_response(&e, 200, ct, "[1, ", 4, &r), ODOO_EPROTOCOL);
    assert_int_equal(odoo__json2_parse_response(&e, 415, "text/html", "<p>x</p>", 8, &r),
                     ODOO_EHTTP);
    assert_int_equal(odoo__json2_parse_response(&e, 502, ct, "[]", 2, &r), ODOO_EHTTP);
    assert_true(odoo_error_retryable(&e));
    odoo__error_clear(&e);
}

/* Bug 5 (issue 14): reals are printed in their shortest round-trip form by
 * every JSON text the library writes (odoo__buf_set_json*, odoo_json_dumps),
 * not jansson's 17 digits. */
static void check_real_text(double v, const char *want)
{
    json_t *j = json_real(v), *back;
    odoo__buf b = {0};
    char *s, tmp[40];
    json_error_t jerr;
    double got;
    size_t ndig = 0;
    const char *q;
    int p;

    assert_non_null(j);
    s = odoo_json_dumps(j, JSON_COMPACT);
    assert_non_null(s);
    if (want)
        assert_string_equal(s, want);
    /* reads back as the very same double (sign of zero included), as a real */
    back = json_loads(s, JSON_DECODE_ANY, &jerr);
    assert_non_null(back);
    assert_true(json_is_real(back));
    got = json_real_value(back);
    assert_memory_equal(&got, &v, sizeof(double));
    /* no more significant digits than the shortest %.{p}g that reads back */
    for (p = 1; p < 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*g", p, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    for (q = s; *q && *q != 'e'; q++)
        if (*q >= '1' && *q <= '9')
            ndig = (size_t)(q - s) + 1; /* up to the last non-zero digit */
    for (q = s; *q == '-' || *q == '0' || *q == '.'; q++)
        ;
    if (ndig) {
        size_t sig = 0;
        const char *r;
        for (r = q; r < s + ndig; r++)
            sig += *r >= '0' && *r <= '9';
        assert_true(sig <= (size_t)p);
    }
    assert_int_equal(odoo__buf_set_json(&b, j), ODOO_OK);
    assert_string_equal(b.data, s);
    odoo__buf_dispose(&b);
    json_decref(back);
    odoo_free(s);
    json_decref(j);
}

static void test_json_shortest_reals(void **state)
{
    json_t *doc;
    char *s;
    odoo__buf b = {0};
    unsigned long long x = 88172645463325252ULL;
    int i;
    (void)state;
    check_real_text(0.1, "0.1");
    check_real_text(615.84, "615.84");
    check_real_text(-615.84, "-615.84");
    check_real_text(100.0, "100.0");
    check_real_text(1e21, "1e+21");
    check_real_text(1e16, "1e+16");
    check_real_text(1e15, "1000000000000000.0");
    check_real_text(1.5e-5, "1.5e-05");
    check_real_text(0.0001, "0.0001");
    check_real_text(5e-324, "5e-324");
    check_real_text(2.2250738585072014e-308, "2.2250738585072014e-308");
    check_real_text(1.7976931348623157e308, "1.7976931348623157e+308");
    check_real_text(-0.0, "-0.0");
    check_real_text(0.0, "0.0");
    check_real_text(0.1 + 0.2, "0.30000000000000004"); /* 17 digits needed */
    check_real_text(9007199254740993.0, "9007199254740992.0"); /* 2^53+1 is 2^53 */
    check_real_text(9007199254740994.0, "9007199254740994.0");
    check_real_text(123456789012345680.0, "1.2345678901234568e+17");
    check_real_text(1.0 / 3.0, "0.3333333333333333");
    check_real_text(2.0 / 3.0, "0.6666666666666666");
    check_real_text(5e-310, "5e-310"); /* subnormal */
    check_real_text(4.35, "4.35");
    /* random doubles: each reads back, none longer than needed */
    for (i = 0; i < 5000; i++) {
        double d;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(&d, &x, sizeof(d));
        if (isfinite(d))
            check_real_text(d, NULL);
    }
    /* in documents: strings that look like numbers are left alone, integers
     * too, jansson's other flags still apply, JSON_REAL_PRECISION is ignored */
    doc = json_pack("{s:f, s:s, s:I, s:[f, f, s], s:{s:f}}", "price", 615.84, "text",
                    "615.84000000000003 1.0", "big", (json_int_t)9007199254740993LL, "list",
                    0.1, -1e-7, "\"0.1\\", "nested", "x", 2.5);
    assert_non_null(doc);
    s = odoo_json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(3));
    assert_string_equal(s, "{\"big\":9007199254740993,\"list\":[0.1,-1e-07,\"\\\"0.1\\\\\"],"
                           "\"nested\":{\"x\":2.5},\"price\":615.84,"
                           "\"text\":\"615.84000000000003 1.0\"}");
    odoo_free(s);
    s = odoo_json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    assert_non_null(strstr(s, "\"price\": 615.84,\n"));
    assert_non_null(strstr(s, "    0.1,\n"));
    odoo_free(s);
    assert_int_equal(odoo__buf_set_json_flags(&b, doc, JSON_COMPACT | JSON_SORT_KEYS), ODOO_OK);
    assert_non_null(strstr(b.data, "\"price\":615.84,"));
    odoo__buf_dispose(&b);
    json_decref(doc);
    assert_null(odoo_json_dumps(NULL, 0));
}

/* The locale's decimal point changes nothing (a binding's host may set
 * LC_NUMERIC, e.g. de_DE: "615,84"). Skipped when no such locale exists. */
static void test_json_shortest_reals_locale(void **state)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                        "fr_FR.utf8", NULL};
    int i;
    (void)state;
    for (i = 0; names[i]; i++)
        if (setlocale(LC_NUMERIC, names[i]))
            break;
    if (!names[i])
        skip();
    check_real_text(615.84, "615.84");
    check_real_text(1e21, "1e+21");
    check_real_text(0.1 + 0.2, "0.30000000000000004");
    setlocale(LC_NUMERIC, "C");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_normalize),
        cmocka_unit_test(test_url_join),
        cmocka_unit_test(test_url_credentials_not_echoed),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_html_summary),
        cmocka_unit_test(test_buffer),
        cmocka_unit_test(test_error_tables),
        cmocka_unit_test(test_exception_mapping),
        cmocka_unit_test(test_error_set_retryable),
        cmocka_unit_test(test_parse_bad_answers),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_read_only_methods),
        cmocka_unit_test(test_json2_parse),
        cmocka_unit_test(test_json_shortest_reals),
        cmocka_unit_test(test_json_shortest_reals_locale),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
