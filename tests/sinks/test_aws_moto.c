// SPDX-License-Identifier: MIT
/* Signing and Secrets Manager against moto_server with signature checking on
 * (run_with_aws.py --moto): the right key is accepted, a wrong secret key or
 * an unknown access key is refused with ODOO_EAUTH; GetSecretValue reads a
 * secret into session options; the failure paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "odoo.h"
#include "sinks_test.h"

static odoo_aws_credentials *keys(const char *akid, const char *secret)
{
    odoo_aws_credentials_options o = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_aws_credentials *c = NULL;
    o.access_key_id = akid;
    o.secret_access_key = secret;
    assert_int_equal(odoo_aws_credentials_new(&c, &o), ODOO_OK);
    return c;
}

static odoo_aws_secrets *secrets(odoo_aws_credentials *c)
{
    odoo_aws_options o = ODOO_AWS_OPTIONS_INIT;
    odoo_aws_secrets *sm = NULL;
    o.credentials = c; /* NULL: the chain (the environment's moto key) */
    if (odoo_aws_secrets_new(&sm, &o) != ODOO_OK)
        fail_msg("secrets: %s", odoo_error_message(odoo_aws_secrets_last_error(sm)));
    return sm;
}

static void test_signature_accepted(void **state)
{
    odoo_aws_secrets *sm = secrets(NULL);
    char *s = NULL;
    (void)state;
    /* the endpoint came from AWS_ENDPOINT_URL_SECRETS_MANAGER */
    assert_string_equal(odoo_aws_secrets_endpoint(sm), st_env("ODOO_TEST_MOTO_URL"));
    ST_ASSERT_RC(odoo_aws_secrets_get_string(sm, &s, "libodoo/test/session"), ODOO_OK,
                 odoo_aws_secrets_last_error(sm));
    assert_non_null(strstr(s, "\"ODOO_DB\": \"acme\""));
    odoo_aws_free_secret(s);
    odoo_aws_secrets_free(sm);
}

static void test_wrong_secret_key_refused(void **state)
{
    static const char wrong[] = "wrong-secret-key-0123456789abcdef";
    odoo_aws_credentials *c = keys(st_env("ODOO_TEST_MOTO_ACCESS_KEY_ID"), wrong);
    odoo_aws_secrets *sm = secrets(c);
    const odoo_error *e;
    char *s = NULL;
    (void)state;
    odoo_aws_credentials_free(c); /* the client keeps its own reference */
    assert_int_equal(odoo_aws_secrets_get_string(sm, &s, "libodoo/test/session"), ODOO_EAUTH);
    assert_null(s);
    e = odoo_aws_secrets_last_error(sm);
    assert_string_equal(odoo_error_class(e), "SignatureDoesNotMatch");
    assert_int_equal(odoo_error_http_status(e), 403);
    assert_false(odoo_error_retryable(e));
    assert_null(strstr(odoo_error_message(e), wrong));
    assert_non_null(strstr(odoo_error_message(e), "signature"));
    odoo_aws_secrets_free(sm);
}

static void test_unknown_access_key_refused(void **state)
{
    odoo_aws_credentials *c = keys("AKIAUNKNOWN000000000", "whatever");
    odoo_aws_secrets *sm = secrets(c);
    char *s = NULL;
    (void)state;
    assert_int_equal(odoo_aws_secrets_get_string(sm, &s, "libodoo/test/session"), ODOO_EAUTH);
    assert_string_equal(odoo_error_class(odoo_aws_secrets_last_error(sm)), "InvalidClientTokenId");
    odoo_aws_credentials_free(c);
    odoo_aws_secrets_free(sm);
}

/* The same checks with the DynamoDB service name in the signature's scope. */
static void test_dynamodb_signature_on_moto(void **state)
{
    odoo_aws_options o = ODOO_AWS_OPTIONS_INIT;
    odoo_aws_credentials *bad = keys(st_env("ODOO_TEST_MOTO_ACCESS_KEY_ID"), "wrong");
    odoo_dynamodb *db = NULL;
    json_t *req = json_object(), *ans = NULL;
    (void)state;
    o.endpoint = st_env("ODOO_TEST_MOTO_URL");
    assert_int_equal(odoo_dynamodb_new(&db, &o), ODOO_OK);
    ST_ASSERT_RC(odoo_dynamodb_create_table(db, "signed", "id", ODOO_DYNAMODB_N, NULL,
                                            ODOO_DYNAMODB_S, 10000),
                 ODOO_OK, odoo_dynamodb_last_error(db));
    ST_ASSERT_RC(odoo_dynamodb_call(db, &ans, "ListTables", req), ODOO_OK,
                 odoo_dynamodb_last_error(db));
    assert_string_equal(json_string_value(json_array_get(json_object_get(ans, "TableNames"), 0)),
                        "signed");
    json_decref(ans);
    odoo_dynamodb_free(db);
    o.credentials = bad;
    assert_int_equal(odoo_dynamodb_new(&db, &o), ODOO_OK);
    assert_int_equal(odoo_dynamodb_call(db, &ans, "ListTables", req), ODOO_EAUTH);
    assert_string_equal(odoo_error_class(odoo_dynamodb_last_error(db)), "SignatureDoesNotMatch");
    assert_null(ans);
    odoo_dynamodb_free(db);
    odoo_aws_credentials_free(bad);
    json_decref(req);
}

static void test_secret_to_session_options(void **state)
{
    odoo_aws_secrets *sm = secrets(NULL);
    odoo_session_options *so = NULL;
    odoo_client_options co = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *client = NULL;
    (void)state;
    assert_int_equal(odoo_session_options_new(&so), ODOO_OK);
    ST_ASSERT_RC(odoo_aws_secrets_get_session(sm, so, "libodoo/test/session"), ODOO_OK,
                 odoo_aws_secrets_last_error(sm));
    assert_string_equal(odoo_session_options_url(so), "https://acme.odoo.example");
    assert_string_equal(odoo_session_options_database(so), "acme");
    assert_string_equal(odoo_session_options_login(so), "sync@acme.example");
    assert_true(odoo_session_options_has_password(so));
    assert_int_equal(odoo_session_options_fill(so, &co), ODOO_OK);
    assert_string_equal(co.password, "s3cret-Päss-word");
    assert_int_equal(odoo_client_new(&client, &co), ODOO_OK);
    odoo_client_free(client);

    ST_ASSERT_RC(odoo_aws_secrets_get_session(sm, so, "libodoo/test/apikey"), ODOO_OK,
                 odoo_aws_secrets_last_error(sm));
    assert_string_equal(odoo_session_options_login(so), "integration");
    assert_true(odoo_session_options_has_api_key(so));
    assert_false(odoo_session_options_has_password(so));
    assert_int_equal(odoo_session_options_fill(so, &co), ODOO_OK);
    assert_string_equal(co.api_key, "0123456789abcdef0123456789abcdef01234567");
    assert_null(co.password);
    odoo_session_options_free(so);
    odoo_aws_secrets_free(sm);
}

static void expect_bad_secret(odoo_aws_secrets *sm, const char *id, int code, const char *needle,
                              const char *secret_value)
{
    odoo_session_options *so = NULL;
    const char *msg;
    assert_int_equal(odoo_session_options_new(&so), ODOO_OK);
    assert_int_equal(odoo_aws_secrets_get_session(sm, so, id), code);
    msg = odoo_error_message(odoo_aws_secrets_last_error(sm));
    if (!strstr(msg, needle))
        fail_msg("%s: message \"%s\" lacks \"%s\"", id, msg, needle);
    if (secret_value && strstr(msg, secret_value))
        fail_msg("%s: message \"%s\" shows the secret", id, msg);
    assert_null(odoo_session_options_url(so));
    odoo_session_options_free(so);
}

static void test_secret_failures(void **state)
{
    odoo_aws_secrets *sm = secrets(NULL);
    char *s = NULL;
    (void)state;
    expect_bad_secret(sm, "libodoo/test/missing-db", ODOO_EINVAL, "ODOO_DB is missing",
                      "hunter2-missing-db");
    expect_bad_secret(sm, "libodoo/test/no-credentials", ODOO_EINVAL,
                      "ODOO_PASSWORD or ODOO_API_KEY is missing", NULL);
    expect_bad_secret(sm, "libodoo/test/not-json", ODOO_EINVAL, "not valid JSON",
                      "hunter2-not-json-secret");
    expect_bad_secret(sm, "libodoo/test/does-not-exist", ODOO_ENOTFOUND,
                      "ResourceNotFoundException", NULL);
    assert_string_equal(odoo_error_class(odoo_aws_secrets_last_error(sm)),
                        "ResourceNotFoundException");
    expect_bad_secret(sm, "libodoo/test/binary", ODOO_EPROTOCOL, "no SecretString", NULL);
    assert_int_equal(odoo_aws_secrets_get_string(sm, &s, ""), ODOO_EINVAL);
    assert_int_equal(odoo_aws_secrets_get_string(sm, NULL, "x"), ODOO_EINVAL);
    odoo_aws_secrets_free(sm);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_accepted),
        cmocka_unit_test(test_wrong_secret_key_refused),
        cmocka_unit_test(test_unknown_access_key_refused),
        cmocka_unit_test(test_dynamodb_signature_on_moto),
        cmocka_unit_test(test_secret_to_session_options),
        cmocka_unit_test(test_secret_failures),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
