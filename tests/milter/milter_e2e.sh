#!/bin/sh
# SPDX-License-Identifier: MIT
# mailseal-milter driven by miltertest (Debian) over a unix socket in a temporary directory,
# with offline zone files (ZoneFile) so no network is needed. Cases: DMARC pass adds our
# Authentication-Results at the top; p=reject fail gets 550 5.7.1; p=quarantine is held, as
# is p=reject with t=y; a forged A-R claiming our authserv-id is removed; outbound mail from an
# internal host is signed and dkimpy verifies the signature; internal mail without a
# SigningTable match is not signed and the log says why; an SMTP-AUTH client is signed, not
# verified; history rows are written for the inbound messages.
# usage: milter_e2e.sh MILTER_BINARY LUA_SCRIPT
set -eu
MILTER=$1
LUA=$2
command -v miltertest >/dev/null || { echo "miltertest missing: run scripts/install-deps"; exit 1; }
T=$(mktemp -d /tmp/ms-milter.XXXXXX)
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

openssl genpkey -algorithm ed25519 -out "$T/sign.key" 2>/dev/null
PUB=$(openssl pkey -in "$T/sign.key" -pubout -outform DER | tail -c 32 | base64)

cat > "$T/test.zone" <<ZONE
\$TTL 300
pass.example.         IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.pass.example.  IN TXT "v=DMARC1; p=reject"
reject.example.       IN TXT "v=spf1 -all"
_dmarc.reject.example. IN TXT "v=DMARC1; p=reject"
quar.example.         IN TXT "v=spf1 -all"
_dmarc.quar.example.  IN TXT "v=DMARC1; p=quarantine"
ty.example.           IN TXT "v=spf1 -all"
_dmarc.ty.example.    IN TXT "v=DMARC1; p=reject; t=y"
sign.example.         IN TXT "v=spf1 -all"
sel._domainkey.sign.example. IN TXT "v=DKIM1; k=ed25519; p=$PUB"
ZONE
printf 'sk sign.example:sel:%s/sign.key\n' "$T" > "$T/keytable"
printf 'sign.example sk\n' > "$T/signingtable"
cat > "$T/milter.conf" <<CONF
Socket          unix:$T/milter.sock
AuthservID      mx.test
InternalHosts   127.0.0.1
KeyTable        file:$T/keytable
SigningTable    file:$T/signingtable
RejectFailures  yes
Syslog          no
Store           sqlite:$T/history.db
ZoneFile        $T/test.zone
CONF

"$MILTER" -c "$T/milter.conf" 2> "$T/milter.log" &
PID=$!
i=0
while [ ! -S "$T/milter.sock" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then echo "milter did not start:"; cat "$T/milter.log"; exit 1; fi
    sleep 0.1
done

status=0
MS_SIG_OUT="$T/sig" MS_SOCK="unix:$T/milter.sock" miltertest -s "$LUA" || status=1

# Stop the milter (libmilter ends on SIGTERM) so that a sanitizer build reports at exit.
kill "$PID"
wait "$PID" || { echo "FAIL: the milter did not exit cleanly on SIGTERM"; status=1; }
PID=""
echo "--- milter log"
cat "$T/milter.log"
if grep -q -E 'Sanitizer|runtime error' "$T/milter.log"; then
    echo "FAIL: sanitizer report in the milter log"; status=1
fi
grep -q 'not signed: no SigningTable match' "$T/milter.log" ||
    { echo "FAIL: no log line saying why the internal message was not signed"; status=1; }
grep -q 'dmarc=fail (reject.example) p=reject .*action=reject' "$T/milter.log" ||
    { echo "FAIL: the p=reject message was not rejected"; status=1; }
grep -q 'history: 0 rows older than 30 days expired' "$T/milter.log" ||
    { echo "FAIL: no HistoryDays expiry at start"; status=1; }
n=$(grep -c ' action=' "$T/milter.log" || true)
[ "$n" = 7 ] || { echo "FAIL: got $n per-message verdict log lines, want 7"; status=1; }

# The outbound signature verifies with dkimpy (an independent implementation), the message
# rebuilt as the Lua script sent it.
/usr/bin/python3 - "$T/sig" "$PUB" <<'PY' || status=1
import sys, dkim
sig = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
msg = (b"DKIM-Signature: " + sig + b"\r\n"
       b"From: Me <me@sign.example>\r\nTo: you@rcpt.test\r\nSubject: out\r\n\r\nHello.\r\n")
rec = ("v=DKIM1; k=ed25519; p=" + sys.argv[2]).encode()
def dnsfunc(name, timeout=5):
    return rec if name == b"sel._domainkey.sign.example." else None
if not dkim.verify(msg, dnsfunc=dnsfunc):
    print("FAIL: dkimpy does not verify the outbound signature")
    sys.exit(1)
print("outbound signature verifies with dkimpy")
PY

# History rows: one per inbound message, rejected ones included.
/usr/bin/python3 - "$T/history.db" <<'PY' || status=1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT header_from, dmarc_result, disposition, source_ip FROM history "
                  "ORDER BY id").fetchall()
want = [("pass.example", "pass", "none", "192.0.2.10"),
        ("reject.example", "fail", "reject", "192.0.2.10"),
        ("quar.example", "fail", "quarantine", "192.0.2.10"),
        ("ty.example", "fail", "quarantine", "192.0.2.10"),
        ("pass.example", "pass", "none", "192.0.2.10"),
        ("pass.example", "pass", "none", "192.0.2.10"),   # 10,000 header fields
        ("pass.example", "pass", "none", "192.0.2.10")]   # after the bad input
if rows != want:
    print("FAIL: history rows: got %r, want %r" % (rows, want))
    sys.exit(1)
print("history rows ok")
PY
# UserID: run as root only (the test suite normally is, in this container): the daemon drops to
# nobody after opening its socket (handed to nobody) and before opening the store.
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
    U=$T/userid
    mkdir -p "$U/db"
    chmod 755 "$T" "$U"
    chown nobody "$U/db"
    chmod 644 "$T/test.zone"
    printf 'Socket unix:%s/s\nAuthservID mx.test\nSyslog no\nUserID nobody\nStore sqlite:%s/db/h.db\nZoneFile %s\n' \
        "$U" "$U" "$T/test.zone" > "$U/c.conf"
    "$MILTER" -c "$U/c.conf" 2> "$U/log" &
    PID=$!
    i=0
    while [ ! -S "$U/s" ] || [ ! -f "$U/db/h.db" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then echo "FAIL: UserID milter did not start:"; cat "$U/log"; status=1; break; fi
        sleep 0.1
    done
    got=$(ps -o user= -p "$PID" | tr -d ' ')
    [ "$got" = nobody ] || { echo "FAIL: UserID nobody: the daemon runs as $got"; status=1; }
    got=$(stat -c %U "$U/s")
    [ "$got" = nobody ] || { echo "FAIL: UserID nobody: the socket belongs to $got"; status=1; }
    got=$(stat -c %U "$U/db/h.db")
    [ "$got" = nobody ] || { echo "FAIL: UserID nobody: the store belongs to $got"; status=1; }
    kill "$PID"
    wait "$PID" || true
    PID=""
    echo "UserID checked"
else
    echo "UserID not checked: needs root and a user nobody"
fi
exit $status
