# paperboy import / show / list / stats against real files, as a user runs them.
. "$(dirname "$0")/lib.sh"
cd "$PB_ROOT" || exit 1
DB="$T/a.db"
S=data/sample
FILES="$S/2026-06-10.jsonl.gz $S/2026-06-11.jsonl.gz $S/2026-06-12.jsonl.gz $S/2026-06-13.jsonl.gz
 $S/2026-06-14.jsonl.gz $S/astro/2026-06-11.jsonl.gz $S/astro/2026-06-12.jsonl.gz
 $S/hf-daily-papers-2026-06-12.json.gz $S/oai-listrecords-arXivRaw.xml $S/rss-cs-lg.xml $S/abs/*.abs"

# shellcheck disable=SC2086
$PAPERBOY import --db "$DB" $FILES >"$T/out1" 2>"$T/err1"
check import-sample-succeeds test $? -eq 0
# Oracle: the union of ids in the sample files, read independently with Python.
want_papers=$(python3 - <<'P'
import glob, gzip, json, re
ids = set()
def strip(i):
    return re.sub(r'v[0-9]+$', '', i)
for f in glob.glob('data/sample/*.jsonl.gz') + glob.glob('data/sample/astro/*.jsonl.gz'):
    for line in gzip.open(f, 'rt'):
        if line.strip():
            ids.add(strip(json.loads(line)['id']))
for item in json.load(gzip.open('data/sample/hf-daily-papers-2026-06-12.json.gz')):
    ids.add(item['paper']['id'])
ids |= set(re.findall(r'<id>([^<]+)</id>', open('data/sample/oai-listrecords-arXivRaw.xml').read()))
ids |= {strip(i) for i in re.findall(r'<guid[^>]*>oai:arXiv.org:([^<]+)</guid>', open('data/sample/rss-cs-lg.xml').read())}
for f in glob.glob('data/sample/abs/*.abs'):
    ids.add(re.search(r'^arXiv:(\S+)', open(f).read(), re.M).group(1))
print(len(ids))
P
)
new1=$(summary_field new "$T/out1")
check import-sample-new-matches-oracle test "$new1" = "$want_papers"
papers=$($PAPERBOY stats --db "$DB" | sed -n 's/^papers: *\([0-9]*\).*/\1/p')
check import-sample-papers-match-oracle test "$papers" = "$want_papers"
check import-sample-no-rejects grep -q ' 0 rejected' "$T/out1"

# The same input again changes nothing.
# shellcheck disable=SC2086
$PAPERBOY import --db "$DB" $FILES >"$T/out2" 2>"$T/err2"
check reimport-succeeds test $? -eq 0
check reimport-is-noop grep -q '0 new, 0 updated' "$T/out2"
read1=$(summary_field read "$T/out1"); read2=$(summary_field read "$T/out2")
check reimport-reads-same test "$read1" = "$read2"
unchanged=$(summary_field unchanged "$T/out2")
check reimport-all-unchanged test "$unchanged" = "$read2"

check stats-check-ok sh -c "$PAPERBOY stats --db '$DB' --check | grep -q 'check: *ok'"

# show accepts every id form and prints the stored fields.
for form in 0704.0001 arXiv:0704.0001v2 https://arxiv.org/abs/0704.0001 http://arxiv.org/pdf/0704.0001v1; do
    $PAPERBOY show --db "$DB" "$form" >"$T/show" 2>&1
    check "show-id-form-$form" grep -q 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies' "$T/show"
done
check show-old-style-id sh -c "$PAPERBOY show --db '$DB' arXiv:math-ph/0509001 | grep -q 'Zero modes in a system of Aharonov--Bohm solenoids'"
$PAPERBOY show --db "$DB" 0704.0001 >"$T/show"
check show-has-version grep -q 'version: *v2' "$T/show"
check show-has-provenance grep -q 'abs record 1' "$T/show"
$PAPERBOY show --db "$DB" 9999.99999 >/dev/null 2>"$T/err"
check show-unknown-exits-1 test $? -eq 1
check show-unknown-says-so grep -q "no paper '9999.99999'" "$T/err"
$PAPERBOY show --db "$DB" not-an-id >/dev/null 2>"$T/err"
check show-garbage-id-clear-error grep -q "not an arXiv id" "$T/err"

# JSON output is valid JSON with the merged Hugging Face data.
hfid=$(python3 -c 'import gzip,json; d=json.load(gzip.open("data/sample/hf-daily-papers-2026-06-12.json.gz")); print(d[0]["paper"]["id"])')
$PAPERBOY show --db "$DB" --json "$hfid" >"$T/show.json"
check show-json-parses python3 -c "import json,sys; d=json.load(open('$T/show.json')); assert d['id']=='$hfid' and d['upvotes'] is not None and d['featured_day']=='2026-06-12' and d['provenance'], d"

# list: latest day by default, a day, a week, a month.
$PAPERBOY list --db "$DB" >"$T/list"
check list-latest-day grep -q '== 2026-06-14 ==' "$T/list"
$PAPERBOY list --db "$DB" --date 2026-06-12 --json >"$T/day.json"
n_day=$(python3 -c "import json; d=json.load(open('$T/day.json')); assert all(p['listing_day']=='2026-06-12' for p in d); print(len(d))")
want_day=$(python3 -c "
import gzip,json
ids=set()
for f in ['data/sample/2026-06-12.jsonl.gz','data/sample/astro/2026-06-12.jsonl.gz']:
    for l in gzip.open(f,'rt'):
        if l.strip(): ids.add(json.loads(l)['id'].split('v')[0])
print(len(ids))")
check list-date-matches-source test "$n_day" = "$want_day"
$PAPERBOY list --db "$DB" --week 2026-W24 --json >"$T/week.json"
check list-week-spans-days python3 -c "import json; d=json.load(open('$T/week.json')); s={p['listing_day'] for p in d}; assert s=={'2026-06-10','2026-06-11','2026-06-12','2026-06-13','2026-06-14'}, s"
$PAPERBOY list --db "$DB" --month 2026-06 >/dev/null
check list-month-ok test $? -eq 0
$PAPERBOY list --db "$DB" --week 2026-W99 >/dev/null 2>"$T/err"
check list-bad-week-usage test $? -eq 2
check list-bad-week-says-why grep -q "not an ISO week" "$T/err"

# search (scan) finds a title word.
check search-finds sh -c "$PAPERBOY search --db '$DB' -k 3 diphoton | grep -q 0704.0001"

# stdin and --format.
zcat "$S/2026-06-10.jsonl.gz" | $PAPERBOY import --db "$T/stdin.db" --format daily - >"$T/out" 2>&1
check import-stdin test $? -eq 0
n=$(summary_field new "$T/out")
check import-stdin-count test "$n" -gt 100
