/* SPDX-License-Identifier: MIT */
/* `mailseal verify`: the whole receiver verdict for one message (SPF, DKIM, DMARC), the
 * Authentication-Results field a receiver would add, and with --explain the story in plain
 * words. --from-received takes the client from the message's own Received and Return-Path
 * fields: "why did my mail fail at Gmail?". */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "store_option.h"

static const char USAGE[] =
    "usage: mailseal verify [FILE] --ip IP --mail-from ADDR --helo NAME [options]\n"
    "       mailseal verify [FILE] --from-received [options]\n"
    "\n"
    "Runs SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 9989) on one message as a receiver\n"
    "does, and prints the verdicts and the Authentication-Results field (RFC 8601). FILE '-'\n"
    "or no FILE reads standard input.\n"
    "\n"
    "options:\n"
    "  --ip IP              the connecting client's address\n"
    "  --mail-from ADDR     the SMTP MAIL FROM ('<>' or '' is the null sender)\n"
    "  --helo NAME          the HELO/EHLO name\n"
    "  --from-received      take IP and HELO from the topmost Received field that names a\n"
    "                       public address, MAIL FROM from Return-Path (a message you received)\n"
    "  --authserv-id ID     this receiver's name in Authentication-Results (default: the\n"
    "                       receiving host of --from-received, else this host's name)\n"
    "  --dmarc-mode MODE    rfc9989 (default: DNS tree walk) or rfc7489 (Public Suffix List,\n"
    "                       pct honoured)\n"
    "  --psl FILE           the Public Suffix List for rfc7489 mode (default: the system's)\n"
    "  --now SECONDS        verify DKIM as at this time (seconds since 1970); also the time\n"
    "                       recorded with --store\n"
    "  --store URI          record the verdict in the history, as mailseal-milter does, for\n"
    "                       `mailseal report generate`: sqlite:PATH, a path, postgresql://...\n"
    "                       or 'default' ($XDG_DATA_HOME/mailseal/mailseal.db)\n"
    "  --rcpt-to ADDR       the envelope recipient recorded with --store\n"
    "  --failure-reports FROM  with --store, also queue the failure reports (RFC 9991) the\n"
    "                       DMARC record's ruf= and fo= ask for, sent by FROM, as\n"
    "                       mailseal-milter's FailureReports does (at most 10 per domain and\n"
    "                       500 in all per hour); `mailseal report send` mails them\n"
    "\n" CLI_GLOBAL_HELP "\n"
    "exit status: 0 the checks ran (whatever the verdicts), 1 they could not, 2 usage error\n";

enum {
    OPT_IP = OPT_FIRST_LOCAL,
    OPT_MAIL_FROM,
    OPT_HELO,
    OPT_FROM_RECEIVED,
    OPT_AUTHSERV_ID,
    OPT_DMARC_MODE,
    OPT_PSL,
    OPT_NOW,
    OPT_STORE,
    OPT_RCPT_TO,
    OPT_FAILURE_REPORTS,
};

typedef struct verify_args {
    cli_globals g;
    const char *file, *ip, *mail_from, *helo, *authserv_id, *psl;
    bool from_received;
    bool store;            /* --store given */
    const char *store_uri; /* its URI; NULL: the default */
    const char *rcpt_to;
    const char *failure_from; /* --failure-reports */
    ms_dmarc_mode mode;
    long long now;
} verify_args;

/* The client as the message's own trace fields tell it (--from-received). */
typedef struct client {
    const char *ip, *helo, *mail_from;
    const char *by;          /* the receiver that wrote the Received field */
    size_t received_index;   /* which Received field, counted from the top (1 = topmost) */
    size_t n_skipped;        /* Received fields above it without a public address */
    const char *upstream_ar; /* that receiver's own Authentication-Results, if any */
} client;

static bool client_from_received(const ms_msg *msg, ms_arena *arena, client *c)
{
    ms_msg_client mc;
    ms_status st = ms_msg_received_client(msg, arena, &mc);
    if (st != MS_OK) {
        fprintf(stderr, "mailseal: %s\n",
                st == MS_ENOTFOUND ? "no Received field names a public client address: give "
                                     "--ip, --helo and --mail-from"
                                   : ms_status_str(st));
        return false;
    }
    if (mc.mail_from == NULL) {
        fprintf(stderr, "mailseal: no Return-Path field: give --mail-from\n");
        return false;
    }
    c->ip = mc.ip;
    c->helo = mc.helo;
    c->mail_from = mc.mail_from;
    c->by = mc.by;
    c->received_index = mc.received_ordinal;
    c->n_skipped = mc.n_skipped;
    /* What that receiver itself concluded: the topmost Authentication-Results by it. */
    const ms_msg_field *ar = NULL;
    while ((ar = ms_msg_next(msg, "Authentication-Results", 22, ar)) != NULL) {
        const ms_authres *parsed = NULL;
        if (ms_authres_parse(ar->value, ar->value_len, arena, &parsed, NULL) == MS_OK &&
            c->by != NULL && strcasecmp(parsed->authserv_id, c->by) == 0) {
            c->upstream_ar = ar->value;
            break;
        }
    }
    return true;
}

static bool read_message(FILE *in, ms_message *m)
{
    static char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0) {
        ms_status st = ms_message_feed(m, chunk, got);
        if (st != MS_OK) {
            const ms_msg_error *err = ms_message_error(m);
            fprintf(stderr, "mailseal: cannot read the message: %s\n",
                    err && err->reason ? err->reason : ms_status_str(st));
            return false;
        }
    }
    if (ferror(in)) {
        fprintf(stderr, "mailseal: read error\n");
        return false;
    }
    return true;
}

/* ---- output ----------------------------------------------------------------------------- */

static const char *align_word(bool aligned)
{
    return aligned ? "aligned" : "not aligned";
}

static void print_json(const verify_args *a, const client *c, const ms_verdicts *v,
                       const ms_trace *trace)
{
    FILE *f = stdout;
    const ms_dmarc_verdict *d = v->dmarc;
    fputs("{\"client\":{", f);
    cli_json_kv_str(f, "ip", c->ip, false);
    cli_json_kv_str(f, "helo", c->helo, true);
    cli_json_kv_str(f, "mail_from", c->mail_from, true);
    if (a->from_received) {
        cli_json_kv_str(f, "received_by", c->by, true);
        cli_json_kv_uint(f, "received_index", c->received_index, true);
        cli_json_kv_str(f, "upstream_authentication_results", c->upstream_ar, true);
    }
    fputs("},\"spf\":{", f);
    cli_json_kv_str(f, "result", ms_spf_result_name(v->spf->result), false);
    cli_json_kv_str(f, "domain", v->spf->domain, true);
    cli_json_kv_str(f, "identity", ms_spf_identity_name(v->spf->identity), true);
    fprintf(f, ",\"aligned\":%s", d->spf_aligned ? "true" : "false");
    cli_json_kv_str(f, "reason", v->spf->reason, true);
    cli_json_kv_str(f, "record", v->spf->record, true);
    fputs("},\"dkim\":[", f);
    for (size_t i = 0; i < v->n_dkim; i++) {
        const ms_dkim_sig_result *r = &v->dkim[i];
        fprintf(f, "%s{", i ? "," : "");
        cli_json_kv_str(f, "result", ms_dkim_result_name(r->result), false);
        cli_json_kv_str(f, "domain", r->domain, true);
        cli_json_kv_str(f, "selector", r->selector, true);
        cli_json_kv_str(f, "algorithm", r->alg ? ms_dkim_alg_name(r->alg) : NULL, true);
        cli_json_kv_uint(f, "key_bits", r->key_bits, true);
        fprintf(f, ",\"aligned\":%s", d->dkim_aligned_each[i] ? "true" : "false");
        cli_json_kv_str(f, "reason", r->reason, true);
        cli_json_kv_str(f, "detail", r->detail, true);
        fputc('}', f);
    }
    fputs("],\"dmarc\":{", f);
    cli_json_kv_str(f, "result", ms_dmarc_result_name(d->result), false);
    cli_json_kv_str(f, "from_domain", d->from_domain, true);
    cli_json_kv_str(f, "org_domain", d->org_domain, true);
    cli_json_kv_str(f, "policy_domain", d->policy_domain, true);
    cli_json_kv_str(f, "record", d->record_text, true);
    const bool has_policy = d->record != NULL;
    cli_json_kv_str(f, "policy", has_policy ? ms_dmarc_policy_name(d->policy) : NULL, true);
    cli_json_kv_str(f, "policy_tag", has_policy ? ms_dmarc_policy_tag_name(d->policy_tag) : NULL,
                    true);
    fprintf(f, ",\"testing\":%s", d->testing ? "true" : "false");
    cli_json_kv_str(f, "disposition", ms_dmarc_policy_name(d->disposition), true);
    cli_json_kv_str(f, "adkim", d->adkim == MS_DMARC_ALIGN_STRICT ? "s" : "r", true);
    cli_json_kv_str(f, "aspf", d->aspf == MS_DMARC_ALIGN_STRICT ? "s" : "r", true);
    cli_json_kv_str(f, "mode", ms_dmarc_mode_name(a->mode), true);
    cli_json_kv_str(f, "reason", d->reason, true);
    cli_json_kv_str(f, "detail", d->detail, true);
    fputc('}', f);
    cli_json_kv_str(f, "authentication_results", v->authentication_results, true);
    if (trace) {
        fputs(",\"trace\":", f);
        cli_json_trace(f, trace);
    }
    fputs("}\n", f);
}

/* Why DMARC came out as it did, in one sentence. */
static void dmarc_sentence(FILE *f, const ms_verdicts *v)
{
    const ms_dmarc_verdict *d = v->dmarc;
    const char *from = d->from_domain ? d->from_domain : "(none)";
    switch (d->result) {
    case MS_DMARC_PASS:
        if (d->spf_aligned && d->dkim_aligned) {
            fprintf(f, "DMARC passes for %s through both SPF and DKIM.\n", from);
        } else if (d->dkim_aligned) {
            fprintf(f, "DMARC passes for %s through DKIM alone (d=%s); SPF %s for %s, which %s.\n",
                    from, v->dkim[d->dkim_aligned_index].domain, ms_spf_result_name(v->spf->result),
                    v->spf->domain ? v->spf->domain : "-",
                    v->spf->result == MS_SPF_PASS ? "does not align with the From domain"
                                                  : "cannot count");
        } else {
            fprintf(f,
                    "DMARC passes for %s through SPF alone (%s); no DKIM signature of an "
                    "aligned domain passed, so forwarding would break it.\n",
                    from, v->spf->domain);
        }
        break;
    case MS_DMARC_FAIL:
        fprintf(f,
                "DMARC fails for %s: neither an SPF pass nor a DKIM pass is for a domain aligned "
                "with it. The policy asks for %s (the %s tag)%s; a receiver applies %s.\n",
                from, ms_dmarc_policy_name(d->policy), ms_dmarc_policy_tag_name(d->policy_tag),
                d->testing ? ", in testing mode (t=y)" : "", ms_dmarc_policy_name(d->disposition));
        break;
    case MS_DMARC_NONE:
        fprintf(f, "DMARC does not apply to %s: %s\n", from, d->reason);
        break;
    default:
        fprintf(f, "DMARC could not be evaluated for %s (%s): %s\n", from,
                ms_dmarc_result_name(d->result), d->reason);
        break;
    }
}

/* The story of --explain: which identities were checked, what was found where, what aligned. */
static void print_story(FILE *f, const verify_args *a, const client *c, const ms_verdicts *v)
{
    const ms_dmarc_verdict *d = v->dmarc;
    fputs("story:\n", f);
    fprintf(f, "  The message came from %s (HELO %s) with MAIL FROM <%s>", c->ip,
            c->helo ? c->helo : "-", c->mail_from ? c->mail_from : "");
    if (a->from_received) {
        fprintf(f, ", as Received field %zu (from the top) written by %s says", c->received_index,
                c->by ? c->by : "an unnamed host");
        if (c->n_skipped) {
            fprintf(f, " (%zu internal or unreadable hop%s above it skipped)", c->n_skipped,
                    c->n_skipped == 1 ? "" : "s");
        }
    }
    fputs(".\n", f);
    fprintf(f, "  The author domain, from the From field, is %s.\n",
            d->from_domain ? d->from_domain : "unknown");
    fprintf(f, "  SPF checked %s: %s; %s.\n", v->spf->domain ? v->spf->domain : "-",
            ms_spf_result_name(v->spf->result), v->spf->reason ? v->spf->reason : "");
    if (v->spf->result == MS_SPF_PASS && d->from_domain) {
        fprintf(f, "    %s is %s with %s (%s alignment).\n", v->spf->domain,
                align_word(d->spf_aligned), d->from_domain,
                d->aspf == MS_DMARC_ALIGN_STRICT ? "strict" : "relaxed");
    }
    if (v->n_dkim == 0) {
        fputs("  DKIM: the message is not signed.\n", f);
    }
    for (size_t i = 0; i < v->n_dkim; i++) {
        const ms_dkim_sig_result *r = &v->dkim[i];
        fprintf(f, "  DKIM signature %zu (d=%s s=%s): %s; %s.\n", i + 1,
                r->domain ? r->domain : "?", r->selector ? r->selector : "?",
                ms_dkim_result_name(r->result), r->reason ? r->reason : "");
        if (r->result == MS_DKIM_PASS && d->from_domain) {
            fprintf(f, "    d=%s is %s with %s (%s alignment).\n", r->domain,
                    align_word(d->dkim_aligned_each[i]), d->from_domain,
                    d->adkim == MS_DMARC_ALIGN_STRICT ? "strict" : "relaxed");
        }
    }
    if (d->policy_domain) {
        fprintf(f, "  The DMARC record that applies was found at _dmarc.%s: %s\n", d->policy_domain,
                d->record_text ? d->record_text : "");
        if (d->org_domain) {
            fprintf(f, "    The organizational domain of %s is %s.\n", d->from_domain,
                    d->org_domain);
        }
    }
    fputs("  ", f);
    dmarc_sentence(f, v);
}

static void print_text(const verify_args *a, const client *c, const ms_verdicts *v,
                       const ms_trace *trace)
{
    FILE *f = stdout;
    const ms_dmarc_verdict *d = v->dmarc;
    if (trace) {
        fputs("explain:\n", f);
        cli_print_trace(f, trace);
        fputc('\n', f);
        print_story(f, a, c, v);
        fputc('\n', f);
    }
    fprintf(f, "spf:   %-9s %s%s%s\n", ms_spf_result_name(v->spf->result),
            v->spf->domain ? v->spf->domain : "-", v->spf->result == MS_SPF_PASS ? ", " : "",
            v->spf->result == MS_SPF_PASS ? align_word(d->spf_aligned) : "");
    for (size_t i = 0; i < v->n_dkim; i++) {
        const ms_dkim_sig_result *r = &v->dkim[i];
        fprintf(f, "dkim:  %-9s d=%s s=%s%s%s\n", ms_dkim_result_name(r->result),
                r->domain ? r->domain : "?", r->selector ? r->selector : "?",
                r->result == MS_DKIM_PASS ? ", " : "",
                r->result == MS_DKIM_PASS ? align_word(d->dkim_aligned_each[i]) : "");
        if (r->result != MS_DKIM_PASS && r->reason) {
            fprintf(f, "       why: %s%s%s\n", r->reason, r->detail ? ": " : "",
                    r->detail ? r->detail : "");
        }
    }
    if (v->n_dkim == 0) {
        fputs("dkim:  none      (not signed)\n", f);
    }
    fprintf(f, "dmarc: %-9s header.from=%s", ms_dmarc_result_name(d->result),
            d->from_domain ? d->from_domain : "-");
    if (d->record != NULL) {
        fprintf(f, " policy=%s (%s at %s)%s disposition=%s", ms_dmarc_policy_name(d->policy),
                ms_dmarc_policy_tag_name(d->policy_tag), d->policy_domain, d->testing ? " t=y" : "",
                ms_dmarc_policy_name(d->disposition));
    }
    fprintf(f, "\n       why: %s%s%s\n", d->reason ? d->reason : "", d->detail ? ": " : "",
            d->detail ? d->detail : "");
    if (c->upstream_ar) {
        fprintf(f, "\n%s recorded: %s\n", c->by, c->upstream_ar);
    }
    fprintf(f, "\nAuthentication-Results: %s\n", v->authentication_results);
}

/* ---- the command ------------------------------------------------------------------------ */

/* --failure-reports: what mailseal-milter's FailureReports queues (milter/session.c), with its
 * default rate limits; the disposition is the one the DMARC verdict asks for. */
static ms_status queue_failure_reports(const verify_args *a, const ms_message *m, ms_store *store,
                                       int64_t when, ms_arena *arena)
{
    const ms_dmarc_verdict *d = ms_message_verdicts(m)->dmarc;
    ms_failure_input in = {.arrival = when,
                           .from = a->failure_from,
                           .reporting_mta = a->authserv_id,
                           .envelope_to = a->rcpt_to,
                           .delivery_result =
                               d == NULL || d->disposition == MS_DMARC_POLICY_NONE ? "delivered"
                               : d->disposition == MS_DMARC_POLICY_REJECT          ? "reject"
                                                                                   : "policy"};
    const ms_failure_report *r = NULL;
    size_t n = 0;
    ms_status st = ms_message_failure_reports(m, &in, arena, &r, &n);
    if (st != MS_OK) {
        fprintf(stderr, "mailseal: failure reports not made: %s\n", ms_status_str(st));
        return st;
    }
    ms_failure_limits lim = {10, 500, 3600};
    for (size_t k = 0; k < n; k++) {
        ms_failure_out o = {0,           when,         r[k].policy_domain, r[k].auth_failure,
                            r[k].record, r[k].message, r[k].message_len};
        bool queued = false;
        st = ms_store_failure_out_queue(store, &o, &lim, &queued);
        if (st != MS_OK) {
            char err[512] = "";
            ms_store_last_error(store, err, sizeof err);
            fprintf(stderr, "mailseal: the %s failure report was not queued: %s\n",
                    r[k].auth_failure, err[0] ? err : ms_status_str(st));
            return st;
        }
        fprintf(stderr, "mailseal: %s failure report for %s %s\n", r[k].auth_failure,
                r[k].policy_domain,
                queued ? "queued" : "dropped: the hourly rate limit was reached");
    }
    if (n == 0) {
        fprintf(stderr, "mailseal: no failure report asked for\n");
    }
    return MS_OK;
}

/* --store: the row mailseal-milter would write (ms_message_history_row), the disposition the
 * DMARC verdict asks for. */
static bool record_history(const verify_args *a, const ms_message *m, ms_arena *arena)
{
    ms_store *store = cli_store_open("verify", a->store_uri);
    if (store == NULL) {
        return false;
    }
    ms_history_input in = {.received = a->now > 0 ? (int64_t)a->now : (int64_t)time(NULL),
                           .envelope_to = a->rcpt_to};
    ms_history_row row;
    ms_status st = ms_message_history_row(m, &in, arena, &row);
    if (st == MS_OK) {
        st = ms_store_history_add(store, &row);
    }
    if (st != MS_OK) {
        char err[512] = "";
        ms_store_last_error(store, err, sizeof err);
        fprintf(stderr, "mailseal: the verdict was not recorded: %s\n",
                err[0] ? err : ms_status_str(st));
    }
    if (st == MS_OK && a->failure_from != NULL) {
        st = queue_failure_reports(a, m, store, in.received, arena);
    }
    ms_store_close(store);
    return st == MS_OK;
}

static int run(const verify_args *a, ms_resolver *resolver, const ms_psl *psl)
{
    FILE *in = stdin;
    if (a->file != NULL && strcmp(a->file, "-") != 0) {
        in = fopen(a->file, "rb");
        if (in == NULL) {
            fprintf(stderr, "mailseal: %s: cannot open\n", a->file);
            return CLI_FAILED;
        }
    }
    char host[256];
    ms_message_options opt;
    ms_message_options_default(&opt);
    opt.dmarc.mode = a->mode;
    opt.dmarc.psl = psl;
    opt.dkim.now = a->now;
    opt.authserv_id = a->authserv_id;
    if (opt.authserv_id == NULL) {
        opt.authserv_id = gethostname(host, sizeof(host)) == 0 ? host : "localhost";
        host[sizeof(host) - 1] = '\0';
    }
    ms_arena *arena = NULL;
    ms_trace *trace = NULL;
    ms_message *m = NULL;
    client c = {.ip = a->ip, .helo = a->helo, .mail_from = a->mail_from};
    int rc = CLI_FAILED;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK ||
        (a->g.explain && ms_trace_new(arena, &trace) != MS_OK) ||
        ms_message_new(resolver, &opt, arena, trace, &m) != MS_OK || !read_message(in, m) ||
        (a->from_received && !client_from_received(ms_message_msg(m), arena, &c))) {
        goto out;
    }
    ms_status st = ms_message_connect(m, c.ip, c.helo);
    if (st == MS_OK) {
        st = ms_message_envelope(m, c.mail_from);
    }
    if (st == MS_OK) {
        st = ms_message_end(m);
    }
    if (st != MS_OK) {
        const ms_msg_error *err = ms_message_error(m);
        fprintf(stderr, "mailseal: cannot verify: %s\n",
                err && err->reason ? err->reason : ms_status_str(st));
        goto out;
    }
    if (a->store && !record_history(a, m, arena)) {
        goto out;
    }
    ms_verdicts v = *ms_message_verdicts(m);
    if (a->from_received && a->authserv_id == NULL && c.by != NULL) {
        /* As the receiver that wrote the Received field would have written it. */
        ms_authres_input in_ar = {.authserv_id = c.by,
                                  .spf = v.spf,
                                  .spf_helo = v.spf_helo,
                                  .dkim = v.dkim,
                                  .n_dkim = v.n_dkim,
                                  .dmarc = v.dmarc};
        if (ms_authres_format(&in_ar, arena, &v.authentication_results) != MS_OK) {
            v.authentication_results = ms_message_verdicts(m)->authentication_results;
        }
    }
    if (a->g.json) {
        print_json(a, &c, &v, trace);
    } else {
        print_text(a, &c, &v, trace);
    }
    rc = CLI_OK;
out:
    if (in != stdin) {
        fclose(in);
    }
    ms_arena_free(arena);
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option LONG[] = {
        {"ip", 1, NULL, OPT_IP},
        {"mail-from", 1, NULL, OPT_MAIL_FROM},
        {"helo", 1, NULL, OPT_HELO},
        {"from-received", 0, NULL, OPT_FROM_RECEIVED},
        {"authserv-id", 1, NULL, OPT_AUTHSERV_ID},
        {"dmarc-mode", 1, NULL, OPT_DMARC_MODE},
        {"psl", 1, NULL, OPT_PSL},
        {"now", 1, NULL, OPT_NOW},
        {"store", 1, NULL, OPT_STORE},
        {"rcpt-to", 1, NULL, OPT_RCPT_TO},
        {"failure-reports", 1, NULL, OPT_FAILURE_REPORTS},
        CLI_GLOBAL_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    verify_args a = {.mode = MS_DMARC_MODE_RFC9989};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (o) {
        case OPT_IP:
            a.ip = optarg;
            break;
        case OPT_MAIL_FROM:
            a.mail_from = optarg;
            break;
        case OPT_HELO:
            a.helo = optarg;
            break;
        case OPT_FROM_RECEIVED:
            a.from_received = true;
            break;
        case OPT_AUTHSERV_ID:
            a.authserv_id = optarg;
            break;
        case OPT_DMARC_MODE:
            if (strcmp(optarg, "rfc9989") == 0) {
                a.mode = MS_DMARC_MODE_RFC9989;
            } else if (strcmp(optarg, "rfc7489") == 0) {
                a.mode = MS_DMARC_MODE_RFC7489;
            } else {
                fprintf(stderr, "mailseal: --dmarc-mode is rfc9989 or rfc7489\n");
                return CLI_USAGE;
            }
            break;
        case OPT_PSL:
            a.psl = optarg;
            break;
        case OPT_NOW: {
            char *end = NULL;
            a.now = strtoll(optarg, &end, 10);
            if (end == optarg || *end != '\0' || a.now <= 0) {
                fprintf(stderr, "mailseal: --now takes seconds since 1970\n");
                return CLI_USAGE;
            }
            break;
        }
        case OPT_STORE:
            a.store = true;
            a.store_uri = strcmp(optarg, "default") == 0 ? NULL : optarg;
            break;
        case OPT_RCPT_TO:
            a.rcpt_to = optarg;
            break;
        case OPT_FAILURE_REPORTS:
            if (strchr(optarg, '@') == NULL) {
                fprintf(stderr,
                        "mailseal: --failure-reports wants the From address, local@domain\n");
                return CLI_USAGE;
            }
            a.failure_from = optarg;
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
    if (optind < argc) {
        a.file = argv[optind++];
    }
    if (optind < argc) {
        fprintf(stderr, "mailseal: verify takes one message\n");
        return CLI_USAGE;
    }
    if (!a.from_received && (a.ip == NULL || a.mail_from == NULL)) {
        fprintf(stderr, "mailseal: give --ip and --mail-from (and --helo), or --from-received\n\n");
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if (a.failure_from != NULL && !a.store) {
        fprintf(stderr, "mailseal: --failure-reports queues into the store: give --store too\n");
        return CLI_USAGE;
    }
    if (a.from_received && (a.ip != NULL || a.mail_from != NULL || a.helo != NULL)) {
        fprintf(stderr, "mailseal: --from-received replaces --ip, --mail-from and --helo\n");
        return CLI_USAGE;
    }
    ms_psl *psl = NULL;
    if (a.mode == MS_DMARC_MODE_RFC7489) {
        char err[256] = "";
        if (ms_psl_load(a.psl, &psl, err, sizeof(err)) != MS_OK) {
            fprintf(stderr, "mailseal: cannot load the Public Suffix List: %s\n", err);
            return CLI_FAILED;
        }
    }
    cli_dns dns;
    if (!cli_dns_open(&a.g, &dns)) {
        ms_psl_free(psl);
        return CLI_FAILED;
    }
    int rc = run(&a, dns.resolver, psl);
    cli_dns_close(&dns);
    ms_psl_free(psl);
    return rc;
}
