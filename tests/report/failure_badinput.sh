#!/bin/sh
# SPDX-License-Identifier: MIT
# failure_badinput.sh MAILSEAL SOURCE_DIR: queued failure reports (RFC 9991) against a hostile
# ruf= (bad-inputs RPT-16 and RPT-17, which RFC 9991 §5 extends to ruf=), offline
# (zones/failure.zone) through a relay that refuses connections: a report over the first
# address's "!1k" is not sent there, the CR LF injection and the empty mailto: are refused,
# only 2 of the other addresses are tried, and a failed delivery waits for its retry.
set -eu
MS=$1 SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; cat "$T/run.out" 2>/dev/null; exit 1; }
STORE=sqlite:$T/h.db
ZONE=$SRC/tests/report/zones/failure.zone
printf 'From: a@hostile.test\nSubject: x\n\nbody\n' >"$T/m.eml"
"$MS" verify --ip 203.0.113.5 --mail-from b@hostile.test --authserv-id mx.test --zone "$ZONE" \
    --now 1764460800 --store "$STORE" --failure-reports dmarc@mx.test "$T/m.eml" >/dev/null \
    2>"$T/queue.err" || { cat "$T/queue.err"; fail "verify --failure-reports exited $?"; }
grep -q '^mailseal: dmarc failure report for hostile.test queued$' "$T/queue.err" ||
    { cat "$T/queue.err"; fail "want one dmarc report queued (fo absent: 0)"; }
rc=0
"$MS" report send --relay smtp://127.0.0.1:1 --zone "$ZONE" --store "$STORE" --now 1764460800 \
    >"$T/run.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "report send exited $rc, want 1 (deliveries failed)"
count() { grep -c "$1" "$T/run.out" || true; }
[ "$(count 'small@hostile.test: skipped: the report message is .* over the 1024 bytes')" = 1 ] ||
    fail "small@hostile.test: want skipped over its !1k"
[ "$(count 'skipped: a percent-encoded or control character')" = 1 ] || fail "the CR LF injection: want refused"
# The record parser drops the empty mailto: and keeps MS_LIMIT_DMARC_URIS (16) URIs: small@,
# the injection, r1..r14; of those only r1 and r2 are tried.
[ "$(count 'mailto:,\|-> : \|-> mailto:')" = 0 ] || fail "the empty mailto: reached the sender"
[ "$(count 'skipped: more ruf= destinations than the 2')" = 12 ] || fail "want r3..r14 skipped"
[ "$(count '^failure-1 -> r[0-9]*@hostile.test')" = 14 ] || fail "want the URIs past the 16th dropped"
[ "$(count '^failure-1 -> r[12]@hostile.test: failed: ')" = 2 ] || fail "want r1 and r2 tried and failed"
grep -q 'evil.test' "$T/run.out" && ! grep -q 'Bcc' "$T/run.out" && fail "the injected address leaked"
# A rerun before the retry time waits; nothing is tried twice.
"$MS" report send --relay smtp://127.0.0.1:1 --zone "$ZONE" --store "$STORE" --now 1764460860 \
    >"$T/run.out" 2>&1 || true
grep -q '^sent 0, failed 0, skipped 0, waiting 2' "$T/run.out" || fail "rerun: want 2 waiting, nothing tried"
echo "PASS: failure report destinations (RPT-16, RPT-17 for ruf=)"
