/* paperboy search: one query (text or JSON out), or a batch of queries as a TREC run for
 * evaluation and benchmarks. The query language is query.h's; ranking is index.h's. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../index/index.h"
#include "../index/query.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "cli.h"

#define MAX_K 10000
#define SNIPPET_BYTES 240
#define BATCH_LINE_MAX 16384

static const char usage_head[] =
    "usage: paperboy search [--db PATH] [-k N] [--offset N] [--json] [--explain]\n"
    "                       [--param NAME=X] QUERY...\n"
    "       paperboy search [--db PATH] [-k N] [--param NAME=X] --batch QUERIES.tsv\n"
    "                       [--latency FILE] [--full-syntax]\n"
    "\n"
    "Ranked search (BM25F over title, abstract, authors, categories, id and comment) of the\n"
    "papers in the database. The words of QUERY are joined into one query; if no paper has\n"
    "every word, papers with any of them are shown (and the output says so). A query that\n"
    "is one arXiv id in any form (2503.11731, arXiv:2503.11731v2, an arxiv.org URL) shows\n"
    "that paper.\n"
    "\n"
    "options:\n"
    "  --db PATH       database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  -k N            at most N results (default 10, at most 10000)\n"
    "  --offset N      skip the first N results (paging)\n"
    "  --json          a JSON object: query, total, relaxed, results [{id, title, authors,\n"
    "                  categories, score, snippet}]; snippet marks matches with [[ ]]\n"
    "  --explain       print how the query was read (its tree) before the results\n"
    "  --batch FILE    read 'qid<TAB>query text' lines and print a TREC run\n"
    "                  ('qid Q0 docid rank score paperboy'); the text is plain words, any of\n"
    "                  which may match (no operators), ranked by BM25F; docid is the paper\n"
    "                  id (a BEIR corpus id without its 'beir:' prefix)\n"
    "  --latency FILE  with --batch: write each query's time in microseconds, one per line\n"
    "  --full-syntax   with --batch: read each query with the full query language (words\n"
    "                  joined by AND, operators, fields) instead of as plain words\n"
    "  --param NAME=X  override a ranking parameter (repeatable; for experiments): k1, and\n"
    "                  w.FIELD / b.FIELD (field weight, length normalisation) for FIELD in\n"
    "                  title abstract authors categories id comment; prox=W (term\n"
    "                  proximity bonus weight, 0 = off) and prox.depth=N (hits re-scored,\n"
    "                  default 100); prf.docs=N (pseudo-relevance feedback from the best N\n"
    "                  hits, 0 = off), prf.terms=N (terms added, default 10), prf.w=X (their\n"
    "                  share of the query's weight, 0..1, default 0.5). Proximity and\n"
    "                  feedback apply to queries of plain words (docs/BENCHMARKS.md)\n"
    "\n"
    "The index is brought up to date first if papers were imported since it was built.\n"
    "Exit status: 0 with results or none, 1 on an error, 2 on a usage error.\n"
    "\n";

static int parse_num(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static const char *const field_names[IF_COUNT] = {"title", "abstract",  "authors",
                                                   "categories", "id", "comment"};

/* "k1=1.2", "w.title=2", "prf.docs=3" into p; -1 with why in why[] when spec is not one. */
static int set_param(struct index_params *p, const char *spec, char *why, size_t why_len)
{
    const char *eq = strchr(spec, '=');
    char *end;
    if (!eq || eq == spec || eq[1] == 0) {
        snprintf(why, why_len, "expected NAME=NUMBER");
        return -1;
    }
    size_t n = (size_t)(eq - spec);
    double v = strtod(eq + 1, &end);
    if (*end || v != v) {
        snprintf(why, why_len, "'%s' is not a number", eq + 1);
        return -1;
    }
    static const struct {
        const char *name;
        int is_count;
        double max;
    } named[] = {{"k1", 0, 100},          {"prox", 0, 100},     {"prox.depth", 1, 10000},
                 {"prf.docs", 1, 1000},   {"prf.terms", 1, 256}, {"prf.w", 0, 1}};
    size_t i = 0;
    int field = -1;
    for (; i < sizeof named / sizeof *named; i++)
        if (strlen(named[i].name) == n && !strncmp(spec, named[i].name, n))
            break;
    if (i == sizeof named / sizeof *named) {
        if (n > 2 && (spec[0] == 'w' || spec[0] == 'b') && spec[1] == '.')
            for (int f = 0; f < IF_COUNT && field < 0; f++)
                if (strlen(field_names[f]) == n - 2 && !strncmp(spec + 2, field_names[f], n - 2))
                    field = f;
        if (field < 0) {
            snprintf(why, why_len, "unknown parameter '%.*s'", (int)n, spec);
            return -1;
        }
    }
    double max = field >= 0 ? (spec[0] == 'b' ? 1 : 100) : named[i].max;
    int is_count = field < 0 && named[i].is_count;
    if (v < 0 || v > max || (is_count && v != (double)(unsigned)v)) {
        snprintf(why, why_len, "%.*s takes %s from 0 to %g", (int)n, spec,
                 is_count ? "a whole number" : "a number", max);
        return -1;
    }
    if (field >= 0) {
        (spec[0] == 'w' ? p->weight : p->b)[field] = (float)v;
        return 0;
    }
    switch (i) {
    case 0: p->k1 = (float)v; break;
    case 1: p->prox = (float)v; break;
    case 2: p->prox_depth = (unsigned)v; break;
    case 3: p->prf_docs = (unsigned)v; break;
    case 4: p->prf_terms = (unsigned)v; break;
    default: p->prf_weight = (float)v; break;
    }
    return 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* index_doc_text_fn over the store: the paper stays in t->p until the next call. */
struct doc_text {
    struct store *s;
    struct paper p;
};

static int doc_text(void *ctx, uint32_t docid, const char **title, const char **abstract)
{
    struct doc_text *t = ctx;
    if (store_paper_get_pid(t->s, docid, &t->p))
        return -1;
    *title = t->p.title;
    *abstract = t->p.abstract;
    return 0;
}

static const char *trec_id(const char *id)
{
    return strncmp(id, "beir:", 5) == 0 ? id + 5 : id;
}

static int run_batch(struct store *s, struct index *ix, const char *path, long k,
                     const char *latency_path, const struct index_params *params, int full)
{
    /* PAPERBOY_EXHAUSTIVE=1 scores every match: tests check that pruning changes nothing */
    const char *ex = getenv("PAPERBOY_EXHAUSTIVE");
    int exhaustive = ex && *ex == '1';
    FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!in) {
        fprintf(stderr, "paperboy search: cannot open '%s'\n", path);
        return 1;
    }
    FILE *lat = NULL;
    if (latency_path && !(lat = fopen(latency_path, "w"))) {
        fprintf(stderr, "paperboy search: cannot write '%s'\n", latency_path);
        if (in != stdin)
            fclose(in);
        return 1;
    }
    char *line = xmalloc(BATCH_LINE_MAX);
    long lineno = 0;
    int rc = 0;
    struct paper p;
    paper_init(&p);
    struct doc_text dt = {s, {0}};
    paper_init(&dt.p);
    while (fgets(line, BATCH_LINE_MAX, in)) {
        lineno++;
        size_t n = strlen(line);
        if (n == BATCH_LINE_MAX - 1 && line[n - 1] != '\n') {
            /* longer than any query can be: keep the head, skip the rest of the line */
            int ch;
            while ((ch = fgetc(in)) != EOF && ch != '\n')
                ;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        char *tab = strchr(line, '\t');
        if (!n)
            continue;
        if (!tab) {
            fprintf(stderr, "paperboy search: %s line %ld: expected 'qid<TAB>query'\n", path,
                    lineno);
            rc = 1;
            continue;
        }
        *tab = 0;
        const char *qid = line, *text = tab + 1;
        double t0 = now_us();
        struct query *q = NULL;
        char err[256];
        struct index_result r;
        memset(&r, 0, sizeof r);
        int qrc = query_parse(text, strlen(text), full ? 0 : QUERY_PLAIN, &q, err, sizeof err);
        if (!qrc) {
            struct index_search_opts o = {.k = (size_t)k,
                                          .params = params,
                                          .exhaustive = exhaustive,
                                          .id_lookup = store_id_lookup,
                                          .id_ctx = s,
                                          .doc_text = doc_text,
                                          .text_ctx = &dt};
            qrc = index_search(ix, q, &o, &r, err, sizeof err);
        }
        double t1 = now_us();
        if (qrc) {
            fprintf(stderr, "paperboy search: %s line %ld: %s\n", path, lineno, err);
            rc = 1;
        }
        if (lat)
            fprintf(lat, "%.1f\n", t1 - t0);
        for (size_t i = 0; i < r.n_hits; i++) {
            if (store_paper_get_pid(s, r.hits[i].docid, &p))
                continue;
            printf("%s Q0 %s %zu %.4f paperboy\n", qid, trec_id(p.id), i + 1, r.hits[i].score);
        }
        index_result_release(&r);
        query_free(q);
    }
    paper_clear(&p);
    paper_clear(&dt.p);
    xfree(line);
    if (in != stdin)
        fclose(in);
    if (lat)
        fclose(lat);
    return rc;
}

static void print_text_hit(const struct paper *p, float score, const char *snippet, size_t rank)
{
    printf("%zu. %s  %s  (%.2f)\n", rank, p->id, p->title ? p->title : "", score);
    if (p->authors.n) {
        printf("   ");
        for (size_t i = 0; i < p->authors.n && i < 6; i++)
            printf("%s%s", i ? ", " : "", p->authors.v[i]);
        if (p->authors.n > 6)
            printf(", et al.");
        printf("\n");
    }
    if (snippet && *snippet)
        printf("   %s\n", snippet);
}

int cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"offset", required_argument, NULL, 'o'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"latency", required_argument, NULL, 'l'},
                                         {"explain", no_argument, NULL, 'e'},
                                         {"param", required_argument, NULL, 'p'},
                                         {"full-syntax", no_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *batch = NULL, *latency = NULL;
    int is_json = 0, explain = 0, full = 0, opt;
    long k = 10, offset = 0;
    struct index_params params;
    char why[160];
    index_params_default(&params);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'j': is_json = 1; break;
        case 'e': explain = 1; break;
        case 'F': full = 1; break;
        case 'b': batch = optarg; break;
        case 'l': latency = optarg; break;
        case 'p':
            if (set_param(&params, optarg, why, sizeof why)) {
                fprintf(stderr, "paperboy search: bad --param '%s': %s (see --help)\n", optarg,
                        why);
                return EXIT_USAGE;
            }
            break;
        case 'k':
            if (parse_num(optarg, 1, MAX_K, &k)) {
                fprintf(stderr, "paperboy search: -k wants a number from 1 to %d\n", MAX_K);
                return EXIT_USAGE;
            }
            break;
        case 'o':
            if (parse_num(optarg, 0, 100000, &offset)) {
                fprintf(stderr, "paperboy search: --offset wants a number from 0 to 100000\n");
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage_head, stdout);
            fputs(query_help, stdout);
            return 0;
        default: fputs(usage_head, stderr); return EXIT_USAGE;
        }
    }
    if (!batch && optind >= argc) {
        fprintf(stderr, "paperboy search: no query given\n");
        fputs(usage_head, stderr);
        return EXIT_USAGE;
    }
    if (latency && !batch) {
        fprintf(stderr, "paperboy search: --latency needs --batch\n");
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(db, 1);
    if (!s)
        return 1;
    struct index *ix = NULL;
    if (cli_index_open(s, cli_db_path(db), &ix)) {
        store_close(s);
        return 1;
    }
    int rc = 0;
    if (batch) {
        rc = run_batch(s, ix, batch, k, latency, &params, full);
        index_close(ix);
        store_close(s);
        return rc;
    }
    struct buf text = BUF_INIT(QUERY_MAX_BYTES + 1);
    for (int i = optind; i < argc && !rc; i++)
        if ((i > optind && buf_putc(&text, ' ')) || buf_puts(&text, argv[i]))
            rc = 1;
    struct query *q = NULL;
    char err[256];
    if (rc) {
        fprintf(stderr, "paperboy search: the query is longer than %d bytes\n", QUERY_MAX_BYTES);
        goto out;
    }
    if (query_parse(text.data ? text.data : "", text.len, 0, &q, err, sizeof err)) {
        fprintf(stderr, "paperboy search: %s\n", err);
        rc = 1;
        goto out;
    }
    if (explain) {
        char *e = query_to_string(q);
        printf("query: %s\n", e);
        xfree(e);
    }
    struct paper p;
    paper_init(&p);
    /* a bare arXiv id jumps to that paper */
    if (q->jump_id[0] && store_paper_get(s, q->jump_id, &p) == 0) {
        if (is_json) {
            json_t *o = json_pack("{s:s, s:b, s:o}", "query", text.data ? text.data : "", "jump", 1, "paper",
                                  cli_paper_json(&p));
            cli_print_json(stdout, o);
        } else {
            cli_print_paper(stdout, &p, 0);
        }
        paper_clear(&p);
        goto out;
    }
    struct doc_text dt = {s, {0}};
    paper_init(&dt.p);
    struct index_search_opts o = {.k = (size_t)k,
                                  .offset = (size_t)offset,
                                  .params = &params,
                                  .id_lookup = store_id_lookup,
                                  .id_ctx = s,
                                  .doc_text = doc_text,
                                  .text_ctx = &dt};
    struct index_result r;
    double t0 = now_us();
    int search_rc = index_search(ix, q, &o, &r, err, sizeof err);
    paper_clear(&dt.p);
    if (search_rc) {
        fprintf(stderr, "paperboy search: %s\n", err);
        rc = 1;
        goto out;
    }
    double ms = (now_us() - t0) / 1000.0;
    json_t *arr = is_json ? json_array() : NULL;
    static const char *const marks[3][2] = {{"[[", "]]"}, {"\033[1m", "\033[0m"}, {"", ""}};
    const char *const *mark = marks[is_json ? 0 : isatty(1) ? 1 : 2];
    if (!is_json) {
        if (r.relaxed)
            printf("no paper has every word; papers with some of them:\n");
        printf("%s%llu results (%.2f ms)\n", r.total_exact ? "" : "about ",
               (unsigned long long)r.total, ms);
    }
    for (size_t i = 0; i < r.n_hits; i++) {
        if (store_paper_get_pid(s, r.hits[i].docid, &p))
            continue;
        const char *src = p.abstract ? p.abstract : (p.title ? p.title : "");
        char *snip = index_snippet(&r, src, strlen(src), SNIPPET_BYTES, mark[0], mark[1]);
        if (is_json) {
            json_t *h = cli_paper_json(&p);
            json_object_set_new(h, "score", json_real(r.hits[i].score));
            json_object_set_new(h, "snippet", json_string(snip));
            json_array_append_new(arr, h);
        } else {
            print_text_hit(&p, r.hits[i].score, snip, (size_t)offset + i + 1);
        }
        xfree(snip);
    }
    paper_clear(&p);
    if (is_json) {
        json_t *out = json_pack("{s:s, s:I, s:b, s:b, s:f, s:o}", "query", text.data ? text.data : "",
                                "total", (json_int_t)r.total, "total_exact", r.total_exact, "relaxed",
                                r.relaxed, "ms", ms, "results", arr);
        cli_print_json(stdout, out);
    }
    index_result_release(&r);
out:
    query_free(q);
    buf_release(&text);
    index_close(ix);
    store_close(s);
    return rc;
}
