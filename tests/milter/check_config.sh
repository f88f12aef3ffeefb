#!/bin/sh
# SPDX-License-Identifier: MIT
# `mailseal-milter --check-config -c FILE` (issue 6 §2): each config below is checked and the
# exit code and the explanation lines asserted. The keys and the zone are fixtures in
# tests/milter/check_config/ (test-only keys), the resolver a ZoneFile, then a real DNS server
# (nsd or unbound) on loopback through Nameservers. Cases: a valid config (exit 0); a published
# key that differs; no published record; a revoked record; a TXT that is no DKIM key; a key
# file that cannot be read; a SigningTable naming a key that is not in the KeyTable; bad
# sockets; several config errors reported at once; a DNS server that does not answer (a
# warning, an error with --strict); a key file the UserID user cannot read (when run as root).
# usage: check_config.sh MILTER_BINARY DNS_SERVER_SH
set -u
MILTER=$1
DNS_SERVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/check_config
T=$(mktemp -d /tmp/ms-cc.XXXXXX)
STATE=$T/dns
mkdir -p "$STATE" "$T/keys" "$T/run" "$T/db"
cleanup() {
    sh "$DNS_SERVER" stop "$STATE" >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
cp "$FIX/ed.key" "$FIX/other.key" "$FIX/rsa.key" "$T/keys/"
chmod 600 "$T/keys/"*.key

fails=0
passes=0
# check NAME WANT_RC CONFIG [--strict] -- LINE...: every LINE must appear (as a fixed string)
# in the output, one line each.
check() {
    name=$1 want_rc=$2 conf=$3
    shift 3
    extra=""
    if [ "$1" = "--strict" ]; then
        extra=--strict
        shift
    fi
    [ "$1" = "--" ] && shift
    out=$("$MILTER" --check-config $extra -c "$conf" 2>&1)
    rc=$?
    bad=""
    [ "$rc" = "$want_rc" ] || bad="got exit $rc, want $want_rc"
    case "$out" in # the same script runs the ASan+UBSan build (cd build/asan && ctest -R ...)
    *Sanitizer* | *"runtime error"*) bad="$bad; sanitizer report" ;;
    esac
    for want in "$@"; do
        printf '%s\n' "$out" | grep -qF -- "$want" || bad="$bad; missing line: $want"
    done
    if [ -n "$bad" ]; then
        echo "FAIL $name: $bad"
        echo "--- output:"
        printf '%s\n' "$out"
        echo "---"
        fails=$((fails + 1))
    else
        echo "ok   $name"
        passes=$((passes + 1))
    fi
}

# conf FILE KEYTABLE-LINES SIGNINGTABLE-LINES [EXTRA CONFIG LINES]: a config over the fixture
# zone, with its own KeyTable and SigningTable.
conf() {
    f=$1
    printf '%b' "$2" > "$f.keys"
    printf '%b' "$3" > "$f.signing"
    cat > "$f" <<EOF
# a config for check_config.sh
Socket        unix:$T/run/milter.sock
AuthservID    mx.ok.example
Syslog        no
Store         sqlite:$T/db/history.db
KeyTable      file:$f.keys
SigningTable  file:$f.signing
MultipleSignatures yes
EOF
    if [ -n "${4:-}" ]; then
        printf '%b' "$4" >> "$f"
    else
        printf 'ZoneFile %s\n' "$FIX/test.zone" >> "$f"
    fi
}

K=$T/keys
GOOD_KEYS="ed ok.example:ed:$K/ed.key\nrsa ok.example:rsa:$K/rsa.key\n"
GOOD_SIGN="ok.example ed\nok.example rsa\n"

conf "$T/valid.conf" "$GOOD_KEYS" "$GOOD_SIGN"
check "valid config" 0 "$T/valid.conf" -- "$T/valid.conf: valid (2 keys match the published records, 0 warnings)"
[ ! -e "$T/db/history.db" ] || { echo "FAIL valid config: the check created the store"; fails=$((fails + 1)); }

conf "$T/mism.conf" "${GOOD_KEYS}m ok.example:mism:$K/ed.key\n" "$GOOD_SIGN"
check "published key differs" 1 "$T/mism.conf" -- \
    "error: $T/mism.conf.keys:3: key m: published key differs from $K/ed.key at mism._domainkey.ok.example: the published p= is not the public half of this private key" \
    "$T/mism.conf: not valid: 1 error, 0 warnings"

conf "$T/type.conf" "x ok.example:ed:$K/rsa.key\n" ""
check "published key of another type" 1 "$T/type.conf" -- \
    "error: $T/type.conf.keys:1: key x: published key differs from $K/rsa.key at ed._domainkey.ok.example: the record says k=ed25519, the private key is RSA"

conf "$T/nopub.conf" "${GOOD_KEYS}n ok.example:nosel:$K/ed.key\n" "$GOOD_SIGN"
check "no published record" 1 "$T/nopub.conf" -- \
    "error: $T/nopub.conf.keys:3: key n: no DKIM record published at nosel._domainkey.ok.example (no such name (NXDOMAIN))"

conf "$T/notdkim.conf" "n ok.example:notdkim:$K/ed.key\n" ""
check "only a TXT that is no DKIM key" 1 "$T/notdkim.conf" -- \
    "error: $T/notdkim.conf.keys:1: key n: no DKIM record published at notdkim._domainkey.ok.example (only TXT records that are not DKIM keys)"

conf "$T/revoked.conf" "r ok.example:revoked:$K/ed.key\n" ""
check "revoked record" 1 "$T/revoked.conf" -- \
    "error: $T/revoked.conf.keys:1: key r: record is revoked (empty p=) at revoked._domainkey.ok.example"

conf "$T/unread.conf" "${GOOD_KEYS}u ok.example:ed:$K/missing.key\nj ok.example:ed:$T/valid.conf\nd ok.example:ed:$K\n" "$GOOD_SIGN"
check "unreadable key file" 1 "$T/unread.conf" -- \
    "error: $T/unread.conf.keys:3: key u: key file $K/missing.key cannot be read: No such file or directory" \
    "error: $T/unread.conf.keys:4: key j: key file $T/valid.conf is no usable private key" \
    "error: $T/unread.conf.keys:5: key d: key file $K cannot be read: Is a directory" \
    "$T/unread.conf: not valid: 3 errors, 0 warnings"
if [ "$(id -u)" != 0 ]; then # root reads anything: only a normal user sees a mode-000 file fail
    cp "$K/ed.key" "$K/locked.key"
    chmod 000 "$K/locked.key"
    conf "$T/locked.conf" "l ok.example:ed:$K/locked.key\n" ""
    check "key file without read permission" 1 "$T/locked.conf" -- \
        "error: $T/locked.conf.keys:1: key l: key file $K/locked.key cannot be read: Permission denied"
fi

conf "$T/nokey.conf" "$GOOD_KEYS" "ok.example ed\nother.example nokey\nok.example rsa\nghost.example ghost\n"
check "SigningTable names a missing KeyTable entry" 1 "$T/nokey.conf" -- \
    "error: $T/nokey.conf.signing:2: SigningTable entry names key nokey, which is not in the KeyTable $T/nokey.conf.keys" \
    "error: $T/nokey.conf.signing:4: SigningTable entry names key ghost, which is not in the KeyTable $T/nokey.conf.keys" \
    "$T/nokey.conf: not valid: 2 errors, 0 warnings"

conf "$T/sock1.conf" "$GOOD_KEYS" "$GOOD_SIGN"
sed -i "s|^Socket .*|Socket unix:$T/no/such/dir/milter.sock|" "$T/sock1.conf"
check "socket directory missing" 1 "$T/sock1.conf" -- \
    "error: $T/sock1.conf:2: Socket unix:$T/no/such/dir/milter.sock: the directory $T/no/such/dir does not exist"

conf "$T/sock2.conf" "$GOOD_KEYS" "$GOOD_SIGN"
sed -i "s|^Socket .*|Socket inet:8891@192.0.2.1|" "$T/sock2.conf"
check "socket address not on this host" 1 "$T/sock2.conf" -- \
    "error: $T/sock2.conf:2: Socket inet:8891@192.0.2.1: 192.0.2.1 is not an address of this host"

conf "$T/sock3.conf" "$GOOD_KEYS" "$GOOD_SIGN"
sed -i "s|^Socket .*|Socket inet:99999@127.0.0.1|" "$T/sock3.conf"
check "socket port out of range" 1 "$T/sock3.conf" -- \
    "error: $T/sock3.conf:2: bad port (1..65535) (99999)"

conf "$T/syntax.conf" "$GOOD_KEYS" "$GOOD_SIGN"
printf 'Sokcet inet:8891@127.0.0.1\nRejectFailures maybe\nPidFile %s/nodir/milter.pid\n' "$T" >> "$T/syntax.conf"
check "every config error at once" 1 "$T/syntax.conf" -- \
    "error: $T/syntax.conf:10: unknown key (Sokcet)" \
    "error: $T/syntax.conf:11: want a boolean: yes/no, true/false, on/off, 1/0 (maybe)" \
    "error: $T/syntax.conf:12: PidFile $T/nodir/milter.pid: the directory $T/nodir does not exist" \
    "$T/syntax.conf: not valid: 3 errors, 0 warnings"

conf "$T/store.conf" "$GOOD_KEYS" "$GOOD_SIGN"
sed -i "s|^Store .*|Store sqlite:$T/nodb/h.db|" "$T/store.conf"
check "store directory missing" 1 "$T/store.conf" -- \
    "error: $T/store.conf:5: Store sqlite:$T/nodb/h.db: the directory $T/nodb does not exist, the store cannot be created"

# A DNS server that does not answer: the keys cannot be confirmed (a warning, an error with
# --strict). Port 9 on loopback: nothing listens there in the test container.
conf "$T/dnsdown.conf" "ed ok.example:ed:$K/ed.key\n" "ok.example ed\n" "Nameservers 127.0.0.1@9\nDNSTimeout 1\n"
check "DNS lookup failed is a warning" 0 "$T/dnsdown.conf" -- \
    "warning: $T/dnsdown.conf.keys:1: key ed: DNS lookup failed:" \
    "(cannot confirm the published key)" \
    "$T/dnsdown.conf: valid (0 keys match the published records, 1 warning)"
check "DNS lookup failed is an error with --strict" 1 "$T/dnsdown.conf" --strict -- \
    "error: $T/dnsdown.conf.keys:1: key ed: DNS lookup failed:"

if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
    conf "$T/user.conf" "$GOOD_KEYS" "$GOOD_SIGN" "ZoneFile $FIX/test.zone\nUserID nobody\n"
    chmod 755 "$T" "$T/db"
    chown nobody "$T/db"
    check "key file the UserID user cannot read" 0 "$T/user.conf" -- \
        "warning: $T/user.conf.keys:1: key ed: key file $K/ed.key is readable here but not by nobody (UserID)" \
        "warning: $T/user.conf.keys:2: key rsa: key file $K/rsa.key is readable here but not by nobody (UserID)" \
        "$T/user.conf: valid (2 keys match the published records, 2 warnings)"
    conf "$T/user2.conf" "$GOOD_KEYS" "$GOOD_SIGN" "ZoneFile $FIX/test.zone\nUserID nosuchuser42\n"
    check "UserID names no user" 1 "$T/user2.conf" -- \
        "error: $T/user2.conf:10: UserID nosuchuser42: no such user nosuchuser42"
else
    echo "skip UserID cases: need root and a user nobody"
fi

# The same valid config against a real DNS server on loopback (libunbound, Nameservers).
if port=$(sh "$DNS_SERVER" start "$STATE" "$FIX/test.zone"); then
    echo "DNS server $(cat "$STATE/server") on 127.0.0.1:$port"
    conf "$T/live.conf" "$GOOD_KEYS" "$GOOD_SIGN" "Nameservers 127.0.0.1@$port\n"
    check "valid config, live DNS" 0 "$T/live.conf" -- \
        "$T/live.conf: valid (2 keys match the published records, 0 warnings)"
    conf "$T/live-mism.conf" "m ok.example:mism:$K/ed.key\n" "" "Nameservers 127.0.0.1@$port\n"
    check "published key differs, live DNS" 1 "$T/live-mism.conf" -- \
        "error: $T/live-mism.conf.keys:1: key m: published key differs"
else
    echo "FAIL: could not start a DNS server on loopback"
    fails=$((fails + 1))
fi

echo "check_config: $passes passed, $fails failed"
[ "$fails" = 0 ]
