/*
 * libodoo - memory helpers, a growable buffer, URL helpers.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#ifdef ODOO_ALLOC_HOOKS
/* Test-only allocation-failure injection (tests/torture), compiled only with
 * -DODOO_ALLOC_HOOKS (the CMake option of the same name, never in release
 * builds). Not thread-safe: the torture programs are single-threaded. */
static long alloc_fail_at = 0; /* fail the n-th allocation from now; 0: never */
static long alloc_calls = 0;

void odoo__set_alloc_fail_after(long n)
{
    alloc_fail_at = n > 0 ? n : 0;
    alloc_calls = 0;
}

long odoo__alloc_calls(void)
{
    return alloc_calls;
}

int odoo__alloc_should_fail(void)
{
    alloc_calls++;
    return alloc_fail_at > 0 && alloc_calls == alloc_fail_at;
}
#  define ALLOC_FAILS() odoo__alloc_should_fail()
#else
#  define ALLOC_FAILS() 0
#endif

void *odoo__malloc(size_t n)
{
    if (ALLOC_FAILS())
        return NULL;
    return malloc(n ? n : 1);
}

void *odoo__calloc(size_t nmemb, size_t size)
{
    if (ALLOC_FAILS())
        return NULL;
    return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *odoo__realloc(void *p, size_t n)
{
    if (ALLOC_FAILS())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *odoo__strdup(const char *s)
{
    size_t n;
    char *d;
    if (!s)
        return NULL;
    n = strlen(s) + 1;
    d = odoo__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int odoo__strdup_opt(char **out, const char *s)
{
    *out = NULL;
    if (!s)
        return ODOO_OK;
    *out = odoo__strdup(s);
    return *out ? ODOO_OK : ODOO_ENOMEM;
}

void odoo__wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

void odoo__free_secret(char *s)
{
    if (!s)
        return;
    odoo__wipe(s, strlen(s));
    free(s);
}

void odoo_free(void *ptr)
{
    free(ptr);
}

/* ---- JSON copies ------------------------------------------------------------ */

/* jansson's json_copy() (and, depending on its version, json_deep_copy())
 * skips the members it cannot allocate and still returns the copy: out of
 * memory, a request could go out without its "domain" or "order". These
 * return NULL instead of a partial copy. json_equal() allocates nothing. */
json_t *odoo__json_copy(json_t *v)
{
    json_t *c = json_copy(v);
    if (c && !json_equal(c, v)) {
        json_decref(c);
        return NULL;
    }
    return c;
}

json_t *odoo__json_deep_copy(const json_t *v)
{
    json_t *c = json_deep_copy(v);
    if (c && !json_equal(c, v)) {
        json_decref(c);
        return NULL;
    }
    return c;
}

/* ---- buffer ---------------------------------------------------------------- */

int odoo__buf_reserve(odoo__buf *b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (extra > SIZE_MAX - b->len - 1)
        return ODOO_ENOMEM;
    need = b->len + extra + 1; /* room for a terminating NUL */
    if (need <= b->cap)
        return ODOO_OK;
    cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = odoo__realloc(b->data, cap);
    if (!p)
        return ODOO_ENOMEM;
    b->data = p;
    b->cap = cap;
    return ODOO_OK;
}

int odoo__buf_append(odoo__buf *b, const void *data, size_t n)
{
    if (odoo__buf_reserve(b, n) != ODOO_OK)
        return ODOO_ENOMEM;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return ODOO_OK;
}

void odoo__buf_clear_secret(odoo__buf *b)
{
    if (b->data)
        odoo__wipe(b->data, b->len);
    b->len = 0;
}

void odoo__buf_dispose(odoo__buf *b)
{
    if (b->data) {
        odoo__wipe(b->data, b->cap);
        free(b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

/* jansson 2.14's writer does not check a failed write of an object's key:
 * with a writer callback that can fail (out of memory), json_dump_callback()
 * goes on and returns 0, leaving a text without that key (`{:"2.0",...}`;
 * found by tests/torture). json_dumpb() writes into a buffer given in
 * advance and never fails a write: it first tells the size, then fills an
 * exact buffer, so a text it returns is whole. */
int odoo__buf_set_json(odoo__buf *b, const json_t *json)
{
    return odoo__buf_set_json_flags(b, json, JSON_COMPACT);
}

int odoo__buf_set_json_flags(odoo__buf *b, const json_t *json, size_t flags)
{
    size_t need, got;
    flags |= JSON_ENCODE_ANY;
    b->len = 0;
    if (odoo__buf_reserve(b, 0) != ODOO_OK)
        return ODOO_ENOMEM;
    b->data[0] = '\0';
    need = json_dumpb(json, NULL, 0, flags);
    if (need == 0 || odoo__buf_reserve(b, need) != ODOO_OK)
        return ODOO_ENOMEM;
    got = json_dumpb(json, b->data, need, flags);
    if (got != need) {
        odoo__buf_clear_secret(b); /* what was written may hold a secret */
        return ODOO_ENOMEM;
    }
    b->len = need;
    b->data[need] = '\0';
    return ODOO_OK;
}

/* ---- names and URLs ----------------------------------------------------- */

static int all_chars_in(const char *s, int allow_dot)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
            || ch == '_' || (allow_dot && ch == '.'))
            continue;
        return 0;
    }
    return 1;
}

int odoo__valid_model_name(const char *s)
{
    return all_chars_in(s, 1);
}

int odoo__valid_method_name(const char *s)
{
    return all_chars_in(s, 0);
}

char *odoo__url_join(const char *base, const char *path)
{
    size_t bl = strlen(base), pl = strlen(path);
    char *s = odoo__malloc(bl + pl + 1);
    if (!s)
        return NULL;
    memcpy(s, base, bl);
    memcpy(s + bl, path, pl + 1);
    return s;
}

int odoo__url_normalize(odoo_error *err, const char *url, char **out)
{
    const char *rest, *end, *at;
    size_t len;
    char *s;

    *out = NULL;
    if (!url || !*url)
        return odoo__error_set(err, ODOO_EINVAL, 0, "options: url is required");
    if (strncasecmp(url, "http://", 7) == 0)
        rest = url + 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        rest = url + 8;
    else
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "options: url must start with http:// or https://");
    end = rest + strcspn(rest, "/?#");
    if (end == rest)
        return odoo__error_set(err, ODOO_EINVAL, 0, "options: url has no host");
    at = memchr(rest, '@', (size_t)(end - rest));
    if (at)
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "options: url must not carry credentials (user:password@); "
                               "use the login and password options");
    if (strpbrk(url, "?# \t\r\n"))
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "options: url must not contain a query, fragment or white space");
    len = strlen(url);
    while (len > (size_t)(end - url) && url[len - 1] == '/')
        len--;
    s = odoo__malloc(len + 1);
    if (!s)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    memcpy(s, url, len);
    s[len] = '\0';
    *out = s;
    return ODOO_OK;
}
