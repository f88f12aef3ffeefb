/* SPDX-License-Identifier: MIT */
/* Test kit for the parts of the domain audit (lib/check/<part>_test.c): a fixture holding an
 * audit context set up by hand as ms_check_domain() sets it up, over a zone resolver loaded
 * from master-file text (faults scripted on top), and helpers to read the findings. Include
 * after <cmocka.h>.
 *
 * Each part's test stays isolated from the other parts because it calls its part directly
 * (ms__check_spf(c) ...) on this context and never ms_check_domain(): no other part runs, and
 * what earlier parts would have learnt it sets in c->facts by hand. The other parts are linked
 * in (check.c names them all) but never called, so no stand-ins for them are defined: the weak
 * no-op stand-ins the kits had while the parts were written in parallel are gone, as a weak
 * stand-in for the part under test would have silently replaced it. */
#ifndef MS_CHECK_TEST_H
#define MS_CHECK_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/audit.h"
#include "mailseal/dns.h"
#include "ms_test_util.h"

typedef struct check_fixture {
    ms_resolver *zone; /* the context's resolver */
    ms_arena *arena;
    ms_check_options opt; /* the defaults; a test sets what its part reads before running it */
    ms_check_report report;
    ms__check_ctx ctx;
} check_fixture;

/* The context (&f->ctx) for domain, with an empty report, over a zone resolver loaded from
 * zone_text (NULL: an empty zone) with origin (NULL: none, or $ORIGIN in the text). The zone
 * must load (the zone error is printed). Free with check_free. */
static inline ms__check_ctx *check_new(check_fixture *f, const char *zone_text, const char *origin,
                                       const char *domain)
{
    memset(f, 0, sizeof(*f));
    assert_int_equal(ms_resolver_new_zone(&f->zone), MS_OK);
    f->arena = new_arena(0);
    if (zone_text != NULL) {
        ms_zone_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_zone_load_text(f->zone, zone_text, strlen(zone_text), origin, &err);
        if (st != MS_OK) {
            print_error("zone line %u col %u: %s (%s)\n", err.line, err.column,
                        err.reason ? err.reason : "", err.detail);
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

static inline void check_free(check_fixture *f)
{
    ms_resolver_free(f->zone);
    ms_arena_free(f->arena);
}

/* Scripted faults in the fixture's zone: "name/TYPE" items separated by spaces (TYPE a number,
 * or * for every type), each answering a timeout; faults may be NULL. */
static inline void check_faults(check_fixture *f, const char *faults)
{
    const char *p = faults;
    while (p != NULL && *p != '\0') {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        if (len == 0) {
            break;
        }
        char item[300];
        assert_true(len < sizeof(item));
        memcpy(item, p, len);
        item[len] = '\0';
        char *slash = strchr(item, '/');
        assert_non_null(slash);
        *slash = '\0';
        unsigned long type = 0;
        if (strcmp(slash + 1, "*") != 0) {
            char *num_end = NULL;
            type = strtoul(slash + 1, &num_end, 10);
            assert_true(num_end != slash + 1 && *num_end == '\0' && type < 65536);
        }
        assert_int_equal(
            ms_zone_add_fault(f->zone, item, (uint16_t)type, MS_DNS_TEMPFAIL, "timeout"), MS_OK);
        p += len;
    }
}

/* The first finding with this id, NULL when none. */
static inline const ms_check_finding *check_find(const ms__check_ctx *c, const char *id)
{
    for (size_t i = 0; i < c->report->n_findings; i++) {
        if (strcmp(c->report->findings[i].id, id) == 0) {
            return &c->report->findings[i];
        }
    }
    return NULL;
}

/* The finding ids, space-separated, in the order found, into buf (for "got" messages); the
 * ids that do not fit are left out. */
static inline const char *check_ids(const ms__check_ctx *c, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->report->n_findings; i++) {
        int n =
            snprintf(buf + used, size - used, "%s%s", used ? " " : "", c->report->findings[i].id);
        if (n < 0 || (size_t)n >= size - used) {
            buf[used] = '\0';
            break;
        }
        used += (size_t)n;
    }
    return buf;
}

/* Is the set of ids found the set of space-separated ids in want ("" for none)? Every id of
 * want was found, and every id found is in want (an id found twice counts once). */
static inline bool check_ids_are(const ms__check_ctx *c, const char *want)
{
    const ms_check_report *r = c->report;
    for (const char *p = want + strspn(want, " "); *p != '\0'; p += strspn(p, " ")) {
        size_t len = strcspn(p, " ");
        bool found = false;
        for (size_t i = 0; i < r->n_findings && !found; i++) {
            found = strlen(r->findings[i].id) == len && memcmp(r->findings[i].id, p, len) == 0;
        }
        if (!found) {
            return false;
        }
        p += len;
    }
    for (size_t i = 0; i < r->n_findings; i++) {
        const char *id = r->findings[i].id;
        size_t len = strlen(id);
        bool listed = false;
        for (const char *p = len ? strstr(want, id) : NULL; p != NULL && !listed;
             p = strstr(p + 1, id)) {
            listed = (p == want || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' ');
        }
        if (!listed) {
            return false;
        }
    }
    return true;
}

/* The path of rel in the source tree (found from this header's path), into buf. */
static inline const char *check_source_path(const char *rel, char *buf, size_t size)
{
    const char *here = __FILE__;
    const char *cut = strstr(here, "tests/support/ms_check_test.h");
    assert_non_null(cut);
    int n = snprintf(buf, size, "%.*s%s", (int)(cut - here), here, rel);
    assert_true(n > 0 && (size_t)n < size);
    return buf;
}

/* Load one of the demo's zone files (examples/zones/) into the fixture's zone. */
static inline void check_load_example(check_fixture *f, const char *file)
{
    char rel[256], path[1024];
    snprintf(rel, sizeof(rel), "examples/zones/%s", file);
    ms_zone_error err;
    memset(&err, 0, sizeof(err));
    ms_status st =
        ms_zone_load_file(f->zone, check_source_path(rel, path, sizeof(path)), NULL, &err);
    if (st != MS_OK) {
        print_error("%s: %u:%u: %s\n", path, err.line, err.column, err.reason ? err.reason : "?");
    }
    assert_int_equal(st, MS_OK);
}

/* Is id listed (as `id`) in docs/check-findings.md? */
static inline bool check_documented(const char *id)
{
    static char doc[64 * 1024];
    static size_t len;
    if (len == 0) {
        char path[1024];
        FILE *f = fopen(check_source_path("docs/check-findings.md", path, sizeof(path)), "rb");
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
