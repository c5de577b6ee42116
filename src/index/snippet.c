/* Snippets: the window of a text with the most query terms, matches marked. The text is
 * tokenised with the same tokeniser as the index, so what is marked is exactly what matched
 * (a stemmed "networks" marks "network" and "Networks"). Marks are inserted verbatim: callers
 * that render HTML escape the pieces themselves (index_snippet_spans gives the ranges). */
#include <string.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "index.h"
#include "token.h"

#define MAX_MATCHES 1024

struct span_ctx {
    const struct index_result *r;
    struct index_span *spans;
    size_t n, cap;
};

static int on_tok(void *ctx, const struct token *t)
{
    struct span_ctx *c = ctx;
    if (t->flags & TOKEN_STOP)
        return 0;
    for (size_t i = 0; i < c->r->n_terms; i++) {
        if (strlen(c->r->terms[i]) == t->len && memcmp(c->r->terms[i], t->term, t->len) == 0) {
            /* a compound and its parts overlap: keep the widest */
            if (c->n && t->start_off < c->spans[c->n - 1].end) {
                if (t->end_off > c->spans[c->n - 1].end)
                    c->spans[c->n - 1].end = t->end_off;
                return 0;
            }
            if (c->n == MAX_MATCHES)
                return 1;
            c->spans = xgrow(c->spans, sizeof *c->spans, c->n + 1, &c->cap);
            c->spans[c->n++] = (struct index_span){t->start_off, t->end_off};
            return 0;
        }
    }
    return 0;
}

size_t index_snippet_spans(const struct index_result *r, const char *text, size_t len,
                           size_t max_bytes, size_t *win_start, size_t *win_end,
                           struct index_span **spans)
{
    struct span_ctx c = {r, NULL, 0, 0};
    struct tokenizer *tok = r->tok ? r->tok : tokenizer_new();
    if (r->n_terms && len)
        tokenizer_run(tok, TOKEN_TEXT, text, len, 0, on_tok, &c);
    if (tok != r->tok)
        tokenizer_free(tok);
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
