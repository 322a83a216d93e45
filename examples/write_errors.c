// SPDX-License-Identifier: MIT
/*
 * Example 3: write with error handling.
 *
 * Teaches: odoo_create() and odoo_write(), and what to do with each failure.
 * Every function returns ODOO_OK or a negative ODOO_E* code; the client keeps
 * the detail (odoo_client_last_error(): message, Odoo's exception class,
 * HTTP status, whether the same request may succeed again).
 *   - ODOO_EVALIDATION, ODOO_EUSER, ODOO_EACCESS, ODOO_EMISSING: Odoo refused
 *     the data; fix the data, do not retry.
 *   - ODOO_EINVAL: a mistake on our side (an unknown field), caught before
 *     anything was sent.
 *   - ODOO_EINDOUBT: a call that changes data failed after it may have
 *     reached Odoo. The library never sends it again by itself: look whether
 *     it happened (here: search by our unique ref) before creating again.
 * Timeouts, refused connections and 502/503/504 on reads are retried by the
 * library (max_retries, retry_deadline_ms): docs/retries.md.
 *
 *   ./example_write_errors [REF]   (REF: our partner's unique reference,
 *                                   default EXAMPLE-0001; connection:
 *                                   ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD)
 */

#include "example.h" /* <odoo.h>, and example_connect(): the client from ODOO_* */

static void report(odoo_client *client, const char *what, int rc)
{
    const odoo_error *err = odoo_client_last_error(client);
    const char *cls = odoo_error_class(err); /* "" when the failure is not Odoo's */
    printf("%s: %s (%s) %s%s\n", what, odoo_error_name(rc), *cls ? cls : "not from Odoo",
           odoo_error_message(err), odoo_error_retryable(err) ? " [retryable]" : "");
}

/* Create a partner at most once, even when the answer was lost. */
static long long create_partner_once(odoo_client *client, const char *name, const char *ref)
{
    json_t *ids = NULL, *values = json_pack("{ssss}", "name", name, "ref", ref);
    int rc = odoo_create(client, &ids, "res.partner", values, NULL);
    if (rc == ODOO_EINDOUBT) {
        /* did it happen? the ref is ours and unique: ask (a read, retried safely) */
        report(client, "create in doubt", rc);
        json_t *domain = json_pack("[[sss]]", "ref", "=", ref);
        rc = odoo_search(client, &ids, "res.partner", domain, NULL, 1, 0, NULL);
        json_decref(domain);
        if (rc == ODOO_OK && json_array_size(ids) == 0) { /* it did not: create now */
            json_decref(ids);
            ids = NULL;
            rc = odoo_create(client, &ids, "res.partner", values, NULL);
        }
    }
    json_decref(values);
    if (rc != ODOO_OK) {
        report(client, "create", rc);
        return -1;
    }
    long long id = json_integer_value(json_array_get(ids, 0));
    json_decref(ids);
    return id;
}

int main(int argc, char **argv)
{
    const char *ref = argc > 1 ? argv[1] : "EXAMPLE-0001";
    odoo_client *client = example_connect(); /* example.h */
    if (!client)
        return 1;

    /* 1. create, then write: the happy path */
    long long id = create_partner_once(client, "Example Partner", ref);
    if (id < 0) {
        odoo_client_free(client);
        return 1;
    }
    printf("created res.partner %lld\n", id);
    json_t *ids = json_pack("[I]", (json_int_t)id);
    json_t *values = json_pack("{ss}", "city", "Brussels");
    int rc = odoo_write(client, "res.partner", ids, values, NULL);
    json_decref(values);
    if (rc == ODOO_OK)
        printf("wrote city on res.partner %lld\n", id);
    else
        report(client, "write", rc);

    /* 2. Odoo refuses the data: a partner needs a name */
    values = json_pack("{ss}", "name", "");
    rc = odoo_write(client, "res.partner", ids, values, NULL);
    json_decref(values);
    report(client, "empty name", rc);
    json_decref(ids);

    /* 3. the record does not exist (deleted meanwhile) */
    ids = json_pack("[i]", 999999999);
    values = json_pack("{ss}", "city", "Ghent");
    rc = odoo_write(client, "res.partner", ids, values, NULL);
    report(client, "missing record", rc);

    /* 4. a typo in a field name: refused locally, nothing sent */
    json_decref(values);
    values = json_pack("{ss}", "citty", "Ghent");
    rc = odoo_write(client, "res.partner", ids, values, NULL);
    report(client, "unknown field", rc);
    json_decref(values);
    json_decref(ids);

    odoo_client_free(client);
    return 0;
}
