#!/bin/sh
# The site against the real server on an ephemeral port: every route, status codes, limits,
# accounts, CSRF, votes and trending, comments, submissions, admin hiding, API tokens, feeds read
# by a real feed parser (python3-feedparser), XSS payloads escaped, graceful stop.
. "$(dirname "$0")/lib.sh"
DB="$T/web.db"
SAMPLE="$PB_ROOT/data/sample"
"$PAPERBOY" import --db "$DB" --quiet "$SAMPLE"/2026-06-1[234].jsonl.gz >"$T/import.out" 2>&1 ||
    fail web-import "$(tail -3 "$T/import.out")"
# A paper whose title, authors and abstract carry markup.
cat >"$T/2026-06-14.jsonl" <<'EOF'
{"id": "2606.99001", "categories": ["cs.CR"], "authors": ["Eve <script>alert(1)</script>"], "title": "Attacks <img src=x onerror=alert(1)> on \"quotes\" & friends", "comment": "", "summary": "xsspayload abstract with <b>bold</b> markup and a 'quote'."}
EOF
"$PAPERBOY" import --db "$DB" --quiet "$T/2026-06-14.jsonl" >/dev/null 2>&1
cat >"$T/pb.conf" <<'EOF'
[server]
threads = 2
rate-login = 6
rate-signup = 50
lookup-submissions = no
EOF
export PAPERBOY_NOW=2026-06-15T12:00:00Z
# Debian's python3 (python3-feedparser), not another one first on PATH.
PY=/usr/bin/python3

start_serve --db "$DB" --config "$T/pb.conf" --access-log "$T/access.log"
URL=$SITE
PID=$SERVE_PID
if [ -z "$URL" ]; then
    fail web-start "server did not start: $(cat "$T/serve.err")"
    exit 0
fi
pass web-start

# status URL [curl args...] -> prints the status code; body in $T/body
status() {
    u=$1; shift
    curl -s -o "$T/body" -w '%{http_code}' "$@" "$URL$u"
}
expect() { # name want-status url [curl args...]
    name=$1; want=$2; shift 2
    got=$(status "$@")
    if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "$1 gave $got, want $want"; fi
}
body_has() { # name text
    if grep -qF -- "$2" "$T/body"; then pass "$1"; else fail "$1" "body lacks '$2'"; fi
}
body_lacks() {
    if grep -qF -- "$2" "$T/body"; then fail "$1" "body has '$2'"; else pass "$1"; fi
}
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1; }

# --- every read-only route ---
expect web-home 200 /
body_has web-home-day "Papers of 2026-06-14"
body_has web-home-card 'class="card"'
# The page cache: an anonymous page is built once and then served from memory.
xcache() { curl -s -o /dev/null -D - "$URL$1" | tr -d '\r' | sed -n 's/^X-Cache: //Ip'; }
xcache /about >/dev/null
check web-cache-hit test "$(xcache /about)" = hit
check web-cache-none-for-static test -z "$(xcache /static/style.css)"
expect web-day 200 "/papers?date=2026-06-12"
body_has web-day-title "Papers of 2026-06-12"
expect web-week 200 "/papers?week=2026-W24"
body_has web-week-nav 'week=2026-W23'
expect web-month 200 "/papers?month=2026-06&sort=new"
expect web-day-bad 400 "/papers?date=2026-13-45"
expect web-trending 200 /trending
body_has web-trending-formula "score = (points + 1) / (age in hours + 2)^1.5"
expect web-trending-month 200 "/trending?window=month"
expect web-trending-bad 400 "/trending?window=decade"
expect web-search 200 "/search?q=reinforcement+learning"
body_has web-search-mark "<mark>"
body_has web-search-count "results"
expect web-search-filter 200 "/search?q=learning&cat=cs.CV&from=2026-06-01&to=2026-06-30"
body_has web-search-filter-cat '<span class="cat">cs.CV</span>'
expect web-search-unbalanced 200 '/search?q=%22unbalanced+quote'
expect web-search-empty 200 "/search"
ID=$(curl -s "$URL/api/daily_papers?date=2026-06-13&limit=1" |
     "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["paper"]["id"])')
expect web-search-jump 302 "/search?q=arXiv:${ID}v2"
expect web-paper 200 "/papers/$ID"
body_has web-paper-bibtex "@misc{"
body_has web-paper-abstract "Abstract"
expect web-paper-bibtex-raw 200 "/papers/$ID/bibtex"
expect web-paper-404 404 "/papers/9999.99999"
expect web-about 200 /about
expect web-stats 200 /stats
body_has web-stats-svg "<svg"
expect web-static-css 200 /static/style.css
expect web-static-js 200 /static/app.js
expect web-opensearch 200 /opensearch.xml
body_has web-opensearch-template "search?q={searchTerms}"
expect web-404 404 /no/such/page
expect web-head 200 / -I

# --- the JSON API ---
expect api-daily 200 "/api/daily_papers?date=2026-06-12&limit=5"
check api-daily-shape "$PY" -c '
import json,sys
items=json.load(open(sys.argv[1]))
assert len(items)==5, len(items)
it=items[0]
for k in ("paper","publishedAt","title","summary","numComments"): assert k in it, k
p=it["paper"]
for k in ("id","title","summary","authors","publishedAt","submittedOnDailyAt","upvotes"): assert k in p, k
assert all("name" in a for a in p["authors"])
' "$T/body"
expect api-daily-sort 200 "/api/daily_papers?week=2026-W24&sort=publishedAt&p=1&limit=3"
expect api-daily-badsort 400 "/api/daily_papers?sort=random"
body_has api-error-json '"error":'
expect api-daily-badlimit 400 "/api/daily_papers?limit=100000"
expect api-paper 200 "/api/papers/$ID"
check api-paper-id "$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["id"]==sys.argv[2]' "$T/body" "$ID"
expect api-paper-404 404 "/api/papers/9999.99999"
expect api-search 200 "/api/papers/search?q=diffusion&limit=3"
check api-search-n "$PY" -c 'import json,sys; assert len(json.load(open(sys.argv[1])))==3' "$T/body"
expect api-search-noq 400 "/api/papers/search"

# --- feeds, read by a real feed parser ---
for f in /feeds/daily.rss /feeds/daily.atom /trending.rss /trending.atom \
         "/search.atom?q=learning" "/search.rss?q=learning" "/feeds/daily.atom?date=2026-06-14"; do
    curl -s -o "$T/feed" "$URL$f"
    check "feed-parses $f" "$PY" -c '
import feedparser,sys
d=feedparser.parse(open(sys.argv[1],"rb").read())
assert not d.bozo, d.get("bozo_exception")
assert len(d.entries)>0, "no entries"
assert d.entries[0].title and d.entries[0].link
' "$T/feed"
done

# --- limits ---
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/big"
expect web-413 413 /login -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary @"$T/big"
LONG=$(head -c 5000 /dev/zero | tr '\0' 'q')
expect web-414 414 "/search?q=$LONG"
set --
i=0
while [ $i -lt 70 ]; do set -- "$@" -H "X-Pad-$i: x"; i=$((i + 1)); done
expect web-431 431 / "$@"
set --
expect web-405 405 / -X PUT
expect web-400-escape 400 "/search?q=%ZZ"
expect web-415 415 /login -X POST -H 'Content-Type: text/plain' --data 'x=1'

# --- accounts ---
J="$T/jar"
status /signup -c "$J" -b "$J" >/dev/null
TOKEN=$(csrf_of)
expect signup-no-csrf 403 /signup -c "$J" -b "$J" --data 'name=alice&password=correct-horse'
expect signup-bad-csrf 403 /signup -c "$J" -b "$J" \
    --data 'name=alice&password=correct-horse&csrf=0000'
expect signup-short-password 400 /signup -c "$J" -b "$J" \
    --data "name=alice&password=short&csrf=$TOKEN"
expect signup-bad-name 400 /signup -c "$J" -b "$J" \
    --data "name=al+ice&password=correct-horse&csrf=$TOKEN"
expect signup 303 /signup -c "$J" -b "$J" --data "name=alice&password=correct-horse&csrf=$TOKEN"
check signup-session grep -q pb_session "$J"
status /signup -c "$T/jar2" -b "$T/jar2" >/dev/null
TOKEN2=$(csrf_of)
expect signup-taken 409 /signup -c "$T/jar2" -b "$T/jar2" \
    --data "name=ALICE&password=correct-horse&csrf=$TOKEN2"
"$PAPERBOY" user list --db "$DB" >"$T/users"
check user-first-is-admin grep -q '^alice *admin' "$T/users"
expect home-logged-in 200 / -b "$J"
body_has home-shows-user '>alice</a>'
CSRF=$(csrf_of)

# --- votes and trending ---
# Vote for the tenth paper on /trending (no paper has votes yet): it must climb.
rank_of() { # position of paper $1 on the page in $T/body (51 = not in the top 50)
    n=$(sed -n 's/.*<h2><a href="\/papers\/\([^"]*\)".*/\1/p' "$T/body" | grep -n -x -F "$1" |
        cut -d: -f1)
    echo "${n:-51}"
}
xcache "/papers?date=2026-06-14" >/dev/null
check cache-before-votes test "$(xcache "/papers?date=2026-06-14")" = hit
status "/trending?window=week" >/dev/null
LOW=$(sed -n 's/.*<h2><a href="\/papers\/\([^"]*\)".*/\1/p' "$T/body" | sed -n 10p)
BEFORE=$(rank_of "$LOW")
expect vote-anon 401 "/papers/$LOW/vote" --data "up=1"
expect vote-no-csrf 403 "/papers/$LOW/vote" -b "$J" --data "up=1"
expect vote 303 "/papers/$LOW/vote" -b "$J" --data "up=1&csrf=$CSRF"
expect vote-json 200 "/papers/$LOW/vote" -b "$J" --data "up=1&csrf=$CSRF&format=json"
check vote-once "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["upvotes"]==1 and not j["changed"], j' "$T/body"
expect vote-unknown 404 "/papers/9999.99999/vote" -b "$J" --data "up=1&csrf=$CSRF"
expect api-paper-votes 200 "/api/papers/$LOW"
check api-paper-votes-1 "$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["upvotes"]==1' "$T/body"
# A second user's vote, through the API with a token.
printf 'another-password\n' | "$PAPERBOY" user add bob --db "$DB" >/dev/null
BOB=$("$PAPERBOY" user token bob --db "$DB")
expect api-vote-token 200 "/api/papers/$LOW/vote" -H "Authorization: Bearer $BOB" --data ""
check api-vote-token-2 "$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["upvotes"]==2' "$T/body"
expect api-vote-badtoken 401 "/api/papers/$LOW/vote" -H "Authorization: Bearer nope" --data ""
expect trending-after-votes 200 "/trending?window=week"
AFTER=$(rank_of "$LOW")
check "trending-rises ($BEFORE -> $AFTER)" test "$AFTER" -lt "$BEFORE"
check home-cache-miss-after-votes test "$(xcache "/papers?date=2026-06-14")" = miss
expect home-cache-fresh 200 "/papers?date=2026-06-14"
check home-cache-shows-vote grep -q "<span class=\"n\">2</span>" "$T/body"

# --- comments, XSS ---
XSS='<script>alert(1)</script> see https://example.org/a?b=1&c=2 "quoted"'
expect comment 303 "/papers/$LOW/comment" -b "$J" --data-urlencode "body=$XSS" \
    --data "csrf=$CSRF"
expect comment-page 200 "/papers/$LOW"
body_has comment-escaped '&lt;script&gt;alert(1)&lt;/script&gt;'
body_lacks comment-no-script '<script>alert(1)'
body_has comment-link '<a rel="nofollow ugc noopener" href="https://example.org/a?b=1&amp;c=2">'
expect comment-empty 400 "/papers/$LOW/comment" -b "$J" --data "body=&csrf=$CSRF"
expect comment-anon 401 "/papers/$LOW/comment" --data "body=hi"
expect xss-search 200 "/search?q=%3Cscript%3Ealert(1)%3C/script%3E"
body_lacks xss-search-escaped '<script>alert(1)'
expect xss-title 200 /papers/2606.99001
body_lacks xss-title-img '<img src=x'
body_has xss-title-escaped 'Attacks &lt;img src=x onerror=alert(1)&gt;'
body_lacks xss-author '<script>alert(1)'

# --- admin hides a comment ---
CID=$(sed -n 's/.*id="c\([0-9]*\)".*/\1/p' "$T/body" | head -1)
status "/papers/$LOW" -b "$J" >/dev/null
CID=$(sed -n 's/.*class="comment" id="c\([0-9]*\)".*/\1/p' "$T/body" | head -1)
expect hide-by-nonadmin 403 /admin/hide -H "Authorization: Bearer $BOB" \
    --data "kind=comment&id=$CID&hidden=1"
expect hide-comment 303 /admin/hide -b "$J" --data "kind=comment&id=$CID&hidden=1&csrf=$CSRF"
expect hidden-comment-gone 200 "/papers/$LOW"
body_lacks hidden-comment-anon 'example.org/a'

# --- submissions ---
expect submit-anon 302 /submit
expect submit-form 200 /submit -b "$J"
expect submit-bad 400 /submit -b "$J" --data "id=not-an-id&csrf=$CSRF"
expect submit-known 303 /submit -b "$J" --data "id=https://arxiv.org/abs/${ID}v1&csrf=$CSRF"
expect submit-pending 200 /submit -b "$J" --data "id=2606.99999&csrf=$CSRF"
body_has submit-pending-note "pending submission"
cat >"$T/2026-06-15.jsonl" <<'EOF'
{"id": "2606.99999", "categories": ["cs.LG"], "authors": ["Ada Lovelace"], "title": "A pending paper arrives", "comment": "", "summary": "Its metadata came after the submission."}
EOF
"$PAPERBOY" import --db "$DB" --quiet --no-index "$T/2026-06-15.jsonl" >/dev/null 2>&1
expect submit-resolved 200 "/api/papers/2606.99999"
check submit-resolved-vote "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["upvotes"]==1 and j["submittedBy"]["name"]=="alice", j' "$T/body"
# imported with --no-index: the server's keeper indexes it within about a second
i=0
while [ $i -lt 100 ]; do
    curl -s "$URL/api/papers/search?q=pending+paper+arrives" | grep -q 2606.99999 && break
    sleep 0.1
    i=$((i + 1))
done
check index-follows-import test $i -lt 100
expect user-page 200 /u/alice
body_has user-page-submitted "A pending paper arrives"

# --- rate limit, logout ---
n=0
code=200
while [ $n -lt 8 ] && [ "$code" != 429 ]; do
    code=$(status /login -c "$T/jar3" -b "$J" --data "name=alice&password=wrong-password&csrf=$CSRF")
    n=$((n + 1))
done
check login-rate-limited test "$code" = 429
expect logout 303 /logout -b "$J" -c "$J" --data "csrf=$CSRF"
expect after-logout 401 "/papers/$LOW/vote" -b "$J" --data "up=1&csrf=$CSRF"

check access-log grep -q '"/trending" 200' "$T/access.log"

# --- graceful stop ---
kill -TERM "$PID"
wait "$PID"
rc=$?
check serve-sigterm test "$rc" = 0
check serve-sigterm-msg grep -q 'SIGTERM, stopping' "$T/serve.err"
