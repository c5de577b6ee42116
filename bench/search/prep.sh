#!/bin/bash
# Inputs shared by bench/search/run.sh and scale.sh, made only when missing or out of date, in
# bench/search/work/ (git-ignored):
#   bin/             the peer drivers (bench/search/build.sh)
#   arxiv.db         a paperboy database: everything under $DATA imported by one
#                    `paperboy import --quiet` (the file list of bench/import/run.sh)
#   corpus.jsonl     its papers table as JSON Lines (export_corpus.py): every engine's documents
#   queries.tsv      the query set (gen_queries.py) and known-items.qrels for sanity checks
#   PAPERBOY=path    use this binary instead of building build/rel/paperboy
#   DATA=../shared/data/arxiv   input root, relative to the repo root
#   FRESH=1          remake the database, corpus and queries
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # `sh prep.sh` works too
set -u
cd "$(dirname "$0")/../.." || exit 1
W=bench/search/work
DATA=${DATA:-../shared/data/arxiv}
PY=/usr/bin/python3
say() { printf '%s\n' "$*" >&2; }
mkdir -p "$W"

sh bench/search/build.sh || exit 2
if [ -z "${PAPERBOY:-}" ]; then
    PAPERBOY=build/rel/paperboy
    make -j2 --no-print-directory "$PAPERBOY" >&2 || { say "bench/search: build failed"; exit 2; }
fi
[ -x "$PAPERBOY" ] || { say "bench/search: no paperboy binary at '$PAPERBOY'"; exit 2; }

if [ -n "${FRESH:-}" ]; then
    rm -rf "$W/arxiv.db" "$W/arxiv.db-wal" "$W/arxiv.db-shm" "$W/arxiv.db.index" \
        "$W/corpus.jsonl" "$W/queries.tsv"
fi
if [ ! -s "$W/arxiv.db" ]; then
    [ -d "$DATA/daily-cs" ] || { say "bench/search: no input at '$DATA' (set DATA)"; exit 2; }
    CS=() ASTRO=() ABS=() LISTINGS=()
    mapfile -t CS < <(ls "$DATA"/daily-cs/*.jsonl.gz | LC_ALL=C sort)
    mapfile -t ASTRO < <(ls "$DATA"/daily-astro/*.jsonl.gz | LC_ALL=C sort)
    mapfile -t ABS < <(find -L "$DATA/abs-files/abs_files" -name '*.abs' -type f | LC_ALL=C sort)
    mapfile -t LISTINGS < <(find -L "$DATA/abs-files/abs_files" -path '*/listings/*.gz' -type f |
                            LC_ALL=C sort)
    say "bench/search: importing ${#CS[@]} + ${#ASTRO[@]} + ${#ABS[@]} + ${#LISTINGS[@]} files" \
        "into $W/arxiv.db"
    rm -f "$W/arxiv.db-wal" "$W/arxiv.db-shm"
    "$PAPERBOY" import --quiet --db "$W/arxiv.db.tmp" "${CS[@]}" "${ASTRO[@]}" "${ABS[@]}" \
        "${LISTINGS[@]}" >&2 || { say "bench/search: import failed"; rm -f "$W"/arxiv.db.tmp*; exit 2; }
    rm -f "$W/arxiv.db.tmp-wal" "$W/arxiv.db.tmp-shm"
    mv "$W/arxiv.db.tmp" "$W/arxiv.db"
fi
if [ ! -s "$W/corpus.jsonl" ] || [ "$W/arxiv.db" -nt "$W/corpus.jsonl" ]; then
    "$PY" bench/search/export_corpus.py "$W/arxiv.db" "$W/corpus.jsonl" || exit 2
fi
if [ ! -s "$W/queries.tsv" ] || [ "$W/corpus.jsonl" -nt "$W/queries.tsv" ] ||
   [ bench/search/gen_queries.py -nt "$W/queries.tsv" ]; then
    "$PY" bench/search/gen_queries.py --qrels "$W/known-items.qrels" "$W/corpus.jsonl" \
        "$W/queries.tsv" || exit 2
fi
