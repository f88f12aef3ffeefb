/* SPDX-License-Identifier: MIT */
/* Failure report parsing (ARF, RFC 5965 §3.1-§3.2; RFC 6591 §3.1; RFC 9991 §3): the fields of
 * the feedback part, the returned headers, dates, and the refusals. */
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

static const char *arf(const char *feedback_fields, char *buf, size_t size)
{
    snprintf(buf, size,
             "From: r@receiver.t\r\nDate: Tue, 1 Oct 2024 10:00:00 +0000\r\n"
             "Content-Type: multipart/report; report-type=feedback-report; boundary=\"B\"\r\n\r\n"
             "--B\r\nContent-Type: text/plain\r\n\r\nhuman text\r\n--B\r\n"
             "Content-Type: message/feedback-report\r\n\r\n%s\r\n--B\r\n"
             "Content-Type: message/rfc822\r\n\r\nFrom: \"A\" <a@example.t>\r\nSubject: hi\r\n"
             "Message-ID: <m@example.t>\r\n\r\nbody\r\n--B--\r\n",
             feedback_fields);
    return buf;
}

static const ms_report_failure *parse(ms_arena *a, const char *msg, ms_status *st,
                                      ms_report_error *err)
{
    size_t len = strlen(msg);
    char *copy = exact(msg, len);
    const ms_report_failure *f = NULL;
    *st = ms_report_parse_failure(copy, len, a, &f, err);
    free(copy);
    return f;
}

static void failure_fields(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    char buf[4096];
    ms_status st;
    ms_report_error err = {0};
    const ms_report_failure *f =
        parse(a,
              arf("Feedback-Type: Auth-Failure\r\nVersion: 1\r\nUser-Agent: F/1\r\n"
                  "Auth-Failure: DMARC\r\nReported-Domain: Example.T\r\n"
                  "Source-IP: 192.0.2.1 (mx.example.t)\r\n"
                  "Arrival-Date: Tue, 1 Oct 2024 09:59:00 -0200 (XYZ)\r\n"
                  "Original-Mail-From: <b@example.t>\r\nOriginal-Rcpt-To: <c@receiver.t>\r\n"
                  "Original-Envelope-Id: E1\r\nReporting-MTA: dns; mx.receiver.t\r\n"
                  "Authentication-Results: receiver.t; dmarc=fail\r\n  header.from=example.t\r\n"
                  "Delivery-Result: Reject\r\nIdentity-Alignment: dkim,spf\r\n"
                  "DKIM-Domain: Example.T\r\nDKIM-Identity: @example.t\r\nDKIM-Selector: s1\r\n"
                  "SPF-DNS: txt : example.t : \"v=spf1 -all\"\r\nIncidents: 7\r\n"
                  "X-Unknown: ignored",
                  buf, sizeof(buf)),
              &st, &err);
    assert_int_equal(st, MS_OK);
    assert_string_equal(f->feedback_type, "auth-failure");
    assert_string_equal(f->version, "1");
    assert_string_equal(f->user_agent, "F/1");
    assert_string_equal(f->auth_failure, "dmarc");
    assert_string_equal(f->reported_domain, "example.t");
    assert_string_equal(f->source_ip, "192.0.2.1");
    assert_int_equal(f->arrival, 1727783940); /* 09:59 -0200 is 11:59 UTC */
    assert_string_equal(f->original_mail_from, "<b@example.t>");
    assert_string_equal(f->original_rcpt_to, "<c@receiver.t>");
    assert_string_equal(f->original_envelope_id, "E1");
    assert_string_equal(f->reporting_mta, "mx.receiver.t");
    assert_string_equal(f->authentication_results, "receiver.t; dmarc=fail  header.from=example.t");
    assert_string_equal(f->delivery_result, "reject");
    assert_string_equal(f->identity_alignment, "dkim,spf");
    assert_string_equal(f->dkim_domain, "example.t");
    assert_string_equal(f->dkim_identity, "@example.t");
    assert_string_equal(f->dkim_selector, "s1");
    assert_non_null(f->spf_dns);
    assert_int_equal(f->incidents, 7);
    assert_string_equal(f->original_from, "\"A\" <a@example.t>");
    assert_string_equal(f->original_subject, "hi");
    assert_string_equal(f->original_message_id, "<m@example.t>");
    assert_non_null(f->original_headers);
    assert_true(f->original_headers_len > 40);
    assert_string_equal(f->report_date, "Tue, 1 Oct 2024 10:00:00 +0000");
    ms_arena_free(a);
}

/* Arrival-Date forms (RFC 5322 §3.3, §4.3): Unix seconds, 0 when unreadable. */
static void failure_dates(void **state)
{
    (void)state;
    static const struct {
        const char *date;
        int64_t want;
    } cases[] = {
        {"Thu, 13 Feb 2009 23:31:30 +0000", 1234567890},
        {"13 Feb 2009 23:31:30 GMT", 1234567890},
        {"Fri, 13 Feb 2009 15:31:30 -0800", 1234567890},
        {"Fri, 13 Feb 2009 18:31:30 EST", 1234567890},
        {"Fri, 13 Feb 09 23:31 +0000", 1234567860},
        {"  Fri,  13  feb 2009 23:31:30 +0000 (UTC)", 1234567890},
        {"yesterday", 0},
        {"32 Feb 2009 23:31:30 +0000", 0},
        {"13 Foo 2009 23:31:30 +0000", 0},
        {"13 Feb 2009 25:31:30 +0000", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ms_arena *a = new_arena(0);
        char fields[256], buf[4096];
        snprintf(fields, sizeof(fields), "Feedback-Type: auth-failure\r\nArrival-Date: %s",
                 cases[i].date);
        ms_status st;
        ms_report_error err = {0};
        const ms_report_failure *f = parse(a, arf(fields, buf, sizeof(buf)), &st, &err);
        EXPECT(st == MS_OK && f->arrival == cases[i].want, "\"%s\": got %s %lld, want %lld",
               cases[i].date, ms_status_name(st), f ? (long long)f->arrival : -1LL,
               (long long)cases[i].want);
        ms_arena_free(a);
    }
    assert_int_equal(n_bad, 0);
}

static void failure_refused(void **state)
{
    (void)state;
    static const struct {
        const char *name, *msg, *want;
    } cases[] = {
        {"empty", "", "empty"},
        {"no feedback part", "From: a@b.t\nContent-Type: text/plain\n\nhello\n",
         "no message/feedback-report"},
        {"multipart without one",
         "From: a@b.t\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: "
         "text/plain\n\nhello\n--b--\n",
         "no message/feedback-report"},
        {"no Feedback-Type",
         "From: a@b.t\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\n"
         "\n--b\nContent-Type: message/feedback-report\n\nVersion: 1\n--b--\n",
         "Feedback-Type"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ms_arena *a = new_arena(0);
        ms_status st;
        ms_report_error err = {0};
        const ms_report_failure *f = parse(a, cases[i].msg, &st, &err);
        EXPECT(st == MS_ESYNTAX && f == NULL && err.reason != NULL &&
                   strstr(err.reason, cases[i].want) != NULL,
               "%s: got %s (%s), want MS_ESYNTAX with \"%s\"", cases[i].name, ms_status_name(st),
               err.reason ? err.reason : "(null)", cases[i].want);
        ms_arena_free(a);
    }
    /* a field past MS_LIMIT_REPORT_FIELD is cut to it */
    ms_arena *a = new_arena(0);
    char *big = malloc(3 * MS_LIMIT_REPORT_FIELD + 64);
    int n = snprintf(big, 64, "Feedback-Type: auth-failure\r\nUser-Agent: ");
    memset(big + n, 'u', 3 * MS_LIMIT_REPORT_FIELD);
    big[(size_t)n + 3 * MS_LIMIT_REPORT_FIELD] = '\0';
    char *buf = malloc(8 * MS_LIMIT_REPORT_FIELD);
    ms_status st;
    ms_report_error err = {0};
    const ms_report_failure *f = parse(a, arf(big, buf, 8 * MS_LIMIT_REPORT_FIELD), &st, &err);
    assert_int_equal(st, MS_OK);
    assert_int_equal(strlen(f->user_agent), MS_LIMIT_REPORT_FIELD);
    free(big);
    free(buf);
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failure_fields),
        cmocka_unit_test(failure_dates),
        cmocka_unit_test(failure_refused),
    };
    return cmocka_run_group_tests_name("report failure", tests, NULL, NULL);
}
