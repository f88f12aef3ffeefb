/* SPDX-License-Identifier: MIT */
/* ms_check_domain as a whole, offline over zone text: every part runs, findings come errors
 * first, the verdict names the first one, names are normalised (case, trailing dot, IDN to
 * A-labels) and a name that is not a domain gives one finding and MS_EINVAL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "mailseal/check.h"

static const char ZONE[] = "$ORIGIN shop.test.\n"
                           "@ 300 IN MX 10 mx\n"
                           "mx 300 IN A 192.0.2.25\n"
                           "@ 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 +all\"\n"
                           "_dmarc 300 IN TXT \"v=DMARC1; p=none\"\n"
                           "$ORIGIN xn--bcher-kva.test.\n"
                           "@ 300 IN TXT \"v=spf1 -all\"\n";

static ms_resolver *zone(void)
{
    ms_resolver *z = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_zone_load_text(z, ZONE, sizeof(ZONE) - 1, NULL, NULL), MS_OK);
    return z;
}

static bool has(const ms_check_report *r, const char *id)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        if (strcmp(r->findings[i].id, id) == 0) {
            return true;
        }
    }
    return false;
}

static void whole_audit(void **state)
{
    (void)state;
    ms_resolver *z = zone();
    ms_arena *arena = new_arena(0);
    const ms_check_report *r = NULL;
    assert_int_equal(ms_check_domain(z, NULL, "Shop.Test.", arena, &r, NULL), MS_OK);
    assert_string_equal(r->domain, "shop.test");
    /* Every part ran: SPF, DMARC, DKIM, extras and the bulk rules each said something. */
    static const char *const WANT[] = {"spf-plus-all", "dmarc-policy-none", "dkim-none-found",
                                       "dmarc-no-rua"};
    for (size_t i = 0; i < sizeof(WANT) / sizeof(WANT[0]); i++) {
        if (!has(r, WANT[i])) {
            fail_msg("no %s among %zu findings", WANT[i], r->n_findings);
        }
    }
    assert_true(r->n_rules > 0);
    assert_true(r->n_spf_nodes == 1);
    /* Errors first, then warnings, then info; the counts add up. */
    size_t errors = 0, warnings = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        if (i > 0 && r->findings[i].severity > r->findings[i - 1].severity) {
            fail_msg("finding %zu (%s) is more severe than the one before it", i,
                     r->findings[i].id);
        }
        errors += r->findings[i].severity == MS_CHECK_ERROR;
        warnings += r->findings[i].severity == MS_CHECK_WARNING;
        assert_non_null(r->findings[i].message);
        assert_true(strcmp(ms_check_area_name(r->findings[i].area), "unknown") != 0);
    }
    assert_int_equal(errors, r->n_errors);
    assert_int_equal(warnings, r->n_warnings);
    assert_true(r->n_errors > 0);
    /* The verdict leads with the first (worst) finding. */
    assert_non_null(strstr(r->verdict, r->findings[0].message));
    assert_false(r->incomplete);
    ms_arena_free(arena);
    ms_resolver_free(z);
}

static void idn_is_looked_up_as_a_labels(void **state)
{
    (void)state;
    ms_resolver *z = zone();
    ms_arena *arena = new_arena(0);
    const ms_check_report *r = NULL;
    assert_int_equal(ms_check_domain(z, NULL,
                                     "b\xc3\xbc"
                                     "cher.test",
                                     arena, &r, NULL),
                     MS_OK);
    assert_string_equal(r->domain, "xn--bcher-kva.test");
    assert_false(has(r, "spf-missing")); /* its SPF record was found under the A-labels */
    ms_arena_free(arena);
    ms_resolver_free(z);
}

static void not_a_domain(void **state)
{
    (void)state;
    static const char *const BAD[] = {"bad..name", "-x.test", "single", "a_b-.test", ""};
    ms_resolver *z = zone();
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        ms_arena *arena = new_arena(0);
        uint64_t before = ms_resolver_queries(z);
        const ms_check_report *r = NULL;
        ms_status st = ms_check_domain(z, NULL, BAD[i], arena, &r, NULL);
        if (st != MS_EINVAL || r == NULL || r->n_findings != 1 ||
            strcmp(r->findings[0].id, "domain-invalid") != 0) {
            fail_msg("\"%s\": got %s with %zu findings, want MS_EINVAL and domain-invalid", BAD[i],
                     ms_status_name(st), r ? r->n_findings : 0);
        }
        assert_true(ms_resolver_queries(z) == before); /* no DNS for a non-name */
        ms_arena_free(arena);
    }
    char long_name[400];
    memset(long_name, 'a', sizeof(long_name) - 6);
    memcpy(long_name + sizeof(long_name) - 6, ".test", 6);
    ms_arena *arena = new_arena(0);
    const ms_check_report *r = NULL;
    assert_int_equal(ms_check_domain(z, NULL, long_name, arena, &r, NULL), MS_EINVAL);
    assert_string_equal(r->findings[0].id, "domain-invalid");
    ms_arena_free(arena);
    ms_resolver_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_audit),
        cmocka_unit_test(idn_is_looked_up_as_a_labels),
        cmocka_unit_test(not_a_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
