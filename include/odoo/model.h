// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo - model.h: typed helpers over call_kw with field whitelists,
 * keyset pagination, incremental cursors and batches.
 *
 * Field lists are NULL-terminated arrays of field names:
 *
 *   static const char *const fields[] = {"name", "partner_id", NULL};
 *
 * Only the fields named travel. Before any data moves, each name is checked
 * against the model's fields (fields_get, cached on the client for its
 * lifetime); an unknown field fails with ODOO_EINVAL and a message naming it.
 * Domains are JSON arrays in Odoo's notation (NULL means []). Record ids are
 * JSON arrays of integers. Every JSON argument is borrowed; every JSON result
 * is a new reference the caller releases with json_decref().
 *
 * All functions return ODOO_OK or a negative odoo_error_code, with detail in
 * odoo_client_last_error().
 */
#ifndef ODOO_MODEL_H
#define ODOO_MODEL_H

#include <jansson.h>

#include "client.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Check field names against the model (cached fields_get).
 * @param client  the client (borrowed for the call).
 * @param model   the model, e.g. "res.partner".
 * @param fields  a NULL-terminated list of field names (borrowed).
 * @return ODOO_OK; ODOO_EINVAL naming the first unknown field; or the error of
 *         the fields_get call.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_fields_check(odoo_client *client, const char *model,
                                   const char *const *fields);

/**
 * fields_get: the model's fields and their attributes.
 * @param client     the client (borrowed for the call).
 * @param[out] out   new reference: {field: {attr: ...}} (free with
 *                   json_decref()).
 * @param model      the model, e.g. "res.partner".
 * @param attributes a NULL-terminated list (e.g. {"type", "string", NULL}),
 *                   or NULL for all attributes.
 * @param context    a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_fields_get(odoo_client *client, json_t **out, const char *model,
                                 const char *const *attributes, json_t *context);

/**
 * search_read(domain, fields, offset, limit, order).
 * @param client   the client (borrowed for the call).
 * @param[out] out new reference: a JSON array of records (free with
 *                 json_decref()).
 * @param model    the model, e.g. "sale.order".
 * @param domain   a JSON domain (borrowed), or NULL for [].
 * @param fields   whitelist (required, non-empty): only these fields travel.
 * @param order    e.g. "id desc", or NULL for the model's default.
 * @param limit    0 = no limit.
 * @param offset   records to skip first (0 = none).
 * @param context  a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_search_read(odoo_client *client, json_t **out, const char *model,
                                  json_t *domain, const char *const *fields, const char *order,
                                  long limit, long offset, json_t *context);

/**
 * read(ids, fields): missing ids are dropped silently, as Odoo does.
 * @param client   the client (borrowed for the call).
 * @param[out] out new reference: a JSON array of records (free with
 *                 json_decref()).
 * @param model    the model, e.g. "sale.order".
 * @param ids      a JSON array of record ids (borrowed).
 * @param fields   whitelist (required, non-empty): only these fields travel.
 * @param context  a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_read(odoo_client *client, json_t **out, const char *model, json_t *ids,
                           const char *const *fields, json_t *context);

/**
 * search(domain, offset, limit, order).
 * @param client   the client (borrowed for the call).
 * @param[out] out new reference: a JSON array of ids (free with json_decref()).
 * @param model    the model, e.g. "sale.order".
 * @param domain   a JSON domain (borrowed), or NULL for [].
 * @param order    e.g. "id desc", or NULL for the model's default.
 * @param limit    0 = no limit.
 * @param offset   records to skip first (0 = none).
 * @param context  a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_search(odoo_client *client, json_t **out, const char *model,
                             json_t *domain, const char *order, long limit, long offset,
                             json_t *context);

/**
 * search_count(domain).
 * @param client   the client (borrowed for the call).
 * @param[out] out the number of matching records (the caller's variable; 0
 *                 on failure).
 * @param model    the model, e.g. "sale.order".
 * @param domain   a JSON domain (borrowed), or NULL for [].
 * @param context  a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_search_count(odoo_client *client, long long *out, const char *model,
                                   json_t *domain, json_t *context);

/**
 * write(ids, values): the same values on one or many records. The keys of
 * @p values are checked like a field whitelist.
 * @param client  the client (borrowed for the call).
 * @param model   the model, e.g. "res.partner".
 * @param ids     a JSON array of record ids (borrowed).
 * @param values  a JSON object {field: value} (borrowed).
 * @param context a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_write(odoo_client *client, const char *model, json_t *ids,
                            json_t *values, json_t *context);

/**
 * create: @p values is one object (one record) or an array of objects (one
 * call for all of them).
 * @param client      the client (borrowed for the call).
 * @param[out] out_ids new reference: a JSON array of the new ids, in order
 *                     (also for one record); free with json_decref(); may
 *                     be NULL.
 * @param model       the model, e.g. "res.partner".
 * @param values      a JSON object or array of objects (borrowed).
 * @param context     a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_create(odoo_client *client, json_t **out_ids, const char *model,
                             json_t *values, json_t *context);

/**
 * unlink(ids): delete records.
 * @param client  the client (borrowed for the call).
 * @param model   the model, e.g. "res.partner".
 * @param ids     a JSON array of record ids (borrowed).
 * @param context a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_unlink(odoo_client *client, const char *model, json_t *ids,
                             json_t *context);

/* ---- batches ---------------------------------------------------------------- */

/** Default chunk size of batch operations and page size of iterators. */
#define ODOO_DEFAULT_BATCH_SIZE 500

/**
 * Create many records, @p chunk per call (0 = ODOO_DEFAULT_BATCH_SIZE).
 * @param client      the client (borrowed for the call).
 * @param[out] out_ids new reference: the ids created, in input order. Set
 *             also on failure, holding the ids of the chunks that were
 *             created before it (so nothing created is lost track of).
 *             Free with json_decref().
 * @param model       the model, e.g. "res.partner".
 * @param records     a JSON array of objects, one a record (borrowed).
 * @param chunk       records per create call (0 = ODOO_DEFAULT_BATCH_SIZE).
 * @param context     a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_create_batch(odoo_client *client, json_t **out_ids, const char *model,
                                   json_t *records, size_t chunk, json_t *context);

/**
 * Write many records with different values: @p updates is an array of
 * {"id": N, "values": {...}}. Records needing identical values are grouped,
 * so N records with K distinct value sets cost K calls (more when a group
 * has more than @p chunk ids).
 * @param client     the client (borrowed for the call).
 * @param model      the model, e.g. "res.partner".
 * @param updates    a JSON array of {"id": N, "values": {...}} (borrowed).
 * @param chunk      ids per write call (0 = ODOO_DEFAULT_BATCH_SIZE).
 * @param[out] calls how many write calls were made (may be NULL).
 * @param context    a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_write_grouped(odoo_client *client, const char *model, json_t *updates,
                                    size_t chunk, unsigned long *calls, json_t *context);

/**
 * Upsert by an external reference: each record of @p records carries
 * @p key_field (e.g. "default_code" or "ref"). One search_read finds the
 * existing ones (by chunks of @p chunk keys), the missing ones are created
 * in one batch, the existing ones written, grouped by identical values.
 * The same as odoo_upsert_ex() with no flags: every existing record is
 * written, archived ones included (see there).
 * @param client    the client (borrowed for the call).
 * @param[out] out new reference: {"created": [ids], "updated": [ids],
 *             "unchanged": [], "archived": [ids]} (may be NULL; see
 *             odoo_upsert_ex()). Free with json_decref().
 * @param model     the model, e.g. "product.product".
 * @param key_field the field that identifies a record, e.g. "default_code".
 * @param records   a JSON array of objects, each with @p key_field (borrowed).
 * @param chunk     keys per search_read and records per call (0 =
 *                  ODOO_DEFAULT_BATCH_SIZE).
 * @param context   a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0 ("unchanged" and "archived", and archived matches: 0.4.0)
 */
ODOO_EXTERN(int) odoo_upsert(odoo_client *client, json_t **out, const char *model,
                             const char *key_field, json_t *records, size_t chunk,
                             json_t *context);

/** odoo_upsert_ex() flag: read the existing records' values and write only
 * the fields that differ, compared the way Odoo normalises them by field
 * type; records with nothing to change are not written (their write_date
 * does not move) and are reported as "unchanged". @since 0.4.0 */
#define ODOO_UPSERT_SKIP_UNCHANGED 0x1u

/**
 * odoo_upsert() with @p flags (0 or ODOO_UPSERT_SKIP_UNCHANGED).
 *
 * Existing records are searched with active_test false (only for that
 * search), so an archived record with the key is matched and written, not
 * created a second time. It stays archived unless the input sets "active"
 * itself; its id is listed under "archived". Of several records with one
 * key, the first active one is taken, else the first archived one.
 *
 * With ODOO_UPSERT_SKIP_UNCHANGED the fields written are also read back (one
 * fields_get for their types and digits, and the search_read reads them):
 * floats are compared at their field's digits, many2one by id, x2many ids
 * (a list of ids or [[6, 0, ids]]) as sets (an empty list, no command at
 * all, leaves the value as it is), HTML with Odoo's "<p>...</p>"
 * wrapping, null/""/false as Odoo's empty value; anything else must be the
 * same JSON value. A value that cannot be compared counts as changed.
 * @param client    the client (borrowed for the call).
 * @param[out] out new reference (may be NULL): {"created": [ids],
 *             "updated": [ids written], "unchanged": [ids not written],
 *             "archived": [ids of matched records that are archived]}. On a
 *             failure after records were created, {"created": [...]} with
 *             the other lists empty. Free with json_decref().
 * @param model     the model, e.g. "product.product".
 * @param key_field the field that identifies a record, e.g. "default_code".
 * @param records   a JSON array of objects, each with @p key_field (borrowed).
 * @param chunk     keys per search_read and records per call (0 =
 *                  ODOO_DEFAULT_BATCH_SIZE).
 * @param flags     0 or ODOO_UPSERT_SKIP_UNCHANGED.
 * @param context   a JSON object merged into the call's context (borrowed), or NULL.
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.4.0
 */
ODOO_EXTERN(int) odoo_upsert_ex(odoo_client *client, json_t **out, const char *model,
                                const char *key_field, json_t *records, size_t chunk,
                                unsigned int flags, json_t *context);

/* ---- iterators -------------------------------------------------------------- */

/** An iterator over a model's records; free with odoo_iter_free(). */
typedef struct odoo_iter odoo_iter;

/**
 * Iterate every record matching @p domain by keyset pagination: pages of
 * @p page_size (0 = ODOO_DEFAULT_BATCH_SIZE) ordered by id, each fetched
 * with [("id", ">", last id)] added to the domain, never a growing offset.
 * Memory stays one page. "id" is always among the fields returned.
 * The iterator borrows the client (which must outlive it) and copies the
 * domain and field names. Does no I/O until the first next.
 * @param[out] out on success, the new iterator (owned by the caller: free with
 *                 odoo_iter_free()); NULL on failure (detail:
 *                 odoo_client_last_error()).
 * @param client    the client (borrowed: it must outlive the iterator).
 * @param model     the model, e.g. "sale.order".
 * @param domain    a JSON domain (copied), or NULL for [].
 * @param fields    a NULL-terminated whitelist of fields (copied).
 * @param page_size records per page (0 = ODOO_DEFAULT_BATCH_SIZE).
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_iter_new(odoo_iter **out, odoo_client *client, const char *model,
                               json_t *domain, const char *const *fields, size_t page_size);

/**
 * Iterate the records changed since a cursor position, ordered by
 * (write_date, id), write_date being the whole second Odoo shows: those with
 * write_date after @p since_write_date's second, or in it with id >
 * @p since_id. Persist odoo_iter_cursor() after processing a page and start
 * from it after a crash: nothing handed out is skipped, and each record comes
 * once per change however many records share a second or a transaction.
 *
 * The queries use whole-second bounds (write_date >= S, < S+1, id > I), which
 * select the same records on Odoo 16.0-18.0 (microseconds kept underneath,
 * compared by domains) and 19.0 (whole seconds compared): docs/model.md. So
 * a page may hold fewer than @p page_size records without being the last.
 *
 * Odoo's write_date is the time its transaction started: a record written in
 * the cursor's second with a smaller id after a run read that second, or by a
 * transaction that started before the cursor's write_date and committed after
 * it was read, lands behind the cursor and would be missed. Set an overlap
 * with odoo_iter_set_overlap() to read such records (at least once).
 * @param[out] out on success, the new iterator (owned by the caller: free with
 *                 odoo_iter_free()); NULL on failure (detail:
 *                 odoo_client_last_error()).
 * @param client    the client (borrowed: it must outlive the iterator).
 * @param model     the model, e.g. "sale.order".
 * @param domain    a JSON domain (copied), or NULL for [].
 * @param fields    a NULL-terminated whitelist of fields (copied).
 * @param page_size records per page (0 = ODOO_DEFAULT_BATCH_SIZE).
 * @param since_write_date "YYYY-MM-DD HH:MM:SS" (UTC), or NULL for the start.
 * @param since_id  the id of the cursor position (0 with no starting write_date).
 * @return ODOO_OK or a negative odoo_error_code (detail:
 *         odoo_client_last_error()).
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_iter_changed_since(odoo_iter **out, odoo_client *client,
                                         const char *model, json_t *domain,
                                         const char *const *fields, size_t page_size,
                                         const char *since_write_date, long long since_id);

/**
 * Read again, on the first page, the records changed within @p seconds
 * before the cursor given to odoo_iter_changed_since(), its own second
 * included: the first page asks for write_date >= (cursor's write_date -
 * seconds) instead of the strict (write_date, id) order. Records already
 * handed out by an earlier run are handed out again (at-least-once: a sink
 * must make storing a record twice harmless, as a put by key does), and
 * records written behind the cursor are not missed. 0 re-reads the cursor's
 * second only. odoo_iter_cursor() never moves backwards because of it.
 * Call before the first odoo_iter_next() / odoo_iter_next_page(); no effect
 * without a starting write_date.
 * @param it      the iterator (from odoo_iter_changed_since()).
 * @param seconds how far before the cursor to read again.
 * @return ODOO_OK, or ODOO_EINVAL (not a changed_since iterator, already
 *         started, or a starting write_date not "YYYY-MM-DD HH:MM:SS").
 * @since 0.3.0
 */
ODOO_EXTERN(int) odoo_iter_set_overlap(odoo_iter *it, unsigned int seconds);

/**
 * The next record.
 * @param it         the iterator.
 * @param[out] record new reference (json_decref()), or NULL at the end. It
 *                    points into the iterator's current page: treat it as
 *                    read-only (a change would show in later pages' copies).
 * @return 1 with a record, 0 at the end, or a negative odoo_error_code. After
 *         an error the iterator can be called again: it resumes after the last
 *         record it handed out.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_iter_next(odoo_iter *it, json_t **record);

/**
 * The next page (the records not yet handed out by odoo_iter_next() of the
 * current page, or a new page).
 * @param it       the iterator.
 * @param[out] page new reference: a non-empty JSON array, or NULL at the end;
 *                  read-only (it may be the iterator's own page).
 * @return the number of records (> 0), 0 at the end, or a negative code.
 * @since 0.2.0
 */
ODOO_EXTERN(int) odoo_iter_next_page(odoo_iter *it, json_t **page);

/**
 * The position after the last record handed out: its write_date (borrowed,
 * valid until the next call on the iterator; NULL before any record or for
 * an id-keyset iterator) and id (0 before any record).
 * @param it              the iterator (borrowed), or NULL.
 * @param[out] write_date the write_date (borrowed, see above), or NULL when not wanted.
 * @param[out] id         the id, or NULL when not wanted.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_iter_cursor(const odoo_iter *it, const char **write_date,
                                   long long *id);

/**
 * How many records the iterator has handed out.
 * @param it the iterator (borrowed), or NULL.
 * @return the count (0 for NULL).
 * @since 0.2.0
 */
ODOO_EXTERN(unsigned long long) odoo_iter_count(const odoo_iter *it);

/**
 * How many pages the iterator has fetched.
 * @param it the iterator (borrowed), or NULL.
 * @return the count (0 for NULL).
 * @since 0.2.0
 */
ODOO_EXTERN(unsigned long) odoo_iter_pages(const odoo_iter *it);

/**
 * Free an iterator (it does not free its client).
 * @param it the iterator to free (the caller's, from odoo_iter_new() or
 *           odoo_iter_changed_since()), or NULL.
 * @since 0.2.0
 */
ODOO_EXTERN(void) odoo_iter_free(odoo_iter *it);

#ifdef __cplusplus
}
#endif
#endif /* ODOO_MODEL_H */
