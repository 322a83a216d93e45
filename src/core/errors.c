// SPDX-License-Identifier: MIT
/*
 * libodoo - error codes, error detail and the mapping of Odoo's exception
 * classes onto the error codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct error_entry {
    int code;
    const char *name;
    const char *text;
};

static const struct error_entry error_table[] = {
    {ODOO_OK, "ODOO_OK", "no error"},
    {ODOO_ERROR, "ODOO_ERROR", "unclassified error"},
    {ODOO_EAUTH, "ODOO_EAUTH", "authentication failed"},
    {ODOO_EACCESS, "ODOO_EACCESS", "access denied"},
    {ODOO_EVALIDATION, "ODOO_EVALIDATION", "validation error"},
    {ODOO_EMISSING, "ODOO_EMISSING", "record does not exist"},
    {ODOO_EUSER, "ODOO_EUSER", "refused by a business rule"},
    {ODOO_ENOTFOUND, "ODOO_ENOTFOUND", "unknown model or method"},
    {ODOO_ESESSION, "ODOO_ESESSION", "session expired"},
    {ODOO_ESERVER, "ODOO_ESERVER", "server error"},
    {ODOO_EHTTP, "ODOO_EHTTP", "unexpected HTTP answer"},
    {ODOO_ETIMEOUT, "ODOO_ETIMEOUT", "timeout"},
    {ODOO_ENETWORK, "ODOO_ENETWORK", "network error"},
    {ODOO_EPROTOCOL, "ODOO_EPROTOCOL", "malformed answer"},
    {ODOO_EINVAL, "ODOO_EINVAL", "invalid argument"},
    {ODOO_ENOMEM, "ODOO_ENOMEM", "out of memory"},
    {ODOO_EINDOUBT, "ODOO_EINDOUBT", "the call may have been applied"},
    {ODOO_ETOOBIG, "ODOO_ETOOBIG", "answer too large"},
};

#define ERROR_TABLE_SIZE (sizeof(error_table) / sizeof(error_table[0]))

/* The entry of @p code in error_table, NULL for an unknown code. */
static const struct error_entry *error_entry(int code)
{
    size_t i;
    for (i = 0; i < ERROR_TABLE_SIZE; i++)
        if (error_table[i].code == code)
            return &error_table[i];
    return NULL;
}

const char *odoo_strerror(int code)
{
    const struct error_entry *e = error_entry(code);
    return e ? e->text : "unknown error";
}

const char *odoo_error_name(int code)
{
    const struct error_entry *e = error_entry(code);
    return e ? e->name : "ODOO_UNKNOWN";
}

/* ---- detail ------------------------------------------------------------- */

int odoo_error_get_code(const odoo_error *err)
{
    return err ? err->code : ODOO_OK;
}

const char *odoo_error_message(const odoo_error *err)
{
    return err && err->message ? err->message : "";
}

const char *odoo_error_class(const odoo_error *err)
{
    return err && err->klass ? err->klass : "";
}

int odoo_error_http_status(const odoo_error *err)
{
    return err ? err->http_status : 0;
}

int odoo_error_rpc_code(const odoo_error *err)
{
    return err ? err->rpc_code : -1;
}

int odoo_error_retryable(const odoo_error *err)
{
    return err ? err->retryable : 0;
}

const char *odoo_error_debug(const odoo_error *err)
{
    return err && err->debug ? err->debug : "";
}


/* ---- Odoo exception classes -> codes ------------------------------------- */

static const struct {
    const char *klass;
    int code;
} class_table[] = {
    {"odoo.exceptions.AccessDenied", ODOO_EAUTH},
    {"odoo.exceptions.AccessError", ODOO_EACCESS},
    {"odoo.exceptions.ValidationError", ODOO_EVALIDATION},
    {"odoo.exceptions.MissingError", ODOO_EMISSING},
    {"odoo.exceptions.UserError", ODOO_EUSER},
    {"odoo.exceptions.RedirectWarning", ODOO_EUSER},
    {"odoo.exceptions.Warning", ODOO_EUSER},
    {"odoo.http.SessionExpiredException", ODOO_ESESSION},
    {"werkzeug.exceptions.NotFound", ODOO_ENOTFOUND},
    {"werkzeug.exceptions.Unauthorized", ODOO_EAUTH},
    {"werkzeug.exceptions.Forbidden", ODOO_EACCESS},
    /* JSON-2: the arguments do not fit the method's signature */
    {"werkzeug.exceptions.UnprocessableEntity", ODOO_EINVAL},
};

#define CLASS_TABLE_SIZE (sizeof(class_table) / sizeof(class_table[0]))

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

int odoo__map_exception(const char *klass, int rpc_code, const char *message)
{
    size_t i;
    if (!klass)
        klass = "";
    if (!message)
        message = "";

    /* The two codes Odoo gives a meaning of their own (odoo/http.py):
     * 100 session expired, 404 NotFound raised before dispatch. */
    if (rpc_code == 100)
        return ODOO_ESESSION;
    if (rpc_code == 404)
        return ODOO_ENOTFOUND;

    for (i = 0; i < CLASS_TABLE_SIZE; i++) {
        if (strcmp(klass, class_table[i].klass) == 0) {
            /* /jsonrpc names an unknown model with a UserError:
             * "Object no.such.model doesn't exist". */
            if (class_table[i].code == ODOO_EUSER && starts_with(message, "Object ")
                && ends_with(message, " doesn't exist"))
                return ODOO_ENOTFOUND;
            return class_table[i].code;
        }
    }
    /* call_kw on a method the model does not have: "The method 'm' does not
     * exist on the model 'x'" (16-18), "The method 'x.m' does not exist" (19) */
    if (strcmp(klass, "builtins.AttributeError") == 0 && starts_with(message, "The method '")
        && (strstr(message, "' does not exist on the model '")
            || ends_with(message, "' does not exist")))
        return ODOO_ENOTFOUND;
    return ODOO_ESERVER;
}
