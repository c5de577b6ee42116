/* Bit-packed integer blocks (pack.h).
 *
 * A block of n values (n <= PACK_MAX, known to the reader from elsewhere):
 *   byte     b | 0x80 if there are exceptions | 0x40 if their highs are packed; b (0..32) is
 *            the width of every value's low bits
 *   byte     e - 1 | 0x80 if the indexes are a bitmap; e (1..n) is the number of exceptions;
 *            only when 0x80 is set in the first byte
 *   packed   n values of b bits, least significant bit first, (n * b + 7) / 8 bytes
 *   indexes  the positions (< n) of the values wider than b bits: e bytes, strictly
 *            increasing, or, when e > ceil(n / 8), a bitmap of ceil(n / 8) bytes (bit i of the
 *            bitmap, LSB first, set for value i; bits past n zero)
 *   highs    those values shifted right by b (nonzero), in index order: e varints (7 bits a
 *            byte, low first), or with 0x40 a byte hb (0..32 - b) and the highs minus 1
 *            packed at hb bits each, (e * hb + 7) / 8 bytes
 * The encoder picks the b, and the coding of indexes and highs, that make the block smallest:
 * a few large gaps or term frequencies cost a byte or two each instead of widening all 128
 * values (Lucene's PFOR does the same); many values a bit or two wider than the rest cost a
 * bit of the bitmap and a bit or two of highs each.
 * Varints (segment.c) took 2.44 bytes per posting; this takes about 1.3. */
#include "pack.h"

#include <string.h>

static inline unsigned width(uint32_t v)
{
    return v ? 32 - (unsigned)__builtin_clz(v) : 0;
}

size_t pack_bits(uint8_t *out, const uint32_t *v, uint32_t n, unsigned b)
{
    size_t len = ((size_t)n * b + 7) / 8;
    if (!b)
        return 0;
    memset(out, 0, len);
    uint64_t acc = 0;
    unsigned have = 0;
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        acc |= (uint64_t)v[i] << have;
        have += b;
        while (have >= 8) {
            out[o++] = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    if (have)
        out[o++] = (uint8_t)acc;
    return o;
}

/* Eight values of b bits from q (b bytes), by one unaligned 64-bit load each: called with a
 * constant b, the offsets and shifts are constants. */
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline __attribute__((always_inline)) void unpack8(const uint8_t *q, uint32_t *out,
                                                          unsigned b)
{
    const uint64_t mask = b == 32 ? 0xFFFFFFFFull : (1ull << b) - 1;
    out[0] = (uint32_t)(load64(q) & mask);
    out[1] = (uint32_t)((load64(q + 1 * b / 8) >> (1 * b % 8)) & mask);
    out[2] = (uint32_t)((load64(q + 2 * b / 8) >> (2 * b % 8)) & mask);
    out[3] = (uint32_t)((load64(q + 3 * b / 8) >> (3 * b % 8)) & mask);
    out[4] = (uint32_t)((load64(q + 4 * b / 8) >> (4 * b % 8)) & mask);
    out[5] = (uint32_t)((load64(q + 5 * b / 8) >> (5 * b % 8)) & mask);
    out[6] = (uint32_t)((load64(q + 6 * b / 8) >> (6 * b % 8)) & mask);
    out[7] = (uint32_t)((load64(q + 7 * b / 8) >> (7 * b % 8)) & mask);
}

/* Whole groups of 8 values at one constant width, so that unpack8 unrolls. */
#define UNPACK_GROUPS(B)                                                                           \
    do {                                                                                           \
        for (uint32_t g = 0; g < groups; g++)                                                      \
            unpack8(p + (size_t)g * (B), out + 8 * g, (B));                                        \
    } while (0)

const uint8_t *unpack_bits(const uint8_t *p, const uint8_t *end, uint32_t n, unsigned b,
                           uint32_t *out)
{
    size_t len = ((size_t)n * b + 7) / 8;
    if (b > 32 || (size_t)(end - p) < len)
        return NULL;
    if (!b) {
        memset(out, 0, n * sizeof *out);
        return p;
    }
    uint32_t i = 0;
    if ((size_t)(end - p) >= len + 8) {
        /* fast path: whole groups of 8 values, which take exactly b bytes */
        uint32_t groups = n / 8;
        switch (b) {
        case 1: UNPACK_GROUPS(1); break;
        case 2: UNPACK_GROUPS(2); break;
        case 3: UNPACK_GROUPS(3); break;
        case 4: UNPACK_GROUPS(4); break;
        case 5: UNPACK_GROUPS(5); break;
        case 6: UNPACK_GROUPS(6); break;
        case 7: UNPACK_GROUPS(7); break;
        case 8: UNPACK_GROUPS(8); break;
        case 9: UNPACK_GROUPS(9); break;
        case 10: UNPACK_GROUPS(10); break;
        case 11: UNPACK_GROUPS(11); break;
        case 12: UNPACK_GROUPS(12); break;
        case 13: UNPACK_GROUPS(13); break;
        case 14: UNPACK_GROUPS(14); break;
        case 15: UNPACK_GROUPS(15); break;
        case 16: UNPACK_GROUPS(16); break;
        case 17: UNPACK_GROUPS(17); break;
        case 18: UNPACK_GROUPS(18); break;
        case 19: UNPACK_GROUPS(19); break;
        case 20: UNPACK_GROUPS(20); break;
        case 21: UNPACK_GROUPS(21); break;
        case 22: UNPACK_GROUPS(22); break;
        case 23: UNPACK_GROUPS(23); break;
        case 24: UNPACK_GROUPS(24); break;
        case 25: UNPACK_GROUPS(25); break;
        case 26: UNPACK_GROUPS(26); break;
        case 27: UNPACK_GROUPS(27); break;
        case 28: UNPACK_GROUPS(28); break;
        case 29: UNPACK_GROUPS(29); break;
        case 30: UNPACK_GROUPS(30); break;
        case 31: UNPACK_GROUPS(31); break;
        case 32: UNPACK_GROUPS(32); break;
        }
        i = groups * 8;
    }
    const uint64_t mask = b == 32 ? 0xFFFFFFFFull : (1ull << b) - 1;
    size_t bit = (size_t)i * b;
    if ((size_t)(end - p) >= len + 8) {
        for (; i < n; i++, bit += b) {
            uint64_t w;
            memcpy(&w, p + (bit >> 3), 8);
            out[i] = (uint32_t)((w >> (bit & 7)) & mask);
        }
        return p + len;
    }
    /* blocks at the very end of the mapping: byte by byte */
    for (; i < n; i++, bit += b) {
        uint64_t w = 0;
        size_t at = bit >> 3, k = len - at < 8 ? len - at : 8;
        memcpy(&w, p + at, k);
        out[i] = (uint32_t)((w >> (bit & 7)) & mask);
    }
    return p + len;
}

size_t pack_encode(uint8_t *out, const uint32_t *v, uint32_t n)
{
    uint32_t hist[33] = {0};
    unsigned maxb = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned w = width(v[i]);
        hist[w]++;
        if (w > maxb)
            maxb = w;
    }
    /* cost in bytes of each width: packed bytes, plus per exception its index, plus the
     * exceptions' high parts as varints or packed at one width, whichever is smaller */
    unsigned best = maxb, best_hb = 0;
    size_t best_cost = 1 + ((size_t)n * maxb + 7) / 8;
    uint32_t vmax = 0;
    for (uint32_t i = 0; i < n; i++)
        if (v[i] > vmax)
            vmax = v[i];
    for (unsigned b = 0; b < maxb; b++) {
        size_t cost = 2 + ((size_t)n * b + 7) / 8, e = 0, var = 0;
        for (unsigned w = b + 1; w <= maxb; w++) {
            e += hist[w];
            var += hist[w] * ((w - b + 6) / 7);
        }
        unsigned hb = width((vmax >> b) - 1); /* highs are >= 1: hi - 1 is packed */
        size_t packed = 1 + (e * hb + 7) / 8;
        size_t bitmap = ((size_t)n + 7) / 8;
        cost += (e < bitmap ? e : bitmap) + (packed < var ? packed : var);
        if (cost < best_cost) {
            best_cost = cost;
            best = b;
            best_hb = packed < var ? hb + 1 : 0;
        }
    }
    uint32_t low[PACK_MAX] = {0};
    uint8_t idx[PACK_MAX];
    uint32_t e = 0;
    const uint32_t lmask = best == 32 ? 0xFFFFFFFFu : (1u << best) - 1;
    for (uint32_t i = 0; i < n; i++) {
        low[i] = v[i] & lmask;
        if (v[i] > lmask)
            idx[e++] = (uint8_t)i;
    }
    size_t o = 0;
    out[o++] = (uint8_t)(best | (e ? 0x80 : 0) | (e && best_hb ? 0x40 : 0));
    int is_bitmap = e > (n + 7) / 8;
    if (e)
        out[o++] = (uint8_t)((e - 1) | (is_bitmap ? 0x80 : 0));
    o += pack_bits(out + o, low, n, best);
    if (e) {
        if (is_bitmap) {
            size_t len = (n + 7) / 8;
            memset(out + o, 0, len);
            for (uint32_t k = 0; k < e; k++)
                out[o + idx[k] / 8] |= (uint8_t)(1u << idx[k] % 8);
            o += len;
        } else {
            memcpy(out + o, idx, e);
            o += e;
        }
        if (best_hb) {
            uint32_t hi[PACK_MAX] = {0};
            for (uint32_t k = 0; k < e; k++)
                hi[k] = (v[idx[k]] >> best) - 1;
            out[o++] = (uint8_t)(best_hb - 1);
            o += pack_bits(out + o, hi, e, best_hb - 1);
            return o;
        }
        for (uint32_t k = 0; k < e; k++) {
            uint32_t hi = v[idx[k]] >> best;
            while (hi >= 0x80) {
                out[o++] = (uint8_t)(hi | 0x80);
                hi >>= 7;
            }
            out[o++] = (uint8_t)hi;
        }
    }
    return o;
}

/* Reads the header; NULL if damaged. */
static const uint8_t *header(const uint8_t *p, const uint8_t *end, uint32_t n, unsigned *b,
                             uint32_t *e, int *is_packed, int *is_bitmap)
{
    if (p >= end)
        return NULL;
    unsigned h = *p++;
    *b = h & 0x3F;
    *e = 0;
    *is_packed = (h & 0x40) != 0;
    if (*b > 32 || (*is_packed && !(h & 0x80)))
        return NULL;
    *is_bitmap = 0;
    if (h & 0x80) {
        if (p >= end)
            return NULL;
        *e = (*p & 0x7F) + 1u;
        *is_bitmap = *p++ >> 7;
        if (*e > n || *b == 32 || (*is_bitmap && *e <= (n + 7) / 8))
            return NULL;
    }
    return p;
}

static const uint8_t *varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; p < end && shift < 35; shift += 7) {
        uint8_t c = *p++;
        x |= (uint64_t)(c & 0x7F) << shift;
        if (c < 0x80) {
            *v = x;
            return p;
        }
    }
    return NULL;
}

const uint8_t *pack_decode(const uint8_t *p, const uint8_t *end, uint32_t n, uint32_t *out)
{
    unsigned b;
    uint32_t e;
    int is_packed, is_bitmap;
    if (n > PACK_MAX || !(p = header(p, end, n, &b, &e, &is_packed, &is_bitmap)) ||
        !(p = unpack_bits(p, end, n, b, out)))
        return NULL;
    if (!e)
        return p;
    uint8_t bits_idx[PACK_MAX];
    const uint8_t *idx = p;
    uint64_t bm[2] = {0, 0};
    if (is_bitmap) {
        size_t len = (n + 7) / 8;
        if ((size_t)(end - p) < len)
            return NULL;
        memcpy(bm, p, len);
        if (n < 128 && (n < 64 ? bm[0] >> n || bm[1] : bm[1] >> (n - 64)))
            return NULL; /* bits past n */
        if ((uint32_t)(__builtin_popcountll(bm[0]) + __builtin_popcountll(bm[1])) != e)
            return NULL;
        p += len;
    } else {
        if ((size_t)(end - p) < e)
            return NULL;
        p += e;
    }
    if (is_packed) {
        uint32_t hi[PACK_MAX];
        if (p >= end || *p > 32 - b)
            return NULL;
        unsigned hb = *p++;
        if (!(p = unpack_bits(p, end, e, hb, hi)))
            return NULL;
        uint64_t wide = 0; /* checked once: the patches are branch-free */
        if (is_bitmap) { /* in order and in range by construction */
            uint32_t k = 0;
            for (int j = 0; j < 2; j++)
                for (uint64_t x = bm[j]; x; x &= x - 1, k++) {
                    uint64_t v = ((uint64_t)hi[k] + 1) << b;
                    wide |= v;
                    out[64 * j + __builtin_ctzll(x)] |= (uint32_t)v;
                }
            return wide > UINT32_MAX ? NULL : p;
        }
        unsigned bad = 0;
        for (uint32_t k = 0; k < e; k++)
            bad |= (k && idx[k] <= idx[k - 1]) | (idx[k] >= n);
        if (bad)
            return NULL;
        for (uint32_t k = 0; k < e; k++) {
            uint64_t v = ((uint64_t)hi[k] + 1) << b;
            wide |= v;
            out[idx[k]] |= (uint32_t)v;
        }
        return wide > UINT32_MAX ? NULL : p;
    }
    if (is_bitmap) {
        uint32_t k = 0;
        for (int j = 0; j < 2; j++)
            for (uint64_t x = bm[j]; x; x &= x - 1)
                bits_idx[k++] = (uint8_t)(64 * j + __builtin_ctzll(x));
        idx = bits_idx;
    }
    for (uint32_t k = 0; k < e; k++) {
        uint64_t hi;
        if (!(p = varint(p, end, &hi)) || (k && idx[k] <= idx[k - 1]) || idx[k] >= n || !hi ||
            (hi << b) > UINT32_MAX)
            return NULL;
        out[idx[k]] |= (uint32_t)(hi << b);
    }
    return p;
}

const uint8_t *pack_skip(const uint8_t *p, const uint8_t *end, uint32_t n)
{
    unsigned b;
    uint32_t e;
    int is_packed, is_bitmap;
    if (n > PACK_MAX || !(p = header(p, end, n, &b, &e, &is_packed, &is_bitmap)))
        return NULL;
    size_t len = ((size_t)n * b + 7) / 8 + (is_bitmap ? (n + 7) / 8 : e);
    if ((size_t)(end - p) < len + (is_packed ? 1 : 0))
        return NULL;
    p += len;
    if (is_packed) {
        unsigned hb = *p++;
        if (hb > 32)
            return NULL;
        len = ((size_t)e * hb + 7) / 8;
        if ((size_t)(end - p) < len)
            return NULL;
        return p + len;
    }
    for (uint32_t k = 0; k < e; k++) {
        while (p < end && *p >= 0x80)
            p++;
        if (p++ >= end)
            return NULL;
    }
    return p;
}
