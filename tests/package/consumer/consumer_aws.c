// SPDX-License-Identifier: MIT
/* A program that uses libodoo-aws (and so libodoo) the way a user would, built
 * against the installed tree through `pkg-config --libs libodoo-aws` or
 * find_package(libodoo COMPONENTS aws). It needs no server: a DynamoDB client
 * with static keys, pointed at a loopback port where nothing listens, fails
 * with a typed network error. */
#include <stdio.h>

#include <odoo.h>
#include <odoo/aws.h>

int main(void)
{
    odoo_aws_credentials_options copts = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_aws_options opts = ODOO_AWS_OPTIONS_INIT;
    odoo_aws_credentials *creds = NULL;
    odoo_dynamodb *db = NULL;
    json_t *out = NULL;
    int rc;

    if (odoo_global_init() < 0)
        return 1;
    copts.access_key_id = "AKIDEXAMPLE";
    copts.secret_access_key = "consumer-test-secret";
    if (odoo_aws_credentials_new(&creds, &copts) != ODOO_OK)
        return 1;
    opts.region = "us-east-1";
    opts.endpoint = "http://127.0.0.1:1";
    opts.credentials = creds;
    opts.max_retries = 0;
    if (odoo_dynamodb_new(&db, &opts) != ODOO_OK)
        return 1;
    rc = odoo_dynamodb_describe_table(db, &out, "libodoo_consumer");
    printf("libodoo-aws with libodoo %s: DescribeTable -> %s (%s)\n", odoo_version(),
           odoo_error_name(rc), odoo_error_message(odoo_dynamodb_last_error(db)));
    json_decref(out);
    odoo_dynamodb_free(db);
    odoo_aws_credentials_free(creds);
    odoo_global_cleanup();
    return rc == ODOO_ENETWORK ? 0 : 1;
}
