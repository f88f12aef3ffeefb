/* SPDX-License-Identifier: MIT */
/* The report summary's tallies: aggregate records (RFC 9990 §2.1, RFC 7489 Appendix C) counted
 * per source IP, day, reporter and policy domain; failure reports (RFC 6591) per source; TLS
 * reports (RFC 8460 §4) per policy domain, MX and result type; the reverse DNS names of the
 * busiest sources; then sorting, provider recognition and the advice (advice.c). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/limits.h"
#include "base/str.h"
#include "check/providers.h"
#include "summary/internal.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool ieq(const char *a, const char *b)
{
    return a != NULL && b != NULL && ms__str_ieq(a, strlen(a), b, strlen(b));
}

/* A copy of a report string cut to MS_LIMIT_SUMMARY_FIELD bytes; "" for NULL. */
static const char *keep(ms_summary *s, const char *str)
{
    if (str == NULL) {
        return "";
    }
    size_t n = strnlen(str, MS_LIMIT_SUMMARY_FIELD);
    return ms_arena_strndup(s->arena, str, n);
}

static const char *keep_lower(ms_summary *s, const char *str)
{
    if (str == NULL) {
        return "";
    }
    char *c = ms_arena_strndup(s->arena, str, strnlen(str, MS_LIMIT_SUMMARY_FIELD));
    if (c != NULL) {
        for (char *p = c; *p; p++) {
            *p = ms__lower(*p);
        }
    }
    return c;
}

/* Grows an arena array to hold one more element (doubling; the old copy stays in the arena). */
static void *grow(ms_summary *s, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) {
        return items;
    }
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = ms_arena_alloc(s->arena, ncap * size);
    if (p == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(p, items, n * size);
    }
    *cap = ncap;
    return p;
}

ms_status ms_summary_new(const ms_summary_options *opt, ms_summary **out)
{
    if (out == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    ms_arena *arena = NULL;
    ms_status st = ms_arena_new(NULL, MS_LIMIT_SUMMARY_ARENA, &arena);
    if (st != MS_OK) {
        return st;
    }
    ms_summary *s = ms_arena_alloc(arena, sizeof(*s));
    if (s == NULL) {
        ms_arena_free(arena);
        return MS_ENOMEM;
    }
    memset(s, 0, sizeof(*s));
    s->arena = arena;
    if (opt != NULL) {
        s->opt.domain = opt->domain ? keep_lower(s, opt->domain) : NULL;
        s->opt.since = opt->since;
        s->opt.until = opt->until;
    }
    s->n_buckets = 1024;
    s->buckets = ms_arena_alloc(arena, s->n_buckets * sizeof(*s->buckets));
    if (s->buckets == NULL) {
        ms_arena_free(arena);
        return MS_ENOMEM;
    }
    memset(s->buckets, 0, s->n_buckets * sizeof(*s->buckets));
    *out = s;
    return MS_OK;
}

void ms_summary_free(ms_summary *s)
{
    if (s != NULL) {
        ms_arena_free(s->arena);
    }
}

/* The IP in its normalised text form ("2001:db8::1"); as written (cut) when it does not parse. */
static void normalise_ip(const char *ip, char *buf, size_t len)
{
    uint8_t bin[16];
    if (ip == NULL) {
        snprintf(buf, len, "?");
    } else if (inet_pton(AF_INET, ip, bin) == 1) {
        (void)inet_ntop(AF_INET, bin, buf, (socklen_t)len);
    } else if (inet_pton(AF_INET6, ip, bin) == 1) {
        (void)inet_ntop(AF_INET6, bin, buf, (socklen_t)len);
    } else {
        snprintf(buf, len, "%.*s", (int)strnlen(ip, 64), ip);
    }
}

static size_t hash(const char *str)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *str; str++) {
        h = (h ^ (uint8_t)*str) * 1099511628211u;
    }
    return (size_t)h;
}

static ms_status rehash(ms_summary *s)
{
    size_t n = s->n_buckets * 2;
    ms__sum_source **b = ms_arena_alloc(s->arena, n * sizeof(*b));
    if (b == NULL) {
        return ms_arena_status(s->arena);
    }
    memset(b, 0, n * sizeof(*b));
    for (ms__sum_source *x = s->all; x != NULL; x = x->next_all) {
        size_t i = hash(x->pub.ip) % n;
        x->next_hash = b[i];
        b[i] = x;
    }
    s->buckets = b;
    s->n_buckets = n;
    return MS_OK;
}

/* The source for ip, created when new; NULL with *st MS_OK past MS_LIMIT_SUMMARY_SOURCES. */
static ms__sum_source *source_for(ms_summary *s, const char *ip, ms_status *st)
{
    char norm[64];
    normalise_ip(ip, norm, sizeof(norm));
    size_t i = hash(norm) % s->n_buckets;
    for (ms__sum_source *x = s->buckets[i]; x != NULL; x = x->next_hash) {
        if (strcmp(x->pub.ip, norm) == 0) {
            return x;
        }
    }
    if (s->n_sources >= MS_LIMIT_SUMMARY_SOURCES) {
        return NULL;
    }
    if (s->n_sources >= s->n_buckets * 2) {
        if ((*st = rehash(s)) != MS_OK) {
            return NULL;
        }
        i = hash(norm) % s->n_buckets;
    }
    ms__sum_source *x = ms_arena_alloc(s->arena, sizeof(*x));
    if (x == NULL || (x->pub.ip = ms_arena_strdup(s->arena, norm), x->pub.ip == NULL)) {
        *st = ms_arena_status(s->arena);
        return NULL;
    }
    const char *ipc = x->pub.ip;
    memset(x, 0, sizeof(*x));
    x->pub.ip = ipc;
    x->next_hash = s->buckets[i];
    s->buckets[i] = x;
    x->next_all = s->all;
    s->all = x;
    s->n_sources++;
    return x;
}

/* Adds messages (pass of them passed) under name, case-insensitive; names past the cap are
 * dropped. */
static ms_status names_add(ms_summary *s, ms__sum_names *l, const char *name, uint64_t messages,
                           uint64_t pass, bool lower)
{
    if (name == NULL || name[0] == '\0') {
        return MS_OK;
    }
    size_t nlen = strnlen(name, MS_LIMIT_SUMMARY_FIELD);
    for (size_t i = 0; i < l->n; i++) {
        if (ms__str_ieq(l->items[i].name, strlen(l->items[i].name), name, nlen)) {
            l->items[i].messages = sat_add(l->items[i].messages, messages);
            l->items[i].pass = sat_add(l->items[i].pass, pass);
            return MS_OK;
        }
    }
    if (l->n >= MS_LIMIT_SUMMARY_NAMES) {
        return MS_OK;
    }
    /* capacities 2, 4, 8, 16: a power of two at every full length */
    if (l->n == 0 || (l->n >= 2 && (l->n & (l->n - 1)) == 0)) {
        size_t ncap = l->n == 0 ? 2 : l->n * 2;
        ms_summary_count *p = ms_arena_alloc(s->arena, ncap * sizeof(*p));
        if (p == NULL) {
            return ms_arena_status(s->arena);
        }
        if (l->n > 0) {
            memcpy(p, l->items, l->n * sizeof(*p));
        }
        l->items = p;
    }
    const char *c = lower ? keep_lower(s, name) : keep(s, name);
    if (c == NULL) {
        return ms_arena_status(s->arena);
    }
    l->items[l->n++] = (ms_summary_count){c, messages, pass};
    return MS_OK;
}

static int64_t day_of(int64_t begin, int64_t end)
{
    int64_t mid = end >= begin ? begin + (end - begin) / 2 : begin;
    int64_t d = mid / 86400;
    if (mid < 0 && mid % 86400 != 0) {
        d--;
    }
    return d * 86400;
}

static ms_summary_day *day_for(ms_summary *s, int64_t day)
{
    for (size_t i = s->n_days; i > 0; i--) { /* the newest days are met most */
        if (s->days[i - 1].day == day) {
            return &s->days[i - 1];
        }
    }
    if (s->n_days >= MS_LIMIT_SUMMARY_DAYS) {
        return NULL;
    }
    ms_summary_day *d = grow(s, s->days, s->n_days, &s->cap_days, sizeof(*d));
    if (d == NULL) {
        return NULL;
    }
    s->days = d;
    s->days[s->n_days] = (ms_summary_day){.day = day};
    return &s->days[s->n_days++];
}

static ms_summary_reporter *reporter_for(ms_summary *s, const char *org)
{
    if (org == NULL || org[0] == '\0') {
        org = "(unnamed)";
    }
    size_t olen = strnlen(org, MS_LIMIT_SUMMARY_FIELD);
    for (size_t i = 0; i < s->n_reporters; i++) {
        const char *n = s->reporters[i].org_name;
        if (ms__str_ieq(n, strlen(n), org, olen)) {
            return &s->reporters[i];
        }
    }
    if (s->n_reporters >= MS_LIMIT_SUMMARY_REPORTERS) {
        return &s->reporters[s->n_reporters - 1]; /* the last one becomes "(others)" */
    }
    ms_summary_reporter *r = grow(s, s->reporters, s->n_reporters, &s->cap_reporters, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    s->reporters = r;
    const char *name = s->n_reporters + 1 == MS_LIMIT_SUMMARY_REPORTERS ? "(others)" : keep(s, org);
    if (name == NULL) {
        return NULL;
    }
    s->reporters[s->n_reporters] = (ms_summary_reporter){.org_name = name};
    return &s->reporters[s->n_reporters++];
}

static ms_summary_domain *domain_for(ms_summary *s, const char *domain)
{
    if (domain == NULL || domain[0] == '\0') {
        domain = "(none)";
    }
    size_t dlen = strnlen(domain, MS_LIMIT_SUMMARY_FIELD);
    for (size_t i = 0; i < s->n_domains; i++) {
        const char *n = s->domains[i].domain;
        if (ms__str_ieq(n, strlen(n), domain, dlen)) {
            return &s->domains[i];
        }
    }
    if (s->n_domains >= MS_LIMIT_SUMMARY_DOMAINS) {
        return NULL;
    }
    size_t cap = s->cap_domains;
    ms_summary_domain *d = grow(s, s->domains, s->n_domains, &cap, sizeof(*d));
    size_t cap2 = s->cap_domains;
    int64_t *e = grow(s, s->domain_end, s->n_domains, &cap2, sizeof(*e));
    if (d == NULL || e == NULL) {
        return NULL;
    }
    s->cap_domains = cap;
    s->domains = d;
    s->domain_end = e;
    const char *name = keep_lower(s, domain);
    if (name == NULL) {
        return NULL;
    }
    s->domains[s->n_domains] = (ms_summary_domain){.domain = name, .pct = -1};
    s->domain_end[s->n_domains] = INT64_MIN;
    return &s->domains[s->n_domains++];
}

static void seen(int64_t *first, int64_t *last, int64_t begin, int64_t end)
{
    if (*first == 0 || begin < *first) {
        *first = begin;
    }
    if (*last == 0 || end > *last) {
        *last = end;
    }
}

/* Is this record the first of a new report? Records of one report come one after the other. */
static bool new_report(ms_summary *s, const ms_report_aggregate *m)
{
    const char *org = m->org_name ? m->org_name : "";
    const char *id = m->report_id ? m->report_id : "";
    if (s->have_last && m->begin == s->last_begin &&
        strncmp(org, s->last_org, MS_LIMIT_SUMMARY_FIELD) == 0 &&
        strncmp(id, s->last_id, MS_LIMIT_SUMMARY_FIELD) == 0) {
        return false;
    }
    snprintf(s->last_org, sizeof(s->last_org), "%s", org);
    snprintf(s->last_id, sizeof(s->last_id), "%s", id);
    s->last_begin = m->begin;
    s->have_last = true;
    return true;
}

static ms_status tally_report(ms_summary *s, const ms_report_aggregate *m, uint64_t n,
                              uint64_t pass, bool is_new)
{
    ms_summary_day *d = day_for(s, day_of(m->begin, m->end));
    ms_summary_reporter *r = reporter_for(s, m->org_name);
    ms_summary_domain *dom = domain_for(s, m->domain);
    if (ms_arena_status(s->arena) != MS_OK) {
        return ms_arena_status(s->arena);
    }
    if (d != NULL) {
        d->reports += is_new;
        d->messages = sat_add(d->messages, n);
        d->dmarc_pass = sat_add(d->dmarc_pass, pass);
    }
    if (r != NULL) {
        r->reports += is_new;
        r->messages = sat_add(r->messages, n);
        r->dmarc_pass = sat_add(r->dmarc_pass, pass);
        seen(&r->first_seen, &r->last_seen, m->begin, m->end);
    }
    if (dom != NULL) {
        dom->reports += is_new;
        dom->messages = sat_add(dom->messages, n);
        dom->dmarc_pass = sat_add(dom->dmarc_pass, pass);
        size_t i = (size_t)(dom - s->domains);
        if (m->end >= s->domain_end[i] && (m->p != NULL || dom->p == NULL)) {
            s->domain_end[i] = m->end;
            dom->p = m->p ? keep_lower(s, m->p) : NULL;
            dom->sp = m->sp ? keep_lower(s, m->sp) : NULL;
            dom->adkim = m->adkim ? keep_lower(s, m->adkim) : NULL;
            dom->aspf = m->aspf ? keep_lower(s, m->aspf) : NULL;
            dom->pct = m->pct;
        }
    }
    s->reports += is_new;
    seen(&s->first_seen, &s->last_seen, m->begin, m->end);
    return ms_arena_status(s->arena);
}

ms_status ms_summary_add(ms_summary *s, const ms_report_aggregate *meta,
                         const ms_report_record *rec)
{
    if (s == NULL || meta == NULL || rec == NULL) {
        return MS_EINVAL;
    }
    bool is_new = new_report(s, meta);
    uint64_t n = rec->count;
    bool dkim_al = ieq(rec->dkim, "pass"), spf_al = ieq(rec->spf, "pass");
    uint64_t pass = (dkim_al || spf_al) ? n : 0;
    ms_status st = tally_report(s, meta, n, pass, is_new);
    if (st != MS_OK) {
        return st;
    }
    s->messages = sat_add(s->messages, n);
    s->dmarc_pass = sat_add(s->dmarc_pass, pass);
    s->dkim_aligned = sat_add(s->dkim_aligned, dkim_al ? n : 0);
    s->spf_aligned = sat_add(s->spf_aligned, spf_al ? n : 0);
    bool quarantined = ieq(rec->disposition, "quarantine"),
         rejected = ieq(rec->disposition, "reject");
    s->quarantined = sat_add(s->quarantined, quarantined ? n : 0);
    s->rejected = sat_add(s->rejected, rejected ? n : 0);

    ms__sum_source *x = source_for(s, rec->source_ip, &st);
    if (st != MS_OK) {
        return st;
    }
    if (x == NULL) {
        s->other_sources++; /* an overestimate: the same IP may come again */
        s->other_messages = sat_add(s->other_messages, n);
        return MS_OK;
    }
    ms_summary_source *p = &x->pub;
    p->messages = sat_add(p->messages, n);
    p->dmarc_pass = sat_add(p->dmarc_pass, pass);
    p->dkim_aligned = sat_add(p->dkim_aligned, dkim_al ? n : 0);
    p->spf_aligned = sat_add(p->spf_aligned, spf_al ? n : 0);
    p->quarantined = sat_add(p->quarantined, quarantined ? n : 0);
    p->rejected = sat_add(p->rejected, rejected ? n : 0);
    p->none = sat_add(p->none, quarantined || rejected ? 0 : n);
    bool dkim_pass = false, spf_pass = false;
    for (size_t i = 0; i < rec->n_dkim; i++) {
        const ms_report_dkim *d = &rec->dkim_results[i];
        bool ok = ieq(d->result, "pass");
        dkim_pass = dkim_pass || ok;
        if ((st = names_add(s, &x->dkim_domains, d->domain, n, ok ? n : 0, true)) != MS_OK) {
            return st;
        }
    }
    for (size_t i = 0; i < rec->n_spf; i++) {
        const ms_report_spf *d = &rec->spf_results[i];
        bool ok = ieq(d->result, "pass");
        spf_pass = spf_pass || ok;
        if ((st = names_add(s, &x->spf_domains, d->domain, n, ok ? n : 0, true)) != MS_OK) {
            return st;
        }
    }
    p->dkim_pass = sat_add(p->dkim_pass, dkim_pass ? n : 0);
    p->spf_pass = sat_add(p->spf_pass, spf_pass ? n : 0);
    if ((st = names_add(s, &x->header_from, rec->header_from, n, pass, true)) != MS_OK ||
        (st = names_add(s, &x->reporters, meta->org_name ? meta->org_name : "(unnamed)", n, pass,
                        false)) != MS_OK) {
        return st;
    }
    seen(&p->first_seen, &p->last_seen, meta->begin, meta->end);
    return MS_OK;
}

ms_status ms_summary_add_failure(ms_summary *s, const ms_report_failure *f)
{
    if (s == NULL || f == NULL) {
        return MS_EINVAL;
    }
    uint64_t incidents = f->incidents ? f->incidents : 1;
    s->failure_reports++;
    s->failure_incidents = sat_add(s->failure_incidents, incidents);
    if (f->arrival != 0) {
        seen(&s->first_seen, &s->last_seen, f->arrival, f->arrival);
    }
    char norm[64];
    normalise_ip(f->source_ip, norm, sizeof(norm));
    for (size_t i = 0; i < s->n_fsources; i++) {
        if (strcmp(s->fsources[i].ip, norm) == 0) {
            s->fsources[i].reports++;
            s->fsources[i].incidents = sat_add(s->fsources[i].incidents, incidents);
            if (f->auth_failure != NULL) {
                s->fsources[i].auth_failure = keep_lower(s, f->auth_failure);
            }
            return ms_arena_status(s->arena);
        }
    }
    if (s->n_fsources >= MS_LIMIT_SUMMARY_FAILURES) {
        return MS_OK;
    }
    ms_summary_failure_source *a =
        grow(s, s->fsources, s->n_fsources, &s->cap_fsources, sizeof(*a));
    const char *ip = ms_arena_strdup(s->arena, norm);
    if (a == NULL || ip == NULL) {
        return ms_arena_status(s->arena);
    }
    s->fsources = a;
    a[s->n_fsources++] = (ms_summary_failure_source){
        .ip = ip,
        .reports = 1,
        .incidents = incidents,
        .auth_failure = f->auth_failure ? keep_lower(s, f->auth_failure) : NULL};
    return ms_arena_status(s->arena);
}

static ms_summary_tls_domain *tls_domain_for(ms_summary *s, const char *domain)
{
    const char *d = domain ? domain : "";
    for (size_t i = 0; i < s->n_tls_domains; i++) {
        if (ieq(s->tls_domains[i].policy_domain, d)) {
            return &s->tls_domains[i];
        }
    }
    if (s->n_tls_domains >= MS_LIMIT_SUMMARY_DOMAINS) {
        return NULL;
    }
    ms_summary_tls_domain *a =
        grow(s, s->tls_domains, s->n_tls_domains, &s->cap_tls_domains, sizeof(*a));
    const char *name = keep_lower(s, d);
    if (a == NULL || name == NULL) {
        return NULL;
    }
    s->tls_domains = a;
    a[s->n_tls_domains] = (ms_summary_tls_domain){.policy_domain = name};
    return &a[s->n_tls_domains++];
}

static ms_status tls_failure_add(ms_summary *s, const char *domain, const ms_tlsrpt_failure *f)
{
    const char *mx = f->receiving_mx_hostname ? f->receiving_mx_hostname : "";
    const char *type = f->result_type ? f->result_type : "";
    for (size_t i = 0; i < s->n_tls_failures; i++) {
        ms_summary_tls_failure *x = &s->tls_failures[i];
        if (ieq(x->policy_domain, domain) && ieq(x->mx, mx) && ieq(x->result_type, type)) {
            x->sessions = sat_add(x->sessions, f->failed_session_count);
            return MS_OK;
        }
    }
    if (s->n_tls_failures >= MS_LIMIT_SUMMARY_FAILURES) {
        return MS_OK;
    }
    ms_summary_tls_failure *a =
        grow(s, s->tls_failures, s->n_tls_failures, &s->cap_tls_failures, sizeof(*a));
    if (a == NULL) {
        return ms_arena_status(s->arena);
    }
    s->tls_failures = a;
    a[s->n_tls_failures] = (ms_summary_tls_failure){keep_lower(s, domain), keep_lower(s, mx),
                                                    keep_lower(s, type), f->failed_session_count};
    s->n_tls_failures++;
    return ms_arena_status(s->arena);
}

ms_status ms_summary_add_tlsrpt(ms_summary *s, const ms_tlsrpt_report *r)
{
    if (s == NULL || r == NULL) {
        return MS_EINVAL;
    }
    s->tls_reports++;
    seen(&s->first_seen, &s->last_seen, r->begin, r->end);
    for (size_t i = 0; i < r->n_policies; i++) {
        const ms_tlsrpt_policy *p = &r->policies[i];
        const char *domain = p->policy_domain ? p->policy_domain : "";
        ms_summary_tls_domain *d = tls_domain_for(s, domain);
        if (ms_arena_status(s->arena) != MS_OK) {
            return ms_arena_status(s->arena);
        }
        if (d != NULL) {
            d->reports++;
            d->successful = sat_add(d->successful, p->total_successful);
            d->failed = sat_add(d->failed, p->total_failure);
        }
        for (size_t j = 0; j < p->n_failures; j++) {
            ms_status st = tls_failure_add(s, domain, &p->failures[j]);
            if (st != MS_OK) {
                return st;
            }
        }
    }
    return MS_OK;
}

static int by_messages(const void *a, const void *b)
{
    const ms__sum_source *x = *(ms__sum_source *const *)a, *y = *(ms__sum_source *const *)b;
    if (x->pub.messages != y->pub.messages) {
        return x->pub.messages > y->pub.messages ? -1 : 1;
    }
    return strcmp(x->pub.ip, y->pub.ip);
}

/* The sources, busiest first, in a new arena array. */
static ms__sum_source **sorted_sources(ms_summary *s)
{
    ms__sum_source **v = ms_arena_alloc(s->arena, (s->n_sources + 1) * sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    size_t n = 0;
    for (ms__sum_source *x = s->all; x != NULL; x = x->next_all) {
        v[n++] = x;
    }
    qsort(v, n, sizeof(*v), by_messages);
    return v;
}

/* The PTR name of one source and whether its A/AAAA records lead back (forward-confirmed).
 * *tempfail is set when the PTR question met a temporary failure (timeout, SERVFAIL). */
static ms_status look_up(ms_summary *s, ms__sum_source *x, ms_resolver *resolver, bool *tempfail)
{
    uint8_t bin[16];
    size_t blen = 4;
    int family = AF_INET;
    if (inet_pton(AF_INET, x->pub.ip, bin) != 1) {
        if (inet_pton(AF_INET6, x->pub.ip, bin) != 1) {
            return MS_OK;
        }
        blen = 16;
        family = AF_INET6;
    }
    char rname[80];
    if (ms_dns_reverse_name(bin, blen, rname, sizeof(rname)) != MS_OK) {
        return MS_OK;
    }
    ms_arena *tmp = NULL;
    ms_status st = ms_arena_new(NULL, 0, &tmp);
    if (st != MS_OK) {
        return st;
    }
    const ms_dns_answer *a = NULL;
    st = ms_resolver_query(resolver, rname, MS_DNS_PTR, tmp, &a);
    *tempfail = st == MS_OK && a != NULL && a->rcode == MS_DNS_TEMPFAIL;
    const char *name = NULL;
    for (size_t i = 0; st == MS_OK && a != NULL && a->rcode == MS_DNS_OK && i < a->n_rr; i++) {
        if (a->rr[i].type == MS_DNS_PTR && a->rr[i].u.name != NULL && a->rr[i].u.name[0]) {
            name = a->rr[i].u.name;
            break;
        }
    }
    if (name != NULL) {
        x->pub.ptr = keep_lower(s, name);
        const ms_dns_answer *f = NULL;
        uint16_t type = family == AF_INET ? MS_DNS_A : MS_DNS_AAAA;
        st = ms_resolver_query(resolver, name, type, tmp, &f);
        for (size_t i = 0; st == MS_OK && f != NULL && f->rcode == MS_DNS_OK && i < f->n_rr; i++) {
            const uint8_t *got = type == MS_DNS_A ? f->rr[i].u.a : f->rr[i].u.aaaa;
            if (f->rr[i].type == type && memcmp(got, bin, blen) == 0) {
                x->pub.ptr_confirmed = true;
            }
        }
    }
    ms_arena_free(tmp);
    if (st == MS_ENOMEM) {
        return st;
    }
    return ms_arena_status(s->arena);
}

ms_status ms_summary_resolve(ms_summary *s, ms_resolver *resolver, size_t max_lookups)
{
    if (s == NULL || resolver == NULL) {
        return MS_EINVAL;
    }
    if (max_lookups == 0) {
        max_lookups = MS_LIMIT_SUMMARY_PTR_LOOKUPS;
    }
    ms__sum_source **v = sorted_sources(s);
    if (v == NULL) {
        return ms_arena_status(s->arena);
    }
    /* Offline, every question would wait for its timeout: give up after a few in a row. */
    unsigned failed_in_a_row = 0;
    for (size_t i = 0, done = 0;
         i < s->n_sources && done < max_lookups && failed_in_a_row < MS_LIMIT_SUMMARY_PTR_FAILURES;
         i++) {
        if (v[i]->looked_up) {
            continue; /* the cache: one lookup per source and summary */
        }
        v[i]->looked_up = true;
        done++;
        bool tempfail = false;
        ms_status st = look_up(s, v[i], resolver, &tempfail);
        if (st != MS_OK) {
            return st;
        }
        failed_in_a_row = tempfail ? failed_in_a_row + 1 : 0;
    }
    return MS_OK;
}

static int count_cmp(const void *a, const void *b)
{
    const ms_summary_count *x = a, *y = b;
    if (x->messages != y->messages) {
        return x->messages > y->messages ? -1 : 1;
    }
    return strcmp(x->name, y->name);
}

static void finish_names(ms__sum_names *l, const ms_summary_count **items, size_t *n)
{
    if (l->n > 1) {
        qsort(l->items, l->n, sizeof(*l->items), count_cmp);
    }
    *items = l->items;
    *n = l->n;
}

/* Provider recognition: a confirmed reverse DNS name first, then a DKIM d= or SPF domain that
 * passed (the reporter verified those), busiest first. */
static void recognise(ms_summary *s, ms_summary_source *p)
{
    p->provider = NULL;
    p->provider_by = NULL;
    if (p->ptr != NULL && p->ptr_confirmed && (p->provider = ms__provider_of(p->ptr)) != NULL) {
        p->provider_by = ms__arena_printf(s->arena, "reverse DNS %s", p->ptr);
        return;
    }
    for (size_t i = 0; i < p->n_dkim_domains; i++) {
        const ms_summary_count *c = &p->dkim_domains[i];
        if (c->pass > 0 && (p->provider = ms__provider_of(c->name)) != NULL) {
            p->provider_by = ms__arena_printf(s->arena, "DKIM d=%s", c->name);
            return;
        }
    }
    for (size_t i = 0; i < p->n_spf_domains; i++) {
        const ms_summary_count *c = &p->spf_domains[i];
        if (c->pass > 0 && (p->provider = ms__provider_of(c->name)) != NULL) {
            p->provider_by = ms__arena_printf(s->arena, "SPF %s", c->name);
            return;
        }
    }
}

static int day_cmp(const void *a, const void *b)
{
    const ms_summary_day *x = a, *y = b;
    return x->day < y->day ? -1 : x->day > y->day;
}

static int reporter_cmp(const void *a, const void *b)
{
    const ms_summary_reporter *x = a, *y = b;
    if (x->messages != y->messages) {
        return x->messages > y->messages ? -1 : 1;
    }
    return strcmp(x->org_name, y->org_name);
}

static int domain_cmp(const void *a, const void *b)
{
    const ms_summary_domain *x = a, *y = b;
    if (x->messages != y->messages) {
        return x->messages > y->messages ? -1 : 1;
    }
    return strcmp(x->domain, y->domain);
}

static int fsource_cmp(const void *a, const void *b)
{
    const ms_summary_failure_source *x = a, *y = b;
    if (x->incidents != y->incidents) {
        return x->incidents > y->incidents ? -1 : 1;
    }
    return strcmp(x->ip, y->ip);
}

static int tls_cmp(const void *a, const void *b)
{
    const ms_summary_tls_failure *x = a, *y = b;
    if (x->sessions != y->sessions) {
        return x->sessions > y->sessions ? -1 : 1;
    }
    int c = strcmp(x->mx, y->mx);
    return c ? c : strcmp(x->result_type, y->result_type);
}

/* Sorts a copy so the policy-year order (s->domains, s->domain_end) stays paired. */
static ms_summary_domain *sorted_domains(ms_summary *s)
{
    ms_summary_domain *d = ms_arena_alloc(s->arena, (s->n_domains + 1) * sizeof(*d));
    if (d != NULL && s->n_domains > 0) {
        memcpy(d, s->domains, s->n_domains * sizeof(*d));
        qsort(d, s->n_domains, sizeof(*d), domain_cmp);
    }
    return d;
}

ms_status ms_summary_compute(ms_summary *s, const ms_summary_result **out)
{
    if (s == NULL || out == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    ms_summary_result *r = &s->result;
    memset(r, 0, sizeof(*r));
    ms__sum_source **v = sorted_sources(s);
    ms_summary_source *src = ms_arena_alloc(s->arena, (s->n_sources + 1) * sizeof(*src));
    ms_summary_domain *doms = sorted_domains(s);
    if (v == NULL || src == NULL || doms == NULL) {
        return ms_arena_status(s->arena);
    }
    for (size_t i = 0; i < s->n_sources; i++) {
        ms__sum_source *x = v[i];
        finish_names(&x->header_from, &x->pub.header_from, &x->pub.n_header_from);
        finish_names(&x->dkim_domains, &x->pub.dkim_domains, &x->pub.n_dkim_domains);
        finish_names(&x->spf_domains, &x->pub.spf_domains, &x->pub.n_spf_domains);
        finish_names(&x->reporters, &x->pub.reporters, &x->pub.n_reporters);
        recognise(s, &x->pub);
        src[i] = x->pub;
    }
    if (s->n_days > 1) {
        qsort(s->days, s->n_days, sizeof(*s->days), day_cmp);
    }
    if (s->n_reporters > 1) {
        qsort(s->reporters, s->n_reporters, sizeof(*s->reporters), reporter_cmp);
    }
    if (s->n_fsources > 1) {
        qsort(s->fsources, s->n_fsources, sizeof(*s->fsources), fsource_cmp);
    }
    if (s->n_tls_failures > 1) {
        qsort(s->tls_failures, s->n_tls_failures, sizeof(*s->tls_failures), tls_cmp);
    }
    r->domain = s->opt.domain;
    r->since = s->opt.since;
    r->until = s->opt.until;
    r->first_seen = s->first_seen;
    r->last_seen = s->last_seen;
    r->reports = s->reports;
    r->messages = s->messages;
    r->dmarc_pass = s->dmarc_pass;
    r->dkim_aligned = s->dkim_aligned;
    r->spf_aligned = s->spf_aligned;
    r->quarantined = s->quarantined;
    r->rejected = s->rejected;
    r->domains = doms;
    r->n_domains = s->n_domains;
    r->sources = src;
    r->n_sources = s->n_sources;
    r->other_sources = s->other_sources;
    r->other_messages = s->other_messages;
    r->days = s->days;
    r->n_days = s->n_days;
    r->reporters = s->reporters;
    r->n_reporters = s->n_reporters;
    r->failure_reports = s->failure_reports;
    r->failure_incidents = s->failure_incidents;
    r->failure_sources = s->fsources;
    r->n_failure_sources = s->n_fsources;
    r->tls_reports = s->tls_reports;
    r->tls_domains = s->tls_domains;
    r->n_tls_domains = s->n_tls_domains;
    r->tls_failures = s->tls_failures;
    r->n_tls_failures = s->n_tls_failures;
    ms_status st = ms__summary_advise(s->arena, r);
    if (st != MS_OK) {
        return st;
    }
    *out = r;
    return MS_OK;
}

/* Days from 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool ms_summary_parse_date(const char *s, int64_t *out)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    unsigned long y, m, d;
    size_t used;
    if (!ms__parse_uint(s, 4, 9999, &y, &used) || used != 4 ||
        !ms__parse_uint(s + 5, 2, 12, &m, &used) || used != 2 ||
        !ms__parse_uint(s + 8, 2, 31, &d, &used) || used != 2 || y < 1970 || m < 1 || d < 1) {
        return false;
    }
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap)) {
        return false;
    }
    *out = days_from_civil((int64_t)y, (unsigned)m, (unsigned)d) * 86400;
    return true;
}

const char *ms_summary_date(int64_t t, char *buf, size_t len)
{
    if (len == 0) {
        return buf;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (t == 0 || t == INT64_MAX || gmtime_r(&tt, &tm) == NULL) {
        snprintf(buf, len, "-");
    } else {
        snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
    return buf;
}
