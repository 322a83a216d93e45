// SPDX-License-Identifier: MIT
/*
 * Fuzz target: odoo-products' mapping file parser and its CSV reader
 * (tools/odoo-products.c: parse_mapping, parse_csv, map_record), reached
 * without refactoring the example: its source is included here with its
 * main() renamed. The input is
 *
 *   <mapping JSON> \n%%\n <CSV text>
 *
 * The mapping goes through a temporary file (parse_mapping takes a path);
 * then every CSV record goes through the mapping.
 */
#define main odoo_products_main
#include "../../tools/odoo-products.c"
#undef main

#include "fuzz_common.h"

static char tmp_path[64];
static int tmp_fd = -1;

static void quiet(const char *message)
{
    (void)message;
}

static void cleanup(void)
{
    if (tmp_fd >= 0)
        unlink(tmp_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = fuzz_memmem(data, size, "\n%%\n", 4);
    size_t mlen = sep ? (size_t)(sep - data) : size;
    const char *csv = sep ? (const char *)sep + 4 : "";
    size_t clen = sep ? size - mlen - 4 : 0;
    mapping m;
    json_t *records = NULL, *lines = NULL;

    if (tmp_fd < 0) {
        snprintf(tmp_path, sizeof(tmp_path), "/tmp/fuzz_mapping.XXXXXX");
        tmp_fd = mkstemp(tmp_path);
        if (tmp_fd < 0)
            abort();
        atexit(cleanup);
        tool_error_hook = quiet;
    }
    if (ftruncate(tmp_fd, 0) != 0 || pwrite(tmp_fd, data, mlen, 0) != (ssize_t)mlen)
        abort();

    if (parse_mapping(tmp_path, &m) == 0) {
        if (parse_csv("input.csv", csv, clen, &records, &lines) == 0) {
            size_t i;
            for (i = 0; i < json_array_size(records); i++) {
                json_t *out = NULL;
                char err[256];
                err[0] = '\0';
                map_record(&m, json_array_get(records, i), &out, err, sizeof(err));
                FUZZ_CHECK(out != NULL || err[0] != '\0');
                FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
                json_decref(out);
            }
        }
        json_decref(records);
        json_decref(lines);
        records = lines = NULL;
    }
    mapping_free(&m);
    /* CSV alone, without a mapping */
    if (parse_csv("input.csv", (const char *)data, size, &records, &lines) == 0) {
        FUZZ_CHECK(json_is_array(records));
    }
    json_decref(records);
    json_decref(lines);
    return 0;
}
