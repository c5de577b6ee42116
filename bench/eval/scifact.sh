#!/bin/bash
# Retrieval quality on SciFact (BEIR): nDCG@10 and recall@100 over the 809 training claims
# (the test split is held out on purpose: tune on train), scored by bench/eval/trec_eval.py.
#   (a) the anchor: Lucene 8 through bench/search/LuceneBench.java over the SciFact corpus,
#       catch-all field title + text, EnglishAnalyzer, BM25 (k1=1.2, b=0.75), top 100, OR;
#   (b) paperboy: `paperboy import --db D --format beir corpus.jsonl`, `paperboy index rebuild
#       --db D`, `paperboy search --db D -k 100 --batch q.tsv` (TREC run on stdout; a "beir:"
#       id prefix is stripped) -- reported as not available while the engine is missing.
# Queries are the claims as plain words (runs of letters or digits, lower-cased), the same file
# for both, so no claim is read as query syntax. Prints a small Markdown table and writes it to
# bench/eval/RESULTS.md. Work files: bench/eval/work/ (git-ignored).
#   DATA=../shared/data/eval/scifact   PAPERBOY=path   LUCENE_HEAP=1g   PB_TIMEOUT=1800
#   VARIANTS="prox=0.1;prf.docs=3 prf.terms=10 prf.w=0.1"   extra paperboy runs on the same
#       database, one per ';'-separated list of `--param` settings (the proximity and feedback
#       table in docs/BENCHMARKS.md is VARIANTS over its rows); empty by default
# Score any run:  /usr/bin/python3 bench/eval/trec_eval.py QRELS RUN
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # `sh scifact.sh` works too
set -u
cd "$(dirname "$0")/../.." || exit 1
DATA=${DATA:-../shared/data/eval/scifact}
W=bench/eval/work
PY=/usr/bin/python3
EVAL=bench/eval/trec_eval.py
say() { printf '%s\n' "$*" >&2; }
for f in corpus.jsonl queries-train.jsonl qrels-train.tsv; do
    [ -s "$DATA/$f" ] || { say "bench/eval: no $DATA/$f (set DATA)"; exit 2; }
done
mkdir -p "$W"
"$PY" "$EVAL" --self-test >&2 || exit 2
sh bench/search/build.sh || exit 2

"$PY" - "$DATA/queries-train.jsonl" "$W/q.tsv" <<'PY'
import json, re, sys
word = re.compile(r"[^\W_]+")
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in open(sys.argv[1], encoding="utf-8"):
        q = json.loads(line)
        out.write("%s\t%s\n" % (q["_id"], " ".join(w.lower() for w in word.findall(q["text"]))))
PY

RES=$W/results.tsv   # engine  ndcg@10  recall@100  queries  note
: >"$RES"
score() {   # score ENGINE RUN NOTE
    local line err=$W/eval-${1//[^A-Za-z0-9.=-]/_}.err
    line=$("$PY" "$EVAL" "$DATA/qrels-train.tsv" "$2" 2>"$err") || return 1
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" \
        "$(sed -n 's/.*ndcg_cut_10=\([0-9.]*\).*/\1/p' <<<"$line")" \
        "$(sed -n 's/.*recall_100=\([0-9.]*\).*/\1/p' <<<"$line")" \
        "$(sed -n 's/.*queries=\([0-9]*\).*/\1/p' <<<"$line")" "$3 $(cat "$err")" >>"$RES"
}

say "bench/eval: Lucene on SciFact"
rm -rf "$W/idx-lucene"
if java "-Xmx${LUCENE_HEAP:-1g}" -cp "$(cat bench/search/work/bin/lucene.classpath)" LuceneBench \
    --corpus "$DATA/corpus.jsonl" --index "$W/idx-lucene" --queries "$W/q.tsv" --k 100 \
    --passes 1 --warm 0 --run "$W/run-lucene.trec" >"$W/lucene.json" 2>"$W/log-lucene.txt"; then
    score lucene "$W/run-lucene.trec" ""
else
    printf 'lucene\t\t\t\tfailed: %s\n' "$(tail -1 "$W/log-lucene.txt")" >>"$RES"
fi

say "bench/eval: paperboy on SciFact"
if [ -z "${PAPERBOY:-}" ]; then
    PAPERBOY=build/rel/paperboy
    make -j2 --no-print-directory "$PAPERBOY" >&2 || PAPERBOY=
fi
DB=$W/scifact.db
LOG=$W/log-paperboy.txt   # stderr of every paperboy command
TO=${PB_TIMEOUT:-1800}
rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.index"
pb_fail() { printf 'paperboy\t\t\t\tnot available: %s\n' "$*" >>"$RES"; }
# pb_step LABEL OUT CMD...: run one paperboy command (stdout to OUT), its stderr appended to
# LOG; on failure say which command and the first line of what it printed.
pb_step() {
    local label=$1 out=$2 rc; shift 2
    timeout "$TO" "$@" >"$out" 2>"$W/step.err"
    rc=$?
    cat "$W/step.err" >>"$LOG"
    [ $rc -eq 0 ] && return 0
    pb_fail "\`paperboy $label\` failed (exit $rc): $(grep -m1 . "$W/step.err" | cut -c1-160)"
    return 1
}
: >"$LOG"
if [ -z "$PAPERBOY" ] || [ ! -x "$PAPERBOY" ]; then
    pb_fail "no paperboy binary"
elif pb_step "import --format beir" "$W/import.out" \
        "$PAPERBOY" import --quiet --db "$DB" --format beir "$DATA/corpus.jsonl" &&
     pb_step "index rebuild" "$W/index.out" "$PAPERBOY" index rebuild --db "$DB" &&
     pb_step "search --batch" "$W/run-paperboy.raw" \
        "$PAPERBOY" search --db "$DB" -k 100 --batch "$W/q.tsv"; then
    # paperboy names BEIR documents beir:<_id>; the qrels use the bare _id.
    awk '{ sub(/^beir:/, "", $3); print }' "$W/run-paperboy.raw" >"$W/run-paperboy.trec"
    score paperboy "$W/run-paperboy.trec" "" || pb_fail "cannot score its run (see $W/eval-paperboy.err)"
    V=${VARIANTS:-}
    IFS=';' read -r -a VARS <<<"${V//$'\n'/ }"   # a list pasted over several lines is one
    n=0
    for v in "${VARS[@]}"; do
        read -r -a kv <<<"$v"
        [ ${#kv[@]} -gt 0 ] || continue
        n=$((n + 1))
        args=()
        for a in "${kv[@]}"; do args+=(--param "$a"); done
        if timeout "$TO" "$PAPERBOY" search --db "$DB" -k 100 "${args[@]}" --batch "$W/q.tsv" \
            >"$W/run-v$n.raw" 2>"$W/step.err"; then
            awk '{ sub(/^beir:/, "", $3); print }' "$W/run-v$n.raw" >"$W/run-v$n.trec"
            score "paperboy ${kv[*]}" "$W/run-v$n.trec" "" ||
                printf 'paperboy %s\t\t\t\tcannot score its run\n' "${kv[*]}" >>"$RES"
        else
            printf 'paperboy %s\t\t\t\tfailed: %s\n' "${kv[*]}" "$(grep -m1 . "$W/step.err")" >>"$RES"
        fi
    done
fi

REV=$(git rev-parse --short HEAD 2>/dev/null)
VARIANTS=${VARIANTS:-} "$PY" - "$RES" bench/eval/RESULTS.md "$REV" <<'PY'
import os, sys, time
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
L = ["## SciFact train (bench/eval/scifact.sh): %s, tree %s" % (time.strftime("%Y-%m-%d"),
                                                                  sys.argv[3]), "",
     "Command: `%ssh bench/eval/scifact.sh`. 5,183 abstracts, 809 training claims as plain"
     " lower-cased words, qrels-train.tsv; nDCG@10 and recall@100 as BEIR/pytrec_eval define"
     " them (bench/eval/trec_eval.py). Reference (test split, not used here): Anserini BM25 flat"
     " 0.6789, multifield 0.6647; BEIR (Elasticsearch) 0.665." % (
         "VARIANTS='%s' " % os.environ["VARIANTS"] if os.environ.get("VARIANTS") else ""), "",
     "| engine | nDCG@10 | recall@100 | queries scored | note |", "|---|---:|---:|---:|---|"]
ref = next((r for r in rows if r[0] == "lucene" and r[1]), None)
for r in rows:
    note = r[4].strip()
    if ref and r[1] and r[0] != "lucene":
        note = ("nDCG@10 %+.4f vs Lucene. " % (float(r[1]) - float(ref[1])) + note).strip()
    L.append("| %s | %s | %s | %s | %s |" % (r[0], r[1] or "", r[2] or "", r[3] or "", note))
text = "\n".join(L) + "\n"
sys.stdout.write(text)
open(sys.argv[2], "w").write(text)
PY
