// SPDX-License-Identifier: MIT
/* Helpers for the sink and AWS tests. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "sinks_test.h"

const char *st_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        fail_msg("%s is not set: run this test through tests/sinks/run_with_aws.py", name);
    return v;
}

char *st_tmpdir(void)
{
    const char *base = getenv("ODOO_TEST_TMPDIR");
    char *t;
    size_t n;
    if (!base || !*base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    n = strlen(base) + 32;
    t = malloc(n);
    assert_non_null(t);
    snprintf(t, n, "%s/sinktest-XXXXXX", base);
    assert_non_null(mkdtemp(t));
    return t;
}

void st_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char *p;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        p = st_path(dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

char *st_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *st_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = (size_t)n;
    return buf;
}

void st_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

int st_count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

char *st_unique(const char *prefix)
{
    static unsigned counter;
    size_t n = strlen(prefix) + 48;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%s-%ld-%u", prefix, (long)getpid(), ++counter);
    return s;
}

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    char **buf = userdata;
    size_t old = *buf ? strlen(*buf) : 0, n = size * nmemb;
    char *p = realloc(*buf, old + n + 1);
    if (!p)
        return 0;
    memcpy(p + old, ptr, n);
    p[old + n] = '\0';
    *buf = p;
    return n;
}

long st_http_json(const char *method, const char *url, const char *body, json_t **answer)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char *buf = NULL;
    long status = 0;
    CURLcode cc;
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (strcmp(method, "POST") == 0)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK)
        fail_msg("HTTP %s %s: %s", method, url, curl_easy_strerror(cc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (answer)
        *answer = buf ? json_loads(buf, 0, NULL) : NULL;
    free(buf);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

void st_proxy_faults(const char *json_text)
{
    char url[512];
    snprintf(url, sizeof(url), "%s/__proxy/faults", st_env("ODOO_TEST_PROXY_URL"));
    assert_int_equal(st_http_json("POST", url, json_text, NULL), 200);
}

json_t *st_proxy_stats(void)
{
    char url[512];
    json_t *ans = NULL;
    snprintf(url, sizeof(url), "%s/__proxy/stats", st_env("ODOO_TEST_PROXY_URL"));
    assert_int_equal(st_http_json("GET", url, NULL, &ans), 200);
    assert_non_null(ans);
    return ans;
}

long long st_proxy_stat(const char *name)
{
    json_t *s = st_proxy_stats();
    long long v = json_integer_value(json_object_get(s, name));
    json_decref(s);
    return v;
}

odoo_dynamodb *st_dynamodb(const char *endpoint)
{
    odoo_aws_options o = ODOO_AWS_OPTIONS_INIT;
    odoo_dynamodb *db = NULL;
    int rc;
    o.endpoint = endpoint;
    o.retry_base_ms = 5;
    rc = odoo_dynamodb_new(&db, &o);
    if (rc != ODOO_OK)
        fail_msg("odoo_dynamodb_new: %s", odoo_error_message(odoo_dynamodb_last_error(db)));
    return db;
}

void st_setenv(const char *name, const char *value)
{
    if (value)
        assert_int_equal(setenv(name, value, 1), 0);
    else
        assert_int_equal(unsetenv(name), 0);
}
