/* SPDX-License-Identifier: MIT */
/* The mailseal-milter config file (include/mailseal/milterconf.h): `Key value` lines in the
 * format of opendkim.conf(5) and opendmarc.conf(5), key names shared with them where the
 * meaning is the same (issue 6 §2). */
#include "mailseal/milterconf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/limits.h"
#include "base/str.h"
#include "milterconf/lines.h"

typedef enum {
    K_SOCKET,
    K_USERID,
    K_PIDFILE,
    K_MODE,
    K_AUTHSERVID,
    K_INTERNALHOSTS,
    K_KEYTABLE,
    K_SIGNINGTABLE,
    K_MULTIPLESIGNATURES,
    K_REJECTFAILURES,
    K_SYSLOG,
    K_STORE,
    K_NAMESERVERS,
    K_ZONEFILE,
    K_LOGLEVEL,
    K_TRUSTEDAUTHSERVIDS,
    K_IGNOREAUTHCLIENTS,
    K_HISTORYDAYS,
    K_DNSTIMEOUT,
    K_TEMPORARYFAILURE,
    K_ONINTERNALERROR,
    K_UMASK,
    K_CANONICALIZATION,
    K_FAILUREREPORTS,
    K_FAILUREREPORTSSENTBY,
    K_FAILUREREPORTSONNONE,
    K_FAILUREREPORTSRATELIMIT,
    K_FAILUREREPORTSMAXPERHOUR,
    K_COUNT
} key_id;

static const char *const KEY_NAMES[K_COUNT] = {
    "Socket",
    "UserID",
    "PidFile",
    "Mode",
    "AuthservID",
    "InternalHosts",
    "KeyTable",
    "SigningTable",
    "MultipleSignatures",
    "RejectFailures",
    "Syslog",
    "Store",
    "Nameservers",
    "ZoneFile",
    "LogLevel",
    "TrustedAuthservIDs",
    "IgnoreAuthenticatedClients",
    "HistoryDays",
    "DNSTimeout",
    "TemporaryFailure",
    "On-InternalError",
    "UMask",
    "Canonicalization",
    "FailureReports",
    "FailureReportsSentBy",
    "FailureReportsOnNone",
    "FailureReportsRateLimit",
    "FailureReportsMaxPerHour",
};

/* Keys of opendkim.conf(5) / opendmarc.conf(5) that mailseal-milter does not use, so that an
 * existing config moves over: accepted with a warning (they only tune OpenDKIM's or
 * OpenDMARC's internals, logging, or a feature mailseal does otherwise), or, when fatal, an
 * error with a hint (their meaning is one mailseal does not have; ignoring them would silently
 * change what is signed). */
typedef struct foreign_key {
    const char *key;
    const char *from; /* "OpenDKIM", "OpenDMARC", "OpenDKIM, OpenDMARC" */
    bool fatal;
    const char *why;
} foreign_key;

static const foreign_key FOREIGN_KEYS[] = {
    {"AutoRestart", "OpenDKIM, OpenDMARC", false,
     "restarts belong to the service manager (systemd Restart=)"},
    {"AutoRestartCount", "OpenDKIM, OpenDMARC", false,
     "restarts belong to the service manager (systemd StartLimitBurst=)"},
    {"AutoRestartRate", "OpenDKIM, OpenDMARC", false,
     "restarts belong to the service manager (systemd StartLimitIntervalSec=)"},
    {"AuthservIDWithJobID", "OpenDMARC", false,
     "the queue id is in the log line, not in the authserv-id"},
    {"Background", "OpenDKIM, OpenDMARC", false,
     "the daemon runs in the foreground under its service manager"},
    {"BaseDirectory", "OpenDKIM, OpenDMARC", false, "give absolute paths instead"},
    {"CopyFailuresTo", "OpenDMARC", false,
     "not supported: failure reports go to the ruf= addresses only"},
    {"Domain", "OpenDKIM", true, "use KeyTable and SigningTable to say which domains sign"},
    {"ExternalIgnoreList", "OpenDKIM", false,
     "only suppressed a log line; every decision not to sign is logged"},
    {"FailureReportsBcc", "OpenDMARC", false,
     "not supported: failure reports go to the ruf= addresses only"},
    {"HistoryFile", "OpenDMARC", false,
     "history rows go to Store (sqlite:PATH or postgresql://...)"},
    {"HoldQuarantinedMessages", "OpenDMARC", false,
     "p=quarantine is always held (smfi_quarantine) when RejectFailures is yes"},
    {"IgnoreHosts", "OpenDMARC", false,
     "not supported: mail from those hosts is checked like any other"},
    {"IgnoreMailFrom", "OpenDMARC", false,
     "not supported: mail from those domains is checked like any other"},
    {"KeyFile", "OpenDKIM", true, "use a KeyTable line (NAME DOMAIN:SELECTOR:PATH)"},
    {"LogResults", "OpenDKIM", false, "every message's verdicts are logged at LogLevel info"},
    {"LogWhy", "OpenDKIM", false,
     "the reasons (not signed, verdicts) are always logged at LogLevel notice/info"},
    {"MilterDebug", "OpenDKIM, OpenDMARC", false, "use LogLevel debug"},
    {"MinimumKeyBits", "OpenDKIM", false, "RSA keys under 1024 bits always fail (RFC 8301 §3.2)"},
    {"OversignHeaders", "OpenDKIM", false,
     "From, Subject, Date, To, Cc, Reply-To, Message-ID and Content-Type are always oversigned"},
    {"PublicSuffixList", "OpenDMARC", false,
     "the organizational domain comes from the DNS tree walk (RFC 9989 §4.10)"},
    {"ReportAddress", "OpenDKIM", false, "failure reports are not sent"},
    {"ReportCommand", "OpenDMARC", false, "failure reports are not sent"},
    {"RequiredHeaders", "OpenDMARC", false,
     "the message parser always checks the header (RFC 5322 §3.6 counts)"},
    {"RequireSafeKeys", "OpenDKIM", false,
     "key files are read as the starting user; check them with --check-config"},
    {"Selector", "OpenDKIM", true, "use a KeyTable line (NAME DOMAIN:SELECTOR:PATH)"},
    {"SendReports", "OpenDKIM", false, "failure reports are not sent"},
    {"SoftwareHeader", "OpenDKIM", false, "no software header field is added"},
    {"SPFIgnoreResults", "OpenDMARC", false,
     "SPF is always checked here; use TrustedAuthservIDs for a relay's result"},
    {"SPFSelfValidate", "OpenDMARC", false,
     "SPF is always checked here; use TrustedAuthservIDs for a relay's result"},
    {"SubDomains", "OpenDKIM", true,
     "use a refile: SigningTable line *@*.example.com to sign subdomains"},
    {"SyslogFacility", "OpenDKIM, OpenDMARC", false, "syslog messages go to the mail facility"},
    {"SyslogSuccess", "OpenDKIM", false, "every message gets one log line at LogLevel info"},
    {"TrustAnchorFile", "OpenDKIM", false,
     "DNSSEC: with Nameservers no validation is done; without, the system's root anchor"},
};

static const foreign_key *foreign_lookup(const char *k, size_t n)
{
    for (size_t i = 0; i < sizeof(FOREIGN_KEYS) / sizeof(FOREIGN_KEYS[0]); i++) {
        if (ms__str_ieq(k, n, FOREIGN_KEYS[i].key, strlen(FOREIGN_KEYS[i].key))) {
            return &FOREIGN_KEYS[i];
        }
    }
    return NULL;
}

typedef struct parse_state {
    ms_milterconf *conf;
    ms_arena *arena;
    unsigned line;
    ms_milterconf_error *err;
    const char *zone_files[MS_LIMIT_MILTERCONF_LIST];
    size_t n_zone_files;
    const char *warnings[MS_LIMIT_MILTERCONF_LIST];
    size_t n_warnings;
} parse_state;

static ms_status bad(parse_state *ps, const char *reason, const char *v, size_t n)
{
    return ms__mc_fail(ps->err, MS_ESYNTAX, NULL, ps->line, reason, v, n);
}

static ms_status oom(parse_state *ps)
{
    return ms__mc_fail(ps->err, ms_arena_status(ps->arena), NULL, ps->line, "out of memory", NULL,
                       0);
}

static ms_status parse_bool(parse_state *ps, const char *v, size_t n, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (ms__str_ieq(v, n, yes[i], strlen(yes[i]))) {
            *out = true;
            return MS_OK;
        }
        if (ms__str_ieq(v, n, no[i], strlen(no[i]))) {
            *out = false;
            return MS_OK;
        }
    }
    return bad(ps, "want a boolean: yes/no, true/false, on/off, 1/0", v, n);
}

static ms_status parse_uint(parse_state *ps, const char *v, size_t n, unsigned long lo,
                            unsigned long hi, const char *reason, unsigned *out)
{
    unsigned long x = 0;
    size_t used = 0;
    if (n == 0 || n > 9 || !ms__parse_uint(v, n, hi, &x, &used) || used != n || x < lo) {
        return bad(ps, reason, v, n);
    }
    *out = (unsigned)x;
    return MS_OK;
}

/* A value without white space, copied. */
static ms_status word(parse_state *ps, const char *v, size_t n, const char **out)
{
    for (size_t i = 0; i < n; i++) {
        if (ms__is_space(v[i]) || (unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
            return bad(ps, "want one word, found white space or a control byte", v, n);
        }
    }
    *out = ms_arena_strndup(ps->arena, v, n);
    return *out == NULL ? oom(ps) : MS_OK;
}

static ms_status parse_list(parse_state *ps, const char *v, size_t n, bool ips,
                            ms_milterconf_list *out)
{
    const char *items[MS_LIMIT_MILTERCONF_LIST];
    size_t k = 0, pos = 0, tn;
    const char *tok;
    while (ms__mc_token(v, n, &pos, true, &tok, &tn)) {
        if (k == MS_LIMIT_MILTERCONF_LIST) {
            return ms__mc_fail(ps->err, MS_ELIMIT, NULL, ps->line,
                               "more than MS_LIMIT_MILTERCONF_LIST items", tok, tn);
        }
        if (ips) { /* a resolver address: IP or IP@PORT (unbound's forward-addr form) */
            char buf[64];
            const char *at = memchr(tok, '@', tn);
            size_t an = at != NULL ? (size_t)(at - tok) : tn;
            uint8_t bin[16];
            unsigned port = 0;
            if (an == 0 || an >= sizeof(buf)) {
                return bad(ps, "not a resolver address (IP or IP@PORT)", tok, tn);
            }
            memcpy(buf, tok, an);
            buf[an] = '\0';
            if (inet_pton(AF_INET, buf, bin) != 1 && inet_pton(AF_INET6, buf, bin) != 1) {
                return bad(ps, "not a resolver address (IP or IP@PORT)", tok, tn);
            }
            if (at != NULL && parse_uint(ps, at + 1, tn - an - 1, 1, 65535,
                                         "bad resolver port (1..65535)", &port) != MS_OK) {
                return MS_ESYNTAX;
            }
        }
        if ((items[k++] = ms_arena_strndup(ps->arena, tok, tn)) == NULL) {
            return oom(ps);
        }
    }
    if (k == 0) {
        return bad(ps, "empty list", v, n);
    }
    const char **copy = ms_arena_alloc(ps->arena, k * sizeof(*copy));
    if (copy == NULL) {
        return oom(ps);
    }
    memcpy(copy, items, k * sizeof(*copy));
    out->items = copy;
    out->n = k;
    return MS_OK;
}

/* inet:PORT[@HOST], inet6:PORT[@HOST], unix:PATH, local:PATH (libmilter's smfi_setconn). */
static ms_status parse_socket(parse_state *ps, const char *v, size_t n)
{
    ms_milterconf_socket *s = &ps->conf->socket;
    const char *spec = NULL;
    ms_status st = word(ps, v, n, &spec);
    if (st != MS_OK) {
        return st;
    }
    s->spec = spec;
    size_t pre;
    if (ms__str_iprefix(v, n, "unix:") || ms__str_iprefix(v, n, "local:")) {
        pre = v[0] == 'u' || v[0] == 'U' ? 5 : 6;
        s->kind = MS_MILTERCONF_SOCKET_UNIX;
        /* sun_path holds 108 bytes with the NUL (unix(7)). */
        if (n - pre == 0 || v[pre] != '/' || n - pre > 107) {
            return bad(ps, "want unix:/absolute/path (at most 107 bytes)", v, n);
        }
        s->path = spec + pre;
        return MS_OK;
    }
    if (ms__str_iprefix(v, n, "inet6:")) {
        pre = 6;
        s->kind = MS_MILTERCONF_SOCKET_INET6;
    } else if (ms__str_iprefix(v, n, "inet:")) {
        pre = 5;
        s->kind = MS_MILTERCONF_SOCKET_INET;
    } else {
        return bad(ps, "want inet:PORT@HOST, inet6:PORT@HOST or unix:PATH", v, n);
    }
    const char *p = v + pre;
    size_t pn = n - pre;
    const char *at = memchr(p, '@', pn);
    size_t portn = at != NULL ? (size_t)(at - p) : pn;
    if (parse_uint(ps, p, portn, 1, 65535, "bad port (1..65535)", &s->port) != MS_OK) {
        return MS_ESYNTAX;
    }
    if (at == NULL) {
        s->host = NULL;
        return MS_OK;
    }
    size_t hn = pn - portn - 1;
    const char *h = at + 1;
    if (hn > 0 && h[0] == '[' && h[hn - 1] == ']') {
        h++;
        hn = hn >= 2 ? hn - 2 : 0;
    }
    if (hn == 0 || hn > 253) {
        return bad(ps, "empty or too long host after '@'", v, n);
    }
    char buf[256];
    memcpy(buf, h, hn);
    buf[hn] = '\0';
    uint8_t bin[16];
    if (s->kind == MS_MILTERCONF_SOCKET_INET6) {
        if (inet_pton(AF_INET6, buf, bin) != 1) {
            return bad(ps, "inet6: wants an IPv6 address after '@'", h, hn);
        }
    } else if (inet_pton(AF_INET, buf, bin) != 1) {
        for (size_t i = 0; i < hn; i++) { /* a host name */
            if (!ms__is_alnum(h[i]) && h[i] != '-' && h[i] != '.') {
                return bad(ps, "inet: wants an IPv4 address or a host name after '@'", h, hn);
            }
        }
    }
    s->host = ms_arena_strndup(ps->arena, h, hn);
    return s->host == NULL ? oom(ps) : MS_OK;
}

/* A table value: file:PATH, refile:PATH (when allowed) or an absolute PATH. */
static ms_status parse_table(parse_state *ps, const char *v, size_t n, bool refile_ok,
                             const char **path, bool *wildcards)
{
    size_t pre = 0;
    *wildcards = false;
    if (ms__str_iprefix(v, n, "refile:")) {
        pre = 7;
        /* A KeyTable is looked up by name: OpenDKIM setups often say refile: for it anyway,
         * and the file reads the same. */
        *wildcards = refile_ok;
    } else if (ms__str_iprefix(v, n, "file:")) {
        pre = 5;
    } else if (memchr(v, ':', n) != NULL && v[0] != '/') {
        return bad(ps, "only file: and refile: tables are supported", v, n);
    }
    if (n == pre || v[pre] != '/') {
        return bad(ps, "want an absolute path", v, n);
    }
    return word(ps, v + pre, n - pre, path);
}

static ms_status set_key(parse_state *ps, key_id k, const char *v, size_t n)
{
    ms_milterconf *c = ps->conf;
    bool wild = false;
    switch (k) {
    case K_SOCKET:
        return parse_socket(ps, v, n);
    case K_USERID: {
        const char *colon = memchr(v, ':', n);
        if (colon == v || (colon != NULL && colon + 1 == v + n)) {
            return bad(ps, "want USER or USER:GROUP", v, n);
        }
        return word(ps, v, n, &c->user_id);
    }
    case K_PIDFILE:
        if (v[0] != '/') {
            return bad(ps, "want an absolute path", v, n);
        }
        return word(ps, v, n, &c->pid_file);
    case K_MODE: {
        bool s = false, ver = false;
        for (size_t i = 0; i < n; i++) {
            char ch = ms__lower(v[i]);
            if ((ch != 's' && ch != 'v') || (ch == 's' && s) || (ch == 'v' && ver)) {
                return bad(ps, "want v, s or sv", v, n);
            }
            s = s || ch == 's';
            ver = ver || ch == 'v';
        }
        c->mode_sign = s;
        c->mode_verify = ver;
        return MS_OK;
    }
    case K_AUTHSERVID:
        /* RFC 8601 §2.5: a value (token or quoted-string); a token is kept simple here. */
        for (size_t i = 0; i < n; i++) {
            if (v[i] == ';' || v[i] == '"' || v[i] == '(' || v[i] == ')' || v[i] == '\\') {
                return bad(ps, "authserv-id with ';', '\"', '(', ')' or '\\' (RFC 8601 §2.5)", v,
                           n);
            }
        }
        return word(ps, v, n, &c->authserv_id);
    case K_INTERNALHOSTS:
        if (ms__str_iprefix(v, n, "file:") || ms__str_iprefix(v, n, "refile:") || v[0] == '/') {
            return parse_table(ps, v, n, true, &c->internal_hosts_file, &wild);
        } else {
            ms_status st =
                ms_milterconf_hosts_parse(v, n, NULL, ps->arena, &c->internal_hosts, ps->err);
            if (st != MS_OK && ps->err != NULL) {
                ps->err->line = ps->line;
            }
            if (st == MS_OK && c->internal_hosts.n + c->internal_hosts.n_names == 0) {
                return bad(ps, "empty list", v, n);
            }
            return st;
        }
    case K_KEYTABLE:
        return parse_table(ps, v, n, false, &c->key_table, &wild);
    case K_SIGNINGTABLE:
        return parse_table(ps, v, n, true, &c->signing_table, &c->signing_table_wildcards);
    case K_MULTIPLESIGNATURES:
        return parse_bool(ps, v, n, &c->multiple_signatures);
    case K_REJECTFAILURES:
        return parse_bool(ps, v, n, &c->reject_failures);
    case K_SYSLOG:
        return parse_bool(ps, v, n, &c->syslog);
    case K_STORE:
        if (!ms__str_iprefix(v, n, "sqlite:") && !ms__str_iprefix(v, n, "postgresql://") &&
            !ms__str_iprefix(v, n, "postgres://")) {
            return bad(ps, "want sqlite:PATH, postgresql://... or postgres://...", v, n);
        }
        if (ms__str_iprefix(v, n, "sqlite:") && n == 7) {
            return bad(ps, "sqlite: wants a path", v, n);
        }
        return word(ps, v, n, &c->store);
    case K_NAMESERVERS:
        return parse_list(ps, v, n, true, &c->nameservers);
    case K_ZONEFILE:
        if (ps->n_zone_files == MS_LIMIT_MILTERCONF_LIST) {
            return ms__mc_fail(ps->err, MS_ELIMIT, NULL, ps->line,
                               "more than MS_LIMIT_MILTERCONF_LIST ZoneFile lines", v, n);
        }
        if ((ps->zone_files[ps->n_zone_files] = ms_arena_strndup(ps->arena, v, n)) == NULL) {
            return oom(ps);
        }
        ps->n_zone_files++;
        return MS_OK;
    case K_LOGLEVEL: {
        static const char *const names[] = {"error", "warning", "notice", "info", "debug"};
        for (size_t i = 0; i < 5; i++) {
            if (ms__str_ieq(v, n, names[i], strlen(names[i]))) {
                c->log_level = (ms_milterconf_log_level)i;
                return MS_OK;
            }
        }
        return bad(ps, "want error, warning, notice, info or debug", v, n);
    }
    case K_TRUSTEDAUTHSERVIDS:
        return parse_list(ps, v, n, false, &c->trusted_authserv_ids);
    case K_IGNOREAUTHCLIENTS:
        return parse_bool(ps, v, n, &c->ignore_authenticated_clients);
    case K_HISTORYDAYS:
        return parse_uint(ps, v, n, 0, 36500, "want days, 0..36500 (0: keep forever)",
                          &c->history_days);
    case K_DNSTIMEOUT:
        return parse_uint(ps, v, n, 1, 300, "want seconds, 1..300", &c->dns_timeout_s);
    case K_TEMPORARYFAILURE:
        if (ms__str_ieq(v, n, "tempfail", 8)) {
            c->on_dns_timeout = MS_MILTERCONF_TEMPFAIL;
        } else if (ms__str_ieq(v, n, "accept", 6)) {
            c->on_dns_timeout = MS_MILTERCONF_ACCEPT;
        } else {
            return bad(ps, "want tempfail or accept", v, n);
        }
        return MS_OK;
    case K_ONINTERNALERROR:
        if (ms__str_ieq(v, n, "tempfail", 8)) {
            c->on_internal_error = MS_MILTERCONF_TEMPFAIL;
        } else if (ms__str_ieq(v, n, "accept", 6)) {
            c->on_internal_error = MS_MILTERCONF_ACCEPT;
        } else if (ms__str_ieq(v, n, "reject", 6)) {
            c->on_internal_error = MS_MILTERCONF_REJECT;
        } else {
            return bad(ps, "want accept, tempfail or reject", v, n);
        }
        return MS_OK;
    case K_UMASK: {
        /* Octal, as umask(1): 007, 0002, 0 */
        unsigned m = 0;
        if (n == 0 || n > 4) {
            return bad(ps, "want an octal mask, 0..0777", v, n);
        }
        for (size_t i = 0; i < n; i++) {
            if (v[i] < '0' || v[i] > '7') {
                return bad(ps, "want an octal mask, 0..0777", v, n);
            }
            m = m * 8u + (unsigned)(v[i] - '0');
        }
        if (m > 0777u) {
            return bad(ps, "want an octal mask, 0..0777", v, n);
        }
        c->has_umask = true;
        c->umask = m;
        return MS_OK;
    }
    case K_FAILUREREPORTS:
        return parse_bool(ps, v, n, &c->failure_reports);
    case K_FAILUREREPORTSONNONE:
        return parse_bool(ps, v, n, &c->failure_reports_on_none);
    case K_FAILUREREPORTSSENTBY: {
        const char *at = memchr(v, '@', n);
        if (at == NULL || at == v || at == v + n - 1 ||
            memchr(at + 1, '@', (size_t)(v + n - at - 1))) {
            return bad(ps, "want one address, local@domain", v, n);
        }
        return word(ps, v, n, &c->failure_reports_sent_by);
    }
    case K_FAILUREREPORTSRATELIMIT:
        return parse_uint(ps, v, n, 1, 100000, "want reports per policy domain per hour, 1..100000",
                          &c->failure_reports_per_domain);
    case K_FAILUREREPORTSMAXPERHOUR:
        return parse_uint(ps, v, n, 1, 10000000, "want reports per hour, 1..10000000",
                          &c->failure_reports_per_hour);
    case K_CANONICALIZATION: {
        /* RFC 6376 §3.5 c=: header[/body]; the body's is simple when not given. */
        const char *slash = memchr(v, '/', n);
        size_t hn = slash != NULL ? (size_t)(slash - v) : n;
        ms_dkim_canon h, b = MS_DKIM_CANON_SIMPLE;
        static const char reason[] =
            "want simple or relaxed, or header/body of them (RFC 6376 §3.5)";
        if (ms__str_ieq(v, hn, "simple", 6)) {
            h = MS_DKIM_CANON_SIMPLE;
        } else if (ms__str_ieq(v, hn, "relaxed", 7)) {
            h = MS_DKIM_CANON_RELAXED;
        } else {
            return bad(ps, reason, v, n);
        }
        if (slash != NULL) {
            const char *bv = slash + 1;
            size_t bn = n - hn - 1;
            if (ms__str_ieq(bv, bn, "simple", 6)) {
                b = MS_DKIM_CANON_SIMPLE;
            } else if (ms__str_ieq(bv, bn, "relaxed", 7)) {
                b = MS_DKIM_CANON_RELAXED;
            } else {
                return bad(ps, reason, v, n);
            }
        }
        c->canon_header = h;
        c->canon_body = b;
        return MS_OK;
    }
    case K_COUNT:
        break;
    }
    return bad(ps, "unknown key", v, n);
}

static void set_defaults(ms_milterconf *c)
{
    c->mode_verify = true;
    c->mode_sign = true;
    c->syslog = true;
    c->store = "sqlite:/var/lib/mailseal/history.db";
    c->log_level = MS_MILTERCONF_LOG_INFO;
    c->history_days = 30;
    c->dns_timeout_s = 5;
    c->on_dns_timeout = MS_MILTERCONF_TEMPFAIL;
    c->on_internal_error = MS_MILTERCONF_TEMPFAIL;
    c->canon_header = MS_DKIM_CANON_RELAXED;
    c->canon_body = MS_DKIM_CANON_RELAXED;
    c->failure_reports_per_domain = 10;
    c->failure_reports_per_hour = 500;
}

/* A key of OpenDKIM or OpenDMARC that mailseal does not use: a warning, or an error with a
 * hint for the few that would silently change what is signed. */
static ms_status foreign_key_seen(parse_state *ps, const foreign_key *f)
{
    if (f->fatal) {
        char what[160];
        snprintf(what, sizeof(what), "%s: %s", f->key, f->why);
        return bad(ps, "key of OpenDKIM/OpenDMARC not supported", what, strlen(what));
    }
    if (ps->n_warnings == MS_LIMIT_MILTERCONF_LIST) {
        return ms__mc_fail(ps->err, MS_ELIMIT, NULL, ps->line,
                           "more than MS_LIMIT_MILTERCONF_LIST keys without effect", f->key,
                           strlen(f->key));
    }
    char line[320];
    snprintf(line, sizeof(line), "line %u: %s (%s) has no effect in mailseal-milter: %s", ps->line,
             f->key, f->from, f->why);
    if ((ps->warnings[ps->n_warnings] = ms_arena_strdup(ps->arena, line)) == NULL) {
        return oom(ps);
    }
    ps->n_warnings++;
    return MS_OK;
}

ms_status ms_milterconf_parse(const char *text, size_t len, ms_milterconf **out,
                              ms_milterconf_error *err)
{
    *out = NULL;
    if (text == NULL && len > 0) {
        return ms__mc_fail(err, MS_EINVAL, NULL, 0, "no text", NULL, 0);
    }
    ms_arena *arena = NULL;
    ms_status st = ms_arena_new(NULL, 0, &arena);
    if (st != MS_OK) {
        return ms__mc_fail(err, st, NULL, 0, "out of memory", NULL, 0);
    }
    ms_milterconf *c = ms_arena_alloc(arena, sizeof(*c));
    parse_state *ps = ms_arena_alloc(arena, sizeof(*ps));
    if (c == NULL || ps == NULL) {
        ms_arena_free(arena);
        return ms__mc_fail(err, MS_ENOMEM, NULL, 0, "out of memory", NULL, 0);
    }
    memset(c, 0, sizeof(*c));
    memset(ps, 0, sizeof(*ps));
    c->arena = arena;
    set_defaults(c);
    ps->conf = c;
    ps->arena = arena;
    ps->err = err;
    unsigned seen[K_COUNT] = {0};
    ms__mc_lines it;
    ms__mc_lines_init(&it, text, len);
    const char *s, *reason = NULL;
    size_t sn;
    int r;
    while ((r = ms__mc_next_line(&it, &s, &sn, &reason)) == 1) {
        ps->line = it.line;
        if (sn == 0) {
            continue;
        }
        size_t kn = 0;
        while (kn < sn && !ms__is_space(s[kn])) {
            kn++;
        }
        key_id k = K_COUNT;
        for (size_t i = 0; i < K_COUNT; i++) {
            if (ms__str_ieq(s, kn, KEY_NAMES[i], strlen(KEY_NAMES[i]))) {
                k = (key_id)i;
                break;
            }
        }
        if (k == K_COUNT) {
            const foreign_key *f = foreign_lookup(s, kn);
            if (f != NULL) {
                if ((st = foreign_key_seen(ps, f)) != MS_OK) {
                    break;
                }
                continue;
            }
            st = bad(ps, "unknown key", s, kn);
            break;
        }
        size_t vb = kn;
        while (vb < sn && ms__is_space(s[vb])) {
            vb++;
        }
        if (vb == sn) {
            st = bad(ps, "key without a value", s, kn);
            break;
        }
        if (seen[k] != 0 && k != K_ZONEFILE) {
            char what[96];
            snprintf(what, sizeof(what), "%s, first on line %u", KEY_NAMES[k], seen[k]);
            st = bad(ps, "key given twice", what, strlen(what));
            break;
        }
        seen[k] = it.line;
        if ((st = set_key(ps, k, s + vb, sn - vb)) != MS_OK) {
            break;
        }
    }
    if (st == MS_OK && r < 0) {
        st = ms__mc_fail(err, MS_ESYNTAX, NULL, it.line, reason, NULL, 0);
    }
    if (st == MS_OK && seen[K_SOCKET] == 0) {
        st = ms__mc_fail(err, MS_ESYNTAX, NULL, 0, "Socket is required (it has no default)", NULL,
                         0);
    }
    if (st == MS_OK && seen[K_INTERNALHOSTS] == 0) {
        static const char def[] = "127.0.0.1 ::1";
        st = ms_milterconf_hosts_parse(def, sizeof(def) - 1, NULL, arena, &c->internal_hosts, err);
    }
    if (st == MS_OK && ps->n_zone_files > 0) {
        const char **z = ms_arena_alloc(arena, ps->n_zone_files * sizeof(*z));
        if (z == NULL) {
            st = oom(ps);
        } else {
            memcpy(z, ps->zone_files, ps->n_zone_files * sizeof(*z));
            c->zone_files.items = z;
            c->zone_files.n = ps->n_zone_files;
        }
    }
    if (st == MS_OK && ps->n_warnings > 0) {
        const char **w = ms_arena_alloc(arena, ps->n_warnings * sizeof(*w));
        if (w == NULL) {
            st = oom(ps);
        } else {
            memcpy(w, ps->warnings, ps->n_warnings * sizeof(*w));
            c->warnings.items = w;
            c->warnings.n = ps->n_warnings;
        }
    }
    if (st != MS_OK) {
        ms_arena_free(arena);
        return st;
    }
    *out = c;
    return MS_OK;
}

ms_status ms_milterconf_load_files(ms_milterconf *c, ms_milterconf_error *err)
{
    if (c == NULL) {
        return ms__mc_fail(err, MS_EINVAL, NULL, 0, "no config", NULL, 0);
    }
    char *text = NULL;
    size_t len = 0;
    ms_status st;
    if (c->internal_hosts_file != NULL) {
        st = ms__mc_read_file(c->internal_hosts_file, MS_LIMIT_MILTERCONF_FILE, "InternalHosts",
                              &text, &len, err);
        if (st != MS_OK) {
            return st;
        }
        st = ms_milterconf_hosts_parse(text, len, c->internal_hosts_file, c->arena,
                                       &c->internal_hosts, err);
        free(text);
        if (st != MS_OK) {
            return st;
        }
    }
    if (c->signing_table != NULL && c->key_table == NULL) {
        return ms__mc_fail(err, MS_ESYNTAX, NULL, 0, "SigningTable without a KeyTable",
                           c->signing_table, strlen(c->signing_table));
    }
    if (c->key_table != NULL && c->keys == NULL) {
        ms_milterconf_keytable *kt = NULL;
        st = ms__mc_read_file(c->key_table, MS_LIMIT_MILTERCONF_FILE, "KeyTable", &text, &len, err);
        if (st != MS_OK) {
            return st;
        }
        st = ms_milterconf_keytable_parse(text, len, c->key_table, c->arena, &kt, err);
        free(text);
        if (st != MS_OK) {
            return st;
        }
        ms__mc_keytable_set_canon(kt, c->canon_header, c->canon_body);
        st = ms_milterconf_keytable_load_keys(kt, err);
        if (st != MS_OK) {
            ms_milterconf_keytable_free(kt);
            return st;
        }
        c->keys = kt;
    }
    if (c->signing_table != NULL && c->signing == NULL) {
        st = ms__mc_read_file(c->signing_table, MS_LIMIT_MILTERCONF_FILE, "SigningTable", &text,
                              &len, err);
        if (st != MS_OK) {
            return st;
        }
        st = ms_milterconf_signtable_parse(text, len, c->signing_table_wildcards, c->signing_table,
                                           c->keys, c->arena, &c->signing, err);
        free(text);
        if (st != MS_OK) {
            return st;
        }
    }
    return MS_OK;
}

ms_status ms_milterconf_load(const char *path, ms_milterconf **out, ms_milterconf_error *err)
{
    *out = NULL;
    if (path == NULL) {
        return ms__mc_fail(err, MS_EINVAL, NULL, 0, "no config path", NULL, 0);
    }
    char *text = NULL;
    size_t len = 0;
    ms_status st = ms__mc_read_file(path, MS_LIMIT_MILTERCONF_FILE, "config", &text, &len, err);
    if (st != MS_OK) {
        return st;
    }
    ms_milterconf *c = NULL;
    st = ms_milterconf_parse(text, len, &c, err);
    free(text);
    if (st != MS_OK) {
        if (err != NULL) {
            ms__mc_escape(err->file, sizeof(err->file), path, strlen(path));
        }
        return st;
    }
    st = ms_milterconf_load_files(c, err);
    if (st != MS_OK) {
        if (err != NULL && strcmp(err->file, "config") == 0) {
            ms__mc_escape(err->file, sizeof(err->file), path, strlen(path));
        }
        ms_milterconf_free(c);
        return st;
    }
    *out = c;
    return MS_OK;
}

void ms_milterconf_free(ms_milterconf *c)
{
    if (c == NULL) {
        return;
    }
    ms_milterconf_keytable_free(c->keys);
    ms_arena_free(c->arena);
}

void ms_milterconf_sign_lookup(const ms_milterconf *c, const char *from, size_t len,
                               ms_milterconf_sign_keys *out)
{
    if (c == NULL || !c->mode_sign) {
        memset(out, 0, sizeof(*out));
        snprintf(out->reason, sizeof(out->reason), "signing is off (Mode v)");
        return;
    }
    ms_milterconf_signtable_lookup(c->signing, c->multiple_signatures, from, len, out);
}

const char *ms_milterconf_action_name(ms_milterconf_action a)
{
    switch (a) {
    case MS_MILTERCONF_ACCEPT:
        return "accept";
    case MS_MILTERCONF_TEMPFAIL:
        return "tempfail";
    case MS_MILTERCONF_REJECT:
        return "reject";
    }
    return "unknown";
}
