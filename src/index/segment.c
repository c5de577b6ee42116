/* Segment files: writing (from documents or by merging), reading via mmap, cursors, checking.
 *
 * Format (little-endian host layout, every section 8-byte aligned; docs/INDEX_FORMAT.md):
 *   header   struct seg_header: magic "PBSEG03\n", counts, per-field length sums, section
 *            offsets, and a 64-bit checksum of everything after the header
 *   post     per term, its postings in blocks of SEG_BLOCK documents; per document:
 *            varint(docnum - previous docnum; the first of the term counts from -1, the first
 *            of a block from the previous block's last_doc), then one byte field << 4 | tf
 *            when the term is in one field with tf <= 15 (most postings), else 0xFF, a field
 *            mask byte and one varint tf per set field bit (low bit first)
 *   pos      per term, per document in postings order, per set field in bit order: tf varints
 *            of position deltas (the first from 0)
 *   docs     by column: n_docs u32 caller's docids, n_docs i32 days, then for each field
 *            n_docs u8 quantised lengths (seg_norm_encode)
 *   pids     n_docs struct seg_pid (docid, docnum) sorted by docid, for replacing documents
 *   dict     n_groups struct seg_dgroup: the sparse index of the dictionary, one entry per
 *            SEG_DICT_GROUP terms (offset of the group's data, its first block index)
 *   terms    the dictionary data, terms in byte order, per term: varint shared-prefix length
 *            with the previous term of its group (0 for a group's first), varint suffix
 *            length, the suffix, varint df, varint64 postings offset and varint64 positions
 *            offset (deltas from the previous term of the group; the first is absolute), the
 *            field-mask byte, and max_tfc as a bfloat16 rounded up (2 bytes, little-endian).
 *            A term with df > SEG_BLOCK has ceil(df / SEG_BLOCK) entries in blocks, taken in
 *            term order from the group's first block index; a smaller term's one block is
 *            implied (offsets 0, its max_tfc the term's)
 *   blocks   struct seg_block per postings block of the terms with more than one: last
 *            docnum, offsets, and the block's highest reference score factor (the block-max
 *            bound of dynamic pruning; seg.h)
 * Files are written to NAME.tmp, checksummed, fsync'ed and renamed: a segment either exists
 * complete or not at all. */
#include "seg.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/alloc.h"
#include "token.h"

static const char SEG_MAGIC[8] = {'P', 'B', 'S', 'E', 'G', '0', '3', '\n'};

_Static_assert(sizeof(struct seg_header) == 8 + 16 + 8 * IF_COUNT + 12 * IF_COUNT + 8 * 8 + 8,
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

static inline const uint8_t *skip_varints(const uint8_t *p, uint64_t n)
{
    while (n) {
        if (*p++ < 0x80)
            n--;
    }
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
    struct seg_block *blocks;
    size_t n_blocks, cap_blocks;
    int failed;
    struct seg_header ref;        /* reference parameters (ref_* fields only) */
    float ref_inv[IF_COUNT][256]; /* seg_ref_factors of ref */
    const struct seg_doc *docs;   /* the documents' length codes, for block maxima */
    uint32_t dec_docs[SEG_BLOCK];
    uint8_t dec_masks[SEG_BLOCK];
    uint32_t dec_tf[SEG_BLOCK][IF_COUNT];
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

static inline void bytes_varint64(struct bytes *b, uint64_t v)
{
    bytes_reserve(b, 10);
    while (v >= 0x80) {
        b->p[b->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (uint8_t)v;
}

static void out_term(struct seg_out *o, const char *term, size_t len, struct tb *b)
{
    tb_close_block(b);
    if (!b->df)
        return;
    /* block maxima: decode each block once more */
    float term_max = 0;
    for (size_t k = 0; k < b->n_blocks; k++) {
        struct seg_block *blk = &b->blocks[k];
        uint32_t prev = k ? b->blocks[k - 1].last_doc : UINT32_MAX;
        uint32_t n = k + 1 == b->n_blocks ? b->df - (uint32_t)k * SEG_BLOCK : SEG_BLOCK;
        decode_postings(b->post.p + blk->post_off, prev, n, o->dec_docs, o->dec_masks,
                        o->dec_tf);
        float m = 0;
        for (uint32_t i = 0; i < n; i++) {
            float x = ref_tfc(o->ref_inv, o->dec_tf[i], o->docs[o->dec_docs[i]].norm);
            if (x > m)
                m = x;
        }
        blk->max_tfc = m;
        if (m > term_max)
            term_max = m;
    }
    /* the dictionary entry, prefix-compressed within its group */
    size_t prefix = 0;
    if (o->n_terms % SEG_DICT_GROUP == 0) {
        o->groups = xgrow(o->groups, sizeof *o->groups, o->n_groups + 1, &o->cap_groups);
        o->groups[o->n_groups++] = (struct seg_dgroup){(uint32_t)o->dict.len,
                                                       (uint32_t)o->n_blocks};
        o->prev_post = o->prev_pos = 0;
    } else {
        while (prefix < len && prefix < o->prev_len && o->prev[prefix] == term[prefix])
            prefix++;
    }
    bytes_varint(&o->dict, (uint32_t)prefix);
    bytes_varint(&o->dict, (uint32_t)(len - prefix));
    bytes_reserve(&o->dict, len - prefix);
    memcpy(o->dict.p + o->dict.len, term + prefix, len - prefix);
    o->dict.len += len - prefix;
    bytes_varint(&o->dict, b->df);
    bytes_varint64(&o->dict, o->post_len - o->prev_post);
    bytes_varint64(&o->dict, o->pos_len - o->prev_pos);
    bytes_byte(&o->dict, b->fields);
    uint16_t mx = bf16_up(term_max);
    bytes_byte(&o->dict, (uint8_t)(mx & 0xFF));
    bytes_byte(&o->dict, (uint8_t)(mx >> 8));
    o->prev_post = o->post_len;
    o->prev_pos = o->pos_len;
    memcpy(o->prev, term, len);
    o->prev_len = len;
    o->n_terms++;
    if (b->n_blocks > 1) { /* a one-block term's block is implied by its entry */
        o->blocks = xgrow(o->blocks, sizeof *o->blocks, o->n_blocks + b->n_blocks,
                          &o->cap_blocks);
        memcpy(o->blocks + o->n_blocks, b->blocks, b->n_blocks * sizeof *b->blocks);
        o->n_blocks += b->n_blocks;
    }
    if (b->post.len && fwrite(b->post.p, b->post.len, 1, o->f) != 1)
        o->failed = 1;
    if (b->pos.len && fwrite(b->pos.p, b->pos.len, 1, o->fpos) != 1)
        o->failed = 1;
    o->post_len += b->post.len;
    o->pos_len += b->pos.len;
}

static uint64_t checksum(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h ^ (h >> 32);
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
    struct seg_pid *pids = xmalloc((n_docs ? n_docs : 1) * sizeof *pids);
    for (uint32_t i = 0; i < n_docs; i++)
        pids[i] = (struct seg_pid){docs[i].docid, i};
    qsort(pids, n_docs, sizeof *pids, cmp_pid);
    if (!rc) {
        /* columns: docids, days, then the length codes field by field */
        size_t cap = (size_t)n_docs * 4 + 1;
        uint8_t *col = xmalloc(cap);
        for (uint32_t i = 0; i < n_docs; i++)
            memcpy(col + 4 * (size_t)i, &docs[i].docid, 4);
        rc = write_section(o->f, &off, col, (size_t)n_docs * 4, &h.off_docs);
        for (uint32_t i = 0; i < n_docs; i++)
            memcpy(col + 4 * (size_t)i, &docs[i].day, 4);
        if (!rc && n_docs && fwrite(col, (size_t)n_docs * 4, 1, o->f) != 1)
            rc = -1;
        off += (uint64_t)n_docs * 4;
        for (int f = 0; f < IF_COUNT && !rc; f++) {
            for (uint32_t i = 0; i < n_docs; i++)
                col[i] = docs[i].norm[f];
            if (n_docs && fwrite(col, n_docs, 1, o->f) != 1)
                rc = -1;
            off += n_docs;
        }
        xfree(col);
    }
    if (!rc)
        rc = write_section(o->f, &off, pids, (size_t)n_docs * sizeof *pids, &h.off_pids);
    xfree(pids);
    if (!rc)
        rc = write_section(o->f, &off, o->groups, o->n_groups * sizeof *o->groups, &h.off_dict);
    if (!rc)
        rc = write_section(o->f, &off, o->dict.p, o->dict.len, &h.off_strings);
    if (!rc)
        rc = write_section(o->f, &off, o->blocks, o->n_blocks * sizeof *o->blocks,
                           &h.off_blocks);
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
        h.checksum = checksum((const uint8_t *)m + sizeof h, off - sizeof h);
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
    char *s;
    uint32_t len, hash;
    struct tb b;
};

struct tokrec {
    uint32_t term;
    uint32_t field;
    uint32_t pos;
};

struct slot {
    uint32_t hash, idx;
};

struct seg_writer {
    struct tokenizer *tok;
    struct wterm *terms;
    size_t n_terms, cap_terms;
    struct slot *slots; /* open addressing; idx = term index + 1, 0 empty */
    size_t n_slots;
    struct seg_doc *docs;
    size_t n_docs, cap_docs;
    uint64_t len_sum[IF_COUNT];
    size_t bytes;
    /* per document scratch */
    struct tokrec *recs;
    size_t n_recs, cap_recs;
    uint32_t cur_field;
    uint32_t field_len;
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
    for (size_t i = 0; i < w->n_terms; i++) {
        xfree(w->terms[i].s);
        tb_release(&w->terms[i].b);
    }
    xfree(w->terms);
    xfree(w->slots);
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
    return w->bytes + w->n_terms * (sizeof(struct wterm) + 16) + w->n_slots * sizeof(struct slot) +
           w->n_docs * sizeof(struct seg_doc);
}

static uint32_t hash_term(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static uint32_t term_id(struct seg_writer *w, const char *s, size_t n)
{
    uint32_t h = hash_term(s, n);
    size_t mask = w->n_slots - 1;
    size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
        struct slot sl = w->slots[i];
        if (!sl.idx)
            break;
        if (sl.hash != h)
            continue;
        struct wterm *t = &w->terms[sl.idx - 1];
        if (t->len == n && memcmp(t->s, s, n) == 0)
            return sl.idx - 1;
    }
    if ((w->n_terms + 1) * 2 > w->n_slots) {
        size_t ns = w->n_slots * 2;
        struct slot *slots = xcalloc(ns, sizeof *slots);
        for (size_t k = 0; k < w->n_terms; k++) {
            size_t j = w->terms[k].hash & (ns - 1);
            while (slots[j].idx)
                j = (j + 1) & (ns - 1);
            slots[j] = (struct slot){w->terms[k].hash, (uint32_t)k + 1};
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
    struct wterm *t = &w->terms[w->n_terms];
    t->s = xstrndup(s, n);
    t->len = (uint32_t)n;
    t->hash = h;
    tb_init(&t->b);
    w->slots[i] = (struct slot){h, (uint32_t)w->n_terms + 1};
    return (uint32_t)w->n_terms++;
}

static void push_rec(struct seg_writer *w, const char *s, size_t n, uint32_t pos)
{
    w->recs = xgrow(w->recs, sizeof *w->recs, w->n_recs + 1, &w->cap_recs);
    w->recs[w->n_recs++] = (struct tokrec){term_id(w, s, n), w->cur_field, pos};
}

static int on_token(void *ctx, const struct token *t)
{
    struct seg_writer *w = ctx;
    if (t->flags & TOKEN_STOP)
        return 0;
    push_rec(w, t->term, t->len, t->pos);
    if (!(t->flags & TOKEN_COMPOUND))
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

#define AUTHOR_GAP 8 /* positions between two authors, so phrases do not join names */

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
    for (int f = 0; f < IF_COUNT; f++) {
        const char *text = doc->text[f];
        size_t len = text ? doc->len[f] : 0;
        w->cur_field = (uint32_t)f;
        w->field_len = 0;
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
    if (w->n_recs > 1)
        qsort(w->recs, w->n_recs, sizeof *w->recs, cmp_rec);
    /* one posting per distinct term */
    for (size_t i = 0; i < w->n_recs;) {
        size_t j = i;
        uint32_t tf[IF_COUNT] = {0};
        uint32_t term = w->recs[i].term;
        size_t np = 0;
        while (j < w->n_recs && w->recs[j].term == term) {
            /* drop duplicate positions (a category and its archive can coincide) */
            if (j == i || w->recs[j].field != w->recs[j - 1].field ||
                w->recs[j].pos != w->recs[j - 1].pos) {
                w->posbuf = xgrow(w->posbuf, sizeof *w->posbuf, np + 1, &w->cap_posbuf);
                w->posbuf[np++] = w->recs[j].pos;
                tf[w->recs[j].field]++;
            }
            j++;
        }
        struct tb *b = &w->terms[term].b;
        size_t before = b->post.cap + b->pos.cap;
        tb_add(b, docnum, tf, w->posbuf);
        w->bytes += b->post.cap + b->pos.cap - before;
        i = j;
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
    else if ((uint64_t)h->n_docs * (8 + IF_COUNT) > h->off_pids - h->off_docs ||
             (uint64_t)h->n_docs * sizeof(struct seg_pid) > h->off_dict - h->off_pids ||
             (uint64_t)h->n_groups * sizeof(struct seg_dgroup) > h->off_strings - h->off_dict ||
             (uint64_t)h->n_groups * SEG_DICT_GROUP < h->n_terms ||
             (uint64_t)h->n_blocks * sizeof(struct seg_block) > h->off_end - h->off_blocks)
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
    s->docids = (const void *)(s->map + h->off_docs);
    s->days = (const void *)(s->map + h->off_docs + 4 * (uint64_t)h->n_docs);
    for (int f = 0; f < IF_COUNT; f++)
        s->norms[f] = s->map + h->off_docs + (8 + (uint64_t)f) * h->n_docs;
    s->pids = (const void *)(s->map + h->off_pids);
    s->groups = (const void *)(s->map + h->off_dict);
    s->n_groups = h->n_groups;
    s->dict = s->map + h->off_strings;
    s->dict_len = h->off_blocks - h->off_strings;
    s->blocks = (const void *)(s->map + h->off_blocks);
    s->post = s->map + h->off_post;
    s->post_len = h->off_pos - h->off_post;
    s->pos = s->map + h->off_pos;
    s->pos_len = h->off_docs - h->off_pos;
    seg_ref_factors(h, s->ref_inv);
    *out = s;
    return 0;
}

void seg_close(struct seg *s)
{
    if (!s)
        return;
    munmap((void *)s->map, s->map_len);
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
        t->post_off = t->pos_off = 0;
        t->len = 0;
    }
    if ((uint64_t)it->group * SEG_DICT_GROUP + it->in_group >= s->h->n_terms)
        return 0;
    uint64_t prefix, suffix, df, dpost, dpos;
    const uint8_t *p = it->p;
    if (!(p = get_varint64(p, end, &prefix)) || !(p = get_varint64(p, end, &suffix)) ||
        prefix > t->len || prefix + suffix > 255 || suffix == 0 || (uint64_t)(end - p) < suffix)
        return -1;
    memcpy(t->str + prefix, p, suffix);
    p += suffix;
    t->len = (uint8_t)(prefix + suffix);
    t->str[t->len] = 0;
    if (!(p = get_varint64(p, end, &df)) || !(p = get_varint64(p, end, &dpost)) ||
        !(p = get_varint64(p, end, &dpos)) || end - p < 3 || df == 0 || df > UINT32_MAX)
        return -1;
    t->df = (uint32_t)df;
    t->post_off += dpost;
    t->pos_off += dpos;
    t->fields = p[0];
    t->max_tfc = bf16_float((uint16_t)(p[1] | p[2] << 8));
    p += 3;
    t->n_blocks = (t->df + SEG_BLOCK - 1) / SEG_BLOCK;
    t->block0 = t->n_blocks > 1 ? it->block_next : 0;
    if (t->n_blocks > 1)
        it->block_next += t->n_blocks;
    if (t->post_off >= s->post_len || t->pos_off > s->pos_len ||
        (t->n_blocks > 1 && (uint64_t)t->block0 + t->n_blocks > s->h->n_blocks))
        return -1;
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
        uint64_t prefix, suffix;
        if (s->groups[mid].data_off >= s->dict_len || !(p = get_varint64(p, end, &prefix)) ||
            !(p = get_varint64(p, end, &suffix)) || (uint64_t)(end - p) < suffix)
            return 0; /* damaged: seg_check reports it */
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
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->pids[mid].docid == docid)
            return s->pids[mid].docnum;
        if (s->pids[mid].docid < docid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- cursors ---- */

static void decode_block(struct seg_cursor *c, uint32_t blk)
{
    const struct seg_term *t = &c->t;
    const struct seg_block *b = &c->blocks[blk];
    uint32_t prev = blk ? c->blocks[blk - 1].last_doc : UINT32_MAX;
    uint32_t n = blk + 1 == t->n_blocks ? t->df - blk * SEG_BLOCK : SEG_BLOCK;
    decode_postings(c->s->post + t->post_off + b->post_off, prev, n, c->docs, c->masks, c->tf);
    c->blk = blk;
    c->n = n;
    c->i = 0;
    c->pos_i = 0;
    c->pos_p = c->s->pos + t->pos_off + b->pos_off;
}

void seg_cursor_init(struct seg_cursor *c, const struct seg *s, const struct seg_term *t)
{
    c->s = s;
    c->doc = SEG_DOC_END;
    c->n = c->i = 0;
    if (!t || !t->df) {
        memset(&c->t, 0, sizeof c->t);
        return;
    }
    c->t = *t;
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

size_t seg_cursor_positions(struct seg_cursor *c, int field, uint32_t *out, size_t max)
{
    if (c->doc == SEG_DOC_END || !(c->masks[c->i] & (1u << field)))
        return 0;
    while (c->pos_i < c->i) {
        uint64_t n = 0;
        for (int f = 0; f < IF_COUNT; f++)
            n += c->tf[c->pos_i][f];
        c->pos_p = skip_varints(c->pos_p, n);
        c->pos_i++;
    }
    const uint8_t *p = c->pos_p;
    for (int f = 0; f < field; f++)
        p = skip_varints(p, c->tf[c->i][f]);
    size_t n = c->tf[c->i][field];
    uint32_t pos = 0;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        uint32_t d;
        p = get_varint(p, &d);
        pos += d;
        if (k < max)
            out[k++] = pos;
    }
    return k;
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
                size_t np = 0;
                for (int f = 0; f < IF_COUNT; f++) {
                    tf[f] = 0;
                    if (!(c->masks[c->i] & (1u << f)))
                        continue;
                    size_t want = c->tf[c->i][f];
                    positions = xgrow(positions, sizeof *positions, np + want, &cap_positions);
                    tf[f] = (uint32_t)seg_cursor_positions(c, f, positions + np, want);
                    np += tf[f];
                }
                tb_add(&b, nd, tf, positions);
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
    if (checksum(s->map + sizeof *h, h->off_end - sizeof *h) != h->checksum)
        BAD("checksum mismatch");
    for (uint32_t i = 0; i < h->n_docs; i++) {
        if (s->pids[i].docnum >= h->n_docs || s->docids[s->pids[i].docnum] != s->pids[i].docid)
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
        if (t->n_blocks > 1) {
            if (t->block0 != blocks_seen)
                BAD("term '%s' starts at block %u, expected %llu", t->str, t->block0,
                    (unsigned long long)blocks_seen);
            blocks_seen += t->n_blocks;
            for (uint32_t bi = 0; bi < t->n_blocks; bi++) {
                const struct seg_block *b = &s->blocks[t->block0 + bi];
                if (t->post_off + b->post_off >= s->post_len ||
                    t->pos_off + b->pos_off > s->pos_len || b->max_tfc > t->max_tfc * 1.0001f)
                    BAD("block %u of '%s' is inconsistent", bi, t->str);
            }
        }
        uint32_t count = 0, prev = 0;
        uint8_t fields = 0;
        for (seg_cursor_init(c, s, t); c->doc != SEG_DOC_END; seg_cursor_next(c)) {
            if (c->doc >= h->n_docs || (count && c->doc <= prev))
                BAD("postings of '%s' out of order at %u", t->str, count);
            const struct seg_block *b = &c->blocks[c->blk];
            if (c->doc > b->last_doc || (c->i + 1 == c->n && c->doc != b->last_doc))
                BAD("block %u of '%s' has the wrong last document", c->blk, t->str);
            uint8_t mask = c->masks[c->i];
            if (!mask || mask >> IF_COUNT)
                BAD("posting of '%s' has field mask %#x", t->str, mask);
            fields |= mask;
            struct seg_doc dd;
            seg_doc_at(s, c->doc, &dd);
            float x = ref_tfc((const float(*)[256])ref_inv, c->tf[c->i], dd.norm);
            if (x > b->max_tfc * 1.0001f + 1e-6f || x > t->max_tfc * 1.0001f + 1e-6f)
                BAD("block bound of '%s' does not hold for document %u", t->str, c->doc);
            for (int f = 0; f < IF_COUNT; f++) {
                uint32_t tf = c->tf[c->i][f];
                if (!(mask & (1u << f)))
                    continue;
                if (!tf)
                    BAD("posting of '%s' has tf 0 in document %u", t->str, c->doc);
                posv = xgrow(posv, sizeof *posv, tf, &cap_posv);
                size_t np = seg_cursor_positions(c, f, posv, tf);
                for (size_t k = 1; k < np; k++)
                    if (posv[k] <= posv[k - 1])
                        BAD("positions of '%s' not increasing in document %u", t->str, c->doc);
                if (c->pos_p > s->pos + s->pos_len)
                    BAD("positions of '%s' run past the section", t->str);
            }
            prev = c->doc;
            count++;
        }
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
