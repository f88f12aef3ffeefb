#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/spf: SPF evaluations per second, warm DNS cache, single core, mailseal side by side with
# libspf2 (in-process harness and the spfquery CLI) and pyspf, on the same policies served by
# the same local unbound. Benchmark only, never part of ctest. See bench/spf/RESULTS.md.
#
#   bench/spf/run.sh
#
# Environment (all optional):
#   RUNS          interleaved rounds; the table quotes medians            (default 3)
#   MIN_SECONDS   least timed seconds per in-process measurement          (default 2.5)
#   QUERIES, SEED size and seed of the generated query list               (5000, 20241129)
#   SETS          policy sets: "issue" (what the issue asks for) and
#                 "noexists" (exists replaced by ip4; see RESULTS.md)     (default "issue noexists")
#   NOEXISTS_ROWS rows measured on the noexists set   (default "mailseal+cache mailseal-zone
#                 libspf2+cache pyspf+cache")
#   WORK          scratch folder (policies, DNS state, builds, results)   (default /tmp/mailseal-spf-bench)
#   BENCH_KIT     the shared peer harnesses                               (default REPO/../shared/bench-kit)
#   BENCH_NETNS=0 no private network namespace: libspf2 rows (they read /etc/resolv.conf) are skipped
#   SKIP_BUILD=1  reuse the built library and harnesses
#
# Everything measured runs on CPU 0 (taskset); unbound is left to the scheduler (it only works
# while the measured process waits for its answer).
# Inside `unshare --net --mount` loopback is private: unbound listens on 127.0.0.1:53 (for
# libspf2, spfquery and pyspf, which read /etc/resolv.conf, bind-mounted to 127.0.0.1 there)
# and on a free high port (what mailseal is given). The DNS server is always stopped.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BENCH_KIT=$(cd "${BENCH_KIT:-$REPO/../shared/bench-kit}" && pwd)
WORK=${WORK:-/tmp/mailseal-spf-bench}
RUNS=${RUNS:-3}
MIN_SECONDS=${MIN_SECONDS:-2.5}
QUERIES=${QUERIES:-5000}
SEED=${SEED:-20241129}
SETS=${SETS:-issue noexists}
NOEXISTS_ROWS=${NOEXISTS_ROWS:-mailseal+cache mailseal-zone libspf2+cache pyspf+cache}
PY=/usr/bin/python3 # Debian's interpreter: python3-spf and python3-dnspython live there
BUILD=$REPO/build/release
MS_BENCH=$WORK/build/ms_spf_bench
SP_BENCH=$WORK/build/libspf2_bench
export WORK RUNS MIN_SECONDS QUERIES SEED SETS NOEXISTS_ROWS BENCH_KIT

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# ---- outside the namespace: build and generate --------------------------------------------
if [ -z "${MS_SPF_IN_NS:-}" ]; then
    mkdir -p "$WORK/build" "$WORK/results"
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        log "building libmailseal (release) and the harnesses in $WORK/build"
        (cd "$REPO" && cmake --preset release >/dev/null)
        if grep -qs 'add_subdirectory(bench)' "$REPO/CMakeLists.txt"; then
            # bench/CMakeLists.txt is wired in: let CMake link the harness (transitive deps).
            (cd "$REPO" && cmake -S . -B "$BUILD" -DMS_BUILD_BENCH=ON >/dev/null &&
                cmake --build "$BUILD" -j2 --target ms_spf_bench >/dev/null)
            cp "$BUILD/bench/ms_spf_bench" "$MS_BENCH"
        else
            (cd "$REPO" && cmake --build "$BUILD" -j2 --target mailseal >/dev/null)
            # shellcheck disable=SC2046
            cc -std=c17 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Werror \
                -I"$REPO/include" -o "$MS_BENCH" "$HERE/ms_spf_bench.c" \
                "$BUILD/lib/libmailseal.a" $(pkg-config --libs libunbound libidn2) -lpthread
        fi
        cc -O2 -Wall -o "$SP_BENCH" "$BENCH_KIT/libspf2_bench.c" -lspf2
    fi
    for s in $SETS; do
        flag=()
        if [ "$s" = noexists ]; then flag=(--no-exists); fi
        log "policy set $s -> $WORK/$s"
        $PY "$HERE/gen_policies.py" --out "$WORK/$s" --queries "$QUERIES" --seed "$SEED" \
            "${flag[@]}" 2>/dev/null
    done
    if [ "${BENCH_NETNS:-1}" = 1 ]; then
        if unshare --mount --net --pid --fork --mount-proc true 2>/dev/null; then
            exec unshare --mount --net --pid --fork --mount-proc --kill-child \
                env MS_SPF_IN_NS=1 bash "$HERE/run.sh" "$@"
        fi
        log "note: unshare unavailable; running without a namespace (no libspf2 rows)"
    fi
    export MS_SPF_IN_NS=none
fi

# ---- measuring (inside the namespace when MS_SPF_IN_NS=1) ----------------------------------
if [ ! -x "$MS_BENCH" ] || [ ! -x "$SP_BENCH" ]; then
    echo "harnesses missing in $WORK/build (run without SKIP_BUILD=1)" >&2
    exit 1
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$WORK/results/$STAMP.jsonl
: >"$RES"
DNS_STATE=$WORK/dns
DNS_UP=0
stop_dns() {
    if [ "$DNS_UP" = 1 ]; then
        "$BENCH_KIT/dns_server.sh" stop "$DNS_STATE" || true
        DNS_UP=0
    fi
}
trap stop_dns EXIT

free_port() { # a UDP and TCP port nobody listens on, on 127.0.0.1
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 40000))
        if ! ss -Hlnut "sport = :$p" 2>/dev/null | grep -q .; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

if [ "$MS_SPF_IN_NS" = 1 ]; then
    ip link set lo up
    echo "nameserver 127.0.0.1" >"$WORK/resolv.conf"
    mount --bind "$WORK/resolv.conf" /etc/resolv.conf
    SYSTEM_RESOLVER=1
else
    SYSTEM_RESOLVER=0
fi
PORT=$(free_port)
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)

{
    echo "date: $(date -u +%FT%TZ)"
    echo "kernel: $(uname -r)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo "mailseal: $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown)"
    echo "cc: $(cc --version | head -1)"
    echo "python3: $($PY --version 2>&1)"
    dpkg-query -W -f='${Package} ${Version}\n' libspf2-2 spfquery python3-spf python3-dnspython \
        unbound libunbound8 2>/dev/null | sed 's/^/pkg: /'
    echo "runs: $RUNS, min_seconds: $MIN_SECONDS, queries: $QUERIES, seed: $SEED, sets: $SETS"
    echo "namespace: $MS_SPF_IN_NS, unbound ports: 53 (namespace only) and $PORT"
    for s in $SETS; do sed "s/^/$s: /" "$WORK/$s/SUMMARY.txt"; done
} >"${RES%.jsonl}.env.txt"

LOGS=$WORK/results/$STAMP.logs
mkdir -p "$LOGS"

wanted() { # SET ROW
    [ "$1" != noexists ] && return 0
    case " $NOEXISTS_ROWS " in *" $2 "*) return 0 ;; esac
    return 1
}

# measure SET ROW RUN CMD...: one measurement (if the set wants that row), one JSON line
measure() {
    local set=$1 row=$2 run=$3 out err
    shift 3
    wanted "$set" "$row" || return 0
    err=$LOGS/$set.$row.$run.stderr
    if ! out=$("$@" 2>"$err" | tail -1) || [ -z "$out" ]; then
        log "  $row failed: $(tail -3 "$err")"
        return 0
    fi
    printf '{"set":"%s","row":"%s","run":%d,"result":%s}\n' "$set" "$row" "$run" "$out" >>"$RES"
    log "  $row: $(echo "$out" | grep -o '"msgs_per_s": *[0-9.]*'), $(echo "$out" |
        grep -o '"mismatches": *[0-9]*')"
}

for s in $SETS; do
    C=$WORK/$s
    Q=$C/spf/queries.txt
    E=$C/spf/expected.tsv
    listen=("127.0.0.1@$PORT")
    if [ "$SYSTEM_RESOLVER" = 1 ]; then listen=(127.0.0.1@53 "127.0.0.1@$PORT"); fi
    "$BENCH_KIT/dns_server.sh" start "$C" "$DNS_STATE" "${listen[@]}"
    DNS_UP=1
    DNS_ARG=()
    [ "$SYSTEM_RESOLVER" = 1 ] || DNS_ARG=(--dns-server "127.0.0.1:$PORT")
    for r in $(seq 1 "$RUNS"); do
        log "set $s, run $r/$RUNS"
        measure "$s" mailseal+cache "$r" "${PIN[@]}" "$MS_BENCH" \
            -s "127.0.0.1:$PORT" -t "$MIN_SECONDS" "$Q" "$E" cache
        measure "$s" mailseal "$r" "${PIN[@]}" "$MS_BENCH" \
            -s "127.0.0.1:$PORT" -t "$MIN_SECONDS" "$Q" "$E" unbound
        measure "$s" mailseal-zone "$r" "${PIN[@]}" "$MS_BENCH" \
            -z "$C/dns/zone.txt" -t "$MIN_SECONDS" "$Q" "$E" zone
        if [ "$SYSTEM_RESOLVER" = 1 ]; then
            measure "$s" libspf2+cache "$r" "${PIN[@]}" \
                "$SP_BENCH" "$Q" "$E" cache "$MIN_SECONDS"
            measure "$s" libspf2 "$r" "${PIN[@]}" \
                "$SP_BENCH" "$Q" "$E" resolv "$MIN_SECONDS"
            measure "$s" libspf2-spfquery "$r" "${PIN[@]}" \
                $PY "$BENCH_KIT/spfquery_bench.py" "$C" --runs 1
        fi
        measure "$s" pyspf+cache "$r" "${PIN[@]}" \
            $PY "$BENCH_KIT/pyspf_bench.py" "$C" --cache "${DNS_ARG[@]}" --min-seconds "$MIN_SECONDS"
        measure "$s" pyspf "$r" "${PIN[@]}" \
            $PY "$BENCH_KIT/pyspf_bench.py" "$C" "${DNS_ARG[@]}" --min-seconds "$MIN_SECONDS"
    done
    stop_dns
done

$PY "$HERE/summarize.py" "$RES" --json "${RES%.jsonl}.summary.json" | tee "${RES%.jsonl}.md"
ln -sf "$(basename "$RES")" "$WORK/results/latest.jsonl"
ln -sf "$(basename "${RES%.jsonl}.md")" "$WORK/results/latest.md"
log "results: $RES (machine notes: ${RES%.jsonl}.env.txt)"
