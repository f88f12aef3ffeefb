/* SPDX-License-Identifier: MIT */
/* The failure-report outbox suite (migration 0004: ms_store_failure_out_*), run against every
 * backend: lib/store/failure_out_test.c (SQLite) and tests/store/postgres_test.c
 * (PostgreSQL). The including file sets fsuite_uri before cmocka runs
 * MS_STORE_FAILURE_SUITE_TESTS. The cases share one database: each keeps to its own policy
 * domains (under .fsuite.test) and its own time range, reads counts as the difference before
 * and after, and filters the queue by domain. The expiry case uses the latest times of all.
 * Include after <cmocka.h>. */
#ifndef MS_STORE_FAILURE_SUITE_H
#define MS_STORE_FAILURE_SUITE_H

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailseal/store.h"

#include "base/limits.h"

static char fsuite_uri[4096];

static ms_store *fsuite_open(void)
{
    ms_store *s = NULL;
    char err[512] = "";
    ms_status st = ms_store_open(fsuite_uri, &s, err, sizeof err);
    if (st != MS_OK) {
        fail_msg("open %s: got %s (%s), want MS_OK", fsuite_uri, ms_status_name(st), err);
    }
    return s;
}

static ms_failure_out fsuite_report(const char *domain, int64_t created, const char *message)
{
    ms_failure_out r = {0};
    r.created = created;
    r.policy_domain = domain;
    r.kind = "dmarc";
    r.record = "v=DMARC1; p=reject; ruf=mailto:ruf@fsuite.test";
    r.message = message;
    r.message_len = strlen(message);
    return r;
}

static bool fsuite_queue_report(ms_store *s, const ms_failure_out *r, const ms_failure_limits *lim)
{
    bool queued = false;
    ms_status st = ms_store_failure_out_queue(s, r, lim, &queued);
    if (st != MS_OK) {
        char err[512];
        ms_store_last_error(s, err, sizeof err);
        fail_msg("queue %s at %" PRId64 ": got %s (%s), want MS_OK", r->policy_domain, r->created,
                 ms_status_name(st), err);
    }
    return queued;
}

static bool fsuite_queue(ms_store *s, const char *domain, int64_t created,
                         const ms_failure_limits *lim)
{
    char msg[256];
    (void)snprintf(msg, sizeof msg,
                   "From: reports@receiver.test\r\nSubject: failure %s %" PRId64 "\r\n\r\nbody\r\n",
                   domain, created);
    ms_failure_out r = fsuite_report(domain, created, msg);
    return fsuite_queue_report(s, &r, lim);
}

static void fsuite_counts(ms_store *s, int64_t since, uint64_t *queued, uint64_t *dropped)
{
    ms_status st = ms_store_failure_out_counts(s, since, queued, dropped);
    if (st != MS_OK) {
        char err[512];
        ms_store_last_error(s, err, sizeof err);
        fail_msg("counts since %" PRId64 ": got %s (%s), want MS_OK", since, ms_status_name(st),
                 err);
    }
}

/* What ms_store_failure_out_each gave for the domains ending in suffix. */
#define FSUITE_KEEP 8
typedef struct {
    const char *suffix;
    ms_store *mark_done; /* non-NULL: the callback marks each report done on this store */
    size_t stop;         /* stop after this many (0: never) */
    size_t n;
    bool out_of_order; /* an id not above the one before */
    int64_t last_id;
    int64_t ids[FSUITE_KEEP];
    char text[FSUITE_KEEP][512];
    ms_status done_status;
} fsuite_seen;

static bool fsuite_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int fsuite_collect(void *user, const ms_failure_out *r)
{
    fsuite_seen *seen = user;
    if (!fsuite_ends_with(r->policy_domain, seen->suffix)) {
        return 0;
    }
    if (seen->n > 0 && r->id <= seen->last_id) {
        seen->out_of_order = true;
    }
    seen->last_id = r->id;
    if (seen->n < FSUITE_KEEP) {
        seen->ids[seen->n] = r->id;
        (void)snprintf(seen->text[seen->n], sizeof seen->text[seen->n],
                       "%" PRId64 "|%s|%s|%s|%zu|%.*s", r->created, r->policy_domain, r->kind,
                       r->record, r->message_len, (int)r->message_len, r->message);
    }
    seen->n++;
    if (seen->mark_done) {
        /* What `mailseal report send` does: the outbox entry of each destination, then done. */
        char file[64];
        (void)snprintf(file, sizeof file, "failure-%" PRId64, r->id);
        ms_outbox_entry e = {file, r->policy_domain, "ruf@fsuite.test", MS_OUTBOX_SENT,
                             1,    r->created,       r->created,        r->created,
                             NULL};
        ms_status st = ms_store_outbox_put(seen->mark_done, &e);
        if (st == MS_OK) {
            st = ms_store_failure_out_done(seen->mark_done, r->id);
        }
        if (st != MS_OK) {
            seen->done_status = st;
        }
    }
    return seen->stop && seen->n >= seen->stop;
}

static void fsuite_each(ms_store *s, fsuite_seen *seen)
{
    seen->n = 0;
    seen->out_of_order = false;
    seen->done_status = MS_OK;
    ms_status st = ms_store_failure_out_each(s, fsuite_collect, seen);
    if (st != MS_OK) {
        char err[512];
        ms_store_last_error(s, err, sizeof err);
        fail_msg("each: got %s (%s), want MS_OK", ms_status_name(st), err);
    }
    if (seen->out_of_order) {
        fail_msg("each %s: ids not in ascending order (oldest first)", seen->suffix);
    }
    if (seen->done_status != MS_OK) {
        fail_msg("done from the callback: got %s, want MS_OK", ms_status_name(seen->done_status));
    }
}

/* ---- the rate limits ---- */

typedef struct {
    const char *domain; /* the case's prefix is put before it */
    int64_t at;         /* seconds after the case's base */
    bool want_queued;
} fsuite_step;

#define FSUITE_MAX_STEPS 8
typedef struct {
    const char *name;
    unsigned per_domain, total;
    int64_t window;
    fsuite_step steps[FSUITE_MAX_STEPS];
} fsuite_limit_case;

static void fsuite_limits(void **state)
{
    (void)state;
    static const fsuite_limit_case CASES[] = {
        {"under the limits", 10, 100, 3600, {{"a", 0, true}, {"b", 1, true}, {"a", 2, true}}},
        {"per-domain limit 3: the 4th of a domain is dropped, another domain still queued",
         3,
         100,
         3600,
         {{"a", 0, true},
          {"a", 1, true},
          {"a", 2, true},
          {"a", 3, false},
          {"b", 4, true},
          {"a", 5, false}}},
        {"total limit 3 over every domain",
         10,
         3,
         3600,
         {{"a", 0, true}, {"b", 1, true}, {"c", 2, true}, {"d", 3, false}, {"a", 4, false}}},
        {"a new window resets the counts",
         1,
         100,
         3600,
         {{"a", 0, true}, {"a", 3599, false}, {"a", 3600, true}, {"a", 3601, false}}},
        {"a dropped report does not count toward the total",
         1,
         3,
         3600,
         {{"a", 0, true},
          {"a", 1, false},
          {"a", 2, false},
          {"b", 3, true},
          {"c", 4, true},
          {"d", 5, false}}},
        {"limits 0 queue nothing", 0, 0, 3600, {{"a", 0, false}, {"b", 1, false}}},
        {"per-domain 0 queues nothing", 0, 10, 3600, {{"a", 0, false}}},
        {"total 0 queues nothing", 10, 0, 3600, {{"a", 0, false}}},
        {"the policy domain counts in lower case", 1, 10, 3600, {{"A", 0, true}, {"a", 1, false}}},
    };
    ms_store *s = fsuite_open();
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        const fsuite_limit_case *tc = &CASES[c];
        /* A range of its own, starting a window. */
        const int64_t base = 6000001200 + (int64_t)c * 360000;
        char suffix[64];
        (void)snprintf(suffix, sizeof suffix, ".lim%zu.fsuite.test", c);
        ms_failure_limits lim = {tc->per_domain, tc->total, tc->window};
        uint64_t q0, d0;
        fsuite_counts(s, base, &q0, &d0);
        uint64_t want_q = 0, want_d = 0;
        for (size_t k = 0; k < FSUITE_MAX_STEPS && tc->steps[k].domain; k++) {
            char domain[128];
            (void)snprintf(domain, sizeof domain, "%s%s", tc->steps[k].domain, suffix);
            bool got = fsuite_queue(s, domain, base + tc->steps[k].at, &lim);
            if (got != tc->steps[k].want_queued) {
                fail_msg("%s: step %zu (%s at +%" PRId64 "): queued got %d, want %d", tc->name, k,
                         domain, tc->steps[k].at, got, tc->steps[k].want_queued);
            }
            want_q += tc->steps[k].want_queued;
            want_d += !tc->steps[k].want_queued;
        }
        uint64_t q1, d1;
        fsuite_counts(s, base, &q1, &d1);
        if (q1 - q0 != want_q || d1 - d0 != want_d) {
            fail_msg("%s: counts got queued %" PRIu64 " dropped %" PRIu64 ", want %" PRIu64
                     " and %" PRIu64,
                     tc->name, q1 - q0, d1 - d0, want_q, want_d);
        }
        fsuite_seen seen = {.suffix = suffix};
        fsuite_each(s, &seen);
        if (seen.n != want_q) {
            fail_msg("%s: reports in the queue got %zu, want %" PRIu64, tc->name, seen.n, want_q);
        }
    }
    ms_store_close(s);
}

/* ---- reading the queue ---- */

/* Oldest first, every field back, the domain in lower case, done ones skipped; a callback
 * that stops; a callback that marks done on the same store (no deadlock: it runs unlocked). */
static void fsuite_each_order(void **state)
{
    (void)state;
    ms_store *s = fsuite_open();
    const int64_t base = 6100000000;
    const ms_failure_limits lim = {100, 100, 3600};
    ms_failure_out r1 =
        fsuite_report("One.Order.Fsuite.Test", base + 5, "Subject: one\r\n\r\nx\r\n");
    r1.kind = "signature";
    r1.record = "v=DMARC1; p=none; ruf=mailto:a@order.fsuite.test";
    ms_failure_out r2 =
        fsuite_report("two.order.fsuite.test", base + 1, "Subject: two\r\n\r\ny\r\n");
    ms_failure_out r3 = fsuite_report("one.order.fsuite.test", base + 9, "Subject: 3\r\n\r\n.\r\n");
    r3.kind = "spf";
    assert_true(fsuite_queue_report(s, &r1, &lim));
    assert_true(fsuite_queue_report(s, &r2, &lim));
    assert_true(fsuite_queue_report(s, &r3, &lim));

    fsuite_seen seen = {.suffix = ".order.fsuite.test"};
    fsuite_each(s, &seen);
    static const char *const WANT[] = {
        "6100000005|one.order.fsuite.test|signature|v=DMARC1; p=none; "
        "ruf=mailto:a@order.fsuite.test|19|Subject: one\r\n\r\nx\r\n",
        "6100000001|two.order.fsuite.test|dmarc|v=DMARC1; p=reject; "
        "ruf=mailto:ruf@fsuite.test|19|Subject: two\r\n\r\ny\r\n",
        "6100000009|one.order.fsuite.test|spf|v=DMARC1; p=reject; "
        "ruf=mailto:ruf@fsuite.test|17|Subject: 3\r\n\r\n.\r\n",
    };
    if (seen.n != 3) {
        fail_msg("each: got %zu reports, want 3", seen.n);
    }
    for (size_t k = 0; k < 3; k++) {
        if (strcmp(seen.text[k], WANT[k]) != 0) {
            fail_msg("report %zu (in queuing order):\n got  %s\n want %s", k, seen.text[k],
                     WANT[k]);
        }
    }
    int64_t ids[3] = {seen.ids[0], seen.ids[1], seen.ids[2]};

    /* A callback that stops after the first. */
    fsuite_seen first = {.suffix = ".order.fsuite.test", .stop = 1};
    fsuite_each(s, &first);
    if (first.n != 1 || first.ids[0] != ids[0]) {
        fail_msg("stopped walk: got %zu reports (first id %" PRId64 "), want 1 (id %" PRId64 ")",
                 first.n, first.ids[0], ids[0]);
    }

    /* Done ones are skipped. */
    assert_int_equal(ms_store_failure_out_done(s, ids[1]), MS_OK);
    fsuite_each(s, &seen);
    if (seen.n != 2 || seen.ids[0] != ids[0] || seen.ids[1] != ids[2]) {
        fail_msg("after done(%" PRId64 "): got %zu reports, want 2: %" PRId64 " and %" PRId64,
                 ids[1], seen.n, ids[0], ids[2]);
    }

    /* The callback calls the same store: the outbox, then done. */
    fsuite_seen marking = {.suffix = ".order.fsuite.test", .mark_done = s};
    fsuite_each(s, &marking);
    if (marking.n != 2) {
        fail_msg("marking walk: got %zu reports, want 2", marking.n);
    }
    fsuite_each(s, &seen);
    if (seen.n != 0) {
        fail_msg("after the callback marked every report done: got %zu reports, want 0", seen.n);
    }
    ms_store_close(s);
}

/* The message at its cap comes back whole. */
typedef struct {
    const char *want;
    size_t want_len;
    size_t n, same;
} fsuite_big_seen;

static int fsuite_big_cb(void *user, const ms_failure_out *r)
{
    fsuite_big_seen *b = user;
    if (strcmp(r->policy_domain, "big.pages.fsuite.test") == 0) {
        b->n++;
        b->same += r->message_len == b->want_len && memcmp(r->message, b->want, b->want_len) == 0;
    }
    return 0;
}

/* More than one page of reports: each comes once, in order; a message at its cap fits. */
static void fsuite_each_pages(void **state)
{
    (void)state;
    ms_store *s = fsuite_open();
    const int64_t base = 6200000000;
    const ms_failure_limits lim = {100000, 100000, 3600};
    const size_t total = MS_LIMIT_STORE_PAGE + 5;
    for (size_t k = 0; k < total; k++) {
        assert_true(fsuite_queue(s, "pages.fsuite.test", base + (int64_t)k, &lim));
    }
    char *big = malloc(MS_LIMIT_FAILURE_MESSAGE + 1);
    assert_non_null(big);
    for (size_t k = 0; k < MS_LIMIT_FAILURE_MESSAGE; k++) {
        big[k] = (k % 80 == 78) ? '\r' : (k % 80 == 79) ? '\n' : (char)('a' + k % 26);
    }
    big[MS_LIMIT_FAILURE_MESSAGE] = '\0';
    ms_failure_out r = fsuite_report("big.pages.fsuite.test", base, big);
    assert_true(fsuite_queue_report(s, &r, &lim));

    fsuite_seen seen = {.suffix = "pages.fsuite.test"};
    fsuite_each(s, &seen);
    if (seen.n != total + 1) {
        fail_msg("reports over pages: got %zu, want %zu", seen.n, total + 1);
    }
    char want[512];
    (void)snprintf(want, sizeof want, "%" PRId64 "|pages.fsuite.test|", base + 4);
    if (strncmp(seen.text[4], want, strlen(want)) != 0) {
        fail_msg("5th report: got %s, want it to start with %s", seen.text[4], want);
    }
    fsuite_big_seen b = {big, MS_LIMIT_FAILURE_MESSAGE, 0, 0};
    assert_int_equal(ms_store_failure_out_each(s, fsuite_big_cb, &b), MS_OK);
    if (b.n != 1 || b.same != 1) {
        fail_msg("message of %u bytes: got %zu reports, %zu identical, want 1 and 1",
                 MS_LIMIT_FAILURE_MESSAGE, b.n, b.same);
    }
    ms_store_close(s);
    free(big);
}

/* ---- refused input ---- */

typedef struct {
    const char *name;
    ms_failure_out r;
    ms_failure_limits lim;
    ms_status want;
    const char *want_err;
} fsuite_bad_case;

static void fsuite_bad_input(void **state)
{
    (void)state;
    ms_store *s = fsuite_open();
    const int64_t base = 6300000000;
    const ms_failure_limits ok = {100, 100, 3600};
    static const char NUL_MSG[] = "Subject: a\r\n\0\r\nbody\r\n";
    static const char HIGH_MSG[] = "Subject: caf\xc3\xa9\r\n\r\nbody\r\n";
    char *over = malloc(MS_LIMIT_FAILURE_MESSAGE + 2);
    assert_non_null(over);
    memset(over, 'a', MS_LIMIT_FAILURE_MESSAGE + 1);
    over[MS_LIMIT_FAILURE_MESSAGE + 1] = '\0';
    char *long_record = malloc(MS_LIMIT_STORE_REPORT_FIELD + 2);
    assert_non_null(long_record);
    memset(long_record, 'r', MS_LIMIT_STORE_REPORT_FIELD + 1);
    long_record[MS_LIMIT_STORE_REPORT_FIELD + 1] = '\0';
    char *long_domain = malloc(MS_LIMIT_STORE_FIELD + 2);
    assert_non_null(long_domain);
    memset(long_domain, 'd', MS_LIMIT_STORE_FIELD + 1);
    long_domain[MS_LIMIT_STORE_FIELD + 1] = '\0';

    const char *dom = "bad.fsuite.test";
    ms_failure_out good = fsuite_report(dom, base, "Subject: x\r\n\r\nbody\r\n");
    fsuite_bad_case cases[] = {
        {"a NUL byte in the message", good, ok, MS_EINVAL, "byte 0x00 at offset 12"},
        {"an 8-bit byte in the message", good, ok, MS_EINVAL, "byte 0xc3 at offset 12"},
        {"a message over its cap", good, ok, MS_ELIMIT, "longer than"},
        {"an empty message", good, ok, MS_EINVAL, "no message"},
        {"window 0", good, {100, 100, 0}, MS_EINVAL, "rate window of 0 seconds"},
        {"a negative window", good, {100, 100, -60}, MS_EINVAL, "rate window"},
        {"no kind", good, ok, MS_EINVAL, "no kind"},
        {"no record", good, ok, MS_EINVAL, "no record"},
        {"no policy domain", good, ok, MS_EINVAL, "no policy domain"},
        {"a record over its cap", good, ok, MS_ELIMIT, "record longer than"},
        {"a policy domain over its cap", good, ok, MS_ELIMIT, "policy domain longer than"},
        {"the total's scope as a domain", good, ok, MS_EINVAL, "'*'"},
        {"created before 1970", good, ok, MS_EINVAL, "before 1970"},
    };
    cases[0].r.message = NUL_MSG;
    cases[0].r.message_len = sizeof NUL_MSG - 1;
    cases[1].r.message = HIGH_MSG;
    cases[1].r.message_len = sizeof HIGH_MSG - 1;
    cases[2].r.message = over;
    cases[2].r.message_len = MS_LIMIT_FAILURE_MESSAGE + 1;
    cases[3].r.message_len = 0;
    cases[6].r.kind = NULL;
    cases[7].r.record = NULL;
    cases[8].r.policy_domain = NULL;
    cases[9].r.record = long_record;
    cases[10].r.policy_domain = long_domain;
    cases[11].r.policy_domain = "*";
    cases[12].r.created = -1;

    uint64_t q0, d0;
    fsuite_counts(s, 0, &q0, &d0);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bool queued = true;
        ms_status st = ms_store_failure_out_queue(s, &cases[k].r, &cases[k].lim, &queued);
        char err[512];
        ms_store_last_error(s, err, sizeof err);
        if (st != cases[k].want || queued || !strstr(err, cases[k].want_err)) {
            fail_msg("%s: got %s queued=%d (%s), want %s, not queued, error with \"%s\"",
                     cases[k].name, ms_status_name(st), queued, err, ms_status_name(cases[k].want),
                     cases[k].want_err);
        }
    }
    assert_int_equal(ms_store_failure_out_queue(NULL, &good, &ok, &(bool){false}), MS_EINVAL);
    assert_int_equal(ms_store_failure_out_queue(s, NULL, &ok, &(bool){false}), MS_EINVAL);
    assert_int_equal(ms_store_failure_out_queue(s, &good, NULL, &(bool){false}), MS_EINVAL);
    assert_int_equal(ms_store_failure_out_queue(s, &good, &ok, NULL), MS_EINVAL);
    uint64_t q1, d1;
    fsuite_counts(s, 0, &q1, &d1);
    if (q1 != q0 || d1 != d0) {
        fail_msg("refused reports counted: queued %" PRIu64 " -> %" PRIu64 ", dropped %" PRIu64
                 " -> %" PRIu64 ", want no change",
                 q0, q1, d0, d1);
    }
    fsuite_seen seen = {.suffix = "bad.fsuite.test"};
    fsuite_each(s, &seen);
    if (seen.n != 0) {
        fail_msg("refused reports stored: got %zu, want 0", seen.n);
    }
    free(long_domain);
    free(long_record);
    free(over);
    ms_store_close(s);
}

/* ---- several connections at once ---- */

#define FSUITE_WRITERS 2
#define FSUITE_PER_WRITER 200
#define FSUITE_PER_DOMAIN 150

typedef struct {
    int64_t at;
    unsigned queued, dropped;
    ms_status status;
    char err[512];
} fsuite_writer;

static void *fsuite_write(void *arg)
{
    fsuite_writer *w = arg;
    ms_store *s = NULL;
    w->status = ms_store_open(fsuite_uri, &s, w->err, sizeof w->err);
    const ms_failure_limits lim = {FSUITE_PER_DOMAIN, 100000, 3600};
    for (int k = 0; w->status == MS_OK && k < FSUITE_PER_WRITER; k++) {
        ms_failure_out r = fsuite_report("race.fsuite.test", w->at, "Subject: race\r\n\r\n.\r\n");
        bool queued = false;
        w->status = ms_store_failure_out_queue(s, &r, &lim, &queued);
        if (w->status != MS_OK) {
            ms_store_last_error(s, w->err, sizeof w->err);
        }
        w->queued += queued;
        w->dropped += !queued;
    }
    ms_store_close(s);
    return NULL;
}

/* Two handles (connections) queue for one domain in one window at once: the limit holds
 * exactly, and the counts agree with what the callers were told. */
static void fsuite_concurrent(void **state)
{
    (void)state;
    const int64_t base = 6400000800; /* starts a window */
    ms_store *s = fsuite_open();
    uint64_t q0, d0;
    fsuite_counts(s, base, &q0, &d0);
    fsuite_writer w[FSUITE_WRITERS];
    pthread_t t[FSUITE_WRITERS];
    for (int k = 0; k < FSUITE_WRITERS; k++) {
        w[k] = (fsuite_writer){base + k, 0, 0, MS_OK, ""};
        assert_int_equal(pthread_create(&t[k], NULL, fsuite_write, &w[k]), 0);
    }
    unsigned queued = 0, dropped = 0;
    for (int k = 0; k < FSUITE_WRITERS; k++) {
        assert_int_equal(pthread_join(t[k], NULL), 0);
    }
    for (int k = 0; k < FSUITE_WRITERS; k++) {
        if (w[k].status != MS_OK) {
            fail_msg("writer %d: got %s (%s), want MS_OK", k, ms_status_name(w[k].status),
                     w[k].err);
        }
        queued += w[k].queued;
        dropped += w[k].dropped;
    }
    const unsigned all = FSUITE_WRITERS * FSUITE_PER_WRITER;
    if (queued != FSUITE_PER_DOMAIN || dropped != all - FSUITE_PER_DOMAIN) {
        fail_msg("writers were told: queued %u dropped %u, want %u and %u", queued, dropped,
                 FSUITE_PER_DOMAIN, all - FSUITE_PER_DOMAIN);
    }
    uint64_t q1, d1;
    fsuite_counts(s, base, &q1, &d1);
    if (q1 - q0 != FSUITE_PER_DOMAIN || d1 - d0 != all - FSUITE_PER_DOMAIN) {
        fail_msg("counts: got queued %" PRIu64 " dropped %" PRIu64 ", want %u and %u", q1 - q0,
                 d1 - d0, FSUITE_PER_DOMAIN, all - FSUITE_PER_DOMAIN);
    }
    fsuite_seen seen = {.suffix = "race.fsuite.test"};
    fsuite_each(s, &seen);
    if (seen.n != FSUITE_PER_DOMAIN) {
        fail_msg("reports in the queue: got %zu, want %u", seen.n, FSUITE_PER_DOMAIN);
    }
    ms_store_close(s);
}

/* ---- expiry (the latest times of the suite: it keeps the newest window of all) ---- */

static void fsuite_expire(void **state)
{
    (void)state;
    ms_store *s = fsuite_open();
    const int64_t t = 9000000000;
    const ms_failure_limits lim = {100, 100, 10}; /* windows t, t+10, t+20 */
    uint64_t n = 0;
    /* The other cases' done reports first (all made before t): counted here, not below. */
    assert_int_equal(ms_store_failure_out_expire(s, t, &n), MS_OK);
    uint64_t q0, d0;
    fsuite_counts(s, t, &q0, &d0);
    assert_true(fsuite_queue(s, "expire.fsuite.test", t, &lim));
    assert_true(fsuite_queue(s, "expire.fsuite.test", t + 10, &lim));
    assert_true(fsuite_queue(s, "expire.fsuite.test", t + 20, &lim));
    fsuite_seen seen = {.suffix = "expire.fsuite.test"};
    fsuite_each(s, &seen);
    assert_int_equal(seen.n, 3);
    int64_t ids[3] = {seen.ids[0], seen.ids[1], seen.ids[2]};
    assert_int_equal(ms_store_failure_out_done(s, ids[0]), MS_OK);
    assert_int_equal(ms_store_failure_out_done(s, ids[2]), MS_OK);

    /* Done and older: deleted; not done: kept however old; the windows before t+15 go. */
    n = 99;
    ms_status st = ms_store_failure_out_expire(s, t + 15, &n);
    if (st != MS_OK || n != 1) {
        fail_msg("expire(t+15): got %s n=%" PRIu64 ", want MS_OK n=1", ms_status_name(st), n);
    }
    uint64_t q1, d1;
    fsuite_counts(s, t, &q1, &d1);
    if (q1 - q0 != 1) {
        fail_msg("queued since t after expiry: got %" PRIu64 ", want 1 (the window t+20)", q1 - q0);
    }
    fsuite_each(s, &seen);
    if (seen.n != 1 || seen.ids[0] != ids[1]) {
        fail_msg("after expiry: got %zu reports, want the one not done (%" PRId64 ")", seen.n,
                 ids[1]);
    }
    /* Everything older than far ahead: the done report goes; the newest window stays (it may
     * be the current one). */
    st = ms_store_failure_out_expire(s, t + 1000, &n);
    if (st != MS_OK || n != 1) {
        fail_msg("expire(t+1000): got %s n=%" PRIu64 ", want MS_OK n=1", ms_status_name(st), n);
    }
    fsuite_counts(s, t, &q1, &d1);
    if (q1 - q0 != 1) {
        fail_msg("queued since t after expiring all: got %" PRIu64 ", want 1 (newest window kept)",
                 q1 - q0);
    }
    /* The window kept still counts toward the limit. */
    const ms_failure_limits one = {1, 100, 10};
    if (fsuite_queue(s, "expire.fsuite.test", t + 25, &one)) {
        fail_msg("a second report in the kept window with per_domain 1: got queued, want dropped");
    }
    fsuite_each(s, &seen);
    if (seen.n != 1) {
        fail_msg("after expiring all: got %zu reports, want 1 (not done)", seen.n);
    }
    ms_store_close(s);
}

#define MS_STORE_FAILURE_SUITE_TESTS                                                               \
    cmocka_unit_test(fsuite_limits), cmocka_unit_test(fsuite_each_order),                          \
        cmocka_unit_test(fsuite_each_pages), cmocka_unit_test(fsuite_bad_input),                   \
        cmocka_unit_test(fsuite_concurrent), cmocka_unit_test(fsuite_expire)

#endif
