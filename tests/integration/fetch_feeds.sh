# paperboy fetch rss / hf / due / status against a loopback server serving recorded arXiv RSS
# feeds and Hugging Face daily papers: listing days, upvotes and provenance, the schedule of
# configured harvests (due times, catch-up after downtime, waiting after a failure), and
# configuration errors.
. "$(dirname "$0")/lib.sh"
FEEDS="$SHARED/feeds"
[ -d "$FEEDS/arxiv-rss" ] || { echo "pass fetch-feeds-skipped-no-data"; exit 0; }
write_routes() { # RSS-STATUS
    cat >"$T/routes.tmp" <<EOF
{"routes": [
 {"path": "/rss/cs.AI", "responses": [{"status": $1, "file": "$FEEDS/arxiv-rss/arxiv_cs_ai.xml"}]},
 {"path": "/rss/cs.CL", "responses": [{"file": "$FEEDS/arxiv-rss/arxiv_cs_cl.xml"}]},
 {"path": "/api/daily_papers", "query": {"date": "2026-06-12"},
  "responses": [{"file": "$FEEDS/hf-daily-papers/hf_daily_papers.json", "gzip": true,
                 "content_type": "application/json"}]},
 {"path": "/api/daily_papers", "query": {"date": "*"},
  "responses": [{"body": "[]", "content_type": "application/json"}]}
]}
EOF
    mv "$T/routes.tmp" "$T/routes.json"
}
write_routes 200
start_httpd "$T/routes.json"
cat >"$T/pb.conf" <<EOF
[fetch]
contact = feeds-test@example.org
interval = 0.1
backoff = 0.1
retries = 1
rss-url = $URL/rss
hf-url = $URL/api/daily_papers

[harvest hf]
source = hf
catch-up-days = 2

[harvest ai]
source = rss
category = cs.AI
at = 01:00
EOF
DB="$T/feeds.db"
F="$PAPERBOY fetch"
stat_of() { $PAPERBOY stats --db "$DB" | sed -n "s/^$1: *\([0-9]*\).*/\1/p"; }

# --- RSS: two categories, listing days ---
$F rss --config "$T/pb.conf" --db "$DB" cs.AI cs.CL >"$T/out1" 2>"$T/err1"
check fetch-rss-exit-0 test $? -eq 0
check fetch-rss-two-feeds test "$(grep -c "^rss cs" "$T/out1")" = 2
check fetch-rss-stored test "$(stat_of papers)" = 6
check fetch-rss-listing-day test "$(sql "$DB" "SELECT group_concat(DISTINCT day) FROM listings")" = 2026-04-27
$PAPERBOY list --db "$DB" --date 2026-04-27 >"$T/list1" 2>&1
check fetch-rss-on-daily-page grep -q '2604.21935' "$T/list1"

# --- HF: upvotes merged, provenance names the day ---
$F hf --config "$T/pb.conf" --db "$DB" --date 2026-06-12 >"$T/out2" 2>"$T/err2"
check fetch-hf-exit-0 test $? -eq 0
check fetch-hf-summary grep -q '^hf 2026-06-12: 1 pages, 30 records' "$T/out2"
check fetch-hf-upvotes test "$(sql "$DB" "SELECT count(*) FROM papers WHERE upvotes IS NOT NULL")" = 30
check fetch-hf-featured-day test "$(sql "$DB" "SELECT DISTINCT featured_day FROM papers WHERE upvotes IS NOT NULL")" = 2026-06-12
check fetch-hf-provenance test "$(sql "$DB" "SELECT format || ' ' || path FROM sources WHERE format = 'hf'")" = "hf $URL/api/daily_papers?date=2026-06-12"

# --- the schedule: due, not due, catch-up after downtime ---
DB="$T/due.db"
: >"$HLOG"
$F due --config "$T/pb.conf" --db "$DB" --now 2026-06-13T03:00:00Z >"$T/out3" 2>"$T/err3"
check fetch-due-exit-0 test $? -eq 0
check fetch-due-hf-catches-up test "$(requests 'date=2026-06-1[23]')" = 2
check fetch-due-rss-ran test "$(requests '/rss/cs.AI')" = 1
check fetch-due-stored test "$(stat_of papers)" = 33
: >"$HLOG"
$F due --config "$T/pb.conf" --db "$DB" --now 2026-06-13T04:00:00Z >"$T/out4" 2>"$T/err4"
check fetch-due-nothing-due-exit-0 test $? -eq 0
check fetch-due-nothing-due-no-request test "$(wc -l <"$HLOG")" -eq 0
$F status --config "$T/pb.conf" --db "$DB" --now 2026-06-13T04:00:00Z >"$T/status4"
check fetch-status-next-due grep -q 'next due: 2026-06-14T01:00:00Z' "$T/status4"
check fetch-status-lists-harvests grep -q "^rss $URL/rss/cs.AI" "$T/status4"
$F due --config "$T/pb.conf" --db "$DB" --now 2026-06-20T05:00:00Z >"$T/out5" 2>"$T/err5"
check fetch-due-after-downtime-exit-0 test $? -eq 0
check fetch-due-after-downtime-hf-days test "$(requests 'date=2026-06-(19|20)') $(requests 'date=2026-06-1[4-8]')" = "2 0"
check fetch-due-after-downtime-rss-once test "$(requests '/rss/cs.AI')" = 1

# --- a failing harvest waits before trying again, unless a new slot comes ---
write_routes 500
: >"$HLOG"
$F due --config "$T/pb.conf" --db "$DB" --now 2026-06-21T02:30:00Z >"$T/out6" 2>"$T/err6"
check fetch-due-failure-exit-1 test $? -eq 1
check fetch-due-failure-retried-once test "$(requests '/rss/cs.AI')" = 2
check fetch-due-failure-message grep -q 'harvest ai failed: rss cs.AI: 127.0.0.1 answered HTTP 500 (2 attempts)' "$T/err6"
check fetch-due-failure-others-ran test "$(requests 'daily_papers')" -ge 1
: >"$HLOG"
$F due --config "$T/pb.conf" --db "$DB" --now 2026-06-21T02:40:00Z >/dev/null 2>&1
check fetch-due-failure-waits test "$(requests '/rss/cs.AI')" = 0
write_routes 200
$F due --config "$T/pb.conf" --db "$DB" --now 2026-06-21T02:46:00Z >/dev/null 2>"$T/err7"
check fetch-due-failure-tries-again test "$(requests '/rss/cs.AI')" = 1
check fetch-due-failure-cleared test "$(sql "$DB" "SELECT failures || coalesce(error, '') FROM harvests WHERE source = 'rss'")" = 0

# --- configuration errors name the file and line ---
printf '[fetch]\narxiv-interval = 1\n' >"$T/bad1.conf"
$F rss --config "$T/bad1.conf" --db "$DB" cs.AI >/dev/null 2>"$T/cerr1"
check fetch-config-arxiv-interval-refused test $? -eq 2
check fetch-config-arxiv-interval-message grep -q 'bad1.conf:2: arxiv-interval in \[fetch\] is 1; it can be 3 s at least' "$T/cerr1"
printf '[fetch]\ninterval = soon\n' >"$T/bad2.conf"
$F rss --config "$T/bad2.conf" --db "$DB" cs.AI >/dev/null 2>"$T/cerr2"
check fetch-config-duration-refused grep -q "bad2.conf:2: interval in \[fetch\] must be a duration" "$T/cerr2"
printf '[harvest x]\nsource = rss\ncategory = cs.AI\nset = cs\n' >"$T/bad3.conf"
$F due --config "$T/bad3.conf" --db "$DB" >/dev/null 2>"$T/cerr3"
check fetch-config-key-of-other-source test $? -eq 2
check fetch-config-key-of-other-source-message grep -q 'bad3.conf:4: set in \[harvest x\] does not apply to source = rss' "$T/cerr3"
printf '[harvest x]\nsource = oai\nevry = 1d\n' >"$T/bad4.conf"
$F due --config "$T/bad4.conf" --db "$DB" >/dev/null 2>"$T/cerr4"
check fetch-config-unknown-key grep -q "bad4.conf:3: unknown key 'evry'" "$T/cerr4"
