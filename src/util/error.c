// SPDX-License-Identifier: MIT
/*
 * libodoo - error detail (odoo_error): set, move and clear it. The public
 * accessors and Odoo's exception mapping are the core's (src/core/errors.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void odoo__error_init(odoo_error *err)
{
    memset(err, 0, sizeof(*err));
    err->rpc_code = -1;
}

void odoo__error_clear(odoo_error *err)
{
    free(err->klass);
    free(err->message);
    free(err->debug);
    odoo__error_init(err);
}

void odoo__error_move(odoo_error *dst, odoo_error *src)
{
    if (dst == src)
        return;
    odoo__error_clear(dst);
    *dst = *src;
    odoo__error_init(src);
}

/* Messages are bounded: a message is for people, and Odoo's own texts are
 * short; a longer one is cut. */
#define ODOO__MESSAGE_MAX 2048

int odoo__error_setv(odoo_error *err, int code, int http_status, const char *fmt, va_list ap)
{
    char buf[ODOO__MESSAGE_MAX];
    odoo__error_clear(err);
    err->code = code;
    err->http_status = http_status;
    err->retryable = code == ODOO_ETIMEOUT || code == ODOO_ENETWORK || code == ODOO_ESESSION
                     || (code == ODOO_EHTTP && odoo__http_status_retryable(http_status));
    vsnprintf(buf, sizeof(buf), fmt, ap);
    /* On allocation failure the message is "" (the accessor's default): the
     * code still tells what happened. */
    err->message = odoo__strdup(buf);
    return code;
}

int odoo__error_set(odoo_error *err, int code, int http_status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    odoo__error_setv(err, code, http_status, fmt, ap);
    va_end(ap);
    return code;
}

int odoo__http_status_retryable(int status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}

void odoo__error_copy(odoo_error *dst, const odoo_error *src)
{
    if (dst == src)
        return;
    odoo__error_clear(dst);
    dst->code = src->code;
    dst->http_status = src->http_status;
    dst->rpc_code = src->rpc_code;
    dst->retryable = src->retryable;
    /* on allocation failure the message is "" (the accessor's default) */
    dst->message = src->message ? odoo__strdup(src->message) : NULL;
    dst->klass = src->klass ? odoo__strdup(src->klass) : NULL;
}
