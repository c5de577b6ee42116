#!/bin/sh
# Install the search peers that bench/search and bench/eval run side by side with paperboy:
# Lucene 8 (+ a JDK to compile the driver), Xapian, SQLite FTS5, and GNU time for peak RSS.
# Idempotent: packages already installed are skipped without touching the network. Run as root
# on Debian 12. Not part of `make test` or `make deps`: only the benchmarks need these.
set -eu
PKGS="liblucene8-java openjdk-17-jdk-headless libxapian-dev xapian-tools
sqlite3 libsqlite3-dev g++ time python3"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "bench/search/deps.sh: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi
echo "bench/search/deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
