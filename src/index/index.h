/* The search index: BM25F over an inverted index of immutable, memory-mapped segments in a
 * directory beside the database ("paperboy.db.index/"). Documents are numbered by the caller
 * (paperboy uses the store's pid). Adding a document that is already indexed replaces it.
 * A batch of adds and deletes is published atomically by rewriting the MANIFEST; a crash at any
 * point leaves the previous MANIFEST and its files intact. No SQLite and no HTTP in here: the
 * glue that feeds papers from the store lives in src/cli/index.c.
 * On-disk format: docs/INDEX_FORMAT.md and the comment at the top of segment.c. */
#ifndef PB_INDEX_INDEX_H
#define PB_INDEX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "query.h"

/* Indexed fields; the numbering matches the QF_* bits of query.h (bit = 1 << field). */
enum index_field {
    IF_TITLE,
    IF_ABSTRACT,
    IF_AUTHORS,    /* "\n"-separated names, tokenised as names, with a position gap between */
    IF_CATEGORIES, /* space-separated codes; "cs.LG" also indexes its archive "cs" */
    IF_ID,
    IF_COMMENT,
    IF_COUNT
};

/* text[IF_ID] is the document's id. When it is one term as the id field is tokenised (no white
 * space, no upper-case ASCII: "2503.11731", "beir:4983"), that term is not stored: searches
 * find the document by that id through index_search_opts.id_lookup. Any other id text is
 * indexed as usual. */
struct index_doc {
    uint32_t docid; /* caller's number, unique in the index */
    int32_t day;    /* days since 1970-01-01 of the paper's date (date filters), or INT32_MIN */
    const char *text[IF_COUNT]; /* may be NULL */
    size_t len[IF_COUNT];
};

struct index;

enum { INDEX_WRITE = 1 }; /* open for writing: takes the directory's writer lock */

/* Opens (creating when INDEX_WRITE and it does not exist) the index in directory dir.
 * Returns 0; PB_ENOTFOUND if it does not exist (read-only); PB_EBUSY if another writer holds
 * the lock; PB_EFORMAT/PB_EIO if the MANIFEST or a segment is damaged (the caller may rebuild).
 * A message goes to err. An open index is a consistent snapshot; index_refresh moves it on. */
PB_MUST_CHECK int index_open(const char *dir, int flags, struct index **out, char *err,
                             size_t err_len);
void index_close(struct index *ix);
/* Re-reads the MANIFEST if another process published since; 0 or an error as index_open. */
PB_MUST_CHECK int index_refresh(struct index *ix, char *err, size_t err_len);
/* The caller's sequence number stored by the last index_commit (the store's change counter). */
uint64_t index_seq(const struct index *ix);

/* Writing (INDEX_WRITE only; one writer per directory, not thread-safe).
 * index_add/index_delete collect changes in memory (spilling full segments to disk as they
 * grow); nothing is visible until index_commit publishes all of them with seq. A docid must not
 * be added twice between two commits; deleting one added in the same batch is fine (it is then
 * never visible). index_rollback drops the uncommitted changes. */
void index_add(struct index *ix, const struct index_doc *doc);
void index_delete(struct index *ix, uint32_t docid);
PB_MUST_CHECK int index_commit(struct index *ix, uint64_t seq, char *err, size_t err_len);
void index_rollback(struct index *ix);
/* Removes every document (a rebuild starts with this); takes effect at the next commit. */
void index_clear(struct index *ix);
/* Merges segments until at most max_segments remain (1 = optimise fully). Publishes the result
 * like a commit. Returns 0 or an error. */
PB_MUST_CHECK int index_merge(struct index *ix, int max_segments, char *err, size_t err_len);

/* Verifies every structure of every segment (checksums, sorted dictionary, postings decode in
 * order, block maxima hold, positions in range, deletions in range) and the MANIFEST. Returns 0,
 * or PB_EFORMAT with the first problem in err. */
PB_MUST_CHECK int index_check(struct index *ix, char *err, size_t err_len);

struct index_stats {
    uint64_t docs;         /* live documents */
    uint64_t deleted;      /* deleted but not yet merged away */
    uint64_t terms;        /* dictionary entries summed over segments */
    uint64_t segments;
    uint64_t bytes;        /* on disk */
    uint64_t seq;
};
void index_stats(const struct index *ix, struct index_stats *st);

/* Ranking parameters; index_params_default gives the tuned defaults (docs/BENCHMARKS.md). */
struct index_params {
    float k1;
    float b[IF_COUNT];
    float weight[IF_COUNT];
    /* Term proximity (a disjunction of words only): the best prox_depth hits are re-scored
     * with prox times a bonus for query terms close together in the title or abstract
     * (Buettcher, Clarke and Lushman, SIGIR 2006). prox = 0: off. */
    float prox;
    unsigned prox_depth;
    /* Pseudo-relevance feedback (a disjunction of words, with index_search_opts.doc_text):
     * the prf_terms most frequent terms of the best prf_docs hits join the query with
     * prf_weight of its weight, the original words keep 1 - prf_weight (RM3, Lavrenko and
     * Croft 2001; Abdul-Jaleel et al. 2004). prf_docs = 0: off. */
    unsigned prf_docs, prf_terms;
    float prf_weight;
};
void index_params_default(struct index_params *p);

struct index_hit {
    uint32_t docid;
    float score;
};

/* The docid of the document whose id (index_doc.text[IF_ID]) is exactly id[0..len): 1 and
 * *docid set, or 0 when there is none. Called from index_search, in its thread, once per
 * distinct term of the query (a term not shaped like an id is worth a quick 0). */
typedef int (*index_id_lookup_fn)(void *ctx, const char *id, size_t len, uint32_t *docid);

/* The title and abstract of document docid for pseudo-relevance feedback: 0 and *title,
 * *abstract set (NUL-terminated, either may be NULL, valid until the next call or until
 * index_search returns), or -1 when there is no such document. */
typedef int (*index_doc_text_fn)(void *ctx, uint32_t docid, const char **title,
                                 const char **abstract);

/* Every field's zero is its default or off state, so callers name only what they set
 * ({.k = 10, .id_lookup = f}) and a field added later needs no caller changed. */
struct index_search_opts {
    size_t k;      /* hits wanted (after offset) */
    size_t offset; /* hits to skip (pagination) */
    const struct index_params *params; /* NULL: defaults */
    int exhaustive; /* score every match, no dynamic pruning (tests compare the two) */
    /* resolves the documents' own ids (index_doc); NULL: id words match no document by its id
     * (they still match other text that holds them) */
    index_id_lookup_fn id_lookup;
    void *id_ctx;
    index_doc_text_fn doc_text; /* NULL: no pseudo-relevance feedback */
    void *text_ctx;
};

struct index_result {
    struct index_hit *hits; /* best first; owned by the result */
    size_t n_hits;
    uint64_t total;    /* matching documents (a lower bound when !total_exact) */
    int total_exact;   /* 0 when dynamic pruning skipped documents without counting them */
    int relaxed;       /* 1: no document had every word, so any word was enough */
    char **terms;      /* the distinct index terms the query looked up (for snippets) */
    size_t n_terms;
    struct index *ix;  /* the index searched: a result must be released before it is closed */
    struct tokenizer *tok;
};

/* Runs a parsed query (query.h): ranks the matching documents by BM25F and returns the top k
 * after offset. Free words are joined by AND; a query of free words only that matches nothing is
 * retried with OR (result.relaxed). A QN_OR root of words (QUERY_PLAIN) uses dynamic pruning
 * (block-max MaxScore). Thread-safe for concurrent readers of one open index. */
PB_MUST_CHECK int index_search(struct index *ix, const struct query *q,
                               const struct index_search_opts *opts, struct index_result *out,
                               char *err, size_t err_len);
void index_result_release(struct index_result *r);

/* A byte range [start, end) of a text. */
struct index_span {
    size_t start, end;
};

/* The snippet window [*win_start, *win_end) of text (about max_bytes, cut at spaces) holding
 * the most matches of the result's terms, and the matched ranges inside it (*spans, a new array
 * the caller frees; the count is returned). For callers that escape text (HTML). */
size_t index_snippet_spans(const struct index_result *r, const char *text, size_t len,
                           size_t max_bytes, size_t *win_start, size_t *win_end,
                           struct index_span **spans);

/* Tests: non-zero makes the two functions above and below tokenise whole texts, without the
 * prefilter that skips the pieces of text that cannot match (snippet.c). */
extern int index_snippet_whole_text;

/* Best snippet of text for the result's terms (uses the result's tokeniser: one thread at a
 * time per result): about max_bytes of the text around the densest
 * run of matches, the matches wrapped in mark_open/mark_close, "…" where cut. Caller frees. */
char *index_snippet(const struct index_result *r, const char *text, size_t len, size_t max_bytes,
                    const char *mark_open, const char *mark_close);

#endif
