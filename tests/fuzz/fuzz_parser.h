/* The body shared by every parser's libFuzzer target (tests/fuzz/fuzz_<format>.c): parse the
 * input once whole and once in chunks whose sizes depend on the input, and abort unless both give
 * the same records, rejects, metas and error (a digest of all of them), every record is valid
 * (an id; a title unless deleted; caps), every string is valid UTF-8, and every reject and error
 * has a message. Include after defining FUZZ_FORMAT. Define FUZZ_LISTING_DAY to pass a listing
 * day in the options, as import does for files named by day. */
#ifndef PB_TESTS_FUZZ_PARSER_H
#define PB_TESTS_FUZZ_PARSER_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ingest/ingest.h"
#include "../../src/util/text.h"

#ifndef FUZZ_LISTING_DAY
#define FUZZ_LISTING_DAY NULL
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void digest(uint64_t *h, const char *s)
{
    if (!s) {
        *h = (*h ^ 0xff) * 1099511628211u;
        return;
    }
    if (!text_is_utf8(s, strlen(s)))
        abort();
    for (; *s; s++)
        *h = (*h ^ (unsigned char)*s) * 1099511628211u;
    *h = (*h ^ 0xfe) * 1099511628211u;
}

static void digest_list(uint64_t *h, const struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (!*l->v[i])
            abort(); /* empty entries are never kept */
        digest(h, l->v[i]);
    }
    *h = (*h ^ 0xfd) * 1099511628211u;
}

static int on_paper(void *ctx, const struct paper *p)
{
    uint64_t *h = ctx;
    const char *why;
    if (!p->id || !*p->id || p->record_no < 1 || paper_validate(p, &why))
        abort();
    if (!p->is_deleted && (!p->title || !*p->title))
        abort();
    const char *f[] = {p->id,          p->title,       p->abstract,    p->comment,   p->journal_ref,
                       p->doi,         p->license,     p->report_no,   p->submitted, p->updated,
                       p->listing_day, p->github_repo, p->featured_day};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        digest(h, f[i]);
    digest_list(h, &p->authors);
    digest_list(h, &p->categories);
    digest_list(h, &p->keywords);
    if (p->featured_day && strlen(p->featured_day) != 10)
        abort();
    *h = (*h ^ (uint64_t)(p->record_no * 31 + p->version + p->is_deleted)) * 1099511628211u;
    *h = (*h ^ (uint64_t)p->upvotes) * 1099511628211u;
    return 0;
}

static int on_reject(void *ctx, const struct ingest_error *e)
{
    if (e->record_no < 1 || !e->msg[0] || !text_is_utf8(e->msg, strlen(e->msg)))
        abort();
    digest(ctx, e->msg);
    return 0;
}

static int on_meta(void *ctx, const char *key, const char *value)
{
    digest(ctx, key);
    digest(ctx, value);
    return 0;
}

static uint64_t run(const uint8_t *data, size_t size, size_t chunk)
{
    uint64_t h = 14695981039346656037u;
    struct ingest_sink sink = {&h, on_paper, on_reject, on_meta};
    struct ingest_opts opts = {"fuzz-input", FUZZ_LISTING_DAY};
    struct parser *p = parser_new(FUZZ_FORMAT, &sink, &opts);
    int rc = 0;
    for (size_t off = 0; off < size && !rc; off += chunk)
        rc = parser_feed(p, (const char *)data + off, size - off < chunk ? size - off : chunk);
    if (!rc)
        rc = parser_finish(p);
    const struct ingest_error *e = parser_error(p);
    if (rc && (!e || !e->msg[0]))
        abort();
    digest(&h, e ? e->msg : NULL);
    h = (h ^ (uint64_t)(rc + 100)) * 1099511628211u;
    parser_free(p);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t whole = run(data, size, size ? size : 1);
    size_t chunk = (size ? data[size - 1] % 61 : 0) + 1;
    if (run(data, size, chunk) != whole)
        abort();
    return 0;
}

#endif
