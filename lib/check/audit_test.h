/* SPDX-License-Identifier: MIT */
/* Test kit for one part of the domain audit run alone: a context set up by hand over a zone
 * resolver (ms_resolver_new_zone + ms_zone_load_text, faults added by the test), the finding
 * ids it reported compared as a set. Include after <cmocka.h>.
 *
 * check.c runs every part, so linking it (collect.c needs ms_check_area_name) would need every
 * part: a test defines the parts it does not test as weak no-ops (AUDIT_TEST_STUB), which a
 * real part in the library overrides if it is linked for some other reason. */
#ifndef MS_CHECK_AUDIT_TEST_H
#define MS_CHECK_AUDIT_TEST_H

#include <stdio.h>
#include <string.h>

#include "check/audit.h"
#include "ms_test_util.h"

#define AUDIT_TEST_STUB(part)                                                                      \
    __attribute__((weak)) void ms__check_##part(ms__check_ctx *c)                                  \
    {                                                                                              \
        (void)c;                                                                                   \
    }

typedef struct audit_fixture {
    ms_resolver *zone;
    ms_arena *arena;
    ms_check_options opt;
    ms_check_report report;
    ms__check_ctx ctx;
} audit_fixture;

/* A context for domain over zone_text (may be NULL: an empty view). */
static inline ms__check_ctx *audit_new(audit_fixture *f, const char *zone_text, const char *domain)
{
    memset(f, 0, sizeof(*f));
    assert_int_equal(ms_resolver_new_zone(&f->zone), MS_OK);
    f->arena = new_arena(0);
    if (zone_text != NULL) {
        ms_zone_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_zone_load_text(f->zone, zone_text, strlen(zone_text), NULL, &err);
        if (st != MS_OK) {
            print_error("zone load failed at %u:%u: %s [%s]\n", err.line, err.column,
                        err.reason ? err.reason : "?", err.detail);
        }
        assert_int_equal(st, MS_OK);
    }
    ms_check_options_default(&f->opt);
    f->ctx.resolver = f->zone;
    f->ctx.opt = &f->opt;
    f->ctx.arena = f->arena;
    f->ctx.domain = domain;
    f->ctx.report = &f->report;
    f->report.domain = domain;
    return &f->ctx;
}

static inline void audit_free(audit_fixture *f)
{
    ms_resolver_free(f->zone);
    ms_arena_free(f->arena);
}

static inline bool audit_has(const ms_check_report *r, const char *id)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        if (strcmp(r->findings[i].id, id) == 0) {
            return true;
        }
    }
    return false;
}

static inline const ms_check_finding *audit_find(const ms_check_report *r, const char *id)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        if (strcmp(r->findings[i].id, id) == 0) {
            return &r->findings[i];
        }
    }
    return NULL;
}

/* The ids found, space-separated, into buf. */
static inline const char *audit_ids(const ms_check_report *r, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->n_findings && o + 1 < size; i++) {
        int n = snprintf(buf + o, size - o, "%s%s", o ? " " : "", r->findings[i].id);
        if (n < 0) {
            break;
        }
        o += (size_t)n;
    }
    return buf;
}

/* Do the ids reported equal the set in want (space-separated; "" for none)? */
static inline bool audit_same_ids(const ms_check_report *r, const char *want)
{
    size_t n_want = 0;
    for (const char *p = want; *p;) {
        while (*p == ' ') {
            p++;
        }
        const char *end = p;
        while (*end && *end != ' ') {
            end++;
        }
        if (end == p) {
            break;
        }
        n_want++;
        bool seen = false;
        for (size_t i = 0; i < r->n_findings && !seen; i++) {
            seen = strlen(r->findings[i].id) == (size_t)(end - p) &&
                   memcmp(r->findings[i].id, p, (size_t)(end - p)) == 0;
        }
        if (!seen) {
            return false;
        }
        p = end;
    }
    for (size_t i = 0; i < r->n_findings; i++) {
        const char *id = r->findings[i].id;
        size_t len = strlen(id);
        bool listed = false;
        for (const char *p = strstr(want, id); p && !listed; p = strstr(p + 1, id)) {
            listed = (p == want || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' ');
        }
        if (!listed) {
            return false;
        }
    }
    (void)n_want;
    return true;
}

/* The path of a file of the source tree (found from this header's path), into buf. */
static inline const char *audit_source_path(const char *rel, char *buf, size_t size)
{
    const char *here = __FILE__;
    const char *cut = strstr(here, "lib/check/audit_test.h");
    assert_non_null(cut);
    snprintf(buf, size, "%.*s%s", (int)(cut - here), here, rel);
    return buf;
}

/* Load one of the demo's zone files (examples/zones/) into the fixture's view. */
static inline void audit_load_example(audit_fixture *f, const char *file)
{
    char rel[256], path[1024];
    snprintf(rel, sizeof(rel), "examples/zones/%s", file);
    ms_zone_error err;
    memset(&err, 0, sizeof(err));
    ms_status st =
        ms_zone_load_file(f->zone, audit_source_path(rel, path, sizeof(path)), NULL, &err);
    if (st != MS_OK) {
        print_error("%s: %u:%u: %s\n", path, err.line, err.column, err.reason ? err.reason : "?");
    }
    assert_int_equal(st, MS_OK);
}

/* Is id listed (as `id`) in docs/check-findings.md? The file is found from this header's
 * path (lib/check/ -> ../../docs/). */
static inline bool audit_documented(const char *id)
{
    static char doc[64 * 1024];
    static size_t len;
    if (len == 0) {
        char path[1024];
        FILE *f = fopen(audit_source_path("docs/check-findings.md", path, sizeof(path)), "rb");
        assert_non_null(f);
        len = fread(doc, 1, sizeof(doc) - 1, f);
        fclose(f);
        doc[len] = '\0';
    }
    char quoted[96];
    snprintf(quoted, sizeof(quoted), "`%s`", id);
    return strstr(doc, quoted) != NULL;
}

#endif
