#!/bin/sh
# SPDX-License-Identifier: MIT
# html_chromium.sh SUMMARY_FIXTURE: the HTML summary of the fixture reports opened in headless
# Chromium (Debian package chromium): the DOM it builds holds the charts (one bar per day, per
# source, per reporter), a table row per source, the hostile org_name as text and no script
# element; a screenshot is made and is a non-empty PNG. Skips (77) only when chromium is absent.
set -eu
prog=$1
chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
    echo "SKIP: chromium is not installed (Debian package chromium, see scripts/install-deps)"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$prog" html >"$dir/page.html"
run() {
    timeout 90 "$chromium" --headless --disable-gpu --no-sandbox --no-first-run \
        --user-data-dir="$dir/profile" --disable-dev-shm-usage "$@" 2>>"$dir/chromium.log"
}
run --dump-dom "file://$dir/page.html" >"$dir/dom.html" || {
    echo "FAIL: chromium --dump-dom failed"; tail -20 "$dir/chromium.log"; exit 1; }
fails=0
expect() { # expect WHAT PATTERN WANT: the DOM holds PATTERN exactly WANT times
    got=$(grep -o -- "$2" "$dir/dom.html" | wc -l)
    if [ "$got" -ne "$3" ]; then
        echo "FAIL: $1: got $got, want $3"
        fails=$((fails + 1))
    else
        echo "ok: $1 ($got)"
    fi
}
expect "day chart" '<svg class="chart-days"' 1
expect "a bar group per day" '<g class="day">' 14
expect "pass-rate line" '<polyline class="rate"' 1
expect "source and reporter bars (9 + 5)" '<g class="bar">' 14
expect "source table" '<table class="sources">' 1
for ip in 54.240.8.21 209.85.220.41 167.89.12.4 40.107.22.55 192.0.2.10 198.2.128.5 \
    203.0.113.9 185.220.101.7 198.51.100.20; do
    expect "source row $ip" "<tr class=\"src\"><td>$ip<br>" 1
done
expect "advice items" '<li class="' 10
expect "hostile org_name shown as text" '&lt;script&gt;alert(1)&lt;/script&gt; Evil Corp' 4
expect "no script element" '<script' 0
run --screenshot="$dir/shot.png" --window-size=1280,2200 --hide-scrollbars \
    "file://$dir/page.html" >/dev/null || {
    echo "FAIL: chromium --screenshot failed"; tail -20 "$dir/chromium.log"; exit 1; }
if [ ! -s "$dir/shot.png" ] || [ "$(head -c 4 "$dir/shot.png" | od -An -tx1 | tr -d ' ')" != 89504e47 ]; then
    echo "FAIL: the screenshot is empty or not a PNG"
    fails=$((fails + 1))
else
    echo "ok: screenshot $(wc -c <"$dir/shot.png") bytes"
fi
if [ -n "${MS_SUMMARY_SCREENSHOT:-}" ]; then
    cp "$dir/shot.png" "$MS_SUMMARY_SCREENSHOT"
fi
[ "$fails" -eq 0 ]
