#!/bin/sh
# SPDX-License-Identifier: MIT
# Drives tests/e2e/dns_live_test.c: start a DNS server for the test zone, run the "live" phase,
# stop the server, run the "dead" phase (a stopped server must give TEMPFAIL within the
# timeout). The server is stopped on every exit, failures included.
# Usage: dns_live.sh TEST_BINARY DNS_SERVER_SH ZONEFILE
set -eu
[ $# -eq 3 ] || { echo "usage: dns_live.sh TEST_BINARY DNS_SERVER_SH ZONEFILE" >&2; exit 2; }
bin=$1
server=$2
zone=$3
state=$(mktemp -d "${TMPDIR:-/tmp}/mailseal-dns-live.XXXXXX")
cleanup() {
    sh "$server" stop "$state" || true
    rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(sh "$server" start "$state" "$zone")
echo "dns_live: $(cat "$state/server") on 127.0.0.1:$port"
"$bin" live "$port"
sh "$server" stop "$state"
"$bin" dead "$port"
