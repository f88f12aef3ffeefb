#!/bin/sh
# SPDX-License-Identifier: MIT
# send_badinput.sh MAILSEAL SOURCE_DIR: `mailseal report send` against hostile or broken rua=
# (bad-inputs RPT-16, RPT-17) and its retry state, offline (zones/send.zone) through a relay
# that refuses every connection (127.0.0.1 port 1), so every delivery attempt fails:
#   RPT-16  an external destination without <domain>._report._dmarc.<dest> TXT "v=DMARC1" is
#           not sent to; of 50 rua= URIs at most 2 are tried; "!1k" is honoured;
#   RPT-17  mailto:a@inj.test%0d%0aBcc:x@evil.test and an empty mailto: are refused;
#   retries wait for their backoff; an address failing 3 times over 2 days is given up and then
#   never tried again; --list shows it.
set -eu
MS=$1 SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
STORE=sqlite:$T/h.db
FILL=$(dirname "$MS")/tests/report/report_fill_history
"$FILL" "$STORE" pol.test big.test many.test inj.test wcard.test none.test hijack.test ||
    fail "report_fill_history"
"$MS" report generate --since 2025-11-29 --until 2025-11-30 --org-name R \
    --email dmarc@receiver.test --out "$T/out" --store "$STORE" >/dev/null
NOW=1764460800
send() { # NOW-OFFSET [options]
    at=$1
    shift
    set +e
    "$MS" report send --relay smtp://127.0.0.1:1 --zone "$SRC/tests/report/zones/send.zone" \
        --store "$STORE" --now $((NOW + at)) --give-up-after 3 --give-up-days 2 "$@" "$T/out" \
        >"$T/run.out" 2>&1
    rc=$?
    set -e
}
has() { grep -F -q -- "$1" "$T/run.out" || { cat "$T/run.out"; fail "want a line with: $1"; }; }
hasnt() { ! grep -F -q -- "$1" "$T/run.out" || { cat "$T/run.out"; fail "want no line with: $1"; }; }
count() { grep -c -F -- "$1" "$T/run.out" || true; }

send 0
[ $rc = 1 ] || fail "first run: got exit $rc, want 1 (deliveries failed)"
# RPT-16: verification of external destinations (RFC 9990 §4).
has 'pol.test!1764374400!1764460799.xml.gz -> nope@noauth.test: skipped: pol.test._report._dmarc.noauth.test has no TXT "v=DMARC1"'
has 'pol.test!1764374400!1764460799.xml.gz -> rua@ext.test: failed'
has 'pol.test!1764374400!1764460799.xml.gz -> agg@pol.test: failed'
has 'pol.test!1764374400!1764460799.xml.gz -> late@pol.test: skipped: more rua= destinations than the 2'
has 'wcard.test!1764374400!1764460799.xml.gz -> any@wild.test: failed'
has 'hijack.test!1764374400!1764460799.xml.gz -> a@ext2.test: skipped: hijack.test._report._dmarc.ext2.test overrides the destination with mailto:victim@elsewhere.test'
hasnt 'victim@elsewhere.test: failed'
# RPT-16: 50 URIs, 2 tried.
n=$(count 'many.test!1764374400!1764460799.xml.gz -> r')
tried=$(count 'many.test!1764374400!1764460799.xml.gz -> r1@many.test: failed')
tried=$((tried + $(count 'many.test!1764374400!1764460799.xml.gz -> r2@many.test: failed')))
limited=$(count ': skipped: more rua= destinations than the 2 this receiver sends')
[ "$tried" = 2 ] || fail "many.test: got $tried of r1, r2 tried, want both"
[ "$(count '@many.test: failed')" = 2 ] || fail "many.test: got $(count '@many.test: failed') tried, want 2"
[ "$n" -ge 3 ] && [ "$limited" -ge 2 ] || fail "many.test: want the others skipped by the limit"
# RPT-16: the "!size" limit.
has 'big.test!1764374400!1764460799.xml.gz -> small@big.test: skipped: the report message is'
has 'over the 1024 bytes the URI'"'"'s "!size" allows'
has 'big.test!1764374400!1764460799.xml.gz -> agg@big.test: failed'
# RPT-17: header injection and an empty mailto:.
has 'a@inj.test%0d%0aBcc:x@evil.test: skipped: a percent-encoded or control character'
has "inj.test's DMARC record: rua \"mailto:\": nothing after the URI scheme"
hasnt 'inj.test!1764374400!1764460799.xml.gz -> a@inj.test%0d%0aBcc:x@evil.test: failed'
hasnt 'evil.test: failed'
has 'none.test asks for no aggregate reports'
has 'sent 0, failed 6, skipped'

# A minute later: nothing is due (backoff), nothing is said twice.
send 60
[ $rc = 0 ] || { cat "$T/run.out"; fail "second run: got exit $rc, want 0 (only waiting)"; }
has 'agg@pol.test: waiting until 1764461700 (attempt 1 failed'
hasnt ': failed'
hasnt ': skipped:'
# A day later: the second attempt, retried after twice the base delay.
send 86400
has 'agg@pol.test: failed'
has "retry after $((NOW + 86400 + 1800))"
# Two days after the first failure: the third failure gives the address up.
send 172800
has 'agg@pol.test: given up: 3 failures in a row since 1764460800'
# Three days: given up stays given up, never tried again.
send 259200
hasnt 'agg@pol.test: failed'
hasnt 'agg@pol.test: waiting'
"$MS" report send --list --store "$STORE" >"$T/run.out"
has 'gave-up  receiver.test!pol.test!1764374400!1764460799.xml.gz -> agg@pol.test attempts=3'
has 'skipped  receiver.test!pol.test!1764374400!1764460799.xml.gz -> nope@noauth.test attempts=0'

# Usage: a relay that is not smtp://, an injected --from.
set +e
"$MS" report send --relay http://127.0.0.1:1 --store "$STORE" "$T/out" >/dev/null 2>&1
[ $? = 2 ] || fail "--relay http://: want exit 2"
"$MS" report send --relay smtp://127.0.0.1:1 --from 'a@b.test%0d%0aX' --store "$STORE" "$T/out" \
    >/dev/null 2>&1
[ $? = 2 ] || fail "--from with %0d%0a: want exit 2"
set -e
echo "PASS: report send bad inputs (RPT-16, RPT-17) and retry state"
