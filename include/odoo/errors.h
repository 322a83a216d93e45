// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo - errors.h: the error codes every fallible function returns, and
 * the error detail a client keeps about its last failure.
 */
#ifndef ODOO_ERRORS_H
#define ODOO_ERRORS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Return codes. Functions return ODOO_OK (0) on success or one of the
 * negative codes below. New codes are only ever appended; no code is ever
 * removed or renumbered.
 */
typedef enum odoo_error_code {
    ODOO_OK = 0,           /**< success */
    ODOO_ERROR = -1,       /**< unclassified failure (see the message) */
    ODOO_EAUTH = -2,       /**< authentication failed: wrong login, password,
                                API key or database (odoo.exceptions.AccessDenied,
                                "Database not found.") */
    ODOO_EACCESS = -3,     /**< access denied (odoo.exceptions.AccessError) */
    ODOO_EVALIDATION = -4, /**< invalid values (odoo.exceptions.ValidationError) */
    ODOO_EMISSING = -5,    /**< record does not exist (odoo.exceptions.MissingError) */
    ODOO_EUSER = -6,       /**< business rule refused (odoo.exceptions.UserError) */
    ODOO_ENOTFOUND = -7,   /**< unknown model or method (JSON-RPC code 404,
                                werkzeug NotFound, AttributeError on call_kw) */
    ODOO_ESESSION = -8,    /**< session expired (code 100, SessionExpiredException)
                                and re-authentication did not help */
    ODOO_ESERVER = -9,     /**< any other exception raised by the server
                                (ValueError, TypeError, KeyError, ...) */
    ODOO_EHTTP = -10,      /**< an HTTP answer that is not Odoo JSON: an HTML
                                400/404 page, a redirect, a 5xx from a proxy */
    ODOO_ETIMEOUT = -11,   /**< connect or whole-call timeout */
    ODOO_ENETWORK = -12,   /**< DNS, connect, TLS or connection reset/closed
                                before the whole answer arrived */
    ODOO_EPROTOCOL = -13,  /**< the answer claims to be JSON but is malformed,
                                truncated or not a JSON-RPC envelope */
    ODOO_EINVAL = -14,     /**< invalid argument passed by the caller */
    ODOO_ENOMEM = -15,     /**< out of memory */
    ODOO_EINDOUBT = -16,   /**< a call that changes data (create, write, unlink,
                                a custom method) failed after its request may
                                have reached the server (timeout, connection
                                lost, 502/503/504): it may or may not have been
                                applied, so it was not sent again. Check the
                                data before retrying. @since 0.2.0 */
    ODOO_ETOOBIG = -17     /**< the answer grew past the client's
                                max_response_bytes (or an AWS reader's own
                                cap): the transfer was stopped as the bytes
                                arrived; never retried. The message names the
                                cap and the bytes received. The request did
                                reach the server: a call that changes data was
                                most likely applied. @since 0.4.0 */
} odoo_error_code;

/**
 * A static, human-readable description of an error code ("access denied").
 * Unknown codes give "unknown error". Never NULL; never free it.
 * @param code an odoo_error_code (any int is accepted).
 * @return a static string (never free it).
 * @since 0.1.0
 */
ODOO_EXTERN(const char *) odoo_strerror(int code);

/**
 * A static identifier for an error code, e.g. "ODOO_EACCESS". Useful for
 * logs and bindings. Unknown codes give "ODOO_UNKNOWN".
 * @param code an odoo_error_code (any int is accepted).
 * @return a static string (never free it).
 * @since 0.1.0
 */
ODOO_EXTERN(const char *) odoo_error_name(int code);

/**
 * Error detail. An odoo_error is owned by the object that produced it (for
 * example a client, see odoo_client_last_error()); it stays valid until that
 * object's next call that can fail, or until the object is freed.
 * The detail never contains a password, API key or session id.
 */
typedef struct odoo_error odoo_error;

/**
 * The error's code.
 * @param err the error (borrowed from its object), or NULL.
 * @return the odoo_error_code (ODOO_OK when the last call succeeded); NULL
 *         gives ODOO_OK.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_error_get_code(const odoo_error *err);

/**
 * The human-readable message: Odoo's user-facing `error.data.message` for
 * server errors, otherwise a "what: why" text built by libodoo.
 * @param err the error (borrowed from its object), or NULL.
 * @return the message, never NULL ("" when there is no error). Borrowed:
 *         valid as long as @p err is.
 * @since 0.1.0
 */
ODOO_EXTERN(const char *) odoo_error_message(const odoo_error *err);

/**
 * The server's exception class (from `error.data.name`).
 * @param err the error (borrowed from its object), or NULL.
 * @return e.g. "odoo.exceptions.AccessError", or "" when the failure did not
 *         come from Odoo. Borrowed: valid as long as @p err is.
 * @since 0.1.0
 */
ODOO_EXTERN(const char *) odoo_error_class(const odoo_error *err);

/**
 * The HTTP status of the answer.
 * @param err the error (borrowed from its object), or NULL.
 * @return the status, or 0 when no answer was received.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_error_http_status(const odoo_error *err);

/**
 * The JSON-RPC `error.code` of the answer.
 * @param err the error (borrowed from its object), or NULL.
 * @return 200, 100, 404 (0 on Odoo 19), or -1 when absent.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_error_rpc_code(const odoo_error *err);

/**
 * Whether the same request may succeed if sent again (timeouts, connection
 * failures, 429/502/503/504 answers, session expiry). Whether it is *safe* to
 * send again depends on the method (see docs/error-handling.md).
 * @param err the error (borrowed from its object), or NULL.
 * @return non-zero when retryable, 0 otherwise.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_error_retryable(const odoo_error *err);

/**
 * The server's traceback (`error.data.debug`). Meant for diagnostics; do not
 * show it to end users.
 * @param err the error (borrowed from its object), or NULL.
 * @return the traceback, or "" when there is none. Borrowed: valid as long as
 *         @p err is.
 * @since 0.1.0
 */
ODOO_EXTERN(const char *) odoo_error_debug(const odoo_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ODOO_ERRORS_H */
