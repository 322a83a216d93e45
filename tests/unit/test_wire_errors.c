// SPDX-License-Identifier: MIT
/*
 * Every JSON-RPC capture from a real Odoo (tests/wire, copied from the
 * odoo-wire recordings) goes through the answer parser; the result must be
 * the error code, class, message, JSON-RPC code and HTTP status the table
 * below names, or the exact result the server sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <cmocka.h>

#include "internal.h"

#ifndef ODOO_WIRE_DIR
#error "ODOO_WIRE_DIR must name the tests/wire directory"
#endif

typedef struct {
    const char *file; /* relative to ODOO_WIRE_DIR */
    int code;         /* expected odoo_error_code */
} wire_case;

/* JSON-RPC and plain HTTP answers. The JSON-2 captures (v19/103-139) are
 * not JSON-RPC and are parsed by the JSON-2 transport. */
static const wire_case cases[] = {
    {"01-version-info-get.json", ODOO_EHTTP},
    {"02-version-info-post.json", ODOO_OK},
    {"03-version-info-post-jsonrpc.json", ODOO_OK},
    {"04-database-list.json", ODOO_OK},
    {"05-database-list-get.json", ODOO_EHTTP},
    {"10-session-authenticate-ok.json", ODOO_OK},
    {"11-session-authenticate-wrong-password.json", ODOO_EAUTH},
    {"12-session-authenticate-wrong-login.json", ODOO_EAUTH},
    /* AccessError; the login turns any refusal of authenticate into EAUTH */
    {"13-session-authenticate-wrong-db.json", ODOO_EACCESS},
    {"14-session-authenticate-apikey-as-password.json", ODOO_EAUTH},
    {"15-session-authenticate-missing-params.json", ODOO_ESERVER},
    {"16-session-authenticate-no-params.json", ODOO_ESERVER},
    {"17-session-get-session-info.json", ODOO_OK},
    {"18-session-check.json", ODOO_OK},
    {"19-session-authenticate-with-cookie.json", ODOO_OK},
    {"20-call-kw-search-read-sale-order.json", ODOO_OK},
    {"21-call-kw-path-search-read-sale-order.json", ODOO_OK},
    {"22-call-kw-search-count.json", ODOO_OK},
    {"23-call-kw-search.json", ODOO_OK},
    {"24-call-kw-read.json", ODOO_OK},
    {"25-call-kw-read-missing-id.json", ODOO_OK},
    {"26-call-kw-fields-get.json", ODOO_OK},
    {"27-call-kw-fields-get-full-one-field.json", ODOO_OK},
    {"28-call-kw-read-mixed-missing.json", ODOO_OK},
    {"30-call-kw-create-single.json", ODOO_OK},
    {"31-call-kw-create-batch.json", ODOO_OK},
    {"32-call-kw-read-non-ascii.json", ODOO_OK},
    {"33-call-kw-write-ok.json", ODOO_OK},
    {"34-call-kw-write-bad-selection.json", ODOO_ESERVER},
    {"35-call-kw-write-bad-type.json", ODOO_EVALIDATION},
    {"36-call-kw-write-validation-error.json", ODOO_EVALIDATION},
    {"37-call-kw-write-missing-record.json", ODOO_EMISSING},
    {"38-call-kw-create-missing-required.json", ODOO_EVALIDATION},
    {"39-call-kw-unlink.json", ODOO_OK},
    {"40-call-kw-unknown-model.json", ODOO_ENOTFOUND},
    {"41-call-kw-unknown-method.json", ODOO_ENOTFOUND},
    {"42-call-kw-private-method.json", ODOO_EACCESS},
    {"43-call-kw-action-confirm.json", ODOO_OK},
    {"44-call-kw-user-error-unlink-confirmed.json", ODOO_EUSER},
    {"45-call-kw-name-search.json", ODOO_OK},
    {"46-call-kw-search-read-order-lines.json", ODOO_OK},
    {"47-call-kw-domain-prefix-operators.json", ODOO_OK},
    {"48-call-kw-bad-domain.json", ODOO_ESERVER},
    {"49-call-kw-context-lang-tz-company.json", ODOO_OK},
    {"50-call-kw-context-bad-company.json", ODOO_EACCESS},
    {"51-call-kw-web-search-read.json", ODOO_OK},
    {"52-call-kw-read-group.json", ODOO_OK},
    {"53-call-kw-missing-kwargs.json", ODOO_ESERVER},
    {"54-call-kw-huge-limit.json", ODOO_OK},
    {"55-call-kw-string-id.json", ODOO_OK},
    {"56-call-button.json", ODOO_OK},
    {"57-session-authenticate-limited.json", ODOO_OK},
    {"58-call-kw-access-error.json", ODOO_EACCESS},
    {"59-call-kw-access-error-write.json", ODOO_EACCESS},
    {"60-call-kw-no-cookie.json", ODOO_ESESSION},
    {"61-call-kw-garbage-cookie.json", ODOO_ESESSION},
    {"62-session-destroy.json", ODOO_OK},
    {"63-call-kw-after-destroy.json", ODOO_ESESSION},
    {"64-session-logout-get.json", ODOO_EHTTP},
    {"65-call-kw-after-logout.json", ODOO_ESESSION},
    {"66-call-kw-bearer-apikey.json", ODOO_ESESSION},
    {"67-json1-bearer-redirect.json", ODOO_EHTTP},
    /* /json/1 answers bare JSON, not a JSON-RPC envelope */
    {"68-json1-bearer-ok.json", ODOO_EPROTOCOL},
    {"69-json1-bad-bearer.json", ODOO_EHTTP},
    {"70-jsonrpc-common-version.json", ODOO_OK},
    {"71-jsonrpc-common-login.json", ODOO_OK},
    {"72-jsonrpc-common-login-wrong.json", ODOO_OK},
    {"73-jsonrpc-common-authenticate.json", ODOO_OK},
    {"74-jsonrpc-common-authenticate-apikey.json", ODOO_OK},
    {"75-jsonrpc-execute-kw-password.json", ODOO_OK},
    {"76-jsonrpc-execute-kw-apikey.json", ODOO_OK},
    {"77-jsonrpc-execute-kw-wrong-password.json", ODOO_EAUTH},
    {"78-jsonrpc-execute-kw-user-error.json", ODOO_EUSER},
    {"79-jsonrpc-execute-kw-access-error.json", ODOO_EACCESS},
    {"80-jsonrpc-execute-kw-unknown-model.json", ODOO_ENOTFOUND},
    {"81-jsonrpc-execute-kw-wrong-db.json", ODOO_ESERVER},
    {"82-jsonrpc-db-list.json", ODOO_OK},
    {"83-jsonrpc-db-server-version.json", ODOO_OK},
    {"84-jsonrpc-unknown-service.json", ODOO_ESERVER},
    {"85-jsonrpc-unknown-method.json", ODOO_ESERVER},
    {"86-jsonrpc-params-array.json", ODOO_ESERVER},
    {"87-jsonrpc-invalid-json.json", ODOO_EHTTP},
    {"88-jsonrpc-array-body.json", ODOO_EHTTP},
    {"89-jsonrpc-oversized-body.json", ODOO_ESERVER},
    {"90-jsonrpc-get.json", ODOO_EHTTP},
    {"91-unknown-route-post-json.json", ODOO_EHTTP},
    {"92-unknown-route-post-form.json", ODOO_EHTTP},
    {"93-unknown-route-get.json", ODOO_EHTTP},
    {"94-call-kw-invalid-json.json", ODOO_ESERVER},
    {"95-call-kw-text-plain.json", ODOO_EHTTP},
    {"96-call-kw-json-array-body.json", ODOO_ESERVER},
    {"97-call-kw-no-content-type.json", ODOO_EHTTP},
    {"98-call-kw-jsonrpc-content-type.json", ODOO_OK},
    {"99-json2-route.json", ODOO_EHTTP},
    /* /web/version answers bare JSON */
    {"v19/100-web-version-get.json", ODOO_EPROTOCOL},
    {"v19/101-version-info-post.json", ODOO_OK},
    {"v19/102-jsonrpc-common-version.json", ODOO_OK},
    {"v19/140-session-authenticate-ok.json", ODOO_OK},
    {"v19/141-session-authenticate-apikey.json", ODOO_EAUTH},
    {"v19/142-call-kw-search-read.json", ODOO_OK},
    {"v19/143-call-kw-garbage-cookie.json", ODOO_ESESSION},
    {"v19/144-jsonrpc-execute-kw-apikey.json", ODOO_OK},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

typedef struct {
    json_t *capture;
    long status;
    const char *content_type;
    char *body;
    size_t len;
} answer;

static void load_answer(const char *file, answer *a)
{
    char path[1024];
    json_error_t jerr;
    json_t *resp, *raw, *body, *headers;

    snprintf(path, sizeof(path), "%s/%s", ODOO_WIRE_DIR, file);
    a->capture = json_load_file(path, 0, &jerr);
    if (!a->capture)
        fail_msg("%s: %s", path, jerr.text);
    resp = json_object_get(a->capture, "response");
    a->status = (long)json_integer_value(json_object_get(resp, "status"));
    headers = json_object_get(resp, "headers");
    a->content_type = json_string_value(json_object_get(headers, "Content-Type"));
    raw = json_object_get(resp, "body_raw");
    body = json_object_get(resp, "body");
    if (json_is_string(raw))
        a->body = strdup(json_string_value(raw));
    else if (json_is_string(body))
        a->body = strdup(json_string_value(body));
    else
        a->body = json_dumps(body, JSON_ENCODE_ANY); /* ", " and ": " like Odoo */
    assert_non_null(a->body);
    a->len = strlen(a->body);
}

static void free_answer(answer *a)
{
    json_decref(a->capture);
    free(a->body);
}

static void check_case(const wire_case *wc)
{
    answer a;
    odoo_error err;
    json_t *result = NULL, *body, *error, *data;
    int rc;

    load_answer(wc->file, &a);
    odoo__error_init(&err);
    rc = odoo__rpc_parse_response(&err, a.status, a.content_type, a.body, a.len, &result);
    if (rc != wc->code)
        fail_msg("%s: expected %s, got %s (%s)", wc->file, odoo_error_name(wc->code),
                 odoo_error_name(rc), odoo_error_message(&err));
    body = json_object_get(json_object_get(a.capture, "response"), "body");
    if (rc == ODOO_OK) {
        json_t *expected = json_object_get(body, "result");
        assert_non_null(result);
        if (!expected)
            assert_true(json_is_null(result)); /* no "result" member = None */
        else if (!json_equal(result, expected))
            fail_msg("%s: result differs from the capture", wc->file);
        assert_int_equal(odoo_error_get_code(&err), ODOO_OK);
    } else {
        assert_null(result);
        assert_int_equal(odoo_error_get_code(&err), rc);
        assert_int_equal(odoo_error_http_status(&err), a.status);
        assert_true(odoo_error_message(&err)[0] != '\0');
        error = json_object_get(body, "error");
        if (json_is_object(error)) {
            data = json_object_get(error, "data");
            assert_string_equal(odoo_error_class(&err),
                                json_string_value(json_object_get(data, "name")));
            assert_string_equal(odoo_error_message(&err),
                                json_string_value(json_object_get(data, "message")));
            assert_int_equal(odoo_error_rpc_code(&err),
                             json_integer_value(json_object_get(error, "code")));
            assert_int_equal(odoo_error_retryable(&err), rc == ODOO_ESESSION);
        } else {
            assert_string_equal(odoo_error_class(&err), "");
            assert_int_equal(odoo_error_rpc_code(&err), -1);
        }
    }
    json_decref(result);
    odoo__error_clear(&err);
    free_answer(&a);
}

static void test_every_capture(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < NCASES; i++)
        check_case(&cases[i]);
}

static int in_table(const char *file)
{
    size_t i;
    for (i = 0; i < NCASES; i++)
        if (strcmp(cases[i].file, file) == 0)
            return 1;
    return 0;
}

/* Every capture on disk is in the table (none forgotten), except the JSON-2
 * exchanges of Odoo 19, which are not JSON-RPC. */
static void check_dir_covered(const char *sub, size_t *seen)
{
    char path[1024], name[1200];
    DIR *d;
    struct dirent *de;
    snprintf(path, sizeof(path), "%s%s", ODOO_WIRE_DIR, sub);
    d = opendir(path);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        snprintf(name, sizeof(name), "%s%s%s", sub[0] ? sub + 1 : "", sub[0] ? "/" : "",
                 de->d_name);
        if (strstr(de->d_name, "-json2-") && sub[0])
            continue;
        if (!in_table(name))
            fail_msg("capture %s is not in the table", name);
        (*seen)++;
    }
    closedir(d);
}

static void test_table_covers_captures(void **state)
{
    size_t seen = 0;
    (void)state;
    check_dir_covered("", &seen);
    check_dir_covered("/v19", &seen);
    assert_int_equal(seen, NCASES);
}

static void test_html_pages_are_summarised(void **state)
{
    answer a;
    odoo_error err;
    json_t *result = NULL;
    (void)state;

    odoo__error_init(&err);
    load_answer("01-version-info-get.json", &a);
    assert_int_equal(odoo__rpc_parse_response(&err, a.status, a.content_type, a.body, a.len,
                                              &result),
                     ODOO_EHTTP);
    assert_string_equal(odoo_error_message(&err),
                        "HTTP 400: 400 Bad Request: Request inferred type is compatible with "
                        "['http'] but '/web/webclient/version_info' is type='json'.");
    assert_int_equal(odoo_error_retryable(&err), 0);
    free_answer(&a);

    load_answer("87-jsonrpc-invalid-json.json", &a);
    assert_int_equal(odoo__rpc_parse_response(&err, a.status, a.content_type, a.body, a.len,
                                              &result),
                     ODOO_EHTTP);
    assert_string_equal(odoo_error_message(&err), "HTTP 400: Invalid JSON data");
    free_answer(&a);

    load_answer("99-json2-route.json", &a);
    assert_int_equal(odoo__rpc_parse_response(&err, a.status, a.content_type, a.body, a.len,
                                              &result),
                     ODOO_EHTTP);
    assert_int_equal(odoo_error_http_status(&err), 303);
    assert_non_null(strstr(odoo_error_message(&err), "Redirecting..."));
    free_answer(&a);
    odoo__error_clear(&err);
}

static void test_multiline_message_kept(void **state)
{
    answer a;
    odoo_error err;
    json_t *result = NULL;
    (void)state;
    odoo__error_init(&err);
    load_answer("58-call-kw-access-error.json", &a);
    assert_int_equal(odoo__rpc_parse_response(&err, a.status, a.content_type, a.body, a.len,
                                              &result),
                     ODOO_EACCESS);
    assert_non_null(strchr(odoo_error_message(&err), '\n'));
    assert_non_null(strstr(odoo_error_debug(&err), "Traceback"));
    free_answer(&a);
    odoo__error_clear(&err);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_capture),
        cmocka_unit_test(test_table_covers_captures),
        cmocka_unit_test(test_html_pages_are_summarised),
        cmocka_unit_test(test_multiline_message_kept),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
