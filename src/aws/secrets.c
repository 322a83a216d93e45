// SPDX-License-Identifier: MIT
/*
 * libodoo - Secrets Manager (GetSecretValue) and the session options read
 * from a secret: ODOO_URL, ODOO_DB, ODOO_EMAIL or ODOO_USER, ODOO_PASSWORD
 * and/or ODOO_API_KEY.
 *
 * A secret's text never reaches an error message: JSON errors give the
 * position only (jansson's own message quotes the text), key errors name the
 * key. Buffers and parsed values that held secrets are wiped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_internal.h"

struct odoo_session_options {
    char *url;
    char *database;
    char *login;
    char *password; /* secret */
    char *api_key;  /* secret */
    odoo_error err;
};

struct odoo_aws_secrets {
    odoo__aws_service s;
};

/* ---- session options ------------------------------------------------------------- */

int odoo_session_options_new(odoo_session_options **out)
{
    odoo_session_options *so;
    if (!out)
        return ODOO_EINVAL;
    so = odoo__calloc(1, sizeof(*so));
    if (!so)
        return ODOO_ENOMEM;
    odoo__error_init(&so->err);
    *out = so;
    return ODOO_OK;
}

static void so_clear(odoo_session_options *so)
{
    free(so->url);
    free(so->database);
    free(so->login);
    odoo__free_secret(so->password);
    odoo__free_secret(so->api_key);
    so->url = so->database = so->login = so->password = so->api_key = NULL;
}

void odoo_session_options_free(odoo_session_options *so)
{
    if (!so)
        return;
    so_clear(so);
    odoo__error_clear(&so->err);
    free(so);
}

/* A required or optional string member: ODOO_OK with *out set or NULL (absent). */
static int get_member(odoo_error *err, json_t *doc, const char *key, const char **out)
{
    json_t *v = json_object_get(doc, key);
    *out = NULL;
    if (!v)
        return ODOO_OK;
    if (!json_is_string(v) || json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "secret: %s must be a non-empty string", key);
    *out = json_string_value(v);
    return ODOO_OK;
}

int odoo_session_options_set_json(odoo_session_options *so, const char *json)
{
    odoo__json_error jerr;
    int prc;
    json_t *doc;
    const char *url, *db, *email, *user, *password, *api_key;
    odoo_session_options n;
    int rc;

    if (!so)
        return ODOO_EINVAL;
    odoo__error_clear(&so->err);
    if (!json)
        return odoo__error_set(&so->err, ODOO_EINVAL, 0, "secret: no text");
    prc = odoo__json_parse(json, strlen(json), ODOO__JSON_REJECT_DUPLICATES, &doc, &jerr);
    if (prc == ODOO__JSON_NOMEM)
        return odoo__error_set(&so->err, ODOO_ENOMEM, 0, "out of memory");
    if (prc != 0)
        /* the decoder's text may quote the secret's text: only the position goes out */
        return odoo__error_set(&so->err, ODOO_EINVAL, 0, "secret: not valid JSON (at byte %zu)",
                               jerr.position);
    if (!json_is_object(doc)) {
        odoo__json_wipe_strings(doc);
        json_decref(doc);
        return odoo__error_set(&so->err, ODOO_EINVAL, 0, "secret: not a JSON object");
    }
    rc = get_member(&so->err, doc, "ODOO_URL", &url);
    if (rc == ODOO_OK)
        rc = get_member(&so->err, doc, "ODOO_DB", &db);
    if (rc == ODOO_OK)
        rc = get_member(&so->err, doc, "ODOO_EMAIL", &email);
    if (rc == ODOO_OK)
        rc = get_member(&so->err, doc, "ODOO_USER", &user);
    if (rc == ODOO_OK)
        rc = get_member(&so->err, doc, "ODOO_PASSWORD", &password);
    if (rc == ODOO_OK)
        rc = get_member(&so->err, doc, "ODOO_API_KEY", &api_key);
    if (rc == ODOO_OK) {
        if (!url)
            rc = odoo__error_set(&so->err, ODOO_EINVAL, 0, "secret: ODOO_URL is missing");
        else if (!db)
            rc = odoo__error_set(&so->err, ODOO_EINVAL, 0, "secret: ODOO_DB is missing");
        else if (!email && !user)
            rc = odoo__error_set(&so->err, ODOO_EINVAL, 0,
                                 "secret: ODOO_EMAIL (or ODOO_USER) is missing");
        else if (!password && !api_key)
            rc = odoo__error_set(&so->err, ODOO_EINVAL, 0,
                                 "secret: ODOO_PASSWORD or ODOO_API_KEY is missing");
    }
    if (rc == ODOO_OK) {
        memset(&n, 0, sizeof(n));
        n.url = odoo__strdup(url);
        n.database = odoo__strdup(db);
        n.login = odoo__strdup(email ? email : user);
        if (password)
            n.password = odoo__strdup(password);
        if (api_key)
            n.api_key = odoo__strdup(api_key);
        if (!n.url || !n.database || !n.login || (password && !n.password)
            || (api_key && !n.api_key)) {
            so_clear(&n);
            rc = odoo__error_set(&so->err, ODOO_ENOMEM, 0, "out of memory");
        } else {
            so_clear(so);
            so->url = n.url;
            so->database = n.database;
            so->login = n.login;
            so->password = n.password;
            so->api_key = n.api_key;
        }
    }
    odoo__json_wipe_strings(doc);
    json_decref(doc);
    return rc;
}

int odoo_session_options_fill(const odoo_session_options *so, odoo_client_options *opts)
{
    if (!so || !opts || !so->url)
        return ODOO_EINVAL;
    opts->url = so->url;
    opts->database = so->database;
    opts->login = so->login;
    opts->password = so->password;
    opts->api_key = so->api_key;
    return ODOO_OK;
}

const char *odoo_session_options_url(const odoo_session_options *so)
{
    return so ? so->url : NULL;
}

const char *odoo_session_options_database(const odoo_session_options *so)
{
    return so ? so->database : NULL;
}

const char *odoo_session_options_login(const odoo_session_options *so)
{
    return so ? so->login : NULL;
}

int odoo_session_options_has_password(const odoo_session_options *so)
{
    return so && so->password;
}

int odoo_session_options_has_api_key(const odoo_session_options *so)
{
    return so && so->api_key;
}

const odoo_error *odoo_session_options_last_error(const odoo_session_options *so)
{
    return so ? &so->err : NULL;
}

/* ---- the Secrets Manager client ------------------------------------------------------- */

/* A secret is at most 64 KiB (SecretString, or SecretBinary: 87 KiB in
 * base64) plus a few hundred bytes of metadata: 1 MiB is far above any real
 * GetSecretValue answer. Past it: ODOO_ETOOBIG. */
#define SECRETS_ANSWER_CAP ((size_t)1024 * 1024)

int odoo_aws_secrets_new(odoo_aws_secrets **out, const odoo_aws_options *opts)
{
    odoo_aws_secrets *sm;
    int rc;
    if (!out)
        return ODOO_EINVAL;
    *out = sm = odoo__calloc(1, sizeof(*sm));
    rc = odoo__aws_service_init(sm ? &sm->s : NULL, opts, "secretsmanager", "secretsmanager",
                                "SECRETS_MANAGER", "secretsmanager", "secretsmanager",
                                "application/x-amz-json-1.1");
    if (rc == ODOO_OK)
        sm->s.conn.resp_body.cap = SECRETS_ANSWER_CAP;
    return rc;
}

void odoo_aws_secrets_free(odoo_aws_secrets *sm)
{
    if (!sm)
        return;
    odoo__aws_service_dispose(&sm->s);
    free(sm);
}

const odoo_error *odoo_aws_secrets_last_error(const odoo_aws_secrets *sm)
{
    return sm ? &sm->s.err : NULL;
}

const char *odoo_aws_secrets_endpoint(const odoo_aws_secrets *sm)
{
    return sm && sm->s.ready ? sm->s.cfg.endpoint : NULL;
}

void odoo_aws_free_secret(char *secret)
{
    odoo__free_secret(secret);
}

int odoo_aws_secrets_get_string(odoo_aws_secrets *sm, char **out, const char *secret_id)
{
    json_t *req, *ans = NULL, *v;
    int rc;
    if (!sm || !out)
        return ODOO_EINVAL;
    *out = NULL;
    odoo__error_clear(&sm->s.err);
    if (!sm->s.ready)
        return odoo__error_set(&sm->s.err, ODOO_EINVAL, 0,
                               "secretsmanager: the client could not be created");
    if (!secret_id || !*secret_id)
        return odoo__error_set(&sm->s.err, ODOO_EINVAL, 0, "secretsmanager: secret id is required");
    req = json_pack("{s:s}", "SecretId", secret_id);
    if (!req)
        return odoo__error_set(&sm->s.err, ODOO_ENOMEM, 0, "out of memory");
    rc = odoo__aws_call(&sm->s.cfg, &sm->s.conn, &sm->s.rng, "GetSecretValue", req, &ans, &sm->s.err);
    json_decref(req);
    if (rc != ODOO_OK) {
        char *m = sm->s.err.message;
        if (m) {
            size_t n = strlen(m) + 48;
            char *p = odoo__malloc(n);
            if (p) {
                snprintf(p, n, "secretsmanager GetSecretValue: %s", m);
                free(m);
                sm->s.err.message = p;
            }
        }
        return rc;
    }
    v = json_object_get(ans, "SecretString");
    if (!json_is_string(v)) {
        rc = odoo__error_set(&sm->s.err, ODOO_EPROTOCOL, 200,
                             "secretsmanager GetSecretValue: the secret has no SecretString "
                             "(a binary secret?)");
    } else {
        *out = odoo__strdup(json_string_value(v));
        rc = *out ? ODOO_OK : odoo__error_set(&sm->s.err, ODOO_ENOMEM, 0, "out of memory");
    }
    odoo__json_wipe_strings(ans);
    json_decref(ans);
    return rc;
}

int odoo_aws_secrets_get_session(odoo_aws_secrets *sm, odoo_session_options *so,
                                 const char *secret_id)
{
    char *text = NULL;
    int rc;
    if (!sm || !so)
        return ODOO_EINVAL;
    rc = odoo_aws_secrets_get_string(sm, &text, secret_id);
    if (rc != ODOO_OK)
        return rc;
    rc = odoo_session_options_set_json(so, text);
    odoo__free_secret(text);
    if (rc != ODOO_OK) {
        const char *m = odoo_error_message(&so->err);
        if (strncmp(m, "secret: ", 8) == 0)
            m += 8;
        odoo__error_set(&sm->s.err, rc, 0, "secret %s: %s", secret_id, m);
    }
    return rc;
}
