#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/milter/run-postfix.sh: messages per second through a real Postfix with mailseal-milter
# (verify + DMARC) versus the same Postfix with OpenDKIM + OpenDMARC (Debian's daemons,
# configured for the same work), and Postfix with no milter (its own ceiling on this machine).
# Same corpus (the bench kit's seeded one), same loopback DNS server (the kit's unbound with
# the corpus records, on 127.0.0.1:53), same client (smtp_send.py: one SMTP session per
# message, the message's own client IP/HELO through XCLIENT and its own MAIL FROM, C at once).
# Benchmark only, never part of ctest. See bench/milter/RESULTS.md.
#
#   bench/milter/run-postfix.sh        (as root)
#
# The script re-executes itself in private network, mount and PID namespaces (unshare, as the
# kit's run_all.sh): its own loopback, /etc/resolv.conf bind-mounted to "nameserver
# 127.0.0.1" for OpenDMARC (which has no Nameservers key and uses the system resolver), and
# everything it starts ends with the namespace.
#
# Work per message (both sides): SPF of MAIL FROM (and HELO for mailseal), every DKIM
# signature, DMARC with alignment, one Authentication-Results field, a history record
# (mailseal: its SQLite store; OpenDMARC: its HistoryFile), no rejection (RejectFailures off:
# every message is accepted, so the client's work is the same for all). OpenDKIM: Mode v,
# QueryCache yes (mailseal caches too); OpenDMARC: SPFSelfValidate + SPFIgnoreResults,
# TrustedAuthservIDs = OpenDKIM's authserv-id so it uses OpenDKIM's DKIM results. Postfix
# discards accepted mail after queueing (virtual_transport = discard) so that delivery does
# not compete for the CPUs; the clock is the client's (first connect to last reply).
#
# Per measurement: a fresh Postfix and fresh milters, WARMUP messages (untimed; fills DNS
# caches), then N messages timed. Measured too: each milter's CPU time (utime + stime from
# /proc/PID/stat) over the timed messages, per message; its VmRSS after warm-up and VmHWM
# after the run, and (VmHWM - VmRSS) / C as the peak memory per concurrent connection.
#
# Environment (all optional):
#   RUNS          interleaved rounds (none, mailseal, pair in each); medians       (default 3)
#   N             messages per timed run                                          (default 2000)
#   WARMUP        untimed messages before each run                                 (default 200)
#   C             concurrent SMTP sessions                                         (default 16)
#   ROWS          which rows                               (default "none mailseal pair")
#                 (also mailseal-nostore: history in SQLite :memory:, no file and no fsync: the store's cost)
#   DELIVER=1     deliver to the Maildir instead of discarding (to look at the headers added)
#   CORPUS        bench kit corpus (default /tmp/mailseal-dkim-bench/corpus if present, else
#                 generated into WORK/corpus)
#   WORK          scratch folder                           (default /tmp/mailseal-milter-bench)
#   BENCH_KIT     the shared bench kit                     (default REPO/../shared/bench-kit)
#   MILTER        mailseal-milter binary                   (default REPO/build/release/...; built)
#   SKIP_BUILD=1  use MILTER as it is
# Output: WORK/results/<stamp>.jsonl (one line per measurement) and <stamp>.md (the table).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3

if [ -z "${MS_BENCH_IN_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "run-postfix.sh: run as root (Postfix, namespaces)" >&2; exit 1; }
    exec unshare --mount --net --pid --fork --mount-proc --kill-child \
        env MS_BENCH_IN_NS=1 "$0" "$@"
fi

BENCH_KIT=$(cd "${BENCH_KIT:-$REPO/../shared/bench-kit}" && pwd)
WORK=${WORK:-/tmp/mailseal-milter-bench}
RUNS=${RUNS:-3}
N=${N:-2000}
WARMUP=${WARMUP:-200}
C=${C:-16}
ROWS=${ROWS:-none mailseal pair}
if [ -z "${CORPUS:-}" ]; then
    CORPUS=$WORK/corpus
    [ -s /tmp/mailseal-dkim-bench/corpus/manifest.tsv ] && CORPUS=/tmp/mailseal-dkim-bench/corpus
fi
MILTER=${MILTER:-$REPO/build/release/mailseal-milter}

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

mkdir -p "$WORK/results"
chmod 755 "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSONL=$WORK/results/$STAMP.jsonl
: >"$JSONL"

if [ ! -s "$CORPUS/manifest.tsv" ]; then
    log "generating the corpus in $CORPUS (~30 s)"
    $PY "$BENCH_KIT/gen_corpus.py" --out "$CORPUS" --n 2000 --seed 20240301 >&2
fi
ENVELOPES=$WORK/envelopes.tsv
$PY "$REPO/bench/verify/gen_envelopes.py" "$CORPUS" "$ENVELOPES" >&2

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building mailseal-milter (release)"
    (cd "$REPO" && cmake --preset release >/dev/null &&
        cmake --build build/release -j2 --target mailseal_milter >/dev/null)
fi
[ -x "$MILTER" ] || { echo "no milter binary $MILTER" >&2; exit 1; }

# --- the namespace: loopback up, resolv.conf -> 127.0.0.1, the corpus's DNS on 127.0.0.1:53.
ip link set lo up
echo "nameserver 127.0.0.1" >"$WORK/resolv.conf"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf
bash "$BENCH_KIT/dns_server.sh" start "$CORPUS" "$WORK/dns" 127.0.0.1@53

# shellcheck source=../../tests/support/postfix_env.sh
. "$REPO/tests/support/postfix_env.sh"

PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    pfx_stop
    bash "$BENCH_KIT/dns_server.sh" stop "$WORK/dns" >/dev/null 2>&1 || true
}
trap cleanup EXIT

P_MS=10025
P_DKIM=10026
P_DMARC=10027

wait_port() { # PORT PID LOG
    for _ in $(seq 1 100); do
        ss -Hltn "sport = :$1" | grep -q . && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    echo "milter on port $1 did not start:" >&2
    tail -n 20 "$3" >&2
    exit 1
}

start_mailseal() { # DIR ROW (mailseal-nostore: the history in an in-memory SQLite database)
    cat >"$1/mailseal.conf" <<EOF
Socket          inet:$P_MS@127.0.0.1
Mode            v
AuthservID      mx.test
RejectFailures  no
Syslog          no
Nameservers     127.0.0.1@53
EOF
    if [ "$2" = mailseal-nostore ]; then
        echo "Store           sqlite::memory:" >>"$1/mailseal.conf" # rows kept in memory only
    else
        echo "Store           sqlite:$1/history.db" >>"$1/mailseal.conf"
    fi
    "$MILTER" -c "$1/mailseal.conf" 2>"$1/mailseal.log" &
    MS_PID=$!
    PIDS="$PIDS $MS_PID"
    wait_port $P_MS $MS_PID "$1/mailseal.log"
    MILTER_PIDS=$MS_PID
}

start_pair() { # DIR
    cat >"$1/opendkim.conf" <<EOF
Socket          inet:$P_DKIM@127.0.0.1
Mode            v
AuthservID      mx.test
Nameservers     127.0.0.1
QueryCache      yes
Syslog          no
SoftwareHeader  no
PidFile         $1/opendkim.pid
EOF
    cat >"$1/opendmarc.conf" <<EOF
Socket              inet:$P_DMARC@127.0.0.1
AuthservID          mx.test
TrustedAuthservIDs  mx.test
SPFSelfValidate     true
SPFIgnoreResults    true
RejectFailures      false
FailureReports      false
Syslog              false
HistoryFile         $1/opendmarc.history
PidFile             $1/opendmarc.pid
EOF
    if [ -r /usr/share/publicsuffix/public_suffix_list.dat ]; then
        echo "PublicSuffixList    /usr/share/publicsuffix/public_suffix_list.dat" >>"$1/opendmarc.conf"
    fi
    opendkim -f -x "$1/opendkim.conf" >"$1/opendkim.log" 2>&1 &
    DK_PID=$!
    opendmarc -f -c "$1/opendmarc.conf" >"$1/opendmarc.log" 2>&1 &
    DM_PID=$!
    PIDS="$PIDS $DK_PID $DM_PID"
    wait_port $P_DKIM $DK_PID "$1/opendkim.log"
    wait_port $P_DMARC $DM_PID "$1/opendmarc.log"
    MILTER_PIDS="$DK_PID $DM_PID"
}

cpu_ticks() { # PID: utime + stime, clock ticks
    awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
sys_ticks() { # PID: stime, clock ticks
    awk '{ sub(/.*\) /, ""); print $13 }' "/proc/$1/stat"
}
status_kib() { # PID FIELD
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# measure ROW ROUND: one measurement, appended to JSONL.
measure() {
    local row=$1 round=$2 D p h r_kib hwm rss cpu0 cpu1 sys0 sys1 per ok hz dm milters transport
    D=$WORK/run/$row-$round
    rm -rf "$D"
    mkdir -p "$D"
    chmod 755 "$D"
    MILTER_PIDS=""
    milters=""
    case "$row" in
    none) ;;
    mailseal | mailseal-nostore)
        start_mailseal "$D" "$row"
        milters="inet:127.0.0.1:$P_MS"
        ;;
    pair)
        start_pair "$D"
        milters="inet:127.0.0.1:$P_DKIM, inet:127.0.0.1:$P_DMARC"
        ;;
    esac
    transport="virtual_transport=discard"
    [ "${DELIVER:-0}" = 1 ] && transport="virtual_transport=virtual"
    log "$row: milters up; starting Postfix"
    PFX_MILTER=$milters PFX_MILTER_DEFAULT_ACTION=tempfail pfx_start "$D/postfix" \
        "$transport" "default_process_limit=200" \
        "milter_command_timeout=120s" "milter_content_timeout=300s" >/dev/null
    $PY "$HERE/smtp_send.py" "$PFX_PORT" "$ENVELOPES" "$CORPUS/msgs" --concurrency "$C" \
        --count "$WARMUP" >"$D/warmup.json" || { log "warm-up failed: $(cat "$D/warmup.json")"; }
    log "$row: warm-up sent"
    pfx_wait_idle 120 >/dev/null || true
    log "$row: queue idle; timed run"
    cpu0=0
    sys0=0
    rss=0
    for p in $MILTER_PIDS; do
        cpu0=$((cpu0 + $(cpu_ticks "$p")))
        sys0=$((sys0 + $(sys_ticks "$p")))
        rss=$((rss + $(status_kib "$p" VmRSS)))
    done
    ok=1
    $PY "$HERE/smtp_send.py" "$PFX_PORT" "$ENVELOPES" "$CORPUS/msgs" --concurrency "$C" \
        --count "$N" >"$D/send.json" || ok=0
    cpu1=0
    sys1=0
    hwm=0
    per=""
    for p in $MILTER_PIDS; do
        cpu1=$((cpu1 + $(cpu_ticks "$p")))
        sys1=$((sys1 + $(sys_ticks "$p")))
        h=$(status_kib "$p" VmHWM)
        r_kib=$(status_kib "$p" VmRSS)
        hwm=$((hwm + h))
        per="$per $(basename "$(readlink "/proc/$p/exe")"):hwm=${h}KiB,rss=${r_kib}KiB"
    done
    log "$row: timed run done"
    pfx_wait_idle 300 >/dev/null || log "$row: Postfix's queue did not drain"
    log "$row: queue idle"
    hz=$(getconf CLK_TCK)
    # DMARC results as the milters saw them (pass/fail counts), for the agreement check.
    dm=""
    case "$row" in
    mailseal*) dm=$(grep -o 'dmarc=[a-z]*' "$D/mailseal.log" | sort | uniq -c | awk '{printf "%s%s:%s", s, $2, $1; s=","}') ;;
    # OpenDMARC's history "policy" line: libopendmarc's DMARC_POLICY_* (15 pass, 16 reject,
    # 17 quarantine, 18 none: the last three are a DMARC fail under that policy).
    pair) dm=$(awk '$1 == "policy" { n[$2 == 15 ? "dmarc=pass" : ($2 >= 16 && $2 <= 18 ? "dmarc=fail" : "policy=" $2)]++ }
        END { for (k in n) printf "%s%s:%d", (s++ ? "," : ""), k, n[k] }' "$D/opendmarc.history" 2>/dev/null || true) ;;
    esac
    $PY - "$D/send.json" "$row" "$round" "$C" "$cpu0" "$cpu1" "$hz" "$rss" "$hwm" "$ok" "$per" "$dm" \
        "$N" "$WARMUP" "$((sys1 - sys0))" >>"$JSONL" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
row, rnd, c, cpu0, cpu1, hz, rss, hwm, ok, per, dm, n, warm, sys_t = sys.argv[2:16]
cpu = (int(cpu1) - int(cpu0)) / int(hz)
s.update({"row": row, "round": int(rnd), "milter_cpu_s": round(cpu, 2),
          "milter_sys_s": round(int(sys_t) / int(hz), 2),
          "milter_cpu_ms_per_msg": round(1000 * cpu / int(n), 3) if row != "none" else None,
          "milter_rss_kib_after_warmup": int(rss), "milter_hwm_kib": int(hwm),
          "peak_kib_per_conn": round((int(hwm) - int(rss)) / int(c), 1) if row != "none" else None,
          "milters": per.strip(), "dmarc_seen": dm, "all_accepted": ok == "1",
          "warmup": int(warm)})
print(json.dumps(s))
PY
    tail -n 1 "$JSONL" >&2
    pfx_stop
    for p in $MILTER_PIDS; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    PIDS=""
}

log "corpus $CORPUS, N=$N, warm-up $WARMUP, C=$C, rounds $RUNS, rows: $ROWS"
{
    echo "date: $(date -u)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"
    echo "kernel: $(uname -r)"
    postconf -d mail_version
    opendkim -V 2>&1 | head -n 1
    opendmarc -V 2>&1 | head -n 1
    echo "mailseal: $(cd "$REPO" && git rev-parse --short HEAD)"
    echo "load at start: $(cat /proc/loadavg)"
} >"$WORK/results/$STAMP.env.txt"
for r in $(seq 1 "$RUNS"); do
    for row in $ROWS; do
        log "round $r: $row"
        measure "$row" "$r"
    done
done
echo "load at end: $(cat /proc/loadavg)" >>"$WORK/results/$STAMP.env.txt"
$PY "$HERE/summarize_postfix.py" "$JSONL" | tee "$WORK/results/$STAMP.md"
cat "$WORK/results/$STAMP.env.txt"
