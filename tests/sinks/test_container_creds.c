// SPDX-License-Identifier: MIT
/* The container credentials endpoint step of the chain, against
 * tests/sinks/container_creds_server.py (run_with_aws.py --container):
 * the authorization token (variable or file), expiry and refresh, a failed
 * refresh that keeps valid credentials, and the failure paths. */
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

static char *tmp;

static int setup(void **state)
{
    (void)state;
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    st_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", st_env("ODOO_TEST_CONTAINER_TOKEN"));
    tmp = st_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    st_rmdir(tmp);
    free(tmp);
    return 0;
}

static void use_path(const char *path)
{
    char url[512];
    snprintf(url, sizeof(url), "%s%s", st_env("ODOO_TEST_CONTAINER_URL"), path);
    st_setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
}

static odoo_aws_credentials *chain(long margin)
{
    odoo_aws_credentials_options o = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_aws_credentials *c = NULL;
    o.refresh_margin_s = margin;
    assert_int_equal(odoo_aws_credentials_new(&c, &o), ODOO_OK);
    return c;
}

static void resolve_ok(odoo_aws_credentials *c)
{
    char msg[512];
    int rc = odoo_aws_credentials_resolve(c);
    if (rc != ODOO_OK) {
        odoo_aws_credentials_last_error(c, msg, sizeof(msg));
        fail_msg("resolve: %s: %s", odoo_error_name(rc), msg);
    }
}

static long long server_stat(const char *name)
{
    char url[512];
    json_t *ans = NULL;
    long long v;
    snprintf(url, sizeof(url), "%s/__stats", st_env("ODOO_TEST_CONTAINER_URL"));
    assert_int_equal(st_http_json("GET", url, NULL, &ans), 200);
    v = json_integer_value(json_object_get(ans, name));
    json_decref(ans);
    return v;
}

static void test_container_credentials(void **state)
{
    odoo_aws_credentials *c = chain(300);
    odoo__aws_keys k = {NULL, NULL, NULL};
    odoo_error err;
    char buf[128], first[128];
    long long now = odoo__unix_now();
    (void)state;
    odoo__error_init(&err);
    use_path("/creds");
    resolve_ok(c);
    odoo_aws_credentials_source(c, buf, sizeof(buf));
    assert_string_equal(buf, "container");
    odoo_aws_credentials_access_key_id(c, first, sizeof(first));
    assert_true(strncmp(first, "ASIATESTCONTAINER", 17) == 0);
    assert_true(odoo_aws_credentials_expiration(c) > now + 3000);
    assert_true(odoo_aws_credentials_expiration(c) < now + 3700);
    assert_int_equal(odoo__aws_credentials_get(c, &k, &err), ODOO_OK);
    assert_true(strncmp(k.secret_access_key, "container-secret-", 17) == 0);
    assert_true(strncmp(k.session_token, "container-session-token-", 24) == 0);
    odoo__aws_keys_dispose(&k);
    /* cached: an hour is far from the 300 s margin */
    resolve_ok(c);
    odoo_aws_credentials_access_key_id(c, buf, sizeof(buf));
    assert_string_equal(buf, first);
    assert_int_equal(odoo_aws_credentials_fetch_count(c), 1);
    odoo_aws_credentials_free(c);
    odoo__error_clear(&err);
}

static void test_refresh_before_expiry(void **state)
{
    odoo_aws_credentials *c;
    char a[128], b[128];
    (void)state;
    /* credentials that expire in 60 s, a 120 s margin: every use refreshes */
    use_path("/creds?expires_in=60");
    c = chain(120);
    resolve_ok(c);
    odoo_aws_credentials_access_key_id(c, a, sizeof(a));
    resolve_ok(c);
    odoo_aws_credentials_access_key_id(c, b, sizeof(b));
    assert_string_not_equal(a, b);
    assert_int_equal(odoo_aws_credentials_fetch_count(c), 2);
    /* the endpoint fails now: the credentials are still valid, so they stay */
    use_path("/creds-500");
    resolve_ok(c);
    odoo_aws_credentials_access_key_id(c, a, sizeof(a));
    assert_string_equal(a, b);
    assert_int_equal(odoo_aws_credentials_fetch_count(c), 2);
    odoo_aws_credentials_free(c);
    /* a 10 s margin: cached */
    use_path("/creds?expires_in=60");
    c = chain(10);
    resolve_ok(c);
    resolve_ok(c);
    assert_int_equal(odoo_aws_credentials_fetch_count(c), 1);
    odoo_aws_credentials_free(c);
}

static void test_token_file(void **state)
{
    char *path = st_path(tmp, "token");
    char *content;
    odoo_aws_credentials *c;
    size_t n;
    (void)state;
    n = strlen(st_env("ODOO_TEST_CONTAINER_TOKEN")) + 2;
    content = malloc(n);
    snprintf(content, n, "%s\n", st_env("ODOO_TEST_CONTAINER_TOKEN"));
    st_write_file(path, content);
    st_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token"); /* the file wins */
    st_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path);
    use_path("/creds");
    c = chain(300);
    resolve_ok(c);
    odoo_aws_credentials_free(c);
    st_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", NULL);
    free(content);
    free(path);
}

static void test_failures(void **state)
{
    odoo_aws_credentials *c;
    char msg[512];
    long long unauthorized = server_stat("unauthorized");
    (void)state;
    use_path("/creds");
    st_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token");
    c = chain(300);
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EAUTH);
    odoo_aws_credentials_last_error(c, msg, sizeof(msg));
    assert_non_null(strstr(msg, "401"));
    assert_null(strstr(msg, "wrong-token"));
    assert_int_equal(server_stat("unauthorized"), unauthorized + 1);
    odoo_aws_credentials_free(c);
    st_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", st_env("ODOO_TEST_CONTAINER_TOKEN"));

    use_path("/creds-bad-json");
    c = chain(300);
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EPROTOCOL);
    odoo_aws_credentials_last_error(c, msg, sizeof(msg));
    assert_null(strstr(msg, "container-secret-leak"));
    odoo_aws_credentials_free(c);

    use_path("/creds-missing");
    c = chain(300);
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EPROTOCOL);
    odoo_aws_credentials_free(c);

    use_path("/creds-500");
    c = chain(300);
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EHTTP);
    odoo_aws_credentials_free(c);

    /* plain http to a host that is neither loopback nor the container host:
     * refused before any connection */
    st_setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://credentials.example.com/creds");
    c = chain(300);
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EINVAL);
    odoo_aws_credentials_free(c);

    /* a line break in the token could inject a header */
    use_path("/creds");
    st_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "abc\r\nX-Evil: 1");
    c = chain(300);
    assert_int_equal(odoo_aws_credentials_resolve(c), ODOO_EINVAL);
    odoo_aws_credentials_free(c);
}

static void test_environment_comes_before_container(void **state)
{
    odoo_aws_credentials *c;
    char buf[64];
    (void)state;
    use_path("/creds");
    st_setenv("AWS_ACCESS_KEY_ID", "AKIDENVFIRST");
    st_setenv("AWS_SECRET_ACCESS_KEY", "secret");
    c = chain(300);
    resolve_ok(c);
    odoo_aws_credentials_source(c, buf, sizeof(buf));
    assert_string_equal(buf, "environment");
    odoo_aws_credentials_free(c);
    st_setenv("AWS_ACCESS_KEY_ID", NULL);
    st_setenv("AWS_SECRET_ACCESS_KEY", NULL);
    c = chain(300);
    resolve_ok(c);
    odoo_aws_credentials_source(c, buf, sizeof(buf));
    assert_string_equal(buf, "container");
    odoo_aws_credentials_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_container_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_before_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment_comes_before_container, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
