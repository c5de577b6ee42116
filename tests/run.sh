#!/bin/sh
# Runs every test of `make test` in order: unit tests, data-driven cases, integration tests,
# browser tests (tests/e2e, headless Chromium), fuzz corpus replay. Each test prints "pass NAME"
# or "FAIL NAME: why"; a binary that crashes or exits non-zero without printing FAIL counts as
# one failure. Ends with "N passed, N failed".
B=${1:-build/asan}
export PAPERBOY="$PWD/$B/paperboy"
export PB_ROOT="$PWD"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
LOG=$(mktemp -d)
pass=0
fail=0

run() { # name cmd...
    name=$1; shift
    out="$LOG/$(echo "$name" | tr '/ ' '__').out"
    "$@" >"$out" 2>"$out.err"
    rc=$?
    p=$(grep -c '^pass ' "$out")
    f=$(grep -c '^FAIL ' "$out")
    grep '^FAIL ' "$out"
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $name: exited with status $rc"
        tail -20 "$out.err"
        f=1
    fi
    if [ "$f" -gt 0 ]; then
        tail -5 "$out.err"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
}

run module-rules sh scripts/check-modules.sh

for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    run "$(basename "$t")" "$t"
done

for t in tests/integration/*.sh; do
    [ -f "$t" ] || continue
    run "$(basename "$t")" sh "$t"
done

# Browser tests: headless Chromium; each saves screenshots under $B/e2e-artifacts.
for t in tests/e2e/*.mjs; do
    [ -f "$t" ] || continue
    run "$(basename "$t")" sh tests/e2e/run.sh "$t"
    sed -n 's/^\(e2e screenshots .*\):$/\1/p' "$out"
done

for t in "$B"/fuzz/fuzz_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t"); name=${name#fuzz_}
    run "fuzz-$name" "$t" "$name" "tests/fuzz/corpus/$name"
done

rm -rf "$LOG"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
