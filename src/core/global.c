// SPDX-License-Identifier: MIT
/*
 * libodoo - the one piece of global state: a reference count around
 * libcurl's global initialisation, guarded by a mutex.
 */
#include <pthread.h>

#include "internal.h"

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static int global_refs; /* guarded by global_lock */

int odoo_global_init(void)
{
    int rc;
    pthread_mutex_lock(&global_lock);
    if (global_refs == 0) {
        CURLcode cc = curl_global_init(CURL_GLOBAL_DEFAULT);
        if (cc != CURLE_OK) {
            pthread_mutex_unlock(&global_lock);
            return cc == CURLE_OUT_OF_MEMORY ? ODOO_ENOMEM : ODOO_ERROR;
        }
    }
    rc = ++global_refs;
    pthread_mutex_unlock(&global_lock);
    return rc;
}

int odoo_global_cleanup(void)
{
    int rc;
    pthread_mutex_lock(&global_lock);
    if (global_refs > 0 && --global_refs == 0)
        curl_global_cleanup();
    rc = global_refs;
    pthread_mutex_unlock(&global_lock);
    return rc;
}

int odoo__global_acquire(void)
{
    int rc = odoo_global_init();
    return rc < 0 ? rc : ODOO_OK;
}

void odoo__global_release(void)
{
    (void)odoo_global_cleanup();
}

const char *odoo_version(void)
{
    return ODOO_VERSION;
}

unsigned int odoo_version_num(void)
{
    return ODOO_VERSION_NUM;
}

void odoo_free(void *ptr)
{
    free(ptr);
}

char *odoo_json_dumps(const json_t *json, size_t flags)
{
    odoo__buf b = {0};
    char *s;
    if (!json || odoo__buf_set_json_flags(&b, json, flags) != ODOO_OK) {
        odoo__buf_dispose(&b);
        return NULL;
    }
    /* the caller owns the text: hand over the buffer itself (odoo_free) */
    s = b.data;
    return s;
}
