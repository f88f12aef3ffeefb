/* SPDX-License-Identifier: MIT */
/* DMARC aggregate report parsing (RFC 9990 §3.1, Appendix A; RFC 7489 Appendix C): each
 * format's fields read back, what real reporters send tolerated, and every refusal with its
 * status and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "mailseal/report.h"

#include "base/limits.h"

#include "ms_expect.h"

#define META                                                                                       \
    "<report_metadata><org_name>Org</org_name><email>a@org.t</email><report_id>id-1"               \
    "</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>"          \
    "</report_metadata>"
#define POLICY "<policy_published><domain>Example.T</domain><p>none</p></policy_published>"
#define ROW(ip, n)                                                                                 \
    "<record><row><source_ip>" ip "</source_ip><count>" n "</count><policy_evaluated>"             \
    "<disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>"     \
    "<identifiers><header_from>example.t</header_from></identifiers><auth_results><dkim>"          \
    "<domain>example.t</domain><result>pass</result></dkim></auth_results></record>"

static const ms_report_aggregate *parse(ms_arena *a, const char *xml, ms_status *st,
                                        ms_report_error *err)
{
    size_t len = strlen(xml);
    char *copy = exact(xml, len);
    const ms_report_aggregate *r = NULL;
    *st = ms_report_parse_aggregate(copy, len, a, &r, err);
    free(copy);
    return r;
}

/* One case: the document, the status, and for MS_OK a rendering of the parsed report. */
typedef struct agg_case {
    const char *name, *xml;
    ms_status want;
    const char *want_text; /* MS_OK: render(); otherwise a part of the reason */
} agg_case;

static void render(const ms_report_aggregate *r, char *buf, size_t size)
{
    int n =
        snprintf(buf, size, "%s org=%s id=%s %lld-%lld dom=%s p=%s np=%s pct=%d recs=%zu msgs=%llu",
                 r->format, r->org_name, r->report_id, (long long)r->begin, (long long)r->end,
                 r->domain, r->p ? r->p : "-", r->np ? r->np : "-", r->pct, r->n_records,
                 (unsigned long long)r->n_messages);
    for (size_t i = 0; i < r->n_records && n > 0 && (size_t)n < size; i++) {
        const ms_report_record *c = &r->records[i];
        n += snprintf(buf + n, size - (size_t)n, " [%s%s x%llu %s/%s/%s dkim=%zu spf=%zu why=%zu]",
                      c->source_ip, c->source_ip_invalid ? "!" : "", (unsigned long long)c->count,
                      c->disposition ? c->disposition : "-", c->dkim ? c->dkim : "-",
                      c->spf ? c->spf : "-", c->n_dkim, c->n_spf, c->n_reasons);
    }
}

static const agg_case CASES[] = {
    {"rfc7489",
     "<?xml version=\"1.0\"?><feedback><version>1.0</version>" META POLICY ROW("192.0.2.1", "3")
         ROW("2001:db8::1", "4") "</feedback>",
     MS_OK,
     "rfc7489 org=Org id=id-1 1700000000-1700086399 dom=example.t p=none np=- pct=-1 recs=2 msgs=7"
     " [192.0.2.1 x3 none/pass/fail dkim=1 spf=0 why=0]"
     " [2001:db8::1 x4 none/pass/fail dkim=1 spf=0 why=0]"},
    {"rfc9990 namespace",
     "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">" META
     "<policy_published><domain>d.t</domain><p>reject</p><np>none</np>"
     "</policy_published>" ROW("192.0.2.1", "1") "</feedback>",
     MS_OK,
     "rfc9990 org=Org id=id-1 1700000000-1700086399 dom=d.t p=reject np=none pct=-1 recs=1 msgs=1"
     " [192.0.2.1 x1 none/pass/fail dkim=1 spf=0 why=0]"},
    {"prefixed namespace and draft",
     "<d:feedback xmlns:d=\"urn:x\">" META POLICY
     "<record><row><source_ip>192.0.2.9</source_ip><count>1"
     "</count></row></record></d:feedback>",
     MS_OK,
     "draft org=Org id=id-1 1700000000-1700086399 dom=example.t p=none np=- pct=-1 recs=1 msgs=1"
     " [192.0.2.9 x1 -/-/- dkim=0 spf=0 why=0]"},
    {"upper case, white space, pct, fractional dates",
     "<feedback>\n <report_metadata>\n  <org_name> Org </org_name>\n  <report_id>\n id-1\n"
     " </report_id>\n <date_range><begin> 1700000000.0 </begin><end>1700086399</end>"
     "</date_range></report_metadata><policy_published><domain>example.t</domain><p>REJECT</p>"
     "<pct> 50 </pct></policy_published><record><row><source_ip> 192.0.2.1 </source_ip><count>"
     " 2 </count><policy_evaluated><disposition>Quarantine</disposition><dkim>Pass</dkim><spf>"
     "FAIL</spf><reason><type>Local_Policy</type></reason><reason><type></type><comment>"
     "</comment></reason></policy_evaluated></row></record></feedback>",
     MS_OK,
     "draft org=Org id=id-1 1700000000-1700086399 dom=example.t p=reject np=- pct=50 recs=1 "
     "msgs=2 [192.0.2.1 x2 quarantine/pass/fail dkim=0 spf=0 why=1]"},
    {"extension ignored, wrapper root, bad source_ip kept",
     "<wrap><feedback>" META POLICY "<extension><record><row><source_ip>x</source_ip></row>"
     "</record></extension>" ROW("192.0.2.300", "1") "</feedback></wrap>",
     MS_OK,
     "rfc7489 org=Org id=id-1 1700000000-1700086399 dom=example.t p=none np=- pct=-1 recs=1 msgs=1"
     " [192.0.2.300! x1 none/pass/fail dkim=1 spf=0 why=0]"},
    {"no records", "<feedback>" META POLICY "</feedback>", MS_OK,
     "draft org=Org id=id-1 1700000000-1700086399 dom=example.t p=none np=- pct=-1 recs=0 msgs=0"},
    {"empty", "", MS_ESYNTAX, "empty"},
    {"not XML", "hello", MS_ESYNTAX, "not an XML document"},
    {"other root", "<report/>", MS_ESYNTAX, "<feedback>"},
    {"two feedbacks", "<w><feedback>" META POLICY "</feedback><feedback/></w>", MS_ESYNTAX,
     "second <feedback>"},
    {"doctype", "<!DOCTYPE feedback><feedback>" META POLICY "</feedback>", MS_ESYNTAX, "DOCTYPE"},
    {"no org_name",
     "<feedback><report_metadata><report_id>1</report_id><date_range><begin>1"
     "</begin><end>2</end></date_range></report_metadata>" POLICY "</feedback>",
     MS_ESYNTAX, "required element"},
    {"no domain", "<feedback>" META "<policy_published><p>none</p></policy_published></feedback>",
     MS_ESYNTAX, "required element"},
    {"negative count", "<feedback>" META POLICY ROW("192.0.2.1", "-5") "</feedback>", MS_ESYNTAX,
     "non-negative"},
    {"date in 99999",
     "<feedback><report_metadata><org_name>o</org_name><report_id>1</report_id>"
     "<date_range><begin>3093527980800</begin><end>2</end></date_range>"
     "</report_metadata>" POLICY "</feedback>",
     MS_ESYNTAX, "between 1970 and 9999"},
    {"truncated in a record", "<feedback>" META POLICY "<record><row><source_ip>1.2.3.4",
     MS_ESYNTAX, "truncated"},
    {"missing </feedback> after a record (AOL 2012)",
     "<feedback>" META POLICY ROW("192.0.2.1", "1") "\n", MS_OK,
     "rfc7489 org=Org id=id-1 1700000000-1700086399 dom=example.t p=none np=- pct=-1 recs=1 msgs=1"
     " [192.0.2.1 x1 none/pass/fail dkim=1 spf=0 why=0]"},
};

static void aggregate_cases(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const agg_case *c = &CASES[i];
        ms_status st;
        ms_report_error err = {0};
        const ms_report_aggregate *r = parse(a, c->xml, &st, &err);
        char got[1024] = "";
        if (st == MS_OK) {
            render(r, got, sizeof(got));
            EXPECT(strcmp(got, c->want_text) == 0, "%s: got\n  %s\nwant\n  %s", c->name, got,
                   c->want_text);
        } else {
            EXPECT(st == c->want && r == NULL && err.reason != NULL &&
                       strstr(err.reason, c->want_text) != NULL,
                   "%s: got %s (%s [%s]), want %s with \"%s\"", c->name, ms_status_name(st),
                   err.reason ? err.reason : "(null)", err.detail, ms_status_name(c->want),
                   c->want_text);
        }
        EXPECT(st == c->want, "%s: got %s, want %s", c->name, ms_status_name(st),
               ms_status_name(c->want));
    }
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

/* Every field of the RFC 9990 sample's shape, auth results and identifiers included. */
static void aggregate_fields(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    static const char xml[] =
        "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\"><version>1.0</version>"
        "<report_metadata><org_name>R</org_name><email>r@r.t</email><extra_contact_info>x"
        "</extra_contact_info><report_id>i</report_id><date_range><begin>1</begin><end>2</end>"
        "</date_range><error>e1</error><error>e2</error><generator>g</generator>"
        "</report_metadata><policy_published><domain>d.t</domain><adkim>s</adkim><aspf>R</aspf>"
        "<p>quarantine</p><sp>none</sp><np>reject</np><fo>1:d</fo><testing>y</testing>"
        "<discovery_method>psl</discovery_method></policy_published><record><row><source_ip>"
        "192.0.2.1</source_ip><count>5</count><policy_evaluated><disposition>pass"
        "</disposition><dkim>pass</dkim><spf>fail</spf><reason><type>mailing_list</type>"
        "<comment>list</comment></reason></policy_evaluated></row><identifiers><envelope_to>"
        "to.t</envelope_to><envelope_from>from.t</envelope_from><header_from>D.T</header_from>"
        "</identifiers><auth_results><dkim><domain>d.t</domain><selector>s1</selector><result>"
        "pass</result><human_result>ok</human_result></dkim><spf><domain>from.t</domain><scope>"
        "mfrom</scope><result>fail</result></spf></auth_results></record></feedback>";
    ms_status st;
    ms_report_error err = {0};
    const ms_report_aggregate *r = parse(a, xml, &st, &err);
    assert_int_equal(st, MS_OK);
    assert_string_equal(r->format, "rfc9990");
    assert_string_equal(r->version, "1.0");
    assert_string_equal(r->extra_contact_info, "x");
    assert_string_equal(r->generator, "g");
    assert_int_equal(r->n_errors, 2);
    assert_string_equal(r->errors[1], "e2");
    assert_string_equal(r->adkim, "s");
    assert_string_equal(r->aspf, "r");
    assert_string_equal(r->sp, "none");
    assert_string_equal(r->np, "reject");
    assert_string_equal(r->fo, "1:d");
    assert_string_equal(r->testing, "y");
    assert_string_equal(r->discovery_method, "psl");
    const ms_report_record *c = &r->records[0];
    assert_string_equal(c->reasons[0].type, "mailing_list");
    assert_string_equal(c->reasons[0].comment, "list");
    assert_string_equal(c->envelope_to, "to.t");
    assert_string_equal(c->envelope_from, "from.t");
    assert_string_equal(c->header_from, "d.t");
    assert_string_equal(c->dkim_results[0].selector, "s1");
    assert_string_equal(c->dkim_results[0].human_result, "ok");
    assert_string_equal(c->spf_results[0].scope, "mfrom");
    assert_string_equal(c->spf_results[0].result, "fail");
    assert_null(c->spf_results[0].human_result);
    ms_arena_free(a);
}

/* A small arena: MS_ELIMIT from the arena, never a partial report. */
static void aggregate_arena_cap(void **state)
{
    (void)state;
    char *doc = malloc(200000);
    size_t n = (size_t)snprintf(doc, 200000, "<feedback>" META POLICY);
    for (int i = 0; i < 500; i++) {
        n += (size_t)snprintf(doc + n, 200000 - n, ROW("192.0.2.1", "1"));
    }
    n += (size_t)snprintf(doc + n, 200000 - n, "</feedback>");
    ms_arena *a = new_arena(32 * 1024);
    const ms_report_aggregate *r = NULL;
    ms_report_error err = {0};
    assert_int_equal(ms_report_parse_aggregate(doc, n, a, &r, &err), MS_ELIMIT);
    assert_null(r);
    ms_arena_free(a);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(aggregate_cases),
        cmocka_unit_test(aggregate_fields),
        cmocka_unit_test(aggregate_arena_cap),
    };
    return cmocka_run_group_tests_name("report aggregate", tests, NULL, NULL);
}
