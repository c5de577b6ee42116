#!/bin/sh
# Tokeniser throughput on real text: the titles and abstracts of the daily listings under
# ../shared/data/arxiv (daily-cs and daily-astro) tokenised in TOKEN_TEXT mode by one thread,
# built with -O2, beside a floor (split + lower-case ASCII only). Prints MB/s of the best run,
# in CPU time of the tokenising thread. The extracted text is kept in build/bench-token/.
#   RUNS=5                      runs (best reported)
#   DATA=../shared/data/arxiv   input root, relative to the repo root
#   CC=cc                       compiler
set -u
cd "$(dirname "$0")/../.." || exit 1
RUNS=${RUNS:-5}
DATA=${DATA:-../shared/data/arxiv}
CC=${CC:-cc}
OUT=build/bench-token
mkdir -p "$OUT"
[ -d "$DATA/daily-cs" ] || { echo "bench/token: no input at '$DATA' (set DATA)" >&2; exit 2; }
if [ ! -s "$OUT/abstracts.bin" ]; then
    python3 bench/token/extract.py "$DATA"/daily-cs/*.jsonl.gz "$DATA"/daily-astro/*.jsonl.gz \
        >"$OUT/abstracts.bin" || exit 2
fi
$CC -std=c11 -D_GNU_SOURCE -O2 -g -o "$OUT/bench_token" bench/token/bench_token.c \
    src/index/token.c src/util/alloc.c src/util/text.c -lstemmer -lutf8proc || exit 2
echo "command: $OUT/bench_token $OUT/abstracts.bin $RUNS   ($CC -O2)"
"$OUT/bench_token" "$OUT/abstracts.bin" "$RUNS"
