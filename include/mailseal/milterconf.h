/* SPDX-License-Identifier: MIT */
/* The configuration of mailseal-milter (issue 6 §2): a `Key value` file in the format of
 * opendkim.conf(5) and opendmarc.conf(5), the KeyTable and SigningTable of OpenDKIM, and the
 * InternalHosts list. Library code: the daemon is a thin program on top of it.
 *
 * File format (as opendkim.conf): one `Key value` per line; the key is separated from its value
 * by spaces or tabs and matched without regard to case; the value runs to the end of the line
 * (inner spaces kept, outer ones dropped). A '#' at the start of a line or after a space or tab
 * starts a comment to the end of the line; blank lines are ignored; CRLF is read as LF.
 * Booleans are yes/no, true/false, on/off, 1/0 (any case). Lists are separated by commas and/or
 * white space. An unknown key, a bad value, a key given twice (but ZoneFile, which repeats), a
 * NUL byte or a line over MS_LIMIT_MILTERCONF_LINE bytes is an error naming the line. Every key
 * but Socket has a default:
 *
 *   Socket        inet:PORT@HOST, inet:PORT, inet6:PORT@HOST, unix:PATH, local:PATH (required)
 *   UserID        USER or USER:GROUP to run as          [unset: keep the starting user]
 *   PidFile       path                                  [unset: no pid file]
 *   Mode          v (verify), s (sign) or sv            [sv; without a SigningTable: verify only]
 *   AuthservID    authserv-id of Authentication-Results [unset: the host name]
 *   InternalHosts inline list of IPs/CIDRs/host names, or a file of one per line given as
 *                 file:PATH, refile:PATH or an absolute PATH  [127.0.0.1, ::1]
 *   KeyTable      file:PATH, refile:PATH (read as file:) or PATH (OpenDKIM format) [unset]
 *   SigningTable  file:PATH, refile:PATH or PATH        [unset: nothing is signed]
 *   MultipleSignatures  yes: sign with every matching SigningTable line (dual RSA + Ed25519
 *                 signing); no: only the first, as OpenDKIM does by default      [no]
 *   RejectFailures      yes: enforce DMARC p=reject / p=quarantine; no: only mark [no]
 *   Syslog        yes: log to syslog; no: to stderr     [yes]
 *   Store         history store URI: sqlite:PATH, postgresql://... or postgres://...
 *                                                       [sqlite:/var/lib/mailseal/history.db]
 *   Nameservers   list of resolver addresses (IP or IP@PORT) [unset: the system's resolver]
 *   ZoneFile      an offline zone file, as the CLI's --zone; repeatable [none]
 *   LogLevel      error, warning, notice, info or debug [info]
 *   TrustedAuthservIDs  list of authserv-ids whose upstream Authentication-Results are believed
 *                                                       [none]
 *   IgnoreAuthenticatedClients  yes: no checks for SMTP-AUTH clients (OpenDMARC) [no]
 *   HistoryDays   days history rows are kept, 0: forever, at most 36500 [30]
 *   DNSTimeout    seconds for one DNS query, 1..300 (OpenDKIM's name) [5]
 *   TemporaryFailure   what a DNS timeout does: tempfail (4xx) or accept (temperror marked)
 *                                                       [tempfail]
 *   On-InternalError   what an internal error does (OpenDKIM's name): accept, tempfail or
 *                 reject                                [tempfail: the MTA retries, no mail lost]
 *   UMask         octal file mode mask for the files the daemon creates, the unix socket
 *                 included (OpenDKIM's meaning)         [unset: the inherited umask]
 *   Canonicalization  c= of the signatures made: header/body, each simple or relaxed; one
 *                 name alone is the header's, the body's then simple (RFC 6376 §3.5, as
 *                 OpenDKIM)                             [relaxed/relaxed]
 *   FailureReports  yes: queue the failure reports a failing message's ruf= and fo= ask for
 *                 (RFC 9991) in Store, for `mailseal report send` (OpenDMARC's name) [no]
 *   FailureReportsSentBy  their From address          [dmarc-noreply@AuthservID]
 *   FailureReportsOnNone  yes: also for domains whose policy is p=none (OpenDMARC) [no]
 *   FailureReportsRateLimit  reports queued per policy domain per hour, 1..100000 [10]
 *   FailureReportsMaxPerHour reports queued per hour in all, 1..10000000  [500]
 *
 * Keys of opendkim.conf(5) and opendmarc.conf(5) that only tune OpenDKIM's or OpenDMARC's
 * internals, logging or features mailseal does otherwise (SyslogSuccess, LogWhy, AutoRestart,
 * Background, SoftwareHeader, OversignHeaders, HistoryFile, PublicSuffixList,
 * IgnoreHosts, ...) are accepted with a warning (ms_milterconf.warnings) naming the line and
 * saying what to use instead; a few whose meaning mailseal does not have (Domain, KeyFile,
 * Selector: use KeyTable and SigningTable) are errors with that hint. The list, with the reason
 * for each, is one table in lib/milterconf/milterconf.c.
 *
 * KeyTable lines: `NAME DOMAIN:SELECTOR:/PATH/TO/PRIVATE.KEY` (OpenDKIM; inline key data and
 * the "%" domain are not supported). Every key is read and parsed as an RSA or Ed25519 signing
 * key when the tables are loaded; an error names the table file and line.
 *
 * SigningTable lines: `PATTERN KEYNAME`. In a plain table (file:/PATH) a pattern is a whole
 * address (user@example.com) or a domain (example.com): the From address matches a line equal
 * to the address, then a line equal to its domain. In a refile: table a pattern may hold '*'
 * (any run of characters, empty included) and is matched against the address and against its
 * domain: `*@example.com` is every address at example.com, `*.example.com` every subdomain
 * (but not example.com itself), `*` everything. Matching ignores case.
 * Which lines sign (OpenDKIM's MultipleSignatures): with MultipleSignatures no, the first
 * matching line (in the order above: address lines, then domain lines; in a refile table, file
 * order); with yes, every matching line in that order, each key once, at most
 * MS_LIMIT_MILTERCONF_SIGN_KEYS: two lines `example.com rsa` and `example.com ed` then sign with
 * both keys (RSA + Ed25519). */
#ifndef MAILSEAL_MILTERCONF_H
#define MAILSEAL_MILTERCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/dkim.h"
#include "mailseal/status.h"

/* Why a config or a table was refused: the file ("config" for text given directly), the
 * 1-based line (0: the file as a whole), a static reason and the offending value. */
typedef struct ms_milterconf_error {
    char file[256]; /* cut to fit */
    unsigned line;
    const char *reason; /* static text */
    char detail[128];   /* escaped (printable ASCII), cut to fit */
} ms_milterconf_error;

/* "config:12: unknown key (Sokcet)" into buf (always NUL-terminated when size > 0). */
MS_API void ms_milterconf_error_format(const ms_milterconf_error *err, char *buf, size_t size);

/* ---- InternalHosts ---------------------------------------------------------------------- */

typedef struct ms_milterconf_cidr {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* network byte order, host bits cleared */
    unsigned bits;    /* prefix length: 0..32 or 0..128 */
} ms_milterconf_cidr;

typedef struct ms_milterconf_hosts {
    const ms_milterconf_cidr *cidrs;
    size_t n;
    const char *const *names; /* host name entries, lower case: "mx.example.com", "*.example.com" */
    size_t n_names;
} ms_milterconf_hosts;

/* A list of IPv4/IPv6 addresses and CIDRs (a.b.c.d, a.b.c.d/n, x:y::z, x:y::z/n) and host names
 * (localhost, mx.example.com, *.example.com or .example.com for every name below example.com,
 * as OpenDKIM's peer lists hold them), separated by commas, white space or line ends, with '#'
 * comments (a file of one entry per line is the same text). An entry with a letter in it (or a
 * leading '*' or '.') is a host name; anything else must be an address. OpenDKIM's '!'
 * exclusions are refused. At most MS_LIMIT_MILTERCONF_HOSTS entries. Lives in arena. file names the
 * source in errors (NULL: "config"). */
MS_API MS_MUST_CHECK ms_status ms_milterconf_hosts_parse(const char *text, size_t len,
                                                         const char *file, ms_arena *arena,
                                                         ms_milterconf_hosts *out,
                                                         ms_milterconf_error *err);
/* Is the address (IPv4 or IPv6 text, by length) inside one of the CIDRs? An IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) is matched as the IPv4 address. false for text that is no address. */
MS_API bool ms_milterconf_hosts_match(const ms_milterconf_hosts *hosts, const char *ip, size_t len);
/* Does the client's host name (by length; a trailing '.' ignored) match a host name entry,
 * ignoring case? Pass only a name the MTA has verified (forward-confirmed reverse DNS), never
 * the HELO name: anyone can claim any name. */
MS_API bool ms_milterconf_hosts_match_name(const ms_milterconf_hosts *hosts, const char *name,
                                           size_t len);

/* ---- KeyTable and SigningTable ---------------------------------------------------------- */

typedef struct ms_milterconf_key {
    const char *name, *domain, *selector, *path;
    unsigned line;                /* in the KeyTable */
    const ms_dkim_signer *signer; /* d=domain, this one key; NULL until the keys are loaded */
} ms_milterconf_key;

typedef struct ms_milterconf_keytable ms_milterconf_keytable;
typedef struct ms_milterconf_signtable ms_milterconf_signtable;

/* Parse KeyTable text (no key is read). Lives in arena; file names it in errors. */
MS_API MS_MUST_CHECK ms_status ms_milterconf_keytable_parse(const char *text, size_t len,
                                                            const char *file, ms_arena *arena,
                                                            ms_milterconf_keytable **out,
                                                            ms_milterconf_error *err);
/* Read every key of the table and make its signer (RFC 6376 §3.3, RFC 8463): MS_EIO for a key
 * that cannot be read, MS_ESYNTAX for one that is no usable RSA or Ed25519 private key, the
 * error naming the KeyTable line and the key's path. Call ms_milterconf_keytable_free after. */
MS_API MS_MUST_CHECK ms_status ms_milterconf_keytable_load_keys(ms_milterconf_keytable *kt,
                                                                ms_milterconf_error *err);
/* Frees the signers made by _load_keys (the table itself is the arena's). Accepts NULL. */
MS_API void ms_milterconf_keytable_free(ms_milterconf_keytable *kt);
MS_API size_t ms_milterconf_keytable_count(const ms_milterconf_keytable *kt);
MS_API const ms_milterconf_key *ms_milterconf_keytable_get(const ms_milterconf_keytable *kt,
                                                           size_t i);

/* Parse SigningTable text; wildcards: a refile: table. Every key name must be in kt. */
MS_API MS_MUST_CHECK ms_status ms_milterconf_signtable_parse(const char *text, size_t len,
                                                             bool wildcards, const char *file,
                                                             const ms_milterconf_keytable *kt,
                                                             ms_arena *arena,
                                                             ms_milterconf_signtable **out,
                                                             ms_milterconf_error *err);

/* The keys to sign a message with. */
typedef struct ms_milterconf_sign_keys {
    const ms_milterconf_key *keys[8]; /* MS_LIMIT_MILTERCONF_SIGN_KEYS */
    size_t n;
    char reason[320]; /* n == 0: why ("no SigningTable match for <addr>"); else "" */
} ms_milterconf_sign_keys;

/* Look up the From address (user@domain, by length) in the table; multiple: every matching
 * line (MultipleSignatures) or only the first. n == 0 with a reason when nothing matched or the
 * address has no '@domain'; never fails. The keys point into the tables. */
MS_API void ms_milterconf_signtable_lookup(const ms_milterconf_signtable *st, bool multiple,
                                           const char *from, size_t len,
                                           ms_milterconf_sign_keys *out);

/* ---- the config file ---------------------------------------------------------------------- */

typedef enum {
    MS_MILTERCONF_SOCKET_INET,
    MS_MILTERCONF_SOCKET_INET6,
    MS_MILTERCONF_SOCKET_UNIX,
} ms_milterconf_socket_kind;

typedef struct ms_milterconf_socket {
    ms_milterconf_socket_kind kind;
    const char *spec; /* as written, for libmilter's smfi_setconn ("local:" kept) */
    const char *host; /* inet/inet6; NULL: any address */
    unsigned port;    /* inet/inet6: 1..65535 */
    const char *path; /* unix: absolute path */
} ms_milterconf_socket;

typedef enum {
    MS_MILTERCONF_ACCEPT,
    MS_MILTERCONF_TEMPFAIL,
    MS_MILTERCONF_REJECT,
} ms_milterconf_action;

typedef enum {
    MS_MILTERCONF_LOG_ERROR,
    MS_MILTERCONF_LOG_WARNING,
    MS_MILTERCONF_LOG_NOTICE,
    MS_MILTERCONF_LOG_INFO,
    MS_MILTERCONF_LOG_DEBUG,
} ms_milterconf_log_level;

typedef struct ms_milterconf_list {
    const char *const *items;
    size_t n;
} ms_milterconf_list;

/* A parsed config: read-only once made; owned by the caller of _parse/_load. */
typedef struct ms_milterconf {
    ms_milterconf_socket socket;
    const char *user_id;  /* NULL: keep the user */
    const char *pid_file; /* NULL: none */
    bool mode_verify, mode_sign;
    const char *authserv_id;            /* NULL: the host name */
    const char *internal_hosts_file;    /* NULL: the list was inline (or the default) */
    ms_milterconf_hosts internal_hosts; /* of a file: filled by _load_files */
    const char *key_table;              /* path, NULL: none */
    const char *signing_table;          /* path, NULL: none */
    bool signing_table_wildcards;       /* refile: */
    bool multiple_signatures;
    bool reject_failures;
    bool syslog;
    const char *store;
    ms_milterconf_list nameservers, zone_files, trusted_authserv_ids;
    ms_milterconf_log_level log_level;
    bool ignore_authenticated_clients;
    unsigned history_days;
    unsigned dns_timeout_s;
    ms_milterconf_action on_dns_timeout;    /* TemporaryFailure: TEMPFAIL or ACCEPT */
    ms_milterconf_action on_internal_error; /* On-InternalError */
    bool has_umask;
    unsigned umask;                         /* UMask, 0..0777 when has_umask */
    ms_dkim_canon canon_header, canon_body; /* Canonicalization */
    bool failure_reports;                   /* FailureReports */
    const char *failure_reports_sent_by;    /* NULL: dmarc-noreply@AuthservID */
    bool failure_reports_on_none;
    unsigned failure_reports_per_domain;    /* FailureReportsRateLimit, per hour */
    unsigned failure_reports_per_hour;      /* FailureReportsMaxPerHour */
    /* One line per key accepted without effect: "line 12: SyslogSuccess (OpenDKIM) has no
     * effect in mailseal-milter: ...". The caller logs them. */
    ms_milterconf_list warnings;
    /* Filled by _load_files when the tables are set (NULL otherwise). */
    ms_milterconf_keytable *keys;
    ms_milterconf_signtable *signing;
    ms_arena *arena; /* everything above lives here */
} ms_milterconf;

/* Parse config text. Reads no file: InternalHosts, KeyTable and SigningTable files (and keys)
 * are read by _load_files. MS_ESYNTAX with err for a bad config, MS_ENOMEM/MS_ELIMIT. */
MS_API MS_MUST_CHECK ms_status ms_milterconf_parse(const char *text, size_t len,
                                                   ms_milterconf **out, ms_milterconf_error *err);
/* Read the InternalHosts file, the KeyTable, the SigningTable and every key. A SigningTable
 * without a KeyTable is an error. MS_EIO for a file that cannot be read (at most
 * MS_LIMIT_MILTERCONF_FILE bytes), MS_ESYNTAX for bad contents. */
MS_API MS_MUST_CHECK ms_status ms_milterconf_load_files(ms_milterconf *conf,
                                                        ms_milterconf_error *err);
/* Read the config file at path, parse it and load its files. */
MS_API MS_MUST_CHECK ms_status ms_milterconf_load(const char *path, ms_milterconf **out,
                                                  ms_milterconf_error *err);
/* Accepts NULL; frees the signers and the arena. */
MS_API void ms_milterconf_free(ms_milterconf *conf);

/* Keys to sign mail from this From address with: the SigningTable lookup with the config's
 * MultipleSignatures, or n == 0 with the reason ("signing is off (Mode v)", "no SigningTable
 * configured", "no SigningTable match for <addr>"). */
MS_API void ms_milterconf_sign_lookup(const ms_milterconf *conf, const char *from, size_t len,
                                      ms_milterconf_sign_keys *out);

MS_API const char *ms_milterconf_action_name(ms_milterconf_action a); /* "tempfail" */

#endif
