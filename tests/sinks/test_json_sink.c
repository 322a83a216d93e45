// SPDX-License-Identifier: MIT
/* The JSON file sink: whole-file output is atomic (the target appears at close
 * or stays as it was), JSON Lines appends survive a SIGKILL mid-stream with
 * no partial line, a torn tail is repaired, the text is stable (sorted keys,
 * UTF-8 as is, numbers as Odoo sent them). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "odoo.h"
#include "sinks_test.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = st_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    st_rmdir(dir);
    free(dir);
    return 0;
}

static odoo_sink *open_sink(const char *path, odoo_json_format format, int append)
{
    odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
    odoo_sink *s = NULL;
    int rc;
    o.path = path;
    o.format = format;
    o.append = append;
    rc = odoo_json_sink_open(&s, &o);
    if (rc != ODOO_OK)
        fail_msg("open %s: %s", path, odoo_error_message(odoo_sink_last_error(s)));
    return s;
}

static json_t *order(int i)
{
    /* the shape of an Odoo search_read row: many2one as [id, name], false for
     * empty fields, a float amount, a UTF-8 name */
    return json_pack("{s:i, s:s, s:[i,s], s:f, s:b, s:s, s:s}", "id", i, "name", "SO-Zürich-✓",
                     "partner_id", 3, "Deco Addict", "amount_total", 1250.5 + i, "note", 0,
                     "write_date", "2024-05-06 12:53:20", "state", "sale");
}

static void put_order(odoo_sink *s, int i)
{
    json_t *r = order(i);
    if (odoo_sink_put(s, r) != ODOO_OK)
        fail_msg("put %d: %s", i, odoo_error_message(odoo_sink_last_error(s)));
    json_decref(r);
}

static void test_array_exact_text(void **state)
{
    char *path = st_path(dir, "orders.json"), *text;
    odoo_sink *s = open_sink(path, ODOO_JSON_ARRAY, 0);
    json_t *r = json_loads("{\"z\": 0.1, \"a\": 100.0, \"name\": \"Café – 東京\", \"n\": false, "
                           "\"big\": 1e16, \"tiny\": 1.5e-05, \"id\": 9007199254740993, "
                           "\"m2o\": [7, \"Azure\"], \"ctl\": \"a\\tb\"}",
                           0, NULL);
    json_t *empty = json_object();
    (void)state;
    assert_non_null(r);
    assert_int_equal(odoo_sink_put(s, r), ODOO_OK);
    assert_int_equal(odoo_sink_put(s, empty), ODOO_OK);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    text = st_read_file(path, NULL);
    assert_non_null(text);
    assert_string_equal(text,
                        "[\n"
                        "{\"a\":100.0,\"big\":1e+16,\"ctl\":\"a\\tb\",\"id\":9007199254740993,"
                        "\"m2o\":[7,\"Azure\"],\"n\":false,\"name\":\"Café – 東京\",\"tiny\":1.5e-05,"
                        "\"z\":0.1},\n"
                        "{}\n"
                        "]\n");
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 2);
    free(text);
    odoo_sink_free(s);
    json_decref(r);
    json_decref(empty);

    /* an empty array */
    s = open_sink(path, ODOO_JSON_ARRAY, 0);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    odoo_sink_free(s);
    text = st_read_file(path, NULL);
    assert_string_equal(text, "[]\n");
    free(text);
    free(path);
}

static void test_whole_file_appears_at_close(void **state)
{
    char *path = st_path(dir, "orders.jsonl"), *text;
    odoo_sink *s = open_sink(path, ODOO_JSON_LINES, 0);
    struct stat st;
    json_t *doc;
    int i;
    (void)state;
    for (i = 1; i <= 2500; i++)
        put_order(s, i);
    assert_int_equal(odoo_sink_flush(s), ODOO_OK);
    /* flushed to the temporary file, the target does not exist yet */
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(st_count_entries(dir, ".orders.jsonl.tmp-"), 1);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    assert_int_equal(st_count_entries(dir, ".orders.jsonl.tmp-"), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    text = st_read_file(path, NULL);
    {
        char *line = text, *nl;
        i = 0;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            doc = json_loads(line, 0, NULL);
            assert_non_null(doc);
            assert_int_equal(json_integer_value(json_object_get(doc, "id")), ++i);
            json_decref(doc);
            line = nl + 1;
        }
        assert_string_equal(line, ""); /* ends with "\n" */
    }
    assert_int_equal(i, 2500);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 2500);
    free(text);
    odoo_sink_free(s);
    free(path);
}

static void test_abort_keeps_old_file(void **state)
{
    char *path = st_path(dir, "orders.json"), *text;
    odoo_sink *s;
    int i;
    (void)state;
    st_write_file(path, "[{\"old\":true}]\n");
    s = open_sink(path, ODOO_JSON_ARRAY, 0);
    for (i = 0; i < 3000; i++)
        put_order(s, i);
    assert_int_equal(odoo_sink_flush(s), ODOO_OK);
    odoo_sink_free(s); /* no close: an abort */
    text = st_read_file(path, NULL);
    assert_string_equal(text, "[{\"old\":true}]\n");
    free(text);
    assert_int_equal(st_count_entries(dir, "."), 2); /* "." and "..": no temporary file */
    assert_int_equal(st_count_entries(dir, ""), 3);
    free(path);
}

/* odoo_sink_abort(): a failed run's output is not committed. Whole-file
 * targets keep their old content; an appender keeps what it flushed, drops
 * the rest, and removes a file it created without appending anything; the
 * counters stay readable, and the sink refuses further use. */
static void test_explicit_abort(void **state)
{
    char *json = st_path(dir, "orders.json"), *lines = st_path(dir, "orders.jsonl");
    char *fresh = st_path(dir, "new.jsonl"), *text;
    odoo_sink *s;
    json_t *r = order(1);
    struct stat st;
    int fmt;
    (void)state;
    for (fmt = 0; fmt < 2; fmt++) {
        st_write_file(json, "[{\"old\":true}]\n");
        s = open_sink(json, fmt ? ODOO_JSON_LINES : ODOO_JSON_ARRAY, 0);
        put_order(s, 1);
        assert_int_equal(odoo_sink_flush(s), ODOO_OK);
        put_order(s, 2);
        assert_int_equal(odoo_sink_abort(s), ODOO_OK);
        assert_int_equal(odoo_sink_is_closed(s), 1);
        assert_int_equal(odoo_sink_stat(s, ODOO_SINK_RECORDS), 2);
        assert_int_equal(odoo_sink_put(s, r), ODOO_EINVAL);
        assert_int_equal(odoo_sink_flush(s), ODOO_EINVAL);
        assert_int_equal(odoo_sink_close(s), ODOO_EINVAL);
        assert_int_equal(odoo_sink_abort(s), ODOO_OK); /* twice: nothing happens */
        odoo_sink_free(s);
        text = st_read_file(json, NULL);
        assert_string_equal(text, "[{\"old\":true}]\n");
        free(text);
        assert_int_equal(st_count_entries(dir, ".orders.json.tmp-"), 0);
    }
    /* an appender: the flushed line stays, the unflushed one is dropped */
    st_write_file(lines, "{\"old\":true}\n");
    s = open_sink(lines, ODOO_JSON_LINES, 1);
    put_order(s, 1);
    assert_int_equal(odoo_sink_flush(s), ODOO_OK);
    put_order(s, 2);
    assert_int_equal(odoo_sink_abort(s), ODOO_OK);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 1);
    odoo_sink_free(s);
    text = st_read_file(lines, NULL);
    assert_non_null(strstr(text, "{\"old\":true}\n{"));
    assert_null(strstr(text, "\"id\":2,"));
    assert_int_equal((int)(strchr(strchr(text, '\n') + 1, '\n') - text) + 1, (int)strlen(text));
    free(text);
    /* an appender that created its file and appended nothing leaves no file */
    s = open_sink(fresh, ODOO_JSON_LINES, 1);
    assert_int_equal(stat(fresh, &st), 0);
    put_order(s, 1);
    assert_int_equal(odoo_sink_abort(s), ODOO_OK);
    odoo_sink_free(s);
    assert_int_equal(stat(fresh, &st), -1);
    s = open_sink(fresh, ODOO_JSON_LINES, 1); /* also freed without close */
    odoo_sink_free(s);
    assert_int_equal(stat(fresh, &st), -1);
    /* ... but one closed without records stays (an empty output is a result) */
    s = open_sink(fresh, ODOO_JSON_LINES, 1);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    assert_int_equal(odoo_sink_abort(s), ODOO_OK); /* after close: nothing happens */
    odoo_sink_free(s);
    assert_int_equal(stat(fresh, &st), 0);
    assert_int_equal((int)st.st_size, 0);
    /* an existing empty file an abort did not create stays */
    s = open_sink(fresh, ODOO_JSON_LINES, 1);
    assert_int_equal(odoo_sink_abort(s), ODOO_OK);
    odoo_sink_free(s);
    assert_int_equal(stat(fresh, &st), 0);
    assert_int_equal(odoo_sink_abort(NULL), ODOO_EINVAL);
    json_decref(r);
    free(json);
    free(lines);
    free(fresh);
}

/* A child writes with a file size limit, so that a write fails for real
 * (EFBIG); the old file must stay and no temporary file remain. */
static void test_failed_write_keeps_old_file(void **state)
{
    char *path = st_path(dir, "orders.json"), *text;
    pid_t pid;
    int status;
    (void)state;
    st_write_file(path, "[{\"old\":true}]\n");
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {64 * 1024, 64 * 1024};
        odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
        odoo_sink *s = NULL;
        int i, rc = ODOO_OK;
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &rl);
        o.path = path;
        o.format = ODOO_JSON_ARRAY;
        o.flush_records = 100;
        if (odoo_json_sink_open(&s, &o) != ODOO_OK)
            _exit(10);
        for (i = 0; i < 5000 && rc == ODOO_OK; i++) {
            json_t *r = order(i);
            rc = odoo_sink_put(s, r);
            json_decref(r);
        }
        if (rc != ODOO_ERROR || !strstr(odoo_error_message(odoo_sink_last_error(s)), "write"))
            _exit(11);
        rc = odoo_sink_close(s);
        if (rc != ODOO_ERROR)
            _exit(12);
        odoo_sink_free(s);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    text = st_read_file(path, NULL);
    assert_string_equal(text, "[{\"old\":true}]\n");
    free(text);
    assert_int_equal(st_count_entries(dir, ".orders.json.tmp-"), 0);
    free(path);
}

static void test_lines_append_and_reopen(void **state)
{
    char *path = st_path(dir, "feed.jsonl"), *text;
    odoo_sink *s;
    size_t len;
    (void)state;
    s = open_sink(path, ODOO_JSON_LINES, 1);
    put_order(s, 1);
    put_order(s, 2);
    text = st_read_file(path, &len);
    assert_int_equal(len, 0); /* buffered until a flush */
    free(text);
    assert_int_equal(odoo_sink_flush(s), ODOO_OK);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_WRITTEN), 2);
    assert_int_equal(odoo_sink_stat(s, ODOO_SINK_REQUESTS), 1); /* one write() per batch */
    put_order(s, 3);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    odoo_sink_free(s);
    s = open_sink(path, ODOO_JSON_LINES, 1);
    put_order(s, 4);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    odoo_sink_free(s);
    text = st_read_file(path, NULL);
    {
        int i = 0;
        char *line = text, *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            json_t *doc;
            *nl = '\0';
            doc = json_loads(line, 0, NULL);
            assert_int_equal(json_integer_value(json_object_get(doc, "id")), ++i);
            json_decref(doc);
            line = nl + 1;
        }
        assert_int_equal(i, 4);
    }
    free(text);
    free(path);
}

static void test_lines_repair_torn_tail(void **state)
{
    char *path = st_path(dir, "feed.jsonl"), *text;
    odoo_sink *s;
    (void)state;
    /* what a crash inside write() can leave: a line without its end */
    st_write_file(path, "{\"id\":1}\n{\"id\":2}\n{\"id\":3,\"na");
    s = open_sink(path, ODOO_JSON_LINES, 1);
    text = st_read_file(path, NULL);
    assert_string_equal(text, "{\"id\":1}\n{\"id\":2}\n");
    free(text);
    put_order(s, 3);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    odoo_sink_free(s);
    text = st_read_file(path, NULL);
    assert_true(strncmp(text, "{\"id\":1}\n{\"id\":2}\n{\"amount_total\":", 34) == 0);
    assert_int_equal(text[strlen(text) - 1], '\n');
    free(text);
    /* a file that is one fragment */
    st_write_file(path, "{\"id\":1");
    s = open_sink(path, ODOO_JSON_LINES, 1);
    odoo_sink_free(s);
    text = st_read_file(path, NULL);
    assert_string_equal(text, "");
    free(text);
    free(path);
}

static void check_lines_file(const char *path, long min_records, long *count)
{
    size_t len;
    char *text = st_read_file(path, &len), *line, *nl;
    long n = 0;
    assert_non_null(text);
    if (len > 0 && text[len - 1] != '\n')
        fail_msg("%s ends with a partial line", path);
    for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        json_t *doc;
        *nl = '\0';
        doc = json_loads(line, 0, NULL);
        if (!doc)
            fail_msg("line %ld of %s is not JSON", n + 1, path);
        /* records in order, none missing, none twice */
        assert_int_equal(json_integer_value(json_object_get(doc, "id")), n + 1);
        json_decref(doc);
        n++;
    }
    if (n < min_records)
        fail_msg("%ld records, but %ld were acknowledged as flushed", n, min_records);
    *count = n;
    free(text);
}

/* A writer process appends batches with a flush each and reports each
 * acknowledged flush on a pipe; it is killed with SIGKILL mid-stream. The
 * file must hold every acknowledged record, parse line by line, and end on a
 * line boundary. Three kills at different moments. */
static void test_lines_sigkill_mid_stream(void **state)
{
    char *path = st_path(dir, "killed.jsonl");
    int round;
    long total = 0;
    (void)state;
    for (round = 0; round < 3; round++) {
        int fds[2];
        pid_t pid;
        long acked = 0, count = 0, got;
        int status;
        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
            odoo_sink *s = NULL;
            long id = total;
            int b, k;
            close(fds[0]);
            o.path = path;
            o.append = 1;
            o.flush_records = 0;
            if (odoo_json_sink_open(&s, &o) != ODOO_OK)
                _exit(10);
            for (b = 0;; b++) {
                for (k = 0; k < 50 + (b % 7) * 20; k++) {
                    json_t *r = order(0);
                    json_object_set_new(r, "id", json_integer(++id));
                    json_object_set_new(r, "padding", json_stringn("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                                                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                                                                   (size_t)(id % 64)));
                    if (odoo_sink_put(s, r) != ODOO_OK)
                        _exit(11);
                    json_decref(r);
                }
                if (odoo_sink_flush(s) != ODOO_OK)
                    _exit(12);
                if (write(fds[1], &id, sizeof(id)) != (ssize_t)sizeof(id))
                    _exit(13);
            }
        }
        close(fds[1]);
        /* wait for a few acknowledged flushes, then kill at once */
        while (acked < total + 500 + round * 700) {
            got = 0;
            if (read(fds[0], &got, sizeof(got)) != (ssize_t)sizeof(got))
                fail_msg("the writer died early");
            acked = got;
        }
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* acknowledgements written before the kill */
        while (read(fds[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
            acked = got;
        close(fds[0]);
        check_lines_file(path, acked, &count);
        total = count;
    }
    free(path);
}

static void test_unsorted_keys_and_modes(void **state)
{
    char *path = st_path(dir, "plain.jsonl"), *text;
    odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
    odoo_sink *s = NULL;
    json_t *r = json_object();
    struct stat st;
    (void)state;
    json_object_set_new(r, "zeta", json_integer(1));
    json_object_set_new(r, "alpha", json_integer(2));
    o.path = path;
    o.sort_keys = 0;
    o.file_mode = 0640;
    o.fsync = 0;
    assert_int_equal(odoo_json_sink_open(&s, &o), ODOO_OK);
    assert_int_equal(odoo_sink_put(s, r), ODOO_OK);
    assert_int_equal(odoo_sink_close(s), ODOO_OK);
    odoo_sink_free(s);
    text = st_read_file(path, NULL);
    assert_string_equal(text, "{\"zeta\":1,\"alpha\":2}\n");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    free(text);
    json_decref(r);
    free(path);
}

static void test_open_errors(void **state)
{
    odoo_json_sink_options o = ODOO_JSON_SINK_OPTIONS_INIT;
    odoo_sink *s = NULL;
    char *missing = st_path(dir, "no/such/dir/out.json");
    (void)state;
    assert_int_equal(odoo_json_sink_open(&s, &o), ODOO_EINVAL); /* no path */
    assert_non_null(s);
    assert_non_null(strstr(odoo_error_message(odoo_sink_last_error(s)), "path"));
    assert_int_equal(odoo_sink_put(s, NULL), ODOO_EINVAL);
    odoo_sink_free(s);
    o.path = missing;
    assert_int_equal(odoo_json_sink_open(&s, &o), ODOO_ERROR);
    assert_non_null(strstr(odoo_error_message(odoo_sink_last_error(s)), "No such file"));
    odoo_sink_free(s);
    o.append = 1;
    assert_int_equal(odoo_json_sink_open(&s, &o), ODOO_ERROR);
    odoo_sink_free(s);
    o.format = ODOO_JSON_ARRAY; /* append needs JSON Lines */
    assert_int_equal(odoo_json_sink_open(&s, &o), ODOO_EINVAL);
    odoo_sink_free(s);
    o.version = 0;
    assert_int_equal(odoo_json_sink_open(&s, &o), ODOO_EINVAL);
    odoo_sink_free(s);
    assert_int_equal(odoo_json_sink_open(&s, NULL), ODOO_EINVAL);
    assert_null(s);
    assert_int_equal(odoo_json_sink_open(NULL, &o), ODOO_EINVAL);
    free(missing);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_array_exact_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_file_appears_at_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_append_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_repair_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_sigkill_mid_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsorted_keys_and_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
