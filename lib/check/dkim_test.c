/* SPDX-License-Identifier: MIT */
/* The DKIM part of the audit alone (lib/check/dkim.c): key records at given and well-known
 * selectors judged as RFC 6376 §3.6.1, RFC 8301 §3.2 and RFC 8463 §4 ask; CNAMEs pending at
 * the provider; the domain typed twice; DNS failures halfway; huge, binary and long inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/limits.h"
#include "crypto/test_keys.h"
#include "ms_check_test.h"
#include "ms_expect.h"

/* A 2048-bit RSA SubjectPublicKeyInfo (made for these tests), as two TXT strings. */
#define P_2048                                                                                     \
    "\"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6jl2DHNFU03WrCmKyuQA9fPzIlcGt8HJgJK1LFtLInUxSS" \
    "c"                                                                                            \
    "SOqRpV2YGAC3GgSZAGXFA6pFXTpoImP2UjelMk+PIIMFAb4yTvobxG5I2boufP5tLeLfeeWESRFO3xMUNF/3hUjLR8p"  \
    "sdd1T509cg0lTeRLrr\" "                                                                        \
    "\"nbYKBUK96nYUaJlW2nfzcpMw4ySEFq1UUIdfE8ixE5yt10ml/hNBryr3pZNybgBD2IyM3tzEl8IBZpFQI1e70sJ6m/" \
    "1"                                                                                            \
    "EYDGXf9CDu246S21PhMBsJHTz12ACTuvH9VGGzSRcxREsku7d5+uqBJq8dGBqsknf65wPHkl3RJm/fzBU3qDkTkTiayQ" \
    "EDwIDAQAB\""

#define ORIGIN "$ORIGIN shop.example.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n"
#define KEY2048(sel) sel "._domainkey TXT \"v=DKIM1; k=rsa; p=\" " P_2048 "\n"

typedef struct dkim_case {
    const char *name;
    const char *zone;
    const char *selectors[3]; /* given with --selector */
    bool no_common;
    const char *want; /* the finding ids, as a set */
    size_t want_keys; /* facts.n_keys_found */
} dkim_case;

static const dkim_case CASES[] = {
    {"a 2048-bit key at a given selector", ORIGIN KEY2048("mail2024"), {"mail2024"}, true, "", 1},
    {"a 2048-bit key at a well-known selector", ORIGIN KEY2048("google"), {NULL}, false, "", 1},
    {"nothing anywhere", ORIGIN, {NULL}, false, "dkim-none-found", 0},
    {"only given selectors, none there", ORIGIN, {"a", "b"}, true, "dkim-key-missing", 0},
    {"1024-bit key warns (RFC 8301 §3.2 SHOULD 2048)",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; p=" RFC8463_RSA_P "\"\n",
     {"sel"},
     true,
     "dkim-weak-key",
     1},
    {"512-bit key fails (RFC 8301 §3.2 MUST NOT)",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; p=" MAILDKIM_RSA512_P "\"\n",
     {"sel"},
     true,
     "dkim-rsa-under-1024",
     0},
    {"ed25519 key only",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; k=ed25519; p=" RFC8463_ED25519_P "\"\n",
     {"sel"},
     true,
     "dkim-ed25519-only",
     1},
    {"ed25519 and rsa keys",
     ORIGIN KEY2048("rsa") "sel._domainkey TXT \"v=DKIM1; k=ed25519; p=" RFC8463_ED25519_P "\"\n",
     {"sel", "rsa"},
     true,
     "",
     2},
    {"a CNAME target with the domain appended",
     ORIGIN "tok1._domainkey CNAME tok1.dkim.amazonses.com\n",
     {"tok1"},
     true,
     "dkim-domain-twice",
     0},
    {"a CNAME target with the domain appended, at a guess",
     ORIGIN KEY2048("google") "s1._domainkey CNAME s1.domainkey.u123.wl.sendgrid.net\n",
     {NULL},
     false,
     "dkim-domain-twice",
     1},
    {"a CNAME target with the domain appended, the name meant exists",
     ORIGIN "tok1._domainkey CNAME tok1.keys.example\n"
            "tok1.keys.example. 300 TXT \"p=\" " P_2048 "\n",
     {"tok1"},
     true,
     "dkim-domain-twice",
     0},
    {"a CNAME to a pending name inside the domain is only pending",
     ORIGIN "tok1._domainkey CNAME tok1.keys\n",
     {"tok1"},
     true,
     "dkim-cname-pending",
     0},
    {"ed25519 key without k=",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; p=" RFC8463_ED25519_P "\"\n",
     {"sel"},
     true,
     "dkim-key-type-mismatch",
     0},
    {"k=ed25519 with an RSA key",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; k=ed25519; p=" RFC8463_RSA_P "\"\n",
     {"sel"},
     true,
     "dkim-key-type-mismatch",
     0},
    {"t=y testing",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; t=y; p=\" " P_2048 "\n",
     {"sel"},
     true,
     "dkim-testing",
     1},
    {"revoked at a given selector",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; p=\"\n",
     {"sel"},
     true,
     "dkim-revoked",
     0},
    {"revoked at a guess, and nothing else",
     ORIGIN "s1._domainkey TXT \"v=DKIM1; p=\"\n",
     {NULL},
     false,
     "dkim-revoked",
     0},
    {"h=sha1 only",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; h=sha1; p=\" " P_2048 "\n",
     {"sel"},
     true,
     "dkim-key-hash",
     0},
    {"s= without email",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; s=tlsrpt; p=\" " P_2048 "\n",
     {"sel"},
     true,
     "dkim-key-not-email",
     0},
    {"syntax: bad base64",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; p=not*base64\"\n",
     {"sel"},
     true,
     "dkim-key-syntax",
     0},
    {"syntax: v= not first",
     ORIGIN "sel._domainkey TXT \"p=abc; v=DKIM1\"\n",
     {"sel"},
     true,
     "dkim-key-syntax",
     0},
    {"syntax: p= cut short",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; p=MIIBIjANBgkqhkiG9w0B\"\n",
     {"sel"},
     true,
     "dkim-key-syntax",
     0},
    {"two records at one selector",
     ORIGIN KEY2048("sel") "sel._domainkey TXT \"v=DKIM1; p=" RFC8463_RSA_P "\"\n",
     {"sel"},
     true,
     "dkim-key-several dkim-weak-key",
     1},
    {"SES CNAME pending at the provider",
     ORIGIN "tok1._domainkey CNAME tok1.dkim.amazonses.com.\n",
     {"tok1"},
     true,
     "dkim-cname-pending",
     0},
    {"SES CNAME published at the provider",
     ORIGIN "tok1._domainkey CNAME tok1.dkim.amazonses.com.\n"
            "tok1.dkim.amazonses.com. 300 TXT \"p=\" " P_2048 "\n",
     {"tok1"},
     true,
     "",
     1},
    {"the console pasted name is cut to its selector",
     ORIGIN "tok1._domainkey CNAME tok1.dkim.amazonses.com.\n"
            "tok1.dkim.amazonses.com. 300 TXT \"p=\" " P_2048 "\n",
     {"tok1._domainkey.shop.example"},
     true,
     "",
     1},
    {"a pending CNAME at a guess is not reported",
     ORIGIN KEY2048(
         "google") "selector2._domainkey CNAME selector2-shop._domainkey.x.onmicrosoft.com.\n",
     {NULL},
     false,
     "",
     1},
    {"the domain typed twice (TXT)",
     ORIGIN "sel._domainkey.shop.example TXT \"v=DKIM1; p=\" " P_2048 "\n",
     {"sel"},
     true,
     "dkim-domain-twice",
     0},
    {"the domain typed twice (CNAME, pending)",
     ORIGIN "tok1._domainkey.shop.example CNAME tok1.dkim.amazonses.com.\n",
     {"tok1"},
     true,
     "dkim-domain-twice",
     0},
    {"a selector that is not one", ORIGIN, {"bad selector!"}, true, "dkim-selector-invalid", 0},
    {"an empty label", ORIGIN, {"a..b"}, true, "dkim-selector-invalid", 0},
    {"given twice is looked at once", ORIGIN KEY2048("sel"), {"sel", "SEL"}, true, "", 1},
    {"a binary key record",
     ORIGIN "sel._domainkey TXT \"v=DKIM1; p=\\000\\001\\002\\255\\254\"\n",
     {"sel"},
     true,
     "dkim-key-syntax",
     0},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const dkim_case *tc = &CASES[i];
        check_fixture f;
        ms__check_ctx *c = check_new(&f, tc->zone, NULL, "shop.example");
        size_t n = 0;
        while (n < 3 && tc->selectors[n] != NULL) {
            n++;
        }
        f.opt.selectors = tc->selectors;
        f.opt.n_selectors = n;
        f.opt.no_common_selectors = tc->no_common;
        ms__check_dkim(c);
        char got[512];
        EXPECT(c->fatal == MS_OK, "%s: fatal %d", tc->name, c->fatal);
        EXPECT(check_ids_are(c, tc->want), "%s: got ids [%s], want [%s]", tc->name,
               check_ids(c, got, sizeof(got)), tc->want);
        EXPECT(c->facts.n_keys_found == tc->want_keys, "%s: got %zu keys, want %zu", tc->name,
               c->facts.n_keys_found, tc->want_keys);
        for (size_t k = 0; k < f.report.n_findings; k++) {
            const ms_check_finding *x = &f.report.findings[k];
            EXPECT(check_documented(x->id), "%s: %s is not in docs/check-findings.md", tc->name,
                   x->id);
            EXPECT(x->area == MS_CHECK_AREA_DKIM, "%s: %s in area %d", tc->name, x->id, x->area);
            EXPECT(x->message != NULL && x->message[0] != '\0', "%s: %s without a message",
                   tc->name, x->id);
        }
        EXPECT(!f.report.incomplete, "%s: incomplete", tc->name);
        check_free(&f);
    }
    assert_int_equal(n_bad, 0);
}

/* The facts later parts read: CNAME target, pending, key type and size. */
static void test_facts(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c =
        check_new(&f,
                  ORIGIN "tok1._domainkey CNAME tok1.dkim.amazonses.com.\n"
                         "tok2._domainkey CNAME tok2.dkim.amazonses.com.\n"
                         "tok2.dkim.amazonses.com. 300 TXT \"p=\" " P_2048 "\n"
                         "google._domainkey TXT \"v=DKIM1; t=y; p=" RFC8463_RSA_P "\"\n",
                  NULL, "shop.example");
    const char *given[] = {"tok1", "tok2"};
    f.opt.selectors = given;
    f.opt.n_selectors = 2;
    ms__check_dkim(c);
    assert_int_equal(c->fatal, MS_OK);
    assert_int_equal(c->facts.n_selectors, 3);
    const ms__check_selector *s = c->facts.selectors;
    assert_string_equal(s[0].selector, "tok1");
    assert_string_equal(s[0].name, "tok1._domainkey.shop.example");
    assert_string_equal(s[0].cname_target, "tok1.dkim.amazonses.com");
    assert_true(s[0].given && s[0].pending && !s[0].found);
    assert_string_equal(s[1].cname_target, "tok2.dkim.amazonses.com");
    assert_true(s[1].given && !s[1].pending && s[1].found);
    assert_string_equal(s[1].key_type, "rsa");
    assert_int_equal(s[1].key_bits, 2048);
    assert_string_equal(s[2].selector, "google");
    assert_true(!s[2].given && s[2].found && s[2].testing);
    assert_int_equal(s[2].key_bits, 1024);
    assert_null(s[2].cname_target);
    assert_int_equal(c->facts.n_keys_found, 2);
    const ms_check_finding *p = check_find(c, "dkim-cname-pending");
    assert_non_null(p);
    assert_int_equal(p->severity, MS_CHECK_ERROR);
    assert_non_null(strstr(p->message, "not applied yet"));
    assert_non_null(strstr(p->message, "pending at the provider"));
    check_free(&f);
}

/* The fix for the domain typed twice names both names. */
static void test_twice_fix(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c =
        check_new(&f, ORIGIN "tok1._domainkey.shop.example CNAME tok1.dkim.amazonses.com.\n", NULL,
                  "shop.example");
    const char *given[] = {"tok1"};
    f.opt.selectors = given;
    f.opt.n_selectors = 1;
    f.opt.no_common_selectors = true;
    ms__check_dkim(c);
    const ms_check_finding *x = check_find(c, "dkim-domain-twice");
    assert_non_null(x);
    assert_non_null(x->fix);
    assert_non_null(strstr(x->fix, "tok1._domainkey.shop.example.shop.example"));
    assert_non_null(strstr(x->fix, "at tok1._domainkey.shop.example as a CNAME to "
                                   "tok1.dkim.amazonses.com"));
    check_free(&f);
}

/* DNS failing halfway: a dkim-dns-error finding, the report incomplete, the rest still looked
 * at; a timeout on every guess stops the guessing after MS_LIMIT_CHECK_GUESS_FAILURES. */
static void test_dns_failures(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c = check_new(&f, ORIGIN KEY2048("b"), NULL, "shop.example");
    assert_int_equal(
        ms_zone_add_fault(f.zone, "a._domainkey.shop.example", 0, MS_DNS_TEMPFAIL, "timeout"),
        MS_OK);
    const char *given[] = {"a", "b"};
    f.opt.selectors = given;
    f.opt.n_selectors = 2;
    f.opt.no_common_selectors = true;
    ms__check_dkim(c);
    char got[512];
    assert_true(f.report.incomplete);
    EXPECT(check_ids_are(c, "dkim-dns-error"), "halfway: got [%s]", check_ids(c, got, sizeof(got)));
    EXPECT(c->facts.n_keys_found == 1, "halfway: got %zu keys, want 1", c->facts.n_keys_found);
    check_free(&f);

    c = check_new(&f, ORIGIN, NULL, "shop.example");
    for (const char *
             names[] = {"google._domainkey.shop.example", "selector1._domainkey.shop.example",
                        "selector2._domainkey.shop.example", NULL},
            **p = names;
         *p; p++) {
        assert_int_equal(ms_zone_add_fault(f.zone, *p, 0, MS_DNS_TEMPFAIL, "SERVFAIL"), MS_OK);
    }
    uint64_t before = ms_resolver_queries(f.zone);
    ms__check_dkim(c);
    EXPECT(ms_resolver_queries(f.zone) - before == MS_LIMIT_CHECK_GUESS_FAILURES,
           "guessing: got %llu queries, want %u",
           (unsigned long long)(ms_resolver_queries(f.zone) - before),
           MS_LIMIT_CHECK_GUESS_FAILURES);
    EXPECT(check_ids_are(c, "dkim-dns-error"), "guessing: got [%s]",
           check_ids(c, got, sizeof(got)));
    EXPECT(f.report.n_findings == 1, "guessing: got %zu findings, want 1", f.report.n_findings);
    assert_true(f.report.incomplete);
    check_free(&f);
    assert_int_equal(n_bad, 0);
}

/* Bounded: a huge key record, a domain of 127 labels (the key name would not fit), many given
 * selectors. */
static void test_bounds(void **state)
{
    (void)state;
    /* A key record of 40 strings of 250 characters (10,000 bytes, over MS_LIMIT_DKIM_KEY_BYTES). */
    static char zone[16384];
    size_t o = (size_t)snprintf(zone, sizeof(zone), "%ssel._domainkey TXT \"v=DKIM1; p=\"", ORIGIN);
    for (int i = 0; i < 40; i++) {
        zone[o++] = ' ';
        zone[o++] = '"';
        memset(zone + o, 'A', 250);
        o += 250;
        zone[o++] = '"';
    }
    zone[o++] = '\n';
    zone[o] = '\0';
    check_fixture f;
    ms__check_ctx *c = check_new(&f, zone, NULL, "shop.example");
    const char *given[] = {"sel"};
    f.opt.selectors = given;
    f.opt.n_selectors = 1;
    f.opt.no_common_selectors = true;
    ms__check_dkim(c);
    const ms_check_finding *x = check_find(c, "dkim-key-syntax");
    assert_non_null(x);
    assert_non_null(x->record);
    assert_true(strlen(x->record) < MS_LIMIT_CHECK_RECORD_SHOWN);
    check_free(&f);

    /* 127 one-letter labels: 253 characters, the longest name there is. */
    static char longest[256];
    for (size_t i = 0; i < 127; i++) {
        longest[2 * i] = 'a';
        longest[2 * i + 1] = '.';
    }
    longest[253] = '\0';
    c = check_new(&f, NULL, NULL, longest);
    f.opt.selectors = given;
    f.opt.n_selectors = 1;
    ms__check_dkim(c);
    char got[512];
    EXPECT(check_ids_are(c, "dkim-selector-invalid"), "127 labels: got [%s]",
           check_ids(c, got, sizeof(got)));
    EXPECT(ms_resolver_queries(f.zone) == 0, "127 labels: %llu queries",
           (unsigned long long)ms_resolver_queries(f.zone));
    check_free(&f);

    /* More selectors than MS_LIMIT_CHECK_SELECTORS. */
    static const char *many[100];
    static char names[100][8];
    for (int i = 0; i < 100; i++) {
        snprintf(names[i], sizeof(names[i]), "s%d", i + 100);
        many[i] = names[i];
    }
    c = check_new(&f, ORIGIN, NULL, "shop.example");
    f.opt.selectors = many;
    f.opt.n_selectors = 100;
    ms__check_dkim(c);
    EXPECT(c->facts.n_selectors == MS_LIMIT_CHECK_SELECTORS, "many: got %zu selectors",
           c->facts.n_selectors);
    EXPECT(ms_resolver_queries(f.zone) <= 2 * MS_LIMIT_CHECK_SELECTORS, "many: %llu queries",
           (unsigned long long)ms_resolver_queries(f.zone));
    assert_non_null(check_find(c, "dkim-selector-invalid"));
    check_free(&f);
    assert_int_equal(n_bad, 0);
}

/* The demo's shop (examples/zones): SES Easy DKIM with one of its three keys published. */
static void test_demo_zone(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c = check_new(&f, NULL, NULL, "their-shop.example");
    check_load_example(&f, "their-shop.example.zone");
    check_load_example(&f, "providers.zone");
    const char *given[] = {"abcdefgh1234", "ijklmnop5678", "qrstuvwx9012"};
    f.opt.selectors = given;
    f.opt.n_selectors = 3;
    ms__check_dkim(c);
    char got[512];
    EXPECT(check_ids_are(c, "dkim-cname-pending"), "demo: got [%s]",
           check_ids(c, got, sizeof(got)));
    EXPECT(f.report.n_findings == 2, "demo: got %zu findings, want 2", f.report.n_findings);
    EXPECT(c->facts.n_keys_found == 1, "demo: got %zu keys, want 1", c->facts.n_keys_found);
    EXPECT(c->facts.n_selectors == 3 && c->facts.selectors[0].found &&
               c->facts.selectors[0].key_bits == 2048 && c->facts.selectors[1].pending &&
               c->facts.selectors[2].pending,
           "demo: selector facts");
    check_free(&f);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),     cmocka_unit_test(test_facts),
        cmocka_unit_test(test_twice_fix), cmocka_unit_test(test_dns_failures),
        cmocka_unit_test(test_bounds),    cmocka_unit_test(test_demo_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
