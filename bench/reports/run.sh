#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/reports (issue 7 §6): DMARC aggregate reports parsed per second and MB of XML per
# second, single core (taskset -c 0), mailseal against Mail::DMARC's parser (Debian
# libmail-dmarc-perl) in the same run, on the aggregate samples of shared/conformance
# (parsedmarc, mail-auth, OpenDMARC, the RFC 9990 samples) unpacked to XML and repeated.
# Benchmark only, never part of ctest. See bench/reports/RESULTS.md.
#
#   bench/reports/run.sh
#
# Environment (all optional):
#   BYTES        bytes of XML mailseal parses (the sample set repeated)   (default 1 GiB)
#   PEER_BYTES   bytes of XML Mail::DMARC parses; it reads under 1 MB/s, so 1 GiB would take
#                about half an hour: the rate is measured on less         (default 32 MiB)
#   RUNS         rounds; the table quotes medians                          (default 3)
#   WORK         scratch folder (XML payloads, results)   (default /tmp/mailseal-report-bench)
#   CONFORMANCE  the samples       (default REPO/../shared/conformance)
#   SKIP_BUILD=1 reuse the built harness
# Output: WORK/results/<stamp>.jsonl and .md (the table).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-/tmp/mailseal-report-bench}
BYTES=${BYTES:-1073741824}
PEER_BYTES=${PEER_BYTES:-33554432}
RUNS=${RUNS:-3}
CONF=${CONFORMANCE:-$REPO/../shared/conformance}
BUILD=$REPO/build/release
MS_BENCH=$WORK/build/ms_report_bench
PY=/usr/bin/python3

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

mkdir -p "$WORK/build" "$WORK/results" "$WORK/xml"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building libmailseal (release) + ms_report_bench"
    (cd "$REPO" && cmake --preset release >/dev/null &&
        cmake -S . -B "$BUILD" -DMS_BUILD_BENCH=ON >/dev/null &&
        cmake --build "$BUILD" -j2 --target ms_report_bench >/dev/null)
    cp "$BUILD/bench/ms_report_bench" "$MS_BENCH"
fi
D=$CONF/dmarc
if [ ! -d "$D" ]; then
    echo "no samples in $D (set CONFORMANCE)" >&2
    exit 1
fi
SAMPLES=()
while IFS= read -r -d '' f; do SAMPLES+=("$f"); done < <(find "$D/parsedmarc/samples/aggregate" \
    "$D/parsedmarc/samples/aggregate_invalid" "$D/mail-auth/dmarc-feedback" \
    "$D/opendmarc/testfiles" "$D/schema" -type f \( -name '*.xml' -o -name '*.gz' -o \
    -name '*.zip' -o -name '*.eml' \) -print0 | sort -z)
rm -f "$WORK"/xml/*.xml
"$MS_BENCH" --bytes 1 --dump "$WORK/xml" "${SAMPLES[@]}" >/dev/null
log "${#SAMPLES[@]} sample files, $(ls "$WORK/xml" | wc -l) XML reports ($(du -cb "$WORK"/xml/*.xml | tail -1 | cut -f1) bytes)"

# The reports Mail::DMARC parses without dying (it refuses namespaced RFC 9990 reports, the
# recovered and non-UTF-8 samples, upper-case results): both sides are also timed on these.
mkdir -p "$WORK/xml-common"
rm -f "$WORK"/xml-common/*.xml
perl "$HERE/mail_dmarc_parse.pl" --list-ok "$WORK"/xml/*.xml 2>/dev/null |
    while read -r f; do cp "$f" "$WORK/xml-common/"; done
log "$(ls "$WORK/xml-common" | wc -l) of them parse in Mail::DMARC"

PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$WORK/results/$STAMP.jsonl
: >"$RES"
for run in $(seq 1 "$RUNS"); do
    log "round $run/$RUNS: mailseal parse ($BYTES bytes)"
    "${PIN[@]}" "$MS_BENCH" --bytes "$BYTES" "$WORK"/xml/*.xml | sed "s/^{/{\"run\":$run,/" >>"$RES"
    log "round $run/$RUNS: mailseal read = unpack + parse + SHA-256 ($BYTES bytes)"
    "${PIN[@]}" "$MS_BENCH" --read --bytes "$BYTES" "$WORK"/xml/*.xml |
        sed "s/^{/{\"run\":$run,/" >>"$RES"
    log "round $run/$RUNS: mailseal parse, common set ($BYTES bytes)"
    "${PIN[@]}" "$MS_BENCH" --bytes "$BYTES" "$WORK"/xml-common/*.xml |
        sed "s/^{/{\"run\":$run,\"set\":\"common\",/" >>"$RES"
    log "round $run/$RUNS: Mail::DMARC, common set ($PEER_BYTES bytes)"
    "${PIN[@]}" perl "$HERE/mail_dmarc_parse.pl" --bytes "$PEER_BYTES" "$WORK"/xml-common/*.xml \
        2>/dev/null | sed "s/^{/{\"run\":$run,\"set\":\"common\",/" >>"$RES"
done
$PY "$HERE/summarize.py" "$RES" >"$WORK/results/$STAMP.md"
cat "$WORK/results/$STAMP.md"
log "results: $RES"
