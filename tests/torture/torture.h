// SPDX-License-Identifier: MIT
/* The allocation-failure torture's harness (torture.c), shared by the
 * torture programs: test_torture.c (Odoo client paths, JSON sink) and
 * test_torture_aws.c (AWS credentials, Secrets Manager parse, DynamoDB sink).
 * See the header comment of test_torture.c and docs/hardening.md. */
#ifndef ODOO_TORTURE_H
#define ODOO_TORTURE_H

#include "odoo.h"

/* One run of a path: fails the k-th allocation (k = 0: none), stores the
 * number of allocations the run made in *allocs and returns its outcome
 * (ODOO_OK or the negative code of the failure). */
typedef int (*scenario)(long k, long *allocs);

/* Give jansson the counting allocator: call first in main(), before any
 * JSON value exists. */
void torture_init(void);

/* Make the k-th allocation from now fail (k <= 0: none) / stop failing,
 * returning the number of allocations counted since arm(). */
void arm(long k);
long disarm(void);

/* A run's outcome must be ODOO_OK or an error code whose detail (err, may be
 * NULL) says the same code, with a message. */
void check_rc(const char *what, long k, int rc, const odoo_error *err);

/* The sweep over one path: a run without failures, then one run per failure
 * point, every k up to max_points (ODOO_TORTURE_MAX_POINTS overrides it; 0
 * means its default, 3000), then a stride. Prints one summary line. */
void torture(const char *name, scenario fn);
void torture_max(const char *name, scenario fn, long max_points);

#endif
