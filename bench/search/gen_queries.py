#!/usr/bin/python3
"""Deterministic query set for the search benchmark, made from the corpus itself.

How the queries are made (seed 20261127 unless --seed; the same corpus gives the same file):
  * Three kinds in equal numbers, interleaved in the file (kw, topic, title, kw, ...) so that a
    slow stretch of a noisy machine hits every kind alike. qids say the kind: kw-0001,
    topic-0001, title-0001.
  * Text is "plain words": LaTeX math ($...$) and \\commands are dropped, every run of letters or
    digits is a word, hyphens split words, everything is lower-cased (so no engine sees
    AND/OR/NOT operators, quotes, field prefixes or capitalised words that some stemmers skip).
  * kw (short keyword, 2-3 words): a random paper's title; its "content words" are words of 3+
    characters that are not stop words or generic research words ("using", "based", "novel",
    "approach"...) and not pure numbers. Take two adjacent content words (a title bigram such
    as "gaussian splatting"); half the time make it three: the adjacent trigram if the title has
    one, else the bigram plus another content word of the same title.
  * topic (5-12 words): a random paper that has an abstract; a random sentence of it with at
    least 5 words; a contiguous window of 5-12 words of that sentence (uniform length, cut to
    the sentence), stop words kept, as a person pasting part of a sentence would type it.
  * title (known item): a random paper's whole title (2-40 words), as plain words. The paper is
    the known item: --qrels writes it, with every other paper whose plain title is the same,
    as relevant (qid 0 docid 1), so runs can be sanity-checked by MRR/success@10.
  * A text already in the set is drawn again, so all query texts are distinct.
usage: gen_queries.py [--seed N] [--n N] [--qrels FILE] CORPUS.jsonl OUT.tsv"""
import argparse
import json
import random
import re
import sys

STOP = set("""a an and are as at be but by for if in into is it no not of on or such that the
their then there these they this to was will with from we our us can its which has have been
were also than via between under over more most some other all any both each few about after
before during without within upon toward towards among through while where when how what who
whose do does did so very may might one two three using use used based new novel approach
approaches method methods study studies analysis towards via framework model models paper
results result data system systems effect effects case toward improved improving""".split())

MATH = re.compile(r"\$[^$]*\$")
ACCENT = re.compile(r"\\['`^\"~=.]")  # accents: Yndur\'ain -> yndurain, one word
CMD = re.compile(r"\\[A-Za-z]+|\\.")
WORD = re.compile(r"[^\W_]+")
SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def words(text):
    """Plain words of text, lower-cased."""
    text = CMD.sub(" ", ACCENT.sub("", MATH.sub(" ", text))).replace("{", "").replace("}", "")
    return [w.lower() for w in WORD.findall(text)]


def is_content(w):
    return len(w) >= 3 and w not in STOP and not w.isdigit()


def kw_query(rng, title):
    ws = words(title)
    runs = [i for i in range(len(ws) - 1) if is_content(ws[i]) and is_content(ws[i + 1])]
    if not runs:
        return None
    i = rng.choice(runs)
    q = ws[i:i + 2]
    if rng.random() < 0.5:
        tri = [j for j in range(len(ws) - 2) if all(is_content(w) for w in ws[j:j + 3])]
        if tri:
            j = rng.choice(tri)
            q = ws[j:j + 3]
        else:
            rest = [w for w in ws if is_content(w) and w not in q]
            if rest:
                q = q + [rng.choice(rest)]
    return q


def topic_query(rng, abstract):
    sents = [words(s) for s in SENT.split(abstract)]
    sents = [s for s in sents if len(s) >= 5]
    if not sents:
        return None
    s = rng.choice(sents)
    n = min(rng.randint(5, 12), len(s))
    i = rng.randint(0, len(s) - n)
    return s[i:i + n]


def title_query(title):
    ws = words(title)
    return ws if 2 <= len(ws) <= 40 else None


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--n", type=int, default=2100, help="total queries (rounded up to 3 kinds)")
    ap.add_argument("--qrels", help="write the known-item qrels here")
    ap.add_argument("corpus")
    ap.add_argument("out")
    a = ap.parse_args()

    docs = []
    with open(a.corpus, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs.append((d["id"], d["title"], d["abstract"]))
    with_abs = [i for i, d in enumerate(docs) if len(d[2]) > 200]
    rng = random.Random(a.seed)
    per = (a.n + 2) // 3
    seen = set()
    out = {"kw": [], "topic": [], "title": []}
    while min(len(v) for v in out.values()) < per:
        for kind in ("kw", "topic", "title"):
            if len(out[kind]) >= per:
                continue
            while True:
                if kind == "topic":
                    d = docs[rng.choice(with_abs)]
                    q = topic_query(rng, d[2])
                else:
                    d = docs[rng.randrange(len(docs))]
                    q = kw_query(rng, d[1]) if kind == "kw" else title_query(d[1])
                if q and " ".join(q) not in seen:
                    break
            text = " ".join(q)
            seen.add(text)
            out[kind].append((text, d[0]))

    known = {}
    if a.qrels:
        want = {t for t, _ in out["title"]}
        for pid, title, _ in docs:
            t = " ".join(words(title))
            if t in want:
                known.setdefault(t, []).append(pid)
    with open(a.out, "w", encoding="utf-8") as f:
        for i in range(per):
            for kind in ("kw", "topic", "title"):
                f.write("%s-%04d\t%s\n" % (kind, i + 1, out[kind][i][0]))
    if a.qrels:
        with open(a.qrels, "w", encoding="utf-8") as f:
            for i, (text, pid) in enumerate(out["title"]):
                for rel in sorted(set(known.get(text, []) + [pid])):
                    f.write("title-%04d 0 %s 1\n" % (i + 1, rel))
    print("gen_queries: %d queries (%d of each kind) -> %s" % (3 * per, per, a.out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
