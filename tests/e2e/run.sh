#!/bin/sh
# Runs one browser test (tests/e2e/NAME.mjs) in Debian's headless Chromium with playwright-core.
# Installs playwright-core from package-lock.json (npm ci) when node_modules is missing or holds
# another version. Missing node, npm or Chromium is a failure, never a skip: scripts/deps.sh
# installs them, and a `make test` without them has not tested the site.
# Usage: sh tests/e2e/run.sh tests/e2e/site.mjs   (PAPERBOY and PB_ROOT as set by tests/run.sh)
T=${1:?usage: run.sh TEST.mjs}
name=$(basename "$T" .mjs)
DIR=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${PB_CHROMIUM:-/usr/bin/chromium}
for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAIL e2e-$name: '$tool' is not installed (scripts/deps.sh installs it)"
        exit 1
    fi
done
if [ ! -x "$CHROMIUM" ]; then
    echo "FAIL e2e-$name: no Chromium at $CHROMIUM (scripts/deps.sh installs Debian's chromium)"
    exit 1
fi
want=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$DIR/package.json" | head -1)
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
       "$DIR/node_modules/playwright-core/package.json" 2>/dev/null | head -1)
if [ "$have" != "$want" ]; then
    echo "e2e: installing playwright-core $want (npm ci in tests/e2e)" >&2
    if ! (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2; then
        echo "FAIL e2e-$name: 'npm ci' in tests/e2e failed (is the npm registry reachable?)"
        exit 1
    fi
fi
PB_CHROMIUM="$CHROMIUM" exec node "$T"
