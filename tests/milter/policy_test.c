/* SPDX-License-Identifier: MIT */
/* milter/policy.c: the action for each DMARC verdict and RejectFailures/TemporaryFailure
 * setting, and which Authentication-Results fields claim our authserv-id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../milter/milter.h"
#include "ms_test_util.h"

/* policy.c does not log; the symbol is for the linker only. */
milter_global milter_g;
void milter_log(ms_milterconf_log_level level, const char *fmt, ...)
{
    (void)level;
    (void)fmt;
}

typedef struct {
    const char *name;
    ms_dmarc_result result;
    ms_dmarc_policy disposition;
    bool reject_failures;
    ms_milterconf_action on_dns_timeout;
    milter_action want;
    const char *want_reply_prefix; /* NULL: no reply */
} decide_case;

static const decide_case decide_cases[] = {
    {"pass", MS_DMARC_PASS, MS_DMARC_POLICY_NONE, true, MS_MILTERCONF_TEMPFAIL, MILTER_CONTINUE,
     NULL},
    {"fail reject enforced", MS_DMARC_FAIL, MS_DMARC_POLICY_REJECT, true, MS_MILTERCONF_TEMPFAIL,
     MILTER_REJECT, "5.7.1 "},
    {"fail reject marked only", MS_DMARC_FAIL, MS_DMARC_POLICY_REJECT, false,
     MS_MILTERCONF_TEMPFAIL, MILTER_CONTINUE, NULL},
    {"fail quarantine", MS_DMARC_FAIL, MS_DMARC_POLICY_QUARANTINE, true, MS_MILTERCONF_TEMPFAIL,
     MILTER_QUARANTINE, "DMARC"},
    {"fail p=none", MS_DMARC_FAIL, MS_DMARC_POLICY_NONE, true, MS_MILTERCONF_TEMPFAIL,
     MILTER_CONTINUE, NULL},
    {"temperror tempfail", MS_DMARC_TEMPERROR, MS_DMARC_POLICY_NONE, false, MS_MILTERCONF_TEMPFAIL,
     MILTER_TEMPFAIL, "4.7.5 "},
    {"temperror accept", MS_DMARC_TEMPERROR, MS_DMARC_POLICY_NONE, true, MS_MILTERCONF_ACCEPT,
     MILTER_CONTINUE, NULL},
    {"none", MS_DMARC_NONE, MS_DMARC_POLICY_NONE, true, MS_MILTERCONF_TEMPFAIL, MILTER_CONTINUE,
     NULL},
};

static void test_decide(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]); i++) {
        const decide_case *c = &decide_cases[i];
        ms_milterconf conf;
        memset(&conf, 0, sizeof(conf));
        conf.reject_failures = c->reject_failures;
        conf.on_dns_timeout = c->on_dns_timeout;
        ms_dmarc_verdict d;
        memset(&d, 0, sizeof(d));
        d.result = c->result;
        d.disposition = c->disposition;
        ms_verdicts v;
        memset(&v, 0, sizeof(v));
        v.dmarc = &d;
        const char *reply = NULL;
        milter_action got = milter_policy_decide(&conf, &v, &reply);
        if (got != c->want) {
            fail_msg("%s: got action %d, want %d", c->name, (int)got, (int)c->want);
        }
        if (c->want_reply_prefix == NULL) {
            if (reply != NULL) {
                fail_msg("%s: got reply \"%s\", want none", c->name, reply);
            }
        } else if (reply == NULL ||
                   strncmp(reply, c->want_reply_prefix, strlen(c->want_reply_prefix)) != 0) {
            fail_msg("%s: got reply \"%s\", want one starting \"%s\"", c->name,
                     reply ? reply : "(none)", c->want_reply_prefix);
        }
        /* SMTP reply text is printable ASCII (RFC 5321 §4.2); Postfix turns other bytes to '?'. */
        for (size_t k = 0; reply != NULL && reply[k] != '\0'; k++) {
            unsigned char ch = (unsigned char)reply[k];
            if (ch < 0x20 || ch > 0x7e) {
                fail_msg("%s: reply \"%s\": byte 0x%02x at %zu, want printable ASCII", c->name,
                         reply, ch, k);
            }
        }
    }
}

static void test_decide_without_dmarc(void **state)
{
    (void)state;
    ms_milterconf conf;
    memset(&conf, 0, sizeof(conf));
    conf.reject_failures = true;
    const char *reply = "x";
    milter_action got = milter_policy_decide(&conf, NULL, &reply);
    if (got != MILTER_CONTINUE || reply != NULL) {
        fail_msg("no verdicts: got action %d reply %s, want continue and none", (int)got,
                 reply ? reply : "(none)");
    }
}

typedef struct {
    const char *name;
    const char *value;
    bool want;
} ours_case;

static const ours_case ours_cases[] = {
    {"ours", "mx.test; dmarc=pass header.from=example.org", true},
    {"ours, other case", "MX.Test; spf=pass smtp.mailfrom=example.org", true},
    {"ours with version", "mx.test 1; none", true},
    {"other id", "other.test; dmarc=pass header.from=example.org", false},
    {"longer id", "mx.test.evil; dmarc=pass", false},
    {"prefix id", "mx.tes; dmarc=pass", false},
    {"no id (Microsoft form)", "spf=pass smtp.mailfrom=example.org", false},
    {"empty", "", false},
};

static void test_ar_is_ours(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ours_cases) / sizeof(ours_cases[0]); i++) {
        const ours_case *c = &ours_cases[i];
        ms_arena *a = new_arena(0);
        bool got = milter_policy_ar_is_ours(c->value, strlen(c->value), "mx.test", a);
        ms_arena_free(a);
        if (got != c->want) {
            fail_msg("%s: \"%s\": got %d, want %d", c->name, c->value, got, c->want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_decide_without_dmarc),
        cmocka_unit_test(test_ar_is_ours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
