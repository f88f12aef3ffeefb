/* SPDX-License-Identifier: MIT */
/* Received-SPF (RFC 7208 §9.1) and the A-R spf part (RFC 8601 §2.7.2): wording per result,
 * quoting of values that are not dot-atoms, comments that cannot be broken by the data in
 * them, and header text that stays one ASCII line whatever the DNS or the client sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/authres.h"

#include "ms_expect.h"

typedef struct field_case {
    const char *name;
    ms_spf_result result;
    ms_spf_identity identity;
    const char *sender, *domain, *mechanism, *reason, *detail;
    const char *mail_from, *helo;
    const char *want_rspf; /* exact Received-SPF value */
    const char *want_ar;   /* exact A-R method part */
} field_case;

static const field_case CASES[] = {
    {"pass", MS_SPF_PASS, MS_SPF_IDENTITY_MAILFROM, "user@example.com", "example.com",
     "ip4:192.0.2.0/24", "the client is authorized (RFC 7208 §2.6.3)", NULL, "user@example.com",
     "mail.example.com",
     "pass (mx.test: domain of user@example.com designates 192.0.2.1 as permitted sender) "
     "receiver=mx.test; client-ip=192.0.2.1; envelope-from=\"user@example.com\"; "
     "helo=mail.example.com; identity=mailfrom; mechanism=\"ip4:192.0.2.0/24\";",
     "spf=pass (domain of user@example.com designates 192.0.2.1 as permitted sender) "
     "smtp.mailfrom=user@example.com"},
    {"fail with brackets stripped", MS_SPF_FAIL, MS_SPF_IDENTITY_MAILFROM, "user@example.com",
     "example.com", "-all", "x", NULL, "<user@example.com>", "h.example",
     "fail (mx.test: domain of user@example.com does not designate 192.0.2.1 as permitted "
     "sender) receiver=mx.test; client-ip=192.0.2.1; envelope-from=\"user@example.com\"; "
     "helo=h.example; identity=mailfrom; mechanism=-all;",
     "spf=fail (domain of user@example.com does not designate 192.0.2.1 as permitted sender) "
     "smtp.mailfrom=user@example.com"},
    {"helo identity", MS_SPF_NONE, MS_SPF_IDENTITY_HELO, "postmaster@h.example", "h.example", NULL,
     "no SPF record", NULL, NULL, "h.example",
     "none (mx.test: domain of postmaster@h.example does not designate permitted sender "
     "hosts) receiver=mx.test; client-ip=192.0.2.1; envelope-from=\"\"; helo=h.example; "
     "identity=helo;",
     "spf=none (domain of postmaster@h.example does not designate permitted sender hosts) "
     "smtp.helo=h.example"},
    {"permerror: section sign, problem quoted", MS_SPF_PERMERROR, MS_SPF_IDENTITY_MAILFROM,
     "a@b.example", "b.example", NULL, "more than one SPF record (RFC 7208 §4.5)",
     "b.example: \"x\"", "a@b.example", "h.example",
     "permerror (mx.test: permanent error in processing during lookup of a@b.example: more "
     "than one SPF record (RFC 7208 section 4.5)) receiver=mx.test; client-ip=192.0.2.1; "
     "envelope-from=\"a@b.example\"; helo=h.example; identity=mailfrom; "
     "problem=\"b.example: \\\"x\\\"\";",
     "spf=permerror (permanent error in processing during lookup of a@b.example: more than one "
     "SPF record (RFC 7208 section 4.5)) smtp.mailfrom=a@b.example"},
    {"hostile sender: unbalanced parens escaped, CR LF neutralised, quoted address",
     MS_SPF_TEMPERROR, MS_SPF_IDENTITY_MAILFROM, "(x\r\nX-Evil: 1@a.example", "a.example", NULL,
     "DNS error", "t\r\n", "(x\r\nX-Evil: 1@a.example", "h.example",
     "temperror (mx.test: error in processing during lookup of \\(x??X-Evil: 1@a.example: DNS "
     "error) receiver=mx.test; client-ip=192.0.2.1; envelope-from=\"(x??X-Evil: "
     "1@a.example\"; helo=h.example; identity=mailfrom; problem=\"t??\";",
     "spf=temperror (error in processing during lookup of \\(x??X-Evil: 1@a.example: DNS "
     "error) smtp.mailfrom=\"(x??X-Evil: 1@a.example\""},
};

static void test_fields(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const field_case *c = &CASES[i];
        ms_arena *arena;
        assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
        ms_spf_verdict v;
        memset(&v, 0, sizeof(v));
        v.result = c->result;
        v.identity = c->identity;
        v.sender = c->sender;
        v.domain = c->domain;
        v.client_ip = "192.0.2.1";
        v.mechanism = c->mechanism;
        v.reason = c->reason;
        v.detail = c->detail;
        ms_spf_request req = {.client_ip = "192.0.2.1",
                              .mail_from = c->mail_from,
                              .helo = c->helo,
                              .identity = c->identity};
        const char *rspf = NULL, *ar = NULL;
        EXPECT(ms_received_spf_format(&v, &req, "mx.test", arena, &rspf) == MS_OK,
               "%s: Received-SPF not formatted", c->name);
        EXPECT(ms_authres_spf_format(&v, arena, &ar) == MS_OK, "%s: A-R not formatted", c->name);
        EXPECT(rspf && strcmp(rspf, c->want_rspf) == 0, "%s: Received-SPF got\n  %s\nwant\n  %s",
               c->name, rspf ? rspf : "(null)", c->want_rspf);
        EXPECT(ar && strcmp(ar, c->want_ar) == 0, "%s: A-R got\n  %s\nwant\n  %s", c->name,
               ar ? ar : "(null)", c->want_ar);
        for (const char *p = rspf; p && *p; p++) {
            EXPECT((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                   "%s: Received-SPF holds byte 0x%02x", c->name, (unsigned char)*p);
        }
        for (const char *p = ar; p && *p; p++) {
            EXPECT((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                   "%s: A-R holds byte 0x%02x", c->name, (unsigned char)*p);
        }
        ms_arena_free(arena);
    }
    assert_int_equal(n_bad, 0);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    const char *out = "unchanged";
    ms_spf_verdict v;
    memset(&v, 0, sizeof(v));
    assert_int_equal(ms_authres_spf_format(NULL, NULL, &out), MS_EINVAL);
    assert_null(out);
    out = "unchanged";
    assert_int_equal(ms_received_spf_format(&v, NULL, NULL, NULL, &out), MS_EINVAL);
    assert_null(out);
}

static void test_cap_reached(void **state)
{
    (void)state;
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 64, &arena), MS_OK);
    ms_spf_verdict v;
    memset(&v, 0, sizeof(v));
    v.result = MS_SPF_PASS;
    v.sender = "someone@a-rather-long-domain-name-that-will-not-fit.example";
    v.client_ip = "192.0.2.1";
    const char *out = NULL;
    /* A full arena is a status, never a cut header. */
    assert_int_equal(ms_authres_spf_format(&v, arena, &out), MS_ELIMIT);
    assert_null(out);
    ms_arena_free(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_cap_reached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
