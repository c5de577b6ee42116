#!/usr/bin/python3
"""Synthetic corpus for the scale test: N papers made from the real ones, written as Kaggle
arxiv-metadata-oai-snapshot JSON Lines, which `paperboy import --format kaggle` and
LuceneBench.java both read.

How a document is made (seed 20261127 unless --seed; the same corpus gives the same file):
  * id: new-style arXiv ids that no real paper has, "9000.00001" .. "9027.xxxxx" (99,999 per
    "month"; paperboy's id parser takes them, and 90xx cannot collide with a real id).
  * title, authors and categories: those of a random real paper (any paper of the corpus).
  * abstract: every synthetic paper has one (as in the Kaggle snapshot). Its sentence count is
    that of a random real abstract A; each of A's sentences is kept with probability 1/2 and
    otherwise replaced by a random sentence from the pool of all real abstract sentences; the
    result is shuffled. Vocabulary and term statistics stay those of real abstracts, and no two
    documents are the same.
  * versions [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}], update_date
    "2007-05-23", comments/journal-ref/doi/report-no/license null, authors one string
    "A, B and C" as in the snapshot.
usage: gen_scale.py [--seed N] [--n 2700000] CORPUS.jsonl OUT.json"""
import argparse
import json
import os
import random
import re
import sys

SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--n", type=int, default=2700000)
    ap.add_argument("corpus")
    ap.add_argument("out")
    a = ap.parse_args()
    if a.n > 100 * 99999:
        sys.exit("gen_scale.py: at most 9,999,900 documents (ids 9000.00001 .. 9099.99999)")

    heads, abstracts, pool = [], [], []
    with open(a.corpus, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            names = [n for n in d["authors"].split("\n") if n]
            authors = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else \
                "".join(names)
            heads.append((d["title"], authors, d["categories"]))
            if len(d["abstract"]) > 200:
                s = SENT.split(d["abstract"].strip())
                abstracts.append((len(pool), len(s)))
                pool.extend(s)
    rng = random.Random(a.seed)
    with open(a.out + ".tmp", "w", encoding="utf-8") as f:
        for i in range(a.n):
            title, authors, cats = heads[rng.randrange(len(heads))]
            start, n = abstracts[rng.randrange(len(abstracts))]
            sents = [pool[start + j] if rng.random() < 0.5 else pool[rng.randrange(len(pool))]
                     for j in range(n)]
            rng.shuffle(sents)
            f.write(json.dumps({
                "id": "%04d.%05d" % (9000 + i // 99999, i % 99999 + 1),
                "submitter": None, "authors": authors, "title": title, "comments": None,
                "journal-ref": None, "doi": None, "report-no": None, "categories": cats,
                "license": None, "abstract": " ".join(sents),
                "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                "update_date": "2007-05-23"}, ensure_ascii=False) + "\n")
    os.replace(a.out + ".tmp", a.out)
    print("gen_scale: %d documents from %d real papers (%d abstract sentences) -> %s"
          % (a.n, len(heads), len(pool), a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
