/* SPDX-License-Identifier: MIT */
/* The store round-trip suite, run against every backend: lib/store/sqlite_test.c (a temp
 * SQLite file) and tests/store/postgres_test.c (a private PostgreSQL server). The including
 * file sets ms_store_suite_uri before cmocka runs MS_STORE_SUITE_TESTS. Each case keeps to its
 * own policy domain and time range, so they share one database. Include after <cmocka.h>. */
#ifndef MS_STORE_SUITE_H
#define MS_STORE_SUITE_H

#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailseal/store.h"

#include "base/limits.h"
#include "store/migrations.h"

static char ms_store_suite_uri[4096];

static ms_store *suite_open(void)
{
    ms_store *s = NULL;
    char err[512] = "";
    ms_status st = ms_store_open(ms_store_suite_uri, &s, err, sizeof err);
    if (st != MS_OK) {
        fail_msg("open %s: got %s (%s), want MS_OK", ms_store_suite_uri, ms_status_name(st), err);
    }
    return s;
}

static void suite_add(ms_store *s, const ms_history_row *row)
{
    ms_status st = ms_store_history_add(s, row);
    if (st != MS_OK) {
        char err[512];
        ms_store_last_error(s, err, sizeof err);
        fail_msg("history_add: got %s (%s), want MS_OK", ms_status_name(st), err);
    }
}

/* Collected copies of the rows a query gave (the rows live only during the callback). */
#define SUITE_MAX_ROWS 16
typedef struct {
    size_t n;    /* rows seen */
    size_t stop; /* stop after this many (0: never) */
    char text[SUITE_MAX_ROWS][8192];
    int64_t received[SUITE_MAX_ROWS];
} suite_rows;

static void put_field(char *out, size_t len, size_t *used, const char *name, const char *v)
{
    int n = snprintf(out + *used, len - *used, "%s=%s;", name, v ? v : "(null)");
    if (n > 0 && (size_t)n < len - *used) {
        *used += (size_t)n;
    }
}

/* One line holding every field, so a round trip compares in one string. */
static void row_text(const ms_history_row *r, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    char num[64];
    (void)snprintf(num, sizeof num, "%" PRId64 "/%d/%d/%d", r->received, r->pct, r->dkim_aligned,
                   r->spf_aligned);
    put_field(out, len, &used, "nums", num);
    put_field(out, len, &used, "queue_id", r->queue_id);
    put_field(out, len, &used, "source_ip", r->source_ip);
    put_field(out, len, &used, "header_from", r->header_from);
    put_field(out, len, &used, "envelope_from", r->envelope_from);
    put_field(out, len, &used, "helo", r->helo);
    put_field(out, len, &used, "envelope_to", r->envelope_to);
    put_field(out, len, &used, "spf_domain", r->spf_domain);
    put_field(out, len, &used, "spf_scope", r->spf_scope);
    put_field(out, len, &used, "spf_result", r->spf_result);
    put_field(out, len, &used, "spf_human", r->spf_human);
    put_field(out, len, &used, "dmarc_result", r->dmarc_result);
    put_field(out, len, &used, "policy_domain", r->policy_domain);
    put_field(out, len, &used, "p", r->p);
    put_field(out, len, &used, "sp", r->sp);
    put_field(out, len, &used, "np", r->np);
    put_field(out, len, &used, "adkim", r->adkim);
    put_field(out, len, &used, "aspf", r->aspf);
    put_field(out, len, &used, "fo", r->fo);
    put_field(out, len, &used, "testing", r->testing);
    put_field(out, len, &used, "discovery", r->discovery);
    put_field(out, len, &used, "disposition", r->disposition);
    for (size_t k = 0; k < r->n_dkim; k++) {
        put_field(out, len, &used, "dkim.domain", r->dkim[k].domain);
        put_field(out, len, &used, "dkim.selector", r->dkim[k].selector);
        put_field(out, len, &used, "dkim.result", r->dkim[k].result);
        put_field(out, len, &used, "dkim.human", r->dkim[k].human_result);
    }
    for (size_t k = 0; k < r->n_overrides; k++) {
        put_field(out, len, &used, "override.type", r->overrides[k].type);
        put_field(out, len, &used, "override.comment", r->overrides[k].comment);
    }
}

static int suite_collect(void *user, const ms_history_row *row)
{
    suite_rows *rows = user;
    if (rows->n < SUITE_MAX_ROWS) {
        row_text(row, rows->text[rows->n], sizeof rows->text[rows->n]);
        rows->received[rows->n] = row->received;
    }
    rows->n++;
    return rows->stop && rows->n >= rows->stop;
}

static void suite_query(ms_store *s, const char *domain, int64_t since, int64_t until,
                        suite_rows *rows)
{
    ms_status st = ms_store_history_each(s, domain, since, until, suite_collect, rows);
    if (st != MS_OK) {
        char err[512];
        ms_store_last_error(s, err, sizeof err);
        fail_msg("history_each %s: got %s (%s), want MS_OK", domain, ms_status_name(st), err);
    }
}

static const ms_history_dkim SUITE_DKIM[] = {
    {"Example.COM", "sel2025", "pass", NULL},
    {"esp.example.net", "s1", "fail", "body hash did not verify"},
};
static const ms_history_override SUITE_OVERRIDES[] = {
    {"mailing_list", "list.example.org rewrote the message"},
    {"local_policy", NULL},
};

/* A row with every field set, the policy domain given in mixed case. */
static ms_history_row suite_full_row(int64_t received, const char *domain)
{
    ms_history_row r = {0};
    r.received = received;
    r.queue_id = "4Xy7Zk1Q2bz9";
    r.source_ip = "2001:db8::25";
    r.header_from = "example.com";
    r.envelope_from = "bounce.example.com";
    r.helo = "mail.example.com";
    r.envelope_to = "receiver.example";
    r.spf_domain = "bounce.example.com";
    r.spf_scope = "mfrom";
    r.spf_result = "softfail";
    r.spf_human = "2001:db8::25 is not listed";
    r.dkim = SUITE_DKIM;
    r.n_dkim = 2;
    r.dmarc_result = "pass";
    r.policy_domain = domain;
    r.p = "reject";
    r.sp = "quarantine";
    r.np = "none";
    r.adkim = "s";
    r.aspf = "r";
    r.fo = "0:d";
    r.testing = "n";
    r.discovery = "treewalk";
    r.pct = 50;
    r.disposition = "none";
    r.dkim_aligned = 1;
    r.spf_aligned = 0;
    r.overrides = SUITE_OVERRIDES;
    r.n_overrides = 2;
    return r;
}

static void suite_expect_text(const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        fail_msg("row read back:\n got  %s\n want %s", got, want);
    }
}

/* Migrations run once: a second and third open find the newest schema version (4) and the
 * data kept. */
static void suite_migrations_idempotent(void **state)
{
    (void)state;
    ms_history_row r = suite_full_row(2000000000, "idem.example");
    for (int round = 0; round < 3; round++) {
        ms_store *s = suite_open();
        int want = ms__store_migrations[ms__store_n_migrations - 1].version;
        if (ms_store_schema_version(s) != want) {
            fail_msg("round %d: schema version got %d, want %d", round, ms_store_schema_version(s),
                     want);
        }
        if (round == 0) {
            suite_add(s, &r);
        }
        suite_rows rows = {0};
        suite_query(s, "idem.example", 0, INT64_MAX, &rows);
        if (rows.n != 1) {
            fail_msg("round %d: rows got %zu, want 1", round, rows.n);
        }
        ms_store_close(s);
    }
}

/* Every field goes in and comes back; the query picks one domain (any case) and [since,until). */
static void suite_round_trip(void **state)
{
    (void)state;
    ms_store *s = suite_open();
    ms_history_row full = suite_full_row(1700000100, "RoundTrip.Example");
    suite_add(s, &full);
    ms_history_row sparse = {0};
    sparse.received = 1700000200;
    sparse.policy_domain = "roundtrip.example";
    sparse.pct = -1;
    suite_add(s, &sparse);
    ms_history_row other = suite_full_row(1700000150, "other.example");
    suite_add(s, &other);
    ms_history_row before = suite_full_row(1700000099, "roundtrip.example");
    suite_add(s, &before);
    ms_history_row at_end = suite_full_row(1700000300, "roundtrip.example");
    suite_add(s, &at_end);

    suite_rows rows = {0};
    suite_query(s, "ROUNDTRIP.example", 1700000100, 1700000300, &rows);
    if (rows.n != 2) {
        fail_msg("rows in [1700000100,1700000300) got %zu, want 2", rows.n);
    }
    char want[4096];
    ms_history_row want_full = full;
    want_full.policy_domain = "roundtrip.example"; /* stored in lower case */
    row_text(&want_full, want, sizeof want);
    suite_expect_text(rows.text[0], want);
    ms_history_row want_sparse = sparse;
    row_text(&want_sparse, want, sizeof want);
    suite_expect_text(rows.text[1], want);

    suite_rows none = {0};
    suite_query(s, "nowhere.example", 0, INT64_MAX, &none);
    if (none.n != 0) {
        fail_msg("rows for an unknown domain got %zu, want 0", none.n);
    }
    ms_store_close(s);
}

/* Expiry deletes the older messages with their DKIM and override rows, and counts them. */
static void suite_expire(void **state)
{
    (void)state;
    ms_store *s = suite_open();
    for (int64_t t = 100; t <= 500; t += 100) {
        ms_history_row r = suite_full_row(t, "expire.example");
        suite_add(s, &r);
    }
    uint64_t n = 99;
    ms_status st = ms_store_history_expire(s, 350, &n);
    if (st != MS_OK || n != 3) {
        fail_msg("expire(350): got %s n=%" PRIu64 ", want MS_OK n=3", ms_status_name(st), n);
    }
    st = ms_store_history_expire(s, 350, &n);
    if (st != MS_OK || n != 0) {
        fail_msg("expire(350) again: got %s n=%" PRIu64 ", want MS_OK n=0", ms_status_name(st), n);
    }
    suite_rows rows = {0};
    suite_query(s, "expire.example", 0, 1000, &rows);
    if (rows.n != 2 || rows.received[0] != 400 || rows.received[1] != 500) {
        fail_msg("after expiry got %zu rows (first %" PRId64 "), want 400 and 500", rows.n,
                 rows.received[0]);
    }
    char want[4096];
    ms_history_row w = suite_full_row(400, "expire.example");
    row_text(&w, want, sizeof want);
    suite_expect_text(rows.text[0], want);
    ms_store_close(s);
}

/* Fields over MS_LIMIT_STORE_FIELD are refused (nothing stored); at the cap they fit. */
static void suite_huge_strings(void **state)
{
    (void)state;
    ms_store *s = suite_open();
    char *big = malloc(MS_LIMIT_STORE_FIELD + 2);
    assert_non_null(big);
    memset(big, 'a', MS_LIMIT_STORE_FIELD + 1);
    big[MS_LIMIT_STORE_FIELD + 1] = '\0';

    ms_history_row r = suite_full_row(1800000000, "huge.example");
    r.spf_human = big;
    ms_status st = ms_store_history_add(s, &r);
    char err[512];
    ms_store_last_error(s, err, sizeof err);
    if (st != MS_ELIMIT || !strstr(err, "spf_human")) {
        fail_msg("spf_human of %u bytes: got %s (%s), want MS_ELIMIT naming spf_human",
                 MS_LIMIT_STORE_FIELD + 1, ms_status_name(st), err);
    }
    ms_history_dkim dk[MS_LIMIT_STORE_DKIM + 1];
    for (size_t k = 0; k <= MS_LIMIT_STORE_DKIM; k++) {
        dk[k] = SUITE_DKIM[0];
    }
    r = suite_full_row(1800000000, "huge.example");
    r.dkim = dk;
    r.n_dkim = MS_LIMIT_STORE_DKIM + 1;
    st = ms_store_history_add(s, &r);
    if (st != MS_ELIMIT) {
        fail_msg("%u DKIM results: got %s, want MS_ELIMIT", MS_LIMIT_STORE_DKIM + 1,
                 ms_status_name(st));
    }
    r = suite_full_row(1800000000, "huge.example");
    r.pct = 101;
    st = ms_store_history_add(s, &r);
    if (st != MS_EINVAL) {
        fail_msg("pct 101: got %s, want MS_EINVAL", ms_status_name(st));
    }
    suite_rows rows = {0};
    suite_query(s, "huge.example", 0, INT64_MAX, &rows);
    if (rows.n != 0) {
        fail_msg("refused rows stored: got %zu rows, want 0", rows.n);
    }

    big[MS_LIMIT_STORE_FIELD] = '\0'; /* exactly at the cap */
    r = suite_full_row(1800000000, "huge.example");
    r.spf_human = big;
    r.dkim = dk;
    r.n_dkim = MS_LIMIT_STORE_DKIM;
    suite_add(s, &r);
    suite_query(s, "huge.example", 0, INT64_MAX, &rows);
    char *want = malloc(16384);
    assert_non_null(want);
    row_text(&r, want, 8192);
    suite_expect_text(rows.text[0], want);
    free(want);
    free(big);
    ms_store_close(s);
}

/* Past one page of rows, every row comes once; a callback can stop the walk. */
static void suite_pages(void **state)
{
    (void)state;
    ms_store *s = suite_open();
    size_t total = 2 * MS_LIMIT_STORE_PAGE + 3;
    for (size_t k = 0; k < total; k++) {
        ms_history_row r = suite_full_row(1900000000 + (int64_t)k, "pages.example");
        suite_add(s, &r);
    }
    suite_rows rows = {0};
    suite_query(s, "pages.example", 0, INT64_MAX, &rows);
    if (rows.n != total) {
        fail_msg("rows over pages: got %zu, want %zu", rows.n, total);
    }
    suite_rows some = {0};
    some.stop = 5;
    suite_query(s, "pages.example", 0, INT64_MAX, &some);
    if (some.n != 5 || some.received[4] != 1900000004) {
        fail_msg("stopped walk: got %zu rows, want 5 ending at 1900000004", some.n);
    }
    ms_store_close(s);
}

/* Threads writing at once: SUITE_THREADS x SUITE_ROWS_PER_THREAD rows, all present. Rows of
 * threads sharing a handle are committed in groups (group commit in store.c): a bad row in a
 * group (bad_at) must fail alone, with MS_ELIMIT, and every other row be stored. */
#define SUITE_THREADS 4
#define SUITE_ROWS_PER_THREAD 500
typedef struct {
    ms_store *shared; /* NULL: the thread opens its own handle */
    const char *domain;
    int64_t base;
    ms_status status;
    char err[512];
    int bad_at; /* the row number sent over the field cap, or -1 */
} suite_writer;

static char suite_big_field[MS_LIMIT_STORE_FIELD + 2];

static void *suite_write(void *arg)
{
    suite_writer *w = arg;
    ms_store *s = w->shared;
    w->status = MS_OK;
    if (!s) {
        w->status = ms_store_open(ms_store_suite_uri, &s, w->err, sizeof w->err);
    }
    for (int k = 0; w->status == MS_OK && k < SUITE_ROWS_PER_THREAD; k++) {
        ms_history_row r = suite_full_row(w->base + k, w->domain);
        if (k == w->bad_at) {
            r.spf_human = suite_big_field;
            ms_status bad = ms_store_history_add(s, &r);
            if (bad != MS_ELIMIT) {
                w->status = MS_EINVAL;
                snprintf(w->err, sizeof w->err, "row over the cap: got %s, want MS_ELIMIT",
                         ms_status_name(bad));
            }
            continue;
        }
        w->status = ms_store_history_add(s, &r);
        if (w->status != MS_OK) {
            ms_store_last_error(s, w->err, sizeof w->err);
        }
    }
    if (!w->shared) {
        ms_store_close(s);
    }
    return NULL;
}

static void suite_threads(const char *domain, int shared, int bad_at)
{
    ms_store *s = suite_open();
    memset(suite_big_field, 'a', MS_LIMIT_STORE_FIELD + 1);
    suite_writer w[SUITE_THREADS];
    pthread_t t[SUITE_THREADS];
    for (int k = 0; k < SUITE_THREADS; k++) {
        w[k] = (suite_writer){shared ? s : NULL, domain, 2100000000 + k * 10000, MS_OK, "", bad_at};
        assert_int_equal(pthread_create(&t[k], NULL, suite_write, &w[k]), 0);
    }
    for (int k = 0; k < SUITE_THREADS; k++) {
        assert_int_equal(pthread_join(t[k], NULL), 0);
    }
    for (int k = 0; k < SUITE_THREADS; k++) {
        if (w[k].status != MS_OK) {
            fail_msg("writer %d: got %s (%s), want MS_OK", k, ms_status_name(w[k].status),
                     w[k].err);
        }
    }
    suite_rows rows = {0};
    suite_query(s, domain, 0, INT64_MAX, &rows);
    size_t want = SUITE_THREADS * (size_t)(SUITE_ROWS_PER_THREAD - (bad_at >= 0 ? 1 : 0));
    if (rows.n != want) {
        fail_msg("rows after %d writers: got %zu, want %zu", SUITE_THREADS, rows.n, want);
    }
    ms_store_close(s);
}

/* One handle per thread (the store locks between handles). */
static void suite_threads_own_handles(void **state)
{
    (void)state;
    suite_threads("threads-own.example", 0, -1);
}

/* One handle shared by every thread (its mutex serialises the calls). */
static void suite_threads_shared_handle(void **state)
{
    (void)state;
    suite_threads("threads-shared.example", 1, -1);
}

/* Shared handle, each thread sends one row over the field cap amid the others: the group
 * commit fails that row alone. */
static void suite_threads_group_bad_row(void **state)
{
    (void)state;
    suite_threads("threads-bad.example", 1, 37);
}

/* Report generation and sending (migration 0003): the policy domains of a period, sorted and
 * once each; carries_report round-trips; outbox entries upsert; destinations give up after N
 * failures over M seconds and recover on success. */
static int suite_domain(void *user, const char *domain)
{
    char *out = user;
    size_t used = strlen(out);
    (void)snprintf(out + used, 512 - used, "%s,", domain);
    return 0;
}

static int suite_carries(void *user, const ms_history_row *row)
{
    *(int *)user = row->carries_report;
    return 0;
}

typedef struct {
    size_t n;
    char last[256];
} suite_outbox_seen;

static int suite_outbox_cb(void *user, const ms_outbox_entry *e)
{
    suite_outbox_seen *seen = user;
    if (strstr(e->report_file, "suite-outbox") != NULL) {
        seen->n++;
        (void)snprintf(seen->last, sizeof seen->last, "%s %s %s %u", e->report_file, e->destination,
                       ms_outbox_state_name(e->state), e->attempts);
    }
    return 0;
}

static void suite_report_outbox(void **state)
{
    (void)state;
    ms_store *s = suite_open();
    const int64_t t0 = 5000000000; /* a range no other case uses */
    static const char *const DOMAINS[] = {"b.suite-dom.test", "A.suite-dom.test",
                                          "b.suite-dom.test", "c.suite-dom.test"};
    for (size_t k = 0; k < 4; k++) {
        ms_history_row r = suite_full_row(t0 + (int64_t)k, DOMAINS[k]);
        r.carries_report = k == 3;
        suite_add(s, &r);
    }
    char got[512] = "";
    assert_int_equal(ms_store_history_domains(s, t0, t0 + 3, suite_domain, got), MS_OK);
    if (strcmp(got, "a.suite-dom.test,b.suite-dom.test,") != 0) {
        fail_msg("domains: got '%s', want 'a.suite-dom.test,b.suite-dom.test,'", got);
    }
    int carries = -1;
    assert_int_equal(
        ms_store_history_each(s, "c.suite-dom.test", t0, t0 + 10, suite_carries, &carries), MS_OK);
    if (carries != 1) {
        fail_msg("carries_report: got %d, want 1", carries);
    }
    carries = -1;
    assert_int_equal(
        ms_store_history_each(s, "a.suite-dom.test", t0, t0 + 10, suite_carries, &carries), MS_OK);
    if (carries != 0) {
        fail_msg("carries_report: got %d, want 0", carries);
    }

    ms_outbox_entry e = {"r!suite-outbox!1!2.xml.gz",
                         "suite-outbox.test",
                         "d@x.test",
                         MS_OUTBOX_PENDING,
                         1,
                         t0,
                         t0,
                         t0 + 600,
                         "421 try later"};
    assert_int_equal(ms_store_outbox_put(s, &e), MS_OK);
    e.state = MS_OUTBOX_SENT;
    e.attempts = 2;
    e.last_error = NULL;
    assert_int_equal(ms_store_outbox_put(s, &e), MS_OK);
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_outbox_entry back;
    bool found = false;
    assert_int_equal(ms_store_outbox_get(s, e.report_file, "d@x.test", arena, &back, &found),
                     MS_OK);
    if (!found || back.state != MS_OUTBOX_SENT || back.attempts != 2 || back.last_error != NULL ||
        back.next_attempt != t0 + 600 || strcmp(back.policy_domain, "suite-outbox.test") != 0) {
        fail_msg("outbox get: got found=%d state=%s attempts=%u, want sent after 2", found,
                 ms_outbox_state_name(back.state), back.attempts);
    }
    assert_int_equal(ms_store_outbox_get(s, e.report_file, "other@x.test", arena, &back, &found),
                     MS_OK);
    if (found) {
        fail_msg("outbox get of an unknown destination: got found, want none");
    }
    suite_outbox_seen seen = {0};
    assert_int_equal(ms_store_outbox_each(s, suite_outbox_cb, &seen), MS_OK);
    if (seen.n != 1 || strcmp(seen.last, "r!suite-outbox!1!2.xml.gz d@x.test sent 2") != 0) {
        fail_msg("outbox each: got %zu (%s), want 1 upserted entry", seen.n, seen.last);
    }
    ms_arena_free(arena);

    /* 3 failures over at least 2 days: given up at the failure that meets both. */
    static const struct {
        bool ok;
        int64_t at;
        unsigned want_failures;
        bool want_gave_up;
    } STEPS[] = {
        {false, 0, 1, false},        {false, 3600, 2, false},     {false, 7200, 3, false},
        {false, 2 * 86400, 4, true}, {true, 3 * 86400, 0, false}, {false, 4 * 86400, 1, false},
    };
    for (size_t k = 0; k < sizeof STEPS / sizeof STEPS[0]; k++) {
        ms_outbox_destination d;
        assert_int_equal(ms_store_destination_result(s, "dead@suite.test", STEPS[k].ok,
                                                     t0 + STEPS[k].at, 3, 2 * 86400, &d),
                         MS_OK);
        ms_outbox_destination again;
        assert_int_equal(ms_store_destination_get(s, "dead@suite.test", &again), MS_OK);
        if (d.consecutive_failures != STEPS[k].want_failures ||
            (d.gave_up != 0) != STEPS[k].want_gave_up ||
            again.consecutive_failures != d.consecutive_failures || again.gave_up != d.gave_up) {
            fail_msg("destination step %zu: got %u failures, gave_up %lld, want %u, %s", k,
                     d.consecutive_failures, (long long)d.gave_up, STEPS[k].want_failures,
                     STEPS[k].want_gave_up ? "given up" : "not given up");
        }
    }
    ms_store_close(s);
}

#define MS_STORE_SUITE_TESTS                                                                       \
    cmocka_unit_test(suite_migrations_idempotent), cmocka_unit_test(suite_round_trip),             \
        cmocka_unit_test(suite_expire), cmocka_unit_test(suite_huge_strings),                      \
        cmocka_unit_test(suite_pages), cmocka_unit_test(suite_threads_own_handles),                \
        cmocka_unit_test(suite_threads_shared_handle),                                             \
        cmocka_unit_test(suite_threads_group_bad_row), cmocka_unit_test(suite_report_outbox)

#endif
