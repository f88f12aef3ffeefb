/* SPDX-License-Identifier: MIT */
/* Policy discovery and organizational domains: the DNS tree walk of RFC 9989 §4.10 (at most
 * eight questions, the skip to seven labels, psd=y/n, §4.10.1 discovery, §4.10.2 selection),
 * and RFC 7489 §6.6.3 with the Public Suffix List (§3.2) through libpsl. */
#include <libpsl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "base/trace.h"
#include "dmarc/orgdomain.h"
#include "msg/domain.h"

#define RFC_WALK "RFC 9989 §4.10"
#define RFC_DISCOVERY "RFC 9989 §4.10.1"
#define RFC_SELECT "RFC 9989 §4.10.2"
#define RFC_7489 "RFC 7489 §6.6.3"

/* ---- the Public Suffix List ------------------------------------------------------------- */

struct ms_psl {
    psl_ctx_t *ctx;
};

ms_status ms_psl_load(const char *path, ms_psl **out, char *err, size_t errlen)
{
    if (out == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    /* NULL: libpsl picks the newer of its built-in list and the system's file (Debian's
     * publicsuffix package); psl_latest names no path of its own here. */
    psl_ctx_t *ctx = path == NULL ? psl_latest(NULL) : psl_load_file(path);
    if (ctx == NULL) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "cannot load the public suffix list from %s",
                     path == NULL ? "the system (libpsl psl_latest)" : path);
        }
        return MS_EIO;
    }
    ms_psl *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        psl_free(ctx);
        return MS_ENOMEM;
    }
    p->ctx = ctx;
    *out = p;
    return MS_OK;
}

void ms_psl_free(ms_psl *psl)
{
    if (psl != NULL) {
        psl_free(psl->ctx);
        free(psl);
    }
}

ms_status ms_psl_org_domain(const ms_psl *psl, const char *domain, ms_arena *arena,
                            const char **out)
{
    if (psl == NULL || arena == NULL || out == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    if (domain == NULL) {
        return MS_OK;
    }
    size_t len = strnlen(domain, MS_LIMIT_DNS_NAME + 2);
    if (len > 0 && domain[len - 1] == '.') {
        len--;
    }
    if (len == 0 || len > MS_LIMIT_DNS_NAME || domain[0] == '.') {
        return MS_OK; /* not a domain: no empty label, 253 octets at most (RFC 1035 §2.3.4) */
    }
    char *lower = ms_arena_strndup(arena, domain, len);
    if (lower == NULL) {
        return ms_arena_status(arena);
    }
    for (size_t i = 0; i < len; i++) {
        lower[i] = ms__lower(lower[i]);
        if (lower[i] == '.' && (i + 1 == len || lower[i + 1] == '.')) {
            return MS_OK; /* an empty label */
        }
    }
    /* libpsl takes lowercased UTF-8 or A-labels and answers with a suffix of its input. */
    const char *reg = psl_registrable_domain(psl->ctx, lower);
    *out = reg;
    return MS_OK;
}

/* ---- names ------------------------------------------------------------------------------ */

ms_status ms__dmarc_domain_norm(const char *domain, ms_arena *arena, const char **out,
                                const char **why)
{
    *out = NULL;
    *why = NULL;
    size_t len = strnlen(domain, 4 * MS_LIMIT_DNS_NAME);
    bool utf8 = false;
    for (size_t i = 0; i < len; i++) {
        utf8 |= (unsigned char)domain[i] >= 0x80;
    }
    if (utf8 && len < 4 * MS_LIMIT_DNS_NAME) {
        /* U-labels become A-labels (RFC 9989 §5.3.1, RFC 5890 §2.3.2.1), strictly. */
        ms_status st = ms__msg_domain_alabel(domain, arena, &domain, why);
        if (st != MS_OK) {
            return st;
        }
        len = strnlen(domain, MS_LIMIT_DNS_NAME + 2);
    }
    if (len > 0 && domain[len - 1] == '.') {
        len--;
    }
    *why = ms__msg_hostname_invalid(domain, len);
    if (*why != NULL) {
        return MS_ESYNTAX;
    }
    char *d = ms_arena_strndup(arena, domain, len);
    if (d == NULL) {
        return ms_arena_status(arena);
    }
    for (size_t i = 0; i < len; i++) {
        d[i] = ms__lower(d[i]);
    }
    *out = d;
    return MS_OK;
}

void ms__dmarc_walk_init(ms__dmarc_walk *w, ms_resolver *resolver, const ms_dmarc_options *opt,
                         ms_arena *arena, ms_trace *trace)
{
    memset(w, 0, sizeof(*w));
    w->resolver = resolver;
    if (opt != NULL) {
        w->opt = *opt;
    } else {
        ms_dmarc_options_default(&w->opt);
    }
    if (w->opt.max_tree_queries < 2 || w->opt.max_tree_queries > MS_LIMIT_DMARC_TREE_QUERIES) {
        w->opt.max_tree_queries = MS_LIMIT_DMARC_TREE_QUERIES;
    }
    if (w->opt.max_author_domains == 0) {
        w->opt.max_author_domains = MS_LIMIT_DMARC_AUTHOR_DOMAINS;
    }
    w->arena = arena;
    w->trace = trace;
}

/* Label starts, right to left count: start[i] is the offset of label i+1 from the left. */
static size_t split_labels(const char *d, size_t *starts, size_t max)
{
    size_t n = 0;
    starts[n++] = 0;
    for (size_t i = 0; d[i] != '\0'; i++) {
        if (d[i] == '.' && n < max) {
            starts[n++] = i + 1;
        }
    }
    return n;
}

static void seen(ms__dmarc_walk *w, const char *domain)
{
    for (size_t i = 0; i < w->n_seen; i++) {
        if (strcmp(w->seen[i], domain) == 0) {
            return; /* the walk looks at the author's name again: one question */
        }
    }
    if (w->recording && w->n_seen < sizeof(w->seen) / sizeof(w->seen[0])) {
        w->seen[w->n_seen++] = domain;
    }
}

ms_status ms__dmarc_lookup(ms__dmarc_walk *w, const char *domain, const ms__dmarc_txt **out)
{
    *out = NULL;
    for (size_t i = 0; i < w->n_cache; i++) {
        if (strcmp(w->cache[i].domain, domain) == 0) {
            seen(w, w->cache[i].domain);
            *out = &w->cache[i];
            return MS_OK;
        }
    }
    ms__dmarc_txt tmp;
    ms__dmarc_txt *t = w->n_cache < MS_LIMIT_DMARC_WALK_CACHE ? &w->cache[w->n_cache] : &tmp;
    memset(t, 0, sizeof(*t));
    t->domain = ms_arena_strdup(w->arena, domain);
    if (t->domain == NULL) {
        return ms_arena_status(w->arena);
    }
    char name[MS_LIMIT_DNS_NAME + 16];
    int n = snprintf(name, sizeof(name), "_dmarc.%s", domain);
    if (n < 0 || (size_t)n > MS_LIMIT_DNS_NAME) {
        /* RFC 1035 §2.3.4: the question cannot be asked; nothing is published there. */
        t->kind = MS__DMARC_TXT_SKIPPED;
        ms__trace_add(w->trace, MS_TRACE_NOTE, 0, "RFC 1035 §2.3.4", w->n_queries, 0,
                      "_dmarc.%s is longer than 253 octets: not asked, no record there", domain);
    } else {
        const ms_dns_answer *ans = NULL;
        ms__trace_add(w->trace, MS_TRACE_QUERY, 0, NULL, w->n_queries + 1, 0, "%s TXT?", name);
        ms_status st = ms_resolver_query(w->resolver, name, MS_DNS_TXT, w->arena, &ans);
        if (st != MS_OK) {
            return st;
        }
        w->n_queries++;
        switch (ans->rcode) {
        case MS_DNS_TEMPFAIL:
        case MS_DNS_MALFORMED:
            t->kind = MS__DMARC_TXT_TEMPERROR;
            t->why = ms__arena_printf(w->arena, "%s: %s (%s)", name, ms_dns_rcode_name(ans->rcode),
                                      ans->why != NULL ? ans->why : "no reason given");
            break;
        case MS_DNS_NXDOMAIN:
        case MS_DNS_NODATA:
            t->kind = MS__DMARC_TXT_NONE;
            break;
        case MS_DNS_OK: {
            size_t n_dmarc = 0;
            const ms_dns_rr *first = NULL;
            size_t limit = ans->n_rr;
            if (limit > MS_LIMIT_DMARC_TXT_RECORDS) {
                limit = MS_LIMIT_DMARC_TXT_RECORDS;
                ms__trace_add(w->trace, MS_TRACE_NOTE, 0, NULL, w->n_queries, 0,
                              "%zu TXT records at %s: the first %u looked at", ans->n_rr, name,
                              MS_LIMIT_DMARC_TXT_RECORDS);
            }
            for (size_t i = 0; i < limit; i++) {
                const ms_dns_rr *rr = &ans->rr[i];
                if (rr->type == MS_DNS_TXT && ms_dmarc_is_record(rr->u.txt.data, rr->u.txt.len)) {
                    if (n_dmarc++ == 0) {
                        first = rr;
                    }
                }
            }
            if (n_dmarc == 0) {
                t->kind = MS__DMARC_TXT_NONE;
            } else if (n_dmarc > 1) {
                t->kind = MS__DMARC_TXT_MANY;
            } else {
                ms_dmarc_parse_error perr;
                t->text = ms_arena_strndup(w->arena, first->u.txt.data, first->u.txt.len);
                ms_status ps = ms_dmarc_record_parse(first->u.txt.data, first->u.txt.len, w->arena,
                                                     &t->record, &perr);
                if (ps == MS_OK) {
                    t->kind = MS__DMARC_TXT_ONE;
                } else if (ps == MS_ESYNTAX) {
                    t->kind = MS__DMARC_TXT_INVALID;
                    t->why = ms__arena_printf(w->arena, "%s at offset %zu (\"%s\")", perr.reason,
                                              perr.offset, perr.detail);
                } else {
                    return ps;
                }
            }
            break;
        }
        }
        static const char *const kinds[] = {"no DMARC record",
                                            "one DMARC record",
                                            "one DMARC record that is invalid",
                                            "several DMARC records: all discarded",
                                            "temporary DNS error",
                                            "not asked"};
        ms__trace_add(w->trace, MS_TRACE_ANSWER, 0, NULL, w->n_queries, 0, "%s: %s (%s)%s%s", name,
                      kinds[t->kind], ms_dns_rcode_name(ans->rcode), t->why != NULL ? ": " : "",
                      t->why != NULL ? t->why : "");
        if (t->kind == MS__DMARC_TXT_ONE) {
            ms__trace_add(w->trace, MS_TRACE_RECORD, 0, "RFC 9989 §4.7", w->n_queries, 0, "%s: %s",
                          name, t->text != NULL ? t->text : "");
        }
    }
    if (ms_arena_status(w->arena) != MS_OK) {
        return ms_arena_status(w->arena);
    }
    if (t != &tmp) {
        w->n_cache++;
    } else {
        /* The cache is full: hand out a copy that lives in the arena. */
        ms__dmarc_txt *copy = ms_arena_alloc(w->arena, sizeof(*copy));
        if (copy == NULL) {
            return ms_arena_status(w->arena);
        }
        *copy = tmp;
        t = copy;
    }
    seen(w, t->domain);
    *out = t;
    return MS_OK;
}

/* ---- the tree walk (RFC 9989 §4.10) ---------------------------------------------------- */

typedef struct walk_result {
    bool temperror;
    const char *why;
    size_t n_found;
    const ms__dmarc_txt *found[MS_LIMIT_DMARC_TREE_QUERIES]; /* longest first */
    const char *org;
    const ms__dmarc_txt *psd_y; /* a psd=y record found above the start */
} walk_result;

/* Walk from domain up, then select the organizational domain (§4.10.2). */
static ms_status tree_walk(ms__dmarc_walk *w, const char *domain, walk_result *r)
{
    memset(r, 0, sizeof(*r));
    size_t starts[MS_LIMIT_DNS_NAME / 2 + 2];
    size_t x = split_labels(domain, starts, sizeof(starts) / sizeof(starts[0]));
    size_t max_q = w->opt.max_tree_queries;
    /* Targets by label count: x, then min(x - 1, max_q - 1) (the skip, step 4), then one
     * label fewer each time (step 7) down to 1. */
    size_t labels = x;
    unsigned asked = 0;
    while (labels >= 1 && asked < max_q) {
        const char *target = domain + starts[x - labels];
        const ms__dmarc_txt *t = NULL;
        ms_status st = ms__dmarc_lookup(w, target, &t);
        if (st != MS_OK) {
            return st;
        }
        asked++;
        if (t->kind == MS__DMARC_TXT_TEMPERROR) {
            r->temperror = true;
            r->why = t->why;
            ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_WALK, w->n_queries, 0,
                          "tree walk for %s stopped by a temporary DNS error at _dmarc.%s", domain,
                          target);
            return MS_OK;
        }
        if (t->kind == MS__DMARC_TXT_ONE) {
            r->found[r->n_found++] = t;
            if (t->record->psd == 'y' || t->record->psd == 'n') {
                ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_WALK, w->n_queries, 0,
                              "_dmarc.%s has psd=%c: the walk stops", target, t->record->psd);
                break;
            }
        }
        if (labels == x) {
            size_t next = x - 1;
            if (next > max_q - 1) {
                next = max_q - 1;
                ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_WALK, w->n_queries, 0,
                              "%s has %zu labels: the walk skips to %zu labels", domain, x, next);
            }
            labels = next;
        } else {
            labels--;
        }
    }
    /* §4.10.2 selection, longest to shortest. */
    r->org = NULL;
    for (size_t i = 0; i < r->n_found && r->org == NULL; i++) {
        const ms__dmarc_txt *t = r->found[i];
        if (t->record->psd == 'n') {
            r->org = t->domain;
            ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_SELECT, w->n_queries, 0,
                          "organizational domain of %s: %s (psd=n)", domain, r->org);
        } else if (t->record->psd == 'y' && strcmp(t->domain, domain) != 0) {
            r->psd_y = t;
            /* one label below the PSD: the name with one label more, a suffix of domain */
            size_t plabels = 1;
            for (const char *c = t->domain; *c != '\0'; c++) {
                plabels += *c == '.';
            }
            r->org = domain + starts[x - plabels - 1];
            ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_SELECT, w->n_queries, 0,
                          "organizational domain of %s: %s (one label below %s, psd=y)", domain,
                          r->org, t->domain);
        }
    }
    if (r->org == NULL && r->n_found > 0) {
        r->org = r->found[r->n_found - 1]->domain;
        ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_SELECT, w->n_queries, 0,
                      "organizational domain of %s: %s (the record with the fewest labels)", domain,
                      r->org);
    }
    if (r->org == NULL) {
        r->org = domain;
        ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_SELECT, w->n_queries, 0,
                      "organizational domain of %s: itself (no DMARC record on the walk)", domain);
    }
    return MS_OK;
}

static ms_status psl_org(ms__dmarc_walk *w, const char *domain, const char **out)
{
    const char *org = NULL;
    ms_status st = ms_psl_org_domain(w->opt.psl, domain, w->arena, &org);
    if (st != MS_OK) {
        return st;
    }
    /* A public suffix has no registrable domain: it is its own organizational domain. */
    *out = org != NULL ? org : domain;
    ms__trace_add(w->trace, MS_TRACE_RULE, 0, "RFC 7489 §3.2", w->n_queries, 0,
                  "organizational domain of %s: %s (public suffix list%s)", domain, *out,
                  org == NULL ? ": a public suffix itself" : "");
    return MS_OK;
}

ms_status ms__dmarc_org(ms__dmarc_walk *w, const char *domain, const char **out, const char **why)
{
    *out = NULL;
    *why = NULL;
    if (w->opt.mode == MS_DMARC_MODE_RFC7489) {
        if (w->opt.psl == NULL) {
            return MS_EINVAL;
        }
        return psl_org(w, domain, out);
    }
    walk_result r;
    ms_status st = tree_walk(w, domain, &r);
    if (st != MS_OK) {
        return st;
    }
    if (r.temperror) {
        *why = r.why;
        return MS_OK;
    }
    *out = r.org;
    return MS_OK;
}

static void found(ms_dmarc_discovery *out, const ms__dmarc_txt *t)
{
    out->status = MS_DMARC_DISCOVERY_FOUND;
    out->policy_domain = t->domain;
    out->record = t->record;
    out->record_text = t->text;
}

static ms_status discover_7489(ms__dmarc_walk *w, const char *domain, ms_dmarc_discovery *out)
{
    if (w->opt.psl == NULL) {
        return MS_EINVAL;
    }
    const ms__dmarc_txt *t = NULL;
    ms_status st = ms__dmarc_lookup(w, domain, &t);
    if (st != MS_OK) {
        return st;
    }
    st = psl_org(w, domain, &out->org_domain);
    if (st != MS_OK) {
        return st;
    }
    switch (t->kind) {
    case MS__DMARC_TXT_TEMPERROR:
        out->status = MS_DMARC_DISCOVERY_TEMPERROR;
        out->reason = "a temporary DNS error during policy discovery (RFC 7489 §6.6.3, §6.9)";
        out->detail = t->why;
        return MS_OK;
    case MS__DMARC_TXT_ONE:
        found(out, t);
        out->reason = "DMARC record at the From domain (RFC 7489 §6.6.3)";
        return MS_OK;
    case MS__DMARC_TXT_INVALID:
        out->reason = "the DMARC record at the From domain is invalid: no DMARC processing "
                      "(RFC 7489 §6.6.3 step 5)";
        out->detail = t->why;
        out->record_text = t->text;
        return MS_OK;
    case MS__DMARC_TXT_MANY:
        out->reason = "several DMARC records at the From domain: policy discovery ends "
                      "(RFC 7489 §6.6.3 step 6, bad-inputs DMARC-23)";
        return MS_OK;
    default:
        break;
    }
    if (strcmp(out->org_domain, domain) == 0) {
        out->reason = "no DMARC record at the From domain, which is its own organizational domain "
                      "(RFC 7489 §6.6.3)";
        return MS_OK;
    }
    st = ms__dmarc_lookup(w, out->org_domain, &t);
    if (st != MS_OK) {
        return st;
    }
    switch (t->kind) {
    case MS__DMARC_TXT_TEMPERROR:
        out->status = MS_DMARC_DISCOVERY_TEMPERROR;
        out->reason = "a temporary DNS error during policy discovery (RFC 7489 §6.6.3, §6.9)";
        out->detail = t->why;
        break;
    case MS__DMARC_TXT_ONE:
        found(out, t);
        out->reason = "DMARC record at the organizational domain (RFC 7489 §6.6.3 step 4)";
        break;
    case MS__DMARC_TXT_INVALID:
        out->reason = "the DMARC record at the organizational domain is invalid: no DMARC "
                      "processing (RFC 7489 §6.6.3 step 5)";
        out->detail = t->why;
        out->record_text = t->text;
        break;
    case MS__DMARC_TXT_MANY:
        out->reason = "several DMARC records at the organizational domain: policy discovery "
                      "ends (RFC 7489 §6.6.3 step 6, bad-inputs DMARC-23)";
        break;
    default:
        out->reason = "no DMARC record at the From domain or its organizational domain "
                      "(RFC 7489 §6.6.3)";
        break;
    }
    return MS_OK;
}

static ms_status discover_9989(ms__dmarc_walk *w, const char *domain, ms_dmarc_discovery *out)
{
    const ms__dmarc_txt *t = NULL;
    ms_status st = ms__dmarc_lookup(w, domain, &t);
    if (st != MS_OK) {
        return st;
    }
    if (t->kind == MS__DMARC_TXT_TEMPERROR) {
        out->status = MS_DMARC_DISCOVERY_TEMPERROR;
        out->reason = "a temporary DNS error during policy discovery (RFC 9989 §4.10.1, §5.3.6)";
        out->detail = t->why;
        return MS_OK;
    }
    if (t->kind == MS__DMARC_TXT_INVALID) {
        out->reason = "the DMARC record at the author domain is invalid: no DMARC processing "
                      "(RFC 9989 §4.10.1)";
        out->detail = t->why;
        out->record_text = t->text;
        ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_DISCOVERY, w->n_queries, 0,
                      "_dmarc.%s: invalid record, no DMARC processing", domain);
        return MS_OK;
    }
    walk_result r;
    st = tree_walk(w, domain, &r);
    if (st != MS_OK) {
        return st;
    }
    if (t->kind == MS__DMARC_TXT_ONE) {
        found(out, t);
        out->reason = "DMARC record at the author domain (RFC 9989 §4.10.1)";
        out->org_domain = r.temperror ? NULL : r.org;
        if (r.temperror) {
            out->detail = r.why; /* the organizational domain is unknown, the policy is not */
        }
        ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_DISCOVERY, w->n_queries, 0,
                      "policy domain %s: its own record", domain);
        return MS_OK;
    }
    if (r.temperror) {
        out->status = MS_DMARC_DISCOVERY_TEMPERROR;
        out->reason = "a temporary DNS error during the DNS tree walk (RFC 9989 §4.10, §5.3.6)";
        out->detail = r.why;
        return MS_OK;
    }
    out->org_domain = r.org;
    /* §4.10.1: the author domain, its organizational domain, its PSD, in that order. */
    const ms__dmarc_txt *use = NULL;
    for (size_t i = 0; i < r.n_found; i++) {
        if (strcmp(r.found[i]->domain, r.org) == 0) {
            use = r.found[i];
        }
    }
    if (use == NULL && r.psd_y != NULL) {
        use = r.psd_y;
    }
    if (use == NULL) {
        out->reason = "no DMARC record at the author domain or above it: DMARC does not apply "
                      "(RFC 9989 §4.10.1)";
        ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_DISCOVERY, w->n_queries, 0,
                      "no policy record for %s", domain);
        return MS_OK;
    }
    found(out, use);
    out->reason = use == r.psd_y ? "DMARC record of the public suffix domain, psd=y "
                                   "(RFC 9989 §4.10.1)"
                                 : "DMARC record at the organizational domain (RFC 9989 §4.10.1)";
    ms__trace_add(w->trace, MS_TRACE_RULE, 0, RFC_DISCOVERY, w->n_queries, 0,
                  "policy domain of %s: %s", domain, use->domain);
    return MS_OK;
}

ms_status ms__dmarc_discover(ms__dmarc_walk *w, const char *domain, ms_dmarc_discovery *out)
{
    memset(out, 0, sizeof(*out));
    out->status = MS_DMARC_DISCOVERY_NONE;
    out->domain = domain;
    w->recording = true;
    w->n_seen = 0;
    ms_status st = w->opt.mode == MS_DMARC_MODE_RFC7489 ? discover_7489(w, domain, out)
                                                        : discover_9989(w, domain, out);
    w->recording = false;
    if (st != MS_OK) {
        return st;
    }
    if (w->n_seen > 0) {
        const char **q = ms_arena_alloc(w->arena, w->n_seen * sizeof(*q));
        if (q == NULL) {
            return ms_arena_status(w->arena);
        }
        for (size_t i = 0; i < w->n_seen; i++) {
            q[i] = ms__arena_printf(w->arena, "_dmarc.%s", w->seen[i]);
        }
        out->queried = q;
        out->n_queried = w->n_seen;
    }
    return ms_arena_status(w->arena);
}

ms_status ms__dmarc_exists(ms__dmarc_walk *w, const char *domain, bool *exists, bool *temperror,
                           const char **why)
{
    *exists = true;
    *temperror = false;
    *why = NULL;
    const ms_dns_answer *ans = NULL;
    ms__trace_add(w->trace, MS_TRACE_QUERY, 0, NULL, w->n_queries + 1, 0, "%s A? (does it exist)",
                  domain);
    ms_status st = ms_resolver_query(w->resolver, domain, MS_DNS_A, w->arena, &ans);
    if (st != MS_OK) {
        return st;
    }
    w->n_queries++;
    if (ans->rcode == MS_DNS_NXDOMAIN) {
        *exists = false;
    } else if (ans->rcode == MS_DNS_TEMPFAIL || ans->rcode == MS_DNS_MALFORMED) {
        *temperror = true;
        *why = ms__arena_printf(w->arena, "%s A: %s (%s)", domain, ms_dns_rcode_name(ans->rcode),
                                ans->why != NULL ? ans->why : "no reason given");
    }
    ms__trace_add(w->trace, MS_TRACE_ANSWER, 0, "RFC 9989 §3.2.13", w->n_queries, 0, "%s: %s",
                  domain,
                  *temperror ? "temporary DNS error"
                  : *exists  ? "exists"
                             : "does not exist (NXDOMAIN, RFC 8020)");
    return ms_arena_status(w->arena);
}

/* ---- public entry points ---------------------------------------------------------------- */

ms_status ms_dmarc_discover(ms_resolver *resolver, const ms_dmarc_options *opt, const char *domain,
                            ms_arena *arena, ms_dmarc_discovery *out, ms_trace *trace)
{
    if (resolver == NULL || domain == NULL || arena == NULL || out == NULL) {
        return MS_EINVAL;
    }
    ms__dmarc_walk *w = ms_arena_alloc(arena, sizeof(*w));
    if (w == NULL) {
        return ms_arena_status(arena);
    }
    ms__dmarc_walk_init(w, resolver, opt, arena, trace);
    if (w->opt.mode == MS_DMARC_MODE_RFC7489 && w->opt.psl == NULL) {
        return MS_EINVAL;
    }
    const char *d = NULL, *why = NULL;
    ms_status st = ms__dmarc_domain_norm(domain, arena, &d, &why);
    if (st == MS_ESYNTAX) {
        memset(out, 0, sizeof(*out));
        out->status = MS_DMARC_DISCOVERY_NONE;
        out->reason = why;
        out->detail = ms__arena_printf(arena, "%.64s", domain);
        ms__trace_add(trace, MS_TRACE_RULE, 0, "RFC 9989 §5.3.1", 0, 0,
                      "not a domain, nothing asked: %s", why);
        return ms_arena_status(arena);
    }
    if (st != MS_OK) {
        return st;
    }
    return ms__dmarc_discover(w, d, out);
}

ms_status ms_dmarc_org_domain(ms_resolver *resolver, const ms_dmarc_options *opt,
                              const char *domain, ms_arena *arena, const char **out,
                              ms_trace *trace)
{
    if (resolver == NULL || domain == NULL || arena == NULL || out == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    ms__dmarc_walk *w = ms_arena_alloc(arena, sizeof(*w));
    if (w == NULL) {
        return ms_arena_status(arena);
    }
    ms__dmarc_walk_init(w, resolver, opt, arena, trace);
    const char *d = NULL, *why = NULL;
    ms_status st = ms__dmarc_domain_norm(domain, arena, &d, &why);
    if (st == MS_ESYNTAX) {
        ms__trace_add(trace, MS_TRACE_RULE, 0, "RFC 9989 §4.10.2", 0, 0,
                      "not a domain, no organizational domain: %s", why);
        return MS_OK;
    }
    if (st != MS_OK) {
        return st;
    }
    return ms__dmarc_org(w, d, out, &why);
}
