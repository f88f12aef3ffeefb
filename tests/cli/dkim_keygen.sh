#!/bin/sh
# SPDX-License-Identifier: MIT
# `mailseal dkim keygen` makes random keys, so instead of a golden file this checks structure:
# S.private is PKCS#8 PEM with mode 0600 and is never replaced, S.txt is one zone-file line
# whose strings are at most 255 octets (RFC 1035 §3.3.14) and join to the printed value, and
# the new key signs.   dkim_keygen.sh MAILSEAL
set -u
MAILSEAL=$1
cd "$(dirname "$0")" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# The zone line's quoted strings, one a line.
strings_of() { sed -e 's/^[^(]*( //' -e 's/ ) ;.*$//' "$1" | tr -d '\n' | sed 's/" "/"\n"/g'; }

check_pair() { # TYPE SELECTOR OUTPUT
    type=$1 sel=$2 out=$3
    priv=$tmp/$sel.private txt=$tmp/$sel.txt
    [ -f "$priv" ] || bad "$sel: no $priv"
    [ "$(stat -c %a "$priv")" = 600 ] || bad "$sel: $priv mode $(stat -c %a "$priv"), want 600"
    head -1 "$priv" | grep -qx -- '-----BEGIN PRIVATE KEY-----' || bad "$sel: not PKCS#8 PEM"
    [ "$(wc -l <"$txt")" -eq 1 ] || bad "$sel: $txt is not one line"
    grep -q "^$sel\._domainkey\.example\.com\. IN TXT ( \"v=DKIM1; k=$type; \" \"p=" "$txt" ||
        bad "$sel: zone line: $(cat "$txt")"
    strings_of "$txt" | while IFS= read -r s; do
        [ ${#s} -le 257 ] || echo "FAIL: $sel: a string of $((${#s} - 2)) octets"
    done | grep . && fail=$((fail + 1))
    joined=$(strings_of "$txt" | sed 's/^"//; s/"$//' | tr -d '\n')
    value=$(printf '%s\n' "$out" | grep "^v=DKIM1; k=$type; p=")
    [ "$joined" = "$value" ] || bad "$sel: zone strings join to '$joined', printed '$value'"
    grep -qF "$(cat "$txt")" <<EOT || bad "$sel: the zone line is not printed"
$out
EOT
    printf '%s' "$value"
}

out=$("$MAILSEAL" dkim keygen --domain example.com --selector r1 --out "$tmp") || bad "rsa: exit $?"
v=$(check_pair rsa r1 "$out")
p=${v#*p=}
[ ${#p} -eq 392 ] || bad "rsa 2048: p= of ${#p} characters, want 392"

out=$("$MAILSEAL" dkim keygen --domain example.com --selector e1 --type ed25519 --out "$tmp") ||
    bad "ed25519: exit $?"
v=$(check_pair ed25519 e1 "$out")
p=${v#*p=}
[ ${#p} -eq 44 ] || bad "ed25519: p= of ${#p} characters, want 44 (RFC 8463 §4)"

out=$("$MAILSEAL" dkim keygen --domain example.com --selector r4 --bits 4096 --out "$tmp") ||
    bad "rsa 4096: exit $?"
check_pair rsa r4 "$out" >/dev/null
[ "$(grep -o '"[^"]*"' "$tmp/r4.txt" | wc -l)" -ge 4 ] || bad "rsa 4096: p= not split"

# Never replace: the second run fails and leaves the key as it was.
sum=$(cksum <"$tmp/e1.private")
"$MAILSEAL" dkim keygen --domain example.com --selector e1 --type ed25519 --out "$tmp" \
    >/dev/null 2>&1
[ $? -eq 1 ] || bad "existing key: want exit 1"
[ "$(cksum <"$tmp/e1.private")" = "$sum" ] || bad "existing key was replaced"

# Usage errors: exit 2.
for args in "--domain example.com --selector x --bits 512" \
    "--domain example.com --selector x --type ed25519 --bits 2048" \
    "--domain example.com" "--selector x" "--domain com --selector x" \
    "--domain example.com --selector a/b"; do
    # shellcheck disable=SC2086
    "$MAILSEAL" dkim keygen $args --out "$tmp" >/dev/null 2>&1
    [ $? -eq 2 ] || bad "'$args': want exit 2"
done
[ ! -e "$tmp/x.private" ] || bad "a usage error wrote a key"

# The new keys sign.
"$MAILSEAL" dkim sign --domain example.com --selector e1 --key "$tmp/e1.private" \
    --selector r1 --key "$tmp/r1.private" messages/dkim_plain.eml >"$tmp/signed" ||
    bad "sign with the new keys: exit $?"
[ "$(grep -c '^DKIM-Signature:' "$tmp/signed")" -eq 2 ] || bad "sign: want 2 signatures"

if [ "$fail" -eq 0 ]; then
    echo "dkim keygen: all checks passed"
fi
[ "$fail" -eq 0 ]
