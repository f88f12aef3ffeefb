#!/bin/sh
# SPDX-License-Identifier: MIT
# Golden-file tests of the `mailseal` command: each cases/NAME.args holds the arguments (one
# line, shell words, run from this folder); its output (stdout and stderr) and exit status
# must equal cases/NAME.ref byte for byte.
#   run_golden.sh MAILSEAL [--update]
# MS_GOLDEN_ONLY=PREFIX runs only the cases whose name starts with PREFIX; MS_GOLDEN_SKIP=PREFIX
# skips them.
set -u
MAILSEAL=$1
UPDATE=${2:-}
cd "$(dirname "$0")" || exit 1
pass=0
fail=0
for args in cases/${MS_GOLDEN_ONLY:-}*.args; do
    name=${args%.args}
    if [ -n "${MS_GOLDEN_SKIP:-}" ]; then
        case "${name#cases/}" in "$MS_GOLDEN_SKIP"*) continue ;; esac
    fi
    out=$(eval "\"$MAILSEAL\" $(cat "$args")" 2>&1; echo "exit: $?")
    if [ "$UPDATE" = --update ]; then
        printf '%s\n' "$out" >"$name.ref"
    fi
    if printf '%s\n' "$out" | cmp -s - "$name.ref"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: output differs from $name.ref:"
        printf '%s\n' "$out" | diff -u "$name.ref" - | head -40
    fi
done
echo "cli golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
