/* SPDX-License-Identifier: MIT */
/* Received reports in the store (migration 0002): aggregate and failure reports, TLS reports,
 * the sources they came from and the sources kept aside.
 *
 * Loss-free ingestion rests on one rule: a source key is written only in the transaction that
 * stores that source's reports (or keeps it aside), so it is durable exactly when they are.
 * Duplicates are found by the database's unique keys (INSERT ... ON CONFLICT DO NOTHING
 * RETURNING id returns no row for a copy), which also holds when several ingesters race.
 * Reads go in pages of ids, then one item at a time, so memory stays bounded. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/limits.h"
#include "base/utf8.h"
#include "base/str.h"
#include "mailseal/arena.h"
#include "mailseal/store.h"
#include "store/backend.h"
#include "store/store_impl.h"

static ms_status q(ms_store *s, const char *sql, const ms__sql_param *p, size_t n,
                   ms__sql_row_cb cb, void *user)
{
    return s->be->query(s->conn, sql, p, n, cb, user, s->err, sizeof s->err);
}

/* ---- checking what is stored ------------------------------------------------------------ */

static ms_status check_str(ms_store *s, const char *what, const char *v, size_t cap)
{
    if (!v) {
        return MS_OK;
    }
    size_t len = strnlen(v, cap + 1);
    if (len > cap) {
        ms__store_set_err(s->err, sizeof s->err, "report: %s longer than %zu bytes", what, cap);
        return MS_ELIMIT;
    }
    /* PostgreSQL refuses text that is not UTF-8 in a UTF8 database and SQLite takes it: both
     * refuse it here, the same way. */
    if (!ms__utf8_valid(v, len)) {
        ms__store_set_err(s->err, sizeof s->err, "report: %s is not UTF-8 (RFC 3629)", what);
        return MS_EINVAL;
    }
    return MS_OK;
}

#define CHECK(what, v)                                                                             \
    do {                                                                                           \
        ms_status c_ = check_str(s, what, v, MS_LIMIT_STORE_REPORT_FIELD);                         \
        if (c_ != MS_OK) {                                                                         \
            return c_;                                                                             \
        }                                                                                          \
    } while (0)

static ms_status check_count(ms_store *s, const char *what, uint64_t v)
{
    if (v > (uint64_t)INT64_MAX) {
        ms__store_set_err(s->err, sizeof s->err, "report: %s %" PRIu64 " is too large to store",
                          what, v);
        return MS_ELIMIT;
    }
    return MS_OK;
}

static ms_status check_items(ms_store *s, const char *what, const void *arr, size_t n, size_t cap)
{
    if (n > cap) {
        ms__store_set_err(s->err, sizeof s->err, "report: %zu %s, at most %zu", n, what, cap);
        return MS_ELIMIT;
    }
    if (n > 0 && !arr) {
        ms__store_set_err(s->err, sizeof s->err, "report: %zu %s but no array", n, what);
        return MS_EINVAL;
    }
    return MS_OK;
}

static ms_status check_aggregate(ms_store *s, const ms_report_aggregate *a)
{
    if (!a->org_name || !a->report_id) {
        ms__store_set_err(s->err, sizeof s->err,
                          "report: an aggregate report without org_name or report_id");
        return MS_EINVAL;
    }
    CHECK("format", a->format);
    CHECK("version", a->version);
    CHECK("org_name", a->org_name);
    CHECK("email", a->email);
    CHECK("extra_contact_info", a->extra_contact_info);
    CHECK("report_id", a->report_id);
    CHECK("generator", a->generator);
    CHECK("domain", a->domain);
    CHECK("adkim", a->adkim);
    CHECK("aspf", a->aspf);
    CHECK("p", a->p);
    CHECK("sp", a->sp);
    CHECK("np", a->np);
    CHECK("fo", a->fo);
    CHECK("testing", a->testing);
    CHECK("discovery_method", a->discovery_method);
    ms_status st = check_items(s, "errors", a->errors, a->n_errors, MS_LIMIT_STORE_REPORT_ITEMS);
    if (st != MS_OK) {
        return st;
    }
    for (size_t k = 0; k < a->n_errors; k++) {
        CHECK("error", a->errors[k]);
    }
    if (a->n_records > 0 && !a->records) {
        ms__store_set_err(s->err, sizeof s->err, "report: %zu records but no array", a->n_records);
        return MS_EINVAL;
    }
    if ((st = check_count(s, "message count", a->n_messages)) != MS_OK) {
        return st;
    }
    if (a->pct < -1 || a->pct > 100) {
        ms__store_set_err(s->err, sizeof s->err, "report: pct %d is not -1 (absent) or 0..100",
                          a->pct);
        return MS_EINVAL;
    }
    for (size_t r = 0; r < a->n_records; r++) {
        const ms_report_record *rec = &a->records[r];
        CHECK("source_ip", rec->source_ip);
        CHECK("disposition", rec->disposition);
        CHECK("dkim", rec->dkim);
        CHECK("spf", rec->spf);
        CHECK("header_from", rec->header_from);
        CHECK("envelope_from", rec->envelope_from);
        CHECK("envelope_to", rec->envelope_to);
        if ((st = check_count(s, "count", rec->count)) != MS_OK ||
            (st = check_items(s, "DKIM results in a record", rec->dkim_results, rec->n_dkim,
                              MS_LIMIT_STORE_REPORT_ITEMS)) != MS_OK ||
            (st = check_items(s, "SPF results in a record", rec->spf_results, rec->n_spf,
                              MS_LIMIT_STORE_REPORT_ITEMS)) != MS_OK ||
            (st = check_items(s, "reasons in a record", rec->reasons, rec->n_reasons,
                              MS_LIMIT_STORE_REPORT_ITEMS)) != MS_OK) {
            return st;
        }
        for (size_t k = 0; k < rec->n_dkim; k++) {
            const ms_report_dkim *d = &rec->dkim_results[k];
            CHECK("dkim domain", d->domain);
            CHECK("dkim selector", d->selector);
            CHECK("dkim result", d->result);
            CHECK("dkim human_result", d->human_result);
        }
        for (size_t k = 0; k < rec->n_spf; k++) {
            const ms_report_spf *d = &rec->spf_results[k];
            CHECK("spf domain", d->domain);
            CHECK("spf scope", d->scope);
            CHECK("spf result", d->result);
            CHECK("spf human_result", d->human_result);
        }
        for (size_t k = 0; k < rec->n_reasons; k++) {
            CHECK("reason type", rec->reasons[k].type);
            CHECK("reason comment", rec->reasons[k].comment);
        }
    }
    return MS_OK;
}

/* The failure report's text columns and fields, in statement order (after the fixed ones). */
#define MS__FAILURE_TEXT(X)                                                                        \
    X(feedback_type)                                                                               \
    X(version)                                                                                     \
    X(user_agent)                                                                                  \
    X(auth_failure)                                                                                \
    X(reported_domain)                                                                             \
    X(source_ip)                                                                                   \
    X(original_mail_from)                                                                          \
    X(original_rcpt_to)                                                                            \
    X(original_envelope_id)                                                                        \
    X(reporting_mta)                                                                               \
    X(authentication_results)                                                                      \
    X(delivery_result)                                                                             \
    X(identity_alignment)                                                                          \
    X(dkim_domain)                                                                                 \
    X(dkim_identity)                                                                               \
    X(dkim_selector)                                                                               \
    X(spf_dns)                                                                                     \
    X(original_from)                                                                               \
    X(original_subject)                                                                            \
    X(original_message_id)                                                                         \
    X(report_date)

typedef struct {
    const char *column;
    size_t offset;
} failure_field;

static const failure_field FAILURE_FIELDS[] = {
#define MS__FF(f) {#f, offsetof(ms_report_failure, f)},
    MS__FAILURE_TEXT(MS__FF)
#undef MS__FF
};
#define N_FAILURE_TEXT (sizeof FAILURE_FIELDS / sizeof FAILURE_FIELDS[0])

static const char *ffield(const ms_report_failure *f, size_t k)
{
    return *(const char *const *)(const void *)((const char *)f + FAILURE_FIELDS[k].offset);
}

static const char **ffield_ptr(ms_report_failure *f, size_t k)
{
    return (const char **)(void *)((char *)f + FAILURE_FIELDS[k].offset);
}

static ms_status check_failure(ms_store *s, const ms_report_failure *f)
{
    for (size_t k = 0; k < N_FAILURE_TEXT; k++) {
        CHECK(FAILURE_FIELDS[k].column, ffield(f, k));
    }
    if (f->original_headers_len > MS_LIMIT_STORE_REPORT_HEADERS) {
        ms__store_set_err(s->err, sizeof s->err,
                          "report: returned headers of %zu bytes, at most %u",
                          f->original_headers_len, MS_LIMIT_STORE_REPORT_HEADERS);
        return MS_ELIMIT;
    }
    if (f->original_headers && (memchr(f->original_headers, '\0', f->original_headers_len) ||
                                !ms__utf8_valid(f->original_headers, f->original_headers_len))) {
        ms__store_set_err(s->err, sizeof s->err,
                          "report: the returned headers are not UTF-8 text (RFC 3629)");
        return MS_EINVAL;
    }
    return check_count(s, "incidents", f->incidents);
}

static ms_status check_tlsrpt(ms_store *s, const ms_tlsrpt_report *t)
{
    CHECK("organization-name", t->organization_name);
    CHECK("contact-info", t->contact_info);
    CHECK("report-id", t->report_id);
    ms_status st =
        check_items(s, "policies", t->policies, t->n_policies, MS_LIMIT_STORE_TLSRPT_POLICIES);
    if (st != MS_OK) {
        return st;
    }
    for (size_t k = 0; k < t->n_policies; k++) {
        const ms_tlsrpt_policy *p = &t->policies[k];
        CHECK("policy-type", p->policy_type);
        CHECK("policy-domain", p->policy_domain);
        if ((st = check_items(s, "policy-strings", p->policy_strings, p->n_policy_strings,
                              MS_LIMIT_STORE_TLSRPT_ITEMS)) != MS_OK ||
            (st = check_items(s, "mx-hosts", p->mx_hosts, p->n_mx_hosts,
                              MS_LIMIT_STORE_TLSRPT_ITEMS)) != MS_OK ||
            (st = check_items(s, "failure-details", p->failures, p->n_failures,
                              MS_LIMIT_STORE_TLSRPT_ITEMS)) != MS_OK ||
            (st = check_count(s, "total-successful-session-count", p->total_successful)) != MS_OK ||
            (st = check_count(s, "total-failure-session-count", p->total_failure)) != MS_OK) {
            return st;
        }
        for (size_t j = 0; j < p->n_policy_strings; j++) {
            CHECK("policy-string", p->policy_strings[j]);
        }
        for (size_t j = 0; j < p->n_mx_hosts; j++) {
            CHECK("mx-host", p->mx_hosts[j]);
        }
        for (size_t j = 0; j < p->n_failures; j++) {
            const ms_tlsrpt_failure *f = &p->failures[j];
            CHECK("result-type", f->result_type);
            CHECK("sending-mta-ip", f->sending_mta_ip);
            CHECK("receiving-mx-hostname", f->receiving_mx_hostname);
            CHECK("receiving-mx-helo", f->receiving_mx_helo);
            CHECK("receiving-ip", f->receiving_ip);
            CHECK("additional-information", f->additional_information);
            CHECK("failure-reason-code", f->failure_reason_code);
            if ((st = check_count(s, "failed-session-count", f->failed_session_count)) != MS_OK) {
                return st;
            }
        }
    }
    return MS_OK;
}

static ms_status check_report(ms_store *s, const ms_report *r)
{
    CHECK("name", r->name);
    switch (r->kind) {
    case MS_REPORT_AGGREGATE:
        if (r->aggregate) {
            return check_aggregate(s, r->aggregate);
        }
        break;
    case MS_REPORT_FAILURE:
        if (r->failure) {
            return check_failure(s, r->failure);
        }
        break;
    case MS_REPORT_TLSRPT:
        if (r->tlsrpt) {
            return check_tlsrpt(s, r->tlsrpt);
        }
        break;
    default:
        break;
    }
    ms__store_set_err(s->err, sizeof s->err, "report: kind %d without its parsed report",
                      (int)r->kind);
    return MS_EINVAL;
}

static ms_status check_key(ms_store *s, const char *key)
{
    return check_str(s, "source key", key, MS_LIMIT_STORE_KEY);
}

/* ---- storing ---------------------------------------------------------------------------- */

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t k = 0; k < n; k++) {
        out[2 * k] = digits[d[k] >> 4];
        out[2 * k + 1] = digits[d[k] & 15];
    }
    out[2 * n] = '\0';
}

/* ASCII lower case (what both backends agree on), into the arena. */
static const char *lower_dup(ms_arena *a, const char *v)
{
    if (!v) {
        return NULL;
    }
    char *d = ms_arena_strdup(a, v);
    for (char *c = d; c && *c; c++) {
        *c = ms__lower(*c);
    }
    return d;
}

typedef struct {
    ms_store *s;
    ms_arena *arena; /* lower-cased copies */
    const char *source_key;
    int64_t now;
} add_ctx;

static ms_status add_aggregate(add_ctx *c, const ms_report *r, const char *digest,
                               ms_store_add_result *res)
{
    ms_store *s = c->s;
    const ms_report_aggregate *a = r->aggregate;
    const char *org_key = lower_dup(c->arena, a->org_name);
    const char *domain = lower_dup(c->arena, a->domain);
    if (!org_key || (a->domain && !domain)) {
        ms__store_set_err(s->err, sizeof s->err, "report: out of memory");
        return MS_ENOMEM;
    }
    ms__sql_param p[] = {
        ms__store_text_param(org_key),
        ms__store_text_param(a->report_id),
        ms__store_int_param(c->now),
        ms__store_text_param(c->source_key),
        ms__store_text_param(r->name),
        ms__store_text_param(digest),
        ms__store_text_param(a->format),
        ms__store_text_param(a->version),
        ms__store_text_param(a->org_name),
        ms__store_text_param(a->email),
        ms__store_text_param(a->extra_contact_info),
        ms__store_text_param(a->generator),
        ms__store_int_param(a->begin),
        ms__store_int_param(a->end),
        ms__store_text_param(domain),
        ms__store_text_param(a->adkim),
        ms__store_text_param(a->aspf),
        ms__store_text_param(a->p),
        ms__store_text_param(a->sp),
        ms__store_text_param(a->np),
        ms__store_text_param(a->fo),
        ms__store_text_param(a->testing),
        ms__store_text_param(a->discovery_method),
        a->pct < 0 ? ms__store_text_param(NULL) : ms__store_int_param(a->pct),
        ms__store_int_param((int64_t)a->n_errors),
        ms__store_int_param((int64_t)a->n_records),
        ms__store_int_param((int64_t)a->n_messages),
    };
    int64_t id = -1;
    ms_status st = q(s,
                     "INSERT INTO report_aggregate (org_key, report_id, stored_at, source_key, "
                     "name, digest, format, version, org_name, email, extra_contact_info, "
                     "generator, begin_ts, end_ts, domain, pp_adkim, pp_aspf, pp_p, pp_sp, pp_np, "
                     "pp_fo, pp_testing, pp_discovery, pp_pct, n_errors, n_records, n_messages) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                     "$16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) "
                     "ON CONFLICT (org_key, report_id) DO NOTHING RETURNING id",
                     p, sizeof p / sizeof p[0], ms__store_first_i64, &id);
    if (st != MS_OK) {
        return st;
    }
    if (id < 0) {
        *res = MS_STORE_DUPLICATE;
        return MS_OK;
    }
    *res = MS_STORE_ADDED;
    for (size_t k = 0; st == MS_OK && k < a->n_errors; k++) {
        ms__sql_param e[] = {ms__store_int_param(id), ms__store_int_param((int64_t)k),
                             ms__store_text_param(a->errors[k])};
        st =
            q(s, "INSERT INTO report_aggregate_error (aggregate_id, seq, text) VALUES ($1, $2, $3)",
              e, 3, NULL, NULL);
    }
    for (size_t r_ = 0; st == MS_OK && r_ < a->n_records; r_++) {
        const ms_report_record *rec = &a->records[r_];
        ms__sql_param rp[] = {ms__store_int_param(id),
                              ms__store_int_param((int64_t)r_),
                              ms__store_text_param(rec->source_ip),
                              ms__store_int_param((int64_t)rec->count),
                              ms__store_text_param(rec->disposition),
                              ms__store_text_param(rec->dkim),
                              ms__store_text_param(rec->spf),
                              ms__store_text_param(rec->header_from),
                              ms__store_text_param(rec->envelope_from),
                              ms__store_text_param(rec->envelope_to),
                              ms__store_int_param((int64_t)rec->n_dkim),
                              ms__store_int_param((int64_t)rec->n_spf),
                              ms__store_int_param((int64_t)rec->n_reasons)};
        int64_t rid = -1;
        st = q(s,
               "INSERT INTO report_record (aggregate_id, seq, source_ip, count, disposition, dkim, "
               "spf, header_from, envelope_from, envelope_to, n_dkim, n_spf, n_reasons) VALUES "
               "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
               rp, sizeof rp / sizeof rp[0], ms__store_first_i64, &rid);
        if (st == MS_OK && rid < 0) {
            ms__store_set_err(s->err, sizeof s->err, "report: the record insert returned no id");
            st = MS_EIO;
        }
        for (size_t k = 0; st == MS_OK && k < rec->n_dkim; k++) {
            const ms_report_dkim *d = &rec->dkim_results[k];
            ms__sql_param dp[] = {
                ms__store_int_param(rid),        ms__store_int_param((int64_t)k),
                ms__store_text_param(d->domain), ms__store_text_param(d->selector),
                ms__store_text_param(d->result), ms__store_text_param(d->human_result)};
            st = q(s,
                   "INSERT INTO report_record_dkim (record_id, seq, domain, selector, result, "
                   "human_result) VALUES ($1, $2, $3, $4, $5, $6)",
                   dp, 6, NULL, NULL);
        }
        for (size_t k = 0; st == MS_OK && k < rec->n_spf; k++) {
            const ms_report_spf *d = &rec->spf_results[k];
            ms__sql_param dp[] = {
                ms__store_int_param(rid),        ms__store_int_param((int64_t)k),
                ms__store_text_param(d->domain), ms__store_text_param(d->scope),
                ms__store_text_param(d->result), ms__store_text_param(d->human_result)};
            st = q(s,
                   "INSERT INTO report_record_spf (record_id, seq, domain, scope, result, "
                   "human_result) VALUES ($1, $2, $3, $4, $5, $6)",
                   dp, 6, NULL, NULL);
        }
        for (size_t k = 0; st == MS_OK && k < rec->n_reasons; k++) {
            const ms_report_reason *d = &rec->reasons[k];
            ms__sql_param dp[] = {ms__store_int_param(rid), ms__store_int_param((int64_t)k),
                                  ms__store_text_param(d->type), ms__store_text_param(d->comment)};
            st = q(s,
                   "INSERT INTO report_record_reason (record_id, seq, type, comment) VALUES "
                   "($1, $2, $3, $4)",
                   dp, 4, NULL, NULL);
        }
    }
    return st;
}

#define MS__FCOL(f) ", " #f
static const char FAILURE_INSERT[] =
    "INSERT INTO report_failure (digest, stored_at, source_key, name, arrival, incidents, "
    "original_headers" MS__FAILURE_TEXT(MS__FCOL) ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                                                  "$10, $11, $12, $13, $14, $15, $16, $17, $18, "
                                                  "$19, $20, $21, $22, $23, $24, $25, $26, $27, "
                                                  "$28) ON CONFLICT (digest) DO NOTHING RETURNING "
                                                  "id";
#define N_FAILURE_FIXED 7u
_Static_assert(N_FAILURE_FIXED + N_FAILURE_TEXT == 28u, "FAILURE_INSERT has $1..$28");

static ms_status add_failure(add_ctx *c, const ms_report *r, const char *digest,
                             ms_store_add_result *res)
{
    const ms_report_failure *f = r->failure;
    const char *headers = f->original_headers ? ms_arena_strndup(c->arena, f->original_headers,
                                                                 f->original_headers_len)
                                              : NULL;
    if (f->original_headers && !headers) {
        ms__store_set_err(c->s->err, sizeof c->s->err, "report: out of memory");
        return MS_ENOMEM;
    }
    ms__sql_param p[N_FAILURE_FIXED + N_FAILURE_TEXT];
    p[0] = ms__store_text_param(digest);
    p[1] = ms__store_int_param(c->now);
    p[2] = ms__store_text_param(c->source_key);
    p[3] = ms__store_text_param(r->name);
    p[4] = ms__store_int_param(f->arrival);
    p[5] = ms__store_int_param((int64_t)f->incidents);
    p[6] = ms__store_text_param(headers);
    for (size_t k = 0; k < N_FAILURE_TEXT; k++) {
        const char *v = ffield(f, k);
        if (strcmp(FAILURE_FIELDS[k].column, "reported_domain") == 0) {
            v = lower_dup(c->arena, v);
        }
        p[N_FAILURE_FIXED + k] = ms__store_text_param(v);
    }
    int64_t id = -1;
    ms_status st = q(c->s, FAILURE_INSERT, p, sizeof p / sizeof p[0], ms__store_first_i64, &id);
    if (st == MS_OK) {
        *res = id < 0 ? MS_STORE_DUPLICATE : MS_STORE_ADDED;
    }
    return st;
}

static ms_status add_tlsrpt(add_ctx *c, const ms_report *r, const char *digest,
                            ms_store_add_result *res)
{
    ms_store *s = c->s;
    const ms_tlsrpt_report *t = r->tlsrpt;
    ms__sql_param p[] = {ms__store_text_param(digest),
                         ms__store_int_param(c->now),
                         ms__store_text_param(c->source_key),
                         ms__store_text_param(r->name),
                         ms__store_text_param(t->organization_name),
                         ms__store_text_param(t->contact_info),
                         ms__store_text_param(t->report_id),
                         ms__store_int_param(t->begin),
                         ms__store_int_param(t->end),
                         ms__store_int_param((int64_t)t->n_policies)};
    int64_t id = -1;
    ms_status st = q(s,
                     "INSERT INTO report_tlsrpt (digest, stored_at, source_key, name, "
                     "organization_name, contact_info, report_id, begin_ts, end_ts, n_policies) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                     "ON CONFLICT (digest) DO NOTHING RETURNING id",
                     p, sizeof p / sizeof p[0], ms__store_first_i64, &id);
    if (st != MS_OK) {
        return st;
    }
    if (id < 0) {
        *res = MS_STORE_DUPLICATE;
        return MS_OK;
    }
    *res = MS_STORE_ADDED;
    for (size_t k = 0; st == MS_OK && k < t->n_policies; k++) {
        const ms_tlsrpt_policy *pol = &t->policies[k];
        ms__sql_param pp[] = {ms__store_int_param(id),
                              ms__store_int_param((int64_t)k),
                              ms__store_text_param(pol->policy_type),
                              ms__store_text_param(lower_dup(c->arena, pol->policy_domain)),
                              ms__store_int_param((int64_t)pol->total_successful),
                              ms__store_int_param((int64_t)pol->total_failure),
                              ms__store_int_param((int64_t)pol->n_policy_strings),
                              ms__store_int_param((int64_t)pol->n_mx_hosts),
                              ms__store_int_param((int64_t)pol->n_failures)};
        int64_t pid = -1;
        st = q(s,
               "INSERT INTO report_tlsrpt_policy (tlsrpt_id, seq, policy_type, policy_domain, "
               "total_successful, total_failure, n_strings, n_mx_hosts, n_failures) VALUES ($1, "
               "$2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
               pp, sizeof pp / sizeof pp[0], ms__store_first_i64, &pid);
        if (st == MS_OK && pid < 0) {
            ms__store_set_err(s->err, sizeof s->err, "report: the policy insert returned no id");
            st = MS_EIO;
        }
        for (int kind = 0; kind < 2; kind++) {
            const char *const *arr = kind == 0 ? pol->policy_strings : pol->mx_hosts;
            size_t n = kind == 0 ? pol->n_policy_strings : pol->n_mx_hosts;
            for (size_t j = 0; st == MS_OK && j < n; j++) {
                ms__sql_param sp[] = {ms__store_int_param(pid), ms__store_int_param(kind),
                                      ms__store_int_param((int64_t)j),
                                      ms__store_text_param(arr[j])};
                st = q(s,
                       "INSERT INTO report_tlsrpt_string (policy_id, kind, seq, value) VALUES "
                       "($1, $2, $3, $4)",
                       sp, 4, NULL, NULL);
            }
        }
        for (size_t j = 0; st == MS_OK && j < pol->n_failures; j++) {
            const ms_tlsrpt_failure *f = &pol->failures[j];
            ms__sql_param fp[] = {ms__store_int_param(pid),
                                  ms__store_int_param((int64_t)j),
                                  ms__store_text_param(f->result_type),
                                  ms__store_text_param(f->sending_mta_ip),
                                  ms__store_text_param(f->receiving_mx_hostname),
                                  ms__store_text_param(f->receiving_mx_helo),
                                  ms__store_text_param(f->receiving_ip),
                                  ms__store_text_param(f->additional_information),
                                  ms__store_text_param(f->failure_reason_code),
                                  ms__store_int_param((int64_t)f->failed_session_count)};
            st = q(s,
                   "INSERT INTO report_tlsrpt_failure (policy_id, seq, result_type, "
                   "sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip, "
                   "additional_information, failure_reason_code, failed_session_count) VALUES "
                   "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                   fp, sizeof fp / sizeof fp[0], NULL, NULL);
        }
    }
    return st;
}

/* Records source_key in this transaction; *fresh is false when it was recorded before. */
static ms_status mark_source(ms_store *s, const char *key, const char *outcome, size_t n,
                             int64_t now, int64_t *id)
{
    ms__sql_param p[] = {ms__store_text_param(key), ms__store_int_param(now),
                         ms__store_text_param(outcome), ms__store_int_param((int64_t)n)};
    *id = -1;
    return q(s,
             "INSERT INTO report_source (source_key, seen_at, outcome, n_reports) VALUES ($1, $2, "
             "$3, $4) ON CONFLICT (source_key) DO NOTHING RETURNING id",
             p, 4, ms__store_first_i64, id);
}

static ms_status reports_add_locked(ms_store *s, add_ctx *c, const ms_report *reports, size_t n,
                                    ms_store_add_result *results)
{
    ms_status st = s->be->begin(s->conn, s->err, sizeof s->err);
    if (st != MS_OK) {
        return st;
    }
    int64_t source_id = 0;
    if (c->source_key) {
        st = mark_source(s, c->source_key, "stored", n, c->now, &source_id);
        if (st == MS_OK && source_id < 0) {
            for (size_t k = 0; results && k < n; k++) {
                results[k] = MS_STORE_SEEN;
            }
            return ms__store_finish(s, MS_OK); /* nothing written */
        }
    }
    size_t added = 0;
    for (size_t k = 0; st == MS_OK && k < n; k++) {
        const ms_report *r = &reports[k];
        char digest[65];
        hex(r->digest, sizeof r->digest, digest);
        ms_store_add_result res = MS_STORE_ADDED;
        switch (r->kind) {
        case MS_REPORT_AGGREGATE:
            st = add_aggregate(c, r, digest, &res);
            break;
        case MS_REPORT_FAILURE:
            st = add_failure(c, r, digest, &res);
            break;
        default:
            st = add_tlsrpt(c, r, digest, &res);
            break;
        }
        if (st == MS_OK) {
            added += res == MS_STORE_ADDED;
            if (results) {
                results[k] = res;
            }
        }
    }
    if (st == MS_OK && c->source_key && added == 0 && n > 0) {
        ms__sql_param p[] = {ms__store_int_param(source_id)};
        st = q(s, "UPDATE report_source SET outcome = 'duplicate' WHERE id = $1", p, 1, NULL, NULL);
    }
    return ms__store_finish(s, st);
}

ms_status ms_store_reports_add(ms_store *store, const char *source_key, const ms_report *reports,
                               size_t n, ms_store_add_result *results)
{
    if (!store || (n > 0 && !reports)) {
        return MS_EINVAL;
    }
    ms_arena *arena = NULL;
    ms_status st = ms_arena_new(NULL, 0, &arena);
    if (st != MS_OK) {
        return st;
    }
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    st = check_key(store, source_key);
    for (size_t k = 0; st == MS_OK && k < n; k++) {
        st = check_report(store, &reports[k]);
    }
    if (st == MS_OK) {
        add_ctx c = {store, arena, source_key, (int64_t)time(NULL)};
        st = reports_add_locked(store, &c, reports, n, results);
    }
    pthread_mutex_unlock(&store->mu);
    ms_arena_free(arena);
    return st;
}

ms_status ms_store_source_seen(ms_store *store, const char *source_key, bool *seen)
{
    if (!store || !source_key || !seen) {
        return MS_EINVAL;
    }
    *seen = false;
    int64_t id = -1;
    ms__sql_param p[] = {ms__store_text_param(source_key)};
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = check_key(store, source_key);
    if (st == MS_OK) {
        st = q(store, "SELECT id FROM report_source WHERE source_key = $1", p, 1,
               ms__store_first_i64, &id);
    }
    pthread_mutex_unlock(&store->mu);
    *seen = st == MS_OK && id >= 0;
    return st;
}

ms_status ms_store_kept_aside_add(ms_store *store, const char *source_key, const char *reason,
                                  const uint8_t *data, size_t len)
{
    if (!store || !reason || (len > 0 && !data)) {
        return MS_EINVAL;
    }
    size_t keep = len < MS_LIMIT_STORE_KEPT ? len : MS_LIMIT_STORE_KEPT;
    char *hexed = malloc(2 * keep + 1);
    if (!hexed) {
        return MS_ENOMEM;
    }
    hex(data ? data : (const uint8_t *)"", keep, hexed);
    /* A reason is the library's or the parser's own text: cut it to fit rather than refuse. */
    char why[MS_LIMIT_STORE_REASON + 1];
    size_t rlen = strnlen(reason, MS_LIMIT_STORE_REASON);
    memcpy(why, reason, rlen);
    why[rlen] = '\0';
    for (size_t k = 0; k < rlen; k++) {
        if ((unsigned char)why[k] >= 0x80 || why[k] < 0x20) {
            why[k] = '?'; /* a reason may quote raw input bytes */
        }
    }
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    ms_status st = check_key(store, source_key);
    if (st == MS_OK) {
        st = store->be->begin(store->conn, store->err, sizeof store->err);
        if (st == MS_OK) {
            int64_t now = (int64_t)time(NULL);
            int64_t id = 0;
            if (source_key) {
                st = mark_source(store, source_key, "kept-aside", 0, now, &id);
            }
            if (st == MS_OK && id >= 0) { /* a source recorded before is not kept twice */
                ms__sql_param p[] = {ms__store_text_param(source_key), ms__store_text_param(why),
                                     ms__store_int_param(now), ms__store_int_param((int64_t)len),
                                     ms__store_text_param(hexed)};
                st = q(store,
                       "INSERT INTO report_kept (source_key, reason, kept_at, data_len, "
                       "data_hex) VALUES ($1, $2, $3, $4, $5)",
                       p, 5, NULL, NULL);
            }
            st = ms__store_finish(store, st);
        }
    }
    pthread_mutex_unlock(&store->mu);
    free(hexed);
    return st;
}

/* ---- reading ---------------------------------------------------------------------------- */

typedef struct {
    int64_t ids[MS_LIMIT_STORE_REPORT_PAGE];
    int64_t keys[MS_LIMIT_STORE_REPORT_PAGE];
    size_t n;
} id_page;

static int collect_ids(void *user, size_t ncols, const char *const *vals)
{
    id_page *pg = user;
    if (ncols < 2 || pg->n >= MS_LIMIT_STORE_REPORT_PAGE ||
        !ms__store_parse_i64(vals[0], &pg->ids[pg->n]) ||
        !ms__store_parse_i64(vals[1], &pg->keys[pg->n])) {
        return 1;
    }
    pg->n++;
    return 0;
}

typedef struct {
    ms_arena *arena;
    bool bad;
} reader;

static const char *dupv(reader *r, const char *v)
{
    if (!v) {
        return NULL;
    }
    const char *d = ms_arena_strdup(r->arena, v);
    if (!d) {
        r->bad = true;
    }
    return d;
}

static int64_t geti(reader *r, const char *v, int64_t dflt)
{
    int64_t x = dflt;
    if (v && !ms__store_parse_i64(v, &x)) {
        r->bad = true;
    }
    return x;
}

static size_t getn(reader *r, const char *v, size_t cap)
{
    int64_t x = geti(r, v, 0);
    if (x < 0 || (uint64_t)x > cap) {
        r->bad = true;
        return 0;
    }
    return (size_t)x;
}

static void *alloc_n(reader *r, size_t n, size_t size)
{
    if (n == 0) {
        return NULL;
    }
    void *p = ms_arena_alloc(r->arena, n * size);
    if (!p) {
        r->bad = true;
    } else {
        memset(p, 0, n * size);
    }
    return p;
}

static ms_status read_failed(ms_store *s, reader *r, const char *what)
{
    ms_status ast = ms_arena_status(r->arena);
    ms__store_set_err(s->err, sizeof s->err, "report: a stored %s could not be read (%s)", what,
                      ast != MS_OK ? ms_status_name(ast) : "bad value");
    return ast == MS_ELIMIT || ast == MS_ENOMEM ? ast : MS_EIO;
}

/* Pages of (id, key) of the selected reports, ordered by (key, id). */
typedef struct {
    ms_store *s;
    const char *sql_all, *sql_domain; /* $1 domain, $2 until, $3 since, $4 key, $5 id, $6 lim */
    const ms_store_report_query *q;
    const char *domain_lc;
    int64_t last_key, last_id;
    bool done;
} id_cursor;

static ms_status next_ids(id_cursor *cur, id_page *pg)
{
    pg->n = 0;
    if (cur->done) {
        return MS_OK;
    }
    ms__sql_param p[] = {ms__store_text_param(cur->domain_lc),
                         ms__store_int_param(cur->q ? cur->q->until : INT64_MAX),
                         ms__store_int_param(cur->q ? cur->q->since : 0),
                         ms__store_int_param(cur->last_key),
                         ms__store_int_param(cur->last_id),
                         ms__store_int_param(MS_LIMIT_STORE_REPORT_PAGE)};
    ms_status st =
        q(cur->s, cur->domain_lc ? cur->sql_domain : cur->sql_all, p, 6, collect_ids, pg);
    if (st != MS_OK) {
        return st;
    }
    if (pg->n < MS_LIMIT_STORE_REPORT_PAGE) {
        cur->done = true;
    }
    if (pg->n > 0) {
        cur->last_key = pg->keys[pg->n - 1];
        cur->last_id = pg->ids[pg->n - 1];
    }
    return MS_OK;
}

/* Reads the ids of cur page by page and calls each_fn on each, until one fails or sets *stop or
 * a page comes back short. The caller holds the store's lock. */
typedef ms_status (*id_fn)(void *ctx, int64_t id, bool *stop);

static ms_status each_id(id_cursor *cur, id_fn each_fn, void *ctx)
{
    id_page *pg = malloc(sizeof *pg);
    if (!pg) {
        return MS_ENOMEM;
    }
    ms_status st = MS_OK;
    bool stop = false;
    while (st == MS_OK && !stop) {
        st = next_ids(cur, pg);
        for (size_t k = 0; st == MS_OK && !stop && k < pg->n; k++) {
            st = each_fn(ctx, pg->ids[k], &stop);
        }
        if (pg->n < MS_LIMIT_STORE_REPORT_PAGE) {
            break;
        }
    }
    free(pg);
    return st;
}

static ms_status query_domain(ms_store *s, const ms_store_report_query *qr, char *buf)
{
    if (!qr || !qr->domain) {
        return MS_OK;
    }
    size_t len = strnlen(qr->domain, MS_LIMIT_STORE_REPORT_FIELD + 1);
    if (len > MS_LIMIT_STORE_REPORT_FIELD) {
        ms__store_set_err(s->err, sizeof s->err, "report: query domain longer than %u bytes",
                          MS_LIMIT_STORE_REPORT_FIELD);
        return MS_ELIMIT;
    }
    for (size_t k = 0; k < len; k++) {
        buf[k] = ms__lower(qr->domain[k]);
    }
    buf[len] = '\0';
    return MS_OK;
}

/* Under the store's lock, hands each report that qr selects to each_fn: ids from sql_all, or
 * from sql_domain when qr names a domain (the parameters of id_cursor). */
static ms_status each_report(ms_store *s, const ms_store_report_query *qr, const char *sql_all,
                             const char *sql_domain, id_fn each_fn, void *ctx)
{
    char domain[MS_LIMIT_STORE_REPORT_FIELD + 1];
    pthread_mutex_lock(&s->mu);
    s->err[0] = '\0';
    ms_status st = query_domain(s, qr, domain);
    if (st == MS_OK) {
        id_cursor cur = {.s = s,
                         .sql_all = sql_all,
                         .sql_domain = sql_domain,
                         .q = qr,
                         .domain_lc = qr && qr->domain ? domain : NULL,
                         .last_key = INT64_MIN,
                         .last_id = 0,
                         .done = false};
        st = each_id(&cur, each_fn, ctx);
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* The report's date range overlaps [since, until): it starts before until and ends after since
 * (a report of one instant counts when that instant is in the range). */
/* PostgreSQL wants every parameter used (to type it): the unfiltered statements use $1 so. */
#define MS__NODOMAIN "CAST($1 AS TEXT) IS NULL AND "
#define MS__OVERLAP " begin_ts < $2 AND (end_ts > $3 OR begin_ts >= $3) "
#define MS__KEYSET(col) " AND (" col " > $4 OR (" col " = $4 AND id > $5)) "

/* ---- aggregate reports ---- */

typedef struct {
    reader r;
    ms_report_aggregate meta;
    const char **errors;
    /* the page of records being read */
    ms_report_record *recs;
    int64_t *rec_ids;
    size_t *caps; /* 3 per record: room for DKIM results, SPF results, reasons */
    size_t n_recs;
} agg_reader;

static int collect_meta(void *user, size_t ncols, const char *const *v)
{
    agg_reader *a = user;
    reader *r = &a->r;
    if (ncols != 21) {
        r->bad = true;
        return 1;
    }
    ms_report_aggregate *m = &a->meta;
    m->format = dupv(r, v[0]);
    m->version = dupv(r, v[1]);
    m->org_name = dupv(r, v[2]);
    m->email = dupv(r, v[3]);
    m->extra_contact_info = dupv(r, v[4]);
    m->report_id = dupv(r, v[5]);
    m->generator = dupv(r, v[6]);
    m->begin = geti(r, v[7], 0);
    m->end = geti(r, v[8], 0);
    m->domain = dupv(r, v[9]);
    m->adkim = dupv(r, v[10]);
    m->aspf = dupv(r, v[11]);
    m->p = dupv(r, v[12]);
    m->sp = dupv(r, v[13]);
    m->np = dupv(r, v[14]);
    m->fo = dupv(r, v[15]);
    m->testing = dupv(r, v[16]);
    m->discovery_method = dupv(r, v[17]);
    m->pct = (int)geti(r, v[18], -1);
    size_t n_errors = getn(r, v[19], MS_LIMIT_STORE_REPORT_ITEMS);
    m->n_messages = (uint64_t)geti(r, v[20], 0);
    a->errors = alloc_n(r, n_errors, sizeof *a->errors);
    m->errors = a->errors;
    m->n_errors = 0;
    m->records = NULL; /* records come one at a time to the callback */
    m->n_records = 0;
    return r->bad ? 1 : 0;
}

static int collect_error(void *user, size_t ncols, const char *const *v)
{
    agg_reader *a = user;
    if (ncols != 1 || !a->errors || a->meta.n_errors >= MS_LIMIT_STORE_REPORT_ITEMS) {
        return 1;
    }
    a->errors[a->meta.n_errors++] = dupv(&a->r, v[0]);
    return 0;
}

typedef struct {
    ms_report_dkim *dkim;
    ms_report_spf *spf;
    ms_report_reason *reasons;
    size_t cap_dkim, cap_spf, cap_reasons;
} rec_children;

static int collect_record(void *user, size_t ncols, const char *const *v)
{
    agg_reader *a = user;
    reader *r = &a->r;
    if (ncols != 12 || a->n_recs >= MS_LIMIT_STORE_REPORT_PAGE) {
        r->bad = true;
        return 1;
    }
    size_t k = a->n_recs++;
    ms_report_record *rec = &a->recs[k];
    memset(rec, 0, sizeof *rec);
    a->rec_ids[k] = geti(r, v[0], -1);
    rec->source_ip = dupv(r, v[1]);
    rec->count = (uint64_t)geti(r, v[2], 0);
    rec->disposition = dupv(r, v[3]);
    rec->dkim = dupv(r, v[4]);
    rec->spf = dupv(r, v[5]);
    rec->header_from = dupv(r, v[6]);
    rec->envelope_from = dupv(r, v[7]);
    rec->envelope_to = dupv(r, v[8]);
    /* The arrays are sized by the counts written with the record; n_* grow as children come. */
    size_t *cap = &a->caps[3 * k];
    cap[0] = getn(r, v[9], MS_LIMIT_STORE_REPORT_ITEMS);
    cap[1] = getn(r, v[10], MS_LIMIT_STORE_REPORT_ITEMS);
    cap[2] = getn(r, v[11], MS_LIMIT_STORE_REPORT_ITEMS);
    rec->dkim_results = alloc_n(r, cap[0], sizeof *rec->dkim_results);
    rec->spf_results = alloc_n(r, cap[1], sizeof *rec->spf_results);
    rec->reasons = alloc_n(r, cap[2], sizeof *rec->reasons);
    return r->bad ? 1 : 0;
}

typedef struct {
    agg_reader *a;
    int which; /* 0 dkim, 1 spf, 2 reasons */
} child_ctx;

static ms_report_record *record_by_id(agg_reader *a, int64_t id, size_t *index)
{
    size_t lo = 0, hi = a->n_recs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->rec_ids[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < a->n_recs && a->rec_ids[lo] == id) {
        *index = lo;
        return &a->recs[lo];
    }
    return NULL;
}

static int collect_child(void *user, size_t ncols, const char *const *v)
{
    child_ctx *c = user;
    agg_reader *a = c->a;
    reader *r = &a->r;
    size_t idx = 0;
    ms_report_record *rec = ncols >= 1 ? record_by_id(a, geti(r, v[0], -1), &idx) : NULL;
    if (!rec) {
        r->bad = true;
        return 1;
    }
    size_t cap = a->caps[3 * idx + (size_t)c->which];
    if (c->which == 0 && ncols == 5 && rec->n_dkim < cap) {
        ms_report_dkim *d = (ms_report_dkim *)(uintptr_t)&rec->dkim_results[rec->n_dkim++];
        d->domain = dupv(r, v[1]);
        d->selector = dupv(r, v[2]);
        d->result = dupv(r, v[3]);
        d->human_result = dupv(r, v[4]);
    } else if (c->which == 1 && ncols == 5 && rec->n_spf < cap) {
        ms_report_spf *d = (ms_report_spf *)(uintptr_t)&rec->spf_results[rec->n_spf++];
        d->domain = dupv(r, v[1]);
        d->scope = dupv(r, v[2]);
        d->result = dupv(r, v[3]);
        d->human_result = dupv(r, v[4]);
    } else if (c->which == 2 && ncols == 3 && rec->n_reasons < cap) {
        ms_report_reason *d = (ms_report_reason *)(uintptr_t)&rec->reasons[rec->n_reasons++];
        d->type = dupv(r, v[1]);
        d->comment = dupv(r, v[2]);
    } else {
        r->bad = true;
        return 1;
    }
    return r->bad ? 1 : 0;
}

/* Reads the records of aggregate id page by page and hands each to cb; *stop when cb said so. */
static ms_status each_record(ms_store *s, agg_reader *a, ms_arena *page_arena, int64_t id,
                             ms_store_record_cb cb, void *user, bool *stop)
{
    int64_t last = 0;
    ms_arena *meta_arena = a->r.arena;
    for (;;) {
        ms_arena_reset(page_arena);
        a->r.arena = page_arena;
        a->n_recs = 0;
        ms__sql_param p[] = {ms__store_int_param(id), ms__store_int_param(last),
                             ms__store_int_param(MS_LIMIT_STORE_REPORT_PAGE)};
        ms_status st = q(s,
                         "SELECT id, source_ip, count, disposition, dkim, spf, header_from, "
                         "envelope_from, envelope_to, n_dkim, n_spf, n_reasons FROM report_record "
                         "WHERE aggregate_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                         p, 3, collect_record, a);
        if (st == MS_OK && !a->r.bad && a->n_recs > 0) {
            child_ctx c = {a, 0};
            ms__sql_param cp[] = {ms__store_int_param(id), ms__store_int_param(last),
                                  ms__store_int_param(a->rec_ids[a->n_recs - 1])};
            static const char *const sqls[3] = {
                "SELECT record_id, domain, selector, result, human_result FROM report_record_dkim "
                "WHERE record_id IN (SELECT id FROM report_record WHERE aggregate_id = $1 AND "
                "id > $2 AND id <= $3) ORDER BY record_id, seq",
                "SELECT record_id, domain, scope, result, human_result FROM report_record_spf "
                "WHERE record_id IN (SELECT id FROM report_record WHERE aggregate_id = $1 AND "
                "id > $2 AND id <= $3) ORDER BY record_id, seq",
                "SELECT record_id, type, comment FROM report_record_reason WHERE record_id IN "
                "(SELECT id FROM report_record WHERE aggregate_id = $1 AND id > $2 AND id <= $3) "
                "ORDER BY record_id, seq"};
            for (int w = 0; st == MS_OK && !a->r.bad && w < 3; w++) {
                c.which = w;
                st = q(s, sqls[w], cp, 3, collect_child, &c);
            }
        }
        a->r.arena = meta_arena;
        if (st != MS_OK) {
            return st;
        }
        if (a->r.bad) {
            a->r.arena = page_arena;
            st = read_failed(s, &a->r, "aggregate record");
            a->r.arena = meta_arena;
            return st;
        }
        for (size_t k = 0; k < a->n_recs; k++) {
            if (cb(user, &a->meta, &a->recs[k]) != 0) {
                *stop = true;
                return MS_OK;
            }
        }
        if (a->n_recs < MS_LIMIT_STORE_REPORT_PAGE) {
            return MS_OK;
        }
        last = a->rec_ids[a->n_recs - 1];
    }
}

typedef struct {
    ms_store *s;
    agg_reader *a;
    ms_arena *page_arena;
    ms_store_record_cb cb;
    void *user;
} agg_each_ctx;

static ms_status aggregate_one(void *ctx, int64_t id, bool *stop)
{
    agg_each_ctx *c = ctx;
    agg_reader *a = c->a;
    ms_arena_reset(a->r.arena);
    memset(&a->meta, 0, sizeof a->meta);
    a->errors = NULL;
    ms__sql_param p[] = {ms__store_int_param(id)};
    ms_status st = q(c->s,
                     "SELECT format, version, org_name, email, extra_contact_info, report_id, "
                     "generator, begin_ts, end_ts, domain, pp_adkim, pp_aspf, pp_p, pp_sp, pp_np, "
                     "pp_fo, pp_testing, pp_discovery, pp_pct, n_errors, n_messages "
                     "FROM report_aggregate WHERE id = $1",
                     p, 1, collect_meta, a);
    if (st == MS_OK && !a->r.bad && a->errors) {
        st = q(c->s,
               "SELECT text FROM report_aggregate_error WHERE aggregate_id = $1 ORDER BY "
               "seq",
               p, 1, collect_error, a);
    }
    if (st != MS_OK) {
        return st;
    }
    if (a->r.bad || !a->meta.org_name) {
        return read_failed(c->s, &a->r, "aggregate report");
    }
    return each_record(c->s, a, c->page_arena, id, c->cb, c->user, stop);
}

ms_status ms_store_aggregate_each(ms_store *store, const ms_store_report_query *qr,
                                  ms_store_record_cb cb, void *user)
{
    if (!store || !cb) {
        return MS_EINVAL;
    }
    ms_arena *meta_arena = NULL, *page_arena = NULL;
    agg_reader *a = calloc(1, sizeof *a);
    ms_status st = a ? MS_OK : MS_ENOMEM;
    if (st == MS_OK) {
        a->recs = calloc(MS_LIMIT_STORE_REPORT_PAGE, sizeof *a->recs);
        a->rec_ids = calloc(MS_LIMIT_STORE_REPORT_PAGE, sizeof *a->rec_ids);
        a->caps = calloc(3 * MS_LIMIT_STORE_REPORT_PAGE, sizeof *a->caps);
        st = a->recs && a->rec_ids && a->caps ? MS_OK : MS_ENOMEM;
    }
    if (st == MS_OK) {
        st = ms_arena_new(NULL, 0, &meta_arena);
    }
    if (st == MS_OK) {
        st = ms_arena_new(NULL, 0, &page_arena);
    }
    if (st == MS_OK) {
        a->r.arena = meta_arena;
        agg_each_ctx c = {store, a, page_arena, cb, user};
        st = each_report(
            store, qr,
            "SELECT id, begin_ts FROM report_aggregate WHERE " MS__NODOMAIN MS__OVERLAP MS__KEYSET(
                "begin_ts") "ORDER BY begin_ts, id LIMIT $6",
            "SELECT id, begin_ts FROM report_aggregate WHERE domain = $1 AND" MS__OVERLAP
                MS__KEYSET("begin_ts") "ORDER BY begin_ts, id LIMIT $6",
            aggregate_one, &c);
    }
    ms_arena_free(page_arena);
    ms_arena_free(meta_arena);
    if (a) {
        free(a->recs);
        free(a->rec_ids);
        free(a->caps);
        free(a);
    }
    return st;
}

/* ---- failure reports ---- */

typedef struct {
    reader r;
    ms_report_failure f;
} failure_reader;

static int collect_failure(void *user, size_t ncols, const char *const *v)
{
    failure_reader *fr = user;
    reader *r = &fr->r;
    if (ncols != 3 + N_FAILURE_TEXT) {
        r->bad = true;
        return 1;
    }
    ms_report_failure *f = &fr->f;
    f->arrival = geti(r, v[0], 0);
    f->incidents = (uint64_t)geti(r, v[1], 1);
    f->original_headers = dupv(r, v[2]);
    f->original_headers_len = f->original_headers ? strlen(f->original_headers) : 0;
    for (size_t k = 0; k < N_FAILURE_TEXT; k++) {
        *ffield_ptr(f, k) = dupv(r, v[3 + k]);
    }
    return r->bad ? 1 : 0;
}

static const char FAILURE_SELECT[] = "SELECT arrival, incidents, original_headers" MS__FAILURE_TEXT(
    MS__FCOL) " FROM report_failure WHERE id = $1";

typedef struct {
    ms_store *s;
    failure_reader fr;
    ms_store_failure_cb cb;
    void *user;
} failure_each_ctx;

static ms_status failure_one(void *ctx, int64_t id, bool *stop)
{
    failure_each_ctx *c = ctx;
    ms_arena_reset(c->fr.r.arena);
    memset(&c->fr.f, 0, sizeof c->fr.f);
    ms__sql_param p[] = {ms__store_int_param(id)};
    ms_status st = q(c->s, FAILURE_SELECT, p, 1, collect_failure, &c->fr);
    if (st == MS_OK && c->fr.r.bad) {
        st = read_failed(c->s, &c->fr.r, "failure report");
    }
    if (st == MS_OK && c->cb(c->user, &c->fr.f) != 0) {
        *stop = true;
    }
    return st;
}

ms_status ms_store_failure_each(ms_store *store, const ms_store_report_query *qr,
                                ms_store_failure_cb cb, void *user)
{
    if (!store || !cb) {
        return MS_EINVAL;
    }
    failure_each_ctx c;
    memset(&c, 0, sizeof c);
    c.s = store;
    c.cb = cb;
    c.user = user;
    ms_status st = ms_arena_new(NULL, 0, &c.fr.r.arena);
    if (st != MS_OK) {
        return st;
    }
    /* A failure report has one date, its arrival: in [since, until). */
    st = each_report(
        store, qr,
        "SELECT id, arrival FROM report_failure WHERE " MS__NODOMAIN
        "arrival < $2 AND arrival >= $3"
        " " MS__KEYSET("arrival") "ORDER BY arrival, id LIMIT $6",
        "SELECT id, arrival FROM report_failure WHERE reported_domain = $1 AND "
        "arrival < $2 AND arrival >= $3 " MS__KEYSET("arrival") "ORDER BY arrival, id LIMIT $6",
        failure_one, &c);
    ms_arena_free(c.fr.r.arena);
    return st;
}

/* ---- TLS reports ---- */

typedef struct {
    reader r;
    ms_tlsrpt_report t;
    ms_tlsrpt_policy *policies;
    int64_t *policy_ids;
    size_t n_alloc;
    size_t cur; /* the policy whose children are read */
    const char **strings[2];
    size_t caps[2];
    size_t fail_cap;
} tls_reader;

static int collect_tls(void *user, size_t ncols, const char *const *v)
{
    tls_reader *tr = user;
    reader *r = &tr->r;
    if (ncols != 6) {
        r->bad = true;
        return 1;
    }
    tr->t.organization_name = dupv(r, v[0]);
    tr->t.contact_info = dupv(r, v[1]);
    tr->t.report_id = dupv(r, v[2]);
    tr->t.begin = geti(r, v[3], 0);
    tr->t.end = geti(r, v[4], 0);
    tr->n_alloc = getn(r, v[5], MS_LIMIT_STORE_TLSRPT_POLICIES);
    tr->policies = alloc_n(r, tr->n_alloc, sizeof *tr->policies);
    tr->policy_ids = alloc_n(r, tr->n_alloc, sizeof *tr->policy_ids);
    return r->bad ? 1 : 0;
}

static int collect_policy(void *user, size_t ncols, const char *const *v)
{
    tls_reader *tr = user;
    reader *r = &tr->r;
    if (ncols != 8 || tr->t.n_policies >= tr->n_alloc) {
        r->bad = true;
        return 1;
    }
    size_t k = tr->t.n_policies++;
    ms_tlsrpt_policy *p = &tr->policies[k];
    tr->policy_ids[k] = geti(r, v[0], -1);
    p->policy_type = dupv(r, v[1]);
    p->policy_domain = dupv(r, v[2]);
    p->total_successful = (uint64_t)geti(r, v[3], 0);
    p->total_failure = (uint64_t)geti(r, v[4], 0);
    /* the capacities, until the children are read (n_* count them then) */
    p->n_policy_strings = getn(r, v[5], MS_LIMIT_STORE_TLSRPT_ITEMS);
    p->n_mx_hosts = getn(r, v[6], MS_LIMIT_STORE_TLSRPT_ITEMS);
    p->n_failures = getn(r, v[7], MS_LIMIT_STORE_TLSRPT_ITEMS);
    return r->bad ? 1 : 0;
}

typedef struct {
    tls_reader *tr;
    const char **arr[2];
    size_t cap[2], n[2];
    ms_tlsrpt_failure *fails;
    size_t fcap, fn;
} policy_children;

static int collect_string(void *user, size_t ncols, const char *const *v)
{
    policy_children *pc = user;
    reader *r = &pc->tr->r;
    int64_t kind = ncols == 2 ? geti(r, v[0], -1) : -1;
    if (kind < 0 || kind > 1 || pc->n[kind] >= pc->cap[kind]) {
        r->bad = true;
        return 1;
    }
    pc->arr[kind][pc->n[kind]++] = dupv(r, v[1]);
    return r->bad ? 1 : 0;
}

static int collect_tls_failure(void *user, size_t ncols, const char *const *v)
{
    policy_children *pc = user;
    reader *r = &pc->tr->r;
    if (ncols != 8 || pc->fn >= pc->fcap) {
        r->bad = true;
        return 1;
    }
    ms_tlsrpt_failure *f = &pc->fails[pc->fn++];
    f->result_type = dupv(r, v[0]);
    f->sending_mta_ip = dupv(r, v[1]);
    f->receiving_mx_hostname = dupv(r, v[2]);
    f->receiving_mx_helo = dupv(r, v[3]);
    f->receiving_ip = dupv(r, v[4]);
    f->additional_information = dupv(r, v[5]);
    f->failure_reason_code = dupv(r, v[6]);
    f->failed_session_count = (uint64_t)geti(r, v[7], 0);
    return r->bad ? 1 : 0;
}

static ms_status read_tlsrpt(ms_store *s, tls_reader *tr, int64_t id)
{
    ms__sql_param p[] = {ms__store_int_param(id)};
    ms_status st = q(s,
                     "SELECT organization_name, contact_info, report_id, begin_ts, end_ts, "
                     "n_policies FROM report_tlsrpt WHERE id = $1",
                     p, 1, collect_tls, tr);
    if (st == MS_OK && !tr->r.bad && tr->n_alloc > 0) {
        st = q(s,
               "SELECT id, policy_type, policy_domain, total_successful, total_failure, n_strings, "
               "n_mx_hosts, n_failures FROM report_tlsrpt_policy WHERE tlsrpt_id = $1 ORDER BY seq",
               p, 1, collect_policy, tr);
    }
    for (size_t k = 0; st == MS_OK && !tr->r.bad && k < tr->t.n_policies; k++) {
        ms_tlsrpt_policy *pol = &tr->policies[k];
        policy_children pc = {0};
        pc.tr = tr;
        pc.cap[0] = pol->n_policy_strings;
        pc.cap[1] = pol->n_mx_hosts;
        pc.fcap = pol->n_failures;
        pc.arr[0] = alloc_n(&tr->r, pc.cap[0], sizeof(const char *));
        pc.arr[1] = alloc_n(&tr->r, pc.cap[1], sizeof(const char *));
        pc.fails = alloc_n(&tr->r, pc.fcap, sizeof *pc.fails);
        ms__sql_param pp[] = {ms__store_int_param(tr->policy_ids[k])};
        if (!tr->r.bad && pc.cap[0] + pc.cap[1] > 0) {
            st = q(s,
                   "SELECT kind, value FROM report_tlsrpt_string WHERE policy_id = $1 ORDER BY "
                   "kind, seq",
                   pp, 1, collect_string, &pc);
        }
        if (st == MS_OK && !tr->r.bad && pc.fcap > 0) {
            st = q(s,
                   "SELECT result_type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, "
                   "receiving_ip, additional_information, failure_reason_code, "
                   "failed_session_count FROM report_tlsrpt_failure WHERE policy_id = $1 ORDER BY "
                   "seq",
                   pp, 1, collect_tls_failure, &pc);
        }
        pol->policy_strings = pc.arr[0];
        pol->n_policy_strings = pc.n[0];
        pol->mx_hosts = pc.arr[1];
        pol->n_mx_hosts = pc.n[1];
        pol->failures = pc.fails;
        pol->n_failures = pc.fn;
    }
    if (st == MS_OK && tr->r.bad) {
        st = read_failed(s, &tr->r, "TLS report");
    }
    tr->t.policies = tr->policies;
    return st;
}

typedef struct {
    ms_store *s;
    tls_reader tr;
    ms_store_tlsrpt_cb cb;
    void *user;
} tls_each_ctx;

static ms_status tlsrpt_one(void *ctx, int64_t id, bool *stop)
{
    tls_each_ctx *c = ctx;
    ms_arena_reset(c->tr.r.arena);
    ms_arena *arena = c->tr.r.arena;
    memset(&c->tr, 0, sizeof c->tr);
    c->tr.r.arena = arena;
    ms_status st = read_tlsrpt(c->s, &c->tr, id);
    if (st == MS_OK && c->cb(c->user, &c->tr.t) != 0) {
        *stop = true;
    }
    return st;
}

ms_status ms_store_tlsrpt_each(ms_store *store, const ms_store_report_query *qr,
                               ms_store_tlsrpt_cb cb, void *user)
{
    if (!store || !cb) {
        return MS_EINVAL;
    }
    tls_each_ctx c;
    memset(&c, 0, sizeof c);
    c.s = store;
    c.cb = cb;
    c.user = user;
    ms_status st = ms_arena_new(NULL, 0, &c.tr.r.arena);
    if (st != MS_OK) {
        return st;
    }
    st = each_report(store, qr,
                     "SELECT id, begin_ts FROM report_tlsrpt WHERE " MS__NODOMAIN MS__OVERLAP
                         MS__KEYSET("begin_ts") "ORDER BY begin_ts, id LIMIT $6",
                     "SELECT id, begin_ts FROM report_tlsrpt t WHERE EXISTS (SELECT 1 FROM "
                     "report_tlsrpt_policy p WHERE p.tlsrpt_id = t.id AND p.policy_domain = $1) "
                     "AND" MS__OVERLAP MS__KEYSET("begin_ts") "ORDER BY begin_ts, id LIMIT $6",
                     tlsrpt_one, &c);
    ms_arena_free(c.tr.r.arena);
    return st;
}

/* ---- kept aside ---- */

typedef struct {
    reader r;
    size_t n;
    int64_t ids[MS_LIMIT_STORE_REPORT_PAGE], when[MS_LIMIT_STORE_REPORT_PAGE];
    const char *keys[MS_LIMIT_STORE_REPORT_PAGE], *reasons[MS_LIMIT_STORE_REPORT_PAGE];
} kept_page;

static int collect_kept(void *user, size_t ncols, const char *const *v)
{
    kept_page *kp = user;
    if (ncols != 4 || kp->n >= MS_LIMIT_STORE_REPORT_PAGE) {
        kp->r.bad = true;
        return 1;
    }
    size_t k = kp->n++;
    kp->ids[k] = geti(&kp->r, v[0], -1);
    kp->keys[k] = dupv(&kp->r, v[1]);
    kp->reasons[k] = dupv(&kp->r, v[2]);
    kp->when[k] = geti(&kp->r, v[3], 0);
    return kp->r.bad ? 1 : 0;
}

ms_status ms_store_kept_aside_each(ms_store *store, ms_store_kept_cb cb, void *user)
{
    if (!store || !cb) {
        return MS_EINVAL;
    }
    kept_page *kp = calloc(1, sizeof *kp);
    if (!kp) {
        return MS_ENOMEM;
    }
    ms_status st = ms_arena_new(NULL, 0, &kp->r.arena);
    if (st != MS_OK) {
        free(kp);
        return st;
    }
    pthread_mutex_lock(&store->mu);
    store->err[0] = '\0';
    int64_t last_when = INT64_MAX, last_id = INT64_MAX;
    for (;;) {
        ms_arena_reset(kp->r.arena);
        kp->n = 0;
        ms__sql_param p[] = {ms__store_int_param(last_when), ms__store_int_param(last_id),
                             ms__store_int_param(MS_LIMIT_STORE_REPORT_PAGE)};
        st = q(store,
               "SELECT id, source_key, reason, kept_at FROM report_kept WHERE kept_at < $1 OR "
               "(kept_at = $1 AND id < $2) ORDER BY kept_at DESC, id DESC LIMIT $3",
               p, 3, collect_kept, kp);
        if (st == MS_OK && kp->r.bad) {
            st = read_failed(store, &kp->r, "kept-aside source");
        }
        if (st != MS_OK) {
            break;
        }
        bool stop = false;
        for (size_t k = 0; k < kp->n && !stop; k++) {
            stop = cb(user, kp->keys[k], kp->reasons[k], kp->when[k]) != 0;
        }
        if (stop || kp->n < MS_LIMIT_STORE_REPORT_PAGE) {
            break;
        }
        last_when = kp->when[kp->n - 1];
        last_id = kp->ids[kp->n - 1];
    }
    pthread_mutex_unlock(&store->mu);
    ms_arena_free(kp->r.arena);
    free(kp);
    return st;
}
