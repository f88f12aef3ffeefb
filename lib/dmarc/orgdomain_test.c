/* SPDX-License-Identifier: MIT */
/* Policy discovery and organizational domains: the RFC 9989 §4.10 tree walk (the names asked,
 * in order; the skip to seven labels; psd=y/n; §4.10.2 selection; DNS errors at each step),
 * RFC 7489 §6.6.3 with the Public Suffix List, and the libpsl wrapper. */
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

typedef struct disc_case {
    const char *name;
    const char *zone;
    const char *faults;
    const char *domain;
    ms_dmarc_mode mode;
    ms_dmarc_discovery_status want;
    const char *want_policy_domain; /* NULL: none */
    const char *want_org;           /* NULL: none */
    const char *want_queried;       /* names joined by " " */
    const char *want_reason;        /* substring */
} disc_case;

static const disc_case disc_cases[] = {
    {"simple",
     REC("example.com", "v=DMARC1; p=reject") REC("signing.example.com", "v=DMARC1; p=none"), NULL,
     "example.com", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "example.com", "example.com",
     "_dmarc.example.com _dmarc.com", "author domain"},
    {"deep", REC("example.com", "v=DMARC1; p=reject"), NULL, "a.b.c.d.e.f.g.h.i.j.k.example.com",
     MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "example.com", "example.com",
     "_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com _dmarc.g.h.i.j.k.example.com "
     "_dmarc.h.i.j.k.example.com _dmarc.i.j.k.example.com _dmarc.j.k.example.com "
     "_dmarc.k.example.com _dmarc.example.com _dmarc.com",
     "organizational"},
    {"eight-labels", REC("example.com", "v=DMARC1; p=reject"), NULL, "a.b.c.d.e.f.example.com",
     MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "example.com", "example.com",
     "_dmarc.a.b.c.d.e.f.example.com _dmarc.b.c.d.e.f.example.com _dmarc.c.d.e.f.example.com "
     "_dmarc.d.e.f.example.com _dmarc.e.f.example.com _dmarc.f.example.com _dmarc.example.com "
     "_dmarc.com",
     NULL},
    {"psd-y",
     REC("bank.example", "v=DMARC1; p=reject; psd=y")
         REC("giant.bank.example", "v=DMARC1; p=quarantine"),
     NULL, "giant.bank.example", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND,
     "giant.bank.example", "giant.bank.example", "_dmarc.giant.bank.example _dmarc.bank.example",
     NULL},
    {"psd-y-policy-of-psd", REC("bank.example", "v=DMARC1; p=reject; psd=y"), NULL,
     "mail.mega.bank.example", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "bank.example",
     "mega.bank.example",
     "_dmarc.mail.mega.bank.example _dmarc.mega.bank.example _dmarc.bank.example", "psd=y"},
    {"psd-n-stops",
     REC("mail.example.com", "v=DMARC1; p=reject; psd=n") REC("example.com", "v=DMARC1; p=none"),
     NULL, "a.mail.example.com", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND,
     "mail.example.com", "mail.example.com", "_dmarc.a.mail.example.com _dmarc.mail.example.com",
     NULL},
    {"fewest-labels",
     REC("mail.example.com", "v=DMARC1; p=reject") REC("example.com", "v=DMARC1; p=none"), NULL,
     "a.mail.example.com", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "example.com",
     "example.com",
     "_dmarc.a.mail.example.com _dmarc.mail.example.com _dmarc.example.com _dmarc.com", NULL},
    {"none", "example.com. A 192.0.2.1\n", NULL, "example.com", MS_DMARC_MODE_RFC9989,
     MS_DMARC_DISCOVERY_NONE, NULL, "example.com", "_dmarc.example.com _dmarc.com", "§4.10.1"},
    {"non-dmarc-txt-ignored",
     "_dmarc.example.com. TXT \"v=spf1 -all\"\n" REC("example.com", "v=DMARC1; p=reject"), NULL,
     "example.com", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "example.com", "example.com",
     NULL, NULL},
    {"many-at-author-walks-on",
     REC("a.example.com", "v=DMARC1; p=none") REC("a.example.com", "v=DMARC1; p=reject")
         REC("example.com", "v=DMARC1; p=quarantine"),
     NULL, "a.example.com", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "example.com",
     "example.com", NULL, NULL},
    {"invalid-at-author", REC("example.com", "v=DMARC1; p=reject; p=none"), NULL, "example.com",
     MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_NONE, NULL, NULL, "_dmarc.example.com", "invalid"},
    {"temperror-author", REC("example.com", "v=DMARC1; p=reject"), "_dmarc.a.example.com TXT",
     "a.example.com", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_TEMPERROR, NULL, NULL,
     "_dmarc.a.example.com", "temporary"},
    {"temperror-parent", REC("example.com", "v=DMARC1; p=reject"), "_dmarc.example.com TXT",
     "a.example.com", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_TEMPERROR, NULL, NULL,
     "_dmarc.a.example.com _dmarc.example.com", "temporary"},
    {"temperror-tld-after-author-record", REC("example.com", "v=DMARC1; p=reject"),
     "_dmarc.com TXT", "example.com", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND,
     "example.com", NULL, "_dmarc.example.com _dmarc.com", NULL},
    {"7489-org", REC("example.co.uk", "v=DMARC1; p=reject"), NULL, "a.b.example.co.uk",
     MS_DMARC_MODE_RFC7489, MS_DMARC_DISCOVERY_FOUND, "example.co.uk", "example.co.uk",
     "_dmarc.a.b.example.co.uk _dmarc.example.co.uk", "organizational"},
    {"7489-many-at-author-stops",
     REC("a.example.com", "v=DMARC1; p=none") REC("a.example.com", "v=DMARC1; p=reject")
         REC("example.com", "v=DMARC1; p=quarantine"),
     NULL, "a.example.com", MS_DMARC_MODE_RFC7489, MS_DMARC_DISCOVERY_NONE, NULL, "example.com",
     "_dmarc.a.example.com", "DMARC-23"},
    {"7489-none", NULL, NULL, "example.com", MS_DMARC_MODE_RFC7489, MS_DMARC_DISCOVERY_NONE, NULL,
     "example.com", "_dmarc.example.com", "own organizational"},
    {"7489-temperror-org", NULL, "_dmarc.example.com TXT", "a.example.com", MS_DMARC_MODE_RFC7489,
     MS_DMARC_DISCOVERY_TEMPERROR, NULL, "example.com", "_dmarc.a.example.com _dmarc.example.com",
     "temporary"},
    {"trailing-dot-and-case", REC("example.com", "v=DMARC1; p=reject"), NULL, "Example.COM.",
     MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "example.com", "example.com", NULL, NULL},
    {"u-label-to-a-label", REC("xn--bcher-kva.example", "v=DMARC1; p=reject"), NULL,
     "b\xc3\xbc"
     "cher.example",
     MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_FOUND, "xn--bcher-kva.example",
     "xn--bcher-kva.example", NULL, NULL},
    {"not-a-domain", NULL, NULL, "-bad.example", MS_DMARC_MODE_RFC9989, MS_DMARC_DISCOVERY_NONE,
     NULL, NULL, "", "RFC 5321"},
};

static void join(const ms_dmarc_discovery *d, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n_queried && pos < size; i++) {
        int n = snprintf(buf + pos, size - pos, "%s%s", i ? " " : "", d->queried[i]);
        pos += n > 0 ? (size_t)n : 0;
    }
}

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void test_discover(void **state)
{
    (void)state;
    ms_psl *psl = NULL;
    char perr[128];
    assert_int_equal(ms_psl_load(NULL, &psl, perr, sizeof(perr)), MS_OK);
    for (size_t i = 0; i < sizeof(disc_cases) / sizeof(disc_cases[0]); i++) {
        const disc_case *c = &disc_cases[i];
        ms_arena *arena = new_arena(0);
        ms_resolver *z = dmarc_zone(c->zone, c->faults);
        ms_trace *trace = NULL;
        assert_int_equal(ms_trace_new(arena, &trace), MS_OK);
        ms_dmarc_options opt;
        ms_dmarc_options_default(&opt);
        opt.mode = c->mode;
        opt.psl = psl;
        ms_dmarc_discovery d;
        ms_status st = ms_dmarc_discover(z, &opt, c->domain, arena, &d, trace);
        EXPECT(st == MS_OK, "%s: got %s", c->name, ms_status_name(st));
        if (st == MS_OK) {
            EXPECT(d.status == c->want, "%s: got status %d, want %d (%s)", c->name, d.status,
                   c->want, d.reason ? d.reason : "");
            EXPECT(same(d.policy_domain, c->want_policy_domain),
                   "%s: policy domain got %s, want %s", c->name,
                   d.policy_domain ? d.policy_domain : "(null)",
                   c->want_policy_domain ? c->want_policy_domain : "(null)");
            EXPECT(same(d.org_domain, c->want_org), "%s: org got %s, want %s", c->name,
                   d.org_domain ? d.org_domain : "(null)", c->want_org ? c->want_org : "(null)");
            EXPECT((d.status == MS_DMARC_DISCOVERY_FOUND) == (d.record != NULL),
                   "%s: record and status disagree", c->name);
            EXPECT(d.reason != NULL && strstr(d.reason, "RFC") != NULL, "%s: reason %s", c->name,
                   d.reason ? d.reason : "(null)");
            if (c->want_reason != NULL) {
                EXPECT((d.reason && strstr(d.reason, c->want_reason)) ||
                           (d.detail && strstr(d.detail, c->want_reason)),
                       "%s: reason \"%s\" detail \"%s\", want \"%s\"", c->name,
                       d.reason ? d.reason : "", d.detail ? d.detail : "", c->want_reason);
            }
            if (c->want_queried != NULL) {
                char got[1024];
                join(&d, got, sizeof(got));
                EXPECT(strcmp(got, c->want_queried) == 0, "%s: queried\n got  %s\n want %s",
                       c->name, got, c->want_queried);
            }
            EXPECT(ms_resolver_queries(z) <= 9, "%s: %llu questions", c->name,
                   (unsigned long long)ms_resolver_queries(z));
        }
        ms_resolver_free(z);
        ms_arena_free(arena);
    }
    ms_psl_free(psl);
    assert_int_equal(n_bad, 0);
}

/* 127 labels (253 octets): eight questions at most; longer: no question at all. */
static void test_long_names(void **state)
{
    (void)state;
    char name[600];
    size_t pos = 0;
    for (int i = 0; i < 126; i++) {
        name[pos++] = 'a';
        name[pos++] = '.';
    }
    name[pos++] = 't';
    name[pos] = '\0';
    assert_int_equal(strlen(name), 253);
    ms_arena *arena = new_arena(0);
    ms_resolver *z = dmarc_zone("_dmarc.a.t. TXT \"v=DMARC1; p=reject\"\n", NULL);
    ms_dmarc_discovery d;
    assert_int_equal(ms_dmarc_discover(z, NULL, name, arena, &d, NULL), MS_OK);
    EXPECT(ms_resolver_queries(z) <= 8, "127 labels: %llu questions, want <= 8",
           (unsigned long long)ms_resolver_queries(z));
    EXPECT(d.status == MS_DMARC_DISCOVERY_FOUND && strcmp(d.policy_domain, "a.t") == 0,
           "127 labels: status %d policy %s", d.status, d.policy_domain ? d.policy_domain : "-");
    /* _dmarc. + 253 octets cannot be asked: skipped, the walk goes on. */
    EXPECT(d.n_queried >= 1 && strstr(d.queried[0], "_dmarc.a.a.") != NULL, "first name");
    const char *org = NULL;
    assert_int_equal(ms_dmarc_org_domain(z, NULL, name, arena, &org, NULL), MS_OK);
    EXPECT(org != NULL && strcmp(org, "a.t") == 0, "org of 127 labels got %s", org ? org : "-");
    /* 255 octets: not a domain. */
    name[pos++] = 'x';
    name[pos++] = 'x';
    name[pos] = '\0';
    uint64_t before = ms_resolver_queries(z);
    assert_int_equal(ms_dmarc_discover(z, NULL, name, arena, &d, NULL), MS_OK);
    EXPECT(d.status == MS_DMARC_DISCOVERY_NONE && ms_resolver_queries(z) == before,
           "too long: status %d, %llu new questions", d.status,
           (unsigned long long)(ms_resolver_queries(z) - before));
    ms_resolver_free(z);
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

static void test_org_domain(void **state)
{
    (void)state;
    static const struct {
        const char *domain, *want;
    } cases[] = {
        {"signing.example.com", "example.com"},
        {"example.com", "example.com"},
        {"mail.mega.bank.example", "mega.bank.example"},
        {"nothing.example.org", "nothing.example.org"},
    };
    ms_arena *arena = new_arena(0);
    ms_resolver *z = dmarc_zone(REC("example.com", "v=DMARC1; p=none")
                                    REC("signing.example.com", "v=DMARC1; p=none")
                                        REC("bank.example", "v=DMARC1; p=none; psd=y"),
                                "_dmarc.broken.example TXT");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *org = NULL;
        assert_int_equal(ms_dmarc_org_domain(z, NULL, cases[i].domain, arena, &org, NULL), MS_OK);
        EXPECT(same(org, cases[i].want), "%s: got %s, want %s", cases[i].domain,
               org ? org : "(null)", cases[i].want);
    }
    const char *org = "x";
    assert_int_equal(ms_dmarc_org_domain(z, NULL, "a.broken.example", arena, &org, NULL), MS_OK);
    EXPECT(org == NULL, "temperror: got %s, want NULL", org ? org : "(null)");
    ms_resolver_free(z);
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

static void test_psl(void **state)
{
    (void)state;
    ms_psl *psl = NULL;
    char err[256] = "";
    assert_int_equal(ms_psl_load("/nonexistent/psl.dat", &psl, err, sizeof(err)), MS_EIO);
    EXPECT(psl == NULL && strstr(err, "/nonexistent/psl.dat") != NULL, "error text: %s", err);
    assert_int_equal(ms_psl_load(NULL, &psl, err, sizeof(err)), MS_OK);
    static const struct {
        const char *domain, *want;
    } cases[] = {
        {"a.bank.co.uk", "bank.co.uk"},
        {"EVIL.co.uk", "evil.co.uk"},
        {"co.uk", NULL},
        {"victim.github.io", "victim.github.io"},
        {"x.victim.github.io", "victim.github.io"},
        {"example.com.", "example.com"},
        {".example.com", NULL},
        {"a..example.com", NULL},
        {"", NULL},
    };
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = NULL;
        assert_int_equal(ms_psl_org_domain(psl, cases[i].domain, arena, &got), MS_OK);
        EXPECT(same(got, cases[i].want), "%s: got %s, want %s", cases[i].domain,
               got ? got : "(null)", cases[i].want ? cases[i].want : "(null)");
    }
    ms_psl_free(psl);
    ms_psl_free(NULL);
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discover),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_org_domain),
        cmocka_unit_test(test_psl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
