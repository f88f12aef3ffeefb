/* SPDX-License-Identifier: MIT */
/* The dmarc part of Authentication-Results (RFC 7489 §11.2, RFC 9989 §9.1): the comment names
 * the published tags, the disposition, the tag that applied, t=y and sampling; header.from and
 * policy.dmarc follow; data from the message cannot break the line. Verdicts are built by hand
 * (lib/dmarc is not needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/authres.h"

#include "ms_expect.h"
#include "ms_test_util.h"

typedef struct dmarc_case {
    const char *name;
    ms_dmarc_result result;
    bool has_record;
    ms_dmarc_policy p, sp, np;
    bool has_sp, has_np;
    ms_dmarc_policy policy;
    ms_dmarc_policy_tag tag;
    bool testing, sampled_out;
    ms_dmarc_policy disposition;
    const char *from_domain;
    const char *reason;
    const char *want;
} dmarc_case;

#define NONE_ MS_DMARC_POLICY_NONE
#define QUAR_ MS_DMARC_POLICY_QUARANTINE
#define REJ_ MS_DMARC_POLICY_REJECT

static const dmarc_case CASES[] = {
    {"fail, p applied", MS_DMARC_FAIL, true, REJ_, QUAR_, QUAR_, true, false, REJ_, MS_DMARC_TAG_P,
     false, false, REJ_, "example.com", "no aligned identifier",
     "dmarc=fail (p=reject sp=quarantine dis=reject) header.from=example.com "
     "policy.dmarc=reject"},
    {"fail, sp applied, t=y lowers it", MS_DMARC_FAIL, true, REJ_, REJ_, REJ_, true, false, REJ_,
     MS_DMARC_TAG_SP, true, false, QUAR_, "sub.example.com", NULL,
     "dmarc=fail (p=reject sp=reject dis=quarantine; sp applied, testing t=y) "
     "header.from=sub.example.com policy.dmarc=quarantine"},
    {"fail, np applied, no record kept", MS_DMARC_FAIL, false, NONE_, NONE_, NONE_, false, false,
     REJ_, MS_DMARC_TAG_NP, false, false, REJ_, "nx.example.com", NULL,
     "dmarc=fail (np=reject dis=reject; np applied) header.from=nx.example.com "
     "policy.dmarc=reject"},
    {"fail, RFC 7489 sampled out", MS_DMARC_FAIL, true, REJ_, REJ_, NONE_, false, true, REJ_,
     MS_DMARC_TAG_P, false, true, QUAR_, "example.com", NULL,
     "dmarc=fail (p=reject np=none dis=quarantine; sampled out by pct) header.from=example.com "
     "policy.dmarc=quarantine"},
    {"pass", MS_DMARC_PASS, true, QUAR_, QUAR_, QUAR_, false, false, QUAR_, MS_DMARC_TAG_P, false,
     false, NONE_, "example.com", NULL,
     "dmarc=pass (p=quarantine dis=none) header.from=example.com policy.dmarc=quarantine"},
    {"pass under t=y: the evaluated policy is one lower", MS_DMARC_PASS, true, QUAR_, QUAR_, QUAR_,
     false, false, QUAR_, MS_DMARC_TAG_P, true, false, NONE_, "example.com", NULL,
     "dmarc=pass (p=quarantine dis=none; testing t=y) header.from=example.com "
     "policy.dmarc=none"},
    {"none: reason as comment, no policy", MS_DMARC_NONE, false, NONE_, NONE_, NONE_, false, false,
     NONE_, MS_DMARC_TAG_P, false, false, NONE_, "example.com", "no DMARC record (RFC 9989 §4.10)",
     "dmarc=none (no DMARC record (RFC 9989 section 4.10)) header.from=example.com"},
    {"none without a From domain prints what it can", MS_DMARC_NONE, false, NONE_, NONE_, NONE_,
     false, false, NONE_, MS_DMARC_TAG_P, false, false, NONE_, NULL, NULL, "dmarc=none"},
    {"temperror", MS_DMARC_TEMPERROR, false, NONE_, NONE_, NONE_, false, false, NONE_,
     MS_DMARC_TAG_P, false, false, NONE_, "example.com", "DNS timeout",
     "dmarc=temperror (DNS timeout) header.from=example.com"},
    {"permerror: hostile From domain is quoted, unbalanced reason escaped", MS_DMARC_PERMERROR,
     false, NONE_, NONE_, NONE_, false, false, NONE_, MS_DMARC_TAG_P, false, false, NONE_,
     "a.example (x\r\nX-Evil: 1", "bad From (",
     "dmarc=permerror (bad From \\() header.from=\"a.example (x??X-Evil: 1\""},
    {"From domain with a quote is escaped", MS_DMARC_FAIL, true, REJ_, REJ_, REJ_, false, false,
     REJ_, MS_DMARC_TAG_P, false, false, REJ_, "ex\"ample.com", NULL,
     "dmarc=fail (p=reject dis=reject) header.from=\"ex\\\"ample.com\" policy.dmarc=reject"},
};

static void test_dmarc_format(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const dmarc_case *c = &CASES[i];
        ms_arena *a = new_arena(0);
        ms_dmarc_record rec;
        memset(&rec, 0, sizeof(rec));
        rec.p = c->p;
        rec.has_p = true;
        rec.sp = c->sp;
        rec.has_sp = c->has_sp;
        rec.np = c->np;
        rec.has_np = c->has_np;
        ms_dmarc_verdict v;
        memset(&v, 0, sizeof(v));
        v.result = c->result;
        v.reason = c->reason;
        v.from_domain = c->from_domain;
        v.record = c->has_record ? &rec : NULL;
        v.policy = c->policy;
        v.policy_tag = c->tag;
        v.testing = c->testing;
        v.sampled_out = c->sampled_out;
        v.disposition = c->disposition;
        const char *got = NULL;
        ms_status st = ms_authres_dmarc_format(&v, a, &got);
        EXPECT(st == MS_OK, "%s: got %s, want MS_OK", c->name, ms_status_name(st));
        if (st == MS_OK) {
            EXPECT(strcmp(got, c->want) == 0, "%s:\n got  %s\n want %s", c->name, got, c->want);
            for (const char *q = got; *q; q++) {
                EXPECT(*q >= 0x20 && *q < 0x7f, "%s: byte 0x%02x in the header text", c->name,
                       (unsigned)(unsigned char)*q);
            }
        }
        ms_arena_free(a);
    }
    assert_int_equal(n_bad, 0);
}

static void test_dmarc_format_args(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    ms_dmarc_verdict v;
    memset(&v, 0, sizeof(v));
    const char *out = "x";
    assert_int_equal(ms_authres_dmarc_format(NULL, a, &out), MS_EINVAL);
    assert_null(out);
    assert_int_equal(ms_authres_dmarc_format(&v, NULL, &out), MS_EINVAL);
    assert_int_equal(ms_authres_dmarc_format(&v, a, NULL), MS_EINVAL);
    ms_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dmarc_format),
        cmocka_unit_test(test_dmarc_format_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
