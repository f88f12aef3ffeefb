/* SPDX-License-Identifier: MIT */
/* `mailseal report summary`: what the received reports in the store say, per source IP (with
 * its reverse DNS name and provider), per day and per reporter, and what to do about it
 * (lib/summary). Text on a terminal (colour there only), --json, --csv (RFC 4180), and
 * --html FILE for one self-contained page. Dates are YYYY-MM-DD, UTC. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mailseal/summary.h"
#include "store_option.h"

static const char USAGE[] =
    "usage: mailseal report summary [--domain D] [--since DATE] [--until DATE]\n"
    "                               [--json | --csv] [--html FILE] [--store URI]\n"
    "\n"
    "What the DMARC aggregate, failure and TLS reports in the store say: for each source IP\n"
    "its messages, DKIM and SPF results and alignment, DMARC pass rate, dispositions, reverse\n"
    "DNS name (forward-confirmed) and provider, the reporters that saw it; totals per day and\n"
    "per reporter; and a list of what to do, with the numbers behind each item.\n"
    "\n"
    "options:\n"
    "  --domain D           only reports about policy domain D\n"
    "  --since DATE         reports whose period ends on or after DATE (YYYY-MM-DD, UTC)\n"
    "  --until DATE         reports whose period starts on or before DATE (included)\n"
    "  --csv                one CSV row per source IP (RFC 4180)\n"
    "  --html FILE          also write one self-contained HTML page with charts to FILE\n"
    "  --lookups N          reverse DNS lookups for the N busiest sources (default 64)\n"
    "  --no-dns             no reverse DNS lookups\n"
    "  --color WHEN         auto (default: on a terminal, unless NO_COLOR is set), always, "
    "never\n" CLI_STORE_HELP "\n" CLI_GLOBAL_HELP;

enum {
    OPT_DOMAIN = OPT_FIRST_LOCAL,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_CSV,
    OPT_HTML,
    OPT_LOOKUPS,
    OPT_NO_DNS,
    OPT_COLOR,
    OPT_STORE,
};

typedef struct summary_args {
    cli_globals g;
    const char *domain, *html, *store;
    int64_t since, until;
    bool csv, no_dns, color;
    size_t lookups;
} summary_args;

/* The callbacks get this: the first status met, then the summary. */
typedef struct feed {
    ms_status st;
    ms_summary *s;
} feed;

static int on_agg(void *user, const ms_report_aggregate *meta, const ms_report_record *rec)
{
    feed *f = user;
    f->st = ms_summary_add(f->s, meta, rec);
    return f->st != MS_OK;
}

static int on_failure(void *user, const ms_report_failure *failure)
{
    feed *f = user;
    f->st = ms_summary_add_failure(f->s, failure);
    return f->st != MS_OK;
}

static int on_tls(void *user, const ms_tlsrpt_report *report)
{
    feed *f = user;
    f->st = ms_summary_add_tlsrpt(f->s, report);
    return f->st != MS_OK;
}

static bool parse_args(int argc, char **argv, summary_args *a, int *rc)
{
    static const struct option LONG[] = {
        {"domain", 1, NULL, OPT_DOMAIN},
        {"since", 1, NULL, OPT_SINCE},
        {"until", 1, NULL, OPT_UNTIL},
        {"csv", 0, NULL, OPT_CSV},
        {"html", 1, NULL, OPT_HTML},
        {"lookups", 1, NULL, OPT_LOOKUPS},
        {"no-dns", 0, NULL, OPT_NO_DNS},
        {"color", 1, NULL, OPT_COLOR},
        {"store", 1, NULL, OPT_STORE},
        CLI_GLOBAL_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *no_color = getenv("NO_COLOR");
    a->color = isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0');
    a->until = INT64_MAX;
    int o;
    optind = 1;
    *rc = CLI_USAGE;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (o) {
        case OPT_DOMAIN:
            a->domain = optarg;
            break;
        case OPT_SINCE:
        case OPT_UNTIL: {
            int64_t t;
            if (!ms_summary_parse_date(optarg, &t)) {
                fprintf(stderr, "mailseal report summary: --%s wants a date YYYY-MM-DD, got '%s'\n",
                        o == OPT_SINCE ? "since" : "until", optarg);
                return false;
            }
            if (o == OPT_SINCE) {
                a->since = t;
            } else {
                a->until = t + 86400; /* the day given is included */
            }
            break;
        }
        case OPT_CSV:
            a->csv = true;
            break;
        case OPT_HTML:
            a->html = optarg;
            break;
        case OPT_LOOKUPS: {
            char *end = NULL;
            unsigned long n = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || n > 100000) {
                fprintf(stderr, "mailseal report summary: --lookups wants 0..100000\n");
                return false;
            }
            a->lookups = (size_t)n;
            a->no_dns = a->no_dns || n == 0;
            break;
        }
        case OPT_NO_DNS:
            a->no_dns = true;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "always") == 0) {
                a->color = true;
            } else if (strcmp(optarg, "never") == 0) {
                a->color = false;
            } else if (strcmp(optarg, "auto") != 0) {
                fprintf(stderr, "mailseal report summary: --color is auto, always or never\n");
                return false;
            }
            break;
        case OPT_STORE:
            a->store = optarg;
            break;
        case 'h':
            fputs(USAGE, stdout);
            *rc = CLI_OK;
            return false;
        default:
            if (o >= OPT_DNS && o < OPT_FIRST_LOCAL && cli_global_option(&a->g, o, optarg)) {
                break;
            }
            if (o < OPT_DNS || o >= OPT_FIRST_LOCAL) {
                fputs(USAGE, stderr);
            }
            return false;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "mailseal report summary: unexpected argument '%s'\n", argv[optind]);
        return false;
    }
    if (a->csv && a->g.json) {
        fprintf(stderr, "mailseal report summary: --json and --csv cannot be used together\n");
        return false;
    }
    if (a->since != 0 && a->until != INT64_MAX && a->until <= a->since) {
        fprintf(stderr, "mailseal report summary: --until is before --since\n");
        return false;
    }
    if (a->g.json || a->csv) {
        a->color = false;
    }
    return true;
}

static bool write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return false;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Reads the store into s. */
static int read_store(const summary_args *a, ms_summary *s)
{
    ms_store *store = cli_store_open("report summary", a->store);
    if (store == NULL) {
        return CLI_FAILED;
    }
    ms_store_report_query q = {.domain = a->domain, .since = a->since, .until = a->until};
    feed f = {MS_OK, s};
    ms_status st = ms_store_aggregate_each(store, &q, on_agg, &f);
    if (st == MS_OK && f.st == MS_OK) {
        st = ms_store_failure_each(store, &q, on_failure, &f);
    }
    if (st == MS_OK && f.st == MS_OK) {
        st = ms_store_tlsrpt_each(store, &q, on_tls, &f);
    }
    int rc = CLI_OK;
    if (st != MS_OK) {
        char err[512];
        ms_store_last_error(store, err, sizeof(err));
        fprintf(stderr, "mailseal report summary: reading the store failed: %s\n",
                err[0] ? err : ms_status_str(st));
        rc = CLI_FAILED;
    } else if (f.st != MS_OK) {
        fprintf(stderr, "mailseal report summary: %s\n", ms_status_str(f.st));
        rc = CLI_FAILED;
    }
    ms_store_close(store);
    return rc;
}

int cmd_report_summary(int argc, char **argv)
{
    summary_args a;
    memset(&a, 0, sizeof(a));
    int rc;
    if (!parse_args(argc, argv, &a, &rc)) {
        return rc;
    }
    ms_summary_options opt = {.domain = a.domain, .since = a.since, .until = a.until};
    ms_summary *s = NULL;
    if (ms_summary_new(&opt, &s) != MS_OK) {
        fprintf(stderr, "mailseal report summary: out of memory\n");
        return CLI_FAILED;
    }
    rc = read_store(&a, s);
    if (rc == CLI_OK && !a.no_dns) {
        cli_dns dns;
        if (!cli_dns_open(&a.g, &dns)) {
            rc = CLI_FAILED;
        } else {
            ms_status st = ms_summary_resolve(s, dns.resolver, a.lookups);
            if (st != MS_OK) {
                fprintf(stderr, "mailseal report summary: reverse DNS: %s\n", ms_status_str(st));
                rc = CLI_FAILED;
            }
            cli_dns_close(&dns);
        }
    }
    const ms_summary_result *r = NULL;
    ms_arena *arena = NULL;
    if (rc == CLI_OK && (ms_summary_compute(s, &r) != MS_OK ||
                         ms_arena_new(NULL, 256u * 1024u * 1024u, &arena) != MS_OK)) {
        fprintf(stderr, "mailseal report summary: out of memory\n");
        rc = CLI_FAILED;
    }
    const char *out = NULL;
    size_t len = 0;
    if (rc == CLI_OK && a.html != NULL) {
        ms_status st = ms_summary_format(r, MS_SUMMARY_HTML, false, arena, &out, &len);
        if (st != MS_OK || !write_file(a.html, out, len)) {
            fprintf(stderr, "mailseal report summary: cannot write %s: %s\n", a.html,
                    st != MS_OK ? ms_status_str(st) : "write failed");
            rc = CLI_FAILED;
        } else {
            fprintf(stderr, "mailseal report summary: wrote %s\n", a.html);
        }
    }
    if (rc == CLI_OK) {
        ms_summary_format_kind kind = a.g.json ? MS_SUMMARY_JSON
                                      : a.csv  ? MS_SUMMARY_CSV
                                               : MS_SUMMARY_TEXT;
        ms_status st = ms_summary_format(r, kind, a.color, arena, &out, &len);
        if (st != MS_OK) {
            fprintf(stderr, "mailseal report summary: %s\n", ms_status_str(st));
            rc = CLI_FAILED;
        } else if (fwrite(out, 1, len, stdout) != len || fflush(stdout) != 0) {
            rc = CLI_FAILED;
        }
    }
    ms_arena_free(arena);
    ms_summary_free(s);
    return rc;
}
