#!/bin/sh
# SPDX-License-Identifier: MIT
# generate.sh MAILSEAL XSD_CHECK FILL_HISTORY XSD SOURCE_DIR READBACK
# The history is filled by `mailseal verify --store` over the CLI test messages (two passing
# messages from one source, a failing one, and a message carrying a report, which must be left
# out) and by report_fill_history (direct rows). `report generate` must then write exactly one
# report per policy domain that has something to report, each valid against the RFC 9990 XSD,
# read back by Mail::DMARC as expected.report says and by mailseal's own reader
# (ms_report_read, ms_report_parse_aggregate) as expected-mailseal.report says, and the same bytes when generated again.
set -eu
MS=$1 XSD_CHECK=$2 FILL=$3 XSD=$4 SRC=$5 READBACK=$6
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
STORE=sqlite:$T/history.db
cd "$SRC/tests/cli"
v() { "$MS" verify --zone zones/verify.test.zone --authserv-id mx.test --store "$STORE" "$@" >/dev/null; }
v messages/verify_signed.eml --now 1764410100 --ip 192.0.2.10 --mail-from orders@verify.test \
    --helo mail.verify.test --rcpt-to bob@receiver.test
v messages/verify_signed.eml --now 1764410200 --ip 192.0.2.10 --mail-from orders@verify.test \
    --helo mail.verify.test --rcpt-to bob@receiver.test
v messages/verify_unsigned.eml --now 1764410300 --ip 203.0.113.5 --mail-from orders@verify.test \
    --helo spammer.example
v "$SRC/tests/report/messages/report_attachment.eml" --now 1764410400 --ip 203.0.113.77 \
    --mail-from noreply-dmarc@verify.test --helo reporter.example
"$FILL" "$STORE" || fail "report_fill_history"

gen() {
    "$MS" report generate --since 2025-11-29 --until 2025-11-30 --org-name "Test Receiver" \
        --email dmarc@receiver.test --out "$1" --store "$STORE" >"$T/gen.out" ||
        { cat "$T/gen.out"; fail "report generate exited $?"; }
}
gen "$T/out"
cat "$T/gen.out"
n=$(ls "$T/out" | wc -l)
[ "$n" = 2 ] || fail "got $n reports, want 2 (verify.test, other.test; reports.test only had report mail)"
for f in 'receiver.test!other.test!1764374400!1764460799.xml.gz' \
    'receiver.test!verify.test!1764374400!1764460799.xml.gz'; do
    [ -f "$T/out/$f" ] || fail "missing $f (RFC 9990 §3.5.2 name)"
done
grep -q 'reports.test: nothing to report (1 report message left out)' "$T/gen.out" ||
    fail "reports.test: want 'nothing to report (1 report message left out)'"

# Every generated report against the RFC 9990 XSD.
set +e
"$XSD_CHECK" "$XSD" "$T"/out/*.xml.gz
rc=$?
set -e
if [ $rc = 77 ]; then
    echo "SKIP (XSD part only): $XSD is absent"
elif [ $rc != 0 ]; then
    fail "a generated report is not valid against the RFC 9990 XSD"
fi

# Read back by Mail::DMARC.
/usr/bin/perl -MMail::DMARC::Report::Receive -e1 2>/dev/null ||
    fail "Mail::DMARC is not installed (Debian libmail-dmarc-perl; scripts/install-deps)"
/usr/bin/perl "$SRC/tests/report/dmarc_readback.pl" "$T"/out/*.xml.gz >"$T/got" ||
    fail "Mail::DMARC could not read the reports"
if ! diff -u "$SRC/tests/report/expected.report" "$T/got"; then
    fail "Mail::DMARC read back something else than was recorded (diff above: - want, + got)"
fi

# Read back by mailseal (the same facts; each DKIM signature as written).
"$READBACK" "$T"/out/*.xml.gz >"$T/got-ms" || fail "mailseal could not read the reports back"
if ! diff -u "$SRC/tests/report/expected-mailseal.report" "$T/got-ms"; then
    fail "mailseal read back something else than was recorded (diff above: - want, + got)"
fi

# The same period again: the same names, report ids and bytes (RFC 9990 §3.5.2: a re-sent report
# keeps its file name; §3.5.1 the Report-ID stays).
gen "$T/again"
for f in "$T"/out/*; do
    cmp -s "$f" "$T/again/$(basename "$f")" || fail "$(basename "$f") differs when generated again"
done

# --domain restricts, in any case; a domain without history writes nothing.
gen_dom() {
    "$MS" report generate --since 2025-11-29 --until 2025-11-30 --org-name "Test Receiver" \
        --email dmarc@receiver.test --out "$T/one" --store "$STORE" --domain "$1" >/dev/null
}
gen_dom VERIFY.test
[ "$(ls "$T/one")" = 'receiver.test!verify.test!1764374400!1764460799.xml.gz' ] ||
    fail "--domain VERIFY.test: got $(ls "$T/one"), want the verify.test report only"

# --daily: one report per domain and UTC day; the first day's are the same bytes as above, the
# second day holds only other.test's row of 2025-11-30.
"$MS" report generate --daily --since 2025-11-29 --until 2025-12-01 --org-name "Test Receiver" \
    --email dmarc@receiver.test --out "$T/daily" --store "$STORE" >"$T/daily.out" ||
    { cat "$T/daily.out"; fail "report generate --daily exited $?"; }
got=$(ls "$T/daily" | tr '\n' ' ')
want='receiver.test!other.test!1764374400!1764460799.xml.gz receiver.test!other.test!1764460800!1764547199.xml.gz receiver.test!verify.test!1764374400!1764460799.xml.gz '
[ "$got" = "$want" ] || fail "--daily: got $got, want $want"
for f in 'receiver.test!other.test!1764374400!1764460799.xml.gz' \
    'receiver.test!verify.test!1764374400!1764460799.xml.gz'; do
    cmp -s "$T/out/$f" "$T/daily/$f" || fail "--daily: $f differs from the one-period report"
done

# verify --store default: the XDG data folder.
XDG_DATA_HOME=$T/xdg "$MS" verify messages/verify_signed.eml --zone zones/verify.test.zone \
    --now 1764410100 --authserv-id mx.test --ip 192.0.2.10 --mail-from orders@verify.test \
    --store default >/dev/null
[ -s "$T/xdg/mailseal/mailseal.db" ] || fail "verify --store default: no $T/xdg/mailseal/mailseal.db"

# Usage errors.
for args in "--since 2025-11-30 --until 2025-11-29" "--since 2025-02-30 --until 2025-03-01" \
    "--since 2025-11-29"; do
    set +e
    # shellcheck disable=SC2086
    "$MS" report generate $args --org-name x --email a@b.test --out "$T/u" --store "$STORE" \
        >/dev/null 2>&1
    rc=$?
    set -e
    [ $rc = 2 ] || fail "report generate $args: got exit $rc, want 2"
done
echo "PASS: report generate"
