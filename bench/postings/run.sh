#!/bin/sh
# Postings encoding measurement on a real segment (docs/BENCHMARKS.md, "Postings encoding").
# usage: sh bench/postings/run.sh DB   (a database whose index exists: DB.index/*.seg)
set -eu
cd "$(dirname "$0")/../.."
DB=${1:?usage: bench/postings/run.sh DB}
make -s build/rel/paperboy
mkdir -p build/bench
cc -std=c11 -D_GNU_SOURCE -O2 -o build/bench/postings_bench bench/postings/postings_bench.c \
    $(ls build/rel/src/*/*.o | grep -v 'src/main.o') -lsqlite3 -lexpat -ljansson -lz -lstemmer \
    -lutf8proc -lsodium -lmicrohttpd -lcurl -lm -lpthread
build/rel/paperboy index --db "$DB" optimize
for seg in "$DB".index/*.seg; do build/bench/postings_bench "$seg"; done
