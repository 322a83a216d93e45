// SPDX-License-Identifier: MIT
/*
 * libodoo - a fast, strict JSON decoder that builds jansson values.
 *
 * Odoo's answers are decoded here instead of by jansson's json_loadb: the
 * values are the same jansson values (the caller gets an ordinary json_t
 * tree), but the scanner works on the buffer in place (no per-character
 * callback, no token copy for strings without escapes, no strtod for the
 * usual decimals), which makes the decode of a large search_read answer
 * several times cheaper. Semantics follow json_loadb (RFC 8259, UTF-8
 * checked, "\u0000" refused, integers beyond json_int_t refused, reals that
 * overflow refused, duplicate keys: the last one wins, nesting limited to
 * 2048 levels) so the two can be compared value for value
 * (tests/fuzz/fuzz_json_parse.c does, differentially).
 *
 * Unlike json_loadb, a failed allocation is reported as such (not as a
 * syntax error) and never crashes: every jansson constructor is checked.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_DEPTH 2048

typedef struct {
    const char *start;
    const char *p;
    const char *end;
    int depth;
    int reject_dups; /* ODOO__JSON_REJECT_DUPLICATES */
    int status; /* 0, ODOO__JSON_SYNTAX or ODOO__JSON_NOMEM */
    odoo__json_error *err;
    char *scratch; /* decoded strings with escapes */
    size_t scap;
} parser;

/* 1 for the bytes a string may hold as they are: 0x20..0x7f but '"' and '\\'. */
static const unsigned char plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    R16(1), R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    R16(1), R16(1),
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
#undef R16
};

static void fail(parser *ps, const char *at, const char *fmt, ...) ODOO__PRINTF(3, 4);

static void fail(parser *ps, const char *at, const char *fmt, ...)
{
    va_list ap;
    if (ps->status)
        return;
    ps->status = ODOO__JSON_SYNTAX;
    if (!ps->err)
        return;
    ps->err->position = (size_t)(at - ps->start);
    va_start(ap, fmt);
    vsnprintf(ps->err->text, sizeof(ps->err->text), fmt, ap);
    va_end(ap);
}

static void nomem(parser *ps)
{
    if (ps->status)
        return;
    ps->status = ODOO__JSON_NOMEM;
    if (ps->err) {
        ps->err->position = (size_t)(ps->p - ps->start);
        snprintf(ps->err->text, sizeof(ps->err->text), "out of memory");
    }
}

static inline void skip_ws(parser *ps)
{
    const char *p = ps->p, *end = ps->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->p = p;
}

/* Length of the valid UTF-8 sequence (2 to 4 bytes) at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n, i;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* <= U+10FFFF */
    } else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

static int scratch_reserve(parser *ps, size_t need)
{
    size_t cap;
    char *n;
    if (need <= ps->scap)
        return 0;
    cap = ps->scap ? ps->scap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            nomem(ps);
            return -1;
        }
        cap *= 2;
    }
    n = odoo__realloc(ps->scratch, cap);
    if (!n) {
        nomem(ps);
        return -1;
    }
    ps->scratch = n;
    ps->scap = cap;
    return 0;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Decode the rest of a string with escapes into ps->scratch, starting with
 * the plain prefix [from, p). On return ps->p is past the closing quote. */
#define ENSURE(k)                                                                   \
    do {                                                                            \
        if (len + (k) + 1 > ps->scap && scratch_reserve(ps, len + (k) + 1))         \
            return -1;                                                              \
    } while (0)

static int string_slow(parser *ps, const char *from, const char *p, const char **s, size_t *n)
{
    const char *end = ps->end;
    size_t len = 0;
    p = from;
    while (p < end) {
        unsigned char c;
        const char *q = p;
        while (q < end && plain[(unsigned char)*q])
            q++;
        if (q > p) {
            ENSURE((size_t)(q - p));
            memcpy(ps->scratch + len, p, (size_t)(q - p));
            len += (size_t)(q - p);
            p = q;
            if (p >= end)
                break;
        }
        c = (unsigned char)*p;
        if (c == '"') {
            ENSURE(0);
            ps->p = p + 1;
            ps->scratch[len] = '\0';
            *s = ps->scratch;
            *n = len;
            return 0;
        } else if (c == '\\') {
            char out;
            if (end - p < 2)
                break;
            switch (p[1]) {
            case '"': out = '"'; break;
            case '\\': out = '\\'; break;
            case '/': out = '/'; break;
            case 'b': out = '\b'; break;
            case 'f': out = '\f'; break;
            case 'n': out = '\n'; break;
            case 'r': out = '\r'; break;
            case 't': out = '\t'; break;
            case 'u': {
                unsigned cp, lo;
                if (end - p < 6 || hex4(p + 2, &cp)) {
                    fail(ps, p, "invalid \\u escape");
                    return -1;
                }
                if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail(ps, p, "invalid Unicode '\\u%04X'", cp);
                    return -1;
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo)
                        || lo < 0xDC00 || lo > 0xDFFF) {
                        fail(ps, p, "invalid Unicode '\\u%04X'", cp);
                        return -1;
                    }
                    p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (cp == 0) {
                    fail(ps, p, "\\u0000 is not allowed");
                    return -1;
                }
                p += 6;
                ENSURE(4);
                if (cp < 0x80) {
                    ps->scratch[len++] = (char)cp;
                } else if (cp < 0x800) {
                    ps->scratch[len++] = (char)(0xC0 | (cp >> 6));
                    ps->scratch[len++] = (char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    ps->scratch[len++] = (char)(0xE0 | (cp >> 12));
                    ps->scratch[len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    ps->scratch[len++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    ps->scratch[len++] = (char)(0xF0 | (cp >> 18));
                    ps->scratch[len++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    ps->scratch[len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    ps->scratch[len++] = (char)(0x80 | (cp & 0x3F));
                }
                continue;
            }
            default:
                fail(ps, p, "invalid escape");
                return -1;
            }
            ENSURE(1);
            ps->scratch[len++] = out;
            p += 2;
        } else if (c < 0x20) {
            fail(ps, p, "control character 0x%x in a string", c);
            return -1;
        } else {
            size_t k = utf8_len((const unsigned char *)p, (const unsigned char *)end);
            if (!k) {
                fail(ps, p, "invalid UTF-8 in a string");
                return -1;
            }
            ENSURE(k);
            memcpy(ps->scratch + len, p, k);
            len += k;
            p += k;
        }
    }
    fail(ps, end, "premature end of input in a string");
    return -1;
}
#undef ENSURE

/* ps->p is on the opening quote. *s and *n: the decoded bytes (in the input when
 * there was no escape, else in ps->scratch, valid until the next string). */
static int parse_string(parser *ps, const char **s, size_t *n)
{
    const char *from = ps->p + 1, *p = from, *end = ps->end;
    for (;;) {
        unsigned char c;
        while (p < end && plain[(unsigned char)*p])
            p++;
        if (p >= end)
            break;
        c = (unsigned char)*p;
        if (c == '"') {
            *s = from;
            *n = (size_t)(p - from);
            ps->p = p + 1;
            return 0;
        }
        if (c == '\\')
            return string_slow(ps, from, p, s, n);
        if (c < 0x20) {
            fail(ps, p, "control character 0x%x in a string", c);
            return -1;
        }
        {
            size_t k = utf8_len((const unsigned char *)p, (const unsigned char *)end);
            if (!k) {
                fail(ps, p, "invalid UTF-8 in a string");
                return -1;
            }
            p += k;
        }
    }
    fail(ps, end, "premature end of input in a string");
    return -1;
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The general case: strtod on a copy, with the locale's decimal point (as
 * jansson does). */
static json_t *real_slow(parser *ps, const char *tok, size_t n)
{
    char small[64], *buf = small, *dot, *endp;
    const char *point = localeconv()->decimal_point;
    size_t plen = point && *point ? strlen(point) : 1;
    double v;
    json_t *r;
    if (n + plen + 1 > sizeof(small)) {
        buf = odoo__malloc(n + plen + 1);
        if (!buf) {
            nomem(ps);
            return NULL;
        }
    }
    memcpy(buf, tok, n);
    buf[n] = '\0';
    dot = memchr(buf, '.', n);
    if (dot && point && *point && strcmp(point, ".") != 0) {
        memmove(dot + plen, dot + 1, (size_t)(buf + n - dot));
        memcpy(dot, point, plen);
    }
    errno = 0;
    v = strtod(buf, &endp);
    if (buf != small)
        free(buf);
    if ((v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE) {
        fail(ps, tok, "real number overflow");
        return NULL;
    }
    r = json_real(v);
    if (!r)
        nomem(ps);
    return r;
}

static json_t *parse_number(parser *ps)
{
    const char *tok = ps->p, *p = tok, *end = ps->end;
    int neg = 0, is_real = 0, digits = 0, truncated = 0;
    uint64_t m = 0;
    int exp10 = 0;
    json_t *v;

    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9') {
        fail(ps, tok, "invalid number");
        return NULL;
    }
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9') {
            fail(ps, tok, "invalid number: leading zero");
            return NULL;
        }
    } else {
        while (p < end && *p >= '0' && *p <= '9') {
            if (digits < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                digits++;
            } else {
                exp10++;
                truncated = 1;
            }
            p++;
        }
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9') {
            fail(ps, tok, "invalid number: digit expected after '.'");
            return NULL;
        }
        is_real = 1;
        while (p < end && *p >= '0' && *p <= '9') {
            if (digits < 19) {
                /* zeros before the first significant digit only shift */
                if (m || *p != '0') {
                    m = m * 10 + (uint64_t)(*p - '0');
                    digits++;
                }
                exp10--;
            } else {
                truncated = 1;
            }
            p++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0, e = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || *p < '0' || *p > '9') {
            fail(ps, tok, "invalid number: digit expected in the exponent");
            return NULL;
        }
        is_real = 1;
        while (p < end && *p >= '0' && *p <= '9') {
            if (e < 100000)
                e = e * 10 + (*p - '0');
            p++;
        }
        exp10 += eneg ? -e : e;
    }
    ps->p = p;

    if (!is_real) {
        /* integer: json_int_t is long long */
        const char *d = tok + neg;
        size_t nd = (size_t)(p - d);
        uint64_t u = 0;
        size_t i;
        if (nd > 19) {
            fail(ps, tok, neg ? "too big negative integer" : "too big integer");
            return NULL;
        }
        for (i = 0; i < nd; i++) {
            uint64_t dgt = (uint64_t)(d[i] - '0');
            if (u > (UINT64_MAX - dgt) / 10) {
                fail(ps, tok, neg ? "too big negative integer" : "too big integer");
                return NULL;
            }
            u = u * 10 + dgt;
        }
        if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX) {
            fail(ps, tok, neg ? "too big negative integer" : "too big integer");
            return NULL;
        }
        v = json_integer(neg ? (json_int_t)(0 - u) : (json_int_t)u);
        if (!v)
            nomem(ps);
        return v;
    }
    /* Clinger's fast path: an exact mantissa times an exact power of ten is
     * one correctly rounded operation. */
    if (!truncated && digits <= 15 && exp10 >= -22 && exp10 <= 22) {
        double d = (double)m;
        d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
        v = json_real(neg ? -d : d);
        if (!v)
            nomem(ps);
        return v;
    }
    return real_slow(ps, tok, (size_t)(p - tok));
}

static json_t *parse_value(parser *ps);

/* After a member of an array or object (@p what): 1 at ',' (passed over,
 * another member follows), 0 at @p close (passed over: the end), -1 for an
 * error (set). */
static int next_member(parser *ps, char close, const char *what)
{
    skip_ws(ps);
    if (ps->p >= ps->end) {
        fail(ps, ps->p, "premature end of input in an %s", what);
        return -1;
    }
    if (*ps->p == ',') {
        ps->p++;
        skip_ws(ps);
        return 1;
    }
    if (*ps->p == close) {
        ps->p++;
        return 0;
    }
    fail(ps, ps->p, "',' or '%c' expected", close);
    return -1;
}

/* One element into @p arr: 0, or -1 for an error (set). */
static int array_member(parser *ps, json_t *arr)
{
    json_t *v = parse_value(ps);
    if (!v)
        return -1;
    if (json_array_append_new(arr, v)) {
        nomem(ps);
        return -1;
    }
    return 0;
}

/* One "key": value into @p obj: 0, or -1 for an error (set). */
static int object_member(parser *ps, json_t *obj)
{
    const char *key;
    size_t klen;
    char small[64], *kcopy = small;
    json_t *v = NULL;
    int rc;
    if (ps->p >= ps->end || *ps->p != '"') {
        fail(ps, ps->p, "string or '}' expected");
        return -1;
    }
    if (parse_string(ps, &key, &klen))
        return -1;
    /* a key decoded into scratch would be overwritten by a string value */
    if (key == ps->scratch) {
        if (klen >= sizeof(small)) {
            kcopy = odoo__malloc(klen + 1);
            if (!kcopy) {
                nomem(ps);
                return -1;
            }
        }
        memcpy(kcopy, key, klen);
        key = kcopy;
    }
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':') {
        fail(ps, ps->p, "':' expected");
    } else {
        ps->p++;
        skip_ws(ps);
        v = parse_value(ps);
    }
    if (v && ps->reject_dups && json_object_getn(obj, key, klen)) {
        /* the key is not quoted: it may be part of a secret */
        fail(ps, ps->p, "duplicate object key");
        json_decref(v);
        v = NULL;
    }
    rc = v ? json_object_setn_new_nocheck(obj, key, klen, v) : 0; /* steals v */
    if (kcopy != small)
        free(kcopy);
    if (!v)
        return -1;
    if (rc) {
        nomem(ps);
        return -1;
    }
    return 0;
}

/* The array or object (@p is_object) at ps->p ('[' or '{') into @p c (new and
 * empty; NULL: out of memory). NULL for an error (set). */
static json_t *parse_container(parser *ps, json_t *c, int is_object)
{
    char close = is_object ? '}' : ']';
    int more;
    if (!c) {
        nomem(ps);
        return NULL;
    }
    ps->p++; /* '[' or '{' */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return c;
    }
    do {
        if ((is_object ? object_member(ps, c) : array_member(ps, c)) != 0) {
            json_decref(c);
            return NULL;
        }
    } while ((more = next_member(ps, close, is_object ? "object" : "array")) > 0);
    if (more < 0) {
        json_decref(c);
        return NULL;
    }
    return c;
}

static int literal(parser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
        ps->p += n;
        return 1;
    }
    fail(ps, ps->p, "invalid token");
    return 0;
}

static json_t *parse_value(parser *ps)
{
    json_t *v;
    if (ps->p >= ps->end) {
        fail(ps, ps->p, "premature end of input");
        return NULL;
    }
    /* ps->depth containers enclose this value; as in jansson, a value at
     * level MAX_DEPTH + 1 is refused, the innermost scalar too */
    if (ps->depth >= MAX_DEPTH) {
        fail(ps, ps->p, "maximum parsing depth reached");
        return NULL;
    }
    switch (*ps->p) {
    case '{':
    case '[':
        ps->depth++;
        v = *ps->p == '{' ? parse_container(ps, json_object(), 1)
                          : parse_container(ps, json_array(), 0);
        ps->depth--;
        return v;
    case '"': {
        const char *s;
        size_t n;
        if (parse_string(ps, &s, &n))
            return NULL;
        v = json_stringn_nocheck(s, n);
        if (!v)
            nomem(ps);
        return v;
    }
    case 't':
        return literal(ps, "true", 4) ? json_true() : NULL;
    case 'f':
        return literal(ps, "false", 5) ? json_false() : NULL;
    case 'n':
        return literal(ps, "null", 4) ? json_null() : NULL;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps);
        fail(ps, ps->p, "invalid token");
        return NULL;
    }
}

int odoo__json_parse(const char *buf, size_t len, int flags, json_t **out, odoo__json_error *err)
{
    parser ps;
    json_t *v = NULL;
    int any = flags & ODOO__JSON_ANY;

    *out = NULL;
    memset(&ps, 0, sizeof(ps));
    ps.start = ps.p = buf ? buf : "";
    ps.end = ps.start + (buf ? len : 0);
    ps.err = err;
    ps.reject_dups = (flags & ODOO__JSON_REJECT_DUPLICATES) != 0;
    if (err) {
        err->position = 0;
        err->text[0] = '\0';
    }
    skip_ws(&ps);
    if (!any && (ps.p >= ps.end || (*ps.p != '{' && *ps.p != '[')))
        fail(&ps, ps.p, "'[' or '{' expected");
    else {
        v = parse_value(&ps);
        if (v) {
            skip_ws(&ps);
            if (ps.p != ps.end) {
                fail(&ps, ps.p, "end of input expected");
                json_decref(v);
                v = NULL;
            }
        }
    }
    free(ps.scratch);
    if (!v)
        return ps.status ? ps.status : ODOO__JSON_SYNTAX;
    *out = v;
    return 0;
}
