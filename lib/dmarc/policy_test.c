/* SPDX-License-Identifier: MIT */
/* ms_dmarc_evaluate, RFC 9989 §5.3: pass and fail, p/sp/np, t=y, RFC 7489 pct sampling, several
 * author domains (the strictest outcome), and every verdict field filled. The rule-by-rule table
 * is the conformance suite tests/conformance/dmarc_rules.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "ms_expect.h"

#include "ms_dmarc_cases.h"

#define REC(name, text) "_dmarc." name ". TXT \"" text "\"\n"
#define EXISTS(name) name ". A 192.0.2.1\n"

enum { P = MS_DMARC_TAG_P, SP = MS_DMARC_TAG_SP, NP = MS_DMARC_TAG_NP, ANY = -1 };
#define NONE_ MS_DMARC_POLICY_NONE
#define QUAR MS_DMARC_POLICY_QUARANTINE
#define REJ MS_DMARC_POLICY_REJECT

static const dmarc_case cases[] = {
    {.name = "spf-relaxed-pass",
     .zone = REC("example.com", "v=DMARC1; p=reject"),
     .headers = "From: a@example.com\r\n",
     .spf = "pass:bounce.example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = NONE_,
     .want_tag = P,
     .want_reason = "aligned SPF",
     .want_policy_domain = "example.com",
     .max_queries = 4},
    {.name = "fail-reject",
     .zone = REC("example.com", "v=DMARC1; p=reject"),
     .headers = "From: a@example.com\r\n",
     .spf = "pass:other.example",
     .dkim = "fail:example.com",
     .want = MS_DMARC_FAIL,
     .want_disposition = REJ,
     .want_tag = P,
     .want_reason = "§5.3.5",
     .max_queries = 6},
    {.name = "subdomain-sp",
     .zone = REC("example.com", "v=DMARC1; p=reject; sp=quarantine") EXISTS("sub.example.com"),
     .headers = "From: a@sub.example.com\r\n",
     .want = MS_DMARC_FAIL,
     .want_disposition = QUAR,
     .want_tag = SP,
     .want_policy_domain = "example.com",
     .max_queries = 5},
    {.name = "np-nxdomain",
     .zone = REC("example.com", "v=DMARC1; p=none; sp=none; np=reject"),
     .headers = "From: a@nx.example.com\r\n",
     .want = MS_DMARC_FAIL,
     .want_disposition = REJ,
     .want_tag = NP,
     .max_queries = 5},
    {.name = "no-record",
     .zone = EXISTS("example.com"),
     .headers = "From: a@example.com\r\n",
     .spf = "pass:example.com",
     .want = MS_DMARC_NONE,
     .want_disposition = NONE_,
     .want_tag = ANY,
     .want_policy_domain = "-",
     .max_queries = 2},
    {.name = "t-y-lowers",
     .zone = REC("example.com", "v=DMARC1; p=reject; t=y"),
     .headers = "From: a@example.com\r\n",
     .want = MS_DMARC_FAIL,
     .want_disposition = QUAR,
     .want_tag = P,
     .max_queries = 2},
    {.name = "two-from-strictest",
     .zone = REC("good.example", "v=DMARC1; p=none") REC("bad.example", "v=DMARC1; p=reject"),
     .headers = "From: a@good.example\r\nFrom: b@bad.example\r\n",
     .spf = "pass:good.example",
     .want = MS_DMARC_FAIL,
     .want_disposition = REJ,
     .want_tag = P,
     .want_reason = "strictest",
     .want_policy_domain = "bad.example",
     .max_queries = 8},
    {.name = "7489-pct-sampled-out",
     .zone = REC("example.com", "v=DMARC1; p=reject; pct=10"),
     .headers = "From: a@example.com\r\n",
     .mode = MS_DMARC_MODE_RFC7489,
     .pct_roll = 50,
     .want = MS_DMARC_FAIL,
     .want_disposition = QUAR,
     .want_tag = P,
     .max_queries = 2},
    {.name = "7489-pct-sampled-in",
     .zone = REC("example.com", "v=DMARC1; p=reject; pct=10"),
     .headers = "From: a@example.com\r\n",
     .mode = MS_DMARC_MODE_RFC7489,
     .pct_roll = 5,
     .want = MS_DMARC_FAIL,
     .want_disposition = REJ,
     .want_tag = P,
     .max_queries = 2},
};

static ms_psl *load_psl(void)
{
    ms_psl *psl = NULL;
    char err[128];
    assert_int_equal(ms_psl_load(NULL, &psl, err, sizeof(err)), MS_OK);
    return psl;
}

static void test_table(void **state)
{
    (void)state;
    ms_psl *psl = load_psl();
    dmarc_run_table(cases, sizeof(cases) / sizeof(cases[0]), psl);
    ms_psl_free(psl);
    assert_int_equal(n_bad, 0);
}

/* Every field of one verdict. */
static void test_fields(void **state)
{
    (void)state;
    dmarc_case c = {.name = "fields",
                    .zone = REC("example.com", "v=DMARC1; p=quarantine; adkim=s; aspf=r"),
                    .headers = "From: \"Someone\" <a@Example.COM>\r\n",
                    .spf = "fail:example.com",
                    .dkim =
                        "fail:example.com,pass:mail.example.com,pass:example.com,pass:x.example",
                    .want = MS_DMARC_PASS,
                    .want_disposition = NONE_,
                    .want_tag = P,
                    .max_queries = 10};
    dmarc_run r;
    dmarc_run_case(&r, &c, NULL);
    if (dmarc_check_case(&c, &r)) {
        const ms_dmarc_verdict *v = &r.v;
        EXPECT(strcmp(v->from_domain, "example.com") == 0, "from_domain got %s", v->from_domain);
        EXPECT(v->n_from_domains == 1, "n_from_domains got %zu", v->n_from_domains);
        EXPECT(v->org_domain && strcmp(v->org_domain, "example.com") == 0, "org got %s",
               v->org_domain ? v->org_domain : "(null)");
        EXPECT(v->record != NULL && v->record_text != NULL &&
                   strcmp(v->record_text, "v=DMARC1; p=quarantine; adkim=s; aspf=r") == 0,
               "record_text got %s", v->record_text ? v->record_text : "(null)");
        EXPECT(v->adkim == MS_DMARC_ALIGN_STRICT && v->aspf == MS_DMARC_ALIGN_RELAXED,
               "alignment modes");
        EXPECT(!v->spf_aligned && v->spf_result == MS_SPF_FAIL && v->spf_domain &&
                   strcmp(v->spf_domain, "example.com") == 0,
               "spf fields");
        EXPECT(v->dkim_aligned && v->dkim_aligned_index == 2, "dkim index got %zu, want 2",
               v->dkim_aligned_index);
        bool want_each[4] = {false, false, true, false};
        for (size_t i = 0; i < 4; i++) {
            EXPECT(v->dkim_aligned_each[i] == want_each[i], "each[%zu] got %d want %d", i,
                   v->dkim_aligned_each[i], want_each[i]);
        }
        EXPECT(v->policy == MS_DMARC_POLICY_QUARANTINE, "policy got %s",
               ms_dmarc_policy_name(v->policy));
        EXPECT(v->from_domain_exists && !v->testing && !v->sampled_out, "flags");
        EXPECT(ms_trace_count(r.trace) > 3, "trace has %zu steps", ms_trace_count(r.trace));
    }
    dmarc_run_done(&r);
    assert_int_equal(n_bad, 0);
}

/* The display name holding an address is flagged; the domain is the mailbox's (DMARC-16). */
static void test_author_flags(void **state)
{
    (void)state;
    dmarc_case c = {.name = "display-address",
                    .zone = REC("attack.t", "v=DMARC1; p=reject"),
                    .headers = "From: \"admin@legitimate.t\" <x@attack.t>\r\n",
                    .dkim = "pass:legitimate.t",
                    .want = MS_DMARC_FAIL,
                    .want_disposition = REJ,
                    .want_tag = P,
                    .want_policy_domain = "attack.t",
                    .max_queries = 6};
    dmarc_run r;
    dmarc_run_case(&r, &c, NULL);
    if (dmarc_check_case(&c, &r)) {
        EXPECT(r.v.author_flags & MS_MSG_ADDR_DISPLAY_AT, "author_flags got %#x, want DISPLAY_AT",
               r.v.author_flags);
        EXPECT(strcmp(r.v.from_domain, "attack.t") == 0, "from got %s", r.v.from_domain);
    }
    dmarc_run_done(&r);
    assert_int_equal(n_bad, 0);
}

static void test_bad_args(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    ms_resolver *z = dmarc_zone(NULL, NULL);
    ms_dmarc_verdict v;
    ms_dmarc_request req = {0};
    assert_int_equal(ms_dmarc_evaluate(z, NULL, &req, arena, &v, NULL), MS_EINVAL);
    assert_int_equal(ms_dmarc_evaluate(z, NULL, NULL, arena, &v, NULL), MS_EINVAL);
    /* RFC 7489 mode needs a PSL. */
    ms_msg *m = NULL;
    const char *text = "From: a@example.com\r\n\r\n";
    assert_int_equal(ms_msg_parse(text, strlen(text), NULL, arena, &m, NULL), MS_OK);
    req.msg = m;
    ms_dmarc_options opt;
    ms_dmarc_options_default(&opt);
    opt.mode = MS_DMARC_MODE_RFC7489;
    assert_int_equal(ms_dmarc_evaluate(z, &opt, &req, arena, &v, NULL), MS_EINVAL);
    /* A tiny arena: a status, never a crash. */
    ms_arena *tiny = new_arena(512);
    ms_status st = ms_dmarc_evaluate(z, NULL, &req, tiny, &v, NULL);
    assert_true(st == MS_ELIMIT || st == MS_ENOMEM);
    ms_arena_free(tiny);
    ms_resolver_free(z);
    ms_arena_free(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_author_flags),
        cmocka_unit_test(test_bad_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
