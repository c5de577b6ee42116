# kill -9 during an OAI-PMH harvest, then a rerun: it resumes from the saved resumption token
# and ends with exactly the papers of an uninterrupted harvest, none lost, none twice, and a
# consistent database and search index.
. "$(dirname "$0")/lib.sh"
FEEDS="$SHARED/feeds/arxiv-oai-pmh"
[ -f "$FEEDS/ListRecordsResponse.xml" ] || { echo "pass fetch-crash-skipped-no-data"; exit 0; }
python3 "$PB_ROOT/tests/integration/fixture_httpd.py" split-oai "$FEEDS/ListRecordsResponse.xml" 1 "$T" >/dev/null
write_routes() { # DELAY-OF-PAGE-3 DELAY-OF-EVERY-PAGE
    cat >"$T/routes.tmp" <<EOF
{"routes": [
 {"path": "/oai", "query": {"resumptionToken": ""}, "responses": [{"file": "$T/page1.xml", "delay": $2}]},
 {"path": "/oai", "query": {"resumptionToken": "tok1"}, "responses": [{"file": "$T/page2.xml", "delay": $2}]},
 {"path": "/oai", "query": {"resumptionToken": "tok2"}, "responses": [{"file": "$T/page3.xml", "delay": $1}]},
 {"path": "/oai", "query": {"resumptionToken": "tok3"}, "responses": [{"file": "$T/page4.xml", "delay": $2}]},
 {"path": "/oai", "query": {"resumptionToken": "tok4"}, "responses": [{"file": "$T/page5.xml", "delay": $2}]},
 {"path": "/oai", "query": {"resumptionToken": "tok5"}, "responses": [{"file": "$T/page6.xml", "delay": $2}]}
]}
EOF
    mv "$T/routes.tmp" "$T/routes.json"
}
write_routes 30 0
start_httpd "$T/routes.json"
printf '[fetch]\ninterval = 0.05\nbackoff = 0.1\n' >"$T/pb.conf"
DB="$T/crash.db"
fetch() { $PAPERBOY fetch oai --config "$T/pb.conf" --db "$DB" --base-url "$URL/oai" --set cs "$@"; }
# In the background: exec, so that $! is paperboy itself and kill -9 reaches it (a function run
# with & is a subshell, and killing the subshell would leave paperboy running).
fetch_bg() { exec $PAPERBOY fetch oai --config "$T/pb.conf" --db "$DB" --base-url "$URL/oai" --set cs "$@"; }
alive() { kill -0 "$1" 2>/dev/null; }

# killed while waiting for page 3
fetch_bg --from 2014-10-01 >"$T/out1" 2>&1 &
pid=$!
n=0
while [ "$(requests tok2)" = 0 ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
sleep 0.2
check fetch-crash-still-running-before-kill alive $pid
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check fetch-crash-process-gone sh -c "! kill -0 $pid 2>/dev/null"
check fetch-crash-killed-mid-harvest test "$(requests tok2)" = 1
$PAPERBOY stats --db "$DB" --check >"$T/stats1" 2>&1
check fetch-crash-consistent-after-kill grep -q 'check: *ok' "$T/stats1"
check fetch-crash-pages-before-kept test "$(sql "$DB" "SELECT count(*) FROM papers")" = 2
check fetch-crash-token-saved test "$(sql "$DB" "SELECT token, from_day FROM harvests")" = "tok2|2014-10-01"

write_routes 0 0
: >"$HLOG"
fetch >"$T/out2" 2>"$T/err2"
check fetch-crash-rerun-exit-0 test $? -eq 0
check fetch-crash-rerun-resumes-at-token test "$(head -1 "$HLOG" | grep -c 'resumptionToken=tok2')" = 1
check fetch-crash-rerun-no-restart test "$(requests 'metadataPrefix')" = 0
check fetch-crash-rerun-says-resuming grep -q 'resuming the harvest from 2014-10-01 at record 2' "$T/err2"
check fetch-crash-all-papers test "$(sql "$DB" "SELECT count(*) FROM papers")" = 6
check fetch-crash-no-duplicates test "$(sql "$DB" "SELECT count(*) FROM provenance")" = 6
check fetch-crash-state-done test "$(sql "$DB" "SELECT coalesce(token, 'none'), next_from FROM harvests")" = "none|2026-01-05"
$PAPERBOY index --db "$DB" check >"$T/icheck" 2>&1
check fetch-crash-index-ok grep -q '^ok: ' "$T/icheck"

# kills at arbitrary moments (every page a little slow), then one rerun
DB="$T/random.db"
write_routes 0.15 0.15
for delay in 0.2 0.5 0.8 1.1; do
    fetch_bg --from 2014-10-01 >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    if ! $PAPERBOY stats --db "$DB" --check 2>&1 | grep -q 'check: *ok'; then
        fail fetch-crash-random-consistent "stats --check failed after a kill at ${delay}s"
    fi
done
fetch >/dev/null 2>&1
check fetch-crash-random-rerun-exit-0 test $? -eq 0
check fetch-crash-random-all-papers test "$(sql "$DB" "SELECT count(*) FROM papers")" = 6
check fetch-crash-random-no-duplicates test "$(sql "$DB" "SELECT count(*) FROM provenance")" = 6
$PAPERBOY stats --db "$DB" --check >"$T/stats3" 2>&1
check fetch-crash-random-consistent grep -q 'check: *ok' "$T/stats3"
