// SPDX-License-Identifier: MIT
/*
 * libodoo - internal declarations of the sink layer (src/sink: the sink
 * interface and the JSON file sink). It uses src/util (util.h) and the
 * core's public API. Nothing here is part of the public API or ABI.
 */
#ifndef ODOO_SINK_INTERNAL_H
#define ODOO_SINK_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "odoo.h"
#include "util.h"

/* ---- the generic sink (sink.c) ------------------------------------------------ */

struct odoo_sink {
    const odoo_sink_ops *ops;
    void *impl;          /* owned when owns_impl */
    int owns_impl;
    int closed;
    int aborted; /* odoo_sink_abort(): impl released, nothing committed */
    unsigned long long counters[ODOO_SINK_COUNTER_COUNT];
    odoo_error err;
};

/* A closed sink without an implementation that holds a copy of err (for the
 * constructors' failure path). NULL on allocation failure. */
odoo_sink *odoo__sink_failed(const odoo_error *err);

/* ---- JSON text (json_write.c) -------------------------------------------------- */

#endif /* ODOO_SINK_INTERNAL_H */
