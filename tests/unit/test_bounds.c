/* SPDX-License-Identifier: MIT */
/*
 * The answer cap (issue 18): an answer larger than max_response_bytes is
 * stopped as its bytes arrive, fails with ODOO_ETOOBIG naming the cap and the
 * bytes received, and is never sent again (not a read, not a write, not at
 * login); the boundary is exact; the AWS readers (Secrets Manager, DynamoDB)
 * have their own caps and the same code.
 *
 * The server is this test's own: a thread on 127.0.0.1 (a free port) that
 * counts the requests and answers some with a JSON array that never ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "odoo/aws.h"

enum {
    MODE_ENDLESS,           /* every request: an answer that never ends */
    MODE_LOGIN_THEN_ENDLESS, /* version and login answered, every call endless */
    MODE_FIXED              /* version and login answered, calls: exactly fixed_len bytes */
};

typedef struct server {
    int fd, port, mode;
    size_t fixed_len;
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    int requests; /* every request read */
    int endless;  /* answers that never end */
} server;

static int srv_stopping(server *s)
{
    int v;
    pthread_mutex_lock(&s->lock);
    v = s->stop;
    pthread_mutex_unlock(&s->lock);
    return v;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void answer(int fd, const char *body, size_t len)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     len);
    if (send_all(fd, head, (size_t)n) == 0)
        (void)send_all(fd, body, len);
}

/* A JSON array that never ends, until the client goes away. */
static void answer_endless(server *s, int fd)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               "Connection: close\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[";
    static const char rec[] = "{\"id\":1,\"name\":\"an endless answer\"},";
    char chunk[65536];
    size_t i;
    for (i = 0; i + sizeof(rec) - 1 <= sizeof(chunk); i += sizeof(rec) - 1)
        memcpy(chunk + i, rec, sizeof(rec) - 1);
    if (send_all(fd, head, sizeof(head) - 1) != 0)
        return;
    while (!srv_stopping(s) && send_all(fd, chunk, i) == 0)
        ;
}

static void serve_one(server *s, int fd)
{
    char req[65536];
    size_t got = 0, want = 0;
    char *end = NULL, *cl;
    int endless = 0;

    while (!end || got < want) {
        ssize_t r;
        if (got >= sizeof(req) - 1)
            return;
        r = recv(fd, req + got, sizeof(req) - 1 - got, 0);
        if (r <= 0)
            return;
        got += (size_t)r;
        req[got] = '\0';
        if (!end && (end = strstr(req, "\r\n\r\n")) != NULL) {
            want = (size_t)(end - req) + 4;
            cl = strstr(req, "Content-Length:");
            if (!cl)
                cl = strstr(req, "content-length:");
            if (cl && cl < end)
                want += (size_t)strtoul(cl + 15, NULL, 10);
        }
    }
    if (s->mode == MODE_ENDLESS) {
        endless = 1;
    } else if (strncmp(req, "GET /web/version ", 17) == 0) {
        static const char v[] = "{\"version_info\":[17,0,0,\"final\",0,\"\"],\"version\":\"17.0\"}";
        answer(fd, v, sizeof(v) - 1);
    } else if (strstr(end, "\"version\"") || strstr(req, "version_info")) {
        static const char v[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"server_version\":"
                                "\"17.0\",\"server_version_info\":[17,0,0,\"final\",0,\"\"],"
                                "\"protocol_version\":1}}";
        answer(fd, v, sizeof(v) - 1);
    } else if (strstr(end, "\"authenticate\"")) {
        static const char v[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":2}";
        answer(fd, v, sizeof(v) - 1);
    } else if (s->mode == MODE_FIXED) {
        /* {"jsonrpc":"2.0","id":1,"result":"xxx...x"}: exactly fixed_len bytes */
        static const char pre[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"";
        char *body = malloc(s->fixed_len);
        assert_non_null(body);
        memset(body, 'x', s->fixed_len);
        memcpy(body, pre, sizeof(pre) - 1);
        memcpy(body + s->fixed_len - 2, "\"}", 2);
        answer(fd, body, s->fixed_len);
        free(body);
    } else {
        endless = 1;
    }
    pthread_mutex_lock(&s->lock);
    s->requests++;
    s->endless += endless;
    pthread_mutex_unlock(&s->lock);
    if (endless)
        answer_endless(s, fd);
}

static void *serve(void *arg)
{
    server *s = arg;
    while (!srv_stopping(s)) {
        struct pollfd p = {s->fd, POLLIN, 0};
        int fd;
        if (poll(&p, 1, 50) <= 0)
            continue;
        fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            continue;
        serve_one(s, fd);
        close(fd);
    }
    return NULL;
}

static server *srv_start(int mode)
{
    server *s = calloc(1, sizeof(*s));
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    assert_non_null(s);
    s->mode = mode;
    pthread_mutex_init(&s->lock, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
    return s;
}

static void srv_stop(server *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    close(s->fd);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static int srv_count(server *s, int *endless)
{
    int n;
    pthread_mutex_lock(&s->lock);
    n = s->requests;
    if (endless)
        *endless = s->endless;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static odoo_client *client_for(server *s, size_t cap)
{
    odoo_client_options o = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *c = NULL;
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", s->port);
    o.url = url;
    o.database = "acme";
    o.login = "admin";
    o.password = "admin";
    o.transport = ODOO_TRANSPORT_JSONRPC;
    o.max_response_bytes = cap;
    o.max_retries = 3;
    o.retry_base_ms = 1;
    o.retry_max_ms = 2;
    if (odoo_client_new(&c, &o) != ODOO_OK)
        fail_msg("client: %s", odoo_error_message(odoo_client_last_error(c)));
    return c;
}

static void expect_too_big(odoo_client *c, int rc, size_t cap)
{
    const odoo_error *e = odoo_client_last_error(c);
    char want[128];
    const char *m = odoo_error_message(e), *after;
    snprintf(want, sizeof(want),
             "answer larger than max_response_bytes (%zu bytes): stopped after ", cap);
    if (rc != ODOO_ETOOBIG)
        fail_msg("rc %s (%s), expected ODOO_ETOOBIG", odoo_error_name(rc), m);
    assert_int_equal(odoo_error_get_code(e), ODOO_ETOOBIG);
    assert_int_equal(odoo_error_retryable(e), 0);
    if (!(after = strstr(m, want)))
        fail_msg("message '%s' lacks '%s'", m, want);
    /* the bytes received: more than the cap, and not far more (one read) */
    {
        unsigned long long n = strtoull(after + strlen(want), NULL, 10);
        assert_true(n > cap);
        assert_true(n <= cap + 1024 * 1024);
    }
    assert_int_equal(odoo_client_retry_count(c), 0);
}

/* A read past the cap: ODOO_ETOOBIG, one request, no retry. */
static void test_read_past_cap_not_retried(void **state)
{
    server *s = srv_start(MODE_LOGIN_THEN_ENDLESS);
    odoo_client *c = client_for(s, 64 * 1024);
    json_t *out = NULL;
    int endless = 0, rc;
    (void)state;
    rc = odoo_call_kw(c, &out, "sale.order", "search_read", NULL, NULL, NULL);
    expect_too_big(c, rc, 64 * 1024);
    assert_null(out);
    (void)srv_count(s, &endless);
    assert_int_equal(endless, 1);
    odoo_client_free(c);
    srv_stop(s);
}

/* A write past the cap: ODOO_ETOOBIG (not EINDOUBT: the answer arrived, too
 * big), one request. */
static void test_write_past_cap_not_retried(void **state)
{
    server *s = srv_start(MODE_LOGIN_THEN_ENDLESS);
    odoo_client *c = client_for(s, 64 * 1024);
    json_t *args = json_pack("[[i], {s:s}]", 1, "name", "x");
    int endless = 0, rc;
    (void)state;
    rc = odoo_call_kw(c, NULL, "res.partner", "write", args, NULL, NULL);
    expect_too_big(c, rc, 64 * 1024);
    (void)srv_count(s, &endless);
    assert_int_equal(endless, 1);
    json_decref(args);
    odoo_client_free(c);
    srv_stop(s);
}

/* The very first answer past the cap (the version probe or the login). */
static void test_login_past_cap_not_retried(void **state)
{
    server *s = srv_start(MODE_ENDLESS);
    odoo_client *c = client_for(s, 100000);
    (void)state;
    expect_too_big(c, odoo_client_login(c), 100000);
    assert_int_equal(srv_count(s, NULL), 1);
    assert_int_equal(odoo_client_request_count(c), 1);
    odoo_client_free(c);
    srv_stop(s);
}

/* The boundary is exact: an answer of exactly the cap passes, one byte more
 * does not; 0 = no cap. */
static void test_cap_boundary(void **state)
{
    const size_t len = 300000;
    server *s = srv_start(MODE_FIXED);
    size_t caps[] = {len, len + 1, len - 1, 0};
    size_t i;
    (void)state;
    s->fixed_len = len;
    for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        odoo_client *c = client_for(s, caps[i]);
        json_t *out = NULL;
        int rc = odoo_call_kw(c, &out, "res.partner", "read", NULL, NULL, NULL);
        if (caps[i] == 0 || caps[i] >= len) {
            if (rc != ODOO_OK)
                fail_msg("cap %zu: %s", caps[i], odoo_error_message(odoo_client_last_error(c)));
            assert_true(json_is_string(out));
            assert_int_equal(json_string_length(out), len - 36); /* the envelope: 36 bytes */
        } else {
            expect_too_big(c, rc, caps[i]);
        }
        json_decref(out);
        odoo_client_free(c);
    }
    srv_stop(s);
}

static odoo_aws_options aws_opts(server *s, char *url, size_t urlsz, odoo_aws_credentials **keys)
{
    odoo_aws_options o = ODOO_AWS_OPTIONS_INIT;
    odoo_aws_credentials_options k = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    k.access_key_id = "AKIDEXAMPLE";
    k.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    assert_int_equal(odoo_aws_credentials_new(keys, &k), ODOO_OK);
    snprintf(url, urlsz, "http://127.0.0.1:%d", s->port);
    o.endpoint = url;
    o.region = "eu-west-1";
    o.credentials = *keys;
    o.retry_base_ms = 1;
    o.retry_max_ms = 2;
    return o;
}

/* Secrets Manager: a 1 MiB cap (a secret is at most 64 KiB). */
static void test_secrets_manager_cap(void **state)
{
    server *s = srv_start(MODE_ENDLESS);
    odoo_aws_credentials *keys = NULL;
    char url[64];
    odoo_aws_options o = aws_opts(s, url, sizeof(url), &keys);
    odoo_aws_secrets *sm = NULL;
    char *secret = NULL;
    const char *m;
    int rc;
    (void)state;
    assert_int_equal(odoo_aws_secrets_new(&sm, &o), ODOO_OK);
    rc = odoo_aws_secrets_get_string(sm, &secret, "libodoo/test");
    m = odoo_error_message(odoo_aws_secrets_last_error(sm));
    if (rc != ODOO_ETOOBIG || !strstr(m, "answer larger than 1048576 bytes: stopped after "))
        fail_msg("rc %s: %s", odoo_error_name(rc), m);
    assert_null(secret);
    assert_int_equal(srv_count(s, NULL), 1);
    odoo_aws_secrets_free(sm);
    odoo_aws_credentials_free(keys);
    srv_stop(s);
}

/* DynamoDB: a 64 MiB cap. */
static void test_dynamodb_cap(void **state)
{
    server *s = srv_start(MODE_ENDLESS);
    odoo_aws_credentials *keys = NULL;
    char url[64];
    odoo_aws_options o = aws_opts(s, url, sizeof(url), &keys);
    odoo_dynamodb *db = NULL;
    json_t *req = json_pack("{s:s}", "TableName", "t"), *out = NULL;
    const char *m;
    int rc;
    (void)state;
    assert_int_equal(odoo_dynamodb_new(&db, &o), ODOO_OK);
    rc = odoo_dynamodb_call(db, &out, "DescribeTable", req);
    m = odoo_error_message(odoo_dynamodb_last_error(db));
    if (rc != ODOO_ETOOBIG || !strstr(m, "answer larger than 67108864 bytes: stopped after "))
        fail_msg("rc %s: %s", odoo_error_name(rc), m);
    assert_null(out);
    assert_int_equal(srv_count(s, NULL), 1);
    json_decref(req);
    odoo_dynamodb_free(db);
    odoo_aws_credentials_free(keys);
    srv_stop(s);
}

/* The container credentials endpoint (ECS, EKS Pod Identity): a 64 KiB cap. */
static void test_container_credentials_cap(void **state)
{
    server *s = srv_start(MODE_ENDLESS);
    odoo_aws_credentials_options k = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_aws_credentials *creds = NULL;
    char url[80], msg[256];
    int rc;
    (void)state;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/creds", s->port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    k.use_environment = 0;
    k.use_shared_files = 0;
    assert_int_equal(odoo_aws_credentials_new(&creds, &k), ODOO_OK);
    rc = odoo_aws_credentials_resolve(creds);
    odoo_aws_credentials_last_error(creds, msg, sizeof(msg));
    if (rc != ODOO_ETOOBIG || !strstr(msg, "answer larger than 65536 bytes: stopped after "))
        fail_msg("rc %s: %s", odoo_error_name(rc), msg);
    assert_int_equal(srv_count(s, NULL), 1);
    odoo_aws_credentials_free(creds);
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    srv_stop(s);
}

/* The write callback alone: cut at every boundary around a small cap. */
static void test_write_callback_boundaries(void **state)
{
    char data[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    const size_t cap = 16;
    size_t first, second;
    (void)state;
    for (first = 0; first <= 20; first++) {
        for (second = 0; second <= 20; second++) {
            odoo__buf buf = {0};
            odoo__curl_body b = {&buf, cap, 0, 0, 0};
            size_t r1 = odoo__curl_write(data, 1, first, &b);
            size_t r2 = r1 == first ? odoo__curl_write(data + first, 1, second, &b) : 0;
            if (first > cap) {
                assert_int_equal(r1, 0);
                assert_true(b.over_cap);
            } else if (first + second > cap) {
                assert_int_equal(r1, first);
                assert_int_equal(r2, 0);
                assert_true(b.over_cap);
                assert_int_equal(buf.len, first);
                assert_int_equal(b.received, first + second);
            } else {
                assert_int_equal(r2, second);
                assert_false(b.over_cap);
                assert_int_equal(buf.len, first + second);
                assert_memory_equal(buf.data, data, buf.len);
            }
            assert_true(buf.cap <= cap + 1); /* never grown past the cap */
            odoo__buf_dispose(&buf);
        }
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_past_cap_not_retried),
        cmocka_unit_test(test_write_past_cap_not_retried),
        cmocka_unit_test(test_login_past_cap_not_retried),
        cmocka_unit_test(test_cap_boundary),
        cmocka_unit_test(test_secrets_manager_cap),
        cmocka_unit_test(test_dynamodb_cap),
        cmocka_unit_test(test_container_credentials_cap),
        cmocka_unit_test(test_write_callback_boundaries),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
