#!/bin/sh
# The web benchmark: wrk against paperboy serve and, in the same session and alternately, nginx
# serving saved copies of the same pages (the ceiling). Keep-alive, loopback, one machine.
#
#   sh bench/web/deps.sh                  # wrk, nginx (as root, once)
#   make build/rel/paperboy
#   sh bench/web/run.sh                   # results in bench/web/work/results.tsv + a table
#
# Environment (defaults): PB=build/rel/paperboy  DB=bench/web/work/web.db (imported from
# ../shared/data/arxiv/daily-cs and daily-astro when missing)  THREADS="2 4" (paperboy --threads
# settings, each measured)  RUNS=3  DUR=8s  WRK_T=1  WRK_C=32  NGINX_WORKERS=2
# TARGETS="home trending api search home-cold trending-cold api-cold search-cold".
# A "-cold" target adds a unique r= parameter to every request so that paperboy's page cache
# never has the page: it measures building the page (SQL, search, HTML); nginx serves the same
# files either way. The search targets cycle through the queries of bench/search's generator
# (short keywords, sentence fragments and whole titles in equal parts).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
PB=${PB:-build/rel/paperboy}
W=${W:-bench/web/work}
DB=${DB:-$W/web.db}
THREADS=${THREADS:-2 4}
RUNS=${RUNS:-3}
DUR=${DUR:-8s}
WRK_T=${WRK_T:-1}
WRK_C=${WRK_C:-32}
NGINX_WORKERS=${NGINX_WORKERS:-2}
NQ=${NQ:-300}
TARGETS=${TARGETS:-home trending api search home-cold trending-cold api-cold search-cold}
PY=/usr/bin/python3
DATA=$ROOT/../shared/data/arxiv
mkdir -p "$W"
W=$(cd "$W" && pwd)

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: no $tool (sh bench/web/deps.sh)" >&2; exit 2; }
done
[ -x "$PB" ] || { echo "run.sh: no $PB (make $PB)" >&2; exit 2; }

# ---- the data: all of daily-cs and daily-astro (~89k papers) ----
if [ ! -f "$DB" ]; then
    echo "== importing daily-cs and daily-astro into $DB" >&2
    "$PB" import --db "$DB" --quiet "$DATA"/daily-cs/*.jsonl.gz "$DATA"/daily-astro/*.jsonl.gz >&2 ||
        { echo "run.sh: import failed" >&2; exit 2; }
fi
# ---- the queries: bench/search's generator over this database's papers ----
if [ ! -s "$W/queries.tsv" ]; then
    "$PY" bench/search/export_corpus.py "$DB" "$W/corpus.jsonl" || exit 2
    "$PY" bench/search/gen_queries.py --n "$NQ" "$W/corpus.jsonl" "$W/queries.tsv" || exit 2
    rm -f "$W/corpus.jsonl"
fi
# /search?q=...&i=N: i names nginx's saved copy (a query can be too long for a file name);
# paperboy ignores it.
"$PY" - "$W/queries.tsv" >"$W/paths-search.txt" <<'EOF'
import sys, urllib.parse
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    q = line.rstrip("\n").split("\t")[-1]
    print("/search?q=%s&i=%d" % (urllib.parse.quote_plus(q), i))
EOF
echo / >"$W/paths-home.txt"
echo /trending >"$W/paths-trending.txt"
echo /api/daily_papers >"$W/paths-api.txt"

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

PB_PID=
NG_PID=
cleanup() {
    [ -n "$PB_PID" ] && kill "$PB_PID" 2>/dev/null && wait "$PB_PID" 2>/dev/null
    [ -n "$NG_PID" ] && kill "$NG_PID" 2>/dev/null && wait "$NG_PID" 2>/dev/null
    PB_PID= NG_PID=
}
trap cleanup EXIT INT TERM

start_paperboy() { # threads
    rm -f "$W/serve.out" # not the previous server's "listening on" line
    "$PB" serve --db "$DB" --listen 127.0.0.1:0 --threads "$1" >"$W/serve.out" 2>"$W/serve.err" &
    PB_PID=$!
    i=0
    while [ $i -lt 100 ] && ! grep -q '^listening on ' "$W/serve.out" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    PB_URL=$(sed -n 's/^listening on //p' "$W/serve.out")
    [ -n "$PB_URL" ] || { echo "run.sh: paperboy did not start: $(cat "$W/serve.err")" >&2; exit 2; }
}

# ---- the saved copies nginx serves: fetched from paperboy once ----
save_pages() {
    S=$W/static
    rm -rf "$S"
    mkdir -p "$S/search"
    curl -sf -o "$S/index.html" "$PB_URL/" &&
        curl -sf -o "$S/trending.html" "$PB_URL/trending" &&
        curl -sf -o "$S/api.json" "$PB_URL/api/daily_papers" || { echo "run.sh: saving pages failed" >&2; exit 2; }
    i=0
    while read -r p; do
        curl -sf -o "$S/search/$i.html" "$PB_URL$p" || { echo "run.sh: GET $p failed" >&2; exit 2; }
        i=$((i + 1))
    done <"$W/paths-search.txt"
}

start_nginx() {
    NG_PORT=$(free_port)
    mkdir -p "$W/nginx-tmp"
    cat >"$W/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
daemon off;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
user root;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60;
    client_body_temp_path $W/nginx-tmp/body;
    proxy_temp_path $W/nginx-tmp/proxy;
    fastcgi_temp_path $W/nginx-tmp/fastcgi;
    uwsgi_temp_path $W/nginx-tmp/uwsgi;
    scgi_temp_path $W/nginx-tmp/scgi;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $W/static;
        location = / { try_files /index.html =404; }
        location = /trending { try_files /trending.html =404; }
        location = /api/daily_papers { try_files /api.json =404; }
        location = /search { try_files /search/\$arg_i.html =404; }
    }
}
EOF
    nginx -c "$W/nginx.conf" -e "$W/nginx-error.log" &
    NG_PID=$!
    NG_URL=http://127.0.0.1:$NG_PORT
    i=0
    while [ $i -lt 50 ] && ! curl -sf -o /dev/null "$NG_URL/"; do
        sleep 0.1
        i=$((i + 1))
    done
    curl -sf -o /dev/null "$NG_URL/" || { echo "run.sh: nginx did not start" >&2; exit 2; }
}

# CPU time (clock ticks) used so far by the server's processes: a figure the other load on a
# shared machine disturbs far less than req/s.
cpu_ticks() { # pid...
    for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
        awk '{sub(/^.*\) /, ""); t += $12 + $13} END {print t + 0}'
}

measure() { # server url target run threads
    t=${3%-cold}
    bust=0
    [ "$t" != "$3" ] && bust=1
    if [ "$1" = nginx ]; then pids="$NG_PID $(pgrep -P "$NG_PID" | tr '\n' ' ')"; else pids=$PB_PID; fi
    # shellcheck disable=SC2086
    c0=$(cpu_ticks $pids)
    line=$(WRK_PATHS="$W/paths-$t.txt" WRK_BUST=$bust wrk -t"$WRK_T" -c"$WRK_C" -d"$DUR" \
        -s bench/web/paths.lua "$2" | sed -n 's/^RESULT //p')
    # shellcheck disable=SC2086
    c1=$(cpu_ticks $pids)
    [ -n "$line" ] || line="0 0 0 1 0" # wrk failed: one error, nothing measured
    set -- "$1" "$2" "$3" "$4" "$5" $line
    # CPU microseconds per request
    us=$(awk -v c="$((c1 - c0))" -v hz="$HZ" -v n="${10:-0}" 'BEGIN {printf "%.0f", n ? c * 1e6 / hz / n : 0}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$5" "$3" "$1" "$4" "$6" "$7" "$8" "$9" \
        "${10}" "$us" >>"$W/results.tsv"
    printf '  %-8s %-14s run %s: %9s req/s  p50 %6s ms  p99 %7s ms  cpu %5s us/req  errors %s\n' \
        "$1" "$3" "$4" "$6" "$7" "$8" "$us" "$9" >&2
}
HZ=$(getconf CLK_TCK)

date -u +"== bench/web %Y-%m-%dT%H:%M:%SZ on $(nproc) cores; wrk -t$WRK_T -c$WRK_C -d$DUR; $RUNS runs" >&2
"$PB" stats --db "$DB" | head -3 >&2
printf 'threads\ttarget\tserver\trun\treq_s\tp50_ms\tp99_ms\terrors\trequests\tcpu_us\n' \
    >"$W/results.tsv"
saved=0
for th in $THREADS; do
    start_paperboy "$th"
    if [ $saved = 0 ]; then
        save_pages
        start_nginx
        saved=1
    fi
    # Warm up: every page once (fills the page cache, opens the index on the workers).
    for t in home trending api search; do
        WRK_PATHS="$W/paths-$t.txt" wrk -t1 -c4 -d2s -s bench/web/paths.lua "$PB_URL" >/dev/null
    done
    echo "== paperboy --threads $th ($PB_URL) vs nginx $NGINX_WORKERS workers ($NG_URL)" >&2
    for target in $TARGETS; do
        r=1
        while [ $r -le "$RUNS" ]; do
            # Alternate which goes first, so a drift of the machine's load hits both alike.
            if [ $((r % 2)) = 1 ]; then
                measure paperboy "$PB_URL" "$target" $r "$th"
                measure nginx "$NG_URL" "$target" $r "$th"
            else
                measure nginx "$NG_URL" "$target" $r "$th"
                measure paperboy "$PB_URL" "$target" $r "$th"
            fi
            r=$((r + 1))
        done
    done
    kill "$PB_PID"
    wait "$PB_PID" 2>/dev/null
    PB_PID=
done
cleanup
"$PY" bench/web/report.py "$W/results.tsv"
