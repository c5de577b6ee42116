/* index/pack: the bit-packed blocks of postings and positions. Round trips at the edges of a
 * block (0, 1, 127, 128 values, and 129 as two blocks), the widest values, all-equal blocks,
 * random blocks with a few large values (the exceptions), exceptions with packed high bits
 * and as a bitmap, and damaged or truncated input. */
#include <stdint.h>

#include "../../src/index/pack.h"
#include "../../src/util/alloc.h"
#include "../harness.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Encodes v[0..n) as blocks of PACK_MAX (one empty block for n = 0), decodes and skips them
 * again: 1 if all agree, and if every truncation of the last block is refused. The buffer is
 * sized exactly, so a decoder reading one byte too far trips AddressSanitizer. */
static int round_trip(const uint32_t *v, uint32_t n, size_t *bytes)
{
    uint32_t n_blocks = n ? (n + PACK_MAX - 1) / PACK_MAX : 1;
    uint8_t *buf = xmalloc(PACK_BOUND(PACK_MAX) * n_blocks);
    size_t len = 0;
    for (uint32_t b = 0; b < n_blocks; b++) {
        uint32_t i = b * PACK_MAX, k = n - i < PACK_MAX ? n - i : PACK_MAX;
        len += pack_encode(buf + len, v + i, k);
    }
    uint8_t *exact = xmalloc(len);
    memcpy(exact, buf, len);
    xfree(buf);
    const uint8_t *p = exact, *q = exact, *end = exact + len, *last = exact;
    uint32_t out[PACK_MAX], k = 0;
    int ok = 1;
    for (uint32_t b = 0; ok && b < n_blocks; b++) {
        uint32_t i = b * PACK_MAX;
        k = n - i < PACK_MAX ? n - i : PACK_MAX;
        last = p;
        p = pack_decode(p, end, k, out);
        q = pack_skip(q, end, k);
        ok = p && p == q && memcmp(out, v + i, k * sizeof *out) == 0;
    }
    ok = ok && p == end;
    for (size_t cut = 1; ok && cut <= 3 && last + cut <= end; cut++)
        ok = !pack_decode(last, end - cut, k, out) && !pack_skip(last, end - cut, k);
    *bytes = len;
    xfree(exact);
    return ok;
}

static void pack_edges_round_trip(void)
{
    static const uint32_t sizes[] = {0, 1, 2, 7, 8, 9, 127, 128, 129, 256, 300};
    uint32_t v[300];
    size_t bytes;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint32_t n = sizes[s];
        for (uint32_t i = 0; i < n; i++)
            v[i] = i;
        CHECK(round_trip(v, n, &bytes));
        for (uint32_t i = 0; i < n; i++)
            v[i] = UINT32_MAX - i; /* the largest gaps: 32 bits wide */
        CHECK(round_trip(v, n, &bytes));
        for (uint32_t i = 0; i < n; i++)
            v[i] = 0;
        CHECK(round_trip(v, n, &bytes));
        if (n == 128)
            CHECK_INT(bytes, 1); /* all zero: the header alone */
        for (uint32_t i = 0; i < n; i++)
            v[i] = 5;
        CHECK(round_trip(v, n, &bytes));
        if (n == 128)
            CHECK_INT(bytes, 1 + 128 * 3 / 8);
    }
}

static void pack_every_width(void)
{
    uint32_t v[PACK_MAX];
    size_t bytes;
    for (unsigned b = 0; b <= 32; b++)
        for (uint32_t n = 1; n <= PACK_MAX; n += 9) {
            for (uint32_t i = 0; i < n; i++)
                v[i] = b == 32 ? rnd() << 16 ^ rnd() : rnd() & ((1u << b) - 1);
            CHECK(round_trip(v, n, &bytes));
        }
}

static void pack_exceptions_are_cheap(void)
{
    /* small values with a few huge ones: the huge ones are patched, not the width */
    uint32_t v[PACK_MAX];
    size_t bytes;
    for (int rep = 0; rep < 200; rep++) {
        for (uint32_t i = 0; i < PACK_MAX; i++)
            v[i] = rnd() % 4;
        int n_big = rep % 5;
        for (int k = 0; k < n_big; k++)
            v[rnd() % PACK_MAX] = rnd() | 0x80000000u;
        CHECK(round_trip(v, PACK_MAX, &bytes));
        if (n_big)
            CHECK(bytes <= 2 + 128 * 2 / 8 + (size_t)n_big * 6);
    }
}

/* Header byte, count byte and where the exception list starts, of a block of PACK_MAX. */
static size_t exc_at(const uint8_t *buf)
{
    return 2 + (size_t)PACK_MAX * (buf[0] & 0x3F) / 8;
}

static void pack_exception_codings(void)
{
    uint32_t v[PACK_MAX], out[PACK_MAX];
    uint8_t buf[PACK_BOUND(PACK_MAX)];
    size_t bytes;
    for (int rep = 0; rep < 200; rep++) {
        /* a few values one or two bits wider than the rest: their high bits are packed */
        for (uint32_t i = 0; i < PACK_MAX; i++)
            v[i] = rnd() % 2;
        for (int k = 0; k < 6; k++)
            v[(uint32_t)k * 20 + rnd() % 20] = 2 + rnd() % 6;
        CHECK(round_trip(v, PACK_MAX, &bytes));
        size_t len = pack_encode(buf, v, PACK_MAX);
        CHECK((buf[0] & 0xC0) == 0xC0); /* exceptions, highs packed */
        CHECK(len <= 2 + 128 / 8 + 6 + 1 + 2);
        /* many wide values at one width: the exceptions are a bitmap of 16 bytes */
        for (uint32_t i = 0; i < PACK_MAX; i++)
            v[i] = i % 4 ? rnd() % 2 : 4 + rnd() % 4;
        CHECK(round_trip(v, PACK_MAX, &bytes));
        len = pack_encode(buf, v, PACK_MAX);
        CHECK((buf[0] & 0x80) && (buf[1] & 0x80));
        CHECK(pack_decode(buf, buf + len, PACK_MAX, out) == buf + len);
        CHECK(memcmp(out, v, sizeof v) == 0);
    }
    /* damaged: a bitmap that disagrees with the count, a high width past 32 bits */
    for (uint32_t i = 0; i < PACK_MAX; i++)
        v[i] = i % 4 ? 1 : 6;
    size_t len = pack_encode(buf, v, PACK_MAX);
    CHECK((buf[0] & 0x80) && (buf[1] & 0x80));
    uint8_t bad[PACK_BOUND(PACK_MAX)];
    memcpy(bad, buf, len);
    bad[exc_at(buf)] ^= 2; /* one more exception than counted */
    CHECK(!pack_decode(bad, bad + len, PACK_MAX, out));
    memcpy(bad, buf, len);
    bad[1] ^= 1; /* one fewer counted */
    CHECK(!pack_decode(bad, bad + len, PACK_MAX, out));
    for (uint32_t i = 0; i < PACK_MAX; i++)
        v[i] = 0;
    v[3] = 1, v[90] = 1;
    len = pack_encode(buf, v, PACK_MAX);
    CHECK((buf[0] & 0xC0) == 0xC0 && !(buf[1] & 0x80)); /* two indexes, highs of 0 bits */
    CHECK(pack_decode(buf, buf + len, PACK_MAX, out) == buf + len && out[3] == 1 && out[90] == 1);
    memcpy(bad, buf, len);
    bad[exc_at(buf) + 2] = 33;
    CHECK(!pack_decode(bad, bad + len, PACK_MAX, out));
    CHECK(!pack_skip(bad, bad + len, PACK_MAX));
}

static void pack_refuses_damage(void)
{
    uint32_t v[PACK_MAX], out[PACK_MAX];
    for (uint32_t i = 0; i < PACK_MAX; i++)
        v[i] = i % 3;
    v[17] = 1000000;
    uint8_t buf[PACK_BOUND(PACK_MAX)];
    size_t len = pack_encode(buf, v, PACK_MAX);
    CHECK(buf[0] & 0x80); /* one exception */
    CHECK(pack_decode(buf, buf + len, PACK_MAX, out) == buf + len);
    uint8_t bad[PACK_BOUND(PACK_MAX)];
    memcpy(bad, buf, len);
    bad[0] = 33; /* a width past 32 */
    CHECK(!pack_decode(bad, bad + len, PACK_MAX, out));
    CHECK(!pack_skip(bad, bad + len, PACK_MAX));
    memcpy(bad, buf, len);
    bad[1] = 200; /* more exceptions than values */
    CHECK(!pack_decode(bad, bad + len, PACK_MAX, out));
    memcpy(bad, buf, len);
    bad[len - 1] |= 0x80; /* the last varint never ends */
    CHECK(!pack_decode(bad, bad + len, PACK_MAX, out));
    CHECK(!pack_skip(bad, bad + len, PACK_MAX));
    CHECK(!pack_decode(buf, buf, PACK_MAX, out)); /* nothing there */
    CHECK(!pack_decode(buf, buf + len, PACK_MAX + 1, out));
}

static void pack_bits_round_trip(void)
{
    uint32_t v[PACK_MAX], out[PACK_MAX];
    uint8_t buf[4 * PACK_MAX];
    for (unsigned b = 1; b <= 32; b++)
        for (uint32_t n = 0; n <= PACK_MAX; n += 11) {
            for (uint32_t i = 0; i < n; i++)
                v[i] = b == 32 ? rnd() << 16 ^ rnd() : rnd() & ((1u << b) - 1);
            size_t len = pack_bits(buf, v, n, b);
            CHECK_INT(len, (n * b + 7) / 8);
            CHECK(unpack_bits(buf, buf + len, n, b, out) == buf + len);
            CHECK(n == 0 || memcmp(out, v, n * sizeof *v) == 0);
            CHECK(n == 0 || !unpack_bits(buf, buf + len - 1, n, b, out));
        }
}

TEST_MAIN(T(pack_edges_round_trip), T(pack_every_width), T(pack_exceptions_are_cheap),
          T(pack_exception_codings), T(pack_refuses_damage), T(pack_bits_round_trip))
