/* Measures the encoding of a real segment: the size of each part, bytes per posting, decode
 * speed, and what two simpler encodings would take on the same postings: fixed-width integers,
 * and bit-packing each block at its widest value without exceptions (the segment itself uses
 * packed blocks with exceptions, pack.c). Usage: postings_bench SEGMENT_FILE */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../src/index/seg.h"
#include "../../src/util/alloc.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: postings_bench SEGMENT\n");
        return 2;
    }
    struct seg *s;
    char err[256];
    if (seg_open(argv[1], &s, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct seg_cursor *c = xmalloc(sizeof *c);
    uint64_t postings = 0, tfs = 0, packed_bits = 0, fixed_bytes = 0, sum = 0;
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        postings = tfs = packed_bits = fixed_bytes = 0;
        struct seg_term_iter it;
        seg_term_iter_init(&it, s);
        while (seg_term_iter_next(&it) == 1) {
            seg_cursor_init(c, s, &it.cur);
            uint32_t prev = UINT32_MAX, max_gap = 0, max_tf = 0, in_blk = 0;
            for (; c->doc != SEG_DOC_END; seg_cursor_next(c)) {
                seg_cursor_load(c);
                uint32_t gap = c->doc - prev;
                prev = c->doc;
                if (gap > max_gap)
                    max_gap = gap;
                for (int f = 0; f < IF_COUNT; f++)
                    if (c->masks[c->i] & (1u << f)) {
                        tfs++;
                        if (seg_cursor_tf(c, c->i, f) > max_tf)
                            max_tf = seg_cursor_tf(c, c->i, f);
                        fixed_bytes += 4;
                    }
                fixed_bytes += 4 + 1;
                sum += c->doc;
                postings++;
                if (++in_blk == SEG_BLOCK || c->i + 1 == c->n) {
                    /* gaps, masks (6 bits) and tfs each packed at their block's widest */
                    int gb = max_gap ? 32 - __builtin_clz(max_gap) : 1;
                    int tb = max_tf ? 32 - __builtin_clz(max_tf) : 1;
                    packed_bits += (uint64_t)in_blk * (uint64_t)(gb + IF_COUNT) + 8 * 2;
                    packed_bits += (uint64_t)tb * in_blk; /* about one tf per posting */
                    in_blk = max_gap = max_tf = 0;
                }
            }
        }
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("segment        %s\n", argv[1]);
    printf("postings       %llu (%llu field tfs)\n", (unsigned long long)postings,
           (unsigned long long)tfs);
    printf("postings bytes %zu (%.2f bytes/posting)\n", s->post_len,
           (double)s->post_len / (double)postings);
    printf("max-width FOR  %.0f (%.2f bytes/posting, estimate)\n", (double)packed_bits / 8,
           (double)packed_bits / 8 / (double)postings);
    printf("fixed width    %llu (%.2f bytes/posting)\n", (unsigned long long)fixed_bytes,
           (double)fixed_bytes / (double)postings);
    printf("decode         %.1f M postings/s (best of 3 full passes, %.2f s)\n",
           (double)postings / best / 1e6, best);
    printf("positions      %zu bytes (%.2f bytes/posting)\n", s->pos_len,
           (double)s->pos_len / (double)postings);
    printf("dictionary     %zu bytes for %u terms (%.1f bytes/term), %u stored blocks\n",
           s->dict_len + (size_t)s->n_groups * sizeof(struct seg_dgroup), s->h->n_terms,
           (double)(s->dict_len + (size_t)s->n_groups * sizeof(struct seg_dgroup)) /
               (s->h->n_terms ? s->h->n_terms : 1),
           s->h->n_blocks);
    printf("docs + pids    %llu bytes\n", (unsigned long long)(s->h->off_dict - s->h->off_docs));
    printf("blocks         %llu bytes\n", (unsigned long long)(s->h->off_end - s->h->off_blocks));
    printf("file           %zu bytes\n", s->map_len);
    fprintf(stderr, "(checksum %llu)\n", (unsigned long long)sum);
    xfree(c);
    seg_close(s);
    return 0;
}
