/* Push-style line splitter shared by the line-oriented formats (JSON Lines, .abs, listings).
 * Feed it chunks; it calls back once per complete line (without the "\n" or "\r\n"), with the
 * 1-based line number. The line is NOT NUL-terminated (use len); it points into the fed chunk
 * when it lies wholly inside it (no copy). A line longer than max_line is reported with
 * is_too_long set and its bytes discarded, so memory stays bounded. */
#ifndef PB_INGEST_LINES_H
#define PB_INGEST_LINES_H
#include <stddef.h>

#include "../util/buf.h"

/* Return 0 to go on, non-zero to stop (that code is returned from lines_feed/lines_finish). */
typedef int (*lines_fn)(void *ctx, const char *line, size_t len, long line_no, int is_too_long);

struct lines {
    struct buf cur;
    long line_no;
    int is_skipping;   /* inside an over-long line */
    lines_fn fn;
    void *ctx;
};

void lines_init(struct lines *l, size_t max_line, lines_fn fn, void *ctx);
void lines_release(struct lines *l);
int lines_feed(struct lines *l, const char *data, size_t n);
/* Deliver a last line that has no trailing newline. */
int lines_finish(struct lines *l);

#endif
