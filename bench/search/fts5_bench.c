/* SQLite FTS5 peer for bench/search: index the benchmark corpus (JSON Lines, read with jansson)
 * into a fresh database file, answer a query file, print one JSON line of figures and write a
 * TREC run.
 * Index: a contentless fts5(title, abstract, authors, content='', tokenize='porter unicode61')
 * -- the index only, no copy of the text, as Lucene stores only the id -- and a plain table
 * ids(rowid, id) for the paper ids; all rows in one transaction, then the 'optimize' command
 * (one b-tree segment, as a read-mostly FTS5 index would be kept). journal_mode=OFF and
 * synchronous=OFF while building. FTS5 has no stop words.
 * bm25() with equal column weights sums each term's hits over the three columns and normalises
 * by the whole row's length, so it is BM25 over a catch-all field (k1=1.2, b=0.75, fixed).
 * Queries: each plain word double-quoted, joined with OR:
 *   SELECT ids.id, s.score FROM (SELECT rowid, bm25(t) AS score FROM t WHERE t MATCH ?1
 *     ORDER BY bm25(t) LIMIT ?2) AS s JOIN ids USING (rowid) ORDER BY s.score
 * with a 256 MiB page cache and 1 GiB mmap (SQLite's defaults are 2 MiB and off). Latency covers
 * building the MATCH string, running the statement and reading the ids; one untimed pass, then
 * --passes timed ones, per-query medians, nearest-rank p50/p99 (as in LuceneBench.java).
 * usage: fts5_bench --corpus F --index DB --queries Q.tsv [--run OUT] [--lat LAT] [--k 10]
 *        [--passes 3] [--warm 1] [--tag fts5] [--no-build] */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, sqlite3 *db)
{
    fprintf(stderr, "fts5_bench: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
    exit(2);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s: %s\n", sql, msg);
        exit(2);
    }
}

/* A JSON string, or a list of strings joined by "\n"; anything else is "". Caller frees. */
static char *jtext(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return strdup(json_string_value(v));
    char *s = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&s, &n);
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (json_is_string(e)) fprintf(m, "%s\n", json_string_value(e));
    }
    fclose(m);
    return s;
}

static long build(const char *corpus, const char *path)
{
    sqlite3 *db;
    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(path, db);
    exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
             "CREATE VIRTUAL TABLE t USING fts5(title, abstract, authors, content='',"
             " tokenize='porter unicode61');"
             "CREATE TABLE ids(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL); BEGIN");
    sqlite3_stmt *ins, *ins_id;
    if (sqlite3_prepare_v2(db, "INSERT INTO t(rowid, title, abstract, authors)"
                           " VALUES(?1,?2,?3,?4)", -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO ids(rowid, id) VALUES(?1,?2)", -1, &ins_id,
                           NULL) != SQLITE_OK)
        die("prepare insert", db);
    FILE *f = fopen(corpus, "r");
    if (!f) {
        perror(corpus);
        exit(2);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long n = 0, line_no = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        line_no++;
        json_error_t err;
        json_t *o = json_loadb(line, len, 0, &err);
        if (!o) {
            fprintf(stderr, "fts5_bench: %s line %ld: %s\n", corpus, line_no, err.text);
            exit(2);
        }
        int beir = json_object_get(o, "_id") != NULL;
        char *v[4] = {jtext(o, beir ? "_id" : "id"), jtext(o, "title"),
                      jtext(o, beir ? "text" : "abstract"), jtext(o, "authors")};
        sqlite3_bind_int64(ins, 1, n + 1);
        sqlite3_bind_int64(ins_id, 1, n + 1);
        sqlite3_bind_text(ins_id, 2, v[0], -1, free);
        for (int i = 1; i < 4; i++)
            sqlite3_bind_text(ins, i + 1, v[i], -1, free);
        if (sqlite3_step(ins) != SQLITE_DONE || sqlite3_step(ins_id) != SQLITE_DONE)
            die("insert", db);
        sqlite3_reset(ins);
        sqlite3_reset(ins_id);
        json_decref(o);
        n++;
    }
    free(line);
    fclose(f);
    sqlite3_finalize(ins);
    sqlite3_finalize(ins_id);
    exec(db, "COMMIT; INSERT INTO t(t) VALUES('optimize')");
    sqlite3_close(db);
    return n;
}

/* '"w1" OR "w2" ...' from plain words; a '"' in a word is doubled, as FTS5 strings want. */
static char *match_expr(const char *q)
{
    char *s = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&s, &n);
    int n_words = 0;
    for (const char *p = q; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        fputs(n_words++ ? " OR \"" : "\"", m);
        for (; *p && *p != ' ' && *p != '\t'; p++) {
            if (*p == '"')
                fputc('"', m);
            fputc(*p, m);
        }
        fputc('"', m);
    }
    fclose(m);
    return s;
}

struct query {
    char *qid, *text, *match;
    char **ids;
    double *scores;
    int n_hits;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double p)
{
    long r = (long)ceil(p * n);
    return sorted[(r < 1 ? 1 : r) - 1];
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"corpus", required_argument, NULL, 'c'}, {"index", required_argument, NULL, 'i'},
        {"queries", required_argument, NULL, 'q'}, {"run", required_argument, NULL, 'r'},
        {"lat", required_argument, NULL, 'l'},     {"k", required_argument, NULL, 'k'},
        {"passes", required_argument, NULL, 'p'},  {"warm", required_argument, NULL, 'w'},
        {"tag", required_argument, NULL, 't'},     {"no-build", no_argument, NULL, 'n'},
        {NULL, 0, NULL, 0}};
    const char *corpus = NULL, *index = NULL, *queries = NULL, *run = NULL, *lat = NULL;
    const char *tag = "fts5";
    int k = 10, passes = 3, warm = 1, no_build = 0, opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': corpus = optarg; break;
        case 'i': index = optarg; break;
        case 'q': queries = optarg; break;
        case 'r': run = optarg; break;
        case 'l': lat = optarg; break;
        case 'k': k = atoi(optarg); break;
        case 'p': passes = atoi(optarg); break;
        case 'w': warm = atoi(optarg); break;
        case 't': tag = optarg; break;
        case 'n': no_build = 1; break;
        default: return 2;
        }
    }
    if (!index || (!corpus && !no_build) || k < 1 || passes < 1) {
        fprintf(stderr, "usage: fts5_bench --corpus F --index DB --queries Q [--run OUT] ...\n");
        return 2;
    }
    long docs = 0;
    double build_s = 0;
    if (!no_build) {
        double t0 = now_s();
        docs = build(corpus, index);
        build_s = now_s() - t0;
    }
    struct stat st;
    long long bytes = stat(index, &st) == 0 ? (long long)st.st_size : 0;

    sqlite3 *db;
    if (sqlite3_open_v2(index, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(index, db);
    exec(db, "PRAGMA cache_size=-262144; PRAGMA mmap_size=1073741824");
    if (!docs) {
        sqlite3_stmt *c;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM ids", -1, &c, NULL) == SQLITE_OK &&
            sqlite3_step(c) == SQLITE_ROW)
            docs = sqlite3_column_int64(c, 0);
        sqlite3_finalize(c);
    }
    sqlite3_stmt *sel;
    if (sqlite3_prepare_v2(db, "SELECT ids.id, s.score FROM (SELECT rowid, bm25(t) AS score"
                           " FROM t WHERE t MATCH ?1 ORDER BY bm25(t) LIMIT ?2) AS s"
                           " JOIN ids USING (rowid) ORDER BY s.score", -1, &sel, NULL) != SQLITE_OK)
        die("prepare select", db);

    struct query *qs = NULL;
    size_t nq = 0, qcap = 0;
    if (queries) {
        FILE *f = fopen(queries, "r");
        if (!f) {
            perror(queries);
            return 2;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            line[strcspn(line, "\r\n")] = 0;
            char *tab = strchr(line, '\t');
            if (!tab || tab == line)
                continue;
            *tab = 0;
            if (nq == qcap) {
                qcap = qcap ? 2 * qcap : 1024;
                qs = realloc(qs, qcap * sizeof *qs);
            }
            qs[nq] = (struct query){strdup(line), strdup(tab + 1), NULL, NULL, NULL, 0};
            qs[nq].ids = calloc(k, sizeof(char *));
            qs[nq].scores = calloc(k, sizeof(double));
            nq++;
        }
        free(line);
        fclose(f);
    }
    double *t = calloc((size_t)passes * (nq ? nq : 1), sizeof(double));
    for (int p = -warm; p < passes; p++) {
        for (size_t i = 0; i < nq; i++) {
            struct query *q = &qs[i];
            for (int r = 0; r < q->n_hits; r++)
                free(q->ids[r]);
            q->n_hits = 0;
            double t0 = now_s();
            char *m = match_expr(q->text);
            if (*m) {
                sqlite3_bind_text(sel, 1, m, -1, SQLITE_STATIC);
                sqlite3_bind_int(sel, 2, k);
                int rc;
                while ((rc = sqlite3_step(sel)) == SQLITE_ROW && q->n_hits < k) {
                    q->ids[q->n_hits] = strdup((const char *)sqlite3_column_text(sel, 0));
                    q->scores[q->n_hits++] = -sqlite3_column_double(sel, 1);
                }
                if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                    fprintf(stderr, "fts5_bench: query %s: %s\n", q->qid, sqlite3_errmsg(db));
                sqlite3_reset(sel);
            }
            free(m);
            double t1 = now_s();
            if (p >= 0)
                t[(size_t)p * nq + i] = t1 - t0;
        }
    }
    if (run) {
        FILE *f = fopen(run, "w");
        if (!f) {
            perror(run);
            return 2;
        }
        for (size_t i = 0; i < nq; i++)
            for (int r = 0; r < qs[i].n_hits; r++)
                fprintf(f, "%s Q0 %s %d %.6f %s\n", qs[i].qid, qs[i].ids[r], r + 1,
                        qs[i].scores[r], tag);
        fclose(f);
    }
    double *med = calloc(nq ? nq : 1, sizeof(double)), *v = calloc(passes, sizeof(double));
    for (size_t i = 0; i < nq; i++) {
        for (int p = 0; p < passes; p++)
            v[p] = t[(size_t)p * nq + i];
        qsort(v, passes, sizeof *v, cmp_double);
        med[i] = passes % 2 ? v[passes / 2] : (v[passes / 2 - 1] + v[passes / 2]) / 2;
    }
    if (lat) {
        FILE *f = fopen(lat, "w");
        for (size_t i = 0; f && i < nq; i++)
            fprintf(f, "%s\t%.1f\n", qs[i].qid, med[i] * 1e6);
        if (f)
            fclose(f);
    }
    double p50 = 0, p99 = 0, mean = 0;
    if (nq) {
        double *s = malloc(nq * sizeof *s);
        memcpy(s, med, nq * sizeof *s);
        qsort(s, nq, sizeof *s, cmp_double);
        p50 = pct(s, nq, 0.5) * 1e3;
        p99 = pct(s, nq, 0.99) * 1e3;
        for (size_t i = 0; i < nq; i++)
            mean += s[i];
        mean = mean / nq * 1e3;
        free(s);
    }
    printf("{\"engine\":\"%s\",\"docs\":%ld,\"build_s\":%.3f,\"docs_per_s\":%.1f,"
           "\"index_bytes\":%lld,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"mean_ms\":%.3f,"
           "\"queries\":%zu,\"passes\":%d}\n",
           tag, docs, build_s, build_s > 0 ? docs / build_s : 0.0, bytes, p50, p99, mean, nq,
           passes);
    sqlite3_finalize(sel);
    sqlite3_close(db);
    return 0;
}
