/* SPDX-License-Identifier: MIT */
/* Names of the DMARC enums (RFC 8601 §2.7.1 result words, RFC 9989 §4.7 policy and tag names)
 * and the default options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/dmarc.h"

#include "base/limits.h"

#include "ms_expect.h"

static void test_names(void **state)
{
    (void)state;
    EXPECT(strcmp(ms_dmarc_result_name(MS_DMARC_PASS), "pass") == 0, "pass name");
    EXPECT(strcmp(ms_dmarc_result_name(MS_DMARC_TEMPERROR), "temperror") == 0, "temperror name");
    EXPECT(strcmp(ms_dmarc_policy_name(MS_DMARC_POLICY_QUARANTINE), "quarantine") == 0,
           "quarantine name");
    EXPECT(strcmp(ms_dmarc_policy_tag_name(MS_DMARC_TAG_SP), "sp") == 0, "sp name");
    EXPECT(strcmp(ms_dmarc_mode_name(MS_DMARC_MODE_RFC9989), "rfc9989") == 0, "mode name");
    EXPECT(strcmp(ms_dmarc_mode_name(MS_DMARC_MODE_RFC7489), "rfc7489") == 0, "mode name");
    static const char *const results[] = {"none", "pass", "fail", "temperror", "permerror"};
    for (int i = 0; i < 5; i++) {
        EXPECT(strcmp(ms_dmarc_result_name((ms_dmarc_result)i), results[i]) == 0,
               "result %d: got %s, want %s", i, ms_dmarc_result_name((ms_dmarc_result)i),
               results[i]);
    }
    EXPECT(strcmp(ms_dmarc_policy_tag_name(MS_DMARC_TAG_NP), "np") == 0, "np name");
    EXPECT(strcmp(ms_dmarc_policy_name(MS_DMARC_POLICY_REJECT), "reject") == 0, "reject name");
    ms_dmarc_options o;
    ms_dmarc_options_default(&o);
    EXPECT(o.max_tree_queries == 8 && o.pct_roll == -1 && o.mode == MS_DMARC_MODE_RFC9989 &&
               o.max_author_domains == MS_LIMIT_DMARC_AUTHOR_DOMAINS,
           "defaults: got queries %u roll %d", o.max_tree_queries, o.pct_roll);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
