#!/bin/sh
# SPDX-License-Identifier: MIT
# contrib/systemd/mailseal-milter.service: the directives the daemon depends on are there
# (foreground, the config checked before start, SIGUSR1 reload, the hardening), the options it
# passes are ones mailseal-milter accepts, and, when systemd-analyze is installed, `systemd-analyze
# verify` has nothing to say about it (any output fails: it only warns on unknown keys).
# usage: systemd_unit.sh UNIT_FILE MILTER_BINARY ZONE_FILE
set -u
UNIT=$1
MILTER=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ZONE=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
CONF=$T/milter.conf
printf 'Socket unix:%s/milter.sock\nSyslog no\nStore sqlite:%s/history.db\nZoneFile %s\n' \
    "$T" "$T" "$ZONE" > "$CONF"
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
[ -r "$UNIT" ] || { echo "FAIL: cannot read $UNIT"; exit 1; }

# want SECTION KEY VALUE-PATTERN (grep -E on the value)
want() {
    got=$(awk -v sec="[$1]" -v key="$2" '
        /^\[/ { in_sec = ($0 == sec); next }
        in_sec && index($0, key "=") == 1 { print substr($0, length(key) + 2) }' "$UNIT")
    printf '%s\n' "$got" | grep -qE -- "$3" || fail "[$1] $2=$3 not found (got: $got)"
}
want Unit Description '.'
want Unit Documentation 'man:mailseal-milter\(8\)'
want Unit Documentation 'man:mailseal-milter\.conf\(5\)'
want Service Type '^simple$'
want Service ExecStart '/mailseal-milter -f -c /'
want Service ExecStartPre '/mailseal-milter --check-config -c /'
# shellcheck disable=SC2016 # $MAINPID is for systemd, not this shell
want Service ExecReload '^/bin/kill -USR1 \$MAINPID$'
want Service NoNewPrivileges '^yes$'
want Service ProtectSystem '^strict$'
want Service ReadWritePaths '/run/mailseal'
want Service ReadWritePaths '/var/lib/mailseal'
want Service PrivateTmp '^yes$'
want Service RuntimeDirectory '^mailseal$'
want Service StateDirectory '^mailseal$'
want Service User '^mailseal$'
want Install WantedBy 'multi-user.target'

# ExecStart and ExecStartPre name the same config.
start_conf=$(sed -n 's/^ExecStart=.* -c \([^ ]*\).*/\1/p' "$UNIT")
pre_conf=$(sed -n 's/^ExecStartPre=.* -c \([^ ]*\).*/\1/p' "$UNIT")
if [ -z "$start_conf" ] || [ "$start_conf" != "$pre_conf" ]; then
    fail "ExecStart reads '$start_conf', ExecStartPre checks '$pre_conf'"
fi

# The options the unit passes are accepted: ExecStartPre's line run with the test's config,
# and ExecStart's options (-f -c FILE) parsed (with --check-config, so nothing is started).
pre=$(sed -n 's/^ExecStartPre=[^ ]*//p' "$UNIT" | sed "s| -c [^ ]*| -c $CONF|")
# shellcheck disable=SC2086
out=$("$MILTER" $pre 2>&1) || fail "ExecStartPre's command fails on a valid config: $out"
start=$(sed -n 's/^ExecStart=[^ ]*//p' "$UNIT" | sed "s| -c [^ ]*| -c $CONF|")
# shellcheck disable=SC2086
out=$("$MILTER" $start --check-config 2>&1) || fail "ExecStart's options are refused: $out"

if command -v systemd-analyze >/dev/null 2>&1; then
    # verify wants the executables to exist: point them at the built binary.
    sed "s|^\(Exec[A-Za-z]*=\)/usr/sbin/mailseal-milter|\1$MILTER|" "$UNIT" > "$T/mailseal-milter.service"
    out=$(systemd-analyze verify --man=no "$T/mailseal-milter.service" 2>&1)
    rc=$?
    if [ "$rc" != 0 ] || [ -n "$out" ]; then
        fail "systemd-analyze verify (exit $rc): $out"
    else
        echo "systemd-analyze verify: clean"
    fi
else
    echo "systemd-analyze not installed: directives checked by this script only"
fi
[ "$fails" = 0 ] && echo "systemd unit ok"
[ "$fails" = 0 ]
