/*
 * libodoo - the HTTP layer: one libcurl easy handle per client, reused for
 * every request, with libcurl's cookie engine holding Odoo's session cookie.
 */
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    odoo__buf *b = userdata;
    size_t n = size * nmemb;
    if (odoo__buf_append(b, ptr, n) != ODOO_OK)
        return 0; /* makes libcurl fail with CURLE_WRITE_ERROR */
    return n;
}

#define SETOPT(c, opt, val)                                             \
    do {                                                                \
        if (curl_easy_setopt((c)->curl, opt, val) != CURLE_OK)          \
            return odoo__error_set(&(c)->err, ODOO_ERROR, 0,            \
                                   "libcurl refused option " #opt);     \
    } while (0)

int odoo__http_init(odoo_client *c)
{
    char ua[64];

    c->curl = curl_easy_init();
    if (!c->curl)
        return odoo__error_set(&c->err, ODOO_ERROR, 0, "curl_easy_init failed");

    c->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (c->headers)
        c->headers = curl_slist_append(c->headers, "Accept: application/json");
    /* Odoo answers Connection: close anyway; an Expect: 100-continue round
     * trip on large bodies would only add latency. */
    if (c->headers)
        c->headers = curl_slist_append(c->headers, "Expect:");
    if (!c->headers)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");

    if (!c->user_agent)
        snprintf(ua, sizeof(ua), "libodoo/%s", ODOO_VERSION);

    SETOPT(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SETOPT(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SETOPT(c, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(c, CURLOPT_HTTPHEADER, c->headers);
    SETOPT(c, CURLOPT_USERAGENT, c->user_agent ? c->user_agent : ua);
    SETOPT(c, CURLOPT_WRITEFUNCTION, write_cb);
    SETOPT(c, CURLOPT_WRITEDATA, &c->response);
    SETOPT(c, CURLOPT_ERRORBUFFER, c->curl_errbuf);
    SETOPT(c, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    SETOPT(c, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    SETOPT(c, CURLOPT_SSL_VERIFYPEER, c->verify_peer ? 1L : 0L);
    SETOPT(c, CURLOPT_SSL_VERIFYHOST, c->verify_host ? 2L : 0L);
    if (c->ca_file)
        SETOPT(c, CURLOPT_CAINFO, c->ca_file);
    if (c->ca_path)
        SETOPT(c, CURLOPT_CAPATH, c->ca_path);
    if (c->proxy)
        SETOPT(c, CURLOPT_PROXY, c->proxy);
    /* "" enables the cookie engine without reading a file. */
    SETOPT(c, CURLOPT_COOKIEFILE, c->cookie_file ? c->cookie_file : "");
    if (c->cookie_file)
        SETOPT(c, CURLOPT_COOKIEJAR, c->cookie_file);
    SETOPT(c, CURLOPT_ACCEPT_ENCODING, "");
    return ODOO_OK;
}

void odoo__http_dispose(odoo_client *c)
{
    if (c->curl) {
        if (c->cookie_file) {
            /* The jar holds the session id, a secret: create it owner-only
             * before libcurl writes it (an existing file keeps its mode). */
            int fd = open(c->cookie_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (fd >= 0)
                close(fd);
        }
        /* Writes the cookie jar when CURLOPT_COOKIEJAR is set. */
        curl_easy_cleanup(c->curl);
        c->curl = NULL;
    }
    curl_slist_free_all(c->headers);
    c->headers = NULL;
}

static int transport_error(odoo_client *c, CURLcode cc)
{
    const char *detail = c->curl_errbuf[0] ? c->curl_errbuf : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return odoo__error_set(&c->err, ODOO_ETIMEOUT, 0, "timeout: %s", detail);
    case CURLE_OUT_OF_MEMORY:
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    case CURLE_WRITE_ERROR:
        /* Our write callback refused the data: out of memory. */
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0,
                               "out of memory while receiving the answer");
    case CURLE_PARTIAL_FILE:
        return odoo__error_set(&c->err, ODOO_ENETWORK, 0,
                               "connection closed before the whole answer arrived: %s",
                               detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "bad URL: %s", detail);
    default:
        return odoo__error_set(&c->err, ODOO_ENETWORK, 0, "network error: %s", detail);
    }
}

int odoo__http_post_json(odoo_client *c, const char *path, odoo__http_response *resp)
{
    CURLcode cc;
    char *url;
    long status = 0;
    char *ct = NULL;

    memset(resp, 0, sizeof(*resp));
    url = odoo__url_join(c->url, path);
    if (!url)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");

    c->response.len = 0;
    c->curl_errbuf[0] = '\0';
    if (curl_easy_setopt(c->curl, CURLOPT_URL, url) != CURLE_OK
        || curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, c->request.data) != CURLE_OK
        || curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
                            (curl_off_t)c->request.len) != CURLE_OK) {
        odoo__free_secret(url);
        return odoo__error_set(&c->err, ODOO_ERROR, 0, "libcurl refused the request");
    }
    c->request_count++;
    cc = curl_easy_perform(c->curl);
    odoo__free_secret(url);
    if (cc != CURLE_OK)
        return transport_error(c, cc);

    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &ct);
    if (odoo__buf_reserve(&c->response, 0) != ODOO_OK)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    c->response.data[c->response.len] = '\0';
    resp->status = status;
    resp->content_type = ct;
    resp->body = c->response.data;
    resp->len = c->response.len;
    return ODOO_OK;
}

int odoo__http_session_cookie(odoo_client *c, char *out, size_t outsz)
{
    struct curl_slist *list = NULL, *it;
    if (outsz)
        out[0] = '\0';
    if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
        return ODOO_ERROR;
    /* Netscape format: domain, tailmatch, path, secure, expires, name, value */
    for (it = list; it; it = it->next) {
        const char *f = it->data;
        int field = 0;
        while (f && field < 5) {
            f = strchr(f, '\t');
            if (f)
                f++;
            field++;
        }
        if (f && strncmp(f, "session_id\t", 11) == 0) {
            snprintf(out, outsz, "%s", f + 11); /* the newest one wins */
        }
    }
    curl_slist_free_all(list);
    return ODOO_OK;
}

void odoo__http_clear_cookies(odoo_client *c)
{
    if (c->curl)
        curl_easy_setopt(c->curl, CURLOPT_COOKIELIST, "ALL");
}
