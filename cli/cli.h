/* SPDX-License-Identifier: MIT */
/* What the subcommands of `mailseal` share: global options, the resolver they open, and the
 * output helpers. Only include/mailseal/ is used from here (design.md section 2). */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "mailseal/mailseal.h"

/* Exit statuses every subcommand uses. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

#define CLI_MAX_ZONES 64

/* Options that mean the same in every subcommand. */
typedef struct cli_globals {
    const char *dns;                  /* --dns HOST[:PORT] */
    const char *zones[CLI_MAX_ZONES]; /* --zone FILE, repeatable: offline */
    size_t n_zones;
    unsigned timeout_ms;      /* --timeout SECONDS */
    const char *trust_anchor; /* --trust-anchor FILE */
    bool json;                /* --json */
    bool explain;             /* --explain */
} cli_globals;

/* Long options every subcommand accepts; ids start at 1000. */
enum {
    OPT_DNS = 1000,
    OPT_ZONE,
    OPT_TIMEOUT,
    OPT_TRUST_ANCHOR,
    OPT_JSON,
    OPT_EXPLAIN,
    OPT_HELP,
    OPT_FIRST_LOCAL, /* subcommands number their own options from here */
};
#define CLI_GLOBAL_OPTIONS                                                                         \
    {"dns", 1, NULL, OPT_DNS}, {"zone", 1, NULL, OPT_ZONE}, {"timeout", 1, NULL, OPT_TIMEOUT},     \
        {"trust-anchor", 1, NULL, OPT_TRUST_ANCHOR}, {"json", 0, NULL, OPT_JSON},                  \
        {"explain", 0, NULL, OPT_EXPLAIN},                                                         \
    {                                                                                              \
        "help", 0, NULL, 'h'                                                                       \
    }

#define CLI_GLOBAL_HELP                                                                            \
    "global options:\n"                                                                            \
    "  --dns HOST[:PORT]    ask this DNS server (loopback allowed) instead of resolv.conf\n"       \
    "  --zone FILE          answer DNS from this zone file, offline (repeatable)\n"                \
    "  --timeout SECONDS    per DNS query (default 5)\n"                                           \
    "  --trust-anchor FILE  validate DNSSEC with this anchor (with --dns)\n"                       \
    "  --json               print JSON\n"                                                          \
    "  --explain            print every step: queries, answers, terms and the deciding rule\n"

/* Handle one global option (from getopt_long). false, with a message printed, on a bad value. */
bool cli_global_option(cli_globals *g, int opt, const char *arg);
/* The resolver the options ask for: zone files (offline), or libunbound behind a cache. */
typedef struct cli_dns {
    ms_resolver *resolver; /* what checks ask */
    ms_resolver *live;     /* the libunbound resolver behind the cache, or NULL */
} cli_dns;
/* false, with a message printed, when it cannot be set up. Close with cli_dns_close. */
bool cli_dns_open(const cli_globals *g, cli_dns *dns);
void cli_dns_close(cli_dns *dns);

/* JSON output (RFC 8259): valid UTF-8 passes through, anything else is escaped. */
void cli_json_str(FILE *f, const char *s);
void cli_json_kv_str(FILE *f, const char *key, const char *value, bool comma);
void cli_json_kv_uint(FILE *f, const char *key, unsigned long value, bool comma);
/* The trace as a JSON array of steps. */
void cli_json_trace(FILE *f, const ms_trace *trace);
/* The trace in words, one step a line, indented by depth. */
void cli_print_trace(FILE *f, const ms_trace *trace);

/* --store URI: see store_option.h (cli_store_uri, cli_store_open, CLI_STORE_HELP). */

/* YYYY-MM-DD as the Unix time of its UTC midnight; false when it is not such a date. */
bool cli_parse_date(const char *s, int64_t *out);

/* Subcommands. */
int cmd_spf(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_dkim(int argc, char **argv);
int cmd_dmarc(int argc, char **argv);
int cmd_verify(int argc, char **argv);
/* `mailseal dkim sign` and `mailseal dkim keygen`, called by the `dkim` dispatcher with argv[0]
 * the subcommand's name ("sign"). */
int cmd_dkim_sign(int argc, char **argv);
int cmd_dkim_keygen(int argc, char **argv);
/* `mailseal report` and its subcommands (argv[0] the subcommand's name). */
int cmd_report(int argc, char **argv);
int cmd_report_ingest(int argc, char **argv);
int cmd_report_generate(int argc, char **argv);
int cmd_report_send(int argc, char **argv);
int cmd_report_kept(int argc, char **argv);
int cmd_report_summary(int argc, char **argv);

#endif
