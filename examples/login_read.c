// SPDX-License-Identifier: MIT
/*
 * Example 1: log in and read.
 *
 * Teaches: creating a client (example.h: its options from the environment),
 * logging in explicitly (to see a wrong password at once), asking who we are,
 * and reading records with a field whitelist (odoo_search_count,
 * odoo_search_read). Every JSON result is a new reference: json_decref() it.
 *
 *   ODOO_URL=https://acme.odoo.com ODOO_DB=acme ODOO_USER=me@acme.com \
 *   ODOO_PASSWORD=... ./example_login_read
 *
 * ODOO_API_KEY, when set, is used instead of the password (JSON-2 on Odoo 19,
 * /jsonrpc before). Build: cc login_read.c $(pkg-config --cflags --libs libodoo)
 */
#include "example.h" /* <odoo.h>, and example_connect() */

static int fail(odoo_client *client, const char *what, int rc)
{
    const odoo_error *err = odoo_client_last_error(client);
    fprintf(stderr, "%s: %s: %s\n", what, odoo_error_name(rc), odoo_error_message(err));
    odoo_client_free(client);
    return 1;
}

int main(void)
{
    odoo_client *client = example_connect(); /* example.h: options from the environment */
    if (!client)
        return 1;
    int rc = odoo_client_login(client); /* optional: the first call would log in */
    if (rc != ODOO_OK)
        return fail(client, "login", rc);
    printf("logged in as uid %d on Odoo %s (transport %s)\n", odoo_client_uid(client),
           odoo_client_server_version(client),
           odoo_transport_name(odoo_client_transport(client)));

    /* How many sale orders are there? A NULL domain means [] (all records). */
    long long count = 0;
    rc = odoo_search_count(client, &count, "sale.order", NULL, NULL);
    if (rc != ODOO_OK)
        return fail(client, "search_count", rc);
    printf("sale.order: %lld records\n", count);

    /* The three newest ones: only the whitelisted fields travel, and each name
     * is checked against fields_get before the call (a typo is ODOO_EINVAL). */
    static const char *const fields[] = {"name", "partner_id", "amount_total", NULL};
    json_t *domain = json_pack("[[sss]]", "state", "!=", "cancel");
    json_t *rows = NULL;
    rc = odoo_search_read(client, &rows, "sale.order", domain, fields, "id desc", 3, 0, NULL);
    json_decref(domain);
    if (rc != ODOO_OK)
        return fail(client, "search_read", rc);

    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        /* a many2one is [id, "display name"], or false when empty */
        json_t *partner = json_object_get(row, "partner_id");
        printf("%s  %10.2f  %s\n", json_string_value(json_object_get(row, "name")),
               json_number_value(json_object_get(row, "amount_total")),
               json_is_array(partner) ? json_string_value(json_array_get(partner, 1)) : "-");
    }
    json_decref(rows);
    odoo_client_free(client);
    return 0;
}
