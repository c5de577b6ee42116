/* ingest/parse_oai.c, parse_atom.c, parse_rss.c and their shared xml.c. Real responses come from
 * $PB_ROOT/../shared/data/feeds (see its SOURCE.txt); hand-made documents live in
 * tests/cases/xml/ or inline. Covers field mapping, metas, rejects, chunking (whole, one byte at a
 * time, random chunks give the same result), truncation, invalid UTF-8, entity bombs, nesting and
 * size caps. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../src/ingest/ingest.h"
#include "../../src/ingest/xml.h"
#include "../../src/util/alloc.h"
#include "../../src/util/buf.h"
#include "../../src/util/date.h"
#include "../../src/util/text.h"
#include "../harness.h"

/* --- collecting sink --- */

struct result {
    struct paper *v;
    size_t n, cap;
    struct ingest_error rej[32];
    size_t n_rej;
    char **meta; /* key, value, key, value... */
    size_t n_meta, meta_cap;
    int rc;
    char err[256];
    long stop_after; /* return PB_ESTOP after this many papers (0 = never) */
};

static int on_paper(void *ctx, const struct paper *p)
{
    struct result *r = ctx;
    r->v = xgrow(r->v, sizeof *r->v, r->n + 1, &r->cap);
    struct paper *q = &r->v[r->n++];
    paper_init(q);
    paper_copy(q, p);
    if (r->stop_after && (long)r->n >= r->stop_after)
        return PB_ESTOP;
    return 0;
}

static int on_reject(void *ctx, const struct ingest_error *e)
{
    struct result *r = ctx;
    if (r->n_rej < sizeof r->rej / sizeof r->rej[0])
        r->rej[r->n_rej] = *e;
    r->n_rej++;
    return 0;
}

static int on_meta(void *ctx, const char *key, const char *value)
{
    struct result *r = ctx;
    r->meta = xgrow(r->meta, sizeof *r->meta, r->n_meta + 2, &r->meta_cap);
    r->meta[r->n_meta++] = xstrdup(key);
    r->meta[r->n_meta++] = xstrdup(value);
    return 0;
}

static void result_free(struct result *r)
{
    for (size_t i = 0; i < r->n; i++)
        paper_clear(&r->v[i]);
    xfree(r->v);
    for (size_t i = 0; i < r->n_meta; i++)
        xfree(r->meta[i]);
    xfree(r->meta);
    memset(r, 0, sizeof *r);
}

/* The last value reported for key, or NULL. */
static const char *meta(const struct result *r, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i + 1 < r->n_meta; i += 2)
        if (!strcmp(r->meta[i], key))
            v = r->meta[i + 1];
    return v;
}

/* Everything a parse produced, as one string, for comparing two parses. */
static char *result_dump(const struct result *r)
{
    struct buf b = BUF_INIT((size_t)1 << 30);
    int rc = buf_printf(&b, "rc=%d err=%s\n", r->rc, r->err);
    for (size_t i = 0; i < r->n && !rc; i++) {
        const struct paper *p = &r->v[i];
        const char *f[] = {p->id,          p->title,   p->abstract,   p->comment,
                           p->journal_ref, p->doi,     p->license,    p->report_no,
                           p->submitted,   p->updated, p->listing_day};
        rc =
            buf_printf(&b, "#%ld@%ld v%d d%d", p->record_no, p->line_no, p->version, p->is_deleted);
        for (size_t k = 0; !rc && k < sizeof f / sizeof f[0]; k++)
            rc = buf_printf(&b, "|%s", f[k] ? f[k] : "(null)");
        for (size_t k = 0; !rc && k < p->authors.n; k++)
            rc = buf_printf(&b, "|a:%s", p->authors.v[k]);
        for (size_t k = 0; !rc && k < p->categories.n; k++)
            rc = buf_printf(&b, "|c:%s", p->categories.v[k]);
        if (!rc)
            rc = buf_putc(&b, '\n');
    }
    for (size_t i = 0; i < r->n_rej && i < sizeof r->rej / sizeof r->rej[0] && !rc; i++)
        rc = buf_printf(&b, "reject #%ld@%ld %s\n", r->rej[i].record_no, r->rej[i].line_no,
                        r->rej[i].msg);
    for (size_t i = 0; i + 1 < r->n_meta && !rc; i += 2)
        rc = buf_printf(&b, "meta %s=%s\n", r->meta[i], r->meta[i + 1]);
    if (rc)
        abort();
    return buf_take(&b);
}

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Parse data[0..n) as format f. chunk 0: all at once; chunk > 0: pieces of that size; seed != 0
 * (and chunk 0): random pieces of 1..max_random bytes. The result is in *r (freed by caller). */
static int parse_ex(struct result *r, enum ingest_format f, const char *data, size_t n,
                    size_t chunk, uint32_t seed, size_t max_random)
{
    struct ingest_sink sink = {r, on_paper, on_reject, on_meta};
    struct ingest_opts opts = {"test.xml", NULL};
    struct parser *p = parser_new(f, &sink, &opts);
    int rc = 0;
    size_t off = 0;
    while (off < n && !rc) {
        size_t k = n - off;
        if (chunk && k > chunk)
            k = chunk;
        else if (!chunk && seed) {
            size_t want = 1 + rng_next(&seed) % max_random;
            if (k > want)
                k = want;
        }
        rc = parser_feed(p, data + off, k);
        off += k;
    }
    if (!rc)
        rc = parser_finish(p);
    r->rc = rc;
    const struct ingest_error *e = parser_error(p);
    if (e)
        memcpy(r->err, e->msg, sizeof r->err);
    parser_free(p);
    return rc;
}

static int parse(struct result *r, enum ingest_format f, const char *data, size_t n)
{
    return parse_ex(r, f, data, n, 0, 0, 0);
}

static int parse_str(struct result *r, enum ingest_format f, const char *s)
{
    return parse(r, f, s, strlen(s));
}

/* --- files --- */

static char *read_path(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct buf b = BUF_INIT((size_t)64 << 20);
    char tmp[8192];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, fp)) > 0)
        if (buf_append(&b, tmp, k))
            abort();
    fclose(fp);
    *len = b.len;
    return buf_take(&b);
}

/* rel under $PB_ROOT/../shared/data/feeds ("feeds:...") or $PB_ROOT ("repo:..."). */
static char *read_data(const char *rel, size_t *len)
{
    const char *root = getenv("PB_ROOT");
    char *path;
    if (!strncmp(rel, "repo:", 5))
        path = xasprintf("%s/%s", root ? root : ".", rel + 5);
    else
        path = xasprintf("%s/../shared/data/feeds/%s", root ? root : ".", rel);
    char *data = read_path(path, len);
    if (!data)
        printf("note: cannot read %s\n", path);
    xfree(path);
    return data;
}

static int parse_file(struct result *r, enum ingest_format f, const char *rel)
{
    size_t n;
    char *data = read_data(rel, &n);
    if (!data)
        return -1000;
    int rc = parse(r, f, data, n);
    xfree(data);
    return rc;
}

static const struct {
    enum ingest_format f;
    const char *rel;
    long n_records;
    const char *total; /* opensearch:totalResults or completeListSize, NULL = none */
} corpus[] = {
    {INGEST_OAI, "arxiv-oai-pmh/ErrorResponseBadArgument.xml", 0, NULL},
    {INGEST_OAI, "arxiv-oai-pmh/ErrorResponseBadResumptionToken.xml", 0, NULL},
    {INGEST_OAI, "arxiv-oai-pmh/ErrorResponseBadVerb.xml", 0, NULL},
    {INGEST_OAI, "arxiv-oai-pmh/ErrorResponseIdDoesNotExist.xml", 0, NULL},
    {INGEST_OAI, "arxiv-oai-pmh/ErrorResponseNoRecordsMatch.xml", 0, NULL},
    {INGEST_OAI, "arxiv-oai-pmh/GetRecordResponse.xml", 1, NULL},
    {INGEST_OAI, "arxiv-oai-pmh/ListRecordsResponse.xml", 6, "58011"},
    {INGEST_OAI, "arxiv-oai-pmh/paperhive-nock/oaipmh-getrecord---should-get-a-record.body.xml", 1,
     NULL},
    {INGEST_OAI, "arxiv-oai-pmh/paperhive-nock/oaipmh-identify---should-identify-arxiv.body.xml", 0,
     NULL},
    {INGEST_OAI,
     "arxiv-oai-pmh/paperhive-nock/"
     "oaipmh-listidentifiers---should-list-identifiers-from-arxiv.body.xml",
     0, NULL},
    {INGEST_OAI,
     "arxiv-oai-pmh/paperhive-nock/"
     "oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-exlibris.0.body."
     "xml",
     0, NULL},
    {INGEST_OAI,
     "arxiv-oai-pmh/paperhive-nock/"
     "oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-exlibris.1.body."
     "xml",
     0, NULL},
    {INGEST_OAI,
     "arxiv-oai-pmh/paperhive-nock/"
     "oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-gulbenkian.0."
     "body."
     "xml",
     0, "154"},
    {INGEST_OAI,
     "arxiv-oai-pmh/paperhive-nock/"
     "oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-gulbenkian.1."
     "body."
     "xml",
     0, "154"},
    {INGEST_OAI,
     "arxiv-oai-pmh/paperhive-nock/"
     "oaipmh-listmetadataformats---should-list-metadata-formats-for-arxiv-id-1208-0264.body.xml",
     0, NULL},
    {INGEST_OAI,
     "arxiv-oai-pmh/paperhive-nock/"
     "oaipmh-listmetadataformats---should-list-metadata-formats-for-arxiv.body.xml",
     0, NULL},
    {INGEST_OAI,
     "arxiv-oai-pmh/paperhive-nock/"
     "oaipmh-listrecords---should-list-identifiers-from-arxiv.1.body.xml",
     2, NULL},
    {INGEST_OAI, "arxiv-oai-pmh/paperhive-nock/oaipmh-listsets---should-list-arxiv-sets.body.xml",
     0, NULL},
    {INGEST_OAI, "samples-from-docs/oaipmh_arXivRaw_GetRecord_1304.4214.xml", 1, NULL},
    {INGEST_OAI, "samples-from-docs/oaipmh_arXiv_format_0806.4129_ASSEMBLED.xml", 1, NULL},
    {INGEST_ATOM, "arxiv-api-atom/arxiv.xml", 25, "449736"},
    {INGEST_ATOM, "arxiv-api-atom/arxiv_transformer.xml", 5, "28946"},
    {INGEST_ATOM, "arxiv-api-atom/deep dream-0.atom", 10, "24617"},
    {INGEST_ATOM, "arxiv-api-atom/deep dream-1.atom", 10, "24617"},
    {INGEST_ATOM, "arxiv-api-atom/deep dream-2.atom", 10, "24617"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2016/id_list=1111.2011v2.xml", 1, "1"},
    {INGEST_ATOM,
     "arxiv-api-atom/lukasschwab-2016/"
     "search_query=au:del_maestro+AND+ti:\"quantum+criticality\".xml",
     2, "2"},
    {INGEST_ATOM,
     "arxiv-api-atom/lukasschwab-2016/search_query=au:del_maestro+AND+ti:checkerboard.xml", 1, "1"},
    {INGEST_ATOM,
     "arxiv-api-atom/lukasschwab-2016/"
     "search_query=au:del_maestro+ANDNOT+%28ti:checkerboard+OR+ti:Pyrochlore%29.xml",
     10, "24"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2016/search_query=au:del_maestro.xml", 10, "31"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/id_0000.0000_s0_m100_8b51d9633a68.body.xml", 0,
     "0"},
    {INGEST_ATOM,
     "arxiv-api-atom/lukasschwab-2026/id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.body.xml", 1,
     "1"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/id_0808.05394_s0_m100_7b0c7d0a7cdd.body.xml", 0,
     "0"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/id_1605.08386_s0_m100_199195aa31ad.body.xml", 1,
     "1"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/id_1707.08567_s0_m100_6a1afebfc6a3.body.xml", 1,
     "1"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/id_2104.12255v1_s0_m100_6ae69987ffe1.body.xml",
     1, "1"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/id_abc_s0_m100_b79c8dcf6bc3.body.xml", 0, "1"},
    {INGEST_ATOM,
     "arxiv-api-atom/lukasschwab-2026/id_astro-ph_0601001_s0_m100_3150dca9dc76.body.xml", 1, "1"},
    {INGEST_ATOM,
     "arxiv-api-atom/lukasschwab-2026/id_quant-ph_0201082v1_s0_m100_86989fe779ef.body.xml", 1, "1"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s0_m100_cfe7536492ca.body.xml", 100,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s0_m10_bc5a6c384fe9.body.xml", 10,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s0_m15_80c242b59d59.body.xml", 15,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s10_m10_34e56e15aaac.body.xml", 10,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s20_m10_348a237fecab.body.xml", 10,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s30_m10_f2e39f0143dc.body.xml", 10,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s40_m10_96dd32eb854c.body.xml", 10,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s50_m10_7f488ab8598c.body.xml", 10,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s5_m10_c0e94a259d4a.body.xml", 10,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s5_m15_bbcf6b23085b.body.xml", 15,
     "214881"},
    {INGEST_ATOM, "arxiv-api-atom/lukasschwab-2026/q_testing_s9_m15_0b78d4b4d476.body.xml", 15,
     "214881"},
    {INGEST_ATOM, "samples-from-docs/arxiv_api_atom_error.xml", 0, "1"},
    {INGEST_ATOM, "samples-from-docs/arxiv_api_atom_response.xml", 1, "1000"},
    {INGEST_ATOM, "repo:tests/cases/xml/atom_listing.xml", 2, NULL},
    {INGEST_RSS, "arxiv-rss/arxiv_cs_ai.xml", 3, NULL},
    {INGEST_RSS, "arxiv-rss/arxiv_cs_cl.xml", 3, NULL},
    {INGEST_RSS, "arxiv-rss/arxiv_cs_lg.xml", 3, NULL},
    {INGEST_RSS, "repo:tests/cases/xml/rss2_fragments.xml", 3, NULL},
    {INGEST_RSS, "repo:tests/cases/xml/rss1_old_arxiv.rdf", 2, NULL},
    {INGEST_OAI, "repo:tests/cases/xml/oai_dc_deleted.xml", 3, "5"},
};

#define N_CORPUS (sizeof corpus / sizeof corpus[0])

/* Every real file parses without error, with the expected record count and no rejects. */
static void corpus_counts(void)
{
    for (size_t i = 0; i < N_CORPUS; i++) {
        struct result r = {0};
        int rc = parse_file(&r, corpus[i].f, corpus[i].rel);
        if (rc || (long)r.n != corpus[i].n_records)
            printf("note: %s: rc=%d err=%s records=%zu\n", corpus[i].rel, rc, r.err, r.n);
        CHECK_INT(rc, 0);
        CHECK_INT(r.n, corpus[i].n_records);
        const char *total =
            corpus[i].f == INGEST_ATOM ? meta(&r, "totalResults") : meta(&r, "completeListSize");
        if (corpus[i].total)
            CHECK_STR(total, corpus[i].total);
        else
            CHECK(total == NULL);
        /* Hand-made files have deliberate rejects; real ones have none. */
        if (strncmp(corpus[i].rel, "repo:", 5))
            CHECK_INT(r.n_rej, 0);
        for (size_t k = 0; k < r.n; k++) {
            CHECK(r.v[k].id != NULL);
            CHECK(r.v[k].is_deleted || (r.v[k].title && *r.v[k].title));
            if (!r.n_rej)
                CHECK_INT(r.v[k].record_no, (long)k + 1);
            CHECK(k == 0 || r.v[k].record_no > r.v[k - 1].record_no);
            CHECK(r.v[k].line_no > 0);
        }
        result_free(&r);
    }
}

/* Whole, one byte at a time, fixed and random chunks: the same records, metas and errors. */
static void corpus_chunking(void)
{
    for (size_t i = 0; i < N_CORPUS; i++) {
        size_t n;
        char *data = read_data(corpus[i].rel, &n);
        CHECK(data != NULL);
        struct result whole = {0};
        parse(&whole, corpus[i].f, data, n);
        char *want = result_dump(&whole);
        result_free(&whole);
        static const size_t chunks[] = {1, 7, 4096};
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            if (chunks[c] == 1 && n > 40000)
                continue; /* byte-at-a-time on the smaller files only: slow under ASan */
            struct result r = {0};
            parse_ex(&r, corpus[i].f, data, n, chunks[c], 0, 0);
            char *got = result_dump(&r);
            result_free(&r);
            int same = !strcmp(got, want);
            if (!same)
                printf("note: %s differs in chunks of %zu\n", corpus[i].rel, chunks[c]);
            xfree(got);
            if (!same) {
                xfree(want);
                xfree(data);
            }
            CHECK(same);
        }
        for (uint32_t seed = 1; seed <= 3; seed++) {
            struct result r = {0};
            parse_ex(&r, corpus[i].f, data, n, 0, seed * 2654435761u, seed == 1 ? 16 : 3000);
            char *got = result_dump(&r);
            result_free(&r);
            int same = !strcmp(got, want);
            xfree(got);
            if (!same) {
                printf("note: %s differs in random chunks (seed %u)\n", corpus[i].rel, seed);
                xfree(want);
                xfree(data);
            }
            CHECK(same);
        }
        xfree(want);
        xfree(data);
    }
}

/* --- OAI-PMH --- */

static void oai_list_records_raw(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_OAI, "arxiv-oai-pmh/ListRecordsResponse.xml"), 0);
    CHECK_INT(r.n, 6);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "0704.0471");
    CHECK_INT(p->version, 1);
    CHECK_STR(p->title, "Density dependence of the symmetry energy and the nuclear equation of "
                        "state: A Dynamical and Statistical model perspective");
    CHECK_INT(p->authors.n, 3);
    CHECK_STR(p->authors.v[0], "D.V. Shetty");
    CHECK_STR(p->authors.v[2], "G.A. Souliotis");
    CHECK_INT(p->categories.n, 2);
    CHECK_STR(p->categories.v[0], "nucl-ex");
    CHECK_STR(p->categories.v[1], "nucl-th");
    CHECK_STR(p->submitted, "2007-04-03T22:04:11Z");
    CHECK_STR(p->comment, "16 pages, 14 figures");
    CHECK_STR(p->doi, "10.1103/PhysRevC.76.024606");
    CHECK_STR(p->journal_ref, "Phys.Rev.C76:024606,2007; Erratum-ibid.C76:039902,2007");
    CHECK(!strncmp(p->abstract, "The density dependence of the symmetry energy", 45));
    CHECK(p->listing_day == NULL);
    CHECK_INT(p->record_no, 1);
    CHECK_INT(p->line_no, 6);
    p = &r.v[1];
    CHECK_STR(p->id, "0704.0716");
    CHECK_INT(p->version, 4);
    CHECK_STR(p->submitted, "2007-04-05T12:45:03Z");
    CHECK_STR(p->updated, "2008-11-14T09:07:25Z");
    CHECK_STR(p->categories.v[0], "math-ph");
    CHECK_STR(r.v[5].id, "0704.1586");
    CHECK_INT(r.v[5].record_no, 6);
    CHECK_STR(meta(&r, "resumptionToken"), "726959|1001");
    CHECK_STR(meta(&r, "completeListSize"), "58011");
    CHECK_STR(meta(&r, "cursor"), "0");
    CHECK(meta(&r, "oai-error") == NULL);
    result_free(&r);
}

static void oai_get_record_raw(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_OAI, "arxiv-oai-pmh/GetRecordResponse.xml"), 0);
    CHECK_INT(r.n, 1);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "1302.2146");
    CHECK_INT(p->version, 2);
    CHECK_STR(p->title, "The Same-Sign Dilepton Signature of RPV/MFV SUSY");
    CHECK_INT(p->authors.n, 4);
    CHECK_STR(p->authors.v[0], "Joshua Berger");
    CHECK_STR(p->authors.v[3], "Philip Tanedo");
    CHECK_STR(p->categories.v[0], "hep-ph");
    CHECK_STR(p->categories.v[1], "hep-ex");
    CHECK_STR(p->submitted, "2013-02-08T21:00:01Z");
    CHECK_STR(p->updated, "2013-04-02T01:50:08Z");
    CHECK_STR(p->comment, "18 pages, 6 figures; v2: References added");
    CHECK_STR(p->license, "http://arxiv.org/licenses/nonexclusive-distrib/1.0/");
    CHECK(!strncmp(p->abstract, "The lack of observation of superpartners", 40));
    result_free(&r);

    /* version="v%s": a template placeholder left in a real capture counts as the first version */
    CHECK_INT(
        parse_file(&r, INGEST_OAI, "samples-from-docs/oaipmh_arXivRaw_GetRecord_1304.4214.xml"), 0);
    CHECK_INT(r.n, 1);
    CHECK_STR(r.v[0].id, "1304.4214");
    CHECK_INT(r.v[0].version, 1);
    CHECK_STR(r.v[0].submitted, "2013-04-15T19:33:21Z");
    CHECK_STR(r.v[0].authors.v[0], "Igor A. Zaliznyak");
    CHECK_STR(r.v[0].authors.v[1], "John M. Tranquada");
    CHECK_STR(r.v[0].comment, "31 pages, chapter for \"Strongly Correlated Systems: Experimental "
                              "Techniques\", edited by A. Avella and F. Mancini");
    result_free(&r);
}

static void oai_arxiv_format(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_OAI,
                         "arxiv-oai-pmh/paperhive-nock/"
                         "oaipmh-getrecord---should-get-a-record.body.xml"),
              0);
    CHECK_INT(r.n, 1);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "1412.8544");
    CHECK_INT(p->version, 0);
    CHECK_STR(p->title, "A Kochen-Specker system has at least 22 vectors (extended abstract)");
    CHECK_INT(p->authors.n, 2);
    CHECK_STR(p->authors.v[0], "Sander Uijlen"); /* <affiliation> is not part of the name */
    CHECK_STR(p->authors.v[1], "Bas Westerbaan");
    CHECK_INT(p->categories.n, 1);
    CHECK_STR(p->categories.v[0], "cs.DM");
    CHECK_STR(p->submitted, "2014-12-29");
    CHECK(p->updated == NULL);
    CHECK_STR(p->comment, "In Proceedings QPL 2014, arXiv:1412.8102");
    CHECK_STR(p->journal_ref, "EPTCS 172, 2014, pp. 154-164");
    CHECK_STR(p->doi, "10.4204/EPTCS.172.11");
    result_free(&r);

    CHECK_INT(parse_file(&r, INGEST_OAI,
                         "arxiv-oai-pmh/paperhive-nock/"
                         "oaipmh-listrecords---should-list-identifiers-from-arxiv.1.body.xml"),
              0);
    CHECK_INT(r.n, 2);
    CHECK_STR(r.v[1].id, "hep-th/9504118");
    CHECK_STR(r.v[1].report_no, "GOET-TP 101/95");
    CHECK_STR(r.v[1].submitted, "1995-04-24");
    result_free(&r);

    CHECK_INT(
        parse_file(&r, INGEST_OAI, "samples-from-docs/oaipmh_arXiv_format_0806.4129_ASSEMBLED.xml"),
        0);
    CHECK_INT(r.n, 1);
    p = &r.v[0];
    CHECK_STR(p->id, "0806.4129");
    CHECK_STR(p->authors.v[0], "Roldao da Rocha");
    CHECK_STR(p->authors.v[1], "Waldyr A. Rodrigues Jr");
    CHECK_STR(p->submitted, "2008-06-25");
    CHECK_STR(p->updated, "2014-12-12");
    CHECK_INT(p->categories.n, 2); /* msc-class is not a category */
    CHECK_STR(p->doi, "10.1063/1.3536454");
    result_free(&r);
}

static void oai_errors(void)
{
    static const struct {
        const char *file, *value;
    } cases[] = {
        {"ErrorResponseBadArgument.xml",
         "badArgument: Verb 'ListRecords', illegal argument 'identifier'."},
        {"ErrorResponseBadResumptionToken.xml",
         "badResumptionToken: The resumptionToken supplied is illegal for this repository"},
        {"ErrorResponseBadVerb.xml", "badVerb: Bad verb. Verb 'wah' not implemented."},
        {"ErrorResponseIdDoesNotExist.xml",
         "idDoesNotExist: Identifier 'oai:arXiv.org:0813.2274' has correct form but does not "
         "correspond to an item in this repository"},
        {"ErrorResponseNoRecordsMatch.xml",
         "noRecordsMatch: Set argument doesn't match any sets. The setSpec was 'moo'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct result r = {0};
        char *rel = xasprintf("arxiv-oai-pmh/%s", cases[i].file);
        int rc = parse_file(&r, INGEST_OAI, rel);
        xfree(rel);
        CHECK_INT(rc, 0);
        CHECK_INT(r.n, 0);
        CHECK_INT(r.n_rej, 0);
        CHECK_STR(meta(&r, "oai-error"), cases[i].value);
        CHECK(meta(&r, "resumptionToken") == NULL);
        result_free(&r);
    }
}

static void oai_resumption_tokens(void)
{
    struct result r = {0};
    const char *dir =
        "arxiv-oai-pmh/paperhive-nock/"
        "oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-";
    char *rel = xasprintf("%sgulbenkian.0.body.xml", dir);
    CHECK_INT(parse_file(&r, INGEST_OAI, rel), 0);
    xfree(rel);
    CHECK_STR(meta(&r, "resumptionToken"), "oai_dc/2016-01-01T00:00:00Z/2017-01-01T00:00:00Z//100");
    CHECK_STR(meta(&r, "completeListSize"), "154");
    CHECK_STR(meta(&r, "cursor"), "0");
    result_free(&r);
    /* the last page: an empty token */
    rel = xasprintf("%sgulbenkian.1.body.xml", dir);
    CHECK_INT(parse_file(&r, INGEST_OAI, rel), 0);
    xfree(rel);
    CHECK_STR(meta(&r, "resumptionToken"), "");
    CHECK_STR(meta(&r, "cursor"), "1");
    result_free(&r);
    rel = xasprintf("%sexlibris.0.body.xml", dir);
    CHECK_INT(parse_file(&r, INGEST_OAI, rel), 0);
    xfree(rel);
    CHECK_STR(meta(&r, "resumptionToken"),
              "2017-01-01@2017-01-03@oai_komplett@marc21@15180036410002201");
    CHECK(meta(&r, "completeListSize") == NULL);
    CHECK(meta(&r, "cursor") == NULL);
    result_free(&r);
    /* ListIdentifiers headers are not records */
    CHECK_INT(parse_file(&r, INGEST_OAI,
                         "arxiv-oai-pmh/paperhive-nock/"
                         "oaipmh-listidentifiers---should-list-identifiers-from-arxiv.body.xml"),
              0);
    CHECK_INT(r.n, 0);
    CHECK_INT(r.n_rej, 0);
    result_free(&r);
}

static void oai_dc_deleted_rejects(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_OAI, "repo:tests/cases/xml/oai_dc_deleted.xml"), 0);
    CHECK_INT(r.n, 3);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "0806.4129");
    CHECK_STR(p->title,
              "Gauge Fixing in the Maxwell Like Gravitational Theory in Minkowski Spacetime");
    CHECK_INT(p->authors.n, 3);
    CHECK_STR(p->authors.v[0], "Roldao da Rocha");
    CHECK_STR(p->authors.v[1], "Waldyr A. Rodrigues Jr");
    CHECK_STR(p->authors.v[2], "H1 Collaboration");
    CHECK_INT(p->categories.n, 1); /* the subject name and the MSC code are dropped */
    CHECK_STR(p->categories.v[0], "math-ph");
    CHECK_STR(p->abstract, "In a previous paper we investigate a Lagrangian field theory.");
    CHECK_STR(p->comment, "15 pages. This version corrects some misprints");
    CHECK_STR(p->submitted, "2008-06-25");
    CHECK_STR(p->updated, "2014-12-12");
    CHECK_STR(p->journal_ref, "AIP Conf.Proc.1316:466-477,2010");
    CHECK_STR(p->doi, "10.1063/1.3536454");
    CHECK_INT(p->record_no, 1);
    /* deleted: id only */
    p = &r.v[1];
    CHECK_STR(p->id, "0704.0002");
    CHECK_INT(p->is_deleted, 1);
    CHECK(p->title == NULL);
    CHECK_INT(p->record_no, 2);
    /* the two bad records are rejected, the one after them is kept */
    CHECK_INT(r.n_rej, 2);
    CHECK_INT(r.rej[0].record_no, 3);
    CHECK_STR(r.rej[0].msg, "missing <id>");
    CHECK(r.rej[0].line_no > 40);
    CHECK_INT(r.rej[1].record_no, 4);
    CHECK_STR(r.rej[1].msg, "not an arXiv id: 'oai:example.org:abc'");
    p = &r.v[2];
    CHECK_STR(p->id, "hep-th/9901001");
    CHECK_INT(p->record_no, 5);
    CHECK_STR(p->authors.v[0], "Edward Witten");
    CHECK_STR(p->report_no, "IASSNS-HEP-99/01");
    CHECK_INT(p->categories.n, 2); /* <acm-class> (MSC codes in disguise) ignored */
    CHECK_STR(p->categories.v[1], "math.AG");
    CHECK_STR(meta(&r, "resumptionToken"), "");
    CHECK_STR(meta(&r, "completeListSize"), "5");
    result_free(&r);
}

static void oai_other_verbs(void)
{
    static const char *files[] = {
        "oaipmh-identify---should-identify-arxiv.body.xml",
        "oaipmh-listsets---should-list-arxiv-sets.body.xml",
        "oaipmh-listmetadataformats---should-list-metadata-formats-for-arxiv.body.xml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct result r = {0};
        char *rel = xasprintf("arxiv-oai-pmh/paperhive-nock/%s", files[i]);
        int rc = parse_file(&r, INGEST_OAI, rel);
        xfree(rel);
        CHECK_INT(rc, 0);
        /* no records; the one fact other verbs give is the server's clock */
        int is_only_date = r.n_meta == 2 && !strcmp(r.meta[0], "responseDate");
        int n = r.n + r.n_rej;
        result_free(&r);
        CHECK_INT(n, 0);
        CHECK(is_only_date);
    }
}

/* --- Atom --- */

static void atom_old_format(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_ATOM, "arxiv-api-atom/deep dream-0.atom"), 0);
    CHECK_INT(r.n, 10);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "1611.09520");
    CHECK_INT(p->version, 2);
    CHECK_STR(p->title, "Hierarchical Neural Representation of Dreamed Objects Revealed by Brain "
                        "Decoding with Deep Neural Network Features");
    CHECK_STR(p->authors.v[0], "Tomoyasu Horikawa");
    CHECK_INT(p->authors.n, 2);
    CHECK_STR(p->categories.v[0], "q-bio.NC");
    CHECK_STR(p->submitted, "2016-11-29T08:18:38Z");
    CHECK_STR(p->updated, "2017-01-23T06:54:20Z");
    CHECK(!strncmp(p->abstract, "Dreaming is generally thought", 29));
    CHECK(p->listing_day == NULL);
    CHECK_STR(r.v[1].doi, "10.3847/0004-637X/820/2/107");
    CHECK_STR(r.v[1].comment, "ApJ accepted");
    /* the old API printed MSC codes as <category term="14C20, 14M99">: not categories */
    CHECK_STR(r.v[3].id, "1304.8005");
    CHECK_INT(r.v[3].categories.n, 1);
    CHECK_STR(r.v[3].categories.v[0], "math.AG");
    CHECK_STR(meta(&r, "totalResults"), "24617");
    CHECK_STR(meta(&r, "startIndex"), "0");
    CHECK_STR(meta(&r, "itemsPerPage"), "10");
    result_free(&r);

    CHECK_INT(
        parse_file(&r, INGEST_ATOM, "arxiv-api-atom/lukasschwab-2016/id_list=1111.2011v2.xml"), 0);
    p = &r.v[0];
    CHECK_STR(p->id, "1111.2011");
    CHECK_INT(p->version, 2);
    CHECK_STR(p->doi, "10.1103/PhysRevB.85.115117");
    CHECK_STR(p->journal_ref, "Phys. Rev. B 85, 115117 (2012)");
    CHECK_STR(p->comment, "8 pages, 3 figures. Published version");
    result_free(&r);

    /* the user manual's example: an old-style id without version and a zone offset */
    CHECK_INT(parse_file(&r, INGEST_ATOM, "samples-from-docs/arxiv_api_atom_response.xml"), 0);
    p = &r.v[0];
    CHECK_STR(p->id, "hep-ex/0307015");
    CHECK_INT(p->version, 0);
    CHECK_STR(p->title,
              "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA");
    CHECK_STR(p->submitted, "2003-07-07T17:46:39Z");
    CHECK_STR(p->authors.v[0], "H1 Collaboration");
    CHECK_STR(p->comment, "23 pages, 8 figures and 4 tables");
    CHECK_STR(p->journal_ref, "Eur.Phys.J. C31 (2003) 17-29");
    CHECK_STR(p->categories.v[0], "hep-ex");
    result_free(&r);
}

static void atom_new_format(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_ATOM, "arxiv-api-atom/arxiv.xml"), 0);
    CHECK_INT(r.n, 25);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "2607.28628");
    CHECK_INT(p->version, 1);
    CHECK_STR(p->title, "Learning to Trace Seiberg Dualities");
    CHECK_INT(p->authors.n, 4);
    CHECK_STR(p->authors.v[0], "Jonathan J. Heckman");
    CHECK_STR(p->authors.v[3], "Gary Shiu");
    CHECK_INT(p->categories.n, 4);
    CHECK_STR(p->categories.v[0], "hep-th");
    CHECK_STR(p->categories.v[3], "hep-ph");
    CHECK_STR(p->submitted, "2026-07-30T17:59:56Z");
    CHECK(!strncmp(p->comment, "59 pages + appendices, 38 figures.", 34));
    result_free(&r);

    CHECK_INT(parse_file(&r, INGEST_ATOM,
                         "arxiv-api-atom/lukasschwab-2026/"
                         "id_astro-ph_0601001_s0_m100_3150dca9dc76.body.xml"),
              0);
    p = &r.v[0];
    CHECK_STR(p->id, "astro-ph/0601001");
    CHECK_INT(p->version, 1);
    CHECK_INT(p->authors.n, 4); /* arxiv:affiliation is not an author */
    CHECK_STR(p->authors.v[2], "B. Scott Gaudi");
    CHECK_STR(p->journal_ref, "ActaAstron.56:1-50,2006");
    result_free(&r);

    CHECK_INT(parse_file(&r, INGEST_ATOM,
                         "arxiv-api-atom/lukasschwab-2026/"
                         "id_2104.12255v1_s0_m100_6ae69987ffe1.body.xml"),
              0);
    CHECK_STR(r.v[0].id, "2104.12255");
    CHECK_STR(r.v[0].title, "0");
    CHECK_STR(r.v[0].authors.v[0], "Quan Thoi Minh Nguyen");
    result_free(&r);

    /* new-format doi: arxiv:doi plus a link title="doi" */
    CHECK_INT(parse_file(&r, INGEST_ATOM,
                         "arxiv-api-atom/lukasschwab-2026/q_testing_s0_m15_80c242b59d59.body.xml"),
              0);
    CHECK_STR(r.v[0].id, "2202.12139");
    CHECK_STR(r.v[0].doi, "10.1109/ICSTW55395.2022.00035");
    CHECK_STR(r.v[0].categories.v[0], "cs.SE");
    CHECK_STR(r.v[0].categories.v[1], "cs.LG");
    result_free(&r);
}

static void atom_errors_and_empty(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_ATOM, "samples-from-docs/arxiv_api_atom_error.xml"), 0);
    CHECK_INT(r.n + r.n_rej, 0);
    CHECK_STR(meta(&r, "api-error"), "incorrect id format for 1234.12345");
    result_free(&r);
    CHECK_INT(parse_file(&r, INGEST_ATOM,
                         "arxiv-api-atom/lukasschwab-2026/id_abc_s0_m100_b79c8dcf6bc3.body.xml"),
              0);
    CHECK_INT(r.n + r.n_rej, 0);
    CHECK_STR(meta(&r, "api-error"), "incorrect id format for abc");
    result_free(&r);
    CHECK_INT(
        parse_file(&r, INGEST_ATOM,
                   "arxiv-api-atom/lukasschwab-2026/id_0000.0000_s0_m100_8b51d9633a68.body.xml"),
        0);
    CHECK_INT(r.n + r.n_rej, 0);
    CHECK_STR(meta(&r, "totalResults"), "0");
    CHECK(meta(&r, "api-error") == NULL);
    result_free(&r);
}

static void atom_listing_feed(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_ATOM, "repo:tests/cases/xml/atom_listing.xml"), 0);
    CHECK_INT(r.n, 2);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "2402.01234");
    CHECK_INT(p->version, 1);
    CHECK_STR(p->abstract, "The first abstract.");
    CHECK_STR(p->listing_day, "2024-02-05");
    CHECK(p->submitted == NULL); /* a listing's published date is the announcement */
    CHECK_INT(p->authors.n, 3);
    CHECK_STR(p->authors.v[2], "Alan Turing");
    CHECK_STR(p->categories.v[1], "stat.ML");
    CHECK_STR(p->license, "http://creativecommons.org/licenses/by/4.0/");
    p = &r.v[1];
    CHECK_STR(p->id, "2310.00042");
    CHECK_INT(p->version, 4);
    CHECK_STR(p->listing_day, "2024-02-05"); /* from the feed */
    CHECK_STR(p->doi, "10.1000/xyz123");
    CHECK_STR(p->journal_ref, "J. Tests 1 (2024) 1-2");
    result_free(&r);
}

static void atom_primary_first_and_rejects(void)
{
    static const char doc[] =
        "<feed xmlns='http://www.w3.org/2005/Atom'>\n"
        "<entry><id>http://arxiv.org/abs/2401.00001v3</id><title>One</title>\n"
        "  <category term='cs.AI'/><category term='cs.LG'/><category term='stat.ML'/>\n"
        "  <p:primary_category xmlns:p='http://arxiv.org/schemas/atom' term='stat.ML'/>\n"
        "  <author><name>A. One</name></author></entry>\n"
        "<entry><title>No id</title></entry>\n"
        "<entry><id>abc</id><title>Bad id</title></entry>\n"
        "<entry><id>http://arxiv.org/abs/2401.00004</id></entry>\n"
        "<entry><id>http://arxiv.org/abs/2401.00005v1</id><title>Five</title>\n"
        "  <!-- a prefix is not a namespace: this is not an arXiv element -->\n"
        "  <arxiv:comment xmlns:arxiv='urn:other'>not ours</arxiv:comment></entry>\n"
        "</feed>\n";
    struct result r = {0};
    CHECK_INT(parse_str(&r, INGEST_ATOM, doc), 0);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.v[0].categories.n, 3);
    CHECK_STR(r.v[0].categories.v[0], "stat.ML");
    CHECK_STR(r.v[0].categories.v[1], "cs.AI");
    CHECK_STR(r.v[0].categories.v[2], "cs.LG");
    CHECK_INT(r.n_rej, 3);
    CHECK_STR(r.rej[0].msg, "missing <id>");
    CHECK_INT(r.rej[0].record_no, 2);
    CHECK_INT(r.rej[0].line_no, 6);
    CHECK_STR(r.rej[1].msg, "not an arXiv id: 'abc'");
    CHECK_INT(r.rej[1].record_no, 3);
    CHECK_STR(r.rej[2].msg, "missing title");
    CHECK_STR(r.v[1].id, "2401.00005");
    CHECK_INT(r.v[1].record_no, 5);
    CHECK(r.v[1].comment == NULL);
    result_free(&r);
}

/* --- RSS --- */

static void rss_real_feeds(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_RSS, "arxiv-rss/arxiv_cs_ai.xml"), 0);
    CHECK_INT(r.n, 3);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "2604.21935");
    CHECK_INT(p->version, 1);
    CHECK_STR(p->title,
              "Math Takes Two: A test for emergent mathematical reasoning in communication");
    CHECK(!strncmp(p->abstract, "Although language models demonstrate", 36));
    CHECK(strstr(p->abstract, "Announce Type") == NULL);
    CHECK_INT(p->authors.n, 2);
    CHECK_STR(p->authors.v[0], "Michael Cooper");
    CHECK_STR(p->authors.v[1], "Samuel Cooper");
    CHECK_INT(p->categories.n, 2);
    CHECK_STR(p->categories.v[0], "cs.AI");
    CHECK_STR(p->categories.v[1], "cs.LG");
    CHECK_STR(p->listing_day, "2026-04-27");
    CHECK_STR(p->license, "http://creativecommons.org/licenses/by/4.0/");
    CHECK(p->submitted == NULL);
    CHECK_INT(r.v[1].authors.n, 18);
    CHECK_STR(r.v[1].authors.v[17], "Bennett A. Landman");
    result_free(&r);
    CHECK_INT(parse_file(&r, INGEST_RSS, "arxiv-rss/arxiv_cs_lg.xml"), 0);
    CHECK_STR(r.v[0].id, "2604.21952");
    CHECK_INT(r.v[0].categories.n, 5);
    CHECK_STR(r.v[0].categories.v[4], "cs.RO");
    result_free(&r);
}

static void rss_doc_fragments(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_RSS, "repo:tests/cases/xml/rss2_fragments.xml"), 0);
    CHECK_INT(r.n, 3);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "2203.01250");
    CHECK_INT(p->version, 3);
    CHECK_STR(p->abstract, "We consider first order local minimization problems ... (abstract "
                           "elided here)");
    CHECK_STR(p->categories.v[0], "math.AP");
    CHECK_STR(p->categories.v[1], "math.OC");
    CHECK_STR(p->listing_day, "2024-08-23");
    CHECK_STR(p->doi, "10.5802/jep.257");
    CHECK(!strncmp(p->journal_ref, "Journal de l'\\'Ecole polytechnique", 34));
    CHECK_STR(p->authors.v[1], "Paul Pegon");
    /* a replacement is a record too; its day comes from the channel */
    p = &r.v[1];
    CHECK_STR(p->id, "2401.00001");
    CHECK_INT(p->version, 2);
    CHECK_STR(p->abstract, "Still a record.");
    CHECK_STR(p->listing_day, "2024-08-23");
    CHECK_INT(p->authors.n, 2);
    CHECK_INT(r.n_rej, 2);
    CHECK_STR(r.rej[0].msg, "missing <guid> and <link>");
    CHECK_INT(r.rej[0].record_no, 3);
    CHECK_STR(r.rej[1].msg, "not an arXiv id: 'https://example.org/paper/17'");
    p = &r.v[2];
    CHECK_STR(p->id, "math/0309136");
    CHECK_INT(p->version, 2);
    CHECK_INT(p->record_no, 5);
    CHECK_STR(p->listing_day, "2024-08-26");
    result_free(&r);
}

static void rss1_rdf(void)
{
    struct result r = {0};
    CHECK_INT(parse_file(&r, INGEST_RSS, "repo:tests/cases/xml/rss1_old_arxiv.rdf"), 0);
    CHECK_INT(r.n, 2);
    const struct paper *p = &r.v[0];
    CHECK_STR(p->id, "2104.11227");
    CHECK_INT(p->version, 1);
    CHECK_STR(p->title, "Attention Is Enough, Mostly");
    CHECK_STR(p->abstract, "We show that attention & friends suffice when a < b.");
    CHECK_INT(p->authors.n, 2);
    CHECK_STR(p->authors.v[0], "John Smith");
    CHECK_STR(p->authors.v[1], "Jane Doe");
    CHECK_INT(p->categories.n, 1);
    CHECK_STR(p->categories.v[0], "cs.LG");
    CHECK_STR(p->listing_day, "2021-04-26");
    p = &r.v[1];
    CHECK_STR(p->title, "A Replaced Paper");
    CHECK_INT(p->version, 3);
    CHECK_STR(p->categories.v[0], "stat.ML");
    result_free(&r);
}

/* --- shared helpers --- */

static void helpers(void)
{
    static const struct {
        const char *in, *day;
    } days[] = {
        {"Mon, 27 Apr 2026 00:00:00 -0400", "2026-04-27"},
        {"Thu, 23 Aug 2024 23:30:00 +0900", "2024-08-23"}, /* as written, not shifted to UTC */
        {"Tue, 2 Jan 2024 10:00:00 GMT", "2024-01-02"},
        {"2024-02-05T05:00:00.050474+00:00", "2024-02-05"},
        {"2024-02-05T00:00:00-05:00", "2024-02-05"},
        {"2021-04-26", "2021-04-26"},
        {"27 Apr 2026", "2026-04-27"},
    };
    char day[DATE_DAY_LEN + 1];
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        CHECK_INT(xml_feed_day(days[i].in, day), 0);
        CHECK_STR(day, days[i].day);
    }
    CHECK_INT(xml_feed_day("yesterday", day), PB_EINVAL);
    CHECK_INT(xml_feed_day("", day), PB_EINVAL);
    CHECK_INT(xml_feed_day("2024-02-30", day), PB_EINVAL);

    char type[32];
    const char *s = "arXiv:2604.22559v1 Announce Type: replace-cross \nAbstract: The text.";
    CHECK_STR(xml_strip_announce(s, type), " The text.");
    CHECK_STR(type, "replace-cross");
    CHECK_INT(xml_announce_version(s, "2604.22559"), 1);
    CHECK_INT(xml_announce_version(s, "2604.22550"), 0);
    s = "Abstract: not a head";
    CHECK(xml_strip_announce(s, type) == s);
    CHECK_STR(type, "");

    char *doi = NULL;
    xml_set_doi(&doi, "https://doi.org/10.1/x", 22);
    CHECK_STR(doi, "10.1/x");
    xml_set_doi(&doi, " doi:10.2/y 10.3/z", 18);
    CHECK_STR(doi, "10.2/y");
    xml_set_doi(&doi, "http://dx.doi.org/10.4/w", 24);
    CHECK_STR(doi, "10.4/w");
    xml_set_doi(&doi, "  ", 2);
    CHECK_STR(doi, "10.4/w");
    xfree(doi);

    static const char *cats[] = {"hep-th", "cs.LG", "math-ph", "cond-mat.str-el", "q-bio.NC"};
    static const char *not_cats[] = {
        "14C20, 14M99", "I.2.6",          "Computer Science - Learning", "cs.", "",
        "Physics",      "05E99 (Primary)"};
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
        CHECK(xml_is_category(cats[i]));
    for (size_t i = 0; i < sizeof not_cats / sizeof not_cats[0]; i++)
        CHECK(!xml_is_category(not_cats[i]));
}

/* --- robustness --- */

static void truncated_documents(void)
{
    static const struct {
        enum ingest_format f;
        const char *rel;
    } files[] = {
        {INGEST_OAI, "arxiv-oai-pmh/ListRecordsResponse.xml"},
        {INGEST_ATOM, "arxiv-api-atom/deep dream-0.atom"},
        {INGEST_RSS, "arxiv-rss/arxiv_cs_ai.xml"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        char *data = read_data(files[i].rel, &n);
        CHECK(data != NULL);
        /* cut anywhere: never a crash, always a clear error, earlier records kept */
        size_t cuts[] = {n / 2, n - 3, n - 12, 1, 40};
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            struct result r = {0};
            int rc = parse(&r, files[i].f, data, cuts[c]);
            int ok = rc == PB_EPARSE && r.err[0];
            if (!ok)
                printf("note: %s cut at %zu: rc=%d err=%s\n", files[i].rel, cuts[c], rc, r.err);
            if (c == 0) {
                ok = ok && strstr(r.err, "truncated document") && r.n >= 1;
            }
            result_free(&r);
            if (!ok)
                xfree(data);
            CHECK(ok);
        }
        xfree(data);
    }
    struct result r = {0};
    CHECK_INT(parse(&r, INGEST_ATOM, "", 0), PB_EPARSE);
    CHECK(strstr(r.err, "truncated document: no root element") != NULL);
    result_free(&r);
    /* garbage is malformed, not truncated */
    CHECK_INT(parse_str(&r, INGEST_OAI, "hello, world\n"), PB_EPARSE);
    CHECK(!strncmp(r.err, "malformed XML at line 1", 23));
    result_free(&r);
    /* fuzz regression: expat's encoding guess from the first bytes ("\t" alone is UTF-8,
     * "\t\0" UTF-16) must not depend on chunking */
    for (size_t chunk = 0; chunk < 4; chunk++) {
        CHECK_INT(parse_ex(&r, INGEST_OAI, "\t\0\0", 3, chunk, 0, 0), PB_EPARSE);
        CHECK_STR(r.err, "truncated document: no root element (input ends at line 1)");
        result_free(&r);
    }
    CHECK_INT(parse_str(&r, INGEST_RSS, "<rss><channel><item><title>x"), PB_EPARSE);
    CHECK_STR(r.err, "truncated document: <rss> is not closed (input ends at line 1)");
    result_free(&r);
}

static void malformed_and_invalid_utf8(void)
{
    struct result r = {0};
    /* invalid UTF-8 in a title */
    CHECK_INT(parse_str(&r, INGEST_ATOM,
                        "<feed xmlns='http://www.w3.org/2005/Atom'>\n<entry><id>2401.00001</id>"
                        "<title>bad \xff\xfe bytes</title></entry></feed>"),
              PB_EPARSE);
    CHECK(!strncmp(r.err, "malformed XML at line 2, column", 31));
    CHECK(strstr(r.err, "not well-formed") != NULL);
    result_free(&r);
    /* overlong encoding and a lone continuation byte */
    CHECK_INT(parse_str(&r, INGEST_RSS,
                        "<rss><channel><item><title>\xc0\xaf\x80</title></item>"
                        "</channel></rss>"),
              PB_EPARSE);
    CHECK(!strncmp(r.err, "malformed XML at line 1", 23));
    result_free(&r);
    /* mismatched tags; records before the error are kept */
    CHECK_INT(parse_str(&r, INGEST_ATOM,
                        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>2401.00001</id>"
                        "<title>ok</title></entry><entry></feed>"),
              PB_EPARSE);
    CHECK_INT(r.n, 1);
    CHECK(strstr(r.err, "mismatched tag") != NULL);
    result_free(&r);
    /* junk after the root: the same message however the input is chunked (fuzz regression) */
    static const char junk[] = "<rss><channel><item><link>https://arxiv.org/abs/2401.00001</link>"
                               "<title>t</title></item></channel></rss>\n completeListSize='2'>x";
    for (size_t chunk = 0; chunk < 40; chunk += 13) {
        CHECK_INT(parse_ex(&r, INGEST_RSS, junk, sizeof junk - 1, chunk, 0, 0), PB_EPARSE);
        CHECK_INT(r.n, 1);
        CHECK_STR(r.err, "malformed XML: junk after the document element (which ends at line 1)");
        result_free(&r);
    }
    CHECK_INT(parse_str(&r, INGEST_RSS, "<rss/>\n<!-- a comment after the root is fine -->\n"), 0);
    result_free(&r);
    /* an unbound prefix */
    CHECK_INT(parse_str(&r, INGEST_OAI, "<OAI-PMH><x:y/></OAI-PMH>"), PB_EPARSE);
    CHECK(strstr(r.err, "unbound prefix") != NULL);
    result_free(&r);
    /* UTF-8 that is valid is kept */
    CHECK_INT(parse_str(&r, INGEST_ATOM,
                        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>2401.00001</id>"
                        "<title>Schr\xc3\xb6"
                        "dinger &amp; &#x3b1;</title></entry></feed>"),
              0);
    CHECK_STR(r.v[0].title, "Schr\xc3\xb6"
                            "dinger & \xce\xb1");
    result_free(&r);
    /* after an error, feeding more returns the same error */
    struct ingest_sink sink = {&r, on_paper, on_reject, on_meta};
    struct parser *p = parser_new(INGEST_RSS, &sink, NULL);
    CHECK_INT(parser_feed(p, "<rss><</rss>", 12), PB_EPARSE);
    CHECK_INT(parser_feed(p, "<rss/>", 6), PB_EPARSE);
    CHECK_INT(parser_finish(p), PB_EPARSE);
    CHECK(parser_error(p) != NULL);
    parser_free(p);
    result_free(&r);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void entity_bombs(void)
{
    static const char bomb[] =
        "<?xml version='1.0'?>\n"
        "<!DOCTYPE lolz [\n"
        " <!ENTITY lol 'lol'>\n"
        " <!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n"
        " <!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>\n"
        " <!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>\n"
        " <!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>\n"
        " <!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>\n"
        " <!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'>\n"
        " <!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;'>\n"
        " <!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;'>\n"
        " <!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;'>\n"
        "]>\n"
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>2401.00001</id>"
        "<title>&lol9;</title></entry></feed>\n";
    static const enum ingest_format fmts[] = {INGEST_OAI, INGEST_ATOM, INGEST_RSS};
    for (size_t i = 0; i < 3; i++) {
        struct result r = {0};
        double t0 = now_seconds();
        int rc = parse_str(&r, fmts[i], bomb);
        double dt = now_seconds() - t0;
        CHECK_INT(rc, PB_EPARSE);
        CHECK_STR(r.err, "entity declarations are not allowed ('lol' at line 3)");
        CHECK(dt < 1.0);
        CHECK_INT(r.n, 0);
        result_free(&r);
    }
    /* external entities and parameter entities are refused the same way */
    static const char *docs[] = {
        "<!DOCTYPE feed [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>2401.00001</id>"
        "<title>&xxe;</title></entry></feed>",
        "<!DOCTYPE feed [<!ENTITY % p SYSTEM 'http://example.org/evil.dtd'> %p;]><feed/>",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct result r = {0};
        CHECK_INT(parse_str(&r, INGEST_ATOM, docs[i]), PB_EPARSE);
        CHECK(!strncmp(r.err, "entity declarations are not allowed", 35));
        CHECK_INT(r.n, 0);
        result_free(&r);
    }
    /* an undeclared entity is plain malformed XML; a DOCTYPE without entities is fine */
    struct result r = {0};
    CHECK_INT(
        parse_str(&r, INGEST_RSS, "<rss><channel><item><title>&x;</title></item></channel></rss>"),
        PB_EPARSE);
    CHECK(strstr(r.err, "undefined entity") != NULL);
    result_free(&r);
    CHECK_INT(parse_str(&r, INGEST_ATOM,
                        "<!DOCTYPE feed><feed xmlns='http://www.w3.org/2005/Atom'><entry>"
                        "<id>2401.00001</id><title>t</title></entry></feed>"),
              0);
    CHECK_INT(r.n, 1);
    result_free(&r);
}

static void deep_nesting(void)
{
    struct buf b = BUF_INIT((size_t)1 << 20);
    int rc = buf_puts(&b, "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>2401.00001</id>"
                          "<title>");
    for (int i = 0; i < 300 && !rc; i++)
        rc = buf_puts(&b, "<b>");
    CHECK_INT(rc, 0);
    struct result r = {0};
    CHECK_INT(parse(&r, INGEST_ATOM, b.data, b.len), PB_ETOOBIG);
    CHECK_STR(r.err, "elements nested deeper than 256 levels at line 1");
    result_free(&r);
    buf_release(&b);
}

static void many_names(void)
{
    /* arXiv feeds use a few dozen names; a stream of made-up ones is stopped */
    struct buf b = BUF_INIT((size_t)1 << 20);
    int rc = buf_puts(&b, "<rss><channel>");
    for (int i = 0; i < 5000 && !rc; i++)
        rc = buf_printf(&b, "<e%d/>", i);
    CHECK_INT(rc, 0);
    struct result r = {0};
    CHECK_INT(parse(&r, INGEST_RSS, b.data, b.len), PB_ETOOBIG);
    CHECK_STR(r.err, "more than 4096 distinct element and attribute names (line 1)");
    result_free(&r);
    buf_reset(&b);
    rc = buf_puts(&b, "<rss><channel>");
    for (int i = 0; i < 5000 && !rc; i++)
        rc = buf_printf(&b, "<x a%d='1' xmlns:p%d='urn:x'/>", i, i);
    CHECK_INT(rc, 0);
    CHECK_INT(parse(&r, INGEST_RSS, b.data, b.len), PB_ETOOBIG);
    result_free(&r);
    /* the same names over and over are fine */
    buf_reset(&b);
    rc = buf_puts(&b, "<rss><channel>");
    for (int i = 0; i < 5000 && !rc; i++)
        rc = buf_printf(&b, "<e%d/>", i % 100);
    if (!rc)
        rc = buf_puts(&b, "</channel></rss>");
    CHECK_INT(rc, 0);
    CHECK_INT(parse(&r, INGEST_RSS, b.data, b.len), 0);
    result_free(&r);
    buf_release(&b);
}

/* Three OAI records; the middle one has an abstract of abstract_len bytes. */
static char *oai_with_big_abstract(size_t abstract_len, size_t *len)
{
    struct buf b = BUF_INIT((size_t)64 << 20);
    int rc = buf_puts(&b, "<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'><ListRecords>\n");
    for (int i = 1; i <= 3 && !rc; i++) {
        rc = buf_printf(&b,
                        "<record><header><identifier>oai:arXiv.org:2401.0000%d</identifier>"
                        "</header><metadata><arXivRaw xmlns='http://arxiv.org/OAI/arXivRaw/'>"
                        "<id>2401.0000%d</id><title>Paper %d</title><abstract>",
                        i, i, i);
        for (size_t k = 0; i == 2 && k < abstract_len && !rc; k += 64)
            rc = buf_append(&b, "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do\n",
                            abstract_len - k < 64 ? abstract_len - k : 64);
        if (!rc)
            rc = buf_puts(&b, "short</abstract></arXivRaw></metadata></record>\n");
    }
    if (!rc)
        rc = buf_puts(&b, "</ListRecords></OAI-PMH>\n");
    if (rc)
        abort();
    *len = b.len;
    return buf_take(&b);
}

static void huge_field(void)
{
    size_t n;
    char *doc = oai_with_big_abstract((size_t)1 << 20, &n);
    for (int mode = 0; mode < 3; mode++) {
        struct result r = {0};
        int rc = mode == 0   ? parse(&r, INGEST_OAI, doc, n)
                 : mode == 1 ? parse_ex(&r, INGEST_OAI, doc, n, 4096, 0, 0)
                             : parse_ex(&r, INGEST_OAI, doc, n, 0, 12345, 70000);
        int ok = rc == 0 && r.n == 2 && r.n_rej == 1 && !strcmp(r.v[0].id, "2401.00001") &&
                 !strcmp(r.v[1].id, "2401.00003") && r.rej[0].record_no == 2 &&
                 !strcmp(r.rej[0].msg, "<abstract> longer than 262144 bytes");
        if (!ok)
            printf("note: mode %d rc=%d err=%s n=%zu rej=%zu %s\n", mode, rc, r.err, r.n, r.n_rej,
                   r.n_rej ? r.rej[0].msg : "");
        CHECK_INT(r.n == 2 ? r.v[1].record_no : 0, 3);
        result_free(&r);
        if (!ok)
            xfree(doc);
        CHECK(ok);
    }
    xfree(doc);
    /* just under the cap is fine */
    doc = oai_with_big_abstract(PAPER_MAX_FIELD - 100, &n);
    struct result r = {0};
    CHECK_INT(parse(&r, INGEST_OAI, doc, n), 0);
    CHECK_INT(r.n, 3);
    CHECK(strlen(r.v[1].abstract) > PAPER_MAX_FIELD - 200);
    result_free(&r);
    xfree(doc);
}

static void huge_record_and_token(void)
{
    /* many fields each under the cap, together over the per-record cap */
    struct buf b = BUF_INIT((size_t)64 << 20);
    int rc = buf_puts(&b, "<feed xmlns='http://www.w3.org/2005/Atom'>"
                          "<entry><id>2401.00001</id><title>ok</title></entry><entry>"
                          "<id>2401.00002</id><title>big</title>");
    for (int i = 0; i < 30 && !rc; i++) { /* 30 x 48 KB */
        rc = buf_puts(&b, "<author><name>");
        for (int k = 0; k < 2000 && !rc; k++)
            rc = buf_puts(&b, "Someone Long Name Here, ");
        if (!rc)
            rc = buf_puts(&b, "</name></author>");
    }
    if (!rc)
        rc = buf_puts(&b, "</entry><entry><id>2401.00003</id><title>ok</title></entry></feed>");
    CHECK_INT(rc, 0);
    struct result r = {0};
    CHECK_INT(parse_ex(&r, INGEST_ATOM, b.data, b.len, 65536, 0, 0), 0);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.n_rej, 1);
    CHECK_STR(r.rej[0].msg, "record text longer than 1048576 bytes");
    result_free(&r);
    buf_release(&b);

    /* one tag of 3 MB (a giant attribute): expat would buffer it, we stop */
    buf_init(&b, (size_t)64 << 20);
    rc = buf_puts(&b, "<feed xmlns='http://www.w3.org/2005/Atom'><link href='");
    for (int k = 0; k < 3 * 1024 && !rc; k++) {
        char kb[1024];
        memset(kb, 'a', sizeof kb);
        rc = buf_append(&b, kb, sizeof kb);
    }
    if (!rc)
        rc = buf_puts(&b, "'/></feed>");
    CHECK_INT(rc, 0);
    CHECK_INT(parse_ex(&r, INGEST_ATOM, b.data, b.len, 65536, 0, 0), PB_ETOOBIG);
    CHECK(!strncmp(r.err, "an XML tag or comment longer than 2097152 bytes", 47));
    result_free(&r);
    buf_release(&b);
}

/* fuzz regression: quoting a long bad id in a message must not cut a UTF-8 sequence */
static void long_bad_id_message(void)
{
    struct buf b = BUF_INIT((size_t)1 << 20);
    int rc = buf_puts(&b, "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>x");
    for (int i = 0; i < 200 && !rc; i++)
        rc = buf_puts(&b, "\xc3\xa9");
    if (!rc)
        rc = buf_puts(&b, "</id><title>t</title></entry></feed>");
    CHECK_INT(rc, 0);
    struct result r = {0};
    CHECK_INT(parse(&r, INGEST_ATOM, b.data, b.len), 0);
    buf_release(&b);
    CHECK_INT(r.n_rej, 1);
    size_t n = strlen(r.rej[0].msg);
    CHECK(text_is_utf8(r.rej[0].msg, n));
    CHECK(!strncmp(r.rej[0].msg, "not an arXiv id: 'x\xc3\xa9", 21));
    CHECK(n > 4 && !strcmp(r.rej[0].msg + n - 4, "...'"));
    result_free(&r);
}

static void sink_stop(void)
{
    size_t n;
    char *data = read_data("arxiv-oai-pmh/ListRecordsResponse.xml", &n);
    CHECK(data != NULL);
    struct result r = {0};
    r.stop_after = 2;
    int rc = parse_ex(&r, INGEST_OAI, data, n, 100, 0, 0);
    xfree(data);
    CHECK_INT(rc, PB_ESTOP);
    CHECK_INT(r.n, 2);
    CHECK(meta(&r, "resumptionToken") == NULL);
    result_free(&r);
}

TEST_MAIN(T(corpus_counts), T(corpus_chunking), T(oai_list_records_raw), T(oai_get_record_raw),
          T(oai_arxiv_format), T(oai_errors), T(oai_resumption_tokens), T(oai_dc_deleted_rejects),
          T(oai_other_verbs), T(atom_old_format), T(atom_new_format), T(atom_errors_and_empty),
          T(atom_listing_feed), T(atom_primary_first_and_rejects), T(rss_real_feeds),
          T(rss_doc_fragments), T(rss1_rdf), T(helpers), T(truncated_documents),
          T(malformed_and_invalid_utf8), T(entity_bombs), T(deep_nesting), T(many_names),
          T(huge_field), T(huge_record_and_token), T(long_bad_id_message), T(sink_stop))
