# paperboy fetch oai against a scripted loopback server serving arXiv's recorded OAI-PMH
# responses (../shared/data/feeds/arxiv-oai-pmh) cut into pages: resumption tokens, the next
# harvest's from, 503 Retry-After, badResumptionToken, noRecordsMatch, malformed XML mid-page,
# a connection cut mid-body, a slow server, deleted records; pacing checked on the server log.
. "$(dirname "$0")/lib.sh"
FEEDS="$SHARED/feeds/arxiv-oai-pmh"
[ -f "$FEEDS/ListRecordsResponse.xml" ] || { echo "pass fetch-oai-skipped-no-data"; exit 0; }
FIX="$PB_ROOT/tests/integration/fixture_httpd.py"
npages=$(python3 "$FIX" split-oai "$FEEDS/ListRecordsResponse.xml" 2 "$T")
check fetch-oai-fixture-pages test "$npages" = 3
# page 2 broken inside its second record (a mismatched tag): its first record is complete
python3 - "$T/page2.xml" "$T/bad2.xml" <<'EOF'
import sys
s = open(sys.argv[1]).read()
i = s.index("</record>") + 1
j = s.index("</record>", i)
open(sys.argv[2], "w").write(s[:j] + "</recrod>" + s[j + 9:])
EOF
cat >"$T/pb.conf" <<EOF
[fetch]
contact = fetch-test@example.org
interval = 0.2
backoff = 0.1
timeout = 20
retries = 2
EOF
# the slow-server cases wait for silence: a short timeout there only (a loaded machine can
# be slower than one second elsewhere)
sed 's/^timeout = .*/timeout = 2/' "$T/pb.conf" >"$T/slow.conf"
PB="$PAPERBOY"
DB="$T/oai.db"
routes() { # writes ROUTES.json from "KEY FILE-or-JSON" lines on stdin
    cat >"$T/routes.in"
    python3 - "$T" >"$T/routes.json.tmp" <<'EOF'
import json, sys
T = sys.argv[1]
routes = []
for line in open(T + "/routes.in").read().split("\n"):
    if not line.strip():
        continue
    key, _, resp = line.partition(" ")
    q = {"verb": "ListRecords"}
    if key.startswith("tok"):
        q["resumptionToken"] = key
    elif key.startswith("from="):
        q["from"] = key[5:]
        q["resumptionToken"] = ""
    elif key == "first":
        q["resumptionToken"] = ""
    rs = json.loads(resp) if resp.startswith("[") else [{"file": resp}]
    for r in rs:
        if "file" in r and not r["file"].startswith("/"):
            r["file"] = T + "/" + r["file"]
    routes.append({"path": "/oai", "query": q, "responses": rs})
print(json.dumps({"routes": routes}))
EOF
    mv "$T/routes.json.tmp" "$T/routes.json"
}
fetch() { $PB fetch oai --config "$T/pb.conf" --db "$DB" --base-url "$URL/oai" "$@"; }
papers() { $PB stats --db "$1" | sed -n 's/^papers: *\([0-9]*\).*/\1/p'; }

# --- three pages, tokens followed to the end, pacing, state, index ---
routes <<EOF
tok1 page2.xml
tok2 page3.xml
from=2014-10-01 [{"status": 503, "headers": {"Retry-After": "1"}, "body": "busy"}, {"file": "page1.xml", "gzip": true}]
from=2026-01-05 $FEEDS/ErrorResponseNoRecordsMatch.xml
EOF
start_httpd "$T/routes.json"
fetch --set cs --from 2014-10-01 >"$T/out1" 2>"$T/err1"
check fetch-oai-pages-exit-0 test $? -eq 0
check fetch-oai-pages-summary grep -q '^oai cs: 3 pages, 6 records, 6 new, 0 updated' "$T/out1"
check fetch-oai-pages-stored test "$(papers "$DB")" = 6
check fetch-oai-requests-follow-tokens test "$(requests 'resumptionToken=tok1') $(requests 'resumptionToken=tok2')" = "1 1"
check fetch-oai-first-request-has-set-and-from grep -q 'verb=ListRecords&metadataPrefix=arXivRaw&set=cs&from=2014-10-01' "$HLOG"
check fetch-oai-503-retried test "$(requests 'from=2014-10-01')" = 2
gap=$(awk 'NR == 2 { print $1 - p } { p = $1 }' "$HLOG")
check fetch-oai-503-retry-after-honoured at_least "$gap" 0.95
check fetch-oai-paced at_least "$(min_gap)" 0.19
check fetch-oai-user-agent-has-contact grep -q 'paperboy/[0-9.]*_(+mailto:fetch-test@example.org)' "$HLOG"
check fetch-oai-state-complete test "$(sql "$DB" "SELECT coalesce(token, 'none'), next_from, failures FROM harvests")" = "none|2026-01-05|0"
$PB show --db "$DB" 0704.0471 >"$T/show" 2>&1
check fetch-oai-show-paper grep -q 'Density dependence of the symmetry energy' "$T/show"
check fetch-oai-provenance-names-endpoint grep -q "$URL/oai?set=cs" "$T/show"
$PB search --db "$DB" symmetry energy >"$T/search" 2>&1
check fetch-oai-searchable-at-once grep -q '0704.0471' "$T/search"
$PB stats --db "$DB" --check >"$T/stats" 2>&1
check fetch-oai-stats-check grep -q 'check: *ok' "$T/stats"

# --- incremental: the next harvest starts from the server's date of the last one ---
: >"$HLOG"
fetch --set cs >"$T/out2" 2>"$T/err2"
check fetch-oai-norecordsmatch-exit-0 test $? -eq 0
check fetch-oai-incremental-from-saved-date grep -q 'set=cs&from=2026-01-05' "$HLOG"
check fetch-oai-norecordsmatch-summary grep -q '^oai cs: 1 pages, 0 records' "$T/out2"
check fetch-oai-norecordsmatch-nothing-lost test "$(papers "$DB")" = 6
check fetch-oai-norecordsmatch-state-ok test "$(sql "$DB" "SELECT coalesce(error, 'none'), next_from FROM harvests")" = "none|2026-01-05"

# --- badResumptionToken: the harvest starts over from its from, nothing lost or doubled ---
DB="$T/bad-token.db"
routes <<EOF
tok1 [{"file": "$FEEDS/ErrorResponseBadResumptionToken.xml"}, {"file": "page2.xml"}]
tok2 page3.xml
first page1.xml
EOF
: >"$HLOG"
fetch --set cs --from 2014-10-01 >"$T/out3" 2>"$T/err3"
check fetch-oai-badtoken-exit-0 test $? -eq 0
check fetch-oai-badtoken-says-so grep -q 'refused the resumption token (badResumptionToken' "$T/err3"
check fetch-oai-badtoken-restarted test "$(requests 'from=2014-10-01')" = 2
check fetch-oai-badtoken-all-stored test "$(papers "$DB")" = 6
check fetch-oai-badtoken-summary grep -q ', 6 new, 2 updated\|, 6 new, 0 updated, 2 unchanged' "$T/out3"
check fetch-oai-badtoken-no-duplicates test "$(sql "$DB" "SELECT count(*) FROM provenance")" = 6

# --- malformed XML mid-page: retried, then the harvest stops at that page and resumes ---
DB="$T/bad-xml.db"
routes <<EOF
tok1 bad2.xml
tok2 page3.xml
first page1.xml
EOF
: >"$HLOG"
fetch --set cs --from 2014-10-01 >"$T/out4" 2>"$T/err4"
check fetch-oai-malformed-exit-1 test $? -eq 1
check fetch-oai-malformed-message grep -q 'cannot parse .*resumptionToken=tok1 (line [0-9]*)' "$T/err4"
check fetch-oai-malformed-retried test "$(requests 'tok1')" = 3
check fetch-oai-malformed-keeps-complete-records test "$(papers "$DB")" = 3
check fetch-oai-malformed-token-saved test "$(sql "$DB" "SELECT token, failures FROM harvests")" = "tok1|1"
$PB fetch status --db "$DB" --config "$T/pb.conf" >"$T/status4"
check fetch-oai-status-shows-progress grep -q "in progress: from 2014-10-01, resumption token 'tok1', at record 2 of 6" "$T/status4"
check fetch-oai-status-shows-error grep -q 'last run failed (1 in a row)' "$T/status4"
routes <<EOF
tok1 page2.xml
tok2 page3.xml
first page1.xml
EOF
: >"$HLOG"
fetch --set cs >"$T/out5" 2>"$T/err5"
check fetch-oai-malformed-rerun-exit-0 test $? -eq 0
check fetch-oai-malformed-rerun-resumes test "$(head -1 "$HLOG" | grep -c 'resumptionToken=tok1')" = 1
check fetch-oai-malformed-rerun-complete test "$(papers "$DB")" = 6
check fetch-oai-malformed-rerun-no-duplicates test "$(sql "$DB" "SELECT count(*) FROM provenance")" = 6
check fetch-oai-malformed-rerun-state test "$(sql "$DB" "SELECT coalesce(token, 'none'), failures, coalesce(error, 'none') FROM harvests")" = "none|0|none"

# --- a connection cut mid-body, then a slow server: both retried ---
DB="$T/cut.db"
routes <<EOF
tok1 [{"file": "page2.xml", "drop": 1500}, {"file": "page2.xml"}]
tok2 [{"file": "page3.xml", "delay": 6}, {"file": "page3.xml"}]
first page1.xml
EOF
: >"$HLOG"
fetch --config "$T/slow.conf" --set cs --from 2014-10-01 >"$T/out6" 2>"$T/err6"
check fetch-oai-cut-and-slow-exit-0 test $? -eq 0
check fetch-oai-cut-retried test "$(requests 'tok1')" = 2
check fetch-oai-slow-retried test "$(requests 'tok2')" = 2
check fetch-oai-slow-says-timeout grep -qi 'timeout\|timed out' "$T/err6"
check fetch-oai-cut-and-slow-stored test "$(papers "$DB")" = 6
check fetch-oai-cut-no-duplicates test "$(sql "$DB" "SELECT count(*) FROM provenance")" = 6

# --- a server that stays slow: the run fails after its retries, quickly, state kept ---
DB="$T/slow.db"
routes <<EOF
tok1 [{"file": "page2.xml", "stall": [200, 8]}]
first page1.xml
EOF
: >"$HLOG"
t0=$(date +%s)
fetch --config "$T/slow.conf" --set cs --from 2014-10-01 >"$T/out7" 2>"$T/err7"
rc=$?
t1=$(date +%s)
check fetch-oai-stays-slow-exit-1 test $rc -eq 1
check fetch-oai-stays-slow-message grep -qi 'timeout\|timed out' "$T/err7"
check fetch-oai-stays-slow-gives-up test "$(requests 'tok1')" = 3
check fetch-oai-stays-slow-bounded test $((t1 - t0)) -le 20
check fetch-oai-stays-slow-state test "$(sql "$DB" "SELECT token FROM harvests")" = tok1

# --- deleted records mark stored papers deleted ---
DB="$T/oai.db"
cat >"$T/deleted.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-01-07T01:00:00Z</responseDate>
<request verb="ListRecords">http://export.arxiv.org/oai2</request>
<ListRecords>
<record><header status="deleted"><identifier>oai:arXiv.org:0704.0471</identifier><datestamp>2026-01-06</datestamp></header></record>
<record><header status="deleted"><identifier>oai:arXiv.org:9999.99999</identifier><datestamp>2026-01-06</datestamp></header></record>
<resumptionToken cursor="0" completeListSize="2"></resumptionToken>
</ListRecords>
</OAI-PMH>
EOF
routes <<EOF
from=2026-01-05 deleted.xml
EOF
fetch --set cs >"$T/out8" 2>"$T/err8"
check fetch-oai-deleted-exit-0 test $? -eq 0
$PB show --db "$DB" 0704.0471 >"$T/show8" 2>&1
check fetch-oai-deleted-marked grep -q '(deleted)' "$T/show8"
check fetch-oai-deleted-count test "$(sql "$DB" "SELECT count(*) FROM papers WHERE is_deleted = 1")" = 1
check fetch-oai-deleted-next-from test "$(sql "$DB" "SELECT next_from FROM harvests")" = 2026-01-07
$PB search --db "$DB" symmetry energy >"$T/search8" 2>&1
check fetch-oai-deleted-gone-from-search test "$(grep -c '0704.0471' "$T/search8")" = 0
