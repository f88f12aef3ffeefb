/* SPDX-License-Identifier: MIT */
/* The report summary: aggregation (per source, day, reporter; IP forms merged; reports counted
 * once), provider recognition (confirmed reverse DNS, DKIM d=, SPF domain; an unconfirmed PTR
 * is not believed), the advice for each situation (table-driven), the number helpers, dates,
 * and that strings from reports are escaped in HTML, CSV and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "mailseal/summary.h"
#include "ms_test_util.h"
#include "summary/internal.h"

#define MAX_RECS 6

typedef struct rec {
    const char *ip;
    unsigned count;
    const char *pe_dkim, *pe_spf;
    const char *dkim_d, *dkim_res; /* NULL: unsigned */
    const char *spf_d, *spf_res;
    const char *disposition; /* NULL: none */
    const char *org;         /* NULL: "google.com" */
} rec;

typedef struct advice_case {
    const char *name;
    const char *p; /* policy published */
    rec recs[MAX_RECS];
    const char *want_ids;   /* advice ids, '|' separated, in order */
    const char *want_text;  /* a piece of the advice text, NULL for none */
    const char *provider;   /* of the busiest source, NULL for none */
    uint64_t want_messages; /* total */
} advice_case;

#define SES(n)                                                                                     \
    {                                                                                              \
        "54.240.8.21", n, "pass", "fail", "amazonses.com", "pass", "amazonses.com", "pass", NULL,  \
            NULL                                                                                   \
    }
#define OWN(n)                                                                                     \
    {                                                                                              \
        "192.0.2.10", n, "pass", "pass", "example.com", "pass", "example.com", "pass", NULL, NULL  \
    }
#define SPOOF(n)                                                                                   \
    {                                                                                              \
        "203.0.113.9", n, "fail", "fail", NULL, NULL, "example.com", "fail", NULL, NULL            \
    }

static const advice_case CASES[] = {
    {"no reports",
     "none",
     {{NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}},
     "no-reports",
     "no reports in the period",
     NULL,
     0},
    {"all pass, p=none",
     "none",
     {OWN(10)},
     "all-pass",
     "you can move to p=quarantine, then p=reject",
     NULL,
     10},
    {"all pass, p=quarantine",
     "quarantine",
     {OWN(10)},
     "all-pass",
     "you can move to p=reject.",
     NULL,
     10},
    {"all pass, p=reject", "reject", {OWN(10)}, "all-pass", "p=reject protects", NULL, 10},
    {"SES through DKIM only",
     "none",
     {SES(1204)},
     "dkim-only|all-pass",
     "Amazon SES mail passes only through DKIM (SPF aligns for 0%: the envelope is amazonses.com",
     "Amazon SES",
     1204},
    {"spoofer next to good mail",
     "none",
     {OWN(100), SPOOF(40)},
     "would-reject|unknown-source|only-spoofing",
     "unknown source 203.0.113.9 sends as you (40 messages, all failing): spoofing or a "
     "forgotten service.",
     NULL,
     140},
    {"would be rejected, counted",
     "none",
     {OWN(100),
      SPOOF(40),
      {"198.51.100.7", 1164, "fail", "fail", NULL, NULL, "x.example", "pass", NULL, NULL}},
     "would-reject|unknown-source|unknown-source|only-spoofing",
     "2 sources (1,204 messages) would be rejected if you moved to p=reject: 198.51.100.7: 1,164 "
     "failing; 203.0.113.9: 40 failing.",
     NULL,
     1304},
    {"p=reject already rejects failures",
     "reject",
     {OWN(100), SPOOF(40)},
     "would-reject|unknown-source",
     "1 source (40 messages) fail DMARC, and your p=reject asks receivers to reject that mail",
     NULL,
     140},
    {"own server signs nothing",
     "none",
     {{"192.0.2.10", 25, "fail", "pass", NULL, NULL, "example.com", "pass", NULL, NULL}},
     "spf-only|all-pass",
     "1 source (25 messages) passes only through SPF",
     NULL,
     25},
    {"provider passing through SPF only",
     "none",
     {{"209.85.220.41", 50, "fail", "pass", "gappssmtp.com", "pass", "example.com", "pass", NULL,
       NULL}},
     "spf-only|all-pass",
     "Google Workspace mail passes only through SPF (DKIM aligns for 0%: it signs as "
     "d=gappssmtp.com)",
     "Google Workspace",
     50},
    {"mailing list breaks the signature",
     "none",
     {OWN(100),
      {"198.51.100.20", 9, "fail", "fail", "example.com", "fail", "lists.example.org", "pass", NULL,
       NULL}},
     "would-reject|forwarder|only-forwarded",
     "carries your DKIM signature but it no longer verifies (9 messages, all failing)",
     NULL,
     109},
    {"a provider partly failing",
     "none",
     {{"167.89.12.4", 100, "pass", "pass", "example.com", "pass", "sendgrid.net", "pass", NULL,
       NULL},
      {"167.89.12.4", 30, "fail", "fail", "sendgrid.net", "pass", "sendgrid.net", "pass", NULL,
       NULL}},
     "would-reject|fix-first",
     "167.89.12.4 (SendGrid): 30 of 130 failing",
     "SendGrid",
     130},
    {"receivers quarantined and rejected",
     "quarantine",
     {OWN(90),
      {"203.0.113.9", 6, "fail", "fail", NULL, NULL, "example.com", "fail", "quarantine", NULL},
      {"203.0.113.9", 4, "fail", "fail", NULL, NULL, "example.com", "fail", "reject", NULL}},
     "would-reject|unknown-source|only-spoofing|dispositions",
     "receivers quarantined 6 and rejected 4 of the 100 messages (10.0%).",
     NULL,
     100},
};

static char *ids(const ms_summary_result *r, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->n_advice && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? "|" : "", r->advice[i].id);
        used += n > 0 ? (size_t)n : 0;
    }
    return buf;
}

/* Feeds the case's records, each in a report of its own by its org. */
static ms_summary *feed(const advice_case *c)
{
    ms_summary *s = NULL;
    assert_int_equal(ms_summary_new(NULL, &s), MS_OK);
    for (size_t i = 0; i < MAX_RECS && c->recs[i].ip != NULL; i++) {
        const rec *x = &c->recs[i];
        ms_report_dkim d = {x->dkim_d, "s1", x->dkim_res, NULL};
        ms_report_spf sp = {x->spf_d, "mfrom", x->spf_res, NULL};
        ms_report_record r = {.source_ip = x->ip,
                              .count = x->count,
                              .disposition = x->disposition ? x->disposition : "none",
                              .dkim = x->pe_dkim,
                              .spf = x->pe_spf,
                              .header_from = "example.com",
                              .dkim_results = &d,
                              .n_dkim = x->dkim_d ? 1 : 0,
                              .spf_results = &sp,
                              .n_spf = 1};
        char id[16];
        snprintf(id, sizeof(id), "r%zu", i);
        ms_report_aggregate m = {.org_name = x->org ? x->org : "google.com",
                                 .report_id = id,
                                 .begin = 1793491200,
                                 .end = 1793491200 + 86399,
                                 .domain = "example.com",
                                 .p = c->p,
                                 .pct = -1};
        assert_int_equal(ms_summary_add(s, &m, &r), MS_OK);
    }
    return s;
}

static void test_advice(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(CASES) / sizeof(CASES[0]); k++) {
        const advice_case *c = &CASES[k];
        ms_summary *s = feed(c);
        const ms_summary_result *r = NULL;
        assert_int_equal(ms_summary_compute(s, &r), MS_OK);
        char got[512];
        ids(r, got, sizeof(got));
        if (strcmp(got, c->want_ids) != 0) {
            for (size_t i = 0; i < r->n_advice; i++) {
                print_message("  advice: %s\n", r->advice[i].text);
            }
            fail_msg("%s: advice got [%s], want [%s]", c->name, got, c->want_ids);
        }
        if (c->want_text != NULL) {
            bool found = false;
            for (size_t i = 0; i < r->n_advice && !found; i++) {
                found = strstr(r->advice[i].text, c->want_text) != NULL;
            }
            if (!found) {
                for (size_t i = 0; i < r->n_advice; i++) {
                    print_message("  advice: %s\n", r->advice[i].text);
                }
                fail_msg("%s: no advice says \"%s\"", c->name, c->want_text);
            }
        }
        if (r->messages != c->want_messages) {
            fail_msg("%s: messages got %llu, want %llu", c->name, (unsigned long long)r->messages,
                     (unsigned long long)c->want_messages);
        }
        const char *prov = r->n_sources ? r->sources[0].provider : NULL;
        if ((prov == NULL) != (c->provider == NULL) ||
            (prov != NULL && strcmp(prov, c->provider) != 0)) {
            fail_msg("%s: provider got %s, want %s", c->name, prov ? prov : "(none)",
                     c->provider ? c->provider : "(none)");
        }
        ms_summary_free(s);
    }
}

/* The same IPv6 address written two ways is one source; records of one report count it once;
 * a report counts on the day of its range's middle; reporters and days add up. */
static void test_aggregation(void **state)
{
    (void)state;
    ms_summary *s = NULL;
    assert_int_equal(ms_summary_new(NULL, &s), MS_OK);
    ms_report_record r1 = {.source_ip = "2001:DB8:0::1",
                           .count = 3,
                           .dkim = "pass",
                           .spf = "fail",
                           .disposition = "none",
                           .header_from = "Example.COM"};
    ms_report_record r2 = {.source_ip = "2001:db8::1",
                           .count = 2,
                           .dkim = "fail",
                           .spf = "fail",
                           .disposition = "reject",
                           .header_from = "example.com"};
    ms_report_record r3 = {
        .source_ip = "192.0.2.1", .count = 5, .dkim = "fail", .spf = "pass", .disposition = "none"};
    /* 2026-11-01 12:00 to 2026-11-02 12:00: the middle is 2026-11-02 00:00 */
    ms_report_aggregate a = {.org_name = "Yahoo",
                             .report_id = "a",
                             .begin = 1793534400,
                             .end = 1793620800,
                             .domain = "example.com",
                             .p = "none",
                             .pct = -1};
    ms_report_aggregate b = {.org_name = "YAHOO",
                             .report_id = "b",
                             .begin = 1793577600,
                             .end = 1793577600 + 86399,
                             .domain = "example.com",
                             .p = "reject",
                             .pct = -1};
    assert_int_equal(ms_summary_add(s, &a, &r1), MS_OK);
    assert_int_equal(ms_summary_add(s, &a, &r2), MS_OK);
    assert_int_equal(ms_summary_add(s, &b, &r3), MS_OK);
    const ms_summary_result *r = NULL;
    assert_int_equal(ms_summary_compute(s, &r), MS_OK);
    struct {
        const char *what;
        uint64_t got, want;
    } checks[] = {
        {"reports", r->reports, 2},
        {"messages", r->messages, 10},
        {"dmarc_pass", r->dmarc_pass, 8},
        {"rejected", r->rejected, 2},
        {"sources", r->n_sources, 2},
        {"source[0].messages", r->sources[0].messages, 5},
        {"source[1].messages (v6 merged)", r->sources[1].messages, 5},
        {"source[1].dmarc_pass", r->sources[1].dmarc_pass, 3},
        {"source[1].header_from names (case merged)", r->sources[1].n_header_from, 1},
        {"reporters (case merged)", r->n_reporters, 1},
        {"reporter reports", r->reporters[0].reports, 2},
        {"days", r->n_days, 1},
        {"day reports", r->days[0].reports, 2},
    };
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        if (checks[i].got != checks[i].want) {
            fail_msg("%s: got %llu, want %llu", checks[i].what, (unsigned long long)checks[i].got,
                     (unsigned long long)checks[i].want);
        }
    }
    assert_string_equal(r->sources[1].ip, "2001:db8::1");
    char d[16];
    assert_string_equal(ms_summary_date(r->days[0].day, d, sizeof(d)), "2026-11-02");
    /* the newest report's policy */
    assert_string_equal(r->domains[0].p, "reject");
    ms_summary_free(s);
}

/* A provider is named from a PTR only when the name leads back to the address. */
static void test_reverse_dns(void **state)
{
    (void)state;
    static const char zone[] = "21.8.240.54.in-addr.arpa. PTR a8-21.smtp-out.amazonses.com.\n"
                               "a8-21.smtp-out.amazonses.com. A 54.240.8.21\n"
                               "9.113.0.203.in-addr.arpa. PTR smtp-out.amazonses.com.\n"
                               "smtp-out.amazonses.com. A 54.240.8.99\n";
    ms_resolver *z = NULL;
    ms_zone_error zerr;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_zone_load_text(z, zone, strlen(zone), NULL, &zerr), MS_OK);
    ms_summary *s = NULL;
    assert_int_equal(ms_summary_new(NULL, &s), MS_OK);
    const char *ips[] = {"54.240.8.21", "203.0.113.9", "198.51.100.1"};
    for (size_t i = 0; i < 3; i++) {
        ms_report_record rr = {.source_ip = ips[i], .count = 10 - i, .dkim = "fail", .spf = "fail"};
        ms_report_aggregate m = {.org_name = "x", .report_id = "1", .begin = 1, .end = 2};
        assert_int_equal(ms_summary_add(s, &m, &rr), MS_OK);
    }
    assert_int_equal(ms_summary_resolve(s, z, 2), MS_OK); /* the third is past the cap */
    const ms_summary_result *r = NULL;
    assert_int_equal(ms_summary_compute(s, &r), MS_OK);
    assert_int_equal(r->n_sources, 3);
    assert_string_equal(r->sources[0].ptr, "a8-21.smtp-out.amazonses.com");
    assert_true(r->sources[0].ptr_confirmed);
    assert_string_equal(r->sources[0].provider, "Amazon SES");
    assert_string_equal(r->sources[0].provider_by, "reverse DNS a8-21.smtp-out.amazonses.com");
    assert_string_equal(r->sources[1].ptr, "smtp-out.amazonses.com");
    assert_false(r->sources[1].ptr_confirmed);
    assert_null(r->sources[1].provider);
    assert_null(r->sources[2].ptr);
    assert_int_equal(ms_resolver_queries(z), 4); /* PTR + A for two sources, none for the third */
    ms_summary_free(s);
    ms_resolver_free(z);
}

static void test_numbers(void **state)
{
    (void)state;
    struct {
        uint64_t part, whole;
        const char *pct;
    } pcts[] = {{0, 0, "-"},          {0, 5, "0%"},           {5, 5, "100%"},
                {999, 1000, "99.9%"}, {9999, 10000, "99.9%"}, {1, 100000, "0.1%"},
                {1, 3, "33.3%"}};
    for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
        char buf[16];
        const char *got = ms__summary_pct(pcts[i].part, pcts[i].whole, buf, sizeof(buf));
        if (strcmp(got, pcts[i].pct) != 0) {
            fail_msg("pct %llu/%llu: got %s, want %s", (unsigned long long)pcts[i].part,
                     (unsigned long long)pcts[i].whole, got, pcts[i].pct);
        }
    }
    struct {
        uint64_t n;
        const char *want;
    } nums[] = {
        {0, "0"},        {999, "999"},           {1000, "1,000"},
        {1204, "1,204"}, {1234567, "1,234,567"}, {UINT64_MAX, "18,446,744,073,709,551,615"}};
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        char buf[32];
        const char *got = ms__summary_num(nums[i].n, buf, sizeof(buf));
        if (strcmp(got, nums[i].want) != 0) {
            fail_msg("num: got %s, want %s", got, nums[i].want);
        }
    }
}

static void test_dates(void **state)
{
    (void)state;
    struct {
        const char *text;
        bool ok;
        int64_t want;
    } cases[] = {
        {"2026-11-01", true, 1793491200},
        {"1970-01-01", true, 0},
        {"2024-02-29", true, 1709164800},
        {"2023-02-29", false, 0},
        {"2026-13-01", false, 0},
        {"2026-1-01", false, 0},
        {"2026-11-01x", false, 0},
        {"99999-01-01", false, 0},
        {"", false, 0},
        {"2026-04-31", false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got = -1;
        bool ok = ms_summary_parse_date(cases[i].text, &got);
        if (ok != cases[i].ok || (ok && got != cases[i].want)) {
            fail_msg("\"%s\": got %s %lld, want %s %lld", cases[i].text, ok ? "ok" : "error",
                     (long long)got, cases[i].ok ? "ok" : "error", (long long)cases[i].want);
        }
    }
    char buf[16];
    assert_string_equal(ms_summary_date(1793491200 + 86399, buf, sizeof(buf)), "2026-11-01");
    assert_string_equal(ms_summary_date(0, buf, sizeof(buf)), "-");
}

/* Reports are attacker-controlled: what they carry never becomes markup, a formula or bad
 * JSON. */
static void test_hostile_strings(void **state)
{
    (void)state;
    ms_summary *s = NULL;
    assert_int_equal(ms_summary_new(NULL, &s), MS_OK);
    ms_report_dkim d = {"\"><img src=x onerror=alert(1)>", "s", "pass", NULL};
    ms_report_record rr = {.source_ip = "192.0.2.1",
                           .count = 1,
                           .dkim = "fail",
                           .spf = "fail",
                           .header_from = "=HYPERLINK(\"http://x\")",
                           .dkim_results = &d,
                           .n_dkim = 1};
    ms_report_aggregate m = {.org_name = "<script>alert(1)</script>\xff\x01",
                             .report_id = "1",
                             .begin = 1793491200,
                             .end = 1793491200 + 86399,
                             .domain = "example.com",
                             .p = "none",
                             .pct = -1};
    assert_int_equal(ms_summary_add(s, &m, &rr), MS_OK);
    const ms_summary_result *r = NULL;
    assert_int_equal(ms_summary_compute(s, &r), MS_OK);
    ms_arena *a = new_arena(0);
    const char *out;
    size_t len;

    assert_int_equal(ms_summary_format(r, MS_SUMMARY_HTML, false, a, &out, &len), MS_OK);
    assert_int_equal(strlen(out), len);
    assert_null(strstr(out, "<script"));
    assert_null(strstr(out, "<img"));
    assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;\xef\xbf\xbd&#xFFFD;"));
    assert_non_null(strstr(out, "default-src 'none'"));

    assert_int_equal(ms_summary_format(r, MS_SUMMARY_CSV, false, a, &out, &len), MS_OK);
    if (strstr(out, ",\"'=hyperlink(\"\"http://x\"\")\",") == NULL ||
        strstr(out, "<script>alert(1)</script>\xef\xbf\xbd?,") == NULL) {
        fail_msg("CSV: the formula is not neutered and quoted: %s", out);
    }
    assert_non_null(strstr(out, "\r\n"));

    assert_int_equal(ms_summary_format(r, MS_SUMMARY_JSON, false, a, &out, &len), MS_OK);
    json_tokener *tok = json_tokener_new();
    json_object *doc = json_tokener_parse_ex(tok, out, (int)len);
    if (doc == NULL) {
        fail_msg("JSON does not parse: %s", json_tokener_error_desc(json_tokener_get_error(tok)));
    }
    json_object *reps = NULL, *first = NULL, *org = NULL;
    assert_true(json_object_object_get_ex(doc, "reporters", &reps));
    first = json_object_array_get_idx(reps, 0);
    assert_true(json_object_object_get_ex(first, "org_name", &org));
    assert_string_equal(json_object_get_string(org), "<script>alert(1)</script>\xef\xbf\xbd\x01");
    json_object_put(doc);
    json_tokener_free(tok);

    assert_int_equal(ms_summary_format(r, MS_SUMMARY_TEXT, true, a, &out, &len), MS_OK);
    assert_null(strstr(out, "\xff"));
    assert_non_null(strstr(out, "<script>alert(1)</script>??"));
    assert_non_null(strstr(out, "\033[")); /* colour was asked for */
    assert_int_equal(ms_summary_format(r, MS_SUMMARY_TEXT, false, a, &out, &len), MS_OK);
    assert_null(strstr(out, "\033["));
    ms_arena_free(a);
    ms_summary_free(s);
}

/* TLS and failure reports alone, and the counts saturating instead of wrapping. */
static void test_tls_failures_saturation(void **state)
{
    (void)state;
    ms_summary *s = NULL;
    assert_int_equal(ms_summary_new(NULL, &s), MS_OK);
    ms_tlsrpt_failure f[2] = {{.result_type = "certificate-expired",
                               .receiving_mx_hostname = "mx.example.com",
                               .failed_session_count = 5},
                              {.result_type = "certificate-expired",
                               .receiving_mx_hostname = "MX.example.com",
                               .failed_session_count = 2}};
    ms_tlsrpt_policy p = {.policy_domain = "example.com",
                          .total_successful = 93,
                          .total_failure = 7,
                          .failures = f,
                          .n_failures = 2};
    ms_tlsrpt_report t = {
        .organization_name = "Google Inc.", .begin = 1, .end = 2, .policies = &p, .n_policies = 1};
    assert_int_equal(ms_summary_add_tlsrpt(s, &t), MS_OK);
    ms_report_failure fr = {.source_ip = "203.0.113.9", .auth_failure = "DMARC"};
    assert_int_equal(ms_summary_add_failure(s, &fr), MS_OK);
    ms_report_record big = {.source_ip = "192.0.2.1", .count = UINT64_MAX, .dkim = "pass"};
    ms_report_aggregate m = {.org_name = "x", .report_id = "1", .begin = 1, .end = 2};
    assert_int_equal(ms_summary_add(s, &m, &big), MS_OK);
    assert_int_equal(ms_summary_add(s, &m, &big), MS_OK);
    const ms_summary_result *r = NULL;
    assert_int_equal(ms_summary_compute(s, &r), MS_OK);
    assert_int_equal(r->n_tls_failures, 1);
    assert_int_equal(r->tls_failures[0].sessions, 7);
    assert_int_equal(r->failure_incidents, 1);
    assert_string_equal(r->failure_sources[0].auth_failure, "dmarc");
    assert_true(r->messages == UINT64_MAX);
    char got[512];
    ids(r, got, sizeof(got));
    assert_string_equal(got, "all-pass|failure-reports|tls-failures");
    bool found = false;
    for (size_t i = 0; i < r->n_advice; i++) {
        found |=
            strstr(r->advice[i].text, "TLS-RPT: 7 of 100 sessions (7.0%) to your MX hosts "
                                      "failed: 7 to mx.example.com (certificate-expired)") != NULL;
    }
    assert_true(found);
    /* the report's day is 1970-01-01, shown as "-" under its bar, nothing else */
    ms_arena *a = new_arena(0);
    const char *out;
    size_t len;
    assert_int_equal(ms_summary_format(r, MS_SUMMARY_HTML, false, a, &out, &len), MS_OK);
    assert_non_null(strstr(out, "text-anchor=\"middle\">-</text>"));
    ms_arena_free(a);
    ms_summary_free(s);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* The day chart keeps a slot for each calendar day: reports on the 1st and the 5th give two
 * bars and five day labels. */
static void test_day_chart_gaps(void **state)
{
    (void)state;
    ms_summary *s = NULL;
    assert_int_equal(ms_summary_new(NULL, &s), MS_OK);
    for (int64_t day = 0; day < 5; day += 4) {
        ms_report_record rr = {.source_ip = "192.0.2.1", .count = 3, .dkim = "pass"};
        ms_report_aggregate m = {.org_name = "x",
                                 .report_id = day ? "b" : "a",
                                 .begin = 1793491200 + day * 86400,
                                 .end = 1793491200 + day * 86400 + 86399};
        assert_int_equal(ms_summary_add(s, &m, &rr), MS_OK);
    }
    const ms_summary_result *r = NULL;
    assert_int_equal(ms_summary_compute(s, &r), MS_OK);
    ms_arena *a = new_arena(0);
    const char *out;
    size_t len;
    assert_int_equal(ms_summary_format(r, MS_SUMMARY_HTML, false, a, &out, &len), MS_OK);
    size_t bars = count(out, "<g class=\"day\">"), labels = count(out, "text-anchor=\"middle\">");
    if (bars != 2 || labels != 5) {
        fail_msg("day chart: got %zu bars and %zu labels, want 2 and 5", bars, labels);
    }
    assert_non_null(strstr(out, "text-anchor=\"middle\">11-03</text>"));
    ms_arena_free(a);
    ms_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_advice),
        cmocka_unit_test(test_aggregation),
        cmocka_unit_test(test_reverse_dns),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_tls_failures_saturation),
        cmocka_unit_test(test_day_chart_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
