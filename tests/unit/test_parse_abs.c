/* ingest/parse_abs.c: legacy .abs records and arXiv listing files (monthly, daily "new"
 * mailings, pastweek). Real-data tests read $PB_ROOT/../shared/data/arxiv/abs-files (see its
 * SOURCE.txt); hand-made inputs cover the edge cases, caps, rejects and chunking. */
#include <ftw.h>
#include <stdlib.h>
#include <zlib.h>

#include "../../src/ingest/ingest.h"
#include "../../src/util/alloc.h"
#include "../../src/util/buf.h"
#include "../harness.h"

/* --- collecting sink: deep copies of accepted papers, rejects as text --- */

struct coll {
    struct paper *v;
    size_t n, cap;
    struct ingest_error rej[16];
    size_t n_rej;
    long stop_after; /* return PB_ESTOP after this many papers (0 = never) */
};

static int coll_paper(void *ctx, const struct paper *p)
{
    struct coll *c = ctx;
    c->v = xgrow(c->v, sizeof *c->v, c->n + 1, &c->cap);
    struct paper *q = &c->v[c->n++];
    paper_init(q);
    paper_copy(q, p);
    if (c->stop_after && (long)c->n >= c->stop_after)
        return PB_ESTOP;
    return 0;
}

static int coll_reject(void *ctx, const struct ingest_error *e)
{
    struct coll *c = ctx;
    if (c->n_rej < sizeof c->rej / sizeof c->rej[0])
        c->rej[c->n_rej] = *e;
    c->n_rej++;
    return 0;
}

static void coll_free(struct coll *c)
{
    for (size_t i = 0; i < c->n; i++)
        paper_clear(&c->v[i]);
    xfree(c->v);
    memset(c, 0, sizeof *c);
}

/* Every field of every record, in order, as one string (for comparing two parses). */
static char *coll_dump(const struct coll *c)
{
    struct buf b = BUF_INIT((size_t)1 << 30);
    for (size_t i = 0; i < c->n; i++) {
        const struct paper *p = &c->v[i];
        const char *f[] = {p->id,          p->title,   p->abstract,   p->comment,
                           p->journal_ref, p->doi,     p->license,    p->report_no,
                           p->submitted,   p->updated, p->listing_day};
        int rc = buf_printf(&b, "#%ld@%ld v%d", p->record_no, p->line_no, p->version);
        for (size_t k = 0; !rc && k < sizeof f / sizeof f[0]; k++)
            rc = buf_printf(&b, "|%s", f[k] ? f[k] : "(null)");
        for (size_t k = 0; !rc && k < p->authors.n; k++)
            rc = buf_printf(&b, "|a:%s", p->authors.v[k]);
        for (size_t k = 0; !rc && k < p->categories.n; k++)
            rc = buf_printf(&b, "|c:%s", p->categories.v[k]);
        if (!rc)
            rc = buf_putc(&b, '\n');
        if (rc)
            abort();
    }
    for (size_t i = 0; i < c->n_rej && i < sizeof c->rej / sizeof c->rej[0]; i++)
        if (buf_printf(&b, "reject #%ld@%ld %s\n", c->rej[i].record_no, c->rej[i].line_no,
                       c->rej[i].msg))
            abort();
    return buf_take(&b);
}

/* Parse bytes in chunks of `chunk` bytes (0 = all at once) with the given source name. */
static int parse_mem(struct coll *c, const char *data, size_t n, size_t chunk, const char *source)
{
    struct ingest_sink sink = {c, coll_paper, coll_reject, NULL};
    struct ingest_opts opts = {source ? source : "test.abs", NULL};
    struct parser *p = parser_new(INGEST_ABS, &sink, &opts);
    int rc = 0;
    if (!chunk)
        chunk = n ? n : 1;
    for (size_t off = 0; off < n && !rc; off += chunk)
        rc = parser_feed(p, data + off, n - off < chunk ? n - off : chunk);
    if (!rc)
        rc = parser_finish(p);
    parser_free(p);
    return rc;
}

static int parse_str(struct coll *c, const char *s)
{
    return parse_mem(c, s, strlen(s), 0, NULL);
}

/* --- shared data --- */

static char data_dir[4096];

static const char *data_path(const char *rel)
{
    static char path[8192];
    const char *root = getenv("PB_ROOT");
    snprintf(data_dir, sizeof data_dir, "%s/../shared/data/arxiv/abs-files/abs_files",
             root ? root : ".");
    snprintf(path, sizeof path, "%s/%s", data_dir, rel);
    return path;
}

static int parse_file(struct coll *c, const char *rel)
{
    struct ingest_sink sink = {c, coll_paper, coll_reject, NULL};
    struct ingest_error err;
    memset(&err, 0, sizeof err);
    int rc = ingest_file(data_path(rel), INGEST_ABS, &sink, NULL, NULL, NULL, &err);
    if (rc)
        printf("# %s: %s\n", rel, err.msg);
    return rc;
}

/* The decompressed bytes of a data file (caller frees), or NULL. */
static char *read_data(const char *rel, size_t *len)
{
    gzFile f = gzopen(data_path(rel), "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *s = xmalloc(cap);
    for (;;) {
        if (n == cap)
            s = xrealloc(s, cap *= 2);
        int k = gzread(f, s + n, (unsigned)(cap - n));
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    gzclose(f);
    *len = n;
    return s;
}

static int has_prefix(const char *s, const char *prefix)
{
    return s && !strncmp(s, prefix, strlen(prefix));
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static const struct paper *find(const struct coll *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].id && !strcmp(c->v[i].id, id))
            return &c->v[i];
    return NULL;
}

/* --- real records --- */

static void abs_0704_0001(void)
{
    struct coll c = {0};
    CHECK_INT(parse_file(&c, "ftp/arxiv/papers/0704/0704.0001.abs"), 0);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.n_rej, 0);
    const struct paper *p = &c.v[0];
    CHECK_STR(p->id, "0704.0001");
    CHECK_INT(p->version, 2);
    CHECK_STR(p->title, "Calculation of prompt diphoton production cross sections at Tevatron "
                        "and LHC energies");
    CHECK_INT(p->authors.n, 4);
    CHECK_STR(p->authors.v[0], "C. Bal\\'azs");
    CHECK_STR(p->authors.v[1], "E. L. Berger");
    CHECK_STR(p->authors.v[2], "P. M. Nadolsky");
    CHECK_STR(p->authors.v[3], "C.-P. Yuan");
    CHECK_INT(p->categories.n, 1);
    CHECK_STR(p->categories.v[0], "hep-ph");
    CHECK_STR(p->comment, "37 pages, 15 figures; published version");
    CHECK_STR(p->report_no, "ANL-HEP-PR-07-12");
    CHECK_STR(p->journal_ref, "Phys.Rev.D76:013009,2007");
    CHECK_STR(p->doi, "10.1103/PhysRevD.76.013009");
    CHECK(p->license == NULL);
    CHECK_STR(p->submitted, "2007-04-02T19:18:42Z");
    CHECK_STR(p->updated, "2007-07-24T20:10:27Z");
    CHECK(p->listing_day == NULL);
    CHECK(has_prefix(p->abstract, "A fully differential calculation in perturbative quantum "
                                  "chromodynamics is presented for the production"));
    CHECK(has_suffix(p->abstract, "can be obtained with judicious selection of events."));
    CHECK(!strchr(p->abstract, '\n') && !strchr(p->abstract, '\\'));
    CHECK_INT(p->record_no, 1);
    CHECK_INT(p->line_no, 3);
    coll_free(&c);
}

static void abs_old_style_ids(void)
{
    struct coll c = {0};
    CHECK_INT(parse_file(&c, "ftp/hep-th/papers/9709/9709111.abs"), 0);
    CHECK_INT(parse_file(&c, "ftp/math-ph/papers/0509/0509001.abs"), 0);
    CHECK_INT(c.n, 2);
    CHECK_INT(c.n_rej, 0);
    const struct paper *p = &c.v[0];
    CHECK_STR(p->id, "hep-th/9709111");
    CHECK_INT(p->version, 3);
    CHECK_STR(p->submitted, "1997-09-16T14:44:58Z");
    CHECK_STR(p->updated, "1997-11-03T19:27:30Z");
    CHECK_INT(p->authors.n, 3);
    CHECK_STR(p->authors.v[0], "Andrea Brignole");
    CHECK_STR(p->authors.v[2], "Fabio Zwirner");
    CHECK_INT(p->categories.n, 2);
    CHECK_STR(p->categories.v[1], "hep-ph");
    CHECK_STR(p->comment, "12 pages, 1 figure, plain LaTeX. An important proof added in section "
                          "5. Final version to be published in JHEP");
    CHECK_STR(p->report_no, "CERN-TH/97-244, DFPD~97/TH/35");
    CHECK_STR(p->journal_ref, "JHEP 9711:001,1997");
    p = &c.v[1];
    CHECK_STR(p->id, "math-ph/0509001");
    CHECK_INT(p->version, 1);
    CHECK(p->updated == NULL);
    CHECK_STR(p->title, "Zero modes in a system of Aharonov--Bohm solenoids on the Lobachevsky "
                        "plane");
    CHECK_STR(p->doi, "10.1088/0305-4470/39/6/011");
    CHECK(p->comment == NULL && p->journal_ref == NULL);
    coll_free(&c);
}

static void abs_orig_versions(void)
{
    struct coll c = {0};
    CHECK_INT(parse_file(&c, "orig/hep-th/papers/9709/9709111v1.abs"), 0);
    CHECK_INT(parse_file(&c, "orig/hep-th/papers/9709/9709111v2.abs"), 0);
    CHECK_INT(parse_file(&c, "orig/arxiv/papers/1607/1607.08199v3.abs"), 0);
    CHECK_INT(c.n, 3);
    CHECK_STR(c.v[0].id, "hep-th/9709111");
    CHECK_INT(c.v[0].version, 1);
    CHECK(c.v[0].updated == NULL);
    CHECK_INT(c.v[0].categories.n, 0); /* that early version had no Categories line */
    CHECK_INT(c.v[1].version, 2);
    CHECK_STR(c.v[1].updated, "1997-09-23T17:34:41Z");
    CHECK_STR(c.v[2].id, "1607.08199");
    CHECK_INT(c.v[2].version, 3);
    CHECK_STR(c.v[2].license, "http://arxiv.org/licenses/nonexclusive-distrib/1.0/");
    coll_free(&c);

    /* The source name gives the version only when the record says none. */
    static const char no_dates[] = "\\\\\narXiv:hep-th/9901001\nTitle: T\nAuthors: A\n\\\\\n";
    CHECK_INT(parse_mem(&c, no_dates, sizeof no_dates - 1, 0, "orig/hep-th/9901001v2.abs"), 0);
    CHECK_INT(parse_mem(&c, no_dates, sizeof no_dates - 1, 0, "9901001.abs"), 0);
    CHECK_INT(parse_mem(&c, no_dates, sizeof no_dates - 1, 0, "x/0704.0001v12.abs"), 0);
    static const char two_dates[] = "\\\\\narXiv:0704.0001\nDate: Mon, 2 Apr 2007 19:18:42 GMT\n"
                                    "Date (revised v2): Tue, 24 Jul 2007 20:10:27 GMT\n"
                                    "Title: T\n\\\\\n";
    CHECK_INT(parse_mem(&c, two_dates, sizeof two_dates - 1, 0, "0704.0001v1.abs"), 0);
    CHECK_INT(c.n, 4);
    CHECK_INT(c.v[0].version, 2);
    CHECK_INT(c.v[1].version, 0);
    CHECK_INT(c.v[2].version, 12);
    CHECK_INT(c.v[3].version, 2);
    coll_free(&c);
}

static void listing_monthly(void)
{
    struct coll c = {0};
    /* "Paper: astro-ph/0001001" style, with "Paper (*cross-listing*):" entries. */
    CHECK_INT(parse_file(&c, "ftp/astro-ph/listings/0001.gz"), 0);
    CHECK_INT(c.n, 605);
    CHECK_INT(c.n_rej, 0);
    const struct paper *p = &c.v[0];
    CHECK_STR(p->id, "astro-ph/0001001");
    CHECK(p->abstract == NULL);
    CHECK(p->listing_day == NULL);
    CHECK_INT(p->version, 1);
    CHECK_STR(p->submitted, "2000-01-01T02:05:30Z");
    CHECK_STR(p->title, "Statistics of Turbulence from Spectral-Line Data Cubes");
    CHECK_INT(p->categories.n, 6);
    CHECK_STR(p->categories.v[5], "physics.space-ph");
    CHECK(has_prefix(p->comment, "21 pages, 1 figure, review for"));
    p = find(&c, "astro-ph/0001003");
    CHECK(p != NULL);
    CHECK_INT(p->version, 2);
    CHECK_STR(p->updated, "2000-01-04T21:59:55Z");
    CHECK_INT(p->authors.n, 2);
    CHECK_STR(p->authors.v[1], "Matthias Steinmetz");
    coll_free(&c);

    /* "arXiv:0905.0001" style. */
    CHECK_INT(parse_file(&c, "ftp/astro-ph/listings/0905.gz"), 0);
    CHECK_INT(c.n, 934);
    CHECK_INT(c.n_rej, 0);
    p = &c.v[0];
    CHECK_STR(p->id, "0905.0001");
    CHECK_INT(p->version, 3);
    CHECK_STR(p->updated, "2009-11-03T06:14:32Z");
    CHECK_INT(p->authors.n, 16);
    CHECK_STR(p->license, "http://arxiv.org/licenses/nonexclusive-distrib/1.0/");
    CHECK(p->abstract == NULL);
    coll_free(&c);

    /* Old "Date (revised):" lines without a version number count up from v1. */
    CHECK_INT(parse_file(&c, "ftp/astro-ph/listings/9209.gz"), 0);
    CHECK_STR(c.v[0].id, "astro-ph/9209001");
    CHECK_INT(c.v[0].version, 2);
    CHECK_STR(c.v[0].updated, "1992-09-18T13:46:08Z");
    coll_free(&c);
}

static void listing_new_mailing(void)
{
    struct coll c = {0};
    CHECK_INT(parse_file(&c, "ftp/math/listings/new.AG.gz"), 0);
    CHECK_INT(c.n, 2);
    CHECK_INT(c.n_rej, 0);
    const struct paper *p = &c.v[0]; /* the cross-listing */
    CHECK_STR(p->id, "2306.77777");
    CHECK_INT(p->version, 1);
    CHECK_STR(p->submitted, "2023-06-07T18:23:40Z");
    CHECK(p->updated == NULL);
    CHECK_STR(p->listing_day, "2023-06-09");
    CHECK_STR(p->title, "Fake Paper of non amenable groups");
    CHECK_INT(p->authors.n, 2);
    CHECK_STR(p->authors.v[1], "Srivatsav Kunnawalkam Elayavalli");
    CHECK_INT(p->categories.n, 3);
    CHECK_STR(p->categories.v[0], "math.GR");
    CHECK_STR(p->comment, "7 pages, no figures");
    CHECK(has_prefix(p->abstract, "Fake test paper theoretically about: In this paper"));
    CHECK(has_suffix(p->abstract, "uniqueness theorem for sofic approximations."));
    CHECK(!strstr(p->abstract, "https://") && !strstr(p->abstract, "%%"));
    p = &c.v[1]; /* "replaced with revised version" */
    CHECK_STR(p->id, "2204.88888");
    CHECK_INT(p->version, 0);
    CHECK(p->submitted == NULL);
    CHECK_STR(p->updated, "2023-06-08T08:03:26Z");
    CHECK_STR(p->listing_day, "2023-06-09");
    CHECK_STR(p->title, "Paper on improving ArXiv operations");
    CHECK(p->abstract == NULL);
    CHECK_INT(p->categories.n, 2);
    coll_free(&c);

    /* The combined astro-ph mailing: 97 entries (new, cross-lists, replacements). */
    CHECK_INT(parse_file(&c, "ftp/astro-ph/listings/new.gz"), 0);
    CHECK_INT(c.n, 97);
    CHECK_INT(c.n_rej, 0);
    size_t n_abs = 0, n_replaced = 0;
    for (size_t i = 0; i < c.n; i++) {
        CHECK_STR(c.v[i].listing_day, "2023-03-03");
        n_abs += c.v[i].abstract != NULL;
        n_replaced += c.v[i].submitted == NULL && c.v[i].updated != NULL;
    }
    CHECK_INT(n_abs + n_replaced, 97);
    CHECK(n_replaced > 0 && n_abs > 0);
    coll_free(&c);
}

static void listing_pastweek(void)
{
    struct coll c = {0};
    CHECK_INT(parse_file(&c, "ftp/astro-ph/listings/pastweek.CO.gz"), 0);
    CHECK_INT(c.n, 63);
    CHECK_INT(c.n_rej, 0);
    static const struct {
        const char *day;
        size_t n;
    } days[] = {{"2023-03-03", 7},
                {"2023-03-02", 14},
                {"2023-03-01", 15},
                {"2023-02-28", 14},
                {"2023-02-27", 13}};
    size_t i = 0;
    for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
        for (size_t k = 0; k < days[d].n; k++, i++) {
            CHECK(c.v[i].listing_day != NULL);
            CHECK_STR(c.v[i].listing_day, days[d].day);
            CHECK(c.v[i].abstract == NULL);
        }
    }
    CHECK_STR(c.v[0].id, "2303.01198");
    CHECK_INT(c.v[0].authors.n, 24);
    CHECK_STR(c.v[0].authors.v[23], "Josiah Purdum");
    coll_free(&c);

    CHECK_INT(parse_file(&c, "ftp/math/listings/pastweek.AG.gz"), 0);
    CHECK_INT(c.n, 1);
    CHECK_STR(c.v[0].id, "2204.88888");
    CHECK_STR(c.v[0].listing_day, "2023-03-03");
    CHECK(c.v[0].abstract == NULL);
    coll_free(&c);
}

/* --- the whole corpus --- */

struct corpus {
    int is_listing; /* walk listings (*.gz) or .abs files */
    long n_files, n_records, n_rejects, n_not_abs;
    long n_errors;
    char first_error[512];
    char **ids; /* accepted ids */
    size_t n_ids, cap_ids;
    char **oracle; /* ids from "arXiv:"/"Paper:" header lines, scanned independently */
    size_t n_oracle, cap_oracle;
};

static struct corpus *corpus_ctx;

static int corpus_paper(void *ctx, const struct paper *p)
{
    struct corpus *c = ctx;
    c->n_records++;
    c->ids = xgrow(c->ids, sizeof *c->ids, c->n_ids + 1, &c->cap_ids);
    c->ids[c->n_ids++] = xstrdup(p->id);
    return 0;
}

static int corpus_reject(void *ctx, const struct ingest_error *e)
{
    struct corpus *c = ctx;
    if (!c->n_rejects)
        printf("# first reject: %s record %ld line %ld: %s\n", e->source, e->record_no, e->line_no,
               e->msg);
    c->n_rejects++;
    return 0;
}

static void corpus_format(void *ctx, enum ingest_format f)
{
    struct corpus *c = ctx;
    c->n_not_abs += f != INGEST_ABS;
}

/* SOURCE.txt's count: header lines "arXiv:ID..." and "Paper: ID" (not "Paper (*cross-...*):"). */
static void oracle_scan(struct corpus *c, const char *path)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return;
    static char line[1 << 16];
    while (gzgets(f, line, sizeof line)) {
        const char *s = NULL;
        if (!strncmp(line, "arXiv:", 6))
            s = line + 6;
        else if (!strncmp(line, "Paper:", 6))
            s = line + 6;
        if (!s)
            continue;
        while (*s == ' ')
            s++;
        size_t k = strcspn(s, " \t\r\n");
        c->oracle = xgrow(c->oracle, sizeof *c->oracle, c->n_oracle + 1, &c->cap_oracle);
        c->oracle[c->n_oracle++] = xstrndup(s, k);
    }
    gzclose(f);
}

static int corpus_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    struct corpus *c = corpus_ctx;
    if (type != FTW_F)
        return 0;
    size_t n = strlen(path);
    int is_gz = n > 3 && !strcmp(path + n - 3, ".gz");
    int is_abs = n > 4 && !strcmp(path + n - 4, ".abs");
    if (c->is_listing ? !is_gz : !is_abs)
        return 0;
    c->n_files++;
    struct ingest_sink sink = {c, corpus_paper, corpus_reject, NULL};
    struct ingest_error err;
    memset(&err, 0, sizeof err);
    int rc = ingest_file(path, INGEST_AUTO, &sink, corpus_format, NULL, c, &err);
    if (rc) {
        if (!c->n_errors)
            snprintf(c->first_error, sizeof c->first_error, "%s: %s", path, err.msg);
        c->n_errors++;
    }
    if (c->is_listing)
        oracle_scan(c, path);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t count_unique(char **v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        u += i == 0 || strcmp(v[i], v[i - 1]);
    return u;
}

static int contains_sorted(char **v, size_t n, const char *s)
{
    return bsearch(&s, v, n, sizeof *v, cmp_str) != NULL;
}

static void corpus_free(struct corpus *c)
{
    for (size_t i = 0; i < c->n_ids; i++)
        xfree(c->ids[i]);
    for (size_t i = 0; i < c->n_oracle; i++)
        xfree(c->oracle[i]);
    xfree(c->ids);
    xfree(c->oracle);
}

static void corpus_abs_files(void)
{
    struct corpus c;
    memset(&c, 0, sizeof c);
    corpus_ctx = &c;
    data_path("");
    CHECK_INT(nftw(data_dir, corpus_visit, 16, FTW_PHYS), 0);
    /* 1,192 files; one (ftp/math-ph/papers/0509/0509037.abs) is empty: zero records, no error. */
    CHECK_INT(c.n_files, 1192);
    CHECK_INT(c.n_errors, 0);
    CHECK_INT(c.n_not_abs, 0);
    CHECK_INT(c.n_records, 1191);
    CHECK_INT(c.n_rejects, 0);
    CHECK_INT(count_unique(c.ids, c.n_ids), 1130);
    corpus_free(&c);
}

static void corpus_listings(void)
{
    struct corpus c;
    memset(&c, 0, sizeof c);
    c.is_listing = 1;
    corpus_ctx = &c;
    data_path("");
    CHECK_INT(nftw(data_dir, corpus_visit, 16, FTW_PHYS), 0);
    CHECK_INT(c.n_files, 236);
    if (c.n_errors)
        printf("# %s\n", c.first_error);
    CHECK_INT(c.n_errors, 0);
    CHECK_INT(c.n_not_abs, 0); /* format detection says "abs" for every listing */
    CHECK_INT(c.n_rejects, 0);
    /* Every entry, including 4,156 "Paper (*cross-listing*): ID" ones SOURCE.txt leaves out. */
    CHECK_INT(c.n_records, 144381);
    size_t n_unique = count_unique(c.ids, c.n_ids);
    CHECK_INT(n_unique, 143373);
    /* SOURCE.txt: "Total 140,225 entries, 139,218 unique arXiv ids", and each is parsed. */
    CHECK_INT(c.n_oracle, 140225);
    CHECK_INT(count_unique(c.oracle, c.n_oracle), 139218);
    for (size_t i = 0; i < c.n_oracle; i++) {
        char id[PAPER_MAX_ID];
        int v;
        CHECK_INT(paper_parse_arxiv_id(c.oracle[i], id, &v), 0);
        CHECK(contains_sorted(c.ids, n_unique ? c.n_ids : 0, id));
    }
    corpus_free(&c);
}

/* --- chunking --- */

static void byte_at_a_time(void)
{
    static const char *files[] = {"ftp/arxiv/papers/0704/0704.0001.abs",
                                  "ftp/math/listings/new.AG.gz", "ftp/math/listings/pastweek.AG.gz",
                                  "ftp/q-fin/listings/new.gz", "ftp/astro-ph/listings/9209.gz"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n = 0;
        char *data = read_data(files[i], &n);
        CHECK(data != NULL && n > 0);
        struct coll whole = {0}, bytes = {0}, odd = {0};
        CHECK_INT(parse_mem(&whole, data, n, 0, files[i]), 0);
        CHECK_INT(parse_mem(&bytes, data, n, 1, files[i]), 0);
        CHECK_INT(parse_mem(&odd, data, n, 7, files[i]), 0);
        CHECK(whole.n > 0);
        char *a = coll_dump(&whole), *b = coll_dump(&bytes), *d = coll_dump(&odd);
        int same = !strcmp(a, b) && !strcmp(a, d);
        xfree(a);
        xfree(b);
        xfree(d);
        xfree(data);
        coll_free(&whole);
        coll_free(&bytes);
        coll_free(&odd);
        CHECK(same);
    }
}

static void crlf_and_chunks(void)
{
    static const char lf[] =
        "Date: Fri,  9 Jun 23 00:44:20 GMT\n\n------\n\\\\\narXiv:2306.00001\n"
        "Date: Wed, 7 Jun 2023 18:23:40 GMT   (14kb)\n\nTitle: A title that\n  continues\n"
        "Authors: A. One and B. Two\nCategories: math.AG\n\\\\\n  Abstract line one\n"
        "line two.\n\\\\ ( https://arxiv.org/abs/2306.00001 ,  14kb)\n";
    struct buf crlf = BUF_INIT(4096);
    for (const char *s = lf; *s; s++)
        CHECK_INT(*s == '\n' ? buf_append(&crlf, "\r\n", 2) : buf_putc(&crlf, *s), 0);
    struct coll a = {0}, b = {0};
    CHECK_INT(parse_str(&a, lf), 0);
    CHECK_INT(parse_mem(&b, crlf.data, crlf.len, 3, NULL), 0);
    buf_release(&crlf);
    CHECK_INT(a.n, 1);
    CHECK_STR(a.v[0].title, "A title that continues");
    CHECK_STR(a.v[0].abstract, "Abstract line one line two.");
    CHECK_STR(a.v[0].listing_day, "2023-06-09");
    char *da = coll_dump(&a), *db = coll_dump(&b);
    int same = !strcmp(da, db);
    xfree(da);
    xfree(db);
    coll_free(&a);
    coll_free(&b);
    CHECK(same);
}

/* --- bad input --- */

#define REC(id, title_line, abstract)                                                              \
    "------------------------------------------------------------------------------\n\\\\\n"       \
    "arXiv:" id "\nFrom: Someone <someone@example.org>\n"                                          \
    "Date: Mon, 2 Apr 2007 19:18:42 GMT   (443kb)\n\n" title_line "Authors: A. Author\n"           \
    "Categories: hep-ph\n\\\\\n" abstract "\\\\\n"

static void bad_truncated(void)
{
    struct coll c = {0};
    /* Cut inside the abstract. */
    static const char in1[] = REC(
        "0704.0001", "Title: One\n",
        "  Text.\n") "------\n\\\\\narXiv:0704.0002\nTitle: Two\n\\\\\n  An abstract that never en";
    CHECK_INT(parse_str(&c, in1), 0);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.n_rej, 1);
    CHECK_INT(c.rej[0].record_no, 2);
    CHECK_INT(c.rej[0].line_no, 15);
    CHECK(strstr(c.rej[0].msg, "truncated") && strstr(c.rej[0].msg, "abstract"));
    coll_free(&c);
    /* Cut inside the fields. */
    static const char in2[] = REC("0704.0001", "Title: One\n",
                                  "  Text.\n") "\\\\\narXiv:0704.0002\nTitle: Two\nAuthors: X";
    CHECK_INT(parse_str(&c, in2), 0);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.n_rej, 1);
    CHECK_INT(c.rej[0].record_no, 2);
    CHECK(strstr(c.rej[0].msg, "truncated") && strstr(c.rej[0].msg, "fields"));
    coll_free(&c);
    /* A listing entry ending at "\\" with no abstract is complete, not truncated. */
    CHECK_INT(parse_str(&c, "\\\\\nPaper: hep-th/9901001\nTitle: T\n\\\\"), 0);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.n_rej, 0);
    coll_free(&c);
}

static void bad_no_title(void)
{
    struct coll c = {0};
    static const char in[] = REC("0704.0001", "Title: One\n", "  A.\n")
        REC("0704.0002", "", "  B.\n") REC("0704.0003", "Title: Three\n", "  C.\n");
    CHECK_INT(parse_str(&c, in), 0);
    CHECK_INT(c.n, 2);
    CHECK_STR(c.v[0].id, "0704.0001");
    CHECK_STR(c.v[1].id, "0704.0003");
    CHECK_INT(c.v[1].record_no, 3);
    CHECK_INT(c.n_rej, 1);
    CHECK_INT(c.rej[0].record_no, 2);
    CHECK_INT(c.rej[0].line_no, 15);
    CHECK_STR(c.rej[0].msg, "missing title");
    coll_free(&c);
}

static void bad_ids(void)
{
    struct coll c = {0};
    static const char in[] = REC("abc", "Title: Garbage\n", "  A.\n")
        REC("0704.0002", "Title: Good\n",
            "  B.\n") "\\\\\nPaper: 12345\nTitle: Short\n\\\\\n"
                      "\\\\\narXiv:\nTitle: Empty\n\\\\\n"
                      /* A Title with no id line before it. */
                      "------\n\\\\\nTitle: Orphan\nAuthors: Nobody\n\\\\\n  Text.\n\\\\\n";
    CHECK_INT(parse_str(&c, in), 0);
    CHECK_INT(c.n, 1);
    CHECK_STR(c.v[0].id, "0704.0002");
    CHECK_INT(c.v[0].record_no, 2);
    CHECK_INT(c.n_rej, 4);
    CHECK_INT(c.rej[0].record_no, 1);
    CHECK_INT(c.rej[0].line_no, 3);
    CHECK_STR(c.rej[0].msg, "cannot parse arXiv id 'abc'");
    CHECK_INT(c.rej[1].record_no, 3);
    CHECK_STR(c.rej[1].msg, "cannot parse arXiv id '12345'");
    CHECK_INT(c.rej[2].record_no, 4);
    CHECK_STR(c.rej[2].msg, "cannot parse arXiv id ''");
    CHECK_INT(c.rej[3].record_no, 5);
    CHECK_STR(c.rej[3].msg, "missing id");
    coll_free(&c);
}

static void bad_utf8(void)
{
    struct coll c = {0};
    static const char in[] =
        REC("0704.0001", "Title: Caf\xe9 au lait\n", "  Bad \xff\xfe bytes and a cut \xe2\x82\n");
    CHECK_INT(parse_str(&c, in), 0);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.n_rej, 0);
    CHECK_STR(c.v[0].title, "Caf\xEF\xBF\xBD au lait");
    CHECK_STR(c.v[0].abstract,
              "Bad \xEF\xBF\xBD\xEF\xBF\xBD bytes and a cut \xEF\xBF\xBD\xEF\xBF\xBD");
    coll_free(&c);
}

static void bad_huge_abstract(void)
{
    struct buf b = BUF_INIT((size_t)8 << 20);
    CHECK_INT(buf_puts(&b, REC("0704.0001", "Title: Before\n", "  Small.\n")), 0);
    CHECK_INT(buf_puts(&b, "------\n\\\\\narXiv:0704.0002\nTitle: Huge\n\\\\\n"), 0);
    for (int i = 0; i < 1024 * 1024 / 64; i++)
        CHECK_INT(buf_puts(&b, "abstract text abstract text abstract text abstract text abstr\n"),
                  0);
    CHECK_INT(buf_puts(&b, "\\\\\n"), 0);
    /* One line past the 1 MB line cap. */
    CHECK_INT(buf_puts(&b, "\\\\\narXiv:0704.0003\nTitle: Long line\n\\\\\n"), 0);
    for (int i = 0; i < 1100 * 1024 / 8; i++)
        CHECK_INT(buf_puts(&b, "abcdefg "), 0);
    CHECK_INT(buf_puts(&b, "\n\\\\\n"), 0);
    CHECK_INT(buf_puts(&b, REC("0704.0004", "Title: After\n", "  Small.\n")), 0);
    struct coll c = {0};
    int rc = parse_mem(&c, b.data, b.len, 65536, NULL);
    buf_release(&b);
    CHECK_INT(rc, 0);
    CHECK_INT(c.n, 2);
    CHECK_STR(c.v[0].title, "Before");
    CHECK_STR(c.v[1].title, "After");
    CHECK_INT(c.v[1].record_no, 4);
    CHECK_INT(c.n_rej, 2);
    CHECK_INT(c.rej[0].record_no, 2);
    CHECK_INT(c.rej[0].line_no, 15);
    CHECK_STR(c.rej[0].msg, "abstract longer than the limit of 262144 bytes");
    CHECK_INT(c.rej[1].record_no, 3);
    CHECK_STR(c.rej[1].msg, "a line longer than the limit of 1048576 bytes");
    coll_free(&c);
}

static void bad_huge_title(void)
{
    struct buf b = BUF_INIT((size_t)1 << 20);
    CHECK_INT(buf_puts(&b, "\\\\\narXiv:0704.0001\nTitle: Start\n"), 0);
    for (int i = 0; i < 300 * 1024 / 32; i++)
        CHECK_INT(buf_puts(&b, "  title continuation text here\n"), 0);
    CHECK_INT(buf_puts(&b, "Authors: A\n\\\\\n  Abstract.\n\\\\\n"), 0);
    CHECK_INT(buf_puts(&b, REC("0704.0002", "Title: After\n", "  Small.\n")), 0);
    struct coll c = {0};
    int rc = parse_mem(&c, b.data, b.len, 0, NULL);
    buf_release(&b);
    CHECK_INT(rc, 0);
    CHECK_INT(c.n, 1);
    CHECK_STR(c.v[0].id, "0704.0002");
    CHECK_INT(c.n_rej, 1);
    CHECK_INT(c.rej[0].record_no, 1);
    CHECK_INT(c.rej[0].line_no, 2);
    CHECK_STR(c.rej[0].msg, "Title longer than the limit of 262144 bytes");
    coll_free(&c);
}

static void bad_binary_junk(void)
{
    /* Deterministic junk, rich in the bytes the grammar cares about, between two records. */
    static const char alphabet[] = "\\\n-:/* ()arXivPaperTitleDate0123456789.\0\xff\r\t";
    struct buf b = BUF_INIT((size_t)1 << 20);
    CHECK_INT(buf_puts(&b, REC("0704.0001", "Title: Before\n", "  Small.\n")), 0);
    unsigned x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        unsigned r = (x >> 16) & 0x7FFF;
        char ch = r % 3 ? alphabet[r % (sizeof alphabet - 1)] : (char)(r & 0xFF);
        CHECK_INT(buf_putc(&b, ch), 0);
    }
    CHECK_INT(buf_puts(&b, "\n\\\\\n\\\\\n------------------------------\n"), 0);
    CHECK_INT(buf_puts(&b, REC("0704.0002", "Title: After\n", "  Small.\n")), 0);
    struct coll c = {0};
    int rc = parse_mem(&c, b.data, b.len, 4096, NULL);
    buf_release(&b);
    CHECK_INT(rc, 0);
    CHECK(c.n >= 2);
    CHECK_STR(c.v[0].title, "Before");
    CHECK_STR(c.v[c.n - 1].title, "After");
    for (size_t i = 0; i < c.n_rej && i < 16; i++)
        CHECK(c.rej[i].record_no > 0 && c.rej[i].line_no > 0 && c.rej[i].msg[0]);
    coll_free(&c);
}

/* --- grammar details --- */

static void tolerant_forms(void)
{
    struct coll c = {0};
    static const char in[] =
        "Papers received as of Sat  1 Jan 00 00:00:02 GMT.\n"
        "\\\\\nPaper (*cross-listing*): gr-qc/9209004\nFrom: X <x@example.org>\n"
        "Date: Fri, 4 Sep 1992 12:55:33 GMT   (15kb)\nDate (revised): Fri, 18 Sep 1992 13:46:08 "
        "GMT\n"
        "Date (revised): Sat, 19 Sep 1992 13:46:08 GMT\n"
        "Title: Old\nAuthors: A (Univ. X), B and C\nSubj-class: Astrophysics; Fluid\n  Dynamics\n"
        "MSC-class: 14F05\nProxy: ccsd hal-00278294\nkDate: garbage\n"
        /* no "\\" before the next entry: the id line ends this one */
        "arXiv:0905.0001v4 (*cross-listing*)\nTitle: Second\nComments:\n"
        "Date (revised v3): Tue, 3 Nov 2009 06:14:32 GMT\n"
        "Date (revised v2): Sun, 4 Oct 2009 01:08:48 GMT\n\\\\\n"
        /* no abstract and no "\\" either */
        "arXiv:math.GT/0309136\nTitle: Third\n\\\\\n\n\n"
        "------------------------------------------------------------------------------\n"
        "\\\\\n/* Thu, 2 Mar 2023 */\n\\\\\n"
        "\\\\\narXiv:0704.0123\nTitle: Fourth\n\\\\\n  text\narXiv:cond-mat/0303188 ; more\n\\\\\n"
        "\\\\\n/* not a date */\n\\\\\narXiv:0704.0124\nTitle: Fifth\n\\\\\n";
    CHECK_INT(parse_str(&c, in), 0);
    CHECK_INT(c.n_rej, 0);
    CHECK_INT(c.n, 5);
    const struct paper *p = &c.v[0];
    CHECK_STR(p->id, "gr-qc/9209004");
    CHECK_INT(p->version, 3);
    CHECK_STR(p->updated, "1992-09-19T13:46:08Z");
    CHECK_INT(p->authors.n, 3);
    CHECK_STR(p->authors.v[0], "A");
    CHECK_STR(p->authors.v[2], "C");
    CHECK_STR(p->title, "Old");
    p = &c.v[1];
    CHECK_STR(p->id, "0905.0001");
    CHECK_INT(p->version, 4);
    CHECK_STR(p->updated, "2009-11-03T06:14:32Z");
    CHECK(p->comment == NULL);
    p = &c.v[2];
    CHECK_STR(p->id, "math/0309136");
    CHECK(p->abstract == NULL && p->listing_day == NULL);
    p = &c.v[3];
    CHECK_STR(p->id, "0704.0123");
    CHECK_STR(p->listing_day, "2023-03-02");
    CHECK_STR(p->abstract, "text arXiv:cond-mat/0303188 ; more");
    CHECK(c.v[4].listing_day == NULL); /* an unreadable day marker clears the day */
    coll_free(&c);
}

static void sink_stop(void)
{
    struct coll c = {0};
    c.stop_after = 1;
    static const char in[] =
        REC("0704.0001", "Title: One\n", "  A.\n") REC("0704.0002", "Title: Two\n", "  B.\n");
    CHECK_INT(parse_str(&c, in), PB_ESTOP);
    CHECK_INT(c.n, 1);
    coll_free(&c);
}

static void detection(void)
{
    static const char abs_head[] = "------------------------------------------------------------"
                                   "------------------\n\\\\\narXiv:0704.0001\n";
    CHECK_INT(ingest_detect(abs_head, sizeof abs_head - 1, "x"), INGEST_ABS);
    static const char mail[] = "Date: Fri,  9 Jun 23 00:44:20 GMT\nSubject: x\n\n\\\\\narXiv:1\n";
    CHECK_INT(ingest_detect(mail, sizeof mail - 1, "new.AG"), INGEST_ABS);
}

TEST_MAIN(T(abs_0704_0001), T(abs_old_style_ids), T(abs_orig_versions), T(listing_monthly),
          T(listing_new_mailing), T(listing_pastweek), T(corpus_abs_files), T(corpus_listings),
          T(byte_at_a_time), T(crlf_and_chunks), T(bad_truncated), T(bad_no_title), T(bad_ids),
          T(bad_utf8), T(bad_huge_abstract), T(bad_huge_title), T(bad_binary_junk),
          T(tolerant_forms), T(sink_stop), T(detection))
