# paperboy search and paperboy index on real papers: known-item search, the JSON and TREC
# outputs, id jumps, papers searchable right after import, a damaged index or one in an older
# format rebuilt by itself, kill -9 during an index rebuild, and bad queries answered with a
# message.
. "$(dirname "$0")/lib.sh"
cd "$PB_ROOT" || exit 1
DB="$T/s.db"
$PAPERBOY import --db "$DB" --quiet data/sample/*.jsonl.gz data/sample/*.xml >"$T/imp.out" 2>&1
check search-index-built-by-import test -f "$DB.index/MANIFEST"
$PAPERBOY index --db "$DB" check >"$T/check.out" 2>&1
check search-index-check-ok grep -q '^ok: ' "$T/check.out"

# known-item: a paper's exact title finds it first
row=$(sqlite3 "$DB" "SELECT id || char(9) || title FROM papers WHERE abstract IS NOT NULL
                     ORDER BY pid LIMIT 1 OFFSET 41")
id=$(printf '%s' "$row" | cut -f1)
title=$(printf '%s' "$row" | cut -f2)
$PAPERBOY search --db "$DB" -k 3 "$title" >"$T/known.out" 2>&1
check search-known-title-first grep -q "^1\. $id " "$T/known.out"
check search-prints-result-count grep -Eq '^[0-9]+ results|^about [0-9]+ results' "$T/known.out"

# JSON output: valid, with the fields the contract names
$PAPERBOY search --db "$DB" --json -k 5 "graph neural" >"$T/s.json" 2>&1
check search-json-valid python3 -c "
import json,sys
d=json.load(open('$T/s.json'))
r=d['results']
assert 0 < len(r) <= 5, r
for h in r: assert h['id'] and h['title'] and isinstance(h['score'], float) and 'snippet' in h
assert any('[[' in h['snippet'] for h in r), 'no marked match in any snippet'
assert d['total'] >= len(r)
"

# phrase, field, exclusion: every result honours them
$PAPERBOY search --db "$DB" --json -k 50 '"neural network" -graph' >"$T/p.json" 2>&1
check search-phrase-and-not python3 -c "
import json, sqlite3, re
d=json.load(open('$T/p.json'))
assert d['results'], 'no results'
db=sqlite3.connect('$DB')
for h in d['results']:
    t,a,c=db.execute('select title, coalesce(abstract,\"\"), coalesce(comment,\"\") from papers where id=?',(h['id'],)).fetchone()
    a=a+' '+c
    text=' ' + re.sub('[^a-z0-9]+', ' ', (t+' '+a).lower()) + ' '
    assert ' neural network' in text, h['id']
    assert not re.search(r' graphs? ', text), h['id']
"

# batch mode: a TREC run and one latency per query
printf '1\t%s\n2\tgraph neural networks\n3\tzzzqqq\n' "$title" >"$T/q.tsv"
$PAPERBOY search --db "$DB" -k 10 --batch "$T/q.tsv" --latency "$T/lat.txt" >"$T/run.trec" 2>"$T/batch.err"
check search-batch-trec-format awk 'NF != 6 || $2 != "Q0" || $6 != "paperboy" { exit 1 }' "$T/run.trec"
check search-batch-known-first grep -q "^1 Q0 $id 1 " "$T/run.trec"
check search-batch-latency-lines test "$(wc -l <"$T/lat.txt")" -eq 3
check search-batch-no-match-no-lines test "$(grep -c '^3 ' "$T/run.trec")" -eq 0

# a bare id in any form jumps to that paper
$PAPERBOY search --db "$DB" "https://arxiv.org/abs/${id}v1" >"$T/jump.out" 2>&1
check search-id-jump grep -q "$id" "$T/jump.out"

# the index does not store papers' own ids: id words are looked up in the store
$PAPERBOY search --db "$DB" -k 3 "id:$id" >"$T/idf.out" 2>&1
check search-id-field grep -q "^1\. $id " "$T/idf.out"
$PAPERBOY search --db "$DB" -k 3 "id:arXiv:${id}v2" >"$T/idv.out" 2>&1
check search-id-field-any-form grep -q "^1\. $id " "$T/idv.out"
$PAPERBOY search --db "$DB" -k 3 "$id $(printf '%s' "$title" | cut -d' ' -f1)" >"$T/idw.out" 2>&1
check search-id-with-a-word grep -q "^1\. $id " "$T/idw.out"
printf '1\t%s\n' "$id" >"$T/idq.tsv"
$PAPERBOY search --db "$DB" -k 3 --batch "$T/idq.tsv" >"$T/idq.trec" 2>&1
check search-id-batch grep -q "^1 Q0 $id 1 " "$T/idq.trec"
ID="$T/ids.db"
printf '%s\n' '{"id": "hep-th/9901001", "title": "Strings on a old-style id", "abstract": "Branes."}' \
    '{"id": "2501.00007", "title": "Cites another", "abstract": "As hep-th/9901001 shows."}' \
    >"$T/old-ids.jsonl"
printf '%s\n' '{"_id": "4983", "title": "Brain development", "text": "White matter."}' \
    '{"_id": "MED-10", "title": "Statins", "text": "Cancer risk."}' >"$T/beir.jsonl"
$PAPERBOY import --db "$ID" --quiet --format kaggle "$T/old-ids.jsonl" >/dev/null 2>&1
$PAPERBOY import --db "$ID" --quiet --format beir "$T/beir.jsonl" >/dev/null 2>&1
$PAPERBOY search --db "$ID" "id:hep-th/9901001" >"$T/ido.out" 2>&1
check search-id-old-style grep -q '^1\. hep-th/9901001 ' "$T/ido.out"
check search-id-old-style-only-its-own grep -q '^1 results' "$T/ido.out"
$PAPERBOY search --db "$ID" "hep-th/9901001 branes" >"$T/ido2.out" 2>&1
check search-id-old-style-with-word grep -q '^1\. hep-th/9901001 ' "$T/ido2.out"
$PAPERBOY search --db "$ID" "id:beir:4983" >"$T/idb.out" 2>&1
check search-id-beir grep -q '^1\. beir:4983 ' "$T/idb.out"
$PAPERBOY search --db "$ID" "beir:med-10" >"$T/idb2.out" 2>&1
check search-id-beir-any-case grep -q '^1\. beir:MED-10 ' "$T/idb2.out"
printf '1\tbeir:4983\n' >"$T/idb.tsv"
$PAPERBOY search --db "$ID" --batch "$T/idb.tsv" >"$T/idb.trec" 2>&1
check search-id-beir-batch grep -q '^1 Q0 4983 1 ' "$T/idb.trec"
$PAPERBOY index --db "$ID" check >"$T/idc.out" 2>&1
check search-id-index-check grep -q '^ok: ' "$T/idc.out"

# papers imported later are searchable at once; deletions and updates are honoured
$PAPERBOY import --db "$DB" --quiet data/sample/abs/*.abs >/dev/null 2>&1
absid=$(sqlite3 "$DB" "SELECT p.id || char(9) || p.title FROM papers p JOIN provenance v ON
                       v.pid = p.pid JOIN sources s ON s.sid = v.sid WHERE s.format = 'abs'
                       AND p.title NOT LIKE '%\"%' LIMIT 1")
$PAPERBOY search --db "$DB" -k 3 "$(printf '%s' "$absid" | cut -f2)" >"$T/new.out" 2>&1
check search-new-import-searchable grep -q "^1\. $(printf '%s' "$absid" | cut -f1) " "$T/new.out"
$PAPERBOY index --db "$DB" check >"$T/check2.out" 2>&1
check search-index-check-after-update grep -q '^ok: ' "$T/check2.out"

# a damaged index is rebuilt from the store by the next command that needs it
printf 'garbage\n' >"$DB.index/MANIFEST"
$PAPERBOY search --db "$DB" -k 3 "$title" >"$T/dmg.out" 2>"$T/dmg.err"
check search-damaged-index-rebuilt grep -q "^1\. $id " "$T/dmg.out"
check search-damaged-index-says-so grep -q 'rebuilding' "$T/dmg.err"
$PAPERBOY index --db "$DB" check >"$T/check3.out" 2>&1
check search-index-check-after-rebuild grep -q '^ok: ' "$T/check3.out"

# an index in an older segment format (PBSEG04, PBSEG05) is rebuilt from the store, not misread
for old in PBSEG04 PBSEG05; do
    seg=$(ls "$DB.index"/s*.seg | head -n 1)
    printf '%s\n' "$old" | dd of="$seg" bs=8 count=1 conv=notrunc 2>/dev/null
    $PAPERBOY search --db "$DB" -k 3 "$title" >"$T/old.out" 2>"$T/old.err"
    check search-old-format-rebuilt-$old grep -q "^1\. $id " "$T/old.out"
    check search-old-format-says-so-$old grep -q 'rebuilding.*bad magic' "$T/old.err"
    $PAPERBOY index --db "$DB" check >"$T/check4.out" 2>&1
    check search-index-check-after-format-rebuild-$old grep -q '^ok: ' "$T/check4.out"
    check search-new-format-written-$old grep -q 'PBSEG06' "$(ls "$DB.index"/s*.seg | head -n 1)"
done

# kill -9 during a rebuild leaves a usable index; the next update completes
BIG="$T/big.db"
if [ -d "$SHARED/arxiv/daily-cs" ]; then
    $PAPERBOY import --db "$BIG" --quiet --no-index "$SHARED"/arxiv/daily-cs/2025-0[4-6]*.jsonl.gz >/dev/null 2>&1
else
    $PAPERBOY import --db "$BIG" --quiet --no-index data/sample/*.jsonl.gz >/dev/null 2>&1
fi
$PAPERBOY index --db "$BIG" update --quiet
killed=0
for delay in 0.2 0.5 0.9 1.4; do
    $PAPERBOY index --db "$BIG" rebuild --quiet >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
    wait "$pid" 2>/dev/null
    if ! $PAPERBOY index --db "$BIG" check >"$T/kc.out" 2>&1; then
        fail search-kill-during-rebuild "index check failed after kill at ${delay}s: $(cat "$T/kc.out")"
        break
    fi
done
check search-kill-actually-killed test "$killed" -gt 0
check search-kill-leaves-no-temp-files test "$(ls "$BIG.index" | grep -c tmp)" -eq 0
$PAPERBOY index --db "$BIG" update --quiet
$PAPERBOY index --db "$BIG" check >"$T/kc2.out" 2>&1
check search-kill-then-update-ok grep -q '^ok: ' "$T/kc2.out"

# bad queries: a message and exit 1, never a crash
$PAPERBOY search --db "$DB" "$(python3 -c 'print("x" * 10000)')" >"$T/long.out" 2>&1
check search-10kb-query-refused test $? -eq 1
check search-10kb-query-message grep -q '4096' "$T/long.out"
$PAPERBOY search --db "$DB" "$(python3 -c 'print("(" * 40 + "a")')" >"$T/deep.out" 2>&1
check search-deep-query-refused test $? -eq 1
$PAPERBOY search --db "$DB" '"unbalanced quote' >"$T/q.out" 2>&1
check search-unbalanced-quote-read test $? -eq 0
$PAPERBOY search --db "$DB" -k 0 x >/dev/null 2>&1
check search-bad-k-usage test $? -eq 2
# --param: a wrong one is a usage error that says what is wrong with it; a right one ranks
$PAPERBOY search --db "$DB" --param prf.w=2 x >/dev/null 2>"$T/pw.err"
check search-param-out-of-range test $? -eq 2
check search-param-says-range grep -q "prf.w=2'.*prf.w takes a number from 0 to 1" "$T/pw.err"
$PAPERBOY search --db "$DB" --param prox.depth=1.5 x >/dev/null 2>"$T/pd.err"
check search-param-says-whole grep -q 'prox.depth takes a whole number' "$T/pd.err"
$PAPERBOY search --db "$DB" --param w.abstrakt=2 x >/dev/null 2>"$T/pu.err"
check search-param-says-unknown grep -q "unknown parameter 'w.abstrakt'" "$T/pu.err"
$PAPERBOY search --db "$DB" -k 3 --param prox=0.5 --param prf.docs=3 --param b.title=0.3 \
    "$title" >"$T/pok.out" 2>&1
check search-param-known-title-first grep -q "^1\. $id " "$T/pok.out"

# A database from an older paperboy (schema 1): a read-only command upgrades it once and reads it.
sqlite3 "$T/old.db" "CREATE TABLE papers(pid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
 version INTEGER NOT NULL DEFAULT 0 CHECK(version >= 0), title TEXT NOT NULL, abstract TEXT,
 authors TEXT, categories TEXT, comment TEXT, journal_ref TEXT, doi TEXT, license TEXT,
 report_no TEXT, submitted TEXT, updated TEXT, is_deleted INTEGER NOT NULL DEFAULT 0,
 added_at TEXT NOT NULL, changed_at TEXT NOT NULL);
 CREATE TABLE listings(day TEXT NOT NULL, pid INTEGER NOT NULL REFERENCES papers(pid)
 ON DELETE CASCADE, PRIMARY KEY(day, pid)) WITHOUT ROWID;
 CREATE INDEX listings_pid ON listings(pid);
 INSERT INTO papers(id, version, title, added_at, changed_at) VALUES ('2501.00001', 1,
 'Upgraded quietly', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
 PRAGMA user_version = 1;"
$PAPERBOY search --db "$T/old.db" upgraded quietly >"$T/old.out" 2>"$T/old.err"
check search-old-schema-upgraded grep -q '2501.00001' "$T/old.out"
