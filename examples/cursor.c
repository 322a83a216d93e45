// SPDX-License-Identifier: MIT
/*
 * Example 2: iterate with a cursor (an incremental, crash-safe read).
 *
 * Teaches: odoo_iter_changed_since() hands out the records changed after a
 * (write_date, id) position, page by page, ordered by (write_date, id), with
 * flat memory at any size. After each page is processed, odoo_iter_cursor()
 * is saved; the next run starts from it and reads only what changed since.
 * A crash between two saves re-reads at most one page: nothing is skipped.
 *
 *   ./example_cursor STATE_FILE      (connection: ODOO_URL, ODOO_DB,
 *                                     ODOO_USER, ODOO_PASSWORD)
 *
 * The first run reads every sale order; a second run reads none until an
 * order changes. (odoo_iter_new() is the same without a cursor: by id only.)
 */

#include "example.h" /* <odoo.h>, and example_connect(): the client from ODOO_* */

/* The state file holds one line "YYYY-MM-DD HH:MM:SS ID" (absent: start). */
static int load_cursor(const char *path, char *write_date, size_t size, long long *id)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char day[11], time[9];
    int n = fscanf(f, "%10s %8s %lld", day, time, id);
    fclose(f);
    if (n != 3)
        return 0;
    snprintf(write_date, size, "%s %s", day, time);
    return 1;
}

static int save_cursor(const char *path, const odoo_iter *it)
{
    const char *write_date = NULL;
    long long id = 0;
    odoo_iter_cursor(it, &write_date, &id);
    if (!write_date)
        return 0;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int bad = fprintf(f, "%s %lld\n", write_date, id) < 0;
    bad |= fclose(f) != 0;
    return bad ? -1 : rename(tmp, path); /* all or nothing */
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s STATE_FILE\n", argv[0]);
        return 2;
    }
    odoo_client *client = example_connect(); /* example.h */
    if (!client)
        return 1;

    char since[32] = "";
    long long since_id = 0;
    int resumed = load_cursor(argv[1], since, sizeof since, &since_id);
    printf("starting from %s\n", resumed ? since : "the beginning");

    static const char *const fields[] = {"name", "state", "write_date", NULL};
    odoo_iter *it = NULL;
    int rc = odoo_iter_changed_since(&it, client, "sale.order", NULL, fields, 100,
                                     resumed ? since : NULL, since_id);
    json_t *page = NULL;
    long long total = 0;
    while (rc == ODOO_OK && (rc = odoo_iter_next_page(it, &page)) > 0) {
        total += rc;
        /* ... process the page: store it somewhere (see sink.c), then ... */
        json_decref(page);
        if (save_cursor(argv[1], it) != 0) {
            perror(argv[1]);
            rc = ODOO_ERROR;
            break;
        }
        rc = ODOO_OK;
    }
    if (rc < 0) {
        /* the saved cursor stays at the last page processed: rerun to resume */
        fprintf(stderr, "iteration: %s: %s\n", odoo_error_name(rc),
                odoo_error_message(odoo_client_last_error(client)));
    } else {
        const char *write_date = NULL;
        long long id = 0;
        odoo_iter_cursor(it, &write_date, &id);
        printf("read %lld changed records in %lu pages\n", total, odoo_iter_pages(it));
        if (write_date)
            printf("cursor now %s %lld\n", write_date, id);
    }
    odoo_iter_free(it);
    odoo_client_free(client);
    return rc < 0 ? 1 : 0;
}
