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
/* Depth of a parsed tree (the root is at depth 1) is at most this: each level of parentheses
 * adds at most two levels (AND -> OR or AND -> NOT above the group), so an evaluator may recurse
 * without its own guard. */
#define QUERY_MAX_TREE_DEPTH (2 * QUERY_MAX_DEPTH + 3)

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

/* Invariants of every tree query_parse returns (query_check tests them):
 *  - QN_AND and QN_OR have >= 2 kids; an AND never has an AND kid, an OR never an OR kid.
 *  - QN_NOT has exactly 1 kid, which is not a NOT; a NOT is only ever a kid of an AND.
 *  - Every AND has at least one kid that is not a NOT (so an evaluator can always start from a
 *    set to rank and subtract the NOT kids); the root is never a NOT.
 *  - Leaves (WORD, PHRASE) have no kids and non-empty valid UTF-8 text without control
 *    characters; a WORD holds no white space; a PHRASE has single spaces between its words.
 *    Inner nodes have text NULL and fields 0 (a prefix on a group is pushed down to its leaves).
 *  - At most QUERY_MAX_NODES nodes and QUERY_MAX_TREE_DEPTH levels.
 *  - With QUERY_PLAIN: root is NULL, one WORD, or an OR of WORDs; fields 0; no filters, no jump.
 *  - A WORD with fields == QF_ID that is an arXiv id in any form holds the canonical id (no
 *    version); every other word is as typed. */
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
                        one QN_OR (the batch mode for evaluation runs). Never fails: only the
                        first QUERY_MAX_NODES - 1 words within the first QUERY_MAX_BYTES bytes
                        are kept, so the tree, OR included, stays within the node limit */
};

/* Parses text[0..len) (any bytes). On success *out is a new query the caller frees with
 * query_free. On error returns PB_EINVAL (or PB_ETOOBIG past a limit) and writes a message
 * naming what and where ("after: wants a date as YYYY-MM-DD, YYYY-MM or YYYY, not '2025-13'
 * (at byte 7)") into err[0..err_len). Thread-safe.
 * The errors: PB_ETOOBIG for more than QUERY_MAX_BYTES bytes, more than QUERY_MAX_NODES nodes
 * in the simplified tree or parentheses nested deeper than QUERY_MAX_DEPTH; PB_EINVAL for a
 * date that is not a day, a negated date filter, date filters that exclude every date, and a
 * query of nothing but exclusions. Everything else is read leniently as docs/QUERY.md says
 * (unclosed quotes and parentheses close at the end, stray ')' and OR are ignored), and a query
 * of nothing (or of only filters) succeeds with root NULL. err (valid UTF-8, NUL-terminated
 * when err_len > 0) is set to "" on success; err may be NULL. *out is NULL on error. */
PB_MUST_CHECK int query_parse(const char *text, size_t len, unsigned flags, struct query **out,
                              char *err, size_t err_len);
void query_free(struct query *q);

/* Writes a canonical S-expression of the tree ("(and (word foo) (not (phrase \"a b\")))") for
 * tests and `paperboy search --explain`. Returns a new string the caller frees. Thread-safe.
 * The exact format, which tests and tools may rely on:
 *   node   := "(and " node (" " node)+ ")" | "(or " node (" " node)+ ")" | "(not " node ")"
 *           | "(word " [fields " "] text ")" | "(phrase " [fields " "] qtext ")"
 *   fields := names of the set bits joined by "|", in the order ti|abs|au|cat|id|co
 *   text   := the word as is when it holds none of  ( ) " \  and no space; else qtext
 *   qtext  := '"' the text with '\' before every '"' and '\' '"'
 * followed by, each preceded by one space when something came before it, "after:YYYY-MM-DD",
 * "before:YYYY-MM-DD", "jump:ID" for the filters that are set. An empty query gives "".
 * Example: (and (word ti graph) (or (word a) (word b)) (not (phrase "x y"))) after:2025-01-01 */
char *query_to_string(const struct query *q);

/* Checks the invariants above on q as returned by query_parse with flags; returns 0, or
 * PB_EINVAL with a static reason in *why (tests and fuzz targets call it after every parse). */
PB_MUST_CHECK int query_check(const struct query *q, unsigned flags, const char **why);

/* The language in brief, as `paperboy search --help` prints it (docs/QUERY.md is the long
 * version). Plain text lines of at most 79 columns, ending with a newline. */
extern const char query_help[];

#endif
