#!/bin/sh
# make demo: import the bundled sample into demo.db, show what paperboy holds, then serve the
# site on http://127.0.0.1:8080 (PAPERBOY_LISTEN=HOST:PORT to change; Ctrl-C stops it;
# PAPERBOY_DEMO_NO_SERVE=1 skips serving).
set -e
PB=${1:-build/rel/paperboy}
DB=${PAPERBOY_DEMO_DB:-demo.db}
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== importing data/sample into $DB"
"$PB" import --db "$DB" --quiet data/sample/*.jsonl.gz data/sample/astro/*.jsonl.gz \
    data/sample/hf-daily-papers-2026-06-12.json.gz data/sample/oai-listrecords-arXivRaw.xml \
    data/sample/rss-cs-lg.xml data/sample/abs/*.abs
echo
"$PB" stats --db "$DB"
echo
echo "== the latest listing day (first papers; 'paperboy list --db $DB' shows all)"
"$PB" list --db "$DB" | head -40
echo
echo "== search: gaussian splatting"
"$PB" search --db "$DB" -k 5 gaussian splatting
echo
echo "Try:  $PB show --db $DB 0704.0001"
echo "      $PB list --db $DB --week 2026-W24"
echo "      $PB --help"
[ -n "${PAPERBOY_DEMO_NO_SERVE:-}" ] && exit 0
echo
echo "== serving the site (Ctrl-C to stop); sign up: the first account is the admin"
exec "$PB" serve --db "$DB" --listen "${PAPERBOY_LISTEN:-127.0.0.1:8080}" --access-log -
