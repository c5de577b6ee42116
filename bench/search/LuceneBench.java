/* Lucene 8 peer for bench/search and bench/eval: index a JSON Lines corpus, answer a query file,
 * print one JSON line of figures and write a TREC run. Compiled by bench/search/build.sh against
 * Debian's lucene-core and lucene-analyzers-common jars; no other dependency (its JSON reader is
 * the small one at the bottom).
 *
 * Input, detected per line: the benchmark corpus {"id","title","abstract","authors",...}, Kaggle
 * arxiv-metadata-snapshot lines (same keys; authors a string, extra keys ignored) or a BEIR corpus
 * {"_id","title","text"}. Authors may be a string or a list of strings.
 * Index: one catch-all TextField "text" = title + abstract (or text) + authors, EnglishAnalyzer
 * (standard tokenizer, lower case, English stop words, possessive filter, Porter stemmer),
 * BM25Similarity with default k1=1.2, b=0.75; the id is only stored. One IndexWriter fed by one
 * thread, 256 MB RAM buffer, SerialMergeScheduler (merges on the same thread, so the build uses
 * one core like the other peers; --merge concurrent for Lucene's default).
 * Queries: "qid<TAB>text"; QueryBuilder.createBooleanQuery over "text" with SHOULD clauses (OR),
 * IndexSearcher.search(query, k) (block-max WAND once k hits are found) and the stored id of
 * each hit. One untimed pass, then --passes timed passes; each query's latency is its median
 * over the timed passes (parse + search + fetching the k ids), p50/p99 are nearest-rank
 * percentiles of those medians.
 *
 * usage: LuceneBench --corpus F --index DIR [--queries Q.tsv --run OUT.trec] [--lat LAT.tsv]
 *        [--k 10] [--passes 3] [--warm 1] [--tag lucene] [--no-build] [--merge serial] */
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.*;
import org.apache.lucene.index.*;
import org.apache.lucene.search.*;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.QueryBuilder;

public class LuceneBench {
    static Map<String, String> opts = new HashMap<>();

    static String opt(String k, String def) { return opts.getOrDefault(k, def); }

    public static void main(String[] argv) throws Exception {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) die("unexpected argument '" + a + "'");
            if (a.equals("--no-build")) { opts.put("no-build", "1"); continue; }
            if (i + 1 >= argv.length) die(a + " wants a value");
            opts.put(a.substring(2), argv[++i]);
        }
        String corpus = opt("corpus", null), index = opt("index", null);
        if (index == null || (corpus == null && !opts.containsKey("no-build")))
            die("usage: LuceneBench --corpus F --index DIR [--queries Q --run OUT] ...");
        Path dir = Paths.get(index);
        Analyzer analyzer = new EnglishAnalyzer();
        BM25Similarity sim = new BM25Similarity();

        long docs = 0;
        double buildS = 0;
        if (!opts.containsKey("no-build")) {
            long t0 = System.nanoTime();
            docs = build(corpus, dir, analyzer, sim);
            buildS = (System.nanoTime() - t0) / 1e9;
        }
        long bytes = dirBytes(dir);

        String qfile = opt("queries", null);
        List<String[]> queries = new ArrayList<>();
        if (qfile != null) {
            for (String line : Files.readAllLines(Paths.get(qfile), StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0)
                    queries.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
            }
        }
        int k = Integer.parseInt(opt("k", "10"));
        int passes = Integer.parseInt(opt("passes", "3"));
        int warm = Integer.parseInt(opt("warm", "1"));
        String tag = opt("tag", "lucene");

        double p50 = 0, p99 = 0, mean = 0;
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir))) {
            if (docs == 0) docs = reader.numDocs();
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(sim);
            QueryBuilder qb = new QueryBuilder(analyzer);
            Set<String> idField = Collections.singleton("id");
            int nq = queries.size();
            long[][] lat = new long[Math.max(passes, 1)][nq];
            String[][] ids = new String[nq][];
            float[][] scores = new float[nq][];
            for (int p = -warm; p < Math.max(passes, 1); p++) {
                for (int i = 0; i < nq; i++) {
                    long t0 = System.nanoTime();
                    Query q = qb.createBooleanQuery("text", queries.get(i)[1],
                                                    BooleanClause.Occur.SHOULD);
                    String[] hitIds = new String[0];
                    float[] hitScores = new float[0];
                    if (q != null) {
                        TopDocs td = searcher.search(q, k);
                        hitIds = new String[td.scoreDocs.length];
                        hitScores = new float[td.scoreDocs.length];
                        for (int r = 0; r < td.scoreDocs.length; r++) {
                            hitIds[r] = searcher.doc(td.scoreDocs[r].doc, idField).get("id");
                            hitScores[r] = td.scoreDocs[r].score;
                        }
                    }
                    long t1 = System.nanoTime();
                    if (p >= 0) lat[p][i] = t1 - t0;
                    ids[i] = hitIds;
                    scores[i] = hitScores;
                }
            }
            String run = opt("run", null);
            if (run != null) {
                try (PrintWriter w = new PrintWriter(new BufferedWriter(new OutputStreamWriter(
                         new FileOutputStream(run), StandardCharsets.UTF_8)))) {
                    for (int i = 0; i < nq; i++)
                        for (int r = 0; r < ids[i].length; r++)
                            w.printf(Locale.ROOT, "%s Q0 %s %d %.6f %s\n", queries.get(i)[0],
                                     ids[i][r], r + 1, scores[i][r], tag);
                }
            }
            double[] med = new double[nq];
            for (int i = 0; i < nq; i++) {
                long[] v = new long[lat.length];
                for (int p = 0; p < lat.length; p++) v[p] = lat[p][i];
                Arrays.sort(v);
                int h = v.length / 2;
                med[i] = v.length % 2 == 1 ? v[h] : (v[h - 1] + v[h]) / 2.0;
            }
            String latFile = opt("lat", null);
            if (latFile != null) {
                try (PrintWriter w = new PrintWriter(latFile, "UTF-8")) {
                    for (int i = 0; i < nq; i++)
                        w.printf(Locale.ROOT, "%s\t%.1f\n", queries.get(i)[0], med[i] / 1e3);
                }
            }
            if (nq > 0) {
                double[] s = med.clone();
                Arrays.sort(s);
                p50 = pct(s, 0.50) / 1e6;
                p99 = pct(s, 0.99) / 1e6;
                for (double x : s) mean += x;
                mean = mean / nq / 1e6;
            }
            System.out.printf(Locale.ROOT,
                "{\"engine\":\"%s\",\"docs\":%d,\"build_s\":%.3f,\"docs_per_s\":%.1f,"
                + "\"index_bytes\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"mean_ms\":%.3f,"
                + "\"queries\":%d,\"passes\":%d}\n",
                tag, docs, buildS, buildS > 0 ? docs / buildS : 0.0, bytes, p50, p99, mean, nq,
                passes);
        }
    }

    /* Nearest-rank percentile of sorted values: the same definition in every driver. */
    static double pct(double[] sorted, double p) {
        int r = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(r, 1) - 1];
    }

    static long build(String corpus, Path dir, Analyzer analyzer, BM25Similarity sim)
        throws IOException {
        IndexWriterConfig cfg = new IndexWriterConfig(analyzer);
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        cfg.setRAMBufferSizeMB(256);
        cfg.setSimilarity(sim);
        if (!opt("merge", "serial").equals("concurrent"))
            cfg.setMergeScheduler(new SerialMergeScheduler());
        long n = 0, lineNo = 0;
        try (IndexWriter w = new IndexWriter(FSDirectory.open(dir), cfg);
             BufferedReader in = new BufferedReader(new InputStreamReader(
                 new FileInputStream(corpus), StandardCharsets.UTF_8), 1 << 20)) {
            String line;
            StringBuilder text = new StringBuilder();
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                Map<String, Object> o;
                try {
                    o = new Json(line).object();
                } catch (RuntimeException e) {
                    throw new IOException(corpus + " line " + lineNo + ": " + e.getMessage());
                }
                boolean beir = o.containsKey("_id");
                String id = str(o.get(beir ? "_id" : "id"));
                if (id.isEmpty()) throw new IOException(corpus + " line " + lineNo + ": no id");
                text.setLength(0);
                text.append(str(o.get("title"))).append('\n');
                text.append(str(o.get(beir ? "text" : "abstract"))).append('\n');
                text.append(str(o.get("authors")));
                Document d = new Document();
                d.add(new StoredField("id", id));
                d.add(new TextField("text", text.toString(), Field.Store.NO));
                w.addDocument(d);
                n++;
            }
            w.commit();
        }
        return n;
    }

    /* A JSON value as text: strings as they are, lists of strings one a line, null as "". */
    static String str(Object v) {
        if (v == null) return "";
        if (v instanceof String) return (String) v;
        if (v instanceof List) {
            StringBuilder b = new StringBuilder();
            for (Object e : (List<?>) v) b.append(str(e)).append('\n');
            return b.toString();
        }
        return "";
    }

    static long dirBytes(Path dir) throws IOException {
        long n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) if (Files.isRegularFile(p)) n += Files.size(p);
        }
        return n;
    }

    static void die(String msg) {
        System.err.println("LuceneBench: " + msg);
        System.exit(2);
    }

    /* Minimal JSON reader: objects -> Map, arrays -> List, strings, numbers as Double, true/false,
     * null. Enough for the corpora here; throws on malformed input. */
    static final class Json {
        final String s;
        int i;

        Json(String s) { this.s = s; }

        Map<String, Object> object() {
            Object v = value();
            ws();
            if (!(v instanceof Map) || i != s.length())
                throw new RuntimeException("not one JSON object");
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) v;
            return m;
        }

        void ws() { while (i < s.length() && s.charAt(i) <= ' ') i++; }

        char peek() {
            ws();
            if (i >= s.length()) throw new RuntimeException("unexpected end");
            return s.charAt(i);
        }

        void expect(char c) {
            if (peek() != c) throw new RuntimeException("expected '" + c + "' at " + i);
            i++;
        }

        Object value() {
            char c = peek();
            if (c == '{') {
                i++;
                Map<String, Object> m = new HashMap<>();
                if (peek() == '}') { i++; return m; }
                while (true) {
                    String k = string();
                    expect(':');
                    m.put(k, value());
                    if (peek() == ',') { i++; continue; }
                    expect('}');
                    return m;
                }
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                if (peek() == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    if (peek() == ',') { i++; continue; }
                    expect(']');
                    return l;
                }
            }
            if (c == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int j = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            if (j == i) throw new RuntimeException("unexpected '" + c + "' at " + i);
            return Double.parseDouble(s.substring(j, i));
        }

        String string() {
            expect('"');
            StringBuilder b = null;
            int start = i;
            while (true) {
                if (i >= s.length()) throw new RuntimeException("unterminated string");
                char c = s.charAt(i);
                if (c == '"') {
                    String r = b == null ? s.substring(start, i) : b.append(s, start, i).toString();
                    i++;
                    return r;
                }
                if (c != '\\') { i++; continue; }
                if (b == null) b = new StringBuilder();
                b.append(s, start, i);
                char e = s.charAt(i + 1);
                i += 2;
                switch (e) {
                case 'n': b.append('\n'); break;
                case 't': b.append('\t'); break;
                case 'r': b.append('\r'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'u':
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                    break;
                default: b.append(e);
                }
                start = i;
            }
        }
    }
}
