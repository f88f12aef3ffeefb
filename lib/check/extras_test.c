/* SPDX-License-Identifier: MIT */
/* The audit's extras alone (lib/check/extras.c): MX and null MX (RFC 5321 §5.1, RFC 7505),
 * MTA-STS (RFC 8461 §3.1), TLS-RPT (RFC 8460 §3), BIMI and its DMARC enforcement, DNSSEC from
 * the resolver's flags; DNS failures halfway; huge, binary and long inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/limits.h"
#include "dns/resolver.h"
#include "ms_check_test.h"
#include "ms_expect.h"

#define ORIGIN "$ORIGIN shop.example.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n"
#define MX "@ MX 10 mail\nmail A 192.0.2.25\n"
#define STS "_mta-sts TXT \"v=STSv1; id=20260101T000000\"\n"
#define RPT "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tls@shop.example\"\n"
#define BIMI                                                                                       \
    "default._bimi TXT \"v=BIMI1; l=https://shop.example/logo.svg; "                               \
    "a=https://shop.example/vmc.pem\"\n"
#define ALL_GOOD ORIGIN MX STS RPT

/* DMARC as the dmarc part would have found it. */
typedef enum { DMARC_NONE_FOUND, DMARC_P_NONE, DMARC_REJECT, DMARC_REJECT_PCT50 } dmarc_state;

typedef struct extras_case {
    const char *name;
    const char *zone;
    dmarc_state dmarc;
    const char *want; /* finding ids, as a set */
} extras_case;

static const extras_case CASES[] = {
    {"all in order", ALL_GOOD, DMARC_REJECT, "dnssec-unsigned bimi-missing"},
    {"nothing but the SOA", ORIGIN, DMARC_NONE_FOUND,
     "mx-missing mta-sts-missing tls-rpt-missing bimi-missing dnssec-unsigned"},
    {"no MX but an address (implicit MX)", ORIGIN "@ A 192.0.2.80\n" STS RPT, DMARC_REJECT,
     "mx-missing bimi-missing dnssec-unsigned"},
    {"null MX", ORIGIN "@ MX 0 .\n" STS RPT, DMARC_REJECT, "mx-null bimi-missing dnssec-unsigned"},
    {"null MX and a real one", ORIGIN "@ MX 0 .\n" MX STS RPT, DMARC_REJECT,
     "mx-null-mixed bimi-missing dnssec-unsigned"},
    {"MTA-STS: no id", ORIGIN MX "_mta-sts TXT \"v=STSv1;\"\n" RPT, DMARC_REJECT,
     "mta-sts-syntax bimi-missing dnssec-unsigned"},
    {"MTA-STS: id too long",
     ORIGIN MX "_mta-sts TXT \"v=STSv1; id=123456789012345678901234567890123\"\n" RPT, DMARC_REJECT,
     "mta-sts-syntax bimi-missing dnssec-unsigned"},
    {"MTA-STS: id with a dash", ORIGIN MX "_mta-sts TXT \"v=STSv1; id=2026-01-01\"\n" RPT,
     DMARC_REJECT, "mta-sts-syntax bimi-missing dnssec-unsigned"},
    {"MTA-STS: lowercase version", ORIGIN MX "_mta-sts TXT \"v=stsv1; id=1\"\n" RPT, DMARC_REJECT,
     "mta-sts-syntax bimi-missing dnssec-unsigned"},
    {"MTA-STS: an extension and a trailing delimiter",
     ORIGIN MX "_mta-sts TXT \"v=STSv1 ; id=abc ; ext.x-1=val ;\"\n" RPT, DMARC_REJECT,
     "bimi-missing dnssec-unsigned"},
    {"MTA-STS: two records", ORIGIN MX STS "_mta-sts TXT \"v=STSv1; id=2\"\n" RPT, DMARC_REJECT,
     "mta-sts-syntax bimi-missing dnssec-unsigned"},
    {"MTA-STS: other TXT only", ORIGIN MX "_mta-sts TXT \"hello\"\n" RPT, DMARC_REJECT,
     "mta-sts-syntax bimi-missing dnssec-unsigned"},
    {"TLS-RPT: https and mailto",
     ORIGIN MX STS
     "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:a@shop.example , https://r.example/tls\"\n",
     DMARC_REJECT, "bimi-missing dnssec-unsigned"},
    {"TLS-RPT: no rua", ORIGIN MX STS "_smtp._tls TXT \"v=TLSRPTv1;\"\n", DMARC_REJECT,
     "tls-rpt-syntax bimi-missing dnssec-unsigned"},
    {"TLS-RPT: http is not a scheme it takes",
     ORIGIN MX STS "_smtp._tls TXT \"v=TLSRPTv1; rua=http://r.example/\"\n", DMARC_REJECT,
     "tls-rpt-syntax bimi-missing dnssec-unsigned"},
    {"TLS-RPT: mailto without an address",
     ORIGIN MX STS "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:\"\n", DMARC_REJECT,
     "tls-rpt-syntax bimi-missing dnssec-unsigned"},
    {"TLS-RPT: v= not first",
     ORIGIN MX STS "_smtp._tls TXT \"rua=mailto:a@b.example; v=TLSRPTv1\"\n", DMARC_REJECT,
     "tls-rpt-syntax bimi-missing dnssec-unsigned"},
    {"BIMI with DMARC at reject", ALL_GOOD BIMI, DMARC_REJECT, "dnssec-unsigned"},
    {"BIMI with DMARC p=none", ALL_GOOD BIMI, DMARC_P_NONE,
     "bimi-needs-enforcement dnssec-unsigned"},
    {"BIMI with DMARC pct=50", ALL_GOOD BIMI, DMARC_REJECT_PCT50,
     "bimi-needs-enforcement dnssec-unsigned"},
    {"BIMI without DMARC", ALL_GOOD BIMI, DMARC_NONE_FOUND,
     "bimi-needs-enforcement dnssec-unsigned"},
    {"BIMI: logo over http",
     ALL_GOOD "default._bimi TXT \"v=BIMI1; l=http://shop.example/l.svg\"\n", DMARC_REJECT,
     "bimi-syntax dnssec-unsigned"},
    {"BIMI: logo not SVG", ALL_GOOD "default._bimi TXT \"v=BIMI1; l=https://shop.example/l.png\"\n",
     DMARC_REJECT, "bimi-syntax dnssec-unsigned"},
    {"BIMI: declined on purpose", ALL_GOOD "default._bimi TXT \"v=BIMI1; l=; a=;\"\n", DMARC_P_NONE,
     "dnssec-unsigned"},
    {"binary MTA-STS record", ORIGIN MX "_mta-sts TXT \"v=STSv1; id=\\000\\255\"\n" RPT,
     DMARC_REJECT, "mta-sts-syntax bimi-missing dnssec-unsigned"},
};

static ms_dmarc_record REC;

static void set_dmarc(ms__check_ctx *c, dmarc_state s)
{
    memset(&REC, 0, sizeof(REC));
    memset(&c->facts.dmarc, 0, sizeof(c->facts.dmarc));
    if (s == DMARC_NONE_FOUND) {
        c->facts.dmarc.status = MS_DMARC_DISCOVERY_NONE;
        return;
    }
    REC.has_p = true;
    REC.p = s == DMARC_P_NONE ? MS_DMARC_POLICY_NONE : MS_DMARC_POLICY_REJECT;
    REC.sp = REC.p;
    REC.np = REC.p;
    REC.pct = 100;
    if (s == DMARC_REJECT_PCT50) {
        REC.has_pct = true;
        REC.pct = 50;
    }
    c->facts.dmarc.status = MS_DMARC_DISCOVERY_FOUND;
    c->facts.dmarc.domain = c->domain;
    c->facts.dmarc.policy_domain = c->domain;
    c->facts.dmarc.record = &REC;
    c->facts.dmarc_ok = true;
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const extras_case *tc = &CASES[i];
        check_fixture f;
        ms__check_ctx *c = check_new(&f, tc->zone, NULL, "shop.example");
        set_dmarc(c, tc->dmarc);
        ms__check_extras(c);
        char got[512];
        EXPECT(c->fatal == MS_OK, "%s: fatal %d", tc->name, c->fatal);
        EXPECT(check_ids_are(c, tc->want), "%s: got ids [%s], want [%s]", tc->name,
               check_ids(c, got, sizeof(got)), tc->want);
        EXPECT(!f.report.incomplete, "%s: incomplete", tc->name);
        for (size_t k = 0; k < f.report.n_findings; k++) {
            const ms_check_finding *x = &f.report.findings[k];
            EXPECT(check_documented(x->id), "%s: %s is not in docs/check-findings.md", tc->name,
                   x->id);
            EXPECT(x->message != NULL && x->message[0] != '\0', "%s: %s without a message",
                   tc->name, x->id);
            EXPECT(strncmp(x->id, ms_check_area_name(x->area),
                           strlen(ms_check_area_name(x->area))) == 0,
                   "%s: %s in area %s", tc->name, x->id, ms_check_area_name(x->area));
        }
        check_free(&f);
    }
    assert_int_equal(n_bad, 0);
}

/* The facts: MX hosts by preference, null MX. */
static void test_facts(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c =
        check_new(&f, ORIGIN "@ MX 20 b\n@ MX 5 a\n@ MX 10 c\n", NULL, "shop.example");
    ms__check_extras(c);
    assert_int_equal(c->facts.n_mx, 3);
    assert_string_equal(c->facts.mx_hosts[0], "a.shop.example");
    assert_string_equal(c->facts.mx_hosts[1], "c.shop.example");
    assert_string_equal(c->facts.mx_hosts[2], "b.shop.example");
    assert_false(c->facts.null_mx);
    assert_false(c->facts.dnssec_secure);
    check_free(&f);

    c = check_new(&f, ORIGIN "@ MX 0 .\n", NULL, "shop.example");
    ms__check_extras(c);
    assert_int_equal(c->facts.n_mx, 0);
    assert_true(c->facts.null_mx);
    const ms_check_finding *x = check_find(c, "mx-null");
    assert_non_null(x);
    assert_int_equal(x->severity, MS_CHECK_WARNING);
    assert_non_null(strstr(x->message, "RFC 7505"));
    check_free(&f);

    /* The fix quotes the record to publish. */
    c = check_new(&f, ORIGIN MX, NULL, "shop.example");
    ms__check_extras(c);
    x = check_find(c, "mta-sts-missing");
    assert_non_null(x);
    assert_non_null(strstr(x->fix, "_mta-sts.shop.example. 3600 IN TXT"));
    x = check_find(c, "tls-rpt-missing");
    assert_non_null(x);
    assert_non_null(strstr(x->fix, "v=TLSRPTv1; rua=mailto:"));
    check_free(&f);
}

/* A resolver that says every answer of the zone was validated, or that the domain's are
 * bogus (what a validating resolver answers for a broken signature: TEMPFAIL, is_bogus). */
typedef struct flagged {
    ms_resolver base;
    ms_resolver *inner;
    bool bogus;
} flagged;

static ms_status flagged_query(ms_resolver *r, const char *name, uint16_t type, ms_arena *arena,
                               ms_dns_answer *out)
{
    flagged *f = (flagged *)r;
    ms_status st = f->inner->ops->query(f->inner, name, type, arena, out);
    if (st == MS_OK && f->bogus) {
        out->rcode = MS_DNS_TEMPFAIL;
        out->is_bogus = true;
        out->why = "validation failure <shop.example. MX>: signature expired";
        out->n_rr = 0;
    } else if (st == MS_OK) {
        out->is_secure = true;
    }
    return st;
}

static void flagged_destroy(ms_resolver *r)
{
    (void)r;
}

static const ms_resolver_ops FLAGGED_OPS = {"flagged", flagged_query, flagged_destroy};

static void test_dnssec(void **state)
{
    (void)state;
    for (int bogus = 0; bogus < 2; bogus++) {
        check_fixture f;
        ms__check_ctx *c = check_new(&f, ALL_GOOD, NULL, "shop.example");
        flagged r;
        memset(&r, 0, sizeof(r));
        ms__resolver_init(&r.base, &FLAGGED_OPS);
        r.inner = f.zone;
        r.bogus = bogus;
        c->resolver = &r.base;
        set_dmarc(c, DMARC_REJECT);
        ms__check_extras(c);
        char got[512];
        const char *want = bogus ? "dnssec-bogus mta-sts-dns-error tls-rpt-dns-error bimi-dns-error"
                                 : "dnssec-signed bimi-missing";
        EXPECT(check_ids_are(c, want), "bogus=%d: got [%s], want [%s]", bogus,
               check_ids(c, got, sizeof(got)), want);
        EXPECT(c->facts.dnssec_secure == !bogus, "bogus=%d: secure %d", bogus,
               c->facts.dnssec_secure);
        EXPECT(f.report.incomplete == (bogus == 1), "bogus=%d: incomplete %d", bogus,
               f.report.incomplete);
        check_free(&f);
    }
    assert_int_equal(n_bad, 0);
}

/* DNS failing halfway: the part that failed says so, the others still run. */
static void test_dns_failures(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint16_t type;
        const char *want;
    } FAULTS[] = {
        {"shop.example", MS_DNS_MX, "mx-dns-error bimi-missing dnssec-unsigned"},
        {"_mta-sts.shop.example", MS_DNS_TXT, "mta-sts-dns-error bimi-missing dnssec-unsigned"},
        {"_smtp._tls.shop.example", MS_DNS_TXT, "tls-rpt-dns-error bimi-missing dnssec-unsigned"},
        {"default._bimi.shop.example", MS_DNS_TXT, "bimi-dns-error dnssec-unsigned"},
    };
    for (size_t i = 0; i < sizeof(FAULTS) / sizeof(FAULTS[0]); i++) {
        check_fixture f;
        ms__check_ctx *c = check_new(&f, ALL_GOOD, NULL, "shop.example");
        set_dmarc(c, DMARC_REJECT);
        assert_int_equal(
            ms_zone_add_fault(f.zone, FAULTS[i].name, FAULTS[i].type, MS_DNS_TEMPFAIL, "timeout"),
            MS_OK);
        ms__check_extras(c);
        char got[512];
        EXPECT(check_ids_are(c, FAULTS[i].want), "%s: got [%s], want [%s]", FAULTS[i].name,
               check_ids(c, got, sizeof(got)), FAULTS[i].want);
        EXPECT(f.report.incomplete, "%s: not incomplete", FAULTS[i].name);
        check_free(&f);
    }
    /* Without MX, the A lookup fails. */
    check_fixture f;
    ms__check_ctx *c = check_new(&f, ORIGIN STS RPT, NULL, "shop.example");
    set_dmarc(c, DMARC_REJECT);
    assert_int_equal(
        ms_zone_add_fault(f.zone, "shop.example", MS_DNS_A, MS_DNS_TEMPFAIL, "timeout"), MS_OK);
    ms__check_extras(c);
    char got[512];
    EXPECT(check_ids_are(c, "mx-dns-error bimi-missing dnssec-unsigned"), "A fails: got [%s]",
           check_ids(c, got, sizeof(got)));
    check_free(&f);
    assert_int_equal(n_bad, 0);
}

/* Bounded: a 127-label domain (the _mta-sts names would be too long), a huge record, many MX. */
static void test_bounds(void **state)
{
    (void)state;
    static char longest[256];
    for (size_t i = 0; i < 127; i++) {
        longest[2 * i] = 'a';
        longest[2 * i + 1] = '.';
    }
    longest[253] = '\0';
    check_fixture f;
    ms__check_ctx *c = check_new(&f, NULL, NULL, longest);
    ms__check_extras(c);
    char got[512];
    EXPECT(check_ids_are(c, "mx-missing dnssec-unsigned"), "127 labels: got [%s]",
           check_ids(c, got, sizeof(got)));
    check_free(&f);

    /* A TLS-RPT record of 200 strings (50,000 bytes) of rua addresses. */
    static char zone[64 * 1024];
    size_t o = (size_t)snprintf(zone, sizeof(zone), "%s_smtp._tls TXT \"v=TLSRPTv1; rua=\"",
                                ORIGIN MX STS);
    for (int i = 0; i < 200; i++) {
        o += (size_t)snprintf(zone + o, sizeof(zone) - o,
                              " \"mailto:a@b.example,mailto:a@b.example,mailto:a@b.example,"
                              "mailto:a@b.example,mailto:a@b.example,mailto:a@b.example,"
                              "mailto:a@b.example,mailto:a@b.example,mailto:a@b.example,"
                              "mailto:a@b.example,mailto:a@b.example,mailto:a@b.example,\"");
    }
    o += (size_t)snprintf(zone + o, sizeof(zone) - o, " \"x\"\n");
    assert_true(o < sizeof(zone) - 1);
    c = check_new(&f, zone, NULL, "shop.example");
    set_dmarc(c, DMARC_REJECT);
    ms__check_extras(c);
    const ms_check_finding *x = check_find(c, "tls-rpt-syntax");
    assert_non_null(x);
    assert_non_null(x->record);
    assert_true(strlen(x->record) < MS_LIMIT_CHECK_RECORD_SHOWN);
    check_free(&f);

    /* 100 MX records: the facts keep MS_LIMIT_CHECK_MX_SHOWN. */
    o = (size_t)snprintf(zone, sizeof(zone), "%s", ORIGIN);
    for (int i = 0; i < 100; i++) {
        o += (size_t)snprintf(zone + o, sizeof(zone) - o, "@ MX %d mx%d\n", 100 - i, i);
    }
    c = check_new(&f, zone, NULL, "shop.example");
    ms__check_extras(c);
    assert_int_equal(c->facts.n_mx, MS_LIMIT_CHECK_MX_SHOWN);
    assert_string_equal(c->facts.mx_hosts[0], "mx99.shop.example"); /* preference 1 */
    check_free(&f);
}

/* The demo's shop (examples/zones): MX at Google, nothing else of the extras. */
static void test_demo_zone(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c = check_new(&f, NULL, NULL, "their-shop.example");
    check_load_example(&f, "their-shop.example.zone");
    check_load_example(&f, "providers.zone");
    ms__check_extras(c);
    char got[512];
    const char *want = "mta-sts-missing tls-rpt-missing bimi-missing dnssec-unsigned";
    EXPECT(check_ids_are(c, want), "demo: got [%s], want [%s]", check_ids(c, got, sizeof(got)),
           want);
    EXPECT(c->facts.n_mx == 1 && strcmp(c->facts.mx_hosts[0], "smtp.google.com") == 0,
           "demo: MX facts");
    check_free(&f);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),  cmocka_unit_test(test_facts),
        cmocka_unit_test(test_dnssec), cmocka_unit_test(test_dns_failures),
        cmocka_unit_test(test_bounds), cmocka_unit_test(test_demo_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
