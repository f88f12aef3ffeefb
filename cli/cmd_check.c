/* SPDX-License-Identifier: MIT */
/* `mailseal check DOMAIN...`: audit what sending domains publish (SPF, DKIM, DMARC and
 * friends) and say in plain words what to fix, grouped by area, with the records to publish. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char USAGE[] =
    "usage: mailseal check DOMAIN... [options]\n"
    "       mailseal check --domains-file FILE [options]\n"
    "\n"
    "Audits what a sending domain publishes for SPF, DKIM and DMARC (and MX, MTA-STS, TLS-RPT,\n"
    "BIMI, DNSSEC), recognises the mail providers it uses, checks the bulk-sender rules of\n"
    "Gmail, Yahoo and Microsoft, and says what is wrong and how to fix it. Finding ids are\n"
    "listed in docs/check-findings.md.\n"
    "\n"
    "options:\n"
    "  --selector S         a DKIM selector to look at (repeatable); for Amazon SES give the\n"
    "                       three tokens of its CNAMEs; well-known selectors are tried too\n"
    "  --no-common-selectors  only the selectors given\n"
    "  --domains-file FILE  the domains to check, one per line ('#' starts a comment)\n"
    "  --message FILE       also check a message the domain sent, as it was received\n"
    "                       (client from its Received and Return-Path fields)\n"
    "  --color WHEN         auto (default: on a terminal, unless NO_COLOR is set), always, never\n"
    "\n" CLI_GLOBAL_HELP "\n"
    "exit status: 0 no errors found, 3 errors found, 1 the check could not run, 2 usage error\n";

enum {
    OPT_SELECTOR = OPT_FIRST_LOCAL,
    OPT_NO_COMMON,
    OPT_DOMAINS_FILE,
    OPT_MESSAGE,
    OPT_COLOR,
};
enum { CLI_FINDINGS = 3, MAX_SELECTORS = 64, MAX_DOMAINS = 10000 };

typedef struct check_args {
    cli_globals g;
    const char *selectors[MAX_SELECTORS];
    size_t n_selectors;
    bool no_common;
    const char *domains_file, *message_file;
    bool color;
    char *message; /* the message's bytes */
    size_t message_len;
} check_args;

typedef struct palette {
    const char *error, *warning, *info, *bold, *dim, *reset;
} palette;

static const palette PLAIN = {"", "", "", "", "", ""};
static const palette ANSI = {"\033[31m", "\033[33m", "\033[36m", "\033[1m", "\033[2m", "\033[0m"};

static const char *severity_colour(const palette *p, ms_check_severity s)
{
    return s == MS_CHECK_ERROR ? p->error : s == MS_CHECK_WARNING ? p->warning : p->info;
}

/* ---- text ------------------------------------------------------------------------------- */

/* Long sentences wrapped at 76 columns under an indent. */
static void wrapped(FILE *f, const char *indent, const char *text)
{
    size_t col = 0, width = 76 - strlen(indent);
    const char *p = text;
    fputs(indent, f);
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t w = sp ? (size_t)(sp - p) : strlen(p);
        if (col > 0 && col + 1 + w > width) {
            fputc('\n', f);
            fputs(indent, f);
            col = 0;
        } else if (col > 0) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, w, f);
        col += w;
        p += w;
        while (*p == ' ') {
            p++;
        }
    }
    fputc('\n', f);
}

static void print_spf_tree(FILE *f, const ms_check_report *r)
{
    if (r->n_spf_nodes == 0) {
        return;
    }
    fprintf(f, "\n  SPF lookups (RFC 7208 §4.6.4 counts at most 10): %u\n",
            r->spf_tree[0].lookups_total);
    for (size_t i = 0; i < r->n_spf_nodes; i++) {
        const ms_check_spf_node *n = &r->spf_tree[i];
        fprintf(f, "    %*s%s%s%s  %u own, %u in all%s\n", (int)(2 * n->depth), "",
                n->via ? n->via : n->domain, n->via ? " -> " : "", n->via ? n->domain : "",
                n->lookups_own, n->lookups_total, n->record ? "" : "  (no SPF record)");
    }
}

static void print_text(const check_args *a, const char *asked, const ms_check_report *r,
                       const ms_trace *trace)
{
    FILE *f = stdout;
    const palette *p = a->color ? &ANSI : &PLAIN;
    if (trace) {
        fputs("explain:\n", f);
        cli_print_trace(f, trace);
        fputc('\n', f);
    }
    fprintf(f, "%s%s%s", p->bold, r->domain, p->reset);
    if (strcmp(asked, r->domain) != 0) {
        fprintf(f, " (%s, looked up as its A-labels)", asked);
    }
    fputc('\n', f);
    wrapped(f, "  ", r->verdict ? r->verdict : "");
    if (r->incomplete) {
        fputs("  Some lookups failed: this report is incomplete (see the dns-error findings).\n",
              f);
    }
    for (size_t i = 0; i < r->n_providers; i++) {
        fprintf(f, "  %sprovider:%s %s (%s)\n", p->dim, p->reset, r->providers[i].name,
                r->providers[i].evidence);
    }
    /* Grouped by area, in the order of the areas; within an area errors come first. */
    static const ms_check_area AREAS[] = {
        MS_CHECK_AREA_SPF,    MS_CHECK_AREA_DKIM,    MS_CHECK_AREA_DMARC,   MS_CHECK_AREA_PROVIDER,
        MS_CHECK_AREA_MX,     MS_CHECK_AREA_MTA_STS, MS_CHECK_AREA_TLS_RPT, MS_CHECK_AREA_BIMI,
        MS_CHECK_AREA_DNSSEC, MS_CHECK_AREA_MESSAGE,
    };
    for (size_t k = 0; k < sizeof(AREAS) / sizeof(AREAS[0]); k++) {
        bool header = false;
        for (size_t i = 0; i < r->n_findings; i++) {
            const ms_check_finding *x = &r->findings[i];
            if (x->area != AREAS[k]) {
                continue;
            }
            if (!header) {
                fprintf(f, "\n  %s%s%s\n", p->bold, ms_check_area_name(AREAS[k]), p->reset);
                header = true;
            }
            fprintf(f, "    %s%-7s%s %s\n", severity_colour(p, x->severity),
                    ms_check_severity_name(x->severity), p->reset, x->id);
            wrapped(f, "            ", x->message);
            if (x->record) {
                fprintf(f, "            %sfound:%s %s\n", p->dim, p->reset, x->record);
            }
            if (x->fix) {
                fprintf(f, "            %sfix:%s\n", p->bold, p->reset);
                wrapped(f, "              ", x->fix);
            }
        }
    }
    print_spf_tree(f, r);
    if (r->n_rules > 0) {
        fputs("\n  bulk-sender rules (Gmail, Yahoo 2024; Microsoft 2025)\n", f);
        for (size_t i = 0; i < r->n_rules; i++) {
            const ms_check_rule *x = &r->rules[i];
            const char *c = x->status == MS_CHECK_MET       ? p->info
                            : x->status == MS_CHECK_NOT_MET ? p->error
                                                            : p->dim;
            fprintf(f, "    %-32s %s%-7s%s %s\n", x->rule, c, ms_check_status_name(x->status),
                    p->reset, x->why ? x->why : "");
        }
    }
    fprintf(f, "\n  %zu error%s, %zu warning%s\n", r->n_errors, r->n_errors == 1 ? "" : "s",
            r->n_warnings, r->n_warnings == 1 ? "" : "s");
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void print_json(const char *asked, const ms_check_report *r, const ms_trace *trace)
{
    FILE *f = stdout;
    fputc('{', f);
    cli_json_kv_str(f, "domain", r->domain, false);
    cli_json_kv_str(f, "asked", asked, true);
    cli_json_kv_str(f, "verdict", r->verdict, true);
    fprintf(f, ",\"incomplete\":%s", r->incomplete ? "true" : "false");
    cli_json_kv_uint(f, "errors", r->n_errors, true);
    cli_json_kv_uint(f, "warnings", r->n_warnings, true);
    fputs(",\"findings\":[", f);
    for (size_t i = 0; i < r->n_findings; i++) {
        const ms_check_finding *x = &r->findings[i];
        fputs(i ? ",{" : "{", f);
        cli_json_kv_str(f, "id", x->id, false);
        cli_json_kv_str(f, "severity", ms_check_severity_name(x->severity), true);
        cli_json_kv_str(f, "area", ms_check_area_name(x->area), true);
        cli_json_kv_str(f, "message", x->message, true);
        cli_json_kv_str(f, "fix", x->fix, true);
        cli_json_kv_str(f, "record", x->record, true);
        fputc('}', f);
    }
    fputs("],\"bulk_sender\":[", f);
    for (size_t i = 0; i < r->n_rules; i++) {
        fputs(i ? ",{" : "{", f);
        cli_json_kv_str(f, "rule", r->rules[i].rule, false);
        cli_json_kv_str(f, "status", ms_check_status_name(r->rules[i].status), true);
        cli_json_kv_str(f, "why", r->rules[i].why, true);
        fputc('}', f);
    }
    fputs("],\"providers\":[", f);
    for (size_t i = 0; i < r->n_providers; i++) {
        fputs(i ? ",{" : "{", f);
        cli_json_kv_str(f, "name", r->providers[i].name, false);
        cli_json_kv_str(f, "evidence", r->providers[i].evidence, true);
        fputc('}', f);
    }
    fputs("],\"spf_tree\":[", f);
    for (size_t i = 0; i < r->n_spf_nodes; i++) {
        const ms_check_spf_node *n = &r->spf_tree[i];
        fputs(i ? ",{" : "{", f);
        cli_json_kv_str(f, "domain", n->domain, false);
        cli_json_kv_str(f, "via", n->via, true);
        cli_json_kv_str(f, "record", n->record, true);
        cli_json_kv_uint(f, "depth", n->depth, true);
        cli_json_kv_uint(f, "lookups_own", n->lookups_own, true);
        cli_json_kv_uint(f, "lookups_total", n->lookups_total, true);
        fputc('}', f);
    }
    fputc(']', f);
    if (trace) {
        fputs(",\"trace\":", f);
        cli_json_trace(f, trace);
    }
    fputs("}\n", f);
}

/* ---- the command ------------------------------------------------------------------------ */

/* 0 no errors, CLI_FINDINGS errors, CLI_FAILED could not run. */
static int check_one(const check_args *a, ms_resolver *resolver, const char *domain)
{
    ms_arena *arena = NULL;
    ms_trace *trace = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK ||
        (a->g.explain && ms_trace_new(arena, &trace) != MS_OK)) {
        ms_arena_free(arena);
        return CLI_FAILED;
    }
    ms_check_options opt;
    ms_check_options_default(&opt);
    opt.selectors = a->selectors;
    opt.n_selectors = a->n_selectors;
    opt.no_common_selectors = a->no_common;
    opt.message = a->message;
    opt.message_len = a->message_len;
    opt.message_from_received = a->message != NULL;
    const ms_check_report *r = NULL;
    ms_status st = ms_check_domain(resolver, &opt, domain, arena, &r, trace);
    int rc = CLI_FAILED;
    if ((st == MS_OK || st == MS_EINVAL) && r != NULL) {
        if (a->g.json) {
            print_json(domain, r, trace);
        } else {
            print_text(a, domain, r, trace);
        }
        rc = r->n_errors > 0 ? CLI_FINDINGS : CLI_OK;
    } else {
        fprintf(stderr, "mailseal: %s: the check could not run: %s\n", domain, ms_status_str(st));
    }
    ms_arena_free(arena);
    return rc;
}

static int worst(int a, int b)
{
    /* could not run > findings > ok */
    int rank_a = a == CLI_FAILED ? 2 : a == CLI_FINDINGS ? 1 : 0;
    int rank_b = b == CLI_FAILED ? 2 : b == CLI_FINDINGS ? 1 : 0;
    return rank_a >= rank_b ? a : b;
}

static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool ok = buf != NULL && !ferror(f) && n <= max;
    fclose(f);
    if (!ok) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int run_domains_file(const check_args *a, ms_resolver *resolver, int rc)
{
    size_t len = 0;
    char *text = read_file(a->domains_file, 16u * 1024u * 1024u, &len);
    if (text == NULL) {
        fprintf(stderr, "mailseal: %s: cannot read (or over 16 MiB)\n", a->domains_file);
        return CLI_FAILED;
    }
    size_t n = 0;
    for (char *line = text, *next; line < text + len && n < MAX_DOMAINS; line = next) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        next = nl ? nl + 1 : text + len;
        *(nl ? nl : text + len) = '\0';
        char *hash = strchr(line, '#');
        if (hash) {
            *hash = '\0';
        }
        while (*line == ' ' || *line == '\t') {
            line++;
        }
        size_t l = strlen(line);
        while (l > 0 && (line[l - 1] == ' ' || line[l - 1] == '\t' || line[l - 1] == '\r')) {
            line[--l] = '\0';
        }
        if (l > 0) {
            rc = worst(rc, check_one(a, resolver, line));
            n++;
        }
    }
    free(text);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    static const struct option LONG[] = {
        {"selector", 1, NULL, OPT_SELECTOR},
        {"no-common-selectors", 0, NULL, OPT_NO_COMMON},
        {"domains-file", 1, NULL, OPT_DOMAINS_FILE},
        {"message", 1, NULL, OPT_MESSAGE},
        {"color", 1, NULL, OPT_COLOR},
        CLI_GLOBAL_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    check_args a;
    memset(&a, 0, sizeof(a));
    const char *no_color = getenv("NO_COLOR");
    a.color = isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0');
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (o) {
        case OPT_SELECTOR:
            if (a.n_selectors == MAX_SELECTORS) {
                fprintf(stderr, "mailseal: at most %d selectors\n", MAX_SELECTORS);
                return CLI_USAGE;
            }
            a.selectors[a.n_selectors++] = optarg;
            break;
        case OPT_NO_COMMON:
            a.no_common = true;
            break;
        case OPT_DOMAINS_FILE:
            a.domains_file = optarg;
            break;
        case OPT_MESSAGE:
            a.message_file = optarg;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "always") == 0) {
                a.color = true;
            } else if (strcmp(optarg, "never") == 0) {
                a.color = false;
            } else if (strcmp(optarg, "auto") != 0) {
                fprintf(stderr, "mailseal: --color is auto, always or never\n");
                return CLI_USAGE;
            }
            break;
        case 'h':
            fputs(USAGE, stdout);
            return CLI_OK;
        default:
            if (o >= OPT_DNS && o < OPT_FIRST_LOCAL) {
                if (!cli_global_option(&a.g, o, optarg)) {
                    return CLI_USAGE;
                }
                break;
            }
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
    }
    if (optind == argc && a.domains_file == NULL) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if (a.g.json) {
        a.color = false;
    }
    if (a.message_file != NULL) {
        a.message = read_file(a.message_file, 64u * 1024u * 1024u, &a.message_len);
        if (a.message == NULL) {
            fprintf(stderr, "mailseal: %s: cannot read (or over 64 MiB)\n", a.message_file);
            return CLI_FAILED;
        }
    }
    cli_dns dns;
    if (!cli_dns_open(&a.g, &dns)) {
        free(a.message);
        return CLI_FAILED;
    }
    int rc = CLI_OK;
    for (int i = optind; i < argc; i++) {
        rc = worst(rc, check_one(&a, dns.resolver, argv[i]));
    }
    if (a.domains_file != NULL) {
        rc = run_domains_file(&a, dns.resolver, rc);
    }
    cli_dns_close(&dns);
    free(a.message);
    return rc;
}
