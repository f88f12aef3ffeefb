# SPDX-License-Identifier: MIT
# postfix_env.sh: a private Postfix instance for tests and benchmarks (source it; POSIX sh).
#
# Everything lives under one directory: config (main.cf, master.cf), queue, data, the mail log
# (postlogd, maillog_file) and the delivered mail (Maildirs written by Postfix's virtual(8)).
# It listens on 127.0.0.1 at a free high port only, never uses DNS, relays nothing (mail for
# any domain that is not local bounces at once through error(8)) and leaves the packaged
# Postfix (/etc/postfix, /var/spool/postfix) alone: run it while that one is stopped or running.
# Needs root (Postfix's master runs as root; the daemons drop to mail_owner 'postfix').
#
#   . tests/support/postfix_env.sh
#   PFX_MILTER=unix:/tmp/x/milter.sock      # smtpd_milters and non_smtpd_milters (optional)
#   PFX_MILTER_DEFAULT_ACTION=tempfail      # milter_default_action (default tempfail)
#   PFX_DOMAINS="rcpt.test other.test"      # local (virtual) domains; "*" = every domain
#   pfx_start "$(mktemp -d)" [name=value ...] || exit 1   # extra main.cf settings, applied last
#   trap 'pfx_stop; rm -rf "$T"' EXIT       # pfx_stop is safe to call twice / after a failure
#   swaks --server 127.0.0.1:$PFX_PORT ...
#   pfx_wait_idle 30                        # until the active/incoming/deferred queues are empty
#   pfx_count_mail                          # number of messages delivered (one Maildir)
#   pfx_mail_files                          # their file names, one a line
#   pfx_hold_count                          # number of messages in the hold queue
#   pfx_sendmail -f from@x to@y < msg       # Postfix's sendmail into this instance (pickup)
#   pfx_stop
#
# After pfx_start these are set: PFX_DIR (the directory), PFX_CONF (config_directory),
# PFX_QUEUE (queue_directory), PFX_PORT (the SMTP port), PFX_LOG (the mail log file),
# PFX_INBOX (the one Maildir every local recipient's mail is delivered to: virtual(8) refuses
# regexp substitutions in virtual_mailbox_maps, so there is no mailbox per address; tell
# messages apart by Message-ID or by the Delivered-To field virtual(8) adds at the top).
# XCLIENT is allowed from 127.0.0.0/8, so a test can present any client address to the milter
# (swaks --xclient-addr 192.0.2.10) and a SASL login (--xclient 'LOGIN=user').
# Functions return non-zero with a reason on stderr; pfx_start leaves nothing running on failure.

pfx__die() {
    echo "postfix_env.sh: $*" >&2
    return 1
}

pfx__port_busy() {
    command -v ss >/dev/null 2>&1 || return 1
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# The master's pid, when it runs from this instance's queue directory.
pfx__master_pid() {
    [ -n "${PFX_QUEUE:-}" ] && [ -r "$PFX_QUEUE/pid/master.pid" ] || return 1
    p=$(tr -d ' \n' <"$PFX_QUEUE/pid/master.pid")
    case "$p" in '' | *[!0-9]*) return 1 ;; esac
    [ -r "/proc/$p/cmdline" ] || return 1
    case "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" in
    *master*) ;;
    *) return 1 ;;
    esac
    # Its config is ours (guards against a recycled pid).
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "MAIL_CONFIG=$PFX_CONF" || return 1
    echo "$p"
}

pfx__write_master_cf() { # FILE PORT
    cat >"$1" <<EOF
# Private test instance: no chroot, only what local delivery and the queue tools need.
127.0.0.1:$2 inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
smtp      unix  -       -       n       -       -       smtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

pfx_start() {
    [ $# -ge 1 ] || { pfx__die "usage: pfx_start DIR [name=value ...]"; return 1; }
    [ "$(id -u)" = 0 ] || { pfx__die "needs root (Postfix's master runs as root)"; return 1; }
    command -v postfix >/dev/null 2>&1 && command -v postconf >/dev/null 2>&1 ||
        { pfx__die "postfix is not installed (run scripts/install-deps)"; return 1; }
    id postfix >/dev/null 2>&1 || { pfx__die "no user 'postfix' (Debian's postfix package makes it)"; return 1; }
    mkdir -p "$1" && PFX_DIR=$(cd "$1" && pwd) || { pfx__die "cannot make directory $1"; return 1; }
    shift
    PFX_CONF=$PFX_DIR/etc
    PFX_QUEUE=$PFX_DIR/spool
    PFX_MAIL=$PFX_DIR/mail
    PFX_LOG=$PFX_DIR/maillog
    PFX_INBOX=$PFX_MAIL/inbox
    mkdir -p "$PFX_CONF" "$PFX_QUEUE" "$PFX_DIR/data" "$PFX_MAIL" || return 1
    # The daemons run as 'postfix' and must reach the queue; virtual(8) delivers as nobody.
    chmod 755 "$PFX_DIR" "$PFX_CONF" "$PFX_QUEUE" "$PFX_MAIL"
    chown postfix "$PFX_DIR/data"
    vuid=$(id -u nobody 2>/dev/null || echo 65534)
    vgid=$(id -g nobody 2>/dev/null || echo 65534)
    chown "$vuid:$vgid" "$PFX_MAIL"
    : >"$PFX_LOG"

    domains=${PFX_DOMAINS:-rcpt.test}
    if [ "$domains" = "*" ]; then
        vdomains="static:all"
    else
        vdomains=$domains
    fi

    attempt=0
    while [ $attempt -lt 10 ]; do
        attempt=$((attempt + 1))
        n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        PFX_PORT=$((20000 + n % 40000))
        pfx__port_busy "$PFX_PORT" && continue
        pfx__write_master_cf "$PFX_CONF/master.cf" "$PFX_PORT"
        cat >"$PFX_CONF/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PFX_QUEUE
data_directory = $PFX_DIR/data
myhostname = mx.test
mydomain = test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains =
relayhost =
default_transport = error:relaying is disabled in this test instance
relay_transport = error:relaying is disabled in this test instance
local_transport = error:no local delivery in this test instance
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = $vdomains
virtual_mailbox_maps = static:inbox/
virtual_mailbox_base = $PFX_MAIL
virtual_minimum_uid = 1
virtual_uid_maps = static:$vuid
virtual_gid_maps = static:$vgid
virtual_mailbox_limit = 0
message_size_limit = 0
smtp_dns_support_level = disabled
disable_dns_lookups = yes
smtpd_peername_lookup = no
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_event_limit_exceptions = 127.0.0.0/8
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 1000
smtpd_banner = \$myhostname ESMTP test
smtputf8_enable = no
biff = no
append_dot_mydomain = no
maillog_file = $PFX_LOG
maillog_file_prefixes = $PFX_DIR
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
bounce_queue_lifetime = 0
in_flow_delay = 0
milter_default_action = ${PFX_MILTER_DEFAULT_ACTION:-tempfail}
milter_protocol = 6
EOF
        if [ -n "${PFX_MILTER:-}" ]; then
            printf 'smtpd_milters = %s\nnon_smtpd_milters = %s\n' "$PFX_MILTER" "$PFX_MILTER" \
                >>"$PFX_CONF/main.cf"
        fi
        if [ $# -gt 0 ]; then
            postconf -c "$PFX_CONF" -e "$@" || { pfx__die "postconf -e $*"; return 1; }
        fi
        # "postfix start" runs Postfix's own checks (and makes the queue directories); a
        # separate "postfix check" would only double the ~6 s they take on a loaded machine.
        if ! postfix -c "$PFX_CONF" start >"$PFX_DIR/start.out" 2>&1; then
            cat "$PFX_DIR/start.out" "$PFX_LOG" >&2
            pfx_stop
            pfx__die "postfix start failed"
            return 1
        fi
        # Ready when the SMTP port answers with our banner (or the master has exited).
        i=0
        while [ $i -lt 100 ]; do
            if pfx__master_pid >/dev/null && pfx__port_busy "$PFX_PORT"; then
                return 0
            fi
            if [ $i -gt 10 ] && ! pfx__master_pid >/dev/null; then
                break
            fi
            sleep 0.1
            i=$((i + 1))
        done
        if grep -qi 'address already in use' "$PFX_LOG" 2>/dev/null; then
            pfx_stop
            : >"$PFX_LOG"
            continue
        fi
        tail -n 20 "$PFX_LOG" >&2
        pfx_stop
        pfx__die "postfix did not start listening on 127.0.0.1:$PFX_PORT"
        return 1
    done
    pfx__die "no free port after 10 attempts"
    return 1
}

# Stops this instance's master and its children; waits until they are gone (kills them
# after 10 s). Safe to call twice, or when pfx_start failed.
pfx_stop() {
    [ -n "${PFX_CONF:-}" ] && [ -d "$PFX_CONF" ] || return 0
    mp=$(pfx__master_pid) || return 0
    postfix -c "$PFX_CONF" stop >/dev/null 2>&1 || kill -TERM "$mp" 2>/dev/null || true
    i=0
    while [ $i -lt 100 ] && [ -d "/proc/$mp" ] &&
        [ "$(sed 's/.*) //' "/proc/$mp/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if [ -d "/proc/$mp" ]; then
        postfix -c "$PFX_CONF" abort >/dev/null 2>&1 || kill -KILL "$mp" 2>/dev/null || true
    fi
    return 0
}

# postqueue for this instance: pfx_postqueue -p | -f ...
pfx_postqueue() {
    postqueue -c "$PFX_CONF" "$@"
}

# Postfix's sendmail(1) into this instance (through pickup, so non_smtpd_milters apply).
pfx_sendmail() {
    sendmail -C "$PFX_CONF" "$@"
}

# Messages in a queue directory (incoming active deferred hold maildrop ...).
pfx_queue_count() { # QUEUE
    [ -d "$PFX_QUEUE/$1" ] || { echo 0; return 0; }
    find "$PFX_QUEUE/$1" -type f | wc -l | tr -d ' '
}

pfx_hold_count() {
    pfx_queue_count hold
}

# Waits (at most SECONDS, default 30) until maildrop, incoming, active and deferred are empty.
# Returns 1 on timeout. Held mail does not count.
pfx_wait_idle() {
    limit=$((${1:-30} * 10))
    i=0
    while [ $i -lt "$limit" ]; do
        n=0
        for q in maildrop incoming active deferred; do
            n=$((n + $(pfx_queue_count $q)))
        done
        [ "$n" = 0 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    pfx__die "queue not empty after ${1:-30} s"
    return 1
}

pfx_mail_files() {
    find "$PFX_INBOX/new" "$PFX_INBOX/cur" -type f 2>/dev/null | sort
}

pfx_count_mail() {
    pfx_mail_files | wc -l | tr -d ' '
}
