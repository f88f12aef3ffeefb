#!/bin/sh
# SPDX-License-Identifier: MIT
# etc/mailseal-milter.conf, with its paths moved into a temporary directory and a ZoneFile
# (the fixture zone of tests/milter/check_config/) uncommented, passes
# `mailseal-milter --check-config` (its tables sign ok.example with the fixture keys); then a
# wrong key in its KeyTable must make it fail, so the check is known to look.
# usage: example_config.sh MILTER_BINARY EXAMPLE_CONF FIXTURE_DIR
set -u
MILTER=$1
EXAMPLE=$2
FIX=$3
T=$(mktemp -d /tmp/ms-example.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
mkdir -p "$T/run" "$T/db" "$T/keys"
cp "$FIX/ed.key" "$FIX/rsa.key" "$FIX/other.key" "$T/keys/"
chmod 600 "$T/keys/"*.key
printf 'ed ok.example:ed:%s/keys/ed.key\nrsa ok.example:rsa:%s/keys/rsa.key\n' "$T" "$T" > "$T/keytable"
printf '*@ok.example ed\n*@ok.example rsa\n' > "$T/signingtable"
sed -e "s|/run/mailseal/|$T/run/|g" \
    -e "s|/var/lib/mailseal/|$T/db/|g" \
    -e "s|/etc/mailseal/keytable|$T/keytable|" \
    -e "s|/etc/mailseal/signingtable|$T/signingtable|" \
    -e "s|^# ZoneFile .*|ZoneFile $FIX/test.zone|" \
    -e "s|^Syslog .*|Syslog no|" \
    "$EXAMPLE" > "$T/mailseal-milter.conf"
grep -q "^ZoneFile $FIX/test.zone" "$T/mailseal-milter.conf" ||
    { echo "FAIL: the example has no '# ZoneFile' line to point at the fixture zone"; exit 1; }
if grep -nE '(^|[ :])/(etc|var|run)/' "$T/mailseal-milter.conf" | grep -v '^[0-9]*:#'; then
    echo "FAIL: a path above was not moved into the test directory"
    exit 1
fi
status=0
out=$("$MILTER" --check-config -c "$T/mailseal-milter.conf" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" != 0 ]; then
    echo "FAIL: the example config does not pass --check-config (exit $rc)"
    status=1
fi
printf '%s\n' "$out" | grep -qF "valid (2 keys match the published records, 0 warnings)" ||
    { echo "FAIL: want both keys matched and no warning"; status=1; }
# The same with the rsa line pointing at another key: must fail.
printf 'ed ok.example:ed:%s/keys/ed.key\nrsa ok.example:rsa:%s/keys/other.key\n' "$T" "$T" > "$T/keytable"
out=$("$MILTER" --check-config -c "$T/mailseal-milter.conf" 2>&1)
rc=$?
if [ "$rc" != 1 ] || ! printf '%s\n' "$out" | grep -qF "key rsa: published key differs"; then
    echo "FAIL: a wrong key was not reported (exit $rc):"
    printf '%s\n' "$out"
    status=1
fi
[ "$status" = 0 ] && echo "example config ok"
exit $status
