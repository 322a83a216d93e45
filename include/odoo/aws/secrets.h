// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo-aws - odoo/aws/secrets.h: Secrets Manager (GetSecretValue), and a
 * secret holding ODOO_URL, ODOO_DB, ODOO_EMAIL/ODOO_USER,
 * ODOO_PASSWORD/ODOO_API_KEY read into session options that fill an
 * odoo_client_options.
 *
 * Part of libodoo-aws (link with `pkg-config --libs libodoo-aws` or CMake's
 * libodoo::odoo_aws); include <odoo/aws.h> for all of it. See docs/aws.md.
 */
#ifndef ODOO_AWS_SECRETS_H
#define ODOO_AWS_SECRETS_H

#include <stddef.h>

#include <jansson.h>

#include "../client.h"
#include "../common.h"
#include "../errors.h"
#include "credentials.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Secrets Manager and session options ================================================ */

/**
 * Odoo connection settings read from a secret: owns its strings (the password
 * and API key are wiped on free). Opaque; free with odoo_session_options_free().
 * @since 0.2.0
 */
typedef struct odoo_session_options odoo_session_options;

/**
 * Create empty session options.
 * @param[out] out the new object (free with odoo_session_options_free()).
 * @return ODOO_OK, ODOO_EINVAL (NULL out), ODOO_ENOMEM.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_session_options_new(odoo_session_options **out) ODOO_WARN_UNUSED_RESULT;

/**
 * Free session options, wiping the secrets.
 * @param so the caller's object (from odoo_session_options_new()), or NULL.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_session_options_free(odoo_session_options *so);

/**
 * Read the settings from a secret's JSON text:
 * {"ODOO_URL": "...", "ODOO_DB": "...", "ODOO_EMAIL": "..." (or "ODOO_USER"),
 *  "ODOO_PASSWORD": "..." and/or "ODOO_API_KEY": "..."}. Every value is a
 * non-empty string; other members are ignored. On failure the object is left
 * as it was.
 * @param so   the session options (borrowed for the call).
 * @param json the text (borrowed; may hold secrets: error messages never
 *             quote it, they name the key and the position only).
 * @return ODOO_OK; ODOO_EINVAL (not JSON, not an object, a missing required key,
 *         a value that is not a non-empty string); ODOO_ENOMEM. Detail:
 *         odoo_session_options_last_error().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_session_options_set_json(odoo_session_options *so, const char *json);

/**
 * Point an odoo_client_options' url, database, login, password and api_key at
 * the strings held by @p so (the other members are left alone). The pointers
 * are borrowed: valid until odoo_session_options_free() or the next set_json;
 * odoo_client_new() copies them, so the usual sequence is fill, client_new,
 * session_options_free.
 * @param so   the session options (borrowed; see above for the strings).
 * @param opts the caller's client options to fill.
 * @return ODOO_OK; ODOO_EINVAL for NULL arguments or empty session options.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_session_options_fill(const odoo_session_options *so,
                                           odoo_client_options *opts);

/**
 * ODOO_URL from the secret.
 * @param so the session options to read (borrowed), or NULL.
 * @return the string (borrowed: valid until odoo_session_options_free() or
 *         the next set_json), or NULL before set_json or for a NULL @p so.
 * @since 0.2.0
 */
ODOO_EXTERN(const char *) odoo_session_options_url(const odoo_session_options *so);
/**
 * ODOO_DB from the secret.
 * @param so the session options to read (borrowed), or NULL.
 * @return the string (borrowed: valid until odoo_session_options_free() or
 *         the next set_json), or NULL before set_json or for a NULL @p so.
 * @since 0.2.0
 */
ODOO_EXTERN(const char *) odoo_session_options_database(const odoo_session_options *so);
/**
 * ODOO_EMAIL or ODOO_USER from the secret.
 * @param so the session options to read (borrowed), or NULL.
 * @return the string (borrowed: valid until odoo_session_options_free() or
 *         the next set_json), or NULL before set_json or for a NULL @p so.
 * @since 0.2.0
 */
ODOO_EXTERN(const char *) odoo_session_options_login(const odoo_session_options *so);
/**
 * Whether the secret had an ODOO_PASSWORD.
 * @param so the session options to read (borrowed), or NULL.
 * @return 1 when it had one, 0 otherwise (also for NULL).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_session_options_has_password(const odoo_session_options *so);
/**
 * Whether the secret had an ODOO_API_KEY.
 * @param so the session options to read (borrowed), or NULL.
 * @return 1 when it had one, 0 otherwise (also for NULL).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_session_options_has_api_key(const odoo_session_options *so);

/**
 * Detail of the last failure of set_json. Borrowed, valid until the next call
 * on @p so or its free. Never NULL for a non-NULL @p so.
 * @param so the session options to read (borrowed), or NULL.
 * @return the error detail (borrowed, see above); NULL only for a NULL @p so.
 * @since 0.2.0
 */
ODOO_EXTERN(const odoo_error *) odoo_session_options_last_error(const odoo_session_options *so);

/** A Secrets Manager client: opaque; free with odoo_aws_secrets_free(). @since 0.2.0 */
typedef struct odoo_aws_secrets odoo_aws_secrets;

/**
 * Create a Secrets Manager client (endpoint variable
 * AWS_ENDPOINT_URL_SECRETS_MANAGER). Does no network I/O.
 * @param[out] out on success, the new client (owned by the caller: free with
 *                 odoo_aws_secrets_free()); on failure a client holding the
 *                 error (odoo_aws_secrets_last_error()), or NULL when even that
 *                 could not be allocated: free it either way.
 * @param opts     options (copied), or NULL for the defaults.
 * @return as odoo_dynamodb_new().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_secrets_new(odoo_aws_secrets **out, const odoo_aws_options *opts)
    ODOO_WARN_UNUSED_RESULT;

/**
 * Free a Secrets Manager client.
 * @param sm the client to free (the caller's, from odoo_aws_secrets_new()), or NULL.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_aws_secrets_free(odoo_aws_secrets *sm);

/**
 * Detail of the last failure (as odoo_dynamodb_last_error()). Borrowed: valid
 * until the next call on the client or odoo_aws_secrets_free().
 * @param sm the client to read (borrowed), or NULL.
 * @return the error detail (borrowed, see above); NULL only for a NULL client.
 * @since 0.2.0
 */
ODOO_EXTERN(const odoo_error *) odoo_aws_secrets_last_error(const odoo_aws_secrets *sm);

/**
 * The endpoint in use.
 * @param sm the client to read (borrowed), or NULL.
 * @return the endpoint (borrowed, valid until odoo_aws_secrets_free()), or
 *         NULL for NULL or a client whose odoo_aws_secrets_new() failed.
 * @since 0.2.0
 */
ODOO_EXTERN(const char *) odoo_aws_secrets_endpoint(const odoo_aws_secrets *sm);

/**
 * GetSecretValue: the secret's SecretString (AWSCURRENT).
 * @param sm        the client (borrowed for the call).
 * @param[out] out    on success, the string (a secret: free it with
 *                    odoo_aws_free_secret(), which wipes it).
 * @param secret_id   the secret's name or ARN.
 * @return ODOO_OK; ODOO_ENOTFOUND (ResourceNotFoundException); ODOO_EAUTH;
 *         ODOO_EPROTOCOL when the secret has no SecretString (binary);
 *         ODOO_ETOOBIG for an answer past 1 MiB (0.4.0); or as
 *         odoo_dynamodb_call().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_secrets_get_string(odoo_aws_secrets *sm, char **out,
                                             const char *secret_id);

/**
 * GetSecretValue, then odoo_session_options_set_json() on the SecretString.
 * @param sm        the client (borrowed for the call).
 * @param so        the session options to fill (the caller's).
 * @param secret_id the secret's name or ARN.
 * @return as odoo_aws_secrets_get_string() and odoo_session_options_set_json();
 *         the detail of either is in odoo_aws_secrets_last_error().
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_aws_secrets_get_session(odoo_aws_secrets *sm, odoo_session_options *so,
                                              const char *secret_id);

/**
 * Wipe and free a secret string returned by libodoo.
 * @param secret the string (the caller's, e.g. from
 *               odoo_aws_secrets_get_string()), or NULL.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_aws_free_secret(char *secret);

#ifdef __cplusplus
}
#endif
#endif /* ODOO_AWS_SECRETS_H */
