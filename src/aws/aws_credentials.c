// SPDX-License-Identifier: MIT
/*
 * libodoo - AWS credentials: static keys or the AWS SDKs' default chain
 * (environment, shared credentials/config files, container endpoint),
 * cached and refreshed before they expire. Thread-safe (one mutex per
 * source), reference-counted.
 */
#define _DEFAULT_SOURCE /* timegm, getpwuid_r */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws_internal.h"

struct odoo_aws_credentials {
    pthread_mutex_t lock;
    int refs;

    int is_static;
    char *profile; /* explicit profile, or NULL */
    char *credentials_file;
    char *config_file;
    int use_env;
    int use_files;
    int use_container;
    long connect_timeout_ms;
    long timeout_ms;
    long refresh_margin_s;

    odoo__aws_keys keys;
    int have;
    int force;
    long long expiration;
    char source[128];
    unsigned long fetches;
    odoo_error err;
};

void odoo__aws_keys_dispose(odoo__aws_keys *k)
{
    if (!k)
        return;
    free(k->access_key_id);
    odoo__free_secret(k->secret_access_key);
    odoo__free_secret(k->session_token);
    k->access_key_id = k->secret_access_key = k->session_token = NULL;
}

static int keys_set(odoo__aws_keys *k, const char *akid, const char *secret, const char *token)
{
    odoo__aws_keys n = {NULL, NULL, NULL};
    n.access_key_id = odoo__strdup(akid);
    n.secret_access_key = odoo__strdup(secret);
    if (token && *token)
        n.session_token = odoo__strdup(token);
    if (!n.access_key_id || !n.secret_access_key || (token && *token && !n.session_token)) {
        odoo__aws_keys_dispose(&n);
        return ODOO_ENOMEM;
    }
    odoo__aws_keys_dispose(k);
    *k = n;
    return ODOO_OK;
}

int odoo_aws_credentials_options_init(odoo_aws_credentials_options *opts, unsigned int version)
{
    static const odoo_aws_credentials_options defaults = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    if (!opts || version != ODOO_AWS_CREDENTIALS_OPTIONS_VERSION)
        return ODOO_EINVAL;
    *opts = defaults;
    return ODOO_OK;
}

static void creds_destroy(odoo_aws_credentials *c)
{
    odoo__aws_keys_dispose(&c->keys);
    free(c->profile);
    free(c->credentials_file);
    free(c->config_file);
    odoo__error_clear(&c->err);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int odoo_aws_credentials_new(odoo_aws_credentials **out, const odoo_aws_credentials_options *opts)
{
    static const odoo_aws_credentials_options defaults = ODOO_AWS_CREDENTIALS_OPTIONS_INIT;
    odoo_aws_credentials *c;
    if (!out)
        return ODOO_EINVAL;
    if (!opts)
        opts = &defaults;
    if (opts->version != ODOO_AWS_CREDENTIALS_OPTIONS_VERSION)
        return ODOO_EINVAL;
    if ((opts->access_key_id && *opts->access_key_id)
        != (opts->secret_access_key && *opts->secret_access_key))
        return ODOO_EINVAL;
    if (opts->connect_timeout_ms < 0 || opts->timeout_ms < 0 || opts->refresh_margin_s < 0)
        return ODOO_EINVAL;
    c = odoo__calloc(1, sizeof(*c));
    if (!c)
        return ODOO_ENOMEM;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return ODOO_ERROR;
    }
    odoo__error_init(&c->err);
    c->refs = 1;
    c->use_env = opts->use_environment;
    c->use_files = opts->use_shared_files;
    c->use_container = opts->use_container;
    c->connect_timeout_ms = opts->connect_timeout_ms;
    c->timeout_ms = opts->timeout_ms;
    c->refresh_margin_s = opts->refresh_margin_s;
    if (odoo__strdup_opt(&c->profile, opts->profile) != ODOO_OK
        || odoo__strdup_opt(&c->credentials_file, opts->shared_credentials_file) != ODOO_OK
        || odoo__strdup_opt(&c->config_file, opts->config_file) != ODOO_OK) {
        creds_destroy(c);
        return ODOO_ENOMEM;
    }
    if (opts->access_key_id && *opts->access_key_id) {
        c->is_static = 1;
        if (keys_set(&c->keys, opts->access_key_id, opts->secret_access_key,
                     opts->session_token) != ODOO_OK) {
            creds_destroy(c);
            return ODOO_ENOMEM;
        }
        c->have = 1;
        c->fetches = 1;
        snprintf(c->source, sizeof(c->source), "static");
    }
    *out = c;
    return ODOO_OK;
}

odoo_aws_credentials *odoo__aws_credentials_ref(odoo_aws_credentials *c)
{
    if (!c)
        return NULL;
    pthread_mutex_lock(&c->lock);
    c->refs++;
    pthread_mutex_unlock(&c->lock);
    return c;
}

void odoo_aws_credentials_free(odoo_aws_credentials *c)
{
    int last;
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    last = --c->refs == 0;
    pthread_mutex_unlock(&c->lock);
    if (last)
        creds_destroy(c);
}

/* ---- files and profiles -------------------------------------------------------- */

const char *odoo__aws_profile_name(const char *explicit_profile)
{
    const char *p = explicit_profile;
    if (!p || !*p)
        p = getenv("AWS_PROFILE");
    if (!p || !*p)
        p = getenv("AWS_DEFAULT_PROFILE");
    return p && *p ? p : "default";
}

/* odoo__aws_shared_file_path() gives NULL both when there is no place for
 * the file (no path given, no HOME, no passwd entry) and when out of memory.
 * With a path or HOME, NULL can only mean the latter: ODOO_ENOMEM, so that a
 * failed allocation is not taken for a missing file (and then reported as
 * "no credentials" or "profile not found"). */
static int shared_file_path(char **out, const char *explicit_path, const char *env_name,
                            const char *file_name)
{
    const char *env = getenv(env_name), *home = getenv("HOME");
    int has_place = (explicit_path && *explicit_path) || (env && *env) || (home && *home);
    *out = odoo__aws_shared_file_path(explicit_path, env_name, file_name);
    return *out || !has_place ? ODOO_OK : ODOO_ENOMEM;
}

char *odoo__aws_shared_file_path(const char *explicit_path, const char *env_name,
                                 const char *file_name)
{
    const char *p = explicit_path, *home;
    char *out;
    size_t n;
    if (!p || !*p)
        p = getenv(env_name);
    if (p && *p) {
        if (p[0] == '~' && p[1] == '/' && (home = getenv("HOME")) && *home) {
            n = strlen(home) + strlen(p);
            out = odoo__malloc(n);
            if (out)
                snprintf(out, n, "%s%s", home, p + 1);
            return out;
        }
        return odoo__strdup(p);
    }
    home = getenv("HOME");
    if (!home || !*home) {
        struct passwd pw, *res = NULL;
        char buf[1024];
        if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 || !res || !res->pw_dir)
            return NULL;
        n = strlen(res->pw_dir) + strlen(file_name) + 8;
        out = odoo__malloc(n);
        if (out)
            snprintf(out, n, "%s/.aws/%s", res->pw_dir, file_name);
        return out;
    }
    n = strlen(home) + strlen(file_name) + 8;
    out = odoo__malloc(n);
    if (out)
        snprintf(out, n, "%s/.aws/%s", home, file_name);
    return out;
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* Whether the section header text (inside the brackets, trimmed) names the profile. */
static int section_matches(const char *name, const char *profile, int config_style)
{
    if (!config_style)
        return strcmp(name, profile) == 0;
    if (strcmp(profile, "default") == 0 && strcmp(name, "default") == 0)
        return 1;
    if (strncmp(name, "profile", 7) == 0 && (name[7] == ' ' || name[7] == '\t')) {
        name += 7;
        while (*name == ' ' || *name == '\t')
            name++;
        return strcmp(name, profile) == 0;
    }
    return 0;
}

#define ODOO__MAX_SHARED_FILE (1024L * 1024)

int odoo__aws_profile_load(odoo_error *err, const char *path, const char *profile,
                           int config_style, json_t **out)
{
    FILE *f;
    char *text, *line, *next;
    long size;
    size_t got;
    int in_section = 0, found = 0, rc = ODOO_OK;
    json_t *obj;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return ODOO_OK;
        return odoo__error_set(err, ODOO_ERROR, 0, "aws: cannot read %s: %s", path,
                               strerror(errno));
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return odoo__error_set(err, ODOO_ERROR, 0, "aws: cannot read %s", path);
    }
    if (size > ODOO__MAX_SHARED_FILE) {
        fclose(f);
        return odoo__error_set(err, ODOO_EINVAL, 0, "aws: %s is too large", path);
    }
    text = odoo__malloc((size_t)size + 1);
    obj = json_object();
    if (!text || !obj) {
        fclose(f);
        free(text);
        json_decref(obj);
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    }
    got = fread(text, 1, (size_t)size, f);
    fclose(f);
    text[got] = '\0';

    for (line = text; line && *line; line = next) {
        char *eq, *t;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == ' ' || *line == '\t') {
            /* a continuation line (nested sub-settings): not a profile member */
            continue;
        }
        t = trim(line);
        if (!*t || *t == '#' || *t == ';')
            continue;
        if (*t == '[') {
            char *end = strchr(t, ']');
            if (!end) {
                in_section = 0;
                continue;
            }
            *end = '\0';
            in_section = section_matches(trim(t + 1), profile, config_style);
            found |= in_section;
            continue;
        }
        if (!in_section)
            continue;
        eq = strchr(t, '=');
        if (!eq)
            continue;
        *eq = '\0';
        {
            char *key = trim(t), *value = trim(eq + 1), *k;
            json_t *v;
            for (k = key; *k; k++)
                *k = (char)tolower((unsigned char)*k);
            if (!*key)
                continue;
            v = json_string(value);
            if (!v || json_object_set_new(obj, key, v) != 0) {
                rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
                break;
            }
        }
    }
    odoo__wipe(text, (size_t)size);
    free(text);
    if (rc != ODOO_OK || !found) {
        odoo__json_wipe_strings(obj);
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return ODOO_OK;
}

static void release_profile(json_t *p)
{
    if (p) {
        odoo__json_wipe_strings(p);
        json_decref(p);
    }
}

static const char *member(json_t *p, const char *key)
{
    const char *v = p ? json_string_value(json_object_get(p, key)) : NULL;
    return v && *v ? v : NULL;
}

/* ---- dates ------------------------------------------------------------------------- */

int odoo__parse_iso8601(const char *s, long long *out)
{
    struct tm tm;
    int y, mo, d, h, mi, sec, n = 0;
    long long t;
    const char *p;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n == 0)
        return ODOO_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return ODOO_EINVAL;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = (long long)timegm(&tm);
    p = s + n;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
            return ODOO_EINVAL;
        t += (*p == '+' ? -1 : 1) * (oh * 3600LL + om * 60LL);
        p += 6;
    } else if (*p) {
        return ODOO_EINVAL;
    }
    if (*p)
        return ODOO_EINVAL;
    *out = t;
    return ODOO_OK;
}

/* ---- the chain ---------------------------------------------------------------------- */

typedef struct fetched {
    odoo__aws_keys keys;
    long long expiration;
    char source[128];
} fetched;

/* 1 = found (or error), 0 = nothing here */
static int from_environment(fetched *f, odoo_error *err, int *rc)
{
    const char *akid = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    const char *exp = getenv("AWS_CREDENTIAL_EXPIRATION");
    if (!token || !*token)
        token = getenv("AWS_SECURITY_TOKEN");
    if ((!akid || !*akid) && (!secret || !*secret))
        return 0;
    if (!akid || !*akid || !secret || !*secret) {
        *rc = odoo__error_set(err, ODOO_EINVAL, 0,
                              "aws credentials: environment: %s is set but %s is not",
                              akid && *akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                              akid && *akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return 1;
    }
    if (keys_set(&f->keys, akid, secret, token) != ODOO_OK) {
        *rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        return 1;
    }
    f->expiration = 0;
    if (exp && *exp && odoo__parse_iso8601(exp, &f->expiration) != ODOO_OK)
        f->expiration = 0;
    snprintf(f->source, sizeof(f->source), "environment");
    *rc = ODOO_OK;
    return 1;
}

static int from_profile_members(fetched *f, odoo_error *err, json_t *p, const char *profile,
                                const char *file, int *rc)
{
    const char *akid = member(p, "aws_access_key_id");
    const char *secret = member(p, "aws_secret_access_key");
    const char *token = member(p, "aws_session_token");
    if (!akid && !secret)
        return 0;
    if (!akid || !secret) {
        *rc = odoo__error_set(err, ODOO_EINVAL, 0,
                              "aws credentials: profile %s in %s has %s but not %s", profile,
                              file, akid ? "aws_access_key_id" : "aws_secret_access_key",
                              akid ? "aws_secret_access_key" : "aws_access_key_id");
        return 1;
    }
    if (keys_set(&f->keys, akid, secret, token) != ODOO_OK) {
        *rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        return 1;
    }
    f->expiration = 0;
    snprintf(f->source, sizeof(f->source), "profile:%s", profile);
    *rc = ODOO_OK;
    return 1;
}

static int from_shared_files(odoo_aws_credentials *c, fetched *f, odoo_error *err, int *rc)
{
    const char *profile = odoo__aws_profile_name(c->profile);
    const char *env_profile = getenv("AWS_PROFILE"), *env_default = getenv("AWS_DEFAULT_PROFILE");
    int named = (c->profile && *c->profile) || (env_profile && *env_profile)
                || (env_default && *env_default);
    char *cred_path = NULL, *conf_path = NULL;
    json_t *pc = NULL, *pf = NULL;
    int found = 0;

    if (shared_file_path(&cred_path, c->credentials_file, "AWS_SHARED_CREDENTIALS_FILE",
                         "credentials") != ODOO_OK
        || shared_file_path(&conf_path, c->config_file, "AWS_CONFIG_FILE", "config")
               != ODOO_OK) {
        *rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        found = 1;
        goto done;
    }
    *rc = ODOO_OK;
    if (cred_path)
        *rc = odoo__aws_profile_load(err, cred_path, profile, 0, &pc);
    if (*rc == ODOO_OK && conf_path)
        *rc = odoo__aws_profile_load(err, conf_path, profile, 1, &pf);
    if (*rc != ODOO_OK) {
        found = 1;
        goto done;
    }
    /* the credentials file wins over the config file for the same profile */
    if (pc && from_profile_members(f, err, pc, profile, cred_path, rc)) {
        found = 1;
        goto done;
    }
    if (pf && from_profile_members(f, err, pf, profile, conf_path, rc)) {
        found = 1;
        goto done;
    }
    if (pc || pf) {
        static const char *const unsupported[] = {"role_arn", "credential_process",
                                                  "sso_session", "sso_start_url",
                                                  "web_identity_token_file", NULL};
        size_t i;
        for (i = 0; unsupported[i]; i++) {
            if (member(pc, unsupported[i]) || member(pf, unsupported[i])) {
                *rc = odoo__error_set(err, ODOO_EINVAL, 0,
                                      "aws credentials: profile %s uses %s, which libodoo "
                                      "does not support; give it access keys",
                                      profile, unsupported[i]);
                found = 1;
                goto done;
            }
        }
    } else if (named) {
        *rc = odoo__error_set(err, ODOO_EINVAL, 0,
                              "aws credentials: profile %s not found in %s or %s", profile,
                              cred_path ? cred_path : "(no credentials file)",
                              conf_path ? conf_path : "(no config file)");
        found = 1;
    }
done:
    release_profile(pc);
    release_profile(pf);
    free(cred_path);
    free(conf_path);
    return found;
}

/* ---- the container endpoint ---------------------------------------------------------- */

static int host_allowed(const char *host)
{
    static const char *const allowed[] = {"localhost", "169.254.170.2", "169.254.170.23",
                                          "[fd00:ec2::23]", "fd00:ec2::23", "[::1]", "::1",
                                          NULL};
    size_t i;
    for (i = 0; allowed[i]; i++)
        if (strcasecmp(host, allowed[i]) == 0)
            return 1;
    /* 127.0.0.0/8 */
    if (strncmp(host, "127.", 4) == 0) {
        int a, b, c, n = 0;
        if (sscanf(host + 4, "%3d.%3d.%3d%n", &a, &b, &c, &n) == 3 && host[4 + n] == '\0'
            && a >= 0 && a < 256 && b >= 0 && b < 256 && c >= 0 && c < 256)
            return 1;
    }
    return 0;
}

/* The container endpoint's URL from the environment, or *url = NULL when none
 * is configured. A full URI over plain http must name a loopback or the ECS/EKS
 * link-local host, as the SDKs require. */
int odoo__aws_container_url(odoo_error *err, char **url)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    *url = NULL;
    if (rel && *rel) {
        size_t n = strlen(rel) + 32;
        if (rel[0] != '/')
            return odoo__error_set(err, ODOO_EINVAL, 0,
                                   "aws credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
                                   "must start with '/'");
        *url = odoo__malloc(n);
        if (!*url)
            return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        snprintf(*url, n, "http://169.254.170.2%s", rel);
        return ODOO_OK;
    }
    if (full && *full) {
        CURLU *u = curl_url();
        char *scheme = NULL, *host = NULL;
        int rc = ODOO_OK;
        if (!u)
            return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        if (curl_url_set(u, CURLUPART_URL, full, 0) != CURLUE_OK
            || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
            || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
            rc = odoo__error_set(err, ODOO_EINVAL, 0,
                                 "aws credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL");
        } else if (strcasecmp(scheme, "https") != 0
                   && !(strcasecmp(scheme, "http") == 0 && host_allowed(host))) {
            rc = odoo__error_set(err, ODOO_EINVAL, 0,
                                 "aws credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must use "
                                 "https or a loopback/container host over http (host %s)",
                                 host);
        }
        curl_free(scheme);
        curl_free(host);
        curl_url_cleanup(u);
        if (rc != ODOO_OK)
            return rc;
        *url = odoo__strdup(full);
        if (!*url)
            return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    }
    return ODOO_OK;
}

/* The endpoint's answer: a few hundred bytes; 64 KiB is far beyond any real one. */
#define CONTAINER_ANSWER_CAP (64 * 1024)

/* The authorization token: the token file wins over the variable. New secret or NULL. */
static int container_token(odoo_error *err, char **out)
{
    const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    *out = NULL;
    if (file && *file) {
        FILE *f = fopen(file, "rb");
        char buf[8192];
        size_t n;
        if (!f)
            return odoo__error_set(err, ODOO_EINVAL, 0,
                                   "aws credentials: cannot read "
                                   "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
                                   file, strerror(errno));
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
            buf[--n] = '\0';
        *out = odoo__strdup(buf);
        odoo__wipe(buf, sizeof(buf));
    } else if (tok && *tok) {
        *out = odoo__strdup(tok);
    } else {
        return ODOO_OK;
    }
    if (!*out)
        return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    if (strpbrk(*out, "\r\n")) {
        odoo__free_secret(*out);
        *out = NULL;
        return odoo__error_set(err, ODOO_EINVAL, 0,
                               "aws credentials: the container authorization token has a line "
                               "break");
    }
    return ODOO_OK;
}

#define CSETOPT(opt, val)                                                              \
    do {                                                                               \
        if (curl_easy_setopt(curl, opt, val) != CURLE_OK) {                            \
            rc = odoo__error_set(err, ODOO_ERROR, 0, "libcurl refused option " #opt);  \
            goto done;                                                                 \
        }                                                                              \
    } while (0)

static int from_container(odoo_aws_credentials *c, fetched *f, odoo_error *err, int *rc_out)
{
    char *url = NULL, *token = NULL, *auth = NULL;
    CURL *curl = NULL;
    struct curl_slist *headers = NULL;
    odoo__buf body = {NULL, 0, 0};
    odoo__curl_body ans = {&body, CONTAINER_ANSWER_CAP, 0, 0, 0};
    char errbuf[CURL_ERROR_SIZE];
    json_t *doc = NULL;
    long status = 0;
    CURLcode cc;
    int rc, global_ref = 0;

    rc = odoo__aws_container_url(err, &url);
    if (rc != ODOO_OK) {
        *rc_out = rc;
        return 1;
    }
    if (!url)
        return 0;
    rc = container_token(err, &token);
    if (rc != ODOO_OK)
        goto done;
    rc = odoo__global_acquire();
    if (rc != ODOO_OK) {
        odoo__error_set(err, rc, 0, "aws credentials: global initialisation failed");
        goto done;
    }
    global_ref = 1;
    curl = curl_easy_init();
    if (!curl) {
        rc = odoo__error_set(err, ODOO_ERROR, 0, "curl_easy_init failed");
        goto done;
    }
    if (token) {
        size_t n = strlen(token) + 32;
        auth = odoo__malloc(n);
        if (!auth) {
            rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
            goto done;
        }
        snprintf(auth, n, "Authorization: %s", token);
        headers = curl_slist_append(NULL, auth);
        if (!headers) {
            rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
            goto done;
        }
    }
    errbuf[0] = '\0';
    CSETOPT(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    CSETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    CSETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    CSETOPT(CURLOPT_URL, url);
    CSETOPT(CURLOPT_NOPROXY, "*");
    CSETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    CSETOPT(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    CSETOPT(CURLOPT_TIMEOUT_MS, c->timeout_ms);
    if (odoo__curl_collect(curl, &ans) != CURLE_OK) {
        rc = odoo__error_set(err, ODOO_ERROR, 0, "libcurl refused the write callback");
        goto done;
    }
    CSETOPT(CURLOPT_ERRORBUFFER, errbuf);
    if (headers)
        CSETOPT(CURLOPT_HTTPHEADER, headers);
    cc = curl_easy_perform(curl);
    if (cc == CURLE_WRITE_ERROR && ans.nomem) {
        rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        goto done;
    }
    if (cc == CURLE_WRITE_ERROR && ans.over_cap) {
        rc = odoo__error_set(err, ODOO_ETOOBIG, 0,
                             "aws credentials: container endpoint: answer larger than %zu "
                             "bytes: stopped after %zu bytes",
                             ans.cap, ans.received);
        goto done;
    }
    if (cc != CURLE_OK) {
        rc = odoo__error_set(err, cc == CURLE_OPERATION_TIMEDOUT ? ODOO_ETIMEOUT : ODOO_ENETWORK,
                             0, "aws credentials: container endpoint: %s",
                             errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto done;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        rc = odoo__error_set(err, status == 401 || status == 403 ? ODOO_EAUTH : ODOO_EHTTP,
                             (int)status, "aws credentials: container endpoint answered HTTP %ld",
                             status);
        goto done;
    }
    {
        odoo__json_error jerr;
        const char *akid, *secret, *tok, *exp;
        int prc = odoo__json_parse(body.data ? body.data : "", body.len, 0, &doc,
                                   &jerr);
        if (prc == ODOO__JSON_NOMEM) {
            rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
            goto done;
        }
        if (prc != 0 || !json_is_object(doc)) {
            /* never quote the text, nor the decoder's message: it holds the secret key */
            rc = odoo__error_set(err, ODOO_EPROTOCOL, 200,
                                 "aws credentials: container endpoint: the answer is not a "
                                 "JSON object (at byte %zu)",
                                 prc ? jerr.position : 0);
            goto done;
        }
        akid = json_string_value(json_object_get(doc, "AccessKeyId"));
        secret = json_string_value(json_object_get(doc, "SecretAccessKey"));
        tok = json_string_value(json_object_get(doc, "Token"));
        exp = json_string_value(json_object_get(doc, "Expiration"));
        if (!akid || !*akid || !secret || !*secret) {
            rc = odoo__error_set(err, ODOO_EPROTOCOL, 200,
                                 "aws credentials: container endpoint: the answer lacks "
                                 "AccessKeyId or SecretAccessKey");
            goto done;
        }
        if (keys_set(&f->keys, akid, secret, tok) != ODOO_OK) {
            rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
            goto done;
        }
        f->expiration = 0;
        if (exp && odoo__parse_iso8601(exp, &f->expiration) != ODOO_OK) {
            rc = odoo__error_set(err, ODOO_EPROTOCOL, 200,
                                 "aws credentials: container endpoint: bad Expiration");
            goto done;
        }
        snprintf(f->source, sizeof(f->source), "container");
    }
    rc = ODOO_OK;
done:
    if (doc) {
        odoo__json_wipe_strings(doc);
        json_decref(doc);
    }
    if (curl)
        curl_easy_cleanup(curl);
    if (global_ref)
        odoo__global_release();
    /* the header list holds the token */
    if (headers && headers->data)
        odoo__wipe(headers->data, strlen(headers->data));
    curl_slist_free_all(headers);
    odoo__free_secret(auth);
    odoo__free_secret(token);
    odoo__buf_dispose(&body);
    free(url);
    *rc_out = rc;
    return 1;
}

static int fetch_chain(odoo_aws_credentials *c, fetched *f, odoo_error *err)
{
    int rc = ODOO_OK;
    int profile_named = c->profile && *c->profile;
    if (c->use_env && !profile_named && from_environment(f, err, &rc))
        return rc;
    if (c->use_files && from_shared_files(c, f, err, &rc))
        return rc;
    if (c->use_container && from_container(c, f, err, &rc))
        return rc;
    return odoo__error_set(err, ODOO_EAUTH, 0,
                           "aws credentials: none found (tried%s%s%s)",
                           c->use_env && !profile_named ? " environment" : "",
                           c->use_files ? " shared files" : "",
                           c->use_container ? " container endpoint" : "");
}

/* Under the lock. */
static int resolve_locked(odoo_aws_credentials *c, odoo_error *err)
{
    long long now = odoo__unix_now();
    fetched f;
    int rc;
    if (c->is_static)
        return ODOO_OK;
    if (c->have && !c->force
        && (c->expiration == 0 || now < c->expiration - c->refresh_margin_s))
        return ODOO_OK;
    memset(&f, 0, sizeof(f));
    rc = fetch_chain(c, &f, err);
    if (rc == ODOO_OK) {
        odoo__aws_keys_dispose(&c->keys);
        c->keys = f.keys;
        c->expiration = f.expiration;
        memcpy(c->source, f.source, sizeof(c->source));
        c->have = 1;
        c->force = 0;
        c->fetches++;
        return ODOO_OK;
    }
    odoo__aws_keys_dispose(&f.keys);
    /* a failed refresh of credentials that are still valid keeps them */
    if (c->have && !c->force && c->expiration != 0 && now < c->expiration)
        return ODOO_OK;
    return rc;
}

int odoo__aws_credentials_get(odoo_aws_credentials *c, odoo__aws_keys *keys, odoo_error *err)
{
    int rc;
    pthread_mutex_lock(&c->lock);
    rc = resolve_locked(c, err);
    if (rc != ODOO_OK)
        odoo__error_set(&c->err, rc, err->http_status, "%s", err->message ? err->message : "");
    if (rc == ODOO_OK
        && keys_set(keys, c->keys.access_key_id, c->keys.secret_access_key,
                    c->keys.session_token) != ODOO_OK)
        rc = odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void odoo__aws_credentials_invalidate(odoo_aws_credentials *c)
{
    pthread_mutex_lock(&c->lock);
    if (!c->is_static)
        c->force = 1;
    pthread_mutex_unlock(&c->lock);
}

int odoo_aws_credentials_resolve(odoo_aws_credentials *c)
{
    odoo_error err;
    int rc;
    if (!c)
        return ODOO_EINVAL;
    odoo__error_init(&err);
    pthread_mutex_lock(&c->lock);
    rc = resolve_locked(c, &err);
    odoo__error_move(&c->err, &err);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static void copy_out(char *buf, size_t bufsz, const char *s)
{
    if (!buf || !bufsz)
        return;
    snprintf(buf, bufsz, "%s", s ? s : "");
}

/* The source (@p key_id false) or the access key id of the credentials held,
 * "" when none are, copied into @p buf under the lock. */
static int copy_held(odoo_aws_credentials *c, char *buf, size_t bufsz, int key_id)
{
    if (!c || !buf || !bufsz)
        return ODOO_EINVAL;
    pthread_mutex_lock(&c->lock);
    copy_out(buf, bufsz, !c->have ? "" : key_id ? c->keys.access_key_id : c->source);
    pthread_mutex_unlock(&c->lock);
    return ODOO_OK;
}

int odoo_aws_credentials_source(odoo_aws_credentials *c, char *buf, size_t bufsz)
{
    return copy_held(c, buf, bufsz, 0);
}

int odoo_aws_credentials_access_key_id(odoo_aws_credentials *c, char *buf, size_t bufsz)
{
    return copy_held(c, buf, bufsz, 1);
}

long long odoo_aws_credentials_expiration(odoo_aws_credentials *c)
{
    long long e;
    if (!c)
        return 0;
    pthread_mutex_lock(&c->lock);
    e = c->have ? c->expiration : 0;
    pthread_mutex_unlock(&c->lock);
    return e;
}

unsigned long odoo_aws_credentials_fetch_count(odoo_aws_credentials *c)
{
    unsigned long n;
    if (!c)
        return 0;
    pthread_mutex_lock(&c->lock);
    n = c->fetches;
    pthread_mutex_unlock(&c->lock);
    return n;
}

int odoo_aws_credentials_last_error(odoo_aws_credentials *c, char *buf, size_t bufsz)
{
    int code;
    if (!c)
        return ODOO_EINVAL;
    pthread_mutex_lock(&c->lock);
    code = c->err.code;
    copy_out(buf, bufsz, c->err.message);
    pthread_mutex_unlock(&c->lock);
    return code;
}
