// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the Secrets Manager secret parser,
 * odoo_session_options_set_json (the SecretString of the Odoo connection
 * secret), then odoo_session_options_fill and the getters. Its error messages
 * must never quote the secret's text: the planted password below, put into
 * the input by the seeds, may never appear in one.
 */
#include "fuzz_common.h"
#include "odoo.h"
#include "odoo/aws.h"

#define PLANT "Pl4ntedPassw0rdForFuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    odoo_session_options *so = NULL;
    odoo_client_options opts = ODOO_CLIENT_OPTIONS_INIT;
    char *text = fuzz_strndup(data, size);
    const odoo_error *e;
    int rc;

    if (odoo_session_options_new(&so) != ODOO_OK)
        abort();
    rc = odoo_session_options_set_json(so, text);
    e = odoo_session_options_last_error(so);
    if (rc == ODOO_OK) {
        FUZZ_CHECK(odoo_session_options_url(so) != NULL);
        FUZZ_CHECK(odoo_session_options_database(so) != NULL);
        FUZZ_CHECK(odoo_session_options_login(so) != NULL);
        FUZZ_CHECK(odoo_session_options_has_password(so) || odoo_session_options_has_api_key(so));
        FUZZ_CHECK(odoo_session_options_fill(so, &opts) == ODOO_OK);
        FUZZ_CHECK(opts.url && opts.database && opts.login);
    } else {
        const char *m = odoo_error_message(e);
        FUZZ_CHECK(rc < 0);
        FUZZ_CHECK(m != NULL);
        FUZZ_CHECK(strstr(m, PLANT) == NULL);
        FUZZ_CHECK(strstr(m, "Pl4nted") == NULL);
    }
    /* a second parse replaces the first */
    (void)odoo_session_options_set_json(so, "{\"ODOO_URL\":\"https://x\",\"ODOO_DB\":\"d\","
                                            "\"ODOO_USER\":\"u\",\"ODOO_API_KEY\":\"k\"}");
    odoo_session_options_free(so);
    free(text);
    return 0;
}
