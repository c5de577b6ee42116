#!/bin/bash
# Import benchmark: everything under ../shared/data/arxiv into a fresh database, end to end in one
# paperboy process, side by side with a floor (bench/import/floor.py: the same records appended
# to one plain SQLite table by Debian's Python), then peak RSS over 1/4, 1/2 and all of daily-cs.
# Prints a Markdown report on stdout; progress goes to stderr. Results: docs/BENCHMARKS.md.
#   RUNS=3            runs of each side (interleaved; medians reported)
#   DATA=../shared/data/arxiv   input root, relative to the repo root
#   PAPERBOY=path     use this binary instead of building build/rel/paperboy
#   BASE=path         also run this paperboy binary (e.g. main's build) in every run, interleaved
#                     with the other two, and report it as "baseline" beside them
#   KEEP=1            keep the temporary directory (databases, logs, time -v output)
set -u
cd "$(dirname "$0")/../.." || exit 1
RUNS=${RUNS:-3}
DATA=${DATA:-../shared/data/arxiv}
PY=/usr/bin/python3
TIME=/usr/bin/time
FLOOR=bench/import/floor.py
say() { printf '%s\n' "$*" >&2; }

for t in "$PY" "$TIME"; do
    [ -x "$t" ] || { say "bench/import: $t is missing (apt-get install time python3)"; exit 2; }
done
[ -d "$DATA/daily-cs" ] || { say "bench/import: no input at '$DATA' (set DATA)"; exit 2; }

if [ -z "${PAPERBOY:-}" ]; then
    PAPERBOY=build/rel/paperboy
    make -j2 --no-print-directory "$PAPERBOY" >&2 || { say "bench/import: build failed"; exit 2; }
fi
[ -x "$PAPERBOY" ] || { say "bench/import: no binary at '$PAPERBOY'"; exit 2; }
BASE=${BASE:-}
[ -z "$BASE" ] || [ -x "$BASE" ] || { say "bench/import: no baseline binary at '$BASE'"; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pb-bench-import.XXXXXX") || exit 2
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$TMP"' EXIT; else say "bench/import: keeping $TMP"; fi

# The input, in a fixed order. Sorted so every run and both sides see the same sequence.
CS=() ASTRO=() ABS=() LISTINGS=()
mapfile -t CS < <(ls "$DATA"/daily-cs/*.jsonl.gz | LC_ALL=C sort)
mapfile -t ASTRO < <(ls "$DATA"/daily-astro/*.jsonl.gz | LC_ALL=C sort)
mapfile -t ABS < <(find -L "$DATA/abs-files/abs_files" -name '*.abs' -type f | LC_ALL=C sort)
mapfile -t LISTINGS < <(find -L "$DATA/abs-files/abs_files" -path '*/listings/*.gz' -type f |
                        LC_ALL=C sort)
ALL=("${CS[@]}" "${ASTRO[@]}" "${ABS[@]}" "${LISTINGS[@]}")
N_FILES=${#ALL[@]}
IN_BYTES=$(cat "${ALL[@]}" | wc -c)   # also warms the page cache for both sides
say "bench/import: $N_FILES files (${#CS[@]} daily-cs, ${#ASTRO[@]} daily-astro, ${#ABS[@]} .abs," \
    "${#LISTINGS[@]} listings), $((IN_BYTES / 1048576)) MiB on disk, $RUNS runs"

# time -v field -> value
tv() { sed -n "s/^[[:space:]]*$1: //p" "$2" | head -1; }
# user + system CPU seconds from a time -v file
cpu_s() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"; }
# wall "h:mm:ss" or "m:ss.ss" -> seconds
wall_s() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'; }
fsize() {
    local n=0 f
    for f in "$@"; do [ -f "$f" ] && n=$((n + $(stat -c %s "$f"))); done
    echo $n
}

RES="$TMP/results.tsv"   # side tag wall_s records rss_kb db_bytes wal_bytes cpu_pct rejected failed
                         # self_rate cpu_s(user+sys) voluntary_context_switches
: >"$RES"

# One paperboy import of the given files into a fresh db; appends a row to $RES (side
# "paperboy", or "base" when BIN is set to the baseline binary).
run_paperboy() {
    local tag=$1; shift
    local bin=${BIN:-$PAPERBOY} side=${SIDE:-paperboy}
    local db="$TMP/$tag.db" out="$TMP/$tag.out" err="$TMP/$tag.err" tf="$TMP/$tag.time"
    rm -rf "$db" "$db-wal" "$db-shm" "$db.index"
    # the import alone: building the search index afterwards is measured in bench/search
    local noidx=""
    if "$bin" import --help 2>/dev/null | grep -q -- '--no-index'; then noidx=--no-index; fi
    "$TIME" -v -o "$tf" "$bin" import --quiet $noidx --db "$db" "$@" >"$out" 2>"$err"
    local rc=$?
    local sum read rej failed self
    sum=$(grep -E '^[0-9]+ read, ' "$out" | tail -1)
    if [ -z "$sum" ]; then
        say "bench/import: $tag: no summary line (exit $rc); stderr:"; head -5 "$err" >&2
        read=0 rej=0 failed=0 self=0
    else
        read=$(sed -E 's/^([0-9]+) read.*/\1/' <<<"$sum")
        rej=$(sed -E 's/.* ([0-9]+) rejected.*/\1/' <<<"$sum")
        failed=$(sed -nE 's/.* ([0-9]+) files failed.*/\1/p' <<<"$sum"); failed=${failed:-0}
        self=$(sed -nE 's/.*, ([0-9]+) records\/s\).*/\1/p' <<<"$sum")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$side" "$tag" \
        "$(tv 'Elapsed (wall clock) time (h:mm:ss or m:ss)' "$tf" | wall_s)" "$read" \
        "$(tv 'Maximum resident set size (kbytes)' "$tf")" "$(fsize "$db")" "$(fsize "$db-wal")" \
        "$(tv 'Percent of CPU this job got' "$tf" | tr -d %)" "$rej" "$failed" "${self:-0}" \
        "$(cpu_s "$tf")" "$(tv 'Voluntary context switches' "$tf")" >>"$RES"
    say "  $tag: exit $rc: ${sum:-no summary}"
}

run_floor() {
    local tag=$1; shift
    local db="$TMP/$tag.db" out="$TMP/$tag.out" err="$TMP/$tag.err" tf="$TMP/$tag.time"
    rm -f "$db" "$db-wal" "$db-shm"
    "$TIME" -v -o "$tf" "$PY" "$FLOOR" "$db" "$@" >"$out" 2>"$err"
    local rc=$? sum rows
    sum=$(grep -E '^[0-9]+ rows, ' "$out" | tail -1)
    rows=$(sed -E 's/^([0-9]+) rows.*/\1/' <<<"${sum:-0 rows}")
    [ -n "$sum" ] || { say "bench/import: $tag: floor failed (exit $rc):"; tail -3 "$err" >&2; }
    printf 'floor\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t0\t0\t0\t%s\t%s\n' "$tag" \
        "$(tv 'Elapsed (wall clock) time (h:mm:ss or m:ss)' "$tf" | wall_s)" "$rows" \
        "$(tv 'Maximum resident set size (kbytes)' "$tf")" "$(fsize "$db")" "$(fsize "$db-wal")" \
        "$(tv 'Percent of CPU this job got' "$tf" | tr -d %)" "$(cpu_s "$tf")" \
        "$(tv 'Voluntary context switches' "$tf")" >>"$RES"
    say "  $tag: exit $rc: ${sum:-no summary}"
}

run_base() {
    BIN=$BASE SIDE=base run_paperboy "$@"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq 1 "$RUNS"); do
    say "bench/import: run $i of $RUNS"
    # Rotate which side goes first so a slow stretch of a noisy machine hits every side.
    sides=(pb fl)
    [ -z "$BASE" ] || sides=(pb bs fl)
    n=${#sides[@]}
    for k in $(seq 0 $((n - 1))); do
        side=${sides[$(((i - 1 + k) % n))]}
        case $side in
        pb) run_paperboy "pb$i" "${ALL[@]}" ;;
        bs) run_base "bs$i" "${ALL[@]}" ;;
        fl) run_floor "fl$i" "${ALL[@]}" ;;
        esac
        rm -f "$TMP/$side$i.db"*
    done
done

say "bench/import: memory flatness (daily-cs 1/4, 1/2, all)"
NCS=${#CS[@]}
for frac in 4 2 1; do
    n=$((NCS / frac))
    run_paperboy "cs_1of$frac" "${CS[@]:0:$n}"
    sed -i "\$s/^paperboy\t/flat\t/" "$RES"
    rm -f "$TMP/cs_1of$frac.db"*
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# Problems paperboy reported in the first run: rejected records and files it could not import.
N_REJ_MSG=$(grep -c '^paperboy: rejected record' "$TMP/pb1.err" 2>/dev/null)
N_FAIL_MSG=$(grep -c '^paperboy: cannot import' "$TMP/pb1.err" 2>/dev/null)

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
REV=$(git rev-parse --short HEAD 2>/dev/null)
git diff --quiet HEAD -- src 2>/dev/null || REV="$REV+uncommitted src changes"

export PAPERBOY BASE RES RUNS N_FILES IN_BYTES CPU MEM REV LOAD0 LOAD1 NCS N_REJ_MSG N_FAIL_MSG
export N_CS=${#CS[@]} N_ASTRO=${#ASTRO[@]} N_ABS=${#ABS[@]} N_LST=${#LISTINGS[@]}
"$PY" - <<'PY'
import os, statistics as st
E = os.environ
rows = [l.rstrip("\n").split("\t") for l in open(E["RES"]) if l.strip()]
def col(side, i, conv=float):
    return [conv(r[i]) for r in rows if r[0] == side and r[i] not in ("", None)]
def med(side, i):
    v = col(side, i)
    return st.median(v) if v else float("nan")
W, REC, RSS, DB, WAL, CPU_, REJ, FAIL, SELF, CPUS, VCSW = range(2, 13)
def rate(side, i=W):
    v = [float(r[REC]) / float(r[i]) for r in rows if r[0] == side and float(r[i]) > 0]
    return st.median(v) if v else float("nan")
pb, fl = "paperboy", "floor"
mb = 1024 * 1024
print("### Import (bench/import): %d runs each, medians" % int(E["RUNS"]))
print()
print("Machine: %s cores, %s, %s RAM; load average %s before, %s after. Tree: %s."
      % (os.cpu_count(), E["CPU"], E["MEM"], E["LOAD0"], E["LOAD1"], E["REV"]))
print("Input: %s files (%s daily-cs, %s daily-astro, %s .abs, %s listings), %.0f MiB on disk."
      % (E["N_FILES"], E["N_CS"], E["N_ASTRO"], E["N_ABS"], E["N_LST"], int(E["IN_BYTES"]) / mb))
print()
bs = "base" if E.get("BASE") else None
print("Command: `RUNS=%s%s bench/import/run.sh`. Each run, interleaved: `/usr/bin/time -v %s"
      " import --quiet --no-index --db DB FILE...`%s and `/usr/bin/time -v /usr/bin/python3"
      " bench/import/floor.py DB FILE...`, one process each, the same %s FILEs in the same order,"
      " a fresh DB every time."
      % (E["RUNS"], " BASE=" + E["BASE"] if bs else "", E["PAPERBOY"],
         ", the same with the baseline `%s`" % E["BASE"] if bs else "", E["N_FILES"]))
print()
if bs:
    print("| | paperboy | baseline | floor (Python sqlite3, one plain table) | paperboy / floor"
          " | paperboy / baseline |")
    print("|---|---:|---:|---:|---:|---:|")
else:
    print("| | paperboy | floor (Python sqlite3, one plain table) | paperboy / floor |")
    print("|---|---:|---:|---:|")
def line(name, f, fmt, ratio=True):
    a, b = f(pb), f(fl)
    def rt(x, y):
        return ("%.2f" % (x / y)) if ratio and y and y == y and x == x else ""
    if bs:
        c = f(bs)
        print("| %s | %s | %s | %s | %s | %s |" % (name, fmt % a, fmt % c, fmt % b, rt(a, b),
                                                  rt(a, c)))
    else:
        print("| %s | %s | %s | %s |" % (name, fmt % a, fmt % b, rt(a, b)))
line("records read / rows inserted", lambda s: med(s, REC), "%.0f")
line("wall time, s", lambda s: med(s, W), "%.1f")
line("**records/s end to end**", lambda s: rate(s), "%.0f")
line("peak RSS, MiB", lambda s: med(s, RSS) / 1024, "%.1f")
line("database file, MiB", lambda s: med(s, DB) / mb, "%.1f")
line("-wal left after exit, MiB", lambda s: med(s, WAL) / mb, "%.1f", False)
line("CPU time (user + sys), s", lambda s: med(s, CPUS), "%.1f")
line("records per CPU second", lambda s: rate(s, CPUS), "%.0f")
line("CPU use = CPU time / wall, %", lambda s: med(s, CPU_), "%.0f", False)
line("voluntary context switches", lambda s: med(s, VCSW), "%.0f", False)
print()
def per_run(side):
    return ", ".join("%.0f" % (float(r[REC]) / float(r[W])) for r in rows if r[0] == side)
print("paperboy per run (records/s end to end): %s;%s floor: %s. paperboy's own summary rate: %s."
      % (per_run(pb), " baseline: %s;" % per_run(bs) if bs else "", per_run(fl),
         ", ".join(r[SELF] for r in rows if r[0] == pb)))
rej = col(pb, REJ, int); fail = col(pb, FAIL, int)
print("paperboy rejected records per run: %s; files it could not import per run: %s "
      "(first run's stderr: %s 'rejected record' and %s 'cannot import' lines)."
      % (rej, fail, E["N_REJ_MSG"], E["N_FAIL_MSG"]))
if col(pb, REC) and col(fl, REC) and med(pb, REC) != med(fl, REC):
    print("NOTE: paperboy read %.0f records, the floor %.0f rows: they disagree on the input."
          % (med(pb, REC), med(fl, REC)))
print()
print("Memory flatness, paperboy, daily-cs only, one run each:")
print()
print("| daily-cs files | records read | peak RSS, MiB | wall, s | database, MiB |")
print("|---:|---:|---:|---:|---:|")
for r in rows:
    if r[0] == "flat":
        name = r[1].replace("cs_1of1", "all").replace("cs_1of", "1/")
        print("| %s | %s | %.1f | %s | %.1f |" % (name, r[REC], float(r[RSS]) / 1024, r[W],
              (float(r[DB]) + float(r[WAL])) / mb))
PY
# A parser that is not finished shows up here: "not supported yet", rejected records and so on.
if grep -q '^paperboy' "$TMP/pb1.err" 2>/dev/null; then
    echo
    echo "paperboy's messages in the first run, by kind (count, message with the file folded):"
    echo
    grep -E '^paperboy' "$TMP/pb1.err" |
        sed -E -e "s/(rejected record) [0-9]+ of '[^']*'( \(line [0-9]+\))?/\1 of FILE/" \
            -e "s/(cannot import) '[^']*'( \(line [0-9]+\))?/\1 FILE/" |
        cut -c1-160 | sort | uniq -c | sort -rn | head -10 | sed 's/^/    /'
    echo
    echo "The first of them:"
    echo
    grep -E '^paperboy' "$TMP/pb1.err" | head -5 | cut -c1-200 | sed 's/^/    /'
fi
