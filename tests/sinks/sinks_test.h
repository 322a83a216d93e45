// SPDX-License-Identifier: MIT
/* Helpers for the sink and AWS tests: environment, temporary files, the
 * fault proxy's control API, small HTTP calls. Used inside cmocka tests. */
#ifndef ODOO_SINKS_TEST_H
#define ODOO_SINKS_TEST_H

#include <stddef.h>

#include <jansson.h>

#include "odoo.h"
#include "odoo/aws.h"

/* The value of an environment variable the wrapper exports; fails the test
 * when it is unset. */
const char *st_env(const char *name);
/* A new temporary directory (free() the path; st_rmdir() removes it). */
char *st_tmpdir(void);
void st_rmdir(const char *dir);
/* dir + "/" + name (free()). */
char *st_path(const char *dir, const char *name);
/* A whole file's bytes, NUL-terminated (free()), or NULL; *len may be NULL. */
char *st_read_file(const char *path, size_t *len);
void st_write_file(const char *path, const char *text);
/* How many entries of dir start with prefix. */
int st_count_entries(const char *dir, const char *prefix);
/* A name unique in this run: "<prefix>-<pid>-<n>" (static buffer per call site
 * is not used: free()). */
char *st_unique(const char *prefix);

/* HTTP through libcurl: method "GET"/"POST", body or NULL. Returns the status,
 * fills *answer (a new reference; NULL when the body is not JSON). */
long st_http_json(const char *method, const char *url, const char *body, json_t **answer);
/* POST /__proxy/faults to the fault proxy (ODOO_TEST_PROXY_URL). */
void st_proxy_faults(const char *json_text);
/* GET /__proxy/stats: a new reference. */
json_t *st_proxy_stats(void);
/* One counter of the proxy stats. */
long long st_proxy_stat(const char *name);

/* A DynamoDB client for an endpoint (NULL = the environment's). */
odoo_dynamodb *st_dynamodb(const char *endpoint);

/* Set or unset (value NULL) an environment variable. */
void st_setenv(const char *name, const char *value);

#define ST_ASSERT_RC(rc, expected, err)                                                   \
    do {                                                                                  \
        int rc_ = (rc);                                                                   \
        if (rc_ != (expected))                                                            \
            fail_msg("%s:%d: expected %s, got %s: %s", __FILE__, __LINE__,                \
                     odoo_error_name(expected), odoo_error_name(rc_),                     \
                     odoo_error_message(err));                                            \
    } while (0)

#endif
