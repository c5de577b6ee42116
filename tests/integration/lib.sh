# Helpers for integration tests (sourced). Each check prints "pass NAME" or "FAIL NAME: why".
# $PAPERBOY is the binary under test and $PB_ROOT the repo root (set by tests/run.sh).
: "${PAPERBOY:?set by tests/run.sh}"
: "${PB_ROOT:?set by tests/run.sh}"
SHARED="$PB_ROOT/../shared/data"
T=$(mktemp -d /tmp/pb-it-XXXXXX)
trap 'rm -rf "$T"' EXIT

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
