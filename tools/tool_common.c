// SPDX-License-Identifier: MIT
/*
 * tool_common.c: connection, errors and atomic JSON files for the example
 * tools (see tool_common.h).
 */
#include "tool_common.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *tool_prog = "odoo-tool";

void (*tool_error_hook)(const char *message) = NULL;

void tool_error(const char *fmt, ...)
{
    va_list ap;
    char small[512], *msg = small, *p;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(small) && (msg = malloc((size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (!msg)
        msg = small;
    for (p = msg; *p; p++) /* one line: Odoo's messages can span several */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "%s: %s\n", tool_prog, msg);
    if (tool_error_hook)
        tool_error_hook(msg);
    if (msg != small)
        free(msg);
}

int tool_exit_code(int rc)
{
    switch (rc) {
    case ODOO_OK:
        return TOOL_EXIT_OK;
    case ODOO_EAUTH:
        return TOOL_EXIT_AUTH;
    case ODOO_EACCESS:
    case ODOO_EVALIDATION:
    case ODOO_EMISSING:
    case ODOO_EUSER:
    case ODOO_ENOTFOUND:
    case ODOO_ESERVER:
        return TOOL_EXIT_REFUSED;
    case ODOO_EINVAL:
        return TOOL_EXIT_USAGE;
    default: /* ESESSION, EHTTP, ETIMEOUT, ENETWORK, EPROTOCOL, EINDOUBT, ETOOBIG, ENOMEM, ERROR */
        return TOOL_EXIT_TRANSPORT;
    }
}

int tool_odoo_error(odoo_client *client, int rc)
{
    const odoo_error *err = odoo_client_last_error(client);
    const char *klass = odoo_error_class(err);
    const char *msg = odoo_error_message(err);

    tool_error("%s%s%s%s: %s", odoo_error_name(rc), klass[0] ? " [" : "", klass,
               klass[0] ? "]" : "", msg[0] ? msg : odoo_strerror(rc));
    return tool_exit_code(rc);
}

const char tool_connection_help[] =
    "Connection (secrets never go on the command line):\n"
    "  ODOO_URL        base URL, e.g. https://acme.odoo.com\n"
    "  ODOO_DB         database name\n"
    "  ODOO_USER       login (ODOO_EMAIL is accepted too)\n"
    "  ODOO_PASSWORD   password\n"
    "  ODOO_API_KEY    API key (instead of, or with, the password)\n"
    "  ODOO_CA_FILE    optional PEM file of trusted CAs\n"
    "  --credentials FILE  read these from FILE instead of the environment: a JSON\n"
    "                object or KEY=VALUE lines with the names above. FILE must be\n"
    "                readable by its owner only (chmod 600).\n"
    "  --transport T   auto (default), session, jsonrpc or json2 (Odoo 19+, API key)\n"
    "  --timeout S     whole-call timeout in seconds (default 120)\n"
    "  --retry-deadline S  keep retrying reads while Odoo is unavailable (refused,\n"
    "                HTTP 502/503/504) for up to S seconds (default 60; 0 = 3 retries)\n"
    "  --max-response-bytes N  stop an answer larger than N bytes (suffixes k, M, G:\n"
    "                KiB, MiB, GiB; default 256M; 0 = no cap) with ODOO_ETOOBIG\n"
    "  --allow-insecure-http  send the password or API key over plain http:// to a\n"
    "                host that is not loopback (a trusted internal network only;\n"
    "                refused by default: they would cross the network in clear text)\n";

/* ---- the connection ------------------------------------------------------------- */

int tool_parse_bytes(const char *s, size_t *out)
{
    char *end;
    unsigned long long v, mul = 1;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (end == s || errno)
        return -1;
    if (*end == 'k' || *end == 'K')
        mul = 1024ULL, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1024ULL * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mul = 1024ULL * 1024 * 1024, end++;
    if (*end || v > (unsigned long long)SIZE_MAX / mul)
        return -1;
    *out = (size_t)(v * mul);
    return 0;
}

void tool_conn_init(tool_conn *tc)
{
    odoo_client_options init = ODOO_CLIENT_OPTIONS_INIT;
    tc->opts = init;
    tc->credentials = NULL;
}

int tool_conn_option(tool_conn *tc, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--allow-insecure-http") == 0) {
        tc->opts.allow_insecure_http = 1;
        return 1;
    }
    if (strcmp(a, "--transport") && strcmp(a, "--timeout") && strcmp(a, "--credentials")
        && strcmp(a, "--retry-deadline") && strcmp(a, "--max-response-bytes"))
        return 0;
    if (*i + 1 >= argc) {
        tool_error("%s needs a value (see --help)", a);
        return -1;
    }
    (*i)++;
    if (strcmp(a, "--transport") == 0) {
        if (odoo_transport_from_name(argv[*i], &tc->opts.transport) != ODOO_OK) {
            tool_error("--transport is auto, session, jsonrpc or json2");
            return -1;
        }
    } else if (strcmp(a, "--timeout") == 0) {
        char *end;
        double s = strtod(argv[*i], &end);
        if (end == argv[*i] || *end || !(s > 0 && s <= 86400)) {
            tool_error("--timeout wants a number of seconds");
            return -1;
        }
        tc->opts.timeout_ms = (long)(s * 1000.0);
    } else if (strcmp(a, "--retry-deadline") == 0) {
        char *end;
        double s = strtod(argv[*i], &end);
        if (end == argv[*i] || *end || !(s >= 0 && s <= 86400)) {
            tool_error("--retry-deadline wants a number of seconds (0-86400)");
            return -1;
        }
        tc->opts.retry_deadline_ms = (long)(s * 1000.0);
    } else if (strcmp(a, "--max-response-bytes") == 0) {
        if (tool_parse_bytes(argv[*i], &tc->opts.max_response_bytes) != 0) {
            tool_error("--max-response-bytes wants a number of bytes (suffix k, M or G allowed)");
            return -1;
        }
    } else {
        tc->credentials = argv[*i];
    }
    return 1;
}

enum { CRED_URL, CRED_DB, CRED_USER, CRED_PASSWORD, CRED_API_KEY, CRED_CA_FILE, CRED_N };
static const char *const cred_names[CRED_N] = {"ODOO_URL",      "ODOO_DB",      "ODOO_USER",
                                               "ODOO_PASSWORD", "ODOO_API_KEY", "ODOO_CA_FILE"};
#define CRED_EXPECTED "ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD, ODOO_API_KEY or ODOO_CA_FILE"
#define CRED_MAX_SIZE 65536

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void wipe_values(char **values)
{
    int k;
    for (k = 0; k < CRED_N; k++) {
        if (values[k])
            wipe(values[k], strlen(values[k]));
        free(values[k]);
        values[k] = NULL;
    }
}

/* Which credential a key names (case-insensitive), or -1. */
static int cred_index(const char *key, size_t n)
{
    int k;
    for (k = 0; k < CRED_N; k++)
        if (strlen(cred_names[k]) == n && strncasecmp(key, cred_names[k], n) == 0)
            return k;
    if ((n == 10 && strncasecmp(key, "ODOO_EMAIL", n) == 0)
        || (n == 13 && strncasecmp(key, "ODOO_USERNAME", n) == 0))
        return CRED_USER;
    return -1;
}

/* Messages about the file never quote its content: it holds secrets. */
static int cred_set(char **values, const char *path, unsigned line, const char *key,
                    size_t klen, const char *val, size_t vlen)
{
    int k = cred_index(key, klen);
    char where[32] = "";
    if (line)
        snprintf(where, sizeof(where), ":%u", line);
    if (k < 0) {
        tool_error("%s%s: unknown key (expected " CRED_EXPECTED ")", path, where);
        return -1;
    }
    if (values[k]) {
        tool_error("%s%s: %s is set twice", path, where, cred_names[k]);
        return -1;
    }
    if (memchr(val, '\0', vlen)) {
        tool_error("%s%s: %s contains a NUL byte", path, where, cred_names[k]);
        return -1;
    }
    if (!(values[k] = malloc(vlen + 1))) {
        tool_error("out of memory");
        return -1;
    }
    memcpy(values[k], val, vlen);
    values[k][vlen] = '\0';
    return 0;
}

static int parse_cred_json(char **values, const char *path, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *v;
    const char *key;
    int rc = 0;
    if (!json_is_object(root)) {
        /* jansson's text may quote the file ("near '...'"): give the place only */
        if (root)
            tool_error("%s: not a JSON object", path);
        else
            tool_error("%s:%d:%d: not valid JSON", path, jerr.line, jerr.column);
        json_decref(root);
        return -1;
    }
    json_object_foreach(root, key, v) {
        if (!json_is_string(v)) {
            int k = cred_index(key, strlen(key));
            tool_error("%s: %s must be a string", path, k < 0 ? "every value" : cred_names[k]);
            rc = -1;
            break;
        }
        if ((rc = cred_set(values, path, 0, key, strlen(key), json_string_value(v),
                           json_string_length(v)))
            != 0)
            break;
    }
    json_decref(root);
    return rc;
}

/* KEY=VALUE lines: blank lines and # comments skipped, an optional "export "
 * prefix, spaces around the value trimmed, one pair of quotes removed. */
static int parse_cred_lines(char **values, const char *path, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    unsigned line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *k, *v, *ve;
        size_t klen;
        if (!eol)
            eol = end;
        line++;
        ve = eol;
        if (ve > p && ve[-1] == '\r')
            ve--;
        while (p < ve && (*p == ' ' || *p == '\t'))
            p++;
        if (p == ve || *p == '#') {
            p = eol + 1;
            continue;
        }
        if (ve - p > 7 && strncmp(p, "export ", 7) == 0)
            for (p += 7; p < ve && *p == ' ';)
                p++;
        k = p;
        while (p < ve && (*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
                          || (p > k && *p >= '0' && *p <= '9')))
            p++;
        klen = (size_t)(p - k);
        while (p < ve && (*p == ' ' || *p == '\t'))
            p++;
        if (klen == 0 || p == ve || *p != '=') {
            tool_error("%s:%u: expected KEY=VALUE", path, line);
            return -1;
        }
        for (v = p + 1; v < ve && (*v == ' ' || *v == '\t');)
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        if (ve - v >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v) {
            v++;
            ve--;
        }
        if (cred_set(values, path, line, k, klen, v, (size_t)(ve - v)) != 0)
            return -1;
        p = eol + 1;
    }
    return 0;
}

/* Read and parse the credentials file: a regular file, owner-only. */
static int read_credentials(const char *path, char **values)
{
    struct stat st;
    char *buf;
    size_t len = 0;
    ssize_t n;
    int fd, rc;
    const char *p;

    fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        tool_error("%s: cannot open the credentials file: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        tool_error("%s: the credentials file is not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        tool_error("%s: the credentials file is accessible by group or others (mode %04o): "
                   "refused; make it readable by its owner only (chmod 600)",
                   path, (unsigned)(st.st_mode & 07777));
        close(fd);
        return -1;
    }
    if (!(buf = malloc(CRED_MAX_SIZE + 1))) {
        close(fd);
        tool_error("out of memory");
        return -1;
    }
    n = 0;
    while (len <= CRED_MAX_SIZE && (n = read(fd, buf + len, CRED_MAX_SIZE + 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    if (n < 0 || len > CRED_MAX_SIZE) {
        tool_error("%s: %s", path,
                   n < 0 ? strerror(errno) : "the credentials file is larger than 64 KiB");
        rc = -1;
    } else {
        for (p = buf; p < buf + len && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n');)
            p++;
        rc = p < buf + len && (*p == '{' || *p == '[') ? parse_cred_json(values, path, buf, len)
                                         : parse_cred_lines(values, path, buf, len);
    }
    wipe(buf, len);
    free(buf);
    return rc;
}

static const char *env2(const char *a, const char *b)
{
    const char *v = getenv(a);
    if ((!v || !*v) && b)
        v = getenv(b);
    return v && *v ? v : NULL;
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

int tool_connect(tool_conn *tc, odoo_client **out)
{
    char *values[CRED_N] = {NULL, NULL, NULL, NULL, NULL, NULL};
    odoo_client_options *o = &tc->opts;
    int rc;

    if (tc->credentials) {
        /* the file alone: no ODOO_* variable is mixed in */
        if (read_credentials(tc->credentials, values) != 0) {
            wipe_values(values);
            return TOOL_EXIT_USAGE;
        }
        o->url = nonempty(values[CRED_URL]);
        o->database = nonempty(values[CRED_DB]);
        o->login = nonempty(values[CRED_USER]);
        o->password = nonempty(values[CRED_PASSWORD]);
        o->api_key = nonempty(values[CRED_API_KEY]);
        o->ca_file = nonempty(values[CRED_CA_FILE]);
    } else {
        o->url = env2("ODOO_URL", NULL);
        o->database = env2("ODOO_DB", NULL);
        o->login = env2("ODOO_USER", "ODOO_EMAIL");
        o->password = env2("ODOO_PASSWORD", NULL);
        o->api_key = env2("ODOO_API_KEY", NULL);
        o->ca_file = env2("ODOO_CA_FILE", NULL);
    }
    if (!o->url || (!o->password && !o->api_key)
        || (o->transport != ODOO_TRANSPORT_JSON2 && !o->api_key
            && (!o->database || !o->login))) {
        tool_error("set ODOO_URL, ODOO_DB, ODOO_USER (or ODOO_EMAIL) and ODOO_PASSWORD "
                   "(or ODOO_API_KEY) in the %s (see --help)",
                   tc->credentials ? "credentials file" : "environment");
        rc = ODOO_EINVAL;
    } else {
        rc = odoo_client_new(out, o);
        if (rc != ODOO_OK) {
            const char *m =
                *out ? odoo_error_message(odoo_client_last_error(*out)) : odoo_strerror(rc);
            tool_error("%s: cannot create the client: %s%s", odoo_error_name(rc), m,
                       strstr(m, "allow_insecure_http") ? " (the flag --allow-insecure-http)"
                                                        : "");
            odoo_client_free(*out);
            *out = NULL;
        }
    }
    /* the client copied what it needs */
    o->url = o->database = o->login = o->password = o->api_key = o->ca_file = NULL;
    wipe_values(values);
    return rc == ODOO_EINVAL ? TOOL_EXIT_USAGE : tool_exit_code(rc);
}

/* ---- files ---------------------------------------------------------------------- */

int tool_read_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 65536, n = 0, got;
    char *buf = NULL, *nb;

    if (!f) {
        tool_error("%s: %s", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (!(nb = realloc(buf, cap + 1))) {
            tool_error("%s: out of memory", path);
            break;
        }
        buf = nb;
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                tool_error("%s: %s", path, strerror(errno));
                break;
            }
            fclose(f);
            buf[n] = '\0';
            *text = buf;
            *len = n;
            return 0;
        }
        cap *= 2;
    }
    fclose(f);
    free(buf);
    return -1;
}

json_t *tool_load_json(const char *path)
{
    json_error_t jerr;
    json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        if (jerr.line <= 0)
            tool_error("%s: %s", path, jerr.text);
        else
            tool_error("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    }
    return v;
}

/* value as JSON text on f, reals in their shortest form (odoo_json_dumps). */
static int fput_json(json_t *value, FILE *f, size_t flags)
{
    char *text = odoo_json_dumps(value, flags);
    int rc = text && fputs(text, f) != EOF ? 0 : -1;
    odoo_free(text);
    return rc;
}

int tool_write_json(const char *path, json_t *value)
{
    char *tmp = NULL, *dir = NULL, *slash;
    FILE *f = NULL;
    mode_t mask;
    int fd = -1, dfd, rc = -1;

    if (strcmp(path, "-") == 0)
        return tool_print_json(value, 1);
    if (!(tmp = malloc(strlen(path) + 16)) || !(dir = strdup(path))) {
        tool_error("out of memory");
        goto done;
    }
    sprintf(tmp, "%s.tmp.XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0) {
        tool_error("%s: cannot create a temporary file: %s", path, strerror(errno));
        goto done;
    }
    mask = umask(0); /* the mode a plain creat() would give */
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(f = fdopen(fd, "w"))) {
        tool_error("%s: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (fput_json(value, f, TOOL_JSON_FLAGS) != 0 || fputc('\n', f) == EOF
        || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        tool_error("%s: cannot write: %s", tmp, strerror(errno));
        goto fail;
    }
    if (fclose(f) != 0) {
        f = NULL;
        tool_error("%s: cannot write: %s", tmp, strerror(errno));
        goto fail;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        tool_error("%s: cannot rename %s over it: %s", path, tmp, strerror(errno));
        goto fail;
    }
    /* make the rename itself durable */
    slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    dfd = open(slash ? dir : ".", O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    rc = 0;
    goto done;
fail:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    unlink(tmp);
done:
    free(tmp);
    free(dir);
    return rc;
}

int tool_print_json(json_t *value, int pretty)
{
    size_t flags = pretty ? TOOL_JSON_FLAGS : JSON_COMPACT;
    if (fput_json(value, stdout, flags) != 0 || putchar('\n') == EOF
        || fflush(stdout) != 0) {
        tool_error("cannot write the result: %s", strerror(errno));
        return -1;
    }
    return 0;
}

json_t *tool_pick(json_t *record, const char *const *fields)
{
    json_t *out = json_object(), *v;
    for (; out && *fields; fields++)
        if ((v = json_object_get(record, *fields)) && json_object_set(out, *fields, v) != 0) {
            json_decref(out);
            return NULL;
        }
    return out;
}

void tool_utc_now(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    char day[24];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%03ldZ", day, ts.tv_nsec / 1000000L);
}

long long tool_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000L;
}

/* ---- field lists that follow the server's version --------------------------------- */

void tool_fields_free(tool_fields *f)
{
    if (!f)
        return;
    free(f->names);
    free(f->keys);
    f->names = f->keys = NULL;
    f->n = 0;
}

/* 1: @p model has @p name, 0: it has not, <0: the fields_get failed. */
static int has_field(odoo_client *c, const char *model, const char *name)
{
    const char *one[2];
    int rc;
    one[0] = name;
    one[1] = NULL;
    rc = odoo_fields_check(c, model, one);
    return rc == ODOO_OK ? 1 : rc == ODOO_EINVAL ? 0 : rc;
}

int tool_fields_resolve(odoo_client *c, const char *model, const tool_field *spec,
                        tool_fields *out)
{
    size_t count = 0, i;
    int rc = ODOO_OK;

    out->names = out->keys = NULL;
    out->n = 0;
    while (spec[count].key)
        count++;
    out->names = calloc(count + 1, sizeof(*out->names));
    out->keys = calloc(count + 1, sizeof(*out->keys));
    if (!out->names || !out->keys) {
        tool_fields_free(out);
        return ODOO_ENOMEM;
    }
    for (i = 0; i < count; i++) {
        const char *name = spec[i].key;
        int has = has_field(c, model, name);
        if (has == 0 && spec[i].other) {
            name = spec[i].other;
            has = has_field(c, model, name);
        }
        if (has < 0) {
            rc = has;
            break;
        }
        if (has == 0 && spec[i].required) {
            rc = has_field(c, model, spec[i].key); /* the error names the key */
            rc = rc < 0 ? rc : ODOO_EINVAL;
            break;
        }
        if (has) {
            out->names[out->n] = name;
            out->keys[out->n++] = spec[i].key;
        }
    }
    if (rc != ODOO_OK)
        tool_fields_free(out);
    return rc;
}

json_t *tool_fields_pick(const tool_fields *f, json_t *record)
{
    json_t *out = json_object(), *v;
    size_t i;
    for (i = 0; out && i < f->n; i++)
        if ((v = json_object_get(record, f->names[i])) && json_object_set(out, f->keys[i], v)) {
            json_decref(out);
            return NULL;
        }
    return out;
}

const char *tool_fields_name(const tool_fields *f, const char *key)
{
    size_t i;
    for (i = 0; i < f->n; i++)
        if (strcmp(f->keys[i], key) == 0)
            return f->names[i];
    return NULL;
}

/* ---- comparing a value written with the value read back --------------------------- */

/* Odoo's "no value": false, null, "", 0 of a list. */
static int is_empty(json_t *v)
{
    return !v || json_is_null(v) || json_is_false(v)
           || (json_is_string(v) && json_string_length(v) == 0)
           || (json_is_array(v) && json_array_size(v) == 0);
}

static int has_number(json_t *v, double *d)
{
    char *end;
    if (json_is_number(v)) {
        *d = json_number_value(v);
        return 1;
    }
    if (is_empty(v)) { /* a number field reads an empty value as 0 */
        *d = 0;
        return 1;
    }
    if (json_is_true(v)) {
        *d = 1;
        return 1;
    }
    if (json_is_string(v)) { /* Odoo takes float("2.5") */
        *d = strtod(json_string_value(v), &end);
        while (*end == ' ')
            end++;
        return end != json_string_value(v) && *end == '\0';
    }
    return 0;
}

static double absd(double d)
{
    return d < 0 ? -d : d;
}

/* Equal to @p scale decimals (Odoo rounds to the field's digits), or to a
 * relative 1e-9 when @p scale < 0. */
static int same_number(double a, double b, int scale)
{
    double tol = 0.5;
    if (scale < 0) {
        double m = absd(a) > absd(b) ? absd(a) : absd(b);
        return absd(a - b) <= 1e-9 * (m > 1 ? m : 1);
    }
    while (scale-- > 0)
        tol /= 10;
    return absd(a - b) <= tol * (1 + 1e-9);
}

/* The decimals of a fields_get "digits" ([precision, scale]), or -1. */
static int digits_scale(json_t *desc)
{
    json_t *d = json_object_get(desc, "digits");
    if (json_is_array(d) && json_is_integer(json_array_get(d, 1)))
        return (int)json_integer_value(json_array_get(d, 1));
    return -1;
}

/* Append a Unicode code point as UTF-8. */
static void put_utf8(char *out, size_t *n, unsigned long cp)
{
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xC0 | (cp >> 6));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xE0 | (cp >> 12));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*n)++] = (char)(0xF0 | (cp >> 18));
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* One character entity at s ('&'): its text into out, *len its length in s. */
static int html_entity(const char *s, char *out, size_t *n, size_t *len)
{
    static const struct {
        const char *name;
        unsigned long cp;
    } named[] = {{"amp", '&'},   {"lt", '<'},     {"gt", '>'},     {"quot", '"'},
                 {"apos", '\''}, {"euro", 0x20AC}, {"ndash", 0x2013}, {"mdash", 0x2014},
                 {"hellip", 0x2026}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
                 {"rdquo", 0x201D}, {"bull", 0x2022}, {"trade", 0x2122}};
    /* HTML's names of U+00A0..U+00FF, in order */
    static const char *const latin1[96] = {
        "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",
        "uml",    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",
        "deg",    "plusmn", "sup2",   "sup3",   "acute",  "micro",  "para",   "middot",
        "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12", "frac34", "iquest",
        "Agrave", "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil",
        "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",
        "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",
        "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",  "szlig",
        "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
        "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",
        "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide",
        "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};
    const char *semi = strchr(s, ';');
    size_t i, k;
    unsigned long cp;
    char *end;
    if (!semi || semi - s > 12)
        return 0;
    k = (size_t)(semi - s - 1);
    for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (strlen(named[i].name) == k && strncmp(s + 1, named[i].name, k) == 0) {
            put_utf8(out, n, named[i].cp);
            *len = k + 2;
            return 1;
        }
    for (i = 0; i < 96; i++)
        if (strlen(latin1[i]) == k && strncmp(s + 1, latin1[i], k) == 0) {
            put_utf8(out, n, 0xA0 + i);
            *len = k + 2;
            return 1;
        }
    if (s[1] != '#')
        return 0;
    cp = (s[2] == 'x' || s[2] == 'X') ? strtoul(s + 3, &end, 16) : strtoul(s + 2, &end, 10);
    if (end != semi || cp == 0 || cp > 0x10FFFF)
        return 0;
    put_utf8(out, n, cp);
    *len = k + 2;
    return 1;
}

/*
 * The text of an HTML value as Odoo's sanitiser keeps it: tags dropped (each
 * one a word break), comments and the content of script and style dropped,
 * entities decoded, every run of white space (no-break space included) one
 * space, none at either end. A new string (free()), or NULL.
 */
static char *html_text(const char *s)
{
    size_t cap = strlen(s) * 2 + 8, n = 0, len;
    char *out = malloc(cap), *ws;
    if (!out)
        return NULL;
    while (*s) {
        if (*s == '<' && strncmp(s, "<!--", 4) == 0) {
            const char *e = strstr(s + 4, "-->");
            s = e ? e + 3 : s + strlen(s);
            out[n++] = ' ';
        } else if (*s == '<' && (strncasecmp(s, "<script", 7) == 0
                                 || strncasecmp(s, "<style", 6) == 0)) {
            const char *close = s[2] == 'c' || s[2] == 'C' ? "</script" : "</style";
            const char *e = s;
            while ((e = strchr(e + 1, '<')) && strncasecmp(e, close, strlen(close)) != 0)
                ;
            e = e ? strchr(e, '>') : NULL;
            s = e ? e + 1 : s + strlen(s);
            out[n++] = ' ';
        } else if (*s == '<' && (s[1] == '/' || s[1] == '!' || s[1] == '?'
                                 || (s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z'))) {
            const char *e = strchr(s, '>');
            s = e ? e + 1 : s + strlen(s);
            out[n++] = ' ';
        } else if (*s == '&' && html_entity(s, out, &n, &len)) {
            s += len;
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    /* white space, including U+00A0 (C2 A0), to single spaces */
    for (ws = out, len = 0, n = 0; ws[len];) {
        int space = ws[len] == ' ' || ws[len] == '\t' || ws[len] == '\n' || ws[len] == '\r'
                    || ws[len] == '\f' || ws[len] == '\v';
        size_t w = 1;
        if ((unsigned char)ws[len] == 0xC2 && (unsigned char)ws[len + 1] == 0xA0)
            space = 1, w = 2;
        if (space) {
            if (n > 0 && out[n - 1] != ' ')
                out[n++] = ' ';
        } else {
            out[n++] = ws[len];
        }
        len += w;
    }
    if (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return out;
}

static int same_html(json_t *sent, json_t *got)
{
    /* an empty value is the empty text; "<p><br></p>" has no text either */
    const char *s = is_empty(sent) ? "" : json_string_value(sent);
    const char *g = is_empty(got) ? "" : json_string_value(got);
    char *a, *b;
    int same;
    if (!s || !g)
        return json_equal(sent, got);
    a = html_text(s);
    b = html_text(g);
    same = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

/* A date or datetime to "YYYY-MM-DD" (@p len 10) or "YYYY-MM-DD HH:MM:SS" (19). */
static int same_date(json_t *sent, json_t *got, size_t len)
{
    char a[20] = "", b[20] = "";
    size_t i;
    if (is_empty(sent) || is_empty(got))
        return is_empty(sent) && is_empty(got);
    if (!json_is_string(sent) || !json_is_string(got))
        return 0;
    strncpy(a, json_string_value(sent), len);
    strncpy(b, json_string_value(got), len);
    if (len == 19 && strlen(a) == 10) /* a date written to a datetime: midnight */
        memcpy(a + 10, " 00:00:00", 10);
    for (i = 0; i < len; i++) {
        if (a[i] == 'T')
            a[i] = ' ';
        if (b[i] == 'T')
            b[i] = ' ';
    }
    return strcmp(a, b) == 0;
}

static int id_in(json_t *list, json_int_t id)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (json_is_integer(v) && json_integer_value(v) == id)
            return 1;
    return 0;
}

/*
 * x2many: a list of ids (exactly those, any order) or of commands. The
 * commands 6 (set), 5 (clear), 4 (link), 3 and 2 (unlink, delete) say which
 * ids must be there and which not; 0 (create) adds one id we cannot know; 1
 * (update) changes no membership.
 */
static int same_x2many(json_t *sent, json_t *got)
{
    json_t *must = json_array(), *not = json_array(), *cmd;
    size_t i, j, created = 0;
    int exact = 0, same = 1;
    json_t *v;

    if (is_empty(sent) && is_empty(got)) {
        same = 1;
        goto done;
    }
    if (!json_is_array(sent) || !json_is_array(got) || !must || !not) {
        same = json_equal(sent, got);
        goto done;
    }
    json_array_foreach(sent, i, cmd) {
        json_int_t op, id;
        if (json_is_integer(cmd)) { /* a plain list of ids */
            exact = 1;
            json_array_append(must, cmd);
            continue;
        }
        if (!json_is_array(cmd) || !json_is_integer(json_array_get(cmd, 0)))
            goto done; /* not something we know: taken as written */
        op = json_integer_value(json_array_get(cmd, 0));
        id = json_integer_value(json_array_get(cmd, 1));
        switch (op) {
        case 0:
            created++;
            break;
        case 5:
        case 6:
            exact = 1;
            json_array_clear(must);
            json_array_clear(not);
            created = 0;
            if (op == 6)
                json_array_foreach(json_array_get(cmd, 2), j, v)
                    json_array_append(must, v);
            break;
        case 4:
            json_array_append_new(must, json_integer(id));
            break;
        case 2:
        case 3:
            for (j = json_array_size(must); j-- > 0;)
                if (json_integer_value(json_array_get(must, j)) == id)
                    json_array_remove(must, j);
            json_array_append_new(not, json_integer(id));
            break;
        default: /* 1: update, no membership change */
            break;
        }
    }
    json_array_foreach(must, i, v)
        if (!id_in(got, json_integer_value(v)))
            same = 0;
    json_array_foreach(not, i, v)
        if (id_in(got, json_integer_value(v)))
            same = 0;
    if (exact && json_array_size(got) != json_array_size(must) + created) {
        /* duplicates in a plain list are one id */
        size_t distinct = 0;
        json_array_foreach(must, i, v) {
            int dup = 0;
            for (j = 0; j < i; j++)
                dup |= json_equal(v, json_array_get(must, j));
            distinct += !dup;
        }
        if (json_array_size(got) != distinct + created)
            same = 0;
    }
done:
    json_decref(must);
    json_decref(not);
    return same;
}

/* JSON truth as Python's bool() sees it. */
static int truth(json_t *v)
{
    double d;
    if (is_empty(v))
        return 0;
    if (json_is_number(v) && has_number(v, &d))
        return d != 0;
    return !json_is_false(v) && !(json_is_object(v) && json_object_size(v) == 0);
}

/* No type known: the rules every field type shares. */
static int same_untyped(json_t *sent, json_t *got)
{
    size_t i, j;
    json_t *v, *w;
    if (!got)
        return 0;
    if (json_is_integer(sent) && json_is_array(got) && json_array_size(got) == 2
        && json_is_integer(json_array_get(got, 0))) /* many2one: [id, "name"] */
        return json_integer_value(sent) == json_integer_value(json_array_get(got, 0));
    if (json_is_number(sent) && json_is_number(got))
        return same_number(json_number_value(sent), json_number_value(got), -1);
    if ((json_is_null(sent) || json_is_false(sent)
         || (json_is_string(sent) && json_string_length(sent) == 0))
        && json_is_false(got)) /* Odoo reads an empty value as false */
        return 1;
    if (json_is_array(sent) && json_is_array(got)) { /* ids, in any order */
        if (json_array_size(sent) != json_array_size(got))
            return 0;
        json_array_foreach(sent, i, v) {
            int seen = 0;
            json_array_foreach(got, j, w)
                seen |= json_equal(v, w);
            if (!seen)
                return 0;
        }
        return 1;
    }
    return json_equal(sent, got);
}

int tool_value_matches(json_t *desc, json_t *sent, json_t *got)
{
    json_t *t = json_object_get(desc, "type");
    const char *type = json_is_string(t) ? json_string_value(t) : "";
    double a, b;

    if (!got)
        return 0;
    if (same_untyped(sent, got))
        return 1; /* what holds for every type holds for this one */
    if (strcmp(type, "html") == 0)
        return same_html(sent, got);
    if (strcmp(type, "float") == 0 || strcmp(type, "monetary") == 0
        || strcmp(type, "integer") == 0) {
        int scale = strcmp(type, "integer") == 0 ? 0 : digits_scale(desc);
        if (scale < 0 && strcmp(type, "monetary") == 0)
            scale = 2;
        return has_number(sent, &a) && has_number(got, &b) && same_number(a, b, scale);
    }
    if (strcmp(type, "boolean") == 0)
        return json_is_boolean(got) && truth(sent) == json_is_true(got);
    if (strcmp(type, "date") == 0)
        return same_date(sent, got, 10);
    if (strcmp(type, "datetime") == 0)
        return same_date(sent, got, 19);
    if (strcmp(type, "many2one") == 0) {
        json_t *sid = json_is_array(sent) ? json_array_get(sent, 0) : sent;
        json_t *gid = json_is_array(got) ? json_array_get(got, 0) : got;
        if (is_empty(sid) || (json_is_integer(sid) && json_integer_value(sid) == 0))
            return is_empty(gid);
        return json_is_integer(sid) && json_is_integer(gid)
               && json_integer_value(sid) == json_integer_value(gid);
    }
    if (strcmp(type, "many2many") == 0 || strcmp(type, "one2many") == 0)
        return same_x2many(sent, got);
    if (strcmp(type, "binary") == 0)
        return is_empty(sent) == is_empty(got);
    if (strcmp(type, "properties") == 0 || strcmp(type, "properties_definition") == 0)
        return 1;
    if (strcmp(type, "char") == 0 || strcmp(type, "text") == 0 || strcmp(type, "selection") == 0
        || strcmp(type, "reference") == 0)
        return is_empty(sent) ? is_empty(got) : json_equal(sent, got);
    return 0;
}
