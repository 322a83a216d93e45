// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo-aws - odoo/aws.h: Amazon Web Services for the sinks and for
 * configuration. A library of its own, libodoo-aws (libodoo + libcrypto):
 * link with `pkg-config --libs libodoo-aws` or CMake's libodoo::odoo_aws
 * (find_package(libodoo COMPONENTS aws)). Its parts:
 *
 *  - <odoo/aws/credentials.h>, AWS credentials: static keys, or the AWS SDKs' default chain
 *    (environment, shared credentials/config files with profiles, the
 *    container/Lambda credentials endpoint), refreshed before they expire.
 *  - <odoo/aws/dynamodb.h>, a DynamoDB client (any operation, CreateTable, DescribeTable, Scan), the
 *    JSON <-> DynamoDB attribute value mapping, and the DynamoDB sink
 *    (batch or conditional writes, retries, dead letters).
 *  - <odoo/aws/secrets.h>, Secrets Manager: GetSecretValue, and a secret holding ODOO_URL, ODOO_DB,
 *    ODOO_EMAIL/ODOO_USER, ODOO_PASSWORD/ODOO_API_KEY read into session
 *    options that fill an odoo_client_options.
 *
 * Requests are signed with AWS Signature Version 4 (HMAC-SHA256, OpenSSL).
 * Endpoints and regions follow the AWS SDKs' standard settings
 * (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, ...), so a local
 * server needs no code change. See docs/aws.md and docs/sinks.md.
 *
 * Secrets (secret access keys, session tokens, Odoo passwords and API keys)
 * are wiped from memory when freed and never appear in an error message.
 *
 * Threading: every handle is used by one thread at a time, except an
 * odoo_aws_credentials, which may be shared by handles used from several
 * threads (it locks itself).
 */
#ifndef ODOO_AWS_H
#define ODOO_AWS_H

#include "aws/credentials.h"
#include "aws/dynamodb.h"
#include "aws/secrets.h"

#endif /* ODOO_AWS_H */
