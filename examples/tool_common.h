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

/*
 * Consume a connection option at argv[*i] (--transport T, --timeout S,
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
#define TOOL_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY)

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

#endif /* TOOL_COMMON_H */
