/* SPDX-License-Identifier: MIT */
/* A realistic fortnight of reports for example.com, built in memory: five reporters (one whose
 * org_name carries a <script> element, as an attacker would write it), nine sources (Amazon
 * SES passing through DKIM only, Google Workspace, Microsoft 365, SendGrid, Mailchimp, the
 * domain's own server passing through SPF only, a mailing list, two spoofers, one of them with
 * a PTR name claiming amazonses.com that does not lead back), failure reports and TLS reports;
 * and a zone with the reverse DNS names. The golden outputs, the HTML test in Chromium, the
 * store round trip and docs/report-summary.png all come from it. */
#ifndef MS_SUMMARY_FIXTURE_H
#define MS_SUMMARY_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "mailseal/report.h"

#define FIX_DAYS 14
#define FIX_BEGIN 1793491200 /* 2026-11-01 00:00:00 UTC */
#define FIX_MAX_REPORTS 128

typedef struct fix_source {
    const char *ip;
    const char *dkim_d, *dkim_result; /* NULL: not signed */
    const char *dkim_d2;              /* a second signature (the provider's own), may be NULL */
    const char *spf_d, *spf_result;
    const char *pe_dkim, *pe_spf; /* policy_evaluated */
    unsigned base;                /* messages per day and reporter, roughly */
    unsigned reporters;           /* bit i: reporter i sees it */
    unsigned days;                /* bit i: seen on day i (0: every day) */
} fix_source;

static const char *const FIX_REPORTERS[] = {"google.com", "Outlook.com", "Yahoo", "Mail.Ru",
                                            "<script>alert(1)</script> Evil Corp"};

static const fix_source FIX_SOURCES[] = {
    {"54.240.8.21", "example.com", "pass", "amazonses.com", "eu-west-1.amazonses.com", "pass",
     "pass", "fail", 60, 0x1f, 0},
    {"209.85.220.41", "example.com", "pass", NULL, "example.com", "pass", "pass", "pass", 45, 0x0f,
     0},
    {"40.107.22.55", "example.com", "pass", NULL, "example.com", "pass", "pass", "pass", 20, 0x07,
     0},
    {"167.89.12.4", "example.com", "pass", "sendgrid.net", "em4242.example.com", "pass", "pass",
     "pass", 30, 0x0b, 0},
    {"198.2.128.5", "example.com", "pass", "mcsv.net", "mail128-5.atl41.mcsv.net", "pass", "pass",
     "fail", 12, 0x03, 0x2aaa},
    {"192.0.2.10", NULL, NULL, NULL, "example.com", "pass", "fail", "pass", 8, 0x07, 0},
    {"198.51.100.20", "example.com", "fail", NULL, "lists.example.org", "pass", "fail", "fail", 2,
     0x01, 0x1248},
    {"203.0.113.9", NULL, NULL, NULL, "example.com", "fail", "fail", "fail", 5, 0x03, 0x3f00},
    {"185.220.101.7", NULL, NULL, NULL, "example.com", "softfail", "fail", "fail", 3, 0x05, 0x0c30},
};
#define FIX_N_SOURCES (sizeof(FIX_SOURCES) / sizeof(FIX_SOURCES[0]))

static const char FIX_ZONE[] =
    "21.8.240.54.in-addr.arpa. 3600 PTR a8-21.smtp-out.amazonses.com.\n"
    "a8-21.smtp-out.amazonses.com. 3600 A 54.240.8.21\n"
    "41.220.85.209.in-addr.arpa. 3600 PTR mail-sor-f41.google.com.\n"
    "mail-sor-f41.google.com. 3600 A 209.85.220.41\n"
    "55.22.107.40.in-addr.arpa. 3600 PTR mail-db8eur05on2055.outbound.protection.outlook.com.\n"
    "mail-db8eur05on2055.outbound.protection.outlook.com. 3600 A 40.107.22.55\n"
    "4.12.89.167.in-addr.arpa. 3600 PTR o1.ptr4242.sendgrid.net.\n"
    "o1.ptr4242.sendgrid.net. 3600 A 167.89.12.4\n"
    "5.128.2.198.in-addr.arpa. 3600 PTR mail128-5.atl41.mcsv.net.\n"
    "mail128-5.atl41.mcsv.net. 3600 A 198.2.128.5\n"
    "10.2.0.192.in-addr.arpa. 3600 PTR mail.example.com.\n"
    "mail.example.com. 3600 A 192.0.2.10\n"
    "20.100.51.198.in-addr.arpa. 3600 PTR lists.example.org.\n"
    "lists.example.org. 3600 A 198.51.100.20\n"
    /* claims to be SES; amazonses.com does not lead back to it */
    "9.113.0.203.in-addr.arpa. 3600 PTR smtp-out.amazonses.com.\n";

/* Messages one reporter saw from one source on one day: varies, never random. */
static unsigned fix_count(size_t src, size_t rep, size_t day)
{
    const fix_source *s = &FIX_SOURCES[src];
    if (!(s->reporters & (1u << rep)) || (s->days != 0 && !(s->days & (1u << day)))) {
        return 0;
    }
    unsigned wave = (unsigned)((day * 7 + rep * 3 + src * 5) % 9); /* 0..8 */
    unsigned weekend = (day % 7 == 0 || day % 7 == 6) ? 2 : 3;     /* 2026-11-01 is a Sunday */
    unsigned n = s->base * (6 + wave) * weekend / (3 * 8 * ((unsigned)rep + 1));
    return n ? n : 1;
}

typedef struct fix_set {
    ms_report reports[FIX_MAX_REPORTS];
    size_t n;
} fix_set;

static char *fix_str(ms_arena *a, const char *s)
{
    return s ? ms_arena_strdup(a, s) : NULL;
}

/* One aggregate report per reporter and day (when it saw something), three failure reports
 * and two TLS reports. false when the arena ran out. */
static bool fix_build(ms_arena *a, fix_set *set)
{
    memset(set, 0, sizeof(*set));
    for (size_t day = 0; day < FIX_DAYS; day++) {
        for (size_t rep = 0; rep < sizeof(FIX_REPORTERS) / sizeof(FIX_REPORTERS[0]); rep++) {
            ms_report_record *recs = ms_arena_alloc(a, FIX_N_SOURCES * sizeof(*recs));
            ms_report_aggregate *agg = ms_arena_alloc(a, sizeof(*agg));
            if (recs == NULL || agg == NULL) {
                return false;
            }
            memset(agg, 0, sizeof(*agg));
            size_t n = 0;
            uint64_t total = 0;
            for (size_t s = 0; s < FIX_N_SOURCES; s++) {
                unsigned count = fix_count(s, rep, day);
                if (count == 0) {
                    continue;
                }
                const fix_source *f = &FIX_SOURCES[s];
                ms_report_record *r = &recs[n++];
                memset(r, 0, sizeof(*r));
                r->source_ip = f->ip;
                r->count = count;
                r->disposition = "none";
                r->dkim = f->pe_dkim;
                r->spf = f->pe_spf;
                r->header_from = "example.com";
                ms_report_dkim *d = ms_arena_alloc(a, 2 * sizeof(*d));
                ms_report_spf *sp = ms_arena_alloc(a, sizeof(*sp));
                if (d == NULL || sp == NULL) {
                    return false;
                }
                if (f->dkim_d != NULL) {
                    d[r->n_dkim++] = (ms_report_dkim){f->dkim_d, "s1", f->dkim_result, NULL};
                }
                if (f->dkim_d2 != NULL) {
                    d[r->n_dkim++] = (ms_report_dkim){f->dkim_d2, "p1", "pass", NULL};
                }
                r->dkim_results = d;
                *sp = (ms_report_spf){f->spf_d, "mfrom", f->spf_result, NULL};
                r->spf_results = sp;
                r->n_spf = 1;
                total += count;
            }
            if (n == 0) {
                continue;
            }
            if (set->n == FIX_MAX_REPORTS) {
                return false;
            }
            agg->format = "rfc9990";
            agg->org_name = FIX_REPORTERS[rep];
            agg->email = "noreply-dmarc@reporter.example";
            char id[32];
            snprintf(id, sizeof(id), "%zu-%zu", rep, day);
            agg->report_id = fix_str(a, id);
            agg->begin = FIX_BEGIN + (int64_t)day * 86400;
            agg->end = agg->begin + 86399;
            agg->domain = "example.com";
            agg->p = "none";
            agg->adkim = "r";
            agg->aspf = "r";
            agg->pct = -1;
            agg->records = recs;
            agg->n_records = n;
            agg->n_messages = total;
            ms_report *rp = &set->reports[set->n++];
            rp->kind = MS_REPORT_AGGREGATE;
            rp->name = "fixture.xml";
            rp->aggregate = agg;
            rp->digest[0] = (uint8_t)set->n; /* distinct, as a real digest would be */
            rp->digest[1] = (uint8_t)(set->n >> 8);
        }
    }
    static const char *const fips[] = {"203.0.113.9", "203.0.113.9", "185.220.101.7"};
    for (size_t i = 0; i < 3; i++) {
        ms_report_failure *f = ms_arena_alloc(a, sizeof(*f));
        if (f == NULL || set->n == FIX_MAX_REPORTS) {
            return false;
        }
        memset(f, 0, sizeof(*f));
        f->feedback_type = "auth-failure";
        f->version = "1";
        f->auth_failure = "dmarc";
        f->reported_domain = "example.com";
        f->source_ip = fips[i];
        f->arrival = FIX_BEGIN + 86400 * (int64_t)(8 + i) + 3600;
        f->incidents = 1 + i;
        f->original_from = "ceo@example.com";
        ms_report *rp = &set->reports[set->n++];
        rp->kind = MS_REPORT_FAILURE;
        rp->name = "failure.eml";
        rp->failure = f;
        rp->digest[0] = (uint8_t)(200 + i);
    }
    for (size_t i = 0; i < 2; i++) {
        ms_tlsrpt_report *t = ms_arena_alloc(a, sizeof(*t));
        ms_tlsrpt_policy *p = ms_arena_alloc(a, sizeof(*p));
        ms_tlsrpt_failure *f = ms_arena_alloc(a, 2 * sizeof(*f));
        if (t == NULL || p == NULL || f == NULL || set->n == FIX_MAX_REPORTS) {
            return false;
        }
        memset(t, 0, sizeof(*t));
        memset(p, 0, sizeof(*p));
        memset(f, 0, 2 * sizeof(*f));
        f[0].result_type = "certificate-expired";
        f[0].receiving_mx_hostname = "mx2.example.com";
        f[0].failed_session_count = 7 + i * 5;
        f[1].result_type = "starttls-not-supported";
        f[1].receiving_mx_hostname = "mx1.example.com";
        f[1].failed_session_count = 3;
        p->policy_type = "sts";
        p->policy_domain = "example.com";
        p->total_successful = 4800 + i * 310;
        p->total_failure = f[0].failed_session_count + f[1].failed_session_count;
        p->failures = f;
        p->n_failures = 2;
        t->organization_name = "Google Inc.";
        t->report_id = i ? "tls-2" : "tls-1";
        t->begin = FIX_BEGIN + 86400 * (int64_t)(3 + i * 7);
        t->end = t->begin + 86399;
        t->policies = p;
        t->n_policies = 1;
        ms_report *rp = &set->reports[set->n++];
        rp->kind = MS_REPORT_TLSRPT;
        rp->name = "tlsrpt.json";
        rp->tlsrpt = t;
        rp->digest[0] = (uint8_t)(220 + i);
    }
    return true;
}

#endif
