/* index/token.c: the tokeniser. Most rules are cases in tests/cases/token.tsv (format in its
 * header), read from $PB_ROOT (the repo root; tests/run.sh sets it). Here: limits that are
 * awkward to write in a case file (10 kB words), positions across values, stopping, and one
 * property on the seed corpus: every token's own bytes, tokenised alone, give the same token
 * again -- what a query typed from a snippet relies on. */
#include <dirent.h>
#include <stdlib.h>

#include "../../src/index/token.h"
#include "../../src/util/alloc.h"
#include "../../src/util/buf.h"
#include "../../src/util/text.h"
#include "../harness.h"

#define MAX_TOKS 512

struct tok {
    char term[TOKEN_MAX + 1];
    uint32_t pos, start, end;
    unsigned flags;
    int has_off; /* expected tokens: offsets given */
};

struct toks {
    struct tok v[MAX_TOKS];
    size_t n;
    size_t stop_after; /* callback returns 1 after this many tokens (0 = never) */
};

static int collect(void *ctx, const struct token *t)
{
    struct toks *c = ctx;
    if (c->n < MAX_TOKS) {
        struct tok *o = &c->v[c->n];
        memcpy(o->term, t->term, t->len);
        o->term[t->len] = 0;
        o->pos = t->pos;
        o->start = t->start_off;
        o->end = t->end_off;
        o->flags = t->flags;
        o->has_off = 1;
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static void format_toks(const struct toks *c, int with_off, struct buf *b)
{
    buf_reset(b);
    for (size_t i = 0; i < c->n && i < MAX_TOKS; i++) {
        const struct tok *t = &c->v[i];
        int rc = buf_printf(b, "%s%s%s%s@%u", i ? " " : "", t->term,
                            t->flags & TOKEN_COMPOUND ? "*" : "", t->flags & TOKEN_STOP ? "!" : "",
                            t->pos);
        if (!rc && with_off)
            rc = buf_printf(b, "=%u-%u", t->start, t->end);
        if (rc)
            break;
    }
    if (!c->n && buf_puts(b, "-"))
        return;
}

/* --- the case file --- */

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Input field: "\xHH" is the byte HH, everything else is literal (LaTeX keeps its backslashes). */
static size_t unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && is_hex(s[i + 2]) && is_hex(s[i + 3])) {
            char hex[3] = {s[i + 2], s[i + 3], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 3;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* "term[*|!]@pos[=start-end]" separated by spaces; "-" or nothing for no tokens. */
static int parse_expected(char *s, struct toks *want)
{
    want->n = 0;
    char *save = NULL;
    for (char *w = strtok_r(s, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (!strcmp(w, "-"))
            continue;
        if (want->n >= MAX_TOKS)
            return -1;
        struct tok *t = &want->v[want->n++];
        char *at = strrchr(w, '@');
        if (!at || at == w)
            return -1;
        *at = 0;
        char *end;
        t->pos = (uint32_t)strtoul(at + 1, &end, 10);
        t->has_off = 0;
        if (*end == '=') {
            t->start = (uint32_t)strtoul(end + 1, &end, 10);
            if (*end != '-')
                return -1;
            t->end = (uint32_t)strtoul(end + 1, &end, 10);
            t->has_off = 1;
        }
        if (*end)
            return -1;
        size_t len = strlen(w);
        t->flags = 0;
        if (len > 1 && w[len - 1] == '*')
            t->flags = TOKEN_COMPOUND, w[--len] = 0;
        else if (len > 1 && w[len - 1] == '!')
            t->flags = TOKEN_STOP, w[--len] = 0;
        if (len > TOKEN_MAX)
            return -1;
        memcpy(t->term, w, len + 1);
    }
    return 0;
}

static int same_toks(const struct toks *got, const struct toks *want)
{
    if (got->n != want->n)
        return 0;
    for (size_t i = 0; i < got->n; i++) {
        const struct tok *g = &got->v[i], *w = &want->v[i];
        if (strcmp(g->term, w->term) || g->pos != w->pos || g->flags != w->flags)
            return 0;
        if (w->has_off && (g->start != w->start || g->end != w->end))
            return 0;
    }
    return 1;
}

static char *case_path(void)
{
    const char *root = getenv("PB_ROOT");
    return xasprintf("%s/tests/cases/token.tsv", root ? root : ".");
}

static void cases_file(void)
{
    char *path = case_path();
    FILE *f = fopen(path, "rb");
    xfree(path);
    CHECK(f != NULL);
    struct tokenizer *tz = tokenizer_new();
    static struct toks got, want;
    struct buf gs = BUF_INIT(1 << 20);
    char line[16384], input[16384];
    int line_no = 0, n_cases = 0, n_bad = 0;
    while (fgets(line, sizeof line, f)) {
        line_no++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (!n || line[0] == '#')
            continue;
        char *tab1 = strchr(line, '\t');
        char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab2) {
            printf("FAIL token.tsv:%d: not mode<TAB>input<TAB>expected\n", line_no);
            n_bad++;
            continue;
        }
        *tab1 = *tab2 = 0;
        enum token_mode mode;
        uint32_t pos0 = 0;
        char *at = strchr(line, '@');
        if (at) {
            *at = 0;
            pos0 = (uint32_t)strtoul(at + 1, NULL, 10);
        }
        if (!strcmp(line, "text"))
            mode = TOKEN_TEXT;
        else if (!strcmp(line, "names"))
            mode = TOKEN_NAMES;
        else if (!strcmp(line, "codes"))
            mode = TOKEN_CODES;
        else {
            printf("FAIL token.tsv:%d: unknown mode '%s'\n", line_no, line);
            n_bad++;
            continue;
        }
        size_t in_len = unescape(tab1 + 1, strlen(tab1 + 1), input);
        char shown[16384], want_s[16384];
        snprintf(shown, sizeof shown, "%s", tab1 + 1);
        snprintf(want_s, sizeof want_s, "%s", tab2 + 1);
        if (parse_expected(tab2 + 1, &want)) {
            printf("FAIL token.tsv:%d: cannot parse the expected tokens\n", line_no);
            n_bad++;
            continue;
        }
        got.n = 0;
        got.stop_after = 0;
        uint32_t next = tokenizer_run(tz, mode, input, in_len, pos0, collect, &got);
        uint32_t want_next = want.n ? want.v[want.n - 1].pos + 1 : pos0;
        n_cases++;
        if (!same_toks(&got, &want) || next != want_next) {
            format_toks(&got, 1, &gs);
            printf("FAIL token.tsv:%d: %s \"%s\"\n    got  %s (next %u)\n    want %s\n", line_no,
                   line, shown, buf_str(&gs), next, want_s);
            n_bad++;
        } else {
            printf("pass token.tsv:%d\n", line_no);
        }
    }
    fclose(f);
    buf_release(&gs);
    tokenizer_free(tz);
    CHECK(n_cases >= 60);
    CHECK_INT(n_bad, 0);
}

/* --- limits --- */

static void long_words_are_cut_at_a_character_boundary(void)
{
    struct tokenizer *tz = tokenizer_new();
    static struct toks got;
    size_t n = 10240;
    char *s = xmalloc(n * 3 + 8);
    const char *ch[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "A-"};
    const size_t want_len[] = {TOKEN_MAX, TOKEN_MAX, 0, 0};
    for (size_t c = 0; c < 4; c++) {
        size_t cl = strlen(ch[c]), len = 0;
        while (len + cl <= n) {
            memcpy(s + len, ch[c], cl);
            len += cl;
        }
        got.n = 0;
        got.stop_after = 0;
        for (int m = 0; m < 3; m++) {
            size_t before = got.n;
            tokenizer_run(tz, (enum token_mode)m, s, len, 0, collect, &got);
            /* "€" is a symbol, not a word, in prose and names */
            CHECK(got.n > before || (c == 2 && m != TOKEN_CODES));
            for (size_t i = before; i < got.n && i < MAX_TOKS; i++) {
                size_t tl = strlen(got.v[i].term);
                CHECK(tl > 0 && tl <= TOKEN_MAX);
                CHECK(text_is_utf8(got.v[i].term, tl));
                CHECK(got.v[i].end <= len);
            }
            if (c == 0 || c == 1) { /* one word: one token covering all of it */
                CHECK_INT(got.n - before, 1);
                CHECK_INT(strlen(got.v[before].term), want_len[c]);
                CHECK_INT(got.v[before].start, 0);
                CHECK_INT(got.v[before].end, len);
            }
        }
    }
    xfree(s);
    tokenizer_free(tz);
}

static void long_compound_is_cut_and_keeps_all_parts(void)
{
    struct tokenizer *tz = tokenizer_new();
    static struct toks got;
    struct buf b = BUF_INIT(1 << 16);
    for (int i = 0; i < 100; i++)
        CHECK_INT(buf_puts(&b, i ? "-word" : "word"), 0);
    got.n = 0;
    got.stop_after = 0;
    uint32_t next = tokenizer_run(tz, TOKEN_TEXT, b.data, b.len, 0, collect, &got);
    CHECK_INT(got.n, 101);
    CHECK_INT(next, 100);
    CHECK(got.v[0].flags == TOKEN_COMPOUND);
    CHECK(strlen(got.v[0].term) <= TOKEN_MAX);
    CHECK(got.v[0].term[strlen(got.v[0].term) - 1] != '-');
    CHECK_INT(got.v[0].end, b.len);
    CHECK_STR(got.v[100].term, "word");
    CHECK_INT(got.v[100].pos, 99);
    buf_release(&b);
    tokenizer_free(tz);
}

/* --- positions and stopping --- */

static void positions_continue_from_pos0(void)
{
    struct tokenizer *tz = tokenizer_new();
    static struct toks got;
    got.n = 0;
    got.stop_after = 0;
    /* two values of one field with a gap of 100 between them, as the indexer does */
    uint32_t p = tokenizer_run(tz, TOKEN_TEXT, "Deep learning", 13, 0, collect, &got);
    CHECK_INT(p, 2);
    p = tokenizer_run(tz, TOKEN_TEXT, "of GPT-4", 8, p + 100, collect, &got);
    CHECK_INT(p, 105);
    CHECK_INT(got.n, 6);
    CHECK_INT(got.v[2].pos, 102);
    CHECK(got.v[2].flags == TOKEN_STOP);
    CHECK_INT(got.v[3].pos, 103);
    CHECK(got.v[3].flags == TOKEN_COMPOUND);
    CHECK_INT(got.v[4].pos, 103);
    CHECK_INT(got.v[5].pos, 104);
    /* nothing to tokenise: pos0 comes back */
    CHECK_INT(tokenizer_run(tz, TOKEN_NAMES, ",;", 2, 7, collect, &got), 7);
    CHECK_INT(tokenizer_run(tz, TOKEN_CODES, "", 0, 9, collect, &got), 9);
    tokenizer_free(tz);
}

static void callback_can_stop(void)
{
    struct tokenizer *tz = tokenizer_new();
    static struct toks got;
    const char *s = "The GPT-4 model and O(n log n) sorting";
    for (size_t k = 1; k < 12; k++) {
        got.n = 0;
        got.stop_after = k;
        uint32_t p = tokenizer_run(tz, TOKEN_TEXT, s, strlen(s), 0, collect, &got);
        CHECK_INT(got.n, k);
        CHECK_INT(p, got.v[k - 1].pos + 1);
    }
    tokenizer_free(tz);
}

static void stop_list(void)
{
    const char *stop[] = {"a",    "an",   "and",  "are",  "as",   "at",    "be",   "but",   "by",
                          "for",  "if",   "in",   "into", "is",   "it",    "no",   "not",   "of",
                          "on",   "or",   "such", "that", "the",  "their", "then", "there", "these",
                          "they", "this", "to",   "was",  "will", "with"};
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
        CHECK(token_is_stop(stop[i], strlen(stop[i])));
    const char *not_stop[] = {"", "b", "am", "its", "thee", "therein", "The", "with ", "wit"};
    for (size_t i = 0; i < sizeof not_stop / sizeof not_stop[0]; i++)
        CHECK(!token_is_stop(not_stop[i], strlen(not_stop[i])));
}

/* --- every token's bytes give the token back --- */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = BUF_INIT(1 << 24);
    char tmp[65536];
    size_t k;
    int rc = 0;
    while (!rc && (k = fread(tmp, 1, sizeof tmp, f)) > 0)
        rc = buf_append(&b, tmp, k);
    fclose(f);
    *n = b.len;
    return buf_take(&b);
}

static int slices_agree(struct tokenizer *tz, struct tokenizer *tz2, enum token_mode m,
                        const char *s, size_t n, const char *name)
{
    static struct toks got, again;
    got.n = 0;
    got.stop_after = 0;
    tokenizer_run(tz, m, s, n, 0, collect, &got);
    for (size_t i = 0; i < got.n && i < MAX_TOKS; i++) {
        const struct tok *t = &got.v[i];
        again.n = 0;
        again.stop_after = 1;
        tokenizer_run(tz2, m, s + t->start, t->end - t->start, 0, collect, &again);
        if (again.n != 1 || strcmp(again.v[0].term, t->term) || again.v[0].flags != t->flags) {
            printf("  %s mode %d: token %zu '%s' from '%.*s' gives '%s' alone\n", name, (int)m, i,
                   t->term, (int)(t->end - t->start), s + t->start,
                   again.n ? again.v[0].term : "(nothing)");
            return 0;
        }
    }
    return 1;
}

static void corpus_tokens_are_their_own_query(void)
{
    const char *root = getenv("PB_ROOT");
    char *dir = xasprintf("%s/tests/fuzz/corpus/token", root ? root : ".");
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct tokenizer *tz = tokenizer_new(), *tz2 = tokenizer_new();
    struct dirent *e;
    int n_files = 0, ok = 1;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        size_t n;
        char *s = slurp(path, &n);
        xfree(path);
        if (!s)
            continue;
        n_files++;
        for (int m = 0; m < 3 && ok; m++)
            ok = slices_agree(tz, tz2, (enum token_mode)m, s, n, e->d_name);
        xfree(s);
    }
    closedir(d);
    xfree(dir);
    tokenizer_free(tz);
    tokenizer_free(tz2);
    CHECK(ok);
    CHECK(n_files >= 20);
}

TEST_MAIN(T(cases_file), T(long_words_are_cut_at_a_character_boundary),
          T(long_compound_is_cut_and_keeps_all_parts), T(positions_continue_from_pos0),
          T(callback_can_stop), T(stop_list), T(corpus_tokens_are_their_own_query))
