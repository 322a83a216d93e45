// SPDX-License-Identifier: MIT
/*
 * libodoo - the JSON file sink: a JSON array or JSON Lines, written as a
 * whole file (temporary file, fsync, rename, fsync of the directory) or, for
 * JSON Lines, appended in place with one write() and one fsync per flushed
 * batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "sink_internal.h"

typedef struct json_sink {
    char *path;      /* the target */
    char *dir;       /* its directory (for the fsync after the rename) */
    char *tmp_path;  /* whole-file output: the temporary file; NULL once renamed */
    int fd;
    odoo_json_format format;
    int append;
    int sort_keys;
    int do_fsync;
    long flush_records;
    long flush_bytes;
    unsigned int mode;
    odoo__buf buf;                /* text not written yet */
    unsigned long long pending;   /* records in buf */
    unsigned long long in_file;   /* records handed to the file (array commas) */
    unsigned long long unsynced;  /* whole-file: records written to the temporary file */
    off_t committed;              /* append: file size after the last good flush */
    int broken;                   /* a write failed: the output cannot be completed */
    int created;                  /* append: this sink created the file */
    int closed;                   /* json_sink_close() ran (free is not an abort) */
} json_sink;

static const odoo_sink_ops json_sink_ops;

int odoo_json_sink_options_init(odoo_json_sink_options *opts, unsigned int version)
{
    static const odoo_json_sink_options defaults = ODOO_JSON_SINK_OPTIONS_INIT;
    if (!opts || version != ODOO_JSON_SINK_OPTIONS_VERSION)
        return ODOO_EINVAL;
    *opts = defaults;
    return ODOO_OK;
}

static int sys_error(odoo_sink *s, const char *what, const char *path, int err)
{
    return odoo_sink_set_error(s, ODOO_ERROR, "json sink: %s %s: %s", what, path,
                               strerror(err));
}

static int write_all(odoo_sink *s, json_sink *j, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(j->fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sys_error(s, "cannot write", j->tmp_path ? j->tmp_path : j->path, errno);
        }
        odoo_sink_count(s, ODOO_SINK_REQUESTS, 1);
        odoo_sink_count(s, ODOO_SINK_BYTES, (unsigned long long)n);
        data += n;
        len -= (size_t)n;
    }
    return ODOO_OK;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0)
        return 0; /* best effort: the rename is done */
    if (fsync(fd) != 0 && errno == EIO)
        rc = -1;
    close(fd);
    return rc;
}

/* Write the buffered text; fsync when asked. */
static int write_out(odoo_sink *s, json_sink *j, int sync)
{
    int rc;
    if (j->broken)
        return odoo_sink_set_error(s, ODOO_ERROR,
                                   "json sink: an earlier write to %s failed", j->path);
    if (j->buf.len > 0) {
        rc = write_all(s, j, j->buf.data, j->buf.len);
        if (rc != ODOO_OK) {
            j->broken = 1;
            if (j->append) {
                /* no half batch (and so no half line) stays in the file */
                if (ftruncate(j->fd, j->committed) == 0)
                    j->broken = 0;
            }
            return rc;
        }
        j->buf.len = 0;
    }
    if (sync && j->do_fsync && fsync(j->fd) != 0) {
        int e = errno;
        j->broken = 1;
        return sys_error(s, "cannot fsync", j->tmp_path ? j->tmp_path : j->path, e);
    }
    if (j->append) {
        struct stat st;
        if (fstat(j->fd, &st) == 0)
            j->committed = st.st_size;
        odoo_sink_count(s, ODOO_SINK_WRITTEN, j->pending);
    } else {
        j->unsynced += j->pending;
    }
    j->pending = 0;
    return ODOO_OK;
}

static int json_sink_put(odoo_sink *s, void *impl, json_t *record)
{
    json_sink *j = impl;
    size_t mark = j->buf.len;
    int rc;
    if (j->broken)
        return odoo_sink_set_error(s, ODOO_ERROR,
                                   "json sink: an earlier write to %s failed", j->path);
    if (j->format == ODOO_JSON_ARRAY)
        rc = odoo__buf_append(&j->buf, j->in_file ? ",\n" : "\n", j->in_file ? 2 : 1);
    else
        rc = ODOO_OK;
    if (rc == ODOO_OK)
        rc = odoo__json_write(&j->buf, record, j->sort_keys);
    if (rc == ODOO_OK && j->format == ODOO_JSON_LINES)
        rc = odoo__buf_append(&j->buf, "\n", 1);
    if (rc != ODOO_OK) {
        j->buf.len = mark; /* nothing of this record stays */
        if (j->buf.data)
            j->buf.data[mark] = '\0';
        return odoo_sink_set_error(s, rc, "json sink: cannot encode the record: %s",
                                   odoo_strerror(rc));
    }
    j->pending++;
    j->in_file++;
    if ((j->flush_records > 0 && j->pending >= (unsigned long long)j->flush_records)
        || (j->flush_bytes > 0 && j->buf.len >= (size_t)j->flush_bytes)) {
        rc = write_out(s, j, j->append);
        if (rc == ODOO_OK)
            odoo_sink_count(s, ODOO_SINK_FLUSHES, 1);
        return rc;
    }
    return ODOO_OK;
}

static int json_sink_flush(odoo_sink *s, void *impl)
{
    json_sink *j = impl;
    return write_out(s, j, j->append);
}

static void remove_tmp(json_sink *j)
{
    if (j->fd >= 0) {
        close(j->fd);
        j->fd = -1;
    }
    if (j->tmp_path) {
        unlink(j->tmp_path);
        free(j->tmp_path);
        j->tmp_path = NULL;
    }
}

static int json_sink_close(odoo_sink *s, void *impl)
{
    json_sink *j = impl;
    int rc;
    j->closed = 1;
    if (!j->append && j->format == ODOO_JSON_ARRAY) {
        rc = j->in_file ? odoo__buf_append(&j->buf, "\n]\n", 3) : odoo__buf_append(&j->buf, "]\n", 2);
        if (rc != ODOO_OK) {
            remove_tmp(j);
            return odoo_sink_set_error(s, rc, "json sink: out of memory");
        }
    }
    rc = write_out(s, j, 1);
    if (rc != ODOO_OK) {
        if (!j->append)
            remove_tmp(j);
        return rc;
    }
    if (close(j->fd) != 0) {
        int e = errno;
        j->fd = -1;
        if (!j->append)
            remove_tmp(j);
        return sys_error(s, "cannot close", j->tmp_path ? j->tmp_path : j->path, e);
    }
    j->fd = -1;
    if (!j->append) {
        if (rename(j->tmp_path, j->path) != 0) {
            int e = errno;
            remove_tmp(j);
            return sys_error(s, "cannot rename the temporary file to", j->path, e);
        }
        free(j->tmp_path);
        j->tmp_path = NULL;
        if (j->do_fsync && fsync_dir(j->dir) != 0)
            return sys_error(s, "cannot fsync the directory", j->dir, EIO);
        odoo_sink_count(s, ODOO_SINK_WRITTEN, j->unsynced);
        j->unsynced = 0;
    }
    return ODOO_OK;
}

static void json_sink_free(void *impl)
{
    json_sink *j = impl;
    if (!j)
        return;
    if (j->append) {
        if (j->fd >= 0)
            close(j->fd);
        /* an abort of an appender that created the file and stored nothing:
         * the target is left as it was, i.e. absent */
        if (!j->closed && j->created && j->committed == 0 && j->path)
            unlink(j->path);
    } else {
        remove_tmp(j); /* an abort: the target is left as it was */
    }
    odoo__buf_dispose(&j->buf);
    free(j->path);
    free(j->dir);
    free(j);
}

static const odoo_sink_ops json_sink_ops = {
    ODOO_SINK_OPS_VERSION, "json", NULL, json_sink_put, json_sink_flush, json_sink_close,
    json_sink_free,
};

/* Cut a trailing fragment (a last line without its "\n", left by a crash in
 * the middle of a write) so that appending continues on a line boundary. */
static int repair_tail(json_sink *j, odoo_error *err)
{
    struct stat st;
    char chunk[4096];
    off_t end, pos;
    if (fstat(j->fd, &st) != 0)
        return odoo__error_set(err, ODOO_ERROR, 0, "json sink: cannot stat %s: %s", j->path,
                               strerror(errno));
    end = st.st_size;
    pos = end;
    while (pos > 0) {
        size_t n = pos > (off_t)sizeof(chunk) ? sizeof(chunk) : (size_t)pos;
        ssize_t got, i;
        got = pread(j->fd, chunk, n, pos - (off_t)n);
        if (got != (ssize_t)n)
            return odoo__error_set(err, ODOO_ERROR, 0, "json sink: cannot read %s: %s",
                                   j->path, got < 0 ? strerror(errno) : "short read");
        for (i = got - 1; i >= 0; i--) {
            if (chunk[i] == '\n') {
                off_t keep = pos - (off_t)n + i + 1;
                if (keep != end && (ftruncate(j->fd, keep) != 0 || fsync(j->fd) != 0))
                    return odoo__error_set(err, ODOO_ERROR, 0,
                                           "json sink: cannot cut the partial last line of %s: %s",
                                           j->path, strerror(errno));
                j->committed = keep;
                return ODOO_OK;
            }
        }
        pos -= (off_t)n;
    }
    if (end > 0 && (ftruncate(j->fd, 0) != 0 || fsync(j->fd) != 0))
        return odoo__error_set(err, ODOO_ERROR, 0,
                               "json sink: cannot cut the partial line of %s: %s", j->path,
                               strerror(errno));
    j->committed = 0;
    return ODOO_OK;
}

static int open_file(json_sink *j, odoo_error *err)
{
    if (j->append) {
        j->fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC);
        if (j->fd < 0 && errno == ENOENT) {
            j->fd = open(j->path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
                         (mode_t)j->mode);
            if (j->fd >= 0)
                j->created = 1;
            else if (errno == EEXIST) /* created by someone else meanwhile */
                j->fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC);
        }
        if (j->fd < 0)
            return odoo__error_set(err, ODOO_ERROR, 0, "json sink: cannot open %s: %s",
                                   j->path, strerror(errno));
        return repair_tail(j, err);
    } else {
        const char *base = strrchr(j->path, '/');
        size_t need;
        base = base ? base + 1 : j->path;
        need = strlen(j->dir) + strlen(base) + 16;
        j->tmp_path = odoo__malloc(need);
        if (!j->tmp_path)
            return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        snprintf(j->tmp_path, need, "%s/.%s.tmp-XXXXXX", j->dir, base);
        j->fd = mkstemp(j->tmp_path);
        if (j->fd < 0) {
            int e = errno;
            free(j->tmp_path);
            j->tmp_path = NULL;
            return odoo__error_set(err, ODOO_ERROR, 0,
                                   "json sink: cannot create a temporary file next to %s: %s",
                                   j->path, strerror(e));
        }
        (void)fcntl(j->fd, F_SETFD, FD_CLOEXEC);
        if (fchmod(j->fd, (mode_t)j->mode) != 0) {
            int e = errno;
            remove_tmp(j);
            return odoo__error_set(err, ODOO_ERROR, 0, "json sink: cannot chmod %s: %s",
                                   j->path, strerror(e));
        }
        if (j->format == ODOO_JSON_ARRAY && odoo__buf_append(&j->buf, "[", 1) != ODOO_OK)
            return odoo__error_set(err, ODOO_ENOMEM, 0, "out of memory");
        return ODOO_OK;
    }
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *d;
    if (!slash)
        return odoo__strdup(".");
    if (slash == path)
        return odoo__strdup("/");
    d = odoo__malloc((size_t)(slash - path) + 1);
    if (d) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

int odoo_json_sink_open(odoo_sink **out, const odoo_json_sink_options *opts)
{
    json_sink *j;
    odoo_error err;
    int rc;

    if (!out)
        return ODOO_EINVAL;
    *out = NULL;
    if (!opts)
        return ODOO_EINVAL;
    odoo__error_init(&err);
    if (opts->version != ODOO_JSON_SINK_OPTIONS_VERSION)
        rc = odoo__error_set(&err, ODOO_EINVAL, 0, "json sink: unknown options version %u",
                             opts->version);
    else if (!opts->path || !*opts->path)
        rc = odoo__error_set(&err, ODOO_EINVAL, 0, "json sink: path is required");
    else if (opts->format != ODOO_JSON_ARRAY && opts->format != ODOO_JSON_LINES)
        rc = odoo__error_set(&err, ODOO_EINVAL, 0, "json sink: unknown format %d",
                             (int)opts->format);
    else if (opts->append && opts->format != ODOO_JSON_LINES)
        rc = odoo__error_set(&err, ODOO_EINVAL, 0,
                             "json sink: append needs the JSON Lines format");
    else if (opts->flush_records < 0 || opts->flush_bytes < 0 || opts->file_mode > 07777)
        rc = odoo__error_set(&err, ODOO_EINVAL, 0,
                             "json sink: flush_records, flush_bytes and file_mode must be valid");
    else
        rc = ODOO_OK;
    if (rc != ODOO_OK)
        goto fail;

    j = odoo__calloc(1, sizeof(*j));
    if (!j) {
        rc = odoo__error_set(&err, ODOO_ENOMEM, 0, "out of memory");
        goto fail;
    }
    j->fd = -1;
    j->format = opts->format;
    j->append = opts->append ? 1 : 0;
    j->sort_keys = opts->sort_keys ? 1 : 0;
    j->do_fsync = opts->fsync ? 1 : 0;
    j->flush_records = opts->flush_records;
    j->flush_bytes = opts->flush_bytes;
    j->mode = opts->file_mode;
    j->path = odoo__strdup(opts->path);
    j->dir = j->path ? dir_of(j->path) : NULL;
    if (!j->path || !j->dir) {
        json_sink_free(j);
        rc = odoo__error_set(&err, ODOO_ENOMEM, 0, "out of memory");
        goto fail;
    }
    rc = open_file(j, &err);
    if (rc != ODOO_OK) {
        json_sink_free(j);
        goto fail;
    }
    rc = odoo_sink_open(out, &json_sink_ops, j);
    if (rc != ODOO_OK) {
        json_sink_free(j);
        odoo_sink_free(*out);
        *out = NULL;
        odoo__error_set(&err, rc, 0, "json sink: %s", odoo_strerror(rc));
        goto fail;
    }
    return ODOO_OK;

fail:
    *out = odoo__sink_failed(&err);
    odoo__error_clear(&err);
    return rc;
}
