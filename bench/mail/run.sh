#!/bin/sh
# bench/mail: compose digests for 100,000 subscribers (half trending, half saved searches over a
# pool of 2,000 queries) over the ~89k papers of ../shared/data/arxiv/daily-{cs,astro}, and
# deliver 10,000 messages to a local SMTP sink over one connection.
# By hand, not in make test. Usage: sh bench/mail/run.sh [BINARY] [RUNS]   (from the repo root)
# Delivery goes to Postfix's smtp-sink (C, Debian's postfix package: sh bench/mail/deps.sh) when
# it is installed, else to bench/mail/sink.py; SINK_KIND=postfix|python picks one. The Python
# sink costs more CPU than paperboy on these 2 cores. SKIP_COMPOSE=1 times delivery only.
# Prints one line per run and the medians.
set -eu
B=${1:-build/rel/paperboy}
RUNS=${2:-3}
W=${BENCH_DIR:-/tmp/pb-bench-mail}
DATA=${DATA:-../shared/data/arxiv}
mkdir -p "$W"
if [ ! -f "$W/bench.db" ]; then
    "$B" import --db "$W/bench.db" --quiet "$DATA"/daily-cs/*.jsonl.gz "$DATA"/daily-astro/*.jsonl.gz
fi
cat >"$W/bench.conf" <<'CONF'
[server]
base-url = https://papers.example.org
[mail]
from = digest@papers.example.org
papers = 10
CONF
python3 bench/mail/subscribers.py "$W/bench.db" 100000 2000 >"$W/subs100k.sql"
python3 bench/mail/subscribers.py "$W/bench.db" 10000 2000 >"$W/subs10k.sql"
export PAPERBOY_NOW=2026-07-02T08:00:00Z   # the day after the last listing day
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
now() { date +%s.%N; }
: >"$W/compose.times"
: >"$W/deliver.rates"
i=1
while [ "$i" -le "$RUNS" ]; do
    if [ -z "${SKIP_COMPOSE:-}" ]; then
        sqlite3 "$W/bench.db" <"$W/subs100k.sql"
        sqlite3 "$W/bench.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
        t0=$(now)
        "$B" digest --db "$W/bench.db" --config "$W/bench.conf" >"$W/compose.out"
        t1=$(now)
        echo "$t1 - $t0" | bc >>"$W/compose.times"
        echo "compose run $i: $(tail -1 "$W/compose.times") s: $(cat "$W/compose.out")"
    fi
    sqlite3 "$W/bench.db" <"$W/subs10k.sql"
    "$B" digest --db "$W/bench.db" --config "$W/bench.conf" >/dev/null
    rm -f "$W/port"
    if [ "${SINK_KIND:-$(test -x /usr/sbin/smtp-sink && echo postfix || echo python)}" = postfix ]; then
        # Postfix's smtp-sink (C, Debian's postfix package): accepts and discards
        port=$((20000 + $$ % 20000))
        echo "$port" >"$W/port"
        /usr/sbin/smtp-sink -u nobody "127.0.0.1:$port" 256 >"$W/sink.out" 2>&1 &
        SINK=$!
        sleep 0.5
    else
        /usr/bin/python3 bench/mail/sink.py "$W/port" >"$W/sink.out" &
        SINK=$!
        while [ ! -f "$W/port" ]; do sleep 0.1; done
    fi
    t0=$(now)
    "$B" digest --db "$W/bench.db" --config "$W/bench.conf" --send \
        --smtp "smtp://127.0.0.1:$(cat "$W/port")" >"$W/deliver.out"
    t1=$(now)
    kill "$SINK"
    wait "$SINK" || true
    sent=$(sed -n 's/^\([0-9]*\) sent.*/\1/p' "$W/deliver.out")
    echo "$sent / ($t1 - $t0)" | bc >>"$W/deliver.rates"
    echo "deliver run $i: $(tail -1 "$W/deliver.rates") messages/s: $(tail -1 "$W/deliver.out"); sink: $(cat "$W/sink.out")"
    i=$((i + 1))
done
[ -n "${SKIP_COMPOSE:-}" ] || echo "median compose (100,000 subscribers): $(median <"$W/compose.times") s"
echo "median delivery (10,000 messages): $(median <"$W/deliver.rates") messages/s"
