/* Query parser: user text -> struct query (the tree and its S-expression form are in query.h,
 * the language for users in docs/QUERY.md). A hand-written lexer over the bytes feeds a
 * recursive-descent parser; words are not tokenised here (the evaluator's tokeniser decides what
 * a term is) and no index is touched. Lenient by design: unbalanced quotes and parentheses,
 * stray operators and bad bytes are read in a documented way; only the limits, bad dates, a
 * negated date filter and a query of nothing but exclusions are errors.
 *
 *   query   := clause*                      clauses are joined by the implicit AND
 *   clause  := unary (OR unary)*            OR ("OR" or "|") binds tighter than the AND
 *   unary   := "-" primary | primary
 *   primary := FIELD* (WORD | PHRASE | "(" clause* ")")
 *
 * Date filters (after: before: year:) are consumed by the lexer wherever a word may start, so
 * the grammar never sees them. */
#include "query.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../ingest/paper.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/text.h"

/* ---- characters ---- */

/* Code point of the valid multi-byte UTF-8 sequence s[0..k). */
static uint32_t decode(const unsigned char *s, size_t k)
{
    uint32_t cp = s[0] & (0x7F >> k);
    for (size_t i = 1; i < k; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    return cp;
}

/* Bytes of the separator at s[0..n) (n >= 1): ASCII white space and controls, one byte of
 * invalid UTF-8, C1 controls, Unicode spaces and the BOM; 0 when s starts a visible character. */
static size_t sep_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return s[0] <= 0x20 || s[0] == 0x7F;
    size_t k = text_utf8_seq(s, n);
    if (!k)
        return 1;
    uint32_t cp = decode(s, k);
    if (cp <= 0x9F || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
        cp == 0xFEFF)
        return k;
    return 0;
}

/* Bytes of the character at s[0..n) (1 for a byte that is not valid UTF-8). */
static size_t char_len(const unsigned char *s, size_t n)
{
    size_t k = text_utf8_seq(s, n);
    return k ? k : 1;
}

/* Bytes of a double quote at s: '"' or a typographic one (U+201C, U+201D, U+201E), else 0. */
static size_t quote_len(const unsigned char *s, size_t n)
{
    if (s[0] == '"')
        return 1;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x9C && s[2] <= 0x9E)
        return 3;
    return 0;
}

/* A word or phrase made only of ASCII punctuation ("-", "...", "&") cannot hold a term. */
static int has_term_char(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            return 1;
    }
    return 0;
}

/* Longest prefix of s[0..n) (valid UTF-8) of at most max bytes that ends on a character. */
static size_t utf8_cut(const unsigned char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && (s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* ---- nodes ---- */

struct kids {
    struct qnode **v;
    size_t n;
    size_t cap;
};

static void kids_push(struct kids *k, struct qnode *n)
{
    k->v = xgrow(k->v, sizeof *k->v, k->n + 1, &k->cap);
    k->v[k->n++] = n;
}

static struct qnode *leaf_new(enum qnode_kind kind, char *text_take)
{
    struct qnode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->text = text_take;
    return n;
}

static void qnode_free(struct qnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        qnode_free(n->kids[i]);
    xfree(n->kids);
    xfree(n->text);
    xfree(n);
}

/* An AND or OR of the nodes in k (taken, and k's array freed): kids of the same kind are
 * flattened into it, no kids gives NULL and one kid gives that kid. */
static struct qnode *list_take(enum qnode_kind kind, struct kids *k)
{
    struct kids flat = {0};
    for (size_t i = 0; i < k->n; i++) {
        struct qnode *c = k->v[i];
        if (c->kind != kind) {
            kids_push(&flat, c);
            continue;
        }
        for (size_t j = 0; j < c->n_kids; j++)
            kids_push(&flat, c->kids[j]);
        c->n_kids = 0;
        qnode_free(c);
    }
    xfree(k->v);
    *k = (struct kids){0};
    if (flat.n <= 1) {
        struct qnode *only = flat.n ? flat.v[0] : NULL;
        xfree(flat.v);
        return only;
    }
    struct qnode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->kids = flat.v;
    n->n_kids = flat.n;
    return n;
}

/* A NOT, or an AND whose kids are all NOTs: a clause that only excludes. */
static int is_negative(const struct qnode *n)
{
    if (n->kind == QN_NOT)
        return 1;
    if (n->kind != QN_AND)
        return 0;
    for (size_t i = 0; i < n->n_kids; i++)
        if (n->kids[i]->kind != QN_NOT)
            return 0;
    return 1;
}

/* "-n": NOT(NOT x) is x and NOT(AND(NOT a, NOT b)) is OR(a, b), so a NOT never holds a
 * clause that only excludes (an evaluator could not compute it without the whole corpus). */
static struct qnode *negate(struct qnode *n)
{
    if (n->kind == QN_NOT) {
        struct qnode *kid = n->kids[0];
        n->n_kids = 0;
        qnode_free(n);
        return kid;
    }
    if (is_negative(n)) {
        struct kids k = {0};
        for (size_t i = 0; i < n->n_kids; i++) {
            kids_push(&k, n->kids[i]->kids[0]);
            n->kids[i]->n_kids = 0;
        }
        qnode_free(n);
        return list_take(QN_OR, &k);
    }
    struct qnode *neg = xcalloc(1, sizeof *neg);
    neg->kind = QN_NOT;
    neg->kids = xmalloc(sizeof *neg->kids);
    neg->kids[0] = n;
    neg->n_kids = 1;
    return neg;
}

/* A field prefix on a group reaches every leaf that has no prefix of its own (the innermost
 * prefix wins). A word searched only in the id field is canonicalised when it is an arXiv id,
 * since ids are indexed without version or URL. */
static void apply_fields(struct qnode *n, unsigned fields)
{
    if (n->kind != QN_WORD && n->kind != QN_PHRASE) {
        for (size_t i = 0; i < n->n_kids; i++)
            apply_fields(n->kids[i], fields);
        return;
    }
    if (n->fields)
        return;
    n->fields = fields;
    char id[PAPER_MAX_ID];
    int version;
    if (fields == QF_ID && n->kind == QN_WORD && !paper_parse_arxiv_id(n->text, id, &version)) {
        xfree(n->text);
        n->text = xstrdup(id);
    }
}

static size_t count_nodes(const struct qnode *n)
{
    size_t c = 1;
    for (size_t i = 0; i < n->n_kids; i++)
        c += count_nodes(n->kids[i]);
    return c;
}

/* ---- lexer ---- */

enum tok_kind { T_END, T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_OR, T_MINUS, T_FIELD };

struct tok {
    enum tok_kind kind;
    size_t start, end;       /* bytes of the token in the input (a phrase with its quotes) */
    size_t in_start, in_end; /* T_PHRASE: between the quotes */
    unsigned fields;         /* T_FIELD */
};

struct parser {
    const unsigned char *s;
    size_t len;
    size_t pos;
    struct tok tok; /* the lookahead, when has_tok */
    int has_tok;
    enum tok_kind prev; /* the last token lexed (T_END after a filter: nothing to attach to) */
    size_t prev_end;
    int rc; /* sticky: once set, every token is T_END and the parse unwinds */
    char *err;
    size_t err_len;
    int has_after, has_before;
    int64_t after, before; /* days since the epoch, inclusive */
};

static void fail(struct parser *ps, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct parser *ps, int rc, const char *fmt, ...)
{
    if (ps->rc)
        return;
    ps->rc = rc;
    if (!ps->err || !ps->err_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->err_len, fmt, ap);
    va_end(ap);
    /* A message cut by a small buffer must not end inside a character. */
    size_t n = strlen(ps->err);
    while (n > 0 && !text_is_utf8(ps->err, n))
        ps->err[--n] = 0;
}

static const struct {
    const char *name;
    unsigned fields;
} field_names[] = {
    {"ti", QF_TITLE},
    {"title", QF_TITLE},
    {"au", QF_AUTHORS},
    {"author", QF_AUTHORS},
    {"authors", QF_AUTHORS},
    {"abs", QF_ABSTRACT},
    {"abstract", QF_ABSTRACT},
    {"cat", QF_CATEGORIES},
    {"category", QF_CATEGORIES},
    {"categories", QF_CATEGORIES},
    {"id", QF_ID},
    {"co", QF_COMMENT},
    {"comment", QF_COMMENT},
    {"comments", QF_COMMENT},
};

enum filter { F_NONE, F_AFTER, F_BEFORE, F_YEAR };
static const char *const filter_names[] = {"", "after", "before", "year"};

static int name_is(const unsigned char *s, size_t n, const char *name)
{
    if (strlen(name) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != (unsigned char)name[i])
            return 0;
    return 1;
}

/* If a word at i starts with ASCII letters and a colon ("ti:", "after:"), the index after the
 * colon and the letters in *name_len; else 0. */
static size_t prefix_end(const struct parser *ps, size_t i, size_t *name_len)
{
    size_t j = i;
    while (j < ps->len && j - i <= 10 && ((ps->s[j] | 0x20) >= 'a' && (ps->s[j] | 0x20) <= 'z'))
        j++;
    if (j == i || j >= ps->len || ps->s[j] != ':')
        return 0;
    *name_len = j - i;
    return j + 1;
}

/* Index after the ')' matching the '(' at i when it closes within the same word, else 0. */
static size_t paren_span(const struct parser *ps, size_t i)
{
    size_t depth = 0;
    while (i < ps->len) {
        const unsigned char *p = ps->s + i;
        size_t n = ps->len - i;
        if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            if (--depth == 0)
                return i + 1;
        } else if (*p == '|' || sep_len(p, n) || quote_len(p, n)) {
            return 0;
        }
        i += char_len(p, n);
    }
    return 0;
}

/* End of the word starting at i. Parentheses inside a word that close before it ends belong
 * to it ("O(n)", "SU(2)"); otherwise '(' ends the word and opens a group ("a(b OR c)"). */
static size_t word_end(const struct parser *ps, size_t i)
{
    size_t start = i;
    while (i < ps->len) {
        const unsigned char *p = ps->s + i;
        size_t n = ps->len - i;
        if (*p == '(' && i > start) {
            size_t j = paren_span(ps, i);
            if (!j)
                break;
            i = j;
            continue;
        }
        if (*p == '(' || *p == ')' || *p == '|' || sep_len(p, n) || quote_len(p, n))
            break;
        i += char_len(p, n);
    }
    return i;
}

/* after:/before:/year: with the value s[v..e): narrows the date range or fails. */
static void apply_filter(struct parser *ps, enum filter f, size_t start, size_t v, size_t e)
{
    char val[16];
    size_t n = e - v;
    int64_t first = 0, last = 0;
    int ok = 0;
    if (n < sizeof val) {
        memcpy(val, ps->s + v, n);
        val[n] = 0;
        int y = 0;
        size_t i = 0;
        while (i < n && val[i] >= '0' && val[i] <= '9')
            y = y * 10 + (val[i++] - '0');
        if (n == 4 && i == 4 && y >= 1) {
            first = date_days_from_civil(y, 1, 1);
            last = date_days_from_civil(y, 12, 31);
            ok = 1;
        } else if (f != F_YEAR && n == 7) {
            ok = !date_parse_month(val, &first, &last);
        } else if (f != F_YEAR && n == 10) {
            ok = !date_parse_day(val, &first);
            last = first;
        }
    }
    if (!ok) {
        int shown = (int)utf8_cut(ps->s + v, n, 40);
        if (f == F_YEAR)
            fail(ps, PB_EINVAL, "year: wants a year as YYYY, not '%.*s%s' (at byte %zu)", shown,
                 (const char *)ps->s + v, (size_t)shown < n ? "..." : "", start);
        else
            fail(ps, PB_EINVAL,
                 "%s: wants a date as YYYY-MM-DD, YYYY-MM or YYYY, not '%.*s%s' (at byte %zu)",
                 filter_names[f], shown, (const char *)ps->s + v, (size_t)shown < n ? "..." : "",
                 start);
        return;
    }
    if (f != F_BEFORE) {
        if (!ps->has_after || first > ps->after)
            ps->after = first;
        ps->has_after = 1;
    }
    if (f != F_AFTER) {
        if (!ps->has_before || last < ps->before)
            ps->before = last;
        ps->has_before = 1;
    }
}

static void lex(struct parser *ps, struct tok *t)
{
    memset(t, 0, sizeof *t);
    for (;;) {
        while (ps->pos < ps->len) {
            size_t k = sep_len(ps->s + ps->pos, ps->len - ps->pos);
            if (!k)
                break;
            ps->pos += k;
        }
        size_t i = ps->pos;
        t->start = t->end = i;
        if (ps->rc || i >= ps->len) {
            t->kind = T_END;
            return;
        }
        const unsigned char *p = ps->s + i;
        size_t n = ps->len - i;
        /* "ti:x": no operator, filter or negation directly after a field prefix. */
        int is_attached = ps->prev == T_FIELD && ps->prev_end == i;
        int after_minus = ps->prev == T_MINUS;
        size_t q = quote_len(p, n), name_len = 0, pe;
        if (q) {
            /* An unclosed quote runs to the end of the query. */
            size_t j = i + q;
            while (j < ps->len && !quote_len(ps->s + j, ps->len - j))
                j += char_len(ps->s + j, ps->len - j);
            t->kind = T_PHRASE;
            t->in_start = i + q;
            t->in_end = j;
            t->end = j < ps->len ? j + quote_len(ps->s + j, ps->len - j) : j;
        } else if (*p == '(' || *p == ')' || *p == '|') {
            t->kind = *p == '(' ? T_LPAREN : *p == ')' ? T_RPAREN : T_OR;
            t->end = i + 1;
        } else if (*p == '-' && !is_attached && n > 1 && !sep_len(p + 1, n - 1) && p[1] != '-' &&
                   p[1] != ')' && p[1] != '|') {
            /* A dash starts a negation only when a word, quote or '(' follows directly; a lone
             * "-" is an ignored punctuation word and "k-means" never gets here. */
            t->kind = T_MINUS;
            t->end = i + 1;
        } else if ((pe = prefix_end(ps, i, &name_len)) != 0) {
            unsigned fields = 0;
            for (size_t f = 0; f < sizeof field_names / sizeof field_names[0]; f++)
                if (name_is(p, name_len, field_names[f].name))
                    fields = field_names[f].fields;
            enum filter flt = F_NONE;
            for (int f = F_AFTER; f <= F_YEAR; f++)
                if (name_is(p, name_len, filter_names[f]))
                    flt = (enum filter)f;
            if (fields) {
                t->kind = T_FIELD;
                t->fields = fields;
                t->end = pe;
            } else if (flt != F_NONE && !is_attached) {
                if (after_minus) {
                    fail(ps, PB_EINVAL,
                         "a date filter cannot be negated: '-%s:' at byte %zu (bound the dates "
                         "with after: and before:)",
                         filter_names[flt], i - 1);
                    continue;
                }
                size_t e = word_end(ps, pe);
                apply_filter(ps, flt, i, pe, e);
                ps->pos = e;
                ps->prev = T_END;
                continue;
            } else {
                t->kind = T_WORD; /* "https://...", "foo:bar" */
                t->end = word_end(ps, i);
            }
        } else {
            t->kind = T_WORD;
            t->end = word_end(ps, i);
            if (!is_attached && !after_minus && t->end - i == 2 && p[0] == 'O' && p[1] == 'R')
                t->kind = T_OR;
        }
        ps->pos = t->end;
        ps->prev = t->kind;
        ps->prev_end = t->end;
        return;
    }
}

static const struct tok *peek(struct parser *ps)
{
    if (ps->rc) {
        ps->tok.kind = T_END;
        ps->has_tok = 1;
    } else if (!ps->has_tok) {
        lex(ps, &ps->tok);
        ps->has_tok = 1;
    }
    return &ps->tok;
}

static void advance(struct parser *ps)
{
    peek(ps);
    ps->has_tok = 0;
}

/* ---- parser ---- */

static void and_list(struct parser *ps, int depth, struct kids *out);

static struct qnode *word_node(const struct parser *ps, const struct tok *t)
{
    const unsigned char *s = ps->s + t->start;
    size_t n = t->end - t->start;
    if (!has_term_char(s, n))
        return NULL;
    return leaf_new(QN_WORD, xstrndup((const char *)s, n));
}

/* The words between the quotes as typed, with every run of separators made one space. */
static struct qnode *phrase_node(const struct parser *ps, const struct tok *t)
{
    char *text = xmalloc(t->in_end - t->in_start + 1);
    size_t o = 0;
    int want_space = 0;
    for (size_t i = t->in_start; i < t->in_end;) {
        const unsigned char *p = ps->s + i;
        size_t k = sep_len(p, t->in_end - i);
        if (k) {
            want_space = o > 0;
            i += k;
            continue;
        }
        if (want_space)
            text[o++] = ' ';
        want_space = 0;
        k = char_len(p, t->in_end - i);
        memcpy(text + o, p, k);
        o += k;
        i += k;
    }
    text[o] = 0;
    if (!has_term_char((const unsigned char *)text, o)) {
        xfree(text);
        return NULL;
    }
    return leaf_new(QN_PHRASE, text);
}

static struct qnode *group(struct parser *ps, int depth)
{
    const struct tok *t = peek(ps);
    if (depth >= QUERY_MAX_DEPTH) {
        fail(ps, PB_ETOOBIG, "parentheses are nested more than %d deep at byte %zu",
             QUERY_MAX_DEPTH, t->start);
        return NULL;
    }
    advance(ps);
    struct kids k = {0};
    and_list(ps, depth + 1, &k);
    if (peek(ps)->kind == T_RPAREN)
        advance(ps); /* an unclosed '(' closes at the end of the query */
    return list_take(QN_AND, &k);
}

static struct qnode *primary(struct parser *ps, int depth)
{
    unsigned fields = 0;
    size_t end = 0;
    const struct tok *t = peek(ps);
    while (t->kind == T_FIELD && (!fields || t->start == end)) {
        fields |= t->fields; /* "ti:abs:x" searches both */
        end = t->end;
        advance(ps);
        t = peek(ps);
    }
    if (fields && t->start != end)
        return NULL; /* "ti: x": a prefix with nothing attached is ignored */
    struct qnode *n = NULL;
    switch (t->kind) {
    case T_WORD:
        n = word_node(ps, t);
        advance(ps);
        break;
    case T_PHRASE:
        n = phrase_node(ps, t);
        advance(ps);
        break;
    case T_LPAREN: n = group(ps, depth); break;
    default: return NULL;
    }
    if (n && fields)
        apply_fields(n, fields);
    return n;
}

static struct qnode *unary(struct parser *ps, int depth)
{
    if (peek(ps)->kind != T_MINUS)
        return primary(ps, depth);
    advance(ps);
    struct qnode *n = primary(ps, depth);
    return n ? negate(n) : NULL;
}

/* One clause: operands joined by OR. Negated operands cannot be ORed (there is nothing to rank
 * in "documents without x"), so they go to the enclosing AND: "-a OR b" reads as "-a b". Stray
 * ORs (leading, trailing, doubled) are ignored. */
static void or_expr(struct parser *ps, int depth, struct kids *out)
{
    struct kids ops = {0};
    for (;;) {
        while (peek(ps)->kind == T_OR)
            advance(ps);
        enum tok_kind k = peek(ps)->kind;
        if (k == T_END || k == T_RPAREN)
            break;
        struct qnode *n = unary(ps, depth);
        if (n)
            kids_push(&ops, n);
        if (peek(ps)->kind != T_OR)
            break;
    }
    if (ops.n == 1) { /* the common clause: one word, phrase or group */
        kids_push(out, ops.v[0]);
        xfree(ops.v);
        return;
    }
    struct kids pos = {0};
    size_t at = out->n;
    for (size_t i = 0; i < ops.n; i++) {
        if (is_negative(ops.v[i])) {
            kids_push(out, ops.v[i]);
        } else {
            if (!pos.n)
                at = out->n; /* the OR stands where its first operand was */
            kids_push(&pos, ops.v[i]);
        }
    }
    xfree(ops.v);
    struct qnode *any = list_take(QN_OR, &pos);
    if (any) {
        kids_push(out, any);
        memmove(out->v + at + 1, out->v + at, (out->n - 1 - at) * sizeof *out->v);
        out->v[at] = any;
    }
}

static void and_list(struct parser *ps, int depth, struct kids *out)
{
    for (;;) {
        const struct tok *t = peek(ps);
        if (t->kind == T_END)
            return;
        if (t->kind == T_RPAREN) {
            if (depth > 0)
                return;
            advance(ps); /* a stray ')' is ignored */
            continue;
        }
        or_expr(ps, depth, out);
    }
}

/* ---- entry points ---- */

static struct query *query_new(void)
{
    return xcalloc(1, sizeof(struct query));
}

/* QUERY_PLAIN: white-space separated words, no operators. Input past QUERY_MAX_BYTES and words
 * past QUERY_MAX_NODES - 1 (the OR takes one node) are dropped, never an error: evaluation
 * runs feed long claims and arguments. */
static void parse_plain(struct query *q, const unsigned char *s, size_t len)
{
    size_t limit = len < QUERY_MAX_BYTES ? len : QUERY_MAX_BYTES;
    struct kids k = {0};
    size_t i = 0;
    while (i < limit && k.n < QUERY_MAX_NODES - 1) {
        size_t sl = sep_len(s + i, len - i);
        if (sl) {
            i += sl;
            continue;
        }
        size_t start = i;
        while (i < len && i <= limit && !sep_len(s + i, len - i))
            i += char_len(s + i, len - i);
        if (i > limit)
            break; /* a word cut by the limit is dropped whole */
        kids_push(&k, leaf_new(QN_WORD, xstrndup((const char *)s + start, i - start)));
    }
    q->root = list_take(QN_OR, &k);
}

/* The whole query, trimmed, is one arXiv id in any form: jump to it. */
static int parse_jump(struct query *q, const unsigned char *s, size_t len)
{
    size_t a = 0, k;
    while (a < len && (k = sep_len(s + a, len - a)) != 0)
        a += k;
    size_t e = a;
    while (e < len && !sep_len(s + e, len - e))
        e += char_len(s + e, len - e);
    for (size_t i = e; i < len; i += k)
        if (!(k = sep_len(s + i, len - i)))
            return 0;
    char buf[256], id[PAPER_MAX_ID];
    int version;
    if (e == a || e - a >= sizeof buf)
        return 0;
    memcpy(buf, s + a, e - a);
    buf[e - a] = 0;
    if (paper_parse_arxiv_id(buf, id, &version) || strlen(id) >= sizeof q->jump_id)
        return 0;
    memcpy(q->jump_id, id, strlen(id) + 1);
    q->root = leaf_new(QN_WORD, xstrdup(id));
    q->root->fields = QF_ID;
    return 1;
}

int query_parse(const char *text, size_t len, unsigned flags, struct query **out, char *err,
                size_t err_len)
{
    *out = NULL;
    if (err && err_len)
        err[0] = 0;
    if (!text)
        len = 0;
    const unsigned char *s = (const unsigned char *)text;
    struct query *q = query_new();
    if (flags & QUERY_PLAIN) {
        parse_plain(q, s, len);
        *out = q;
        return 0;
    }
    struct parser ps = {.s = s, .len = len, .err = err, .err_len = err_len, .prev = T_END};
    if (len > QUERY_MAX_BYTES) {
        fail(&ps, PB_ETOOBIG, "query is %zu bytes, the limit is %d", len, QUERY_MAX_BYTES);
        xfree(q);
        return ps.rc;
    }
    if (parse_jump(q, s, len)) {
        *out = q;
        return 0;
    }
    struct kids top = {0};
    and_list(&ps, 0, &top);
    struct qnode *root = list_take(QN_AND, &top);
    size_t n_nodes = root ? count_nodes(root) : 0;
    if (root && is_negative(root))
        fail(&ps, PB_EINVAL,
             "nothing to search for: every part of the query is excluded with '-'; add a word "
             "to look for");
    if (n_nodes > QUERY_MAX_NODES)
        fail(&ps, PB_ETOOBIG, "query has %zu words and operators, the limit is %d", n_nodes,
             QUERY_MAX_NODES);
    if (ps.has_after && ps.has_before && ps.after > ps.before) {
        char a[DATE_DAY_LEN + 1], b[DATE_DAY_LEN + 1];
        date_format_day(ps.after, a);
        date_format_day(ps.before, b);
        fail(&ps, PB_EINVAL, "the date filters exclude every date: after %s and before %s", a, b);
    }
    if (ps.rc) {
        qnode_free(root);
        xfree(q);
        return ps.rc;
    }
    q->root = root;
    if (ps.has_after)
        date_format_day(ps.after, q->after);
    if (ps.has_before)
        date_format_day(ps.before, q->before);
    *out = q;
    return 0;
}

void query_free(struct query *q)
{
    if (!q)
        return;
    qnode_free(q->root);
    xfree(q);
}

/* ---- S-expression ---- */

static const char *const field_short[] = {"ti", "abs", "au", "cat", "id", "co"};

static int put_text(struct buf *b, const char *s, int force_quote)
{
    int rc = 0;
    if (!force_quote && *s && !strpbrk(s, "()\"\\ "))
        return buf_puts(b, s);
    rc |= buf_putc(b, '"');
    for (; *s && !rc; s++) {
        if (*s == '"' || *s == '\\')
            rc |= buf_putc(b, '\\');
        rc |= buf_putc(b, *s);
    }
    return rc | buf_putc(b, '"');
}

static int put_node(struct buf *b, const struct qnode *n)
{
    static const char *const kinds[] = {"word", "phrase", "and", "or", "not"};
    int rc = buf_printf(b, "(%s", kinds[n->kind]);
    if (n->kind == QN_WORD || n->kind == QN_PHRASE) {
        const char *sep = " ";
        for (size_t f = 0; f < sizeof field_short / sizeof field_short[0]; f++) {
            if (n->fields & (1u << f)) {
                rc |= buf_printf(b, "%s%s", sep, field_short[f]);
                sep = "|";
            }
        }
        rc |= buf_putc(b, ' ');
        rc |= put_text(b, n->text ? n->text : "", n->kind == QN_PHRASE);
    }
    for (size_t i = 0; i < n->n_kids && !rc; i++) {
        rc |= buf_putc(b, ' ');
        rc |= put_node(b, n->kids[i]);
    }
    return rc | buf_putc(b, ')');
}

char *query_to_string(const struct query *q)
{
    struct buf b = BUF_INIT((size_t)1 << 30);
    int rc = 0;
    if (q && q->root)
        rc |= put_node(&b, q->root);
    if (q && q->after[0])
        rc |= buf_printf(&b, "%safter:%s", b.len ? " " : "", q->after);
    if (q && q->before[0])
        rc |= buf_printf(&b, "%sbefore:%s", b.len ? " " : "", q->before);
    if (q && q->jump_id[0])
        rc |= buf_printf(&b, "%sjump:%s", b.len ? " " : "", q->jump_id);
    (void)rc; /* a tree of at most QUERY_MAX_NODES nodes is far below the cap */
    return buf_take(&b);
}

/* ---- integrity check ---- */

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            return 1;
    return 0;
}

static int check_node(const struct qnode *n, const struct qnode *parent, int depth, unsigned flags,
                      const char **why)
{
    if (depth > QUERY_MAX_TREE_DEPTH)
        return *why = "tree deeper than QUERY_MAX_TREE_DEPTH", PB_EINVAL;
    switch (n->kind) {
    case QN_WORD:
    case QN_PHRASE:
        if (n->n_kids || n->kids)
            return *why = "a leaf has kids", PB_EINVAL;
        if (!n->text || !*n->text)
            return *why = "a leaf has no text", PB_EINVAL;
        if (!text_is_utf8(n->text, strlen(n->text)) || has_control(n->text))
            return *why = "leaf text is not clean UTF-8", PB_EINVAL;
        if (n->fields & ~0x3Fu)
            return *why = "unknown field bits", PB_EINVAL;
        if (n->kind == QN_WORD && strchr(n->text, ' '))
            return *why = "a word holds a space", PB_EINVAL;
        if (n->kind == QN_PHRASE &&
            (n->text[0] == ' ' || n->text[strlen(n->text) - 1] == ' ' || strstr(n->text, "  ")))
            return *why = "a phrase has stray spaces", PB_EINVAL;
        if ((flags & QUERY_PLAIN) && (n->kind != QN_WORD || n->fields))
            return *why = "plain mode made something other than a word", PB_EINVAL;
        return 0;
    case QN_AND:
    case QN_OR: {
        if (n->text || n->fields)
            return *why = "an inner node has text or fields", PB_EINVAL;
        if (n->n_kids < 2)
            return *why = "an AND or OR has fewer than two kids", PB_EINVAL;
        if ((flags & QUERY_PLAIN) && (n->kind != QN_OR || parent))
            return *why = "plain mode made an operator other than the root OR", PB_EINVAL;
        int has_positive = 0;
        for (size_t i = 0; i < n->n_kids; i++) {
            const struct qnode *k = n->kids[i];
            if (!k)
                return *why = "a NULL kid", PB_EINVAL;
            if (k->kind == n->kind)
                return *why = "an AND in an AND or an OR in an OR", PB_EINVAL;
            has_positive |= k->kind != QN_NOT;
            int rc = check_node(k, n, depth + 1, flags, why);
            if (rc)
                return rc;
        }
        if (!has_positive)
            return *why = "an AND of only NOTs", PB_EINVAL;
        return 0;
    }
    case QN_NOT:
        if (n->text || n->fields)
            return *why = "an inner node has text or fields", PB_EINVAL;
        if (!parent || parent->kind != QN_AND)
            return *why = "a NOT outside an AND", PB_EINVAL;
        if (n->n_kids != 1 || !n->kids[0])
            return *why = "a NOT without exactly one kid", PB_EINVAL;
        if (n->kids[0]->kind == QN_NOT)
            return *why = "a NOT of a NOT", PB_EINVAL;
        return check_node(n->kids[0], n, depth + 1, flags, why);
    }
    return *why = "unknown node kind", PB_EINVAL;
}

static int check_day(const char *s)
{
    int64_t days;
    return !s[0] || (strlen(s) == DATE_DAY_LEN && !date_parse_day(s, &days));
}

int query_check(const struct query *q, unsigned flags, const char **why)
{
    *why = "";
    if (!q)
        return *why = "no query", PB_EINVAL;
    if (q->root) {
        int rc = check_node(q->root, NULL, 1, flags, why);
        if (rc)
            return rc;
        if (count_nodes(q->root) > QUERY_MAX_NODES)
            return *why = "more than QUERY_MAX_NODES nodes", PB_EINVAL;
    }
    if (!memchr(q->after, 0, sizeof q->after) || !memchr(q->before, 0, sizeof q->before) ||
        !memchr(q->jump_id, 0, sizeof q->jump_id))
        return *why = "a filter is not NUL-terminated", PB_EINVAL;
    if (!check_day(q->after) || !check_day(q->before))
        return *why = "a date filter is not a valid YYYY-MM-DD", PB_EINVAL;
    if (q->after[0] && q->before[0] && strcmp(q->after, q->before) > 0)
        return *why = "after is later than before", PB_EINVAL;
    if ((flags & QUERY_PLAIN) && (q->after[0] || q->before[0] || q->jump_id[0]))
        return *why = "plain mode set a filter", PB_EINVAL;
    if (q->jump_id[0]) {
        char id[PAPER_MAX_ID];
        int version;
        if (paper_parse_arxiv_id(q->jump_id, id, &version) || strcmp(id, q->jump_id) || version)
            return *why = "jump_id is not a canonical arXiv id", PB_EINVAL;
        if (!q->root || q->root->kind != QN_WORD || q->root->fields != QF_ID ||
            strcmp(q->root->text, q->jump_id))
            return *why = "a jump without its id word", PB_EINVAL;
    }
    return 0;
}

/* ---- help ---- */

const char query_help[] =
    "Search words:\n"
    "  graph neural networks    papers with all the words, best matches first\n"
    "  \"attention is all\"       the exact phrase\n"
    "  -survey -\"a phrase\"      leave out papers that match\n"
    "  gnn OR transformer       either one (also gnn | transformer); OR binds\n"
    "                           tighter than the space: a b OR c d = a (b OR c) d\n"
    "  (llm OR gpt) agents      parentheses group\n"
    "Fields, on a word, a \"phrase\" or a (group):\n"
    "  ti: title  au: author  abs: abstract  cat: category  id: arXiv id\n"
    "  co: comment    e.g. au:hinton  ti:\"deep learning\"  au:(lecun OR bengio)\n"
    "Dates, inclusive; several narrow each other:\n"
    "  after:2025-01-01  before:2025-06  year:2024    (YYYY-MM-DD, YYYY-MM, YYYY)\n"
    "An arXiv id or link alone (2503.11731, arXiv:2503.11731v2, hep-th/9901001,\n"
    "https://arxiv.org/abs/2503.11731) opens that paper.\n"
    "Lenient: an unclosed \" or ( runs to the end; a stray ) or OR is ignored;\n"
    "lower-case \"or\" and unknown prefixes (foo:bar, https://...) are plain words.\n"
    "A query of only -exclusions is an error: there is nothing to rank.\n";
