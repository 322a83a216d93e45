// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "emu.h"

const char *emu_url(void)
{
    const char *u = getenv("ODOO_EMULATOR_URL");
    if (!u || !*u)
        fail_msg("ODOO_EMULATOR_URL is not set: run under tests/emulator/run_with_emulator.py");
    return u;
}

void emu_options(odoo_client_options *o, const char *login, const char *password)
{
    const char *db = getenv("ODOO_DB");
    assert_int_equal(odoo_client_options_init(o, ODOO_CLIENT_OPTIONS_VERSION), ODOO_OK);
    o->url = emu_url();
    o->database = db && *db ? db : "acme";
    o->login = login ? login : "admin";
    o->password = password ? password : "admin";
    o->timeout_ms = 30000;
}

odoo_client *emu_client(const char *login, const char *password)
{
    odoo_client_options o;
    odoo_client *c = NULL;
    emu_options(&o, login, password);
    assert_int_equal(odoo_client_new(&c, &o), ODOO_OK);
    return c;
}

typedef struct {
    char *data;
    size_t len;
} membuf;

static size_t collect(char *p, size_t s, size_t n, void *ud)
{
    membuf *m = ud;
    char *d = realloc(m->data, m->len + s * n + 1);
    if (!d)
        return 0;
    memcpy(d + m->len, p, s * n);
    m->len += s * n;
    d[m->len] = '\0';
    m->data = d;
    return s * n;
}

static json_t *control(const char *path, const char *body)
{
    char url[512];
    membuf m = {NULL, 0};
    CURL *h = curl_easy_init();
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    long status = 0;
    json_t *j;
    json_error_t jerr;

    snprintf(url, sizeof(url), "%s%s", emu_url(), path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &m);
    if (body) {
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    }
    if (curl_easy_perform(h) != CURLE_OK)
        fail_msg("emulator control %s: no answer", path);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    curl_slist_free_all(hd);
    if (status != 200)
        fail_msg("emulator control %s: HTTP %ld: %s", path, status, m.data ? m.data : "");
    j = json_loads(m.data ? m.data : "", 0, &jerr);
    free(m.data);
    if (!j)
        fail_msg("emulator control %s: bad JSON: %s", path, jerr.text);
    return j;
}

void emu_fault(const char *json_text)
{
    json_decref(control("/__emulator/faults", json_text));
}

json_t *emu_stats(void)
{
    return control("/__emulator/stats", NULL);
}

long long emu_calls(const char *model_method)
{
    json_t *s = emu_stats();
    json_t *v = json_object_get(json_object_get(s, "calls"), model_method);
    long long n = json_is_integer(v) ? (long long)json_integer_value(v) : 0;
    json_decref(s);
    return n;
}
