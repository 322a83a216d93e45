// SPDX-License-Identifier: MIT
/*
 * Example 4: a custom sink.
 *
 * Teaches: writing your own destination for records behind the generic sink
 * interface (odoo/sink.h): an odoo_sink_ops table with put/flush/close/free,
 * wrapped by odoo_sink_open(). The caller then uses it like the built-in JSON
 * and DynamoDB sinks: odoo_sink_put(), odoo_sink_close(), the counters.
 * This one writes CSV lines "id,name,amount_total" to a file.
 *
 *   ./example_custom_sink OUT.csv    (connection: ODOO_URL, ODOO_DB,
 *                                     ODOO_USER, ODOO_PASSWORD)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example.h" /* <odoo.h>, and example_connect(): the client from ODOO_* */

struct csv_sink {
    FILE *f;
};

static int csv_put(odoo_sink *sink, void *impl, json_t *record)
{
    struct csv_sink *csv = impl;
    const char *name = json_string_value(json_object_get(record, "name"));
    if (!name || strpbrk(name, ",\"\n")) /* keep the example's CSV simple */
        return odoo_sink_set_error(sink, ODOO_EINVAL, "record without a plain name");
    int n = fprintf(csv->f, "%lld,%s,%.2f\n",
                    (long long)json_integer_value(json_object_get(record, "id")), name,
                    json_number_value(json_object_get(record, "amount_total")));
    if (n < 0)
        return odoo_sink_set_error(sink, ODOO_ERROR, "write: %s", strerror(errno));
    odoo_sink_count(sink, ODOO_SINK_BYTES, (unsigned long long)n);
    return ODOO_OK;
}

static int csv_flush(odoo_sink *sink, void *impl)
{
    struct csv_sink *csv = impl;
    if (fflush(csv->f) != 0)
        return odoo_sink_set_error(sink, ODOO_ERROR, "flush: %s", strerror(errno));
    /* everything put so far is now written: count it */
    odoo_sink_count(sink, ODOO_SINK_WRITTEN, odoo_sink_stat(sink, ODOO_SINK_RECORDS) -
                                                 odoo_sink_stat(sink, ODOO_SINK_WRITTEN));
    return ODOO_OK;
}

static int csv_close(odoo_sink *sink, void *impl)
{
    struct csv_sink *csv = impl;
    int rc = csv_flush(sink, impl);
    if (fclose(csv->f) != 0 && rc == ODOO_OK)
        rc = odoo_sink_set_error(sink, ODOO_ERROR, "close: %s", strerror(errno));
    csv->f = NULL;
    return rc;
}

static void csv_free(void *impl)
{
    struct csv_sink *csv = impl;
    if (csv->f) /* aborted: not closed */
        fclose(csv->f);
    free(csv);
}

static const odoo_sink_ops csv_ops = {
    ODOO_SINK_OPS_VERSION, "csv", NULL, csv_put, csv_flush, csv_close, csv_free,
};

static int csv_sink_open(odoo_sink **out, const char *path)
{
    struct csv_sink *csv = calloc(1, sizeof *csv);
    if (!csv || !(csv->f = fopen(path, "w"))) {
        free(csv);
        return ODOO_ERROR;
    }
    int rc = odoo_sink_open(out, &csv_ops, csv); /* on success the sink owns csv */
    if (rc != ODOO_OK)
        csv_free(csv);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.csv\n", argv[0]);
        return 2;
    }
    odoo_client *client = example_connect(); /* example.h */
    odoo_sink *sink = NULL;
    if (!client || csv_sink_open(&sink, argv[1]) != ODOO_OK) {
        fprintf(stderr, "cannot start (%s writable?)\n", argv[1]);
        odoo_client_free(client);
        odoo_sink_free(sink);
        return 1;
    }

    static const char *const fields[] = {"name", "amount_total", NULL};
    odoo_iter *it = NULL;
    json_t *record = NULL;
    int rc = odoo_iter_new(&it, client, "sale.order", NULL, fields, 200);
    const odoo_error *err = odoo_client_last_error(client); /* who failed tells where to look */
    while (rc == ODOO_OK) {
        if ((rc = odoo_iter_next(it, &record)) != 1) { /* 0 at the end, < 0 on failure */
            err = odoo_client_last_error(client);
            break;
        }
        rc = odoo_sink_put(sink, record); /* borrows the record */
        json_decref(record);
        err = odoo_sink_last_error(sink);
    }
    if (rc < 0) {
        fprintf(stderr, "failed: %s: %s\n", odoo_error_name(rc), odoo_error_message(err));
        odoo_sink_abort(sink); /* nothing more is written */
    } else if ((rc = odoo_sink_close(sink)) != ODOO_OK) {
        fprintf(stderr, "close: %s\n", odoo_error_message(odoo_sink_last_error(sink)));
    } else {
        odoo_sink_stats st = ODOO_SINK_STATS_INIT;
        odoo_sink_get_stats(sink, &st);
        printf("sink %s: %llu records, %llu written, %llu bytes, %llu flushes\n",
               odoo_sink_type(sink), st.records, st.written, st.bytes, st.flushes);
    }
    odoo_iter_free(it);
    odoo_sink_free(sink);
    odoo_client_free(client);
    return rc < 0 ? 1 : 0;
}
