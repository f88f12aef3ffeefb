#!/bin/sh
# SPDX-License-Identifier: MIT
# Start and stop a private authoritative DNS server (nsd; unbound's auth-zone if nsd is absent)
# on 127.0.0.1 at a free high port, serving RFC 1035 zone files, for end-to-end tests.
#
# Usage:
#   dns_server.sh start STATE_DIR ZONEFILE...   prints the port on stdout, writes STATE_DIR/pid
#   dns_server.sh stop STATE_DIR                stops exactly the process in STATE_DIR/pid
#
# - STATE_DIR must exist (a fresh mktemp -d); config, zone copies, logs and pid file go there.
# - Each zone's origin is its SOA owner (with the $ORIGIN in effect there), else its first
#   "$ORIGIN" line; a file with neither is refused.
#   A zone without an SOA gets one in the copy given to the server (negative TTL 300).
# - Also written: STATE_DIR/port, STATE_DIR/server ("nsd" or "unbound"), STATE_DIR/server.log.
# - MS_DNS_SERVER=nsd|unbound forces a server (default: nsd, then unbound).
# - Exit status 0 on success; otherwise a reason on stderr and nothing is left running.
# - "stop" is safe to call twice or after a failed start. It signals the PID it recorded (if
#   that process still runs this STATE_DIR's config) and returns once every process of that
#   server instance has exited (nsd forks helpers); only those are ever killed, after 5 s.
set -eu

die() {
    echo "dns_server.sh: $*" >&2
    exit 1
}

# Is PID running (not a zombie)? Containers often have no init to reap orphans.
alive() {
    [ -n "$1" ] || return 1
    if [ -r "/proc/$1/stat" ]; then
        state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
        [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
    else
        kill -0 "$1" 2>/dev/null
    fi
}

# Does PID run with this state dir's config (guards against a recycled PID)?
ours() { # PID STATE
    [ -r "/proc/$1/cmdline" ] || return 0 # no /proc: trust the pid file
    case "$(tr '\0' ' ' <"/proc/$1/cmdline")" in
    *"-c $2/nsd.conf"* | *"-c $2/unbound.conf"*) return 0 ;;
    *) return 1 ;;
    esac
}

# The origin of a zone file: its SOA owner (read with the $ORIGIN in effect there), else the
# first $ORIGIN. No trailing dot; empty when neither tells.
zone_origin() {
    awk '
        { sub(/;.*/, "") }
        toupper($1) == "$ORIGIN" {
            cur = $2
            if (cur !~ /\.$/) cur = cur "."
            if (first == "") first = cur
            next
        }
        /^[^ \t$]/ {
            for (i = 2; i <= NF; i++) if (toupper($i) == "SOA") {
                o = $1
                if (o == "@") o = cur
                else if (o !~ /\.$/ && cur != "") o = o "." cur
                else if (o !~ /\.$/) o = ""
                found = 1
                exit
            }
        }
        END {
            if (!found) o = first
            sub(/\.$/, "", o)
            print o
        }' "$1"
}

has_soa() {
    awk '{ sub(/;.*/, ""); for (i = 1; i <= NF; i++) if (toupper($i) == "SOA") f = 1 }
         END { exit f ? 0 : 1 }' "$1"
}

random_port() {
    n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    echo $((20000 + n % 40000))
}

port_busy() {
    command -v ss >/dev/null 2>&1 || return 1
    ss -Hlun "sport = :$1" 2>/dev/null | grep -q . || ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

write_nsd_conf() { # STATE PORT
    cat >"$1/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1
    port: $2
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$1"
    database: ""
    pidfile: "$1/nsd.pid"
    xfrdfile: "$1/xfrd.state"
    xfrdir: "$1"
    zonelistfile: "$1/zone.list"
    logfile: "$1/server.log"
    server-count: 1
    verbosity: 1
    hide-version: yes
remote-control:
    control-enable: no
EOF
    while read -r origin file; do
        printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$origin" "$file" >>"$1/nsd.conf"
    done <"$1/zones"
}

write_unbound_conf() { # STATE PORT
    cat >"$1/unbound.conf" <<EOF
server:
    interface: 127.0.0.1
    port: $2
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$1"
    pidfile: "$1/unbound.pid"
    do-daemonize: no
    use-syslog: no
    logfile: "$1/server.log"
    num-threads: 1
    verbosity: 1
    module-config: "iterator"
    access-control: 127.0.0.0/8 allow
remote-control:
    control-enable: no
EOF
    while read -r origin file; do
        printf 'auth-zone:\n    name: "%s."\n    zonefile: "%s/%s"\n' "$origin" "$1" "$file"
        printf '    for-downstream: yes\n    for-upstream: no\n    fallback-enabled: no\n'
        # Names like "test." have a built-in static local zone (RFC 6761) answering NXDOMAIN.
        printf 'server:\n    local-zone: "%s." transparent\n' "$origin"
    done <"$1/zones" >>"$1/unbound.conf"
}

# Every zone answers its SOA authoritatively.
ready() { # PORT
    while read -r origin file; do
        out=$(dig +norec +time=1 +tries=1 -p "$1" @127.0.0.1 "$origin." SOA </dev/null 2>&1) ||
            return 1
        echo "$out" | grep -q 'status: NOERROR' || return 1
        echo "$out" | grep -q 'flags:.* aa' || return 1
    done <"$STATE/zones"
}

start() {
    [ $# -ge 2 ] || die "usage: dns_server.sh start STATE_DIR ZONEFILE..."
    STATE=$(cd "$1" && pwd) || die "no state dir $1"
    shift
    server=${MS_DNS_SERVER:-}
    if [ -z "$server" ]; then
        if command -v nsd >/dev/null 2>&1; then
            server=nsd
        elif command -v unbound >/dev/null 2>&1; then
            server=unbound
        else
            die "neither nsd nor unbound is installed (run scripts/install-deps)"
        fi
    fi
    command -v "$server" >/dev/null 2>&1 || die "$server is not installed"
    command -v dig >/dev/null 2>&1 || die "dig is not installed (dnsutils)"

    : >"$STATE/zones"
    i=0
    for zf in "$@"; do
        [ -r "$zf" ] || die "cannot read zone file $zf"
        origin=$(zone_origin "$zf")
        [ -n "$origin" ] || die "$zf: no \$ORIGIN line and no absolute SOA owner"
        i=$((i + 1))
        copy="zone$i.zone"
        if has_soa "$zf"; then
            cp "$zf" "$STATE/$copy"
        else
            {
                printf '\044ORIGIN %s.\n' "$origin"
                printf '@ 300 IN SOA ns.%s. hostmaster.%s. 1 3600 900 604800 300\n' \
                    "$origin" "$origin"
                cat "$zf"
            } >"$STATE/$copy"
        fi
        echo "$origin $copy" >>"$STATE/zones"
        # A zone the server would reject fails here, with the checker's reason.
        if command -v nsd-checkzone >/dev/null 2>&1; then
            nsd-checkzone "$origin" "$STATE/$copy" >"$STATE/checkzone.out" 2>&1 ||
                die "$zf: $(tail -n 3 "$STATE/checkzone.out" | tr '\n' ' ')"
        fi
    done

    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        port=$(random_port)
        if port_busy "$port"; then
            continue
        fi
        if [ "$server" = nsd ]; then
            write_nsd_conf "$STATE" "$port"
            nsd -d -c "$STATE/nsd.conf" >>"$STATE/server.out" 2>&1 </dev/null &
        else
            write_unbound_conf "$STATE" "$port"
            unbound -d -c "$STATE/unbound.conf" >>"$STATE/server.out" 2>&1 </dev/null &
        fi
        pid=$!
        echo "$pid" >"$STATE/pid"
        echo "$server" >"$STATE/server"
        tries=0
        while [ $tries -lt 50 ] && alive "$pid"; do
            if ready "$port"; then
                echo "$port" >"$STATE/port"
                echo "$port"
                exit 0
            fi
            sleep 0.1
            tries=$((tries + 1))
        done
        if alive "$pid"; then
            # Running but not answering for its zones: a zone it rejected. No retry helps.
            stop_pid "$STATE" "$pid"
            rm -f "$STATE/pid"
            tail -n 20 "$STATE/server.log" "$STATE/server.out" >&2 2>/dev/null || true
            die "$server on port $port runs but does not serve every zone"
        fi
        rm -f "$STATE/pid"
        # It exited. Only a port taken in between is worth another try.
        if ! grep -qi 'address already in use\|could not open ports' \
            "$STATE/server.log" "$STATE/server.out" 2>/dev/null; then
            tail -n 20 "$STATE/server.log" "$STATE/server.out" >&2 2>/dev/null || true
            die "$server exited on port $port"
        fi
        echo "dns_server.sh: port $port taken (attempt $attempt)" >&2
        : >"$STATE/server.log"
    done
    tail -n 20 "$STATE/server.log" "$STATE/server.out" >&2 2>/dev/null || true
    die "could not start $server"
}

# Live processes running this state dir's server config: nsd forks (the PID recorded is its
# xfrd; main and server processes are children), so stop waits for all of them.
instance_pids() { # STATE
    command -v pgrep >/dev/null 2>&1 || return 0
    pgrep -f -- "-c $1/(nsd|unbound)[.]conf" || true
}

stop_pid() { # STATE PID
    if alive "$2"; then
        ours "$2" "$1" || die "pid $2 does not run a server of $1; not touching it"
        kill -TERM "$2" 2>/dev/null || true
    fi
    n=0
    while [ $n -lt 50 ] && { alive "$2" || [ -n "$(instance_pids "$1")" ]; }; do
        sleep 0.1
        n=$((n + 1))
    done
    # Still there after 5 s: only processes verified to run this state dir's config.
    for p in $2 $(instance_pids "$1"); do
        if alive "$p" && ours "$p" "$1"; then
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
}

stop() {
    [ $# -eq 1 ] || die "usage: dns_server.sh stop STATE_DIR"
    [ -d "$1" ] || return 0
    STATE=$(cd "$1" && pwd)
    [ -f "$STATE/pid" ] || return 0
    pid=$(cat "$STATE/pid")
    case "$pid" in
    '' | *[!0-9]*) die "bad pid file $STATE/pid" ;;
    esac
    stop_pid "$STATE" "$pid"
    rm -f "$STATE/pid"
}

[ $# -ge 1 ] || die "usage: dns_server.sh start STATE_DIR ZONEFILE... | stop STATE_DIR"
cmd=$1
shift
case "$cmd" in
start) start "$@" ;;
stop) stop "$@" ;;
*) die "unknown command $cmd (start or stop)" ;;
esac
