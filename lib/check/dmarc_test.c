/* SPDX-License-Identifier: MIT */
/* The DMARC part of the domain audit (ms__check_dmarc) alone, over zone text: the record that
 * applies, several or unparsable records, policy strength, t=y, removed tags, rua/ruf, the
 * external destination authorization (RFC 9989 Appendix B.2.3), DNS failures at each lookup,
 * and bad input (64 KiB and binary records, a domain of 127 labels). */
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

typedef struct dmarc_case {
    const char *name;
    const char *domain; /* NULL: shop.example */
    const char *zone;   /* origin shop.example */
    const char *faults;
    const char *want;
    int ok;         /* facts.dmarc_ok */
    int incomplete; /* report->incomplete */
} dmarc_case;

#define AUTH "shop.example._report._dmarc.reports.example.net. TXT \"v=DMARC1;\"\n"

static const dmarc_case CASES[] = {
    {"reject with reports at home", NULL,
     "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@shop.example\"\n", NULL,
     "dmarc-policy-reject", 1, 0},
    {"no record", NULL, "@ A 192.0.2.1\n", NULL, "dmarc-missing", 0, 0},
    {"p=none", NULL, "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@shop.example\"\n", NULL,
     "dmarc-policy-none", 1, 0},
    {"quarantine without rua", NULL, "_dmarc TXT \"v=DMARC1; p=quarantine\"\n", NULL,
     "dmarc-policy-quarantine dmarc-no-rua", 1, 0},
    {"reports to a subdomain of the org", NULL,
     "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@reports.shop.example\"\n", NULL,
     "dmarc-policy-reject", 1, 0},
    {"two records", NULL, "_dmarc TXT \"v=DMARC1; p=reject\"\n_dmarc TXT \"v=DMARC1; p=none\"\n",
     NULL, "dmarc-multiple", 0, 0},
    {"duplicate tag", NULL, "_dmarc TXT \"v=DMARC1; p=reject; p=none\"\n", NULL, "dmarc-syntax", 0,
     0},
    {"missing separator", NULL, "_dmarc TXT \"v=DMARC1; p=reject rua=mailto:d@shop.example\"\n",
     NULL, "dmarc-syntax", 0, 0},
    {"v=DMARC1 not first", NULL, "_dmarc TXT \"p=reject; v=DMARC1\"\n", NULL, "dmarc-syntax", 0, 0},
    {"testing", NULL, "_dmarc TXT \"v=DMARC1; p=reject; t=y; rua=mailto:dmarc@shop.example\"\n",
     NULL, "dmarc-policy-reject dmarc-testing", 1, 0},
    {"removed tags", NULL,
     "_dmarc TXT \"v=DMARC1; p=quarantine; pct=50; rf=afrf; ri=3600; "
     "rua=mailto:dmarc@shop.example\"\n",
     NULL, "dmarc-policy-quarantine dmarc-removed-tags", 1, 0},
    {"sp=none under p=reject", NULL,
     "_dmarc TXT \"v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@shop.example\"\n", NULL,
     "dmarc-policy-reject dmarc-sp-weaker", 1, 0},
    {"ruf at home", NULL,
     "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@shop.example; ruf=mailto:f@shop.example\"\n",
     NULL, "dmarc-policy-reject dmarc-ruf", 1, 0},
    {"rua not mailto", NULL,
     "_dmarc TXT \"v=DMARC1; p=reject; rua=https://reports.example.net/in\"\n", NULL,
     "dmarc-policy-reject dmarc-uri-not-mailto", 1, 0},
    {"bad value falls back, noted", NULL,
     "_dmarc TXT \"v=DMARC1; p=reject; adkim=x; rua=mailto:d@shop.example\"\n", NULL,
     "dmarc-policy-reject dmarc-ignored", 1, 0},
    {"external rua without authorization", NULL,
     "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:agg@reports.example.net\"\n", NULL,
     "dmarc-policy-none dmarc-rua-unauthorized", 1, 0},
    {"external rua authorized", NULL,
     "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:agg@reports.example.net\"\n" AUTH, NULL,
     "dmarc-policy-none", 1, 0},
    {"external rua: authorization without v=DMARC1", NULL,
     "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:agg@reports.example.net\"\n"
     "shop.example._report._dmarc.reports.example.net. TXT \"yes\"\n",
     NULL, "dmarc-policy-none dmarc-rua-unauthorized", 1, 0},
    {"external ruf without authorization", NULL,
     "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@shop.example; "
     "ruf=mailto:f@forensics.example.org\"\n",
     NULL, "dmarc-policy-reject dmarc-ruf dmarc-ruf-unauthorized", 1, 0},
    {"two external rua, one authorized", NULL,
     "_dmarc TXT \"v=DMARC1; p=none; "
     "rua=mailto:agg@reports.example.net,mailto:x@other.example\"\n" AUTH,
     NULL, "dmarc-policy-none dmarc-rua-unauthorized", 1, 0},
    {"subdomain inherits the parent's sp", "news.shop.example",
     "_dmarc TXT \"v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@shop.example\"\n"
     "news A 192.0.2.1\n",
     NULL, "dmarc-inherited dmarc-policy-quarantine", 1, 0},
    {"subdomain: authorization asked for the policy domain", "news.shop.example",
     "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:agg@reports.example.net\"\nnews A "
     "192.0.2.1\n" AUTH,
     NULL, "dmarc-inherited dmarc-policy-reject", 1, 0},
    /* lib/dmarc reads RFC 9989 §4.10.1 as "an invalid record at the author domain: no DMARC
     * processing" (no walk up to the parent's record). */
    {"subdomain with a broken record of its own", "news.shop.example",
     "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@shop.example\"\n"
     "_dmarc.news TXT \"v=DMARC1; p=none; p=none\"\n",
     NULL, "dmarc-syntax", 0, 0},
    {"np=none under sp=reject", NULL,
     "_dmarc TXT \"v=DMARC1; p=reject; np=none; rua=mailto:dmarc@shop.example\"\n", NULL,
     "dmarc-policy-reject dmarc-np-weaker", 1, 0},
    /* DNS failures at each lookup: a finding, incomplete, never a crash. */
    {"timeout in the tree walk", "news.shop.example", "news A 192.0.2.1\n",
     "_dmarc.shop.example/16", "dmarc-dns-error", 0, 1},
    {"timeout at _dmarc", NULL, "@ A 192.0.2.1\n", "_dmarc.shop.example/16", "dmarc-dns-error", 0,
     1},
    {"timeout at the authorization", NULL,
     "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:agg@reports.example.net\"\n",
     "shop.example._report._dmarc.reports.example.net/16", "dmarc-policy-none dmarc-dns-error", 1,
     1},
    /* Bad input. */
    {"NUL bytes", NULL, "_dmarc TXT \"v=DMARC1; p=reject\\000\\000; rua=mailto:d@shop.example\"\n",
     NULL, "dmarc-policy-none dmarc-ignored", 1, 0},
    {"binary bytes", NULL, "_dmarc TXT \"v=DMARC1; p=\\255\\254; rua=mailto:d@shop.example\"\n",
     NULL, "dmarc-policy-none dmarc-ignored", 1, 0},
};

static void run_case(const dmarc_case *k)
{
    check_fixture f;
    ms__check_ctx *c =
        check_new(&f, k->zone, "shop.example", k->domain ? k->domain : "shop.example");
    check_faults(&f, k->faults);
    ms__check_dmarc(c);
    char got[1024];
    EXPECT(c->fatal == MS_OK, "%s: fatal %s", k->name, ms_status_str(c->fatal));
    if (strcmp(k->want, "*") == 0) {
        /* Bad input: some DMARC finding with a message, whatever it is. */
        EXPECT(c->report->n_findings > 0, "%s: no finding", k->name);
    } else {
        EXPECT(check_ids_are(c, k->want), "%s: got ids [%s], want [%s]", k->name,
               check_ids(c, got, sizeof(got)), k->want);
    }
    EXPECT(k->ok < 0 || c->facts.dmarc_ok == (k->ok == 1), "%s: got dmarc_ok %d, want %d", k->name,
           c->facts.dmarc_ok, k->ok);
    EXPECT(c->report->incomplete == (k->incomplete == 1), "%s: got incomplete %d, want %d", k->name,
           c->report->incomplete, k->incomplete);
    for (size_t i = 0; i < c->report->n_findings; i++) {
        const ms_check_finding *x = &c->report->findings[i];
        EXPECT(x->area == MS_CHECK_AREA_DMARC && x->message && x->message[0],
               "%s: finding %s has area %d", k->name, x->id, x->area);
        for (const char *p = x->record; p && *p; p++) {
            EXPECT((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                   "%s: unprintable byte in the record of %s", k->name, x->id);
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

/* The fixes are records to publish. */
static void test_fixes(void **state)
{
    (void)state;
    static const struct {
        const char *name, *zone, *id, *in_fix, *in_message;
    } M[] = {
        {"missing", "@ A 192.0.2.1\n", "dmarc-missing",
         "_dmarc.shop.example. TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@shop.example\"",
         "Gmail and Yahoo"},
        {"unauthorized rua",
         "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:agg@reports.example.net\"\n",
         "dmarc-rua-unauthorized",
         "shop.example._report._dmarc.reports.example.net. TXT \"v=DMARC1;\"",
         "will never be sent to agg@reports.example.net"},
        {"no rua", "_dmarc TXT \"v=DMARC1; p=reject\"\n", "dmarc-no-rua",
         "rua=mailto:dmarc-reports@shop.example", "no rua="},
        {"syntax", "_dmarc TXT \"v=DMARC1; p=reject; p=none\"\n", "dmarc-syntax", "Correct",
         "does not parse at octet"},
    };
    n_bad = 0;
    for (size_t i = 0; i < sizeof(M) / sizeof(M[0]); i++) {
        check_fixture f;
        ms__check_ctx *c = check_new(&f, M[i].zone, "shop.example", "shop.example");
        ms__check_dmarc(c);
        const ms_check_finding *x = check_find(c, M[i].id);
        EXPECT(x != NULL, "%s: no %s", M[i].name, M[i].id);
        if (x != NULL) {
            EXPECT(x->fix && strstr(x->fix, M[i].in_fix), "%s: got fix \"%s\", want %s", M[i].name,
                   x->fix ? x->fix : "(null)", M[i].in_fix);
            EXPECT(strstr(x->message, M[i].in_message), "%s: got message \"%s\", want %s",
                   M[i].name, x->message, M[i].in_message);
        }
        check_free(&f);
    }
    assert_int_equal(n_bad, 0);
}

/* A 64 KiB record, a domain of 127 labels, many external report addresses: bounded. */
static void test_bounds(void **state)
{
    (void)state;
    n_bad = 0;
    size_t cap = 80 * 1024;
    char *zone = malloc(cap);
    assert_non_null(zone);
    size_t len = (size_t)snprintf(zone, cap, "_dmarc TXT \"v=DMARC1; p=reject; \"");
    for (int i = 0; i < 255; i++) {
        len += (size_t)snprintf(zone + len, cap - len, " \"");
        for (int j = 0; j < 255; j++) {
            zone[len++] = 'a';
        }
        zone[len++] = '"';
    }
    len += (size_t)snprintf(zone + len, cap - len, "\n");
    check_fixture f;
    ms__check_ctx *c = check_new(&f, zone, "shop.example", "shop.example");
    ms__check_dmarc(c);
    char got[1024];
    EXPECT(c->fatal == MS_OK && check_find(c, "dmarc-syntax") != NULL, "64 KiB: got [%s]",
           check_ids(c, got, sizeof(got)));
    const ms_check_finding *x = check_find(c, "dmarc-syntax");
    EXPECT(x == NULL || x->record == NULL || strlen(x->record) <= 520, "64 KiB: quoted whole");
    check_free(&f);

    /* 127 labels. */
    char domain[256];
    len = 0;
    for (int i = 0; i < 126; i++) {
        domain[len++] = 'a';
        domain[len++] = '.';
    }
    memcpy(domain + len, "a", 2);
    c = check_new(&f, "@ A 192.0.2.1\n", "shop.example", domain);
    ms__check_dmarc(c);
    EXPECT(c->fatal == MS_OK && check_ids_are(c, "dmarc-missing"), "127 labels: got [%s]",
           check_ids(c, got, sizeof(got)));
    check_free(&f);

    /* 20 external report addresses, none authorized: at most MS_LIMIT_CHECK_REPORT_URIS
     * lookups. */
    len = (size_t)snprintf(zone, cap, "_dmarc TXT \"v=DMARC1; p=none; rua=\"");
    for (int i = 0; i < 20; i++) {
        len += (size_t)snprintf(zone + len, cap - len, " \"%smailto:r@d%d.example.net\"",
                                i ? "," : "", i);
    }
    len += (size_t)snprintf(zone + len, cap - len, "\n");
    c = check_new(&f, zone, "shop.example", "shop.example");
    uint64_t before = ms_resolver_queries(f.zone);
    ms__check_dmarc(c);
    size_t n_unauth = 0;
    for (size_t i = 0; i < c->report->n_findings; i++) {
        n_unauth += strcmp(c->report->findings[i].id, "dmarc-rua-unauthorized") == 0;
    }
    EXPECT(c->fatal == MS_OK && n_unauth >= 1 && n_unauth <= 8, "many rua: %zu unauthorized",
           n_unauth);
    EXPECT(ms_resolver_queries(f.zone) - before <= 8 + 12, "many rua: %llu queries",
           (unsigned long long)(ms_resolver_queries(f.zone) - before));
    check_free(&f);
    free(zone);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_fixes),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
