/* SPDX-License-Identifier: MIT */
/* The received-reports suite (migration 0002), run against every backend: lib/store/
 * reports_test.c (SQLite) and tests/store/postgres_test.c (PostgreSQL). The including file
 * sets rsuite_uri and defines rsuite_break(bool on), which makes every insert into
 * report_tlsrpt fail (a trigger) so a transaction can be seen rolled back. Each case keeps to
 * its own domains, org names and source keys, so the cases share one database.
 * Include after <cmocka.h>. */
#ifndef MS_STORE_REPORTS_SUITE_H
#define MS_STORE_REPORTS_SUITE_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailseal/store.h"

#include "base/limits.h"

static char rsuite_uri[4096];
static void rsuite_break(bool on);

static ms_store *rsuite_open(void)
{
    ms_store *s = NULL;
    char err[512] = "";
    ms_status st = ms_store_open(rsuite_uri, &s, err, sizeof err);
    if (st != MS_OK) {
        fail_msg("open %s: got %s (%s), want MS_OK", rsuite_uri, ms_status_name(st), err);
    }
    return s;
}

/* ---- building reports ---- */

static void rsuite_digest(ms_report *r, const char *seed)
{
    size_t len = strlen(seed);
    for (size_t k = 0; k < sizeof r->digest; k++) {
        r->digest[k] = (uint8_t)(seed[k % len] * 7 + (int)k);
    }
}

typedef struct {
    ms_report_dkim dkim[2];
    ms_report_spf spf[1];
    ms_report_reason reasons[1];
} rsuite_children;

typedef struct {
    ms_report report;
    ms_report_aggregate agg;
    ms_report_record *records;
    rsuite_children *children;
} rsuite_agg;

static const char *const rsuite_errors[] = {"first problem", "second problem"};

/* An aggregate report with n records; record k has count k+1, 2 DKIM results when k is even,
 * one SPF result and a reason when k % 3 == 0. Free with rsuite_agg_free. */
static rsuite_agg *rsuite_aggregate(const char *org, const char *id, const char *domain,
                                    int64_t begin, int64_t end, size_t n)
{
    rsuite_agg *a = calloc(1, sizeof *a);
    assert_non_null(a);
    a->records = calloc(n ? n : 1, sizeof *a->records);
    a->children = calloc(n ? n : 1, sizeof *a->children);
    assert_non_null(a->records);
    assert_non_null(a->children);
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        ms_report_record *r = &a->records[k];
        rsuite_children *c = &a->children[k];
        r->source_ip = k % 2 ? "2001:db8::25" : "192.0.2.1";
        r->count = k + 1;
        total += r->count;
        r->disposition = "none";
        r->dkim = "pass";
        r->spf = "fail";
        r->header_from = domain;
        r->envelope_from = k % 2 ? NULL : "bounce.example";
        r->envelope_to = NULL;
        c->dkim[0] = (ms_report_dkim){domain, "s1", "pass", NULL};
        c->dkim[1] = (ms_report_dkim){"other.example", "s2", "fail", "body hash"};
        c->spf[0] = (ms_report_spf){"bounce.example", "mfrom", "softfail", NULL};
        c->reasons[0] = (ms_report_reason){"local_policy", k % 2 ? NULL : "forwarded"};
        r->dkim_results = c->dkim;
        r->n_dkim = k % 2 ? 0 : 2;
        r->spf_results = c->spf;
        r->n_spf = 1;
        r->reasons = c->reasons;
        r->n_reasons = k % 3 == 0 ? 1 : 0;
    }
    ms_report_aggregate *g = &a->agg;
    g->format = "rfc9990";
    g->version = "1.0";
    g->org_name = org;
    g->email = "noreply@reporter.example";
    g->report_id = id;
    g->generator = NULL;
    g->begin = begin;
    g->end = end;
    g->errors = rsuite_errors;
    g->n_errors = 2;
    g->domain = domain;
    g->adkim = "r";
    g->aspf = "s";
    g->p = "reject";
    g->sp = NULL;
    g->np = "quarantine";
    g->fo = "1";
    g->testing = "n";
    g->discovery_method = "treewalk";
    g->pct = -1;
    g->records = a->records;
    g->n_records = n;
    g->n_messages = total;
    a->report.kind = MS_REPORT_AGGREGATE;
    a->report.name = "report.xml";
    a->report.aggregate = g;
    rsuite_digest(&a->report, id);
    return a;
}

static void rsuite_agg_free(rsuite_agg *a)
{
    free(a->records);
    free(a->children);
    free(a);
}

/* ---- collecting what comes back ---- */

#define RSUITE_MAX 64
typedef struct {
    size_t n;    /* callbacks seen */
    size_t stop; /* stop after this many (0: never) */
    char text[RSUITE_MAX][1024];
} rsuite_seen;

static void rsuite_put(rsuite_seen *seen, const char *fmt, ...) MS_PRINTF(2, 3);
static void rsuite_put(rsuite_seen *seen, const char *fmt, ...)
{
    if (seen->n < RSUITE_MAX) {
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(seen->text[seen->n], sizeof seen->text[0], fmt, ap);
        va_end(ap);
    }
    seen->n++;
}

#define S(x) ((x) ? (x) : "-")

static int rsuite_record_cb(void *user, const ms_report_aggregate *m, const ms_report_record *r)
{
    rsuite_seen *seen = user;
    char kids[512] = "";
    size_t used = 0;
    for (size_t k = 0; k < r->n_dkim; k++) {
        int w = snprintf(kids + used, sizeof kids - used, " dkim=%s/%s/%s/%s",
                         S(r->dkim_results[k].domain), S(r->dkim_results[k].selector),
                         S(r->dkim_results[k].result), S(r->dkim_results[k].human_result));
        used += w > 0 && (size_t)w < sizeof kids - used ? (size_t)w : 0;
    }
    for (size_t k = 0; k < r->n_spf; k++) {
        int w =
            snprintf(kids + used, sizeof kids - used, " spf=%s/%s/%s", S(r->spf_results[k].domain),
                     S(r->spf_results[k].scope), S(r->spf_results[k].result));
        used += w > 0 && (size_t)w < sizeof kids - used ? (size_t)w : 0;
    }
    for (size_t k = 0; k < r->n_reasons; k++) {
        int w = snprintf(kids + used, sizeof kids - used, " reason=%s/%s", S(r->reasons[k].type),
                         S(r->reasons[k].comment));
        used += w > 0 && (size_t)w < sizeof kids - used ? (size_t)w : 0;
    }
    rsuite_put(seen,
               "%s|%s|%s|%" PRId64 "-%" PRId64 "|p=%s sp=%s np=%s adkim=%s aspf=%s fo=%s t=%s "
               "d=%s pct=%d errors=%zu:%s msgs=%" PRIu64 "|%s n=%" PRIu64
               " %s/%s/%s hf=%s ef=%s et=%s%s",
               S(m->org_name), S(m->report_id), S(m->domain), m->begin, m->end, S(m->p), S(m->sp),
               S(m->np), S(m->adkim), S(m->aspf), S(m->fo), S(m->testing), S(m->discovery_method),
               m->pct, m->n_errors, m->n_errors > 1 ? S(m->errors[1]) : "-", m->n_messages,
               S(r->source_ip), r->count, S(r->disposition), S(r->dkim), S(r->spf),
               S(r->header_from), S(r->envelope_from), S(r->envelope_to), kids);
    return seen->stop && seen->n >= seen->stop ? 1 : 0;
}

static void rsuite_aggregates(ms_store *s, const char *domain, int64_t since, int64_t until,
                              rsuite_seen *seen)
{
    ms_store_report_query q = {domain, since, until};
    size_t stop = seen->stop;
    memset(seen, 0, sizeof *seen);
    seen->stop = stop;
    ms_status st = ms_store_aggregate_each(s, &q, rsuite_record_cb, seen);
    if (st != MS_OK) {
        char err[512];
        ms_store_last_error(s, err, sizeof err);
        fail_msg("aggregate_each(%s): got %s (%s), want MS_OK", S(domain), ms_status_name(st), err);
    }
}

static void rsuite_add(ms_store *s, const char *key, const ms_report *r, size_t n,
                       ms_store_add_result *res)
{
    ms_status st = ms_store_reports_add(s, key, r, n, res);
    if (st != MS_OK) {
        char err[512];
        ms_store_last_error(s, err, sizeof err);
        fail_msg("reports_add(%s): got %s (%s), want MS_OK", S(key), ms_status_name(st), err);
    }
}

static bool rsuite_seen_key(ms_store *s, const char *key)
{
    bool seen = false;
    ms_status st = ms_store_source_seen(s, key, &seen);
    if (st != MS_OK) {
        fail_msg("source_seen(%s): got %s, want MS_OK", key, ms_status_name(st));
    }
    return seen;
}

static void rsuite_expect_results(const char *name, const ms_store_add_result *got,
                                  const ms_store_add_result *want, size_t n)
{
    static const char *const names[] = {"ADDED", "DUPLICATE", "SEEN"};
    for (size_t k = 0; k < n; k++) {
        if (got[k] != want[k]) {
            fail_msg("%s: result[%zu]: got %s, want %s", name, k, names[got[k] % 3],
                     names[want[k] % 3]);
        }
    }
}

/* ---- the cases ---- */

/* A report round-trips whole: metadata, policy_published, records with their results. */
static void rsuite_test_roundtrip(void **state)
{
    (void)state;
    ms_store *s = rsuite_open();
    rsuite_agg *a =
        rsuite_aggregate("Reporter Inc", "rt-1", "roundtrip.example", 1700000000, 1700086399, 3);
    ms_store_add_result res[1] = {MS_STORE_SEEN};
    rsuite_add(s, "test:rt/1", &a->report, 1, res);
    rsuite_expect_results("roundtrip", res, (ms_store_add_result[]){MS_STORE_ADDED}, 1);
    rsuite_seen seen = {0};
    rsuite_aggregates(s, "RoundTrip.Example", 0, INT64_MAX, &seen);
    static const char *const want[] = {
        "Reporter Inc|rt-1|roundtrip.example|1700000000-1700086399|p=reject sp=- np=quarantine "
        "adkim=r aspf=s fo=1 t=n d=treewalk pct=-1 errors=2:second problem msgs=6|192.0.2.1 n=1 "
        "none/pass/fail hf=roundtrip.example ef=bounce.example et=- "
        "dkim=roundtrip.example/s1/pass/- dkim=other.example/s2/fail/body hash "
        "spf=bounce.example/mfrom/softfail reason=local_policy/forwarded",
        "Reporter Inc|rt-1|roundtrip.example|1700000000-1700086399|p=reject sp=- np=quarantine "
        "adkim=r aspf=s fo=1 t=n d=treewalk pct=-1 errors=2:second problem msgs=6|2001:db8::25 "
        "n=2 none/pass/fail hf=roundtrip.example ef=- et=- spf=bounce.example/mfrom/softfail",
        "Reporter Inc|rt-1|roundtrip.example|1700000000-1700086399|p=reject sp=- np=quarantine "
        "adkim=r aspf=s fo=1 t=n d=treewalk pct=-1 errors=2:second problem msgs=6|192.0.2.1 n=3 "
        "none/pass/fail hf=roundtrip.example ef=bounce.example et=- "
        "dkim=roundtrip.example/s1/pass/- dkim=other.example/s2/fail/body hash "
        "spf=bounce.example/mfrom/softfail",
    };
    if (seen.n != 3) {
        fail_msg("roundtrip: got %zu records, want 3", seen.n);
    }
    for (size_t k = 0; k < 3; k++) {
        if (strcmp(seen.text[k], want[k]) != 0) {
            fail_msg("roundtrip record %zu:\n got  %s\n want %s", k, seen.text[k], want[k]);
        }
    }
    rsuite_agg_free(a);
    ms_store_close(s);
}

/* The same report (org name in another case) from another source is a duplicate, stored once;
 * the same source again is SEEN and reads nothing. */
static void rsuite_test_duplicates(void **state)
{
    (void)state;
    ms_store *s = rsuite_open();
    rsuite_agg *a = rsuite_aggregate("Dup Org", "dup-1", "dup.example", 1700000000, 1700086399, 2);
    rsuite_agg *b = rsuite_aggregate("DUP ORG", "dup-1", "dup.example", 1700000000, 1700086399, 2);
    rsuite_agg *c = rsuite_aggregate("Dup Org", "dup-2", "dup.example", 1700086400, 1700172799, 1);
    ms_store_add_result res[2];
    if (rsuite_seen_key(s, "test:dup/a")) {
        fail_msg("source_seen before it was stored: got true, want false");
    }
    rsuite_add(s, "test:dup/a", &a->report, 1, res);
    rsuite_expect_results("first", res, (ms_store_add_result[]){MS_STORE_ADDED}, 1);
    ms_report two[2] = {b->report, c->report};
    rsuite_add(s, "test:dup/b", two, 2, res);
    rsuite_expect_results("second source", res,
                          (ms_store_add_result[]){MS_STORE_DUPLICATE, MS_STORE_ADDED}, 2);
    rsuite_add(s, "test:dup/b", two, 2, res);
    rsuite_expect_results("same source again", res,
                          (ms_store_add_result[]){MS_STORE_SEEN, MS_STORE_SEEN}, 2);
    rsuite_add(s, NULL, &a->report, 1, res);
    rsuite_expect_results("no source key", res, (ms_store_add_result[]){MS_STORE_DUPLICATE}, 1);
    if (!rsuite_seen_key(s, "test:dup/a") || !rsuite_seen_key(s, "test:dup/b")) {
        fail_msg("source_seen after storing: got false, want true");
    }
    rsuite_seen seen = {0};
    rsuite_aggregates(s, "dup.example", 0, INT64_MAX, &seen);
    if (seen.n != 3) {
        fail_msg("duplicates: got %zu records, want 3 (2 of dup-1 once, 1 of dup-2)", seen.n);
    }
    rsuite_agg_free(a);
    rsuite_agg_free(b);
    rsuite_agg_free(c);
    ms_store_close(s);
}

/* Oldest report first; domain filter in any case; date ranges that overlap the query's. */
static void rsuite_test_filters(void **state)
{
    (void)state;
    ms_store *s = rsuite_open();
    const int64_t day = 86400, t0 = 1710000000;
    struct {
        const char *id, *domain;
        int64_t begin, end;
    } reports[] = {
        {"f-3", "filter.example", t0 + 2 * day, t0 + 3 * day},
        {"f-1", "filter.example", t0, t0 + day},
        {"f-2", "filter.example", t0 + day, t0 + 2 * day},
        {"f-other", "other-filter.example", t0, t0 + day},
        {"f-instant", "filter.example", t0 + 5 * day, t0 + 5 * day},
    };
    rsuite_agg *aggs[5];
    for (size_t k = 0; k < 5; k++) {
        aggs[k] = rsuite_aggregate("Filter Org", reports[k].id, reports[k].domain, reports[k].begin,
                                   reports[k].end, 1);
        char key[64];
        (void)snprintf(key, sizeof key, "test:filter/%zu", k);
        rsuite_add(s, key, &aggs[k]->report, 1, NULL);
    }
    struct {
        const char *name, *domain;
        int64_t since, until;
        const char *want; /* report ids in order */
    } cases[] = {
        {"all of the domain, oldest first", "filter.example", 0, INT64_MAX,
         "f-1 f-2 f-3 f-instant"},
        {"domain in upper case", "FILTER.EXAMPLE", 0, INT64_MAX, "f-1 f-2 f-3 f-instant"},
        {"other domain", "other-filter.example", 0, INT64_MAX, "f-other"},
        {"every domain", NULL, t0, t0 + day, "f-1 f-other"},
        {"the second day only", "filter.example", t0 + day, t0 + 2 * day, "f-2"},
        {"a range inside one report", "filter.example", t0 + day + 10, t0 + day + 20, "f-2"},
        {"straddling two reports", "filter.example", t0 + day / 2, t0 + day + day / 2, "f-1 f-2"},
        {"the instant report", "filter.example", t0 + 5 * day, t0 + 5 * day + 1, "f-instant"},
        {"before everything", "filter.example", 0, t0, ""},
        {"unknown domain", "nothing.example", 0, INT64_MAX, ""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rsuite_seen seen = {0};
        rsuite_aggregates(s, cases[k].domain, cases[k].since, cases[k].until, &seen);
        char got[256] = "";
        size_t used = 0;
        for (size_t j = 0; j < seen.n && j < RSUITE_MAX; j++) {
            /* the report id is the second |-separated field */
            const char *id = strchr(seen.text[j], '|') + 1;
            size_t len = (size_t)(strchr(id, '|') - id);
            if (strncmp(id, "f-", 2) != 0) {
                continue; /* another case's report (every domain) */
            }
            int w =
                snprintf(got + used, sizeof got - used, "%s%.*s", used ? " " : "", (int)len, id);
            used += w > 0 && (size_t)w < sizeof got - used ? (size_t)w : 0;
        }
        if (strcmp(got, cases[k].want) != 0) {
            fail_msg("filter %s: got \"%s\", want \"%s\"", cases[k].name, got, cases[k].want);
        }
    }
    for (size_t k = 0; k < 5; k++) {
        rsuite_agg_free(aggs[k]);
    }
    ms_store_close(s);
}

/* More records and reports than a page: all come back in order; a callback can stop. */
static void rsuite_test_paging(void **state)
{
    (void)state;
    ms_store *s = rsuite_open();
    size_t n = MS_LIMIT_STORE_REPORT_PAGE * 2 + 7;
    rsuite_agg *a =
        rsuite_aggregate("Page Org", "page-1", "paging.example", 1720000000, 1720086399, n);
    rsuite_add(s, "test:page/1", &a->report, 1, NULL);
    rsuite_seen seen = {0};
    rsuite_aggregates(s, "paging.example", 0, INT64_MAX, &seen);
    if (seen.n != n) {
        fail_msg("paging: got %zu records, want %zu", seen.n, n);
    }
    seen.stop = 5;
    rsuite_aggregates(s, "paging.example", 0, INT64_MAX, &seen);
    if (seen.n != 5) {
        fail_msg("paging with a stop: got %zu callbacks, want 5", seen.n);
    }
    /* many reports: one source with more than a page of them */
    size_t nrep = MS_LIMIT_STORE_REPORT_PAGE + 3;
    rsuite_agg **many = calloc(nrep, sizeof *many);
    ms_report *reps = calloc(nrep, sizeof *reps);
    assert_non_null(many);
    assert_non_null(reps);
    char(*ids)[32] = calloc(nrep, sizeof *ids);
    assert_non_null(ids);
    for (size_t k = 0; k < nrep; k++) {
        (void)snprintf(ids[k], sizeof ids[k], "many-%04zu", k);
        /* stored newest first, read back oldest first */
        many[k] = rsuite_aggregate("Many Org", ids[k], "many.example", 1730000000 - (int64_t)k * 60,
                                   1730000000 - (int64_t)k * 60 + 59, 1);
        reps[k] = many[k]->report;
    }
    rsuite_add(s, "test:page/many", reps, nrep, NULL);
    seen.stop = 0;
    rsuite_aggregates(s, "many.example", 0, INT64_MAX, &seen);
    if (seen.n != nrep) {
        fail_msg("many reports: got %zu, want %zu", seen.n, nrep);
    }
    char want0[64];
    (void)snprintf(want0, sizeof want0, "Many Org|many-%04zu|", nrep - 1);
    if (strncmp(seen.text[0], want0, strlen(want0)) != 0) {
        fail_msg("many reports: first got %.40s, want the oldest %s", seen.text[0], want0);
    }
    for (size_t k = 0; k < nrep; k++) {
        rsuite_agg_free(many[k]);
    }
    free(many);
    free(reps);
    free(ids);
    rsuite_agg_free(a);
    ms_store_close(s);
}

/* A failed transaction stores nothing and marks nothing; a field over its cap likewise. */
static void rsuite_test_rollback(void **state)
{
    (void)state;
    ms_store *s = rsuite_open();
    rsuite_agg *a =
        rsuite_aggregate("Rollback Org", "rb-1", "rollback.example", 1740000000, 1740086399, 4);
    ms_tlsrpt_policy pol = {0};
    pol.policy_type = "sts";
    pol.policy_domain = "rollback.example";
    ms_tlsrpt_report t = {
        "TLS Org", "mailto:tls@tls.example", "tls-rb", 1740000000, 1740086399, &pol, 1};
    ms_report both[2] = {a->report, {0}};
    both[1].kind = MS_REPORT_TLSRPT;
    both[1].name = "report.json";
    both[1].tlsrpt = &t;
    rsuite_digest(&both[1], "rollback-tls");
    rsuite_break(true);
    ms_status st = ms_store_reports_add(s, "test:rb/1", both, 2, NULL);
    rsuite_break(false);
    if (st != MS_EIO) {
        fail_msg("add with a failing insert: got %s, want MS_EIO", ms_status_name(st));
    }
    char err[512];
    ms_store_last_error(s, err, sizeof err);
    if (!strstr(err, "broken by the test")) {
        fail_msg("last error: got \"%s\", want the trigger's message", err);
    }
    rsuite_seen seen = {0};
    rsuite_aggregates(s, "rollback.example", 0, INT64_MAX, &seen);
    if (seen.n != 0 || rsuite_seen_key(s, "test:rb/1")) {
        fail_msg("after the rollback: got %zu records, source seen %d; want none", seen.n,
                 rsuite_seen_key(s, "test:rb/1"));
    }
    /* over a cap: MS_ELIMIT before anything is written */
    static char long_org[MS_LIMIT_STORE_REPORT_FIELD + 2];
    memset(long_org, 'o', sizeof long_org - 1);
    rsuite_agg *big =
        rsuite_aggregate(long_org, "rb-2", "rollback.example", 1740000000, 1740086399, 1);
    ms_report pair[2] = {a->report, big->report};
    st = ms_store_reports_add(s, "test:rb/2", pair, 2, NULL);
    if (st != MS_ELIMIT || rsuite_seen_key(s, "test:rb/2")) {
        fail_msg("a field over its cap: got %s, want MS_ELIMIT and the source not marked",
                 ms_status_name(st));
    }
    /* not UTF-8 */
    rsuite_agg *bad =
        rsuite_aggregate("Bad \xC3\x28 Org", "rb-3", "rollback.example", 1740000000, 1740086399, 1);
    st = ms_store_reports_add(s, "test:rb/3", &bad->report, 1, NULL);
    if (st != MS_EINVAL) {
        fail_msg("an org name that is not UTF-8: got %s, want MS_EINVAL", ms_status_name(st));
    }
    rsuite_aggregates(s, "rollback.example", 0, INT64_MAX, &seen);
    if (seen.n != 0) {
        fail_msg("after refused adds: got %zu records, want 0", seen.n);
    }
    /* and then the same batch goes in whole */
    ms_store_add_result res[2];
    rsuite_add(s, "test:rb/1", both, 2, res);
    rsuite_expect_results("retry", res, (ms_store_add_result[]){MS_STORE_ADDED, MS_STORE_ADDED}, 2);
    rsuite_aggregates(s, "rollback.example", 0, INT64_MAX, &seen);
    if (seen.n != 4) {
        fail_msg("after the retry: got %zu records, want 4", seen.n);
    }
    rsuite_agg_free(a);
    rsuite_agg_free(big);
    rsuite_agg_free(bad);
    ms_store_close(s);
}

static int rsuite_failure_cb(void *user, const ms_report_failure *f)
{
    rsuite_seen *seen = user;
    rsuite_put(seen, "%s|%s|%s|%" PRId64 "|%" PRIu64 "|%s|%s|%zu:%.20s", S(f->feedback_type),
               S(f->reported_domain), S(f->source_ip), f->arrival, f->incidents,
               S(f->original_subject), S(f->dkim_domain), f->original_headers_len,
               S(f->original_headers));
    return 0;
}

static void rsuite_test_failures(void **state)
{
    (void)state;
    ms_store *s = rsuite_open();
    static const char headers[] = "From: x@fail.example\r\nSubject: hello\r\n";
    ms_report_failure f = {0};
    f.feedback_type = "auth-failure";
    f.version = "1";
    f.auth_failure = "dmarc";
    f.reported_domain = "Fail.Example";
    f.source_ip = "192.0.2.9";
    f.arrival = 1750000100;
    f.incidents = 1;
    f.dkim_domain = "fail.example";
    f.original_subject = "hello";
    f.original_headers = headers;
    f.original_headers_len = sizeof headers - 1;
    ms_report_failure g = f;
    g.arrival = 1750000000;
    g.source_ip = "192.0.2.10";
    ms_report r[2] = {{0}, {0}};
    r[0].kind = r[1].kind = MS_REPORT_FAILURE;
    r[0].failure = &f;
    r[1].failure = &g;
    rsuite_digest(&r[0], "failure-one");
    rsuite_digest(&r[1], "failure-two");
    ms_store_add_result res[2];
    rsuite_add(s, "test:fail/1", r, 2, res);
    rsuite_expect_results("failures", res, (ms_store_add_result[]){MS_STORE_ADDED, MS_STORE_ADDED},
                          2);
    rsuite_add(s, "test:fail/2", r, 1, res);
    rsuite_expect_results("failure again", res, (ms_store_add_result[]){MS_STORE_DUPLICATE}, 1);
    rsuite_seen seen = {0};
    ms_store_report_query q = {"fail.example", 0, INT64_MAX};
    assert_int_equal(ms_store_failure_each(s, &q, rsuite_failure_cb, &seen), MS_OK);
    static const char *const want[] = {
        "auth-failure|fail.example|192.0.2.10|1750000000|1|hello|fail.example|38:From: "
        "x@fail.example",
        "auth-failure|fail.example|192.0.2.9|1750000100|1|hello|fail.example|38:From: "
        "x@fail.example",
    };
    if (seen.n != 2 || strcmp(seen.text[0], want[0]) != 0 || strcmp(seen.text[1], want[1]) != 0) {
        fail_msg("failure_each: got %zu: [%s] [%s], want 2: [%s] [%s]", seen.n, seen.text[0],
                 seen.text[1], want[0], want[1]);
    }
    memset(&seen, 0, sizeof seen);
    q.since = 1750000050;
    assert_int_equal(ms_store_failure_each(s, &q, rsuite_failure_cb, &seen), MS_OK);
    if (seen.n != 1) {
        fail_msg("failure_each since an arrival: got %zu, want 1", seen.n);
    }
    ms_store_close(s);
}

static int rsuite_tls_cb(void *user, const ms_tlsrpt_report *t)
{
    rsuite_seen *seen = user;
    char pols[600] = "";
    size_t used = 0;
    for (size_t k = 0; k < t->n_policies; k++) {
        const ms_tlsrpt_policy *p = &t->policies[k];
        int w = snprintf(pols + used, sizeof pols - used,
                         " [%s %s ok=%" PRIu64 " fail=%" PRIu64 " strings=%zu:%s mx=%zu:%s "
                         "failures=%zu:%s/%s/%" PRIu64 "]",
                         S(p->policy_type), S(p->policy_domain), p->total_successful,
                         p->total_failure, p->n_policy_strings,
                         p->n_policy_strings ? S(p->policy_strings[p->n_policy_strings - 1]) : "-",
                         p->n_mx_hosts, p->n_mx_hosts ? S(p->mx_hosts[0]) : "-", p->n_failures,
                         p->n_failures ? S(p->failures[0].result_type) : "-",
                         p->n_failures ? S(p->failures[0].receiving_mx_hostname) : "-",
                         p->n_failures ? p->failures[0].failed_session_count : 0);
        used += w > 0 && (size_t)w < sizeof pols - used ? (size_t)w : 0;
    }
    rsuite_put(seen, "%s|%s|%s|%" PRId64 "-%" PRId64 "%s", S(t->organization_name),
               S(t->contact_info), S(t->report_id), t->begin, t->end, pols);
    return 0;
}

static void rsuite_test_tlsrpt(void **state)
{
    (void)state;
    ms_store *s = rsuite_open();
    static const char *const strings[] = {"version: STSv1", "mode: enforce"};
    static const char *const mx[] = {"mx1.tls.example"};
    ms_tlsrpt_failure fails[1] = {{"certificate-expired", "198.51.100.1", "mx1.tls.example", NULL,
                                   "203.0.113.5", NULL, NULL, 12}};
    ms_tlsrpt_policy pols[2] = {{0}, {0}};
    pols[0] = (ms_tlsrpt_policy){"sts", "TLS.example", strings, 2, mx, 1, 100, 12, fails, 1};
    pols[1] =
        (ms_tlsrpt_policy){"no-policy-found", "other-tls.example", NULL, 0, NULL, 0, 5, 0, NULL, 0};
    ms_tlsrpt_report t = {"Google Inc.",
                          "smtp-tls-reporting@google.com",
                          "2024-01-01T00:00:00Z",
                          1760000000,
                          1760086399,
                          pols,
                          2};
    ms_report r = {0};
    r.kind = MS_REPORT_TLSRPT;
    r.tlsrpt = &t;
    rsuite_digest(&r, "tlsrpt-one");
    ms_store_add_result res[1];
    rsuite_add(s, "test:tls/1", &r, 1, res);
    rsuite_expect_results("tlsrpt", res, (ms_store_add_result[]){MS_STORE_ADDED}, 1);
    rsuite_add(s, "test:tls/2", &r, 1, res);
    rsuite_expect_results("tlsrpt again", res, (ms_store_add_result[]){MS_STORE_DUPLICATE}, 1);
    const char *want = "Google Inc.|smtp-tls-reporting@google.com|2024-01-01T00:00:00Z|"
                       "1760000000-1760086399 [sts tls.example ok=100 fail=12 strings=2:mode: "
                       "enforce mx=1:mx1.tls.example failures=1:certificate-expired/"
                       "mx1.tls.example/12] [no-policy-found other-tls.example ok=5 fail=0 "
                       "strings=0:- mx=0:- failures=0:-/-/0]";
    const char *domains[] = {"tls.example", "OTHER-TLS.example"};
    for (size_t k = 0; k < 2; k++) {
        rsuite_seen seen = {0};
        ms_store_report_query q = {domains[k], 0, INT64_MAX};
        assert_int_equal(ms_store_tlsrpt_each(s, &q, rsuite_tls_cb, &seen), MS_OK);
        if (seen.n != 1 || strcmp(seen.text[0], want) != 0) {
            fail_msg("tlsrpt_each(%s): got %zu: %s\n want 1: %s", domains[k], seen.n, seen.text[0],
                     want);
        }
    }
    rsuite_seen seen = {0};
    ms_store_report_query q = {"tls.example", 1760086400, INT64_MAX};
    assert_int_equal(ms_store_tlsrpt_each(s, &q, rsuite_tls_cb, &seen), MS_OK);
    if (seen.n != 0) {
        fail_msg("tlsrpt_each after its range: got %zu, want 0", seen.n);
    }
    ms_store_close(s);
}

typedef struct {
    size_t n;
    char keys[8][64];
    char reasons[8][128];
} rsuite_kept;

static int rsuite_kept_cb(void *user, const char *key, const char *reason, int64_t when)
{
    rsuite_kept *k = user;
    (void)when;
    if (!key || strncmp(key, "test:kept/", 10) != 0) {
        return 0;
    }
    if (k->n < 8) {
        (void)snprintf(k->keys[k->n], sizeof k->keys[0], "%s", key);
        (void)snprintf(k->reasons[k->n], sizeof k->reasons[0], "%s", reason);
    }
    k->n++;
    return 0;
}

static void rsuite_test_kept(void **state)
{
    (void)state;
    ms_store *s = rsuite_open();
    static const uint8_t junk[] = "<feedback><oops";
    assert_int_equal(ms_store_kept_aside_add(s, "test:kept/1", "not XML (RFC 9990 section 3)", junk,
                                             sizeof junk - 1),
                     MS_OK);
    assert_int_equal(ms_store_kept_aside_add(s, "test:kept/2", "a zip bomb \xff", junk, 3), MS_OK);
    /* the same source again is not kept twice */
    assert_int_equal(ms_store_kept_aside_add(s, "test:kept/2", "again", junk, 3), MS_OK);
    if (!rsuite_seen_key(s, "test:kept/1")) {
        fail_msg("a kept-aside source: source_seen got false, want true");
    }
    /* a kept source that is later offered with reports is SEEN: not retried every run */
    rsuite_agg *a = rsuite_aggregate("Kept Org", "kept-1", "kept.example", 1, 2, 1);
    ms_store_add_result res[1];
    rsuite_add(s, "test:kept/1", &a->report, 1, res);
    rsuite_expect_results("kept then added", res, (ms_store_add_result[]){MS_STORE_SEEN}, 1);
    rsuite_kept k = {0};
    assert_int_equal(ms_store_kept_aside_each(s, rsuite_kept_cb, &k), MS_OK);
    if (k.n != 2 || strcmp(k.keys[0], "test:kept/2") != 0 ||
        strcmp(k.keys[1], "test:kept/1") != 0 || strcmp(k.reasons[0], "a zip bomb ?") != 0 ||
        strcmp(k.reasons[1], "not XML (RFC 9990 section 3)") != 0) {
        fail_msg("kept_aside_each: got %zu: %s (%s), %s (%s); want 2, newest first", k.n, k.keys[0],
                 k.reasons[0], k.keys[1], k.reasons[1]);
    }
    rsuite_agg_free(a);
    ms_store_close(s);
}

#define MS_STORE_REPORTS_SUITE_TESTS                                                               \
    cmocka_unit_test(rsuite_test_roundtrip), cmocka_unit_test(rsuite_test_duplicates),             \
        cmocka_unit_test(rsuite_test_filters), cmocka_unit_test(rsuite_test_paging),               \
        cmocka_unit_test(rsuite_test_rollback), cmocka_unit_test(rsuite_test_failures),            \
        cmocka_unit_test(rsuite_test_tlsrpt), cmocka_unit_test(rsuite_test_kept)

#endif
