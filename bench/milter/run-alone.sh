#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/milter, the milter alone (issue 6 §5): mailseal-milter (release build) driven by
# ms-milterdrv's load mode (tests/support/milterdrv) with the bench kit's corpus, messages per
# second and the daemon's peak RSS (VmHWM) per concurrent connection; the same for Debian's
# OpenDKIM (verify) and OpenDMARC (SPF self-validation + DMARC + history file), each driven
# alone. No MTA: the Postfix comparison is bench/milter's other half. Benchmark only, never
# part of ctest. Results: WORK/results/<stamp>.{tsv,md}; the note is bench/milter/RESULTS-alone.md.
#
#   bench/milter/run-alone.sh            (as root: it enters a private network namespace)
#
# Environment (all optional):
#   CONNS      concurrent connections, one run each                       (default "1 8 32")
#   N          messages per measured run (after a warm-up of 200)        (default 4000)
#   PER_CONN   messages per milter connection (1: one SMTP session per message) (default 1)
#   ROWS       daemons (default "mailseal-zone mailseal-dns opendkim opendmarc"):
#              mailseal-zone  ZoneFile from the corpus's records (the zone backend serializes
#                             the checks of all connections behind one mutex: milter/main.c)
#              mailseal-dns   Nameservers 127.0.0.1 (libunbound + cache, unserialized)
#              opendkim       Mode v, QueryCache yes
#              opendmarc      SPFSelfValidate yes, HistoryFile
#              The DNS rows and both peers ask the same unbound, serving the corpus's records
#              on 127.0.0.1:53 inside the namespace (the kit's dns_server.sh).
#   BENCH_N, BENCH_SEED  corpus size and seed (the kit's defaults)         (2000, 20240301)
#   WORK       scratch folder                           (default /tmp/mailseal-milter-bench)
#   CORPUS     corpus folder (default /tmp/mailseal-dkim-bench/corpus when present, else
#              WORK/corpus, generated)
#   BENCH_KIT  the shared bench kit                     (default REPO/../shared/bench-kit)
#   SKIP_BUILD=1  reuse build/release
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BENCH_KIT=$(cd "${BENCH_KIT:-$REPO/../shared/bench-kit}" && pwd)
WORK=${WORK:-/tmp/mailseal-milter-bench}
if [ -z "${CORPUS:-}" ]; then
    CORPUS=$WORK/corpus
    [ -s /tmp/mailseal-dkim-bench/corpus/manifest.tsv ] && CORPUS=/tmp/mailseal-dkim-bench/corpus
fi
CONNS=${CONNS:-1 8 32}
N=${N:-4000}
PER_CONN=${PER_CONN:-1}
ROWS=${ROWS:-mailseal-zone mailseal-dns opendkim opendmarc}
BENCH_N=${BENCH_N:-2000}
BENCH_SEED=${BENCH_SEED:-20240301}
PY=/usr/bin/python3
BUILD=$REPO/build/release
MILTER=$WORK/build/mailseal-milter
DRV=$WORK/build/ms-milterdrv
export WORK CORPUS CONNS N PER_CONN ROWS BENCH_KIT

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

if [ "${1:-}" != --inner ]; then
    mkdir -p "$WORK/build" "$WORK/results"
    if [ ! -s "$CORPUS/manifest.tsv" ]; then
        log "generating the corpus in $CORPUS (n=$BENCH_N, seed=$BENCH_SEED)"
        $PY "$BENCH_KIT/gen_corpus.py" --out "$CORPUS" --n "$BENCH_N" --seed "$BENCH_SEED" >&2
    fi
    $PY "$REPO/bench/verify/gen_envelopes.py" "$CORPUS" "$WORK/envelopes.tsv"
    # The corpus's records as a zone file for ZoneFile (TXT split in 255-byte strings).
    $PY - "$CORPUS/dns/records.tsv" "$WORK/corpus.zone" <<'PY'
import sys
out = ["$TTL 300"]
for line in open(sys.argv[1], encoding="utf-8"):
    name, rtype, value = line.rstrip("\n").split("\t", 2)
    if rtype == "TXT":
        b = value.encode()
        value = " ".join('"' + b[i:i + 255].decode().replace('"', '\\"') + '"'
                         for i in range(0, max(len(b), 1), 255))
    out.append(f"{name}. IN {rtype} {value}")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        log "building mailseal-milter and ms-milterdrv (release)"
        (cd "$REPO" && cmake --preset release >/dev/null &&
            cmake --build "$BUILD" -j2 --target mailseal_milter ms_milterdrv >/dev/null)
        cp "$BUILD/mailseal-milter" "$MILTER"
        cp "$BUILD/tests/milterbad/ms-milterdrv" "$DRV"
    fi
    [ "$(id -u)" = 0 ] || {
        echo "run as root: the peers read /etc/resolv.conf, bind-mounted in a private namespace" >&2
        exit 1
    }
    exec unshare --mount --net --pid --fork --mount-proc --kill-child "$0" --inner
fi

# ---- inside the private network + mount + pid namespace ----
ip link set lo up
mkdir -p "$WORK/dns" "$WORK/run"
echo "nameserver 127.0.0.1" >"$WORK/dns/resolv.conf"
mount --bind "$WORK/dns/resolv.conf" /etc/resolv.conf
"$BENCH_KIT/dns_server.sh" start "$CORPUS" "$WORK/dns" 127.0.0.1@53
trap '"$BENCH_KIT/dns_server.sh" stop "$WORK/dns"' EXIT

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$WORK/results/$STAMP.tsv
printf 'row\tconns\tmessages\tper_conn\tmsgs_per_s\tp50_ms\tp99_ms\tvmhwm_kib\tvmhwm_per_conn_kib\tidle_rss_kib\tverdicts\n' >"$RES"
R=$WORK/run
PID=""

start_daemon() { # ROW
    rm -rf "$R" && mkdir -p "$R"
    local sock=$R/milter.sock
    case $1 in
    mailseal-*)
        {
            echo "Socket unix:$sock"
            echo "AuthservID mx.bench"
            echo "Syslog no"
            echo "Mode v"
            echo "Store sqlite:$R/history.db"
            if [ "$1" = mailseal-zone ]; then echo "ZoneFile $WORK/corpus.zone"; else echo "Nameservers 127.0.0.1"; fi
        } >"$R/milter.conf"
        "$MILTER" -c "$R/milter.conf" 2>"$R/daemon.log" &
        ;;
    opendkim)
        cat >"$R/opendkim.conf" <<EOF
Socket local:$sock
Mode v
Syslog no
QueryCache yes
AuthservID mx.bench
PidFile $R/opendkim.pid
EOF
        /usr/sbin/opendkim -f -x "$R/opendkim.conf" 2>"$R/daemon.log" &
        ;;
    opendmarc)
        cat >"$R/opendmarc.conf" <<EOF
Socket local:$sock
AuthservID mx.bench
TrustedAuthservIDs mx.bench
SPFSelfValidate true
HistoryFile $R/opendmarc.history
RejectFailures false
Syslog false
PidFile $R/opendmarc.pid
EOF
        [ -r /usr/share/publicsuffix/public_suffix_list.dat ] &&
            echo "PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat" >>"$R/opendmarc.conf"
        /usr/sbin/opendmarc -f -c "$R/opendmarc.conf" 2>"$R/daemon.log" &
        ;;
    *)
        echo "unknown row $1" >&2
        exit 1
        ;;
    esac
    PID=$!
    for _ in $(seq 1 100); do
        [ -S "$sock" ] && return 0
        sleep 0.1
    done
    echo "$1 did not start:" >&2
    cat "$R/daemon.log" >&2
    exit 1
}

stop_daemon() {
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
}

kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID/status"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

for row in $ROWS; do
    for c in $CONNS; do
        start_daemon "$row"
        idle=$(kib VmRSS)
        "$DRV" load "unix:$R/milter.sock" -c "$c" -n 200 -k "$PER_CONN" -e "$WORK/envelopes.tsv" \
            "$CORPUS/msgs" >"$R/warmup.out" 2>&1 || { cat "$R/warmup.out" >&2; exit 1; }
        out=$("$DRV" load "unix:$R/milter.sock" -c "$c" -n "$N" -k "$PER_CONN" \
            -e "$WORK/envelopes.tsv" "$CORPUS/msgs" 2>"$R/load.err") || {
            echo "$row c=$c: load failed: $out" >&2
            cat "$R/load.err" >&2
        }
        hwm=$(kib VmHWM)
        stop_daemon
        rate=$(field msgs_per_s "$out")
        verdicts="continue=$(field continue "$out") accept=$(field accept "$out") reject=$(field reject "$out") tempfail=$(field tempfail "$out") replycode=$(field replycode "$out") insheader=$(field insheader "$out") errors=$(field errors "$out")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$c" "$N" "$PER_CONN" "$rate" \
            "$(field p50_ms "$out")" "$(field p99_ms "$out")" "$hwm" "$((hwm / c))" "$idle" \
            "$verdicts" >>"$RES"
        log "$row c=$c: $rate msgs/s, VmHWM $hwm KiB ($((hwm / c)) KiB per connection); $verdicts"
    done
done

# The table, and the OpenDKIM + OpenDMARC chain: each message goes through both in turn, so
# its cost is the sum of both: 1 / (1/a + 1/b) at the same concurrency.
$PY - "$RES" "$WORK/results/$STAMP.md" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
lines = ["| daemon | conns | msgs/s | p50 ms | p99 ms | VmHWM MiB | KiB per conn | idle RSS MiB |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    lines.append("| %s | %s | %.0f | %.2f | %.2f | %.1f | %d | %.1f |" % (
        r["row"], r["conns"], float(r["msgs_per_s"] or 0), float(r["p50_ms"] or 0),
        float(r["p99_ms"] or 0), int(r["vmhwm_kib"]) / 1024, int(r["vmhwm_per_conn_kib"]),
        int(r["idle_rss_kib"]) / 1024))
by = {(r["row"], r["conns"]): r for r in rows}
chain = []
for (row, c), r in sorted(by.items()):
    if row == "opendkim" and ("opendmarc", c) in by:
        a, b = float(r["msgs_per_s"]), float(by[("opendmarc", c)]["msgs_per_s"])
        hwm = (int(r["vmhwm_kib"]) + int(by[("opendmarc", c)]["vmhwm_kib"])) / 1024
        if a > 0 and b > 0:
            chain.append("| opendkim+opendmarc (chain) | %s | %.0f | | | %.1f | %d | |" % (
                c, 1 / (1 / a + 1 / b), hwm, hwm * 1024 / int(c)))
lines += chain
lines.append("")
lines.append("verdicts per run:")
for r in rows:
    lines.append("- %s c=%s: %s" % (r["row"], r["conns"], r["verdicts"]))
text = "\n".join(lines) + "\n"
open(sys.argv[2], "w").write(text)
print(text)
PY
log "results: $RES and ${RES%.tsv}.md"
