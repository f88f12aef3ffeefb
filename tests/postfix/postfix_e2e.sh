#!/bin/bash
# SPDX-License-Identifier: MIT
# mailseal-milter inside a real Postfix (issue 6 section 3), end to end: a private Postfix
# (tests/support/postfix_env.sh) on 127.0.0.1 at a high port with smtpd_milters pointing at the
# daemon, a real DNS server on loopback (tests/support/dns_server.sh: nsd or unbound) serving
# the test domains (the milter's `Nameservers 127.0.0.1@PORT`), messages sent with swaks.
# Inbound mail presents an outside client address through Postfix's XCLIENT (192.0.2.10);
# mail straight from 127.0.0.1 is from an InternalHosts client.
#
# Cases: DMARC pass (delivered, our Authentication-Results on top of the message's own
# fields); DMARC fail with p=reject (swaks sees 550 5.7.1 and the reason, nothing delivered);
# p=quarantine (in Postfix's hold queue, not delivered); a forged A-R claiming our
# authserv-id removed, another one kept; outbound mail from an internal client and from an
# SMTP-AUTH client (XCLIENT LOGIN) signed, the signature verified by dkimpy against the
# loopback DNS server; internal mail without a SigningTable match not signed, with the log line
# saying why; the history rows of every inbound message (queue id as Postfix reported it,
# client IP, From domain, SPF, DMARC, disposition) in SQLite, then the same cases again with
# the history in a private PostgreSQL (tests/store/pg_server.sh). Then, with SQLite, the
# milter is killed (-9) in the middle of 200 concurrent messages: Postfix applies
# milter_default_action = tempfail, the senders see 4xx and retry until the milter is back;
# every Message-ID must be delivered exactly once and none refused for good.
#
# usage: postfix_e2e.sh MILTER_BINARY
# Exit 77 (ctest: skipped) only when Postfix or swaks is not installed.
set -u
MILTER=$(realpath "${1:-${MS_PFX_MILTER:-}}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUPPORT=$HERE/../support
PG_SERVER=$HERE/../store/pg_server.sh
PY=/usr/bin/python3

if ! command -v postfix >/dev/null 2>&1 || ! command -v swaks >/dev/null 2>&1; then
    echo "SKIP: postfix or swaks is not installed (scripts/install-deps installs both)"
    exit 77
fi
if [ "$(id -u)" != 0 ]; then
    echo "FAIL: this test needs root (Postfix's master runs as root)"
    exit 1
fi

# shellcheck source=../support/postfix_env.sh
. "$SUPPORT/postfix_env.sh"

T=$(mktemp -d /tmp/ms-pfx-e2e.XXXXXX)
chmod 755 "$T"
MPID=""
FAILS=0
fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}
stop_milter() {
    if [ -n "$MPID" ]; then
        kill "$MPID" 2>/dev/null || true
        wait "$MPID" 2>/dev/null || true
        MPID=""
    fi
}
cleanup() {
    stop_milter
    pfx_stop
    sh "$SUPPORT/dns_server.sh" stop "$T/dns" >/dev/null 2>&1 || true
    if [ "${MS_KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
free_port() {
    while :; do
        p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
        port_busy "$p" || { echo "$p"; return; }
    done
}

# --- keys and the test zone on a loopback DNS server
openssl genpkey -algorithm ed25519 -out "$T/sign.key" 2>/dev/null
PUB=$(openssl pkey -in "$T/sign.key" -pubout -outform DER | tail -c 32 | base64)
cat >"$T/example.zone" <<ZONE
\$ORIGIN example.
\$TTL 300
@                      IN SOA ns.example. hostmaster.example. 1 3600 900 604800 300
@                      IN NS  ns.example.
ns                     IN A   127.0.0.1
pass                   IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.pass            IN TXT "v=DMARC1; p=reject"
reject                 IN TXT "v=spf1 -all"
_dmarc.reject          IN TXT "v=DMARC1; p=reject"
quar                   IN TXT "v=spf1 -all"
_dmarc.quar            IN TXT "v=DMARC1; p=quarantine"
sign                   IN TXT "v=spf1 ip4:127.0.0.1 -all"
_dmarc.sign            IN TXT "v=DMARC1; p=reject"
sel._domainkey.sign    IN TXT "v=DKIM1; k=ed25519; p=$PUB"
nosign                 IN TXT "v=spf1 -all"
ZONE
mkdir "$T/dns"
DNSPORT=$(sh "$SUPPORT/dns_server.sh" start "$T/dns" "$T/example.zone") ||
    { echo "FAIL: could not start the DNS server"; exit 1; }
echo "DNS server ($(cat "$T/dns/server")) on 127.0.0.1@$DNSPORT"

printf 'sk sign.example:sel:%s/sign.key\n' "$T" >"$T/keytable"
printf 'sign.example sk\n' >"$T/signingtable"
MPORT=$(free_port)

# start_milter STORE_URI: the daemon on inet:MPORT@127.0.0.1; waits until it listens.
start_milter() {
    cat >"$T/milter.conf" <<CONF
Socket          inet:$MPORT@127.0.0.1
AuthservID      mx.test
InternalHosts   127.0.0.1
KeyTable        file:$T/keytable
SigningTable    file:$T/signingtable
RejectFailures  yes
Syslog          no
Store           $1
Nameservers     127.0.0.1@$DNSPORT
CONF
    "$MILTER" -c "$T/milter.conf" 2>>"$T/milter.log" &
    MPID=$!
    i=0
    until port_busy "$MPORT"; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$MPID" 2>/dev/null; then
            echo "FAIL: the milter did not start:"
            cat "$T/milter.log"
            exit 1
        fi
        sleep 0.1
    done
}

# send NAME [swaks args...]: the whole transcript in $T/out/NAME.swaks; returns swaks's status.
mkdir -p "$T/out" "$T/msg"
send() {
    n=$1
    shift
    swaks --server "127.0.0.1:$PFX_PORT" --to bob@rcpt.test --timeout 30 "$@" \
        >"$T/out/$n.swaks" 2>&1
}
# inbound NAME FROM_DOMAIN [extra header lines...]: from 192.0.2.10 (XCLIENT), header From and
# MAIL FROM in FROM_DOMAIN, Message-ID <NAME.RUN@e2e.test>.
inbound() {
    n=$1
    d=$2
    shift 2
    {
        for h in "$@"; do printf '%s\r\n' "$h"; done
        printf 'From: Alice <alice@%s>\r\nTo: bob@rcpt.test\r\nSubject: %s\r\n' "$d" "$n"
        printf 'Message-ID: <%s.%s@e2e.test>\r\nDate: %s\r\n\r\nHello from %s.\r\n' \
            "$n" "$RUN" "$(date -R)" "$d"
    } >"$T/msg/$n.eml"
    send "$n" --xclient-addr 192.0.2.10 --xclient-name "mail.$d" --helo "mail.$d" \
        --from "alice@$d" --data "$T/msg/$n.eml"
}
# outbound NAME FROM_DOMAIN [swaks args...]: from 127.0.0.1 (an InternalHosts client).
outbound() {
    n=$1
    d=$2
    shift 2
    printf 'From: Me <me@%s>\r\nTo: bob@rcpt.test\r\nSubject: %s\r\nMessage-ID: <%s.%s@e2e.test>\r\nDate: %s\r\n\r\nOutbound %s.\r\n' \
        "$d" "$n" "$n" "$RUN" "$(date -R)" "$n" >"$T/msg/$n.eml"
    send "$n" --helo client.test --from "me@$d" --data "$T/msg/$n.eml" "$@"
}
queue_id() { # NAME: the id in Postfix's "queued as" reply (empty when refused)
    sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$T/out/$1.swaks" | head -n 1
}
# delivered NAME: the delivered file(s) carrying this run's Message-ID of NAME.
delivered() {
    pfx_mail_files | while read -r f; do
        grep -l -i "^Message-ID: <$1\.$RUN@e2e.test>" "$f" 2>/dev/null || true
    done
}
# The first header field of a delivered message below what Postfix itself adds
# (Return-Path, X-Original-To, Delivered-To from virtual(8), Received from smtpd).
first_field_below_postfix() {
    "$PY" - "$1" <<'PY'
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.compat32)
for name, value in msg._headers:
    if name.lower() in ("return-path", "x-original-to", "delivered-to"):
        continue
    if name.lower() == "received" and "by mx.test (Postfix)" in value:
        continue
    print("%s: %s" % (name, " ".join(value.split())))
    break
PY
}

# history_rows URI: the history rows, one a line, fields joined by '|'.
HIST_SQL="SELECT queue_id, source_ip, header_from, envelope_from, spf_result, dmarc_result, disposition FROM history ORDER BY id"
history_rows() {
    case "$1" in
    sqlite:*) sqlite3 -separator '|' "${1#sqlite:}" "$HIST_SQL" ;;
    *) psql -X -At -F '|' -d "$1" -c "$HIST_SQL" ;;
    esac
}

# run_cases STORE_URI LABEL: every functional case against a fresh milter and Postfix.
run_cases() {
    store=$1
    label=$2
    RUN=$label
    echo "=== cases with the history in $label"
    : >"$T/milter.log"
    start_milter "$store"
    PFX_MILTER="inet:127.0.0.1:$MPORT" PFX_MILTER_DEFAULT_ACTION=tempfail pfx_start "$T/pfx-$label" ||
        { echo "FAIL: Postfix did not start"; exit 1; }
    echo "Postfix on 127.0.0.1:$PFX_PORT, milter on 127.0.0.1:$MPORT"

    # 1. DMARC pass: delivered, our A-R on top of the message's fields.
    inbound pass pass.example || fail "[$label] pass: swaks failed: $(tail -n 3 "$T/out/pass.swaks")"
    # 2. p=reject: 550 5.7.1 and the reason, at the end of DATA.
    inbound reject reject.example
    grep -q '^<\*\* *550 5\.7\.1 DMARC policy of the author domain says reject (RFC 9989 section 4\.7)$' \
        "$T/out/reject.swaks" ||
        fail "[$label] reject: want '550 5.7.1 DMARC policy ... says reject (RFC 9989 section 4.7)', got: $(grep '^<\*\*' "$T/out/reject.swaks")"
    # 3. p=quarantine: accepted, then held.
    inbound quar quar.example || fail "[$label] quar: swaks failed"
    # 4. Forged A-R claiming our authserv-id (removed) next to another server's (kept).
    inbound forged pass.example \
        "Authentication-Results: mx.test; dmarc=pass header.from=evil.example" \
        "Authentication-Results: other.test; spf=pass smtp.mailfrom=pass.example" ||
        fail "[$label] forged: swaks failed"
    # 5. Outbound, internal client: signed.
    outbound signed sign.example || fail "[$label] signed: swaks failed"
    # 6. Outbound, SMTP-AUTH client from outside InternalHosts (XCLIENT LOGIN): signed.
    outbound authsigned sign.example --xclient-addr 198.51.100.7 --xclient-login alice ||
        fail "[$label] authsigned: swaks failed"
    # 7. Outbound, no SigningTable match: not signed, the log says why.
    outbound nosign nosign.example || fail "[$label] nosign: swaks failed"

    pfx_wait_idle 30 || fail "[$label] Postfix's queue did not drain"

    # --- what was delivered
    for n in pass forged signed authsigned nosign; do
        c=$(delivered "$n" | wc -l)
        [ "$c" = 1 ] || fail "[$label] $n: delivered $c times, want 1"
    done
    for n in reject quar; do
        c=$(delivered "$n" | wc -l)
        [ "$c" = 0 ] || fail "[$label] $n: delivered $c times, want 0"
    done
    f=$(delivered pass | head -n 1)
    if [ -n "$f" ]; then
        top=$(first_field_below_postfix "$f")
        case "$top" in
        "Authentication-Results: mx.test;"*dmarc=pass*) echo "pass: on top: $top" ;;
        *) fail "[$label] pass: first field below Postfix's: got '$top', want our A-R with dmarc=pass" ;;
        esac
    fi
    f=$(delivered forged | head -n 1)
    if [ -n "$f" ]; then
        ours=$(grep -c -i '^Authentication-Results: mx\.test;' "$f")
        [ "$ours" = 1 ] || fail "[$label] forged: $ours A-R fields claim mx.test, want 1 (ours)"
        grep -q 'header.from=evil.example' "$f" && fail "[$label] forged: the forged A-R is still there"
        grep -q -i '^Authentication-Results: other\.test;' "$f" ||
            fail "[$label] forged: the other server's A-R was removed"
        top=$(first_field_below_postfix "$f")
        case "$top" in
        "Authentication-Results: mx.test;"*dmarc=pass*) ;;
        *) fail "[$label] forged: first field below Postfix's: got '$top', want ours" ;;
        esac
    fi
    # Held: Postfix's hold queue has it (postqueue -p marks held mail with '!').
    h=$(pfx_hold_count)
    [ "$h" = 1 ] || fail "[$label] quar: $h messages in the hold queue, want 1"
    qq=$(queue_id quar)
    pfx_postqueue -p | grep -q "^$qq!" ||
        fail "[$label] quar: postqueue -p does not show $qq as held: $(pfx_postqueue -p | head -n 5)"
    grep -q "$qq: milter-hold: .*milter triggers HOLD action" "$PFX_LOG" ||
        fail "[$label] quar: no 'milter triggers HOLD action' for $qq in Postfix's log"

    # Signatures: dkimpy, keys from the loopback DNS server.
    for n in signed authsigned; do
        f=$(delivered "$n" | head -n 1)
        [ -n "$f" ] || continue
        "$PY" - "$f" "$DNSPORT" <<'PY' || fail "[$label] $n: dkimpy does not verify the signature"
import sys, dkim, dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.port = int(sys.argv[2])
def dnsfunc(name, timeout=5):
    try:
        a = r.resolve(name.decode(), "TXT", lifetime=timeout)
    except Exception:
        return None
    return b"".join(b"".join(rd.strings) for rd in a)
msg = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
if b"DKIM-Signature:" not in msg:
    print("no DKIM-Signature field")
    sys.exit(1)
d = dkim.DKIM(msg)
if not d.verify(dnsfunc=dnsfunc):
    print("verify failed")
    sys.exit(1)
print("%s: signature verifies with dkimpy (d=%s s=%s)" % (sys.argv[1].rsplit("/", 1)[-1][:12],
      d.domain.decode(), d.selector.decode()))
PY
    done
    f=$(delivered nosign | head -n 1)
    if [ -n "$f" ] && grep -q -i '^DKIM-Signature:' "$f"; then
        fail "[$label] nosign: the message was signed"
    fi
    grep -q 'not signed: no SigningTable match' "$T/milter.log" ||
        fail "[$label] nosign: no log line saying why the message was not signed"
    grep -q 'outbound from 198.51.100.7' "$T/milter.log" ||
        fail "[$label] authsigned: no 'outbound from 198.51.100.7' log line"

    # --- history rows, one per inbound message, in order, committed before the reply.
    got=$(history_rows "$store" 2>&1)
    rq=$(sed -n 's/^.* \([0-9A-F]*\): from 192\.0\.2\.10: .*dmarc=fail (reject\.example).*/\1/p' \
        "$T/milter.log" | head -n 1)
    want="$(queue_id pass)|192.0.2.10|pass.example|pass.example|pass|pass|none
$rq|192.0.2.10|reject.example|reject.example|fail|fail|reject
$(queue_id quar)|192.0.2.10|quar.example|quar.example|fail|fail|quarantine
$(queue_id forged)|192.0.2.10|pass.example|pass.example|pass|pass|none"
    if [ "$got" = "$want" ]; then
        echo "[$label] history rows ok:"
        echo "$got" | sed 's/^/    /'
    else
        fail "[$label] history rows:
got:
$got
want:
$want"
    fi
    [ -n "$rq" ] || fail "[$label] reject: no queue id in the milter's log line"
    grep -q "$rq: milter-reject: END-OF-MESSAGE .*5\.7\.1 DMARC policy" "$PFX_LOG" ||
        fail "[$label] reject: Postfix's log has no milter-reject for $rq"
    stop_milter
    pfx_stop
    echo "--- milter log ($label)"
    cat "$T/milter.log"
}

# --- kill -9 the milter in the middle of N concurrent messages (SQLite store).
# Each sender (swaks) retries its message while the answer is 4xx or the connection fails, and
# records every answer; N_PAR senders run at once.
kill_under_load() {
    N=${MS_PFX_LOAD_N:-200}
    N_PAR=${MS_PFX_LOAD_PAR:-12}
    RUN=load
    echo "=== kill -9 the milter under load ($N messages, $N_PAR at a time)"
    : >"$T/milter.log"
    start_milter "sqlite:$T/load.db"
    PFX_MILTER="inet:127.0.0.1:$MPORT" PFX_MILTER_DEFAULT_ACTION=tempfail pfx_start "$T/pfx-load" \
        default_process_limit=200 || { echo "FAIL: Postfix did not start"; exit 1; }
    mkdir -p "$T/load"
    sender() { # I
        i=$1
        m="$T/load/$i.eml"
        printf 'From: Alice <alice@pass.example>\r\nTo: bob@rcpt.test\r\nSubject: load %s\r\nMessage-ID: <load-%s@e2e.test>\r\n\r\nLoad message %s.\r\n' \
            "$i" "$i" "$i" >"$m"
        for attempt in $(seq 1 60); do
            out=$(swaks --server "127.0.0.1:$PFX_PORT" --to bob@rcpt.test --timeout 30 \
                --xclient-addr 192.0.2.10 --helo mail.pass.example --from alice@pass.example \
                --data "$m" 2>&1)
            if echo "$out" | grep -q '^<- *250 .*queued as'; then
                echo "$i $attempt 2xx" >>"$T/load/result"
                return 0
            fi
            code=$(echo "$out" | sed -n 's/^<\*\* *\([0-9][0-9][0-9]\).*/\1/p' | tail -n 1)
            case "$code" in
            5*)
                echo "$i $attempt 5xx $code" >>"$T/load/result"
                return 0
                ;;
            4*) echo "$i $attempt 4xx $code" >>"$T/load/tempfails" ;;
            *) echo "$i $attempt noreply" >>"$T/load/tempfails" ;;
            esac
            sleep 0.5
        done
        echo "$i $attempt gaveup" >>"$T/load/result"
    }
    : >"$T/load/result"
    : >"$T/load/tempfails"
    (
        i=0
        while [ $i -lt "$N" ]; do
            while [ "$(jobs -rp | wc -l)" -ge "$N_PAR" ]; do sleep 0.05; done
            i=$((i + 1))
            sender "$i" &
        done
        wait
    ) &
    LOADPID=$!
    # Kill -9 once a third of the messages have been checked by the milter.
    k=0
    while [ "$(grep -c ' action=' "$T/milter.log")" -lt $((N / 3)) ]; do
        k=$((k + 1))
        [ $k -gt 1200 ] && { fail "load: the milter did not reach $((N / 3)) messages"; break; }
        sleep 0.1
    done
    before=$(grep -c ' action=' "$T/milter.log")
    kill -KILL "$MPID"
    wait "$MPID" 2>/dev/null
    MPID=""
    echo "killed the milter (-9) after $before messages; restarting it in 2 s"
    sleep 2
    start_milter "sqlite:$T/load.db"
    wait "$LOADPID"
    pfx_wait_idle 60 || fail "load: Postfix's queue did not drain"

    ok=$(grep -c ' 2xx$' "$T/load/result")
    perm=$(grep -c ' 5xx ' "$T/load/result")
    gave=$(grep -c ' gaveup$' "$T/load/result")
    temp=$(wc -l <"$T/load/tempfails")
    echo "load: $ok accepted, $perm refused for good, $gave gave up, $temp temporary refusals seen (then retried)"
    [ "$ok" = "$N" ] || fail "load: $ok messages accepted, want $N"
    [ "$temp" -gt 0 ] || fail "load: no sender saw a 4xx while the milter was down"
    grep -q 'milter.*default action\|milter-reject: .* 4\.7\.1\|451 4\.7\.1' "$PFX_LOG" ||
        fail "load: Postfix's log shows no milter failure handled by its default action"
    # Every Message-ID delivered exactly once.
    pfx_mail_files | xargs grep -h -i '^Message-ID: <load-' | tr -d '\r' | sort | uniq -c >"$T/load/delivered"
    dup=$(awk '$1 != 1' "$T/load/delivered" | wc -l)
    n_del=$(wc -l <"$T/load/delivered")
    [ "$dup" = 0 ] || fail "load: $dup Message-IDs delivered more than once: $(awk '$1 != 1' "$T/load/delivered" | head -n 5)"
    [ "$n_del" = "$N" ] || fail "load: $n_del distinct Message-IDs delivered, want $N"
    # Each delivered message carries exactly one of our A-R fields.
    bad=$(pfx_mail_files | while read -r f; do
        c=$(grep -c -i '^Authentication-Results: mx\.test;' "$f")
        [ "$c" = 1 ] || echo "$f"
    done | wc -l)
    [ "$bad" = 0 ] || fail "load: $bad delivered messages without exactly one A-R of ours"
    echo "load: $n_del Message-IDs delivered, each once"
    echo "load: what Postfix logged about the milter (count, line without time, ids, addresses):"
    grep -E 'milter|warning' "$PFX_LOG" |
        sed 's/^.*\]: //; s/^[0-9A-F]*: //; s/from [^ ]*\[[0-9.]*\]/from CLIENT/' | cut -c1-140 |
        sort | uniq -c | sort -rn | head -n 8 | sed 's/^/    /'
    stop_milter
    pfx_stop
}

if [ -n "${MS_PFX_PG_INNER:-}" ]; then
    # Run by pg_server.sh: MS_STORE_URI names the private PostgreSQL server.
    run_cases "$MS_STORE_URI" postgresql
    [ "$FAILS" = 0 ] || { echo "$FAILS failures (PostgreSQL)"; exit 1; }
    exit 0
fi

run_cases "sqlite:$T/history.db" sqlite
if [ "${MS_PFX_SKIP_PG:-0}" != 1 ]; then
    MS_PFX_PG_INNER=1 MS_PFX_MILTER="$MILTER" sh "$PG_SERVER" "$HERE/postfix_e2e.sh" "$MILTER" ||
        fail "the cases with the history in PostgreSQL"
fi
[ "${MS_PFX_SKIP_LOAD:-0}" = 1 ] || kill_under_load
if [ "$FAILS" != 0 ]; then
    echo "$FAILS failures"
    exit 1
fi
echo "all Postfix end-to-end cases passed"
