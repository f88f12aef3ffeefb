#!/bin/sh
# SPDX-License-Identifier: MIT
# store_cli.sh SUMMARY_FIXTURE MAILSEAL GOLDEN_DIR: the fixture reports stored with
# ms_store_reports_add into a fresh SQLite store, then read back by `mailseal report summary
# --store` (reverse DNS from the fixture's zone): text, JSON and CSV equal the golden files the
# library gives for the same reports; --html writes a page; an empty store says "no reports";
# bad dates are usage errors (2).
set -eu
fixture=$1 mailseal=$2 golden=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
check() { # check WHAT COMMAND...: run, compare with $want
    if "$@" >"$dir/got" 2>"$dir/err" && diff -u "$want" "$dir/got" >"$dir/diff"; then
        echo "ok: $what"
    else
        echo "FAIL: $what (got +, want -)"
        cat "$dir/err" "$dir/diff" | head -40
        fails=$((fails + 1))
    fi
}
"$fixture" store "sqlite:$dir/store.db"
"$fixture" zone >"$dir/fixture.zone"
set -- --store "sqlite:$dir/store.db" --zone "$dir/fixture.zone" --domain example.com \
    --since 2026-11-01 --until 2026-11-14
what="text from the store" want="$golden/fixture.text" check "$mailseal" report summary "$@"
what="--json from the store" want="$golden/fixture.json" check "$mailseal" report summary "$@" --json
what="--csv from the store" want="$golden/fixture.csv" check "$mailseal" report summary "$@" --csv
"$mailseal" report summary "$@" --html "$dir/page.html" >/dev/null 2>&1
if grep -q '<svg class="chart-days"' "$dir/page.html" && ! grep -q '<script' "$dir/page.html"; then
    echo "ok: --html wrote the page"
else
    echo "FAIL: --html did not write the page"
    fails=$((fails + 1))
fi
# another domain: nothing in the store
"$mailseal" report summary --store "sqlite:$dir/store.db" --no-dns --domain other.example \
    >"$dir/empty" 2>&1 || true
if grep -q "no reports in the period" "$dir/empty"; then
    echo "ok: no reports for another domain"
else
    echo "FAIL: want 'no reports in the period' for another domain, got:"
    cat "$dir/empty"
    fails=$((fails + 1))
fi
for bad in 2026-13-01 2026-02-30 yesterday 20261101; do
    rc=0
    "$mailseal" report summary --store "sqlite:$dir/store.db" --since "$bad" >/dev/null 2>&1 || rc=$?
    if [ "$rc" -ne 2 ]; then
        echo "FAIL: --since $bad: exit $rc, want 2"
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ] && echo "ok: bad dates are usage errors"
[ "$fails" -eq 0 ]
