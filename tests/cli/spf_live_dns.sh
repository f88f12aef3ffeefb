#!/bin/sh
# SPDX-License-Identifier: MIT
# End to end: `mailseal spf --dns 127.0.0.1:PORT` against a real DNS server (nsd, or unbound)
# started on loopback for this test, then the same after the server is stopped: a dead server
# must give temperror within the timeout, with exit status 0 (the check ran).
#   spf_live_dns.sh MAILSEAL DNS_SERVER_SH
set -u
MAILSEAL=$1
DNS_SERVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
state=$(mktemp -d)
trap 'sh "$DNS_SERVER" stop "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT INT TERM
port=$(sh "$DNS_SERVER" start "$state" "$HERE/zones/live-spf.test.zone") || {
    echo "FAIL: could not start a DNS server"
    exit 1
}
echo "DNS server $(cat "$state/server") on 127.0.0.1:$port"
pass=0
fail=0
expect() { # expect RESULT IP MAIL-FROM [extra args]
    want=$1 ip=$2 mf=$3
    shift 3
    out=$("$MAILSEAL" spf --dns "127.0.0.1:$port" --json --receiver mx.test --ip "$ip" \
        --mail-from "$mf" --helo mail.test "$@")
    rc=$?
    case "$out" in
    *"\"result\":\"$want\""*)
        if [ "$rc" -eq 0 ]; then
            pass=$((pass + 1))
            echo "ok   $want $ip $mf"
            return
        fi
        ;;
    esac
    fail=$((fail + 1))
    echo "FAIL want $want for $ip $mf (exit $rc): $out"
}
expect pass 192.0.2.10 a@live-spf.test       # mx
expect pass 192.0.2.20 a@live-spf.test       # a:out
expect pass 198.51.100.9 a@live-spf.test     # include
expect pass 2001:db8:5::1 a@live-spf.test    # include, ip6
expect pass 192.0.2.30 a@live-spf.test       # exists with %{i}
expect fail 203.0.113.1 a@live-spf.test
expect none 192.0.2.10 a@nx.live-spf.test    # NXDOMAIN
# Strict DNSSEC: the test zone is unsigned and cannot chain to the root anchor, so every
# answer is bogus and the check must not pass (temperror, the validator's SERVFAIL).
if [ -r /usr/share/dns/root.key ]; then
    expect temperror 192.0.2.10 a@live-spf.test --trust-anchor /usr/share/dns/root.key --timeout 2
else
    fail=$((fail + 1))
    echo "FAIL /usr/share/dns/root.key missing (dns-root-data is in scripts/install-deps)"
fi

sh "$DNS_SERVER" stop "$state"
start=$(date +%s)
expect temperror 192.0.2.10 a@live-spf.test --timeout 1
elapsed=$(($(date +%s) - start))
if [ "$elapsed" -le 5 ]; then
    pass=$((pass + 1))
    echo "ok   dead server answered temperror in ${elapsed}s (timeout 1s)"
else
    fail=$((fail + 1))
    echo "FAIL dead server took ${elapsed}s with --timeout 1"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
