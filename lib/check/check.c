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

/* Errors first, then warnings, then info; the order of discovery within each. */
static void sort_findings(ms__check_ctx *c)
{
    const ms_check_report *r = c->report;
    ms_check_finding *f = c->findings;
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
        return ms__arena_printf(
            c->arena, "Mail from %s can authenticate, with %zu warning%s: first, %s", c->domain,
            r->n_warnings, r->n_warnings == 1 ? "" : "s", r->findings[0].message);
    }
    return ms__arena_printf(c->arena, "SPF, DKIM and DMARC for %s are in order: nothing to fix.",
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
    sort_findings(c);
    r->verdict = verdict(c);
    if (r->verdict == NULL) {
        return ms_arena_status(arena);
    }
    *out = r;
    return MS_OK;
}
