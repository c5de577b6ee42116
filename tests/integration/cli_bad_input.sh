# Bad input: clear messages (file, record/line, reason), nothing stored lost, non-zero exit.
. "$(dirname "$0")/lib.sh"
cd "$PB_ROOT" || exit 1
DB="$T/b.db"

# A daily listing with one good line, one broken line, one without id, one good line.
cat >"$T/2026-01-05.jsonl" <<'J'
{"id": "2601.00001", "categories": ["cs.LG"], "authors": ["A. One"], "title": "First good paper", "comment": null, "summary": "Alpha."}
{"id": "2601.00002", "categories": ["cs.LG"], "title": "Broken
{"categories": ["cs.LG"], "authors": ["B. Two"], "title": "No id here", "summary": "Beta."}
{"id": "2601.00004", "categories": ["cs.CL"], "authors": ["C. Three"], "title": "Second good paper", "comment": null, "summary": "Gamma."}
J
$PAPERBOY import --db "$DB" "$T/2026-01-05.jsonl" >"$T/out" 2>"$T/err"
rc=$?
check bad-lines-exit-1 test $rc -eq 1
check bad-lines-summary grep -q '4 read, 2 new, 0 updated, 0 unchanged, 2 rejected' "$T/out"
check bad-lines-name-file-and-line grep -q "2026-01-05.jsonl' (line 2)" "$T/err"
check bad-lines-name-reason grep -q "line 3\|missing" "$T/err"
check bad-lines-good-ones-stored sh -c "$PAPERBOY show --db '$DB' 2601.00004 | grep -q 'Second good paper'"

# --strict stops at the first reject; what came before stays.
$PAPERBOY import --db "$T/strict.db" --strict "$T/2026-01-05.jsonl" >"$T/out" 2>"$T/err"
check strict-exit-1 test $? -eq 1
check strict-kept-first sh -c "$PAPERBOY show --db '$T/strict.db' 2601.00001 >/dev/null"
$PAPERBOY show --db "$T/strict.db" 2601.00004 >/dev/null 2>&1
check strict-stopped-before-rest test $? -eq 1

# Unknown format, missing file, directory, empty file.
printf 'hello, this is not a paper\n' >"$T/hello.txt"
$PAPERBOY import --db "$DB" "$T/hello.txt" >/dev/null 2>"$T/err"
check unknown-format-exit-1 test $? -eq 1
check unknown-format-says-why grep -q "not a format paperboy knows" "$T/err"
$PAPERBOY import --db "$DB" "$T/missing.xml" >/dev/null 2>"$T/err"
check missing-file-says-why grep -q "missing.xml.*No such file" "$T/err"
: >"$T/empty.xml"
$PAPERBOY import --db "$DB" "$T/empty.xml" >"$T/out" 2>"$T/err"
check empty-file-is-zero-records grep -q "0 read" "$T/out"
$PAPERBOY import --db "$DB" --format nosuch x >/dev/null 2>"$T/err"
check unknown-format-flag-usage test $? -eq 2

# A truncated XML document: the complete records before the cut are kept, the error says where.
head -c 6000 data/sample/oai-listrecords-arXivRaw.xml >"$T/cut.xml"
$PAPERBOY import --db "$T/cut.db" "$T/cut.xml" >"$T/out" 2>"$T/err"
check truncated-xml-exit-1 test $? -eq 1
check truncated-xml-says-where grep -q "cut.xml" "$T/err"
check truncated-xml-db-consistent sh -c "$PAPERBOY stats --db '$T/cut.db' --check | grep -q 'check: *ok'"

# A truncated gzip file.
head -c 20000 data/sample/2026-06-10.jsonl.gz >"$T/2026-06-10.jsonl.gz"
$PAPERBOY import --db "$T/gz.db" "$T/2026-06-10.jsonl.gz" >"$T/out" 2>"$T/err"
check truncated-gzip-exit-1 test $? -eq 1
check truncated-gzip-says-why grep -q "truncated" "$T/err"
check truncated-gzip-db-consistent sh -c "$PAPERBOY stats --db '$T/gz.db' --check | grep -q 'check: *ok'"

# Not a database.
printf 'not sqlite at all, a plain text file that is long enough\n' >"$T/notdb"
$PAPERBOY stats --db "$T/notdb" >/dev/null 2>"$T/err"
check not-a-database-exit-1 test $? -eq 1
check not-a-database-says-why grep -q "cannot open database" "$T/err"

# Header injection-ish and huge values in a record do not crash or leak into other fields.
python3 - "$T/2026-01-06.jsonl" <<'P'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "2601.00010", "title": "Huge", "summary": "x" * 300000, "categories": ["cs.LG"]}) + "\n")
    f.write(json.dumps({"id": "2601.00011", "title": "Fine\r\nX-Injected: yes", "summary": "ok", "categories": ["cs.LG"]}) + "\n")
P
$PAPERBOY import --db "$T/huge.db" "$T/2026-01-06.jsonl" >"$T/out" 2>"$T/err"
check huge-field-rejected grep -q "rejected record 1" "$T/err"
check huge-field-neighbour-kept sh -c "$PAPERBOY show --db '$T/huge.db' 2601.00011 | grep -q 'title: *Fine X-Injected: yes'"
