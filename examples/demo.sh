#!/bin/sh
# SPDX-License-Identifier: MIT
# The offline demo (`make demo`): SPF for a shop that sends through Amazon SES, answered from
# the bundled zone files, never the network.
set -eu
MAILSEAL=${MAILSEAL:-build/dev/mailseal}
HERE=$(dirname "$0")
ZONES="--zone $HERE/zones/their-shop.example.zone --zone $HERE/zones/providers.zone"

step() { printf '\n=== %s\n$ %s\n' "$1" "$2"; }

step "SES with the shop's custom MAIL FROM domain: SPF passes for the shop itself" \
     "mailseal spf --explain --ip 54.240.8.21 --mail-from bounce@mail.their-shop.example --helo a8-21.smtp-out.amazonses.com"
# shellcheck disable=SC2086
"$MAILSEAL" spf --explain $ZONES --receiver mx.example.net \
    --ip 54.240.8.21 --mail-from bounce@mail.their-shop.example --helo a8-21.smtp-out.amazonses.com

step "SES without a custom MAIL FROM: SPF passes, but for amazonses.com, not the shop" \
    "mailseal spf --ip 54.240.8.21 --mail-from 0102018c@eu-west-1.amazonses.com ..."
# shellcheck disable=SC2086
"$MAILSEAL" spf $ZONES --receiver mx.example.net \
    --ip 54.240.8.21 --mail-from 0102018c@eu-west-1.amazonses.com --helo a8-21.smtp-out.amazonses.com

step "Someone else sending as the shop: softfail (the record ends in ~all)" \
     "mailseal spf --json --ip 203.0.113.9 --mail-from info@their-shop.example --helo spammer.example"
# shellcheck disable=SC2086
"$MAILSEAL" spf --json $ZONES --receiver mx.example.net \
    --ip 203.0.113.9 --mail-from info@their-shop.example --helo spammer.example

# ---- DKIM: make a key, sign, verify, then show what a changed message looks like --------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "DKIM: make an Ed25519 key for the shop and the DNS record to publish" \
     "mailseal dkim keygen --domain their-shop.example --selector demo --type ed25519 --out DIR"
"$MAILSEAL" dkim keygen --domain their-shop.example --selector demo --type ed25519 --out "$work"

step "DKIM: sign an order confirmation with it" \
     "mailseal dkim sign --domain their-shop.example --selector demo --key DIR/demo.private order-shipped.eml"
"$MAILSEAL" dkim sign --domain their-shop.example --selector demo --key "$work/demo.private" \
    "$HERE/messages/order-shipped.eml" > "$work/signed.eml"
sed -n '1,/^$/p' "$work/signed.eml"

step "DKIM: verify it, the key answered from the zone plus the new record" \
     "mailseal dkim verify --zone ... --zone DIR/demo.txt signed.eml"
# shellcheck disable=SC2086
"$MAILSEAL" dkim verify $ZONES --zone "$work/demo.txt" "$work/signed.eml"

step "DKIM: someone edits the subject on the way: the signature fails, and says why" \
     "mailseal dkim verify --explain ... tampered.eml"
sed 's/^Subject: .*/Subject: Your order #1042 was cancelled/' "$work/signed.eml" > "$work/tampered.eml"
# shellcheck disable=SC2086
"$MAILSEAL" dkim verify --explain $ZONES --zone "$work/demo.txt" "$work/tampered.eml"

# ---- The receiver's view: SPF, DKIM and DMARC together -----------------------------------------
step "As a receiver sees the shop's mail sent through SES: SPF authenticates amazonses.com
    (not aligned), the shop's Easy DKIM signature aligns, DMARC passes through DKIM alone" \
     "mailseal verify --explain --from-received received.eml"
"$MAILSEAL" dkim sign --domain their-shop.example --selector abcdefgh1234 \
    --key "$HERE/keys/their-shop-ses.private" "$HERE/messages/order-shipped.eml" |
    "$MAILSEAL" dkim sign --domain amazonses.com --selector sesdemo2026 --allow-foreign-from \
        --key "$HERE/keys/amazonses-demo.private" > "$work/ses-signed.eml"
{
    printf 'Return-Path: <0102018c-demo-1042@eu-west-1.amazonses.com>\n'
    printf 'Received: from a8-21.smtp-out.amazonses.com (a8-21.smtp-out.amazonses.com [54.240.8.21])\n'
    printf '\tby mx.example.net (Postfix) with ESMTPS id 4Q2x; Sun, 29 Nov 2026 10:00:02 +0000\n'
    cat "$work/ses-signed.eml"
} > "$work/received.eml"
# shellcheck disable=SC2086
"$MAILSEAL" verify --explain $ZONES --from-received "$work/received.eml"
# ---- The domain owner's view: what to fix -----------------------------------------------------
step "The owner audits the domain: SES DKIM keys still pending at the provider, reports to a
    service that has not authorized them, and the fixes" \
     "mailseal check their-shop.example --selector abcdefgh1234 --selector ijklmnop5678 --selector qrstuvwx9012"
rc=0
# shellcheck disable=SC2086
"$MAILSEAL" check --color never $ZONES their-shop.example --selector abcdefgh1234 \
    --selector ijklmnop5678 --selector qrstuvwx9012 || rc=$?
[ "$rc" -eq 3 ] || { echo "demo: mailseal check exited $rc, want 3 (errors found)"; exit 1; }

# ---- The domain owner's view: what the rua= reports say ----------------------------------------
step "A week of aggregate reports from Google, Outlook.com and Yahoo arrives (one of them
    truncated in transit): ingest stores every report once and keeps the broken one aside" \
     "mailseal report ingest --store demo.db examples/reports/"
rc=0
"$MAILSEAL" report ingest --store "$work/demo.db" "$HERE/reports" || rc=$?
[ "$rc" -eq 3 ] || { echo "demo: report ingest exited $rc, want 3 (one kept aside)"; exit 1; }
step "Ingesting again reads nothing twice" "mailseal report ingest --store demo.db examples/reports/"
"$MAILSEAL" report ingest --quiet --store "$work/demo.db" "$HERE/reports"
step "Who sends as their-shop.example, whether it passes, and what to do next" \
     "mailseal report summary --store demo.db --html summary.html"
# shellcheck disable=SC2086
"$MAILSEAL" report summary --color never $ZONES --store "$work/demo.db" --html "$work/summary.html"
grep -q '<svg' "$work/summary.html" || { echo "demo: the HTML summary has no chart"; exit 1; }
echo "(the same as one self-contained page: $(wc -c < "$work/summary.html") bytes of HTML)"
