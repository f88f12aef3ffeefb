#!/bin/sh
# SPDX-License-Identifier: MIT
# The man pages format without a single warning: groff with every warning on (-ww), else
# man -l; exit 77 (skipped) when neither is installed (scripts/install-deps installs
# groff-base).
# usage: man_lint.sh PAGE...
set -u
fails=0
for page in "$@"; do
    if command -v groff >/dev/null 2>&1; then
        out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
        rc=$?
    elif command -v man >/dev/null 2>&1; then
        out=$(MANWIDTH=80 man --warnings=w -l -Tutf8 "$page" 2>&1 >/dev/null)
        rc=$?
    else
        echo "neither groff nor man is installed: skipped"
        exit 77
    fi
    if [ "$rc" != 0 ] || [ -n "$out" ]; then
        echo "FAIL: $page (exit $rc):"
        printf '%s\n' "$out"
        fails=$((fails + 1))
    else
        echo "ok   $page"
    fi
done
[ "$fails" = 0 ]
