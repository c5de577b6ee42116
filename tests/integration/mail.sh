#!/bin/sh
# Mail against a real SMTP server on loopback (tests/integration/helpers/smtp_sink.py, Debian's
# python3-aiosmtpd) and the real site: double opt-in through the site, messages parsed with
# Python's email package, links that work against the running server, one-click unsubscribe
# with one POST, saved-search alerts with only new papers, password reset, exactly-once per
# period (a rerun, and kill -9 at the worst moments then a rerun), 4xx retried with backoff,
# 5xx failed and repeated bounces pausing the subscription, empty digests not sent, bad
# addresses and header injection refused. The clock is PAPERBOY_NOW, never sleep.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
H="$PB_ROOT/tests/integration/helpers"
SAMPLE="$PB_ROOT/data/sample"
if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
    fail mail-deps "python3-aiosmtpd is not installed (scripts/deps.sh)"
    exit 0
fi
SINK_PID=""
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null
    [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
    wait 2>/dev/null
    [ -n "$MAIL_KEEP" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT

start_sink() { # DIR [args...]
    d=$1; shift
    mkdir -p "$d"
    $PY "$H/smtp_sink.py" "$d" "$@" >"$d.out" 2>&1 &
    SINK_PID=$!
    i=0
    while [ $i -lt 200 ] && [ ! -f "$d/port" ]; do sleep 0.05; i=$((i + 1)); done
    SMTP="smtp://127.0.0.1:$(cat "$d/port")"
}
n_msgs() { ls "$1" 2>/dev/null | grep -c '^msg-.*\.eml$'; }
wait_msgs() { # DIR N: wait until DIR holds N messages (the server delivers within ~1 s)
    i=0
    while [ $i -lt 200 ] && [ "$(n_msgs "$1")" -lt "$2" ]; do sleep 0.05; i=$((i + 1)); done
}
day_file() { # DAY N-PAPERS: a daily listing file of synthetic papers, new ids
    f="$T/$1.jsonl"
    : >"$f"
    k=1
    while [ "$k" -le "$2" ]; do
        id="2606.9$(echo "$1" | tr -d -- - | cut -c7-8)$k"
        printf '{"id": "%s", "categories": ["cs.LG"], "authors": ["Ann Author", "Bo Écrivain"], "title": "Synthetic paper %s on day %s", "summary": "A plain abstract about nothing in particular, number %s."}\n' \
            "$id" "$k" "$1" "$k" >>"$f"
        k=$((k + 1))
    done
    echo "$f"
}
count_of() { # DIR ADDRESS
    $PY "$H/mailtool.py" count "$1" | awk -v a="$2" '$1 == a {print $2}' | grep . || echo 0
}

# ---------- A: the site ----------
DB="$T/site.db"
"$PAPERBOY" import --db "$DB" --quiet "$SAMPLE"/2026-06-1[23].jsonl.gz >/dev/null 2>&1 ||
    fail mail-import "import failed"
start_sink "$T/sinkA"
cat >"$T/a.conf" <<EOF
[server]
threads = 2
site-name = Lab Feed ✓
[mail]
smtp = $SMTP
from = digest@lab.example.org
from-name = Lab Feed ✓
send-time = 23:59
EOF
export PAPERBOY_NOW=2026-06-14T08:00:00Z
start_server() {
    "$PAPERBOY" serve --db "$DB" --config "$1" --listen 127.0.0.1:0 >"$T/serve.out" \
        2>"$T/serve.err" &
    PID=$!
    i=0
    while [ $i -lt 200 ] && ! grep -q '^listening on ' "$T/serve.out" 2>/dev/null; do
        sleep 0.05
        i=$((i + 1))
    done
    URL=$(sed -n 's/^listening on //p' "$T/serve.out")
}
stop_server() {
    kill "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=""
}
start_server "$T/a.conf"
if [ -z "$URL" ]; then
    fail mail-start "server did not start: $(cat "$T/serve.err")"
    exit 0
fi
pass mail-start
JAR="$T/jar"
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1; }
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }

got=$(code -c "$JAR" -b "$JAR" "$URL/subscribe")
check mail-subscribe-form test "$got" = 200
CSRF=$(csrf_of)
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode \
    "email=ada@example.org" -d what=trending -d every=daily "$URL/subscribe")
if [ "$got" = 200 ] && grep -q 'Check your inbox' "$T/body"; then pass mail-subscribe-post
else fail mail-subscribe-post "status $got"; fi
# header injection and bad addresses through the site
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode \
    "email=$(printf 'eve@example.org\r\nBcc: all@example.org')" -d what=trending "$URL/subscribe")
if [ "$got" = 400 ] && grep -q 'line break' "$T/body"; then pass mail-site-inject-address
else fail mail-site-inject-address "status $got"; fi
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" -d email=eve@example.org \
    -d what=search --data-urlencode "q=$(printf 'gauss\r\nBcc: all@example.org')" "$URL/subscribe")
if [ "$got" = 400 ] && grep -q 'line break' "$T/body"; then pass mail-site-inject-query
else fail mail-site-inject-query "status $got"; fi
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" -d email=not-an-address \
    -d what=trending "$URL/subscribe")
if [ "$got" = 400 ] && grep -q "has no" "$T/body"; then pass mail-site-bad-address
else fail mail-site-bad-address "status $got"; fi
got=$(code -d email=eve@example.org -d what=trending "$URL/subscribe")
check mail-subscribe-csrf test "$got" = 403

wait_msgs "$T/sinkA" 1
link=$($PY "$H/mailtool.py" link "$T/sinkA" ada@example.org /mail/confirm)
check mail-optin-arrives test -n "$link"
# opt-in is required: no digest before the link is followed
"$PAPERBOY" digest --db "$DB" --config "$T/a.conf" --base-url "$URL" >"$T/d0.out" 2>&1
check mail-optin-required grep -q '^0 due, 0 queued' "$T/d0.out"
got=$(code "$link")
if [ "$got" = 200 ] && grep -q 'Confirm this subscription' "$T/body"; then
    pass mail-confirm-get
else fail mail-confirm-get "status $got"; fi
got=$(code "$(echo "$link" | sed 's/t=[0-9a-f]*/t=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/')")
check mail-confirm-bad-token test "$got" = 403
got=$(code -X POST "$link")
if [ "$got" = 200 ] && grep -q 'Confirmed' "$T/body"; then pass mail-confirm-post
else fail mail-confirm-post "status $got"; fi
"$PAPERBOY" sub list --db "$DB" >"$T/subs.out"
check mail-confirm-active grep -q 'ada@example.org .* active' "$T/subs.out"

# the digest: composed by the command, delivered by the server (or the command)
"$PAPERBOY" digest --db "$DB" --config "$T/a.conf" --base-url "$URL" --send >"$T/d1.out" 2>&1
check mail-digest-queued grep -q '^1 due, 1 queued' "$T/d1.out"
wait_msgs "$T/sinkA" 2
res=$($PY "$H/mailtool.py" check "$T/sinkA" ada@example.org)
case "$res" in
"ok Trending on Lab Feed ✓, 14 Jun 2026: "*) pass mail-digest-mime ;;
*) fail mail-digest-mime "$res" ;;
esac
$PY "$H/mailtool.py" text "$T/sinkA" ada@example.org >"$T/ada.txt"
check mail-digest-paper-links grep -q "$URL/papers/" "$T/ada.txt"
check mail-digest-arxiv-links grep -q 'https://arxiv.org/abs/' "$T/ada.txt"
check mail-digest-why grep -q 'listed 2026-06-1' "$T/ada.txt"
paper=$(grep -o "$URL/papers/[^ ]*" "$T/ada.txt" | head -1)
got=$(code "$paper")
check mail-digest-link-works test "$got" = 200 || echo "$paper" >&2
# a second run in the same period sends nothing
"$PAPERBOY" digest --db "$DB" --config "$T/a.conf" --base-url "$URL" --send >"$T/d2.out" 2>&1
sleep 0.3
if grep -q '^0 due, 0 queued' "$T/d2.out" && [ "$(count_of "$T/sinkA" ada@example.org)" = 2 ]
then pass mail-digest-once-per-period
else fail mail-digest-once-per-period "$(cat "$T/d2.out")"; fi
# the manage link lists the subscription
manage=$($PY "$H/mailtool.py" link "$T/sinkA" ada@example.org /mail/manage)
got=$(code "$manage")
if [ "$got" = 200 ] && grep -q 'trending papers' "$T/body"; then pass mail-manage-link
else fail mail-manage-link "status $got"; fi
got=$(code "$(echo "$manage" | sed 's/ada%40/bob%40/')")
check mail-manage-scoped test "$got" = 403
# one-click unsubscribe: one POST, no cookie, no CSRF token (RFC 8058)
unsub=$($PY "$H/mailtool.py" link "$T/sinkA" ada@example.org /mail/unsubscribe)
hdr=$(grep -A1 '^List-Unsubscribe:' "$(ls "$T"/sinkA/msg-*.eml | tail -1)" | tail -1 |
    tr -d ' <>\r')
check mail-unsub-header-matches test "$hdr" = "$unsub"
got=$(code "$unsub")
if [ "$got" = 200 ] && grep -q '>Unsubscribe<' "$T/body"; then pass mail-unsub-get-button
else fail mail-unsub-get-button "status $got"; fi
"$PAPERBOY" sub list --db "$DB" >"$T/subs.out"
check mail-unsub-get-changes-nothing grep -q 'ada@example.org' "$T/subs.out"
got=$(code -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data 'List-Unsubscribe=One-Click' "$unsub")
check mail-unsub-one-click test "$got" = 200
"$PAPERBOY" sub list --db "$DB" >"$T/subs.out"
if grep -q 'ada@example.org' "$T/subs.out"; then fail mail-unsub-gone "still subscribed"
else pass mail-unsub-gone; fi
got=$(code -X POST -F 'List-Unsubscribe=One-Click' "$unsub")
check mail-unsub-again-404 test "$got" = 404

# password reset by email: single use
echo 'old password 1' | "$PAPERBOY" user add rosa --email rosa@example.org --db "$DB" \
    >/dev/null 2>&1
got=$(code -c "$JAR" -b "$JAR" "$URL/reset")
CSRF=$(csrf_of)
before=$(n_msgs "$T/sinkA")
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" -d who=rosa "$URL/reset")
check mail-reset-request test "$got" = 200
wait_msgs "$T/sinkA" $((before + 1))
rlink=$($PY "$H/mailtool.py" link "$T/sinkA" rosa@example.org /reset)
got=$(code -c "$JAR" -b "$JAR" "$rlink")
check mail-reset-form test "$got" = 200
CSRF=$(csrf_of)
tok=${rlink##*t=}
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "t=$tok" \
    --data-urlencode 'password=new password 2' "$URL/reset")
if [ "$got" = 200 ] && grep -q 'Password changed' "$T/body"; then pass mail-reset-set
else fail mail-reset-set "status $got"; fi
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode "t=$tok" \
    --data-urlencode 'password=third password' "$URL/reset")
check mail-reset-single-use test "$got" = 400
code -c "$JAR" -b "$JAR" "$URL/login" >/dev/null
CSRF=$(csrf_of)
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" -d name=rosa \
    --data-urlencode 'password=new password 2' "$URL/login")
check mail-reset-login test "$got" = 303
before=$(n_msgs "$T/sinkA")
code -c "$JAR" -b "$JAR" "$URL/reset" >/dev/null
CSRF=$(csrf_of)
got=$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" -d who=nobody "$URL/reset")
sleep 1.2
if [ "$got" = 200 ] && [ "$(n_msgs "$T/sinkA")" = "$before" ]; then pass mail-reset-unknown
else fail mail-reset-unknown "status $got"; fi

# saved search: only papers new since the subscription's last digest
"$PAPERBOY" sub add eve@example.org --query 'learning' --every daily --confirmed \
    --db "$DB" >/dev/null
export PAPERBOY_NOW=2026-06-14T09:00:00Z
"$PAPERBOY" digest --db "$DB" --config "$T/a.conf" --base-url "$URL" >"$T/s0.out" 2>&1
check mail-search-nothing-new grep -q '1 due, 0 queued (0 papers), 1 empty' "$T/s0.out"
cat >"$T/2026-06-15.jsonl" <<'EOF'
{"id": "2606.99101", "categories": ["cs.LG"], "authors": ["Ann Author"], "title": "Zebrafish learning dynamics", "summary": "We study how zebrafish larvae learn."}
{"id": "2606.99102", "categories": ["cs.LG"], "authors": ["Bo Writer"], "title": "Contrastive learning of quokka gaits", "summary": "Representation learning for marsupials."}
{"id": "2606.99103", "categories": ["cs.DB"], "authors": ["Cy Coder"], "title": "A B-tree for wombats", "summary": "Indexes without any training."}
EOF
"$PAPERBOY" import --db "$DB" --quiet "$T/2026-06-15.jsonl" >/dev/null 2>&1
export PAPERBOY_NOW=2026-06-15T09:00:00Z
before=$(n_msgs "$T/sinkA")
"$PAPERBOY" digest --db "$DB" --config "$T/a.conf" --base-url "$URL" --send >"$T/s1.out" 2>&1
check mail-search-queued grep -q '^1 due, 1 queued' "$T/s1.out"
wait_msgs "$T/sinkA" $((before + 1))
$PY "$H/mailtool.py" text "$T/sinkA" eve@example.org >"$T/eve.txt"
if grep -q 'Zebrafish learning' "$T/eve.txt" && grep -q 'quokka' "$T/eve.txt" &&
    ! grep -q 'wombat' "$T/eve.txt" && ! grep -q 'listed 2026-06-1[23]' "$T/eve.txt" &&
    grep -q 'matches: learning' "$T/eve.txt"; then pass mail-search-only-new
else fail mail-search-only-new "$(head -20 "$T/eve.txt")"; fi
res=$($PY "$H/mailtool.py" check "$T/sinkA" eve@example.org)
case "$res" in 'ok 2 new papers for "learning": '*) pass mail-search-mime ;;
*) fail mail-search-mime "$res" ;; esac
stop_server

# the scheduler in serve sends at the configured time
sed 's/^send-time = .*/send-time = 07:00/' "$T/a.conf" >"$T/b.conf"
"$PAPERBOY" sub add sam@example.org --trending weekly --confirmed --db "$DB" >/dev/null
export PAPERBOY_NOW=2026-06-15T06:59:00Z
start_server "$T/b.conf"
sleep 1.5
check mail-scheduler-waits test "$(count_of "$T/sinkA" sam@example.org)" = 0
stop_server
export PAPERBOY_NOW=2026-06-15T07:01:00Z
start_server "$T/b.conf"
wait_msgs "$T/sinkA" $(($(n_msgs "$T/sinkA") + 1))
sleep 0.3
check mail-scheduler-sends test "$(count_of "$T/sinkA" sam@example.org)" = 1
stop_server
kill "$SINK_PID" 2>/dev/null
wait "$SINK_PID" 2>/dev/null

# ---------- B: delivery semantics, the command alone ----------
DB="$T/b.db"
"$PAPERBOY" import --db "$DB" --quiet "$SAMPLE"/2026-06-1[234].jsonl.gz >/dev/null 2>&1
for d in 15 16 17 18 19 20 21 22 23; do
    "$PAPERBOY" import --db "$DB" --quiet "$(day_file 2026-06-$d 3)" >/dev/null 2>&1
done
start_sink "$T/sinkB" --rules "$T/rules"
cat >"$T/c.conf" <<EOF
[server]
base-url = http://paperboy.example.org/
[mail]
smtp = $SMTP
from = digest@example.org
max-bounces = 2
EOF
D() { "$PAPERBOY" digest --db "$DB" --config "$T/c.conf" "$@"; }
S() { "$PAPERBOY" sub add "$@" --db "$DB" --config "$T/c.conf"; }

# bad input on the command line
S 'two@@example.org' --trending daily >"$T/e.out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "cannot subscribe" "$T/e.out"; then pass mail-cli-bad-address
else fail mail-cli-bad-address "rc $rc: $(cat "$T/e.out")"; fi
S "$(printf 'x@example.org\r\nBcc: all@example.org')" --trending daily >"$T/e.out" 2>&1
if [ $? = 1 ] && grep -q "line break" "$T/e.out"; then pass mail-cli-inject-address
else fail mail-cli-inject-address "$(cat "$T/e.out")"; fi
S x@example.org --query "$(printf 'gauss\r\nSubject: hi')" --every daily >"$T/e.out" 2>&1
if [ $? = 1 ] && grep -q "line break" "$T/e.out"; then pass mail-cli-inject-query
else fail mail-cli-inject-query "$(cat "$T/e.out")"; fi
S x@example.org --query 'after:2026-01-01' --every daily >"$T/e.out" 2>&1
if [ $? = 1 ] && grep -q "no words" "$T/e.out"; then pass mail-cli-empty-query
else fail mail-cli-empty-query "$(cat "$T/e.out")"; fi
"$PAPERBOY" digest --db "$DB" --smtp 'smtp://user:secret@127.0.0.1:25' --send >"$T/e.out" 2>&1
if [ $? = 1 ] && grep -q "must not hold credentials" "$T/e.out"; then pass mail-cli-no-url-credentials
else fail mail-cli-no-url-credentials "$(cat "$T/e.out")"; fi
S y@example.org --trending hourly >/dev/null 2>&1
check mail-cli-usage test $? = 2

# 4xx, then success after the backoff
echo "temp temp@example.org 1" >"$T/rules"
echo "perm gone@example.org" >>"$T/rules"
S temp@example.org --trending daily --confirmed >/dev/null
S gone@example.org --trending daily --confirmed >/dev/null
export PAPERBOY_NOW=2026-06-15T07:00:00Z
D --send >"$T/r1.out" 2>&1
check mail-4xx-retried grep -q '^0 sent, 1 to retry later, 1 failed' "$T/r1.out"
check mail-4xx-not-yet test "$(count_of "$T/sinkB" temp@example.org)" = 0
D --status >"$T/st.out"
check mail-status-queued grep -q 'queued .*temp@example.org' "$T/st.out"
export PAPERBOY_NOW=2026-06-15T07:03:00Z
D --send >"$T/r2.out" 2>&1
check mail-4xx-backoff grep -q '^0 sent, 0 to retry later' "$T/r2.out"
export PAPERBOY_NOW=2026-06-15T07:06:00Z
D --send >"$T/r3.out" 2>&1
check mail-4xx-then-sent grep -q '^1 sent' "$T/r3.out"
check mail-4xx-once test "$(count_of "$T/sinkB" temp@example.org)" = 1
# 5xx: failed, and the second bounce in a row pauses the subscription
check mail-5xx-failed grep -q 'gone@example.org.*550' "$T/r1.out"
export PAPERBOY_NOW=2026-06-16T07:00:00Z
D --send >"$T/r4.out" 2>&1
check mail-5xx-paused grep -q '1 failed (1 subscription paused)' "$T/r4.out"
"$PAPERBOY" sub list --db "$DB" >"$T/subs.out"
check mail-5xx-paused-state grep -q 'gone@example.org .* paused' "$T/subs.out"
export PAPERBOY_NOW=2026-06-17T07:00:00Z
D --send >"$T/r5.out" 2>&1
check mail-paused-no-digest grep -q '^1 due,' "$T/r5.out"
# dry run changes nothing
export PAPERBOY_NOW=2026-06-18T07:00:00Z
D --dry-run >"$T/dry.out" 2>&1
D --dry-run >"$T/dry2.out" 2>&1
if grep -q 'would send temp@example.org' "$T/dry.out" && cmp -s "$T/dry.out" "$T/dry2.out"
then pass mail-dry-run
else fail mail-dry-run "$(cat "$T/dry.out")"; fi
# empty digests are not sent
export PAPERBOY_NOW=2026-08-01T07:00:00Z
before=$(n_msgs "$T/sinkB")
D --send >"$T/r6.out" 2>&1
if grep -q '^1 due, 0 queued (0 papers), 1 empty' "$T/r6.out" &&
    [ "$(n_msgs "$T/sinkB")" = "$before" ]; then pass mail-empty-not-sent
else fail mail-empty-not-sent "$(cat "$T/r6.out")"; fi
"$PAPERBOY" sub rm temp@example.org --db "$DB" >/dev/null
"$PAPERBOY" sub rm gone@example.org --db "$DB" >/dev/null

# exactly once across kill -9: 30 subscribers
i=1
while [ $i -le 30 ]; do
    "$PAPERBOY" sub add "r$i@example.org" --trending daily --confirmed --db "$DB" >/dev/null
    i=$((i + 1))
done
dupes() { # DIR: how many of r1..r30 got PERIOD's digest 0, 1, 2+ times -> "zero one more"
    $PY "$H/mailtool.py" count "$1" | awk '$1 ~ /^r[0-9]+@/ {n[$2 > 1 ? 2 : $2]++; seen++}
        END {printf "%d %d %d\n", 30 - seen, n[1], n[2]}'
}
crash_run() { # NAME KILL-SPEC WANT(zero one more) DAY
    export PAPERBOY_NOW="$4T07:00:00Z"
    rm -rf "$T/sinkB"/msg-*
    PAPERBOY_MAIL_KILL=$2 D --send >"$T/k1.out" 2>&1
    rc=$?
    D --send >"$T/k2.out" 2>&1
    got=$(dupes "$T/sinkB")
    if [ $rc -ne 0 ] && [ "$got" = "$3" ]; then pass "$1"
    else fail "$1" "first run exited $rc; (missing once twice) = $got, want $3"; fi
}
crash_run mail-crash-before-send before-send:7 "0 30 0" 2026-06-20
crash_run mail-crash-after-send after-send:7 "0 29 1" 2026-06-21
crash_run mail-crash-compose compose:12 "0 30 0" 2026-06-22
ids=$($PY "$H/mailtool.py" count "$T/sinkB" | awk '$2 > 1 {print $1}')
# (after-send's duplicate carried one Message-ID twice: checked above by count; check here on
# a fresh run that a real kill -9 at an arbitrary moment keeps the same promise)
kill "$SINK_PID" 2>/dev/null
wait "$SINK_PID" 2>/dev/null
start_sink "$T/sinkC" --delay 0.03
sed "s|^smtp = .*|smtp = $SMTP|" "$T/c.conf" >"$T/k.conf"
export PAPERBOY_NOW=2026-06-23T07:00:00Z
"$PAPERBOY" digest --db "$DB" --config "$T/k.conf" --send >"$T/k3.out" 2>&1 &
KP=$!
wait_msgs "$T/sinkC" 8
kill -9 $KP 2>/dev/null
wait $KP 2>/dev/null
"$PAPERBOY" digest --db "$DB" --config "$T/k.conf" --send >"$T/k4.out" 2>&1
got=$(dupes "$T/sinkC")
case "$got" in
"0 30 0" | "0 29 1") pass mail-crash-kill9 ;;
*) fail mail-crash-kill9 "(missing once twice) = $got" ;;
esac
# the one possible duplicate has the same Message-ID as its original
dup=$($PY "$H/mailtool.py" count "$T/sinkC" | awk '$2 > 1 {print $1}')
if [ -z "$dup" ] || [ "$($PY "$H/mailtool.py" ids "$T/sinkC" "$dup" | sort -u | wc -l)" = 1 ]
then pass mail-crash-same-message-id
else fail mail-crash-same-message-id "$dup"; fi
# connection reuse: one connection for the whole second run
conns=$(grep -c '^connect' "$T/sinkC/log")
check mail-connection-reuse test "$conns" -le 3
"$PAPERBOY" stats --db "$DB" --check >/dev/null 2>&1
check mail-db-check test $? = 0
: "$ids"
