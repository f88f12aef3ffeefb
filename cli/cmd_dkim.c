/* SPDX-License-Identifier: MIT */
/* `mailseal dkim`: the DKIM subcommands. `dkim verify` checks every signature of each message
 * given (files, folders of files, or standard input), streaming the body (RFC 6376 §6). */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char VERIFY_USAGE[] =
    "usage: mailseal dkim verify [FILE|DIR]... [options]\n"
    "\n"
    "Verifies every DKIM-Signature of each message (RFC 6376, RFC 8301, RFC 8463). FILE '-'\n"
    "or no FILE reads standard input; a DIR verifies each file in it. Files saved with LF\n"
    "line ends are read as CRLF.\n"
    "\n"
    "options:\n"
    "  --now SECONDS        verify as at this time (seconds since 1970; default: now)\n"
    "  --partial-body MODE  a signature whose l= leaves content unsigned: policy (default),\n"
    "                       pass or fail\n"
    "\n" CLI_GLOBAL_HELP "\n"
    "exit status: 0 every message was checked (whatever the verdicts), 1 one could not be\n"
    "read or parsed, 2 usage error\n";

enum { OPT_NOW = OPT_FIRST_LOCAL, OPT_PARTIAL };

typedef struct verify_args {
    cli_globals g;
    ms_dkim_verify_options opt;
} verify_args;

static void print_json(const char *name, const ms_dkim_sig_result *res, size_t n, ms_arena *a,
                       const ms_trace *trace)
{
    FILE *f = stdout;
    fputc('{', f);
    cli_json_kv_str(f, "file", name, false);
    fputs(",\"signatures\":[", f);
    for (size_t i = 0; i < n; i++) {
        const ms_dkim_sig_result *r = &res[i];
        fprintf(f, "%s{", i ? "," : "");
        cli_json_kv_str(f, "result", ms_dkim_result_name(r->result), false);
        cli_json_kv_str(f, "domain", r->domain, true);
        cli_json_kv_str(f, "selector", r->selector, true);
        cli_json_kv_str(f, "auid", r->auid, true);
        cli_json_kv_str(f, "algorithm", r->alg ? ms_dkim_alg_name(r->alg) : NULL, true);
        cli_json_kv_uint(f, "key_bits", r->key_bits, true);
        cli_json_kv_str(f, "reason", r->reason, true);
        cli_json_kv_str(f, "detail", r->detail, true);
        fprintf(f, ",\"testing\":%s,\"unsigned_singleton\":%s", r->is_testing ? "true" : "false",
                r->has_unsigned_singleton ? "true" : "false");
        if (r->has_l) {
            cli_json_kv_uint(f, "l", (unsigned long)r->l, true);
        }
        cli_json_kv_uint(f, "body_length", (unsigned long)r->body_length, true);
        const char *ar = NULL;
        if (ms_authres_dkim_format(r, a, &ar) == MS_OK) {
            cli_json_kv_str(f, "authentication_results", ar, true);
        }
        fputc('}', f);
    }
    fputc(']', f);
    if (n == 0) {
        cli_json_kv_str(f, "result", "none", true);
    }
    if (trace) {
        fputs(",\"trace\":", f);
        cli_json_trace(f, trace);
    }
    fputs("}\n", f);
}

static void print_text(const char *name, const ms_dkim_sig_result *res, size_t n, ms_arena *a,
                       const ms_trace *trace)
{
    printf("%s:\n", name);
    if (trace) {
        cli_print_trace(stdout, trace);
    }
    if (n == 0) {
        printf("  dkim: none (the message has no DKIM-Signature)\n");
    }
    for (size_t i = 0; i < n; i++) {
        const ms_dkim_sig_result *r = &res[i];
        printf("  dkim: %s  d=%s s=%s", ms_dkim_result_name(r->result), r->domain ? r->domain : "?",
               r->selector ? r->selector : "?");
        if (r->alg) {
            printf(" a=%s", ms_dkim_alg_name(r->alg));
        }
        if (r->key_bits) {
            printf(" key=%u bits", r->key_bits);
        }
        printf("\n    why: %s\n", r->reason ? r->reason : "");
        if (r->detail) {
            printf("    detail: %s\n", r->detail);
        }
        if (r->is_testing) {
            printf("    note: the key says t=y (testing)\n");
        }
        if (r->has_unsigned_singleton) {
            printf("    note: a From/Subject/To/... field above the signed ones is not signed "
                   "(RFC 6376 §8.15)\n");
        }
        const char *ar = NULL;
        if (ms_authres_dkim_format(r, a, &ar) == MS_OK) {
            printf("    Authentication-Results: %s\n", ar);
        }
    }
}

/* Verify one message read from f, streaming it. false when it could not be read or parsed. */
static bool verify_stream(const verify_args *va, ms_resolver *r, FILE *f, const char *name)
{
    ms_arena *arena;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return false;
    }
    ms_trace *trace = NULL;
    ms_msg *m = NULL;
    ms_dkim_verifier *v = NULL;
    bool ok = (!va->g.explain || ms_trace_new(arena, &trace) == MS_OK) &&
              ms_msg_new(NULL, arena, &m) == MS_OK;
    static char chunk[1 << 16];
    size_t got;
    while (ok && (got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        size_t body_at = got;
        ok = ms_msg_feed(m, chunk, got, &body_at) == MS_OK;
        if (ok && body_at < got) {
            if (v == NULL) {
                ok = ms_dkim_verifier_new(r, &va->opt, m, arena, trace, &v) == MS_OK;
            }
            ok = ok && ms_dkim_verifier_body(v, chunk + body_at, got - body_at) == MS_OK;
        }
    }
    ok = ok && !ferror(f) && ms_msg_end(m) == MS_OK;
    if (ok && v == NULL) {
        ok = ms_dkim_verifier_new(r, &va->opt, m, arena, trace, &v) == MS_OK;
    }
    const ms_dkim_sig_result *res = NULL;
    size_t n = 0;
    ok = ok && ms_dkim_verifier_end(v, &res, &n) == MS_OK;
    if (!ok) {
        const ms_msg_error *err = m ? ms_msg_last_error(m) : NULL;
        fprintf(stderr, "mailseal: %s: cannot verify: %s\n", name,
                err && err->reason ? err->reason : (ferror(f) ? "read error" : "out of memory"));
    } else if (va->g.json) {
        print_json(name, res, n, arena, trace);
    } else {
        print_text(name, res, n, arena, trace);
    }
    ms_arena_free(arena);
    return ok;
}

static bool verify_path(const verify_args *va, ms_resolver *r, const char *path, int depth)
{
    if (strcmp(path, "-") == 0) {
        return verify_stream(va, r, stdin, "(stdin)");
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "mailseal: %s: no such file\n", path);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth > 0) {
            return true; /* one level: the files of the folder given */
        }
        struct dirent **list;
        int n = scandir(path, &list, NULL, alphasort);
        if (n < 0) {
            fprintf(stderr, "mailseal: %s: cannot read the folder\n", path);
            return false;
        }
        bool ok = true;
        for (int i = 0; i < n; i++) {
            if (list[i]->d_name[0] != '.') {
                size_t len = strlen(path) + strlen(list[i]->d_name) + 2;
                char *child = malloc(len);
                if (child != NULL) {
                    snprintf(child, len, "%s/%s", path, list[i]->d_name);
                    ok = verify_path(va, r, child, depth + 1) && ok;
                    free(child);
                }
            }
            free(list[i]);
        }
        free(list);
        return ok;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "mailseal: %s: cannot open\n", path);
        return false;
    }
    bool ok = verify_stream(va, r, f, path);
    fclose(f);
    return ok;
}

static int cmd_dkim_verify(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_GLOBAL_OPTIONS,
        {"now", 1, NULL, OPT_NOW},
        {"partial-body", 1, NULL, OPT_PARTIAL},
        {NULL, 0, NULL, 0},
    };
    verify_args va;
    memset(&va, 0, sizeof(va));
    ms_dkim_verify_options_default(&va.opt);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h':
            fputs(VERIFY_USAGE, stdout);
            return CLI_OK;
        case OPT_NOW: {
            char *end;
            long long t = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || t <= 0) {
                fprintf(stderr, "mailseal dkim verify: --now wants seconds since 1970\n");
                return CLI_USAGE;
            }
            va.opt.now = t;
            break;
        }
        case OPT_PARTIAL:
            if (strcmp(optarg, "policy") == 0) {
                va.opt.partial = MS_DKIM_PARTIAL_POLICY;
            } else if (strcmp(optarg, "pass") == 0) {
                va.opt.partial = MS_DKIM_PARTIAL_PASS;
            } else if (strcmp(optarg, "fail") == 0) {
                va.opt.partial = MS_DKIM_PARTIAL_FAIL;
            } else {
                fprintf(stderr, "mailseal dkim verify: --partial-body is policy, pass or fail\n");
                return CLI_USAGE;
            }
            break;
        default:
            if (opt < OPT_DNS || !cli_global_option(&va.g, opt, optarg)) {
                fputs("see 'mailseal dkim verify --help'\n", stderr);
                return CLI_USAGE;
            }
        }
    }
    cli_dns dns;
    if (!cli_dns_open(&va.g, &dns)) {
        return CLI_FAILED;
    }
    bool ok = true;
    if (optind >= argc) {
        ok = verify_path(&va, dns.resolver, "-", 0);
    }
    for (int i = optind; i < argc; i++) {
        ok = verify_path(&va, dns.resolver, argv[i], 0) && ok;
    }
    cli_dns_close(&dns);
    return ok ? CLI_OK : CLI_FAILED;
}

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand SUBCOMMANDS[] = {
    {"verify", cmd_dkim_verify, "verify the DKIM signatures of messages"},
    {"sign", cmd_dkim_sign, "sign messages"},
    {"keygen", cmd_dkim_keygen, "make a key pair and its DNS record"},
};

int cmd_dkim(int argc, char **argv)
{
    if (argc >= 2) {
        for (size_t i = 0; i < sizeof(SUBCOMMANDS) / sizeof(SUBCOMMANDS[0]); i++) {
            if (strcmp(argv[1], SUBCOMMANDS[i].name) == 0) {
                return SUBCOMMANDS[i].run(argc - 1, argv + 1);
            }
        }
    }
    bool is_help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
    FILE *f = is_help ? stdout : stderr;
    if (argc >= 2 && !is_help) {
        fprintf(f, "mailseal dkim: unknown subcommand '%s'\n", argv[1]);
    }
    fprintf(f, "usage: mailseal dkim SUBCOMMAND [options]\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof(SUBCOMMANDS) / sizeof(SUBCOMMANDS[0]); i++) {
        fprintf(f, "  %-8s %s\n", SUBCOMMANDS[i].name, SUBCOMMANDS[i].summary);
    }
    return is_help ? CLI_OK : CLI_USAGE;
}
