/* Xapian 1.4 peer for bench/search: index the benchmark corpus (JSON Lines, read with jansson),
 * answer a query file, print one JSON line of figures and write a TREC run.
 * Index: one Xapian document per paper, data = the id; title, abstract and authors go through
 * one TermGenerator into the same unprefixed terms (a catch-all, with a position gap between
 * fields), English stemmer, STEM_SOME (Xapian's default: unstemmed and Z-prefixed stemmed terms),
 * a SimpleStopper holding Lucene's 33 English stop words (Xapian ships no list) with the default
 * STOP_STEMMED strategy. One WritableDatabase, default flush threshold, one commit at the end.
 * Queries: QueryParser with the same stemmer and stopper, default op OP_OR, default flags;
 * Enquire with BM25Weight(k1=1.2, k2=0, k3=1, b=0.75, min_normlen=0.5) -- Lucene's k1 and b
 * rather than Xapian's defaults (k1=1, b=0.5), so rankings can be compared -- and get_mset(0, k).
 * Latency is parse + get_mset + reading the k ids; one untimed pass, then --passes timed ones,
 * per-query medians, nearest-rank p50/p99 (as in LuceneBench.java).
 * usage: xapian_bench --corpus F --index DIR --queries Q.tsv [--run OUT] [--lat LAT] [--k 10]
 *        [--passes 3] [--warm 1] [--tag xapian] [--no-build] */
#include <xapian.h>

#include <jansson.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <getopt.h>
#include <iostream>
#include <string>
#include <sys/stat.h>
#include <vector>

static const char *const STOP_WORDS[] = {
    "a",    "an",   "and",  "are",   "as",    "at",   "be",    "but",  "by",   "for",  "if",
    "in",   "into", "is",   "it",    "no",    "not",  "of",    "on",   "or",   "such", "that",
    "the",  "their", "then", "there", "these", "they", "this", "to",   "was",  "will", "with"};

static double now_s()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

static long long dir_bytes(const std::string &dir)
{
    long long n = 0;
    DIR *d = opendir(dir.c_str());
    if (!d)
        return 0;
    while (struct dirent *e = readdir(d)) {
        struct stat st;
        std::string p = dir + "/" + e->d_name;
        if (stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            n += st.st_size;
    }
    closedir(d);
    return n;
}

/* A JSON string, or a list of strings one a line; anything else is "". */
static std::string jtext(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return std::string(json_string_value(v), json_string_length(v));
    std::string s;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            if (json_is_string(e))
                s.append(json_string_value(e)).push_back('\n');
        }
    }
    return s;
}

static long build(const char *corpus, const std::string &index, Xapian::Stopper *stopper)
{
    Xapian::WritableDatabase db(index, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stopper(stopper);
    FILE *f = fopen(corpus, "r");
    if (!f) {
        perror(corpus);
        exit(2);
    }
    char *line = nullptr;
    size_t cap = 0;
    ssize_t len;
    long n = 0, line_no = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        line_no++;
        json_error_t err;
        json_t *o = json_loadb(line, len, 0, &err);
        if (!o) {
            fprintf(stderr, "xapian_bench: %s line %ld: %s\n", corpus, line_no, err.text);
            exit(2);
        }
        bool beir = json_object_get(o, "_id") != nullptr;
        Xapian::Document doc;
        doc.set_data(jtext(o, beir ? "_id" : "id"));
        tg.set_document(doc);
        tg.index_text(jtext(o, "title"));
        tg.increase_termpos();
        tg.index_text(jtext(o, beir ? "text" : "abstract"));
        tg.increase_termpos();
        tg.index_text(jtext(o, "authors"));
        db.add_document(doc);
        json_decref(o);
        n++;
    }
    free(line);
    fclose(f);
    db.commit();
    db.close();
    return n;
}

static double pct(const std::vector<double> &sorted, double p)
{
    long r = (long)std::ceil(p * sorted.size());
    return sorted[std::max(r, 1L) - 1];
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"corpus", required_argument, nullptr, 'c'}, {"index", required_argument, nullptr, 'i'},
        {"queries", required_argument, nullptr, 'q'}, {"run", required_argument, nullptr, 'r'},
        {"lat", required_argument, nullptr, 'l'},     {"k", required_argument, nullptr, 'k'},
        {"passes", required_argument, nullptr, 'p'},  {"warm", required_argument, nullptr, 'w'},
        {"tag", required_argument, nullptr, 't'},     {"no-build", no_argument, nullptr, 'n'},
        {nullptr, 0, nullptr, 0}};
    const char *corpus = nullptr, *queries = nullptr, *run = nullptr, *lat = nullptr;
    std::string index, tag = "xapian";
    int k = 10, passes = 3, warm = 1, no_build = 0, opt;
    while ((opt = getopt_long(argc, argv, "", opts, nullptr)) != -1) {
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
    if (index.empty() || (!corpus && !no_build) || k < 1 || passes < 1) {
        fprintf(stderr, "usage: xapian_bench --corpus F --index DIR --queries Q [--run OUT] ...\n");
        return 2;
    }
    Xapian::SimpleStopper stopper(std::begin(STOP_WORDS), std::end(STOP_WORDS));

    long docs = 0;
    double build_s = 0;
    try {
        if (!no_build) {
            double t0 = now_s();
            docs = build(corpus, index, &stopper);
            build_s = now_s() - t0;
        }
        Xapian::Database db(index);
        if (!docs)
            docs = db.get_doccount();

        std::vector<std::pair<std::string, std::string>> qs;
        if (queries) {
            std::ifstream in(queries);
            std::string l;
            while (std::getline(in, l)) {
                size_t tab = l.find('\t');
                if (tab != std::string::npos && tab > 0)
                    qs.emplace_back(l.substr(0, tab), l.substr(tab + 1));
            }
        }
        size_t nq = qs.size();
        Xapian::QueryParser qp;
        qp.set_stemmer(Xapian::Stem("english"));
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_stopper(&stopper);
        qp.set_default_op(Xapian::Query::OP_OR);
        qp.set_database(db);
        Xapian::Enquire enq(db);
        enq.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));

        std::vector<std::vector<double>> t(passes, std::vector<double>(nq));
        std::vector<std::vector<std::pair<std::string, double>>> hits(nq);
        for (int p = -warm; p < passes; p++) {
            for (size_t i = 0; i < nq; i++) {
                double t0 = now_s();
                enq.set_query(qp.parse_query(qs[i].second));
                Xapian::MSet m = enq.get_mset(0, k);
                std::vector<std::pair<std::string, double>> h;
                for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it)
                    h.emplace_back(it.get_document().get_data(), it.get_weight());
                double t1 = now_s();
                if (p >= 0)
                    t[p][i] = t1 - t0;
                hits[i] = std::move(h);
            }
        }
        if (run) {
            FILE *f = fopen(run, "w");
            if (!f) {
                perror(run);
                return 2;
            }
            for (size_t i = 0; i < nq; i++)
                for (size_t r = 0; r < hits[i].size(); r++)
                    fprintf(f, "%s Q0 %s %zu %.6f %s\n", qs[i].first.c_str(),
                            hits[i][r].first.c_str(), r + 1, hits[i][r].second, tag.c_str());
            fclose(f);
        }
        std::vector<double> med(nq);
        for (size_t i = 0; i < nq; i++) {
            std::vector<double> v;
            for (int p = 0; p < passes; p++)
                v.push_back(t[p][i]);
            std::sort(v.begin(), v.end());
            med[i] = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
        }
        if (lat) {
            FILE *f = fopen(lat, "w");
            for (size_t i = 0; f && i < nq; i++)
                fprintf(f, "%s\t%.1f\n", qs[i].first.c_str(), med[i] * 1e6);
            if (f)
                fclose(f);
        }
        double p50 = 0, p99 = 0, mean = 0;
        if (nq) {
            std::vector<double> s = med;
            std::sort(s.begin(), s.end());
            p50 = pct(s, 0.5) * 1e3;
            p99 = pct(s, 0.99) * 1e3;
            for (double x : s)
                mean += x;
            mean = mean / nq * 1e3;
        }
        printf("{\"engine\":\"%s\",\"docs\":%ld,\"build_s\":%.3f,\"docs_per_s\":%.1f,"
               "\"index_bytes\":%lld,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"mean_ms\":%.3f,"
               "\"queries\":%zu,\"passes\":%d}\n",
               tag.c_str(), docs, build_s, build_s > 0 ? docs / build_s : 0.0, dir_bytes(index),
               p50, p99, mean, nq, passes);
    } catch (const Xapian::Error &e) {
        fprintf(stderr, "xapian_bench: %s\n", e.get_description().c_str());
        return 1;
    }
    return 0;
}
