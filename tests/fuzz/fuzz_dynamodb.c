// SPDX-License-Identifier: MIT
/*
 * Fuzz target: DynamoDB answers (fuzz_common.h's form: status, content-type,
 * body).
 *
 * - error answers: odoo__aws_parse_error_body (JSON "__type"/"message" and
 *   the XML <Code>/<Message> form) and odoo__aws_map_error, as
 *   odoo__aws_conn_result does for a non-200 answer;
 * - BatchWriteItem's UnprocessedItems: every PutRequest.Item of every table
 *   goes through odoo__dynamodb_key_text (for the keys "pk", "sk" and
 *   "id", as the sink's item_key() matches unprocessed items back to its
 *   entries), odoo_dynamodb_item_size and odoo_dynamodb_item_to_json;
 * - Items / Item of Scan, Query and GetItem answers: odoo_dynamodb_item_to_json
 *   and odoo_dynamodb_attr_to_json of each value.
 *
 * The sink's handle_result() itself is static (src/aws/dynamodb_sink.c);
 * this target drives the same library functions it uses on the answer.
 */
#include "fuzz_common.h"
#include "sink_internal.h"
#include "aws_internal.h"

static void item(json_t *it)
{
    static const char *const keys[] = {"pk", "sk", "id", "PK", "SK"};
    const char *name;
    json_t *v, *plain = NULL;
    size_t i;
    if (!json_is_object(it))
        return;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char *t = odoo__dynamodb_key_text(json_object_get(it, keys[i]));
        if (t) {
            FUZZ_CHECK(t[0] == 'S' || t[0] == 'N' || t[0] == 'B');
            free(t);
        }
    }
    (void)odoo_dynamodb_item_size(it);
    if (odoo_dynamodb_item_to_json(&plain, it) == ODOO_OK) {
        json_t *back = NULL;
        FUZZ_CHECK(plain != NULL);
        /* and back again: what came out must go in */
        if (odoo_dynamodb_item_from_json(&back, plain) == ODOO_OK)
            json_decref(back);
        json_decref(plain);
    }
    json_object_foreach(it, name, v) {
        json_t *one = NULL;
        (void)odoo__dynamodb_value_size(v);
        if (odoo_dynamodb_attr_to_json(&one, v) == ODOO_OK)
            json_decref(one);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_answer a;
    char *type = NULL, *message = NULL;
    int retryable = -1, rc;
    json_t *doc;

    fuzz_split_answer(data, size, &a);

    odoo__aws_parse_error_body(a.body, a.len, &type, &message);
    rc = odoo__aws_map_error(type, a.status, &retryable);
    FUZZ_CHECK(rc <= 0);
    FUZZ_CHECK(retryable == 0 || retryable == 1);
    if (type)
        (void)odoo__aws_is_throttling(type);
    free(type);
    free(message);

    doc = json_loadb(a.body, a.len, 0, NULL);
    if (json_is_object(doc)) {
        const char *table;
        json_t *reqs, *items;
        size_t k;
        json_object_foreach(json_object_get(doc, "UnprocessedItems"), table, reqs) {
            for (k = 0; json_is_array(reqs) && k < json_array_size(reqs); k++)
                item(json_object_get(json_object_get(json_array_get(reqs, k), "PutRequest"),
                                     "Item"));
        }
        items = json_object_get(doc, "Items");
        for (k = 0; json_is_array(items) && k < json_array_size(items); k++)
            item(json_array_get(items, k));
        item(json_object_get(doc, "Item"));
    }
    json_decref(doc);
    return 0;
}
