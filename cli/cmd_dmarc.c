/* SPDX-License-Identifier: MIT */
/* `mailseal dmarc record DOMAIN`: discover the DMARC policy that applies to a domain (RFC 9989
 * §4.10 tree walk, or RFC 7489 §6.6.3 with the Public Suffix List) and show it tag by tag. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: mailseal dmarc record DOMAIN [options]\n"
    "\n"
    "Finds the DMARC record that applies to DOMAIN, where it was found, the organizational\n"
    "domain, and what each tag asks for.\n"
    "\n"
    "options:\n"
    "  --dmarc-mode MODE    rfc9989 (default: DNS tree walk) or rfc7489 (Public Suffix List)\n"
    "  --psl FILE           the Public Suffix List for rfc7489 mode (default: the system's)\n"
    "\n" CLI_GLOBAL_HELP "\n"
    "exit status: 0 the lookup ran (found or not), 1 it could not, 2 usage error\n";

enum { OPT_DMARC_MODE = OPT_FIRST_LOCAL, OPT_PSL };

static const char *align_name(ms_dmarc_alignment a)
{
    return a == MS_DMARC_ALIGN_STRICT ? "strict" : "relaxed";
}

static const char *status_name(ms_dmarc_discovery_status s)
{
    return s == MS_DMARC_DISCOVERY_FOUND  ? "found"
           : s == MS_DMARC_DISCOVERY_NONE ? "none"
                                          : "temperror";
}

static void json_uris(FILE *f, const char *key, const ms_dmarc_uri *u, size_t n)
{
    fprintf(f, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",{" : "{", f);
        cli_json_kv_str(f, "uri", u[i].uri, false);
        cli_json_kv_str(f, "address", u[i].address, true);
        cli_json_kv_str(f, "domain", u[i].domain, true);
        cli_json_kv_uint(f, "max_bytes", (unsigned long)u[i].max_bytes, true);
        fputc('}', f);
    }
    fputc(']', f);
}

static void print_json(const ms_dmarc_discovery *d, ms_dmarc_mode mode, const ms_trace *trace)
{
    FILE *f = stdout;
    fputc('{', f);
    cli_json_kv_str(f, "domain", d->domain, false);
    cli_json_kv_str(f, "status", status_name(d->status), true);
    cli_json_kv_str(f, "mode", ms_dmarc_mode_name(mode), true);
    cli_json_kv_str(f, "policy_domain", d->policy_domain, true);
    cli_json_kv_str(f, "org_domain", d->org_domain, true);
    cli_json_kv_str(f, "record", d->record_text, true);
    cli_json_kv_str(f, "reason", d->reason, true);
    cli_json_kv_str(f, "detail", d->detail, true);
    fputs(",\"queried\":[", f);
    for (size_t i = 0; i < d->n_queried; i++) {
        if (i) {
            fputc(',', f);
        }
        cli_json_str(f, d->queried[i]);
    }
    fputc(']', f);
    const ms_dmarc_record *r = d->record;
    if (r != NULL) {
        bool is_policy_domain = d->policy_domain && strcmp(d->policy_domain, d->domain) == 0;
        fputs(",\"tags\":{", f);
        cli_json_kv_str(f, "p", ms_dmarc_policy_name(r->p), false);
        cli_json_kv_str(f, "sp", ms_dmarc_policy_name(r->sp), true);
        cli_json_kv_str(f, "np", ms_dmarc_policy_name(r->np), true);
        cli_json_kv_str(f, "adkim", r->adkim == MS_DMARC_ALIGN_STRICT ? "s" : "r", true);
        cli_json_kv_str(f, "aspf", r->aspf == MS_DMARC_ALIGN_STRICT ? "s" : "r", true);
        fprintf(f, ",\"t\":\"%s\",\"psd\":\"%c\"", r->testing ? "y" : "n", r->psd);
        if (r->has_pct) {
            cli_json_kv_uint(f, "pct", r->pct, true);
        }
        cli_json_kv_str(f, "fo", r->fo, true);
        json_uris(f, "rua", r->rua, r->n_rua);
        json_uris(f, "ruf", r->ruf, r->n_ruf);
        fputc('}', f);
        cli_json_kv_str(f, "applies", is_policy_domain ? "p" : "sp", true);
        fputs(",\"notes\":[", f);
        for (size_t i = 0; i < r->n_notes; i++) {
            if (i) {
                fputc(',', f);
            }
            cli_json_str(f, r->notes[i]);
        }
        fputc(']', f);
    }
    if (trace) {
        fputs(",\"trace\":", f);
        cli_json_trace(f, trace);
    }
    fputs("}\n", f);
}

static void print_uris(FILE *f, const char *what, const ms_dmarc_uri *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  %-4s %s\n", i == 0 ? what : "", u[i].uri);
    }
}

static void print_text(const ms_dmarc_discovery *d, const ms_trace *trace)
{
    FILE *f = stdout;
    if (trace) {
        fputs("explain:\n", f);
        cli_print_trace(f, trace);
        fputc('\n', f);
    }
    fprintf(f, "dmarc record for %s: %s\n", d->domain, status_name(d->status));
    if (d->status != MS_DMARC_DISCOVERY_FOUND) {
        fprintf(f, "  why:  %s%s%s\n", d->reason ? d->reason : "", d->detail ? ": " : "",
                d->detail ? d->detail : "");
        if (d->org_domain) {
            fprintf(f, "  organizational domain: %s\n", d->org_domain);
        }
        return;
    }
    const ms_dmarc_record *r = d->record;
    bool is_policy_domain = strcmp(d->policy_domain, d->domain) == 0;
    fprintf(f, "  found at:  _dmarc.%s%s\n", d->policy_domain,
            is_policy_domain ? "" : " (a parent of the domain asked about)");
    fprintf(f, "  record:    %s\n", d->record_text);
    fprintf(f, "  organizational domain: %s\n", d->org_domain ? d->org_domain : "(unknown)");
    if (is_policy_domain) {
        fprintf(f, "  applies:   p=%s to %s itself\n", ms_dmarc_policy_name(r->p), d->domain);
    } else {
        fprintf(f, "  applies:   sp=%s to %s (np=%s if it did not exist)\n",
                ms_dmarc_policy_name(r->sp), d->domain, ms_dmarc_policy_name(r->np));
    }
    fprintf(f, "  tags:      p=%s sp=%s np=%s adkim=%s aspf=%s t=%s psd=%c\n",
            ms_dmarc_policy_name(r->p), ms_dmarc_policy_name(r->sp), ms_dmarc_policy_name(r->np),
            align_name(r->adkim), align_name(r->aspf), r->testing ? "y" : "n", r->psd);
    print_uris(f, "rua", r->rua, r->n_rua);
    print_uris(f, "ruf", r->ruf, r->n_ruf);
    if (r->n_rua == 0) {
        fputs("  note: no rua= address: nobody will send you aggregate reports\n", f);
    }
    for (size_t i = 0; i < r->n_notes; i++) {
        fprintf(f, "  note: %s\n", r->notes[i]);
    }
}

static int record(int argc, char **argv)
{
    static const struct option LONG[] = {
        {"dmarc-mode", 1, NULL, OPT_DMARC_MODE},
        {"psl", 1, NULL, OPT_PSL},
        CLI_GLOBAL_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    cli_globals g = {0};
    ms_dmarc_options opt;
    ms_dmarc_options_default(&opt);
    const char *psl_file = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (o == 'h') {
            fputs(USAGE, stdout);
            return CLI_OK;
        } else if (o == OPT_DMARC_MODE && strcmp(optarg, "rfc9989") == 0) {
            opt.mode = MS_DMARC_MODE_RFC9989;
        } else if (o == OPT_DMARC_MODE && strcmp(optarg, "rfc7489") == 0) {
            opt.mode = MS_DMARC_MODE_RFC7489;
        } else if (o == OPT_PSL) {
            psl_file = optarg;
        } else if (!(o >= OPT_DNS && o < OPT_FIRST_LOCAL && cli_global_option(&g, o, optarg))) {
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    ms_psl *psl = NULL;
    if (opt.mode == MS_DMARC_MODE_RFC7489) {
        char err[256] = "";
        if (ms_psl_load(psl_file, &psl, err, sizeof(err)) != MS_OK) {
            fprintf(stderr, "mailseal: cannot load the Public Suffix List: %s\n", err);
            return CLI_FAILED;
        }
        opt.psl = psl;
    }
    cli_dns dns;
    if (!cli_dns_open(&g, &dns)) {
        ms_psl_free(psl);
        return CLI_FAILED;
    }
    int rc = CLI_FAILED;
    ms_arena *arena = NULL;
    ms_trace *trace = NULL;
    ms_dmarc_discovery d;
    if (ms_arena_new(NULL, 0, &arena) == MS_OK &&
        (!g.explain || ms_trace_new(arena, &trace) == MS_OK)) {
        ms_status st = ms_dmarc_discover(dns.resolver, &opt, argv[optind], arena, &d, trace);
        if (st == MS_OK) {
            if (g.json) {
                print_json(&d, opt.mode, trace);
            } else {
                print_text(&d, trace);
            }
            rc = CLI_OK;
        } else {
            fprintf(stderr, "mailseal: %s: %s\n", argv[optind], ms_status_str(st));
        }
    }
    ms_arena_free(arena);
    cli_dns_close(&dns);
    ms_psl_free(psl);
    return rc;
}

int cmd_dmarc(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "record") == 0) {
        return record(argc - 1, argv + 1);
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(USAGE, stdout);
        return CLI_OK;
    }
    fputs(USAGE, stderr);
    return CLI_USAGE;
}
