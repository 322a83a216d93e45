// SPDX-License-Identifier: MIT
/* Safe retries: reads are retried on 5xx/timeouts with back-off; calls that
 * change data are never replayed once their request may have reached the
 * server, and say so (ODOO_EINDOUBT). While Odoo is unavailable (refused,
 * 502/503/504) reads are retried until the deadline (retry_deadline_ms): the
 * restart tests start, kill and restart an emulator of their own, on the
 * client's retry notes in the trace, never on a timer. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu.h"
#include "internal.h"

static odoo_client *retry_client(int max_retries, long timeout_ms)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, NULL, NULL);
    o.max_retries = max_retries;
    o.retry_base_ms = 20;
    o.retry_max_ms = 200;
    if (timeout_ms)
        o.timeout_ms = timeout_ms;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    return c;
}

static long long requests(void)
{
    json_t *s = emu_stats();
    long long n = (long long)json_integer_value(json_object_get(s, "requests"));
    json_decref(s);
    return n;
}

static void test_write_502_not_replayed(void **state)
{
    odoo_client *c = retry_client(3, 0);
    json_t *ids = json_pack("[i]", 5), *vals = json_pack("{s:s}", "client_order_ref", "R");
    long long before = requests();
    const odoo_error *e;
    (void)state;
    /* fields_get (for the whitelist check) first, so the fault hits the write */
    EMU_ASSERT_RC(c, odoo_fields_check(c, "sale.order", NULL), ODOO_OK);
    before = requests();
    emu_fault("{\"status\": 502, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_write(c, "sale.order", ids, vals, NULL), ODOO_EINDOUBT);
    e = odoo_client_last_error(c);
    assert_int_equal(odoo_error_http_status(e), 502);
    assert_non_null(strstr(odoo_error_message(e), "may have been applied"));
    assert_int_equal(requests(), before + 1); /* sent once, never again */
    assert_int_equal(odoo_client_retry_count(c), 0);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
}

static void test_search_read_503_twice_then_ok(void **state)
{
    static const char *const fields[] = {"name", NULL};
    odoo_client *c = retry_client(3, 0);
    json_t *rows = NULL;
    (void)state;
    emu_fault("{\"status\": 503, \"status_count\": 2}");
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, fields, "id asc", 2, 0, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "name")),
                        "S00001");
    assert_int_equal(odoo_client_retry_count(c), 2);
    json_decref(rows);
    odoo_client_free(c);
}

static odoo_client *deadline_client(int max_retries, long deadline_ms)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, NULL, NULL);
    o.max_retries = max_retries;
    o.retry_base_ms = 20;
    o.retry_max_ms = 200;
    o.retry_deadline_ms = deadline_ms;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_OK);
    return c;
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Without a deadline (0), max_retries alone counts, as before 0.4. */
static void test_retries_run_out(void **state)
{
    odoo_client *c = deadline_client(2, 0);
    (void)state;
    emu_fault("{\"status\": 503, \"status_count\": 10}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EHTTP);
    assert_int_equal(odoo_client_retry_count(c), 2);
    emu_fault("{\"reset\": true}");
    odoo_client_free(c);
}

/* A read meets more 503s in a row than max_retries: within the deadline it
 * is retried until Odoo answers. */
static void test_read_503_beyond_max_retries_within_deadline(void **state)
{
    odoo_client *c = deadline_client(2, 30000);
    long long n = -1;
    (void)state;
    emu_fault("{\"status\": 503, \"status_count\": 7}");
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", NULL, NULL), ODOO_OK);
    assert_true(n > 0);
    assert_int_equal(odoo_client_retry_count(c), 7);
    odoo_client_free(c);
}

/* The deadline runs out: the last error is returned, after about the deadline. */
static void test_deadline_runs_out(void **state)
{
    odoo_client *c = deadline_client(2, 400);
    long long t0, dt;
    (void)state;
    emu_fault("{\"status\": 502, \"status_count\": 100000}");
    t0 = mono_ms();
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EHTTP);
    dt = mono_ms() - t0;
    assert_int_equal(odoo_error_http_status(odoo_client_last_error(c)), 502);
    assert_true(odoo_client_retry_count(c) > 2); /* beyond max_retries */
    assert_true(dt >= 400);
    assert_true(dt < 10000);
    emu_fault("{\"reset\": true}");
    odoo_client_free(c);
}

/* A write answered 503 stays in doubt, deadline or not: sent once. */
static void test_write_503_in_doubt_with_deadline(void **state)
{
    odoo_client *c = deadline_client(3, 30000);
    json_t *ids = json_pack("[i]", 5), *vals = json_pack("{s:s}", "client_order_ref", "R2");
    long long before;
    (void)state;
    EMU_ASSERT_RC(c, odoo_fields_check(c, "sale.order", NULL), ODOO_OK);
    before = requests();
    emu_fault("{\"status\": 503, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_write(c, "sale.order", ids, vals, NULL), ODOO_EINDOUBT);
    assert_int_equal(requests(), before + 1);
    assert_int_equal(odoo_client_retry_count(c), 0);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
}

/* ---- an emulator of the test's own, stopped and restarted ---------------------- */

typedef struct own_emu {
    int port;
    pid_t pid;
    int unavailable_notes; /* "unavailable" retry notes seen in the trace */
    int start_at;          /* start the emulator at this note (0: never) */
    int started_by_trace;
} own_emu;

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Start tests/emulator/odoo_emulator.py on e->port; returns once it listens. */
static void own_emu_start(own_emu *e)
{
    int fds[2];
    char portbuf[16], line[64];
    const char *py = getenv("ODOO_TEST_PYTHON");
    FILE *f;
    pid_t pid;
    int tries;
    if (!py || !*py)
        py = "/usr/bin/python3";
    for (tries = 0; tries < 50; tries++) {
        assert_int_equal(pipe(fds), 0);
        snprintf(portbuf, sizeof(portbuf), "%d", e->port);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
            execl(py, py, ODOO_WIRE_DIR "/../emulator/odoo_emulator.py", "--port", portbuf,
                  "--orders", "50", "--quiet", (char *)NULL);
            _exit(127);
        }
        close(fds[1]);
        f = fdopen(fds[0], "r");
        assert_non_null(f);
        line[0] = '\0';
        if (!fgets(line, sizeof(line), f))
            line[0] = '\0';
        fclose(f);
        if (strncmp(line, "LISTENING ", 10) == 0) {
            e->pid = pid;
            return;
        }
        /* the port may still be held by the killed one: try again */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        {
            struct timespec ts = {0, 100000000L};
            nanosleep(&ts, NULL);
        }
    }
    fail_msg("could not start an emulator on port %d", e->port);
}

/* SIGKILL: every session is lost, as in a crash or a container restart. */
static void own_emu_kill(own_emu *e)
{
    if (e->pid > 0) {
        kill(e->pid, SIGKILL);
        waitpid(e->pid, NULL, 0);
        e->pid = 0;
    }
}

static void own_emu_trace(odoo_trace_kind kind, const char *text, size_t len, void *ud)
{
    own_emu *e = ud;
    if (kind != ODOO_TRACE_INFO || len < 21 || strncmp(text, "libodoo: unavailable", 20) != 0)
        return;
    e->unavailable_notes++;
    if (e->start_at && e->unavailable_notes == e->start_at && e->pid == 0) {
        own_emu_start(e);
        e->started_by_trace = 1;
    }
}

static odoo_client *own_client(own_emu *e, long deadline_ms)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", e->port);
    emu_options(&o, NULL, NULL);
    o.url = url;
    o.database = "acme";
    o.retry_base_ms = 20;
    o.retry_max_ms = 100;
    o.retry_deadline_ms = deadline_ms; /* max_retries stays 3 */
    o.trace = own_emu_trace;
    o.trace_userdata = e;
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    return c;
}

/* Odoo is down when the client starts and comes up after more refused
 * connections than max_retries: the login and the read wait for it. */
static void test_odoo_down_then_up(void **state)
{
    own_emu e = {0, 0, 0, 6, 0};
    odoo_client *c;
    long long n = -1;
    (void)state;
    e.port = free_port();
    c = own_client(&e, 30000);
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", NULL, NULL), ODOO_OK);
    assert_true(n > 0);
    assert_true(e.started_by_trace);
    assert_int_equal(e.unavailable_notes, 6);
    assert_int_equal(odoo_client_retry_count(c), 6); /* more than max_retries (3) */
    odoo_client_free(c);
    own_emu_kill(&e);
}

/* Odoo restarted in the middle of a paged read, its sessions lost (SIGKILL):
 * the next page waits for it, the client logs in again and the read goes on. */
static void test_restart_mid_read_session_lost(void **state)
{
    static const char *const fields[] = {"name", NULL};
    own_emu e = {0, 0, 0, 0, 0};
    odoo_client *c;
    json_t *rows = NULL;
    (void)state;
    e.port = free_port();
    own_emu_start(&e);
    c = own_client(&e, 30000);
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, fields, "id asc", 10, 0, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(rows), 10);
    json_decref(rows);
    rows = NULL;
    own_emu_kill(&e);
    e.start_at = 4; /* back after the 4th refused attempt */
    EMU_ASSERT_RC(c, odoo_search_read(c, &rows, "sale.order", NULL, fields, "id asc", 10, 10, NULL),
                  ODOO_OK);
    assert_int_equal(json_array_size(rows), 10);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "name")),
                        "S00011");
    assert_true(e.started_by_trace);
    assert_int_equal(odoo_client_reauth_count(c), 1); /* the session died with it */
    json_decref(rows);
    odoo_client_free(c);
    own_emu_kill(&e);
}

/* A create while nothing listens: nothing was sent, so it is safe to wait for
 * Odoo; it runs once. */
static void test_write_waits_while_refused(void **state)
{
    own_emu e = {0, 0, 0, 0, 0};
    odoo_client *c;
    json_t *vals = json_pack("{s:s}", "name", "refused-then-created"), *ids = NULL, *dom;
    long long n = -1;
    (void)state;
    e.port = free_port();
    own_emu_start(&e);
    c = own_client(&e, 30000);
    EMU_ASSERT_RC(c, odoo_fields_check(c, "res.partner", NULL), ODOO_OK);
    own_emu_kill(&e);
    e.start_at = 5;
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_OK);
    assert_int_equal(json_array_size(ids), 1);
    assert_true(e.started_by_trace);
    dom = json_pack("[[s, s, s]]", "name", "=", "refused-then-created");
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", dom, NULL), ODOO_OK);
    assert_int_equal(n, 1);
    json_decref(dom);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
    own_emu_kill(&e);
}

/* Nothing ever listens: the call gives up at the deadline with the network
 * error, after more attempts than max_retries. */
static void test_refused_until_deadline(void **state)
{
    own_emu e = {0, 0, 0, 0, 0};
    odoo_client *c;
    long long t0, dt;
    (void)state;
    e.port = free_port();
    c = own_client(&e, 500);
    t0 = mono_ms();
    EMU_ASSERT_RC(c, odoo_client_login(c), ODOO_ENETWORK);
    dt = mono_ms() - t0;
    assert_true(dt >= 500);
    assert_true(dt < 10000);
    assert_true(odoo_client_retry_count(c) > 3);
    assert_int_equal((long long)odoo_client_retry_count(c), (long long)e.unavailable_notes);
    odoo_client_free(c);
}

static void test_read_timeout_retried_write_timeout_in_doubt(void **state)
{
    odoo_client *c = retry_client(2, 400);
    json_t *vals = json_pack("{s:s}", "name", "timeout-partner"), *ids = NULL;
    long long n = 0, created;
    json_t *domain = json_pack("[[s, s, s]]", "name", "=", "timeout-partner");
    (void)state;
    emu_fault("{\"delay_ms\": 1500, \"delay_count\": 1}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    assert_int_equal(odoo_client_retry_count(c), 1);
    EMU_ASSERT_RC(c, odoo_fields_check(c, "res.partner", NULL), ODOO_OK);
    /* the emulator runs the create, then answers too late */
    emu_fault("{\"delay_ms\": 1500, \"delay_count\": 1}");
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_EINDOUBT);
    assert_null(ids);
    assert_int_equal(odoo_client_retry_count(c), 1);
    created = emu_calls("res.partner.create");
    EMU_ASSERT_RC(c, odoo_search_count(c, &n, "res.partner", domain, NULL), ODOO_OK);
    assert_int_equal(n, created); /* run at most once: no duplicate */
    assert_true(n <= 1);
    json_decref(vals);
    json_decref(domain);
    odoo_client_free(c);
}

static void test_connection_refused_is_retried_for_writes(void **state)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    json_t *vals = json_pack("{s:s}", "name", "x"), *ids = NULL;
    (void)state;
    emu_options(&o, NULL, NULL);
    o.url = "http://127.0.0.1:1";
    o.max_retries = 2;
    o.retry_base_ms = 10;
    o.retry_deadline_ms = 0; /* only max_retries: the deadline's tests are below */
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    /* nothing was ever sent: safe to retry even a create; the final error is
     * the network one, not "in doubt" */
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_ENETWORK);
    assert_int_equal(odoo_client_retry_count(c), 2);
    json_decref(vals);
    odoo_client_free(c);
}

static void test_429_retried_for_writes(void **state)
{
    odoo_client *c = retry_client(3, 0);
    json_t *vals = json_pack("{s:s}", "name", "throttled"), *ids = NULL;
    (void)state;
    emu_fault("{\"status\": 429, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_OK);
    assert_int_equal(json_array_size(ids), 1);
    assert_int_equal(odoo_client_retry_count(c), 1);
    assert_int_equal(emu_calls("res.partner.create"), 1);
    json_decref(ids);
    json_decref(vals);
    odoo_client_free(c);
}

static void test_closed_mid_body(void **state)
{
    odoo_client *c = retry_client(2, 0);
    json_t *vals = json_pack("{s:s}", "name", "mid-body"), *ids = NULL;
    (void)state;
    emu_fault("{\"close_mid_body_count\": 1}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_OK);
    EMU_ASSERT_RC(c, odoo_fields_check(c, "res.partner", NULL), ODOO_OK);
    emu_fault("{\"close_mid_body_count\": 1}");
    EMU_ASSERT_RC(c, odoo_create(c, &ids, "res.partner", vals, NULL), ODOO_EINDOUBT);
    assert_int_equal(emu_calls("res.partner.create"), 1); /* it did run, once */
    json_decref(vals);
    odoo_client_free(c);
}

static void test_no_retries_when_off(void **state)
{
    odoo_client *c = retry_client(0, 0);
    (void)state;
    emu_fault("{\"status\": 503, \"status_count\": 1}");
    EMU_ASSERT_RC(c, odoo_call_kw_str(c, NULL, "res.partner", "search_count", "[[]]", NULL),
                  ODOO_EHTTP);
    assert_int_equal(odoo_client_retry_count(c), 0);
    odoo_client_free(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_502_not_replayed),
        cmocka_unit_test(test_search_read_503_twice_then_ok),
        cmocka_unit_test(test_retries_run_out),
        cmocka_unit_test(test_read_timeout_retried_write_timeout_in_doubt),
        cmocka_unit_test(test_connection_refused_is_retried_for_writes),
        cmocka_unit_test(test_429_retried_for_writes),
        cmocka_unit_test(test_closed_mid_body),
        cmocka_unit_test(test_no_retries_when_off),
        cmocka_unit_test(test_read_503_beyond_max_retries_within_deadline),
        cmocka_unit_test(test_deadline_runs_out),
        cmocka_unit_test(test_write_503_in_doubt_with_deadline),
        cmocka_unit_test(test_odoo_down_then_up),
        cmocka_unit_test(test_restart_mid_read_session_lost),
        cmocka_unit_test(test_write_waits_while_refused),
        cmocka_unit_test(test_refused_until_deadline),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
