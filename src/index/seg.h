/* Segments: one immutable file of an inverted index (private to src/index).
 * segment.c writes them (from documents or by merging segments) and reads them via mmap; the
 * format is documented at the top of segment.c and in docs/INDEX_FORMAT.md. */
#ifndef PB_INDEX_SEG_H
#define PB_INDEX_SEG_H

#include <stddef.h>
#include <stdint.h>

#include "index.h"

#define SEG_BLOCK 128       /* documents per postings block */
#define SEG_DOC_END UINT32_MAX

/* Little-endian host layout (x86-64, aarch64); sizes checked with static asserts. */
/* flags of struct seg_header */
#define SEG_DOCIDS_DENSE 1u  /* docid of document d is docid_base + d: no docids column */
#define SEG_DOCIDS_SORTED 2u /* docids increase with d: no pids section (search the docids) */
#define SEG_DAYS16 4u        /* days are u16: 0 unknown (INT32_MIN), else day_base + v - 1 */
#define SEG_NORMS_CONST(f) (8u << (f)) /* field f's length codes are all equal: one byte */
#define SEG_NORMS_CONST_ALL (((1u << IF_COUNT) - 1) << 3)

struct seg_header {
    char magic[8]; /* "PBSEG06\n" */
    uint32_t n_docs, n_terms, n_blocks, n_groups;
    uint32_t flags, docid_base;
    int32_t day_base;
    uint32_t pad;
    uint64_t len_sum[IF_COUNT]; /* total tokens per field, for average lengths */
    /* the reference BM25F parameters the block maxima were computed with */
    float ref_weight[IF_COUNT], ref_b[IF_COUNT], ref_avglen[IF_COUNT];
    uint64_t off_docs, off_pids, off_dict, off_strings, off_blocks, off_post, off_pos, off_end;
    uint64_t checksum; /* of bytes [sizeof header, off_end) */
};

struct seg_doc {
    uint32_t docid;
    int32_t day;
    uint8_t norm[IF_COUNT]; /* quantised field length (seg_norm_encode) */
    uint8_t pad[2];
};

struct seg_pid {
    uint32_t docid, docnum;
};

/* A dictionary entry, as decoded (on disk the dictionary is prefix-compressed: segment.c).
 * A term with one posting keeps it in the dictionary ("inline"): inl_pos is then set, and
 * post_off, pos_off and max_tfc mean nothing until seg_cursor_init computes max_tfc. */
struct seg_term {
    uint32_t df;
    uint32_t block0, n_blocks; /* blocks section index of the first block when n_blocks > 1 */
    uint64_t post_off, pos_off;
    float max_tfc; /* highest reference tfc over the term's postings (see seg_block) */
    uint8_t fields; /* union of field masks */
    uint8_t len;
    char str[256]; /* the term, NUL-terminated */
    uint32_t inl_doc;          /* inline posting: its document number, */
    uint32_t inl_tf[IF_COUNT]; /* its tf per field, */
    const uint8_t *inl_pos;    /* and its position varints (in the mapped dictionary), */
    uint32_t inl_p1;           /* or, when not 0, its one position + 1 (no varints) */
};

/* The sparse index over the dictionary: one entry per group of SEG_DICT_GROUP terms. */
#define SEG_DICT_GROUP 32
struct seg_dgroup {
    uint32_t data_off; /* where the group starts in the dictionary data */
    uint32_t block0;   /* blocks section index of the group's first multi-block term */
};

/* max_tfc: the highest tfc = sum_f ref_weight_f * tf_f / (1 - ref_b_f + ref_b_f * len_f /
 * ref_avglen_f) of the block's postings, with the reference parameters of the header. A query
 * with other parameters scales it by the largest ratio of its per-field factors to these, so
 * it stays an upper bound, and is exact when the parameters agree. */
struct seg_block {
    uint32_t last_doc;
    uint32_t post_off, pos_off; /* relative to the term's post_off / pos_off */
    float max_tfc;
};

/* ref_inv[f][code] = ref_weight_f / (1 - ref_b_f + ref_b_f * len(code) / ref_avglen_f). */
void seg_ref_factors(const struct seg_header *h, float ref_inv[IF_COUNT][256]);

struct seg {
    char *path;
    const uint8_t *map;
    size_t map_len;
    const struct seg_header *h;
    /* the documents, by column: a query touches only the length codes of the fields it
     * scores (1 byte per document: they stay in cache), dates only with a date filter */
    const uint32_t *docids; /* NULL with SEG_DOCIDS_DENSE: seg_docid */
    const int32_t *days;    /* NULL with SEG_DAYS16: days16 instead; seg_day */
    const uint16_t *days16;
    const uint8_t *norms[IF_COUNT];
    uint8_t *norm_fill[IF_COUNT]; /* owned: a constant column spread (SEG_NORMS_CONST) */
    const struct seg_pid *pids; /* NULL with SEG_DOCIDS_SORTED */
    const struct seg_dgroup *groups;
    uint32_t n_groups;
    const uint8_t *dict; /* dictionary data */
    size_t dict_len;
    const struct seg_block *blocks; /* unpacked from the file when the segment is opened */
    struct seg_block *blocks_fill;  /* owned: the blocks of a segment */
    const uint8_t *post, *pos;
    size_t post_len, pos_len;
    float ref_inv[IF_COUNT][256]; /* seg_ref_factors of the header */
};

/* The caller's id of document d of s. */
static inline uint32_t seg_docid(const struct seg *s, uint32_t d)
{
    return s->docids ? s->docids[d] : s->h->docid_base + d;
}

/* The day of document d of s (INT32_MIN: unknown). */
static inline int32_t seg_day(const struct seg *s, uint32_t d)
{
    if (s->days)
        return s->days[d];
    return s->days16[d] ? s->h->day_base + (int32_t)s->days16[d] - 1 : INT32_MIN;
}

/* Document d of s as one record. */
static inline void seg_doc_at(const struct seg *s, uint32_t d, struct seg_doc *out)
{
    out->docid = seg_docid(s, d);
    out->day = seg_day(s, d);
    for (int f = 0; f < IF_COUNT; f++)
        out->norm[f] = s->norms[f][d];
    out->pad[0] = out->pad[1] = 0;
}

/* The checksum of the header: of a segment's bytes after it. */
uint64_t seg_checksum(const uint8_t *p, size_t n);

/* Length codes: exact below 16, then 8 steps per doubling; decode gives a lower bound. */
uint8_t seg_norm_encode(uint32_t len);
uint32_t seg_norm_decode(uint8_t code);

PB_MUST_CHECK int seg_open(const char *path, struct seg **out, char *err, size_t err_len);
void seg_close(struct seg *s);
/* Full verification (checksum, order, decodability, block maxima). */
PB_MUST_CHECK int seg_check(const struct seg *s, char *err, size_t err_len);
/* Dictionary lookup: 1 and *out filled if present, else 0. */
int seg_find(const struct seg *s, const char *term, size_t len, struct seg_term *out);

/* Walks the dictionary in order. */
struct seg_term_iter {
    const struct seg *s;
    uint32_t group, in_group, block_next;
    uint32_t inl_prev; /* the document of the group's previous inline term */
    const uint8_t *p;
    struct seg_term cur;
};
void seg_term_iter_init(struct seg_term_iter *it, const struct seg *s);
/* 1: it->cur holds the next term; 0: no more; -1: the dictionary is damaged. */
int seg_term_iter_next(struct seg_term_iter *it);
/* Document number of docid or -1. */
int64_t seg_docnum(const struct seg *s, uint32_t docid);

/* A postings cursor over one term of one segment. */
struct seg_cursor {
    const struct seg *s;
    struct seg_term t;
    const struct seg_block *blocks; /* the term's blocks: in the file, or `one` */
    struct seg_block one;           /* the block of a term with one block (not stored) */
    uint32_t blk;    /* current block (index within the term) */
    uint32_t n, i;   /* docs decoded in the block, current index */
    uint32_t doc;    /* current docnum or SEG_DOC_END */
    uint32_t docs[SEG_BLOCK];
    /* masks and tfs of the block, valid once has_tf (seg_cursor_load): posting k is in the
     * fields of masks[k], with tf - 1 in tfv[tfo[k] ...], one per field, low bit first */
    int has_tf;
    const uint8_t *tf_p; /* where they are encoded */
    uint8_t masks[SEG_BLOCK];
    uint8_t mexp[64]; /* a palette entry (the bits of the term's fields) -> its field mask */
    uint16_t tfo[SEG_BLOCK + 1];
    uint32_t tfv[SEG_BLOCK * IF_COUNT];
    int is_damaged;         /* a block or its positions did not decode (seg_check reports it) */
    const uint8_t *blk_end; /* the byte after the current block's postings (seg_check) */
    /* positions, located lazily: the block's, each field's values in it and their count */
    const uint8_t *pos_blk;
    int pos_located;
    const uint8_t *pos_f[IF_COUNT];
    uint32_t pos_n[IF_COUNT];
    /* per field: the values of postings before pf_i number pf_start */
    uint32_t pf_i[IF_COUNT], pf_start[IF_COUNT];
    /* per field: the last block of PACK_MAX values decoded (UINT32_MAX: none), the next one */
    uint32_t ch_idx[IF_COUNT];
    const uint8_t *ch_next[IF_COUNT];
    uint32_t chunk[IF_COUNT][SEG_BLOCK];
};

void seg_cursor_init(struct seg_cursor *c, const struct seg *s, const struct seg_term *t);
/* Moves to the first posting with docnum >= target; returns it or SEG_DOC_END. */
uint32_t seg_cursor_advance(struct seg_cursor *c, uint32_t target);
static inline uint32_t seg_cursor_next(struct seg_cursor *c)
{
    return seg_cursor_advance(c, c->doc == SEG_DOC_END ? SEG_DOC_END : c->doc + 1);
}
/* Decodes the field masks and tfs of the current block: a block is first decoded only as far
 * as its document numbers, which is all that skipping over it needs. Call before reading
 * masks or tf. */
void seg_cursor_load_tf(struct seg_cursor *c);
static inline void seg_cursor_load(struct seg_cursor *c)
{
    if (!c->has_tf)
        seg_cursor_load_tf(c);
}
extern const uint8_t seg_popcount6[64];

/* The tf of posting k of the block (loaded) in field f, which its mask must include. */
static inline uint32_t seg_cursor_tf_in(const struct seg_cursor *c, uint32_t k, int f)
{
    return c->tfv[c->tfo[k] + seg_popcount6[c->masks[k] & ((1u << f) - 1)]] + 1;
}

/* The tf of posting k of the block (loaded) in field f; 0 when it is not in f. */
static inline uint32_t seg_cursor_tf(const struct seg_cursor *c, uint32_t k, int f)
{
    return c->masks[k] >> f & 1 ? seg_cursor_tf_in(c, k, f) : 0;
}

/* The block holding target without decoding it ("shallow advance"); returns its index or
 * n_blocks when past the end. */
uint32_t seg_cursor_block_of(const struct seg_cursor *c, uint32_t target);
/* Positions of the current posting in field f, written to out (at most max); returns count. */
size_t seg_cursor_positions(struct seg_cursor *c, int field, uint32_t *out, size_t max);

/* A document's own id (its id field's text, when that is one term as tokenised) is not in the
 * dictionary: a search resolves it through index_search_opts.id_lookup and reads it as the
 * posting the dictionary would have held, tf 1 in IF_ID at position 0.
 * seg_id_term: that posting of document docnum alone, as an inline term (nothing allocated).
 * seg_view_with_id: the union of term t's postings in s and that posting, encoded in memory in
 * the segment's format; a cursor reads it with seg_cursor_init(c, &v->s, &v->t). Free it with
 * seg_view_free once its cursors are done. */
struct seg_view {
    struct seg s; /* a copy of the segment's, with post, pos and blocks in memory */
    struct seg_term t;
};
void seg_id_term(const struct seg *s, uint32_t docnum, struct seg_term *out);
/* 1 if term t of s has a posting in document docnum, else 0. */
int seg_term_has(const struct seg *s, const struct seg_term *t, uint32_t docnum);
struct seg_view *seg_view_with_id(const struct seg *s, const struct seg_term *t, uint32_t docnum);
void seg_view_free(struct seg_view *v);

/* Writer: collects documents in memory, then writes one segment. */
struct seg_writer;
struct seg_writer *seg_writer_new(void);
void seg_writer_free(struct seg_writer *w);
void seg_writer_add(struct seg_writer *w, const struct index_doc *doc);
size_t seg_writer_docs(const struct seg_writer *w);
size_t seg_writer_bytes(const struct seg_writer *w); /* memory held, for spilling */
/* Writes the segment to path (via path.tmp, fsync, rename). 0 or PB_EIO. */
PB_MUST_CHECK int seg_writer_write(struct seg_writer *w, const char *path, char *err,
                                   size_t err_len);

/* Merges the live documents of segs[0..n) (live[i] is a bitmap of deleted docnums or NULL)
 * into a new segment at path, documents in input order. */
PB_MUST_CHECK int seg_merge(struct seg *const *segs, const uint8_t *const *deleted, size_t n,
                            const char *path, char *err, size_t err_len);

/* A tokeniser from the index's pool (thread-safe), and its return. */
struct tokenizer;
struct tokenizer *index_tokenizer_get(struct index *ix);
void index_tokenizer_put(struct index *ix, struct tokenizer *t);

/* The open segments of an index (index.c), for search.c. */
size_t index_n_segs(const struct index *ix);
const struct seg *index_seg(const struct index *ix, size_t i, const uint8_t **deleted);

#endif
