/* libFuzzer target for the query parser (src/index/query.c): every input is parsed in both
 * modes. Plain mode never fails; normal mode fails only with PB_EINVAL or PB_ETOOBIG and a
 * message in valid UTF-8. Every tree passes query_check (the invariants in query.h), its
 * S-expression is valid UTF-8 and the same on a second parse, and white space around the query
 * changes nothing. Seeds and regression inputs live in tests/fuzz/corpus/query/;
 * tests/fuzz/replay.c replays them in make test. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/index/query.h"
#include "../../src/util/alloc.h"
#include "../../src/util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The S-expression of a successful parse, or NULL after a checked failure (*rc_out set). */
static char *parse(const char *s, size_t n, unsigned flags, int *rc_out)
{
    struct query *q = (struct query *)&q; /* must be reset to NULL on failure */
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = query_parse(s, n, flags, &q, err, sizeof err);
    *rc_out = rc;
    if (rc) {
        if (q || (flags & QUERY_PLAIN) || (rc != PB_EINVAL && rc != PB_ETOOBIG))
            abort();
        if (!memchr(err, 0, sizeof err) || !err[0] || !text_is_utf8(err, strlen(err)))
            abort();
        return NULL;
    }
    const char *why;
    if (!q || err[0] || query_check(q, flags, &why))
        abort();
    char *out = query_to_string(q);
    if (!out || !text_is_utf8(out, strlen(out)))
        abort();
    query_free(q);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    for (unsigned flags = 0; flags <= QUERY_PLAIN; flags += QUERY_PLAIN) {
        int rc, rc2;
        char *a = parse(s, size, flags, &rc);
        char *b = parse(s, size, flags, &rc2);
        if (rc != rc2 || (a && strcmp(a, b)))
            abort();
        xfree(b);
        /* Surrounding white space changes nothing (only byte offsets in messages). */
        if (size + 2 <= QUERY_MAX_BYTES) {
            char *padded = xmalloc(size + 2);
            padded[0] = ' ';
            memcpy(padded + 1, s, size);
            padded[size + 1] = '\n';
            char *c = parse(padded, size + 2, flags, &rc2);
            if (rc != rc2 || (a && strcmp(a, c)))
                abort();
            xfree(c);
            xfree(padded);
        }
        xfree(a);
    }
    return 0;
}
