// SPDX-License-Identifier: MIT
/*
 * odoo-pickings: stock pickings (transfers) as JSON files.
 *
 *   odoo-pickings export WH/OUT/00012 -o picking.json   picking + moves, whitelisted fields
 *   odoo-pickings status S00042                         state by name or origin
 *   odoo-pickings set-status WH/OUT/00012 done --save upd.json   write, read back, verify
 *   odoo-pickings bulk-update updates.json              grouped writes
 *   odoo-pickings --replay upd.json                     send a saved update again
 *   odoo-pickings call stock.picking my_method '[]' '{"x": 1}'
 *
 * The JSON files are the data contract (docs/odoo-pickings.md): written
 * atomically, keys in a stable order. The connection comes from the
 * environment or an owner-only credentials file, never from the command line.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_common.h"

enum {
    EXIT_NOT_FOUND = 5,  /* no picking (or several) for a reference */
    EXIT_NOT_APPLIED = 6 /* Odoo accepted a write but reading back shows other values */
};

#define PICKINGS "stock.picking"
#define MOVES "stock.move"
#define FORMAT_VERSION 1
#define MAX_ARGS 64 /* positional arguments: the command and up to 63 references */

/*
 * What travels: these fields and no others, in this order. Each list is
 * resolved against the server's fields (tool_fields_resolve, one cached
 * fields_get per model): a field is read under the name the server's version
 * gives it and written under its key here; an optional field (0) the server
 * lacks is left out; a required one (1) the server lacks stops the command
 * (ODOO_EINVAL, exit 2). docs/odoo-pickings.md lists the versions.
 */
static const tool_field picking_spec[] = {
    {"id", NULL, 1}, {"name", NULL, 1}, {"origin", NULL, 1}, {"state", NULL, 1},
    {"partner_id", NULL, 0}, {"picking_type_id", NULL, 0}, {"scheduled_date", NULL, 0},
    {"date_done", NULL, 0}, {"sale_id", NULL, 0}, /* sale_stock */
    {"company_id", NULL, 0}, {"move_ids", NULL, 1}, {NULL, NULL, 0}};
static const tool_field move_spec[] = {
    {"id", NULL, 1},
    {"name", NULL, 0}, /* 16-18 only: 19 has no description field of that meaning */
    {"product_id", NULL, 1}, {"product_uom_qty", NULL, 0},
    {"quantity", "quantity_done", 0}, /* 17+: quantity; 16: quantity_done */
    {"product_uom", NULL, 0}, {"state", NULL, 0}, {"origin", NULL, 0}, {"date", NULL, 0},
    {NULL, NULL, 0}};
static const tool_field status_spec[] = {
    {"id", NULL, 1}, {"name", NULL, 1}, {"origin", NULL, 1}, {"state", NULL, 1},
    {"scheduled_date", NULL, 0}, {"date_done", NULL, 0}, {NULL, NULL, 0}};
static const tool_field ref_spec[] = {
    {"id", NULL, 1}, {"name", NULL, 1}, {"origin", NULL, 1}, {NULL, NULL, 0}};

static void usage(FILE *f)
{
    fputs("Usage: odoo-pickings [OPTIONS] COMMAND [ARGS]\n"
          "\n"
          "Stock pickings (stock.picking) and their moves as JSON files. REF is a picking's\n"
          "name (WH/OUT/00012) or, when no picking has that name, its origin (S00042, or\n"
          "an origin \"S00042 - <customer reference>\" as Odoo 18 writes it). The field\n"
          "lists follow the server's version (docs/odoo-pickings.md).\n"
          "\n"
          "Commands:\n"
          "  export REF [-o FILE]      the picking and its moves (whitelisted fields)\n"
          "  status REF...             id, name, origin, state and dates of the pickings\n"
          "  set-status REF STATE [--save FILE]\n"
          "                            write the state, read it back, verify it took;\n"
          "                            --save writes the update file first (for --replay)\n"
          "  bulk-update FILE [--verify] [--chunk N]\n"
          "                            FILE: a JSON list of {\"ref\" or \"id\", \"values\"}\n"
          "                            (or a saved update file); records needing the same\n"
          "                            values share one write call\n"
          "  call MODEL METHOD [ARGS_JSON [KWARGS_JSON]] [-o FILE]\n"
          "                            call a (custom, e.g. @api.model) method by name\n"
          "  --replay FILE             send a saved update again, then verify it\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE  write the JSON to FILE atomically instead of stdout\n"
          "  --pretty           indent the JSON printed on stdout\n"
          "  --verify           bulk-update: read back and compare every value written,\n"
          "                     as Odoo normalises its field type (html, float digits...)\n"
          "  --chunk N          bulk-update: at most N ids per write call (default 500)\n"
          "  --help, --version\n"
          "\n",
          f);
    fputs(tool_connection_help, f);
    fputs("\n"
          "Errors go to stderr as one line: odoo-pickings: <ERROR_NAME> [<Odoo class>]: <message>\n"
          "\n"
          "Exit status:\n"
          "  0  success\n"
          "  1  Odoo refused a call (access, validation, missing record, user error,\n"
          "     unknown model or method, other server exception)\n"
          "  2  usage error (bad arguments, bad JSON file, missing credentials)\n"
          "  3  authentication failed\n"
          "  4  network, HTTP, timeout, protocol or in-doubt error; a file not written\n"
          "  5  no picking has that name or origin, or an origin names several pickings\n"
          "  6  Odoo accepted a write but reading back shows it did not take\n"
          "\n"
          "See docs/odoo-pickings.md for the file formats.\n",
          f);
}

static int oom(void)
{
    tool_error("out of memory");
    return TOOL_EXIT_TRANSPORT;
}

static int str_is(json_t *v, const char *s)
{
    return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

/* ---- references ------------------------------------------------------------------ */

/* Separates a sale order's name from its customer reference in an origin. */
#define ORIGIN_REF_SEP " - "

/* Is @p origin "<ref> - <customer reference>"? */
static int origin_of_order(json_t *origin, const char *ref)
{
    size_t n = strlen(ref);
    return json_is_string(origin) && strncmp(json_string_value(origin), ref, n) == 0
           && strncmp(json_string_value(origin) + n, ORIGIN_REF_SEP,
                      strlen(ORIGIN_REF_SEP)) == 0;
}

/* "<ref> - %" as an =like pattern: the wildcards of @p ref escaped. */
static json_t *origin_pattern(const char *ref)
{
    size_t n = strlen(ref), k = 0;
    char *p = malloc(2 * n + sizeof(ORIGIN_REF_SEP "%"));
    json_t *v;
    if (!p)
        return NULL;
    for (; *ref; ref++) {
        if (*ref == '%' || *ref == '_' || *ref == '\\')
            p[k++] = '\\';
        p[k++] = *ref;
    }
    memcpy(p + k, ORIGIN_REF_SEP "%", sizeof(ORIGIN_REF_SEP "%"));
    v = json_string(p);
    free(p);
    return v;
}

/* The pickings of @p refs (its order) whose origin starts "<ref> - ". */
static int find_by_order_origin(odoo_client *c, json_t *refs, const char *const *fields,
                                json_t **rows)
{
    json_t *domain = json_array(), *ref;
    size_t i;
    int rc;
    if (!domain)
        return ODOO_ENOMEM;
    for (i = 1; i < json_array_size(refs); i++)
        json_array_append_new(domain, json_string("|"));
    json_array_foreach(refs, i, ref)
        json_array_append_new(domain, json_pack("[s, s, o]", "origin", "=like",
                                                origin_pattern(json_string_value(ref))));
    rc = odoo_search_read(c, rows, PICKINGS, domain, fields, "id asc", 0, 0, NULL);
    json_decref(domain);
    return rc;
}

/*
 * The pickings of every reference of @p refs: those named REF; or else those
 * whose origin is REF; or else those whose origin is "REF - <customer
 * reference>", as Odoo writes it for a sale order that has one. One
 * search_read, and a second one only for the references the first did not find.
 * @param[out] found  new reference: {ref: [records]}
 */
static int find_pickings(odoo_client *c, json_t *refs, const char *const *fields, json_t **found)
{
    json_t *domain, *rows = NULL, *more = NULL, *missing = NULL, *ref, *row;
    size_t i, j;
    int rc;

    *found = NULL;
    domain = json_pack("[s, [s, s, O], [s, s, O]]", "|", "name", "in", refs, "origin", "in", refs);
    if (!domain)
        return ODOO_ENOMEM;
    rc = odoo_search_read(c, &rows, PICKINGS, domain, fields, "id asc", 0, 0, NULL);
    json_decref(domain);
    if (rc != ODOO_OK)
        return rc;
    *found = json_object();
    missing = json_array();
    json_array_foreach(refs, i, ref) {
        const char *r = json_string_value(ref);
        json_t *by_name = json_array(), *by_origin = json_array();
        json_array_foreach(rows, j, row) {
            if (str_is(json_object_get(row, "name"), r))
                json_array_append(by_name, row);
            else if (str_is(json_object_get(row, "origin"), r))
                json_array_append(by_origin, row);
        }
        json_object_set(*found, r, json_array_size(by_name) ? by_name : by_origin);
        if (json_array_size(by_name) + json_array_size(by_origin) == 0)
            json_array_append(missing, ref);
        json_decref(by_name);
        json_decref(by_origin);
    }
    if (json_array_size(missing) > 0) {
        if ((rc = find_by_order_origin(c, missing, fields, &more)) != ODOO_OK) {
            json_decref(*found);
            *found = NULL;
        }
        json_array_foreach(missing, i, ref) {
            json_t *matches = json_object_get(*found, json_string_value(ref));
            json_array_foreach(more, j, row)
                if (origin_of_order(json_object_get(row, "origin"), json_string_value(ref)))
                    json_array_append(matches, row);
        }
    }
    json_decref(rows);
    json_decref(more);
    json_decref(missing);
    if (rc != ODOO_OK)
        return rc;
    return *found ? ODOO_OK : ODOO_ENOMEM;
}

/* Explain why @p matches is not exactly one picking. */
static int not_one(const char *what, const char *ref, json_t *matches)
{
    char names[160] = "";
    size_t i, used = 0;
    json_t *m;
    if (json_array_size(matches) == 0) {
        tool_error("%sno picking has the name or origin '%s'", what, ref);
        return EXIT_NOT_FOUND;
    }
    json_array_foreach(matches, i, m) {
        int n = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
                         json_string_value(json_object_get(m, "name")));
        if (n < 0 || (size_t)n >= sizeof(names) - used)
            break;
        used += (size_t)n;
    }
    tool_error("%s'%s' is the origin of %zu pickings (%s): give the picking's name", what, ref,
               json_array_size(matches), names);
    return EXIT_NOT_FOUND;
}

/* Resolve a field list of @p model against the server; an exit status. */
static int resolve_fields(odoo_client *c, const char *model, const tool_field *spec,
                          tool_fields *fs)
{
    int rc = tool_fields_resolve(c, model, spec, fs);
    return rc == ODOO_OK ? TOOL_EXIT_OK : tool_odoo_error(c, rc);
}

/* The one picking REF designates (*rec: new reference, the fields of @p fs).
 * Returns an exit status. */
static int resolve_one(odoo_client *c, const char *ref, const tool_fields *fs, json_t **rec)
{
    json_t *refs = json_pack("[s]", ref), *found = NULL, *matches;
    int rc, status;
    if (!refs)
        return oom();
    rc = find_pickings(c, refs, fs->names, &found);
    json_decref(refs);
    if (rc != ODOO_OK)
        return tool_odoo_error(c, rc);
    matches = json_object_get(found, ref);
    if (json_array_size(matches) == 1) {
        *rec = json_incref(json_array_get(matches, 0));
        status = TOOL_EXIT_OK;
    } else {
        status = not_one("", ref, matches);
    }
    json_decref(found);
    return status;
}

/* ---- export, status ------------------------------------------------------------- */

static int cmd_export(odoo_client *c, const char *ref, const char *out_path, int pretty)
{
    json_t *rec = NULL, *moves = NULL, *doc = NULL, *list, *m, *move_ids;
    tool_fields pf = {0}, mf = {0};
    size_t i;
    int rc, status;

    if ((status = resolve_fields(c, PICKINGS, picking_spec, &pf)) != TOOL_EXIT_OK)
        return status;
    if ((status = resolve_one(c, ref, &pf, &rec)) != TOOL_EXIT_OK)
        goto out;
    move_ids = json_object_get(rec, "move_ids");
    if (json_array_size(move_ids) > 0) {
        if ((status = resolve_fields(c, MOVES, move_spec, &mf)) != TOOL_EXIT_OK)
            goto out;
        rc = odoo_read(c, &moves, MOVES, move_ids, mf.names, NULL);
        if (rc != ODOO_OK) {
            status = tool_odoo_error(c, rc);
            goto out;
        }
    }
    /* {"version", "model", "picking", "moves"}, each record in whitelist order */
    list = json_array();
    json_array_foreach(moves, i, m)
        json_array_append_new(list, tool_fields_pick(&mf, m));
    doc = json_pack("{s:i, s:s, s:o, s:o}", "version", FORMAT_VERSION, "model", PICKINGS,
                    "picking", tool_fields_pick(&pf, rec), "moves", list);
    if (!doc)
        status = oom();
    else if (!out_path)
        status = tool_print_json(doc, pretty) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
    else if (tool_write_json(out_path, doc) != 0)
        status = TOOL_EXIT_TRANSPORT;
    else {
        json_t *summary = json_pack("{s:O, s:O, s:I, s:s}", "id", json_object_get(rec, "id"),
                                    "name", json_object_get(rec, "name"), "moves",
                                    (json_int_t)json_array_size(list), "file", out_path);
        status = tool_print_json(summary, pretty) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
        json_decref(summary);
    }
    json_decref(doc);
out:
    json_decref(moves);
    json_decref(rec);
    tool_fields_free(&pf);
    tool_fields_free(&mf);
    return status;
}

static int cmd_status(odoo_client *c, const char *const *refv, int refc, int pretty)
{
    json_t *refs, *found = NULL, *out, *seen, *matches, *m;
    tool_fields fs;
    int i, rc, missing = 0;
    size_t j;

    if ((rc = resolve_fields(c, PICKINGS, status_spec, &fs)) != TOOL_EXIT_OK)
        return rc;
    refs = json_array();
    for (i = 0; i < refc; i++)
        json_array_append_new(refs, json_string(refv[i]));
    rc = find_pickings(c, refs, fs.names, &found);
    json_decref(refs);
    if (rc != ODOO_OK) {
        tool_fields_free(&fs);
        return tool_odoo_error(c, rc);
    }
    out = json_array();
    seen = json_object(); /* a picking named by two references is listed once */
    for (i = 0; i < refc; i++) {
        matches = json_object_get(found, refv[i]);
        if (json_array_size(matches) == 0)
            missing += not_one("", refv[i], matches) != 0;
        json_array_foreach(matches, j, m) {
            char idtext[32];
            snprintf(idtext, sizeof(idtext), "%lld",
                     (long long)json_integer_value(json_object_get(m, "id")));
            if (json_object_get(seen, idtext))
                continue;
            json_object_set_new(seen, idtext, json_true());
            json_array_append_new(out, tool_fields_pick(&fs, m));
        }
    }
    rc = tool_print_json(out, pretty);
    json_decref(out);
    json_decref(seen);
    json_decref(found);
    tool_fields_free(&fs);
    if (rc != 0)
        return TOOL_EXIT_TRANSPORT;
    return missing ? EXIT_NOT_FOUND : TOOL_EXIT_OK;
}

/* ---- writes and their verification ------------------------------------------------ */

static void print_mismatch(const char *model, json_t *u, const char *field, json_t *sent,
                           json_t *got)
{
    char *s = json_dumps(sent, JSON_ENCODE_ANY | JSON_COMPACT);
    char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_t *ref = json_object_get(u, "ref");
    char label[160] = "";
    if (ref)
        snprintf(label, sizeof(label), " (%s)", json_string_value(ref));
    if (!got)
        tool_error("%s %lld%s: the record is gone after the write", model,
                   (long long)json_integer_value(json_object_get(u, "id")), label);
    else
        tool_error("%s %lld%s: %s is %s after writing %s: the write did not take", model,
                   (long long)json_integer_value(json_object_get(u, "id")), label, field,
                   g ? g : "?", s ? s : "?");
    free(s);
    free(g);
}

/*
 * Read back every record of @p updates ([{"id", "values", "ref"?}]) and compare,
 * the way Odoo normalises each field type (tool_value_matches): a value that
 * differs as sent costs one fields_get for the types and digits, then is
 * compared again by its field's type.
 * @param[out] mismatches new reference: [{"id", "field", "sent", "read"}]
 */
static int verify_updates(odoo_client *c, const char *model, json_t *updates, json_t **mismatches)
{
    static const char *const attributes[] = {"type", "digits", NULL};
    json_t *names = json_object(), *ids = json_array(), *rows = NULL, *by_id = json_object();
    json_t *u, *row, *sent, *types = NULL;
    const char **fields = NULL, *key;
    size_t i, n = 0;
    char idtext[32];
    int rc = ODOO_ENOMEM;

    *mismatches = json_array();
    if (!names || !ids || !by_id || !*mismatches)
        goto done;
    /* one read: the union of the fields written */
    json_object_set_new(names, "id", json_true());
    json_array_foreach(updates, i, u) {
        json_array_append(ids, json_object_get(u, "id"));
        json_object_foreach(json_object_get(u, "values"), key, sent)
            json_object_set_new(names, key, json_true());
    }
    if (!(fields = calloc(json_object_size(names) + 1, sizeof(*fields))))
        goto done;
    json_object_foreach(names, key, sent)
        fields[n++] = key;
    if ((rc = odoo_read(c, &rows, model, ids, fields, NULL)) != ODOO_OK)
        goto done;
    json_array_foreach(rows, i, row) {
        snprintf(idtext, sizeof(idtext), "%lld",
                 (long long)json_integer_value(json_object_get(row, "id")));
        json_object_set(by_id, idtext, row);
    }
    json_array_foreach(updates, i, u) {
        snprintf(idtext, sizeof(idtext), "%lld",
                 (long long)json_integer_value(json_object_get(u, "id")));
        row = json_object_get(by_id, idtext);
        json_object_foreach(json_object_get(u, "values"), key, sent) {
            json_t *got = row ? json_object_get(row, key) : NULL;
            if (row && tool_value_matches(NULL, sent, got))
                continue;
            if (row && !types
                && (rc = odoo_fields_get(c, &types, model, attributes, NULL)) != ODOO_OK)
                goto done;
            if (row && tool_value_matches(json_object_get(types, key), sent, got))
                continue;
            print_mismatch(model, u, key, sent, got);
            json_array_append_new(*mismatches,
                                  json_pack("{s:O, s:s, s:O, s:O}", "id", json_object_get(u, "id"),
                                            "field", key, "sent", sent, "read",
                                            got ? got : json_null()));
            if (!row)
                break;
        }
    }
done:
    free(fields);
    json_decref(types);
    json_decref(names);
    json_decref(ids);
    json_decref(rows);
    json_decref(by_id);
    return rc;
}

/*
 * Check an update file: a JSON list of {"ref" or "id", "values"}, or a saved
 * update {"version": 1, "model": M, "updates": [...]} (the only form --replay
 * takes). *model and *updates are borrowed from @p doc.
 */
static int parse_updates(const char *path, json_t *doc, int saved_only, const char **model,
                         json_t **updates)
{
    json_t *u, *v;
    const char *key;
    size_t i;

    *model = PICKINGS;
    *updates = doc;
    if (json_is_object(doc)) {
        json_object_foreach(doc, key, v) {
            if (strcmp(key, "version") && strcmp(key, "model") && strcmp(key, "updates")) {
                tool_error("%s: unknown key '%s' (version, model, updates)", path, key);
                return TOOL_EXIT_USAGE;
            }
        }
        v = json_object_get(doc, "version");
        if (!json_is_integer(v) || json_integer_value(v) != FORMAT_VERSION) {
            tool_error("%s: \"version\" must be %d", path, FORMAT_VERSION);
            return TOOL_EXIT_USAGE;
        }
        v = json_object_get(doc, "model");
        if (!str_is(v, PICKINGS) && !str_is(v, MOVES)) {
            tool_error("%s: \"model\" must be \"" PICKINGS "\" or \"" MOVES "\"", path);
            return TOOL_EXIT_USAGE;
        }
        *model = json_string_value(v);
        *updates = json_object_get(doc, "updates");
    } else if (saved_only) {
        tool_error("%s: not a saved update ({\"version\": %d, \"model\", \"updates\"})", path,
                   FORMAT_VERSION);
        return TOOL_EXIT_USAGE;
    }
    if (!json_is_array(*updates) || json_array_size(*updates) == 0) {
        tool_error("%s: expected a non-empty list of updates", path);
        return TOOL_EXIT_USAGE;
    }
    json_array_foreach(*updates, i, u) {
        json_t *id = json_object_get(u, "id"), *ref = json_object_get(u, "ref");
        const char *why = NULL;
        if (!json_is_object(u))
            why = "not an object";
        else if (json_object_size(u) != (size_t)(!!id + !!ref + !!json_object_get(u, "values")))
            why = "only \"ref\", \"id\" and \"values\" are allowed";
        else if (!id && !ref)
            why = "\"ref\" or \"id\" is required";
        else if (id && (!json_is_integer(id) || json_integer_value(id) <= 0))
            why = "\"id\" must be a positive integer";
        else if (ref && (!json_is_string(ref) || json_string_length(ref) == 0))
            why = "\"ref\" must be a picking name or origin";
        else if (ref && strcmp(*model, PICKINGS) != 0)
            why = "\"ref\" is for pickings only: give the \"id\"";
        else if (!json_is_object(json_object_get(u, "values"))
                 || json_object_size(json_object_get(u, "values")) == 0)
            why = "\"values\" must be a non-empty object";
        if (why) {
            tool_error("%s: update %zu: %s", path, i + 1, why);
            return TOOL_EXIT_USAGE;
        }
    }
    return TOOL_EXIT_OK;
}

/*
 * Turn references into ids, in one search_read: *out = [{"id", "values",
 * "ref"?}]. A reference that names no picking, or a "ref" and an "id" that
 * disagree, stop everything before any write.
 */
static int resolve_updates(odoo_client *c, const char *path, json_t *updates, json_t **out)
{
    json_t *refs = json_array(), *found = NULL, *seen = json_object(), *u;
    tool_fields rf = {0};
    size_t i;
    int rc, status = TOOL_EXIT_OK;
    char where[64], idtext[32];

    *out = json_array();
    if (!refs || !seen || !*out) {
        status = oom();
        goto done;
    }
    json_array_foreach(updates, i, u)
        if (json_object_get(u, "ref"))
            json_array_append(refs, json_object_get(u, "ref"));
    if (json_array_size(refs) > 0) {
        if ((status = resolve_fields(c, PICKINGS, ref_spec, &rf)) != TOOL_EXIT_OK)
            goto done;
        if ((rc = find_pickings(c, refs, rf.names, &found)) != ODOO_OK) {
            status = tool_odoo_error(c, rc);
            goto done;
        }
    }
    json_array_foreach(updates, i, u) {
        json_t *id = json_object_get(u, "id"), *ref = json_object_get(u, "ref"), *prev;
        snprintf(where, sizeof(where), "%s: update %zu: ", path, i + 1);
        if (ref) {
            json_t *matches = json_object_get(found, json_string_value(ref));
            json_t *rid = json_object_get(json_array_get(matches, 0), "id");
            if (json_array_size(matches) != 1) {
                status = not_one(where, json_string_value(ref), matches);
                goto done;
            }
            if (id && json_integer_value(id) != json_integer_value(rid)) {
                tool_error("%s'%s' is picking %lld, not %lld", where, json_string_value(ref),
                           (long long)json_integer_value(rid), (long long)json_integer_value(id));
                status = EXIT_NOT_FOUND;
                goto done;
            }
            id = rid;
        }
        snprintf(idtext, sizeof(idtext), "%lld", (long long)json_integer_value(id));
        if ((prev = json_object_get(seen, idtext))) {
            tool_error("%srecord %s is already updated by update %lld", where, idtext,
                       (long long)json_integer_value(prev));
            status = TOOL_EXIT_USAGE;
            goto done;
        }
        json_object_set_new(seen, idtext, json_integer((json_int_t)i + 1));
        json_array_append_new(*out, ref ? json_pack("{s:O, s:O, s:O}", "id", id, "values",
                                                    json_object_get(u, "values"), "ref", ref)
                                        : json_pack("{s:O, s:O}", "id", id, "values",
                                                    json_object_get(u, "values")));
    }
done:
    json_decref(refs);
    json_decref(found);
    json_decref(seen);
    tool_fields_free(&rf);
    return status;
}

/*
 * An update written with an output key of the export (e.g. "quantity" of a
 * move) goes to the field's name on this server ("quantity_done" on 16).
 * Keys the model has, and the others, are left as they are (the write names
 * an unknown field). Returns ODOO_OK or the fields_get error.
 */
static int rename_values(odoo_client *c, const char *model, json_t *resolved)
{
    const tool_field *spec = strcmp(model, MOVES) == 0 ? move_spec : picking_spec;
    json_t *u, *values, *copy, *v;
    const char *one[2] = {NULL, NULL};
    size_t i, k;
    int rc;

    json_array_foreach(resolved, i, u) {
        values = json_object_get(u, "values");
        for (k = 0; spec[k].key; k++) {
            if (!spec[k].other || !(v = json_object_get(values, spec[k].key))
                || json_object_get(values, spec[k].other))
                continue;
            one[0] = spec[k].key;
            if ((rc = odoo_fields_check(c, model, one)) == ODOO_OK)
                continue;
            if (rc != ODOO_EINVAL)
                return rc;
            one[0] = spec[k].other;
            if (odoo_fields_check(c, model, one) != ODOO_OK)
                continue;
            if (!(copy = json_copy(values)) || json_object_set(copy, spec[k].other, v)
                || json_object_del(copy, spec[k].key) || json_object_set_new(u, "values", copy))
                return ODOO_ENOMEM;
            values = copy;
        }
    }
    return ODOO_OK;
}

/* bulk-update and --replay: resolve, grouped writes, optional read-back. */
static int cmd_bulk(odoo_client *c, const char *path, json_t *doc, int saved_only,
                    size_t chunk, int verify, int pretty)
{
    json_t *updates, *resolved = NULL, *mismatches = NULL, *ids, *u, *summary;
    const char *model;
    unsigned long calls = 0;
    size_t i;
    int rc, status;

    if ((status = parse_updates(path, doc, saved_only, &model, &updates)) != TOOL_EXIT_OK)
        return status;
    if ((status = resolve_updates(c, path, updates, &resolved)) != TOOL_EXIT_OK) {
        json_decref(resolved);
        return status;
    }
    if ((rc = rename_values(c, model, resolved)) != ODOO_OK) {
        json_decref(resolved);
        return tool_odoo_error(c, rc);
    }
    rc = odoo_write_grouped(c, model, resolved, chunk, &calls, NULL);
    if (rc != ODOO_OK) {
        status = tool_odoo_error(c, rc);
        if (calls)
            tool_error("%lu write call(s) had succeeded before this one", calls);
        json_decref(resolved);
        return status;
    }
    if (verify && (rc = verify_updates(c, model, resolved, &mismatches)) != ODOO_OK) {
        status = tool_odoo_error(c, rc);
        json_decref(mismatches);
        json_decref(resolved);
        return status;
    }
    ids = json_array();
    json_array_foreach(resolved, i, u)
        json_array_append(ids, json_object_get(u, "id"));
    summary = json_pack("{s:s, s:I, s:I, s:o}", "model", model, "records",
                        (json_int_t)json_array_size(resolved), "write_calls", (json_int_t)calls,
                        "ids", ids);
    if (summary && verify)
        json_object_set(summary, "mismatches", mismatches);
    status = summary && tool_print_json(summary, pretty) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
    if (status == TOOL_EXIT_OK && json_array_size(mismatches) > 0)
        status = EXIT_NOT_APPLIED;
    json_decref(summary);
    json_decref(mismatches);
    json_decref(resolved);
    return status;
}

static int cmd_set_status(odoo_client *c, const char *ref, const char *state,
                          const char *save, int pretty)
{
    json_t *rec = NULL, *update, *updates, *mismatches = NULL, *ids, *back, *out;
    tool_fields fs;
    int rc, status;

    if ((status = resolve_fields(c, PICKINGS, status_spec, &fs)) != TOOL_EXIT_OK)
        return status;
    status = resolve_one(c, ref, &fs, &rec);
    tool_fields_free(&fs);
    if (status != TOOL_EXIT_OK)
        return status;
    update = json_pack("{s:O, s:O, s:{s:s}}", "ref", json_object_get(rec, "name"), "id",
                       json_object_get(rec, "id"), "values", "state", state);
    updates = json_pack("[o]", update);
    /* saved before it is sent: a failed or in-doubt write can be replayed */
    if (save) {
        json_t *doc = json_pack("{s:i, s:s, s:O}", "version", FORMAT_VERSION, "model", PICKINGS,
                                "updates", updates);
        status = doc && tool_write_json(save, doc) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
        json_decref(doc);
        if (status != TOOL_EXIT_OK)
            goto done;
    }
    ids = json_pack("[O]", json_object_get(rec, "id"));
    rc = odoo_write(c, PICKINGS, ids, json_object_get(update, "values"), NULL);
    json_decref(ids);
    if (rc == ODOO_OK)
        rc = verify_updates(c, PICKINGS, updates, &mismatches);
    if (rc != ODOO_OK) {
        status = tool_odoo_error(c, rc);
        goto done;
    }
    back = json_array_get(mismatches, 0);
    out = json_pack("{s:O, s:O, s:O, s:o}", "id", json_object_get(rec, "id"), "name",
                    json_object_get(rec, "name"), "before", json_object_get(rec, "state"),
                    "state", back ? json_incref(json_object_get(back, "read")) : json_string(state));
    status = out && tool_print_json(out, pretty) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
    if (status == TOOL_EXIT_OK && back)
        status = EXIT_NOT_APPLIED;
    json_decref(out);
done:
    json_decref(mismatches);
    json_decref(updates);
    json_decref(rec);
    return status;
}

static int cmd_call(odoo_client *c, const char *model, const char *method, json_t *args,
                    json_t *kwargs, const char *out_path, int pretty)
{
    json_t *res = NULL;
    int rc = odoo_call_kw(c, &res, model, method, args, kwargs, NULL), status;
    if (rc != ODOO_OK)
        return tool_odoo_error(c, rc);
    if (out_path)
        status = tool_write_json(out_path, res) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
    else
        status = tool_print_json(res, pretty) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_TRANSPORT;
    json_decref(res);
    return status;
}

/* ---- command line --------------------------------------------------------------- */

static json_t *parse_json_arg(const char *text, int want_array, const char *what)
{
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    if (want_array ? !json_is_array(v) : !json_is_object(v)) {
        tool_error("%s must be a JSON %s%s%s", what, want_array ? "array" : "object",
                   v ? "" : ": ", v ? "" : jerr.text);
        json_decref(v);
        return NULL;
    }
    return v;
}

int main(int argc, char **argv)
{
    tool_conn tc;
    odoo_client *client = NULL;
    const char *pos[MAX_ARGS], *out_path = NULL, *save = NULL, *replay = NULL, *cmd;
    json_t *doc = NULL, *args = NULL, *kwargs = NULL;
    int npos = 0, pretty = 0, verify = 0, i, status, ok;
    long chunk = 0;

    signal(SIGPIPE, SIG_IGN); /* a dropped TLS connection must not kill us */
    tool_prog = "odoo-pickings";
    tool_conn_init(&tc);

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = tool_conn_option(&tc, argc, argv, &i);
        if (r < 0)
            return TOOL_EXIT_USAGE;
        if (r > 0)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return TOOL_EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("odoo-pickings (libodoo %s)\n", odoo_version());
            return TOOL_EXIT_OK;
        } else if (strcmp(a, "--pretty") == 0) {
            pretty = 1;
        } else if (strcmp(a, "--verify") == 0) {
            verify = 1;
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(a, "--save") == 0 && i + 1 < argc) {
            save = argv[++i];
        } else if (strcmp(a, "--replay") == 0 && i + 1 < argc) {
            replay = argv[++i];
        } else if (strcmp(a, "--chunk") == 0 && i + 1 < argc) {
            char *end;
            chunk = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || chunk <= 0 || chunk > 100000) {
                tool_error("--chunk wants a number of ids from 1 to 100000");
                return TOOL_EXIT_USAGE;
            }
        } else if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                if (npos < MAX_ARGS)
                    pos[npos++] = argv[i];
                else
                    npos = MAX_ARGS + 1;
        } else if (a[0] == '-' && a[1]) {
            tool_error("unknown option %s, or a missing value (see --help)", a);
            return TOOL_EXIT_USAGE;
        } else if (npos < MAX_ARGS) {
            pos[npos++] = a;
        } else {
            npos = MAX_ARGS + 1;
        }
    }

    /* check the arguments and read the input files before connecting */
    cmd = replay ? "--replay" : npos ? pos[0] : "";
    if (replay)
        ok = npos == 0;
    else if (strcmp(cmd, "export") == 0)
        ok = npos == 2;
    else if (strcmp(cmd, "status") == 0)
        ok = npos >= 2 && npos <= MAX_ARGS;
    else if (strcmp(cmd, "set-status") == 0)
        ok = npos == 3;
    else if (strcmp(cmd, "bulk-update") == 0)
        ok = npos == 2;
    else if (strcmp(cmd, "call") == 0)
        ok = npos >= 3 && npos <= 5;
    else
        ok = 0;
    if (!ok || (out_path && strcmp(cmd, "export") && strcmp(cmd, "call"))
        || (save && strcmp(cmd, "set-status"))
        || ((verify || chunk) && strcmp(cmd, "bulk-update"))) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    if (replay || strcmp(cmd, "bulk-update") == 0) {
        if (!(doc = tool_load_json(replay ? replay : pos[1])))
            return TOOL_EXIT_USAGE;
    } else if (strcmp(cmd, "call") == 0) {
        if ((npos > 3 && !(args = parse_json_arg(pos[3], 1, "ARGS_JSON")))
            || (npos > 4 && !(kwargs = parse_json_arg(pos[4], 0, "KWARGS_JSON")))) {
            json_decref(args);
            return TOOL_EXIT_USAGE;
        }
    }

    status = tool_connect(&tc, &client);
    if (status != TOOL_EXIT_OK)
        ;
    else if (replay)
        status = cmd_bulk(client, replay, doc, 1, 0, 1, pretty);
    else if (strcmp(cmd, "export") == 0)
        status = cmd_export(client, pos[1], out_path, pretty);
    else if (strcmp(cmd, "status") == 0)
        status = cmd_status(client, pos + 1, npos - 1, pretty);
    else if (strcmp(cmd, "set-status") == 0)
        status = cmd_set_status(client, pos[1], pos[2], save, pretty);
    else if (strcmp(cmd, "bulk-update") == 0)
        status = cmd_bulk(client, pos[1], doc, 0, (size_t)chunk, verify, pretty);
    else
        status = cmd_call(client, pos[1], pos[2], args, kwargs, out_path, pretty);
    json_decref(doc);
    json_decref(args);
    json_decref(kwargs);
    odoo_client_free(client);
    return status;
}
