#!/bin/sh
# SPDX-License-Identifier: MIT
# End to end: `mailseal check` against a real DNS server (nsd, or unbound) on loopback serving
# one fixture per situation of issue 5 §3 (tests/check/zones/check.test.zone), plus a
# DNSSEC-signed zone signed here with ldns (validated through --trust-anchor). Each situation
# asserts the finding ids it must produce (and a few it must not), and the exit status.
#   check_live_dns.sh MAILSEAL DNS_SERVER_SH
set -u
MAILSEAL=$1
DNS_SERVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
state=$(mktemp -d)
work=$(mktemp -d)
trap 'sh "$DNS_SERVER" stop "$state" >/dev/null 2>&1; rm -rf "$state" "$work"' EXIT INT TERM
pass=0
fail=0
problem() {
    fail=$((fail + 1))
    echo "FAIL $*"
}

# The DNSSEC fixture: a zone signed now with a fresh key; its DNSKEY is the trust anchor.
signed=""
if command -v ldns-keygen >/dev/null && command -v ldns-signzone >/dev/null; then
    cat >"$work/signed.check.test.zone" <<'ZONE'
$ORIGIN signed.check.test.
$TTL 300
@       IN SOA  ns.check.test. hostmaster.check.test. 1 3600 600 86400 300
        IN NS   ns.check.test.
@       IN MX   10 mx.ok.check.test.
@       IN TXT  "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc  IN TXT  "v=DMARC1; p=reject; rua=mailto:dmarc@signed.check.test"
ZONE
    (cd "$work" && ldns-keygen -a ECDSAP256SHA256 -k signed.check.test >keyname) &&
        key=$(cat "$work/keyname") &&
        (cd "$work" && ldns-signzone -n signed.check.test.zone "$key" >/dev/null) &&
        cp "$work/$key.key" "$work/anchor.key" &&
        signed="$work/signed.check.test.zone.signed"
    [ -n "$signed" ] || problem "could not sign the DNSSEC fixture with ldns"
else
    problem "ldns-keygen/ldns-signzone missing (ldnsutils is in scripts/install-deps)"
fi

port=$(sh "$DNS_SERVER" start "$state" "$HERE/zones/test.zone" "$HERE/zones/com.zone" \
    "$HERE/zones/check.test.zone" "$HERE/zones/amazonses.com.zone" $signed) || {
    echo "FAIL: could not start a DNS server"
    exit 1
}
echo "DNS server $(cat "$state/server") on 127.0.0.1:$port"

# expect NAME EXIT 'id'... [--not 'id'...] -- check args
expect() {
    name=$1 want_rc=$2
    shift 2
    has="" hasnt="" mode=has
    while [ "$1" != "--" ]; do
        if [ "$1" = "--not" ]; then
            mode=hasnt
        elif [ "$mode" = has ]; then
            has="$has $1"
        else
            hasnt="$hasnt $1"
        fi
        shift
    done
    shift
    out=$("$MAILSEAL" check --dns "127.0.0.1:$port" --timeout 3 --json "$@")
    rc=$?
    bad=""
    [ "$rc" -eq "$want_rc" ] || bad="exit $rc, want $want_rc"
    for id in $has; do
        case "$out" in *"\"id\":\"$id\""*) ;; *) bad="$bad; no $id" ;; esac
    done
    for id in $hasnt; do
        case "$out" in *"\"id\":\"$id\""*) bad="$bad; unexpected $id" ;; esac
    done
    if [ -z "$bad" ]; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        problem "$name: $bad"
        echo "     $out"
    fi
}

expect "a correct setup" 0 --not spf-missing dmarc-missing dkim-none-found mx-missing \
    -- ok.check.test --selector s1
expect "SES: DKIM CNAMEs pending at the provider" 3 dkim-cname-pending \
    provider-ses-dkim-pending dmarc-policy-none \
    -- ses-pending.check.test --selector tok1 --selector tok2 --selector tok3
expect "SES without a custom MAIL FROM" 0 provider-ses-no-custom-mail-from \
    --not dkim-cname-pending -- ses-nomailfrom.check.test --selector tok1
expect "SPF over the lookup limit" 3 spf-lookup-limit -- spf-limit.check.test
expect "SPF void lookups" 3 spf-void-limit -- spf-void.check.test
expect "two SPF records" 3 spf-multiple -- spf-two.check.test
expect "broken DMARC: p=rejected" 3 dmarc-policy-invalid -- dmarc-broken.check.test
expect "broken DMARC: no v=DMARC1 first" 3 dmarc-syntax -- dmarc-novers.check.test
expect "external rua without authorization" 3 dmarc-rua-unauthorized -- rua-ext.check.test
expect "weak DKIM keys" 3 dkim-weak-key dkim-rsa-under-1024 \
    -- weak-key.check.test --selector k1024 --selector k512
expect "domain appended twice" 3 dkim-domain-twice -- twice.check.test --selector sel
expect "no MX" 0 mx-missing -- nomx.check.test
expect "no such domain" 3 spf-missing dmarc-missing -- nx.check.test
expect "not a domain" 3 domain-invalid -- 'bad..name'
if [ -n "$signed" ]; then
    expect "DNSSEC-signed and validated" 0 --not dnssec-unsigned dnssec-dns-error \
        -- signed.check.test --trust-anchor "$work/anchor.key"
    expect "unsigned zone" 0 dnssec-unsigned -- ok.check.test --selector s1
fi
# Several domains in one run: one JSON line each, the worst exit status.
n=$("$MAILSEAL" check --dns "127.0.0.1:$port" --json ok.check.test spf-two.check.test | wc -l)
rc=$?
if [ "$n" -eq 2 ]; then
    pass=$((pass + 1))
    echo "ok   two domains, two lines"
else
    problem "two domains gave $n lines"
fi
printf 'ok.check.test\n# a comment\n\nspf-two.check.test\n' >"$work/domains"
"$MAILSEAL" check --dns "127.0.0.1:$port" --json --domains-file "$work/domains" >/dev/null
rc=$?
if [ "$rc" -eq 3 ]; then
    pass=$((pass + 1))
    echo "ok   --domains-file: exit 3 (spf-two has errors)"
else
    problem "--domains-file exit $rc, want 3"
fi

# A server that stops answering halfway: a partial report, never a crash.
sh "$DNS_SERVER" stop "$state"
out=$("$MAILSEAL" check --dns "127.0.0.1:$port" --timeout 1 --json ok.check.test)
rc=$?
case "$out" in
*'"incomplete":true'*)
    pass=$((pass + 1))
    echo "ok   dead server: incomplete report (exit $rc)"
    ;;
*) problem "dead server (exit $rc): $out" ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
