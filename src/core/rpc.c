// SPDX-License-Identifier: MIT
/*
 * libodoo - reading Odoo's answers: the JSON-RPC envelope, the error object,
 * and a readable summary of the HTML pages Odoo or a proxy sends instead.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

int odoo__content_type_is_json(const char *ct)
{
    size_t n;
    if (!ct)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    n = strcspn(ct, "; \t");
    return (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
           || (n == 20 && strncasecmp(ct, "application/json-rpc", 20) == 0);
}

/* ---- HTML summary --------------------------------------------------------- */

typedef struct {
    char *out;
    size_t size;
    size_t len;
    int space; /* a blank is pending */
} text_sink;

static void sink_char(text_sink *s, char ch)
{
    unsigned char uc = (unsigned char)ch;
    if (uc == ' ' || uc == '\t' || uc == '\n' || uc == '\r' || uc == '\f' || uc == '\v'
        || uc < 0x20 || uc == 0x7f) {
        if (s->len > 0)
            s->space = 1;
        return;
    }
    if (s->space) {
        s->space = 0;
        if (s->len + 1 < s->size)
            s->out[s->len++] = ' ';
    }
    if (s->len + 1 < s->size)
        s->out[s->len++] = ch;
}

static void sink_str(text_sink *s, const char *str)
{
    for (; *str; str++)
        sink_char(s, *str);
}

static const char *find_ci(const char *hay, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay + n <= end; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* Append the text of [p, end): tags dropped, a few entities decoded. */
static void sink_html_text(text_sink *s, const char *p, const char *end)
{
    static const struct {
        const char *entity;
        const char *text;
    } entities[] = {{"&amp;", "&"},   {"&lt;", "<"},   {"&gt;", ">"},   {"&quot;", "\""},
                    {"&#39;", "'"},   {"&#x27;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}};
    while (p < end) {
        if (*p == '<') {
            const char *close = memchr(p, '>', (size_t)(end - p));
            if (!close)
                break;
            /* <br> and block ends separate words */
            s->space = s->len > 0;
            p = close + 1;
            continue;
        }
        if (*p == '&') {
            size_t i, done = 0;
            for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
                size_t n = strlen(entities[i].entity);
                if ((size_t)(end - p) >= n && strncmp(p, entities[i].entity, n) == 0) {
                    sink_str(s, entities[i].text);
                    p += n;
                    done = 1;
                    break;
                }
            }
            if (done)
                continue;
        }
        sink_char(s, *p++);
    }
}

/* The text between <tag ...> and </tag> (or the next '<' block, or end). */
static int element_text(text_sink *s, const char *body, const char *end, const char *open,
                        const char *close)
{
    const char *start = find_ci(body, end, open), *stop;
    if (!start)
        return 0;
    start = memchr(start, '>', (size_t)(end - start));
    if (!start)
        return 0;
    start++;
    stop = find_ci(start, end, close);
    if (!stop)
        stop = end;
    sink_html_text(s, start, stop);
    return 1;
}

void odoo__html_summary(const char *body, size_t len, char *out, size_t outsz)
{
    text_sink s;
    const char *end;
    if (!out || outsz == 0)
        return;
    out[0] = '\0';
    if (!body || len == 0)
        return;
    end = body + len;
    s.out = out;
    s.size = outsz;
    s.len = 0;
    s.space = 0;

    if (find_ci(body, end, "<html") || find_ci(body, end, "<!doctype")
        || find_ci(body, end, "<title")) {
        int have_title = element_text(&s, body, end, "<title", "</title");
        if (have_title && s.len > 0) {
            s.space = 0;
            sink_char(&s, ':');
            s.space = 1;
        }
        if (!element_text(&s, body, end, "<p", "</p") && have_title) {
            /* no paragraph: drop the dangling ": " */
            while (s.len > 0 && (out[s.len - 1] == ' ' || out[s.len - 1] == ':'))
                s.len--;
        }
        if (s.len == 0)
            sink_html_text(&s, body, end);
    } else {
        sink_html_text(&s, body, end);
    }
    /* Do not end in the middle of a UTF-8 sequence. */
    if (s.len > 0 && s.len + 1 >= s.size) {
        size_t cut = s.len;
        while (cut > 0 && ((unsigned char)out[cut - 1] & 0xC0) == 0x80)
            cut--;
        if (cut > 0 && ((unsigned char)out[cut - 1] & 0x80))
            cut--; /* the lead byte of the cut sequence */
        s.len = cut;
    }
    out[s.len] = '\0';
}

/* ---- JSON-RPC -------------------------------------------------------------- */

static char *dup_json_string(json_t *v)
{
    const char *s = json_string_value(v);
    return odoo__strdup(s ? s : "");
}

int odoo__rpc_error_from_json(odoo_error *err, long status, json_t *error)
{
    json_t *data, *code;
    const char *klass = NULL, *message = NULL, *title;
    int rpc_code = -1, rc;

    if (!json_is_object(error))
        return odoo__error_set(err, ODOO_EPROTOCOL, (int)status,
                               "malformed JSON-RPC answer: \"error\" is not an object");
    code = json_object_get(error, "code");
    if (json_is_integer(code)) {
        json_int_t v = json_integer_value(code);
        rpc_code = v >= -2147483647 && v <= 2147483647 ? (int)v : -1;
    }
    title = json_string_value(json_object_get(error, "message"));
    data = json_object_get(error, "data");
    if (json_is_object(data)) {
        klass = json_string_value(json_object_get(data, "name"));
        message = json_string_value(json_object_get(data, "message"));
    }
    if (!message || !*message)
        message = title && *title ? title : "Odoo Server Error";

    rc = odoo__map_exception(klass, rpc_code, message);
    odoo__error_set(err, rc, (int)status, "%s", message);
    err->rpc_code = rpc_code;
    err->retryable = rc == ODOO_ESESSION;
    err->klass = odoo__strdup(klass ? klass : "");
    if (json_is_object(data))
        err->debug = dup_json_string(json_object_get(data, "debug"));
    return rc;
}

static int non_json_answer(odoo_error *err, long status, const char *content_type,
                           const char *body, size_t len)
{
    char summary[320];
    odoo__html_summary(body, len, summary, sizeof(summary));
    if (status >= 200 && status < 300)
        return odoo__error_set(err, ODOO_EHTTP, (int)status,
                               "expected a JSON answer, got HTTP %ld %s%s%s", status,
                               content_type ? content_type : "without Content-Type",
                               summary[0] ? ": " : "", summary);
    return odoo__error_set(err, ODOO_EHTTP, (int)status, "HTTP %ld%s%s", status,
                           summary[0] ? ": " : "", summary);
}

/* Decode an answer's JSON; a non-JSON answer (an error page) is summarised instead. */
static int decode(odoo_error *err, long status, const char *content_type, const char *body,
                  size_t len, int any, json_t **root)
{
    odoo__json_error jerr;
    int rc;
    if (!odoo__content_type_is_json(content_type))
        return non_json_answer(err, status, content_type, body, len);
    rc = odoo__json_parse(body, len, any, root, &jerr);
    if (rc == 0)
        return ODOO_OK;
    if (rc == ODOO__JSON_NOMEM)
        return odoo__error_set(err, ODOO_ENOMEM, (int)status,
                               "out of memory decoding a %zu-byte answer", len);
    if (status < 200 || status >= 300)
        return non_json_answer(err, status, content_type, body, len);
    return odoo__error_set(err, ODOO_EPROTOCOL, (int)status,
                           "malformed JSON answer (%zu bytes): %s at byte %zu", len, jerr.text,
                           jerr.position);
}

/* A JSON answer that is no JSON-RPC envelope (@p why), @p root released: for an
 * HTTP error status, that error. */
static int not_envelope(odoo_error *err, long status, const char *content_type, const char *body,
                        size_t len, json_t *root, const char *why)
{
    json_decref(root);
    if (status < 200 || status >= 300)
        return non_json_answer(err, status, content_type, body, len);
    return odoo__error_set(err, ODOO_EPROTOCOL, (int)status, "malformed JSON-RPC answer: %s",
                           why);
}

int odoo__rpc_parse_response(odoo_error *err, long status, const char *content_type,
                             const char *body, size_t len, json_t **result)
{
    json_t *root, *error, *version, *res;
    int rc;

    *result = NULL;
    rc = decode(err, status, content_type, body, len, 0, &root);
    if (rc)
        return rc;
    if (!json_is_object(root))
        return not_envelope(err, status, content_type, body, len, root, "not a JSON object");
    error = json_object_get(root, "error");
    if (error) {
        rc = odoo__rpc_error_from_json(err, status, error);
        json_decref(root);
        return rc;
    }
    version = json_object_get(root, "jsonrpc");
    if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0)
        return not_envelope(err, status, content_type, body, len, root,
                            "no \"jsonrpc\": \"2.0\" member");
    if (status < 200 || status >= 300) {
        json_decref(root);
        return non_json_answer(err, status, content_type, body, len);
    }
    res = json_object_get(root, "result");
    /* Odoo sends a None result as an envelope without "result". */
    *result = res ? json_incref(res) : json_null();
    json_decref(root);
    return ODOO_OK;
}

/* ---- JSON-2 (Odoo 19+) -------------------------------------------------------- */

int odoo__json2_parse_response(odoo_error *err, long status, const char *content_type,
                               const char *body, size_t len, json_t **result)
{
    json_t *root;
    int rc;

    *result = NULL;
    rc = decode(err, status, content_type, body, len, 1, &root);
    if (rc)
        return rc;
    if (status >= 200 && status < 300) {
        *result = root; /* the bare result */
        return ODOO_OK;
    }
    /* An error: {"name", "message", "arguments", "context", "debug"} */
    if (json_is_object(root) && json_is_string(json_object_get(root, "name"))) {
        const char *klass = json_string_value(json_object_get(root, "name"));
        const char *message = json_string_value(json_object_get(root, "message"));
        if (!message || !*message)
            message = "Odoo Server Error";
        rc = odoo__map_exception(klass, -1, message);
        /* A 5xx from Odoo itself is a server exception, not a proxy error. */
        odoo__error_set(err, rc, (int)status, "%s", message);
        err->retryable = 0;
        err->klass = odoo__strdup(klass);
        err->debug = odoo__strdup(json_is_string(json_object_get(root, "debug"))
                                      ? json_string_value(json_object_get(root, "debug"))
                                      : "");
        json_decref(root);
        return rc;
    }
    json_decref(root);
    return non_json_answer(err, status, content_type, body, len);
}
