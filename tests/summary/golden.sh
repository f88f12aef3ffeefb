#!/bin/sh
# SPDX-License-Identifier: MIT
# golden.sh PROGRAM FORMAT REF: runs PROGRAM FORMAT and diffs its output with REF.
# MS_UPDATE_GOLDEN=1 rewrites REF instead (then review the diff in git).
set -eu
prog=$1 format=$2 ref=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$prog" "$format" >"$out"
if [ "${MS_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$out" "$ref"
    echo "updated $ref"
    exit 0
fi
if ! diff -u "$ref" "$out"; then
    echo "FAIL: $format output differs from $ref (got +, want -)"
    exit 1
fi
echo "ok: $format output matches $ref"
