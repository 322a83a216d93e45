/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the redirect handling (issue 18) and the loopback test of the
 * insecure-http rule. A fuzzed Location goes through odoo__redirect_target
 * (the target named in "HTTP 303 redirect to ...: not followed") with a
 * fuzzed output size; the same text, as a host and inside http://, goes
 * through odoo__host_is_loopback and odoo__url_host_is_loopback.
 *
 * Input: 1 byte (output size selector), then the Location text.
 *
 * Checks: the output is a C string within its buffer, printable ASCII only;
 * no query or fragment text (only the "?..." marker, last) and no
 * user:password@ part; a smaller buffer gives the same text cut; the
 * loopback answers are stable and agree with inet_pton for a dotted IPv4
 * address.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "fuzz_common.h"
#include "internal.h"

/* The output into a buffer of outsz bytes (a guard byte after it). */
static char *target(const char *loc, size_t outsz)
{
    char *out = malloc(outsz + 1);
    size_t n, i;
    FUZZ_CHECK(out != NULL);
    out[outsz] = 'Z';
    odoo__redirect_target(loc, out, outsz);
    FUZZ_CHECK(out[outsz] == 'Z'); /* never written past its size */
    n = strlen(out);
    FUZZ_CHECK(n < outsz);
    for (i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)out[i] >= 0x20 && (unsigned char)out[i] < 0x7f);
    return out;
}

static void check_target(const char *loc, size_t outsz)
{
    size_t len = strlen(loc), n;
    /* room for all of it: the output is at most the input plus "?..." */
    char *big = target(loc, len + 20), *small = target(loc, outsz);
    const char *sep = strstr(loc, "://");

    n = strlen(big);
    FUZZ_CHECK(!strchr(big, '#'));
    if (!*loc)
        FUZZ_CHECK(strcmp(big, "(no Location)") == 0);
    else if (loc[strcspn(loc, "?#")])
        FUZZ_CHECK(n >= 4 && strcmp(big + n - 4, "?...") == 0); /* the query is not shown */
    else
        FUZZ_CHECK(n <= len);
    if (sep && sep - loc <= 16 && sep == loc + strcspn(loc, ":/?#")) {
        /* scheme://[user:password@]host...: no user:password@ shown */
        const char *auth = strstr(big, "://");
        FUZZ_CHECK(auth != NULL);
        auth += 3;
        FUZZ_CHECK(!memchr(auth, '@', strcspn(auth, "/")));
    }
    /* a small buffer: the same text, cut (with "..." when there is room) */
    n = strlen(small);
    FUZZ_CHECK(strncmp(small, big, n) == 0
               || (n >= 3 && strcmp(small + n - 3, "...") == 0 && strncmp(small, big, n - 3) == 0));
    free(big);
    free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *loc, *url;
    size_t outsz, n;
    int a, b;
    if (size < 1)
        return 0;
    outsz = data[0] == 0 ? 300 : (size_t)data[0]; /* 1 to 255, or the client's 300 */
    loc = fuzz_strndup(data + 1, size - 1);
    check_target(loc, outsz);

    /* loopback */
    a = odoo__host_is_loopback(loc);
    FUZZ_CHECK(a == odoo__host_is_loopback(loc));
    n = strlen(loc);
    if (n > 0 && n < 16 && strspn(loc, "0123456789.") == n) {
        unsigned char addr[4];
        int ok = inet_pton(AF_INET, loc, addr) == 1;
        FUZZ_CHECK(a == (ok && addr[0] == 127));
    }
    url = malloc(n + 8);
    FUZZ_CHECK(url != NULL);
    memcpy(url, "http://", 7);
    memcpy(url + 7, loc, n + 1);
    b = odoo__url_host_is_loopback(url);
    FUZZ_CHECK(b == odoo__url_host_is_loopback(url));
    FUZZ_CHECK(odoo__url_is_plain_http(url));
    free(url);
    free(loc);
    return 0;
}
