/* SPDX-License-Identifier: MIT */
/* The collectors every part of the domain audit adds to (lib/check/audit.h): findings, rules,
 * the SPF tree and providers, grown in the report's arena. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "check/audit.h"

/* Grow an arena array by doubling; the old block stays in the arena (arenas do not free). */
static bool grow(ms__check_ctx *c, void **items, size_t n, size_t *cap, size_t size, size_t max)
{
    if (c->fatal != MS_OK) {
        return false;
    }
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

bool ms__check_add(ms__check_ctx *c, const char *id, ms_check_severity severity, ms_check_area area,
                   const char *record, const char *fix, const char *fmt, ...)
{
    ms_check_report *r = c->report;
    void *items = c->findings;
    if (!grow(c, &items, r->n_findings, &c->cap_findings, sizeof(ms_check_finding),
              MS_LIMIT_CHECK_FINDINGS)) {
        return false;
    }
    c->findings = items;
    r->findings = c->findings;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    ms_check_finding *f = &c->findings[r->n_findings];
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
    void *items = c->rules;
    if (!grow(c, &items, r->n_rules, &c->cap_rules, sizeof(ms_check_rule), 64)) {
        return false;
    }
    c->rules = items;
    r->rules = c->rules;
    ms_check_rule *x = &c->rules[r->n_rules];
    x->rule = rule;
    x->status = status;
    x->why = why ? ms_arena_strdup(c->arena, why) : NULL;
    if (why && x->why == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return false;
    }
    r->n_rules++;
    return true;
}

bool ms__check_spf_node(ms__check_ctx *c, const ms_check_spf_node *node)
{
    ms_check_report *r = c->report;
    void *items = c->nodes;
    if (!grow(c, &items, r->n_spf_nodes, &c->cap_nodes, sizeof(ms_check_spf_node),
              MS_LIMIT_CHECK_SPF_NODES)) {
        return false;
    }
    c->nodes = items;
    r->spf_tree = c->nodes;
    c->nodes[r->n_spf_nodes++] = *node;
    return true;
}

bool ms__check_provider(ms__check_ctx *c, const char *name, const char *evidence)
{
    ms_check_report *r = c->report;
    for (size_t i = 0; i < r->n_providers; i++) {
        if (strcmp(c->providers[i].name, name) == 0) {
            return true; /* recognised once, by its first evidence */
        }
    }
    void *items = c->providers;
    if (!grow(c, &items, r->n_providers, &c->cap_providers, sizeof(ms_check_provider), 64)) {
        return false;
    }
    c->providers = items;
    r->providers = c->providers;
    ms_check_provider *p = &c->providers[r->n_providers];
    p->name = name;
    p->evidence = ms_arena_strdup(c->arena, evidence);
    if (p->evidence == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return false;
    }
    r->n_providers++;
    return true;
}

void ms__check_dns_failed(ms__check_ctx *c, ms_check_area area, const char *name, const char *what)
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

void ms__check_demote(ms__check_ctx *c, const char *id, const char *containing, const char *see)
{
    ms_check_report *r = c->report;
    for (size_t i = 0; i < r->n_findings && c->fatal == MS_OK; i++) {
        ms_check_finding *f = &c->findings[i];
        if (strcmp(f->id, id) != 0 || f->severity == MS_CHECK_INFO ||
            strstr(f->message, containing) == NULL) {
            continue;
        }
        const char *message = ms__arena_printf(c->arena, "%s (see %s)", f->message, see);
        if (message == NULL) {
            c->fatal = ms_arena_status(c->arena);
            return;
        }
        r->n_errors -= f->severity == MS_CHECK_ERROR;
        r->n_warnings -= f->severity == MS_CHECK_WARNING;
        f->severity = MS_CHECK_INFO;
        f->message = message;
    }
}

const char *ms__check_shown(ms__check_ctx *c, const char *data, size_t len)
{
    /* At most MS_LIMIT_CHECK_RECORD_SHOWN - 1 bytes with the "..." */
    size_t n = len >= MS_LIMIT_CHECK_RECORD_SHOWN ? MS_LIMIT_CHECK_RECORD_SHOWN - 4 : len;
    char *q = ms_arena_alloc(c->arena, n + 4);
    if (q == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)data[i];
        q[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (n < len) {
        memcpy(q + n, "...", 3);
        n += 3;
    }
    q[n] = '\0';
    return q;
}
