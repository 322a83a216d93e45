// SPDX-License-Identifier: MIT
/* The allocation-failure torture's harness: the failure counter shared by
 * libodoo (the ODOO_ALLOC_HOOKS hook of src/util/util.c) and jansson
 * (json_set_alloc_funcs), the wrapped jansson parser and the sweep.
 * See torture.h and the header comment of test_torture.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "internal.h"
#include "torture.h"

#ifndef ODOO_ALLOC_HOOKS
#  error "the torture needs the library built with ODOO_ALLOC_HOOKS"
#endif

/* jansson 2.14's parser does not survive a failed allocation: lex_save()
 * drops the failure and the lexer then reads past its buffer (a crash inside
 * json_loadb; upstream akheron/jansson#362, fix proposed in PR #747). So the
 * parser's own allocations are not failed: json_loadb/json_loads are wrapped
 * (-Wl,--wrap, see CMakeLists.txt) and a failure point that falls on a parse
 * makes the whole parse fail the way jansson reports it ("out of memory",
 * json_error_out_of_memory). */
static int in_parser;

json_t *__real_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__real_json_loads(const char *input, size_t flags, json_error_t *error);
json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error);

static json_t *parse_failed(json_error_t *error)
{
    if (error) {
        memset(error, 0, sizeof(*error));
        error->line = error->column = -1;
        snprintf(error->text, sizeof(error->text), "%s", "out of memory");
        /* where jansson keeps the code json_error_code() reads */
        error->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)json_error_out_of_memory;
    }
    return NULL;
}

json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error)
{
    json_t *v;
    if (!in_parser && odoo__alloc_should_fail())
        return parse_failed(error);
    in_parser++;
    v = __real_json_loadb(buffer, buflen, flags, error);
    in_parser--;
    return v;
}

json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error)
{
    json_t *v;
    if (!in_parser && odoo__alloc_should_fail())
        return parse_failed(error);
    in_parser++;
    v = __real_json_loads(input, flags, error);
    in_parser--;
    return v;
}

static void *chaos_malloc(size_t n)
{
    if (!in_parser && odoo__alloc_should_fail())
        return NULL;
    return malloc(n);
}

void torture_init(void)
{
    json_set_alloc_funcs(chaos_malloc, free);
}

void arm(long k)
{
    odoo__set_alloc_fail_after(k);
}

long disarm(void)
{
    long n = odoo__alloc_calls();
    odoo__set_alloc_fail_after(0);
    return n;
}

void check_rc(const char *what, long k, int rc, const odoo_error *err)
{
    if (rc == ODOO_OK)
        return;
    if (rc >= 0 || rc < -100)
        fail_msg("%s: k=%ld: unexpected return %d", what, k, rc);
    if (err && odoo_error_get_code(err) != rc)
        fail_msg("%s: k=%ld: returned %s but the error says %s", what, k, odoo_error_name(rc),
                 odoo_error_name(odoo_error_get_code(err)));
    if (err && !odoo_error_message(err))
        fail_msg("%s: k=%ld: no message", what, k);
}

typedef struct stats {
    long points, ok, failed, enomem;
    long by_code[64]; /* by -rc */
} stats;

static void count(stats *st, int rc)
{
    st->points++;
    if (rc == ODOO_OK)
        st->ok++;
    else
        st->failed++;
    if (rc == ODOO_ENOMEM)
        st->enomem++;
    if (rc < 0 && -rc < 64)
        st->by_code[-rc]++;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void torture_max(const char *name, scenario fn, long max_points)
{
    const char *one = getenv("ODOO_TORTURE_K");
    const char *mp = getenv("ODOO_TORTURE_MAX_POINTS");
    long total = 0, n, k, step, dense;
    double t0 = now_s();
    stats st;
    int rc;

    if (mp && *mp)
        max_points = atol(mp);
    else if (max_points <= 0)
        max_points = 3000;
    memset(&st, 0, sizeof(st));
    if (one) {
        k = atol(one);
        (void)fn(0, &n); /* as in a full run: caches warm */
        rc = fn(k, &n);
        printf("%s: k=%ld: %s (%ld allocations)\n", name, k, odoo_error_name(rc), n);
        return;
    }
    rc = fn(0, &total);
    if (rc != ODOO_OK)
        fail_msg("%s: the run without failures gave %s", name, odoo_error_name(rc));
    if (max_points < 100)
        max_points = 100;
    /* every k while there are few; otherwise every k up to `dense`, then a
     * stride that keeps the number of points near max_points */
    dense = total <= max_points ? total : max_points / 2;
    step = total <= max_points ? 1 : (total - dense) / (max_points - dense) + 1;
    for (k = 1; k <= total; k += k < dense ? 1 : step) {
        if (getenv("ODOO_TORTURE_VERBOSE"))
            fprintf(stderr, "%s: k=%ld\n", name, k);
        rc = fn(k, &n);
        if (getenv("ODOO_TORTURE_VERBOSE"))
            fprintf(stderr, "%s: k=%ld: %s\n", name, k, odoo_error_name(rc));
        count(&st, rc);
    }
    /* and the last allocation of the path */
    rc = fn(total, &n);
    count(&st, rc);
    printf("%s: %ld allocations; %ld failure points%s: %ld runs succeeded anyway (retried or "
           "not needed), %ld failed cleanly:",
           name, total, st.points, step > 1 ? " (sampled)" : "", st.ok, st.failed);
    for (k = 1; k < 64; k++)
        if (st.by_code[k])
            printf(" %s %ld", odoo_error_name((int)-k), st.by_code[k]);
    printf(" [%.1f s]\n", now_s() - t0);
    fflush(stdout);
}

void torture(const char *name, scenario fn)
{
    torture_max(name, fn, 0);
}
