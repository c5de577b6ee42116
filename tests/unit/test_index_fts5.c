/* index/ against SQLite FTS5 as an oracle: on 2,000 generated documents (three commits, then
 * one that replaces and deletes some) the SET of documents each query matches must be the same
 * in paperboy's index as in an FTS5 table of the same text; the same again after merging the
 * index into one segment. Ranking is not compared (BM25F and FTS5's bm25 differ by design).
 * The text is made of pseudo-words that both tokenisers keep as they are (checked first, so a
 * tokeniser change fails here loudly instead of making the comparison quietly meaningless); a
 * difference is then in query parsing or evaluation. Queries: hand-made edge cases, pairs that
 * exercise rules of the language (docs/QUERY.md), and several hundred random trees of words,
 * phrases, AND, OR, exclusions and title/abstract fields, each written in both languages (every
 * FTS5 operand parenthesised, since FTS5's NOT is binary and binds tighter than AND and OR). */
#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/index/index.h"
#include "../../src/index/query.h"
#include "../../src/index/token.h"
#include "../../src/util/alloc.h"
#include "../harness.h"
#include "../tmpdir.h"

/* ---- deterministic randomness ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static int chance(unsigned percent)
{
    return rnd() % 100 < percent;
}

/* ---- vocabulary ---- */

/* Words 0..N_ZIPF-1 are drawn with Zipf-like frequencies (0 the most common); then N_RARE words
 * that each occur in a handful of documents, then N_ABSENT words that occur in none. */
#define N_ZIPF 400
#define N_RARE 24
#define N_ABSENT 8
#define N_WORDS (N_ZIPF + N_RARE + N_ABSENT)
#define RARE0 N_ZIPF
#define ABSENT0 (N_ZIPF + N_RARE)

static char vocab[N_WORDS][8];

/* Consonant-vowel-consonant-vowel-consonant pseudo-words ("kavot", "mirud"): no 'e', 's', 'y'
 * or 'l', so no English suffix the Snowball stemmer strips, no stop word, no Greek letter name,
 * and nothing FTS5 reads as an operator. */
static void make_vocab(void)
{
    static const char on[] = "bdfgkmnprtvz", vo[] = "aiou", co[] = "dgkmnprtvxz";
    const unsigned n_on = sizeof on - 1, n_vo = sizeof vo - 1, n_co = sizeof co - 1;
    const unsigned total = n_on * n_vo * n_on * n_vo * n_co; /* 25344 = 2^8 * 3^2 * 11 */
    for (unsigned i = 0; i < N_WORDS; i++) {
        unsigned x = (i * 7919u + 101u) % total; /* 7919 is prime to total: all distinct */
        char *w = vocab[i];
        w[0] = on[x % n_on], x /= n_on;
        w[1] = vo[x % n_vo], x /= n_vo;
        w[2] = on[x % n_on], x /= n_on;
        w[3] = vo[x % n_vo], x /= n_vo;
        w[4] = co[x % n_co];
        w[5] = 0;
    }
}

static int zipf_rank(void)
{
    /* rank r with probability ~ 1/r */
    double u = (double)(rnd() % 1000000) / 1000000.0;
    int r = (int)pow((double)(N_ZIPF + 1), u) - 1;
    return r < 0 ? 0 : r >= N_ZIPF ? N_ZIPF - 1 : r;
}

/* ---- documents ---- */

#ifndef N_DOCS /* -DN_DOCS=... for a bigger run by hand */
#define N_DOCS 2000
#endif
#define N_COLLOC 24
#define MAX_FIELD_WORDS 96

enum { FLD_ANY, FLD_TI, FLD_ABS };
static const char *const fts_col[3] = {NULL, "title", "abstract"};

struct gdoc {
    int n[2];                  /* words in title, abstract */
    int w[2][MAX_FIELD_WORDS]; /* vocabulary indexes */
    char *text[2];
    int is_live;
};

static struct gdoc docs[N_DOCS + 1]; /* docid = index, 1..N_DOCS */
static int colloc[N_COLLOC][4], colloc_n[N_COLLOC];

static void make_collocations(void)
{
    for (int c = 0; c < N_COLLOC; c++) {
        colloc_n[c] = 2 + (int)(rnd() % 3);
        for (int i = 0; i < colloc_n[c]; i++)
            colloc[c][i] = 10 + (int)(rnd() % 200);
    }
}

static void gen_field(struct gdoc *d, int f, int want)
{
    int n = 0;
    while (n < want) {
        unsigned r = rnd() % 1000;
        if (r < 40) { /* a collocation, so that phrases of several words match */
            int c = (int)(rnd() % N_COLLOC);
            for (int i = 0; i < colloc_n[c] && n < MAX_FIELD_WORDS; i++)
                d->w[f][n++] = colloc[c][i];
        } else if (r < 55 && n) { /* the previous word again: phrases like "x x" */
            d->w[f][n] = d->w[f][n - 1];
            n++;
        } else if (r < 58) {
            d->w[f][n++] = RARE0 + (int)(rnd() % N_RARE);
        } else {
            d->w[f][n++] = zipf_rank();
        }
    }
    d->n[f] = n;
    /* text: capitalised sentences, some commas; neither tokeniser keeps the punctuation */
    size_t cap = (size_t)n * 8 + 8, len = 0;
    char *t = xmalloc(cap);
    int cap_next = 1;
    for (int i = 0; i < n; i++) {
        const char *w = vocab[d->w[f][i]];
        if (i) {
            unsigned r = rnd() % 100;
            if (r < 6) {
                t[len++] = '.';
                cap_next = 1;
            } else if (r < 11) {
                t[len++] = ',';
            }
            t[len++] = ' ';
        }
        memcpy(t + len, w, 5);
        if (cap_next)
            t[len] = (char)(t[len] - 'a' + 'A');
        cap_next = 0;
        len += 5;
    }
    if (f)
        t[len++] = '.';
    t[len] = 0;
    xfree(d->text[f]);
    d->text[f] = t;
}

static void gen_doc(struct gdoc *d)
{
    gen_field(d, 0, 3 + (int)(rnd() % 8));
    gen_field(d, 1, 10 + (int)(rnd() % 60));
    d->is_live = 1;
}

/* ---- the tokeniser sees exactly the generated words ---- */

struct expect {
    const int *w;
    int n, i, bad;
};

static int expect_token(void *ctx, const struct token *t)
{
    struct expect *e = ctx;
    if (e->i >= e->n || t->flags || t->pos != (uint32_t)e->i || t->len != 5 ||
        memcmp(t->term, vocab[e->w[e->i]], 5) != 0)
        e->bad = 1;
    e->i++;
    return e->bad;
}

/* 1 when text tokenises (as prose) to exactly words w[0..n) at positions 0..n-1. */
static int tokenises_to(struct tokenizer *tok, const char *text, const int *w, int n)
{
    struct expect e = {w, n, 0, 0};
    tokenizer_run(tok, TOKEN_TEXT, text, strlen(text), 0, expect_token, &e);
    return !e.bad && e.i == n;
}

static void test_vocabulary_is_stable(void)
{
    make_vocab();
    struct tokenizer *tok = tokenizer_new();
    int bad = 0;
    for (int i = 0; i < N_WORDS; i++) {
        for (int j = 0; j < i; j++)
            CHECK(strcmp(vocab[i], vocab[j]) != 0);
        if (!tokenises_to(tok, vocab[i], &i, 1)) {
            printf("  the tokeniser changes the word '%s'\n", vocab[i]);
            bad++;
        }
    }
    tokenizer_free(tok);
    CHECK_INT(bad, 0);
}

/* ---- query trees ---- */

enum { QK_WORD, QK_PHRASE, QK_AND, QK_OR };

#define MAX_QWORDS 40
#define MAX_KIDS 48
#define MAX_QNODES 400

struct qn {
    int kind, field;
    int n_w, w[MAX_QWORDS];
    int n_kids;
    struct qn *kid[MAX_KIDS];
    int neg[MAX_KIDS]; /* QK_AND: kid i is excluded */
};

static struct qn qpool[MAX_QNODES];
static size_t n_qpool;

static struct qn *qnew(int kind, int field)
{
    if (n_qpool == MAX_QNODES)
        abort();
    struct qn *n = &qpool[n_qpool++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->field = field;
    return n;
}

static void add(struct qn *p, struct qn *k, int is_neg)
{
    if (p->n_kids == MAX_KIDS)
        abort();
    p->neg[p->n_kids] = is_neg;
    p->kid[p->n_kids++] = k;
}

static int query_word(void)
{
    unsigned r = rnd() % 100;
    if (r < 60)
        return zipf_rank();
    if (r < 85)
        return (int)(rnd() % N_ZIPF);
    if (r < 97)
        return RARE0 + (int)(rnd() % N_RARE);
    return ABSENT0 + (int)(rnd() % N_ABSENT);
}

static int random_field(unsigned percent)
{
    if (!chance(percent))
        return FLD_ANY;
    return chance(60) ? FLD_TI : FLD_ABS;
}

static struct qn *word(int w, int field)
{
    struct qn *n = qnew(QK_WORD, field);
    n->n_w = 1;
    n->w[0] = w;
    return n;
}

static const struct gdoc *live_doc(void)
{
    for (;;) {
        const struct gdoc *d = &docs[1 + rnd() % N_DOCS];
        if (d->is_live)
            return d;
    }
}

/* A phrase of 2-3 words: often a run of some document's field (so it matches), sometimes a
 * collocation's words (which may have been cut), sometimes random words. */
static struct qn *phrase(int field)
{
    struct qn *n = qnew(QK_PHRASE, field);
    n->n_w = 2 + (int)(rnd() % 2);
    unsigned r = rnd() % 100;
    if (r < 55) {
        const struct gdoc *d = live_doc();
        int f = field == FLD_TI ? 0 : field == FLD_ABS ? 1 : (int)(rnd() % 2);
        if (chance(15))
            f = !f; /* from the other field: matches only by chance */
        if (d->n[f] < n->n_w)
            n->n_w = d->n[f];
        int start = (int)(rnd() % (unsigned)(d->n[f] - n->n_w + 1));
        for (int i = 0; i < n->n_w; i++)
            n->w[i] = d->w[f][start + i];
        if (n->n_w == 1) { /* a one-word title: make it a phrase anyway */
            n->w[1] = n->w[0];
            n->n_w = 2;
        }
    } else if (r < 75) {
        int c = (int)(rnd() % N_COLLOC);
        if (n->n_w > colloc_n[c])
            n->n_w = colloc_n[c];
        for (int i = 0; i < n->n_w; i++)
            n->w[i] = colloc[c][i];
    } else {
        for (int i = 0; i < n->n_w; i++)
            n->w[i] = query_word();
    }
    return n;
}

static struct qn *gen(int depth);

static struct qn *gen_and(int depth, int field)
{
    struct qn *n = qnew(QK_AND, field);
    int n_pos = 1 + (int)(rnd() % 3), n_neg = chance(45) ? 1 + (int)(rnd() % 2) : 0;
    if (n_pos == 1 && !n_neg)
        n_pos = 2;
    while (n_pos || n_neg) {
        int is_neg = n_neg && (!n_pos || chance(40));
        add(n, gen(depth + 1), is_neg);
        if (is_neg)
            n_neg--;
        else
            n_pos--;
    }
    return n;
}

static struct qn *gen_or(int depth, int field)
{
    struct qn *n = qnew(QK_OR, field);
    int k = 2 + (int)(rnd() % 3);
    for (int i = 0; i < k; i++)
        add(n, gen(depth + 1), 0);
    return n;
}

/* A clause at parenthesis depth `depth`: a group here would be the depth-th level, so groups
 * nest at most 3 deep. */
static struct qn *gen(int depth)
{
    unsigned r = rnd() % 100;
    if (depth > 3 || r < 55) {
        if (!chance(70))
            return phrase(random_field(25));
        /* one draw per statement: compilers evaluate a call's arguments in different orders */
        int w = query_word();
        return word(w, random_field(25));
    }
    return r < 75 ? gen_and(depth, random_field(15)) : gen_or(depth, random_field(15));
}

/* The root's clauses are not in parentheses unless it has a field prefix. */
static struct qn *gen_query(void)
{
    n_qpool = 0;
    unsigned r = rnd() % 100;
    int field = random_field(5);
    if (r < 60)
        return gen_and(field ? 1 : 0, field);
    if (r < 85)
        return gen_or(field ? 1 : 0, field);
    return gen(1);
}

/* ---- rendering ---- */

#define MAX_QTEXT 8192

struct out {
    char s[MAX_QTEXT];
    size_t len;
};

static void put(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len + n >= sizeof o->s)
        abort();
    memcpy(o->s + o->len, s, n + 1);
    o->len += n;
}

static void put_words(struct out *o, const struct qn *n)
{
    if (n->kind == QK_PHRASE)
        put(o, "\"");
    for (int i = 0; i < n->n_w; i++) {
        if (i)
            put(o, " ");
        put(o, vocab[n->w[i]]);
    }
    if (n->kind == QK_PHRASE)
        put(o, "\"");
}

static void pb_inner(struct out *o, const struct qn *n);

/* paperboy: a word, a phrase or a group in parentheses, with its field prefix. The spelling of
 * prefixes and of OR varies (documented aliases), the meaning does not. An OR group may go
 * without its parentheses where OR binding tighter than the space keeps the meaning (a clause
 * of an AND, not excluded, or a clause of another OR): "a OR b c" is "(a OR b) c". */
static void pb_atom(struct out *o, const struct qn *n, int may_be_bare)
{
    if (n->field == FLD_TI)
        put(o, chance(80) ? "ti:" : "title:");
    else if (n->field == FLD_ABS)
        put(o, chance(80) ? "abs:" : "abstract:");
    if (n->kind == QK_WORD || n->kind == QK_PHRASE) {
        put_words(o, n);
        return;
    }
    if (n->kind == QK_OR && !n->field && may_be_bare && chance(35)) {
        pb_inner(o, n);
        return;
    }
    put(o, "(");
    pb_inner(o, n);
    put(o, ")");
}

static void pb_inner(struct out *o, const struct qn *n)
{
    for (int i = 0; i < n->n_kids; i++) {
        if (i)
            put(o, n->kind == QK_AND ? " " : chance(85) ? " OR " : " | ");
        if (n->neg[i])
            put(o, "-");
        pb_atom(o, n->kid[i], !n->neg[i]);
    }
}

static void pb_render(struct out *o, const struct qn *root)
{
    o->len = 0;
    o->s[0] = 0;
    if (root->field || root->kind == QK_WORD || root->kind == QK_PHRASE)
        pb_atom(o, root, 0);
    else
        pb_inner(o, root);
}

/* FTS5: binary NOT, and NOT > AND > OR, so every operand is parenthesised; a field becomes a
 * column filter on each word and phrase under it (the innermost prefix wins, as in paperboy). */
static void f5_expr(struct out *o, const struct qn *n, int field)
{
    if (n->field)
        field = n->field;
    if (n->kind == QK_WORD || n->kind == QK_PHRASE) {
        if (field) {
            put(o, fts_col[field]);
            put(o, " : ");
        }
        put_words(o, n);
        return;
    }
    if (n->kind == QK_OR) {
        for (int i = 0; i < n->n_kids; i++) {
            put(o, i ? " OR (" : "(");
            f5_expr(o, n->kid[i], field);
            put(o, ")");
        }
        return;
    }
    int n_neg = 0, first = 1;
    for (int i = 0; i < n->n_kids; i++)
        n_neg += n->neg[i];
    for (int i = 0; i < n_neg; i++)
        put(o, "(");
    put(o, "(");
    for (int i = 0; i < n->n_kids; i++) {
        if (n->neg[i])
            continue;
        put(o, first ? "(" : " AND (");
        first = 0;
        f5_expr(o, n->kid[i], field);
        put(o, ")");
    }
    put(o, ")");
    for (int i = 0; i < n->n_kids; i++) {
        if (!n->neg[i])
            continue;
        put(o, " NOT (");
        f5_expr(o, n->kid[i], field);
        put(o, "))");
    }
}

static void f5_render(struct out *o, const struct qn *root)
{
    o->len = 0;
    o->s[0] = 0;
    f5_expr(o, root, FLD_ANY);
}

/* ---- running both engines ---- */

struct engines {
    struct index *ix;
    sqlite3 *db;
    sqlite3_stmt *match;
};

struct tally {
    int n_queries, n_nonempty, n_relaxed, n_skipped;
    long n_docs_matched;
};

/* Marks in set[] (N_DOCS + 1 bytes) what paperboy matches; -1 on a parse or search error.
 * exhaustive: score every match (for a disjunction of words the default is MaxScore). */
static int pb_match(struct index *ix, const char *text, int exhaustive, uint8_t *set, int *relaxed)
{
    struct query *q;
    char err[256];
    const char *why;
    memset(set, 0, N_DOCS + 1);
    if (query_parse(text, strlen(text), 0, &q, err, sizeof err)) {
        printf("  paperboy cannot parse [%s]: %s\n", text, err);
        return -1;
    }
    if (query_check(q, 0, &why)) {
        printf("  paperboy's tree for [%s] breaks an invariant: %s\n", text, why);
        query_free(q);
        return -1;
    }
    struct index_search_opts o = {.k = 100000, .exhaustive = exhaustive};
    struct index_result r;
    int rc = index_search(ix, q, &o, &r, err, sizeof err);
    query_free(q);
    if (rc) {
        printf("  paperboy cannot search [%s]: %s\n", text, err);
        return -1;
    }
    int ok = r.total_exact && r.total == r.n_hits;
    if (!ok)
        printf("  paperboy [%s]: total %llu (exact %d) but %zu hits\n", text,
               (unsigned long long)r.total, r.total_exact, r.n_hits);
    for (size_t i = 0; i < r.n_hits && ok; i++) {
        uint32_t d = r.hits[i].docid;
        if (d < 1 || d > N_DOCS || !docs[d].is_live || set[d]) {
            printf("  paperboy [%s]: returns %s document %u\n", text,
                   d < 1 || d > N_DOCS ? "an unknown"
                   : set[d]            ? "twice the"
                                       : "the deleted",
                   d);
            ok = 0;
        } else {
            set[d] = 1;
        }
    }
    /* "no document had every word, so any word was enough": the true answer is no match */
    *relaxed = r.relaxed;
    if (r.relaxed)
        memset(set, 0, N_DOCS + 1);
    index_result_release(&r);
    return ok ? 0 : -1;
}

static int f5_match(sqlite3_stmt *st, const char *text, uint8_t *set)
{
    memset(set, 0, N_DOCS + 1);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 d = sqlite3_column_int64(st, 0);
        if (d < 1 || d > N_DOCS)
            return -1;
        set[d] = 1;
    }
    if (rc != SQLITE_DONE) {
        printf("  fts5 cannot run [%s]: %s\n", text, sqlite3_errmsg(sqlite3_db_handle(st)));
        return -1;
    }
    return 0;
}

static void print_doc(uint32_t d)
{
    printf("    doc %u: title [%s] abstract [%s]\n", d, docs[d].text[0], docs[d].text[1]);
}

/* Runs one query on both engines (paperboy twice: exhaustive and default evaluation) and
 * compares the sets; on a difference prints both spellings and the first differing documents. */
static int compare(struct engines *e, const char *name, const char *pb, const char *f5,
                   struct tally *t)
{
    static uint8_t a[N_DOCS + 1], b[N_DOCS + 1], c[N_DOCS + 1];
    int relaxed = 0, relaxed2 = 0;
    t->n_queries++;
    int ok = pb_match(e->ix, pb, 1, a, &relaxed) == 0 && f5_match(e->match, f5, b) == 0 &&
             pb_match(e->ix, pb, 0, c, &relaxed2) == 0;
    int n_diff = 0, n_match = 0;
    for (uint32_t d = 1; ok && d <= N_DOCS; d++) {
        n_match += b[d];
        if (a[d] == b[d] && c[d] == b[d])
            continue;
        if (!n_diff++) {
            printf("  %s: paperboy and fts5 disagree\n    paperboy: %s\n    fts5:     %s\n", name,
                   pb, f5);
        }
        if (n_diff <= 4) {
            printf("    doc %u: fts5 %s, paperboy %s (exhaustive) %s (default)\n", d,
                   b[d] ? "matches" : "does not match", a[d] ? "matches" : "does not",
                   c[d] ? "matches" : "does not");
            print_doc(d);
        }
    }
    if (!ok)
        printf("  %s: failed\n    paperboy: %s\n    fts5:     %s\n", name, pb, f5);
    else if (n_diff)
        printf("    %d documents differ%s\n", n_diff, relaxed ? " (paperboy relaxed to OR)" : "");
    t->n_relaxed += relaxed;
    t->n_nonempty += n_match > 0;
    t->n_docs_matched += n_match;
    return !ok || n_diff ? -1 : 0;
}

/* ---- the corpus in both engines ---- */


static int sql(sqlite3 *db, const char *s)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, s, NULL, NULL, &msg);
    if (rc)
        printf("  sqlite: %s: %s\n", s, msg ? msg : "?");
    sqlite3_free(msg);
    return rc;
}

static void put_doc(struct engines *e, sqlite3_stmt *ins, uint32_t id)
{
    struct index_doc d;
    memset(&d, 0, sizeof d);
    d.docid = id;
    d.day = INT32_MIN;
    for (int f = 0; f < 2; f++) {
        d.text[f == 0 ? IF_TITLE : IF_ABSTRACT] = docs[id].text[f];
        d.len[f == 0 ? IF_TITLE : IF_ABSTRACT] = strlen(docs[id].text[f]);
    }
    index_add(e->ix, &d);
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, id);
    sqlite3_bind_text(ins, 2, docs[id].text[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, docs[id].text[1], -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE)
        abort();
}

static int fts_delete(sqlite3_stmt *del, uint32_t id)
{
    sqlite3_reset(del);
    sqlite3_bind_int64(del, 1, id);
    return sqlite3_step(del) == SQLITE_DONE ? 0 : -1;
}

/* Deleting a docid added earlier in the same uncommitted batch: this test found that
 * index_delete once ignored such documents; with 1 those deletions would wait for a commit of
 * their own (the documents that end up live are the same either way). Kept at 0: the fixed
 * engine must handle them within the batch. */
#define KNOWN_BUG_DELETE_AFTER_ADD 0

/* Documents 1..N_DOCS in three commits (three segments), then a fourth commit that replaces
 * every 61st document with new text, deletes every 89th, and deletes every fourth of the
 * documents it replaced: the engine must honour deletion marks, in old segments and in the one
 * being written, and take statistics across segments. */
static int build_corpus(struct engines *e, const char *dir)
{
    char err[256];
    if (index_open(dir, INDEX_WRITE, &e->ix, err, sizeof err) ||
        sqlite3_open(":memory:", &e->db) != SQLITE_OK ||
        sql(e->db, "CREATE VIRTUAL TABLE t USING fts5(title, abstract, tokenize='unicode61')"))
        return -1;
    sqlite3_stmt *ins, *del;
    if (sqlite3_prepare_v2(e->db, "INSERT INTO t(rowid, title, abstract) VALUES (?1, ?2, ?3)", -1,
                           &ins, NULL) ||
        sqlite3_prepare_v2(e->db, "DELETE FROM t WHERE rowid = ?1", -1, &del, NULL) ||
        sqlite3_prepare_v2(e->db, "SELECT rowid FROM t WHERE t MATCH ?1", -1, &e->match, NULL))
        return -1;
    sql(e->db, "BEGIN");
    for (uint32_t id = 1; id <= N_DOCS; id++) {
        gen_doc(&docs[id]);
        put_doc(e, ins, id);
        if ((id % 800 == 0 || id == N_DOCS) && index_commit(e->ix, id, err, sizeof err))
            return -1;
    }
    static uint8_t added[N_DOCS + 1];
    static uint32_t later[N_DOCS];
    size_t n_later = 0;
    for (uint32_t id = 7; id <= N_DOCS; id += 61) {
        gen_doc(&docs[id]);
        if (fts_delete(del, id))
            return -1;
        put_doc(e, ins, id);
        added[id] = 1;
    }
    for (uint32_t id = 3, k = 0; id <= N_DOCS || k <= N_DOCS; id += 89, k += 4 * 61) {
        for (int twice = 0; twice < 2; twice++) {
            uint32_t d = twice ? 7 + k : id; /* every 89th; every 4th replaced */
            if (d > N_DOCS || !docs[d].is_live)
                continue;
            docs[d].is_live = 0;
            if (fts_delete(del, d))
                return -1;
            if (KNOWN_BUG_DELETE_AFTER_ADD && added[d])
                later[n_later++] = d;
            else
                index_delete(e->ix, d);
        }
    }
    sql(e->db, "COMMIT");
    sqlite3_finalize(ins);
    sqlite3_finalize(del);
    if (index_commit(e->ix, N_DOCS + 1, err, sizeof err))
        return -1;
    for (size_t i = 0; i < n_later; i++)
        index_delete(e->ix, later[i]);
    if ((n_later && index_commit(e->ix, N_DOCS + 2, err, sizeof err)) ||
        index_check(e->ix, err, sizeof err)) {
        printf("  index: %s\n", err);
        return -1;
    }
    struct index_stats st;
    uint64_t n_live = 0;
    index_stats(e->ix, &st);
    for (uint32_t id = 1; id <= N_DOCS; id++)
        n_live += (uint64_t)docs[id].is_live;
    if (st.docs != n_live) {
        printf("  the index has %llu live documents, the test %llu\n", (unsigned long long)st.docs,
               (unsigned long long)n_live);
        return -1;
    }
    return 0;
}

/* Both tokenisers read the text as the generated words: paperboy's word for word and position
 * for position; FTS5's vocabulary is exactly the words used, with the same number of tokens. */
static int corpus_is_clean(struct engines *e)
{
    struct tokenizer *tok = tokenizer_new();
    long n_tokens = 0;
    static uint8_t used[N_WORDS];
    int bad = 0;
    for (uint32_t id = 1; id <= N_DOCS && !bad; id++)
        for (int f = 0; f < 2 && docs[id].is_live && !bad; f++) {
            if (!tokenises_to(tok, docs[id].text[f], docs[id].w[f], docs[id].n[f])) {
                printf("  doc %u field %d does not tokenise to its words: %s\n", id, f,
                       docs[id].text[f]);
                bad = 1;
            }
            n_tokens += docs[id].n[f];
            for (int i = 0; i < docs[id].n[f]; i++)
                used[docs[id].w[f][i]] = 1;
        }
    tokenizer_free(tok);
    for (int i = ABSENT0; i < N_WORDS; i++)
        bad |= used[i];
    if (bad || sql(e->db, "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')"))
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(e->db, "SELECT term, cnt FROM v", -1, &st, NULL))
        return -1;
    long n_f5 = 0;
    int n_terms = 0, n_used = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(st, 0);
        int known = 0;
        for (int i = 0; i < N_WORDS && !known; i++)
            known = used[i] && strcmp(term, vocab[i]) == 0;
        if (!known) {
            printf("  fts5 has the term '%s', which no document was given\n", term);
            bad = 1;
        }
        n_terms++;
        n_f5 += sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    for (int i = 0; i < N_WORDS; i++)
        n_used += used[i];
    if (n_terms != n_used || n_f5 != n_tokens) {
        printf("  fts5 has %d terms and %ld tokens; the documents %d and %ld\n", n_terms, n_f5,
               n_used, n_tokens);
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* ---- hand-made edge cases ---- */

static struct qn *phrase_of(const int *w, int n, int field)
{
    struct qn *p = qnew(QK_PHRASE, field);
    if (n > MAX_QWORDS)
        abort();
    memcpy(p->w, w, (size_t)n * sizeof *w);
    p->n_w = n;
    return p;
}

static struct qn *pair(int kind, struct qn *a, struct qn *b, int b_neg)
{
    struct qn *n = qnew(kind, FLD_ANY);
    add(n, a, 0);
    add(n, b, b_neg);
    return n;
}

static const struct gdoc *doc_with_long(int f, int min_words)
{
    for (uint32_t id = 1; id <= N_DOCS; id++)
        if (docs[id].is_live && docs[id].n[f] >= min_words)
            return &docs[id];
    abort();
}

static const struct gdoc *doc_with_repeat(int *at)
{
    for (uint32_t id = 1; id <= N_DOCS; id++)
        for (int i = 1; docs[id].is_live && i < docs[id].n[1]; i++)
            if (docs[id].w[1][i] == docs[id].w[1][i - 1]) {
                *at = i - 1;
                return &docs[id];
            }
    abort();
}

#define N_EDGE 24

/* Edge case k as a tree (n_qpool reset by the caller). */
static struct qn *edge_case(int k, const char **name)
{
    const int absent = ABSENT0, common = 0, mid = 30;
    struct qn *n;
    switch (k) {
    case 0: *name = "absent word"; return word(absent, FLD_ANY);
    case 1:
        *name = "absent word OR common word";
        return pair(QK_OR, word(absent, FLD_ANY), word(common, FLD_ANY), 0);
    case 2:
        *name = "common and absent word (relaxed)";
        return pair(QK_AND, word(common, FLD_ANY), word(absent, FLD_ANY), 0);
    case 3:
        *name = "common word without an absent one";
        return pair(QK_AND, word(common, FLD_ANY), word(absent + 1, FLD_ANY), 1);
    case 4: {
        *name = "phrase with an absent word";
        int w[2] = {common, absent};
        return phrase_of(w, 2, FLD_ANY);
    }
    case 5:
    case 6: {
        /* a title and the start of its abstract: longer than any title, and a phrase does not
         * run from one field into the next */
        *name = k == 5 ? "phrase longer than any title" : "phrase across two fields";
        const struct gdoc *d = doc_with_long(0, 8);
        int w[MAX_QWORDS], m = 0;
        for (int i = 0; i < d->n[0]; i++)
            w[m++] = d->w[0][i];
        for (int i = 0; i < 3; i++)
            w[m++] = d->w[1][i];
        return phrase_of(w, m, k == 5 ? FLD_TI : FLD_ANY);
    }
    case 7: {
        *name = "32-word phrase from an abstract";
        const struct gdoc *d = doc_with_long(1, 40);
        return phrase_of(d->w[1] + 5, 32, FLD_ANY);
    }
    case 8: {
        *name = "whole title as a title phrase";
        const struct gdoc *d = doc_with_long(0, 9);
        return phrase_of(d->w[0], d->n[0], FLD_TI);
    }
    case 9:
        *name = "word without itself";
        return pair(QK_AND, word(common, FLD_ANY), word(common, FLD_ANY), 1);
    case 10:
        *name = "OR without both its words";
        n = pair(QK_OR, word(mid, FLD_ANY), word(mid + 1, FLD_ANY), 0);
        n = pair(QK_AND, n, word(mid, FLD_ANY), 1);
        add(n, word(mid + 1, FLD_ANY), 1);
        return n;
    case 11:
        *name = "word without a group holding it";
        return pair(QK_AND, word(mid, FLD_ANY),
                    pair(QK_OR, word(mid + 5, FLD_ANY), word(mid, FLD_ANY), 0), 1);
    case 12: {
        *name = "phrase without its first word";
        int w[2] = {colloc[0][0], colloc[0][1]};
        return pair(QK_AND, phrase_of(w, 2, FLD_ANY), word(w[0], FLD_ANY), 1);
    }
    case 13:
        *name = "title word without the word anywhere";
        return pair(QK_AND, word(common, FLD_TI), word(common, FLD_ANY), 1);
    case 14:
        *name = "title word without the word in the title";
        return pair(QK_AND, word(common, FLD_TI), word(common, FLD_TI), 1);
    case 15:
        *name = "OR chain of 40 words";
        n = qnew(QK_OR, FLD_ANY);
        for (int i = 0; i < 40; i++)
            add(n, word(i * 9 + (i % 3 ? 0 : 7), FLD_ANY), 0);
        return n;
    case 16:
        *name = "OR chain of 40 rare, absent and title words";
        n = qnew(QK_OR, FLD_ANY);
        for (int i = 0; i < 40; i++)
            add(n, word(i < 24 ? RARE0 + i : i < 32 ? ABSENT0 + i - 24 : 100 + i, FLD_TI), 0);
        return n;
    case 17:
        *name = "OR chain of 16 phrases";
        n = qnew(QK_OR, FLD_ANY);
        for (int i = 0; i < 16; i++)
            add(n, phrase_of(colloc[i], colloc_n[i], i % 3), 0);
        return n;
    case 18:
        *name = "nested ORs three deep";
        n = pair(QK_OR, word(mid, FLD_ANY), word(mid + 1, FLD_ABS), 0);
        n = pair(QK_OR, word(mid + 2, FLD_TI), n, 0);
        n = pair(QK_OR, n, phrase_of(colloc[1], 2, FLD_ANY), 0);
        return pair(QK_AND, word(common + 1, FLD_ANY), n, 0);
    case 19:
        *name = "OR of groups with exclusions";
        return pair(QK_OR, pair(QK_AND, word(1, FLD_ANY), word(2, FLD_ANY), 1),
                    pair(QK_AND, word(3, FLD_TI), phrase_of(colloc[2], 2, FLD_ANY), 1), 0);
    case 20: {
        *name = "phrase of a repeated word";
        int at;
        const struct gdoc *d = doc_with_repeat(&at);
        return phrase_of(d->w[1] + at, 2, FLD_ABS);
    }
    case 21: {
        *name = "phrase a b a";
        int w[3] = {common, 1, common};
        return phrase_of(w, 3, FLD_ANY);
    }
    case 22:
        *name = "exclusion of an exclusion";
        n = pair(QK_AND, word(mid, FLD_ANY), word(mid + 1, FLD_ANY), 1);
        return pair(QK_AND, word(common, FLD_ANY), n, 1);
    default:
        *name = "group fields, innermost wins";
        n = pair(QK_AND, word(common, FLD_ABS), word(1, FLD_ANY), 0);
        n->field = FLD_TI;
        return pair(QK_AND, n, pair(QK_OR, word(2, FLD_ANY), word(3, FLD_TI), 0), 0);
    }
}

/* ---- hand-written pairs: rules of the language that a tree rendered with every parenthesis
 * never exercises (docs/QUERY.md). $0..$3 stand for words of decreasing frequency. ---- */

static const char *const text_cases[][3] = {
    {"OR binds tighter than the space", "$0 OR $1 $2 OR $3", "(($0) OR ($1)) AND (($2) OR ($3))"},
    {"exclusion taken out of an OR", "$1 OR -$0 OR $2", "(($1) OR ($2)) NOT ($0)"},
    {"exclusion before everything", "-$0 $1 OR $2", "(($1) OR ($2)) NOT ($0)"},
    {"double negation", "$3 -(-$1 -$2)", "($3) AND (($1) OR ($2))"},
    {"negated negation alone", "-(-$2)", "$2"},
    {"pipe without spaces", "$1|$3", "($1) OR ($3)"},
    {"stray ORs", "OR $1 OR OR $3 OR", "($1) OR ($3)"},
    {"unclosed group", "$0 ($1 OR $3", "($0) AND (($1) OR ($3))"},
    {"unclosed phrase", "$3 \"$0 $1", "($3) AND (\"$0 $1\")"},
    {"stray closing parenthesis", "$2) $1", "($2) AND ($1)"},
    {"lone dash", "$2 - $1", "($2) AND ($1)"},
    {"stop word among words", "$0 or $1", "($0) AND ($1)"},
    {"two field prefixes", "ti:abs:$3 $0", "({title abstract} : $3) AND ($0)"},
    {"upper-case field name", "TI:$1 $0", "(title : $1) AND ($0)"},
    {"field prefix followed by a space", "ti: $2", "$2"},
    {"field on a group with an exclusion", "ti:($0 -$1)", "(title : $0) NOT (title : $1)"},
    {"exclusion of a field group", "$0 -abs:($1 OR $2)",
     "($0) NOT ((abstract : $1) OR (abstract : $2))"},
    {"word's own field wins in a group", "ti:(abs:$1 $0)", "(abstract : $1) AND (title : $0)"},
};

static const int text_case_words[4] = {1, 6, 12, 25};

static void expand(struct out *o, const char *tpl)
{
    o->len = 0;
    o->s[0] = 0;
    char one[2] = {0, 0};
    for (const char *p = tpl; *p; p++) {
        if (*p == '$' && p[1] >= '0' && p[1] <= '3') {
            put(o, vocab[text_case_words[*++p - '0']]);
        } else {
            one[0] = *p;
            put(o, one);
        }
    }
}

/* ---- what the random queries exercise ---- */

struct shape {
    int has[6]; /* phrase, exclusion, field, OR, AND group, groups 3 deep */
};

static void shape_of(const struct qn *n, int depth, struct shape *sh)
{
    sh->has[0] |= n->kind == QK_PHRASE;
    sh->has[2] |= n->field != FLD_ANY;
    sh->has[3] |= n->kind == QK_OR;
    sh->has[4] |= n->kind == QK_AND && depth > 0;
    sh->has[5] |= depth >= 3;
    for (int i = 0; i < n->n_kids; i++) {
        sh->has[1] |= n->neg[i];
        int group = n->kid[i]->kind == QK_AND || n->kid[i]->kind == QK_OR;
        shape_of(n->kid[i], depth + group, sh);
    }
}

/* ---- known engine bugs (none yet): constructs skipped until the engine is fixed ---- */

static int known_bug(const struct qn *n)
{
    (void)n;
    return 0;
}

/* Random queries on the index of four commits, then more after merging it into one segment.
 * For a longer run by hand: PB_FTS5_SEED=n (another corpus and queries), PB_FTS5_QUERIES=n. */
#define N_RANDOM 600
#define MAX_SHOWN 5 /* failures described in full */

/* The edge cases and n_random random queries; returns the number of failures. */
static int run_queries(struct engines *e, int n_random, struct tally *t, int *n_shape)
{
    static struct out pb, f5;
    int n_failed = 0;
    for (int k = 0; k < N_EDGE && n_failed < MAX_SHOWN; k++) {
        n_qpool = 0;
        const char *name;
        struct qn *q = edge_case(k, &name);
        pb_render(&pb, q);
        f5_render(&f5, q);
        n_failed += compare(e, name, pb.s, f5.s, t) != 0;
    }
    for (size_t k = 0; k < sizeof text_cases / sizeof text_cases[0]; k++) {
        expand(&pb, text_cases[k][1]);
        expand(&f5, text_cases[k][2]);
        n_failed += compare(e, text_cases[k][0], pb.s, f5.s, t) != 0;
    }
    for (int k = 0; k < n_random && n_failed < MAX_SHOWN; k++) {
        struct qn *q = gen_query();
        if (known_bug(q)) {
            t->n_skipped++;
            continue;
        }
        struct shape sh = {{0}};
        shape_of(q, q->field != FLD_ANY, &sh);
        for (int i = 0; i < 6; i++)
            n_shape[i] += sh.has[i];
        pb_render(&pb, q);
        f5_render(&f5, q);
        char name[32];
        snprintf(name, sizeof name, "random query %d", k);
        n_failed += compare(e, name, pb.s, f5.s, t) != 0;
    }
    return n_failed;
}

static void test_matches_fts5(void)
{
    const char *seed = getenv("PB_FTS5_SEED"), *queries = getenv("PB_FTS5_QUERIES");
    int n_random = queries ? (int)strtol(queries, NULL, 10) : N_RANDOM;
    if (seed)
        rng ^= strtoull(seed, NULL, 10) * 0x2545f4914f6cdd1dull;
    make_vocab();
    make_collocations();
    char *dir = test_tmp_dir();
    struct engines e = {0};
    char err[256];
    CHECK_INT(build_corpus(&e, dir), 0);
    CHECK_INT(corpus_is_clean(&e), 0);
    struct tally t = {0};
    int n_shape[6] = {0};
    int n_failed = run_queries(&e, n_random, &t, n_shape);
    /* again on one segment without deleted documents */
    struct index_stats st;
    CHECK_INT(index_merge(e.ix, 1, err, sizeof err), 0);
    CHECK_INT(index_check(e.ix, err, sizeof err), 0);
    index_stats(e.ix, &st);
    CHECK_INT(st.segments, 1);
    CHECK_INT(st.deleted, 0);
    if (!n_failed)
        n_failed += run_queries(&e, n_random / 2, &t, n_shape);
    printf("  %d queries, %d matched something (%ld documents in all), %d relaxed, %d skipped; "
           "of the random ones %d with phrases, %d exclusions, %d fields, %d OR, %d AND groups, "
           "%d groups 3 deep\n",
           t.n_queries, t.n_nonempty, t.n_docs_matched, t.n_relaxed, t.n_skipped, n_shape[0],
           n_shape[1], n_shape[2], n_shape[3], n_shape[4], n_shape[5]);
    sqlite3_finalize(e.match);
    sqlite3_close(e.db);
    index_close(e.ix);
    test_remove_dir(dir);
    for (uint32_t id = 1; id <= N_DOCS; id++)
        for (int f = 0; f < 2; f++) {
            xfree(docs[id].text[f]);
            docs[id].text[f] = NULL;
        }
    CHECK_INT(n_failed, 0);
    /* the comparison means something only if many queries match some documents, not all */
    CHECK(t.n_nonempty * 2 > t.n_queries);
}

TEST_MAIN(T(test_vocabulary_is_stable), T(test_matches_fts5))
