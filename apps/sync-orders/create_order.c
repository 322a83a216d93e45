// SPDX-License-Identifier: MIT
/* odoo-sync-orders --create-order: the write path, in as few calls as
 * possible: one search for the customer by e-mail (one create when missing),
 * one search for the products by code, one create of the order with its
 * lines (Odoo's (0, 0, values) commands). */
#include <stdio.h>
#include <string.h>

#include "sync.h"

static int fail(sync_run *run, const char *what, int rc)
{
    const odoo_error *e = odoo_client_last_error(run->client);
    sync_errorf(run, sync_exit_for_odoo(rc), "%s: %s%s%s%s: %s", what, odoo_error_name(rc),
                odoo_error_class(e)[0] ? " [" : "", odoo_error_class(e),
                odoo_error_class(e)[0] ? "]" : "", odoo_error_message(e));
    return -1;
}

int sync_create_order(sync_run *run, const char *json_text)
{
    static const char *const partner_fields[] = {"id", NULL};
    static const char *const product_fields[] = {"id", "default_code", "list_price", NULL};
    json_error_t jerr;
    json_t *spec, *customer, *lines, *line, *rows = NULL, *domain, *codes, *ids = NULL;
    json_t *commands, *vals, *out;
    json_int_t partner_id;
    size_t i;
    int rc;

    spec = json_loads(json_text, 0, &jerr);
    customer = json_object_get(spec, "customer");
    lines = json_object_get(spec, "lines");
    if (!json_is_object(spec) || !json_is_object(customer)
        || !json_is_string(json_object_get(customer, "email"))
        || !json_is_string(json_object_get(customer, "name")) || !json_is_array(lines)
        || json_array_size(lines) == 0) {
        json_decref(spec);
        sync_errorf(run, SYNC_EXIT_USAGE,
                    "--create-order: expected {\"customer\": {\"name\", \"email\"}, "
                    "\"lines\": [{\"product_code\", \"quantity\"[, \"price_unit\"]}]}");
        return -1;
    }

    /* the customer, by e-mail */
    domain = json_pack("[[s, s, O]]", "email", "=", json_object_get(customer, "email"));
    rc = odoo_search_read(run->client, &rows, "res.partner", domain, partner_fields, "id asc",
                          1, 0, NULL);
    json_decref(domain);
    if (rc != ODOO_OK) {
        json_decref(spec);
        return fail(run, "res.partner", rc);
    }
    if (json_array_size(rows) == 1) {
        partner_id = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
    } else {
        vals = json_pack("{s:O, s:O, s:i}", "name", json_object_get(customer, "name"), "email",
                         json_object_get(customer, "email"), "customer_rank", 1);
        rc = odoo_create(run->client, &ids, "res.partner", vals, NULL);
        json_decref(vals);
        if (rc != ODOO_OK) {
            json_decref(rows);
            json_decref(spec);
            return fail(run, "res.partner create", rc);
        }
        partner_id = json_integer_value(json_array_get(ids, 0));
        json_decref(ids);
        ids = NULL;
    }
    json_decref(rows);
    rows = NULL;

    /* the products, by code, in one search */
    codes = json_array();
    json_array_foreach(lines, i, line) {
        if (!json_is_string(json_object_get(line, "product_code"))
            || !json_is_number(json_object_get(line, "quantity"))) {
            json_decref(codes);
            json_decref(spec);
            sync_errorf(run, SYNC_EXIT_USAGE,
                        "--create-order: line %zu needs product_code and quantity", i);
            return -1;
        }
        json_array_append(codes, json_object_get(line, "product_code"));
    }
    domain = json_pack("[[s, s, o]]", "default_code", "in", codes);
    rc = odoo_search_read(run->client, &rows, "product.product", domain, product_fields, NULL, 0,
                          0, NULL);
    json_decref(domain);
    if (rc != ODOO_OK) {
        json_decref(spec);
        return fail(run, "product.product", rc);
    }
    commands = json_array();
    json_array_foreach(lines, i, line) {
        const char *code = json_string_value(json_object_get(line, "product_code"));
        json_t *product = NULL, *p, *lv;
        size_t j;
        json_array_foreach(rows, j, p) {
            if (json_is_string(json_object_get(p, "default_code"))
                && strcmp(json_string_value(json_object_get(p, "default_code")), code) == 0)
                product = p;
        }
        if (!product) {
            sync_errorf(run, SYNC_EXIT_ODOO, "--create-order: no product with code %s", code);
            json_decref(commands);
            json_decref(rows);
            json_decref(spec);
            return -1;
        }
        lv = json_pack("{s:O, s:O, s:O}", "product_id", json_object_get(product, "id"),
                       "product_uom_qty", json_object_get(line, "quantity"), "price_unit",
                       json_object_get(line, "price_unit") ? json_object_get(line, "price_unit")
                                                           : json_object_get(product, "list_price"));
        json_array_append_new(commands, json_pack("[i, i, o]", 0, 0, lv));
    }
    json_decref(rows);
    vals = json_pack("{s:I, s:o}", "partner_id", partner_id, "order_line", commands);
    if (json_is_string(json_object_get(spec, "client_order_ref")))
        json_object_set(vals, "client_order_ref", json_object_get(spec, "client_order_ref"));
    rc = odoo_create(run->client, &ids, "sale.order", vals, NULL);
    json_decref(vals);
    json_decref(spec);
    if (rc != ODOO_OK)
        return fail(run, "sale.order create", rc);
    out = json_pack("{s:O, s:I, s:I}", "order_id", json_array_get(ids, 0), "customer_id",
                    partner_id, "calls", (json_int_t)odoo_client_request_count(run->client));
    json_dumpf(out, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(out);
    json_decref(ids);
    return 0;
}
