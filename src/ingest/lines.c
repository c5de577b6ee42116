/* Line splitter (see lines.h). */
#include "lines.h"

#include <string.h>

void lines_init(struct lines *l, size_t max_line, lines_fn fn, void *ctx)
{
    buf_init(&l->cur, max_line);
    l->line_no = 0;
    l->is_skipping = 0;
    l->fn = fn;
    l->ctx = ctx;
}

void lines_release(struct lines *l)
{
    buf_release(&l->cur);
}

static int deliver(struct lines *l)
{
    l->line_no++;
    size_t len = l->cur.len;
    if (len && l->cur.data[len - 1] == '\r')
        len--;
    int too_long = l->is_skipping;
    int rc = l->fn(l->ctx, too_long ? "" : buf_str(&l->cur), too_long ? 0 : len, l->line_no,
                   too_long);
    buf_reset(&l->cur);
    l->is_skipping = 0;
    return rc;
}

int lines_feed(struct lines *l, const char *data, size_t n)
{
    while (n) {
        const char *nl = memchr(data, '\n', n);
        size_t k = nl ? (size_t)(nl - data) : n;
        if (nl && l->cur.len == 0 && !l->is_skipping && k <= l->cur.max) {
            /* The whole line is in this chunk: hand it over without copying. */
            size_t len = k && data[k - 1] == '\r' ? k - 1 : k;
            l->line_no++;
            int rc = l->fn(l->ctx, data, len, l->line_no, 0);
            if (rc)
                return rc;
            data += k + 1;
            n -= k + 1;
            continue;
        }
        if (!l->is_skipping && buf_append(&l->cur, data, k)) {
            l->is_skipping = 1;
            buf_reset(&l->cur);
        }
        if (!nl)
            return 0;
        int rc = deliver(l);
        if (rc)
            return rc;
        data += k + 1;
        n -= k + 1;
    }
    return 0;
}

int lines_finish(struct lines *l)
{
    if (l->cur.len == 0 && !l->is_skipping)
        return 0;
    return deliver(l);
}
