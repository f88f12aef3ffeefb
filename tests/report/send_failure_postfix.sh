#!/bin/bash
# SPDX-License-Identifier: MIT
# send_failure_postfix.sh MAILSEAL SOURCE_DIR: failure reports (RFC 9991) from the queue to a
# real Postfix (a private instance, tests/support/postfix_env.sh) delivering to a Maildir.
# `mailseal verify --store --failure-reports` queues what fr.test's ruf= and fo=1:s ask for a
# spoofed message (a dmarc and an spf report); `mailseal report send` mails each to
# ruf@fr.test and to ruf@ext.test (an external address that agreed), never to
# nope@noauth.test (it did not). What arrives must be ARF (RFC 5965, 6591, 9991 §4) with the
# message's header fields and not its body, and mailseal's own ingester must read it back.
# Then the hourly rate limit: 10 reports per domain are queued, the rest dropped and counted.
# Skipped (77) only when Postfix is not installed.
set -eu
MS=$1 SRC=$2
command -v postfix >/dev/null 2>&1 || { echo "SKIP: Postfix is not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: a private Postfix needs root"; exit 77; }
. "$SRC/tests/support/postfix_env.sh"
T=$(mktemp -d)
chmod 755 "$T"
trap 'pfx_stop; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; [ -n "${PFX_LOG:-}" ] && tail -20 "$PFX_LOG"; exit 1; }
PFX_DOMAINS="fr.test ext.test noauth.test" pfx_start "$T/pfx" || fail "Postfix did not start"

STORE=sqlite:$T/h.db
ZONE=$SRC/tests/report/zones/failure.zone
NOW=1764460800
cat >"$T/spoof.eml" <<'MSG'
From: Fr Shop <news@fr.test>
To: someone@receiver.test
Subject: Your invoice
Message-ID: <spoof-1@fr.test>
List-Unsubscribe: <https://fr.test/unsub?u=1>

Secret body text that must not leave the receiver.
MSG
queue() {
    "$MS" verify --ip 203.0.113.5 --mail-from bounce@fr.test --helo spoofer.test \
        --authserv-id mx.receiver.test --zone "$ZONE" --now "$NOW" --store "$STORE" \
        --failure-reports dmarc-noreply@receiver.test "$T/spoof.eml" >/dev/null 2>>"$T/queue.err" ||
        fail "verify --failure-reports exited $?"
}
queue
cat "$T/queue.err"
[ "$(grep -c 'failure report for fr.test queued' "$T/queue.err")" = 2 ] ||
    fail "want a dmarc and an spf report queued"
send() {
    "$MS" report send --relay "smtp://127.0.0.1:$PFX_PORT" --zone "$ZONE" --store "$STORE" \
        --now "$NOW" >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "report send exited $?"; }
}
send
cat "$T/run.out"
grep -q '^sent 4, failed 0, skipped 2, waiting 0' "$T/run.out" ||
    fail "want 4 sent (2 reports x 2 agreeing addresses), 2 skipped"
grep -q 'nope@noauth.test: skipped: fr.test._report._dmarc.noauth.test has no TXT' "$T/run.out" ||
    fail "nope@noauth.test: want skipped as not authorised"
pfx_wait_idle 60 || fail "Postfix did not deliver"
[ "$(pfx_count_mail)" = 4 ] || fail "got $(pfx_count_mail) messages in the Maildir, want 4"

/usr/bin/python3 - $(pfx_mail_files) <<'PY' || fail "a delivered failure report is not ARF as RFC 6591 / RFC 9991 say"
import email, email.policy, re, sys
bad = 0
seen = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    to = re.sub(r"[<>]", "", str(msg["To"])).strip()
    if to not in ("ruf@fr.test", "ruf@ext.test"):
        print(f"{path}: unexpected recipient {to}"); bad += 1; continue
    if msg.get_content_type() != "multipart/report" or msg.get_param("report-type") != "feedback-report":
        print(f"{to}: Content-Type {msg['Content-Type']}"); bad += 1; continue
    if "dmarc-noreply@receiver.test" not in str(msg["From"]) or msg["Auto-Submitted"] != "auto-generated":
        print(f"{to}: From {msg['From']}, Auto-Submitted {msg['Auto-Submitted']}"); bad += 1
    parts = [p.get_content_type() for p in msg.iter_parts()]
    if parts != ["text/plain", "message/feedback-report", "text/rfc822-headers"]:
        print(f"{to}: parts {parts}"); bad += 1; continue
    # The machine-readable part as sent, field by field (RFC 5965 §3.1).
    m = re.search(rb"Content-Type: message/feedback-report\r?\n\r?\n(.*?)\r?\n--", raw, re.S)
    if not m:
        print(f"{to}: no message/feedback-report part"); bad += 1; continue
    fields = {}
    for line in m.group(1).decode("ascii").splitlines():
        if ":" in line:
            k, v = line.split(":", 1); fields[k.strip()] = v.strip()
    for k, want in (("Feedback-Type", "auth-failure"), ("Version", "1"), ("Source-IP", "203.0.113.5"),
                    ("Reported-Domain", "fr.test"), ("Original-Mail-From", "<bounce@fr.test>")):
        if fields.get(k) != want:
            print(f"{to}: {k} got {fields.get(k)!r}, want {want!r}"); bad += 1
    kind = fields.get("Auth-Failure")
    if kind == "dmarc" and fields.get("Identity-Alignment") != "dkim, spf":
        print(f"{to}: Identity-Alignment got {fields.get('Identity-Alignment')!r}"); bad += 1
    if not fields.get("SPF-DNS", "").startswith('txt : fr.test : "v=spf1 ip4:192.0.2.10 -all"'):
        print(f"{to}: SPF-DNS got {fields.get('SPF-DNS')!r}"); bad += 1
    seen.setdefault(kind, set()).add(to)
    if b"Secret body" in raw:
        print(f"{to}: the body of the reported message was sent"); bad += 1
    if b"Subject: Your invoice" not in raw or b"hxxps://fr.test/unsub" not in raw or b"https://fr.test" in raw:
        print(f"{to}: the header copy is missing or its links not defanged"); bad += 1
for kind in ("dmarc", "spf"):
    if seen.get(kind) != {"ruf@fr.test", "ruf@ext.test"}:
        print(f"{kind} report reached {sorted(seen.get(kind, []))}"); bad += 1
sys.exit(1 if bad else 0)
PY

# What arrived reads back as failure reports with mailseal's own ingester.
"$MS" report ingest --store "sqlite:$T/in.db" $(pfx_mail_files) >"$T/ingest.out" 2>&1 ||
    { cat "$T/ingest.out"; fail "report ingest of the delivered reports exited $?"; }
grep -q '^ingest: 4 items: 4 stored, 0 duplicate, 0 kept aside' "$T/ingest.out" ||
    { cat "$T/ingest.out"; fail "ingest: want the 4 reports stored"; }

# Sent reports are never sent again.
send
grep -q '^sent 0, failed 0, skipped 0, waiting 0' "$T/run.out" || { cat "$T/run.out"; fail "second run: want nothing sent"; }

# The rate limit: 10 per policy domain per hour (verify's, as the milter's default). 2 were
# queued; 10 more messages ask for 20: 8 queued, 12 dropped.
: >"$T/queue.err"
for i in 1 2 3 4 5 6 7 8 9 10; do queue; done
q=$(grep -c 'queued$' "$T/queue.err" || true)
d=$(grep -c 'dropped: the hourly rate limit was reached' "$T/queue.err" || true)
[ "$q" = 8 ] && [ "$d" = 12 ] || { cat "$T/queue.err"; fail "rate limit: got $q queued, $d dropped, want 8 and 12"; }
"$MS" report send --list --store "$STORE" --now "$NOW" | grep -q 'failure reports in the last 24 hours: 10 queued, 12 dropped by the rate limits' ||
    fail "--list: want the queued and dropped counts"
echo "PASS: failure reports through Postfix"
