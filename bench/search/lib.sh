# Shell functions shared by bench/search/run.sh and scale.sh (bash; sourced, not run).
# Each engine function prints one JSON line on stdout: the driver's figures plus "rss_kb", or
# {"engine": E, "available": false, "why": ...} when the engine could not run.
# Needs: PY, TIME, PAPERBOY; the drivers built by bench/search/build.sh.

BIN=bench/search/work/bin

# bytes in the regular files under a path (a file or a directory)
tree_bytes() { find "$1" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

# unavailable ENGINE WHY...
unavailable() {
    local e=$1; shift
    "$PY" -c 'import json, sys; print(json.dumps({"engine": sys.argv[1], "available": False,
        "why": sys.argv[2]}))' "$e" "$*"
}

# with_fields JSON KEY=VALUE...: JSON with numeric (or, if not numeric, string) fields set
with_fields() {
    "$PY" - "$@" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    try:
        d[k] = float(v) if "." in v or "e" in v else int(v)
    except ValueError:
        d[k] = v
print(json.dumps(d))
PY
}

machine_note() {
    local cpu mem
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    printf '%s cores (%s), %s RAM, %s; Lucene jars %s (liblucene8-java %s), %s, Xapian %s, SQLite %s' \
        "$(nproc)" "$cpu" "$mem" "$(. /etc/os-release && echo "$PRETTY_NAME")" \
        "$(basename "$(ls /usr/share/java/lucene-core-8*.jar 2>/dev/null | head -1)" .jar)" \
        "$(dpkg-query -W -f='${Version}' liblucene8-java 2>/dev/null)" \
        "$(java -version 2>&1 | head -1 | tr -d '"')" \
        "$(xapian-config --version 2>/dev/null | awk '{ print $NF }')" \
        "$(sqlite3 --version 2>/dev/null | awk '{ print $1 }')"
}

# run_driver ENGINE CORPUS INDEX QUERIES K PASSES OUTDIR
# Builds INDEX from CORPUS and answers QUERIES with the peer's driver; OUTDIR gets
# run-ENGINE.trec, lat-ENGINE.tsv (qid, median us), log-ENGINE.txt and time-ENGINE.txt.
run_driver() {
    local e=$1 corpus=$2 index=$3 queries=$4 k=$5 passes=$6 out=$7
    local tf="$out/time-$e.txt" log="$out/log-$e.txt" json rc
    local args=(--corpus "$corpus" --index "$index" --queries "$queries" --k "$k"
                --passes "$passes" --run "$out/run-$e.trec" --lat "$out/lat-$e.tsv")
    local cmd
    case $e in
    lucene) cmd=(java "-Xmx${LUCENE_HEAP:-2g}" -cp "$(cat $BIN/lucene.classpath)" LuceneBench) ;;
    xapian) cmd=("$BIN/xapian_bench") ;;
    fts5) cmd=("$BIN/fts5_bench") ;;
    esac
    rm -rf "$index" "$index-compact" "$out/run-$e.trec" "$out/lat-$e.tsv"
    json=$("$TIME" -f '%e %M' -o "$tf" "${cmd[@]}" "${args[@]}" 2>"$log")
    rc=$?
    if [ $rc -ne 0 ] || [ -z "$json" ]; then
        unavailable "$e" "driver failed (exit $rc): $(tail -1 "$log")"
        return
    fi
    local extra=()
    if [ "$e" = xapian ] && command -v xapian-compact >/dev/null; then
        # Not part of the build: the size a deployed, compacted copy would have.
        xapian-compact "$index" "$index-compact" >/dev/null 2>>"$log" &&
            extra=("extra=index after xapian-compact (not timed): $(tree_bytes "$index-compact" |
                   awk '{ printf "%.1f MiB", $1 / 1048576 }')")
        rm -rf "$index-compact"
    fi
    with_fields "$json" "rss_kb=$(awk '{ print $2 }' "$tf")" "${extra[@]}"
}

# pb_hook DB QUERIES K PASSES OUTDIR
# paperboy's engine through its command-line contract:
#   paperboy index rebuild --db DB                       builds DB.index/ (timed; its size)
#   paperboy search --db DB -k K --batch QUERIES --latency LAT > RUN
#       answers every query in one process; LAT gets one latency in microseconds a line, in
#       query order. Run 1 + PASSES times; per-query medians over the last PASSES.
# Prints {"engine":"paperboy","available":false,...} when a command fails (engine not there yet).
# `index rebuild` writes to DB, which would make DB newer than corpus.jsonl: prep.sh would then
# export the corpus again, gen_queries.py remake the queries and scale.sh regenerate its 4.9 GB
# input. pb_hook keeps DB's modification time as it was.
pb_hook() {
    local mt rc
    mt=$(stat -c %y "$1")
    pb_hook_run "$@"
    rc=$?
    touch -d "$mt" "$1"
    return $rc
}
pb_hook_run() {
    local db=$1 queries=$2 k=$3 passes=$4 out=$5
    local log="$out/log-paperboy.txt" tf="$out/time-paperboy.txt" to=${PB_TIMEOUT:-3600} rc
    rm -rf "$db.index" "$out/run-paperboy.trec" "$out/lat-paperboy.tsv" "$out"/lat-paperboy.[0-9]*
    : >"$log"
    timeout "$to" "$TIME" -f '%e %M' -o "$tf.build" "$PAPERBOY" index rebuild --db "$db" \
        >>"$log" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        unavailable paperboy "\`paperboy index rebuild\` failed (exit $rc): $(head -c 200 "$log" |
                              head -1)"
        return
    fi
    local build_s rss_b index_bytes=0 note=""
    build_s=$(awk '{ print $1 }' "$tf.build")
    rss_b=$(awk '{ print $2 }' "$tf.build")
    if [ -d "$db.index" ]; then
        index_bytes=$(tree_bytes "$db.index")
    else
        note="no directory $db.index after index rebuild; size unknown"
    fi
    local i rss_s=0 r
    for i in $(seq 0 "$passes"); do
        timeout "$to" "$TIME" -f '%e %M' -o "$tf.search" "$PAPERBOY" search --db "$db" -k "$k" \
            --batch "$queries" --latency "$out/lat-paperboy.$i" >"$out/run-paperboy.trec" 2>>"$log"
        rc=$?
        if [ $rc -ne 0 ]; then
            unavailable paperboy "\`paperboy search --batch\` failed (exit $rc): $(tail -1 "$log")"
            return
        fi
        r=$(awk '{ print $2 }' "$tf.search")
        [ "$r" -gt "$rss_s" ] && rss_s=$r
    done
    local lat
    lat=$("$PY" bench/search/report.py lat-median "$queries" "$out/lat-paperboy.tsv" \
          $(seq -f "$out/lat-paperboy.%g" 1 "$passes")) ||
        { unavailable paperboy "bad --latency output"; return; }
    local docs
    docs=$("$PY" -c 'import sqlite3, sys
print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute(
    "SELECT count(*) FROM papers WHERE is_deleted = 0").fetchone()[0])' "$db")
    local fields=(engine=paperboy "docs=$docs" "build_s=$build_s" "index_bytes=$index_bytes"
                  "rss_kb=$((rss_b > rss_s ? rss_b : rss_s))" "passes=$passes")
    [ -n "$note" ] && fields+=("extra=$note")
    with_fields "$(with_fields "$lat" "${fields[@]}")" \
        "docs_per_s=$(awk -v d="$docs" -v s="$build_s" 'BEGIN { printf "%.1f", (s > 0 ? d / s : 0) }')"
}
