/* Snippets: the window of a text with the most query terms, matches marked. The text is
 * tokenised with the same tokeniser as the index, so what is marked is exactly what matched
 * (a stemmed "networks" marks "network" and "Networks"). Marks are inserted verbatim: callers
 * that render HTML escape the pieces themselves (index_snippet_spans gives the ranges). */
#include <stdint.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "index.h"
#include "token.h"

#define MAX_MATCHES 1024
#define MAX_PREFIXES 64

int index_snippet_whole_text;

struct span_ctx {
    const struct index_result *r;
    size_t *lens; /* of r->terms */
    size_t base;  /* offset of the tokenised piece in the text */
    struct index_span *spans;
    size_t n, cap;
};

static int on_tok(void *ctx, const struct token *t)
{
    struct span_ctx *c = ctx;
    if (t->flags & TOKEN_STOP)
        return 0;
    for (size_t i = 0; i < c->r->n_terms; i++) {
        if (c->lens[i] == t->len && c->r->terms[i][0] == t->term[0] &&
            memcmp(c->r->terms[i], t->term, t->len) == 0) {
            size_t start = c->base + t->start_off, end = c->base + t->end_off;
            /* a compound and its parts overlap: keep the widest */
            if (c->n && start < c->spans[c->n - 1].end) {
                if (end > c->spans[c->n - 1].end)
                    c->spans[c->n - 1].end = end;
                return 0;
            }
            if (c->n == MAX_MATCHES)
                return 1;
            c->spans = xgrow(c->spans, sizeof *c->spans, c->n + 1, &c->cap);
            c->spans[c->n++] = (struct index_span){start, end};
            return 0;
        }
    }
    return 0;
}

/* The prefilter. Tokenising a whole abstract for every result is most of a search page's cost,
 * and most of its words cannot match. A term of lower-case ASCII letters, digits, '-' and '.'
 * can only come from a word that starts with the same two bytes, folded: Snowball keeps the
 * first two letters of an English word (its one exception, dying/lying/tying -> die/lie/tie,
 * turns a second 'y' into 'i'), and words of non-ASCII text may fold to anything, so they are
 * always tokenised. Only the white-space-delimited pieces of text holding such a word are
 * tokenised; nothing in the tokeniser joins words across white space except O(...), whose
 * terms hold '(' and switch the prefilter off, as does any other term outside that alphabet.
 * tests/unit/test_index.c checks that both ways mark the same spans on real abstracts. */
struct prefix {
    char a, b; /* b == 0: the term is one byte long */
};

static int term_byte_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static size_t make_prefixes(const struct index_result *r, struct prefix *px)
{
    if (r->n_terms > MAX_PREFIXES)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < r->n_terms; i++) {
        const unsigned char *t = (const unsigned char *)r->terms[i];
        for (const unsigned char *p = t; *p; p++)
            if (!term_byte_ok(*p))
                return 0;
        if (!t[0] || t[0] == '-' || t[0] == '.')
            return 0;
        px[n++] = (struct prefix){(char)t[0], (char)(term_byte_ok(t[1]) ? t[1] : 0)};
    }
    return n;
}

/* Byte classes of the scan (struct prefilter's cls). */
enum { B_SPACE = 1, B_LETTER = 2, B_DIGIT = 4, B_HIGH = 8, B_FIRST = 16 };

struct prefilter {
    struct prefix px[MAX_PREFIXES];
    size_t n;
    uint8_t cls[256]; /* B_* bits; B_FIRST: some prefix starts with this byte, folded */
};

static void prefilter_init(struct prefilter *pf)
{
    for (int c = 0; c < 256; c++)
        pf->cls[c] = (uint8_t)(c == ' ' || (c >= '\t' && c <= '\r')               ? B_SPACE
                               : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? B_LETTER
                               : c >= '0' && c <= '9'                             ? B_DIGIT
                               : c >= 0x80                                        ? B_HIGH
                                                                                  : 0);
    for (size_t i = 0; i < pf->n; i++) {
        unsigned char a = (unsigned char)pf->px[i].a;
        pf->cls[a] |= B_FIRST;
        if (a >= 'a' && a <= 'z')
            pf->cls[a - 32] |= B_FIRST;
    }
}

/* Could the word starting at w (left bytes; its first byte has B_FIRST) fold and stem to a
 * term with one of the prefixes? */
static int word_may_match(const unsigned char *w, size_t left, const struct prefilter *pf)
{
    unsigned char a = (unsigned char)(w[0] | 0x20), b = left > 1 ? w[1] : 0;
    uint8_t bk = pf->cls[b] & (B_LETTER | B_DIGIT);
    if (bk == B_LETTER)
        b |= 0x20;
    for (size_t i = 0; i < pf->n; i++) {
        if ((unsigned char)pf->px[i].a != a)
            continue;
        /* a one-byte term, or a word whose second byte is not plain (an apostrophe, markup,
         * an accent, the end): compare the first byte only */
        if (!pf->px[i].b || !bk || (unsigned char)pf->px[i].b == b ||
            (b == 'y' && pf->px[i].b == 'i'))
            return 1;
    }
    return 0;
}

static void find_spans(struct tokenizer *tok, const char *text, size_t len, struct span_ctx *c)
{
    struct prefilter pf;
    pf.n = index_snippet_whole_text ? 0 : make_prefixes(c->r, pf.px);
    if (!pf.n) {
        tokenizer_run(tok, TOKEN_TEXT, text, len, 0, on_tok, c);
        return;
    }
    prefilter_init(&pf);
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0, run_start = SIZE_MAX, run_end = 0; /* pieces to tokenise, joined */
    int carry = 0;
    while (i < len && c->n < MAX_MATCHES) {
        while (i < len && (pf.cls[u[i]] & B_SPACE))
            i++;
        if (i == len)
            break;
        /* one piece: up to the next white space */
        size_t start = i;
        int hit = 0, prev = 0;
        for (; i < len; i++) {
            uint8_t k = pf.cls[u[i]];
            if (k & B_SPACE)
                break;
            if (hit)
                continue;
            if (k & B_HIGH) {
                hit = 1;
                continue;
            }
            /* a word starts after a separator, and where letters turn to digits or back */
            int kind = k & (B_LETTER | B_DIGIT);
            if (kind && kind != prev && (k & B_FIRST) && word_may_match(u + i, len - i, &pf))
                hit = 1;
            prev = kind;
        }
        /* LaTeX may eat one space (Bj\o rn is one word): the piece after a hit holding a
         * backslash joins the run */
        if (carry)
            hit = 1;
        carry = hit && memchr(u + start, '\\', i - start) != NULL;
        if (hit) {
            if (run_start == SIZE_MAX)
                run_start = start;
            run_end = i;
        } else if (run_start != SIZE_MAX) {
            c->base = run_start;
            tokenizer_run(tok, TOKEN_TEXT, text + run_start, run_end - run_start, 0, on_tok, c);
            run_start = SIZE_MAX;
        }
    }
    if (run_start != SIZE_MAX && c->n < MAX_MATCHES) {
        c->base = run_start;
        tokenizer_run(tok, TOKEN_TEXT, text + run_start, run_end - run_start, 0, on_tok, c);
    }
    c->base = 0;
}

size_t index_snippet_spans(const struct index_result *r, const char *text, size_t len,
                           size_t max_bytes, size_t *win_start, size_t *win_end,
                           struct index_span **spans)
{
    size_t lens_small[MAX_PREFIXES];
    size_t *lens = r->n_terms > MAX_PREFIXES ? xcalloc(r->n_terms, sizeof *lens) : lens_small;
    for (size_t i = 0; i < r->n_terms; i++)
        lens[i] = strlen(r->terms[i]);
    struct span_ctx c = {r, lens, 0, NULL, 0, 0};
    struct tokenizer *tok = r->tok ? r->tok : tokenizer_new();
    if (r->n_terms && len)
        find_spans(tok, text, len, &c);
    if (tok != r->tok)
        tokenizer_free(tok);
    if (lens != lens_small)
        xfree(lens);
    /* the window of max_bytes holding the most matches */
    size_t best_i = 0, best_n = 0;
    for (size_t i = 0, j = 0; i < c.n; i++) {
        if (j < i)
            j = i;
        while (j < c.n && c.spans[j].end - c.spans[i].start <= max_bytes)
            j++;
        if (j - i > best_n) {
            best_n = j - i;
            best_i = i;
        }
    }
    size_t ws = 0, we = len < max_bytes ? len : max_bytes;
    if (best_n) {
        size_t first = c.spans[best_i].start, last = c.spans[best_i + best_n - 1].end;
        size_t slack = max_bytes > last - first ? max_bytes - (last - first) : 0;
        ws = first > slack / 3 ? first - slack / 3 : 0;
        we = ws + max_bytes < len ? ws + max_bytes : len;
        if (we < last)
            we = last;
    }
    /* cut at spaces, never inside a UTF-8 sequence */
    if (ws > 0) {
        size_t k = ws;
        while (k < len && k < ws + 24 && text[k] != ' ')
            k++;
        ws = k < len && text[k] == ' ' ? k + 1 : ws;
        while (ws < len && ((unsigned char)text[ws] & 0xC0) == 0x80)
            ws++;
    }
    if (we < len) {
        size_t k = we;
        while (k > ws && k + 24 > we && text[k] != ' ')
            k--;
        we = text[k] == ' ' && k > ws ? k : we;
        while (we > ws && we < len && ((unsigned char)text[we] & 0xC0) == 0x80)
            we--;
    }
    /* keep the spans inside the window */
    size_t k = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.spans[i].start >= ws && c.spans[i].end <= we)
            c.spans[k++] = c.spans[i];
    *win_start = ws;
    *win_end = we;
    *spans = c.spans;
    return k;
}

char *index_snippet(const struct index_result *r, const char *text, size_t len, size_t max_bytes,
                    const char *mark_open, const char *mark_close)
{
    size_t ws, we;
    struct index_span *sp;
    size_t n = index_snippet_spans(r, text, len, max_bytes, &ws, &we, &sp);
    struct buf b = BUF_INIT((size_t)-1);
    int rc = 0;
    if (ws > 0)
        rc |= buf_puts(&b, "\xe2\x80\xa6");
    size_t at = ws;
    for (size_t i = 0; i < n; i++) {
        rc |= buf_append(&b, text + at, sp[i].start - at);
        rc |= buf_puts(&b, mark_open);
        rc |= buf_append(&b, text + sp[i].start, sp[i].end - sp[i].start);
        rc |= buf_puts(&b, mark_close);
        at = sp[i].end;
    }
    rc |= buf_append(&b, text + at, we - at);
    if (we < len)
        rc |= buf_puts(&b, "\xe2\x80\xa6");
    (void)rc; /* no cap: appends cannot fail */
    xfree(sp);
    return buf_take(&b);
}
