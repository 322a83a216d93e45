// SPDX-License-Identifier: MIT
/* Sinks and AWS without servers: the JSON <-> DynamoDB mapping of every JSON
 * type, number formatting, item sizes, SigV4 against AWS's and botocore's
 * signatures, the credentials chain and profile files (temporary files and
 * environment), region and endpoint resolution, session options from secret
 * JSON, the AWS error mapping, and a custom sink through odoo_sink_ops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sink_internal.h"
#include "aws_internal.h"
#include "sinks_test.h"

/* Every AWS variable the chain or the resolution reads: cleared before each test. */
static const char *const aws_vars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", NULL};

static char *tmp_dir;

static int setup(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; aws_vars[i]; i++)
        unsetenv(aws_vars[i]);
    tmp_dir = st_tmpdir();
    /* no ~/.aws of the machine: files that do not exist unless a test writes them */
    {
        char *c = st_path(tmp_dir, "config"), *k = st_path(tmp_dir, "credentials");
        setenv("AWS_CONFIG_FILE", c, 1);
        setenv("AWS_SHARED_CREDENTIALS_FILE", k, 1);
        free(c);
        free(k);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    st_rmdir(tmp_dir);
    free(tmp_dir);
    tmp_dir = NULL;
    return 0;
}

/* ---- numbers ------------------------------------------------------------------ */

static void check_repr(double v, const char *want)
{
    char buf[64];
    odoo__real_repr(v, buf, sizeof(buf));
    if (strcmp(buf, want) != 0)
        fail_msg("repr(%.17g) = %s, want %s", v, buf, want);
}

static void check_decimal(double v, const char *want)
{
    char buf[200];
    assert_int_equal(odoo__real_decimal(v, buf, sizeof(buf)), ODOO_OK);
    if (strcmp(buf, want) != 0)
        fail_msg("decimal(%.17g) = %s, want %s", v, buf, want);
}

static void test_real_repr_like_python(void **state)
{
    (void)state;
    check_repr(0.1, "0.1");
    check_repr(100.0, "100.0");
    check_repr(1.0, "1.0");
    check_repr(-2.5, "-2.5");
    check_repr(0.0, "0.0");
    check_repr(-0.0, "-0.0");
    check_repr(123.456, "123.456");
    check_repr(0.1 + 0.2, "0.30000000000000004");
    check_repr(1e16, "1e+16");
    check_repr(1234567890123456.0, "1234567890123456.0");
    check_repr(1.5e-5, "1.5e-05");
    check_repr(0.0001, "0.0001");
    check_repr(1e22, "1e+22");
    check_repr(1e100, "1e+100");
    check_repr(5e-324, "5e-324");
    check_repr(1.7976931348623157e308, "1.7976931348623157e+308");
    check_repr(19.99, "19.99");
}

static void test_real_decimal_for_dynamodb(void **state)
{
    char buf[200];
    (void)state;
    check_decimal(0.1, "0.1");
    check_decimal(100.0, "100");
    check_decimal(-2.5, "-2.5");
    check_decimal(0.0, "0");
    check_decimal(-0.0, "0");
    check_decimal(1e16, "10000000000000000");
    check_decimal(1.5e-5, "0.000015");
    check_decimal(0.1 + 0.2, "0.30000000000000004");
    check_decimal(123456.789, "123456.789");
    check_decimal(1e-130, "0.0000000000000000000000000000000000000000000000000000000000000000"
                          "000000000000000000000000000000000000000000000000000000000000000001");
    assert_int_equal(odoo__real_decimal(1e126, buf, sizeof(buf)), ODOO_EINVAL);
    assert_int_equal(odoo__real_decimal(1e-131, buf, sizeof(buf)), ODOO_EINVAL);
    assert_int_equal(odoo__real_decimal(1.7976931348623157e308, buf, sizeof(buf)), ODOO_EINVAL);
}

/* The shortest digits found from 15 digits up are those of the plain search
 * from 1 digit up (odoo__real_digits), on random doubles of every magnitude
 * (subnormals included) and on short decimals. */
static void test_real_digits_same_as_plain_search(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    long i;
    (void)state;
    for (i = 0; i < 20000; i++) {
        char d1[20], d2[20] = {0}, buf[40];
        const char *p;
        int e1, e2, prec, n = 0;
        double v, a;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (i % 2) {
            memcpy(&v, &x, sizeof(v));
            if (v != v || v - v != 0 || v == 0)
                continue;
        } else {
            v = (double)(x % 100000000) / (double)(1ULL << (x >> 60)) / 1000.0;
            if (v == 0)
                continue;
        }
        a = v < 0 ? -v : v;
        odoo__real_digits(v, d1, &e1);
        for (prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof(buf), "%.*e", prec - 1, a);
            if (strtod(buf, NULL) == a)
                break;
        }
        for (p = buf; *p && *p != 'e'; p++)
            if (*p >= '0' && *p <= '9' && n < 19)
                d2[n++] = *p;
        while (n > 1 && d2[n - 1] == '0')
            n--;
        d2[n] = '\0';
        e2 = atoi(p + 1);
        if (strcmp(d1, d2) != 0 || e1 != e2)
            fail_msg("%.17g: %s e%d, the plain search gives %s e%d", v, d1, e1, d2, e2);
    }
}

/* The sink's mapping straight to text gives the text (and the size) of the
 * mapping through jansson, dumped compactly. */
static void check_attr_text(json_t *v)
{
    json_t *a = NULL;
    odoo__buf b = {0};
    size_t size = 0;
    char *t;
    assert_int_equal(odoo_dynamodb_attr_from_json(&a, v), ODOO_OK);
    assert_int_equal(odoo__dynamodb_attr_write(&b, v, &size), ODOO_OK);
    t = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(t);
    assert_int_equal(b.len, strlen(t));
    assert_memory_equal(b.data, t, b.len);
    assert_int_equal(size, odoo__dynamodb_value_size(a));
    free(t);
    json_decref(a);
    json_decref(v);
    odoo__buf_dispose(&b);
}

static void test_attr_text_same_as_jansson(void **state)
{
    odoo__buf b = {0};
    size_t size = 0;
    json_t *bad;
    (void)state;
    check_attr_text(json_string("plain"));
    check_attr_text(json_string("q\"b\\s/ \b\f\n\r\t \x01\x1f\x7f h\xc3\xa9 \xe2\x82\xac "
                                "\xf0\x9f\x98\x80"));
    check_attr_text(json_stringn("a\0b", 3));
    check_attr_text(json_string(""));
    check_attr_text(json_integer(0));
    check_attr_text(json_integer(-9223372036854775807LL - 1));
    check_attr_text(json_integer(9223372036854775807LL));
    check_attr_text(json_real(0.1));
    check_attr_text(json_real(-0.0));
    check_attr_text(json_real(1e16));
    check_attr_text(json_real(1.5e-5));
    check_attr_text(json_real(96.35));
    check_attr_text(json_true());
    check_attr_text(json_false());
    check_attr_text(json_null());
    check_attr_text(json_loads("{\"a\":[7,\"Azure \\\"Interior\\\"\",{\"b\":null,\"c\":[]}],"
                               "\"d\":{},\"e\\n\":2.25,\"f\":[true,false,[1.0e-7]]}",
                               0, NULL));
    /* jansson refuses to dump a string that is not UTF-8: refused here too */
    bad = json_stringn_nocheck("a\xc3(", 3);
    assert_int_equal(odoo__dynamodb_attr_write(&b, bad, &size), ODOO_EINVAL);
    json_decref(bad);
    bad = json_stringn_nocheck("\xed\xa0\x80", 3); /* a surrogate */
    assert_int_equal(odoo__dynamodb_attr_write(&b, bad, &size), ODOO_EINVAL);
    json_decref(bad);
    odoo__buf_dispose(&b);
}

/* ---- the mapping ------------------------------------------------------------------ */

static void check_attr(const char *json_in, const char *want)
{
    json_t *v = json_loads(json_in, JSON_DECODE_ANY, NULL), *a = NULL, *w;
    assert_non_null(v);
    assert_int_equal(odoo_dynamodb_attr_from_json(&a, v), ODOO_OK);
    w = json_loads(want, 0, NULL);
    assert_non_null(w);
    if (!json_equal(a, w)) {
        char *got = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("%s -> %s, want %s", json_in, got, want);
    }
    json_decref(v);
    json_decref(a);
    json_decref(w);
}

static void test_attr_every_json_type(void **state)
{
    (void)state;
    check_attr("\"SO042\"", "{\"S\": \"SO042\"}");
    check_attr("\"\"", "{\"S\": \"\"}");
    check_attr("\"Zürich – 東京 ✓\"", "{\"S\": \"Zürich – 東京 ✓\"}");
    check_attr("42", "{\"N\": \"42\"}");
    check_attr("-7", "{\"N\": \"-7\"}");
    check_attr("0", "{\"N\": \"0\"}");
    check_attr("9007199254740993", "{\"N\": \"9007199254740993\"}"); /* exact beyond 2^53 */
    check_attr("9223372036854775807", "{\"N\": \"9223372036854775807\"}");
    check_attr("0.1", "{\"N\": \"0.1\"}");
    check_attr("1250.5", "{\"N\": \"1250.5\"}");
    check_attr("1e-5", "{\"N\": \"0.00001\"}");
    check_attr("2.0", "{\"N\": \"2\"}");
    check_attr("true", "{\"BOOL\": true}");
    check_attr("false", "{\"BOOL\": false}");
    check_attr("null", "{\"NULL\": true}");
    check_attr("{}", "{\"M\": {}}");
    check_attr("[]", "{\"L\": []}");
    check_attr("[7, \"Azure Interior\"]", "{\"L\": [{\"N\": \"7\"}, {\"S\": \"Azure Interior\"}]}");
    check_attr("{\"a\": {\"b\": [false, null, 1.5]}}",
               "{\"M\": {\"a\": {\"M\": {\"b\": {\"L\": [{\"BOOL\": false}, {\"NULL\": true}, "
               "{\"N\": \"1.5\"}]}}}}}");
}

static void test_attr_errors(void **state)
{
    json_t *a = NULL, *big = json_real(1e200), *deep = json_array(), *cur;
    int i;
    (void)state;
    assert_int_equal(odoo_dynamodb_attr_from_json(NULL, big), ODOO_EINVAL);
    assert_int_equal(odoo_dynamodb_attr_from_json(&a, NULL), ODOO_EINVAL);
    assert_int_equal(odoo_dynamodb_attr_from_json(&a, big), ODOO_EINVAL);
    assert_null(a);
    /* nesting deeper than the library follows */
    cur = deep;
    for (i = 0; i < 300; i++) {
        json_t *n = json_array();
        json_array_append_new(cur, n);
        cur = n;
    }
    assert_int_equal(odoo_dynamodb_attr_from_json(&a, deep), ODOO_EINVAL);
    assert_int_equal(odoo_dynamodb_item_from_json(&a, big), ODOO_EINVAL);
    json_decref(big);
    json_decref(deep);
}

static void check_back(const char *attr_text, const char *want)
{
    json_t *a = json_loads(attr_text, 0, NULL), *v = NULL, *w = json_loads(want, JSON_DECODE_ANY, NULL);
    assert_non_null(a);
    assert_non_null(w);
    assert_int_equal(odoo_dynamodb_attr_to_json(&v, a), ODOO_OK);
    if (!json_equal(v, w)) {
        char *got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        fail_msg("%s -> %s, want %s", attr_text, got, want);
    }
    json_decref(a);
    json_decref(v);
    json_decref(w);
}

static void test_attr_to_json(void **state)
{
    static const char *const bad[] = {"{}", "{\"S\": \"a\", \"N\": \"1\"}", "{\"X\": 1}",
                                      "{\"N\": \"abc\"}", "{\"N\": 5}", "{\"S\": 5}",
                                      "{\"BOOL\": \"yes\"}", "{\"M\": []}", "{\"L\": {}}",
                                      "{\"SS\": [1]}", "[]", NULL};
    json_t *v = NULL;
    size_t i;
    (void)state;
    check_back("{\"S\": \"x\"}", "\"x\"");
    check_back("{\"N\": \"42\"}", "42");
    check_back("{\"N\": \"-42\"}", "-42");
    check_back("{\"N\": \"0.1\"}", "0.1");
    check_back("{\"N\": \"1E+2\"}", "100.0");
    check_back("{\"N\": \"99999999999999999999\"}", "1e20");
    check_back("{\"BOOL\": true}", "true");
    check_back("{\"NULL\": true}", "null");
    check_back("{\"M\": {\"k\": {\"L\": [{\"N\": \"1\"}, {\"S\": \"b\"}]}}}",
               "{\"k\": [1, \"b\"]}");
    check_back("{\"SS\": [\"a\", \"b\"]}", "[\"a\", \"b\"]");
    check_back("{\"NS\": [\"1\", \"2.5\"]}", "[1, 2.5]");
    check_back("{\"B\": \"aGk=\"}", "\"aGk=\"");
    for (i = 0; bad[i]; i++) {
        json_t *a = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        assert_non_null(a);
        if (odoo_dynamodb_attr_to_json(&v, a) != ODOO_EINVAL)
            fail_msg("%s should be refused", bad[i]);
        assert_null(v);
        json_decref(a);
    }
}

static void test_item_roundtrip_and_size(void **state)
{
    json_t *rec = json_pack("{s:i, s:s, s:f, s:b, s:n, s:[i,s], s:{s:s}}", "id", 7, "name",
                            "SO007", "amount", 1250.5, "active", 1, "note", "partner_id", 3,
                            "Deco Addict", "meta", "k", "v");
    json_t *item = NULL, *back = NULL;
    (void)state;
    assert_int_equal(odoo_dynamodb_item_from_json(&item, rec), ODOO_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(item, "id"), "N")), "7");
    assert_int_equal(odoo_dynamodb_item_to_json(&back, item), ODOO_OK);
    assert_true(json_equal(rec, back));
    /* "id"(2)+N 7(2) + "name"(4)+5 + "amount"(6)+N 12505(4) + "active"(6)+1 + "note"(4)+1
     * + "partner_id"(10)+L(3 + 1+2 + 1+11) + "meta"(4)+M(3 + 1+1+1) */
    assert_int_equal(odoo_dynamodb_item_size(item),
                     2 + 2 + 4 + 5 + 6 + 4 + 6 + 1 + 4 + 1 + 10 + 3 + 1 + 2 + 1 + 11 + 4 + 3 + 1 + 1 + 1);
    assert_int_equal(odoo_dynamodb_item_size(NULL), 0);
    json_decref(rec);
    json_decref(item);
    json_decref(back);
}

/* ---- the JSON text of the file sink ---------------------------------------------- */

static void test_json_write_stable(void **state)
{
    odoo__buf b = {0};
    json_t *v = json_loads("{\"z\": 1, \"a\": {\"y\": 0.1, \"b\": [1.0, 100.0, 1e16]}, "
                           "\"m\": \"Zürich \\n\\u0001 \\\"q\\\" / ✓\", \"n\": null, \"t\": true}",
                           0, NULL);
    (void)state;
    assert_non_null(v);
    assert_int_equal(odoo__json_write(&b, v, 1), ODOO_OK);
    assert_string_equal(b.data, "{\"a\":{\"b\":[1.0,100.0,1e+16],\"y\":0.1},\"m\":\"Zürich "
                                "\\n\\u0001 \\\"q\\\" / ✓\",\"n\":null,\"t\":true,\"z\":1}");
    b.len = 0;
    assert_int_equal(odoo__json_write(&b, v, 0), ODOO_OK);
    assert_true(strncmp(b.data, "{\"z\":1,\"a\":{\"y\":0.1", 19) == 0);
    odoo__buf_dispose(&b);
    json_decref(v);
}

/* ---- SigV4 ------------------------------------------------------------------------------ */

static void test_sigv4_signing_key_aws_example(void **state)
{
    unsigned char key[32];
    char hex[65];
    (void)state;
    /* docs.aws.amazon.com, "Examples of how to derive a signing key" */
    assert_int_equal(odoo__sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                             "20120215", "us-east-1", "iam", key),
                     ODOO_OK);
    odoo__hex(key, 32, hex);
    assert_string_equal(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

static void test_sigv4_aws_get_example(void **state)
{
    odoo__sigv4_header h[] = {
        {"host", "iam.amazonaws.com"},
        {"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"x-amz-date", "20150830T123600Z"},
    };
    odoo__sigv4_request r;
    odoo__buf auth = {0}, canon = {0};
    char hash[65];
    (void)state;
    memset(&r, 0, sizeof(r));
    r.method = "GET";
    r.path = "/";
    r.query = "Action=ListUsers&Version=2010-05-08";
    r.headers = h;
    r.nheaders = 3;
    r.amz_date = "20150830T123600Z";
    r.region = "us-east-1";
    r.service = "iam";
    r.access_key_id = "AKIDEXAMPLE";
    r.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    assert_int_equal(odoo__sigv4_authorization(&r, &auth, &canon), ODOO_OK);
    assert_int_equal(odoo__sha256_hex(canon.data, canon.len, hash), ODOO_OK);
    assert_string_equal(hash, "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    assert_string_equal(auth.data,
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
                        "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
                        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    odoo__buf_dispose(&auth);
    odoo__buf_dispose(&canon);
}

static void test_sigv4_matches_botocore(void **state)
{
    /* the same request signed by botocore's SigV4Auth (the AWS SDK for Python) */
    odoo__sigv4_header h[] = {
        {"content-type", "application/x-amz-json-1.0"},
        {"host", "dynamodb.eu-west-1.amazonaws.com"},
        {"x-amz-date", "20240506T070809Z"},
        {"x-amz-target", "DynamoDB_20120810.DescribeTable"},
        {"x-amz-security-token", "session-token-example"},
    };
    static const char body[] = "{\"TableName\":\"orders\"}";
    odoo__sigv4_request r;
    odoo__buf auth = {0};
    (void)state;
    memset(&r, 0, sizeof(r));
    r.method = "POST";
    r.path = "/";
    r.query = "";
    r.headers = h;
    r.nheaders = 5;
    r.payload = body;
    r.payload_len = strlen(body);
    r.amz_date = "20240506T070809Z";
    r.region = "eu-west-1";
    r.service = "dynamodb";
    r.access_key_id = "AKIDEXAMPLE";
    r.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    assert_int_equal(odoo__sigv4_authorization(&r, &auth, NULL), ODOO_OK);
    assert_string_equal(auth.data,
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240506/eu-west-1/dynamodb/"
                        "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                        "x-amz-security-token;x-amz-target, "
                        "Signature=e23076765b64989aeb4006eed1c089929b6f91a6d809a221bc987a5f1a517561");
    odoo__buf_dispose(&auth);
}

static void test_amz_date(void **state)
{
    char d[17];
    (void)state;
    odoo__amz_date(1715000000LL, d);
    assert_string_equal(d, "20240506T125320Z");
}

/* ---- credentials ------------------------------------------------------------------------- */

static odoo_aws_credentials *chain(const char *profile)
{
    odoo_aws_credentials_options o = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_aws_credentials *c = NULL;
    o.profile = profile;
    o.use_container = 0;
    assert_int_equal(odoo_aws_credentials_new(&c, &o), ODOO_OK);
    return c;
}

static void expect_source(odoo_aws_credentials *c, const char *source, const char *akid)
{
    char buf[128], msg[256];
    int rc = odoo_aws_credentials_resolve(c);
    if (rc != ODOO_OK) {
        odoo_aws_credentials_last_error(c, msg, sizeof(msg));
        fail_msg("resolve: %s: %s", odoo_error_name(rc), msg);
    }
    assert_int_equal(odoo_aws_credentials_source(c, buf, sizeof(buf)), ODOO_OK);
    assert_string_equal(buf, source);
    assert_int_equal(odoo_aws_credentials_access_key_id(c, buf, sizeof(buf)), ODOO_OK);
    assert_string_equal(buf, akid);
}

static void write_tmp(const char *name, const char *text)
{
    char *p = st_path(tmp_dir, name);
    st_write_file(p, text);
    free(p);
}

static const char credentials_file[] =
    "# a comment\n"
    "; another comment\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULTCRED\n"
    "aws_secret_access_key=secret-default-cred  \n"
    "\n"
    "[prod]\r\n"
    "AWS_Access_Key_ID = AKIDPRODCRED\r\n"
    "aws_secret_access_key = secret=with=equals\r\n"
    "aws_session_token = token-prod\r\n"
    "s3 =\n"
    "    max_concurrent_requests = 10\n"
    "[partial]\n"
    "aws_access_key_id = AKIDPARTIAL\n"
    "[role]\n"
    "role_arn = arn:aws:iam::123456789012:role/x\n"
    "source_profile = default\n";

static const char config_file[] =
    "[default]\n"
    "region = eu-central-1\n"
    "[profile prod]\n"
    "region = us-west-2\n"
    "aws_access_key_id = AKIDPRODCONFIG\n"
    "aws_secret_access_key = secret-prod-config\n"
    "[profile cfgonly]\n"
    "aws_access_key_id = AKIDCFGONLY\n"
    "aws_secret_access_key = secret-cfgonly\n"
    "[cfgonly]\n"
    "aws_access_key_id = AKIDWRONGSECTION\n"
    "aws_secret_access_key = wrong\n"
    "[sso-session corp]\n"
    "sso_region = eu-west-1\n";

static void test_profile_parsing(void **state)
{
    odoo_error err;
    json_t *p = NULL;
    char *path;
    (void)state;
    odoo__error_init(&err);
    write_tmp("credentials", credentials_file);
    write_tmp("config", config_file);
    path = st_path(tmp_dir, "credentials");
    assert_int_equal(odoo__aws_profile_load(&err, path, "prod", 0, &p), ODOO_OK);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "aws_access_key_id")), "AKIDPRODCRED");
    assert_string_equal(json_string_value(json_object_get(p, "aws_secret_access_key")),
                        "secret=with=equals");
    assert_string_equal(json_string_value(json_object_get(p, "aws_session_token")), "token-prod");
    assert_null(json_object_get(p, "max_concurrent_requests")); /* a nested sub-setting */
    json_decref(p);
    assert_int_equal(odoo__aws_profile_load(&err, path, "default", 0, &p), ODOO_OK);
    assert_string_equal(json_string_value(json_object_get(p, "aws_secret_access_key")),
                        "secret-default-cred");
    json_decref(p);
    assert_int_equal(odoo__aws_profile_load(&err, path, "nope", 0, &p), ODOO_OK);
    assert_null(p);
    free(path);

    path = st_path(tmp_dir, "config");
    assert_int_equal(odoo__aws_profile_load(&err, path, "cfgonly", 1, &p), ODOO_OK);
    assert_string_equal(json_string_value(json_object_get(p, "aws_access_key_id")), "AKIDCFGONLY");
    json_decref(p);
    assert_int_equal(odoo__aws_profile_load(&err, path, "corp", 1, &p), ODOO_OK);
    assert_null(p); /* [sso-session corp] is no profile */
    free(path);

    path = st_path(tmp_dir, "missing");
    assert_int_equal(odoo__aws_profile_load(&err, path, "default", 0, &p), ODOO_OK);
    assert_null(p);
    free(path);
    odoo__error_clear(&err);
}

static void test_chain_order(void **state)
{
    odoo_aws_credentials *c;
    (void)state;
    write_tmp("credentials", credentials_file);
    write_tmp("config", config_file);

    /* 1. the environment comes first */
    st_setenv("AWS_ACCESS_KEY_ID", "AKIDENV");
    st_setenv("AWS_SECRET_ACCESS_KEY", "secret-env");
    c = chain(NULL);
    expect_source(c, "environment", "AKIDENV");
    odoo_aws_credentials_free(c);

    /* AWS_PROFILE does not beat the environment's keys ... */
    st_setenv("AWS_PROFILE", "prod");
    c = chain(NULL);
    expect_source(c, "environment", "AKIDENV");
    odoo_aws_credentials_free(c);
    /* ... but a profile named in the options skips the environment (as the SDKs do) */
    c = chain("prod");
    expect_source(c, "profile:prod", "AKIDPRODCRED");
    odoo_aws_credentials_free(c);

    /* 2. without the environment: AWS_PROFILE's profile, credentials file first */
    st_setenv("AWS_ACCESS_KEY_ID", NULL);
    st_setenv("AWS_SECRET_ACCESS_KEY", NULL);
    c = chain(NULL);
    expect_source(c, "profile:prod", "AKIDPRODCRED");
    odoo_aws_credentials_free(c);
    /* a profile only in the config file ("[profile x]" there, not "[x]") */
    c = chain("cfgonly");
    expect_source(c, "profile:cfgonly", "AKIDCFGONLY");
    odoo_aws_credentials_free(c);
    /* "default" without AWS_PROFILE */
    st_setenv("AWS_PROFILE", NULL);
    c = chain(NULL);
    expect_source(c, "profile:default", "AKIDDEFAULTCRED");
    odoo_aws_credentials_free(c);

    /* 3. nothing at all: EAUTH */
    write_tmp("credentials", "");
    write_tmp("config", "");
    c = chain(NULL);
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EAUTH);
    odoo_aws_credentials_free(c);
}

static void test_chain_errors(void **state)
{
    odoo_aws_credentials *c;
    char msg[512];
    (void)state;
    write_tmp("credentials", credentials_file);
    /* half of the keys in the environment */
    st_setenv("AWS_ACCESS_KEY_ID", "AKIDHALF");
    c = chain(NULL);
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EINVAL);
    assert_int_equal(odoo_aws_credentials_last_error(c, msg, sizeof(msg)), ODOO_EINVAL);
    assert_non_null(strstr(msg, "AWS_SECRET_ACCESS_KEY"));
    odoo_aws_credentials_free(c);
    st_setenv("AWS_ACCESS_KEY_ID", NULL);
    /* a named profile that does not exist */
    c = chain("nosuchprofile");
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EINVAL);
    odoo_aws_credentials_last_error(c, msg, sizeof(msg));
    assert_non_null(strstr(msg, "nosuchprofile"));
    odoo_aws_credentials_free(c);
    /* half of the keys in a profile */
    c = chain("partial");
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EINVAL);
    odoo_aws_credentials_free(c);
    /* a role profile (unsupported) says so */
    c = chain("role");
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EINVAL);
    odoo_aws_credentials_last_error(c, msg, sizeof(msg));
    assert_non_null(strstr(msg, "role_arn"));
    odoo_aws_credentials_free(c);
}

static void test_chain_env_session_and_static(void **state)
{
    odoo_aws_credentials_options o = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_aws_credentials *c = NULL;
    odoo__aws_keys k = {NULL, NULL, NULL};
    odoo_error err;
    (void)state;
    odoo__error_init(&err);
    st_setenv("AWS_ACCESS_KEY_ID", "ASIAENV");
    st_setenv("AWS_SECRET_ACCESS_KEY", "secret-env");
    st_setenv("AWS_SESSION_TOKEN", "token-env");
    st_setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-01T00:00:00Z");
    c = chain(NULL);
    assert_int_equal(odoo__aws_credentials_get(c, &k, &err), ODOO_OK);
    assert_string_equal(k.access_key_id, "ASIAENV");
    assert_string_equal(k.secret_access_key, "secret-env");
    assert_string_equal(k.session_token, "token-env");
    assert_int_equal(odoo_aws_credentials_expiration(c), 4070908800LL);
    odoo__aws_keys_dispose(&k);
    odoo_aws_credentials_free(c);

    /* static keys: no chain at all */
    o.access_key_id = "AKIDSTATIC";
    o.secret_access_key = "secret-static";
    assert_int_equal(odoo_aws_credentials_new(&c, &o), ODOO_OK);
    expect_source(c, "static", "AKIDSTATIC");
    assert_int_equal(odoo_aws_credentials_fetch_count(c), 1);
    /* a reference taken by a client outlives the caller's */
    assert_ptr_equal(odoo__aws_credentials_ref(c), c);
    odoo_aws_credentials_free(c);
    assert_int_equal(odoo__aws_credentials_get(c, &k, &err), ODOO_OK);
    assert_string_equal(k.access_key_id, "AKIDSTATIC");
    odoo__aws_keys_dispose(&k);
    odoo_aws_credentials_free(c);

    /* an access key without its secret */
    o.secret_access_key = NULL;
    assert_int_equal(odoo_aws_credentials_new(&c, &o), ODOO_EINVAL);
    o.version = 99;
    assert_int_equal(odoo_aws_credentials_new(&c, &o), ODOO_EINVAL);
    odoo_aws_credentials_free(NULL);
    odoo__error_clear(&err);
}

static void test_iso8601(void **state)
{
    long long t = 0;
    (void)state;
    assert_int_equal(odoo__parse_iso8601("2024-05-06T12:53:20Z", &t), ODOO_OK);
    assert_int_equal(t, 1715000000LL);
    assert_int_equal(odoo__parse_iso8601("2024-05-06T12:53:20.123456Z", &t), ODOO_OK);
    assert_int_equal(t, 1715000000LL);
    assert_int_equal(odoo__parse_iso8601("2024-05-06T14:53:20+02:00", &t), ODOO_OK);
    assert_int_equal(t, 1715000000LL);
    assert_int_equal(odoo__parse_iso8601("2024-05-06 12:53:20", &t), ODOO_EINVAL);
    assert_int_equal(odoo__parse_iso8601("yesterday", &t), ODOO_EINVAL);
    assert_int_equal(odoo__parse_iso8601("2024-05-06T12:53:20Zjunk", &t), ODOO_EINVAL);
}

static void test_container_url_rules(void **state)
{
    static const char *const allowed[] = {"http://127.0.0.1:8080/creds", "http://localhost/c",
                                          "http://127.1.2.3/c", "http://169.254.170.2/v2/c",
                                          "http://169.254.170.23/v1/c",
                                          "http://[fd00:ec2::23]/v1/c", "http://[::1]:9/c",
                                          "https://creds.example.com/c", NULL};
    static const char *const refused[] = {"http://creds.example.com/c", "http://10.0.0.1/c",
                                          "http://127.0.0.1.example.com/c", "ftp://127.0.0.1/c",
                                          "not a url", NULL};
    odoo_error err;
    char *url = NULL;
    size_t i;
    (void)state;
    odoo__error_init(&err);
    assert_int_equal(odoo__aws_container_url(&err, &url), ODOO_OK);
    assert_null(url);
    st_setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc");
    assert_int_equal(odoo__aws_container_url(&err, &url), ODOO_OK);
    assert_string_equal(url, "http://169.254.170.2/v2/credentials/abc");
    free(url);
    st_setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "no-slash");
    assert_int_equal(odoo__aws_container_url(&err, &url), ODOO_EINVAL);
    st_setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", NULL);
    for (i = 0; allowed[i]; i++) {
        st_setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", allowed[i]);
        if (odoo__aws_container_url(&err, &url) != ODOO_OK)
            fail_msg("%s refused: %s", allowed[i], odoo_error_message(&err));
        assert_string_equal(url, allowed[i]);
        free(url);
    }
    for (i = 0; refused[i]; i++) {
        st_setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", refused[i]);
        if (odoo__aws_container_url(&err, &url) != ODOO_EINVAL)
            fail_msg("%s allowed", refused[i]);
        assert_null(url);
    }
    odoo__error_clear(&err);
}

/* ---- region and endpoint ------------------------------------------------------------------ */

static void test_region_resolution(void **state)
{
    odoo_error err;
    char *r = NULL;
    (void)state;
    odoo__error_init(&err);
    write_tmp("config", config_file);
    assert_int_equal(odoo__aws_resolve_region(&err, NULL, NULL, &r), ODOO_OK);
    assert_string_equal(r, "eu-central-1"); /* [default] of the config file */
    free(r);
    assert_int_equal(odoo__aws_resolve_region(&err, NULL, "prod", &r), ODOO_OK);
    assert_string_equal(r, "us-west-2");
    free(r);
    st_setenv("AWS_DEFAULT_REGION", "ap-south-1");
    assert_int_equal(odoo__aws_resolve_region(&err, NULL, NULL, &r), ODOO_OK);
    assert_string_equal(r, "ap-south-1");
    free(r);
    st_setenv("AWS_REGION", "eu-west-3");
    assert_int_equal(odoo__aws_resolve_region(&err, NULL, NULL, &r), ODOO_OK);
    assert_string_equal(r, "eu-west-3");
    free(r);
    assert_int_equal(odoo__aws_resolve_region(&err, "sa-east-1", NULL, &r), ODOO_OK);
    assert_string_equal(r, "sa-east-1");
    free(r);
    assert_int_equal(odoo__aws_resolve_region(&err, "bad\r\nregion", NULL, &r), ODOO_EINVAL);
    st_setenv("AWS_REGION", NULL);
    st_setenv("AWS_DEFAULT_REGION", NULL);
    write_tmp("config", "");
    assert_int_equal(odoo__aws_resolve_region(&err, NULL, NULL, &r), ODOO_EINVAL);
    assert_null(r);
    odoo__error_clear(&err);
}

static void check_endpoint(const char *explicit_ep, const char *region, const char *want_url,
                           const char *want_host)
{
    odoo_error err;
    char *e = NULL, *h = NULL;
    odoo__error_init(&err);
    if (odoo__aws_resolve_endpoint(&err, explicit_ep, "DYNAMODB", "dynamodb", region, &e, &h)
        != ODOO_OK)
        fail_msg("endpoint: %s", odoo_error_message(&err));
    assert_string_equal(e, want_url);
    assert_string_equal(h, want_host);
    free(e);
    free(h);
    odoo__error_clear(&err);
}

static void test_endpoint_resolution(void **state)
{
    static const char *const bad[] = {"ftp://x", "http://u:p@127.0.0.1:8000",
                                      "http://127.0.0.1:8000/prefix", "http://127.0.0.1/?a=b",
                                      "nonsense", NULL};
    odoo_error err;
    char *e, *h;
    size_t i;
    (void)state;
    odoo__error_init(&err);
    check_endpoint(NULL, "eu-west-1", "https://dynamodb.eu-west-1.amazonaws.com",
                   "dynamodb.eu-west-1.amazonaws.com");
    check_endpoint(NULL, "cn-north-1", "https://dynamodb.cn-north-1.amazonaws.com.cn",
                   "dynamodb.cn-north-1.amazonaws.com.cn");
    st_setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
    check_endpoint(NULL, "eu-west-1", "http://127.0.0.1:4566", "127.0.0.1:4566");
    st_setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8000/");
    check_endpoint(NULL, "eu-west-1", "http://localhost:8000", "localhost:8000");
    check_endpoint("HTTP://[::1]:9000", "eu-west-1", "http://[::1]:9000", "[::1]:9000");
    st_setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    check_endpoint(NULL, "eu-west-1", "https://dynamodb.eu-west-1.amazonaws.com",
                   "dynamodb.eu-west-1.amazonaws.com");
    st_setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", NULL);
    for (i = 0; bad[i]; i++) {
        e = h = NULL;
        if (odoo__aws_resolve_endpoint(&err, bad[i], "DYNAMODB", "dynamodb", "eu-west-1", &e, &h)
            != ODOO_EINVAL)
            fail_msg("%s accepted", bad[i]);
        assert_null(e);
    }
    odoo__error_clear(&err);
}

static void test_clients_use_environment(void **state)
{
    odoo_dynamodb *db = NULL;
    odoo_aws_secrets *sm = NULL;
    odoo_aws_options o = ODOO_AWS_OPTIONS_INIT;
    (void)state;
    /* no region anywhere: the client holds the error */
    assert_int_equal(odoo_dynamodb_new(&db, NULL), ODOO_EINVAL);
    assert_non_null(db);
    assert_non_null(strstr(odoo_error_message(odoo_dynamodb_last_error(db)), "region"));
    assert_int_equal(odoo_dynamodb_call(db, NULL, "ListTables", NULL), ODOO_EINVAL);
    odoo_dynamodb_free(db);

    st_setenv("AWS_REGION", "eu-west-1");
    st_setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1");
    st_setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:2");
    assert_int_equal(odoo_dynamodb_new(&db, NULL), ODOO_OK);
    assert_string_equal(odoo_dynamodb_endpoint(db), "http://127.0.0.1:1");
    assert_string_equal(odoo_dynamodb_region(db), "eu-west-1");
    odoo_dynamodb_free(db);
    assert_int_equal(odoo_aws_secrets_new(&sm, NULL), ODOO_OK);
    assert_string_equal(odoo_aws_secrets_endpoint(sm), "http://127.0.0.1:2");
    odoo_aws_secrets_free(sm);
    /* options beat the environment */
    o.region = "us-east-2";
    o.endpoint = "https://ddb.internal.example";
    assert_int_equal(odoo_dynamodb_new(&db, &o), ODOO_OK);
    assert_string_equal(odoo_dynamodb_endpoint(db), "https://ddb.internal.example");
    assert_string_equal(odoo_dynamodb_region(db), "us-east-2");
    odoo_dynamodb_free(db);
    o.version = 7;
    assert_int_equal(odoo_dynamodb_new(&db, &o), ODOO_EINVAL);
    odoo_dynamodb_free(db);
    odoo_dynamodb_free(NULL);
    odoo_aws_secrets_free(NULL);
}

/* ---- AWS errors ------------------------------------------------------------------------------- */

static void test_aws_error_mapping(void **state)
{
    static const struct {
        const char *type;
        long status;
        int code;
        int retryable;
    } cases[] = {
        {"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", 400,
         ODOO_EHTTP, 1},
        {"ThrottlingException", 400, ODOO_EHTTP, 1},
        {"RequestLimitExceeded", 400, ODOO_EHTTP, 1},
        {"com.amazon.coral.service#InternalServerError", 500, ODOO_EHTTP, 1},
        {"ServiceUnavailable", 503, ODOO_EHTTP, 1},
        {"com.amazonaws.dynamodb.v20120810#ValidationException", 400, ODOO_EINVAL, 0},
        {"SerializationException", 400, ODOO_EINVAL, 0},
        {"com.amazon.coral.service#AccessDeniedException", 400, ODOO_EAUTH, 0},
        {"com.amazon.coral.service#UnrecognizedClientException", 400, ODOO_EAUTH, 0},
        {"InvalidSignatureException", 400, ODOO_EAUTH, 0},
        {"SignatureDoesNotMatch", 403, ODOO_EAUTH, 0},
        {"InvalidClientTokenId", 403, ODOO_EAUTH, 0},
        {"ExpiredTokenException", 400, ODOO_EAUTH, 0},
        {"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", 400, ODOO_ENOTFOUND, 0},
        {"ResourceNotFoundException:http://internal.amazon.com/coral/", 400, ODOO_ENOTFOUND, 0},
        {"ConditionalCheckFailedException", 400, ODOO_ESERVER, 0},
        {"ResourceInUseException", 400, ODOO_ESERVER, 0},
        {"SomethingNew", 502, ODOO_EHTTP, 1},
        {NULL, 503, ODOO_EHTTP, 1},
        {NULL, 429, ODOO_EHTTP, 1},
        {NULL, 403, ODOO_EAUTH, 0},
        {NULL, 413, ODOO_EINVAL, 0},
        {NULL, 404, ODOO_EHTTP, 0},
    };
    size_t i;
    char *type, *message;
    static const char xml[] = "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>"
                              "<Message>The request signature we calculated does not match"
                              "</Message></Error></Errors></ErrorResponse>";
    static const char js[] = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                             "ResourceNotFoundException\",\"message\":\"Requested resource not "
                             "found\"}";
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int r = -1, code = odoo__aws_map_error(cases[i].type, cases[i].status, &r);
        if (code != cases[i].code || r != cases[i].retryable)
            fail_msg("%s/%ld -> %s retryable %d", cases[i].type ? cases[i].type : "(none)",
                     cases[i].status, odoo_error_name(code), r);
    }
    assert_true(odoo__aws_is_throttling("x#ThrottlingException"));
    assert_false(odoo__aws_is_throttling("ValidationException"));
    odoo__aws_parse_error_body(xml, strlen(xml), &type, &message);
    assert_string_equal(type, "SignatureDoesNotMatch");
    assert_string_equal(message, "The request signature we calculated does not match");
    free(type);
    free(message);
    odoo__aws_parse_error_body(js, strlen(js), &type, &message);
    assert_string_equal(type, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
    assert_string_equal(message, "Requested resource not found");
    free(type);
    free(message);
    odoo__aws_parse_error_body("<html>", 6, &type, &message);
    assert_null(type);
    assert_null(message);
}

static void test_backoff_bounds(void **state)
{
    unsigned int rng = odoo__rng_seed(state);
    int i, attempt;
    long max_seen = 0;
    (void)state;
    for (attempt = 0; attempt < 12; attempt++) {
        long cap = 50L << attempt;
        if (cap > 2000)
            cap = 2000;
        for (i = 0; i < 200; i++) {
            long d = odoo__backoff_ms(&rng, attempt, 50, 2000, ODOO__JITTER_FULL);
            long e = odoo__backoff_ms(&rng, attempt, 50, 2000, ODOO__JITTER_EQUAL);
            assert_true(d >= 0 && d <= cap);
            assert_true(e >= cap / 2 && e <= cap); /* half fixed, half random */
            if (d > max_seen)
                max_seen = d;
        }
    }
    assert_true(max_seen > 1000); /* it does grow */
}

/* ---- session options --------------------------------------------------------------------- */

static void test_session_options_parse(void **state)
{
    odoo_session_options *so = NULL;
    odoo_client_options co = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *client = NULL;
    (void)state;
    assert_int_equal(odoo_session_options_new(&so), ODOO_OK);
    assert_int_equal(odoo_session_options_fill(so, &co), ODOO_EINVAL); /* empty */
    assert_int_equal(odoo_session_options_set_json(
                         so, "{\"ODOO_URL\": \"https://acme.odoo.com\", \"ODOO_DB\": \"acme\", "
                             "\"ODOO_EMAIL\": \"sync@acme.com\", \"ODOO_PASSWORD\": \"pw\", "
                             "\"Other\": 1}"),
                     ODOO_OK);
    assert_string_equal(odoo_session_options_url(so), "https://acme.odoo.com");
    assert_string_equal(odoo_session_options_database(so), "acme");
    assert_string_equal(odoo_session_options_login(so), "sync@acme.com");
    assert_true(odoo_session_options_has_password(so));
    assert_false(odoo_session_options_has_api_key(so));
    assert_int_equal(odoo_session_options_fill(so, &co), ODOO_OK);
    assert_string_equal(co.url, "https://acme.odoo.com");
    assert_string_equal(co.password, "pw");
    assert_null(co.api_key);
    assert_int_equal(co.timeout_ms, ODOO_DEFAULT_TIMEOUT_MS); /* untouched */
    assert_int_equal(odoo_client_new(&client, &co), ODOO_OK);
    odoo_client_free(client);

    /* ODOO_USER and an API key; ODOO_EMAIL wins over ODOO_USER when both are there */
    assert_int_equal(odoo_session_options_set_json(
                         so, "{\"ODOO_URL\": \"https://x.example\", \"ODOO_DB\": \"d\", "
                             "\"ODOO_USER\": \"bot\", \"ODOO_API_KEY\": \"k\"}"),
                     ODOO_OK);
    assert_string_equal(odoo_session_options_login(so), "bot");
    assert_false(odoo_session_options_has_password(so));
    assert_true(odoo_session_options_has_api_key(so));
    assert_int_equal(odoo_session_options_set_json(
                         so, "{\"ODOO_URL\": \"https://x.example\", \"ODOO_DB\": \"d\", "
                             "\"ODOO_USER\": \"bot\", \"ODOO_EMAIL\": \"mail@x\", "
                             "\"ODOO_PASSWORD\": \"p\", \"ODOO_API_KEY\": \"k\"}"),
                     ODOO_OK);
    assert_string_equal(odoo_session_options_login(so), "mail@x");
    assert_true(odoo_session_options_has_password(so) && odoo_session_options_has_api_key(so));
    odoo_session_options_free(so);
    odoo_session_options_free(NULL);
}

static void expect_secret_error(const char *json, const char *needle, const char *secret)
{
    odoo_session_options *so = NULL;
    const char *msg;
    assert_int_equal(odoo_session_options_new(&so), ODOO_OK);
    assert_int_equal(odoo_session_options_set_json(
                         so, "{\"ODOO_URL\": \"https://keep.example\", \"ODOO_DB\": \"d\", "
                             "\"ODOO_USER\": \"u\", \"ODOO_PASSWORD\": \"p\"}"),
                     ODOO_OK);
    assert_int_equal(odoo_session_options_set_json(so, json), ODOO_EINVAL);
    msg = odoo_error_message(odoo_session_options_last_error(so));
    if (!strstr(msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
    if (secret && strstr(msg, secret))
        fail_msg("message \"%s\" shows the secret", msg);
    /* the old values stay */
    assert_string_equal(odoo_session_options_url(so), "https://keep.example");
    odoo_session_options_free(so);
}

static void test_session_options_errors(void **state)
{
    (void)state;
    expect_secret_error("{\"ODOO_DB\": \"d\", \"ODOO_EMAIL\": \"e\", \"ODOO_PASSWORD\": \"hunter2\"}",
                        "ODOO_URL is missing", "hunter2");
    expect_secret_error("{\"ODOO_URL\": \"u\", \"ODOO_EMAIL\": \"e\", \"ODOO_PASSWORD\": \"hunter2\"}",
                        "ODOO_DB is missing", "hunter2");
    expect_secret_error("{\"ODOO_URL\": \"u\", \"ODOO_DB\": \"d\", \"ODOO_PASSWORD\": \"hunter2\"}",
                        "ODOO_EMAIL (or ODOO_USER) is missing", "hunter2");
    expect_secret_error("{\"ODOO_URL\": \"u\", \"ODOO_DB\": \"d\", \"ODOO_EMAIL\": \"e\"}",
                        "ODOO_PASSWORD or ODOO_API_KEY is missing", NULL);
    expect_secret_error("{\"ODOO_URL\": \"u\", \"ODOO_DB\": \"d\", \"ODOO_EMAIL\": \"e\", "
                        "\"ODOO_PASSWORD\": 12345}",
                        "ODOO_PASSWORD must be a non-empty string", "12345");
    expect_secret_error("{\"ODOO_URL\": \"u\", \"ODOO_DB\": \"\", \"ODOO_EMAIL\": \"e\", "
                        "\"ODOO_PASSWORD\": \"x\"}",
                        "ODOO_DB must be a non-empty string", NULL);
    expect_secret_error("ODOO_PASSWORD=hunter2-in-plain-text", "not valid JSON",
                        "hunter2-in-plain-text");
    expect_secret_error("{\"ODOO_PASSWORD\": \"hunter2\", oops}", "not valid JSON", "hunter2");
    expect_secret_error("[\"hunter2\"]", "not a JSON object", "hunter2");
    expect_secret_error("{\"ODOO_URL\": \"u\", \"ODOO_URL\": \"v\"}", "not valid JSON", NULL);
}

/* ---- a custom sink ---------------------------------------------------------------------- */

typedef struct mem_sink {
    json_t *records;
    int opened;
    int flushes;
    int closed;
    int fail_put_at;
    int *freed;
} mem_sink;

static int mem_open(odoo_sink *s, void *impl)
{
    mem_sink *m = impl;
    (void)s;
    m->opened++;
    return m->fail_put_at < 0 ? odoo_sink_set_error(s, ODOO_EACCESS, "mem: open refused")
                              : ODOO_OK;
}

static int mem_put(odoo_sink *s, void *impl, json_t *record)
{
    mem_sink *m = impl;
    if ((int)json_array_size(m->records) + 1 == m->fail_put_at)
        return odoo_sink_set_error(s, ODOO_EVALIDATION, "mem: record %d refused",
                                   m->fail_put_at);
    json_array_append_new(m->records, json_deep_copy(record));
    odoo_sink_count(s, ODOO_SINK_WRITTEN, 1);
    return ODOO_OK;
}

static int mem_flush(odoo_sink *s, void *impl)
{
    (void)s;
    ((mem_sink *)impl)->flushes++;
    return ODOO_OK;
}

static int mem_close(odoo_sink *s, void *impl)
{
    (void)s;
    ((mem_sink *)impl)->closed++;
    return ODOO_OK;
}

static void mem_free(void *impl)
{
    mem_sink *m = impl;
    (*m->freed)++;
    json_decref(m->records);
    free(m);
}

static const odoo_sink_ops mem_ops = {ODOO_SINK_OPS_VERSION, "memory", mem_open, mem_put,
                                      mem_flush, mem_close, mem_free};

static void test_custom_sink(void **state)
{
    odoo_sink *s = NULL;
    odoo_sink_stats st = ODOO_SINK_STATS_INIT;
    mem_sink *m = calloc(1, sizeof(*m));
    json_t *rec = json_pack("{s:i}", "id", 1), *arr = json_array();
    int freed = 0;
    odoo_sink_ops bad = mem_ops;
    (void)state;
    m->records = json_array();
    m->fail_put_at = 3;
    m->freed = &freed;
    assert_int_equal(odoo_sink_open(&s, &mem_ops, m), ODOO_OK);
    assert_string_equal(odoo_sink_type(s), "memory");
    assert_int_equal(m->opened, 1);
    assert_int_equal(odoo_sink_put(s, rec), ODOO_OK);
    json_object_set_new(rec, "id", json_integer(2)); /* borrowed: the sink copied it */
    assert_int_equal(odoo_sink_put(s, rec), ODOO_OK);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(m->records, 0), "id")), 1);
    assert_int_equal(odoo_sink_put(s, rec), ODOO_EVALIDATION);
    assert_string_equal(odoo_error_message(odoo_sink_last_error(s)), "mem: record 3 refused");
    assert_int_equal(odoo_sink_put(s, arr), ODOO_EINVAL); /* not an object */
    assert_int_equal(odoo_sink_put(s, NULL), ODOO_EINVAL);
    assert_int_equal(odoo_sink_flush(s), ODOO_OK);
    assert_int_equal(odoo_error_get_code(odoo_sink_last_error(s)), ODOO_OK);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    assert_true(odoo_sink_is_closed(s));
    assert_int_equal(odoo_sink_close(s), ODOO_OK); /* twice */
    assert_int_equal(odoo_sink_put(s, rec), ODOO_EINVAL);
    assert_int_equal(odoo_sink_flush(s), ODOO_EINVAL);
    assert_int_equal(m->closed, 1);
    assert_int_equal(odoo_sink_get_stats(s, &st), ODOO_OK);
    assert_int_equal(st.records, 3);
    assert_int_equal(st.written, 2);
    assert_int_equal(st.flushes, 2); /* the flush and the close */
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 2);
    assert_int_equal(odoo_sink_stat(s, (odoo_sink_counter)99), 0);
    st.version = 0;
    assert_int_equal(odoo_sink_get_stats(s, &st), ODOO_EINVAL);
    odoo_sink_free(s);
    assert_int_equal(freed, 1);

    /* open fails: the implementation stays the caller's */
    m = calloc(1, sizeof(*m));
    m->records = json_array();
    m->fail_put_at = -1;
    m->freed = &freed;
    assert_int_equal(odoo_sink_open(&s, &mem_ops, m), ODOO_EACCESS);
    assert_non_null(s);
    assert_string_equal(odoo_error_message(odoo_sink_last_error(s)), "mem: open refused");
    odoo_sink_free(s);
    assert_int_equal(freed, 1);
    mem_free(m);
    assert_int_equal(freed, 2);

    /* a free without close: no close callback, the implementation is freed */
    m = calloc(1, sizeof(*m));
    m->records = json_array();
    m->freed = &freed;
    assert_int_equal(odoo_sink_open(&s, &mem_ops, m), ODOO_OK);
    odoo_sink_free(s);
    assert_int_equal(freed, 3);

    bad.put = NULL;
    assert_int_equal(odoo_sink_open(&s, &bad, NULL), ODOO_EINVAL);
    assert_null(s);
    bad = mem_ops;
    bad.version = 2;
    assert_int_equal(odoo_sink_open(&s, &bad, NULL), ODOO_EINVAL);
    assert_int_equal(odoo_sink_put(NULL, rec), ODOO_EINVAL);
    assert_null(odoo_sink_last_error(NULL));
    odoo_sink_free(NULL);
    json_decref(rec);
    json_decref(arr);
}

static void test_options_defaults(void **state)
{
    odoo_json_sink_options j = ODOO_JSON_SINK_OPTIONS_INIT, j2;
    odoo_dynamodb_sink_options d = ODOO_DYNAMODB_SINK_OPTIONS_INIT, d2;
    odoo_aws_options a = ODOO_AWS_OPTIONS_INIT, a2;
    odoo_aws_credentials_options c = ODOO_AWS_CREDENTIALS_OPTIONS_INIT, c2;
    (void)state;
    memset(&j2, 0xA5, sizeof(j2));
    memset(&d2, 0xA5, sizeof(d2));
    memset(&a2, 0xA5, sizeof(a2));
    memset(&c2, 0xA5, sizeof(c2));
    assert_int_equal(odoo_json_sink_options_init(&j2, ODOO_JSON_SINK_OPTIONS_VERSION), ODOO_OK);
    assert_int_equal(odoo_dynamodb_sink_options_init(&d2, ODOO_DYNAMODB_SINK_OPTIONS_VERSION),
                     ODOO_OK);
    assert_int_equal(odoo_aws_options_init(&a2, ODOO_AWS_OPTIONS_VERSION), ODOO_OK);
    assert_int_equal(odoo_aws_credentials_options_init(&c2, ODOO_AWS_CREDENTIALS_OPTIONS_VERSION),
                     ODOO_OK);
    assert_int_equal(j.version, j2.version);
    assert_null(j2.path);
    assert_int_equal(j.format, j2.format);
    assert_int_equal(j.append, j2.append);
    assert_int_equal(j.flush_records, j2.flush_records);
    assert_int_equal(j.flush_bytes, j2.flush_bytes);
    assert_int_equal(j2.format, ODOO_JSON_LINES);
    assert_int_equal(j2.sort_keys, 1);
    assert_int_equal(j2.fsync, 1);
    assert_int_equal(j2.file_mode, 0600);
    assert_int_equal(d2.batch_size, 25);
    assert_int_equal(d2.concurrency, 16);
    assert_int_equal(d2.max_retries, 10);
    assert_int_equal(d2.partition_type, ODOO_DYNAMODB_N);
    assert_string_equal(d2.version_attribute, "write_date");
    assert_int_equal(d.mode, d2.mode);
    assert_int_equal(a2.timeout_ms, ODOO_AWS_DEFAULT_TIMEOUT_MS);
    assert_int_equal(a2.connect_timeout_ms, a.connect_timeout_ms);
    assert_int_equal(a2.verify_peer, 1);
    assert_int_equal(c2.use_environment + c2.use_shared_files + c2.use_container, 3);
    assert_int_equal(c2.refresh_margin_s, c.refresh_margin_s);
    assert_int_equal(odoo_json_sink_options_init(NULL, 1), ODOO_EINVAL);
    assert_int_equal(odoo_json_sink_options_init(&j2, 9), ODOO_EINVAL);
    assert_int_equal(odoo_dynamodb_sink_options_init(&d2, 9), ODOO_EINVAL);
    assert_int_equal(odoo_aws_options_init(&a2, 9), ODOO_EINVAL);
    assert_int_equal(odoo_aws_credentials_options_init(&c2, 9), ODOO_EINVAL);
}

static void test_dynamodb_sink_open_checks(void **state)
{
    odoo_dynamodb *db = NULL;
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_aws_options ao = ODOO_AWS_OPTIONS_INIT;
    odoo_sink *s = NULL;
    static const char *const bad_map[] = {"=x", NULL};
    (void)state;
    ao.region = "eu-west-1";
    ao.endpoint = "http://127.0.0.1:9";
    assert_int_equal(odoo_dynamodb_new(&db, &ao), ODOO_OK);
    assert_int_equal(odoo_dynamodb_sink_open(&s, db, &o), ODOO_EINVAL); /* no table */
    assert_non_null(strstr(odoo_error_message(odoo_sink_last_error(s)), "table"));
    assert_true(odoo_sink_is_closed(s));
    odoo_sink_free(s);
    o.table = "t";
    o.partition_key = "id";
    o.batch_size = 26;
    assert_int_equal(odoo_dynamodb_sink_open(&s, db, &o), ODOO_EINVAL);
    odoo_sink_free(s);
    o.batch_size = 25;
    o.attributes = bad_map;
    assert_int_equal(odoo_dynamodb_sink_open(&s, db, &o), ODOO_EINVAL);
    odoo_sink_free(s);
    o.attributes = NULL;
    o.mode = ODOO_DYNAMODB_CONDITIONAL;
    o.version_attribute = NULL;
    assert_int_equal(odoo_dynamodb_sink_open(&s, db, &o), ODOO_EINVAL);
    odoo_sink_free(s);
    o.mode = ODOO_DYNAMODB_BATCH;
    assert_int_equal(odoo_dynamodb_sink_open(&s, NULL, &o), ODOO_EINVAL);
    odoo_sink_free(s);
    /* a sink can be opened and freed without any I/O; the client may go first */
    assert_int_equal(odoo_dynamodb_sink_open(&s, db, &o), ODOO_OK);
    odoo_dynamodb_free(db);
    assert_string_equal(odoo_sink_type(s), "dynamodb");
    odoo_sink_free(s);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_real_repr_like_python, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_decimal_for_dynamodb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_digits_same_as_plain_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attr_text_same_as_jansson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attr_every_json_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attr_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attr_to_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_roundtrip_and_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_write_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigv4_signing_key_aws_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigv4_aws_get_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigv4_matches_botocore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_amz_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_parsing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_env_session_and_static, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iso8601, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_url_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_region_resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endpoint_resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clients_use_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aws_error_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_options_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_options_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_sink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dynamodb_sink_open_checks, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
