#!/bin/sh
# Build the peer drivers of bench/search into bench/search/work/bin (only what is out of date):
# LuceneBench.class (javac against Debian's Lucene 8 jars), xapian_bench (g++, libxapian) and
# fts5_bench (cc, libsqlite3). Both C drivers read JSON with jansson, like paperboy.
# Prints nothing on success; the missing package on failure (bench/search/deps.sh installs them).
set -eu
cd "$(dirname "$0")"
BIN=work/bin
mkdir -p "$BIN"
CORE=$(ls /usr/share/java/lucene-core-8*.jar 2>/dev/null | head -1)
ANALYZERS=$(ls /usr/share/java/lucene-analyzers-common-8*.jar 2>/dev/null | head -1)
if [ -z "$CORE" ] || [ -z "$ANALYZERS" ]; then
    echo "bench/search: Lucene 8 jars not found in /usr/share/java (run bench/search/deps.sh)" >&2
    exit 2
fi
LUCENE_CP=$CORE:$ANALYZERS:
echo "$LUCENE_CP$(pwd)/$BIN" >"$BIN/lucene.classpath"
newer() { [ ! -e "$1" ] || [ -n "$(find "$2" -newer "$1" 2>/dev/null)" ]; }
if newer "$BIN/LuceneBench.class" LuceneBench.java; then
    javac -nowarn -cp "$LUCENE_CP" -d "$BIN" LuceneBench.java
fi
if newer "$BIN/xapian_bench" xapian_bench.cc; then
    command -v xapian-config >/dev/null ||
        { echo "bench/search: xapian-config not found (run bench/search/deps.sh)" >&2; exit 2; }
    g++ -O2 -std=c++17 -Wall -o "$BIN/xapian_bench" xapian_bench.cc \
        $(xapian-config --cxxflags) $(xapian-config --libs) -ljansson
fi
if newer "$BIN/fts5_bench" fts5_bench.c; then
    cc -O2 -std=c11 -Wall -Wextra -o "$BIN/fts5_bench" fts5_bench.c -lsqlite3 -ljansson -lm
fi
