/* SPDX-License-Identifier: MIT */
/* For the unit tests of the domain audit's parts (lib/check/<part>_test.c): an audit context
 * set up by hand over a zone resolver, so one part runs alone, and helpers to read the findings.
 * Include after <cmocka.h>. A test defines MS_CHECK_TEST_PART to the part it tests
 * (MS_CHECK_PART_SPF ...); every other part gets an empty weak stand-in, so the test links
 * without the other parts' files and, once they are there, without pulling them in. */
#ifndef MS_CHECK_TEST_H
#define MS_CHECK_TEST_H

#include <stdio.h>
#include <string.h>

#include "check/audit.h"
#include "mailseal/dns.h"
#include "ms_test_util.h"

#define MS_CHECK_PART_SPF 1
#define MS_CHECK_PART_DMARC 2
#define MS_CHECK_PART_DKIM 3
#define MS_CHECK_PART_EXTRAS 4
#define MS_CHECK_PART_PROVIDERS 5
#define MS_CHECK_PART_BULK 6
#define MS_CHECK_PART_MESSAGE 7

#define MS_CHECK_TEST_STUB(part, fn)                                                               \
    __attribute__((weak)) void fn(ms__check_ctx *c)                                                \
    {                                                                                              \
        (void)c;                                                                                   \
    }

#if MS_CHECK_TEST_PART != MS_CHECK_PART_SPF
MS_CHECK_TEST_STUB(SPF, ms__check_spf)
#endif
#if MS_CHECK_TEST_PART != MS_CHECK_PART_DMARC
MS_CHECK_TEST_STUB(DMARC, ms__check_dmarc)
#endif
#if MS_CHECK_TEST_PART != MS_CHECK_PART_DKIM
MS_CHECK_TEST_STUB(DKIM, ms__check_dkim)
#endif
#if MS_CHECK_TEST_PART != MS_CHECK_PART_EXTRAS
MS_CHECK_TEST_STUB(EXTRAS, ms__check_extras)
#endif
#if MS_CHECK_TEST_PART != MS_CHECK_PART_PROVIDERS
MS_CHECK_TEST_STUB(PROVIDERS, ms__check_providers)
#endif
#if MS_CHECK_TEST_PART != MS_CHECK_PART_BULK
MS_CHECK_TEST_STUB(BULK, ms__check_bulk)
#endif
#if MS_CHECK_TEST_PART != MS_CHECK_PART_MESSAGE
MS_CHECK_TEST_STUB(MESSAGE, ms__check_message)
#endif

/* A zone resolver loaded from master-file text (origin may be NULL); NULL when it does not
 * load (the zone error is printed). */
static inline ms_resolver *check_zone(const char *text, const char *origin)
{
    ms_resolver *z = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    ms_zone_error err;
    memset(&err, 0, sizeof(err));
    if (ms_zone_load_text(z, text, strlen(text), origin, &err) != MS_OK) {
        print_error("zone line %u col %u: %s (%s)\n", err.line, err.column,
                    err.reason ? err.reason : "", err.detail);
        ms_resolver_free(z);
        return NULL;
    }
    return z;
}

/* Scripted faults, "name/TYPE" pairs separated by spaces ("TYPE" a number, or * for all), each
 * answering a timeout. */
static inline void check_zone_faults(ms_resolver *z, const char *faults)
{
    const char *p = faults;
    while (p != NULL && *p != '\0') {
        while (*p == ' ') {
            p++;
        }
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
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
            assert_true(num_end != NULL && *num_end == '\0' && type < 65536);
        }
        assert_int_equal(ms_zone_add_fault(z, item, (uint16_t)type, MS_DNS_TEMPFAIL, "timeout"),
                         MS_OK);
        p += len;
    }
}

/* An audit context for domain with an empty report, as ms_check_domain sets it up. */
static inline ms__check_ctx *check_ctx(ms_resolver *z, const char *domain, ms_arena *arena)
{
    static ms_check_options opt;
    ms_check_options_default(&opt);
    ms__check_ctx *c = ms_arena_alloc(arena, sizeof(*c));
    ms_check_report *r = ms_arena_alloc(arena, sizeof(*r));
    assert_non_null(c);
    assert_non_null(r);
    memset(c, 0, sizeof(*c));
    memset(r, 0, sizeof(*r));
    c->resolver = z;
    c->opt = &opt;
    c->arena = arena;
    c->domain = domain;
    c->report = r;
    r->domain = domain;
    return c;
}

static inline const ms_check_finding *check_find(const ms__check_ctx *c, const char *id)
{
    for (size_t i = 0; i < c->report->n_findings; i++) {
        if (strcmp(c->report->findings[i].id, id) == 0) {
            return &c->report->findings[i];
        }
    }
    return NULL;
}

/* The finding ids, space-separated, in the order found (for "got" messages and comparisons). */
static inline const char *check_ids(const ms__check_ctx *c, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->report->n_findings; i++) {
        int n =
            snprintf(buf + used, size - used, "%s%s", used ? " " : "", c->report->findings[i].id);
        if (n < 0 || (size_t)n >= size - used) {
            break;
        }
        used += (size_t)n;
    }
    return buf;
}

/* Does the space-separated list want (each id once) equal the set of ids found? Ids found more
 * than once count once. */
static inline bool check_ids_are(const ms__check_ctx *c, const char *want)
{
    size_t n_want = 0;
    for (const char *p = want; *p != '\0';) {
        while (*p == ' ') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        size_t len = strcspn(p, " ");
        char id[64];
        if (len >= sizeof(id)) {
            return false;
        }
        memcpy(id, p, len);
        id[len] = '\0';
        if (check_find(c, id) == NULL) {
            return false;
        }
        n_want++;
        p += len;
    }
    size_t n_distinct = 0;
    for (size_t i = 0; i < c->report->n_findings; i++) {
        bool earlier = false;
        for (size_t j = 0; j < i && !earlier; j++) {
            earlier = strcmp(c->report->findings[i].id, c->report->findings[j].id) == 0;
        }
        n_distinct += !earlier;
    }
    return n_distinct == n_want;
}

#endif
