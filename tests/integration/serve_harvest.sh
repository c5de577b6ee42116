# paperboy serve runs the configured harvests and looks up submitted papers it does not have,
# against a loopback server with recorded arXiv responses: the harvested papers appear on the
# daily page and in search, and a pending submission is filled, all without a restart.
. "$(dirname "$0")/lib.sh"
FEEDS="$SHARED/feeds"
REC="$FEEDS/arxiv-api-atom/lukasschwab-2026"
[ -d "$REC" ] || { echo "pass serve-harvest-skipped-no-data"; exit 0; }
cat >"$T/routes.json" <<EOF
{"routes": [
 {"path": "/rss/cs.LG", "responses": [{"file": "$FEEDS/arxiv-rss/arxiv_cs_lg.xml"}]},
 {"path": "/api/query", "query": {"id_list": "1707.08567"},
  "responses": [{"file": "$(ls "$REC"/id_1707.08567_*.body.xml | head -1)"}]}
]}
EOF
start_httpd "$T/routes.json"
cat >"$T/pb.conf" <<EOF
[server]
rate-signup = 50
[fetch]
interval = 0.1
backoff = 0.1
retries = 1
api-url = $URL/api/query
rss-url = $URL/rss
[harvest lg]
source = rss
category = cs.LG
at = 00:00
EOF
DB="$T/serve.db"
"$PAPERBOY" import --db "$DB" --quiet "$PB_ROOT/data/sample/2026-06-14.jsonl.gz" >/dev/null 2>&1
export PAPERBOY_NOW=2026-04-27T12:00:00Z
start_serve --db "$DB" --config "$T/pb.conf"
PID=$SERVE_PID
check serve-harvest-started test -n "$SITE"

# wait_for URL TEXT: poll (up to 20 s) until the page has TEXT
wait_for() {
    n=0
    while [ $n -lt 200 ]; do
        curl -s "$SITE$1" | grep -qF -- "$2" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}
# The scheduled RSS harvest ran at start (never ran before: due) and its papers, listed on
# 2026-04-27, are on that day's page and in search.
check serve-harvest-daily-page wait_for "/papers?date=2026-04-27" '/papers/2604.21952"'
check serve-harvest-searchable wait_for "/api/papers/search?q=id:2604.21952" '"2604.21952"'
check serve-harvest-one-request test "$(requests '/rss/cs.LG')" = 1

# A submission of a paper the store lacks is looked up through the API and filled in.
J="$T/jar"
curl -s -c "$J" -b "$J" "$SITE/signup" >"$T/form"
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/form" | head -1)
curl -s -o /dev/null -c "$J" -b "$J" --data "name=sub&password=submit-me-please&csrf=$CSRF" \
    "$SITE/signup"
curl -s -c "$J" -b "$J" "$SITE/submit" >"$T/form"
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/form" | head -1)
curl -s -b "$J" --data "id=arXiv:1707.08567&csrf=$CSRF" "$SITE/submit" >"$T/submit"
check serve-submit-pending grep -q 'pending submission' "$T/submit"
check serve-submit-looked-up wait_for "/api/papers/1707.08567" '"submittedBy":{"name":"sub"}'
check serve-submit-api-request test "$(requests 'id_list=1707.08567')" -ge 1
kill -TERM "$PID"
wait "$PID"
check serve-harvest-stops test $? -eq 0

# SIGTERM while a harvest sits out a long Retry-After (arXiv asks for minutes at times): the
# server stops within a few seconds, and the harvest is left for the next start.
cat >"$T/routes.json" <<EOF2
{"routes": [
 {"path": "/rss/cs.AI", "responses": [{"status": 503, "headers": {"Retry-After": "300"},
  "body": "busy"}]}
]}
EOF2
sed 's/^category = cs.LG$/category = cs.AI/; s/^\[harvest lg\]$/[harvest ai]/' "$T/pb.conf" >"$T/pb2.conf"
: >"$HLOG"
start_serve --db "$DB" --config "$T/pb2.conf"
PID=$SERVE_PID
n=0
while [ "$(requests '/rss/cs.AI')" = 0 ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
check serve-harvest-asked-to-wait test "$(requests '/rss/cs.AI')" = 1
sleep 0.5
kill -TERM "$PID"
n=0
while kill -0 "$PID" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
check serve-stops-during-retry-after sh -c "! kill -0 $PID 2>/dev/null"
kill -9 "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
check serve-harvest-not-retried test "$(requests '/rss/cs.AI')" = 1
check serve-harvest-cancel-not-a-failure test \
    "$(sql "$DB" "SELECT failures, coalesce(attempt_at, '') FROM harvests WHERE key LIKE '%cs.AI'")" = "0|"
