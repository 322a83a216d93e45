/*
 * tool_common.c: connection, errors and atomic JSON files for the example
 * tools (see tool_common.h).
 */
#include "tool_common.h"

#include <errno.h>
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
    default: /* ESESSION, EHTTP, ETIMEOUT, ENETWORK, EPROTOCOL, EINDOUBT, ENOMEM, ERROR */
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
    "  --timeout S     whole-call timeout in seconds (default 120)\n";

/* ---- the connection ------------------------------------------------------------- */

void tool_conn_init(tool_conn *tc)
{
    odoo_client_options init = ODOO_CLIENT_OPTIONS_INIT;
    tc->opts = init;
    tc->credentials = NULL;
}

int tool_conn_option(tool_conn *tc, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--transport") && strcmp(a, "--timeout") && strcmp(a, "--credentials"))
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
        if (rc != ODOO_OK)
            tool_error("%s: cannot create the client (check ODOO_URL)", odoo_error_name(rc));
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

static int dump_cb(const char *buf, size_t size, void *data)
{
    return fwrite(buf, 1, size, (FILE *)data) == size ? 0 : -1;
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
    if (json_dump_callback(value, dump_cb, f, TOOL_JSON_FLAGS) != 0 || fputc('\n', f) == EOF
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
    size_t flags = pretty ? TOOL_JSON_FLAGS : (JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
    if (json_dumpf(value, stdout, flags) != 0 || putchar('\n') == EOF
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
