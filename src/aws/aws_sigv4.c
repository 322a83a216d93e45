// SPDX-License-Identifier: MIT
/*
 * libodoo - AWS Signature Version 4 over OpenSSL's SHA-256 (HMAC-SHA256 on top).
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * The signing key is derived from the secret access key; every intermediate
 * key is wiped after use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "aws_internal.h"

void odoo__hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int odoo__sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return ODOO_ERROR;
    odoo__hex(md, 32, out);
    return ODOO_OK;
}

/* HMAC-SHA256 (RFC 2104) over one reusable digest context: OpenSSL 3's
 * one-shot HMAC() sets up a MAC object each time, which costs more than the
 * hashing of SigV4's short strings (five HMACs a request). */
static int hmac_ctx(EVP_MD_CTX *c, const void *key, size_t keylen, const void *data, size_t len,
                    unsigned char out[32])
{
    unsigned char k[64], pad[64], inner[32];
    unsigned int n = 0;
    size_t i;
    int ok;
    memset(k, 0, sizeof(k));
    if (keylen > sizeof(k)) {
        ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, key, keylen)
             && EVP_DigestFinal_ex(c, k, &n) && n == 32;
        if (!ok)
            return ODOO_ERROR;
    } else if (keylen) {
        memcpy(k, key, keylen);
    }
    for (i = 0; i < sizeof(pad); i++)
        pad[i] = (unsigned char)(k[i] ^ 0x36);
    ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, pad, sizeof(pad))
         && EVP_DigestUpdate(c, data, len) && EVP_DigestFinal_ex(c, inner, &n) && n == 32;
    for (i = 0; ok && i < sizeof(pad); i++)
        pad[i] = (unsigned char)(k[i] ^ 0x5c);
    ok = ok && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, pad, sizeof(pad))
         && EVP_DigestUpdate(c, inner, sizeof(inner)) && EVP_DigestFinal_ex(c, out, &n)
         && n == 32;
    odoo__wipe(k, sizeof(k));
    odoo__wipe(pad, sizeof(pad));
    odoo__wipe(inner, sizeof(inner));
    return ok ? ODOO_OK : ODOO_ERROR;
}

static int hmac(const void *key, size_t keylen, const void *data, size_t len,
                unsigned char out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int rc;
    if (!c)
        return ODOO_ENOMEM;
    rc = hmac_ctx(c, key, keylen, data, len, out);
    EVP_MD_CTX_free(c);
    return rc;
}

int odoo__sigv4_signing_key(const char *secret, const char *date8, const char *region,
                            const char *service, unsigned char out[32])
{
    unsigned char k1[32], k2[32], k3[32];
    size_t slen = strlen(secret);
    char *first = odoo__malloc(slen + 5);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int rc = ODOO_ERROR;
    if (!first || !c) {
        free(first);
        EVP_MD_CTX_free(c);
        return ODOO_ENOMEM;
    }
    memcpy(first, "AWS4", 4);
    memcpy(first + 4, secret, slen + 1);
    if (hmac_ctx(c, first, slen + 4, date8, strlen(date8), k1) == ODOO_OK
        && hmac_ctx(c, k1, 32, region, strlen(region), k2) == ODOO_OK
        && hmac_ctx(c, k2, 32, service, strlen(service), k3) == ODOO_OK
        && hmac_ctx(c, k3, 32, "aws4_request", 12, out) == ODOO_OK)
        rc = ODOO_OK;
    EVP_MD_CTX_free(c);
    odoo__wipe(first, slen + 4);
    free(first);
    odoo__wipe(k1, sizeof(k1));
    odoo__wipe(k2, sizeof(k2));
    odoo__wipe(k3, sizeof(k3));
    return rc;
}

void odoo__amz_date(long long unix_time, char out[17])
{
    time_t t = (time_t)unix_time;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int cmp_headers(const void *a, const void *b)
{
    const odoo__sigv4_header *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* The header value as SigV4 wants it: trimmed, inner runs of spaces folded. */
static int append_trimmed(odoo__buf *b, const char *v)
{
    int space = 0, started = 0;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = started;
            continue;
        }
        if (space && odoo__buf_append(b, " ", 1) != ODOO_OK)
            return ODOO_ENOMEM;
        space = 0;
        started = 1;
        if (odoo__buf_append(b, v, 1) != ODOO_OK)
            return ODOO_ENOMEM;
    }
    return ODOO_OK;
}

#define APPEND_STR(b, s)                                                   \
    do {                                                                   \
        if (odoo__buf_append((b), (s), strlen(s)) != ODOO_OK)              \
            goto nomem;                                                    \
    } while (0)

int odoo__sigv4_authorization(const odoo__sigv4_request *r, odoo__buf *out,
                              odoo__buf *canonical)
{
    const odoo__sigv4_header **sorted = NULL;
    odoo__buf creq = {0}, signed_names = {0}, sts = {0};
    char payload_hash[65], creq_hash[65], date8[9], sig_hex[65];
    unsigned char key[32], sig[32];
    size_t i;
    int rc = ODOO_ENOMEM;

    if (!r->amz_date || strlen(r->amz_date) != 16)
        return ODOO_EINVAL;
    memcpy(date8, r->amz_date, 8);
    date8[8] = '\0';

    sorted = odoo__malloc((r->nheaders ? r->nheaders : 1) * sizeof(*sorted));
    if (!sorted)
        return ODOO_ENOMEM;
    for (i = 0; i < r->nheaders; i++)
        sorted[i] = &r->headers[i];
    qsort(sorted, r->nheaders, sizeof(*sorted), cmp_headers);

    if (odoo__sha256_hex(r->payload ? r->payload : "", r->payload ? r->payload_len : 0,
                         payload_hash) != ODOO_OK) {
        rc = ODOO_ERROR;
        goto done;
    }

    /* the canonical request */
    APPEND_STR(&creq, r->method);
    APPEND_STR(&creq, "\n");
    APPEND_STR(&creq, r->path && *r->path ? r->path : "/");
    APPEND_STR(&creq, "\n");
    APPEND_STR(&creq, r->query ? r->query : "");
    APPEND_STR(&creq, "\n");
    for (i = 0; i < r->nheaders; i++) {
        APPEND_STR(&creq, sorted[i]->name);
        APPEND_STR(&creq, ":");
        if (append_trimmed(&creq, sorted[i]->value ? sorted[i]->value : "") != ODOO_OK)
            goto nomem;
        APPEND_STR(&creq, "\n");
        if (i)
            APPEND_STR(&signed_names, ";");
        APPEND_STR(&signed_names, sorted[i]->name);
    }
    APPEND_STR(&creq, "\n");
    APPEND_STR(&creq, signed_names.len ? signed_names.data : "");
    APPEND_STR(&creq, "\n");
    APPEND_STR(&creq, payload_hash);

    if (odoo__sha256_hex(creq.data, creq.len, creq_hash) != ODOO_OK) {
        rc = ODOO_ERROR;
        goto done;
    }

    /* the string to sign */
    APPEND_STR(&sts, "AWS4-HMAC-SHA256\n");
    APPEND_STR(&sts, r->amz_date);
    APPEND_STR(&sts, "\n");
    APPEND_STR(&sts, date8);
    APPEND_STR(&sts, "/");
    APPEND_STR(&sts, r->region);
    APPEND_STR(&sts, "/");
    APPEND_STR(&sts, r->service);
    APPEND_STR(&sts, "/aws4_request\n");
    APPEND_STR(&sts, creq_hash);

    rc = odoo__sigv4_signing_key(r->secret_access_key, date8, r->region, r->service, key);
    if (rc != ODOO_OK)
        goto done;
    rc = hmac(key, sizeof(key), sts.data, sts.len, sig);
    odoo__wipe(key, sizeof(key));
    if (rc != ODOO_OK)
        goto done;
    odoo__hex(sig, sizeof(sig), sig_hex);

    out->len = 0;
    APPEND_STR(out, "AWS4-HMAC-SHA256 Credential=");
    APPEND_STR(out, r->access_key_id);
    APPEND_STR(out, "/");
    APPEND_STR(out, date8);
    APPEND_STR(out, "/");
    APPEND_STR(out, r->region);
    APPEND_STR(out, "/");
    APPEND_STR(out, r->service);
    APPEND_STR(out, "/aws4_request, SignedHeaders=");
    APPEND_STR(out, signed_names.len ? signed_names.data : "");
    APPEND_STR(out, ", Signature=");
    APPEND_STR(out, sig_hex);
    if (canonical) {
        canonical->len = 0;
        if (odoo__buf_append(canonical, creq.data, creq.len) != ODOO_OK)
            goto nomem;
    }
    rc = ODOO_OK;
    goto done;
nomem:
    rc = ODOO_ENOMEM;
done:
    free(sorted);
    odoo__buf_dispose(&creq); /* holds the session token */
    odoo__buf_dispose(&signed_names);
    odoo__buf_dispose(&sts);
    return rc;
}
