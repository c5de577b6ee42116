# kill -9 in the middle of an import leaves a consistent database, and a rerun finishes the job
# with exactly the papers of an uninterrupted import.
. "$(dirname "$0")/lib.sh"
cd "$PB_ROOT" || exit 1
if [ -d "$SHARED/arxiv/daily-cs" ]; then
    FILES=$(ls "$SHARED"/arxiv/daily-cs/2025-0[4-6]*.jsonl.gz)
else
    FILES=$(ls data/sample/*.jsonl.gz)
fi
# shellcheck disable=SC2086
$PAPERBOY import --db "$T/full.db" --quiet $FILES >"$T/full.out" 2>&1
want=$($PAPERBOY stats --db "$T/full.db" | sed -n 's/^papers: *\([0-9]*\).*/\1/p')
wantdays=$($PAPERBOY stats --db "$T/full.db" | sed -n 's/.*days), \([0-9]*\) paper-day rows/\1/p')
[ -n "$wantdays" ] || wantdays=$($PAPERBOY stats --db "$T/full.db" | sed -n 's/.*, \([0-9]*\) paper-day rows/\1/p')

DB="$T/crash.db"
killed=0
for delay in 0.3 0.6 0.9 1.2 1.5; do
    # shellcheck disable=SC2086
    $PAPERBOY import --db "$DB" --quiet --batch 500 $FILES >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
    wait "$pid" 2>/dev/null
    if ! $PAPERBOY stats --db "$DB" --check 2>&1 | grep -q 'check: *ok'; then
        fail crash-consistent-after-kill "stats --check failed after kill at ${delay}s"
        exit 0
    fi
done
pass crash-consistent-after-kill
check crash-actually-killed test "$killed" -gt 0
# shellcheck disable=SC2086
$PAPERBOY import --db "$DB" --quiet $FILES >"$T/rerun.out" 2>&1
check crash-rerun-succeeds test $? -eq 0
got=$($PAPERBOY stats --db "$DB" | sed -n 's/^papers: *\([0-9]*\).*/\1/p')
gotdays=$($PAPERBOY stats --db "$DB" | sed -n 's/.*, \([0-9]*\) paper-day rows/\1/p')
check crash-rerun-same-papers test "$got" = "$want"
check crash-rerun-same-listing-rows test "$gotdays" = "$(echo "$wantdays" | head -1)"
# the kills may have landed while the import was updating the search index
$PAPERBOY index --db "$DB" check >"$T/icheck.out" 2>&1
check crash-rerun-index-ok grep -q '^ok: ' "$T/icheck.out"
