// SPDX-License-Identifier: MIT
/*
 * libodoo - the generic sink: dispatch to an implementation's functions,
 * counters, error detail, the open/closed state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink_internal.h"

int odoo_sink_open(odoo_sink **out, const odoo_sink_ops *ops, void *impl)
{
    odoo_sink *s;
    int rc;
    if (!out)
        return ODOO_EINVAL;
    *out = NULL;
    if (!ops || ops->version != ODOO_SINK_OPS_VERSION || !ops->put)
        return ODOO_EINVAL;
    s = odoo__calloc(1, sizeof(*s));
    if (!s)
        return ODOO_ENOMEM;
    odoo__error_init(&s->err);
    s->ops = ops;
    s->impl = impl;
    if (ops->open) {
        rc = ops->open(s, impl);
        if (rc != ODOO_OK) {
            /* the implementation stays the caller's */
            s->owns_impl = 0;
            s->impl = NULL;
            s->closed = 1;
            if (s->err.code == ODOO_OK)
                odoo__error_set(&s->err, rc, 0, "%s sink: open failed: %s",
                                ops->type ? ops->type : "custom", odoo_strerror(rc));
            *out = s;
            return rc;
        }
    }
    s->owns_impl = 1;
    *out = s;
    return ODOO_OK;
}

odoo_sink *odoo__sink_failed(const odoo_error *err)
{
    odoo_sink *s = odoo__calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    odoo__error_init(&s->err);
    s->closed = 1;
    (void)odoo_sink_set_error_from(s, err);
    return s;
}

static int check_open(odoo_sink *sink)
{
    if (sink->aborted)
        return odoo__error_set(&sink->err, ODOO_EINVAL, 0, "sink: aborted");
    if (sink->closed || !sink->ops)
        return odoo__error_set(&sink->err, ODOO_EINVAL, 0, "sink: already closed");
    return ODOO_OK;
}

int odoo_sink_put(odoo_sink *sink, json_t *record)
{
    int rc;
    if (!sink)
        return ODOO_EINVAL;
    if ((rc = check_open(sink)) != ODOO_OK)
        return rc;
    odoo__error_clear(&sink->err);
    if (!record || !json_is_object(record))
        return odoo__error_set(&sink->err, ODOO_EINVAL, 0,
                               "sink: a record must be a JSON object");
    sink->counters[ODOO_SINK_RECORDS]++;
    rc = sink->ops->put(sink, sink->impl, record);
    if (rc == ODOO_OK)
        odoo__error_clear(&sink->err);
    else if (sink->err.code == ODOO_OK)
        odoo__error_set(&sink->err, rc, 0, "%s sink: put failed: %s", odoo_sink_type(sink),
                        odoo_strerror(rc));
    return rc;
}

/* The implementation's flush or close (@p what) answered @p rc: a flush counted,
 * or its error kept (the implementation's own, else one naming @p what). */
static int flushed(odoo_sink *sink, int rc, const char *what)
{
    if (rc == ODOO_OK) {
        odoo__error_clear(&sink->err);
        sink->counters[ODOO_SINK_FLUSHES]++;
    } else if (sink->err.code == ODOO_OK) {
        odoo__error_set(&sink->err, rc, 0, "%s sink: %s failed: %s", odoo_sink_type(sink), what,
                        odoo_strerror(rc));
    }
    return rc;
}

int odoo_sink_flush(odoo_sink *sink)
{
    int rc = ODOO_OK;
    if (!sink)
        return ODOO_EINVAL;
    if ((rc = check_open(sink)) != ODOO_OK)
        return rc;
    odoo__error_clear(&sink->err);
    if (sink->ops->flush)
        rc = sink->ops->flush(sink, sink->impl);
    return flushed(sink, rc, "flush");
}

int odoo_sink_close(odoo_sink *sink)
{
    int rc = ODOO_OK;
    if (!sink)
        return ODOO_EINVAL;
    if (sink->aborted)
        return odoo__error_set(&sink->err, ODOO_EINVAL, 0, "sink: aborted, not closed");
    if (sink->closed)
        return sink->ops ? ODOO_OK : sink->err.code;
    odoo__error_clear(&sink->err);
    if (sink->ops->close)
        rc = sink->ops->close(sink, sink->impl);
    else if (sink->ops->flush)
        rc = sink->ops->flush(sink, sink->impl);
    sink->closed = 1;
    return flushed(sink, rc, "close");
}

int odoo_sink_abort(odoo_sink *sink)
{
    if (!sink)
        return ODOO_EINVAL;
    if (sink->closed || sink->aborted)
        return ODOO_OK;
    /* the implementation's free is its abort (see odoo_sink_ops.free) */
    if (sink->owns_impl && sink->ops && sink->ops->free)
        sink->ops->free(sink->impl);
    sink->impl = NULL;
    sink->owns_impl = 0;
    sink->aborted = 1;
    sink->closed = 1;
    return ODOO_OK;
}

void odoo_sink_free(odoo_sink *sink)
{
    if (!sink)
        return;
    if (sink->owns_impl && sink->ops && sink->ops->free)
        sink->ops->free(sink->impl);
    odoo__error_clear(&sink->err);
    free(sink);
}

const odoo_error *odoo_sink_last_error(const odoo_sink *sink)
{
    return sink ? &sink->err : NULL;
}

unsigned long long odoo_sink_stat(const odoo_sink *sink, odoo_sink_counter which)
{
    if (!sink || (int)which < 0 || (int)which >= ODOO_SINK_COUNTER_COUNT)
        return 0;
    return sink->counters[which];
}

int odoo_sink_get_stats(const odoo_sink *sink, odoo_sink_stats *st)
{
    if (!sink || !st || st->version < 1 || st->version > ODOO_SINK_STATS_VERSION)
        return ODOO_EINVAL;
    st->records = sink->counters[ODOO_SINK_RECORDS];
    st->written = sink->counters[ODOO_SINK_WRITTEN];
    st->skipped = sink->counters[ODOO_SINK_SKIPPED];
    st->retried = sink->counters[ODOO_SINK_RETRIED];
    st->dead_lettered = sink->counters[ODOO_SINK_DEAD_LETTERED];
    st->failed = sink->counters[ODOO_SINK_FAILED];
    st->requests = sink->counters[ODOO_SINK_REQUESTS];
    st->throttled = sink->counters[ODOO_SINK_THROTTLED];
    st->unprocessed = sink->counters[ODOO_SINK_UNPROCESSED];
    st->bytes = sink->counters[ODOO_SINK_BYTES];
    st->flushes = sink->counters[ODOO_SINK_FLUSHES];
    if (st->version >= 2) /* a version 1 struct ends before it */
        st->gave_up = sink->counters[ODOO_SINK_GAVE_UP];
    return ODOO_OK;
}

const char *odoo_sink_type(const odoo_sink *sink)
{
    if (!sink || !sink->ops)
        return "none";
    return sink->ops->type ? sink->ops->type : "custom";
}

int odoo_sink_is_closed(const odoo_sink *sink)
{
    return sink ? sink->closed : 1;
}

int odoo_sink_set_error(odoo_sink *sink, int code, const char *fmt, ...)
{
    va_list ap;
    if (!sink || !fmt)
        return code;
    va_start(ap, fmt);
    odoo__error_setv(&sink->err, code, 0, fmt, ap);
    va_end(ap);
    return code;
}

int odoo_sink_set_error_from(odoo_sink *sink, const odoo_error *err)
{
    if (!sink || !err)
        return ODOO_EINVAL;
    odoo__error_copy(&sink->err, err);
    return sink->err.code;
}

void odoo_sink_count(odoo_sink *sink, odoo_sink_counter which, unsigned long long n)
{
    if (!sink || (int)which < 0 || (int)which >= ODOO_SINK_COUNTER_COUNT)
        return;
    sink->counters[which] += n;
}
