#!/bin/sh
# SPDX-License-Identifier: MIT
# pg_server.sh TEST_BINARY: starts a private PostgreSQL server from Debian's packages in a
# temporary directory, listening only on a unix socket in that directory (no TCP), runs
# TEST_BINARY with MS_STORE_URI naming it, and always stops the server and removes the
# directory. PostgreSQL refuses to run as root: as root the server runs as the 'postgres' user
# (made by Debian's postgresql-common), else 'nobody', through runuser.
set -u
test_bin=$(realpath "$1") || exit 1

bindir=""
for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir=$d; fi # the last is the newest
done
if [ -z "$bindir" ]; then
    echo "pg_server.sh: FAIL: no PostgreSQL server (/usr/lib/postgresql/*/bin/initdb, pg_ctl):" \
         "install the Debian package 'postgresql' (scripts/install-deps)" >&2
    exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/ms-pg.XXXXXX") || exit 1
run=""
if [ "$(id -u)" -eq 0 ]; then
    user=postgres
    id -u "$user" >/dev/null 2>&1 || user=nobody
    if ! command -v runuser >/dev/null 2>&1; then
        echo "pg_server.sh: FAIL: running as root and runuser (util-linux) is missing;" \
             "PostgreSQL refuses to run as root" >&2
        rm -rf "$dir"
        exit 1
    fi
    chown "$user" "$dir"
    run="runuser -u $user --"
fi

stop() {
    $run "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
}
trap stop EXIT INT TERM

cd "$dir" || exit 1
if ! $run "$bindir/initdb" -D "$dir/data" -U mailseal --auth=trust --no-sync \
        -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
    echo "pg_server.sh: FAIL: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    exit 1
fi
# No TCP (listen_addresses empty), the socket in $dir; fsync off: a test server.
if ! $run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $dir -c fsync=off" start >/dev/null 2>&1; then
    echo "pg_server.sh: FAIL: the server did not start:" >&2
    cat "$dir/server.log" >&2
    exit 1
fi

MS_STORE_URI="postgresql:///postgres?host=$dir&user=mailseal" "$test_bin"
