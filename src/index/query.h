/* Query language: user text -> a tree of terms, phrases, AND/OR/NOT, fields and date filters.
 * This is syntax only: words stay as the user typed them and are tokenised by the evaluator
 * (src/index/search.c), so the tokeniser is the one place that decides what a term is.
 * The language is documented in docs/QUERY.md and `paperboy search --help`. */
#ifndef PB_INDEX_QUERY_H
#define PB_INDEX_QUERY_H

#include <stddef.h>

#include "../util/err.h"

#define QUERY_MAX_BYTES 4096 /* longer queries are refused with an error */
#define QUERY_MAX_NODES 256  /* words, phrases and operators together */
#define QUERY_MAX_DEPTH 16   /* nesting of parentheses */

/* Field bits; 0 in qnode.fields means "the default fields" (all text fields). */
enum query_field {
    QF_TITLE = 1 << 0,
    QF_ABSTRACT = 1 << 1,
    QF_AUTHORS = 1 << 2,
    QF_CATEGORIES = 1 << 3,
    QF_ID = 1 << 4,
    QF_COMMENT = 1 << 5,
};

enum qnode_kind {
    QN_WORD,   /* text: one word as typed (may still hold punctuation: "GPT-4", "k-means") */
    QN_PHRASE, /* text: the words between double quotes, as typed */
    QN_AND,    /* kids: all must match (the implicit operator between clauses) */
    QN_OR,     /* kids: any may match */
    QN_NOT,    /* one kid that must not match; only ever a kid of QN_AND */
};

struct qnode {
    enum qnode_kind kind;
    unsigned fields; /* QF_* bits from a field prefix, or 0 */
    char *text;      /* QN_WORD, QN_PHRASE: NUL-terminated UTF-8 */
    struct qnode **kids;
    size_t n_kids;
};

struct query {
    struct qnode *root; /* NULL when the query has only filters (or nothing) */
    char after[11];     /* "YYYY-MM-DD" inclusive lower bound on the paper date, or "" */
    char before[11];    /* "YYYY-MM-DD" inclusive upper bound, or "" */
    char jump_id[64];   /* canonical id when the whole query is one arXiv id in any form, or "" */
};

enum {
    QUERY_PLAIN = 1, /* no operators: every white-space separated word is a QN_WORD, all under
                        one QN_OR (the batch mode for evaluation runs) */
};

/* Parses text[0..len) (any bytes). On success *out is a new query the caller frees with
 * query_free. On error returns PB_EINVAL (or PB_ETOOBIG past a limit) and writes a message
 * naming what and where ("unbalanced '(' at byte 7") into err[0..err_len). Thread-safe. */
PB_MUST_CHECK int query_parse(const char *text, size_t len, unsigned flags, struct query **out,
                              char *err, size_t err_len);
void query_free(struct query *q);

/* Writes a canonical S-expression of the tree ("(and (word foo) (not (phrase \"a b\")))") for
 * tests and `paperboy search --explain`. Returns a new string the caller frees. */
char *query_to_string(const struct query *q);

#endif
