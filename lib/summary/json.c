/* SPDX-License-Identifier: MIT */
/* The report summary as one JSON document (RFC 8259, built with json-c), and
 * ms_summary_format() choosing among the formats. Strings from reports that are not valid UTF-8
 * (RFC 3629) have the bad bytes replaced by U+FFFD, so the document always parses. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "base/utf8.h"
#include "summary/internal.h"

const char *ms__summary_utf8(ms_arena *arena, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t len = strlen(s);
    if (ms__utf8_valid(s, len)) {
        return s;
    }
    ms__buf b;
    ms__buf_init(&b, arena, len * 3 + 1);
    for (size_t i = 0; i < len;) {
        size_t n = ms__utf8_seq(s + i, len - i);
        if (n == 0) {
            ms__buf_puts(&b, "\xef\xbf\xbd");
            i++;
        } else {
            ms__buf_append(&b, s + i, n);
            i += n;
        }
    }
    return ms__buf_status(&b) == MS_OK ? ms__buf_str(&b) : "";
}

typedef struct jctx {
    ms_arena *arena;
    bool failed;
} jctx;

static json_object *jstr(jctx *j, const char *s)
{
    if (s == NULL) {
        return NULL; /* null */
    }
    const char *u = ms__summary_utf8(j->arena, s);
    json_object *o = json_object_new_string(u ? u : "");
    j->failed |= o == NULL;
    return o;
}

static void put(jctx *j, json_object *obj, const char *key, json_object *v)
{
    if (json_object_object_add(obj, key, v) != 0) {
        j->failed = true;
        json_object_put(v);
    }
}

static void put_str(jctx *j, json_object *o, const char *key, const char *v)
{
    put(j, o, key, jstr(j, v));
}

static void put_u(jctx *j, json_object *o, const char *key, uint64_t v)
{
    json_object *x = json_object_new_uint64(v);
    j->failed |= x == NULL;
    put(j, o, key, x);
}

static void put_date(jctx *j, json_object *o, const char *key, int64_t t)
{
    char d[16];
    put_str(j, o, key, t == 0 || t == INT64_MAX ? NULL : ms_summary_date(t, d, sizeof(d)));
}

/* A rate 0..1 with four decimals, written as computed (no float noise). */
static void put_rate(jctx *j, json_object *o, const char *key, uint64_t part, uint64_t whole)
{
    if (whole == 0) {
        put(j, o, key, NULL);
        return;
    }
    double v = (double)part / (double)whole;
    char txt[16];
    snprintf(txt, sizeof(txt), "%.4f", v);
    json_object *x = json_object_new_double_s(v, txt);
    j->failed |= x == NULL;
    put(j, o, key, x);
}

static void add(jctx *j, json_object *arr, json_object *v)
{
    if (v == NULL || json_object_array_add(arr, v) != 0) {
        j->failed = true;
        json_object_put(v);
    }
}

static json_object *obj(jctx *j)
{
    json_object *o = json_object_new_object();
    j->failed |= o == NULL;
    return o;
}

static json_object *arr(jctx *j)
{
    json_object *o = json_object_new_array();
    j->failed |= o == NULL;
    return o;
}

static json_object *counts(jctx *j, const ms_summary_count *c, size_t n, bool with_pass)
{
    json_object *a = arr(j);
    for (size_t i = 0; a != NULL && i < n; i++) {
        json_object *o = obj(j);
        if (o == NULL) {
            break;
        }
        put_str(j, o, "name", c[i].name);
        put_u(j, o, "messages", c[i].messages);
        if (with_pass) {
            put_u(j, o, "pass", c[i].pass);
        }
        add(j, a, o);
    }
    return a;
}

static json_object *source(jctx *j, const ms_summary_source *s)
{
    json_object *o = obj(j);
    if (o == NULL) {
        return NULL;
    }
    put_str(j, o, "ip", s->ip);
    put_str(j, o, "reverse_dns", s->ptr);
    put(j, o, "reverse_dns_confirmed", json_object_new_boolean(s->ptr_confirmed));
    put_str(j, o, "provider", s->provider);
    put_str(j, o, "provider_evidence", s->provider_by);
    put_u(j, o, "messages", s->messages);
    put_u(j, o, "dmarc_pass", s->dmarc_pass);
    put_rate(j, o, "dmarc_pass_rate", s->dmarc_pass, s->messages);
    put_u(j, o, "dkim_aligned", s->dkim_aligned);
    put_u(j, o, "spf_aligned", s->spf_aligned);
    put_u(j, o, "dkim_pass", s->dkim_pass);
    put_u(j, o, "spf_pass", s->spf_pass);
    json_object *d = obj(j);
    if (d != NULL) {
        put_u(j, d, "none", s->none);
        put_u(j, d, "quarantine", s->quarantined);
        put_u(j, d, "reject", s->rejected);
        put(j, o, "dispositions", d);
    }
    put(j, o, "header_from", counts(j, s->header_from, s->n_header_from, false));
    put(j, o, "dkim_domains", counts(j, s->dkim_domains, s->n_dkim_domains, true));
    put(j, o, "spf_domains", counts(j, s->spf_domains, s->n_spf_domains, true));
    put(j, o, "reporters", counts(j, s->reporters, s->n_reporters, false));
    put_date(j, o, "first_seen", s->first_seen);
    put_date(j, o, "last_seen", s->last_seen);
    return o;
}

static json_object *document(jctx *j, const ms_summary_result *r)
{
    json_object *doc = obj(j);
    if (doc == NULL) {
        return NULL;
    }
    put_str(j, doc, "domain", r->domain);
    put_date(j, doc, "since", r->since);
    /* the last day included */
    put_date(j, doc, "until", r->until == 0 || r->until == INT64_MAX ? r->until : r->until - 1);
    put_date(j, doc, "first_seen", r->first_seen);
    put_date(j, doc, "last_seen", r->last_seen);
    json_object *t = obj(j);
    if (t != NULL) {
        put_u(j, t, "reports", r->reports);
        put_u(j, t, "messages", r->messages);
        put_u(j, t, "dmarc_pass", r->dmarc_pass);
        put_rate(j, t, "dmarc_pass_rate", r->dmarc_pass, r->messages);
        put_u(j, t, "dkim_aligned", r->dkim_aligned);
        put_u(j, t, "spf_aligned", r->spf_aligned);
        put_u(j, t, "quarantined", r->quarantined);
        put_u(j, t, "rejected", r->rejected);
        put_u(j, t, "sources", r->n_sources);
        put_u(j, t, "other_sources", r->other_sources);
        put_u(j, t, "other_messages", r->other_messages);
        put(j, doc, "totals", t);
    }
    json_object *a = arr(j);
    for (size_t i = 0; a != NULL && i < r->n_domains; i++) {
        const ms_summary_domain *d = &r->domains[i];
        json_object *o = obj(j);
        if (o == NULL) {
            break;
        }
        put_str(j, o, "domain", d->domain);
        put_str(j, o, "p", d->p);
        put_str(j, o, "sp", d->sp);
        put_str(j, o, "adkim", d->adkim);
        put_str(j, o, "aspf", d->aspf);
        put(j, o, "pct", d->pct >= 0 ? json_object_new_int(d->pct) : NULL);
        put_u(j, o, "reports", d->reports);
        put_u(j, o, "messages", d->messages);
        put_u(j, o, "dmarc_pass", d->dmarc_pass);
        add(j, a, o);
    }
    put(j, doc, "domains", a);
    a = arr(j);
    for (size_t i = 0; a != NULL && i < r->n_sources; i++) {
        add(j, a, source(j, &r->sources[i]));
    }
    put(j, doc, "sources", a);
    a = arr(j);
    for (size_t i = 0; a != NULL && i < r->n_days; i++) {
        json_object *o = obj(j);
        if (o == NULL) {
            break;
        }
        put_date(j, o, "day", r->days[i].day);
        put_u(j, o, "reports", r->days[i].reports);
        put_u(j, o, "messages", r->days[i].messages);
        put_u(j, o, "dmarc_pass", r->days[i].dmarc_pass);
        add(j, a, o);
    }
    put(j, doc, "days", a);
    a = arr(j);
    for (size_t i = 0; a != NULL && i < r->n_reporters; i++) {
        const ms_summary_reporter *x = &r->reporters[i];
        json_object *o = obj(j);
        if (o == NULL) {
            break;
        }
        put_str(j, o, "org_name", x->org_name);
        put_u(j, o, "reports", x->reports);
        put_u(j, o, "messages", x->messages);
        put_u(j, o, "dmarc_pass", x->dmarc_pass);
        put_date(j, o, "first_seen", x->first_seen);
        put_date(j, o, "last_seen", x->last_seen);
        add(j, a, o);
    }
    put(j, doc, "reporters", a);
    json_object *f = obj(j);
    if (f != NULL) {
        put_u(j, f, "reports", r->failure_reports);
        put_u(j, f, "incidents", r->failure_incidents);
        a = arr(j);
        for (size_t i = 0; a != NULL && i < r->n_failure_sources; i++) {
            const ms_summary_failure_source *x = &r->failure_sources[i];
            json_object *o = obj(j);
            if (o == NULL) {
                break;
            }
            put_str(j, o, "ip", x->ip);
            put_u(j, o, "reports", x->reports);
            put_u(j, o, "incidents", x->incidents);
            put_str(j, o, "auth_failure", x->auth_failure);
            add(j, a, o);
        }
        put(j, f, "sources", a);
        put(j, doc, "failure_reports", f);
    }
    json_object *tls = obj(j);
    if (tls != NULL) {
        put_u(j, tls, "reports", r->tls_reports);
        a = arr(j);
        for (size_t i = 0; a != NULL && i < r->n_tls_domains; i++) {
            const ms_summary_tls_domain *x = &r->tls_domains[i];
            json_object *o = obj(j);
            if (o == NULL) {
                break;
            }
            put_str(j, o, "policy_domain", x->policy_domain);
            put_u(j, o, "reports", x->reports);
            put_u(j, o, "successful", x->successful);
            put_u(j, o, "failed", x->failed);
            add(j, a, o);
        }
        put(j, tls, "domains", a);
        a = arr(j);
        for (size_t i = 0; a != NULL && i < r->n_tls_failures; i++) {
            const ms_summary_tls_failure *x = &r->tls_failures[i];
            json_object *o = obj(j);
            if (o == NULL) {
                break;
            }
            put_str(j, o, "policy_domain", x->policy_domain);
            put_str(j, o, "mx", x->mx);
            put_str(j, o, "result_type", x->result_type);
            put_u(j, o, "sessions", x->sessions);
            add(j, a, o);
        }
        put(j, tls, "failures", a);
        put(j, doc, "tls", tls);
    }
    a = arr(j);
    for (size_t i = 0; a != NULL && i < r->n_advice; i++) {
        const ms_summary_advice *x = &r->advice[i];
        json_object *o = obj(j);
        if (o == NULL) {
            break;
        }
        put_str(j, o, "id", x->id);
        put_str(j, o, "level",
                x->level == MS_SUMMARY_ACTION    ? "action"
                : x->level == MS_SUMMARY_WARNING ? "warning"
                                                 : "info");
        put_str(j, o, "text", x->text);
        put_u(j, o, "sources", x->n_sources);
        put_u(j, o, "messages", x->n_messages);
        add(j, a, o);
    }
    put(j, doc, "advice", a);
    return doc;
}

ms_status ms__summary_json(ms__buf *b, const ms_summary_result *r)
{
    jctx j = {.arena = b->arena};
    json_object *doc = document(&j, r);
    if (doc == NULL || j.failed) {
        json_object_put(doc);
        return MS_ENOMEM;
    }
    const char *s = json_object_to_json_string_ext(
        doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (s == NULL) {
        json_object_put(doc);
        return MS_ENOMEM;
    }
    ms__buf_puts(b, s);
    ms__buf_putc(b, '\n');
    json_object_put(doc);
    return MS_OK;
}

ms_status ms_summary_format(const ms_summary_result *r, ms_summary_format_kind kind, bool colour,
                            ms_arena *arena, const char **out, size_t *len)
{
    if (r == NULL || arena == NULL || out == NULL || len == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    *len = 0;
    ms__buf b;
    ms__buf_init(&b, arena, MS_LIMIT_SUMMARY_OUTPUT);
    ms_status st = MS_OK;
    switch (kind) {
    case MS_SUMMARY_TEXT:
        ms__summary_text(&b, r, colour);
        break;
    case MS_SUMMARY_JSON:
        st = ms__summary_json(&b, r);
        break;
    case MS_SUMMARY_CSV:
        ms__summary_csv(&b, r);
        break;
    case MS_SUMMARY_HTML:
        ms__summary_html(&b, r);
        break;
    default:
        return MS_EINVAL;
    }
    if (st == MS_OK) {
        st = ms__buf_status(&b);
    }
    if (st != MS_OK) {
        return st;
    }
    *out = ms__buf_str(&b);
    *len = b.len;
    return MS_OK;
}
