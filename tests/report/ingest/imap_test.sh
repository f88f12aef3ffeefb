#!/bin/bash
# SPDX-License-Identifier: MIT
# imap_test.sh MAILSEAL FIXTURES: `mailseal report ingest imaps://...` against a real Dovecot
# (Debian's dovecot-imapd) started here on 127.0.0.1 at a high port, with a private config in a
# temporary directory: passwd-file users, Maildir storage, TLS with a CA made by openssl now.
# Checks: without --cacert the server's certificate is refused (nothing stored); with it every
# report is stored, the broken one kept aside (exit 3), every message flagged
# $MailsealIngested; a rerun finds nothing new; a new message is picked up alone.
# Exit 77 (skipped) when Dovecot or openssl is not installed. bash: /dev/tcp probes the port.
set -u
ms=$(realpath "$1")
fx=$(realpath "$2")
dovecot=/usr/sbin/dovecot
if [ ! -x $dovecot ] || ! command -v openssl >/dev/null 2>&1; then
    echo "SKIP: Dovecot ($dovecot, Debian dovecot-imapd) or openssl is not installed"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ms-imap.XXXXXX") || exit 1
chmod 755 "$tmp"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cd "$tmp" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_eq() { if [ "$2" != "$3" ]; then fail "$1: got '$2', want '$3'"; else echo "ok: $1"; fi; }

# ---- a test CA and a server certificate for 127.0.0.1 ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
    -subj "/CN=mailseal test CA" >/dev/null 2>&1 || { echo "FAIL: openssl CA"; exit 1; }
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
    -subj "/CN=127.0.0.1" >/dev/null 2>&1 || { echo "FAIL: openssl CSR"; exit 1; }
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
    -days 2 -extfile san.ext >/dev/null 2>&1 || { echo "FAIL: openssl sign"; exit 1; }

# ---- Dovecot: one user, Maildir under the temp dir ----
uid=$(id -u); gid=$(id -g)
if [ "$uid" -eq 0 ]; then
    # Dovecot refuses to give a mailbox to root: the mail belongs to 'nobody' then.
    uid=$(id -u nobody) && gid=$(id -g nobody) || { echo "FAIL: no user 'nobody'"; exit 1; }
fi
# A free high port: try a few.
port=""
for p in $(( 20000 + $$ % 20000 )) $(( 41000 + $$ % 9000 )) 45993 46993 47993; do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || port=$(( 20000 + $$ % 20000 ))
mkdir -p run home/reports/Maildir/new home/reports/Maildir/cur home/reports/Maildir/tmp
printf 'reports:{PLAIN}s3cret-pass:%s:%s::%s/home/reports\n' "$uid" "$gid" "$tmp" >passwd
printf 's3cret-pass\n' >password
cat >dovecot.conf <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $tmp/run
state_dir = $tmp/run
log_path = $tmp/dovecot.log
info_log_path = $tmp/dovecot.log
ssl = required
ssl_cert = <$tmp/server.pem
ssl_key = <$tmp/server.key
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:~/Maildir
first_valid_uid = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN $tmp/passwd
}
userdb {
  driver = passwd-file
  args = $tmp/passwd
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $port
    ssl = yes
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
CONF
# The reports, delivered as messages (Maildir new/).
md=home/reports/Maildir
n=0
for f in r1-0001 r1-0002 broken; do
    n=$((n + 1))
    { printf 'From: reports@reporter.example\nTo: dmarc@ingest.example\nSubject: %s\nMessage-ID: <%s@reporter.example>\nMIME-Version: 1.0\nContent-Type: text/xml\n\n' "$f" "$f"; cat "$fx/$f.xml"; } >"$md/new/170000000$n.M$n.host"
done
cp "$fx/r3-0001.eml" "$md/new/1700000009.M9.host"
chown -R "$uid:$gid" home

$dovecot -F -c "$tmp/dovecot.conf" >dovecot.out 2>&1 &
pid=$!
ready=0
for i in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then ready=1; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
if [ $ready -ne 1 ]; then
    echo "FAIL: Dovecot did not start on 127.0.0.1:$port"
    cat dovecot.out dovecot.log 2>/dev/null
    exit 1
fi
url="imaps://reports@127.0.0.1:$port/INBOX"

# ---- without --cacert: the certificate is not trusted, nothing is read ----
"$ms" report ingest --store "sqlite:$tmp/s.db" --password-file password "$url" >out1 2>err1
rc=$?
expect_eq "no --cacert: exit status" "$rc" 1
if grep -qi "certificate" err1; then echo "ok: no --cacert: the certificate is refused"; else fail "no --cacert: no certificate error: $(cat err1)"; fi
expect_eq "no --cacert: nothing stored" "$(sqlite3 s.db 'select count(*) from report_source')" 0

# ---- a wrong password: refused ----
MAILSEAL_IMAP_PASSWORD=wrong "$ms" report ingest --store "sqlite:$tmp/s.db" --cacert ca.pem "$url" >out2 2>err2
expect_eq "wrong password: exit status" "$?" 1

# ---- with --cacert (password from the environment): stored, broken kept aside ----
MAILSEAL_IMAP_PASSWORD=s3cret-pass "$ms" report ingest --store "sqlite:$tmp/s.db" --cacert ca.pem "$url" >out3 2>err3
expect_eq "with --cacert: exit status" "$?" 3
got=$(sed -e "s|$port|PORT|g" out3)
want="stored      imaps://127.0.0.1:PORT/INBOX;UID=1: 1 new, 0 duplicate
stored      imaps://127.0.0.1:PORT/INBOX;UID=2: 1 new, 0 duplicate
kept-aside  imaps://127.0.0.1:PORT/INBOX;UID=3: the report ends before </feedback> (truncated?): Premature end of data in tag report_metadata line 2 (byte 79)
stored      imaps://127.0.0.1:PORT/INBOX;UID=4: 1 new, 0 duplicate
ingest: 4 items: 3 stored, 0 duplicate, 1 kept aside, 0 done before; 3 reports new, 0 duplicate"
if [ "$got" = "$want" ]; then echo "ok: with --cacert: output"; else fail "with --cacert: output"; printf -- '--- got\n%s\n--- want\n%s\n--- stderr\n%s\n' "$got" "$want" "$(cat err3)"; fi
expect_eq "with --cacert: reports" "$(sqlite3 s.db 'select count(*) from report_aggregate')" 3
keys=$(sqlite3 s.db "select count(*) from report_source where source_key like 'imap://127.0.0.1:$port/INBOX;UIDVALIDITY=%;UID=%'")
expect_eq "with --cacert: source keys" "$keys" 4
if grep -q 'MailsealIngested' $md/dovecot-keywords 2>/dev/null; then echo "ok: keyword defined"; else fail "no \$MailsealIngested keyword in $md/dovecot-keywords"; fi
expect_eq "every message flagged" "$(ls $md/cur | grep -c ':2,.*a')" 4

# ---- again: nothing new; then one new message alone ----
"$ms" report ingest --store "sqlite:$tmp/s.db" --cacert ca.pem --password-file password "$url" >out4 2>err4
expect_eq "again: exit and output" "$? $(cat out4)" "0 ingest: 0 items: 0 stored, 0 duplicate, 0 kept aside, 0 done before; 0 reports new, 0 duplicate"
{ printf 'From: reports@reporter.example\nSubject: gz\nMIME-Version: 1.0\nContent-Type: application/gzip\nContent-Transfer-Encoding: base64\n\n'; base64 "$fx/r2-0001.xml.gz"; } >"$md/new/1700000010.M10.host"
chown "$uid:$gid" "$md/new/1700000010.M10.host"
"$ms" report ingest --store "sqlite:$tmp/s.db" --cacert ca.pem --password-file password "$url" >out5 2>err5
expect_eq "a new message: exit and output" "$? $(sed -e "s|$port|PORT|g" out5 | head -1)" "0 stored      imaps://127.0.0.1:PORT/INBOX;UID=5: 1 new, 0 duplicate"

if [ $failures -ne 0 ]; then
    echo "$failures failed"
    tail -20 dovecot.log 2>/dev/null
    exit 1
fi
echo "all passed"
