#!/bin/sh
# SPDX-License-Identifier: MIT
# End to end: `mailseal verify --dns 127.0.0.1:PORT` against a real DNS server (nsd, or
# unbound) on loopback, on messages signed by a peer (dkimpy, through its library API) and by
# mailseal, with SPF and DMARC records: every verdict (SPF, DKIM, alignment, DMARC, the policy
# tag and the disposition) must be the one RFC 7208, RFC 6376 and RFC 9989 give.
#   verify_live_dns.sh MAILSEAL DNS_SERVER_SH
set -u
MAILSEAL=$1
DNS_SERVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
KEYS=$HERE/keys
state=$(mktemp -d)
work=$(mktemp -d)
trap 'sh "$DNS_SERVER" stop "$state" >/dev/null 2>&1; rm -rf "$state" "$work"' EXIT INT TERM
port=$(sh "$DNS_SERVER" start "$state" "$HERE/zones/live-verify.test.zone" \
    "$HERE/zones/live-provider.test.zone" "$HERE/zones/live-other.test.zone") || {
    echo "FAIL: could not start a DNS server"
    exit 1
}
echo "DNS server $(cat "$state/server") on 127.0.0.1:$port"
pass=0
fail=0

message() { # message FROM-ADDRESS FILE
    printf 'From: Shop <%s>\r\nTo: c@example.net\r\nSubject: order 42\r\nDate: Sun, 29 Nov 2026 10:00:00 +0000\r\nMessage-ID: <42@x>\r\n\r\nYour order shipped.\r\n' "$1" >"$2"
}
dkimpy_sign() { # dkimpy_sign ALG SELECTOR KEY IN OUT
    mkdir -p "$work/dkimpy"
    "$PY" "$ROOT/tests/interop/peers/dkimpy_tool.py" sign --alg "$1" --domain live-verify.test \
        --selector "$2" --key "$3" --canon relaxed/relaxed --outdir "$work/dkimpy" "$4" &&
        mv "$work/dkimpy/$(basename "$4")" "$5"
}

# check NAME FILE 'json fragment'... -- mailseal verify args
check() {
    name=$1 file=$2
    shift 2
    wants=""
    while [ "$1" != "--" ]; do
        wants="$wants
$1"
        shift
    done
    shift
    out=$("$MAILSEAL" verify --dns "127.0.0.1:$port" --json --authserv-id mx.test "$file" "$@")
    rc=$?
    bad=""
    [ "$rc" -eq 0 ] || bad="exit $rc"
    old_ifs=$IFS
    IFS='
'
    for w in $wants; do
        case "$out" in
        *"$w"*) ;;
        *) bad="$bad; missing $w" ;;
        esac
    done
    IFS=$old_ifs
    if [ -z "$bad" ]; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name:$bad"
        echo "     $out"
    fi
}

# 1. mailseal signs (RSA), SPF passes for the From domain itself: aligned both ways.
message a@live-verify.test "$work/plain.eml"
"$MAILSEAL" dkim sign --domain live-verify.test --selector rsa --key "$KEYS/rsa2048.private" \
    "$work/plain.eml" >"$work/ms-rsa.eml" || echo "FAIL: mailseal dkim sign"
check "mailseal rsa, spf aligned" "$work/ms-rsa.eml" \
    '"spf":{"result":"pass","domain":"live-verify.test","identity":"mailfrom","aligned":true' \
    '"dkim":[{"result":"pass","domain":"live-verify.test","selector":"rsa"' \
    '"dmarc":{"result":"pass","from_domain":"live-verify.test"' \
    'dmarc=pass' -- --ip 192.0.2.10 --mail-from a@live-verify.test --helo mail.live-verify.test

# 2. dkimpy signs (Ed25519); the provider's bounce domain passes SPF but does not align:
#    DMARC passes through DKIM alone.
if dkimpy_sign ed25519 ed "$KEYS/ed.private" "$work/plain.eml" "$work/py-ed.eml"; then
    check "dkimpy ed25519, spf not aligned" "$work/py-ed.eml" \
        '"spf":{"result":"pass","domain":"bounce.provider.test","identity":"mailfrom","aligned":false' \
        '"algorithm":"ed25519-sha256"' '"aligned":true' \
        '"dmarc":{"result":"pass"' '"disposition":"none"' \
        -- --ip 198.51.100.7 --mail-from x@bounce.provider.test --helo out.provider.test
    check "dkimpy ed25519, rfc7489 mode" "$work/py-ed.eml" '"dmarc":{"result":"pass"' \
        '"mode":"rfc7489"' \
        -- --ip 198.51.100.7 --mail-from x@bounce.provider.test --helo out.provider.test \
        --dmarc-mode rfc7489
    # The same message as the user received it: client and MAIL FROM from its trace fields.
    {
        printf 'Return-Path: <x@bounce.provider.test>\r\n'
        printf 'Received: from out.provider.test (out.provider.test [198.51.100.7])\r\n\tby mx.test (Postfix) with ESMTPS id 4Q; Sun, 29 Nov 2026 10:00:02 +0000\r\n'
        cat "$work/py-ed.eml"
    } >"$work/received.eml"
    check "--from-received" "$work/received.eml" '"ip":"198.51.100.7"' \
        '"helo":"out.provider.test"' '"mail_from":"x@bounce.provider.test"' \
        '"dmarc":{"result":"pass"' -- --from-received
else
    fail=$((fail + 1))
    echo "FAIL: dkimpy could not sign (python3-dkim is in scripts/install-deps)"
fi

# 3. dkimpy signs (RSA), the body is changed on the way, a stranger sends: everything fails,
#    p=reject applies.
if dkimpy_sign rsa rsa "$KEYS/rsa2048.private" "$work/plain.eml" "$work/py-rsa.eml"; then
    sed 's/Your order shipped/Your order was cancelled/' "$work/py-rsa.eml" >"$work/tampered.eml"
    check "tampered, stranger" "$work/tampered.eml" '"spf":{"result":"fail"' \
        '"dkim":[{"result":"fail"' '"dmarc":{"result":"fail"' '"policy":"reject"' \
        '"policy_tag":"p"' '"disposition":"reject"' \
        -- --ip 203.0.113.5 --mail-from a@live-verify.test --helo spammer.example
else
    fail=$((fail + 1))
    echo "FAIL: dkimpy could not sign with RSA"
fi

# 4. An existing subdomain, unsigned, from a stranger: sp=quarantine applies.
message a@sub.live-verify.test "$work/sub.eml"
check "subdomain: sp" "$work/sub.eml" '"dmarc":{"result":"fail"' \
    '"policy_domain":"live-verify.test"' '"policy":"quarantine"' '"policy_tag":"sp"' \
    '"disposition":"quarantine"' -- --ip 203.0.113.5 --mail-from a@sub.live-verify.test

# 5. A subdomain that does not exist: np=reject (RFC 9989, bad-inputs DMARC-28).
message a@nx.live-verify.test "$work/nx.eml"
check "non-existent subdomain: np" "$work/nx.eml" '"dmarc":{"result":"fail"' \
    '"policy_tag":"np"' '"disposition":"reject"' -- --ip 203.0.113.5 --mail-from a@nx.live-verify.test

# 6. No DMARC record anywhere: none.
message a@nodmarc.test "$work/nodmarc.eml"
check "no record: none" "$work/nodmarc.eml" '"spf":{"result":"pass"' \
    '"dmarc":{"result":"none"' -- --ip 192.0.2.30 --mail-from a@nodmarc.test

# 7. p=reject in testing mode (t=y): fails, but a receiver does not reject.
message a@testing.test "$work/testing.eml"
check "t=y" "$work/testing.eml" '"dmarc":{"result":"fail"' '"testing":true' \
    '"policy":"reject"' -- --ip 203.0.113.5 --mail-from a@testing.test
out=$("$MAILSEAL" verify --dns "127.0.0.1:$port" --json "$work/testing.eml" --ip 203.0.113.5 \
    --mail-from a@testing.test)
case "$out" in
*'"disposition":"reject"'*)
    fail=$((fail + 1))
    echo "FAIL t=y: disposition reject: $out"
    ;;
*)
    pass=$((pass + 1))
    echo "ok   t=y: not rejected"
    ;;
esac

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
