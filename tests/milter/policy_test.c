/* SPDX-License-Identifier: MIT */
/* milter/policy.c: the action for each DMARC verdict and RejectFailures/TemporaryFailure
 * setting (SPF and DKIM temperrors included), which Authentication-Results fields claim our
 * authserv-id, and which upstream SPF result TrustedAuthservIDs believes. */
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

/* SPF or DKIM temperror under a DMARC fail: TemporaryFailure decides (tempfail or accept);
 * a pass, or a fail without any temperror, is not affected. */
typedef struct {
    const char *name;
    ms_dmarc_result dmarc;
    ms_spf_result spf; /* MS_SPF_NONE with no_spf: no SPF verdict */
    bool no_spf;
    ms_dkim_result dkim[2];
    size_t n_dkim;
    ms_milterconf_action on_dns_timeout;
    bool reject_failures;
    milter_action want;
    const char *want_reply_part; /* NULL: no reply */
} temp_case;

static const temp_case temp_cases[] = {
    {"spf temperror, dmarc fail, tempfail",
     MS_DMARC_FAIL,
     MS_SPF_TEMPERROR,
     false,
     {0},
     0,
     MS_MILTERCONF_TEMPFAIL,
     true,
     MILTER_TEMPFAIL,
     "4.7.5 SPF"},
    {"spf temperror, dmarc fail, accept: enforced as usual",
     MS_DMARC_FAIL,
     MS_SPF_TEMPERROR,
     false,
     {0},
     0,
     MS_MILTERCONF_ACCEPT,
     true,
     MILTER_REJECT,
     "5.7.1"},
    {"spf temperror, dmarc fail, accept, marked only",
     MS_DMARC_FAIL,
     MS_SPF_TEMPERROR,
     false,
     {0},
     0,
     MS_MILTERCONF_ACCEPT,
     false,
     MILTER_CONTINUE,
     NULL},
    {"dkim key temperror, dmarc fail",
     MS_DMARC_FAIL,
     MS_SPF_FAIL,
     false,
     {MS_DKIM_FAIL, MS_DKIM_TEMPERROR},
     2,
     MS_MILTERCONF_TEMPFAIL,
     true,
     MILTER_TEMPFAIL,
     "4.7.5 DKIM"},
    {"dkim temperror, no spf verdict",
     MS_DMARC_FAIL,
     MS_SPF_NONE,
     true,
     {MS_DKIM_TEMPERROR},
     1,
     MS_MILTERCONF_TEMPFAIL,
     false,
     MILTER_TEMPFAIL,
     "4.7.5 DKIM"},
    {"spf temperror but dkim passed: dmarc pass",
     MS_DMARC_PASS,
     MS_SPF_TEMPERROR,
     false,
     {MS_DKIM_PASS},
     1,
     MS_MILTERCONF_TEMPFAIL,
     true,
     MILTER_CONTINUE,
     NULL},
    {"spf temperror, no dmarc record",
     MS_DMARC_NONE,
     MS_SPF_TEMPERROR,
     false,
     {0},
     0,
     MS_MILTERCONF_TEMPFAIL,
     true,
     MILTER_CONTINUE,
     NULL},
    {"fail without temperror",
     MS_DMARC_FAIL,
     MS_SPF_SOFTFAIL,
     false,
     {MS_DKIM_FAIL},
     1,
     MS_MILTERCONF_TEMPFAIL,
     true,
     MILTER_REJECT,
     "5.7.1"},
    {"spf permerror is no temperror",
     MS_DMARC_FAIL,
     MS_SPF_PERMERROR,
     false,
     {0},
     0,
     MS_MILTERCONF_TEMPFAIL,
     false,
     MILTER_CONTINUE,
     NULL},
};

static void test_decide_temperror(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(temp_cases) / sizeof(temp_cases[0]); i++) {
        const temp_case *c = &temp_cases[i];
        ms_milterconf conf;
        memset(&conf, 0, sizeof(conf));
        conf.reject_failures = c->reject_failures;
        conf.on_dns_timeout = c->on_dns_timeout;
        ms_dmarc_verdict d;
        memset(&d, 0, sizeof(d));
        d.result = c->dmarc;
        d.disposition = c->dmarc == MS_DMARC_FAIL ? MS_DMARC_POLICY_REJECT : MS_DMARC_POLICY_NONE;
        ms_spf_verdict spf;
        memset(&spf, 0, sizeof(spf));
        spf.result = c->spf;
        ms_dkim_sig_result dk[2];
        memset(dk, 0, sizeof(dk));
        for (size_t k = 0; k < c->n_dkim; k++) {
            dk[k].result = c->dkim[k];
        }
        ms_verdicts v;
        memset(&v, 0, sizeof(v));
        v.dmarc = &d;
        v.spf = c->no_spf ? NULL : &spf;
        v.dkim = dk;
        v.n_dkim = c->n_dkim;
        const char *reply = NULL;
        milter_action got = milter_policy_decide(&conf, &v, &reply);
        if (got != c->want) {
            fail_msg("%s: got action %d, want %d", c->name, (int)got, (int)c->want);
        }
        if (c->want_reply_part == NULL
                ? reply != NULL
                : reply == NULL || strstr(reply, c->want_reply_part) == NULL) {
            fail_msg("%s: got reply \"%s\", want %s%s", c->name, reply ? reply : "(none)",
                     c->want_reply_part ? "one holding " : "none",
                     c->want_reply_part ? c->want_reply_part : "");
        }
    }
}

/* TrustedAuthservIDs: which A-R fields are believed, and which spf= result is taken. */
typedef struct {
    const char *name;
    const char *value;
    bool want_trusted;
    bool want_found;
    ms_spf_result want_result;
    const char *want_mailfrom, *want_domain, *want_id;
} upstream_case;

static const upstream_case upstream_cases[] = {
    {"trusted, spf pass", "fmx.test; spf=pass smtp.mailfrom=a@pass.example", true, true,
     MS_SPF_PASS, "a@pass.example", "pass.example", "fmx.test"},
    {"trusted id in other case", "FMX.Test; spf=fail (not permitted) smtp.mailfrom=b@x.example",
     true, true, MS_SPF_FAIL, "b@x.example", "x.example", "fmx.test"},
    {"second trusted id, version",
     "relay.test 1; dkim=pass header.d=x.example;\r\n\t"
     "spf=softfail smtp.mailfrom=x.example",
     true, true, MS_SPF_SOFTFAIL, "x.example", "x.example", "relay.test"},
    {"the first spf method with smtp.mailfrom",
     "fmx.test; spf=none smtp.helo=h.example; spf=temperror smtp.mailfrom=c@t.example; "
     "spf=pass smtp.mailfrom=c@t.example",
     true, true, MS_SPF_TEMPERROR, "c@t.example", "t.example", "fmx.test"},
    {"trusted, no spf", "fmx.test; dkim=pass header.d=pass.example", true, false, MS_SPF_NONE, NULL,
     NULL, NULL},
    {"trusted, spf without mailfrom", "fmx.test; spf=pass smtp.helo=h.example", true, false,
     MS_SPF_NONE, NULL, NULL, NULL},
    {"trusted, not an spf result", "fmx.test; spf=policy smtp.mailfrom=a@pass.example", true, false,
     MS_SPF_NONE, NULL, NULL, NULL},
    {"trusted, spf version 2", "fmx.test; spf/2=pass smtp.mailfrom=a@pass.example", true, false,
     MS_SPF_NONE, NULL, NULL, NULL},
    {"trusted, none", "fmx.test; none", true, false, MS_SPF_NONE, NULL, NULL, NULL},
    {"untrusted id", "evil.test; spf=pass smtp.mailfrom=a@pass.example", false, false, MS_SPF_NONE,
     NULL, NULL, NULL},
    {"trusted id as a prefix", "fmx.test.evil; spf=pass smtp.mailfrom=a@pass.example", false, false,
     MS_SPF_NONE, NULL, NULL, NULL},
    {"our own id, even if listed", "mx.test; spf=pass smtp.mailfrom=a@pass.example", false, false,
     MS_SPF_NONE, NULL, NULL, NULL},
    {"no id (Microsoft form)", "spf=pass smtp.mailfrom=a@pass.example", false, false, MS_SPF_NONE,
     NULL, NULL, NULL},
    {"garbage", ";;;", false, false, MS_SPF_NONE, NULL, NULL, NULL},
};

static void test_upstream_spf(void **state)
{
    (void)state;
    static const char *const ids[] = {"fmx.test", "relay.test", "mx.test"};
    const ms_milterconf_list trusted = {ids, 3};
    for (size_t i = 0; i < sizeof(upstream_cases) / sizeof(upstream_cases[0]); i++) {
        const upstream_case *c = &upstream_cases[i];
        ms_arena *a = new_arena(0);
        milter_upstream_spf u;
        bool got =
            milter_policy_upstream_spf(c->value, strlen(c->value), &trusted, "mx.test", a, &u);
        if (got != c->want_trusted || u.found != c->want_found) {
            fail_msg("%s: got trusted %d found %d, want %d %d", c->name, got, u.found,
                     c->want_trusted, c->want_found);
        }
        if (c->want_found &&
            (u.result != c->want_result || strcmp(u.mailfrom, c->want_mailfrom) != 0 ||
             strcmp(u.domain, c->want_domain) != 0 || strcmp(u.authserv_id, c->want_id) != 0)) {
            fail_msg("%s: got %s %s %s from %s, want %s %s %s from %s", c->name,
                     ms_spf_result_name(u.result), u.mailfrom, u.domain, u.authserv_id,
                     ms_spf_result_name(c->want_result), c->want_mailfrom, c->want_domain,
                     c->want_id);
        }
        ms_arena_free(a);
    }
    /* No list: nothing is trusted. */
    ms_arena *a = new_arena(0);
    milter_upstream_spf u;
    const ms_milterconf_list none = {NULL, 0};
    const char *v = "fmx.test; spf=pass smtp.mailfrom=a@pass.example";
    if (milter_policy_upstream_spf(v, strlen(v), &none, "mx.test", a, &u) || u.found) {
        fail_msg("empty TrustedAuthservIDs: got a trusted field");
    }
    ms_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide),       cmocka_unit_test(test_decide_without_dmarc),
        cmocka_unit_test(test_ar_is_ours),   cmocka_unit_test(test_decide_temperror),
        cmocka_unit_test(test_upstream_spf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
