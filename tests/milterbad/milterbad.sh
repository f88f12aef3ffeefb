#!/bin/bash
# SPDX-License-Identifier: MIT
# mailseal-milter against bad input from the MTA side: bad-inputs.md §3.6 (MLT-01..MLT-13 but
# MLT-14) and issue 6 §4, one case per run. The daemon runs on a unix socket in a temporary
# directory with offline zone files (ZoneFile, as tests/milter) and is driven by ms-milterdrv.
# After every bad input, another connection must be served normally; at the end the daemon
# must exit cleanly on SIGTERM and its log must hold no sanitizer report (the same cases run
# against the ASan+UBSan build: ctest --preset asan).
#
# usage: milterbad.sh CASE MILTER_BINARY MS_MILTERDRV
# Environment: MS_MILTERBAD_BIG  bytes of the large body of MLT-04 (default 1 GiB).
set -u
CASE=$1
MILTER=$2
DRV=$3
BIG=${MS_MILTERBAD_BIG:-1073741824}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/ms-milterbad.XXXXXX)
PID=""
FAILS=0
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

openssl genpkey -algorithm ed25519 -out "$T/sign.key" 2>/dev/null
PUB=$(openssl pkey -in "$T/sign.key" -pubout -outform DER | tail -c 32 | base64)
cat >"$T/test.zone" <<ZONE
\$TTL 300
pass.example.         IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.pass.example.  IN TXT "v=DMARC1; p=reject"
reject.example.       IN TXT "v=spf1 -all"
_dmarc.reject.example. IN TXT "v=DMARC1; p=reject"
sign.example.         IN TXT "v=spf1 -all"
sel._domainkey.sign.example. IN TXT "v=DKIM1; k=ed25519; p=$PUB"
ZONE
printf 'sk sign.example:sel:%s/sign.key\n' "$T" >"$T/keytable"
printf 'sign.example sk\n' >"$T/signingtable"
cat >"$T/milter.conf" <<CONF
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
SOCK=unix:$T/milter.sock

# The messages: DMARC pass (SPF aligned) and DMARC fail with p=reject.
printf 'From: A <a@pass.example>\r\nTo: b@rcpt.test\r\nSubject: pass\r\n\r\nHello.\r\n' >"$T/pass.eml"
printf 'From: a@reject.example\r\nTo: b@rcpt.test\r\nSubject: reject\r\n\r\nHello.\r\n' >"$T/reject.eml"

# ASan keeps freed memory in quarantine (256 MiB by default), which VmHWM would count as the
# milter's own: keep it small so the memory bounds below hold for the sanitizer build too.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
"$MILTER" -c "$T/milter.conf" 2>"$T/milter.log" &
PID=$!
i=0
while [ ! -S "$T/milter.sock" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
        echo "milter did not start:"
        cat "$T/milter.log"
        exit 1
    fi
    sleep 0.1
done

status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID/status"; }
alive() { kill -0 "$PID" 2>/dev/null || fail "the milter died"; }

# A script through the driver: output in $T/$1.out (shown), the script on stdin. The preamble
# (open, optneg, connect from 192.0.2.10, helo) comes first unless the name ends in ".raw".
run() {
    local name=$1
    touch "$T/ran"
    {
        case $name in
        *.raw) ;;
        *) printf 'open\noptneg\nmacro C j mx.test\nconnect client.test 192.0.2.10\nhelo client.test\n' ;;
        esac
        cat
    } >"$T/$name.script"
    timeout 600 "$DRV" script "$SOCK" "$T/$name.script" >"$T/$name.out" 2>&1
    local rc=$?
    echo "--- $name (driver exit $rc)"
    if grep -q -E 'Sanitizer|runtime error' "$T/$name.out"; then
        grep -A20 -E 'Sanitizer|runtime error' "$T/$name.out" | head -40
        fail "$name: sanitizer report from the driver"
    fi
    if [ "$(wc -l <"$T/$name.out")" -gt 60 ]; then
        head -n 25 "$T/$name.out"
        echo "[...]"
        tail -n 25 "$T/$name.out"
    else
        cat "$T/$name.out"
    fi
}
has() { grep -q -E -- "$2" "$T/$1.out" || fail "$1: no line matching /$2/"; }
hasnt() { ! grep -q -E -- "$2" "$T/$1.out" || fail "$1: a line matches /$2/"; }
count() { grep -c -E -- "$2" "$T/$1.out"; }

# Another connection gets a normal verdict: pass with our A-R on top, and reject for p=reject.
serves() {
    "$DRV" session "$SOCK" -f a@pass.example "$T/pass.eml" "$T/reject.eml" >"$T/serves.out" 2>&1
    if grep -q -E 'Sanitizer|runtime error' "$T/serves.out" ||
        ! grep -q 'eom: insheader 0 "Authentication-Results" "mx.test;.*dmarc=pass' "$T/serves.out" ||
        ! grep -q '^result 1 continue' "$T/serves.out" ||
        ! grep -q '^result 2 replycode' "$T/serves.out"; then
        fail "after $1, a normal connection is not served normally:"
        cat "$T/serves.out"
    else
        echo "after $1: another connection is served normally"
    fi
    alive
}

# "header NAME VALUE" lines of a plain message (for scripts).
plain_headers() { # FROM_DOMAIN SUBJECT
    printf 'header From "a@%s"\nheader To b@rcpt.test\nheader Subject "%s"\n' "$1" "$2"
}

case $CASE in
MLT-01) # packet lengths 0, 1, 0x7FFFFFFF, 0xFFFFFFFF: closed, no big allocation
    HWM0=$(status_kb VmHWM)
    for len in 0 1 0x7FFFFFFF 0xFFFFFFFF 0x80000000 65537; do
        for when in first after-mail; do
            n=len-$len-$when
            if [ $when = first ]; then
                n=$n.raw
                run "$n" <<EOF
open
raw-len $len O
expect-closed
EOF
            else
                run "$n" <<EOF
mail <a@pass.example>
raw-len $len L "Subject\0x\0"
expect-closed
EOF
            fi
            # A length of 1 is a bare command byte: libmilter may take it as a command and
            # answer (an option negotiation of no data is refused: closed).
            has "$n" 'expect-closed: closed'
        done
    done
    HWM1=$(status_kb VmHWM)
    echo "VmHWM before ${HWM0} kB, after ${HWM1} kB"
    [ $((HWM1 - HWM0)) -lt 16384 ] || fail "VmHWM grew by $((HWM1 - HWM0)) kB (> 16 MiB)"
    serves "bad packet lengths"
    ;;
MLT-02) # malformed SMFIC_HEADER
    i=0
    for data in '"Subject no NUL"' '"Subject\0no second NUL"' '"\0empty name\0"' \
        '"Sub:ject\0colon in the name\0"' '"Sub\x01ject\0control byte\0"' \
        '"Sub ject\0space in the name\0"' '"\0\0"' '""'; do
        i=$((i + 1))
        run "hdr$i" <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
$(plain_headers pass.example "bad header $i")
raw L $data
read
eoh
body "Hello.\r\n"
eom
EOF
        # Either libmilter drops the connection (a packet it cannot split) or the message
        # gets a verdict; never a pass with our A-R for a header we could not rebuild as
        # the MTA delivers it.
        if grep -q '^eom: continue' "$T/hdr$i.out" &&
            grep -q 'eom: insheader.*dmarc=pass' "$T/hdr$i.out"; then
            fail "hdr$i: malformed header field accepted with dmarc=pass"
        fi
        grep -q -E '^(read|eom|eoh|body): (closed|tempfail|reject|replycode|continue)' \
            "$T/hdr$i.out" || fail "hdr$i: neither closed nor a verdict"
    done
    serves "malformed headers"
    ;;
MLT-04 | big-body) # body chunks totalling 1 GiB (100 MB for issue 6 §4): memory bounded
    size=$BIG
    [ "$CASE" = big-body ] && size=100000000
    HWM0=$(status_kb VmHWM)
    # A DKIM-Signature with a key in the zone makes the milter hash the body (streaming); it
    # fails on the body hash (bh= is the hash of an empty body).
    run big <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
header DKIM-Signature "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=sign.example; s=sel; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NJpWOBk4yGh8M=; b=\{86,A}=="
$(plain_headers pass.example "big body")
eoh
body-fill $size 65535
eom
EOF
    HWM1=$(status_kb VmHWM)
    echo "body of $size bytes; VmHWM before ${HWM0} kB, after ${HWM1} kB"
    has big "body-fill: $size bytes sent,"
    has big 'eom: insheader 0 "Authentication-Results" "mx.test;.*dkim=fail .body hash'
    [ $((HWM1 - HWM0)) -lt 65536 ] || fail "VmHWM grew by $((HWM1 - HWM0)) kB (> 64 MiB)"
    serves "a body of $size bytes"
    ;;
MLT-05) # abort mid-body, then a new message on the same connection: state reset
    run abort1 <<EOF
mail <a@reject.example>
rcpt <b@rcpt.test>
header Authentication-Results "mx.test; dmarc=pass header.from=reject.example"
$(plain_headers reject.example "first, aborted")
header DKIM-Signature "v=1; a=ed25519-sha256; d=reject.example; s=x; h=from; bh=AAAA; b=AAAA"
eoh
body "first body line\r\n"
abort
mail <a@pass.example>
rcpt <b@rcpt.test>
$(plain_headers pass.example "second")
eoh
body "Hello.\r\n"
eom
EOF
    # Message 2's verdicts are its own: pass, no deletion (message 1's forged A-R was at 1),
    # no DKIM result from message 1's signature, spf for pass.example.
    has abort1 'eom: insheader 0 "Authentication-Results" "mx.test;.*smtp.mailfrom=a@pass.example.*dkim=none.*dmarc=pass.*header.from=pass.example'
    hasnt abort1 'chgheader'
    has abort1 '^eom: continue'
    # And the other way round: a passing message aborted, then a p=reject one is rejected.
    run abort2 <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
$(plain_headers pass.example "first, aborted")
eoh
body "Hello.\r\n"
abort
mail <a@reject.example>
rcpt <b@rcpt.test>
$(plain_headers reject.example "second")
eoh
body "Hello.\r\n"
eom
EOF
    has abort2 'dmarc=fail.*header.from=reject.example'
    has abort2 '^eom: replycode "550 5.7.1'
    # Aborted before the body, then a message without a From: no From from message 1.
    run abort3 <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
header From "a@pass.example"
abort
mail <a@pass.example>
rcpt <b@rcpt.test>
header Subject "no From"
eoh
body "Hello.\r\n"
eom
EOF
    hasnt abort3 'header.from=pass.example'
    serves "aborted messages"
    ;;
MLT-07) # 2 KiB local part / domain in MAIL FROM; 1,000 RCPT
    run longlocal <<EOF
mail "<\{2048,l}@pass.example>"
rcpt <b@rcpt.test>
$(plain_headers pass.example "long local part")
eoh
body "Hello.\r\n"
eom
EOF
    has longlocal '^eom: (continue|tempfail|reject|replycode)'
    run longdomain <<EOF
mail "<a@\{2048,d}.example>"
rcpt <b@rcpt.test>
$(plain_headers pass.example "long domain")
eoh
body "Hello.\r\n"
eom
EOF
    has longdomain '^eom: (continue|tempfail|reject|replycode)'
    # A long domain is no SPF pass for anybody.
    hasnt longdomain 'spf=pass'
    run rcpts <<EOF
mail <a@pass.example>
rcpts 1000 user rcpt.test
rcpt "<\{2048,r}@\{2048,d}.test>"
$(plain_headers pass.example "1,001 recipients")
eoh
body "Hello.\r\n"
eom
EOF
    has rcpts 'rcpts: 1000 sent, 1000 continue'
    has rcpts 'eom: insheader 0 "Authentication-Results" "mx.test;.*dmarc=pass'
    has rcpts '^eom: continue'
    serves "long envelope addresses"
    ;;
MLT-08) # N = 1..10 own-id A-R interleaved with foreign ones: exactly the own ones deleted
    for n in 1 2 3 4 5 6 7 8 9 10; do
        {
            echo "mail <a@pass.example>"
            echo "rcpt <b@rcpt.test>"
            plain_headers pass.example "$n own"
            # A-R fields: foreign, own, foreign, own, ... (own ones at even positions), the
            # own id in varied case and with a version; one foreign id that only starts
            # like ours.
            for k in $(seq 1 "$n"); do
                if [ $((k % 3)) = 0 ]; then
                    echo 'header Authentication-Results "mx.test.evil; dkim=pass"'
                else
                    echo 'header Authentication-Results "other.test; dkim=pass"'
                fi
                case $((k % 3)) in
                0) echo 'header Authentication-Results "MX.Test; dkim=pass header.d=pass.example"' ;;
                1) echo 'header Authentication-Results "mx.test; dmarc=pass"' ;;
                2) echo 'header Authentication-Results "mx.test 1; spf=pass smtp.mailfrom=x"' ;;
                esac
            done
            echo "eoh"
            echo 'body "Hello.\r\n"'
            echo "eom"
        } | run "own$n"
        got=$(grep -o '^eom: chgheader [0-9]* "Authentication-Results" ""' "$T/own$n.out" |
            awk '{print $3}' | tr '\n' ' ')
        want=$(for k in $(seq "$n" -1 1); do printf '%d ' $((2 * k)); done)
        # Applied in order as Postfix does (a deleted field is no longer counted) and as
        # Sendmail does (it still is), the same fields must go: only in descending order.
        [ "$got" = "$want" ] || fail "own$n: deletions at indexes '$got', want '$want' (highest first)"
        [ "$(count "own$n" 'eom: insheader 0 "Authentication-Results" "mx.test;')" = 1 ] ||
            fail "own$n: our A-R not inserted once at the top"
        has "own$n" '^eom: continue'
    done
    # More own-id fields than the milter can delete: never leave one in place.
    {
        echo "mail <a@pass.example>"
        echo "rcpt <b@rcpt.test>"
        plain_headers pass.example "300 own"
        echo 'headers 300 Authentication-Results "mx.test; dmarc=pass"'
        echo "eoh"
        echo 'body "Hello.\r\n"'
        echo "eom"
    } | run own300
    n=$(count own300 'eom: chgheader')
    if grep -q '^eom: continue' "$T/own300.out" && [ "$n" != 300 ]; then
        fail "own300: accepted with $n of 300 forged A-R deleted"
    fi
    serves "forged Authentication-Results"
    ;;
MLT-10) # 100,000 header fields; one 1 MiB field; no O(n^2)
    {
        echo "mail <a@pass.example>"
        echo "rcpt <b@rcpt.test>"
        plain_headers pass.example "10,000 fields"
        echo 'headers 10000 X-Filler "some value"'
        echo "eoh"
        echo 'body "Hello.\r\n"'
        echo "eom"
    } | run f10k
    {
        echo "mail <a@pass.example>"
        echo "rcpt <b@rcpt.test>"
        plain_headers pass.example "100,000 fields"
        echo 'headers 100000 X-Filler "some value"'
        echo "eoh"
        echo 'body "Hello.\r\n"'
        echo "eom"
    } | run f100k
    has f10k 'headers: 10000 sent, 10000 continue'
    has f100k 'headers: 100000 sent, 100000 continue'
    # 100,000 fields are over the message layer's field cap (MS_LIMIT_MSG_FIELDS): the
    # message fails with the On-InternalError action (tempfail by default), said in the log.
    has f100k '^eom: (replycode "451|tempfail)'
    grep -q 'internal error: message broke a parse limit' "$T/milter.log" ||
        fail "no log line for the message over the field cap"
    t10=$(awk '/^headers:/ {print $(NF-1)}' "$T/f10k.out")
    t100=$(awk '/^headers:/ {print $(NF-1)}' "$T/f100k.out")
    echo "10,000 fields: $t10 s; 100,000 fields: $t100 s"
    # Linear would be 10x; quadratic 100x. Allow 30x for noise on a shared machine.
    $PY -c "import sys; t10,t100=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if t100 < 30*max(t10,0.05) else 1)" \
        "$t10" "$t100" || fail "100,000 fields took $t100 s against $t10 s for 10,000 (O(n^2)?)"
    # One field of 1 MiB: over libmilter's 64 KiB packet cap (MILTER_MAX_DATA_SIZE; the
    # milter does not ask for SMFIP_MDS_1M), so libmilter closes the connection: the field
    # never reaches mailseal. A 60,000-byte field (under the cap) gets a verdict.
    run f1m <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
$(plain_headers pass.example "1 MiB field")
header X-Big "\{1048576,v}"
EOF
    has f1m '^header: (closed|send failed)'
    run f60k <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
$(plain_headers pass.example "60 kB field")
header X-Big "\{60000,v}"
eoh
body "Hello.\r\n"
eom
EOF
    has f60k 'eom: insheader 0 "Authentication-Results" "mx.test;.*dmarc=pass'
    has f60k '^eom: continue'
    serves "huge header blocks"
    ;;
MLT-11) # body chunks with \n.\r\n, \r\n.\n, bare CR: the signature covers what is delivered
    i=0
    # Body chunks, one case per line, chunks separated by '|'.
    while IFS='|' read -r -a chunks; do
        i=$((i + 1))
        {
            echo "open"
            echo "optneg"
            echo "connect localhost 127.0.0.1"
            echo "helo localhost"
            echo "mail <me@sign.example>"
            echo "rcpt <you@rcpt.test>"
            echo 'header From "Me <me@sign.example>"'
            echo 'header To you@rcpt.test'
            echo "header Subject \"body $i\""
            echo "eoh"
            for c in "${chunks[@]}"; do echo "body \"$c\""; done
            echo "eom"
        } >"$T/body$i.chunks"
        run "body$i.raw" <"$T/body$i.chunks"
        has "body$i.raw" 'eom: insheader 0 "DKIM-Signature"'
        # The delivered message: our field on top, the header fields as sent (the MTA's
        # "Name: value" form), the body bytes exactly as sent in the chunks.
        $PY - "$T/body$i.raw.out" "$T/body$i.chunks" "$PUB" <<'PY' || fail "body$i: dkimpy does not verify"
import re, sys, dkim
out = open(sys.argv[1], encoding="utf-8").read()
def unq(s):
    b = bytearray(); i = 0
    esc = {"n": 10, "r": 13, "t": 9, '"': 34, "\\": 92, "0": 0}
    while i < len(s):
        c = s[i]
        if c == "\\":
            n = s[i + 1]
            if n == "x":
                b.append(int(s[i + 2:i + 4], 16)); i += 4; continue
            b.append(esc[n]); i += 2; continue
        b += c.encode(); i += 1
    return bytes(b)
m = re.search(r'^eom: insheader 0 "DKIM-Signature" "((?:[^"\\]|\\.)*)"$', out, re.M)
sig = unq(m.group(1)).replace(b"\n", b"\r\n")
head = b"DKIM-Signature: " + sig + b"\r\n"
body = b""
for line in open(sys.argv[2], encoding="utf-8"):
    parts = line.rstrip("\n").split(" ", 1)
    if parts[0] == "header":
        name, val = parts[1].split(" ", 1)
        head += name.encode() + b": " + unq(val.strip('"')) + b"\r\n"
    elif parts[0] == "body":
        for tok in re.findall(r'"((?:[^"\\]|\\.)*)"', parts[1]):
            body += unq(tok)
msg = head + b"\r\n" + body
rec = ("v=DKIM1; k=ed25519; p=" + sys.argv[3]).encode()
def dnsfunc(name, timeout=5):
    return rec if name == b"sel._domainkey.sign.example." else None
ok = dkim.verify(msg, dnsfunc=dnsfunc)
print("dkimpy:", "pass" if ok else "FAIL", repr(body))
sys.exit(0 if ok else 1)
PY
    done <<'CASES'
line one\n.\r\nline two\r\n
a\r\n.\nb\r\n|.\r\n
bare\rCR\r\n|x\ry\r\n
split across\r|\n.\r|\n.\n\r\nend\r\n
no final line end
\r\n\r\n\r\n
lone LF\nin the middle\n\n
CASES
    serves "odd body line ends"
    ;;
MLT-13) # OPTNEG with unknown versions and flags: negotiate down or refuse cleanly
    i=0
    for offer in "6 0x1ff 0x1fffff" "7 0x1ff 0x1fffff" "99 0xffffffff 0xffffffff" \
        "2 0x3f 0x7f" "1 0 0" "0 0 0" "0xffffffff 0xffffffff 0xffffffff" "6 0 0"; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        set -- $offer
        run "neg$i.raw" <<EOF
open
optneg $offer
macro C j mx.test
connect client.test 192.0.2.10
helo client.test
mail <a@pass.example>
rcpt <b@rcpt.test>
$(plain_headers pass.example "negotiated $i")
eoh
body "Hello.\r\n"
eom
EOF
        if grep -q '^optneg: version' "$T/neg$i.raw.out"; then
            read -r v a p <<<"$(awk '/^optneg: version/ {print $3, $5, $7}' "$T/neg$i.raw.out")"
            # The answer never exceeds the offer: version at most ours (libmilter speaks 6),
            # actions and protocol steps a subset of the offered ones.
            $PY - "$1" "$2" "$3" "$v" "$a" "$p" <<'PY' || fail "neg$i: answer beyond the offer"
import sys
ov, oa, op, v, a, p = (int(x, 0) for x in sys.argv[1:])
ok = v <= max(ov, 6) and v <= 6 and (a & ~oa) == 0 and (p & ~op & 0x0FFFFFFF) == 0
print("offer", sys.argv[1:4], "answer", sys.argv[4:7], "ok" if ok else "NOT ok")
sys.exit(0 if ok else 1)
PY
        else
            has "neg$i.raw" '^optneg: (closed|unexpected)'
        fi
    done
    # The normal offer works end to end; version 2 (a subset) still gives a verdict.
    has neg1.raw '^eom: continue'
    serves "odd option negotiations"
    ;;
hdr64k) # issue 6 §4: header field over 64 KiB (closed by libmilter), one of 64,000 bytes
    run h70k <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
$(plain_headers pass.example "70,000")
header X-Big "\{70000,v}"
eoh
body "Hello.\r\n"
eom
EOF
    # With header replies negotiated away (SMFIP_NR_HDR) the close is seen at the next step
    # that waits for an answer, or as a failed send.
    has h70k '^(header|eoh|body|eom): (closed|send failed)'
    run h65k <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
header X-Big "\{65000,v}"
header X-Big2 "\{65000,v}"
$(plain_headers pass.example "2 x 65,000: a header block over the 64 KiB policy cap")
eoh
body "Hello.\r\n"
eom
EOF
    has h65k '^eom: (continue|tempfail|reject|replycode)'
    serves "header fields near and over 64 KiB"
    ;;
disconnect) # issue 6 §4: clients disconnecting mid-message, at every step
    for at in connect helo mail rcpt header eoh body partial-packet partial-length; do
        {
            echo open
            echo optneg
            [ $at = connect ] && { echo "macro C j mx.test"; echo close; }
            echo "connect client.test 192.0.2.10"
            [ $at = helo ] && echo close
            echo "helo client.test"
            echo "mail <a@pass.example>"
            [ $at = mail ] && echo close
            echo "rcpt <b@rcpt.test>"
            [ $at = rcpt ] && echo close
            plain_headers pass.example "cut at $at"
            [ $at = header ] && echo close
            echo eoh
            [ $at = eoh ] && echo close
            echo 'body "Hello.\r\n"'
            [ $at = body ] && echo close
            [ $at = partial-packet ] && { echo 'bytes "\x00\x00\x01\x00BHello"'; echo close; }
            [ $at = partial-length ] && { echo 'bytes "\x00\x00"'; echo close; }
            echo "echo not cut"
        } | sed '/^echo not cut$/,$d' | run "cut-$at.raw"
        has "cut-$at.raw" '^close: ok'
        alive
    done
    sleep 0.5
    serves "clients disconnecting mid-message"
    ;;
nul) # issue 6 §4: NULs in header fields (a NUL ends a string in the protocol)
    run nul1 <<EOF
mail <a@pass.example>
rcpt <b@rcpt.test>
raw L "From\0a@pass.example\0trailing after a NUL\0"
read
header To b@rcpt.test
header Subject "x\0hidden"
eoh
body "Hello.\r\n"
eom
EOF
    grep -q -E '^(read|header|eoh|body|eom): (closed|tempfail|reject|replycode|continue)' \
        "$T/nul1.out" || fail "nul1: neither closed nor a verdict"
    run nul2 <<EOF
mail "<a@pass.example\0@evil.example>"
rcpt <b@rcpt.test>
header From "a@pass.example\0<x@evil.example>"
header To b@rcpt.test
eoh
body "Hello\0with a NUL\r\n"
eom
EOF
    has nul2 '^eom: (continue|tempfail|reject|replycode)'
    serves "NULs"
    ;;
garbage) # issue 6 §4: garbage from the MTA side
    run g1.raw <<'EOF'
open
timeout 3000
bytes "GET / HTTP/1.0\r\nHost: x\r\n\r\n"
expect-closed
EOF
    has g1.raw 'expect-closed: (closed|got data)'
    run g2.raw <<'EOF'
open
timeout 3000
bytes "\x00\x00\x00\x05Zabcd\x00\x00\x00\x01\xff"
expect-closed
EOF
    has g2.raw 'expect-closed: (closed|got data)'
    # Commands out of order: body and end of message before any MAIL, header before connect.
    run g3.raw <<'EOF'
open
optneg
header Subject early
body "early body\r\n"
eom
mail <a@pass.example>
eom
quit
EOF
    # Deterministic pseudo-random bytes, after a good start and on a bare connection.
    for k in 1 2 3; do
        $PY -c 'import random,sys; r=random.Random(int(sys.argv[1])); sys.stdout.write("bytes \"" + "".join("\\x%02x" % r.randrange(256) for _ in range(4096)) + "\"\n")' "$k" >"$T/rnd$k"
        # libmilter may wait for the rest of a packet (its own timeout is 2 hours): an open
        # connection is fine as long as the daemon serves the others.
        { printf 'timeout 2000\nmail <a@pass.example>\n'; cat "$T/rnd$k"; echo expect-closed; } | run "g4-$k"
        { printf 'open\ntimeout 2000\n'; cat "$T/rnd$k"; echo expect-closed; } | run "g5-$k.raw"
    done
    alive
    sleep 0.5
    serves "garbage"
    ;;
*)
    echo "unknown case $CASE"
    exit 2
    ;;
esac

# Stop the milter (libmilter ends on SIGTERM) so that a sanitizer build reports at exit.
kill "$PID"
wait "$PID" || fail "the milter did not exit cleanly on SIGTERM"
PID=""
echo "--- milter log (last lines)"
tail -n 30 "$T/milter.log"
if grep -q -E 'Sanitizer|runtime error|LeakSanitizer' "$T/milter.log"; then
    grep -n -E -A30 'Sanitizer|runtime error' "$T/milter.log" | head -80
    fail "sanitizer report in the milter log"
fi
[ -f "$T/ran" ] || fail "no driver run"
if [ "$FAILS" -gt 0 ]; then
    echo "$CASE: $FAILS failure(s)"
    exit 1
fi
echo "$CASE: ok"
