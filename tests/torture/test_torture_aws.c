// SPDX-License-Identifier: MIT
/*
 * Allocation-failure torture of the AWS side (see test_torture.c for the
 * method and torture.h for the harness): the k-th allocation fails along
 *
 *  - the credentials chain: the environment (with a session token and an
 *    expiry), a profile of the shared credentials file, a profile found only
 *    in the config file, and the container credentials endpoint
 *    (odoo_aws_credentials_new + odoo_aws_credentials_resolve); afterwards
 *    the same source resolves and has the expected key;
 *  - the Secrets Manager secret parse (odoo_session_options_set_json over
 *    options that hold another secret): on failure the options are left as
 *    they were, the only possible failure of a valid secret is ODOO_ENOMEM;
 *    afterwards the same options take the secret;
 *  - the DynamoDB sink against DynamoDB Local: odoo_dynamodb_new,
 *    odoo_dynamodb_sink_open (key schema by DescribeTable), 30 puts
 *    (BatchWriteItem, 2 requests in flight) and close; and the conditional
 *    mode (PutItem with a version condition) with a dead-letter file and a
 *    record without its key. Every record a put accepted is, after a close
 *    that returned ODOO_OK, in the table (or, conditional mode, in the
 *    dead-letter file); a record counted as written is in the table. Then a
 *    new sink on the same client writes every record.
 *
 * Each case runs under tests/sinks/run_with_aws.py, with the servers it
 * needs (see CMakeLists.txt): DynamoDB Local for the sink cases, the
 * container credentials server for the container case.
 */
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
#include "torture.h"

/* ---- the credentials chain ------------------------------------------------------------- */

static void creds_check(const char *what, long k, int rc, odoo_aws_credentials *c)
{
    char msg[512];
    int code;
    if (rc == ODOO_OK)
        return;
    check_rc(what, k, rc, NULL);
    if (!c)
        return; /* odoo_aws_credentials_new failed: no object to hold a detail */
    code = odoo_aws_credentials_last_error(c, msg, sizeof(msg));
    if (code != rc)
        fail_msg("%s: k=%ld: returned %s but the last error says %s", what, k,
                 odoo_error_name(rc), odoo_error_name(code));
    if (!msg[0])
        fail_msg("%s: k=%ld: no message", what, k);
}

typedef struct creds_case {
    const char *what;
    const char *profile;     /* options.profile */
    const char *credentials; /* options.shared_credentials_file */
    const char *config;      /* options.config_file */
    const char *akid;        /* the key expected */
    const char *source;      /* odoo_aws_credentials_source() expected */
} creds_case;

static const creds_case *cur;

static int run_creds(long k, long *allocs)
{
    odoo_aws_credentials_options o = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_aws_credentials *c = NULL;
    char buf[256];
    int rc, again;

    o.profile = cur->profile;
    o.shared_credentials_file = cur->credentials;
    o.config_file = cur->config;
    arm(k);
    rc = odoo_aws_credentials_new(&c, &o);
    if (rc == ODOO_OK)
        rc = odoo_aws_credentials_resolve(c);
    *allocs = disarm();
    creds_check(cur->what, k, rc, c);
    if (rc != ODOO_OK && rc != ODOO_ENOMEM)
        fail_msg("%s: k=%ld: an allocation failure ended as %s", cur->what, k,
                 odoo_error_name(rc));
    if (!c) {
        if (rc == ODOO_OK)
            fail_msg("%s: k=%ld: ODOO_OK without credentials", cur->what, k);
        return rc;
    }
    if (rc == ODOO_OK && odoo_aws_credentials_fetch_count(c) != 1)
        fail_msg("%s: k=%ld: ODOO_OK after %lu fetches", cur->what, k,
                 odoo_aws_credentials_fetch_count(c));
    /* the same source resolves (again, or for the first time) */
    again = odoo_aws_credentials_resolve(c);
    if (again != ODOO_OK) {
        odoo_aws_credentials_last_error(c, buf, sizeof(buf));
        fail_msg("%s: k=%ld: then a resolve without failures gave %s: %s", cur->what, k,
                 odoo_error_name(again), buf);
    }
    odoo_aws_credentials_access_key_id(c, buf, sizeof(buf));
    if (strncmp(buf, cur->akid, strlen(cur->akid)) != 0)
        fail_msg("%s: k=%ld: key %s, expected %s", cur->what, k, buf, cur->akid);
    odoo_aws_credentials_source(c, buf, sizeof(buf));
    if (strcmp(buf, cur->source) != 0)
        fail_msg("%s: k=%ld: source %s, expected %s", cur->what, k, buf, cur->source);
    odoo_aws_credentials_free(c);
    return rc;
}

static const char credentials_file[] =
    "# a comment\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key = secret-default\n"
    "\n"
    "[torture]\n"
    "aws_access_key_id=AKIDTORTURE\n"
    "aws_secret_access_key = secret/torture+key\n"
    "aws_session_token = token-torture\n"
    "[other]\n"
    "aws_access_key_id = AKIDOTHER\n"
    "aws_secret_access_key = secret-other\n";

static const char config_file[] =
    "[default]\n"
    "region = eu-west-1\n"
    "[profile torture]\n"
    "region = eu-central-1\n"
    "output = json\n"
    "[profile cfgonly]\n"
    "region = us-east-1\n"
    "aws_access_key_id = AKIDCFGONLY\n"
    "aws_secret_access_key = secret-cfgonly\n"
    "[sso-session corp]\n"
    "sso_region = eu-west-1\n";

static void test_torture_credentials(void **state)
{
    char *dir = st_tmpdir(), *cred = st_path(dir, "credentials"), *conf = st_path(dir, "config");
    creds_case env = {"credentials (environment)", NULL, NULL, NULL, "AKIDENVTORTURE",
                      "environment"};
    creds_case prof = {"credentials (profile, credentials file)", "torture", NULL, NULL,
                       "AKIDTORTURE", "profile:torture"};
    creds_case cfg = {"credentials (profile, config file only)", "cfgonly", NULL, NULL,
                      "AKIDCFGONLY", "profile:cfgonly"};
    (void)state;
    st_write_file(cred, credentials_file);
    st_write_file(conf, config_file);
    prof.credentials = cfg.credentials = cred;
    prof.config = cfg.config = conf;

    st_setenv("AWS_ACCESS_KEY_ID", "AKIDENVTORTURE");
    st_setenv("AWS_SECRET_ACCESS_KEY", "secret-env-torture");
    st_setenv("AWS_SESSION_TOKEN", "token-env-torture");
    st_setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-02T03:04:05Z");
    cur = &env;
    torture(env.what, run_creds);
    cur = &prof;
    torture(prof.what, run_creds);
    cur = &cfg;
    torture(cfg.what, run_creds);
    st_rmdir(dir);
    free(cred);
    free(conf);
    free(dir);
}

static void test_torture_container_credentials(void **state)
{
    char url[512];
    creds_case ctr = {"credentials (container endpoint)", NULL, NULL, NULL, "ASIATESTCONTAINER",
                      "container"};
    (void)state;
    st_setenv("AWS_ACCESS_KEY_ID", NULL);
    st_setenv("AWS_SECRET_ACCESS_KEY", NULL);
    st_setenv("AWS_PROFILE", NULL);
    st_setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", NULL);
    snprintf(url, sizeof(url), "%s/creds", st_env("ODOO_TEST_CONTAINER_URL"));
    st_setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    st_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", st_env("ODOO_TEST_CONTAINER_TOKEN"));
    cur = &ctr;
    torture(ctr.what, run_creds);
}

/* ---- the Secrets Manager secret --------------------------------------------------------- */

static const char secret_a[] = "{\"ODOO_URL\": \"https://a.example.com\", \"ODOO_DB\": \"a\", "
                               "\"ODOO_USER\": \"a@example.com\", \"ODOO_PASSWORD\": \"pw-a\"}";
static const char secret_b[] =
    "{\"ODOO_URL\": \"https://b.example.com\", \"ODOO_DB\": \"b\", \"ODOO_EMAIL\": "
    "\"sync@b.example.com\", \"ODOO_PASSWORD\": \"pw-b \\\"q\\\" \\u00e9\", \"ODOO_API_KEY\": "
    "\"key-b-0123456789\", \"unrelated\": {\"nested\": [1, 2.5, null, true]}, \"note\": \"x\"}";

static odoo_session_options *so;

static void expect_secret(const char *what, long k, const char *url, const char *db,
                          const char *login, int api_key)
{
    odoo_client_options o;
    if (strcmp(odoo_session_options_url(so), url) != 0
        || strcmp(odoo_session_options_database(so), db) != 0
        || strcmp(odoo_session_options_login(so), login) != 0
        || !odoo_session_options_has_password(so)
        || odoo_session_options_has_api_key(so) != api_key)
        fail_msg("%s: k=%ld: the options hold %s, expected %s", what, k,
                 odoo_session_options_url(so), url);
    assert_int_equal(odoo_client_options_init(&o, ODOO_CLIENT_OPTIONS_VERSION), ODOO_OK);
    if (odoo_session_options_fill(so, &o) != ODOO_OK || strcmp(o.url, url) != 0 || !o.password)
        fail_msg("%s: k=%ld: fill", what, k);
}

static int run_secret(long k, long *allocs)
{
    int rc, again;
    /* the options hold secret A; B is read over it */
    assert_int_equal(odoo_session_options_set_json(so, secret_a), ODOO_OK);
    arm(k);
    rc = odoo_session_options_set_json(so, secret_b);
    *allocs = disarm();
    check_rc("secret", k, rc, odoo_session_options_last_error(so));
    if (rc != ODOO_OK && rc != ODOO_ENOMEM)
        fail_msg("secret: k=%ld: a valid secret refused with %s: %s", k, odoo_error_name(rc),
                 odoo_error_message(odoo_session_options_last_error(so)));
    if (rc == ODOO_OK)
        expect_secret("secret", k, "https://b.example.com", "b", "sync@b.example.com", 1);
    else /* left as it was */
        expect_secret("secret", k, "https://a.example.com", "a", "a@example.com", 0);
    again = odoo_session_options_set_json(so, secret_b);
    if (again != ODOO_OK)
        fail_msg("secret: k=%ld: then a parse without failures gave %s", k,
                 odoo_error_name(again));
    expect_secret("secret", k, "https://b.example.com", "b", "sync@b.example.com", 1);
    return rc;
}

static void test_torture_secret(void **state)
{
    (void)state;
    assert_int_equal(odoo_session_options_new(&so), ODOO_OK);
    torture("secret (session options from JSON)", run_secret);
    odoo_session_options_free(so);
    so = NULL;
}

/* ---- the DynamoDB sink ----------------------------------------------------------------- */

#define DDB_TABLE "torture"
#define DDB_RECORDS 30
#define DDB_COND_RECORDS 6

static odoo_dynamodb *checker; /* made without failures: reads the table */
static long ddb_serial;        /* each run writes its own keys */
static char *dead_dir;

static void ddb_setup(void)
{
    if (checker)
        return;
    checker = st_dynamodb(NULL);
    ST_ASSERT_RC(odoo_dynamodb_create_table(checker, DDB_TABLE, "id", ODOO_DYNAMODB_N, NULL,
                                            ODOO_DYNAMODB_S, 60000),
                 ODOO_OK, odoo_dynamodb_last_error(checker));
    dead_dir = st_tmpdir();
}

static void ddb_teardown(void)
{
    odoo_dynamodb_free(checker);
    checker = NULL;
    if (dead_dir) {
        st_rmdir(dead_dir);
        free(dead_dir);
        dead_dir = NULL;
    }
}

static json_t *ddb_records(long base, int n, int with_keyless)
{
    json_t *recs = json_array();
    char name[32];
    int i;
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "SO%06ld", base + i);
        json_array_append_new(
            recs, json_pack("{s:I, s:s, s:f, s:b, s:n, s:[I,s], s:{s:I, s:[s,s]}, s:s}", "id",
                            (json_int_t)(base + i), "name", name, "amount_total",
                            0.25 + (double)i, "active", i % 2, "note", "partner_id",
                            (json_int_t)(i % 7), "Z\xc3\xbcrich \"P\"", "lines", "count",
                            (json_int_t)i, "tags", "a", "b", "write_date",
                            "2024-05-06 12:00:00"));
    }
    if (with_keyless)
        json_array_append_new(recs, json_pack("{s:s, s:s}", "name", "no key", "write_date",
                                              "2024-05-06 12:00:00"));
    return recs;
}

/* The names stored under the records' keys (by BatchGetItem), as an object
 * id text -> name; checked without failures. */
static json_t *ddb_stored(json_t *recs)
{
    json_t *keys = json_array(), *req, *out = NULL, *found = json_object(), *item;
    size_t i;
    char id[32];
    for (i = 0; i < json_array_size(recs); i++) {
        json_t *idv = json_object_get(json_array_get(recs, i), "id");
        if (!idv)
            continue;
        snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(idv));
        json_array_append_new(keys, json_pack("{s:{s:s}}", "id", "N", id));
    }
    req = json_pack("{s:{s:{s:o, s:b}}}", "RequestItems", DDB_TABLE, "Keys", keys,
                    "ConsistentRead", 1);
    ST_ASSERT_RC(odoo_dynamodb_call(checker, &out, "BatchGetItem", req), ODOO_OK,
                 odoo_dynamodb_last_error(checker));
    if (json_array_size(json_object_get(json_object_get(out, "UnprocessedKeys"), DDB_TABLE)))
        fail_msg("BatchGetItem left keys unprocessed");
    json_array_foreach(json_object_get(json_object_get(out, "Responses"), DDB_TABLE), i, item) {
        json_object_set(found, json_string_value(json_object_get(json_object_get(item, "id"), "N")),
                        json_object_get(json_object_get(item, "name"), "S"));
    }
    json_decref(out);
    json_decref(req);
    return found;
}

/* The ids of the records of a dead-letter file, as an object id text -> true
 * ("record" of a record that could not be mapped, "item" otherwise). */
static json_t *ddb_dead(const char *path, int *keyless)
{
    json_t *ids = json_object();
    char *text = st_read_file(path, NULL), *line, *save = NULL;
    *keyless = 0;
    for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        json_error_t jerr;
        json_t *d = json_loads(line, 0, &jerr), *item = json_object_get(d, "item"), *rec;
        if (!d)
            fail_msg("dead-letter file: a line that is not JSON: %s", jerr.text);
        if (item) {
            json_object_set_new(ids,
                                json_string_value(json_object_get(json_object_get(item, "id"), "N")),
                                json_true());
        } else if ((rec = json_object_get(d, "record")) != NULL) {
            if (json_object_get(rec, "id")) {
                char id[32];
                snprintf(id, sizeof(id), "%lld",
                         (long long)json_integer_value(json_object_get(rec, "id")));
                json_object_set_new(ids, id, json_true());
            } else {
                (*keyless)++;
            }
        } else {
            fail_msg("dead-letter file: a line without item or record");
        }
        json_decref(d);
    }
    free(text);
    return ids;
}

typedef struct ddb_case {
    const char *what;
    int conditional;
    int n;
} ddb_case;

static const ddb_case *dcur;

static void sink_options(odoo_dynamodb_sink_options *so_, const char *dead_path)
{
    assert_int_equal(odoo_dynamodb_sink_options_init(so_, ODOO_DYNAMODB_SINK_OPTIONS_VERSION),
                     ODOO_OK);
    so_->table = DDB_TABLE; /* the key schema by DescribeTable */
    so_->concurrency = 2;
    so_->retry_base_ms = 1;
    so_->retry_max_ms = 5;
    so_->mode = dcur->conditional ? ODOO_DYNAMODB_CONDITIONAL : ODOO_DYNAMODB_BATCH;
    so_->dead_letter_path = dead_path;
}

/* Put the records (stopping at the first refusal), then close. *accepted:
 * how many puts returned ODOO_OK. The first failure is checked as it
 * happens and returned. */
static int ddb_write(long k, odoo_dynamodb *db, odoo_sink **s, json_t *recs, const char *dead,
                     size_t *accepted, int *close_rc)
{
    odoo_dynamodb_sink_options o;
    size_t i;
    int rc, crc;
    sink_options(&o, dead);
    *accepted = 0;
    *close_rc = ODOO_ERROR;
    rc = odoo_dynamodb_sink_open(s, db, &o);
    if (rc != ODOO_OK) {
        check_rc("dynamodb sink: open", k, rc, *s ? odoo_sink_last_error(*s) : NULL);
        return rc;
    }
    for (i = 0; rc == ODOO_OK && i < json_array_size(recs); i++) {
        rc = odoo_sink_put(*s, json_array_get(recs, i));
        if (rc == ODOO_OK)
            (*accepted)++;
        else
            check_rc("dynamodb sink: put", k, rc, odoo_sink_last_error(*s));
    }
    /* what was accepted is written (or accounted for) by the close */
    crc = *close_rc = odoo_sink_close(*s);
    if (crc != ODOO_OK)
        check_rc("dynamodb sink: close", k, crc, odoo_sink_last_error(*s));
    return rc != ODOO_OK ? rc : crc;
}

static int run_ddb_sink(long k, long *allocs)
{
    odoo_aws_options ao = ODOO_AWS_OPTIONS_INIT;
    odoo_dynamodb *db = NULL;
    odoo_sink *s = NULL;
    long base = ++ddb_serial * 100;
    json_t *recs = ddb_records(base, dcur->n, dcur->conditional), *stored, *dead_ids = NULL;
    char dead[512];
    size_t accepted = 0, i;
    unsigned long long written = 0, keyless_expected;
    int rc, keyless = 0, close_rc = ODOO_ERROR, db_failed;

    ddb_setup();
    snprintf(dead, sizeof(dead), "%s/dead-%ld.jsonl", dead_dir, base);
    ao.retry_base_ms = 1;
    ao.retry_max_ms = 5;
    arm(k);
    rc = odoo_dynamodb_new(&db, &ao);
    db_failed = rc != ODOO_OK;
    if (rc != ODOO_OK)
        check_rc("dynamodb sink: client", k, rc, db ? odoo_dynamodb_last_error(db) : NULL);
    else
        rc = ddb_write(k, db, &s, recs, dcur->conditional ? dead : NULL, &accepted, &close_rc);
    *allocs = disarm();
    /* the records are valid and the servers well: only an allocation failed */
    if (rc != ODOO_OK && rc != ODOO_ENOMEM)
        fail_msg("%s: k=%ld: an allocation failure ended as %s: %s", dcur->what, k,
                 odoo_error_name(rc),
                 s ? odoo_error_message(odoo_sink_last_error(s))
                   : db ? odoo_error_message(odoo_dynamodb_last_error(db)) : "");
    if (s) {
        written = odoo_sink_stat(s, ODOO_SINK_WRITTEN);
        if (rc == ODOO_OK && odoo_sink_stat(s, ODOO_SINK_FAILED))
            fail_msg("%s: k=%ld: ODOO_OK with failed records", dcur->what, k);
    }
    odoo_sink_free(s);
    s = NULL;

    stored = ddb_stored(recs);
    if (dcur->conditional)
        dead_ids = ddb_dead(dead, &keyless);
    if (json_object_size(stored) < written)
        fail_msg("%s: k=%ld: %llu records counted as written, %zu in the table", dcur->what, k,
                 written, json_object_size(stored));
    /* every accepted record is stored or dead-lettered once the close succeeded */
    keyless_expected = dcur->conditional && accepted == json_array_size(recs) ? 1 : 0;
    if (close_rc == ODOO_OK) {
        for (i = 0; i < accepted; i++) {
            json_t *r = json_array_get(recs, i), *idv = json_object_get(r, "id");
            char id[32];
            if (!idv)
                continue;
            snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(idv));
            if (!json_equal(json_object_get(stored, id), json_object_get(r, "name"))
                && !(dead_ids && json_object_get(dead_ids, id)))
                fail_msg("%s: k=%ld: %s, the close succeeded, but record %s is neither in the "
                         "table nor dead-lettered",
                         dcur->what, k, odoo_error_name(rc), id);
        }
        if (dcur->conditional && (unsigned long long)keyless < keyless_expected)
            fail_msg("%s: k=%ld: the record without a key was not dead-lettered", dcur->what, k);
    }
    if (rc == ODOO_OK && !dcur->conditional && json_object_size(stored) != (size_t)dcur->n)
        fail_msg("%s: k=%ld: ODOO_OK but %zu of %d records in the table", dcur->what, k,
                 json_object_size(stored), dcur->n);
    json_decref(stored);
    json_decref(dead_ids);

    /* the same client works (a fresh one when its creation failed: such a
     * client only holds the error): a new sink writes every record */
    if (db_failed) {
        odoo_dynamodb_free(db);
        db = st_dynamodb(NULL);
    }
    if (db) {
        int again = ddb_write(0, db, &s, recs, dcur->conditional ? dead : NULL, &accepted,
                              &close_rc);
        if (again != ODOO_OK)
            fail_msg("%s: k=%ld: then a sink without failures gave %s: %s", dcur->what, k,
                     odoo_error_name(again), odoo_error_message(odoo_sink_last_error(s)));
        odoo_sink_free(s);
        stored = ddb_stored(recs);
        if (json_object_size(stored) != (size_t)dcur->n)
            fail_msg("%s: k=%ld: then a sink without failures stored %zu of %d records",
                     dcur->what, k, json_object_size(stored), dcur->n);
        json_decref(stored);
    }
    odoo_dynamodb_free(db);
    json_decref(recs);
    return rc;
}

static void test_torture_dynamodb_sink(void **state)
{
    static const ddb_case batch = {"dynamodb sink (batch)", 0, DDB_RECORDS};
    (void)state;
    dcur = &batch;
    torture_max(batch.what, run_ddb_sink, 1000);
    ddb_teardown();
}

static void test_torture_dynamodb_sink_conditional(void **state)
{
    static const ddb_case cond = {"dynamodb sink (conditional, dead letters)", 1,
                                  DDB_COND_RECORDS};
    (void)state;
    dcur = &cond;
    torture_max(cond.what, run_ddb_sink, 1000);
    ddb_teardown();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torture_credentials),
        cmocka_unit_test(test_torture_container_credentials),
        cmocka_unit_test(test_torture_secret),
        cmocka_unit_test(test_torture_dynamodb_sink),
        cmocka_unit_test(test_torture_dynamodb_sink_conditional),
    };
    /* before any JSON value exists: jansson's allocations share the counter */
    torture_init();
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
