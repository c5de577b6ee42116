/* libFuzzer target for the tokeniser (src/index/token.c). The input is tokenised in each of the
 * three modes; abort unless every term is non-empty, at most TOKEN_MAX bytes, NUL-terminated,
 * valid UTF-8; offsets lie within the input with start <= end; positions start at pos0 and each
 * word takes the next one (a compound shares the position of its first part, which follows it);
 * the return value is the position after the last token; a second run gives the same tokens
 * (the stem cache changes nothing); and the bytes of each token, tokenised alone, give that
 * token first. Seeds and regression inputs: tests/fuzz/corpus/token/; replay: replay.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/index/token.h"
#include "../../src/util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHECKED 4096 /* tokens whose slices are re-tokenised per input */

struct state {
    const uint8_t *data;
    size_t size;
    enum token_mode mode;
    uint32_t next;      /* position the next word must take */
    int after_compound; /* the previous token was a compound */
    uint64_t digest;
    size_t n;
    struct tokenizer *alone; /* for the slice check; NULL inside it */
};

static void check_slice(struct state *st, const struct token *tok);

static int on_token(void *ctx, const struct token *tok)
{
    struct state *st = ctx;
    if (!tok->term || tok->len == 0 || tok->len > TOKEN_MAX || strlen(tok->term) != tok->len)
        abort();
    if (!text_is_utf8(tok->term, tok->len))
        abort();
    if (tok->start_off > tok->end_off || tok->end_off > st->size)
        abort();
    if (tok->flags & ~(unsigned)(TOKEN_STOP | TOKEN_COMPOUND))
        abort();
    if (st->mode != TOKEN_TEXT && tok->flags)
        abort();
    if ((tok->flags & TOKEN_STOP) && !token_is_stop(tok->term, tok->len))
        abort();
    if (tok->pos != st->next)
        abort();
    if (st->after_compound && (tok->flags & TOKEN_COMPOUND))
        abort(); /* a compound is followed by its first part */
    st->after_compound = (tok->flags & TOKEN_COMPOUND) != 0;
    if (!st->after_compound)
        st->next++;
    for (size_t i = 0; i < tok->len; i++)
        st->digest = (st->digest ^ (unsigned char)tok->term[i]) * 1099511628211u;
    st->digest = (st->digest ^ (tok->pos * 7u + tok->flags + tok->start_off * 131u +
                                (uint64_t)tok->end_off * 8191u)) *
                 1099511628211u;
    if (st->alone && st->n < MAX_CHECKED)
        check_slice(st, tok);
    st->n++;
    return 0;
}

struct first {
    char term[TOKEN_MAX + 1];
    unsigned flags;
    int seen;
};

static int on_first(void *ctx, const struct token *tok)
{
    struct first *f = ctx;
    memcpy(f->term, tok->term, tok->len + 1);
    f->flags = tok->flags;
    f->seen = 1;
    return 1;
}

static void check_slice(struct state *st, const struct token *tok)
{
    struct first f = {{0}, 0, 0};
    tokenizer_run(st->alone, st->mode, (const char *)st->data + tok->start_off,
                  tok->end_off - tok->start_off, 0, on_first, &f);
    if (!f.seen || strcmp(f.term, tok->term) || f.flags != tok->flags)
        abort();
}

static uint64_t run(struct tokenizer *t, struct tokenizer *alone, enum token_mode mode,
                    const uint8_t *data, size_t size, uint32_t pos0)
{
    struct state st = {data, size, mode, pos0, 0, 14695981039346656037u, 0, alone};
    uint32_t end = tokenizer_run(t, mode, (const char *)data, size, pos0, on_token, &st);
    if (st.after_compound || end != st.next)
        abort();
    return st.digest ^ st.n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tokenizer *t, *alone;
    if (!t) {
        t = tokenizer_new();
        alone = tokenizer_new();
    }
    uint32_t pos0 = size ? data[0] * 1000u : 0;
    for (int m = 0; m < 3; m++) {
        uint64_t a = run(t, alone, (enum token_mode)m, data, size, pos0);
        if (run(alone, NULL, (enum token_mode)m, data, size, pos0) != a)
            abort();
    }
    return 0;
}
