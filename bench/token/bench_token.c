/* Tokeniser throughput: tokenises every record of a file of titles and abstracts (records
 * separated by NUL bytes, as bench/token/extract.py writes them) in TOKEN_TEXT mode, RUNS times
 * with one tokenizer, and prints MB/s of the best run in CPU time of this thread (the machine
 * is shared; wall time moves with the neighbours). Beside it, a floor: the same bytes split on
 * non-alphanumeric ASCII and lower-cased, with no Unicode, stemming or rules -- what any
 * tokeniser that hands terms to a callback cannot beat. Build and run: bench/token/run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/index/token.h"
#include "../../src/util/alloc.h"

struct count {
    size_t n_tokens;
    size_t term_bytes;
};

static int on_token(void *ctx, const struct token *tok)
{
    struct count *c = ctx;
    c->n_tokens++;
    c->term_bytes += tok->len;
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The floor: lower-cased ASCII alphanumeric runs handed to the same callback. */
static void floor_run(const char *s, size_t n, struct count *c)
{
    char term[TOKEN_MAX + 1];
    size_t i = 0;
    uint32_t pos = 0;
    while (i < n) {
        while (i < n && !((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z') &&
               !(s[i] >= '0' && s[i] <= '9'))
            i++;
        size_t start = i, len = 0;
        while (i < n &&
               (((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z') || (s[i] >= '0' && s[i] <= '9'))) {
            if (len < TOKEN_MAX)
                term[len++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
            i++;
        }
        if (len) {
            term[len] = 0;
            struct token tok = {term, len, pos++, (uint32_t)start, (uint32_t)i, 0};
            on_token(c, &tok);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ABSTRACTS-FILE [RUNS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    if (runs < 1)
        runs = 1;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = xmalloc((size_t)size + 1);
    if (fread(data, 1, (size_t)size, f) != (size_t)size) {
        perror(argv[1]);
        return 2;
    }
    fclose(f);
    /* record boundaries */
    size_t n_rec = 0, cap = 0, *off = NULL;
    for (long i = 0; i < size;) {
        off = xgrow(off, sizeof *off, n_rec + 1, &cap);
        off[n_rec++] = (size_t)i;
        char *z = memchr(data + i, 0, (size_t)(size - i));
        i = z ? z - data + 1 : size;
    }
    struct tokenizer *t = tokenizer_new();
    double best = 1e9, best_floor = 1e9;
    struct count c = {0, 0}, cf = {0, 0};
    for (int r = 0; r < runs; r++) {
        c = (struct count){0, 0};
        double t0 = now();
        for (size_t k = 0; k < n_rec; k++) {
            size_t end = k + 1 < n_rec ? off[k + 1] - 1 : (size_t)size;
            tokenizer_run(t, TOKEN_TEXT, data + off[k], end - off[k], 0, on_token, &c);
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
        cf = (struct count){0, 0};
        t0 = now();
        for (size_t k = 0; k < n_rec; k++) {
            size_t end = k + 1 < n_rec ? off[k + 1] - 1 : (size_t)size;
            floor_run(data + off[k], end - off[k], &cf);
        }
        dt = now() - t0;
        best_floor = dt < best_floor ? dt : best_floor;
    }
    double mb = (double)size / 1e6;
    printf("input: %zu records, %.1f MB; best of %d runs, CPU time of this thread\n", n_rec, mb,
           runs);
    printf("tokenizer TOKEN_TEXT: %.1f MB/s (%.3f s, %zu tokens, %.1f M tokens/s)\n", mb / best,
           best, c.n_tokens, (double)c.n_tokens / best / 1e6);
    printf("floor (ASCII split + lower-case): %.1f MB/s (%.3f s, %zu tokens)\n", mb / best_floor,
           best_floor, cf.n_tokens);
    printf("ratio tokenizer / floor: %.2f\n", best_floor / best);
    tokenizer_free(t);
    xfree(off);
    xfree(data);
    return 0;
}
