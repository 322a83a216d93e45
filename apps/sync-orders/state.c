// SPDX-License-Identifier: MIT
/*
 * odoo-sync-orders: where the cursor lives, and who may move it.
 *
 *   --state file:PATH             the cursor in PATH (JSON, replaced atomically);
 *                                 the lease is an flock on PATH.lock, which the
 *                                 kernel releases when the process dies
 *   --state dynamodb:TABLE[/KEY]  the cursor and its lease in one DynamoDB item
 *                                 (partition key "key" = KEY, or KEY#K/N for
 *                                 shard K of N): write_date, id, lease_owner,
 *                                 lease_expires (Unix ms), updated_at
 *
 * The DynamoDB lease is taken with a conditional UpdateItem (no owner, an
 * expired one, or ourselves) that also returns the cursor; every cursor
 * update is conditional on lease_owner = us and renews the lease, so a run
 * that lost its lease can never move the cursor. The shard layout (the id
 * bounds of N shards) is written once, put-if-absent, beside the cursors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sync.h"

static long long epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

static void iso_utc(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void sleep_ms(long long ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* a followed by b, malloc()ed */
static char *concat(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", a, b);
    return s;
}

int sync_state_parse(const char *spec, sync_state_kind *kind)
{
    if (strncmp(spec, "file:", 5) == 0 && spec[5]) {
        *kind = SYNC_STATE_FILE;
        return 0;
    }
    if (strncmp(spec, "dynamodb:", 9) == 0 && spec[9] && spec[9] != '/') {
        const char *slash = strchr(spec + 9, '/');
        if (slash && !slash[1])
            return -1; /* "dynamodb:T/" */
        *kind = SYNC_STATE_DYNAMODB;
        return 0;
    }
    return -1;
}

/* ---- JSON state files (the cursor of --state file:PATH) ------------------------------- */

int sync_state_file_load(const char *path, char **write_date, long long *id)
{
    json_error_t jerr;
    json_t *st;
    *write_date = NULL;
    *id = 0;
    st = json_load_file(path, 0, &jerr);
    if (!st)
        return errno == ENOENT || access(path, F_OK) != 0 ? 0 : -1;
    if (!json_is_object(st) || !json_is_string(json_object_get(st, "write_date"))
        || !json_is_integer(json_object_get(st, "id"))) {
        json_decref(st);
        return -1;
    }
    *write_date = strdup(json_string_value(json_object_get(st, "write_date")));
    *id = (long long)json_integer_value(json_object_get(st, "id"));
    json_decref(st);
    return *write_date ? 0 : -1;
}

/* Write json to path atomically (temporary file, fsync, rename), mode 0600.
 * With exclusive, never replace an existing path (link instead of rename):
 * 1 when path existed. */
static int write_json_file(const char *path, const json_t *json, int exclusive)
{
    char tmp[4096];
    int fd, ok, rc = 0;
    FILE *f;
    snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    ok = json_dumpf(json, f, JSON_SORT_KEYS) == 0 && fputc('\n', f) != EOF && fflush(f) == 0
         && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (ok && exclusive) {
        if (link(tmp, path) != 0)
            rc = errno == EEXIST ? 1 : -1;
    } else if (!ok || rename(tmp, path) != 0) {
        rc = -1;
    }
    unlink(tmp); /* after link(): the name path keeps the data; after rename(): gone already */
    return rc;
}

int sync_state_file_save(const char *path, const char *write_date, long long id)
{
    json_t *st = json_pack("{s:s, s:I}", "write_date", write_date, "id", (json_int_t)id);
    int rc;
    if (!st)
        return -1;
    rc = write_json_file(path, st, 0);
    json_decref(st);
    return rc;
}

/* ---- DynamoDB requests ------------------------------------------------------------------ */

static json_t *key_of(const char *key)
{
    return json_pack("{s:{s:s}}", "key", "S", key);
}

static void ddb_error(sync_run *run, sync_state *st, const char *what, int rc)
{
    const odoo_error *e = odoo_dynamodb_last_error(st->db);
    sync_errorf(run, rc == ODOO_EAUTH ? SYNC_EXIT_AUTH : SYNC_EXIT_SINK,
                "state dynamodb:%s: %s: %s: %s%s", st->table, what, odoo_error_name(rc),
                odoo_error_message(e),
                rc == ODOO_ENOTFOUND ? " (--create-table creates the state table)" : "");
}

static int conditional_failed(sync_state *st, int rc)
{
    return rc == ODOO_ESERVER
           && strcmp(odoo_error_class(odoo_dynamodb_last_error(st->db)),
                     "ConditionalCheckFailedException")
                  == 0;
}

/* The item of key, read consistently: a new reference, json_null() when there
 * is none, NULL on error (run's error set). */
static json_t *ddb_get(sync_run *run, sync_state *st, const char *key)
{
    json_t *req = json_pack("{s:s, s:o, s:b}", "TableName", st->table, "Key", key_of(key),
                            "ConsistentRead", 1);
    json_t *out = NULL, *item;
    int rc;
    if (!req)
        return NULL;
    rc = odoo_dynamodb_call(st->db, &out, "GetItem", req);
    json_decref(req);
    if (rc != ODOO_OK) {
        ddb_error(run, st, "GetItem", rc);
        return NULL;
    }
    item = json_object_get(out, "Item");
    item = item ? json_incref(item) : json_null();
    json_decref(out);
    return item;
}

static const char *attr_s(const json_t *item, const char *name)
{
    return json_string_value(json_object_get(json_object_get(item, name), "S"));
}

static long long attr_n(const json_t *item, const char *name)
{
    const char *n = json_string_value(json_object_get(json_object_get(item, name), "N"));
    return n ? strtoll(n, NULL, 10) : 0;
}

/* ---- opening and the lease -------------------------------------------------------------- */

/* What a shard adds to the name of a cursor file, "" without shards: the one
 * place that names it (the cursor, and the kept session beside it). */
static void file_shard_suffix(const sync_config *cfg, char *buf, size_t n)
{
    buf[0] = '\0';
    if (cfg->shard_n > 0)
        snprintf(buf, n, ".shard-%d-of-%d", cfg->shard_k, cfg->shard_n);
}

int sync_state_open(sync_run *run, sync_state *st, const char *spec)
{
    const sync_config *cfg = run->cfg;
    char suffix[64] = "";
    char host[64] = "host";
    unsigned int rnd = 0;
    int fd;

    memset(st, 0, sizeof(*st));
    st->lock_fd = -1;
    st->spec = spec;
    if (sync_state_parse(spec, &st->kind) != 0) {
        sync_errorf(run, SYNC_EXIT_USAGE,
                    "--state %s: expected file:PATH or dynamodb:TABLE[/KEY]", spec);
        return -1;
    }
    st->lease_ms = cfg->lease_seconds * 1000LL;
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd))
            rnd = (unsigned int)epoch_ms();
        close(fd);
    }
    snprintf(st->owner, sizeof(st->owner), "%s:%ld:%08x", host, (long)getpid(), rnd);

    if (st->kind == SYNC_STATE_FILE) {
        st->base = strdup(spec + 5);
        file_shard_suffix(cfg, suffix, sizeof(suffix));
        st->cursor_key = st->base ? concat(st->base, suffix) : NULL;
        if (!st->cursor_key) {
            sync_errorf(run, SYNC_EXIT_SINK, "out of memory");
            return -1;
        }
        return 0;
    }

    /* dynamodb:TABLE[/KEY] */
    {
        const char *t = spec + 9, *slash = strchr(t, '/');
        st->table = slash ? strndup(t, (size_t)(slash - t)) : strdup(t);
        st->base = strdup(slash ? slash + 1 : "orders");
        if (cfg->shard_n > 0)
            snprintf(suffix, sizeof(suffix), "#%d/%d", cfg->shard_k, cfg->shard_n);
        st->cursor_key = st->base ? concat(st->base, suffix) : NULL;
        if (!st->table || !st->cursor_key) {
            sync_errorf(run, SYNC_EXIT_SINK, "out of memory");
            return -1;
        }
    }
    if (!run->dynamodb) {
        odoo_aws_options ao = ODOO_AWS_OPTIONS_INIT;
        ao.ca_file = sync_ca_file();
        int rc = odoo_dynamodb_new(&run->dynamodb, &ao);
        if (rc != ODOO_OK) {
            sync_errorf(run, SYNC_EXIT_SINK, "state dynamodb: %s: %s", odoo_error_name(rc),
                        odoo_error_message(odoo_dynamodb_last_error(run->dynamodb)));
            return -1;
        }
    }
    st->db = run->dynamodb;
    if (cfg->create_table) {
        int rc = odoo_dynamodb_create_table(st->db, st->table, "key", ODOO_DYNAMODB_S, NULL,
                                            ODOO_DYNAMODB_S, 60000);
        if (rc != ODOO_OK
            && strcmp(odoo_error_class(odoo_dynamodb_last_error(st->db)),
                      "ResourceInUseException") != 0) {
            ddb_error(run, st, "CreateTable", rc);
            return -1;
        }
    }
    return 0;
}

static void say_waiting(sync_run *run, const char *holder, long long expires)
{
    if (!run->cfg->quiet)
        fprintf(stderr, "odoo-sync-orders: the lease of %s is held by %s%s; waiting\n",
                run->state.cursor_key, holder ? holder : "another run",
                expires ? " until it is released or expires" : "");
}

static int lease_held(sync_run *run, const char *holder, long long expires)
{
    long long left = expires - epoch_ms();
    run->lease = "held-by-other";
    if (expires > 0)
        sync_errorf(run, SYNC_EXIT_LEASE,
                    "state %s: the lease of %s is held by %s (it expires in %lld.%03lld s "
                    "unless renewed); not syncing (--lease-wait waits for it)",
                    run->state.spec, run->state.cursor_key, holder ? holder : "another run",
                    left > 0 ? left / 1000 : 0, left > 0 ? left % 1000 : 0);
    else
        sync_errorf(run, SYNC_EXIT_LEASE,
                    "state %s: the lease is held by another running process (flock on "
                    "%s.lock); not syncing (--lease-wait waits for it)",
                    run->state.spec, run->state.cursor_key);
    return -1;
}

static int acquire_file(sync_run *run, sync_state *st, char **write_date, long long *id)
{
    long long deadline = epoch_ms() + run->cfg->lease_wait_s * 1000LL;
    char *lock = concat(st->cursor_key, ".lock");
    int waited = 0;
    if (!lock)
        return sync_errorf(run, SYNC_EXIT_SINK, "out of memory"), -1;
    st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (st->lock_fd < 0) {
        sync_errorf(run, SYNC_EXIT_SINK, "%s: cannot open the lock file: %s", lock,
                    strerror(errno));
        free(lock);
        return -1;
    }
    free(lock);
    while (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            sync_errorf(run, SYNC_EXIT_SINK, "%s.lock: %s", st->cursor_key, strerror(errno));
            return -1;
        }
        if (epoch_ms() >= deadline)
            return lease_held(run, NULL, 0);
        if (!waited)
            say_waiting(run, NULL, 0);
        waited = 1;
        sleep_ms(100);
    }
    st->held = 1;
    run->lease = waited ? "waited" : "taken";
    if (sync_state_file_load(st->cursor_key, write_date, id) != 0) {
        sync_errorf(run, SYNC_EXIT_USAGE, "%s: not a state file written by odoo-sync-orders",
                    st->cursor_key);
        return -1;
    }
    return 0;
}

static int acquire_dynamodb(sync_run *run, sync_state *st, char **write_date, long long *id)
{
    long long deadline = epoch_ms() + run->cfg->lease_wait_s * 1000LL;
    int waited = 0;
    *write_date = NULL;
    *id = 0;
    for (;;) {
        long long now = epoch_ms(), expires = now + st->lease_ms;
        char nows[40], exps[32], nowms[32];
        json_t *req, *out = NULL, *item, *cur;
        int rc;
        iso_utc(nows, sizeof(nows));
        snprintf(exps, sizeof(exps), "%lld", expires);
        snprintf(nowms, sizeof(nowms), "%lld", now);
        req = json_pack("{s:s, s:o, s:s, s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}, s:s}",
                        "TableName", st->table, "Key", key_of(st->cursor_key),
                        "UpdateExpression",
                        "SET lease_owner = :me, lease_expires = :exp, updated_at = :at",
                        "ConditionExpression",
                        "attribute_not_exists(lease_owner) OR lease_expires < :now OR "
                        "lease_owner = :me",
                        "ExpressionAttributeValues", ":me", "S", st->owner, ":exp", "N", exps,
                        ":at", "S", nows, ":now", "N", nowms, "ReturnValues", "ALL_NEW");
        if (!req)
            return sync_errorf(run, SYNC_EXIT_SINK, "out of memory"), -1;
        rc = odoo_dynamodb_call(st->db, &out, "UpdateItem", req);
        json_decref(req);
        if (rc == ODOO_OK) {
            item = json_object_get(out, "Attributes");
            st->held = 1;
            st->expires = expires;
            run->lease = waited ? "waited" : "taken";
            if ((cur = json_object_get(item, "write_date")) != NULL) {
                const char *wd = attr_s(item, "write_date");
                if (!wd || !json_object_get(item, "id")) {
                    json_decref(out);
                    sync_errorf(run, SYNC_EXIT_USAGE,
                                "state %s: item %s holds no cursor written by odoo-sync-orders",
                                st->spec, st->cursor_key);
                    return -1;
                }
                *write_date = strdup(wd);
                *id = attr_n(item, "id");
            }
            json_decref(out);
            return 0;
        }
        json_decref(out);
        if (!conditional_failed(st, rc)) {
            ddb_error(run, st, "UpdateItem (lease)", rc);
            return -1;
        }
        /* held by another run: who, until when */
        item = ddb_get(run, st, st->cursor_key);
        if (!item)
            return -1;
        {
            const char *holder = attr_s(item, "lease_owner");
            long long until = attr_n(item, "lease_expires");
            char who[160];
            snprintf(who, sizeof(who), "%s", holder ? holder : "another run");
            json_decref(item);
            now = epoch_ms();
            if (now >= deadline)
                return lease_held(run, who, until > 0 ? until : now + 1);
            if (!waited)
                say_waiting(run, who, until);
            waited = 1;
            /* poll until it is released or expires, at most a second apart */
            until = until > now ? until - now + 20 : 50;
            if (until > 1000)
                until = 1000;
            if (until > deadline - now)
                until = deadline - now;
            sleep_ms(until);
        }
    }
}

int sync_state_acquire(sync_run *run, sync_state *st, char **write_date, long long *id)
{
    return st->kind == SYNC_STATE_FILE ? acquire_file(run, st, write_date, id)
                                       : acquire_dynamodb(run, st, write_date, id);
}

/* Conditional on our ownership; renews the lease. cursor NULL: renew only. */
static int ddb_update(sync_run *run, sync_state *st, const char *write_date, long long id)
{
    long long expires = epoch_ms() + st->lease_ms;
    char nows[40], exps[32], ids[32];
    json_t *req, *vals;
    int rc;
    iso_utc(nows, sizeof(nows));
    snprintf(exps, sizeof(exps), "%lld", expires);
    snprintf(ids, sizeof(ids), "%lld", id);
    vals = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}", ":me", "S", st->owner, ":exp", "N", exps,
                     ":at", "S", nows);
    if (vals && write_date) {
        json_object_set_new(vals, ":wd", json_pack("{s:s}", "S", write_date));
        json_object_set_new(vals, ":id", json_pack("{s:s}", "N", ids));
    }
    req = vals ? json_pack("{s:s, s:o, s:s, s:s, s:o}", "TableName", st->table, "Key",
                           key_of(st->cursor_key), "UpdateExpression",
                           write_date ? "SET write_date = :wd, id = :id, lease_expires = :exp, "
                                        "updated_at = :at"
                                      : "SET lease_expires = :exp, updated_at = :at",
                           "ConditionExpression", "lease_owner = :me",
                           "ExpressionAttributeValues", vals)
               : NULL;
    if (!req)
        return sync_errorf(run, SYNC_EXIT_SINK, "out of memory"), -1;
    rc = odoo_dynamodb_call(st->db, NULL, "UpdateItem", req);
    json_decref(req);
    if (rc == ODOO_OK) {
        st->expires = expires;
        return 0;
    }
    if (conditional_failed(st, rc)) {
        st->held = 0;
        run->lease = "lost";
        sync_errorf(run, SYNC_EXIT_LEASE,
                    "state %s: the lease of %s was taken over by another run (this run's "
                    "lease had expired); stopped without moving the cursor",
                    st->spec, st->cursor_key);
        return -1;
    }
    ddb_error(run, st, "UpdateItem (cursor)", rc);
    return -1;
}

int sync_state_save(sync_run *run, sync_state *st, const char *write_date, long long id)
{
    if (st->kind == SYNC_STATE_FILE) {
        if (sync_state_file_save(st->cursor_key, write_date, id) != 0) {
            sync_errorf(run, SYNC_EXIT_SINK, "%s: cannot save the state: %s", st->cursor_key,
                        strerror(errno));
            return -1;
        }
        return 0;
    }
    return ddb_update(run, st, write_date, id);
}

int sync_state_renew(sync_run *run, sync_state *st)
{
    /* renew when half of the lease is gone: a page is stored only by the holder */
    if (st->kind != SYNC_STATE_DYNAMODB || !st->held)
        return 0;
    if (epoch_ms() + st->lease_ms / 2 < st->expires)
        return 0;
    return ddb_update(run, st, NULL, 0);
}

void sync_state_close(sync_run *run, sync_state *st)
{
    (void)run;
    if (st->kind == SYNC_STATE_DYNAMODB && st->held && st->db) {
        /* release: the next run need not wait for the expiry */
        json_t *req = json_pack("{s:s, s:o, s:s, s:s, s:{s:{s:s}}}", "TableName", st->table,
                                "Key", key_of(st->cursor_key), "UpdateExpression",
                                "REMOVE lease_owner, lease_expires", "ConditionExpression",
                                "lease_owner = :me", "ExpressionAttributeValues", ":me", "S",
                                st->owner);
        if (req)
            (void)odoo_dynamodb_call(st->db, NULL, "UpdateItem", req);
        json_decref(req);
    }
    st->held = 0;
    if (st->lock_fd >= 0)
        close(st->lock_fd); /* releases the flock */
    st->lock_fd = -1;
    free(st->table);
    free(st->base);
    free(st->cursor_key);
    st->table = st->base = st->cursor_key = NULL;
}

/* ---- the shard layout -------------------------------------------------------------------- */

static int bounds_from_json(const json_t *arr, int n, long long *bounds)
{
    size_t i;
    json_t *v;
    if (!json_is_array(arr) || json_array_size(arr) != (size_t)n)
        return -1;
    json_array_foreach(arr, i, v) {
        if (!json_is_integer(v) || (i > 0 && json_integer_value(v) <= bounds[i - 1]))
            return -1;
        bounds[i] = (long long)json_integer_value(v);
    }
    return bounds[0] == 0 ? 0 : -1;
}

void sync_shard_split(long long max_id, int n, long long *bounds)
{
    long long span = max_id / n + 1;
    int k;
    for (k = 0; k < n; k++)
        bounds[k] = (long long)k * span;
}

/* Where the layout of n shards is: a file name or an item key. */
static void layout_name(const sync_state *st, int n, char *buf, size_t size)
{
    if (st->kind == SYNC_STATE_FILE)
        snprintf(buf, size, "%s.layout-%d", st->base, n);
    else
        snprintf(buf, size, "%s#layout/%d", st->base, n);
}

int sync_state_layout_get(sync_run *run, sync_state *st, int n, long long *bounds, int *found)
{
    char what[4200];
    json_t *doc, *arr, *b;
    size_t i;
    int rc;

    *found = 0;
    layout_name(st, n, what, sizeof(what));
    if (st->kind == SYNC_STATE_FILE) {
        json_error_t jerr;
        if (access(what, F_OK) != 0)
            return 0;
        doc = json_load_file(what, 0, &jerr);
        arr = json_incref(json_object_get(doc, "bounds"));
    } else {
        doc = ddb_get(run, st, what);
        if (!doc)
            return -1;
        if (json_is_null(doc)) {
            json_decref(doc);
            return 0;
        }
        arr = json_array();
        json_array_foreach(json_object_get(json_object_get(doc, "bounds"), "L"), i, b) {
            const char *num = json_string_value(json_object_get(b, "N"));
            json_array_append_new(arr, num ? json_integer(strtoll(num, NULL, 10)) : json_null());
        }
    }
    rc = bounds_from_json(arr, n, bounds);
    json_decref(arr);
    json_decref(doc);
    if (rc != 0) {
        sync_errorf(run, SYNC_EXIT_USAGE, "state %s: %s is not a layout of %d shards",
                    st->spec, what, n);
        return -1;
    }
    *found = 1;
    return 0;
}

int sync_state_layout_put(sync_run *run, sync_state *st, int n, long long max_id,
                          long long *bounds)
{
    char what[4200], num[32];
    json_t *doc;
    int k, rc, found;

    sync_shard_split(max_id, n, bounds);
    layout_name(st, n, what, sizeof(what));
    if (st->kind == SYNC_STATE_FILE) {
        json_t *arr = json_array();
        for (k = 0; arr && k < n; k++)
            json_array_append_new(arr, json_integer(bounds[k]));
        doc = arr ? json_pack("{s:o}", "bounds", arr) : NULL;
        rc = doc ? write_json_file(what, doc, 1) : -1;
        json_decref(doc);
        if (rc < 0) {
            sync_errorf(run, SYNC_EXIT_SINK, "%s: cannot write the shard layout: %s", what,
                        strerror(errno));
            return -1;
        }
    } else {
        json_t *list = json_array(), *req;
        for (k = 0; list && k < n; k++) {
            snprintf(num, sizeof(num), "%lld", bounds[k]);
            json_array_append_new(list, json_pack("{s:s}", "N", num));
        }
        req = list ? json_pack("{s:s, s:{s:{s:s}, s:{s:o}}, s:s, s:{s:s}}", "TableName",
                               st->table, "Item", "key", "S", what, "bounds", "L", list,
                               "ConditionExpression", "attribute_not_exists(#k)",
                               "ExpressionAttributeNames", "#k", "key")
                   : NULL;
        if (!req)
            return sync_errorf(run, SYNC_EXIT_SINK, "out of memory"), -1;
        rc = odoo_dynamodb_call(st->db, NULL, "PutItem", req);
        json_decref(req);
        if (rc != ODOO_OK && !conditional_failed(st, rc)) {
            ddb_error(run, st, "PutItem (shard layout)", rc);
            return -1;
        }
        rc = rc == ODOO_OK ? 0 : 1;
    }
    if (rc == 0)
        return 0;
    /* another shard wrote it first: its bounds hold */
    if (sync_state_layout_get(run, st, n, bounds, &found) != 0)
        return -1;
    return found ? 0 : (sync_errorf(run, SYNC_EXIT_SINK, "%s: the shard layout vanished", what), -1);
}

int sync_take_state(sync_run *run)
{
    const sync_config *cfg = run->cfg;
    if (!cfg->state)
        return 0;
    run->has_state = 1; /* sync_run_dispose() closes it, whatever happens here */
    if (sync_state_open(run, &run->state, cfg->state) != 0
        || sync_state_acquire(run, &run->state, &run->since_wd, &run->since_id) != 0)
        return -1;
    return 0;
}

void sync_session_default(const sync_config *cfg, char *buf, size_t n)
{
    /* beside a state file, one per cursor (shards run side by side) */
    buf[0] = '\0';
    if (cfg->no_session_file)
        return;
    if (cfg->session_file)
        snprintf(buf, n, "%s", cfg->session_file);
    else if (cfg->state && strncmp(cfg->state, "file:", 5) == 0) {
        /* the cursor file's name (sync_state_open) plus ".session" */
        char suffix[64];
        file_shard_suffix(cfg, suffix, sizeof(suffix));
        snprintf(buf, n, "%s%s.session", cfg->state + 5, suffix);
    }
}

int sync_parse_shard(const char *s, int *k, int *n)
{
    char *end;
    long a, b;
    if (!s || *s < '0' || *s > '9')
        return -1;
    a = strtol(s, &end, 10);
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return -1;
    b = strtol(end + 1, &end, 10);
    if (*end || b < 1 || b > SYNC_MAX_SHARDS || a < 0 || a >= b)
        return -1;
    *k = (int)a;
    *n = (int)b;
    return 0;
}
