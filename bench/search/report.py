#!/usr/bin/python3
"""Helpers for bench/search/run.sh and scale.sh (standard library only).

  report.py lat-median QUERIES OUT.tsv LAT...
      paperboy's --latency files (one latency in microseconds a line, in query order), one per
      timed batch run -> OUT.tsv ("qid<TAB>median us") and a JSON fragment on stdout with
      p50_ms, p99_ms, mean_ms and queries, computed as the drivers do (per-query median over
      runs, nearest-rank percentiles of the medians).
  report.py table WORK RESULTS.jsonl OUT.md
      the Markdown report: figures of every engine and ratios vs Lucene, latency by query kind,
      and sanity checks of the TREC runs (known-item MRR@10 and success@10; overlap of the top
      10 with Lucene's). Reads WORK/lat-ENGINE.tsv, WORK/run-ENGINE.trec, WORK/known-items.qrels
      when present. Environment: TITLE, COMMAND, MACHINE, NOTES (free text lines for the header).
      Prints the report and writes it to OUT.md."""
import json
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval"))
import trec_eval  # noqa: E402


def pct(sorted_v, p):
    """Nearest-rank percentile: the same definition as the drivers."""
    r = max(int(math.ceil(p * len(sorted_v))), 1)
    return sorted_v[r - 1]


def lat_median(queries, out, lats):
    qids = [l.split("\t", 1)[0] for l in open(queries, encoding="utf-8") if "\t" in l]
    cols = []
    for path in lats:
        v = [float(x) for x in open(path) if x.strip()]
        if len(v) != len(qids):
            sys.exit("report.py: %s has %d latencies for %d queries" % (path, len(v), len(qids)))
        cols.append(v)
    med = [statistics.median(c[i] for c in cols) for i in range(len(qids))]
    with open(out, "w") as f:
        for q, m in zip(qids, med):
            f.write("%s\t%.1f\n" % (q, m))
    s = sorted(med)
    print(json.dumps({"p50_ms": pct(s, 0.5) / 1e3, "p99_ms": pct(s, 0.99) / 1e3,
                      "mean_ms": sum(s) / len(s) / 1e3, "queries": len(s)}))


def read_lat(path):
    by_kind = {}
    for line in open(path):
        q, v = line.rstrip("\n").split("\t")
        by_kind.setdefault(q.split("-")[0], []).append(float(v))
    return {k: sorted(v) for k, v in by_kind.items()}


def top10(path):
    run = trec_eval.read_run(path)
    return {q: trec_eval.ranking(d)[:10] for q, d in run.items()}


def fmt(v, f="%.1f"):
    return "n/a" if v is None else f % v


def ratio(a, b):
    return "%.2f" % (a / b) if a and b else ""


def table(work, results, out):
    rows = [json.loads(l) for l in open(results) if l.strip()]
    ok = [r for r in rows if r.get("available", True)]
    ref = next((r for r in ok if r["engine"] == "lucene"), None)
    L = []
    p = L.append
    p("## %s" % os.environ.get("TITLE", "Search (bench/search)"))
    p("")
    for key in ("COMMAND", "MACHINE", "NOTES"):
        if os.environ.get(key):
            p(os.environ[key])
            p("")
    p("| engine | docs | build, s | docs/s | index, MiB | p50, ms | p99, ms | mean, ms |"
      " peak RSS, MiB | docs/s ÷ Lucene | size ÷ Lucene | p50 ÷ Lucene | p99 ÷ Lucene |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if not r.get("available", True):
            p("| %s | not available: %s | | | | | | | | | | | |" % (r["engine"], r.get("why", "")))
            continue
        rss = r.get("rss_kb")
        p("| %s | %d | %.1f | %.0f | %.1f | %.2f | %.2f | %.2f | %s | %s | %s | %s | %s |" % (
            r["engine"], r["docs"], r["build_s"], r["docs_per_s"], r["index_bytes"] / 2**20,
            r["p50_ms"], r["p99_ms"], r["mean_ms"], fmt(rss / 1024 if rss else None, "%.0f"),
            ratio(r["docs_per_s"], ref and ref["docs_per_s"]),
            ratio(r["index_bytes"], ref and ref["index_bytes"]),
            ratio(r["p50_ms"], ref and ref["p50_ms"]), ratio(r["p99_ms"], ref and ref["p99_ms"])))
    for r in ok:
        if r.get("extra"):
            p("")
            p("%s: %s" % (r["engine"], r["extra"]))

    lats = {r["engine"]: read_lat(os.path.join(work, "lat-%s.tsv" % r["engine"])) for r in ok
            if os.path.exists(os.path.join(work, "lat-%s.tsv" % r["engine"]))}
    if lats:
        kinds = sorted({k for v in lats.values() for k in v})
        p("")
        p("Latency by query kind, ms (p50 / p99 of the per-query medians):")
        p("")
        p("| engine | " + " | ".join("%s (%d)" % (k, len(next(iter(lats.values())).get(k, [])))
                                     for k in kinds) + " |")
        p("|---|" + "---:|" * len(kinds))
        for e, by in lats.items():
            p("| %s | %s |" % (e, " | ".join(
                "%.2f / %.2f" % (pct(by[k], 0.5) / 1e3, pct(by[k], 0.99) / 1e3) if k in by
                else "" for k in kinds)))

    runs = {r["engine"]: os.path.join(work, "run-%s.trec" % r["engine"]) for r in ok}
    runs = {e: f for e, f in runs.items() if os.path.exists(f)}
    qrels_path = os.path.join(work, "known-items.qrels")
    if runs:
        p("")
        p("Sanity checks of the TREC runs: known-item queries (the paper whose title was the"
          " query, or any paper with the same title) found at rank 1..10; mean overlap of each"
          " query's top 10 with Lucene's; queries with no result.")
        p("")
        p("| engine | known-item MRR@10 | known-item success@10 | top-10 overlap with Lucene |"
          " queries with no result |")
        p("|---|---:|---:|---:|---:|")
        qrels = trec_eval.read_qrels(qrels_path) if os.path.exists(qrels_path) else None
        ref_top = top10(runs["lucene"]) if "lucene" in runs else None
        nq = next((r["queries"] for r in ok), 0)
        for e, f in runs.items():
            mrr = succ = None
            if qrels:
                per, _ = trec_eval.evaluate(qrels, trec_eval.read_run(f))
                mrr = trec_eval.mean(per, "recip_rank_10")
                succ = trec_eval.mean(per, "success_10")
            t = top10(f)
            ov = None
            if ref_top:
                v = [len(set(t.get(q, [])) & set(ids)) / max(len(ids), 1)
                     for q, ids in ref_top.items()]
                ov = sum(v) / len(v) if v else None
            p("| %s | %s | %s | %s | %d |" % (e, fmt(mrr, "%.3f"), fmt(succ, "%.3f"),
                                             fmt(ov, "%.2f"), nq - len(t)))
    text = "\n".join(L) + "\n"
    sys.stdout.write(text)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    if len(argv) >= 4 and argv[1] == "lat-median":
        lat_median(argv[2], argv[3], argv[4:])
    elif len(argv) == 5 and argv[1] == "table":
        table(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
