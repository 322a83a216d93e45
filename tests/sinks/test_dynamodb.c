// SPDX-License-Identifier: MIT
/* The DynamoDB client and sink against Amazon DynamoDB Local, through the
 * fault-injecting proxy (tests/sinks/ddb_fault_proxy.py). Run by
 * run_with_aws.py --proxy, which exports AWS_ENDPOINT_URL_DYNAMODB (the
 * proxy), ODOO_TEST_DYNAMODB_URL (DynamoDB Local itself, for checking) and
 * ODOO_TEST_PROXY_URL (the proxy's control API). */
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

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = st_tmpdir();
    st_proxy_faults("{}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    st_rmdir(dir);
    free(dir);
    return 0;
}

/* A client through the proxy (the environment's endpoint: no code change). */
static odoo_dynamodb *proxied(void)
{
    return st_dynamodb(NULL);
}

/* A client straight to DynamoDB Local, for checking what was stored. */
static odoo_dynamodb *direct(void)
{
    return st_dynamodb(st_env("ODOO_TEST_DYNAMODB_URL"));
}

static char *new_table(odoo_dynamodb *db, const char *pk, odoo_dynamodb_type pt, const char *sk,
                       odoo_dynamodb_type stype)
{
    char *name = st_unique("orders");
    ST_ASSERT_RC(odoo_dynamodb_create_table(db, name, pk, pt, sk, stype, 30000), ODOO_OK,
                 odoo_dynamodb_last_error(db));
    return name;
}

static odoo_sink *open_sink(odoo_dynamodb *db, odoo_dynamodb_sink_options *o)
{
    odoo_sink *s = NULL;
    int rc = odoo_dynamodb_sink_open(&s, db, o);
    if (rc != ODOO_OK)
        fail_msg("sink open: %s", odoo_error_message(odoo_sink_last_error(s)));
    return s;
}

static json_t *record(long i)
{
    char name[32];
    snprintf(name, sizeof(name), "SO%05ld", i);
    return json_pack("{s:I, s:s, s:f, s:b, s:n, s:[I,s], s:{s:I, s:[s,s]}, s:s}", "id",
                     (json_int_t)i, "name", name, "amount_total", 0.1 + (double)i * 1.25,
                     "active", (int)(i % 2 == 0), "note", "partner_id", (json_int_t)(i % 50),
                     "Zürich Partner ✓", "lines", "count", (json_int_t)(i % 7), "tags", "a", "b",
                     "write_date", "2024-05-06 12:00:00");
}

static void put(odoo_sink *s, json_t *r)
{
    int rc = odoo_sink_put(s, r);
    if (rc != ODOO_OK)
        fail_msg("put: %s", odoo_error_message(odoo_sink_last_error(s)));
    json_decref(r);
}

static json_t *scan(const char *table)
{
    odoo_dynamodb *db = direct();
    json_t *items = NULL;
    ST_ASSERT_RC(odoo_dynamodb_scan(db, &items, table, 0), ODOO_OK, odoo_dynamodb_last_error(db));
    odoo_dynamodb_free(db);
    return items;
}

static const char *attr_s(json_t *item, const char *name, const char *type)
{
    return json_string_value(json_object_get(json_object_get(item, name), type));
}

/* The dead-letter file as an array of its lines. */
static json_t *dead_letters(const char *path)
{
    json_t *all = json_array();
    char *text = st_read_file(path, NULL), *line, *nl;
    if (!text)
        return all;
    for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        json_t *doc;
        *nl = '\0';
        doc = json_loads(line, 0, NULL);
        assert_non_null(doc);
        json_array_append_new(all, doc);
    }
    assert_string_equal(line, "");
    free(text);
    return all;
}

static void test_endpoint_and_tables(void **state)
{
    odoo_dynamodb *db = proxied();
    json_t *t = NULL;
    char *name;
    (void)state;
    /* the endpoint came from AWS_ENDPOINT_URL_DYNAMODB, the region from AWS_REGION */
    assert_string_equal(odoo_dynamodb_endpoint(db), st_env("AWS_ENDPOINT_URL_DYNAMODB"));
    assert_string_equal(odoo_dynamodb_region(db), "eu-west-1");
    name = new_table(db, "id", ODOO_DYNAMODB_N, "line", ODOO_DYNAMODB_S);
    ST_ASSERT_RC(odoo_dynamodb_describe_table(db, &t, name), ODOO_OK, odoo_dynamodb_last_error(db));
    assert_string_equal(json_string_value(json_object_get(t, "TableStatus")), "ACTIVE");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(t, "BillingModeSummary"), "BillingMode")),
                        "PAY_PER_REQUEST");
    json_decref(t);
    /* again: the table exists */
    assert_int_equal(odoo_dynamodb_create_table(db, name, "id", ODOO_DYNAMODB_N, NULL,
                                                ODOO_DYNAMODB_S, 0),
                     ODOO_ESERVER);
    assert_string_equal(odoo_error_class(odoo_dynamodb_last_error(db)), "ResourceInUseException");
    /* a table that does not exist */
    assert_int_equal(odoo_dynamodb_describe_table(db, &t, "no-such-table"), ODOO_ENOTFOUND);
    assert_string_equal(odoo_error_class(odoo_dynamodb_last_error(db)),
                        "ResourceNotFoundException");
    assert_int_equal(odoo_error_http_status(odoo_dynamodb_last_error(db)), 400);
    assert_false(odoo_error_retryable(odoo_dynamodb_last_error(db)));
    /* a malformed request: ValidationException -> ODOO_EINVAL */
    {
        json_t *req = json_pack("{s:s}", "TableName", "");
        assert_int_equal(odoo_dynamodb_call(db, NULL, "DescribeTable", req), ODOO_EINVAL);
        assert_string_equal(odoo_error_class(odoo_dynamodb_last_error(db)), "ValidationException");
        json_decref(req);
    }
    free(name);
    odoo_dynamodb_free(db);
}

static void test_network_errors(void **state)
{
    odoo_aws_options o = ODOO_AWS_OPTIONS_INIT;
    odoo_dynamodb *db = NULL;
    json_t *t = NULL;
    (void)state;
    o.endpoint = "http://127.0.0.1:1"; /* nothing listens there */
    o.max_retries = 1;
    o.retry_base_ms = 1;
    assert_int_equal(odoo_dynamodb_new(&db, &o), ODOO_OK);
    assert_int_equal(odoo_dynamodb_describe_table(db, &t, "x"), ODOO_ENETWORK);
    assert_true(odoo_error_retryable(odoo_dynamodb_last_error(db)));
    odoo_dynamodb_free(db);
}

/* 10,000 items through the proxy throttling 20% of the BatchWriteItem requests
 * and answering another 20% with a partial write (UnprocessedItems): every
 * item arrives, with the right types, and the counters show the retries. */
static void test_batch_10000_items_with_throttling(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink_stats st = ODOO_SINK_STATS_INIT;
    odoo_sink *s;
    json_t *items, *ps;
    char *table;
    char *seen;
    long i, n = 10000;
    size_t k;
    (void)state;
    table = new_table(db, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S);
    st_proxy_faults("{\"throttle\": 0.2, \"partial\": 0.2, \"seed\": 42}");
    o.table = table;
    o.partition_key = "id";
    o.max_retries = 25;
    o.retry_base_ms = 5;
    o.retry_max_ms = 200;
    o.dead_letter_path = "/dev/null/never"; /* must stay unused */
    s = open_sink(db, &o);
    for (i = 1; i <= n; i++)
        put(s, record(i));
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_get_stats(s, &st), ODOO_OK);
    ps = st_proxy_stats();
    {
        char *pt = json_dumps(ps, JSON_COMPACT);
        printf("stats: records %llu written %llu retried %llu throttled %llu unprocessed %llu "
               "requests %llu dead %llu failed %llu | proxy: %s\n",
               st.records, st.written, st.retried, st.throttled, st.unprocessed, st.requests,
               st.dead_lettered, st.failed, pt);
        free(pt);
    }
    assert_int_equal(st.records, n);
    assert_int_equal(st.written, n);
    assert_int_equal(st.dead_lettered, 0);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.skipped, 0);
    /* the proxy's counts and the sink's agree */
    assert_true(st.throttled > 0);
    assert_true(st.unprocessed > 0);
    assert_int_equal(st.throttled, json_integer_value(json_object_get(ps, "throttled")));
    assert_int_equal(st.unprocessed, json_integer_value(json_object_get(ps, "partial_items")));
    assert_int_equal(st.requests, json_integer_value(json_object_get(
                                      json_object_get(ps, "by_target"), "BatchWriteItem")));
    assert_true(st.retried >= st.unprocessed + st.throttled); /* a throttled request re-sends its items */
    json_decref(ps);
    odoo_sink_free(s);

    /* exactly the 10,000 items, each with the right attribute types */
    items = scan(table);
    assert_int_equal(json_array_size(items), (size_t)n);
    seen = calloc((size_t)n + 1, 1);
    for (k = 0; k < json_array_size(items); k++) {
        json_t *it = json_array_get(items, k), *l, *m;
        long id = atol(attr_s(it, "id", "N"));
        char want[32];
        assert_true(id >= 1 && id <= n);
        assert_false(seen[id]);
        seen[id] = 1;
        snprintf(want, sizeof(want), "SO%05ld", id);
        assert_string_equal(attr_s(it, "name", "S"), want);
        assert_non_null(attr_s(it, "amount_total", "N"));
        assert_true(json_is_boolean(json_object_get(json_object_get(it, "active"), "BOOL")));
        assert_int_equal(json_is_true(json_object_get(json_object_get(it, "active"), "BOOL")),
                         id % 2 == 0);
        assert_true(json_is_true(json_object_get(json_object_get(it, "note"), "NULL")));
        l = json_object_get(json_object_get(it, "partner_id"), "L");
        assert_int_equal(json_array_size(l), 2);
        assert_non_null(json_string_value(json_object_get(json_array_get(l, 0), "N")));
        assert_string_equal(json_string_value(json_object_get(json_array_get(l, 1), "S")),
                            "Zürich Partner ✓");
        m = json_object_get(json_object_get(it, "lines"), "M");
        assert_non_null(attr_s(m, "count", "N"));
        assert_int_equal(json_array_size(json_object_get(json_object_get(m, "tags"), "L")), 2);
        assert_string_equal(attr_s(it, "write_date", "S"), "2024-05-06 12:00:00");
    }
    {
        /* and the numbers are exact decimals: id 3 has 0.1 + 3 * 1.25 = 3.85 */
        odoo_dynamodb *d = direct();
        json_t *req = json_pack("{s:s, s:{s:{s:s}}}", "TableName", table, "Key", "id", "N", "3");
        json_t *ans = NULL;
        ST_ASSERT_RC(odoo_dynamodb_call(d, &ans, "GetItem", req), ODOO_OK,
                     odoo_dynamodb_last_error(d));
        assert_string_equal(attr_s(json_object_get(ans, "Item"), "amount_total", "N"), "3.85");
        json_decref(ans);
        json_decref(req);
        odoo_dynamodb_free(d);
    }
    free(seen);
    json_decref(items);
    free(table);
    odoo_dynamodb_free(db);
}

/* Conditional writes on write_date: an older version never overwrites a newer
 * one, a replay changes nothing and counts as skipped. */
static void test_conditional_replay_keeps_newer(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink *s;
    json_t *items;
    char *table, *dlq = st_path(dir, "dead.jsonl");
    size_t k;
    int checked = 0;
    (void)state;
    table = new_table(db, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S);
    o.table = table;
    o.partition_key = "id";
    o.mode = ODOO_DYNAMODB_CONDITIONAL;
    o.dead_letter_path = dlq;
    s = open_sink(db, &o);
    put(s, json_pack("{s:i, s:s, s:s}", "id", 1, "name", "v1", "write_date", "2024-01-01 10:00:00"));
    ST_ASSERT_RC(odoo_sink_flush(s), ODOO_OK, odoo_sink_last_error(s));
    put(s, json_pack("{s:i, s:s, s:s}", "id", 1, "name", "v2", "write_date", "2024-02-01 10:00:00"));
    ST_ASSERT_RC(odoo_sink_flush(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 2);
    /* the sync is replayed: the older version, then the same version again */
    put(s, json_pack("{s:i, s:s, s:s}", "id", 1, "name", "v1", "write_date", "2024-01-01 10:00:00"));
    put(s, json_pack("{s:i, s:s, s:s}", "id", 1, "name", "v2-replayed", "write_date",
                     "2024-02-01 10:00:00"));
    /* same key twice in one window, newer first: written in put order */
    put(s, json_pack("{s:i, s:s, s:s}", "id", 2, "name", "new", "write_date", "2024-03-01 00:00:00"));
    put(s, json_pack("{s:i, s:s, s:s}", "id", 2, "name", "old", "write_date", "2023-03-01 00:00:00"));
    /* id as a string is converted to the N key; no write_date: dead letter */
    put(s, json_pack("{s:s, s:s, s:s}", "id", "3", "name", "three", "write_date", "2024-01-01 00:00:00"));
    put(s, json_pack("{s:i, s:s}", "id", 4, "name", "no version"));
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 4);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_SKIPPED), 3);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_DEAD_LETTERED), 1);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_FAILED), 0);
    odoo_sink_free(s);
    items = scan(table);
    assert_int_equal(json_array_size(items), 3);
    for (k = 0; k < json_array_size(items); k++) {
        json_t *it = json_array_get(items, k);
        const char *id = attr_s(it, "id", "N");
        if (strcmp(id, "1") == 0) {
            assert_string_equal(attr_s(it, "name", "S"), "v2");
            assert_string_equal(attr_s(it, "write_date", "S"), "2024-02-01 10:00:00");
            checked++;
        } else if (strcmp(id, "2") == 0) {
            assert_string_equal(attr_s(it, "name", "S"), "new");
            checked++;
        } else if (strcmp(id, "3") == 0) {
            assert_string_equal(attr_s(it, "name", "S"), "three");
            checked++;
        }
    }
    assert_int_equal(checked, 3);
    json_decref(items);
    items = dead_letters(dlq);
    assert_int_equal(json_array_size(items), 1);
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_object_get(json_array_get(items, 0), "error"), "message")),
                           "write_date"));
    assert_non_null(json_object_get(json_array_get(items, 0), "record"));
    json_decref(items);
    free(dlq);
    free(table);
    odoo_dynamodb_free(db);
}

static void test_batch_same_key_last_put_wins(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    static const char *const mapping[] = {"id", "name=Name", "amount_total=Amount", NULL};
    odoo_sink *s;
    json_t *items, *it;
    char *table;
    int v;
    (void)state;
    table = new_table(db, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S);
    st_proxy_faults("{\"throttle\": 0.3, \"seed\": 3}");
    o.table = table;
    o.partition_key = "id";
    o.attributes = mapping;
    o.retry_base_ms = 1;
    s = open_sink(db, &o);
    for (v = 1; v <= 5; v++) {
        json_t *r = record(77);
        char name[16];
        snprintf(name, sizeof(name), "v%d", v);
        json_object_set_new(r, "name", json_string(name));
        put(s, r);
    }
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 5);
    odoo_sink_free(s);
    items = scan(table);
    assert_int_equal(json_array_size(items), 1);
    it = json_array_get(items, 0);
    assert_string_equal(attr_s(it, "Name", "S"), "v5");
    assert_string_equal(attr_s(it, "Amount", "N"), "96.35");
    assert_int_equal(json_object_size(it), 3); /* only the mapped attributes */
    json_decref(items);
    free(table);
    odoo_dynamodb_free(db);
}

static void test_dead_letter_missing_table(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink *s;
    json_t *dl;
    char *dlq = st_path(dir, "dead.jsonl");
    size_t k;
    int i;
    (void)state;
    o.table = "no-such-table";
    o.partition_key = "id";
    o.dead_letter_path = dlq;
    s = open_sink(db, &o);
    for (i = 1; i <= 30; i++)
        put(s, record(i));
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_DEAD_LETTERED), 30);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 0);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_RETRIED), 0); /* not retryable */
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_REQUESTS), 2);
    odoo_sink_free(s);
    dl = dead_letters(dlq);
    assert_int_equal(json_array_size(dl), 30);
    for (k = 0; k < json_array_size(dl); k++) {
        json_t *d = json_array_get(dl, k), *e = json_object_get(d, "error");
        assert_string_equal(json_string_value(json_object_get(e, "code")), "ODOO_ENOTFOUND");
        assert_string_equal(json_string_value(json_object_get(e, "type")),
                            "ResourceNotFoundException");
        assert_int_equal(json_integer_value(json_object_get(e, "http_status")), 400);
        assert_string_equal(json_string_value(json_object_get(d, "table")), "no-such-table");
        assert_non_null(attr_s(json_object_get(d, "item"), "name", "S"));
    }
    json_decref(dl);
    free(dlq);
    odoo_dynamodb_free(db);
}

static void test_no_dead_letter_file_flush_fails(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink *s;
    json_t *r;
    int i;
    (void)state;
    o.table = "no-such-table";
    o.partition_key = "id";
    s = open_sink(db, &o);
    for (i = 1; i <= 3; i++)
        put(s, record(i));
    assert_int_equal(odoo_sink_flush(s), ODOO_ENOTFOUND);
    assert_string_equal(odoo_error_class(odoo_sink_last_error(s)), "ResourceNotFoundException");
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_FAILED), 3);
    /* a record that cannot be mapped is refused at once */
    r = json_pack("{s:s}", "name", "no id");
    assert_int_equal(odoo_sink_put(s, r), ODOO_EINVAL);
    assert_non_null(strstr(odoo_error_message(odoo_sink_last_error(s)), "\"id\""));
    json_decref(r);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_FAILED), 4);
    odoo_sink_free(s);
    odoo_dynamodb_free(db);
}

/* One bad item in a batch of 25 (an empty string as key): DynamoDB refuses the
 * whole batch; the sink sends the items one by one and dead-letters only it. */
static void test_validation_error_isolates_item(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink *s;
    json_t *dl, *items;
    char *table, *dlq = st_path(dir, "dead.jsonl");
    int i;
    (void)state;
    table = new_table(db, "code", ODOO_DYNAMODB_S, NULL, ODOO_DYNAMODB_S);
    o.table = table;
    o.partition_key = "code";
    o.partition_type = ODOO_DYNAMODB_S;
    o.dead_letter_path = dlq;
    s = open_sink(db, &o);
    for (i = 0; i < 25; i++) {
        char code[16];
        snprintf(code, sizeof(code), "C%02d", i);
        put(s, json_pack("{s:s, s:i}", "code", i == 13 ? "" : code, "v", i));
    }
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 24);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_DEAD_LETTERED), 1);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_REQUESTS), 26); /* the batch, then 25 alone */
    odoo_sink_free(s);
    dl = dead_letters(dlq);
    assert_int_equal(json_array_size(dl), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(dl, 0), "error"), "type")),
                        "ValidationException");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(dl, 0), "error"), "code")),
                        "ODOO_EINVAL");
    assert_string_equal(attr_s(json_object_get(json_array_get(dl, 0), "item"), "v", "N"), "13");
    json_decref(dl);
    items = scan(table);
    assert_int_equal(json_array_size(items), 24);
    json_decref(items);
    free(dlq);
    free(table);
    odoo_dynamodb_free(db);
}

static void test_item_over_400kb(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink *s;
    json_t *dl, *big, *items;
    char *table, *dlq = st_path(dir, "dead.jsonl"), *blob;
    (void)state;
    table = new_table(db, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S);
    o.table = table;
    o.partition_key = "id";
    o.dead_letter_path = dlq;
    s = open_sink(db, &o);
    blob = malloc(450001);
    memset(blob, 'x', 450000);
    blob[450000] = '\0';
    big = record(2);
    json_object_set_new(big, "description", json_string(blob));
    put(s, record(1));
    put(s, big);
    put(s, record(3));
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 2);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_DEAD_LETTERED), 1);
    assert_true(odoo_sink_stat(s, ODOO_SINK_BYTES) < 100000); /* never sent */
    odoo_sink_free(s);
    dl = dead_letters(dlq);
    assert_int_equal(json_array_size(dl), 1);
    {
        json_t *e = json_object_get(json_array_get(dl, 0), "error");
        assert_string_equal(json_string_value(json_object_get(e, "type")), "ValidationException");
        assert_non_null(strstr(json_string_value(json_object_get(e, "message")),
                               "maximum allowed size"));
        assert_int_equal(strlen(json_string_value(json_object_get(
                             json_object_get(json_array_get(dl, 0), "record"), "description"))),
                         450000);
    }
    json_decref(dl);
    items = scan(table);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    free(blob);
    free(dlq);
    free(table);
    odoo_dynamodb_free(db);
}

static void test_access_denied_not_retried(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink *s;
    json_t *dl;
    char *table, *dlq = st_path(dir, "dead.jsonl");
    int i;
    (void)state;
    table = new_table(db, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S);
    st_proxy_faults("{\"force\": [{\"status\": 400, \"type\": \"AccessDeniedException\", "
                    "\"message\": \"User: arn:aws:iam::1:user/x is not authorized to perform: "
                    "dynamodb:BatchWriteItem\", \"count\": 1000, \"target\": \"BatchWriteItem\"}]}");
    o.table = table;
    o.partition_key = "id";
    o.dead_letter_path = dlq;
    s = open_sink(db, &o);
    for (i = 1; i <= 40; i++)
        put(s, record(i));
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_DEAD_LETTERED), 40);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_RETRIED), 0);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_REQUESTS), 2);
    odoo_sink_free(s);
    dl = dead_letters(dlq);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(dl, 0), "error"), "code")),
                        "ODOO_EAUTH");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(dl, 0), "error"), "type")),
                        "AccessDeniedException");
    json_decref(dl);
    free(dlq);
    free(table);
    odoo_dynamodb_free(db);
}

static void test_out_of_retries_dead_letters(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink_stats st = ODOO_SINK_STATS_INIT;
    odoo_sink *s;
    json_t *dl;
    char *table, *dlq = st_path(dir, "dead.jsonl");
    int i;
    (void)state;
    table = new_table(db, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S);
    st_proxy_faults("{\"throttle\": 1.0}");
    o.table = table;
    o.partition_key = "id";
    o.dead_letter_path = dlq;
    o.max_retries = 2;
    o.retry_base_ms = 1;
    o.retry_max_ms = 10;
    s = open_sink(db, &o);
    for (i = 1; i <= 30; i++)
        put(s, record(i));
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    odoo_sink_get_stats(s, &st);
    assert_int_equal(st.dead_lettered, 30);
    assert_int_equal(st.retried, 60);      /* two re-sends each */
    assert_int_equal(st.requests, 6);      /* 2 batches x 3 attempts */
    assert_int_equal(st.throttled, 6);
    odoo_sink_free(s);
    dl = dead_letters(dlq);
    assert_int_equal(json_array_size(dl), 30);
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_object_get(json_array_get(dl, 0), "error"), "message")),
                           "out of retries"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(dl, 0), "error"), "type")),
                        "ProvisionedThroughputExceededException");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(dl, 0), "attempts")), 3);
    json_decref(dl);
    free(dlq);
    free(table);
    odoo_dynamodb_free(db);
}

static void test_retries_5xx_and_dropped_connections(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink_stats st = ODOO_SINK_STATS_INIT;
    odoo_sink *s;
    json_t *items;
    char *table;
    int i;
    (void)state;
    table = new_table(db, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S);
    st_proxy_faults("{\"error500\": 0.25, \"reset\": 0.15, \"seed\": 7}");
    o.table = table;
    o.partition_key = "id";
    o.max_retries = 30;
    o.retry_base_ms = 1;
    o.retry_max_ms = 50;
    s = open_sink(db, &o);
    for (i = 1; i <= 600; i++)
        put(s, record(i));
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    odoo_sink_get_stats(s, &st);
    assert_int_equal(st.written, 600);
    assert_true(st.retried > 0);
    assert_int_equal(st.dead_lettered + st.failed, 0);
    assert_true(st_proxy_stat("error500") > 0);
    assert_true(st_proxy_stat("reset") > 0);
    odoo_sink_free(s);
    items = scan(table);
    assert_int_equal(json_array_size(items), 600);
    json_decref(items);
    free(table);
    odoo_dynamodb_free(db);
}

static void test_key_schema_from_describe_table(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink *s;
    json_t *items = NULL;
    char *table;
    int i;
    (void)state;
    table = new_table(db, "order_ref", ODOO_DYNAMODB_S, "line", ODOO_DYNAMODB_N);
    o.table = table; /* no partition key given: DescribeTable tells */
    s = open_sink(db, &o);
    for (i = 0; i < 60; i++)
        put(s, json_pack("{s:s, s:i, s:s}", "order_ref", i < 30 ? "SO001" : "SO002", "line", i % 30,
                         "product", "Desk"));
    /* the sort key converted from a numeric string */
    put(s, json_pack("{s:s, s:s, s:s}", "order_ref", "SO003", "line", "4", "product", "Chair"));
    ST_ASSERT_RC(odoo_sink_close(s), ODOO_OK, odoo_sink_last_error(s));
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 61);
    odoo_sink_free(s);
    {
        odoo_dynamodb *d = direct();
        ST_ASSERT_RC(odoo_dynamodb_scan(d, &items, table, 1), ODOO_OK, odoo_dynamodb_last_error(d));
        odoo_dynamodb_free(d);
    }
    assert_int_equal(json_array_size(items), 61);
    assert_true(json_is_integer(json_object_get(json_array_get(items, 0), "line")));
    json_decref(items);
    free(table);
    odoo_dynamodb_free(db);
}


/* Freeing a sink that was not closed aborts it, also with requests in flight
 * and records waiting behind others of the same key. */
static void test_abort_with_requests_in_flight(void **state)
{
    odoo_dynamodb *db = proxied();
    odoo_dynamodb_sink_options o = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
    odoo_sink *s;
    char *table;
    int i;
    (void)state;
    table = new_table(db, "id", ODOO_DYNAMODB_N, NULL, ODOO_DYNAMODB_S);
    st_proxy_faults("{\"throttle\": 0.5, \"seed\": 5}");
    o.table = table;
    o.partition_key = "id";
    o.max_pending = 5000;
    s = open_sink(db, &o);
    for (i = 0; i < 400; i++)
        put(s, record(i % 150)); /* same keys again: follow chains */
    assert_true(odoo_sink_stat(s, ODOO_SINK_REQUESTS) > 0);
    odoo_sink_free(s); /* no close */
    free(table);
    odoo_dynamodb_free(db);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_endpoint_and_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_10000_items_with_throttling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conditional_replay_keeps_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_same_key_last_put_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_letter_missing_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_dead_letter_file_flush_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_error_isolates_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_over_400kb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_denied_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_retries_dead_letters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_5xx_and_dropped_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_schema_from_describe_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_with_requests_in_flight, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
