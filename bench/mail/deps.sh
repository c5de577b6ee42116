#!/bin/sh
# What bench/mail needs beyond make test's packages: Postfix's smtp-sink, a C SMTP sink that
# accepts and discards (the postfix package, installed without configuring a mail system, so
# no daemon runs). Idempotent; run as root on Debian 12.
set -eu
if [ -x /usr/sbin/smtp-sink ]; then
    exit 0
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postfix
