#!/bin/sh
# make bench: run every side-by-side benchmark in bench/*/run.sh, one after the other.
# Each prints its own report; see docs/BENCHMARKS.md for what they measure and recent figures.
cd "$(dirname "$0")/.." || exit 1
rc=0
for b in bench/*/run.sh; do
    echo "== $b" >&2
    bash "$b" || rc=1
done
exit $rc
