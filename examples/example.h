// SPDX-License-Identifier: MIT
/*
 * How every example connects: one client from the environment.
 *
 *   ODOO_URL       e.g. https://acme.odoo.com
 *   ODOO_DB        the database
 *   ODOO_USER      the login, often an e-mail
 *   ODOO_PASSWORD  the password (or ODOO_API_KEY: an API key, used instead)
 *
 * Teaches: odoo_client_options starts from ODOO_CLIENT_OPTIONS_INIT (safe
 * defaults: timeouts, TLS verification, retries) and takes the fields you
 * need. odoo_client_new() copies every string (the password is wiped when
 * the client is freed) and does no I/O: the first call logs in.
 */
#ifndef ODOO_EXAMPLE_H
#define ODOO_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>

#include <odoo.h>

/* A new client (free it with odoo_client_free()), or NULL after saying why. */
static odoo_client *example_connect(void)
{
    odoo_client_options opts = ODOO_CLIENT_OPTIONS_INIT;
    opts.url = getenv("ODOO_URL");
    opts.database = getenv("ODOO_DB");
    opts.login = getenv("ODOO_USER");
    opts.password = getenv("ODOO_PASSWORD");
    opts.api_key = getenv("ODOO_API_KEY");
    if (!opts.url || !opts.database || !opts.login || (!opts.password && !opts.api_key)) {
        fprintf(stderr, "set ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD\n");
        return NULL;
    }
    odoo_client *client = NULL;
    int rc = odoo_client_new(&client, &opts);
    if (rc != ODOO_OK) {
        fprintf(stderr, "odoo_client_new: %s: %s\n", odoo_error_name(rc),
                client ? odoo_error_message(odoo_client_last_error(client)) : odoo_strerror(rc));
        odoo_client_free(client);
        return NULL;
    }
    return client;
}

#endif /* ODOO_EXAMPLE_H */
