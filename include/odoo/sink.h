// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo - sink.h: where records go. A sink takes records (JSON objects,
 * for example the rows odoo_search_read() or an odoo_iter hands out) one at
 * a time and stores them: in a JSON file (this header) or in an Amazon
 * DynamoDB table (odoo/aws.h). Users can add their own sinks through
 * odoo_sink_open() and an odoo_sink_ops table.
 *
 * The life of a sink: open (a constructor such as odoo_json_sink_open()),
 * put records, flush now and then (each flush makes what was put so far
 * durable), close (the final flush; for whole-file outputs the moment the
 * file appears) or abort (a failed run: nothing more is written and a
 * whole-file output never appears), free. Freeing a sink that was neither
 * closed nor aborted aborts it.
 *
 * Threading: a sink is used by one thread at a time. See docs/sinks.md.
 */
#ifndef ODOO_SINK_H
#define ODOO_SINK_H

#include <stddef.h>

#include <jansson.h>

#include "common.h"
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @def ODOO_SINK_PRINTF(fmt, args)
 * Marks a printf-style function (GCC and Clang check its format string:
 * argument @p fmt is the format, the variable arguments start at @p args).
 */
#if defined(__GNUC__) || defined(__clang__)
#  define ODOO_SINK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define ODOO_SINK_PRINTF(fmt, args)
#endif

/** A sink: opaque; free with odoo_sink_free(). @since 0.2.0 */
typedef struct odoo_sink odoo_sink;

/* ---- counters ----------------------------------------------------------------- */

/**
 * The counters every sink keeps (see docs/sinks.md, "Stats"). New counters
 * are only ever appended.
 * @since 0.2.0
 */
typedef enum odoo_sink_counter {
    ODOO_SINK_RECORDS = 0,       /**< records accepted by odoo_sink_put() */
    ODOO_SINK_WRITTEN = 1,       /**< records stored for good (flushed to the file,
                                      acknowledged by DynamoDB) */
    ODOO_SINK_SKIPPED = 2,       /**< records deliberately not stored: an older version
                                      refused by a conditional write */
    ODOO_SINK_RETRIED = 3,       /**< record re-sends after a retryable failure
                                      (throttling, UnprocessedItems, 5xx, network) */
    ODOO_SINK_DEAD_LETTERED = 4, /**< records written to the dead-letter file */
    ODOO_SINK_FAILED = 5,        /**< records lost: neither stored nor dead-lettered */
    ODOO_SINK_REQUESTS = 6,      /**< requests sent (HTTP requests, write() calls) */
    ODOO_SINK_THROTTLED = 7,     /**< requests answered with a throttling error */
    ODOO_SINK_UNPROCESSED = 8,   /**< records a batch answer returned as unprocessed */
    ODOO_SINK_BYTES = 9,         /**< bytes written or sent */
    ODOO_SINK_FLUSHES = 10,      /**< completed flushes (odoo_sink_flush(), automatic
                                      flushes and the final one of odoo_sink_close()) */
    ODOO_SINK_GAVE_UP = 11       /**< records dead-lettered (or failed) because a
                                      temporary failure (throttling, 5xx, network,
                                      timeout) outlasted the retries: storing them
                                      again later may succeed. @since 0.3.0 */
} odoo_sink_counter;

/** The number of counters of this header's odoo_sink_counter. */
#define ODOO_SINK_COUNTER_COUNT 12

/** The layout version of odoo_sink_stats this header describes (2 since
 * 0.3.0, with gave_up; version 1 structs are still accepted). */
#define ODOO_SINK_STATS_VERSION 2

/**
 * A snapshot of a sink's counters. Set version (ODOO_SINK_STATS_INIT) before
 * calling odoo_sink_get_stats().
 * @since 0.2.0
 */
typedef struct odoo_sink_stats {
    unsigned int version;             /**< ODOO_SINK_STATS_VERSION */
    unsigned long long records;       /**< ODOO_SINK_RECORDS */
    unsigned long long written;       /**< ODOO_SINK_WRITTEN */
    unsigned long long skipped;       /**< ODOO_SINK_SKIPPED */
    unsigned long long retried;       /**< ODOO_SINK_RETRIED */
    unsigned long long dead_lettered; /**< ODOO_SINK_DEAD_LETTERED */
    unsigned long long failed;        /**< ODOO_SINK_FAILED */
    unsigned long long requests;      /**< ODOO_SINK_REQUESTS */
    unsigned long long throttled;     /**< ODOO_SINK_THROTTLED */
    unsigned long long unprocessed;   /**< ODOO_SINK_UNPROCESSED */
    unsigned long long bytes;         /**< ODOO_SINK_BYTES */
    unsigned long long flushes;       /**< ODOO_SINK_FLUSHES */
    unsigned long long gave_up;       /**< ODOO_SINK_GAVE_UP (version 2) */
} odoo_sink_stats;

/** Static initialiser: version set, every counter 0. */
#define ODOO_SINK_STATS_INIT { ODOO_SINK_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/* ---- using a sink ------------------------------------------------------------- */

/**
 * Store one record.
 * @param sink   the sink (borrowed for the call).
 * @param record a JSON object. Borrowed: the sink copies or serialises what it
 *               needs before returning; the caller keeps its reference and may
 *               change or free the record afterwards.
 * @return ODOO_OK; ODOO_EINVAL for a NULL sink or record, a record that is not an
 *         object, or a closed sink; otherwise the sink's own error (a write error,
 *         a failed automatic flush). A record the sink dead-letters (DynamoDB)
 *         still gives ODOO_OK: see the counters.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_sink_put(odoo_sink *sink, json_t *record);

/**
 * Make every record put so far durable: written and fsync'ed (JSON Lines in
 * append mode), acknowledged by the server or dead-lettered (DynamoDB). For a
 * whole-file output the data goes to the hidden temporary file; the target
 * appears only at odoo_sink_close().
 * @param sink the sink (borrowed for the call).
 * @return ODOO_OK when every record put so far is written, skipped or
 *         dead-lettered; otherwise the first error (detail in
 *         odoo_sink_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_sink_flush(odoo_sink *sink);

/**
 * The final flush, then release files and connections. For a whole-file output
 * this is when the target file is atomically replaced. After close, put and
 * flush return ODOO_EINVAL; the counters and the last error stay readable until
 * odoo_sink_free(). Closing twice returns ODOO_OK the second time.
 * @param sink the sink (borrowed for the call).
 * @return as odoo_sink_flush(); on failure a whole-file target is left as it was.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_sink_close(odoo_sink *sink);

/**
 * Abort a sink: end it without committing what was not flushed, for a run
 * that failed. Nothing more is written: the records put since the last flush
 * are dropped, a whole-file output's temporary file is removed and its target
 * left as it was (or absent). What earlier flushes made durable stays (lines
 * appended by a JSON Lines appender, items DynamoDB acknowledged): it cannot
 * be taken back. The implementation's files and connections are released now
 * (its ops->free is called); the sink itself stays the caller's, with its
 * counters and last error readable, until odoo_sink_free().
 *
 * After an abort, odoo_sink_is_closed() is 1 and put, flush and close return
 * ODOO_EINVAL. Aborting a sink that is already closed or aborted changes
 * nothing and returns ODOO_OK (so a cleanup path may abort every sink it
 * holds, committed or not).
 * @param sink the sink (borrowed for the call).
 * @return ODOO_OK, or ODOO_EINVAL for a NULL sink.
 * @since 0.4.0
 */
ODOO_EXTERN(int) odoo_sink_abort(odoo_sink *sink);

/**
 * Free a sink. A sink that was neither closed nor aborted is aborted first
 * (odoo_sink_abort()). Accepts NULL.
 * @param sink the sink to free (the caller's, from its constructor), or NULL.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_sink_free(odoo_sink *sink);

/**
 * Detail of the last failure returned by a call on this sink. Borrowed: valid
 * until the next call on the sink that can fail, or odoo_sink_free(). Never
 * NULL for a non-NULL sink.
 * @param sink the sink to read (borrowed), or NULL.
 * @return the error detail (borrowed, see above); NULL only for a NULL sink.
 * @since 0.2.0
 */
ODOO_EXTERN(const odoo_error *) odoo_sink_last_error(const odoo_sink *sink);

/**
 * One counter.
 * @param sink  the sink to read (borrowed), or NULL.
 * @param which the counter.
 * @return its value; 0 for a NULL sink or an unknown counter.
 * @since 0.2.0
 */
ODOO_EXTERN(unsigned long long) odoo_sink_stat(const odoo_sink *sink, odoo_sink_counter which);

/**
 * Copy the counters into *stats.
 * @param sink  the sink to read (borrowed).
 * @param stats the caller's struct, its version set to ODOO_SINK_STATS_VERSION.
 * @return ODOO_OK, or ODOO_EINVAL for NULL arguments or an unknown version.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_sink_get_stats(const odoo_sink *sink, odoo_sink_stats *stats);

/**
 * The sink's type name, e.g. "json", "dynamodb": static, or for a custom sink
 * the ops table's `type`, borrowed from the table; "none" for NULL or a sink
 * a constructor returned on failure.
 * @param sink the sink to read (borrowed), or NULL.
 * @return the name (static or borrowed as above; never free it).
 * @since 0.2.0
 */
ODOO_EXTERN(const char *) odoo_sink_type(const odoo_sink *sink);

/**
 * Whether odoo_sink_close() or odoo_sink_abort() was called.
 * @param sink the sink to read (borrowed), or NULL.
 * @return 1 when closed or aborted (also for the closed sink a failed
 *         constructor hands out, and for NULL), 0 while it takes records.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_sink_is_closed(const odoo_sink *sink);

/* ---- writing a sink ---------------------------------------------------------------- */

/** The layout version of odoo_sink_ops this header describes. */
#define ODOO_SINK_OPS_VERSION 1

/**
 * The functions of a sink implementation. Each receives the odoo_sink (to
 * report errors with odoo_sink_set_error() and count with odoo_sink_count())
 * and the implementation's own state @p impl. Every callback returns ODOO_OK
 * or a negative odoo_error_code. The table is borrowed: it must outlive every
 * sink opened with it (a static const table is the usual choice).
 * @since 0.2.0
 */
typedef struct odoo_sink_ops {
    unsigned int version; /**< ODOO_SINK_OPS_VERSION */
    const char *type;     /**< a short static name, e.g. "postgres" */
    /** Called once by odoo_sink_open(); may be NULL. */
    int (*open)(odoo_sink *sink, void *impl);
    /** Store one record (a JSON object; borrowed: copy what you keep). The
     *  generic layer has already counted ODOO_SINK_RECORDS. Required. */
    int (*put)(odoo_sink *sink, void *impl, json_t *record);
    /** Make everything put so far durable. May be NULL (nothing to do). */
    int (*flush)(odoo_sink *sink, void *impl);
    /** The final flush and release of external resources; called once by
     *  odoo_sink_close(). May be NULL (flush is called instead). */
    int (*close)(odoo_sink *sink, void *impl);
    /** Free impl. Called exactly once, by odoo_sink_free() after close, or
     *  without a close for an abort (odoo_sink_abort(), or odoo_sink_free()
     *  of a sink neither closed nor aborted): then nothing more may be
     *  written and a whole-file output must not appear. May be NULL. */
    void (*free)(void *impl);
} odoo_sink_ops;

/**
 * Wrap an implementation in a sink, then call ops->open.
 * @param[out] out on success, the new sink (owned by the caller: free with
 *                 odoo_sink_free()). When ops->open fails, a closed sink that
 *                 holds its error (odoo_sink_last_error()); free it with
 *                 odoo_sink_free(). NULL on the other failures.
 * @param ops      the implementation's functions (borrowed, see odoo_sink_ops).
 * @param impl     the implementation's state. On success the sink owns it and
 *                 hands it to ops->free when freed; on any failure it stays the
 *                 caller's (ops->free is not called, not even by odoo_sink_free()
 *                 of the failed sink).
 * @return ODOO_OK; ODOO_EINVAL for NULL out/ops/put or an unknown ops version;
 *         ODOO_ENOMEM; or ops->open's error.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_sink_open(odoo_sink **out, const odoo_sink_ops *ops, void *impl)
    ODOO_WARN_UNUSED_RESULT;

/**
 * For implementations: set the sink's last error (what odoo_sink_last_error()
 * shows) with a printf-style message. Never put a secret in it.
 * @param sink the sink (borrowed for the call).
 * @param code the odoo_error_code to record.
 * @param fmt  a printf format for the message, followed by its arguments.
 * @return @p code, so that `return odoo_sink_set_error(s, ODOO_EINVAL, "...");` works.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_sink_set_error(odoo_sink *sink, int code, const char *fmt, ...)
    ODOO_SINK_PRINTF(3, 4);

/**
 * For implementations: set the sink's last error to a copy of @p err (code,
 * message, class, HTTP status, retryable), e.g. the error of a client the
 * sink writes through. @p err is borrowed.
 * @param sink the sink (borrowed for the call).
 * @param err  the error to copy (borrowed).
 * @return @p err's code (ODOO_EINVAL for a NULL sink or err). When memory runs
 *         out, the code is still copied and the message is "".
 * @since 0.4.0
 */
ODOO_EXTERN(int) odoo_sink_set_error_from(odoo_sink *sink, const odoo_error *err);

/**
 * For implementations: add @p n to a counter.
 * @param sink  the sink (borrowed for the call); NULL does nothing.
 * @param which the counter (an unknown one does nothing).
 * @param n     how much to add.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_sink_count(odoo_sink *sink, odoo_sink_counter which,
                                  unsigned long long n);

/* ---- the JSON file sink --------------------------------------------------------------- */

/** Output formats of the JSON file sink. @since 0.2.0 */
typedef enum odoo_json_format {
    /** One JSON array, one record a line: "[\n{...},\n{...}\n]\n". Always
     *  whole-file (atomic) output. */
    ODOO_JSON_ARRAY = 0,
    /** JSON Lines: one record a line, each ended by "\n". Whole-file (atomic)
     *  output, or appended in place with append = 1. */
    ODOO_JSON_LINES = 1
} odoo_json_format;

/** The layout version of odoo_json_sink_options this header describes. */
#define ODOO_JSON_SINK_OPTIONS_VERSION 1
/** Default number of records after which a JSON Lines appender flushes by itself. */
#define ODOO_JSON_SINK_DEFAULT_FLUSH_RECORDS 1000
/** Default number of buffered bytes after which the sink flushes by itself. */
#define ODOO_JSON_SINK_DEFAULT_FLUSH_BYTES (4L * 1024 * 1024)

/**
 * Options of the JSON file sink. Initialise with ODOO_JSON_SINK_OPTIONS_INIT
 * or odoo_json_sink_options_init(). Strings are copied by odoo_json_sink_open().
 * @since 0.2.0
 */
typedef struct odoo_json_sink_options {
    unsigned int version;     /**< ODOO_JSON_SINK_OPTIONS_VERSION */
    const char *path;         /**< the target file (required) */
    odoo_json_format format;  /**< default ODOO_JSON_LINES */
    int append;               /**< JSON Lines only: 1 = append to the file in place
                                   (created when missing), fsync per flushed batch;
                                   0 (default) = whole-file output: written to a
                                   temporary file in the same directory, fsync'ed
                                   and renamed over the target at close */
    int sort_keys;            /**< 1 (default): object keys in byte order, at every
                                   level; 0: the record's own key order */
    long flush_records;       /**< flush by itself every this many records; default
                                   ODOO_JSON_SINK_DEFAULT_FLUSH_RECORDS; 0 = only
                                   on odoo_sink_flush()/close (and flush_bytes) */
    long flush_bytes;         /**< flush by itself when this many bytes are
                                   buffered; default 4 MiB; 0 = no byte limit */
    int fsync;                /**< fsync on every flush and before the rename;
                                   default 1. 0 trades crash safety for speed. */
    unsigned int file_mode;   /**< permissions of a file the sink creates; default
                                   0600 (records may hold personal data) */
} odoo_json_sink_options;

/** Static initialiser with the defaults. */
#define ODOO_JSON_SINK_OPTIONS_INIT                                         \
    { ODOO_JSON_SINK_OPTIONS_VERSION, NULL, ODOO_JSON_LINES, 0, 1,          \
      ODOO_JSON_SINK_DEFAULT_FLUSH_RECORDS, ODOO_JSON_SINK_DEFAULT_FLUSH_BYTES, 1, 0600u }

/**
 * Fill *opts with the defaults (the same as ODOO_JSON_SINK_OPTIONS_INIT).
 * @param opts    the caller's struct (caller-owned).
 * @param version ODOO_JSON_SINK_OPTIONS_VERSION.
 * @return ODOO_OK, or ODOO_EINVAL when opts is NULL or version unknown.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_json_sink_options_init(odoo_json_sink_options *opts,
                                             unsigned int version);

/**
 * Open a JSON file sink (type "json").
 *
 * Whole-file output (ODOO_JSON_ARRAY, or ODOO_JSON_LINES with append = 0):
 * records go to a new hidden temporary file ".<name>.tmp-XXXXXX" next to the
 * target; odoo_sink_close() writes the end, fsyncs, renames it over the
 * target and fsyncs the directory. Until then the target keeps its old
 * content (or does not exist); a failed or aborted sink removes its
 * temporary file.
 *
 * JSON Lines with append = 1: opens the target for appending (creating it).
 * Each flush writes the buffered lines with one write() and fsyncs, so a
 * crash loses at most the records put since the last flush. A trailing
 * fragment left by a crash inside write() (a line without its "\n") is cut
 * off when the file is opened for appending again. An abort keeps the lines
 * earlier flushes appended and drops the rest; when this sink created the
 * file and appended nothing, the abort removes the file again (since 0.4.0).
 *
 * Values: keys in byte order by default, UTF-8 strings as they are (no `\u`
 * escapes for non-ASCII), integers as integers and reals in their shortest
 * round-trip form, the way Odoo (Python) prints them ("0.1", "100.0", "1e+16").
 *
 * @param[out] out on success, the new sink (owned by the caller: free with
 *                 odoo_sink_free()). On failure, a closed sink that holds the
 *                 error detail (odoo_sink_last_error()), or NULL when even that
 *                 could not be allocated or opts is NULL; free it with
 *                 odoo_sink_free() either way.
 * @param opts     options (copied); path is required.
 * @return ODOO_OK; ODOO_EINVAL for bad options; ODOO_ERROR with the system's
 *         reason when the file cannot be created or opened; ODOO_ENOMEM.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_json_sink_open(odoo_sink **out, const odoo_json_sink_options *opts)
    ODOO_WARN_UNUSED_RESULT;

#ifdef __cplusplus
}
#endif
#endif /* ODOO_SINK_H */
