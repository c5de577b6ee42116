#!/usr/bin/python3
"""Score a TREC run against qrels: nDCG@10 and recall@100 as BEIR computes them with
pytrec_eval (trec_eval's ndcg_cut.10 and recall.100), plus MRR@10 and success@10.

  trec_eval.py [--per-query] [--kinds] QRELS RUN
  trec_eval.py --self-test

QRELS: "qid docid rel" (BEIR .tsv, a header line "query-id corpus-id score" is skipped) or
"qid 0 docid rel" (TREC). RUN: "qid Q0 docid rank score tag".
Definitions (those of trec_eval 9, which pytrec_eval wraps):
  * The run's ranking for a query is by score, descending; ties are broken by docid,
    descending (trec_eval ignores the rank column). A docid repeated in one query counts once,
    at its best position.
  * gain = the qrels relevance of the document (0 if unjudged or not positive);
    DCG@k = sum over ranks i = 1..k of gain_i / log2(i + 1); the ideal DCG@k takes the qrels'
    relevances of that query sorted descending. nDCG@k = DCG@k / IDCG@k.
  * recall@100 = relevant documents (rel > 0) in the top 100 / relevant documents in qrels.
  * Only queries in the qrels that have at least one relevant document are evaluated, and the
    mean is over all of them: a query the run does not answer scores 0 (trec_eval -c). BEIR
    averages only over queries present in the run; the two agree when the run answers every
    query, and this script says how many were missing.
Run with /usr/bin/python3 or any Python 3: standard library only."""
import math
import sys
from collections import defaultdict


def read_qrels(path):
    qrels = defaultdict(dict)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            p = line.split()
            if not p:
                continue
            if n == 0 and not p[-1].lstrip("-").isdigit():
                continue  # BEIR header: query-id corpus-id score
            if len(p) == 4:
                qid, _, doc, rel = p
            elif len(p) == 3:
                qid, doc, rel = p
            else:
                raise SystemExit("%s line %d: want 3 or 4 columns" % (path, n + 1))
            qrels[qid][doc] = int(rel)
    return qrels


def read_run(path):
    run = defaultdict(dict)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            p = line.split()
            if not p:
                continue
            if len(p) < 5:
                raise SystemExit("%s line %d: want 'qid Q0 docid rank score [tag]'" % (path, n + 1))
            qid, doc, score = p[0], p[2], float(p[4])
            if doc not in run[qid] or score > run[qid][doc]:
                run[qid][doc] = score
    return run


def ranking(docs):
    """Docids by score descending, ties by docid descending (trec_eval's order)."""
    return [d for d, _ in sorted(docs.items(), key=lambda x: (x[1], x[0]), reverse=True)]


def dcg(gains):
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def score_query(rels, docs):
    ranked = ranking(docs)
    n_rel = sum(1 for r in rels.values() if r > 0)
    gains = [max(rels.get(d, 0), 0) for d in ranked[:10]]
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:10]
    ndcg = dcg(gains) / dcg(ideal) if ideal else 0.0
    recall = sum(1 for d in ranked[:100] if rels.get(d, 0) > 0) / n_rel
    rr = 0.0
    for i, d in enumerate(ranked[:10]):
        if rels.get(d, 0) > 0:
            rr = 1.0 / (i + 1)
            break
    return {"ndcg_cut_10": ndcg, "recall_100": recall, "recip_rank_10": rr,
            "success_10": 1.0 if rr else 0.0}


MEASURES = ("ndcg_cut_10", "recall_100", "recip_rank_10", "success_10")


def evaluate(qrels, run):
    """{qid: {measure: value}} over the judged queries, and the number the run missed."""
    per, missing = {}, 0
    for qid, rels in qrels.items():
        if not any(r > 0 for r in rels.values()):
            continue
        if qid not in run:
            missing += 1
        per[qid] = score_query(rels, run.get(qid, {}))
    return per, missing


def mean(per, m, qids=None):
    v = [s[m] for q, s in per.items() if qids is None or q in qids]
    return sum(v) / len(v) if v else 0.0


def self_test():
    """A hand-computed example.
    qrels: q1: d1 rel 2, d2 rel 1, d3 rel 0, d9 rel 1 (3 relevant); q2: d5 rel 1;
           q3: d7 rel 0 only (no relevant document: skipped).
    run q1 (scores): d3 3.0, d1 2.0, d4 2.0, d2 1.0  -> trec_eval order: d3, d4, d1, d2
           (d1 and d4 tie at 2.0; docid descending puts d4 first)
      DCG  = 0/log2(2) + 0/log2(3) + 2/log2(4) + 1/log2(5) = 1 + 0.430677 = 1.430677
      IDCG = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.630930 + 0.5 = 3.130930
      nDCG@10 = 0.456950; recall@100 = 2/3; first relevant at rank 3: RR = 1/3
    run q2: no lines -> every measure 0 (and counted in the mean).
    means over q1, q2: nDCG@10 = 0.228475, recall@100 = 0.333333, MRR@10 = 0.166667."""
    qrels = {"q1": {"d1": 2, "d2": 1, "d3": 0, "d9": 1}, "q2": {"d5": 1}, "q3": {"d7": 0}}
    run = {"q1": {"d3": 3.0, "d1": 2.0, "d4": 2.0, "d2": 1.0}}
    per, missing = evaluate(qrels, run)
    assert sorted(per) == ["q1", "q2"] and missing == 1, (per, missing)
    assert ranking(run["q1"]) == ["d3", "d4", "d1", "d2"]
    want = {"ndcg_cut_10": 1.430677 / 3.130930, "recall_100": 2 / 3, "recip_rank_10": 1 / 3}
    for m, v in want.items():
        assert abs(per["q1"][m] - v) < 1e-6, (m, per["q1"][m], v)
        assert per["q2"][m] == 0.0
    assert abs(mean(per, "ndcg_cut_10") - 0.228475) < 1e-6
    assert abs(mean(per, "recall_100") - 1 / 3) < 1e-6
    # A perfect run scores 1 everywhere.
    per, _ = evaluate({"q": {"a": 1, "b": 2}}, {"q": {"b": 9.0, "a": 8.0, "x": 1.0}})
    assert all(abs(per["q"][m] - 1.0) < 1e-12 for m in MEASURES), per
    print("trec_eval.py: self-test passed")


def main(argv):
    if argv[1:] == ["--self-test"]:
        self_test()
        return
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = {a for a in argv[1:] if a.startswith("--")}
    if len(args) != 2 or flags - {"--per-query", "--kinds"}:
        raise SystemExit(__doc__)
    qrels, run = read_qrels(args[0]), read_run(args[1])
    per, missing = evaluate(qrels, run)
    if "--per-query" in flags:
        for qid in sorted(per):
            print("%s\t%s" % (qid, "\t".join("%s=%.4f" % (m, per[qid][m]) for m in MEASURES)))
    groups = [("all", None)]
    if "--kinds" in flags:  # qids like "kw-0001": one line per prefix as well
        for kind in sorted({q.split("-")[0] for q in per}):
            groups.append((kind, {q for q in per if q.split("-")[0] == kind}))
    for name, qids in groups:
        n = len(per) if qids is None else len(qids)
        print("%s\tqueries=%d\tndcg_cut_10=%.4f\trecall_100=%.4f\tmrr_10=%.4f\tsuccess_10=%.4f"
              % (name, n, mean(per, "ndcg_cut_10", qids), mean(per, "recall_100", qids),
                 mean(per, "recip_rank_10", qids), mean(per, "success_10", qids)))
    if missing:
        print("trec_eval.py: %d of %d judged queries have no line in the run (scored 0)"
              % (missing, len(per)), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
