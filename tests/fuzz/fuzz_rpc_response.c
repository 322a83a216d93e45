// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the JSON-RPC answer parser and error mapper
 * (odoo__rpc_parse_response, odoo__rpc_error_from_json, odoo__map_exception)
 * with a fuzzed HTTP status, Content-Type and body (fuzz_common.h's form).
 * Also odoo__json2_parse_response when built with -DFUZZ_JSON2.
 */
#include "fuzz_common.h"
#include "internal.h"

static void check_error(const odoo_error *err, int rc)
{
    FUZZ_CHECK(rc < 0);
    FUZZ_CHECK(err->code == rc);
    FUZZ_CHECK(err->message != NULL);
    /* the message is a bounded C string */
    FUZZ_CHECK(strlen(err->message) < (1u << 24));
    FUZZ_CHECK(strlen(odoo_error_name(rc)) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_answer a;
    odoo_error err;
    json_t *result = NULL;
    int rc;

    fuzz_split_answer(data, size, &a);
    odoo__error_init(&err);
#ifdef FUZZ_JSON2
    rc = odoo__json2_parse_response(&err, a.status, a.has_content_type ? a.content_type : NULL,
                                    a.body, a.len, &result);
#else
    rc = odoo__rpc_parse_response(&err, a.status, a.has_content_type ? a.content_type : NULL,
                                  a.body, a.len, &result);
#endif
    if (rc == ODOO_OK) {
        FUZZ_CHECK(result != NULL);
        json_decref(result);
    } else {
        FUZZ_CHECK(result == NULL);
        check_error(&err, rc);
    }
    odoo__error_clear(&err);

#ifndef FUZZ_JSON2
    /* the "error" member alone, whatever the envelope around it */
    {
        json_t *root = json_loadb(a.body, a.len, JSON_DECODE_ANY, NULL);
        if (root) {
            json_t *e = json_is_object(root) ? json_object_get(root, "error") : root;
            odoo__error_init(&err);
            rc = odoo__rpc_error_from_json(&err, a.status, e ? e : root);
            check_error(&err, rc);
            odoo__error_clear(&err);
            json_decref(root);
        }
    }
#endif
    return 0;
}
