// SPDX-License-Identifier: MIT
/*
 * libodoo fuzzing - helpers shared by the libFuzzer targets (tests/fuzz).
 *
 * Several targets take an "HTTP answer" as input, in this text form:
 *
 *   <status>\n<content-type>\n<body>
 *
 * The status is read as a decimal number (garbage gives 0), an empty
 * content-type line means "no Content-Type header" (NULL), and the body is
 * every byte after the second '\n' (it may hold NULs). The seed generator
 * (gen_corpus.py) writes the real captures of tests/wire in this form.
 */
#ifndef ODOO_FUZZ_COMMON_H
#define ODOO_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fuzz_answer {
    long status;
    char content_type[256];
    int has_content_type;
    const char *body; /* points into the input */
    size_t len;
} fuzz_answer;

static inline void fuzz_split_answer(const uint8_t *data, size_t size, fuzz_answer *a)
{
    const uint8_t *p = data, *end = data + size, *nl;
    size_t n;
    memset(a, 0, sizeof(*a));
    nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) {
        a->body = (const char *)p;
        a->len = size;
        a->status = 200;
        return;
    }
    for (; p < nl && p - data < 6; p++)
        if (*p >= '0' && *p <= '9')
            a->status = a->status * 10 + (*p - '0');
    p = nl + 1;
    nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        nl = end;
    n = (size_t)(nl - p);
    if (n >= sizeof(a->content_type))
        n = sizeof(a->content_type) - 1;
    memcpy(a->content_type, p, n);
    a->content_type[n] = '\0';
    a->has_content_type = n > 0;
    p = nl < end ? nl + 1 : end;
    a->body = (const char *)p;
    a->len = (size_t)(end - p);
}

/* A NUL-terminated heap copy of the input (free()). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* memmem without _GNU_SOURCE. */
static inline const void *fuzz_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
    const unsigned char *h = hay;
    size_t i;
    if (nlen == 0 || hlen < nlen)
        return NULL;
    for (i = 0; i + nlen <= hlen; i++)
        if (h[i] == *(const unsigned char *)needle && memcmp(h + i, needle, nlen) == 0)
            return h + i;
    return NULL;
}

#define FUZZ_CHECK(cond)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                            \
        }                                                                       \
    } while (0)

#endif
