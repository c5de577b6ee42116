#!/bin/bash
# Scale test: about as many documents as the whole arXiv (N=2,700,000), synthesised from the
# real corpus by bench/search/gen_scale.py (real titles and authors, new ids 9000.00001..., and
# abstracts of shuffled real abstract sentences), written as Kaggle arxiv-metadata-snapshot JSON
# Lines. Lucene indexes that file directly; paperboy imports it (`paperboy import --format
# kaggle`, timed but reported apart) and then goes through the same hook as bench/search/run.sh
# (`paperboy index rebuild`, `paperboy search --batch`). Both answer the usual query set
# (bench/search/work/queries.tsv) with RUNS timed passes, top 10, OR, BM25. Reports build time,
# docs/s, index size, p50/p99 and peak RSS (GNU time's maximum resident set size) in
# bench/search/RESULTS-scale.md. Work files in bench/search/work/scale/ (the generated file,
# about 4 GB, is kept for the next run; indexes and databases are removed unless KEEP=1).
#   sh bench/search/scale.sh [RUNS]   RUNS timed query passes (default 3)
#   N=2700000   ENGINES="lucene paperboy"   LUCENE_HEAP=2g   PAPERBOY=path   PB_TIMEOUT=7200
# Takes about half an hour for Lucene alone on this machine when it is quiet.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # `sh scale.sh` works too
set -u
cd "$(dirname "$0")/../.." || exit 1
RUNS=${1:-${RUNS:-3}}
N=${N:-2700000}
ENGINES=${ENGINES:-lucene paperboy}
W=bench/search/work
S=$W/scale
PY=/usr/bin/python3
TIME=/usr/bin/time
say() { printf '%s\n' "$*" >&2; }
case $RUNS in '' | *[!0-9]*) say "usage: scale.sh [RUNS] (a number, at least 3)"; exit 2 ;; esac
[ "$RUNS" -ge 3 ] || { say "bench/search: RUNS must be at least 3"; exit 2; }

bash bench/search/prep.sh || exit 2
PAPERBOY=${PAPERBOY:-build/rel/paperboy}
. bench/search/lib.sh
mkdir -p "$S"
IN=$S/kaggle-$N.json
if [ ! -s "$IN" ] || [ "$W/corpus.jsonl" -nt "$IN" ] || [ bench/search/gen_scale.py -nt "$IN" ]; then
    say "bench/search: generating $N documents into $IN"
    "$PY" bench/search/gen_scale.py --n "$N" "$W/corpus.jsonl" "$IN" || exit 2
fi
cat "$IN" >/dev/null   # the page cache holds it for every engine alike (24 GiB RAM here)

RES=$S/results.jsonl
: >"$RES"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
LOADS=""
for e in $ENGINES; do
    LOADS="$LOADS $e $(cut -d' ' -f1 /proc/loadavg),"
    say "bench/search: scale: $e (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    case $e in
    lucene)
        run_driver lucene "$IN" "$S/idx-lucene" "$W/queries.tsv" 10 "$RUNS" "$S" >>"$RES"
        [ -n "${KEEP:-}" ] || rm -rf "$S/idx-lucene" ;;
    paperboy)
        # Probe the engine on a 100-paper database first: importing N papers takes minutes.
        DB=$S/scale.db
        rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.index" "$S/probe.db"*
        head -100 "$IN" >"$S/probe.json"
        if ! "$PAPERBOY" import --quiet --db "$S/probe.db" --format kaggle "$S/probe.json" \
                >/dev/null 2>"$S/probe.err" ||
           ! "$PAPERBOY" index rebuild --db "$S/probe.db" >/dev/null 2>>"$S/probe.err"; then
            unavailable paperboy "\`paperboy index rebuild\` failed on a 100-paper probe:" \
                "$(grep -m1 . "$S/probe.err" | cut -c1-160)" >>"$RES"
        else
            "$TIME" -f '%e %M' -o "$S/time-import.txt" "$PAPERBOY" import --quiet --db "$DB" \
                --format kaggle "$IN" >"$S/import.out" 2>"$S/import.err"
            imp="import --format kaggle: $(awk '{ printf "%.0f s, peak RSS %.0f MiB", $1,
                $2 / 1024 }' "$S/time-import.txt") ($(grep -E '^[0-9]+ read' "$S/import.out"))"
            j=$(pb_hook "$DB" "$W/queries.tsv" 10 "$RUNS" "$S")
            with_fields "$j" "extra=$imp" >>"$RES"
        fi
        rm -rf "$S/probe.db"* "$S/probe.json"
        [ -n "${KEEP:-}" ] || rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.index" ;;
    *) say "bench/search: scale: engine '$e' is not run at scale (lucene, paperboy)" ;;
    esac
    tail -1 "$RES" >&2
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

REV=$(git rev-parse --short HEAD 2>/dev/null)
export TITLE="Scale (bench/search/scale.sh): $(date -u +%Y-%m-%d), N=$N, RUNS=$RUNS"
export COMMAND="Command: \`sh bench/search/scale.sh $RUNS\` (N=$N, ENGINES=\"$ENGINES\",\
 LUCENE_HEAP=${LUCENE_HEAP:-2g}). Input: $IN ($(tree_bytes "$IN" |
 awk '{ printf "%.1f GiB", $1 / 2^30 }'), Kaggle JSON Lines made by gen_scale.py); queries:\
 $W/queries.tsv. Build time includes reading and parsing the input for Lucene, but not\
 paperboy's import (reported apart): paperboy's build is \`index rebuild\` from its database."
export MACHINE="Machine: $(machine_note); load average $LOAD0 before, $LOAD1 after; at each\
 engine's start:${LOADS%,}. Tree $REV."
"$PY" bench/search/report.py table "$S" "$RES" bench/search/RESULTS-scale.md
