#!/bin/sh
# Install every Debian package paperboy needs to build, test and demo. Idempotent: packages that
# are already installed are skipped without touching the network. Run as root on Debian 12.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev
libsqlite3-dev sqlite3 libexpat1-dev libjansson-dev zlib1g-dev
libcurl4-openssl-dev libmicrohttpd-dev libstemmer-dev libutf8proc-dev libsodium-dev
python3 python3-feedparser python3-aiosmtpd curl chromium"
# The browser test runs playwright-core on node: Debian's nodejs and npm unless a node (and its
# npm) is already installed some other way.
if ! command -v node >/dev/null 2>&1; then
    PKGS="$PKGS nodejs npm"
elif ! command -v npm >/dev/null 2>&1; then
    PKGS="$PKGS npm"
fi
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
