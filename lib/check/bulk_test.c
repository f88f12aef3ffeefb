/* SPDX-License-Identifier: MIT */
/* The bulk-sender rules (ms__check_bulk) alone, from facts and earlier findings set by hand:
 * every rule of Gmail, Yahoo and Microsoft met, not met or unknown, with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_check_test.h"
#include "ms_expect.h"

typedef struct bulk_case {
    const char *name;
    bool spf_ok;
    size_t n_spf_records;
    bool dmarc_ok;
    size_t n_keys;
    bool selector_given, selector_pending;
    bool has_message, message_pass, one_click;
    const char *findings; /* ids found by earlier parts, space-separated */
    /* want: m(et) n(ot-met) u(nknown) for spf dkim dmarc-published alignment-possible
     * one-click-unsubscribe */
    const char *want;
} bulk_case;

static const bulk_case CASES[] = {
    {"all in order, no message", true, 1, true, 1, false, false, false, false, false, "", "mmmmu"},
    {"all in order with a message", true, 1, true, 1, false, false, true, true, true, "", "mmmmm"},
    {"message without one-click", true, 1, true, 1, false, false, true, true, false, "", "mmmmn"},
    {"message failing DMARC", true, 1, true, 1, false, false, true, false, true, "", "mmmnm"},
    {"nothing published", false, 0, false, 0, false, false, false, false, false, "", "nunuu"},
    {"SPF only: SPF aligns", true, 1, true, 0, false, false, false, false, false, "", "mummu"},
    {"SES without MAIL FROM, DKIM pending", true, 1, true, 0, true, true, false, false, false,
     "provider-ses-no-custom-mail-from provider-ses-dkim-pending", "mnmnu"},
    {"SES without MAIL FROM, DKIM not looked at", true, 1, true, 0, false, false, false, false,
     false, "provider-ses-no-custom-mail-from", "mumuu"},
    {"SES without MAIL FROM, DKIM in place", true, 1, true, 1, true, false, false, false, false,
     "provider-ses-no-custom-mail-from", "mmmmu"},
    {"broken SPF", false, 1, true, 1, false, false, false, false, false, "spf-lookup-limit",
     "nmmmu"},
    {"DNS failures", false, 0, false, 0, false, false, false, false, false,
     "spf-dns-error dkim-dns-error dmarc-dns-error", "uuuuu"},
    {"p=none is enough", true, 1, true, 1, false, false, false, false, false, "dmarc-policy-none",
     "mmmmu"},
};

static const char *const GMAIL[] = {"gmail:spf", "gmail:dkim", "gmail:dmarc-published",
                                    "gmail:alignment-possible", "gmail:one-click-unsubscribe"};
static const char *const YAHOO[] = {"yahoo:spf", "yahoo:dkim", "yahoo:dmarc-published",
                                    "yahoo:alignment-possible", "yahoo:one-click-unsubscribe"};
static const char *const MICROSOFT[] = {"microsoft:spf", "microsoft:dkim",
                                        "microsoft:dmarc-published", "microsoft:alignment-possible",
                                        NULL};

static const ms_check_rule *rule(const ms__check_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->report->n_rules; i++) {
        if (strcmp(c->report->rules[i].rule, name) == 0) {
            return &c->report->rules[i];
        }
    }
    return NULL;
}

static ms_check_status status_of(char ch)
{
    return ch == 'm' ? MS_CHECK_MET : ch == 'n' ? MS_CHECK_NOT_MET : MS_CHECK_UNKNOWN;
}

static void run_case(const bulk_case *k)
{
    check_fixture f;
    ms__check_ctx *c = check_new(&f, "@ A 192.0.2.1\n", "shop.example", "shop.example");
    ms__check_selector sel;
    memset(&sel, 0, sizeof(sel));
    sel.selector = "sel";
    sel.given = k->selector_given;
    sel.pending = k->selector_pending;
    sel.found = k->n_keys > 0;
    c->facts.spf_ok = k->spf_ok;
    c->facts.n_spf_records = k->n_spf_records;
    c->facts.dmarc_ok = k->dmarc_ok;
    c->facts.n_keys_found = k->n_keys;
    c->facts.selectors = &sel;
    c->facts.n_selectors = k->selector_given || k->selector_pending || k->n_keys ? 1 : 0;
    c->facts.has_message = k->has_message;
    c->facts.message_dmarc_pass = k->message_pass;
    c->facts.message_one_click = k->one_click;
    char ids[256];
    snprintf(ids, sizeof(ids), "%s", k->findings);
    for (char *p = ids, *end; *p != '\0'; p = end) {
        end = p + strcspn(p, " ");
        bool last = *end == '\0';
        *end = '\0';
        /* Ids are kept by pointer: give each its own copy in the arena. */
        const char *id = ms_arena_strdup(f.arena, p);
        assert_true(ms__check_add(c, id, MS_CHECK_WARNING, MS_CHECK_AREA_SPF, NULL, NULL, "x"));
        end += !last;
    }
    ms__check_bulk(c);
    EXPECT(c->report->n_rules == 14, "%s: got %zu rules, want 14", k->name, c->report->n_rules);
    const char *const *lists[] = {GMAIL, YAHOO, MICROSOFT};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < 5 && lists[l][i] != NULL; i++) {
            const ms_check_rule *r = rule(c, lists[l][i]);
            EXPECT(r != NULL, "%s: no rule %s", k->name, lists[l][i]);
            if (r == NULL) {
                continue;
            }
            EXPECT(r->status == status_of(k->want[i]), "%s: %s got %s, want %c (%s)", k->name,
                   r->rule, ms_check_status_name(r->status), k->want[i], r->why ? r->why : "");
            EXPECT(r->why != NULL && r->why[0] != '\0', "%s: %s has no reason", k->name, r->rule);
        }
    }
    check_free(&f);
}

static void test_cases(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        run_case(&CASES[i]);
    }
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
