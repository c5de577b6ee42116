/* libFuzzer target for the "abs" parser (.abs records and arXiv listings): feeds the input in a
 * few chunks whose sizes depend on the input, finishes and frees. Every emitted record must have
 * an id and a title, and every string must be valid UTF-8; anything else aborts. Seeds and
 * regression inputs live in tests/fuzz/corpus/abs/; tests/fuzz/replay.c replays them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ingest/ingest.h"
#include "../../src/util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s)
{
    if (s && !text_is_utf8(s, strlen(s)))
        abort();
}

static int on_paper(void *ctx, const struct paper *p)
{
    (void)ctx;
    if (!p->id || !*p->id || !p->title || !*p->title || p->record_no < 1)
        abort();
    const char *f[] = {p->id,      p->title,     p->abstract,  p->comment, p->journal_ref, p->doi,
                       p->license, p->report_no, p->submitted, p->updated, p->listing_day};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        check_str(f[i]);
    for (size_t i = 0; i < p->authors.n; i++)
        check_str(p->authors.v[i]);
    for (size_t i = 0; i < p->categories.n; i++)
        check_str(p->categories.v[i]);
    return 0;
}

static int on_reject(void *ctx, const struct ingest_error *e)
{
    (void)ctx;
    if (e->record_no < 1 || !e->msg[0])
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ingest_sink sink = {NULL, on_paper, on_reject, NULL};
    /* A name ending in "vN.abs" exercises the version-from-file-name path too. */
    struct ingest_opts opts = {size % 2 ? "orig/x/0704.0001v3.abs" : "fuzz.abs", NULL};
    struct parser *p = parser_new(INGEST_ABS, &sink, &opts);
    size_t chunk = size / 3 + (size ? data[0] % 17 : 0) + 1;
    int rc = 0;
    for (size_t off = 0; off < size && !rc; off += chunk)
        rc = parser_feed(p, (const char *)data + off, size - off < chunk ? size - off : chunk);
    if (!rc)
        rc = parser_finish(p);
    parser_free(p);
    return 0;
}
