/* SPDX-License-Identifier: MIT */
/* The Authentication-Results reader (RFC 8601 §2.2) on fields as real receivers write them
 * (Google, Microsoft, Yahoo, Fastmail, iCloud, OpenDKIM/OpenDMARC, RFC 8601 Appendix B) and on
 * broken ones: what can be read comes back, the rest is listed as problems. Each parse is
 * rendered to one line ("id ; method=result (comment) ptype.prop=value ... !{problem detail}")
 * and compared whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/authres.h"

#include "base/buf.h"
#include "base/limits.h"
#include "ms_expect.h"
#include "ms_test_util.h"

/* One line for the whole parse; problems as !{detail}. */
static const char *render(const ms_authres *ar, ms_arena *a)
{
    ms__buf b;
    ms__buf_init(&b, a, 1u << 16);
    ms__buf_puts(&b, ar->authserv_id);
    if (ar->version != 1) {
        ms__buf_printf(&b, " v%u", ar->version);
    }
    if (ar->none) {
        ms__buf_puts(&b, " none");
    }
    for (size_t i = 0; i < ar->n_methods; i++) {
        const ms_authres_method *m = &ar->methods[i];
        ms__buf_printf(&b, " ; %s", m->method);
        if (m->version != 1) {
            ms__buf_printf(&b, "/%u", m->version);
        }
        ms__buf_printf(&b, "=%s", m->result);
        if (m->comment != NULL) {
            ms__buf_printf(&b, " (%s)", m->comment);
        }
        if (m->reason != NULL) {
            ms__buf_printf(&b, " reason=%s", m->reason);
        }
        for (size_t k = 0; k < m->n_props; k++) {
            ms__buf_printf(&b, " %s.%s=%s", m->props[k].ptype, m->props[k].property,
                           m->props[k].value);
        }
    }
    for (size_t i = 0; i < ar->n_problems; i++) {
        ms__buf_printf(&b, " !{%s}", ar->problems[i].detail);
    }
    return ms__buf_str(&b);
}

typedef struct parse_case {
    const char *name;
    const char *text;
    const char *want;        /* the rendering */
    const char *want_reason; /* a part of the first problem's reason, or NULL */
} parse_case;

static const parse_case CASES[] = {
    {"Google",
     "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 header.b=abc;\r\n"
     "       spf=pass (google.com: domain of x@example.com designates 1.2.3.4 as permitted "
     "sender) smtp.mailfrom=x@example.com;\r\n"
     "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
     "mx.google.com ; dkim=pass header.i=@example.com header.s=20230601 header.b=abc ; spf=pass "
     "(google.com: domain of x@example.com designates 1.2.3.4 as permitted sender) "
     "smtp.mailfrom=x@example.com ; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
     NULL},
    {"Microsoft: no authserv-id, action=none, ';' without space",
     "spf=pass (sender IP is 40.107.1.1) smtp.mailfrom=example.com; dkim=none (message not "
     "signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=pass "
     "reason=100",
     " ; spf=pass (sender IP is 40.107.1.1) smtp.mailfrom=example.com ; dkim=none (message not "
     "signed) header.d=none ; dmarc=none header.from=example.com ; compauth=pass reason=100 !{} "
     "!{action=none}",
     "no authserv-id"},
    {"Microsoft: failing, trailing ';'",
     "spf=softfail (sender IP is 192.0.2.7) smtp.mailfrom=contoso.com; dkim=fail (body hash did "
     "not verify) header.d=contoso.com;dmarc=fail action=oreject header.from=contoso.com;"
     "compauth=fail reason=000;",
     " ; spf=softfail (sender IP is 192.0.2.7) smtp.mailfrom=contoso.com ; dkim=fail (body hash "
     "did not verify) header.d=contoso.com ; dmarc=fail header.from=contoso.com ; compauth=fail "
     "reason=000 !{} !{action=oreject}",
     "no authserv-id"},
    {"Yahoo: comment glued to the result",
     "atlas-production.v2-mail-prod1-gq1.omega.yahoo.com;\r\n dkim=pass "
     "header.i=@example.com header.s=s2048;\r\n spf=pass smtp.mailfrom=example.com;\r\n "
     "dmarc=pass(p=REJECT) header.from=example.com;",
     "atlas-production.v2-mail-prod1-gq1.omega.yahoo.com ; dkim=pass header.i=@example.com "
     "header.s=s2048 ; spf=pass smtp.mailfrom=example.com ; dmarc=pass (p=REJECT) "
     "header.from=example.com",
     NULL},
    {"Yahoo, old: from= without a ptype, bare result",
     "mta4011.mail.bf1.yahoo.com  from=example.com; domainkeys=neutral (no sig);  "
     "from=example.com; dkim=pass (ok)",
     "mta4011.mail.bf1.yahoo.com ; domainkeys=neutral (no sig) ; dkim=pass (ok) "
     "!{from=example.com} !{from=example.com}",
     "where ';' was expected"},
    {"Fastmail: x-bits, policy.*, comment after a value",
     "mx6.messagingengine.com;\r\n    dkim=pass (2048-bit rsa key sha256) header.d=example.com "
     "header.i=@example.com header.b=AbCd1234 header.a=rsa-sha256 header.s=fm1 x-bits=2048;\r\n"
     "    dmarc=pass policy.published-domain-policy=none policy.applied-disposition=none "
     "policy.evaluated-disposition=none (p=none,d=none,d.eval=none) policy.policy-from=p "
     "header.from=example.com;\r\n    iprev=pass smtp.remote-ip=192.0.2.1 (mail.example.com);"
     "\r\n    spf=pass smtp.mailfrom=x@example.com smtp.helo=mail.example.com;\r\n"
     "    x-aligned-from=pass (Address match);\r\n"
     "    bimi=skipped (DMARC Policy is not at enforcement)",
     "mx6.messagingengine.com ; dkim=pass (2048-bit rsa key sha256) header.d=example.com "
     "header.i=@example.com header.b=AbCd1234 header.a=rsa-sha256 header.s=fm1 ; dmarc=pass "
     "policy.published-domain-policy=none policy.applied-disposition=none "
     "policy.evaluated-disposition=none policy.policy-from=p header.from=example.com ; "
     "iprev=pass smtp.remote-ip=192.0.2.1 ; spf=pass smtp.mailfrom=x@example.com "
     "smtp.helo=mail.example.com ; x-aligned-from=pass (Address match) ; bimi=skipped (DMARC "
     "Policy is not at enforcement) !{x-bits=2048}",
     "without a ptype"},
    {"iCloud: quoted reason",
     "mx.icloud.com; dkim=pass (2048-bit key) header.d=example.com header.i=@example.com "
     "header.b=XYZ12345; spf=pass (mx.icloud.com: domain of x@example.com designates 192.0.2.9 "
     "as permitted sender) smtp.mailfrom=x@example.com; dmarc=pass header.from=example.com; "
     "bimi=skipped reason=\"insecure policy\"",
     "mx.icloud.com ; dkim=pass (2048-bit key) header.d=example.com header.i=@example.com "
     "header.b=XYZ12345 ; spf=pass (mx.icloud.com: domain of x@example.com designates 192.0.2.9 "
     "as permitted sender) smtp.mailfrom=x@example.com ; dmarc=pass header.from=example.com ; "
     "bimi=skipped reason=insecure policy",
     NULL},
    {"OpenDKIM: ';' inside a comment, quoted header.b",
     "mail.example.org; dkim=pass (2048-bit key; unprotected) header.d=example.com "
     "header.i=@example.com header.b=\"AbCd/+12\"; dkim-atps=neutral",
     "mail.example.org ; dkim=pass (2048-bit key; unprotected) header.d=example.com "
     "header.i=@example.com header.b=AbCd/+12 ; dkim-atps=neutral",
     NULL},
    {"OpenDMARC", "mail.example.org; dmarc=fail (p=reject dis=none) header.from=example.com",
     "mail.example.org ; dmarc=fail (p=reject dis=none) header.from=example.com", NULL},
    {"RFC 8601 B.4: auth and spf",
     "example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
     "          spf=pass smtp.mailfrom=example.net",
     "example.com ; auth=pass (cram-md5) smtp.auth=sender@example.net ; spf=pass "
     "smtp.mailfrom=example.net",
     NULL},
    {"RFC 8601 B.2: none", "example.org 1; none", "example.org none", NULL},
    {"versions: authserv-id and method",
     "mx.example.com 2; dkim/1=pass header.d=example.com; "
     "iprev=pass policy.iprev=192.0.2.200",
     "mx.example.com v2 ; dkim=pass header.d=example.com ; iprev=pass policy.iprev=192.0.2.200",
     NULL},
    {"quoted authserv-id and quoted local-part",
     "\"MX Example\"; spf=pass smtp.mailfrom=\"john smith\"@example.com",
     "mx example ; spf=pass smtp.mailfrom=john smith@example.com", NULL},
    {"names lowercased, values as written",
     "MX.Example.COM; SPF=PASS SMTP.MailFrom=User@Example.COM",
     "mx.example.com ; spf=pass smtp.mailfrom=User@Example.COM", NULL},
    {"CFWS everywhere, LF-only folding",
     "mx.example.com (ours);\n\tdkim (m) = (r) pass\n\t header . d = (c) example.com (after)",
     "mx.example.com ; dkim=pass header.d=example.com", NULL},
    {"nested comments", "mx.example.com; dkim=pass (good (really (yes))) header.d=example.com",
     "mx.example.com ; dkim=pass (good (really (yes))) header.d=example.com", NULL},
    {"DMARC-26: value ends at a comment, header.d",
     "mx.example.com; dkim=pass header.d=legitimate.t(.attack.t",
     "mx.example.com ; dkim=pass header.d=legitimate.t !{(.attack.t}", "unterminated comment"},
    {"DMARC-26: value ends at a comment, smtp.mailfrom",
     "mx.example.com; spf=pass smtp.mailfrom=x@legitimate.t(.attack.t; dmarc=pass",
     "mx.example.com ; spf=pass smtp.mailfrom=x@legitimate.t ; dmarc=pass !{(.attack.t}",
     "unterminated comment"},
    {"missing ';' between methods",
     "mx.example.com; spf=pass smtp.mailfrom=example.com dkim=pass header.d=example.com",
     "mx.example.com ; spf=pass smtp.mailfrom=example.com ; dkim=pass header.d=example.com "
     "!{dkim}",
     "missing ';'"},
    {"stray words: the rest of that result is skipped",
     "mx.example.com; spf=pass good smtp.mailfrom=example.com; dkim=pass header.d=example.com",
     "mx.example.com ; spf=pass ; dkim=pass header.d=example.com "
     "!{good smtp.mailfrom=example.com}",
     "where a property was expected"},
    {"unbalanced comment: on at the next ';'",
     "mx.example.com; spf=pass (oops smtp.mailfrom=example.com; dkim=pass header.d=example.com",
     "mx.example.com ; spf=pass ; dkim=pass header.d=example.com "
     "!{(oops smtp.mailfrom=example.com}",
     "unterminated comment"},
    {"method without a result, bad result, empty resinfo",
     "mx.example.com; spf; dkim=pass.x header.d=a.example;; dmarc=fail",
     "mx.example.com ; dmarc=fail !{spf} !{dkim=pass.x header.d=a.example}",
     "method without a result"},
    {"authserv-id alone", "mx.example.com", "mx.example.com !{}", "no result"},
    {"unterminated quoted value",
     "mx.example.com; dkim=fail reason=\"bad; spf=pass smtp.mailfrom=a.example",
     "mx.example.com ; dkim=fail ; spf=pass smtp.mailfrom=a.example !{\"bad}",
     "unterminated quoted-string"},
    {"none next to results", "mx.example.com; spf=pass smtp.mailfrom=a.example; none",
     "mx.example.com ; spf=pass smtp.mailfrom=a.example !{none}", "beside"},
};

static void check_problem_offsets(const char *name, const char *text, size_t len,
                                  const ms_authres *ar)
{
    for (size_t i = 0; i < ar->n_problems; i++) {
        const ms_authres_problem *pr = &ar->problems[i];
        size_t n = strlen(pr->detail);
        EXPECT(pr->reason != NULL && pr->offset <= len, "%s: problem %zu: offset %zu of %zu", name,
               i, pr->offset, len);
        if (strchr(pr->detail, '?') == NULL && pr->offset + n <= len) {
            EXPECT(memcmp(text + pr->offset, pr->detail, n) == 0,
                   "%s: problem %zu: detail {%s} is not the text at %zu", name, i, pr->detail,
                   pr->offset);
        }
    }
}

static void test_real_world(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const parse_case *c = &CASES[i];
        ms_arena *a = new_arena(0);
        size_t len = strlen(c->text);
        char *text = exact(c->text, len);
        const ms_authres *ar = NULL;
        ms_msg_error err;
        ms_status st = ms_authres_parse(text, len, a, &ar, &err);
        EXPECT(st == MS_OK, "%s: got %s, want MS_OK", c->name, ms_status_name(st));
        if (st == MS_OK) {
            const char *got = render(ar, a);
            EXPECT(strcmp(got, c->want) == 0, "%s:\n got  %s\n want %s", c->name, got, c->want);
            if (c->want_reason != NULL) {
                EXPECT(ar->n_problems > 0 && strstr(ar->problems[0].reason, c->want_reason),
                       "%s: first problem reason %s, want one with \"%s\"", c->name,
                       ar->n_problems ? ar->problems[0].reason : "(none)", c->want_reason);
            } else {
                EXPECT(ar->n_problems == 0, "%s: got %zu problems, want none", c->name,
                       ar->n_problems);
            }
            check_problem_offsets(c->name, text, len, ar);
        }
        free(text);
        ms_arena_free(a);
    }
    assert_int_equal(n_bad, 0);
}

typedef struct syntax_case {
    const char *name;
    const char *text;
    size_t len; /* 0: strlen */
} syntax_case;

static const syntax_case SYNTAX[] = {
    {"empty", "", 0},
    {"only white space and a comment", "  \r\n\t(just a comment)  ", 0},
    {"starts with ';'", "; spf=pass smtp.mailfrom=a.example", 0},
    {"starts with an unterminated quoted-string", "\"mx.example.com; spf=pass", 0},
    {"starts with a NUL", "\0mx.example.com; spf=pass", 25},
};

static void test_no_authserv_id(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(SYNTAX) / sizeof(SYNTAX[0]); i++) {
        const syntax_case *c = &SYNTAX[i];
        size_t len = c->len ? c->len : strlen(c->text);
        char *text = exact(c->text, len);
        ms_arena *a = new_arena(0);
        const ms_authres *ar = (const ms_authres *)1;
        ms_msg_error err;
        ms_status st = ms_authres_parse(text, len, a, &ar, &err);
        EXPECT(st == MS_ESYNTAX, "%s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        EXPECT(ar == NULL, "%s: got a result, want NULL", c->name);
        EXPECT(err.reason != NULL && strstr(err.reason, "RFC 8601") != NULL && err.offset <= len,
               "%s: got reason %s offset %zu, want an RFC 8601 reason", c->name,
               err.reason ? err.reason : "(null)", err.offset);
        free(text);
        ms_arena_free(a);
    }
    assert_int_equal(n_bad, 0);
}

static void test_limits(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    ms__buf b;
    /* more methods than the cap */
    ms__buf_init(&b, a, MS_LIMIT_AUTHRES_BYTES);
    ms__buf_puts(&b, "mx.example.com");
    for (unsigned i = 0; i <= MS_LIMIT_AUTHRES_METHODS; i++) {
        ms__buf_printf(&b, "; spf=pass smtp.mailfrom=a%u.example", i);
    }
    assert_int_equal(ms__buf_status(&b), MS_OK);
    const ms_authres *ar = NULL;
    ms_msg_error err;
    const char *t = ms__buf_str(&b);
    assert_int_equal(ms_authres_parse(t, strlen(t), a, &ar, &err), MS_ELIMIT);
    assert_non_null(strstr(err.reason, "too many method"));
    /* more properties than the cap */
    ms__buf_init(&b, a, MS_LIMIT_AUTHRES_BYTES);
    ms__buf_puts(&b, "mx.example.com; dkim=pass");
    for (unsigned i = 0; i <= MS_LIMIT_AUTHRES_PROPS; i++) {
        ms__buf_printf(&b, " header.x%u=v", i);
    }
    t = ms__buf_str(&b);
    assert_int_equal(ms_authres_parse(t, strlen(t), a, &ar, &err), MS_ELIMIT);
    assert_non_null(strstr(err.reason, "too many properties"));
    /* exactly the caps are fine */
    ms__buf_init(&b, a, MS_LIMIT_AUTHRES_BYTES);
    ms__buf_puts(&b, "mx.example.com; dkim=pass");
    for (unsigned i = 0; i < MS_LIMIT_AUTHRES_PROPS; i++) {
        ms__buf_printf(&b, " header.x%u=v", i);
    }
    t = ms__buf_str(&b);
    assert_int_equal(ms_authres_parse(t, strlen(t), a, &ar, &err), MS_OK);
    assert_int_equal(ar->methods[0].n_props, MS_LIMIT_AUTHRES_PROPS);
    /* too long */
    char *big = calloc(MS_LIMIT_AUTHRES_BYTES + 1, 1);
    assert_non_null(big);
    memset(big, 'a', MS_LIMIT_AUTHRES_BYTES + 1);
    assert_int_equal(ms_authres_parse(big, MS_LIMIT_AUTHRES_BYTES + 1, a, &ar, &err), MS_ELIMIT);
    assert_null(ar);
    free(big);
    ms_arena_free(a);
}

/* A small arena: every size either parses or stops with the arena's status and a reason. */
static void test_small_arena(void **state)
{
    (void)state;
    n_bad = 0;
    const char *t = CASES[0].text;
    unsigned n_stopped = 0, n_parsed = 0;
    for (size_t cap = 256; cap <= 16384; cap += 256) {
        ms_arena *a = new_arena(cap);
        const ms_authres *ar = NULL;
        ms_msg_error err;
        ms_status st = ms_authres_parse(t, strlen(t), a, &ar, &err);
        if (st == MS_OK) {
            EXPECT(ar != NULL && ar->n_methods == 3, "cap %zu: got an incomplete result", cap);
            n_parsed++;
        } else {
            n_stopped++;
            EXPECT((st == MS_ELIMIT || st == MS_ENOMEM) && ar == NULL && err.reason != NULL,
                   "cap %zu: got %s (reason %s), want MS_ELIMIT with a reason", cap,
                   ms_status_name(st), err.reason ? err.reason : "(null)");
        }
        ms_arena_free(a);
    }
    EXPECT(n_stopped > 0 && n_parsed > 0, "got %u stopped and %u parsed, want some of each",
           n_stopped, n_parsed);
    assert_int_equal(n_bad, 0);
}

static void test_prop_get(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    const char *t = "mx.example.com; dkim=pass header.d=a.example header.D=b.example "
                    "header.s=sel";
    const ms_authres *ar = NULL;
    assert_int_equal(ms_authres_parse(t, strlen(t), a, &ar, NULL), MS_OK);
    assert_int_equal(ar->n_methods, 1);
    const ms_authres_method *m = &ar->methods[0];
    assert_string_equal(ms_authres_prop_get(m, "header", "d"), "a.example"); /* the first */
    assert_string_equal(ms_authres_prop_get(m, "HEADER", "S"), "sel");
    assert_null(ms_authres_prop_get(m, "header", "i"));
    assert_null(ms_authres_prop_get(m, "smtp", "d"));
    assert_null(ms_authres_prop_get(NULL, "header", "d"));
    assert_int_equal(ms_authres_parse(NULL, 0, a, &ar, NULL), MS_ESYNTAX);
    assert_int_equal(ms_authres_parse(t, strlen(t), NULL, &ar, NULL), MS_EINVAL);
    ms_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_world), cmocka_unit_test(test_no_authserv_id),
        cmocka_unit_test(test_limits),     cmocka_unit_test(test_small_arena),
        cmocka_unit_test(test_prop_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
