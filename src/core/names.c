// SPDX-License-Identifier: MIT
/*
 * libodoo - the names and URLs the client accepts: model and method names,
 * the server's base URL.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "internal.h"

/* ---- names and URLs ----------------------------------------------------- */

static int all_chars_in(const char *s, int allow_dot)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
            || ch == '_' || (allow_dot && ch == '.'))
            continue;
        return 0;
    }
    return 1;
}

int odoo__valid_model_name(const char *s)
{
    return all_chars_in(s, 1);
}

int odoo__valid_method_name(const char *s)
{
    return all_chars_in(s, 0);
}

char *odoo__url_join(const char *base, const char *path)
{
    size_t bl = strlen(base), pl = strlen(path);
    char *s = odoo__malloc(bl + pl + 1);
    if (!s)
        return NULL;
    memcpy(s, base, bl);
    memcpy(s + bl, path, pl + 1);
    return s;
}

/* The URL's parts, as libcurl's URL API reads them: the same parser that
 * will send the requests. */
static int url_parts(const char *url, int *has_host, int *has_userinfo, int *has_query)
{
    CURLU *h = curl_url();
    char *part = NULL;
    int rc = ODOO_OK;
    if (!h)
        return ODOO_ENOMEM;
    switch (curl_url_set(h, CURLUPART_URL, url, 0)) {
    case CURLUE_OK:
        break;
    case CURLUE_OUT_OF_MEMORY:
        rc = ODOO_ENOMEM;
        goto done;
    case CURLUE_NO_HOST:
        *has_host = 0;
        goto done;
    default:
        rc = ODOO_EINVAL;
        goto done;
    }
    *has_host = curl_url_get(h, CURLUPART_HOST, &part, 0) == CURLUE_OK && part && *part;
    curl_free(part);
    part = NULL;
    *has_userinfo = curl_url_get(h, CURLUPART_USER, &part, 0) == CURLUE_OK;
    curl_free(part);
    part = NULL;
    if (!*has_userinfo) {
        *has_userinfo = curl_url_get(h, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK;
        curl_free(part);
        part = NULL;
    }
    *has_query = curl_url_get(h, CURLUPART_QUERY, &part, 0) == CURLUE_OK;
    curl_free(part);
    part = NULL;
    if (!*has_query) {
        *has_query = curl_url_get(h, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK;
        curl_free(part);
    }
done:
    curl_url_cleanup(h);
    return rc;
}

int odoo__url_normalize(odoo_error *err, const char *url, char **out)
{
    int has_host = 1, has_userinfo = 0, has_query = 0, rc;
    const char *path;
    size_t len, root;
    char *s;

    *out = NULL;
    if (!url || !*url)
        return odoo__error_set(err, ODOO_EINVAL, 0, "options: url is required");
    if (strncasecmp(url, "http://", 7) == 0)
        root = 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        root = 8;
    else
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "options: url must start with http:// or https://");
    if (strpbrk(url, " \t\r\n"))
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "options: url must not contain a query, fragment or white space");
    rc = url_parts(url, &has_host, &has_userinfo, &has_query);
    if (rc == ODOO_ENOMEM)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    if (!has_host || url[root] == '/' || url[root] == '?' || url[root] == '#')
        return odoo__error_set(err, ODOO_EINVAL, 0, "options: url has no host");
    if (has_userinfo || memchr(url + root, '@', strcspn(url + root, "/?#")))
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "options: url must not carry credentials (user:password@); "
                               "use the login and password options");
    if (has_query || strpbrk(url, "?#"))
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "options: url must not contain a query, fragment or white space");
    if (rc != ODOO_OK)
        return odoo__error_set(err, ODOO_EINVAL, 0, "options: url is not a valid URL");
    /* the text as given, without trailing slashes (the paths are appended) */
    path = url + root + strcspn(url + root, "/");
    len = strlen(url);
    while (len > (size_t)(path - url) && url[len - 1] == '/')
        len--;
    s = odoo__malloc(len + 1);
    if (!s)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    memcpy(s, url, len);
    s[len] = '\0';
    *out = s;
    return ODOO_OK;
}

/* ---- plain http and loopback (docs/transports.md, "Bounds") ------------------- */

int odoo__url_is_plain_http(const char *url)
{
    return url && strncasecmp(url, "http://", 7) == 0;
}

int odoo__host_is_loopback(const char *host)
{
    char buf[64];
    unsigned char a[sizeof(struct in6_addr)];
    size_t n;

    if (!host)
        return 0;
    n = strlen(host);
    if (n >= sizeof(buf))
        return 0;
    memcpy(buf, host, n + 1);
    if (strcasecmp(buf, "localhost") == 0 || strcasecmp(buf, "localhost.") == 0)
        return 1;
    if (inet_pton(AF_INET, buf, a) == 1)
        return a[0] == 127; /* 127.0.0.0/8 */
    if (n >= 2 && buf[0] == '[' && buf[n - 1] == ']') {
        buf[n - 1] = '\0';
        if (inet_pton(AF_INET6, buf + 1, a) == 1) {
            static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            static const unsigned char loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                    0, 0, 0, 0, 0, 0, 0, 1};
            if (memcmp(a, loop6, 16) == 0)
                return 1; /* ::1 */
            return memcmp(a, v4mapped, 12) == 0 && a[12] == 127; /* ::ffff:127.x.y.z */
        }
    }
    return 0;
}

int odoo__url_host_is_loopback(const char *url)
{
    /* the host as libcurl reads it (the parser that will connect): numeric
     * IPv4 forms such as 127.1 or 2130706433 come back as dotted quads, an
     * IPv6 address in brackets */
    CURLU *h = curl_url();
    char *host = NULL;
    int yes = 0;
    if (!h)
        return 0;
    if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK
        && curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        yes = odoo__host_is_loopback(host);
    curl_free(host);
    curl_url_cleanup(h);
    return yes;
}
