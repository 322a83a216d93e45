// SPDX-License-Identifier: MIT
/*
 * Example 5: DynamoDB from C.
 *
 * Teaches: storing Odoo records in an Amazon DynamoDB table with the DynamoDB
 * sink (odoo/aws.h): an AWS credentials source (the standard chain:
 * environment, ~/.aws profiles, container endpoint), a DynamoDB client (region
 * and endpoint from the options or the environment), the sink with an
 * attribute mapping, and its counters. The sink batches 25 items a request,
 * sends several requests at once and retries throttling by itself; what it
 * cannot write goes to a dead-letter file instead of being lost.
 *
 *   ./example_dynamodb TABLE      (Odoo: ODOO_URL, ODOO_DB, ODOO_USER,
 *                                  ODOO_PASSWORD; AWS: AWS_REGION,
 *                                  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or
 *                                  a profile; AWS_ENDPOINT_URL_DYNAMODB for
 *                                  DynamoDB Local)
 *
 * The table must exist, with a numeric partition key "order_id".
 */

#include "example.h" /* <odoo.h>, and example_connect(): the client from ODOO_* */
#include <odoo/aws.h> /* libodoo-aws: credentials, DynamoDB client and sink */

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s TABLE\n", argv[0]);
        return 2;
    }
    odoo_client *client = example_connect(); /* example.h */
    if (!client)
        return 1;

    /* 1. credentials: resolve now to fail early and clearly (ODOO_EAUTH: none found) */
    odoo_aws_credentials *creds = NULL;
    odoo_dynamodb *db = NULL;
    odoo_sink *sink = NULL;
    int rc = odoo_aws_credentials_new(&creds, NULL);
    if (rc == ODOO_OK && (rc = odoo_aws_credentials_resolve(creds)) != ODOO_OK)
        fprintf(stderr, "AWS credentials: %s\n", odoo_error_name(rc));

    /* 2. the DynamoDB client: region and endpoint from the environment here */
    if (rc == ODOO_OK) {
        odoo_aws_options aws = ODOO_AWS_OPTIONS_INIT;
        aws.credentials = creds; /* the client takes its own reference */
        if ((rc = odoo_dynamodb_new(&db, &aws)) != ODOO_OK)
            fprintf(stderr, "DynamoDB client: %s\n",
                    odoo_error_message(odoo_dynamodb_last_error(db)));
    }

    /* 3. the sink: Odoo's "id" becomes the key "order_id", two fields are kept as is */
    if (rc == ODOO_OK) {
        static const char *const attributes[] = {"id=order_id", "name", "amount_total",
                                                 "write_date", NULL};
        odoo_dynamodb_sink_options so = ODOO_DYNAMODB_SINK_OPTIONS_INIT;
        so.table = argv[1];
        so.partition_key = "order_id";
        so.partition_type = ODOO_DYNAMODB_N;
        so.attributes = attributes;
        /* so.dead_letter_path = "dead.jsonl": keep what cannot be written there
         * (without one, such records count as failed and close reports it) */
        if ((rc = odoo_dynamodb_sink_open(&sink, db, &so)) != ODOO_OK)
            fprintf(stderr, "sink: %s\n", odoo_error_message(odoo_sink_last_error(sink)));
    }

    /* 4. Odoo -> DynamoDB, one page at a time */
    if (rc == ODOO_OK) {
        static const char *const fields[] = {"name", "amount_total", "write_date", NULL};
        odoo_iter *it = NULL;
        json_t *record = NULL;
        rc = odoo_iter_new(&it, client, "sale.order", NULL, fields, 500);
        while (rc == ODOO_OK && (rc = odoo_iter_next(it, &record)) == 1) {
            rc = odoo_sink_put(sink, record); /* queued; sent in batches meanwhile */
            json_decref(record);
        }
        if (rc < 0)
            fprintf(stderr, "sync: %s\n", odoo_error_name(rc));
        odoo_iter_free(it);
    }
    if (rc == ODOO_OK && (rc = odoo_sink_close(sink)) != ODOO_OK) /* waits for every batch */
        fprintf(stderr, "close: %s\n", odoo_error_message(odoo_sink_last_error(sink)));
    if (rc == ODOO_OK) {
        odoo_sink_stats st = ODOO_SINK_STATS_INIT;
        odoo_sink_get_stats(sink, &st);
        printf("dynamodb %s: %llu records, %llu written, %llu dead-lettered, %llu requests\n",
               argv[1], st.records, st.written, st.dead_lettered, st.requests);
    }
    odoo_sink_free(sink); /* aborts it when not closed */
    odoo_dynamodb_free(db);
    odoo_aws_credentials_free(creds);
    odoo_client_free(client);
    return rc == ODOO_OK ? 0 : 1;
}
