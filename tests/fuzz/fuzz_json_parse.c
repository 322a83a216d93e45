// SPDX-License-Identifier: MIT
/*
 * Fuzz target: libodoo's JSON decoder of Odoo's answers (odoo__json_parse,
 * src/util/json_parse.c), differentially against jansson's json_loadb, the
 * decoder it replaces: both must accept or refuse the same input, and what
 * they accept must decode to equal values (json_equal). The first input byte
 * chooses the mode (top level: any value, or only an object/array).
 *
 * One known, deliberate difference: a raw NUL byte. jansson takes it for the
 * end of the input after a number or a literal ("[1\0]" is [1] for it);
 * libodoo refuses every input holding one (it is never valid JSON).
 */
#include "fuzz_common.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf;
    size_t len;
    int any, rc;
    json_t *got = NULL, *ref;
    json_error_t jerr;
    odoo__json_error oerr;

    if (size < 1)
        return 0;
    any = data[0] & 1;
    buf = (const char *)data + 1;
    len = size - 1;

    rc = odoo__json_parse(buf, len, any, &got, &oerr);
    FUZZ_CHECK(rc == 0 || rc == ODOO__JSON_SYNTAX); /* no allocation fails here */
    FUZZ_CHECK((rc == 0) == (got != NULL));
    if (rc) {
        FUZZ_CHECK(oerr.text[0] != '\0');
        FUZZ_CHECK(oerr.position <= len);
    }
    if (memchr(buf, '\0', len)) {
        FUZZ_CHECK(rc != 0);
        return 0;
    }
    ref = json_loadb(buf, len, any ? JSON_DECODE_ANY : 0, &jerr);
    FUZZ_CHECK((ref != NULL) == (rc == 0));
    if (ref)
        FUZZ_CHECK(json_equal(ref, got));
    json_decref(ref);
    json_decref(got);
    return 0;
}
