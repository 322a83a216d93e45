// SPDX-License-Identifier: MIT
/*
 * The JSON decoder of Odoo's answers (src/util/json_parse.c) against jansson's
 * json_loadb, the reference it replaces: the same inputs are accepted or
 * refused by both, and what is accepted decodes to equal values. Hand-picked
 * edge cases, then seeded random documents (dumped by jansson in several
 * styles) and seeded random mutations of them. tests/fuzz/fuzz_json_parse.c
 * does the same comparison under libFuzzer.
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* Both decoders on the same bytes; fails the test when they disagree. */
static int agree(const char *buf, size_t len, int any)
{
    json_error_t jerr;
    odoo__json_error oerr;
    json_t *ref, *got = NULL;
    int rc = odoo__json_parse(buf, len, any, &got, &oerr);
    if (rc == ODOO__JSON_NOMEM)
        fail_msg("out of memory?");
    if (memchr(buf, '\0', len)) {
        /* a NUL byte is never valid JSON; jansson takes it for the end of
         * the input after a number or a literal ("[1\0]" is [1] for it) */
        if (rc == 0)
            fail_msg("accepted a NUL byte: %.*s", (int)len, buf);
        assert_true(oerr.text[0] != '\0' && oerr.position <= len);
        return 0;
    }
    ref = json_loadb(buf, len, any ? JSON_DECODE_ANY : 0, &jerr);
    if ((ref != NULL) != (rc == 0))
        fail_msg("disagree on %.*s (any=%d): jansson %s, libodoo %s", (int)(len > 200 ? 200 : len),
                 buf, any, ref ? "accepts" : jerr.text, rc == 0 ? "accepts" : oerr.text);
    if (ref && !json_equal(ref, got)) {
        char *a = json_dumps(ref, JSON_ENCODE_ANY), *b = json_dumps(got, JSON_ENCODE_ANY);
        fail_msg("different values for %.*s: jansson %s, libodoo %s", (int)(len > 200 ? 200 : len),
                 buf, a, b);
    }
    if (rc)
        assert_true(oerr.text[0] != '\0' && oerr.position <= len);
    json_decref(ref);
    json_decref(got);
    return rc == 0;
}

static int agree_str(const char *s)
{
    int r = agree(s, strlen(s), 1);
    agree(s, strlen(s), 0);
    return r;
}

static void test_edge_cases(void **state)
{
    static const char *const accepted[] = {
        "{}", "[]", " [ ] ", "{\"a\":1}", "[1,2,3]", "\"x\"", "0", "-0", "1", "-1",
        "true", "false", "null", "[true,false,null]", "9223372036854775807",
        "-9223372036854775808", "1.5", "-1.5", "1e5", "1E5", "1e+5", "1e-5", "0.1", "0.30000000000000004",
        "1.7976931348623157e308", "5e-324", "4.9e-324", "2.2250738585072014e-308", "1e-400",
        "123456789012345678901234567890.5", "0.000000000000000000000000000001",
        "1234567890123456.7", "123456789012345.67", "9007199254740993.0", "1e22", "1e23",
        "3.14159265358979323846264338327950288", "-0.0", "0e0", "0e999999999999",
        "\"\\u00e9\\u20ac\\ud83d\\ude00\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"caf\xc3\xa9\"",
        "\"\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"",
        "{\"a\":1,\"a\":2}", "{\"\\u00e9t\\u00e9\":\"summer\",\"k\":\"\\n\"}",
        "[[[[[[[[[[1]]]]]]]]]]", "{\"a\":{\"b\":{\"c\":[{},[],\"\"]}}}", "\t\r\n [1] \t\r\n",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"id\":7,\"partner_id\":[3,\"Deco Addict\"],"
        "\"amount_total\":1740.0,\"note\":false}]}",
    };
    static const char *const refused[] = {
        "", " ", "[", "]", "{", "}", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}",
        "01", "-01", "00", "1.", ".5", "+1", "-", "1e", "1e+", "1.e5", "NaN", "Infinity", "-Infinity",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1e400", "-1e400",
        "tru", "nul", "falsey", "[1] x", "[1][2]", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u00G0\"",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
        "\"a\x01\"", "\"\x7f\"x", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"", "\"\xf8\x88\x80\x80\x80\"", "\"\x80\"", "\"\xc3\"", "\"\xe2\x82\"",
        "[\"a\" \"b\"]", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "\xef\xbb\xbf[]", 
        "'a'", "[0x10]", "[1.0e]", "{\"a\":1}}", "[]]", "{\"\\u0000\":1}",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
        if (!agree_str(accepted[i]))
            fail_msg("refused: %s", accepted[i]);
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (agree(refused[i], strlen(refused[i]), 1))
            fail_msg("accepted: %s", refused[i]);
    /* a NUL byte inside the buffer (strlen would stop at it) */
    assert_false(agree("[1,\0 2]", 7, 1));
    assert_false(agree("\"a\0b\"", 5, 1));
    assert_false(agree("[1]\0", 4, 1));
    assert_false(agree("[true\0]", 7, 1)); /* jansson: [true] */
}

static void test_top_level_and_positions(void **state)
{
    json_t *v = NULL;
    odoo__json_error e;
    (void)state;
    /* without "any", only an object or an array */
    assert_int_equal(odoo__json_parse("1", 1, 0, &v, &e), ODOO__JSON_SYNTAX);
    assert_null(v);
    assert_int_equal(odoo__json_parse("1", 1, 1, &v, &e), 0);
    assert_int_equal(json_integer_value(v), 1);
    json_decref(v);
    assert_int_equal(odoo__json_parse("[1,2,]", 6, 0, &v, &e), ODOO__JSON_SYNTAX);
    assert_int_equal(e.position, 5);
    assert_int_equal(odoo__json_parse("{\"a\":1} x", 9, 0, &v, &e), ODOO__JSON_SYNTAX);
    assert_int_equal(e.position, 8);
    assert_non_null(strstr(e.text, "end of input"));
    assert_int_equal(odoo__json_parse("[\"ab", 4, 0, &v, &e), ODOO__JSON_SYNTAX);
    assert_int_equal(e.position, 4);
    /* NULL error and NULL buffer are accepted */
    assert_int_equal(odoo__json_parse(NULL, 0, 1, &v, NULL), ODOO__JSON_SYNTAX);
    /* not NUL-terminated: the parser must stop at len */
    assert_int_equal(odoo__json_parse("[12]3", 4, 0, &v, &e), 0);
    assert_int_equal(json_integer_value(json_array_get(v, 0)), 12);
    json_decref(v);
    assert_int_equal(odoo__json_parse("[123", 3, 0, &v, &e), ODOO__JSON_SYNTAX);
    /* a repeated key: the last wins, as in json_loadb; refused with
     * ODOO__JSON_REJECT_DUPLICATES (secrets), without quoting the key */
    assert_int_equal(odoo__json_parse("{\"k\":1,\"k\":2}", 13, 0, &v, &e), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "k")), 2);
    json_decref(v);
    v = NULL;
    assert_int_equal(odoo__json_parse("{\"q\":1,\"q\":2}", 13, ODOO__JSON_REJECT_DUPLICATES, &v,
                                      &e),
                     ODOO__JSON_SYNTAX);
    assert_null(v);
    assert_non_null(strstr(e.text, "duplicate"));
    assert_null(strstr(e.text, "q"));
    assert_int_equal(odoo__json_parse("{\"k\":{\"k\":1},\"j\":[{\"k\":2}]}", 27,
                                      ODOO__JSON_REJECT_DUPLICATES, &v, &e),
                     0);
    json_decref(v);
}

static void test_depth(void **state)
{
    /* jansson refuses a value nested deeper than 2048 levels; so must we, at
     * the same level (the innermost scalar counts) */
    size_t n;
    (void)state;
    for (n = 2046; n <= 2050; n++) {
        size_t i, len = 2 * n + 1;
        char *s = malloc(len + 1);
        assert_non_null(s);
        for (i = 0; i < n; i++) {
            s[i] = '[';
            s[n + 1 + i] = ']';
        }
        s[n] = '1';
        s[len] = '\0';
        agree(s, len, 0);
        free(s);
    }
}

static void test_reals_match_strtod(void **state)
{
    /* the fast path (exact mantissa x exact power of ten) and strtod agree */
    unsigned x = 12345;
    int i;
    (void)state;
    for (i = 0; i < 20000; i++) {
        char s[64];
        json_t *v = NULL;
        unsigned long long m;
        int e;
        x = x * 1103515245u + 12345u;
        m = ((unsigned long long)x << 20) ^ (x >> 3);
        m %= i % 3 == 0 ? 1000000000000000ULL : i % 3 == 1 ? 100000ULL : 100000000000000000ULL;
        e = (int)(x % 61) - 30;
        snprintf(s, sizeof(s), "%s%llue%d", x & 1 ? "-" : "", m, e);
        assert_int_equal(odoo__json_parse(s, strlen(s), 1, &v, NULL), 0);
        if (json_real_value(v) != strtod(s, NULL))
            fail_msg("%s: %.17g != %.17g", s, json_real_value(v), strtod(s, NULL));
        json_decref(v);
        snprintf(s, sizeof(s), "%llu.%0*d", m, (int)(x % 9) + 1, (int)(x % 7));
        agree(s, strlen(s), 1);
    }
}

static void test_locale_decimal_point(void **state)
{
    /* the slow path swaps '.' for the locale's decimal point, as jansson does */
    const char *loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");
    json_t *v = NULL;
    (void)state;
    if (!loc)
        loc = setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    if (!loc)
        skip();
    assert_int_equal(odoo__json_parse("[3.14159265358979323846, 2.5]", 29, 0, &v, NULL), 0);
    assert_true(fabs(json_real_value(json_array_get(v, 0)) - 3.14159265358979) < 1e-12);
    assert_true(json_real_value(json_array_get(v, 1)) == 2.5);
    json_decref(v);
    setlocale(LC_NUMERIC, "C");
}

/* ---- random documents --------------------------------------------------- */

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static json_t *random_string(void)
{
    static const char *const pieces[] = {"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01",
                                         "\x1f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                         "S00042", "Deco Addict", "\xef\xbf\xbd", "'", "<p>"};
    char buf[256];
    size_t len = 0, n = rnd(12), i;
    for (i = 0; i < n; i++) {
        const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
        size_t pl = strlen(p);
        if (len + pl >= sizeof(buf))
            break;
        memcpy(buf + len, p, pl);
        len += pl;
    }
    return json_stringn(buf, len);
}

static json_t *random_value(int depth)
{
    unsigned k = rnd(depth > 4 ? 7 : 9);
    switch (k) {
    case 0: return json_null();
    case 1: return json_boolean(rnd(2));
    case 2: {
        long long v = (long long)rnd(2000000) - 1000000;
        if (rnd(10) == 0)
            v = rnd(2) ? INT64_MAX - (long long)rnd(3) : INT64_MIN + (long long)rnd(3);
        return json_integer(v);
    }
    case 3: {
        double d = ((double)rnd(100000000) - 5e7) / (double)(1u << rnd(20));
        if (rnd(8) == 0)
            d = ldexp((double)rnd(1000000) + 1, (int)rnd(2000) - 1000);
        return json_real(d);
    }
    case 4:
    case 5:
    case 6: return random_string();
    case 7: {
        json_t *a = json_array();
        unsigned n = rnd(6), i;
        for (i = 0; i < n; i++)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        unsigned n = rnd(6), i;
        for (i = 0; i < n; i++) {
            json_t *key = random_string();
            json_object_set_new(o, json_string_value(key), random_value(depth + 1));
            json_decref(key);
        }
        return o;
    }
    }
}

static void test_random_documents(void **state)
{
    static const size_t styles[] = {JSON_COMPACT, 0, JSON_INDENT(2), JSON_ENSURE_ASCII,
                                    JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_ENSURE_ASCII,
                                    JSON_REAL_PRECISION(17) | JSON_COMPACT};
    int i;
    (void)state;
    for (i = 0; i < 4000; i++) {
        json_t *doc = json_array(), *got = NULL;
        char *text;
        size_t len, j;
        json_array_append_new(doc, random_value(0));
        text = json_dumps(doc, styles[i % 6]);
        assert_non_null(text);
        len = strlen(text);
        assert_int_equal(odoo__json_parse(text, len, 0, &got, NULL), 0);
        if (!json_equal(doc, got))
            fail_msg("round trip differs: %s", text);
        json_decref(got);
        /* mutations: a byte changed, a cut, a byte inserted */
        for (j = 0; j < 6 && len > 0; j++) {
            char *m = malloc(len + 2);
            size_t pos = rnd((unsigned)len), mlen = len;
            static const char bytes[] = "[]{}\",:\\ 0-1e.tfnu\x80\xc3\xff\x00";
            assert_non_null(m);
            memcpy(m, text, len + 1);
            switch (rnd(3)) {
            case 0: m[pos] = bytes[rnd(sizeof(bytes) - 1)]; break;
            case 1: mlen = pos; break;
            default:
                memmove(m + pos + 1, m + pos, len - pos + 1);
                m[pos] = bytes[rnd(sizeof(bytes) - 1)];
                mlen = len + 1;
                break;
            }
            agree(m, mlen, (int)(j & 1));
            free(m);
        }
        free(text);
        json_decref(doc);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_top_level_and_positions),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_reals_match_strtod),
        cmocka_unit_test(test_locale_decimal_point),
        cmocka_unit_test(test_random_documents),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
