# paperboy fetch api against a loopback server serving arXiv API responses recorded in 2026
# (../shared/data/feeds/arxiv-api-atom/lukasschwab-2026): lookups by id (found, unknown,
# invalid), the HTTP 400 error feed, a paged query; pacing checked on the server log.
. "$(dirname "$0")/lib.sh"
REC="$SHARED/feeds/arxiv-api-atom/lukasschwab-2026"
[ -d "$REC" ] || { echo "pass fetch-api-skipped-no-data"; exit 0; }
body() { ls "$REC"/"$1"_*.body.xml | head -1; }
cat >"$T/routes.json" <<EOF
{"routes": [
 {"path": "/api/query", "query": {"id_list": "0808.05394,1707.08567"},
  "responses": [{"file": "$(body id_0808.05394_1707.08567)"}]},
 {"path": "/api/query", "query": {"id_list": "astro-ph/0601001"},
  "responses": [{"file": "$(body id_astro-ph_0601001)", "gzip": true}]},
 {"path": "/api/query", "query": {"id_list": "2104.12255"},
  "responses": [{"status": 400, "file": "$(body id_abc)"}]},
 {"path": "/api/query", "query": {"search_query": "all:testing", "start": "0", "max_results": "25"},
  "responses": [{"file": "$(body q_testing_s0_m10)"}]},
 {"path": "/api/query", "query": {"search_query": "all:testing", "start": "10", "max_results": "15"},
  "responses": [{"file": "$(body q_testing_s10_m10)"}]},
 {"path": "/api/query", "query": {"search_query": "all:testing", "start": "20", "max_results": "5"},
  "responses": [{"file": "$(body q_testing_s20_m10)"}]}
]}
EOF
printf '[fetch]\ncontact = https://lab.example.org/paperboy\ninterval = 0.2\nbackoff = 0.1\nretries = 1\n' >"$T/pb.conf"
start_httpd "$T/routes.json"
DB="$T/api.db"
api() { $PAPERBOY fetch api --config "$T/pb.conf" --db "$DB" --base-url "$URL/api/query" "$@"; }
papers() { $PAPERBOY stats --db "$DB" | sed -n 's/^papers: *\([0-9]*\).*/\1/p'; }

# lookups: one request for both ids; the one arXiv lacks is named; an invalid id is never sent
api --id 0808.05394 --id arXiv:1707.08567v1 abc >"$T/out1" 2>"$T/err1"
check fetch-api-id-exit-1-when-missing test $? -eq 1
check fetch-api-id-one-request test "$(requests 'id_list=0808.05394%2C1707.08567|id_list=0808.05394,1707.08567')" = 1
check fetch-api-id-unknown-named grep -q '0808.05394: arXiv has no such paper' "$T/err1"
check fetch-api-id-invalid-named grep -q 'abc: not an arXiv id' "$T/err1"
check fetch-api-id-invalid-not-sent test "$(requests 'abc')" = 0
check fetch-api-id-stored test "$(papers)" = 1
$PAPERBOY show --db "$DB" 1707.08567 >"$T/show1" 2>&1
check fetch-api-id-show grep -q '^title:' "$T/show1"
check fetch-api-user-agent-url grep -q 'paperboy/[0-9.]*_(+https://lab.example.org/paperboy)' "$HLOG"
api --id https://arxiv.org/abs/astro-ph/0601001v1 >"$T/out2" 2>"$T/err2"
check fetch-api-id-old-style-exit-0 test $? -eq 0
check fetch-api-id-old-style-stored test "$(papers)" = 2

# the API's HTTP 400 error feed: its message, no retry, nothing stored
api --id 2104.12255 >"$T/out3" 2>"$T/err3"
check fetch-api-400-exit-1 test $? -eq 1
check fetch-api-400-message grep -q 'arXiv API answered with an error: incorrect id format for abc (HTTP 400' "$T/err3"
check fetch-api-400-not-retried test "$(requests 'id_list=2104.12255')" = 1
check fetch-api-400-nothing-stored test "$(papers)" = 2

# a query over three pages, newest first, paced
: >"$HLOG"
api --query 'all:testing' --max 25 >"$T/out4" 2>"$T/err4"
check fetch-api-query-exit-0 test $? -eq 0
check fetch-api-query-three-pages test "$(requests 'search_query=all%3Atesting')" = 3
check fetch-api-query-sorted grep -q 'sortBy=submittedDate&sortOrder=descending' "$HLOG"
check fetch-api-query-summary grep -q "^api 'all:testing': 3 pages, 30 records, 30 new" "$T/out4"
check fetch-api-query-stored test "$(papers)" = 32
check fetch-api-query-paced at_least "$(min_gap)" 0.19
$PAPERBOY stats --db "$DB" --check >"$T/stats" 2>&1
check fetch-api-stats-check grep -q 'check: *ok' "$T/stats"

# usage errors
$PAPERBOY fetch api --db "$DB" >/dev/null 2>"$T/err5"
check fetch-api-needs-id-or-query test $? -eq 2
$PAPERBOY fetch api --db "$DB" --query x --max 0 >/dev/null 2>&1
check fetch-api-max-checked test $? -eq 2
