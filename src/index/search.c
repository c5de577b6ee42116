/* Query evaluation: a parsed query (query.h) -> matching documents ranked by BM25F.
 *
 * Every word or phrase of the query becomes a leaf with up to three variants, one per way a
 * field is tokenised (prose in title/abstract/comment, names in authors, codes in categories
 * and id); a variant is a sequence of terms with relative positions (one term for a word). The
 * boolean structure is evaluated document-at-a-time over iterators; each match is scored as the
 * sum over the positive leaves' variants ("scoring units") of
 *     idf(word) * tfc * (k1 + 1) / (k1 + tfc),   tfc = sum_f weight_f * tf_f / norm_f(len_f)
 *     norm_f(len) = 1 - b_f + b_f * len / avglen_f,  idf = ln(1 + (N - df + 0.5) / (df + 0.5))
 * with N, df and avglen summed over all segments, so scores do not depend on segmentation.
 * A disjunction of words (QUERY_PLAIN, the relaxed retry, or a single word) is evaluated with
 * MaxScore over per-term and per-block upper bounds (struct seg_block) instead of scoring
 * every match. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/date.h"
#include "index.h"
#include "seg.h"
#include "token.h"

#define MAX_VARIANTS 3
#define MAX_PHRASE 32   /* terms in one phrase; longer phrases keep their first 32 */
#define MAX_UNITS 512
#define TEXT_FIELDS ((1u << IF_TITLE) | (1u << IF_ABSTRACT) | (1u << IF_COMMENT))
#define ALL_FIELDS ((1u << IF_COUNT) - 1)

void index_params_default(struct index_params *p)
{
    static const float w[IF_COUNT] = {2.0f, 1.0f, 1.0f, 0.5f, 1.0f, 0.5f};
    static const float b[IF_COUNT] = {0.6f, 0.75f, 0.5f, 0.0f, 0.0f, 0.75f};
    p->k1 = 1.2f;
    memcpy(p->weight, w, sizeof w);
    memcpy(p->b, b, sizeof b);
    p->prox = 0;
    p->prox_depth = 100;
    p->prf_docs = 0;
    p->prf_terms = 10;
    p->prf_weight = 0.5f;
}

/* ---- leaves built from the query tree ---- */

struct variant {
    unsigned fields;
    size_t n;
    char *term[MAX_PHRASE];
    uint8_t len[MAX_PHRASE];
    uint32_t off[MAX_PHRASE]; /* position relative to the first term */
    uint32_t is_id;           /* bit i: term i is a document's own id (id_lookup), */
    uint32_t id_doc[MAX_PHRASE]; /* that document's docid */
};

struct leaf {
    struct variant v[MAX_VARIANTS];
    size_t n_v;
    double idf;
};

struct unit { /* a scoring unit: one term in some fields, weighted by its word's idf */
    const char *term;
    size_t len;
    unsigned fields;
    double idf;
    int leaf; /* index in plan.leaves of the word it belongs to */
    const uint32_t *id_doc; /* the docid whose own id the term is (variant.id_doc), or NULL */
};

enum node_kind { N_LEAF, N_AND, N_OR };

struct node {
    enum node_kind kind;
    struct leaf *leaf;
    struct node **pos, **neg; /* AND: kids that must / must not match; OR: pos only */
    size_t n_pos, n_neg;
};

struct plan {
    struct node *root;
    struct leaf **leaves;
    size_t n_leaves, cap_leaves;
    struct unit units[MAX_UNITS];
    size_t n_units;
    int is_disjunction; /* root is a leaf or an OR of single-term leaves: MaxScore applies */
    int words_only;     /* an AND of plain words: may be relaxed to OR if nothing matches */
    int is_conjunction; /* root is an AND of single-term leaves: the conjunctive scorer */
    char **hl; /* compounds of scored words, highlighted whole (the index has their parts) */
    size_t n_hl, cap_hl;
    const struct index_search_opts *opts;
};

struct tokvec {
    char term[MAX_PHRASE][TOKEN_MAX + 1];
    uint8_t len[MAX_PHRASE];
    uint32_t pos[MAX_PHRASE];
    size_t n;
    size_t n_seen;
    char *comp[MAX_PHRASE]; /* the compounds seen, for highlighting */
    size_t n_comp;
};

/* A word of the query becomes its terms in order. The index does not hold compounds
 * ("gpt-4", "state-of-the-art"), so a compound is the phrase of its parts, which follow it
 * with their own positions: "GPT-4" is the phrase gpt 4 and "GPT-4 model" the phrase gpt 4
 * model. Its stop words keep their places as in any phrase. */
static int collect_token(void *ctx, const struct token *t)
{
    struct tokvec *v = ctx;
    v->n_seen++;
    if (t->flags & TOKEN_STOP)
        return 0;
    if (t->flags & TOKEN_COMPOUND) {
        if (v->n_comp < MAX_PHRASE)
            v->comp[v->n_comp++] = xstrndup(t->term, t->len);
        return 0;
    }
    if (v->n == MAX_PHRASE)
        return 1;
    memcpy(v->term[v->n], t->term, t->len);
    v->term[v->n][t->len] = 0;
    v->len[v->n] = (uint8_t)t->len;
    v->pos[v->n] = t->pos;
    v->n++;
    return 0;
}

static void variant_from(struct variant *var, unsigned fields, const struct tokvec *tv)
{
    var->fields = fields;
    var->n = tv->n;
    for (size_t i = 0; i < tv->n; i++) {
        var->term[i] = xstrndup(tv->term[i], tv->len[i]);
        var->len[i] = tv->len[i];
        var->off[i] = tv->pos[i] - tv->pos[0];
    }
}

/* Which terms of v are documents' own ids, by the caller's lookup. */
static void resolve_ids(const struct plan *pl, struct variant *v)
{
    v->is_id = 0;
    if (!pl->opts->id_lookup)
        return;
    for (size_t i = 0; i < v->n; i++)
        if (pl->opts->id_lookup(pl->opts->id_ctx, v->term[i], v->len[i], &v->id_doc[i]))
            v->is_id |= 1u << i;
}

/* The leaf for a word or phrase in the given fields (0 = all); NULL when it has no indexable
 * term (only stop words or punctuation). When scoring, its compounds go to pl->hl. */
static struct leaf *make_leaf(struct plan *pl, struct tokenizer *tok, const char *text,
                              unsigned fields, int scoring)
{
    struct plan *hl = scoring ? pl : NULL;
    static const enum token_mode modes[3] = {TOKEN_TEXT, TOKEN_NAMES, TOKEN_CODES};
    static const unsigned mode_fields[3] = {TEXT_FIELDS, 1u << IF_AUTHORS,
                                            (1u << IF_CATEGORIES) | (1u << IF_ID)};
    if (!fields)
        fields = ALL_FIELDS;
    struct leaf *lf = xcalloc(1, sizeof *lf);
    size_t len = strlen(text);
    for (int m = 0; m < 3; m++) {
        unsigned fm = fields & mode_fields[m];
        if (!fm)
            continue;
        struct tokvec *tv = xmalloc(sizeof *tv);
        memset(tv, 0, sizeof *tv);
        tokenizer_run(tok, modes[m], text, len, 0, collect_token, tv);
        for (size_t i = 0; i < tv->n_comp; i++) {
            if (hl && tv->n) {
                hl->hl = xgrow(hl->hl, sizeof *hl->hl, hl->n_hl + 1, &hl->cap_hl);
                hl->hl[hl->n_hl++] = tv->comp[i];
            } else {
                xfree(tv->comp[i]);
            }
        }
        if (m == 0 && fields == ALL_FIELDS && !tv->n && tv->n_seen) {
            /* a stop word ("and") is not looked up in names and codes either */
            xfree(tv);
            break;
        }
        if (tv->n) {
            /* the same terms as an earlier variant: widen that one instead */
            size_t n = tv->n;
            int merged = 0;
            for (size_t k = 0; k < lf->n_v && !merged; k++) {
                struct variant *o = &lf->v[k];
                if (o->n != n)
                    continue;
                int same = 1;
                for (size_t i = 0; i < n && same; i++)
                    same = o->len[i] == tv->len[i] && memcmp(o->term[i], tv->term[i],
                                                             tv->len[i]) == 0 &&
                           o->off[i] == tv->pos[i] - tv->pos[0];
                if (same) {
                    o->fields |= fm;
                    merged = 1;
                }
            }
            if (!merged)
                variant_from(&lf->v[lf->n_v++], fm, tv);
        }
        xfree(tv);
    }
    if (!lf->n_v) {
        xfree(lf);
        return NULL;
    }
    for (size_t k = 0; k < lf->n_v; k++)
        resolve_ids(pl, &lf->v[k]);
    return lf;
}

static void leaf_free(struct leaf *lf)
{
    if (!lf)
        return;
    for (size_t k = 0; k < lf->n_v; k++)
        for (size_t i = 0; i < lf->v[k].n; i++)
            xfree(lf->v[k].term[i]);
    xfree(lf);
}

static void node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_pos; i++)
        node_free(n->pos[i]);
    for (size_t i = 0; i < n->n_neg; i++)
        node_free(n->neg[i]);
    xfree(n->pos);
    xfree(n->neg);
    xfree(n);
}

static void add_kid(struct node ***v, size_t *n, struct node *k)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = k;
}

static struct node *leaf_node(struct plan *pl, struct leaf *lf, int scoring)
{
    struct node *n = xcalloc(1, sizeof *n);
    n->kind = N_LEAF;
    n->leaf = lf;
    pl->leaves = xgrow(pl->leaves, sizeof *pl->leaves, pl->n_leaves + 1, &pl->cap_leaves);
    pl->leaves[pl->n_leaves++] = lf;
    if (scoring) {
        for (size_t k = 0; k < lf->n_v; k++)
            for (size_t i = 0; i < lf->v[k].n && pl->n_units < MAX_UNITS; i++) {
                struct unit *u = &pl->units[pl->n_units++];
                u->term = lf->v[k].term[i];
                u->len = lf->v[k].len[i];
                u->fields = lf->v[k].fields;
                u->idf = -1; /* assign_idf */
                u->leaf = (int)pl->n_leaves - 1;
                u->id_doc = lf->v[k].is_id >> i & 1 ? &lf->v[k].id_doc[i] : NULL;
            }
    }
    return n;
}

/* In a disjunction of words, a word that tokenises into several terms ("TNF-alpha/beta")
 * contributes each term on its own rather than as a phrase, so the whole query stays a flat
 * disjunction of terms (MaxScore applies). */
static void split_leaf(struct plan *pl, struct leaf *lf, struct node *or_node)
{
    for (size_t k = 0; k < lf->n_v; k++)
        for (size_t i = 0; i < lf->v[k].n; i++) {
            struct leaf *one = xcalloc(1, sizeof *one);
            one->n_v = 1;
            one->v[0].fields = lf->v[k].fields;
            one->v[0].n = 1;
            one->v[0].term[0] = lf->v[k].term[i];
            one->v[0].len[0] = lf->v[k].len[i];
            one->v[0].is_id = lf->v[k].is_id >> i & 1;
            one->v[0].id_doc[0] = lf->v[k].id_doc[i];
            lf->v[k].term[i] = NULL;
            add_kid(&or_node->pos, &or_node->n_pos, leaf_node(pl, one, 1));
        }
    leaf_free(lf);
}

static int all_words(const struct qnode *q)
{
    for (size_t i = 0; i < q->n_kids; i++)
        if (q->kids[i]->kind != QN_WORD)
            return 0;
    return 1;
}

/* Builds the evaluation tree. scoring = 0 under a NOT (those leaves are not scored). */
static struct node *build(struct plan *pl, struct tokenizer *tok, const struct qnode *q,
                          int scoring)
{
    if (q->kind == QN_WORD || q->kind == QN_PHRASE) {
        struct leaf *lf = make_leaf(pl, tok, q->text, q->fields, scoring);
        return lf ? leaf_node(pl, lf, scoring) : NULL;
    }
    struct node *n = xcalloc(1, sizeof *n);
    n->kind = q->kind == QN_OR ? N_OR : N_AND;
    int flat = q->kind == QN_OR && scoring && all_words(q);
    for (size_t i = 0; i < q->n_kids; i++) {
        const struct qnode *k = q->kids[i];
        if (k->kind == QN_NOT) {
            struct node *c = k->n_kids ? build(pl, tok, k->kids[0], 0) : NULL;
            if (c)
                add_kid(&n->neg, &n->n_neg, c);
        } else if (flat) {
            struct leaf *lf = make_leaf(pl, tok, k->text, k->fields, 1);
            int multi = 0;
            for (size_t v = 0; lf && v < lf->n_v; v++)
                multi |= lf->v[v].n > 1;
            if (multi)
                split_leaf(pl, lf, n);
            else if (lf)
                add_kid(&n->pos, &n->n_pos, leaf_node(pl, lf, 1));
        } else {
            struct node *c = build(pl, tok, k, scoring);
            if (c)
                add_kid(&n->pos, &n->n_pos, c);
        }
    }
    if (!n->n_pos) { /* nothing positive left (only stop words, or only negations) */
        node_free(n);
        return NULL;
    }
    if (n->n_pos == 1 && !n->n_neg) {
        struct node *only = n->pos[0];
        n->n_pos = 0;
        node_free(n);
        return only;
    }
    return n;
}

static void plan_release(struct plan *pl)
{
    node_free(pl->root);
    for (size_t i = 0; i < pl->n_leaves; i++)
        leaf_free(pl->leaves[i]);
    xfree(pl->leaves);
    for (size_t i = 0; i < pl->n_hl; i++)
        xfree(pl->hl[i]);
    xfree(pl->hl);
    memset(pl, 0, sizeof *pl);
}

static int single_term_leaf(const struct node *n)
{
    if (n->kind != N_LEAF)
        return 0;
    for (size_t k = 0; k < n->leaf->n_v; k++)
        if (n->leaf->v[k].n != 1)
            return 0;
    return 1;
}

static void classify(struct plan *pl, const struct qnode *q)
{
    const struct node *r = pl->root;
    pl->is_disjunction = 0;
    pl->words_only = 0;
    pl->is_conjunction = 0;
    if (!r)
        return;
    if (r->kind == N_AND && !r->n_neg) {
        int ok = 1;
        for (size_t i = 0; i < r->n_pos && ok; i++)
            ok = single_term_leaf(r->pos[i]);
        pl->is_conjunction = ok;
    }
    if (single_term_leaf(r)) {
        pl->is_disjunction = 1;
        return;
    }
    if (r->kind == N_OR && !r->n_neg) {
        int ok = 1;
        for (size_t i = 0; i < r->n_pos && ok; i++)
            ok = single_term_leaf(r->pos[i]);
        pl->is_disjunction = ok;
    }
    if (r->kind == N_AND && !r->n_neg && q && q->kind == QN_AND) {
        int ok = 1;
        for (size_t i = 0; i < q->n_kids && ok; i++)
            ok = q->kids[i]->kind == QN_WORD;
        pl->words_only = ok;
    }
}

/* ---- statistics ---- */

struct stats {
    double n_docs;
    double avglen[IF_COUNT];
    float inv_norm[IF_COUNT][256]; /* weight_f / norm_f(len) by length code */
    double k1;
};

static void stats_init(struct stats *st, struct index *ix, const struct index_params *p)
{
    /* N counts deleted documents until a merge drops them, as df does (like Lucene): then
     * df <= N and idf stays positive */
    uint64_t docs = 0, sums[IF_COUNT] = {0};
    size_t n = index_n_segs(ix);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *del;
        const struct seg *s = index_seg(ix, i, &del);
        docs += s->h->n_docs;
        for (int f = 0; f < IF_COUNT; f++)
            sums[f] += s->h->len_sum[f];
    }
    st->n_docs = (double)docs;
    st->k1 = p->k1;
    for (int f = 0; f < IF_COUNT; f++) {
        st->avglen[f] = docs ? (double)sums[f] / (double)docs : 1.0;
        if (st->avglen[f] <= 0)
            st->avglen[f] = 1.0;
        for (int c = 0; c < 256; c++) {
            double len = seg_norm_decode((uint8_t)c);
            double norm = 1.0 - p->b[f] + p->b[f] * len / st->avglen[f];
            st->inv_norm[f][c] = (float)(p->weight[f] / (norm > 1e-6 ? norm : 1e-6));
        }
    }
}

/* The documents of the index holding a term, with the one whose own id it is (id_doc, when
 * not NULL), which the dictionaries leave out: df as if they held it, in any field. */
static uint64_t doc_freq(struct index *ix, const char *term, size_t len, const uint32_t *id_doc)
{
    uint64_t df = 0;
    size_t n = index_n_segs(ix);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *del;
        const struct seg *s = index_seg(ix, i, &del);
        struct seg_term t;
        int found = seg_find(s, term, len, &t);
        if (found)
            df += t.df;
        int64_t d = id_doc ? seg_docnum(s, *id_doc) : -1;
        if (d >= 0 && !(found && seg_term_has(s, &t, (uint32_t)d)))
            df++;
    }
    return df;
}

#define VAR_ID(v, i) (((v)->is_id >> (i)) & 1 ? &(v)->id_doc[i] : NULL)

static double idf_of(double n_docs, double df)
{
    return log(1.0 + (n_docs - df + 0.5) / (df + 0.5));
}

/* A leaf's idf: from its first (prose) variant's rarest term... of its first term, which is the
 * word itself for a word and the phrase's first word for a phrase; phrases use the sum of
 * their terms' idfs through their units. */
static void assign_idf(struct plan *pl, struct index *ix, const struct stats *st)
{
    size_t u = 0;
    for (size_t l = 0; l < pl->n_leaves; l++) {
        struct leaf *lf = pl->leaves[l];
        double df = (double)doc_freq(ix, lf->v[0].term[0], lf->v[0].len[0], VAR_ID(&lf->v[0], 0));
        lf->idf = idf_of(st->n_docs, df);
    }
    /* units were appended in leaf order, variant order, term order */
    for (size_t l = 0; l < pl->n_leaves && u < pl->n_units; l++) {
        struct leaf *lf = pl->leaves[l];
        for (size_t k = 0; k < lf->n_v; k++)
            for (size_t i = 0; i < lf->v[k].n && u < pl->n_units; i++) {
                if (pl->units[u].term != lf->v[k].term[i])
                    goto next_leaf; /* a NOT leaf: it has no units */
                pl->units[u].idf =
                    lf->v[k].n == 1
                        ? lf->idf
                        : idf_of(st->n_docs, (double)doc_freq(ix, lf->v[k].term[i], lf->v[k].len[i],
                                                              VAR_ID(&lf->v[k], i)));
                u++;
            }
    next_leaf:;
    }
}

/* A term the query has twice ("proportional ... proportional") is one unit with twice the
 * weight, as BM25 weighs query term frequency. Run after assign_idf. */
static void merge_units(struct plan *pl)
{
    size_t n = 0;
    for (size_t i = 0; i < pl->n_units; i++) {
        struct unit *u = &pl->units[i];
        size_t j = 0;
        for (; j < n; j++)
            if (pl->units[j].fields == u->fields && pl->units[j].len == u->len &&
                memcmp(pl->units[j].term, u->term, u->len) == 0)
                break;
        if (j < n) {
            pl->units[j].idf += u->idf;
            continue;
        }
        pl->units[n++] = *u;
    }
    pl->n_units = n;
}

/* ---- per-segment iterators ---- */

struct vcur { /* one variant in one segment */
    const struct variant *var;
    struct seg_cursor *c[MAX_PHRASE];
    uint32_t doc;
    int empty;
};

struct it {
    enum node_kind kind;
    uint32_t doc;
    struct vcur *v; /* N_LEAF */
    size_t n_v;
    struct it **pos, **neg;
    size_t n_pos, n_neg;
};

static uint32_t cursor_in_fields(struct seg_cursor *c, uint32_t target, unsigned fields)
{
    uint32_t d = seg_cursor_advance(c, target);
    while (d != SEG_DOC_END) {
        seg_cursor_load(c);
        if (c->masks[c->i] & fields)
            break;
        d = seg_cursor_next(c);
    }
    return d;
}

#define MAX_POS 4096

static int phrase_in_field(struct vcur *vc, int f, uint32_t *a, uint32_t *b)
{
    const struct variant *var = vc->var;
    size_t na = seg_cursor_positions(vc->c[0], f, a, MAX_POS);
    for (size_t i = 1; i < var->n && na; i++) {
        size_t nb = seg_cursor_positions(vc->c[i], f, b, MAX_POS);
        /* keep anchors p in a with p + off[i] in b */
        size_t k = 0, j = 0;
        for (size_t x = 0; x < na; x++) {
            uint32_t want = a[x] + var->off[i];
            while (j < nb && b[j] < want)
                j++;
            if (j < nb && b[j] == want)
                a[k++] = a[x];
        }
        na = k;
    }
    return na > 0;
}

static uint32_t vcur_advance(struct vcur *vc, uint32_t target, uint32_t *pa, uint32_t *pb)
{
    if (vc->empty)
        return vc->doc = SEG_DOC_END;
    const struct variant *var = vc->var;
    if (var->n == 1)
        return vc->doc = cursor_in_fields(vc->c[0], target, var->fields);
    uint32_t d = target;
    for (;;) {
        /* leapfrog to a document holding every term in one of the fields */
        uint32_t hi = d;
        int agree = 0;
        while (!agree) {
            agree = 1;
            for (size_t i = 0; i < var->n; i++) {
                uint32_t x = cursor_in_fields(vc->c[i], hi, var->fields);
                if (x == SEG_DOC_END)
                    return vc->doc = SEG_DOC_END;
                if (x != hi) {
                    hi = x;
                    agree = 0;
                }
            }
        }
        unsigned common = var->fields;
        for (size_t i = 0; i < var->n; i++)
            common &= vc->c[i]->masks[vc->c[i]->i];
        for (int f = 0; f < IF_COUNT; f++)
            if ((common & (1u << f)) && phrase_in_field(vc, f, pa, pb))
                return vc->doc = hi;
        d = hi + 1;
    }
}

struct seg_ctx {
    const struct seg *s;
    const uint8_t *del;
    uint32_t *pa, *pb;
    struct seg_cursor **all; /* every cursor made, to free */
    size_t n_all, cap_all;
    struct seg_view **views; /* terms joined with a document's own id, to free */
    size_t n_views, cap_views;
};

static void seg_ctx_release(struct seg_ctx *sc)
{
    for (size_t i = 0; i < sc->n_all; i++)
        xfree(sc->all[i]);
    xfree(sc->all);
    for (size_t i = 0; i < sc->n_views; i++)
        seg_view_free(sc->views[i]);
    xfree(sc->views);
}

/* A cursor over a term of the segment in the given fields; id_doc (or NULL): the document
 * whose own id the term is, whose posting the dictionary leaves out (seg.h). NULL when no
 * posting can match. */
static struct seg_cursor *new_cursor(struct seg_ctx *sc, const char *term, size_t len,
                                     unsigned fields, const uint32_t *id_doc)
{
    struct seg_term t;
    const struct seg *s = sc->s;
    int found = seg_find(s, term, len, &t);
    int64_t idn = id_doc && (fields & (1u << IF_ID)) ? seg_docnum(s, *id_doc) : -1;
    if (idn >= 0 && (!found || !(t.fields & fields))) {
        seg_id_term(s, (uint32_t)idn, &t); /* the dictionary's postings could not match */
    } else if (idn >= 0) {
        struct seg_view *v = seg_view_with_id(s, &t, (uint32_t)idn);
        sc->views = xgrow(sc->views, sizeof *sc->views, sc->n_views + 1, &sc->cap_views);
        sc->views[sc->n_views++] = v;
        s = &v->s;
        t = v->t;
    } else if (!found) {
        return NULL;
    }
    struct seg_cursor *c = xmalloc(sizeof *c);
    seg_cursor_init(c, s, &t);
    sc->all = xgrow(sc->all, sizeof *sc->all, sc->n_all + 1, &sc->cap_all);
    sc->all[sc->n_all++] = c;
    return c;
}

static struct it *it_build(struct seg_ctx *sc, const struct node *n)
{
    struct it *it = xcalloc(1, sizeof *it);
    it->kind = n->kind;
    if (n->kind == N_LEAF) {
        it->v = xcalloc(n->leaf->n_v, sizeof *it->v);
        it->n_v = n->leaf->n_v;
        for (size_t k = 0; k < n->leaf->n_v; k++) {
            struct vcur *vc = &it->v[k];
            vc->var = &n->leaf->v[k];
            for (size_t i = 0; i < vc->var->n; i++) {
                vc->c[i] = new_cursor(sc, vc->var->term[i], vc->var->len[i], vc->var->fields,
                                      VAR_ID(vc->var, i));
                if (!vc->c[i])
                    vc->empty = 1;
            }
            vc->doc = 0;
        }
        return it;
    }
    it->pos = xcalloc(n->n_pos, sizeof *it->pos);
    it->n_pos = n->n_pos;
    for (size_t i = 0; i < n->n_pos; i++)
        it->pos[i] = it_build(sc, n->pos[i]);
    it->neg = xcalloc(n->n_neg + 1, sizeof *it->neg);
    it->n_neg = n->n_neg;
    for (size_t i = 0; i < n->n_neg; i++)
        it->neg[i] = it_build(sc, n->neg[i]);
    return it;
}

static void it_free(struct it *it)
{
    if (!it)
        return;
    for (size_t i = 0; i < it->n_pos; i++)
        it_free(it->pos[i]);
    for (size_t i = 0; i < it->n_neg; i++)
        it_free(it->neg[i]);
    xfree(it->pos);
    xfree(it->neg);
    xfree(it->v);
    xfree(it);
}

static uint32_t it_advance(struct seg_ctx *sc, struct it *it, uint32_t target)
{
    if (target == SEG_DOC_END)
        return it->doc = SEG_DOC_END;
    switch (it->kind) {
    case N_LEAF: {
        uint32_t best = SEG_DOC_END;
        for (size_t k = 0; k < it->n_v; k++) {
            struct vcur *vc = &it->v[k];
            uint32_t d = vc->doc;
            if (d < target || d == 0)
                d = vcur_advance(vc, target, sc->pa, sc->pb);
            if (d < best)
                best = d;
        }
        return it->doc = best;
    }
    case N_OR: {
        uint32_t best = SEG_DOC_END;
        for (size_t i = 0; i < it->n_pos; i++) {
            uint32_t d = it->pos[i]->doc;
            if (d < target || d == 0)
                d = it_advance(sc, it->pos[i], target);
            if (d < best)
                best = d;
        }
        return it->doc = best;
    }
    case N_AND: {
        uint32_t d = target;
        for (;;) {
            int agree = 0;
            while (!agree) {
                agree = 1;
                for (size_t i = 0; i < it->n_pos; i++) {
                    uint32_t x = it_advance(sc, it->pos[i], d);
                    if (x == SEG_DOC_END)
                        return it->doc = SEG_DOC_END;
                    if (x != d) {
                        d = x;
                        agree = 0;
                    }
                }
            }
            int excluded = 0;
            for (size_t i = 0; i < it->n_neg && !excluded; i++)
                excluded = it_advance(sc, it->neg[i], d) == d;
            if (!excluded)
                return it->doc = d;
            d++;
        }
    }
    }
    return it->doc = SEG_DOC_END;
}

/* ---- top-k heap ---- */

struct heap {
    struct index_hit *h;
    size_t n, cap;
};

static int worse(const struct index_hit *a, const struct index_hit *b)
{
    return a->score < b->score || (a->score == b->score && a->docid < b->docid);
}

static void heap_sift_down(struct heap *hp, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < hp->n && worse(&hp->h[l], &hp->h[m]))
            m = l;
        if (r < hp->n && worse(&hp->h[r], &hp->h[m]))
            m = r;
        if (m == i)
            return;
        struct index_hit t = hp->h[i];
        hp->h[i] = hp->h[m];
        hp->h[m] = t;
        i = m;
    }
}

/* Offers a hit; returns the new threshold (the worst score kept) or -1 while not full. */
static void heap_offer(struct heap *hp, uint32_t docid, float score)
{
    struct index_hit x = {docid, score};
    if (hp->n < hp->cap) {
        size_t i = hp->n++;
        hp->h[i] = x;
        while (i && worse(&hp->h[i], &hp->h[(i - 1) / 2])) {
            struct index_hit t = hp->h[i];
            hp->h[i] = hp->h[(i - 1) / 2];
            hp->h[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
        return;
    }
    if (!worse(&hp->h[0], &x))
        return;
    hp->h[0] = x;
    heap_sift_down(hp, 0);
}

static float heap_threshold(const struct heap *hp)
{
    return hp->n < hp->cap ? -1.0f : hp->h[0].score;
}

/* ---- scoring ---- */

struct ucur { /* a scoring unit in one segment */
    const struct unit *u;
    struct seg_cursor *c;
    float ub;     /* upper bound of its contribution in this segment */
    float idf_k;  /* idf * (k1 + 1) */
    float ratio;      /* max over its fields of query / reference field factor */
    uint32_t sb;      /* "shallow" block: the block holding the last probed document */
    uint32_t sb_last; /* its last docnum; SEG_DOC_END past the end */
    float sb_ub;      /* its bound */
};

static inline float unit_score(const struct stats *st, const struct ucur *uc,
                               const struct seg *s, uint32_t d)
{
    struct seg_cursor *c = uc->c;
    seg_cursor_load(c);
    unsigned m = c->masks[c->i] & uc->u->fields;
    float tfc = 0;
    while (m) {
        int f = __builtin_ctz(m);
        m &= m - 1;
        tfc += (float)seg_cursor_tf_in(c, c->i, f) * st->inv_norm[f][s->norms[f][d]];
    }
    return uc->idf_k * tfc / ((float)st->k1 + tfc);
}

/* The bound of a unit's contribution given a reference max_tfc (seg.h) and the unit's ratio of
 * query to reference field factors. */
static inline float bound_of(const struct stats *st, float max_tfc, float ratio, float idf_k)
{
    float x = max_tfc * ratio;
    return idf_k * x / ((float)st->k1 + x) * 1.0001f + 1e-6f;
}

static int day_ok(int32_t day, int32_t lo, int32_t hi)
{
    return day >= lo && day <= hi;
}

static int is_del(const uint8_t *del, uint32_t d)
{
    return del && (del[d >> 3] >> (d & 7)) & 1;
}

/* Exhaustive evaluation of one segment: every match is scored. */
static void eval_segment(const struct stats *st, struct seg_ctx *sc, const struct node *root,
                         struct ucur *uc, size_t n_uc, int32_t lo, int32_t hi, struct heap *hp,
                         uint64_t *total)
{
    struct it *it = it_build(sc, root);
    for (uint32_t d = it_advance(sc, it, 0); d != SEG_DOC_END; d = it_advance(sc, it, d + 1)) {
        if (is_del(sc->del, d) || !day_ok(seg_day(sc->s, d), lo, hi))
            continue;
        (*total)++;
        float score = 0;
        for (size_t i = 0; i < n_uc; i++) {
            if (!uc[i].c || seg_cursor_advance(uc[i].c, d) != d)
                continue;
            score += unit_score(st, &uc[i], sc->s, d);
        }
        heap_offer(hp, seg_docid(sc->s, d), score);
    }
    it_free(it);
}

static int cmp_ub(const void *a, const void *b)
{
    const struct ucur *x = a, *y = b;
    return x->ub < y->ub ? -1 : x->ub > y->ub;
}

/* The bound of a unit's contribution at document d from the block that would hold d,
 * found without decoding it. */
static inline float block_ub(const struct stats *st, struct ucur *u, uint32_t d)
{
    if (u->sb_last >= d && u->sb != UINT32_MAX)
        return u->sb_ub;
    const struct seg_term *t = &u->c->t;
    const struct seg_block *b = u->c->blocks;
    uint32_t lo = u->sb == UINT32_MAX ? 0 : u->sb, hi = t->n_blocks;
    /* gallop: the next block is the usual answer */
    uint32_t step = 1;
    while (lo + step < hi && b[lo + step].last_doc < d) {
        lo += step;
        step *= 2;
    }
    if (lo + step < hi)
        hi = lo + step + 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b[mid].last_doc < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= t->n_blocks) {
        u->sb = t->n_blocks;
        u->sb_last = SEG_DOC_END;
        u->sb_ub = 0;
        return 0;
    }
    u->sb = lo;
    u->sb_last = b[lo].last_doc;
    /* a block's maximum is rounded up to one byte's precision, or infinite past its range:
     * the term's maximum is a bound too */
    float mx = b[lo].max_tfc < t->max_tfc ? b[lo].max_tfc : t->max_tfc; /* not fminf: a call */
    u->sb_ub = bound_of(st, mx, u->ratio, u->idf_k);
    return u->sb_ub;
}

#define WINDOW 4096 /* documents per window of the bulk MaxScore scorer */

/* Adds the contributions of unit u for every posting below wend into acc (window at base). */
static void accumulate(const struct stats *st, struct ucur *u, const struct seg *s, uint32_t base,
                       uint32_t wend, float *acc, uint64_t *touched)
{
    struct seg_cursor *c = u->c;
    unsigned fields = u->u->fields;
    float idf_k = u->idf_k, k1 = (float)st->k1;
    while (c->doc < wend) {
        uint32_t k = c->i, n = c->n;
        seg_cursor_load(c);
        for (; k < n && c->docs[k] < wend; k++) {
            uint32_t d = c->docs[k];
            unsigned m = c->masks[k] & fields;
            float tfc = 0;
            while (m) {
                int f = __builtin_ctz(m);
                m &= m - 1;
                tfc += (float)seg_cursor_tf_in(c, k, f) * st->inv_norm[f][s->norms[f][d]];
            }
            uint32_t j = d - base;
            acc[j] += idf_k * tfc / (k1 + tfc);
            touched[j >> 6] |= 1ull << (j & 63);
        }
        if (k < n) {
            c->i = k;
            c->doc = c->docs[k];
            break;
        }
        /* block done: on to the next */
        c->i = n - 1;
        c->doc = c->docs[n - 1];
        seg_cursor_next(c);
    }
}

/* MaxScore over a disjunction of single-term units, in windows of documents. Units are sorted
 * by their upper bound; the "non-essential" ones, whose bounds together cannot lift a document
 * above the current k-th score (theta), never produce candidates. In each window the essential
 * units add their scores into an array term by term (no per-document merging of cursors);
 * then each touched document that can still compete is completed by probing the non-essential
 * units, most valuable first, while the block-max bounds say it can still make the top k. */
static void maxscore_segment(const struct stats *st, struct seg_ctx *sc, struct ucur *uc,
                             size_t n_uc, int32_t lo, int32_t hi, struct heap *hp,
                             uint64_t *total, int *exact)
{
    size_t n = 0;
    for (size_t i = 0; i < n_uc; i++)
        if (uc[i].c && uc[i].c->doc != SEG_DOC_END) {
            uc[n] = uc[i];
            uc[n].sb = UINT32_MAX;
            uc[n].sb_last = 0;
            n++;
        }
    if (!n)
        return;
    qsort(uc, n, sizeof *uc, cmp_ub);
    float cum[MAX_UNITS], bcum[MAX_UNITS];
    float acc_sum = 0;
    for (size_t i = 0; i < n; i++) {
        acc_sum += uc[i].ub;
        cum[i] = acc_sum;
    }
    const struct seg *s = sc->s;
    int filter_days = lo != INT32_MIN || hi != INT32_MAX;
    float theta = heap_threshold(hp);
    /* ties: a document scoring exactly theta can still win on docid, so prune only below */
    size_t ess = 0; /* units [ess, n) are essential */
    while (ess < n && cum[ess] < theta)
        ess++;
    float *acc = xcalloc(WINDOW, sizeof *acc);
    uint64_t touched[WINDOW / 64];
    memset(touched, 0, sizeof touched);
    for (;;) {
        if (ess >= n)
            break;
        if (ess)
            *exact = 0;
        uint32_t base = SEG_DOC_END;
        for (size_t i = ess; i < n; i++)
            if (uc[i].c->doc < base)
                base = uc[i].c->doc;
        if (base == SEG_DOC_END)
            break;
        uint32_t wend = base + WINDOW < base ? SEG_DOC_END : base + WINDOW;
        size_t ess_w = ess;
        for (size_t i = ess_w; i < n; i++)
            accumulate(st, &uc[i], s, base, wend, acc, touched);
        for (size_t w = 0; w < WINDOW / 64; w++) {
            uint64_t bits = touched[w];
            touched[w] = 0;
            while (bits) {
                uint32_t j = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
                bits &= bits - 1;
                float score = acc[j];
                acc[j] = 0;
                uint32_t d = base + j;
                if (score <= 0 || is_del(sc->del, d) ||
                    (filter_days && !day_ok(seg_day(s, d), lo, hi)))
                    continue; /* 0: the term is there, but only in fields the unit ignores */
                if (ess_w) {
                    float ne = 0;
                    for (size_t i = 0; i < ess_w; i++) {
                        ne += block_ub(st, &uc[i], d);
                        bcum[i] = ne;
                    }
                    int skip = 0;
                    for (size_t i = ess_w; i-- > 0;) {
                        if (score + bcum[i] < theta) {
                            skip = 1;
                            break;
                        }
                        if (seg_cursor_advance(uc[i].c, d) == d)
                            score += unit_score(st, &uc[i], s, d);
                    }
                    if (skip)
                        continue;
                }
                (*total)++;
                if (score < theta)
                    continue;
                heap_offer(hp, seg_docid(s, d), score);
                float t2 = heap_threshold(hp);
                if (t2 > theta) {
                    theta = t2;
                    while (ess < n && cum[ess] < theta)
                        ess++;
                }
            }
        }
    }
    xfree(acc);
}

/* An AND of words: leapfrog over the words (a word matches through any of its units, each in
 * its own fields), scoring each document that has them all. Once the top k is full, a stretch
 * where the words' block bounds add up to less than the k-th score is skipped whole. */
static void conj_segment(const struct stats *st, struct seg_ctx *sc, struct ucur *uc, size_t n_uc,
                         int32_t lo, int32_t hi, struct heap *hp, uint64_t *total, int *exact)
{
    /* words: runs of units with the same leaf */
    int leaves[MAX_UNITS];
    size_t n_words = 0;
    for (size_t i = 0; i < n_uc; i++) {
        size_t w = 0;
        while (w < n_words && leaves[w] != uc[i].u->leaf)
            w++;
        if (w == n_words)
            leaves[n_words++] = uc[i].u->leaf;
    }
    uint64_t df[MAX_UNITS];
    for (size_t w = 0; w < n_words; w++) {
        df[w] = 0;
        for (size_t i = 0; i < n_uc; i++)
            if (uc[i].u->leaf == leaves[w] && uc[i].c)
                df[w] += uc[i].c->t.df;
        if (!df[w])
            return; /* a word absent from this segment: nothing matches */
    }
    /* the rarest word leads the leapfrog: it proposes the fewest documents */
    for (size_t w = 1; w < n_words; w++)
        for (size_t x = w; x > 0 && df[x] < df[x - 1]; x--) {
            uint64_t t = df[x];
            df[x] = df[x - 1];
            df[x - 1] = t;
            int l = leaves[x];
            leaves[x] = leaves[x - 1];
            leaves[x - 1] = l;
        }
    for (size_t i = 0; i < n_uc; i++) {
        uc[i].sb = UINT32_MAX;
        uc[i].sb_last = 0;
    }
    int filter_days = lo != INT32_MIN || hi != INT32_MAX;
    const struct seg *s = sc->s;
    float theta = heap_threshold(hp);
    uint32_t d = 0;
    for (;;) {
        if (theta >= 0) {
            /* a document can match a word through several of its units ("rays" in the text
             * and in an author's name): the bound adds them all */
            float bound = 0;
            uint32_t end = SEG_DOC_END;
            for (size_t i = 0; i < n_uc; i++) {
                if (!uc[i].c)
                    continue;
                bound += block_ub(st, &uc[i], d);
                if (uc[i].sb_last < end)
                    end = uc[i].sb_last;
            }
            if (bound < theta) {
                *exact = 0;
                if (end == SEG_DOC_END)
                    return;
                d = end + 1;
                continue;
            }
        }
        /* leapfrog: every word at d */
        size_t w = 0;
        while (w < n_words) {
            uint32_t wd = SEG_DOC_END;
            for (size_t i = 0; i < n_uc; i++) {
                if (uc[i].u->leaf != leaves[w] || !uc[i].c)
                    continue;
                uint32_t x = cursor_in_fields(uc[i].c, d, uc[i].u->fields);
                if (x < wd)
                    wd = x;
            }
            if (wd == SEG_DOC_END)
                return;
            if (wd != d) {
                d = wd;
                w = 0;
                continue;
            }
            w++;
        }
        if (!is_del(sc->del, d) && (!filter_days || day_ok(seg_day(s, d), lo, hi))) {
            (*total)++;
            float score = 0;
            for (size_t i = 0; i < n_uc; i++)
                if (uc[i].c && uc[i].c->doc == d)
                    score += unit_score(st, &uc[i], s, d);
            if (score >= theta) {
                heap_offer(hp, seg_docid(s, d), score);
                theta = heap_threshold(hp);
            }
        }
        if (d == SEG_DOC_END - 1)
            return;
        d++;
    }
}

static void run(struct index *ix, struct plan *pl, const struct stats *st, int32_t lo, int32_t hi,
                struct heap *hp, uint64_t *total, int *exact)
{
    size_t n_segs = index_n_segs(ix);
    uint32_t *pa = xmalloc(MAX_POS * sizeof *pa), *pb = xmalloc(MAX_POS * sizeof *pb);
    struct ucur *uc = xcalloc(pl->n_units + 1, sizeof *uc);
    for (size_t si = 0; si < n_segs; si++) {
        struct seg_ctx sc = {0};
        sc.s = index_seg(ix, si, &sc.del);
        sc.pa = pa;
        sc.pb = pb;
        /* how much larger this query's field factors can be than the segment's reference */
        float ratio[IF_COUNT];
        const float(*ref_inv)[256] = sc.s->ref_inv;
        for (int f = 0; f < IF_COUNT; f++) {
            ratio[f] = 0;
            for (int c = 0; c < 256; c++) {
                float r = ref_inv[f][c] > 0 ? st->inv_norm[f][c] / ref_inv[f][c]
                                            : (st->inv_norm[f][c] > 0 ? 1e30f : 0);
                if (r > ratio[f])
                    ratio[f] = r;
            }
        }
        for (size_t i = 0; i < pl->n_units; i++) {
            const struct unit *u = &pl->units[i];
            uc[i].u = u;
            uc[i].c = new_cursor(&sc, u->term, u->len, u->fields, u->id_doc);
            uc[i].idf_k = (float)(u->idf * (st->k1 + 1.0));
            uc[i].ub = 0;
            uc[i].ratio = 0;
            for (int f = 0; f < IF_COUNT; f++)
                if ((u->fields & (1u << f)) && ratio[f] > uc[i].ratio)
                    uc[i].ratio = ratio[f];
            if (uc[i].c)
                uc[i].ub = bound_of(st, uc[i].c->t.max_tfc, uc[i].ratio, uc[i].idf_k);
        }
        if (pl->is_disjunction)
            maxscore_segment(st, &sc, uc, pl->n_units, lo, hi, hp, total, exact);
        else if (pl->is_conjunction)
            conj_segment(st, &sc, uc, pl->n_units, lo, hi, hp, total, exact);
        else
            eval_segment(st, &sc, pl->root, uc, pl->n_units, lo, hi, hp, total);
        seg_ctx_release(&sc);
    }
    xfree(uc);
    xfree(pa);
    xfree(pb);
}

static int cmp_hit_desc(const void *a, const void *b)
{
    const struct index_hit *x = a, *y = b;
    if (worse(x, y))
        return 1;
    if (worse(y, x))
        return -1;
    return 0;
}

static struct qnode *or_of_words(const struct qnode *and)
{
    struct qnode *o = xcalloc(1, sizeof *o);
    o->kind = QN_OR;
    o->kids = and->kids; /* borrowed */
    o->n_kids = and->n_kids;
    return o;
}

/* ---- second passes over the best hits: term proximity, pseudo-relevance feedback ---- */

#define PROX_FIELDS ((1u << IF_TITLE) | (1u << IF_ABSTRACT))

struct hit_loc { /* a hit's document in one segment */
    uint32_t docnum;
    uint32_t hit;
};

static int cmp_loc(const void *a, const void *b)
{
    const struct hit_loc *x = a, *y = b;
    return (x->docnum > y->docnum) - (x->docnum < y->docnum);
}

struct occ { /* an occurrence of a query term: field << 24 | position, and which term */
    uint32_t pos;
    uint32_t term;
};

static int cmp_occ(const void *a, const void *b)
{
    const struct occ *x = a, *y = b;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Adds weight times a proximity bonus to each of hits[0..n_hits), for the text units among
 * units[0..n_units): every two neighbouring occurrences of different query terms in the title
 * or abstract, d positions apart, add idf(other) / d^2 to each term's accumulator acc, and the
 * bonus is the sum over the terms of min(1, idf) * acc * (k1 + 1) / (acc + k1) (Buettcher et
 * al. 2006, without their length normalisation). Positions count stop words, so "risk of
 * cancer" has risk and cancer 2 apart. */
static void prox_rescore(struct index *ix, const struct unit *units, size_t n_units,
                         const struct stats *st, float weight, struct index_hit *hits,
                         size_t n_hits)
{
    size_t *tu = xmalloc((n_units + 1) * sizeof *tu), n_tu = 0;
    for (size_t i = 0; i < n_units; i++)
        if (units[i].fields & PROX_FIELDS)
            tu[n_tu++] = i;
    if (n_tu < 2 || !n_hits) {
        xfree(tu);
        return;
    }
    struct occ **occ = xcalloc(n_hits, sizeof *occ);
    size_t *n_occ = xcalloc(n_hits, sizeof *n_occ), *cap_occ = xcalloc(n_hits, sizeof *cap_occ);
    struct hit_loc *loc = xmalloc(n_hits * sizeof *loc);
    uint32_t *pos = xmalloc(MAX_POS * sizeof *pos);
    size_t n_segs = index_n_segs(ix);
    for (size_t si = 0; si < n_segs; si++) {
        struct seg_ctx sc = {0};
        sc.s = index_seg(ix, si, &sc.del);
        size_t n_loc = 0;
        for (size_t h = 0; h < n_hits; h++) {
            int64_t d = seg_docnum(sc.s, hits[h].docid);
            if (d >= 0 && !is_del(sc.del, (uint32_t)d))
                loc[n_loc++] = (struct hit_loc){(uint32_t)d, (uint32_t)h};
        }
        if (n_loc)
            qsort(loc, n_loc, sizeof *loc, cmp_loc);
        for (size_t t = 0; t < n_tu && n_loc; t++) {
            const struct unit *u = &units[tu[t]];
            struct seg_cursor *c = new_cursor(&sc, u->term, u->len, PROX_FIELDS, NULL);
            for (size_t l = 0; c && l < n_loc; l++) {
                uint32_t d = seg_cursor_advance(c, loc[l].docnum);
                if (d == SEG_DOC_END)
                    break;
                if (d != loc[l].docnum)
                    continue;
                seg_cursor_load(c);
                for (int f = IF_TITLE; f <= IF_ABSTRACT; f++) {
                    if (!(c->masks[c->i] >> f & 1))
                        continue;
                    size_t n = seg_cursor_positions(c, f, pos, MAX_POS);
                    size_t h = loc[l].hit;
                    occ[h] = xgrow(occ[h], sizeof **occ, n_occ[h] + n, &cap_occ[h]);
                    for (size_t i = 0; i < n; i++)
                        occ[h][n_occ[h]++] = (struct occ){(uint32_t)f << 24 | pos[i], (uint32_t)t};
                }
            }
        }
        seg_ctx_release(&sc);
    }
    double *acc = xmalloc(n_tu * sizeof *acc);
    for (size_t h = 0; h < n_hits; h++) {
        if (n_occ[h])
            qsort(occ[h], n_occ[h], sizeof **occ, cmp_occ);
        memset(acc, 0, n_tu * sizeof *acc);
        for (size_t i = 1; i < n_occ[h]; i++) {
            const struct occ *a = &occ[h][i - 1], *b = &occ[h][i];
            if (a->term == b->term || a->pos >> 24 != b->pos >> 24 || b->pos == a->pos)
                continue;
            double dist = (double)(b->pos - a->pos);
            acc[a->term] += units[tu[b->term]].idf / (dist * dist);
            acc[b->term] += units[tu[a->term]].idf / (dist * dist);
        }
        double bonus = 0;
        for (size_t t = 0; t < n_tu; t++) {
            double idf = units[tu[t]].idf;
            bonus += (idf < 1 ? idf : 1) * acc[t] * (st->k1 + 1) / (acc[t] + st->k1);
        }
        hits[h].score += (float)(weight * bonus);
        xfree(occ[h]);
    }
    xfree(acc);
    xfree(pos);
    xfree(loc);
    xfree(cap_occ);
    xfree(n_occ);
    xfree(occ);
    xfree(tu);
}

struct fb_tok { /* a term of a feedback document */
    char term[TOKEN_MAX + 1];
    uint32_t doc;
};

struct fb_ctx {
    struct fb_tok *t;
    size_t n, cap;
    uint32_t doc;
    uint32_t *doc_len;
};

static int fb_token(void *ctx, const struct token *t)
{
    struct fb_ctx *fc = ctx;
    if (t->flags & (TOKEN_STOP | TOKEN_COMPOUND))
        return 0;
    fc->doc_len[fc->doc]++;
    size_t digits = 0;
    for (size_t i = 0; i < t->len; i++)
        digits += t->term[i] >= '0' && t->term[i] <= '9';
    if (t->len < 2 || digits == t->len)
        return 0; /* counted in the length, not worth proposing */
    fc->t = xgrow(fc->t, sizeof *fc->t, fc->n + 1, &fc->cap);
    memcpy(fc->t[fc->n].term, t->term, t->len);
    fc->t[fc->n].term[t->len] = 0;
    fc->t[fc->n].doc = fc->doc;
    fc->n++;
    return 0;
}

static int cmp_fb_tok(const void *a, const void *b)
{
    return strcmp(((const struct fb_tok *)a)->term, ((const struct fb_tok *)b)->term);
}

struct fb_term {
    const char *term; /* in fb_ctx.t */
    double w;
};

static int cmp_fb_term(const void *a, const void *b)
{
    const struct fb_term *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? 1 : -1;
    return strcmp(x->term, y->term);
}

/* RM3: the terms of the best n_docs hits (sorted, best first) weighted by
 * sum over the documents of score share * tf / length; the best n_terms of them join the plan's
 * units, which keep 1 - lambda of their weight, with lambda * (their share) * (number of text
 * units) times their idf. Returns 1 when units were added. fc keeps the new units' terms. */
static int prf_expand(struct plan *pl, struct index *ix, const struct stats *st,
                      struct tokenizer *tok, const struct index_search_opts *opts,
                      const struct index_params *p, const struct index_hit *hits, size_t n_docs,
                      struct fb_ctx *fc)
{
    size_t n_text = 0;
    unsigned fields = 0;
    for (size_t i = 0; i < pl->n_units; i++)
        if (pl->units[i].fields & TEXT_FIELDS) {
            n_text++;
            if (!fields)
                fields = pl->units[i].fields & TEXT_FIELDS;
        }
    if (!n_text || !n_docs)
        return 0;
    fc->doc_len = xcalloc(n_docs, sizeof *fc->doc_len);
    double *dw = xcalloc(n_docs, sizeof *dw), sum_score = 0;
    for (size_t d = 0; d < n_docs; d++) {
        const char *title = NULL, *abstract = NULL;
        if (opts->doc_text(opts->text_ctx, hits[d].docid, &title, &abstract))
            continue;
        fc->doc = (uint32_t)d;
        uint32_t next = 0;
        if (title)
            next = tokenizer_run(tok, TOKEN_TEXT, title, strlen(title), 0, fb_token, fc);
        if (abstract)
            tokenizer_run(tok, TOKEN_TEXT, abstract, strlen(abstract), next + 1, fb_token, fc);
        dw[d] = hits[d].score > 0 ? hits[d].score : 0;
        sum_score += dw[d];
    }
    if (fc->n)
        qsort(fc->t, fc->n, sizeof *fc->t, cmp_fb_tok);
    struct fb_term *cand = xmalloc((fc->n + 1) * sizeof *cand);
    size_t n_cand = 0;
    for (size_t i = 0; i < fc->n;) {
        size_t j = i;
        double w = 0;
        while (j < fc->n && strcmp(fc->t[j].term, fc->t[i].term) == 0) {
            uint32_t d = fc->t[j].doc;
            if (fc->doc_len[d] && sum_score > 0)
                w += dw[d] / sum_score / fc->doc_len[d];
            j++;
        }
        cand[n_cand++] = (struct fb_term){fc->t[i].term, w};
        i = j;
    }
    qsort(cand, n_cand, sizeof *cand, cmp_fb_term);
    size_t n_pick = n_cand < p->prf_terms ? n_cand : p->prf_terms;
    double sum_w = 0;
    for (size_t i = 0; i < n_pick; i++)
        sum_w += cand[i].w;
    double lambda = p->prf_weight;
    for (size_t i = 0; i < pl->n_units; i++)
        pl->units[i].idf *= 1.0 - lambda;
    int added = 0;
    for (size_t i = 0; i < n_pick && sum_w > 0; i++) {
        size_t len = strlen(cand[i].term);
        double idf = idf_of(st->n_docs, (double)doc_freq(ix, cand[i].term, len, NULL));
        double w = lambda * (double)n_text * cand[i].w / sum_w * idf;
        size_t u = 0;
        for (; u < pl->n_units; u++)
            if ((pl->units[u].fields & TEXT_FIELDS) && pl->units[u].len == len &&
                memcmp(pl->units[u].term, cand[i].term, len) == 0)
                break;
        if (u == pl->n_units) {
            if (pl->n_units == MAX_UNITS)
                break;
            pl->units[u] = (struct unit){cand[i].term, len, fields, 0, -1, NULL};
            pl->n_units++;
        }
        pl->units[u].idf += w;
        added = 1;
    }
    xfree(cand);
    xfree(dw);
    return added;
}

static void fb_release(struct fb_ctx *fc)
{
    xfree(fc->t);
    xfree(fc->doc_len);
    memset(fc, 0, sizeof *fc);
}

int index_search(struct index *ix, const struct query *q, const struct index_search_opts *opts,
                 struct index_result *out, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    memset(out, 0, sizeof *out);
    out->total_exact = 1;
    struct index_params defaults;
    const struct index_params *p = opts->params;
    if (!p) {
        index_params_default(&defaults);
        p = &defaults;
    }
    int32_t lo = INT32_MIN, hi = INT32_MAX;
    int64_t days;
    if (q->after[0] && date_parse_day(q->after, &days) == 0)
        lo = (int32_t)days;
    if (q->before[0] && date_parse_day(q->before, &days) == 0)
        hi = (int32_t)days;
    struct stats *st = xmalloc(sizeof *st);
    stats_init(st, ix, p);
    struct tokenizer *tok = index_tokenizer_get(ix);
    struct heap hp = {0};
    size_t want = opts->k + opts->offset;
    hp.cap = want;
    if (want && p->prox > 0 && p->prox_depth > hp.cap)
        hp.cap = p->prox_depth;
    if (want && p->prf_docs > 0 && opts->doc_text && p->prf_docs > hp.cap)
        hp.cap = p->prf_docs;
    hp.h = xmalloc((hp.cap ? hp.cap : 1) * sizeof *hp.h);
    struct plan pl = {0};
    const struct qnode *root = q->root;
    for (int attempt = 0; attempt < 2 && root; attempt++) {
        memset(&pl, 0, sizeof pl);
        pl.opts = opts;
        pl.root = build(&pl, tok, root, 1);
        classify(&pl, root);
        pl.is_disjunction &= !opts->exhaustive;
        pl.is_conjunction &= !opts->exhaustive;
        if (pl.root && hp.cap) {
            assign_idf(&pl, ix, st);
            merge_units(&pl);
            run(ix, &pl, st, lo, hi, &hp, &out->total, &out->total_exact);
        }
        if (out->total || !pl.words_only || attempt) {
            break;
        }
        /* nothing had every word: any word will do */
        plan_release(&pl);
        struct qnode *o = or_of_words(root);
        memset(&pl, 0, sizeof pl);
        pl.opts = opts;
        pl.root = build(&pl, tok, o, 1);
        classify(&pl, o);
        pl.is_disjunction &= !opts->exhaustive;
        xfree(o);
        if (pl.root) {
            assign_idf(&pl, ix, st);
            merge_units(&pl);
            run(ix, &pl, st, lo, hi, &hp, &out->total, &out->total_exact);
        }
        out->relaxed = 1;
        break;
    }
    size_t n_orig = pl.n_units; /* the query's own units; feedback may add more */
    struct fb_ctx fc = {0};
    if (pl.root && pl.is_disjunction && hp.n && p->prf_docs > 0 && opts->doc_text) {
        qsort(hp.h, hp.n, sizeof *hp.h, cmp_hit_desc);
        size_t n_fb = hp.n < p->prf_docs ? hp.n : p->prf_docs;
        if (prf_expand(&pl, ix, st, tok, opts, p, hp.h, n_fb, &fc)) {
            uint64_t total = 0; /* the count stays the query's own */
            int exact = 1;
            hp.n = 0;
            run(ix, &pl, st, lo, hi, &hp, &total, &exact);
        }
    }
    if (pl.root && pl.is_disjunction && hp.n && p->prox > 0)
        prox_rescore(ix, pl.units, n_orig, st, p->prox, hp.h, hp.n);
    /* the terms to highlight: a compound whole, and its parts where they stand apart */
    for (size_t i = 0; i < n_orig + pl.n_hl; i++) {
        const char *term = i < n_orig ? pl.units[i].term : pl.hl[i - n_orig];
        int seen = 0;
        for (size_t j = 0; j < out->n_terms && !seen; j++)
            seen = strcmp(out->terms[j], term) == 0;
        if (!seen) {
            out->terms = xrealloc(out->terms, (out->n_terms + 1) * sizeof *out->terms);
            out->terms[out->n_terms++] = xstrdup(term);
        }
    }
    plan_release(&pl);
    fb_release(&fc);
    qsort(hp.h, hp.n, sizeof *hp.h, cmp_hit_desc);
    if (hp.n > want)
        hp.n = want; /* a deeper first pass for proximity or feedback */
    if (hp.n > opts->offset) {
        out->n_hits = hp.n - opts->offset;
        out->hits = xmalloc(out->n_hits * sizeof *out->hits);
        memcpy(out->hits, hp.h + opts->offset, out->n_hits * sizeof *out->hits);
    }
    if (!out->total_exact && out->total < hp.n)
        out->total = hp.n;
    xfree(hp.h);
    out->ix = ix;
    out->tok = tok;
    xfree(st);
    return 0;
}

void index_result_release(struct index_result *r)
{
    if (r->tok)
        index_tokenizer_put(r->ix, r->tok);
    xfree(r->hits);
    for (size_t i = 0; i < r->n_terms; i++)
        xfree(r->terms[i]);
    xfree(r->terms);
    memset(r, 0, sizeof *r);
}
