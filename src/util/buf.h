/* Growable byte buffer with a hard size cap set at creation (curl's dynbuf idea): appending past
 * the cap fails with PB_ETOOBIG instead of growing without bound. The contents are always
 * NUL-terminated so they can be used as a C string. */
#ifndef PB_UTIL_BUF_H
#define PB_UTIL_BUF_H
#include <stddef.h>

#include "err.h"

struct buf {
    char *data;   /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;   /* hard limit on len */
};

#define BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Forget the contents, keep the memory. */
void buf_reset(struct buf *b);
PB_MUST_CHECK int buf_append(struct buf *b, const void *p, size_t n);
PB_MUST_CHECK int buf_putc(struct buf *b, char c);
PB_MUST_CHECK int buf_puts(struct buf *b, const char *s);
PB_MUST_CHECK int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty); owned by b. */
const char *buf_str(const struct buf *b);
/* Hand the contents to the caller (a fresh heap string, "" if empty) and reset b. */
char *buf_take(struct buf *b);

#endif
