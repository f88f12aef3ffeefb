#!/bin/sh
# SPDX-License-Identifier: MIT
# mailseal-milter's daemon features (issue 6 §2), driven by miltertest (Lua:
# milter_features.lua):
# - SIGUSR1 reload: a changed setting (RejectFailures, AuthservID, Mode, Canonicalization) takes
#   effect for new connections while a connection opened before keeps its config; a broken
#   config is refused with its reason logged and the old one kept; a changed PidFile is logged
#   as ignored; reloads sent over and over under a load of sessions lose none;
# - TrustedAuthservIDs: an internal relay's trusted spf= result is used for DMARC and said so;
#   untrusted ids, our own id and external clients are not believed;
# - the queue id (macro i at RCPT) in the "not signed" log line;
# - keys of opendkim.conf without effect are warned about; UMask applies to the socket;
# - FailureReports: reports queued in the store within FailureReportsRateLimit, none for a
#   message that carries a report;
# - Nameservers: the first address dead, the second a real server (nsd on loopback): answers
#   still come; an SPF include the server refuses (SERVFAIL: SPF temperror) under DMARC p=reject
#   gets 451 4.7.5 (TemporaryFailure tempfail).
# usage: milter_features.sh MILTER_BINARY LUA_SCRIPT DNS_SERVER_SH
set -eu
MILTER=$1
LUA=$2
DNS_SERVER=$3
command -v miltertest >/dev/null || { echo "miltertest missing: run scripts/install-deps"; exit 1; }
T=$(mktemp -d /tmp/ms-mfeat.XXXXXX)
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    sh "$DNS_SERVER" stop "$T/dns" >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
status=0
fail() {
    echo "FAIL: $*"
    status=1
}

openssl genpkey -algorithm ed25519 -out "$T/sign.key" 2>/dev/null
PUB=$(openssl pkey -in "$T/sign.key" -pubout -outform DER | tail -c 32 | base64)
cat > "$T/test.zone" <<ZONE
\$TTL 300
pass.example.             IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.pass.example.      IN TXT "v=DMARC1; p=reject"
reject.example.           IN TXT "v=spf1 -all"
_dmarc.reject.example.    IN TXT "v=DMARC1; p=reject"
relayed.example.          IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.relayed.example.   IN TXT "v=DMARC1; p=reject"
sign.example.             IN TXT "v=spf1 -all"
ruf.example.              IN TXT "v=spf1 -all"
_dmarc.ruf.example.       IN TXT "v=DMARC1; p=quarantine; ruf=mailto:ruf@ruf.example"
sel._domainkey.sign.example. IN TXT "v=DKIM1; k=ed25519; p=$PUB"
ZONE
printf 'sk sign.example:sel:%s/sign.key\n' "$T" > "$T/keytable"
printf 'sign.example sk\n' > "$T/signingtable"

# c1: verify only, marks only, trusts fmx.test (and lists our own id, which is never believed).
common="Socket unix:$T/m.sock
InternalHosts 127.0.0.1, 10.0.0.0/8
KeyTable file:$T/keytable
SigningTable file:$T/signingtable
Syslog no
Store sqlite:$T/history.db
ZoneFile $T/test.zone
TrustedAuthservIDs fmx.test, mx.test
UMask 077
FailureReports yes
FailureReportsSentBy dmarc@mx.test
FailureReportsRateLimit 2"
printf '%s\nAuthservID mx.test\nMode v\nRejectFailures no\nSyslogSuccess yes\n' "$common" \
    > "$T/c1.conf"
# c2: new authserv-id, signing on, enforcement on, c=simple/simple, a PidFile (restart only).
printf '%s\nAuthservID mx2.test\nMode sv\nRejectFailures yes\nCanonicalization simple/simple\nPidFile %s/other.pid\n' \
    "$common" "$T" > "$T/c2.conf"
# bad: c2 with a typo.
{ cat "$T/c2.conf"; printf 'Sokcet unix:/x\n'; } > "$T/bad.conf"
cp "$T/c1.conf" "$T/milter.conf"

"$MILTER" -c "$T/milter.conf" 2> "$T/milter.log" &
PID=$!
i=0
while [ ! -S "$T/m.sock" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then echo "milter did not start:"; cat "$T/milter.log"; exit 1; fi
    sleep 0.1
done

# reload.sh CONF: install CONF (atomically) as the config, send SIGUSR1, wait for the outcome.
cat > "$T/reload.sh" <<EOF
#!/bin/sh
n=\$(grep -c -E 'reloaded |reload refused' "$T/milter.log" || true)
cp "\$1" "$T/milter.conf.new" && mv "$T/milter.conf.new" "$T/milter.conf"
kill -USR1 $PID
i=0
while [ "\$(grep -c -E 'reloaded |reload refused' "$T/milter.log" || true)" -le "\$n" ]; do
    i=\$((i + 1))
    [ \$i -gt 100 ] && { echo "no reload outcome logged"; exit 1; }
    sleep 0.05
done
exit 0
EOF

MS_T="$T" MS_SOCK="unix:$T/m.sock" MS_PHASE=features miltertest -s "$LUA" || fail "miltertest (features)"

# Load: two clients of 1000 sessions each while reloads (c1 and c2 in turn) arrive every 10 ms.
MS_N=1000 MS_T="$T" MS_SOCK="unix:$T/m.sock" MS_PHASE=load miltertest -s "$LUA" > "$T/load1.out" 2>&1 &
L1=$!
MS_N=1000 MS_T="$T" MS_SOCK="unix:$T/m.sock" MS_PHASE=load miltertest -s "$LUA" > "$T/load2.out" 2>&1 &
L2=$!
n=0
while kill -0 "$L1" 2>/dev/null || kill -0 "$L2" 2>/dev/null; do
    if [ $((n % 2)) = 0 ]; then cp "$T/c1.conf" "$T/milter.conf.new"; else cp "$T/c2.conf" "$T/milter.conf.new"; fi
    mv "$T/milter.conf.new" "$T/milter.conf"
    kill -USR1 "$PID"
    n=$((n + 1))
    sleep 0.01
done
wait "$L1" || { fail "load client 1"; cat "$T/load1.out"; }
wait "$L2" || { fail "load client 2"; cat "$T/load2.out"; }
r=$(grep -c 'reloaded ' "$T/milter.log" || true)
echo "load: $n SIGUSR1 sent during 2000 sessions, $r reloads done in all"
[ "$n" -ge 10 ] || fail "load: only $n reloads during the load"
n=$(grep -c 'reload refused' "$T/milter.log" || true)
[ "$n" = 1 ] || fail "got $n refused reloads, want 1 (the broken config only)"
kill -0 "$PID" 2>/dev/null || fail "the milter died under reloads"
got=$(stat -c %a "$T/m.sock")
[ "$got" = 700 ] || fail "UMask 077: the socket's mode is $got, want 700"

kill "$PID"
wait "$PID" || fail "the milter did not exit cleanly on SIGTERM"
PID=""
echo "--- milter log (features)"
cat "$T/milter.log"
L=$T/milter.log
grep -q -E 'Sanitizer|runtime error' "$L" && fail "sanitizer report in the milter log"
grep -q 'line 16: SyslogSuccess (OpenDKIM) has no effect in mailseal-milter' "$L" ||
    fail "no warning for SyslogSuccess"
grep -q 'reload refused, the old config is kept: .*:18: unknown key (Sokcet)' "$L" ||
    fail "the broken config's reason is not logged"
grep -q 'reload: PidFile changed: ignored until the daemon is restarted' "$L" ||
    fail "the changed PidFile is not logged as ignored"
[ ! -e "$T/other.pid" ] || fail "a reload wrote the new PidFile"
grep -q 'QF00001: from 198.51.100.7: not signed: no SigningTable match' "$L" ||
    fail "the not-signed log line lacks the queue id from RCPT"
grep -q 'spf=pass (trusted fmx.test; own check of the relay: fail) dkim=0 dmarc=pass (relayed.example)' "$L" ||
    fail "the log line does not say the trusted SPF result was used"
grep -q 'trusted Authentication-Results of fmx.test not used: its smtp.mailfrom b@other.example is not the envelope sender' "$L" ||
    fail "a trusted A-R for another envelope domain was not logged as unused"
# The history row records the verdicts acted on: the trusted SPF pass and DMARC pass.
row=$(/usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute("SELECT spf_result, dmarc_result FROM history WHERE header_from = ? AND dmarc_result = ?",
               ("relayed.example", "pass")).fetchall()
print(" ".join("%s/%s" % t for t in r))' "$T/history.db")
case "$row" in
*pass/pass*) ;;
*) fail "history for relayed.example: got '$row', want spf pass/dmarc pass (the trusted result)" ;;
esac

# FailureReports: two of the three spoofed messages' reports queued, the third dropped by the
# rate limit, none for the message carrying a report; what is queued is ARF for ruf.example.
n=$(grep -c 'dmarc failure report for ruf.example queued' "$L" || true)
d=$(grep -c 'dmarc failure report for ruf.example dropped: the hourly rate limit was reached' "$L" || true)
[ "$n" = 2 ] && [ "$d" = 1 ] || fail "FailureReports: got $n queued and $d dropped in the log, want 2 and 1"
q=$(/usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT kind, record, message FROM failure_out WHERE policy_domain = ?",
                  ("ruf.example",)).fetchall()
ok = [r for r in rows if r[0] == "dmarc" and "ruf=mailto:ruf@ruf.example" in r[1]
      and r[2].startswith("From: <dmarc@mx.test>") and "Feedback-Type: auth-failure" in r[2]
      and "Subject: spoof " in r[2] and "hxxps://ruf.example/u" in r[2] and "Hello." not in r[2]]
print(len(rows), len(ok))' "$T/history.db")
[ "$q" = "2 2" ] || fail "FailureReports: the store holds (reports, well-formed) $q, want 2 2"

# Nameservers: the first address a closed port, the second nsd.
cat > "$T/mfeat.test.zone" <<'ZONE'
$ORIGIN mfeat.test.
$TTL 300
@        IN SOA ns hostmaster 1 3600 900 604800 60
@        IN NS  ns
ns       IN A   127.0.0.1
pass     IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.pass IN TXT "v=DMARC1; p=reject"
temp     IN TXT "v=spf1 include:spf.unserved.example -all"
_dmarc.temp IN TXT "v=DMARC1; p=reject"
ZONE
mkdir "$T/dns"
if port=$(sh "$DNS_SERVER" start "$T/dns" "$T/mfeat.test.zone"); then
    dead=$((port + 1))
    while ss -Hlun "sport = :$dead" 2>/dev/null | grep -q .; do dead=$((dead + 1)); done
    cat > "$T/d.conf" <<CONF
Socket unix:$T/d.sock
AuthservID mx.test
Mode v
RejectFailures yes
Syslog no
Store sqlite:$T/d.db
Nameservers 127.0.0.1@$dead, 127.0.0.1@$port
DNSTimeout 3
CONF
    "$MILTER" -c "$T/d.conf" 2> "$T/d.log" &
    PID=$!
    i=0
    while [ ! -S "$T/d.sock" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then echo "milter did not start:"; cat "$T/d.log"; exit 1; fi
        sleep 0.1
    done
    MS_SOCK="unix:$T/d.sock" MS_PHASE=dns miltertest -s "$LUA" || fail "miltertest (dns)"
    kill "$PID"
    wait "$PID" || fail "the DNS milter did not exit cleanly on SIGTERM"
    PID=""
    echo "--- milter log (Nameservers 127.0.0.1@$dead, 127.0.0.1@$port)"
    cat "$T/d.log"
    grep -q -E 'Sanitizer|runtime error' "$T/d.log" && fail "sanitizer report in the DNS milter log"
    n=$(grep -c 'dmarc=pass (pass.mfeat.test)' "$T/d.log" || true)
    [ "$n" = 4 ] || fail "Nameservers: got $n DMARC passes through the second server, want 4"
    grep -q 'spf=temperror dkim=0 dmarc=fail (temp.mfeat.test) p=reject forged-ar-removed=0 action=tempfail' \
        "$T/d.log" || fail "SPF temperror under p=reject was not a tempfail"
else
    fail "could not start a DNS server"
fi
exit $status
