/* Bit-packed blocks of up to PACK_MAX small integers ("patched frame of reference"), the codec
 * of postings and positions in segments (private to src/index; the format is documented in
 * pack.c and docs/INDEX_FORMAT.md). No allocation, no I/O. */
#ifndef PB_INDEX_PACK_H
#define PB_INDEX_PACK_H

#include <stddef.h>
#include <stdint.h>

#define PACK_MAX 128 /* values per block */

/* Bytes pack_encode may write for n values (a safe upper bound). */
#define PACK_BOUND(n) (2 + 10 * (size_t)(n))

/* Encodes v[0..n) (n <= PACK_MAX; the reader must know n) into out, which has room for
 * PACK_BOUND(n) bytes; returns the bytes written. Chooses the width that makes the block
 * smallest. Thread-safe. */
size_t pack_encode(uint8_t *out, const uint32_t *v, uint32_t n);

/* Decodes a block of n values at p into out[0..n) without reading at or past end; returns the
 * byte after the block, or NULL if the block is damaged (runs past end, bad width or exception
 * list). Thread-safe. */
const uint8_t *pack_decode(const uint8_t *p, const uint8_t *end, uint32_t n, uint32_t *out);

/* The byte after the block of n values at p, without decoding it; NULL as pack_decode. */
const uint8_t *pack_skip(const uint8_t *p, const uint8_t *end, uint32_t n);

/* Packs n values of b bits each (b <= 32, every value < 2^b) LSB first into out; returns the
 * bytes written, (n * b + 7) / 8. Unpacks the same; NULL when that runs past end. */
size_t pack_bits(uint8_t *out, const uint32_t *v, uint32_t n, unsigned b);
const uint8_t *unpack_bits(const uint8_t *p, const uint8_t *end, uint32_t n, unsigned b,
                           uint32_t *out);

#endif
