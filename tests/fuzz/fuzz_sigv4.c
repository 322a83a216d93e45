// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the SigV4 canonical request builder and signer
 * (odoo__sigv4_authorization). The input, line by line:
 *
 *   method \n path \n query \n amz-date \n region \n service \n access-key-id \n
 *   <number of headers, 0-9> \n name:value \n ... \n <payload: the rest>
 *
 * The secret access key is a fixed planted value: it may never appear in the
 * Authorization value or in the canonical request. The same request signed
 * twice gives the same result.
 */
#include "fuzz_common.h"
#include "sink_internal.h"
#include "aws_internal.h"

/* Letters and digits only: the outputs join fields with '/', '\n', ':', ';'
 * and percent-encode, so a planted key with a '/' could be assembled from two
 * fields the fuzzer chose (region "...FEMI" + '/' + service "K7MD...") without
 * any leak. An alphanumeric one can only appear if the input holds it whole. */
#define PLANT "wJalrXUtnFEMIK7MDENGPl4ntedS3cretKEY"

static const char *next_line(const char **p, const char *end, char *buf, size_t bufsz)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n;
    if (!nl)
        nl = end;
    n = (size_t)(nl - *p);
    if (n >= bufsz)
        n = bufsz - 1;
    memcpy(buf, *p, n);
    buf[n] = '\0';
    *p = nl < end ? nl + 1 : end;
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char f[7][256], hl[9][256], names[9][256];
    odoo__sigv4_header headers[9];
    odoo__sigv4_request r;
    odoo__buf out = {0}, canon = {0}, out2 = {0};
    const char *p = (const char *)data, *end = p + size;
    size_t i, nh;
    int rc, rc2;
    char cnt[8];

    for (i = 0; i < 7; i++)
        next_line(&p, end, f[i], sizeof(f[i]));
    next_line(&p, end, cnt, sizeof(cnt));
    nh = cnt[0] >= '0' && cnt[0] <= '9' ? (size_t)(cnt[0] - '0') : 0;
    if (nh > 9)
        nh = 9;
    for (i = 0; i < nh; i++) {
        char *colon;
        next_line(&p, end, hl[i], sizeof(hl[i]));
        colon = strchr(hl[i], ':');
        if (colon)
            *colon = '\0';
        /* names are lower case for the caller; keep what the fuzzer gave */
        snprintf(names[i], sizeof(names[i]), "%s", hl[i]);
        headers[i].name = names[i];
        headers[i].value = colon ? colon + 1 : "";
    }
    memset(&r, 0, sizeof(r));
    r.method = f[0];
    r.path = f[1];
    r.query = f[2];
    r.amz_date = f[3];
    r.region = f[4];
    r.service = f[5];
    r.access_key_id = f[6];
    r.secret_access_key = PLANT;
    r.headers = headers;
    r.nheaders = nh;
    r.payload = p;
    r.payload_len = (size_t)(end - p);

    rc = odoo__sigv4_authorization(&r, &out, &canon);
    rc2 = odoo__sigv4_authorization(&r, &out2, NULL);
    FUZZ_CHECK(rc == rc2);
    if (rc == ODOO_OK) {
        FUZZ_CHECK(out.len == out2.len && memcmp(out.data, out2.data, out.len) == 0);
        FUZZ_CHECK(out.data[out.len] == '\0');
        FUZZ_CHECK(strncmp(out.data, "AWS4-HMAC-SHA256 Credential=", 28) == 0);
        if (!fuzz_memmem(data, size, PLANT, strlen(PLANT))) {
            FUZZ_CHECK(fuzz_memmem(out.data, out.len, PLANT, strlen(PLANT)) == NULL);
            FUZZ_CHECK(fuzz_memmem(canon.data, canon.len, PLANT, strlen(PLANT)) == NULL);
        }
        /* the canonical request ends with the payload's SHA-256 in hex */
        FUZZ_CHECK(canon.len >= 64);
        for (i = canon.len - 64; i < canon.len; i++)
            FUZZ_CHECK((canon.data[i] >= '0' && canon.data[i] <= '9')
                       || (canon.data[i] >= 'a' && canon.data[i] <= 'f'));
    } else {
        FUZZ_CHECK(rc == ODOO_EINVAL || rc == ODOO_ENOMEM || rc == ODOO_ERROR);
    }
    odoo__buf_dispose(&out);
    odoo__buf_dispose(&out2);
    odoo__buf_dispose(&canon);
    return 0;
}
