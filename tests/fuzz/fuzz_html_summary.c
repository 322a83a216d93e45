// SPDX-License-Identifier: MIT
/*
 * Fuzz target: odoo__html_summary (the summary of an HTML or text error page
 * that goes into error messages). Byte 0 chooses the output size (1..256);
 * the rest is the page. The summary must be NUL-terminated within the size.
 */
#include "fuzz_common.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t outsz;
    char *out, *body;
    if (size < 1)
        return 0;
    outsz = (size_t)data[0] + 1;
    out = malloc(outsz); /* exact size: ASan sees any overflow */
    /* an exact-size copy of the page: any over-read is caught too */
    body = malloc(size - 1 ? size - 1 : 1);
    if (!out || !body)
        abort();
    memcpy(body, data + 1, size - 1);
    memset(out, 'X', outsz);
    odoo__html_summary(body, size - 1, out, outsz);
    FUZZ_CHECK(memchr(out, '\0', outsz) != NULL);
    /* folded white space: no newline, tab or double space in the summary */
    FUZZ_CHECK(strchr(out, '\n') == NULL);
    odoo__html_summary(body, size - 1, out, 0); /* must not write */
    free(body);
    free(out);
    return 0;
}
