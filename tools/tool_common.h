// SPDX-License-Identifier: MIT
/*
 * tool_common.h: what the example tools odoo-pickings and odoo-products
 * share. The connection (environment or an owner-only credentials file), the
 * exit codes of odoo-call, one-line errors, and JSON files written atomically.
 *
 * Nothing here is Odoo logic: that lives in libodoo (odoo/model.h).
 */
#ifndef TOOL_COMMON_H
#define TOOL_COMMON_H

#include <stdio.h>

#include <odoo.h>

/* Exit statuses shared with odoo-call; each tool documents its extra ones. */
enum {
    TOOL_EXIT_OK = 0,
    TOOL_EXIT_REFUSED = 1,  /* Odoo refused the call (a server-side error) */
    TOOL_EXIT_USAGE = 2,    /* bad arguments, bad input file, missing credentials */
    TOOL_EXIT_AUTH = 3,     /* authentication failed */
    TOOL_EXIT_TRANSPORT = 4 /* network, HTTP, timeout, protocol, in doubt; local I/O */
};

#if defined(__GNUC__)
#define TOOL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TOOL_PRINTF(f, a)
#endif

/* The program name used in messages ("odoo-pickings"); set by main(). */
extern const char *tool_prog;

/* Print "<prog>: <message>" as one line on stderr (line breaks folded). */
void tool_error(const char *fmt, ...) TOOL_PRINTF(1, 2);

/* When set, also receives every message tool_error() prints (e.g. for a log). */
extern void (*tool_error_hook)(const char *message);

/* The exit status for a libodoo return code. */
int tool_exit_code(int rc);

/* Print the client's last error as one line, "<prog>: <ERROR_NAME> [<Odoo
 * class>]: <message>", and return tool_exit_code(rc). */
int tool_odoo_error(odoo_client *client, int rc);

/* Help text of the connection options and variables, for --help. */
extern const char tool_connection_help[];

/* The connection settings of a tool. */
typedef struct tool_conn {
    odoo_client_options opts;
    const char *credentials; /* --credentials FILE, or NULL for the environment */
} tool_conn;

void tool_conn_init(tool_conn *tc);

/* "268435456", "256M", "8m", "64k", "1G" (binary units) into *out: 0, or -1
 * for anything else. */
int tool_parse_bytes(const char *s, size_t *out);

/*
 * Consume a connection option at argv[*i] (--transport T, --timeout S,
 * --retry-deadline S, --max-response-bytes N, --allow-insecure-http,
 * --credentials FILE), advancing *i past its value.
 * @return 1 consumed, 0 not a connection option, -1 bad value (message printed).
 */
int tool_conn_option(tool_conn *tc, int argc, char **argv, int *i);

/*
 * Read the credentials (the --credentials file, else the environment) and
 * create the client, which copies them; the tool's own copies are wiped
 * before this returns. Prints what went wrong.
 * @return TOOL_EXIT_OK with *out set (free with odoo_client_free()), or an
 *         exit status.
 */
int tool_connect(tool_conn *tc, odoo_client **out);

/* Read a whole file (NUL-terminated; *len without the NUL). Prints the error;
 * returns 0 or -1. */
int tool_read_file(const char *path, char **text, size_t *len);

/* Load a JSON file; NULL after printing "<path>:<line>:<column>: <why>". */
json_t *tool_load_json(const char *path);

/* Flags of every JSON text the tools write. */
#define TOOL_JSON_FLAGS (JSON_INDENT(2) | JSON_ENCODE_ANY) /* odoo_json_dumps: shortest reals */

/*
 * Write @p value as JSON to @p path atomically: a temporary file in the same
 * directory, fsync, rename over @p path, fsync of the directory. A reader sees
 * the old file or the whole new one, never a part. "-" writes to stdout.
 * @return 0, or -1 (message printed; the old file is untouched).
 */
int tool_write_json(const char *path, json_t *value);

/* Print @p value on stdout (compact, or indented with @p pretty). 0 or -1. */
int tool_print_json(json_t *value, int pretty);

/* A new object with the members of @p record named in @p fields, in that
 * order (a stable key order for the files the tools write). */
json_t *tool_pick(json_t *record, const char *const *fields);

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" of now (UTC) into buf (at least 32 bytes). */
void tool_utc_now(char *buf, size_t size);

/* Milliseconds of a monotonic clock. */
long long tool_monotonic_ms(void);

/* ---- field lists that follow the server's version --------------------------------- */

/*
 * One field of a tool's field list. The tool reads it under the first of its
 * names that the server has and reports it under @c key on every version.
 */
typedef struct tool_field {
    const char *key;   /* the key in the tool's output, and the field's name where it has one */
    const char *other; /* its name on the Odoo versions that call it otherwise, or NULL */
    int required;      /* 1: a server without it is refused (ODOO_EINVAL naming @c key);
                          0: the field is left out where the server lacks it */
} tool_field;

/* A field list resolved against one server (tool_fields_resolve()). */
typedef struct tool_fields {
    const char **names; /* the Odoo fields to read, NULL-terminated: a whitelist for odoo_read */
    const char **keys;  /* keys[i]: the output key of names[i] */
    size_t n;
} tool_fields;

/*
 * Resolve @p spec (terminated by an entry whose key is NULL) against the
 * fields of @p model (odoo_fields_check: one fields_get per model and client,
 * cached). The strings of *out point into @p spec, which must outlive it.
 * @return ODOO_OK with *out filled (release with tool_fields_free()); or the
 *         libodoo error (ODOO_EINVAL naming a required field the model lacks),
 *         detail in odoo_client_last_error(). *out is empty on error.
 */
int tool_fields_resolve(odoo_client *c, const char *model, const tool_field *spec,
                        tool_fields *out);

/* Release what tool_fields_resolve() allocated (not the strings); idempotent. */
void tool_fields_free(tool_fields *f);

/* A new object with the fields of @p record under their output keys, in the
 * list's order; a field the record lacks is left out. NULL when out of memory. */
json_t *tool_fields_pick(const tool_fields *f, json_t *record);

/* The Odoo name read for output key @p key, or NULL when it is not read. Borrowed. */
const char *tool_fields_name(const tool_fields *f, const char *key);

/*
 * Does @p got, a value read back from Odoo, show that @p sent was written, the
 * way Odoo normalises a value of that field? @p desc is the field's fields_get
 * description ({"type", "digits"?}, borrowed) or NULL when unknown (then: a
 * many2one id matches [id, "name"], numbers within 1e-9, null/""/false match
 * false, lists of ids in any order, anything else must be equal). By type:
 * html by its text (tags, comments, scripts dropped, entities decoded,
 * white space collapsed: "Fragile" matches "<p>Fragile</p>"); float by the
 * field's digits (to 1e-9 relative without); monetary by its digits, else to
 * the cent; integer, float and monetary read empty as 0; boolean by truth;
 * date and datetime by their text to the day or second ("T" or " "); many2one
 * by id; many2many and one2many ids in any order, or the commands 3, 4, 5, 6
 * (and 0 by count); binary by being empty or not (images are re-encoded);
 * properties are not compared.
 * @return 1 it matches, 0 it does not.
 */
int tool_value_matches(json_t *desc, json_t *sent, json_t *got);

#endif /* TOOL_COMMON_H */
