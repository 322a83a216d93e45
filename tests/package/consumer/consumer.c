// SPDX-License-Identifier: MIT
/* A program that uses libodoo the way a user would, built against the
 * installed tree. It needs no server: it checks the version, the options,
 * and that a call to a port where nothing listens fails with a typed error. */
#include <stdio.h>
#include <string.h>

#include <odoo.h>

int main(void)
{
    odoo_client_options opts = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *client = NULL;
    json_t *result = NULL;
    int rc;

    if (strcmp(odoo_version(), ODOO_VERSION) != 0) {
        fprintf(stderr, "header %s, library %s\n", ODOO_VERSION, odoo_version());
        return 1;
    }
    if (odoo_global_init() < 1)
        return 1;
    opts.url = "http://127.0.0.1:1";
    opts.database = "acme";
    opts.login = "admin";
    opts.password = "admin";
    opts.connect_timeout_ms = 2000;
    opts.max_retries = 0; /* else a refused connection is retried for 60 s */
    if (odoo_client_new(&client, &opts) != ODOO_OK)
        return 1;
    rc = odoo_call_kw(client, &result, "res.partner", "search_count", NULL, NULL, NULL);
    printf("libodoo %s: call to a closed port: %s (%s)\n", odoo_version(), odoo_error_name(rc),
           odoo_error_message(odoo_client_last_error(client)));
    odoo_client_free(client);
    odoo_global_cleanup();
    return rc == ODOO_ENETWORK ? 0 : 1;
}
