/*
 * libodoo - the one libcurl write callback of both libraries: an answer is
 * collected into a buffer, with a cap on its size checked as the bytes
 * arrive, never after. The Odoo client (src/core/http.c) and the AWS
 * requests (src/aws/aws_http.c, the credentials endpoint) all use it.
 */
#include "util.h"

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    odoo__curl_body *b = userdata;
    size_t n = size * nmemb;
    b->received += n;
    if (b->cap && b->buf->len + n > b->cap) {
        b->over_cap = 1;
        return 0; /* libcurl stops the transfer: CURLE_WRITE_ERROR */
    }
    if (odoo__buf_append(b->buf, ptr, n) != ODOO_OK) {
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
    cc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    return cc;
}
