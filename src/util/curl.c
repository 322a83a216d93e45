// SPDX-License-Identifier: MIT
/*
 * libodoo - the one libcurl write callback of both libraries: an answer is
 * collected into a buffer, with a cap on its size checked as the bytes
 * arrive, never after. The Odoo client (src/core/http.c) and the AWS
 * requests (src/aws/aws_http.c, the credentials endpoint) all use it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Room for n more bytes (and the NUL), growing by doubling but never past
 * cap + 1 bytes: near the cap the buffer is not doubled to twice the cap
 * (odoo__buf_dispose() wipes the whole allocation, which would touch it). */
static int reserve_capped(odoo__buf *b, size_t n, size_t cap)
{
    size_t need = b->len + n + 1, size;
    char *p;
    if (need <= b->cap)
        return ODOO_OK;
    size = b->cap ? b->cap : 4096;
    while (size < need)
        size = size > SIZE_MAX / 2 ? need : size * 2;
    if (size > cap + 1)
        size = cap + 1 >= need ? cap + 1 : need;
    p = odoo__realloc(b->data, size);
    if (!p)
        return ODOO_ENOMEM;
    b->data = p;
    b->cap = size;
    return ODOO_OK;
}

size_t odoo__curl_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    odoo__curl_body *b = userdata;
    size_t n = size * nmemb;
    b->received += n;
    /* The bytes libcurl hands over are the decoded ones when it was told to
     * accept compressed answers (CURLOPT_ACCEPT_ENCODING): the cap is on
     * the decoded size. */
    if (b->cap && (n > b->cap || b->buf->len > b->cap - n)) {
        b->over_cap = 1;
        return 0; /* libcurl stops the transfer: CURLE_WRITE_ERROR */
    }
    if ((b->cap && reserve_capped(b->buf, n, b->cap) != ODOO_OK)
        || odoo__buf_append(b->buf, ptr, n) != ODOO_OK) {
        b->nomem = 1;
        return 0;
    }
    return n;
}

void odoo__curl_body_reset(odoo__curl_body *body)
{
    body->received = 0;
    body->over_cap = 0;
    body->nomem = 0;
}

CURLcode odoo__curl_collect(CURL *h, odoo__curl_body *body)
{
    CURLcode cc;
    odoo__curl_body_reset(body);
    cc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, odoo__curl_write);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    return cc;
}
