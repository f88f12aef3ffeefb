/* SPDX-License-Identifier: MIT */
/* The mailseal-milter config file in the `Key value` format of opendkim.conf(5) and
 * opendmarc.conf(5): every key, defaults, odd spacing, errors naming the line, and loading a
 * config with its InternalHosts file, KeyTable, SigningTable and keys from disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "mailseal/milterconf.h"

#include "base/limits.h"
#include "ms_expect.h"
#include "ms_test_util.h"

static ms_milterconf *parse_ok(const char *text)
{
    ms_milterconf *c = NULL;
    ms_milterconf_error err;
    char *copy = exact(text, strlen(text));
    ms_status st = ms_milterconf_parse(copy, strlen(text), &c, &err);
    free(copy);
    if (st != MS_OK) {
        char msg[512];
        ms_milterconf_error_format(&err, msg, sizeof(msg));
        print_error("parse: %s\n", msg);
    }
    assert_int_equal(st, MS_OK);
    return c;
}

/* Every key, in the style of a shipped opendkim.conf: comments, tabs, odd case, CRLF. */
static const char FULL[] =
    "# mailseal-milter.conf, after /etc/opendkim.conf and /etc/opendmarc.conf\n"
    "\n"
    "## The milter socket\n"
    "Socket\t\t\tinet:8891@127.0.0.1\n"
    "UserID\t\t\tmailseal:mailseal\n"
    "PidFile         /run/mailseal/milter.pid    # trailing comment\n"
    "   Mode   sv\n"
    "AuthservID      mx.example.com\n"
    "InternalHosts   127.0.0.1, ::1, 192.168.0.0/16 10.0.0.0/8\n"
    "KeyTable        file:/etc/mailseal/key.table\n"
    "SigningTable    refile:/etc/mailseal/signing.table\n"
    "MultipleSignatures   Yes\n"
    "RejectFailures  true\r\n"
    "syslog          no\n"
    "Store           postgresql://mailseal@db.example.com/mailseal\n"
    "Nameservers     127.0.0.1@5353, ::1\n"
    "ZoneFile        /var/lib/mailseal/example.zone\n"
    "ZoneFile        /var/lib/mailseal/other zone.zone\n"
    "LOGLEVEL        debug\n"
    "TrustedAuthservIDs   mx1.example.com,mx2.example.com\n"
    "IgnoreAuthenticatedClients  1\n"
    "HistoryDays     180\n"
    "DNSTimeout      10\n"
    "TemporaryFailure accept\n"
    "On-InternalError reject\n";

static void test_every_key(void **state)
{
    (void)state;
    ms_milterconf *c = parse_ok(FULL);
    assert_int_equal(c->socket.kind, MS_MILTERCONF_SOCKET_INET);
    assert_int_equal(c->socket.port, 8891);
    assert_string_equal(c->socket.host, "127.0.0.1");
    assert_string_equal(c->socket.spec, "inet:8891@127.0.0.1");
    assert_string_equal(c->user_id, "mailseal:mailseal");
    assert_string_equal(c->pid_file, "/run/mailseal/milter.pid");
    assert_true(c->mode_sign && c->mode_verify);
    assert_string_equal(c->authserv_id, "mx.example.com");
    assert_null(c->internal_hosts_file);
    assert_int_equal(c->internal_hosts.n, 4);
    assert_true(ms_milterconf_hosts_match(&c->internal_hosts, "192.168.7.7", 11));
    assert_false(ms_milterconf_hosts_match(&c->internal_hosts, "172.16.0.1", 10));
    assert_string_equal(c->key_table, "/etc/mailseal/key.table");
    assert_string_equal(c->signing_table, "/etc/mailseal/signing.table");
    assert_true(c->signing_table_wildcards);
    /* KeyTable refile: (common in OpenDKIM setups) reads as file:; InternalHosts names. */
    ms_milterconf *k = parse_ok("Socket inet:1\nKeyTable refile:/etc/opendkim/KeyTable\n"
                                "InternalHosts localhost, *.example.com 10.0.0.0/8\n");
    assert_string_equal(k->key_table, "/etc/opendkim/KeyTable");
    assert_int_equal(k->internal_hosts.n, 1);
    assert_int_equal(k->internal_hosts.n_names, 2);
    assert_true(ms_milterconf_hosts_match_name(&k->internal_hosts, "mx.example.com", 14));
    ms_milterconf_free(k);
    assert_true(c->multiple_signatures);
    assert_true(c->reject_failures);
    assert_false(c->syslog);
    assert_string_equal(c->store, "postgresql://mailseal@db.example.com/mailseal");
    assert_int_equal(c->nameservers.n, 2);
    assert_string_equal(c->nameservers.items[0], "127.0.0.1@5353");
    assert_string_equal(c->nameservers.items[1], "::1");
    assert_int_equal(c->zone_files.n, 2);
    assert_string_equal(c->zone_files.items[1], "/var/lib/mailseal/other zone.zone");
    assert_int_equal(c->log_level, MS_MILTERCONF_LOG_DEBUG);
    assert_int_equal(c->trusted_authserv_ids.n, 2);
    assert_string_equal(c->trusted_authserv_ids.items[1], "mx2.example.com");
    assert_true(c->ignore_authenticated_clients);
    assert_int_equal(c->history_days, 180);
    assert_int_equal(c->dns_timeout_s, 10);
    assert_int_equal(c->on_dns_timeout, MS_MILTERCONF_ACCEPT);
    assert_int_equal(c->on_internal_error, MS_MILTERCONF_REJECT);
    assert_string_equal(ms_milterconf_action_name(c->on_internal_error), "reject");
    assert_null(c->keys);
    assert_null(c->signing);
    ms_milterconf_free(c);
}

static void test_defaults(void **state)
{
    (void)state;
    ms_milterconf *c = parse_ok("Socket unix:/run/mailseal/milter.sock");
    assert_int_equal(c->socket.kind, MS_MILTERCONF_SOCKET_UNIX);
    assert_string_equal(c->socket.path, "/run/mailseal/milter.sock");
    assert_null(c->user_id);
    assert_null(c->pid_file);
    assert_true(c->mode_sign && c->mode_verify);
    assert_null(c->authserv_id);
    assert_int_equal(c->internal_hosts.n, 2);
    assert_true(ms_milterconf_hosts_match(&c->internal_hosts, "127.0.0.1", 9));
    assert_true(ms_milterconf_hosts_match(&c->internal_hosts, "::1", 3));
    assert_false(ms_milterconf_hosts_match(&c->internal_hosts, "127.0.0.2", 9));
    assert_null(c->key_table);
    assert_null(c->signing_table);
    assert_false(c->multiple_signatures);
    assert_false(c->reject_failures);
    assert_true(c->syslog);
    assert_string_equal(c->store, "sqlite:/var/lib/mailseal/history.db");
    assert_int_equal(c->nameservers.n, 0);
    assert_int_equal(c->zone_files.n, 0);
    assert_int_equal(c->log_level, MS_MILTERCONF_LOG_INFO);
    assert_int_equal(c->trusted_authserv_ids.n, 0);
    assert_false(c->ignore_authenticated_clients);
    assert_int_equal(c->history_days, 30);
    assert_int_equal(c->dns_timeout_s, 5);
    assert_int_equal(c->on_dns_timeout, MS_MILTERCONF_TEMPFAIL);
    assert_int_equal(c->on_internal_error, MS_MILTERCONF_TEMPFAIL);
    /* Without a SigningTable, nothing is signed, and the reason says so. */
    ms_milterconf_sign_keys out;
    ms_milterconf_sign_lookup(c, "a@example.com", 13, &out);
    assert_int_equal(out.n, 0);
    assert_string_equal(out.reason, "no SigningTable configured");
    ms_milterconf_free(c);
}

typedef struct socket_case {
    const char *value;
    ms_milterconf_socket_kind kind;
    unsigned port;
    const char *host, *path;
} socket_case;

static void test_sockets(void **state)
{
    (void)state;
    n_bad = 0;
    const socket_case cases[] = {
        {"inet:8891@localhost", MS_MILTERCONF_SOCKET_INET, 8891, "localhost", NULL},
        {"inet:12345", MS_MILTERCONF_SOCKET_INET, 12345, NULL, NULL},
        {"INET:1@10.0.0.1", MS_MILTERCONF_SOCKET_INET, 1, "10.0.0.1", NULL},
        {"inet:65535@127.0.0.1", MS_MILTERCONF_SOCKET_INET, 65535, "127.0.0.1", NULL},
        {"inet6:8891@::1", MS_MILTERCONF_SOCKET_INET6, 8891, "::1", NULL},
        {"inet6:8891@[2001:db8::1]", MS_MILTERCONF_SOCKET_INET6, 8891, "2001:db8::1", NULL},
        {"unix:/var/spool/postfix/mailseal/milter", MS_MILTERCONF_SOCKET_UNIX, 0, NULL,
         "/var/spool/postfix/mailseal/milter"},
        {"local:/run/m.sock", MS_MILTERCONF_SOCKET_UNIX, 0, NULL, "/run/m.sock"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const socket_case *s = &cases[i];
        char text[256];
        snprintf(text, sizeof(text), "Socket %s\n", s->value);
        ms_milterconf *c = parse_ok(text);
        EXPECT(c->socket.kind == s->kind, "%s: kind got %d, want %d", s->value, (int)c->socket.kind,
               (int)s->kind);
        EXPECT(c->socket.port == s->port, "%s: port got %u, want %u", s->value, c->socket.port,
               s->port);
        EXPECT((c->socket.host == NULL && s->host == NULL) ||
                   (c->socket.host && s->host && strcmp(c->socket.host, s->host) == 0),
               "%s: host got %s, want %s", s->value, c->socket.host ? c->socket.host : "NULL",
               s->host ? s->host : "NULL");
        EXPECT((c->socket.path == NULL && s->path == NULL) ||
                   (c->socket.path && s->path && strcmp(c->socket.path, s->path) == 0),
               "%s: path got %s, want %s", s->value, c->socket.path ? c->socket.path : "NULL",
               s->path ? s->path : "NULL");
        EXPECT(strcmp(c->socket.spec, s->value) == 0, "%s: spec got %s", s->value, c->socket.spec);
        ms_milterconf_free(c);
    }
    assert_int_equal(n_bad, 0);
}

typedef struct bad_case {
    const char *name, *text;
    ms_status want;
    unsigned line;
    const char *reason_part;
} bad_case;

#define S "Socket inet:8891@127.0.0.1\n"

static const bad_case BAD[] = {
    {"missing Socket", "# only a comment\nMode v\n", MS_ESYNTAX, 0, "Socket is required"},
    {"empty file", "", MS_ESYNTAX, 0, "Socket is required"},
    {"unknown key", S "# c\n\nSokcet inet:1@127.0.0.1\n", MS_ESYNTAX, 4, "unknown key"},
    {"opendkim key we lack", S "SignatureAlgorithm rsa-sha256\n", MS_ESYNTAX, 2, "unknown key"},
    {"key without value", S "Mode\n", MS_ESYNTAX, 2, "without a value"},
    {"key given twice", S "Mode v\nMODE s\n", MS_ESYNTAX, 3, "given twice"},
    {"Socket twice", S "\n" S, MS_ESYNTAX, 3, "given twice"},
    {"socket no prefix", "Socket 8891@127.0.0.1\n", MS_ESYNTAX, 1, "want inet:"},
    {"socket port 0", "Socket inet:0@127.0.0.1\n", MS_ESYNTAX, 1, "port"},
    {"socket port 65536", "Socket inet:65536@127.0.0.1\n", MS_ESYNTAX, 1, "port"},
    {"socket port letters", "Socket inet:smtp@127.0.0.1\n", MS_ESYNTAX, 1, "port"},
    {"socket empty host", "Socket inet:8891@\n", MS_ESYNTAX, 1, "host"},
    {"socket bad host", "Socket inet:8891@exa_mple!\n", MS_ESYNTAX, 1, "host name"},
    {"socket inet6 v4 host", "Socket inet6:8891@127.0.0.1\n", MS_ESYNTAX, 1, "IPv6"},
    {"socket relative unix", "Socket unix:milter.sock\n", MS_ESYNTAX, 1, "absolute"},
    {"socket long unix",
     "Socket unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     MS_ESYNTAX, 1, "107"},
    {"socket with space", "Socket inet:8891@127.0.0.1 extra\n", MS_ESYNTAX, 1, "one word"},
    {"bad boolean", S "RejectFailures maybe\n", MS_ESYNTAX, 2, "boolean"},
    {"bad mode", S "Mode vv\n", MS_ESYNTAX, 2, "v, s or sv"},
    {"bad mode letter", S "Mode sx\n", MS_ESYNTAX, 2, "v, s or sv"},
    {"bad log level", S "LogLevel loud\n", MS_ESYNTAX, 2, "debug"},
    {"history too long", S "HistoryDays 36501\n", MS_ESYNTAX, 2, "0..36500"},
    {"history negative", S "HistoryDays -1\n", MS_ESYNTAX, 2, "0..36500"},
    {"dns timeout 0", S "DNSTimeout 0\n", MS_ESYNTAX, 2, "1..300"},
    {"dns timeout huge", S "DNSTimeout 99999999999999999999\n", MS_ESYNTAX, 2, "1..300"},
    {"temporary failure reject", S "TemporaryFailure reject\n", MS_ESYNTAX, 2,
     "tempfail or accept"},
    {"internal error discard", S "On-InternalError discard\n", MS_ESYNTAX, 2, "accept, tempfail"},
    {"bad store", S "Store mysql://x\n", MS_ESYNTAX, 2, "sqlite:PATH"},
    {"empty sqlite", S "Store sqlite:\n", MS_ESYNTAX, 2, "path"},
    {"bad nameserver", S "Nameservers 127.0.0.1, resolver.example\n", MS_ESYNTAX, 2,
     "resolver address"},
    {"bad nameserver port", S "Nameservers 127.0.0.1@0\n", MS_ESYNTAX, 2, "port"},
    {"empty list", S "TrustedAuthservIDs ,,, \n", MS_ESYNTAX, 2, "empty list"},
    {"bad internal host", S "InternalHosts 10.0.0.0/8, !192.168.1.1\n", MS_ESYNTAX, 2,
     "exclusions"},
    {"bad cidr", S "InternalHosts 10.0.0.0/40\n", MS_ESYNTAX, 2, "0..32"},
    {"db keytable", S "KeyTable db:/etc/k.db\n", MS_ESYNTAX, 2, "file: and refile:"},
    {"relative table", S "SigningTable signing.table\n", MS_ESYNTAX, 2, "absolute path"},
    {"relative pid file", S "PidFile milter.pid\n", MS_ESYNTAX, 2, "absolute path"},
    {"bad user", S "UserID :mail\n", MS_ESYNTAX, 2, "USER:GROUP"},
    {"bad authserv-id", S "AuthservID mx;example\n", MS_ESYNTAX, 2, "RFC 8601"},
    {"NUL byte", S "Mode v\0\n", MS_ESYNTAX, 2, "NUL"},
    {"too many list items",
     S "TrustedAuthservIDs a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i "
       "j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n\n",
     MS_ELIMIT, 2, "MS_LIMIT_MILTERCONF_LIST"},
};

static void test_bad(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        const bad_case *c = &BAD[i];
        size_t len = strlen(c->text);
        if (strcmp(c->name, "NUL byte") == 0) {
            len += 2; /* the NUL and the line end after it */
        }
        char *text = exact(c->text, len);
        ms_milterconf *conf = NULL;
        ms_milterconf_error err;
        ms_status st = ms_milterconf_parse(text, len, &conf, &err);
        free(text);
        EXPECT(st == c->want, "%s: got %s, want %s", c->name, ms_status_name(st),
               ms_status_name(c->want));
        EXPECT(conf == NULL, "%s: a config for bad input", c->name);
        if (st != MS_OK) {
            EXPECT(err.line == c->line, "%s: line got %u, want %u", c->name, err.line, c->line);
            EXPECT(err.reason != NULL && strstr(err.reason, c->reason_part) != NULL,
                   "%s: reason got \"%s\", want it to hold \"%s\"", c->name, err.reason,
                   c->reason_part);
            EXPECT(strcmp(err.file, "config") == 0, "%s: file got %s", c->name, err.file);
        }
        ms_milterconf_free(conf);
    }
    assert_int_equal(n_bad, 0);
}

/* Keys of opendkim.conf / opendmarc.conf: accepted with a warning naming the line and what
 * to use instead, or (Domain, KeyFile, Selector) an error with a hint; unknown keys stay
 * errors. */
static void test_foreign_keys(void **state)
{
    (void)state;
    n_bad = 0;
    ms_milterconf *c = parse_ok(S "SyslogSuccess yes\n"
                                  "LogWhy yes\n"
                                  "autorestart   Yes\n"
                                  "AutoRestartRate 10/1h\n"
                                  "Background no\n"
                                  "SoftwareHeader yes\n"
                                  "OversignHeaders From\n"
                                  "RequireSafeKeys false\n"
                                  "HistoryFile /run/opendmarc/opendmarc.dat\n"
                                  "PublicSuffixList /usr/share/publicsuffix\n"
                                  "FailureReportsBcc dmarc-copies@example.com\n"
                                  "CopyFailuresTo postmaster@example.com\n"
                                  "ReportCommand /usr/sbin/sendmail -t\n"
                                  "IgnoreHosts /etc/opendmarc/ignore.hosts\n"
                                  "LogWhy no\n");
    struct {
        size_t i;
        const char *want;
    } want[] = {
        {0, "line 2: SyslogSuccess (OpenDKIM) has no effect in mailseal-milter: every message "
            "gets one log line at LogLevel info"},
        {2, "line 4: AutoRestart (OpenDKIM, OpenDMARC) has no effect in mailseal-milter: "
            "restarts belong to the service manager (systemd Restart=)"},
        {8, "line 10: HistoryFile (OpenDMARC) has no effect in mailseal-milter: history rows go "
            "to Store (sqlite:PATH or postgresql://...)"},
        {13, "line 15: IgnoreHosts (OpenDMARC) has no effect in mailseal-milter: not supported: "
             "mail from those hosts is checked like any other"},
    };
    EXPECT(c->warnings.n == 15, "warnings: got %zu, want 15 (one per line, repeats too)",
           c->warnings.n);
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]) && c->warnings.n == 15; k++) {
        EXPECT(strcmp(c->warnings.items[want[k].i], want[k].want) == 0,
               "warning %zu: got \"%s\", want \"%s\"", want[k].i, c->warnings.items[want[k].i],
               want[k].want);
    }
    ms_milterconf_free(c);

    c = parse_ok(S);
    EXPECT(c->warnings.n == 0, "no foreign key: got %zu warnings", c->warnings.n);
    ms_milterconf_free(c);

    struct {
        const char *name, *text;
        unsigned line;
        const char *reason_part, *detail_part;
    } bad[] = {
        {"Domain", S "Domain example.com\n", 2, "OpenDKIM/OpenDMARC", "KeyTable and SigningTable"},
        {"KeyFile", S "\nKeyFile /etc/dkim.key\n", 3, "not supported", "KeyTable line"},
        {"Selector", "Selector s\n" S, 1, "not supported", "KeyTable line"},
        {"SubDomains", S "SubDomains yes\n", 2, "not supported", "*@*.example.com"},
        {"unknown", S "SyslogSucces yes\n", 2, "unknown key", "SyslogSucces"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ms_milterconf *conf = NULL;
        ms_milterconf_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_milterconf_parse(bad[i].text, strlen(bad[i].text), &conf, &err);
        EXPECT(st == MS_ESYNTAX && conf == NULL, "%s: got %s, want MS_ESYNTAX", bad[i].name,
               ms_status_name(st));
        EXPECT(err.line == bad[i].line, "%s: line got %u, want %u", bad[i].name, err.line,
               bad[i].line);
        EXPECT(err.reason != NULL && strstr(err.reason, bad[i].reason_part) != NULL,
               "%s: reason got \"%s\", want it to hold \"%s\"", bad[i].name, err.reason,
               bad[i].reason_part);
        EXPECT(strstr(err.detail, bad[i].detail_part) != NULL,
               "%s: detail got \"%s\", want it to hold \"%s\"", bad[i].name, err.detail,
               bad[i].detail_part);
        ms_milterconf_free(conf);
    }
    assert_int_equal(n_bad, 0);
}

/* The configs Debian ships (/etc/opendkim.conf, /etc/opendmarc.conf, bookworm) read as they
 * are: every key either means the same here or is a warning. */
static void test_debian_configs(void **state)
{
    (void)state;
    n_bad = 0;
    ms_milterconf *c = parse_ok("Syslog\t\t\tyes\n"
                                "SyslogSuccess\t\tyes\n"
                                "Canonicalization\trelaxed/simple\n"
                                "OversignHeaders\t\tFrom\n"
                                "UserID\t\t\topendkim\n"
                                "UMask\t\t\t007\n"
                                "Socket\t\t\tlocal:/run/opendkim/opendkim.sock\n"
                                "PidFile\t\t\t/run/opendkim/opendkim.pid\n"
                                "TrustAnchorFile\t\t/usr/share/dns/root.key\n");
    EXPECT(c->warnings.n == 3, "opendkim.conf: got %zu warnings, want 3", c->warnings.n);
    EXPECT(c->has_umask && c->umask == 07, "opendkim.conf: UMask got %o", c->umask);
    EXPECT(c->canon_header == MS_DKIM_CANON_RELAXED && c->canon_body == MS_DKIM_CANON_SIMPLE,
           "opendkim.conf: got c=%s/%s", ms_dkim_canon_name(c->canon_header),
           ms_dkim_canon_name(c->canon_body));
    ms_milterconf_free(c);
    c = parse_ok("PidFile /run/opendmarc/opendmarc.pid\n"
                 "PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat\n"
                 "Socket local:/run/opendmarc/opendmarc.sock\n"
                 "Syslog true\n"
                 "UMask 0002\n"
                 "UserID opendmarc\n");
    EXPECT(c->warnings.n == 1 && strstr(c->warnings.items[0], "line 2: PublicSuffixList") != NULL,
           "opendmarc.conf: got %zu warnings", c->warnings.n);
    EXPECT(c->has_umask && c->umask == 02, "opendmarc.conf: UMask got %o", c->umask);
    ms_milterconf_free(c);
    assert_int_equal(n_bad, 0);
}

/* UMask (octal) and Canonicalization (RFC 6376 §3.5 c=), OpenDKIM's keys with their meaning. */
static void test_umask_canon(void **state)
{
    (void)state;
    n_bad = 0;
    ms_milterconf *c = parse_ok(S);
    EXPECT(!c->has_umask, "default: got a UMask %o", c->umask);
    EXPECT(c->canon_header == MS_DKIM_CANON_RELAXED && c->canon_body == MS_DKIM_CANON_RELAXED,
           "default: got c=%s/%s, want relaxed/relaxed", ms_dkim_canon_name(c->canon_header),
           ms_dkim_canon_name(c->canon_body));
    ms_milterconf_free(c);
    struct {
        const char *value;
        bool ok;
        unsigned mask;
    } masks[] = {
        {"007", true, 07},    {"0002", true, 02}, {"0", true, 0},     {"777", true, 0777},
        {"0777", true, 0777}, {"8", false, 0},    {"1000", false, 0}, {"07777", false, 0},
        {"-1", false, 0},     {"0x7", false, 0},
    };
    for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
        char text[128];
        snprintf(text, sizeof(text), S "UMask %s\n", masks[i].value);
        ms_milterconf_error err;
        ms_status st = ms_milterconf_parse(text, strlen(text), &c, &err);
        EXPECT((st == MS_OK) == masks[i].ok, "UMask %s: got %s", masks[i].value,
               ms_status_name(st));
        if (st == MS_OK) {
            EXPECT(c->has_umask && c->umask == masks[i].mask, "UMask %s: got %o, want %o",
                   masks[i].value, c->umask, masks[i].mask);
            ms_milterconf_free(c);
        } else {
            EXPECT(err.line == 2, "UMask %s: line got %u, want 2", masks[i].value, err.line);
        }
    }
    struct {
        const char *value;
        bool ok;
        ms_dkim_canon h, b;
    } canons[] = {
        {"relaxed/relaxed", true, MS_DKIM_CANON_RELAXED, MS_DKIM_CANON_RELAXED},
        {"simple/simple", true, MS_DKIM_CANON_SIMPLE, MS_DKIM_CANON_SIMPLE},
        {"Relaxed/Simple", true, MS_DKIM_CANON_RELAXED, MS_DKIM_CANON_SIMPLE},
        {"relaxed", true, MS_DKIM_CANON_RELAXED, MS_DKIM_CANON_SIMPLE},
        {"simple", true, MS_DKIM_CANON_SIMPLE, MS_DKIM_CANON_SIMPLE},
        {"relaxed/", false, 0, 0},
        {"/relaxed", false, 0, 0},
        {"nofws", false, 0, 0},
        {"relaxed/relaxed/simple", false, 0, 0},
    };
    for (size_t i = 0; i < sizeof(canons) / sizeof(canons[0]); i++) {
        char text[128];
        snprintf(text, sizeof(text), S "Canonicalization %s\n", canons[i].value);
        ms_milterconf_error err;
        ms_status st = ms_milterconf_parse(text, strlen(text), &c, &err);
        EXPECT((st == MS_OK) == canons[i].ok, "Canonicalization %s: got %s", canons[i].value,
               ms_status_name(st));
        if (st == MS_OK) {
            EXPECT(c->canon_header == canons[i].h && c->canon_body == canons[i].b,
                   "Canonicalization %s: got %s/%s", canons[i].value,
                   ms_dkim_canon_name(c->canon_header), ms_dkim_canon_name(c->canon_body));
            ms_milterconf_free(c);
        } else {
            EXPECT(err.line == 2 && err.reason != NULL && strstr(err.reason, "§3.5") != NULL,
                   "Canonicalization %s: line %u reason %s", canons[i].value, err.line,
                   err.reason ? err.reason : "(none)");
        }
    }
    assert_int_equal(n_bad, 0);
}

static void test_error_format(void **state)
{
    (void)state;
    const char text[] = S "\nSokcet inet:1\n";
    ms_milterconf *c = NULL;
    ms_milterconf_error err;
    assert_int_equal(ms_milterconf_parse(text, sizeof(text) - 1, &c, &err), MS_ESYNTAX);
    char msg[256];
    ms_milterconf_error_format(&err, msg, sizeof(msg));
    assert_string_equal(msg, "config:3: unknown key (Sokcet)");
    assert_int_equal(ms_milterconf_parse("Mode v", 6, &c, &err), MS_ESYNTAX);
    ms_milterconf_error_format(&err, msg, sizeof(msg));
    assert_string_equal(msg, "config: Socket is required (it has no default)");
}

/* A 1 MiB line, and a config of 100,000 lines: bounded, an error naming the line. */
static void test_huge(void **state)
{
    (void)state;
    size_t len = 1024u * 1024u;
    char *text = malloc(len);
    assert_non_null(text);
    memcpy(text, S "AuthservID ", 38);
    memset(text + 38, 'x', len - 38);
    ms_milterconf *c = NULL;
    ms_milterconf_error err;
    assert_int_equal(ms_milterconf_parse(text, len, &c, &err), MS_ESYNTAX);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.reason, "longer than"));
    free(text);
    size_t lines = 100000, size = lines * 20, used = 0;
    text = malloc(size);
    assert_non_null(text);
    used += (size_t)snprintf(text, size, S);
    for (size_t i = 0; i < lines; i++) {
        used += (size_t)snprintf(text + used, size - used, "ZoneFile /z/%zu\n", i);
    }
    assert_int_equal(ms_milterconf_parse(text, used, &c, &err), MS_ELIMIT);
    assert_int_equal(err.line, MS_LIMIT_MILTERCONF_LIST + 2);
    /* 100,000 comment lines are fine: nothing is kept. */
    used = (size_t)snprintf(text, size, S);
    for (size_t i = 0; i < lines; i++) {
        used += (size_t)snprintf(text + used, size - used, "# comment %zu\n", i);
    }
    assert_int_equal(ms_milterconf_parse(text, used, &c, &err), MS_OK);
    ms_milterconf_free(c);
    free(text);
}

/* ---- loading files -------------------------------------------------------------------------- */

static char dir[256];

static void write_file(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static int setup_dir(void **state)
{
    (void)state;
    return ms_test_tmpdir("ms-milterconf", dir, sizeof(dir)) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    const char *names[] = {"hosts", "key.table", "signing.table", "milter.conf", "bad.table"};
    char path[512];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    return rmdir(dir);
}

static void key_paths(char *rsa, char *ed, char *readme, size_t size)
{
    const char *src = getenv("MS_SOURCE_DIR");
    src = src ? src : ".";
    snprintf(rsa, size, "%s/tests/cli/keys/rsa2048.private", src);
    snprintf(ed, size, "%s/tests/cli/keys/ed.private", src);
    snprintf(readme, size, "%s/tests/cli/keys/README", src);
}

static void test_load(void **state)
{
    (void)state;
    char rsa[1024], ed[1024], readme[1024], hosts[512], kt[512], st[512], conf[512];
    key_paths(rsa, ed, readme, sizeof(rsa));
    write_file("hosts", "# internal networks\n127.0.0.1\n::1\n192.0.2.0/24\n\n2001:db8::/32\n",
               hosts, sizeof(hosts));
    char text[4096];
    snprintf(text, sizeof(text),
             "rsa   example.com:sel-rsa:%s\n"
             "ed    example.com:sel-ed:%s\n"
             "other other.example:s1:%s\n",
             rsa, ed, rsa);
    write_file("key.table", text, kt, sizeof(kt));
    write_file("signing.table",
               "*@example.com    rsa\n*@example.com    ed\n*@*.other.example other\n", st,
               sizeof(st));
    snprintf(text, sizeof(text),
             "Socket inet:8891@127.0.0.1\nInternalHosts refile:%s\nKeyTable %s\n"
             "SigningTable refile:%s\nMultipleSignatures yes\n",
             hosts, kt, st);
    write_file("milter.conf", text, conf, sizeof(conf));

    ms_milterconf *c = NULL;
    ms_milterconf_error err;
    ms_status s = ms_milterconf_load(conf, &c, &err);
    if (s != MS_OK) {
        char msg[512];
        ms_milterconf_error_format(&err, msg, sizeof(msg));
        print_error("load: %s\n", msg);
    }
    assert_int_equal(s, MS_OK);
    assert_int_equal(c->internal_hosts.n, 4);
    assert_true(ms_milterconf_hosts_match(&c->internal_hosts, "192.0.2.200", 11));
    assert_true(ms_milterconf_hosts_match(&c->internal_hosts, "2001:db8:1::1", 13));
    assert_false(ms_milterconf_hosts_match(&c->internal_hosts, "198.51.100.1", 12));
    ms_milterconf_sign_keys out;
    ms_milterconf_sign_lookup(c, "alice@example.com", 17, &out);
    assert_int_equal(out.n, 2);
    assert_string_equal(out.keys[0]->selector, "sel-rsa");
    assert_string_equal(out.keys[1]->selector, "sel-ed");
    assert_non_null(out.keys[0]->signer);
    assert_non_null(out.keys[1]->signer);
    ms_milterconf_sign_lookup(c, "bob@mail.other.example", 22, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.keys[0]->domain, "other.example");
    ms_milterconf_sign_lookup(c, "bob@other.example", 17, &out);
    assert_int_equal(out.n, 0);
    assert_string_equal(out.reason, "no SigningTable match for <bob@other.example>");
    ms_milterconf_free(c);

    /* Mode v: signing is off, whatever the tables say. */
    char text2[4200];
    snprintf(text2, sizeof(text2), "%sMode v\n", text);
    write_file("milter.conf", text2, conf, sizeof(conf));
    assert_int_equal(ms_milterconf_load(conf, &c, &err), MS_OK);
    ms_milterconf_sign_lookup(c, "alice@example.com", 17, &out);
    assert_int_equal(out.n, 0);
    assert_string_equal(out.reason, "signing is off (Mode v)");
    ms_milterconf_free(c);
}

typedef struct load_bad_case {
    const char *name;
    const char *keytable; /* %s: a key path */
    const char *signing;  /* NULL: no SigningTable */
    const char *hosts;    /* NULL: inline default */
    bool no_keytable;
    ms_status want;
    const char *file_part; /* err.file holds it */
    unsigned line;
    const char *reason_part;
} load_bad_case;

static void test_load_bad(void **state)
{
    (void)state;
    n_bad = 0;
    char rsa[1024], ed[1024], readme[1024];
    key_paths(rsa, ed, readme, sizeof(rsa));
    const load_bad_case cases[] = {
        {"key not a key", "good example.com:s:RSA\nbad example.com:t:README\n", "x.test good\n",
         NULL, false, MS_ESYNTAX, "key.table", 2, "private key"},
        {"key missing", "good example.com:s:MISSING\n", "x.test good\n", NULL, false, MS_EIO,
         "key.table", 1, "not found"},
        {"unknown key name", "good example.com:s:RSA\n", "\n# x\nx.test nope\n", NULL, false,
         MS_ESYNTAX, "signing.table", 3, "not in the KeyTable"},
        {"bad hosts file", "good example.com:s:RSA\n", NULL, "10.0.0.0/8\n\nfe80::/200\n", false,
         MS_ESYNTAX, "hosts", 3, "0..128"},
        {"signing without keys", NULL, "x.test good\n", NULL, true, MS_ESYNTAX, "milter.conf", 0,
         "without a KeyTable"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const load_bad_case *c = &cases[i];
        char kt[512] = "", stp[512] = "", hp[512] = "", conf[512], text[4096], kt_text[4096];
        size_t o = 0;
        /* Replace RSA / README / MISSING with real paths. */
        for (const char *p = c->keytable; p != NULL && *p != '\0' && o + 1100 < sizeof(kt_text);) {
            if (strncmp(p, "RSA", 3) == 0) {
                o += (size_t)snprintf(kt_text + o, sizeof(kt_text) - o, "%s", rsa);
                p += 3;
            } else if (strncmp(p, "README", 6) == 0) {
                o += (size_t)snprintf(kt_text + o, sizeof(kt_text) - o, "%s", readme);
                p += 6;
            } else if (strncmp(p, "MISSING", 7) == 0) {
                o += (size_t)snprintf(kt_text + o, sizeof(kt_text) - o, "%s/none", dir);
                p += 7;
            } else {
                kt_text[o++] = *p++;
            }
        }
        kt_text[o] = '\0';
        size_t t = (size_t)snprintf(text, sizeof(text), "Socket unix:/run/m.sock\n");
        if (!c->no_keytable) {
            write_file("key.table", kt_text, kt, sizeof(kt));
            t += (size_t)snprintf(text + t, sizeof(text) - t, "KeyTable %s\n", kt);
        }
        if (c->signing != NULL) {
            write_file("signing.table", c->signing, stp, sizeof(stp));
            t += (size_t)snprintf(text + t, sizeof(text) - t, "SigningTable %s\n", stp);
        }
        if (c->hosts != NULL) {
            write_file("hosts", c->hosts, hp, sizeof(hp));
            t += (size_t)snprintf(text + t, sizeof(text) - t, "InternalHosts file:%s\n", hp);
        }
        write_file("milter.conf", text, conf, sizeof(conf));
        ms_milterconf *mc = NULL;
        ms_milterconf_error err;
        ms_status st = ms_milterconf_load(conf, &mc, &err);
        EXPECT(st == c->want, "%s: got %s, want %s", c->name, ms_status_name(st),
               ms_status_name(c->want));
        EXPECT(mc == NULL, "%s: a config for a bad load", c->name);
        if (st != MS_OK) {
            EXPECT(strstr(err.file, c->file_part) != NULL, "%s: file got %s, want %s", c->name,
                   err.file, c->file_part);
            EXPECT(err.line == c->line, "%s: line got %u, want %u", c->name, err.line, c->line);
            EXPECT(err.reason != NULL && strstr(err.reason, c->reason_part) != NULL,
                   "%s: reason got \"%s\", want it to hold \"%s\"", c->name, err.reason,
                   c->reason_part);
        }
        ms_milterconf_free(mc);
    }
    /* The config file itself missing. */
    ms_milterconf *mc = NULL;
    ms_milterconf_error err;
    char missing[512];
    snprintf(missing, sizeof(missing), "%s/no.conf", dir);
    EXPECT(ms_milterconf_load(missing, &mc, &err) == MS_EIO, "missing config: want MS_EIO");
    EXPECT(strstr(err.file, "no.conf") != NULL, "missing config: file got %s", err.file);
    /* A parse error names the config file, not "config". */
    write_file("milter.conf", "Socket unix:/m\nBogus 1\n", missing, sizeof(missing));
    EXPECT(ms_milterconf_load(missing, &mc, &err) == MS_ESYNTAX, "bogus: want MS_ESYNTAX");
    EXPECT(strstr(err.file, "milter.conf") != NULL && err.line == 2,
           "bogus: got %s:%u, want milter.conf:2", err.file, err.line);
    assert_int_equal(n_bad, 0);
}

/* The failure report keys (OpenDMARC's names, and the two rate limits). */
static void test_failure_report_keys(void **state)
{
    (void)state;
    n_bad = 0;
    ms_milterconf *c = parse_ok(S);
    EXPECT(!c->failure_reports && !c->failure_reports_on_none &&
               c->failure_reports_sent_by == NULL && c->failure_reports_per_domain == 10 &&
               c->failure_reports_per_hour == 500,
           "defaults: got %d %d %s %u %u", c->failure_reports, c->failure_reports_on_none,
           c->failure_reports_sent_by ? c->failure_reports_sent_by : "(null)",
           c->failure_reports_per_domain, c->failure_reports_per_hour);
    ms_milterconf_free(c);
    c = parse_ok(S "FailureReports yes\nFailureReportsSentBy dmarc@mx.example\n"
                   "FailureReportsOnNone true\nFailureReportsRateLimit 3\n"
                   "FailureReportsMaxPerHour 40\n");
    EXPECT(c->failure_reports && c->failure_reports_on_none && c->failure_reports_sent_by &&
               strcmp(c->failure_reports_sent_by, "dmarc@mx.example") == 0 &&
               c->failure_reports_per_domain == 3 && c->failure_reports_per_hour == 40 &&
               c->warnings.n == 0,
           "set: got %d %d %s %u %u, %zu warnings", c->failure_reports, c->failure_reports_on_none,
           c->failure_reports_sent_by ? c->failure_reports_sent_by : "(null)",
           c->failure_reports_per_domain, c->failure_reports_per_hour, c->warnings.n);
    ms_milterconf_free(c);
    static const char *const BAD_KEYS[] = {
        S "FailureReports maybe\n",       S "FailureReportsSentBy nobody\n",
        S "FailureReportsSentBy a@b@c\n", S "FailureReportsSentBy @mx.example\n",
        S "FailureReportsRateLimit 0\n",  S "FailureReportsMaxPerHour 99999999999\n",
    };
    for (size_t i = 0; i < sizeof BAD_KEYS / sizeof BAD_KEYS[0]; i++) {
        ms_milterconf *conf = NULL;
        ms_milterconf_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_milterconf_parse(BAD_KEYS[i], strlen(BAD_KEYS[i]), &conf, &err);
        EXPECT(st == MS_ESYNTAX && conf == NULL && err.line == 2, "%s: got %s line %u", BAD_KEYS[i],
               ms_status_name(st), err.line);
        ms_milterconf_free(conf);
    }
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key),    cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_sockets),      cmocka_unit_test(test_bad),
        cmocka_unit_test(test_error_format), cmocka_unit_test(test_huge),
        cmocka_unit_test(test_load),         cmocka_unit_test(test_load_bad),
        cmocka_unit_test(test_foreign_keys), cmocka_unit_test(test_failure_report_keys),
        cmocka_unit_test(test_umask_canon),  cmocka_unit_test(test_debian_configs),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
