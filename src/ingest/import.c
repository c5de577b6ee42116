/* ingest_file: the I/O side of importing. Opens a file or stdin, inflates gzip transparently
 * (zlib, streaming), detects the format from the first decompressed bytes and feeds fixed-size
 * chunks to a parser, so memory stays constant whatever the file size. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../util/alloc.h"
#include "ingest.h"

#define CHUNK (256 * 1024)
#define DETECT_BYTES (64 * 1024)

struct reader {
    int fd;
    int is_gzip;
    z_stream zs;
    int z_done;
    unsigned char *in;
    size_t in_len, in_pos;
    int eof;
    long long raw_read;
};

static void set_err(struct ingest_error *err, const char *path, const char *fmt, const char *detail)
{
    err->source = path;
    err->record_no = 0;
    err->line_no = 0;
    snprintf(err->msg, sizeof err->msg, fmt, detail);
}

static int fill_raw(struct reader *r)
{
    if (r->eof)
        return 0;
    ssize_t k;
    do {
        k = read(r->fd, r->in, CHUNK);
    } while (k < 0 && errno == EINTR);
    if (k < 0)
        return PB_EIO;
    if (k == 0)
        r->eof = 1;
    r->in_len = (size_t)k;
    r->in_pos = 0;
    r->raw_read += k;
    return 0;
}

/* Read up to cap decompressed bytes into out. Returns bytes (0 at end) or a negative error. */
static long reader_read(struct reader *r, char *out, size_t cap, const char **why)
{
    if (!r->is_gzip) {
        if (r->in_pos < r->in_len) {
            size_t k = r->in_len - r->in_pos < cap ? r->in_len - r->in_pos : cap;
            memcpy(out, r->in + r->in_pos, k);
            r->in_pos += k;
            return (long)k;
        }
        if (fill_raw(r)) {
            *why = strerror(errno);
            return PB_EIO;
        }
        if (r->in_len == 0)
            return 0;
        return reader_read(r, out, cap, why);
    }
    r->zs.next_out = (unsigned char *)out;
    r->zs.avail_out = (uInt)cap;
    while (r->zs.avail_out == cap) {
        if (r->z_done) {
            /* Concatenated gzip members: start again if more input follows. */
            if (r->in_pos >= r->in_len && (fill_raw(r) || r->in_len == 0))
                return 0;
            inflateReset(&r->zs);
            r->z_done = 0;
        }
        if (r->in_pos >= r->in_len) {
            if (fill_raw(r)) {
                *why = strerror(errno);
                return PB_EIO;
            }
            if (r->in_len == 0) {
                *why = "the gzip stream is truncated";
                return PB_EPARSE;
            }
        }
        r->zs.next_in = r->in + r->in_pos;
        r->zs.avail_in = (uInt)(r->in_len - r->in_pos);
        int zr = inflate(&r->zs, Z_NO_FLUSH);
        r->in_pos = r->in_len - r->zs.avail_in;
        if (zr == Z_STREAM_END) {
            r->z_done = 1;
            if (r->zs.avail_out != cap)
                break;
            continue;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            *why = r->zs.msg ? r->zs.msg : "corrupt gzip data";
            return PB_EPARSE;
        }
    }
    return (long)(cap - r->zs.avail_out);
}

int ingest_file(const char *path, enum ingest_format f, const struct ingest_sink *sink,
                ingest_format_fn on_format, ingest_progress_fn progress, void *progress_ctx,
                struct ingest_error *err)
{
    struct reader r;
    memset(&r, 0, sizeof r);
    int rc = 0;
    struct parser *p = NULL;
    char *out = NULL;
    long long total = 0;
    if (!strcmp(path, "-")) {
        r.fd = 0;
    } else {
        r.fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r.fd < 0) {
            set_err(err, path, "cannot open: %s", strerror(errno));
            return PB_EIO;
        }
        struct stat st;
        if (fstat(r.fd, &st) == 0 && S_ISREG(st.st_mode))
            total = st.st_size;
        else if (fstat(r.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            set_err(err, path, "%s", "is a directory");
            close(r.fd);
            return PB_EINVAL;
        }
    }
    r.in = xmalloc(CHUNK);
    out = xmalloc(CHUNK);
    if (fill_raw(&r)) {
        set_err(err, path, "cannot read: %s", strerror(errno));
        rc = PB_EIO;
        goto out;
    }
    if (r.in_len >= 2 && r.in[0] == 0x1f && r.in[1] == 0x8b) {
        r.is_gzip = 1;
        if (inflateInit2(&r.zs, 15 + 16) != Z_OK) {
            set_err(err, path, "%s", "cannot initialise gzip decoder");
            rc = PB_EIO;
            goto out;
        }
    }
    /* Gather enough decompressed bytes to detect the format. */
    size_t have = 0;
    const char *why = NULL;
    while (have < DETECT_BYTES) {
        long k = reader_read(&r, out + have, DETECT_BYTES - have, &why);
        if (k < 0) {
            set_err(err, path, "cannot read: %s", why);
            rc = (int)k;
            goto out;
        }
        if (k == 0)
            break;
        have += (size_t)k;
    }
    if (have == 0) {
        /* An empty file is an empty listing (arXiv has days without papers): zero records. */
        goto out;
    }
    if (f == INGEST_AUTO) {
        f = ingest_detect(out, have, path);
        if (f == INGEST_AUTO) {
            set_err(err, path, "%s",
                    "not a format paperboy knows (use --format to say which it is)");
            rc = PB_EFORMAT;
            goto out;
        }
    }
    if (on_format)
        on_format(progress_ctx, f);
    char day[11];
    struct ingest_opts opts = {path, NULL};
    if (ingest_day_from_name(path, day) == 0)
        opts.listing_day = day;
    p = parser_new(f, sink, &opts);
    long long next_report = 0;
    for (;;) {
        rc = parser_feed(p, out, have);
        if (rc)
            break;
        if (progress && r.raw_read >= next_report) {
            progress(progress_ctx, r.raw_read, total, parser_records(p));
            next_report = r.raw_read + 4 * CHUNK;
        }
        long k = reader_read(&r, out, CHUNK, &why);
        if (k < 0) {
            set_err(err, path, "cannot read: %s", why);
            rc = (int)k;
            goto out;
        }
        if (k == 0) {
            rc = parser_finish(p);
            break;
        }
        have = (size_t)k;
    }
    if (rc && parser_error(p)) {
        *err = *parser_error(p);
        err->source = path;
    } else if (rc) {
        set_err(err, path, "%s", pb_strerror(rc));
    }
    if (progress)
        progress(progress_ctx, r.raw_read, total, parser_records(p));
out:
    if (r.is_gzip)
        inflateEnd(&r.zs);
    parser_free(p);
    xfree(out);
    xfree(r.in);
    if (r.fd > 0)
        close(r.fd);
    return rc;
}
