/* SPDX-License-Identifier: MIT */
/* SMTP TLS report parsing (RFC 8460 §4.3, §4.4 the example, §4.4 date-time per RFC 3339): the
 * example read back, and each refusal with its reason. */
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

/* RFC 8460 §4.4 */
static const char EXAMPLE[] =
    "{\"organization-name\": \"Company-X\",\"date-range\": {\"start-datetime\": "
    "\"2016-04-01T00:00:00Z\",\"end-datetime\": \"2016-04-01T23:59:59Z\"},\"contact-info\": "
    "\"sts-reporting@company-x.example\",\"report-id\": \"5065427c-23d3-47ca-b6e0-946ea0e8c4be\","
    "\"policies\": [{\"policy\": {\"policy-type\": \"sts\",\"policy-string\": [\"version: STSv1\","
    "\"mode: testing\",\"mx: *.mail.company-y.example\",\"max_age: 86400\"],\"policy-domain\": "
    "\"company-y.example\",\"mx-host\": [\"*.mail.company-y.example\"]},\"summary\": "
    "{\"total-successful-session-count\": 5326,\"total-failure-session-count\": 303},"
    "\"failure-details\": [{\"result-type\": \"certificate-expired\",\"sending-mta-ip\": "
    "\"2001:db8:abcd:0012::1\",\"receiving-mx-hostname\": \"mx1.mail.company-y.example\","
    "\"failed-session-count\": 100}, {\"result-type\": \"starttls-not-supported\","
    "\"sending-mta-ip\": \"2001:db8:abcd:0013::1\",\"receiving-mx-hostname\": "
    "\"mx2.mail.company-y.example\",\"receiving-ip\": \"203.0.113.56\",\"failed-session-count\": "
    "200,\"additional-information\": \"https://reports.company-x.example/"
    "report_info?id=5065427c-23d3#StarttlsNotSupported\"}, {\"result-type\": "
    "\"validation-failure\",\"sending-mta-ip\": \"198.51.100.62\",\"receiving-ip\": "
    "\"203.0.113.58\",\"receiving-mx-hostname\": \"mx-backup.mail.company-y.example\","
    "\"failed-session-count\": 3,\"failure-reason-code\": "
    "\"X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED\"}]}]}";

static void tlsrpt_example(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    char *copy = exact(EXAMPLE, strlen(EXAMPLE));
    const ms_tlsrpt_report *r = NULL;
    ms_report_error err = {0};
    assert_int_equal(ms_tlsrpt_parse(copy, strlen(EXAMPLE), a, &r, &err), MS_OK);
    assert_string_equal(r->organization_name, "Company-X");
    assert_string_equal(r->contact_info, "sts-reporting@company-x.example");
    assert_string_equal(r->report_id, "5065427c-23d3-47ca-b6e0-946ea0e8c4be");
    assert_int_equal(r->begin, 1459468800);
    assert_int_equal(r->end, 1459555199);
    assert_int_equal(r->n_policies, 1);
    const ms_tlsrpt_policy *p = &r->policies[0];
    assert_string_equal(p->policy_type, "sts");
    assert_string_equal(p->policy_domain, "company-y.example");
    assert_int_equal(p->n_policy_strings, 4);
    assert_string_equal(p->policy_strings[3], "max_age: 86400");
    assert_int_equal(p->n_mx_hosts, 1);
    assert_int_equal(p->total_successful, 5326);
    assert_int_equal(p->total_failure, 303);
    assert_int_equal(p->n_failures, 3);
    assert_string_equal(p->failures[1].result_type, "starttls-not-supported");
    assert_string_equal(p->failures[1].receiving_ip, "203.0.113.56");
    assert_int_equal(p->failures[1].failed_session_count, 200);
    assert_null(p->failures[0].receiving_ip);
    assert_string_equal(p->failures[2].failure_reason_code,
                        "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
    free(copy);
    ms_arena_free(a);
}

static void tlsrpt_refused(void **state)
{
    (void)state;
    char deep[256];
    memset(deep, '[', 40);
    memset(deep + 40, ']', 40);
    deep[80] = '\0';
    static const char *const base =
        "{\"organization-name\":\"o\",\"date-range\":{\"start-datetime\":\"%s\","
        "\"end-datetime\":\"2016-04-01T23:59:59Z\"},\"report-id\":\"r\",\"policies\":[%s]}%s";
    static const struct {
        const char *start, *policies, *after;
        ms_status want;
        const char *reason;
    } cases[] = {
        {"2016-04-01T00:00:00Z", "", "", MS_OK, NULL},
        {"2016-04-01T00:00:00+02:00", "", " \n", MS_OK, NULL},
        {"2016-04-01", "", "", MS_ESYNTAX, "RFC 3339"},
        {"2016-13-01T00:00:00Z", "", "", MS_ESYNTAX, "RFC 3339"},
        {"2016-04-01T00:00:00Z", "", "x", MS_ESYNTAX, "JSON"},
        {"2016-04-01T00:00:00Z", "1", "", MS_ESYNTAX, "not an object"},
        {"2016-04-01T00:00:00Z", "{\"policy\":{}}", "", MS_ESYNTAX, "summary"},
        {"2016-04-01T00:00:00Z",
         "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"d\"},\"summary\":{"
         "\"total-successful-session-count\":-1,\"total-failure-session-count\":0}}",
         "", MS_ESYNTAX, "negative"},
        {"2016-04-01T00:00:00Z",
         "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"d\"},\"summary\":{"
         "\"total-successful-session-count\":\"1\",\"total-failure-session-count\":0}}",
         "", MS_ESYNTAX, "not an integer"},
    };
    ms_arena *a = new_arena(0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char doc[2048];
        int n = snprintf(doc, sizeof(doc), base, cases[i].start, cases[i].policies, cases[i].after);
        const ms_tlsrpt_report *r = NULL;
        ms_report_error err = {0};
        ms_status st = ms_tlsrpt_parse(doc, (size_t)n, a, &r, &err);
        EXPECT(st == cases[i].want &&
                   (cases[i].reason == NULL ||
                    (err.reason != NULL && strstr(err.reason, cases[i].reason) != NULL) ||
                    strstr(err.detail, cases[i].reason) != NULL),
               "case %zu: got %s (%s [%s]), want %s %s", i, ms_status_name(st),
               st != MS_OK && err.reason ? err.reason : "", st != MS_OK ? err.detail : "",
               ms_status_name(cases[i].want), cases[i].reason ? cases[i].reason : "");
    }
    const ms_tlsrpt_report *r = NULL;
    ms_report_error err = {0};
    EXPECT(ms_tlsrpt_parse(deep, strlen(deep), a, &r, &err) == MS_ELIMIT, "depth: want MS_ELIMIT");
    EXPECT(ms_tlsrpt_parse("{\"organization-name\"", 20, a, &r, &err) == MS_ESYNTAX,
           "truncated: want MS_ESYNTAX");
    EXPECT(ms_tlsrpt_parse("", 0, a, &r, &err) == MS_ESYNTAX, "empty: want MS_ESYNTAX");
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tlsrpt_example),
        cmocka_unit_test(tlsrpt_refused),
    };
    return cmocka_run_group_tests_name("report tlsrpt", tests, NULL, NULL);
}
