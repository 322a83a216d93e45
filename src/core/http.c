// SPDX-License-Identifier: MIT
/*
 * libodoo - the HTTP layer: one libcurl easy handle per client, reused for
 * every request, with libcurl's cookie engine holding Odoo's session cookie.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

/* ---- redaction -------------------------------------------------------------- */

static int starts_ci(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && strncasecmp(p, word, n) == 0;
}

char *odoo__redact(const char *text, size_t len, char *const *secrets, size_t nsecrets,
                   size_t *outlen)
{
    odoo__buf out = {0};
    const char *p = text, *end = text + len;
    int line_start = 1;

    if (odoo__buf_reserve(&out, len) != ODOO_OK)
        return NULL;
    out.data[0] = '\0';
    while (p < end) {
        size_t i, skip = 0;
        /* whole header values */
        if (line_start) {
            static const char *const headers[] = {"Cookie:", "Set-Cookie:", "Authorization:",
                                                  "Proxy-Authorization:"};
            for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
                if (starts_ci(p, end, headers[i])) {
                    size_t hl = strlen(headers[i]);
                    const char *eol = p + hl;
                    while (eol < end && *eol != '\r' && *eol != '\n')
                        eol++;
                    if (odoo__buf_append(&out, p, hl) != ODOO_OK
                        || odoo__buf_append(&out, " ***", 4) != ODOO_OK)
                        goto nomem;
                    p = eol;
                    skip = 1;
                    break;
                }
            }
            if (skip) {
                line_start = 0;
                continue;
            }
        }
        /* session_id=VALUE and session_id"VALUE" / session_id": "VALUE" */
        if (starts_ci(p, end, "session_id")) {
            const char *v = p + 10;
            if (odoo__buf_append(&out, p, 10) != ODOO_OK)
                goto nomem;
            while (v < end && (*v == '=' || *v == '"' || *v == ':' || *v == ' ' || *v == '\t')) {
                if (odoo__buf_append(&out, v, 1) != ODOO_OK)
                    goto nomem;
                v++;
            }
            if (v < end && (isalnum((unsigned char)*v) || *v == '-' || *v == '_')) {
                while (v < end && (isalnum((unsigned char)*v) || *v == '-' || *v == '_'))
                    v++;
                if (odoo__buf_append(&out, "***", 3) != ODOO_OK)
                    goto nomem;
            }
            p = v;
            line_start = 0;
            continue;
        }
        for (i = 0; i < nsecrets; i++) {
            size_t sl = secrets[i] ? strlen(secrets[i]) : 0;
            if (sl && (size_t)(end - p) >= sl && memcmp(p, secrets[i], sl) == 0) {
                if (odoo__buf_append(&out, "***", 3) != ODOO_OK)
                    goto nomem;
                p += sl;
                skip = 1;
                break;
            }
        }
        if (skip) {
            line_start = 0;
            continue;
        }
        line_start = *p == '\n';
        if (odoo__buf_append(&out, p, 1) != ODOO_OK)
            goto nomem;
        p++;
    }
    if (outlen)
        *outlen = out.len;
    return out.data;
nomem:
    odoo__buf_dispose(&out);
    return NULL;
}

static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *userdata)
{
    odoo_client *c = userdata;
    odoo_trace_kind kind;
    char *clean;
    size_t n = 0;
    (void)h;
    switch (type) {
    case CURLINFO_TEXT:
        kind = ODOO_TRACE_INFO;
        break;
    case CURLINFO_HEADER_OUT:
        kind = ODOO_TRACE_HEADER_OUT;
        break;
    case CURLINFO_HEADER_IN:
        kind = ODOO_TRACE_HEADER_IN;
        break;
    case CURLINFO_DATA_OUT:
        kind = ODOO_TRACE_DATA_OUT;
        break;
    case CURLINFO_DATA_IN:
        kind = ODOO_TRACE_DATA_IN;
        break;
    default:
        return 0; /* TLS records: binary, not traced */
    }
    clean = odoo__redact(data, size, c->secrets, ODOO__MAX_SECRETS, &n);
    if (clean) {
        c->trace(kind, clean, n, c->trace_userdata);
        free(clean);
    }
    return 0;
}

/* ---- set-up --------------------------------------------------------------------- */

#define SETOPT(c, opt, val)                                             \
    do {                                                                \
        if (curl_easy_setopt((c)->curl, opt, val) != CURLE_OK)          \
            return odoo__error_set(&(c)->err, ODOO_ERROR, 0,            \
                                   "libcurl refused option " #opt);     \
    } while (0)

static struct curl_slist *append_all(struct curl_slist *list, const char *const *lines)
{
    for (; list && *lines; lines++)
        list = curl_slist_append(list, *lines);
    return list;
}

int odoo__http_init(odoo_client *c)
{
    static const char *const base[] = {"Accept: application/json",
                                       /* no 100-continue round trip on large bodies */
                                       "Expect:", NULL};
    char ua[64];

    c->curl = curl_easy_init();
    if (!c->curl)
        return odoo__error_set(&c->err, ODOO_ERROR, 0, "curl_easy_init failed");

    c->headers = append_all(curl_slist_append(NULL, "Content-Type: application/json"), base);
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
    SETOPT(c, CURLOPT_USERAGENT, c->user_agent ? c->user_agent : ua);
    c->response_body.buf = &c->response;
    /* max_response_bytes, checked as the bytes arrive (util/curl.c). The
     * write callback sees the bytes after libcurl decoded them
     * (CURLOPT_ACCEPT_ENCODING below), so the cap is on the decoded size: a
     * small compressed answer cannot unpack past it. */
    c->response_body.cap = c->max_response_bytes;
    if (odoo__curl_collect(c->curl, &c->response_body) != CURLE_OK)
        return odoo__error_set(&c->err, ODOO_ERROR, 0, "libcurl refused the write callback");
    SETOPT(c, CURLOPT_ERRORBUFFER, c->curl_errbuf);
    SETOPT(c, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    SETOPT(c, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    if (c->low_speed_time_s > 0) {
        SETOPT(c, CURLOPT_LOW_SPEED_LIMIT, c->low_speed_limit > 0 ? c->low_speed_limit : 1L);
        SETOPT(c, CURLOPT_LOW_SPEED_TIME, c->low_speed_time_s);
    }
    SETOPT(c, CURLOPT_SSL_VERIFYPEER, c->verify_peer ? 1L : 0L);
    SETOPT(c, CURLOPT_SSL_VERIFYHOST, c->verify_host ? 2L : 0L);
    if (c->ca_file)
        SETOPT(c, CURLOPT_CAINFO, c->ca_file);
    if (c->ca_path)
        SETOPT(c, CURLOPT_CAPATH, c->ca_path);
    if (c->client_cert)
        SETOPT(c, CURLOPT_SSLCERT, c->client_cert);
    if (c->client_key)
        SETOPT(c, CURLOPT_SSLKEY, c->client_key);
    if (c->proxy)
        SETOPT(c, CURLOPT_PROXY, c->proxy);
    /* HTTP/1.1 keep-alive is libcurl's default: the connection is reused
     * where the server allows it (Odoo itself answers Connection: close). */
    SETOPT(c, CURLOPT_TCP_KEEPALIVE, 1L);
    /* "" enables the cookie engine without reading a file. */
    SETOPT(c, CURLOPT_COOKIEFILE, c->cookie_file ? c->cookie_file : "");
    if (c->cookie_file)
        SETOPT(c, CURLOPT_COOKIEJAR, c->cookie_file);
    SETOPT(c, CURLOPT_ACCEPT_ENCODING, "");
    if (c->trace) {
        SETOPT(c, CURLOPT_DEBUGFUNCTION, debug_cb);
        SETOPT(c, CURLOPT_DEBUGDATA, c);
        SETOPT(c, CURLOPT_VERBOSE, 1L);
    }
    return ODOO_OK;
}

static void free_secret_list(struct curl_slist *list)
{
    struct curl_slist *it;
    for (it = list; it; it = it->next)
        odoo__wipe(it->data, strlen(it->data));
    curl_slist_free_all(list);
}

void odoo__http_dispose(odoo_client *c, int keep_jar)
{
    if (c->curl) {
        char sid[256] = "";
        if (c->cookie_file && keep_jar)
            (void)odoo__http_session_cookie(c, sid, sizeof(sid));
        if (c->cookie_file && !sid[0]) {
            /* no session worth keeping (never logged in, a failed login,
             * logged out, /jsonrpc, which sets no cookie, or JSON-2, whose
             * cookie is no login): write nothing; a file already there stays
             * as it was */
            curl_easy_setopt(c->curl, CURLOPT_COOKIEJAR, NULL);
        } else if (c->cookie_file) {
            /* The jar holds the session id, a secret: owner-only before
             * libcurl writes it, also when the file was there already */
            int fd = open(c->cookie_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (fd >= 0) {
                (void)fchmod(fd, 0600);
                close(fd);
            }
        }
        odoo__wipe(sid, sizeof(sid));
        /* Writes the cookie jar when CURLOPT_COOKIEJAR is set. */
        curl_easy_cleanup(c->curl);
        c->curl = NULL;
    }
    curl_slist_free_all(c->headers);
    c->headers = NULL;
    free_secret_list(c->json2_headers);
    c->json2_headers = NULL;
}

/* ---- redirects ------------------------------------------------------------------ */

typedef struct target_out {
    char *out;
    size_t size, len;
    int cut;
} target_out;

static void target_put(target_out *t, const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n && !t->cut; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (t->len + 1 >= t->size) {
            t->cut = 1;
            break;
        }
        t->out[t->len++] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
    }
}

void odoo__redirect_target(const char *location, char *out, size_t outsz)
{
    target_out t = {out, outsz, 0, 0};
    const char *rest, *sep, *auth_end, *path_end;
    if (!out || outsz == 0)
        return;
    out[0] = '\0';
    if (!location || !*location) {
        snprintf(out, outsz, "(no Location)");
        return;
    }
    rest = location;
    sep = strstr(location, "://");
    if (sep && (size_t)(sep - location) <= 16 && sep == location + strcspn(location, ":/?#")) {
        const char *at;
        target_put(&t, location, (size_t)(sep - location) + 3);
        rest = sep + 3;
        auth_end = rest + strcspn(rest, "/?#");
        /* user:password@ is dropped: only the host and port are shown */
        for (at = auth_end; at > rest && at[-1] != '@'; at--)
            ;
        target_put(&t, at > rest ? at : rest, (size_t)(auth_end - (at > rest ? at : rest)));
        rest = auth_end;
    }
    path_end = rest + strcspn(rest, "?#");
    target_put(&t, rest, (size_t)(path_end - rest));
    if (*path_end)
        target_put(&t, "?...", 4); /* a query may carry tokens: not shown */
    if (t.cut) {
        size_t keep = outsz > 4 ? outsz - 4 : 0;
        if (t.len > keep)
            t.len = keep;
        memcpy(out + t.len, "...", outsz > 3 ? 3 : 0);
        t.len += outsz > 3 ? 3 : 0;
        if (t.len >= outsz)
            t.len = outsz - 1;
    }
    out[t.len] = '\0';
}

/* ---- one exchange ------------------------------------------------------------ */

static int transport_error(odoo_client *c, CURLcode cc)
{
    const char *detail = c->curl_errbuf[0] ? c->curl_errbuf : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return odoo__error_set(&c->err, ODOO_ETIMEOUT, 0, "timeout: %s", detail);
    case CURLE_OUT_OF_MEMORY:
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    case CURLE_WRITE_ERROR:
        /* Our write callback refused the data: past the cap (never retried:
         * the same answer would come again), or out of memory. */
        if (c->response_body.over_cap)
            return odoo__error_set(&c->err, ODOO_ETOOBIG, 0,
                                   "answer larger than max_response_bytes (%zu bytes): "
                                   "stopped after %zu bytes",
                                   c->response_body.cap, c->response_body.received);
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0,
                               "out of memory while receiving the answer");
    case CURLE_PARTIAL_FILE:
        return odoo__error_set(&c->err, ODOO_ENETWORK, 0,
                               "connection closed before the whole answer arrived: %s",
                               detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
        /* sending again cannot help: the certificate is not trusted */
        odoo__error_set(&c->err, ODOO_ENETWORK, 0, "TLS certificate not accepted: %s", detail);
        c->err.retryable = 0;
        return ODOO_ENETWORK;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return odoo__error_set(&c->err, ODOO_EINVAL, 0, "bad URL: %s", detail);
    default:
        return odoo__error_set(&c->err, ODOO_ENETWORK, 0, "network error: %s", detail);
    }
}

int odoo__http_exchange(odoo_client *c, int method, const char *path,
                        struct curl_slist *headers, odoo__http_response *resp)
{
    CURLcode cc;
    char *url;
    long status = 0, sent = 0;
    char *ct = NULL, *loc = NULL;
    int rc;

    memset(resp, 0, sizeof(*resp));
    c->last_sent = 0;
    c->last_refused = 0;
    url = odoo__url_join(c->url, path);
    if (!url)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");

    c->response.len = 0;
    odoo__curl_body_reset(&c->response_body);
    c->curl_errbuf[0] = '\0';
    if (method == ODOO__POST) {
        cc = curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, c->request.data ? c->request.data : "");
        if (cc == CURLE_OK)
            cc = curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
                                  (curl_off_t)c->request.len);
    } else {
        cc = curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    }
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(c->curl, CURLOPT_URL, url);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
    if (cc != CURLE_OK) {
        free(url);
        return odoo__error_set(&c->err, ODOO_ERROR, 0, "libcurl refused the request");
    }
    c->request_count++;
    cc = curl_easy_perform(c->curl);
    free(url);
    /* Did any byte of the request leave? (0 when connecting failed.) */
    curl_easy_getinfo(c->curl, CURLINFO_REQUEST_SIZE, &sent);
    c->last_sent = sent > 0;
    if (c->request_secret) {
        odoo__buf_clear_secret(&c->request);
        c->request_secret = 0;
    }
    if (cc != CURLE_OK) {
        /* nothing listening (Odoo stopped or restarting): see retry_next() */
        c->last_refused = cc == CURLE_COULDNT_CONNECT && !c->last_sent;
        return transport_error(c, cc);
    }

    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &loc);
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        /* No redirect is followed (CURLOPT_FOLLOWLOCATION is off), so no
         * cookie, password or bearer key ever goes to the place it names,
         * not even the same host over https: the caller sets url to the
         * target (docs/transports.md, "Bounds"). */
        char target[300];
        odoo__redirect_target(loc, target, sizeof(target));
        return odoo__error_set(&c->err, ODOO_EHTTP, (int)status,
                               "HTTP %ld redirect to %s: not followed; set url to the target",
                               status, target);
    }
    rc = odoo__buf_reserve(&c->response, 0);
    if (rc != ODOO_OK)
        return odoo__error_set(&c->err, ODOO_ENOMEM, 0, "out of memory");
    c->response.data[c->response.len] = '\0';
    c->last_status = status;
    resp->status = status;
    resp->content_type = ct;
    resp->location = loc;
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
        if (f && strncmp(f, "session_id\t", 11) == 0)
            snprintf(out, outsz, "%s", f + 11); /* the newest one wins */
    }
    free_secret_list(list);
    return ODOO_OK;
}

void odoo__http_clear_cookies(odoo_client *c)
{
    if (c->curl)
        curl_easy_setopt(c->curl, CURLOPT_COOKIELIST, "ALL");
}
