/* SPDX-License-Identifier: MIT */
/* The store's one interface over its backends: URI parsing, migrations, history rows. */
#include "mailseal/store.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/limits.h"
#include "base/str.h"
#include "mailseal/arena.h"
#include "store/backend.h"
#include "store/migrations.h"
#include "store/store_impl.h"

void ms__store_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- history columns ---------------------------------------------------------------- */

/* The text columns of history and the row fields they hold, in statement order. */
#define MS__HISTORY_TEXT(X)                                                                        \
    X(queue_id, queue_id)                                                                          \
    X(source_ip, source_ip)                                                                        \
    X(header_from, header_from)                                                                    \
    X(envelope_from, envelope_from)                                                                \
    X(helo, helo)                                                                                  \
    X(envelope_to, envelope_to)                                                                    \
    X(spf_domain, spf_domain)                                                                      \
    X(spf_scope, spf_scope)                                                                        \
    X(spf_result, spf_result)                                                                      \
    X(spf_human, spf_human)                                                                        \
    X(dmarc_result, dmarc_result)                                                                  \
    X(policy_domain, policy_domain)                                                                \
    X(pp_p, p)                                                                                     \
    X(pp_sp, sp)                                                                                   \
    X(pp_np, np)                                                                                   \
    X(pp_adkim, adkim)                                                                             \
    X(pp_aspf, aspf)                                                                               \
    X(pp_fo, fo)                                                                                   \
    X(pp_testing, testing)                                                                         \
    X(pp_discovery, discovery)                                                                     \
    X(disposition, disposition)

typedef struct {
    const char *column;
    size_t offset;
} text_field;

static const text_field TEXT_FIELDS[] = {
#define MS__TF(col, field) {#col, offsetof(ms_history_row, field)},
    MS__HISTORY_TEXT(MS__TF)
#undef MS__TF
};
#define N_TEXT (sizeof TEXT_FIELDS / sizeof TEXT_FIELDS[0])
/* Integer columns come first: received, dkim_aligned, spf_aligned, pp_pct, carries_report. */
#define N_INT 5u
_Static_assert(N_INT + N_TEXT == 26, "INSERT_SQL has $1..$26");
_Static_assert(N_INT + 1 + N_TEXT <= MS_LIMIT_STORE_PARAMS, "columns fit a row");

#define MS__TCOL(col, field) ", " #col

static const char INSERT_SQL[] =
    "INSERT INTO history (received, dkim_aligned, spf_aligned, pp_pct, "
    "carries_report" MS__HISTORY_TEXT(
        MS__TCOL) ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                  "$16, $17, $18, "
                  "$19, $20, $21, $22, $23, $24, $25, $26) RETURNING id";

static const char SELECT_SQL[] =
    "SELECT id, received, dkim_aligned, spf_aligned, pp_pct, carries_report" MS__HISTORY_TEXT(
        MS__TCOL) " FROM history WHERE policy_domain = $1 AND received >= $2 AND received < $3 AND "
                  "id > $4 "
                  "ORDER BY id LIMIT $5";

static const char **field_ptr(ms_history_row *row, size_t k)
{
    return (const char **)(void *)((char *)row + TEXT_FIELDS[k].offset);
}

static const char *field_get(const ms_history_row *row, size_t k)
{
    const char *const *p =
        (const char *const *)(const void *)((const char *)row + TEXT_FIELDS[k].offset);
    return *p;
}

bool ms__store_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s) {
        return false;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

int ms__store_first_i64(void *user, size_t ncols, const char *const *vals)
{
    int64_t *v = user;
    if (ncols < 1 || !ms__store_parse_i64(vals[0], v)) {
        *v = -1;
    }
    return 0;
}

/* ---- opening and migrations ----------------------------------------------------------- */

static int collect_first(void *user, size_t ncols, const char *const *vals)
{
    int64_t *v = user;
    if (ncols >= 1 && vals[0] && !ms__store_parse_i64(vals[0], v)) {
        *v = -1;
    }
    return 0;
}

static ms_status migrate_one(ms_store *s, const ms__store_migration *m, char *err, size_t errlen)
{
    const ms__store_backend *be = s->be;
    ms_status st = be->begin(s->conn, err, errlen);
    if (st != MS_OK) {
        return st;
    }
    if (be->lock_sql) {
        st = be->query(s->conn, be->lock_sql, NULL, 0, NULL, NULL, err, errlen);
    }
    if (st == MS_OK) {
        st = be->exec(s->conn,
                      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                      "name TEXT NOT NULL, applied BIGINT NOT NULL)",
                      err, errlen);
    }
    int64_t have = 0;
    ms__sql_param p[3] = {{MS__SQL_INT, NULL, m->version},
                          {MS__SQL_TEXT, m->name, 0},
                          {MS__SQL_INT, NULL, (int64_t)time(NULL)}};
    if (st == MS_OK) {
        st = be->query(s->conn, "SELECT count(*) FROM schema_version WHERE version = $1", p, 1,
                       collect_first, &have, err, errlen);
    }
    if (st == MS_OK && have == 0) {
        st = be->exec(s->conn, be->postgres ? m->postgres_sql : m->sqlite_sql, err, errlen);
        if (st != MS_OK) {
            size_t used = strnlen(err, errlen);
            char detail[MS__STORE_ERR];
            (void)snprintf(detail, sizeof detail, "%.*s", (int)used, err);
            ms__store_set_err(err, errlen, "migration %04d_%s failed: %s", m->version, m->name,
                              detail);
        }
        if (st == MS_OK) {
            st = be->query(s->conn,
                           "INSERT INTO schema_version (version, name, applied) "
                           "VALUES ($1, $2, $3)",
                           p, 3, NULL, NULL, err, errlen);
        }
    }
    if (st == MS_OK) {
        st = be->exec(s->conn, "COMMIT", err, errlen);
    }
    if (st != MS_OK) {
        char ignored[64];
        (void)be->exec(s->conn, "ROLLBACK", ignored, sizeof ignored);
    }
    return st;
}

static ms_status migrate(ms_store *s, char *err, size_t errlen)
{
    /* What is applied already, read without the write lock (no table yet: nothing is), so an
     * open of an up-to-date store does not queue behind every writer for each migration. */
    int64_t applied = 0;
    char ignored[MS__STORE_ERR];
    if (s->be->query(s->conn, "SELECT max(version) FROM schema_version", NULL, 0, collect_first,
                     &applied, ignored, sizeof ignored) != MS_OK) {
        applied = 0;
    }
    for (size_t k = 0; k < ms__store_n_migrations; k++) {
        if (ms__store_migrations[k].version <= applied) {
            continue;
        }
        ms_status st = migrate_one(s, &ms__store_migrations[k], err, errlen);
        if (st != MS_OK) {
            return st;
        }
    }
    int64_t top = 0;
    ms_status st = s->be->query(s->conn, "SELECT max(version) FROM schema_version", NULL, 0,
                                collect_first, &top, err, errlen);
    if (st != MS_OK) {
        return st;
    }
    int known = ms__store_migrations[ms__store_n_migrations - 1].version;
    if (top > known) {
        ms__store_set_err(
            err, errlen,
            "the store's schema is version %lld, this mailseal knows version %d: use a "
            "mailseal at least as new as the one that wrote it",
            (long long)top, known);
        return MS_EIO;
    }
    if (top < known) {
        ms__store_set_err(err, errlen, "the store's schema is version %lld after migrating to %d",
                          (long long)top, known);
        return MS_EIO;
    }
    s->schema_version = known;
    return MS_OK;
}

/* "postgresql://" etc.: an RFC 3986 scheme followed by "://". */
static bool has_scheme(const char *uri, size_t *scheme_len)
{
    size_t k = 0;
    if (!ms__is_alpha(uri[0])) {
        return false;
    }
    while (uri[k] && (ms__is_alnum(uri[k]) || uri[k] == '+' || uri[k] == '-' || uri[k] == '.')) {
        k++;
    }
    if (strncmp(uri + k, "://", 3) != 0) {
        return false;
    }
    *scheme_len = k;
    return true;
}

static ms_status open_store(const char *uri, ms_store **out, char *err, size_t errlen);

ms_status ms_store_open(const char *uri, ms_store **out, char *err, size_t errlen)
{
    char e[MS__STORE_ERR] = "";
    ms_status st = open_store(uri, out, e, sizeof e);
    if (err && errlen > 0) {
        (void)snprintf(err, errlen, "%s", e);
    }
    return st;
}

static ms_status open_store(const char *uri, ms_store **out, char *err, size_t errlen)
{
    if (!out) {
        ms__store_set_err(err, errlen, "store: no place for the handle");
        return MS_EINVAL;
    }
    *out = NULL;
    if (!uri || !*uri) {
        ms__store_set_err(err, errlen,
                          "store: empty URI (want sqlite:PATH, a path or postgresql://...)");
        return MS_EINVAL;
    }
    if (strnlen(uri, MS_LIMIT_STORE_URI + 1) > MS_LIMIT_STORE_URI) {
        ms__store_set_err(err, errlen, "store: URI longer than %u bytes", MS_LIMIT_STORE_URI);
        return MS_EINVAL;
    }
    const ms__store_backend *be = &ms__store_sqlite;
    const char *target = uri;
    size_t scheme_len = 0;
    if (has_scheme(uri, &scheme_len)) {
        if (ms__str_ieq(uri, scheme_len, "postgresql", 10) ||
            ms__str_ieq(uri, scheme_len, "postgres", 8)) {
            be = &ms__store_postgres;
        } else if (ms__str_ieq(uri, scheme_len, "sqlite", 6)) {
            target = uri + scheme_len + 3; /* sqlite:///abs/path */
            if (target[0] != '/') {
                ms__store_set_err(
                    err, errlen,
                    "store: sqlite:// must be followed by an absolute path (sqlite:///var/x.db)"
                    " or use sqlite:PATH");
                return MS_EINVAL;
            }
        } else {
            ms__store_set_err(
                err, errlen,
                "store: unknown scheme '%.*s' (want sqlite:PATH, a path or postgresql://...)",
                (int)scheme_len, uri);
            return MS_EINVAL;
        }
    } else if (ms__str_iprefix(uri, strlen(uri), "sqlite:")) {
        target = uri + 7;
    }
    if (be == &ms__store_sqlite && !*target) {
        ms__store_set_err(err, errlen, "store: sqlite: without a file path");
        return MS_EINVAL;
    }

    ms_store *s = calloc(1, sizeof *s);
    if (!s) {
        ms__store_set_err(err, errlen, "store: out of memory");
        return MS_ENOMEM;
    }
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        ms__store_set_err(err, errlen, "store: cannot create a mutex");
        return MS_ENOMEM;
    }
    if (pthread_mutex_init(&s->gc_mu, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        ms__store_set_err(err, errlen, "store: cannot create a mutex");
        return MS_ENOMEM;
    }
    if (pthread_cond_init(&s->gc_cv, NULL) != 0) {
        pthread_mutex_destroy(&s->gc_mu);
        pthread_mutex_destroy(&s->mu);
        free(s);
        ms__store_set_err(err, errlen, "store: cannot create a condition variable");
        return MS_ENOMEM;
    }
    s->be = be;
    ms_status st = be == &ms__store_sqlite ? ms__store_sqlite_open(target, &s->conn, err, errlen)
                                           : ms__store_postgres_open(target, &s->conn, err, errlen);
    if (st == MS_OK) {
        st = migrate(s, err, errlen);
    }
    if (st != MS_OK) {
        ms_store_close(s);
        return st == MS_EINVAL ? MS_EINVAL : MS_EIO;
    }
    *out = s;
    return MS_OK;
}

void ms_store_close(ms_store *store)
{
    if (!store) {
        return;
    }
    if (store->conn) {
        store->be->close(store->conn);
    }
    pthread_cond_destroy(&store->gc_cv);
    pthread_mutex_destroy(&store->gc_mu);
    pthread_mutex_destroy(&store->mu);
    free(store);
}

const char *ms_store_backend(const ms_store *store)
{
    return store->be->name;
}

int ms_store_schema_version(const ms_store *store)
{
    return store->schema_version;
}

void ms_store_last_error(ms_store *store, char *buf, size_t len)
{
    if (len == 0) {
        return;
    }
    pthread_mutex_lock(&store->mu);
    (void)snprintf(buf, len, "%s", store->err);
    pthread_mutex_unlock(&store->mu);
}

/* ---- history -------------------------------------------------------------------------- */

static ms_status check_text(ms_store *s, const char *what, const char *v)
{
    if (v && strnlen(v, MS_LIMIT_STORE_FIELD + 1) > MS_LIMIT_STORE_FIELD) {
        ms__store_set_err(s->err, sizeof s->err, "history: %s longer than %u bytes", what,
                          MS_LIMIT_STORE_FIELD);
        return MS_ELIMIT;
    }
    return MS_OK;
}

static ms_status check_row(ms_store *s, const ms_history_row *row)
{
    for (size_t k = 0; k < N_TEXT; k++) {
        if (check_text(s, TEXT_FIELDS[k].column, field_get(row, k)) != MS_OK) {
            return MS_ELIMIT;
        }
    }
    if (row->n_dkim > MS_LIMIT_STORE_DKIM || (row->n_dkim > 0 && !row->dkim)) {
        ms__store_set_err(s->err, sizeof s->err, "history: %zu DKIM results, at most %u",
                          row->n_dkim, MS_LIMIT_STORE_DKIM);
        return MS_ELIMIT;
    }
    if (row->n_overrides > MS_LIMIT_STORE_OVERRIDES || (row->n_overrides > 0 && !row->overrides)) {
        ms__store_set_err(s->err, sizeof s->err, "history: %zu override reasons, at most %u",
                          row->n_overrides, MS_LIMIT_STORE_OVERRIDES);
        return MS_ELIMIT;
    }
    for (size_t k = 0; k < row->n_dkim; k++) {
        const ms_history_dkim *d = &row->dkim[k];
        if (check_text(s, "dkim domain", d->domain) ||
            check_text(s, "dkim selector", d->selector) ||
            check_text(s, "dkim result", d->result) ||
            check_text(s, "dkim human_result", d->human_result)) {
            return MS_ELIMIT;
        }
    }
    for (size_t k = 0; k < row->n_overrides; k++) {
        const ms_history_override *o = &row->overrides[k];
        if (check_text(s, "override type", o->type) ||
            check_text(s, "override comment", o->comment)) {
            return MS_ELIMIT;
        }
    }
    if (row->pct < -1 || row->pct > 100) {
        ms__store_set_err(s->err, sizeof s->err, "history: pct %d is not -1 (absent) or 0..100",
                          row->pct);
        return MS_EINVAL;
    }
    return MS_OK;
}

ms__sql_param ms__store_text_param(const char *v)
{
    ms__sql_param p = {v ? MS__SQL_TEXT : MS__SQL_NULL, v, 0};
    return p;
}

ms__sql_param ms__store_int_param(int64_t v)
{
    ms__sql_param p = {MS__SQL_INT, NULL, v};
    return p;
}

static int collect_id(void *user, size_t ncols, const char *const *vals)
{
    int64_t *id = user;
    if (ncols < 1 || !ms__store_parse_i64(vals[0], id)) {
        *id = -1;
    }
    return 0;
}

static ms_status add_locked(ms_store *s, const ms_history_row *row, const char *domain_lc)
{
    const ms__store_backend *be = s->be;
    char *err = s->err;
    size_t errlen = sizeof s->err;
    ms__sql_param p[N_INT + N_TEXT];
    p[0] = ms__store_int_param(row->received);
    p[1] = ms__store_int_param(row->dkim_aligned ? 1 : 0);
    p[2] = ms__store_int_param(row->spf_aligned ? 1 : 0);
    p[3] = row->pct < 0 ? ms__store_text_param(NULL) : ms__store_int_param(row->pct);
    p[4] = ms__store_int_param(row->carries_report ? 1 : 0);
    for (size_t k = 0; k < N_TEXT; k++) {
        const char *v = field_get(row, k);
        if (strcmp(TEXT_FIELDS[k].column, "policy_domain") == 0) {
            v = domain_lc;
        }
        p[N_INT + k] = ms__store_text_param(v);
    }
    int64_t id = -1;
    ms_status st = be->query(s->conn, INSERT_SQL, p, N_INT + N_TEXT, collect_id, &id, err, errlen);
    if (st == MS_OK && id < 0) {
        ms__store_set_err(err, errlen, "history: the insert returned no id");
        st = MS_EIO;
    }
    for (size_t k = 0; st == MS_OK && k < row->n_dkim; k++) {
        const ms_history_dkim *d = &row->dkim[k];
        ms__sql_param q[6] = {
            ms__store_int_param(id),         ms__store_int_param((int64_t)k),
            ms__store_text_param(d->domain), ms__store_text_param(d->selector),
            ms__store_text_param(d->result), ms__store_text_param(d->human_result)};
        st = be->query(s->conn,
                       "INSERT INTO history_dkim (history_id, seq, domain, selector, result, "
                       "human_result) VALUES ($1, $2, $3, $4, $5, $6)",
                       q, 6, NULL, NULL, err, errlen);
    }
    for (size_t k = 0; st == MS_OK && k < row->n_overrides; k++) {
        const ms_history_override *o = &row->overrides[k];
        ms__sql_param q[4] = {ms__store_int_param(id), ms__store_int_param((int64_t)k),
                              ms__store_text_param(o->type), ms__store_text_param(o->comment)};
        st = be->query(s->conn,
                       "INSERT INTO history_override (history_id, seq, type, comment) "
                       "VALUES ($1, $2, $3, $4)",
                       q, 4, NULL, NULL, err, errlen);
    }
    return st;
}

void ms__store_lower_copy(char *dst, const char *src)
{
    size_t k = 0;
    for (; src[k] && k < MS_LIMIT_STORE_FIELD; k++) {
        dst[k] = ms__lower(src[k]);
    }
    dst[k] = '\0';
}

ms_status ms__store_finish(ms_store *s, ms_status st)
{
    if (st == MS_OK) {
        st = s->be->exec(s->conn, "COMMIT", s->err, sizeof s->err);
    }
    if (st != MS_OK) {
        char ignored[64];
        (void)s->be->exec(s->conn, "ROLLBACK", ignored, sizeof ignored);
    }
    return st;
}

/* Writes a batch of queued rows in one transaction (the caller holds store->mu). Each row has
 * its own savepoint, so a row that fails (over a cap, a constraint) fails alone; a failed
 * COMMIT fails every row of the batch. */
static void write_batch(ms_store *store, history_waiter *batch)
{
    char domain_lc[MS_LIMIT_STORE_FIELD + 1];
    store->err[0] = '\0';
    ms_status st = store->be->begin(store->conn, store->err, sizeof store->err);
    size_t n_ok = 0;
    for (history_waiter *w = batch; w != NULL; w = w->next) {
        if (st != MS_OK) {
            w->st = st;
            continue;
        }
        w->st = check_row(store, w->row);
        if (w->st != MS_OK) {
            continue;
        }
        if (w->row->policy_domain) {
            ms__store_lower_copy(domain_lc, w->row->policy_domain);
        }
        w->st =
            store->be->exec(store->conn, "SAVEPOINT history_row", store->err, sizeof store->err);
        if (w->st == MS_OK) {
            w->st = add_locked(store, w->row, w->row->policy_domain ? domain_lc : NULL);
            char ignored[64];
            if (w->st != MS_OK) {
                (void)store->be->exec(store->conn, "ROLLBACK TO SAVEPOINT history_row", ignored,
                                      sizeof ignored);
            }
            (void)store->be->exec(store->conn, "RELEASE SAVEPOINT history_row", ignored,
                                  sizeof ignored);
        }
        n_ok += w->st == MS_OK;
    }
    if (st != MS_OK) {
        return;
    }
    /* Nothing to keep: roll back (finish with an error status does). */
    st = ms__store_finish(store, n_ok > 0 ? MS_OK : MS_EIO);
    if (st != MS_OK && n_ok > 0) {
        for (history_waiter *w = batch; w != NULL; w = w->next) {
            if (w->st == MS_OK) {
                w->st = st;
            }
        }
    }
}

/* Group commit: the durable COMMIT (synchronous=FULL, an fsync) is what a row costs, and
 * concurrent connections would each wait for their own. Instead each caller queues its row;
 * one caller at a time becomes the leader, takes every row queued so far and commits them
 * together, then wakes their callers. Every caller still returns only after a COMMIT that
 * holds its row (issue 6: committed before the milter's final reply). */
ms_status ms_store_history_add(ms_store *store, const ms_history_row *row)
{
    if (!store || !row) {
        return MS_EINVAL;
    }
    history_waiter me = {.row = row, .st = MS_EIO, .done = false, .next = NULL};
    pthread_mutex_lock(&store->gc_mu);
    if (store->gc_tail) {
        store->gc_tail->next = &me;
    } else {
        store->gc_head = &me;
    }
    store->gc_tail = &me;
    while (!me.done) {
        if (store->gc_leader) {
            pthread_cond_wait(&store->gc_cv, &store->gc_mu);
            continue;
        }
        store->gc_leader = true;
        history_waiter *batch = store->gc_head;
        store->gc_head = store->gc_tail = NULL;
        pthread_mutex_unlock(&store->gc_mu);

        pthread_mutex_lock(&store->mu);
        write_batch(store, batch);
        pthread_mutex_unlock(&store->mu);

        pthread_mutex_lock(&store->gc_mu);
        for (history_waiter *w = batch; w != NULL;) {
            history_waiter *next = w->next; /* w may return (and vanish) once done is seen */
            w->done = true;
            w = next;
        }
        store->gc_leader = false;
        pthread_cond_broadcast(&store->gc_cv);
    }
    pthread_mutex_unlock(&store->gc_mu);
    return me.st;
}

static int count_rows(void *user, size_t ncols, const char *const *vals)
{
    (void)ncols;
    (void)vals;
    (*(uint64_t *)user)++;
    return 0;
}

ms_status ms_store_history_expire(ms_store *store, int64_t older_than, uint64_t *n_deleted)
{
    if (!store || !n_deleted) {
        return MS_EINVAL;
    }
    *n_deleted = 0;
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    const ms__store_backend *be = store->be;
    ms__sql_param p[1] = {ms__store_int_param(older_than)};
    ms_status st = be->begin(store->conn, store->err, sizeof store->err);
    if (st == MS_OK) {
        /* The children first: the same on both backends, whether or not foreign keys
         * cascade. */
        st = be->query(store->conn,
                       "DELETE FROM history_dkim WHERE history_id IN "
                       "(SELECT id FROM history WHERE received < $1)",
                       p, 1, NULL, NULL, store->err, sizeof store->err);
        if (st == MS_OK) {
            st = be->query(store->conn,
                           "DELETE FROM history_override WHERE history_id IN "
                           "(SELECT id FROM history WHERE received < $1)",
                           p, 1, NULL, NULL, store->err, sizeof store->err);
        }
        if (st == MS_OK) {
            st = be->query(store->conn, "DELETE FROM history WHERE received < $1 RETURNING id", p,
                           1, count_rows, n_deleted, store->err, sizeof store->err);
        }
        st = ms__store_finish(store, st);
        if (st != MS_OK) {
            *n_deleted = 0;
        }
    }
    pthread_mutex_unlock(&store->mu);
    return st;
}

/* ---- reading history back ------------------------------------------------------------- */

typedef struct {
    int64_t id;
    ms_history_row row;
    ms_history_dkim dkim[MS_LIMIT_STORE_DKIM];
    ms_history_override overrides[MS_LIMIT_STORE_OVERRIDES];
} page_row;

typedef struct {
    ms_arena *arena;
    page_row *rows; /* MS_LIMIT_STORE_PAGE */
    size_t n;
    page_row *current; /* while reading children */
    bool bad;
} page;

static const char *dup_val(page *pg, const char *v)
{
    if (!v) {
        return NULL;
    }
    const char *d = ms_arena_strdup(pg->arena, v);
    if (!d) {
        pg->bad = true;
    }
    return d;
}

static int collect_row(void *user, size_t ncols, const char *const *vals)
{
    page *pg = user;
    if (pg->n >= MS_LIMIT_STORE_PAGE || ncols != N_INT + 1 + N_TEXT) {
        pg->bad = true;
        return 1;
    }
    page_row *r = &pg->rows[pg->n];
    memset(r, 0, sizeof *r);
    int64_t dkim_al = 0, spf_al = 0, pct = -1, carries = 0;
    if (!ms__store_parse_i64(vals[0], &r->id) || !ms__store_parse_i64(vals[1], &r->row.received) ||
        !ms__store_parse_i64(vals[2], &dkim_al) || !ms__store_parse_i64(vals[3], &spf_al) ||
        (vals[4] && !ms__store_parse_i64(vals[4], &pct)) ||
        !ms__store_parse_i64(vals[5], &carries)) {
        pg->bad = true;
        return 1;
    }
    r->row.dkim_aligned = dkim_al != 0;
    r->row.spf_aligned = spf_al != 0;
    r->row.carries_report = carries != 0;
    r->row.pct = pct >= -1 && pct <= 100 ? (int)pct : -1;
    for (size_t k = 0; k < N_TEXT; k++) {
        *field_ptr(&r->row, k) = dup_val(pg, vals[N_INT + 1 + k]);
    }
    r->row.dkim = r->dkim;
    r->row.overrides = r->overrides;
    pg->n++;
    return pg->bad ? 1 : 0;
}

static int collect_dkim(void *user, size_t ncols, const char *const *vals)
{
    page *pg = user;
    page_row *r = pg->current;
    if (ncols != 4 || r->row.n_dkim >= MS_LIMIT_STORE_DKIM) {
        return 1; /* more than the cap were never written by this library */
    }
    ms_history_dkim *d = &r->dkim[r->row.n_dkim++];
    d->domain = dup_val(pg, vals[0]);
    d->selector = dup_val(pg, vals[1]);
    d->result = dup_val(pg, vals[2]);
    d->human_result = dup_val(pg, vals[3]);
    return pg->bad ? 1 : 0;
}

static int collect_override(void *user, size_t ncols, const char *const *vals)
{
    page *pg = user;
    page_row *r = pg->current;
    if (ncols != 2 || r->row.n_overrides >= MS_LIMIT_STORE_OVERRIDES) {
        return 1;
    }
    ms_history_override *o = &r->overrides[r->row.n_overrides++];
    o->type = dup_val(pg, vals[0]);
    o->comment = dup_val(pg, vals[1]);
    return pg->bad ? 1 : 0;
}

static ms_status each_locked(ms_store *s, page *pg, const char *domain_lc, int64_t since,
                             int64_t until, ms_history_cb cb, void *user)
{
    const ms__store_backend *be = s->be;
    int64_t last = 0;
    for (;;) {
        ms_arena_reset(pg->arena);
        pg->n = 0;
        ms__sql_param p[5] = {ms__store_text_param(domain_lc), ms__store_int_param(since),
                              ms__store_int_param(until), ms__store_int_param(last),
                              ms__store_int_param(MS_LIMIT_STORE_PAGE)};
        ms_status st = be->query(s->conn, SELECT_SQL, p, 5, collect_row, pg, s->err, sizeof s->err);
        for (size_t k = 0; st == MS_OK && !pg->bad && k < pg->n; k++) {
            pg->current = &pg->rows[k];
            ms__sql_param q[1] = {ms__store_int_param(pg->rows[k].id)};
            st = be->query(s->conn,
                           "SELECT domain, selector, result, human_result FROM history_dkim "
                           "WHERE history_id = $1 ORDER BY seq",
                           q, 1, collect_dkim, pg, s->err, sizeof s->err);
            if (st == MS_OK) {
                st = be->query(s->conn,
                               "SELECT type, comment FROM history_override WHERE history_id = $1 "
                               "ORDER BY seq",
                               q, 1, collect_override, pg, s->err, sizeof s->err);
            }
        }
        if (st != MS_OK) {
            return st;
        }
        if (pg->bad) {
            ms__store_set_err(s->err, sizeof s->err, "history: a stored row could not be read (%s)",
                              ms_status_name(ms_arena_status(pg->arena)));
            return MS_EIO;
        }
        for (size_t k = 0; k < pg->n; k++) {
            if (cb(user, &pg->rows[k].row) != 0) {
                return MS_OK;
            }
        }
        if (pg->n < MS_LIMIT_STORE_PAGE) {
            return MS_OK;
        }
        last = pg->rows[pg->n - 1].id;
    }
}

ms_status ms_store_history_each(ms_store *store, const char *policy_domain, int64_t since,
                                int64_t until, ms_history_cb cb, void *user)
{
    if (!store || !policy_domain || !cb) {
        return MS_EINVAL;
    }
    if (strnlen(policy_domain, MS_LIMIT_STORE_FIELD + 1) > MS_LIMIT_STORE_FIELD) {
        return MS_ELIMIT;
    }
    char domain_lc[MS_LIMIT_STORE_FIELD + 1];
    ms__store_lower_copy(domain_lc, policy_domain);
    page pg = {0};
    /* A page's strings: at most PAGE rows of fields capped at FIELD bytes. */
    ms_status st = ms_arena_new(NULL, 0, &pg.arena);
    if (st != MS_OK) {
        return st;
    }
    pg.rows = malloc(sizeof *pg.rows * MS_LIMIT_STORE_PAGE);
    if (!pg.rows) {
        ms_arena_free(pg.arena);
        return MS_ENOMEM;
    }
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    st = each_locked(store, &pg, domain_lc, since, until, cb, user);
    pthread_mutex_unlock(&store->mu);
    free(pg.rows);
    ms_arena_free(pg.arena);
    return st;
}

/* ---- the policy domains of the history (report generation) ---------------------------- */

typedef struct {
    ms_store_domain_cb cb;
    void *user;
    bool stopped;
} domains_ctx;

static int domain_row(void *user, size_t ncols, const char *const *vals)
{
    domains_ctx *c = user;
    if (ncols < 1 || vals[0] == NULL) {
        return 0;
    }
    if (c->cb(c->user, vals[0]) != 0) {
        c->stopped = true;
        return 1;
    }
    return 0;
}

ms_status ms_store_history_domains(ms_store *store, int64_t since, int64_t until,
                                   ms_store_domain_cb cb, void *user)
{
    if (!store || !cb) {
        return MS_EINVAL;
    }
    /* The callback must not call the store (it would wait on the mutex): the DISTINCT list is
     * small (one row per domain), so it is handed out row by row under the lock, as
     * ms_store_history_each does. */
    domains_ctx c = {cb, user, false};
    ms__sql_param p[2] = {ms__store_int_param(since), ms__store_int_param(until)};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = store->be->query(store->conn,
                                    "SELECT DISTINCT policy_domain FROM history WHERE "
                                    "policy_domain IS NOT NULL AND received >= $1 AND "
                                    "received < $2 ORDER BY policy_domain",
                                    p, 2, domain_row, &c, store->err, sizeof store->err);
    pthread_mutex_unlock(&store->mu);
    return st;
}

/* ---- the outbox of sent reports (migration 0003) ---------------------------------------- */

static const char *const OUTBOX_STATES[] = {"pending", "sent", "skipped", "gave-up"};

const char *ms_outbox_state_name(ms_outbox_state state)
{
    return (size_t)state < sizeof OUTBOX_STATES / sizeof OUTBOX_STATES[0] ? OUTBOX_STATES[state]
                                                                          : "?";
}

static bool outbox_state_parse(const char *s, ms_outbox_state *out)
{
    for (size_t k = 0; s && k < sizeof OUTBOX_STATES / sizeof OUTBOX_STATES[0]; k++) {
        if (strcmp(s, OUTBOX_STATES[k]) == 0) {
            *out = (ms_outbox_state)k;
            return true;
        }
    }
    return false;
}

#define OUTBOX_COLS                                                                                \
    "report_file, policy_domain, destination, state, attempts, created, last_attempt, "            \
    "next_attempt, last_error"

typedef struct {
    ms_arena *arena; /* NULL: strings point into the row (each) */
    ms_outbox_entry e;
    bool found, bad;
    ms_store_outbox_cb cb;
    void *user;
} outbox_ctx;

static int outbox_row(void *user, size_t ncols, const char *const *vals)
{
    outbox_ctx *c = user;
    int64_t attempts = 0, created = 0, last = 0, next = 0;
    ms_outbox_entry e = {0};
    if (ncols != 9 || !outbox_state_parse(vals[3], &e.state) ||
        !ms__store_parse_i64(vals[4], &attempts) || !ms__store_parse_i64(vals[5], &created) ||
        (vals[6] && !ms__store_parse_i64(vals[6], &last)) || !ms__store_parse_i64(vals[7], &next) ||
        attempts < 0 || attempts > UINT32_MAX) {
        c->bad = true;
        return 1;
    }
    e.attempts = (unsigned)attempts;
    e.created = created;
    e.last_attempt = last;
    e.next_attempt = next;
    if (c->arena) {
        e.report_file = vals[0] ? ms_arena_strdup(c->arena, vals[0]) : NULL;
        e.policy_domain = vals[1] ? ms_arena_strdup(c->arena, vals[1]) : NULL;
        e.destination = vals[2] ? ms_arena_strdup(c->arena, vals[2]) : NULL;
        e.last_error = vals[8] ? ms_arena_strdup(c->arena, vals[8]) : NULL;
        if (ms_arena_status(c->arena) != MS_OK) {
            c->bad = true;
            return 1;
        }
    } else {
        e.report_file = vals[0];
        e.policy_domain = vals[1];
        e.destination = vals[2];
        e.last_error = vals[8];
    }
    c->e = e;
    c->found = true;
    if (c->cb) {
        return c->cb(c->user, &e);
    }
    return 1;
}

ms_status ms_store_outbox_get(ms_store *store, const char *report_file, const char *destination,
                              ms_arena *arena, ms_outbox_entry *out, bool *found)
{
    if (!store || !report_file || !destination || !arena || !out || !found) {
        return MS_EINVAL;
    }
    memset(out, 0, sizeof *out);
    *found = false;
    outbox_ctx c = {.arena = arena};
    ms__sql_param p[2] = {ms__store_text_param(report_file), ms__store_text_param(destination)};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = store->be->query(store->conn,
                                    "SELECT " OUTBOX_COLS " FROM report_outbox WHERE "
                                    "report_file = $1 AND destination = $2",
                                    p, 2, outbox_row, &c, store->err, sizeof store->err);
    if (st == MS_OK && c.bad) {
        ms__store_set_err(store->err, sizeof store->err,
                          "outbox: a stored entry could not be read");
        st = MS_EIO;
    }
    pthread_mutex_unlock(&store->mu);
    if (st == MS_OK && c.found) {
        *out = c.e;
        *found = true;
    }
    return st;
}

ms_status ms_store_outbox_put(ms_store *store, const ms_outbox_entry *e)
{
    if (!store || !e || !e->report_file || !e->destination || !e->policy_domain) {
        return MS_EINVAL;
    }
    if (check_text(store, "report file", e->report_file) != MS_OK ||
        check_text(store, "destination", e->destination) != MS_OK ||
        check_text(store, "policy domain", e->policy_domain) != MS_OK) {
        return MS_ELIMIT;
    }
    char err_cut[MS_LIMIT_STORE_FIELD + 1];
    (void)snprintf(err_cut, sizeof err_cut, "%s", e->last_error ? e->last_error : "");
    ms__sql_param p[9] = {ms__store_text_param(e->report_file),
                          ms__store_text_param(e->policy_domain),
                          ms__store_text_param(e->destination),
                          ms__store_text_param(ms_outbox_state_name(e->state)),
                          ms__store_int_param(e->attempts),
                          ms__store_int_param(e->created),
                          e->last_attempt ? ms__store_int_param(e->last_attempt)
                                          : ms__store_text_param(NULL),
                          ms__store_int_param(e->next_attempt),
                          ms__store_text_param(e->last_error ? err_cut : NULL)};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = store->be->begin(store->conn, store->err, sizeof store->err);
    if (st == MS_OK) {
        st = ms__store_finish(
            store, store->be->query(store->conn,
                                    "INSERT INTO report_outbox (" OUTBOX_COLS
                                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                                    "ON CONFLICT (report_file, destination) DO UPDATE SET "
                                    "policy_domain = excluded.policy_domain, "
                                    "state = excluded.state, attempts = excluded.attempts, "
                                    "last_attempt = excluded.last_attempt, "
                                    "next_attempt = excluded.next_attempt, "
                                    "last_error = excluded.last_error",
                                    p, 9, NULL, NULL, store->err, sizeof store->err));
    }
    pthread_mutex_unlock(&store->mu);
    return st;
}

ms_status ms_store_outbox_each(ms_store *store, ms_store_outbox_cb cb, void *user)
{
    if (!store || !cb) {
        return MS_EINVAL;
    }
    outbox_ctx c = {.cb = cb, .user = user};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st =
        store->be->query(store->conn, "SELECT " OUTBOX_COLS " FROM report_outbox ORDER BY id", NULL,
                         0, outbox_row, &c, store->err, sizeof store->err);
    if (st == MS_OK && c.bad) {
        ms__store_set_err(store->err, sizeof store->err,
                          "outbox: a stored entry could not be read");
        st = MS_EIO;
    }
    pthread_mutex_unlock(&store->mu);
    return st;
}

typedef struct {
    ms_outbox_destination d;
    bool found, bad;
} dest_ctx;

static int dest_row(void *user, size_t ncols, const char *const *vals)
{
    dest_ctx *c = user;
    int64_t n = 0, first = 0, last = 0, gave = 0;
    if (ncols != 4 || !ms__store_parse_i64(vals[0], &n) ||
        (vals[1] && !ms__store_parse_i64(vals[1], &first)) ||
        (vals[2] && !ms__store_parse_i64(vals[2], &last)) ||
        (vals[3] && !ms__store_parse_i64(vals[3], &gave)) || n < 0 || n > UINT32_MAX) {
        c->bad = true;
        return 1;
    }
    c->d.consecutive_failures = (unsigned)n;
    c->d.first_failure = first;
    c->d.last_failure = last;
    c->d.gave_up = gave;
    c->found = true;
    return 1;
}

static ms_status dest_get_locked(ms_store *s, const char *address, dest_ctx *c)
{
    ms__sql_param p[1] = {ms__store_text_param(address)};
    ms_status st = s->be->query(s->conn,
                                "SELECT consecutive_failures, first_failure, last_failure, gave_up "
                                "FROM report_destination WHERE address = $1",
                                p, 1, dest_row, c, s->err, sizeof s->err);
    if (st == MS_OK && c->bad) {
        ms__store_set_err(s->err, sizeof s->err, "outbox: a destination record could not be read");
        st = MS_EIO;
    }
    return st;
}

ms_status ms_store_destination_get(ms_store *store, const char *address, ms_outbox_destination *out)
{
    if (!store || !address || !out) {
        return MS_EINVAL;
    }
    dest_ctx c = {0};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = dest_get_locked(store, address, &c);
    pthread_mutex_unlock(&store->mu);
    *out = c.d;
    return st;
}

ms_status ms_store_destination_result(ms_store *store, const char *address, bool success,
                                      int64_t now, unsigned give_up_after, int64_t give_up_secs,
                                      ms_outbox_destination *out)
{
    if (!store || !address) {
        return MS_EINVAL;
    }
    if (check_text(store, "destination", address) != MS_OK) {
        return MS_ELIMIT;
    }
    dest_ctx c = {0};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = store->be->begin(store->conn, store->err, sizeof store->err);
    if (st == MS_OK) {
        st = dest_get_locked(store, address, &c);
        ms_outbox_destination d = c.d;
        if (success) {
            memset(&d, 0, sizeof d);
        } else {
            if (d.consecutive_failures == 0) {
                d.first_failure = now;
            }
            if (d.consecutive_failures < UINT32_MAX) {
                d.consecutive_failures++;
            }
            d.last_failure = now;
            if (d.gave_up == 0 && d.consecutive_failures >= give_up_after &&
                now - d.first_failure >= give_up_secs) {
                d.gave_up = now;
            }
        }
        ms__sql_param p[5] = {
            ms__store_text_param(address), ms__store_int_param(d.consecutive_failures),
            d.first_failure ? ms__store_int_param(d.first_failure) : ms__store_text_param(NULL),
            d.last_failure ? ms__store_int_param(d.last_failure) : ms__store_text_param(NULL),
            d.gave_up ? ms__store_int_param(d.gave_up) : ms__store_text_param(NULL)};
        if (st == MS_OK) {
            st = store->be->query(store->conn,
                                  "INSERT INTO report_destination (address, consecutive_failures, "
                                  "first_failure, last_failure, gave_up) VALUES ($1, $2, $3, $4, "
                                  "$5) ON CONFLICT (address) DO UPDATE SET "
                                  "consecutive_failures = excluded.consecutive_failures, "
                                  "first_failure = excluded.first_failure, "
                                  "last_failure = excluded.last_failure, "
                                  "gave_up = excluded.gave_up",
                                  p, 5, NULL, NULL, store->err, sizeof store->err);
        }
        st = ms__store_finish(store, st);
        if (st == MS_OK && out) {
            *out = d;
        }
    }
    pthread_mutex_unlock(&store->mu);
    return st;
}
