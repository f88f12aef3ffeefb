#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/dkim: DKIM messages verified and signed per second, single core, warm key cache,
# mailseal side by side with libopendkim, dkimpy and Mail::DKIM on the bench kit's seeded corpus,
# against the corpus crypto floor. Benchmark only, never part of ctest. See bench/dkim/RESULTS.md.
#
#   bench/dkim/run.sh
#
# Environment (all optional):
#   RUNS             interleaved rounds; the table quotes medians               (default 3)
#   MIN_SECONDS      least timed seconds per in-process measurement             (default 2)
#   OPENSSL_SECONDS  -seconds of each `openssl speed` (one per round)          (default 1)
#   BENCH_N, BENCH_SEED  corpus size and seed (the kit's defaults)         (2000, 20240301)
#   WORK             scratch folder (corpus, builds, results)   (default /tmp/mailseal-dkim-bench)
#   CORPUS           corpus folder; generated when it has no manifest.tsv (default $WORK/corpus)
#   BENCH_KIT        the shared peer harnesses                  (default REPO/../shared/bench-kit)
#   SKIP_BUILD=1     reuse the built library and harnesses
#
# Keys are answered in-process everywhere (no DNS): mailseal from the kit's dns/keyfile.txt
# loaded into a zone resolver, with its parsed-key cache on (the row "mailseal") and off
# ("mailseal-no-key-cache"); libopendkim with DKIM_QUERY_FILE on the same file; dkimpy and
# Mail::DKIM with their look-up replaced by the corpus's keys.json. Signing keys are read once
# by mailseal and Mail::DKIM; libopendkim parses the PEM per message (as its filter does) and
# dkimpy per call (the kit's harnesses). Everything measured runs on CPU 0 (taskset).
# Output: WORK/results/<stamp>.{jsonl,md,summary.json,env.txt}, openssl speed outputs in
# <stamp>.openssl/, stderr of every measurement in <stamp>.logs/. Exits non-zero when a row's
# verdict counts differ from the corpus manifest (summarize.py says which).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BENCH_KIT=$(cd "${BENCH_KIT:-$REPO/../shared/bench-kit}" && pwd)
WORK=${WORK:-/tmp/mailseal-dkim-bench}
CORPUS=${CORPUS:-$WORK/corpus}
RUNS=${RUNS:-3}
MIN_SECONDS=${MIN_SECONDS:-2}
OPENSSL_SECONDS=${OPENSSL_SECONDS:-1}
BENCH_N=${BENCH_N:-2000}
BENCH_SEED=${BENCH_SEED:-20240301}
PY=/usr/bin/python3 # Debian's interpreter: python3-dkim and python3-nacl live there
BUILD=$REPO/build/release
MS_BENCH=$WORK/build/ms_dkim_bench
OD_BENCH=$WORK/build/opendkim_bench

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

mkdir -p "$WORK/build" "$WORK/results"
if [ ! -s "$CORPUS/manifest.tsv" ]; then
    log "generating the corpus in $CORPUS (n=$BENCH_N, seed=$BENCH_SEED; ~30 s)"
    $PY "$BENCH_KIT/gen_corpus.py" --out "$CORPUS" --n "$BENCH_N" --seed "$BENCH_SEED" >&2
else
    log "reusing the corpus in $CORPUS"
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building libmailseal (release) + ms_dkim_bench and the libopendkim harness"
    (cd "$REPO" && cmake --preset release >/dev/null &&
        cmake -S . -B "$BUILD" -DMS_BUILD_BENCH=ON >/dev/null &&
        cmake --build "$BUILD" -j2 --target ms_dkim_bench >/dev/null)
    cp "$BUILD/bench/ms_dkim_bench" "$MS_BENCH"
    # shellcheck disable=SC2046
    cc -O2 -Wall -o "$OD_BENCH" "$BENCH_KIT/opendkim_bench.c" \
        $(pkg-config --cflags --libs opendkim)
fi
if [ ! -x "$MS_BENCH" ] || [ ! -x "$OD_BENCH" ]; then
    echo "harnesses missing in $WORK/build (run without SKIP_BUILD=1)" >&2
    exit 1
fi

C=$CORPUS
KEYFILE=$C/dns/keyfile.txt
RSA_KEY=$C/keys/rsa2048-0.pem # s2048._domainkey.acme.example
ED_KEY=$C/keys/ed25519-0.pem  # ed2024._domainkey.acme.example
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$WORK/results/$STAMP.jsonl
OSSL=$WORK/results/$STAMP.openssl
LOGS=$WORK/results/$STAMP.logs
mkdir -p "$OSSL" "$LOGS"
: >"$RES"
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)

{
    echo "date: $(date -u +%FT%TZ)"
    echo "kernel: $(uname -r)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo "cpu flags: $(grep -m1 -o -w -E 'sha_ni|avx2|adx|bmi2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
    echo "mailseal: $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown)"
    echo "cc: $(cc --version | head -1)"
    echo "openssl: $(openssl version)"
    echo "python3: $($PY --version 2>&1), perl: $(perl -e 'print $^V')"
    dpkg-query -W -f='${Package} ${Version}\n' libssl3 libsodium23 libopendkim11 python3-dkim \
        python3-nacl libmail-dkim-perl libcrypt-openssl-rsa-perl 2>/dev/null | sed 's/^/pkg: /'
    echo "runs: $RUNS, min_seconds: $MIN_SECONDS, openssl_seconds: $OPENSSL_SECONDS"
    echo "corpus: $C ($(cat "$C/SEED" 2>/dev/null || echo "seed $BENCH_SEED"))"
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
        "pass $(echo "$out" | grep -o '"pass": *[0-9]*' | sed 's/.*: *//')"
}

for r in $(seq 1 "$RUNS"); do
    log "run $r/$RUNS"
    "${PIN[@]}" openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 ed25519 sha256 \
        >"$OSSL/speed.$r.txt" 2>/dev/null || log "  openssl speed failed"
    log "  openssl speed done"
    # verify (file keys / in-process)
    measure verify:mailseal "$r" "${PIN[@]}" "$MS_BENCH" verify "$C/msgs" "$KEYFILE" "$MIN_SECONDS"
    measure verify:mailseal-no-key-cache "$r" "${PIN[@]}" \
        "$MS_BENCH" verify "$C/msgs" "$KEYFILE" "$MIN_SECONDS" --no-key-cache
    measure verify:opendkim "$r" "${PIN[@]}" "$OD_BENCH" verify "$C/msgs" "$KEYFILE" "$MIN_SECONDS"
    measure verify:dkimpy "$r" "${PIN[@]}" \
        $PY "$BENCH_KIT/dkimpy_bench.py" verify "$C" --keys file --min-seconds "$MIN_SECONDS"
    measure verify:maildkim "$r" "${PIN[@]}" \
        perl "$BENCH_KIT/maildkim_bench.pl" verify "$C" file "$MIN_SECONDS"
    # sign rsa-sha256 (2048), relaxed/relaxed, acme.example s2048
    measure sign-rsa:mailseal "$r" "${PIN[@]}" "$MS_BENCH" sign "$C/unsigned" "$RSA_KEY" rsa \
        acme.example s2048 "$MIN_SECONDS" "$KEYFILE"
    measure sign-rsa:opendkim "$r" "${PIN[@]}" "$OD_BENCH" sign "$C/unsigned" "$RSA_KEY" rsa \
        acme.example s2048 "$MIN_SECONDS"
    measure sign-rsa:dkimpy "$r" "${PIN[@]}" \
        $PY "$BENCH_KIT/dkimpy_bench.py" sign "$C" --alg rsa --min-seconds "$MIN_SECONDS"
    measure sign-rsa:maildkim "$r" "${PIN[@]}" \
        perl "$BENCH_KIT/maildkim_bench.pl" sign "$C" "$MIN_SECONDS"
    # sign ed25519-sha256, acme.example ed2024 (Mail::DKIM 1.2023 has no Ed25519)
    measure sign-ed25519:mailseal "$r" "${PIN[@]}" "$MS_BENCH" sign "$C/unsigned" "$ED_KEY" \
        ed25519 acme.example ed2024 "$MIN_SECONDS" "$KEYFILE"
    measure sign-ed25519:opendkim "$r" "${PIN[@]}" "$OD_BENCH" sign "$C/unsigned" "$ED_KEY" \
        ed25519 acme.example ed2024 "$MIN_SECONDS"
    measure sign-ed25519:dkimpy "$r" "${PIN[@]}" \
        $PY "$BENCH_KIT/dkimpy_bench.py" sign "$C" --alg ed25519 --min-seconds "$MIN_SECONDS"
done

$PY "$HERE/summarize.py" "$RES" "$OSSL" "$C" --kit "$BENCH_KIT" \
    --json "${RES%.jsonl}.summary.json" | tee "${RES%.jsonl}.md"
ln -sf "$(basename "$RES")" "$WORK/results/latest.jsonl"
ln -sf "$(basename "${RES%.jsonl}.md")" "$WORK/results/latest.md"
log "results: $RES (machine notes: ${RES%.jsonl}.env.txt)"
