# Helpers for integration tests (sourced). Each check prints "pass NAME" or "FAIL NAME: why".
# $PAPERBOY is the binary under test and $PB_ROOT the repo root (set by tests/run.sh).
: "${PAPERBOY:?set by tests/run.sh}"
: "${PB_ROOT:?set by tests/run.sh}"
SHARED="$PB_ROOT/../shared/data"
T=$(mktemp -d /tmp/pb-it-XXXXXX)
trap '[ -n "$PB_KEEP" ] || rm -rf "$T"' EXIT

pass() { echo "pass $1"; }
fail() { echo "FAIL $1: $2"; }
# check NAME CONDITION-COMMAND... : pass if the command succeeds
check() {
    name=$1; shift
    if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
# field "KEY" from a summary line "N read, N new, ..." in file $2
summary_field() {
    sed -n 's/.*[^0-9]\([0-9][0-9]*\) '"$1"'.*/\1/p; s/^\([0-9][0-9]*\) '"$1"'.*/\1/p' "$2" | tail -1
}

# --- the loopback HTTP server of the fetch tests (tests/integration/fixture_httpd.py) ---
# start_httpd ROUTES.json: serve on 127.0.0.1 (ephemeral port); sets URL (http://127.0.0.1:PORT),
# HLOG (one line per request: "UNIX-TIME PATH?QUERY USER-AGENT") and HTTPD_PID. Stopped at exit.
start_httpd() {
    HLOG="$T/httpd.log"
    rm -f "$T/httpd.port"
    python3 "$PB_ROOT/tests/integration/fixture_httpd.py" serve "$1" "$HLOG" "$T/httpd.port" &
    HTTPD_PID=$!
    trap 'kill "$HTTPD_PID" 2>/dev/null; [ -n "$PB_KEEP" ] || rm -rf "$T"' EXIT
    n=0
    while [ ! -s "$T/httpd.port" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
    URL="http://127.0.0.1:$(cat "$T/httpd.port")"
}
# requests N PATTERN: the number of logged requests whose path matches PATTERN (grep -E)
requests() { grep -cE "$1" "$HLOG"; }
# min_gap [PATTERN]: the shortest time between two consecutive logged requests (matching)
min_gap() {
    grep -E "${1:-.}" "$HLOG" | awk 'NR > 1 { g = $1 - p; if (m == "" || g < m) m = g }
        { p = $1 } END { print (m == "" ? 999 : m) }'
}
# at_least A B: A >= B as decimals
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
# sql DB QUERY: one value from the database
sql() { sqlite3 "$1" "$2"; }
# start_serve ARGS...: run `paperboy serve --listen 127.0.0.1:0 ARGS` in the background and wait
# until it listens; sets SITE (http://127.0.0.1:PORT, empty if it did not start) and SERVE_PID.
# Its stdout and stderr go to $T/serve.out and $T/serve.err.
start_serve() {
    "$PAPERBOY" serve --listen 127.0.0.1:0 "$@" >"$T/serve.out" 2>"$T/serve.err" &
    SERVE_PID=$!
    n=0
    while [ $n -lt 200 ] && ! grep -q '^listening on ' "$T/serve.out" 2>/dev/null; do
        sleep 0.05
        n=$((n + 1))
    done
    SITE=$(sed -n 's/^listening on //p' "$T/serve.out")
}
