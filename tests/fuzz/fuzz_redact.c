// SPDX-License-Identifier: MIT
/*
 * Fuzz target: odoo__redact, the trace redaction. The input is
 *
 *   <secret 1>\0<secret 2>\0...\0\0<text>
 *
 * (up to 4 fuzzed secrets, then the text). Two fixed secrets are planted in
 * the text at positions chosen by the input, the second one also in its
 * JSON-escaped form (as odoo__add_secret registers it). Neither may survive
 * in the redacted text, and no Cookie/Authorization header value may either.
 */
#include "fuzz_common.h"
#include "internal.h"

#define PLANT1 "Pl4ntedS3cretValue0x7f3a"
#define PLANT2 "p@ss w\"rd\\!"
#define PLANT2_JSON "p@ss w\\\"rd\\\\!"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *secrets[ODOO__MAX_SECRETS + 2] = {0};
    size_t ns = 0, i, tlen, outlen = 0, pos1, pos2;
    const uint8_t *p = data, *end = data + size;
    char *text, *out;

    while (p < end && ns < 4) {
        const uint8_t *z = memchr(p, '\0', (size_t)(end - p));
        if (!z || z == p) { /* "\0\0" or no NUL: the text starts */
            if (z == p)
                p++;
            break;
        }
        secrets[ns++] = fuzz_strndup(p, (size_t)(z - p));
        p = z + 1;
    }
    secrets[ns++] = strdup(PLANT1);
    secrets[ns++] = strdup(PLANT2_JSON);
    secrets[ns++] = strdup(PLANT2);

    /* the text with the planted secrets inserted */
    tlen = (size_t)(end - p);
    pos1 = tlen ? (size_t)p[0] % (tlen + 1) : 0;
    pos2 = tlen ? (size_t)p[tlen - 1] * 7 % (tlen + 1) : 0;
    text = malloc(tlen + sizeof(PLANT1) + sizeof(PLANT2_JSON) + sizeof(PLANT2) + 1);
    if (!text)
        abort();
    {
        size_t o = 0, a = pos1 < pos2 ? pos1 : pos2, b = pos1 < pos2 ? pos2 : pos1;
        memcpy(text + o, p, a), o += a;
        memcpy(text + o, PLANT1, strlen(PLANT1)), o += strlen(PLANT1);
        memcpy(text + o, p + a, b - a), o += b - a;
        memcpy(text + o, PLANT2_JSON, strlen(PLANT2_JSON)), o += strlen(PLANT2_JSON);
        memcpy(text + o, PLANT2, strlen(PLANT2)), o += strlen(PLANT2);
        memcpy(text + o, p + b, tlen - b), o += tlen - b;
        tlen = o;
    }

    out = odoo__redact(text, tlen, secrets, ns, &outlen);
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(out[outlen] == '\0');
    FUZZ_CHECK(fuzz_memmem(out, outlen, PLANT1, strlen(PLANT1)) == NULL);
    FUZZ_CHECK(fuzz_memmem(out, outlen, PLANT2, strlen(PLANT2)) == NULL);
    FUZZ_CHECK(fuzz_memmem(out, outlen, PLANT2_JSON, strlen(PLANT2_JSON)) == NULL);
    /* a header line that starts the output keeps nothing but "***" (more
     * stars when a fuzzed secret also matched). Not checked when a fuzzed
     * secret holds a line break: masking it joins the next line to the
     * Cookie line in the output (regression seeds redact/cookie-cr-secret*) */
    for (i = 0; i + 3 < ns; i++)
        if (strpbrk(secrets[i], "\r\n"))
            break;
    if (i + 3 >= ns && outlen >= 7 && strncmp(out, "Cookie:", 7) == 0) {
        const char *eol = strpbrk(out, "\r\n");
        size_t l = eol ? (size_t)(eol - out) : strlen(out), k;
        FUZZ_CHECK(l >= 11 && memcmp(out + 7, " ***", 4) == 0);
        for (k = 11; k < l; k++)
            FUZZ_CHECK(out[k] == '*');
    }
    free(out);
    free(text);
    for (i = 0; i < ns; i++)
        free(secrets[i]);
    return 0;
}
