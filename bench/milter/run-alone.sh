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
#   ROUNDS     interleaved rounds (every row and CONNS once per round); medians quoted (3)
#   PER_CONN   messages per milter connection (1: one SMTP session per message) (default 1)
#   ROWS       daemons (default "mailseal-zone mailseal-dns mailseal-dns-tmpfs opendkim opendmarc"):
#              mailseal-zone  ZoneFile from the corpus's records (the zone backend serializes
#                             the checks of all connections behind one mutex: milter/main.c)
#              mailseal-dns   Nameservers 127.0.0.1 (libunbound + cache, unserialized)
#              mailseal-dns-tmpfs  the same with the SQLite history on /dev/shm (no fsync
#                             cost: what the per-message commit costs; not a deployment)
#              opendkim       Mode v; keys from the corpus's keyfile.txt (TestPublicKeys, the
#                             kit's DKIM_QUERY_FILE: Debian's libopendkim gets no usable
#                             answer for the 2048-bit key TXT records from the local unbound)
#              opendmarc      SPFSelfValidate yes, HistoryFile
#              The DNS rows and both peers ask the same unbound, serving the corpus's records
#              on 127.0.0.1:53 inside the namespace (the kit's dns_server.sh).
#   BENCH_N, BENCH_SEED  corpus size and seed (the kit's defaults)         (2000, 20240301)
#   WORK       scratch folder                           (default /tmp/mailseal-milter-alone-bench)
#   CORPUS     corpus folder (default /tmp/mailseal-dkim-bench/corpus when present, else
#              WORK/corpus, generated)
#   BENCH_KIT  the shared bench kit                     (default REPO/../shared/bench-kit)
#   SKIP_BUILD=1  reuse build/release
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BENCH_KIT=$(cd "${BENCH_KIT:-$REPO/../shared/bench-kit}" && pwd)
WORK=${WORK:-/tmp/mailseal-milter-alone-bench}
if [ -z "${CORPUS:-}" ]; then
    CORPUS=$WORK/corpus
    [ -s /tmp/mailseal-dkim-bench/corpus/manifest.tsv ] && CORPUS=/tmp/mailseal-dkim-bench/corpus
fi
CONNS=${CONNS:-1 8 32}
N=${N:-4000}
PER_CONN=${PER_CONN:-1}
ROWS=${ROWS:-mailseal-zone mailseal-dns mailseal-dns-tmpfs opendkim opendmarc}
ROUNDS=${ROUNDS:-3}
BENCH_N=${BENCH_N:-2000}
BENCH_SEED=${BENCH_SEED:-20240301}
PY=/usr/bin/python3
BUILD=$REPO/build/release
MILTER=$WORK/build/mailseal-milter
DRV=$WORK/build/ms-milterdrv
export WORK CORPUS CONNS N PER_CONN ROWS ROUNDS BENCH_KIT

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
printf 'round\trow\tconns\tmessages\tper_conn\tmsgs_per_s\tp50_ms\tp99_ms\tvmhwm_kib\tvmhwm_per_conn_kib\tidle_rss_kib\tverdicts\n' >"$RES"
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
            case $1 in
            *-tmpfs) echo "Store sqlite:/dev/shm/mailseal-milter-alone-bench.db" ;;
            *) echo "Store sqlite:$R/history.db" ;;
            esac
            case $1 in
            mailseal-zone*) echo "ZoneFile $WORK/corpus.zone" ;;
            *) echo "Nameservers 127.0.0.1" ;;
            esac
        } >"$R/milter.conf"
        "$MILTER" -c "$R/milter.conf" 2>"$R/daemon.log" &
        ;;
    opendkim)
        cat >"$R/opendkim.conf" <<EOF
Socket local:$sock
Mode v
Syslog no
TestPublicKeys $CORPUS/dns/keyfile.txt
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
    rm -f /dev/shm/mailseal-milter-alone-bench.db*
}

kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID/status"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

for round in $(seq 1 "$ROUNDS"); do
for row in $ROWS; do
    for c in $CONNS; do
        start_daemon "$row"
        idle=$(kib VmRSS)
        # What the daemon does with the first messages, for the record (replies, A-R).
        "$DRV" session "unix:$R/milter.sock" -i "$(cut -f2 "$WORK/envelopes.tsv" | head -1)" \
            -H "$(cut -f3 "$WORK/envelopes.tsv" | head -1)" -f "$(cut -f4 "$WORK/envelopes.tsv" | head -1)" \
            "$CORPUS/msgs/$(cut -f1 "$WORK/envelopes.tsv" | head -1)" \
            >"$WORK/results/$STAMP.$row.c$c.session.txt" 2>&1 || true
        "$DRV" load "unix:$R/milter.sock" -c "$c" -n 200 -k "$PER_CONN" -e "$WORK/envelopes.tsv" \
            "$CORPUS/msgs" >"$R/warmup.out" 2>&1 || { cat "$R/warmup.out" >&2; exit 1; }
        out=$("$DRV" load "unix:$R/milter.sock" -c "$c" -n "$N" -k "$PER_CONN" \
            -e "$WORK/envelopes.tsv" "$CORPUS/msgs" 2>"$R/load.err") || {
            echo "$row c=$c: load failed: $out" >&2
            cat "$R/load.err" >&2 || true
        }
        hwm=$(kib VmHWM)
        stop_daemon
        rate=$(field msgs_per_s "$out")
        verdicts="continue=$(field continue "$out") accept=$(field accept "$out") reject=$(field reject "$out") tempfail=$(field tempfail "$out") replycode=$(field replycode "$out") insheader=$(field insheader "$out") errors=$(field errors "$out")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$row" "$c" "$N" "$PER_CONN" "$rate" \
            "$(field p50_ms "$out")" "$(field p99_ms "$out")" "$hwm" "$((hwm / c))" "$idle" \
            "$verdicts" >>"$RES"
        log "round $round: $row c=$c: $rate msgs/s, VmHWM $hwm KiB ($((hwm / c)) KiB per connection); $verdicts"
    done
done
done

# The table, and the OpenDKIM + OpenDMARC chain: each message goes through both in turn, so
# its cost is the sum of both: 1 / (1/a + 1/b) at the same concurrency.
$PY - "$RES" "$WORK/results/$STAMP.md" <<'PY'
import csv, statistics, sys
raw = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = {}
for r in raw:
    groups.setdefault((r["row"], int(r["conns"])), []).append(r)
def med(rs, k):
    return statistics.median(float(r[k] or 0) for r in rs)
lines = ["| daemon | conns | msgs/s | p50 ms | p99 ms | VmHWM MiB | KiB per conn | idle RSS MiB | rounds |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
rate = {}
for (row, c), rs in groups.items():
    rate[(row, c)] = (med(rs, "msgs_per_s"), med(rs, "vmhwm_kib"))
    lines.append("| %s | %d | %.0f | %.2f | %.2f | %.1f | %.0f | %.1f | %d |" % (
        row, c, med(rs, "msgs_per_s"), med(rs, "p50_ms"), med(rs, "p99_ms"),
        med(rs, "vmhwm_kib") / 1024, med(rs, "vmhwm_kib") / c, med(rs, "idle_rss_kib") / 1024,
        len(rs)))
for (row, c), (a, ha) in sorted(rate.items()):
    if row == "opendkim" and ("opendmarc", c) in rate:
        b, hb = rate[("opendmarc", c)]
        if a > 0 and b > 0:
            lines.append("| opendkim+opendmarc (chain: 1/(1/a+1/b), RSS summed) | %d | %.0f | | | %.1f | %.0f | | |" % (
                c, 1 / (1 / a + 1 / b), (ha + hb) / 1024, (ha + hb) / c))
lines.append("")
lines.append("verdicts per run:")
for r in raw:
    lines.append("- round %s %s c=%s: %s msgs/s; %s" % (r["round"], r["row"], r["conns"], r["msgs_per_s"], r["verdicts"]))
text = "\n".join(lines) + "\n"
open(sys.argv[2], "w").write(text)
print(text)
PY
log "results: $RES and ${RES%.tsv}.md"
