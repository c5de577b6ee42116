#!/bin/sh
# Install what bench/web needs: wrk (HTTP load) and nginx (the static ceiling). Idempotent:
# packages already installed are skipped without touching the network. Run as root on Debian 12.
# Not part of `make test` or `make deps`: only this benchmark needs them. The nginx package's
# own service is not used (run.sh starts a private nginx on a loopback port and stops it).
set -eu
PKGS="wrk nginx curl python3"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "bench/web/deps.sh: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi
echo "bench/web/deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
