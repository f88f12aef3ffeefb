/* SPDX-License-Identifier: MIT */
/* Failure reports waiting to be sent (RFC 9991; migration 0004): the queue the milter fills
 * and `mailseal report send` empties, and the rate limits that decide what enters it.
 *
 * Rate limits (RFC 9991 §2: report generators MUST rate-limit; §8.1: "a maximum number of
 * reports per minute ... and the remainder discarded") are counted in the store, in
 * failure_rate rows keyed by (scope, window_start): one per policy domain, and '*' for the
 * total. Queuing one report is one write transaction: make sure both rows exist, add one to
 * the domain's row and then to the total's row (always in that order, so two PostgreSQL
 * transactions never wait on each other's rows in a cycle: the UPDATE takes the row lock and
 * re-reads the committed count after any wait; SQLite's BEGIN IMMEDIATE takes the database's
 * write lock), and when either count passes its limit take both back and count a drop.
 * Every process and MTA sharing the store therefore counts together, exactly.
 *
 * Unlike the other _each functions of the store, ms_store_failure_out_each calls its
 * callback without holding the store's mutex, so the callback may call the same store
 * (ms_store_outbox_get/put, ms_store_failure_out_done, ...): a page of reports is read under
 * the lock, the lock let go, and each report's message then read (under the lock) and handed
 * to the callback (without it). Memory stays bounded: one page of the small fields
 * (MS_LIMIT_STORE_PAGE rows) and one message. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "mailseal/arena.h"
#include "mailseal/store.h"
#include "store/backend.h"
#include "store/store_impl.h"

static ms_status q(ms_store *s, const char *sql, const ms__sql_param *p, size_t n,
                   ms__sql_row_cb cb, void *user)
{
    return s->be->query(s->conn, sql, p, n, cb, user, s->err, sizeof s->err);
}

static int count_rows(void *user, size_t ncols, const char *const *vals)
{
    (void)ncols;
    (void)vals;
    (*(uint64_t *)user)++;
    return 0;
}

/* ---- queuing ------------------------------------------------------------------------------ */

static ms_status check_field(ms_store *s, const char *what, const char *v, size_t cap)
{
    if (!v || !*v) {
        ms__store_set_err(s->err, sizeof s->err, "failure outbox: no %s", what);
        return MS_EINVAL;
    }
    if (strnlen(v, cap + 1) > cap) {
        ms__store_set_err(s->err, sizeof s->err, "failure outbox: %s longer than %zu bytes", what,
                          cap);
        return MS_ELIMIT;
    }
    return MS_OK;
}

static ms_status check_report(ms_store *s, const ms_failure_out *r, const ms_failure_limits *lim)
{
    ms_status st = check_field(s, "policy domain", r->policy_domain, MS_LIMIT_STORE_FIELD);
    if (st == MS_OK) {
        st = check_field(s, "kind", r->kind, MS_LIMIT_STORE_FIELD);
    }
    if (st == MS_OK) {
        st = check_field(s, "record", r->record, MS_LIMIT_STORE_REPORT_FIELD);
    }
    if (st != MS_OK) {
        return st;
    }
    if (strcmp(r->policy_domain, "*") == 0) {
        ms__store_set_err(s->err, sizeof s->err,
                          "failure outbox: policy domain '*' (it names the total of the limits)");
        return MS_EINVAL;
    }
    if (!r->message || r->message_len == 0) {
        ms__store_set_err(s->err, sizeof s->err, "failure outbox: no message");
        return MS_EINVAL;
    }
    if (r->message_len > MS_LIMIT_FAILURE_MESSAGE) {
        ms__store_set_err(s->err, sizeof s->err,
                          "failure outbox: message of %zu bytes, longer than %u bytes",
                          r->message_len, MS_LIMIT_FAILURE_MESSAGE);
        return MS_ELIMIT;
    }
    for (size_t k = 0; k < r->message_len; k++) {
        unsigned char c = (unsigned char)r->message[k];
        if (c == 0 || c >= 0x80) {
            ms__store_set_err(s->err, sizeof s->err,
                              "failure outbox: the message has byte 0x%02x at offset %zu: a "
                              "message is 7-bit text without NUL (RFC 5322 §2.1)",
                              c, k);
            return MS_EINVAL;
        }
    }
    if (r->created < 0) {
        ms__store_set_err(s->err, sizeof s->err, "failure outbox: created %lld is before 1970",
                          (long long)r->created);
        return MS_EINVAL;
    }
    if (lim->window_secs <= 0) {
        ms__store_set_err(s->err, sizeof s->err,
                          "failure outbox: rate window of %lld seconds (want at least 1)",
                          (long long)lim->window_secs);
        return MS_EINVAL;
    }
    return MS_OK;
}

/* Adds one to the queued count of (scope, window) and returns the new count in *n. */
static ms_status count_one(ms_store *s, const char *scope, int64_t window, int64_t *n)
{
    ms__sql_param p[2] = {ms__store_text_param(scope), ms__store_int_param(window)};
    *n = -1;
    ms_status st = q(s,
                     "UPDATE failure_rate SET queued = queued + 1 WHERE scope = $1 AND "
                     "window_start = $2 RETURNING queued",
                     p, 2, ms__store_first_i64, n);
    if (st == MS_OK && *n < 0) {
        ms__store_set_err(s->err, sizeof s->err,
                          "failure outbox: the rate count of %s could not be read", scope);
        st = MS_EIO;
    }
    return st;
}

static ms_status queue_locked(ms_store *s, const ms_failure_out *r, const char *domain,
                              const char *message, const ms_failure_limits *lim, bool *queued)
{
    int64_t window = r->created - r->created % lim->window_secs; /* created >= 0 */
    ms__sql_param p[2] = {ms__store_text_param(domain), ms__store_int_param(window)};
    ms_status st = s->be->begin(s->conn, s->err, sizeof s->err);
    if (st != MS_OK) {
        return st;
    }
    st = q(s,
           "INSERT INTO failure_rate (scope, window_start) VALUES ($1, $2), ('*', $2) "
           "ON CONFLICT DO NOTHING",
           p, 2, NULL, NULL);
    int64_t n_domain = -1, n_total = -1;
    if (st == MS_OK) {
        st = count_one(s, domain, window, &n_domain); /* the domain first, then '*' */
    }
    if (st == MS_OK) {
        st = count_one(s, "*", window, &n_total);
    }
    bool over = n_domain > (int64_t)lim->per_domain || n_total > (int64_t)lim->total;
    if (st == MS_OK && over) {
        st = q(s,
               "UPDATE failure_rate SET queued = queued - 1, dropped = dropped + 1 "
               "WHERE scope = $1 AND window_start = $2",
               p, 2, NULL, NULL);
        if (st == MS_OK) {
            st = q(s,
                   "UPDATE failure_rate SET queued = queued - 1 WHERE scope = '*' AND "
                   "window_start = $1",
                   p + 1, 1, NULL, NULL);
        }
    } else if (st == MS_OK) {
        ms__sql_param ins[5] = {ms__store_int_param(r->created), ms__store_text_param(domain),
                                ms__store_text_param(r->kind), ms__store_text_param(r->record),
                                ms__store_text_param(message)};
        st = q(s,
               "INSERT INTO failure_out (created, policy_domain, kind, record, message) "
               "VALUES ($1, $2, $3, $4, $5)",
               ins, 5, NULL, NULL);
    }
    st = ms__store_finish(s, st);
    if (st == MS_OK) {
        *queued = !over;
    }
    return st;
}

ms_status ms_store_failure_out_queue(ms_store *store, const ms_failure_out *r,
                                     const ms_failure_limits *limits, bool *queued)
{
    if (queued) {
        *queued = false;
    }
    if (!store || !r || !limits || !queued) {
        return MS_EINVAL;
    }
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = check_report(store, r, limits);
    char *message = NULL;
    if (st == MS_OK) {
        /* The backends take NUL-terminated text. */
        message = malloc(r->message_len + 1);
        st = message ? MS_OK : MS_ENOMEM;
    }
    if (st == MS_OK) {
        memcpy(message, r->message, r->message_len);
        message[r->message_len] = '\0';
        char domain[MS_LIMIT_STORE_FIELD + 1];
        ms__store_lower_copy(domain, r->policy_domain);
        st = queue_locked(store, r, domain, message, limits, queued);
    }
    pthread_mutex_unlock(&store->mu);
    free(message);
    return st;
}

/* ---- reading the queue -------------------------------------------------------------------- */

typedef struct {
    ms_arena *arena;      /* the page's strings */
    ms_failure_out *rows; /* MS_LIMIT_STORE_PAGE */
    size_t n;
    bool bad;
} fo_page;

static const char *page_dup(fo_page *pg, const char *v)
{
    const char *d = v ? ms_arena_strdup(pg->arena, v) : NULL;
    if (!d) {
        pg->bad = true;
    }
    return d;
}

static int collect_meta(void *user, size_t ncols, const char *const *vals)
{
    fo_page *pg = user;
    if (pg->n >= MS_LIMIT_STORE_PAGE || ncols != 5) {
        pg->bad = true;
        return 1;
    }
    ms_failure_out *r = &pg->rows[pg->n];
    memset(r, 0, sizeof *r);
    if (!ms__store_parse_i64(vals[0], &r->id) || !ms__store_parse_i64(vals[1], &r->created)) {
        pg->bad = true;
        return 1;
    }
    r->policy_domain = page_dup(pg, vals[2]);
    r->kind = page_dup(pg, vals[3]);
    r->record = page_dup(pg, vals[4]);
    pg->n++;
    return pg->bad ? 1 : 0;
}

typedef struct {
    char *buf; /* MS_LIMIT_FAILURE_MESSAGE + 1 bytes */
    size_t len;
    bool found, bad;
} fo_message;

static int collect_message(void *user, size_t ncols, const char *const *vals)
{
    fo_message *m = user;
    if (ncols != 1 || !vals[0]) {
        m->bad = true;
        return 1;
    }
    size_t len = strnlen(vals[0], MS_LIMIT_FAILURE_MESSAGE + 1);
    if (len > MS_LIMIT_FAILURE_MESSAGE) {
        m->bad = true;
        return 1;
    }
    memcpy(m->buf, vals[0], len);
    m->buf[len] = '\0';
    m->len = len;
    m->found = true;
    return 1;
}

/* Reads the page of reports not done after id last (under the lock). */
static ms_status read_page(ms_store *s, fo_page *pg, int64_t last)
{
    ms_arena_reset(pg->arena);
    pg->n = 0;
    pg->bad = false;
    ms__sql_param p[2] = {ms__store_int_param(last), ms__store_int_param(MS_LIMIT_STORE_PAGE)};
    pthread_mutex_lock(&s->mu);
    s->err[0] = '\0';
    ms_status st = q(s,
                     "SELECT id, created, policy_domain, kind, record FROM failure_out "
                     "WHERE done = 0 AND id > $1 ORDER BY id LIMIT $2",
                     p, 2, collect_meta, pg);
    if (st == MS_OK && pg->bad) {
        ms__store_set_err(s->err, sizeof s->err,
                          "failure outbox: a stored report could not be read (%s)",
                          ms_status_name(ms_arena_status(pg->arena)));
        st = MS_EIO;
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* Reads one report's message (under the lock); m->found false when it is gone or done. */
static ms_status read_message(ms_store *s, int64_t id, fo_message *m)
{
    m->found = m->bad = false;
    m->len = 0;
    ms__sql_param p[1] = {ms__store_int_param(id)};
    pthread_mutex_lock(&s->mu);
    s->err[0] = '\0';
    ms_status st = q(s, "SELECT message FROM failure_out WHERE id = $1 AND done = 0", p, 1,
                     collect_message, m);
    if (st == MS_OK && m->bad) {
        ms__store_set_err(s->err, sizeof s->err,
                          "failure outbox: the message of report %lld could not be read",
                          (long long)id);
        st = MS_EIO;
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

static ms_status each_pages(ms_store *s, fo_page *pg, fo_message *m, ms_store_failure_out_cb cb,
                            void *user)
{
    int64_t last = 0;
    for (;;) {
        ms_status st = read_page(s, pg, last);
        if (st != MS_OK) {
            return st;
        }
        for (size_t k = 0; k < pg->n; k++) {
            ms_failure_out *r = &pg->rows[k];
            st = read_message(s, r->id, m);
            if (st != MS_OK) {
                return st;
            }
            if (!m->found) {
                continue; /* marked done (or expired) since the page was read */
            }
            r->message = m->buf;
            r->message_len = m->len;
            if (cb(user, r) != 0) {
                return MS_OK;
            }
        }
        if (pg->n < MS_LIMIT_STORE_PAGE) {
            return MS_OK;
        }
        last = pg->rows[pg->n - 1].id;
    }
}

ms_status ms_store_failure_out_each(ms_store *store, ms_store_failure_out_cb cb, void *user)
{
    if (!store || !cb) {
        return MS_EINVAL;
    }
    fo_page pg = {0};
    fo_message m = {0};
    ms_status st = ms_arena_new(NULL, 0, &pg.arena);
    if (st != MS_OK) {
        return st;
    }
    pg.rows = malloc(sizeof *pg.rows * MS_LIMIT_STORE_PAGE);
    m.buf = malloc(MS_LIMIT_FAILURE_MESSAGE + 1);
    if (pg.rows && m.buf) {
        st = each_pages(store, &pg, &m, cb, user);
    } else {
        st = MS_ENOMEM;
    }
    free(m.buf);
    free(pg.rows);
    ms_arena_free(pg.arena);
    return st;
}

/* ---- marking done, counting, expiring ----------------------------------------------------- */

ms_status ms_store_failure_out_done(ms_store *store, int64_t id)
{
    if (!store) {
        return MS_EINVAL;
    }
    ms__sql_param p[1] = {ms__store_int_param(id)};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = store->be->begin(store->conn, store->err, sizeof store->err);
    if (st == MS_OK) {
        st = ms__store_finish(
            store, q(store, "UPDATE failure_out SET done = 1 WHERE id = $1", p, 1, NULL, NULL));
    }
    pthread_mutex_unlock(&store->mu);
    return st;
}

typedef struct {
    int64_t queued, dropped;
    bool found;
} fo_counts;

static int collect_counts(void *user, size_t ncols, const char *const *vals)
{
    fo_counts *c = user;
    if (ncols == 2 && ms__store_parse_i64(vals[0], &c->queued) &&
        ms__store_parse_i64(vals[1], &c->dropped) && c->queued >= 0 && c->dropped >= 0) {
        c->found = true;
    }
    return 1;
}

ms_status ms_store_failure_out_counts(ms_store *store, int64_t since, uint64_t *queued,
                                      uint64_t *dropped)
{
    if (queued) {
        *queued = 0;
    }
    if (dropped) {
        *dropped = 0;
    }
    if (!store || !queued || !dropped) {
        return MS_EINVAL;
    }
    fo_counts c = {0};
    ms__sql_param p[1] = {ms__store_int_param(since)};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = q(store,
                     "SELECT COALESCE(SUM(queued), 0), COALESCE(SUM(dropped), 0) FROM failure_rate "
                     "WHERE scope <> '*' AND window_start >= $1",
                     p, 1, collect_counts, &c);
    if (st == MS_OK && !c.found) {
        ms__store_set_err(store->err, sizeof store->err,
                          "failure outbox: the rate counts could not be read");
        st = MS_EIO;
    }
    pthread_mutex_unlock(&store->mu);
    if (st == MS_OK) {
        *queued = (uint64_t)c.queued;
        *dropped = (uint64_t)c.dropped;
    }
    return st;
}

ms_status ms_store_failure_out_expire(ms_store *store, int64_t older_than, uint64_t *n_deleted)
{
    if (n_deleted) {
        *n_deleted = 0;
    }
    if (!store || !n_deleted) {
        return MS_EINVAL;
    }
    ms__sql_param p[1] = {ms__store_int_param(older_than)};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = store->be->begin(store->conn, store->err, sizeof store->err);
    if (st == MS_OK) {
        /* Reports not done stay, however old: they are still to be sent. */
        st = q(store, "DELETE FROM failure_out WHERE done = 1 AND created < $1 RETURNING id", p, 1,
               count_rows, n_deleted);
        /* The newest window is kept even when it starts before older_than: it may be the
         * current one, and deleting it would reset its counts mid-window. */
        if (st == MS_OK) {
            st = q(store,
                   "DELETE FROM failure_rate WHERE window_start < $1 AND window_start < "
                   "(SELECT max(window_start) FROM failure_rate)",
                   p, 1, NULL, NULL);
        }
        st = ms__store_finish(store, st);
        if (st != MS_OK) {
            *n_deleted = 0;
        }
    }
    pthread_mutex_unlock(&store->mu);
    return st;
}
