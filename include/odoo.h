// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo - a C client library for Odoo.
 *
 * Umbrella header: include this one.
 *
 * @code{.c}
 *   #include <odoo.h>
 * @endcode
 *
 * Link with `pkg-config --libs libodoo` or CMake's libodoo::odoo. The AWS
 * parts (DynamoDB sink, credentials, Secrets Manager) are the library
 * libodoo-aws: include <odoo/aws.h> and link libodoo-aws.
 */
#ifndef ODOO_H
#define ODOO_H

#include "odoo/common.h"
#include "odoo/errors.h"
#include "odoo/client.h"
#include "odoo/model.h"
#include "odoo/sink.h"

#endif /* ODOO_H */
