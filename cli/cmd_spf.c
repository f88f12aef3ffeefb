/* SPDX-License-Identifier: MIT */
/* `mailseal spf`: check one client against the MAIL FROM or HELO identity (RFC 7208), or a
 * batch of them, and print the verdict, the Received-SPF field and the A-R spf part. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char USAGE[] =
    "usage: mailseal spf --ip IP --mail-from ADDR [--helo NAME] [options]\n"
    "       mailseal spf --ip IP --helo NAME          (HELO identity only)\n"
    "       mailseal spf --batch FILE                 (one \"IP MAIL-FROM HELO\" per line)\n"
    "\n"
    "Checks whether IP may send mail for the domain of ADDR (or of NAME), as RFC 7208 says.\n"
    "'--mail-from \"<>\"' (or an empty string) is the null sender: postmaster@HELO is checked.\n"
    "\n"
    "options:\n"
    "  --ip IP              the connecting client's address (IPv4 or IPv6)\n"
    "  --mail-from ADDR     the SMTP MAIL FROM address\n"
    "  --helo NAME          the HELO/EHLO name\n"
    "  --batch FILE         check many: lines \"IP MAIL-FROM HELO\" ('<>' is the null sender;\n"
    "                       '-' reads standard input); one result per line\n"
    "  --receiver NAME      this host's name in Received-SPF and %{r} (default: hostname)\n"
    "\n" CLI_GLOBAL_HELP "\n"
    "exit status: 0 the check ran (whatever the verdict), 1 it could not run, 2 usage error\n";

enum { OPT_IP = OPT_FIRST_LOCAL, OPT_MAIL_FROM, OPT_HELO, OPT_BATCH, OPT_RECEIVER };

typedef struct spf_args {
    cli_globals g;
    const char *ip, *mail_from, *helo, *batch, *receiver;
    bool has_mail_from;
} spf_args;

static void print_json(const ms_spf_request *req, const ms_spf_verdict *v, const char *rspf,
                       const char *ar, const ms_trace *trace)
{
    FILE *f = stdout;
    fputc('{', f);
    cli_json_kv_str(f, "result", ms_spf_result_name(v->result), false);
    cli_json_kv_str(f, "identity", ms_spf_identity_name(v->identity), true);
    cli_json_kv_str(f, "sender", v->sender, true);
    cli_json_kv_str(f, "domain", v->domain, true);
    cli_json_kv_str(f, "client_ip", req->client_ip, true);
    cli_json_kv_str(f, "helo", req->helo, true);
    cli_json_kv_str(f, "record", v->record, true);
    cli_json_kv_str(f, "mechanism", v->mechanism, true);
    cli_json_kv_str(f, "reason", v->reason, true);
    cli_json_kv_str(f, "detail", v->detail, true);
    cli_json_kv_str(f, "explanation", v->explanation, true);
    cli_json_kv_uint(f, "dns_lookups", v->n_dns_lookups, true);
    cli_json_kv_uint(f, "void_lookups", v->n_void_lookups, true);
    cli_json_kv_uint(f, "dns_queries", v->n_queries, true);
    cli_json_kv_str(f, "received_spf", rspf, true);
    cli_json_kv_str(f, "authentication_results", ar, true);
    if (trace) {
        fputs(",\"trace\":", f);
        cli_json_trace(f, trace);
    }
    fputs("}\n", f);
}

static void print_text(const ms_spf_request *req, const ms_spf_verdict *v, const char *rspf,
                       const char *ar, const ms_trace *trace)
{
    FILE *f = stdout;
    if (trace) {
        fputs("explain:\n", f);
        cli_print_trace(f, trace);
        fputc('\n', f);
    }
    fprintf(f, "spf: %s\n", ms_spf_result_name(v->result));
    fprintf(f, "  why:         %s\n", v->reason ? v->reason : "");
    if (v->detail) {
        fprintf(f, "  detail:      %s\n", v->detail);
    }
    fprintf(f, "  identity:    %s %s (domain %s)\n", ms_spf_identity_name(v->identity),
            v->sender ? v->sender : "", v->domain ? v->domain : "");
    fprintf(f, "  client:      %s\n", req->client_ip);
    if (v->record) {
        fprintf(f, "  record:      %s\n", v->record);
    }
    if (v->mechanism) {
        fprintf(f, "  matched:     %s\n", v->mechanism);
    }
    if (v->explanation) {
        fprintf(f, "  explanation: %s\n", v->explanation);
    }
    fprintf(f, "  lookups:     %u of 10 DNS-querying terms, %u of 2 void lookups, %u queries\n",
            v->n_dns_lookups, v->n_void_lookups, v->n_queries);
    fprintf(f, "Received-SPF: %s\n", rspf);
    fprintf(f, "Authentication-Results: %s\n", ar);
}

/* One check; prints its result. false when it could not run. */
static bool check_one(const spf_args *a, ms_resolver *r, ms_arena *arena, const char *ip,
                      const char *mail_from, const char *helo, bool one_line)
{
    ms_spf_request req = {
        .client_ip = ip,
        .mail_from = mail_from,
        .helo = helo,
        .identity = mail_from ? MS_SPF_IDENTITY_MAILFROM : MS_SPF_IDENTITY_HELO,
        .receiver = a->receiver,
    };
    ms_trace *trace = NULL;
    if (a->g.explain && ms_trace_new(arena, &trace) != MS_OK) {
        fprintf(stderr, "mailseal: out of memory\n");
        return false;
    }
    ms_spf_verdict v;
    ms_status st = ms_spf_check(r, NULL, &req, arena, &v, trace);
    if (st == MS_EINVAL) {
        fprintf(stderr, "mailseal: '%s' is not an IP address\n", ip);
        return false;
    }
    if (st != MS_OK) {
        fprintf(stderr, "mailseal: SPF check could not run: %s\n", ms_status_str(st));
        return false;
    }
    const char *rspf = NULL, *ar = NULL;
    if (ms_received_spf_format(&v, &req, a->receiver, arena, &rspf) != MS_OK ||
        ms_authres_spf_format(&v, arena, &ar) != MS_OK) {
        fprintf(stderr, "mailseal: cannot format the result\n");
        return false;
    }
    if (a->g.json) {
        print_json(&req, &v, rspf, ar, trace);
    } else if (one_line && !a->g.explain) {
        printf("%s %s %s %s: %s\n", ms_spf_result_name(v.result), ip,
               mail_from ? (mail_from[0] ? mail_from : "<>") : "-", helo ? helo : "-",
               v.reason ? v.reason : "");
    } else {
        print_text(&req, &v, rspf, ar, trace);
    }
    return true;
}

/* Split a batch line into at most three fields separated by blanks. */
static size_t split_fields(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p && n < max + 1) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\0' || *p == '\n' || *p == '\r') {
            break;
        }
        if (n == max) {
            return max + 1; /* too many fields */
        }
        fields[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            p++;
        }
        if (*p) {
            *p++ = '\0';
        }
    }
    return n;
}

static int run_batch(const spf_args *a, ms_resolver *r, ms_arena *arena)
{
    FILE *in = strcmp(a->batch, "-") == 0 ? stdin : fopen(a->batch, "r");
    if (in == NULL) {
        fprintf(stderr, "mailseal: cannot open %s\n", a->batch);
        return CLI_FAILED;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0, bad = 0;
    /* Streamed: one line at a time, one arena reset per check. */
    while ((got = getline(&line, &cap, in)) != -1) {
        lineno++;
        if (got > 4096) {
            fprintf(stderr, "mailseal: %s:%lu: line too long\n", a->batch, lineno);
            bad++;
            continue;
        }
        char *fields[3];
        size_t n = split_fields(line, fields, 3);
        if (n == 0 || fields[0][0] == '#') {
            continue;
        }
        if (n != 3) {
            fprintf(stderr, "mailseal: %s:%lu: want \"IP MAIL-FROM HELO\"\n", a->batch, lineno);
            bad++;
            continue;
        }
        const char *mf = strcmp(fields[1], "<>") == 0 ? "" : fields[1];
        if (!check_one(a, r, arena, fields[0], mf, fields[2], true)) {
            bad++;
        }
        fflush(stdout);
        ms_arena_reset(arena);
    }
    free(line);
    if (in != stdin) {
        fclose(in);
    }
    return bad ? CLI_FAILED : CLI_OK;
}

int cmd_spf(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_GLOBAL_OPTIONS,
        {"ip", 1, NULL, OPT_IP},
        {"mail-from", 1, NULL, OPT_MAIL_FROM},
        {"helo", 1, NULL, OPT_HELO},
        {"batch", 1, NULL, OPT_BATCH},
        {"receiver", 1, NULL, OPT_RECEIVER},
        {NULL, 0, NULL, 0},
    };
    spf_args a;
    memset(&a, 0, sizeof(a));
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h':
            fputs(USAGE, stdout);
            return CLI_OK;
        case OPT_IP:
            a.ip = optarg;
            break;
        case OPT_MAIL_FROM:
            a.mail_from = optarg;
            a.has_mail_from = true;
            break;
        case OPT_HELO:
            a.helo = optarg;
            break;
        case OPT_BATCH:
            a.batch = optarg;
            break;
        case OPT_RECEIVER:
            a.receiver = optarg;
            break;
        default:
            if (opt < OPT_DNS || !cli_global_option(&a.g, opt, optarg)) {
                fputs("see 'mailseal spf --help'\n", stderr);
                return CLI_USAGE;
            }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mailseal spf: unexpected argument '%s'; see 'mailseal spf --help'\n",
                argv[optind]);
        return CLI_USAGE;
    }
    if (a.batch == NULL && (a.ip == NULL || (!a.has_mail_from && a.helo == NULL))) {
        fputs("mailseal spf: --ip and --mail-from (or --helo) are required; see 'mailseal spf "
              "--help'\n",
              stderr);
        return CLI_USAGE;
    }
    if (a.batch && (a.ip || a.has_mail_from || a.helo)) {
        fputs("mailseal spf: --batch takes its identities from the file; see 'mailseal spf "
              "--help'\n",
              stderr);
        return CLI_USAGE;
    }
    char host[256];
    if (a.receiver == NULL) {
        a.receiver = gethostname(host, sizeof(host)) == 0 ? host : "unknown";
        host[sizeof(host) - 1] = '\0';
    }
    cli_dns dns;
    if (!cli_dns_open(&a.g, &dns)) {
        return CLI_FAILED;
    }
    ms_arena *arena;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        cli_dns_close(&dns);
        return CLI_FAILED;
    }
    int rc;
    if (a.batch) {
        rc = run_batch(&a, dns.resolver, arena);
    } else {
        const char *mf =
            a.has_mail_from ? (strcmp(a.mail_from, "<>") == 0 ? "" : a.mail_from) : NULL;
        rc = check_one(&a, dns.resolver, arena, a.ip, mf, a.helo, false) ? CLI_OK : CLI_FAILED;
    }
    ms_arena_free(arena);
    cli_dns_close(&dns);
    return rc;
}
