/* Segment files: writing (from documents or by merging), reading via mmap, cursors, checking.
 *
 * Format (little-endian host layout, every section 8-byte aligned; docs/INDEX_FORMAT.md):
 *   header   struct seg_header: magic "PBSEG06\n", counts, flags, per-field length sums,
 *            section offsets, and a 64-bit checksum of everything after the header
 *   post     per term with two postings or more, its blocks of SEG_BLOCK postings; a block
 *            of n postings is: the document gaps (docnum - previous - 1; the first of the
 *            term counts from -1, the first of a block from the previous block's last_doc)
 *            as one packed block (pack.c); when the term is in more than one field, a byte
 *            k | MASKS_PACKED if the indexes are packed, a palette of k field masks (most
 *            frequent first; each as its bits within the term's fields, m = popcount(fields)
 *            bits, low field first, k * m bits by pack_bits) and one index into it per
 *            posting: ceil(log2 k) bits each
 *            (pack_bits) or, with MASKS_PACKED, one packed block (pack_encode), whichever is
 *            smaller; none when k = 1; then tf - 1 per posting per field of its mask, low bit
 *            first, as packed blocks of PACK_MAX values
 *   pos      per such term, per block: for each field in bit order, the positions of the
 *            block's postings in that field, in posting order, as packed blocks of PACK_MAX
 *            values: a posting's first position as is, each next one as the gap minus 1
 *   docs     by column: n_docs u32 caller's docids (absent with SEG_DOCIDS_DENSE), n_docs
 *            days (u16 with SEG_DAYS16: 0 unknown, else day_base + v - 1; i32 otherwise), then
 *            for each field the quantised lengths (seg_norm_encode): one u8 when
 *            SEG_NORMS_CONST(f) (every document has that code: the id field), else a u8 base
 *            (the lowest code), a u8 width w (1..8) and each code minus base at w bits
 *            (pack_bits); the reader unpacks them into a byte per document
 *   pids     n_docs struct seg_pid (docid, docnum) sorted by docid, for replacing documents;
 *            empty with SEG_DOCIDS_SORTED (the docids column is then searched)
 *   dict     n_groups struct seg_dgroup: the sparse index of the dictionary, one entry per
 *            SEG_DICT_GROUP terms (offset of the group's data, its first block index)
 *   terms    the dictionary data, terms in byte order (not compounds, TOKEN_COMPOUND: a
 *            query reads them as the phrase of their parts; not a document's own id, when
 *            its id field is that one term: a query resolves it through the caller's
 *            id_lookup, seg_id_term), per term: the shared-prefix length p
 *            with the previous term of its group (0 for a group's first) and the suffix
 *            length s as one byte p << 4 | s when both are below 16, else a 0 byte and two
 *            varints; the suffix; a kind byte. A term with one posting keeps it in the entry
 *            (DICT_INLINE): its docnum is a varint of the zigzag delta from the previous such
 *            term's docnum in the group (0 for the group's first). When it is tf 1 in one field
 *            the kind byte is DICT_INLINE | DICT_TF1 | q << 3 | field, then the docnum, then,
 *            if q = 0, the position as a varint (q > 0: the position is q - 1). Otherwise the
 *            kind byte is the field mask | DICT_INLINE, then the docnum, one varint tf per
 *            field of the mask and the positions as varints, field by field, coded as in pos.
 *            A term with more postings has the kind byte = its field mask, then varint df
 *            (>= 2), varint64 postings offset and varint64 positions offset (deltas from the
 *            previous such term of the group; the first is absolute), and max_tfc as a
 *            bfloat16 rounded up (2 bytes). An
 *            inline term's max_tfc is recomputed from its posting when a cursor opens it.
 *            A term with df > SEG_BLOCK has ceil(df / SEG_BLOCK) entries in blocks, taken in
 *            term order from the group's first block index; a smaller term's one block is
 *            implied (offsets 0, its max_tfc the term's)
 *   blocks   per postings block of the terms with more than one, in term order: a byte,
 *            the block's highest reference score factor (the block-max bound of dynamic
 *            pruning; seg.h) rounded up to a code (block_max_code: 16 steps per doubling,
 *            BLOCK_MAX_OVER past 248, where the term's max_tfc bounds it); then for a term's
 *            first block a varint64 last_doc << 1 | 1 (its offsets are 0), for the others a
 *            varint64 (last_doc - the previous block's - 1) << 1 and varints of the postings
 *            offset's delta from the previous block's (>= 1) and the positions offset's. The
 *            reader unpacks them into struct seg_block when it opens the segment
 * The writer keeps postings in memory in a simpler byte format (tb_add: varint gap, then one
 * byte field << 4 | tf, or 0xFF, a mask byte and varint tfs; varint position deltas) and
 * converts each term to the file's format as it writes it (out_term).
 * Files are written to NAME.tmp, checksummed, fsync'ed and renamed: a segment either exists
 * complete or not at all. */
#include "seg.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/alloc.h"
#include "pack.h"
#include "token.h"

static const char SEG_MAGIC[8] = {'P', 'B', 'S', 'E', 'G', '0', '6', '\n'};

/* the byte after a dictionary entry's term: the field mask and these */
#define DICT_INLINE 0x40 /* the term's one posting follows in the entry */
/* ... and it is tf 1 in one field: the byte is then DICT_INLINE | DICT_TF1 | q << 3 | field,
 * q = 1 + the position when it is below DICT_TF1_POS (no position varint follows), else 0 */
#define DICT_TF1 0x80
#define DICT_TF1_POS 7

/* the byte before a block's mask palette: its size k, and this when the indexes are a packed
 * block (pack_encode) rather than k - 1 bits each */
#define MASKS_PACKED 0x80

_Static_assert(sizeof(struct seg_header) == 8 + 32 + 8 * IF_COUNT + 12 * IF_COUNT + 8 * 8 + 8,
               "header");
_Static_assert(sizeof(struct seg_doc) == 16, "doc");
_Static_assert(sizeof(struct seg_dgroup) == 8, "group");
_Static_assert(sizeof(struct seg_block) == 16, "block");

static void seterr(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || !err_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* ---- length codes ---- */

uint8_t seg_norm_encode(uint32_t len)
{
    if (len < 16)
        return (uint8_t)len;
    int bits = 32 - __builtin_clz(len); /* >= 5 */
    int shift = bits - 4;
    uint32_t mant = len >> shift; /* 8..15 */
    uint32_t code = 16 + (uint32_t)(shift - 1) * 8 + (mant - 8);
    return code > 255 ? 255 : (uint8_t)code;
}

uint32_t seg_norm_decode(uint8_t code)
{
    if (code < 16)
        return code;
    uint32_t shift = (uint32_t)(code - 16) / 8 + 1;
    uint32_t mant = (uint32_t)(code - 16) % 8 + 8;
    return mant << shift;
}

/* ---- varints ---- */

static inline size_t put_varint(uint8_t *p, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static inline const uint8_t *get_varint(const uint8_t *p, uint32_t *v)
{
    uint32_t x = *p++;
    if (x < 0x80) {
        *v = x;
        return p;
    }
    x &= 0x7f;
    int shift = 7;
    for (;;) {
        uint32_t b = *p++;
        x |= (b & 0x7f) << shift;
        if (b < 0x80 || shift >= 28)
            break;
        shift += 7;
    }
    *v = x;
    return p;
}

/* The byte after a document gap: (field << 4 | tf) for a posting in one field with tf <= 15,
 * else POST_ESCAPE followed by the field mask and one varint tf per field. */
#define POST_ESCAPE 0xFF

/* Decodes n postings of a block starting at p (prev: the docnum before the block). */
static const uint8_t *decode_postings(const uint8_t *p, uint32_t prev, uint32_t n, uint32_t *docs,
                                      uint8_t *masks, uint32_t (*tf)[IF_COUNT])
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t delta;
        p = get_varint(p, &delta);
        prev += delta;
        docs[i] = prev;
        unsigned b = *p++;
        memset(tf[i], 0, sizeof tf[i]);
        if (b != POST_ESCAPE) {
            unsigned f = (b >> 4) % IF_COUNT; /* % keeps a damaged byte in range */
            masks[i] = (uint8_t)(1u << f);
            tf[i][f] = b & 15;
            continue;
        }
        unsigned mask = *p++;
        masks[i] = (uint8_t)mask;
        while (mask) {
            int f = __builtin_ctz(mask);
            mask &= mask - 1;
            if (f >= IF_COUNT) /* a damaged file; seg_check reports it */
                break;
            p = get_varint(p, &tf[i][f]);
        }
    }
    return p;
}

void seg_ref_factors(const struct seg_header *h, float ref_inv[IF_COUNT][256])
{
    for (int f = 0; f < IF_COUNT; f++) {
        double avg = h->ref_avglen[f] > 0 ? h->ref_avglen[f] : 1.0;
        for (int c = 0; c < 256; c++) {
            double norm = 1.0 - h->ref_b[f] + h->ref_b[f] * seg_norm_decode((uint8_t)c) / avg;
            ref_inv[f][c] = (float)(h->ref_weight[f] / (norm > 1e-6 ? norm : 1e-6));
        }
    }
}

static float ref_tfc(const float ref_inv[IF_COUNT][256], const uint32_t tf[IF_COUNT],
                     const uint8_t norm[IF_COUNT])
{
    float x = 0;
    for (int f = 0; f < IF_COUNT; f++)
        if (tf[f])
            x += (float)tf[f] * ref_inv[f][norm[f]];
    return x;
}

/* ---- growable byte vectors ---- */

struct bytes {
    uint8_t *p;
    size_t len, cap;
};

static inline void bytes_reserve(struct bytes *b, size_t more)
{
    if (b->len + more > b->cap)
        b->p = xgrow(b->p, 1, b->len + more, &b->cap);
}

static inline void bytes_varint(struct bytes *b, uint32_t v)
{
    bytes_reserve(b, 5);
    b->len += put_varint(b->p + b->len, v);
}

static inline void bytes_byte(struct bytes *b, uint8_t v)
{
    bytes_reserve(b, 1);
    b->p[b->len++] = v;
}

/* ---- term builder: appends one term's postings, positions and blocks ---- */

struct tb {
    struct bytes post, pos;
    struct seg_block *blocks;
    size_t n_blocks, cap_blocks;
    struct seg_block cur;
    uint32_t df, prev, in_blk;
    uint8_t fields;
};

static void tb_init(struct tb *b)
{
    memset(b, 0, sizeof *b);
    b->prev = UINT32_MAX;
}

static void tb_release(struct tb *b)
{
    xfree(b->post.p);
    xfree(b->pos.p);
    xfree(b->blocks);
}

static void tb_reset(struct tb *b)
{
    struct tb keep = *b;
    tb_init(b);
    b->post.p = keep.post.p, b->post.cap = keep.post.cap;
    b->pos.p = keep.pos.p, b->pos.cap = keep.pos.cap;
    b->blocks = keep.blocks, b->cap_blocks = keep.cap_blocks;
}

static void tb_close_block(struct tb *b)
{
    if (!b->in_blk)
        return;
    b->cur.last_doc = b->prev;
    b->blocks = xgrow(b->blocks, sizeof *b->blocks, b->n_blocks + 1, &b->cap_blocks);
    b->blocks[b->n_blocks++] = b->cur;
    b->in_blk = 0;
}

/* One posting: docnum (> the previous), tf per field, positions of the set fields
 * concatenated in field order. */
static void tb_add(struct tb *b, uint32_t docnum, const uint32_t tf[IF_COUNT],
                   const uint32_t *positions)
{
    if (b->in_blk == 0) {
        memset(&b->cur, 0, sizeof b->cur);
        b->cur.post_off = (uint32_t)b->post.len;
        b->cur.pos_off = (uint32_t)b->pos.len;
    }
    bytes_varint(&b->post, docnum - b->prev);
    uint8_t mask = 0;
    for (int f = 0; f < IF_COUNT; f++)
        if (tf[f])
            mask |= (uint8_t)(1u << f);
    int single = !(mask & (mask - 1)), f1 = __builtin_ctz(mask);
    if (single && tf[f1] <= 15) {
        bytes_byte(&b->post, (uint8_t)(f1 << 4 | tf[f1])); /* one field, small tf: one byte */
    } else {
        bytes_byte(&b->post, POST_ESCAPE);
        bytes_byte(&b->post, mask);
        for (int f = 0; f < IF_COUNT; f++)
            if (tf[f])
                bytes_varint(&b->post, tf[f]);
    }
    const uint32_t *pp = positions;
    for (int f = 0; f < IF_COUNT; f++) {
        if (!tf[f])
            continue;
        uint32_t last = 0;
        for (uint32_t k = 0; k < tf[f]; k++) {
            bytes_varint(&b->pos, pp[k] - last);
            last = pp[k];
        }
        pp += tf[f];
    }
    b->fields |= mask;
    b->prev = docnum;
    b->df++;
    if (++b->in_blk == SEG_BLOCK)
        tb_close_block(b);
}

/* ---- segment output: post streamed to the file, pos to a side file, the rest in memory ---- */

struct seg_out {
    char *path, *tmp, *pos_tmp;
    FILE *f, *fpos;
    uint64_t post_len, pos_len;
    size_t n_terms;
    struct bytes dict;           /* dictionary data */
    struct seg_dgroup *groups;
    size_t n_groups, cap_groups;
    char prev[256];              /* previous term, for prefix compression */
    size_t prev_len;
    uint64_t prev_post, prev_pos;
    uint32_t prev_inl; /* the previous inline term's document in the group */
    struct seg_block *blocks;
    size_t n_blocks, cap_blocks;
    int failed;
    struct seg_header ref;        /* reference parameters (ref_* fields only) */
    float ref_inv[IF_COUNT][256]; /* seg_ref_factors of ref */
    const struct seg_doc *docs;   /* the documents' length codes, for block maxima, */
    const struct seg *norms_of;   /* or, when docs is NULL, this segment's */
    uint32_t dec_docs[SEG_BLOCK];
    uint8_t dec_masks[SEG_BLOCK];
    uint32_t dec_tf[SEG_BLOCK][IF_COUNT];
    struct bytes ep, eq;    /* the term's postings and positions in the file's encoding */
    uint32_t *fv[IF_COUNT]; /* a block's positions, per field, as stored (deltas) */
    size_t fv_n[IF_COUNT], fv_cap[IF_COUNT];
};

/* Sets the reference parameters: the default ranking parameters and these documents' average
 * field lengths. */
static void out_set_docs(struct seg_out *o, const struct seg_doc *docs, uint32_t n_docs,
                         const uint64_t len_sum[IF_COUNT])
{
    struct index_params p;
    index_params_default(&p);
    for (int f = 0; f < IF_COUNT; f++) {
        o->ref.ref_weight[f] = p.weight[f];
        o->ref.ref_b[f] = p.b[f];
        o->ref.ref_avglen[f] = n_docs ? (float)((double)len_sum[f] / n_docs) : 1.0f;
        if (o->ref.ref_avglen[f] <= 0)
            o->ref.ref_avglen[f] = 1.0f;
    }
    seg_ref_factors(&o->ref, o->ref_inv);
    o->docs = docs;
}

static int out_open(struct seg_out *o, const char *path, char *err, size_t err_len)
{
    memset(o, 0, sizeof *o);
    o->path = xstrdup(path);
    o->tmp = xasprintf("%s.tmp", path);
    o->pos_tmp = xasprintf("%s.pos.tmp", path);
    o->f = fopen(o->tmp, "wb+");
    o->fpos = o->f ? fopen(o->pos_tmp, "wb+") : NULL;
    if (!o->f || !o->fpos) {
        seterr(err, err_len, "cannot create '%s': %s", o->f ? o->pos_tmp : o->tmp,
               strerror(errno));
        return PB_EIO;
    }
    struct seg_header zero;
    memset(&zero, 0, sizeof zero);
    if (fwrite(&zero, sizeof zero, 1, o->f) != 1)
        o->failed = 1;
    return 0;
}

static void out_discard(struct seg_out *o)
{
    if (o->f)
        fclose(o->f);
    if (o->fpos)
        fclose(o->fpos);
    if (o->tmp)
        unlink(o->tmp);
    if (o->pos_tmp)
        unlink(o->pos_tmp);
    xfree(o->path);
    xfree(o->tmp);
    xfree(o->pos_tmp);
    xfree(o->dict.p);
    xfree(o->groups);
    xfree(o->blocks);
    xfree(o->ep.p);
    xfree(o->eq.p);
    for (int f = 0; f < IF_COUNT; f++)
        xfree(o->fv[f]);
    memset(o, 0, sizeof *o);
}

/* max_tfc in 16 bits (bfloat16), rounded up so it stays an upper bound. */
static uint16_t bf16_up(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    if (u & 0xFFFF)
        u += 0x10000;
    return (uint16_t)(u >> 16);
}

static float bf16_float(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, 4);
    return x;
}

/* A block maximum in one byte: code c stands for (1 + (c & 15) / 16) * 2^((c >> 4) - 8), 16
 * steps per doubling from 2^-8 to 248 (exact in a float: no libm rounding between machines),
 * 0 for 0 and BLOCK_MAX_OVER for anything above (the term's maximum bounds those blocks). */
#define BLOCK_MAX_OVER 255

static float block_max_decode(uint8_t c)
{
    if (c == BLOCK_MAX_OVER)
        return INFINITY;
    return c ? ldexpf(1.0f + (float)(c & 15) / 16.0f, (c >> 4) - 8) : 0.0f;
}

/* The smallest code whose value is >= x: rounded up, so it stays an upper bound. */
static uint8_t block_max_code(float x)
{
    if (x <= 0)
        return 0;
    if (!(x <= block_max_decode(BLOCK_MAX_OVER - 1)))
        return BLOCK_MAX_OVER;
    unsigned lo = 1, hi = BLOCK_MAX_OVER - 1; /* decode(hi) >= x */
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (block_max_decode((uint8_t)mid) >= x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint8_t)lo;
}

static inline void bytes_varint64(struct bytes *b, uint64_t v)
{
    bytes_reserve(b, 10);
    while (v >= 0x80) {
        b->p[b->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (uint8_t)v;
}

/* n values as a stream of packed blocks of PACK_MAX (the last one shorter). */
static void bytes_stream(struct bytes *b, const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i += PACK_MAX) {
        uint32_t k = n - i < PACK_MAX ? (uint32_t)(n - i) : PACK_MAX;
        bytes_reserve(b, PACK_BOUND(k));
        b->len += pack_encode(b->p + b->len, v + i, k);
    }
}

static inline unsigned width(uint32_t v)
{
    return v ? 32 - (unsigned)__builtin_clz(v) : 0;
}

/* A field mask within the term's fields as popcount(fields) bits (the fields' order kept), and
 * back. */
static uint32_t mask_compress(uint32_t mask, uint32_t fields)
{
    uint32_t c = 0, j = 0;
    for (int f = 0; f < IF_COUNT; f++)
        if (fields >> f & 1)
            c |= (mask >> f & 1) << j++;
    return c;
}

static inline uint8_t mask_expand(uint32_t c, uint32_t fields)
{
    uint32_t m = 0;
    for (; fields; fields &= fields - 1, c >>= 1)
        m |= (c & 1) << __builtin_ctz(fields);
    return (uint8_t)m;
}

/* Appends the block of n postings in o->dec_* (prev: the document before the block) to o->ep
 * and its positions (o->fv) to o->eq, in the file's encoding (top of this file). */
static void encode_block(struct seg_out *o, uint8_t fields, uint32_t prev, uint32_t n)
{
    uint32_t v[SEG_BLOCK];
    for (uint32_t i = 0; i < n; i++) {
        v[i] = o->dec_docs[i] - prev - 1;
        prev = o->dec_docs[i];
    }
    bytes_reserve(&o->ep, 2 * PACK_BOUND(n) + 2 + 64);
    o->ep.len += pack_encode(o->ep.p + o->ep.len, v, n);
    if (fields & (fields - 1)) {
        /* field masks: a palette of the block's distinct masks, most frequent first, then an
         * index per posting, at a fixed width or as a packed block, whichever is smaller
         * (one mask usually dominates: index 0 then costs no bits, the others are exceptions) */
        uint32_t cnt[64] = {0}, first[64];
        uint8_t idx_of[64], pal[64];
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++)
            if (!cnt[o->dec_masks[i]]++)
                first[o->dec_masks[i]] = i;
        for (uint32_t m = 0; m < 64; m++) {
            if (!cnt[m])
                continue;
            /* insertion by (count desc, first appearance asc): deterministic */
            uint32_t j = k++;
            while (j && (cnt[pal[j - 1]] < cnt[m] ||
                         (cnt[pal[j - 1]] == cnt[m] && first[pal[j - 1]] > first[m]))) {
                pal[j] = pal[j - 1];
                j--;
            }
            pal[j] = (uint8_t)m;
        }
        for (uint32_t j = 0; j < k; j++)
            idx_of[pal[j]] = (uint8_t)j;
        for (uint32_t i = 0; i < n; i++)
            v[i] = idx_of[o->dec_masks[i]];
        /* each palette entry as its bits within the term's fields: popcount(fields) bits */
        uint32_t sub[64];
        for (uint32_t j = 0; j < k; j++)
            sub[j] = mask_compress(pal[j], fields);
        size_t at = o->ep.len;
        o->ep.p[o->ep.len++] = (uint8_t)k;
        o->ep.len += pack_bits(o->ep.p + o->ep.len, sub, k, seg_popcount6[fields]);
        if (k > 1) {
            size_t fixed = ((size_t)n * width(k - 1) + 7) / 8;
            uint8_t tmp[PACK_BOUND(SEG_BLOCK)];
            size_t packed = pack_encode(tmp, v, n);
            if (packed < fixed) {
                o->ep.p[at] |= MASKS_PACKED;
                memcpy(o->ep.p + o->ep.len, tmp, packed);
                o->ep.len += packed;
            } else {
                o->ep.len += pack_bits(o->ep.p + o->ep.len, v, n, width(k - 1));
            }
        }
    }
    /* tf - 1 per posting per field of its mask */
    uint32_t tfv[SEG_BLOCK * IF_COUNT];
    size_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        for (int f = 0; f < IF_COUNT; f++)
            if (o->dec_masks[i] & (1u << f))
                tfv[m++] = o->dec_tf[i][f] - 1;
    bytes_stream(&o->ep, tfv, m);
    for (int f = 0; f < IF_COUNT; f++)
        bytes_stream(&o->eq, o->fv[f], o->fv_n[f]);
}

/* Reads the positions of the block of postings in o->dec_* from the writer's varints at p into
 * o->fv: per field, the first position of a posting as is, the next ones as the gap minus 1. */
static void block_positions(struct seg_out *o, const uint8_t *p, uint32_t n)
{
    for (int f = 0; f < IF_COUNT; f++)
        o->fv_n[f] = 0;
    for (uint32_t i = 0; i < n; i++)
        for (int f = 0; f < IF_COUNT; f++) {
            uint32_t tf = o->dec_tf[i][f];
            if (!tf)
                continue;
            o->fv[f] = xgrow(o->fv[f], sizeof *o->fv[f], o->fv_n[f] + tf, &o->fv_cap[f]);
            for (uint32_t k = 0; k < tf; k++) {
                uint32_t d;
                p = get_varint(p, &d);
                assert(k == 0 || d > 0); /* positions in a field are distinct */
                o->fv[f][o->fv_n[f]++] = k ? d - 1 : d;
            }
        }
}

/* The reference tfc of posting i of the block in o->dec_*. */
static float dec_tfc(const struct seg_out *o, uint32_t i)
{
    uint32_t d = o->dec_docs[i];
    if (o->docs)
        return ref_tfc(o->ref_inv, o->dec_tf[i], o->docs[d].norm);
    uint8_t norm[IF_COUNT];
    for (int f = 0; f < IF_COUNT; f++)
        norm[f] = o->norms_of->norms[f][d];
    return ref_tfc(o->ref_inv, o->dec_tf[i], norm);
}

/* Decodes each block of the writer's encoding of b once more: sets the blocks' maxima and,
 * unless the term has one posting (it goes inline) and may_inline, re-encodes them in the
 * file's format into o->ep and o->eq (the blocks' offsets then point there). Returns the
 * term's maximum. A one-posting term leaves its posting in o->dec_* and o->fv. */
static float encode_term(struct seg_out *o, struct tb *b, int may_inline)
{
    tb_close_block(b);
    float term_max = 0;
    o->ep.len = o->eq.len = 0;
    for (size_t k = 0; k < b->n_blocks; k++) {
        struct seg_block *blk = &b->blocks[k];
        uint32_t prev = k ? b->blocks[k - 1].last_doc : UINT32_MAX;
        uint32_t n = k + 1 == b->n_blocks ? b->df - (uint32_t)k * SEG_BLOCK : SEG_BLOCK;
        decode_postings(b->post.p + blk->post_off, prev, n, o->dec_docs, o->dec_masks,
                        o->dec_tf);
        block_positions(o, b->pos.p + blk->pos_off, n);
        float m = 0;
        for (uint32_t i = 0; i < n; i++) {
            float x = dec_tfc(o, i);
            if (x > m)
                m = x;
        }
        blk->max_tfc = m;
        if (m > term_max)
            term_max = m;
        if (b->df == 1 && may_inline)
            break;
        blk->post_off = (uint32_t)o->ep.len;
        blk->pos_off = (uint32_t)o->eq.len;
        encode_block(o, b->fields, prev, n);
    }
    return term_max;
}

static void out_term(struct seg_out *o, const char *term, size_t len, struct tb *b)
{
    if (!b->df)
        return;
    float term_max = encode_term(o, b, 1);
    /* the dictionary entry, prefix-compressed within its group */
    size_t prefix = 0;
    if (o->n_terms % SEG_DICT_GROUP == 0) {
        o->groups = xgrow(o->groups, sizeof *o->groups, o->n_groups + 1, &o->cap_groups);
        o->groups[o->n_groups++] = (struct seg_dgroup){(uint32_t)o->dict.len,
                                                       (uint32_t)o->n_blocks};
        o->prev_post = o->prev_pos = 0;
        o->prev_inl = 0;
    } else {
        while (prefix < len && prefix < o->prev_len && o->prev[prefix] == term[prefix])
            prefix++;
    }
    size_t suffix = len - prefix;
    if (prefix < 16 && suffix < 16) {
        bytes_byte(&o->dict, (uint8_t)(prefix << 4 | suffix)); /* suffix > 0: never 0 */
    } else {
        bytes_byte(&o->dict, 0);
        bytes_varint(&o->dict, (uint32_t)prefix);
        bytes_varint(&o->dict, (uint32_t)suffix);
    }
    bytes_reserve(&o->dict, suffix);
    memcpy(o->dict.p + o->dict.len, term + prefix, suffix);
    o->dict.len += suffix;
    if (b->df == 1) {
        /* one posting: kept in the entry; its max_tfc is recomputed by the reader */
        const uint32_t *tf = o->dec_tf[0];
        int f1 = __builtin_ctz(b->fields);
        int simple = !(b->fields & (b->fields - 1)) && tf[f1] == 1;
        /* the document as a zigzag delta from the previous inline term's in the group: terms
         * that sort together (paper ids) often come from documents numbered together */
        int64_t delta = (int64_t)o->dec_docs[0] - (int64_t)o->prev_inl;
        uint64_t zz = delta < 0 ? ((uint64_t)-delta << 1) - 1 : (uint64_t)delta << 1;
        o->prev_inl = o->dec_docs[0];
        if (simple) {
            uint32_t q = o->fv[f1][0] < DICT_TF1_POS ? o->fv[f1][0] + 1 : 0;
            bytes_byte(&o->dict, (uint8_t)(DICT_INLINE | DICT_TF1 | q << 3 | (uint32_t)f1));
            bytes_varint64(&o->dict, zz);
            if (!q)
                bytes_varint(&o->dict, o->fv[f1][0]);
        } else {
            bytes_byte(&o->dict, (uint8_t)(b->fields | DICT_INLINE));
            bytes_varint64(&o->dict, zz);
            for (int f = 0; f < IF_COUNT; f++)
                if (tf[f])
                    bytes_varint(&o->dict, tf[f]);
            for (int f = 0; f < IF_COUNT; f++)
                for (size_t k = 0; k < o->fv_n[f]; k++)
                    bytes_varint(&o->dict, o->fv[f][k]);
        }
    } else {
        bytes_byte(&o->dict, b->fields);
        bytes_varint(&o->dict, b->df);
        bytes_varint64(&o->dict, o->post_len - o->prev_post);
        bytes_varint64(&o->dict, o->pos_len - o->prev_pos);
        uint16_t mx = bf16_up(term_max);
        bytes_byte(&o->dict, (uint8_t)(mx & 0xFF));
        bytes_byte(&o->dict, (uint8_t)(mx >> 8));
        o->prev_post = o->post_len;
        o->prev_pos = o->pos_len;
    }
    memcpy(o->prev, term, len);
    o->prev_len = len;
    o->n_terms++;
    if (b->n_blocks > 1) { /* a one-block term's block is implied by its entry */
        o->blocks = xgrow(o->blocks, sizeof *o->blocks, o->n_blocks + b->n_blocks,
                          &o->cap_blocks);
        memcpy(o->blocks + o->n_blocks, b->blocks, b->n_blocks * sizeof *b->blocks);
        o->n_blocks += b->n_blocks;
    }
    if (o->ep.len && fwrite(o->ep.p, o->ep.len, 1, o->f) != 1)
        o->failed = 1;
    if (o->eq.len && fwrite(o->eq.p, o->eq.len, 1, o->fpos) != 1)
        o->failed = 1;
    o->post_len += o->ep.len;
    o->pos_len += o->eq.len;
}

/* Drops the pages of [p, p + n) of a read-only file mapping from this process's resident set
 * (the kernel's page cache keeps them; touching them again maps them back). Merging or
 * checksumming a large segment reads it once, front to back: without this every page read
 * stayed resident until the unmap, and a rebuild of 2.7M papers peaked at 2.6 GB. */
static void map_drop(const uint8_t *p, size_t n)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), b = ((uintptr_t)p + n) & ~(page - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_DONTNEED);
}

#define DROP_EVERY ((size_t)64 << 20) /* bytes read between two map_drop calls */

static uint64_t checksum_words(uint64_t h, const uint8_t *p, size_t n_words)
{
    for (size_t i = 0; i < n_words; i++) {
        uint64_t w;
        memcpy(&w, p + 8 * i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h;
}

/* The checksum of [p, p + n); with drop, the bytes read are dropped from the resident set as
 * it goes (p maps a file). */
static uint64_t checksum(const uint8_t *p, size_t n, int drop)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t words = n / 8, done = 0;
    while (done < words) {
        size_t k = words - done < DROP_EVERY / 8 ? words - done : DROP_EVERY / 8;
        h = checksum_words(h, p + 8 * done, k);
        if (drop)
            map_drop(p + 8 * done, 8 * k);
        done += k;
    }
    for (size_t i = 8 * words; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h ^ (h >> 32);
}

uint64_t seg_checksum(const uint8_t *p, size_t n)
{
    return checksum(p, n, 0);
}

static int pad8(FILE *f, uint64_t *off)
{
    static const uint8_t zeros[8];
    size_t n = (size_t)((8 - *off % 8) % 8);
    if (n && fwrite(zeros, n, 1, f) != 1)
        return -1;
    *off += n;
    return 0;
}

static int write_section(FILE *f, uint64_t *off, const void *p, size_t n, uint64_t *start)
{
    if (pad8(f, off))
        return -1;
    *start = *off;
    if (n && fwrite(p, n, 1, f) != 1)
        return -1;
    *off += n;
    return 0;
}

/* The block table (format at the top of this file). A term's first block is the one at
 * offset 0 of its postings: the others start further on, as no block is empty. */
static void encode_blocks(struct bytes *out, const struct seg_block *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int first = b[i].post_off == 0;
        assert(first ? b[i].pos_off == 0 : i && b[i].last_doc > b[i - 1].last_doc);
        bytes_byte(out, block_max_code(b[i].max_tfc));
        if (first) {
            bytes_varint64(out, (uint64_t)b[i].last_doc << 1 | 1);
        } else {
            bytes_varint64(out, (uint64_t)(b[i].last_doc - b[i - 1].last_doc - 1) << 1);
            bytes_varint(out, b[i].post_off - b[i - 1].post_off);
            bytes_varint(out, b[i].pos_off - b[i - 1].pos_off);
        }
    }
}

static int cmp_pid(const void *a, const void *b)
{
    const struct seg_pid *x = a, *y = b;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}

static int out_finish(struct seg_out *o, const struct seg_doc *docs, uint32_t n_docs,
                      const uint64_t len_sum[IF_COUNT], char *err, size_t err_len)
{
    struct seg_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, SEG_MAGIC, 8);
    h.n_docs = n_docs;
    h.n_terms = (uint32_t)o->n_terms;
    h.n_groups = (uint32_t)o->n_groups;
    h.n_blocks = (uint32_t)o->n_blocks;
    memcpy(h.len_sum, len_sum, sizeof h.len_sum);
    memcpy(h.ref_weight, o->ref.ref_weight, sizeof h.ref_weight);
    memcpy(h.ref_b, o->ref.ref_b, sizeof h.ref_b);
    memcpy(h.ref_avglen, o->ref.ref_avglen, sizeof h.ref_avglen);
    uint64_t off = sizeof h + o->post_len;
    h.off_post = sizeof h;
    int rc = o->failed ? -1 : 0;
    /* pos: copy the side file */
    if (!rc && pad8(o->f, &off))
        rc = -1;
    h.off_pos = off;
    if (!rc) {
        if (fflush(o->fpos) || fseek(o->fpos, 0, SEEK_SET))
            rc = -1;
        char buf[1 << 16];
        size_t n;
        while (!rc && (n = fread(buf, 1, sizeof buf, o->fpos)) > 0)
            if (fwrite(buf, n, 1, o->f) != 1)
                rc = -1;
        off += o->pos_len;
    }
    /* docids in document order (a rebuild from the store) need no pids section, and dense
     * ones no column either; days fit in 16 bits from the earliest */
    h.flags = SEG_DOCIDS_DENSE | SEG_DOCIDS_SORTED | SEG_DAYS16;
    h.docid_base = n_docs ? docs[0].docid : 0;
    int32_t day_min = INT32_MAX, day_max = INT32_MIN;
    for (uint32_t i = 0; i < n_docs; i++) {
        if (docs[i].docid != h.docid_base + i || h.docid_base + i < h.docid_base)
            h.flags &= ~SEG_DOCIDS_DENSE;
        if (i && docs[i].docid <= docs[i - 1].docid)
            h.flags &= ~(SEG_DOCIDS_SORTED | SEG_DOCIDS_DENSE);
        if (docs[i].day == INT32_MIN)
            continue;
        if (docs[i].day < day_min)
            day_min = docs[i].day;
        if (docs[i].day > day_max)
            day_max = docs[i].day;
    }
    h.day_base = day_min == INT32_MAX ? 0 : day_min;
    if (day_min != INT32_MAX && (int64_t)day_max - day_min >= 0xFFFF)
        h.flags &= ~SEG_DAYS16;
    if (!rc) {
        /* columns: docids, days, then the length codes field by field */
        size_t cap = (size_t)n_docs * 4 + 8;
        uint8_t *col = xmalloc(cap);
        size_t n = 0;
        if (!(h.flags & SEG_DOCIDS_DENSE)) {
            for (uint32_t i = 0; i < n_docs; i++)
                memcpy(col + 4 * (size_t)i, &docs[i].docid, 4);
            n = (size_t)n_docs * 4;
        }
        rc = write_section(o->f, &off, col, n, &h.off_docs);
        for (uint32_t i = 0; i < n_docs; i++) {
            if (h.flags & SEG_DAYS16) {
                uint16_t d = docs[i].day == INT32_MIN
                                 ? 0
                                 : (uint16_t)((int64_t)docs[i].day - h.day_base + 1);
                memcpy(col + 2 * (size_t)i, &d, 2);
            } else {
                memcpy(col + 4 * (size_t)i, &docs[i].day, 4);
            }
        }
        n = (size_t)n_docs * (h.flags & SEG_DAYS16 ? 2 : 4);
        if (!rc && n && fwrite(col, n, 1, o->f) != 1)
            rc = -1;
        off += n;
        for (int f = 0; f < IF_COUNT && !rc; f++) {
            uint8_t lo = 255, hi = 0;
            for (uint32_t i = 0; i < n_docs; i++) {
                col[i] = docs[i].norm[f];
                lo = col[i] < lo ? col[i] : lo;
                hi = col[i] > hi ? col[i] : hi;
            }
            size_t len;
            if (n_docs && lo == hi) {
                h.flags |= SEG_NORMS_CONST(f); /* every document has this length code */
                len = 1;
            } else {
                /* the codes minus the lowest, at the width of the highest */
                unsigned w = n_docs ? width((uint32_t)(hi - lo)) : 1;
                uint32_t *v = xmalloc((n_docs ? n_docs : 1) * sizeof *v);
                for (uint32_t i = 0; i < n_docs; i++)
                    v[i] = (uint32_t)(col[i] - (n_docs ? lo : 0));
                col[0] = n_docs ? lo : 0;
                col[1] = (uint8_t)w;
                len = 2 + pack_bits(col + 2, v, n_docs, w);
                xfree(v);
            }
            if (fwrite(col, len, 1, o->f) != 1)
                rc = -1;
            off += len;
        }
        xfree(col);
    }
    if (!(h.flags & SEG_DOCIDS_SORTED)) {
        struct seg_pid *pids = xmalloc((n_docs ? n_docs : 1) * sizeof *pids);
        for (uint32_t i = 0; i < n_docs; i++)
            pids[i] = (struct seg_pid){docs[i].docid, i};
        qsort(pids, n_docs, sizeof *pids, cmp_pid);
        if (!rc)
            rc = write_section(o->f, &off, pids, (size_t)n_docs * sizeof *pids, &h.off_pids);
        xfree(pids);
    } else if (!rc) {
        rc = write_section(o->f, &off, NULL, 0, &h.off_pids);
    }
    if (!rc)
        rc = write_section(o->f, &off, o->groups, o->n_groups * sizeof *o->groups, &h.off_dict);
    if (!rc)
        rc = write_section(o->f, &off, o->dict.p, o->dict.len, &h.off_strings);
    if (!rc) {
        struct bytes bt = {0};
        encode_blocks(&bt, o->blocks, o->n_blocks);
        rc = write_section(o->f, &off, bt.p, bt.len, &h.off_blocks);
        xfree(bt.p);
    }
    if (!rc && pad8(o->f, &off))
        rc = -1;
    h.off_end = off;
    if (!rc && fflush(o->f))
        rc = -1;
    if (rc) {
        seterr(err, err_len, "cannot write '%s': %s", o->tmp, strerror(errno));
        out_discard(o);
        return PB_EIO;
    }
    /* checksum over the written file, then the header, fsync, rename */
    int fd = fileno(o->f);
    if (off > sizeof h) {
        void *m = mmap(NULL, off, PROT_READ, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) {
            seterr(err, err_len, "cannot map '%s': %s", o->tmp, strerror(errno));
            out_discard(o);
            return PB_EIO;
        }
        h.checksum = checksum((const uint8_t *)m + sizeof h, off - sizeof h, 1);
        munmap(m, off);
    }
    if (pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h || fsync(fd)) {
        seterr(err, err_len, "cannot write '%s': %s", o->tmp, strerror(errno));
        out_discard(o);
        return PB_EIO;
    }
    fclose(o->f);
    o->f = NULL;
    if (rename(o->tmp, o->path)) {
        seterr(err, err_len, "cannot rename '%s': %s", o->tmp, strerror(errno));
        out_discard(o);
        return PB_EIO;
    }
    xfree(o->tmp);
    o->tmp = NULL;
    out_discard(o);
    return 0;
}

/* ---- the in-memory writer ---- */

struct wterm {
    const char *s; /* in the writer's arena */
    uint32_t len, hash;
    struct tb b;
};

struct tokrec {
    uint32_t term;
    uint32_t field;
    uint32_t pos;
    uint32_t next; /* the term's next record in this document, or UINT32_MAX */
};

/* A slot of the term hash: the term's bytes are in the arena, its length in front of them, so a
 * lookup touches the slot and the bytes and nothing else. */
struct slot {
    uint32_t hash, idx; /* idx = term index + 1, 0 empty */
    const uint8_t *key; /* length byte, then the term */
};

#define ARENA_CHUNK ((size_t)1 << 20)

struct seg_writer {
    struct tokenizer *tok;
    struct wterm *terms;
    size_t n_terms, cap_terms;
    struct slot *slots; /* open addressing */
    size_t n_slots;
    uint8_t **chunks; /* the arena of term bytes */
    size_t n_chunks, cap_chunks, chunk_used;
    struct seg_doc *docs;
    size_t n_docs, cap_docs;
    uint64_t len_sum[IF_COUNT];
    size_t bytes;
    /* per document scratch: the records of its tokens, and per term (by index) the document
     * that last used it + 1 and its first and last record there */
    struct tokrec *recs;
    size_t n_recs, cap_recs;
    uint32_t *seen, *head, *tail;
    size_t cap_seen;
    uint32_t *dterms; /* the document's distinct terms, in order of first use */
    size_t n_dterms, cap_dterms;
    int unsorted; /* a term's records are not in (field, position) order: sort them */
    uint32_t cur_field;
    uint32_t field_len;
    const char *id_text; /* the document's id field */
    size_t id_len;
    uint32_t *posbuf;
    size_t cap_posbuf;
};

struct seg_writer *seg_writer_new(void)
{
    struct seg_writer *w = xcalloc(1, sizeof *w);
    w->tok = tokenizer_new();
    w->n_slots = 1024;
    w->slots = xcalloc(w->n_slots, sizeof *w->slots);
    return w;
}

void seg_writer_free(struct seg_writer *w)
{
    if (!w)
        return;
    tokenizer_free(w->tok);
    for (size_t i = 0; i < w->n_terms; i++)
        tb_release(&w->terms[i].b);
    for (size_t i = 0; i < w->n_chunks; i++)
        xfree(w->chunks[i]);
    xfree(w->chunks);
    xfree(w->terms);
    xfree(w->slots);
    xfree(w->seen);
    xfree(w->head);
    xfree(w->tail);
    xfree(w->dterms);
    xfree(w->docs);
    xfree(w->recs);
    xfree(w->posbuf);
    xfree(w);
}

size_t seg_writer_docs(const struct seg_writer *w)
{
    return w->n_docs;
}

size_t seg_writer_bytes(const struct seg_writer *w)
{
    return w->bytes + w->n_terms * (sizeof(struct wterm) + 3 * sizeof(uint32_t)) +
           w->n_chunks * ARENA_CHUNK + w->n_slots * sizeof(struct slot) +
           w->n_docs * sizeof(struct seg_doc);
}

static uint32_t hash_term(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* A copy of the term in the arena: its length byte, then its bytes. */
static const uint8_t *arena_put(struct seg_writer *w, const char *s, size_t n)
{
    if (!w->n_chunks || w->chunk_used + n + 1 > ARENA_CHUNK) {
        w->chunks = xgrow(w->chunks, sizeof *w->chunks, w->n_chunks + 1, &w->cap_chunks);
        w->chunks[w->n_chunks++] = xmalloc(ARENA_CHUNK);
        w->chunk_used = 0;
    }
    uint8_t *k = w->chunks[w->n_chunks - 1] + w->chunk_used;
    k[0] = (uint8_t)n;
    memcpy(k + 1, s, n);
    w->chunk_used += n + 1;
    return k;
}

static uint32_t term_id(struct seg_writer *w, const char *s, size_t n)
{
    uint32_t h = hash_term(s, n);
    size_t mask = w->n_slots - 1;
    size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
        const struct slot *sl = &w->slots[i];
        if (!sl->idx)
            break;
        if (sl->hash == h && sl->key[0] == n && memcmp(sl->key + 1, s, n) == 0)
            return sl->idx - 1;
    }
    if ((w->n_terms + 1) * 2 > w->n_slots) {
        size_t ns = w->n_slots * 2;
        struct slot *slots = xcalloc(ns, sizeof *slots);
        for (size_t k = 0; k < w->n_slots; k++) {
            if (!w->slots[k].idx)
                continue;
            size_t j = w->slots[k].hash & (ns - 1);
            while (slots[j].idx)
                j = (j + 1) & (ns - 1);
            slots[j] = w->slots[k];
        }
        xfree(w->slots);
        w->slots = slots;
        w->n_slots = ns;
        mask = ns - 1;
        i = h & mask;
        while (w->slots[i].idx)
            i = (i + 1) & mask;
    }
    w->terms = xgrow(w->terms, sizeof *w->terms, w->n_terms + 1, &w->cap_terms);
    if (w->n_terms + 1 > w->cap_seen) {
        size_t old = w->cap_seen;
        w->seen = xgrow(w->seen, sizeof *w->seen, w->n_terms + 1, &w->cap_seen);
        size_t cap = old;
        w->head = xgrow(w->head, sizeof *w->head, w->n_terms + 1, &cap);
        cap = old;
        w->tail = xgrow(w->tail, sizeof *w->tail, w->n_terms + 1, &cap);
        memset(w->seen + old, 0, (w->cap_seen - old) * sizeof *w->seen);
    }
    const uint8_t *key = arena_put(w, s, n);
    struct wterm *t = &w->terms[w->n_terms];
    t->s = (const char *)key + 1;
    t->len = (uint32_t)n;
    t->hash = h;
    tb_init(&t->b);
    w->slots[i] = (struct slot){h, (uint32_t)w->n_terms + 1, key};
    return (uint32_t)w->n_terms++;
}

/* Appends a record of the current document and links it to its term's records there. */
static void push_rec(struct seg_writer *w, const char *s, size_t n, uint32_t pos)
{
    uint32_t term = term_id(w, s, n);
    w->recs = xgrow(w->recs, sizeof *w->recs, w->n_recs + 1, &w->cap_recs);
    uint32_t r = (uint32_t)w->n_recs++;
    w->recs[r] = (struct tokrec){term, w->cur_field, pos, UINT32_MAX};
    uint32_t mark = (uint32_t)w->n_docs; /* the document being added is number n_docs - 1 */
    if (w->seen[term] != mark) {
        w->seen[term] = mark;
        w->head[term] = w->tail[term] = r;
        w->dterms = xgrow(w->dterms, sizeof *w->dterms, w->n_dterms + 1, &w->cap_dterms);
        w->dterms[w->n_dterms++] = term;
        return;
    }
    const struct tokrec *last = &w->recs[w->tail[term]];
    if (last->field > w->cur_field || (last->field == w->cur_field && last->pos > pos))
        w->unsorted = 1;
    w->recs[w->tail[term]].next = r;
    w->tail[term] = r;
}

static int on_token(void *ctx, const struct token *t)
{
    struct seg_writer *w = ctx;
    if (w->cur_field == IF_ID && t->len == w->id_len && !memcmp(t->term, w->id_text, t->len)) {
        w->field_len++; /* the document's own id: found through the caller's id lookup */
        return 0;
    }
    /* a compound ("gpt-4") is not stored: a query finds it as the phrase of its parts, which
     * follow it with their own positions */
    if (t->flags & (TOKEN_STOP | TOKEN_COMPOUND))
        return 0;
    push_rec(w, t->term, t->len, t->pos);
    w->field_len++;
    if (w->cur_field == IF_CATEGORIES) {
        /* "cs.lg" is also found as its archive "cs" */
        const char *dot = memchr(t->term, '.', t->len);
        if (dot && dot > t->term)
            push_rec(w, t->term, (size_t)(dot - t->term), t->pos);
    }
    return 0;
}

static int cmp_rec(const void *a, const void *b)
{
    const struct tokrec *x = a, *y = b;
    if (x->term != y->term)
        return x->term < y->term ? -1 : 1;
    if (x->field != y->field)
        return x->field < y->field ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

#define AUTHOR_GAP 1 /* a position between two authors, so phrases do not join names */

void seg_writer_add(struct seg_writer *w, const struct index_doc *doc)
{
    static const enum token_mode modes[IF_COUNT] = {TOKEN_TEXT,  TOKEN_TEXT,  TOKEN_NAMES,
                                                    TOKEN_CODES, TOKEN_CODES, TOKEN_TEXT};
    uint32_t docnum = (uint32_t)w->n_docs;
    w->docs = xgrow(w->docs, sizeof *w->docs, w->n_docs + 1, &w->cap_docs);
    struct seg_doc *d = &w->docs[w->n_docs++];
    memset(d, 0, sizeof *d);
    d->docid = doc->docid;
    d->day = doc->day;
    w->n_recs = 0;
    w->n_dterms = 0;
    for (int f = 0; f < IF_COUNT; f++) {
        const char *text = doc->text[f];
        size_t len = text ? doc->len[f] : 0;
        w->cur_field = (uint32_t)f;
        w->field_len = 0;
        if (f == IF_ID)
            w->id_text = text, w->id_len = len;
        if (f == IF_AUTHORS) {
            uint32_t pos = 0;
            while (len) {
                const char *nl = memchr(text, '\n', len);
                size_t n = nl ? (size_t)(nl - text) : len;
                pos = tokenizer_run(w->tok, modes[f], text, n, pos, on_token, w) + AUTHOR_GAP;
                text += n + (nl ? 1 : 0);
                len -= n + (nl ? 1 : 0);
            }
        } else if (len) {
            tokenizer_run(w->tok, modes[f], text, len, 0, on_token, w);
        }
        d->norm[f] = seg_norm_encode(w->field_len);
        w->len_sum[f] += seg_norm_decode(d->norm[f]);
    }
    if (w->unsorted) {
        /* rare: records of a term out of order; sort them all and link them again */
        qsort(w->recs, w->n_recs, sizeof *w->recs, cmp_rec);
        w->n_dterms = 0;
        for (size_t i = 0; i < w->n_recs; i++) {
            w->recs[i].next = i + 1 < w->n_recs && w->recs[i + 1].term == w->recs[i].term
                                  ? (uint32_t)i + 1
                                  : UINT32_MAX;
            if (!i || w->recs[i - 1].term != w->recs[i].term) {
                w->head[w->recs[i].term] = (uint32_t)i;
                w->dterms[w->n_dterms++] = w->recs[i].term;
            }
        }
        w->unsorted = 0;
    }
    /* one posting per distinct term, its records in (field, position) order */
    for (size_t i = 0; i < w->n_dterms; i++) {
        uint32_t term = w->dterms[i];
        uint32_t tf[IF_COUNT] = {0};
        size_t np = 0;
        const struct tokrec *prev = NULL;
        for (uint32_t r = w->head[term]; r != UINT32_MAX; r = w->recs[r].next) {
            const struct tokrec *x = &w->recs[r];
            /* drop duplicate positions (a category and its archive can coincide) */
            if (!prev || x->field != prev->field || x->pos != prev->pos) {
                w->posbuf = xgrow(w->posbuf, sizeof *w->posbuf, np + 1, &w->cap_posbuf);
                w->posbuf[np++] = x->pos;
                tf[x->field]++;
            }
            prev = x;
        }
        struct tb *b = &w->terms[term].b;
        size_t before = b->post.cap + b->pos.cap;
        tb_add(b, docnum, tf, w->posbuf);
        w->bytes += b->post.cap + b->pos.cap - before;
    }
}

static int cmp_wterm(const void *a, const void *b)
{
    const struct wterm *x = *(const struct wterm *const *)a, *y = *(const struct wterm *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

int seg_writer_write(struct seg_writer *w, const char *path, char *err, size_t err_len)
{
    struct wterm **order = xmalloc((w->n_terms ? w->n_terms : 1) * sizeof *order);
    for (size_t i = 0; i < w->n_terms; i++)
        order[i] = &w->terms[i];
    qsort(order, w->n_terms, sizeof *order, cmp_wterm);
    struct seg_out o;
    int rc = out_open(&o, path, err, err_len);
    if (rc) {
        out_discard(&o);
        xfree(order);
        return rc;
    }
    out_set_docs(&o, w->docs, (uint32_t)w->n_docs, w->len_sum);
    for (size_t i = 0; i < w->n_terms; i++)
        out_term(&o, order[i]->s, order[i]->len, &order[i]->b);
    xfree(order);
    return out_finish(&o, w->docs, (uint32_t)w->n_docs, w->len_sum, err, err_len);
}

/* ---- reading ---- */

/* Bytes per document of the docids and days columns. */
static uint64_t docs_width(const struct seg_header *h)
{
    return (h->flags & SEG_DOCIDS_DENSE ? 0 : 4) + (h->flags & SEG_DAYS16 ? 2 : 4);
}

/* The fewest bytes the length-code columns can take (their widths are in the file). */
static uint64_t norms_bytes(const struct seg_header *h)
{
    uint64_t n = 0;
    for (int f = 0; f < IF_COUNT; f++)
        n += h->flags & SEG_NORMS_CONST(f) ? 1 : 2 + ((uint64_t)h->n_docs + 7) / 8;
    return n;
}

/* Decodes the length-code column at p (base, width, packed codes) into out[0..n); returns the
 * byte after it, or NULL if it is damaged or runs past end. */
static const uint8_t *norms_decode(const uint8_t *p, const uint8_t *end, uint32_t n, uint8_t *out)
{
    if (end - p < 2)
        return NULL;
    unsigned base = p[0], w = p[1];
    p += 2;
    if (w == 0 || w > 8 || (size_t)(end - p) < ((uint64_t)n * w + 7) / 8)
        return NULL;
    uint32_t v[1024]; /* 1,024 values of w bits end on a byte boundary */
    for (uint32_t i = 0; i < n; i += 1024) {
        uint32_t k = n - i < 1024 ? n - i : 1024;
        if (!unpack_bits(p + (size_t)i / 8 * w, end, k, w, v))
            return NULL;
        for (uint32_t j = 0; j < k; j++) {
            if (base + v[j] > 255)
                return NULL;
            out[i + j] = (uint8_t)(base + v[j]);
        }
    }
    return p + ((uint64_t)n * w + 7) / 8;
}

static const uint8_t *get_varint64(const uint8_t *p, const uint8_t *end, uint64_t *v);

/* Unpacks the block table at p (up to end: its 8-byte padding of zeros follows) into
 * s->blocks_fill; 0 if it is damaged. The offsets of a term's first block are 0. */
static int blocks_decode(struct seg *s, const uint8_t *p, const uint8_t *end)
{
    struct seg_block *b = s->blocks_fill;
    float maxima[256];
    for (int c = 0; c < 256; c++)
        maxima[c] = block_max_decode((uint8_t)c);
    for (uint32_t i = 0; i < s->h->n_blocks; i++) {
        uint64_t v, dpost, dpos;
        if (p >= end)
            return 0;
        b[i].max_tfc = maxima[*p++];
        if (!(p = get_varint64(p, end, &v)))
            return 0;
        if (v & 1) {
            v >>= 1;
            b[i].post_off = b[i].pos_off = 0;
        } else {
            if (!i || !(p = get_varint64(p, end, &dpost)) || !(p = get_varint64(p, end, &dpos)) ||
                !dpost || dpost > s->post_len || dpos > s->pos_len)
                return 0;
            v = (v >> 1) + b[i - 1].last_doc + 1;
            dpost += b[i - 1].post_off;
            dpos += b[i - 1].pos_off;
            if (dpost >= s->post_len || dpos > s->pos_len)
                return 0;
            b[i].post_off = (uint32_t)dpost;
            b[i].pos_off = (uint32_t)dpos;
        }
        if (v >= s->h->n_docs)
            return 0;
        b[i].last_doc = (uint32_t)v;
    }
    if (end - p >= 8)
        return 0;
    for (; p < end; p++)
        if (*p)
            return 0;
    return 1;
}

int seg_open(const char *path, struct seg **out, char *err, size_t err_len)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        seterr(err, err_len, "cannot open segment '%s': %s", path, strerror(errno));
        return errno == ENOENT ? PB_ENOTFOUND : PB_EIO;
    }
    struct stat st;
    if (fstat(fd, &st)) {
        seterr(err, err_len, "cannot stat '%s': %s", path, strerror(errno));
        close(fd);
        return PB_EIO;
    }
    size_t size = (size_t)st.st_size;
    if (size < sizeof(struct seg_header)) {
        close(fd);
        seterr(err, err_len, "segment '%s' is truncated (%zu bytes)", path, size);
        return PB_EFORMAT;
    }
    void *m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        seterr(err, err_len, "cannot map '%s': %s", path, strerror(errno));
        return PB_EIO;
    }
    const struct seg_header *h = m;
    const char *why = NULL;
    if (memcmp(h->magic, SEG_MAGIC, 8) != 0)
        why = "bad magic";
    else if (h->off_end != size)
        why = "size does not match header";
    else if (!(h->off_post == sizeof *h && h->off_post <= h->off_pos &&
               h->off_pos <= h->off_docs && h->off_docs <= h->off_pids &&
               h->off_pids <= h->off_dict && h->off_dict <= h->off_strings &&
               h->off_strings <= h->off_blocks && h->off_blocks <= h->off_end))
        why = "sections out of order";
    else if (h->off_docs % 8 || h->off_pids % 8 || h->off_dict % 8 || h->off_blocks % 8)
        why = "sections misaligned";
    else if (h->flags & ~(SEG_DOCIDS_DENSE | SEG_DOCIDS_SORTED | SEG_DAYS16 |
                          SEG_NORMS_CONST_ALL) ||
             ((h->flags & SEG_NORMS_CONST_ALL) && !h->n_docs) ||
             ((h->flags & SEG_DOCIDS_DENSE) && !(h->flags & SEG_DOCIDS_SORTED)) ||
             ((h->flags & SEG_DOCIDS_DENSE) && (uint64_t)h->docid_base + h->n_docs > UINT32_MAX))
        why = "bad flags";
    else if ((uint64_t)h->n_docs * docs_width(h) + norms_bytes(h) > h->off_pids - h->off_docs ||
             (!(h->flags & SEG_DOCIDS_SORTED) &&
              (uint64_t)h->n_docs * sizeof(struct seg_pid) > h->off_dict - h->off_pids) ||
             (uint64_t)h->n_groups * sizeof(struct seg_dgroup) > h->off_strings - h->off_dict ||
             (uint64_t)h->n_groups * SEG_DICT_GROUP < h->n_terms ||
             (uint64_t)h->n_blocks * 2 > h->off_end - h->off_blocks)
        why = "counts do not fit the sections";
    if (why) {
        munmap(m, size);
        seterr(err, err_len, "segment '%s' is damaged: %s", path, why);
        return PB_EFORMAT;
    }
    struct seg *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->map = m;
    s->map_len = size;
    s->h = h;
    const uint8_t *col = s->map + h->off_docs;
    if (!(h->flags & SEG_DOCIDS_DENSE)) {
        s->docids = (const void *)col;
        col += 4 * (uint64_t)h->n_docs;
    }
    if (h->flags & SEG_DAYS16) {
        s->days16 = (const void *)col;
        col += 2 * (uint64_t)h->n_docs;
    } else {
        s->days = (const void *)col;
        col += 4 * (uint64_t)h->n_docs;
    }
    /* the length codes are unpacked into memory: a query reads them a byte per document */
    for (int f = 0; f < IF_COUNT && col; f++) {
        s->norm_fill[f] = xmalloc(h->n_docs ? h->n_docs : 1);
        s->norms[f] = s->norm_fill[f];
        if (h->flags & SEG_NORMS_CONST(f)) {
            memset(s->norm_fill[f], *col, h->n_docs);
            col += 1;
        } else {
            col = norms_decode(col, s->map + h->off_pids, h->n_docs, s->norm_fill[f]);
        }
    }
    if (!col) {
        seg_close(s);
        seterr(err, err_len, "segment '%s' is damaged: bad length codes", path);
        return PB_EFORMAT;
    }
    if (!(h->flags & SEG_DOCIDS_SORTED))
        s->pids = (const void *)(s->map + h->off_pids);
    s->groups = (const void *)(s->map + h->off_dict);
    s->n_groups = h->n_groups;
    s->dict = s->map + h->off_strings;
    s->dict_len = h->off_blocks - h->off_strings;
    s->post = s->map + h->off_post;
    s->post_len = h->off_pos - h->off_post;
    s->pos = s->map + h->off_pos;
    s->pos_len = h->off_docs - h->off_pos;
    s->blocks_fill = xmalloc((h->n_blocks ? h->n_blocks : 1) * sizeof *s->blocks_fill);
    s->blocks = s->blocks_fill;
    if (!blocks_decode(s, s->map + h->off_blocks, s->map + h->off_end)) {
        seg_close(s);
        seterr(err, err_len, "segment '%s' is damaged: bad block table", path);
        return PB_EFORMAT;
    }
    seg_ref_factors(h, s->ref_inv);
    *out = s;
    return 0;
}

void seg_close(struct seg *s)
{
    if (!s)
        return;
    munmap((void *)s->map, s->map_len);
    for (int f = 0; f < IF_COUNT; f++)
        xfree(s->norm_fill[f]);
    xfree(s->blocks_fill);
    xfree(s->path);
    xfree(s);
}

static const uint8_t *get_varint64(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
        uint8_t b = *p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *v = x;
            return p;
        }
    }
    return NULL;
}

void seg_term_iter_init(struct seg_term_iter *it, const struct seg *s)
{
    memset(it, 0, sizeof *it);
    it->s = s;
    it->in_group = SEG_DICT_GROUP; /* start a group at the first call */
    it->group = UINT32_MAX;
}

/* Decodes one entry at it->p onto it->cur (which holds the previous term of the group). */
int seg_term_iter_next(struct seg_term_iter *it)
{
    const struct seg *s = it->s;
    const uint8_t *end = s->dict + s->dict_len;
    struct seg_term *t = &it->cur;
    if (it->in_group == SEG_DICT_GROUP || it->group == UINT32_MAX) {
        uint32_t g = it->group == UINT32_MAX ? 0 : it->group + 1;
        if (g >= s->n_groups)
            return 0;
        if (s->groups[g].data_off >= s->dict_len)
            return -1;
        it->group = g;
        it->in_group = 0;
        it->p = s->dict + s->groups[g].data_off;
        it->block_next = s->groups[g].block0;
        it->inl_prev = 0;
        t->post_off = t->pos_off = 0;
        t->len = 0;
    }
    if ((uint64_t)it->group * SEG_DICT_GROUP + it->in_group >= s->h->n_terms)
        return 0;
    uint64_t prefix, suffix;
    const uint8_t *p = it->p;
    if (p >= end)
        return -1;
    if (*p) {
        prefix = *p >> 4;
        suffix = *p++ & 15;
    } else if (!(p = get_varint64(p + 1, end, &prefix)) || !(p = get_varint64(p, end, &suffix))) {
        return -1;
    }
    if (prefix > t->len || prefix + suffix > 255 || suffix == 0 || (uint64_t)(end - p) <= suffix)
        return -1;
    memcpy(t->str + prefix, p, suffix);
    p += suffix;
    t->len = (uint8_t)(prefix + suffix);
    t->str[t->len] = 0;
    unsigned kind = *p++;
    t->fields = kind & 0x3F;
    t->inl_p1 = 0;
    if ((kind & (DICT_INLINE | DICT_TF1)) == (DICT_INLINE | DICT_TF1)) {
        if ((kind & 7) >= IF_COUNT)
            return -1;
        t->fields = (uint8_t)(1u << (kind & 7));
        t->inl_p1 = (kind >> 3) & 7;
    }
    if (!t->fields)
        return -1;
    if (kind & DICT_INLINE) {
        uint64_t zz, tf, total = 0;
        if (!(p = get_varint64(p, end, &zz)))
            return -1;
        int64_t doc = (int64_t)it->inl_prev + (zz & 1 ? -(int64_t)(zz >> 1) - 1 : (int64_t)(zz >> 1));
        if (doc < 0 || doc >= s->h->n_docs)
            return -1;
        it->inl_prev = (uint32_t)doc;
        t->df = 1;
        t->inl_doc = (uint32_t)doc;
        memset(t->inl_tf, 0, sizeof t->inl_tf);
        if (kind & DICT_TF1) {
            t->inl_tf[__builtin_ctz(t->fields)] = 1;
            total = t->inl_p1 ? 0 : 1;
        } else {
            for (int f = 0; f < IF_COUNT; f++) {
                if (!(t->fields & (1u << f)))
                    continue;
                if (!(p = get_varint64(p, end, &tf)) || tf == 0 || tf > UINT32_MAX)
                    return -1;
                t->inl_tf[f] = (uint32_t)tf;
                total += tf;
            }
        }
        t->inl_pos = p;
        for (uint64_t k = 0; k < total; k++) /* skip the positions */
            if (!(p = get_varint64(p, end, &tf)))
                return -1;
        t->max_tfc = 0; /* seg_cursor_init computes it */
        t->n_blocks = 1;
        t->block0 = 0;
    } else {
        uint64_t df, dpost, dpos;
        if ((kind & DICT_TF1) || !(p = get_varint64(p, end, &df)) ||
            !(p = get_varint64(p, end, &dpost)) || !(p = get_varint64(p, end, &dpos)) ||
            end - p < 2 || df < 2 || df > UINT32_MAX)
            return -1;
        t->df = (uint32_t)df;
        t->inl_pos = NULL;
        t->post_off += dpost;
        t->pos_off += dpos;
        t->max_tfc = bf16_float((uint16_t)(p[0] | p[1] << 8));
        p += 2;
        t->n_blocks = (t->df + SEG_BLOCK - 1) / SEG_BLOCK;
        t->block0 = t->n_blocks > 1 ? it->block_next : 0;
        if (t->n_blocks > 1)
            it->block_next += t->n_blocks;
        if (t->post_off >= s->post_len || t->pos_off > s->pos_len ||
            (t->n_blocks > 1 && (uint64_t)t->block0 + t->n_blocks > s->h->n_blocks))
            return -1;
    }
    it->p = p;
    it->in_group++;
    return 1;
}

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

int seg_find(const struct seg *s, const char *term, size_t len, struct seg_term *out)
{
    if (!s->n_groups)
        return 0;
    /* the last group whose first term is <= term */
    uint32_t lo = 0, hi = s->n_groups;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        const uint8_t *p = s->dict + s->groups[mid].data_off;
        const uint8_t *end = s->dict + s->dict_len;
        uint64_t prefix = 0, suffix;
        if (s->groups[mid].data_off >= s->dict_len)
            return 0; /* damaged: seg_check reports it */
        if (*p) {
            suffix = *p++ & 15;
        } else if (!(p = get_varint64(p + 1, end, &prefix)) ||
                   !(p = get_varint64(p, end, &suffix))) {
            return 0;
        }
        if ((uint64_t)(end - p) < suffix)
            return 0;
        if (cmp_bytes((const char *)p, suffix, term, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    struct seg_term_iter it;
    seg_term_iter_init(&it, s);
    it.group = lo == 0 ? UINT32_MAX : lo - 1;
    it.in_group = SEG_DICT_GROUP;
    for (int i = 0; i < SEG_DICT_GROUP; i++) {
        if (seg_term_iter_next(&it) != 1)
            return 0;
        int c = cmp_bytes(it.cur.str, it.cur.len, term, len);
        if (c == 0) {
            *out = it.cur;
            return 1;
        }
        if (c > 0)
            return 0;
    }
    return 0;
}

int64_t seg_docnum(const struct seg *s, uint32_t docid)
{
    size_t lo = 0, hi = s->h->n_docs;
    if (!s->pids && !s->docids)
        return docid >= s->h->docid_base && docid - s->h->docid_base < s->h->n_docs
                   ? (int64_t)(docid - s->h->docid_base)
                   : -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t x = s->pids ? s->pids[mid].docid : s->docids[mid];
        if (x == docid)
            return s->pids ? s->pids[mid].docnum : (int64_t)mid;
        if (x < docid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- cursors ---- */

/* Decodes the document numbers of a block of n postings at p (prev: the document before the
 * block); returns the byte after them (the block's masks and tfs), or NULL if damaged. */
static const uint8_t *decode_docs_at(const struct seg *s, const uint8_t *p, uint32_t prev,
                                     uint32_t n, uint32_t *docs)
{
    if (!n || !(p = pack_decode(p, s->post + s->post_len, n, docs)))
        return NULL;
    /* in 64 bits: damaged gaps cannot wrap past the bound check */
    uint64_t d = prev == UINT32_MAX ? 0 : (uint64_t)prev + 1;
    for (uint32_t i = 0; i < n; i++) {
        d += docs[i];
        docs[i] = (uint32_t)d++;
    }
    return d - 1 < s->h->n_docs ? p : NULL;
}

const uint8_t seg_popcount6[64] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 1, 2, 2, 3, 2, 3,
                                   3, 4, 2, 3, 3, 4, 3, 4, 4, 5, 1, 2, 2, 3, 2, 3, 3, 4, 2, 3, 3, 4,
                                   3, 4, 4, 5, 2, 3, 3, 4, 3, 4, 4, 5, 3, 4, 4, 5, 4, 5, 5, 6};

/* Decodes the field masks and tfs of the cursor's block (of a term with field union `fields`)
 * at p into c->masks, c->tfo and c->tfv; returns the byte after the block, or NULL if it is
 * damaged. The tfs stay as stored, one after the other: spreading them into a table of
 * IF_COUNT per posting took longer than decoding them. */
static const uint8_t *decode_tfs_at(struct seg_cursor *c, const uint8_t *p, uint8_t fields)
{
    const uint8_t *end = c->s->post + c->s->post_len;
    uint32_t n = c->n, m = 0;
    if (fields & (fields - 1)) {
        if (p >= end)
            return NULL;
        uint32_t is_packed = *p & MASKS_PACKED, k = *p++ & ~MASKS_PACKED;
        uint32_t mw = seg_popcount6[fields], len = (k * mw + 7) / 8;
        uint8_t pal[64];
        if (k == 0 || k > 63 || (k == 1 && is_packed) || (size_t)(end - p) < len)
            return NULL;
        if (len <= 8) { /* the usual palette: one load, masks from the cursor's table */
            uint64_t w = 0;
            memcpy(&w, p, len);
            for (uint32_t j = 0; j < k; j++, w >>= mw)
                pal[j] = c->mexp[w & ((1u << mw) - 1)];
        } else {
            uint32_t sub[64];
            if (!unpack_bits(p, end, k, mw, sub))
                return NULL;
            for (uint32_t j = 0; j < k; j++)
                pal[j] = c->mexp[sub[j]];
        }
        p += len;
        for (uint32_t j = 0; j < k; j++)
            if (!pal[j])
                return NULL;
        if (k == 1) {
            memset(c->masks, pal[0], n);
        } else {
            uint32_t v[SEG_BLOCK];
            if (is_packed)
                p = pack_decode(p, end, n, v);
            else
                p = unpack_bits(p, end, n, width(k - 1), v);
            if (!p)
                return NULL;
            for (uint32_t i = 0; i < n; i++) {
                if (v[i] >= k)
                    return NULL;
                c->masks[i] = pal[v[i]];
            }
        }
    } else {
        memset(c->masks, fields, n);
    }
    for (uint32_t i = 0; i < n; i++) {
        c->tfo[i] = (uint16_t)m;
        m += seg_popcount6[c->masks[i] & 63];
    }
    c->tfo[n] = (uint16_t)m;
    for (uint32_t j = 0; j < m; j += PACK_MAX)
        if (!(p = pack_decode(p, end, m - j < PACK_MAX ? m - j : PACK_MAX, c->tfv + j)))
            return NULL;
    return p;
}

/* The reference tfc of the cursor's current posting (an inline term's max_tfc). */
static float cursor_ref_tfc(const struct seg_cursor *c)
{
    uint8_t norm[IF_COUNT];
    uint32_t tf[IF_COUNT];
    for (int f = 0; f < IF_COUNT; f++) {
        norm[f] = c->s->norms[f][c->docs[c->i]];
        tf[f] = seg_cursor_tf(c, c->i, f);
    }
    return ref_tfc(c->s->ref_inv, tf, norm);
}

/* One posting of the cursor's block as one tf per field (0: not in the field). */
static void tf_row(const struct seg_cursor *c, uint32_t k, uint32_t tf[IF_COUNT])
{
    for (int f = 0; f < IF_COUNT; f++)
        tf[f] = seg_cursor_tf(c, k, f);
}

static void decode_block(struct seg_cursor *c, uint32_t blk)
{
    const struct seg_term *t = &c->t;
    const struct seg *s = c->s;
    c->blk = blk;
    c->i = 0;
    c->pos_located = 0;
    for (int f = 0; f < IF_COUNT; f++)
        c->pf_i[f] = c->pf_start[f] = 0, c->ch_idx[f] = UINT32_MAX;
    if (t->inl_pos) {
        c->n = 1;
        c->has_tf = 1;
        c->docs[0] = t->inl_doc;
        c->masks[0] = t->fields;
        c->tfo[0] = 0;
        for (int f = 0; f < IF_COUNT; f++)
            if (t->inl_tf[f])
                c->tfv[c->tfo[0]++] = t->inl_tf[f] - 1;
        c->tfo[1] = c->tfo[0];
        c->tfo[0] = 0;
        c->pos_blk = t->inl_pos;
        return;
    }
    const struct seg_block *b = &c->blocks[blk];
    uint32_t prev = blk ? c->blocks[blk - 1].last_doc : UINT32_MAX;
    uint32_t n = blk + 1 == t->n_blocks ? t->df - blk * SEG_BLOCK : SEG_BLOCK;
    const uint8_t *p = NULL;
    if (t->post_off + b->post_off < s->post_len)
        p = decode_docs_at(s, s->post + t->post_off + b->post_off, prev, n, c->docs);
    if (!p || t->pos_off + b->pos_off > s->pos_len) {
        /* damaged: the cursor ends here (seg_check reports it) */
        c->is_damaged = 1;
        c->n = 1;
        c->docs[0] = SEG_DOC_END;
        c->masks[0] = 0;
        c->tfo[0] = c->tfo[1] = 0;
        c->has_tf = 1;
        c->pos_blk = s->pos + s->pos_len;
        return;
    }
    c->n = n;
    c->has_tf = 0;
    c->tf_p = p;
    c->pos_blk = s->pos + t->pos_off + b->pos_off;
}

void seg_cursor_load_tf(struct seg_cursor *c)
{
    c->has_tf = 1;
    c->blk_end = decode_tfs_at(c, c->tf_p, c->t.fields);
    if (!c->blk_end) {
        c->is_damaged = 1;
        memset(c->masks, 0, c->n);
        memset(c->tfo, 0, (c->n + 1) * sizeof *c->tfo);
    }
}

void seg_cursor_init(struct seg_cursor *c, const struct seg *s, const struct seg_term *t)
{
    c->s = s;
    c->doc = SEG_DOC_END;
    c->n = c->i = 0;
    c->is_damaged = 0;
    if (!t || !t->df) {
        memset(&c->t, 0, sizeof c->t);
        return;
    }
    c->t = *t;
    if (t->fields & (t->fields - 1)) /* the masks a palette entry of m bits stands for */
        for (uint32_t x = 0; x < 1u << seg_popcount6[t->fields & 63]; x++)
            c->mexp[x] = mask_expand(x, t->fields);
    if (t->n_blocks > 1) {
        c->blocks = s->blocks + t->block0;
    } else {
        c->one.post_off = c->one.pos_off = 0;
        c->one.last_doc = SEG_DOC_END - 1; /* set below, once decoded */
        c->one.max_tfc = t->max_tfc;
        c->blocks = &c->one;
    }
    decode_block(c, 0);
    c->doc = c->docs[0];
    if (t->n_blocks <= 1)
        c->one.last_doc = c->docs[c->n - 1];
    if (t->inl_pos)
        c->t.max_tfc = c->one.max_tfc = cursor_ref_tfc(c);
}

uint32_t seg_cursor_block_of(const struct seg_cursor *c, uint32_t target)
{
    const struct seg_block *b = c->blocks;
    uint32_t lo = c->blk, hi = c->t.n_blocks;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b[mid].last_doc < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t seg_cursor_advance(struct seg_cursor *c, uint32_t target)
{
    if (c->doc == SEG_DOC_END || c->doc >= target)
        return c->doc;
    if (target == SEG_DOC_END) {
        c->doc = SEG_DOC_END;
        return c->doc;
    }
    if (c->docs[c->n - 1] < target) {
        uint32_t blk = seg_cursor_block_of(c, target);
        if (blk >= c->t.n_blocks) {
            c->doc = SEG_DOC_END;
            return c->doc;
        }
        decode_block(c, blk);
    }
    uint32_t i = c->i;
    while (c->docs[i] < target)
        i++;
    c->i = i;
    c->doc = c->docs[i];
    return c->doc;
}

/* Finds where each field's positions start in the current block. */
static int locate_positions(struct seg_cursor *c)
{
    uint64_t cnt[IF_COUNT] = {0};
    for (uint32_t i = 0; i < c->n; i++)
        for (int f = 0; f < IF_COUNT; f++)
            cnt[f] += seg_cursor_tf(c, i, f);
    const uint8_t *p = c->pos_blk, *end = c->s->pos + c->s->pos_len;
    for (int f = 0; f < IF_COUNT; f++) {
        if (cnt[f] > UINT32_MAX)
            return -1;
        c->pos_n[f] = (uint32_t)cnt[f];
        c->pos_f[f] = p;
        for (uint64_t k = 0; k < cnt[f] && p; k += PACK_MAX)
            p = pack_skip(p, end, cnt[f] - k < PACK_MAX ? (uint32_t)(cnt[f] - k) : PACK_MAX);
        if (!p)
            return -1;
    }
    c->pos_located = 1;
    return 0;
}

/* Decodes chunk k of field f's positions in the block into c->chunk[f]. */
static int load_chunk(struct seg_cursor *c, int f, uint32_t k)
{
    const uint8_t *p = c->pos_f[f], *end = c->s->pos + c->s->pos_len;
    uint32_t from = 0;
    if (c->ch_idx[f] != UINT32_MAX && c->ch_idx[f] < k) {
        p = c->ch_next[f];
        from = c->ch_idx[f] + 1;
    }
    uint32_t n = c->pos_n[f];
    for (uint32_t j = from; j < k && p; j++)
        p = pack_skip(p, end, PACK_MAX);
    uint32_t len = n - k * PACK_MAX < PACK_MAX ? n - k * PACK_MAX : PACK_MAX;
    if (!p || !(p = pack_decode(p, end, len, c->chunk[f])))
        return -1;
    c->ch_idx[f] = k;
    c->ch_next[f] = p;
    return 0;
}

size_t seg_cursor_positions(struct seg_cursor *c, int field, uint32_t *out, size_t max)
{
    if (c->doc == SEG_DOC_END)
        return 0;
    seg_cursor_load(c);
    if (!(c->masks[c->i] & (1u << field)))
        return 0;
    uint32_t n = seg_cursor_tf(c, c->i, field);
    size_t k = 0;
    uint32_t pos = 0;
    if (c->t.inl_p1) { /* one position, in the entry's kind byte */
        if (max)
            out[k++] = c->t.inl_p1 - 1;
        return k;
    }
    if (c->t.inl_pos) {
        const uint8_t *p = c->pos_blk, *end = c->s->dict + c->s->dict_len;
        uint64_t v;
        for (int f = 0; f < field; f++)
            for (uint32_t j = 0; j < c->t.inl_tf[f]; j++)
                if (!(p = get_varint64(p, end, &v)))
                    goto damaged;
        for (uint32_t j = 0; j < n && k < max; j++) {
            if (!(p = get_varint64(p, end, &v)) || v > UINT32_MAX)
                goto damaged;
            pos = j ? pos + 1 + (uint32_t)v : (uint32_t)v;
            out[k++] = pos;
        }
        return k;
    }
    if (!c->pos_located && locate_positions(c))
        goto damaged;
    if (c->pf_i[field] > c->i)
        c->pf_i[field] = c->pf_start[field] = 0;
    while (c->pf_i[field] < c->i)
        c->pf_start[field] += seg_cursor_tf(c, c->pf_i[field]++, field);
    uint32_t at = c->pf_start[field];
    if ((uint64_t)at + n > c->pos_n[field])
        goto damaged;
    for (uint32_t j = 0; j < n && k < max; j++, at++) {
        if (c->ch_idx[field] != at / PACK_MAX && load_chunk(c, field, at / PACK_MAX))
            goto damaged;
        uint32_t v = c->chunk[field][at % PACK_MAX];
        pos = j ? pos + 1 + v : v;
        out[k++] = pos;
    }
    return k;
damaged:
    c->is_damaged = 1;
    return k;
}

/* The current posting of c as tb_add takes it: tf per field, and the positions of its fields
 * concatenated in field order into *pos (grown as needed). Returns the number of positions. */
static size_t cursor_posting(struct seg_cursor *c, uint32_t tf[IF_COUNT], uint32_t **pos,
                             size_t *cap)
{
    seg_cursor_load(c);
    size_t np = 0;
    for (int f = 0; f < IF_COUNT; f++) {
        tf[f] = 0;
        if (!(c->masks[c->i] & (1u << f)))
            continue;
        size_t want = seg_cursor_tf(c, c->i, f);
        *pos = xgrow(*pos, sizeof **pos, np + want, cap);
        tf[f] = (uint32_t)seg_cursor_positions(c, f, *pos + np, want);
        np += tf[f];
    }
    return np;
}

/* ---- a paper's own id, which the dictionary does not hold ---- */

void seg_id_term(const struct seg *s, uint32_t docnum, struct seg_term *out)
{
    memset(out, 0, sizeof *out);
    out->df = 1;
    out->n_blocks = 1;
    out->fields = 1u << IF_ID;
    out->inl_doc = docnum;
    out->inl_tf[IF_ID] = 1;
    out->inl_p1 = 1;        /* position 0 */
    out->inl_pos = s->dict; /* marks the posting inline; never read, as inl_p1 is set */
}

int seg_term_has(const struct seg *s, const struct seg_term *t, uint32_t docnum)
{
    struct seg_cursor *c = xmalloc(sizeof *c);
    seg_cursor_init(c, s, t);
    int has = seg_cursor_advance(c, docnum) == docnum;
    xfree(c);
    return has;
}

struct seg_view *seg_view_with_id(const struct seg *s, const struct seg_term *t, uint32_t docnum)
{
    struct seg_out *o = xcalloc(1, sizeof *o);
    memcpy(o->ref_inv, s->ref_inv, sizeof o->ref_inv); /* the segment's block maxima */
    o->norms_of = s;
    struct tb b;
    tb_init(&b);
    struct seg_cursor *c = xmalloc(sizeof *c);
    uint32_t *pos = NULL;
    size_t cap = 0;
    int added = 0;
    seg_cursor_init(c, s, t);
    for (;;) {
        uint32_t d = c->doc, tf[IF_COUNT];
        if (!added && docnum <= d) {
            /* the id posting, alone or joined to the document's posting */
            size_t np = 0, at = 0;
            if (d == docnum) {
                np = cursor_posting(c, tf, &pos, &cap);
                seg_cursor_next(c);
            } else {
                memset(tf, 0, sizeof tf);
            }
            added = 1;
            if (!tf[IF_ID]) {
                for (int f = 0; f < IF_ID; f++)
                    at += tf[f];
                pos = xgrow(pos, sizeof *pos, np + 1, &cap);
                memmove(pos + at + 1, pos + at, (np - at) * sizeof *pos);
                pos[at] = 0;
                tf[IF_ID] = 1;
            }
            tb_add(&b, docnum, tf, pos);
            continue;
        }
        if (d == SEG_DOC_END)
            break;
        cursor_posting(c, tf, &pos, &cap);
        tb_add(&b, d, tf, pos);
        seg_cursor_next(c);
    }
    struct seg_view *v = xcalloc(1, sizeof *v);
    float term_max = encode_term(o, &b, 0);
    v->s = *s;
    v->s.post = o->ep.p;
    v->s.post_len = o->ep.len;
    v->s.pos = o->eq.p;
    v->s.pos_len = o->eq.len;
    v->s.blocks = b.n_blocks > 1 ? b.blocks : NULL;
    v->t = *t;
    v->t.df = b.df;
    v->t.fields = b.fields;
    v->t.post_off = v->t.pos_off = 0;
    v->t.block0 = 0;
    v->t.n_blocks = (uint32_t)b.n_blocks;
    v->t.max_tfc = term_max;
    v->t.inl_pos = NULL;
    v->t.inl_p1 = 0;
    if (b.n_blocks > 1)
        b.blocks = NULL; /* the view's now */
    o->ep.p = o->eq.p = NULL;
    tb_release(&b);
    for (int f = 0; f < IF_COUNT; f++)
        xfree(o->fv[f]);
    xfree(o);
    xfree(c);
    xfree(pos);
    return v;
}

void seg_view_free(struct seg_view *v)
{
    if (!v)
        return;
    xfree((void *)v->s.post);
    xfree((void *)v->s.pos);
    xfree((void *)v->s.blocks);
    xfree(v);
}

/* ---- merging ---- */

struct merge_src {
    const struct seg *s;
    const uint8_t *deleted;
    uint32_t *remap; /* docnum -> new docnum or UINT32_MAX */
    struct seg_term_iter it;
    int has; /* it.cur is the next term to merge */
};

static int is_deleted(const uint8_t *bits, uint32_t docnum)
{
    return bits && (bits[docnum >> 3] >> (docnum & 7)) & 1;
}

#define MERGE_DROP_POSTINGS ((size_t)1 << 22) /* postings merged between two map_drop calls */

int seg_merge(struct seg *const *segs, const uint8_t *const *deleted, size_t n, const char *path,
              char *err, size_t err_len)
{
    struct merge_src *src = xcalloc(n ? n : 1, sizeof *src);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += segs[i]->h->n_docs;
    struct seg_doc *docs = xmalloc((total ? total : 1) * sizeof *docs);
    uint32_t n_docs = 0;
    uint64_t len_sum[IF_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        src[i].s = segs[i];
        src[i].deleted = deleted ? deleted[i] : NULL;
        src[i].remap = xmalloc((segs[i]->h->n_docs + 1) * sizeof(uint32_t));
        for (uint32_t d = 0; d < segs[i]->h->n_docs; d++) {
            if (is_deleted(src[i].deleted, d)) {
                src[i].remap[d] = UINT32_MAX;
                continue;
            }
            src[i].remap[d] = n_docs;
            seg_doc_at(segs[i], d, &docs[n_docs]);
            for (int f = 0; f < IF_COUNT; f++)
                len_sum[f] += seg_norm_decode(docs[n_docs].norm[f]);
            n_docs++;
        }
    }
    struct seg_out o;
    int rc = out_open(&o, path, err, err_len);
    out_set_docs(&o, docs, n_docs, len_sum);
    struct tb b;
    tb_init(&b);
    struct seg_cursor *c = xmalloc(sizeof *c);
    uint32_t *positions = NULL;
    size_t cap_positions = 0;
    size_t read_since_drop = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        seg_term_iter_init(&src[i].it, segs[i]);
        src[i].has = seg_term_iter_next(&src[i].it);
        if (src[i].has < 0) {
            seterr(err, err_len, "segment '%s': damaged dictionary", segs[i]->path);
            rc = PB_EFORMAT;
        }
    }
    while (!rc) {
        /* the smallest next term over all inputs */
        const struct seg_term *best = NULL;
        for (size_t i = 0; i < n; i++)
            if (src[i].has == 1 &&
                (!best || cmp_bytes(src[i].it.cur.str, src[i].it.cur.len, best->str,
                                    best->len) < 0))
                best = &src[i].it.cur;
        if (!best)
            break;
        char term[256];
        size_t best_len = best->len;
        memcpy(term, best->str, best_len);
        tb_reset(&b);
        for (size_t i = 0; i < n; i++) {
            if (src[i].has != 1 || cmp_bytes(src[i].it.cur.str, src[i].it.cur.len, term,
                                              best_len) != 0)
                continue;
            struct seg_term t = src[i].it.cur;
            src[i].has = seg_term_iter_next(&src[i].it);
            if (src[i].has < 0) {
                seterr(err, err_len, "segment '%s': damaged dictionary", segs[i]->path);
                rc = PB_EFORMAT;
            }
            for (seg_cursor_init(c, src[i].s, &t); c->doc != SEG_DOC_END; seg_cursor_next(c)) {
                uint32_t nd = src[i].remap[c->doc];
                if (nd == UINT32_MAX)
                    continue;
                uint32_t tf[IF_COUNT];
                cursor_posting(c, tf, &positions, &cap_positions);
                tb_add(&b, nd, tf, positions);
                /* the inputs are read once, in order: what was read need not stay resident */
                if (++read_since_drop == MERGE_DROP_POSTINGS) {
                    read_since_drop = 0;
                    for (size_t k = 0; k < n; k++)
                        map_drop(segs[k]->map, segs[k]->map_len);
                }
            }
        }
        if (!rc)
            out_term(&o, term, best_len, &b);
    }
    xfree(c);
    xfree(positions);
    tb_release(&b);
    if (!rc)
        rc = out_finish(&o, docs, n_docs, len_sum, err, err_len);
    else
        out_discard(&o);
    for (size_t i = 0; i < n; i++)
        xfree(src[i].remap);
    xfree(src);
    xfree(docs);
    return rc;
}

/* ---- checking ---- */

int seg_check(const struct seg *s, char *err, size_t err_len)
{
    const struct seg_header *h = s->h;
#define BAD(...)                                                                                   \
    do {                                                                                           \
        char m_[200];                                                                              \
        snprintf(m_, sizeof m_, __VA_ARGS__);                                                      \
        seterr(err, err_len, "segment '%s': %s", s->path, m_);                                     \
        rc = PB_EFORMAT;                                                                           \
        goto out;                                                                                  \
    } while (0)
    int rc = 0;
    struct seg_cursor *c = xmalloc(sizeof *c);
    float(*ref_inv)[256] = xmalloc(sizeof(float[IF_COUNT][256]));
    seg_ref_factors(h, ref_inv);
    uint32_t *posv = NULL;
    size_t cap_posv = 0;
    if (seg_checksum(s->map + sizeof *h, h->off_end - sizeof *h) != h->checksum)
        BAD("checksum mismatch");
    for (uint32_t i = 0; i < h->n_docs; i++) {
        if (!s->pids) {
            if (i && seg_docid(s, i - 1) >= seg_docid(s, i))
                BAD("docids not increasing at %u", i);
            continue;
        }
        if (s->pids[i].docnum >= h->n_docs || seg_docid(s, s->pids[i].docnum) != s->pids[i].docid)
            BAD("pid table entry %u does not match the documents", i);
        if (i && s->pids[i - 1].docid >= s->pids[i].docid)
            BAD("pid table not sorted at %u", i);
    }
    uint64_t blocks_seen = 0;
    struct seg_term_iter it;
    seg_term_iter_init(&it, s);
    char prev_term[256];
    size_t prev_len = 0;
    uint32_t ti = 0;
    int more;
    while ((more = seg_term_iter_next(&it)) == 1) {
        const struct seg_term *t = &it.cur;
        if (ti && cmp_bytes(prev_term, prev_len, t->str, t->len) >= 0)
            BAD("dictionary not sorted at term %u ('%s')", ti, t->str);
        memcpy(prev_term, t->str, t->len);
        prev_len = t->len;
        if (t->inl_pos && t->df != 1)
            BAD("inline term '%s' has %u postings", t->str, t->df);
        if (t->n_blocks > 1) {
            if (t->block0 != blocks_seen)
                BAD("term '%s' starts at block %u, expected %llu", t->str, t->block0,
                    (unsigned long long)blocks_seen);
            blocks_seen += t->n_blocks;
            for (uint32_t bi = 0; bi < t->n_blocks; bi++) {
                const struct seg_block *b = &s->blocks[t->block0 + bi];
                /* a term's first block, and only it, starts at its offsets */
                if (t->post_off + b->post_off >= s->post_len ||
                    t->pos_off + b->pos_off > s->pos_len || (bi == 0) != (b->post_off == 0))
                    BAD("block %u of '%s' is inconsistent", bi, t->str);
            }
        }
        uint32_t count = 0, prev = 0;
        uint8_t fields = 0;
        float block_max = 0;
        for (seg_cursor_init(c, s, t); c->doc != SEG_DOC_END; seg_cursor_next(c)) {
            if (c->doc >= h->n_docs || (count && c->doc <= prev))
                BAD("postings of '%s' out of order at %u", t->str, count);
            seg_cursor_load(c);
            /* a block ends where the next one starts */
            if (c->i == 0 && c->blk + 1 < t->n_blocks &&
                c->blk_end != s->post + t->post_off + c->blocks[c->blk + 1].post_off)
                BAD("block %u of '%s' does not end where the next begins", c->blk, t->str);
            const struct seg_block *b = &c->blocks[c->blk];
            if (c->doc > b->last_doc || (c->i + 1 == c->n && c->doc != b->last_doc))
                BAD("block %u of '%s' has the wrong last document", c->blk, t->str);
            seg_cursor_load(c);
            uint8_t mask = c->masks[c->i];
            if (!mask || mask >> IF_COUNT)
                BAD("posting of '%s' has field mask %#x", t->str, mask);
            fields |= mask;
            struct seg_doc dd;
            seg_doc_at(s, c->doc, &dd);
            uint32_t row[IF_COUNT];
            tf_row(c, c->i, row);
            float x = ref_tfc((const float(*)[256])ref_inv, row, dd.norm);
            if (x > b->max_tfc * 1.0001f + 1e-6f || x > c->t.max_tfc * 1.0001f + 1e-6f)
                BAD("block bound of '%s' does not hold for document %u", t->str, c->doc);
            /* a stored block's maximum is its postings' highest, rounded up to the next code */
            block_max = c->i ? fmaxf(block_max, x) : x;
            if (t->n_blocks > 1 && c->i + 1 == c->n &&
                b->max_tfc != block_max_decode(block_max_code(block_max)))
                BAD("block %u of '%s' has maximum %g, stored as %g", c->blk, t->str,
                    (double)block_max, (double)b->max_tfc);
            for (int f = 0; f < IF_COUNT; f++) {
                uint32_t tf = row[f];
                if (!(mask & (1u << f)))
                    continue;
                if (!tf)
                    BAD("posting of '%s' has tf 0 in document %u", t->str, c->doc);
                posv = xgrow(posv, sizeof *posv, tf, &cap_posv);
                size_t np = seg_cursor_positions(c, f, posv, tf);
                for (size_t k = 1; k < np; k++)
                    if (posv[k] <= posv[k - 1])
                        BAD("positions of '%s' not increasing in document %u", t->str, c->doc);
                if (np != tf || c->is_damaged)
                    BAD("positions of '%s' in document %u do not decode", t->str, c->doc);
            }
            prev = c->doc;
            count++;
        }
        if (c->is_damaged)
            BAD("postings of '%s' do not decode", t->str);
        if (count != t->df || fields != t->fields)
            BAD("term '%s' has %u postings, dictionary says %u", t->str, count, t->df);
        ti++;
    }
    if (more < 0)
        BAD("dictionary damaged after term %u", ti);
    if (ti != h->n_terms)
        BAD("%u terms in the dictionary, header says %u", ti, h->n_terms);
    if (blocks_seen != h->n_blocks)
        BAD("%llu blocks used, header says %u", (unsigned long long)blocks_seen, h->n_blocks);
out:
    xfree(c);
    xfree(ref_inv);
    xfree(posv);
    return rc;
#undef BAD
}
