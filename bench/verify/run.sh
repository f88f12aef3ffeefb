#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/verify: the receiver's full verdict (SPF of MAIL FROM + every DKIM signature + DMARC with
# alignment + Authentication-Results) per second, single core, warm DNS cache, mailseal's
# message pipeline side by side with the same work done in-process by the incumbent C libraries
# (libspf2 + libopendkim + libopendmarc), on the bench kit's seeded corpus. Benchmark only,
# never part of ctest. See bench/verify/RESULTS.md.
#
#   bench/verify/run.sh
#
# Environment (all optional):
#   RUNS             interleaved rounds; the table quotes medians               (default 3)
#   MIN_SECONDS      least timed seconds per measurement                        (default 3)
#   OPENSSL_SECONDS  -seconds of each `openssl speed` (one per round; for the DKIM crypto
#                    floor of the kit)                                         (default 1)
#   ROWS             rows per round  (default "mailseal mailseal-rfc7489 peers mailseal-dkim
#                    opendkim-dkim"; also mailseal-no-key-cache). The *-dkim rows are DKIM
#                    verification alone (bench/dkim's ms_dkim_bench, the kit's opendkim_bench)
#                    on the same messages, to show what the rest of the verdict costs.
#   BENCH_N, BENCH_SEED  corpus size and seed (the kit's defaults)          (2000, 20240301)
#   WORK             scratch folder (envelopes, builds, results)  (default /tmp/mailseal-verify-bench)
#   CORPUS           corpus folder; reused when it has a manifest.tsv, else generated
#                    (default /tmp/mailseal-dkim-bench/corpus, bench/dkim's, when present)
#   BENCH_KIT        the shared bench kit                         (default REPO/../shared/bench-kit)
#   SKIP_BUILD=1     reuse the built harnesses
#
# No network and no DNS server: both sides answer every look-up in-process from the corpus's
# dns/records.tsv (mailseal: ms_resolver_new_cache over ms_resolver_new_zone; libspf2:
# SPF_dns_cache over SPF_dns_zone; libopendkim: DKIM_QUERY_FILE on dns/keyfile.txt, as the kit's
# opendkim_bench.c; libopendmarc: the _dmarc record text from an in-memory table). The SMTP
# inputs of each message come from the message itself (gen_envelopes.py: topmost Received for
# client IP and HELO, Return-Path for MAIL FROM). Everything measured runs on CPU 0 (taskset).
# Output: WORK/results/<stamp>.{jsonl,md,summary.json,env.txt}, per-message verdicts of every
# measurement in <stamp>.dumps/, stderr in <stamp>.logs/, openssl speed in <stamp>.openssl/.
# Exits non-zero when a run's DKIM counts differ from the manifest, a run had errors, or mailseal
# and the peers disagree on a verdict (summarize.py says which).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BENCH_KIT=$(cd "${BENCH_KIT:-$REPO/../shared/bench-kit}" && pwd)
WORK=${WORK:-/tmp/mailseal-verify-bench}
if [ -z "${CORPUS:-}" ]; then
    CORPUS=$WORK/corpus
    [ -s /tmp/mailseal-dkim-bench/corpus/manifest.tsv ] && CORPUS=/tmp/mailseal-dkim-bench/corpus
fi
RUNS=${RUNS:-3}
MIN_SECONDS=${MIN_SECONDS:-3}
OPENSSL_SECONDS=${OPENSSL_SECONDS:-1}
ROWS=${ROWS:-mailseal mailseal-rfc7489 peers mailseal-dkim opendkim-dkim}
BENCH_N=${BENCH_N:-2000}
BENCH_SEED=${BENCH_SEED:-20240301}
PY=/usr/bin/python3 # Debian's interpreter (the kit's generator needs its modules)
BUILD=$REPO/build/release
MS_BENCH=$WORK/build/ms_verify_bench
PEER_BENCH=$WORK/build/peer_verify_bench
MS_DKIM_BENCH=$WORK/build/ms_dkim_bench
OD_BENCH=$WORK/build/opendkim_bench

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

mkdir -p "$WORK/build" "$WORK/results"
if [ ! -s "$CORPUS/manifest.tsv" ]; then
    log "generating the corpus in $CORPUS (n=$BENCH_N, seed=$BENCH_SEED; ~30 s)"
    $PY "$BENCH_KIT/gen_corpus.py" --out "$CORPUS" --n "$BENCH_N" --seed "$BENCH_SEED" >&2
else
    log "reusing the corpus in $CORPUS"
fi
ENVELOPES=$WORK/envelopes.tsv
$PY "$HERE/gen_envelopes.py" "$CORPUS" "$ENVELOPES"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building libmailseal (release) + ms_verify_bench and the peer harness"
    (cd "$REPO" && cmake --preset release >/dev/null &&
        cmake -S . -B "$BUILD" -DMS_BUILD_BENCH=ON >/dev/null &&
        cmake --build "$BUILD" -j2 --target ms_verify_bench ms_dkim_bench >/dev/null)
    cp "$BUILD/bench/ms_verify_bench" "$MS_BENCH"
    cp "$BUILD/bench/ms_dkim_bench" "$MS_DKIM_BENCH"
    # shellcheck disable=SC2046
    cc -std=gnu17 -O2 -g -Wall -Wextra -Werror -o "$PEER_BENCH" "$HERE/peer_verify_bench.c" \
        $(pkg-config --cflags --libs opendkim) -lspf2 -lopendmarc
    # shellcheck disable=SC2046
    cc -O2 -Wall -o "$OD_BENCH" "$BENCH_KIT/opendkim_bench.c" $(pkg-config --cflags --libs opendkim)
fi

C=$CORPUS
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$WORK/results/$STAMP.jsonl
OSSL=$WORK/results/$STAMP.openssl
LOGS=$WORK/results/$STAMP.logs
DUMPS=$WORK/results/$STAMP.dumps
row_cmd() { # ROW RUN: the command of a row
    local d=$DUMPS/$1.$2.tsv
    case $1 in
    mailseal) echo "$MS_BENCH $C $ENVELOPES $MIN_SECONDS $d" ;;
    mailseal-rfc7489) echo "$MS_BENCH $C $ENVELOPES $MIN_SECONDS $d --rfc7489" ;;
    mailseal-no-key-cache) echo "$MS_BENCH $C $ENVELOPES $MIN_SECONDS $d --no-key-cache" ;;
    peers) echo "$PEER_BENCH $C $ENVELOPES $MIN_SECONDS $d" ;;
    mailseal-dkim) echo "$MS_DKIM_BENCH verify $C/msgs $C/dns/keyfile.txt $MIN_SECONDS" ;;
    opendkim-dkim) echo "$OD_BENCH verify $C/msgs $C/dns/keyfile.txt $MIN_SECONDS" ;;
    *) return 1 ;;
    esac
}

for row in $ROWS; do
    h=$(row_cmd "$row" 0 | cut -d' ' -f1) || {
        echo "unknown row $row" >&2
        exit 1
    }
    if [ ! -x "$h" ]; then
        echo "$h missing (run without SKIP_BUILD=1)" >&2
        exit 1
    fi
done

mkdir -p "$OSSL" "$LOGS" "$DUMPS"
: >"$RES"
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)

{
    echo "date: $(date -u +%FT%TZ)"
    echo "kernel: $(uname -r)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo "cpu flags: $(grep -m1 -o -w -E 'sha_ni|avx2|adx|bmi2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
    echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "mailseal: $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown)"
    echo "cc: $(cc --version | head -1)"
    echo "openssl: $(openssl version)"
    dpkg-query -W -f='${Package} ${Version}\n' libssl3 libsodium23 libopendkim11 libspf2-2 \
        libopendmarc2 publicsuffix libpsl5 2>/dev/null | sed 's/^/pkg: /'
    echo "runs: $RUNS, min_seconds: $MIN_SECONDS, openssl_seconds: $OPENSSL_SECONDS, rows: $ROWS"
    echo "corpus: $C ($(cat "$C/SEED" 2>/dev/null || echo "seed $BENCH_SEED")), envelopes: $ENVELOPES"
} >"${RES%.jsonl}.env.txt"

# measure ROW RUN CMD...: one measurement, its JSON line (the last of stdout) tagged with row/run
measure() {
    local row=$1 run=$2 out err
    shift 2
    err=$LOGS/$row.$run.stderr
    if ! out=$("$@" 2>"$err" | tail -1) || [ -z "$out" ] || [ "${out#\{}" = "$out" ]; then
        log "  $row failed: $(tail -3 "$err")"
        return 0
    fi
    printf '{"row":"%s","run":%d,"result":%s}\n' "$row" "$run" "$out" >>"$RES"
    log "  $row: $(echo "$out" | grep -o '"msgs_per_s": *[0-9.]*' | sed 's/.*: *//') msgs/s," \
        "dkim pass $(echo "$out" | grep -o '"pass": *[0-9]*' | sed 's/.*: *//')," \
        "dmarc pass $(echo "$out" | grep -o '"dmarc_pass": *[0-9]*' | sed 's/.*: *//')"
}


for r in $(seq 1 "$RUNS"); do
    log "run $r/$RUNS"
    "${PIN[@]}" openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 ed25519 sha256 \
        >"$OSSL/speed.$r.txt" 2>/dev/null || log "  openssl speed failed"
    for row in $ROWS; do
        # shellcheck disable=SC2046
        measure "$row" "$r" "${PIN[@]}" $(row_cmd "$row" "$r")
    done
done

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"${RES%.jsonl}.env.txt"
status=0
$PY "$HERE/summarize.py" "$RES" "$DUMPS" "$C" --openssl "$OSSL" --kit "$BENCH_KIT" \
    --json "${RES%.jsonl}.summary.json" | tee "${RES%.jsonl}.md" || status=$?
ln -sf "$(basename "$RES")" "$WORK/results/latest.jsonl"
ln -sf "$(basename "${RES%.jsonl}.md")" "$WORK/results/latest.md"
log "results: $RES (machine notes: ${RES%.jsonl}.env.txt)"
exit "$status"
