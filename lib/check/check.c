/* SPDX-License-Identifier: MIT */
/* ms_check_domain(): the audit's set-up, the collectors every part adds to, the order the
 * parts run in (later parts judge what earlier ones found), and the verdict on top. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "check/audit.h"
#include "msg/domain.h"

static const char *const SEVERITY[] = {"info", "warning", "error"};
static const char *const STATUS[] = {"met", "not-met", "unknown"};
static const char *const AREA[] = {
#define MS_CHECK_AREA_TEXT(name, text) text,
    MS_CHECK_AREA_MAP(MS_CHECK_AREA_TEXT)
#undef MS_CHECK_AREA_TEXT
};

const char *ms_check_severity_name(ms_check_severity s)
{
    return (unsigned)s < 3 ? SEVERITY[s] : "unknown";
}

const char *ms_check_status_name(ms_check_status s)
{
    return (unsigned)s < 3 ? STATUS[s] : "unknown";
}

const char *ms_check_area_name(ms_check_area area)
{
    return (unsigned)area < sizeof(AREA) / sizeof(AREA[0]) ? AREA[area] : "unknown";
}

void ms_check_options_default(ms_check_options *opt)
{
    memset(opt, 0, sizeof(*opt));
}

/* Grow an arena array by doubling; the old block stays in the arena (arenas do not free). */
static bool grow(ms__check_ctx *c, void **items, size_t n, size_t *cap, size_t size, size_t max)
{
    if (n < *cap) {
        return true;
    }
    if (n >= max) {
        c->fatal = MS_ELIMIT;
        return false;
    }
    size_t want = *cap ? *cap * 2 : 16;
    void *more = ms_arena_alloc(c->arena, want * size);
    if (more == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return false;
    }
    if (n) {
        memcpy(more, *items, n * size);
    }
    *items = more;
    *cap = want;
    return true;
}

bool ms__check_add(ms__check_ctx *c, const char *id, ms_check_severity severity,
                   ms_check_area area, const char *record, const char *fix, const char *fmt, ...)
{
    ms_check_report *r = c->report;
    void *items = (void *)r->findings;
    if (c->fatal != MS_OK || !grow(c, &items, r->n_findings, &c->cap_findings,
                                   sizeof(ms_check_finding), MS_LIMIT_CHECK_FINDINGS)) {
        return false;
    }
    r->findings = items;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    ms_check_finding *f = (ms_check_finding *)&r->findings[r->n_findings];
    f->id = id;
    f->severity = severity;
    f->area = area;
    f->message = ms_arena_strndup(c->arena, text, n < 0 ? 0 : strnlen(text, sizeof(text)));
    f->fix = fix ? ms_arena_strdup(c->arena, fix) : NULL;
    f->record = record ? ms_arena_strdup(c->arena, record) : NULL;
    if (f->message == NULL || (fix && f->fix == NULL) || (record && f->record == NULL)) {
        c->fatal = ms_arena_status(c->arena);
        return false;
    }
    r->n_findings++;
    r->n_errors += severity == MS_CHECK_ERROR;
    r->n_warnings += severity == MS_CHECK_WARNING;
    return true;
}

bool ms__check_rule(ms__check_ctx *c, const char *rule, ms_check_status status, const char *why)
{
    ms_check_report *r = c->report;
    void *items = (void *)r->rules;
    if (c->fatal != MS_OK ||
        !grow(c, &items, r->n_rules, &c->cap_rules, sizeof(ms_check_rule), 64)) {
        return false;
    }
    r->rules = items;
    ms_check_rule *x = (ms_check_rule *)&r->rules[r->n_rules++];
    x->rule = rule;
    x->status = status;
    x->why = why ? ms_arena_strdup(c->arena, why) : NULL;
    return true;
}

bool ms__check_spf_node(ms__check_ctx *c, const ms_check_spf_node *node)
{
    ms_check_report *r = c->report;
    void *items = (void *)r->spf_tree;
    if (c->fatal != MS_OK || !grow(c, &items, r->n_spf_nodes, &c->cap_nodes,
                                   sizeof(ms_check_spf_node), MS_LIMIT_CHECK_SPF_NODES)) {
        return false;
    }
    r->spf_tree = items;
    ((ms_check_spf_node *)r->spf_tree)[r->n_spf_nodes++] = *node;
    return true;
}

bool ms__check_provider(ms__check_ctx *c, const char *name, const char *evidence)
{
    ms_check_report *r = c->report;
    for (size_t i = 0; i < r->n_providers; i++) {
        if (strcmp(r->providers[i].name, name) == 0) {
            return true; /* recognised once, by its first evidence */
        }
    }
    void *items = (void *)r->providers;
    if (c->fatal != MS_OK || !grow(c, &items, r->n_providers, &c->cap_providers,
                                   sizeof(ms_check_provider), 64)) {
        return false;
    }
    r->providers = items;
    ms_check_provider *p = (ms_check_provider *)&r->providers[r->n_providers++];
    p->name = name;
    p->evidence = ms_arena_strdup(c->arena, evidence);
    return true;
}

void ms__check_dns_failed(ms__check_ctx *c, ms_check_area area, const char *name,
                          const char *what)
{
    c->report->incomplete = true;
    char id[32];
    snprintf(id, sizeof(id), "%s-dns-error", ms_check_area_name(area));
    const char *kept = ms_arena_strdup(c->arena, id);
    if (kept == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return;
    }
    ms__check_add(c, kept, MS_CHECK_WARNING, area, NULL,
                  "Run the check again; if it persists, the domain's name servers are not "
                  "answering reliably, and receivers will see the same.",
                  "The %s lookup for %s failed (%s), so this part could not be checked.",
                  ms_check_area_name(area), name, what ? what : "no answer");
}

/* Errors first, then warnings, then info; the order of discovery within each. */
static void sort_findings(ms_check_report *r)
{
    ms_check_finding *f = (ms_check_finding *)r->findings;
    for (size_t i = 1; i < r->n_findings; i++) {
        ms_check_finding x = f[i];
        size_t j = i;
        while (j > 0 && f[j - 1].severity < x.severity) {
            f[j] = f[j - 1];
            j--;
        }
        f[j] = x;
    }
}

/* One or two sentences on top: the worst problem, or that all is well. */
static const char *verdict(ms__check_ctx *c)
{
    const ms_check_report *r = c->report;
    if (r->n_errors > 0) {
        return ms__arena_printf(c->arena, "%zu problem%s to fix (%zu warning%s): first, %s",
                                r->n_errors, r->n_errors == 1 ? "" : "s", r->n_warnings,
                                r->n_warnings == 1 ? "" : "s", r->findings[0].message);
    }
    if (r->n_warnings > 0) {
        return ms__arena_printf(c->arena,
                                "Mail from %s can authenticate, with %zu warning%s: first, %s",
                                c->domain, r->n_warnings, r->n_warnings == 1 ? "" : "s",
                                r->findings[0].message);
    }
    return ms__arena_printf(c->arena,
                            "SPF, DKIM and DMARC for %s are in order: nothing to fix.",
                            c->domain);
}

/* NULL with *out the lowercase A-label form, or why the name cannot be looked up. */
static const char *normalize(const char *domain, ms_arena *arena, const char **out)
{
    size_t len = strnlen(domain, MS_LIMIT_DNS_NAME_TEXT + 1);
    if (len > MS_LIMIT_DNS_NAME_TEXT) {
        return "longer than a domain name may be (RFC 1035 §2.3.4)";
    }
    if (len > 0 && domain[len - 1] == '.') {
        len--;
    }
    char *lower = ms_arena_strndup(arena, domain, len);
    if (lower == NULL) {
        return "out of memory";
    }
    bool ascii = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)lower[i];
        ascii = ascii && ch < 0x80;
        if (ch >= 'A' && ch <= 'Z') {
            lower[i] = (char)(ch + 32);
        }
    }
    const char *name = lower;
    const char *why = NULL;
    if (!ascii && ms__msg_domain_alabel(lower, arena, &name, &why) != MS_OK) {
        return why ? why : "not a valid internationalized domain name (RFC 5890)";
    }
    why = ms__msg_hostname_invalid(name, strlen(name));
    if (why == NULL && memchr(name, '.', strlen(name)) == NULL) {
        why = "a single label: give the whole domain, such as example.com";
    }
    *out = name;
    return why;
}

ms_status ms_check_domain(ms_resolver *resolver, const ms_check_options *opt, const char *domain,
                          ms_arena *arena, const ms_check_report **out, ms_trace *trace)
{
    *out = NULL;
    if (resolver == NULL || domain == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    ms_check_options defaults;
    if (opt == NULL) {
        ms_check_options_default(&defaults);
        opt = &defaults;
    }
    ms_check_report *r = ms_arena_alloc(arena, sizeof(*r));
    ms__check_ctx *c = ms_arena_alloc(arena, sizeof(*c));
    if (r == NULL || c == NULL) {
        return ms_arena_status(arena);
    }
    memset(r, 0, sizeof(*r));
    memset(c, 0, sizeof(*c));
    c->resolver = resolver;
    c->opt = opt;
    c->arena = arena;
    c->trace = trace;
    c->report = r;
    /* The name as DNS will be asked: lowercase A-labels (RFC 5890), one trailing dot dropped;
     * an IDN is converted (the CLI shows both forms). */
    const char *ascii = NULL;
    const char *why = normalize(domain, arena, &ascii);
    if (why != NULL) {
        if (ms_arena_status(arena) != MS_OK) {
            return ms_arena_status(arena);
        }
        r->domain = ms_arena_strdup(arena, domain);
        c->domain = r->domain;
        ms__check_add(c, "domain-invalid", MS_CHECK_ERROR, MS_CHECK_AREA_DMARC, NULL,
                      "Give the domain as it appears after the @ in your From address.",
                      "%.300s is not a domain name that can be looked up: %s.", domain, why);
        if (c->fatal != MS_OK) {
            return c->fatal;
        }
        r->verdict = r->findings[0].message;
        *out = r;
        return MS_EINVAL;
    }
    r->domain = ascii;
    c->domain = ascii;
    void (*const parts[])(ms__check_ctx *) = {
        ms__check_spf,       ms__check_dmarc, ms__check_dkim,    ms__check_extras,
        ms__check_providers, ms__check_bulk,  ms__check_message,
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && c->fatal == MS_OK; i++) {
        parts[i](c);
    }
    if (c->fatal != MS_OK) {
        return c->fatal;
    }
    sort_findings(r);
    r->verdict = verdict(c);
    if (r->verdict == NULL) {
        return ms_arena_status(arena);
    }
    *out = r;
    return MS_OK;
}
