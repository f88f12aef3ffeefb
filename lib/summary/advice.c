/* SPDX-License-Identifier: MIT */
/* The report summary's advice: what the numbers mean for the domain owner, in plain words, each
 * item with the numbers behind it. DMARC passes when DKIM or SPF passes aligned (RFC 9989 §4.4);
 * what p=quarantine and p=reject would do follows RFC 9989 §5.3 and §4.7 (policy_evaluated is
 * the reporter's view, RFC 9990 §2.1). */
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "summary/internal.h"

#define MAX_ADVICE 32
#define MAX_GROUPS 32

typedef struct advisor {
    ms_arena *arena;
    const ms_summary_result *r;
    ms_summary_advice *items;
    size_t n;
    ms_status st;
} advisor;

static void add(advisor *a, const char *id, ms_summary_level level, uint64_t n_sources,
                uint64_t n_messages, const char *text)
{
    if (a->st != MS_OK) {
        return;
    }
    if (text == NULL) {
        a->st = ms_arena_status(a->arena);
        if (a->st == MS_OK) {
            a->st = MS_ENOMEM;
        }
        return;
    }
    if (a->n < MAX_ADVICE) {
        a->items[a->n++] = (ms_summary_advice){id, level, text, n_sources, n_messages};
    }
}

static uint64_t failing(const ms_summary_source *s)
{
    return s->messages - (s->dmarc_pass <= s->messages ? s->dmarc_pass : s->messages);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The policy the advice speaks of: the domain asked for, else the busiest one. */
static const ms_summary_domain *main_domain(const ms_summary_result *r)
{
    for (size_t i = 0; r->domain != NULL && i < r->n_domains; i++) {
        if (strcmp(r->domains[i].domain, r->domain) == 0) {
            return &r->domains[i];
        }
    }
    return r->n_domains > 0 ? &r->domains[0] : NULL;
}

/* Does the source carry a signature of the From domain that no longer verifies? What mailing
 * lists and forwarders that change messages do (RFC 9989 §7.5, RFC 8617 for ARC). */
static bool broken_own_signature(const ms_summary_source *s)
{
    for (size_t i = 0; i < s->n_dkim_domains; i++) {
        for (size_t j = 0; j < s->n_header_from; j++) {
            if (strcmp(s->dkim_domains[i].name, s->header_from[j].name) == 0 &&
                s->dkim_domains[i].pass < s->dkim_domains[i].messages) {
                return true;
            }
        }
    }
    return false;
}

static void forwarders(advisor *a)
{
    const ms_summary_result *r = a->r;
    uint64_t n = 0, msgs = 0;
    const ms_summary_source *first = NULL;
    ms__buf list;
    ms__buf_init(&list, a->arena, 2048);
    for (size_t i = 0; i < r->n_sources; i++) {
        const ms_summary_source *s = &r->sources[i];
        if (s->provider != NULL || s->dmarc_pass > 0 || s->messages == 0 ||
            !broken_own_signature(s)) {
            continue;
        }
        if (n < MS_LIMIT_SUMMARY_LISTED) {
            ms__buf_printf(&list, "%s%s", n ? ", " : "", ms__summary_source_words(a->arena, s));
        }
        first = first ? first : s;
        n++;
        msgs += s->messages;
    }
    char n1[32], n2[32];
    ms__summary_num(msgs, n2, sizeof(n2));
    if (n == 1) {
        add(a, "forwarder", MS_SUMMARY_INFO, 1, msgs,
            ms__arena_printf(a->arena,
                             "source %s carries your DKIM signature but it no longer verifies "
                             "(%s %s, all failing): a mailing list or forwarder that changes "
                             "mail; it would lose this mail under p=reject unless it rewrites "
                             "From or the receiver trusts its ARC seal.",
                             ms__summary_source_words(a->arena, first), n2,
                             plural(msgs, "message", "messages")));
    } else if (n > 1) {
        add(a, "forwarder", MS_SUMMARY_INFO, n, msgs,
            ms__arena_printf(a->arena,
                             "%s sources (%s messages, all failing) carry your DKIM signature "
                             "but it no longer verifies: %s%s: mailing lists or forwarders that "
                             "change mail; they would lose this mail under p=reject unless they "
                             "rewrite From or the receiver trusts their ARC seals.",
                             ms__summary_num(n, n1, sizeof(n1)), n2,
                             ms__buf_status(&list) == MS_OK ? ms__buf_str(&list) : "",
                             n > MS_LIMIT_SUMMARY_LISTED ? ", ..." : ""));
    }
}

/* Unknown sources whose mail all fails: spoofing, or a service nobody set up. */
static void unknown_sources(advisor *a)
{
    const ms_summary_result *r = a->r;
    uint64_t more = 0, more_msgs = 0, listed = 0;
    char n1[32];
    for (size_t i = 0; i < r->n_sources; i++) {
        const ms_summary_source *s = &r->sources[i];
        if (s->provider != NULL || s->messages == 0 || s->dmarc_pass > 0 ||
            broken_own_signature(s)) {
            continue;
        }
        if (listed < MS_LIMIT_SUMMARY_LISTED) {
            listed++;
            const char *name = s->ptr ? ms__arena_printf(a->arena, " (%s%s)", s->ptr,
                                                         s->ptr_confirmed ? "" : ", unconfirmed")
                                      : "";
            add(a, "unknown-source", MS_SUMMARY_WARNING, 1, s->messages,
                ms__arena_printf(a->arena,
                                 "unknown source %s%s sends as you (%s %s, all failing): "
                                 "spoofing or a forgotten service.",
                                 s->ip, name ? name : "",
                                 ms__summary_num(s->messages, n1, sizeof(n1)),
                                 plural(s->messages, "message", "messages")));
        } else {
            more++;
            more_msgs += s->messages;
        }
    }
    if (more > 0) {
        char n2[32];
        add(a, "unknown-sources-more", MS_SUMMARY_WARNING, more, more_msgs,
            ms__arena_printf(a->arena,
                             "%s more unknown %s (%s messages) send as you and fail for all "
                             "their mail.",
                             ms__summary_num(more, n1, sizeof(n1)),
                             plural(more, "source", "sources"),
                             ms__summary_num(more_msgs, n2, sizeof(n2))));
    }
}

/* Sources with failing mail: what a stricter policy would do to them. */
static void would_reject(advisor *a, const char *p)
{
    const ms_summary_result *r = a->r;
    uint64_t n = 0, msgs = 0;
    ms__buf list;
    ms__buf_init(&list, a->arena, 4096);
    char n1[32], n2[32];
    for (size_t i = 0; i < r->n_sources; i++) {
        const ms_summary_source *s = &r->sources[i];
        uint64_t f = failing(s);
        if (f == 0) {
            continue;
        }
        if (n < MS_LIMIT_SUMMARY_LISTED) {
            ms__buf_printf(
                &list, "%s%s: %s", n ? "; " : "", ms__summary_source_words(a->arena, s),
                f == s->messages
                    ? ms__arena_printf(a->arena, "%s failing", ms__summary_num(f, n1, sizeof(n1)))
                    : ms__arena_printf(a->arena, "%s of %s failing",
                                       ms__summary_num(f, n1, sizeof(n1)),
                                       ms__summary_num(s->messages, n2, sizeof(n2))));
        }
        n++;
        msgs += f;
    }
    if (n == 0) {
        return;
    }
    if (n > MS_LIMIT_SUMMARY_LISTED) {
        ms__buf_printf(&list, "; and %s more",
                       ms__summary_num(n - MS_LIMIT_SUMMARY_LISTED, n1, sizeof(n1)));
    }
    const char *l = ms__buf_status(&list) == MS_OK ? ms__buf_str(&list) : "";
    char sn[32], mn[32];
    ms__summary_num(n, sn, sizeof(sn));
    ms__summary_num(msgs, mn, sizeof(mn));
    const char *head = plural(n, "source", "sources");
    const char *text;
    if (p != NULL && strcmp(p, "reject") == 0) {
        text = ms__arena_printf(a->arena,
                                "%s %s (%s messages) fail DMARC, and your p=reject asks "
                                "receivers to reject that mail: %s.",
                                sn, head, mn, l);
    } else {
        text = ms__arena_printf(a->arena,
                                "%s %s (%s messages) would be rejected if you moved to "
                                "p=reject%s: %s.",
                                sn, head, mn,
                                p != NULL && strcmp(p, "quarantine") == 0
                                    ? " (p=quarantine sends them to spam today)"
                                    : "",
                                l);
    }
    add(a, "would-reject",
        p != NULL && strcmp(p, "reject") == 0 ? MS_SUMMARY_INFO : MS_SUMMARY_ACTION, n, msgs, text);
}

typedef struct group {
    const char *provider;
    uint64_t sources, messages, dkim_aligned, spf_aligned;
    const ms_summary_count *envelope; /* the busiest SPF domain */
    const ms_summary_count *signer;   /* the busiest DKIM d= */
} group;

/* Providers whose mail passes only through one of DKIM or SPF. */
static void one_leg(advisor *a)
{
    const ms_summary_result *r = a->r;
    group g[MAX_GROUPS];
    size_t ng = 0;
    uint64_t spf_only = 0, spf_only_msgs = 0;
    ms__buf list;
    ms__buf_init(&list, a->arena, 2048);
    char n1[32], n2[32];
    for (size_t i = 0; i < r->n_sources; i++) {
        const ms_summary_source *s = &r->sources[i];
        if (s->provider == NULL) {
            if (s->spf_aligned > 0 && s->dkim_aligned == 0) {
                if (spf_only < MS_LIMIT_SUMMARY_LISTED) {
                    ms__buf_printf(&list, "%s%s", spf_only ? ", " : "",
                                   ms__summary_source_words(a->arena, s));
                }
                spf_only++;
                spf_only_msgs += s->messages;
            }
            continue;
        }
        size_t j = 0;
        while (j < ng && g[j].provider != s->provider) {
            j++;
        }
        if (j == ng) {
            if (ng == MAX_GROUPS) {
                continue;
            }
            g[ng++] = (group){.provider = s->provider};
        }
        g[j].sources++;
        g[j].messages += s->messages;
        g[j].dkim_aligned += s->dkim_aligned;
        g[j].spf_aligned += s->spf_aligned;
        if (s->n_spf_domains > 0 &&
            (g[j].envelope == NULL || s->spf_domains[0].messages > g[j].envelope->messages)) {
            g[j].envelope = &s->spf_domains[0];
        }
        if (s->n_dkim_domains > 0 &&
            (g[j].signer == NULL || s->dkim_domains[0].messages > g[j].signer->messages)) {
            g[j].signer = &s->dkim_domains[0];
        }
    }
    for (size_t j = 0; j < ng; j++) {
        const group *x = &g[j];
        char pct[16];
        ms__summary_num(x->sources, n1, sizeof(n1));
        ms__summary_num(x->messages, n2, sizeof(n2));
        if (x->dkim_aligned > 0 && x->spf_aligned * 10 < x->messages) {
            add(a, "dkim-only", MS_SUMMARY_INFO, x->sources, x->messages,
                ms__arena_printf(
                    a->arena,
                    "%s mail passes only through DKIM (SPF aligns for %s%s%s; fine, or set a "
                    "custom MAIL FROM domain) - %s %s, %s messages.",
                    x->provider, ms__summary_pct(x->spf_aligned, x->messages, pct, sizeof(pct)),
                    x->envelope ? ": the envelope is " : "", x->envelope ? x->envelope->name : "",
                    n1, plural(x->sources, "source", "sources"), n2));
        } else if (x->spf_aligned > 0 && x->dkim_aligned * 10 < x->messages) {
            add(a, "spf-only", MS_SUMMARY_WARNING, x->sources, x->messages,
                ms__arena_printf(
                    a->arena,
                    "%s mail passes only through SPF (DKIM aligns for %s%s%s): forwarded mail "
                    "will fail DMARC; set up DKIM signing for your domain at %s - %s %s, %s "
                    "messages.",
                    x->provider, ms__summary_pct(x->dkim_aligned, x->messages, pct, sizeof(pct)),
                    x->signer ? ": it signs as d=" : ": it does not sign",
                    x->signer ? x->signer->name : "", x->provider, n1,
                    plural(x->sources, "source", "sources"), n2));
        }
    }
    if (spf_only > 0) {
        ms__summary_num(spf_only, n1, sizeof(n1));
        ms__summary_num(spf_only_msgs, n2, sizeof(n2));
        add(a, "spf-only", MS_SUMMARY_WARNING, spf_only, spf_only_msgs,
            ms__arena_printf(a->arena,
                             "%s %s (%s messages) %s only through SPF (no aligned DKIM "
                             "signature): %s%s. Forwarded mail will fail DMARC; sign it with "
                             "DKIM for your domain.",
                             n1, plural(spf_only, "source", "sources"), n2,
                             plural(spf_only, "passes", "pass"),
                             ms__buf_status(&list) == MS_OK ? ms__buf_str(&list) : "",
                             spf_only > MS_LIMIT_SUMMARY_LISTED ? ", ..." : ""));
    }
}

/* Can the policy be tightened? */
static void policy_step(advisor *a, const char *p)
{
    const ms_summary_result *r = a->r;
    uint64_t fail_msgs = 0, fail_known = 0, spoof_sources = 0, spoof_msgs = 0, passing = 0;
    uint64_t fwd_msgs = 0;
    for (size_t i = 0; i < r->n_sources; i++) {
        const ms_summary_source *s = &r->sources[i];
        uint64_t f = failing(s);
        fail_msgs += f;
        if (f > 0 && (s->provider != NULL || s->dmarc_pass > 0)) {
            fail_known++;
        } else if (f > 0 && broken_own_signature(s)) {
            fwd_msgs += f;
        } else if (f > 0) {
            spoof_sources++;
            spoof_msgs += f;
        } else {
            passing++;
        }
    }
    const char *next = p == NULL || strcmp(p, "none") == 0 ? "p=quarantine, then p=reject"
                       : strcmp(p, "quarantine") == 0      ? "p=reject"
                                                           : NULL;
    char n1[32], n2[32];
    if (fail_msgs == 0) {
        ms__summary_num(r->n_sources, n1, sizeof(n1));
        ms__summary_num(r->messages, n2, sizeof(n2));
        if (next != NULL) {
            add(a, "all-pass", MS_SUMMARY_ACTION, r->n_sources, r->messages,
                ms__arena_printf(a->arena,
                                 "all sources pass (%s %s, %s messages): you can move to %s.", n1,
                                 plural(r->n_sources, "source", "sources"), n2, next));
        } else {
            add(a, "all-pass", MS_SUMMARY_INFO, r->n_sources, r->messages,
                ms__arena_printf(a->arena,
                                 "all sources pass (%s %s, %s messages) and p=reject protects "
                                 "the domain.",
                                 n1, plural(r->n_sources, "source", "sources"), n2));
        }
    } else if (fail_known == 0 && passing > 0 && next != NULL && spoof_sources == 0) {
        /* The only failures are forwarded mail (a broken signature of ours). */
        ms__summary_num(fwd_msgs, n2, sizeof(n2));
        add(a, "only-forwarded", MS_SUMMARY_ACTION, 0, fwd_msgs,
            ms__arena_printf(a->arena,
                             "every source that passes at all passes for all its mail; the only "
                             "failures are %s forwarded messages: you can move to %s.",
                             n2, next));
    } else if (fail_known == 0 && passing > 0 && next != NULL) {
        ms__summary_num(spoof_sources, n1, sizeof(n1));
        ms__summary_num(spoof_msgs, n2, sizeof(n2));
        char n3[32];
        add(a, "only-spoofing", MS_SUMMARY_ACTION, spoof_sources, spoof_msgs,
            ms__arena_printf(a->arena,
                             "every source that passes at all passes for all its mail; the other "
                             "failures (%s messages from %s unknown %s) look like spoofing%s%s%s: "
                             "you can move to %s.",
                             n2, n1, plural(spoof_sources, "source", "sources"),
                             fwd_msgs ? ", besides " : "",
                             fwd_msgs ? ms__summary_num(fwd_msgs, n3, sizeof(n3)) : "",
                             fwd_msgs ? " forwarded messages" : "", next));
    } else if (p == NULL || strcmp(p, "none") == 0) {
        ms__summary_num(fail_known, n1, sizeof(n1));
        add(a, "fix-first", MS_SUMMARY_INFO, fail_known, 0,
            ms__arena_printf(a->arena,
                             "with p=none receivers act on nothing; make the %s recognised or "
                             "partly passing %s above pass before moving to p=quarantine.",
                             n1, plural(fail_known, "source", "sources")));
    }
}

static void dispositions(advisor *a)
{
    const ms_summary_result *r = a->r;
    if (r->quarantined + r->rejected == 0) {
        return;
    }
    char n1[32], n2[32], n3[32], pct[16];
    add(a, "dispositions", MS_SUMMARY_INFO, 0, r->quarantined + r->rejected,
        ms__arena_printf(
            a->arena, "receivers quarantined %s and rejected %s of the %s messages (%s).",
            ms__summary_num(r->quarantined, n1, sizeof(n1)),
            ms__summary_num(r->rejected, n2, sizeof(n2)),
            ms__summary_num(r->messages, n3, sizeof(n3)),
            ms__summary_pct(r->quarantined + r->rejected, r->messages, pct, sizeof(pct))));
}

static void failures(advisor *a)
{
    const ms_summary_result *r = a->r;
    if (r->failure_reports == 0) {
        return;
    }
    char n1[32], n2[32], n3[32], n4[32];
    const ms_summary_failure_source *top = r->n_failure_sources ? &r->failure_sources[0] : NULL;
    add(a, "failure-reports", MS_SUMMARY_INFO, r->n_failure_sources, r->failure_incidents,
        ms__arena_printf(a->arena, "%s failure %s (%s %s) about %s %s%s%s%s%s.",
                         ms__summary_num(r->failure_reports, n1, sizeof(n1)),
                         plural(r->failure_reports, "report", "reports"),
                         ms__summary_num(r->failure_incidents, n2, sizeof(n2)),
                         plural(r->failure_incidents, "incident", "incidents"),
                         ms__summary_num(r->n_failure_sources, n3, sizeof(n3)),
                         plural(r->n_failure_sources, "source", "sources"),
                         top ? "; most from " : "", top ? top->ip : "",
                         top ? ms__arena_printf(a->arena, " (%s %s)",
                                                ms__summary_num(top->incidents, n4, sizeof(n4)),
                                                plural(top->incidents, "incident", "incidents"))
                             : "",
                         ""));
}

static void tls(advisor *a)
{
    const ms_summary_result *r = a->r;
    if (r->tls_reports == 0) {
        return;
    }
    uint64_t ok = 0, failed = 0;
    for (size_t i = 0; i < r->n_tls_domains; i++) {
        ok += r->tls_domains[i].successful;
        failed += r->tls_domains[i].failed;
    }
    char n1[32], n2[32], n3[32], pct[16];
    if (failed == 0) {
        add(a, "tls-ok", MS_SUMMARY_INFO, 0, 0,
            ms__arena_printf(a->arena,
                             "TLS-RPT: all %s sessions in %s %s were made over TLS without a "
                             "failure.",
                             ms__summary_num(ok, n1, sizeof(n1)),
                             ms__summary_num(r->tls_reports, n2, sizeof(n2)),
                             plural(r->tls_reports, "report", "reports")));
        return;
    }
    ms__buf list;
    ms__buf_init(&list, a->arena, 2048);
    for (size_t i = 0; i < r->n_tls_failures && i < MS_LIMIT_SUMMARY_LISTED; i++) {
        const ms_summary_tls_failure *f = &r->tls_failures[i];
        ms__buf_printf(&list, "%s%s to %s (%s)", i ? ", " : "",
                       ms__summary_num(f->sessions, n1, sizeof(n1)),
                       f->mx[0] ? f->mx : f->policy_domain, f->result_type);
    }
    add(a, "tls-failures", MS_SUMMARY_WARNING, 0, failed,
        ms__arena_printf(
            a->arena, "TLS-RPT: %s of %s sessions (%s) to your MX hosts failed%s%s.",
            ms__summary_num(failed, n2, sizeof(n2)), ms__summary_num(ok + failed, n3, sizeof(n3)),
            ms__summary_pct(failed, ok + failed, pct, sizeof(pct)), r->n_tls_failures ? ": " : "",
            ms__buf_status(&list) == MS_OK ? ms__buf_str(&list) : ""));
}

ms_status ms__summary_advise(ms_arena *arena, ms_summary_result *r)
{
    advisor a = {.arena = arena, .r = r};
    a.items = ms_arena_alloc(arena, MAX_ADVICE * sizeof(*a.items));
    if (a.items == NULL) {
        return ms_arena_status(arena);
    }
    const ms_summary_domain *d = main_domain(r);
    const char *p = d ? d->p : NULL;
    if (r->messages == 0) {
        add(&a, "no-reports", MS_SUMMARY_INFO, 0, 0,
            r->reports == 0 && r->failure_reports == 0 && r->tls_reports == 0
                ? "no reports in the period: check that the DMARC record has rua= and that "
                  "reports reach the store (mailseal report ingest)."
                : "no DMARC aggregate report counted a message in the period.");
    } else {
        would_reject(&a, p);
        unknown_sources(&a);
        forwarders(&a);
        one_leg(&a);
        policy_step(&a, p);
        dispositions(&a);
    }
    failures(&a);
    tls(&a);
    if (a.st != MS_OK) {
        return a.st;
    }
    r->advice = a.items;
    r->n_advice = a.n;
    return MS_OK;
}
