#!/bin/bash
# Search benchmark: the same corpus (every paper of a database made by importing everything
# under ../shared/data/arxiv) and the same query set, indexed and answered by Lucene 8, Xapian,
# SQLite FTS5 and paperboy's own engine, one after the other. Each engine builds its index
# (timed; index size on disk), then answers every query single-threaded and warm: one untimed
# pass, then RUNS timed passes, top 10, OR semantics, BM25 over title + abstract + authors; a
# query's latency is its median over the timed passes, p50/p99 are nearest-rank percentiles of
# those. Prints a Markdown table with ratios vs Lucene and writes it to bench/search/RESULTS.md.
# How the corpus, queries and drivers are made: docs/BENCHMARKS.md, "Search".
#   sh bench/search/run.sh [RUNS]   RUNS timed query passes per engine (default 3, at least 3)
#   ENGINES="lucene xapian fts5 paperboy"   which engines, in this order
#   PAPERBOY=path, DATA=dir, FRESH=1        see bench/search/prep.sh
#   LUCENE_HEAP=2g                          the JVM's -Xmx
#   PB_TIMEOUT=3600                         seconds allowed to each paperboy command
# Peers come from Debian packages: bench/search/deps.sh installs them (as root).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # `sh run.sh` works too
set -u
cd "$(dirname "$0")/../.." || exit 1
RUNS=${1:-${RUNS:-3}}
ENGINES=${ENGINES:-lucene xapian fts5 paperboy}
W=bench/search/work
PY=/usr/bin/python3
TIME=/usr/bin/time
say() { printf '%s\n' "$*" >&2; }
case $RUNS in '' | *[!0-9]*) say "usage: run.sh [RUNS] (a number, at least 3)"; exit 2 ;; esac
[ "$RUNS" -ge 3 ] || { say "bench/search: RUNS must be at least 3"; exit 2; }
for t in "$PY" "$TIME"; do
    [ -x "$t" ] || { say "bench/search: $t is missing (bench/search/deps.sh)"; exit 2; }
done

bash bench/search/prep.sh || exit 2
PAPERBOY=${PAPERBOY:-build/rel/paperboy}
. bench/search/lib.sh

RES=$W/results.jsonl
: >"$RES"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
LOADS=""
N_Q=$(grep -c "$(printf '\t')" "$W/queries.tsv")
say "bench/search: $(wc -l <"$W/corpus.jsonl") documents, $N_Q queries, $RUNS timed passes"
for e in $ENGINES; do
    LOADS="$LOADS $e $(cut -d' ' -f1 /proc/loadavg),"
    say "bench/search: $e (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    case $e in
    lucene | xapian | fts5)
        run_driver "$e" "$W/corpus.jsonl" "$W/idx-$e" "$W/queries.tsv" 10 "$RUNS" "$W" >>"$RES" ;;
    paperboy)
        pb_hook "$W/arxiv.db" "$W/queries.tsv" 10 "$RUNS" "$W" >>"$RES" ;;
    *) say "bench/search: unknown engine '$e'" ;;
    esac
    tail -1 "$RES" >&2
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

REV=$(git rev-parse --short HEAD 2>/dev/null)
git diff --quiet HEAD -- src 2>/dev/null || REV="$REV+uncommitted src changes"
export TITLE="Search (bench/search): $(date -u +%Y-%m-%d), RUNS=$RUNS"
export COMMAND="Command: \`sh bench/search/run.sh $RUNS\` (ENGINES=\"$ENGINES\"). Corpus: \
$(wc -l <"$W/corpus.jsonl") papers ($W/corpus.jsonl, exported from a paperboy database of \
everything under ${DATA:-../shared/data/arxiv}); $N_Q queries ($W/queries.tsv: 1/3 kw, 1/3 topic, \
1/3 title). Each engine: index build (one thread; the build time includes reading and parsing \
the corpus), then one untimed pass and $RUNS timed passes over all queries, top 10, OR, BM25; \
per-query median over the passes, nearest-rank p50/p99. Peak RSS is that of the whole driver \
process (build + queries; for paperboy the larger of \`index rebuild\` and \`search --batch\`)."
export MACHINE="Machine: $(machine_note); load average $LOAD0 before, $LOAD1 after; at each \
engine's start:${LOADS%,}. Tree $REV."
"$PY" bench/search/report.py table "$W" "$RES" bench/search/RESULTS.md
