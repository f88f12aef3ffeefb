/* SPDX-License-Identifier: MIT */
/* `mailseal report generate`: RFC 9990 aggregate reports from the receiver's history (what
 * mailseal-milter and `mailseal verify --store` recorded): one report per policy domain for the
 * period [--since, --until) (RFC 9990 §3.1: one DMARC Policy Domain per report), records
 * grouped by every field a record holds, with counts; policy_published as last observed in the
 * period (§3.1: "the final configuration observed"); written gzip-compressed into DIR under
 * the file name of §3.5.2. Messages that carried reports are left out (no report loops). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "store_option.h"

static const char USAGE[] =
    "usage: mailseal report generate --since YYYY-MM-DD --until YYYY-MM-DD --org-name NAME\n"
    "                                --email ADDR --out DIR [options]\n"
    "\n"
    "Makes one DMARC aggregate report (RFC 9990) per policy domain from the history that\n"
    "mailseal-milter and `mailseal verify --store` record, for the messages received from the\n"
    "start of --since to the start of --until (UTC), and writes each gzip-compressed into DIR\n"
    "as receiver!policy-domain!begin!end.xml.gz (RFC 9990 §3.5.2). Generating the same period\n"
    "again gives the same file names and report ids. Messages that carried reports are never\n"
    "reported.\n"
    "\n"
    "options:\n"
    "  --since DATE         first day of the period (YYYY-MM-DD, UTC)\n"
    "  --until DATE         the day after the period\n"
    "  --org-name NAME      the reporting organization (report_metadata/org_name)\n"
    "  --email ADDR         its contact address (report_metadata/email)\n"
    "  --receiver DOMAIN    the receiver's domain in file names and report ids (default: the\n"
    "                       domain of --email)\n"
    "  --out DIR            where the .xml.gz files go (created when missing)\n"
    "  --domain D           only this policy domain (repeatable)\n"
    "  --daily              one report per domain and UTC day of the period (RFC 9990 §3.1.1.4:\n"
    "                       reports usually cover a day) instead of one for the whole "
    "period\n" CLI_STORE_HELP "\n"
    "exit status: 0 reports written (or nothing to report), 1 failure, 2 usage error\n";

enum {
    OPT_SINCE = OPT_FIRST_LOCAL,
    OPT_UNTIL,
    OPT_ORG_NAME,
    OPT_EMAIL,
    OPT_RECEIVER,
    OPT_OUT,
    OPT_DOMAIN,
    OPT_STORE,
    OPT_DAILY,
};

#define GEN_MAX_DOMAINS 64
#define GEN_MAX_DKIM 100 /* signatures per record (RFC 9990 §3.1.3) */

typedef struct gen_args {
    int64_t since, until;
    bool daily;
    const char *org_name, *email, *receiver, *out, *store;
    const char *domains[GEN_MAX_DOMAINS];
    size_t n_domains;
} gen_args;

/* ---- grouping rows into records --------------------------------------------------------- */

typedef struct group {
    struct group *next; /* hash chain */
    const char *key;
    ms_report_record rec;
} group;

#define GEN_BUCKETS 4096u

typedef struct gen_report {
    ms_arena *arena;
    group *buckets[GEN_BUCKETS];
    group **order; /* groups in first-seen order */
    size_t n, cap;
    bool failed;
    uint64_t n_rows, n_skipped;
    /* policy_published: the last row's */
    const char *p, *sp, *np, *adkim, *aspf, *fo, *testing, *discovery;
    int pct;
} gen_report;

static const char *const DKIM_RESULTS[] = {"none",    "pass",      "fail",      "policy",
                                           "neutral", "temperror", "permerror", NULL};
static const char *const SPF_RESULTS[] = {"none",    "pass",      "fail",      "softfail", "policy",
                                          "neutral", "temperror", "permerror", NULL};
static const char *const OVERRIDES[] = {"local_policy",     "mailing_list",      "other",
                                        "policy_test_mode", "trusted_forwarder", NULL};
static const char *const POLICIES[] = {"none", "quarantine", "reject", NULL};

/* v when it is one of set; otherwise fallback (the XSD enumerations, RFC 9990 Appendix A). */
static const char *pick(const char *v, const char *const *set, const char *fallback)
{
    for (size_t k = 0; v != NULL && set[k] != NULL; k++) {
        if (strcmp(v, set[k]) == 0) {
            return set[k];
        }
    }
    return fallback;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t k = 0; k < n; k++) {
        h = (h ^ (uint8_t)s[k]) * 1099511628211ull;
    }
    return h;
}

/* Appends "v|" with '|' and '\\' escaped, so distinct rows never share a key; in lower case,
 * as the identifiers are written. */
static void key_put(FILE *f, const char *v)
{
    if (v == NULL) {
        fputs("\\0|", f);
        return;
    }
    for (const char *c = v; *c; c++) {
        if (*c == '|' || *c == '\\') {
            fputc('\\', f);
        }
        fputc(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c, f); /* domains: any case */
    }
    fputc('|', f);
}

static const char *gdup(gen_report *g, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    const char *d = ms_arena_strdup(g->arena, s);
    if (d == NULL) {
        g->failed = true;
    }
    return d;
}

/* A domain name in lower case (RFC 4343: case does not matter; reports are read that way). */
static const char *gdup_lower(gen_report *g, const char *s)
{
    char *d = (char *)(uintptr_t)gdup(g, s);
    for (size_t k = 0; d != NULL && d[k] != '\0'; k++) {
        if (d[k] >= 'A' && d[k] <= 'Z') {
            d[k] = (char)(d[k] - 'A' + 'a');
        }
    }
    return d;
}

static int add_row(void *user, const ms_history_row *row)
{
    gen_report *g = user;
    if (row->carries_report) {
        g->n_skipped++; /* report mail is never reported */
        return 0;
    }
    g->n_rows++;
    g->p = gdup(g, pick(row->p, POLICIES, "none"));
    g->sp = gdup(g, pick(row->sp, POLICIES, NULL));
    g->np = gdup(g, pick(row->np, POLICIES, NULL));
    g->adkim = row->adkim && (strcmp(row->adkim, "s") == 0 || strcmp(row->adkim, "r") == 0)
                   ? gdup(g, row->adkim)
                   : NULL;
    g->aspf = row->aspf && (strcmp(row->aspf, "s") == 0 || strcmp(row->aspf, "r") == 0)
                  ? gdup(g, row->aspf)
                  : NULL;
    g->fo = gdup(g, row->fo);
    g->testing = row->testing && (strcmp(row->testing, "y") == 0 || strcmp(row->testing, "n") == 0)
                     ? gdup(g, row->testing)
                     : NULL;
    g->discovery = row->discovery && (strcmp(row->discovery, "psl") == 0 ||
                                      strcmp(row->discovery, "treewalk") == 0)
                       ? gdup(g, row->discovery)
                       : NULL;
    g->pct = row->pct;

    /* The record this row belongs to: every field a record holds (RFC 9990 §3.1.1.7). */
    const char *disposition = pick(row->disposition, POLICIES, "none");
    const char *dkim_eval = row->dkim_aligned ? "pass" : "fail";
    const char *spf_eval = row->spf_aligned ? "pass" : "fail";
    size_t n_dkim = row->n_dkim < GEN_MAX_DKIM ? row->n_dkim : GEN_MAX_DKIM;
    char *key = NULL;
    size_t key_len = 0;
    FILE *kf = open_memstream(&key, &key_len);
    if (kf == NULL) {
        g->failed = true;
        return 1;
    }
    key_put(kf, row->source_ip);
    key_put(kf, disposition);
    key_put(kf, dkim_eval);
    key_put(kf, spf_eval);
    key_put(kf, row->header_from);
    key_put(kf, row->envelope_from);
    key_put(kf, row->envelope_to);
    for (size_t k = 0; k < n_dkim; k++) {
        key_put(kf, row->dkim[k].domain);
        key_put(kf, row->dkim[k].selector);
        key_put(kf, row->dkim[k].result);
    }
    fputs("#|", kf);
    key_put(kf, row->spf_domain);
    key_put(kf, row->spf_result);
    for (size_t k = 0; k < row->n_overrides; k++) {
        key_put(kf, row->overrides[k].type);
        key_put(kf, row->overrides[k].comment);
    }
    if (fclose(kf) != 0 || key == NULL) {
        free(key);
        g->failed = true;
        return 1;
    }
    uint64_t h = fnv1a(key, key_len) % GEN_BUCKETS;
    for (group *gr = g->buckets[h]; gr != NULL; gr = gr->next) {
        if (strcmp(gr->key, key) == 0) {
            gr->rec.count++;
            free(key);
            return 0;
        }
    }
    group *gr = ms_arena_alloc(g->arena, sizeof *gr);
    if (gr == NULL) {
        free(key);
        g->failed = true;
        return 1;
    }
    memset(gr, 0, sizeof *gr);
    gr->key = gdup(g, key);
    free(key);
    ms_report_record *r = &gr->rec;
    r->source_ip = gdup(g, row->source_ip ? row->source_ip : "");
    r->count = 1;
    r->disposition = disposition;
    r->dkim = dkim_eval;
    r->spf = spf_eval;
    r->header_from = gdup_lower(g, row->header_from ? row->header_from : "");
    r->envelope_from = gdup_lower(g, row->envelope_from);
    r->envelope_to = gdup_lower(g, row->envelope_to);
    if (n_dkim > 0) {
        ms_report_dkim *d = ms_arena_alloc(g->arena, sizeof *d * n_dkim);
        if (d == NULL) {
            g->failed = true;
            return 1;
        }
        for (size_t k = 0; k < n_dkim; k++) {
            d[k].domain = gdup_lower(g, row->dkim[k].domain ? row->dkim[k].domain : "");
            d[k].selector = gdup(g, row->dkim[k].selector);
            d[k].result = pick(row->dkim[k].result, DKIM_RESULTS, "permerror");
            d[k].human_result = gdup(g, row->dkim[k].human_result);
        }
        r->dkim_results = d;
        r->n_dkim = n_dkim;
    }
    if (row->spf_result != NULL) {
        ms_report_spf *s = ms_arena_alloc(g->arena, sizeof *s);
        if (s == NULL) {
            g->failed = true;
            return 1;
        }
        s->domain = gdup_lower(g, row->spf_domain ? row->spf_domain : "");
        s->scope = "mfrom"; /* the only SPFDomainScope of RFC 9990 */
        s->result = pick(row->spf_result, SPF_RESULTS, "permerror");
        s->human_result = gdup(g, row->spf_human);
        r->spf_results = s;
        r->n_spf = 1;
    }
    if (row->n_overrides > 0) {
        ms_report_reason *o = ms_arena_alloc(g->arena, sizeof *o * row->n_overrides);
        if (o == NULL) {
            g->failed = true;
            return 1;
        }
        for (size_t k = 0; k < row->n_overrides; k++) {
            o[k].type = pick(row->overrides[k].type, OVERRIDES, "other");
            o[k].comment = gdup(g, row->overrides[k].comment);
        }
        r->reasons = o;
        r->n_reasons = row->n_overrides;
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        group **o = realloc(g->order, sizeof *o * cap);
        if (o == NULL) {
            g->failed = true;
            return 1;
        }
        g->order = o;
        g->cap = cap;
    }
    g->order[g->n++] = gr;
    gr->next = g->buckets[h];
    g->buckets[h] = gr;
    return g->failed ? 1 : 0;
}

/* ---- writing --------------------------------------------------------------------------- */

/* Writes data to DIR/name through a temporary file and rename (never a half-written report). */
static bool write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[4096], tmp[4096];
    int n1 = snprintf(path, sizeof path, "%s/%s", dir, name);
    int n2 = snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    if (n1 <= 0 || (size_t)n1 >= sizeof path || n2 <= 0 || (size_t)n2 >= sizeof tmp) {
        fprintf(stderr, "mailseal: %s: path too long\n", dir);
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "mailseal: %s: %s\n", tmp, strerror(errno));
        return false;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        done += (size_t)w;
    }
    bool ok = done == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "mailseal: %s: %s\n", path, strerror(errno));
        (void)unlink(tmp);
        return false;
    }
    printf("%s\n", path);
    return true;
}

static int generate_one(const gen_args *a, ms_store *store, const char *domain)
{
    gen_report *g = calloc(1, sizeof *g);
    if (g == NULL || ms_arena_new(NULL, SIZE_MAX / 4, &g->arena) != MS_OK) {
        free(g);
        fprintf(stderr, "mailseal: out of memory\n");
        return CLI_FAILED;
    }
    int rc = CLI_FAILED;
    ms_status st = ms_store_history_each(store, domain, a->since, a->until, add_row, g);
    if (st != MS_OK) {
        char err[512] = "";
        ms_store_last_error(store, err, sizeof err);
        fprintf(stderr, "mailseal: %s: cannot read the history: %s\n", domain,
                err[0] ? err : ms_status_str(st));
        goto out;
    }
    if (g->failed) {
        fprintf(stderr, "mailseal: %s: out of memory grouping the history\n", domain);
        goto out;
    }
    if (g->n == 0) {
        printf("%s: nothing to report (%llu report message%s left out)\n", domain,
               (unsigned long long)g->n_skipped, g->n_skipped == 1 ? "" : "s");
        rc = CLI_OK;
        goto out;
    }
    ms_report_record *recs = ms_arena_alloc(g->arena, sizeof *recs * g->n);
    if (recs == NULL) {
        fprintf(stderr, "mailseal: out of memory\n");
        goto out;
    }
    for (size_t k = 0; k < g->n; k++) {
        recs[k] = g->order[k]->rec;
    }
    ms_report_aggregate r;
    memset(&r, 0, sizeof r);
    r.org_name = a->org_name;
    r.email = a->email;
    r.begin = a->since;
    r.end = a->until - 1; /* the last second of the period */
    /* RFC 9990 §3.5.1: unique among reports to the same domain, and the same when the same
     * period is generated again (re-sent reports keep their id and file name, §3.5.2). */
    char rid[600];
    (void)snprintf(rid, sizeof rid, "%lld.%lld.%s@%s", (long long)r.begin, (long long)r.end, domain,
                   a->receiver);
    r.report_id = ms_arena_strdup(g->arena, rid);
    r.generator = "mailseal " MS_VERSION;
    r.domain = domain;
    r.p = g->p;
    r.sp = g->sp;
    r.np = g->np;
    r.adkim = g->adkim;
    r.aspf = g->aspf;
    r.fo = g->fo;
    r.testing = g->testing;
    r.discovery_method = g->discovery;
    r.pct = g->pct;
    r.records = recs;
    r.n_records = g->n;
    const char *xml = NULL;
    size_t xml_len = 0;
    st = ms_report_write_aggregate(&r, g->arena, &xml, &xml_len);
    if (st != MS_OK) {
        fprintf(stderr, "mailseal: %s: cannot write the report: %s\n", domain, ms_status_str(st));
        goto out;
    }
    const uint8_t *gz = NULL;
    size_t gz_len = 0;
    st = ms_report_gzip((const uint8_t *)xml, xml_len, g->arena, &gz, &gz_len);
    if (st != MS_OK) {
        fprintf(stderr, "mailseal: %s: cannot compress the report: %s\n", domain,
                ms_status_str(st));
        goto out;
    }
    const char *name =
        ms_report_filename(a->receiver, domain, r.begin, r.end, NULL, "xml.gz", g->arena);
    if (name == NULL) {
        fprintf(stderr,
                "mailseal: %s: not a domain that can name a report file (RFC 9990 "
                "§3.5.2)\n",
                domain);
        goto out;
    }
    if (write_file(a->out, name, gz, gz_len)) {
        rc = CLI_OK;
    }
out:
    free(g->order);
    ms_arena_free(g->arena);
    free(g);
    return rc;
}

typedef struct domain_list {
    char **names;
    size_t n, cap;
    bool failed;
} domain_list;

static int collect_domain(void *user, const char *domain)
{
    domain_list *l = user;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **n = realloc(l->names, sizeof *n * cap);
        if (n == NULL) {
            l->failed = true;
            return 1;
        }
        l->names = n;
        l->cap = cap;
    }
    l->names[l->n] = strdup(domain);
    if (l->names[l->n] == NULL) {
        l->failed = true;
        return 1;
    }
    l->n++;
    return 0;
}

/* One report per policy domain (the --domain ones, or every one with history) for the period
 * [a->since, a->until). */
static int generate_period(const gen_args *a, ms_store *store)
{
    domain_list l = {0};
    int rc = CLI_OK;
    if (a->n_domains > 0) {
        for (size_t k = 0; k < a->n_domains && !l.failed; k++) {
            char lower[512];
            size_t n = strnlen(a->domains[k], sizeof lower - 1);
            for (size_t i = 0; i < n; i++) {
                char c = a->domains[k][i];
                lower[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
            }
            lower[n] = '\0';
            (void)collect_domain(&l, lower);
        }
    } else {
        ms_status st = ms_store_history_domains(store, a->since, a->until, collect_domain, &l);
        if (st != MS_OK) {
            char err[512] = "";
            ms_store_last_error(store, err, sizeof err);
            fprintf(stderr, "mailseal: cannot read the history: %s\n",
                    err[0] ? err : ms_status_str(st));
            rc = CLI_FAILED;
        }
    }
    if (l.failed) {
        fprintf(stderr, "mailseal: out of memory\n");
        rc = CLI_FAILED;
    }
    for (size_t k = 0; rc == CLI_OK && k < l.n; k++) {
        rc = generate_one(a, store, l.names[k]);
    }
    for (size_t k = 0; k < l.n; k++) {
        free(l.names[k]);
    }
    free(l.names);
    return rc;
}

int cmd_report_generate(int argc, char **argv)
{
    static const struct option LONG[] = {
        {"since", 1, NULL, OPT_SINCE},
        {"until", 1, NULL, OPT_UNTIL},
        {"org-name", 1, NULL, OPT_ORG_NAME},
        {"email", 1, NULL, OPT_EMAIL},
        {"receiver", 1, NULL, OPT_RECEIVER},
        {"out", 1, NULL, OPT_OUT},
        {"domain", 1, NULL, OPT_DOMAIN},
        {"store", 1, NULL, OPT_STORE},
        {"daily", 0, NULL, OPT_DAILY},
        {"help", 0, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    gen_args a;
    memset(&a, 0, sizeof a);
    a.since = a.until = -1;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (o) {
        case OPT_SINCE:
        case OPT_UNTIL:
            if (!cli_parse_date(optarg, o == OPT_SINCE ? &a.since : &a.until)) {
                fprintf(stderr, "mailseal: --%s takes a date YYYY-MM-DD (UTC), got '%s'\n",
                        o == OPT_SINCE ? "since" : "until", optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_ORG_NAME:
            a.org_name = optarg;
            break;
        case OPT_EMAIL:
            a.email = optarg;
            break;
        case OPT_RECEIVER:
            a.receiver = optarg;
            break;
        case OPT_OUT:
            a.out = optarg;
            break;
        case OPT_DOMAIN:
            if (a.n_domains == GEN_MAX_DOMAINS) {
                fprintf(stderr, "mailseal: at most %d --domain\n", GEN_MAX_DOMAINS);
                return CLI_USAGE;
            }
            a.domains[a.n_domains++] = optarg;
            break;
        case OPT_STORE:
            a.store = optarg;
            break;
        case OPT_DAILY:
            a.daily = true;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return CLI_OK;
        default:
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc || a.since < 0 || a.until < 0 || !a.org_name || !a.email || !a.out) {
        fprintf(stderr, "mailseal: give --since, --until, --org-name, --email and --out\n\n");
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if (a.until <= a.since) {
        fprintf(stderr, "mailseal: --until must be after --since\n");
        return CLI_USAGE;
    }
    if (a.receiver == NULL) {
        const char *at = strrchr(a.email, '@');
        a.receiver = at ? at + 1 : NULL;
        if (a.receiver == NULL || a.receiver[0] == '\0') {
            fprintf(stderr, "mailseal: --email has no domain: give --receiver DOMAIN\n");
            return CLI_USAGE;
        }
    }
    if (mkdir(a.out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "mailseal: cannot create %s: %s\n", a.out, strerror(errno));
        return CLI_FAILED;
    }
    ms_store *store = cli_store_open("report generate", a.store);
    if (store == NULL) {
        return CLI_FAILED;
    }
    int rc = CLI_OK;
    if (!a.daily) {
        rc = generate_period(&a, store);
    }
    /* --daily: the days [since, until) one by one, each its own period. */
    for (int64_t day = a.since; a.daily && rc == CLI_OK && day < a.until; day += 86400) {
        gen_args d = a;
        d.since = day;
        d.until = day + 86400 < a.until ? day + 86400 : a.until;
        rc = generate_period(&d, store);
    }
    ms_store_close(store);
    return rc;
}
