/* The one allocation wrapper. Out of memory is not recoverable in paperboy (a server, like git
 * and Redis): these functions print a message and abort instead of returning NULL. Raw malloc,
 * strdup and friends are banned elsewhere (see banned.h). */
#ifndef PB_UTIL_ALLOC_H
#define PB_UTIL_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow-array helper: returns p resized to hold at least `need` items of `size` bytes, updating
 * *cap (doubling). */
void *xgrow(void *p, size_t size, size_t need, size_t *cap);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void xfree(void *p);
/* Formatted string in fresh memory (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
