/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the answer cap (issue 18). An answer is fed through the one
 * libcurl write callback of the libraries (odoo__curl_write, no network) in
 * fuzzed chunks, with the cap at the fuzzed value and at every boundary
 * around the answer's length (len - 1, len, len + 1) and off (0); then what
 * was kept goes through the JSON-RPC decoder (odoo__rpc_parse_response), a
 * whole answer or one cut at the cap.
 *
 * Input: 3 bytes (cap low, cap high nibble, chunking seed), then an answer in
 * fuzz_common.h's form: <status>\n<content-type>\n<body>.
 *
 * Checks: bytes up to the cap are all kept, in order; one byte past it stops
 * the transfer (over_cap), never later; what is kept is a prefix of the
 * answer, never longer than the cap; the buffer never grows past cap + 1
 * bytes; received counts every byte handed over; the decoder gives a result
 * or an error with a message, whatever the cut.
 */
#include "fuzz_common.h"
#include "internal.h"

static void decode(const fuzz_answer *a, const char *body, size_t len)
{
    odoo_error err;
    json_t *result = NULL;
    int rc;
    odoo__error_init(&err);
    rc = odoo__rpc_parse_response(&err, a->status, a->has_content_type ? a->content_type : NULL,
                                  body, len, &result);
    if (rc == ODOO_OK) {
        FUZZ_CHECK(result != NULL);
        json_decref(result);
    } else {
        FUZZ_CHECK(rc < 0 && err.code == rc);
        FUZZ_CHECK(result == NULL);
        FUZZ_CHECK(err.message != NULL);
    }
    odoo__error_clear(&err);
}

static void run(const fuzz_answer *a, size_t cap, unsigned seed)
{
    odoo__buf buf = {0};
    odoo__curl_body b = {&buf, cap, 0, 0, 0};
    size_t off = 0, fed = 0, last = 0;
    int stopped = 0;
    /* a copy: libcurl hands over a writable buffer */
    char *body = malloc(a->len + 1);
    FUZZ_CHECK(body != NULL);
    memcpy(body, a->body, a->len);

    odoo__curl_body_reset(&b);
    while (off < a->len && !stopped) {
        size_t n, r;
        seed = seed * 1103515245u + 12345u;
        n = (seed >> 16) % 97; /* 0 to 96 bytes, as libcurl's reads come */
        if (n > a->len - off)
            n = a->len - off;
        r = odoo__curl_write(body + off, 1, n, &b);
        fed += n;
        if (r != n) {
            FUZZ_CHECK(r == 0);
            FUZZ_CHECK(b.over_cap && !b.nomem);
            /* stopped at the first chunk that crosses the cap, not later */
            FUZZ_CHECK(cap && off + n > cap && off <= cap);
            stopped = 1;
            last = n;
        } else {
            FUZZ_CHECK(!b.over_cap);
            off += n;
        }
        FUZZ_CHECK(b.received == fed);
        FUZZ_CHECK(buf.len == off);
        FUZZ_CHECK(!cap || buf.len <= cap);
        FUZZ_CHECK(!cap || buf.cap <= cap + 1);
        FUZZ_CHECK(buf.len == 0 || memcmp(buf.data, a->body, buf.len) == 0);
        FUZZ_CHECK(buf.len == 0 || buf.data[buf.len] == '\0');
    }
    if (!cap || a->len <= cap) {
        FUZZ_CHECK(!stopped && buf.len == a->len);
    } else {
        FUZZ_CHECK(stopped && buf.len <= cap && buf.len + last > cap);
        /* the message the client gives (http.c): bounded, names both figures */
        {
            odoo_error err;
            odoo__error_init(&err);
            odoo__error_set(&err, ODOO_ETOOBIG, 0,
                            "answer larger than max_response_bytes (%zu bytes): "
                            "stopped after %zu bytes",
                            b.cap, b.received);
            FUZZ_CHECK(err.code == ODOO_ETOOBIG && !err.retryable && err.message);
            odoo__error_clear(&err);
        }
    }
    decode(a, buf.data ? buf.data : "", buf.len);
    odoo__buf_dispose(&buf);
    free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_answer a;
    size_t cap;
    unsigned seed;
    if (size < 3)
        return 0;
    cap = (size_t)data[0] | ((size_t)(data[1] & 0x0f) << 8); /* 0 to 4095 */
    seed = data[2];
    fuzz_split_answer(data + 3, size - 3, &a);
    run(&a, cap, seed);
    if (a.len > 0)
        run(&a, a.len - 1, seed); /* one byte too many */
    run(&a, a.len, seed);         /* exactly the cap */
    run(&a, a.len + 1, seed);
    run(&a, 0, seed); /* no cap */
    return 0;
}
