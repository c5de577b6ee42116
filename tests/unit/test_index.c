/* index/: segments, commits, replacement and deletion, merges, crash leftovers, the integrity
 * checker after every mutation, the query semantics, and that dynamic pruning (MaxScore) returns
 * exactly what scoring every match returns. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <zlib.h>

#include "../../src/index/index.h"
#include "../../src/index/query.h"
#include "../../src/index/seg.h"
#include "../../src/index/token.h"
#include "../../src/util/alloc.h"
#include "../../src/util/date.h"
#include "../harness.h"
#include "../tmpdir.h"


static int count_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    size_t sl = strlen(suffix);
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l >= sl && strcmp(e->d_name + l - sl, suffix) == 0)
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

static void doc(struct index *ix, uint32_t id, const char *day, const char *title,
                const char *abstract, const char *authors, const char *cats)
{
    struct index_doc d;
    memset(&d, 0, sizeof d);
    d.docid = id;
    int64_t days = INT32_MIN;
    if (day && date_parse_day(day, &days))
        abort();
    d.day = (int32_t)days;
    const char *text[IF_COUNT] = {title, abstract, authors, cats, NULL, NULL};
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "2501.%05u", id);
    text[IF_ID] = idbuf;
    for (int f = 0; f < IF_COUNT; f++) {
        d.text[f] = text[f];
        d.len[f] = text[f] ? strlen(text[f]) : 0;
    }
    index_add(ix, &d);
}

/* What the store does for the index (store_id_lookup): doc() gives document n the id
 * 2501.NNNNN. */
static int test_ids(void *ctx, const char *id, size_t len, uint32_t *docid)
{
    (void)ctx;
    unsigned n;
    char tail;
    char buf[32];
    if (len != 10 || len >= sizeof buf)
        return 0;
    memcpy(buf, id, len);
    buf[len] = 0;
    if (sscanf(buf, "2501.%5u%c", &n, &tail) != 1)
        return 0;
    *docid = n;
    return 1;
}

static int checked(struct index *ix)
{
    char err[256];
    int rc = index_check(ix, err, sizeof err);
    if (rc)
        printf("  index_check: %s\n", err);
    return rc == 0;
}

/* Runs a query; writes the docids, best first, space-separated, into out. */
static int search_ids(struct index *ix, const char *text, unsigned flags, size_t k, char *out,
                      size_t out_len)
{
    struct query *q;
    char err[256];
    int rc = query_parse(text, strlen(text), flags, &q, err, sizeof err);
    if (rc)
        return rc;
    struct index_search_opts o = {.k = k, .id_lookup = test_ids};
    struct index_result r;
    rc = index_search(ix, q, &o, &r, err, sizeof err);
    query_free(q);
    if (rc)
        return rc;
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < r.n_hits && len + 12 < out_len; i++)
        len += (size_t)snprintf(out + len, out_len - len, "%s%u", i ? " " : "", r.hits[i].docid);
    index_result_release(&r);
    return 0;
}

static struct index *small_index(char **dir)
{
    *dir = test_tmp_dir();
    struct index *ix;
    char err[256];
    if (index_open(*dir, INDEX_WRITE, &ix, err, sizeof err))
        abort();
    doc(ix, 1, "2025-01-10", "Attention is all you need",
        "We propose the Transformer, a network based solely on attention mechanisms.",
        "Ashish Vaswani\nNoam Shazeer", "cs.CL cs.LG");
    doc(ix, 2, "2025-02-11", "Graph neural networks for molecules",
        "Graph networks learn molecular properties; attention is not used.", "Jure Leskovec",
        "cs.LG");
    doc(ix, 3, "2024-06-01", "Deep residual learning",
        "Residual networks ease the training of very deep networks.", "Kaiming He", "cs.CV");
    doc(ix, 4, "2025-03-01", "k-means clustering with GPT-4 embeddings",
        "We cluster GPT-4 embeddings with k-means and compare to $\\alpha$-divergences.",
        "Geoffrey Hinton", "stat.ML");
    if (index_commit(ix, 10, err, sizeof err))
        abort();
    return ix;
}

static void test_words_and_or_not(void)
{
    char *dir;
    struct index *ix = small_index(&dir);
    char got[256];
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "attention", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "1 2"); /* title match ranks first */
    CHECK_INT(search_ids(ix, "attention graph", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "2"); /* implicit AND */
    CHECK_INT(search_ids(ix, "attention -graph", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "1");
    CHECK_INT(search_ids(ix, "residual OR molecules", 0, 10, got, sizeof got), 0);
    CHECK(strcmp(got, "3 2") == 0 || strcmp(got, "2 3") == 0);
    CHECK_INT(search_ids(ix, "networks", 0, 10, got, sizeof got), 0); /* stemmed */
    CHECK(strstr(got, "1") && strstr(got, "2") && strstr(got, "3"));
    CHECK_INT(search_ids(ix, "the", 0, 10, got, sizeof got), 0); /* only a stop word */
    CHECK_STR(got, "");
    CHECK_INT(search_ids(ix, "xyzzy", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "");
    index_close(ix);
    test_remove_dir(dir);
}

static void test_phrases_fields_dates(void)
{
    char *dir;
    struct index *ix = small_index(&dir);
    char got[256];
    CHECK_INT(search_ids(ix, "\"graph networks\"", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "2");
    CHECK_INT(search_ids(ix, "\"networks graph\"", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "");
    /* a stop word inside a phrase keeps its place: "is all" ~ "is all", not "all" alone */
    CHECK_INT(search_ids(ix, "\"attention is all you need\"", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "1");
    CHECK_INT(search_ids(ix, "ti:attention", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "1");
    CHECK_INT(search_ids(ix, "au:hinton", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "4");
    CHECK_INT(search_ids(ix, "hinton", 0, 10, got, sizeof got), 0); /* authors by default */
    CHECK_STR(got, "4");
    CHECK_INT(search_ids(ix, "au:\"noam shazeer\"", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "1");
    /* a phrase does not join two authors */
    CHECK_INT(search_ids(ix, "au:\"vaswani noam\"", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "");
    CHECK_INT(search_ids(ix, "cat:cs.lg", 0, 10, got, sizeof got), 0);
    CHECK(strcmp(got, "1 2") == 0 || strcmp(got, "2 1") == 0);
    CHECK_INT(search_ids(ix, "cat:cs", 0, 10, got, sizeof got), 0); /* the archive */
    CHECK(strstr(got, "3") && !strstr(got, "4"));
    CHECK_INT(search_ids(ix, "networks after:2025-01-01", 0, 10, got, sizeof got), 0);
    CHECK(strstr(got, "1") && strstr(got, "2") && !strstr(got, "3"));
    CHECK_INT(search_ids(ix, "networks year:2024", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "3");
    CHECK_INT(search_ids(ix, "GPT-4", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "4");
    CHECK_INT(search_ids(ix, "k-means", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "4");
    CHECK_INT(search_ids(ix, "alpha", 0, 10, got, sizeof got), 0); /* LaTeX markup stripped */
    CHECK_STR(got, "4");
    CHECK_INT(search_ids(ix, "id:2501.00003", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "3");
    index_close(ix);
    test_remove_dir(dir);
}

/* The index holds the parts of a compound, not the compound: a compound in a query is the
 * phrase of its parts, so it finds the spellings with a space too, in order only. */
static void test_compounds_are_phrases(void)
{
    char *dir = test_tmp_dir();
    struct index *ix;
    char err[256], got[256];
    CHECK_INT(index_open(dir, INDEX_WRITE, &ix, err, sizeof err), 0);
    doc(ix, 1, NULL, "GPT-4 beats the baselines", NULL, NULL, NULL);
    doc(ix, 2, NULL, "What GPT 4 can do", NULL, NULL, NULL);
    doc(ix, 3, NULL, "Only GPT-3 here", NULL, NULL, NULL);
    doc(ix, 4, NULL, "Chapter 4 GPT in reverse order", NULL, NULL, NULL);
    doc(ix, 5, NULL, "Faster k-means clustering", NULL, NULL, NULL);
    doc(ix, 6, NULL, "k means, again", NULL, NULL, NULL);
    doc(ix, 7, NULL, "kmeans as one word", NULL, NULL, NULL);
    doc(ix, 8, NULL, "State-of-the-art results on images", NULL, NULL, NULL);
    doc(ix, 9, NULL, "The state of the art results we report", NULL, NULL, NULL);
    doc(ix, 10, NULL, "A state art results mix", NULL, NULL, NULL);
    CHECK_INT(index_commit(ix, 1, err, sizeof err), 0);
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "gpt-4", 0, 10, got, sizeof got), 0);
    CHECK(!strcmp(got, "1 2") || !strcmp(got, "2 1"));
    CHECK_INT(search_ids(ix, "GPT-4", 0, 10, got, sizeof got), 0);
    CHECK(!strcmp(got, "1 2") || !strcmp(got, "2 1"));
    CHECK_INT(search_ids(ix, "\"gpt-4 beats\"", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "1");
    CHECK_INT(search_ids(ix, "ti:gpt-4 -baselines", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "2");
    CHECK_INT(search_ids(ix, "k-means", 0, 10, got, sizeof got), 0);
    CHECK(!strcmp(got, "5 6") || !strcmp(got, "6 5"));
    CHECK_INT(search_ids(ix, "k-means clustering", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "5");
    /* stop words inside a compound keep their places, as in any phrase */
    CHECK_INT(search_ids(ix, "\"state-of-the-art results\"", 0, 10, got, sizeof got), 0);
    CHECK(!strcmp(got, "8 9") || !strcmp(got, "9 8"));
    CHECK_INT(search_ids(ix, "state-of-the-art", 0, 10, got, sizeof got), 0);
    CHECK(!strcmp(got, "8 9") || !strcmp(got, "9 8"));
    /* plain words (batch mode): the parts, any of which may match; one word alone is still
     * the phrase */
    CHECK_INT(search_ids(ix, "gpt-4", QUERY_PLAIN, 10, got, sizeof got), 0);
    CHECK(!strcmp(got, "1 2") || !strcmp(got, "2 1"));
    CHECK_INT(search_ids(ix, "gpt-4 reverse", QUERY_PLAIN, 10, got, sizeof got), 0);
    CHECK(strstr(got, "1") && strstr(got, "2") && strstr(got, "3") && strstr(got, "4"));
    /* the snippet marks the compound whole, and its parts where they stand apart */
    struct query *q;
    CHECK_INT(query_parse("gpt-4", 5, 0, &q, err, sizeof err), 0);
    struct index_search_opts o = {.k = 10, .id_lookup = test_ids};
    struct index_result r;
    CHECK_INT(index_search(ix, q, &o, &r, err, sizeof err), 0);
    const char *t1 = "GPT-4 beats the baselines", *t2 = "What GPT 4 can do";
    char *snip = index_snippet(&r, t1, strlen(t1), 200, "[", "]");
    CHECK_STR(snip, "[GPT-4] beats the baselines");
    xfree(snip);
    snip = index_snippet(&r, t2, strlen(t2), 200, "[", "]");
    CHECK_STR(snip, "What [GPT] [4] can do");
    xfree(snip);
    index_result_release(&r);
    query_free(q);
    CHECK_INT(query_parse("ti:k-means", 10, 0, &q, err, sizeof err), 0);
    CHECK_INT(index_search(ix, q, &o, &r, err, sizeof err), 0);
    const char *t5 = "Faster k-means clustering";
    snip = index_snippet(&r, t5, strlen(t5), 200, "[", "]");
    CHECK_STR(snip, "Faster [k-means] clustering");
    xfree(snip);
    index_result_release(&r);
    query_free(q);
    index_close(ix);
    test_remove_dir(dir);
}

static void test_relaxed_and_paging(void)
{
    char *dir;
    struct index *ix = small_index(&dir);
    struct query *q;
    char err[256];
    CHECK_INT(query_parse("residual molecules", 18, 0, &q, err, sizeof err), 0);
    struct index_search_opts o = {.k = 10, .id_lookup = test_ids};
    struct index_result r;
    CHECK_INT(index_search(ix, q, &o, &r, err, sizeof err), 0);
    CHECK_INT(r.relaxed, 1); /* no paper has both: either will do */
    CHECK_INT(r.n_hits, 2);
    index_result_release(&r);
    query_free(q);
    char got[64];
    CHECK_INT(search_ids(ix, "networks", 0, 1, got, sizeof got), 0);
    char first[64];
    memcpy(first, got, sizeof got);
    CHECK_INT(query_parse("networks", 8, 0, &q, err, sizeof err), 0);
    struct index_search_opts o2 = {.k = 1, .offset = 1, .id_lookup = test_ids};
    CHECK_INT(index_search(ix, q, &o2, &r, err, sizeof err), 0);
    CHECK_INT(r.n_hits, 1);
    CHECK_INT(r.total, 3);
    char second[16];
    snprintf(second, sizeof second, "%u", r.hits[0].docid);
    CHECK(strcmp(first, second) != 0);
    /* the snippet marks the stemmed matches in the original text */
    const char *text = "Residual networks ease the training of very deep networks.";
    char *snip = index_snippet(&r, text, strlen(text), 200, "[", "]");
    CHECK_STR(snip, "Residual [networks] ease the training of very deep [networks].");
    xfree(snip);
    index_result_release(&r);
    query_free(q);
    index_close(ix);
    test_remove_dir(dir);
}

static void test_replace_delete_merge(void)
{
    char *dir;
    struct index *ix = small_index(&dir);
    char got[256], err[256];
    /* replacing document 3 removes its old words */
    doc(ix, 3, "2024-06-01", "Shallow learning", "Nothing deep here.", "Kaiming He", "cs.CV");
    CHECK_INT(search_ids(ix, "residual", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "3"); /* not committed yet: readers still see the old text */
    CHECK_INT(index_commit(ix, 11, err, sizeof err), 0);
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "residual", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "");
    CHECK_INT(search_ids(ix, "shallow", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "3");
    index_delete(ix, 1);
    CHECK_INT(index_commit(ix, 12, err, sizeof err), 0);
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "attention", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "2");
    struct index_stats st;
    index_stats(ix, &st);
    CHECK_INT(st.docs, 3);
    CHECK_INT(st.segments, 2);
    CHECK_INT(st.seq, 12);
    CHECK_INT(index_merge(ix, 1, err, sizeof err), 0);
    CHECK(checked(ix));
    index_stats(ix, &st);
    CHECK_INT(st.segments, 1);
    CHECK_INT(st.deleted, 0);
    CHECK_INT(st.docs, 3);
    CHECK_INT(search_ids(ix, "attention", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "2");
    CHECK_INT(search_ids(ix, "shallow OR leskovec", 0, 10, got, sizeof got), 0);
    CHECK(strcmp(got, "3 2") == 0 || strcmp(got, "2 3") == 0);
    CHECK_INT(count_files(dir, ".seg"), 1); /* merged inputs removed */
    CHECK_INT(count_files(dir, ".tmp"), 0);
    /* rollback drops uncommitted work and its files */
    doc(ix, 9, NULL, "Uncommitted paper", NULL, NULL, NULL);
    index_rollback(ix);
    CHECK_INT(index_commit(ix, 13, err, sizeof err), 0);
    CHECK_INT(search_ids(ix, "uncommitted", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "");
    index_close(ix);
    /* reopening sees the committed state */
    CHECK_INT(index_open(dir, 0, &ix, err, sizeof err), 0);
    CHECK_INT(index_seq(ix), 13);
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "shallow", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "3");
    index_close(ix);
    test_remove_dir(dir);
}

static void test_delete_in_same_batch(void)
{
    char *dir = test_tmp_dir();
    struct index *ix;
    char err[256], got[64];
    CHECK_INT(index_open(dir, INDEX_WRITE, &ix, err, sizeof err), 0);
    doc(ix, 1, NULL, "kavot", NULL, NULL, NULL);
    doc(ix, 2, NULL, "kavot plumo", NULL, NULL, NULL);
    index_delete(ix, 1); /* added and deleted before the commit: never visible */
    CHECK_INT(index_commit(ix, 1, err, sizeof err), 0);
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "kavot", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "2");
    /* replaced, then deleted in the same batch: both versions gone */
    doc(ix, 2, NULL, "kavot again", NULL, NULL, NULL);
    index_delete(ix, 2);
    CHECK_INT(index_commit(ix, 2, err, sizeof err), 0);
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "kavot", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "");
    struct index_stats st;
    index_stats(ix, &st);
    CHECK_INT(st.docs, 0);
    index_close(ix);
    CHECK_INT(index_open(dir, 0, &ix, err, sizeof err), 0); /* and after reopening */
    CHECK_INT(search_ids(ix, "kavot", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "");
    CHECK(checked(ix));
    index_close(ix);
    test_remove_dir(dir);
}

static void test_clear_and_refresh(void)
{
    char *dir;
    struct index *w = small_index(&dir);
    struct index *r;
    char got[64], err[256];
    CHECK_INT(index_open(dir, 0, &r, err, sizeof err), 0);
    /* a second writer is refused */
    struct index *w2;
    CHECK_INT(index_open(dir, INDEX_WRITE, &w2, err, sizeof err), PB_EBUSY);
    index_clear(w);
    doc(w, 7, NULL, "Only paper left", NULL, NULL, NULL);
    CHECK_INT(index_commit(w, 20, err, sizeof err), 0);
    CHECK(checked(w));
    CHECK_INT(search_ids(r, "attention", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "1 2"); /* the reader's snapshot, until it refreshes */
    CHECK_INT(index_refresh(r, err, sizeof err), 0);
    CHECK_INT(search_ids(r, "attention", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "");
    CHECK_INT(search_ids(r, "left", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "7");
    CHECK_INT(index_seq(r), 20);
    index_close(r);
    index_close(w);
    test_remove_dir(dir);
}

static void test_leftovers_and_damage(void)
{
    char *dir;
    struct index *ix = small_index(&dir);
    char err[256], got[64];
    index_close(ix);
    /* what a killed writer leaves behind: a half-written segment and an unpublished one */
    char *tmp = xasprintf("%s/s000099.seg.tmp", dir), *orphan = xasprintf("%s/s000098.seg", dir);
    FILE *f = fopen(tmp, "w");
    fputs("half", f);
    fclose(f);
    f = fopen(orphan, "w");
    fputs("never published", f);
    fclose(f);
    CHECK_INT(index_open(dir, INDEX_WRITE, &ix, err, sizeof err), 0);
    CHECK(access(tmp, F_OK) != 0 && access(orphan, F_OK) != 0);
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "attention", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "1 2");
    index_close(ix);
    /* a damaged segment is reported, never read blindly */
    char *seg = xasprintf("%s/s000001.seg", dir);
    f = fopen(seg, "r+");
    CHECK(f != NULL);
    fseek(f, 400, SEEK_SET);
    fputc('X', f);
    fputc('Y', f);
    fclose(f);
    CHECK_INT(index_open(dir, 0, &ix, err, sizeof err), 0);
    CHECK_INT(index_check(ix, err, sizeof err), PB_EFORMAT);
    CHECK(strstr(err, "checksum") != NULL);
    index_close(ix);
    truncate(seg, 100);
    CHECK_INT(index_open(dir, 0, &ix, err, sizeof err), PB_EFORMAT);
    CHECK(strstr(err, "s000001.seg") != NULL);
    char *man = xasprintf("%s/MANIFEST", dir);
    f = fopen(man, "w");
    fputs("not a manifest\n", f);
    fclose(f);
    CHECK_INT(index_open(dir, 0, &ix, err, sizeof err), PB_EFORMAT);
    xfree(tmp);
    xfree(orphan);
    xfree(seg);
    xfree(man);
    test_remove_dir(dir);
}

/* Rewrites byte `at` of the segment file with fn(old byte) and fixes the checksum, so that
 * only the structure checks can tell. */
static void poke_segment(const char *path, uint64_t at, uint8_t (*fn)(uint8_t))
{
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f);
    uint8_t *buf = xmalloc(n);
    fseek(f, 0, SEEK_SET);
    CHECK(fread(buf, n, 1, f) == 1);
    buf[at] = fn(buf[at]);
    struct seg_header h;
    memcpy(&h, buf, sizeof h);
    h.checksum = seg_checksum(buf + sizeof h, n - sizeof h);
    memcpy(buf, &h, sizeof h);
    fseek(f, 0, SEEK_SET);
    CHECK(fwrite(buf, n, 1, f) == 1);
    fclose(f);
    xfree(buf);
}

static uint8_t plus1(uint8_t b)
{
    return (uint8_t)(b + 1);
}
static uint8_t minus2(uint8_t b)
{
    return (uint8_t)(b - 2);
}
static uint8_t not_first(uint8_t b)
{
    return (uint8_t)(b & ~1u);
}

/* The block table: its maxima are one byte, rounded up; index_check holds each to the
 * smallest code at or above its block's true maximum, and a block over the byte's range to the
 * term's maximum; a damaged table is refused when the segment is opened. */
static void test_block_maxima(void)
{
    char *dir = test_tmp_dir();
    struct index *ix;
    char err[256], got[256], cats[2048] = "";
    CHECK_INT(index_open(dir, INDEX_WRITE, &ix, err, sizeof err), 0);
    /* "qq" in 300 documents' categories (3 blocks), 600 times in one: tfc 300, past 248 */
    for (int i = 0; i < 600; i++)
        strcat(cats, "qq ");
    for (uint32_t id = 1; id <= 300; id++)
        doc(ix, id, NULL, id % 3 ? "plain title" : "plain title again", NULL, NULL,
            id == 150 ? cats : "qq");
    CHECK_INT(index_commit(ix, 1, err, sizeof err), 0);
    CHECK(checked(ix));
    CHECK_INT(search_ids(ix, "cat:qq", 0, 3, got, sizeof got), 0);
    CHECK(!strncmp(got, "150 ", 4));
    index_close(ix);
    char *seg = xasprintf("%s/s000001.seg", dir);
    struct seg *s;
    CHECK_INT(seg_open(seg, &s, err, sizeof err), 0);
    uint64_t at = s->h->off_blocks;
    int n_over = 0;
    for (uint32_t i = 0; i < s->h->n_blocks; i++)
        n_over += isinf(s->blocks[i].max_tfc);
    CHECK_INT(n_over, 1);
    CHECK(s->h->n_blocks >= 5); /* qq's and plain's */
    seg_close(s);
    /* the first block's code one step up: still a bound, but not the one the writer makes */
    poke_segment(seg, at, plus1);
    CHECK_INT(index_open(dir, 0, &ix, err, sizeof err), 0);
    CHECK_INT(index_check(ix, err, sizeof err), PB_EFORMAT);
    CHECK(strstr(err, "has maximum") != NULL);
    index_close(ix);
    /* one step below the true maximum: no longer a bound */
    poke_segment(seg, at, minus2);
    CHECK_INT(index_open(dir, 0, &ix, err, sizeof err), 0);
    CHECK_INT(index_check(ix, err, sizeof err), PB_EFORMAT);
    CHECK(strstr(err, "does not hold") != NULL || strstr(err, "has maximum") != NULL);
    index_close(ix);
    /* the table's first block not marked as a term's first */
    poke_segment(seg, at, plus1);
    poke_segment(seg, at + 1, not_first);
    CHECK_INT(index_open(dir, 0, &ix, err, sizeof err), PB_EFORMAT);
    CHECK(strstr(err, "bad block table") != NULL);
    xfree(seg);
    test_remove_dir(dir);
}

/* ---- MaxScore against exhaustive scoring on a random corpus ---- */

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void zipf_word(char *out, size_t n_vocab)
{
    /* rank r with probability ~ 1/r */
    double u = (next_rand() + 0.5) / 4294967296.0;
    size_t r = (size_t)pow((double)n_vocab, u);
    if (r >= n_vocab)
        r = n_vocab - 1;
    snprintf(out, 16, "w%zu", r);
}

/* Words whose prose form (stemmed) differs from their name form, so one query word becomes
 * several scoring units ("rays": ray in the text, rays in author names). */
static const char *const plurals[] = {"rays", "networks", "models", "graphs", "cosmic"};

static void random_text(char *buf, size_t cap, size_t words)
{
    size_t len = 0;
    for (size_t i = 0; i < words && len + 20 < cap; i++) {
        char w[16];
        if (next_rand() % 8 == 0)
            snprintf(w, sizeof w, "%s", plurals[next_rand() % 5]);
        else
            zipf_word(w, 3000);
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "", w);
    }
}

static void test_pruning_matches_exhaustive(void)
{
    char *dir = test_tmp_dir();
    struct index *ix;
    char err[256];
    CHECK_INT(index_open(dir, INDEX_WRITE, &ix, err, sizeof err), 0);
    char title[256], abs[4096];
    /* three segments so thresholds carry across them, then deletions */
    for (uint32_t id = 1; id <= 3000; id++) {
        random_text(title, sizeof title, 4 + next_rand() % 8);
        random_text(abs, sizeof abs, 20 + next_rand() % 150);
        char authors[64];
        snprintf(authors, sizeof authors, "A %s\nB %s", plurals[next_rand() % 5],
                 plurals[next_rand() % 5]);
        doc(ix, id, NULL, title, abs, next_rand() % 3 ? "A Author" : authors, "cs.LG");
        if (id % 1000 == 0)
            CHECK_INT(index_commit(ix, id, err, sizeof err), 0);
    }
    for (uint32_t id = 5; id <= 3000; id += 17)
        index_delete(ix, id);
    CHECK_INT(index_commit(ix, 4000, err, sizeof err), 0);
    CHECK(checked(ix));
    int n_pruned = 0;
    for (int qi = 0; qi < 500; qi++) {
        /* 300 disjunctions (MaxScore), then 200 conjunctions of 2 to 4 words */
        char qtext[512];
        int conj = qi >= 300;
        random_text(qtext, sizeof qtext, conj ? 2 + next_rand() % 3 : 1 + next_rand() % 12);
        struct query *q;
        CHECK_INT(query_parse(qtext, strlen(qtext), conj ? 0 : QUERY_PLAIN, &q, err, sizeof err),
                  0);
        struct index_search_opts fast = {.k = 10, .id_lookup = test_ids},
                                 slow = {.k = 10, .exhaustive = 1, .id_lookup = test_ids};
        struct index_result a, b;
        CHECK_INT(index_search(ix, q, &fast, &a, err, sizeof err), 0);
        CHECK_INT(index_search(ix, q, &slow, &b, err, sizeof err), 0);
        CHECK_INT(a.n_hits, b.n_hits);
        CHECK_INT(a.relaxed, b.relaxed);
        for (size_t i = 0; i < a.n_hits; i++) {
            /* equal scores may come out in either order only when they differ by rounding */
            if (a.hits[i].docid != b.hits[i].docid)
                CHECK(fabsf(a.hits[i].score - b.hits[i].score) < 1e-4f * b.hits[i].score);
            CHECK(fabsf(a.hits[i].score - b.hits[i].score) <= 1e-4f * b.hits[i].score);
        }
        n_pruned += !a.total_exact;
        index_result_release(&a);
        index_result_release(&b);
        query_free(q);
    }
    CHECK(n_pruned > 150); /* the test exercised pruning, not only exhaustive paths */
    index_close(ix);
    test_remove_dir(dir);
}

/* ---- papers' own ids: looked up, not stored, and found as if they were ---- */

/* Document id of index A: its own id is the text of its id field, so A does not store it and
 * finds it through test_ids. Index B gets the same id with a space after it, which B stores as
 * an ordinary term: B is what the index held before ids were left out, the oracle. */
static void id_doc(struct index *a, struct index *b, uint32_t id, const char *title,
                   const char *abs)
{
    char idtext[32];
    for (int k = 0; k < 2; k++) {
        struct index_doc d;
        memset(&d, 0, sizeof d);
        d.docid = id;
        d.day = INT32_MIN;
        snprintf(idtext, sizeof idtext, "2501.%05u%s", id, k ? " " : "");
        const char *text[IF_COUNT] = {title, abs, "Ada Lovelace", "cs.LG", idtext, NULL};
        for (int f = 0; f < IF_COUNT; f++) {
            d.text[f] = text[f];
            d.len[f] = text[f] ? strlen(text[f]) : 0;
        }
        index_add(k ? b : a, &d);
    }
}

static void test_ids_looked_up(void)
{
    char *da = test_tmp_dir(), *db = test_tmp_dir();
    struct index *a, *b;
    char err[256], title[256], abs[4096], qtext[256];
    CHECK_INT(index_open(da, INDEX_WRITE, &a, err, sizeof err), 0);
    CHECK_INT(index_open(db, INDEX_WRITE, &b, err, sizeof err), 0);
    /* three segments; abstracts cite other papers' ids and now and then their own; then
     * replacements (a document in two segments) and deletions (still counted in df) */
    for (uint32_t id = 1; id <= 900; id++) {
        random_text(title, sizeof title, 3 + next_rand() % 6);
        random_text(abs, sizeof abs, 10 + next_rand() % 40);
        for (int c = 0; c < 3; c++)
            if (next_rand() % 4 == 0) {
                size_t n = strlen(abs);
                uint32_t cited = next_rand() % 6 == 0 ? id : 1 + next_rand() % 900;
                snprintf(abs + n, sizeof abs - n, " see arXiv:2501.%05uv2 w%u", cited,
                         next_rand() % 50);
            }
        id_doc(a, b, id, title, abs);
        if (id % 300 == 0) {
            CHECK_INT(index_commit(a, id, err, sizeof err), 0);
            CHECK_INT(index_commit(b, id, err, sizeof err), 0);
        }
    }
    for (uint32_t id = 7; id <= 900; id += 29) {
        if (id % 2) {
            id_doc(a, b, id, "replaced paper", "cites 2501.00011 and w3");
        } else {
            index_delete(a, id);
            index_delete(b, id);
        }
    }
    CHECK_INT(index_commit(a, 1000, err, sizeof err), 0);
    CHECK_INT(index_commit(b, 1000, err, sizeof err), 0);
    CHECK(checked(a) && checked(b));
    struct index_stats sa, sb;
    index_stats(a, &sa);
    index_stats(b, &sb);
    CHECK(sa.terms < sb.terms); /* the ids are not stored */
    static const char *const forms[] = {"id:%s",        "%s",         "%s w1 w2",
                                        "%s OR w5",     "ti:%s",      "abs:%s",
                                        "w1 -%s",       "\"see %s\"", "id:(%s OR 2501.00011)",
                                        "2501.00011 %s"};
    size_t n_hits = 0;
    for (int pass = 0; pass < 2 && !harness_failed; pass++) {
        for (int qi = 0; qi < 400 && !harness_failed; qi++) {
            char idw[32];
            snprintf(idw, sizeof idw, qi % 3 ? "2501.%05u" : "arXiv:2501.%05uv1",
                     1 + next_rand() % 900);
            snprintf(qtext, sizeof qtext, forms[qi % 10], idw);
            unsigned flags = qi % 4 == 3 ? QUERY_PLAIN : 0;
            struct query *q;
            CHECK_INT(query_parse(qtext, strlen(qtext), flags, &q, err, sizeof err), 0);
            struct index_search_opts oa = {.k = 10, .exhaustive = qi % 2, .id_lookup = test_ids},
                                     ob = {.k = 10, .exhaustive = qi % 2};
            struct index_result ra, rb;
            CHECK_INT(index_search(a, q, &oa, &ra, err, sizeof err), 0);
            CHECK_INT(index_search(b, q, &ob, &rb, err, sizeof err), 0);
            CHECK_INT(ra.n_hits, rb.n_hits);
            for (size_t i = 0; i < ra.n_hits && i < rb.n_hits; i++) {
                if (ra.hits[i].docid != rb.hits[i].docid || ra.hits[i].score != rb.hits[i].score)
                    printf("  '%s' hit %zu: %u %.6f vs %u %.6f\n", qtext, i, ra.hits[i].docid,
                           ra.hits[i].score, rb.hits[i].docid, rb.hits[i].score);
                CHECK_INT(ra.hits[i].docid, rb.hits[i].docid);
                CHECK(ra.hits[i].score == rb.hits[i].score);
            }
            n_hits += ra.n_hits;
            index_result_release(&ra);
            index_result_release(&rb);
            query_free(q);
        }
        /* once more on one merged segment each */
        CHECK_INT(index_merge(a, 1, err, sizeof err), 0);
        CHECK_INT(index_merge(b, 1, err, sizeof err), 0);
        CHECK(checked(a) && checked(b));
    }
    CHECK(n_hits > 2000);
    /* without a lookup an id finds no paper by its id, only text that holds it */
    char got[256];
    struct query *q;
    CHECK_INT(query_parse("id:2501.00011", 13, 0, &q, err, sizeof err), 0);
    struct index_search_opts none = {.k = 10};
    struct index_result r;
    CHECK_INT(index_search(a, q, &none, &r, err, sizeof err), 0);
    CHECK_INT(r.n_hits, 0);
    index_result_release(&r);
    query_free(q);
    CHECK_INT(search_ids(a, "id:2501.00011", 0, 10, got, sizeof got), 0);
    CHECK_STR(got, "11");
    index_close(a);
    index_close(b);
    test_remove_dir(da);
    test_remove_dir(db);
}

/* ---- snippets: the prefilter marks exactly what tokenising the whole text marks ---- */

struct term_list {
    char **v;
    size_t n;
};

static int add_term(void *ctx, const struct token *t)
{
    struct term_list *l = ctx;
    if (t->flags & TOKEN_STOP || l->n == 40)
        return 0;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], t->term) == 0)
            return 0;
    l->v[l->n++] = xstrdup(t->term);
    return 0;
}

static size_t spans_of(struct index_result *r, const char *text, int whole, size_t *ws, size_t *we,
                       struct index_span **sp)
{
    index_snippet_whole_text = whole;
    size_t n = index_snippet_spans(r, text, strlen(text), 240, ws, we, sp);
    index_snippet_whole_text = 0;
    return n;
}

/* Marks the terms of `words` in `text` both ways; adds the number of marks to *marks. */
static void compare_snippets(struct tokenizer *tok, const char *words, const char *text,
                             size_t *marks)
{
    char *v[40];
    struct term_list l = {v, 0};
    tokenizer_run(tok, TOKEN_TEXT, words, strlen(words), 0, add_term, &l);
    struct index_result r;
    memset(&r, 0, sizeof r);
    r.terms = l.v;
    r.n_terms = l.n;
    r.tok = tok;
    size_t ws1, we1, ws2, we2;
    struct index_span *a, *b;
    size_t na = spans_of(&r, text, 0, &ws1, &we1, &a);
    size_t nb = spans_of(&r, text, 1, &ws2, &we2, &b);
    CHECK_INT(na, nb);
    CHECK_INT(ws1, ws2);
    CHECK_INT(we1, we2);
    for (size_t i = 0; i < na && i < nb; i++) {
        if (a[i].start != b[i].start || a[i].end != b[i].end)
            fprintf(stderr, "  words '%s', mark %zu: %zu-%zu vs %zu-%zu in '%.*s'\n", words, i,
                    a[i].start, a[i].end, b[i].start, b[i].end, 60, text + b[i].start);
        CHECK_INT(a[i].start, b[i].start);
        CHECK_INT(a[i].end, b[i].end);
    }
    xfree(a);
    xfree(b);
    for (size_t i = 0; i < l.n; i++)
        xfree(l.v[i]);
    *marks += nb;
}

static char *json_field(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return xstrdup(s ? s : "");
}

static void test_snippet_prefilter(void)
{
    struct tokenizer *tok = tokenizer_new();
    static const char *const tricky[][2] = {
        {"dying lying tie", "Dying stars, lying flat; a tying rule."},
        {"schrodinger alpha", "The Schr\\\"odinger equation with $\\alpha$-stable noise."},
        {"gpt-4 model", "GPT-4's outputs beat the model's; gpt4 and GPT 4 too."},
        {"find llms", "We \xef\xac\x81nd that LLMs, unlike CNNs, ..."},
        {"dont obrien", "Don't ask O'Brien."},
        {"o(n log n) log", "Sorting in O(n log n) time; log factors."},
        {"hyphenation", "hyphen\xc2\xad"
                        "ation and hyphenation."},
        {"\xe6\xb7\xb1\xe5\xba\xa6 bert", "\xe6\xb7\xb1\xe5\xba\xa6\xe5\xad\xa6\xe4\xb9\xa0 and "
                                          "\xef\xbc\xa2\xef\xbc\xa5\xef\xbc\xb2\xef\xbc\xb4"},
        {"3d 1.5 resnet50", "3D scenes at 1.5x with ResNet50 and 2503.11731v2."},
        {"k-means cluster", "k-means clustering, K-Means++ and kmeans."},
        {"x a", "x is a; X, a."},
        {"bjorn", "Bj\\o rn and Bj\\o{}rn wrote it."},
    };
    for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++) {
        size_t marks = 0;
        compare_snippets(tok, tricky[i][0], tricky[i][1], &marks);
        if (harness_failed)
            break;
        CHECK(marks > 0);
    }
    /* real abstracts, with query words from titles and from other abstracts */
    static char line[1 << 17];
    char *prev_title = xstrdup(""), *prev_abs = xstrdup("");
    size_t n_docs = 0, n_marks = 0;
    for (int day = 10; day <= 11 && !harness_failed; day++) {
        char path[64];
        snprintf(path, sizeof path, "data/sample/2026-06-%d.jsonl.gz", day);
        gzFile f = gzopen(path, "rb");
        CHECK(f != NULL);
        while (gzgets(f, line, sizeof line) && !harness_failed) {
            json_t *o = json_loads(line, 0, NULL);
            if (!o)
                continue;
            char *title = json_field(o, "title"), *abs = json_field(o, "summary");
            json_decref(o);
            compare_snippets(tok, title, abs, &n_marks);
            compare_snippets(tok, prev_title, abs, &n_marks);
            /* eight words from the middle of another abstract */
            size_t alen = strlen(prev_abs), at = alen / 2, words = 0;
            while (at > 0 && prev_abs[at - 1] != ' ')
                at--;
            size_t end = at;
            while (end < alen && words < 8)
                words += prev_abs[end++] == ' ';
            char *mid = xstrdup(prev_abs + at);
            mid[end - at] = 0;
            compare_snippets(tok, mid, abs, &n_marks);
            xfree(mid);
            xfree(prev_title);
            xfree(prev_abs);
            prev_title = title;
            prev_abs = abs;
            n_docs++;
        }
        gzclose(f);
    }
    xfree(prev_title);
    xfree(prev_abs);
    CHECK(n_docs >= 500);
    CHECK(n_marks > 3000);
    tokenizer_free(tok);
}

/* The texts feedback reads, by docid (index_doc_text_fn over a table). */
static const char *const fb_texts[][2] = {
    [11] = {"Retrieval with zebra features", "Zebra zebra retrieval."},
    [12] = {"Retrieval of zebra images", "Zebra models."},
    [13] = {"Zebra crossing", "Stripes of the zebra."},
    [14] = {"Unrelated paper", "Other words."},
};

static int fb_text(void *ctx, uint32_t docid, const char **title, const char **abstract)
{
    (void)ctx;
    if (docid >= sizeof fb_texts / sizeof fb_texts[0] || !fb_texts[docid][0])
        return -1;
    *title = fb_texts[docid][0];
    *abstract = fb_texts[docid][1];
    return 0;
}

/* A plain-mode query with params p (and the feedback texts when feedback is set) into r. */
static int plain_search(struct index *ix, const char *text, const struct index_params *p,
                        int feedback, struct index_result *r)
{
    struct query *q;
    char err[256];
    if (query_parse(text, strlen(text), QUERY_PLAIN, &q, err, sizeof err))
        return -1;
    struct index_search_opts o = {
        .k = 10, .params = p, .id_lookup = test_ids, .doc_text = feedback ? fb_text : NULL};
    int rc = index_search(ix, q, &o, r, err, sizeof err);
    query_free(q);
    return rc;
}

static float score_of(const struct index_result *r, uint32_t docid)
{
    for (size_t i = 0; i < r->n_hits; i++)
        if (r->hits[i].docid == docid)
            return r->hits[i].score;
    return -1;
}

/* prox= lifts the paper whose query words stand together over one with the same words apart;
 * prf.* brings in a paper that has only the feedback documents' common word, while the count
 * and the highlighted terms stay the query's own. */
static void test_proximity_and_feedback(void)
{
    char *dir = test_tmp_dir();
    struct index *ix;
    char err[256];
    CHECK(index_open(dir, INDEX_WRITE, &ix, err, sizeof err) == 0);
    doc(ix, 1, "2025-01-01", "alpha gamma delta epsilon beta", "Filler text here.", "A B", "cs.LG");
    doc(ix, 2, "2025-01-01", "alpha beta gamma delta epsilon", "Filler text here.", "A B", "cs.LG");
    doc(ix, 3, "2025-01-01", "Unrelated", "Nothing to see.", "A B", "cs.LG");
    for (uint32_t id = 11; id <= 14; id++)
        doc(ix, id, "2025-01-02", fb_texts[id][0], fb_texts[id][1], "C D", "cs.IR");
    CHECK(index_commit(ix, 20, err, sizeof err) == 0);

    struct index_params p;
    index_params_default(&p);
    struct index_result r;
    CHECK(plain_search(ix, "alpha beta", &p, 0, &r) == 0);
    CHECK(r.n_hits == 2);
    CHECK(fabsf(score_of(&r, 1) - score_of(&r, 2)) < 1e-4f); /* same words, same lengths */
    index_result_release(&r);
    p.prox = 1;
    CHECK(plain_search(ix, "alpha beta", &p, 0, &r) == 0);
    CHECK(r.n_hits == 2);
    CHECK(r.n_hits && r.hits[0].docid == 2);
    CHECK(score_of(&r, 2) > score_of(&r, 1) + 0.01f);
    index_result_release(&r);

    index_params_default(&p);
    CHECK(plain_search(ix, "retrieval", &p, 1, &r) == 0);
    CHECK(r.n_hits == 2 && score_of(&r, 13) < 0); /* feedback is off by default */
    index_result_release(&r);
    p.prf_docs = 2;
    p.prf_terms = 3;
    p.prf_weight = 0.5f;
    CHECK(plain_search(ix, "retrieval", &p, 0, &r) == 0);
    CHECK(r.n_hits == 2); /* no texts, no feedback */
    index_result_release(&r);
    CHECK(plain_search(ix, "retrieval", &p, 1, &r) == 0);
    CHECK(r.n_hits == 3);
    CHECK(score_of(&r, 13) > 0);
    CHECK(score_of(&r, 14) < 0);
    CHECK(score_of(&r, 13) < score_of(&r, 11) && score_of(&r, 13) < score_of(&r, 12));
    CHECK(r.total == 2);
    int own = 0, fed = 0; /* highlights: the query's word, not the feedback's */
    for (size_t i = 0; i < r.n_terms; i++) {
        own += strcmp(r.terms[i], "retriev") == 0;
        fed += strncmp(r.terms[i], "zebra", 5) == 0;
    }
    CHECK(own == 1 && fed == 0);
    index_result_release(&r);
    index_close(ix);
    test_remove_dir(dir);
}

TEST_MAIN(T(test_words_and_or_not), T(test_phrases_fields_dates), T(test_compounds_are_phrases),
          T(test_relaxed_and_paging), T(test_replace_delete_merge), T(test_delete_in_same_batch),
          T(test_clear_and_refresh), T(test_leftovers_and_damage), T(test_block_maxima),
          T(test_pruning_matches_exhaustive), T(test_ids_looked_up), T(test_snippet_prefilter),
          T(test_proximity_and_feedback))
