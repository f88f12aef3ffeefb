/* SPDX-License-Identifier: MIT */
/* ms_message_history_row and ms_message_carries_report: the row the milter and `verify --store`
 * record, and report-carrying mail spotted however it is cut into chunks (no report loops). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_expect.h"
#include "ms_test_util.h"

#include "mailseal/mailseal.h"

static const char ZONE[] = "$ORIGIN hist.test.\n"
                           "@ 300 IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
                           "_dmarc 300 IN TXT \"v=DMARC1; p=reject; sp=none; adkim=s; t=y; "
                           "fo=1; rua=mailto:d@hist.test\"\n";

typedef struct run {
    ms_arena *arena;
    ms_resolver *zone;
    ms_message *m;
} run;

/* Feeds msg in chunks of step bytes (0: whole) and ends the message. */
static void run_msg(run *r, const char *msg, size_t step, const char *ip, const char *mail_from,
                    ms_dmarc_mode mode)
{
    r->arena = new_arena(0);
    assert_int_equal(ms_resolver_new_zone(&r->zone), MS_OK);
    assert_int_equal(ms_zone_load_text(r->zone, ZONE, sizeof(ZONE) - 1, NULL, NULL), MS_OK);
    ms_message_options opt;
    ms_message_options_default(&opt);
    opt.authserv_id = "mx.test";
    opt.dmarc.mode = mode;
    ms_psl *psl = NULL;
    if (mode == MS_DMARC_MODE_RFC7489) {
        char err[256];
        if (ms_psl_load(NULL, &psl, err, sizeof err) != MS_OK) {
            skip();
        }
        opt.dmarc.psl = psl;
    }
    assert_int_equal(ms_message_new(r->zone, &opt, r->arena, NULL, &r->m), MS_OK);
    assert_int_equal(ms_message_connect(r->m, ip, "mx.sender.test"), MS_OK);
    assert_int_equal(ms_message_envelope(r->m, mail_from), MS_OK);
    size_t n = strlen(msg);
    size_t s = step ? step : n;
    for (size_t k = 0; k < n; k += s) {
        assert_int_equal(ms_message_feed(r->m, msg + k, n - k < s ? n - k : s), MS_OK);
    }
    assert_int_equal(ms_message_end(r->m), MS_OK);
    ms_psl_free(psl); /* the verdicts do not keep it */
}

static void done(run *r)
{
    ms_resolver_free(r->zone);
    ms_arena_free(r->arena);
}

static const char PLAIN[] = "From: a@hist.test\r\nSubject: hello\r\n\r\nbody\r\n";

static void test_row(void **state)
{
    (void)state;
    run r;
    run_msg(&r, PLAIN, 0, "203.0.113.1", "<Bounce@Mail.Hist.Test>", MS_DMARC_MODE_RFC9989);
    ms_history_input in = {
        .received = 1764410000, .queue_id = "Q1", .envelope_to = "<Bob@Rcpt.Example>"};
    ms_history_row row;
    assert_int_equal(ms_message_history_row(r.m, &in, r.arena, &row), MS_OK);
    static const struct {
        const char *field, *want;
        size_t offset;
    } TEXT[] = {
        {"source_ip", "203.0.113.1", offsetof(ms_history_row, source_ip)},
        {"helo", "mx.sender.test", offsetof(ms_history_row, helo)},
        {"envelope_from", "mail.hist.test", offsetof(ms_history_row, envelope_from)},
        {"envelope_to", "rcpt.example", offsetof(ms_history_row, envelope_to)},
        {"header_from", "hist.test", offsetof(ms_history_row, header_from)},
        {"spf_scope", "mfrom", offsetof(ms_history_row, spf_scope)},
        {"dmarc_result", "fail", offsetof(ms_history_row, dmarc_result)},
        {"policy_domain", "hist.test", offsetof(ms_history_row, policy_domain)},
        {"p", "reject", offsetof(ms_history_row, p)},
        {"sp", "none", offsetof(ms_history_row, sp)},
        {"adkim", "s", offsetof(ms_history_row, adkim)},
        {"aspf", "r", offsetof(ms_history_row, aspf)},
        {"fo", "1", offsetof(ms_history_row, fo)},
        {"testing", "y", offsetof(ms_history_row, testing)},
        {"discovery", "treewalk", offsetof(ms_history_row, discovery)},
        {"queue_id", "Q1", offsetof(ms_history_row, queue_id)},
    };
    for (size_t k = 0; k < sizeof TEXT / sizeof TEXT[0]; k++) {
        const char *got = *(const char *const *)(const void *)((const char *)&row + TEXT[k].offset);
        EXPECT(got != NULL && strcmp(got, TEXT[k].want) == 0, "%s: got '%s', want '%s'",
               TEXT[k].field, got ? got : "(null)", TEXT[k].want);
    }
    EXPECT(row.received == 1764410000, "received: got %lld", (long long)row.received);
    EXPECT(row.n_dkim == 0 && row.dkim_aligned == 0 && row.spf_aligned == 0,
           "unsigned, SPF of another domain: got n_dkim %zu, aligned %d/%d", row.n_dkim,
           row.dkim_aligned, row.spf_aligned);
    /* t=y lowered reject for a failing message: policy_test_mode (RFC 9990 §3.1.6). */
    EXPECT(row.n_overrides == 1 && strcmp(row.overrides[0].type, "policy_test_mode") == 0,
           "overrides: got %zu, want policy_test_mode", row.n_overrides);
    EXPECT(row.carries_report == 0, "carries_report: got %d, want 0", row.carries_report);
    /* The caller's disposition and reasons win. */
    ms_history_override ov = {"local_policy", "marked only"};
    in.disposition = "quarantine";
    in.overrides = &ov;
    in.n_overrides = 1;
    assert_int_equal(ms_message_history_row(r.m, &in, r.arena, &row), MS_OK);
    EXPECT(strcmp(row.disposition, "quarantine") == 0 && row.n_overrides == 1 &&
               strcmp(row.overrides[0].type, "local_policy") == 0,
           "caller's disposition: got %s with %zu reasons", row.disposition, row.n_overrides);
    done(&r);

    run_msg(&r, PLAIN, 0, "192.0.2.10", "", MS_DMARC_MODE_RFC9989);
    ms_history_input none = {.received = 1};
    assert_int_equal(ms_message_history_row(r.m, &none, r.arena, &row), MS_OK);
    EXPECT(row.envelope_from == NULL && row.envelope_to == NULL,
           "null sender, no rcpt: got envelope_from '%s', envelope_to '%s'",
           row.envelope_from ? row.envelope_from : "(null)",
           row.envelope_to ? row.envelope_to : "(null)");
    done(&r);

    /* Before ms_message_end there is no row. */
    ms_arena *a = new_arena(0);
    ms_resolver *z = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    ms_message_options opt;
    ms_message_options_default(&opt);
    opt.authserv_id = "mx.test";
    ms_message *m = NULL;
    assert_int_equal(ms_message_new(z, &opt, a, NULL, &m), MS_OK);
    EXPECT(ms_message_history_row(m, &none, a, &row) == MS_EINVAL, "before end: want MS_EINVAL");
    ms_resolver_free(z);
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

static void test_carries_report(void **state)
{
    (void)state;
    static const struct {
        const char *name, *msg;
        bool want;
    } CASES[] = {
        {"plain", PLAIN, false},
        {"RFC 9990 subject",
         "From: a@hist.test\r\nSubject: Report Domain: hist.test\r\n"
         " Submitter: mx.example Report-ID: <1@x>\r\n\r\nx\r\n",
         true},
        {"subject mentioning a report",
         "From: a@hist.test\r\nSubject: Re: the Report Domain:\r\n"
         "\r\nx\r\n",
         false},
        {"multipart/report top level",
         "From: a@hist.test\r\nContent-Type: multipart/report; report-type=feedback-report;\r\n"
         " boundary=x\r\n\r\n--x\r\n\r\n--x--\r\n",
         true},
        {"TLS-Report-Domain field",
         "From: a@hist.test\r\nTLS-Report-Domain: hist.test\r\n\r\nx\r\n", true},
        {"single-part gzip report",
         "From: a@hist.test\r\nContent-Type: application/gzip\r\nContent-Disposition: attachment;"
         "\r\n filename=\"google.com!hist.test!1700000000!1700086399.xml.gz\"\r\n\r\nH4sI\r\n",
         true},
        {"attachment named like a report, folded name",
         "From: a@hist.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
         "Content-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/zip;\r\n"
         "\tname=mx.example!hist.test!1!2!abc.zip\r\n\r\nUEsDBA==\r\n--b--\r\n",
         true},
        {"TLS report part",
         "From: a@hist.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
         "--b\r\nContent-Type: application/tlsrpt+gzip\r\n\r\nH4sI\r\n--b--\r\n",
         true},
        {"nested multipart/report in the body",
         "From: a@hist.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
         "Content-Type: message/rfc822\r\n\r\nContent-Type: multipart/report; boundary=c\r\n\r\n"
         "--c--\r\n--b--\r\n",
         true},
        {"ordinary attachment",
         "From: a@hist.test\r\nContent-Type: multipart/mixed; boundary=b\r\n"
         "\r\n--b\r\nContent-Type: application/gzip; name=\"logs.xml.gz\"\r\n"
         "\r\nH4sI\r\n--b--\r\n",
         false},
        {"a report name in body text only",
         "From: a@hist.test\r\n\r\nname=\"a!b!1!2.xml.gz\" was in the text\r\n", false},
    };
    static const size_t STEPS[] = {0, 1, 7};
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        for (size_t s = 0; s < sizeof STEPS / sizeof STEPS[0]; s++) {
            run r;
            run_msg(&r, CASES[k].msg, STEPS[s], "192.0.2.10", "a@hist.test", MS_DMARC_MODE_RFC9989);
            bool got = ms_message_carries_report(r.m);
            EXPECT(got == CASES[k].want, "%s (chunks of %zu): got %d, want %d", CASES[k].name,
                   STEPS[s], got, CASES[k].want);
            ms_history_input in = {.received = 1};
            ms_history_row row;
            assert_int_equal(ms_message_history_row(r.m, &in, r.arena, &row), MS_OK);
            EXPECT(row.carries_report == (int)CASES[k].want, "%s: row carries_report got %d",
                   CASES[k].name, row.carries_report);
            done(&r);
        }
    }
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row),
        cmocka_unit_test(test_carries_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
