#!/bin/sh
# SPDX-License-Identifier: MIT
# Every key lib/milterconf accepts (its KEY_NAMES table) is documented in the KEYS section of
# mailseal-milter.conf(5) as a ".TP" + ".B Key" entry, and every entry there is a real key;
# the example config (etc/mailseal-milter.conf) mentions every key too.
# usage: man_keys.sh MILTERCONF_C MAN5_PAGE EXAMPLE_CONF
set -u
SRC=$1
MAN=$2
EXAMPLE=$3
fails=0
keys=$(awk '/KEY_NAMES\[K_COUNT\] = \{/ { on = 1; next }
            on && /^\};/ { exit }
            on { while (match($0, /"[^"]+"/)) { print substr($0, RSTART + 1, RLENGTH - 2)
                                                $0 = substr($0, RSTART + RLENGTH) } }' "$SRC")
n=$(printf '%s\n' "$keys" | grep -c .)
[ "$n" -ge 10 ] || { echo "FAIL: found only $n keys in $SRC: has the KEY_NAMES table moved?"; exit 1; }
documented=$(awk '/^\.SH / { in_keys = ($0 == ".SH KEYS"); next }
                  in_keys && prev == ".TP" && /^\.B / { print substr($0, 4) }
                  { prev = $0 }' "$MAN")
for k in $keys; do
    printf '%s\n' "$documented" | grep -qxF -- "$k" ||
        { echo "FAIL: key $k (accepted by lib/milterconf) is not documented in $MAN"; fails=$((fails + 1)); }
    grep -qE "^#? *$k([ 	]|$)" "$EXAMPLE" ||
        { echo "FAIL: key $k is not in the example config $EXAMPLE"; fails=$((fails + 1)); }
done
for d in $documented; do
    printf '%s\n' "$keys" | grep -qxF -- "$d" ||
        { echo "FAIL: $MAN documents $d, which lib/milterconf does not accept"; fails=$((fails + 1)); }
done
echo "$n keys checked"
[ "$fails" = 0 ]
